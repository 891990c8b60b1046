//! Sign-in, signing out, changing one's password, and the current account.

use std::time::{Duration, Instant};

use actix_web::{HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::context::RequestContext;
use super::units::UnitView;
use crate::auth::client::client_addr_of;
use crate::auth::{TokenKeys, password};
use crate::domain::access::{Caller, Role};
use crate::error::{ApiError, ApiResult, ErrorCode, from_validation};
use crate::state::AppState;
use crate::store::{units, users};

#[derive(Deserialize, ToSchema, Validate)]
#[serde(rename_all = "camelCase")]
pub struct LoginRequest {
    #[schema(min_length = 1, max_length = 64)]
    #[validate(length(min = 1, max = 64, message = "Hãy nhập tên đăng nhập."))]
    pub username: String,
    #[schema(min_length = 1, max_length = 256)]
    #[validate(length(min = 1, max = 256, message = "Hãy nhập mật khẩu."))]
    pub password: String,
}

/// The signed-in account.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserView {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub unit: UnitView,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LoginResponse {
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the token expires.
    pub expires_in: i64,
    pub user: UserView,
    /// True after a sign-in with a one-time password: the token is good only for
    /// `POST /api/v1/auth/password` (any other route answers 403 `password_change_required`).
    pub must_change_password: bool,
}

