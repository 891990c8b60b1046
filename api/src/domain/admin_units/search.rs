//! Finding administrative units by a few typed letters, for the web app's pickers: the units of
//! one level in one list (pre- or post-2025), under a parent when one is known, whose name
//! contains what was typed, diacritics optional ("gia vien" finds "Phường Gia Viên"), or whose
//! code starts with the digits typed. Names that start with the query (after the type word), or
//! the exact code, come first, then the rest, each in code order.
//! A pre-2025 commune says what it became after 1 July 2025 (its default new commune, and how
//! many new communes it was split between).

use super::keys::Level;
use super::{Scheme, units};
use crate::domain::text::fold_ascii;

/// What to look for.
#[derive(Debug, Clone, Copy)]
pub struct UnitQuery<'a> {
    pub scheme: Scheme,
    pub level: Level,
    /// Only units of this province (code in `scheme`).
    pub province_code: Option<&'a str>,
    /// Only communes of this pre-2025 district.
    pub district_code: Option<&'a str>,
    /// Letters of the name, any case, diacritics optional, or digits of the code; empty lists
    /// everything in order.
    pub text: &'a str,
    pub limit: usize,
}

/// One unit found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundUnit {
    pub code: &'static str,
    /// Official name with its type word ("Phường Gia Viên").
    pub name: &'static str,
    /// Where it is ("Quận Ngô Quyền, Thành phố Hải Phòng"); empty for a province.
    pub within: String,
    /// For a pre-2025 commune: its default post-2025 commune's name.
    pub becomes: Option<&'static str>,
    /// For a pre-2025 commune split between several new communes: how many.
    pub split_into: usize,
}

impl FoundUnit {
    /// A unit that converts to nothing (a province, a district, a post-2025 commune).
    fn plain(code: &'static str, name: &'static str, within: String) -> FoundUnit {
        FoundUnit { code, name, within, becomes: None, split_into: 0 }
    }
}

/// The name after its type word, folded ("Phường Gia Viên" → "gia vien").
fn bare_fold(name: &str) -> String {
    let folded = fold_ascii(name);
    const TYPES: [&str; 10] =
        ["thanh pho ", "thi tran ", "thi xa ", "dac khu ", "phuong ", "quan ", "huyen ", "tinh ", "xa ", "tp "];
    TYPES.iter().find_map(|t| folded.strip_prefix(t)).map_or(folded.clone(), str::to_owned)
}

