//! The demo generator seeds a realistic, deterministic Hải Phòng with working accounts and the
//! registry's truth kept apart, in the simulator's own database.

use std::collections::HashSet;

use dinhdanh::registry::population::Population;
use dinhdanh::store::entities::{people, units};
use dinhdanh_tests::{TestDb, test_settings};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Statement,
};
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
    let population = Population::open(&settings.registry_sim.database_url).await.expect("population");
    let truth = population.count().await.expect("count");
    assert!(
        truth > (students + staff) * 98 / 100 && truth < students + staff,
        "almost everyone is registered: {truth}"
    );
    let district_offices =
        units::Entity::find().filter(units::Column::Kind.eq("district")).count(&conn).await.expect("count");
    assert_eq!(district_offices, 14);

    let client = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    for (user, role) in [
        ("demo-department", "department"),
        ("demo-district", "district"),
        ("demo-school", "school"),
        ("demo-admin", "department_admin"),
    ] {
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
    let err = dinhdanh::demo::seed(&again.state.store, &population, 10, 1, &again.state.settings.clock)
        .await
        .expect_err("not empty");
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
        let population = Population::open(&test_settings(&db.url).registry_sim.database_url).await.expect("population");
        let report =
            dinhdanh::demo::seed(&store, &population, 250, 42, &test_settings(&db.url).clock).await.expect("seed");
        assert_eq!(report.students, 250);
        // in id order: PostgreSQL's physical order moves with updates and vacuum
        let rows: Vec<(Option<String>, Option<String>, Option<String>)> = people::Entity::find()
            .filter(people::Column::Kind.eq("student"))
            .order_by_asc(people::Column::Id)
            .all(&conn)
            .await
            .expect("rows")
            .into_iter()
            .map(|p| {
                // sealed with a fresh nonce each time: compared in clear
                let pid = dinhdanh::store::people::personal_id_of(&p).expect("opens");
                (p.full_name, p.date_of_birth, pid)
            })
            .collect();
        snapshots.push(rows);
    }
    assert_eq!(snapshots[0], snapshots[1]);
}

#[tokio::test]
async fn dinhdanhs_database_holds_no_copy_of_the_registry() {
    let db = TestDb::fresh().await;
    let mut settings = test_settings(&db.url);
    settings.demo = true;
    settings.demo_students = 400;
    let app = dinhdanh::startup::Application::build(settings.clone()).await.expect("build");
    assert!(app.registry_sim.is_some(), "the demo starts its simulator");
    let conn = app.state.store.db.clone();
    let truths = Population::open(&settings.registry_sim.database_url).await.expect("population").all().await;
    let truths = truths.expect("truth rows");
    assert!(truths.len() > 400, "the simulator knows the demo's people: {}", truths.len());

    // No registry table in dinhdanh's database (the migration dropped it)…
    let tables = table_names(&conn).await;
    assert!(tables.contains(&"people".to_owned()), "{tables:?}");
    assert!(!tables.iter().any(|t| t.contains("registry") || t.contains("truth")), "{tables:?}");

    // …and none of what only the registry knows: the true numbers of the people whose number
    // the school entered wrongly (or not at all) occur nowhere in dinhdanh's database.
    let mut ours = HashSet::new();
    for p in people::Entity::find().all(&conn).await.expect("people") {
        ours.extend(dinhdanh::store::people::personal_id_of(&p).expect("opens"));
        ours.extend(dinhdanh::store::people::norm_personal_id_of(&p).expect("opens"));
    }
    let registry_only: Vec<&str> =
        truths.iter().map(|t| t.personal_id.as_str()).filter(|id| !ours.contains(*id)).collect();
    assert!(registry_only.len() >= 5, "the demo damages some ID numbers: {}", registry_only.len());
    let dump = database_text(&db, &conn, &tables).await;
    let name = people::Entity::find().one(&conn).await.expect("one").and_then(|p| p.full_name).expect("a name");
    assert!(dump.contains(name.as_str()), "the dump holds the records' names (not sealed)");
    let leaked: Vec<&&str> = registry_only.iter().filter(|id| dump.contains(**id)).collect();
    assert!(leaked.is_empty(), "registry-only numbers in dinhdanh's database: {leaked:?}");
    // The same search finds them where they are: in the simulator's own file.
    let sim_file =
        settings.registry_sim.database_url.trim_start_matches("sqlite://").split('?').next().map(str::to_owned);
    let mut sim_bytes = Vec::new();
    for suffix in ["", "-wal"] {
        sim_bytes
            .extend(std::fs::read(format!("{}{suffix}", sim_file.clone().unwrap_or_default())).unwrap_or_default());
    }
    let sim_text = String::from_utf8_lossy(&sim_bytes);
    assert!(registry_only.iter().all(|id| sim_text.contains(*id)), "the simulator's file holds them");
}

