//! Any filtered list as a workbook (`GET /students.xlsx`, `/staff.xlsx`): the list's filters
//! and scope, ID numbers masked for every role, Vietnamese states and messages, and an access
//! log entry naming the records it carried.

use std::io::Cursor;

use calamine::{Data, Reader};
use dinhdanh_tests::{TestApp, spawn_app};
use serde_json::json;

async fn bytes(app: &TestApp, path: &str, token: &str) -> (u16, Vec<u8>) {
    let res = app.client.get(app.url(path)).bearer_auth(token).send().await.expect("request");
    let status = res.status().as_u16();
    (status, res.bytes().await.expect("body").to_vec())
}

/// The first sheet's rows as text.
fn rows(bytes: &[u8]) -> Vec<Vec<String>> {
    let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes.to_vec())).expect("calamine opens it");
    let name = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&name).expect("sheet");
    range
        .rows()
        .map(|r| {
            r.iter()
                .map(|d| match d {
                    Data::Float(f) => format!("{f}"),
                    Data::Int(i) => i.to_string(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

#[tokio::test]
async fn a_filtered_list_exports_as_the_role_sees_it_and_is_in_the_access_log() {
    let app = spawn_app().await;
    let f = app.fixtures;
    let school = app.login("school-a1").await;
    let broken = app
        .create_student(&school, f.class_a1_6a, json!({"fullName": "Nguyễn Văn An", "dateOfBirth": "31/02/2014", "gender": "Nam", "personalId": "031214001234"}))
        .await;
    app.create_student(
        &school,
        f.class_a1_6a,
        json!({"fullName": "Trần Thu Hà", "dateOfBirth": "05/03/2014", "gender": "Nữ", "personalId": "031314001235"}),
    )
    .await;
    app.create_student(&school, f.class_a1_6b, json!({"fullName": "Lê Văn Bình", "dateOfBirth": "31/02/2014"})).await;

    // The class's records with an impossible date: exactly the list's answer.
    let filter = format!("classId={}&findingCode=dob_impossible", f.class_a1_6a);
    let listed = app.get(&format!("/api/v1/students?{filter}"), &school).await;
    assert_eq!(listed.body["total"], 1, "{}", listed.text);
    let (status, file) = bytes(&app, &format!("/api/v1/students.xlsx?{filter}"), &school).await;
    assert_eq!(status, 200);
    let sheet = rows(&file);
    assert!(sheet[0][0].starts_with("Danh sách học sinh (1 hồ sơ)"), "{:?}", sheet[0]);
    assert_eq!(sheet[2][3], "Họ và tên");
    assert_eq!(sheet.len(), 4, "title, blank, header, one record: {sheet:?}");
    let line = &sheet[3];
    assert_eq!(line[2], "6A");
    assert_eq!(line[3], "Nguyễn Văn An");
    assert_eq!(line[6], "0312******34", "masked as in the list, also for the school that edits it");
    assert_eq!(line[9], "Chưa gửi");
    assert!(line[12].contains("ngày") || line[12].contains("Ngày"), "the Vietnamese message: {}", line[12]);
    assert!(!file.windows(12).any(|w| w == b"031214001234"), "no full number anywhere in the file");

    // The whole school's list, read by the district: masked the same, two classes.
    let district = app.login("district-a").await;
    let (status, file) = bytes(&app, &format!("/api/v1/students.xlsx?unitId={}", f.school_a1), &district).await;
    assert_eq!(status, 200);
    assert_eq!(rows(&file).len(), 3 + 3);
    let (status, _) = bytes(&app, &format!("/api/v1/students.xlsx?unitId={}", f.school_b1), &district).await;
    assert!(status == 403 || status == 404, "another district's school: {status}");
    let (status, _) = bytes(&app, "/api/v1/students.xlsx?findingCode=no_such_code", &school).await;
    assert_eq!(status, 422);
    let (status, file) = bytes(&app, "/api/v1/staff.xlsx", &school).await;
    assert_eq!(status, 200);
    assert!(rows(&file)[0][0].starts_with("Danh sách cán bộ"));

    // Each export carrying records is an access of those records.
    let department = app.login("department").await;
    let id = broken["id"].as_i64().expect("id");
    let log = app.get(&format!("/api/v1/access-log?personId={id}"), &department).await;
    let exports: Vec<(&str, &str)> = log.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|e| e["action"] == "export")
        .map(|e| (e["username"].as_str().unwrap_or_default(), e["detail"].as_str().unwrap_or_default()))
        .collect();
    assert_eq!(exports.len(), 2, "{}", log.text);
    assert!(exports.iter().all(|(_, detail)| detail.starts_with("list: student")), "{exports:?}");
    assert!(exports.iter().any(|(user, _)| *user == "district-a"));
}
