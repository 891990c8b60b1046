//! Verification jobs, their items and batches, and each record's verification history.
//!
//! A job is created with its items in one transaction (pre-flight: records with `error`
//! findings become `skipped` items carrying their codes and are not sent). Workers claim up to
//! N pending items with a conditional `UPDATE … WHERE status = 'pending'` and store the call
//! they will make as a batch (its key is the idempotency key) with a lease; a batch whose lease
//! ran out (its instance died or lost it) is taken over with another conditional update and
//! sent again as the very same call. An answer is written only by the holder of the lease, in
//! one transaction with the batch's completion, so no item is counted twice.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};

use super::audit::{AuditCtx, Source};
use super::counters::{self, StatusWrite};
use super::entities::{
    people, person_findings, units, verification_batches, verification_history, verification_job_items,
    verification_jobs,
};
use super::people::{PersonChanges, PersonRow};
use super::{StoreError, StoreResult};
use crate::domain::access::Caller;
use crate::domain::org::VerificationStatus;
use crate::registry::{ItemOutcome, ItemResult, RegistryValues, RequestItem, Residence, VerificationRequest};
use crate::rules::{PersonKind, Severity};

/// Job statuses.
pub mod job_status {
    pub const QUEUED: &str = "queued";
    pub const RUNNING: &str = "running";
    pub const PAUSED: &str = "paused";
    pub const DONE: &str = "done";
    pub const CANCELLED: &str = "cancelled";
    /// Jobs a worker may take items from.
    pub const ACTIVE: [&str; 3] = [QUEUED, RUNNING, PAUSED];
}

/// Item statuses and outcomes.
pub mod item {
    pub const PENDING: &str = "pending";
    pub const SENDING: &str = "sending";
    pub const DONE: &str = "done";
    pub const VERIFIED: &str = "verified";
    pub const MISMATCHED: &str = "mismatched";
    pub const NOT_FOUND: &str = "not_found";
    pub const INVALID: &str = "invalid";
    pub const ERROR: &str = "error";
    /// The record changed while its request was in flight: the answer is history only.
    pub const CHANGED: &str = "changed";
    /// Pre-flight: the record has error findings ("sửa trước khi gửi").
    pub const SKIPPED: &str = "skipped";
    pub const CANCELLED: &str = "cancelled";
}

/// Why a job is paused.
pub const PAUSED_REGISTRY_UNAVAILABLE: &str = "registry_unavailable";

/// Which records a job sends.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct JobScope {
    /// Any unit in the caller's subtree (default: the caller's unit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class_id: Option<i64>,
    /// `student` or `staff`; default both.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<PersonKind>,
    /// Only these records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person_ids: Option<Vec<i64>>,
    /// Only records with these statuses (default: `not_sent`, `mismatched`, `not_found`,
    /// `error`). Records already `queued` in a job are never taken again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statuses: Option<Vec<VerificationStatus>>,
}

/// Statuses a job takes by default: everything not verified, not already queued, and not
/// waiting for the family's paper.
pub const DEFAULT_STATUSES: [VerificationStatus; 4] = [
    VerificationStatus::NotSent,
    VerificationStatus::Mismatched,
    VerificationStatus::NotFound,
    VerificationStatus::Error,
];

/// Counts of a job's items by outcome.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct JobTotals {
    /// Not answered yet (pending or in flight).
    pub queued: i64,
    pub verified: i64,
    pub mismatched: i64,
    pub not_found: i64,
    /// The registry called the item malformed.
    pub invalid: i64,
    /// No usable answer after every retry (the record's status is `error`).
    pub error: i64,
    /// Answered, but the record changed while its request was in flight: not applied.
    pub changed: i64,
    /// Pre-flight: not sent because of error findings ("sửa trước khi gửi").
    pub skipped: i64,
    pub cancelled: i64,
}

impl JobTotals {
    /// Items finished (everything but `queued`).
    pub fn done(&self) -> i64 {
        self.verified
            + self.mismatched
            + self.not_found
            + self.invalid
            + self.error
            + self.changed
            + self.skipped
            + self.cancelled
    }
}

/// A job with its totals.
#[derive(Debug, Clone)]
pub struct JobView {
    pub job: verification_jobs::Model,
    pub totals: JobTotals,
}

/// A record the pre-flight kept back, with its error codes.
#[derive(Debug, Clone)]
pub struct SkippedRecord {
    pub person_id: i64,
    pub kind: String,
    pub full_name: Option<String>,
    pub class_id: Option<i64>,
    pub codes: Vec<String>,
}

/// The time leases and retries are scheduled by: the system clock, because a lease must run
/// out for real for another instance (or process) to take the batch over. Business timestamps
/// (a record's status, its history, a job's start and end) come from the audit context instead,
/// which carries the application's clock.
fn now() -> DateTime<Utc> {
    Utc::now()
}

/// Creates a job over the scope and its items (all in one transaction); records sent get the
/// status `queued`.
pub async fn create_job(
    db: &DatabaseConnection,
    caller: &Caller,
    ctx: &AuditCtx,
    scope: JobScope,
) -> StoreResult<JobView> {
    let txn = super::begin_write(db).await?;
    let view = create_job_in(&txn, caller, ctx, scope).await?;
    txn.commit().await?;
    Ok(view)
}

