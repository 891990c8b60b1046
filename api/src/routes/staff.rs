//! `/staff`: identity records of managers, teachers and employees of schools and offices.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use serde::Deserialize;
use utoipa::ToSchema;

use super::context::RequestContext;
use super::people::{
    self, History, IdentityBody, PdfFile, PeopleQuery, Person, PersonPage, PersonPatch, RevealRequest, Revealed,
};
use crate::domain::access::Caller;
use crate::domain::org::Position;
use crate::error::{ApiResult, Problem};
use crate::rules::PersonKind;
use crate::state::AppState;

const KIND: PersonKind = PersonKind::Staff;

/// A new staff member: the unit (default: the caller's own), the position, then the identity
/// fields exactly as entered.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewStaffMember {
    pub unit_id: Option<i64>,
    pub position: Option<Position>,
    #[serde(flatten)]
    pub identity: IdentityBody,
}

/// Staff in the caller's scope, sorted by unit, then given name.
#[utoipa::path(tag = "staff", params(PeopleQuery), responses(
    (status = 200, body = PersonPage),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Bad filter or page size", body = Problem, content_type = "application/problem+json"),
))]
#[get("/staff")]
pub async fn list_staff(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<PeopleQuery>,
) -> ApiResult<web::Json<PersonPage>> {
    Ok(web::Json(people::list(&state, &caller, KIND, &query).await?))
}

/// One staff member, ID numbers masked (`POST …/reveal` shows the full number).
#[utoipa::path(tag = "staff", params(("id" = i64, Path)), responses(
    (status = 200, body = Person),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
#[get("/staff/{id}")]
pub async fn get_staff(
    state: web::Data<AppState>,
    rc: RequestContext,
    id: web::Path<i64>,
) -> ApiResult<web::Json<Person>> {
    Ok(web::Json(people::get(&state, &rc, KIND, id.into_inner()).await?))
}

/// Adds a staff member to the caller's unit (or, for admins, any unit below it).
#[utoipa::path(tag = "staff", request_body = NewStaffMember, responses(
    (status = 201, body = Person),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Education-sector code already used", body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[post("/staff")]
pub async fn create_staff(
    state: web::Data<AppState>,
    rc: RequestContext,
    body: crate::body::Json<NewStaffMember>,
) -> ApiResult<HttpResponse> {
    let placement = people::Placement {
        unit_id: body.unit_id.unwrap_or(rc.caller.unit_id),
        class_id: None,
        position: body.position,
    };
    people::create(&state, &rc, KIND, placement, &body.identity).await
}

/// Changes a staff member (absent fields stay, `null` clears). Changing an identity field re-runs
/// the rules and sets the verification status back to `not_sent`. The guards of
/// `PATCH /students/{id}` apply (`allowWorse`, `confirmVerifiedChanges`).
#[utoipa::path(tag = "staff", params(("id" = i64, Path)), request_body = super::person_patch::StaffPatch, responses(
    (status = 200, body = Person),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
    (status = 409, body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[patch("/staff/{id}")]
pub async fn update_staff(
    state: web::Data<AppState>,
    rc: RequestContext,
    id: web::Path<i64>,
    body: crate::body::Json<PersonPatch>,
) -> ApiResult<web::Json<Person>> {
    Ok(web::Json(people::update(&state, &rc, KIND, id.into_inner(), &body).await?))
}

/// Removes a staff member from lists (soft delete; the audit trail keeps the record).
#[utoipa::path(tag = "staff", params(("id" = i64, Path)), responses(
    (status = 204),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
#[delete("/staff/{id}")]
pub async fn delete_staff(
    state: web::Data<AppState>,
    rc: RequestContext,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    people::delete(&state, &rc, KIND, id.into_inner()).await
}

/// The audit trail of a staff member, oldest first.
#[utoipa::path(tag = "staff", params(("id" = i64, Path)), responses(
    (status = 200, body = History),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
#[get("/staff/{id}/history")]
pub async fn staff_history(
    state: web::Data<AppState>,
    rc: RequestContext,
    id: web::Path<i64>,
) -> ApiResult<web::Json<History>> {
    Ok(web::Json(people::history(&state, &rc, KIND, id.into_inner()).await?))
}

/// Shows the full ID number of a staff member to the accounts that may see it (the unit that edits the
/// record; others who read it get 403), recorded in the access log. Editing the number needs
/// no reveal of the old one.
#[utoipa::path(tag = "staff", params(("id" = i64, Path)), request_body = RevealRequest, responses(
    (status = 200, body = Revealed),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[post("/staff/{id}/reveal")]
pub async fn reveal_staff_ids(
    state: web::Data<AppState>,
    rc: RequestContext,
    id: web::Path<i64>,
    body: crate::body::Json<RevealRequest>,
) -> ApiResult<web::Json<Revealed>> {
    Ok(web::Json(people::reveal(&state, &rc, KIND, id.into_inner(), &body).await?))
}

/// The data-subject report of a staff member as a printable A4 PDF in Vietnamese: what dinhdanh holds,
/// where each value came from (entered, import, registry), who changed and who viewed it and
/// when, and the legal basis — the answer a school gives when asked. ID numbers appear masked.
/// For the unit that holds the record (403 for others who read it); recorded in the access log.
#[utoipa::path(tag = "staff", params(("id" = i64, Path)), responses(
    (status = 200, description = "The report", content_type = "application/pdf", body = PdfFile),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
#[get("/staff/{id}/personal-data-report.pdf")]
pub async fn staff_personal_data_report(
    state: web::Data<AppState>,
    rc: RequestContext,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    people::personal_data_report(&state, &rc, KIND, id.into_inner()).await
}
