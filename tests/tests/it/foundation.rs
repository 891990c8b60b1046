//! The foundation: sign-in, scoping, records with audit, masking, problems, pagination,
//! the OpenAPI document, health and HTTP hygiene. Runs on SQLite, and on PostgreSQL when
//! `TEST_DATABASE_URL` is set.

use dinhdanh_tests::{PASSWORD, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};

fn ids(page: &Value) -> Vec<i64> {
    page["items"].as_array().expect("items").iter().map(|p| p["id"].as_i64().expect("id")).collect()
}

#[tokio::test]
async fn login_succeeds_with_the_right_password_and_fails_clearly_otherwise() {
    let app = spawn_app().await;
    let ok = app
        .send(Method::POST, "/api/v1/auth/login", None, Some(&json!({"username": "School-A1 ", "password": PASSWORD})))
        .await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert_eq!(ok.body["tokenType"], "Bearer");
    assert!(ok.body["expiresIn"].as_i64().expect("expiresIn") > 0);
    assert_eq!(ok.body["user"]["role"], "school");
    assert_eq!(ok.body["user"]["unit"]["id"], app.fixtures.school_a1);

    let wrong = app
        .send(Method::POST, "/api/v1/auth/login", None, Some(&json!({"username": "school-a1", "password": "sai"})))
        .await;
    wrong.assert_problem(401, "invalid_credentials");
    let unknown = app
        .send(Method::POST, "/api/v1/auth/login", None, Some(&json!({"username": "khong-co", "password": "x"})))
        .await;
    unknown.assert_problem(401, "invalid_credentials");
    assert_eq!(wrong.body["detail"], unknown.body["detail"], "no hint whether the username exists");

    let empty =
        app.send(Method::POST, "/api/v1/auth/login", None, Some(&json!({"username": "", "password": ""}))).await;
    empty.assert_problem(422, "validation_failed");
    let pointers: Vec<&str> =
        empty.body["errors"].as_array().expect("errors").iter().filter_map(|e| e["pointer"].as_str()).collect();
    assert_eq!(pointers, vec!["/password", "/username"]);
}

#[tokio::test]
async fn repeated_failures_for_one_username_are_slowed_down() {
    let app = spawn_app().await;
    let attempt = |password: &'static str| {
        let app = &app;
        async move {
            app.send(
                Method::POST,
                "/api/v1/auth/login",
                None,
                Some(&json!({"username": "school-a2", "password": password})),
            )
            .await
        }
    };
    for _ in 0..3 {
        attempt("sai").await.assert_problem(401, "invalid_credentials");
    }
    let slowed = attempt(PASSWORD).await;
    slowed.assert_problem(429, "too_many_attempts");
    let retry: u64 = slowed.headers["retry-after"].to_str().expect("header").parse().expect("seconds");
    assert!(retry >= 1);
    // Other accounts are not affected.
    app.login("school-a1").await;
}

#[tokio::test]
async fn tokens_are_required_and_checked() {
    let app = spawn_app().await;
    let none = app.send(Method::GET, "/api/v1/students", None, None).await;
    none.assert_problem(401, "unauthenticated");
    assert_eq!(none.headers["www-authenticate"], "Bearer");
    let garbage = app.send(Method::GET, "/api/v1/students", Some("abc.def.ghi"), None).await;
    garbage.assert_problem(401, "unauthenticated");
    let token = app.login("school-a1").await;
    let me = app.get("/api/v1/me", &token).await;
    assert_eq!(me.status, 200, "{}", me.text);
    assert_eq!(me.body["user"]["username"], "school-a1");
    assert!(me.body["schoolYear"].as_str().expect("year").contains('-'));
}

