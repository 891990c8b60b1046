//! Walks of the whole reference lists: every pre-2025 commune in force on 30 June 2025 (10,035),
//! every superseded row (26), every island district (5) and every post-2025 commune (3,321)
//! must resolve from its own official names and from its names typed without diacritics and
//! type words, and convert to its default post-2025 unit.
//!
//! Names that genuinely collide once diacritics and type words are gone ("Thị trấn Yên Viên" and
//! "Xã Yên Viên" in Huyện Gia Lâm, "Xã Hoằng Phú" and "Xã Hoằng Phụ" in Huyện Hoằng Hóa) must
//! instead be reported as `address_ambiguous` with the commune among the candidates: the walk
//! computes those collisions from the data itself and checks both outcomes.

use std::collections::HashMap;

use super::*;
use crate::domain::admin_units::{ResolvedResidence, units};
use crate::domain::text::fold_ascii;
use crate::rules::ResidenceInput;

const TYPE_WORDS: &[&str] =
    &["Thành phố ", "Thị xã ", "Thị trấn ", "Đặc khu ", "Tỉnh ", "Quận ", "Huyện ", "Phường ", "Xã "];

/// The name without its type word, diacritics and case ("Thị trấn Đạ M'ri" → "da m'ri").
fn bare(name: &str) -> String {
    let rest = TYPE_WORDS.iter().find_map(|t| name.strip_prefix(t)).unwrap_or(name);
    fold_ascii(rest)
}

/// The key two names collide on once typed bare.
fn bare_key(name: &str) -> String {
    crate::domain::admin_units::keys::name_key(&bare(name)).loose
}

fn structured(p: &str, d: &str, c: &str) -> ResidenceOutcome {
    let cell = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    resolve_residence(Some(&ResidenceInput { province: cell(p), district: cell(d), commune: cell(c) }), None)
}

fn codes(o: &ResidenceOutcome) -> Vec<&str> {
    o.findings.iter().map(|f| f.code.as_str()).collect()
}

fn ambiguous_with(o: &ResidenceOutcome, code: &str) -> bool {
    o.findings.iter().any(|f| {
        f.code == Code::AddressAmbiguous
            && f.params.get("candidates").is_some_and(|c| {
                c.as_array()
                    .is_some_and(|a| a.iter().any(|x| x.get("communeCode").and_then(|v| v.as_str()) == Some(code)))
            })
    })
}

fn expect_pre2025(o: &ResidenceOutcome, want: &ResolvedResidence, what: &str) {
    assert_eq!(o.residence.as_ref(), Some(want), "{what}: {:?}", codes(o));
    let split = !want.split_candidates.is_empty();
    let mut expected = vec!["address_outdated_unit"];
    if split {
        expected.push("address_split_unit");
    }
    assert_eq!(codes(o), expected, "{what}");
}

#[test]
fn every_pre2025_commune_resolves_and_converts() {
    let u = units();
    // Communes that collide with another in-force commune of the same province once their
    // names (and their districts' names) are typed bare.
    let mut groups: HashMap<(&str, String, String), Vec<&str>> = HashMap::new();
    for c in u.old_communes() {
        let d = u.old_district(c.district_code).expect("district");
        groups.entry((c.province_code, bare_key(d.name), bare_key(c.name))).or_default().push(c.code);
    }
    let (mut walked, mut split, mut ambiguous) = (0, 0, 0);
    for c in u.old_communes() {
        let d = u.old_district(c.district_code).expect("district");
        let p = u.old_province(c.province_code).expect("province");
        let want = u.residence_of_old_commune(c.code).expect("in force");
        let default = u.default_target(c.code).expect("default");
        assert_eq!(want.post2025.as_ref().and_then(|n| n.commune_code.as_deref()), Some(default.new_commune_code));
        split += usize::from(!want.split_candidates.is_empty());

        // (a) Official names.
        let what = format!("{} / {} / {}", p.name, d.name, c.name);
        expect_pre2025(&structured(p.name, d.name, c.name), &want, &what);

        // (b) Without diacritics and type words.
        let (bp, bd, bc) = (bare(p.name), bare(d.name), bare(c.name));
        let what = format!("{bp} / {bd} / {bc} ({})", c.code);
        let out = structured(&bp, &bd, &bc);
        let key = (c.province_code, bare_key(d.name), bare_key(c.name));
        let group = &groups[&key];
        if group.len() > 1 {
            ambiguous += 1;
            assert!(ambiguous_with(&out, c.code), "{what}: {:?}", codes(&out));
        } else {
            expect_pre2025(&out, &want, &what);
        }
        walked += 1;
    }
    assert_eq!(walked, 10_035);
    assert_eq!(split, 440);
    eprintln!("pre-2025 walk: {walked} communes, {split} split, {ambiguous} ambiguous when bare");
    assert!(ambiguous < 150, "{ambiguous}");
}

