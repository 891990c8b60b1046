//! School-year rollovers (issue 10, item 4): a preview of a school's (or an office's schools')
//! classes of the ending year and where each goes, kept until committed; the commit creates
//! next year's classes, moves the students with their class (a kept-back student to next year's
//! class of the name they have), leaves graduates in last year's class, keeps the counters in
//! step and audits every change. Last year's classes stay, readable for statistics.

use std::collections::{BTreeSet, HashMap};

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::audit::{self, AuditCtx, Event};
use super::entities::{classes, people, rollovers, units};
use super::{StoreError, StoreResult};
use crate::domain::access::Caller;
use crate::domain::org::{SchoolLevel, UnitKind};
use crate::domain::rollover::{self, ClassInfo, ClassPlan, ClassStep};

/// A student of a class, as the preview lists them (to choose who is kept back).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RolloverStudent {
    pub id: i64,
    pub full_name: Option<String>,
}

/// A class of the plan with its students.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RolloverClass {
    #[serde(flatten)]
    pub plan: ClassPlan,
    pub students: Vec<RolloverStudent>,
}

/// A school of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RolloverSchool {
    pub school_id: i64,
    pub school_name: String,
    pub classes: Vec<RolloverClass>,
}

/// A rollover and its plan.
#[derive(Debug, Clone)]
pub struct Rollover {
    pub row: rollovers::Model,
    pub schools: Vec<RolloverSchool>,
}

fn not_allowed() -> StoreError {
    StoreError::Forbidden("Chỉ nhà trường, Phòng GDĐT hoặc Sở GDĐT quản lý trường mới chuyển năm học.".to_owned())
}

fn refused(from_year: &str, today: chrono::NaiveDate) -> StoreResult<()> {
    match rollover::refusal(from_year, today) {
        Some(reason) => Err(StoreError::invalid("/fromYear", "rollover_not_open", reason)),
        None => Ok(()),
    }
}

/// Schools already rolled over from `from_year` (by a committed rollover of themselves or of
/// an office above them).
async fn rolled_over<C: sea_orm::ConnectionTrait>(
    conn: &C,
    from_year: &str,
    schools: &[units::Model],
) -> StoreResult<Vec<String>> {
    let done: Vec<rollovers::Model> = rollovers::Entity::find()
        .filter(rollovers::Column::FromYear.eq(from_year))
        .filter(rollovers::Column::Status.eq("committed"))
        .all(conn)
        .await?;
    let mut names = Vec::new();
    for s in schools {
        let on_path = |unit: i64| s.path.split('/').any(|p| p == unit.to_string());
        if done.iter().any(|r| on_path(r.unit_id)) {
            names.push(s.name.clone());
        }
    }
    Ok(names)
}

