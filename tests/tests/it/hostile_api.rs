//! Hostile input through the JSON API (issue 12, items 4 to 8): numbers no list can use, id
//! lists longer than a statement may bind, control characters in file names, search as an
//! oracle of masked ID numbers, who may start a verification, what files reveal, and field
//! limits on every way in. Runs on SQLite, and on PostgreSQL when `TEST_DATABASE_URL` is set.

use dinhdanh_tests::{Answer, TestApp, spawn_app};
use serde_json::{Value, json};

/// Uploads a file as the raw body with this query string.
async fn upload(app: &TestApp, token: &str, query: &str, bytes: &[u8]) -> Answer {
    let res = app
        .client
        .post(app.url(&format!("/api/v1/imports{query}")))
        .bearer_auth(token)
        .header("Content-Type", "application/octet-stream")
        .body(bytes.to_vec())
        .send()
        .await
        .expect("upload");
    answer(res).await
}

async fn answer(res: reqwest::Response) -> Answer {
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let text = res.text().await.unwrap_or_default();
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Answer { status, headers, body, text }
}

// ---------------------------------------------------------------------------------------------
// item 4: numbers and lists no query can use

#[tokio::test]
async fn list_parameters_out_of_range_answer_a_problem_never_a_crash() {
    let app = spawn_app().await;
    let f = app.fixtures;
    let token = app.login("school-a1").await;
    app.create_student(&token, f.class_a1_6a, json!({"fullName": "Nguyễn Văn An"})).await;
    let csv = "Họ và tên,Ngày sinh,Giới tính\nTrần Thị Bích,05/03/2014,Nữ\n";
    let import = upload(&app, &token, &format!("?classId={}&filename=lop.csv", f.class_a1_6a), csv.as_bytes()).await;
    assert_eq!(import.status, 201, "{}", import.text);
    let import_id = import.body["id"].as_str().expect("import id").to_owned();
    let lists = [
        format!("/api/v1/students?classId={}", f.class_a1_6a),
        "/api/v1/staff?".to_owned(),
        "/api/v1/verification-jobs?".to_owned(),
        format!("/api/v1/imports/{import_id}?"),
    ];
    for list in &lists {
        let ok = app.get(&format!("{list}&page=1"), &token).await;
        assert_eq!(ok.status, 200, "{list}: {}", ok.text);
        for params in [
            "page=18446744073709551615",
            "page=9223372036854775807&pageSize=500",
            "page=9223372036854775807&pageSize=100",
            "page=1000001",
            "page=0",
            "pageSize=0",
            "pageSize=100000",
        ] {
            let res = app.get(&format!("{list}&{params}"), &token).await;
            res.assert_problem(422, "validation_failed");
            assert_eq!(res.body["errors"][0]["code"], "range", "{list}&{params}: {}", res.text);
        }
        for params in ["page=18446744073709551616", "page=-1", "pageSize=abc"] {
            let res = app.get(&format!("{list}&{params}"), &token).await;
            res.assert_problem(400, "invalid_query");
        }
    }
    for params in ["limit=0", "limit=201"] {
        app.get(&format!("/api/v1/imports?{params}"), &token).await.assert_problem(422, "validation_failed");
    }
    let district = app.login("district-a").await;
    for params in ["limit=0", "limit=101", "limit=18446744073709551615"] {
        app.get(&format!("/api/v1/stats/laggards?{params}"), &district).await.assert_problem(422, "validation_failed");
    }
}

