//! Residence rules: resolve what was entered to official units of either scheme, convert
//! pre-2025 units to post-2025 ones, and say what is missing, unknown, outdated or split.
//!
//! Input is either three cells (province, district, commune) or one free-text cell. Each cell
//! becomes a `Part` (type word set apart, keys that ignore case, tone placement,
//! apostrophe shape and, loosely, diacritics); `resolve` finds every interpretation
//! whose hierarchy agrees in the pre-2025 list (province → district → commune) and in the
//! post-2025 list (province → commune) and ranks them. A one-cell address is cut into segments
//! and read from the right (province, then district, then commune); street-level parts to the left
//! are ignored. The outcome:
//! - one best interpretation: the [`ResolvedResidence`]; a pre-2025 one also gets
//!   `address_outdated_unit` (with the post-2025 unit) and, when its commune was split,
//!   `address_split_unit` (every candidate, the default named); a post-2025 one gets nothing;
//! - several equally good ones: `address_ambiguous`, with what they have in common;
//! - none: the parts are tried against every era since 2004 (`era`): a unit of the past that
//!   leads to one unit of 30 June 2025 is normalised to it (`address_historical_unit`, fixed),
//!   one that was split gets `address_split_unit`; otherwise `address_*_unknown` for parts that
//!   match nothing, else `address_hierarchy_mismatch` saying where the unit really is.
//!
//! Superseded communes (merged in the first half of 2025) resolve to their successor, in force
//! on 30 June 2025; the outdated finding names both. Island districts without communes resolve
//! at district level and convert to their special zone.

#[cfg(test)]
mod corpus_tests;
mod era;
#[cfg(test)]
mod era_tests;
mod fast;
#[cfg(test)]
mod fast_tests;
mod parse;
mod report;
mod resolve;
#[cfg(test)]
mod spelling_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod walk_tests;

use std::borrow::Cow;
use std::rc::Rc;

use super::{Code, Field, Finding, ResidenceInput, Severity};
use crate::domain::admin_units::keys::split_official;
use crate::domain::admin_units::{Level, NewUnit, ResolvedResidence, Scheme, units};
use parse::{FreeText, Part};
use report::Described;
use resolve::{Attempt, Cand, Rank, resolve, resolve_in};

/// Resolves a structured residence or, when absent, a one-cell address text.
///
/// Pushes the residence findings (none for a clean post-2025 address) and returns the resolved
/// units, possibly partial (province or district only) when the commune could not be settled.
pub fn check_residence(
    input: Option<&ResidenceInput>,
    text: Option<&str>,
    findings: &mut Vec<Finding>,
) -> Option<ResolvedResidence> {
    let outcome = resolve_residence_ref(input, text);
    findings.extend(outcome.findings.iter().cloned());
    outcome.residence.clone()
}

/// A residence outcome as [`resolve_residence_ref`] hands it out, without copying it: borrowed
/// from the table of the fast path, or shared with the thread's memo of full resolutions.
#[derive(Debug, Clone)]
pub enum OutcomeRef {
    /// From the table of the fast path (kept for the life of the process).
    Table(&'static ResidenceOutcome),
    /// A full resolution, shared with the thread's memo.
    Shared(Rc<ResidenceOutcome>),
}

impl std::ops::Deref for OutcomeRef {
    type Target = ResidenceOutcome;

    fn deref(&self) -> &ResidenceOutcome {
        match self {
            OutcomeRef::Table(o) => o,
            OutcomeRef::Shared(o) => o,
        }
    }
}

impl OutcomeRef {
    /// The outcome, owned (copied unless nothing else shares it).
    pub fn into_owned(self) -> ResidenceOutcome {
        match self {
            OutcomeRef::Table(o) => o.clone(),
            OutcomeRef::Shared(o) => Rc::unwrap_or_clone(o),
        }
    }
}

/// [`resolve_residence`] without copying: a structured residence spelled as the lists spell its
/// units (with or without diacritics, type words abbreviated) is read from a table of outcomes
/// (`fast`), without allocating; anything else is resolved in full, through a per-thread memo
/// of recent inputs (the same text gives the same outcome).
pub fn resolve_residence_ref(input: Option<&ResidenceInput>, text: Option<&str>) -> OutcomeRef {
    if let Some(i) = input
        && let Some(out) = fast::lookup(i, |i| resolve_in_full(Some(i), None))
    {
        return OutcomeRef::Table(out);
    }
    OutcomeRef::Shared(fast::memoized(input, text, || resolve_in_full(input, text)))
}

/// Builds the table of the fast path (start-up measurements); returns its number of keys.
pub fn warm_up() -> usize {
    fast::warm_up()
}

/// The residence and its findings, without a findings vector to push to.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResidenceOutcome {
    /// The resolved units (possibly partial), if any could be settled.
    pub residence: Option<ResolvedResidence>,
    /// The residence findings.
    pub findings: Vec<Finding>,
}

