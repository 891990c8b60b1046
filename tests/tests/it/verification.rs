//! Verification against the national population database, end to end against the registry
//! simulator: every outcome with per-field reasons, pre-flight skips, the resubmit loop,
//! accepting the registry's values, 429/5xx/timeouts/outage/malformed answers, a record edited
//! mid-flight, cancel, and two instances on one database in one process (processes killed
//! mid-job: `instances`).

use std::collections::HashMap;
use std::time::Duration;

use dinhdanh::config::{RegistrySimSettings, Settings};
use dinhdanh::registry::population::{Population, TruthRow};
use dinhdanh::registry::sim::{self, SimHandle};
use dinhdanh::store::entities::{people, verification_batches, verification_history, verification_job_items};
use dinhdanh_tests::{TestApp, TestDb, spawn_app_on, test_settings};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

/// A registry simulator with its own population beside the test database, and the app
/// pointed at it.
pub(crate) struct Env {
    pub(crate) app: TestApp,
    pub(crate) sim: SimHandle,
    pub(crate) token: String,
}

pub(crate) async fn sim_on(url: &str, adjust: impl FnOnce(&mut RegistrySimSettings)) -> SimHandle {
    let population = population_of(url).await;
    let mut s = RegistrySimSettings { bind: "127.0.0.1:0".to_owned(), ..RegistrySimSettings::default() };
    adjust(&mut s);
    sim::spawn(population, s).expect("simulator")
}

/// The simulator's population that belongs to the test database at `url`.
async fn population_of(url: &str) -> Population {
    Population::open(&test_settings(url).registry_sim.database_url).await.expect("population")
}

/// Client settings that keep tests quick: short polls and backoffs, no rate limit.
pub(crate) fn fast(s: &mut Settings, sim_url: &str) {
    let r = &mut s.registry;
    r.base_url = sim_url.to_owned();
    r.poll_interval_ms = 25;
    r.backoff_base_ms = 20;
    r.backoff_max_ms = 200;
    r.rate_limit_per_sec = 0.0;
    r.timeout_ms = 1_500;
    r.lease_secs = 10;
    r.breaker_failure_threshold = 5;
    r.breaker_open_secs = 1;
    r.max_retries = 3;
    r.max_attempts = 5;
}

pub(crate) async fn env_with(
    sim_adjust: impl FnOnce(&mut RegistrySimSettings),
    adjust: impl FnOnce(&mut Settings),
) -> Env {
    let db = TestDb::fresh().await;
    let sim = sim_on(&db.url, sim_adjust).await;
    let url = sim.url.clone();
    let app = spawn_app_on(db, |s| {
        fast(s, &url);
        adjust(s);
    })
    .await;
    let token = app.login("school-a1").await;
    Env { app, sim, token }
}

pub(crate) async fn env() -> Env {
    env_with(|_| {}, |_| {}).await
}

pub(crate) fn year_start(app: &TestApp) -> i32 {
    let year = app.settings.school_year_now();
    year[..4].parse().expect("year")
}

/// A clean grade-6 student of class 6A, school A1 (no error findings).
pub(crate) async fn student(e: &Env, seq: u32, name: &str) -> i64 {
    student_in(e, e.app.fixtures.class_a1_6a, seq, name).await
}

pub(crate) async fn student_in(e: &Env, class_id: i64, seq: u32, name: &str) -> i64 {
    let birth_year = year_start(&e.app) - 11;
    let body = json!({
        "fullName": name,
        "dateOfBirth": format!("15/03/{birth_year}"),
        "gender": "Nam",
        "personalId": format!("0312{:02}{:06}", birth_year % 100, seq),
        "residence": {"province": "Thành phố Hải Phòng", "commune": "Phường Lê Chân"}
    });
    let created = e.app.create_student(&e.token, class_id, body).await;
    assert_eq!(created["quality"]["errors"], 0, "{created}");
    created["id"].as_i64().expect("id")
}

async fn row(app: &TestApp, id: i64) -> people::Model {
    people::Entity::find_by_id(id).one(&app.store.db).await.expect("query").expect("row")
}

/// The registry's truth equal to what the record holds now.
pub(crate) async fn truth_of(app: &TestApp, id: i64) -> TruthRow {
    let p = row(app, id).await;
    TruthRow {
        personal_id: dinhdanh::store::people::norm_personal_id_of(&p).expect("opens").expect("id"),
        full_name: p.norm_full_name.expect("name"),
        date_of_birth: p.norm_dob.expect("dob").format("%Y-%m-%d").to_string(),
        gender: p.norm_gender.expect("gender"),
        province_code: p.res_new_province_code,
        commune_code: p.res_new_commune_code,
    }
}

pub(crate) async fn add_truth(app: &TestApp, rows: Vec<TruthRow>) {
    population_of(&app.db.url).await.insert_many(rows).await.expect("truth");
}

/// Registers the record with the registry exactly as it is.
pub(crate) async fn registered(e: &Env, id: i64) {
    let t = truth_of(&e.app, id).await;
    add_truth(&e.app, vec![t]).await;
}

pub(crate) async fn start_job(e: &Env, body: Value) -> Value {
    let res = e.app.post("/api/v1/verification-jobs", &e.token, &body).await;
    assert_eq!(res.status, 202, "{}", res.text);
    assert!(res.headers.get("location").is_some());
    res.body
}

/// The job as the API shows it once `until` holds, re-read each time the worker signals.
pub(crate) async fn wait_job(e: &Env, id: i64, until: impl Fn(&Value) -> bool) -> Value {
    e.app
        .wait_for_worker("the job's state", || async {
            let res = e.app.get(&format!("/api/v1/verification-jobs/{id}"), &e.token).await;
            assert_eq!(res.status, 200, "{}", res.text);
            until(&res.body).then_some(res.body)
        })
        .await
}