#[tokio::test]
async fn sixty_thousand_person_ids_are_chunked_and_more_than_the_limit_are_refused() {
    let app = spawn_app().await;
    let f = app.fixtures;
    let token = app.login("school-a1").await;
    let mine = app
        .create_student(
            &token,
            f.class_a1_6a,
            json!({"fullName": "nguyễn  văn an", "dateOfBirth": "05/03/2014", "gender": "Nam"}),
        )
        .await["id"]
        .as_i64()
        .expect("id");
    // 60,000 ids: one of them real, the others nobody's (the list is cut before the database)
    let mut ids: Vec<i64> = (1_000_000..1_059_999).collect();
    ids.push(mine);
    let fix = app.post("/api/v1/fixes", &token, &json!({"classId": f.class_a1_6a, "personIds": ids})).await;
    assert_eq!(fix.status, 201, "{}", fix.text);
    assert_eq!(fix.body["records"], 1, "{}", fix.text);
    let job = app
        .post("/api/v1/verification-jobs", &token, &json!({"unitId": f.school_a1, "personIds": ids, "dryRun": true}))
        .await;
    assert_eq!(job.status, 200, "{}", job.text);
    assert_eq!(in_scope(&job.body["counts"]), 1, "{}", job.text);
    // above the documented maximum: a problem naming the field
    let too_many: Vec<i64> = (1..=100_001).collect();
    for path in ["/api/v1/fixes", "/api/v1/verification-jobs"] {
        let res = app.post(path, &token, &json!({"personIds": too_many})).await;
        res.assert_problem(422, "validation_failed");
        assert_eq!(res.body["errors"][0]["pointer"], "/personIds", "{}", res.text);
        assert_eq!(res.body["errors"][0]["code"], "too_many", "{}", res.text);
    }
}

#[tokio::test]
async fn control_characters_in_a_file_name_do_not_break_its_report() {
    let app = spawn_app().await;
    let f = app.fixtures;
    let token = app.login("school-a1").await;
    let csv = "Họ và tên,Ngày sinh,Giới tính\nTrần Thị Bích,05/03/2014,Nữ\n";
    for name in ["%01lop%0D%0A6A.csv", "%22%3B%20filename%3Dx.exe%00.csv", "L%E1%BB%9Bp%206A%7F.csv"] {
        let import = upload(&app, &token, &format!("?classId={}&filename={name}", f.class_a1_6a), csv.as_bytes()).await;
        assert_eq!(import.status, 201, "{name}: {}", import.text);
        let shown = import.body["filename"].as_str().expect("filename");
        assert!(!shown.chars().any(char::is_control), "{name}: kept {shown:?}");
        let id = import.body["id"].as_str().expect("id");
        let res =
            app.client.get(app.url(&format!("/api/v1/imports/{id}/report.xlsx"))).bearer_auth(&token).send().await;
        let res = answer(res.expect("report")).await;
        assert_eq!(res.status, 200, "{name}: {}", res.text);
        let disposition = res.headers.get("content-disposition").and_then(|v| v.to_str().ok()).expect("disposition");
        let quoted = disposition.strip_prefix("attachment; filename=\"").and_then(|r| r.strip_suffix('"'));
        let quoted = quoted.unwrap_or_else(|| panic!("{name}: {disposition}"));
        assert!(quoted.chars().all(|c| c.is_ascii_alphanumeric() || ".-_".contains(c)), "{name}: {disposition}");
        assert!(quoted.ends_with(".xlsx"), "{disposition}");
    }
}

// ---------------------------------------------------------------------------------------------
// item 7: search is no oracle

#[tokio::test]
async fn a_part_of_an_id_number_finds_nothing_for_any_role() {
    let app = spawn_app().await;
    let f = app.fixtures;
    let school = app.login("school-a1").await;
    app.create_student(
        &school,
        f.class_a1_6a,
        json!({"fullName": "Nguyễn Văn An", "dateOfBirth": "05/03/2014", "gender": "Nam", "personalId": "031214001234"}),
    )
    .await;
    app.create_student(&school, f.class_a1_6a, json!({"fullName": "Trần Thị Bích", "personalId": "031314005678"}))
        .await;
    for account in ["school-a1", "district-a", "department", "admin"] {
        let token = app.login(account).await;
        let total = |q: String| {
            let (app, token) = (&app, token.clone());
            async move {
                let res = app.get(&format!("/api/v1/students?classId={}&q={q}", f.class_a1_6a), &token).await;
                assert_eq!(res.status, 200, "{account} q={q}: {}", res.text);
                res.body["total"].as_i64().expect("total")
            }
        };
        assert_eq!(total("031214001234".into()).await, 1, "{account}: the whole number");
        assert_eq!(total("031%20214%20001%20234".into()).await, 1, "{account}: the whole number, spaced");
        let number = "031214001234";
        for len in 4..number.len() {
            assert_eq!(total(number[..len].to_owned()).await, 0, "{account}: prefix {}", &number[..len]);
            assert_eq!(total(number[number.len() - len..].to_owned()).await, 0, "{account}: suffix");
        }
        assert_eq!(total("0312140012345".into()).await, 0, "{account}: one digit too many");
        // names still search by parts
        assert_eq!(total("van%20an".into()).await, 1, "{account}: part of a name");
        assert_eq!(total("bich".into()).await, 1, "{account}: one syllable");
    }
}

