//! Imports of a Department's unit list: the preview (the plan, kept), commit (applied in one
//! transaction, each change audited, with what undo needs) and undo (created units removed when
//! nothing hangs on them, changed units restored). Only the department administrator imports.

use std::collections::HashMap;

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};

use super::audit::{self, AuditCtx, Event};
use super::entities::{classes, people, unit_imports, units, users};
use super::{StoreError, StoreResult};
use crate::domain::access::Caller;
use crate::domain::org::{SchoolLevel, UnitKind};
use crate::domain::unit_list::{self, KnownUnit, PlannedUnit, UnitAction, UnitLine};

/// An import of a unit list with its plan.
#[derive(Debug, Clone)]
pub struct UnitImport {
    pub row: unit_imports::Model,
    pub plan: Vec<PlannedUnit>,
}

/// What undo restores.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct UndoLog {
    created: Vec<i64>,
    /// The rows as they were before the import changed them.
    before: Vec<UnitSnapshot>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct UnitSnapshot {
    id: i64,
    parent_id: Option<i64>,
    name: String,
    level: Option<String>,
    commune_code: Option<String>,
    address: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    principal: Option<String>,
    closed: bool,
}

fn snapshot(u: &units::Model) -> UnitSnapshot {
    UnitSnapshot {
        id: u.id,
        parent_id: u.parent_id,
        name: u.name.clone(),
        level: u.level.clone(),
        commune_code: u.commune_code.clone(),
        address: u.address.clone(),
        phone: u.phone.clone(),
        email: u.email.clone(),
        principal: u.principal.clone(),
        closed: u.closed_at.is_some(),
    }
}

fn not_allowed() -> StoreError {
    StoreError::Forbidden("Chỉ quản trị Sở GDĐT (department_admin) mới nạp danh sách đơn vị.".to_owned())
}

/// The Department the caller administers (the root every list hangs from).
async fn department<C: ConnectionTrait>(conn: &C, caller: &Caller) -> StoreResult<units::Model> {
    let unit = super::units::get(conn, caller.unit_id).await?;
    if unit.kind != UnitKind::Department.as_str() || !caller.manages_units(&unit.path) {
        return Err(not_allowed());
    }
    Ok(unit)
}

/// The tree below the Department, as the plan compares lines with it.
pub async fn known_units<C: ConnectionTrait>(conn: &C, root: &units::Model) -> StoreResult<Vec<KnownUnit>> {
    let all = units::Entity::find()
        .filter(crate::store::units::path_starts_with(units::Column::Path, &root.path))
        .all(conn)
        .await?;
    let code_of: HashMap<i64, String> = all.iter().map(|u| (u.id, u.code.clone())).collect();
    let active: Vec<(i64, i64)> = people::Entity::find()
        .select_only()
        .column(people::Column::UnitId)
        .column_as(people::Column::Id.count(), "n")
        .filter(people::Column::DeletedAt.is_null())
        .group_by(people::Column::UnitId)
        .into_tuple()
        .all(conn)
        .await?;
    let active: HashMap<i64, i64> = active.into_iter().collect();
    Ok(all
        .into_iter()
        .filter(|u| u.id != root.id)
        .map(|u| KnownUnit {
            id: u.id,
            code: u.code.clone(),
            kind: UnitKind::parse(&u.kind).unwrap_or(UnitKind::School),
            name: u.name.clone(),
            level: u.level.as_deref().and_then(SchoolLevel::parse),
            parent_code: u.parent_id.and_then(|p| code_of.get(&p).cloned()),
            commune_code: u.commune_code.clone(),
            address: u.address.clone(),
            phone: u.phone.clone(),
            email: u.email.clone(),
            principal: u.principal.clone(),
            closed: u.closed_at.is_some(),
            active_records: u64::try_from(active.get(&u.id).copied().unwrap_or(0)).unwrap_or(0),
        })
        .collect())
}

