//! Verification jobs as the API sees them: creating one over a scope (records with error
//! findings skipped before sending), reading and listing them with their totals, and cancelling
//! (records not yet sent go back to the status they had).

use super::*;

/// Creates a job over the scope and its items (all in one transaction); records sent get the
/// status `queued`.
pub async fn create_job(
    db: &DatabaseConnection,
    caller: &Caller,
    ctx: &AuditCtx,
    scope: JobScope,
) -> StoreResult<JobView> {
    let txn = crate::store::begin_write(db).await?;
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
            let unit = crate::store::units::get_scoped(conn, caller, id).await?;
            may_send(caller, unit.id, &unit.path)?;
            (unit.id, format!("{}%", unit.path))
        }
        None => (caller.unit_id, caller.subtree_pattern()),
    };
    let mut cond = Condition::all()
        .add(people::Column::DeletedAt.is_null())
        .add(people::Column::UnitId.in_subquery(crate::store::people::units_under(pattern)));
    // only the records the caller edits: a school's own, an office's own staff (whatever the role)
    cond = cond.add(people::Column::UnitId.eq(caller.unit_id));
    if let Some(class_id) = scope.class_id {
        let (_, school) = crate::store::classes::get_scoped(conn, caller, class_id)
            .await
            .map_err(|_| StoreError::missing("/classId", "Không tìm thấy lớp này."))?;
        may_send(caller, school.id, &school.path)?;
        cond = cond.add(people::Column::ClassId.eq(class_id));
    }
    if scope.kind == Some(PersonKind::Student) && !caller.writes_students() {
        return Err(not_a_sender());
    }
    if let Some(kind) = scope.kind {
        cond = cond.add(people::Column::Kind.eq(kind.as_str()));
    }
    let statuses: Vec<&str> = match &scope.statuses {
        Some(list) => list.iter().map(|s| s.as_str()).filter(|s| *s != VerificationStatus::Queued.as_str()).collect(),
        None => DEFAULT_STATUSES.iter().map(|s| s.as_str()).collect(),
    };
    // a mismatched record unchanged since its answer (a change sends it back to `not_sent`) is
    // asked again only when named
    let resend_mismatched = scope.person_ids.is_some();
    let counts = send_counts(conn, cond.clone(), scope.person_ids.as_deref(), &statuses, resend_mismatched).await?;
    if scope.dry_run {
        return Err(StoreError::DryRun(Box::new(counts)));
    }
    if counts.sendable == 0 {
        return Err(StoreError::NothingToSend(Box::new(counts)));
    }
    let statuses: Vec<&str> =
        statuses.into_iter().filter(|s| resend_mismatched || *s != VerificationStatus::Mismatched.as_str()).collect();
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

    // One pass to find the records (chunked by the ids asked for), then chunks by id.
    let all_ids = crate::store::ids_matching(conn, cond, scope.person_ids.as_deref()).await?;
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

/// The records of a scope (`cond` without the statuses) by what a job would do with them.
async fn send_counts<C: ConnectionTrait>(
    conn: &C,
    cond: Condition,
    person_ids: Option<&[i64]>,
    statuses: &[&str],
    resend_mismatched: bool,
) -> StoreResult<SendCounts> {
    let ids = crate::store::ids_matching(conn, cond, person_ids).await?;
    let mut c = SendCounts::default();
    for chunk in ids.chunks(crate::store::IN_CHUNK) {
        let rows: Vec<(String, i32)> = people::Entity::find()
            .select_only()
            .column(people::Column::Status)
            .column(people::Column::ErrorCount)
            .filter(people::Column::Id.is_in(chunk.to_vec()))
            .into_tuple()
            .all(conn)
            .await?;
        for (status, errors) in rows {
            let s = VerificationStatus::parse(&status);
            let counter = match s {
                Some(VerificationStatus::Queued) => &mut c.queued,
                _ if !statuses.contains(&status.as_str()) => match s {
                    Some(VerificationStatus::Verified) => &mut c.verified,
                    Some(VerificationStatus::AwaitingEvidence) => &mut c.awaiting_evidence,
                    _ => &mut c.other_status,
                },
                Some(VerificationStatus::Mismatched) if !resend_mismatched => &mut c.unchanged_since_answer,
                _ if errors > 0 => &mut c.errors_to_fix,
                _ => &mut c.sendable,
            };
            *counter += 1;
        }
    }
    Ok(c)
}

/// Only the roles that edit a unit's records may send them to the registry (an office sees the
/// schools' jobs but sends only its own staff).
fn may_send(caller: &Caller, unit_id: i64, unit_path: &str) -> StoreResult<()> {
    if caller.writes_unit(unit_id, unit_path) { Ok(()) } else { Err(not_a_sender()) }
}

fn not_a_sender() -> StoreError {
    StoreError::Forbidden(
        "Chỉ đơn vị quản lý hồ sơ mới được gửi xác thực; tài khoản này chỉ gửi được hồ sơ cán bộ của chính đơn vị mình."
            .to_owned(),
    )
}

/// Error finding codes of these records.
pub(super) async fn error_codes<C: ConnectionTrait>(conn: &C, ids: &[i64]) -> StoreResult<HashMap<i64, Vec<String>>> {
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
    crate::store::units::get_scoped(conn, caller, job.unit_id).await?;
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
    let txn = crate::store::begin_write(db).await?;
    let job = scoped_job(&txn, caller, id).await?;
    if !crate::store::units::get_scoped(&txn, caller, job.unit_id)
        .await
        .is_ok_and(|u| caller.writes_unit(u.id, &u.path))
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
pub(super) async fn restore_statuses<C: ConnectionTrait>(
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
