//! What the statistics API answers and the Excel report prints: one set of views, so the two
//! always show the same numbers. Doc comments here become the OpenAPI descriptions.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::projection::Projection;
use super::{Population, Tally, share};
use crate::rules::Severity;

/// The kind of node a statistics row is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StatUnitKind {
    Department,
    District,
    School,
    /// A class of a school (children of a school in the students population).
    Class,
}

/// A unit of the tree, or a class, as statistics name it (no personal data).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StatUnit {
    /// Unit id, or class id when `kind` is `class`.
    pub id: i64,
    pub kind: StatUnitKind,
    /// Unit code (none for classes).
    pub code: Option<String>,
    pub name: String,
    /// Parent unit (the school, for a class).
    pub parent_id: Option<i64>,
    /// Classes only: the class's school year.
    pub school_year: Option<String>,
}

/// The four dimensions of "đúng, đủ, sạch, sống" as shares of `total` (0–1, four decimals; 0
/// when `total` is 0).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ToSchema)]
pub struct Shares {
    /// Đủ (complete): full name, date of birth, gender and personal ID number entered, and the
    /// permanent residence entered as province and commune or as a one-cell address.
    pub du: f64,
    /// Đúng (correct): no finding of severity `error`, and verified by the national population
    /// database (status `verified`).
    pub dung: f64,
    /// Sạch (clean): no finding of severity `warning` left and no duplicate personal ID number
    /// (`id_duplicate` finding).
    pub sach: f64,
    /// Sống (live): verified at or after the last change of an identity field, and belonging to
    /// the current school year: a student sits in a class of the current school year; a staff
    /// member was verified during the current school year (from 1 August, Vietnam time).
    pub song: f64,
}

/// Mismatched records by the field the registry disagreed on (a record may count under
/// several fields).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MismatchByField {
    pub full_name: i64,
    pub date_of_birth: i64,
    pub gender: i64,
    pub personal_id: i64,
    pub residence: i64,
}

/// Counts of active (not deleted) records of one population in a unit and everything below it.
/// Verification statuses partition `total`: `notSent + sendFailed + sent`, and `sent` is
/// `queued + verified + mismatched + notFound + awaitingEvidence`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Counters {
    /// Active records.
    pub total: i64,
    /// Records with a personal ID number entered (any value).
    pub with_personal_id: i64,
    /// Records whose personal ID number, after the rules' safe repairs, is exactly 12 ASCII
    /// digits (structure only: no registry check).
    pub valid_personal_id: i64,
    /// Records with no finding of severity `error`.
    pub no_errors: i64,
    /// Records sent to the national population database: status `queued`, `verified`,
    /// `mismatched`, `not_found` or `awaiting_evidence`.
    pub sent: i64,
    /// Status `verified`: the registry confirmed every identity field.
    pub verified: i64,
    /// Status `mismatched`: the registry holds the ID number with different values (see
    /// `mismatchedByField`).
    pub mismatched: i64,
    /// Status `not_found`: the registry does not know the ID number.
    pub not_found: i64,
    /// Status `awaiting_evidence`: waiting for a paper from the police or the family.
    pub awaiting_evidence: i64,
    /// Status `not_sent`: never sent, or changed since the last answer.
    pub not_sent: i64,
    /// Status `queued`: sent, answer pending (part of `sent`).
    pub queued: i64,
    /// Status `error`: sending failed; to be sent again (not part of `sent`).
    pub send_failed: i64,
    /// Records counted as đủ (complete).
    pub complete: i64,
    /// Records counted as đúng (correct).
    pub correct: i64,
    /// Records counted as sạch (clean).
    pub clean: i64,
    /// Records counted as sống (live).
    pub live: i64,
    pub mismatched_by_field: MismatchByField,
    /// `verified / total` (0–1).
    pub verified_share: f64,
    pub shares: Shares,
}

impl From<&Tally> for Counters {
    fn from(t: &Tally) -> Counters {
        Counters {
            total: t.total,
            with_personal_id: t.with_personal_id,
            valid_personal_id: t.valid_personal_id,
            no_errors: t.no_errors,
            sent: t.sent(),
            verified: t.verified,
            mismatched: t.mismatched,
            not_found: t.not_found,
            awaiting_evidence: t.awaiting_evidence,
            not_sent: t.not_sent,
            queued: t.queued,
            send_failed: t.send_failed,
            complete: t.complete,
            correct: t.correct,
            clean: t.clean,
            live: t.live,
            mismatched_by_field: MismatchByField {
                full_name: t.mm_full_name,
                date_of_birth: t.mm_date_of_birth,
                gender: t.mm_gender,
                personal_id: t.mm_personal_id,
                residence: t.mm_residence,
            },
            verified_share: share(t.verified, t.total),
            shares: Shares {
                du: share(t.complete, t.total),
                dung: share(t.correct, t.total),
                sach: share(t.clean, t.total),
                song: share(t.live, t.total),
            },
        }
    }
}

/// A campaign: a population to verify by a deadline, set by a unit for its subtree.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Campaign {
    pub id: i64,
    /// The unit that set it (usually the Department).
    pub unit_id: i64,
    pub unit_name: String,
    pub name: String,
    pub population: Population,
    pub start: NaiveDate,
    pub deadline: NaiveDate,
    /// True when today (Vietnam) lies between `start` and `deadline`, both included.
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

/// A child unit's progress.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UnitProgress {
    pub unit: StatUnit,
    pub counters: Counters,
    /// Pace of the verified share and the projected completion (units with daily snapshots:
    /// schools and above; none for classes).
    pub projection: Option<Projection>,
}

