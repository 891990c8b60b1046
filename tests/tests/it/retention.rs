//! Retention (issue 13, item 4), with the application's clock moved on: an import's planned
//! rows go `retention.import_days` after its commit (the import stays listed with its counts,
//! its report is refused with a reason, its undo still works from the audit), what a template
//! export carried goes after `snapshot_days`, a registry request's body `verification_days`
//! after its answer; recent ones stay. Each purge is one access-log entry without a user whose
//! detail holds the counts; the daily task claims its day once; `dinhdanh purge` runs it.

use dinhdanh::store::entities::{
    daily_tasks, import_rows, imports, template_exports, template_snapshots, verification_batches,
};
use dinhdanh::store::retention;
use dinhdanh_tests::TestApp;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

use super::three_way::export_class;
use super::verification::{self, Env};

fn days(n: i64) -> chrono::Duration {
    chrono::Duration::days(n)
}

/// Imports and commits a one-row CSV into class 6A; the import's id.
async fn import_one(app: &TestApp, token: &str, name: &str, seq: u32) -> String {
    let birth_year = verification::year_start(app) - 11;
    let csv = format!(
        "Họ và tên,Ngày sinh,Giới tính,Số định danh cá nhân,Lớp\n{name},05/03/{birth_year},Nữ,0312{:02}{seq:06},6A\n",
        birth_year % 100
    );
    let res = app
        .client
        .post(app.url("/api/v1/imports"))
        .bearer_auth(token)
        .header("X-Filename", "lop-6a.csv")
        .header("Content-Type", "application/octet-stream")
        .body(csv.into_bytes())
        .send()
        .await
        .expect("upload");
    assert_eq!(res.status().as_u16(), 201);
    let preview: Value = res.json().await.expect("json");
    let id = preview["id"].as_str().expect("import id").to_owned();
    let res = app.post(&format!("/api/v1/imports/{id}/commit"), token, &json!({})).await;
    assert_eq!(res.status, 200, "commit: {}", res.text);
    id
}

async fn rows_of(app: &TestApp, import: &str) -> u64 {
    import_rows::Entity::find()
        .filter(import_rows::Column::ImportId.eq(import))
        .count(&app.store.db)
        .await
        .expect("count")
}

/// The job's batches: (how many, how many with a body).
async fn batches_of(app: &TestApp, job: i64) -> (u64, u64) {
    let all = verification_batches::Entity::find()
        .filter(verification_batches::Column::JobId.eq(job))
        .all(&app.store.db)
        .await
        .expect("batches");
    (all.len() as u64, all.iter().filter(|b| !b.body.is_empty()).count() as u64)
}

async fn exports(app: &TestApp) -> (u64, u64) {
    let db = &app.store.db;
    (
        template_exports::Entity::find().count(db).await.expect("exports"),
        template_snapshots::Entity::find().count(db).await.expect("snapshots"),
    )
}

/// A verification job over the school's records, once `student` is registered.
async fn verify(e: &Env, seq: u32, name: &str) -> i64 {
    let id = verification::student(e, seq, name).await;
    verification::registered(e, id).await;
    verification::jid(&verification::run_job(e, json!({})).await)
}

/// The server's daily task runs at start-up, claiming the pinned day (nothing is due on a
/// fresh database: no access-log entry): waited for, so that the test's own runs claim the
/// later days.
async fn startup_purge(app: &TestApp) {
    let today = app.today().format("%Y-%m-%d").to_string();
    app.wait_for_worker("the start-up purge", || async {
        let task = daily_tasks::Entity::find_by_id(retention::TASK.to_owned()).one(&app.store.db).await.expect("task");
        (task.and_then(|t| t.last_run_on).as_deref() == Some(today.as_str())).then_some(())
    })
    .await;
}

