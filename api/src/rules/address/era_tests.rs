//! Addresses typed with the units of their day (2004 → 2025), resolved through every era of the
//! statistics office's list: the examples, the findings' content, and the guarantee that
//! no address correct on 30 June 2025 is changed.

use super::*;
use crate::rules::ResidenceInput;

fn structured(p: &str, d: &str, c: &str) -> ResidenceOutcome {
    let cell = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    resolve_residence(Some(&ResidenceInput { province: cell(p), district: cell(d), commune: cell(c) }), None)
}

fn codes(o: &ResidenceOutcome) -> Vec<&'static str> {
    o.findings.iter().map(|f| f.code.as_str()).collect()
}

/// (June-2025 district code, June-2025 commune code, post-2025 commune code).
fn units_of(o: &ResidenceOutcome) -> (Option<&str>, Option<&str>, Option<&str>) {
    let r = o.residence.as_ref();
    (
        r.and_then(|r| r.district_code.as_deref()),
        r.and_then(|r| r.commune_code.as_deref()),
        r.and_then(|r| r.post2025.as_ref()).and_then(|n| n.commune_code.as_deref()),
    )
}

const HISTORICAL: &str = "address_historical_unit";

#[test]
fn units_of_the_past_resolve_to_the_unit_of_june_2025() {
    let u = units();
    // (province, district, commune as typed then) → (June-2025 district, June-2025 commune).
    let cases: &[(&str, &str, &str, &str, &str)] = &[
        // Thạch Lạc moved from Huyện Thạch Hà to Thành phố Hà Tĩnh in January 2025.
        ("Hà Tĩnh", "Huyện Thạch Hà", "Xã Thạch Lạc", "436", "18622"),
        ("Tỉnh Hà Tĩnh", "Thạch Hà", "Thạch Lạc", "436", "18622"),
        // Huyện Lộc Hà (2007–2025), merged into Huyện Thạch Hà.
        ("Hà Tĩnh", "Huyện Lộc Hà", "Xã Tân Lộc", "445", "18409"),
        ("Hà Tĩnh", "Lộc Hà", "Thịnh Lộc", "445", "18421"),
        // The district Thành phố Huế, split into Thuận Hóa and Phú Xuân in January 2025.
        ("Thừa Thiên Huế", "Thành phố Huế", "Phường Phú Hội", "474", "19786"),
        ("Tỉnh Thừa Thiên Huế", "TP Huế", "P. Phú Hội", "474", "19786"),
        // Lục Ngạn's communes moved to the new Thị xã Chũ (Thị trấn Chũ became Phường Chũ).
        ("Bắc Giang", "Huyện Lục Ngạn", "Thị trấn Chũ", "224", "07525"),
        ("Bắc Giang", "Lục Ngạn", "Xã Kiên Lao", "224", "07552"),
        // Hà Tây, merged into Hà Nội in 2008.
        ("Tỉnh Hà Tây", "Huyện Thạch Thất", "Xã Phú Kim", "276", "09967"),
        ("Hà Tây", "Thị xã Hà Đông", "Phường Nguyễn Trãi", "268", ""),
    ];
    for &(p, d, c, district, commune) in cases {
        let out = structured(p, d, c);
        let found = codes(&out);
        assert!(found.contains(&HISTORICAL), "{p}/{d}/{c}: {found:?} {:?}", out.findings);
        let f = out.findings.iter().find(|f| f.code == Code::AddressHistoricalUnit).expect("finding");
        assert_eq!(f.severity, Severity::Fixed);
        let (dc, cc, new) = units_of(&out);
        assert_eq!(dc, Some(district), "{p}/{d}/{c}: {}", f.message);
        if !commune.is_empty() {
            assert_eq!(cc, Some(commune), "{p}/{d}/{c}: {}", f.message);
            // The post-2025 commune is the official conversion of the June-2025 one.
            let default = u.default_target(commune).map(|t| t.new_commune_code);
            assert_eq!(new, default, "{p}/{d}/{c}");
        }
        assert!(!out.has_error(), "{p}/{d}/{c}: {found:?}");
    }
}

