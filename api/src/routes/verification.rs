//! Verification against the national population database: jobs (start, list, read, cancel),
//! accepting the registry's values (one record, or a scope in bulk), marking records as
//! awaiting the family's evidence, each record's verification history, and a class's printable
//! evidence-request slips.

use std::collections::BTreeMap;

use actix_web::{HttpResponse, delete, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::context::RequestContext;
use super::people::Person;
use crate::domain::access::Caller;
use crate::domain::org::VerificationStatus;
use crate::domain::personal_id::mask as mask_personal_id;
use crate::domain::status::{HistoryOutcome, JobStatus};
use crate::error::{ApiError, ApiResult, Problem};
use crate::registry::RegistryValues;
use crate::rules::PersonKind;
use crate::state::AppState;
use crate::store::entities::verification_history;
use crate::store::verification::{self as v, JobScope, JobTotals, JobView, SkippedRecord};
use crate::store::{StoreError, read_json, read_stored};

/// Most skipped records listed on a job.
const MAX_SKIPPED_LISTED: u64 = 1_000;

/// How far a job has come.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct JobProgress {
    /// Items finished (answered, skipped, cancelled or failed).
    pub done: i64,
    pub total: i64,
    /// `done / total` in percent, one decimal.
    pub percent: f64,
}

/// A record the pre-flight did not send: fix it before sending ("sửa trước khi gửi").
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SkippedView {
    pub person_id: i64,
    /// `student` or `staff`.
    pub kind: String,
    pub full_name: Option<String>,
    pub class_id: Option<i64>,
    /// The record's `error` finding codes.
    pub codes: Vec<String>,
    /// "Sửa trước khi gửi".
    pub message: String,
}

impl From<SkippedRecord> for SkippedView {
    fn from(s: SkippedRecord) -> SkippedView {
        SkippedView {
            person_id: s.person_id,
            kind: s.kind,
            full_name: s.full_name,
            class_id: s.class_id,
            codes: s.codes,
            message: "Sửa trước khi gửi".to_owned(),
        }
    }
}

/// A verification job: status `queued`, `running`, `paused` (with `pauseReason`, e.g.
/// `registry_unavailable`), `done` or `cancelled`; totals by outcome and progress.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VerificationJob {
    pub id: i64,
    pub status: JobStatus,
    pub pause_reason: Option<String>,
    pub scope: JobScope,
    /// The unit the job was started for.
    pub unit_id: i64,
    pub created_by: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub started_at: Option<chrono::DateTime<chrono::Utc>>,
    pub finished_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Records in the job (sent and skipped).
    pub total: i64,
    pub progress: JobProgress,
    pub totals: JobTotals,
    /// Single-job reads: the records not sent because of error findings, with their codes
    /// (at most 1,000).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix_before_sending: Option<Vec<SkippedView>>,
}

impl VerificationJob {
    /// A stored status or scope that does not read back is an error.
    fn from_view(view: JobView, skipped: Option<Vec<SkippedRecord>>) -> ApiResult<VerificationJob> {
        let JobView { job, totals } = view;
        let total = i64::from(job.total);
        let done = totals.done();
        let percent = if total > 0 { ((done as f64 / total as f64) * 1000.0).round() / 10.0 } else { 100.0 };
        Ok(VerificationJob {
            id: job.id,
            status: read_stored(format_args!("verification_jobs.status of {}", job.id), &job.status, JobStatus::parse)?,
            pause_reason: job.pause_reason,
            scope: read_json(format_args!("verification_jobs.scope of {}", job.id), &job.scope)?,
            unit_id: job.unit_id,
            created_by: job.created_by,
            created_at: job.created_at,
            started_at: job.started_at,
            finished_at: job.finished_at,
            total,
            progress: JobProgress { done, total, percent },
            totals,
            fix_before_sending: skipped.map(|s| s.into_iter().map(SkippedView::from).collect()),
        })
    }
}

async fn job_with_skipped(state: &AppState, view: JobView) -> ApiResult<VerificationJob> {
    let skipped = v::skipped_records(&state.store.db, view.job.id, MAX_SKIPPED_LISTED).await?;
    VerificationJob::from_view(view, Some(skipped))
}

/// A page of jobs.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct JobPage {
    pub items: Vec<VerificationJob>,
    pub page: u64,
    pub page_size: u64,
    pub total: u64,
}

