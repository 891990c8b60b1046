//! Recording what came back: an answer written onto its records in one transaction with the
//! batch's completion (only if the lease still holds), a failed call retried later or given up,
//! and jobs paused and resumed around registry outages.

use super::*;

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
    let txn = crate::store::begin_write(db).await?;
    if !close_batch(&txn, batch, batch_status, batch_error, at).await? {
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
    // a batch may carry the items of several jobs (see `claim_batch`): each answer is its job's
    let mut writes: BTreeMap<i64, Vec<(people::Model, StatusWrite)>> = BTreeMap::new();
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
            job_id: Set(Some(it.job_id)),
            item_id: Set(Some(item_id)),
            at: Set(at),
            outcome: Set(answer.history_outcome.to_owned()),
            fields: Set((!answer.fields.is_empty()).then(|| answer.fields.join(","))),
            // sealed once the ids are known, below
            sent_values: Set(Some(sent_values.to_string())),
            registry_values: Set(answer.registry_values.clone()),
            applied: Set(fresh),
            note: Set(note.clone()),
            ..Default::default()
        });
        let detail = (!answer.fields.is_empty()).then(|| answer.fields.join(","));
        by_outcome.entry((item_outcome.to_owned(), detail, note)).or_default().push(item_id);
        if fresh && let Some(p) = person {
            writes.entry(it.job_id).or_default().push((
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
        // what was sent carries the ID number: sealed, the history row's id as row key
        if crate::crypto::installed().is_some() {
            let ids = crate::store::sealing::reserve_ids(&txn, "verification_history", history.len()).await?;
            for (h, id) in history.iter_mut().zip(ids) {
                h.id = Set(id);
                if let sea_orm::ActiveValue::Set(Some(sent)) = &h.sent_values {
                    let sealed =
                        crate::store::sealing::seal_text("verification_history", "sent_values", id, sent.clone())?;
                    h.sent_values = Set(Some(sealed));
                }
            }
        }
        verification_history::Entity::insert_many(history).exec_without_returning(&txn).await?;
    }
    for (job_id, writes) in writes {
        let ctx = ctx.clone().with_source(Source::Registry, Some(format!("verification-job:{job_id}")));
        counters::write_statuses(&txn, &ctx, writes, at).await?;
    }
    let jobs: std::collections::BTreeSet<i64> = items.values().map(|i| i.job_id).collect();
    for job_id in jobs {
        finish_if_drained(&txn, job_id, at).await?;
    }
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

/// Resumes the jobs paused for this reason. The worker asks after every answer: a read first,
/// so that the usual case (nothing paused) takes no write lock (SQLite) and locks no row.
pub async fn resume_jobs<C: ConnectionTrait>(conn: &C, reason: &str) -> StoreResult<u64> {
    let paused = verification_jobs::Entity::find()
        .select_only()
        .column(verification_jobs::Column::Id)
        .filter(verification_jobs::Column::Status.eq(job_status::PAUSED))
        .filter(verification_jobs::Column::PauseReason.eq(reason))
        .into_tuple::<i64>()
        .one(conn)
        .await?;
    if paused.is_none() {
        return Ok(0);
    }
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
