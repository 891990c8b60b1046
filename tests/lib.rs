//! Test harness: `spawn_app()` starts the real application on port 0 against a fresh database
//! (a SQLite file, or a new PostgreSQL database when `TEST_DATABASE_URL` is set, dropped when
//! the test ends) with a small unit tree, classes and accounts. Each test database has its own
//! registry simulator population beside it (a SQLite file in either case: the simulator stands
//! in for an external system, see `registry::population`), removed with it.
//!
//! The application's clock is pinned (see [`pinned_instant`]): tests never read the real clock,
//! so dates come out the same whenever the suite runs. `TEST_CLOCK=2026-12-05T16:59:59Z` pins
//! another instant (e.g. either side of midnight in Vietnam, 17:00 UTC). Background work is
//! awaited on the workers' drain hook ([`TestApp::wait_for_worker`]), never with sleeps.
//!
//! Every server the tests start logs into one watched place ([`log_watch`]): a line holding a
//! name, an ID number or a token the tests used fails the test whose app is dropped next.
//!
//! The integration tests are one binary, `tests/tests/it/main.rs`: a new test file is a module
//! there (`tests/tests/it/<area>.rs` plus `mod <area>;` in `main.rs`).

pub mod log_watch;

use std::sync::Once;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};

use dinhdanh::config::{Secret, Settings};
use dinhdanh::domain::access::Role;
use dinhdanh::domain::clock::{Clock, date_in_vietnam};
use dinhdanh::domain::org::{SchoolLevel, UnitKind};
use dinhdanh::startup::Application;
use dinhdanh::store::{Store, classes, units, users};
use serde_json::Value;

/// Password of every fixture account.
pub const PASSWORD: &str = "mat-khau-thu";

/// A database that exists for one test.
pub struct TestDb {
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    SqliteFile(std::path::PathBuf),
    Postgres { admin_url: String, name: String },
}

impl TestDb {
    /// A fresh, empty database: PostgreSQL when `TEST_DATABASE_URL` is set, else SQLite.
    pub async fn fresh() -> TestDb {
        match std::env::var("TEST_DATABASE_URL") {
            Ok(admin_url) if !admin_url.is_empty() => TestDb::postgres(&admin_url).await,
            _ => TestDb::sqlite(),
        }
    }

    /// A fresh SQLite file, whatever `TEST_DATABASE_URL` says (benchmarks that print both
    /// databases side by side).
    pub fn sqlite() -> TestDb {
        init_process();
        let name = format!("dd_test_{}", uuid::Uuid::new_v4().simple());
        let dir = std::env::temp_dir().join("dinhdanh-tests");
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join(format!("{name}.db"));
        TestDb { url: format!("sqlite://{}?mode=rwc", path.display()), cleanup: Cleanup::SqliteFile(path) }
    }

    /// A fresh PostgreSQL database created through `admin_url` (dropped with the value).
    pub async fn postgres(admin_url: &str) -> TestDb {
        init_process();
        TestDb::postgres_from(admin_url, None).await
    }

    /// A new PostgreSQL database, empty or a copy of `template`.
    async fn postgres_from(admin_url: &str, template: Option<&str>) -> TestDb {
        let options = template.map(|t| format!(" TEMPLATE {t}")).unwrap_or_default();
        TestDb::postgres_created(admin_url, &options).await.unwrap_or_else(|e| panic!("create test database: {e}"))
    }

    /// A new, empty PostgreSQL database whose text sorts by a locale's collation (`en_US.UTF-8`:
    /// what a server installed with an English system locale gives every database), not the
    /// byte order of the tests' `C.UTF-8`. The locale must exist on the database server's
    /// machine (`.ci/run` generates it and restarts PostgreSQL when it was missing).
    pub async fn postgres_with_collation(admin_url: &str, locale: &str) -> TestDb {
        init_process();
        let options = format!(" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE '{locale}' LC_CTYPE '{locale}'");
        TestDb::postgres_created(admin_url, &options).await.unwrap_or_else(|e| {
            panic!(
                "cannot create a database with the locale {locale} ({e}): generate it on the database server \
                 (apt-get install locales; sed -i 's/^# *{locale}/{locale}/' /etc/locale.gen; locale-gen) and \
                 restart PostgreSQL, as .ci/run does"
            )
        })
    }