#[tokio::test]
async fn each_role_sees_its_own_subtree_and_nothing_else() {
    let app = spawn_app().await;
    let f = app.fixtures;
    let a1 = app.login("school-a1").await;
    let a2 = app.login("school-a2").await;
    let b1 = app.login("school-b1").await;
    let s_a1 = app.create_student(&a1, f.class_a1_6a, json!({"fullName": "Nguyễn Văn An"})).await;
    let s_a2 = app.create_student(&a2, f.class_a2_7a, json!({"fullName": "Trần Thị Bình"})).await;
    let s_b1 = app.create_student(&b1, f.class_b1_10a, json!({"fullName": "Lê Minh Châu"})).await;
    let (id_a1, id_a2, id_b1) =
        (s_a1["id"].as_i64().expect("id"), s_a2["id"].as_i64().expect("id"), s_b1["id"].as_i64().expect("id"));

    let district = app.login("district-a").await;
    let department = app.login("department").await;

    let list = |token: String| {
        let app = &app;
        async move { ids(&app.get("/api/v1/students", &token).await.body) }
    };
    assert_eq!(list(a1.clone()).await, vec![id_a1]);
    let mut seen = list(district.clone()).await;
    seen.sort();
    assert_eq!(seen, vec![id_a1, id_a2]);
    let mut seen = list(department.clone()).await;
    seen.sort();
    assert_eq!(seen, vec![id_a1, id_a2, id_b1]);

    // Single reads: out of scope answers exactly like a missing record.
    assert_eq!(app.get(&format!("/api/v1/students/{id_a1}"), &a1).await.status, 200);
    app.get(&format!("/api/v1/students/{id_a2}"), &a1).await.assert_problem(404, "not_found");
    app.get(&format!("/api/v1/students/{id_b1}"), &district).await.assert_problem(404, "not_found");
    app.get("/api/v1/students/999999", &district).await.assert_problem(404, "not_found");
    app.get("/api/v1/students/abc", &district).await.assert_problem(404, "not_found");
    assert_eq!(app.get(&format!("/api/v1/students/{id_b1}"), &department).await.status, 200);
    // A staff id is not a student.
    app.get(&format!("/api/v1/staff/{id_a1}"), &a1).await.assert_problem(404, "not_found");

    // Filtering by a unit outside the subtree is a 404 too.
    app.get(&format!("/api/v1/students?unitId={}", f.school_b1), &district).await.assert_problem(404, "not_found");
    assert_eq!(ids(&app.get(&format!("/api/v1/students?unitId={}", f.school_a2), &district).await.body), vec![id_a2]);

    // Units and classes are scoped the same way.
    let units = app.get("/api/v1/units", &district).await;
    let unit_ids: Vec<i64> =
        units.body["items"].as_array().expect("items").iter().map(|u| u["id"].as_i64().expect("id")).collect();
    assert_eq!(unit_ids, vec![f.district_a, f.school_a1, f.school_a2]);
    app.get(&format!("/api/v1/units/{}", f.school_b1), &district).await.assert_problem(404, "not_found");
    app.get(&format!("/api/v1/units/{}", f.department), &a1).await.assert_problem(404, "not_found");
    let classes = app.get("/api/v1/classes", &a1).await;
    let names: Vec<&str> =
        classes.body["items"].as_array().expect("items").iter().filter_map(|c| c["name"].as_str()).collect();
    assert_eq!(names, vec!["6A", "6B"]);
    assert_eq!(classes.body["items"][0]["studentCount"], 1);
    app.get(&format!("/api/v1/classes?schoolId={}", f.school_b1), &a1).await.assert_problem(404, "not_found");
    app.get(&format!("/api/v1/classes/{}", f.class_b1_10a), &district).await.assert_problem(404, "not_found");
    // a school under the office answers its classes; a unit in scope without classes an empty
    // list; one that does not exist is not found
    let a2 = app.get(&format!("/api/v1/classes?schoolId={}", f.school_a2), &district).await;
    assert_eq!(a2.body["items"][0]["id"], f.class_a2_7a, "{:?}", a2.body);
    let office = app.get(&format!("/api/v1/classes?schoolId={}", f.district_a), &district).await;
    assert_eq!((office.status, office.body["items"].clone()), (200, serde_json::json!([])));
    app.get("/api/v1/classes?schoolId=999999", &district).await.assert_problem(404, "not_found");
    app.get(&format!("/api/v1/classes?schoolId={}", f.school_b1), &district).await.assert_problem(404, "not_found");
}