impl ResidenceOutcome {
    fn has_error(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }
}

/// Resolves a structured residence or, when it is empty, a one-cell address text.
pub fn resolve_residence(input: Option<&ResidenceInput>, text: Option<&str>) -> ResidenceOutcome {
    resolve_residence_ref(input, text).into_owned()
}

/// The full resolution, without the table of the fast path (the rules bench compares both).
pub fn resolve_in_full(input: Option<&ResidenceInput>, text: Option<&str>) -> ResidenceOutcome {
    let cell = |v: &Option<String>| v.as_deref().and_then(Part::parse);
    let (p, d, c) = input.map_or((None, None, None), |r| (cell(&r.province), cell(&r.district), cell(&r.commune)));
    if p.is_some() || d.is_some() || c.is_some() {
        let out = resolve_parts(p.as_ref(), d.as_ref(), c.as_ref());
        // A whole address pasted into one of the cells: read the cells as one text.
        let pasted = [&p, &d, &c].iter().any(|x| x.as_ref().is_some_and(|x| x.raw.contains(',')));
        if out.has_error() && pasted {
            let joined = report::join_names([&c, &d, &p].map(|x| x.as_ref().map(|x| x.raw.as_str())));
            let alt = resolve_text(&joined);
            if !alt.has_error() {
                return alt;
            }
        }
        return out;
    }
    match text.filter(|t| !t.trim().is_empty()) {
        Some(t) => resolve_text(t),
        None => {
            ResidenceOutcome { residence: None, findings: vec![Finding::new(Field::Residence, Code::AddressMissing)] }
        }
    }
}

/// Resolves three parts (any of them may be absent).
fn resolve_parts(p: Option<&Part>, d: Option<&Part>, c: Option<&Part>) -> ResidenceOutcome {
    let attempt = resolve(p, d, c);
    conclude(&attempt, p, d, c)
}

fn conclude(attempt: &Attempt, p: Option<&Part>, d: Option<&Part>, c: Option<&Part>) -> ResidenceOutcome {
    match attempt.best.as_slice() {
        [] => era::resolve(p, d, c).unwrap_or_else(|| diagnose(attempt, p, d, c)),
        [one] => accept(one, p, d, c),
        many => ambiguous(many, p, d, c),
    }
}

/// The residence of a candidate (pre-2025: with its post-2025 conversion).
fn residence_of(c: &Cand) -> Option<ResolvedResidence> {
    let u = units();
    match c.scheme {
        Scheme::Pre2025 => {
            if let Some(i) = c.commune {
                let com = u.old_commune_at(i);
                let in_force = if com.status.is_in_force() {
                    Some(com.code)
                } else {
                    com.successor_code.filter(|s| u.old_commune(s).is_some_and(|x| x.status.is_in_force()))
                };
                return match in_force {
                    Some(code) => u.residence_of_old_commune(code),
                    None => old_partial(Some(com.province_code), Some(com.district_code)),
                };
            }
            let district = c.district.map(|i| u.old_district_at(i));
            if c.island
                && let Some(d) = district
            {
                return u.residence_of_island_district(d.code);
            }
            let province = c.province.map(|i| u.old_province_at(i).code);
            old_partial(province, district.map(|d| d.code))
        }
        Scheme::Post2025 => {
            if let Some(i) = c.commune {
                return u.residence_of_new_commune(u.new_commune_at(i).code);
            }
            let p = u.new_province_at(c.province?);
            let unit = NewUnit {
                province_code: p.code.to_owned(),
                province_name: p.name.to_owned(),
                commune_code: None,
                commune_name: None,
            };
            Some(ResolvedResidence {
                scheme: Scheme::Post2025,
                province_code: Some(p.code.to_owned()),
                district_code: None,
                commune_code: None,
                province_name: Some(p.name.to_owned()),
                district_name: None,
                commune_name: None,
                post2025: Some(unit),
                split_candidates: Vec::new(),
            })
        }
    }
}

