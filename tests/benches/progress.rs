//! Speed of the statistics: seeds a province-sized dataset (1,000,000 students by default) into
//! a fresh database (SQLite, or PostgreSQL when `TEST_DATABASE_URL` is set), then times the
//! dashboard's calls through the real HTTP API over repeated calls and prints p50/p95. Prints
//! figures; asserts none.
//!
//! `cargo bench -p dinhdanh-tests --bench progress`
//! Environment: `BENCH_STUDENTS` (default 1000000), `BENCH_CALLS` (default 200),
//! `BENCH_DISTRICTS` (default 16), `BENCH_SCHOOLS_PER_DISTRICT` (default 40).
//!
//! The rows are generated here (minimal but complete: identity fields, statuses, findings),
//! inserted with multi-row statements in transactions, then counted with
//! `store::counters::rebuild`, as the demo seeder's bulk path does.

use std::time::{Duration, Instant};

use chrono::Days;
use dinhdanh::domain::org::{SchoolLevel, UnitKind};
use dinhdanh::store::counters::{self};
use dinhdanh::store::stats::{SnapshotMode, take_snapshot};
use dinhdanh::store::{classes, units};
use dinhdanh_tests::{TestApp, spawn_app_with};
use sea_orm::{ConnectionTrait, DbBackend, Statement, TransactionTrait, Value};
use serde_json::json;

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// xorshift64*: the same data on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn percent(&mut self) -> u64 {
        self.next() % 100
    }
}

fn numbered(backend: DbBackend, sql: &str) -> String {
    if backend != DbBackend::Postgres {
        return sql.to_owned();
    }
    let mut out = String::with_capacity(sql.len() * 2);
    let mut n = 0;
    for c in sql.chars() {
        if c == '?' {
            n += 1;
            out.push_str(&format!("${n}"));
        } else {
            out.push(c);
        }
    }
    out
}

struct Tree {
    /// `(school id, class ids)`.
    schools: Vec<(i64, Vec<i64>)>,
    school: i64,
}

