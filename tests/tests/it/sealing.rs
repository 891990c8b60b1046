//! ID numbers encrypted at rest (issue 13): what the tables hold, lookups through the blind
//! index, the start-up refusal without the keys that sealed a database, and sealing a database
//! written in clear.

use dinhdanh::config::Secret;
use dinhdanh::crypto::is_encrypted;
use dinhdanh::store::entities::{audit_events, people};
use dinhdanh_tests::{TEST_DATA_KEY, TEST_INDEX_KEY, TestDb, spawn_app, test_settings};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Statement};
use serde_json::json;

const NUMBER: &str = "031215000777";

#[tokio::test]
async fn id_numbers_are_sealed_and_found_by_the_whole_number_and_as_duplicates_across_schools() {
    let app = spawn_app().await;
    let a1 = app.login("school-a1").await;
    let b1 = app.login("school-b1").await;
    let a = app
        .create_student(
            &a1,
            app.fixtures.class_a1_6a,
            json!({"fullName": "Nguyễn Văn An", "personalId": "0312 1500 0777"}),
        )
        .await;
    let b = app
        .create_student(&b1, app.fixtures.class_b1_10a, json!({"fullName": "Lê Thị Bình", "personalId": NUMBER}))
        .await;
    let (a_id, b_id) = (a["id"].as_i64().expect("id"), b["id"].as_i64().expect("id"));

    // the table holds sealed values and a blind index, never the number
    let row = people::Entity::find_by_id(a_id).one(&app.store.db).await.expect("db").expect("row");
    let entered = row.personal_id.clone().expect("entered");
    assert!(is_encrypted(&entered) && entered.len() > 60, "{entered}");
    assert!(is_encrypted(row.norm_personal_id.as_deref().expect("normalised")));
    assert!(!row.outcome.contains(NUMBER) && !row.outcome.contains("0312 1500 0777"), "{}", row.outcome);
    let index = row.personal_id_index.clone().expect("index");
    assert!(!index.contains(NUMBER) && index.len() == 31, "{index}");
    assert!(row.personal_id_valid);
    // the store opens them; the one function that gives a number in full
    assert_eq!(dinhdanh::store::people::personal_id_clear(&row).expect("clear").as_deref(), Some("0312 1500 0777"));
    assert_eq!(dinhdanh::store::people::norm_personal_id_of(&row).expect("opens").as_deref(), Some(NUMBER));
    let outcome = dinhdanh::store::people::parse_outcome(&row).expect("outcome");
    assert_eq!(outcome.normalized.personal_id.as_deref(), Some(NUMBER));
    // a sealed value copied to another row does not open there
    let mut moved = row.clone();
    moved.id = b_id;
    assert!(dinhdanh::store::people::personal_id_of(&moved).is_err());

    // the two schools' records are duplicates of each other
    for (id, token, path) in [(a_id, &a1, "students"), (b_id, &b1, "students")] {
        let s = app.get(&format!("/api/v1/{path}/{id}"), token).await;
        assert_eq!(s.status, 200, "{}", s.text);
        let codes: Vec<&str> =
            s.body["findings"].as_array().expect("findings").iter().filter_map(|f| f["code"].as_str()).collect();
        assert!(codes.contains(&"id_duplicate"), "{id}: {}", s.text);
    }
    // exact search by the whole number, spaces or not; a part of it finds nothing
    let dept = app.login("department").await;
    for q in [NUMBER, "0312 1500 0777"] {
        let found = app.get(&format!("/api/v1/students?q={}", q.replace(' ', "%20")), &dept).await;
        assert_eq!(found.body["total"], 2, "{q}: {}", found.text);
    }
    assert_eq!(app.get("/api/v1/students?q=03121500", &dept).await.body["total"], 0);

    // the audit's values are sealed too, and read back in the record's history
    let events = audit_events::Entity::find()
        .filter(audit_events::Column::EntityId.eq(a_id))
        .filter(audit_events::Column::Field.eq("personalId"))
        .all(&app.store.db)
        .await
        .expect("events");
    assert!(!events.is_empty());
    let values: Vec<&str> = events.iter().filter_map(|e| e.new_value.as_deref()).collect();
    assert!(!values.is_empty() && values.iter().all(|v| is_encrypted(v)), "{events:?}");
    let history = dinhdanh::store::audit::history(&app.store.db, "person", a_id).await.expect("history");
    assert!(history.iter().any(|e| e.new_value.as_deref() == Some("0312 1500 0777")), "{history:?}");
    // a change of the number: the duplicate goes away on both
    let changed = app
        .patch(
            &format!("/api/v1/students/{a_id}"),
            &a1,
            &json!({"personalId": "031215000778", "version": a["version"]}),
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.text);
    let s = app.get(&format!("/api/v1/students/{b_id}"), &b1).await;
    assert!(!s.text.contains("id_duplicate"), "{}", s.text);
    assert_eq!(app.get(&format!("/api/v1/students?q={NUMBER}"), &dept).await.body["total"], 1);
}

