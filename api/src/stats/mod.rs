//! Progress statistics, the pure part: what is counted and how (the [`Tally`] of a set of
//! records), the four dimensions of the slogan as shares, projections to a deadline, laggard
//! ordering, Vietnamese labels, and the views the API and the Excel report share. No IO here
//! except [`worker`], the background task that asks the store for the daily snapshot.
//!
//! Definitions (per active, not deleted, record of the population):
//! - **đủ** (complete): full name, date of birth, gender and personal ID number are entered, and
//!   the permanent residence is entered either as province and commune or as a one-cell address.
//! - **đúng** (correct): no finding of severity `error` and the status is `verified`.
//! - **sạch** (clean): no finding of severity `warning` and no `id_duplicate` finding.
//! - **sống** (live): status `verified`, verified at or after the last change of an identity
//!   field, and the record belongs to the current school year (a student sits in a class of the
//!   current school year; a staff member was verified during the current school year, which
//!   starts on 1 August, Vietnam time).

pub mod labels;
pub mod laggards;
pub mod projection;
pub mod report;
pub mod rollup;
pub mod views;
pub mod worker;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::rules::PersonKind;

/// Whose records are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, Default)]
#[serde(rename_all = "lowercase")]
pub enum Population {
    /// Students (học sinh).
    #[default]
    Students,
    /// Staff: managers, teachers, employees (cán bộ, giáo viên, nhân viên).
    Staff,
}

impl Population {
    pub const ALL: [Population; 2] = [Population::Students, Population::Staff];

    pub fn as_str(self) -> &'static str {
        match self {
            Population::Students => "students",
            Population::Staff => "staff",
        }
    }
    pub fn parse(s: &str) -> Option<Population> {
        match s {
            "students" => Some(Population::Students),
            "staff" => Some(Population::Staff),
            _ => None,
        }
    }
    /// The `people.kind` value of this population.
    pub fn kind(self) -> PersonKind {
        match self {
            Population::Students => PersonKind::Student,
            Population::Staff => PersonKind::Staff,
        }
    }
    /// Vietnamese label.
    pub fn label(self) -> &'static str {
        match self {
            Population::Students => "Học sinh",
            Population::Staff => "Cán bộ, giáo viên, nhân viên",
        }
    }
}

macro_rules! tally {
    ($($(#[$meta:meta])* $field:ident,)*) => {
        /// Raw counts of a set of records: what a counter row, a snapshot row and a recount hold.
        /// Every field counts records; `live` counts only records current in the school year the
        /// row is read for (see [`Tally::for_year`]).
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
        pub struct Tally { $($(#[$meta])* pub $field: i64,)* }

        impl Tally {
            /// Column names, in the order of [`Tally::values`] (the tables use the same names).
            pub const COLUMNS: &'static [&'static str] = &[$(stringify!($field),)*];

            pub fn values(&self) -> Vec<i64> {
                vec![$(self.$field,)*]
            }
            /// From values in [`Tally::COLUMNS`] order (missing ones are 0).
            pub fn from_values(values: &[i64]) -> Tally {
                let mut it = values.iter().copied();
                Tally { $($field: it.next().unwrap_or(0),)* }
            }
            pub fn add(&mut self, other: &Tally) {
                $(self.$field += other.$field;)*
            }
            pub fn sub(&mut self, other: &Tally) {
                $(self.$field -= other.$field;)*
            }
            pub fn is_zero(&self) -> bool {
                true $(&& self.$field == 0)*
            }
        }
    };
}

tally! {
    /// Active records.
    total,
    with_personal_id,
    valid_personal_id,
    no_errors,
    /// đủ.
    complete,
    /// đúng.
    correct,
    /// sạch.
    clean,
    /// Verified since the last identity change; counts as sống only in the current school year.
    live,
    not_sent,
    queued,
    verified,
    mismatched,
    not_found,
    awaiting_evidence,
    /// Status `error`: sending failed.
    send_failed,
    mm_full_name,
    mm_date_of_birth,
    mm_gender,
    mm_personal_id,
    mm_residence,
}

impl Tally {
    /// The counts as read for `current_year`: `live` stays only when the rows' school year
    /// (`live_year`) is the current one.
    pub fn for_year(mut self, live_year: &str, current_year: &str) -> Tally {
        if live_year != current_year {
            self.live = 0;
        }
        self
    }

    /// Records sent to the registry and not (yet) failed to send: queued, verified, mismatched,
    /// not found, awaiting evidence.
    pub fn sent(&self) -> i64 {
        self.queued + self.verified + self.mismatched + self.not_found + self.awaiting_evidence
    }

    /// Records not yet verified (the burn-down's remaining work).
    pub fn remaining(&self) -> i64 {
        self.total - self.verified
    }
}

/// Mismatch fields the registry reports, in display order (`people.mismatch_fields` holds them
/// comma-separated).
pub const MISMATCH_FIELDS: [&str; 5] = ["fullName", "dateOfBirth", "gender", "personalId", "residence"];

/// `count / total` rounded to 4 decimals; 0 when there is nothing to count.
pub fn share(count: i64, total: i64) -> f64 {
    if total <= 0 {
        return 0.0;
    }
    ((count as f64 / total as f64) * 10_000.0).round() / 10_000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_are_rounded_and_safe_on_empty_sets() {
        let cases: [(i64, i64, f64); 6] =
            [(0, 0, 0.0), (5, 0, 0.0), (0, 7, 0.0), (1, 3, 0.3333), (2, 3, 0.6667), (7, 7, 1.0)];
        for (count, total, want) in cases {
            assert_eq!(share(count, total), want, "{count}/{total}");
        }
    }

    #[test]
    fn tallies_add_subtract_and_round_trip_through_values() {
        let a = Tally { total: 3, verified: 2, live: 1, mm_gender: 1, ..Tally::default() };
        let b = Tally::from_values(&a.values());
        assert_eq!(a, b);
        let mut c = a;
        c.add(&b);
        assert_eq!(c.total, 6);
        c.sub(&a);
        c.sub(&b);
        assert!(c.is_zero());
        assert_eq!(Tally::COLUMNS.len(), a.values().len());
        assert_eq!(Tally::COLUMNS[0], "total");
    }

    #[test]
    fn live_counts_only_in_the_current_year_and_sent_excludes_failures() {
        let t = Tally { total: 10, live: 4, queued: 1, verified: 4, mismatched: 2, send_failed: 1, ..Tally::default() };
        assert_eq!(t.for_year("2026-2027", "2026-2027").live, 4);
        assert_eq!(t.for_year("2025-2026", "2026-2027").live, 0);
        assert_eq!(t.for_year("", "2026-2027").live, 0);
        assert_eq!(t.sent(), 7);
        assert_eq!(t.remaining(), 6);
    }

    #[test]
    fn populations_round_trip() {
        for p in Population::ALL {
            assert_eq!(Population::parse(p.as_str()), Some(p));
            assert_eq!(serde_json::to_value(p).expect("json"), p.as_str());
        }
        assert_eq!(Population::Staff.kind(), PersonKind::Staff);
    }
}
