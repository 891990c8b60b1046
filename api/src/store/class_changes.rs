//! Classes created and changed by hand (issue 10, item 4): by the school that holds them (its
//! clerk or principal), in a school year, audited. A closed school takes no new class.

use sea_orm::{ActiveModelTrait, ActiveValue::Set, DatabaseConnection, IntoActiveModel};

use super::audit::{self, AuditCtx, Event};
use super::entities::{classes, units};
use super::{StoreError, StoreResult};
use crate::domain::access::Caller;
use crate::domain::org::UnitKind;

/// A class to create.
#[derive(Debug, Clone)]
pub struct ClassDraft {
    pub school_id: i64,
    pub school_year: String,
    pub grade: i32,
    pub name: String,
    pub homeroom_teacher: Option<String>,
}

/// A change to a class.
#[derive(Debug, Clone, Default)]
pub struct ClassPatch {
    pub name: Option<String>,
    pub grade: Option<i32>,
    /// `Some(None)` clears it.
    pub homeroom_teacher: Option<Option<String>>,
}

fn refuse_unless_school_writes(caller: &Caller, school: &units::Model) -> StoreResult<()> {
    if school.kind != UnitKind::School.as_str() {
        return Err(StoreError::invalid("/unitId", "not_a_school", "Lớp chỉ thuộc một trường."));
    }
    if !(caller.writes_students() && caller.writes_unit(school.id, &school.path)) {
        return Err(StoreError::Forbidden("Chỉ nhà trường mới tạo và sửa lớp của mình.".to_owned()));
    }
    if school.closed_at.is_some() {
        return Err(StoreError::invalid("/unitId", "unit_closed", "Trường đã đóng (giải thể, sáp nhập)."));
    }
    Ok(())
}

fn duplicate(name: &str, year: &str) -> StoreError {
    StoreError::Conflict {
        pointer: Some("/name".to_owned()), message: format!("Lớp {name} năm học {year} đã có.")
    }
}

/// Creates a class of a school the caller writes.
pub async fn create(
    db: &DatabaseConnection,
    ctx: &AuditCtx,
    caller: &Caller,
    d: ClassDraft,
) -> StoreResult<classes::Model> {
    let txn = super::begin_write(db).await?;
    let school = super::units::get_scoped(&txn, caller, d.school_id).await?;
    refuse_unless_school_writes(caller, &school)?;
    if super::classes::by_name(&txn, school.id, &d.school_year, &d.name).await?.is_some() {
        return Err(duplicate(&d.name, &d.school_year));
    }
    let created = classes::ActiveModel {
        school_id: Set(school.id),
        school_year: Set(d.school_year),
        grade: Set(d.grade),
        name: Set(d.name),
        homeroom_teacher: Set(d.homeroom_teacher),
        created_at: Set(ctx.at),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(&txn, ctx, vec![created_event(&created)]).await?;
    txn.commit().await?;
    Ok(created)
}

/// The audit row of a created class.
pub fn created_event(c: &classes::Model) -> Event<'static> {
    Event {
        action: "create_class",
        entity: "class",
        entity_id: Some(c.id),
        field: None,
        old_value: None,
        new_value: Some(format!("{} (khối {}, năm học {}, trường {})", c.name, c.grade, c.school_year, c.school_id)),
    }
}

/// Changes a class of a school the caller writes; one audit row per changed field.
pub async fn update(
    db: &DatabaseConnection,
    ctx: &AuditCtx,
    caller: &Caller,
    id: i64,
    p: ClassPatch,
) -> StoreResult<classes::Model> {
    let txn = super::begin_write(db).await?;
    let (class, school) = super::classes::get_scoped(&txn, caller, id).await?;
    refuse_unless_school_writes(caller, &school)?;
    let mut events = Vec::new();
    let mut change = |field: &'static str, old: Option<String>, new: Option<String>| {
        if old != new {
            events.push(Event {
                action: "update_class",
                entity: "class",
                entity_id: Some(class.id),
                field: Some(field),
                old_value: old,
                new_value: new,
            });
            true
        } else {
            false
        }
    };
    let mut a = class.clone().into_active_model();
    if let Some(name) = p.name
        && change("name", Some(class.name.clone()), Some(name.clone()))
    {
        if super::classes::by_name(&txn, school.id, &class.school_year, &name).await?.is_some() {
            return Err(duplicate(&name, &class.school_year));
        }
        a.name = Set(name);
    }
    if let Some(grade) = p.grade
        && change("grade", Some(class.grade.to_string()), Some(grade.to_string()))
    {
        a.grade = Set(grade);
    }
    if let Some(teacher) = p.homeroom_teacher
        && change("homeroomTeacher", class.homeroom_teacher.clone(), teacher.clone())
    {
        a.homeroom_teacher = Set(teacher);
    }
    if events.is_empty() {
        return Ok(class);
    }
    let updated = a.update(&txn).await?;
    audit::record(&txn, ctx, events).await?;
    txn.commit().await?;
    Ok(updated)
}
