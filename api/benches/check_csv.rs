//! `dinhdanh check FILE.csv` on a large generated file: writes BENCH_CHECK_ROWS (default
//! 1,000,000) damaged demo records as CSV, runs the real binary on it with one thread and with
//! every core (in turn, BENCH_CHECK_RUNS times, the best run of each), and prints rows/second,
//! the ratio and the check process's peak memory (VmHWM), which must stay flat whatever the file
//! size; then the pandas baseline (`../shared/peer/pandas_check.py`) on the same file, and the
//! ratio. Figures are printed, never asserted.
//!
//! `cargo bench -p dinhdanh --bench check_csv` (part of `make bench`); `BENCH_CHECK_KEEP=1` keeps
//! the generated file for profiling and prints where it is.

use std::io::BufWriter;
use std::process::Command;
use std::time::{Duration, Instant};

use dinhdanh::demo::generate::{self, Registry};
use dinhdanh::demo::names::NameSampler;

fn write_corpus(path: &std::path::Path, rows: u32) -> std::io::Result<u64> {
    let plan = generate::plan(rows, 2025, 2026);
    let names = NameSampler::default();
    let mut ids = Registry::default();
    let mut out = csv::Writer::from_writer(BufWriter::new(std::fs::File::create(path)?));
    out.write_record([
        "maHocSinh",
        "fullName",
        "dateOfBirth",
        "gender",
        "personalId",
        "grade",
        "province",
        "district",
        "commune",
        "residenceText",
    ])?;
    let mut written = 0u64;
    for i in 0..plan.schools.len() {
        let people = generate::school_people(&plan, i, &mut ids, &names);
        for (class_index, p) in people.students {
            let e = p.entered;
            let grade = plan.schools[i].classes[class_index].grade.to_string();
            let o = |v: &Option<String>| v.clone().unwrap_or_default();
            out.write_record([
                p.sector_code.clone(),
                o(&e.full_name),
                o(&e.date_of_birth),
                o(&e.gender),
                o(&e.personal_id),
                grade,
                o(&e.res_province),
                o(&e.res_district),
                o(&e.res_commune),
                o(&e.res_text),
            ])?;
            written += 1;
        }
    }
    out.flush()?;
    Ok(written)
}

fn vm_hwm_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status.lines().find(|l| l.starts_with("VmHWM:"))?.split_whitespace().nth(1)?.parse().ok()
}

/// One run of the real binary: wall time, peak memory, what it printed.
struct Run {
    secs: f64,
    peak_kib: u64,
    summary: String,
}

fn run_check(input: &std::path::Path, threads: Option<usize>) -> Result<Run, Box<dyn std::error::Error>> {
    let started = Instant::now();
    let mut command = Command::new(env!("CARGO_BIN_EXE_dinhdanh"));
    command.arg("check").arg(input);
    if let Some(t) = threads {
        command.arg("--threads").arg(t.to_string());
    }
    let mut child = command.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::null()).spawn()?;
    let pid = child.id();
    let mut peak = 0;
    let status = loop {
        if let Some(kib) = vm_hwm_kib(pid) {
            peak = peak.max(kib);
        }
        if let Some(status) = child.try_wait()? {
            break status;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let secs = started.elapsed().as_secs_f64();
    let mut summary = String::new();
    std::io::Read::read_to_string(child.stdout.as_mut().ok_or("stdout")?, &mut summary)?;
    // 0: no row has an error; 2: some rows do (the generated corpus is damaged on purpose).
    if !matches!(status.code(), Some(0 | 2)) {
        return Err(format!("dinhdanh check failed: {status}").into());
    }
    Ok(Run { secs, peak_kib: peak, summary })
}

/// The pandas baseline (`../shared/peer/pandas_check.py`, or `PANDAS_PEER`) on the same file, when
/// Python with pandas is there; prints its rate and the ratio.
fn peer(input: &std::path::Path, dir: &std::path::Path, rows: u64, our_secs: f64) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let script = std::env::var_os("PANDAS_PEER")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| root.join("../shared/peer/pandas_check.py"));
    let Some(python) = python_with_pandas(&root) else {
        println!("check_csv: pandas baseline skipped (no python3 with pandas, and installing it into a venv failed)");
        return;
    };
    if !script.exists() {
        println!("check_csv: pandas baseline skipped ({} missing)", script.display());
        return;
    }
    let started = Instant::now();
    let status = Command::new(&python)
        .arg(&script)
        .arg(input)
        .arg(dir.join("pandas.checked.csv"))
        .arg(root.join("data/admin-units"))
        .stdout(std::process::Stdio::null())
        .status();
    let secs = started.elapsed().as_secs_f64();
    match status {
        Ok(s) if s.success() => println!(
            "check_csv: pandas baseline on the same {rows} rows in {secs:.1} s = {:.0} rows/s; dinhdanh check (every core) is {:.1}x faster",
            rows as f64 / secs,
            secs / our_secs
        ),
        other => println!("check_csv: pandas baseline failed: {other:?}"),
    }
}