#[test]
fn superseded_rows_resolve_to_their_successor() {
    // Decision: a commune merged in the first half of 2025 is read as the commune it was merged
    // into (in force on 30 June 2025, the one the conversion covers); without a known successor
    // it resolves at district level. Either way `address_outdated_unit` names it.
    let u = units();
    for c in u.superseded_communes() {
        let d = u.old_district(c.district_code).expect("district");
        let p = u.old_province(c.province_code).expect("province");
        let out = structured(p.name, d.name, c.name);
        let res = out.residence.as_ref().expect("resolved");
        assert_eq!(res.scheme, Scheme::Pre2025);
        assert_eq!(res.commune_code.as_deref(), c.successor_code, "{}: {:?}", c.name, codes(&out));
        assert_eq!(res.district_code.as_deref(), Some(d.code));
        assert!(codes(&out).contains(&"address_outdated_unit"), "{}", c.name);
        assert!(!out.has_error(), "{}: {:?}", c.name, codes(&out));
        // By code too.
        let by_code = structured("", "", c.code);
        assert_eq!(by_code.residence.and_then(|r| r.commune_code), c.successor_code.map(str::to_owned), "{}", c.code);
    }
}

#[test]
fn island_districts_map_at_district_level() {
    let u = units();
    let islands: Vec<_> = u.old_districts().iter().filter(|d| d.is_island_without_communes()).collect();
    assert_eq!(islands.len(), 5);
    for d in islands {
        let p = u.old_province(d.province_code).expect("province");
        let want = u.residence_of_island_district(d.code).expect("island");
        for (pp, dd) in [(p.name.to_owned(), d.name.to_owned()), (bare(p.name), bare(d.name))] {
            let out = structured(&pp, &dd, "");
            assert_eq!(out.residence.as_ref(), Some(&want), "{dd}: {:?}", codes(&out));
            assert_eq!(codes(&out), ["address_outdated_unit"], "{dd}");
        }
        let zone = want.post2025.as_ref().and_then(|n| n.commune_name.clone());
        assert!(zone.is_some_and(|z| z.starts_with("Đặc khu")));
    }
}

#[test]
fn every_post2025_commune_resolves_without_findings() {
    let u = units();
    let mut groups: HashMap<(&str, String), Vec<&str>> = HashMap::new();
    for c in u.new_communes() {
        groups.entry((c.province_code, bare_key(c.name))).or_default().push(c.code);
    }
    let (mut walked, mut ambiguous) = (0, 0);
    for c in u.new_communes() {
        let p = u.new_province(c.province_code).expect("province");
        let want = u.residence_of_new_commune(c.code).expect("commune");

        let out = structured(p.name, "", c.name);
        assert_eq!(out.residence.as_ref(), Some(&want), "{}: {:?}", c.name, codes(&out));
        assert!(out.findings.is_empty(), "{}: {:?}", c.name, codes(&out));

        let (bp, bc) = (bare(p.name), bare(c.name));
        let out = structured(&bp, "", &bc);
        let group = &groups[&(c.province_code, bare_key(c.name))];
        if group.len() > 1 {
            ambiguous += 1;
            assert!(ambiguous_with(&out, c.code), "{bc}: {:?}", codes(&out));
        } else {
            assert_eq!(out.residence.as_ref(), Some(&want), "{bp} / {bc}: {:?}", codes(&out));
            assert!(out.findings.is_empty(), "{bp} / {bc}: {:?}", codes(&out));
        }
        walked += 1;
    }
    assert_eq!(walked, 3_321);
    eprintln!("post-2025 walk: {walked} communes, {ambiguous} ambiguous when bare");
    assert!(ambiguous <= 20, "{ambiguous}");
}
