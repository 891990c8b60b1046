//! The rule engine over HTTP: `/validate`, findings stored with every write, duplicate IDs
//! across schools, bulk safe repairs with undo, and `revalidate`.

use dinhdanh::store::entities::people;
use dinhdanh_tests::spawn_app;
use reqwest::Method;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};
use serde_json::{Value, json};

fn codes(outcome: &Value) -> Vec<String> {
    outcome["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["code"].as_str().expect("code").to_owned())
        .collect()
}

#[tokio::test]
async fn validate_answers_normalised_values_and_findings_in_input_order() {
    let app = spawn_app().await;
    let token = app.login("school-a1").await;
    let body = json!({"records": [
        {"fullName": "NguyÔn V¨n Hïng", "dateOfBirth": "41703", "gender": "nam", "personalId": "31214001234", "grade": "6",
         "residence": {"province": "TP. Hải Phòng", "district": "Q. Ngô Quyền", "commune": "P. Lạch Tray"}},
        {"fullName": "Trần Thị Mai", "dateOfBirth": "05/03/2014", "gender": "Nữ", "personalId": "3.13E+11", "grade": "6",
         "residenceText": "Số 5 Lê Lợi, P. Máy Chai, Q. Ngô Quyền, HP"},
        {"fullName": "", "personalId": "123456789", "role": "teacher"},
    ]});
    let res = app.post("/api/v1/validate", &token, &body).await;
    assert_eq!(res.status, 200, "{}", res.text);
    let results = res.body["results"].as_array().expect("results");
    assert_eq!(results.len(), 3);

    let first = &results[0];
    assert_eq!(first["normalized"]["fullName"], "Nguyễn Văn Hùng");
    assert_eq!(first["normalized"]["dateOfBirth"], "2014-03-05");
    assert_eq!(first["normalized"]["gender"], "Nam");
    assert_eq!(first["normalized"]["personalId"], "031214001234");
    assert_eq!(first["normalized"]["residence"]["scheme"], "pre2025");
    assert_eq!(first["normalized"]["residence"]["provinceCode"], "31");
    let c = codes(first);
    for want in [
        "name_legacy_encoding",
        "dob_excel_serial",
        "gender_normalized",
        "id_leading_zeros_restored",
        "address_outdated_unit",
    ] {
        assert!(c.iter().any(|x| x == want), "{want} in {c:?}");
    }
    let fixed =
        first["findings"].as_array().expect("f").iter().find(|f| f["code"] == "dob_excel_serial").expect("serial");
    assert_eq!(fixed["severity"], "fixed");
    assert_eq!(fixed["fix"]["from"], "41703");

    let c = codes(&results[1]);
    assert!(c.contains(&"id_scientific_notation".to_owned()), "{c:?}");
    assert_eq!(results[1]["normalized"]["residence"]["districtCode"], "304");

    let c = codes(&results[2]);
    assert!(c.contains(&"name_missing".to_owned()) && c.contains(&"id_legacy_cmnd".to_owned()), "{c:?}");
    let message = results[2]["findings"][0]["message"].as_str().expect("message");
    assert!(!message.is_empty());

    let too_many = json!({"records": vec![json!({"fullName": "A B"}); 1001]});
    let res = app.post("/api/v1/validate", &token, &too_many).await;
    res.assert_problem(422, "validation_failed");
    assert_eq!(res.body["errors"][0]["pointer"], "/records");
    app.send(Method::POST, "/api/v1/validate", None, Some(&body)).await.assert_problem(401, "unauthenticated");
}

#[tokio::test]
async fn findings_are_stored_counted_and_filterable() {
    let app = spawn_app().await;
    let f = app.fixtures;
    let token = app.login("school-a1").await;
    let s = app
        .create_student(
            &token,
            f.class_a1_6a,
            json!({"fullName": "LÊ  THỊ HOA", "dateOfBirth": "31/02/2014", "gender": "Nữ", "personalId": "031314000111",
                   "residence": {"province": "Thành phố Hải Phòng", "district": "Quận Ngô Quyền", "commune": "Phường Lạch Tray"}}),
        )
        .await;
    let c = codes(&s);
    assert!(c.contains(&"name_case".to_owned()) && c.contains(&"name_whitespace".to_owned()), "{c:?}");
    assert!(c.contains(&"dob_impossible".to_owned()), "{c:?}");
    assert!(s["quality"]["errors"].as_i64().expect("errors") >= 1);
    assert!(s["quality"]["fixed"].as_i64().expect("fixed") >= 2);
    app.create_student(
        &token,
        f.class_a1_6a,
        json!({"fullName": "Phạm Minh Đức", "dateOfBirth": "01/09/2014", "gender": "Nam",
        "personalId": "031214000222", "residence": {"province": "Thành phố Hải Phòng", "commune": "Phường Gia Viên"}}),
    )
    .await;

    let by_code = app.get("/api/v1/students?findingCode=dob_impossible", &token).await;
    assert_eq!(by_code.body["total"], 1, "{}", by_code.text);
    let errors = app.get("/api/v1/students?severity=error", &token).await;
    assert_eq!(errors.body["total"], 1, "{}", errors.text);
    let none = app.get("/api/v1/students?findingCode=id_legacy_cmnd", &token).await;
    assert_eq!(none.body["total"], 0);

    // Fixing the date re-runs the rules: the error goes, the stored findings follow.
    let id = s["id"].as_i64().expect("id");
    let patched = app.patch(&format!("/api/v1/students/{id}"), &token, &json!({"dateOfBirth": "28/02/2014"})).await;
    assert!(!codes(&patched.body).contains(&"dob_impossible".to_owned()));
    assert_eq!(app.get("/api/v1/students?findingCode=dob_impossible", &token).await.body["total"], 0);
    // the findings that stay are still stored, and one the change brings is added
    assert_eq!(app.get("/api/v1/students?findingCode=name_case", &token).await.body["total"], 1);
    let legacy = app
        .patch(&format!("/api/v1/students/{id}"), &token, &json!({"personalId": "031314111", "allowWorse": true}))
        .await;
    assert!(codes(&legacy.body).contains(&"id_legacy_cmnd".to_owned()), "{}", legacy.text);
    assert_eq!(app.get("/api/v1/students?findingCode=id_legacy_cmnd", &token).await.body["total"], 1);
    assert_eq!(app.get("/api/v1/students?findingCode=name_case", &token).await.body["total"], 1);
    assert_eq!(app.get("/api/v1/students?severity=error", &token).await.body["total"], 1);
}

#[tokio::test]
async fn a_duplicate_id_is_flagged_on_every_holder_across_schools_and_cleared_when_resolved() {
    let app = spawn_app().await;
    let f = app.fixtures;
    let a1 = app.login("school-a1").await;
    let b1 = app.login("school-b1").await;
    let one = app.create_student(&a1, f.class_a1_6a, json!({"fullName": "Vũ Thị Lan", "dateOfBirth": "02/02/2014", "gender": "Nữ", "personalId": "031314009999"})).await;
    assert!(!codes(&one).contains(&"id_duplicate".to_owned()));
    let two = app.create_student(&b1, f.class_b1_10a, json!({"fullName": "Đỗ Văn Nam", "dateOfBirth": "03/03/2010", "gender": "Nam", "personalId": "031 314 009 999"})).await;
    assert!(codes(&two).contains(&"id_duplicate".to_owned()), "{:?}", codes(&two));
    let one_id = one["id"].as_i64().expect("id");
    let again = app.get(&format!("/api/v1/students/{one_id}"), &a1).await;
    assert!(codes(&again.body).contains(&"id_duplicate".to_owned()), "the first holder is flagged too");
    // The other school's record stays invisible: only the count is said.
    assert!(!again.text.contains("Đỗ Văn Nam"));

    let two_id = two["id"].as_i64().expect("id");
    app.patch(&format!("/api/v1/students/{two_id}"), &b1, &json!({"personalId": "031210004444"})).await;
    let cleared = app.get(&format!("/api/v1/students/{one_id}"), &a1).await;
    assert!(!codes(&cleared.body).contains(&"id_duplicate".to_owned()), "{:?}", codes(&cleared.body));

    // A change that makes the record a duplicate again answers with the finding (the PATCH
    // answers the record as written, after the duplicates were brought up to date).
    let dup = app.patch(&format!("/api/v1/students/{two_id}"), &b1, &json!({"personalId": "031314009999"})).await;
    assert_eq!(dup.status, 200, "{}", dup.text);
    assert!(codes(&dup.body).contains(&"id_duplicate".to_owned()), "{:?}", codes(&dup.body));
    let fetched = app.get(&format!("/api/v1/students/{two_id}"), &b1).await;
    assert_eq!(codes(&dup.body), codes(&fetched.body), "the answer is what a read gives");
}

#[tokio::test]
async fn safe_repairs_apply_in_bulk_keep_verification_and_undo_as_a_whole() {
    let app = spawn_app().await;
    let f = app.fixtures;
    let token = app.login("school-a1").await;
    let damaged = app
        .create_student(&token, f.class_a1_6a, json!({"fullName": "nguyễn  văn an", "dateOfBirth": "41703", "gender": "nam", "personalId": "'031214001234"}))
        .await;
    let clean = app
        .create_student(&token, f.class_a1_6a, json!({"fullName": "Trần Thu Hà", "dateOfBirth": "05/03/2014", "gender": "Nữ", "personalId": "031314001235"}))
        .await;
    let other_class = app.create_student(&token, f.class_a1_6b, json!({"fullName": "LÊ VĂN BÌNH"})).await;
    let id = damaged["id"].as_i64().expect("id");

    // Pretend the registry verified the normalised values already.
    let row = people::Entity::find_by_id(id).one(&app.store.db).await.expect("db").expect("row");
    let mut active: people::ActiveModel = row.into();
    active.status = Set("verified".to_owned());
    active.update(&app.store.db).await.expect("update");

    let district = app.login("district-a").await;
    app.post("/api/v1/fixes", &district, &json!({"classId": f.class_a1_6a})).await.assert_problem(403, "forbidden");

    let res = app.post("/api/v1/fixes", &token, &json!({"classId": f.class_a1_6a})).await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["records"], 1);
    assert_eq!(res.body["changes"], 4);
    let batch = res.body["id"].as_str().expect("id").to_owned();

    let after = app.get(&format!("/api/v1/students/{id}"), &token).await;
    assert_eq!(after.body["fullName"], "Nguyễn Văn An");
    assert_eq!(after.body["dateOfBirth"], "05/03/2014");
    assert_eq!(after.body["gender"], "Nam");
    assert_eq!(app.reveal(&token, &after.body).await.as_deref(), Some("031214001234"));
    assert_eq!(after.body["quality"]["fixed"], 0, "nothing left to repair: {:?}", codes(&after.body));
    assert_eq!(after.body["status"], "verified", "same normalised values: still verified");
    assert_eq!(after.body["version"], damaged["version"], "not a new request to the registry");
    let history = app.get(&format!("/api/v1/students/{id}/history"), &token).await;
    let repairs: Vec<&Value> =
        history.body["items"].as_array().expect("items").iter().filter(|e| e["source"] == "auto_fix").collect();
    assert_eq!(repairs.len(), 4);
    assert!(repairs.iter().all(|e| e["sourceRef"] == batch.as_str()));
    let untouched = app.get(&format!("/api/v1/students/{}", other_class["id"]), &token).await;
    assert_eq!(untouched.body["fullName"], "LÊ VĂN BÌNH", "another class is out of scope");
    assert_eq!(app.get(&format!("/api/v1/students/{}", clean["id"]), &token).await.body["version"], 1);

    // The clerk changes the gender again by hand; undo keeps that and reverts the rest.
    let by_hand = app
        .patch(&format!("/api/v1/students/{id}"), &token, &json!({"gender": "Nữ", "confirmVerifiedChanges": true}))
        .await;
    assert_eq!(by_hand.status, 200, "{}", by_hand.text);
    let undone = app.post(&format!("/api/v1/fixes/{batch}/undo"), &token, &json!({})).await;
    assert_eq!(undone.status, 200, "{}", undone.text);
    assert_eq!(undone.body["reverted"], 3);
    assert_eq!(undone.body["kept"], 1);
    let back = app.get(&format!("/api/v1/students/{id}"), &token).await;
    assert_eq!(back.body["fullName"], "nguyễn  văn an");
    assert_eq!(back.body["dateOfBirth"], "41703");
    assert_eq!(back.body["gender"], "Nữ");
    assert_eq!(app.reveal(&token, &back.body).await.as_deref(), Some("'031214001234"));
    app.post(&format!("/api/v1/fixes/{batch}/undo"), &token, &json!({})).await.assert_problem(409, "conflict");
    app.get(&format!("/api/v1/fixes/{batch}"), &app.login("school-b1").await).await.assert_problem(404, "not_found");
    let bad = app.post("/api/v1/fixes", &token, &json!({"findingCode": "id_missing"})).await;
    bad.assert_problem(422, "validation_failed");
}

