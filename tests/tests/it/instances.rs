//! Server processes that die mid-job (issue 16, step 3): `kill -9` of the only server while a
//! verification job runs (the restarted one resumes it), and of one of two servers working on
//! one database (the survivor takes the dead one's batches over once their lease runs out). In
//! both, every item is processed by the registry exactly once, answered once and counted once,
//! and the statistics counters equal a recount. Real `dinhdanh serve` processes against the
//! registry simulator in the test process. And instances starting together on a fresh database
//! migrate it once (without the lock, the second fails on a duplicate migration). On SQLite,
//! and on PostgreSQL when `TEST_DATABASE_URL` is set.

use std::collections::BTreeSet;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::hostile::server_binary;
use crate::verification::sim_on;
use dinhdanh::domain::access::{Caller, Role};
use dinhdanh::registry::sim::SimHandle;
use dinhdanh::store::audit::AuditCtx;
use dinhdanh::store::entities::{
    classes, units, users, verification_batches, verification_history, verification_job_items, verification_jobs,
};
use dinhdanh::store::verification::{self, JobScope};
use dinhdanh_tests::{TestDb, test_settings};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};

/// A seeded database whose one school holds every student, a simulator that knows them, and
/// a job queued for them that no server has started on yet.
struct Campaign {
    _db: TestDb,
    url: String,
    sim: SimHandle,
    conn: DatabaseConnection,
    job_id: i64,
    total: i64,
    sendable: usize,
}

async fn campaign() -> Campaign {
    let db = TestDb::fresh().await;
    let sim = sim_on(&db.url, |s| {
        s.latency_ms_min = 5;
        s.latency_ms_max = 25;
    })
    .await;
    let conn = dinhdanh::db::connect(&test_settings(&db.url)).await.expect("connect");
    dinhdanh::db::migrate(&conn).await.expect("migrate");
    let store = dinhdanh::store::Store::new(conn.clone());
    dinhdanh::demo::seed(&store, sim.population(), 400, 11, &test_settings(&db.url).clock).await.expect("seed");
    // one school holds every student (only the unit that holds records sends them, and the job
    // must be big enough to be killed part-way)
    let school = units::Entity::find()
        .filter(units::Column::Kind.eq("school"))
        .order_by_asc(units::Column::Id)
        .one(&conn)
        .await
        .expect("query")
        .expect("school");
    let class = classes::Entity::find()
        .filter(classes::Column::SchoolId.eq(school.id))
        .one(&conn)
        .await
        .expect("query")
        .expect("class");
    conn.execute_unprepared(&format!(
        "UPDATE people SET unit_id = {}, class_id = {} WHERE kind = 'student'",
        school.id, class.id
    ))
    .await
    .expect("move the students");
    dinhdanh::store::counters::rebuild_atomically(&conn).await.expect("recount");
    let user = users::Entity::find()
        .filter(users::Column::Username.eq("demo-school"))
        .one(&conn)
        .await
        .expect("query")
        .expect("user");
    let caller = Caller {
        user_id: user.id,
        username: user.username.clone(),
        role: Role::School,
        unit_id: school.id,
        unit_path: school.path.clone(),
    };
    let job = verification::create_job(
        &conn,
        &caller,
        &AuditCtx::manual(&caller, None, dinhdanh_tests::pinned_instant()),
        JobScope::default(),
    )
    .await
    .expect("job");
    let sendable = usize::try_from(job.totals.queued).expect("count");
    assert!(sendable > 300, "{:?}", job.totals);
    let url = db.url.clone();
    Campaign { _db: db, url, sim, conn, job_id: job.job.id, total: i64::from(job.job.total), sendable }
}

/// `dinhdanh serve` on the campaign's database, sending to its simulator: small batches at a
/// limited rate (so a job lasts long enough to be killed part-way) and a two-second lease.
fn start_server(binary: &std::path::Path, c: &Campaign) -> Child {
    Command::new(binary)
        .arg("serve")
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("DATABASE_URL", &c.url)
        .env("APP_JWT_SECRET", "restart-test-secret-restart-test-secret-0123")
        // the keys that sealed the seeded records (the server refuses to start without them)
        .env("APP_DATA_KEYS", dinhdanh_tests::TEST_DATA_KEY)
        .env("APP_INDEX_KEY", dinhdanh_tests::TEST_INDEX_KEY)
        .env("APP_BIND", "127.0.0.1:0")
        .env("APP_STATS__SNAPSHOT_INTERVAL_MINUTES", "0")
        .env("APP_REGISTRY__BASE_URL", &c.sim.url)
        .env("APP_REGISTRY__BATCH_SIZE", "10")
        .env("APP_REGISTRY__RATE_LIMIT_PER_SEC", "20")
        .env("APP_REGISTRY__CONCURRENCY", "2")
        .env("APP_REGISTRY__TIMEOUT_MS", "1000")
        .env("APP_REGISTRY__LEASE_SECS", "2")
        .env("APP_REGISTRY__POLL_INTERVAL_MS", "50")
        .env("RUST_LOG", "warn,sqlx=error")
        .stdout(Stdio::null())
        .spawn()
        .expect("start dinhdanh serve")
}

/// Polls `done` every 20 ms until it holds (`secs` at most).
async fn wait_until<F: std::future::Future<Output = bool>>(what: &str, secs: u64, mut done: impl FnMut() -> F) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    let mut cadence = tokio::time::interval(Duration::from_millis(20));
    loop {
        cadence.tick().await;
        if done().await {
            return;
        }
        assert!(tokio::time::Instant::now() < deadline, "{what}: not within {secs} s");
    }
}

fn kill(mut server: Child) {
    server.kill().expect("SIGKILL");
    server.wait().expect("reaped");
}

