//! Serves the built single-page app (`frontend/dist`, embedded at build time) with history
//! fallback: any GET outside `/api` that is not a file answers `index.html`. Before the SPA is
//! built, a plain page says how to build it.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use rust_embed::RustEmbed;

use crate::error::{ApiError, ErrorCode};

#[derive(RustEmbed)]
#[folder = "../frontend/dist"]
#[allow_missing = true]
struct Assets;

const NOT_BUILT: &str = "<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\"><title>dinhdanh</title></head>\
<body style=\"font-family:sans-serif;max-width:40em;margin:4em auto\"><h1>dinhdanh</h1>\
<p>Giao diện web chưa được build. Chạy <code>make frontend</code> (hoặc <code>make run</code>) rồi khởi động lại máy chủ.</p>\
<p>API: <a href=\"/api/docs/\">/api/docs/</a></p></body></html>";

/// The SPA fallback for every route nothing else matched.
pub async fn serve(req: HttpRequest) -> HttpResponse {
    let path = req.path();
    if path.starts_with("/api/") || path == "/api" {
        return crate::http::api_not_found(req).await;
    }
    if req.method() != actix_web::http::Method::GET && req.method() != actix_web::http::Method::HEAD {
        let mut res = ApiError::new(ErrorCode::MethodNotAllowed).error_response();
        res.headers_mut().insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return res;
    }
    let file = path.trim_start_matches('/');
    if !file.is_empty()
        && let Some(asset) = asset(file)
    {
        let mime = asset.metadata.mimetype().to_owned();
        let cache = if file.starts_with("assets/") { "public, max-age=31536000, immutable" } else { "no-cache" };
        return HttpResponse::Ok()
            .insert_header((header::CONTENT_TYPE, mime))
            .insert_header((header::CACHE_CONTROL, HeaderValue::from_static(cache)))
            .body(asset.data.into_owned());
    }
    // A missing file with an extension is a 404, not the app.
    if file.rsplit('/').next().is_some_and(|last| last.contains('.')) {
        return HttpResponse::NotFound().content_type("text/plain; charset=utf-8").body("Không tìm thấy tệp.");
    }
    match asset("index.html") {
        Some(index) => HttpResponse::Ok()
            .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
            .insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-cache")))
            .body(index.data.into_owned()),
        None => HttpResponse::Ok().content_type("text/html; charset=utf-8").body(NOT_BUILT),
    }
}

/// True when the SPA was built into this binary.
pub fn is_built() -> bool {
    asset("index.html").is_some()
}

/// A file of the built SPA.
fn asset(file: &str) -> Option<rust_embed::EmbeddedFile> {
    let found = Assets::get(file);
    #[cfg(debug_assertions)]
    let found = found.or_else(|| dist_file(file));
    found
}

/// Debug builds read `frontend/dist` at run time. rust-embed does so too, but only when the
/// folder existed when this crate was compiled (it fixes the folder's canonical path then): a
/// crate compiled before the first `npm run build` would otherwise never serve the app, and
/// cargo does not recompile it when the folder appears.
#[cfg(debug_assertions)]
fn dist_file(file: &str) -> Option<rust_embed::EmbeddedFile> {
    let dist = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../frontend/dist").canonicalize().ok()?;
    let path = dist.join(file).canonicalize().ok()?;
    // Canonical paths: `..` and symlinks cannot lead outside the folder.
    if !path.starts_with(&dist) || !path.is_file() {
        return None;
    }
    rust_embed::utils::read_file_from_fs(&path).ok()
}
