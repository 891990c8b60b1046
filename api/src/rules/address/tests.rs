//! Table tests of the residence rule: real units, real-looking damage. For every code, cases
//! that must fire and look-alike cases that must not; then resolution tables (abbreviations,
//! diacritics, tone placement, apostrophes, NFD, codes, former names, aliases) and free text.

use serde_json::Value;

use super::*;
use crate::rules::ResidenceInput;

fn structured(p: &str, d: &str, c: &str) -> ResidenceOutcome {
    let cell = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    resolve_residence(Some(&ResidenceInput { province: cell(p), district: cell(d), commune: cell(c) }), None)
}

fn text(t: &str) -> ResidenceOutcome {
    resolve_residence(None, Some(t))
}

fn codes(o: &ResidenceOutcome) -> Vec<&'static str> {
    o.findings.iter().map(|f| f.code.as_str()).collect()
}

fn param<'a>(o: &'a ResidenceOutcome, code: Code, key: &str) -> Option<&'a Value> {
    o.findings.iter().find(|f| f.code == code).and_then(|f| f.params.get(key))
}

fn commune(o: &ResidenceOutcome) -> Option<(Scheme, &str)> {
    o.residence.as_ref().and_then(|r| Some((r.scheme, r.commune_code.as_deref()?)))
}

const PRE: Scheme = Scheme::Pre2025;
const POST: Scheme = Scheme::Post2025;
const OUTDATED: &str = "address_outdated_unit";
const SPLIT: &str = "address_split_unit";

// ----- every code: must fire ----------------------------------------------------------------

#[test]
fn missing_fires_only_when_nothing_is_entered() {
    let mut f = Vec::new();
    assert_eq!(check_residence(None, None, &mut f), None);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].code, Code::AddressMissing);
    for (p, d, c) in [("", "", ""), ("  ", "\u{00A0}", "\u{200B}"), (",", " - ", ".")] {
        assert_eq!(codes(&structured(p, d, c)), ["address_missing"], "{p:?}{d:?}{c:?}");
    }
    assert_eq!(codes(&text("   ")), ["address_missing"]);
    // Must not fire: something was entered, in either form.
    assert!(!codes(&text("Hải Phòng")).contains(&"address_missing"));
    assert!(!codes(&structured("", "", "Phường Gia Viên")).contains(&"address_missing"));
}

#[test]
fn unknown_units() {
    let cases: &[(&str, &str, &str, &str)] = &[
        ("Tỉnh Hà Tây", "", "Phường Gia Viên", "address_province_unknown"),
        ("Atlantis", "", "", "address_province_unknown"),
        ("Hải Phòng", "Huyện Thủy Tiên", "Phường Gia Viên", "address_district_unknown"),
        ("Hải Phòng", "Quận Ngô Quyền", "Phường Không Tồn Tại", "address_commune_unknown"),
        ("Hải Phòng", "", "Xã Atlantis", "address_commune_unknown"),
    ];
    for &(p, d, c, code) in cases {
        let out = structured(p, d, c);
        assert!(codes(&out).contains(&code), "{p}/{d}/{c}: {:?}", codes(&out));
        assert!(out.has_error());
    }
    // The rest still resolves: an unknown province does not hide a unique commune.
    let out = structured("Tỉnh Hà Tây", "", "Phường Gia Viên");
    assert_eq!(commune(&out), Some((POST, "11359")));
    // The message names where it looked.
    let out = structured("Hải Phòng", "Quận Ngô Quyền", "Phường Không Tồn Tại");
    let f = &out.findings[0];
    assert!(f.message.contains("Quận Ngô Quyền, Thành phố Hải Phòng"), "{}", f.message);
    assert_eq!(f.params.get("districtCode"), Some(&Value::from("304")));
    assert_eq!(out.residence.as_ref().and_then(|r| r.district_code.as_deref()), Some("304"));
}