async fn job_status(c: &Campaign) -> String {
    verification_jobs::Entity::find_by_id(c.job_id).one(&c.conn).await.expect("query").expect("job").status
}

/// Waits until the registry has processed a third of the job; the number processed then.
async fn a_third_done(c: &Campaign) -> usize {
    wait_until("the servers get going", 60, || async { c.sim.processed_counts().len() >= c.sendable / 3 }).await;
    let at_kill = c.sim.processed_counts().len();
    assert!(at_kill < c.sendable, "killed mid-job ({at_kill} of {})", c.sendable);
    at_kill
}

async fn finished(c: &Campaign) {
    wait_until("the job finishes", 120, || async { job_status(c).await == "done" }).await;
}

/// Every item sent was processed by the registry exactly once, answered once and counted
/// once; the counters equal a recount.
async fn every_item_exactly_once(c: &Campaign) {
    let counts = c.sim.processed_counts();
    assert!(counts.values().all(|n| *n == 1), "an item was processed twice");
    let sent: BTreeSet<String> = verification_job_items::Entity::find()
        .filter(verification_job_items::Column::JobId.eq(c.job_id))
        .filter(verification_job_items::Column::SentVersion.is_not_null())
        .all(&c.conn)
        .await
        .expect("items")
        .into_iter()
        .map(|i| i.id.to_string())
        .collect();
    let processed: BTreeSet<String> = counts.keys().cloned().collect();
    assert_eq!(processed, sent, "every item sent, none lost");
    let totals = verification::totals(&c.conn, c.job_id).await.expect("totals");
    assert_eq!(totals.queued, 0);
    assert_eq!(totals.done(), c.total);
    let history = verification_history::Entity::find()
        .filter(verification_history::Column::JobId.eq(c.job_id))
        .all(&c.conn)
        .await
        .expect("history");
    assert_eq!(history.len(), sent.len(), "one answer recorded per item");
    let distinct: BTreeSet<Option<i64>> = history.iter().map(|h| h.item_id).collect();
    assert_eq!(distinct.len(), sent.len());
    let open = verification_batches::Entity::find()
        .filter(verification_batches::Column::Status.eq("open"))
        .count(&c.conn)
        .await
        .expect("count");
    assert_eq!(open, 0, "no batch left in flight");
    let drift = dinhdanh::store::counters::drift(&c.conn).await.expect("drift");
    assert!(drift.is_empty(), "{drift:?}");
}

#[tokio::test]
async fn a_killed_server_resumes_its_job_and_sends_every_item_exactly_once() {
    let binary = server_binary();
    let c = campaign().await;
    // first run: killed (SIGKILL) a third of the way through
    let first = start_server(&binary, &c);
    let at_kill = a_third_done(&c).await;
    kill(first);
    eprintln!("killed after {at_kill} of {} items", c.sendable);
    assert_ne!(job_status(&c).await, "done");
    // second run: resumes, including the batches the killed process held
    let second = start_server(&binary, &c);
    finished(&c).await;
    kill(second);
    every_item_exactly_once(&c).await;
}

#[tokio::test]
async fn of_two_servers_on_one_database_the_survivor_finishes_the_killed_ones_work() {
    let binary = server_binary();
    let c = campaign().await;
    let first = start_server(&binary, &c);
    let second = start_server(&binary, &c);
    // both take part: each claims batches under its own token
    wait_until("both servers claim batches", 60, || async {
        let tokens: BTreeSet<String> = verification_batches::Entity::find()
            .all(&c.conn)
            .await
            .expect("batches")
            .into_iter()
            .map(|b| b.claim_token)
            .collect();
        tokens.len() >= 2
    })
    .await;
    let at_kill = a_third_done(&c).await;
    // the first dies holding batches: the second, still running, takes them over
    kill(first);
    eprintln!("one of two killed after {at_kill} of {} items", c.sendable);
    finished(&c).await;
    kill(second);
    every_item_exactly_once(&c).await;
}

#[tokio::test]
async fn instances_starting_together_migrate_the_database_once() {
    use sea_orm::Statement;
    // a fresh database, and three instances starting on it at once (pools of their own, as
    // processes have): one migrates, the others wait and find nothing pending
    let db = TestDb::fresh().await;
    let settings = test_settings(&db.url);
    let mut pools = Vec::new();
    for _ in 0..3 {
        pools.push(dinhdanh::db::connect(&settings).await.expect("connect"));
    }
    let (a, b, c) = tokio::join!(
        dinhdanh::db::migrate(&pools[0]),
        dinhdanh::db::migrate(&pools[1]),
        dinhdanh::db::migrate(&pools[2])
    );
    for (n, migrated) in [a, b, c].into_iter().enumerate() {
        migrated.unwrap_or_else(|e| panic!("instance {n} failed to start: {e}"));
    }
    let conn = &pools[0];
    let row = conn
        .query_one_raw(Statement::from_string(
            conn.get_database_backend(),
            "SELECT COUNT(*) AS n, COUNT(DISTINCT version) AS d FROM seaql_migrations",
        ))
        .await
        .expect("query")
        .expect("a row");
    let n: i64 = row.try_get("", "n").expect("n");
    let d: i64 = row.try_get("", "d").expect("d");
    assert!(n > 10, "{n} migrations applied");
    assert_eq!(n, d, "a migration applied twice");
    // and the schema is whole: the seeded fixtures go in
    let store = dinhdanh::store::Store::new(conn.clone());
    dinhdanh_tests::seed_fixtures(&store, &settings).await.expect("fixtures on the migrated schema");
    for pool in pools {
        pool.close().await.ok();
    }
}