#[tokio::test]
async fn after_serve_demo_no_full_id_number_of_the_demo_data_occurs_in_the_database() {
    let db = TestDb::fresh().await;
    let mut settings = test_settings(&db.url);
    settings.demo = true;
    settings.demo_students = 300;
    let app = dinhdanh::startup::Application::build(settings.clone()).await.expect("build");
    let conn = app.state.store.db.clone();
    // every number of the demo: the registry's, and each record's own, entered and normalised
    let truths = Population::open(&settings.registry_sim.database_url).await.expect("population").all().await;
    let mut numbers: HashSet<String> = truths.expect("truth rows").into_iter().map(|t| t.personal_id).collect();
    let records = people::Entity::find().all(&conn).await.expect("people");
    for p in &records {
        assert!(p.norm_personal_id.as_deref().is_none_or(dinhdanh::crypto::is_encrypted), "sealed: {}", p.id);
        numbers.extend(dinhdanh::store::people::personal_id_of(p).expect("opens"));
        numbers.extend(dinhdanh::store::people::norm_personal_id_of(p).expect("opens"));
    }
    // the damaged entries too, as long as they are recognisably a number (9 digits or more)
    numbers.retain(|n| n.chars().filter(char::is_ascii_digit).count() >= 9);
    assert!(numbers.len() > records.len(), "{} numbers for {} records", numbers.len(), records.len());
    let text = match db.is_postgres() {
        false => database_text(&db, &conn, &table_names(&conn).await).await,
        true => {
            let out = std::process::Command::new("pg_dump").args(["--data-only", &db.url]).output().expect("pg_dump");
            assert!(out.status.success(), "pg_dump: {}", String::from_utf8_lossy(&out.stderr));
            String::from_utf8_lossy(&out.stdout).into_owned()
        }
    };
    let name = records.iter().find_map(|p| p.full_name.clone()).expect("a name");
    assert!(text.contains(name.as_str()), "the dump is the database's");
    // the text read once for every number (a `contains` per number read it thousands of times)
    let mut index = dinhdanh_tests::log_watch::Secrets::default();
    numbers.iter().for_each(|n| index.insert(n));
    let found = index.found_in(&text);
    assert!(found.is_empty(), "{} ID numbers in clear in the database, e.g. {:?}", found.len(), found.first());
}