#[test]
fn unknown_must_not_fire_for_abbreviations_aliases_and_damage() {
    let cases: &[(&str, &str, &str, (Scheme, &str))] = &[
        ("TP.HCM", "Q.3", "P8", (PRE, "27139")), // Phường 8 merged into Võ Thị Sáu in 2020
        ("TP HCM", "Q10", "P.8", (PRE, "27187")),
        ("Sài Gòn", "Quận 10", "Phường 08", (PRE, "27187")),
        ("hcm", "Phú Nhuận", "F4", (PRE, "27043")),
        ("HP", "Q. Ngô Quyền", "P. Máy Chai", (PRE, "11329")),
        ("T.P Hải Phòng", "Ngô Quyền", "Máy Tơ", (PRE, "11341")), // former ward, in aliases
        ("Hải Phòng", "Kiến An", "Đồng Hòa", (PRE, "11431")),     // official: Đồng Hoà
        ("Hải Phòng", "TP Thủy Nguyên", "Hòa Bình", (PRE, "11527")), // official: Thuỷ, Hoà
        ("Tuyên Quang", "", "Xã Thuận Hòa", (POST, "00922")),     // official: Thuận Hoà
        ("Đắk Lắk", "", "Cư M’gar", (POST, "24280")),             // official: M'gar
        ("Dak Lak", "", "cu mgar", (POST, "24280")),
        ("THÀNH PHỐ HẢI PHÒNG", "QUẬN NGÔ QUYỀN", "PHƯỜNG MÁY CHAI", (PRE, "11329")),
        ("Sơn La", "Thuận Châu", "Xã Phổng Lăng", (PRE, "03748")), // name until 2025
        ("BR-VT", "TX. Phú Mỹ", "Xã Tân Hòa", (PRE, "26707")),     // now TP Phú Mỹ, Phường Tân Hoà
        ("Hà Nội", "H. Gia Lâm", "TT. Yên Viên", (PRE, "00526")),
        ("Ha Noi", "Huyen Gia Lam", "Thi tran Yen Vien", (PRE, "00526")),
        ("31", "304", "11341", (PRE, "11341")),
        ("31", "", "11359", (POST, "11359")), // the same code is Phường Đằng Giang pre-2025
        ("Hồ Chí Minh", "Quận 9", "", (PRE, "")), // quận 9 is now Thủ Đức (alias)
    ];
    for &(p, d, c, (scheme, code)) in cases {
        let out = structured(p, d, c);
        let all = codes(&out);
        assert!(!all.iter().any(|c| c.ends_with("_unknown")), "{p}/{d}/{c}: {all:?}");
        let res = out.residence.as_ref().expect("resolved");
        assert_eq!(res.scheme, scheme, "{p}/{d}/{c}");
        if !code.is_empty() {
            assert_eq!(res.commune_code.as_deref(), Some(code), "{p}/{d}/{c}");
        }
    }
    let q9 = structured("Hồ Chí Minh", "Quận 9", "");
    assert_eq!(q9.residence.and_then(|r| r.district_code), Some("769".into()));
    // NFD input (as pasted from a Mac or a web page).
    let nfd = |s: &str| unicode_normalization::UnicodeNormalization::nfd(s).collect::<String>();
    let out = structured(&nfd("Hải Phòng"), &nfd("Quận Lê Chân"), &nfd("Phường Dư Hàng Kênh"));
    assert_eq!(commune(&out), Some((PRE, "11404")));
    // A post-2025 unit with province abbreviations.
    for p in ["HN", "Hà Nội", "TP. Hà Nội", "ha noi", "Thành phố Hà Nội", "01"] {
        let out = structured(p, "", "Phường Hoàn Kiếm");
        assert_eq!(commune(&out), Some((POST, "00070")), "{p}");
        assert!(out.findings.is_empty(), "{p}: {:?}", codes(&out));
    }
    for p in ["Thừa Thiên Huế", "TT Huế", "Huế", "Thành phố Huế"] {
        let out = structured(p, "", "");
        assert_eq!(out.residence.map(|r| r.province_code), Some(Some("46".into())), "{p}");
    }
}

