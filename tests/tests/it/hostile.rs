//! Hostile input and hostile load (issue 12): files built to make the reader allocate what they
//! declare rather than what they hold, a login flood, parallel password guessing, log lines
//! and headers, search wildcards, and a property-based fuzz suite of mutated workbooks and CSV
//! files. What is about memory or a crash runs against a separately spawned `dinhdanh serve`
//! process on a fresh database (its peak resident memory read from `/proc/<pid>/status`, reset
//! between requests through `/proc/<pid>/clear_refs`), so that one abort or one large
//! allocation cannot hide behind the shared test process. Runs on SQLite, and on PostgreSQL
//! when `TEST_DATABASE_URL` is set.
//!
//! The fuzz suite mutates valid workbooks inside their inflated XML parts (hostile attribute
//! values, fragments, long cells, byte edits) and zips them again, and mutates `.xls` and CSV
//! bytes; the cases come from proptest strategies with a fixed seed (`FUZZ_SEED`, default 12;
//! `FUZZ_CASES`, default 600 workbooks and half as many of each other kind). A failing case is
//! saved in `target/fuzz-failures/` and named in the failure with the edits that made it.

use std::collections::BTreeSet;
use std::io::{BufRead, Read, Write};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use dinhdanh_tests::{Answer, Fixtures, PASSWORD, TestDb, seed_fixtures, spawn_app, spawn_app_with, test_settings};
use rust_xlsxwriter::Workbook;
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------------
// a server in its own process

/// The `dinhdanh` binary of this workspace, built if needed (`CARGO_BIN_EXE_*` only exists for
/// the crate that owns the binary).
pub(crate) fn server_binary() -> std::path::PathBuf {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    // The test's environment (CARGO_PKG_*, …) would make cargo rebuild: pass only what a
    // shell would have.
    let mut build = Command::new(cargo);
    build.args(["build", "-q", "-p", "dinhdanh", "--bin", "dinhdanh"]).current_dir(&root).env_clear();
    for key in ["PATH", "HOME", "CARGO_HOME", "RUSTUP_HOME", "RUSTUP_TOOLCHAIN", "CARGO_TARGET_DIR", "RUSTFLAGS"] {
        if let Some(v) = std::env::var_os(key) {
            build.env(key, v);
        }
    }
    let status = build.status().expect("cargo build");
    assert!(status.success(), "building the dinhdanh binary failed");
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map(std::path::PathBuf::from).unwrap_or_else(|| root.join("target"));
    let binary = target.join("debug").join(format!("dinhdanh{}", std::env::consts::EXE_SUFFIX));
    assert!(binary.exists(), "{} missing", binary.display());
    binary
}

/// `dinhdanh serve` in a process of its own, on a fresh database with the fixture tree; its
/// standard output and error (the log) are kept line by line. Killed when dropped.
pub(crate) struct Server {
    child: Child,
    pid: u32,
    address: String,
    client: reqwest::Client,
    log: Arc<Mutex<Vec<String>>>,
    /// Woken each time a line is added to `log`.
    logged: Arc<tokio::sync::Notify>,
    pub(crate) fixtures: Fixtures,
    database_url: String,
    /// Dropped (and with it the database) after the process.
    _db: Option<TestDb>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts a server process with these settings (environment variables) on top of the defaults.
pub(crate) async fn server(env: &[(&str, &str)]) -> Server {
    let binary = server_binary();
    let db = TestDb::fresh().await;
    start_server_on(&binary, db, env, true).await
}

pub(crate) async fn start_server_on(binary: &std::path::Path, db: TestDb, env: &[(&str, &str)], seed: bool) -> Server {
    let settings = test_settings(&db.url);
    let conn = dinhdanh::db::connect(&settings).await.expect("connect");
    dinhdanh::db::migrate(&conn).await.expect("migrate");
    let store = dinhdanh::store::Store::new(conn.clone());
    let fixtures =
        if seed { seed_fixtures(&store, &settings).await.expect("fixtures") } else { fixtures_of(&conn).await };
    conn.close().await.ok();
    let url = db.url.clone();
    spawn_server(binary, &url, env, fixtures, Some(db))
}

/// Another server process on the database of `first` (as a second instance of a province's
/// deployment): same settings, its own port and log.
pub(crate) fn start_another(binary: &std::path::Path, first: &Server, env: &[(&str, &str)]) -> Server {
    spawn_server(binary, &first.database_url, env, first.fixtures, None)
}

fn spawn_server(
    binary: &std::path::Path,
    database_url: &str,
    env: &[(&str, &str)],
    fixtures: Fixtures,
    db: Option<TestDb>,
) -> Server {
    let mut cmd = Command::new(binary);
    cmd.arg("serve")
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("DATABASE_URL", database_url)
        .env("APP_JWT_SECRET", "hostile-test-secret-hostile-test-secret-0123")
        .env("APP_BIND", "127.0.0.1:0")
        .env("APP_STATS__SNAPSHOT_INTERVAL_MINUTES", "0")
        .env("APP_DATABASE_MAX_CONNECTIONS", "4")
        .env("RUST_LOG", "info,sqlx=warn,sea_orm=warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("start dinhdanh serve");
    let pid = child.id();
    let log = Arc::new(Mutex::new(Vec::new()));
    let logged = Arc::new(tokio::sync::Notify::new());
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let stdout = child.stdout.take().expect("stdout");
    let stderr = child.stderr.take().expect("stderr");
    for stream in [Box::new(stdout) as Box<dyn Read + Send>, Box::new(stderr)] {
        let log = log.clone();
        let logged = logged.clone();
        let tx = tx.clone();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stream).lines().map_while(Result::ok) {
                if let Some(rest) = line.strip_prefix("dinhdanh is running at ") {
                    let _ = tx.send(rest.trim_end_matches('/').to_owned());
                }
                log.lock().unwrap_or_else(|e| e.into_inner()).push(line);
                logged.notify_waiters();
            }
        });
    }
    let address = rx
        .recv_timeout(Duration::from_secs(120))
        .unwrap_or_else(|_| panic!("the server did not start: {:?}", log.lock().unwrap_or_else(|e| e.into_inner())));
    // no idle connections: a server may close one after refusing an upload
    let client = reqwest::Client::builder().pool_max_idle_per_host(0).build().expect("client");
    Server { child, pid, address, client, log, logged, fixtures, database_url: database_url.to_owned(), _db: db }
}

/// The fixtures of a database seeded earlier (a restarted server).
async fn fixtures_of(conn: &sea_orm::DatabaseConnection) -> Fixtures {
    use dinhdanh::store::entities::{classes, units};
    use sea_orm::{EntityTrait, QueryOrder};
    let u = units::Entity::find().order_by_asc(units::Column::Id).all(conn).await.expect("units");
    let c = classes::Entity::find().order_by_asc(classes::Column::Id).all(conn).await.expect("classes");
    Fixtures {
        department: u[0].id,
        district_a: u[1].id,
        district_b: u[2].id,
        school_a1: u[3].id,
        school_a2: u[4].id,
        school_b1: u[5].id,
        class_a1_6a: c[0].id,
        class_a1_6b: c[1].id,
        class_a2_7a: c[2].id,
        class_b1_10a: c[3].id,
    }
}

