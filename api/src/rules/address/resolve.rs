//! Matching parts against the unit lists and choosing the interpretation.
//!
//! Each given part is matched against the lists of its level in both schemes through the name
//! index (hash lookups on loose keys; no scan of a list). A match has a quality: the official name
//! with the same diacritics beats the official name without them, which beats a former name or
//! spelling variant, which beats an ASCII alias; within each, a type word that agrees ("Thị trấn"
//! for a thị trấn) beats none, which beats one that disagrees. A typed code beats every name.
//!
//! Candidates are the units whose whole hierarchy agrees with every given part: a pre-2025
//! commune inside the given district and province, a post-2025 commune inside the given province
//! (and, if a district was also given, one that took in part of that old district). A province
//! name of the other scheme is accepted with a lower quality ("Hải Dương" for a post-2025 commune
//! of Hải Phòng; "Hải Phòng" for a pre-2025 commune of former Hải Dương). Candidates are ranked by
//! depth (commune, district, province), then commune, province and district match quality, then
//! the scheme the input's shape suggests (a district means pre-2025, none means post-2025), then
//! in-force before superseded units. Several different units sharing the top rank are ambiguous.

use std::sync::LazyLock;

use crate::domain::admin_units::index::{Entry, LevelIndex, Source, name_index};
use crate::domain::admin_units::keys::{TypeWord, split_official};
use crate::domain::admin_units::{Scheme, units};

use super::parse::Part;

/// A unit matched by a part, with the match quality.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Hit {
    /// Position in its list.
    pub unit: u32,
    /// Match quality (higher is better).
    pub q: u8,
    /// A province matched through its name in the other scheme.
    pub via_other_scheme: bool,
}

/// Quality of a typed code.
const Q_CODE: u8 = 15;
/// What a province name of the other scheme loses.
const Q_OTHER_SCHEME: u8 = 3;

/// 4: official name, same diacritics; 3: official name, input typed without any diacritic;
/// 2: former name or variant, same diacritics; 1: the rest (an alias, or diacritics typed but
/// different from the name's: "Hải Phòng" is only weakly "Hải Phong").
///
/// An input without a single diacritic says nothing about them: "sa pa" is as far from
/// "Phường Sa Pa" as from "Phường Sa Pả", so there `same_tones` does not count.
fn name_level(e: &Entry, same_tones: bool, typed_ascii: bool) -> u8 {
    match (e.source, same_tones, typed_ascii) {
        (Source::Official, _, true) => 3,
        (Source::Official, true, false) => 4,
        (Source::Alternate, true, false) => 2,
        _ => 1,
    }
}

fn type_level(typed: Option<TypeWord>, spelled: Option<TypeWord>) -> u8 {
    match (typed, spelled) {
        (Some(t), Some(s)) if t == s => 2,
        (Some(_), Some(_)) => 0,
        _ => 1,
    }
}

fn push_hit(hits: &mut Vec<Hit>, hit: Hit) {
    match hits.iter_mut().find(|h| h.unit == hit.unit) {
        Some(h) => {
            if (hit.q, !hit.via_other_scheme) > (h.q, !h.via_other_scheme) {
                *h = hit;
            }
        }
        None => hits.push(hit),
    }
}

/// Every unit of one list the part may name, best quality per unit.
fn match_names(index: &LevelIndex, part: &Part, code: Option<u32>, ascii: bool) -> Vec<Hit> {
    let mut hits = Vec::new();
    // The alias key with its type word, built in one buffer for every variant.
    let mut typed = String::new();
    if let Some(unit) = code {
        push_hit(&mut hits, Hit { unit, q: Q_CODE, via_other_scheme: false });
    }
    for v in &part.variants {
        let exact = index.get(&v.key.loose);
        for e in exact {
            let same = *e.tone == *v.key.tone;
            let q = name_level(e, same, ascii) * 3 + type_level(v.word, e.word);
            push_hit(&mut hits, Hit { unit: e.unit, q, via_other_scheme: false });
        }
        if exact.is_empty() {
            // The other spelling of a final k/c or a lone y/i ("Krông Pắk", "Kì Anh"): weakest.
            for e in index.get_folded(v.fold.as_deref().unwrap_or(&v.key.loose)) {
                push_hit(&mut hits, Hit { unit: e.unit, q: 3 + type_level(v.word, e.word), via_other_scheme: false });
            }
        }
        // ASCII aliases that keep the type word ("quan9", "txphucyen").
        if let Some(w) = v.word {
            typed.clear();
            typed.push_str(w.ascii());
            typed.push_str(&v.key.loose);
            for e in index.get(&typed).iter().filter(|e| e.source == Source::Alias) {
                push_hit(&mut hits, Hit { unit: e.unit, q: 3 + 2, via_other_scheme: false });
            }
        }
    }
    hits
}

