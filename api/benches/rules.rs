//! The rule engine over the demo generator's damaged records: records/second through the
//! whole engine, and address resolution on its own. Figures are printed, never asserted.
//!
//! `cargo bench -p dinhdanh --bench rules` (part of `make bench`). `BENCH_RECORDS` sets the
//! corpus size (default 1,000,000).
//!
//! Instruction counts, whatever the machine's load: with `BENCH_PASSES=n` the bench skips
//! criterion, makes one warm pass of each workload, then `n` passes of each in its own function,
//! for `valgrind --tool=callgrind --toggle-collect='*profile_fast*'` (or `*profile_engine*`,
//! `*profile_residence*`, `*profile_full*`); divide by `n` × the records it prints.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group};
use dinhdanh::demo::generate::{self, Registry};
use dinhdanh::demo::names::NameSampler;
use dinhdanh::rules::{self, PersonKind, RecordInput, ResidenceInput, RuleContext};

fn corpus(n: u32) -> Vec<RecordInput> {
    let plan = generate::plan(n, 2025, 2026);
    let names = NameSampler::default();
    let mut ids = Registry::default();
    let mut out = Vec::with_capacity(n as usize);
    for i in 0..plan.schools.len() {
        let people = generate::school_people(&plan, i, &mut ids, &names);
        for (class_index, p) in people.students {
            let e = p.entered;
            let residence = (e.res_province.is_some() || e.res_commune.is_some()).then_some(ResidenceInput {
                province: e.res_province,
                district: e.res_district,
                commune: e.res_commune,
            });
            out.push(RecordInput {
                full_name: e.full_name,
                date_of_birth: e.date_of_birth,
                gender: e.gender,
                personal_id: e.personal_id,
                grade: Some(plan.schools[i].classes[class_index].grade.to_string()),
                role: None,
                residence,
                residence_text: e.res_text,
            });
        }
    }
    out
}

/// First-use cost of the reference data, measured before anything else touches it.
fn load_times() {
    use dinhdanh::domain::admin_units::{history::history, index::name_index, units};
    let t = std::time::Instant::now();
    black_box(units());
    let tables = t.elapsed();
    let t = std::time::Instant::now();
    black_box(name_index());
    let index = t.elapsed();
    let t = std::time::Instant::now();
    black_box(history());
    let hist = t.elapsed();
    let t = std::time::Instant::now();
    let keys = black_box(rules::address::warm_up());
    let fast = t.elapsed();
    eprintln!(
        "start-up: unit lists {:.1} ms, name index {:.1} ms, unit history (every era, forward chains) {:.1} ms, \
         table of the structured fast path ({keys} spellings) {:.1} ms",
        tables.as_secs_f64() * 1e3,
        index.as_secs_f64() * 1e3,
        hist.as_secs_f64() * 1e3,
        fast.as_secs_f64() * 1e3
    );
}

