//! Single changes to the unit tree (issue 10): a unit created or changed by hand, audited. The
//! department administrator creates, renames, moves and closes units; a district administrator
//! changes the contacts of its schools (see `domain::access`).

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter,
};

use super::audit::{self, AuditCtx, Event};
use super::entities::{people, units};
use super::{StoreError, StoreResult};
use crate::domain::access::{Caller, UnitRef};
use crate::domain::org::{SchoolLevel, UnitKind};
use crate::error::FieldError;

fn invalid(pointer: &str, code: &str, message: impl Into<String>) -> StoreError {
    StoreError::Invalid(vec![FieldError {
        pointer: pointer.to_owned(),
        code: code.to_owned(),
        message: message.into(),
    }])
}

fn not_allowed() -> StoreError {
    StoreError::Forbidden("Chỉ quản trị Sở GDĐT mới tạo, đổi tên, chuyển hay đóng đơn vị.".to_owned())
}

/// A unit to create by hand.
#[derive(Debug, Clone)]
pub struct UnitDraft {
    pub parent_id: i64,
    pub kind: UnitKind,
    pub code: String,
    pub name: String,
    pub level: Option<SchoolLevel>,
    pub commune_code: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub principal: Option<String>,
}

/// Creates a unit under a parent in the caller's reach.
pub async fn create(
    db: &DatabaseConnection,
    ctx: &AuditCtx,
    caller: &Caller,
    d: UnitDraft,
) -> StoreResult<units::Model> {
    let txn = crate::store::begin_write(db).await?;
    let parent = super::units::get_scoped(&txn, caller, d.parent_id).await?;
    if !caller.manages_units(&parent.path) {
        return Err(not_allowed());
    }
    if parent.kind == UnitKind::School.as_str() || d.kind == UnitKind::Department {
        return Err(invalid("/parentId", "bad_parent", "Đơn vị chỉ đặt dưới Sở GDĐT hoặc một Phòng GDĐT."));
    }
    let root = super::units::get(&txn, caller.unit_id).await?;
    let prefixes = crate::domain::unit_list::accepted_prefixes(root.province_code.as_deref().unwrap_or_default());
    if let Some(reason) = crate::domain::unit_list::code_refusal(&d.code, &prefixes) {
        return Err(invalid("/code", "invalid_code", reason));
    }
    if d.kind == UnitKind::School && d.level.is_none() {
        return Err(invalid("/level", "required", "Trường phải có cấp học."));
    }
    if super::units::by_code(&txn, &d.code).await?.is_some() {
        return Err(StoreError::Conflict {
            pointer: Some("/code".to_owned()),
            message: format!("Mã {} đã có.", d.code),
        });
    }
    let created = super::units::create(
        &txn,
        super::units::NewUnit {
            parent_id: Some(parent.id),
            kind: d.kind,
            code: d.code,
            name: d.name,
            level: d.level,
            province_code: root.province_code.clone(),
            district_code: None,
            commune_code: d.commune_code,
            address: d.address,
            phone: d.phone,
            email: d.email,
        },
    )
    .await?;
    let mut a = created.into_active_model();
    a.principal = Set(d.principal);
    let created = a.update(&txn).await?;
    audit::record(
        &txn,
        ctx,
        vec![Event {
            action: "create_unit",
            entity: "unit",
            entity_id: Some(created.id),
            field: None,
            old_value: None,
            new_value: Some(format!("{} {}", created.code, created.name)),
        }],
    )
    .await?;
    txn.commit().await?;
    Ok(created)
}

/// A change to a unit; contacts (`address`, `phone`, `email`, `principal`) and the rest.
#[derive(Debug, Clone, Default)]
pub struct UnitPatch {
    pub name: Option<String>,
    pub parent_id: Option<i64>,
    pub level: Option<SchoolLevel>,
    pub closed: Option<bool>,
    pub commune_code: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub principal: Option<String>,
}