#[tokio::test]
async fn create_patch_delete_are_audited_field_by_field() {
    let app = spawn_app().await;
    let f = app.fixtures;
    let token = app.login("school-a1").await;
    let created = app
        .create_student(
            &token,
            f.class_a1_6a,
            json!({
                "sectorCode": "3100000001",
                "fullName": "Phạm Thu Hà",
                "dateOfBirth": "12/03/2014",
                "gender": "Nữ",
                "personalId": "031314000123",
                "residence": {"province": "Hải Phòng", "district": "Ngô Quyền", "commune": "Lạch Tray"}
            }),
        )
        .await;
    let id = created["id"].as_i64().expect("id");
    assert_eq!(created["status"], "not_sent");
    assert_eq!(created["version"], 1);
    assert_eq!(created["className"], "6A");
    assert_eq!(created["canEdit"], true);

    let res = app
        .send(
            Method::PATCH,
            &format!("/api/v1/students/{id}"),
            Some(&token),
            Some(&json!({"fullName": "Phạm Thu Hằng", "gender": null, "version": 1, "allowWorse": true})),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["fullName"], "Phạm Thu Hằng");
    assert_eq!(res.body["gender"], Value::Null);
    assert_eq!(res.body["version"], 2);
    assert!(res.headers.contains_key("x-request-id"));
    let request_id = res.headers["x-request-id"].to_str().expect("id").to_owned();

    // Stale version → 409; nothing changed.
    let stale = app.patch(&format!("/api/v1/students/{id}"), &token, &json!({"fullName": "X", "version": 1})).await;
    stale.assert_problem(409, "version_conflict");

    // Moving to a class of the same school is allowed, to another school is not.
    let moved = app.patch(&format!("/api/v1/students/{id}"), &token, &json!({"classId": f.class_a1_6b})).await;
    assert_eq!(moved.status, 200, "{}", moved.text);
    assert_eq!(moved.body["className"], "6B");
    let away = app.patch(&format!("/api/v1/students/{id}"), &token, &json!({"classId": f.class_a2_7a})).await;
    away.assert_problem(404, "not_found");
    assert_eq!(away.body["errors"][0]["pointer"], "/classId");

    let history = app.get(&format!("/api/v1/students/{id}/history"), &token).await;
    assert_eq!(history.status, 200, "{}", history.text);
    let items = history.body["items"].as_array().expect("items");
    let changes: Vec<(String, Option<String>, Value, Value)> = items
        .iter()
        .filter(|e| e["action"] != "view_personal_id")
        .map(|e| {
            (
                e["action"].as_str().expect("action").to_owned(),
                e["field"].as_str().map(str::to_owned),
                e["oldValue"].clone(),
                e["newValue"].clone(),
            )
        })
        .collect();
    assert_eq!(changes[0], ("create".to_owned(), None, Value::Null, json!("student")));
    assert!(changes.contains(&(
        "create".to_owned(),
        Some("personalId".to_owned()),
        Value::Null,
        json!("031314000123")
    )));
    assert!(changes.contains(&(
        "update".to_owned(),
        Some("fullName".to_owned()),
        json!("Phạm Thu Hà"),
        json!("Phạm Thu Hằng")
    )));
    assert!(changes.contains(&("update".to_owned(), Some("gender".to_owned()), json!("Nữ"), Value::Null)));
    assert!(changes.contains(&(
        "update".to_owned(),
        Some("classId".to_owned()),
        json!(f.class_a1_6a.to_string()),
        json!(f.class_a1_6b.to_string())
    )));
    assert!(items.iter().all(|e| e["source"] == "manual" && e["actor"] == "school-a1"));
    assert!(items.iter().any(|e| e["requestId"] == request_id.as_str()), "audit rows carry the request id");

    // A district account may read but not change a school's record.
    let district = app.login("district-a").await;
    app.patch(&format!("/api/v1/students/{id}"), &district, &json!({"fullName": "X"}))
        .await
        .assert_problem(403, "forbidden");
    app.delete(&format!("/api/v1/students/{id}"), &district).await.assert_problem(403, "forbidden");
    let district_history = app.get(&format!("/api/v1/students/{id}/history"), &district).await;
    assert!(
        district_history.text.contains("0313******23"),
        "ID numbers are masked for readers: {}",
        district_history.text
    );
    assert!(!district_history.text.contains("031314000123"));

    let deleted = app.delete(&format!("/api/v1/students/{id}"), &token).await;
    assert_eq!(deleted.status, 204);
    app.get(&format!("/api/v1/students/{id}"), &token).await.assert_problem(404, "not_found");
    assert!(ids(&app.get("/api/v1/students", &token).await.body).is_empty());
    let after = app.get(&format!("/api/v1/students/{id}/history"), &token).await;
    assert_eq!(after.body["items"].as_array().expect("items").last().expect("last")["action"], "delete");

    // The education-sector code stays unique.
    let dup =
        app.post("/api/v1/students", &token, &json!({"classId": f.class_a1_6a, "sectorCode": "3100000001"})).await;
    dup.assert_problem(409, "conflict");
    assert_eq!(dup.body["errors"][0]["pointer"], "/sectorCode");
}

#[tokio::test]
async fn id_numbers_are_masked_everywhere_and_revealed_in_full_only_to_editors_with_a_record() {
    let app = spawn_app().await;
    let f = app.fixtures;
    let token = app.login("school-a1").await;
    let s = app
        .create_student(&token, f.class_a1_6a, json!({"fullName": "Vũ Đức Minh", "personalId": "031214001234"}))
        .await;
    let id = s["id"].as_i64().expect("id");

    let list = app.get("/api/v1/students", &token).await;
    let item = &list.body["items"][0];
    assert_eq!(item["personalId"], "0312******34");
    assert_eq!(item["personalIdMasked"], true);
    assert!(!list.text.contains("031214001234"), "no full number anywhere in a list: {}", list.text);

    // the record view masks too, even for the school that edits it; the reveal shows it
    let one = app.get(&format!("/api/v1/students/{id}"), &token).await;
    assert_eq!(one.body["personalId"], "0312******34");
    assert_eq!(one.body["personalIdMasked"], true);
    assert_eq!(one.body["canReveal"], true);
    assert!(!one.text.contains("031214001234"), "{}", one.text);
    let revealed = app.post(&format!("/api/v1/students/{id}/reveal"), &token, &json!({"fields": ["personalId"]})).await;
    assert_eq!(revealed.status, 200, "{}", revealed.text);
    assert_eq!(revealed.body["personalId"], "031214001234");
    let admin = app.login("department").await;
    let log = app.get(&format!("/api/v1/access-log?personId={id}"), &admin).await;
    assert_eq!(log.status, 200, "{}", log.text);
    let entry = &log.body["items"][0];
    assert_eq!((entry["action"].as_str(), entry["username"].as_str()), (Some("reveal"), Some("school-a1")));
    assert_eq!(entry["personIds"], json!([id]));

    let department = app.login("department").await;
    let read = app.get(&format!("/api/v1/students/{id}"), &department).await;
    assert_eq!(read.status, 200);
    assert_eq!(read.body["personalId"], "0312******34");
    assert_eq!(read.body["canEdit"], false);
    assert_eq!(read.body["canReveal"], false);
    app.post(&format!("/api/v1/students/{id}/reveal"), &department, &json!({"fields": ["personalId"]}))
        .await
        .assert_problem(403, "forbidden");
}