#[tokio::test]
async fn revalidate_refreshes_stale_findings_without_touching_entered_values() {
    let app = spawn_app().await;
    let token = app.login("school-a1").await;
    let s = app
        .create_student(
            &token,
            app.fixtures.class_a1_6a,
            json!({"fullName": "ĐINH  LAN", "personalId": "031314001299"}),
        )
        .await;
    let id = s["id"].as_i64().expect("id");
    let row = people::Entity::find_by_id(id).one(&app.store.db).await.expect("db").expect("row");
    // sealed with a fresh nonce at every write: compared opened
    let fresh_outcome = dinhdanh::store::people::parse_outcome(&row).expect("outcome");
    let mut active: people::ActiveModel = row.into();
    active.outcome = Set("{\"normalized\":{},\"findings\":[]}".to_owned());
    active.fixed_count = Set(0);
    active.update(&app.store.db).await.expect("stale");

    let report =
        dinhdanh::store::people::revalidate_all(&app.store.db, app.clock.now(), |_, _| {}).await.expect("revalidate");
    assert_eq!(report.scanned, 1);
    assert_eq!(report.changed, 1);
    let row = people::Entity::find_by_id(id).one(&app.store.db).await.expect("db").expect("row");
    assert_eq!(dinhdanh::store::people::parse_outcome(&row).expect("outcome"), fresh_outcome);
    assert_eq!(row.full_name.as_deref(), Some("ĐINH  LAN"));
    let again =
        dinhdanh::store::people::revalidate_all(&app.store.db, app.clock.now(), |_, _| {}).await.expect("revalidate");
    assert_eq!(again.changed, 0, "idempotent");
}

