//! Authentication: argon2id password hashes, HS256 access tokens carrying the role and unit,
//! the `Caller` extractor that every protected handler takes, the slow-down of repeated
//! login failures, and the client's address behind trusted proxies.

pub mod client;
pub mod password;
pub mod throttle;
pub mod token;

use std::future::{Ready, ready};

use actix_web::{FromRequest, HttpMessage, HttpRequest, dev::Payload, web};

use crate::domain::access::{Caller, Role};
use crate::error::{ApiError, ErrorCode};
pub use token::TokenKeys;

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Ready<Result<Caller, ApiError>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        ready(caller_from(req))
    }
}

fn caller_from(req: &HttpRequest) -> Result<Caller, ApiError> {
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
    let caller = keys.verify(token.trim())?;
    req.extensions_mut().insert(caller.clone());
    Ok(caller)
}

/// Refuses the call unless the caller has one of these roles.
pub fn require_role(caller: &Caller, roles: &[Role]) -> Result<(), ApiError> {
    if roles.contains(&caller.role) {
        Ok(())
    } else {
        Err(ApiError::forbidden("Vai trò của tài khoản không được thực hiện thao tác này."))
    }
}