/// Changes a unit in the caller's reach, audited field by field. Closing is refused while the
/// unit holds active records.
pub async fn update(
    db: &DatabaseConnection,
    ctx: &AuditCtx,
    caller: &Caller,
    id: i64,
    p: UnitPatch,
) -> StoreResult<units::Model> {
    let txn = crate::store::begin_write(db).await?;
    let unit = super::units::get_scoped(&txn, caller, id).await?;
    let structural = p.name.is_some() || p.parent_id.is_some() || p.level.is_some() || p.closed.is_some();
    let contacts = p.commune_code.is_some()
        || p.address.is_some()
        || p.phone.is_some()
        || p.email.is_some()
        || p.principal.is_some();
    if structural && (!caller.manages_units(&unit.path) || unit.id == caller.unit_id) {
        return Err(not_allowed());
    }
    if contacts && !caller.edits_unit_contacts(UnitRef { id: unit.id, path: &unit.path }) {
        return Err(StoreError::Forbidden("Tài khoản này không sửa được thông tin liên hệ của đơn vị này.".to_owned()));
    }
    let mut events = Vec::new();
    let mut a = unit.clone().into_active_model();
    let mut change = |field: &'static str, old: Option<String>, new: Option<String>| {
        if old != new {
            events.push(Event {
                action: "update_unit",
                entity: "unit",
                entity_id: Some(unit.id),
                field: Some(field),
                old_value: old,
                new_value: new,
            });
            true
        } else {
            false
        }
    };
    if let Some(v) = p.name.clone()
        && change("name", Some(unit.name.clone()), Some(v.clone()))
    {
        a.name = Set(v);
    }
    if let Some(v) = p.level
        && change("level", unit.level.clone(), Some(v.as_str().to_owned()))
    {
        a.level = Set(Some(v.as_str().to_owned()));
    }
    if let Some(v) = p.commune_code.clone()
        && change("communeCode", unit.commune_code.clone(), Some(v.clone()))
    {
        a.commune_code = Set(Some(v));
    }
    if let Some(v) = p.address.clone()
        && change("address", unit.address.clone(), Some(v.clone()))
    {
        a.address = Set(Some(v));
    }
    if let Some(v) = p.phone.clone()
        && change("phone", unit.phone.clone(), Some(v.clone()))
    {
        a.phone = Set(Some(v));
    }
    if let Some(v) = p.email.clone()
        && change("email", unit.email.clone(), Some(v.clone()))
    {
        a.email = Set(Some(v));
    }
    if let Some(v) = p.principal.clone()
        && change("principal", unit.principal.clone(), Some(v.clone()))
    {
        a.principal = Set(Some(v));
    }
    if let Some(closed) = p.closed
        && closed != unit.closed_at.is_some()
    {
        if closed {
            let active = people::Entity::find()
                .filter(people::Column::UnitId.eq(unit.id))
                .filter(people::Column::DeletedAt.is_null())
                .count(&txn)
                .await?;
            if active > 0 {
                return Err(StoreError::Conflict {
                    pointer: Some("/closed".to_owned()),
                    message: format!(
                        "Còn {active} hồ sơ đang hoạt động ở {}: hãy chuyển đi trước khi đóng.",
                        unit.name
                    ),
                });
            }
        }
        a.closed_at = Set(closed.then_some(ctx.at));
        change("closed", Some((!closed).to_string()), Some(closed.to_string()));
    }
    let mut updated = a.update(&txn).await?;
    if let Some(parent_id) = p.parent_id
        && Some(parent_id) != unit.parent_id
    {
        let parent = super::units::get_scoped(&txn, caller, parent_id).await?;
        if parent.kind == UnitKind::School.as_str() || parent.path.starts_with(&unit.path) {
            return Err(invalid(
                "/parentId",
                "bad_parent",
                "Không chuyển đơn vị về dưới một trường hay dưới chính nó.",
            ));
        }
        change("parent", unit.parent_id.map(|v| v.to_string()), Some(parent_id.to_string()));
        updated = super::unit_imports::move_unit(&txn, updated, &parent).await?;
    }
    audit::record(&txn, ctx, events).await?;
    txn.commit().await?;
    Ok(updated)
}