#[tokio::test]
async fn lists_filter_search_and_paginate_within_limits() {
    let app = spawn_app().await;
    let f = app.fixtures;
    let token = app.login("school-a1").await;
    for name in ["Nguyễn Văn An", "Trần Thị Bích", "Lê Hoàng Long", "Đặng Thuỳ Dương", "Ngô Bảo Châu"]
    {
        app.create_student(&token, f.class_a1_6a, json!({"fullName": name})).await;
    }
    app.create_student(&token, f.class_a1_6b, json!({"fullName": "Bùi Gia Huy"})).await;

    let page = app.get("/api/v1/students?pageSize=2&page=2", &token).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert_eq!(page.body["total"], 6);
    assert_eq!(page.body["items"].as_array().expect("items").len(), 2);
    // Sorted by class, then given name (the last word), as class lists are in Vietnam.
    let all = app.get("/api/v1/students", &token).await;
    let names: Vec<&str> =
        all.body["items"].as_array().expect("items").iter().filter_map(|p| p["fullName"].as_str()).collect();
    assert_eq!(
        names,
        vec!["Nguyễn Văn An", "Trần Thị Bích", "Ngô Bảo Châu", "Đặng Thuỳ Dương", "Lê Hoàng Long", "Bùi Gia Huy"]
    );

    let search = app.get("/api/v1/students?q=dang%20thuy", &token).await;
    assert_eq!(search.body["total"], 1, "{}", search.text);
    let search = app.get("/api/v1/students?q=CH%C3%82U", &token).await;
    assert_eq!(search.body["items"][0]["fullName"], "Ngô Bảo Châu");
    let by_class = app.get(&format!("/api/v1/students?classId={}", f.class_a1_6b), &token).await;
    assert_eq!(by_class.body["total"], 1);
    let by_status = app.get("/api/v1/students?status=verified", &token).await;
    assert_eq!(by_status.body["total"], 0);

    app.get("/api/v1/students?pageSize=501", &token).await.assert_problem(422, "validation_failed");
    app.get("/api/v1/students?pageSize=0", &token).await.assert_problem(422, "validation_failed");
    app.get("/api/v1/students?page=0", &token).await.assert_problem(422, "validation_failed");
    let max = app.get("/api/v1/students?pageSize=500", &token).await;
    assert_eq!(max.status, 200);
    app.get("/api/v1/students?status=bogus", &token).await.assert_problem(400, "invalid_query");
    app.get("/api/v1/students?pageSize=abc", &token).await.assert_problem(400, "invalid_query");
    let bad_code = app.get("/api/v1/students?findingCode=nope", &token).await;
    bad_code.assert_problem(422, "validation_failed");
    assert_eq!(bad_code.body["errors"][0]["pointer"], "findingCode");
    let missing_id = app.get("/api/v1/students?findingCode=id_missing", &token).await;
    assert_eq!(missing_id.body["total"], 6, "stored findings are filterable: {}", missing_id.text);
}