/// A pre-2025 residence above commune level; `post2025` holds the successor province only.
fn old_partial(province: Option<&str>, district: Option<&str>) -> Option<ResolvedResidence> {
    let u = units();
    let d = district.and_then(|c| u.old_district(c));
    let p = u.old_province(province.or(d.map(|d| d.province_code))?)?;
    let successor = u.successor_province(p.code);
    Some(ResolvedResidence {
        scheme: Scheme::Pre2025,
        province_code: Some(p.code.to_owned()),
        district_code: d.map(|d| d.code.to_owned()),
        commune_code: None,
        province_name: Some(p.name.to_owned()),
        district_name: d.map(|d| d.name.to_owned()),
        commune_name: None,
        post2025: successor.map(|s| NewUnit {
            province_code: s.code.to_owned(),
            province_name: s.name.to_owned(),
            commune_code: None,
            commune_name: None,
        }),
        split_candidates: Vec::new(),
    })
}

/// One interpretation won: the residence, plus outdated/split/incomplete/inferred findings.
fn accept(c: &Cand, p: Option<&Part>, d: Option<&Part>, cp: Option<&Part>) -> ResidenceOutcome {
    let u = units();
    let Some(res) = residence_of(c) else {
        return ResidenceOutcome::default();
    };
    let mut findings = Vec::new();
    if c.depth() < 3 && cp.is_none() {
        findings.push(report::incomplete(&res));
    }
    let inferred_province = p.is_none() && res.province_code.is_some();
    let inferred_district = res.scheme == Scheme::Pre2025 && d.is_none() && res.district_code.is_some();
    if inferred_province || inferred_district {
        let entered = report::join_names([cp, d, p].map(|x| x.map(|x| x.raw.as_str())));
        findings.push(report::inferred(&res, inferred_province, inferred_district, &entered));
    }
    match res.scheme {
        Scheme::Pre2025 => {
            let superseded = c.commune.map(|i| u.old_commune_at(i)).filter(|x| !x.status.is_in_force());
            // A commune read through a former name or alias: say so.
            // (A match through the official name's key needs no keying of the name again.)
            let read_as = cp.filter(|part| {
                part.digits.is_none()
                    && superseded.is_none()
                    && !c.commune_by_official_name()
                    && res.commune_name.as_deref().is_some_and(|n| {
                        let official = split_official(n).1.loose;
                        part.variants.iter().all(|v| v.key.loose != official)
                    })
            });
            findings.push(report::outdated(&res, superseded, read_as.map(|p| p.raw.as_str())));
            if !res.split_candidates.is_empty() {
                findings.push(report::split(&res));
            }
        }
        Scheme::Post2025 => {
            if c.province_via_other_scheme
                && let Some(p) = p
            {
                findings.push(report::outdated_province(&p.raw, &res));
            }
        }
    }
    ResidenceOutcome { residence: Some(res), findings }
}

/// The deepest level the candidates disagree on, and what they share above it.
fn ambiguous(cands: &[Cand], p: Option<&Part>, d: Option<&Part>, c: Option<&Part>) -> ResidenceOutcome {
    let described: Vec<Described> = cands.iter().map(Described::of).collect();
    let (entered, level_name) = if let Some(c) = c {
        (c.raw.as_str(), "phường/xã")
    } else if let Some(d) = d {
        (d.raw.as_str(), "quận/huyện")
    } else {
        (p.map_or("", |p| p.raw.as_str()), "tỉnh/thành phố")
    };
    let findings = vec![report::ambiguous(entered, level_name, &described)];
    // What every candidate agrees on.
    let first = cands[0];
    let same_scheme = cands.iter().all(|x| x.scheme == first.scheme);
    let same_province = same_scheme && cands.iter().all(|x| x.province == first.province);
    let same_district = same_province && cands.iter().all(|x| x.district == first.district);
    let common = Cand {
        commune: None,
        island: false,
        district: first.district.filter(|_| same_district),
        province: first.province.filter(|_| same_province),
        ..first
    };
    ResidenceOutcome { residence: same_province.then(|| residence_of(&common)).flatten(), findings }
}

