//! The free-text corpus: addresses in one cell as people write them (abbreviations, no
//! diacritics, no commas, labels, English words, house numbers, phone numbers, old and new
//! names), each with the official unit it was written from. `corpus/hand_written.tsv` is written
//! by hand; `corpus/generated.tsv` by `corpus/make_generated.py` from `data/admin-units`. The
//! test prints the rate read to the expected unit and fails below the floor.
//!
//! Expected units: `pre:CODE` (the June-2025 commune), `post:CODE` (the post-2025 commune; a
//! pre-2025 reading that converts to it counts), `district:CODE` (a pre-2025 district, no
//! commune).

use super::*;

static HAND_WRITTEN: &str = include_str!("corpus/hand_written.tsv");
static GENERATED: &str = include_str!("corpus/generated.tsv");

/// (text, expected) of a corpus file.
pub(super) fn cases(file: &'static str) -> Vec<(String, &'static str)> {
    file.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let mut cols = l.split('\t');
            Some((cols.next()?.replace("\\n", "\n"), cols.next()?))
        })
        .collect()
}

/// True when the outcome names the expected unit.
pub(super) fn reads_as(out: &ResidenceOutcome, want: &str) -> bool {
    let Some(r) = out.residence.as_ref() else { return false };
    let (kind, code) = want.split_once(':').unwrap_or(("", want));
    match kind {
        "pre" => r.scheme == Scheme::Pre2025 && r.commune_code.as_deref() == Some(code),
        "post" => r.post2025.as_ref().and_then(|n| n.commune_code.as_deref()) == Some(code),
        "district" => {
            r.scheme == Scheme::Pre2025 && r.district_code.as_deref() == Some(code) && r.commune_code.is_none()
        }
        _ => false,
    }
}

fn rate(name: &str, file: &'static str) -> (usize, usize) {
    let cases = cases(file);
    let mut failures = Vec::new();
    for (text, want) in &cases {
        let out = resolve_residence(None, Some(text));
        if !reads_as(&out, want) {
            let got =
                out.residence.as_ref().map(|r| (r.scheme.as_str(), r.district_code.clone(), r.commune_code.clone()));
            let codes: Vec<_> = out.findings.iter().map(|f| f.code.as_str()).collect();
            failures.push(format!("{text:?} want {want}, got {got:?} {codes:?}"));
        }
    }
    let ok = cases.len() - failures.len();
    println!(
        "free-text corpus {name}: {ok} of {} read to the expected unit ({:.1}%)",
        cases.len(),
        100.0 * ok as f64 / cases.len().max(1) as f64
    );
    for f in failures.iter().take(40) {
        println!("  {f}");
    }
    (ok, cases.len())
}

#[test]
fn free_text_corpus_reads_to_the_expected_units() {
    let (a, n) = rate("hand_written", HAND_WRITTEN);
    let (b, m) = rate("generated", GENERATED);
    assert!(n >= 80 && m >= 500, "corpus too small: {n} + {m}");
    let total = (a + b) as f64 / (n + m) as f64;
    println!("free-text corpus, all: {:.1}% of {}", 100.0 * total, n + m);
    assert!(total >= 0.95, "free-text corpus: {:.1}% read to the expected units, below 95%", 100.0 * total);
}