#[tokio::test]
async fn a_database_holding_encrypted_values_does_not_start_without_the_keys_that_sealed_them() {
    let app = spawn_app().await;
    let token = app.login("school-a1").await;
    app.create_student(&token, app.fixtures.class_a1_6a, json!({"fullName": "Nguyễn Văn An", "personalId": NUMBER}))
        .await;
    let mut settings = test_settings(&app.db.url);
    settings.data_keys = None;
    settings.index_key = None;
    let err = dinhdanh::startup::Application::build(settings.clone()).await.err().expect("refused");
    let text = err.to_string();
    assert!(text.contains("APP_DATA_KEYS") && text.contains("APP_INDEX_KEY"), "{text}");
    // another data key: the message names the key id the database needs
    let ring = dinhdanh::crypto::installed().expect("test keys");
    settings.data_keys = Some(Secret::new("b3RoZXItZGF0YS1rZXktb3RoZXItZGF0YS1rZXktMDE="));
    settings.index_key = Some(Secret::new(TEST_INDEX_KEY));
    let text = dinhdanh::startup::Application::build(settings.clone()).await.err().expect("refused").to_string();
    assert!(text.contains(&ring.current_key_id().to_string()) && text.contains("APP_DATA_KEYS"), "{text}");
    // another index key: the blind index would find nothing
    settings.data_keys = Some(Secret::new(TEST_DATA_KEY));
    settings.index_key = Some(Secret::new("b3RoZXItaW5kZXgta2V5LW90aGVyLWluZGV4LWtleTE="));
    let text = dinhdanh::startup::Application::build(settings).await.err().expect("refused").to_string();
    assert!(text.contains("APP_INDEX_KEY"), "{text}");
}