/// A partial residence from the parts above the commune, when they agree.
fn partial(p: Option<&Part>, d: Option<&Part>) -> Option<ResolvedResidence> {
    if p.is_none() && d.is_none() {
        return None;
    }
    if d.is_some() {
        let a = resolve(p, d, None);
        if let Some(c) = a.unique() {
            return residence_of(c);
        }
    }
    if p.is_some() {
        let a = resolve(p, None, None);
        if let Some(c) = a.unique() {
            return residence_of(c);
        }
    }
    None
}

/// No interpretation: unknown parts first; otherwise, parts that exist but not together.
fn diagnose(attempt: &Attempt, p: Option<&Part>, d: Option<&Part>, c: Option<&Part>) -> ResidenceOutcome {
    let m = &attempt.matches;
    let unknown_p = p.is_some() && m.p_old.is_empty() && m.p_new.is_empty();
    let unknown_d = d.is_some() && m.d.is_empty();
    let unknown_c = c.is_some() && m.c_old.is_empty() && m.c_new.is_empty();
    let mut findings = Vec::new();
    if unknown_p || unknown_d || unknown_c {
        let kp = p.filter(|_| !unknown_p);
        let kd = d.filter(|_| !unknown_d);
        let kc = c.filter(|_| !unknown_c);
        let retry = if kp.is_some() || kd.is_some() || kc.is_some() { resolve(kp, kd, kc) } else { Attempt::default() };
        let known = retry.unique().copied();
        let within = known.as_ref().map(Described::of);
        if let Some(p) = p.filter(|_| unknown_p) {
            findings.push(report::province_unknown(p));
        }
        if let Some(d) = d.filter(|_| unknown_d) {
            let w = within.clone().map(|w| Described { district: None, commune: None, ..w });
            findings.push(report::district_unknown(d, w.as_ref()));
        }
        if let Some(c) = c.filter(|_| unknown_c) {
            let w = within.clone().map(|w| Described { commune: None, ..w });
            findings.push(report::commune_unknown(c, w.as_ref()));
        }
        if !retry.best.is_empty() && kc.is_some() && retry.unique().is_none() {
            // The remaining parts are themselves ambiguous.
            let more = ambiguous(&retry.best, kp, kd, kc);
            findings.extend(more.findings);
        }
        return ResidenceOutcome { residence: known.as_ref().and_then(residence_of), findings };
    }

    // Every part names something, but not together.
    let describe = |a: &Attempt| a.best.iter().map(Described::of).collect::<Vec<_>>();
    if let Some(c) = c {
        if let Some(d) = d {
            // Where the pre-2025 communes of that name are in the province.
            let in_province = resolve_in(p, None, Some(c), Some(Scheme::Pre2025));
            if !in_province.best.is_empty() {
                findings.push(report::mismatch(&c.raw, d, "district", &describe(&in_province)));
                return ResidenceOutcome { residence: partial(p, Some(d)), findings };
            }
        }
        if let Some(p) = p {
            let without_province = resolve(None, d, Some(c));
            let (child, actual) = match d {
                // District and commune agree with each other: the province is the odd one out.
                Some(d) if !without_province.best.is_empty() => {
                    (report::join_names([Some(c.raw.as_str()), Some(d.raw.as_str())]), describe(&without_province))
                }
                _ => (c.raw.clone(), describe(&resolve(None, None, Some(c)))),
            };
            findings.push(report::mismatch(&child, p, "province", &actual));
            return ResidenceOutcome { residence: partial(Some(p), None), findings };
        }
        if let Some(d) = d {
            let actual = describe(&resolve(None, None, Some(c)));
            findings.push(report::mismatch(&c.raw, d, "district", &actual));
            return ResidenceOutcome { residence: partial(None, Some(d)), findings };
        }
    }
    if let (Some(d), Some(p)) = (d, p) {
        let actual = describe(&resolve(None, Some(d), None));
        findings.push(report::mismatch(&d.raw, p, "province", &actual));
        return ResidenceOutcome { residence: partial(Some(p), None), findings };
    }
    ResidenceOutcome::default()
}

