//! Three-way import (issue 11), as a school clerk lives it: the template she exported on Monday
//! comes back on Friday after the record was corrected on the web, or after the registry's values
//! were taken in: the cells she did not touch never revert the newer values ("giữ giá trị mới
//! hơn"); a cell she changed on a record someone else changed too waits for her decision. Runs on
//! SQLite, and on PostgreSQL when `TEST_DATABASE_URL` is set. The helpers here are shared with
//! the property test (`three_way_property`).

use std::io::Cursor;

use calamine::{Data, Reader};
use dinhdanh_tests::{TestApp, spawn_app};
use rust_xlsxwriter::Workbook;
use serde_json::{Value, json};

/// The birth year of a grade-6 pupil this school year.
pub(crate) fn birth_year(app: &TestApp) -> i32 {
    let year: i32 = app.settings.school_year_now()[..4].parse().expect("year");
    year - 11
}

/// A clean grade-6 student of class 6A, school A1 (no error finding); its JSON.
pub(crate) async fn clean_student(app: &TestApp, token: &str, seq: u32, name: &str) -> Value {
    let by = birth_year(app);
    let body = json!({
        "fullName": name,
        "dateOfBirth": format!("23/10/{by}"),
        "gender": "Nam",
        "personalId": format!("0312{:02}{:06}", by % 100, seq),
        "residence": {"province": "Thành phố Hải Phòng", "commune": "Phường Lê Chân"},
    });
    let created = app.create_student(token, app.fixtures.class_a1_6a, body).await;
    assert_eq!(created["quality"]["errors"], 0, "{created}");
    created
}

pub(crate) fn id_of(v: &Value) -> i64 {
    v["id"].as_i64().expect("id")
}

pub(crate) async fn student(app: &TestApp, token: &str, id: i64) -> Value {
    let res = app.get(&format!("/api/v1/students/{id}"), token).await;
    assert_eq!(res.status, 200, "{}", res.text);
    res.body
}

/// The template of class 6A as the clerk downloads it.
pub(crate) async fn export_class(app: &TestApp, token: &str) -> Vec<u8> {
    let path = format!("/api/v1/templates/students.xlsx?classId={}", app.fixtures.class_a1_6a);
    let res = app.client.get(app.url(&path)).bearer_auth(token).send().await.expect("download");
    assert_eq!(res.status().as_u16(), 200, "GET {path}");
    res.bytes().await.expect("bytes").to_vec()
}

fn text(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}

/// A template as the clerk edits it in Excel: every sheet's cells as text.
pub(crate) struct Sheets(pub Vec<(String, Vec<Vec<String>>)>);

impl Sheets {
    pub(crate) fn read(bytes: &[u8]) -> Sheets {
        let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes.to_vec())).expect("calamine opens it");
        let names = book.sheet_names();
        Sheets(
            names
                .into_iter()
                .map(|n| {
                    let range = book.worksheet_range(&n).expect("sheet");
                    let (r0, c0) = range.start().unwrap_or((0, 0));
                    let mut rows: Vec<Vec<String>> = vec![Vec::new(); r0 as usize];
                    for row in range.rows() {
                        let mut v = vec![String::new(); c0 as usize];
                        v.extend(row.iter().map(text));
                        rows.push(v);
                    }
                    (n, rows)
                })
                .collect(),
        )
    }

    /// The 1-based row of a record in the first sheet.
    pub(crate) fn row_of(&self, id: i64) -> u64 {
        let rows = &self.0[0].1;
        rows.iter().position(|r| r.first().map(String::as_str) == Some(&id.to_string()[..])).expect("record row") as u64
            + 1
    }

    /// Sets the cell of a record under a header of the first sheet ("" empties it).
    pub(crate) fn set(&mut self, id: i64, header: &str, value: &str) {
        let row = self.row_of(id) as usize - 1;
        let rows = &mut self.0[0].1;
        let col = rows[0].iter().position(|h| h == header).unwrap_or_else(|| panic!("column {header}"));
        let cells = &mut rows[row];
        if cells.len() <= col {
            cells.resize(col + 1, String::new());
        }
        cells[col] = value.to_owned();
    }

    /// The workbook saved again, the metadata sheet hidden as Excel keeps it.
    pub(crate) fn save(&self) -> Vec<u8> {
        let mut wb = Workbook::new();
        for (name, rows) in &self.0 {
            let ws = wb.add_worksheet();
            ws.set_name(name).expect("name");
            for (r, row) in rows.iter().enumerate() {
                for (c, cell) in row.iter().enumerate() {
                    if !cell.is_empty() {
                        ws.write_string(r as u32, c as u16, cell).expect("cell");
                    }
                }
            }
            if name == "_dinhdanh" {
                ws.set_hidden(true);
            }
        }
        wb.save_to_buffer().expect("save")
    }
}

