//! One error type for the whole API, sent as RFC 9457 `application/problem+json` with a stable
//! `code`. The table of codes (code, HTTP status, Vietnamese title) lives here and nowhere else;
//! causes are logged, never sent.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

macro_rules! error_codes {
    ($($variant:ident = $code:literal, $status:ident, $title:literal;)*) => {
        /// Stable error codes of the API.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum ErrorCode { $($variant,)* }

        impl ErrorCode {
            /// Every code, for documentation and the SPA's message table.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];
            pub fn as_str(self) -> &'static str {
                match self { $(ErrorCode::$variant => $code,)* }
            }
            pub fn status(self) -> StatusCode {
                match self { $(ErrorCode::$variant => StatusCode::$status,)* }
            }
            /// Short Vietnamese title shown to users.
            pub fn title(self) -> &'static str {
                match self { $(ErrorCode::$variant => $title,)* }
            }
        }
    };
}

error_codes! {
    BadRequest = "bad_request", BAD_REQUEST, "Yêu cầu không hợp lệ";
    InvalidJson = "invalid_json", BAD_REQUEST, "Dữ liệu gửi lên không đúng định dạng JSON";
    InvalidQuery = "invalid_query", BAD_REQUEST, "Tham số truy vấn không hợp lệ";
    Unauthenticated = "unauthenticated", UNAUTHORIZED, "Cần đăng nhập";
    InvalidCredentials = "invalid_credentials", UNAUTHORIZED, "Sai tên đăng nhập hoặc mật khẩu";
    TokenExpired = "token_expired", UNAUTHORIZED, "Phiên đăng nhập đã hết hạn";
    Forbidden = "forbidden", FORBIDDEN, "Tài khoản không có quyền thực hiện thao tác này";
    PasswordChangeRequired = "password_change_required", FORBIDDEN, "Cần đổi mật khẩu trước";
    NotFound = "not_found", NOT_FOUND, "Không tìm thấy";
    MethodNotAllowed = "method_not_allowed", METHOD_NOT_ALLOWED, "Phương thức không được hỗ trợ";
    Conflict = "conflict", CONFLICT, "Xung đột với dữ liệu hiện có";
    VersionConflict = "version_conflict", CONFLICT, "Hồ sơ vừa được người khác sửa";
    PayloadTooLarge = "payload_too_large", PAYLOAD_TOO_LARGE, "Dữ liệu gửi lên quá lớn";
    UnsupportedMediaType = "unsupported_media_type", UNSUPPORTED_MEDIA_TYPE, "Định dạng dữ liệu không được hỗ trợ";
    ValidationFailed = "validation_failed", UNPROCESSABLE_ENTITY, "Dữ liệu chưa hợp lệ";
    WouldWorsen = "would_worsen", UNPROCESSABLE_ENTITY, "Thay đổi làm hồ sơ có thêm lỗi";
    ConfirmVerifiedChanges = "confirm_verified_changes", UNPROCESSABLE_ENTITY, "Cần xác nhận sửa hồ sơ đã xác thực";
    NothingToSend = "nothing_to_send", UNPROCESSABLE_ENTITY, "Không có hồ sơ nào cần gửi xác thực";
    TooManyAttempts = "too_many_attempts", TOO_MANY_REQUESTS, "Đăng nhập sai quá nhiều lần";
    Internal = "internal", INTERNAL_SERVER_ERROR, "Lỗi hệ thống";
    Unavailable = "unavailable", SERVICE_UNAVAILABLE, "Dịch vụ tạm thời không sẵn sàng";
}

/// One problem with one input field, located by a JSON pointer (`/fullName`,
/// `/records/3/personalId`) or, for query parameters, the parameter name.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct FieldError {
    pub pointer: String,
    pub code: String,
    /// Vietnamese.
    pub message: String,
}