async fn purges(app: &TestApp, token: &str) -> Vec<Value> {
    let res = app.get("/api/v1/access-log?pageSize=200", token).await;
    assert_eq!(res.status, 200, "{}", res.text);
    res.body["items"].as_array().expect("items").iter().filter(|e| e["action"] == "retention_purge").cloned().collect()
}

#[tokio::test]
async fn data_past_its_retention_time_is_purged_counted_and_logged_and_recent_data_stays() {
    let e = verification::env().await;
    let (app, token) = (&e.app, e.token.as_str());
    let department = app.login("department").await;
    startup_purge(app).await;
    let settings = app.settings.retention.clone();
    assert_eq!((settings.import_days, settings.snapshot_days, settings.verification_days), (30, 90, 30));

    // day 0: a verification, an import, a template export
    let job_old = verify(&e, 1, "Nguyễn Văn An").await;
    let import_old = import_one(app, token, "Phan Thị Diệu Linh", 21).await;
    export_class(app, token).await;
    let (old_batches, _) = batches_of(app, job_old).await;
    let old_rows = rows_of(app, &import_old).await;
    assert!(old_batches >= 1 && old_rows == 1, "{old_batches} batches, {old_rows} rows");
    let (_, old_snapshots) = exports(app).await;

    // day 20: the same again
    app.clock.advance(days(20));
    let job_new = verify(&e, 2, "Trần Văn Bình").await;
    let import_new = import_one(app, token, "Trịnh Minh Quân", 22).await;

    // day 31: what is past 30 days goes, the rest stays
    app.clock.advance(days(11));
    export_class(app, token).await;
    let by = "instance-a";
    let purged = retention::run_daily(&app.store.db, &app.clock, &settings, by).await.expect("purge").expect("claimed");
    assert_eq!(
        purged,
        retention::Purged {
            imports: 1,
            import_rows: old_rows,
            template_exports: 0,
            template_snapshots: 0,
            verification_batches: old_batches,
        }
    );
    assert_eq!(rows_of(app, &import_old).await, 0);
    assert_eq!(rows_of(app, &import_new).await, 1, "a recent import keeps its rows");
    assert_eq!(batches_of(app, job_old).await, (old_batches, 0), "the batches stay, their bodies go");
    let (new_batches, new_bodies) = batches_of(app, job_new).await;
    assert!(new_batches >= 1 && new_bodies == new_batches, "a recent answer keeps its request");
    // the day is claimed once, whichever instance asks
    for other in [by, "instance-b"] {
        let again = retention::run_daily(&app.store.db, &app.clock, &settings, other).await.expect("purge");
        assert_eq!(again, None, "{other}");
    }

    // the purged import is still listed with its counts; its rows and report are gone, with a reason
    let list = app.get("/api/v1/imports", token).await;
    assert_eq!(list.status, 200, "{}", list.text);
    let listed = list.body["items"].as_array().expect("items").iter().find(|i| i["id"] == import_old.as_str());
    let listed = listed.expect("the purged import is listed");
    assert_eq!((listed["status"].as_str(), listed["totals"]["create"].as_u64()), (Some("committed"), Some(1)));
    assert!(listed["rowsPurgedAt"].is_string(), "{listed}");
    let shown = app.get(&format!("/api/v1/imports/{import_old}"), token).await;
    assert_eq!((shown.status, shown.body["rows"].as_array().map(Vec::len)), (200, Some(0)), "{}", shown.text);
    let report = app.get(&format!("/api/v1/imports/{import_old}/report.xlsx"), token).await;
    report.assert_problem(409, "conflict");
    assert_eq!(report.body["errors"][0]["code"], "rows_purged", "{}", report.text);
    assert!(report.body["detail"].as_str().is_some_and(|d| d.contains("hết thời hạn lưu")), "{}", report.text);
    // undo reads the change audit, which is kept: it still works
    let undone = app.post(&format!("/api/v1/imports/{import_old}/undo"), token, &json!({})).await;
    assert_eq!((undone.status, undone.body["status"].as_str()), (200, Some("undone")), "{}", undone.text);

    // day 91: the rest of day 0 and day 20 is past its time; the day-31 export stays
    app.clock.advance(days(60));
    let purged = retention::run_daily(&app.store.db, &app.clock, &settings, "instance-b").await.expect("purge");
    assert_eq!(
        purged,
        Some(retention::Purged {
            imports: 1,
            import_rows: 1,
            template_exports: 1,
            template_snapshots: old_snapshots,
            verification_batches: new_batches,
        })
    );
    assert_eq!(rows_of(app, &import_new).await, 0);
    let (left_exports, left_snapshots) = exports(app).await;
    assert_eq!(left_exports, 1, "the export of day 31 is kept");
    assert!(left_snapshots >= 1);

    // each purge is one access-log entry: no user, the counts, no ID number (the start-up run
    // found nothing: no entry)
    let entries = purges(app, &department).await;
    assert_eq!(entries.len(), 2, "{entries:#?}");
    for entry in &entries {
        assert_eq!((entry["userId"].clone(), entry["personCount"].clone()), (Value::Null, json!(0)), "{entry}");
        let detail: Value = serde_json::from_str(entry["detail"].as_str().expect("detail")).expect("json");
        assert_eq!(detail["imports"], 1, "{detail}");
        assert!(!entry.to_string().contains("0312"), "no ID number: {entry}");
    }
    let first: Value = serde_json::from_str(entries[1]["detail"].as_str().expect("detail")).expect("json");
    assert_eq!(first["importRows"], old_rows);
    assert_eq!(first["verificationBatches"], old_batches);
    // a district office does not see the province-wide entries (or the log at all)
    let district = app.login("district-a").await;
    let res = app.get("/api/v1/access-log?pageSize=200", &district).await;
    if res.status == 200 {
        assert!(purges(app, &district).await.is_empty());
    }
    verification::assert_counters_in_step(app).await;
}

