//! How the registry compares a request item with what it holds (pure; the simulator uses it).
//! Exact on the ID number, date of birth and gender; the name after NFC, whitespace collapsing
//! and case folding, with old/new tone placement ("Hoà"/"Hòa") forgiven only when configured
//! (the real registry's tolerance is unknown); the residence on the codes that were sent.

use super::{MismatchField, RegistryValues, RequestItem, Residence};
use crate::domain::name::match_key;
use crate::domain::text::{collapse_whitespace, nfc};

/// One person as the registry holds them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryPerson {
    pub personal_id: String,
    pub full_name: String,
    /// `YYYY-MM-DD`, or `YYYY` for a birth year only.
    pub date_of_birth: String,
    pub gender: String,
    pub province_code: Option<String>,
    pub commune_code: Option<String>,
}

/// How forgiving the comparison is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tolerance {
    /// Old and new tone placement count as the same name.
    pub tone_placement: bool,
}

/// The name as the registry compares it: NFC, single spaces, case-folded.
pub fn name_key(s: &str, tolerance: Tolerance) -> String {
    if tolerance.tone_placement {
        return match_key(s);
    }
    nfc(&collapse_whitespace(s)).to_lowercase()
}

/// True when the two names are the same for the registry.
pub fn names_match(sent: &str, held: &str, tolerance: Tolerance) -> bool {
    name_key(sent, tolerance) == name_key(held, tolerance)
}

/// Why an item is malformed, if it is.
pub fn invalid_reason(item: &RequestItem) -> Option<String> {
    let pid = &item.personal_id;
    if pid.len() != 12 || !pid.bytes().all(|b| b.is_ascii_digit()) {
        return Some("personalId must be 12 digits".to_owned());
    }
    if item.full_name.trim().is_empty() {
        return Some("fullName is required".to_owned());
    }
    let dob = item.date_of_birth.as_str();
    let full = chrono::NaiveDate::parse_from_str(dob, "%Y-%m-%d").is_ok() && dob.len() == 10;
    let year = dob.len() == 4 && dob.bytes().all(|b| b.is_ascii_digit());
    if !full && !year {
        return Some("dateOfBirth must be YYYY-MM-DD or YYYY".to_owned());
    }
    if item.gender != "Nam" && item.gender != "Nữ" {
        return Some("gender must be Nam or Nữ".to_owned());
    }
    if let Some(r) = &item.residence {
        let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(&r.province_code, 2) || r.commune_code.as_deref().is_some_and(|c| !digits(c, 5)) {
            return Some("residence codes must be a 2-digit province and a 5-digit commune".to_owned());
        }
    }
    None
}

/// The fields of a well-formed item that differ from the person the registry holds.
pub fn compare(item: &RequestItem, held: &RegistryPerson, tolerance: Tolerance) -> Vec<MismatchField> {
    let mut out = Vec::new();
    if !names_match(&item.full_name, &held.full_name, tolerance) {
        out.push(MismatchField::FullName);
    }
    if item.date_of_birth != held.date_of_birth {
        out.push(MismatchField::DateOfBirth);
    }
    if item.gender != held.gender {
        out.push(MismatchField::Gender);
    }
    if let Some(r) = &item.residence {
        let province_differs = held.province_code.as_deref().is_some_and(|p| p != r.province_code);
        let commune_differs = match (&r.commune_code, &held.commune_code) {
            (Some(sent), Some(held)) => sent != held,
            _ => false,
        };
        if province_differs || commune_differs {
            out.push(MismatchField::Residence);
        }
    }
    out
}

