//! Table tests of the bulk repairs: what is written back, what a conversion does and does not
//! touch, what a preview shows.

use super::*;
use crate::rules::{Finding, Normalized};

fn fixed(field: Field, code: Code) -> Finding {
    let mut f = Finding::new(field, code);
    f.severity = Severity::Fixed;
    f
}

#[test]
fn only_fields_with_a_safe_repair_are_written_back() {
    let outcome = Outcome {
        normalized: Normalized {
            full_name: Some("Nguyễn Văn An".into()),
            date_of_birth: chrono::NaiveDate::from_ymd_opt(2014, 3, 5),
            gender: Some("Nam".into()),
            personal_id: Some("031214001234".into()),
            ..Normalized::default()
        },
        findings: vec![
            fixed(Field::FullName, Code::NameCase),
            fixed(Field::DateOfBirth, Code::DobExcelSerial),
            Finding::new(Field::PersonalId, Code::IdSexMismatch),
        ],
    };
    let c = repairs(&outcome, None, &Identity::default()).identity;
    assert_eq!(c.get(IdentityField::FullName), Some(&Some("Nguyễn Văn An".into())));
    assert_eq!(c.get(IdentityField::DateOfBirth), Some(&Some("05/03/2014".into())));
    assert_eq!(c.get(IdentityField::Gender), None, "no repair on gender");
    assert_eq!(c.get(IdentityField::PersonalId), None, "a warning is not a repair");
    let only = repairs(&outcome, Some(Code::DobExcelSerial), &Identity::default()).identity;
    assert_eq!(only.get(IdentityField::FullName), None);
    assert!(only.get(IdentityField::DateOfBirth).is_some());
}

#[test]
fn an_inferred_province_and_district_are_filled_in_only_where_missing() {
    use crate::domain::admin_units::{ResolvedResidence, Scheme};
    let outcome = Outcome {
        normalized: Normalized {
            residence: Some(ResolvedResidence {
                scheme: Scheme::Pre2025,
                province_code: Some("31".into()),
                district_code: Some("304".into()),
                commune_code: Some("11365".into()),
                province_name: Some("Thành phố Hải Phòng".into()),
                district_name: Some("Quận Ngô Quyền".into()),
                commune_name: Some("Phường Lạch Tray".into()),
                post2025: None,
                split_candidates: Vec::new(),
            }),
            ..Normalized::default()
        },
        findings: vec![fixed(Field::Residence, Code::AddressUnitInferred)],
    };
    let entered = Identity {
        res_province: Some("Hải Phòng".into()),
        res_commune: Some("Lạch Tray".into()),
        ..Identity::default()
    };
    let c = repairs(&outcome, None, &entered).identity;
    assert_eq!(c.get(IdentityField::ResidenceProvince), None, "what was entered stays");
    assert_eq!(c.get(IdentityField::ResidenceDistrict), Some(&Some("Quận Ngô Quyền".into())));
    let text_only = Identity { res_text: Some("P. Lạch Tray, HP".into()), ..Identity::default() };
    let c = repairs(&outcome, None, &text_only).identity;
    assert!(c.is_empty(), "a one-cell address is left as typed");
}

#[test]
fn a_unit_of_another_era_becomes_the_unit_of_june_2025() {
    use crate::domain::admin_units::units;
    let residence = units().residence_of_old_commune("18622");
    let outcome = Outcome {
        normalized: Normalized { residence, ..Normalized::default() },
        findings: vec![fixed(Field::Residence, Code::AddressHistoricalUnit)],
    };
    let entered = Identity {
        res_province: Some("Hà Tĩnh".into()),
        res_district: Some("Huyện Thạch Hà".into()),
        res_commune: Some("Xã Thạch Lạc".into()),
        ..Identity::default()
    };
    let c = repairs(&outcome, None, &entered).identity;
    assert_eq!(c.get(IdentityField::ResidenceProvince), Some(&Some("Tỉnh Hà Tĩnh".into())));
    assert_eq!(c.get(IdentityField::ResidenceDistrict), Some(&Some("Thành phố Hà Tĩnh".into())));
    assert_eq!(c.get(IdentityField::ResidenceCommune), Some(&Some("Xã Thạch Lạc".into())));
    let text_only = Identity { res_text: Some("Thạch Lạc, Thạch Hà, Hà Tĩnh".into()), ..Identity::default() };
    assert!(repairs(&outcome, None, &text_only).identity.is_empty(), "a one-cell address is left as typed");
}

