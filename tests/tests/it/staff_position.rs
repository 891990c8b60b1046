//! A people import's `Chức vụ` column on staff it already holds: a re-import that names another
//! position lists it in the preview as a change, the commit writes it (audited as a field change
//! of the record) and the undo puts the old one back; an old template never writes its position
//! over one changed on the web since (stale, as for the identity fields). Runs on SQLite, and on PostgreSQL when
//! `TEST_DATABASE_URL` is set.

use dinhdanh_tests::{Answer, TestApp, spawn_app};
use serde_json::{Value, json};

/// Uploads a CSV as the raw body (`X-Filename`) and expects a ready preview.
async fn preview_csv(app: &TestApp, token: &str, csv: &str) -> Value {
    preview_file(app, token, "can-bo.csv", csv.as_bytes()).await
}

async fn preview_file(app: &TestApp, token: &str, filename: &str, bytes: &[u8]) -> Value {
    let res = app
        .client
        .post(app.url("/api/v1/imports?population=staff"))
        .bearer_auth(token)
        .header("X-Filename", filename)
        .header("Content-Type", "application/octet-stream")
        .body(bytes.to_vec())
        .send()
        .await
        .expect("upload");
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let text = res.text().await.unwrap_or_default();
    let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    let res = Answer { status, headers, body, text };
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["status"], "ready", "{}", res.text);
    res.body
}

async fn staff(app: &TestApp, token: &str, id: &Value) -> Value {
    let res = app.get(&format!("/api/v1/staff/{id}"), token).await;
    assert_eq!(res.status, 200, "{}", res.text);
    res.body
}

async fn a_teacher(app: &TestApp, token: &str) -> Value {
    app.create_staff(
        token,
        None,
        json!({
            "fullName": "Trần Thị Mai",
            "dateOfBirth": "20/11/1985",
            "gender": "Nữ",
            "personalId": "031185000001",
            "position": "teacher",
            "residence": {"province": "Thành phố Hải Phòng", "commune": "Phường Lê Chân"}
        }),
    )
    .await
}

#[tokio::test]
async fn an_old_template_does_not_write_its_position_over_one_changed_since() {
    let app = spawn_app().await;
    let token = app.login("school-a1").await;
    let id = a_teacher(&app, &token).await["id"].clone();
    let res = app.client.get(app.url("/api/v1/templates/staff.xlsx")).bearer_auth(&token).send().await.expect("export");
    assert_eq!(res.status().as_u16(), 200);
    let exported = res.bytes().await.expect("bytes").to_vec();
    // she is made vice-principal on the web after the export
    let res = app.patch(&format!("/api/v1/staff/{id}"), &token, &json!({"position": "manager"})).await;
    assert_eq!(res.status, 200, "{}", res.text);

    // the old template comes back as it was: its "Giáo viên" is stale (the record's value is
    // newer), not an update
    let p = preview_file(&app, &token, "can-bo.xlsx", &exported).await;
    let row = &p["rows"][0];
    let change = row["changes"].as_array().and_then(|c| c.iter().find(|c| c["field"] == "position")).cloned();
    let change = change.unwrap_or_else(|| panic!("a position change: {row}"));
    assert_eq!(
        (change["old"].clone(), change["new"].clone(), change["status"].clone()),
        (json!("manager"), json!("teacher"), json!("stale"))
    );
    let import_id = p["id"].as_str().expect("id").to_owned();
    let res = app.post(&format!("/api/v1/imports/{import_id}/commit"), &token, &json!({})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(staff(&app, &token, &id).await["position"], "manager", "the newer value is kept");
}

#[tokio::test]
async fn a_re_import_that_changes_the_position_previews_commits_audits_and_undoes_it() {
    let app = spawn_app().await;
    let token = app.login("school-a1").await;
    let teacher = a_teacher(&app, &token).await;
    let id = teacher["id"].clone();
    let header = "Số định danh cá nhân,Họ và tên,Ngày sinh,Giới tính,Chức vụ";

    // the same position in the school's words changes nothing
    let same =
        preview_csv(&app, &token, &format!("{header}\n031185000001,Trần Thị Mai,20/11/1985,Nữ,Giáo viên\n")).await;
    assert_eq!(same["rows"][0]["action"], "unchanged", "{same}");

    // she becomes vice-principal: the preview lists the change, and only it
    let file = format!("{header}\n031185000001,Trần Thị Mai,20/11/1985,Nữ,Phó Hiệu trưởng\n");
    let p = preview_csv(&app, &token, &file).await;
    let row = &p["rows"][0];
    assert_eq!((row["action"].clone(), row["personId"].clone()), (json!("update"), id.clone()), "{row}");
    assert_eq!(
        row["changes"],
        json!([{"field": "position", "column": "E", "old": "teacher", "new": "manager", "status": "update"}]),
        "{row}"
    );
    assert_eq!(p["totals"]["update"], 1, "{p}");

    let import_id = p["id"].as_str().expect("id").to_owned();
    let res = app.post(&format!("/api/v1/imports/{import_id}/commit"), &token, &json!({})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(staff(&app, &token, &id).await["position"], "manager");
    let history = app.get(&format!("/api/v1/staff/{id}/history"), &token).await;
    assert_eq!(history.status, 200, "{}", history.text);
    let items = history.body["items"].as_array().expect("items");
    assert!(
        items.iter().any(|e| e["field"] == "position"
            && e["oldValue"] == "teacher"
            && e["newValue"] == "manager"
            && e["source"] == "import"),
        "{items:?}"
    );

    // a second import of the same file: nothing left to change
    let again = preview_csv(&app, &token, &file).await;
    assert_eq!(again["rows"][0]["action"], "unchanged", "{again}");

    // undo puts the old position back
    let res = app.post(&format!("/api/v1/imports/{import_id}/undo"), &token, &json!({})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(staff(&app, &token, &id).await["position"], "teacher");
}
