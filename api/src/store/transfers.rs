//! Transfers (issue 10, item 5): a student or a staff member moves to another unit as the same
//! record (same id, verification status and history); the sending unit keeps a read-only trace
//! row; a record leaving the province (or a staff member retiring or quitting) is closed with
//! the reason. Rights: `Caller::transfers` and `Caller::closes_leaving`. Counters follow in the
//! same transaction; every move is audited.

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

use super::audit::{self, AuditCtx, Event};
use super::entities::{people, transfers, units};
use super::{StoreError, StoreResult};
use crate::domain::access::{Caller, UnitRef};
use crate::domain::org::UnitKind;
use crate::rules::PersonKind;

/// Where a record goes.
#[derive(Debug, Clone)]
pub struct TransferTo {
    /// `None`: the record leaves the province (or the sector) and is closed.
    pub unit_id: Option<i64>,
    pub class_id: Option<i64>,
    pub reason: String,
}

fn refused(message: &str) -> StoreError {
    StoreError::Forbidden(message.to_owned())
}

/// Moves (or closes) a record; answers the trace row.
pub async fn transfer(
    db: &DatabaseConnection,
    ctx: &AuditCtx,
    caller: &Caller,
    kind: PersonKind,
    id: i64,
    to: TransferTo,
    school_year: &str,
) -> StoreResult<transfers::Model> {
    let txn = super::begin_write(db).await?;
    let row = super::people::get(&txn, caller, kind, id).await?;
    let from = UnitRef { id: row.unit.id, path: &row.unit.path };
    let before = row.person.clone();
    let mut events = Vec::new();
    let event = |field: &'static str, old: Option<String>, new: Option<String>| Event {
        action: if to.unit_id.is_some() { "transfer" } else { "close" },
        entity: "person",
        entity_id: Some(id),
        field: Some(field),
        old_value: old,
        new_value: new,
    };
    let mut active: people::ActiveModel = row.person.clone().into();
    let (to_unit, to_class) = match to.unit_id {
        Some(unit_id) => {
            let target = units::Entity::find_by_id(unit_id)
                .one(&txn)
                .await?
                .ok_or_else(|| StoreError::invalid("/toUnitId", "unknown_unit", "Không tìm thấy đơn vị nhận."))?;
            if !caller.transfers(from, UnitRef { id: target.id, path: &target.path }) {
                return Err(refused(if target.id == from.id {
                    "Hồ sơ đã ở đơn vị này."
                } else {
                    "Tài khoản không được chuyển hồ sơ giữa hai đơn vị này."
                }));
            }
            if target.closed_at.is_some() {
                return Err(StoreError::invalid("/toUnitId", "unit_closed", "Đơn vị nhận đã đóng."));
            }
            let is_school = target.kind == UnitKind::School.as_str();
            if kind == PersonKind::Student && !is_school {
                return Err(StoreError::invalid("/toUnitId", "not_a_school", "Học sinh chỉ chuyển đến một trường."));
            }
            let class = match to.class_id {
                Some(class_id) if kind == PersonKind::Student => {
                    let class = super::entities::classes::Entity::find_by_id(class_id).one(&txn).await?;
                    match class {
                        Some(c) if c.school_id == target.id && c.school_year == school_year => Some(c.id),
                        _ => {
                            return Err(StoreError::invalid(
                                "/toClassId",
                                "class_elsewhere",
                                "Lớp nhận phải là một lớp năm học hiện tại của trường nhận.",
                            ));
                        }
                    }
                }
                Some(_) => {
                    return Err(StoreError::invalid("/toClassId", "not_a_student", "Chỉ học sinh mới có lớp."));
                }
                None => None,
            };
            events.push(event("unitId", Some(from.id.to_string()), Some(target.id.to_string())));
            if before.class_id != class {
                events.push(event("classId", before.class_id.map(|c| c.to_string()), class.map(|c| c.to_string())));
            }
            active.unit_id = Set(target.id);
            active.class_id = Set(class);
            (Some(target.id), class)
        }
        None => {
            if !caller.closes_leaving(from) {
                return Err(refused("Tài khoản không được đóng hồ sơ của đơn vị này."));
            }
            active.deleted_at = Set(Some(ctx.at));
            (None, None)
        }
    };
    events.push(event("reason", None, Some(to.reason.clone())));
    active.version = Set(before.version + 1);
    active.updated_at = Set(ctx.at);
    let after = active.update(&txn).await?;
    let kept = after.deleted_at.is_none().then_some(&after);
    super::counters::apply_change(&txn, Some(&before), kept).await?;
    if kept.is_none()
        && let Some(pid) = before.personal_id_index.clone()
    {
        super::people::sync_duplicates(&txn, &[pid]).await?;
    }
    let trace = transfers::ActiveModel {
        person_id: Set(id),
        kind: Set(kind.as_str().to_owned()),
        full_name: Set(before.full_name.clone()),
        from_unit_id: Set(from.id),
        from_class_id: Set(before.class_id),
        to_unit_id: Set(to_unit),
        to_class_id: Set(to_class),
        reason: Set(to.reason),
        actor: Set(ctx.actor.clone()),
        at: Set(ctx.at),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(&txn, ctx, events).await?;
    txn.commit().await?;
    Ok(trace)
}

/// The transfers out of or into the units under `unit_id` (in the caller's scope), newest first.
pub async fn list(db: &DatabaseConnection, caller: &Caller, unit_id: i64) -> StoreResult<Vec<transfers::Model>> {
    let unit = super::units::get_scoped(db, caller, unit_id).await?;
    let under: Vec<i64> = units::Entity::find()
        .select_only()
        .column(units::Column::Id)
        .filter(crate::store::units::path_starts_with(units::Column::Path, &unit.path))
        .into_tuple()
        .all(db)
        .await?;
    Ok(transfers::Entity::find()
        .filter(
            Condition::any()
                .add(transfers::Column::FromUnitId.is_in(under.clone()))
                .add(transfers::Column::ToUnitId.is_in(under)),
        )
        .order_by_desc(transfers::Column::Id)
        .limit(1000)
        .all(db)
        .await?)
}

/// The open units of the caller's province a transfer may go to (schools, or every unit when
/// `schools_only` is false), each with its parent's name, in tree order; the caller's own unit
/// left out. Names and codes only: no record of them is reachable through this.
pub async fn destinations(
    db: &DatabaseConnection,
    caller: &Caller,
    schools_only: bool,
) -> StoreResult<Vec<(units::Model, Option<String>)>> {
    // the province is the root of the caller's path ("/1/…")
    let root = caller.unit_path.split('/').find(|s| !s.is_empty()).unwrap_or_default();
    let all = units::Entity::find()
        .filter(units::Column::Path.starts_with(format!("/{root}/")))
        .filter(units::Column::ClosedAt.is_null())
        .order_by_asc(units::Column::Path)
        .all(db)
        .await?;
    let names: std::collections::HashMap<i64, String> = all.iter().map(|u| (u.id, u.name.clone())).collect();
    Ok(all
        .into_iter()
        .filter(|u| u.id != caller.unit_id && (!schools_only || u.kind == UnitKind::School.as_str()))
        .map(|u| {
            let parent = u.parent_id.and_then(|p| names.get(&p).cloned());
            (u, parent)
        })
        .collect())
}