/// The registry's values of the differing fields.
pub fn registry_values(fields: &[MismatchField], held: &RegistryPerson) -> RegistryValues {
    let mut v = RegistryValues::default();
    for f in fields {
        match f {
            MismatchField::FullName => v.full_name = Some(held.full_name.clone()),
            MismatchField::DateOfBirth => v.date_of_birth = Some(held.date_of_birth.clone()),
            MismatchField::Gender => v.gender = Some(held.gender.clone()),
            MismatchField::Residence => {
                v.residence = held
                    .province_code
                    .clone()
                    .map(|province_code| Residence { province_code, commune_code: held.commune_code.clone() })
            }
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    const STRICT: Tolerance = Tolerance { tone_placement: false };
    const TOLERANT: Tolerance = Tolerance { tone_placement: true };

    #[test]
    fn names_compare_after_nfc_and_case_folding() {
        // (sent, held, strict, tolerant)
        let cases = [
            ("Nguyễn Văn An", "Nguyễn Văn An", true, true),
            ("NGUYỄN VĂN AN", "Nguyễn Văn An", true, true),
            ("nguyễn  văn an ", "Nguyễn Văn An", true, true),
            ("Nguye\u{302}\u{303}n Văn An", "Nguyễn Văn An", true, true),
            ("Lê Thị Hoà", "Lê Thị Hòa", false, true),
            ("Trần Thanh Thuỷ", "Trần Thanh Thủy", false, true),
            ("Lê Thị Hoa", "Lê Thị Hòa", false, false),
            ("Nguyễn Văn Quí", "Nguyễn Văn Quý", false, false),
            ("Nguyen Van An", "Nguyễn Văn An", false, false),
        ];
        for (sent, held, strict, tolerant) in cases {
            assert_eq!(names_match(sent, held, STRICT), strict, "strict: {sent} / {held}");
            assert_eq!(names_match(sent, held, TOLERANT), tolerant, "tolerant: {sent} / {held}");
        }
    }

    fn held() -> RegistryPerson {
        RegistryPerson {
            personal_id: "031215001234".into(),
            full_name: "Nguyễn Văn An".into(),
            date_of_birth: "2015-02-01".into(),
            gender: "Nam".into(),
            province_code: Some("31".into()),
            commune_code: Some("11311".into()),
        }
    }

    fn item() -> RequestItem {
        RequestItem {
            request_id: "1".into(),
            personal_id: "031215001234".into(),
            full_name: "Nguyễn Văn An".into(),
            date_of_birth: "2015-02-01".into(),
            gender: "Nam".into(),
            residence: Some(Residence { province_code: "31".into(), commune_code: Some("11311".into()) }),
        }
    }

    #[test]
    fn each_field_is_reported() {
        type Edit = fn(&mut RequestItem);
        let cases: [(Edit, Vec<MismatchField>); 6] = [
            (|_| {}, vec![]),
            (|i| i.full_name = "Nguyễn Văn Anh".into(), vec![MismatchField::FullName]),
            (|i| i.date_of_birth = "2015-01-02".into(), vec![MismatchField::DateOfBirth]),
            (|i| i.gender = "Nữ".into(), vec![MismatchField::Gender]),
            (
                |i| i.residence = Some(Residence { province_code: "01".into(), commune_code: None }),
                vec![MismatchField::Residence],
            ),
            (|i| i.residence = None, vec![]),
        ];
        for (edit, want) in cases {
            let mut it = item();
            edit(&mut it);
            assert_eq!(compare(&it, &held(), STRICT), want, "{it:?}");
        }
        let v = registry_values(&[MismatchField::Gender, MismatchField::Residence], &held());
        assert_eq!(v.gender.as_deref(), Some("Nam"));
        assert_eq!(v.residence.map(|r| r.province_code), Some("31".to_owned()));
        assert_eq!(v.full_name, None);
    }

    #[test]
    fn malformed_items_are_named() {
        type Edit = fn(&mut RequestItem);
        let cases: [(Edit, bool); 7] = [
            (|_| {}, false),
            (|i| i.personal_id = "31215001234".into(), true),
            (|i| i.personal_id = "03121500123X".into(), true),
            (|i| i.full_name = " ".into(), true),
            (|i| i.date_of_birth = "01/02/2015".into(), true),
            (|i| i.date_of_birth = "1965".into(), false),
            (|i| i.gender = "nam".into(), true),
        ];
        for (edit, invalid) in cases {
            let mut it = item();
            edit(&mut it);
            assert_eq!(invalid_reason(&it).is_some(), invalid, "{it:?}");
        }
    }
}