    /// `CREATE DATABASE <new name><options>` through `admin_url` (dropped with the value).
    async fn postgres_created(admin_url: &str, options: &str) -> Result<TestDb, sea_orm::DbErr> {
        use sea_orm::ConnectionTrait;
        let db = TestDb::postgres_named(admin_url);
        let Cleanup::Postgres { name, .. } = &db.cleanup else { unreachable!("a PostgreSQL database") };
        let admin = sea_orm::Database::connect(admin_url).await.expect("connect to TEST_DATABASE_URL");
        let created = admin.execute_unprepared(&format!("CREATE DATABASE {name}{options}")).await;
        admin.close().await.ok();
        created.map(|_| db)
    }

    /// A new database name and its URL (not created yet; dropped with the value).
    fn postgres_named(admin_url: &str) -> TestDb {
        let name = format!("dd_test_{}", uuid::Uuid::new_v4().simple());
        // the admin URL's database replaced, its parameters (`?sslmode=…`) kept
        let (path, params) = admin_url.split_once('?').map_or((admin_url, ""), |(p, q)| (p, q));
        let base = path.rsplit_once('/').map(|(b, _)| b).unwrap_or(path);
        let params = if params.is_empty() { String::new() } else { format!("?{params}") };
        TestDb {
            url: format!("{base}/{name}{params}"),
            cleanup: Cleanup::Postgres { admin_url: admin_url.to_owned(), name },
        }
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self.cleanup, Cleanup::Postgres { .. })
    }

    /// A fresh database whose schema is already migrated, as [`TestDb::fresh`] after the
    /// migrations: a copy of a template migrated once per build of the tests (PostgreSQL:
    /// `CREATE DATABASE … TEMPLATE`; SQLite: a copy of the file). Migrating every test's
    /// database took about half a second each on PostgreSQL. Tests of the migrations, or of
    /// what a first start does to an empty database, take [`TestDb::fresh`].
    pub async fn migrated() -> TestDb {
        init_process();
        match std::env::var("TEST_DATABASE_URL") {
            Ok(admin_url) if !admin_url.is_empty() => {
                let template = POSTGRES_TEMPLATE.get_or_init(|| postgres_template(&admin_url)).await;
                TestDb::postgres_from(&admin_url, Some(template)).await
            }
            _ => {
                let template = SQLITE_TEMPLATE.get_or_init(sqlite_template).await;
                let db = TestDb::sqlite();
                let Cleanup::SqliteFile(path) = &db.cleanup else { unreachable!("a SQLite file") };
                std::fs::copy(template, path).expect("copy the migrated template");
                db
            }
        }
    }
}

static POSTGRES_TEMPLATE: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
static SQLITE_TEMPLATE: tokio::sync::OnceCell<std::path::PathBuf> = tokio::sync::OnceCell::const_new();

/// This build of the tests (its executable's size and time): a template is made once per build
/// and reused by later runs of the same build.
fn build_id() -> u64 {
    let meta = std::env::current_exe().and_then(std::fs::metadata).expect("the test executable");
    let modified = meta.modified().ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok()).unwrap_or_default();
    fnv(&format!("{}:{}", meta.len(), modified.as_nanos()))
}

/// The migrated PostgreSQL template of this build (`dd_tpl_<build>`), made if missing under a
/// temporary name and renamed when complete (so a half-made one is never used); those of
/// earlier builds are dropped then.
async fn postgres_template(admin_url: &str) -> String {
    use sea_orm::ConnectionTrait;
    let name = format!("dd_tpl_{:016x}", build_id());
    let mut options = sea_orm::ConnectOptions::new(admin_url);
    // one session: the advisory lock is the session's
    options.max_connections(1).sqlx_logging(false);
    let admin = sea_orm::Database::connect(options).await.expect("connect to TEST_DATABASE_URL");
    let query = |sql: String| {
        let admin = &admin;
        async move {
            admin
                .query_all_raw(sea_orm::Statement::from_string(sea_orm::DbBackend::Postgres, sql))
                .await
                .expect("template query")
        }
    };
    // another test process of this build may be making it
    query("SELECT pg_advisory_lock(7402716001)".to_owned()).await;
    let exists = !query(format!("SELECT 1 AS present FROM pg_database WHERE datname = '{name}'")).await.is_empty();
    if !exists {
        let making = TestDb::postgres_named(admin_url);
        let Cleanup::Postgres { name: tmp, .. } = &making.cleanup else { unreachable!("a PostgreSQL database") };
        admin.execute_unprepared(&format!("CREATE DATABASE {tmp}")).await.expect("create the template");
        let conn = dinhdanh::db::connect(&test_settings(&making.url)).await.expect("connect to the template");
        dinhdanh::db::migrate(&conn).await.expect("migrate the template");
        conn.close().await.ok();
        admin.execute_unprepared(&format!("ALTER DATABASE {tmp} RENAME TO {name}")).await.expect("name the template");
        std::mem::forget(making);
        for old in query("SELECT datname FROM pg_database WHERE datname LIKE 'dd\\_tpl\\_%'".to_owned()).await {
            let old: String = old.try_get("", "datname").expect("datname");
            if old != name {
                let _ = admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {old}")).await;
            }
        }
    }
    query("SELECT pg_advisory_unlock(7402716001)".to_owned()).await;
    admin.close().await.ok();
    name
}

