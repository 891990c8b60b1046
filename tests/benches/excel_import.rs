//! Speed and memory of the Excel import: generates a workbook of realistic student rows
//! (100,000 by default, one school, 32 classes), then in the same run times calamine alone
//! reading it, and our preview (upload → plan) and commit through the real HTTP API on a fresh
//! SQLite database, and on a fresh PostgreSQL database too when `TEST_DATABASE_URL` is set —
//! each without personal-data keys (ID numbers in clear, as before issue 13) and with them
//! (sealed, blind-indexed). Prints the times side by side, the ratios (ours / calamine, with
//! keys / without) and the peak resident memory of the process (VmHWM). Prints figures; asserts
//! only that the import did what it should.
//!
//! `cargo bench -p dinhdanh-tests --bench excel_import`
//! Environment: `BENCH_ROWS` (default 100000); `BENCH_KEYS` = `both` (default), `with` or
//! `without`; `TEST_DATABASE_URL` (PostgreSQL as well); `BENCH_DATABASES` = `sqlite` or
//! `postgres` to run only one.

use std::io::Cursor;
use std::time::Instant;

use calamine::Reader;
use dinhdanh::store::classes;
use dinhdanh_tests::{TestDb, spawn_app_on};
use rust_xlsxwriter::Workbook;

/// xorshift64*: the same file on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

const SURNAMES: &[&str] = &["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương"];
const MIDDLE_M: &[&str] = &["Văn", "Đức", "Minh", "Quang", "Hữu", "Thành", "Gia"];
const MIDDLE_F: &[&str] = &["Thị", "Ngọc", "Thu", "Phương", "Thanh", "Khánh", "Bảo"];
const GIVEN_M: &[&str] = &["An", "Bình", "Cường", "Dũng", "Hải", "Hùng", "Khoa", "Long", "Nam", "Phúc", "Quân", "Tuấn"];
const GIVEN_F: &[&str] = &["Anh", "Chi", "Hà", "Hoa", "Hương", "Lan", "Linh", "Mai", "Ngọc", "Thảo", "Trang", "Vy"];
const PLACES: &[(&str, &str)] = &[
    ("Quận Lê Chân", "Phường Dư Hàng"),
    ("Quận Lê Chân", "Phường An Biên"),
    ("Quận Ngô Quyền", "Phường Lạch Tray"),
    ("Quận Ngô Quyền", "Phường Đông Khê"),
    ("Quận Hồng Bàng", "Phường Minh Khai"),
    ("Quận Hải An", "Phường Đằng Hải"),
];

fn vm_hwm_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() {
    let rows: usize = std::env::var("BENCH_ROWS").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    rt.block_on(run(rows));
}

async fn run(rows: usize) {
    let bytes = workbook(rows);
    // calamine alone
    let t = Instant::now();
    let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes.clone())).expect("open");
    let mut cells = 0usize;
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).expect("sheet");
        cells += range.used_cells().count();
    }
    let calamine_s = t.elapsed().as_secs_f64();
    drop(book);
    println!("calamine alone: {calamine_s:.2} s ({cells} cells)");
    if let Some(kib) = vm_hwm_kib() {
        println!("  peak RSS so far (generation, calamine): {:.0} MB", kib as f64 / 1024.0);
    }

    let keys = std::env::var("BENCH_KEYS").unwrap_or_else(|_| "both".to_owned());
    let key_runs: Vec<bool> = match keys.as_str() {
        "with" => vec![true],
        "without" => vec![false],
        _ => vec![false, true],
    };
    let databases = dinhdanh_tests::bench_databases();
    // without keys first (the ring the harness installs is taken away), then with them
    let mut results = Vec::new();
    for pg in &databases {
        for &with_keys in &key_runs {
            let (preview, commit) = import(rows, &bytes, with_keys, pg.as_deref()).await;
            results.push((if pg.is_some() { "PostgreSQL" } else { "SQLite" }, with_keys, preview, commit));
        }
    }
    println!("side by side ({rows} rows; calamine alone {calamine_s:.2} s)");
    println!("  database     keys      preview    commit   preview+commit   preview/calamine   total/calamine");
    for (db, with_keys, preview, commit) in &results {
        println!(
            "  {db:<11} {:<8} {preview:>7.2} s {commit:>7.2} s {:>12.2} s {:>14.1}x {:>15.1}x",
            if *with_keys { "with" } else { "without" },
            preview + commit,
            preview / calamine_s,
            (preview + commit) / calamine_s,
        );
    }
    for db in ["SQLite", "PostgreSQL"] {
        let of = |k: bool| results.iter().find(|r| r.0 == db && r.1 == k).map(|r| r.2 + r.3);
        if let (Some(a), Some(b)) = (of(false), of(true)) {
            println!("  {db}: preview + commit with keys / without: {:.2}x", b / a);
        }
    }
    match vm_hwm_kib() {
        Some(kib) => println!("peak RSS (VmHWM, all runs): {:.0} MB", kib as f64 / 1024.0),
        None => println!("peak RSS: unavailable"),
    }
}