// ---------------------------------------------------------------------------------------------
// item 8: only the roles that edit a record send it

#[tokio::test]
async fn offices_send_only_their_own_staff_and_still_see_the_schools_jobs() {
    let app = spawn_app().await;
    let f = app.fixtures;
    let school = app.login("school-a1").await;
    let district = app.login("district-a").await;
    let department = app.login("department").await;
    // a clean record, so that the school's job has something to send
    let birth_year = app.settings.school_year_now()[..4].parse::<i32>().expect("year") - 11;
    let child = app
        .create_student(
            &school,
            f.class_a1_6a,
            json!({
                "fullName": "Nguyễn Văn An",
                "dateOfBirth": format!("15/03/{birth_year}"),
                "gender": "Nam",
                "personalId": format!("0312{:02}000001", birth_year % 100),
                "residence": {"province": "Thành phố Hải Phòng", "commune": "Phường Lê Chân"}
            }),
        )
        .await;
    assert_eq!(child["quality"]["errors"], 0, "{child}");
    let teacher = app.create_staff(&school, None, json!({"fullName": "Lê Thị Hoa"})).await;
    let officer = app.create_staff(&district, None, json!({"fullName": "Phạm Văn Bình"})).await;
    let child_id = child["id"].as_i64().expect("id");
    for token in [&district, &department] {
        for scope in [
            json!({"unitId": f.school_a1}),
            json!({"unitId": f.school_a1, "kind": "staff"}),
            json!({"classId": f.class_a1_6a}),
            json!({"kind": "student"}),
            json!({"unitId": f.district_a, "kind": "student"}),
        ] {
            app.post("/api/v1/verification-jobs", token, &scope).await.assert_problem(403, "forbidden");
        }
    }
    // a school's records named one by one are not sent by an office either
    let res = app.post("/api/v1/verification-jobs", &district, &json!({"personIds": [child_id, teacher["id"]]})).await;
    assert!(res.status == 202 || res.status == 422, "{}", res.text);
    if res.status == 202 {
        assert_eq!(res.body["total"], 0, "{}", res.text);
    }
    // the office's own staff: sent
    let own = app.post("/api/v1/verification-jobs", &district, &json!({"dryRun": true})).await;
    assert_eq!(own.status, 200, "{}", own.text);
    assert_eq!(in_scope(&own.body["counts"]), 1, "only {}: {}", officer["id"], own.text);
    // the school sends its own; the offices see that job
    let job = app.post("/api/v1/verification-jobs", &school, &json!({"classId": f.class_a1_6a})).await;
    assert_eq!(job.status, 202, "{}", job.text);
    assert_eq!(job.body["total"], 1, "{}", job.text);
    for token in [&district, &department] {
        let seen = app.get(&format!("/api/v1/verification-jobs/{}", job.body["id"]), token).await;
        assert_eq!(seen.status, 200, "{}", seen.text);
    }
    let school_b1 = app.login("school-b1").await;
    let other = app.post("/api/v1/verification-jobs", &school_b1, &json!({"classId": f.class_a1_6a})).await;
    other.assert_problem(404, "not_found");
    assert_eq!(other.body["errors"][0]["pointer"], "/classId", "a class of another school is not found");
    // the Department's administrator sends as the Department does: its own staff only
    let admin = app.login("admin").await;
    let res = app.post("/api/v1/verification-jobs", &admin, &json!({"unitId": f.school_a1, "kind": "staff"})).await;
    res.assert_problem(403, "forbidden");
    let own = app.post("/api/v1/verification-jobs", &admin, &json!({})).await;
    own.assert_problem(422, "nothing_to_send");
    assert_eq!(in_scope(&own.body["counts"]), 0, "the Department holds no staff record here: {}", own.text);
}

/// The records a verification request's dry run found in its scope, whatever it would do with them.
fn in_scope(counts: &Value) -> i64 {
    counts.as_object().map(|o| o.values().filter_map(Value::as_i64).sum()).unwrap_or(0)
}

// ---------------------------------------------------------------------------------------------
// item 6: files follow the masking of the JSON views

