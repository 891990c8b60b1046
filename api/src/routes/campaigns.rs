//! `/campaigns`: what to verify by when. The Department (or an admin) sets a campaign for its
//! subtree; everyone sees the campaigns that apply to them and those set below them.

use actix_web::{HttpResponse, get, http::header, post, web};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::context::RequestContext;
use crate::auth::require_role;
use crate::domain::access::{Caller, Role};
use crate::error::{ApiResult, Problem};
use crate::state::AppState;
use crate::stats::Population;
use crate::stats::views::Campaign;
use crate::store::campaigns::{self, NewCampaign};

/// A campaign to set for the caller's unit and everything below it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewCampaignBody {
    /// E.g. "Xác thực dữ liệu học sinh năm học 2026-2027" (1–200 characters).
    pub name: String,
    pub population: Population,
    /// First day, `YYYY-MM-DD`.
    pub start: NaiveDate,
    /// Last day, `YYYY-MM-DD` (the directive's deadline), not before `start`.
    pub deadline: NaiveDate,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CampaignList {
    pub items: Vec<Campaign>,
}

/// Sets a campaign (Department and admin accounts) for the caller's unit and its subtree.
#[utoipa::path(tag = "stats", request_body = NewCampaignBody, responses(
    (status = 201, body = Campaign),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Not a Department or admin account", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Empty name, deadline before start", body = Problem, content_type = "application/problem+json"),
))]
#[post("/campaigns")]
pub async fn create_campaign(
    state: web::Data<AppState>,
    rc: RequestContext,
    body: crate::body::Json<NewCampaignBody>,
) -> ApiResult<HttpResponse> {
    require_role(&rc.caller, &[Role::Department, Role::DepartmentAdmin])?;
    let body = body.into_inner();
    let new = NewCampaign { name: body.name, population: body.population, start: body.start, deadline: body.deadline };
    let ctx = rc.audit();
    let row = campaigns::create(&state.store.db, &rc.caller, &ctx, new).await?;
    let view = row.view(state.settings.clock.today());
    Ok(HttpResponse::Created().insert_header((header::LOCATION, format!("/api/v1/campaigns/{}", view.id))).json(view))
}

/// Campaigns that apply to the caller (set by its unit or above) and those set below it,
/// latest start first.
#[utoipa::path(tag = "stats", responses(
    (status = 200, body = CampaignList),
    (status = 401, body = Problem, content_type = "application/problem+json"),
))]
#[get("/campaigns")]
pub async fn list_campaigns(state: web::Data<AppState>, caller: Caller) -> ApiResult<web::Json<CampaignList>> {
    let today = state.settings.clock.today();
    let rows = campaigns::list_visible(&state.store.db, &caller).await?;
    Ok(web::Json(CampaignList { items: rows.iter().map(|r| r.view(today)).collect() }))
}

/// One campaign visible to the caller.
#[utoipa::path(tag = "stats", params(("id" = i64, Path)), responses(
    (status = 200, body = Campaign),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
#[get("/campaigns/{id}")]
pub async fn get_campaign(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
) -> ApiResult<web::Json<Campaign>> {
    let row = campaigns::get_visible(&state.store.db, &caller, id.into_inner()).await?;
    Ok(web::Json(row.view(state.settings.clock.today())))
}