/// A value in kB from `/proc/<pid>/status` (`VmHWM`, `VmRSS`).
fn proc_kb(pid: u32, key: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("process status");
    status
        .lines()
        .find_map(|l| l.strip_prefix(key).and_then(|r| r.trim_start_matches(':').trim().split(' ').next()))
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("{key} missing from /proc/{pid}/status"))
}

const MB: u64 = 1024;

impl Server {
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// Peak resident memory so far, in kB.
    fn peak_kb(&self) -> u64 {
        proc_kb(self.pid, "VmHWM")
    }

    /// Resets the peak to the current resident memory (so the next peak is one request's).
    fn reset_peak(&self) {
        std::fs::write(format!("/proc/{}/clear_refs", self.pid), "5").expect("reset the peak (clear_refs)");
    }

    /// Kills the process at once (SIGKILL: no shutdown, nothing flushed) and keeps its database.
    pub(crate) fn crash(mut self) -> TestDb {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self._db.take().expect("the database")
    }

    pub(crate) fn client(&self) -> &reqwest::Client {
        &self.client
    }

    fn alive(&mut self) -> bool {
        self.child.try_wait().map(|s| s.is_none()).unwrap_or(false)
    }

    pub(crate) fn log_lines(&self) -> Vec<String> {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Waits until `done` holds for the log so far, woken by each new line (30 s at most).
    async fn wait_for_log(&self, what: &str, done: impl Fn(&[String]) -> bool) -> Vec<String> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            let next_line = self.logged.notified();
            tokio::pin!(next_line);
            // registered before the log is read, so a line added in between still wakes us
            next_line.as_mut().enable();
            let lines = self.log_lines();
            if done(&lines) {
                return lines;
            }
            if tokio::time::timeout_at(deadline, next_line).await.is_err() {
                panic!("{what}: {lines:#?}");
            }
        }
    }

    pub(crate) async fn login(&self, username: &str) -> String {
        let res = self
            .client
            .post(self.url("/api/v1/auth/login"))
            .json(&json!({"username": username, "password": PASSWORD}))
            .send()
            .await
            .expect("login");
        let body: Value = res.json().await.expect("json");
        body["accessToken"].as_str().unwrap_or_else(|| panic!("login {username}: {body}")).to_owned()
    }

    pub(crate) async fn upload(&self, token: &str, query: &str, filename: &str, bytes: &[u8]) -> Answer {
        let res = self
            .client
            .post(self.url(&format!("/api/v1/imports{query}")))
            .bearer_auth(token)
            .header("X-Filename", filename)
            .header("Content-Type", "application/octet-stream")
            .body(bytes.to_vec())
            .send()
            .await;
        match res {
            Ok(res) => answer(res).await,
            Err(e) => panic!("upload {filename}: no answer ({e:?}); log: {:?}", tail(&self.log_lines())),
        }
    }

    async fn health(&self) -> u16 {
        self.client.get(self.url("/health")).send().await.map(|r| r.status().as_u16()).unwrap_or(0)
    }

    /// Uploads a file with the peak reset first; the answer and that request's peak in kB.
    async fn upload_measured(&mut self, token: &str, query: &str, filename: &str, bytes: &[u8]) -> (Answer, u64) {
        self.reset_peak();
        let res = self.upload(token, query, filename, bytes).await;
        let peak = self.peak_kb();
        assert!(self.alive(), "the server process died on {filename}: {:?}", tail(&self.log_lines()));
        (res, peak)
    }
}

fn tail(lines: &[String]) -> Vec<&String> {
    lines.iter().rev().take(5).collect()
}

pub(crate) async fn answer(res: reqwest::Response) -> Answer {
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let text = res.text().await.unwrap_or_default();
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Answer { status, headers, body, text }
}

// ---------------------------------------------------------------------------------------------
// workbooks built to hurt

/// A workbook with these cells (`(row, column, text)`, 0-based) on one sheet.
fn cells_workbook(cells: &[(u32, u16, &str)]) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (r, c, text) in cells {
        ws.write_string(*r, *c, *text).expect("cell");
    }
    wb.save_to_buffer().expect("workbook")
}

/// Rewrites the parts of a zip (an `.xlsx`): `edit(name, content)` returns the new content of
/// a part, or `None` to keep it. Every part is deflated again.
fn rezip(bytes: &[u8], mut edit: impl FnMut(&str, &[u8]) -> Option<Vec<u8>>) -> Vec<u8> {
    let mut input = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated).large_file(false);
    for i in 0..input.len() {
        let mut part = input.by_index(i).expect("part");
        let name: String = part.name().map(|n| n.into_owned()).unwrap_or_default();
        let mut content = Vec::new();
        part.read_to_end(&mut content).expect("inflate");
        let content = edit(&name, &content).unwrap_or(content);
        out.start_file(name, opts).expect("entry");
        out.write_all(&content).expect("write");
    }
    out.finish().expect("zip").into_inner()
}

/// Text of `len` bytes that deflates some hundred-fold (like a real document, unlike zeros): runs
/// of one letter broken by a digit every 500 bytes.
fn compressible_text(len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len);
    let mut seed: u32 = 12_345;
    while out.len() < len {
        let run = 500.min(len - out.len());
        out.extend(std::iter::repeat_n(b'a', run.saturating_sub(1)));
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        out.push(b'0' + (seed >> 16) as u8 % 10);
    }
    out
}

/// A workbook whose only sheet holds one cell of `len` bytes of text, written as a shared
/// string (read by calamine when the workbook is opened) or inline in the cell.
fn long_cell_workbook(len: usize, shared: bool) -> Vec<u8> {
    let plain = cells_workbook(&[(0, 0, "PLACEHOLDER")]);
    let text = compressible_text(len);
    rezip(&plain, |name, content| {
        let xml = String::from_utf8_lossy(content);
        if shared && name.ends_with("sharedStrings.xml") {
            let mut out = Vec::new();
            let (before, after) = xml.split_once("PLACEHOLDER").expect("placeholder");
            out.extend(before.as_bytes());
            out.extend(&text);
            out.extend(after.as_bytes());
            return Some(out);
        }
        if !shared && name.ends_with("sheet1.xml") {
            let cell = xml.find("<c r=\"A1\"").expect("cell A1");
            let end = cell + xml[cell..].find("</c>").expect("end of A1") + 4;
            let mut out = Vec::new();
            out.extend(xml[..cell].as_bytes());
            out.extend(b"<c r=\"A1\" t=\"inlineStr\"><is><t>");
            out.extend(&text);
            out.extend(b"</t></is></c>");
            out.extend(xml[end..].as_bytes());
            return Some(out);
        }
        None
    })
}

// ---------------------------------------------------------------------------------------------
// 1. a workbook's extent, and the caller's rights before the file is read