/// Uploads a file (multipart) for class 6A; the preview (the first page of rows).
pub(crate) async fn upload(app: &TestApp, token: &str, bytes: &[u8]) -> Value {
    let boundary = "----three-way-boundary";
    let mut body = Vec::new();
    body.extend(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"lop-6a.xlsx\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
    let res = app
        .client
        .post(app.url(&format!("/api/v1/imports?classId={}", app.fixtures.class_a1_6a)))
        .bearer_auth(token)
        .header("Content-Type", format!("multipart/form-data; boundary={boundary}"))
        .body(body)
        .send()
        .await
        .expect("upload");
    let status = res.status().as_u16();
    let text = res.text().await.expect("body");
    assert_eq!(status, 201, "{text}");
    let body: Value = serde_json::from_str(&text).expect("json");
    assert_eq!(body["status"], "ready", "{text}");
    body
}

pub(crate) async fn commit(app: &TestApp, token: &str, import: &Value, body: Value) -> Value {
    let id = import["id"].as_str().expect("id");
    let res = app.post(&format!("/api/v1/imports/{id}/commit"), token, &body).await;
    assert_eq!(res.status, 200, "commit: {}", res.text);
    assert_eq!(res.body["status"], "committed", "{}", res.text);
    res.body
}

/// The planned change of a field of a row, if any.
pub(crate) fn change<'a>(import: &'a Value, row: u64, field: &str) -> Option<&'a Value> {
    let r = import["rows"].as_array().expect("rows").iter().find(|r| r["row"] == row)?;
    r["changes"].as_array().expect("changes").iter().find(|c| c["field"] == field)
}

async fn history(app: &TestApp, token: &str, id: i64) -> Vec<Value> {
    let res = app.get(&format!("/api/v1/students/{id}/history"), token).await;
    assert_eq!(res.status, 200, "{}", res.text);
    res.body["items"].as_array().expect("items").clone()
}

const NAME: &str = "Họ và tên";
const DOB: &str = "Ngày sinh (ngày/tháng/năm)";