/// Every stored `(id, personal_id, norm_personal_id, outcome)`, as the table holds them.
async fn stored(conn: &sea_orm::DatabaseConnection) -> Vec<(i64, Option<String>, Option<String>, String)> {
    let backend = conn.get_database_backend();
    let rows = conn
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT id, personal_id, norm_personal_id, outcome FROM people ORDER BY id",
        ))
        .await
        .expect("rows");
    rows.iter()
        .map(|r| {
            (
                r.try_get("", "id").expect("id"),
                r.try_get("", "personal_id").expect("personal_id"),
                r.try_get("", "norm_personal_id").expect("norm"),
                r.try_get("", "outcome").expect("outcome"),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_database_written_in_clear_is_sealed_in_place_resumably_with_a_count() {
    let db = TestDb::fresh().await;
    let sim = dinhdanh_tests::registry_sim_url(&db.url);
    // the command without keys writes in clear (as before issue 13)
    let (code, out, err) = dinhdanh_tests::run_dinhdanh_env(
        &db.url,
        &["seed-demo", "--students", "60"],
        &[("APP_REGISTRY_SIM__DATABASE_URL", &sim)],
    );
    assert_eq!(code, 0, "{out}\n{err}");
    let conn = sea_orm::Database::connect(&db.url).await.expect("connect");
    let before = stored(&conn).await;
    let with_numbers = before.iter().filter(|(_, p, n, _)| p.is_some() || n.is_some()).count();
    assert!(with_numbers > 60, "{with_numbers}");
    assert!(before.iter().all(|(_, p, _, _)| p.as_deref().is_none_or(|p| !is_encrypted(p))), "written in clear");
    let numbers: Vec<String> = before.iter().filter_map(|(_, _, n, _)| n.clone()).filter(|n| n.len() == 12).collect();
    let duplicated_before = dinhdanh::store::people::duplicated_ids(&conn).await.expect("duplicates").len();
    assert!(dinhdanh::store::sealing::holds_clear_values(&conn).await.expect("probe"), "the start-up probe sees them");

    let keys = [("APP_DATA_KEYS", TEST_DATA_KEY), ("APP_INDEX_KEY", TEST_INDEX_KEY)];
    let (code, out, err) = dinhdanh_tests::run_dinhdanh_env(&db.url, &["encrypt-existing", "--batch", "7"], &keys);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains(&format!("{with_numbers} records sealed")), "{out}");
    // every value sealed, the same numbers read back, the index rebuilt under the index key
    let after = stored(&conn).await;
    assert_eq!(after.len(), before.len());
    for ((id, p0, n0, _), (_, p1, n1, outcome)) in before.iter().zip(&after) {
        assert!(p1.as_deref().is_none_or(|p| p.is_empty() || is_encrypted(p)), "{id}");
        assert!(n1.as_deref().is_none_or(is_encrypted), "{id}");
        if let Some(n) = n0.as_deref().filter(|n| n.len() >= 9) {
            assert!(!outcome.contains(n), "{id}: {outcome}");
        }
        let row = people::Entity::find_by_id(*id).one(&conn).await.expect("db").expect("row");
        assert_eq!(&dinhdanh::store::people::personal_id_of(&row).expect("opens"), p0, "{id}");
        assert_eq!(&dinhdanh::store::people::norm_personal_id_of(&row).expect("opens"), n0, "{id}");
        assert_eq!(row.personal_id_index, n0.as_deref().map(dinhdanh::store::people::lookup_key), "{id}");
    }
    assert_eq!(dinhdanh::store::people::duplicated_ids(&conn).await.expect("duplicates").len(), duplicated_before);
    let text: String = after.iter().map(|(_, p, n, o)| format!("{p:?}{n:?}{o}")).collect();
    assert!(numbers.iter().all(|n| !text.contains(n.as_str())), "no number left in clear");
    // a second run has nothing left to do
    let (code, out, _) = dinhdanh_tests::run_dinhdanh_env(&db.url, &["encrypt-existing"], &keys);
    assert_eq!(code, 0);
    assert!(out.contains("0 records sealed"), "{out}");
    assert!(!dinhdanh::store::sealing::holds_clear_values(&conn).await.expect("probe"), "none left for the probe");
    // and without its keys the database no longer starts
    let (code, _, err) = dinhdanh_tests::run_dinhdanh(&db.url, &["recount-stats"]);
    assert_ne!(code, 0);
    assert!(err.contains("APP_DATA_KEYS"), "{err}");
}

#[tokio::test]
async fn rotate_key_reseals_every_value_with_the_new_keys_and_the_old_ones_can_then_go() {
    let app = spawn_app().await;
    let token = app.login("school-a1").await;
    let s = app
        .create_student(&token, app.fixtures.class_a1_6a, json!({"fullName": "Nguyễn Văn An", "personalId": NUMBER}))
        .await;
    let id = s["id"].as_i64().expect("id");
    app.patch(
        &format!("/api/v1/students/{id}"),
        &token,
        &json!({"personalId": "031215000778", "version": s["version"]}),
    )
    .await;
    let old = dinhdanh::crypto::installed().expect("test keys");
    const NEW_DATA: &str = "bmV3LWRhdGEta2V5LW5ldy1kYXRhLWtleS1uZXctMDE=";
    const NEW_INDEX: &str = "bmV3LWluZGV4LWtleS1uZXctaW5kZXgta2V5LW5ldzE=";
    let new = dinhdanh::crypto::KeyRing::from_settings(&dinhdanh::config::Settings {
        data_keys: Some(Secret::new(NEW_DATA)),
        index_key: Some(Secret::new(NEW_INDEX)),
        ..dinhdanh::config::Settings::default()
    })
    .expect("keys")
    .expect("configured");
    // the new data key first, the old one still listed; a new index key
    let both = format!("{NEW_DATA},{TEST_DATA_KEY}");
    let keys = [("APP_DATA_KEYS", both.as_str()), ("APP_INDEX_KEY", NEW_INDEX)];
    let (code, out, err) = dinhdanh_tests::run_dinhdanh_env(&app.db.url, &["rotate-key", "--batch", "1"], &keys);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains(&new.current_key_id().to_string()) && out.contains("1 records sealed (1 scanned), 2 audit events"),
        "{out}"
    );
    let stored = dinhdanh::store::sealing::stored_keys(&app.store.db).await.expect("stored");
    assert_eq!(stored.data_key_ids.into_iter().collect::<Vec<_>>(), vec![new.current_key_id()]);
    assert_eq!(stored.index_key_ids.into_iter().collect::<Vec<_>>(), vec![new.index_key_id()]);
    let (_, _, err) = dinhdanh_tests::run_dinhdanh(&app.db.url, &["recount-stats"]);
    assert!(err.contains("APP_DATA_KEYS"), "{err}");
    // the old keys can go: the new ones alone read everything
    let keys = [("APP_DATA_KEYS", NEW_DATA), ("APP_INDEX_KEY", NEW_INDEX)];
    let (code, out, err) = dinhdanh_tests::run_dinhdanh_env(&app.db.url, &["rotate-key"], &keys);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("0 records") && out.contains("0 audit events"), "{out}");
    let (code, out, err) = dinhdanh_tests::run_dinhdanh_env(&app.db.url, &["recount-stats"], &keys);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(!old.data_key_ids().contains(&new.current_key_id()));
}