#[derive(Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct JobsQuery {
    /// 1-based page (default 1).
    #[param(minimum = 1, maximum = 1_000_000)]
    pub page: Option<u64>,
    /// Jobs per page (default 20, at most 100).
    #[param(minimum = 1, maximum = 100)]
    pub page_size: Option<u64>,
}

/// What a dry run would do.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DryRunAnswer {
    pub dry_run: bool,
    pub counts: v::SendCounts,
}

/// Starts a verification job over a scope (default: the records the caller edits that
/// are not verified, not queued and not awaiting evidence). Records with `error` findings are
/// not sent: the job lists them under `fixBeforeSending` with their codes. A mismatched record
/// unchanged since the registry's answer is sent again only when named in `personIds`. A scope
/// with nothing to send answers 422 `nothing_to_send` with `counts` by reason; `dryRun: true`
/// answers the counts (200) without doing anything.
#[utoipa::path(tag = "verification", request_body = JobScope, responses(
    (status = 200, description = "`dryRun`: what would be sent", body = DryRunAnswer),
    (status = 202, description = "The job, queued", body = VerificationJob),
    (status = 403, description = "Not a role that edits these records: a school sends its own, an office only its own staff", body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[post("/verification-jobs")]
pub async fn start_verification_job(
    state: web::Data<AppState>,
    rc: RequestContext,
    body: crate::body::Json<JobScope>,
) -> ApiResult<HttpResponse> {
    super::bounds::person_ids("/personIds", body.person_ids.as_ref())?;
    let ctx = rc.audit();
    let view = match v::create_job(&state.store.db, &rc.caller, &ctx, body.into_inner()).await {
        Ok(view) => view,
        Err(StoreError::DryRun(counts)) => {
            return Ok(HttpResponse::Ok().json(DryRunAnswer { dry_run: true, counts: *counts }));
        }
        Err(e) => return Err(e.into()),
    };
    let job = job_with_skipped(&state, view).await?;
    Ok(HttpResponse::Accepted()
        .insert_header((actix_web::http::header::LOCATION, format!("/api/v1/verification-jobs/{}", job.id)))
        .json(job))
}

/// Verification jobs of the caller's units, newest first.
#[utoipa::path(tag = "verification", params(JobsQuery), responses((status = 200, body = JobPage)))]
#[get("/verification-jobs")]
pub async fn list_verification_jobs(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<JobsQuery>,
) -> ApiResult<web::Json<JobPage>> {
    let page = super::bounds::page(query.page)?;
    let page_size = super::bounds::count("pageSize", query.page_size, 20, 100)?;
    let (views, total) = v::list_jobs(&state.store.db, &caller, page, page_size).await?;
    let items = views.into_iter().map(|view| VerificationJob::from_view(view, None)).collect::<ApiResult<_>>()?;
    Ok(web::Json(JobPage { items, page, page_size, total }))
}

/// One job: status, totals by outcome, progress, and the records to fix before sending.
#[utoipa::path(tag = "verification", params(("id" = i64, Path)), responses(
    (status = 200, body = VerificationJob),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
#[get("/verification-jobs/{id}")]
pub async fn get_verification_job(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
) -> ApiResult<web::Json<VerificationJob>> {
    let view = v::get_job(&state.store.db, &caller, id.into_inner()).await?;
    Ok(web::Json(job_with_skipped(&state, view).await?))
}

/// One record behind a job's total.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct JobItemView {
    pub person_id: i64,
    pub kind: PersonKind,
    pub full_name: Option<String>,
    pub class_id: Option<i64>,
    /// The record's verification status now (it may have changed since the job).
    pub status_now: VerificationStatus,
}

/// A page of a job's records with one outcome.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct JobItemPage {
    pub outcome: v::JobOutcome,
    pub items: Vec<JobItemView>,
    pub page: u64,
    pub page_size: u64,
    pub total: u64,
}

#[derive(Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct JobItemsQuery {
    /// Which total: `verified`, `mismatched`, `notFound`, `invalid`, `error`, `changed`,
    /// `skipped`, `cancelled` or `queued` (as in `totals`).
    pub outcome: v::JobOutcome,
    /// 1-based page (default 1).
    #[param(minimum = 1, maximum = 1_000_000)]
    pub page: Option<u64>,
    /// Records per page (default 50, at most 500).
    #[param(minimum = 1, maximum = 500)]
    pub page_size: Option<u64>,
}

