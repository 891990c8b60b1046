//! The web app's most frequent reads under 100 concurrent clients, measured with `wrk` (Debian's
//! package) against the real release binary: `dinhdanh serve --demo` on a fresh database
//! (SQLite, then PostgreSQL when `TEST_DATABASE_URL` is set, in a database of its own that is
//! dropped afterwards), signed in as the demo school's clerk.
//!
//! Two scenarios, each `BENCH_READS_SECS` (default 10) seconds after a 2-second warm-up:
//! - the class page: `GET /api/v1/students?classId=…` (a page of up to 50), over every class of
//!   the school in turn;
//! - the classes page: `GET /api/v1/classes?schoolId=…` and `GET /api/v1/stats/progress?unitId=…
//!   &population=students` in turn (the two calls the page makes).
//!
//! Prints requests/s, p50/p95/p99, the share of non-2xx answers and the mean answer size, beside
//! the issue's target (≥ 1,000 requests/s, p95 ≤ 100 ms). Figures are printed, never asserted.
//!
//! `cargo bench -p dinhdanh --bench reads` (part of `make bench`). Environment:
//! `BENCH_READS_STUDENTS` (default 20,000: the demo's size), `BENCH_READS_CONNECTIONS` (100),
//! `BENCH_READS_SECS` (10).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, Database};
use serde_json::Value;

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// A `dinhdanh serve --demo` process in a folder of its own (its keys, SQLite files and log).
struct Server {
    child: Child,
    url: String,
    dir: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn free_port() -> std::io::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn start(label: &str, database_url: Option<&str>, students: u32) -> Result<Server, Box<dyn std::error::Error>> {
    let dir = std::env::temp_dir().join(format!("dinhdanh-bench-reads-{}-{label}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let port = free_port()?;
    let log = std::fs::File::create(dir.join("server.log"))?;
    let mut command = Command::new(env!("CARGO_BIN_EXE_dinhdanh"));
    command
        .args(["serve", "--demo"])
        .current_dir(&dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("APP_BIND", format!("127.0.0.1:{port}"))
        .env("APP_DEMO_STUDENTS", students.to_string())
        .env("RUST_LOG", "warn")
        .stdout(log.try_clone()?)
        .stderr(log);
    if let Some(url) = database_url {
        command.env("DATABASE_URL", url);
    }
    let child = command.spawn()?;
    Ok(Server { child, url: format!("http://127.0.0.1:{port}"), dir })
}

/// Waits for the health check to answer (the demo is seeded before the server listens).
async fn ready(server: &mut Server, http: &reqwest::Client) -> Result<Duration, Box<dyn std::error::Error>> {
    let started = Instant::now();
    loop {
        if let Some(status) = server.child.try_wait()? {
            let log = std::fs::read_to_string(server.dir.join("server.log")).unwrap_or_default();
            return Err(format!("the server stopped ({status}):\n{log}").into());
        }
        if let Ok(r) = http.get(format!("{}/health", server.url)).send().await
            && r.status().is_success()
        {
            return Ok(started.elapsed());
        }
        if started.elapsed() > Duration::from_secs(1800) {
            return Err("the server did not answer within 30 minutes".into());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn get_json(http: &reqwest::Client, url: &str, token: &str) -> Result<Value, Box<dyn std::error::Error>> {
    let r = http.get(url).bearer_auth(token).send().await?;
    if !r.status().is_success() {
        return Err(format!("GET {url}: {}", r.status()).into());
    }
    Ok(r.json().await?)
}

/// One `wrk` run's figures, read from the line the script's `done` prints.
struct Figures {
    requests: u64,
    secs: f64,
    p50_ms: f64,
    p95_ms: f64,
    p99_ms: f64,
    non_2xx: u64,
    bytes: u64,
}

/// The wrk script: requests go round `paths` (each thread from its own offset), with the bearer
/// token; `done` prints the figures on one line.
fn script(paths: &[String], token: &str) -> String {
    let list: Vec<String> = paths.iter().map(|p| format!("{p:?}")).collect();
    format!(
        r#"local paths = {{ {list} }}
local n = 0
local offset = 0
local counter = 0
setup = function(thread)
  counter = counter + 1
  thread:set("offset", counter * 7)
end
init = function(args)
  wrk.headers["Authorization"] = "Bearer {token}"
end
request = function()
  n = n + 1
  return wrk.format("GET", paths[((n + offset) % #paths) + 1])
end
done = function(summary, latency, requests)
  io.write(string.format("FIGURES %d %d %.3f %.3f %.3f %d %d\n", summary.requests, summary.duration,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.errors.status, summary.bytes))
end
"#,
        list = list.join(", ")
    )
}

fn wrk(
    dir: &Path,
    base: &str,
    paths: &[String],
    token: &str,
    secs: u64,
    connections: u32,
) -> Result<Figures, Box<dyn std::error::Error>> {
    let file = dir.join("reads.lua");
    std::fs::write(&file, script(paths, token))?;
    let out = Command::new("wrk")
        .args(["-t2", &format!("-c{connections}"), &format!("-d{secs}s"), "--timeout", "10s", "-s"])
        .arg(&file)
        .arg(base)
        .output()?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let line =
        text.lines().find(|l| l.starts_with("FIGURES ")).ok_or_else(|| format!("wrk printed no figures:\n{text}"))?;
    let f: Vec<f64> = line.split_whitespace().skip(1).filter_map(|v| v.parse().ok()).collect();
    let [requests, micros, p50_ms, p95_ms, p99_ms, non_2xx, bytes] = f[..] else {
        return Err(format!("unexpected figures: {line}").into());
    };
    Ok(Figures {
        requests: requests as u64,
        secs: micros / 1e6,
        p50_ms,
        p95_ms,
        p99_ms,
        non_2xx: non_2xx as u64,
        bytes: bytes as u64,
    })
}

fn print(label: &str, scenario: &str, f: &Figures) {
    let rps = f.requests as f64 / f.secs;
    let met = if rps >= 1000.0 && f.p95_ms <= 100.0 { "target met" } else { "target NOT met" };
    println!(
        "reads {label:<10} {scenario:<14} {rps:>7.0} req/s  p50 {:>6.1} ms  p95 {:>6.1} ms  p99 {:>6.1} ms  non-2xx {}  {:.1} KB/answer  ({met}: >= 1000 req/s, p95 <= 100 ms)",
        f.p50_ms,
        f.p95_ms,
        f.p99_ms,
        f.non_2xx,
        f.bytes as f64 / f.requests.max(1) as f64 / 1024.0
    );
}

async fn measure(label: &str, database_url: Option<&str>) -> Result<(), Box<dyn std::error::Error>> {
    let students: u32 = env_or("BENCH_READS_STUDENTS", 20_000);
    let secs: u64 = env_or("BENCH_READS_SECS", 10);
    let connections: u32 = env_or("BENCH_READS_CONNECTIONS", 100);
    let http = reqwest::Client::new();
    let mut server = start(label, database_url, students)?;
    let seeded = ready(&mut server, &http).await?;
    println!("reads {label:<10} demo of {students} students seeded and serving in {:.1} s", seeded.as_secs_f64());
    let login: Value = http
        .post(format!("{}/api/v1/auth/login", server.url))
        .json(&serde_json::json!({"username": "demo-school", "password": "demo"}))
        .send()
        .await?
        .json()
        .await?;
    let token = login["accessToken"].as_str().ok_or_else(|| format!("no token: {login}"))?.to_owned();
    let classes = get_json(&http, &format!("{}/api/v1/classes", server.url), &token).await?;
    let items = classes["items"].as_array().ok_or("no classes")?;
    let school = items.first().and_then(|c| c["schoolId"].as_i64()).ok_or("the demo school has no class")?;
    let class_pages: Vec<String> =
        items.iter().filter_map(|c| c["id"].as_i64()).map(|id| format!("/api/v1/students?classId={id}")).collect();
    let classes_page = vec![
        format!("/api/v1/classes?schoolId={school}"),
        format!("/api/v1/stats/progress?unitId={school}&population=students"),
    ];
    for (scenario, paths) in [("class page", &class_pages), ("classes page", &classes_page)] {
        wrk(&server.dir, &server.url, paths, &token, 2, connections)?;
        let f = wrk(&server.dir, &server.url, paths, &token, secs, connections)?;
        print(label, scenario, &f);
    }
    Ok(())
}

/// A database of its own on the PostgreSQL of `TEST_DATABASE_URL`, dropped afterwards.
async fn with_postgres(admin_url: &str) -> Result<(), Box<dyn std::error::Error>> {
    let name = format!("bench_reads_{}", std::process::id());
    let admin = Database::connect(admin_url).await?;
    admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name}")).await?;
    admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await?;
    let base = admin_url.rsplit_once('/').map_or(admin_url, |(base, _)| base);
    let result = measure("PostgreSQL", Some(&format!("{base}/{name}"))).await;
    admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await?;
    result
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    if Command::new("wrk").arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status().is_err() {
        println!("reads: skipped (wrk is not installed: apt-get install -y wrk)");
        return Ok(());
    }
    // reqwest is built without a default TLS provider (the registry client installs ring's)
    let _ = rustls::crypto::ring::default_provider().install_default();
    measure("SQLite", None).await?;
    match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if url.starts_with("postgres") => with_postgres(&url).await?,
        _ => println!("reads: PostgreSQL skipped (TEST_DATABASE_URL is not set)"),
    }
    Ok(())
}