/// Resolves a one-cell address, reading it from the right.
fn resolve_text(text: &str) -> ResidenceOutcome {
    let ft = FreeText::parse(text, false);
    let choices = province_choices(&ft);
    let first = best_reading(&ft, &choices);
    let first = first.map(|r| r.district_named_like_a_commune().unwrap_or(r));
    if first.as_ref().is_some_and(|r| r.attempt.unique().is_some_and(|c| c.depth() == 3)) {
        return first.map(Reading::conclude).unwrap_or_default();
    }
    // Without commas and with ASCII type words ("phuong 8 quan 3 tp hcm"): cut there too.
    let ft_ascii = FreeText::parse(text, true);
    let choices_ascii = province_choices(&ft_ascii);
    let second = best_reading(&ft_ascii, &choices_ascii);
    let second = second.map(|r| r.district_named_like_a_commune().unwrap_or(r));
    let pick = match (first, second) {
        (Some(a), Some(b)) => Some(if b.key() > a.key() { b } else { a }),
        (a, b) => a.or(b),
    };
    match pick {
        Some(r) => r.conclude(),
        None => {
            ResidenceOutcome { residence: None, findings: vec![Finding::new(Field::Residence, Code::AddressMissing)] }
        }
    }
}

/// The ordering key of a reading (see [`Reading::key`]).
type ReadingKey = (u8, bool, bool, Rank, std::cmp::Reverse<u8>);

/// One assignment of free-text segments to province, district and commune. The parts are
/// borrowed from the segments (or from the province choices), never copied.
struct Reading<'a> {
    p: Option<&'a Part>,
    d: Option<&'a Part>,
    c: Option<&'a Part>,
    attempt: Attempt,
    /// The outcome through every era, when the current lists hold no reading.
    era: Option<ResidenceOutcome>,
}

impl<'a> Reading<'a> {
    fn new(p: Option<&'a Part>, d: Option<&'a Part>, c: Option<&'a Part>) -> Reading<'a> {
        let mut reading = Reading::matched(p, d, c);
        reading.look_up_era();
        reading
    }

    /// The reading against the current lists only; its era is not looked up yet.
    fn matched(p: Option<&'a Part>, d: Option<&'a Part>, c: Option<&'a Part>) -> Reading<'a> {
        Reading { p, d, c, attempt: resolve(p, d, c), era: None }
    }

    /// A reading that no current list holds together may be an address of another era.
    fn may_have_era(&self) -> bool {
        self.attempt.best.is_empty() && self.attempt.given > 1
    }

    fn look_up_era(&mut self) {
        if self.may_have_era() {
            self.era = era::resolve(self.p, self.d, self.c).filter(|o| o.residence.is_some());
        }
    }

    /// The reading whose parts match the most units wins (a failed reading of three real
    /// units says more than a resolved reading of one; a reading of another era matches all its
    /// parts); then resolved before failed, unique before ambiguous, deeper and better matches
    /// first, and fewer unmatched parts.
    fn key(&self) -> ReadingKey {
        let a = &self.attempt;
        if self.era.is_some() {
            return self.era_key();
        }
        let top = a.best.first().map(|c| c.rank(a.prefer.unwrap_or(Scheme::Post2025))).unwrap_or_default();
        (a.matched, !a.best.is_empty(), a.unique().is_some(), top, std::cmp::Reverse(a.given))
    }

    /// The key with an era outcome: the most a reading that [`may_have_era`](Self::may_have_era)
    /// can get (without one, `matched <= given` and it is not resolved).
    fn era_key(&self) -> ReadingKey {
        let given = self.attempt.given;
        (given, true, true, (3, 0, 0, 0, false, false), std::cmp::Reverse(given))
    }

    /// A post-2025 commune typed without its type word that carries the name of a pre-2025
    /// district of its province ("Hai Bà Trưng, Hà Nội"): the district is meant.
    fn district_named_like_a_commune(&self) -> Option<Reading<'a>> {
        let (Some(c), None) = (self.c, self.d) else { return None };
        let cand = self.attempt.unique().filter(|x| x.scheme == Scheme::Post2025 && c.hint.is_none())?;
        let alt = Reading::new(self.p, Some(c), None);
        let district = alt.attempt.unique()?;
        let u = units();
        let new_province = u.new_province_at(cand.province?).code;
        let old_province = u.old_province_at(district.province?).new_province_code;
        (new_province == old_province).then_some(alt)
    }

    fn conclude(self) -> ResidenceOutcome {
        if let Some(era) = self.era {
            return era;
        }
        conclude(&self.attempt, self.p, self.d, self.c)
    }
}

/// A way to read the province off the end of a free text: (province part, segments consumed,
/// leftover part of the last segment).
type ProvinceChoice<'a> = (Option<Cow<'a, Part>>, usize, Option<Part>);

