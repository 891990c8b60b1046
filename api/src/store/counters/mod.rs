//! Progress counters kept in step with every change to `people`, so statistics need no full
//! scan. Every write path of the store adds the row before and after each change (`None` for a
//! creation or a deletion) to a [`Deltas`] in the same transaction; the differences are summed
//! in memory per row of `stat_counters` (one per unit, class, population and school year), of
//! `stat_unit_counters` (the same summed over the unit's classes, so that a province reads one
//! row per unit rather than one per class) and of `stat_reasons` (one per unit, population,
//! finding code, field and severity), and written once at the end of the transaction, in key
//! order, nothing for a row the changes do not move: an import of 100,000 records writes a few
//! dozen counter rows, and writers saving at once lock the shared rows in one order, briefly.
//! [`apply_change`] does it for one change.
//!
//! Bulk paths (the demo seeder, benchmarks, repairs) insert rows directly and then call
//! [`rebuild`], a full recount in SQL. [`drift`] compares the counters with a recount without
//! changing anything. The per-record definitions live in [`person_tally`]; the SQL of the
//! recount states the same definitions and a test holds the two together.
//!
//! [`definitions`] says what a record counts as, [`apply`] keeps the counters in step, [`recount`]
//! recounts in SQL; verification answers are written by `store::people::status`.

mod apply;
mod definitions;
mod recount;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Datelike, TimeZone, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, Statement, Value};

