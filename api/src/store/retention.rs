//! Retention (issue 13, item 4): personal data kept for operations is deleted at the end of its
//! time (`[retention]` settings) — an import's planned rows (what the uploaded file said; the
//! file itself is never kept) `import_days` after its commit (uncommitted: after it expired or
//! failed; a discarded preview's rows go at once, `imports::discard`), what exported templates
//! carried after `snapshot_days`, and the body of a registry request `verification_days` after
//! its answer. The import stays listed with its counts (`rows_purged_at` says when its rows
//! went), a closed batch keeps its key and status. Each run that deleted something is one
//! access-log entry (`retention_purge`, no user) whose detail holds the counts per kind, never
//! an ID number.
//!
//! The daily task claims its day in `daily_tasks` with a conditional update (only the instance
//! whose update changes the row runs it), so instances side by side purge once a day.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};
use serde::Serialize;

use super::StoreResult;
use super::access_log::{self, Access, AccessAction};
use super::audit::{AuditCtx, Source};
use super::entities::{daily_tasks, import_rows, imports, verification_batches};
use super::imports::status;
use crate::config::RetentionSettings;
use crate::domain::clock::Clock;

/// The name of the retention task in `daily_tasks`.
pub const TASK: &str = "retention";

/// What one purge deleted, per kind (the access log entry's detail, as JSON).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Purged {
    /// Imports whose planned rows were deleted (they stay listed with their counts).
    pub imports: u64,
    /// Planned rows deleted.
    pub import_rows: u64,
    /// Template exports forgotten.
    pub template_exports: u64,
    /// Records' snapshots those exports carried.
    pub template_snapshots: u64,
    /// Registry request bodies emptied.
    pub verification_batches: u64,
}

impl std::fmt::Display for Purged {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} planned rows of {} imports, {} template snapshots of {} exports, {} registry request bodies",
            self.import_rows, self.imports, self.template_snapshots, self.template_exports, self.verification_batches
        )
    }
}

/// Imports whose rows are purged per transaction.
const CHUNK: usize = 200;

/// Deletes what is past its retention time at `now`; returns the counts. Conditional deletes
/// and updates: safe to run twice, or on two instances at once.
pub async fn purge(db: &DatabaseConnection, now: DateTime<Utc>, settings: &RetentionSettings) -> StoreResult<Purged> {
    let days = |n: u32| now - chrono::Duration::days(i64::from(n));
    let mut purged = Purged::default();

    let import_cutoff = days(settings.import_days);
    let due: Vec<String> = imports::Entity::find()
        .select_only()
        .column(imports::Column::Id)
        .filter(imports::Column::RowsPurgedAt.is_null())
        .filter(
            Condition::any()
                .add(
                    Condition::all()
                        .add(imports::Column::Status.is_in([status::COMMITTED, status::UNDONE]))
                        .add(imports::Column::CommittedAt.lt(import_cutoff)),
                )
                .add(
                    Condition::all()
                        .add(imports::Column::Status.is_in([status::EXPIRED, status::FAILED]))
                        .add(imports::Column::UpdatedAt.lt(import_cutoff)),
                ),
        )
        .into_tuple()
        .all(db)
        .await?;
    for chunk in due.chunks(CHUNK) {
        let txn = super::begin_write(db).await?;
        purged.import_rows += import_rows::Entity::delete_many()
            .filter(import_rows::Column::ImportId.is_in(chunk.iter().cloned()))
            .exec(&txn)
            .await?
            .rows_affected;
        purged.imports += imports::Entity::update_many()
            .col_expr(imports::Column::RowsPurgedAt, Expr::value(Some(now)))
            .filter(imports::Column::Id.is_in(chunk.iter().cloned()))
            .filter(imports::Column::RowsPurgedAt.is_null())
            .exec(&txn)
            .await?
            .rows_affected;
        txn.commit().await?;
    }

    let txn = super::begin_write(db).await?;
    (purged.template_exports, purged.template_snapshots) =
        super::template_exports::sweep(&txn, days(settings.snapshot_days)).await?;
    txn.commit().await?;

    // a closed batch's `updated_at` is when its answer was written (`verification::close_batch`)
    purged.verification_batches = verification_batches::Entity::update_many()
        .col_expr(verification_batches::Column::Body, Expr::value(""))
        .filter(verification_batches::Column::Status.ne("open"))
        .filter(verification_batches::Column::UpdatedAt.lt(days(settings.verification_days)))
        .filter(verification_batches::Column::Body.ne(""))
        .exec(db)
        .await?
        .rows_affected;
    Ok(purged)
}

/// Purges once, now by `clock`, and records it in the access log when anything went (one entry,
/// no user, the counts as its detail): what `dinhdanh purge` and the daily task do.
pub async fn run(db: &DatabaseConnection, clock: &Clock, settings: &RetentionSettings) -> StoreResult<Purged> {
    let now = clock.now();
    let purged = purge(db, now, settings).await?;
    if purged == Purged::default() {
        return Ok(purged);
    }
    let ctx = AuditCtx::system(Source::Manual, None, now);
    let detail = serde_json::to_string(&purged).unwrap_or_default();
    access_log::record(
        db,
        &ctx,
        Access {
            action: AccessAction::RetentionPurge,
            unit_id: None,
            field: None,
            detail: Some(detail),
            person_ids: &[],
        },
    )
    .await?;
    Ok(purged)
}

/// Claims `task` for `day` on behalf of `by`: true for the one caller whose conditional update
/// moved the task's last run to `day`, false when it already ran that day (here or elsewhere).
pub async fn claim_day<C: ConnectionTrait>(
    conn: &C,
    task: &str,
    day: NaiveDate,
    by: &str,
    at: DateTime<Utc>,
) -> StoreResult<bool> {
    let day = day.format("%Y-%m-%d").to_string();
    let claimed = daily_tasks::Entity::update_many()
        .col_expr(daily_tasks::Column::LastRunOn, Expr::value(Some(day.clone())))
        .col_expr(daily_tasks::Column::ClaimedBy, Expr::value(Some(by.to_owned())))
        .col_expr(daily_tasks::Column::ClaimedAt, Expr::value(Some(at)))
        .filter(daily_tasks::Column::Name.eq(task))
        .filter(
            Condition::any().add(daily_tasks::Column::LastRunOn.is_null()).add(daily_tasks::Column::LastRunOn.lt(day)),
        )
        .exec(conn)
        .await?
        .rows_affected;
    Ok(claimed == 1)
}

/// The daily task's step: when today (in Vietnam, by `clock`) is not yet claimed, claims it for
/// `by` and runs the purge. `None` when another run (or instance) already had today.
pub async fn run_daily(
    db: &DatabaseConnection,
    clock: &Clock,
    settings: &RetentionSettings,
    by: &str,
) -> StoreResult<Option<Purged>> {
    if !claim_day(db, TASK, clock.today(), by, clock.now()).await? {
        return Ok(None);
    }
    run(db, clock, settings).await.map(Some)
}
