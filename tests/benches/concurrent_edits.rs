//! Concurrent edits of one school (issue 16): seeds a school with a few thousand students
//! (3,000 by default, the demo generator's people with their ID numbers still to collect), then
//! 50 clients at once each send PATCHes of different students of that same school through the
//! real HTTP API: the ID number the school collected is added and the name, date of birth and
//! gender are set to the birth certificate's, so that every edit moves the school's statistics
//! counters (ID numbers entered, complete, clean, the `id_missing` reason, …). Prints the
//! requests, requests/s, p50/p95/p99 latency, the non-2xx answers by status (a 503
//! `unavailable` is a deadlock, a serialization failure or a lock wait the database gave up
//! on), whether the counters still equal a recount afterwards, and on PostgreSQL what the
//! sessions were waiting on while the clients ran (sampled from `pg_stat_activity`). SQLite,
//! then PostgreSQL side by side when `TEST_DATABASE_URL` is set. Prints figures; asserts none.
//!
//! The target (issue 16, step 2): on PostgreSQL, p95 ≤ 50 ms, no deadlock, counters equal a
//! recount.
//!
//! `cargo bench -p dinhdanh-tests --bench concurrent_edits`
//! Environment: `BENCH_STUDENTS` (default 3000), `BENCH_CLIENTS` (default 50),
//! `BENCH_REQUESTS` (requests per client, default 40; every request edits another student),
//! `BENCH_ORDER` (`blocks`, the default: each client edits consecutive students, a class or two,
//! as a homeroom teacher would; `interleaved`: the clients' k-th edits are neighbours, so they
//! crowd into the same class), `BENCH_SCHOOLS` (default 1; more is the control: the same edits
//! spread over that many schools, each with its own account, so that no counter row is shared),
//! `BENCH_CONNECTIONS` (the server's database pool, default the deployment's
//! `database_max_connections`), `BENCH_DATABASES` (`sqlite` or `postgres` to run only one),
//! `TEST_DATABASE_URL`.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use dinhdanh::config::Settings;
use dinhdanh::demo::generate::{self, Registry};
use dinhdanh::demo::names::NameSampler;
use dinhdanh::domain::access::{Caller, Role};
use dinhdanh::domain::org::{SchoolLevel, UnitKind};
use dinhdanh::rules::PersonKind;
use dinhdanh::store::audit::AuditCtx;
use dinhdanh::store::counters::{self, Deltas};
use dinhdanh::store::people::{self, NewPerson};
use dinhdanh::store::{begin_write, classes, units, users};
use dinhdanh_tests::{TestApp, TestDb, log_watch, spawn_app_on};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{Value, json};

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// The machine's load average (1, 5, 15 minutes), as `uptime` prints it.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".to_owned())
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// One edit: the student and the PATCH body that corrects it.
struct Edit {
    id: i64,
    body: Value,
}

/// The demo generator's lower-secondary students, planned school by planned school, with
/// unique ID numbers across every school seeded.
struct Generator {
    plan: generate::Plan,
    names: NameSampler,
    registry: Registry,
    next: usize,
    /// The planned school being handed out: its classes and the students left.
    current: (Vec<generate::PlannedClass>, std::vec::IntoIter<(usize, generate::Person)>),
}

impl Generator {
    fn new(students: usize, year_start: i32) -> Generator {
        let plan = generate::plan(u32::try_from(students * 10).unwrap_or(u32::MAX).max(20_000), 2025, year_start);
        let current = (Vec::new(), Vec::new().into_iter());
        Generator { plan, names: NameSampler::default(), registry: Registry::default(), next: 0, current }
    }

