//! Liveness with a database ping.

use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::state::AppState;

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Health {
    /// `ok` or `degraded`.
    pub status: String,
    /// `ok` or `unreachable`.
    pub database: String,
    pub version: String,
}

/// Liveness and database reachability.
#[utoipa::path(tag = "system", security(()), responses(
    (status = 200, description = "Up, database answers", body = Health),
    (status = 503, description = "Up, database does not answer", body = Health),
))]
#[get("/health")]
pub async fn health(state: web::Data<AppState>) -> HttpResponse {
    let db_ok = crate::db::ping(&state.store.db).await.is_ok();
    let body = Health {
        status: if db_ok { "ok" } else { "degraded" }.to_owned(),
        database: if db_ok { "ok" } else { "unreachable" }.to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
    };
    if db_ok { HttpResponse::Ok().json(body) } else { HttpResponse::ServiceUnavailable().json(body) }
}
