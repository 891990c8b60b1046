//! Durable imports (issue 11, item 5): `kill -9` at random moments of an import's planning and of
//! its commit, ten trials each, against a real `dinhdanh serve` process (see `hostile`) on one
//! database that every restart reuses. After each restart the records are all-or-nothing per
//! import (a committed import created every row it planned, each with its audit rows; any other
//! left no record and no audit row; the statistics counters equal a recount), and once the
//! restarted server's sweeper has run no import is `processing`: each is `ready`, `committed` or
//! `failed`/`expired` with a reason the clerk can read, and a commit asked for with the upload
//! that the kill stopped says so on its still usable preview. The moments come from a seeded
//! generator (`KILL_SEED`, default 11): planning is killed once the import's reported progress
//! (`rowsRead`) reaches a random fraction of its rows, a commit at a random small delay after
//! the request was sent, or before it, or after its answer. Runs on SQLite, and on PostgreSQL
//! when `TEST_DATABASE_URL` is set.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::hostile::{Server, answer, server_binary, start_another, start_server_on};
use dinhdanh::store::entities::{audit_events, imports, people};
use dinhdanh_tests::{TestDb, test_settings};
use rust_xlsxwriter::Workbook;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect};
use serde_json::Value;

/// Every file goes to a background job that reports its progress every 40 ms; a dead one is
/// given up after three seconds (the sweeper looks every second).
const ENV: [(&str, &str); 3] = [
    ("APP_IMPORT__JOB_THRESHOLD_ROWS", "10"),
    ("APP_IMPORT__LEASE_SECS", "3"),
    ("APP_IMPORT__PROGRESS_INTERVAL_MS", "40"),
];

const TRIALS: usize = 10;

/// Rows of a file whose planning is killed, and of a file whose commit is. Planning counts its
/// rows by the hundred and reports every 40 ms (`ENV`): a file must take many reports to plan
/// on an idle machine, or every kill lands after it (a debug build plans about 4,000 rows a
/// second here; with the default quarter-second report, 5,000 rows were planned within one
/// report now and then).
const PLAN_ROWS: u32 = 4_000;
const COMMIT_ROWS: u32 = 1_000;

/// A small seeded generator (xorshift64*): the same moments on every run of a seed.
struct Moments(u64);