#[test]
fn hierarchy_mismatch_says_where_the_unit_is() {
    // Gia Viên is in Quận Ngô Quyền, not Lê Chân.
    let out = structured("Hải Phòng", "Quận Lê Chân", "Phường Gia Viên");
    assert_eq!(codes(&out), ["address_hierarchy_mismatch"]);
    let code = Code::AddressHierarchyMismatch;
    assert_eq!(param(&out, code, "actualDistrictCode"), Some(&Value::from("304")));
    assert_eq!(param(&out, code, "parentLevel"), Some(&Value::from("district")));
    assert!(out.findings[0].message.contains("thuộc Quận Ngô Quyền"), "{}", out.findings[0].message);
    // The residence keeps what is certain: the province and the district as entered.
    let res = out.residence.expect("partial");
    assert_eq!((res.district_code.as_deref(), res.commune_code), (Some("305"), None));

    // District and commune agree, the province does not.
    let out = structured("Hải Dương", "Quận Ngô Quyền", "Phường Gia Viên");
    assert_eq!(codes(&out), ["address_hierarchy_mismatch"]);
    assert_eq!(param(&out, code, "actualProvinceCode"), Some(&Value::from("31")));
    assert_eq!(param(&out, code, "parentLevel"), Some(&Value::from("province")));

    // A district of another province.
    let out = structured("Hà Nội", "Quận Ngô Quyền", "");
    assert_eq!(codes(&out), ["address_hierarchy_mismatch"]);
    assert_eq!(param(&out, code, "actualProvinceCode"), Some(&Value::from("31")));

    // A commune of another province (post-2025 form).
    let out = structured("Đà Nẵng", "", "Phường Gia Viên");
    assert_eq!(codes(&out), ["address_hierarchy_mismatch"]);
    assert_eq!(param(&out, code, "actualProvinceCode"), Some(&Value::from("31")));

    // A name found in several other places: all are listed, none is picked.
    let out = structured("Hải Phòng", "Quận Ngô Quyền", "Phường 14");
    assert_eq!(codes(&out), ["address_hierarchy_mismatch"]);
    let n = param(&out, code, "candidates").and_then(Value::as_array).map(Vec::len);
    assert!(n.is_some_and(|n| n > 1), "{n:?}");
    assert_eq!(param(&out, code, "actualDistrictCode"), None);
}

#[test]
fn hierarchy_mismatch_must_not_fire_on_shared_names() {
    // "Phường 14" exists in many districts; "Xã An Thọ" in two provinces; "Tân Xã" is a name.
    let cases: &[(&str, &str, &str, &str)] = &[
        ("Hồ Chí Minh", "Quận Bình Thạnh", "Phường 14", "26929"),
        ("Hồ Chí Minh", "Quận 10", "Phường 14", "27169"),
        ("Hải Phòng", "Huyện An Lão", "Xã An Thọ", "11674"),
        ("Phú Yên", "Huyện Tuy An", "Xã An Thọ", "22159"),
        ("Hà Nội", "Huyện Thạch Thất", "Xã Tân Xã", "10000"),
        ("Hải Phòng", "Huyện Bạch Long Vĩ", "Bạch Long Vĩ", ""),
    ];
    for &(p, d, c, want) in cases {
        let out = structured(p, d, c);
        assert!(!out.has_error(), "{p}/{d}/{c}: {:?}", codes(&out));
        if !want.is_empty() {
            assert_eq!(commune(&out), Some((PRE, want)), "{p}/{d}/{c}");
        }
    }
}