    /// Up to `n` students of the planned school being handed out (the next one when it has none
    /// left), with that school's classes (each student names its class by index).
    fn take(&mut self, n: usize) -> (Vec<generate::PlannedClass>, Vec<(usize, generate::Person)>) {
        while self.current.1.len() == 0 {
            let index = self.next;
            assert!(index < self.plan.schools.len(), "the demo plan holds fewer lower-secondary students than asked");
            self.next += 1;
            if self.plan.schools[index].unit.level == Some(SchoolLevel::Thcs) {
                let people = generate::school_people(&self.plan, index, &mut self.registry, &self.names);
                self.current = (self.plan.schools[index].classes.clone(), people.students.into_iter());
            }
        }
        (self.current.0.clone(), self.current.1.by_ref().take(n).collect())
    }
}

/// A school of the run: its id, its account's name and the edits of its students.
struct School {
    id: i64,
    username: String,
    edits: Vec<Edit>,
}

/// Seeds `count` students into `school` as its own account `username` would create them (the
/// store's create path: rules, sealing, findings, audit, counters), in classes mirroring the
/// demo's lower-secondary schools; returns one edit per student. The students are the demo
/// generator's, damage and all, with the ID number left out (still to be collected).
async fn seed(app: &TestApp, generator: &mut Generator, school: i64, username: &str, count: usize) -> Vec<Edit> {
    let db = &app.store.db;
    let year = app.settings.school_year_now();
    let account = users::by_username(db, username).await.expect("account").expect("school account");
    let unit = units::get(db, school).await.expect("school");
    let caller = Caller {
        user_id: account.id,
        username: account.username,
        role: Role::School,
        unit_id: school,
        unit_path: unit.path,
    };
    let ctx = AuditCtx::manual(&caller, Some("bench-seed".to_owned()), app.clock.now());
    let mut edits = Vec::with_capacity(count);
    while edits.len() < count {
        let (planned, students) = generator.take(count - edits.len());
        let txn = begin_write(db).await.expect("txn");
        let mut class_ids = Vec::with_capacity(planned.len());
        for class in &planned {
            let created = classes::create(
                &txn,
                classes::NewClass {
                    school_id: school,
                    school_year: year.clone(),
                    grade: class.grade,
                    name: format!("{} ({})", class.name, generator.next),
                },
            )
            .await
            .expect("class");
            class_ids.push(created.id);
        }
        let mut deltas = Deltas::default();
        for (class, person) in students {
            let mut identity = person.entered;
            identity.personal_id = None;
            let new = NewPerson {
                kind: PersonKind::Student,
                unit_id: school,
                class_id: Some(class_ids[class]),
                position: None,
                sector_code: None,
                identity,
            };
            let created = people::create_counted(&txn, &caller, &ctx, new, &mut deltas).await.expect("create");
            let truth = person.truth;
            let body = json!({
                "personalId": truth.personal_id,
                "fullName": truth.full_name,
                "dateOfBirth": truth.date_of_birth.format("%d/%m/%Y").to_string(),
                "gender": truth.gender,
            });
            // what a request carries must never show up in the server's log
            log_watch::watch().register_json(&body);
            edits.push(Edit { id: created.id, body });
        }
        deltas.write(&txn).await.expect("counters");
        txn.commit().await.expect("commit");
    }
    edits
}

/// The schools of the run, `per_school` students each: the fixture school A1 alone, or (the
/// control) A1 and `count - 1` more schools with an account each.
async fn schools(app: &TestApp, count: usize, per_school: usize) -> Vec<School> {
    let year = app.settings.school_year_now();
    let year_start: i32 = year.get(..4).and_then(|y| y.parse().ok()).expect("school year");
    let mut generator = Generator::new(per_school * count, year_start);
    let mut out = vec![(app.fixtures.school_a1, "school-a1".to_owned())];
    let hash = dinhdanh::auth::password::hash(dinhdanh_tests::PASSWORD).expect("hash");
    for n in 1..count {
        let unit = units::create(
            &app.store.db,
            units::NewUnit {
                parent_id: Some(app.fixtures.district_a),
                kind: UnitKind::School,
                code: format!("BENCH-{n:03}"),
                name: format!("Trường THCS đo {n:03}"),
                level: Some(SchoolLevel::Thcs),
                province_code: Some("31".into()),
                district_code: None,
                commune_code: None,
                address: None,
                phone: None,
                email: None,
            },
        )
        .await
        .expect("school");
        let username = format!("bench-school-{n:03}");
        users::create(
            &app.store.db,
            users::NewUser {
                username: username.clone(),
                password_hash: hash.clone(),
                role: Role::School,
                unit_id: unit.id,
                display_name: format!("Trường đo {n:03}"),
            },
        )
        .await
        .expect("school account");
        out.push((unit.id, username));
    }
    let mut seeded = Vec::with_capacity(count);
    for (id, username) in out {
        let edits = seed(app, &mut generator, id, &username, per_school).await;
        seeded.push(School { id, username, edits });
    }
    seeded
}

