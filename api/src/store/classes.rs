//! Classes of a school for a school year.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter,
    QueryOrder, Select,
};

use super::entities::{classes, units};
use super::{StoreError, StoreResult};
use crate::domain::access::Caller;

/// A class to create.
#[derive(Debug, Clone)]
pub struct NewClass {
    pub school_id: i64,
    pub school_year: String,
    pub grade: i32,
    pub name: String,
}

pub async fn create<C: ConnectionTrait>(conn: &C, new: NewClass) -> StoreResult<classes::Model> {
    Ok(classes::ActiveModel {
        school_id: Set(new.school_id),
        school_year: Set(new.school_year),
        grade: Set(new.grade),
        name: Set(new.name),
        homeroom_teacher: Set(None),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(conn)
    .await?)
}

/// Which classes a list holds.
#[derive(Debug, Clone, Copy)]
pub enum ClassScope {
    /// One school's.
    School(i64),
    /// Every school's under a unit (the unit itself when it is a school).
    Subtree(i64),
}

/// The classes of a scope the caller may read, optionally of one school year, ordered: a
/// school's by grade then name; a subtree's by school, grade, name. A subtree's unit is read
/// first (not found outside the caller's scope); a school's scope is part of the statement,
/// and an empty answer is checked by [`not_found_unless_readable`].
async fn scoped<C: ConnectionTrait>(
    conn: &C,
    caller: &Caller,
    scope: ClassScope,
    school_year: Option<&str>,
) -> StoreResult<Select<classes::Entity>> {
    let mut query = match scope {
        ClassScope::School(id) => {
            let readable = super::people::units_under(caller.subtree_pattern());
            classes::Entity::find()
                .filter(classes::Column::SchoolId.eq(id))
                .filter(classes::Column::SchoolId.in_subquery(readable))
        }
        ClassScope::Subtree(id) => {
            let unit = super::units::get_scoped(conn, caller, id).await?;
            let schools = super::people::units_under(format!("{}%", unit.path));
            classes::Entity::find()
                .filter(classes::Column::SchoolId.in_subquery(schools))
                .order_by_asc(classes::Column::SchoolId)
        }
    };
    if let Some(year) = school_year {
        query = query.filter(classes::Column::SchoolYear.eq(year));
    }
    Ok(query.order_by_asc(classes::Column::Grade).order_by_asc(classes::Column::Name))
}

/// A school's list came back empty: the school is read, so that one outside the caller's
/// scope (or none) is not found rather than a school without classes.
async fn not_found_unless_readable<C: ConnectionTrait>(
    conn: &C,
    caller: &Caller,
    scope: ClassScope,
) -> StoreResult<()> {
    if let ClassScope::School(id) = scope {
        super::units::get_scoped(conn, caller, id).await?;
    }
    Ok(())
}

/// Classes of a school in the caller's scope, by grade then name; optionally one school year.
pub async fn list_for_school<C: ConnectionTrait>(
    conn: &C,
    caller: &Caller,
    school_id: i64,
    school_year: Option<&str>,
) -> StoreResult<Vec<classes::Model>> {
    let scope = ClassScope::School(school_id);
    let list = scoped(conn, caller, scope, school_year).await?.all(conn).await?;
    if list.is_empty() {
        not_found_unless_readable(conn, caller, scope).await?;
    }
    Ok(list)
}

/// A class with its active records counted.
#[derive(Debug, FromQueryResult)]
pub struct CountedClass {
    #[sea_orm(nested)]
    pub class: classes::Model,
    pub student_count: i64,
}

/// The classes of a scope (as [`scoped`] orders them) with their active records counted: one
/// statement for a school (and its own when it has no class), two for a subtree.
pub async fn list_counted<C: ConnectionTrait>(
    conn: &C,
    caller: &Caller,
    scope: ClassScope,
    school_year: Option<&str>,
) -> StoreResult<Vec<CountedClass>> {
    use sea_orm::QuerySelect;
    let list = scoped(conn, caller, scope, school_year)
        .await?
        .expr_as(active_records(), "student_count")
        .into_model::<CountedClass>()
        .all(conn)
        .await?;
    if list.is_empty() {
        not_found_unless_readable(conn, caller, scope).await?;
    }
    Ok(list)
}

/// A school's class of a year by its name, unscoped.
pub async fn by_name<C: ConnectionTrait>(
    conn: &C,
    school_id: i64,
    school_year: &str,
    name: &str,
) -> StoreResult<Option<classes::Model>> {
    Ok(classes::Entity::find()
        .filter(classes::Column::SchoolId.eq(school_id))
        .filter(classes::Column::SchoolYear.eq(school_year))
        .filter(classes::Column::Name.eq(name))
        .one(conn)
        .await?)
}

/// One class with its school, if the school is in the caller's scope.
pub async fn get_scoped<C: ConnectionTrait>(
    conn: &C,
    caller: &Caller,
    id: i64,
) -> StoreResult<(classes::Model, units::Model)> {
    // the class and its school in one statement
    match classes::Entity::find_by_id(id).find_also_related(units::Entity).one(conn).await? {
        Some((class, Some(school))) if caller.reads_path(&school.path) => Ok((class, school)),
        _ => Err(StoreError::NotFound),
    }
}

/// Classes by id (unscoped; for decorating lists the caller already may read).
pub async fn by_ids<C: ConnectionTrait>(conn: &C, ids: Vec<i64>) -> StoreResult<Vec<classes::Model>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(classes::Entity::find().filter(classes::Column::Id.is_in(ids)).all(conn).await?)
}

/// One class's active records, counted as [`list_counted`] counts them.
pub async fn active_count<C: ConnectionTrait>(conn: &C, class_id: i64) -> StoreResult<u64> {
    use sea_orm::QuerySelect;
    let n: Option<i64> = classes::Entity::find_by_id(class_id)
        .select_only()
        .expr_as(active_records(), "n")
        .into_tuple()
        .one(conn)
        .await?;
    Ok(n.and_then(|n| u64::try_from(n).ok()).unwrap_or(0))
}

/// The active records of the class of the row at hand (`classes.id`), as a column expression.
fn active_records() -> sea_orm::sea_query::SimpleExpr {
    sea_orm::sea_query::Expr::cust(
        "(SELECT COUNT(*) FROM people p WHERE p.class_id = classes.id AND p.deleted_at IS NULL)",
    )
}