#[tokio::test]
async fn bad_requests_answer_problem_json() {
    let app = spawn_app().await;
    let token = app.login("school-a1").await;
    let res = app
        .client
        .post(app.url("/api/v1/students"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), 400);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["code"], "invalid_json");

    let wrong_type = app.post("/api/v1/students", &token, &json!({"classId": "sáu"})).await;
    wrong_type.assert_problem(422, "validation_failed");
    let too_long = app
        .post("/api/v1/students", &token, &json!({"classId": app.fixtures.class_a1_6a, "fullName": "A".repeat(300)}))
        .await;
    too_long.assert_problem(422, "validation_failed");
    assert_eq!(too_long.body["errors"][0]["pointer"], "/fullName");
    // an id in a body that names nothing the caller sees answers as one in a path does
    let other_school = app.post("/api/v1/students", &token, &json!({"classId": app.fixtures.class_a2_7a})).await;
    other_school.assert_problem(404, "not_found");
    assert_eq!(other_school.body["errors"][0]["pointer"], "/classId");

    let huge = app
        .client
        .post(app.url("/api/v1/students"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(format!("{{\"classId\": 1, \"fullName\": \"{}\"}}", "x".repeat(5 * 1024 * 1024)))
        .send()
        .await
        .expect("send");
    assert_eq!(huge.status(), 413);

    app.get("/api/v1/no-such-thing", &token).await.assert_problem(404, "not_found");
}

#[tokio::test]
async fn staff_are_records_of_their_own_unit() {
    let app = spawn_app().await;
    let f = app.fixtures;
    let school = app.login("school-a1").await;
    let res = app
        .post(
            "/api/v1/staff",
            &school,
            &json!({"position": "teacher", "fullName": "Đỗ Thị Lan", "personalId": "031185000777"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["kind"], "staff");
    assert_eq!(res.body["position"], "teacher");
    assert_eq!(res.body["unitId"], f.school_a1);
    let staff_id = res.body["id"].as_i64().expect("id");
    // A school cannot add staff to another unit, a district can add its own.
    let elsewhere = app.post("/api/v1/staff", &school, &json!({"unitId": f.school_b1, "fullName": "X"})).await;
    elsewhere.assert_problem(404, "not_found");
    assert_eq!(elsewhere.body["errors"][0]["pointer"], "/unitId");
    let district = app.login("district-a").await;
    let own = app.post("/api/v1/staff", &district, &json!({"position": "manager", "fullName": "Hoàng Văn Tú"})).await;
    assert_eq!(own.status, 201, "{}", own.text);
    let list = app.get("/api/v1/staff", &district).await;
    assert_eq!(list.body["total"], 2);
    assert!(ids(&app.get("/api/v1/students", &district).await.body).is_empty(), "staff are not students");
    let patched = app.patch(&format!("/api/v1/staff/{staff_id}"), &school, &json!({"position": "manager"})).await;
    assert_eq!(patched.body["position"], "manager");
    let student_position = app.create_student(&school, f.class_a1_6a, json!({"fullName": "Hà Anh"})).await;
    let sid = student_position["id"].as_i64().expect("id");
    app.patch(&format!("/api/v1/students/{sid}"), &school, &json!({"position": "teacher"}))
        .await
        .assert_problem(422, "validation_failed");
}

#[tokio::test]
async fn openapi_lists_every_route_and_docs_are_served_offline() {
    let app = spawn_app().await;
    let res = app.client.get(app.url("/api/openapi.json")).send().await.expect("send");
    assert_eq!(res.status(), 200);
    let doc: Value = res.json().await.expect("json");
    let paths = doc["paths"].as_object().expect("paths");
    let expected = [
        ("/api/v1/auth/login", "post"),
        ("/api/v1/me", "get"),
        ("/api/v1/units", "get"),
        ("/api/v1/units/{id}", "get"),
        ("/api/v1/classes", "get"),
        ("/api/v1/classes/{id}", "get"),
        ("/api/v1/students", "get"),
        ("/api/v1/students", "post"),
        ("/api/v1/students/{id}", "get"),
        ("/api/v1/students/{id}", "patch"),
        ("/api/v1/students/{id}", "delete"),
        ("/api/v1/students/{id}/history", "get"),
        ("/api/v1/staff", "get"),
        ("/api/v1/staff", "post"),
        ("/api/v1/staff/{id}", "get"),
        ("/api/v1/staff/{id}", "patch"),
        ("/api/v1/staff/{id}", "delete"),
        ("/api/v1/staff/{id}/history", "get"),
        ("/health", "get"),
    ];
    for (path, method) in expected {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path} missing from the OpenAPI document"
        );
    }
    // Every documented operation has an id, a tag and documented responses.
    for (path, item) in paths {
        for (method, op) in item.as_object().expect("item") {
            assert!(op["operationId"].is_string(), "{method} {path}: operationId");
            assert!(op["tags"].is_array(), "{method} {path}: tags");
            assert!(op["responses"].as_object().is_some_and(|r| !r.is_empty()), "{method} {path}: responses");
        }
    }
    // The document served equals the one the code generates.
    assert_eq!(doc, serde_json::to_value(dinhdanh::routes::openapi()).expect("json"));

    let docs = app.client.get(app.url("/api/docs/")).send().await.expect("send");
    assert_eq!(docs.status(), 200);
    assert!(docs.text().await.expect("text").contains("swagger-ui"));
    let js = app.client.get(app.url("/api/docs/swagger-ui-bundle.js")).send().await.expect("send");
    assert_eq!(js.status(), 200, "Swagger UI assets are vendored");
}

#[tokio::test]
async fn health_request_ids_and_security_headers() {
    let app = spawn_app().await;
    let res = app.client.get(app.url("/health")).header("x-request-id", "abc-123").send().await.expect("send");
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["x-request-id"], "abc-123", "a well-formed incoming id is kept");
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    assert_eq!(res.headers()["x-frame-options"], "DENY");
    assert!(res.headers()["content-security-policy"].to_str().expect("csp").contains("frame-ancestors 'none'"));
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["status"], "ok");
    assert_eq!(body["database"], "ok");

    let other =
        app.client.get(app.url("/health")).header("x-request-id", "bad id with spaces").send().await.expect("send");
    let generated = other.headers()["x-request-id"].to_str().expect("id");
    assert_eq!(generated.len(), 32, "a fresh id replaces a malformed one");

    // The SPA (or the page saying how to build it) answers any other path, with history fallback.
    let page = app.client.get(app.url("/lop/6a/hoc-sinh")).send().await.expect("send");
    assert_eq!(page.status(), 200);
    assert!(page.headers()["content-type"].to_str().expect("ct").starts_with("text/html"));

    // CORS is closed by default: no allow-origin header for a foreign origin.
    let cors = app
        .client
        .request(Method::OPTIONS, app.url("/api/v1/students"))
        .header("origin", "https://evil.example")
        .header("access-control-request-method", "GET")
        .send()
        .await
        .expect("send");
    assert!(!cors.headers().contains_key("access-control-allow-origin"));
}

