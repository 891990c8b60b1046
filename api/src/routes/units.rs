//! The unit tree visible to the caller.

use actix_web::{get, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::access::Caller;
use crate::domain::org::{SchoolLevel, UnitKind};
use crate::error::ApiResult;
use crate::state::AppState;
use crate::store::{entities, units};

/// A unit: the Department, a management unit (district office) or a school.
#[derive(Serialize, ToSchema, Clone)]
#[serde(rename_all = "camelCase")]
pub struct UnitView {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub kind: UnitKind,
    pub code: String,
    pub name: String,
    /// Schools only.
    pub level: Option<SchoolLevel>,
    /// Pre-2025 province code of the unit's location.
    pub province_code: Option<String>,
    /// Pre-2025 district code of the unit's location.
    pub district_code: Option<String>,
    /// Post-2025 commune code of the unit's location (e.g. `11311`).
    pub commune_code: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// The unit's head (principal, head of office).
    pub principal: Option<String>,
    /// When the unit was closed (it keeps its history and statistics, holds no active record).
    pub closed_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl From<entities::units::Model> for UnitView {
    fn from(u: entities::units::Model) -> UnitView {
        UnitView {
            id: u.id,
            parent_id: u.parent_id,
            kind: UnitKind::parse(&u.kind).unwrap_or(UnitKind::School),
            code: u.code,
            name: u.name,
            level: u.level.as_deref().and_then(SchoolLevel::parse),
            province_code: u.province_code,
            district_code: u.district_code,
            commune_code: u.commune_code,
            address: u.address,
            phone: u.phone,
            email: u.email,
            principal: u.principal,
            closed_at: u.closed_at,
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct UnitsQuery {
    /// Only units of this kind.
    pub kind: Option<UnitKind>,
    /// Only the direct children of this unit.
    pub parent_id: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct UnitList {
    pub items: Vec<UnitView>,
}

/// The caller's unit and every unit below it, in tree order.
#[utoipa::path(tag = "units", params(UnitsQuery), responses(
    (status = 200, body = UnitList),
    (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[get("/units")]
pub async fn list_units(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<UnitsQuery>,
) -> ApiResult<web::Json<UnitList>> {
    let all = units::list_subtree(&state.store.db, &caller).await?;
    let items = all
        .into_iter()
        .filter(|u| query.kind.is_none_or(|k| u.kind == k.as_str()))
        .filter(|u| query.parent_id.is_none_or(|p| u.parent_id == Some(p)))
        .map(UnitView::from)
        .collect();
    Ok(web::Json(UnitList { items }))
}

/// One unit in the caller's subtree.
#[utoipa::path(tag = "units", params(("id" = i64, Path)), responses(
    (status = 200, body = UnitView),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[get("/units/{id}")]
pub async fn get_unit(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
) -> ApiResult<web::Json<UnitView>> {
    Ok(web::Json(units::get_scoped(&state.store.db, &caller, id.into_inner()).await?.into()))
}