impl Moments {
    fn new() -> Moments {
        let seed = std::env::var("KILL_SEED").ok().and_then(|s| s.trim().parse().ok()).unwrap_or(11u64);
        eprintln!("KILL_SEED={seed}");
        Moments(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A fraction in `[lo, hi)`.
    fn fraction(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * ((self.next() >> 11) as f64 / (1u64 << 53) as f64)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// A grade-6 student workbook of `n` new students for class 6A: names of letters only, unique
/// within the file and across trials (the family name is the trial's).
fn workbook(trial: usize, n: u32) -> Vec<u8> {
    const FAMILY: [&str; 20] = [
        "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
        "Dương", "Lý", "Đinh", "Mai", "Trịnh", "Tạ",
    ];
    const GIVEN: [&str; 10] = ["An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Khánh", "Linh", "Minh", "Ngọc"];
    let year = chrono::Datelike::year(&dinhdanh_tests::today()) - 12;
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("6A").expect("name");
    for (c, h) in ["Họ và tên", "Ngày sinh", "Giới tính", "Lớp"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).expect("header");
    }
    for i in 1..=n {
        let digits = format!("{i:05}");
        let given: Vec<&str> = digits.bytes().map(|d| GIVEN[usize::from(d - b'0')]).collect();
        let name = format!("{} {}", FAMILY[trial % FAMILY.len()], given.join(" "));
        ws.write_string(i, 0, name).expect("name");
        ws.write_string(i, 1, format!("{:02}/{:02}/{year}", i % 28 + 1, i % 12 + 1)).expect("dob");
        ws.write_string(i, 2, if i % 2 == 0 { "Nam" } else { "Nữ" }).expect("gender");
        ws.write_string(i, 3, "6A").expect("class");
    }
    wb.save_to_buffer().expect("workbook")
}

async fn get_import(server: &Server, token: &str, id: &str) -> Option<Value> {
    let res =
        server.client().get(server.url(&format!("/api/v1/imports/{id}?pageSize=1"))).bearer_auth(token).send().await;
    let body = answer(res.ok()?).await;
    (body.status == 200).then_some(body.body)
}

/// Polls the import's state (every 20 ms, 60 s at most) until `done` holds; the last state.
async fn wait_for(server: &Server, token: &str, id: &str, what: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    let mut cadence = tokio::time::interval(Duration::from_millis(20));
    loop {
        cadence.tick().await;
        if let Some(import) = get_import(server, token, id).await
            && done(&import)
        {
            return import;
        }
        assert!(tokio::time::Instant::now() < deadline, "{what}: not within a minute");
    }
}

async fn upload(server: &Server, token: &str, query: &str, trial: usize, n: u32) -> String {
    let class = server.fixtures.class_a1_6a;
    let file = workbook(trial, n);
    // On SQLite a takeover's commit of a whole file can hold the write lock longer than the
    // upload's busy timeout on a loaded machine: the server then answers 503 with Retry-After
    // (nothing stored), and the client sends the file again, as the answer says to.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    let mut cadence = tokio::time::interval(Duration::from_millis(20));
    let res = loop {
        cadence.tick().await;
        let res =
            server.upload(token, &format!("?classId={class}{query}"), &format!("lop-6a-{trial}.xlsx"), &file).await;
        if res.status != 503 || tokio::time::Instant::now() >= deadline {
            break res;
        }
        assert_eq!(res.body["code"], "unavailable", "{}", res.text);
    };
    assert_eq!(res.status, 202, "{}", res.text);
    res.body["id"].as_str().expect("id").to_owned()
}

/// Records are all-or-nothing per import, and the statistics counters equal a recount.
/// `settled`: every import has left `processing` (after the sweeper), each with a reason where
/// it must have one.
async fn check(db: &TestDb, ids: &[String], settled: bool) -> BTreeMap<String, usize> {
    let conn: DatabaseConnection = dinhdanh::db::connect(&test_settings(&db.url)).await.expect("connect");
    let mut states = BTreeMap::new();
    let mut created_by_commits = 0u64;
    for id in ids {
        let import = imports::Entity::find_by_id(id.clone()).one(&conn).await.expect("query").expect("the import");
        let audited: Vec<Option<i64>> = audit_events::Entity::find()
            .select_only()
            .column(audit_events::Column::EntityId)
            .filter(audit_events::Column::Source.eq("import"))
            .filter(audit_events::Column::SourceRef.eq(id.as_str()))
            .filter(audit_events::Column::Action.eq("create"))
            .into_tuple()
            .all(&conn)
            .await
            .expect("audit");
        let records: std::collections::BTreeSet<i64> = audited.iter().flatten().copied().collect();
        let any_audit = audit_events::Entity::find()
            .filter(audit_events::Column::SourceRef.eq(id.as_str()))
            .count(&conn)
            .await
            .expect("count");
        let totals: Value = serde_json::from_str(&import.totals).expect("totals");
        let planned = totals["create"].as_u64().expect("create total");
        if import.status == "committed" {
            assert_eq!(records.len() as u64, planned, "import {id}: every planned row created, each audited");
            // four fields entered per row: name, date of birth, gender, class
            assert!(audited.len() as u64 >= 3 * planned, "import {id}: {} audit rows for {planned}", audited.len());
            let present = people::Entity::find()
                .filter(people::Column::Id.is_in(records.iter().copied()))
                .count(&conn)
                .await
                .expect("count");
            assert_eq!(present, planned, "import {id}: its records all there");
            created_by_commits += planned;
        } else {
            assert_eq!(any_audit, 0, "import {id} is {}: nothing of it audited", import.status);
        }
        match import.status.as_str() {
            "committed" | "ready" => {}
            "failed" | "expired" => {
                let reason: Value = serde_json::from_str(import.error.as_deref().unwrap_or("null")).expect("reason");
                assert!(
                    reason["message"].as_str().is_some_and(|m| m.contains("tải tệp lên lại")),
                    "import {id} is {} without a reason the clerk can act on: {reason}",
                    import.status
                );
            }
            "processing" if !settled => {}
            other => panic!("import {id} is {other} after the restart"),
        }
        if settled && import.status == "ready" && import.commit_requested {
            let reason: Value = serde_json::from_str(import.error.as_deref().unwrap_or("null")).expect("reason");
            assert!(
                reason["code"] == "commit_interrupted" || reason["code"] == "commit_failed",
                "import {id}: a commit asked for with the upload neither happened nor says why: {reason}"
            );
        }
        *states.entry(import.status.clone()).or_default() += 1;
    }
    // no record without its committed import: the database held none before the trials
    let everyone = people::Entity::find().count(&conn).await.expect("count");
    assert_eq!(everyone, created_by_commits, "records outside every committed import");
    let drift = dinhdanh::store::counters::drift(&conn).await.expect("drift");
    assert!(drift.is_empty(), "statistics counters drifted: {drift:?}");
    conn.close().await.ok();
    states
}

/// Waits until no import is `processing` and each uploaded with `?commit=true` (`with_commit`)
/// has been committed or says why not; each import's status.
async fn wait_settled(
    server: &Server,
    token: &str,
    ids: &[String],
    with_commit: &[String],
) -> BTreeMap<String, String> {
    let mut each = BTreeMap::new();
    for id in ids {
        let commits = with_commit.contains(id);
        let settled = wait_for(server, token, id, "the sweeper settles the import", |i| {
            i["status"] != "processing" && !(commits && i["status"] == "ready" && i["error"].is_null())
        })
        .await;
        each.insert(id.clone(), settled["status"].as_str().unwrap_or_default().to_owned());
    }
    each
}

/// Restarts on the same database and waits (bounded) until the sweeper has settled every import
/// (and, for those uploaded with `?commit=true`, until a preview taken over has been committed or
/// says why not); the counts per status, and each import's status.
async fn settle(
    binary: &std::path::Path,
    db: TestDb,
    ids: &[String],
    with_commit: &[String],
) -> (BTreeMap<String, usize>, BTreeMap<String, String>) {
    let server = start_server_on(binary, db, &ENV, false).await;
    let token = server.login("school-a1").await;
    let each = wait_settled(&server, &token, ids, with_commit).await;
    // and the list says so, each failed or expired one with its reason
    let res =
        server.client().get(server.url("/api/v1/imports?limit=100")).bearer_auth(&token).send().await.expect("list");
    let list = answer(res).await;
    for item in list.body["items"].as_array().expect("items") {
        assert_ne!(item["status"], "processing", "{item}");
        if item["status"] == "failed" || item["status"] == "expired" {
            assert!(item["error"].as_str().is_some_and(|e| !e.is_empty()), "listed without its reason: {item}");
        }
    }
    (check(&server.crash(), ids, true).await, each)
}

#[tokio::test]
async fn kill_9_while_planning_leaves_every_import_ready_committed_or_failed_and_records_all_or_nothing() {
    let binary = server_binary();
    let mut moments = Moments::new();
    let mut server = start_server_on(&binary, TestDb::fresh().await, &ENV, true).await;
    let mut ids = Vec::new();
    let mut killed_planning = Vec::new();
    let mut committing = Vec::new();
    for trial in 0..TRIALS {
        let token = server.login("school-a1").await;
        // every third file asks for its commit with the upload, as a script would
        let with_commit = trial % 3 == 2;
        let id = upload(&server, &token, if with_commit { "&commit=true" } else { "" }, trial, PLAN_ROWS).await;
        ids.push(id.clone());
        if with_commit {
            committing.push(id.clone());
        }
        // killed once the reported progress reaches a random fraction of the rows (or it is
        // done); a file that asked for its commit, past its planning: while it commits, or after
        let fraction = moments.fraction(0.05, if with_commit { 1.5 } else { 0.95 });
        let at = (fraction * f64::from(PLAN_ROWS)) as i64;
        let seen = wait_for(&server, &token, &id, "planning progress", |i| {
            i["status"] != "processing" || i["rowsRead"].as_i64().unwrap_or(0) >= at
        })
        .await;
        let late = if fraction >= 1.0 { moments.below(1_500) } else { 0 };
        tokio::time::sleep(Duration::from_millis(late)).await;
        let db = server.crash();
        eprintln!(
            "trial {trial}: killed at {} of {PLAN_ROWS} rows ({}, aimed at {at}, {late} ms later)",
            seen["rowsRead"], seen["status"]
        );
        if seen["status"] == "processing" {
            killed_planning.push(id.clone());
        }
        check(&db, &ids, false).await;
        server = start_server_on(&binary, db, &ENV, false).await;
        // the restarted server first takes over what the kill left (on SQLite a whole file's
        // commit holds the write lock longer than an upload waits for it)
        let token = server.login("school-a1").await;
        wait_settled(&server, &token, &ids, &committing).await;
    }
    let (states, each) = settle(&binary, server.crash(), &ids, &committing).await;
    eprintln!("after the restarts: {states:?}");
    // a planning killed part-way is taken over by the restarted server from the kept file (a
    // file killed again while taken over, twice, ends `failed` with its reason, checked above)
    assert!(!killed_planning.is_empty(), "some kill landed while planning: {states:?}");
    let taken_over: Vec<&String> =
        killed_planning.iter().filter(|id| matches!(each[*id].as_str(), "ready" | "committed")).collect();
    assert!(!taken_over.is_empty(), "no planning killed part-way was taken over: {each:?}");
}

/// Two instances on one database (issue 16, step 3): the one planning a background import that
/// asked for its commit is killed (`kill -9`) part-way; the other takes the planning over from
/// the kept file and commits it. Every row is created exactly once, each audited, the counters
/// equal a recount, and the kept file is deleted.
#[tokio::test]
async fn of_two_instances_the_survivor_takes_over_a_killed_ones_import_and_commits_it_once() {
    use dinhdanh::store::entities::import_uploads;
    let binary = server_binary();
    let first = start_server_on(&binary, TestDb::fresh().await, &ENV, true).await;
    let second = start_another(&binary, &first, &ENV);
    let token = first.login("school-a1").await;
    let id = upload(&first, &token, "&commit=true", 0, PLAN_ROWS).await;
    let seen = wait_for(&first, &token, &id, "planning progress", |i| {
        i["status"] != "processing" || i["rowsRead"].as_i64().unwrap_or(0) > 0
    })
    .await;
    let db = first.crash();
    assert_eq!(seen["status"], "processing", "killed while planning: {seen}");
    let token = second.login("school-a1").await;
    let done = wait_for(&second, &token, &id, "the survivor commits the import", |i| {
        i["status"] != "processing" && i["status"] != "ready"
    })
    .await;
    assert_eq!(done["status"], "committed", "{done}");
    assert_eq!(done["totals"]["create"], PLAN_ROWS, "{done}");
    assert!(
        second.log_lines().iter().any(|l| l.contains("planning taken over") && l.contains(&id)),
        "the survivor says it took the planning over"
    );
    drop(second);
    check(&db, std::slice::from_ref(&id), true).await;
    let conn: DatabaseConnection = dinhdanh::db::connect(&test_settings(&db.url)).await.expect("connect");
    assert_eq!(import_uploads::Entity::find().count(&conn).await.expect("count"), 0, "the kept file is deleted");
    conn.close().await.ok();
}

#[tokio::test]
async fn kill_9_around_a_commit_leaves_the_records_all_or_nothing() {
    let binary = server_binary();
    let mut moments = Moments::new();
    let mut server = start_server_on(&binary, TestDb::fresh().await, &ENV, true).await;
    let mut ids = Vec::new();
    let mut commit_ms = 400u64;
    let mut in_flight = None;
    for trial in 0..TRIALS {
        let token = server.login("school-a1").await;
        let id = upload(&server, &token, "", trial, COMMIT_ROWS).await;
        ids.push(id.clone());
        // (a sweeper that took a busy machine's planning for dead is overruled when it ends)
        wait_for(&server, &token, &id, "the preview", |i| i["status"] == "ready").await;
        // killed before the request (trial 0), after its answer (trial 1), else at a random
        // small delay after it was sent, over about twice as long as a commit takes here
        let moment = match trial {
            0 => "before".to_owned(),
            1 => {
                let started = tokio::time::Instant::now();
                let res = server
                    .client()
                    .post(server.url(&format!("/api/v1/imports/{id}/commit")))
                    .bearer_auth(&token)
                    .send()
                    .await
                    .expect("commit");
                let res = answer(res).await;
                assert_eq!((res.status, res.body["status"].clone()), (200, "committed".into()), "{}", res.text);
                commit_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX).max(50);
                format!("after its answer ({commit_ms} ms)")
            }
            _ => {
                let request = server
                    .client()
                    .post(server.url(&format!("/api/v1/imports/{id}/commit")))
                    .bearer_auth(&token)
                    .send();
                // the request stays open until the kill: a client that hangs up is not the test
                let sent = tokio::spawn(request);
                let delay = moments.below(2 * commit_ms);
                tokio::time::sleep(Duration::from_millis(delay)).await;
                in_flight = Some(sent);
                format!("{delay} ms after the request")
            }
        };
        let db = server.crash();
        if let Some(sent) = in_flight.take() {
            let _ = sent.await;
        }
        let states = check(&db, &ids, false).await;
        eprintln!("trial {trial}: killed {moment}: {states:?}");
        server = start_server_on(&binary, db, &ENV, false).await;
    }
    let (states, _) = settle(&binary, server.crash(), &ids, &[]).await;
    eprintln!("after the restarts: {states:?}");
    assert!(states.get("committed").copied().unwrap_or(0) > 0, "some commit went through: {states:?}");
    assert!(states.get("ready").copied().unwrap_or(0) > 0, "some commit was stopped: {states:?}");
}

/// The sweeper's side of a stopped commit, on the pinned clock: a preview whose commit was asked
/// for with the upload but never written (its server stopped between the plan and the commit)
/// says so once the lease has passed, is listed with that reason, can still be committed (which
/// clears it), and a preview nobody confirms expires with its reason.
#[tokio::test]
async fn a_requested_commit_that_never_happened_says_why_and_the_preview_stays_usable() {
    use sea_orm::sea_query::Expr;
    let app = dinhdanh_tests::spawn_app_with(|s| s.import.lease_secs = 60).await;
    let token = app.login("school-a1").await;
    let stopped = crate::three_way::upload(&app, &token, &workbook(0, 5)).await;
    let left = crate::three_way::upload(&app, &token, &workbook(1, 5)).await;
    let stopped_id = stopped["id"].as_str().expect("id");
    // as a server killed after planning `?commit=true` leaves it
    imports::Entity::update_many()
        .col_expr(imports::Column::CommitRequested, Expr::value(true))
        .filter(imports::Column::Id.eq(stopped_id))
        .exec(&app.store.db)
        .await
        .expect("commit requested");
    let sweep = || dinhdanh::store::imports::sweep(&app.store.db, &app.clock, &app.settings.import);

    // within the lease the commit may still be running: nothing is said
    assert_eq!(sweep().await.expect("sweep").interrupted, 0);
    app.clock.advance(chrono::Duration::seconds(61));
    assert_eq!(sweep().await.expect("sweep").interrupted, 1);
    assert_eq!(sweep().await.expect("sweep").interrupted, 0, "said once");
    let list = app.get("/api/v1/imports", &token).await;
    let item = |id: &str| {
        list.body["items"].as_array().expect("items").iter().find(|i| i["id"] == id).cloned().expect("listed")
    };
    let listed = item(stopped_id);
    assert_eq!(listed["status"], "ready", "{listed}");
    let reason = listed["error"].as_str().unwrap_or("");
    assert!(reason.contains("chưa có hồ sơ nào được ghi") && reason.contains("Ghi vào hệ thống"), "{listed}");
    assert_eq!(item(left["id"].as_str().expect("id"))["error"], Value::Null, "a preview nobody asked to commit");
    assert_eq!(
        app.get(&format!("/api/v1/students?classId={}", app.fixtures.class_a1_6a), &token).await.body["total"],
        0,
        "nothing written"
    );

    // the clerk commits it from the preview: written, and the reason is gone
    let committed = crate::three_way::commit(&app, &token, &stopped, serde_json::json!({})).await;
    assert_eq!((committed["totals"]["create"].clone(), committed["error"].clone()), (5.into(), Value::Null));

    // the other one, never confirmed, expires a week on, with its reason
    app.clock.advance(chrono::Duration::days(8));
    assert_eq!(sweep().await.expect("sweep").expired, 1);
    let expired = app.get(&format!("/api/v1/imports/{}", left["id"].as_str().expect("id")), &token).await;
    assert_eq!(expired.body["status"], "expired", "{}", expired.text);
    assert!(expired.body["error"].as_str().is_some_and(|e| e.contains("hết hạn")), "{}", expired.text);
}
