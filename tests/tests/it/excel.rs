//! The Excel round trip through the real API: templates (text cells, drop-downs, frozen
//! header, instructions, hidden metadata, formula-like text kept as text), imports of real
//! workbooks built here with rust_xlsxwriter (reordered, renamed and NFD headers, the MoET
//! layout, text and numeric ID cells, serial dates, a Windows-1258 CSV), the preview and its
//! totals, scope and duplicates, commit, re-commit, undo, the error workbook read back with
//! calamine and its comments, size limits, corrupt files, background jobs, and the round trip
//! export → edit as a clerk → import → commit. Runs on SQLite, and on PostgreSQL when
//! `TEST_DATABASE_URL` is set.

use std::io::{Cursor, Read};

use calamine::{Data, Reader};
use dinhdanh_tests::{Answer, TestApp, spawn_app, spawn_app_with};
use rust_xlsxwriter::{Format, Workbook};
use serde_json::{Value, json};
use unicode_normalization::UnicodeNormalization;

// ---------------------------------------------------------------------------------------------
// building and reading workbooks

/// A cell of a workbook built in a test.
#[derive(Clone, Debug)]
enum C {
    S(&'static str),
    T(String),
    N(f64),
    /// A date-typed cell (Excel serial).
    D(f64),
    E,
}

fn s(v: &'static str) -> C {
    C::S(v)
}

/// An .xlsx with these sheets (rows of cells).
fn xlsx(sheets: &[(&str, Vec<Vec<C>>)]) -> Vec<u8> {
    let mut wb = Workbook::new();
    let date = Format::new().set_num_format("dd/mm/yyyy");
    for (name, rows) in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(*name).expect("sheet name");
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                match cell {
                    C::S(v) => ws.write_string(r, c, *v).map(|_| ()),
                    C::T(v) => ws.write_string(r, c, v).map(|_| ()),
                    C::N(v) => ws.write_number(r, c, *v).map(|_| ()),
                    C::D(v) => ws.write_number_with_format(r, c, *v, &date).map(|_| ()),
                    C::E => Ok(()),
                }
                .expect("write cell");
            }
        }
    }
    wb.save_to_buffer().expect("workbook")
}

/// Every sheet of a workbook as strings (calamine), by name.
fn read_book(bytes: &[u8]) -> Vec<(String, Vec<Vec<Data>>)> {
    let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes.to_vec())).expect("calamine opens it");
    let names = book.sheet_names();
    names
        .into_iter()
        .map(|n| {
            let range = book.worksheet_range(&n).expect("sheet");
            let (r0, c0) = range.start().unwrap_or((0, 0));
            let mut rows: Vec<Vec<Data>> = vec![Vec::new(); r0 as usize];
            for row in range.rows() {
                let mut v = vec![Data::Empty; c0 as usize];
                v.extend(row.iter().cloned());
                rows.push(v);
            }
            (n, rows)
        })
        .collect()
}

fn text(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}