/// `dinhdanh purge` on the app's database, off the test's runtime (the server keeps answering).
async fn purge_command(app: &TestApp) -> (i32, String, String) {
    let url = app.db.url.clone();
    tokio::task::spawn_blocking(move || {
        let envs =
            [("APP_DATA_KEYS", dinhdanh_tests::TEST_DATA_KEY), ("APP_INDEX_KEY", dinhdanh_tests::TEST_INDEX_KEY)];
        dinhdanh_tests::run_dinhdanh_env(&url, &["purge"], &envs)
    })
    .await
    .expect("the command ran")
}

#[tokio::test]
async fn the_purge_command_runs_it_once_and_logs_it() {
    let app = dinhdanh_tests::spawn_app().await;
    startup_purge(&app).await;
    let token = app.login("school-a1").await;
    let import = import_one(&app, &token, "Phan Thị Diệu Linh", 31).await;
    // the command reads the system clock: the import is made older than its retention time
    // under any clock, by a fixed instant long past
    let long_ago: chrono::DateTime<chrono::Utc> = "2020-01-01T00:00:00Z".parse().expect("instant");
    imports::Entity::update_many()
        .col_expr(imports::Column::CommittedAt, sea_orm::sea_query::Expr::value(Some(long_ago)))
        .filter(imports::Column::Id.eq(import.as_str()))
        .exec(&app.store.db)
        .await
        .expect("age the import");
    let (code, out, err) = purge_command(&app).await;
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("deleted: 1 planned rows of 1 imports"), "{out}");
    assert_eq!(rows_of(&app, &import).await, 0);
    let department = app.login("department").await;
    let entries = purges(&app, &department).await;
    assert_eq!(entries.len(), 1, "{entries:#?}");
    // run again: nothing is due, nothing is logged
    let (code, out, _) = purge_command(&app).await;
    assert!(code == 0 && out.contains("deleted: 0 planned rows of 0 imports"), "{out}");
    assert_eq!(purges(&app, &department).await.len(), 1);
}