fn bench(c: &mut Criterion) {
    load_times();
    let n: u32 = std::env::var("BENCH_RECORDS").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let records = corpus(n);
    let ctx = RuleContext::new(chrono::NaiveDate::from_ymd_opt(2026, 11, 29).unwrap_or_default(), PersonKind::Student);
    eprintln!(
        "corpus: {} generated damaged records, {} cores, load average {}",
        records.len(),
        std::thread::available_parallelism().map_or(1, |p| p.get()),
        std::fs::read_to_string("/proc/loadavg").unwrap_or_default().trim()
    );

    let mut group = c.benchmark_group("rules");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20))
        .throughput(Throughput::Elements(records.len() as u64));
    group.bench_function("check_record (whole engine, one core)", |b| {
        b.iter(|| {
            for r in &records {
                black_box(rules::check_record(black_box(r), &ctx));
            }
        })
    });
    group.bench_function("check_residence (address resolution only)", |b| {
        b.iter(|| {
            let mut findings = Vec::new();
            for r in &records {
                findings.clear();
                black_box(rules::address::check_residence(
                    r.residence.as_ref(),
                    r.residence_text.as_deref(),
                    &mut findings,
                ));
            }
        })
    });
    group.finish();

    // Structured triples only (the records with province/district/commune cells).
    let triples: Vec<&ResidenceInput> = records.iter().filter_map(|r| r.residence.as_ref()).collect();
    eprintln!("structured triples: {} of the {} records", triples.len(), records.len());
    let mut group = c.benchmark_group("address");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20))
        .throughput(Throughput::Elements(triples.len() as u64));
    group.bench_function("structured triple (fast path: folded key, table of outcomes, one core)", |b| {
        b.iter(|| {
            for r in &triples {
                black_box(rules::address::resolve_residence_ref(Some(black_box(r)), None));
            }
        })
    });
    // The full resolution is slow: the first 100,000 triples are enough for its rate.
    let some = &triples[..triples.len().min(100_000)];
    group.throughput(Throughput::Elements(some.len() as u64));
    group.bench_function("structured triple (full resolution, no table, one core)", |b| {
        b.iter(|| {
            for r in some {
                black_box(rules::address::resolve_in_full(Some(black_box(r)), None));
            }
        })
    });
    group.finish();
}

#[inline(never)]
fn profile_engine(records: &[RecordInput], ctx: &RuleContext, passes: u32) {
    for _ in 0..passes {
        for r in records {
            black_box(rules::check_record(black_box(r), ctx));
        }
    }
}

/// What `dinhdanh check` calls per row: the residence borrowed, no name keys.
#[inline(never)]
fn profile_check(records: &[RecordInput], ctx: &RuleContext, passes: u32) {
    let mut findings = Vec::new();
    for _ in 0..passes {
        for r in records {
            black_box(rules::check_record_into(black_box(r), ctx, &mut findings));
        }
    }
}

#[inline(never)]
fn profile_residence(records: &[RecordInput], passes: u32) {
    let mut findings = Vec::new();
    for _ in 0..passes {
        for r in records {
            findings.clear();
            black_box(rules::address::check_residence(
                r.residence.as_ref(),
                r.residence_text.as_deref(),
                &mut findings,
            ));
        }
    }
}

#[inline(never)]
fn profile_fast(triples: &[&ResidenceInput], passes: u32) {
    for _ in 0..passes {
        for r in triples {
            black_box(rules::address::resolve_residence_ref(Some(black_box(r)), None));
        }
    }
}

#[inline(never)]
fn profile_full(triples: &[&ResidenceInput], passes: u32) {
    for _ in 0..passes {
        for r in triples {
            black_box(rules::address::resolve_in_full(Some(black_box(r)), None));
        }
    }
}

/// `BENCH_PASSES=n`: the workloads without criterion, for callgrind.
fn profile(passes: u32) {
    load_times();
    let n: u32 = std::env::var("BENCH_RECORDS").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000);
    let records = corpus(n);
    let ctx = RuleContext::new(chrono::NaiveDate::from_ymd_opt(2026, 11, 29).unwrap_or_default(), PersonKind::Student);
    let triples: Vec<&ResidenceInput> = records.iter().filter_map(|r| r.residence.as_ref()).collect();
    eprintln!("profile: {} records, {} structured triples, 1 warm pass then {passes}", records.len(), triples.len());
    profile_engine(&records, &ctx, 1);
    profile_engine(&records, &ctx, passes);
    profile_check(&records, &ctx, passes);
    profile_residence(&records, 1);
    profile_residence(&records, passes);
    profile_fast(&triples, 1);
    profile_fast(&triples, passes);
    profile_full(&triples, passes);
}

criterion_group!(benches, bench);

fn main() {
    if let Some(passes) = std::env::var("BENCH_PASSES").ok().and_then(|v| v.parse().ok()) {
        return profile(passes);
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
