//! The school-year rollover (issue 10, item 4): `POST /rollovers` `{unitId, fromYear}` answers
//! the preview (per class its next class, the final grade graduating, the students to choose
//! whom to keep back); `POST /rollovers/{id}/commit` `{keepBack}` applies it. From 1 June of
//! the ending year; a school its own, an office its schools in bulk.

use actix_web::{HttpResponse, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::context::RequestContext;
use crate::error::{ApiError, ApiResult, Problem};
use crate::state::AppState;
use crate::store::rollovers::{self, Rollover, RolloverSchool};

/// A rollover: its plan, and once committed what it did.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RolloverView {
    pub id: i64,
    pub unit_id: i64,
    pub from_year: String,
    pub to_year: String,
    /// `preview` or `committed`.
    pub status: String,
    pub schools: Vec<RolloverSchool>,
    /// Once committed: next year's classes created.
    pub classes_created: Option<usize>,
    /// Once committed: students moved up with their class.
    pub students_moved: Option<usize>,
    /// Once committed: students kept back ("ở lại lớp").
    pub kept_back: Option<usize>,
    /// Once committed: students of the final grade, left in last year's class.
    pub graduated: Option<usize>,
}

impl RolloverView {
    fn of(r: Rollover, done: Option<rollovers::Committed>) -> RolloverView {
        RolloverView {
            id: r.row.id,
            unit_id: r.row.unit_id,
            from_year: r.row.from_year,
            to_year: r.row.to_year,
            status: r.row.status,
            schools: r.schools,
            classes_created: done.as_ref().map(|d| d.classes_created),
            students_moved: done.as_ref().map(|d| d.students_moved),
            kept_back: done.as_ref().map(|d| d.kept_back),
            graduated: done.as_ref().map(|d| d.graduated),
        }
    }
}

/// Which unit rolls over, from which year.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewRolloverBody {
    /// A school, or an office (every open school under it).
    pub unit_id: i64,
    /// The ending year, `2025-2026`.
    #[schema(pattern = r"^[0-9]{4}-[0-9]{4}$")]
    pub from_year: String,
}

/// The choices of the preview.
#[derive(Deserialize, ToSchema, Default)]
#[serde(rename_all = "camelCase")]
pub struct CommitRolloverBody {
    /// Students kept back ("ở lại lớp"): next year they are in the class of the name they have.
    #[serde(default)]
    pub keep_back: Vec<i64>,
}

/// Previews the rollover of a school (or of every school under an office) to the next year.
#[utoipa::path(tag = "units", request_body = NewRolloverBody, responses(
    (status = 201, body = RolloverView),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
    (status = 409, body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[post("/rollovers")]
pub async fn create_rollover(
    state: web::Data<AppState>,
    rc: RequestContext,
    body: web::Json<NewRolloverBody>,
) -> ApiResult<HttpResponse> {
    let b = body.into_inner();
    if crate::config::parse_school_year(&b.from_year).is_none() {
        return Err(ApiError::field("/fromYear", "format", "Năm học phải có dạng 2025-2026."));
    }
    let r = rollovers::preview(&state.store.db, &rc.audit(), &rc.caller, b.unit_id, &b.from_year).await?;
    Ok(HttpResponse::Created().json(RolloverView::of(r, None)))
}

/// Commits a previewed rollover: next year's classes are created, students follow their class
/// (those kept back stay in their grade), the final grade stays in last year's class; audited.
#[utoipa::path(tag = "units", request_body = CommitRolloverBody, params(("id" = i64, Path)), responses(
    (status = 200, body = RolloverView),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
    (status = 409, body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[post("/rollovers/{id}/commit")]
pub async fn commit_rollover(
    state: web::Data<AppState>,
    rc: RequestContext,
    id: web::Path<i64>,
    body: Option<web::Json<CommitRolloverBody>>,
) -> ApiResult<web::Json<RolloverView>> {
    let keep = body.map(|b| b.into_inner().keep_back).unwrap_or_default();
    let (r, done) = rollovers::commit(&state.store.db, &rc.audit(), &rc.caller, id.into_inner(), &keep).await?;
    Ok(web::Json(RolloverView::of(r, Some(done))))
}
