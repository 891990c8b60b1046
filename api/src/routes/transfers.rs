//! Transfers (issue 10, item 5): `POST /students/{id}/transfer` and `POST /staff/{id}/transfer`
//! `{toUnitId, toClassId?, reason}` move the same record (its id, status and history) to another
//! unit; without `toUnitId` the record leaves the province (or the staff member retires or
//! quits) and is closed with the reason. `GET /transfers?unitId=` lists the read-only trace rows
//! of the moves out of and into a unit's subtree.

use actix_web::{get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::context::RequestContext;
use crate::error::{ApiResult, Problem};
use crate::rules::PersonKind;
use crate::state::AppState;
use crate::store::entities::transfers as transfer_rows;
use crate::store::transfers::{self, TransferTo};

/// Where a record goes, and why.
#[derive(Deserialize, ToSchema, validator::Validate)]
#[serde(rename_all = "camelCase")]
pub struct TransferBody {
    /// The receiving school (for staff: school or office). Absent: the record leaves the province
    /// (or the staff member retires or quits) and is closed.
    pub to_unit_id: Option<i64>,
    /// A class of the current year at the receiving school (students only).
    pub to_class_id: Option<i64>,
    /// Why (e.g. `chuyển trường`, `chuyển công tác`, `nghỉ hưu`, `nghỉ việc`, `chuyển ra ngoài tỉnh`).
    #[validate(length(min = 1, max = 255, message = "Lý do có 1–255 ký tự."))]
    pub reason: String,
}

/// A move, as the sending and the receiving unit see it (read-only).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TransferView {
    pub id: i64,
    pub person_id: i64,
    /// `student` or `staff`.
    pub kind: String,
    pub full_name: Option<String>,
    pub from_unit_id: i64,
    pub from_class_id: Option<i64>,
    /// None: the record left the province and is closed.
    pub to_unit_id: Option<i64>,
    pub to_class_id: Option<i64>,
    pub reason: String,
    pub actor: String,
    pub at: DateTime<Utc>,
}

impl From<transfer_rows::Model> for TransferView {
    fn from(t: transfer_rows::Model) -> TransferView {
        TransferView {
            id: t.id,
            person_id: t.person_id,
            kind: t.kind,
            full_name: t.full_name,
            from_unit_id: t.from_unit_id,
            from_class_id: t.from_class_id,
            to_unit_id: t.to_unit_id,
            to_class_id: t.to_class_id,
            reason: t.reason,
            actor: t.actor,
            at: t.at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct TransferList {
    pub items: Vec<TransferView>,
}

#[derive(Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct TransfersQuery {
    /// The unit (default: the caller's).
    pub unit_id: Option<i64>,
}

async fn run(
    state: &AppState,
    rc: &RequestContext,
    kind: PersonKind,
    id: i64,
    body: TransferBody,
) -> ApiResult<web::Json<TransferView>> {
    use validator::Validate;
    body.validate().map_err(|e| crate::error::from_validation(&e))?;
    let to = TransferTo { unit_id: body.to_unit_id, class_id: body.to_class_id, reason: body.reason.trim().to_owned() };
    let year = state.school_year();
    let trace = transfers::transfer(&state.store.db, &rc.audit(), &rc.caller, kind, id, to, &year).await?;
    Ok(web::Json(trace.into()))
}

/// Moves a student to another school (or closes the record when leaving the province).
#[utoipa::path(tag = "students", request_body = TransferBody, params(("id" = i64, Path)), responses(
    (status = 200, body = TransferView),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[post("/students/{id}/transfer")]
pub async fn transfer_student(
    state: web::Data<AppState>,
    rc: RequestContext,
    id: web::Path<i64>,
    body: web::Json<TransferBody>,
) -> ApiResult<web::Json<TransferView>> {
    run(&state, &rc, PersonKind::Student, id.into_inner(), body.into_inner()).await
}

/// Moves a staff member to another unit (chuyển công tác), or closes the record (nghỉ hưu,
/// nghỉ việc, leaving the province).
#[utoipa::path(tag = "staff", request_body = TransferBody, params(("id" = i64, Path)), responses(
    (status = 200, body = TransferView),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[post("/staff/{id}/transfer")]
pub async fn transfer_staff(
    state: web::Data<AppState>,
    rc: RequestContext,
    id: web::Path<i64>,
    body: web::Json<TransferBody>,
) -> ApiResult<web::Json<TransferView>> {
    run(&state, &rc, PersonKind::Staff, id.into_inner(), body.into_inner()).await
}

/// The moves out of and into a unit's subtree, newest first (at most 1000).
#[utoipa::path(tag = "units", params(TransfersQuery), responses(
    (status = 200, body = TransferList),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
#[get("/transfers")]
pub async fn list_transfers(
    state: web::Data<AppState>,
    rc: RequestContext,
    query: web::Query<TransfersQuery>,
) -> ApiResult<web::Json<TransferList>> {
    let unit = query.unit_id.unwrap_or(rc.caller.unit_id);
    let items = transfers::list(&state.store.db, &rc.caller, unit).await?;
    Ok(web::Json(TransferList { items: items.into_iter().map(Into::into).collect() }))
}

#[derive(Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct DestinationsQuery {
    /// Letters of the name or code, diacritics optional ("le loi", "31304").
    #[param(max_length = 100)]
    pub q: Option<String>,
    /// `school` (for students, the default) or `any` (for staff: schools and offices).
    #[param(inline)]
    pub kind: Option<DestinationKind>,
    /// At most this many (default 20, at most 100).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u64>,
}

/// Which units a transfer may go to.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum DestinationKind {
    School,
    Any,
}

/// An open unit of the province a record may be transferred to.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Destination {
    pub id: i64,
    pub code: String,
    pub name: String,
    /// `school`, `district` (office) or `department`.
    pub kind: String,
    /// The office above it ("Phòng GDĐT Ngô Quyền"), when there is one.
    pub parent_name: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct DestinationList {
    pub items: Vec<Destination>,
}

/// The open units of the whole province a transfer may name as `toUnitId`, found by a few
/// letters of their name or code: a school clerk sees only their own school in `/units`, yet
/// sends a student to any school (the receiving school's records stay out of reach). Names and
/// codes only.
#[utoipa::path(tag = "transfers", params(DestinationsQuery), responses(
    (status = 200, body = DestinationList),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[get("/transfer-destinations")]
pub async fn transfer_destinations(
    state: web::Data<AppState>,
    caller: crate::domain::access::Caller,
    query: web::Query<DestinationsQuery>,
) -> ApiResult<web::Json<DestinationList>> {
    let q = query.into_inner();
    if q.q.as_ref().is_some_and(|t| t.chars().count() > 100) {
        return Err(crate::error::ApiError::field("q", "too_long", "q dài tối đa 100 ký tự."));
    }
    let limit = super::bounds::count("limit", q.limit, 20, 100)? as usize;
    let schools_only = !matches!(q.kind, Some(DestinationKind::Any));
    let needle = crate::domain::text::fold_ascii(q.q.as_deref().unwrap_or("").trim());
    let found = transfers::destinations(&state.store.db, &caller, schools_only).await?;
    let items = found
        .into_iter()
        .filter(|(u, _)| {
            needle.is_empty()
                || crate::domain::text::fold_ascii(&u.name).contains(&needle)
                || u.code.to_ascii_lowercase().contains(&needle)
        })
        .take(limit)
        .map(|(u, parent_name)| Destination { id: u.id, code: u.code, name: u.name, kind: u.kind, parent_name })
        .collect();
    Ok(web::Json(DestinationList { items }))
}