#[tokio::test]
async fn configured_cors_origins_are_allowed() {
    let app =
        dinhdanh_tests::spawn_app_with(|s| s.cors_allowed_origins = vec!["https://so.haiphong.edu.vn".to_owned()])
            .await;
    let res = app
        .client
        .request(Method::OPTIONS, app.url("/api/v1/students"))
        .header("origin", "https://so.haiphong.edu.vn")
        .header("access-control-request-method", "GET")
        .send()
        .await
        .expect("send");
    assert_eq!(res.headers()["access-control-allow-origin"], "https://so.haiphong.edu.vn");
}

/// The schema as the database's catalogue describes it: one line per table, column (type,
/// nullability, default, key) and index (uniqueness, columns), sorted.
async fn schema(conn: &sea_orm::DatabaseConnection) -> Vec<String> {
    use sea_orm::{ConnectionTrait, DatabaseBackend, Statement};
    let backend = conn.get_database_backend();
    let queries: &[&str] = match backend {
        DatabaseBackend::Postgres => &[
            "SELECT 'table ' || table_name FROM information_schema.tables WHERE table_schema = 'public'",
            "SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' nullable=' || is_nullable \
             || ' default=' || COALESCE(column_default, '-') FROM information_schema.columns WHERE table_schema = 'public'",
            "SELECT 'index ' || tablename || ' ' || indexname || ' ' || indexdef FROM pg_indexes WHERE schemaname = 'public'",
            "SELECT 'constraint ' || tc.table_name || ' ' || tc.constraint_type || ' ' || kcu.column_name \
             FROM information_schema.table_constraints tc JOIN information_schema.key_column_usage kcu \
             ON tc.constraint_name = kcu.constraint_name AND tc.table_name = kcu.table_name \
             WHERE tc.table_schema = 'public'",
        ],
        _ => &[
            "SELECT 'table ' || name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
            "SELECT 'column ' || m.name || '.' || p.name || ' ' || p.type || ' notnull=' || p.\"notnull\" \
             || ' default=' || COALESCE(p.dflt_value, '-') || ' pk=' || p.pk \
             FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'",
            "SELECT 'index ' || m.name || ' ' || il.name || ' unique=' || il.\"unique\" || ' ' || ii.seqno || ':' || \
             COALESCE(ii.name, '<expr>') FROM sqlite_master m JOIN pragma_index_list(m.name) il \
             JOIN pragma_index_info(il.name) ii WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'",
            "SELECT 'foreign ' || m.name || '.' || f.\"from\" || ' -> ' || f.\"table\" || '.' || f.\"to\" \
             || ' on delete ' || f.on_delete FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f \
             WHERE m.type = 'table'",
        ],
    };
    let mut lines = Vec::new();
    for sql in queries {
        for row in conn.query_all_raw(Statement::from_string(backend, *sql)).await.expect("catalogue") {
            lines.push(row.try_get_by_index::<String>(0).expect("text"));
        }
    }
    lines.sort();
    lines
}

#[tokio::test]
async fn migrations_go_down_and_up_again_to_the_same_schema() {
    use migration::{Migrator, MigratorTrait};
    let db = dinhdanh_tests::TestDb::fresh().await;
    let conn = sea_orm::Database::connect(&db.url).await.expect("connect");
    Migrator::up(&conn, None).await.expect("up");
    let first = schema(&conn).await;
    assert!(first.iter().any(|l| l == "table people"), "{first:#?}");
    assert!(first.iter().any(|l| l.starts_with("index people ")), "{first:#?}");
    Migrator::down(&conn, None).await.expect("down");
    // Down removes everything up made: only the migrations' own bookkeeping is left.
    let left: Vec<String> = schema(&conn).await.into_iter().filter(|l| !l.contains("seaql_migrations")).collect();
    assert!(left.is_empty(), "left behind by down: {left:#?}");
    Migrator::up(&conn, None).await.expect("up again");
    let again = schema(&conn).await;
    assert_eq!(first, again, "the schema after up, down, up differs from the first up");
    conn.close().await.ok();
}