#[tokio::test]
async fn two_cells_at_the_corners_of_the_grid_are_refused_and_the_server_lives() {
    let mut server = server(&[]).await;
    let school = server.login("school-a1").await;
    // A1 and XFD1048576: the dense grid calamine would build is 2^34 cells
    let corners = cells_workbook(&[(0, 0, "Họ và tên"), (1_048_575, 16_383, "x")]);
    assert!(corners.len() < 8 * 1024, "a small file: {} bytes", corners.len());
    let (res, peak) = server.upload_measured(&school, "", "hai-o.xlsx", &corners).await;
    res.assert_problem(413, "payload_too_large");
    let code = res.body["errors"][0]["code"].as_str().unwrap_or_default().to_owned();
    assert!(["too_many_rows", "too_many_columns"].contains(&code.as_str()), "{}", res.text);
    assert!(peak < 256 * MB, "peak {} MB", peak / MB);
    // one cell far right alone, and one far down alone
    let wide = cells_workbook(&[(0, 0, "Họ và tên"), (1, 16_000, "x")]);
    let (res, _) = server.upload_measured(&school, "", "rong.xlsx", &wide).await;
    res.assert_problem(413, "payload_too_large");
    assert_eq!(res.body["errors"][0]["code"], "too_many_columns", "{}", res.text);
    let deep = cells_workbook(&[(0, 0, "Họ và tên"), (1_000_000, 1, "x")]);
    let (res, _) = server.upload_measured(&school, "", "sau.xlsx", &deep).await;
    res.assert_problem(413, "payload_too_large");
    assert_eq!(res.body["errors"][0]["code"], "too_many_rows", "{}", res.text);
    assert_eq!(server.health().await, 200);
}

#[tokio::test]
async fn a_sparse_sheet_costs_what_it_holds_not_its_extent() {
    let mut server = server(&[]).await;
    let school = server.login("school-a1").await;
    // 100 columns × 100,000 rows of extent, two cells of content
    let sparse = cells_workbook(&[(0, 0, "Danh sách"), (99_999, 99, "x")]);
    let (res, peak) = server.upload_measured(&school, "", "thua.xlsx", &sparse).await;
    res.assert_problem(422, "validation_failed");
    assert_eq!(res.body["errors"][0]["code"], "header_not_found", "{}", res.text);
    assert!(peak < 256 * MB, "peak {} MB for a sheet of two cells", peak / MB);
}

#[tokio::test]
async fn an_xls_whose_cells_span_more_than_the_limits_is_refused_before_it_is_opened() {
    let mut server = server(&[]).await;
    let school = server.login("school-a1").await;
    // A1 and IV65536, the corners of a BIFF8 sheet: calamine would build a dense grid of 2^24
    // cells (over 500 MB) on open, over the 6,000,000 cells an upload may hold
    let corners = xls_of_cells("6A", &[(0, 0, "Họ và tên"), (65_535, 255, "x")], (65_536, 256));
    assert!(corners.len() < 8 * 1024, "a small file: {} bytes", corners.len());
    let (res, peak) = server.upload_measured(&school, "", "hai-o.xls", &corners).await;
    res.assert_problem(413, "payload_too_large");
    assert_eq!(res.body["errors"][0]["code"], "too_many_cells", "{}", res.text);
    assert!(peak < 256 * MB, "peak {} MB", peak / MB);
    // the extent counts where the cells are, not what DIMENSIONS claims
    let understated = xls_of_cells("6A", &[(0, 0, "Họ và tên"), (65_535, 255, "x")], (1, 1));
    let (res, peak) = server.upload_measured(&school, "", "nho.xls", &understated).await;
    res.assert_problem(413, "payload_too_large");
    assert!(peak < 256 * MB, "peak {} MB", peak / MB);
    assert_eq!(server.health().await, 200);
}

#[tokio::test]
async fn a_caller_who_may_write_no_such_record_is_refused_before_the_file_is_read() {
    let mut server = server(&[]).await;
    let district = server.login("district-a").await;
    let f = server.fixtures;
    // an office writes no students at all: refused before reading (even garbage)
    let garbage = b"PK\x03\x04 not a workbook at all".to_vec();
    let (res, _) = server.upload_measured(&district, "?population=student", "rac.xlsx", &garbage).await;
    res.assert_problem(403, "forbidden");
    // nor a school it names
    let (res, _) = server.upload_measured(&district, &format!("?schoolId={}", f.school_a1), "rac.xlsx", &garbage).await;
    res.assert_problem(403, "forbidden");
    // a file without metadata is about students: refused once the (absent) metadata is known,
    // before the rows, so the corners workbook costs nothing
    let corners = cells_workbook(&[(0, 0, "Họ và tên"), (1_048_575, 16_383, "x")]);
    let (res, peak) = server.upload_measured(&district, "", "hai-o.xlsx", &corners).await;
    res.assert_problem(403, "forbidden");
    assert!(peak < 256 * MB, "peak {} MB", peak / MB);
    // a school's own template names its unit: another school's clerk may not write it, and the
    // check comes before the rows (which here reach the last row of the grid)
    let school = server.login("school-a1").await;
    let res = server
        .client
        .get(server.url(&format!("/api/v1/templates/students.xlsx?classId={}", f.class_a1_6a)))
        .bearer_auth(&school)
        .send()
        .await
        .expect("template");
    assert_eq!(res.status().as_u16(), 200);
    let template = res.bytes().await.expect("bytes").to_vec();
    let poisoned = rezip(&template, |name, content| {
        if !name.ends_with("sheet1.xml") {
            return None;
        }
        let xml = String::from_utf8_lossy(content);
        let (before, after) = xml.split_once("</sheetData>")?;
        Some(format!("{before}<row r=\"1048576\"><c r=\"B1048576\" t=\"inlineStr\"><is><t>x</t></is></c></row></sheetData>{after}").into_bytes())
    });
    assert_ne!(poisoned, template);
    let (res, _) = server.upload_measured(&district, "", "mau-cua-truong.xlsx", &poisoned).await;
    res.assert_problem(403, "forbidden");
    // the school itself is told the file is too large
    let (res, _) = server.upload_measured(&school, "", "mau-cua-truong.xlsx", &poisoned).await;
    res.assert_problem(413, "payload_too_large");
}

// ---------------------------------------------------------------------------------------------
// 3. decompression: one long cell

#[tokio::test]
async fn one_cell_of_64_mib_is_refused_before_it_is_inflated() {
    let mut server = server(&[]).await;
    let school = server.login("school-a1").await;
    for shared in [true, false] {
        let bytes = long_cell_workbook(64 * 1024 * 1024, shared);
        assert!(bytes.len() < 4 * 1024 * 1024, "{} bytes", bytes.len());
        let (res, peak) = server.upload_measured(&school, "", "o-dai.xlsx", &bytes).await;
        res.assert_problem(413, "payload_too_large");
        assert_eq!(res.body["errors"][0]["code"], "cell_too_long", "{}", res.text);
        assert!(peak < 256 * MB, "shared {shared}: peak {} MB for a {} KB file", peak / MB, bytes.len() / 1024);
    }
    // a cell at Excel's own limit is read
    let limit = cells_workbook(&[(0, 0, &"ô".repeat(32_767))]);
    let (res, _) = server.upload_measured(&school, "", "o-32767.xlsx", &limit).await;
    res.assert_problem(422, "validation_failed");
    assert_eq!(res.body["errors"][0]["code"], "header_not_found", "{}", res.text);
}