fn has_pandas(python: &std::path::Path) -> bool {
    Command::new(python).args(["-c", "import pandas"]).output().is_ok_and(|o| o.status.success())
}

/// `python3` when it has pandas; otherwise a venv under `target/pandas-venv` with pandas installed
/// from PyPI (once; later runs reuse it).
fn python_with_pandas(root: &std::path::Path) -> Option<std::path::PathBuf> {
    let system = std::path::PathBuf::from("python3");
    if has_pandas(&system) {
        return Some(system);
    }
    let venv = root.join("target/pandas-venv");
    let python = venv.join("bin/python3");
    if !has_pandas(&python) {
        println!("check_csv: no pandas for python3: installing it into {}", venv.display());
        let created = Command::new("python3").arg("-m").arg("venv").arg(&venv).status().is_ok_and(|s| s.success());
        let installed = created
            && Command::new(&python)
                .args(["-m", "pip", "install", "--quiet", "pandas"])
                .status()
                .is_ok_and(|s| s.success());
        if !installed {
            return None;
        }
    }
    let version = Command::new(&python).args(["-c", "import pandas; print(pandas.__version__)"]).output().ok()?;
    println!("check_csv: pandas {} ({})", String::from_utf8_lossy(&version.stdout).trim(), python.display());
    Some(python)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    if std::env::args().any(|a| a == "--list") {
        return Ok(());
    }
    let load = || std::fs::read_to_string("/proc/loadavg").unwrap_or_default().trim().to_owned();
    println!("check_csv: load average at the start: {}", load());
    let rows: u32 = std::env::var("BENCH_CHECK_ROWS").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let dir = std::env::temp_dir().join(format!("dinhdanh-bench-check-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let input = dir.join("hai-phong.csv");
    let started = Instant::now();
    let written = write_corpus(&input, rows)?;
    let size = std::fs::metadata(&input)?.len();
    println!(
        "check_csv: generated {written} damaged records ({:.0} MB) in {:.1} s",
        size as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );

    // One thread and every core in turn, BENCH_CHECK_RUNS times (3): the shared machine's speed
    // drifts within minutes, so each side keeps its best run (the least disturbed) and its
    // highest peak memory; every run's time is printed.
    let runs: usize = std::env::var("BENCH_CHECK_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(3).max(1);
    let (mut ones, mut alls) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        ones.push(run_check(&input, Some(1))?);
        alls.push(run_check(&input, None)?);
    }
    let best = |runs: Vec<Run>| {
        let times: Vec<String> = runs.iter().map(|r| format!("{:.2}", r.secs)).collect();
        let peak = runs.iter().map(|r| r.peak_kib).max().unwrap_or(0);
        let mut best = runs.into_iter().min_by(|a, b| a.secs.total_cmp(&b.secs)).expect("a run");
        best.peak_kib = peak;
        (best, times.join(", "))
    };
    let ((one, one_times), (all, all_times)) = (best(ones), best(alls));
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    for (label, r, times) in
        [("1 thread", &one, one_times), (&*format!("{cores} threads (every core)"), &all, all_times)]
    {
        println!(
            "check_csv: `dinhdanh check` ({label}) on {written} rows in {:.2} s (best of {runs}: {times} s) = {:.0} rows/s, peak memory {:.1} MiB (file {:.0} MB)",
            r.secs,
            written as f64 / r.secs,
            r.peak_kib as f64 / 1024.0,
            size as f64 / 1e6
        );
    }
    println!("check_csv: every core / one thread = {:.2}x (best against best)", one.secs / all.secs);
    for line in all.summary.lines().take(3) {
        println!("  {line}");
    }
    peer(&input, &dir, written, all.secs);
    println!("check_csv: load average at the end: {}", load());
    if std::env::var_os("BENCH_CHECK_KEEP").is_some() {
        println!("check_csv: kept {} (BENCH_CHECK_KEEP)", input.display());
    } else {
        std::fs::remove_dir_all(&dir).ok();
    }
    Ok(())
}
