//! Key rotation under load (issue 13, "how it is checked"): a `dinhdanh serve` process with the
//! new data key first and the old one still listed runs a verification job and a background
//! import of 2,500 rows while `dinhdanh rotate-key` (the library's `encrypt_existing`, in its
//! own process, as an operator runs it) re-seals the database. Afterwards nothing is lost (every
//! item processed once, every imported row a record), every ID number opens with the new key
//! alone, and the statistics counters equal a recount. Real processes, so that each holds its
//! own key ring; waits poll the database, never sleep. SQLite, and PostgreSQL when
//! `TEST_DATABASE_URL` is set.

use std::process::{Child, Command, Stdio};

use crate::hostile::server_binary;
use crate::instances::{Campaign, campaign, every_item_exactly_once, finished, job_status, kill, wait_until};
use dinhdanh::config::{Secret, Settings};
use dinhdanh::crypto::{Aad, KeyRing};
use dinhdanh::store::entities::{classes, imports, people, users};
use dinhdanh_tests::{TEST_DATA_KEY, TEST_INDEX_KEY};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

const NEW_DATA: &str = "cm90YXRlLXVuZGVyLWxvYWQtbmV3LWRhdGEta2V5MDE=";
const ROWS: u32 = 2_500;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

/// `dinhdanh serve` with the new data key first and the old one listed, sending slowly enough
/// to be still at work while the rotation runs.
fn start_server(binary: &std::path::Path, c: &Campaign, port: u16) -> Child {
    Command::new(binary)
        .arg("serve")
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("DATABASE_URL", &c.url)
        .env("APP_JWT_SECRET", "rotate-test-secret-rotate-test-secret-0123")
        .env("APP_DATA_KEYS", format!("{NEW_DATA},{TEST_DATA_KEY}"))
        .env("APP_INDEX_KEY", TEST_INDEX_KEY)
        .env("APP_BIND", format!("127.0.0.1:{port}"))
        .env("APP_STATS__SNAPSHOT_INTERVAL_MINUTES", "0")
        .env("APP_REGISTRY__BASE_URL", &c.sim.url)
        .env("APP_REGISTRY__BATCH_SIZE", "10")
        .env("APP_REGISTRY__RATE_LIMIT_PER_SEC", "8")
        .env("APP_REGISTRY__CONCURRENCY", "2")
        .env("APP_REGISTRY__TIMEOUT_MS", "1000")
        .env("APP_REGISTRY__LEASE_SECS", "5")
        .env("APP_REGISTRY__POLL_INTERVAL_MS", "50")
        .env("RUST_LOG", "warn,sqlx=error")
        .stdout(Stdio::null())
        .spawn()
        .expect("start dinhdanh serve")
}

/// The CSV of `ROWS` new students of `class` (born the year its grade is born).
fn csv_of(class: &classes::Model, year_start: i32) -> String {
    let birth_year = year_start - 5 - class.grade;
    let mut csv = String::from("Họ và tên,Ngày sinh,Giới tính,Số định danh cá nhân,Lớp\n");
    for i in 0..ROWS {
        let name = format!("Nguyễn Thị Xoay {}", dinhdanh_tests_name(i));
        csv.push_str(&format!(
            "{name},15/03/{birth_year},Nữ,0312{:02}{:06},{}\n",
            birth_year % 100,
            900_000 + i,
            class.name
        ));
    }
    csv
}

/// A name part per row (letters only, as names have).
fn dinhdanh_tests_name(i: u32) -> String {
    const SYLLABLES: [&str; 10] = ["An", "Bình", "Chi", "Dung", "Giang", "Hà", "Khánh", "Lan", "Mai", "Ngọc"];
    format!(
        "{} {} {}",
        SYLLABLES[(i / 100 % 10) as usize],
        SYLLABLES[(i / 10 % 10) as usize],
        SYLLABLES[(i % 10) as usize]
    )
}

async fn login(client: &reqwest::Client, base: &str) -> String {
    let res = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"username": "demo-school", "password": dinhdanh::demo::DEMO_PASSWORD}))
        .send()
        .await
        .expect("login");
    let body: serde_json::Value = res.json().await.expect("json");
    body["accessToken"].as_str().unwrap_or_else(|| panic!("login: {body}")).to_owned()
}