/// The migrated SQLite template of this build (`dd_tpl_<build>.db` in the tests' temporary
/// folder), written whole by `VACUUM INTO` and renamed into place; those of earlier builds are
/// removed then.
async fn sqlite_template() -> std::path::PathBuf {
    use sea_orm::ConnectionTrait;
    let dir = std::env::temp_dir().join("dinhdanh-tests");
    let name = format!("dd_tpl_{:016x}.db", build_id());
    let path = dir.join(&name);
    if path.exists() {
        return path;
    }
    let making = TestDb::sqlite();
    let conn = dinhdanh::db::connect(&test_settings(&making.url)).await.expect("connect to the template");
    dinhdanh::db::migrate(&conn).await.expect("migrate the template");
    let whole = dir.join(format!("{name}.{}", uuid::Uuid::new_v4().simple()));
    conn.execute_unprepared(&format!("VACUUM INTO '{}'", whole.display())).await.expect("write the template");
    conn.close().await.ok();
    std::fs::rename(&whole, &path).expect("name the template");
    for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        let file = entry.file_name().to_string_lossy().into_owned();
        if file.starts_with("dd_tpl_") && file != name {
            let _ = std::fs::remove_file(entry.path());
        }
    }
    path
}

/// The registry simulator's population file that belongs to a test database: a SQLite file
/// in the temporary folder named after the database, whichever engine the database uses.
pub fn registry_sim_url(database_url: &str) -> String {
    let name = database_url
        .split(['/', '?'])
        .find_map(|part| part.strip_suffix(".db").or(Some(part)).filter(|p| p.starts_with("dd_test_")))
        .map(str::to_owned)
        .unwrap_or_else(|| format!("dd_other_{:016x}", fnv(database_url)));
    let path = std::env::temp_dir().join("dinhdanh-tests").join(format!("{name}-registry-sim.db"));
    format!("sqlite://{}?mode=rwc", path.display())
}

/// A stable hash of a URL that is not a test database's (FNV-1a).
fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let sim = registry_sim_url(&self.url);
        let sim = sim.trim_start_matches("sqlite://").trim_end_matches("?mode=rwc");
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{sim}{suffix}"));
        }
        match &self.cleanup {
            Cleanup::SqliteFile(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Cleanup::Postgres { admin_url, name } => {
                let (admin_url, name) = (admin_url.clone(), name.clone());
                // The test's runtime is shutting down: drop the database from a runtime of
                // our own on another thread.
                let _ = std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
                    rt.block_on(async {
                        use sea_orm::ConnectionTrait;
                        let admin = sea_orm::Database::connect(&admin_url).await.ok()?;
                        admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await.ok()?;
                        admin.close().await.ok()
                    })
                })
                .join();
            }
        }
    }
}

/// Ids of the fixture tree.
#[derive(Debug, Clone, Copy)]
pub struct Fixtures {
    pub department: i64,
    pub district_a: i64,
    pub district_b: i64,
    pub school_a1: i64,
    pub school_a2: i64,
    pub school_b1: i64,
    pub class_a1_6a: i64,
    pub class_a1_6b: i64,
    pub class_a2_7a: i64,
    pub class_b1_10a: i64,
}