/// The problem+json body (RFC 9457) every error answer carries.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Problem {
    /// `urn:dinhdanh:problem:<code>`.
    #[serde(rename = "type")]
    pub type_: String,
    /// Short Vietnamese title of the code.
    pub title: String,
    pub status: u16,
    /// Vietnamese explanation of this occurrence and what to do next.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Stable machine-readable code (see the API description).
    pub code: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// `nothing_to_send`: the records of the scope by why they are not sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub counts: Option<crate::store::verification::SendCounts>,
}

/// An API error: a code, an optional detail for the user, field errors, and an internal cause
/// that is logged but never sent.
#[derive(Debug)]
pub struct ApiError {
    pub code: ErrorCode,
    pub detail: Option<String>,
    pub errors: Vec<FieldError>,
    pub retry_after_secs: Option<u64>,
    pub counts: Option<Box<crate::store::verification::SendCounts>>,
    cause: Option<String>,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(code: ErrorCode) -> ApiError {
        ApiError { code, detail: None, errors: Vec::new(), retry_after_secs: None, counts: None, cause: None }
    }
    pub fn with_detail(code: ErrorCode, detail: impl Into<String>) -> ApiError {
        ApiError { detail: Some(detail.into()), ..ApiError::new(code) }
    }
    pub fn not_found() -> ApiError {
        ApiError::new(ErrorCode::NotFound)
    }
    pub fn forbidden(detail: impl Into<String>) -> ApiError {
        ApiError::with_detail(ErrorCode::Forbidden, detail)
    }
    pub fn bad_request(detail: impl Into<String>) -> ApiError {
        ApiError::with_detail(ErrorCode::BadRequest, detail)
    }
    /// 422 with one error per field.
    pub fn validation(errors: Vec<FieldError>) -> ApiError {
        ApiError {
            detail: Some("Hãy sửa các trường được đánh dấu rồi gửi lại.".to_owned()),
            errors,
            ..ApiError::new(ErrorCode::ValidationFailed)
        }
    }
    /// 422 for a single field.
    pub fn field(pointer: &str, code: &str, message: impl Into<String>) -> ApiError {
        ApiError::validation(vec![FieldError {
            pointer: pointer.to_owned(),
            code: code.to_owned(),
            message: message.into(),
        }])
    }
    /// 422 `would_worsen`: one error per finding the write would bring (pointer: its field).
    pub fn would_worsen(findings: &[crate::rules::Finding]) -> ApiError {
        ApiError {
            detail: Some(
                "Thay đổi này làm hồ sơ có thêm lỗi chặn gửi xác thực nên chưa được lưu. \
                 Hãy sửa lại, hoặc xác nhận vẫn lưu (allowWorse)."
                    .to_owned(),
            ),
            errors: findings
                .iter()
                .map(|f| FieldError {
                    pointer: format!("/{}", f.field.as_str()),
                    code: f.code.as_str().to_owned(),
                    message: f.message.clone(),
                })
                .collect(),
            ..ApiError::new(ErrorCode::WouldWorsen)
        }
    }
    /// 500 whose cause is logged, not sent.
    pub fn internal(cause: impl std::fmt::Display) -> ApiError {
        ApiError { cause: Some(cause.to_string()), ..ApiError::new(ErrorCode::Internal) }
    }
    pub fn with_retry_after(mut self, secs: u64) -> ApiError {
        self.retry_after_secs = Some(secs);
        self
    }

    pub fn problem(&self) -> Problem {
        Problem {
            type_: format!("urn:dinhdanh:problem:{}", self.code.as_str()),
            title: self.code.title().to_owned(),
            status: self.code.status().as_u16(),
            detail: self.detail.clone(),
            code: self.code.as_str().to_owned(),
            errors: self.errors.clone(),
            counts: self.counts.as_deref().cloned(),
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.code.as_str())?;
        if let Some(detail) = &self.detail {
            write!(f, ": {detail}")?;
        }
        Ok(())
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.code.status()
    }