/// The start-up probe for ID numbers in clear reads the partial indexes that hold exactly such
/// rows (a start read every record: 3.6 s of 12 s at 1,000,000 students). On PostgreSQL the
/// plan is asked with sequential scans off, since a small table is read whole anyway: what is
/// checked is that the planner can prove the query's predicate implies the index's.
#[tokio::test]
async fn the_start_up_probe_for_values_in_clear_reads_its_partial_indexes() {
    use sea_orm::TransactionTrait;
    let db = TestDb::fresh().await;
    let conn = sea_orm::Database::connect(&db.url).await.expect("connect");
    dinhdanh::db::migrate(&conn).await.expect("migrate");
    let backend = conn.get_database_backend();
    let txn = conn.begin().await.expect("begin");
    let explain = match backend {
        sea_orm::DbBackend::Postgres => {
            txn.execute_unprepared("SET LOCAL enable_seqscan = off").await.expect("set");
            "EXPLAIN"
        }
        _ => "EXPLAIN QUERY PLAN",
    };
    for (table, predicate, index) in [
        ("people", migration::CLEAR_PEOPLE, "ix_people_clear_ids"),
        ("audit_events", migration::CLEAR_AUDIT, "ix_audit_events_clear_ids"),
    ] {
        let sql = format!("{explain} SELECT id FROM {table} WHERE {predicate} LIMIT 1");
        let rows = txn.query_all_raw(Statement::from_string(backend, sql)).await.expect("explain");
        let plan: String = rows
            .iter()
            .map(|r| {
                let column = if backend == sea_orm::DbBackend::Postgres { "QUERY PLAN" } else { "detail" };
                r.try_get::<String>("", column).expect("plan line")
            })
            .collect::<Vec<_>>()
            .join("\n");
        assert!(plan.contains(index), "{table}: {plan}");
    }
    // the predicates are the crate's own sealed prefix and audit field
    assert!(migration::CLEAR_PEOPLE.contains(&format!("'{}%'", dinhdanh::crypto::format::PREFIX)));
    assert!(migration::CLEAR_AUDIT.contains(&format!("field = '{}'", dinhdanh::store::audit::SEALED_FIELD)));
}