/// A running application with its database and fixtures.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub store: Store,
    pub fixtures: Fixtures,
    pub settings: Settings,
    pub db: TestDb,
    /// The application's clock (pinned; a test may move it).
    pub clock: Clock,
    /// The workers' drain hook.
    pub worker_events: dinhdanh::jobs::events::WorkerEvents,
}

/// The databases a benchmark runs on, side by side: SQLite (`None`) and, when
/// `TEST_DATABASE_URL` is set, PostgreSQL; `BENCH_DATABASES=sqlite` or `postgres` keeps one.
pub fn bench_databases() -> Vec<Option<String>> {
    let only = std::env::var("BENCH_DATABASES").unwrap_or_default();
    let mut databases = Vec::new();
    if only != "postgres" {
        databases.push(None);
    }
    match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() && only != "sqlite" => databases.push(Some(url)),
        _ => println!("TEST_DATABASE_URL is not set: SQLite only"),
    }
    databases
}

/// The instant every test app's clock is pinned to: `TEST_CLOCK` (RFC 3339) when set, else
/// 2026-12-07 12:00 in Vietnam.
pub fn pinned_instant() -> DateTime<Utc> {
    match std::env::var("TEST_CLOCK") {
        Ok(s) if !s.trim().is_empty() => s.trim().parse().expect("TEST_CLOCK is an RFC 3339 instant"),
        _ => "2026-12-07T05:00:00Z".parse().expect("instant"),
    }
}

/// Today in Vietnam by the pinned clock.
pub fn today() -> NaiveDate {
    date_in_vietnam(pinned_instant())
}

static INIT: Once = Once::new();

/// Process-wide setup: the TLS crypto provider, the keys, and the watched log (echoed to
/// stderr when `TEST_LOG` is set).
pub fn init_process() {
    INIT.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
        // the store's keys, as every app of the tests installs them (also for tests that use
        // the store without an app)
        let settings = test_settings("sqlite::memory:");
        let ring = dinhdanh::crypto::KeyRing::from_settings(&settings).expect("test keys").expect("configured");
        dinhdanh::crypto::install(std::sync::Arc::new(ring));
        log_watch::install();
    });
}

/// Fixed personal-data keys of the tests (base64 of 32 bytes): nothing is written to `var/`.
pub const TEST_DATA_KEY: &str = "dGVzdC1kYXRhLWtleS10ZXN0LWRhdGEta2V5LTAxMjM=";
pub const TEST_INDEX_KEY: &str = "dGVzdC1pbmRleC1rZXktdGVzdC1pbmRleC1rZXktMDE=";

/// Test settings on a given database: port 0, one worker, a fixed secret and fixed keys, a
/// pinned clock, and the registry simulator's population in its own file beside the database.
pub fn test_settings(database_url: &str) -> Settings {
    let mut settings = Settings {
        clock: Clock::pinned(pinned_instant()),
        bind: "127.0.0.1:0".to_owned(),
        database_url: database_url.to_owned(),
        database_max_connections: 4,
        jwt_secret: Some(Secret::new("test-secret-test-secret-test-secret-0123")),
        data_keys: Some(Secret::new(TEST_DATA_KEY)),
        index_key: Some(Secret::new(TEST_INDEX_KEY)),
        http_workers: 1,
        login_max_failures: 3,
        ..Settings::default()
    };
    settings.registry_sim.database_url = registry_sim_url(database_url);
    settings
}

/// Starts the app on a fresh database with the fixture tree.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Same, with settings adjusted first.
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
    init_process();
    let db = TestDb::migrated().await;
    spawn_app_on(db, adjust).await
}

/// Same, on a database the caller prepared (e.g. one a registry simulator already reads).
pub async fn spawn_app_on(db: TestDb, adjust: impl FnOnce(&mut Settings)) -> TestApp {
    spawn_app_prepared(db, None, adjust).await
}

/// Migrates a fresh database and seeds the fixture tree without starting an app, so a test can
/// work on the schema (e.g. migrate down and up) with no background worker touching it; start
/// the app afterwards with [`spawn_app_prepared`].
pub async fn prepare_fixtures(db: &TestDb) -> (sea_orm::DatabaseConnection, Fixtures) {
    init_process();
    let settings = test_settings(&db.url);
    let conn = dinhdanh::db::connect(&settings).await.expect("connect");
    dinhdanh::db::migrate(&conn).await.expect("migrate");
    let fixtures = seed_fixtures(&Store::new(conn.clone()), &settings).await.expect("fixtures");
    (conn, fixtures)
}

