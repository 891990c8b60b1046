//! Cross-cutting HTTP behaviour: a request id on every request and response, one access-log
//! line per request (method, path, status, time; never the query string or a body, which may
//! hold personal data), every log line of a request inside that request's span (and only
//! it), security headers (`Cache-Control: no-store` on the API's answers, which carry personal
//! data; HSTS when the client came over TLS), CORS, and problem answers for unknown routes.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{CACHE_CONTROL, HeaderName, HeaderValue, STRICT_TRANSPORT_SECURITY};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpRequest, HttpResponse, ResponseError};

use tracing::Instrument;

use crate::error::{ApiError, ErrorCode};

/// The id of the current request (from a well-formed incoming `X-Request-Id`, else new).
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

fn incoming_id(req: &ServiceRequest) -> Option<String> {
    let v = req.headers().get(REQUEST_ID)?.to_str().ok()?;
    let ok = !v.is_empty() && v.len() <= 64 && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    ok.then(|| v.to_owned())
}

/// `Strict-Transport-Security` sent when the client reached us over TLS: a year, subdomains
/// included.
pub const HSTS: &str = "max-age=31536000; includeSubDomains";

/// True when the client reached us over TLS: a TLS listener, or a trusted proxy saying so.
fn over_tls(req: &ServiceRequest) -> bool {
    if req.app_config().secure() {
        return true;
    }
    let Some(state) = req.app_data::<actix_web::web::Data<crate::state::AppState>>() else { return false };
    let Some(peer) = req.peer_addr().map(|a| a.ip()) else { return false };
    let proto = req.headers().get("x-forwarded-proto").and_then(|v| v.to_str().ok());
    state.trusted_proxies.forwarded_https(peer, proto)
}

/// Assigns the request id, logs the request, and sets the response headers that depend on it.
pub async fn request_id_and_log(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody + 'static>, actix_web::Error> {
    let id = incoming_id(&req).unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string());
    req.extensions_mut().insert(RequestId(id.clone()));
    let method = req.method().clone();
    let path = req.path().to_owned();
    let tls = over_tls(&req);
    let started = Instant::now();
    // The span is attached to the future, entered only while it runs: an entered guard held
    // across `.await` would leak into every other request the worker polls meanwhile.
    let span = tracing::info_span!("request", request_id = %id);
    let mut res = next.call(req).instrument(span.clone()).await?;
    let _enter = span.enter();
    if let Ok(value) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(REQUEST_ID, value);
    }
    if path.starts_with("/api/") {
        // answers of the API carry personal data (JSON and files alike): never stored by a cache
        res.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if tls {
        res.headers_mut().insert(STRICT_TRANSPORT_SECURITY, HeaderValue::from_static(HSTS));
    }
    let status = res.status().as_u16();
    // to a tenth of a millisecond: a float's long tail of digits (`5281.017688000001`) reads
    // like an ID number to anyone scanning logs for leaks
    let ms = (started.elapsed().as_secs_f64() * 10_000.0).round() / 10.0;
    if status >= 500 {
        tracing::warn!(%method, path = %path, status, ms, "request");
    } else if !path.starts_with("/assets/") {
        tracing::info!(%method, path = %path, status, ms, "request");
    }
    Ok(res)
}

/// Content-Security-Policy for the SPA and the API docs: everything from this origin, inline
/// styles allowed (Ant Design writes them), no framing.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; \
font-src 'self' data:; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

/// Security headers on every response.
pub fn security_headers() -> actix_web::middleware::DefaultHeaders {
    actix_web::middleware::DefaultHeaders::new()
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("X-Frame-Options", "DENY"))
        .add(("Referrer-Policy", "no-referrer"))
        .add(("Content-Security-Policy", CSP))
        .add(("Cross-Origin-Opener-Policy", "same-origin"))
}

/// CORS: closed unless origins are configured.
pub fn cors(allowed: &[String]) -> actix_cors::Cors {
    let mut cors = actix_cors::Cors::default()
        .allowed_methods(["GET", "POST", "PATCH", "PUT", "DELETE"])
        .allowed_headers([actix_web::http::header::AUTHORIZATION, actix_web::http::header::CONTENT_TYPE])
        .expose_headers([REQUEST_ID.as_str(), "retry-after", "content-disposition"])
        .max_age(3600);
    for origin in allowed {
        cors = cors.allowed_origin(origin);
    }
    cors
}

/// Unknown API routes answer a 404 problem; a method the document does not list for a known
/// path answers 405 with `Allow`.
pub async fn api_not_found(req: HttpRequest) -> HttpResponse {
    if let Some(res) = method_not_allowed(&req) {
        return res;
    }
    ApiError::with_detail(ErrorCode::NotFound, "Không có địa chỉ API này; xem tài liệu tại /api/docs/.")
        .error_response()
}

/// The path templates of the OpenAPI document (segments, `None` for a parameter) with their
/// methods, read once.
type RouteTable = Vec<(Vec<Option<String>>, Vec<String>)>;

fn route_table() -> &'static RouteTable {
    static TABLE: std::sync::OnceLock<RouteTable> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let doc = serde_json::to_value(crate::routes::openapi()).unwrap_or_default();
        let mut out = Vec::new();
        for (path, item) in doc["paths"].as_object().into_iter().flatten() {
            let segments = path
                .split('/')
                .map(|s| if s.starts_with('{') && s.ends_with('}') { None } else { Some(s.to_owned()) })
                .collect();
            let methods = ["get", "put", "post", "delete", "patch"]
                .into_iter()
                .filter(|m| item.get(*m).is_some())
                .map(|m| m.to_ascii_uppercase())
                .collect();
            out.push((segments, methods));
        }
        out
    })
}

/// The methods of the documented route matching this path, if one does; where several match
/// (`/units/import` and `/units/{id}`), the one with the most fixed segments.
fn allowed_methods(path: &str) -> Option<Vec<String>> {
    let parts: Vec<&str> = path.split('/').collect();
    route_table()
        .iter()
        .filter(|(segments, _)| {
            segments.len() == parts.len()
                && segments.iter().zip(&parts).all(|(s, p)| match s {
                    Some(s) => s == p,
                    None => !p.is_empty(),
                })
        })
        .max_by_key(|(segments, _)| segments.iter().filter(|s| s.is_some()).count())
        .map(|(_, methods)| methods.clone())
}

/// A 405 with `Allow` when the documented route this path names does not take the request's
/// method (`PATCH /units/import` also fits `PATCH /units/{id}`, whose id then fails to parse).
pub fn method_not_allowed(req: &HttpRequest) -> Option<HttpResponse> {
    let allowed = allowed_methods(req.path())?;
    if allowed.iter().any(|m| m == req.method().as_str()) {
        return None;
    }
    let mut res = ApiError::with_detail(
        ErrorCode::MethodNotAllowed,
        format!("Địa chỉ này chỉ nhận {}; xem tài liệu tại /api/docs/.", allowed.join(", ")),
    )
    .error_response();
    if let Ok(v) = actix_web::http::header::HeaderValue::from_str(&allowed.join(", ")) {
        res.headers_mut().insert(actix_web::http::header::ALLOW, v);
    }
    Some(res)
}
