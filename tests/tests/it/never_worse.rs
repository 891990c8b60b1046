//! Never make a record worse (issue 11), as a school clerk lives it: a save that brings a
//! blocking error is refused unless the clerk insists, and the answer says what is left to fix;
//! a verified record changes only when the clerk confirms, then shows "đã sửa sau xác thực";
//! an old Excel template neither blanks fields with its empty cells nor writes an impossible
//! date or a short ID number over a good one unless forced, and `(xoá)` clears a field; marking
//! a record as awaiting evidence keeps the registry's answer and can be taken back. Runs on
//! SQLite, and on PostgreSQL when `TEST_DATABASE_URL` is set.

use crate::three_way::upload;
use dinhdanh_tests::{Answer, TestApp, spawn_app};
use rust_xlsxwriter::Workbook;
use serde_json::{Value, json};

/// A clean grade-6 student of class 6A, school A1: no error finding.
async fn clean_student(app: &TestApp, token: &str, seq: u32, name: &str) -> Value {
    let year: i32 = app.settings.school_year_now()[..4].parse().expect("year");
    let birth_year = year - 11;
    let body = json!({
        "fullName": name,
        "dateOfBirth": format!("23/10/{birth_year}"),
        "gender": "Nam",
        "personalId": format!("0312{:02}{:06}", birth_year % 100, seq),
        "residence": {"province": "Thành phố Hải Phòng", "commune": "Phường Lê Chân"},
        "residenceText": "Số 5 ngõ 12"
    });
    let created = app.create_student(token, app.fixtures.class_a1_6a, body).await;
    assert_eq!(created["quality"]["errors"], 0, "{created}");
    created
}

/// The registry verified the record an hour before the clock's now.
async fn verified_an_hour_ago(app: &TestApp, id: i64) {
    app.set_status_at(id, "verified", &[], Some(app.clock.now() - chrono::Duration::hours(1))).await;
}

async fn student(app: &TestApp, token: &str, id: i64) -> Value {
    let res = app.get(&format!("/api/v1/students/{id}"), token).await;
    assert_eq!(res.status, 200, "{}", res.text);
    res.body
}

async fn history_actions(app: &TestApp, token: &str, id: i64) -> Vec<(String, Option<String>, Option<String>)> {
    let res = app.get(&format!("/api/v1/students/{id}/history"), token).await;
    assert_eq!(res.status, 200, "{}", res.text);
    res.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap_or("").to_owned(),
                e["field"].as_str().map(str::to_owned),
                e["newValue"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

fn pointers_and_codes(problem: &Answer) -> Vec<(String, String)> {
    problem.body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| (e["pointer"].as_str().unwrap_or("").to_owned(), e["code"].as_str().unwrap_or("").to_owned()))
        .collect()
}

/// An .xlsx of one sheet "6A" with these rows of text cells ("" is an empty cell).
fn sheet(rows: &[Vec<String>]) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("6A").expect("name");
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                ws.write_string(r as u32, c as u16, v).expect("cell");
            }
        }
    }
    wb.save_to_buffer().expect("workbook")
}

fn header() -> Vec<String> {
    ["Mã hồ sơ", "Họ và tên", "Ngày sinh", "Giới tính", "Số định danh cá nhân", "Địa chỉ thường trú"]
        .map(str::to_owned)
        .to_vec()
}

// The multipart upload for class 6A is the three-way suite's (`three_way::upload`).

async fn commit(app: &TestApp, token: &str, import: &Value, body: Value) -> Value {
    let id = import["id"].as_str().expect("id");
    let res = app.post(&format!("/api/v1/imports/{id}/commit"), token, &body).await;
    assert_eq!(res.status, 200, "commit: {}", res.text);
    res.body
}

fn change<'a>(import: &'a Value, row: u64, field: &str) -> Option<&'a Value> {
    let r = import["rows"].as_array().expect("rows").iter().find(|r| r["row"] == row)?;
    r["changes"].as_array().expect("changes").iter().find(|c| c["field"] == field)
}