/// Starts the app on `db`; seeds the fixture tree unless the caller already did (`fixtures`).
pub async fn spawn_app_prepared(db: TestDb, fixtures: Option<Fixtures>, adjust: impl FnOnce(&mut Settings)) -> TestApp {
    init_process();
    let mut settings = test_settings(&db.url);
    adjust(&mut settings);
    let app = Application::build(settings.clone()).await.expect("build app");
    let port = app.port();
    let store = app.state.store.clone();
    let worker_events = app.state.worker_events.clone();
    let fixtures = match fixtures {
        Some(fixtures) => fixtures,
        None => seed_fixtures(&store, &settings).await.expect("fixtures"),
    };
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address: format!("http://127.0.0.1:{port}"),
        client: reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client"),
        store,
        fixtures,
        clock: settings.clock.clone(),
        settings,
        db,
        worker_events,
    }
}

/// Seeds the fixture tree (units, classes, accounts) into a migrated database.
pub async fn seed_fixtures(store: &Store, settings: &Settings) -> anyhow::Result<Fixtures> {
    let db = &store.db;
    let year = settings.school_year_now();
    let unit =
        |parent: Option<i64>, kind: UnitKind, code: &str, name: &str, level: Option<SchoolLevel>| units::NewUnit {
            parent_id: parent,
            kind,
            code: code.to_owned(),
            name: name.to_owned(),
            level,
            province_code: Some("31".to_owned()),
            district_code: None,
            commune_code: None,
            address: None,
            phone: None,
            email: None,
        };
    let dept = units::create(db, unit(None, UnitKind::Department, "SGD-T", "Sở GDĐT Thử nghiệm", None)).await?;
    let dist_a = units::create(db, unit(Some(dept.id), UnitKind::District, "PGD-A", "Phòng GDĐT quận A", None)).await?;
    let dist_b =
        units::create(db, unit(Some(dept.id), UnitKind::District, "PGD-B", "Phòng GDĐT huyện B", None)).await?;
    let a1 =
        units::create(db, unit(Some(dist_a.id), UnitKind::School, "A1", "Trường THCS A1", Some(SchoolLevel::Thcs)))
            .await?;
    let a2 =
        units::create(db, unit(Some(dist_a.id), UnitKind::School, "A2", "Trường THCS A2", Some(SchoolLevel::Thcs)))
            .await?;
    let b1 =
        units::create(db, unit(Some(dist_b.id), UnitKind::School, "B1", "Trường THPT B1", Some(SchoolLevel::Thpt)))
            .await?;
    let class = |school_id: i64, grade: i32, name: &str| classes::NewClass {
        school_id,
        school_year: year.clone(),
        grade,
        name: name.to_owned(),
    };
    let c6a = classes::create(db, class(a1.id, 6, "6A")).await?;
    let c6b = classes::create(db, class(a1.id, 6, "6B")).await?;
    let c7a = classes::create(db, class(a2.id, 7, "7A")).await?;
    let c10a = classes::create(db, class(b1.id, 10, "10A")).await?;
    let hash = dinhdanh::auth::password::hash(PASSWORD)?;
    for (username, role, unit_id) in [
        ("department", Role::Department, dept.id),
        ("admin", Role::DepartmentAdmin, dept.id),
        ("district-a", Role::District, dist_a.id),
        ("district-b", Role::District, dist_b.id),
        ("school-a1", Role::School, a1.id),
        ("school-a2", Role::School, a2.id),
        ("school-b1", Role::School, b1.id),
    ] {
        users::create(
            db,
            users::NewUser {
                username: username.to_owned(),
                password_hash: hash.clone(),
                role,
                unit_id,
                display_name: format!("Tài khoản {username}"),
            },
        )
        .await?;
    }
    Ok(Fixtures {
        department: dept.id,
        district_a: dist_a.id,
        district_b: dist_b.id,
        school_a1: a1.id,
        school_a2: a2.id,
        school_b1: b1.id,
        class_a1_6a: c6a.id,
        class_a1_6b: c6b.id,
        class_a2_7a: c7a.id,
        class_b1_10a: c10a.id,
    })
}