/// The schools' ID numbers entered, by their unit counters.
async fn ids_entered(app: &TestApp, schools: &[School]) -> i64 {
    let db = &app.store.db;
    let ids: Vec<String> = schools.iter().map(|s| s.id.to_string()).collect();
    let sql = format!(
        "SELECT CAST(COALESCE(SUM(with_personal_id), 0) AS BIGINT) FROM stat_unit_counters \
         WHERE unit_id IN ({}) AND kind = 'student'",
        ids.join(", ")
    );
    let row = db.query_one_raw(Statement::from_string(db.get_database_backend(), sql)).await.expect("query");
    row.expect("row").try_get_by::<i64, _>(0).expect("count")
}

/// What PostgreSQL's sessions of the benchmark's database were doing, sampled every few
/// milliseconds from another connection until `stop`: how often each (state, wait event,
/// statement) was seen.
async fn sample_waits(url: String, stop: Arc<AtomicBool>) -> (usize, BTreeMap<String, usize>) {
    let conn = sea_orm::Database::connect(&url).await.expect("sampler connection");
    let sql = "SELECT state, COALESCE(wait_event_type, '-'), COALESCE(wait_event, '-'), \
               LEFT(REGEXP_REPLACE(query, '\\s+', ' ', 'g'), 48) \
               FROM pg_stat_activity \
               WHERE datname = current_database() AND pid <> pg_backend_pid() \
               AND state IN ('active', 'idle in transaction')";
    let mut samples = 0;
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    while !stop.load(Ordering::Relaxed) {
        let rows = conn.query_all_raw(Statement::from_string(DbBackend::Postgres, sql.to_owned())).await;
        if let Ok(rows) = rows {
            samples += 1;
            for row in rows {
                let state: String = row.try_get_by(0).unwrap_or_default();
                let kind: String = row.try_get_by(1).unwrap_or_default();
                let event: String = row.try_get_by(2).unwrap_or_default();
                let query: String = row.try_get_by(3).unwrap_or_default();
                *seen.entry(format!("{state:<20} {kind:>9}/{event:<14} {query}")).or_default() += 1;
            }
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    conn.close().await.ok();
    (samples, seen)
}

/// What one database's run measured.
struct Figures {
    engine: &'static str,
    schools: usize,
    requests: usize,
    seconds: f64,
    p50: Duration,
    p95: Duration,
    p99: Duration,
    max: Duration,
    failures: BTreeMap<u16, usize>,
    drift: usize,
    load: String,
}

/// How a client picks its students among its school's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Order {
    /// Consecutive students (a class or two), as a homeroom teacher corrects their class.
    Blocks,
    /// Every client's k-th edit next to the others' (the clients crowd into the same class).
    Interleaved,
}

/// What a run does: the database, the students, the schools they are shared over, the clients
/// and the requests each sends.
#[derive(Debug, Clone, Copy)]
struct Run {
    students: usize,
    schools: usize,
    clients: usize,
    per_client: usize,
    order: Order,
}

async fn measure(pg: Option<&str>, run: Run) -> Figures {
    let Run { students, clients, per_client, order, .. } = run;
    let db = match pg {
        Some(url) => TestDb::postgres(url).await,
        None => TestDb::sqlite(),
    };
    let engine = if db.is_postgres() { "PostgreSQL" } else { "SQLite" };
    // the pool and HTTP workers a deployment runs with, not the tests' small ones
    let app = spawn_app_on(db, |s| {
        let defaults = Settings::default();
        s.database_max_connections = env_or("BENCH_CONNECTIONS", defaults.database_max_connections);
        s.http_workers = defaults.http_workers;
        s.stats.snapshot_interval_minutes = 0;
        s.log = "warn".into();
    })
    .await;
    let where_ = if run.schools == 1 {
        "one school".to_owned()
    } else {
        format!("{} schools (the control: no counter row shared between schools)", run.schools)
    };
    println!(
        "concurrent edits on {engine}: {students} students in {where_}, {clients} clients x {per_client} PATCHes \
         of different students ({order:?}), {} database connections",
        app.settings.database_max_connections
    );
    let started = Instant::now();
    // client c works in school c % schools, as the j-th of its school's clients
    let clients_of = |school: usize| (clients - school.min(clients)).div_ceil(run.schools);
    let per_school = students.div_ceil(run.schools).max(clients_of(0) * per_client);
    let schools = schools(&app, run.schools, per_school).await;
    println!(
        "  seed {} students (store create path)     {:>8.1} s   load average {}",
        schools.iter().map(|s| s.edits.len()).sum::<usize>(),
        started.elapsed().as_secs_f64(),
        load_average()
    );
    let mut tokens = Vec::with_capacity(schools.len());
    for school in &schools {
        tokens.push(app.login(&school.username).await);
    }
    let before = ids_entered(&app, &schools).await;
    // no two clients share a student; the clients of a school share its counter rows
    let work: Vec<(String, Vec<(i64, Value)>)> = (0..clients)
        .map(|c| {
            let (school, j) = (c % run.schools, c / run.schools);
            let edits = &schools[school].edits;
            let picked = (0..per_client)
                .map(|k| match order {
                    Order::Blocks => j * per_client + k,
                    Order::Interleaved => j + k * clients_of(school),
                })
                .map(|i| (edits[i].id, edits[i].body.clone()))
                .collect();
            (tokens[school].clone(), picked)
        })
        .collect();

    // warm-up: the HTTP and database connections, reading (not changing) students
    let warm: Vec<_> = work
        .iter()
        .map(|(token, edits)| {
            let (client, url, token) =
                (app.client.clone(), app.url(&format!("/api/v1/students/{}", edits[0].0)), token.clone());
            tokio::spawn(async move {
                let res = client.get(url).bearer_auth(token).send().await.expect("request");
                assert!(res.status().is_success(), "warm-up: {}", res.status());
            })
        })
        .collect();
    for task in warm {
        task.await.expect("warm-up");
    }

    let stop = Arc::new(AtomicBool::new(false));
    let sampler = app.db.is_postgres().then(|| tokio::spawn(sample_waits(app.db.url.clone(), stop.clone())));
    let load_at_start = load_average();
    let started = Instant::now();
    let tasks: Vec<_> = work
        .into_iter()
        .map(|(token, edits)| {
            let (client, base) = (app.client.clone(), app.address.clone());
            tokio::spawn(async move {
                let mut out = Vec::with_capacity(edits.len());
                for (id, body) in &edits {
                    let sent = Instant::now();
                    let res = client
                        .patch(format!("{base}/api/v1/students/{id}"))
                        .bearer_auth(&token)
                        .json(body)
                        .send()
                        .await
                        .expect("request");
                    let status = res.status().as_u16();
                    let text = res.text().await.unwrap_or_default();
                    out.push((sent.elapsed(), status, (status >= 300).then_some(text)));
                }
                out
            })
        })
        .collect();
    let mut times = Vec::with_capacity(clients * per_client);
    let mut failures: BTreeMap<u16, usize> = BTreeMap::new();
    let mut first_failure: BTreeMap<u16, String> = BTreeMap::new();
    for task in tasks {
        for (elapsed, status, text) in task.await.expect("client") {
            times.push(elapsed);
            if let Some(text) = text {
                *failures.entry(status).or_default() += 1;
                first_failure.entry(status).or_insert(text);
            }
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    let load = format!("{load_at_start} at the start, {} at the end", load_average());
    stop.store(true, Ordering::Relaxed);
    let waits = match sampler {
        Some(task) => Some(task.await.expect("sampler")),
        None => None,
    };
    times.sort();
    let requests = times.len();
    let figures = Figures {
        engine,
        schools: run.schools,
        requests,
        seconds,
        p50: percentile(&times, 50.0),
        p95: percentile(&times, 95.0),
        p99: percentile(&times, 99.0),
        max: times.last().copied().unwrap_or_default(),
        failures,
        drift: 0,
        load,
    };
    println!(
        "  {requests} PATCHes in {seconds:.2} s: {:.0} requests/s, p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        requests as f64 / seconds,
        ms(figures.p50),
        ms(figures.p95),
        ms(figures.p99),
        ms(figures.max)
    );
    println!("  load average {}", figures.load);
    if figures.failures.is_empty() {
        println!("  every answer 2xx");
    }
    for (status, n) in &figures.failures {
        let text = first_failure.get(status).map(String::as_str).unwrap_or_default();
        println!("  {n} answers {status}, the first: {}", text.chars().take(300).collect::<String>());
    }
    if let Some((samples, seen)) = waits {
        println!("  PostgreSQL sessions while the clients ran ({samples} samples; state, wait event, statement):");
        let mut seen: Vec<(String, usize)> = seen.into_iter().collect();
        seen.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
        for (what, n) in seen.iter().take(12) {
            println!("    {:>6.2} per sample  {what}", *n as f64 / samples.max(1) as f64);
        }
    }
    let after = ids_entered(&app, &schools).await;
    let drift = counters::drift(&app.store.db).await.expect("drift");
    println!(
        "  the schools' ID numbers entered: {before} before, {after} after ({} edits answered 2xx); \
         counters after the edits: {} differences from a recount",
        requests - figures.failures.values().sum::<usize>(),
        drift.len()
    );
    for line in drift.iter().take(5) {
        println!("    {line}");
    }
    Figures { drift: drift.len(), ..figures }
}

#[tokio::main]
async fn main() {
    let clients: usize = env_or::<usize>("BENCH_CLIENTS", 50).max(1);
    let per_client: usize = env_or::<usize>("BENCH_REQUESTS", 40).max(1);
    let run = Run {
        // every request edits another student
        students: env_or::<usize>("BENCH_STUDENTS", 3_000).max(clients * per_client),
        schools: env_or::<usize>("BENCH_SCHOOLS", 1).clamp(1, clients),
        clients,
        per_client,
        order: match std::env::var("BENCH_ORDER").as_deref() {
            Ok("interleaved") => Order::Interleaved,
            _ => Order::Blocks,
        },
    };
    let databases = dinhdanh_tests::bench_databases();
    let mut results = Vec::new();
    for pg in &databases {
        results.push(measure(pg.as_deref(), run).await);
    }
    println!(
        "side by side ({clients} clients x {per_client} PATCHes of different students, {:?}; target on PostgreSQL with \
         one school: p95 <= 50 ms, no deadlock, counters equal a recount)",
        run.order
    );
    println!(
        "  database     schools  requests  requests/s    p50 ms    p95 ms    p99 ms   non-2xx        drift   load average"
    );
    for f in &results {
        let failures = if f.failures.is_empty() {
            "none".to_owned()
        } else {
            f.failures.iter().map(|(s, n)| format!("{n}x{s}")).collect::<Vec<_>>().join(" ")
        };
        println!(
            "  {:<11} {:>8} {:>9} {:>11.0} {:>9.1} {:>9.1} {:>9.1}   {failures:<14} {:>5}   {}",
            f.engine,
            f.schools,
            f.requests,
            f.requests as f64 / f.seconds,
            ms(f.p50),
            ms(f.p95),
            ms(f.p99),
            f.drift,
            f.load
        );
    }
}
