//! What a record counts as: the per-record definitions of every counter and failure reason
//! (the recount's SQL states the same definitions, and a test holds the two together).

use super::*;

/// Staff verified before the school year starting in this year share one bucket.
pub(super) const FIRST_BUCKET_YEAR: i32 = 2010;
/// Staff verified in or after the school year starting in this year share one bucket.
pub(super) const LAST_BUCKET_YEAR: i32 = 2100;
/// The bucket of staff verified before [`FIRST_BUCKET_YEAR`].
pub(super) const OLDER_BUCKET: &str = "older";

/// The row of `stat_counters` a record counts in.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CounterKey {
    pub unit_id: i64,
    /// 0 when the record has no class.
    pub class_id: i64,
    /// `student` or `staff`.
    pub kind: String,
    /// The school year the record is current in: the class's year for students, the year of
    /// the verification for verified staff, '' otherwise.
    pub live_year: String,
}

/// The row of `stat_unit_counters` a record counts in: its [`CounterKey`] without the class.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnitKey {
    pub unit_id: i64,
    pub kind: String,
    pub live_year: String,
}

impl CounterKey {
    pub fn unit_key(&self) -> UnitKey {
        UnitKey { unit_id: self.unit_id, kind: self.kind.clone(), live_year: self.live_year.clone() }
    }
}

/// The row of `stat_reasons` a finding counts in.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ReasonKey {
    pub unit_id: i64,
    pub kind: String,
    pub code: String,
    pub field: String,
    /// `error` or `warning`.
    pub severity: String,
}

fn present(v: &Option<String>) -> bool {
    v.as_deref().is_some_and(|s| !s.is_empty())
}

/// The school year (`2026-2027`) that starts on 1 August (Vietnam time) on or before `at`, as
/// staff buckets name it.
pub fn staff_bucket(at: DateTime<Utc>) -> String {
    let date = at.with_timezone(&VIETNAM).date_naive();
    let start = if date.month() >= 8 { date.year() } else { date.year() - 1 };
    if start < FIRST_BUCKET_YEAR {
        OLDER_BUCKET.to_owned()
    } else {
        let start = start.min(LAST_BUCKET_YEAR);
        format!("{}-{}", start, start + 1)
    }
}

/// 1 August of `year`, 00:00 in Vietnam, as a UTC instant.
pub(super) fn school_year_start(year: i32) -> DateTime<Utc> {
    VIETNAM
        .with_ymd_and_hms(year, 8, 1, 0, 0, 0)
        .single()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| DateTime::<Utc>::MIN_UTC)
}

/// Where an active record counts and what it adds: the definitions of every counter, per
/// record. `class_year` is the school year of the record's class (students).
pub fn person_tally(p: &people::Model, class_year: Option<&str>) -> StoreResult<(CounterKey, Tally)> {
    Ok(tally_with(p, class_year, has_duplicate(&outcome_findings(p)?)))
}

/// Whether the findings hold the duplicate ID number (`id_duplicate`), which makes a record not
/// clean.
pub(super) fn has_duplicate(findings: &[Finding3]) -> bool {
    findings.iter().any(|(code, _, _)| code == "id_duplicate")
}

/// [`person_tally`] with what the record's findings say already known (`duplicate`:
/// [`has_duplicate`]).
pub(super) fn tally_with(p: &people::Model, class_year: Option<&str>, duplicate: bool) -> (CounterKey, Tally) {
    let status = p.status.as_str();
    let is = |s: VerificationStatus| i64::from(status == s.as_str());
    let verified = status == VerificationStatus::Verified.as_str();
    let mismatched = status == VerificationStatus::Mismatched.as_str();
    let mismatch = |field: &str| {
        i64::from(mismatched && p.mismatch_fields.as_deref().is_some_and(|m| m.split(',').any(|t| t == field)))
    };
    let complete = present(&p.full_name)
        && present(&p.date_of_birth)
        && present(&p.gender)
        && present(&p.personal_id)
        && ((present(&p.res_province) && present(&p.res_commune)) || present(&p.res_text));
    let live = verified && p.verified_at.is_some_and(|v| v >= p.identity_changed_at);
    let live_year = if p.kind == "student" {
        class_year.unwrap_or("").to_owned()
    } else {
        match p.verified_at {
            Some(at) if verified => staff_bucket(at),
            _ => String::new(),
        }
    };
    let tally = Tally {
        total: 1,
        with_personal_id: i64::from(present(&p.personal_id)),
        valid_personal_id: i64::from(p.personal_id_valid),
        no_errors: i64::from(p.error_count == 0),
        complete: i64::from(complete),
        correct: i64::from(p.error_count == 0 && verified),
        clean: i64::from(p.warning_count == 0 && !duplicate),
        live: i64::from(live),
        not_sent: is(VerificationStatus::NotSent),
        queued: is(VerificationStatus::Queued),
        verified: is(VerificationStatus::Verified),
        mismatched: is(VerificationStatus::Mismatched),
        not_found: is(VerificationStatus::NotFound),
        awaiting_evidence: is(VerificationStatus::AwaitingEvidence),
        send_failed: is(VerificationStatus::Error),
        mm_full_name: mismatch(MISMATCH_FIELDS[0]),
        mm_date_of_birth: mismatch(MISMATCH_FIELDS[1]),
        mm_gender: mismatch(MISMATCH_FIELDS[2]),
        mm_personal_id: mismatch(MISMATCH_FIELDS[3]),
        mm_residence: mismatch(MISMATCH_FIELDS[4]),
    };
    let key = CounterKey { unit_id: p.unit_id, class_id: p.class_id.unwrap_or(0), kind: p.kind.clone(), live_year };
    (key, tally)
}

/// A finding as the counters see it: `(code, field, severity)`.
pub(super) type Finding3 = (String, String, String);

/// `(code, field, severity)` of the record's findings, one per (code, field) with the first
/// finding's severity, as `person_findings` holds them.
pub(super) fn outcome_findings(p: &people::Model) -> StoreResult<Vec<Finding3>> {
    // codes, fields and severities only: the ID numbers stay sealed
    let outcome = crate::store::people::parse_outcome_sealed(p)?;
    let mut seen = BTreeSet::new();
    Ok(outcome
        .findings
        .iter()
        .filter(|f| seen.insert((f.code.as_str(), f.field.as_str())))
        .map(|f| (f.code.as_str().to_owned(), f.field.as_str().to_owned(), f.severity.as_str().to_owned()))
        .collect())
}

/// The failure reasons an active record counts under: its error and warning findings.
pub fn person_reasons(p: &people::Model) -> StoreResult<Vec<ReasonKey>> {
    Ok(reasons_with(p, outcome_findings(p)?))
}

/// [`person_reasons`] with the record's findings already read ([`outcome_findings`]).
pub(super) fn reasons_with(p: &people::Model, findings: Vec<Finding3>) -> Vec<ReasonKey> {
    findings
        .into_iter()
        .filter(|(_, _, severity)| severity == Severity::Error.as_str() || severity == Severity::Warning.as_str())
        .map(|(code, field, severity)| ReasonKey { unit_id: p.unit_id, kind: p.kind.clone(), code, field, severity })
        .collect()
}