// ---------------------------------------------------------------------------------------------
// 2. login floods and parallel guessing

/// A pseudo-random number generator for the tests (no clock, no global state).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
}

#[tokio::test]
async fn a_flood_of_failed_logins_keeps_memory_bounded_and_the_service_answering() {
    // every attempt from its own address (behind a trusted proxy), so that only the bound on
    // concurrent password checks stands between the flood and the memory
    let server = Arc::new(server(&[("APP_TRUSTED_PROXIES", "[\"127.0.0.1\"]")]).await);
    let before = proc_kb(server.pid, "VmRSS");
    let total = 500usize;
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut clients = Vec::new();
    for c in 0..32u64 {
        let server = server.clone();
        let next = next.clone();
        clients.push(tokio::spawn(async move {
            let mut rng = Lcg(c + 1);
            let mut answers = Vec::new();
            while next.fetch_add(1, std::sync::atomic::Ordering::SeqCst) < total {
                let username = format!("khong-co-{:x}", rng.next());
                let forwarded = format!("203.0.{}.{}", rng.next() % 250, rng.next() % 250);
                let res = server
                    .client
                    .post(server.url("/api/v1/auth/login"))
                    .header("X-Forwarded-For", forwarded)
                    .json(&json!({"username": username, "password": "sai-mat-khau"}))
                    .send()
                    .await
                    .expect("the server answers every login");
                answers.push(answer(res).await);
            }
            answers
        }));
    }
    // /health keeps answering during the flood
    let mut health = Vec::new();
    while next.load(std::sync::atomic::Ordering::SeqCst) < total {
        health.push(server.health().await);
    }
    let mut statuses = std::collections::BTreeMap::new();
    for client in clients {
        for res in client.await.expect("client") {
            match res.status {
                401 => res.assert_problem(401, "invalid_credentials"),
                429 => {
                    res.assert_problem(429, "too_many_attempts");
                    assert!(res.headers.contains_key("retry-after"), "{:?}", res.headers);
                }
                other => panic!("a login answered {other}: {}", res.text),
            }
            *statuses.entry(res.status).or_insert(0) += 1;
        }
    }
    let peak = server.peak_kb();
    eprintln!(
        "500 failed logins from 32 clients: {statuses:?}; resident {} MB before, peak {} MB; /health answered {} times",
        before / MB,
        peak / MB,
        health.len()
    );
    assert!(!health.is_empty() && health.iter().all(|s| *s == 200), "/health during the flood: {health:?}");
    assert_eq!(server.health().await, 200);
    assert!(peak < 600 * MB, "peak resident memory {} MB", peak / MB);
}

#[tokio::test]
async fn sixty_parallel_wrong_passwords_let_no_more_than_the_allowed_number_through() {
    let app = spawn_app().await; // login_max_failures = 3
    let mut attempts = tokio::task::JoinSet::new();
    for _ in 0..60 {
        let (client, url) = (app.client.clone(), app.url("/api/v1/auth/login"));
        attempts.spawn(async move {
            let res = client.post(url).json(&json!({"username": "school-a1", "password": "doan-bua"})).send().await;
            answer(res.expect("login")).await
        });
    }
    let answers = attempts.join_all().await;
    let checked = answers.iter().filter(|a| a.status == 401).count();
    for a in answers.iter().filter(|a| a.status != 401) {
        a.assert_problem(429, "too_many_attempts");
    }
    assert!(checked <= 3, "{checked} of 60 parallel guesses were checked before the first 429");
}

#[tokio::test]
async fn the_owner_still_gets_in_while_someone_else_guesses_from_another_address() {
    let app = spawn_app_with(|s| s.trusted_proxies = vec!["127.0.0.1".to_owned()]).await;
    let login = |from: &'static str, password: &'static str| {
        let client = app.client.clone();
        let url = app.url("/api/v1/auth/login");
        async move {
            let res = client
                .post(url)
                .header("X-Forwarded-For", from)
                .json(&json!({"username": "school-a1", "password": password}))
                .send()
                .await
                .expect("login");
            answer(res).await
        }
    };
    for _ in 0..3 {
        login("203.0.113.7", "doan-bua").await.assert_problem(401, "invalid_credentials");
    }
    login("203.0.113.7", "doan-bua").await.assert_problem(429, "too_many_attempts");
    // even the right password from the guessing address waits
    login("203.0.113.7", PASSWORD).await.assert_problem(429, "too_many_attempts");
    // the owner, from an address that is not failing, gets in
    assert_eq!(login("198.51.100.9", PASSWORD).await.status, 200);

    // one address trying many accounts is slowed down too (20 failures by default)
    let app = spawn_app_with(|s| s.trusted_proxies = vec!["127.0.0.1".to_owned()]).await;
    for i in 0..20 {
        let res = app
            .client
            .post(app.url("/api/v1/auth/login"))
            .header("X-Forwarded-For", "203.0.113.50")
            .json(&json!({"username": format!("ai-do-{i}"), "password": "x"}))
            .send()
            .await
            .expect("login");
        assert_eq!(res.status().as_u16(), 401);
    }
    let res = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .header("X-Forwarded-For", "203.0.113.50")
        .json(&json!({"username": "school-a2", "password": PASSWORD}))
        .send()
        .await
        .expect("login");
    answer(res).await.assert_problem(429, "too_many_attempts");
}

#[tokio::test]
async fn forwarded_addresses_are_believed_only_from_a_trusted_proxy() {
    let app = spawn_app().await; // no trusted proxies: the header is the client's own word
    let login = |from: &'static str, password: &'static str| {
        let client = app.client.clone();
        let url = app.url("/api/v1/auth/login");
        async move {
            let res = client
                .post(url)
                .header("X-Forwarded-For", from)
                .json(&json!({"username": "school-a1", "password": password}))
                .send()
                .await
                .expect("login");
            answer(res).await
        }
    };
    for _ in 0..3 {
        login("203.0.113.7", "doan-bua").await.assert_problem(401, "invalid_credentials");
    }
    // claiming another address changes nothing: the peer is the one that failed
    login("198.51.100.9", PASSWORD).await.assert_problem(429, "too_many_attempts");
}

// ---------------------------------------------------------------------------------------------
// 10. logs and headers

