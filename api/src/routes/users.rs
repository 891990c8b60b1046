//! Accounts (issue 10): administrators list, create, change and reset the accounts of the units
//! they manage (see the roles table in `domain::access`); new accounts and resets get a
//! one-time password, shown once in the answer, stored only as a hash, to be changed at the
//! first sign-in. `POST /users/bulk` creates one account per school under a unit and answers
//! the only copy of their one-time passwords as a workbook.

use actix_web::http::header;
use actix_web::{HttpResponse, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::context::RequestContext;
use super::stats::XlsxFile;
use crate::domain::access::Role;
use crate::error::{ApiError, ApiResult, Problem, from_validation};
use crate::state::AppState;
use crate::store::accounts::{self, Account, AccountPatch, AccountRequest};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const MAX_PAGE_SIZE: u64 = 500;

/// An account as its administrators see it.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AccountView {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub unit_id: i64,
    pub unit_name: String,
    pub disabled: bool,
    /// Still holding a one-time password (to be changed at the next sign-in).
    pub must_change_password: bool,
    pub created_at: DateTime<Utc>,
}

impl From<Account> for AccountView {
    fn from(a: Account) -> AccountView {
        AccountView {
            id: a.user.id,
            username: a.user.username,
            display_name: a.user.display_name,
            role: a.role,
            unit_id: a.unit.id,
            unit_name: a.unit.name,
            disabled: a.user.disabled,
            must_change_password: a.user.must_change_password,
            created_at: a.user.created_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AccountPage {
    pub items: Vec<AccountView>,
    pub page: u64,
    pub page_size: u64,
    pub total: u64,
}

#[derive(Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct AccountsQuery {
    /// Accounts at this unit and below (default: the caller's unit).
    pub unit_id: Option<i64>,
    /// 1-based page number (default 1).
    #[param(minimum = 1, maximum = 1_000_000)]
    pub page: Option<u64>,
    /// Items per page (default 100, at most 500).
    #[param(minimum = 1, maximum = 500)]
    pub page_size: Option<u64>,
}

/// A new account and its one-time password (shown this once).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AccountWithPassword {
    pub user: AccountView,
    pub one_time_password: String,
}

#[derive(Deserialize, ToSchema, Validate)]
#[serde(rename_all = "camelCase")]
pub struct NewAccountBody {
    /// 3–64 characters: lower-case letters without diacritics, digits, `.`, `-`, `_`.
    #[schema(min_length = 3, max_length = 64)]
    #[validate(length(min = 3, max = 64, message = "Tên đăng nhập gồm 3–64 ký tự."))]
    pub username: String,
    pub role: Role,
    pub unit_id: i64,
    #[schema(min_length = 1, max_length = 200)]
    #[validate(length(min = 1, max = 200, message = "Hãy nhập tên hiển thị (tối đa 200 ký tự)."))]
    pub display_name: String,
}

#[derive(Deserialize, ToSchema, Validate)]
#[serde(rename_all = "camelCase")]
pub struct AccountPatchBody {
    pub disabled: Option<bool>,
    pub role: Option<Role>,
    #[schema(min_length = 1, max_length = 200)]
    #[validate(length(min = 1, max = 200, message = "Tên hiển thị có 1–200 ký tự."))]
    pub display_name: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BulkAccountsBody {
    /// The unit whose schools get an account each (a district office, or the Department).
    pub unit_id: i64,
    /// `school` or `school_admin`.
    pub role: Role,
}

/// One-time passwords and their hashes (argon2, off the async workers).
async fn one_time_passwords(count: usize) -> ApiResult<Vec<(String, String)>> {
    crate::provision::one_time_passwords(count).await.map_err(ApiError::internal)
}

/// The accounts the caller manages.
#[utoipa::path(tag = "accounts", params(AccountsQuery), responses(
    (status = 200, body = AccountPage),
    (status = 400, body = Problem, content_type = "application/problem+json"),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[get("/users")]
pub async fn list_users(
    state: web::Data<AppState>,
    rc: RequestContext,
    query: web::Query<AccountsQuery>,
) -> ApiResult<web::Json<AccountPage>> {
    let page_size = super::bounds::count("pageSize", query.page_size, 100, MAX_PAGE_SIZE)?;
    let page = super::bounds::page(query.page)?;
    let (items, total) = accounts::list(&state.store.db, &rc.caller, query.unit_id, page, page_size).await?;
    Ok(web::Json(AccountPage { items: items.into_iter().map(AccountView::from).collect(), page, page_size, total }))
}

/// Creates an account with a one-time password, answered once.
///
/// The role must be one the caller may grant (never above its own tier) and fit the unit
/// (school roles at schools, district roles at offices, department roles at the Department).
#[utoipa::path(tag = "accounts", request_body = NewAccountBody, responses(
    (status = 201, body = AccountWithPassword),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "The username is taken", body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[post("/users")]
pub async fn create_user(
    state: web::Data<AppState>,
    rc: RequestContext,
    body: crate::body::Json<NewAccountBody>,
) -> ApiResult<HttpResponse> {
    body.validate().map_err(|e| from_validation(&e))?;
    let body = body.into_inner();
    let req = AccountRequest {
        username: body.username.trim().to_lowercase(),
        role: body.role,
        unit_id: body.unit_id,
        display_name: body.display_name.trim().to_owned(),
    };
    // refuse before spending a hash on it
    accounts::check_new(&state.store.db, &rc.caller, &req).await?;
    let (otp, hash) = one_time_passwords(1).await?.pop().ok_or_else(|| ApiError::internal("no password"))?;
    let account = accounts::create(&state.store.db, &rc.audit(), &rc.caller, req, hash).await?;
    Ok(HttpResponse::Created().json(AccountWithPassword { user: account.into(), one_time_password: otp }))
}

/// Changes an account: `disabled`, `role`, `displayName`.
///
/// Takes effect at once on this instance (a disabled account's tokens stop working, a changed
/// role must sign in again) and within `session_check_seconds` on any other.
#[utoipa::path(tag = "accounts", request_body = AccountPatchBody, params(("id" = i64, Path)), responses(
    (status = 200, body = AccountView),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[patch("/users/{id}")]
pub async fn update_user(
    state: web::Data<AppState>,
    rc: RequestContext,
    id: web::Path<i64>,
    body: crate::body::Json<AccountPatchBody>,
) -> ApiResult<web::Json<AccountView>> {
    body.validate().map_err(|e| from_validation(&e))?;
    let body = body.into_inner();
    let patch = AccountPatch {
        disabled: body.disabled,
        role: body.role,
        display_name: body.display_name.map(|n| n.trim().to_owned()),
    };
    let account = accounts::update(&state.store.db, &rc.audit(), &rc.caller, id.into_inner(), patch).await?;
    state.sessions.forget_user(account.user.id);
    Ok(web::Json(account.into()))
}

/// Gives an account a new one-time password, answered once; its sessions can then only change
/// the password.
#[utoipa::path(tag = "accounts", params(("id" = i64, Path)), responses(
    (status = 200, body = AccountWithPassword),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
#[post("/users/{id}/reset-password")]
pub async fn reset_password(
    state: web::Data<AppState>,
    rc: RequestContext,
    id: web::Path<i64>,
) -> ApiResult<web::Json<AccountWithPassword>> {
    let id = id.into_inner();
    accounts::get_managed(&state.store.db, &rc.caller, id).await?;
    let (otp, hash) = one_time_passwords(1).await?.pop().ok_or_else(|| ApiError::internal("no password"))?;
    let account = accounts::reset_password(&state.store.db, &rc.audit(), &rc.caller, id, hash).await?;
    state.sessions.forget_user(id);
    Ok(web::Json(AccountWithPassword { user: account.into(), one_time_password: otp }))
}

/// Creates one account per school under a unit; answers a workbook of the usernames and their
/// one-time passwords — the only copy: they are stored as hashes and never shown again.
/// Schools whose account already exists are listed without a password.
#[utoipa::path(tag = "accounts", request_body = BulkAccountsBody, responses(
    (status = 200, description = "The workbook of usernames and one-time passwords", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = XlsxFile),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
    (status = 409, body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[post("/users/bulk")]
pub async fn bulk_create_users(
    state: web::Data<AppState>,
    rc: RequestContext,
    body: crate::body::Json<BulkAccountsBody>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let sheet =
        crate::provision::bulk_accounts(&state.store.db, &rc.audit(), &rc.caller, body.unit_id, body.role).await?;
    let role = body.role;
    let bytes = web::block(move || crate::excel::accounts::write(role, &sheet))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, XLSX))
        .insert_header((header::CONTENT_DISPOSITION, "attachment; filename=\"tai-khoan-mat-khau-mot-lan.xlsx\""))
        .body(bytes))
}
