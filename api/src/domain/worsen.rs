//! Never make a record worse: which `error` findings a write would bring that the record did
//! not have, and which changed fields of a write to hold back so that none appears. Pure: the
//! caller hands in the rule engine as a closure.

use crate::domain::identity::{Identity, IdentityField};
use crate::rules::{Field, Finding, Severity};

/// The `error` findings of `after` that `before` did not have (same field and code).
pub fn new_errors(before: &[Finding], after: &[Finding]) -> Vec<Finding> {
    after
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .filter(|f| !before.iter().any(|b| b.severity == Severity::Error && b.field == f.field && b.code == f.code))
        .cloned()
        .collect()
}

/// The finding field an identity field's value is checked under.
pub fn finding_field(field: IdentityField) -> Field {
    match field {
        IdentityField::FullName => Field::FullName,
        IdentityField::DateOfBirth => Field::DateOfBirth,
        IdentityField::Gender => Field::Gender,
        IdentityField::PersonalId => Field::PersonalId,
        IdentityField::ResidenceProvince
        | IdentityField::ResidenceDistrict
        | IdentityField::ResidenceCommune
        | IdentityField::ResidenceText => Field::Residence,
    }
}

/// What [`hold_back`] decided.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Guarded {
    /// The identity with the changes that may be written.
    pub identity: Identity,
    /// Changed fields held back, each with the `error` findings it would bring.
    pub refused: Vec<(IdentityField, Vec<Finding>)>,
    /// Forced fields that bring `error` findings (written, to be audited as forced).
    pub forced: Vec<(IdentityField, Vec<Finding>)>,
}

impl Guarded {
    /// The findings a held-back field would bring.
    pub fn refused_for(&self, field: IdentityField) -> Option<&[Finding]> {
        self.refused.iter().find(|(f, _)| *f == field).map(|(_, v)| v.as_slice())
    }
}

fn with(
    before: &Identity,
    changes: &[(IdentityField, Option<String>)],
    keep: impl Fn(IdentityField) -> bool,
) -> Identity {
    let mut out = before.clone();
    for (field, value) in changes.iter().filter(|(f, _)| keep(*f)) {
        *out.slot(*field) = value.clone();
    }
    out
}