use super::StoreResult;
use super::entities::{classes, people};
/// Verification answers are written by `people::status`; their old paths stay.
pub use super::people::{StatusWrite, write_status, write_statuses};
use crate::domain::clock::VIETNAM;
use crate::domain::org::VerificationStatus;
use crate::rules::Severity;
use crate::stats::{MISMATCH_FIELDS, Tally};
pub use apply::*;
pub use definitions::*;
pub use recount::*;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{Code, Field, Finding, Outcome};

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().expect("timestamp")
    }

    fn person() -> people::Model {
        let t = at("2026-09-01T03:00:00Z");
        people::Model {
            id: 1,
            kind: "student".into(),
            unit_id: 17,
            class_id: Some(5),
            position: None,
            sector_code: None,
            full_name: Some("Nguyễn Văn An".into()),
            date_of_birth: Some("01/02/2015".into()),
            gender: Some("Nam".into()),
            personal_id: Some("031215001234".into()),
            res_province: Some("Hải Phòng".into()),
            res_district: None,
            res_commune: Some("Lê Chân".into()),
            res_text: None,
            norm_full_name: None,
            norm_dob: None,
            norm_gender: None,
            norm_personal_id: Some("031215001234".into()),
            res_scheme: None,
            res_province_code: None,
            res_district_code: None,
            res_commune_code: None,
            res_new_province_code: None,
            res_new_commune_code: None,
            name_key: None,
            search_key: None,
            sort_key: None,
            outcome: serde_json::to_string(&crate::rules::Outcome::default()).expect("json"),
            error_count: 0,
            warning_count: 0,
            fixed_count: 0,
            status: "verified".into(),
            mismatch_fields: None,
            registry_values: None,
            status_at: Some(t),
            verified_at: Some(t),
            version: 1,
            identity_changed_at: at("2026-08-20T03:00:00Z"),
            created_at: t,
            updated_at: t,
            deleted_at: None,
            personal_id_index: Some("031215001234".into()),
            personal_id_valid: true,
        }
    }

    fn with_findings(mut p: people::Model, findings: Vec<Finding>) -> people::Model {
        let outcome = Outcome { findings, ..Outcome::default() };
        p.outcome = serde_json::to_string(&outcome).expect("json");
        p
    }

    #[test]
    fn one_record_counts_by_the_definitions() {
        type Case = (&'static str, fn(people::Model) -> people::Model, fn(&Tally) -> bool);
        let cases: Vec<Case> = vec![
            (
                "a perfect verified record counts everywhere",
                |p| p,
                |t| {
                    t.total == 1
                        && t.with_personal_id == 1
                        && t.valid_personal_id == 1
                        && t.no_errors == 1
                        && t.complete == 1
                        && t.correct == 1
                        && t.clean == 1
                        && t.live == 1
                        && t.verified == 1
                        && t.sent() == 1
                },
            ),
            (
                "a one-cell address completes the residence",
                |mut p| {
                    p.res_province = None;
                    p.res_commune = None;
                    p.res_text = Some("Số 1, Lê Chân, Hải Phòng".into());
                    p
                },
                |t| t.complete == 1,
            ),
            (
                "province without commune is incomplete",
                |mut p| {
                    p.res_commune = None;
                    p
                },
                |t| t.complete == 0,
            ),
            (
                "an empty string is not entered",
                |mut p| {
                    p.gender = Some(String::new());
                    p
                },
                |t| t.complete == 0,
            ),
            (
                "an error finding: not correct, but still clean",
                |mut p| {
                    p.error_count = 1;
                    p
                },
                |t| t.no_errors == 0 && t.correct == 0 && t.clean == 1 && t.live == 1,
            ),
            (
                "a warning: not clean",
                |mut p| {
                    p.warning_count = 2;
                    p
                },
                |t| t.clean == 0 && t.correct == 1,
            ),
            (
                "a duplicate ID: not clean",
                |p| with_findings(p, vec![Finding::new(Field::PersonalId, Code::IdDuplicate)]),
                |t| t.clean == 0,
            ),
            (
                "verified before the last change: not live",
                |mut p| {
                    p.identity_changed_at = at("2026-09-02T00:00:00Z");
                    p
                },
                |t| t.live == 0 && t.verified == 1,
            ),
            (
                "eleven digits are entered but not valid",
                |mut p| {
                    p.norm_personal_id = Some("31215001234".into());
                    p.personal_id_valid = false;
                    p
                },
                |t| t.with_personal_id == 1 && t.valid_personal_id == 0,
            ),
            (
                "mismatched on two fields",
                |mut p| {
                    p.status = "mismatched".into();
                    p.mismatch_fields = Some("dateOfBirth,gender".into());
                    p
                },
                |t| {
                    t.mismatched == 1
                        && t.mm_date_of_birth == 1
                        && t.mm_gender == 1
                        && t.mm_full_name == 0
                        && t.correct == 0
                        && t.live == 0
                },
            ),
            (
                "stale mismatch fields of another status do not count",
                |mut p| {
                    p.status = "not_sent".into();
                    p.mismatch_fields = Some("gender".into());
                    p
                },
                |t| t.mm_gender == 0 && t.not_sent == 1 && t.sent() == 0,
            ),
            (
                "a failed send is neither sent nor not sent",
                |mut p| {
                    p.status = "error".into();
                    p
                },
                |t| t.send_failed == 1 && t.sent() == 0 && t.not_sent == 0,
            ),
        ];
        for (name, make, check) in cases {
            let (_, tally) = person_tally(&make(person()), Some("2026-2027")).expect("outcome");
            assert!(check(&tally), "{name}: {tally:?}");
        }
    }

    #[test]
    fn keys_bucket_students_by_class_year_and_staff_by_verification_year() {
        let (key, _) = person_tally(&person(), Some("2026-2027")).expect("outcome");
        assert_eq!(
            (key.unit_id, key.class_id, key.kind.as_str(), key.live_year.as_str()),
            (17, 5, "student", "2026-2027")
        );
        let mut staff = person();
        staff.kind = "staff".into();
        staff.class_id = None;
        let (key, _) = person_tally(&staff, None).expect("outcome");
        assert_eq!((key.class_id, key.live_year.as_str()), (0, "2026-2027"));
        staff.status = "queued".into();
        assert_eq!(person_tally(&staff, None).expect("outcome").0.live_year, "");
        let cases = [
            ("2026-07-31T16:59:59Z", "2025-2026"),
            ("2026-07-31T17:00:00Z", "2026-2027"),
            ("2009-12-01T00:00:00Z", "older"),
            ("2150-01-01T00:00:00Z", "2100-2101"),
        ];
        for (t, want) in cases {
            assert_eq!(staff_bucket(at(t)), want, "{t}");
        }
        assert_eq!(school_year_start(2026), at("2026-07-31T17:00:00Z"));
    }

    #[test]
    fn reasons_keep_errors_and_warnings_once_per_code_and_field() {
        let mut fixed = Finding::new(Field::FullName, Code::NameCase);
        fixed.severity = Severity::Fixed;
        let p = with_findings(
            person(),
            vec![
                Finding::new(Field::PersonalId, Code::IdMissing),
                Finding::new(Field::PersonalId, Code::IdMissing),
                Finding::new(Field::DateOfBirth, Code::DobAmbiguous),
                fixed,
            ],
        );
        let got: Vec<(String, String)> =
            person_reasons(&p).expect("outcome").into_iter().map(|k| (k.code, k.severity)).collect();
        assert_eq!(got, vec![("id_missing".into(), "error".into()), ("dob_ambiguous".into(), "warning".into())]);
    }

    #[test]
    fn postgres_placeholders_are_numbered() {
        assert_eq!(placeholders(DbBackend::Postgres, "a = ? AND b IN (?, ?)"), "a = $1 AND b IN ($2, $3)");
        assert_eq!(placeholders(DbBackend::Sqlite, "a = ?"), "a = ?");
    }
}
