//! The unit tree: department → management units → schools, with materialised paths.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use super::entities::units;
use super::{StoreError, StoreResult};
use crate::domain::access::Caller;
use crate::domain::org::{SchoolLevel, UnitKind};

/// A unit to create.
#[derive(Debug, Clone)]
pub struct NewUnit {
    pub parent_id: Option<i64>,
    pub kind: UnitKind,
    pub code: String,
    pub name: String,
    pub level: Option<SchoolLevel>,
    pub province_code: Option<String>,
    pub district_code: Option<String>,
    pub commune_code: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// Creates a unit under its parent and computes its path.
pub async fn create<C: ConnectionTrait>(conn: &C, new: NewUnit) -> StoreResult<units::Model> {
    let parent_path = match new.parent_id {
        Some(pid) => units::Entity::find_by_id(pid).one(conn).await?.ok_or(StoreError::NotFound)?.path,
        None => "/".to_owned(),
    };
    let inserted = units::ActiveModel {
        parent_id: Set(new.parent_id),
        kind: Set(new.kind.as_str().to_owned()),
        code: Set(new.code),
        name: Set(new.name),
        level: Set(new.level.map(|l| l.as_str().to_owned())),
        path: Set(String::new()),
        province_code: Set(new.province_code),
        district_code: Set(new.district_code),
        commune_code: Set(new.commune_code),
        address: Set(new.address),
        phone: Set(new.phone),
        email: Set(new.email),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    let path = format!("{parent_path}{}/", inserted.id);
    let mut active: units::ActiveModel = inserted.into();
    active.path = Set(path);
    Ok(active.update(conn).await?)
}

/// `column` starts with `prefix`, as a range (`>= prefix AND < prefix with its last byte
/// raised`) that the path index answers: unlike `LIKE 'prefix%'` with a bound pattern, which
/// SQLite re-plans at every execution, it is planned once per prepared statement. Unit paths
/// are ASCII (`/1/5/16/`), so raising the last byte never leaves ASCII.
pub fn path_starts_with<C: sea_orm::ColumnTrait>(column: C, prefix: &str) -> sea_orm::Condition {
    match path_upper_bound(prefix) {
        Some(upper) => sea_orm::Condition::all().add(column.gte(prefix)).add(column.lt(upper)),
        // an empty or non-ASCII prefix (never a unit path): the pattern as it is
        None => sea_orm::Condition::all().add(column.like(format!("{prefix}%"))),
    }
}

/// The first string after every string that starts with `prefix` (its last byte raised), for
/// the range `path >= prefix AND path < bound`; `None` for an empty or non-ASCII-ending prefix.
pub fn path_upper_bound(prefix: &str) -> Option<String> {
    let mut upper = prefix.as_bytes().to_vec();
    match upper.last_mut() {
        Some(last) if *last < 0x7f => {
            *last += 1;
            String::from_utf8(upper).ok()
        }
        _ => None,
    }
}

/// [`path_starts_with`] for SQL written by hand with `?` placeholders: the condition on
/// `column` (`u.path`) and its two values.
pub fn path_range_sql(column: &str, prefix: &str) -> (String, [sea_orm::Value; 2]) {
    match path_upper_bound(prefix) {
        Some(upper) => (format!("{column} >= ? AND {column} < ?"), [prefix.into(), upper.into()]),
        // never for a unit path (ASCII, ending in '/')
        None => (format!("{column} >= ? AND {column} LIKE ?"), [prefix.into(), format!("{prefix}%").into()]),
    }
}

/// The caller's unit and everything below it, in tree order.
pub async fn list_subtree<C: ConnectionTrait>(conn: &C, caller: &Caller) -> StoreResult<Vec<units::Model>> {
    Ok(units::Entity::find()
        .filter(path_starts_with(units::Column::Path, &caller.unit_path))
        .order_by_asc(units::Column::Path)
        .all(conn)
        .await?)
}

/// One unit in the caller's subtree.
pub async fn get_scoped<C: ConnectionTrait>(conn: &C, caller: &Caller, id: i64) -> StoreResult<units::Model> {
    match units::Entity::find_by_id(id).one(conn).await? {
        Some(unit) if caller.reads_path(&unit.path) => Ok(unit),
        _ => Err(StoreError::NotFound),
    }
}

/// One unit, unscoped (for internal use: token issuing, seeding).
pub async fn get<C: ConnectionTrait>(conn: &C, id: i64) -> StoreResult<units::Model> {
    units::Entity::find_by_id(id).one(conn).await?.ok_or(StoreError::NotFound)
}

/// A unit by its code, unscoped.
pub async fn by_code<C: ConnectionTrait>(conn: &C, code: &str) -> StoreResult<Option<units::Model>> {
    Ok(units::Entity::find().filter(units::Column::Code.eq(code)).one(conn).await?)
}

/// The direct children of a unit, by name.
pub async fn children<C: ConnectionTrait>(conn: &C, parent_id: i64) -> StoreResult<Vec<units::Model>> {
    Ok(units::Entity::find()
        .filter(units::Column::ParentId.eq(parent_id))
        .order_by_asc(units::Column::Name)
        .all(conn)
        .await?)
}

/// True when the database holds no unit at all (a fresh database).
pub async fn is_empty<C: ConnectionTrait>(conn: &C) -> StoreResult<bool> {
    use sea_orm::PaginatorTrait;
    Ok(units::Entity::find().count(conn).await? == 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_subtree_is_the_range_up_to_its_path_with_the_last_byte_raised() {
        let cases: &[(&str, Option<&str>)] =
            &[("/1/", Some("/10")), ("/1/5/", Some("/1/50")), ("/12/345/", Some("/12/3450")), ("", None), ("/đ", None)];
        for (prefix, upper) in cases {
            assert_eq!(path_upper_bound(prefix).as_deref(), *upper, "{prefix}");
        }
        // what the range holds: the unit and everything below it, nothing beside it
        let (lower, upper) = ("/1/5/", path_upper_bound("/1/5/").expect("an ASCII path"));
        for (path, inside) in [
            ("/1/5/", true),
            ("/1/5/16/", true),
            ("/1/5/9/77/", true),
            ("/1/50/", false),
            ("/1/6/", false),
            ("/1/", false),
            ("/1/4/5/", false),
        ] {
            assert_eq!(path >= lower && path < upper.as_str(), inside, "{path}");
        }
        let (sql, values) = path_range_sql("u.path", "/1/5/");
        assert_eq!(sql, "u.path >= ? AND u.path < ?");
        assert_eq!(values, [sea_orm::Value::from("/1/5/"), sea_orm::Value::from("/1/50")]);
    }
}
