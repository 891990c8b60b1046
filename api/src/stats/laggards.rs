//! Which units lag most, and why: the ordering of laggards and their top failure reasons.

use std::cmp::Ordering;

use super::labels::{finding_label, mismatch_label, status_label};
use super::views::{Laggard, Reason, ReasonKind};
use super::{MISMATCH_FIELDS, Tally};

/// How many reasons a laggard lists.
pub const TOP_REASONS: usize = 3;

/// Orders laggards: projected to miss the deadline first, then lowest verified share, then most
/// records still to verify, then name and id (so the order is total and stable); numbers the
/// ranks from 1.
pub fn order(items: &mut [Laggard]) {
    items.sort_by(compare);
    for (i, item) in items.iter_mut().enumerate() {
        item.rank = u32::try_from(i + 1).unwrap_or(u32::MAX);
    }
}

fn compare(a: &Laggard, b: &Laggard) -> Ordering {
    b.projected_to_miss
        .cmp(&a.projected_to_miss)
        .then(a.verified_share.total_cmp(&b.verified_share))
        .then((b.counters.total - b.counters.verified).cmp(&(a.counters.total - a.counters.verified)))
        .then(a.unit.name.cmp(&b.unit.name))
        .then(a.unit.id.cmp(&b.unit.id))
}

/// The most frequent reasons records fail: error findings `(code, field, count)`, mismatch
/// fields and records not found in the registry; most frequent first, ties by kind then code.
pub fn top_reasons(error_findings: &[(String, String, i64)], tally: &Tally, limit: usize) -> Vec<Reason> {
    let mut reasons: Vec<Reason> = error_findings
        .iter()
        .filter(|(_, _, count)| *count > 0)
        .map(|(code, field, count)| Reason {
            kind: ReasonKind::Finding,
            code: code.clone(),
            field: Some(field.clone()),
            label: finding_label(code),
            count: *count,
        })
        .collect();
    let mismatches =
        [tally.mm_full_name, tally.mm_date_of_birth, tally.mm_gender, tally.mm_personal_id, tally.mm_residence];
    for (field, count) in MISMATCH_FIELDS.iter().zip(mismatches) {
        if count > 0 {
            reasons.push(Reason {
                kind: ReasonKind::Mismatch,
                code: format!("mismatch_{field}"),
                field: Some((*field).to_owned()),
                label: mismatch_label(field),
                count,
            });
        }
    }
    if tally.not_found > 0 {
        reasons.push(Reason {
            kind: ReasonKind::Status,
            code: "not_found".to_owned(),
            field: None,
            label: status_label("not_found"),
            count: tally.not_found,
        });
    }
    reasons.sort_by(|a, b| {
        b.count.cmp(&a.count).then(a.kind.cmp(&b.kind)).then(a.code.cmp(&b.code)).then(a.field.cmp(&b.field))
    });
    reasons.truncate(limit);
    reasons
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::projection::{Projection, ProjectionStatus};
    use crate::stats::views::{Counters, StatUnit, StatUnitKind};

    fn laggard(id: i64, name: &str, total: i64, verified: i64, miss: Option<bool>) -> Laggard {
        let tally = Tally { total, verified, ..Tally::default() };
        Laggard::new(
            StatUnit {
                id,
                kind: StatUnitKind::School,
                code: None,
                name: name.to_owned(),
                parent_id: None,
                school_year: None,
            },
            None,
            Counters::from(&tally),
            miss.map(|miss| Projection {
                window_days: 14,
                points_used: 2,
                target_share: 1.0,
                current_share: 0.0,
                daily_gain: None,
                projected_completion: None,
                deadline: None,
                projected_to_miss: miss,
                status: if miss { ProjectionStatus::ProjectedToMiss } else { ProjectionStatus::OnTrack },
            }),
            Vec::new(),
        )
    }

    #[test]
    fn laggards_are_ordered_by_miss_then_share_then_remaining_then_name() {
        let cases: Vec<(&str, Vec<Laggard>, Vec<i64>)> = vec![
            (
                "lowest share first",
                vec![laggard(1, "A", 10, 9, None), laggard(2, "B", 10, 1, None), laggard(3, "C", 10, 5, None)],
                vec![2, 3, 1],
            ),
            (
                "projected to miss beats a lower share",
                vec![laggard(1, "A", 10, 1, Some(false)), laggard(2, "B", 10, 8, Some(true))],
                vec![2, 1],
            ),
            (
                "same share: more remaining first",
                vec![laggard(1, "A", 10, 5, None), laggard(2, "B", 100, 50, None)],
                vec![2, 1],
            ),
            (
                "empty units have share 0 but nothing remaining",
                vec![laggard(1, "A", 0, 0, None), laggard(2, "B", 10, 0, None), laggard(3, "C", 10, 2, None)],
                vec![2, 1, 3],
            ),
            ("ties by name then id", vec![laggard(2, "B", 4, 2, None), laggard(1, "B", 4, 2, None)], vec![1, 2]),
        ];
        for (name, mut items, want) in cases {
            order(&mut items);
            let got: Vec<i64> = items.iter().map(|l| l.unit.id).collect();
            assert_eq!(got, want, "{name}");
            let ranks: Vec<u32> = items.iter().map(|l| l.rank).collect();
            assert_eq!(ranks, (1..=u32::try_from(want.len()).expect("len")).collect::<Vec<_>>(), "{name}");
        }
    }

    #[test]
    fn top_reasons_merge_findings_mismatches_and_not_found() {
        let tally = Tally { mm_date_of_birth: 7, mm_gender: 2, not_found: 4, ..Tally::default() };
        let findings = vec![
            ("id_missing".to_owned(), "personalId".to_owned(), 5),
            ("name_missing".to_owned(), "fullName".to_owned(), 2),
            ("dob_missing".to_owned(), "dateOfBirth".to_owned(), 0),
        ];
        let top = top_reasons(&findings, &tally, 3);
        let got: Vec<(ReasonKind, &str, i64)> = top.iter().map(|r| (r.kind, r.code.as_str(), r.count)).collect();
        assert_eq!(
            got,
            vec![
                (ReasonKind::Mismatch, "mismatch_dateOfBirth", 7),
                (ReasonKind::Finding, "id_missing", 5),
                (ReasonKind::Status, "not_found", 4)
            ]
        );
        assert_eq!(top[0].field.as_deref(), Some("dateOfBirth"));
        assert_eq!(top[0].label, "Sai ngày sinh so với CSDL quốc gia về dân cư");
        // Ties: findings before mismatches.
        let tie = top_reasons(&findings, &Tally { mm_full_name: 2, ..Tally::default() }, 5);
        let kinds: Vec<ReasonKind> = tie.iter().map(|r| r.kind).collect();
        assert_eq!(kinds, vec![ReasonKind::Finding, ReasonKind::Finding, ReasonKind::Mismatch]);
        assert!(top_reasons(&[], &Tally::default(), 3).is_empty());
    }
}
