//! Privacy by design (issue 13): full ID numbers only on an explicit, recorded reveal; the
//! access log of who read personal data (reveals, history views, exports, import reports),
//! scoped by role, exported as a workbook, and append-only on both databases.

use std::io::Cursor;

use calamine::{Data, Reader};
use dinhdanh_tests::{TestApp, spawn_app};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

async fn sql(app: &TestApp, statement: &str) {
    app.store.db.execute_unprepared(statement).await.expect(statement);
}

async fn bytes(app: &TestApp, path: &str, token: &str) -> (u16, Vec<u8>) {
    let res = app.client.get(app.url(path)).bearer_auth(token).send().await.expect("request");
    let status = res.status().as_u16();
    (status, res.bytes().await.expect("body").to_vec())
}

fn actions(log: &Value) -> Vec<(String, String)> {
    log["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| (e["action"].as_str().expect("action").to_owned(), e["username"].as_str().expect("user").to_owned()))
        .collect()
}

#[tokio::test]
async fn reveals_history_views_exports_and_import_reports_are_in_the_access_log() {
    let app = spawn_app().await;
    let f = app.fixtures;
    let school = app.login("school-a1").await;
    let a = app
        .create_student(&school, f.class_a1_6a, json!({"fullName": "Đỗ Minh Anh", "personalId": "031214005678"}))
        .await;
    let b = app.create_student(&school, f.class_a1_6a, json!({"fullName": "Lê Bảo Ngọc"})).await;
    let (a_id, b_id) = (a["id"].as_i64().expect("id"), b["id"].as_i64().expect("id"));
    assert_eq!(a["personalId"], "0312******78", "the answer to a create is masked too");

    // a reveal of a record without a number answers null; one with a number the number
    let none = app.post(&format!("/api/v1/students/{b_id}/reveal"), &school, &json!({"fields": ["personalId"]})).await;
    assert_eq!((none.status, none.body["personalId"].clone()), (200, Value::Null), "{}", none.text);
    let full = app.post(&format!("/api/v1/students/{a_id}/reveal"), &school, &json!({"fields": ["personalId"]})).await;
    assert_eq!(full.body["personalId"], "031214005678");
    app.post(&format!("/api/v1/students/{a_id}/reveal"), &school, &json!({"fields": []}))
        .await
        .assert_problem(422, "validation_failed");
    app.post(&format!("/api/v1/students/{a_id}/reveal"), &school, &json!({"fields": ["fullName"]}))
        .await
        .assert_problem(422, "validation_failed");
    // an office reads the record but may not reveal it
    let district = app.login("district-a").await;
    app.post(&format!("/api/v1/students/{a_id}/reveal"), &district, &json!({"fields": ["personalId"]}))
        .await
        .assert_problem(403, "forbidden");

    // editing the number needs no reveal of the old one
    let edited = app.patch(&format!("/api/v1/students/{a_id}"), &school, &json!({"personalId": "031214005679"})).await;
    assert_eq!(edited.status, 200, "{}", edited.text);
    assert_eq!(edited.body["personalId"], "0312******79");

    assert_eq!(app.get(&format!("/api/v1/students/{a_id}/history"), &district).await.status, 200);
    let (status, _) = bytes(&app, &format!("/api/v1/templates/students.xlsx?classId={}", f.class_a1_6a), &school).await;
    assert_eq!(status, 200);

    let department = app.login("department").await;
    let log = app.get(&format!("/api/v1/access-log?personId={a_id}"), &department).await;
    assert_eq!(log.status, 200, "{}", log.text);
    assert_eq!(
        actions(&log.body),
        vec![
            ("export".to_owned(), "school-a1".to_owned()),
            ("history_view".to_owned(), "district-a".to_owned()),
            ("reveal".to_owned(), "school-a1".to_owned()),
        ],
        "newest first; the refused reveal is not an access: {}",
        log.text
    );
    let export = &log.body["items"][0];
    assert_eq!(export["personIds"], json!([a_id, b_id]), "the export names the records it carried");
    assert_eq!(export["personCount"], 2);
    assert_eq!(export["field"], "personalId", "the school's template carries full numbers");
    assert!(export["requestId"].as_str().is_some_and(|r| !r.is_empty()));
    let history = &log.body["items"][1];
    assert_eq!(history["field"], Value::Null, "the office's history view masks numbers");
    assert!(!log.text.contains("031214005678") && !log.text.contains("031214005679"), "no number in the log");
    let user_id = export["userId"].as_i64().expect("user id");

    // filters: by account, by days (Vietnam), paging
    let by_user = app.get(&format!("/api/v1/access-log?userId={user_id}&pageSize=1"), &department).await;
    assert_eq!((by_user.body["total"].as_u64(), by_user.body["items"].as_array().map(Vec::len)), (Some(3), Some(1)));
    let today = app.today();
    let yesterday = today.pred_opt().expect("day");
    let days = app.get(&format!("/api/v1/access-log?from={today}&to={today}"), &department).await;
    assert_eq!(days.body["total"], 4, "{}", days.text);
    let before = app.get(&format!("/api/v1/access-log?to={yesterday}"), &department).await;
    assert_eq!(before.body["total"], 0);
    app.get(&format!("/api/v1/access-log?from={today}&to={yesterday}"), &department)
        .await
        .assert_problem(422, "validation_failed");

    // the workbook under the same filters
    let (status, book) = bytes(&app, &format!("/api/v1/access-log.xlsx?personId={a_id}"), &department).await;
    assert_eq!(status, 200);
    let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(book)).expect("workbook");
    let sheet = book.worksheet_range("Nhật ký truy cập").expect("sheet");
    let rows: Vec<Vec<String>> = sheet.rows().map(|r| r.iter().map(Data::to_string).collect()).collect();
    assert_eq!(rows[2][2], "Tên đăng nhập");
    assert_eq!(rows.len(), 6, "title, blank, header and three entries: {rows:?}");
    assert_eq!((rows[3][2].as_str(), rows[3][3].as_str()), ("school-a1", "Xuất tệp"));
    assert_eq!(rows[3][6], format!("{a_id}-{b_id}"));
    assert_eq!((rows[5][3].as_str(), rows[5][4].as_str()), ("Xem số định danh đầy đủ", "số định danh đầy đủ"));
}