/// The records behind one of a job's totals (e.g. the mismatched ones), in the order they were
/// queued, with their status now: the jobs page links each total to them.
#[utoipa::path(tag = "verification", params(("id" = i64, Path), JobItemsQuery), responses(
    (status = 200, body = JobItemPage),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
#[get("/verification-jobs/{id}/items")]
pub async fn list_verification_job_items(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    query: web::Query<JobItemsQuery>,
) -> ApiResult<web::Json<JobItemPage>> {
    let q = query.into_inner();
    let page = q.page.unwrap_or(1).clamp(1, 1_000_000);
    let page_size = q.page_size.unwrap_or(50).clamp(1, 500);
    let (records, total) = v::job_items(&state.store.db, &caller, id.into_inner(), q.outcome, page, page_size).await?;
    let items = records
        .into_iter()
        .map(|r| {
            Ok(JobItemView {
                kind: read_stored(format_args!("people.kind of {}", r.person_id), &r.kind, PersonKind::parse)?,
                status_now: read_stored(
                    format_args!("people.status of {}", r.person_id),
                    &r.status_now,
                    VerificationStatus::parse,
                )?,
                person_id: r.person_id,
                full_name: r.full_name,
                class_id: r.class_id,
            })
        })
        .collect::<ApiResult<Vec<_>>>()?;
    Ok(web::Json(JobItemPage { outcome: q.outcome, items, page, page_size, total }))
}

/// Cancels a job: records not yet sent go back to their former status; calls already in
/// flight still have their answers recorded.
#[utoipa::path(tag = "verification", params(("id" = i64, Path)), responses(
    (status = 200, body = VerificationJob),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
#[post("/verification-jobs/{id}/cancel")]
pub async fn cancel_verification_job(
    state: web::Data<AppState>,
    rc: RequestContext,
    id: web::Path<i64>,
) -> ApiResult<web::Json<VerificationJob>> {
    let ctx = rc.audit();
    let view = v::cancel_job(&state.store.db, &rc.caller, &ctx, id.into_inner()).await?;
    Ok(web::Json(job_with_skipped(&state, view).await?))
}

/// The record after accepting the registry's values, and the job that sends it again.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AcceptedValues {
    pub person: Person,
    /// The job sending it again; absent when the record still has errors to fix first.
    pub job: Option<VerificationJob>,
}

async fn accept_one(state: &AppState, rc: &RequestContext, kind: PersonKind, id: i64) -> ApiResult<AcceptedValues> {
    let view = v::accept_and_resend(&state.store.db, &rc.caller, &rc.audit(), kind, id).await?;
    let row = crate::store::people::get(&state.store.db, &rc.caller, kind, id).await?;
    let job = match view {
        Some(view) => Some(job_with_skipped(state, view).await?),
        None => None,
    };
    Ok(AcceptedValues { person: Person::from_row(row, true)?, job })
}

/// Copies the registry's values of a mismatched student into the record (audited with source
/// `registry`) and sends it again.
#[utoipa::path(tag = "verification", params(("id" = i64, Path)), responses(
    (status = 200, body = AcceptedValues),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "No registry values to accept (`conflict`, `errors[0].code` `no_registry_values`)", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "The registry's values would worsen the record (`would_worsen`)", body = Problem, content_type = "application/problem+json"),
))]
#[post("/students/{id}/accept-registry-values")]
pub async fn accept_student_registry_values(
    state: web::Data<AppState>,
    rc: RequestContext,
    id: web::Path<i64>,
) -> ApiResult<web::Json<AcceptedValues>> {
    Ok(web::Json(accept_one(&state, &rc, PersonKind::Student, id.into_inner()).await?))
}

/// Same for a staff member.
#[utoipa::path(tag = "verification", params(("id" = i64, Path)), responses(
    (status = 200, body = AcceptedValues),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "No registry values to accept (`conflict`, `errors[0].code` `no_registry_values`)", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "The registry's values would worsen the record (`would_worsen`)", body = Problem, content_type = "application/problem+json"),
))]
#[post("/staff/{id}/accept-registry-values")]
pub async fn accept_staff_registry_values(
    state: web::Data<AppState>,
    rc: RequestContext,
    id: web::Path<i64>,
) -> ApiResult<web::Json<AcceptedValues>> {
    Ok(web::Json(accept_one(&state, &rc, PersonKind::Staff, id.into_inner()).await?))
}