/// Downloads a file; its bytes.
async fn download(app: &TestApp, token: &str, path: &str) -> Vec<u8> {
    let res = app.client.get(app.url(path)).bearer_auth(token).send().await.expect("download");
    assert_eq!(res.status().as_u16(), 200, "{path}");
    res.bytes().await.expect("bytes").to_vec()
}

/// Every cell's text of every sheet (hidden ones included), and the text of the notes.
fn texts_of(bytes: &[u8]) -> String {
    use calamine::Reader;
    let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes.to_vec())).expect("open");
    let mut out = String::new();
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).expect("sheet");
        for cell in range.used_cells() {
            out.push_str(&cell.2.to_string());
            out.push('\n');
        }
    }
    // the notes live in their own parts
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).expect("zip");
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).expect("part");
        if part.name().expect("name").contains("comments") {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut part, &mut text).expect("read");
            out.push_str(&text);
        }
    }
    out
}

/// The last export event's field and note.
async fn last_export(app: &TestApp) -> (Option<String>, String) {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    let e = dinhdanh::store::entities::audit_events::Entity::find()
        .filter(dinhdanh::store::entities::audit_events::Column::Action.eq("export"))
        .order_by_desc(dinhdanh::store::entities::audit_events::Column::Id)
        .one(&app.store.db)
        .await
        .expect("query")
        .expect("an export event");
    (e.field, e.new_value.unwrap_or_default())
}