#[tokio::test]
async fn the_server_refuses_to_start_without_a_secret_unless_in_demo_mode() {
    let db = dinhdanh_tests::TestDb::fresh().await;
    let mut settings = dinhdanh_tests::test_settings(&db.url);
    settings.jwt_secret = None;
    let err = dinhdanh::startup::Application::build(settings).await.err().expect("refused");
    assert!(err.to_string().contains("APP_JWT_SECRET"), "{err}");
}

#[tokio::test]
async fn the_server_refuses_to_start_with_unusable_personal_data_keys() {
    let db = dinhdanh_tests::TestDb::fresh().await;
    type Adjust = Box<dyn Fn(&mut dinhdanh::config::Settings)>;
    let cases: Vec<(Adjust, &str)> = vec![
        (Box::new(|s| s.index_key = None), "APP_INDEX_KEY"),
        (Box::new(|s| s.data_keys = None), "APP_DATA_KEYS"),
        (Box::new(|s| s.data_keys_file = Some("/nonexistent/dinhdanh/data-keys".into())), "not both"),
        (
            Box::new(|s| {
                s.data_keys = None;
                s.data_keys_file = Some("/nonexistent/dinhdanh/data-keys".into());
            }),
            "data_keys_file (/nonexistent/dinhdanh/data-keys): cannot read",
        ),
    ];
    for (adjust, needle) in cases {
        let mut settings = dinhdanh_tests::test_settings(&db.url);
        adjust(&mut settings);
        let err = dinhdanh::startup::Application::build(settings).await.err().expect("refused");
        assert!(err.to_string().contains(needle), "{needle}: {err}");
    }
    // The configured keys reach the handlers' state…
    let app = dinhdanh::startup::Application::build(dinhdanh_tests::test_settings(&db.url)).await.expect("starts");
    let keys = app.state.keys.clone().expect("keys loaded");
    let aad = dinhdanh::crypto::Aad::new("people", "personal_id", 1);
    let sealed = keys.encrypt(&aad, "031215000001").expect("encrypts");
    assert_eq!(keys.decrypt(&aad, &sealed).as_deref(), Ok("031215000001"));
    // …and no keys at all is allowed on a database that holds no encrypted value (it stores in
    // clear; `sealing::a_database_holding_encrypted_values_…` checks the refusal).
    let mut settings = dinhdanh_tests::test_settings(&db.url);
    settings.data_keys = None;
    settings.index_key = None;
    let app = dinhdanh::startup::Application::build(settings).await.expect("starts without keys");
    assert!(app.state.keys.is_none());
}

/// A name search matches the folded text anywhere in the folded name, with three words or more
/// as with fewer: on PostgreSQL those go through the index of the names' word pairs
/// (`migration::NAME_PAIRS`), and must find what the substring finds.