/// The part's digits as a code of `width` digits, when it has between `min` and `width`.
fn code(part: &Part, min: usize, width: usize) -> Option<String> {
    let d = part.digits.as_deref()?;
    (min..=width).contains(&d.len()).then(|| format!("{d:0>width$}"))
}

/// For each post-2025 province (by position), the positions of the pre-2025 provinces that went
/// into it, in list order: a province part naming a new province was matched against every old
/// one by code, for every reading.
static OLD_PROVINCES_INTO: LazyLock<Vec<Vec<u32>>> = LazyLock::new(|| {
    let u = units();
    u.new_provinces()
        .iter()
        .map(|new| {
            let sources = u.old_provinces().iter().enumerate().filter(|(_, old)| old.new_province_code == new.code);
            sources.map(|(i, _)| u32::try_from(i).unwrap_or(u32::MAX)).collect()
        })
        .collect()
});

/// What each given part matched, in both schemes.
#[derive(Debug, Clone, Default)]
pub(super) struct Matches {
    /// Pre-2025 provinces (incl. through a post-2025 name).
    pub p_old: Vec<Hit>,
    /// Post-2025 provinces (incl. through a pre-2025 name).
    pub p_new: Vec<Hit>,
    /// Pre-2025 districts.
    pub d: Vec<Hit>,
    /// Pre-2025 communes, in force or superseded.
    pub c_old: Vec<Hit>,
    /// Post-2025 communes.
    pub c_new: Vec<Hit>,
}

impl Matches {
    /// Matches every given part.
    pub fn of(p: Option<&Part>, d: Option<&Part>, c: Option<&Part>) -> Matches {
        let ix = name_index();
        let u = units();
        let mut m = Matches::default();
        // Diacritics typed anywhere make their absence elsewhere meaningful.
        let ascii = [p, d, c].into_iter().flatten().all(|x| x.ascii);
        if let Some(p) = p {
            let c = code(p, 1, 2);
            let direct_old = match_names(&ix.old_provinces, p, c.as_deref().and_then(|c| u.pos_old_province(c)), ascii);
            let direct_new = match_names(&ix.new_provinces, p, c.as_deref().and_then(|c| u.pos_new_province(c)), ascii);
            m.p_old.clone_from(&direct_old);
            m.p_new.clone_from(&direct_new);
            for h in &direct_old {
                let successor = u.old_province_at(h.unit).new_province_code;
                if let Some(unit) = u.pos_new_province(successor) {
                    push_hit(&mut m.p_new, Hit { unit, q: h.q.saturating_sub(Q_OTHER_SCHEME), via_other_scheme: true });
                }
            }
            for h in &direct_new {
                let sources = OLD_PROVINCES_INTO.get(h.unit as usize).map_or(&[][..], Vec::as_slice);
                for &unit in sources {
                    push_hit(&mut m.p_old, Hit { unit, q: h.q.saturating_sub(Q_OTHER_SCHEME), via_other_scheme: true });
                }
            }
        }
        if let Some(d) = d {
            let c = code(d, 3, 3);
            m.d = match_names(&ix.old_districts, d, c.as_deref().and_then(|c| u.pos_old_district(c)), ascii);
        }
        if let Some(cpart) = c {
            let code = code(cpart, 4, 5);
            m.c_old = match_names(&ix.old_communes, cpart, code.as_deref().and_then(|c| u.pos_old_commune(c)), ascii);
            m.c_new = match_names(&ix.new_communes, cpart, code.as_deref().and_then(|c| u.pos_new_commune(c)), ascii);
        }
        m
    }
}

/// How good a candidate is: depth, commune, province and district match quality, preferred
/// scheme, in force. Compared lexicographically, higher is better.
pub(super) type Rank = (u8, u8, u8, u8, bool, bool);