/// One part of an .xlsx (zip) as text.
fn zip_part(bytes: &[u8], name_contains: &str) -> Vec<(String, String)> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes.to_vec())).expect("zip");
    let mut out = Vec::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).expect("entry");
        let name = f.name().expect("name").into_owned();
        if name.contains(name_contains) {
            let mut s = String::new();
            f.read_to_string(&mut s).expect("utf-8 part");
            out.push((name, s));
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// talking to the API

async fn send_upload(app: &TestApp, token: &str, query: &str, filename: &str, bytes: &[u8]) -> Answer {
    let boundary = "----dinhdanh-test-boundary-7d3f";
    let mut body = Vec::new();
    body.extend(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
    let res = app
        .client
        .post(app.url(&format!("/api/v1/imports{query}")))
        .bearer_auth(token)
        .header("Content-Type", format!("multipart/form-data; boundary={boundary}"))
        .body(body)
        .send()
        .await
        .expect("upload");
    read_answer(res).await
}

async fn send_raw(app: &TestApp, token: &str, query: &str, filename: &str, bytes: &[u8]) -> Answer {
    let res = app
        .client
        .post(app.url(&format!("/api/v1/imports{query}")))
        .bearer_auth(token)
        .header("X-Filename", filename)
        .header("Content-Type", "application/octet-stream")
        .body(bytes.to_vec())
        .send()
        .await
        .expect("upload");
    read_answer(res).await
}

async fn read_answer(res: reqwest::Response) -> Answer {
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let text = res.text().await.unwrap_or_default();
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Answer { status, headers, body, text }
}

/// Uploads and expects a preview (201).
async fn preview(app: &TestApp, token: &str, query: &str, filename: &str, bytes: &[u8]) -> Value {
    let res = send_upload(app, token, query, filename, bytes).await;
    assert_eq!(res.status, 201, "upload {filename}: {}", res.text);
    assert_eq!(res.body["status"], "ready", "{}", res.text);
    res.body
}

async fn download(app: &TestApp, token: &str, path: &str) -> Vec<u8> {
    let res = app.client.get(app.url(path)).bearer_auth(token).send().await.expect("download");
    let status = res.status().as_u16();
    let ct = res.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let bytes = res.bytes().await.expect("bytes").to_vec();
    assert_eq!(status, 200, "GET {path}: {}", String::from_utf8_lossy(&bytes));
    assert_eq!(ct, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    bytes
}

async fn commit(app: &TestApp, token: &str, id: &str) -> Value {
    let res = app.post(&format!("/api/v1/imports/{id}/commit"), token, &json!({})).await;
    assert_eq!(res.status, 200, "commit: {}", res.text);
    res.body
}

fn rows(import: &Value) -> &Vec<Value> {
    import["rows"].as_array().expect("rows")
}

fn row_at(import: &Value, row: u64) -> &Value {
    rows(import).iter().find(|r| r["row"] == row).unwrap_or_else(|| panic!("row {row} in {import}"))
}

fn codes(row: &Value, key: &str) -> Vec<String> {
    row[key].as_array().expect("list").iter().map(|f| f["code"].as_str().unwrap_or("").to_owned()).collect()
}

fn changed_fields(row: &Value) -> Vec<String> {
    row["changes"].as_array().expect("changes").iter().map(|c| c["field"].as_str().unwrap_or("").to_owned()).collect()
}

async fn student(app: &TestApp, token: &str, id: i64) -> Value {
    let res = app.get(&format!("/api/v1/students/{id}"), token).await;
    assert_eq!(res.status, 200, "{}", res.text);
    res.body
}

async fn history(app: &TestApp, token: &str, id: i64) -> Vec<Value> {
    let res = app.get(&format!("/api/v1/students/{id}/history"), token).await;
    assert_eq!(res.status, 200, "{}", res.text);
    res.body["items"].as_array().expect("items").clone()
}

fn school_year_start(app: &TestApp) -> i32 {
    app.settings.school_year_now()[..4].parse().expect("year")
}

/// A well-formed grade-6 student; `seq` makes the ID number unique.
fn grade6(app: &TestApp, name: &str, gender: &str, seq: u32) -> Value {
    let y = school_year_start(app) - 11;
    let d4 = if gender == "Nam" { 2 } else { 3 };
    json!({
        "fullName": name,
        "dateOfBirth": format!("15/03/{y}"),
        "gender": gender,
        "personalId": format!("031{d4}{:02}{:06}", y % 100, seq),
        "residence": {"province": "Thành phố Hải Phòng", "district": "Quận Lê Chân", "commune": "Phường Dư Hàng"}
    })
}

fn id_of(v: &Value) -> i64 {
    v["id"].as_i64().expect("id")
}

// ---------------------------------------------------------------------------------------------
// export

#[tokio::test]
async fn the_template_keeps_ids_and_dates_as_text_with_dropdowns_a_frozen_header_and_hidden_metadata() {
    let app = spawn_app().await;
    let token = app.login("school-a1").await;
    let f = app.fixtures;
    let a = app.create_student(&token, f.class_a1_6a, grade6(&app, "Nguyễn Văn An", "Nam", 1)).await;
    // formula-like text as entered (a clerk pasted it, or someone tries an injection)
    let mut evil = grade6(&app, "=HYPERLINK(\"http://x\",\"An\")", "Nữ", 2);
    evil["residence"]["commune"] = json!("+Dư Hàng");
    let b = app.create_student(&token, f.class_a1_6a, evil).await;
    app.create_student(&token, f.class_a1_6b, grade6(&app, "Trần Thị Bình", "Nữ", 3)).await;

    let bytes = download(&app, &token, &format!("/api/v1/templates/students.xlsx?classId={}", f.class_a1_6a)).await;
    let book = read_book(&bytes);
    let names: Vec<&str> = book.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, vec!["6A", "Hướng dẫn", "_dinhdanh"]);
    let sheet = &book[0].1;
    let headers: Vec<String> = sheet[0].iter().map(text).collect();
    assert_eq!(headers[0], "Mã hồ sơ (không sửa)");
    assert!(headers.contains(&"Họ và tên".to_owned()));
    assert!(headers.contains(&"Số định danh cá nhân".to_owned()));
    assert!(headers.contains(&"Ghi chú".to_owned()));
    assert!(headers.contains(&"Xã/Phường (sau 2025)".to_owned()));
    let col = |h: &str| headers.iter().position(|x| x == h).expect(h);
    assert_eq!(sheet.len(), 3, "header + two students of 6A only");
    let row_a = sheet.iter().find(|r| text(&r[0]) == id_of(&a).to_string()).expect("row of a");
    // ID numbers and dates are strings, not numbers
    let a_pid = app.reveal(&token, &a).await.expect("pid");
    assert_eq!(row_a[col("Số định danh cá nhân")], Data::String(a_pid));
    assert!(matches!(&row_a[col("Ngày sinh (ngày/tháng/năm)")], Data::String(d) if d.starts_with("15/03/")));
    // formula-like text is a string cell with the quote prefix, not a formula
    let row_b = sheet.iter().find(|r| text(&r[0]) == id_of(&b).to_string()).expect("row of b");
    assert_eq!(row_b[col("Họ và tên")], Data::String("=HYPERLINK(\"http://x\",\"An\")".to_owned()));
    let mut formulas = calamine::open_workbook_auto_from_rs(Cursor::new(bytes.clone())).expect("open");
    let f_range = formulas.worksheet_formula("6A").expect("formulas");
    assert!(f_range.used_cells().all(|(_, _, f)| f.is_empty()), "no formula in the template");
    let styles = zip_part(&bytes, "styles.xml");
    assert!(styles[0].1.contains("quotePrefix=\"1\""), "quote prefix style present");
    // the sheet: frozen header, gender drop-down, hints
    let sheet_xml = &zip_part(&bytes, "worksheets/sheet1.xml")[0].1;
    assert!(sheet_xml.contains("state=\"frozen\""), "frozen header");
    assert!(sheet_xml.contains("\"Nam,Nữ\""), "gender drop-down: {sheet_xml}");
    assert!(sheet_xml.contains("promptTitle"), "input hints");
    assert!(sheet_xml.contains("_dinhdanh"), "unit drop-downs read the metadata sheet");
    assert_eq!(
        sheet_xml.matches("type=\"list\"").count(),
        5,
        "gender, province, and the school's province's districts, communes and post-2025 communes"
    );
    // hidden metadata: template, scope, class of the sheet, record keys
    let wb_xml = &zip_part(&bytes, "xl/workbook.xml")[0].1;
    assert!(wb_xml.contains("name=\"_dinhdanh\" sheetId=\"3\" state=\"hidden\""), "{wb_xml}");
    let meta = &book[2].1;
    let kv = |k: &str| meta.iter().find(|r| text(&r[0]) == k).map(|r| text(&r[1])).unwrap_or_default();
    assert_eq!(kv("template"), "dinhdanh-template");
    assert_eq!(kv("kind"), "student");
    assert_eq!(kv("unitId"), f.school_a1.to_string());
    let sheet_row = meta.iter().find(|r| text(&r[0]) == "sheet").expect("sheet row");
    assert_eq!(text(&sheet_row[2]), f.class_a1_6a.to_string());
    let keys: Vec<String> = meta.iter().filter(|r| text(&r[0]) == "key").map(|r| text(&r[2])).collect();
    assert_eq!(keys.len(), 2);
    // instructions in Vietnamese
    assert!(book[1].1.iter().any(|r| text(&r[0]).contains("Số định danh cá nhân nhập đủ 12 chữ số")));
    // an empty cell keeps the value; clearing one takes the explicit marker (issue 11)
    assert!(
        book[1]
            .1
            .iter()
            .any(|r| text(&r[0]).contains("Ô để trống nghĩa là giữ nguyên") && text(&r[0]).contains("(xoá)")),
        "the instructions explain (xoá)"
    );
    let communes: Vec<String> = meta.iter().filter_map(|r| r.get(6)).map(text).filter(|t| !t.is_empty()).collect();
    assert!(communes.iter().any(|c| c.contains("Dư Hàng")), "Hải Phòng's communes are offered");

    // imported back as exported: every row found, nothing changes (the "Cần sửa" texts that
    // start like headers are data, not a second header row)
    let back = preview(&app, &token, "", "6a.xlsx", &bytes).await;
    assert_eq!(back["totals"]["rows"], 2, "{}", back["totals"]);
    assert_eq!(back["totals"]["unchanged"], 2, "{}", back["totals"]);

    // a whole school: one sheet per class; staff template; only= filters
    let school = download(&app, &token, "/api/v1/templates/students.xlsx").await;
    let names: Vec<String> = read_book(&school).into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, vec!["6A", "6B", "Hướng dẫn", "_dinhdanh"]);
    let with_errors = download(&app, &token, "/api/v1/templates/students.xlsx?only=with_errors").await;
    let rows_6a = read_book(&with_errors)[0].1.len();
    assert_eq!(rows_6a, 2, "only the record whose name is not a name has errors");
    let staff = download(&app, &token, "/api/v1/templates/staff.xlsx").await;
    assert!(read_book(&staff)[0].1[0].iter().any(|h| text(h) == "Chức vụ"));
    // another school's class is out of scope
    let res = app.get(&format!("/api/v1/templates/students.xlsx?classId={}", f.class_a2_7a), &token).await;
    res.assert_problem(404, "not_found");
}

// ---------------------------------------------------------------------------------------------
// the round trip

#[tokio::test]
async fn round_trip_export_edit_as_a_clerk_import_preview_commit_and_audit() {
    let app = spawn_app().await;
    let token = app.login("school-a1").await;
    let f = app.fixtures;
    let a = app.create_student(&token, f.class_a1_6a, grade6(&app, "Nguyễn Văn An", "Nam", 11)).await;
    let b = app.create_student(&token, f.class_a1_6a, grade6(&app, "Trần Thị Bình", "Nữ", 12)).await;
    let c = app.create_student(&token, f.class_a1_6a, grade6(&app, "Lê Văn Cường", "Nam", 13)).await;

    let exported = download(&app, &token, &format!("/api/v1/templates/students.xlsx?classId={}", f.class_a1_6a)).await;
    // the clerk opens it, edits three cells, adds a pupil, and saves (rewritten cell by cell)
    let mut book = read_book(&exported);
    let headers: Vec<String> = book[0].1[0].iter().map(text).collect();
    let col = |h: &str| headers.iter().position(|x| x == h).expect(h);
    let y = school_year_start(&app) - 11;
    {
        let sheet = &mut book[0].1;
        let find =
            |sheet: &Vec<Vec<Data>>, id: i64| sheet.iter().position(|r| text(&r[0]) == id.to_string()).expect("row");
        let ra = find(sheet, id_of(&a));
        sheet[ra][col("Giới tính")] = Data::String("Nữ".into());
        let rb = find(sheet, id_of(&b));
        sheet[rb][col("Họ và tên")] = Data::String("Trần Thị Bích".into());
        sheet[rb][col("Ngày sinh (ngày/tháng/năm)")] = Data::String(format!("16/03/{y}"));
        let width = headers.len();
        let mut new_row = vec![Data::Empty; width];
        new_row[col("Họ và tên")] = Data::String("Phạm Minh Đức".into());
        new_row[col("Ngày sinh (ngày/tháng/năm)")] = Data::String(format!("02/09/{y}"));
        new_row[col("Giới tính")] = Data::String("Nam".into());
        new_row[col("Số định danh cá nhân")] = Data::String(format!("0312{:02}000014", y % 100));
        sheet.push(new_row);
    }
    let mut wb = Workbook::new();
    for (name, sheet) in &book {
        let ws = wb.add_worksheet();
        ws.set_name(name).expect("name");
        for (r, row) in sheet.iter().enumerate() {
            for (cidx, cell) in row.iter().enumerate() {
                let t = text(cell);
                if !t.is_empty() {
                    ws.write_string(r as u32, cidx as u16, t).expect("cell");
                }
            }
        }
        if name == "_dinhdanh" {
            ws.set_hidden(true);
        }
    }
    let edited = wb.save_to_buffer().expect("save");

    let p = preview(&app, &token, "", "lop-6a.xlsx", &edited).await;
    assert_eq!(p["totals"]["rows"], 4);
    assert_eq!(p["totals"]["unchanged"], 1);
    assert_eq!(p["totals"]["update"], 2);
    assert_eq!(p["totals"]["create"], 1);
    assert_eq!(p["totals"]["rejected"], 0);
    assert_eq!(p["totals"]["changedFields"], 3);
    let by_person = |id: i64| rows(&p).iter().find(|r| r["personId"] == id).expect("row").clone();
    let ra = by_person(id_of(&a));
    assert_eq!(ra["action"], "update");
    assert_eq!(ra["matchedBy"], "recordKey");
    assert_eq!(
        ra["changes"],
        json!([{"field": "gender", "column": "E", "old": "Nam", "new": "Nữ", "status": "update"}])
    );
    assert!(codes(&ra, "findings").contains(&"id_sex_mismatch".to_owned()), "the rules run on the new values");
    let rb = by_person(id_of(&b));
    assert_eq!(changed_fields(&rb), vec!["fullName", "dateOfBirth"]);
    assert_eq!(rb["changes"][0]["old"], "Trần Thị Bình");
    assert_eq!(rb["changes"][0]["new"], "Trần Thị Bích");
    assert_eq!(by_person(id_of(&c))["action"], "unchanged");
    let new = rows(&p).iter().find(|r| r["action"] == "create").expect("new row");
    assert_eq!(new["fullName"], "Phạm Minh Đức");
    assert_eq!(new["classId"], f.class_a1_6a, "the class comes from the template's metadata");
    assert_eq!(p["sheets"][0]["name"], "6A");
    assert_eq!(p["sheets"][0]["classId"], f.class_a1_6a);
    // nothing written yet
    assert_eq!(student(&app, &token, id_of(&a)).await["gender"], "Nam");

    let id = p["id"].as_str().expect("id").to_owned();
    let done = commit(&app, &token, &id).await;
    assert_eq!(done["status"], "committed");
    let sa = student(&app, &token, id_of(&a)).await;
    assert_eq!(sa["gender"], "Nữ");
    assert_eq!(sa["version"], a["version"].as_i64().expect("v") + 1);
    let sb = student(&app, &token, id_of(&b)).await;
    assert_eq!(sb["fullName"], "Trần Thị Bích");
    assert_eq!(sb["dateOfBirth"], format!("16/03/{y}"));
    let sc = student(&app, &token, id_of(&c)).await;
    assert_eq!(sc["version"], c["version"], "unchanged rows are not touched");
    let list = app.get(&format!("/api/v1/students?classId={}&q=Phạm Minh Đức", f.class_a1_6a), &token).await;
    assert_eq!(list.body["total"], 1, "{}", list.text);

    // the audit agrees with the preview, field by field, with source import and the import id
    let ha = history(&app, &token, id_of(&a)).await;
    let import_events: Vec<&Value> = ha.iter().filter(|e| e["source"] == "import").collect();
    assert_eq!(import_events.len(), 1, "{ha:?}");
    assert_eq!(import_events[0]["field"], "gender");
    assert_eq!(import_events[0]["oldValue"], "Nam");
    assert_eq!(import_events[0]["newValue"], "Nữ");
    assert_eq!(import_events[0]["sourceRef"], id.as_str());
    let hb = history(&app, &token, id_of(&b)).await;
    let mut fields: Vec<&str> =
        hb.iter().filter(|e| e["source"] == "import").filter_map(|e| e["field"].as_str()).collect();
    fields.sort_unstable();
    assert_eq!(fields, vec!["dateOfBirth", "fullName"]);
    assert!(history(&app, &token, id_of(&c)).await.iter().all(|e| e["source"] != "import"));
}

// ---------------------------------------------------------------------------------------------
// reading what schools send

#[tokio::test]
async fn reordered_renamed_and_nfd_headers_are_found() {
    let app = spawn_app().await;
    let token = app.login("school-a1").await;
    let f = app.fixtures;
    let y = school_year_start(&app) - 11;
    let nfd = |s: &str| -> String { s.nfd().collect() };
    let dob = format!("05/03/{y}");
    let pid = format!("0312{:02}000021", y % 100);
    let bytes = xlsx(&[(
        "Sheet1",
        vec![
            vec![
                C::T(nfd("Giới\ntính")),
                C::T(nfd("SỐ  ĐỊNH DANH CÁ NHÂN")),
                C::T(nfd("Ngày tháng năm sinh")),
                C::S("STT"),
                C::T(nfd("HỌ VÀ TÊN HỌC SINH")),
                C::T(nfd("Tỉnh/Thành phố")),
                C::T(nfd("Xã/Phường")),
            ],
            vec![
                s("Nam"),
                C::T(pid.clone()),
                C::T(dob.clone()),
                C::N(1.0),
                s("Hoàng Văn Hải"),
                s("Hải Phòng"),
                s("Dư Hàng"),
            ],
        ],
    )]);
    let p = preview(&app, &token, &format!("?classId={}", f.class_a1_6a), "ds.xlsx", &bytes).await;
    let cols: Vec<(String, String)> = p["sheets"][0]["columns"]
        .as_array()
        .expect("columns")
        .iter()
        .map(|c| (c["column"].as_str().unwrap_or("").to_owned(), c["field"].as_str().unwrap_or("").to_owned()))
        .collect();
    assert_eq!(
        cols,
        vec![
            ("A".to_owned(), "gender".to_owned()),
            ("B".to_owned(), "personalId".to_owned()),
            ("C".to_owned(), "dateOfBirth".to_owned()),
            ("E".to_owned(), "fullName".to_owned()),
            ("F".to_owned(), "residenceProvince".to_owned()),
            ("G".to_owned(), "residenceCommune".to_owned()),
        ]
    );
    assert_eq!(p["sheets"][0]["ignored"], json!(["STT"]));
    let r = row_at(&p, 2);
    assert_eq!(r["action"], "create", "{r}");
    assert_eq!(r["fullName"], "Hoàng Văn Hải");
    let committed = commit(&app, &token, p["id"].as_str().expect("id")).await;
    assert_eq!(committed["status"], "committed");
    let list = app.get(&format!("/api/v1/students?classId={}", f.class_a1_6a), &token).await;
    let item = &list.body["items"][0];
    assert_eq!(item["dateOfBirth"], dob);
    assert_eq!(item["gender"], "Nam");
    assert_eq!(item["residence"]["commune"], "Dư Hàng");
}

#[tokio::test]
async fn the_moet_student_export_layout_is_read() {
    let app = spawn_app().await;
    let token = app.login("school-a1").await;
    let y = school_year_start(&app) - 11;
    let rows = vec![
        vec![s("SỞ GIÁO DỤC VÀ ĐÀO TẠO THÀNH PHỐ HẢI PHÒNG")],
        vec![s("TRƯỜNG THCS A1")],
        vec![s("DANH SÁCH HỌC SINH")],
        vec![],
        vec![
            s("STT"),
            s("Mã học sinh"),
            s("Họ tên"),
            s("Ngày sinh"),
            s("Giới tính"),
            s("Dân tộc"),
            s("Lớp"),
            s("Số định danh cá nhân"),
            s("Tỉnh/Thành phố (Theo địa chỉ thường trú)"),
            s("Quận/Huyện (Theo địa chỉ thường trú)"),
            s("Xã/Phường (Theo địa chỉ thường trú)"),
        ],
        vec![
            C::N(1.0),
            s("3101234567"),
            s("Vũ Thị Lan"),
            C::T(format!("20/10/{y}")),
            s("Nữ"),
            s("Kinh"),
            s("6B"),
            C::T(format!("0313{:02}000031", y % 100)),
            s("Thành phố Hải Phòng"),
            s("Quận Lê Chân"),
            s("Phường Dư Hàng"),
        ],
        vec![
            C::N(2.0),
            s("3101234568"),
            s("Đỗ Văn Nam"),
            C::T(format!("01/01/{y}")),
            s("Nam"),
            s("Kinh"),
            s("Lớp 6A"),
            C::T(format!("0312{:02}000032", y % 100)),
            s("Thành phố Hải Phòng"),
            s("Quận Lê Chân"),
            s("Phường Dư Hàng"),
        ],
    ];
    let file = xlsx(&[("Danh sách", rows)]);
    let p = preview(&app, &token, "", "moet.xlsx", &file).await;
    assert_eq!(p["sheets"][0]["headerRow"], 5);
    assert_eq!(p["totals"]["create"], 2, "{}", p);
    assert_eq!(row_at(&p, 6)["classId"], app.fixtures.class_a1_6b);
    assert_eq!(row_at(&p, 7)["classId"], app.fixtures.class_a1_6a);
    commit(&app, &token, p["id"].as_str().expect("id")).await;
    let list = app.get("/api/v1/students?q=3101234567", &token).await;
    assert_eq!(list.body["total"], 1, "{}", list.text);
    assert_eq!(list.body["items"][0]["sectorCode"], "3101234567");
    assert_eq!(list.body["items"][0]["residence"]["district"], "Quận Lê Chân");

    // the same file again: every row matches by sector code and nothing changes
    let again = preview(&app, &token, "", "moet.xlsx", &file).await;
    assert_eq!(again["totals"]["unchanged"], 2, "{again}");
    assert_eq!(row_at(&again, 6)["matchedBy"], "sectorCode");
}

#[tokio::test]
async fn id_cells_as_text_or_numbers_and_serial_dates_carry_their_findings() {
    let app = spawn_app().await;
    let token = app.login("school-a1").await;
    let y = school_year_start(&app) - 11;
    let date = chrono::NaiveDate::from_ymd_opt(y, 3, 15).expect("date");
    let serial = dinhdanh::domain::date::date_to_excel_serial(date).expect("serial") as f64;
    let yy = y % 100;
    let bytes = xlsx(&[(
        "6A",
        vec![
            vec![s("Họ và tên"), s("Ngày sinh"), s("Giới tính"), s("Số định danh cá nhân")],
            // text ID, text date
            vec![s("Ngô Văn Một"), C::T(format!("15/03/{y}")), s("Nam"), C::T(format!("0312{yy:02}000041"))],
            // numeric ID (Excel dropped the zero), date-typed cell
            vec![s("Ngô Văn Hai"), C::D(serial), s("Nam"), C::N(format!("312{yy:02}000042").parse().expect("n"))],
            // scientific notation pasted back as text, a bare serial number in the date column
            vec![s("Ngô Văn Ba"), C::N(serial), s("Nam"), s("3.12E+11")],
        ],
    )]);
    let p = preview(&app, &token, &format!("?classId={}", app.fixtures.class_a1_6a), "ids.xlsx", &bytes).await;
    let one = row_at(&p, 2);
    let only_residence =
        |row: &Value| codes(row, "findings").into_iter().filter(|c| !c.starts_with("address")).collect::<Vec<_>>();
    assert!(only_residence(one).is_empty(), "text ID and text date are clean: {one}");
    let two = row_at(&p, 3);
    assert_eq!(only_residence(two), vec!["id_leading_zeros_restored"], "{two}");
    let fix = &two["findings"][0]["fix"];
    assert!(fix["to"].as_str().expect("to").contains('*'), "ID numbers are masked in the preview: {fix}");
    let three = row_at(&p, 4);
    let c3 = codes(three, "findings");
    assert!(c3.contains(&"dob_excel_serial".to_owned()), "{three}");
    assert!(c3.contains(&"id_scientific_notation".to_owned()), "{three}");
    commit(&app, &token, p["id"].as_str().expect("id")).await;
    let list = app.get("/api/v1/students?q=Ngo Van Hai", &token).await;
    let item = &list.body["items"][0];
    assert_eq!(item["dateOfBirth"], format!("15/03/{y}"), "a date cell is read as the date");
    assert_eq!(item["normalized"]["dateOfBirth"], date.to_string());
}

/// Windows-1258 puts tone marks after the base letter: decompose, recompose only the vowel
/// shapes (â ê ô ă ơ ư), encode.
fn windows_1258(text: &str) -> Vec<u8> {
    let mut out = String::new();
    for c in text.nfd() {
        if matches!(c, '\u{0302}' | '\u{0306}' | '\u{031B}') {
            let base = out.pop().expect("base letter");
            out.extend(format!("{base}{c}").nfc());
        } else {
            out.push(c);
        }
    }
    let (bytes, _, had_errors) = encoding_rs::WINDOWS_1258.encode(&out);
    assert!(!had_errors, "encodable in Windows-1258");
    bytes.into_owned()
}

#[tokio::test]
async fn a_windows_1258_csv_is_read() {
    let app = spawn_app().await;
    let token = app.login("school-a1").await;
    let y = school_year_start(&app) - 11;
    let csv = format!(
        "Họ và tên;Ngày sinh;Giới tính;Số định danh cá nhân;Lớp\r\n\
         Nguyễn Thị Hường;12/12/{y};Nữ;0313{:02}000051;6A\r\n\
         \"Trần, Văn Đức\";{serial};Nam;31{:02}000052;6B\r\n",
        y % 100,
        y % 100,
        serial = 40000,
    );
    let bytes = windows_1258(&csv);
    assert!(std::str::from_utf8(&bytes).is_err(), "really not UTF-8");
    let res = send_raw(&app, &token, "", "lop.csv", &bytes).await;
    assert_eq!(res.status, 201, "{}", res.text);
    let p = res.body;
    assert_eq!(p["format"], "csv");
    assert_eq!(p["encoding"], "windows-1258");
    assert_eq!(row_at(&p, 2)["fullName"], "Nguyễn Thị Hường");
    assert_eq!(row_at(&p, 2)["classId"], app.fixtures.class_a1_6a);
    assert_eq!(row_at(&p, 3)["fullName"], "Trần, Văn Đức");
    assert!(codes(row_at(&p, 3), "findings").contains(&"dob_excel_serial".to_owned()));
    // UTF-8 with a BOM, comma separated
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend(format!("Họ và tên,Ngày sinh,Lớp\nLý Thị Mai,01/01/{y},6A\n").as_bytes());
    let res = send_upload(&app, &token, "", "bom.csv", &bom).await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["encoding"], "utf-8-bom");
    assert_eq!(row_at(&res.body, 2)["fullName"], "Lý Thị Mai");
}