/// The plausible province parts, most of them borrowed by the readings of [`best_reading`].
fn province_choices(ft: &FreeText) -> Vec<ProvinceChoice<'_>> {
    let segs = &ft.segments;
    let n = segs.len();
    let mut provinces: Vec<ProvinceChoice<'_>> = vec![(None, 0, None)];
    let Some(last) = segs.last() else {
        return provinces;
    };
    // An abbreviation that looks like a type word may be a province's ("T.T.Huế", "TT Huế").
    if last.part.may_be(Level::Province) || !last.part.hint_certain {
        provinces.push((Some(Cow::Borrowed(&last.part)), 1, None));
    }
    if n >= 2 && last.joined_by_hyphen && segs[n - 2].part.hint.is_none() {
        provinces.push((ft.joined_part(n - 2).map(Cow::Owned), 2, None));
    }
    let len = last.tokens.len();
    for k in 1..len.min(5) {
        // The rest of the segment is built only for a suffix that names a province.
        let Some(s) = ft.sub_part(n - 1, len - k..len) else { continue };
        if s.may_be(Level::Province)
            && names_a_province(&s)
            && let Some(rest) = ft.sub_part(n - 1, 0..len - k)
        {
            provinces.push((Some(Cow::Owned(s)), 1, Some(rest)));
        }
    }
    provinces
}

/// Tries the plausible assignments of segments and keeps the best reading (the first of the
/// best keys).
fn best_reading<'a>(ft: &'a FreeText, provinces: &'a [ProvinceChoice<'a>]) -> Option<Reading<'a>> {
    let segs = &ft.segments;
    let n = segs.len();
    if n == 0 {
        return None;
    }
    // At most two districts and two communes per province choice.
    let mut readings: Vec<Reading<'a>> = Vec::with_capacity(provinces.len() * 4);
    for (p, used, leftover) in provinces {
        // The parts left of the province: whole segments, then the leftover of the last one
        // (read in place, without a list of them per province choice).
        let whole = n - used;
        let len = whole + usize::from(leftover.is_some());
        let rest = |i: usize| if i < whole { Some(&segs[i].part) } else { leftover.as_ref() };
        let last = len.checked_sub(1).and_then(rest).filter(|l| l.may_be(Level::District));
        let districts = [Some((None, len)), last.map(|l| (Some(l), len - 1))];
        for (d, remaining) in districts.into_iter().flatten() {
            // The commune, and for a street-like one also none.
            let (commune, street) = match remaining.checked_sub(1).and_then(rest) {
                Some(c) if c.may_be(Level::Commune) => (Some(c), c.street),
                _ => (None, false),
            };
            for c in [Some(commune), street.then_some(None)].into_iter().flatten() {
                if p.is_none() && d.is_none() && c.is_none() {
                    continue;
                }
                readings.push(Reading::matched(p.as_deref(), d, c));
            }
        }
    }
    // The eras (slow) are looked up only for readings that could still win: with one, a
    // reading's key is its `era_key`, and the readings without any era question set a floor.
    let floor = readings.iter().filter(|r| !r.may_have_era()).map(Reading::key).max();
    for r in &mut readings {
        if floor.is_none_or(|f| r.era_key() >= f) {
            r.look_up_era();
        }
    }
    let mut best: Option<Reading<'a>> = None;
    for reading in readings {
        if best.as_ref().is_none_or(|b| reading.key() > b.key()) {
            best = Some(reading);
        }
    }
    best
}

/// True when some province of either scheme has this name (to cut "… Hải Phòng" off a segment).
fn names_a_province(part: &Part) -> bool {
    let ix = crate::domain::admin_units::index::name_index();
    part.variants
        .iter()
        .any(|v| !ix.old_provinces.get(&v.key.loose).is_empty() || !ix.new_provinces.get(&v.key.loose).is_empty())
}