#[tokio::test]
async fn the_access_log_is_read_by_the_roles_of_the_table_within_their_units() {
    let app = spawn_app().await;
    let f = app.fixtures;
    let a1 = app.login("school-a1").await;
    let b1 = app.login("school-b1").await;
    let s_a1 = app.create_student(&a1, f.class_a1_6a, json!({"fullName": "Hà An", "personalId": "031214001111"})).await;
    let s_b1 =
        app.create_student(&b1, f.class_b1_10a, json!({"fullName": "Hà Bình", "personalId": "031208002222"})).await;
    for (token, s) in [(&a1, &s_a1), (&b1, &s_b1)] {
        let path = format!("/api/v1/students/{}/reveal", s["id"]);
        assert_eq!(app.post(&path, token, &json!({"fields": ["personalId"]})).await.status, 200);
    }
    // plain school and office accounts do not read the log
    app.get("/api/v1/access-log", &a1).await.assert_problem(403, "forbidden");
    app.get("/api/v1/access-log", &app.login("district-a").await).await.assert_problem(403, "forbidden");
    app.get("/api/v1/access-log.xlsx", &a1).await.assert_problem(403, "forbidden");

    sql(&app, "UPDATE users SET role = 'school_admin' WHERE username = 'school-a2'").await;
    sql(&app, "UPDATE users SET role = 'district_admin' WHERE username = 'district-b'").await;
    let principal_a2 = app.login("school-a2").await;
    let district_b = app.login("district-b").await;
    let department = app.login("department").await;
    let seen = |log: &Value| {
        log["items"].as_array().expect("items").iter().map(|e| e["personIds"][0].clone()).collect::<Vec<_>>()
    };
    let a2_log = app.get("/api/v1/access-log", &principal_a2).await;
    assert_eq!(a2_log.status, 200, "{}", a2_log.text);
    assert!(seen(&a2_log.body).is_empty(), "another school's reveal: {}", a2_log.text);
    let b_log = app.get("/api/v1/access-log", &district_b).await;
    assert_eq!(seen(&b_log.body), vec![s_b1["id"].clone()], "its subtree only: {}", b_log.text);
    let all = app.get("/api/v1/access-log", &department).await;
    assert_eq!(seen(&all.body), vec![s_b1["id"].clone(), s_a1["id"].clone()]);
    let a_filter = app.get(&format!("/api/v1/access-log?personId={}", s_a1["id"]), &district_b).await;
    assert_eq!(a_filter.body["total"], 0, "a filter never widens the scope");
}

