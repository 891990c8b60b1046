//! Addresses typed with the units of their day: when the parts name no unit of either current
//! list together, they are matched against every era of the statistics office's list
//! (`domain::admin_units::history`, 2004 → March 2025).
//!
//! Each part is matched by name against the units of its level that ever stood, with their dates;
//! a combination must agree by code (the commune stood under that district, in that province) and
//! is preferred when all its names stood together at one date, then by match quality (same
//! diacritics, same type word). The winning unit goes forward through its code's history to the
//! units of 30 June 2025:
//! - one unit: the residence is normalised to it (the June-2025 codes and the post-2025 commune,
//!   as for a current pre-2025 address) with `address_historical_unit` (fixed), which names the
//!   unit, the last date it stood so and what it became;
//! - several (a district split, a commune whose successor the lists cannot tell): the residence
//!   stops at what they share, with `address_split_unit` (warning) listing them;
//! - none, several units equally good, or only names still current: not an era question; the
//!   caller diagnoses as usual.

use serde_json::{Value, json};

use super::parse::Part;
use super::report::{self, join_names};
use super::{ResidenceOutcome, old_partial};
use crate::domain::admin_units::history::{HistoricalUnit, format_day, history};
use crate::domain::admin_units::index::name_index;
use crate::domain::admin_units::keys::Level;
use crate::domain::admin_units::{ResolvedResidence, units};
use crate::rules::{Code, Field, Finding, Fix};

/// A unit of some era matched by a part.
#[derive(Debug, Clone, Copy)]
struct EraHit {
    /// The history row, or `None` for a province matched through the current index (aliases
    /// such as "HCM"), which stands at every date.
    row: Option<u32>,
    code: &'static str,
    first: u32,
    last: u32,
    q: u8,
}

fn match_level(part: &Part, level: Level) -> Vec<EraHit> {
    let h = history();
    let mut out: Vec<EraHit> = Vec::new();
    if !part.may_be(level) || part.digits.is_some() {
        return out;
    }
    let mut push = |hit: EraHit| match out.iter_mut().find(|x| x.row == hit.row && x.code == hit.code) {
        Some(x) => x.q = x.q.max(hit.q),
        None => out.push(hit),
    };
    for v in &part.variants {
        for &i in h.named(level, &v.key.loose) {
            let r = h.row(i);
            let tones = u8::from(part.ascii || *r.tone == *v.key.tone);
            let word = match (v.word, r.word) {
                (Some(a), Some(b)) if a == b => 2,
                (Some(_), Some(_)) => 0,
                _ => 1,
            };
            push(EraHit {
                row: Some(i),
                code: r.code,
                first: r.first_seen,
                last: r.last_seen,
                q: 1 + tones * 3 + word,
            });
        }
        if level == Level::Province {
            let u = units();
            for e in name_index().old_provinces.get(&v.key.loose) {
                let code = u.old_province_at(e.unit).code;
                push(EraHit { row: None, code, first: 0, last: u32::MAX, q: 1 });
            }
        }
    }
    out
}

/// One combination of hits that agrees by code.
#[derive(Debug, Clone, Copy)]
struct Combo {
    c: Option<EraHit>,
    d: Option<EraHit>,
    p: Option<EraHit>,
}

impl Combo {
    fn hits(&self) -> impl Iterator<Item = EraHit> {
        [self.c, self.d, self.p].into_iter().flatten()
    }

    fn together(&self) -> bool {
        let lo = self.hits().map(|h| h.first).max().unwrap_or(0);
        let hi = self.hits().map(|h| h.last).min().unwrap_or(0);
        lo <= hi
    }

    fn score(&self) -> (bool, u8, u8, u8) {
        let q = |h: Option<EraHit>| h.map_or(0, |h| h.q);
        (self.together(), q(self.c), q(self.d), q(self.p))
    }

    /// The deepest hit (what the combination resolves).
    fn deepest(&self) -> Option<(Level, EraHit)> {
        self.c
            .map(|h| (Level::Commune, h))
            .or(self.d.map(|h| (Level::District, h)))
            .or(self.p.map(|h| (Level::Province, h)))
    }

    /// The last date it stood so, when some part of it no longer does.
    fn until(&self) -> Option<u32> {
        let end = history().last_snapshot();
        self.hits().filter(|h| h.row.is_some() && h.last < end).map(|h| h.last).min()
    }
}

/// The best hit of `hits` with this code, preferring one that overlaps `first..=last`.
fn best_with(hits: &[EraHit], code: &str, first: u32, last: u32) -> Option<EraHit> {
    hits.iter().filter(|h| h.code == code).max_by_key(|h| (h.first.max(first) <= h.last.min(last), h.q)).copied()
}