/// The tables of dinhdanh's database.
async fn table_names(conn: &DatabaseConnection) -> Vec<String> {
    let backend = conn.get_database_backend();
    let sql = match backend {
        sea_orm::DbBackend::Postgres => {
            "SELECT table_name AS name FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        }
        _ => "SELECT name FROM sqlite_master WHERE type = 'table'",
    };
    let rows = conn.query_all_raw(Statement::from_string(backend, sql)).await.expect("tables");
    rows.iter().map(|r| r.try_get::<String>("", "name").expect("name")).collect()
}

/// Everything dinhdanh's database holds, as text: the SQLite file and its write-ahead log as
/// they are on disk, or every row of every table of the PostgreSQL database.
async fn database_text(db: &TestDb, conn: &DatabaseConnection, tables: &[String]) -> String {
    if !db.is_postgres() {
        let path = db.url.trim_start_matches("sqlite://").split('?').next().expect("path").to_owned();
        let mut bytes = Vec::new();
        for suffix in ["", "-wal"] {
            bytes.extend(std::fs::read(format!("{path}{suffix}")).unwrap_or_default());
        }
        assert!(bytes.len() > 100_000, "the database file was read");
        return String::from_utf8_lossy(&bytes).into_owned();
    }
    let mut out = String::new();
    for table in tables {
        let sql = format!("SELECT coalesce(string_agg(t::text, chr(10)), '') AS dump FROM \"{table}\" t");
        let row = conn
            .query_one_raw(Statement::from_string(sea_orm::DbBackend::Postgres, sql))
            .await
            .expect("dump")
            .expect("one row");
        out.push_str(&row.try_get::<String>("", "dump").expect("text"));
        out.push('\n');
    }
    out
}

/// The bulk loader (province-sized seeds): the generator's people, evaluated and sealed as
/// the import would, counters equal to a recount, one audit row per batch (batches of 400
/// here, so that PostgreSQL's writers run several at once).
#[tokio::test]
async fn the_bulk_loader_seeds_sealed_counted_records_with_one_audit_row_per_batch() {
    use dinhdanh::store::entities::{audit_events, person_findings};
    let db = TestDb::fresh().await;
    let conn = sea_orm::Database::connect(&db.url).await.expect("connect");
    dinhdanh::db::migrate(&conn).await.expect("migrate");
    let settings = test_settings(&db.url);
    dinhdanh::startup::prepare_keys(&conn, &settings).await.expect("keys");
    let store = dinhdanh::store::Store::new(conn.clone());
    let population = Population::open(&settings.registry_sim.database_url).await.expect("population");
    let loader = dinhdanh::demo::Loader::Bulk { batch: 400 };
    let report =
        dinhdanh::demo::seed_with(&store, &population, 1_500, 42, &settings.clock, loader).await.expect("seed");
    assert_eq!(report.students, 1_500);
    let students = people::Entity::find().filter(people::Column::Kind.eq("student")).count(&conn).await.expect("n");
    let staff = people::Entity::find().filter(people::Column::Kind.eq("staff")).count(&conn).await.expect("n");
    assert_eq!((students, staff), (1_500, report.staff as u64));
    assert!(report.damaged * 100 / (report.students + report.staff) > 30, "damaged as the generator makes them");
    // findings as the rules give them, the copy-pasted ID numbers among them
    let findings = person_findings::Entity::find().count(&conn).await.expect("findings");
    assert!(findings > 500, "{findings} findings");
    let duplicates = person_findings::Entity::find()
        .filter(person_findings::Column::Code.eq("id_duplicate"))
        .count(&conn)
        .await
        .expect("duplicates");
    let holders = dinhdanh::store::people::duplicated_ids(&conn).await.expect("duplicated");
    assert!(duplicates >= 2 * holders.len() as u64, "{duplicates} findings for {} numbers", holders.len());
    // sealed, and opening to the numbers the simulator knows
    let records = people::Entity::find().order_by_asc(people::Column::Id).all(&conn).await.expect("people");
    assert!(records.iter().all(|p| p.personal_id.as_deref().is_none_or(dinhdanh::crypto::is_encrypted)));
    let truths: HashSet<String> = population.all().await.expect("truth").into_iter().map(|t| t.personal_id).collect();
    let opened = records
        .iter()
        .filter_map(|p| dinhdanh::store::people::norm_personal_id_of(p).expect("opens"))
        .filter(|n| truths.contains(n))
        .count();
    assert!(opened * 10 > records.len() * 8, "{opened} of {} numbers are the registry's", records.len());
    // counters equal a recount
    let drift = dinhdanh::store::counters::drift(&conn).await.expect("drift");
    assert!(drift.is_empty(), "statistics counters drifted: {drift:?}");
    // one audit row per batch of records, none per field
    let seeded = audit_events::Entity::find()
        .filter(audit_events::Column::Source.eq("seed"))
        .filter(audit_events::Column::Entity.eq("person"))
        .count(&conn)
        .await
        .expect("audit");
    assert_eq!(seeded as usize, records.len().div_ceil(400), "one per batch of 400 of {} records", records.len());
    let per_field = audit_events::Entity::find()
        .filter(audit_events::Column::Entity.eq("person"))
        .filter(audit_events::Column::Field.is_not_null())
        .count(&conn)
        .await
        .expect("audit");
    assert_eq!(per_field, 0);
}