/// An HTTP answer read whole.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Answer {
    /// The `Content-Type` header, or "".
    pub fn content_type(&self) -> &str {
        self.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("")
    }

    /// Asserts a problem+json answer with this status and code.
    #[track_caller]
    pub fn assert_problem(&self, status: u16, code: &str) {
        assert_eq!(self.status, status, "body: {}", self.text);
        assert_eq!(self.content_type(), "application/problem+json", "body: {}", self.text);
        assert_eq!(self.body["code"], code, "body: {}", self.text);
        assert_eq!(self.body["status"], status);
        assert!(self.body["title"].is_string());
        assert_eq!(self.body["type"], format!("urn:dinhdanh:problem:{code}"));
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    async fn read(res: reqwest::Response) -> Answer {
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let text = res.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Answer { status, headers, body, text }
    }

    /// Sends a request with an optional bearer token and JSON body.
    pub async fn send(&self, method: reqwest::Method, path: &str, token: Option<&str>, body: Option<&Value>) -> Answer {
        let mut req = self.client.request(method, self.url(path));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            // what a request carries must never show up in the server's log
            log_watch::watch().register_json(body);
            req = req.json(body);
        }
        Self::read(req.send().await.expect("request")).await
    }

    pub async fn get(&self, path: &str, token: &str) -> Answer {
        self.send(reqwest::Method::GET, path, Some(token), None).await
    }
    pub async fn post(&self, path: &str, token: &str, body: &Value) -> Answer {
        self.send(reqwest::Method::POST, path, Some(token), Some(body)).await
    }
    pub async fn patch(&self, path: &str, token: &str, body: &Value) -> Answer {
        self.send(reqwest::Method::PATCH, path, Some(token), Some(body)).await
    }
    pub async fn delete(&self, path: &str, token: &str) -> Answer {
        self.send(reqwest::Method::DELETE, path, Some(token), None).await
    }

    /// Signs in as a fixture account and returns the access token.
    pub async fn login(&self, username: &str) -> String {
        let res = self
            .send(
                reqwest::Method::POST,
                "/api/v1/auth/login",
                None,
                Some(&serde_json::json!({"username": username, "password": PASSWORD})),
            )
            .await;
        assert_eq!(res.status, 200, "login {username}: {}", res.text);
        let token = res.body["accessToken"].as_str().expect("token").to_owned();
        log_watch::watch().register_token(&token);
        token
    }

    /// Creates a student in a class through the API as the given account; returns its JSON.
    /// The full ID number of a record (`POST …/reveal`), as the school that edits it sees it
    /// on request; `person` is the record as the API answered it (its `kind` and `id`).
    pub async fn reveal(&self, token: &str, person: &Value) -> Option<String> {
        let resource = if person["kind"] == "staff" { "staff" } else { "students" };
        let path = format!("/api/v1/{resource}/{}/reveal", person["id"]);
        let res = self.post(&path, token, &serde_json::json!({"fields": ["personalId"]})).await;
        assert_eq!(res.status, 200, "reveal {path}: {}", res.text);
        res.body["personalId"].as_str().map(str::to_owned)
    }

    pub async fn create_student(&self, token: &str, class_id: i64, fields: Value) -> Value {
        let mut body = serde_json::json!({ "classId": class_id });
        if let (Some(b), Some(f)) = (body.as_object_mut(), fields.as_object()) {
            for (k, v) in f {
                b.insert(k.clone(), v.clone());
            }
        }
        let res = self.post("/api/v1/students", token, &body).await;
        assert_eq!(res.status, 201, "create student: {}", res.text);
        res.body
    }
}

impl TestApp {
    /// Creates a staff member through the API as the given account (in `unit_id`, or the
    /// account's own unit); returns its JSON.
    pub async fn create_staff(&self, token: &str, unit_id: Option<i64>, fields: Value) -> Value {
        let mut body = serde_json::json!({ "unitId": unit_id });
        if let (Some(b), Some(f)) = (body.as_object_mut(), fields.as_object()) {
            for (k, v) in f {
                b.insert(k.clone(), v.clone());
            }
        }
        let res = self.post("/api/v1/staff", token, &body).await;
        assert_eq!(res.status, 201, "create staff: {}", res.text);
        res.body
    }