#[tokio::test]
async fn a_missing_required_column_is_a_clear_problem() {
    let app = spawn_app().await;
    let token = app.login("school-a1").await;
    let bytes = xlsx(&[(
        "6A",
        vec![vec![s("Họ và tên"), s("Giới tính"), s("Số định danh cá nhân")], vec![s("A B"), s("Nam")]],
    )]);
    let res = send_upload(&app, &token, "", "thieu.xlsx", &bytes).await;
    res.assert_problem(422, "validation_failed");
    assert_eq!(res.body["errors"][0]["pointer"], "/file/columns/dateOfBirth");
    assert_eq!(res.body["errors"][0]["code"], "column_missing");
    assert!(res.body["detail"].as_str().expect("detail").contains("Ngày sinh"), "{}", res.text);
    let prose = xlsx(&[("Sheet1", vec![vec![s("Danh sách lớp")], vec![s("Nguyễn Văn A")]])]);
    let res = send_upload(&app, &token, "", "prose.xlsx", &prose).await;
    res.assert_problem(422, "validation_failed");
    assert_eq!(res.body["errors"][0]["code"], "header_not_found");
}

#[tokio::test]
async fn rows_out_of_scope_duplicates_and_read_only_accounts() {
    let app = spawn_app().await;
    let a1 = app.login("school-a1").await;
    let a2 = app.login("school-a2").await;
    let f = app.fixtures;
    let mine = app.create_student(&a1, f.class_a1_6a, grade6(&app, "Bùi Văn Tâm", "Nam", 61)).await;
    let theirs = app.create_student(&a2, f.class_a2_7a, grade6(&app, "Bùi Thị Thu", "Nữ", 62)).await;
    let y = school_year_start(&app) - 11;
    let dob = format!("15/03/{y}");
    let bytes = xlsx(&[(
        "6A",
        vec![
            vec![s("Mã hồ sơ"), s("Họ và tên"), s("Ngày sinh"), s("Giới tính"), s("Lớp")],
            vec![C::T(id_of(&mine).to_string()), s("Bùi Văn Tâm"), C::T(dob.clone()), s("Nam"), s("6A")],
            vec![C::T(id_of(&theirs).to_string()), s("Bùi Thị Thu Hà"), C::T(dob.clone()), s("Nữ"), s("6A")],
            vec![C::T(id_of(&mine).to_string()), s("Bùi Văn Tâm"), C::T(dob.clone()), s("Nữ"), s("6A")],
            vec![C::E, s("Mới Một"), C::T(dob.clone()), s("Nam"), s("6A")],
            vec![C::E, s("Mới Một"), C::T(dob.clone()), s("Nam"), s("6A")],
            vec![C::E, s("Mới Hai"), C::T(dob.clone()), s("Nam"), s("12Z")],
            vec![C::T("99999".into()), s("Không Có"), C::T(dob.clone()), s("Nam"), s("6A")],
        ],
    )]);
    let p = preview(&app, &a1, "", "scope.xlsx", &bytes).await;
    assert_eq!(row_at(&p, 2)["action"], "unchanged");
    assert_eq!(codes(row_at(&p, 3), "errors"), vec!["out_of_scope"]);
    assert_eq!(row_at(&p, 3)["errors"][0]["column"], "A");
    assert_eq!(codes(row_at(&p, 4), "errors"), vec!["duplicate_row"]);
    assert_eq!(row_at(&p, 5)["action"], "create");
    assert_eq!(codes(row_at(&p, 6), "errors"), vec!["duplicate_row"]);
    assert_eq!(codes(row_at(&p, 7), "errors"), vec!["class_unknown"]);
    assert_eq!(codes(row_at(&p, 8), "errors"), vec!["record_key_unknown"]);
    let t = &p["totals"];
    assert_eq!(
        (t["rows"].as_i64(), t["unchanged"].as_i64(), t["create"].as_i64(), t["rejected"].as_i64()),
        (Some(7), Some(1), Some(1), Some(5))
    );
    // only rejected rows
    let only = app
        .get(&format!("/api/v1/imports/{}?action=rejected&pageSize=2&page=2", p["id"].as_str().expect("id")), &a1)
        .await;
    assert_eq!(only.body["rowsMatching"], 5);
    assert_eq!(rows(&only.body).len(), 2);
    assert!(rows(&only.body).iter().all(|r| r["action"] == "rejected"));
    // commit writes the accepted rows only; the other school's record is untouched
    commit(&app, &a1, p["id"].as_str().expect("id")).await;
    assert_eq!(student(&app, &a2, id_of(&theirs)).await["fullName"], "Bùi Thị Thu");
    // other schools cannot see the import; district offices only read
    let other = app.get(&format!("/api/v1/imports/{}", p["id"].as_str().expect("id")), &a2).await;
    other.assert_problem(404, "not_found");
    let district = app.login("district-a").await;
    let res = send_upload(&app, &district, &format!("?schoolId={}", f.school_a1), "x.xlsx", &bytes).await;
    res.assert_problem(403, "forbidden");
}

