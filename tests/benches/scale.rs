//! A province on PostgreSQL (issue 16, step 3): creates a fresh database, seeds it with
//! `dinhdanh seed-demo --students N` (the release binary, personal-data keys installed), times
//! the seed, starts `dinhdanh serve` on it and times the dashboard's and the lists' calls over
//! HTTP (sequential, after warm-up calls), printing p50/p95; drops the database at the end.
//! Prints figures; asserts none. Not part of CI or `make test`: `make bench-scale`.
//!
//! Environment: `BENCH_SCALE_STUDENTS` (default 5000000), `BENCH_SCALE_CALLS` (default 100),
//! `TEST_DATABASE_URL` (a PostgreSQL server; default postgres://postgres@127.0.0.1:5432/test,
//! its database name is replaced), `DINHDANH_BIN` (default target/release/dinhdanh),
//! `BENCH_SCALE_KEEP=1` keeps the database (and prints its URL) for `EXPLAIN`.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, Database};

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// `postgres://user@host:port/db` with another database name.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map(|(b, q)| (b, Some(q))).unwrap_or((url, None));
    let root = base.rsplit_once('/').map(|(r, _)| r).unwrap_or(base);
    match query {
        Some(q) => format!("{root}/{name}?{q}"),
        None => format!("{root}/{name}"),
    }
}

