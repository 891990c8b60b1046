//! The cost of keeping ID numbers encrypted: encrypt, decrypt and blind index per value, the
//! rule outcome's JSON sealed and opened, and what one imported row will add once the store
//! encrypts (the entered and normalised numbers, the outcome's numbers, the blind index and
//! the import row's cells) against the rule engine alone on the same generated rows — a lower
//! bound of an import's own work per row, so the ratio printed is an upper bound of the share
//! encryption takes. Figures are printed, never asserted.
//!
//! `cargo bench -p dinhdanh --bench crypto` (part of `make bench`). `BENCH_RECORDS` sets the
//! corpus size (default 20,000).

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use dinhdanh::crypto::json::OUTCOME_ID_PATHS;
use dinhdanh::crypto::{Aad, JsonPath, KeyRing};
use dinhdanh::demo::generate::{self, Registry};
use dinhdanh::demo::names::NameSampler;
use dinhdanh::rules::{self, PersonKind, RecordInput, ResidenceInput, RuleContext};

/// Generated damaged records with their school grade.
fn corpus(n: u32) -> Vec<RecordInput> {
    let plan = generate::plan(n, 2025, 2026);
    let names = NameSampler::default();
    let mut ids = Registry::default();
    let mut out = Vec::with_capacity(n as usize);
    for i in 0..plan.schools.len() {
        for (class_index, p) in generate::school_people(&plan, i, &mut ids, &names).students {
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

/// One imported row's documents as the store will hold them: the rule outcome and the import
/// row's cells.
struct RowDocs {
    entered: String,
    normalised: String,
    outcome: serde_json::Value,
    import_row: serde_json::Value,
}

/// What the store will do per imported row once it encrypts: seal the entered and the
/// normalised number, the outcome's numbers and the import row's cells, and compute the blind
/// index. Returns the sealed bytes so nothing is optimised away.
fn encrypt_row(keys: &KeyRing, cells_path: &[JsonPath], row: usize, docs: &mut RowDocs) -> usize {
    let mut bytes = 0;
    for (column, value) in [("personal_id", &docs.entered), ("norm_personal_id", &docs.normalised)] {
        bytes += keys.encrypt(&Aad::new("people", column, row), value).map_or(0, |s| s.len());
    }
    bytes += keys.encrypt_json(&mut docs.outcome, &Aad::new("people", "outcome", row), &OUTCOME_ID_PATHS).unwrap_or(0);
    bytes += keys.encrypt_json(&mut docs.import_row, &Aad::new("import_rows", "data", row), cells_path).unwrap_or(0);
    bytes + keys.blind_index(&docs.normalised).as_str().len()
}

fn bench(c: &mut Criterion) {
    let n: u32 = std::env::var("BENCH_RECORDS").ok().and_then(|v| v.parse().ok()).unwrap_or(20_000);
    let records = corpus(n);
    let ctx = RuleContext::new(chrono::NaiveDate::from_ymd_opt(2026, 11, 29).unwrap_or_default(), PersonKind::Student);
    let outcomes: Vec<serde_json::Value> =
        records.iter().map(|r| serde_json::to_value(rules::check_record(r, &ctx)).unwrap_or_default()).collect();
    let keys = KeyRing::generate().unwrap_or_else(|e| panic!("{e}"));
    let ids: Vec<String> =
        outcomes.iter().map(|o| o["normalized"]["personalId"].as_str().unwrap_or("031215000001").to_owned()).collect();
    let sealed: Vec<String> = ids
        .iter()
        .enumerate()
        .map(|(row, id)| keys.encrypt(&Aad::new("people", "norm_personal_id", row), id).unwrap_or_default())
        .collect();
    eprintln!("corpus: {} generated damaged records, key ring: {keys}", records.len());

    let mut group = c.benchmark_group("crypto");
    group.sample_size(10).measurement_time(Duration::from_secs(5)).throughput(Throughput::Elements(ids.len() as u64));
    group.bench_function("encrypt (one ID number)", |b| {
        b.iter(|| {
            for (row, id) in ids.iter().enumerate() {
                black_box(keys.encrypt(&Aad::new("people", "norm_personal_id", row), black_box(id)).ok());
            }
        })
    });
    group.bench_function("decrypt (one ID number)", |b| {
        b.iter(|| {
            for (row, s) in sealed.iter().enumerate() {
                black_box(keys.decrypt(&Aad::new("people", "norm_personal_id", row), black_box(s)).ok());
            }
        })
    });
    group.bench_function("blind index (one ID number)", |b| {
        b.iter(|| {
            for id in &ids {
                black_box(keys.blind_index(black_box(id)));
            }
        })
    });
    group.bench_function("outcome JSON sealed and opened", |b| {
        b.iter(|| {
            for (row, outcome) in outcomes.iter().enumerate() {
                let aad = Aad::new("people", "outcome", row);
                let mut doc = outcome.clone();
                black_box(keys.encrypt_json(&mut doc, &aad, &OUTCOME_ID_PATHS).ok());
                black_box(keys.decrypt_json(&mut doc, &aad, &OUTCOME_ID_PATHS).ok());
            }
        })
    });
    group.finish();

    // Side by side in one run: the rule engine on each row vs what encryption adds to it.
    let cells_path = [JsonPath::parse("/cells").unwrap_or_else(|e| panic!("{e}"))];
    let rounds = 3;
    let started = Instant::now();
    for _ in 0..rounds {
        for r in &records {
            black_box(rules::check_record(black_box(r), &ctx));
        }
    }
    let rules_us = started.elapsed().as_secs_f64() * 1e6 / (rounds * records.len()) as f64;
    let mut crypto_secs = 0.0;
    for _ in 0..rounds {
        // The documents are built outside the clock: the store builds them with or without
        // encryption.
        let mut docs: Vec<RowDocs> = records
            .iter()
            .zip(&outcomes)
            .map(|(r, outcome)| {
                let entered = r.personal_id.clone().unwrap_or_default();
                RowDocs {
                    normalised: outcome["normalized"]["personalId"].as_str().unwrap_or("").to_owned(),
                    outcome: outcome.clone(),
                    import_row: serde_json::json!({ "cells": [r.full_name, r.date_of_birth, r.gender, entered] }),
                    entered,
                }
            })
            .collect();
        let started = Instant::now();
        for (row, d) in docs.iter_mut().enumerate() {
            black_box(encrypt_row(&keys, &cells_path, row, d));
        }
        crypto_secs += started.elapsed().as_secs_f64();
    }
    let crypto_us = crypto_secs * 1e6 / (rounds * records.len()) as f64;
    println!(
        "per imported row: rule engine alone {rules_us:.2} µs, encryption added {crypto_us:.2} µs \
         ({:.1} % of the rule engine alone; an import also reads, plans and writes each row: compare with \
         `cargo bench -p dinhdanh-tests --bench excel_import`)",
        100.0 * crypto_us / rules_us
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