/// Which mismatched records to take the registry's values for.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BulkAccept {
    /// `student` (default) or `staff`.
    #[serde(default)]
    pub kind: PersonKind,
    pub unit_id: Option<i64>,
    pub class_id: Option<i64>,
    /// Exactly these records (a selection in the web app), instead of a unit or class; each
    /// one that is not mismatched with the registry's values is listed in `notAccepted`.
    #[schema(max_items = 5000)]
    pub person_ids: Option<Vec<i64>>,
    /// Answer what would be accepted without doing it.
    #[serde(default)]
    pub dry_run: bool,
}

/// A record the bulk accept left alone, and why.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NotAccepted {
    pub person_id: i64,
    pub code: String,
    pub message: String,
}

/// What a bulk accept did.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BulkAccepted {
    pub dry_run: bool,
    /// Records whose values were (or, on a dry run, would be) taken.
    pub accepted: usize,
    pub not_accepted: Vec<NotAccepted>,
    /// The job sending the accepted records again (absent when none was accepted).
    pub job: Option<VerificationJob>,
}

/// Takes the registry's values for every mismatched record of a scope that has them (each
/// audited with source `registry`), then sends them again in one job.
#[utoipa::path(tag = "verification", request_body = BulkAccept, responses(
    (status = 200, body = BulkAccepted),
    (status = 403, description = "Not a role that edits these records", body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
#[post("/verification/accept-registry-values")]
pub async fn accept_registry_values_in_bulk(
    state: web::Data<AppState>,
    rc: RequestContext,
    body: crate::body::Json<BulkAccept>,
) -> ApiResult<web::Json<BulkAccepted>> {
    let ctx = rc.audit();
    let db = &state.store.db;
    let ids = match &body.person_ids {
        Some(ids) if ids.len() > 5_000 => {
            return Err(ApiError::field("/personIds", "too_many", "Tối đa 5.000 hồ sơ một lần."));
        }
        Some(ids) => {
            let mut ids = ids.clone();
            ids.sort_unstable();
            ids.dedup();
            ids
        }
        None => v::mismatched_with_values(db, &rc.caller, body.kind, body.unit_id, body.class_id).await?,
    };
    let mut accepted = Vec::new();
    let mut not_accepted = Vec::new();
    for id in ids {
        match v::accept_registry_values(db, &rc.caller, &ctx, body.kind, id, body.dry_run).await {
            Ok(()) => accepted.push(id),
            // An id of the caller's own selection that is not found is listed, not fatal.
            Err(StoreError::NotFound) if body.person_ids.is_none() => return Err(StoreError::NotFound.into()),
            Err(StoreError::WouldWorsen(findings)) => not_accepted.push(NotAccepted {
                person_id: id,
                code: "would_worsen".to_owned(),
                message: format!(
                    "Giá trị của CSDL quốc gia làm hồ sơ có thêm lỗi ({}); hãy kiểm tra và sửa trực tiếp.",
                    findings.iter().map(|f| f.code.as_str()).collect::<Vec<_>>().join(", ")
                ),
            }),
            Err(
                e @ (StoreError::Forbidden(_) | StoreError::NotFound | StoreError::State(_) | StoreError::Invalid(_)),
            ) => not_accepted.push(refusal(id, e)),
            Err(other) => return Err(other.into()),
        }
    }
    let job = if accepted.is_empty() || body.dry_run {
        None
    } else {
        let scope = JobScope { person_ids: Some(accepted.clone()), kind: Some(body.kind), ..JobScope::default() };
        match v::create_job(db, &rc.caller, &ctx, scope).await {
            Ok(view) => Some(job_with_skipped(&state, view).await?),
            Err(StoreError::NothingToSend(_)) => None,
            Err(e) => return Err(e.into()),
        }
    };
    Ok(web::Json(BulkAccepted { dry_run: body.dry_run, accepted: accepted.len(), not_accepted, job }))
}

async fn awaiting(state: &AppState, rc: &RequestContext, kind: PersonKind, id: i64) -> ApiResult<Person> {
    let ctx = rc.audit();
    v::mark_awaiting_evidence(&state.store.db, &rc.caller, &ctx, kind, id).await?;
    let row = crate::store::people::get(&state.store.db, &rc.caller, kind, id).await?;
    Person::from_row(row, true)
}

/// Marks a student as awaiting evidence: the family must bring the ID-number notice (or the
/// document the slip names). Listed on the class's evidence-request page.
#[utoipa::path(tag = "verification", params(("id" = i64, Path)), responses(
    (status = 200, body = Person),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Verified, queued or already awaiting evidence (`conflict`, `errors[0].code` `not_allowed` or `already_awaiting_evidence`)", body = Problem, content_type = "application/problem+json"),
))]
#[post("/students/{id}/awaiting-evidence")]
pub async fn mark_student_awaiting_evidence(
    state: web::Data<AppState>,
    rc: RequestContext,
    id: web::Path<i64>,
) -> ApiResult<web::Json<Person>> {
    Ok(web::Json(awaiting(&state, &rc, PersonKind::Student, id.into_inner()).await?))
}