pub(crate) fn finished(job: &Value) -> bool {
    job["status"] == "done" || job["status"] == "cancelled"
}

pub(crate) async fn run_job(e: &Env, body: Value) -> Value {
    let job = start_job(e, body).await;
    wait_job(e, job["id"].as_i64().expect("id"), finished).await
}

pub(crate) fn jid(job: &Value) -> i64 {
    job["id"].as_i64().expect("id")
}

pub(crate) async fn assert_counters_in_step(app: &TestApp) {
    let drift = dinhdanh::store::counters::drift(&app.store.db).await.expect("drift");
    assert!(drift.is_empty(), "statistics counters drifted: {drift:?}");
}

#[tokio::test]
async fn every_outcome_with_per_field_reasons_and_pre_flight_skips() {
    let e = env().await;
    let matched = student(&e, 1, "Nguyễn Văn An").await;
    let name = student(&e, 2, "Nguyễn Văn Bình").await;
    let dob = student(&e, 3, "Trần Văn Cường").await;
    let gender = student(&e, 4, "Lê Văn Dũng").await;
    let residence = student(&e, 5, "Phạm Văn Đức").await;
    let unknown = student(&e, 6, "Hoàng Văn Giang").await;
    let no_id = e
        .app
        .create_student(&e.token, e.app.fixtures.class_a1_6a, json!({"fullName": "Vũ Thị Hạnh", "gender": "Nữ"}))
        .await["id"]
        .as_i64()
        .expect("id");
    let verified_before = student(&e, 8, "Đỗ Văn Khoa").await;
    e.app.set_status(verified_before, "verified", &[]).await;

    registered(&e, matched).await;
    let mut t = truth_of(&e.app, name).await;
    t.full_name = "Nguyễn Văn Bính".into();
    let mut d = truth_of(&e.app, dob).await;
    d.date_of_birth = "2014-03-15".into();
    let mut g = truth_of(&e.app, gender).await;
    g.gender = "Nữ".into();
    let mut r = truth_of(&e.app, residence).await;
    r.province_code = Some("01".into());
    r.commune_code = Some("00004".into());
    add_truth(&e.app, vec![t, d, g, r]).await;

    let job = start_job(&e, json!({})).await;
    assert_eq!(job["status"], "queued", "{job}");
    assert_eq!(job["total"], 7, "the verified record is not sent again: {job}");
    assert_eq!(job["totals"]["skipped"], 1);
    let skipped = &job["fixBeforeSending"][0];
    assert_eq!(skipped["personId"], no_id);
    assert_eq!(skipped["message"], "Sửa trước khi gửi");
    let codes: Vec<&str> = skipped["codes"].as_array().expect("codes").iter().filter_map(Value::as_str).collect();
    assert!(codes.contains(&"id_missing") && codes.contains(&"dob_missing"), "{codes:?}");
    assert_eq!(row(&e.app, matched).await.status, "queued");

    let job = wait_job(&e, jid(&job), finished).await;
    assert_eq!(job["status"], "done", "{job}");
    assert_eq!(
        job["totals"],
        json!({"queued": 0, "verified": 1, "mismatched": 4, "notFound": 1, "invalid": 0, "error": 0,
               "changed": 0, "skipped": 1, "cancelled": 0})
    );
    assert_eq!(job["progress"], json!({"done": 7, "total": 7, "percent": 100.0}));
    assert!(job["startedAt"].is_string() && job["finishedAt"].is_string());

    let p = row(&e.app, matched).await;
    assert_eq!(p.status, "verified");
    assert!(p.verified_at.is_some());
    for (id, field) in [(name, "fullName"), (dob, "dateOfBirth"), (gender, "gender"), (residence, "residence")] {
        let p = row(&e.app, id).await;
        assert_eq!(p.status, "mismatched", "{field}");
        assert_eq!(p.mismatch_fields.as_deref(), Some(field));
    }
    assert_eq!(row(&e.app, unknown).await.status, "not_found");
    assert_eq!(row(&e.app, no_id).await.status, "not_sent", "skipped records are not touched");

    // The record shows the registry's value beside ours, and keeps its history.
    let shown = e.app.get(&format!("/api/v1/students/{name}"), &e.token).await;
    assert_eq!(shown.body["status"], "mismatched");
    assert_eq!(shown.body["mismatchFields"], json!(["fullName"]));
    assert_eq!(shown.body["registryValues"], json!({"fullName": "Nguyễn Văn Bính"}));
    let history = e.app.get(&format!("/api/v1/students/{name}/verifications"), &e.token).await;
    assert_eq!(history.status, 200, "{}", history.text);
    let entry = &history.body["items"][0];
    assert_eq!(entry["outcome"], "mismatched");
    assert_eq!(entry["fields"], json!(["fullName"]));
    assert_eq!(entry["applied"], true);
    assert_eq!(entry["jobId"], jid(&job));
    assert_eq!(entry["sentValues"]["fullName"], "Nguyễn Văn Bình");
    assert_eq!(entry["sentValues"]["personalId"].as_str().map(str::len), Some(12), "full for the school");
    let dob_shown = e.app.get(&format!("/api/v1/students/{dob}"), &e.token).await;
    assert_eq!(dob_shown.body["registryValues"]["dateOfBirth"], "2014-03-15");
    let res_shown = e.app.get(&format!("/api/v1/students/{residence}"), &e.token).await;
    assert_eq!(res_shown.body["registryValues"]["residence"]["provinceCode"], "01");

    // A district office reads the job and the history with the ID number masked.
    let district = e.app.login("district-a").await;
    let list = e.app.get("/api/v1/verification-jobs", &district).await;
    assert_eq!(list.body["total"], 1, "{}", list.text);
    assert_eq!(list.body["items"][0]["id"], jid(&job));
    assert!(list.body["items"][0].get("fixBeforeSending").is_none());
    let masked = e.app.get(&format!("/api/v1/students/{name}/verifications"), &district).await;
    assert!(masked.body["items"][0]["sentValues"]["personalId"].as_str().is_some_and(|p| p.contains('*')));
    // Another school sees neither.
    let other = e.app.login("school-b1").await;
    e.app.get(&format!("/api/v1/verification-jobs/{}", jid(&job)), &other).await.assert_problem(404, "not_found");
    e.app
        .get(&format!("/api/v1/verification-jobs/{}/items?outcome=mismatched", jid(&job)), &other)
        .await
        .assert_problem(404, "not_found");
    assert_eq!(e.app.get("/api/v1/verification-jobs", &other).await.body["total"], 0);

    // Each total links to its records (the jobs page's result tags), with their status now.
    let items = |outcome: &str, extra: &str| {
        let path = format!("/api/v1/verification-jobs/{}/items?outcome={outcome}{extra}", jid(&job));
        let token = e.token.clone();
        let app = &e.app;
        async move { app.get(&path, &token).await }
    };
    let mismatched = items("mismatched", "").await;
    assert_eq!(mismatched.status, 200, "{}", mismatched.text);
    assert_eq!(mismatched.body["total"], 4);
    let ids: Vec<i64> =
        mismatched.body["items"].as_array().expect("items").iter().filter_map(|i| i["personId"].as_i64()).collect();
    assert_eq!(ids, vec![name, dob, gender, residence], "in the order they were queued");
    assert_eq!(mismatched.body["items"][0]["fullName"], "Nguyễn Văn Bình");
    assert_eq!(mismatched.body["items"][0]["statusNow"], "mismatched");
    assert_eq!(mismatched.body["items"][0]["kind"], "student");
    let second_page = items("mismatched", "&page=2&pageSize=3").await;
    assert_eq!(second_page.body["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(second_page.body["items"][0]["personId"], residence);
    for (outcome, expected) in [("verified", vec![matched]), ("notFound", vec![unknown]), ("skipped", vec![no_id])] {
        let got = items(outcome, "").await;
        let ids: Vec<i64> =
            got.body["items"].as_array().expect("items").iter().filter_map(|i| i["personId"].as_i64()).collect();
        assert_eq!(ids, expected, "{outcome}");
    }
    for outcome in ["queued", "invalid", "error", "changed", "cancelled"] {
        assert_eq!(items(outcome, "").await.body["total"], 0, "{outcome}");
    }
    items("sent", "").await.assert_problem(400, "invalid_query");

    // Each item was processed once, and the statistics counted every change.
    assert!(e.sim.processed_counts().values().all(|n| *n == 1));
    assert_eq!(e.sim.processed_counts().len(), 6);
    assert_counters_in_step(&e.app).await;
}

#[tokio::test]
async fn resubmit_loop_fix_then_verify_again() {
    let e = env().await;
    let id = student(&e, 11, "Nguyễn Thị Lan").await;
    let mut t = truth_of(&e.app, id).await;
    t.date_of_birth = format!("{}-03-16", year_start(&e.app) - 11);
    add_truth(&e.app, vec![t]).await;
    run_job(&e, json!({"classId": e.app.fixtures.class_a1_6a})).await;
    let p = row(&e.app, id).await;
    assert_eq!((p.status.as_str(), p.mismatch_fields.as_deref()), ("mismatched", Some("dateOfBirth")));

    // The school fixes the date: the record is a new request, not verified yet.
    let fixed = e
        .app
        .patch(
            &format!("/api/v1/students/{id}"),
            &e.token,
            &json!({"dateOfBirth": format!("16/03/{}", year_start(&e.app) - 11)}),
        )
        .await;
    assert_eq!(fixed.body["status"], "not_sent", "{}", fixed.text);
    let job = run_job(&e, json!({})).await;
    assert_eq!(job["totals"]["verified"], 1, "{job}");
    assert_eq!(row(&e.app, id).await.status, "verified");

    // Editing a verified record's identity resets it; a job by default leaves verified ones alone.
    let edited = e
        .app
        .patch(
            &format!("/api/v1/students/{id}"),
            &e.token,
            &json!({"fullName": "Nguyễn Thị Lân", "confirmVerifiedChanges": true}),
        )
        .await;
    assert_eq!(edited.body["status"], "not_sent", "{}", edited.text);
    let history = e.app.get(&format!("/api/v1/students/{id}/verifications"), &e.token).await;
    let outcomes: Vec<&str> =
        history.body["items"].as_array().expect("items").iter().filter_map(|i| i["outcome"].as_str()).collect();
    assert_eq!(outcomes, vec!["matched", "mismatched"], "newest first");
    assert_counters_in_step(&e.app).await;
}

#[tokio::test]
async fn accepting_registry_values_is_audited_and_sent_again() {
    let e = env().await;
    let one = student(&e, 21, "Nguyễn Văn Hoà").await;
    let mut t = truth_of(&e.app, one).await;
    t.full_name = "Nguyễn Văn Hòa Bình".into();
    t.gender = "Nữ".into();
    add_truth(&e.app, vec![t]).await;
    run_job(&e, json!({})).await;
    assert_eq!(row(&e.app, one).await.mismatch_fields.as_deref(), Some("fullName,gender"));

    let res = e.app.post(&format!("/api/v1/students/{one}/accept-registry-values"), &e.token, &json!({})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["person"]["fullName"], "Nguyễn Văn Hòa Bình");
    assert_eq!(res.body["person"]["gender"], "Nữ");
    assert_eq!(res.body["person"]["status"], "queued", "re-queued");
    assert!(res.body["person"]["registryValues"].is_null());
    let job = wait_job(&e, jid(&res.body["job"]), finished).await;
    assert_eq!(job["totals"]["verified"], 1, "{job}");
    assert_eq!(row(&e.app, one).await.status, "verified");

    // The change is audited field by field with source "registry".
    let audit = e.app.get(&format!("/api/v1/students/{one}/history"), &e.token).await;
    let from_registry: Vec<(&str, &str)> = audit.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|i| i["source"] == "registry" && i["action"] == "update" && i["field"] != "status")
        .map(|i| (i["field"].as_str().unwrap_or(""), i["newValue"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(from_registry, vec![("fullName", "Nguyễn Văn Hòa Bình"), ("gender", "Nữ")]);
    assert!(
        audit.body["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|i| i["field"] == "status" && i["newValue"] == "verified" && i["source"] == "registry")
    );

    // Nothing to accept on a verified record; another school cannot accept.
    e.app
        .post(&format!("/api/v1/students/{one}/accept-registry-values"), &e.token, &json!({}))
        .await
        .assert_problem(409, "conflict");

    // In bulk for a class.
    let a = student_in(&e, e.app.fixtures.class_a1_6b, 22, "Trần Văn Tâm").await;
    let b = student_in(&e, e.app.fixtures.class_a1_6b, 23, "Trần Văn Tú").await;
    let mut ta = truth_of(&e.app, a).await;
    ta.full_name = "Trần Văn Tám".into();
    let mut tb = truth_of(&e.app, b).await;
    tb.date_of_birth = format!("{}-01-02", year_start(&e.app) - 11);
    add_truth(&e.app, vec![ta, tb]).await;
    run_job(&e, json!({"classId": e.app.fixtures.class_a1_6b})).await;
    let other = e.app.login("school-b1").await;
    e.app
        .post(&format!("/api/v1/students/{a}/accept-registry-values"), &other, &json!({}))
        .await
        .assert_problem(404, "not_found");
    let bulk = e
        .app
        .post("/api/v1/verification/accept-registry-values", &e.token, &json!({"classId": e.app.fixtures.class_a1_6b}))
        .await;
    assert_eq!(bulk.status, 200, "{}", bulk.text);
    assert_eq!(bulk.body["accepted"], 2);
    let job = wait_job(&e, jid(&bulk.body["job"]), finished).await;
    assert_eq!(job["totals"]["verified"], 2, "{job}");
    assert_eq!(
        row(&e.app, b).await.date_of_birth.as_deref(),
        Some(format!("02/01/{}", year_start(&e.app) - 11).as_str())
    );
    assert_counters_in_step(&e.app).await;
}

#[tokio::test]
async fn rate_limits_are_honoured_with_retry_after() {
    let e = env_with(|s| s.retry_after_secs = 1, |_| {}).await;
    let id = student(&e, 31, "Ngô Văn Lợi").await;
    registered(&e, id).await;
    e.sim.rate_limit_next(1);
    let job = run_job(&e, json!({})).await;
    assert_eq!(job["totals"]["verified"], 1, "{job}");
    let calls = e.sim.calls();
    assert_eq!(calls.iter().map(|c| c.status).collect::<Vec<_>>(), vec![429, 200]);
    let waited = calls[1].at - calls[0].at;
    assert!(waited >= Duration::from_millis(950), "Retry-After: 1 honoured, waited {waited:?}");
    assert_eq!(calls[0].idempotency_key, calls[1].idempotency_key, "a retry is the same call");
}

#[tokio::test]
async fn server_errors_and_timeouts_are_retried_without_processing_twice() {
    let e = env_with(|s| s.timeout_ms = 2_000, |s| s.registry.timeout_ms = 400).await;
    let ids = [student(&e, 41, "Lý Văn Minh").await, student(&e, 42, "Lý Văn Nam").await];
    for id in ids {
        registered(&e, id).await;
    }
    e.sim.fail_next(2);
    e.sim.timeout_next(1);
    let job = run_job(&e, json!({})).await;
    assert_eq!(job["totals"]["verified"], 2, "{job}");
    let statuses: Vec<u16> = e.sim.calls().iter().map(|c| c.status).collect();
    assert_eq!(&statuses[..2], &[500, 500], "{statuses:?}");
    // The call that hung was processed; its retry got the stored answer back.
    let calls = e.sim.calls();
    assert!(calls.iter().any(|c| c.replay), "{statuses:?}");
    assert!(e.sim.processed_counts().values().all(|n| *n == 1));
    assert_eq!(e.sim.processed_counts().len(), 2);
}

#[tokio::test]
async fn an_outage_pauses_jobs_and_they_resume_after_it() {
    let e = env_with(
        |_| {},
        |s| {
            s.registry.breaker_failure_threshold = 2;
            s.registry.breaker_open_secs = 1;
            s.registry.max_retries = 1;
            s.registry.max_attempts = 100;
        },
    )
    .await;
    let ids = [student(&e, 51, "Mai Văn Phúc").await, student(&e, 52, "Mai Văn Quang").await];
    for id in ids {
        registered(&e, id).await;
    }
    e.sim.set_outage(true);
    let job = start_job(&e, json!({})).await;
    let paused = wait_job(&e, jid(&job), |j| j["status"] == "paused").await;
    assert_eq!(paused["pauseReason"], "registry_unavailable");
    assert_eq!(paused["totals"]["queued"], 2);
    assert_eq!(row(&e.app, ids[0]).await.status, "queued", "nothing is marked failed during an outage");
    // The jobs stay paused until the breaker lets a probe through and it succeeds.
    e.sim.set_outage(false);
    let done = wait_job(&e, jid(&job), finished).await;
    assert_eq!(done["status"], "done");
    assert_eq!(done["totals"]["verified"], 2, "{done}");
    assert!(done["pauseReason"].is_null());
    assert!(e.sim.calls().iter().filter(|c| c.status == 503).count() >= 2);
}

#[tokio::test]
async fn malformed_answers_never_mark_a_record_verified() {
    let e = env_with(
        |_| {},
        |s| {
            s.registry.max_retries = 4;
            s.registry.max_attempts = 1;
        },
    )
    .await;
    let id = student(&e, 61, "Đinh Văn Sơn").await;
    registered(&e, id).await;
    e.sim.malformed_next(5);
    let job = run_job(&e, json!({})).await;
    assert_eq!(job["totals"]["verified"], 0, "{job}");
    assert_eq!(job["totals"]["error"], 1, "{job}");
    assert_eq!(e.sim.calls().len(), 5, "every kind of malformed body was tried");
    let p = row(&e.app, id).await;
    assert_eq!(p.status, "error");
    assert!(p.verified_at.is_none());
    let history = e.app.get(&format!("/api/v1/students/{id}/verifications"), &e.token).await;
    assert_eq!(history.body["items"][0]["outcome"], "error");
    assert!(history.body["items"][0]["note"].as_str().is_some_and(|n| n.contains("malformed")), "{}", history.text);
    // Once the registry answers properly, the record verifies.
    let job = run_job(&e, json!({})).await;
    assert_eq!(job["totals"]["verified"], 1, "{job}");
    assert_counters_in_step(&e.app).await;
}

#[tokio::test]
async fn a_record_edited_while_its_request_is_in_flight_is_not_marked_verified() {
    let e = env_with(
        |s| {
            s.latency_ms_min = 1_200;
            s.latency_ms_max = 1_200;
        },
        |s| s.registry.timeout_ms = 5_000,
    )
    .await;
    let id = student(&e, 71, "Tạ Văn Thành").await;
    registered(&e, id).await;
    let job = start_job(&e, json!({})).await;
    // Wait until the item is on its way (the worker signals its claim), then edit the record.
    e.app
        .wait_for_worker("the item to be sent", || async {
            let sending = verification_job_items::Entity::find()
                .filter(verification_job_items::Column::Status.eq("sending"))
                .count(&e.app.store.db)
                .await
                .expect("count");
            (sending == 1).then_some(())
        })
        .await;
    let edited = e.app.patch(&format!("/api/v1/students/{id}"), &e.token, &json!({"fullName": "Tạ Văn Thanh"})).await;
    assert_eq!(edited.status, 200, "{}", edited.text);
    let job = wait_job(&e, jid(&job), finished).await;
    assert_eq!(job["totals"]["changed"], 1, "{job}");
    assert_eq!(job["totals"]["verified"], 0);
    let p = row(&e.app, id).await;
    assert_eq!(p.status, "not_sent");
    assert!(p.verified_at.is_none());
    let history = e.app.get(&format!("/api/v1/students/{id}/verifications"), &e.token).await;
    let entry = &history.body["items"][0];
    assert_eq!(entry["outcome"], "matched", "the answer is kept as history");
    assert_eq!(entry["applied"], false);
    assert_eq!(entry["sentValues"]["fullName"], "Tạ Văn Thành");
    assert_counters_in_step(&e.app).await;
}

#[tokio::test]
async fn cancel_returns_unsent_records_to_their_status() {
    let e = env_with(
        |_| {},
        |s| {
            s.registry.batch_size = 1;
            s.registry.concurrency = 1;
            s.registry.rate_limit_per_sec = 0.5;
        },
    )
    .await;
    let mut ids = Vec::new();
    for i in 0..4 {
        let id = student(&e, 81 + i, &format!("Cao Văn {}", ["An", "Bình", "Chung", "Dương"][i as usize])).await;
        registered(&e, id).await;
        ids.push(id);
    }
    e.app.set_status(ids[3], "not_found", &[]).await;
    let job = start_job(&e, json!({})).await;
    let res = e.app.post(&format!("/api/v1/verification-jobs/{}/cancel", jid(&job)), &e.token, &json!({})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["status"], "cancelled");
    let cancelled = res.body["totals"]["cancelled"].as_i64().expect("cancelled");
    // At most the batch in flight and the one waiting for its rate-limit slot were taken.
    assert!(cancelled >= 2, "{}", res.text);
    // What was in flight finishes; nothing is left queued, and nothing more is sent.
    e.app
        .wait_for_worker("the batches in flight to finish", || async {
            let open = verification_batches::Entity::find()
                .filter(verification_batches::Column::Status.eq("open"))
                .count(&e.app.store.db)
                .await
                .expect("count");
            (open == 0).then_some(())
        })
        .await;
    let job = e.app.get(&format!("/api/v1/verification-jobs/{}", jid(&job)), &e.token).await.body;
    assert_eq!(job["status"], "cancelled");
    assert_eq!(job["totals"]["queued"], 0, "{job}");
    let mut statuses = Vec::new();
    for id in &ids {
        statuses.push(row(&e.app, *id).await.status);
    }
    assert!(!statuses.iter().any(|s| s == "queued"), "{statuses:?}");
    assert_eq!(statuses[3], "not_found", "the former status comes back");
    assert!(e.sim.processed_counts().len() <= 2, "{:?}", e.sim.processed_counts());
    // A cancelled job cannot be cancelled into anything else.
    let again = e.app.post(&format!("/api/v1/verification-jobs/{}/cancel", jid(&job)), &e.token, &json!({})).await;
    assert_eq!(again.body["status"], "cancelled");
    assert_counters_in_step(&e.app).await;
}

#[tokio::test]
async fn evidence_requests_print_one_slip_per_student() {
    let e = env().await;
    let a = student(&e, 91, "Lưu Văn Trí").await;
    let b = student(&e, 92, "Lưu Thị Uyên").await;
    let c = student(&e, 93, "Lưu Văn Vinh").await;
    let mut t = truth_of(&e.app, a).await;
    t.date_of_birth = "2010-01-01".into();
    add_truth(&e.app, vec![t]).await;
    registered(&e, c).await;
    run_job(&e, json!({})).await;
    for id in [a, b] {
        let res = e.app.post(&format!("/api/v1/students/{id}/awaiting-evidence"), &e.token, &json!({})).await;
        assert_eq!(res.status, 200, "{}", res.text);
        assert_eq!(res.body["status"], "awaiting_evidence");
    }
    e.app
        .post(&format!("/api/v1/students/{c}/awaiting-evidence"), &e.token, &json!({}))
        .await
        .assert_problem(409, "conflict");
    let page = e.app.get(&format!("/api/v1/classes/{}/evidence-requests", e.app.fixtures.class_a1_6a), &e.token).await;
    assert_eq!(page.status, 200);
    assert!(page.content_type().starts_with("text/html"), "{}", page.content_type());
    assert_eq!(page.text.matches("class=\"slip\"").count(), 2);
    assert!(page.text.contains("Lưu Văn Trí") && page.text.contains("Giấy khai sinh (để đối chiếu ngày sinh)"));
    assert!(page.text.contains("Lưu Thị Uyên"));
    assert!(page.text.contains("Thông báo số định danh cá nhân"), "not found: the ID-number notice");
    assert!(!page.text.contains("Lưu Văn Vinh"));
    // Named by class, one page each, due in a week by the application's clock, with a return stub.
    assert!(page.text.contains("<title>Phiếu bổ sung giấy tờ — 6A</title>"), "{}", &page.text[..400]);
    let due = (e.app.clock.today() + chrono::Duration::days(7)).format("%d/%m/%Y").to_string();
    assert!(page.text.contains(&format!("trước ngày {due}")), "due {due}");
    assert_eq!(page.text.matches("PHIẾU HỒI ÂM").count(), 2);
    let a4 = e
        .app
        .get(
            &format!("/api/v1/classes/{}/evidence-requests?paper=a4&returnBy=2027-01-15", e.app.fixtures.class_a1_6a),
            &e.token,
        )
        .await;
    assert_eq!(a4.status, 200, "{}", a4.text);
    assert!(a4.text.contains("size:A4") && a4.text.contains("trước ngày 15/01/2027"));
    // Records awaiting evidence are not sent again by default: nothing to send, no empty job.
    let res = e.app.post("/api/v1/verification-jobs", &e.token, &json!({})).await;
    res.assert_problem(422, "nothing_to_send");
    assert_eq!(
        (res.body["counts"]["verified"].clone(), res.body["counts"]["awaitingEvidence"].clone()),
        (json!(1), json!(2))
    );
    assert_counters_in_step(&e.app).await;
}

#[tokio::test]
async fn the_simulator_speaks_the_contract() {
    let db = TestDb::fresh().await;
    let sim = sim_on(&db.url, |s| {
        s.api_key = "khoa-thu".into();
        s.max_items = 3;
    })
    .await;
    sim.population()
        .insert_many(vec![TruthRow {
            personal_id: "031215000001".into(),
            full_name: "Nguyễn Văn Hòa".into(),
            date_of_birth: "2015-03-15".into(),
            gender: "Nam".into(),
            province_code: Some("31".into()),
            commune_code: None,
        }])
        .await
        .expect("truth");
    let client = reqwest::Client::new();
    let url = format!("{}/v1/verifications", sim.url);
    let item = |id: &str, pid: &str, name: &str| json!({"requestId": id, "personalId": pid, "fullName": name, "dateOfBirth": "2015-03-15", "gender": "Nam"});
    let body = json!({"items": [
        item("a", "031215000001", "NGUYỄN VĂN HÒA"),
        item("b", "031215000001", "Nguyễn Văn Hoà"),
        item("c", "031215000002", "Nguyễn Văn Hòa"),
    ]});
    let send = |key: &str, auth: Option<&str>, body: &Value| {
        let mut req = client.post(&url).header("Idempotency-Key", key).json(body);
        if let Some(k) = auth {
            req = req.bearer_auth(k);
        }
        req.send()
    };
    assert_eq!(send("k0", None, &body).await.expect("send").status(), 401);
    assert_eq!(send("k0", Some("sai"), &body).await.expect("send").status(), 401);
    let res = client
        .post(&url)
        .header("X-Api-Key", "khoa-thu")
        .header("Idempotency-Key", "k1")
        .json(&body)
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), 200);
    let answer: Value = res.json().await.expect("json");
    let by_id: HashMap<&str, &Value> = answer["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| (r["requestId"].as_str().unwrap_or(""), r))
        .collect();
    assert_eq!(by_id["a"]["outcome"], "matched", "case folded");
    assert_eq!(by_id["b"]["outcome"], "mismatched", "tone placement not forgiven by default");
    assert_eq!(by_id["b"]["fields"], json!(["fullName"]));
    assert_eq!(by_id["b"]["registryValues"], json!({"fullName": "Nguyễn Văn Hòa"}));
    assert_eq!(by_id["c"]["outcome"], "not_found");
    // The same key again: the stored answer, not processed twice.
    let again: Value = send("k1", Some("khoa-thu"), &body).await.expect("send").json().await.expect("json");
    assert_eq!(again, answer);
    assert_eq!(sim.processed_counts()["a"], 1);
    // Tolerance is a setting.
    sim.update_settings(|s| s.tone_placement_tolerant = true);
    let tolerant: Value = send("k2", Some("khoa-thu"), &body).await.expect("send").json().await.expect("json");
    assert!(
        tolerant["results"]
            .as_array()
            .expect("results")
            .iter()
            .any(|r| r["requestId"] == "b" && r["outcome"] == "matched")
    );
    // Malformed items are invalid; too many items is 413; not a request is 400.
    let bad = json!({"items": [{"requestId": "x", "personalId": "12345", "fullName": "A", "dateOfBirth": "15/03/2015", "gender": "Nam"}]});
    let res: Value = send("k3", Some("khoa-thu"), &bad).await.expect("send").json().await.expect("json");
    assert_eq!(res["results"][0]["outcome"], "invalid");
    assert!(res["results"][0]["reason"].is_string());
    let many = json!({"items": [item("1", "031215000001", "A"), item("2", "031215000001", "A"), item("3", "031215000001", "A"), item("4", "031215000001", "A")]});
    assert_eq!(send("k4", Some("khoa-thu"), &many).await.expect("send").status(), 413);
    assert_eq!(send("k5", Some("khoa-thu"), &json!({"nope": 1})).await.expect("send").status(), 400);
    sim.rate_limit_next(1);
    let limited = send("k6", Some("khoa-thu"), &body).await.expect("send");
    assert_eq!(limited.status(), 429);
    assert_eq!(limited.headers()["retry-after"], "1");
}

#[test]
fn the_registry_contract_document_is_committed() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/registry.json");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    let generated = format!("{}\n", sim::openapi().to_pretty_json().expect("json"));
    assert!(
        committed == generated,
        "openapi/registry.json is out of date: run `cargo run -q --bin dinhdanh -- registry-sim --openapi > openapi/registry.json`"
    );
}

#[tokio::test]
async fn demo_mode_verifies_damaged_records_for_the_reasons_their_damage_implies() {
    let db = TestDb::fresh().await;
    let mut settings = test_settings(&db.url);
    settings.demo = true;
    settings.demo_students = 300;
    fast(&mut settings, "");
    settings.registry.base_url = String::new();
    let app = dinhdanh::startup::Application::build(settings).await.expect("build");
    let sim = app.registry_sim.clone().expect("the simulator runs in-process");
    let port = app.port();
    let mut events = app.state.worker_events.subscribe();
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}/api/v1");
    let login: Value = client
        .post(format!("{base}/auth/login"))
        .json(&json!({"username": "demo-school", "password": "demo"}))
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("json");
    let token = login["accessToken"].as_str().expect("token").to_owned();
    let job: Value = client
        .post(format!("{base}/verification-jobs"))
        .bearer_auth(&token)
        .json(&json!({}))
        .send()
        .await
        .expect("start")
        .json()
        .await
        .expect("json");
    let id = jid(&job);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    let job = loop {
        events.borrow_and_update();
        let j: Value = client
            .get(format!("{base}/verification-jobs/{id}"))
            .bearer_auth(&token)
            .send()
            .await
            .expect("get")
            .json()
            .await
            .expect("json");
        if finished(&j) {
            break j;
        }
        // Re-read when the worker signals a change.
        tokio::time::timeout_at(deadline, events.changed()).await.expect("the job finishes").expect("worker");
    };
    let t = &job["totals"];
    let n = |k: &str| t[k].as_i64().unwrap_or(0);
    assert!(n("verified") > n("mismatched") && n("mismatched") > 0, "{job}");
    assert!(n("skipped") > 0, "damaged records with errors are not sent: {job}");
    assert_eq!(n("queued") + n("error") + n("changed"), 0, "{job}");
    assert!(sim.processed_counts().values().all(|c| *c == 1));
}

#[tokio::test]
async fn two_instances_on_one_database_never_send_an_item_twice() {
    let e = env_with(
        |s| {
            s.latency_ms_min = 10;
            s.latency_ms_max = 40;
        },
        |s| {
            s.registry.batch_size = 10;
            s.registry.concurrency = 2;
        },
    )
    .await;
    // A second instance of the server on the same database (another process on PostgreSQL in
    // production; here the same code in the same process).
    let mut second_settings = e.app.settings.clone();
    second_settings.registry.base_url = e.sim.url.clone();
    let second = dinhdanh::startup::Application::build_with_events(second_settings, e.app.worker_events.clone())
        .await
        .expect("second instance");
    tokio::spawn(second.run_until_stopped());

    let class = e.app.fixtures.class_a1_6a;
    let mut truths = Vec::new();
    for i in 0..120u32 {
        let id = student_in(&e, class, 1_000 + i, "Bùi Văn Toàn").await;
        truths.push(truth_of(&e.app, id).await);
    }
    add_truth(&e.app, truths).await;
    let job = run_job(&e, json!({})).await;
    assert_eq!(job["totals"]["verified"], 120, "{job}");
    let counts = e.sim.processed_counts();
    assert_eq!(counts.len(), 120);
    assert!(counts.values().all(|n| *n == 1), "an item was sent twice: {counts:?}");
    let tokens: std::collections::BTreeSet<String> = verification_batches::Entity::find()
        .all(&e.app.store.db)
        .await
        .expect("batches")
        .into_iter()
        .map(|b| b.claim_token)
        .collect();
    assert_eq!(tokens.len(), 2, "both instances took part");
    let history = verification_history::Entity::find().count(&e.app.store.db).await.expect("count");
    assert_eq!(history, 120, "one answer per item");
    assert_counters_in_step(&e.app).await;
}

#[tokio::test]
async fn jobs_started_at_once_never_queue_a_record_twice() {
    let e = env().await;
    for i in 0..30 {
        let id = student(&e, 2_000 + i, "Quách Văn Hải").await;
        registered(&e, id).await;
    }
    let body = json!({});
    let (a, b) = tokio::join!(
        e.app.post("/api/v1/verification-jobs", &e.token, &body),
        e.app.post("/api/v1/verification-jobs", &e.token, &body)
    );
    // the second finds everything queued (nothing to send), or, where both counted first,
    // queues what the first left
    let mut total = 0;
    for res in [&a, &b] {
        if res.status == 422 {
            res.assert_problem(422, "nothing_to_send");
            continue;
        }
        assert_eq!(res.status, 202, "{}", res.text);
        total += res.body["total"].as_i64().unwrap_or(0);
        wait_job(&e, jid(&res.body), finished).await;
    }
    assert_eq!(total, 30, "{} / {}", a.text, b.text);
    let items = verification_job_items::Entity::find().all(&e.app.store.db).await.expect("items");
    let mut per_person: HashMap<i64, usize> = HashMap::new();
    for i in items {
        *per_person.entry(i.person_id).or_default() += 1;
    }
    assert_eq!(per_person.len(), 30);
    assert!(per_person.values().all(|n| *n == 1), "{per_person:?}");
    assert!(e.sim.processed_counts().values().all(|n| *n == 1));
}

#[tokio::test]
async fn a_jobs_last_items_share_a_call_with_the_next_jobs_first() {
    use dinhdanh::store::audit::{AuditCtx, Source};
    use dinhdanh::store::entities::audit_events;
    // no worker (no registry configured): this test claims and answers itself
    let e = env_with(|_| {}, |s| s.registry.base_url = String::new()).await;
    let (class_a, class_b) = (e.app.fixtures.class_a1_6a, e.app.fixtures.class_a1_6b);
    let mut ids = Vec::new();
    for (i, class) in [class_a, class_a, class_a, class_b, class_b].into_iter().enumerate() {
        let id = student_in(&e, class, 3_000 + i as u32, "Đinh Thị Ngọc").await;
        registered(&e, id).await;
        ids.push(id);
    }
    // a job per class, as schools start them: three items and two
    let job_a = start_job(&e, json!({"classId": class_a})).await;
    let job_b = start_job(&e, json!({"classId": class_b})).await;
    let db = &e.app.store.db;
    let ctx = AuditCtx::system(Source::Registry, None, dinhdanh_tests::pinned_instant());
    let lease = chrono::Duration::seconds(60);
    // calls of four: job A's three items and job B's first, then job B's last
    let claim = |size| dinhdanh::store::verification::claim_batch(db, &ctx, "token", size, lease);
    let first = claim(4).await.expect("claim").batch.expect("a batch");
    assert_eq!(first.request.items.len(), 4, "one call carries both jobs' items");
    assert_eq!(first.job_id, jid(&job_a), "the batch names the first job");
    let second = claim(4).await.expect("claim").batch.expect("a batch");
    assert_eq!((second.request.items.len(), second.job_id), (1, jid(&job_b)));
    assert!(claim(4).await.expect("claim").batch.is_none(), "nothing is left to claim");
    for job in [&job_a, &job_b] {
        let view = e.app.get(&format!("/api/v1/verification-jobs/{}", jid(job)), &e.token).await;
        assert_eq!(view.body["status"], "running", "{}", view.text);
    }

    let mut settings = e.app.settings.registry.clone();
    settings.base_url = e.sim.url.clone();
    let client = dinhdanh::registry::client::RegistryClient::new(&settings).expect("client");
    for batch in [&first, &second] {
        let answer = client.verify(&batch.key, &batch.request).await.expect("answer");
        let written = dinhdanh::store::verification::complete_batch(db, &ctx, batch, &answer.results).await;
        assert!(written.expect("written"));
    }
    assert_eq!(e.sim.calls().iter().filter(|c| c.status == 200).count(), 2);

    // each job is done with its own items, and each answer is its own job's
    for (job, n) in [(&job_a, 3), (&job_b, 2)] {
        let view = e.app.get(&format!("/api/v1/verification-jobs/{}", jid(job)), &e.token).await;
        assert_eq!(view.body["status"], "done", "{}", view.text);
        assert_eq!(view.body["totals"]["verified"], n, "{}", view.text);
    }
    let history = verification_history::Entity::find().all(db).await.expect("history");
    assert_eq!(history.len(), 5);
    for h in &history {
        let class = row(&e.app, h.person_id).await.class_id;
        let job = if class == Some(class_a) { jid(&job_a) } else { jid(&job_b) };
        assert_eq!(h.job_id, Some(job), "history of person {}", h.person_id);
    }
    let statuses = audit_events::Entity::find()
        .filter(audit_events::Column::Field.eq("status"))
        .filter(audit_events::Column::NewValue.eq("verified"))
        .all(db)
        .await
        .expect("audit");
    assert_eq!(statuses.len(), 5);
    for event in &statuses {
        let class = row(&e.app, event.entity_id.expect("person")).await.class_id;
        let job = if class == Some(class_a) { jid(&job_a) } else { jid(&job_b) };
        assert_eq!(event.source_ref.as_deref(), Some(format!("verification-job:{job}").as_str()));
    }
    for id in ids {
        assert_eq!(row(&e.app, id).await.status, "verified");
    }
    assert_counters_in_step(&e.app).await;
}
