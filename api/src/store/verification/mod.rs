//! Verification jobs, their items and batches, and each record's verification history.
//!
//! A job is created with its items in one transaction (pre-flight: records with `error`
//! findings become `skipped` items carrying their codes and are not sent). Workers claim up to
//! N pending items with a conditional `UPDATE … WHERE status = 'pending'` and store the call
//! they will make as a batch (its key is the idempotency key) with a lease; a batch whose lease
//! ran out (its instance died or lost it) is taken over with another conditional update and
//! sent again as the very same call. An answer is written only by the holder of the lease, in
//! one transaction with the batch's completion, so no item is counted twice.
//!
//! This file holds the shared types; [`jobs`] creates, reads and cancels jobs, [`lease`] claims
//! and takes over batches, [`answers`] records what came back, [`record_actions`] is what a user
//! does with one record's verification.

mod answers;
mod job_items;
mod jobs;
mod lease;
mod record_actions;

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
pub use answers::*;
pub use job_items::*;
pub use jobs::*;
pub use lease::*;
pub use record_actions::*;

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
    /// Only these records (at most 100,000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_items = 100_000)]
    pub person_ids: Option<Vec<i64>>,
    /// Only records with these statuses (default: `not_sent`, `mismatched`, `not_found`,
    /// `error`). Records already `queued` in a job are never taken again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statuses: Option<Vec<VerificationStatus>>,
    /// Answer what would be sent (200 with the counts) without doing anything.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub dry_run: bool,
}

/// The records of a verification request's scope, by what a job does with them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SendCounts {
    /// Sent to the registry.
    pub sendable: i64,
    /// Already verified.
    pub verified: i64,
    /// Already queued in a job.
    pub queued: i64,
    /// Waiting for the family's papers.
    pub awaiting_evidence: i64,
    /// With `error` findings to fix first (listed in the job as `fixBeforeSending`).
    pub errors_to_fix: i64,
    /// Mismatched, and unchanged since the registry's answer (sent again only when named in
    /// `personIds`).
    pub unchanged_since_answer: i64,
    /// Left out by the `statuses` asked for.
    pub other_status: i64,
}

impl SendCounts {
    /// Vietnamese: why nothing is sent.
    pub fn explain(&self) -> String {
        let mut parts = Vec::new();
        for (n, what) in [
            (self.verified, "đã xác thực"),
            (self.queued, "đang chờ xác thực"),
            (self.awaiting_evidence, "đang chờ giấy tờ"),
            (self.errors_to_fix, "còn lỗi cần sửa trước"),
            (self.unchanged_since_answer, "sai thông tin nhưng chưa sửa gì kể từ lần trả lời trước"),
            (self.other_status, "không thuộc trạng thái đã chọn"),
        ] {
            if n > 0 {
                parts.push(format!("{n} hồ sơ {what}"));
            }
        }
        if parts.is_empty() {
            "Phạm vi đã chọn không có hồ sơ nào.".to_owned()
        } else {
            format!("Không có hồ sơ nào cần gửi: {}.", parts.join(", "))
        }
    }
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
