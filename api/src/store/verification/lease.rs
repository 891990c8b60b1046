//! The worker's side of the protocol: claiming pending items (of one job or several) as a batch
//! leased to one instance, taking over batches whose lease ran out (sent again with the same
//! idempotency key), and finishing jobs that have nothing left in flight.

use super::*;

/// A batch this instance holds: the call to make and the lease's token.
#[derive(Debug, Clone)]
pub struct ClaimedBatch {
    pub key: String,
    /// The first of the jobs its items belong to (a call may carry several jobs' items; each
    /// item names its own job).
    pub job_id: i64,
    pub token: String,
    pub request: VerificationRequest,
    pub attempts: i32,
}

/// The request item of a record: its normalised values in the registry's formats.
pub fn request_item(item_id: i64, p: &people::Model) -> StoreResult<RequestItem> {
    let date_of_birth = match p.norm_dob {
        Some(d) => d.format("%Y-%m-%d").to_string(),
        // a year alone is sent as it is: read from the outcome (its partial date only, the
        // outcome's ID numbers stay sealed), which only records without a full date need
        None => crate::store::people::parse_outcome_sealed(p)?
            .normalized
            .date_of_birth_partial
            .filter(|d| d.len() == 4)
            .unwrap_or_default(),
    };
    Ok(RequestItem {
        request_id: item_id.to_string(),
        personal_id: crate::store::people::norm_personal_id_of(p)?.unwrap_or_default(),
        full_name: p.norm_full_name.clone().unwrap_or_default(),
        date_of_birth,
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
            let body = crate::store::sealing::open_text("verification_batches", "body", &c.key, &c.body)?;
            let request: VerificationRequest = serde_json::from_str(&body)
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

/// Claims up to `size` pending items and stores the call as a batch leased to `token`, in one
/// transaction: the oldest active job's items first, then the next job's, so that a job's last
/// items share a call with the next one's first. The registry's rate limit counts calls, and
/// with a job per school each school's last call would otherwise go out part-empty (a tenth of
/// the calls at 500 students a school). Items whose record can no longer be sent (deleted, or
/// with error findings now) are finished as skipped on the way.
pub async fn claim_batch(
    db: &DatabaseConnection,
    ctx: &AuditCtx,
    token: &str,
    size: u64,
    lease: Duration,
) -> StoreResult<Claim> {
    let jobs = verification_jobs::Entity::find()
        .filter(verification_jobs::Column::Status.is_in(job_status::ACTIVE))
        .order_by_asc(verification_jobs::Column::Id)
        .limit(16)
        .all(db)
        .await?;
    if jobs.is_empty() {
        return Ok(Claim { batch: None, finished_jobs: false });
    }
    let size = usize::try_from(size).unwrap_or(usize::MAX).max(1);
    let key = uuid::Uuid::new_v4().to_string();
    let at = now();
    let txn = crate::store::begin_write(db).await?;
    let mut request = VerificationRequest { items: Vec::with_capacity(size) };
    let mut first_job = None;
    let mut finished_jobs = false;
    'jobs: for job in &jobs {
        // a few rounds per job: items dropped on the way, or taken by another instance
        // meanwhile, leave room for more
        let mut sent_any = false;
        for _ in 0..4 {
            let room = size - request.items.len();
            if room == 0 {
                break 'jobs;
            }
            let pending = verification_job_items::Entity::find()
                .filter(verification_job_items::Column::JobId.eq(job.id))
                .filter(verification_job_items::Column::Status.eq(item::PENDING))
                .order_by_asc(verification_job_items::Column::Id)
                .limit(room as u64)
                .all(&txn)
                .await?;
            if pending.is_empty() {
                finished_jobs |= finish_if_drained(&txn, job.id, ctx.at).await?;
                break;
            }
            let sent = claim_items(&txn, ctx, &key, pending, at).await?;
            if !sent.is_empty() && !sent_any {
                sent_any = true;
                first_job.get_or_insert(job.id);
                mark_running(&txn, ctx, job, at).await?;
            }
            request.items.extend(sent);
        }
    }
    let Some(job_id) = first_job else {
        txn.commit().await?;
        return Ok(Claim { batch: None, finished_jobs });
    };
    verification_batches::ActiveModel {
        key: Set(key.clone()),
        // the first of the jobs its items belong to (each item names its own)
        job_id: Set(job_id),
        status: Set("open".to_owned()),
        // the items carry ID numbers: sealed whole, the batch's key as row key
        body: Set(crate::store::sealing::seal_text(
            "verification_batches",
            "body",
            &key,
            serde_json::to_string(&request).unwrap_or_default(),
        )?),
        claim_token: Set(token.to_owned()),
        lease_until: Set(at + lease),
        attempts: Set(0),
        last_error: Set(None),
        created_at: Set(at),
        updated_at: Set(at),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(Claim {
        batch: Some(ClaimedBatch { key, job_id, token: token.to_owned(), request, attempts: 0 }),
        finished_jobs,
    })
}

/// What a claim came to: a batch to send, and whether it finished jobs on the way (every item of
/// theirs already done or dropped).
#[derive(Debug)]
pub struct Claim {
    pub batch: Option<ClaimedBatch>,
    pub finished_jobs: bool,
}

/// Moves a job's pending items into the batch `key` (only those still pending: two instances
/// never get the same item) and answers their request items; items whose record can no longer
/// be sent are finished as skipped, their records back to the status they had.
async fn claim_items<C: ConnectionTrait>(
    txn: &C,
    ctx: &AuditCtx,
    key: &str,
    pending: Vec<verification_job_items::Model>,
    at: DateTime<Utc>,
) -> StoreResult<Vec<RequestItem>> {
    let ids: Vec<i64> = pending.iter().map(|i| i.id).collect();
    let won = verification_job_items::Entity::update_many()
        .col_expr(verification_job_items::Column::Status, Expr::value(item::SENDING))
        .col_expr(verification_job_items::Column::BatchKey, Expr::value(key))
        .col_expr(verification_job_items::Column::UpdatedAt, Expr::value(at))
        .filter(verification_job_items::Column::Id.is_in(ids.clone()))
        .filter(verification_job_items::Column::Status.eq(item::PENDING))
        .exec(txn)
        .await?
        .rows_affected;
    if won == 0 {
        return Ok(Vec::new());
    }
    // every item read as pending moved (the usual case): they are the claim; else another
    // instance took some meanwhile, and the claim is what moved
    let items = if usize::try_from(won).is_ok_and(|won| won == pending.len()) {
        pending
    } else {
        verification_job_items::Entity::find()
            .filter(verification_job_items::Column::BatchKey.eq(key))
            .filter(verification_job_items::Column::Id.is_in(ids))
            .order_by_asc(verification_job_items::Column::Id)
            .all(txn)
            .await?
    };
    let person_ids: Vec<i64> = items.iter().map(|i| i.person_id).collect();
    let persons: HashMap<i64, people::Model> = people::Entity::find()
        .filter(people::Column::Id.is_in(person_ids.clone()))
        .all(txn)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let mut request = VerificationRequest { items: Vec::with_capacity(items.len()) };
    let mut dropped = Vec::new();
    let mut dropped_details = Vec::new();
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
                // why, in the item's detail: an unreadable outcome, or the record's error codes
                // (read below for the dropped records only)
                let codes_of = match other {
                    Some((_, Err(_))) => None,
                    _ => Some(person.map(|p| p.id)),
                };
                dropped_details.push((it.id, codes_of));
                dropped.push(it.clone());
            }
        }
    }
    if !dropped_details.is_empty() {
        let with_codes: Vec<i64> = dropped_details.iter().filter_map(|(_, p)| p.flatten()).collect();
        let codes = error_codes(txn, &with_codes).await?;
        for (item_id, codes_of) in dropped_details {
            let detail = match codes_of {
                None => "stored_outcome_unreadable".to_owned(),
                Some(person_id) => person_id.and_then(|p| codes.get(&p)).map(|c| c.join(",")).unwrap_or_default(),
            };
            verification_job_items::Entity::update_many()
                .col_expr(verification_job_items::Column::Status, Expr::value(item::DONE))
                .col_expr(verification_job_items::Column::Outcome, Expr::value(item::SKIPPED))
                .col_expr(verification_job_items::Column::Detail, Expr::value(detail))
                .filter(verification_job_items::Column::Id.eq(item_id))
                .exec(txn)
                .await?;
        }
    }
    for (version, ids) in by_version {
        verification_job_items::Entity::update_many()
            .col_expr(verification_job_items::Column::SentVersion, Expr::value(version))
            .filter(verification_job_items::Column::Id.is_in(ids))
            .exec(txn)
            .await?;
    }
    restore_statuses(txn, ctx, &dropped, ctx.at).await?;
    Ok(request.items)
}