#[test]
fn outdated_unit_suggests_the_post2025_unit() {
    let out = structured("Hải Phòng", "Quận Ngô Quyền", "Phường Máy Chai");
    assert_eq!(codes(&out), [OUTDATED]);
    let res = out.residence.as_ref().expect("resolved");
    assert_eq!(res.scheme, PRE);
    assert_eq!(res.district_name.as_deref(), Some("Quận Ngô Quyền"));
    let new = res.post2025.as_ref().expect("converted");
    assert_eq!(new.commune_code.as_deref(), Some("11329"));
    assert_eq!(new.commune_name.as_deref(), Some("Phường Ngô Quyền"));
    let c = Code::AddressOutdatedUnit;
    assert_eq!(param(&out, c, "newCommuneCode"), Some(&Value::from("11329")));
    assert_eq!(param(&out, c, "newProvinceName"), Some(&Value::from("Thành phố Hải Phòng")));
    assert_eq!(param(&out, c, "oldCommuneCode"), Some(&Value::from("11329")));
    assert!(out.findings[0].message.contains("nay thuộc Phường Ngô Quyền, Thành phố Hải Phòng"));

    // A province that no longer exists, alone: outdated and incomplete.
    let out = structured("Tỉnh Hải Dương", "", "");
    assert_eq!(codes(&out), ["address_incomplete", OUTDATED]);
    assert_eq!(param(&out, c, "newProvinceCode"), Some(&Value::from("31")));

    // A post-2025 commune typed with its former province's name.
    let out = structured("Yên Bái", "", "Phường Văn Phú");
    assert_eq!(commune(&out).map(|x| x.0), Some(POST), "{:?}", codes(&out));
    assert_eq!(codes(&out), [OUTDATED]);
    assert_eq!(param(&out, c, "newProvinceName"), Some(&Value::from("Tỉnh Lào Cai")));

    // Read through a former name: the message says how it was read.
    let out = structured("Hải Phòng", "Quận Ngô Quyền", "Phường Máy Tơ");
    assert_eq!(codes(&out), [OUTDATED, SPLIT]);
    assert_eq!(param(&out, c, "enteredCommune"), Some(&Value::from("Phường Máy Tơ")));
    assert!(out.findings[0].message.starts_with("“Phường Máy Tơ” được hiểu là Phường Gia Viên"));
    let out = structured("Hải Phòng", "Quận Ngô Quyền", "Gia Vien");
    assert_eq!(param(&out, c, "enteredCommune"), None);

    // A commune merged in the first half of 2025: its successor, both named.
    let out = structured("Sơn La", "Huyện Thuận Châu", "Xã Chiềng Ly");
    assert_eq!(commune(&out), Some((PRE, "03721")));
    assert_eq!(param(&out, c, "supersededCommuneCode"), Some(&Value::from("03751")));
}

#[test]
fn outdated_must_not_fire_for_post2025_addresses() {
    for (p, c) in [
        ("Hải Phòng", "Phường Gia Viên"),
        ("Thành phố Hải Phòng", "Phường Ngô Quyền"),
        ("Lào Cai", "Phường Văn Phú"),
        ("Hải Phòng", "Đặc khu Bạch Long Vĩ"),
        ("Hà Nội", "Xã Phù Đổng"),
    ] {
        let out = structured(p, "", c);
        assert_eq!(commune(&out).map(|x| x.0), Some(POST), "{p}/{c}");
        assert!(out.findings.is_empty(), "{p}/{c}: {:?}", codes(&out));
    }
}

#[test]
fn split_unit_lists_candidates_and_names_the_default() {
    // Phường Gia Viên (old, Quận Ngô Quyền) went to three new wards.
    let out = structured("Hải Phòng", "Quận Ngô Quyền", "Phường Gia Viên");
    assert_eq!(codes(&out), [OUTDATED, SPLIT]);
    let res = out.residence.as_ref().expect("resolved");
    assert_eq!(res.commune_code.as_deref(), Some("11341"));
    assert_eq!(res.split_candidates.len(), 3);
    let default = res.post2025.as_ref().and_then(|n| n.commune_code.as_deref());
    assert_eq!(default, Some("11359"));
    let c = Code::AddressSplitUnit;
    assert_eq!(param(&out, c, "defaultCommuneCode"), Some(&Value::from("11359")));
    let candidates = param(&out, c, "candidates").and_then(Value::as_array).expect("list");
    assert_eq!(candidates.len(), 3);
    let defaults: Vec<_> = candidates.iter().filter(|x| x.get("isDefault") == Some(&Value::Bool(true))).collect();
    assert_eq!(defaults.len(), 1);
    let message = &out.findings[1].message;
    assert!(message.contains("Phường Gia Viên (mặc định)"), "{message}");
    assert!(message.contains("Phường Hồng Bàng") && message.contains("Phường Ngô Quyền"));

    // Must not fire: a commune that went whole into one new commune.
    let out = structured("Hải Phòng", "Quận Ngô Quyền", "Phường Đằng Giang");
    assert_eq!(codes(&out), [OUTDATED]);
    assert!(out.residence.is_some_and(|r| r.split_candidates.is_empty()));
}

