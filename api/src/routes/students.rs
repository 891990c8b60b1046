//! `/students`: students' identity records, class by class.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use serde::Deserialize;
use utoipa::ToSchema;

use super::context::RequestContext;
use super::people::{
    self, History, IdentityBody, PdfFile, PeopleQuery, Person, PersonPage, PersonPatch, RevealRequest, Revealed,
};
use crate::domain::access::Caller;
use crate::error::{ApiResult, Problem};
use crate::rules::PersonKind;
use crate::state::AppState;

const KIND: PersonKind = PersonKind::Student;

/// A new student: the class, then the identity fields exactly as entered (all optional; the
/// rules report what is missing or wrong).
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewStudent {
    pub class_id: i64,
    #[serde(flatten)]
    pub identity: IdentityBody,
}

/// Students in the caller's scope, sorted by school, class, then given name.
#[utoipa::path(tag = "students", params(PeopleQuery), responses(
    (status = 200, body = PersonPage),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Bad filter or page size", body = Problem, content_type = "application/problem+json"),
))]
#[get("/students")]
pub async fn list_students(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<PeopleQuery>,
) -> ApiResult<web::Json<PersonPage>> {
    Ok(web::Json(people::list(&state, &caller, KIND, &query).await?))
}

/// One student, ID numbers masked (`POST …/reveal` shows the full number).
#[utoipa::path(tag = "students", params(("id" = i64, Path)), responses(
    (status = 200, body = Person),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
#[get("/students/{id}")]
pub async fn get_student(
    state: web::Data<AppState>,
    rc: RequestContext,
    id: web::Path<i64>,
) -> ApiResult<web::Json<Person>> {
    Ok(web::Json(people::get(&state, &rc, KIND, id.into_inner()).await?))
}

/// Adds a student to a class of the caller's school.
#[utoipa::path(tag = "students", request_body = NewStudent, responses(
    (status = 201, body = Person),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Education-sector code already used", body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[post("/students")]
pub async fn create_student(
    state: web::Data<AppState>,
    rc: RequestContext,
    body: crate::body::Json<NewStudent>,
) -> ApiResult<HttpResponse> {
    let placement = people::Placement { unit_id: rc.caller.unit_id, class_id: Some(body.class_id), position: None };
    people::create(&state, &rc, KIND, placement, &body.identity).await
}

/// Changes a student (absent fields stay, `null` clears). Changing an identity field re-runs
/// the rules and sets the verification status back to `not_sent`. A change that brings an
/// `error` finding the record did not have answers 422 `would_worsen` naming the findings
/// unless `allowWorse`; changing what the registry verified answers 422
/// `confirm_verified_changes` unless `confirmVerifiedChanges`. The answer says the record's
/// state (`blockingErrors`, `readyToSend`, `changedAfterVerification`).
#[utoipa::path(tag = "students", params(("id" = i64, Path)), request_body = super::person_patch::StudentPatch, responses(
    (status = 200, body = Person),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
    (status = 409, body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[patch("/students/{id}")]
pub async fn update_student(
    state: web::Data<AppState>,
    rc: RequestContext,
    id: web::Path<i64>,
    body: crate::body::Json<PersonPatch>,
) -> ApiResult<web::Json<Person>> {
    Ok(web::Json(people::update(&state, &rc, KIND, id.into_inner(), &body).await?))
}

/// Removes a student from lists (soft delete; the audit trail keeps the record).
#[utoipa::path(tag = "students", params(("id" = i64, Path)), responses(
    (status = 204),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
#[delete("/students/{id}")]
pub async fn delete_student(
    state: web::Data<AppState>,
    rc: RequestContext,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    people::delete(&state, &rc, KIND, id.into_inner()).await
}

/// The audit trail of a student, oldest first.
#[utoipa::path(tag = "students", params(("id" = i64, Path)), responses(
    (status = 200, body = History),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
#[get("/students/{id}/history")]
pub async fn student_history(
    state: web::Data<AppState>,
    rc: RequestContext,
    id: web::Path<i64>,
) -> ApiResult<web::Json<History>> {
    Ok(web::Json(people::history(&state, &rc, KIND, id.into_inner()).await?))
}

/// Shows the full ID number of a student to the accounts that may see it (the unit that edits the
/// record; others who read it get 403), recorded in the access log. Editing the number needs
/// no reveal of the old one.
#[utoipa::path(tag = "students", params(("id" = i64, Path)), request_body = RevealRequest, responses(
    (status = 200, body = Revealed),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[post("/students/{id}/reveal")]
pub async fn reveal_student_ids(
    state: web::Data<AppState>,
    rc: RequestContext,
    id: web::Path<i64>,
    body: crate::body::Json<RevealRequest>,
) -> ApiResult<web::Json<Revealed>> {
    Ok(web::Json(people::reveal(&state, &rc, KIND, id.into_inner(), &body).await?))
}

/// The data-subject report of a student as a printable A4 PDF in Vietnamese: what dinhdanh holds,
/// where each value came from (entered, import, registry), who changed and who viewed it and
/// when, and the legal basis — the answer a school gives when asked. ID numbers appear masked.
/// For the unit that holds the record (403 for others who read it); recorded in the access log.
#[utoipa::path(tag = "students", params(("id" = i64, Path)), responses(
    (status = 200, description = "The report", content_type = "application/pdf", body = PdfFile),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
#[get("/students/{id}/personal-data-report.pdf")]
pub async fn student_personal_data_report(
    state: web::Data<AppState>,
    rc: RequestContext,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    people::personal_data_report(&state, &rc, KIND, id.into_inner()).await
}