// ---------------------------------------------------------------------------------------------
// commit, re-commit, undo, discard, the error workbook

#[tokio::test]
async fn commit_twice_is_a_no_op_and_undo_puts_everything_back_except_later_changes() {
    let app = spawn_app().await;
    let token = app.login("school-a1").await;
    let f = app.fixtures;
    let a = app.create_student(&token, f.class_a1_6a, grade6(&app, "Đinh Văn Khoa", "Nam", 71)).await;
    let b = app.create_student(&token, f.class_a1_6a, grade6(&app, "Đinh Thị Loan", "Nữ", 72)).await;
    let y = school_year_start(&app) - 11;
    let bytes = xlsx(&[(
        "6A",
        vec![
            vec![s("Mã hồ sơ"), s("Họ và tên"), s("Ngày sinh"), s("Giới tính")],
            vec![C::T(id_of(&a).to_string()), s("Đinh Văn Khoa"), C::T(format!("16/03/{y}")), s("Nam")],
            vec![C::T(id_of(&b).to_string()), s("Đinh Thị Loan Anh"), C::T(format!("15/03/{y}")), s("Nữ")],
            vec![C::E, s("Đinh Văn Mới"), C::T(format!("15/04/{y}")), s("Nam")],
        ],
    )]);
    let p = preview(&app, &token, &format!("?classId={}", f.class_a1_6a), "u.xlsx", &bytes).await;
    let id = p["id"].as_str().expect("id").to_owned();
    let first = commit(&app, &token, &id).await;
    assert_eq!(first["status"], "committed");
    let events_after_first = history(&app, &token, id_of(&a)).await.len();
    let again = commit(&app, &token, &id).await;
    assert_eq!(again["status"], "committed");
    assert_eq!(again["committedAt"], first["committedAt"]);
    assert_eq!(history(&app, &token, id_of(&a)).await.len(), events_after_first, "no new change");
    // a discard of a committed import is refused
    app.delete(&format!("/api/v1/imports/{id}"), &token).await.assert_problem(409, "conflict");

    // somebody edits b's name after the import: undo keeps that field
    let sb = student(&app, &token, id_of(&b)).await;
    let res = app
        .patch(
            &format!("/api/v1/students/{}", id_of(&b)),
            &token,
            &json!({"fullName": "Đinh Thị Loan Chi", "version": sb["version"]}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let undone = app.post(&format!("/api/v1/imports/{id}/undo"), &token, &json!({})).await;
    assert_eq!(undone.status, 200, "{}", undone.text);
    assert_eq!(undone.body["status"], "undone");
    assert_eq!(undone.body["reverted"], 2, "a's date of birth, and the created record");
    assert_eq!(undone.body["kept"], 1, "b's name changed since");
    assert_eq!(student(&app, &token, id_of(&a)).await["dateOfBirth"], format!("15/03/{y}"));
    assert_eq!(student(&app, &token, id_of(&b)).await["fullName"], "Đinh Thị Loan Chi");
    let list = app.get("/api/v1/students?q=Dinh Van Moi", &token).await;
    assert_eq!(list.body["total"], 0, "the created record is gone");
    let undo_events: Vec<Value> =
        history(&app, &token, id_of(&a)).await.into_iter().filter(|e| e["sourceRef"] == format!("{id}:undo")).collect();
    assert_eq!(undo_events.len(), 1);
    app.post(&format!("/api/v1/imports/{id}/undo"), &token, &json!({})).await.assert_problem(409, "conflict");
    app.post(&format!("/api/v1/imports/{id}/commit"), &token, &json!({})).await.assert_problem(409, "conflict");

    // an uncommitted import is discarded and gone
    let p = preview(&app, &token, &format!("?classId={}", f.class_a1_6a), "u.xlsx", &bytes).await;
    let id = p["id"].as_str().expect("id");
    let res = app.delete(&format!("/api/v1/imports/{id}"), &token).await;
    assert_eq!(res.status, 204, "{}", res.text);
    app.get(&format!("/api/v1/imports/{id}"), &token).await.assert_problem(404, "not_found");
}

#[tokio::test]
async fn a_record_changed_after_the_preview_makes_the_commit_write_nothing() {
    let app = spawn_app().await;
    let token = app.login("school-a1").await;
    let f = app.fixtures;
    let a = app.create_student(&token, f.class_a1_6a, grade6(&app, "Hà Văn Nhất", "Nam", 81)).await;
    let y = school_year_start(&app) - 11;
    let bytes = xlsx(&[(
        "6A",
        vec![
            vec![s("Mã hồ sơ"), s("Họ và tên"), s("Ngày sinh"), s("Giới tính")],
            vec![C::E, s("Hà Văn Mới"), C::T(format!("15/04/{y}")), s("Nam")],
            vec![C::T(id_of(&a).to_string()), s("Hà Văn Nhất"), C::T(format!("16/03/{y}")), s("Nam")],
        ],
    )]);
    let p = preview(&app, &token, &format!("?classId={}", f.class_a1_6a), "u.xlsx", &bytes).await;
    let res = app
        .patch(&format!("/api/v1/students/{}", id_of(&a)), &token, &json!({"gender": "Nữ", "version": a["version"]}))
        .await;
    assert_eq!(res.status, 200);
    let res = app.post(&format!("/api/v1/imports/{}/commit", p["id"].as_str().expect("id")), &token, &json!({})).await;
    res.assert_problem(409, "conflict");
    assert!(res.body["detail"].as_str().expect("detail").contains("Dòng 3"), "{}", res.text);
    let list = app.get("/api/v1/students?q=Ha Van Moi", &token).await;
    assert_eq!(list.body["total"], 0, "all or nothing: the new row was not written either");
}

#[tokio::test]
async fn the_error_workbook_opens_and_carries_comments() {
    let app = spawn_app().await;
    let token = app.login("school-a1").await;
    let bytes = xlsx(&[(
        "Lớp 6A",
        vec![
            vec![s("Họ và tên"), s("Ngày sinh"), s("Giới tính"), s("Số định danh cá nhân"), s("Lớp")],
            vec![s("Ông Văn Sai"), s("31/02/2014"), s("Nam"), s("12345"), s("6A")],
            vec![s("=1+1"), s("01/01/2014"), s("X"), s("3.1E+11"), s("12Z")],
        ],
    )]);
    let p = preview(&app, &token, "", "loi.xlsx", &bytes).await;
    let id = p["id"].as_str().expect("id");
    let report = download(&app, &token, &format!("/api/v1/imports/{id}/report.xlsx")).await;
    let book = read_book(&report);
    assert_eq!(book[0].0, "Tổng hợp");
    assert!(book[0].1.iter().any(|r| text(&r[0]) == "Bị từ chối" && text(&r[1]) == "1"), "{:?}", book[0].1);
    let (name, sheet) = &book[1];
    assert_eq!(name, "Lớp 6A");
    let headers: Vec<String> = sheet[0].iter().map(text).collect();
    assert_eq!(headers[0], "Dòng gốc");
    assert!(headers.contains(&"Kết quả nhập".to_owned()));
    assert_eq!(text(&sheet[1][1]), "Ông Văn Sai");
    assert_eq!(text(&sheet[1][0]), "2");
    assert_eq!(sheet[2][1], Data::String("=1+1".into()), "uploaded formula-like text stays text");
    let comments = zip_part(&report, "comments");
    assert!(!comments.is_empty(), "the workbook has comments");
    let all: String = comments.iter().map(|(_, c)| c.as_str()).collect();
    assert!(all.contains("31/02/2014") && all.contains("không tồn tại"), "{all}");
    assert!(all.contains("Trường không có lớp"), "{all}");
    assert!(all.contains("số mũ"), "{all}");
    // and the report can be uploaded again: its extra columns are ignored
    let again = preview(&app, &token, "", "ket-qua.xlsx", &report).await;
    assert_eq!(again["totals"]["rows"], 2);
    assert!(again["sheets"][0]["ignored"].as_array().expect("ignored").contains(&json!("Dòng gốc")));
}

// ---------------------------------------------------------------------------------------------
// limits, broken files, jobs, scripts

#[tokio::test]
async fn size_limits_answer_413_and_broken_files_422() {
    let app = spawn_app_with(|s| {
        s.import.max_bytes = 64 * 1024;
        s.import.max_rows = 5;
        s.import.max_sheets = 3;
    })
    .await;
    let token = app.login("school-a1").await;
    let big = vec![b'a'; 70 * 1024];
    let res = send_upload(&app, &token, "", "big.csv", &big).await;
    res.assert_problem(413, "payload_too_large");
    let res = send_raw(&app, &token, "", "big.csv", &big).await;
    res.assert_problem(413, "payload_too_large");
    let many: Vec<Vec<C>> = std::iter::once(vec![s("Họ và tên"), s("Ngày sinh")])
        .chain((0..10).map(|i| vec![C::T(format!("Người {i}")), s("01/01/2014")]))
        .collect();
    let res = send_upload(&app, &token, "", "rows.xlsx", &xlsx(&[("6A", many)])).await;
    res.assert_problem(413, "payload_too_large");
    assert_eq!(res.body["errors"][0]["code"], "too_many_rows");
    let sheets: Vec<(&str, Vec<Vec<C>>)> = ["a", "b", "c", "d"].iter().map(|n| (*n, vec![vec![s("x")]])).collect();
    let res = send_upload(&app, &token, "", "sheets.xlsx", &xlsx(&sheets)).await;
    res.assert_problem(413, "payload_too_large");
    assert_eq!(res.body["errors"][0]["code"], "too_many_sheets");

    let good = xlsx(&[("6A", vec![vec![s("Họ và tên"), s("Ngày sinh")], vec![s("A B"), s("01/01/2014")]])]);
    let truncated = &good[..good.len() / 2];
    let res = send_upload(&app, &token, "", "cut.xlsx", truncated).await;
    res.assert_problem(422, "validation_failed");
    assert_eq!(res.body["errors"][0]["code"], "unreadable");
    let res = send_upload(&app, &token, "", "garbage.xlsx", b"this is not a workbook at all").await;
    res.assert_problem(422, "validation_failed");
    let mut corrupt = good.clone();
    let mid = corrupt.len() / 2;
    for b in &mut corrupt[mid - 200..mid] {
        *b = 0x55;
    }
    let res = send_upload(&app, &token, "", "corrupt.xlsx", &corrupt).await;
    assert!(
        res.status == 422 || res.status == 201,
        "corrupt data is an error or survives, never a crash: {}",
        res.text
    );
    let res = send_upload(&app, &token, "", "x.pdf", b"%PDF-1.4\0\0\0binary").await;
    res.assert_problem(415, "unsupported_media_type");
    // a workbook with macros
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts: zip::write::SimpleFileOptions = zip::write::SimpleFileOptions::default();
    zip.start_file("[Content_Types].xml", opts).expect("entry");
    std::io::Write::write_all(&mut zip, b"<Types/>").expect("write");
    zip.start_file("xl/vbaProject.bin", opts).expect("entry");
    std::io::Write::write_all(&mut zip, b"macro").expect("write");
    let macro_book = zip.finish().expect("zip").into_inner();
    let res = send_upload(&app, &token, "", "macro.xlsm", &macro_book).await;
    res.assert_problem(415, "unsupported_media_type");
    assert!(res.body["detail"].as_str().expect("detail").contains("macro"));
    // JSON is not a file
    let res = app.post("/api/v1/imports", &token, &json!({"file": "x"})).await;
    res.assert_problem(415, "unsupported_media_type");
    // the app still answers
    let res = send_upload(&app, &token, &format!("?classId={}", app.fixtures.class_a1_6a), "ok.xlsx", &good).await;
    assert_eq!(res.status, 201, "{}", res.text);
}

#[tokio::test]
async fn large_imports_run_as_jobs_with_progress_and_curl_style_commit() {
    let app = spawn_app_with(|s| s.import.job_threshold_rows = 10).await;
    let token = app.login("school-a1").await;
    let y = school_year_start(&app) - 11;
    let mut csv = String::from("Họ và tên,Ngày sinh,Giới tính,Lớp\n");
    for i in 0..40 {
        csv.push_str(&format!("Học Sinh Số {},{:02}/01/{y},Nam,6A\n", i + 1, i % 28 + 1));
    }
    let res = send_raw(&app, &token, "?commit=true", "nhieu.csv", csv.as_bytes()).await;
    assert_eq!(res.status, 202, "{}", res.text);
    assert_eq!(res.body["status"], "processing");
    assert_eq!(res.body["rowsTotal"], 40);
    let id = res.body["id"].as_str().expect("id").to_owned();
    // The background import signals the drain hook when it is done.
    let last = app
        .wait_for_worker("the import job", || async {
            let res = app.get(&format!("/api/v1/imports/{id}"), &token).await;
            assert_eq!(res.status, 200, "{}", res.text);
            (res.body["status"] == "committed" || res.body["status"] == "failed").then_some(res.body)
        })
        .await;
    assert_eq!(last["status"], "committed", "{last}");
    assert_eq!(last["rowsRead"], 40);
    assert_eq!(last["totals"]["create"], 40);
    let list = app.get(&format!("/api/v1/students?classId={}&pageSize=100", app.fixtures.class_a1_6a), &token).await;
    assert_eq!(list.body["total"], 40);

    // small files commit in the same call (what the curl example in the docs does)
    let small = "Họ và tên,Ngày sinh,Lớp\nMột Mình,01/01/2014,6B\n";
    let res = send_upload(&app, &token, "?commit=true", "mot.csv", small.as_bytes()).await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["status"], "committed");
}

#[tokio::test]
async fn many_new_records_are_inserted_in_bulk_with_counters_duplicates_and_undo_intact() {
    let app = spawn_app().await;
    let token = app.login("school-a1").await;
    let f = app.fixtures;
    // a pupil of another school holds the ID number the first row reuses
    let a2 = app.login("school-a2").await;
    let existing = app.create_student(&a2, f.class_a2_7a, grade6(&app, "Trịnh Văn Cũ", "Nam", 999_001)).await;
    let existing_pid = app.reveal(&a2, &existing).await.expect("pid");
    let y = school_year_start(&app) - 11;
    let n = dinhdanh::store::imports::BULK_CREATES + 100;
    let mut csv = String::from("Họ và tên,Ngày sinh,Giới tính,Số định danh cá nhân,Lớp\n");
    for i in 0..n {
        // the first row reuses the other school's pupil's ID number
        let pid = if i == 0 { existing_pid.clone() } else { format!("0312{:02}{:06}", y % 100, i) };
        csv.push_str(&format!(
            "Học Sinh Bulk {i},{:02}/02/{y},Nam,{pid},{}\n",
            i % 28 + 1,
            if i % 2 == 0 { "6A" } else { "6B" }
        ));
    }
    let p = preview(&app, &token, "", "bulk.csv", csv.as_bytes()).await;
    assert_eq!(p["totals"]["create"], n as u64, "{}", p["totals"]);
    let id = p["id"].as_str().expect("id").to_owned();
    let done = commit(&app, &token, &id).await;
    assert_eq!(done["status"], "committed");
    let list = app.get(&format!("/api/v1/students?schoolId={}&pageSize=1", f.school_a1), &token).await;
    assert_eq!(list.body["total"], n as u64);
    let drift = dinhdanh::store::counters::drift(&app.store.db).await.expect("drift");
    assert!(drift.is_empty(), "statistics counters equal a recount: {drift:?}");
    let old = student(&app, &a2, id_of(&existing)).await;
    assert!(codes(&old, "findings").contains(&"id_duplicate".to_owned()), "{old}");
    let found = app.get(&format!("/api/v1/students?q={existing_pid}"), &token).await;
    assert_eq!(found.body["total"], 1, "{}", found.text);
    let first = student(&app, &token, id_of(&found.body["items"][0])).await;
    assert_eq!(first["fullName"], "Học Sinh Bulk 0");
    assert!(codes(&first, "findings").contains(&"id_duplicate".to_owned()), "{first}");
    let h = history(&app, &token, id_of(&first)).await;
    assert!(
        h.iter().any(|e| e["action"] == "create" && e["source"] == "import" && e["sourceRef"] == id.as_str()),
        "{h:?}"
    );
    let mut created: Vec<&str> = h
        .iter()
        .filter(|e| e["action"] == "create" && e["sourceRef"] == id.as_str())
        .filter_map(|e| e["field"].as_str())
        .collect();
    created.sort_unstable();
    assert_eq!(
        created,
        vec!["dateOfBirth", "fullName", "gender", "personalId"],
        "every field entered is audited, as for a record created one by one"
    );
    // undo removes them all, and the counters still agree
    let undone = app.post(&format!("/api/v1/imports/{id}/undo"), &token, &json!({})).await;
    assert_eq!(undone.status, 200, "{}", undone.text);
    assert_eq!(undone.body["reverted"], n as u64);
    let list = app.get(&format!("/api/v1/students?schoolId={}&pageSize=1", f.school_a1), &token).await;
    assert_eq!(list.body["total"], 0);
    assert!(dinhdanh::store::counters::drift(&app.store.db).await.expect("drift").is_empty());
    let old = student(&app, &a2, id_of(&existing)).await;
    assert!(!codes(&old, "findings").contains(&"id_duplicate".to_owned()), "{old}");
}

#[tokio::test]
async fn the_staff_template_comes_back_unchanged_and_an_edit_is_seen() {
    let app = spawn_app().await;
    let token = app.login("school-a1").await;
    let teacher = app
        .create_staff(
            &token,
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
        .await;
    let exported = download(&app, &token, "/api/v1/templates/staff.xlsx").await;
    let p = preview(&app, &token, "", "can-bo.xlsx", &exported).await;
    assert_eq!(p["population"], "staff", "the template says what it holds");
    assert_eq!(p["totals"]["rows"], 1);
    assert_eq!(p["totals"]["unchanged"], 1, "{}", p);
    assert_eq!(rows(&p)[0]["personId"], id_of(&teacher));
    // the same layout as a CSV export of the sheet, with the date retyped
    let book = read_book(&exported);
    let sheet = &book[0].1;
    let mut csv = String::new();
    for (r, row) in sheet.iter().enumerate() {
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(c, d)| {
                let t = text(d);
                if r > 0 && text(&sheet[0][c]).starts_with("Ngày sinh") { "21/11/1985".to_owned() } else { t }
            })
            .map(|t| format!("\"{}\"", t.replace('"', "\"\"")))
            .collect();
        csv.push_str(&cells.join(","));
        csv.push('\n');
    }
    let p = preview(&app, &token, "?population=staff", "can-bo.csv", csv.as_bytes()).await;
    let r = &rows(&p)[0];
    assert_eq!(r["action"], "update", "{r}");
    assert_eq!(
        r["changes"],
        json!([{"field": "dateOfBirth", "column": "D", "old": "20/11/1985", "new": "21/11/1985", "status": "update"}])
    );
}

#[tokio::test]
async fn the_list_of_imports_is_scoped_newest_first_and_carries_no_rows() {
    let app = spawn_app().await;
    let token = app.login("school-a1").await;
    let y = school_year_start(&app) - 11;
    for name in ["mot.csv", "hai.csv"] {
        let csv = format!("Họ và tên,Ngày sinh,Lớp\nLý Thị Mai,01/01/{y},6A\n");
        let res = send_upload(&app, &token, "", name, csv.as_bytes()).await;
        assert_eq!(res.status, 201, "{}", res.text);
    }
    let mine = app.get("/api/v1/imports", &token).await;
    assert_eq!(mine.status, 200, "{}", mine.text);
    let items = mine.body["items"].as_array().expect("items");
    let names: Vec<&str> = items.iter().map(|i| i["filename"].as_str().unwrap_or_default()).collect();
    assert_eq!(names, ["hai.csv", "mot.csv"]);
    assert!(items.iter().all(|i| i["rows"].as_array().is_some_and(Vec::is_empty) && i["pageSize"] == 0));
    assert_eq!(items[0]["totals"]["rows"], 1);
    // The district office above sees them; a school elsewhere does not.
    let district = app.login("district-a").await;
    assert_eq!(app.get("/api/v1/imports", &district).await.body["items"].as_array().map(Vec::len), Some(2));
    let other = app.login("school-b1").await;
    assert_eq!(app.get("/api/v1/imports", &other).await.body["items"].as_array().map(Vec::len), Some(0));
}

#[tokio::test]
async fn the_template_of_records_without_an_id_number_lists_only_those() {
    let app = spawn_app().await;
    let token = app.login("school-a1").await;
    let f = app.fixtures;
    let with_id = app.create_student(&token, f.class_a1_6a, grade6(&app, "Nguyễn Văn An", "Nam", 31)).await;
    let mut cmnd = grade6(&app, "Trần Thị Bình", "Nữ", 32);
    cmnd["personalId"] = json!("031204567");
    let cmnd = app.create_student(&token, f.class_a1_6a, cmnd).await;
    let mut none = grade6(&app, "Lê Văn Cường", "Nam", 33);
    none["personalId"] = Value::Null;
    let none = app.create_student(&token, f.class_a1_6a, none).await;

    let path = format!("/api/v1/templates/students.xlsx?classId={}&only=without_id", f.class_a1_6a);
    let book = read_book(&download(&app, &token, &path).await);
    let ids: Vec<String> = book[0].1.iter().skip(1).map(|r| text(&r[0])).collect();
    let mut want = vec![id_of(&cmnd).to_string(), id_of(&none).to_string()];
    want.sort();
    let mut got = ids.clone();
    got.sort();
    assert_eq!(got, want, "a 9-digit CMND and a missing number, not {}", id_of(&with_id));
    let res = app.get("/api/v1/templates/students.xlsx?only=no_such_filter", &token).await;
    assert_eq!(res.status, 400, "{}", res.text);
}
