//! The records behind a job's totals: which records came back with a given outcome (or are
//! still queued), paged, for the jobs page's result links.

use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::item;
use crate::domain::access::Caller;
use crate::store::StoreResult;
use crate::store::entities::{people, verification_job_items};

/// A job total whose records are asked for (the names of `JobTotals`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum JobOutcome {
    Queued,
    Verified,
    Mismatched,
    NotFound,
    Invalid,
    Error,
    Changed,
    Skipped,
    Cancelled,
}

impl JobOutcome {
    /// The items counted under this total (as `totals` counts them).
    fn condition(self) -> Condition {
        use verification_job_items::Column as C;
        let done = |outcome: &str| Condition::all().add(C::Status.eq(item::DONE)).add(C::Outcome.eq(outcome));
        match self {
            JobOutcome::Queued => Condition::all().add(C::Status.ne(item::DONE)),
            JobOutcome::Verified => done(item::VERIFIED),
            JobOutcome::Mismatched => done(item::MISMATCHED),
            JobOutcome::NotFound => done(item::NOT_FOUND),
            JobOutcome::Invalid => done(item::INVALID),
            JobOutcome::Changed => done(item::CHANGED),
            JobOutcome::Skipped => done(item::SKIPPED),
            JobOutcome::Cancelled => done(item::CANCELLED),
            // what `totals` counts as an error: done with any other outcome, or none
            JobOutcome::Error => Condition::all().add(C::Status.eq(item::DONE)).add(
                Condition::any().add(C::Outcome.is_null()).add(C::Outcome.is_not_in([
                    item::VERIFIED,
                    item::MISMATCHED,
                    item::NOT_FOUND,
                    item::INVALID,
                    item::CHANGED,
                    item::SKIPPED,
                    item::CANCELLED,
                ])),
            ),
        }
    }
}

/// One record of a job with the outcome asked for.
#[derive(Debug, Clone)]
pub struct JobItemRecord {
    pub person_id: i64,
    pub kind: String,
    pub full_name: Option<String>,
    pub class_id: Option<i64>,
    /// The record's verification status now (it may have moved on since the job).
    pub status_now: String,
}

/// The records of job `job_id` (in the caller's scope) counted under `outcome`, in the order
/// they were queued, and how many there are.
pub async fn job_items<C: ConnectionTrait>(
    conn: &C,
    caller: &Caller,
    job_id: i64,
    outcome: JobOutcome,
    page: u64,
    page_size: u64,
) -> StoreResult<(Vec<JobItemRecord>, u64)> {
    super::get_job(conn, caller, job_id).await?;
    let base = verification_job_items::Entity::find()
        .filter(verification_job_items::Column::JobId.eq(job_id))
        .filter(outcome.condition());
    let total = base.clone().count(conn).await?;
    let person_ids: Vec<i64> = base
        .select_only()
        .column(verification_job_items::Column::PersonId)
        .order_by_asc(verification_job_items::Column::Id)
        .offset(page.max(1).saturating_sub(1).saturating_mul(page_size))
        .limit(page_size)
        .into_tuple()
        .all(conn)
        .await?;
    let found = if person_ids.is_empty() {
        Vec::new()
    } else {
        people::Entity::find().filter(people::Column::Id.is_in(person_ids.clone())).all(conn).await?
    };
    let records = person_ids
        .iter()
        .filter_map(|id| found.iter().find(|p| p.id == *id))
        .map(|p| JobItemRecord {
            person_id: p.id,
            kind: p.kind.clone(),
            full_name: p.norm_full_name.clone().or_else(|| p.full_name.clone()),
            class_id: p.class_id,
            status_now: p.status.clone(),
        })
        .collect();
    Ok((records, total))
}