/// Previews the rollover of a school, or of every open school under an office.
pub async fn preview(
    db: &DatabaseConnection,
    ctx: &AuditCtx,
    caller: &Caller,
    unit_id: i64,
    from_year: &str,
) -> StoreResult<Rollover> {
    let unit = super::units::get_scoped(db, caller, unit_id).await?;
    if !caller.rolls_over(&unit.path) {
        return Err(not_allowed());
    }
    refused(from_year, ctx.today())?;
    let to_year = rollover::next_year(from_year).unwrap_or_default();
    let schools: Vec<units::Model> = units::Entity::find()
        .filter(crate::store::units::path_starts_with(units::Column::Path, &unit.path))
        .filter(units::Column::Kind.eq(UnitKind::School.as_str()))
        .filter(units::Column::ClosedAt.is_null())
        .order_by_asc(units::Column::Path)
        .all(db)
        .await?;
    let done = rolled_over(db, from_year, &schools).await?;
    if !done.is_empty() {
        return Err(StoreError::Conflict {
            pointer: Some("/unitId".to_owned()),
            message: format!("Đã chuyển năm học {from_year} cho: {}.", done.join(", ")),
        });
    }
    let mut plan = Vec::with_capacity(schools.len());
    for s in &schools {
        let list = classes::Entity::find()
            .filter(classes::Column::SchoolId.eq(s.id))
            .filter(classes::Column::SchoolYear.eq(from_year))
            .order_by_asc(classes::Column::Grade)
            .order_by_asc(classes::Column::Name)
            .all(db)
            .await?;
        let infos: Vec<ClassInfo> =
            list.iter().map(|c| ClassInfo { id: c.id, grade: c.grade, name: c.name.clone() }).collect();
        let level = s.level.as_deref().and_then(SchoolLevel::parse);
        let mut by_class: HashMap<i64, Vec<RolloverStudent>> = HashMap::new();
        for p in students_of(db, list.iter().map(|c| c.id).collect()).await? {
            if let Some(c) = p.class_id {
                by_class.entry(c).or_default().push(RolloverStudent { id: p.id, full_name: p.full_name });
            }
        }
        let classes = rollover::plan_school(level, &infos)
            .into_iter()
            .map(|plan| RolloverClass { students: by_class.remove(&plan.class_id).unwrap_or_default(), plan })
            .collect();
        plan.push(RolloverSchool { school_id: s.id, school_name: s.name.clone(), classes });
    }
    let row = rollovers::ActiveModel {
        unit_id: Set(unit.id),
        from_year: Set(from_year.to_owned()),
        to_year: Set(to_year),
        status: Set("preview".to_owned()),
        plan: Set(serde_json::to_string(&plan).map_err(|e| StoreError::corrupt("rollover plan", e))?),
        created_by: Set(caller.user_id),
        created_at: Set(ctx.at),
        committed_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(Rollover { row, schools: plan })
}

async fn students_of<C: sea_orm::ConnectionTrait>(conn: &C, class_ids: Vec<i64>) -> StoreResult<Vec<people::Model>> {
    if class_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(people::Entity::find()
        .filter(people::Column::Kind.eq("student"))
        .filter(people::Column::ClassId.is_in(class_ids))
        .filter(people::Column::DeletedAt.is_null())
        .order_by_asc(people::Column::Id)
        .all(conn)
        .await?)
}

/// One rollover the caller may see.
pub async fn get(db: &DatabaseConnection, caller: &Caller, id: i64) -> StoreResult<Rollover> {
    let row = rollovers::Entity::find_by_id(id).one(db).await?.ok_or(StoreError::NotFound)?;
    super::units::get_scoped(db, caller, row.unit_id).await?;
    let schools = super::read_json(format_args!("rollovers.plan of {id}"), &row.plan)?;
    Ok(Rollover { row, schools })
}

/// Next year's class of a name at a school, created (and audited) when missing.
async fn class_for_next_year<C: sea_orm::ConnectionTrait>(
    conn: &C,
    ctx: &AuditCtx,
    school_id: i64,
    year: &str,
    name: &str,
    grade: i32,
    made: &mut Vec<classes::Model>,
) -> StoreResult<i64> {
    if let Some(c) = made.iter().find(|c| c.school_id == school_id && c.name == name) {
        return Ok(c.id);
    }
    if let Some(c) = super::classes::by_name(conn, school_id, year, name).await? {
        return Ok(c.id);
    }
    let created = classes::ActiveModel {
        school_id: Set(school_id),
        school_year: Set(year.to_owned()),
        grade: Set(grade),
        name: Set(name.to_owned()),
        homeroom_teacher: Set(None),
        created_at: Set(ctx.at),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    audit::record(conn, ctx, vec![super::class_changes::created_event(&created)]).await?;
    made.push(created.clone());
    Ok(created.id)
}

/// What a commit did.
#[derive(Debug, Clone, Default)]
pub struct Committed {
    pub classes_created: usize,
    pub students_moved: usize,
    pub kept_back: usize,
    pub graduated: usize,
}

/// Commits a previewed rollover: `keep_back` are the students who stay in their grade.
pub async fn commit(
    db: &DatabaseConnection,
    ctx: &AuditCtx,
    caller: &Caller,
    id: i64,
    keep_back: &[i64],
) -> StoreResult<(Rollover, Committed)> {
    let txn = super::begin_write(db).await?;
    let row = rollovers::Entity::find_by_id(id).one(&txn).await?.ok_or(StoreError::NotFound)?;
    let unit = super::units::get_scoped(&txn, caller, row.unit_id).await?;
    if !caller.rolls_over(&unit.path) {
        return Err(not_allowed());
    }
    if row.status != "preview" {
        return Err(StoreError::Conflict {
            pointer: None, message: "Lần chuyển năm học này đã được ghi.".to_owned()
        });
    }
    refused(&row.from_year, ctx.today())?;
    let schools: Vec<RolloverSchool> = super::read_json(format_args!("rollovers.plan of {id}"), &row.plan)?;
    let school_rows: Vec<units::Model> =
        units::Entity::find().filter(units::Column::Id.is_in(schools.iter().map(|s| s.school_id))).all(&txn).await?;
    let done = rolled_over(&txn, &row.from_year, &school_rows).await?;
    if !done.is_empty() {
        return Err(StoreError::Conflict {
            pointer: None,
            message: format!("Đã chuyển năm học {} cho: {}.", row.from_year, done.join(", ")),
        });
    }
    let planned: HashMap<i64, (&RolloverSchool, &ClassPlan)> =
        schools.iter().flat_map(|s| s.classes.iter().map(move |c| (c.plan.class_id, (s, &c.plan)))).collect();
    let current = students_of(&txn, planned.keys().copied().collect()).await?;
    let keep: BTreeSet<i64> = keep_back.iter().copied().collect();
    let unknown: Vec<String> =
        keep.iter().filter(|k| !current.iter().any(|p| p.id == **k)).map(ToString::to_string).collect();
    if !unknown.is_empty() {
        return Err(StoreError::invalid(
            "/keepBack",
            "not_in_rollover",
            format!("Học sinh {} không thuộc các lớp của lần chuyển năm học này.", unknown.join(", ")),
        ));
    }
    let mut made = Vec::new();
    let mut done = Committed::default();
    let mut moves: Vec<(people::Model, people::Model)> = Vec::new();
    let mut events = Vec::new();
    for p in current {
        let Some((school, plan)) = p.class_id.and_then(|c| planned.get(&c)) else { continue };
        let target = if keep.contains(&p.id) {
            done.kept_back += 1;
            Some((plan.name.clone(), plan.grade))
        } else if plan.step == ClassStep::Graduate {
            done.graduated += 1;
            None
        } else {
            plan.next_name.clone().zip(plan.next_grade)
        };
        let Some((name, grade)) = target else { continue };
        let to = class_for_next_year(&txn, ctx, school.school_id, &row.to_year, &name, grade, &mut made).await?;
        let mut a = p.clone().into_active_model();
        a.class_id = Set(Some(to));
        a.version = Set(p.version + 1);
        a.updated_at = Set(ctx.at);
        let after = a.update(&txn).await?;
        events.push(Event {
            action: if keep.contains(&p.id) { "keep_back" } else { "promote" },
            entity: "student",
            entity_id: Some(p.id),
            field: Some("classId"),
            old_value: p.class_id.map(|c| c.to_string()),
            new_value: Some(to.to_string()),
        });
        moves.push((p, after));
    }
    // a class whose students all left still rolls over
    for s in &schools {
        for c in &s.classes {
            if let (ClassStep::Promote | ClassStep::Carry, Some(name), Some(grade)) =
                (c.plan.step, &c.plan.next_name, c.plan.next_grade)
            {
                class_for_next_year(&txn, ctx, s.school_id, &row.to_year, name, grade, &mut made).await?;
            }
        }
    }
    done.students_moved = moves.len() - done.kept_back;
    done.classes_created = made.len();
    let pairs: Vec<(Option<&people::Model>, Option<&people::Model>)> =
        moves.iter().map(|(b, a)| (Some(b), Some(a))).collect();
    super::counters::apply_changes(&txn, &pairs).await?;
    events.push(Event {
        action: "commit_rollover",
        entity: "rollover",
        entity_id: Some(row.id),
        field: None,
        old_value: Some(row.from_year.clone()),
        new_value: Some(format!(
            "{}: {} lớp mới, {} học sinh lên lớp, {} ở lại lớp, {} hoàn thành chương trình",
            row.to_year, done.classes_created, done.students_moved, done.kept_back, done.graduated
        )),
    });
    audit::record(&txn, ctx, events).await?;
    let mut a = row.into_active_model();
    a.status = Set("committed".to_owned());
    a.committed_at = Set(Some(ctx.at));
    let row = a.update(&txn).await?;
    txn.commit().await?;
    Ok((Rollover { row, schools }, done))
}