    /// Writes a verification answer onto a record as the registry would (status, mismatch
    /// fields, at `at` or now), keeping the statistics counters in step.
    pub async fn set_status_at(
        &self,
        person_id: i64,
        status: &str,
        mismatch_fields: &[&str],
        at: Option<chrono::DateTime<chrono::Utc>>,
    ) {
        use dinhdanh::domain::org::VerificationStatus;
        use dinhdanh::store::audit::{AuditCtx, Source};
        let status = VerificationStatus::parse(status).expect("known status");
        let at = at.unwrap_or_else(|| self.clock.now());
        let ctx = AuditCtx::system(Source::Registry, None, at);
        dinhdanh::store::counters::write_status(&self.store.db, &ctx, person_id, status, mismatch_fields, at)
            .await
            .expect("write status");
    }

    /// [`TestApp::set_status_at`] at the clock's now.
    pub async fn set_status(&self, person_id: i64, status: &str, mismatch_fields: &[&str]) {
        self.set_status_at(person_id, status, mismatch_fields, None).await;
    }
}

impl Drop for TestApp {
    /// The log stayed clean (see [`log_watch`]).
    fn drop(&mut self) {
        log_watch::watch().assert_clean();
    }
}

impl TestApp {
    /// Today in Vietnam by the application's clock.
    pub fn today(&self) -> NaiveDate {
        self.clock.today()
    }

    /// Waits until `check` answers `Some`, re-checking each time a background worker signals a
    /// change (the drain hook), never on a timer. Fails after 60 s without an answer.
    pub async fn wait_for_worker<T, F, Fut>(&self, what: &str, mut check: F) -> T
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Option<T>>,
    {
        let mut events = self.worker_events.subscribe();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        loop {
            events.borrow_and_update();
            if let Some(found) = check().await {
                return found;
            }
            match tokio::time::timeout_at(deadline, events.changed()).await {
                Ok(Ok(())) => {}
                Ok(Err(_)) => panic!("the workers stopped while waiting for {what}"),
                Err(_) => panic!("no worker event brought {what} within 60 s"),
            }
        }
    }
}

/// The `dinhdanh` binary of this workspace, built if needed (`CARGO_BIN_EXE_*` only exists for
/// the crate that owns the binary), for tests of the command line.
pub fn dinhdanh_binary() -> std::path::PathBuf {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf();
    let root = root.parent().map(std::path::Path::to_path_buf).unwrap_or(root);
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    // the test's environment (CARGO_PKG_*, …) would make cargo rebuild: pass only what a shell has
    let mut build = std::process::Command::new(cargo);
    build.args(["build", "-q", "-p", "dinhdanh", "--bin", "dinhdanh"]).current_dir(&root).env_clear();
    for key in ["PATH", "HOME", "CARGO_HOME", "RUSTUP_HOME", "RUSTUP_TOOLCHAIN", "CARGO_TARGET_DIR", "RUSTFLAGS"] {
        if let Some(v) = std::env::var_os(key) {
            build.env(key, v);
        }
    }
    assert!(build.status().expect("cargo build").success(), "building the dinhdanh binary failed");
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map(std::path::PathBuf::from).unwrap_or_else(|| root.join("target"));
    let binary = target.join("debug").join(format!("dinhdanh{}", std::env::consts::EXE_SUFFIX));
    assert!(binary.exists(), "{} missing", binary.display());
    binary
}

/// Runs the `dinhdanh` command on a database with a clean environment; (exit code, stdout,
/// stderr).
pub fn run_dinhdanh(database_url: &str, args: &[&str]) -> (i32, String, String) {
    run_dinhdanh_env(database_url, args, &[])
}

/// [`run_dinhdanh`] with more environment variables (keys, the simulator's database).
pub fn run_dinhdanh_env(database_url: &str, args: &[&str], envs: &[(&str, &str)]) -> (i32, String, String) {
    let out = std::process::Command::new(dinhdanh_binary())
        .args(args)
        .env_clear()
        .envs(envs.iter().copied())
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("DATABASE_URL", database_url)
        .env("APP_JWT_SECRET", "cli-test-secret-cli-test-secret-cli-test-0123")
        .env("APP_BIND", "127.0.0.1:0")
        .env("RUST_LOG", "warn")
        .output()
        .expect("run dinhdanh");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
