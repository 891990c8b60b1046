//! Account actions, each audited (who, whom, what) in the transaction that makes it: signing
//! out, changing one's own password.

use sea_orm::DatabaseConnection;

use super::StoreResult;
use super::audit::{self, AuditCtx, Event};
use super::users;
use crate::auth::SessionToken;

fn event(
    action: &'static str,
    user_id: i64,
    field: Option<&'static str>,
    old: Option<String>,
    new: Option<String>,
) -> Event<'static> {
    Event { action, entity: "user", entity_id: Some(user_id), field, old_value: old, new_value: new }
}

/// Ends the caller's token.
pub async fn sign_out(db: &DatabaseConnection, ctx: &AuditCtx, session: &SessionToken) -> StoreResult<()> {
    let user_id = ctx.actor_id.unwrap_or_default();
    let txn = crate::store::begin_write(db).await?;
    users::revoke_token(&txn, user_id, &session.id, session.expires_at, ctx.at).await?;
    audit::record(&txn, ctx, vec![event("sign_out", user_id, None, None, None)]).await?;
    txn.commit().await?;
    Ok(())
}

/// Stores the caller's new password (already hashed and checked against the policy) and lifts
/// the one-time password's restriction.
pub async fn change_own_password(
    db: &DatabaseConnection,
    ctx: &AuditCtx,
    user_id: i64,
    password_hash: String,
) -> StoreResult<()> {
    let txn = crate::store::begin_write(db).await?;
    users::set_password(&txn, user_id, password_hash, false).await?;
    audit::record(&txn, ctx, vec![event("change_password", user_id, Some("password"), None, None)]).await?;
    txn.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// accounts managed by the administrators of the roles table

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, QueryOrder,
};

use super::StoreError;
use super::entities::{units as unit_rows, users as user_rows};
use crate::domain::access::{Caller, Role, UnitRef};
use crate::domain::org::UnitKind;
use crate::error::FieldError;

/// An account with the unit it sits at.
#[derive(Debug, Clone)]
pub struct Account {
    pub user: user_rows::Model,
    pub role: Role,
    pub unit: unit_rows::Model,
}

fn unit_ref(unit: &unit_rows::Model) -> UnitRef<'_> {
    UnitRef { id: unit.id, path: &unit.path }
}

fn invalid(pointer: &str, code: &str, message: impl Into<String>) -> StoreError {
    StoreError::Invalid(vec![FieldError {
        pointer: pointer.to_owned(),
        code: code.to_owned(),
        message: message.into(),
    }])
}

fn not_an_admin() -> StoreError {
    StoreError::Forbidden("Chỉ tài khoản quản trị mới quản lý được tài khoản của đơn vị này.".to_owned())
}

/// The accounts the caller manages (under `unit_id`, default the caller's unit), by username;
/// one page and the total.
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    caller: &Caller,
    unit_id: Option<i64>,
    page: u64,
    page_size: u64,
) -> StoreResult<(Vec<Account>, u64)> {
    if !caller.role.is_admin() {
        return Err(not_an_admin());
    }
    let root = super::units::get_scoped(conn, caller, unit_id.unwrap_or(caller.unit_id)).await?;
    let scope: Vec<unit_rows::Model> = unit_rows::Entity::find()
        .filter(crate::store::units::path_starts_with(unit_rows::Column::Path, &root.path))
        .all(conn)
        .await?
        .into_iter()
        .filter(|u| caller.manages_accounts_at(unit_ref(u)))
        .collect();
    let ids: Vec<i64> = scope.iter().map(|u| u.id).collect();
    let mut found = Vec::new();
    let mut total = 0;
    for chunk in ids.chunks(500) {
        total += user_rows::Entity::find().filter(user_rows::Column::UnitId.is_in(chunk.to_vec())).count(conn).await?;
    }
    if !ids.is_empty() {
        // the accounts of a subtree fit in memory (a province has a few thousand)
        for chunk in ids.chunks(500) {
            found.extend(
                user_rows::Entity::find()
                    .filter(user_rows::Column::UnitId.is_in(chunk.to_vec()))
                    .order_by_asc(user_rows::Column::Username)
                    .all(conn)
                    .await?,
            );
        }
    }
    found.sort_by(|a, b| a.username.cmp(&b.username));
    let start = usize::try_from(page.saturating_sub(1).saturating_mul(page_size)).unwrap_or(usize::MAX);
    let by_id: std::collections::HashMap<i64, &unit_rows::Model> = scope.iter().map(|u| (u.id, u)).collect();
    let items = found
        .into_iter()
        .skip(start)
        .take(usize::try_from(page_size).unwrap_or(usize::MAX))
        .map(|user| {
            let role = users::role_of(&user)?;
            let unit = by_id.get(&user.unit_id).map(|u| (*u).clone()).ok_or(StoreError::NotFound)?;
            Ok(Account { user, role, unit })
        })
        .collect::<StoreResult<Vec<_>>>()?;
    Ok((items, total))
}