/// Same for a staff member.
#[utoipa::path(tag = "verification", params(("id" = i64, Path)), responses(
    (status = 200, body = Person),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Verified, queued or already awaiting evidence (`conflict`, `errors[0].code` `not_allowed` or `already_awaiting_evidence`)", body = Problem, content_type = "application/problem+json"),
))]
#[post("/staff/{id}/awaiting-evidence")]
pub async fn mark_staff_awaiting_evidence(
    state: web::Data<AppState>,
    rc: RequestContext,
    id: web::Path<i64>,
) -> ApiResult<web::Json<Person>> {
    Ok(web::Json(awaiting(&state, &rc, PersonKind::Staff, id.into_inner()).await?))
}

async fn unmark(state: &AppState, rc: &RequestContext, kind: PersonKind, id: i64) -> ApiResult<Person> {
    let ctx = rc.audit();
    v::unmark_awaiting_evidence(&state.store.db, &rc.caller, &ctx, kind, id).await?;
    let row = crate::store::people::get(&state.store.db, &rc.caller, kind, id).await?;
    Person::from_row(row, true)
}

/// Takes back "awaiting evidence": the student returns to the status it had before (its
/// registry answer, kept meanwhile, shows again).
#[utoipa::path(tag = "verification", params(("id" = i64, Path)), responses(
    (status = 200, body = Person),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Not awaiting evidence (`conflict`, `errors[0].code` `not_awaiting_evidence`)", body = Problem, content_type = "application/problem+json"),
))]
#[delete("/students/{id}/awaiting-evidence")]
pub async fn unmark_student_awaiting_evidence(
    state: web::Data<AppState>,
    rc: RequestContext,
    id: web::Path<i64>,
) -> ApiResult<web::Json<Person>> {
    Ok(web::Json(unmark(&state, &rc, PersonKind::Student, id.into_inner()).await?))
}

/// Same for a staff member.
#[utoipa::path(tag = "verification", params(("id" = i64, Path)), responses(
    (status = 200, body = Person),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Not awaiting evidence (`conflict`, `errors[0].code` `not_awaiting_evidence`)", body = Problem, content_type = "application/problem+json"),
))]
#[delete("/staff/{id}/awaiting-evidence")]
pub async fn unmark_staff_awaiting_evidence(
    state: web::Data<AppState>,
    rc: RequestContext,
    id: web::Path<i64>,
) -> ApiResult<web::Json<Person>> {
    Ok(web::Json(unmark(&state, &rc, PersonKind::Staff, id.into_inner()).await?))
}

/// Records to mark as awaiting evidence, or to take the mark back from.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BulkAwaiting {
    /// `student` (default) or `staff`.
    #[serde(default)]
    pub kind: PersonKind,
    pub person_ids: Vec<i64>,
    /// Answer what would happen without doing it.
    #[serde(default)]
    pub dry_run: bool,
}

/// What a bulk mark or unmark did (or, on a dry run, would do).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BulkAwaitingDone {
    pub dry_run: bool,
    /// Records changed (or that would be).
    pub changed: usize,
    pub person_ids: Vec<i64>,
    /// Records left alone, and why (`not_allowed`, `already_awaiting_evidence`,
    /// `not_awaiting_evidence`, `forbidden`, `not_found`).
    pub not_changed: Vec<NotAccepted>,
    /// Records left alone, by code.
    pub counts: BTreeMap<String, usize>,
}

