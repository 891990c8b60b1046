//! The server reads and answers as `openapi/openapi.json` says (what schemathesis found against
//! it, issue 12; `make schemathesis` runs the tool itself): JSON bodies by JSON Schema's data
//! model, patch bodies closed to fields their route does not take, a filter by a value no record
//! has, and 405 where a path also fits a parameterised route.

use dinhdanh_tests::{TestApp, spawn_app};
use serde_json::json;

async fn first_student(app: &TestApp, token: &str) -> i64 {
    let body = json!({"classId": app.fixtures.class_a1_6a, "fullName": "Nguyễn Văn An"});
    let res = app.post("/api/v1/students", token, &body).await;
    assert_eq!(res.status, 201, "{}", res.text);
    res.body["id"].as_i64().expect("id")
}

#[tokio::test]
async fn json_bodies_are_read_by_json_schemas_data_model() {
    let app = spawn_app().await;
    let token = app.login("school-a1").await;
    let id = first_student(&app, &token).await;
    // an integral number written with a fraction is an integer (`"type": "integer"` takes it)
    let body = json!({"kind": "student", "personIds": [id as f64], "dryRun": true});
    let res = app.post("/api/v1/verification/awaiting-evidence", &token, &body).await;
    assert_eq!(res.status, 200, "{}", res.text);
    let left = res.body["notChanged"].as_array().cloned().unwrap_or_default();
    assert!(
        res.body["personIds"] == json!([id]) || left.iter().any(|n| n["personId"] == id),
        "the record itself was considered: {}",
        res.text
    );
    // a fraction is not
    let body = json!({"kind": "student", "personIds": [id as f64 + 0.5], "dryRun": true});
    app.post("/api/v1/verification/awaiting-evidence", &token, &body).await.assert_problem(422, "validation_failed");
    // an object is an object: an array of its fields in order is not one (serde's default)
    for body in [json!([null, null]), json!([{"classId": 1}]), json!("scope")] {
        let res = app.post("/api/v1/verification-jobs", &token, &body).await;
        res.assert_problem(422, "validation_failed");
    }
    let res = app.post("/api/v1/fixes", &token, &json!({"dryRun": true, "findingCode": ["name_case"]})).await;
    res.assert_problem(422, "validation_failed");
}

#[tokio::test]
async fn a_patch_takes_the_fields_of_its_route_only() {
    let app = spawn_app().await;
    let token = app.login("school-a1").await;
    let student = first_student(&app, &token).await;
    let staff = app.post("/api/v1/staff", &token, &json!({"fullName": "Hoàng Văn Tú", "position": "teacher"})).await;
    assert_eq!(staff.status, 201, "{}", staff.text);
    let staff = staff.body["id"].as_i64().expect("id");
    let f = app.fixtures;
    for (path, body) in [
        (format!("/api/v1/students/{student}"), json!({"position": "teacher"})),
        (format!("/api/v1/staff/{staff}"), json!({"classId": f.class_a1_6b})),
        (format!("/api/v1/students/{student}"), json!({"nickname": "Tí"})),
        (format!("/api/v1/staff/{staff}"), json!({"residence": {"province": "Hải Phòng", "ward": "1"}})),
    ] {
        app.patch(&path, &token, &body).await.assert_problem(422, "validation_failed");
    }
    let moved = app.patch(&format!("/api/v1/students/{student}"), &token, &json!({"classId": f.class_a1_6b})).await;
    assert_eq!(moved.status, 200, "{}", moved.text);
    let promoted = app.patch(&format!("/api/v1/staff/{staff}"), &token, &json!({"position": "manager"})).await;
    assert_eq!(promoted.status, 200, "{}", promoted.text);
}

#[tokio::test]
async fn a_school_year_no_class_has_finds_no_class() {
    let app = spawn_app().await;
    let token = app.login("school-a1").await;
    let all = app.get("/api/v1/classes?schoolYear=all", &token).await;
    assert!(all.body["items"].as_array().is_some_and(|a| !a.is_empty()), "{}", all.text);
    for year in ["2031-2032", "0000-0000", "2025-2027"] {
        let res = app.get(&format!("/api/v1/classes?schoolYear={year}"), &token).await;
        assert_eq!((res.status, res.body["items"].clone()), (200, json!([])), "{year}: {}", res.text);
    }
    for year in ["2025", "2025/2026", "hai-nghin"] {
        app.get(&format!("/api/v1/classes?schoolYear={year}"), &token).await.assert_problem(422, "validation_failed");
    }
}

#[tokio::test]
async fn a_fixed_path_beside_a_parameterised_one_answers_405_for_a_method_it_does_not_take() {
    let app = spawn_app().await;
    let token = app.login("department").await;
    for path in ["/api/v1/units/import", "/api/v1/users/bulk"] {
        let res = app.send(reqwest::Method::PATCH, path, Some(&token), Some(&json!({}))).await;
        res.assert_problem(405, "method_not_allowed");
        assert_eq!(res.headers.get("allow").and_then(|v| v.to_str().ok()), Some("POST"), "{path}");
    }
    // an id that does not parse where the route takes the method is still a missing record
    let res = app.send(reqwest::Method::PATCH, "/api/v1/units/abc", Some(&token), Some(&json!({}))).await;
    res.assert_problem(404, "not_found");
}
