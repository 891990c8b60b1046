//! Rough timings, run by hand (no timed assertions in the suite):
//!
//! ```text
//! cargo test -p dinhdanh --lib --release address::bench_tests -- --ignored --nocapture --test-threads 1
//! ```
//!
//! Prints the first-use parse time of the tables and of the name index, then resolution
//! throughput for structured addresses (official names, and bare names without diacritics and
//! type words) and one-cell free-text addresses built from every pre-2025 and post-2025 commune.

use std::time::Instant;

use super::*;
use crate::domain::admin_units::index::name_index;
use crate::domain::text::fold_ascii;
use crate::rules::ResidenceInput;

fn input(p: &str, d: &str, c: &str) -> ResidenceInput {
    let cell = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    ResidenceInput { province: cell(p), district: cell(d), commune: cell(c) }
}

/// CPU time of this thread in seconds (Linux; the machine may be shared, so wall time alone
/// can mislead). `None` elsewhere.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = stat.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}

/// Runs `f`, returns its result, wall seconds and CPU seconds.
fn timed<T>(f: impl FnOnce() -> T) -> (T, f64, f64) {
    let cpu = cpu_seconds().unwrap_or_default();
    let start = Instant::now();
    let out = f();
    let wall = start.elapsed().as_secs_f64();
    (out, wall, cpu_seconds().unwrap_or_default() - cpu)
}

fn per_second(label: &str, n: usize, run: impl Fn() -> usize) {
    let (resolved, wall, cpu) = timed(run);
    eprintln!(
        "{label}: {n} in {wall:.3} s wall, {cpu:.3} s CPU = {:.0}/s of CPU ({resolved} with a commune)",
        n as f64 / cpu.max(1e-9)
    );
}

#[test]
#[ignore = "timing, run by hand"]
fn timings() {
    let (u, wall, cpu) = timed(units);
    eprintln!("first use of the tables: {:.1} ms wall, {:.1} ms CPU", wall * 1e3, cpu * 1e3);
    let (ix, wall, cpu) = timed(name_index);
    eprintln!(
        "first use of the name index: {:.1} ms wall, {:.1} ms CPU ({} old commune keys)",
        wall * 1e3,
        cpu * 1e3,
        ix.old_communes.len()
    );

    let mut official = Vec::new();
    let mut bare = Vec::new();
    let mut free = Vec::new();
    for c in u.old_communes() {
        let d = u.old_district(c.district_code).expect("district");
        let p = u.old_province(c.province_code).expect("province");
        official.push(input(p.name, d.name, c.name));
        bare.push(input(&fold_ascii(p.name), &fold_ascii(d.name), &fold_ascii(c.name)));
        free.push(format!("Số 12 Lê Lợi, {}, {}, {}", c.name, d.name, p.name));
    }
    for c in u.new_communes() {
        let p = u.new_province(c.province_code).expect("province");
        official.push(input(p.name, "", c.name));
        bare.push(input(&fold_ascii(p.name), "", &fold_ascii(c.name)));
        free.push(format!("Thôn 3, {}, {}", c.name, p.name));
    }
    let has_commune =
        |o: &ResidenceOutcome| usize::from(o.residence.as_ref().is_some_and(|r| r.commune_code.is_some()));
    for round in 0..2 {
        eprintln!("round {round}");
        per_second("structured, official names", official.len(), || {
            official.iter().map(|i| has_commune(&resolve_residence(Some(i), None))).sum()
        });
        per_second("structured, no diacritics", bare.len(), || {
            bare.iter().map(|i| has_commune(&resolve_residence(Some(i), None))).sum()
        });
        per_second("free text", free.len(), || {
            free.iter().map(|t| has_commune(&resolve_residence(None, Some(t)))).sum()
        });
    }
}