fn combos(p: Option<&Part>, d: Option<&Part>, c: Option<&Part>) -> Vec<Combo> {
    let h = history();
    let ph = p.map(|p| match_level(p, Level::Province));
    let dh = d.map(|d| match_level(d, Level::District));
    let mut out = Vec::new();
    // The parents of a hit, checked against the given parts: None when a given part disagrees.
    let parents = |row: &HistoricalUnit,
                   first: u32,
                   last: u32,
                   with_district: bool|
     -> Option<(Option<EraHit>, Option<EraHit>)> {
        let dd = match (&dh, with_district) {
            (Some(hits), true) => Some(best_with(hits, row.district_code, first, last)?),
            _ => None,
        };
        let (first, last) = dd.map_or((first, last), |x| (first.max(x.first), last.min(x.last)));
        let pp = match &ph {
            Some(hits) => Some(best_with(hits, row.province_code, first, last)?),
            None => None,
        };
        Some((dd, pp))
    };
    if let Some(c) = c {
        for hit in match_level(c, Level::Commune) {
            let Some(row) = hit.row.map(|i| h.row(i)) else { continue };
            if let Some((dd, pp)) = parents(row, hit.first, hit.last, true) {
                out.push(Combo { c: Some(hit), d: dd, p: pp });
            }
        }
    } else if let Some(hits) = &dh {
        for &hit in hits {
            let Some(row) = hit.row.map(|i| h.row(i)) else { continue };
            if let Some((_, pp)) = parents(row, hit.first, hit.last, false) {
                out.push(Combo { c: None, d: Some(hit), p: pp });
            }
        }
    } else if let Some(hits) = &ph {
        out.extend(hits.iter().filter(|x| x.row.is_some()).map(|&hit| Combo { c: None, d: None, p: Some(hit) }));
    }
    out
}

/// The June-2025 units a combination leads to, at its deepest level.
fn targets(combo: &Combo) -> (Level, Vec<&'static str>) {
    let Some((level, hit)) = combo.deepest() else {
        return (Level::Province, Vec::new());
    };
    let to = match hit.row {
        Some(row) => history().forward(row).to_vec(),
        None => vec![hit.code],
    };
    (level, to)
}

/// Resolves the parts against every era; `None` when that says nothing more than the current lists.
pub(super) fn resolve(p: Option<&Part>, d: Option<&Part>, c: Option<&Part>) -> Option<ResidenceOutcome> {
    let all = combos(p, d, c);
    let top = all.iter().map(Combo::score).max()?;
    let best: Vec<&Combo> = all.iter().filter(|x| x.score() == top).collect();
    // Every winner must be a unit of the past, and they must all lead to the same units.
    if best.iter().any(|x| x.until().is_none()) {
        return None;
    }
    let (level, to) = targets(best[0]);
    if to.is_empty() || best.iter().any(|x| targets(x) != (level, to.clone())) {
        return None;
    }
    let combo = best[0];
    let entered = join_names([c, d, p].map(|x| x.map(|x| x.raw.as_str())));
    match to.as_slice() {
        [one] => Some(historical(combo, level, one, &entered, c.is_none())),
        many => Some(split(combo, level, many, &entered)),
    }
}

/// The names of the combination as they stood ("Xã Thạch Lạc, Huyện Thạch Hà, Tỉnh Hà Tĩnh").
fn era_names(combo: &Combo) -> (Option<&'static str>, Option<&'static str>, Option<&'static str>) {
    let h = history();
    let name = |hit: Option<EraHit>| hit.and_then(|x| x.row).map(|i| h.row(i).name);
    let province = name(combo.p).or_else(|| combo.p.and_then(|x| units().old_province(x.code)).map(|p| p.name));
    (name(combo.c), name(combo.d), province)
}

fn residence_at(level: Level, code: &str) -> Option<ResolvedResidence> {
    let u = units();
    match level {
        Level::Commune => u.residence_of_old_commune(code),
        Level::District => u
            .residence_of_island_district(code)
            .or_else(|| old_partial(u.old_district(code).map(|d| d.province_code), Some(code))),
        Level::Province => old_partial(Some(code), None),
    }
}

fn full_name(res: &ResolvedResidence) -> String {
    join_names([res.commune_name.as_deref(), res.district_name.as_deref(), res.province_name.as_deref()])
}