/// Plans the lines and keeps the plan as a preview.
pub async fn preview(
    db: &DatabaseConnection,
    ctx: &AuditCtx,
    caller: &Caller,
    filename: &str,
    lines: &[UnitLine],
) -> StoreResult<UnitImport> {
    let root = department(db, caller).await?;
    let known = known_units(db, &root).await?;
    let province = root.province_code.clone().unwrap_or_default();
    let plan = unit_list::plan(lines, &known, &root.code, &unit_list::accepted_prefixes(&province));
    let row = unit_imports::ActiveModel {
        created_by: Set(caller.user_id),
        filename: Set(filename.chars().take(255).collect()),
        status: Set("preview".to_owned()),
        plan: Set(serde_json::to_string(&plan).map_err(|e| StoreError::corrupt("unit import plan", e))?),
        undo: Set(None),
        created_at: Set(ctx.at),
        committed_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(UnitImport { row, plan })
}

/// One import the caller may see.
pub async fn get(db: &DatabaseConnection, caller: &Caller, id: i64) -> StoreResult<UnitImport> {
    department(db, caller).await?;
    let row = unit_imports::Entity::find_by_id(id).one(db).await?.ok_or(StoreError::NotFound)?;
    let plan = serde_json::from_str(&row.plan)
        .map_err(|e| StoreError::corrupt(format_args!("unit_imports.plan of {id}"), e))?;
    Ok(UnitImport { row, plan })
}

/// Applies a previewed import: parents before children, each change audited. A plan made
/// against a tree that changed since is planned again first (the commit applies what the tree
/// now calls for).
pub async fn commit(db: &DatabaseConnection, ctx: &AuditCtx, caller: &Caller, id: i64) -> StoreResult<UnitImport> {
    let txn = crate::store::begin_write(db).await?;
    let root = department(&txn, caller).await?;
    let row = unit_imports::Entity::find_by_id(id).one(&txn).await?.ok_or(StoreError::NotFound)?;
    if row.status != "preview" {
        return Err(StoreError::Conflict {
            pointer: None,
            message: "Lần nạp này đã được ghi hoặc đã hoàn tác.".to_owned(),
        });
    }
    let plan: Vec<PlannedUnit> = serde_json::from_str(&row.plan)
        .map_err(|e| StoreError::corrupt(format_args!("unit_imports.plan of {id}"), e))?;
    let ctx = ctx.clone().with_source(super::audit::Source::Import, Some(format!("unit-import:{id}")));
    let mut log = UndoLog::default();
    let mut by_code: HashMap<String, units::Model> = units::Entity::find()
        .filter(crate::store::units::path_starts_with(units::Column::Path, &root.path))
        .all(&txn)
        .await?
        .into_iter()
        .map(|u| (u.code.clone(), u))
        .collect();
    let mut events: Vec<Event<'static>> = Vec::new();
    // offices first, so that schools find their parents
    let mut order: Vec<&PlannedUnit> = plan
        .iter()
        .filter(|p| matches!(p.action, UnitAction::Create | UnitAction::Update | UnitAction::Close))
        .collect();
    order.sort_by_key(|p| (p.kind != Some(UnitKind::District), p.row));
    for p in order {
        let parent = match p.parent_code.as_deref() {
            Some(code) => by_code.get(code).cloned().ok_or_else(|| StoreError::Conflict {
                pointer: None,
                message: format!("Dòng {}: không còn đơn vị quản lý {code}; hãy xem trước lại.", p.row),
            })?,
            None => root.clone(),
        };
        match p.action {
            UnitAction::Create => {
                if by_code.contains_key(&p.code) {
                    return Err(StoreError::Conflict {
                        pointer: None,
                        message: format!("Mã {} vừa được tạo; hãy xem trước lại.", p.code),
                    });
                }
                let created = super::units::create(
                    &txn,
                    super::units::NewUnit {
                        parent_id: Some(parent.id),
                        kind: p.kind.unwrap_or(UnitKind::School),
                        code: p.code.clone(),
                        name: p.name.clone(),
                        level: p.level,
                        province_code: root.province_code.clone(),
                        district_code: None,
                        commune_code: p.commune_code.clone(),
                        address: p.address.clone(),
                        phone: p.phone.clone(),
                        email: p.email.clone(),
                    },
                )
                .await?;
                let created = if p.principal.is_some() {
                    let mut a = created.into_active_model();
                    a.principal = Set(p.principal.clone());
                    a.update(&txn).await?
                } else {
                    created
                };
                log.created.push(created.id);
                events.push(Event {
                    action: "create_unit",
                    entity: "unit",
                    entity_id: Some(created.id),
                    field: None,
                    old_value: None,
                    new_value: Some(format!("{} {}", created.code, created.name)),
                });
                by_code.insert(created.code.clone(), created);
            }
            UnitAction::Update | UnitAction::Close => {
                let current = by_code.get(&p.code).cloned().ok_or(StoreError::NotFound)?;
                log.before.push(snapshot(&current));
                let mut a = current.clone().into_active_model();
                for c in &p.changes {
                    match c.field.as_str() {
                        "name" => a.name = Set(p.name.clone()),
                        "level" => a.level = Set(p.level.map(|l| l.as_str().to_owned())),
                        "communeCode" => a.commune_code = Set(p.commune_code.clone()),
                        "address" => a.address = Set(p.address.clone()),
                        "phone" => a.phone = Set(p.phone.clone()),
                        "email" => a.email = Set(p.email.clone()),
                        "principal" => a.principal = Set(p.principal.clone()),
                        _ => {}
                    }
                    events.push(Event {
                        action: "update_unit",
                        entity: "unit",
                        entity_id: Some(current.id),
                        field: Some(field_name(&c.field)),
                        old_value: c.old.clone(),
                        new_value: c.new.clone(),
                    });
                }
                if p.action == UnitAction::Close {
                    a.closed_at = Set(Some(ctx.at));
                    events.push(Event {
                        action: "close_unit",
                        entity: "unit",
                        entity_id: Some(current.id),
                        field: None,
                        old_value: None,
                        new_value: None,
                    });
                }
                let mut updated = a.update(&txn).await?;
                if current.parent_id != Some(parent.id) {
                    updated = move_unit(&txn, updated, &parent).await?;
                }
                by_code.insert(updated.code.clone(), updated);
            }
            _ => {}
        }
    }
    audit::record(&txn, &ctx, events).await?;
    let mut a = row.into_active_model();
    a.status = Set("committed".to_owned());
    a.committed_at = Set(Some(ctx.at));
    a.undo = Set(Some(serde_json::to_string(&log).map_err(|e| StoreError::corrupt("unit import undo", e))?));
    let row = a.update(&txn).await?;
    txn.commit().await?;
    Ok(UnitImport { row, plan })
}

fn field_name(field: &str) -> &'static str {
    match field {
        "name" => "name",
        "level" => "level",
        "parent" => "parent",
        "communeCode" => "communeCode",
        "address" => "address",
        "phone" => "phone",
        "email" => "email",
        _ => "principal",
    }
}