/// The school year's classes of the benchmark (32 in school A1) on a fresh app.
async fn classes_of(app: &dinhdanh_tests::TestApp) -> Vec<(String, i32)> {
    let f = app.fixtures;
    let year = app.settings.school_year_now();
    let mut class_names = vec![("6A".to_owned(), 6), ("6B".to_owned(), 6)];
    for grade in 6..=9 {
        for letter in ["A", "B", "C", "D", "E", "G", "H", "K"] {
            let name = format!("{grade}{letter}");
            if class_names.iter().any(|(n, _)| *n == name) {
                continue;
            }
            classes::create(
                &app.store.db,
                classes::NewClass { school_id: f.school_a1, school_year: year.clone(), grade, name: name.clone() },
            )
            .await
            .expect("class");
            class_names.push((name, grade));
        }
    }
    class_names
}

/// The classes the workbook names, in the order it uses them (the same as [`classes_of`]).
fn class_plan() -> Vec<(String, i32)> {
    let mut class_names = vec![("6A".to_owned(), 6), ("6B".to_owned(), 6)];
    for grade in 6..=9 {
        for letter in ["A", "B", "C", "D", "E", "G", "H", "K"] {
            let name = format!("{grade}{letter}");
            if !class_names.iter().any(|(n, _)| *n == name) {
                class_names.push((name, grade));
            }
        }
    }
    class_names
}

/// The workbook of `rows` students.
fn workbook(rows: usize) -> Vec<u8> {
    let year = dinhdanh_tests::test_settings("sqlite::memory:").school_year_now();
    let start_year: i32 = year[..4].parse().expect("year");
    let class_names = class_plan();
    // the workbook
    let t = Instant::now();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Danh sách").expect("name");
    let headers = [
        "STT",
        "Mã học sinh",
        "Họ và tên",
        "Ngày sinh",
        "Giới tính",
        "Lớp",
        "Số định danh cá nhân",
        "Tỉnh/Thành phố (Theo địa chỉ thường trú)",
        "Quận/Huyện (Theo địa chỉ thường trú)",
        "Xã/Phường (Theo địa chỉ thường trú)",
    ];
    for (c, h) in headers.iter().enumerate() {
        ws.write_string(0, c as u16, *h).expect("header");
    }
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for i in 0..rows {
        let r = (i + 1) as u32;
        let (class, grade) = &class_names[i % class_names.len()];
        let male = rng.next().is_multiple_of(2);
        let name = if male {
            format!("{} {} {}", rng.pick(SURNAMES), rng.pick(MIDDLE_M), rng.pick(GIVEN_M))
        } else {
            format!("{} {} {}", rng.pick(SURNAMES), rng.pick(MIDDLE_F), rng.pick(GIVEN_F))
        };
        let y = start_year - 5 - grade;
        let dob = format!("{:02}/{:02}/{y}", rng.next() % 28 + 1, rng.next() % 12 + 1);
        let d4 = if male { 2 } else { 3 };
        let pid = format!("031{d4}{:02}{:06}", y % 100, i);
        let (district, commune) = PLACES[(rng.next() % PLACES.len() as u64) as usize];
        ws.write_number(r, 0, f64::from(r)).expect("cell");
        ws.write_string(r, 1, format!("31{:08}", i)).expect("cell");
        ws.write_string(r, 2, &name).expect("cell");
        ws.write_string(r, 3, &dob).expect("cell");
        ws.write_string(r, 4, if male { "Nam" } else { "Nữ" }).expect("cell");
        ws.write_string(r, 5, class).expect("cell");
        ws.write_string(r, 6, &pid).expect("cell");
        ws.write_string(r, 7, "Thành phố Hải Phòng").expect("cell");
        ws.write_string(r, 8, district).expect("cell");
        ws.write_string(r, 9, commune).expect("cell");
    }
    let bytes = wb.save_to_buffer().expect("workbook");
    println!("generated {rows} rows, {:.1} MB, in {:.1} s", bytes.len() as f64 / 1e6, t.elapsed().as_secs_f64());
    bytes
}