/// One consistent interpretation of the parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Cand {
    /// The list of the units below.
    pub scheme: Scheme,
    /// Province position in the scheme's list.
    pub province: Option<u32>,
    /// Pre-2025 district position.
    pub district: Option<u32>,
    /// Commune position in the scheme's list (pre-2025: in force or superseded).
    pub commune: Option<u32>,
    /// A pre-2025 island district without communes, complete at district level.
    pub island: bool,
    /// Match quality of the commune part (0 when absent).
    pub qc: u8,
    /// Match quality of the province part (0 when absent).
    pub qp: u8,
    /// Match quality of the district part (0 when absent).
    pub qd: u8,
    /// The province part named this unit's province in the other scheme.
    pub province_via_other_scheme: bool,
    /// The commune is a row superseded in the first half of 2025.
    pub superseded: bool,
}

impl Cand {
    /// 3 = commune (or island district), 2 = district, 1 = province.
    pub fn depth(&self) -> u8 {
        if self.commune.is_some() || self.island {
            3
        } else if self.district.is_some() {
            2
        } else {
            u8::from(self.province.is_some())
        }
    }

    /// Ordering key: higher is better.
    pub fn rank(&self, prefer: Scheme) -> Rank {
        (self.depth(), self.qc, self.qp, self.qd, self.scheme == prefer, !self.superseded)
    }

    /// The commune part matched this commune through the official name's own key (quality 3 or 4
    /// of [`name_level`], not a code): the part was not read through a former name or alias.
    pub fn commune_by_official_name(&self) -> bool {
        self.commune.is_some() && !self.island && self.qc < Q_CODE && self.qc / 3 >= 3
    }

    fn same_unit(&self, o: &Cand) -> bool {
        (self.scheme, self.province, self.district, self.commune) == (o.scheme, o.province, o.district, o.commune)
    }
}

/// The outcome of matching one assignment of parts.
#[derive(Debug, Clone, Default)]
pub(super) struct Attempt {
    /// The best candidates (one: resolved; several: ambiguous; none: failed).
    pub best: Vec<Cand>,
    /// The scheme the input's shape suggests.
    pub prefer: Option<Scheme>,
    /// How many given parts matched some unit.
    pub matched: u8,
    /// How many parts were given.
    pub given: u8,
    /// The raw matches.
    pub matches: Matches,
}

impl Attempt {
    /// The single best candidate, if not ambiguous.
    pub fn unique(&self) -> Option<&Cand> {
        match self.best.as_slice() {
            [one] => Some(one),
            _ => None,
        }
    }
}

fn quality_in(hits: &[Hit], unit: Option<u32>) -> Option<Hit> {
    let unit = unit?;
    hits.iter().find(|h| h.unit == unit).copied()
}

/// Finds every consistent interpretation of the given parts and keeps the best ones.
pub(super) fn resolve(p: Option<&Part>, d: Option<&Part>, c: Option<&Part>) -> Attempt {
    resolve_in(p, d, c, None)
}