#[derive(Deserialize, ToSchema, Validate)]
#[serde(rename_all = "camelCase")]
pub struct ChangePasswordRequest {
    #[schema(min_length = 1, max_length = 256)]
    #[validate(length(min = 1, max = 256, message = "Hãy nhập mật khẩu hiện tại."))]
    pub current_password: String,
    /// At least 10 characters, not a common password, not the username.
    #[schema(min_length = 1, max_length = 256)]
    #[validate(length(min = 1, max = 256, message = "Hãy nhập mật khẩu mới."))]
    pub new_password: String,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MeResponse {
    pub user: UserView,
    /// The current school year, e.g. `2026-2027`.
    pub school_year: String,
    /// True when the account may add and edit the people of its own unit.
    pub can_edit_people: bool,
}

/// Signs in with a username and password.
///
/// Repeated failures are slowed down, for the username and for the client address: after a
/// few, the answer is 429 `too_many_attempts` with `Retry-After` until the wait is over (an
/// address with no recent failure still gets through to an account others are guessing at).
/// Password checks run a few at a time; an attempt that cannot get one within a short wait is
/// also answered 429 with `Retry-After`.
#[utoipa::path(tag = "auth", security(()), request_body = LoginRequest, responses(
    (status = 200, body = LoginResponse),
    (status = 401, description = "Wrong username or password", body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 429, description = "Too many failures, or too many sign-ins at once; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[post("/auth/login")]
pub async fn login(
    state: web::Data<AppState>,
    keys: web::Data<TokenKeys>,
    req: actix_web::HttpRequest,
    body: crate::body::Json<LoginRequest>,
) -> ApiResult<HttpResponse> {
    body.validate().map_err(|e| from_validation(&e))?;
    let username = body.username.trim().to_lowercase();
    let address = client_addr_of(&req, &state.trusted_proxies);
    let attempt = state.throttle.begin(&username, address, Instant::now()).map_err(|wait| {
        let secs = wait.as_secs().max(1);
        ApiError::with_detail(
            ErrorCode::TooManyAttempts,
            format!("Đã đăng nhập sai nhiều lần; hãy thử lại sau {secs} giây."),
        )
        .with_retry_after(secs)
    })?;
    // argon2 takes 19 MiB per check: a few at a time, the rest wait briefly, then 429
    let wait = Duration::from_millis(state.settings.login_hash_wait_ms);
    let permit = match tokio::time::timeout(wait, state.hash_slots.clone().acquire_owned()).await {
        Ok(Ok(permit)) => permit,
        _ => {
            return Err(ApiError::with_detail(
                ErrorCode::TooManyAttempts,
                "Máy chủ đang bận kiểm tra đăng nhập; hãy thử lại sau giây lát.",
            )
            .with_retry_after(1));
        }
    };
    let user = users::by_username(&state.store.db, &username).await?;
    let password_owned = body.password.clone();
    let stored = user.as_ref().map(|u| u.password_hash.clone());
    // argon2 is deliberately slow: keep it off the async workers (the permit goes with it, so
    // an abandoned request still holds its slot until the check ends)
    let ok = web::block(move || {
        let ok = password::verify(&password_owned, stored.as_deref().unwrap_or(password::decoy_hash()));
        drop(permit);
        ok
    })
    .await
    .map_err(ApiError::internal)?;
    let user = match (user, ok) {
        (Some(user), true) => user,
        _ => {
            attempt.settle(false, Instant::now());
            // what was typed may be a password: only its keyed hash is logged
            tracing::info!(user = %keys.pseudonym(&username), client = %address, "failed login");
            return Err(ApiError::with_detail(
                ErrorCode::InvalidCredentials,
                "Tên đăng nhập hoặc mật khẩu không đúng; hãy kiểm tra lại (mật khẩu phân biệt chữ hoa, chữ thường).",
            ));
        }
    };
    attempt.settle(true, Instant::now());
    let unit = units::get(&state.store.db, user.unit_id).await?;
    let role = Role::parse(&user.role).ok_or_else(|| ApiError::internal(format!("unknown role {}", user.role)))?;
    let caller = Caller {
        user_id: user.id,
        username: user.username.clone(),
        role,
        unit_id: unit.id,
        unit_path: unit.path.clone(),
    };
    let token = keys.issue(&caller)?;
    // a token issued now must not meet a check of this account cached before the sign-in
    state.sessions.forget_user(user.id);
    Ok(HttpResponse::Ok().json(LoginResponse {
        must_change_password: user.must_change_password,
        access_token: token,
        token_type: "Bearer".to_owned(),
        expires_in: keys.ttl_seconds,
        user: UserView {
            id: user.id,
            username: user.username,
            display_name: user.display_name,
            role,
            unit: UnitView::from(unit),
        },
    }))
}

/// The signed-in account, its unit and the current school year.
#[utoipa::path(tag = "auth", responses(
    (status = 200, body = MeResponse),
    (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[get("/me")]
pub async fn me(state: web::Data<AppState>, caller: Caller) -> ApiResult<web::Json<MeResponse>> {
    let user = users::get(&state.store.db, caller.user_id)
        .await?
        .filter(|u| !u.disabled)
        .ok_or_else(|| ApiError::with_detail(ErrorCode::Unauthenticated, "Tài khoản không còn hoạt động."))?;
    let unit = units::get(&state.store.db, caller.unit_id).await?;
    Ok(web::Json(MeResponse {
        can_edit_people: true,
        school_year: state.school_year(),
        user: UserView {
            id: user.id,
            username: user.username,
            display_name: user.display_name,
            role: caller.role,
            unit: UnitView::from(unit),
        },
    }))
}

/// Signs out: this token stops working at once on this instance, and within
/// `session_check_seconds` (at most 30 s) on any other.
#[utoipa::path(tag = "auth", responses(
    (status = 204, description = "Signed out"),
    (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[post("/auth/logout")]
pub async fn logout(
    state: web::Data<AppState>,
    rc: RequestContext,
    session: crate::auth::SessionToken,
) -> ApiResult<HttpResponse> {
    crate::store::accounts::sign_out(&state.store.db, &rc.audit(), &session).await?;
    state.sessions.forget_token(&session.id);
    Ok(HttpResponse::NoContent().finish())
}

/// Changes the caller's own password (and ends the one-time password's restriction).
///
/// The new password must have at least 10 characters, not be a common password and not be the
/// username (422 `validation_failed` on `/newPassword` otherwise); a wrong current password is
/// 422 on `/currentPassword`.
#[utoipa::path(tag = "auth", request_body = ChangePasswordRequest, responses(
    (status = 204, description = "Changed"),
    (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 429, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[post("/auth/password")]
pub async fn change_password(
    state: web::Data<AppState>,
    rc: RequestContext,
    body: crate::body::Json<ChangePasswordRequest>,
) -> ApiResult<HttpResponse> {
    body.validate().map_err(|e| from_validation(&e))?;
    let body = body.into_inner();
    if let Some(reason) = crate::auth::policy::refusal(&rc.caller.username, &body.new_password) {
        return Err(ApiError::field("/newPassword", "password_policy", reason));
    }
    let user = users::get(&state.store.db, rc.caller.user_id).await?.ok_or_else(ApiError::not_found)?;
    let wait = Duration::from_millis(state.settings.login_hash_wait_ms);
    let permit = tokio::time::timeout(wait, state.hash_slots.clone().acquire_owned())
        .await
        .ok()
        .and_then(Result::ok)
        .ok_or_else(|| {
        ApiError::with_detail(ErrorCode::TooManyAttempts, "Máy chủ đang bận; hãy thử lại sau giây lát.")
            .with_retry_after(1)
    })?;
    let stored = user.password_hash.clone();
    let (current, new) = (body.current_password, body.new_password);
    let hashed = web::block(move || {
        let result = if password::verify(&current, &stored) { password::hash(&new).map(Some) } else { Ok(None) };
        drop(permit);
        result
    })
    .await
    .map_err(ApiError::internal)?
    .map_err(ApiError::internal)?;
    let Some(hashed) = hashed else {
        return Err(ApiError::field("/currentPassword", "wrong_password", "Mật khẩu hiện tại không đúng."));
    };
    crate::store::accounts::change_own_password(&state.store.db, &rc.audit(), user.id, hashed).await?;
    state.sessions.forget_user(user.id);
    Ok(HttpResponse::NoContent().finish())
}