#[tokio::test]
async fn an_old_template_keeps_the_value_corrected_on_the_web_since() {
    let app = spawn_app().await;
    let token = app.login("school-a1").await;
    let by = birth_year(&app);
    let han = id_of(&clean_student(&app, &token, 1, "Lê Tuệ Hân").await);
    let binh = id_of(&clean_student(&app, &token, 2, "Nguyễn Văn Bình").await);

    // Monday: the clerk exports the class; Tuesday: Hân's date is corrected in the drawer
    let exported = export_class(&app, &token).await;
    let newer = format!("17/07/{by}");
    let res = app.patch(&format!("/api/v1/students/{han}"), &token, &json!({"dateOfBirth": newer})).await;
    assert_eq!(res.status, 200, "{}", res.text);

    // Friday: she fixes Bình's name in Monday's file and imports it
    let mut file = Sheets::read(&exported);
    file.set(binh, NAME, "Nguyễn Văn Bính");
    let (han_row, binh_row) = (file.row_of(han), file.row_of(binh));
    let preview = upload(&app, &token, &file.save()).await;
    let stale = change(&preview, han_row, "dateOfBirth").expect("the reverted date is shown");
    assert_eq!(
        (stale["status"].clone(), stale["old"].clone(), stale["new"].clone()),
        (json!("stale"), json!(newer), json!(format!("23/10/{by}"))),
        "{stale}"
    );
    assert_eq!(change(&preview, binh_row, "fullName").expect("the fix")["status"], "update");
    let totals = &preview["totals"];
    assert_eq!(
        (totals["stale"].clone(), totals["conflict"].clone(), totals["changedFields"].clone()),
        (json!(1), json!(0), json!(1)),
        "{totals}"
    );

    // committed, even with a choice naming the stale field: the newer date stands
    let body = json!({"choices": [{"row": han_row, "field": "dateOfBirth", "take": "file"}]});
    commit(&app, &token, &preview, body).await;
    assert_eq!(student(&app, &token, han).await["dateOfBirth"], newer.as_str());
    assert_eq!(student(&app, &token, binh).await["fullName"], "Nguyễn Văn Bính");
}