/// [`create_job`] inside the caller's transaction.
pub async fn create_job_in<C: ConnectionTrait>(
    conn: &C,
    caller: &Caller,
    ctx: &AuditCtx,
    scope: JobScope,
) -> StoreResult<JobView> {
    let (unit_id, pattern) = match scope.unit_id {
        Some(id) => {
            let unit = super::units::get_scoped(conn, caller, id).await?;
            (unit.id, format!("{}%", unit.path))
        }
        None => (caller.unit_id, caller.subtree_pattern()),
    };
    let mut cond = Condition::all()
        .add(people::Column::DeletedAt.is_null())
        .add(people::Column::UnitId.in_subquery(super::people::units_under(pattern)));
    if let Some(class_id) = scope.class_id {
        super::classes::get_scoped(conn, caller, class_id)
            .await
            .map_err(|_| StoreError::invalid("/classId", "not_found", "Không tìm thấy lớp này."))?;
        cond = cond.add(people::Column::ClassId.eq(class_id));
    }
    if let Some(kind) = scope.kind {
        cond = cond.add(people::Column::Kind.eq(kind.as_str()));
    }
    if let Some(ids) = &scope.person_ids {
        cond = cond.add(people::Column::Id.is_in(ids.clone()));
    }
    let statuses: Vec<&str> = match &scope.statuses {
        Some(list) => list.iter().map(|s| s.as_str()).filter(|s| *s != VerificationStatus::Queued.as_str()).collect(),
        None => DEFAULT_STATUSES.iter().map(|s| s.as_str()).collect(),
    };
    cond = cond.add(people::Column::Status.is_in(statuses.clone()));

    let at = ctx.at;
    let job = verification_jobs::ActiveModel {
        status: Set(job_status::QUEUED.to_owned()),
        scope: Set(serde_json::to_string(&scope).unwrap_or_else(|_| "{}".to_owned())),
        unit_id: Set(unit_id),
        created_by_id: Set(ctx.actor_id),
        created_by: Set(ctx.actor.clone()),
        pause_reason: Set(None),
        total: Set(0),
        created_at: Set(at),
        started_at: Set(None),
        finished_at: Set(None),
        updated_at: Set(at),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    let queue_ctx = ctx.clone().with_source(ctx.source, Some(format!("verification-job:{}", job.id)));

    // One pass to find the records, then chunks by id.
    let all_ids: Vec<i64> = people::Entity::find()
        .select_only()
        .column(people::Column::Id)
        .filter(cond)
        .order_by_asc(people::Column::Id)
        .into_tuple()
        .all(conn)
        .await?;
    let mut total = 0i32;
    let mut sendable = 0;
    let postgres = conn.get_database_backend() == sea_orm::DatabaseBackend::Postgres;
    for ids in all_ids.chunks(500) {
        let mut query = people::Entity::find().filter(people::Column::Id.is_in(ids.to_vec()));
        if postgres {
            // Two jobs created at once must not both queue a record: lock the rows and re-check
            // their status (SQLite serialises writers at BEGIN IMMEDIATE already).
            query = query.lock_exclusive();
        }
        let mut chunk = query.order_by_asc(people::Column::Id).all(conn).await?;
        chunk.retain(|p| p.deleted_at.is_none() && statuses.contains(&p.status.as_str()));
        let ids: Vec<i64> = chunk.iter().filter(|p| p.error_count > 0).map(|p| p.id).collect();
        let codes = error_codes(conn, &ids).await?;
        let mut items = Vec::with_capacity(chunk.len());
        let mut queue = Vec::new();
        for p in chunk {
            total += 1;
            let skipped = p.error_count > 0;
            items.push(verification_job_items::ActiveModel {
                job_id: Set(job.id),
                person_id: Set(p.id),
                status: Set(if skipped { item::DONE } else { item::PENDING }.to_owned()),
                outcome: Set(skipped.then(|| item::SKIPPED.to_owned())),
                detail: Set(skipped.then(|| codes.get(&p.id).map(|c| c.join(",")).unwrap_or_default())),
                batch_key: Set(None),
                prev_status: Set(p.status.clone()),
                sent_version: Set(None),
                error: Set(None),
                updated_at: Set(at),
                ..Default::default()
            });
            if !skipped {
                sendable += 1;
                queue.push((
                    p,
                    StatusWrite { status: VerificationStatus::Queued, mismatch_fields: vec![], registry_values: None },
                ));
            }
        }
        verification_job_items::Entity::insert_many(items).exec_without_returning(conn).await?;
        counters::write_statuses(conn, &queue_ctx, queue, at).await?;
    }
    let mut active: verification_jobs::ActiveModel = job.into();
    active.total = Set(total);
    if sendable == 0 {
        active.status = Set(job_status::DONE.to_owned());
        active.finished_at = Set(Some(at));
    }
    let job = active.update(conn).await?;
    let totals = totals(conn, job.id).await?;
    Ok(JobView { job, totals })
}

/// Error finding codes of these records.
async fn error_codes<C: ConnectionTrait>(conn: &C, ids: &[i64]) -> StoreResult<HashMap<i64, Vec<String>>> {
    let mut out: HashMap<i64, Vec<String>> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let rows = person_findings::Entity::find()
        .filter(person_findings::Column::PersonId.is_in(ids.to_vec()))
        .filter(person_findings::Column::Severity.eq(Severity::Error.as_str()))
        .order_by_asc(person_findings::Column::Code)
        .all(conn)
        .await?;
    for r in rows {
        let codes = out.entry(r.person_id).or_default();
        if !codes.contains(&r.code) {
            codes.push(r.code);
        }
    }
    Ok(out)
}

/// Counts a job's items by outcome.
pub async fn totals<C: ConnectionTrait>(conn: &C, job_id: i64) -> StoreResult<JobTotals> {
    let rows: Vec<(String, Option<String>, i64)> = verification_job_items::Entity::find()
        .select_only()
        .column(verification_job_items::Column::Status)
        .column(verification_job_items::Column::Outcome)
        .column_as(verification_job_items::Column::Id.count(), "n")
        .filter(verification_job_items::Column::JobId.eq(job_id))
        .group_by(verification_job_items::Column::Status)
        .group_by(verification_job_items::Column::Outcome)
        .into_tuple()
        .all(conn)
        .await?;
    let mut t = JobTotals::default();
    for (status, outcome, n) in rows {
        if status != item::DONE {
            t.queued += n;
            continue;
        }
        match outcome.as_deref().unwrap_or("") {
            item::VERIFIED => t.verified += n,
            item::MISMATCHED => t.mismatched += n,
            item::NOT_FOUND => t.not_found += n,
            item::INVALID => t.invalid += n,
            item::CHANGED => t.changed += n,
            item::SKIPPED => t.skipped += n,
            item::CANCELLED => t.cancelled += n,
            _ => t.error += n,
        }
    }
    Ok(t)
}

async fn scoped_job<C: ConnectionTrait>(conn: &C, caller: &Caller, id: i64) -> StoreResult<verification_jobs::Model> {
    let job = verification_jobs::Entity::find_by_id(id).one(conn).await?.ok_or(StoreError::NotFound)?;
    super::units::get_scoped(conn, caller, job.unit_id).await?;
    Ok(job)
}

/// One job in the caller's scope.
pub async fn get_job<C: ConnectionTrait>(conn: &C, caller: &Caller, id: i64) -> StoreResult<JobView> {
    let job = scoped_job(conn, caller, id).await?;
    let totals = totals(conn, job.id).await?;
    Ok(JobView { job, totals })
}

/// Jobs of units in the caller's subtree, newest first.
pub async fn list_jobs<C: ConnectionTrait>(
    conn: &C,
    caller: &Caller,
    page: u64,
    page_size: u64,
) -> StoreResult<(Vec<JobView>, u64)> {
    let unit_ids = units::Entity::find()
        .select_only()
        .column(units::Column::Id)
        .filter(units::Column::Path.starts_with(&caller.unit_path));
    let base = verification_jobs::Entity::find()
        .filter(verification_jobs::Column::UnitId.in_subquery(sea_orm::QueryTrait::into_query(unit_ids)));
    let total = base.clone().count(conn).await?;
    let jobs = base
        .order_by_desc(verification_jobs::Column::Id)
        .offset(page.max(1).saturating_sub(1).saturating_mul(page_size))
        .limit(page_size)
        .all(conn)
        .await?;
    let mut out = Vec::with_capacity(jobs.len());
    for job in jobs {
        let totals = totals(conn, job.id).await?;
        out.push(JobView { job, totals });
    }
    Ok((out, total))
}

/// Records the pre-flight kept back, with their error codes (at most `limit`).
pub async fn skipped_records<C: ConnectionTrait>(conn: &C, job_id: i64, limit: u64) -> StoreResult<Vec<SkippedRecord>> {
    let items = verification_job_items::Entity::find()
        .filter(verification_job_items::Column::JobId.eq(job_id))
        .filter(verification_job_items::Column::Outcome.eq(item::SKIPPED))
        .order_by_asc(verification_job_items::Column::Id)
        .limit(limit)
        .all(conn)
        .await?;
    let ids: Vec<i64> = items.iter().map(|i| i.person_id).collect();
    let persons: HashMap<i64, people::Model> = if ids.is_empty() {
        HashMap::new()
    } else {
        people::Entity::find()
            .filter(people::Column::Id.is_in(ids))
            .all(conn)
            .await?
            .into_iter()
            .map(|p| (p.id, p))
            .collect()
    };
    Ok(items
        .into_iter()
        .map(|i| {
            let p = persons.get(&i.person_id);
            SkippedRecord {
                person_id: i.person_id,
                kind: p.map(|p| p.kind.clone()).unwrap_or_default(),
                full_name: p.and_then(|p| p.norm_full_name.clone().or_else(|| p.full_name.clone())),
                class_id: p.and_then(|p| p.class_id),
                codes: i.detail.unwrap_or_default().split(',').filter(|c| !c.is_empty()).map(str::to_owned).collect(),
            }
        })
        .collect())
}

/// Cancels a job: items not yet sent are cancelled and their records go back to the status
/// they had; calls already in flight still have their answers recorded.
pub async fn cancel_job(db: &DatabaseConnection, caller: &Caller, ctx: &AuditCtx, id: i64) -> StoreResult<JobView> {
    let txn = super::begin_write(db).await?;
    let job = scoped_job(&txn, caller, id).await?;
    if !super::units::get_scoped(&txn, caller, job.unit_id).await.is_ok_and(|u| caller.writes_unit(u.id, &u.path))
        && job.created_by_id != Some(caller.user_id)
    {
        return Err(StoreError::Forbidden("Chỉ người tạo hoặc đơn vị của lượt xác thực mới huỷ được.".to_owned()));
    }
    if job_status::ACTIVE.contains(&job.status.as_str()) {
        let at = ctx.at;
        // Cancel what is still pending (a worker may claim some meanwhile: the conditional
        // update decides), then read back exactly the items this cancel took.
        verification_job_items::Entity::update_many()
            .col_expr(verification_job_items::Column::Status, Expr::value(item::DONE))
            .col_expr(verification_job_items::Column::Outcome, Expr::value(item::CANCELLED))
            .col_expr(verification_job_items::Column::UpdatedAt, Expr::value(at))
            .filter(verification_job_items::Column::JobId.eq(id))
            .filter(verification_job_items::Column::Status.eq(item::PENDING))
            .exec(&txn)
            .await?;
        let pending = verification_job_items::Entity::find()
            .filter(verification_job_items::Column::JobId.eq(id))
            .filter(verification_job_items::Column::Outcome.eq(item::CANCELLED))
            .all(&txn)
            .await?;
        restore_statuses(&txn, ctx, &pending, at).await?;
        let mut active: verification_jobs::ActiveModel = job.into();
        active.status = Set(job_status::CANCELLED.to_owned());
        active.finished_at = Set(Some(at));
        active.updated_at = Set(at);
        active.pause_reason = Set(None);
        active.update(&txn).await?;
    }
    let view = get_job(&txn, caller, id).await?;
    txn.commit().await?;
    Ok(view)
}

/// Puts records still `queued` back to the status they had before their job.
async fn restore_statuses<C: ConnectionTrait>(
    conn: &C,
    ctx: &AuditCtx,
    items: &[verification_job_items::Model],
    at: DateTime<Utc>,
) -> StoreResult<()> {
    let prev: HashMap<i64, String> = items.iter().map(|i| (i.person_id, i.prev_status.clone())).collect();
    for chunk in items.chunks(500) {
        let ids: Vec<i64> = chunk.iter().map(|i| i.person_id).collect();
        let persons = people::Entity::find()
            .filter(people::Column::Id.is_in(ids))
            .filter(people::Column::Status.eq(VerificationStatus::Queued.as_str()))
            .all(conn)
            .await?;
        let writes = persons
            .into_iter()
            .map(|p| {
                let status =
                    prev.get(&p.id).and_then(|s| VerificationStatus::parse(s)).unwrap_or(VerificationStatus::NotSent);
                let fields = p.mismatch_fields.clone().unwrap_or_default();
                let w = StatusWrite {
                    status,
                    mismatch_fields: fields.split(',').filter(|f| !f.is_empty()).map(str::to_owned).collect(),
                    registry_values: None,
                };
                (p, w)
            })
            .collect();
        counters::write_statuses(conn, ctx, writes, at).await?;
    }
    Ok(())
}

/// A batch this instance holds: the call to make and the lease's token.
#[derive(Debug, Clone)]
pub struct ClaimedBatch {
    pub key: String,
    pub job_id: i64,
    pub token: String,
    pub request: VerificationRequest,
    pub attempts: i32,
}

/// The request item of a record: its normalised values in the registry's formats.
pub fn request_item(item_id: i64, p: &people::Model) -> StoreResult<RequestItem> {
    let partial = super::people::parse_outcome(p)?.normalized.date_of_birth_partial;
    Ok(RequestItem {
        request_id: item_id.to_string(),
        personal_id: p.norm_personal_id.clone().unwrap_or_default(),
        full_name: p.norm_full_name.clone().unwrap_or_default(),
        date_of_birth: p
            .norm_dob
            .map(|d| d.format("%Y-%m-%d").to_string())
            .or(partial.filter(|d| d.len() == 4))
            .unwrap_or_default(),
        gender: p.norm_gender.clone().unwrap_or_default(),
        residence: p
            .res_new_province_code
            .clone()
            .map(|province_code| Residence { province_code, commune_code: p.res_new_commune_code.clone() }),
    })
}

/// Takes over a batch whose lease ran out (its instance died, or is too slow), to send it again
/// with the same key and body.
pub async fn reclaim_expired(
    db: &DatabaseConnection,
    token: &str,
    lease: Duration,
) -> StoreResult<Option<ClaimedBatch>> {
    let at = now();
    let candidates = verification_batches::Entity::find()
        .filter(verification_batches::Column::Status.eq("open"))
        .filter(verification_batches::Column::LeaseUntil.lt(at))
        .order_by_asc(verification_batches::Column::LeaseUntil)
        .limit(4)
        .all(db)
        .await?;
    for c in candidates {
        let won = verification_batches::Entity::update_many()
            .col_expr(verification_batches::Column::ClaimToken, Expr::value(token))
            .col_expr(verification_batches::Column::LeaseUntil, Expr::value(at + lease))
            .col_expr(verification_batches::Column::UpdatedAt, Expr::value(at))
            .filter(verification_batches::Column::Key.eq(c.key.as_str()))
            .filter(verification_batches::Column::Status.eq("open"))
            .filter(verification_batches::Column::LeaseUntil.lt(at))
            .exec(db)
            .await?
            .rows_affected;
        if won == 1 {
            let request: VerificationRequest = serde_json::from_str(&c.body)
                .map_err(|e| StoreError::Db(sea_orm::DbErr::Custom(format!("stored batch body: {e}"))))?;
            return Ok(Some(ClaimedBatch {
                key: c.key,
                job_id: c.job_id,
                token: token.to_owned(),
                request,
                attempts: c.attempts,
            }));
        }
    }
    Ok(None)
}

/// Claims up to `size` pending items of the oldest active job and stores the call as a batch
/// leased to `token`. Items whose record can no longer be sent (deleted, or with error
/// findings now) are finished as skipped on the way.
pub async fn claim_batch(
    db: &DatabaseConnection,
    ctx: &AuditCtx,
    token: &str,
    size: u64,
    lease: Duration,
) -> StoreResult<Claim> {
    let mut finished_jobs = false;
    let jobs = verification_jobs::Entity::find()
        .filter(verification_jobs::Column::Status.is_in(job_status::ACTIVE))
        .order_by_asc(verification_jobs::Column::Id)
        .limit(16)
        .all(db)
        .await?;
    for job in jobs {
        for _ in 0..4 {
            let ids: Vec<i64> = verification_job_items::Entity::find()
                .select_only()
                .column(verification_job_items::Column::Id)
                .filter(verification_job_items::Column::JobId.eq(job.id))
                .filter(verification_job_items::Column::Status.eq(item::PENDING))
                .order_by_asc(verification_job_items::Column::Id)
                .limit(size)
                .into_tuple()
                .all(db)
                .await?;
            if ids.is_empty() {
                finished_jobs |= finish_if_drained(db, job.id, ctx.at).await?;
                break;
            }
            match claim_items(db, ctx, token, &job, ids, lease).await? {
                Ok(batch) => return Ok(Claim { batch: Some(batch), finished_jobs }),
                Err(finished) => finished_jobs |= finished,
            }
        }
    }
    Ok(Claim { batch: None, finished_jobs })
}

/// What a claim came to: a batch to send, and whether it finished jobs on the way (every item of
/// theirs already done or dropped).
#[derive(Debug)]
pub struct Claim {
    pub batch: Option<ClaimedBatch>,
    pub finished_jobs: bool,
}

async fn claim_items(
    db: &DatabaseConnection,
    ctx: &AuditCtx,
    token: &str,
    job: &verification_jobs::Model,
    ids: Vec<i64>,
    lease: Duration,
) -> StoreResult<Result<ClaimedBatch, bool>> {
    let key = uuid::Uuid::new_v4().to_string();
    let at = now();
    let txn = super::begin_write(db).await?;
    // The claim itself: only rows still pending move, so two instances never get the same item.
    let won = verification_job_items::Entity::update_many()
        .col_expr(verification_job_items::Column::Status, Expr::value(item::SENDING))
        .col_expr(verification_job_items::Column::BatchKey, Expr::value(key.as_str()))
        .col_expr(verification_job_items::Column::UpdatedAt, Expr::value(at))
        .filter(verification_job_items::Column::Id.is_in(ids))
        .filter(verification_job_items::Column::Status.eq(item::PENDING))
        .exec(&txn)
        .await?
        .rows_affected;
    if won == 0 {
        txn.rollback().await?;
        return Ok(Err(false));
    }
    let items = verification_job_items::Entity::find()
        .filter(verification_job_items::Column::BatchKey.eq(key.as_str()))
        .order_by_asc(verification_job_items::Column::Id)
        .all(&txn)
        .await?;
    let person_ids: Vec<i64> = items.iter().map(|i| i.person_id).collect();
    let persons: HashMap<i64, people::Model> = people::Entity::find()
        .filter(people::Column::Id.is_in(person_ids.clone()))
        .all(&txn)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let codes = error_codes(&txn, &person_ids).await?;
    let mut request = VerificationRequest { items: Vec::with_capacity(items.len()) };
    let mut dropped = Vec::new();
    let mut by_version: BTreeMap<i32, Vec<i64>> = BTreeMap::new();
    for it in &items {
        let person = persons.get(&it.person_id);
        // A record whose stored outcome does not read back is not sent (and is logged).
        let sendable =
            person.filter(|p| p.deleted_at.is_none() && p.error_count == 0).map(|p| (p, request_item(it.id, p)));
        match sendable {
            Some((p, Ok(request_item))) => {
                request.items.push(request_item);
                by_version.entry(p.version).or_default().push(it.id);
            }
            other => {
                let p = person;
                let detail = match other {
                    Some((_, Err(_))) => "stored_outcome_unreadable".to_owned(),
                    _ => p.and_then(|p| codes.get(&p.id)).map(|c| c.join(",")).unwrap_or_default(),
                };
                verification_job_items::Entity::update_many()
                    .col_expr(verification_job_items::Column::Status, Expr::value(item::DONE))
                    .col_expr(verification_job_items::Column::Outcome, Expr::value(item::SKIPPED))
                    .col_expr(verification_job_items::Column::Detail, Expr::value(detail))
                    .filter(verification_job_items::Column::Id.eq(it.id))
                    .exec(&txn)
                    .await?;
                dropped.push(it.clone());
            }
        }
    }
    for (version, ids) in by_version {
        verification_job_items::Entity::update_many()
            .col_expr(verification_job_items::Column::SentVersion, Expr::value(version))
            .filter(verification_job_items::Column::Id.is_in(ids))
            .exec(&txn)
            .await?;
    }
    restore_statuses(&txn, ctx, &dropped, ctx.at).await?;
    if request.items.is_empty() {
        let finished = finish_if_drained(&txn, job.id, ctx.at).await?;
        txn.commit().await?;
        return Ok(Err(finished));
    }
    verification_batches::ActiveModel {
        key: Set(key.clone()),
        job_id: Set(job.id),
        status: Set("open".to_owned()),
        body: Set(serde_json::to_string(&request).unwrap_or_default()),
        claim_token: Set(token.to_owned()),
        lease_until: Set(at + lease),
        attempts: Set(0),
        last_error: Set(None),
        created_at: Set(at),
        updated_at: Set(at),
    }
    .insert(&txn)
    .await?;
    if job.started_at.is_none() || job.status == job_status::QUEUED {
        verification_jobs::Entity::update_many()
            .col_expr(verification_jobs::Column::Status, Expr::value(job_status::RUNNING))
            .col_expr(verification_jobs::Column::StartedAt, Expr::value(Some(ctx.at)))
            .col_expr(verification_jobs::Column::UpdatedAt, Expr::value(at))
            .filter(verification_jobs::Column::Id.eq(job.id))
            .filter(verification_jobs::Column::Status.eq(job_status::QUEUED))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(Ok(ClaimedBatch { key, job_id: job.id, token: token.to_owned(), request, attempts: 0 }))
}

/// Marks a job done when none of its items is pending or in flight; returns whether it did.
async fn finish_if_drained<C: ConnectionTrait>(conn: &C, job_id: i64, at: DateTime<Utc>) -> StoreResult<bool> {
    // Existence, not a count: a count walks every pending item of a large job on each batch.
    let open: Option<i64> = verification_job_items::Entity::find()
        .select_only()
        .column(verification_job_items::Column::Id)
        .filter(verification_job_items::Column::JobId.eq(job_id))
        .filter(verification_job_items::Column::Status.is_in([item::PENDING, item::SENDING]))
        .limit(1)
        .into_tuple()
        .one(conn)
        .await?;
    if open.is_some() {
        return Ok(false);
    }
    let finished = verification_jobs::Entity::update_many()
        .col_expr(verification_jobs::Column::Status, Expr::value(job_status::DONE))
        .col_expr(verification_jobs::Column::FinishedAt, Expr::value(Some(at)))
        .col_expr(verification_jobs::Column::UpdatedAt, Expr::value(at))
        .col_expr(verification_jobs::Column::PauseReason, Expr::value(Option::<String>::None))
        .filter(verification_jobs::Column::Id.eq(job_id))
        .filter(verification_jobs::Column::Status.is_in(job_status::ACTIVE))
        .exec(conn)
        .await?;
    Ok(finished.rows_affected > 0)
}

/// Takes the batch out of the lease holder's hands for good, if `token` still holds it.
async fn close_batch<C: ConnectionTrait>(
    conn: &C,
    batch: &ClaimedBatch,
    status: &str,
    error: Option<String>,
) -> StoreResult<bool> {
    let rows = verification_batches::Entity::update_many()
        .col_expr(verification_batches::Column::Status, Expr::value(status))
        .col_expr(verification_batches::Column::LastError, Expr::value(error))
        .col_expr(verification_batches::Column::UpdatedAt, Expr::value(now()))
        .filter(verification_batches::Column::Key.eq(batch.key.as_str()))
        .filter(verification_batches::Column::ClaimToken.eq(batch.token.as_str()))
        .filter(verification_batches::Column::Status.eq("open"))
        .exec(conn)
        .await?
        .rows_affected;
    Ok(rows == 1)
}

/// One answer to write.
struct Answer {
    item_outcome: &'static str,
    status: VerificationStatus,
    fields: Vec<String>,
    registry_values: Option<String>,
    history_outcome: &'static str,
    note: Option<String>,
}

fn answer_of(r: &ItemResult) -> Answer {
    let fields: Vec<String> = r.fields.iter().map(|f| f.as_str().to_owned()).collect();
    match r.outcome {
        ItemOutcome::Matched => Answer {
            item_outcome: item::VERIFIED,
            status: VerificationStatus::Verified,
            fields,
            registry_values: None,
            history_outcome: "matched",
            note: None,
        },
        ItemOutcome::Mismatched => Answer {
            item_outcome: item::MISMATCHED,
            status: VerificationStatus::Mismatched,
            fields,
            registry_values: r.registry_values.as_ref().and_then(|v| serde_json::to_string(v).ok()),
            history_outcome: "mismatched",
            note: None,
        },
        ItemOutcome::NotFound => Answer {
            item_outcome: item::NOT_FOUND,
            status: VerificationStatus::NotFound,
            fields,
            registry_values: None,
            history_outcome: "not_found",
            note: None,
        },
        ItemOutcome::Invalid => Answer {
            item_outcome: item::INVALID,
            status: VerificationStatus::Error,
            fields,
            registry_values: None,
            history_outcome: "invalid",
            note: Some(format!("invalid: {}", r.reason.as_deref().unwrap_or("malformed item"))),
        },
    }
}

/// Writes a checked answer, if `batch.token` still holds the batch (else another instance
/// took it over and will write it: returns false). A record is marked only when it still
/// holds exactly the values that were sent; otherwise the answer is history only.
pub async fn complete_batch(
    db: &DatabaseConnection,
    ctx: &AuditCtx,
    batch: &ClaimedBatch,
    results: &[ItemResult],
) -> StoreResult<bool> {
    let by_id: HashMap<&str, &ItemResult> = results.iter().map(|r| (r.request_id.as_str(), r)).collect();
    let answers: Vec<(i64, Answer)> = batch
        .request
        .items
        .iter()
        .filter_map(|i| Some((i.request_id.parse::<i64>().ok()?, answer_of(by_id.get(i.request_id.as_str())?))))
        .collect();
    write_answers(db, ctx, batch, answers, "done", None).await
}

/// A call that gave no usable answer.
#[derive(Debug, Clone)]
pub struct Failure<'a> {
    pub cause: &'a str,
    /// Counts toward `max_attempts` (not when nothing was sent because the breaker is open).
    pub count_attempt: bool,
    /// Retrying cannot help (the registry refused the call).
    pub give_up: bool,
    /// When the batch may be sent again.
    pub retry_at: DateTime<Utc>,
    pub max_attempts: u32,
}

/// Records a failed call. Retryable failures leave the batch open with its lease pushed to
/// `retry_at` (any instance sends it again then, with the same key), until `max_attempts`;
/// after that, or for a refusal, the items end as `error` with the cause.
pub async fn fail_batch(
    db: &DatabaseConnection,
    ctx: &AuditCtx,
    batch: &ClaimedBatch,
    failure: Failure<'_>,
) -> StoreResult<()> {
    let Failure { cause, count_attempt, give_up, retry_at, max_attempts } = failure;
    let attempts = batch.attempts + i32::from(count_attempt);
    if give_up || attempts >= i32::try_from(max_attempts).unwrap_or(i32::MAX) {
        let answers = batch
            .request
            .items
            .iter()
            .filter_map(|i| i.request_id.parse::<i64>().ok())
            .map(|id| {
                (
                    id,
                    Answer {
                        item_outcome: item::ERROR,
                        status: VerificationStatus::Error,
                        fields: vec![],
                        registry_values: None,
                        history_outcome: "error",
                        note: Some(cause.to_owned()),
                    },
                )
            })
            .collect();
        write_answers(db, ctx, batch, answers, "failed", Some(cause.to_owned())).await?;
        return Ok(());
    }
    verification_batches::Entity::update_many()
        .col_expr(verification_batches::Column::Attempts, Expr::value(attempts))
        .col_expr(verification_batches::Column::LeaseUntil, Expr::value(retry_at))
        .col_expr(verification_batches::Column::LastError, Expr::value(cause))
        .col_expr(verification_batches::Column::UpdatedAt, Expr::value(now()))
        .filter(verification_batches::Column::Key.eq(batch.key.as_str()))
        .filter(verification_batches::Column::ClaimToken.eq(batch.token.as_str()))
        .filter(verification_batches::Column::Status.eq("open"))
        .exec(db)
        .await?;
    Ok(())
}

async fn write_answers(
    db: &DatabaseConnection,
    ctx: &AuditCtx,
    batch: &ClaimedBatch,
    answers: Vec<(i64, Answer)>,
    batch_status: &str,
    batch_error: Option<String>,
) -> StoreResult<bool> {
    let at = ctx.at;
    let txn = super::begin_write(db).await?;
    if !close_batch(&txn, batch, batch_status, batch_error).await? {
        txn.rollback().await?;
        return Ok(false);
    }
    let items: HashMap<i64, verification_job_items::Model> = verification_job_items::Entity::find()
        .filter(verification_job_items::Column::BatchKey.eq(batch.key.as_str()))
        .filter(verification_job_items::Column::Status.eq(item::SENDING))
        .all(&txn)
        .await?
        .into_iter()
        .map(|i| (i.id, i))
        .collect();
    let person_ids: Vec<i64> = items.values().map(|i| i.person_id).collect();
    let persons: HashMap<i64, people::Model> = people::Entity::find()
        .filter(people::Column::Id.is_in(person_ids))
        .all(&txn)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let sent: HashMap<i64, &RequestItem> =
        batch.request.items.iter().filter_map(|i| Some((i.request_id.parse::<i64>().ok()?, i))).collect();
    let mut writes = Vec::new();
    let mut history = Vec::new();
    let mut by_outcome: BTreeMap<(String, Option<String>, Option<String>), Vec<i64>> = BTreeMap::new();
    for (item_id, answer) in answers {
        let Some(it) = items.get(&item_id) else { continue };
        let Some(sent_item) = sent.get(&item_id) else { continue };
        let person = persons.get(&it.person_id);
        // Exactly the values sent: same version and the same request built from the record now.
        let fresh = person.is_some_and(|p| {
            p.deleted_at.is_none()
                && Some(p.version) == it.sent_version
                && request_item(item_id, p).is_ok_and(|now| now == **sent_item)
        });
        let mut sent_values = serde_json::to_value(sent_item).unwrap_or_default();
        if let Some(o) = sent_values.as_object_mut() {
            o.remove("requestId");
        }
        let (item_outcome, note) = if fresh {
            (answer.item_outcome, answer.note.clone())
        } else {
            (item::CHANGED, Some("record changed while the request was in flight: not applied".to_owned()))
        };
        history.push(verification_history::ActiveModel {
            person_id: Set(it.person_id),
            job_id: Set(Some(batch.job_id)),
            item_id: Set(Some(item_id)),
            at: Set(at),
            outcome: Set(answer.history_outcome.to_owned()),
            fields: Set((!answer.fields.is_empty()).then(|| answer.fields.join(","))),
            sent_values: Set(Some(sent_values.to_string())),
            registry_values: Set(answer.registry_values.clone()),
            applied: Set(fresh),
            note: Set(note.clone()),
            ..Default::default()
        });
        let detail = (!answer.fields.is_empty()).then(|| answer.fields.join(","));
        by_outcome.entry((item_outcome.to_owned(), detail, note)).or_default().push(item_id);
        if fresh && let Some(p) = person {
            writes.push((
                p.clone(),
                StatusWrite {
                    status: answer.status,
                    mismatch_fields: answer.fields,
                    registry_values: Some(answer.registry_values),
                },
            ));
        }
    }
    for ((outcome, detail, note), ids) in by_outcome {
        verification_job_items::Entity::update_many()
            .col_expr(verification_job_items::Column::Status, Expr::value(item::DONE))
            .col_expr(verification_job_items::Column::Outcome, Expr::value(outcome))
            .col_expr(verification_job_items::Column::Detail, Expr::value(detail))
            .col_expr(verification_job_items::Column::Error, Expr::value(note))
            .col_expr(verification_job_items::Column::UpdatedAt, Expr::value(at))
            .filter(verification_job_items::Column::Id.is_in(ids))
            .filter(verification_job_items::Column::Status.eq(item::SENDING))
            .exec(&txn)
            .await?;
    }
    if !history.is_empty() {
        verification_history::Entity::insert_many(history).exec_without_returning(&txn).await?;
    }
    let ctx = ctx.clone().with_source(Source::Registry, Some(format!("verification-job:{}", batch.job_id)));
    counters::write_statuses(&txn, &ctx, writes, at).await?;
    finish_if_drained(&txn, batch.job_id, ctx.at).await?;
    txn.commit().await?;
    Ok(true)
}

/// Pauses the active jobs that still have work (the registry is unavailable).
pub async fn pause_jobs<C: ConnectionTrait>(conn: &C, reason: &str) -> StoreResult<u64> {
    Ok(verification_jobs::Entity::update_many()
        .col_expr(verification_jobs::Column::Status, Expr::value(job_status::PAUSED))
        .col_expr(verification_jobs::Column::PauseReason, Expr::value(reason))
        .col_expr(verification_jobs::Column::UpdatedAt, Expr::value(now()))
        .filter(verification_jobs::Column::Status.is_in([job_status::QUEUED, job_status::RUNNING]))
        .exec(conn)
        .await?
        .rows_affected)
}

/// Resumes the jobs paused for this reason.
pub async fn resume_jobs<C: ConnectionTrait>(conn: &C, reason: &str) -> StoreResult<u64> {
    Ok(verification_jobs::Entity::update_many()
        .col_expr(verification_jobs::Column::Status, Expr::value(job_status::RUNNING))
        .col_expr(verification_jobs::Column::PauseReason, Expr::value(Option::<String>::None))
        .col_expr(verification_jobs::Column::UpdatedAt, Expr::value(now()))
        .filter(verification_jobs::Column::Status.eq(job_status::PAUSED))
        .filter(verification_jobs::Column::PauseReason.eq(reason))
        .exec(conn)
        .await?
        .rows_affected)
}

/// A record's verification history (newest first), for a caller who may read it.
pub async fn history<C: ConnectionTrait>(
    conn: &C,
    caller: &Caller,
    kind: PersonKind,
    person_id: i64,
) -> StoreResult<(PersonRow, Vec<verification_history::Model>)> {
    let row = super::people::get(conn, caller, kind, person_id).await?;
    let items = verification_history::Entity::find()
        .filter(verification_history::Column::PersonId.eq(person_id))
        .order_by_desc(verification_history::Column::Id)
        .all(conn)
        .await?;
    Ok((row, items))
}

/// The changes that copy the registry's values into a record's entered fields.
pub fn changes_from_registry(values: &RegistryValues) -> PersonChanges {
    use crate::domain::admin_units::{Scheme, units};
    use crate::domain::identity::IdentityField as F;
    let mut c = PersonChanges::default();
    let patch = &mut c.identity;
    if let Some(name) = &values.full_name {
        patch.set(F::FullName, Some(name.clone()));
    }
    if let Some(dob) = &values.date_of_birth {
        let shown = chrono::NaiveDate::parse_from_str(dob, "%Y-%m-%d")
            .map(|d| d.format("%d/%m/%Y").to_string())
            .unwrap_or_else(|_| dob.clone());
        patch.set(F::DateOfBirth, Some(shown));
    }
    if let Some(gender) = &values.gender {
        patch.set(F::Gender, Some(gender.clone()));
    }
    if let Some(r) = &values.residence {
        let u = units();
        let province = u.province_name(Scheme::Post2025, &r.province_code).map(str::to_owned);
        let commune =
            r.commune_code.as_deref().and_then(|code| u.commune_name(Scheme::Post2025, code)).map(str::to_owned);
        if province.is_some() {
            patch.set(F::ResidenceProvince, province);
            patch.set(F::ResidenceDistrict, None);
            patch.set(F::ResidenceCommune, commune);
        }
    }
    c
}

/// Copies the registry's values of a mismatched record into its fields (audited with source
/// `registry`), in the caller's transaction. Returns the updated record.
pub async fn accept_registry_values_in<C: ConnectionTrait>(
    conn: &C,
    caller: &Caller,
    ctx: &AuditCtx,
    row: PersonRow,
) -> StoreResult<people::Model> {
    if !super::people::can_write(caller, &row) {
        return Err(StoreError::Forbidden("Tài khoản chỉ xem được hồ sơ này, không sửa được.".to_owned()));
    }
    let p = &row.person;
    let values: Option<RegistryValues> = (p.status == VerificationStatus::Mismatched.as_str())
        .then(|| p.registry_values.as_deref().and_then(|v| serde_json::from_str(v).ok()))
        .flatten();
    let Some(values) = values else {
        return Err(StoreError::invalid(
            "/status",
            "no_registry_values",
            "Hồ sơ này không có giá trị từ CSDL quốc gia để nhận (chỉ hồ sơ sai thông tin có giá trị trả về).",
        ));
    };
    let ctx = ctx.clone().with_source(Source::Registry, Some(format!("person:{}", p.id)));
    let changes = changes_from_registry(&values);
    let updated = super::people::update_in(conn, caller, &ctx, row, changes).await?;
    // The values are taken; clear them so they are not offered again.
    let mut active: people::ActiveModel = updated.into();
    active.registry_values = Set(None);
    Ok(active.update(conn).await?)
}

/// Marks a record as waiting for the family's evidence (the ID-number notice).
pub async fn mark_awaiting_evidence(
    db: &DatabaseConnection,
    caller: &Caller,
    ctx: &AuditCtx,
    kind: PersonKind,
    id: i64,
) -> StoreResult<people::Model> {
    let txn = super::begin_write(db).await?;
    let row = super::people::get(&txn, caller, kind, id).await?;
    if !super::people::can_write(caller, &row) {
        return Err(StoreError::Forbidden("Tài khoản chỉ xem được hồ sơ này, không sửa được.".to_owned()));
    }
    let status = row.person.status.as_str();
    if status == VerificationStatus::Verified.as_str() || status == VerificationStatus::Queued.as_str() {
        return Err(StoreError::invalid(
            "/status",
            "not_allowed",
            "Hồ sơ đã xác thực hoặc đang chờ xác thực không cần giấy xác nhận.",
        ));
    }
    let fields = row.person.mismatch_fields.clone().unwrap_or_default();
    let write = StatusWrite {
        status: VerificationStatus::AwaitingEvidence,
        mismatch_fields: fields.split(',').filter(|f| !f.is_empty()).map(str::to_owned).collect(),
        registry_values: None,
    };
    let mut after = counters::write_statuses(&txn, ctx, vec![(row.person, write)], ctx.at).await?;
    txn.commit().await?;
    after.pop().ok_or(StoreError::NotFound)
}

/// What a student of the class needs to bring, per record awaiting evidence.
#[derive(Debug, Clone)]
pub struct EvidenceSlip {
    pub person: people::Model,
    /// The mismatch fields of the last answer (empty for a record not found).
    pub fields: Vec<String>,
    /// The last answer's outcome (`mismatched`, `not_found`, …), if any.
    pub last_outcome: Option<String>,
}

/// The records of a class waiting for evidence, with what the registry last said.
pub async fn evidence_requests<C: ConnectionTrait>(
    conn: &C,
    caller: &Caller,
    class_id: i64,
) -> StoreResult<(super::entities::classes::Model, units::Model, Vec<EvidenceSlip>)> {
    let (class, school) = super::classes::get_scoped(conn, caller, class_id).await?;
    let persons = people::Entity::find()
        .filter(people::Column::ClassId.eq(class_id))
        .filter(people::Column::DeletedAt.is_null())
        .filter(people::Column::Status.eq(VerificationStatus::AwaitingEvidence.as_str()))
        .order_by_asc(people::Column::SortKey)
        .all(conn)
        .await?;
    let mut slips = Vec::with_capacity(persons.len());
    for p in persons {
        let last = verification_history::Entity::find()
            .filter(verification_history::Column::PersonId.eq(p.id))
            .order_by_desc(verification_history::Column::Id)
            .one(conn)
            .await?;
        let fields = last
            .as_ref()
            .and_then(|h| h.fields.clone())
            .unwrap_or_default()
            .split(',')
            .filter(|f| !f.is_empty())
            .map(str::to_owned)
            .collect();
        slips.push(EvidenceSlip { person: p, fields, last_outcome: last.map(|h| h.outcome) });
    }
    Ok((class, school, slips))
}

/// Ids of the mismatched records with registry values in a scope (for the bulk accept).
pub async fn mismatched_with_values<C: ConnectionTrait>(
    conn: &C,
    caller: &Caller,
    kind: PersonKind,
    unit_id: Option<i64>,
    class_id: Option<i64>,
) -> StoreResult<Vec<i64>> {
    let pattern = match unit_id {
        Some(id) => format!("{}%", super::units::get_scoped(conn, caller, id).await?.path),
        None => caller.subtree_pattern(),
    };
    let mut q = people::Entity::find()
        .select_only()
        .column(people::Column::Id)
        .filter(people::Column::DeletedAt.is_null())
        .filter(people::Column::Kind.eq(kind.as_str()))
        .filter(people::Column::UnitId.in_subquery(super::people::units_under(pattern)))
        .filter(people::Column::Status.eq(VerificationStatus::Mismatched.as_str()))
        .filter(people::Column::RegistryValues.is_not_null());
    if let Some(class_id) = class_id {
        q = q.filter(people::Column::ClassId.eq(class_id));
    }
    Ok(q.order_by_asc(people::Column::Id).into_tuple().all(conn).await?)
}