fn refusal(id: i64, e: StoreError) -> NotAccepted {
    let (code, message) = match e {
        StoreError::Forbidden(m) => ("forbidden".to_owned(), m),
        StoreError::NotFound => {
            ("not_found".to_owned(), "Không tìm thấy hồ sơ trong phạm vi của tài khoản.".to_owned())
        }
        StoreError::State(f) => (f.code, f.message),
        StoreError::Invalid(errors) => errors
            .into_iter()
            .next()
            .map(|f| (f.code, f.message))
            .unwrap_or_else(|| ("invalid".to_owned(), String::new())),
        other => ("invalid".to_owned(), other.to_string()),
    };
    NotAccepted { person_id: id, code, message }
}

async fn awaiting_in_bulk(
    state: &AppState,
    rc: &RequestContext,
    body: &BulkAwaiting,
    on: bool,
) -> ApiResult<BulkAwaitingDone> {
    if body.person_ids.len() > 5_000 {
        return Err(ApiError::field("/personIds", "too_many", "Tối đa 5.000 hồ sơ một lần."));
    }
    let ctx = rc.audit();
    let out =
        v::awaiting_evidence_in_bulk(&state.store.db, &rc.caller, &ctx, body.kind, &body.person_ids, on, body.dry_run)
            .await?;
    let not_changed: Vec<NotAccepted> = out.refused.into_iter().map(|(id, e)| refusal(id, e)).collect();
    let mut counts = BTreeMap::new();
    for n in &not_changed {
        *counts.entry(n.code.clone()).or_insert(0) += 1;
    }
    Ok(BulkAwaitingDone {
        dry_run: body.dry_run,
        changed: out.changed.len(),
        person_ids: out.changed,
        not_changed,
        counts,
    })
}

/// Marks the named records as awaiting evidence, in one transaction (each one that cannot be is
/// listed with why); `dryRun` answers the same without doing it.
#[utoipa::path(tag = "verification", request_body = BulkAwaiting, responses(
    (status = 200, body = BulkAwaitingDone),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[post("/verification/awaiting-evidence")]
pub async fn mark_awaiting_evidence_in_bulk(
    state: web::Data<AppState>,
    rc: RequestContext,
    body: crate::body::Json<BulkAwaiting>,
) -> ApiResult<web::Json<BulkAwaitingDone>> {
    Ok(web::Json(awaiting_in_bulk(&state, &rc, &body, true).await?))
}

/// Takes the mark back from the named records (each returns to its status before the mark).
#[utoipa::path(tag = "verification", request_body = BulkAwaiting, responses(
    (status = 200, body = BulkAwaitingDone),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[delete("/verification/awaiting-evidence")]
pub async fn unmark_awaiting_evidence_in_bulk(
    state: web::Data<AppState>,
    rc: RequestContext,
    body: crate::body::Json<BulkAwaiting>,
) -> ApiResult<web::Json<BulkAwaitingDone>> {
    Ok(web::Json(awaiting_in_bulk(&state, &rc, &body, false).await?))
}

/// Values sent to the registry (the ID number masked unless the caller may edit the record).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SentValues {
    pub personal_id: Option<String>,
    pub full_name: Option<String>,
    pub date_of_birth: Option<String>,
    pub gender: Option<String>,
    pub residence: Option<crate::registry::Residence>,
}

/// One answer of the registry about a record.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VerificationEntry {
    pub id: i64,
    pub at: chrono::DateTime<chrono::Utc>,
    pub job_id: Option<i64>,
    pub outcome: HistoryOutcome,
    /// `mismatched`: `fullName`, `dateOfBirth`, `gender`, `residence`.
    pub fields: Vec<String>,
    pub sent_values: Option<SentValues>,
    /// The registry's values of the differing fields, when returned.
    pub registry_values: Option<RegistryValues>,
    /// False when the record changed while the request was in flight (history only).
    pub applied: bool,
    /// Why it was not applied, or the error's cause.
    pub note: Option<String>,
}

/// A record's verification history, newest first.
#[derive(Serialize, ToSchema)]
pub struct VerificationHistory {
    pub items: Vec<VerificationEntry>,
}