/// The ids of the keys in use are read from `sealing_key_ids` (a start read every sealed
/// value for them: 7.7 s of an 8.4 s start at 1,000,000 students). The table may list more
/// than the values use, never less; when it would refuse a start, the values decide.
#[tokio::test]
async fn the_key_ids_in_use_are_listed_in_a_table_that_the_values_correct() {
    use dinhdanh::store::sealing::{scan_keys, stored_keys};
    let app = spawn_app().await;
    let token = app.login("school-a1").await;
    app.create_student(&token, app.fixtures.class_a1_6a, json!({"fullName": "Nguyễn Văn An", "personalId": NUMBER}))
        .await;
    let db = &app.store.db;
    let ring = dinhdanh::crypto::installed().expect("test keys");
    let scanned = scan_keys(db).await.expect("scan");
    assert_eq!(scanned.data_key_ids.iter().copied().collect::<Vec<_>>(), vec![ring.current_key_id()]);
    assert_eq!(scanned.index_key_ids.iter().copied().collect::<Vec<_>>(), vec![ring.index_key_id()]);
    assert_eq!(stored_keys(db).await.expect("table"), scanned);
    let settings = test_settings(&app.db.url);
    let listed = |sql: &'static str| async move {
        db.execute_unprepared(sql).await.expect("write sealing_key_ids");
    };

    // an id no value uses (a process that started with another data key and sealed nothing):
    // the table alone would refuse this start; the values let it through, and the id goes
    listed("INSERT INTO sealing_key_ids (kind, key_id) VALUES ('data', '0badf00d')").await;
    assert!(dinhdanh::crypto::check_start(&stored_keys(db).await.expect("table"), Some(&ring)).is_err());
    dinhdanh::startup::prepare_keys(db, &settings).await.expect("starts");
    assert_eq!(stored_keys(db).await.expect("table"), scanned);

    // another index key listed: read as a rotation of the index left half done, until the
    // values show that nothing was indexed with it
    listed("INSERT INTO sealing_key_ids (kind, key_id) VALUES ('index', 'deadbeef')").await;
    dinhdanh::startup::prepare_keys(db, &settings).await.expect("starts");
    assert_eq!(stored_keys(db).await.expect("table"), scanned);

    // a database from before the table: filled from the values on first read, also by two
    // instances starting at once
    listed("DELETE FROM sealing_key_ids").await;
    let (first, second) = tokio::join!(stored_keys(db), stored_keys(db));
    assert_eq!(first.expect("filled"), scanned);
    assert_eq!(second.expect("filled"), scanned);
    assert_eq!(stored_keys(db).await.expect("table"), scanned);
    let marks = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM sealing_key_ids WHERE kind = 'scan'".to_owned(),
        ))
        .await
        .expect("count")
        .and_then(|r| r.try_get::<i64>("", "n").ok());
    assert_eq!(marks, Some(1));

    // what the values hold still refuses a start without their keys
    let mut without = test_settings(&app.db.url);
    without.data_keys = Some(Secret::new("b3RoZXItZGF0YS1rZXktb3RoZXItZGF0YS1rZXktMDE="));
    let refused = dinhdanh::startup::prepare_keys(db, &without).await.expect_err("refused").to_string();
    assert!(refused.contains(&ring.current_key_id().to_string()), "{refused}");
    assert_eq!(stored_keys(db).await.expect("table"), scanned);
}
