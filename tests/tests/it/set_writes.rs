//! Set-based writes: an import commit adds its records to the statistics counters as summed
//! deltas (no recount), and concurrent edits of one school never queue into a deadlock; after
//! each, the counters equal a recount (`counters::drift` is empty).

use dinhdanh_tests::{Answer, TestApp, spawn_app};
use serde_json::{Value, json};

async fn upload(app: &TestApp, token: &str, filename: &str, csv: &str) -> Value {
    let boundary = "----dinhdanh-set-writes-boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(csv.as_bytes());
    body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
    let res = app
        .client
        .post(app.url("/api/v1/imports"))
        .bearer_auth(token)
        .header("Content-Type", format!("multipart/form-data; boundary={boundary}"))
        .body(body)
        .send()
        .await
        .expect("upload");
    let status = res.status().as_u16();
    let text = res.text().await.unwrap_or_default();
    assert_eq!(status, 201, "upload {filename}: {text}");
    let body: Value = serde_json::from_str(&text).expect("json");
    assert_eq!(body["status"], "ready", "{text}");
    body
}

async fn commit(app: &TestApp, token: &str, id: &str, options: Value) -> Value {
    let res: Answer = app.post(&format!("/api/v1/imports/{id}/commit"), token, &options).await;
    assert_eq!(res.status, 200, "commit: {}", res.text);
    assert_eq!(res.body["status"], "committed", "{}", res.text);
    res.body
}

async fn assert_no_drift(app: &TestApp, after: &str) {
    let drift = dinhdanh::store::counters::drift(&app.store.db).await.expect("drift");
    assert!(drift.is_empty(), "after {after}, the counters equal a recount: {drift:?}");
}

fn year_of_birth(app: &TestApp, grade: i32) -> i32 {
    let start: i32 = app.settings.school_year_now()[..4].parse().expect("year");
    start - 5 - grade
}

/// A row of the people import: name, date of birth, gender, ID number, class, and a residence
/// in one cell (none for names ending in 7).
fn row(name: &str, dob: &str, gender: &str, pid: &str, class: &str) -> String {
    let residence = if name.ends_with('7') { "" } else { "\"Phường Dư Hàng, Thành phố Hải Phòng\"" };
    format!("{name},{dob},{gender},{pid},{class},{residence}\n")
}

const HEADER: &str = "Họ và tên,Ngày sinh,Giới tính,Số định danh cá nhân,Lớp,Địa chỉ thường trú\n";

/// The ids of the school's students a search (`q`: name or ID number) finds.
async fn ids_by_name(app: &TestApp, token: &str, school: i64, q: &str) -> Vec<i64> {
    let res = app.get(&format!("/api/v1/students?schoolId={school}&q={q}&pageSize=100"), token).await;
    assert_eq!(res.status, 200, "{}", res.text);
    res.body["items"].as_array().expect("items").iter().map(|p| p["id"].as_i64().expect("id")).collect()
}

#[tokio::test]
async fn imports_of_creates_updates_and_status_changes_keep_the_counters_equal_to_a_recount() {
    let app = spawn_app().await;
    let f = app.fixtures;
    let a1 = app.login("school-a1").await;
    let a2 = app.login("school-a2").await;
    let y6 = year_of_birth(&app, 6);
    let y7 = year_of_birth(&app, 7);
    let pid6 = |i: usize| format!("0312{:02}{:06}", y6 % 100, i);

    // 1. a bulk import (above the bulk threshold) with errors, warnings and a repeated number
    let n = dinhdanh::store::imports::BULK_CREATES + 40;
    let mut csv = String::from(HEADER);
    for i in 0..n {
        let (dob, gender) = match i % 10 {
            0 => (String::new(), "Nam"),                     // no date of birth: an error finding
            1 => (format!("{:02}/02/{y6}", i % 28 + 1), ""), // no gender: incomplete
            _ => (format!("{:02}/02/{y6}", i % 28 + 1), "Nam"),
        };
        let pid = pid6(i);
        let class = if i % 2 == 0 { "6A" } else { "6B" };
        csv.push_str(&row(&format!("Học Sinh Tập {i}"), &dob, gender, &pid, class));
    }
    let p = upload(&app, &a1, "bulk.csv", &csv).await;
    assert_eq!(p["totals"]["create"], n as u64, "{}", p["totals"]);
    commit(&app, &a1, p["id"].as_str().expect("id"), json!({})).await;
    assert_no_drift(&app, "a bulk import").await;

    // 2. registry answers on some of them
    let verified = ids_by_name(&app, &a1, f.school_a1, "Học Sinh Tập 2").await;
    assert!(!verified.is_empty());
    for id in &verified {
        app.set_status(*id, "verified", &[]).await;
    }
    for id in ids_by_name(&app, &a1, f.school_a1, "Học Sinh Tập 3").await {
        app.set_status(id, "mismatched", &["gender", "dateOfBirth"]).await;
    }
    assert_no_drift(&app, "status changes").await;

    // 3. a small import: updates (new names, a class move, verified records changed with the
    //    confirmation, so they are not sent again) and a few creations one by one
    let mut csv = String::from(HEADER);
    for i in [2usize, 3, 4, 20, 21, 22, 23, 24, 25] {
        let class = if i == 4 {
            "6B"
        } else if i % 2 == 0 {
            "6A"
        } else {
            "6B"
        };
        csv.push_str(&row(&format!("Học Sinh Đổi {i}"), &format!("{:02}/02/{y6}", i % 28 + 1), "Nam", &pid6(i), class));
    }
    for i in 0..5 {
        csv.push_str(&row(&format!("Học Sinh Mới {i}"), &format!("0{}/03/{y6}", i + 1), "Nữ", &pid6(900 + i), "6A"));
    }
    let p = upload(&app, &a1, "updates.csv", &csv).await;
    assert_eq!(p["totals"]["create"], 5, "{}", p["totals"]);
    assert_eq!(p["totals"]["update"], 9, "{}", p["totals"]);
    commit(&app, &a1, p["id"].as_str().expect("id"), json!({"confirmVerifiedChanges": true})).await;
    assert_no_drift(&app, "updates and small creations").await;
    let moved = ids_by_name(&app, &a1, f.school_a1, "Học Sinh Đổi 20").await;
    assert_eq!(moved.len(), 1);
    let moved = app.get(&format!("/api/v1/students/{}", moved[0]), &a1).await;
    assert_eq!(moved.body["status"], "not_sent", "a verified record changed with the confirmation: {}", moved.text);

    // 4. a bulk import into another school repeating numbers of the first: duplicates across schools
    let n2 = dinhdanh::store::imports::BULK_CREATES + 10;
    let mut csv = String::from(HEADER);
    for i in 0..n2 {
        let pid = if i < 3 { pid6(100 + i) } else { format!("0312{:02}{:06}", y7 % 100, i) };
        csv.push_str(&row(
            &format!("Học Sinh Trường Hai {i}"),
            &format!("{:02}/04/{y7}", i % 28 + 1),
            "Nữ",
            &pid,
            "7A",
        ));
    }
    let p = upload(&app, &a2, "other-school.csv", &csv).await;
    assert_eq!(p["totals"]["create"], n2 as u64, "{}", p["totals"]);
    let second = commit(&app, &a2, p["id"].as_str().expect("id"), json!({})).await;
    assert_no_drift(&app, "a bulk import repeating numbers of another school").await;
    let first_holder = ids_by_name(&app, &a1, f.school_a1, &pid6(100)).await;
    let first_holder = app.get(&format!("/api/v1/students/{}", first_holder[0]), &a1).await;
    assert!(
        first_holder.text.contains("id_duplicate"),
        "the other school's copy marks the first: {}",
        first_holder.text
    );

    // 5. undoing the second import takes its records and its duplicates out of the counters
    let id = second["id"].as_str().expect("id");
    let undone = app.post(&format!("/api/v1/imports/{id}/undo"), &a2, &json!({})).await;
    assert_eq!(undone.status, 200, "{}", undone.text);
    assert_no_drift(&app, "an undo").await;
}