/// One account the caller manages (404 when outside its reach, like a missing one).
pub async fn get_managed<C: ConnectionTrait>(conn: &C, caller: &Caller, id: i64) -> StoreResult<Account> {
    let user = users::get(conn, id).await?.ok_or(StoreError::NotFound)?;
    let unit = users::unit_of(conn, &user).await?;
    if !caller.reads_path(&unit.path) {
        return Err(StoreError::NotFound);
    }
    if !caller.manages_accounts_at(unit_ref(&unit)) {
        return Err(not_an_admin());
    }
    let role = users::role_of(&user)?;
    if !caller.grants_role(role) {
        return Err(not_an_admin());
    }
    Ok(Account { user, role, unit })
}

/// Checks that the caller may give this role at this unit.
fn check_grant(caller: &Caller, role: Role, unit: &unit_rows::Model) -> StoreResult<()> {
    if !caller.manages_accounts_at(unit_ref(unit)) {
        return Err(not_an_admin());
    }
    if !caller.grants_role(role) {
        return Err(StoreError::Forbidden(format!("Tài khoản này không được cấp vai trò {}.", role.as_str())));
    }
    let kind = UnitKind::parse(&unit.kind).unwrap_or(UnitKind::School);
    if !role.fits(kind) {
        return Err(invalid(
            "/role",
            "role_unit_mismatch",
            format!("Vai trò {} không dùng được cho {} ({}).", role.as_str(), unit.name, kind.label()),
        ));
    }
    Ok(())
}

/// An account to create (its password already hashed: a one-time password).
#[derive(Debug, Clone)]
pub struct AccountRequest {
    pub username: String,
    pub role: Role,
    pub unit_id: i64,
    pub display_name: String,
}

/// Checks a new account's request: the unit in reach, the role grantable and fitting the unit,
/// the username well formed and free.
pub async fn check_new<C: ConnectionTrait>(
    conn: &C,
    caller: &Caller,
    req: &AccountRequest,
) -> StoreResult<unit_rows::Model> {
    let unit = super::units::get_scoped(conn, caller, req.unit_id).await?;
    check_grant(caller, req.role, &unit)?;
    if !crate::provision::valid_username(&req.username) {
        return Err(invalid(
            "/username",
            "invalid_username",
            "Tên đăng nhập gồm 3–64 ký tự: chữ thường không dấu, số, dấu chấm, gạch ngang, gạch dưới.",
        ));
    }
    if users::any_by_username(conn, &req.username).await?.is_some() {
        return Err(StoreError::Conflict {
            pointer: Some("/username".to_owned()),
            message: format!("Tên đăng nhập {} đã có người dùng.", req.username),
        });
    }
    Ok(unit)
}

/// Creates an account with a one-time password (already hashed), audited.
pub async fn create(
    db: &DatabaseConnection,
    ctx: &AuditCtx,
    caller: &Caller,
    req: AccountRequest,
    password_hash: String,
) -> StoreResult<Account> {
    let txn = crate::store::begin_write(db).await?;
    let unit = check_new(&txn, caller, &req).await?;
    let user = insert_audited(&txn, ctx, &req, password_hash).await?;
    txn.commit().await?;
    Ok(Account { role: req.role, user, unit })
}

async fn insert_audited<C: ConnectionTrait>(
    conn: &C,
    ctx: &AuditCtx,
    req: &AccountRequest,
    password_hash: String,
) -> StoreResult<user_rows::Model> {
    let user = users::create_with(
        conn,
        users::NewUser {
            username: req.username.clone(),
            password_hash,
            role: req.role,
            unit_id: req.unit_id,
            display_name: req.display_name.clone(),
        },
        true,
        ctx.at,
    )
    .await?;
    audit::record(
        conn,
        ctx,
        vec![event(
            "create_user",
            user.id,
            None,
            None,
            Some(format!("{} {} unit {}", user.username, req.role.as_str(), req.unit_id)),
        )],
    )
    .await?;
    Ok(user)
}

/// A change to an account: each field optional.
#[derive(Debug, Clone, Default)]
pub struct AccountPatch {
    pub disabled: Option<bool>,
    pub role: Option<Role>,
    pub display_name: Option<String>,
}

