//! Speed of verification: seeds the demo population (100,000 students by default, plus their
//! schools' staff) into a fresh database (SQLite, or PostgreSQL when `TEST_DATABASE_URL` is
//! set) and the registry's truth into the simulator's own file, runs one job per school (only
//! the unit that holds records sends them) over everything
//! against the registry simulator in-process, with the client limited to 500 calls/s and 100
//! items per call (the simulator enforces the same limit with 429s), and prints the achieved
//! item throughput as a share of the limit, plus the outcome totals — twice, side by side in
//! the same run: without personal-data keys (ID numbers in clear, as before issue 13) and with
//! them, each in a process of its own, alternating (`BENCH_ROUNDS` runs of each, default 2),
//! and the ratio of the medians. Prints figures; asserts none.
//!
//! `cargo bench -p dinhdanh-tests --bench verification`
//! Environment: `BENCH_RECORDS` (students, default 100000), `BENCH_RATE` (calls/s, default
//! 500), `BENCH_BATCH` (items per call, default 100), `BENCH_CONCURRENCY` (calls in flight,
//! default 8), `BENCH_LATENCY_MS` (simulator latency, default 0), `BENCH_ROUNDS` (runs of each
//! variant, default 2).

use std::time::{Duration, Instant};

use dinhdanh::config::RegistrySimSettings;
use dinhdanh::domain::access::{Caller, Role};
use dinhdanh::store::audit::AuditCtx;
use dinhdanh::store::entities::{units, users, verification_jobs};
use dinhdanh::store::verification::{self, JobScope};
use dinhdanh_tests::{TestDb, test_settings};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[tokio::main]
async fn main() {
    let records: u32 = env_or("BENCH_RECORDS", 100_000);
    let rate: f64 = env_or("BENCH_RATE", 500.0);
    let batch: u32 = env_or("BENCH_BATCH", 100);
    let concurrency: u32 = env_or("BENCH_CONCURRENCY", 8);
    let latency: u64 = env_or("BENCH_LATENCY_MS", 0);
    dinhdanh_tests::init_process();
    // A child run measures one variant and hands its figures back on one line.
    if let Ok(variant) = std::env::var(VARIANT_ENV) {
        let (seconds, throughput) = measure(variant == "with", records, rate, batch, concurrency, latency).await;
        println!("{RESULT_TAG} {seconds} {throughput}");
        return;
    }
    // Each run is a process of its own (a fresh heap, no worker of an earlier run left polling),
    // in the order without, with, with, without, ... so that a drift of the machine during the
    // run weighs on both alike.
    let rounds: usize = env_or("BENCH_ROUNDS", 2);
    let mut runs: Vec<(bool, f64, f64)> = Vec::new();
    for round in 0..rounds {
        let order = if round % 2 == 0 { [false, true] } else { [true, false] };
        for keys in order {
            let (seconds, throughput) = run_child(keys);
            runs.push((keys, seconds, throughput));
        }
    }
    let median = |keys: bool, pick: fn(&(bool, f64, f64)) -> f64| {
        let mut v: Vec<f64> = runs.iter().filter(|r| r.0 == keys).map(pick).collect();
        v.sort_by(f64::total_cmp);
        let n = v.len();
        if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 }
    };
    println!("runs, in order:");
    for (keys, seconds, throughput) in &runs {
        println!(
            "  {:<13} drain {seconds:>7.1} s   {throughput:>7.0} items/s",
            if *keys { "with keys" } else { "without keys" }
        );
    }
    let (clear_s, sealed_s) = (median(false, |r| r.1), median(true, |r| r.1));
    let (clear_t, sealed_t) = (median(false, |r| r.2), median(true, |r| r.2));
    println!("side by side ({rounds} runs each, medians)  without keys   with keys   with / without");
    println!("  drain the job              {clear_s:>9.1} s {sealed_s:>9.1} s   {:>6.2}x", sealed_s / clear_s);
    println!("  throughput (items/s)       {clear_t:>11.0} {sealed_t:>11.0}   {:>6.2}x", sealed_t / clear_t);
}

/// Names the variant a child run measures (`with` or `without` keys).
const VARIANT_ENV: &str = "DINHDANH_BENCH_VERIFICATION_VARIANT";
/// Starts the line on which a child run reports its seconds and throughput.
const RESULT_TAG: &str = "#verification-result";

/// Runs one variant in a child process of this bench, passing its output through, and reads
/// its figures.
fn run_child(keys: bool) -> (f64, f64) {
    use std::io::{BufRead, BufReader};
    let exe = std::env::current_exe().expect("the bench's own executable");
    let mut child = std::process::Command::new(exe)
        .env(VARIANT_ENV, if keys { "with" } else { "without" })
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("a child run");
    let mut result = None;
    for line in BufReader::new(child.stdout.take().expect("stdout")).lines() {
        let line = line.expect("the child's output");
        match line.strip_prefix(RESULT_TAG) {
            Some(figures) => {
                let mut it = figures.split_whitespace().map(|v| v.parse::<f64>().expect("a figure"));
                result = Some((it.next().expect("seconds"), it.next().expect("throughput")));
            }
            None => println!("{line}"),
        }
    }
    let status = child.wait().expect("the child run");
    assert!(status.success(), "the {} run failed: {status}", if keys { "with keys" } else { "without keys" });
    result.expect("the child run's figures")
}