/// Preview and commit of the workbook on a fresh app (SQLite, or PostgreSQL through the admin
/// URL `pg`), with or without personal-data keys; the seconds of each.
async fn import(rows: usize, bytes: &[u8], keys: bool, pg: Option<&str>) -> (f64, f64) {
    // the harness installs its key ring once per process: first, so that it can be taken away
    dinhdanh_tests::init_process();
    if !keys {
        dinhdanh::crypto::uninstall();
    }
    let db = match pg {
        Some(url) => TestDb::postgres(url).await,
        None => TestDb::sqlite(),
    };
    let app = spawn_app_on(db, |s| {
        s.import.job_threshold_rows = usize::MAX;
        s.import.max_rows = rows.max(200_000);
        s.import.max_bytes = 200 * 1024 * 1024;
        s.stats.snapshot_interval_minutes = 0;
        if !keys {
            s.data_keys = None;
            s.index_key = None;
        }
    })
    .await;
    assert_eq!(dinhdanh::crypto::installed().is_some(), keys, "the key ring as asked");
    let f = app.fixtures;
    assert_eq!(classes_of(&app).await, class_plan());
    let database = if app.db.is_postgres() { "PostgreSQL" } else { "SQLite" };
    let label = format!("{database}, {}", if keys { "with keys" } else { "without keys" });
    let bytes = bytes.to_vec();
    // our preview and commit through the API
    let token = app.login("school-a1").await;
    let t = Instant::now();
    let res = app
        .client
        .post(app.url("/api/v1/imports"))
        .bearer_auth(&token)
        .header("X-Filename", "bench.xlsx")
        .header("Content-Type", "application/octet-stream")
        .body(bytes)
        .send()
        .await
        .expect("upload");
    let status = res.status().as_u16();
    let body: serde_json::Value = res.json().await.expect("json");
    let preview_s = t.elapsed().as_secs_f64();
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["totals"]["create"], rows as u64, "{}", body["totals"]);
    let id = body["id"].as_str().expect("id").to_owned();
    println!("{label}: preview (upload, read, plan, store): {preview_s:.2} s");
    if let Some(kib) = vm_hwm_kib() {
        println!("  peak RSS so far (generation, calamine, preview): {:.0} MB", kib as f64 / 1024.0);
    }
    let t = Instant::now();
    let res = app
        .client
        .post(app.url(&format!("/api/v1/imports/{id}/commit")))
        .bearer_auth(&token)
        .send()
        .await
        .expect("commit");
    let status = res.status().as_u16();
    let text = res.text().await.unwrap_or_default();
    let commit_s = t.elapsed().as_secs_f64();
    assert_eq!(status, 200, "{}", &text[..text.len().min(2000)]);
    println!("{label}: commit ({rows} new records, audited, counters kept): {commit_s:.2} s");
    let list = app.get(&format!("/api/v1/students?schoolId={}&pageSize=1", f.school_a1), &token).await;
    println!("records now: {}", list.body["total"]);
    (preview_s, commit_s)
}