/// Holds back the changed fields that would bring an `error` finding absent from `before`,
/// unless `forced` says the field is written anyway. A field is held back when changing it
/// alone brings a new error; what the remaining changes bring together (cross-field findings)
/// is blamed on the changed fields the finding is about, else on every remaining changed field,
/// until the written set brings no new error that is not forced.
pub fn hold_back(
    before: &Identity,
    changes: &[(IdentityField, Option<String>)],
    forced: &dyn Fn(IdentityField) -> bool,
    evaluate: &dyn Fn(&Identity) -> Vec<Finding>,
) -> Guarded {
    let base = evaluate(before);
    let all = with(before, changes, |_| true);
    let together = new_errors(&base, &evaluate(&all));
    if together.is_empty() {
        return Guarded { identity: all, ..Guarded::default() };
    }
    let mut refused: Vec<(IdentityField, Vec<Finding>)> = Vec::new();
    let mut forced_out: Vec<(IdentityField, Vec<Finding>)> = Vec::new();
    for (field, _) in changes {
        let alone = new_errors(&base, &evaluate(&with(before, changes, |f| f == *field)));
        if alone.is_empty() {
            continue;
        }
        if forced(*field) {
            forced_out.push((*field, alone));
        } else {
            refused.push((*field, alone));
        }
    }
    loop {
        let held = |f: IdentityField| refused.iter().any(|(r, _)| *r == f);
        let written = with(before, changes, |f| !held(f));
        let fresh = new_errors(&base, &evaluate(&written));
        let open: Vec<&(IdentityField, Option<String>)> =
            changes.iter().filter(|(f, _)| !held(*f) && !forced(*f)).collect();
        // new errors about a forced field are the clerk's choice
        let unexplained: Vec<Finding> = fresh
            .into_iter()
            .filter(|finding| !changes.iter().any(|(f, _)| forced(*f) && finding_field(*f) == finding.field))
            .collect();
        if unexplained.is_empty() || open.is_empty() {
            return Guarded { identity: written, refused, forced: forced_out };
        }
        let mut blamed: Vec<IdentityField> = open
            .iter()
            .map(|(f, _)| *f)
            .filter(|f| unexplained.iter().any(|finding| finding.field == finding_field(*f)))
            .collect();
        if blamed.is_empty() {
            blamed = open.iter().map(|(f, _)| *f).collect();
        }
        for field in blamed {
            let why: Vec<Finding> =
                unexplained.iter().filter(|finding| finding.field == finding_field(field)).cloned().collect();
            refused.push((field, if why.is_empty() { unexplained.clone() } else { why }));
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::rules::{self, Code, PersonKind, RecordInput, RuleContext};

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 7).expect("date")
    }

    fn evaluate(identity: &Identity) -> Vec<Finding> {
        let ctx = RuleContext::new(today(), PersonKind::Student);
        rules::check_record(&RecordInput::of_identity(identity, PersonKind::Student, Some(6), None), &ctx).findings
    }

    fn han() -> Identity {
        Identity {
            full_name: Some("Lê Tuệ Hân".into()),
            date_of_birth: Some("23/10/2015".into()),
            gender: Some("Nữ".into()),
            personal_id: Some("031315001234".into()),
            res_province: Some("Hải Phòng".into()),
            res_commune: Some("Phường Hồng Bàng".into()),
            ..Identity::default()
        }
    }

    fn codes(v: &[Finding]) -> Vec<Code> {
        v.iter().map(|f| f.code).collect()
    }

    #[test]
    fn worsening_fields_are_held_back_and_the_others_written() {
        // (what the clerk typed, the fields held back, the codes blamed on the first)
        type Typed = Vec<(IdentityField, Option<&'static str>)>;
        let cases: Vec<(Typed, Vec<IdentityField>, Vec<Code>)> = vec![
            (
                vec![(IdentityField::DateOfBirth, Some("31/02/2015"))],
                vec![IdentityField::DateOfBirth],
                vec![Code::DobImpossible],
            ),
            (
                vec![(IdentityField::PersonalId, Some("03131500123"))],
                vec![IdentityField::PersonalId],
                vec![Code::IdBadLength],
            ),
            (vec![(IdentityField::DateOfBirth, None)], vec![IdentityField::DateOfBirth], vec![Code::DobMissing]),
            (
                vec![(IdentityField::Gender, Some("Nam")), (IdentityField::PersonalId, Some("0313150012"))],
                vec![IdentityField::PersonalId],
                vec![Code::IdBadLength],
            ),
            (vec![(IdentityField::FullName, Some("Lê Tuệ Hằng"))], vec![], vec![]),
        ];
        for (typed, held, blamed) in cases {
            let changes: Vec<(IdentityField, Option<String>)> =
                typed.iter().map(|(f, v)| (*f, v.map(str::to_owned))).collect();
            let g = hold_back(&han(), &changes, &|_| false, &evaluate);
            let got: Vec<IdentityField> = g.refused.iter().map(|(f, _)| *f).collect();
            assert_eq!(got, held, "{typed:?}");
            if let Some((_, why)) = g.refused.first() {
                assert_eq!(codes(why), blamed, "{typed:?}");
            }
            for (field, value) in &changes {
                let expected = if held.contains(field) { han().get(*field).clone() } else { value.clone() };
                assert_eq!(g.identity.get(*field), &expected, "{typed:?}");
            }
            assert!(new_errors(&evaluate(&han()), &evaluate(&g.identity)).is_empty(), "{typed:?}");
        }
    }

    #[test]
    fn a_forced_field_is_written_and_reported() {
        let changes = vec![(IdentityField::DateOfBirth, Some("31/02/2015".to_owned()))];
        let g = hold_back(&han(), &changes, &|f| f == IdentityField::DateOfBirth, &evaluate);
        assert!(g.refused.is_empty());
        assert_eq!(g.identity.date_of_birth.as_deref(), Some("31/02/2015"));
        assert_eq!(codes(&g.forced[0].1), vec![Code::DobImpossible]);
    }

    #[test]
    fn a_record_already_wrong_may_stay_wrong_or_get_better() {
        let mut broken = han();
        broken.date_of_birth = Some("31/02/2015".into());
        let changes = vec![(IdentityField::DateOfBirth, Some("30/02/2015".to_owned()))];
        let g = hold_back(&broken, &changes, &|_| false, &evaluate);
        assert!(g.refused.is_empty(), "the same error is no worse: {g:?}");
        let changes = vec![(IdentityField::DateOfBirth, Some("23/10/2015".to_owned()))];
        assert!(hold_back(&broken, &changes, &|_| false, &evaluate).refused.is_empty());
    }
}