#[test]
fn the_historical_finding_says_which_unit_until_when_and_what_it_became() {
    let out = structured("Hà Tĩnh", "Huyện Thạch Hà", "Xã Thạch Lạc");
    let f = out.findings.iter().find(|f| f.code == Code::AddressHistoricalUnit).expect("finding");
    assert!(f.message.contains("Xã Thạch Lạc, Huyện Thạch Hà"), "{}", f.message);
    assert!(f.message.contains("01/01/2025"), "{}", f.message);
    assert!(f.message.contains("Thành phố Hà Tĩnh"), "{}", f.message);
    assert_eq!(f.params.get("historicalDistrictCode"), Some(&serde_json::Value::from("445")));
    assert_eq!(f.params.get("districtCode"), Some(&serde_json::Value::from("436")));
    assert_eq!(f.params.get("lastSeen"), Some(&serde_json::Value::from("2025-01-01")));
    assert!(f.params.contains_key("newCommuneCode"));
    let fix = f.fix.as_ref().expect("fix");
    assert_eq!(fix.from, "Xã Thạch Lạc, Huyện Thạch Hà, Hà Tĩnh");
    assert_eq!(fix.to, "Xã Thạch Lạc, Thành phố Hà Tĩnh, Tỉnh Hà Tĩnh");
    // Like any pre-2025 address, it also gets the post-2025 unit to use.
    assert!(codes(&out).contains(&"address_outdated_unit"));
    assert_eq!(out.residence.as_ref().map(|r| r.scheme), Some(Scheme::Pre2025));
}

#[test]
fn a_split_unit_of_the_past_lists_where_it_went() {
    // The district Thành phố Huế without a commune: Thuận Hóa or Phú Xuân.
    let out = structured("Thừa Thiên Huế", "Thành phố Huế", "");
    assert!(codes(&out).contains(&"address_split_unit"), "{:?}", out.findings);
    assert!(!codes(&out).contains(&HISTORICAL));
    let f = out.findings.iter().find(|f| f.code == Code::AddressSplitUnit).expect("split");
    assert_eq!(f.severity, Severity::Warning);
    assert!(f.message.contains("Quận Thuận Hóa") && f.message.contains("Quận Phú Xuân"), "{}", f.message);
    // The residence stops at what both share: the province.
    let r = out.residence.as_ref().expect("partial");
    assert_eq!((r.province_code.as_deref(), r.district_code.as_deref()), (Some("46"), None));
    // Huyện Lộc Hà alone: Thạch Hà, and Thành phố Hà Tĩnh for Xã Hộ Độ.
    let out = structured("Hà Tĩnh", "Huyện Lộc Hà", "");
    assert!(codes(&out).contains(&"address_split_unit"), "{:?}", out.findings);
}

#[test]
fn a_district_of_the_past_without_commune_goes_to_its_successor() {
    // Hà Tây's Huyện Phúc Thọ stood under Hà Nội from 2008 with the same code.
    let out = structured("Hà Tây", "Huyện Phúc Thọ", "");
    assert!(codes(&out).contains(&HISTORICAL), "{:?}", out.findings);
    assert!(codes(&out).contains(&"address_incomplete"), "{:?}", out.findings);
    let r = out.residence.as_ref().expect("district");
    assert_eq!((r.province_code.as_deref(), r.district_code.as_deref()), (Some("01"), Some("272")));
}

#[test]
fn a_name_of_the_past_does_not_rescue_a_wrong_address() {
    // Máy Tơ never stood under Lê Chân: still a mismatch, not a repair.
    let out = structured("Hải Phòng", "Quận Lê Chân", "Phường Máy Tơ");
    assert!(codes(&out).contains(&"address_hierarchy_mismatch"), "{:?}", codes(&out));
    assert!(!codes(&out).contains(&HISTORICAL));
    // Hà Tây never held Gia Viên (Hải Phòng).
    let out = structured("Tỉnh Hà Tây", "", "Phường Gia Viên");
    assert!(!codes(&out).contains(&HISTORICAL), "{:?}", codes(&out));
}

#[test]
fn every_june_2025_address_resolves_to_itself_unchanged() {
    let u = units();
    let mut changed = Vec::new();
    for c in u.old_communes() {
        let (Some(d), Some(p)) = (u.old_district(c.district_code), u.old_province(c.province_code)) else {
            continue;
        };
        let out = structured(p.name, d.name, c.name);
        let got = out.residence.as_ref().and_then(|r| r.commune_code.as_deref());
        if got != Some(c.code) || codes(&out).contains(&HISTORICAL) {
            changed.push(format!("{} {}, {}, {} → {:?} {:?}", c.code, c.name, d.name, p.name, got, codes(&out)));
        }
    }
    assert!(
        changed.is_empty(),
        "{} of {} changed: {:#?}",
        changed.len(),
        u.old_communes().len(),
        &changed[..changed.len().min(20)]
    );
}