/// Marks a job running when its first items are claimed.
async fn mark_running<C: ConnectionTrait>(
    txn: &C,
    ctx: &AuditCtx,
    job: &verification_jobs::Model,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    if job.started_at.is_none() || job.status == job_status::QUEUED {
        verification_jobs::Entity::update_many()
            .col_expr(verification_jobs::Column::Status, Expr::value(job_status::RUNNING))
            .col_expr(verification_jobs::Column::StartedAt, Expr::value(Some(ctx.at)))
            .col_expr(verification_jobs::Column::UpdatedAt, Expr::value(at))
            .filter(verification_jobs::Column::Id.eq(job.id))
            .filter(verification_jobs::Column::Status.eq(job_status::QUEUED))
            .exec(txn)
            .await?;
    }
    Ok(())
}

/// Marks a job done when none of its items is pending or in flight; returns whether it did.
pub(super) async fn finish_if_drained<C: ConnectionTrait>(
    conn: &C,
    job_id: i64,
    at: DateTime<Utc>,
) -> StoreResult<bool> {
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

/// Takes the batch out of the lease holder's hands for good, if `token` still holds it. A closed
/// batch's `updated_at` is when its answer was written, by the application's clock: its body's
/// retention time counts from there (`store::retention`); no lease reads it any more.
pub(super) async fn close_batch<C: ConnectionTrait>(
    conn: &C,
    batch: &ClaimedBatch,
    status: &str,
    error: Option<String>,
    answered_at: DateTime<Utc>,
) -> StoreResult<bool> {
    let rows = verification_batches::Entity::update_many()
        .col_expr(verification_batches::Column::Status, Expr::value(status))
        .col_expr(verification_batches::Column::LastError, Expr::value(error))
        .col_expr(verification_batches::Column::UpdatedAt, Expr::value(answered_at))
        .filter(verification_batches::Column::Key.eq(batch.key.as_str()))
        .filter(verification_batches::Column::ClaimToken.eq(batch.token.as_str()))
        .filter(verification_batches::Column::Status.eq("open"))
        .exec(conn)
        .await?
        .rows_affected;
    Ok(rows == 1)
}