/// A log line without its terminal colours.
fn plain(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The request ids a log line names (`request_id=<32 hex>`).
fn request_ids(line: &str) -> BTreeSet<String> {
    line.match_indices("request_id=")
        .map(|(i, m)| line[i + m.len()..].chars().take_while(|c| c.is_ascii_alphanumeric()).collect())
        .collect()
}

#[tokio::test]
async fn failed_logins_log_one_request_id_per_line_and_never_what_was_typed() {
    let server = Arc::new(server(&[("APP_HTTP_WORKERS", "1")]).await);
    let typed: Vec<String> = (0..16).map(|i| format!("MatKhau-Go-Nham-{i}")).collect();
    let mut attempts = tokio::task::JoinSet::new();
    for name in &typed {
        let server = server.clone();
        let name = name.clone();
        attempts.spawn(async move {
            let res = server
                .client
                .post(server.url("/api/v1/auth/login"))
                .json(&json!({"username": name, "password": "x"}))
                .send()
                .await
                .expect("login");
            res.status().as_u16()
        });
    }
    let statuses = attempts.join_all().await;
    assert!(statuses.iter().all(|s| *s == 401), "{statuses:?}");
    // the access line of the last request is written after its answer: wait for all 16
    let lines = server
        .wait_for_log("16 access lines expected", |lines| {
            lines.iter().filter(|l| plain(l).contains("path=/api/v1/auth/login")).count() >= 16
        })
        .await;
    let lines: Vec<String> = lines.iter().map(|l| plain(l)).collect();
    let failures: Vec<&String> = lines.iter().filter(|l| l.contains("failed login")).collect();
    assert_eq!(failures.len(), 16, "{lines:#?}");
    for line in &lines {
        assert!(line.len() < 1024, "a log line of {} bytes: {}…", line.len(), &line[..200]);
        let ids = request_ids(line);
        assert!(ids.len() <= 1, "a line naming {} requests: {line}", ids.len());
        for name in &typed {
            assert!(!line.to_lowercase().contains(&name.to_lowercase()), "a typed username in the log: {line}");
        }
    }
    for line in failures {
        assert_eq!(request_ids(line).len(), 1, "{line}");
        let user = line.split("user=").nth(1).map(|r| r.split(' ').next().unwrap_or_default()).unwrap_or_default();
        assert!(user.len() == 16 && user.bytes().all(|b| b.is_ascii_hexdigit()), "a keyed hash: {line}");
    }
}

#[tokio::test]
async fn api_answers_are_never_cached_and_hsts_follows_tls() {
    let app = spawn_app().await;
    let token = app.login("school-a1").await;
    let f = app.fixtures;
    let no_store = |res: &reqwest::header::HeaderMap| {
        res.get("cache-control").and_then(|v| v.to_str().ok()).unwrap_or_default().contains("no-store")
    };
    let me = app.get("/api/v1/me", &token).await;
    assert_eq!(me.status, 200);
    assert!(no_store(&me.headers), "{:?}", me.headers);
    let unauthenticated = app.send(reqwest::Method::GET, "/api/v1/students", None, None).await;
    assert_eq!(unauthenticated.status, 401);
    assert!(no_store(&unauthenticated.headers), "{:?}", unauthenticated.headers);
    let file = app
        .client
        .get(app.url(&format!("/api/v1/templates/students.xlsx?classId={}", f.class_a1_6a)))
        .bearer_auth(&token)
        .send()
        .await
        .expect("template");
    assert_eq!(file.status().as_u16(), 200);
    assert!(no_store(file.headers()), "{:?}", file.headers());
    // plain HTTP from an untrusted peer: no HSTS, whatever the headers claim
    let res = app
        .client
        .get(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .header("X-Forwarded-Proto", "https")
        .send()
        .await
        .expect("me");
    assert!(!res.headers().contains_key("strict-transport-security"), "{:?}", res.headers());
}

#[tokio::test]
async fn hsts_is_sent_when_a_trusted_proxy_says_the_client_came_over_tls() {
    let app = spawn_app_with(|s| s.trusted_proxies = vec!["127.0.0.0/8".to_owned()]).await;
    let res = app.client.get(app.url("/health")).header("X-Forwarded-Proto", "https").send().await.expect("health");
    let hsts = res.headers().get("strict-transport-security").and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert!(hsts.starts_with("max-age=31536000"), "{:?}", res.headers());
    let res = app.client.get(app.url("/health")).header("X-Forwarded-Proto", "http").send().await.expect("health");
    assert!(!res.headers().contains_key("strict-transport-security"));
}

// ---------------------------------------------------------------------------------------------
// search wildcards

#[tokio::test]
async fn typed_wildcards_and_control_characters_match_nothing() {
    let app = spawn_app().await;
    let f = app.fixtures;
    let token = app.login("school-a1").await;
    for name in ["Nguyễn Văn An", "Trần Thị Bích", "Lê Hoàng Long"] {
        app.create_student(&token, f.class_a1_6a, json!({"fullName": name})).await;
    }
    let total = |q: &'static str| {
        let app = &app;
        let token = token.clone();
        async move {
            let res = app.get(&format!("/api/v1/students?classId={}&q={q}", f.class_a1_6a), &token).await;
            assert_eq!(res.status, 200, "q={q}: {}", res.text);
            res.body["total"].as_i64().expect("total")
        }
    };
    assert_eq!(total("hoang").await, 1, "Lê Hoàng Long");
    for wildcard in ["%25", "_", "%25%25", "__", "%5C", "%00", "%01%02", "n_uyen", "l%25long"] {
        assert_eq!(total(wildcard).await, 0, "q={wildcard}");
    }
}

// ---------------------------------------------------------------------------------------------
// CSV lines of separators

#[tokio::test]
async fn a_csv_of_separators_costs_what_its_limits_allow() {
    let mut server = server(&[]).await;
    let school = server.login("school-a1").await;
    // 19 MB of commas: nineteen million empty fields on one line
    let commas = format!("Họ và tên,Ngày sinh{}\n", ",".repeat(19 * 1024 * 1024));
    let (res, peak) = server.upload_measured(&school, "", "phay.csv", commas.as_bytes()).await;
    assert!(peak < 256 * MB, "peak {} MB: {}", peak / MB, res.text);
    assert!(res.status == 422 || res.status == 201, "{}", res.text);
    // a value beyond the column limit is refused
    let far = format!("Họ và tên,Ngày sinh{}x\n", ",".repeat(300));
    let (res, _) = server.upload_measured(&school, "", "xa.csv", far.as_bytes()).await;
    res.assert_problem(413, "payload_too_large");
    assert_eq!(res.body["errors"][0]["code"], "too_many_columns", "{}", res.text);
}

// ---------------------------------------------------------------------------------------------
// an .xls written here (BIFF8 in a compound file), for the seeds of the fuzz suite

fn record(out: &mut Vec<u8>, typ: u16, data: &[u8]) {
    out.extend(typ.to_le_bytes());
    out.extend(u16::try_from(data.len()).expect("record length").to_le_bytes());
    out.extend(data);
}

fn utf16(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

/// A minimal `.xls` (BIFF8): one sheet of text cells, in a version 3 compound file.
fn minimal_xls(sheet: &str, rows: &[Vec<&str>]) -> Vec<u8> {
    let cells: Vec<(u32, u16, &str)> = rows
        .iter()
        .enumerate()
        .flat_map(|(r, row)| {
            row.iter()
                .enumerate()
                .filter(|(_, t)| !t.is_empty())
                .map(move |(c, t)| (u32::try_from(r).expect("row"), u16::try_from(c).expect("column"), *t))
        })
        .collect();
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    xls_of_cells(sheet, &cells, (u32::try_from(rows.len()).expect("rows"), u16::try_from(columns).expect("columns")))
}

/// An `.xls` of the given text cells (row, column, text) whose DIMENSIONS record says `extent`
/// (rows, columns).
fn xls_of_cells(sheet: &str, cells: &[(u32, u16, &str)], extent: (u32, u16)) -> Vec<u8> {
    let bof = |dt: u16| -> Vec<u8> {
        [0x0600u16.to_le_bytes(), dt.to_le_bytes(), 0x0DBBu16.to_le_bytes(), 0x07CCu16.to_le_bytes()]
            .concat()
            .into_iter()
            .chain(0u32.to_le_bytes())
            .chain(6u32.to_le_bytes())
            .collect()
    };
    let mut globals = Vec::new();
    record(&mut globals, 0x0809, &bof(0x0005));
    record(&mut globals, 0x0042, &1200u16.to_le_bytes());
    let bound_sheet_at = globals.len();
    let mut bound = vec![0u8; 4];
    bound.extend([0, 0, u8::try_from(sheet.encode_utf16().count()).expect("name"), 1]);
    bound.extend(utf16(sheet));
    record(&mut globals, 0x0085, &bound);
    record(&mut globals, 0x000A, &[]);
    let sheet_at = u32::try_from(globals.len()).expect("offset");
    globals[bound_sheet_at + 4..bound_sheet_at + 8].copy_from_slice(&sheet_at.to_le_bytes());
    let mut stream = globals;
    record(&mut stream, 0x0809, &bof(0x0010));
    let mut dim = Vec::new();
    dim.extend(0u32.to_le_bytes());
    dim.extend(extent.0.to_le_bytes());
    dim.extend(0u16.to_le_bytes());
    dim.extend(extent.1.to_le_bytes());
    dim.extend(0u16.to_le_bytes());
    record(&mut stream, 0x0200, &dim);
    for &(r, c, text) in cells {
        let mut label = Vec::new();
        label.extend(u16::try_from(r).expect("row").to_le_bytes());
        label.extend(c.to_le_bytes());
        label.extend(0u16.to_le_bytes());
        label.extend(u16::try_from(text.encode_utf16().count()).expect("text").to_le_bytes());
        label.push(1);
        label.extend(utf16(text));
        record(&mut stream, 0x0204, &label);
    }
    record(&mut stream, 0x000A, &[]);
    // a stream under 4096 bytes would live in the mini stream: pad it past
    let stream_len = stream.len().max(4096);
    let sectors = stream_len.div_ceil(512);
    assert!(sectors + 2 <= 128, "one FAT sector");
    stream.resize(sectors * 512, 0);
    const END: u32 = 0xFFFF_FFFE;
    let mut fat = vec![0xFFFF_FFFFu32; 128];
    fat[0] = 0xFFFF_FFFD;
    fat[1] = END;
    for i in 0..sectors {
        fat[2 + i] = if i + 1 == sectors { END } else { u32::try_from(3 + i).expect("sector") };
    }
    let mut header = vec![0u8; 512];
    header[..8].copy_from_slice(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]);
    let put16 = |h: &mut Vec<u8>, at: usize, v: u16| h[at..at + 2].copy_from_slice(&v.to_le_bytes());
    let put32 = |h: &mut Vec<u8>, at: usize, v: u32| h[at..at + 4].copy_from_slice(&v.to_le_bytes());
    put16(&mut header, 24, 0x003E);
    put16(&mut header, 26, 3);
    put16(&mut header, 28, 0xFFFE);
    put16(&mut header, 30, 9);
    put16(&mut header, 32, 6);
    put32(&mut header, 44, 1);
    put32(&mut header, 48, 1);
    put32(&mut header, 56, 4096);
    put32(&mut header, 60, END);
    put32(&mut header, 68, END);
    put32(&mut header, 76, 0);
    for at in (80..512).step_by(4) {
        put32(&mut header, at, 0xFFFF_FFFF);
    }
    let entry = |name: &str, typ: u8, child: u32, start: u32, size: u32| -> Vec<u8> {
        let mut e = vec![0u8; 128];
        let n = utf16(name);
        e[..n.len()].copy_from_slice(&n);
        e[64..66].copy_from_slice(&u16::try_from(n.len() + 2).expect("name").to_le_bytes());
        e[66] = typ;
        e[67] = 1;
        e[68..72].copy_from_slice(&0xFFFF_FFFFu32.to_le_bytes());
        e[72..76].copy_from_slice(&0xFFFF_FFFFu32.to_le_bytes());
        e[76..80].copy_from_slice(&child.to_le_bytes());
        e[116..120].copy_from_slice(&start.to_le_bytes());
        e[120..124].copy_from_slice(&size.to_le_bytes());
        e
    };
    let mut file = header;
    file.extend(fat.iter().flat_map(|v| v.to_le_bytes()));
    file.extend(entry("Root Entry", 5, 1, END, 0));
    file.extend(entry("Workbook", 2, 0xFFFF_FFFF, 2, u32::try_from(stream_len).expect("size")));
    file.extend(entry("", 0, 0xFFFF_FFFF, 0, 0));
    file.extend(entry("", 0, 0xFFFF_FFFF, 0, 0));
    file.extend(stream);
    file
}

// ---------------------------------------------------------------------------------------------
// the fuzz suite

use proptest::sample::Index;
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

/// Attribute values that have made readers allocate, loop or misread.
const HOSTILE_VALUES: &[&str] = &[
    "XFD1048576",
    "A1048577",
    "XFE1",
    "A0",
    "0",
    "-1",
    "4294967296",
    "99999999999999999999",
    "1e308",
    "NaN",
    "s",
    "inlineStr",
    "str",
    "e",
    "b",
    "d",
    "",
    "A1:XFD1048576",
    "ZZZZZZZZ1",
    "&#0;",
    "&amp;&lt;",
    "𝕏",
];

/// XML fragments inserted after a tag.
const XML_FRAGMENTS: &[&str] = &[
    "<c r=\"XFD1048576\"><v>1</v></c>",
    "<row r=\"1048576\"><c r=\"A1048576\" t=\"inlineStr\"><is><t>x</t></is></c></row>",
    "<row r=\"200000\"><c r=\"IV200000\"><v>1</v></c></row>",
    "<c r=\"B2\" t=\"s\"><v>4294967295</v></c>",
    "<c r=\"B3\" t=\"s\"><v>-1</v></c>",
    "<c t=\"inlineStr\"><is><r><t>a</t></r><r><t>b</t></r></is></c>",
    "<si><t>x</t></si>",
    "<si><r><t>y</t></r></si>",
    "<sst uniqueCount=\"99999999999\">",
    "<!DOCTYPE x [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">]>",
    "<![CDATA[<c r=\"A1\"><v>1</v></c>]]>",
    "<!-- <c> -->",
    "<?pi <c>?>",
    "<dimension ref=\"A1:XFD1048576\"/>",
    "<sheet name=\"x\" sheetId=\"9\" r:id=\"rId9\"/>",
    "<c r=\"A1\" t=\"e\"><v>#N/A</v></c>",
    "<c r=\"A2\" t=\"d\"><v>not-a-date</v></c>",
    "<c r=\"A3\" t=\"b\"><v>2</v></c>",
    "<c r=\"A4\"><v>1e400</v></c>",
    "<c r=\"A5\"><f>A5</f><v>1</v></c>",
    "<xf numFmtId=\"14\"/>",
    "<numFmt numFmtId=\"200\" formatCode=\"dd/mm/yyyy;;;@\"/>",
    "</sheetData>",
    "<sheetData>",
    "<row>",
    "</row></row></row>",
];