#[tokio::test]
async fn a_cell_changed_on_both_sides_waits_for_the_clerks_choice() {
    let app = spawn_app().await;
    let token = app.login("school-a1").await;
    let han = id_of(&clean_student(&app, &token, 3, "Lê Tuệ Hân").await);
    let exported = export_class(&app, &token).await;
    // the homeroom teacher corrects the name on the web, the clerk differently in the file
    let res = app.patch(&format!("/api/v1/students/{han}"), &token, &json!({"fullName": "Lê Tuệ Hằng"})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    let mut file = Sheets::read(&exported);
    file.set(han, NAME, "Lê Thị Tuệ Hân");
    let row = file.row_of(han);
    let bytes = file.save();

    let preview = upload(&app, &token, &bytes).await;
    let conflict = change(&preview, row, "fullName").expect("the conflict is shown");
    assert_eq!(conflict["status"], "conflict", "{conflict}");
    assert_eq!(preview["totals"]["conflict"], 1);
    // without a choice, the record's value stays
    commit(&app, &token, &preview, json!({})).await;
    assert_eq!(student(&app, &token, han).await["fullName"], "Lê Tuệ Hằng");

    // the same file again, the clerk taking the file's value: written, and the choice audited
    let preview = upload(&app, &token, &bytes).await;
    assert_eq!(change(&preview, row, "fullName").expect("still a conflict")["status"], "conflict");
    let body = json!({"choices": [{"row": row, "field": "fullName", "take": "file"}]});
    commit(&app, &token, &preview, body).await;
    assert_eq!(student(&app, &token, han).await["fullName"], "Lê Thị Tuệ Hân");
    let audit = history(&app, &token, han).await;
    assert!(
        audit.iter().any(|e| e["action"] == "import_choice"
            && e["field"] == "fullName"
            && e["oldValue"] == "conflict"
            && e["newValue"] == "file"),
        "{audit:?}"
    );
}

/// The registry answered "mismatched" on the date of birth, with its own value.
pub(crate) async fn registry_answers_another_date(app: &TestApp, id: i64, iso: &str) {
    use dinhdanh::domain::org::VerificationStatus;
    use dinhdanh::store::audit::{AuditCtx, Source};
    use dinhdanh::store::counters::{StatusWrite, write_statuses};
    use dinhdanh::store::entities::people;
    use sea_orm::EntityTrait;
    let before = people::Entity::find_by_id(id).one(&app.store.db).await.expect("query").expect("row");
    let at = app.clock.now();
    let write = StatusWrite {
        status: VerificationStatus::Mismatched,
        mismatch_fields: vec!["dateOfBirth".to_owned()],
        registry_values: Some(Some(json!({ "dateOfBirth": iso }).to_string())),
    };
    write_statuses(&app.store.db, &AuditCtx::system(Source::Registry, None, at), vec![(before, write)], at)
        .await
        .expect("answer written");
}

#[tokio::test]
async fn the_registrys_values_taken_in_after_the_export_are_never_reverted_by_the_old_file() {
    let app = spawn_app().await;
    let token = app.login("school-a1").await;
    let by = birth_year(&app);
    let khoa = id_of(&clean_student(&app, &token, 4, "Trần Minh Khoa").await);
    let exported = export_class(&app, &token).await;

    // the registry says 24/10; the clerk takes its values in, and the registry verifies them
    registry_answers_another_date(&app, khoa, &format!("{by}-10-24")).await;
    let res = app.post(&format!("/api/v1/students/{khoa}/accept-registry-values"), &token, &json!({})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    app.set_status(khoa, "verified", &[]).await;
    let verified = student(&app, &token, khoa).await;
    assert_eq!(
        (verified["status"].clone(), verified["dateOfBirth"].clone()),
        (json!("verified"), json!(format!("24/10/{by}")))
    );

    // the old file, untouched on that row, even committed with the confirmation: still the registry's
    let file = Sheets::read(&exported);
    let row = file.row_of(khoa);
    let preview = upload(&app, &token, &file.save()).await;
    let stale = change(&preview, row, "dateOfBirth").expect("shown as stale");
    assert_eq!(stale["status"], "stale", "{stale}");
    assert_eq!(stale.get("verified"), None, "a stale field asks for no confirmation: {stale}");
    assert_eq!(preview["totals"]["verifiedChanges"], 0);
    commit(&app, &token, &preview, json!({"confirmVerifiedChanges": true})).await;
    let after = student(&app, &token, khoa).await;
    assert_eq!(
        (after["status"].clone(), after["dateOfBirth"].clone()),
        (json!("verified"), json!(format!("24/10/{by}")))
    );
}

#[tokio::test]
async fn a_template_older_than_the_kept_snapshots_asks_before_touching_records_changed_since() {
    let app = dinhdanh_tests::spawn_app_with(|s| s.retention.snapshot_days = 90).await;
    let token = app.login("school-a1").await;
    let by = birth_year(&app);
    let an = id_of(&clean_student(&app, &token, 5, "Phạm Gia An").await);
    let huy = id_of(&clean_student(&app, &token, 6, "Phạm Gia Huy").await);
    let exported = export_class(&app, &token).await;
    let res =
        app.patch(&format!("/api/v1/students/{an}"), &token, &json!({"dateOfBirth": format!("17/07/{by}")})).await;
    assert_eq!(res.status, 200, "{}", res.text);

    // a quarter and a day later, the retention purge has deleted what the export carried
    app.clock.set(app.clock.now() + chrono::Duration::days(91));
    let purged = dinhdanh::store::retention::purge(&app.store.db, app.clock.now(), &app.settings.retention)
        .await
        .expect("purge");
    assert_eq!(purged.template_exports, 1);

    // An's version moved since the export: a difference needs a decision; Huy's did not
    let mut file = Sheets::read(&exported);
    file.set(huy, DOB, &format!("22/10/{by}"));
    let preview = upload(&app, &token, &file.save()).await;
    assert_eq!(change(&preview, file.row_of(an), "dateOfBirth").expect("An's date")["status"], "conflict");
    assert_eq!(change(&preview, file.row_of(huy), "dateOfBirth").expect("Huy's date")["status"], "update");
    commit(&app, &token, &preview, json!({})).await;
    assert_eq!(student(&app, &token, an).await["dateOfBirth"], format!("17/07/{by}").as_str());
    assert_eq!(student(&app, &token, huy).await["dateOfBirth"], format!("22/10/{by}").as_str());
}