#[tokio::test]
async fn the_access_log_refuses_updates_and_deletes_in_the_database() {
    let app = spawn_app().await;
    let f = app.fixtures;
    let school = app.login("school-a1").await;
    let s =
        app.create_student(&school, f.class_a1_6a, json!({"fullName": "Vũ Hà", "personalId": "031214003333"})).await;
    let path = format!("/api/v1/students/{}/reveal", s["id"]);
    assert_eq!(app.post(&path, &school, &json!({"fields": ["personalId"]})).await.status, 200);
    for statement in [
        "UPDATE access_events SET username = 'someone-else'",
        "DELETE FROM access_events",
        "UPDATE access_event_people SET person_id = 0",
        "DELETE FROM access_event_people",
    ] {
        let refused = app.store.db.execute_unprepared(statement).await;
        assert!(refused.is_err(), "{statement} must be refused");
        assert!(format!("{:?}", refused).contains("append-only"), "{refused:?}");
    }
    if app.db.is_postgres() {
        assert!(app.store.db.execute_unprepared("TRUNCATE access_events").await.is_err(), "TRUNCATE is refused");
    }
    let log = app.get("/api/v1/access-log", &app.login("department").await).await;
    assert_eq!(log.body["total"], 1);
    assert_eq!(log.body["items"][0]["username"], "school-a1");
    assert_eq!(log.body["items"][0]["personIds"], json!([s["id"]]));
}

/// The text poppler's `pdftotext` extracts from a PDF, white space runs as one space.
fn pdf_text(pdf: &[u8]) -> String {
    let dir = std::env::temp_dir().join(format!("dinhdanh-it-pdf-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let path = dir.join("bao-cao.pdf");
    std::fs::write(&path, pdf).expect("write pdf");
    let out = std::process::Command::new("pdftotext").args(["-enc", "UTF-8"]).arg(&path).arg("-").output();
    let _ = std::fs::remove_dir_all(&dir);
    let out = out.expect("pdftotext runs (apt-get install poppler-utils)");
    assert!(out.status.success(), "pdftotext: {}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    format!(" {} ", text.split_whitespace().collect::<Vec<_>>().join(" "))
}

#[tokio::test]
async fn the_data_subject_report_says_what_is_held_where_it_came_from_and_who_saw_it() {
    let app = spawn_app().await;
    let f = app.fixtures;
    let school = app.login("school-a1").await;
    let s = app
        .create_student(
            &school,
            f.class_a1_6a,
            json!({"fullName": "Trần Thị Mai", "gender": "Nữ", "personalId": "031214007777"}),
        )
        .await;
    let id = s["id"].as_i64().expect("id");
    let changed = app.patch(&format!("/api/v1/students/{id}"), &school, &json!({"fullName": "Trần Thị Mai Anh"})).await;
    assert_eq!(changed.status, 200, "{}", changed.text);
    assert_eq!(app.reveal(&school, &s).await.as_deref(), Some("031214007777"));
    let district = app.login("district-a").await;
    assert_eq!(app.get(&format!("/api/v1/students/{id}/history"), &district).await.status, 200);

    let path = format!("/api/v1/students/{id}/personal-data-report.pdf");
    app.get(&path, &district).await.assert_problem(403, "forbidden");
    let res = app.client.get(app.url(&path)).bearer_auth(&school).send().await.expect("request");
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(res.headers().get("content-type").and_then(|v| v.to_str().ok()), Some("application/pdf"));
    let pdf = res.bytes().await.expect("pdf").to_vec();
    assert!(pdf.starts_with(b"%PDF-"));
    let text = pdf_text(&pdf);
    for expected in [
        "Trần Thị Mai Anh",
        "Trần Thị Mai → Trần Thị Mai Anh",
        "Số định danh cá nhân",
        "0312******77",
        "Nhà trường nhập trực tiếp",
        "Xem số định danh đầy đủ",
        "Xem lịch sử thay đổi",
        "school-a1",
        "district-a",
        "Nghị định 13/2023/NĐ-CP",
    ] {
        assert!(text.contains(expected), "{expected:?} in the report: {text}");
    }
    assert!(!text.contains("031214007777"), "the report never holds a full number: {text}");

    let log = app.get(&format!("/api/v1/access-log?personId={id}"), &app.login("department").await).await;
    let newest = &log.body["items"][0];
    assert_eq!(
        (newest["action"].as_str(), newest["username"].as_str()),
        (Some("personal_data_report"), Some("school-a1"))
    );
    // a staff member's report too
    let staff = app.create_staff(&school, None, json!({"fullName": "Phạm Văn Hùng", "position": "teacher"})).await;
    let res = app
        .client
        .get(app.url(&format!("/api/v1/staff/{}/personal-data-report.pdf", staff["id"])))
        .bearer_auth(&school)
        .send()
        .await
        .expect("request");
    assert_eq!(res.status().as_u16(), 200);
    assert!(pdf_text(&res.bytes().await.expect("pdf")).contains("Phạm Văn Hùng"));
}