/// CSV fragments inserted anywhere.
const CSV_FRAGMENTS: &[&str] = &[
    "\"",
    "\"\"",
    ",",
    ";",
    "\t",
    "\r\n",
    "\n",
    "\0",
    "\u{FEFF}",
    "\u{FFFE}",
    "=cmd|' /C calc'!A0",
    "01/02/2014",
    "031203001234",
    "3.12E+11",
    "Nguyễn Văn An",
];

/// One change to a file's bytes.
#[derive(Debug, Clone)]
enum Edit {
    Byte(Index, u8),
    Insert(Index, Vec<u8>),
    Delete(Index, u16),
    Duplicate(Index, u16),
    Truncate(Index),
    /// Replaces the value of an attribute (`="…"`) with a hostile one.
    Attr(Index, usize),
    /// Inserts a hostile fragment (after a `>` in XML).
    Fragment(Index, usize),
    /// Inserts a long text (a cell in XML, a field in CSV).
    Long(Index, u32),
    /// Overwrites a little-endian 16-bit word (binary formats).
    Word(Index, u16),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Xml,
    Csv,
    Binary,
}

fn edits() -> impl Strategy<Value = Vec<Edit>> {
    let edit = proptest::prop_oneof![
        (proptest::arbitrary::any::<Index>(), proptest::arbitrary::any::<u8>()).prop_map(|(i, b)| Edit::Byte(i, b)),
        (proptest::arbitrary::any::<Index>(), proptest::collection::vec(proptest::arbitrary::any::<u8>(), 1..16))
            .prop_map(|(i, b)| Edit::Insert(i, b)),
        (proptest::arbitrary::any::<Index>(), 1u16..512).prop_map(|(i, n)| Edit::Delete(i, n)),
        (proptest::arbitrary::any::<Index>(), 1u16..4096).prop_map(|(i, n)| Edit::Duplicate(i, n)),
        proptest::arbitrary::any::<Index>().prop_map(Edit::Truncate),
        (proptest::arbitrary::any::<Index>(), 0..HOSTILE_VALUES.len()).prop_map(|(i, v)| Edit::Attr(i, v)),
        (proptest::arbitrary::any::<Index>(), 0..XML_FRAGMENTS.len().max(CSV_FRAGMENTS.len()))
            .prop_map(|(i, f)| Edit::Fragment(i, f)),
        (proptest::arbitrary::any::<Index>(), 1u32..300_000).prop_map(|(i, n)| Edit::Long(i, n)),
        (proptest::arbitrary::any::<Index>(), proptest::arbitrary::any::<u16>()).prop_map(|(i, w)| Edit::Word(i, w)),
    ];
    proptest::collection::vec(edit, 1..5)
}