#[tokio::test]
async fn files_show_masked_numbers_to_the_roles_that_see_them_masked_and_full_ones_are_audited() {
    let app = spawn_app().await;
    let f = app.fixtures;
    let school = app.login("school-a1").await;
    let an = app
        .create_student(
            &school,
            f.class_a1_6a,
            json!({"fullName": "Nguyễn Văn An", "dateOfBirth": "05/03/2014", "gender": "Nam", "personalId": "031214001234"}),
        )
        .await;
    let bich = app
        .create_student(&school, f.class_a1_6a, json!({"fullName": "Trần Thị Bích", "personalId": "031314005678"}))
        .await;
    let ids = [an["id"].as_i64().expect("id"), bich["id"].as_i64().expect("id")];
    let template = format!("/api/v1/templates/students.xlsx?classId={}", f.class_a1_6a);

    // the school edits them: full numbers, and the export names the records it carried
    let text = texts_of(&download(&app, &school, &template).await);
    assert!(text.contains("031214001234") && text.contains("031314005678"), "{text}");
    let (field, note) = last_export(&app).await;
    assert_eq!(field.as_deref(), Some("personalId"), "{note}");
    let (lo, hi) = (ids[0].min(ids[1]), ids[0].max(ids[1]));
    let listed = if hi == lo + 1 { format!("{lo}-{hi}") } else { format!("{lo},{hi}") };
    assert!(note.ends_with(&format!("số định danh đầy đủ của hồ sơ: {listed}")), "{note}");

    // an import of the school with numbers in it
    let csv = "Họ và tên,Ngày sinh,Giới tính,Số định danh\nLê Văn Cường,01/02/2014,Nam,031214009876\n\
               Trần Thị Bích,,Nữ,031314005678\n";
    let import = upload(&app, &school, &format!("?classId={}&filename=lop.csv", f.class_a1_6a), csv.as_bytes()).await;
    assert_eq!(import.status, 201, "{}", import.text);
    let report = format!("/api/v1/imports/{}/report.xlsx", import.body["id"].as_str().expect("id"));
    let text = texts_of(&download(&app, &school, &report).await);
    assert!(text.contains("031214009876"), "the school sees its file as it sent it: {text}");
    assert_eq!(last_export(&app).await.0.as_deref(), Some("personalId"));

    // district and department see them masked on screen: masked in every file too
    for account in ["district-a", "department"] {
        let token = app.login(account).await;
        let list = app.get(&format!("/api/v1/students?classId={}", f.class_a1_6a), &token).await;
        assert_eq!(list.body["items"][0]["personalIdMasked"], true, "{}", list.text);
        for (what, path) in [("template", &template), ("report", &report)] {
            let text = texts_of(&download(&app, &token, path).await);
            for full in ["031214001234", "031314005678", "031214009876"] {
                assert!(!text.contains(full), "{account} {what}: {full} in {text}");
            }
            assert!(text.contains("0313******78"), "{account} {what}: masked number shown: {text}");
            let (field, note) = last_export(&app).await;
            assert_eq!(field, None, "{account} {what}: no full number carried: {note}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// item 5: the same field limits on every way in; files never fail on stored data

#[tokio::test]
async fn imports_apply_the_apis_field_limits_and_files_never_fail_on_stored_text() {
    let app = spawn_app().await;
    let f = app.fixtures;
    let school = app.login("school-a1").await;
    // the API: too long, and a control character
    let long_name = "A".repeat(40_000);
    let res = app.post("/api/v1/students", &school, &json!({"classId": f.class_a1_6a, "fullName": long_name})).await;
    res.assert_problem(422, "validation_failed");
    let res = app
        .post("/api/v1/students", &school, &json!({"classId": f.class_a1_6a, "fullName": "Nguyễn\u{1}Văn An"}))
        .await;
    res.assert_problem(422, "validation_failed");
    assert_eq!(res.body["errors"][0]["pointer"], "/fullName", "{}", res.text);
    assert_eq!(res.body["errors"][0]["code"], "invalid_characters", "{}", res.text);
    let id = app.create_student(&school, f.class_a1_6a, json!({"fullName": "Lê Văn Cường"})).await["id"].clone();
    let res =
        app.patch(&format!("/api/v1/students/{id}"), &school, &json!({"residence": {"commune": "Xã\u{0}Yên"}})).await;
    res.assert_problem(422, "validation_failed");
    assert_eq!(res.body["errors"][0]["pointer"], "/residence/commune", "{}", res.text);

    // the same limits in a CSV: rejected rows with their reason, the others go in
    let csv = format!(
        "Họ và tên,Ngày sinh,Giới tính,Địa chỉ thường trú\n{long_name},05/03/2014,Nam,\nTrần\u{1}Bích,05/03/2014,Nữ,\n\
         Phạm Thị Dung,05/03/2014,Nữ,{}\nĐỗ Văn Em,05/03/2014,Nam,Thôn 3\n",
        "x".repeat(501)
    );
    let import =
        upload(&app, &school, &format!("?classId={}&filename=dai.csv&commit=true", f.class_a1_6a), csv.as_bytes())
            .await;
    assert_eq!(import.status, 201, "{}", import.text);
    assert_eq!(import.body["totals"]["rejected"], 3, "{}", import.text);
    assert_eq!(import.body["totals"]["create"], 1, "{}", import.text);
    let rows = import.body["rows"].as_array().expect("rows");
    let reasons: Vec<(&str, &str)> = rows
        .iter()
        .filter(|r| r["action"] == "rejected")
        .map(|r| (r["errors"][0]["code"].as_str().unwrap_or(""), r["errors"][0]["message"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(reasons.iter().map(|r| r.0).collect::<Vec<_>>(), ["too_long", "invalid_characters", "too_long"]);
    assert!(reasons[0].1.contains("Họ và tên") && reasons[0].1.contains("255"), "{reasons:?}");
    assert!(reasons[2].1.contains("500"), "{reasons:?}");
    // the report of that import and the class's template are written (long cells cut)
    let report = format!("/api/v1/imports/{}/report.xlsx", import.body["id"].as_str().expect("id"));
    let text = texts_of(&download(&app, &school, &report).await);
    assert!(text.contains("AAAA"), "the long cell is in the report, cut");
    download(&app, &school, &format!("/api/v1/templates/students.xlsx?classId={}", f.class_a1_6a)).await;

    // a name at the limit whose derived keys are longer than the name (the sort key repeats
    // the given name; lower-casing İ gives two characters) is stored on either database
    let given = "B".repeat(127);
    for name in [format!("{} {given}", "A".repeat(127)), "İ".repeat(255)] {
        let p = app.create_student(&school, f.class_a1_6a, json!({"fullName": name})).await;
        assert_eq!(p["fullName"], name.as_str());
    }
    let list = app.get(&format!("/api/v1/students?classId={}&pageSize=500", f.class_a1_6a), &school).await;
    assert_eq!(list.status, 200, "{}", list.text);
    download(&app, &school, &format!("/api/v1/templates/students.xlsx?classId={}", f.class_a1_6a)).await;
}

// ---------------------------------------------------------------------------------------------
// also found: a bulk fix that stops part-way leaves a batch undo finds

#[tokio::test]
async fn a_bulk_fix_that_stops_part_way_can_still_be_undone() {
    use sea_orm::{ConnectionTrait, EntityTrait};
    let app = spawn_app().await;
    let f = app.fixtures;
    let school = app.login("school-a1").await;
    // 250 names in lower case: each gets a safe repair (name_case)
    let mut csv = String::from("Họ và tên,Ngày sinh,Giới tính\n");
    for i in 0..250 {
        let given = ["an", "bình", "cường", "dũng", "em"][i % 5];
        csv.push_str(&format!("nguyễn văn {given},{:02}/{:02}/2014,Nam\n", 1 + i % 28, 1 + i / 28));
    }
    let import =
        upload(&app, &school, &format!("?classId={}&filename=lop.csv&commit=true", f.class_a1_6a), csv.as_bytes())
            .await;
    assert_eq!(import.status, 201, "{}", import.text);
    assert_eq!(import.body["totals"]["create"], 250, "{}", import.text);
    let ids: Vec<i64> = {
        let list = app.get(&format!("/api/v1/students?classId={}&pageSize=500", f.class_a1_6a), &school).await;
        let mut ids: Vec<i64> =
            list.body["items"].as_array().expect("items").iter().filter_map(|p| p["id"].as_i64()).collect();
        ids.sort_unstable();
        ids
    };
    assert_eq!(ids.len(), 250);
    // the 230th record refuses to be written: the first chunk of 200 is committed, then it stops
    let poison = ids[229];
    let db = &app.store.db;
    if app.db.is_postgres() {
        db.execute_unprepared(&format!(
            "CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN IF NEW.id = {poison} THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql;
             CREATE TRIGGER refuse BEFORE UPDATE ON people FOR EACH ROW EXECUTE FUNCTION refuse();"
        ))
        .await
        .expect("trigger");
    } else {
        db.execute_unprepared(&format!(
            "CREATE TRIGGER refuse BEFORE UPDATE ON people WHEN NEW.id = {poison} BEGIN SELECT RAISE(ABORT, 'refused'); END;"
        ))
        .await
        .expect("trigger");
    }
    let res = app.post("/api/v1/fixes", &school, &json!({"classId": f.class_a1_6a})).await;
    assert_eq!(res.status, 500, "{}", res.text);
    let drop = if app.db.is_postgres() { "DROP TRIGGER refuse ON people" } else { "DROP TRIGGER refuse" };
    db.execute_unprepared(drop).await.expect("drop the trigger");
    let batches = dinhdanh::store::entities::fix_batches::Entity::find().all(db).await.expect("batches");
    assert_eq!(batches.len(), 1, "the batch row was written before the repairs");
    assert_eq!(batches[0].records, 200, "the counts of the committed chunk");
    let undo = app.post(&format!("/api/v1/fixes/{}/undo", batches[0].id), &school, &json!({})).await;
    assert_eq!(undo.status, 200, "{}", undo.text);
    assert_eq!(undo.body["reverted"], 200, "{}", undo.text);
    let first = app.get(&format!("/api/v1/students/{}", ids[0]), &school).await;
    assert!(first.body["fullName"].as_str().expect("name").starts_with("nguyễn"), "{}", first.text);
}

// ---------------------------------------------------------------------------------------------
// schemathesis' findings: undeclared methods answer 405

#[tokio::test]
async fn a_method_the_document_does_not_list_answers_405_with_allow() {
    let app = spawn_app().await;
    let token = app.login("school-a1").await;
    for (method, path, allow) in [
        ("PUT", "/api/v1/students", "GET, POST"),
        ("TRACE", "/api/v1/me", "GET"),
        ("PUT", "/api/v1/students/12", "GET, DELETE, PATCH"),
        ("DELETE", "/api/v1/verification-jobs/3/cancel", "POST"),
    ] {
        let res =
            app.send(reqwest::Method::from_bytes(method.as_bytes()).expect("method"), path, Some(&token), None).await;
        res.assert_problem(405, "method_not_allowed");
        assert_eq!(res.headers.get("allow").and_then(|v| v.to_str().ok()), Some(allow), "{method} {path}");
    }
    app.get("/api/v1/no-such-route", &token).await.assert_problem(404, "not_found");
    app.get("/api/v1/students/12/nothing", &token).await.assert_problem(404, "not_found");
}