#[tokio::test]
async fn rotating_the_data_key_while_a_job_and_an_import_run_loses_nothing() {
    let binary = server_binary();
    let c = campaign().await;
    let people_before = people::Entity::find().count(&c.conn).await.expect("count");
    let port = free_port();
    let server = start_server(&binary, &c, port);
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::builder().pool_max_idle_per_host(0).build().expect("client");
    wait_until("the server answers", 120, || async {
        client.get(format!("{base}/health")).send().await.is_ok_and(|r| r.status().is_success())
    })
    .await;
    let token = login(&client, &base).await;

    // the job gets going; a background import of 2,500 rows is uploaded, to commit when planned
    wait_until("the job gets going", 60, || async { c.sim.processed_counts().len() >= c.sendable / 5 }).await;
    let school = users::Entity::find()
        .filter(users::Column::Username.eq("demo-school"))
        .one(&c.conn)
        .await
        .expect("query")
        .expect("user")
        .unit_id;
    let class = classes::Entity::find()
        .filter(classes::Column::SchoolId.eq(school))
        .one(&c.conn)
        .await
        .expect("query")
        .expect("class");
    let year_start: i32 = class.school_year[..4].parse().expect("year");
    let res = client
        .post(format!("{base}/api/v1/imports?classId={}&commit=true", class.id))
        .bearer_auth(&token)
        .header("X-Filename", "xoay-khoa.csv")
        .header("Content-Type", "application/octet-stream")
        .body(csv_of(&class, year_start))
        .send()
        .await
        .expect("upload");
    assert_eq!(res.status().as_u16(), 202, "a background import");
    let import_id = res.json::<serde_json::Value>().await.expect("json")["id"].as_str().expect("id").to_owned();

    // the rotation, in its own process, while both run
    let running = job_status(&c).await;
    assert_ne!(running, "done", "the job still runs when the rotation starts");
    let url = c.url.clone();
    let (code, out, err) = tokio::task::spawn_blocking(move || {
        let both = format!("{NEW_DATA},{TEST_DATA_KEY}");
        let keys = [("APP_DATA_KEYS", both.as_str()), ("APP_INDEX_KEY", TEST_INDEX_KEY)];
        dinhdanh_tests::run_dinhdanh_env(&url, &["rotate-key", "--batch", "25"], &keys)
    })
    .await
    .expect("rotate-key ran");
    assert_eq!(code, 0, "{out}\n{err}");
    let import_then =
        imports::Entity::find_by_id(import_id.clone()).one(&c.conn).await.expect("query").expect("import");
    eprintln!("rotation done: {out}; job {}, import {}", job_status(&c).await, import_then.status);

    // both finish
    finished(&c).await;
    wait_until("the import is committed", 180, || async {
        let m = imports::Entity::find_by_id(import_id.clone()).one(&c.conn).await.expect("query").expect("import");
        assert!(!["failed", "expired"].contains(&m.status.as_str()), "{:?}", m.error);
        m.status == "committed"
    })
    .await;
    kill(server);

    // nothing lost: every item processed once, the counters equal a recount; every row a record
    every_item_exactly_once(&c).await;
    let import = imports::Entity::find_by_id(import_id.clone()).one(&c.conn).await.expect("query").expect("import");
    let totals: serde_json::Value = serde_json::from_str(&import.totals).expect("totals");
    let created = totals["create"].as_u64().expect("create");
    assert_eq!(totals["rows"], ROWS, "{totals}");
    assert_eq!(totals["rejected"], 0, "{totals}");
    // a row whose number a demo record already holds updates that record instead
    assert!(
        created + totals["update"].as_u64().unwrap_or(0) + totals["unchanged"].as_u64().unwrap_or(0) == u64::from(ROWS),
        "{totals}"
    );
    let people_after = people::Entity::find().count(&c.conn).await.expect("count");
    assert_eq!(people_after, people_before + created, "every row created is a record: {totals}");

    // every ID number opens with the new key alone
    let new_only = KeyRing::from_settings(&Settings {
        data_keys: Some(Secret::new(NEW_DATA)),
        index_key: Some(Secret::new(TEST_INDEX_KEY)),
        ..Settings::default()
    })
    .expect("keys")
    .expect("configured");
    let stored = dinhdanh::store::sealing::stored_keys(&c.conn).await.expect("stored keys");
    assert_eq!(stored.data_key_ids.into_iter().collect::<Vec<_>>(), vec![new_only.current_key_id()]);
    let mut opened = 0;
    for p in people::Entity::find().all(&c.conn).await.expect("people") {
        for (column, value) in [("personal_id", &p.personal_id), ("norm_personal_id", &p.norm_personal_id)] {
            if let Some(v) = value.as_deref().filter(|v| !v.is_empty()) {
                // as entered (the demo's damaged numbers included), and normalised
                let clear = new_only.decrypt(&Aad::new("people", column, p.id), v).expect("opens with the new key");
                assert!(!clear.is_empty(), "record {} {column}", p.id);
                opened += 1;
            }
        }
    }
    assert!(opened >= 2 * created, "{opened} values opened");
    // and the audit too: a rotation with the new key alone has nothing left to do
    let url = c.url.clone();
    let (code, out, err) = tokio::task::spawn_blocking(move || {
        let keys = [("APP_DATA_KEYS", NEW_DATA), ("APP_INDEX_KEY", TEST_INDEX_KEY)];
        dinhdanh_tests::run_dinhdanh_env(&url, &["rotate-key"], &keys)
    })
    .await
    .expect("rotate-key ran");
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains(" 0 records sealed") && out.contains(" 0 audit events"), "{out}");
}