/// The rule engine's outcome for a structured residence.
fn checked(province: &str, district: &str, commune: &str) -> (Outcome, Identity) {
    let entered = Identity {
        res_province: Some(province.into()),
        res_district: (!district.is_empty()).then(|| district.into()),
        res_commune: Some(commune.into()),
        ..Identity::default()
    };
    let input = crate::rules::RecordInput::of_identity(&entered, PersonKind::Student, None, None);
    let ctx = crate::rules::RuleContext::new(
        chrono::NaiveDate::from_ymd_opt(2025, 9, 5).unwrap_or_default(),
        PersonKind::Student,
    );
    (crate::rules::check_record(&input, &ctx), entered)
}

#[test]
fn an_old_commune_that_became_one_new_commune_is_converted_only_when_asked() {
    let (outcome, entered) = checked("Hải Phòng", "Quận Ngô Quyền", "Phường Máy Chai");
    assert!(repairs(&outcome, None, &entered).identity.is_empty(), "a warning is not repaired by default");
    let c = repairs(&outcome, Some(Code::AddressOutdatedUnit), &entered).identity;
    assert_eq!(c.get(IdentityField::ResidenceProvince), Some(&Some("Thành phố Hải Phòng".into())));
    assert_eq!(c.get(IdentityField::ResidenceDistrict), Some(&None), "no district after 1 July 2025");
    assert_eq!(c.get(IdentityField::ResidenceCommune), Some(&Some("Phường Ngô Quyền".into())));
    let mut after = entered.clone();
    for (field, value) in c.iter() {
        *after.slot(field) = value.clone();
    }
    let s = sample(7, &entered, &after).expect("a change");
    assert_eq!(s.before, "Phường Máy Chai, Quận Ngô Quyền, Hải Phòng");
    assert_eq!(s.after, "Phường Ngô Quyền, Thành phố Hải Phòng");
    // the converted residence raises nothing more
    let (again, _) = checked("Thành phố Hải Phòng", "", "Phường Ngô Quyền");
    let residence: Vec<_> = again.findings.iter().filter(|f| f.field == Field::Residence).collect();
    assert!(residence.is_empty(), "{residence:?}");
}

#[test]
fn a_split_commune_a_province_alone_or_a_one_cell_address_is_not_converted() {
    let only = Some(Code::AddressOutdatedUnit);
    let (split, entered) = checked("Hải Phòng", "Quận Ngô Quyền", "Phường Gia Viên");
    assert!(repairs(&split, only, &entered).identity.is_empty(), "three new wards: the clerk chooses");
    let (province, entered) = checked("Tỉnh Hải Dương", "", "");
    assert!(repairs(&province, only, &Identity { res_commune: None, ..entered }).identity.is_empty());
    let (outcome, _) = checked("Hải Phòng", "Quận Ngô Quyền", "Phường Máy Chai");
    let text_only = Identity { res_text: Some("P. Máy Chai, Q. Ngô Quyền, HP".into()), ..Identity::default() };
    assert!(repairs(&outcome, only, &text_only).identity.is_empty(), "a one-cell address is left as typed");
    let (moved, entered) = checked("Yên Bái", "", "Phường Văn Phú");
    let c = repairs(&moved, only, &entered).identity;
    assert_eq!(c.get(IdentityField::ResidenceProvince), Some(&Some("Tỉnh Lào Cai".into())), "the province of 2025");
}

#[test]
fn a_sample_masks_an_id_number() {
    let before = Identity { personal_id: Some("'031214001234".into()), ..Identity::default() };
    let after = Identity { personal_id: Some("031214001234".into()), ..Identity::default() };
    let s = sample(1, &before, &after).expect("a change");
    assert!(!s.after.contains("031214001234"), "{}", s.after);
    assert!(sample(1, &after, &after).is_none());
}