/// Positions just after each occurrence of `needle`.
fn after_each(bytes: &[u8], needle: &[u8]) -> Vec<usize> {
    bytes.windows(needle.len()).enumerate().filter(|(_, w)| *w == needle).map(|(i, _)| i + needle.len()).collect()
}

fn apply(bytes: &mut Vec<u8>, edit: &Edit, kind: Kind) {
    let at = |i: &Index, len: usize| if len == 0 { 0 } else { i.index(len) };
    match edit {
        Edit::Byte(i, b) => {
            if !bytes.is_empty() {
                let p = at(i, bytes.len());
                bytes[p] = *b;
            }
        }
        Edit::Insert(i, b) => {
            let p = at(i, bytes.len() + 1);
            bytes.splice(p..p, b.iter().copied());
        }
        Edit::Delete(i, n) => {
            let p = at(i, bytes.len());
            let end = (p + *n as usize).min(bytes.len());
            bytes.drain(p..end);
        }
        Edit::Duplicate(i, n) => {
            let p = at(i, bytes.len());
            let end = (p + *n as usize).min(bytes.len());
            let span = bytes[p..end].to_vec();
            bytes.splice(end..end, span);
        }
        Edit::Truncate(i) => {
            let p = at(i, bytes.len());
            bytes.truncate(p);
        }
        Edit::Attr(i, v) => {
            let starts = after_each(bytes, b"=\"");
            if let Some(&start) = starts.get(at(i, starts.len())) {
                let end = bytes[start..].iter().position(|b| *b == b'"').map_or(bytes.len(), |e| start + e);
                bytes.splice(start..end, HOSTILE_VALUES[*v].bytes());
            }
        }
        Edit::Fragment(i, f) => {
            let (p, fragment) = match kind {
                Kind::Xml => {
                    let tags = after_each(bytes, b">");
                    (tags.get(at(i, tags.len())).copied().unwrap_or(0), XML_FRAGMENTS[f % XML_FRAGMENTS.len()])
                }
                _ => (at(i, bytes.len() + 1), CSV_FRAGMENTS[f % CSV_FRAGMENTS.len()]),
            };
            bytes.splice(p..p, fragment.bytes());
        }
        Edit::Long(i, n) => {
            let text = "ô".repeat(*n as usize / 2);
            let (p, inserted) = match kind {
                Kind::Xml => {
                    let tags = after_each(bytes, b"</c>");
                    let p = tags.get(at(i, tags.len())).copied().unwrap_or(0);
                    (p, format!("<c t=\"inlineStr\"><is><t>{text}</t></is></c>"))
                }
                Kind::Csv => (at(i, bytes.len() + 1), format!("\"{text}\",")),
                Kind::Binary => (at(i, bytes.len() + 1), text),
            };
            bytes.splice(p..p, inserted.bytes());
        }
        Edit::Word(i, w) => {
            if bytes.len() >= 2 {
                let p = at(i, bytes.len() - 1);
                bytes[p..p + 2].copy_from_slice(&w.to_le_bytes());
            }
        }
    }
}

/// A mutated file, and how it was made (for the report when a case fails).
struct FuzzCase {
    name: String,
    bytes: Vec<u8>,
    how: String,
}

/// The XML parts of an `.xlsx`, mutated inside their inflated text and zipped again.
fn fuzz_xlsx(seed: &[u8], part: &Index, edits: &[Edit]) -> (String, Vec<u8>) {
    let parts: Vec<String> = {
        let zip = zip::ZipArchive::new(std::io::Cursor::new(seed)).expect("zip");
        zip.file_names()
            .filter_map(|n| n.ok().map(|n| n.into_owned()))
            .filter(|n| n.ends_with(".xml") || n.ends_with(".rels"))
            .collect()
    };
    // worksheets and shared strings half of the time, any part otherwise
    let sheets: Vec<&String> =
        parts.iter().filter(|n| n.contains("worksheets/") || n.ends_with("sharedStrings.xml")).collect();
    let target = if part.index(2) == 0 && !sheets.is_empty() {
        sheets[part.index(sheets.len())].clone()
    } else {
        parts[part.index(parts.len())].clone()
    };
    let bytes = rezip(seed, |name, content| {
        (name == target).then(|| {
            let mut out = content.to_vec();
            for e in edits {
                apply(&mut out, e, Kind::Xml);
            }
            out
        })
    });
    (target, bytes)
}