    fn error_response(&self) -> HttpResponse {
        if let Some(cause) = &self.cause {
            tracing::error!(code = self.code.as_str(), %cause, "request failed");
        }
        let mut builder = HttpResponse::build(self.status_code());
        builder.insert_header((header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json")));
        if let Some(secs) = self.retry_after_secs {
            builder.insert_header((header::RETRY_AFTER, secs.to_string()));
        }
        if self.code == ErrorCode::Unauthenticated || self.code == ErrorCode::TokenExpired {
            builder.insert_header((header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer")));
        }
        builder.json(self.problem())
    }
}

impl From<sea_orm::DbErr> for ApiError {
    fn from(err: sea_orm::DbErr) -> ApiError {
        ApiError::internal(err)
    }
}

impl From<crate::store::StoreError> for ApiError {
    fn from(err: crate::store::StoreError) -> ApiError {
        use crate::store::StoreError;
        match err {
            StoreError::NotFound => ApiError::not_found(),
            StoreError::Conflict { pointer, message } => {
                let mut e = ApiError::with_detail(ErrorCode::Conflict, message.clone());
                if let Some(pointer) = pointer {
                    e.errors.push(FieldError { pointer, code: "conflict".to_owned(), message });
                }
                e
            }
            StoreError::VersionConflict { current } => ApiError::with_detail(
                ErrorCode::VersionConflict,
                format!("Hồ sơ đã được sửa (phiên bản hiện tại {current}); hãy tải lại rồi sửa tiếp."),
            ),
            StoreError::Invalid(errors) => ApiError::validation(errors),
            StoreError::Missing(error) => ApiError {
                detail: Some(error.message.clone()),
                errors: vec![error],
                ..ApiError::new(ErrorCode::NotFound)
            },
            StoreError::State(error) => ApiError {
                detail: Some(error.message.clone()),
                errors: vec![error],
                ..ApiError::new(ErrorCode::Conflict)
            },
            StoreError::WouldWorsen(findings) => ApiError::would_worsen(&findings),
            StoreError::VerifiedUnconfirmed { fields } => ApiError {
                detail: Some(
                    "Hồ sơ đã được CSDL quốc gia xác thực; sửa thông tin sẽ phải gửi xác thực lại. \
                     Hãy xác nhận (confirmVerifiedChanges) nếu vẫn muốn sửa."
                        .to_owned(),
                ),
                errors: fields
                    .into_iter()
                    .map(|f| FieldError {
                        pointer: format!("/{f}"),
                        code: "verified".to_owned(),
                        message: "Giá trị này đã được CSDL quốc gia xác thực.".to_owned(),
                    })
                    .collect(),
                ..ApiError::new(ErrorCode::ConfirmVerifiedChanges)
            },
            StoreError::DryRun(_) => ApiError::internal("a dry run's answer reached the error mapping"),
            StoreError::NothingToSend(counts) => ApiError {
                detail: Some(counts.explain()),
                counts: Some(counts),
                ..ApiError::new(ErrorCode::NothingToSend)
            },
            StoreError::Forbidden(detail) => ApiError::forbidden(detail),
            StoreError::Corrupt(what) => ApiError::internal(what),
            StoreError::Db(db) if crate::store::is_busy(&db) => {
                tracing::warn!(error = %db, "the database is busy: answered 503");
                ApiError::with_detail(
                    ErrorCode::Unavailable,
                    "Cơ sở dữ liệu đang bận ghi dữ liệu khác (ví dụ một lượt nhập lớn). \
                     Hãy gửi lại sau ít giây; dữ liệu chưa bị thay đổi.",
                )
                .with_retry_after(5)
            }
            StoreError::Db(db) => ApiError::internal(db),
        }
    }
}

/// JSON bodies that fail to parse become 400/413/415 problems naming what is wrong.
pub fn json_error_handler(err: actix_web::error::JsonPayloadError, _req: &actix_web::HttpRequest) -> actix_web::Error {
    use actix_web::error::JsonPayloadError as E;
    let api = match &err {
        E::OverflowKnownLength { .. } | E::Overflow { .. } => ApiError::with_detail(
            ErrorCode::PayloadTooLarge,
            "Nội dung gửi lên vượt quá giới hạn cho phép; hãy chia nhỏ rồi gửi lại.",
        ),
        E::ContentType => ApiError::with_detail(
            ErrorCode::UnsupportedMediaType,
            "Hãy gửi dữ liệu với Content-Type: application/json.",
        ),
        E::Deserialize(e) => {
            let mut api = ApiError::with_detail(ErrorCode::InvalidJson, format!("JSON không hợp lệ: {e}"));
            if e.is_data() {
                api.code = ErrorCode::ValidationFailed;
                api.detail = Some(format!("Dữ liệu không đúng kiểu: {e}"));
            }
            api
        }
        other => ApiError::with_detail(ErrorCode::InvalidJson, format!("Không đọc được nội dung: {other}")),
    };
    actix_web::error::InternalError::from_response(err, api.error_response()).into()
}

/// Query strings that fail to parse become 400 problems.
pub fn query_error_handler(
    err: actix_web::error::QueryPayloadError,
    _req: &actix_web::HttpRequest,
) -> actix_web::Error {
    let api = ApiError::with_detail(ErrorCode::InvalidQuery, format!("Tham số truy vấn không hợp lệ: {err}"));
    actix_web::error::InternalError::from_response(err, api.error_response()).into()
}

/// Path segments that fail to parse (e.g. a non-numeric id) answer 404, like a missing record,
/// unless the path names a documented route that does not take this method (405).
pub fn path_error_handler(err: actix_web::error::PathError, req: &actix_web::HttpRequest) -> actix_web::Error {
    let res = crate::http::method_not_allowed(req).unwrap_or_else(|| ApiError::not_found().error_response());
    actix_web::error::InternalError::from_response(err, res).into()
}

/// Converts `validator` errors into field errors with JSON pointers.
pub fn from_validation(errors: &validator::ValidationErrors) -> ApiError {
    let mut out = Vec::new();
    collect_validation(errors, String::new(), &mut out);
    out.sort_by(|a, b| a.pointer.cmp(&b.pointer));
    ApiError::validation(out)
}

fn collect_validation(errors: &validator::ValidationErrors, prefix: String, out: &mut Vec<FieldError>) {
    use validator::ValidationErrorsKind as K;
    for (field, kind) in errors.errors() {
        let pointer = format!("{prefix}/{}", camel_case(field));
        match kind {
            K::Field(list) => {
                for e in list {
                    let message = e.message.as_ref().map(|m| m.to_string()).unwrap_or_else(|| match e.code.as_ref() {
                        "length" => "Độ dài không hợp lệ.".to_owned(),
                        "range" => "Giá trị nằm ngoài khoảng cho phép.".to_owned(),
                        _ => "Giá trị không hợp lệ.".to_owned(),
                    });
                    out.push(FieldError { pointer: pointer.clone(), code: e.code.to_string(), message });
                }
            }
            K::Struct(inner) => collect_validation(inner, pointer, out),
            K::List(items) => {
                for (index, inner) in items {
                    collect_validation(inner, format!("{pointer}/{index}"), out);
                }
            }
        }
    }
}

fn camel_case(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_snake_case_with_a_title() {
        let mut seen = std::collections::HashSet::new();
        for code in ErrorCode::ALL {
            assert!(seen.insert(code.as_str()), "duplicate {}", code.as_str());
            assert!(code.as_str().chars().all(|c| c.is_ascii_lowercase() || c == '_'));
            assert!(!code.title().is_empty());
            assert!(code.status().is_client_error() || code.status().is_server_error());
        }
    }

    #[test]
    fn problem_body_shape() {
        let e = ApiError::field("/fullName", "length", "Quá dài.");
        let body = serde_json::to_value(e.problem()).expect("json");
        assert_eq!(body["type"], "urn:dinhdanh:problem:validation_failed");
        assert_eq!(body["status"], 422);
        assert_eq!(body["code"], "validation_failed");
        assert_eq!(body["errors"][0]["pointer"], "/fullName");
    }

    #[test]
    fn snake_to_camel() {
        assert_eq!(camel_case("date_of_birth"), "dateOfBirth");
        assert_eq!(camel_case("q"), "q");
    }
}