fn random_key() -> String {
    let out = Command::new("openssl").args(["rand", "-base64", "32"]).output().expect("openssl rand");
    String::from_utf8(out.stdout).expect("utf-8").trim().to_owned()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// The server process, stopped when dropped.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

struct Bench {
    client: reqwest::Client,
    base: String,
    calls: usize,
}

impl Bench {
    async fn login(&self, username: &str) -> (String, serde_json::Value) {
        let res = self
            .client
            .post(format!("{}/api/v1/auth/login", self.base))
            .json(&serde_json::json!({"username": username, "password": "demo"}))
            .send()
            .await
            .expect("login");
        assert!(res.status().is_success(), "login {username}: {}", res.status());
        let body: serde_json::Value = res.json().await.expect("json");
        (body["accessToken"].as_str().expect("token").to_owned(), body["user"].clone())
    }

    async fn time(&self, token: &str, label: &str, path: &str, calls: usize) -> Option<serde_json::Value> {
        let url = format!("{}{path}", self.base);
        let mut last = None;
        for _ in 0..3 {
            let res = self.client.get(&url).bearer_auth(token).send().await.expect("request");
            if !res.status().is_success() {
                println!("  {label:<52} {} {}", res.status(), res.text().await.unwrap_or_default());
                return None;
            }
            last = res.json::<serde_json::Value>().await.ok();
        }
        let mut times = Vec::with_capacity(calls);
        for _ in 0..calls {
            let started = Instant::now();
            let res = self.client.get(&url).bearer_auth(token).send().await.expect("request");
            let status = res.status();
            let _ = res.bytes().await.expect("body");
            times.push(started.elapsed());
            assert!(status.is_success(), "{label}: {status}");
        }
        times.sort();
        println!(
            "  {label:<52} p50 {:>8.2} ms   p95 {:>8.2} ms   max {:>8.2} ms   ({calls} calls)",
            percentile(&times, 50.0).as_secs_f64() * 1000.0,
            percentile(&times, 95.0).as_secs_f64() * 1000.0,
            times.last().copied().unwrap_or_default().as_secs_f64() * 1000.0,
        );
        last
    }
}

#[tokio::main]
async fn main() {
    let students: u32 = env_or("BENCH_SCALE_STUDENTS", 5_000_000);
    let calls: usize = env_or("BENCH_SCALE_CALLS", 100);
    let keep = std::env::var("BENCH_SCALE_KEEP").is_ok_and(|v| v == "1");
    let server_url =
        std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
    let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let bin =
        std::env::var("DINHDANH_BIN").map(PathBuf::from).unwrap_or_else(|_| workspace.join("target/release/dinhdanh"));
    assert!(bin.exists(), "{} missing: cargo build --release -p dinhdanh", bin.display());

    let name = format!("dinhdanh_scale_{}", std::process::id());
    let admin = Database::connect(with_database(&server_url, "postgres")).await.expect("connect to PostgreSQL");
    admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("create database");
    let url = with_database(&server_url, &name);
    let scratch = workspace.join("target").join(&name);
    std::fs::create_dir_all(&scratch).expect("scratch dir");
    let sim_url = format!("sqlite://{}?mode=rwc", scratch.join("registry-sim.db").display());
    let (data_key, index_key) = (random_key(), random_key());
    let command = |args: &[&str]| {
        let mut c = Command::new(&bin);
        c.args(args)
            .env("DATABASE_URL", &url)
            .env("APP_DATA_KEYS", &data_key)
            .env("APP_INDEX_KEY", &index_key)
            .env("APP_REGISTRY_SIM__DATABASE_URL", &sim_url)
            .env("APP_JWT_SECRET", "bench-scale-secret-bench-scale-secret-0123456789")
            .env("APP_LOG", "warn")
            .current_dir(&scratch);
        c
    };

    println!("scale benchmark on PostgreSQL ({name}): seed-demo --students {students} (release build, keys installed)");
    let started = Instant::now();
    let out = command(&["seed-demo", "--students", &students.to_string()])
        // each step's time and the progress of the people, from the seeder's log
        .env("APP_LOG", "warn,dinhdanh=info")
        .stderr(Stdio::inherit())
        .output()
        .expect("seed-demo");
    let seed_seconds = started.elapsed().as_secs_f64();
    print!("{}", String::from_utf8_lossy(&out.stdout));
    assert!(out.status.success(), "seed-demo failed");
    println!("  seed-demo, wall clock                                 {seed_seconds:>8.1} s");
    let sizes = admin
        .query_one_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Postgres,
            format!("SELECT pg_database_size('{name}') AS bytes"),
        ))
        .await
        .expect("size")
        .and_then(|r| r.try_get::<i64>("", "bytes").ok())
        .unwrap_or(0);
    println!("  database size                                         {:>8.2} GB", sizes as f64 / 1e9);

    let port = TcpListener::bind("127.0.0.1:0").expect("port").local_addr().expect("addr").port();
    let child = command(&["serve"])
        .env("APP_BIND", format!("127.0.0.1:{port}"))
        .env("APP_STATS__SNAPSHOT_INTERVAL_MINUTES", "0")
        .stdout(Stdio::null())
        .spawn()
        .expect("serve");
    let _server = Server(child);
    // reqwest is built without a default TLS provider (the workspace picks ring)
    let _ = rustls::crypto::ring::default_provider().install_default();
    let bench = Bench { client: reqwest::Client::new(), base: format!("http://127.0.0.1:{port}"), calls };
    let ready = Instant::now();
    loop {
        if let Ok(res) = bench.client.get(format!("{}/health", bench.base)).send().await
            && res.status().is_success()
        {
            break;
        }
        assert!(ready.elapsed() < Duration::from_secs(300), "the server did not start");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    println!("  serve: ready after                                    {:>8.1} s", ready.elapsed().as_secs_f64());

    let (department, _) = bench.login("demo-department").await;
    let (district, _) = bench.login("demo-district").await;
    let (_, school_user) = bench.login("demo-school").await;
    let school = school_user["unit"]["id"].as_i64().expect("school id");
    let n = bench.calls;
    println!("timings through HTTP (sequential calls, after 3 warm-up calls):");
    bench.time(&department, "progress, department", "/api/v1/stats/progress", n).await;
    bench.time(&district, "progress, one district office", "/api/v1/stats/progress", n).await;
    bench.time(&department, "progress, one school", &format!("/api/v1/stats/progress?unitId={school}"), n).await;
    bench.time(&department, "laggards, department", "/api/v1/stats/laggards", n).await;
    bench.time(&department, "reasons, department", "/api/v1/stats/reasons", n).await;
    bench.time(&department, "timeline, department", "/api/v1/stats/timeline", n).await;
    let page = bench
        .time(&department, "students, department, status=not_sent&page=3", "/api/v1/students?status=not_sent&page=3", n)
        .await;
    if let Some(page) = page {
        println!("    (total {}, {} on the page)", page["total"], page["items"].as_array().map_or(0, Vec::len));
    }
    let found = bench
        .time(&department, "students, department, q=nguyen thi hoa", "/api/v1/students?q=nguyen%20thi%20hoa", n)
        .await;
    if let Some(found) = found {
        println!("    (total {}, {} on the page)", found["total"], found["items"].as_array().map_or(0, Vec::len));
    }
    bench
        .time(&district, "students, district, status=not_sent&page=3", "/api/v1/students?status=not_sent&page=3", n)
        .await;
    bench.time(&district, "students, district, q=nguyen thi hoa", "/api/v1/students?q=nguyen%20thi%20hoa", n).await;

    drop(_server);
    if keep {
        println!("kept: {url}");
    } else {
        admin.execute_unprepared(&format!("DROP DATABASE {name} WITH (FORCE)")).await.expect("drop database");
        println!("database {name} dropped");
    }
    let _ = std::fs::remove_dir_all(&scratch);
}