#[test]
fn ambiguous_names_prefer_exact_diacritics() {
    // Two units of one district share a name once diacritics or type words are gone.
    let cases: &[(&str, &str, &str, &[&str])] = &[
        ("Hà Nội", "Gia Lâm", "Yen Vien", &["00526", "00532"]),
        ("Hà Nội", "Gia Lâm", "Yên Viên", &["00526", "00532"]),
        ("Thanh Hoa", "Hoang Hoa", "Hoang Phu", &["15883", "16003"]),
        ("Lao Cai", "Sa Pa", "sa pa", &["03001", "03002"]),
    ];
    for &(p, d, c, both) in cases {
        let out = structured(p, d, c);
        assert_eq!(codes(&out), ["address_ambiguous"], "{p}/{d}/{c}");
        let listed: Vec<&str> = param(&out, Code::AddressAmbiguous, "candidates")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(|x| x.get("communeCode")?.as_str()).collect())
            .unwrap_or_default();
        assert_eq!(listed.len(), 2, "{p}/{d}/{c}");
        assert!(both.iter().all(|b| listed.contains(b)), "{listed:?}");
        // What the candidates share is kept: the district.
        assert!(out.residence.is_some_and(|r| r.district_code.is_some() && r.commune_code.is_none()));
    }
    // Must not fire once the diacritics or the type word tell them apart.
    let exact: &[(&str, &str, &str, &str)] = &[
        ("Hà Nội", "Gia Lâm", "Thị trấn Yên Viên", "00526"),
        ("Hà Nội", "Gia Lâm", "Xã Yên Viên", "00532"),
        ("Hà Nội", "Gia Lâm", "TT Yen Vien", "00526"),
        ("Thanh Hóa", "Hoằng Hóa", "Hoằng Phụ", "16003"),
        ("Thanh Hóa", "Hoằng Hóa", "Xã Hoằng Phú", "15883"),
        ("Lào Cai", "Sa Pa", "Sa Pa", "03001"),
        ("Lào Cai", "Sa Pa", "Sa Pả", "03002"),
    ];
    for &(p, d, c, want) in exact {
        let out = structured(p, d, c);
        assert_eq!(commune(&out), Some((PRE, want)), "{p}/{d}/{c}: {:?}", codes(&out));
        assert!(!codes(&out).contains(&"address_ambiguous"));
    }
}

#[test]
fn incomplete_and_inferred() {
    let out = structured("Hải Phòng", "", "");
    assert_eq!(codes(&out), ["address_incomplete"]);
    assert_eq!(out.residence.map(|r| r.scheme), Some(POST));
    let out = structured("Hải Phòng", "Quận Ngô Quyền", "");
    assert_eq!(codes(&out), ["address_incomplete", OUTDATED]);

    // A unique commune without its province: the province is filled and the fix recorded.
    let out = structured("", "", "Phường Gia Viên");
    assert_eq!(codes(&out), ["address_unit_inferred"]);
    assert_eq!(out.findings[0].severity, Severity::Fixed);
    let fix = out.findings[0].fix.as_ref().expect("fix");
    assert_eq!(fix.to, "Phường Gia Viên, Thành phố Hải Phòng");
    // A pre-2025 commune without its district.
    let out = structured("Hải Phòng", "", "Phường Máy Chai");
    assert_eq!(codes(&out), ["address_unit_inferred", OUTDATED]);
    assert_eq!(param(&out, Code::AddressUnitInferred, "inferred"), Some(&serde_json::json!(["district"])));
    // Must not fire when everything was entered.
    let out = structured("Hải Phòng", "Quận Ngô Quyền", "Phường Máy Chai");
    assert!(!codes(&out).contains(&"address_unit_inferred"));
    assert!(!codes(&out).contains(&"address_incomplete"));
}

// ----- free text ---------------------------------------------------------------------------

