//! Authentication: argon2id password hashes, HS256 access tokens carrying the role and unit,
//! the `Caller` extractor that every protected handler takes (which checks, per request, that
//! the account still stands as the token says: see [`session`]), the slow-down of repeated
//! login failures, and the client's address behind trusted proxies.

pub mod client;
pub mod password;
pub mod policy;
pub mod session;
pub mod throttle;
pub mod token;

use std::time::Instant;

use actix_web::{FromRequest, HttpMessage, HttpRequest, dev::Payload, web};

use crate::domain::access::{Caller, Role};

/// The future an extractor that reads the database returns.
type LocalBoxFuture<T> = std::pin::Pin<Box<dyn std::future::Future<Output = T>>>;
use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;
pub use token::{SessionToken, TokenKeys};

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = LocalBoxFuture<Result<Caller, ApiError>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { caller_from(&req).await })
    }
}

async fn caller_from(req: &HttpRequest) -> Result<Caller, ApiError> {
    if let Some(caller) = req.extensions().get::<Caller>() {
        return Ok(caller.clone());
    }
    let keys =
        req.app_data::<web::Data<TokenKeys>>().ok_or_else(|| ApiError::internal("token keys are not configured"))?;
    let header = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| ApiError::with_detail(ErrorCode::Unauthenticated, "Hãy đăng nhập để tiếp tục."))?;
    let token = header
        .strip_prefix("Bearer ")
        .or_else(|| header.strip_prefix("bearer "))
        .ok_or_else(|| ApiError::with_detail(ErrorCode::Unauthenticated, "Thiếu mã truy cập dạng Bearer."))?;
    let (caller, session) = keys.verify_session(token.trim())?;
    let state = req.app_data::<web::Data<AppState>>().ok_or_else(|| ApiError::internal("no application state"))?;
    let verdict = match state.sessions.cached(&session.id, Instant::now()) {
        Some(verdict) => verdict,
        None => {
            let (account, revoked) =
                crate::store::users::session_state(&state.store.db, caller.user_id, &session.id).await?;
            let verdict = session::judge(&caller, account.as_ref(), revoked);
            state.sessions.remember(&session.id, caller.user_id, verdict.clone(), Instant::now());
            verdict
        }
    };
    session::admit(&verdict, req.path())?;
    req.extensions_mut().insert(caller.clone());
    req.extensions_mut().insert(session);
    Ok(caller)
}

impl FromRequest for SessionToken {
    type Error = ApiError;
    type Future = LocalBoxFuture<Result<SessionToken, ApiError>>;

    /// The token of an authenticated request (the caller is checked first).
    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            caller_from(&req).await?;
            req.extensions().get::<SessionToken>().cloned().ok_or_else(|| ApiError::internal("no session token"))
        })
    }
}

/// Refuses the call unless the caller has one of these roles.
pub fn require_role(caller: &Caller, roles: &[Role]) -> Result<(), ApiError> {
    if roles.contains(&caller.role) {
        Ok(())
    } else {
        Err(ApiError::forbidden("Vai trò của tài khoản không được thực hiện thao tác này."))
    }
}