/// Progress of a unit and of each of its children (district offices → schools → classes).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Progress {
    pub unit: StatUnit,
    pub population: Population,
    /// The school year `sống` is counted for.
    pub school_year: String,
    /// The day (Vietnam) the figures are for.
    pub as_of: NaiveDate,
    /// The campaign whose deadline the projections use.
    pub campaign: Option<Campaign>,
    pub counters: Counters,
    pub projection: Option<Projection>,
    /// Direct child units (for a school: its classes in the students population). A unit's
    /// own staff count in its `counters` but in no child.
    pub children: Vec<UnitProgress>,
}

/// One day of a unit's progress.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TimelinePoint {
    pub date: NaiveDate,
    pub total: i64,
    pub with_personal_id: i64,
    pub verified: i64,
    /// Not yet verified (`total - verified`): the burn-down.
    pub remaining: i64,
    pub verified_share: f64,
    pub shares: Shares,
    /// True for today's point, read live from the counters rather than from a snapshot.
    pub live_point: bool,
}

/// A unit's daily series.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UnitTimeline {
    pub unit: StatUnit,
    pub points: Vec<TimelinePoint>,
    pub projection: Option<Projection>,
}

/// Daily series of a unit and of each child unit, with the burn-down's projection.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Timeline {
    pub unit: StatUnit,
    pub population: Population,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub campaign: Option<Campaign>,
    /// The campaign's deadline (`projection.deadline`, repeated for charts).
    pub deadline: Option<NaiveDate>,
    /// The projected completion day (`projection.projectedCompletion`, repeated for charts).
    pub projected_finish: Option<NaiveDate>,
    /// One point per day that has a snapshot (days the service was down are missing), plus
    /// today's live point when `to` is today.
    pub points: Vec<TimelinePoint>,
    pub projection: Option<Projection>,
    /// Child units with snapshots (not classes).
    pub children: Vec<UnitTimeline>,
}

/// Records with one finding code on one field.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FindingCount {
    /// Finding code (`dob_missing`, `id_duplicate`, …).
    pub code: String,
    /// The identity field (`fullName`, `dateOfBirth`, `gender`, `personalId`, `residence`).
    pub field: String,
    pub severity: Severity,
    /// Vietnamese label.
    pub label: String,
    /// Active records with this finding.
    pub count: i64,
}

/// Mismatched records by field.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MismatchCount {
    pub field: String,
    /// Vietnamese label.
    pub label: String,
    pub count: i64,
}

/// Failure reasons of one unit.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UnitReasons {
    pub unit: StatUnit,
    pub total: i64,
    /// Error and warning findings, most frequent first.
    pub finding_codes: Vec<FindingCount>,
    /// Mismatch fields of `mismatched` records, most frequent first.
    pub mismatch_fields: Vec<MismatchCount>,
}

/// Why records fail: counts by finding code (errors and warnings) and by mismatch field, for
/// the unit and each child unit.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Reasons {
    pub unit: StatUnit,
    pub population: Population,
    pub total: i64,
    /// Error and warning findings, most frequent first.
    pub finding_codes: Vec<FindingCount>,
    pub mismatch_fields: Vec<MismatchCount>,
    /// Child units (not classes).
    pub children: Vec<UnitReasons>,
}

/// What a reason is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReasonKind {
    /// An error finding of the rules (`code` is the finding code).
    Finding,
    /// A field the registry disagreed on (`field`; `code` is `mismatch_` and the field).
    Mismatch,
    /// A verification status that needs chasing (`code`: `not_found`).
    Status,
}

/// One failure reason with its count.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Reason {
    pub kind: ReasonKind,
    pub code: String,
    pub field: Option<String>,
    /// Vietnamese label.
    pub label: String,
    pub count: i64,
}

/// Who to call about a lagging unit: the unit itself (a school's phone, email and principal)
/// when its unit list gives a phone or an email, else the office above it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Contact {
    /// The unit whose contact this is (the lagging unit, or its parent as a fallback).
    pub unit_id: i64,
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// The head of the unit (hiệu trưởng), when the unit list names one.
    pub principal: Option<String>,
}

/// A lagging unit.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Laggard {
    /// 1 for the unit lagging most.
    pub rank: u32,
    pub unit: StatUnit,
    /// The parent unit that follows it up (for a school: its district office).
    pub contact: Option<Contact>,
    /// `counters.verifiedShare`, repeated for lists.
    pub verified_share: f64,
    /// `projection.projectedToMiss`, repeated for lists.
    pub projected_to_miss: bool,
    pub counters: Counters,
    pub projection: Option<Projection>,
    /// The most frequent reasons its records fail, most frequent first (at most 3).
    pub top_reasons: Vec<Reason>,
}

impl Laggard {
    /// A laggard not yet ranked.
    pub fn new(
        unit: StatUnit,
        contact: Option<Contact>,
        counters: Counters,
        projection: Option<Projection>,
        top_reasons: Vec<Reason>,
    ) -> Laggard {
        Laggard {
            rank: 0,
            verified_share: counters.verified_share,
            projected_to_miss: projection.as_ref().is_some_and(|p| p.projected_to_miss),
            unit,
            contact,
            counters,
            projection,
            top_reasons,
        }
    }
}

/// Units lagging behind: those projected to miss the deadline first, then by lowest verified
/// share, most remaining records, name.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Laggards {
    pub unit: StatUnit,
    pub population: Population,
    pub campaign: Option<Campaign>,
    pub items: Vec<Laggard>,
}