#[test]
fn free_text_reads_from_the_right() {
    type Case<'a> = (&'a str, Option<(Scheme, &'a str)>, &'a [&'a str]);
    let cases: &[Case] = &[
        ("Số 5 Lê Lợi, P. Máy Tơ, Q. Ngô Quyền, HP", Some((PRE, "11341")), &[OUTDATED, SPLIT]),
        ("Phường Máy Tơ - Ngô Quyền - Hải Phòng", Some((PRE, "11341")), &[OUTDATED, SPLIT]),
        ("Thôn 3, xã An Thọ, huyện An Lão, Hải Phòng", Some((PRE, "11674")), &[OUTDATED]),
        ("Tổ 5, phường Máy Chai, quận Ngô Quyền, TP. Hải Phòng, Việt Nam", Some((PRE, "11329")), &[OUTDATED]),
        ("P14 Q.Bình Thạnh TP.HCM", Some((PRE, "26929")), &[OUTDATED]),
        ("12/3 Nguyễn Trãi, F4, Q.Phú Nhuận, TP.HCM", Some((PRE, "27043")), &[OUTDATED]),
        ("phuong 8 quan 10 tp hcm", Some((PRE, "27187")), &[OUTDATED]),
        ("Số 1 Trần Phú, Phường Gia Viên, Thành phố Hải Phòng", Some((POST, "11359")), &[]),
        ("Phường Gia Viên Hải Phòng", Some((POST, "11359")), &[]),
        ("Tổ 3, phường Long Hương, TP Bà Rịa, Bà Rịa - Vũng Tàu", Some((PRE, "26563")), &[OUTDATED]),
        ("Xã Tân Xã, Huyện Thạch Thất, Hà Nội", Some((PRE, "10000")), &[OUTDATED, SPLIT]),
        ("xã Phù Đổng; TP Hà Nội", Some((POST, "00541")), &[]),
        ("Số 5 Lê Lợi, Hải Phòng", None, &["address_incomplete"]),
    ];
    for &(t, want, want_codes) in cases {
        let out = text(t);
        assert_eq!(commune(&out), want, "{t}: {:?}", codes(&out));
        assert_eq!(codes(&out), want_codes, "{t}");
    }
    // Street parts never count as units, even when a ward elsewhere has that name.
    let out = text("Số 5 Lê Lợi, Hải Phòng");
    assert_eq!(out.residence.and_then(|r| r.province_code), Some("31".into()));
    // A ward typed under the wrong district: the rule says where it is.
    let out = text("Thôn 3, xã An Hòa, huyện An Lão, Hải Phòng");
    assert_eq!(codes(&out), ["address_hierarchy_mismatch"]);
    assert_eq!(param(&out, Code::AddressHierarchyMismatch, "actualDistrictCode"), Some(&Value::from("312")));
    // A district with the province glued on.
    let out = text("Quận Ngô Quyền Hải Phòng");
    assert_eq!(codes(&out), ["address_incomplete", OUTDATED]);
    assert_eq!(out.residence.and_then(|r| r.district_code), Some("304".into()));
}

#[test]
fn a_whole_address_pasted_into_the_commune_cell() {
    let out = structured("", "", "P. Máy Chai, Q. Ngô Quyền, Hải Phòng");
    assert_eq!(commune(&out), Some((PRE, "11329")), "{:?}", codes(&out));
    assert_eq!(codes(&out), [OUTDATED]);
}

#[test]
fn structured_input_wins_over_text() {
    let out = resolve_residence(
        Some(&ResidenceInput {
            province: Some("Hải Phòng".into()),
            district: None,
            commune: Some("Phường Gia Viên".into()),
        }),
        Some("Phường Hoàn Kiếm, Hà Nội"),
    );
    assert_eq!(commune(&out), Some((POST, "11359")));
}

#[test]
fn findings_carry_vietnamese_messages_and_the_residence_field() {
    let out = structured("Hải Phòng", "Quận Ngô Quyền", "Phường Gia Viên");
    for f in &out.findings {
        assert_eq!(f.field, Field::Residence);
        assert_eq!(f.severity, f.code.severity());
        assert!(!f.message.is_empty() && f.message != f.code.message());
        assert!(f.params.values().all(|v| !v.is_null()));
    }
}