#[tokio::test]
async fn a_search_pages_through_its_matches_in_the_lists_order_with_their_count() {
    let app = spawn_app().await;
    let f = app.fixtures;
    let (a1, a2) = (app.login("school-a1").await, app.login("school-a2").await);
    // matches in two schools and three classes, entered out of order; two others that do not match
    for (token, class, name) in [
        (&a2, f.class_a2_7a, "Phạm Thị Hoa"),
        (&a1, f.class_a1_6b, "Vũ Thị Hoa"),
        (&a1, f.class_a1_6a, "Nguyễn Thị Hoa"),
        (&a1, f.class_a1_6b, "Đỗ Thị Hoà"),
        (&a1, f.class_a1_6a, "Bùi Thị Hoa"),
        (&a2, f.class_a2_7a, "Lý Thị Hoa"),
        (&a1, f.class_a1_6a, "Trần Văn Nam"),
        (&a2, f.class_a2_7a, "Hoàng Văn Hùng"),
        (&a1, f.class_a1_6b, "Cao Thị Hoa"),
    ] {
        app.create_student(token, class, json!({"fullName": name})).await;
    }
    let district = app.login("district-a").await;
    let names = |res: &dinhdanh_tests::Answer| -> Vec<String> {
        res.body["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|p| p["fullName"].as_str().expect("name").to_owned())
            .collect()
    };
    for q in ["thi hoa", "nguyen thi hoa", "t"] {
        let whole = app.get(&format!("/api/v1/students?q={q}&pageSize=100"), &district).await;
        assert_eq!(whole.status, 200, "{}", whole.text);
        let all = names(&whole);
        let total = whole.body["total"].as_u64().expect("total");
        assert_eq!(total, all.len() as u64, "q={q}");
        // the whole list's order: school, grade, class, then the name's sort key
        let units: Vec<i64> = whole.body["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|p| p["unitId"].as_i64().expect("unit"))
            .collect();
        assert!(units.windows(2).all(|w| w[0] <= w[1]), "q={q}: {units:?}");
        let mut paged = Vec::new();
        for page in 1..=all.len().div_ceil(2) + 1 {
            let res = app.get(&format!("/api/v1/students?q={q}&pageSize=2&page={page}"), &district).await;
            assert_eq!(res.status, 200, "{}", res.text);
            assert_eq!(res.body["total"], total, "q={q}, page {page}: the count on every page, past the end too");
            paged.extend(names(&res));
        }
        assert_eq!(paged, all, "q={q}: pages of two read the whole list in its order");
    }
    let whole = app.get("/api/v1/students?q=thi%20hoa&pageSize=100", &district).await;
    let places: Vec<(i64, i64, String)> = whole.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|p| {
            let class = p["className"].as_str().expect("class").to_owned();
            (p["unitId"].as_i64().expect("unit"), p["grade"].as_i64().expect("grade"), class)
        })
        .collect();
    assert_eq!(places.len(), 7, "{}", whole.text);
    assert!(places.windows(2).all(|w| w[0] <= w[1]), "by school, grade, then class: {places:?}");
}

#[tokio::test]
async fn a_name_search_of_any_number_of_words_matches_any_part_of_the_name() {
    let app = spawn_app().await;
    let f = app.fixtures;
    let token = app.login("school-a1").await;
    for name in ["Nguyễn Thị Hoa", "Nguyễn Thị Hoàng Anh", "Trần Thị Hoa", "Nguyễn Văn Hoa", "Lê Thị Hoà Bình"]
    {
        app.create_student(&token, f.class_a1_6a, json!({"fullName": name})).await;
    }
    let cases: &[(&str, &[&str])] = &[
        ("nguyen thi hoa", &["Nguyễn Thị Hoa", "Nguyễn Thị Hoàng Anh"]),
        ("uyen thi ho", &["Nguyễn Thị Hoa", "Nguyễn Thị Hoàng Anh"]),
        ("n thi hoa", &["Nguyễn Thị Hoa", "Nguyễn Thị Hoàng Anh", "Trần Thị Hoa"]),
        ("thi hoa", &["Nguyễn Thị Hoa", "Nguyễn Thị Hoàng Anh", "Trần Thị Hoa", "Lê Thị Hoà Bình"]),
        ("Thị Hoà Bình", &["Lê Thị Hoà Bình"]),
        ("LE  THI   HOA B", &["Lê Thị Hoà Bình"]),
        ("guyen van ho", &["Nguyễn Văn Hoa"]),
        ("nguyen thi hoang anh", &["Nguyễn Thị Hoàng Anh"]),
        ("thi hoa binh x", &[]),
        ("nguyen hoa thi", &[]),
        ("o'neil thi hoa", &[]),
    ];
    for (q, want) in cases {
        let res = app.get(&format!("/api/v1/students?q={q}"), &token).await;
        assert_eq!(res.status, 200, "{q}: {}", res.text);
        let mut got: Vec<&str> =
            res.body["items"].as_array().expect("items").iter().filter_map(|p| p["fullName"].as_str()).collect();
        got.sort_unstable();
        let mut want = want.to_vec();
        want.sort_unstable();
        assert_eq!(got, want, "q={q}");
        assert_eq!(res.body["total"], want.len(), "q={q}");
    }

    // PostgreSQL: the pairs asked of a search of three words are read from the index (asked
    // with sequential scans off, as a small table is read whole anyway)
    use sea_orm::{ConnectionTrait, Statement, TransactionTrait};
    let db = &app.store.db;
    if db.get_database_backend() == sea_orm::DbBackend::Postgres {
        let txn = db.begin().await.expect("begin");
        txn.execute_unprepared("SET LOCAL enable_seqscan = off").await.expect("set");
        let sql = format!(
            "EXPLAIN SELECT id FROM people WHERE {} @@ CAST('''thi hoa'':*' AS tsquery)",
            migration::NAME_PAIRS
        );
        let rows = txn.query_all_raw(Statement::from_string(sea_orm::DbBackend::Postgres, sql)).await.expect("plan");
        let plan: Vec<String> = rows.iter().map(|r| r.try_get::<String>("", "QUERY PLAN").expect("line")).collect();
        assert!(plan.iter().any(|l| l.contains("ix_people_name_pairs")), "{plan:#?}");
        drop(txn);
        // and every session plans for the values it is given, without JIT
        for (name, value) in dinhdanh::db::POSTGRES_SESSION {
            let row = db
                .query_one_raw(Statement::from_string(sea_orm::DbBackend::Postgres, format!("SHOW {name}")))
                .await
                .expect("show")
                .expect("row");
            assert_eq!(row.try_get::<String>("", name).expect("setting"), value);
        }
    }
}