async fn build_tree(app: &TestApp, districts: usize, schools_per_district: usize, classes_per_school: usize) -> Tree {
    let db = &app.store.db;
    let f = app.fixtures;
    let year = app.settings.school_year_now();
    let mut district_ids = vec![f.district_a, f.district_b];
    for d in 2..districts {
        let u = units::create(
            db,
            units::NewUnit {
                parent_id: Some(f.department),
                kind: UnitKind::District,
                code: format!("PGD-{d:02}"),
                name: format!("Phòng GDĐT số {d:02}"),
                level: None,
                province_code: Some("31".into()),
                district_code: None,
                commune_code: None,
                address: None,
                phone: Some("0225 3000 000".into()),
                email: None,
            },
        )
        .await
        .expect("district");
        district_ids.push(u.id);
    }
    let mut schools = Vec::new();
    for (d, district) in district_ids.iter().enumerate() {
        for s in 0..schools_per_district {
            let u = units::create(
                db,
                units::NewUnit {
                    parent_id: Some(*district),
                    kind: UnitKind::School,
                    code: format!("T-{d:02}-{s:03}"),
                    name: format!("Trường THCS {d:02}-{s:03}"),
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
            let txn = db.begin().await.expect("txn");
            let mut class_ids = Vec::with_capacity(classes_per_school);
            for c in 0..classes_per_school {
                let grade = 6 + (c % 4) as i32;
                let class = classes::create(
                    &txn,
                    classes::NewClass {
                        school_id: u.id,
                        school_year: year.clone(),
                        grade,
                        name: format!("{grade}A{c}"),
                    },
                )
                .await
                .expect("class");
                class_ids.push(class.id);
            }
            txn.commit().await.expect("commit");
            schools.push((u.id, class_ids));
        }
    }
    let school = schools[0].0;
    Tree { schools, school }
}

const PEOPLE_COLUMNS: &str = "kind, unit_id, class_id, full_name, date_of_birth, gender, personal_id, res_province, \
     res_commune, norm_personal_id, outcome, error_count, warning_count, fixed_count, status, mismatch_fields, \
     status_at, verified_at, version, identity_changed_at, created_at, updated_at";
const PEOPLE_COLUMN_COUNT: usize = 22;
const ROWS_PER_INSERT: usize = 1_000;
const ROWS_PER_TRANSACTION: usize = 50_000;

fn finding_json(field: &str, code: &str, severity: &str) -> String {
    format!(r#"{{"field":"{field}","code":"{code}","severity":"{severity}","message":"","params":{{}}}}"#)
}

/// Inserts `count` students spread evenly over the classes; returns the seconds it took.
async fn seed_students(app: &TestApp, tree: &Tree, count: usize) -> f64 {
    let started = Instant::now();
    let db = &app.store.db;
    let backend = db.get_database_backend();
    let classes: Vec<(i64, i64)> =
        tree.schools.iter().flat_map(|(school, cs)| cs.iter().map(move |c| (*school, *c))).collect();
    let mut rng = Rng(0x0B1E_2026);
    let now = app.clock.now();
    let earlier = now - chrono::Duration::days(30);
    let row_marks = format!("({})", vec!["?"; PEOPLE_COLUMN_COUNT].join(", "));
    let statuses = ["verified", "mismatched", "not_found", "queued", "awaiting_evidence", "error", "not_sent"];
    let mut next_id: i64 = 1;
    let first_id: i64 = {
        let row = db
            .query_one_raw(Statement::from_string(backend, "SELECT COALESCE(MAX(id), 0) FROM people".to_owned()))
            .await
            .expect("max id")
            .expect("row");
        row.try_get_by::<i64, _>(0).expect("id")
    };
    let mut done = 0;
    while done < count {
        let txn = db.begin().await.expect("txn");
        let mut in_txn = 0;
        let mut findings: Vec<(i64, &str, &str, &str)> = Vec::new();
        while in_txn < ROWS_PER_TRANSACTION && done < count {
            let n = ROWS_PER_INSERT.min(count - done).min(ROWS_PER_TRANSACTION - in_txn);
            let mut values: Vec<Value> = Vec::with_capacity(n * PEOPLE_COLUMN_COUNT);
            for i in 0..n {
                let k = done + i;
                let (school, class) = classes[k % classes.len()];
                let person_id = first_id + next_id;
                next_id += 1;
                let roll = rng.percent();
                let status = match roll {
                    0..=44 => statuses[0],
                    45..=54 => statuses[1],
                    55..=59 => statuses[2],
                    60..=64 => statuses[3],
                    65..=66 => statuses[4],
                    67..=69 => statuses[5],
                    _ => statuses[6],
                };
                let no_id = rng.percent() < 5;
                let warn = rng.percent() < 10;
                let pid = format!("0312{:02}{:06}", 10 + (k % 5), k % 1_000_000);
                let mut outcome_findings = Vec::new();
                if no_id {
                    outcome_findings.push(finding_json("personalId", "id_missing", "error"));
                    findings.push((person_id, "id_missing", "personalId", "error"));
                }
                if warn {
                    outcome_findings.push(finding_json("dateOfBirth", "dob_ambiguous", "warning"));
                    findings.push((person_id, "dob_ambiguous", "dateOfBirth", "warning"));
                }
                let mismatch = (status == "mismatched").then(|| {
                    ["dateOfBirth", "fullName", "gender", "residence", "dateOfBirth,gender"][k % 5].to_owned()
                });
                let verified_at = (status == "verified").then_some(now);
                values.extend([
                    Value::from("student"),
                    Value::from(school),
                    Value::from(class),
                    Value::from(format!("Học sinh {k}")),
                    Value::from("15/03/2014"),
                    Value::from(if k % 2 == 0 { "Nam" } else { "Nữ" }),
                    Value::from((!no_id).then(|| pid.clone())),
                    Value::from("Thành phố Hải Phòng"),
                    Value::from("Phường Lê Chân"),
                    Value::from((!no_id).then_some(pid)),
                    Value::from(format!(r#"{{"normalized":{{}},"findings":[{}]}}"#, outcome_findings.join(","))),
                    Value::from(i32::from(no_id)),
                    Value::from(i32::from(warn)),
                    Value::from(0i32),
                    Value::from(status),
                    Value::from(mismatch),
                    Value::from(Some(now)),
                    Value::from(verified_at),
                    Value::from(1i32),
                    Value::from(earlier),
                    Value::from(earlier),
                    Value::from(earlier),
                ]);
            }
            let sql = format!(
                "INSERT INTO people (id, {PEOPLE_COLUMNS}) VALUES {}",
                (0..n)
                    .map(|i| format!("({}, {}", first_id + next_id - n as i64 + i as i64, &row_marks[1..]))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            txn.execute_raw(Statement::from_sql_and_values(backend, numbered(backend, &sql), values))
                .await
                .expect("insert people");
            done += n;
            in_txn += n;
        }
        for chunk in findings.chunks(ROWS_PER_INSERT) {
            let sql = format!(
                "INSERT INTO person_findings (person_id, code, field, severity) VALUES {}",
                vec!["(?, ?, ?, ?)"; chunk.len()].join(", ")
            );
            let values: Vec<Value> = chunk
                .iter()
                .flat_map(|(id, code, field, severity)| {
                    [Value::from(*id), Value::from(*code), Value::from(*field), Value::from(*severity)]
                })
                .collect();
            txn.execute_raw(Statement::from_sql_and_values(backend, numbered(backend, &sql), values))
                .await
                .expect("insert findings");
        }
        txn.commit().await.expect("commit");
        eprint!("\r  seeded {done} students");
    }
    eprintln!();
    if backend == DbBackend::Postgres {
        // Explicit ids bypassed the sequence; move it past them, and refresh the planner's view.
        db.execute_unprepared("SELECT setval(pg_get_serial_sequence('people', 'id'), (SELECT MAX(id) FROM people))")
            .await
            .expect("sequence");
        db.execute_unprepared("ANALYZE").await.expect("analyze");
    } else {
        db.execute_unprepared("ANALYZE").await.expect("analyze");
    }
    started.elapsed().as_secs_f64()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

async fn time_calls(app: &TestApp, token: &str, label: &str, path: &str, calls: usize) {
    for _ in 0..5 {
        let res = app.get(path, token).await;
        assert_eq!(res.status, 200, "{label}: {}", res.text);
    }
    let mut times = Vec::with_capacity(calls);
    for _ in 0..calls {
        let started = Instant::now();
        let res = app.client.get(app.url(path)).bearer_auth(token).send().await.expect("request");
        let status = res.status();
        let _ = res.bytes().await.expect("body");
        times.push(started.elapsed());
        assert!(status.is_success(), "{label}: {status}");
    }
    times.sort();
    println!(
        "  {label:<44} p50 {:>8.2} ms   p95 {:>8.2} ms   max {:>8.2} ms   ({calls} calls)",
        percentile(&times, 50.0).as_secs_f64() * 1000.0,
        percentile(&times, 95.0).as_secs_f64() * 1000.0,
        times.last().copied().unwrap_or_default().as_secs_f64() * 1000.0,
    );
}

#[tokio::main]
async fn main() {
    let students: usize = env_or("BENCH_STUDENTS", 1_000_000);
    let calls: usize = env_or("BENCH_CALLS", 200);
    let districts: usize = env_or::<usize>("BENCH_DISTRICTS", 16).max(2);
    let schools_per_district: usize = env_or::<usize>("BENCH_SCHOOLS_PER_DISTRICT", 40).max(1);
    let app = spawn_app_with(|s| {
        s.stats.snapshot_interval_minutes = 0;
        s.log = "warn".into();
    })
    .await;
    let engine = if app.db.is_postgres() { "PostgreSQL" } else { "SQLite" };
    let school_count = districts * schools_per_district;
    let classes_per_school = (students / school_count / 35).max(1);
    println!(
        "statistics benchmark on {engine}: {students} students, {districts} districts, {school_count} schools, \
         {classes_per_school} classes per school (generated rows)"
    );
    let started = Instant::now();
    let tree = build_tree(&app, districts, schools_per_district, classes_per_school).await;
    println!("  unit tree and classes                        {:>8.1} s", started.elapsed().as_secs_f64());
    let seeded = seed_students(&app, &tree, students).await;
    println!("  insert students and findings                 {seeded:>8.1} s");
    let started = Instant::now();
    counters::rebuild_atomically(&app.store.db).await.expect("rebuild");
    println!("  counters::rebuild (full recount)             {:>8.2} s", started.elapsed().as_secs_f64());
    let started = Instant::now();
    let drift = counters::drift(&app.store.db).await.expect("drift");
    println!(
        "  counters::drift (recount, compare)           {:>8.2} s   ({} differences)",
        started.elapsed().as_secs_f64(),
        drift.len()
    );
    let today = app.today();
    let year = app.settings.current_school_year(today);
    let started = Instant::now();
    for n in (0..14u64).rev() {
        let day = today.checked_sub_days(Days::new(n)).expect("day");
        take_snapshot(&app.store.db, day, &year, SnapshotMode::IfMissing).await.expect("snapshot");
    }
    println!("  take_snapshot, per day (all units)           {:>8.3} s", started.elapsed().as_secs_f64() / 14.0);

    let department = app.login("department").await;
    let district = app.login("district-a").await;
    let school_students = students / school_count;
    println!("timings through HTTP (sequential calls, after 5 warm-up calls):");
    time_calls(&app, &department, "progress, department (all students)", "/api/v1/stats/progress", calls).await;
    time_calls(
        &app,
        &district,
        &format!("progress, one district (~{} students)", school_students * schools_per_district),
        "/api/v1/stats/progress",
        calls,
    )
    .await;
    time_calls(
        &app,
        &department,
        &format!("progress, one school (~{school_students})"),
        &format!("/api/v1/stats/progress?unitId={}", tree.school),
        calls,
    )
    .await;
    time_calls(&app, &department, "laggards, department (all schools)", "/api/v1/stats/laggards", calls.min(50)).await;
    time_calls(&app, &department, "reasons, department", "/api/v1/stats/reasons", calls.min(50)).await;
    time_calls(&app, &department, "timeline, department (30 days)", "/api/v1/stats/timeline", calls.min(50)).await;

    // The per-change cost: edits through the API, each moving one or two counter rows.
    // the school's own account edits its students
    dinhdanh::store::users::create(
        &app.store.db,
        dinhdanh::store::users::NewUser {
            username: "bench-school".to_owned(),
            password_hash: dinhdanh::auth::password::hash(dinhdanh_tests::PASSWORD).expect("hash"),
            role: dinhdanh::domain::access::Role::School,
            unit_id: tree.schools[0].0,
            display_name: "Trường đo".to_owned(),
        },
    )
    .await
    .expect("school account");
    let admin = app.login("bench-school").await;
    let class = tree.schools[0].1[0];
    let mut ids = Vec::new();
    for i in 0..20 {
        let created = app
            .post(
                "/api/v1/students",
                &admin,
                &json!({"classId": class, "fullName": format!("Học sinh đo {i}"), "gender": "Nam"}),
            )
            .await;
        assert_eq!(created.status, 201, "{}", created.text);
        ids.push(created.body["id"].as_i64().expect("id"));
    }
    let mut times = Vec::new();
    for round in 0..calls.min(100) {
        let id = ids[round % ids.len()];
        let body = json!({"fullName": format!("Học sinh sửa {round}")});
        let started = Instant::now();
        let res = app.patch(&format!("/api/v1/students/{id}"), &admin, &body).await;
        times.push(started.elapsed());
        assert_eq!(res.status, 200, "{}", res.text);
    }
    times.sort();
    println!(
        "  {:<44} p50 {:>8.2} ms   p95 {:>8.2} ms   ({} edits)",
        "PATCH a student (update + counters + audit)",
        percentile(&times, 50.0).as_secs_f64() * 1000.0,
        percentile(&times, 95.0).as_secs_f64() * 1000.0,
        times.len()
    );
    let drift = counters::drift(&app.store.db).await.expect("drift");
    println!("counters after the edits: {} differences from a recount", drift.len());
}