#[tokio::test]
async fn a_stored_outcome_or_status_that_does_not_read_back_is_an_error_not_a_clean_record() {
    let app = spawn_app().await;
    let token = app.login("school-a1").await;
    let s = app
        .create_student(&token, app.fixtures.class_a1_6a, json!({"fullName": "Nguyễn Văn An", "personalId": "03121"}))
        .await;
    let id = s["id"].as_i64().expect("id");
    assert!(s["quality"]["errors"].as_i64().expect("errors") > 0, "{s}");
    let path = format!("/api/v1/students/{id}");
    let list = format!("/api/v1/students?classId={}", app.fixtures.class_a1_6a);
    assert_eq!(app.get(&path, &token).await.status, 200);

    // A damaged outcome: the record is not shown as clean, the request fails with a problem.
    let row = people::Entity::find_by_id(id).one(&app.store.db).await.expect("db").expect("row");
    let mut active: people::ActiveModel = row.clone().into();
    active.outcome = Set("{\"normalized\": {}, \"findings\": \"hỏng\"}".to_owned());
    active.update(&app.store.db).await.expect("damage");
    let one = app.get(&path, &token).await;
    one.assert_problem(500, "internal");
    assert!(!one.text.contains("hỏng"), "the stored value is not sent: {}", one.text);
    app.get(&list, &token).await.assert_problem(500, "internal");

    // An unknown stored status is an error too, never read as `not_sent`.
    // written as the store writes it: in clear, sealed on the way in
    let good_outcome =
        serde_json::to_string(&dinhdanh::store::people::parse_outcome(&row).expect("outcome")).expect("json");
    let mut active: people::ActiveModel = row.into();
    active.outcome = Set(good_outcome);
    active.update(&app.store.db).await.expect("repair");
    assert_eq!(app.get(&path, &token).await.status, 200, "a repaired outcome reads back");
    let row = people::Entity::find_by_id(id).one(&app.store.db).await.expect("db").expect("row");
    let mut active: people::ActiveModel = row.into();
    active.status = Set("maybe_verified".to_owned());
    active.update(&app.store.db).await.expect("damage");
    app.get(&path, &token).await.assert_problem(500, "internal");
}