/// A stored outcome, sent values or registry values that do not read back are an error.
fn entry(h: verification_history::Model, full_id: bool) -> ApiResult<VerificationEntry> {
    let what = |column: &str| format!("verification_history.{column} of {}", h.id);
    let sent = match h.sent_values.as_deref() {
        Some(s) => Some(read_json::<serde_json::Value>(what("sent_values"), s)?),
        None => None,
    };
    let registry_values = match h.registry_values.as_deref() {
        Some(r) => Some(read_json(what("registry_values"), r)?),
        None => None,
    };
    let outcome = read_stored(what("outcome"), &h.outcome, HistoryOutcome::parse)?;
    let sent = sent.map(|v| {
        let text = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_owned);
        SentValues {
            personal_id: text("personalId").map(|p| if full_id { p } else { mask_personal_id(&p) }),
            full_name: text("fullName"),
            date_of_birth: text("dateOfBirth"),
            gender: text("gender"),
            residence: v.get("residence").and_then(|r| serde_json::from_value(r.clone()).ok()),
        }
    });
    Ok(VerificationEntry {
        id: h.id,
        at: h.at,
        job_id: h.job_id,
        outcome,
        fields: h.fields.unwrap_or_default().split(',').filter(|f| !f.is_empty()).map(str::to_owned).collect(),
        sent_values: sent,
        registry_values,
        applied: h.applied,
        note: h.note,
    })
}

async fn history(state: &AppState, caller: &Caller, kind: PersonKind, id: i64) -> ApiResult<VerificationHistory> {
    let (row, items) = v::history(&state.store.db, caller, kind, id).await?;
    let full = crate::store::people::can_write(caller, &row.unit);
    Ok(VerificationHistory { items: items.into_iter().map(|h| entry(h, full)).collect::<ApiResult<_>>()? })
}

/// Every answer the registry gave about a student, newest first.
#[utoipa::path(tag = "verification", params(("id" = i64, Path)), responses(
    (status = 200, body = VerificationHistory),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
#[get("/students/{id}/verifications")]
pub async fn student_verifications(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
) -> ApiResult<web::Json<VerificationHistory>> {
    Ok(web::Json(history(&state, &caller, PersonKind::Student, id.into_inner()).await?))
}

/// Same for a staff member.
#[utoipa::path(tag = "verification", params(("id" = i64, Path)), responses(
    (status = 200, body = VerificationHistory),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
#[get("/staff/{id}/verifications")]
pub async fn staff_verifications(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
) -> ApiResult<web::Json<VerificationHistory>> {
    Ok(web::Json(history(&state, &caller, PersonKind::Staff, id.into_inner()).await?))
}

/// Options of the evidence slips.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct SlipOptions {
    /// `a5` (default) or `a4`: one slip per page.
    pub paper: Option<crate::slips::Paper>,
    /// The day the papers are due (default: seven days from today).
    pub return_by: Option<chrono::NaiveDate>,
}

/// A printable page ("Phiếu bổ sung giấy tờ — 8A4") with one slip per student of the class
/// awaiting evidence, on its own A5 or A4 page: what to bring, the school's contact, the return
/// deadline and a tear-off return stub.
#[utoipa::path(tag = "verification", params(("id" = i64, Path), SlipOptions), responses(
    (status = 200, description = "Printable HTML page", content_type = "text/html"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
#[get("/classes/{id}/evidence-requests")]
pub async fn class_evidence_requests(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    options: web::Query<SlipOptions>,
) -> ApiResult<HttpResponse> {
    let (class, school, slips) = v::evidence_requests(&state.store.db, &caller, id.into_inner()).await?;
    let contact = crate::slips::SchoolContact {
        name: school.name.clone(),
        principal: school.principal.clone(),
        phone: school.phone.clone(),
        email: school.email.clone(),
        address: school.address.clone(),
    };
    let lines: Vec<crate::slips::Slip> = slips
        .iter()
        .map(|s| {
            let p = &s.person;
            crate::slips::Slip {
                full_name: p.norm_full_name.clone().or_else(|| p.full_name.clone()).unwrap_or_default(),
                date_of_birth: p
                    .norm_dob
                    .map(|d| d.format("%d/%m/%Y").to_string())
                    .or_else(|| p.date_of_birth.clone())
                    .unwrap_or_default(),
                documents: crate::slips::documents_to_bring(s.last_outcome.as_deref(), &s.fields),
            }
        })
        .collect();
    let return_by = options.return_by.unwrap_or_else(|| state.settings.clock.today() + chrono::Duration::days(7));
    let html = crate::slips::render(&class.name, &contact, &lines, return_by, options.paper.unwrap_or_default());
    Ok(HttpResponse::Ok().content_type("text/html; charset=utf-8").body(html))
}