fn historical(combo: &Combo, level: Level, code: &str, entered: &str, no_commune: bool) -> ResidenceOutcome {
    let Some(res) = residence_at(level, code) else {
        return ResidenceOutcome::default();
    };
    let (hc, hd, hp) = era_names(combo);
    let until = combo.until().unwrap_or_default();
    let then = join_names([hc, hd, hp]);
    let now = full_name(&res);
    let new = res.post2025.as_ref();
    let mut message = format!("“{entered}” là {then} (còn ghi nhận đến {}); nay là {now}", format_day(until));
    if let Some(n) = new.filter(|n| n.commune_name.is_some()) {
        message.push_str(&format!(
            ", từ 01/7/2025 thuộc {}",
            join_names([n.commune_name.as_deref(), Some(&n.province_name)])
        ));
    }
    message.push('.');
    let code_of = |hit: Option<EraHit>| hit.map(|x| x.code);
    let mut f = Finding::new(Field::Residence, Code::AddressHistoricalUnit);
    f.message = message;
    let params = json!({
        "entered": entered,
        "historicalCommuneCode": code_of(combo.c),
        "historicalCommuneName": hc,
        "historicalDistrictCode": code_of(combo.d),
        "historicalDistrictName": hd,
        "historicalProvinceCode": code_of(combo.p),
        "historicalProvinceName": hp,
        "lastSeen": format!("{}-{:02}-{:02}", until / 10_000, until / 100 % 100, until % 100),
        "provinceCode": res.province_code,
        "provinceName": res.province_name,
        "districtCode": res.district_code,
        "districtName": res.district_name,
        "communeCode": res.commune_code,
        "communeName": res.commune_name,
        "newProvinceCode": new.map(|n| n.province_code.as_str()),
        "newProvinceName": new.map(|n| n.province_name.as_str()),
        "newCommuneCode": new.and_then(|n| n.commune_code.as_deref()),
        "newCommuneName": new.and_then(|n| n.commune_name.as_deref()),
    });
    if let Value::Object(map) = params {
        f.params = map.into_iter().filter(|(_, v)| !v.is_null()).collect();
    }
    f.fix = Some(Fix { from: entered.to_owned(), to: now });
    let mut findings = vec![f];
    if level == Level::Commune {
        findings.push(report::outdated(&res, None, None));
        if !res.split_candidates.is_empty() {
            findings.push(report::split(&res));
        }
    } else if no_commune && res.district_code.as_deref().is_none_or(|d| units().island_district_target(d).is_none()) {
        findings.push(report::incomplete(&res));
    }
    ResidenceOutcome { residence: Some(res), findings }
}

fn split(combo: &Combo, level: Level, codes: &[&'static str], entered: &str) -> ResidenceOutcome {
    let u = units();
    let (hc, hd, hp) = era_names(combo);
    let until = combo.until().unwrap_or_default();
    let then = join_names([hc, hd, hp]);
    let res: Vec<ResolvedResidence> = codes.iter().filter_map(|c| residence_at(level, c)).collect();
    let names: Vec<String> = res.iter().map(full_name).collect();
    let candidates: Vec<Value> = res
        .iter()
        .map(|r| {
            let v = json!({
                "provinceCode": r.province_code,
                "provinceName": r.province_name,
                "districtCode": r.district_code,
                "districtName": r.district_name,
                "communeCode": r.commune_code,
                "communeName": r.commune_name,
                "newCommuneCode": r.post2025.as_ref().and_then(|n| n.commune_code.as_deref()),
                "newCommuneName": r.post2025.as_ref().and_then(|n| n.commune_name.as_deref()),
            });
            match v {
                Value::Object(m) => Value::Object(m.into_iter().filter(|(_, v)| !v.is_null()).collect()),
                other => other,
            }
        })
        .collect();
    let mut f = Finding::new(Field::Residence, Code::AddressSplitUnit);
    f.message = format!(
        "“{entered}” là {then} (còn ghi nhận đến {}); đơn vị này nay thuộc {} đơn vị: {}. Cần chọn đúng đơn vị theo nơi ở thực tế.",
        format_day(until),
        names.len(),
        names.join("; ")
    );
    f.params = [("entered".to_owned(), Value::from(entered)), ("candidates".to_owned(), Value::Array(candidates))]
        .into_iter()
        .collect();
    // What every candidate shares.
    let same = |get: fn(&ResolvedResidence) -> Option<&String>| {
        let first = res.first().and_then(get);
        res.iter().all(|r| get(r) == first).then_some(first).flatten().cloned()
    };
    let district = same(|r| r.district_code.as_ref());
    let province = same(|r| r.province_code.as_ref());
    let residence = match (district, province) {
        (Some(d), _) if level == Level::Commune => old_partial(u.old_district(&d).map(|d| d.province_code), Some(&d)),
        (_, Some(p)) => old_partial(Some(&p), None),
        _ => None,
    };
    let mut findings = vec![f];
    if let Some(r) = residence.as_ref().filter(|_| level != Level::Commune) {
        findings.push(report::incomplete(r));
    }
    ResidenceOutcome { residence, findings }
}