/// One job over a fresh demo population, with or without personal-data keys: the seconds the
/// job took and its item throughput.
async fn measure(keys: bool, records: u32, rate: f64, batch: u32, concurrency: u32, latency: u64) -> (f64, f64) {
    let ring = dinhdanh::crypto::KeyRing::from_settings(&test_settings("sqlite::memory:")).expect("keys").expect("set");
    if keys {
        dinhdanh::crypto::install(std::sync::Arc::new(ring));
    } else {
        dinhdanh::crypto::uninstall();
    }
    let db = TestDb::fresh().await;
    let engine = if db.is_postgres() { "PostgreSQL" } else { "SQLite" };
    println!(
        "verification benchmark on {engine}, {}: {records} demo students (+ staff), limit {rate} calls/s x {batch} items, \
         {concurrency} calls in flight, simulator latency {latency} ms",
        if keys { "with keys" } else { "without keys" }
    );
    let mut settings = test_settings(&db.url);
    if !keys {
        settings.data_keys = None;
        settings.index_key = None;
    }
    settings.database_max_connections = 8;
    settings.log = "warn".into();
    settings.stats.snapshot_interval_minutes = 0;
    // the jobs' start and finish are stamped by the application's clock: the real one here
    settings.clock = dinhdanh::domain::clock::Clock::system();

    let started = Instant::now();
    let conn = dinhdanh::db::connect(&settings).await.expect("connect");
    dinhdanh::db::migrate(&conn).await.expect("migrate");
    let store = dinhdanh::store::Store::new(conn.clone());
    let population = dinhdanh::registry::population::Population::open(&settings.registry_sim.database_url)
        .await
        .expect("population");
    dinhdanh::demo::seed(&store, &population, records, 2025, &dinhdanh::domain::clock::Clock::system())
        .await
        .expect("seed");
    println!("  seed the demo population and truth          {:>8.1} s", started.elapsed().as_secs_f64());

    let sim = dinhdanh::registry::sim::spawn(
        population,
        RegistrySimSettings {
            bind: "127.0.0.1:0".into(),
            max_items: batch,
            rate_limit_per_sec: rate.ceil() as u32,
            latency_ms_min: latency,
            latency_ms_max: latency,
            ..RegistrySimSettings::default()
        },
    )
    .expect("simulator");
    settings.registry.base_url = sim.url.clone();
    settings.registry.rate_limit_per_sec = rate;
    settings.registry.batch_size = batch;
    settings.registry.concurrency = concurrency;
    settings.registry.poll_interval_ms = 20;
    settings.registry.lease_secs = 300;

    // Only the unit that holds records sends them: one job per school, as each school starts
    // its own, all drained by the one worker side by side.
    let user = users::Entity::find()
        .filter(users::Column::Username.eq("demo-school"))
        .one(&conn)
        .await
        .expect("q")
        .expect("user");
    let schools = units::Entity::find().filter(units::Column::Kind.eq("school")).all(&conn).await.expect("schools");
    let started = Instant::now();
    let (mut jobs, mut total, mut queued) = (Vec::new(), 0i64, 0i64);
    for school in &schools {
        let caller = Caller {
            user_id: user.id,
            username: user.username.clone(),
            role: Role::School,
            unit_id: school.id,
            unit_path: school.path.clone(),
        };
        let ctx = AuditCtx::manual(&caller, None, dinhdanh_tests::pinned_instant());
        // a school with nothing to send answers so: skipped
        if let Ok(job) = verification::create_job(&conn, &caller, &ctx, JobScope::default()).await {
            total += i64::from(job.job.total);
            queued += job.totals.queued;
            jobs.push(job.job.id);
        }
    }
    println!(
        "  create {} jobs ({total} records, {queued} to send) {:>8.1} s",
        jobs.len(),
        started.elapsed().as_secs_f64()
    );

    // The worker starts with the application.
    let app = dinhdanh::startup::Application::build(settings).await.expect("app");
    let started = Instant::now();
    tokio::spawn(app.run_until_stopped());
    let done = loop {
        let rows = verification_jobs::Entity::find()
            .filter(verification_jobs::Column::Id.is_in(jobs.clone()))
            .all(&conn)
            .await
            .expect("q");
        if rows.iter().all(|r| r.status == "done") {
            break rows;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let wall = started.elapsed().as_secs_f64();
    let from = done.iter().filter_map(|j| j.started_at).min().expect("started");
    let to = done.iter().filter_map(|j| j.finished_at).max().expect("finished");
    let seconds = ((to - from).num_milliseconds() as f64 / 1000.0).max(0.001);
    let mut totals = verification::totals(&conn, jobs[0]).await.expect("totals");
    for id in &jobs[1..] {
        let t = verification::totals(&conn, *id).await.expect("totals");
        totals.verified += t.verified;
        totals.mismatched += t.mismatched;
        totals.not_found += t.not_found;
        totals.invalid += t.invalid;
        totals.error += t.error;
        totals.changed += t.changed;
        totals.skipped += t.skipped;
    }
    let sent = queued as f64;
    let calls = sim.calls();
    let ok_calls = calls.iter().filter(|c| c.status == 200).count();
    let limited = calls.iter().filter(|c| c.status == 429).count();
    let throughput = sent / seconds;
    let limit = rate * f64::from(batch);
    println!("  drain the jobs                               {seconds:>8.1} s   (wall {wall:.1} s)");
    println!(
        "  throughput: {throughput:.0} items/s = {:.1} % of the limit ({limit:.0} items/s); {:.0} calls/s; {ok_calls} calls, {limited} answered 429",
        100.0 * throughput / limit,
        ok_calls as f64 / seconds
    );
    println!(
        "  outcomes: verified {}, mismatched {}, not found {}, invalid {}, error {}, changed {}, skipped (fix before sending) {}",
        totals.verified,
        totals.mismatched,
        totals.not_found,
        totals.invalid,
        totals.error,
        totals.changed,
        totals.skipped
    );
    (seconds, throughput)
}