#[tokio::test]
async fn a_save_that_brings_a_blocking_error_is_refused_unless_the_clerk_insists() {
    let app = spawn_app().await;
    let token = app.login("school-a1").await;
    let han = clean_student(&app, &token, 1, "Lê Tuệ Hân").await;
    let id = han["id"].as_i64().expect("id");
    assert_eq!(han["blockingErrors"], 0);
    assert_eq!(han["readyToSend"], true);

    // 31/02 over a good date: refused, naming the finding, nothing written
    let res = app.patch(&format!("/api/v1/students/{id}"), &token, &json!({"dateOfBirth": "31/02/2015"})).await;
    res.assert_problem(422, "would_worsen");
    assert_eq!(pointers_and_codes(&res), vec![("/dateOfBirth".to_owned(), "dob_impossible".to_owned())]);
    assert_eq!(student(&app, &token, id).await["dateOfBirth"], han["dateOfBirth"]);

    // an 11-digit ID over a valid 12-digit one, and clearing the date: refused the same way
    let res = app.patch(&format!("/api/v1/students/{id}"), &token, &json!({"personalId": "03121500000"})).await;
    res.assert_problem(422, "would_worsen");
    assert_eq!(pointers_and_codes(&res), vec![("/personalId".to_owned(), "id_bad_length".to_owned())]);
    let res = app.patch(&format!("/api/v1/students/{id}"), &token, &json!({"dateOfBirth": null})).await;
    res.assert_problem(422, "would_worsen");

    // a change that keeps the record clean saves, and says it is ready to send
    let res = app.patch(&format!("/api/v1/students/{id}"), &token, &json!({"fullName": "Lê Tuệ Hằng"})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!((res.body["blockingErrors"].clone(), res.body["readyToSend"].clone()), (json!(0), json!(true)));

    // insisting saves it, audited as forced, and the answer says what blocks verification
    let res = app
        .patch(&format!("/api/v1/students/{id}"), &token, &json!({"dateOfBirth": "31/02/2015", "allowWorse": true}))
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["dateOfBirth"], "31/02/2015");
    assert_eq!(res.body["blockingErrors"], 1);
    assert_eq!(res.body["readyToSend"], false);
    let audit = history_actions(&app, &token, id).await;
    assert!(
        audit.contains(&("force".to_owned(), Some("dateOfBirth".to_owned()), Some("dob_impossible".to_owned()))),
        "{audit:?}"
    );

    // a record already wrong may stay wrong the same way, or get better, without insisting
    let res = app.patch(&format!("/api/v1/students/{id}"), &token, &json!({"dateOfBirth": "30/02/2015"})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    let res = app.patch(&format!("/api/v1/students/{id}"), &token, &json!({"dateOfBirth": "23/10/2015"})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["blockingErrors"], 0);
}

#[tokio::test]
async fn a_verified_record_changes_only_when_the_clerk_confirms_and_then_needs_sending_again() {
    let app = spawn_app().await;
    let token = app.login("school-a1").await;
    let id = clean_student(&app, &token, 2, "Nguyễn Văn Bình").await["id"].as_i64().expect("id");
    verified_an_hour_ago(&app, id).await;

    let res = app.patch(&format!("/api/v1/students/{id}"), &token, &json!({"fullName": "Nguyễn Văn Bính"})).await;
    res.assert_problem(422, "confirm_verified_changes");
    assert_eq!(pointers_and_codes(&res), vec![("/fullName".to_owned(), "verified".to_owned())]);
    let still = student(&app, &token, id).await;
    assert_eq!((still["status"].clone(), still["fullName"].clone()), (json!("verified"), json!("Nguyễn Văn Bình")));
    assert_eq!(still["changedAfterVerification"], false);

    // a spelling that keeps what the registry compares needs no confirmation
    let res = app.patch(&format!("/api/v1/students/{id}"), &token, &json!({"fullName": "nguyễn  văn bình"})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["status"], "verified");

    let res = app
        .patch(
            &format!("/api/v1/students/{id}"),
            &token,
            &json!({"fullName": "Nguyễn Văn Bính", "confirmVerifiedChanges": true}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["status"], "not_sent");
    assert_eq!(res.body["changedAfterVerification"], true);
    assert_eq!(res.body["readyToSend"], true);
    let audit = history_actions(&app, &token, id).await;
    assert!(audit.iter().any(|(a, _, _)| a == "confirm_verified_change"), "{audit:?}");
    assert!(
        audit.contains(&("update".to_owned(), Some("status".to_owned()), Some("not_sent".to_owned()))),
        "the registry's verdict stays in the history: {audit:?}"
    );
}

#[tokio::test]
async fn an_old_template_neither_blanks_nor_breaks_a_record_and_xoa_clears() {
    let app = spawn_app().await;
    let token = app.login("school-a1").await;
    let han = clean_student(&app, &token, 3, "Lê Tuệ Hân").await;
    let id = han["id"].as_i64().expect("id");
    let key = id.to_string();
    let name = han["fullName"].as_str().expect("name").to_owned();
    let pid = app.reveal(&token, &han).await.expect("pid");
    let short_pid = pid[..11].to_owned();

    // the clerk's file: date left empty, an 11-digit ID, the address marked (xoá)
    let file = sheet(&[
        header(),
        vec![key.clone(), name.clone(), String::new(), "Nam".to_owned(), short_pid.clone(), "(xoá)".to_owned()],
    ]);
    let preview = upload(&app, &token, &file).await;
    assert!(change(&preview, 2, "dateOfBirth").is_none(), "an empty cell changes nothing: {preview}");
    let id_change = change(&preview, 2, "personalId").expect("the ID change is shown");
    assert_eq!(id_change["wouldWorsen"][0]["code"], "id_bad_length", "{id_change}");
    let address = change(&preview, 2, "residenceText").expect("(xoá) clears");
    assert_eq!((address["new"].clone(), address.get("wouldWorsen")), (Value::Null, None));
    assert_eq!(preview["totals"]["wouldWorsen"], 1, "{}", preview["totals"]);

    // committed without a choice: the address is cleared, the good ID stays
    commit(&app, &token, &preview, json!({})).await;
    let after = student(&app, &token, id).await;
    assert_eq!(app.reveal(&token, &after).await.as_deref(), Some(pid.as_str()));
    assert_eq!(after["dateOfBirth"], han["dateOfBirth"]);
    assert_eq!(after["residenceText"], Value::Null);
    assert_eq!(after["blockingErrors"], 0);

    // the same file again, the clerk forcing the ID: written, audited as forced
    let preview = upload(&app, &token, &file).await;
    let body = json!({"choices": [{"row": 2, "field": "personalId", "force": true}]});
    commit(&app, &token, &preview, body).await;
    let after = student(&app, &token, id).await;
    assert_eq!(app.reveal(&token, &after).await.as_deref(), Some(short_pid.as_str()));
    assert_eq!(after["blockingErrors"], 1);
    let audit = history_actions(&app, &token, id).await;
    assert!(
        audit.contains(&("force".to_owned(), Some("personalId".to_owned()), Some("id_bad_length".to_owned()))),
        "{audit:?}"
    );
}

#[tokio::test]
async fn an_import_changes_a_verified_record_only_when_confirmed() {
    let app = spawn_app().await;
    let token = app.login("school-a1").await;
    let binh = clean_student(&app, &token, 4, "Nguyễn Văn Bình").await;
    let id = binh["id"].as_i64().expect("id");
    verified_an_hour_ago(&app, id).await;
    let row = vec![
        id.to_string(),
        "Nguyễn Văn Bính".to_owned(),
        binh["dateOfBirth"].as_str().expect("dob").to_owned(),
        "Nam".to_owned(),
        app.reveal(&token, &binh).await.expect("pid"),
        String::new(),
    ];
    let file = sheet(&[header(), row]);
    let preview = upload(&app, &token, &file).await;
    assert_eq!(change(&preview, 2, "fullName").expect("name change")["verified"], true);
    assert_eq!(preview["totals"]["verifiedChanges"], 1);

    let done = commit(&app, &token, &preview, json!({})).await;
    assert_eq!(done["kept"], 1, "{done}");
    let still = student(&app, &token, id).await;
    assert_eq!((still["status"].clone(), still["fullName"].clone()), (json!("verified"), json!("Nguyễn Văn Bình")));

    let preview = upload(&app, &token, &file).await;
    commit(&app, &token, &preview, json!({"confirmVerifiedChanges": true})).await;
    let changed = student(&app, &token, id).await;
    assert_eq!(changed["fullName"], "Nguyễn Văn Bính");
    assert_eq!(changed["status"], "not_sent");
    assert_eq!(changed["changedAfterVerification"], true);
}

/// The registry answered "mismatched" on the date of birth, with its own value.
async fn registry_disagrees_on_the_date(app: &TestApp, id: i64) {
    use dinhdanh::domain::org::VerificationStatus;
    use dinhdanh::store::audit::{AuditCtx, Source};
    use dinhdanh::store::counters::{StatusWrite, write_statuses};
    use dinhdanh::store::entities::people;
    use sea_orm::EntityTrait;
    let before = people::Entity::find_by_id(id).one(&app.store.db).await.expect("query").expect("row");
    let at = app.clock.now() - chrono::Duration::hours(1);
    let write = StatusWrite {
        status: VerificationStatus::Mismatched,
        mismatch_fields: vec!["dateOfBirth".to_owned()],
        registry_values: Some(Some(json!({"dateOfBirth": "2015-10-24"}).to_string())),
    };
    write_statuses(&app.store.db, &AuditCtx::system(Source::Registry, None, at), vec![(before, write)], at)
        .await
        .expect("answer written");
}

#[tokio::test]
async fn awaiting_evidence_keeps_the_registrys_answer_and_can_be_taken_back() {
    let app = spawn_app().await;
    let token = app.login("school-a1").await;
    let id = clean_student(&app, &token, 5, "Trần Minh Khoa").await["id"].as_i64().expect("id");
    let other = clean_student(&app, &token, 6, "Phạm Gia Huy").await["id"].as_i64().expect("id");
    registry_disagrees_on_the_date(&app, id).await;
    registry_disagrees_on_the_date(&app, other).await;

    // the family must bring the notice: the registry's value and reason stay on the record
    let res = app.post(&format!("/api/v1/students/{id}/awaiting-evidence"), &token, &json!({})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["status"], "awaiting_evidence");
    assert_eq!(res.body["mismatchFields"], json!(["dateOfBirth"]));
    assert_eq!(res.body["registryValues"]["dateOfBirth"], "2015-10-24");
    let slips = app.get(&format!("/api/v1/classes/{}/evidence-requests", app.fixtures.class_a1_6a), &token).await;
    assert_eq!(slips.status, 200, "{}", slips.text);

    // taken back: mismatched again, with the same answer
    let res = app.delete(&format!("/api/v1/students/{id}/awaiting-evidence"), &token).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["status"], "mismatched");
    assert_eq!(res.body["mismatchFields"], json!(["dateOfBirth"]));
    assert_eq!(res.body["registryValues"]["dateOfBirth"], "2015-10-24");
    app.delete(&format!("/api/v1/students/{id}/awaiting-evidence"), &token).await.assert_problem(409, "conflict");

    // in bulk: a dry run says what would happen and does nothing
    let body = json!({"personIds": [id, other, 999_999], "dryRun": true});
    let res = app.post("/api/v1/verification/awaiting-evidence", &token, &body).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!((res.body["dryRun"].clone(), res.body["changed"].clone()), (json!(true), json!(2)));
    assert_eq!(res.body["counts"], json!({"not_found": 1}));
    assert_eq!(student(&app, &token, id).await["status"], "mismatched", "a dry run writes nothing");

    let body = json!({"personIds": [id, other]});
    let res = app.post("/api/v1/verification/awaiting-evidence", &token, &body).await;
    assert_eq!(res.body["changed"], 2, "{}", res.text);
    assert_eq!(student(&app, &token, other).await["status"], "awaiting_evidence");
    let res =
        app.send(reqwest::Method::DELETE, "/api/v1/verification/awaiting-evidence", Some(&token), Some(&body)).await;
    assert_eq!(res.body["changed"], 2, "{}", res.text);
    for person in [id, other] {
        let back = student(&app, &token, person).await;
        assert_eq!(
            (back["status"].clone(), back["registryValues"]["dateOfBirth"].clone()),
            (json!("mismatched"), json!("2015-10-24"))
        );
    }
    let audit = history_actions(&app, &token, other).await;
    let statuses: Vec<&str> =
        audit.iter().filter(|(_, f, _)| f.as_deref() == Some("status")).filter_map(|(_, _, v)| v.as_deref()).collect();
    assert!(statuses.ends_with(&["mismatched", "awaiting_evidence", "mismatched"]), "{statuses:?}");
}

#[tokio::test]
async fn nothing_to_send_sends_nothing_and_a_dry_run_says_what_a_bulk_action_would_do() {
    let app = spawn_app().await;
    let token = app.login("school-a1").await;
    let fresh = clean_student(&app, &token, 7, "Đặng Thu Trang").await["id"].as_i64().expect("id");
    let answered = clean_student(&app, &token, 8, "Hoàng Anh Tuấn").await["id"].as_i64().expect("id");
    let verified = clean_student(&app, &token, 9, "Võ Minh Châu").await["id"].as_i64().expect("id");
    registry_disagrees_on_the_date(&app, answered).await;
    verified_an_hour_ago(&app, verified).await;
    let class = json!({"classId": app.fixtures.class_a1_6a});

    // what sending the class would do, without doing it
    let res =
        app.post("/api/v1/verification-jobs", &token, &json!({"classId": class["classId"], "dryRun": true})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["dryRun"], true);
    let counts = &res.body["counts"];
    assert_eq!(
        (counts["sendable"].clone(), counts["unchangedSinceAnswer"].clone(), counts["verified"].clone()),
        (json!(1), json!(1), json!(1)),
        "{counts}"
    );
    assert_eq!(student(&app, &token, fresh).await["status"], "not_sent", "a dry run queues nothing");

    // a statuses list does not re-send an unchanged mismatched record
    let res = app.post("/api/v1/verification-jobs", &token, &json!({"statuses": ["mismatched"]})).await;
    res.assert_problem(422, "nothing_to_send");
    assert_eq!(res.body["counts"]["unchangedSinceAnswer"], 1, "{}", res.text);

    // the class: only the fresh record goes; named, the mismatched one goes too
    let res = app.post("/api/v1/verification-jobs", &token, &class).await;
    assert_eq!((res.status, res.body["total"].clone()), (202, json!(1)), "{}", res.text);
    let res = app.post("/api/v1/verification-jobs", &token, &json!({"personIds": [answered]})).await;
    assert_eq!((res.status, res.body["total"].clone()), (202, json!(1)), "{}", res.text);

    // everything queued or verified: no empty "0/0" job, the counts by reason instead
    let jobs_before = app.get("/api/v1/verification-jobs", &token).await.body["total"].clone();
    let res = app.post("/api/v1/verification-jobs", &token, &class).await;
    res.assert_problem(422, "nothing_to_send");
    assert_eq!((res.body["counts"]["queued"].clone(), res.body["counts"]["verified"].clone()), (json!(2), json!(1)));
    assert_eq!(app.get("/api/v1/verification-jobs", &token).await.body["total"], jobs_before);

    // the safe repairs and the registry's values, counted before the clerk confirms
    let damaged = app
        .create_student(
            &token,
            app.fixtures.class_a1_6b,
            json!({"fullName": "nguyễn  văn an", "dateOfBirth": "05/03/2015", "gender": "Nam"}),
        )
        .await;
    let res = app.post("/api/v1/fixes", &token, &json!({"classId": app.fixtures.class_a1_6b, "dryRun": true})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!((res.body["dryRun"].clone(), res.body["records"].clone()), (json!(true), json!(1)));
    let still = student(&app, &token, damaged["id"].as_i64().expect("id")).await;
    assert_eq!(still["fullName"], "nguyễn  văn an", "a dry run repairs nothing");

    let other = clean_student(&app, &token, 10, "Bùi Thanh Hà").await["id"].as_i64().expect("id");
    registry_disagrees_on_the_date(&app, other).await;
    let body = json!({"classId": app.fixtures.class_a1_6a, "dryRun": true});
    let res = app.post("/api/v1/verification/accept-registry-values", &token, &body).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!((res.body["accepted"].clone(), res.body["job"].clone()), (json!(1), Value::Null));
    let still = student(&app, &token, other).await;
    assert_eq!((still["status"].clone(), still["dateOfBirth"].clone()), (json!("mismatched"), json!("23/10/2015")));
}

#[tokio::test]
async fn the_clerk_takes_the_registrys_values_for_the_selected_records_only() {
    let app = spawn_app().await;
    let token = app.login("school-a1").await;
    let chosen = clean_student(&app, &token, 21, "Đỗ Minh Khang").await["id"].as_i64().expect("id");
    let left = clean_student(&app, &token, 22, "Vũ Thu Trang").await["id"].as_i64().expect("id");
    let plain = clean_student(&app, &token, 23, "Lý Gia Hân").await["id"].as_i64().expect("id");
    registry_disagrees_on_the_date(&app, chosen).await;
    registry_disagrees_on_the_date(&app, left).await;

    // the selection: one mismatched record, one never sent, one that does not exist
    let body = json!({"personIds": [chosen, plain, 999_999_999], "dryRun": true});
    let res = app.post("/api/v1/verification/accept-registry-values", &token, &body).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["accepted"], 1, "{}", res.text);
    let refused: Vec<(i64, String)> = res.body["notAccepted"]
        .as_array()
        .expect("notAccepted")
        .iter()
        .map(|n| (n["personId"].as_i64().expect("id"), n["code"].as_str().expect("code").to_owned()))
        .collect();
    assert_eq!(refused.len(), 2, "{refused:?}");
    assert!(refused.iter().any(|(id, code)| *id == 999_999_999 && code == "not_found"), "{refused:?}");
    assert!(refused.iter().any(|(id, _)| *id == plain), "{refused:?}");
    assert_eq!(student(&app, &token, chosen).await["status"], "mismatched", "a dry run takes nothing");

    let body = json!({"personIds": [chosen]});
    let res = app.post("/api/v1/verification/accept-registry-values", &token, &body).await;
    assert_eq!((res.status, res.body["accepted"].clone()), (200, json!(1)), "{}", res.text);
    assert_eq!(student(&app, &token, chosen).await["normalized"]["dateOfBirth"], "2015-10-24");
    let untouched = student(&app, &token, left).await;
    assert_eq!(
        (untouched["status"].clone(), untouched["dateOfBirth"].clone()),
        (json!("mismatched"), json!("23/10/2015")),
        "a record outside the selection keeps its values"
    );

    // a district reads the school but takes nothing for it
    let district = app.login("district-a").await;
    let res = app.post("/api/v1/verification/accept-registry-values", &district, &json!({"personIds": [left]})).await;
    assert_eq!((res.status, res.body["accepted"].clone()), (200, json!(0)), "{}", res.text);
    assert_eq!(res.body["notAccepted"][0]["code"], "forbidden", "{}", res.text);
}

// ---------------------------------------------------------------------------------------------
// durable imports: a crash while planning

/// A student workbook of `n` rows for class 6A.
fn students_workbook(n: u32, year: i32) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("6A").expect("name");
    for (c, h) in ["Họ và tên", "Ngày sinh", "Giới tính", "Lớp"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).expect("header");
    }
    let given = ["An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Khánh", "Linh", "Minh", "Ngọc"];
    for i in 1..=n {
        let name = format!("Nguyễn Văn {} {}", given[i as usize % given.len()], i);
        ws.write_string(i, 0, name).expect("name");
        ws.write_string(i, 1, format!("{:02}/{:02}/{year}", i % 28 + 1, i % 12 + 1)).expect("dob");
        ws.write_string(i, 2, if i % 2 == 0 { "Nam" } else { "Nữ" }).expect("gender");
        ws.write_string(i, 3, "6A").expect("class");
    }
    wb.save_to_buffer().expect("workbook")
}