/// The units matching `q`, best first, at most `q.limit`.
pub fn find_units(q: &UnitQuery<'_>) -> Vec<FoundUnit> {
    let u = units();
    let needle = fold_ascii(q.text.trim());
    let needle = needle.split_whitespace().collect::<Vec<_>>().join(" ");
    // (starts with the query, code order) → kept in two passes
    let mut first: Vec<FoundUnit> = Vec::new();
    let mut rest: Vec<FoundUnit> = Vec::new();
    // digits also look for a code ("11341": a unit already stored shows its name), names first
    // ("Phường 07")
    let by_code = !needle.is_empty() && needle.bytes().all(|b| b.is_ascii_digit());
    let mut consider = |code: &str, name: &'static str, make: &dyn Fn() -> FoundUnit| {
        if first.len() >= q.limit {
            return;
        }
        if needle.is_empty() || (by_code && code == needle) {
            first.push(make());
            return;
        }
        let bare = bare_fold(name);
        if bare.starts_with(&needle) {
            first.push(make());
        } else if rest.len() < q.limit
            && (bare.contains(&needle) || fold_ascii(name).contains(&needle) || (by_code && code.starts_with(&needle)))
        {
            rest.push(make());
        }
    };
    match (q.scheme, q.level) {
        (Scheme::Pre2025, Level::Province) => {
            for p in u.old_provinces() {
                consider(p.code, p.name, &|| FoundUnit::plain(p.code, p.name, String::new()));
            }
        }
        (Scheme::Post2025, Level::Province) => {
            for p in u.new_provinces() {
                consider(p.code, p.name, &|| FoundUnit::plain(p.code, p.name, String::new()));
            }
        }
        (Scheme::Pre2025, Level::District) => {
            let districts = match q.province_code {
                Some(p) => u.old_districts_of_province(p),
                None => u.old_districts(),
            };
            for d in districts {
                let within = || u.old_province(d.province_code).map_or(String::new(), |p| p.name.to_owned());
                consider(d.code, d.name, &|| FoundUnit::plain(d.code, d.name, within()));
            }
        }
        (Scheme::Post2025, Level::District) => {}
        (Scheme::Pre2025, Level::Commune) => {
            let communes = match (q.district_code, q.province_code) {
                (Some(d), _) => u.old_communes_of_district(d),
                (None, Some(p)) => u.old_communes_of_province(p),
                (None, None) => u.old_communes(),
            };
            for c in communes {
                let make = || {
                    let district = u.old_district(c.district_code).map_or("", |d| d.name);
                    let province = u.old_province(c.province_code).map_or("", |p| p.name);
                    let targets = u.conversion(c.code);
                    FoundUnit {
                        code: c.code,
                        name: c.name,
                        within: format!("{district}, {province}"),
                        becomes: u.default_target(c.code).map(|t| t.new_commune_name),
                        split_into: if targets.len() > 1 { targets.len() } else { 0 },
                    }
                };
                consider(c.code, c.name, &make);
            }
        }
        (Scheme::Post2025, Level::Commune) => {
            let communes = match q.province_code {
                Some(p) => u.new_communes_of_province(p),
                None => u.new_communes(),
            };
            for c in communes {
                let within = || u.new_province(c.province_code).map_or(String::new(), |p| p.name.to_owned());
                consider(c.code, c.name, &|| FoundUnit::plain(c.code, c.name, within()));
            }
        }
    }
    first.extend(rest);
    first.truncate(q.limit);
    first
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(q: UnitQuery<'_>) -> Vec<&'static str> {
        find_units(&q).into_iter().map(|f| f.name).collect()
    }

    fn q(scheme: Scheme, level: Level, text: &str) -> UnitQuery<'_> {
        UnitQuery { scheme, level, province_code: None, district_code: None, text, limit: 10 }
    }

    #[test]
    fn finds_units_with_or_without_diacritics() {
        // (list, level, province, district, typed, first found)
        type Case = (Scheme, Level, Option<&'static str>, Option<&'static str>, &'static str, &'static str);
        let cases: &[Case] = &[
            (Scheme::Post2025, Level::Province, None, None, "hai phong", "Thành phố Hải Phòng"),
            (Scheme::Post2025, Level::Province, None, None, "Hải Phòng", "Thành phố Hải Phòng"),
            (Scheme::Pre2025, Level::Province, None, None, "ha tinh", "Tỉnh Hà Tĩnh"),
            (Scheme::Pre2025, Level::Province, None, None, "HẢI DƯƠNG", "Tỉnh Hải Dương"),
            (Scheme::Pre2025, Level::District, Some("31"), None, "ngo quyen", "Quận Ngô Quyền"),
            (Scheme::Pre2025, Level::Commune, Some("31"), Some("304"), "may chai", "Phường Máy Chai"),
            (Scheme::Post2025, Level::Commune, Some("31"), None, "gia vien", "Phường Gia Viên"),
        ];
        for &(scheme, level, province_code, district_code, text, want) in cases {
            let found = names(UnitQuery { scheme, level, province_code, district_code, text, limit: 10 });
            assert_eq!(found.first().copied(), Some(want), "{text}: {found:?}");
        }
    }

    #[test]
    fn digits_find_a_unit_by_its_code() {
        let gia_vien =
            find_units(&UnitQuery { province_code: Some("31"), ..q(Scheme::Post2025, Level::Commune, "gia vien") });
        let code = gia_vien.first().map(|f| f.code).unwrap_or_default();
        let by_code = find_units(&UnitQuery { province_code: Some("31"), ..q(Scheme::Post2025, Level::Commune, code) });
        assert_eq!(by_code.first().map(|f| f.name), Some("Phường Gia Viên"), "{code}: {by_code:?}");
        // a prefix lists the codes it starts
        let prefix = &code[..3];
        let found = find_units(&UnitQuery { province_code: Some("31"), ..q(Scheme::Post2025, Level::Commune, prefix) });
        assert!(!found.is_empty() && found.iter().all(|f| f.code.starts_with(prefix)), "{found:?}");
        assert!(find_units(&q(Scheme::Post2025, Level::Province, "99")).is_empty());
        assert_eq!(
            find_units(&q(Scheme::Post2025, Level::Province, "31")).first().map(|f| f.name),
            Some("Thành phố Hải Phòng")
        );
    }

    #[test]
    fn names_starting_with_the_query_come_first() {
        // every name that starts with the query is listed before any that merely contains it
        let found = find_units(&UnitQuery {
            province_code: Some("31"),
            limit: 50,
            ..q(Scheme::Post2025, Level::Commune, "an")
        });
        let starts = found.iter().take_while(|f| bare_fold(f.name).starts_with("an")).count();
        assert!(starts > 0, "{found:?}");
        assert!(found[starts..].iter().all(|f| !bare_fold(f.name).starts_with("an")), "{found:?}");
    }

    #[test]
    fn an_old_commune_says_what_it_became() {
        let found = find_units(&UnitQuery {
            province_code: Some("31"),
            district_code: Some("304"),
            ..q(Scheme::Pre2025, Level::Commune, "may chai")
        });
        let may_chai = &found[0];
        assert_eq!(may_chai.within, "Quận Ngô Quyền, Thành phố Hải Phòng");
        assert!(may_chai.becomes.is_some_and(|n| n.starts_with("Phường ")), "{may_chai:?}");
        let split = find_units(&UnitQuery { limit: 20_000, ..q(Scheme::Pre2025, Level::Commune, "") });
        assert_eq!(split.len(), 10_035, "every commune in force on 30 June 2025");
        let n_split = split.iter().filter(|f| f.split_into > 1).count();
        assert!((400..=480).contains(&n_split), "about 440 split communes: {n_split}");
    }

    #[test]
    fn the_parent_scopes_and_the_limit_holds() {
        assert_eq!(find_units(&q(Scheme::Post2025, Level::Province, "")).len(), 10);
        assert_eq!(find_units(&UnitQuery { limit: 100, ..q(Scheme::Post2025, Level::Province, "") }).len(), 34);
        assert_eq!(find_units(&UnitQuery { limit: 100, ..q(Scheme::Pre2025, Level::Province, "") }).len(), 63);
        let hp =
            find_units(&UnitQuery { province_code: Some("31"), limit: 100, ..q(Scheme::Pre2025, Level::District, "") });
        assert!(hp.iter().all(|d| d.within == "Thành phố Hải Phòng") && hp.len() >= 14, "{hp:?}");
        assert!(find_units(&q(Scheme::Post2025, Level::District, "")).is_empty(), "no districts after 2025");
        assert!(find_units(&q(Scheme::Post2025, Level::Commune, "zzzz")).is_empty());
    }
}