/// 50 clerks of one school save at once, each a different record, each change moving the same
/// counter rows (the school's, the class's and the `gender_missing` reason's): every save
/// succeeds (no deadlock, no busy error), the counters equal a recount, and the p95 latency is
/// printed (`--nocapture`; the target on PostgreSQL is 50 ms on the project's machine, not
/// asserted: the machine is shared).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_clerks_saving_records_of_one_school_at_once_never_deadlock_and_keep_the_counters() {
    const CLERKS: usize = 50;
    let app = spawn_app().await;
    let f = app.fixtures;
    let a1 = app.login("school-a1").await;
    let y6 = year_of_birth(&app, 6);
    let mut csv = String::from(HEADER);
    for i in 0..CLERKS {
        let pid = format!("0312{:02}{:06}", y6 % 100, 500 + i);
        let class = if i % 2 == 0 { "6A" } else { "6B" };
        // no gender: an error finding each save below clears
        csv.push_str(&row(&format!("Học Sinh Song Song {i}"), &format!("{:02}/05/{y6}", i % 28 + 1), "", &pid, class));
    }
    let p = upload(&app, &a1, "concurrent.csv", &csv).await;
    assert_eq!(p["totals"]["create"], CLERKS as u64, "{}", p["totals"]);
    commit(&app, &a1, p["id"].as_str().expect("id"), json!({})).await;
    let list = app.get(&format!("/api/v1/students?schoolId={}&pageSize=100", f.school_a1), &a1).await;
    let ids: Vec<i64> =
        list.body["items"].as_array().expect("items").iter().map(|p| p["id"].as_i64().expect("id")).collect();
    assert_eq!(ids.len(), CLERKS);

    let start = std::sync::Arc::new(tokio::sync::Barrier::new(CLERKS));
    let mut clerks = tokio::task::JoinSet::new();
    for id in ids {
        let (client, url, token, start) =
            (app.client.clone(), app.url(&format!("/api/v1/students/{id}")), a1.clone(), start.clone());
        clerks.spawn(async move {
            start.wait().await;
            let t = std::time::Instant::now();
            let res = client.patch(url).bearer_auth(token).json(&json!({"gender": "Nam"})).send().await.expect("patch");
            let status = res.status().as_u16();
            let text = res.text().await.unwrap_or_default();
            (status, text, t.elapsed())
        });
    }
    let mut latencies = Vec::with_capacity(CLERKS);
    while let Some(done) = clerks.join_next().await {
        let (status, text, took) = done.expect("clerk");
        assert_eq!(status, 200, "every save succeeds: {text}");
        latencies.push(took);
    }
    latencies.sort();
    let p95 = latencies[(CLERKS * 95).div_ceil(100) - 1];
    println!(
        "{CLERKS} concurrent PATCHes of one school on {}: p50 {:?}, p95 {p95:?}, max {:?}",
        if app.db.is_postgres() { "PostgreSQL" } else { "SQLite" },
        latencies[CLERKS / 2],
        latencies[CLERKS - 1]
    );
    assert_no_drift(&app, "concurrent saves").await;
    let stats =
        app.get(&format!("/api/v1/students?schoolId={}&findingCode=gender_missing&pageSize=1", f.school_a1), &a1).await;
    assert_eq!(stats.body["total"], 0, "{}", stats.text);
}