#[tokio::test]
async fn an_import_planned_in_the_background_ends_ready_or_failed_after_a_kill_9() {
    use crate::hostile::{answer, server, server_binary, start_server_on};
    // a short lease, so that the restarted server gives up on the dead task quickly
    let env = [("APP_IMPORT__JOB_THRESHOLD_ROWS", "10"), ("APP_IMPORT__LEASE_SECS", "2")];
    let first = server(&env).await;
    let school = first.login("school-a1").await;
    let class = first.fixtures.class_a1_6a;
    let year = chrono::Datelike::year(&dinhdanh_tests::today()) - 12;
    let bytes = students_workbook(5_000, year);
    let res = first.upload(&school, &format!("?classId={class}"), "lon.xlsx", &bytes).await;
    assert_eq!(res.status, 202, "{}", res.text);
    let id = res.body["id"].as_str().expect("id").to_owned();
    // SIGKILL while its background task plans the rows
    let db = first.crash();
    let conn = dinhdanh::db::connect(&dinhdanh_tests::test_settings(&db.url)).await.expect("connect");
    use sea_orm::EntityTrait;
    let at_crash = dinhdanh::store::entities::imports::Entity::find_by_id(id.clone())
        .one(&conn)
        .await
        .expect("query")
        .expect("the import");
    conn.close().await.ok();
    assert_eq!(at_crash.status, "processing", "the file must still be planning when the server is killed");

    // restarted on the same database: the import leaves `processing`, ready or failed with a reason
    let second = start_server_on(&server_binary(), db, &env, false).await;
    let school = second.login("school-a1").await;
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(60);
    let mut cadence = tokio::time::interval(std::time::Duration::from_millis(100));
    let import = loop {
        cadence.tick().await;
        let res = second
            .client()
            .get(second.url(&format!("/api/v1/imports/{id}?pageSize=1")))
            .bearer_auth(&school)
            .send()
            .await
            .expect("import");
        let body: Value = res.json().await.expect("json");
        if body["status"] != "processing" {
            break body;
        }
        assert!(tokio::time::Instant::now() < deadline, "still `processing` a minute after the restart: {body}");
    };
    match import["status"].as_str() {
        Some("ready") => {
            let res = second
                .client()
                .post(second.url(&format!("/api/v1/imports/{id}/commit")))
                .bearer_auth(&school)
                .send()
                .await
                .expect("commit");
            let body = answer(res).await;
            assert_eq!((body.status, body.body["status"].clone()), (200, json!("committed")), "{}", body.text);
        }
        Some("failed") => {
            let reason = import["error"].as_str().unwrap_or("");
            assert!(reason.contains("tải tệp lên lại"), "a reason the clerk can act on: {import}");
        }
        other => panic!("after a restart the import is {other:?}: {import}"),
    }
    // and it is listed as such
    let res = second.client().get(second.url("/api/v1/imports")).bearer_auth(&school).send().await.expect("list");
    let list: Value = res.json().await.expect("json");
    let listed = list["items"].as_array().expect("items").iter().find(|i| i["id"] == id.as_str()).cloned();
    assert_ne!(listed.expect("listed")["status"], "processing");
}