/// Changes an account in the caller's reach, audited field by field. An administrator cannot
/// disable or change the role of their own account (which would lock them out).
pub async fn update(
    db: &DatabaseConnection,
    ctx: &AuditCtx,
    caller: &Caller,
    id: i64,
    patch: AccountPatch,
) -> StoreResult<Account> {
    let txn = crate::store::begin_write(db).await?;
    let Account { user, role, unit } = get_managed(&txn, caller, id).await?;
    if user.id == caller.user_id && (patch.disabled == Some(true) || patch.role.is_some_and(|r| r != role)) {
        return Err(StoreError::Forbidden(
            "Không tự khóa hay đổi vai trò tài khoản của chính mình; hãy nhờ một quản trị viên khác.".to_owned(),
        ));
    }
    let mut events = Vec::new();
    let mut active = user.clone().into_active_model();
    let mut new_role = role;
    if let Some(r) = patch.role
        && r != role
    {
        check_grant(caller, r, &unit)?;
        active.role = Set(r.as_str().to_owned());
        events.push(event("update_user", user.id, Some("role"), Some(role.as_str().into()), Some(r.as_str().into())));
        new_role = r;
    }
    if let Some(d) = patch.disabled
        && d != user.disabled
    {
        active.disabled = Set(d);
        events.push(event(
            "update_user",
            user.id,
            Some("disabled"),
            Some(user.disabled.to_string()),
            Some(d.to_string()),
        ));
    }
    if let Some(name) = patch.display_name
        && name != user.display_name
    {
        events.push(event(
            "update_user",
            user.id,
            Some("displayName"),
            Some(user.display_name.clone()),
            Some(name.clone()),
        ));
        active.display_name = Set(name);
    }
    let user = if events.is_empty() { user } else { active.update(&txn).await? };
    audit::record(&txn, ctx, events).await?;
    txn.commit().await?;
    Ok(Account { user, role: new_role, unit })
}

/// Gives an account in the caller's reach a new one-time password (already hashed), audited;
/// its sessions can then only change the password.
pub async fn reset_password(
    db: &DatabaseConnection,
    ctx: &AuditCtx,
    caller: &Caller,
    id: i64,
    password_hash: String,
) -> StoreResult<Account> {
    let txn = crate::store::begin_write(db).await?;
    let Account { role, unit, .. } = get_managed(&txn, caller, id).await?;
    let user = users::set_password(&txn, id, password_hash, true).await?;
    audit::record(&txn, ctx, vec![event("reset_password", id, Some("password"), None, None)]).await?;
    txn.commit().await?;
    Ok(Account { user, role, unit })
}

/// The username of the bulk account of a school for a role: the school's code, lower case,
/// with `-ht` (hiệu trưởng) for its principal's account.
pub fn bulk_username(school_code: &str, role: Role) -> String {
    let base: String = school_code
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '-' })
        .collect();
    if role == Role::SchoolAdmin { format!("{base}-ht") } else { base }
}

/// One school of a bulk creation: the account to create, or the one that already exists.
#[derive(Debug, Clone)]
pub struct BulkRow {
    pub school: unit_rows::Model,
    pub username: String,
    pub exists: bool,
}

/// The schools under a unit and the account of this role each would get (`exists` when the
/// username is taken already: nothing is created for it).
pub async fn bulk_plan<C: ConnectionTrait>(
    conn: &C,
    caller: &Caller,
    unit_id: i64,
    role: Role,
) -> StoreResult<Vec<BulkRow>> {
    let root = super::units::get_scoped(conn, caller, unit_id).await?;
    if !matches!(role, Role::School | Role::SchoolAdmin) {
        return Err(invalid(
            "/role",
            "not_a_school_role",
            "Tạo hàng loạt chỉ dành cho tài khoản trường (school, school_admin).",
        ));
    }
    if !caller.grants_role(role) || !caller.manages_accounts_at(unit_ref(&root)) {
        return Err(not_an_admin());
    }
    if root.closed_at.is_some() {
        return Err(invalid("/unitId", "unit_closed", format!("{} đã đóng (giải thể, sáp nhập).", root.name)));
    }
    // a closed school gets no new account
    let schools = unit_rows::Entity::find()
        .filter(crate::store::units::path_starts_with(unit_rows::Column::Path, &root.path))
        .filter(unit_rows::Column::Kind.eq(UnitKind::School.as_str()))
        .filter(unit_rows::Column::ClosedAt.is_null())
        .order_by_asc(unit_rows::Column::Code)
        .all(conn)
        .await?;
    let mut rows = Vec::with_capacity(schools.len());
    for school in schools {
        if !caller.manages_accounts_at(unit_ref(&school)) {
            continue;
        }
        let username = bulk_username(&school.code, role);
        let exists = users::any_by_username(conn, &username).await?.is_some();
        rows.push(BulkRow { school, username, exists });
    }
    Ok(rows)
}

/// Creates the planned accounts whose usernames are free (each with its hashed one-time
/// password, in plan order), audited, in one transaction.
pub async fn bulk_create(
    db: &DatabaseConnection,
    ctx: &AuditCtx,
    role: Role,
    rows: &[(BulkRow, Option<String>)],
) -> StoreResult<usize> {
    let txn = crate::store::begin_write(db).await?;
    let mut created = 0;
    for (row, hash) in rows {
        let Some(hash) = hash else { continue };
        if users::any_by_username(&txn, &row.username).await?.is_some() {
            return Err(StoreError::Conflict {
                pointer: None,
                message: format!("Tên đăng nhập {} vừa được tạo; hãy chạy lại.", row.username),
            });
        }
        let req = AccountRequest {
            username: row.username.clone(),
            role,
            unit_id: row.school.id,
            display_name: format!("{} – {}", role.label(), row.school.name),
        };
        insert_audited(&txn, ctx, &req, hash.clone()).await?;
        created += 1;
    }
    txn.commit().await?;
    Ok(created)
}
