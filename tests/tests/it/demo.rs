//! The demo generator seeds a realistic, deterministic Hải Phòng with working accounts and the
//! registry's truth kept apart.

use dinhdanh::store::entities::{people, registry_truth, units};
use dinhdanh_tests::{TestDb, test_settings};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;

#[tokio::test]
async fn demo_mode_seeds_an_empty_database_once_with_working_accounts() {
    let db = TestDb::fresh().await;
    let mut settings = test_settings(&db.url);
    settings.demo = true;
    settings.demo_students = 400;
    let app = dinhdanh::startup::Application::build(settings.clone()).await.expect("build");
    let port = app.port();
    let conn = app.state.store.db.clone();
    tokio::spawn(app.run_until_stopped());

    let students = people::Entity::find().filter(people::Column::Kind.eq("student")).count(&conn).await.expect("count");
    assert_eq!(students, 400);
    let staff = people::Entity::find().filter(people::Column::Kind.eq("staff")).count(&conn).await.expect("count");
    assert!(staff > 100, "offices and schools have staff: {staff}");
    let truth = registry_truth::Entity::find().count(&conn).await.expect("count");
    assert!(
        truth > (students + staff) * 98 / 100 && truth < students + staff,
        "almost everyone is registered: {truth}"
    );
    let district_offices =
        units::Entity::find().filter(units::Column::Kind.eq("district")).count(&conn).await.expect("count");
    assert_eq!(district_offices, 14);

    let client = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    for (user, role) in [("demo-department", "department"), ("demo-district", "district"), ("demo-school", "school")] {
        let res = client
            .post(format!("{base}/api/v1/auth/login"))
            .json(&json!({"username": user, "password": "demo"}))
            .send()
            .await
            .expect("login");
        assert_eq!(res.status(), 200, "{user}");
        let body: serde_json::Value = res.json().await.expect("json");
        assert_eq!(body["user"]["role"], role);
        // Every account sees the Department's campaigns, with a deadline ahead, and the
        // dashboard's timeline starts with the seeding day's snapshot.
        let token = body["accessToken"].as_str().expect("token");
        let campaigns: serde_json::Value = client
            .get(format!("{base}/api/v1/campaigns"))
            .bearer_auth(token)
            .send()
            .await
            .expect("campaigns")
            .json()
            .await
            .expect("json");
        let items = campaigns["items"].as_array().expect("items");
        assert_eq!(items.len(), 2, "{user}: {campaigns}");
        assert!(items.iter().all(|c| c["active"] == true), "{campaigns}");
        let unit = body["user"]["unit"]["id"].as_i64().expect("unit id");
        let timeline: serde_json::Value = client
            .get(format!("{base}/api/v1/stats/timeline?unitId={unit}&population=students"))
            .bearer_auth(token)
            .send()
            .await
            .expect("timeline")
            .json()
            .await
            .expect("json");
        assert!(timeline["deadline"].is_string(), "{timeline}");
        assert!(!timeline["points"].as_array().expect("points").is_empty(), "{timeline}");
    }

    // A second start on the same database does not seed again.
    let again = dinhdanh::startup::Application::build(settings).await.expect("build");
    let conn2 = again.state.store.db.clone();
    assert_eq!(
        people::Entity::find().filter(people::Column::Kind.eq("student")).count(&conn2).await.expect("count"),
        400
    );
    // And seed-demo refuses a database that holds data.
    let err =
        dinhdanh::demo::seed(&again.state.store, 10, 1, &again.state.settings.clock).await.expect_err("not empty");
    assert!(err.to_string().contains("empty database"), "{err}");
}

#[tokio::test]
async fn the_same_seed_gives_the_same_records() {
    let mut snapshots = Vec::new();
    for _ in 0..2 {
        let db = TestDb::fresh().await;
        let conn = sea_orm::Database::connect(&db.url).await.expect("connect");
        dinhdanh::db::migrate(&conn).await.expect("migrate");
        let store = dinhdanh::store::Store::new(conn.clone());
        let report = dinhdanh::demo::seed(&store, 250, 42, &test_settings(&db.url).clock).await.expect("seed");
        assert_eq!(report.students, 250);
        let rows: Vec<(Option<String>, Option<String>, Option<String>)> = people::Entity::find()
            .filter(people::Column::Kind.eq("student"))
            .all(&conn)
            .await
            .expect("rows")
            .into_iter()
            .map(|p| (p.full_name, p.date_of_birth, p.personal_id))
            .collect();
        snapshots.push(rows);
    }
    assert_eq!(snapshots[0], snapshots[1]);
}