#[tokio::test]
async fn a_preview_left_unconfirmed_expires_and_is_listed_as_expired() {
    let app = dinhdanh_tests::spawn_app_with(|s| s.import.expire_days = 7).await;
    let token = app.login("school-a1").await;
    let han = clean_student(&app, &token, 11, "Lê Tuệ Hân").await;
    let file = sheet(&[
        header(),
        vec![
            han["id"].to_string(),
            "Lê Tuệ Hằng".to_owned(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ],
    ]);
    let preview = upload(&app, &token, &file).await;
    let id = preview["id"].as_str().expect("id");
    // a week and a day later
    app.clock.set(app.clock.now() + chrono::Duration::days(8));
    let swept = dinhdanh::store::imports::sweep(&app.store.db, &app.clock, &app.settings.import).await.expect("sweep");
    assert_eq!(swept.expired, 1);
    let list = app.get("/api/v1/imports", &token).await;
    assert_eq!(list.body["items"][0]["status"], "expired", "{}", list.text);
    // with the reason the clerk reads in the list
    let reason = list.body["items"][0]["error"].as_str().unwrap_or("");
    assert!(reason.contains("quá 7 ngày") && reason.contains("tải tệp lên lại"), "{}", list.text);
    app.post(&format!("/api/v1/imports/{id}/commit"), &token, &json!({})).await.assert_problem(409, "conflict");
    assert_eq!(student(&app, &token, han["id"].as_i64().expect("id")).await["fullName"], "Lê Tuệ Hân");
}

#[tokio::test]
async fn a_registry_value_that_would_bring_an_error_is_not_taken_in() {
    use dinhdanh::domain::org::VerificationStatus;
    use dinhdanh::store::audit::{AuditCtx, Source};
    use dinhdanh::store::counters::{StatusWrite, write_statuses};
    use dinhdanh::store::entities::people;
    use sea_orm::EntityTrait;
    let app = spawn_app().await;
    let token = app.login("school-a1").await;
    let id = clean_student(&app, &token, 31, "Hồ Ngọc Ánh").await["id"].as_i64().expect("id");
    // the registry answered with a date of birth that does not exist (a typing error on its side)
    let before = people::Entity::find_by_id(id).one(&app.store.db).await.expect("query").expect("row");
    let at = app.clock.now() - chrono::Duration::hours(1);
    let write = StatusWrite {
        status: VerificationStatus::Mismatched,
        mismatch_fields: vec!["dateOfBirth".to_owned()],
        registry_values: Some(Some(json!({"dateOfBirth": "2015-02-31"}).to_string())),
    };
    write_statuses(&app.store.db, &AuditCtx::system(Source::Registry, None, at), vec![(before, write)], at)
        .await
        .expect("answer written");

    // taking it in would bring an error: the clerk is told, the record keeps its good date
    for dry_run in [true, false] {
        let body = json!({"personIds": [id], "dryRun": dry_run});
        let res = app.post("/api/v1/verification/accept-registry-values", &token, &body).await;
        assert_eq!((res.status, res.body["accepted"].clone()), (200, json!(0)), "{}", res.text);
        assert_eq!(res.body["notAccepted"][0]["code"], "would_worsen", "{}", res.text);
        assert!(res.body["notAccepted"][0]["message"].as_str().is_some_and(|m| m.contains("dob_")), "{}", res.text);
    }
    let after = student(&app, &token, id).await;
    assert_eq!(
        (after["dateOfBirth"].clone(), after["status"].clone(), after["quality"]["errors"].clone()),
        (json!(format!("23/10/{}", before_year(&app))), json!("mismatched"), json!(0)),
        "{after}"
    );
    assert_eq!(after["registryValues"]["dateOfBirth"], "2015-02-31", "the answer stays to look at");
}

/// The birth year of [`clean_student`].
fn before_year(app: &TestApp) -> i32 {
    app.settings.school_year_now()[..4].parse::<i32>().expect("year") - 11
}