#[tokio::test]
async fn admin_units_are_found_by_a_few_letters_for_the_residence_pickers() {
    let app = spawn_app().await;
    let token = app.login("district-a").await;
    let get = |path: &'static str| {
        let app = &app;
        let token = token.clone();
        async move { app.get(path, &token).await }
    };
    let provinces = get("/api/v1/admin-units?scheme=post2025&level=province&q=hai%20phong").await;
    assert_eq!(provinces.status, 200, "{}", provinces.text);
    assert_eq!(
        provinces.body["items"][0],
        json!({"code": "31", "name": "Thành phố Hải Phòng", "within": "", "becomes": null, "splitInto": 0})
    );
    let all_new = get("/api/v1/admin-units?scheme=post2025&level=province&limit=100").await;
    assert_eq!(all_new.body["items"].as_array().map(Vec::len), Some(34));

    // pre-2025: a district of Hải Phòng, then a commune of it, with what it became
    let districts = get("/api/v1/admin-units?scheme=pre2025&level=district&provinceCode=31&q=ngo%20quyen").await;
    assert_eq!(districts.body["items"][0]["code"], "304");
    assert_eq!(districts.body["items"][0]["within"], "Thành phố Hải Phòng");
    let communes = get("/api/v1/admin-units?scheme=pre2025&level=commune&districtCode=304&q=M%C3%A1y%20Chai").await;
    let may_chai = &communes.body["items"][0];
    assert_eq!(may_chai["name"], "Phường Máy Chai");
    assert_eq!(may_chai["within"], "Quận Ngô Quyền, Thành phố Hải Phòng");
    assert!(may_chai["becomes"].as_str().is_some_and(|n| n.starts_with("Phường ")), "{may_chai}");

    // the post-2025 communes of a province, diacritics optional
    let new = get("/api/v1/admin-units?scheme=post2025&level=commune&provinceCode=31&q=gia%20vien").await;
    assert_eq!(new.body["items"][0]["name"], "Phường Gia Viên");

    // no districts after 2025; bounds
    get("/api/v1/admin-units?scheme=post2025&level=district").await.assert_problem(422, "validation_failed");
    get("/api/v1/admin-units?scheme=post2025&level=province&limit=101").await.assert_problem(422, "validation_failed");
    get("/api/v1/admin-units?scheme=2025&level=province").await.assert_problem(400, "invalid_query");
}