/// Generates `count` cases of each kind from the seeds, deterministically from `seed`.
fn fuzz_cases(seed: u64, counts: (usize, usize, usize), xlsx: &[Vec<u8>], xls: &[u8], csv: &[u8]) -> Vec<FuzzCase> {
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&seed.to_le_bytes());
    let mut runner = TestRunner::new_with_rng(Config::default(), TestRng::from_seed(RngAlgorithm::ChaCha, &key));
    let draw = |runner: &mut TestRunner| -> (Index, Index, Vec<Edit>) {
        let strategy = (proptest::arbitrary::any::<Index>(), proptest::arbitrary::any::<Index>(), edits());
        strategy.new_tree(runner).expect("a case").current()
    };
    let mut cases = Vec::new();
    for n in 0..counts.0 {
        let (which, part, edits) = draw(&mut runner);
        let seed_file = &xlsx[which.index(xlsx.len())];
        let (target, bytes) = fuzz_xlsx(seed_file, &part, &edits);
        cases.push(FuzzCase { name: format!("xlsx-{n}.xlsx"), bytes, how: format!("{target}: {edits:?}") });
    }
    for n in 0..counts.1 {
        let (_, _, edits) = draw(&mut runner);
        let mut bytes = xls.to_vec();
        for e in &edits {
            apply(&mut bytes, e, Kind::Binary);
        }
        cases.push(FuzzCase { name: format!("xls-{n}.xls"), bytes, how: format!("{edits:?}") });
    }
    for n in 0..counts.2 {
        let (_, _, edits) = draw(&mut runner);
        let mut bytes = csv.to_vec();
        for e in &edits {
            apply(&mut bytes, e, Kind::Csv);
        }
        cases.push(FuzzCase { name: format!("csv-{n}.csv"), bytes, how: format!("{edits:?}") });
    }
    cases
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[tokio::test]
async fn fuzzed_workbooks_and_csv_files_get_a_4xx_or_a_preview_never_a_5xx_a_crash_or_256_mb() {
    let seed = env_number("FUZZ_SEED", 12);
    // 600 workbooks, 300 .xls, 300 CSV: about 45 s per database in a debug build
    let scale = env_number("FUZZ_CASES", 600) as usize;
    let mut server = server(&[]).await;
    let school = server.login("school-a1").await;
    let class = server.fixtures.class_a1_6a;
    let year = chrono::Datelike::year(&dinhdanh_tests::today()) - 12;
    let dob = |d: u32| format!("{d:02}/03/{year}");
    // seeds: the class template the server exports (with records), a plain workbook, an .xls
    // and a CSV; each is a valid file the import previews
    for (i, name) in ["Nguyễn Văn An", "Trần Thị Bích", "Lê Hoàng Long"].iter().enumerate() {
        let res = server
            .client
            .post(server.url("/api/v1/students"))
            .bearer_auth(&school)
            .json(&json!({"classId": class, "fullName": name, "dateOfBirth": dob(i as u32 + 1), "gender": "Nam"}))
            .send()
            .await
            .expect("student");
        assert_eq!(res.status().as_u16(), 201);
    }
    let res = server
        .client
        .get(server.url(&format!("/api/v1/templates/students.xlsx?classId={class}")))
        .bearer_auth(&school)
        .send()
        .await
        .expect("template");
    let template = res.bytes().await.expect("bytes").to_vec();
    let (d1, d2, d3) = (dob(4), dob(5), dob(6));
    let rows: Vec<Vec<&str>> = vec![
        vec!["Họ và tên", "Ngày sinh", "Giới tính", "Số định danh cá nhân", "Lớp"],
        vec!["Phạm Thu Hà", d1.as_str(), "Nữ", "031212001234", "6A"],
        vec!["Đỗ Minh Quân", d2.as_str(), "Nam", "", "6A"],
        vec!["Vũ Ngọc Ánh", d3.as_str(), "Nữ", "3.12E+11", "6A"],
    ];
    let plain = {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.set_name("6A").expect("name");
        for (r, row) in rows.iter().enumerate() {
            for (c, text) in row.iter().enumerate() {
                ws.write_string(r as u32, c as u16, *text).expect("cell");
            }
        }
        wb.add_worksheet().set_name("Ghi chú").expect("name").write_string(0, 0, "Danh sách lớp 6A").expect("cell");
        wb.save_to_buffer().expect("workbook")
    };
    let xls = minimal_xls("6A", &rows);
    let csv: String = rows.iter().map(|r| r.join(",") + "\r\n").collect();
    let query = format!("?classId={class}");
    for (name, bytes) in
        [("mau.xlsx", &template), ("lop.xlsx", &plain), ("lop.xls", &xls), ("lop.csv", &csv.clone().into_bytes())]
    {
        let (res, _) = server.upload_measured(&school, &query, name, bytes).await;
        assert_eq!(res.status, 201, "the seed {name} is a valid file: {}", res.text);
    }

    let started = std::time::Instant::now();
    let cases = fuzz_cases(seed, (scale, scale / 2, scale / 2), &[template, plain], &xls, csv.as_bytes());
    let generated = started.elapsed();
    let mut failures = Vec::new();
    let mut outcomes = std::collections::BTreeMap::new();
    let mut highest = 0;
    for case in &cases {
        let (res, peak) = server.upload_measured(&school, &query, &case.name, &case.bytes).await;
        highest = highest.max(peak);
        *outcomes.entry(res.status).or_insert(0usize) += 1;
        let problem_ok = res.content_type() == "application/problem+json" && res.body["code"].is_string();
        let ok = match res.status {
            201 | 202 => res.body["id"].is_string(),
            400..=499 => problem_ok,
            _ => false,
        };
        if !ok || peak >= 256 * MB {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/fuzz-failures");
            std::fs::create_dir_all(&dir).expect("failures dir");
            std::fs::write(dir.join(&case.name), &case.bytes).expect("save the case");
            failures.push(format!(
                "{} ({} bytes, peak {} MB): {} {} — {}",
                case.name,
                case.bytes.len(),
                peak / MB,
                res.status,
                res.text.chars().take(300).collect::<String>(),
                case.how.chars().take(300).collect::<String>()
            ));
        }
    }
    eprintln!(
        "fuzz seed {seed}: {} cases generated in {:.1} s, sent in {:.1} s; answers {outcomes:?}; highest peak {} MB",
        cases.len(),
        generated.as_secs_f64(),
        (started.elapsed() - generated).as_secs_f64(),
        highest / MB
    );
    assert!(
        failures.is_empty(),
        "{} of {} cases failed (saved in target/fuzz-failures):\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    assert_eq!(server.health().await, 200);
}