/// Moves a unit (and its subtree) under another parent: new parent id and paths.
pub async fn move_unit<C: ConnectionTrait>(
    conn: &C,
    unit: units::Model,
    parent: &units::Model,
) -> StoreResult<units::Model> {
    let old_path = unit.path.clone();
    let new_path = format!("{}{}/", parent.path, unit.id);
    let below = units::Entity::find()
        .filter(crate::store::units::path_starts_with(units::Column::Path, &old_path))
        .all(conn)
        .await?;
    let mut moved = None;
    for u in below {
        let path = format!("{new_path}{}", &u.path[old_path.len()..]);
        let is_self = u.id == unit.id;
        let mut a = u.into_active_model();
        a.path = Set(path);
        if is_self {
            a.parent_id = Set(Some(parent.id));
        }
        let updated = a.update(conn).await?;
        if is_self {
            moved = Some(updated);
        }
    }
    moved.ok_or(StoreError::NotFound)
}

/// Undoes a committed import: the units it created go (refused while accounts, classes or
/// records hang on them), the units it changed come back as they were.
pub async fn undo(db: &DatabaseConnection, ctx: &AuditCtx, caller: &Caller, id: i64) -> StoreResult<UnitImport> {
    let txn = crate::store::begin_write(db).await?;
    department(&txn, caller).await?;
    let row = unit_imports::Entity::find_by_id(id).one(&txn).await?.ok_or(StoreError::NotFound)?;
    if row.status != "committed" {
        return Err(StoreError::Conflict {
            pointer: None,
            message: "Chỉ hoàn tác được lần nạp đã ghi và chưa hoàn tác.".to_owned(),
        });
    }
    let log: UndoLog = serde_json::from_str(row.undo.as_deref().unwrap_or("{}"))
        .map_err(|e| StoreError::corrupt(format_args!("unit_imports.undo of {id}"), e))?;
    let ctx = ctx.clone().with_source(super::audit::Source::Import, Some(format!("unit-import:{id}")));
    let mut events = Vec::new();
    for s in &log.before {
        let Some(current) = units::Entity::find_by_id(s.id).one(&txn).await? else { continue };
        let parent = match s.parent_id {
            Some(p) => units::Entity::find_by_id(p).one(&txn).await?,
            None => None,
        };
        let mut a = current.clone().into_active_model();
        a.name = Set(s.name.clone());
        a.level = Set(s.level.clone());
        a.commune_code = Set(s.commune_code.clone());
        a.address = Set(s.address.clone());
        a.phone = Set(s.phone.clone());
        a.email = Set(s.email.clone());
        a.principal = Set(s.principal.clone());
        if !s.closed {
            a.closed_at = Set(None);
        }
        let restored = a.update(&txn).await?;
        if let Some(parent) = parent
            && restored.parent_id != Some(parent.id)
        {
            move_unit(&txn, restored, &parent).await?;
        }
        events.push(Event {
            action: "restore_unit",
            entity: "unit",
            entity_id: Some(s.id),
            field: None,
            old_value: None,
            new_value: None,
        });
    }
    // children before parents
    for unit_id in log.created.iter().rev() {
        let held = users::Entity::find().filter(users::Column::UnitId.eq(*unit_id)).count(&txn).await?
            + classes::Entity::find().filter(classes::Column::SchoolId.eq(*unit_id)).count(&txn).await?
            + people::Entity::find().filter(people::Column::UnitId.eq(*unit_id)).count(&txn).await?
            + units::Entity::find().filter(units::Column::ParentId.eq(*unit_id)).count(&txn).await?;
        if held > 0 {
            let name = units::Entity::find_by_id(*unit_id).one(&txn).await?.map(|u| u.name).unwrap_or_default();
            return Err(StoreError::Conflict {
                pointer: None,
                message: format!("{name} đã có tài khoản, lớp hoặc hồ sơ: không hoàn tác được lần nạp này."),
            });
        }
        units::Entity::delete_by_id(*unit_id).exec(&txn).await?;
        events.push(Event {
            action: "delete_unit",
            entity: "unit",
            entity_id: Some(*unit_id),
            field: None,
            old_value: None,
            new_value: None,
        });
    }
    audit::record(&txn, &ctx, events).await?;
    let plan = serde_json::from_str(&row.plan)
        .map_err(|e| StoreError::corrupt(format_args!("unit_imports.plan of {id}"), e))?;
    let mut a = row.into_active_model();
    a.status = Set("undone".to_owned());
    let row = a.update(&txn).await?;
    txn.commit().await?;
    Ok(UnitImport { row, plan })
}

/// The imports of unit lists, newest first.
pub async fn list(db: &DatabaseConnection, caller: &Caller) -> StoreResult<Vec<unit_imports::Model>> {
    department(db, caller).await?;
    Ok(unit_imports::Entity::find().order_by_desc(unit_imports::Column::Id).limit(100).all(db).await?)
}