/// [`resolve`], keeping only the interpretations of one scheme when `only` is set.
pub(super) fn resolve_in(p: Option<&Part>, d: Option<&Part>, c: Option<&Part>, only: Option<Scheme>) -> Attempt {
    let u = units();
    let m = Matches::of(p, d, c);
    let mut cands: Vec<Cand> = Vec::new();

    // The province part, checked against a unit's province: (quality, via other scheme).
    let province_ok = |hits: &[Hit], unit: Option<u32>| -> Option<(u8, bool)> {
        if p.is_none() {
            return Some((0, false));
        }
        quality_in(hits, unit).map(|h| (h.q, h.via_other_scheme))
    };

    if let Some(cpart) = c {
        for h in &m.c_old {
            let com = u.old_commune_at(h.unit);
            let district = Some(com.district_pos);
            let qd = if d.is_some() {
                match quality_in(&m.d, district) {
                    Some(hd) => hd.q,
                    None => continue,
                }
            } else {
                0
            };
            let province = Some(com.province_pos);
            let Some((qp, via)) = province_ok(&m.p_old, province) else {
                continue;
            };
            cands.push(Cand {
                scheme: Scheme::Pre2025,
                province,
                district,
                commune: Some(h.unit),
                island: false,
                qc: h.q,
                qp,
                qd,
                province_via_other_scheme: via,
                superseded: !com.status.is_in_force(),
            });
        }
        for h in &m.c_new {
            let com = u.new_commune_at(h.unit);
            let qd = if d.is_some() {
                // A district with a post-2025 commune: only if that old district fed into it.
                let best =
                    u.old_districts_into(h.unit).iter().filter_map(|&d| quality_in(&m.d, Some(d))).map(|h| h.q).max();
                match best {
                    Some(q) => q,
                    None => continue,
                }
            } else {
                0
            };
            let province = Some(com.province_pos);
            let Some((qp, via)) = province_ok(&m.p_new, province) else {
                continue;
            };
            if via && d.is_some() {
                // An old district and an old province name around a new commune: read as a
                // pre-2025 address, not as a post-2025 one.
                continue;
            }
            cands.push(Cand {
                scheme: Scheme::Post2025,
                province,
                district: None,
                commune: Some(h.unit),
                island: false,
                qc: h.q,
                qp,
                qd,
                province_via_other_scheme: via,
                superseded: false,
            });
        }
        // Island districts have no commune: the commune part may repeat the district's name
        // or name the special zone it became.
        for hd in &m.d {
            let district = u.old_district_at(hd.unit);
            let Some(target) = u.island_district_target(district.code) else {
                continue;
            };
            let own = split_official(district.name).1.loose;
            let zone = u.pos_new_commune(target.new_commune_code);
            let qc = quality_in(&m.c_new, zone)
                .map(|h| h.q)
                .or_else(|| cpart.variants.iter().any(|v| v.key.loose == own).then_some(hd.q));
            let Some(qc) = qc else { continue };
            let province = u.pos_old_province(district.province_code);
            let Some((qp, via)) = province_ok(&m.p_old, province) else {
                continue;
            };
            cands.push(Cand {
                scheme: Scheme::Pre2025,
                province,
                district: Some(hd.unit),
                commune: None,
                island: true,
                qc,
                qp,
                qd: hd.q,
                province_via_other_scheme: via,
                superseded: false,
            });
        }
    } else if d.is_some() {
        for hd in &m.d {
            let district = u.old_district_at(hd.unit);
            let province = Some(district.province_pos);
            let Some((qp, via)) = province_ok(&m.p_old, province) else {
                continue;
            };
            cands.push(Cand {
                scheme: Scheme::Pre2025,
                province,
                district: Some(hd.unit),
                commune: None,
                island: district.is_island_without_communes(),
                qc: 0,
                qp,
                qd: hd.q,
                province_via_other_scheme: via,
                superseded: false,
            });
        }
    } else if p.is_some() {
        for (scheme, hits) in [(Scheme::Pre2025, &m.p_old), (Scheme::Post2025, &m.p_new)] {
            for h in hits.iter() {
                cands.push(Cand {
                    scheme,
                    province: Some(h.unit),
                    district: None,
                    commune: None,
                    island: false,
                    qc: 0,
                    qp: h.q,
                    qd: 0,
                    province_via_other_scheme: h.via_other_scheme,
                    superseded: false,
                });
            }
        }
    }

    let prefer = if d.is_some() { Scheme::Pre2025 } else { Scheme::Post2025 };
    if let Some(only) = only {
        cands.retain(|c| c.scheme == only);
    }
    let mut best: Vec<Cand> = Vec::new();
    if let Some(top) = cands.iter().map(|c| c.rank(prefer)).max() {
        for cand in cands.iter().filter(|c| c.rank(prefer) == top) {
            if !best.iter().any(|b| b.same_unit(cand)) {
                best.push(*cand);
            }
        }
    }
    let given = [p.is_some(), d.is_some(), c.is_some()].iter().filter(|&&g| g).count();
    let matched = [
        p.is_some() && !(m.p_old.is_empty() && m.p_new.is_empty()),
        d.is_some() && !m.d.is_empty(),
        c.is_some() && !(m.c_old.is_empty() && m.c_new.is_empty()),
    ]
    .iter()
    .filter(|&&g| g)
    .count();
    Attempt {
        best,
        prefer: Some(prefer),
        matched: u8::try_from(matched).unwrap_or(0),
        given: u8::try_from(given).unwrap_or(0),
        matches: m,
    }
}
