//! Transfers (issue 10, item 5): the same record moves with its status and history, the sending
//! school keeps a read-only trace, rights follow the roles table, a record leaving the province
//! is closed with the reason, and the statistics stay equal to a recount.

use dinhdanh_tests::{TestApp, spawn_app};
use serde_json::{Value, json};

async fn totals(app: &TestApp, token: &str, unit: i64, population: &str) -> (i64, Vec<(i64, i64)>) {
    let res = app.get(&format!("/api/v1/stats/progress?unitId={unit}&population={population}"), token).await;
    assert_eq!(res.status, 200, "{}", res.text);
    let children = res.body["children"]
        .as_array()
        .map(|c| {
            c.iter()
                .map(|c| (c["unit"]["id"].as_i64().unwrap_or(0), c["counters"]["total"].as_i64().unwrap_or(0)))
                .collect()
        })
        .unwrap_or_default();
    (res.body["counters"]["total"].as_i64().expect("total"), children)
}

fn of(children: &[(i64, i64)], unit: i64) -> i64 {
    children.iter().find(|(u, _)| *u == unit).map(|(_, n)| *n).unwrap_or(0)
}

async fn no_drift(app: &TestApp) {
    let drift = dinhdanh::store::counters::drift(&app.store.db).await.expect("drift");
    assert!(drift.is_empty(), "{drift:?}");
}

#[tokio::test]
async fn a_student_moves_with_its_status_and_history_and_the_sender_keeps_a_trace() {
    let app = spawn_app().await;
    let f = app.fixtures;
    let a1 = app.login("school-a1").await;
    let a2 = app.login("school-a2").await;
    let district = app.login("district-a").await;
    let dept = app.login("department").await;
    let id = app.create_student(&a1, f.class_a1_6a, json!({"fullName": "Trịnh Văn Chuyển"})).await["id"]
        .as_i64()
        .expect("id");
    app.create_student(&a1, f.class_a1_6a, json!({"fullName": "Lý Thị Ở"})).await;
    app.set_status(id, "verified", &[]).await;
    let (dept_before, _) = totals(&app, &dept, f.department, "students").await;
    let (district_before, schools_before) = totals(&app, &district, f.district_a, "students").await;

    // the receiving class must be the receiving school's
    let wrong = json!({"toUnitId": f.school_a2, "toClassId": f.class_a1_6b, "reason": "chuyển trường"});
    app.post(&format!("/api/v1/students/{id}/transfer"), &a1, &wrong).await.assert_problem(422, "validation_failed");
    let blank = json!({"toUnitId": f.school_a2, "reason": ""});
    app.post(&format!("/api/v1/students/{id}/transfer"), &a1, &blank).await.assert_problem(422, "validation_failed");
    let to_office = json!({"toUnitId": f.district_a, "reason": "chuyển trường"});
    app.post(&format!("/api/v1/students/{id}/transfer"), &a1, &to_office)
        .await
        .assert_problem(422, "validation_failed");
    // another school cannot send it; the school sends it out
    let body = json!({"toUnitId": f.school_a2, "toClassId": f.class_a2_7a, "reason": "chuyển trường theo gia đình"});
    app.post(&format!("/api/v1/students/{id}/transfer"), &a2, &body).await.assert_problem(404, "not_found");
    let moved = app.post(&format!("/api/v1/students/{id}/transfer"), &a1, &body).await;
    assert_eq!(moved.status, 200, "{}", moved.text);
    assert_eq!(moved.body["personId"], id);

    // the same record at the receiving school, with its status and its history
    let there = app.get(&format!("/api/v1/students/{id}"), &a2).await;
    assert_eq!(there.status, 200, "{}", there.text);
    assert_eq!((there.body["id"].clone(), there.body["status"].clone()), (json!(id), json!("verified")));
    assert_eq!(there.body["classId"], f.class_a2_7a);
    let history = app.get(&format!("/api/v1/students/{id}/history"), &a2).await;
    assert!(history.text.contains("chuyển trường theo gia đình"), "{}", history.text);
    assert!(history.text.contains("\"create\""), "the history before the move comes along: {}", history.text);
    // the sender no longer reads it, but keeps the trace
    app.get(&format!("/api/v1/students/{id}"), &a1).await.assert_problem(404, "not_found");
    let trace = app.get("/api/v1/transfers", &a1).await;
    let items = trace.body["items"].as_array().expect("items");
    assert_eq!(items.len(), 1, "{}", trace.text);
    assert_eq!(
        (items[0]["fromUnitId"].clone(), items[0]["toUnitId"].clone()),
        (json!(f.school_a1), json!(f.school_a2))
    );
    assert_eq!(items[0]["fullName"], "Trịnh Văn Chuyển");

    // statistics: the district's total unchanged, one school fewer, the other one more
    let (district_after, schools_after) = totals(&app, &district, f.district_a, "students").await;
    assert_eq!(district_after, district_before);
    assert_eq!(of(&schools_after, f.school_a1), of(&schools_before, f.school_a1) - 1);
    assert_eq!(of(&schools_after, f.school_a2), of(&schools_before, f.school_a2) + 1);
    no_drift(&app).await;

    // a district moves between its own schools only; the Department anywhere
    let back = json!({"toUnitId": f.school_a1, "reason": "về trường cũ"});
    assert_eq!(app.post(&format!("/api/v1/students/{id}/transfer"), &district, &back).await.status, 200);
    let away = json!({"toUnitId": f.school_b1, "reason": "chuyển trường"});
    app.post(&format!("/api/v1/students/{id}/transfer"), &district, &away).await.assert_problem(403, "forbidden");
    assert_eq!(app.post(&format!("/api/v1/students/{id}/transfer"), &dept, &away).await.status, 200);
    let (dept_after, _) = totals(&app, &dept, f.department, "students").await;
    assert_eq!(dept_after, dept_before, "moves within the province change no province total");

    // leaving the province closes the record with the reason
    let b1 = app.login("school-b1").await;
    let leave = json!({"reason": "chuyển ra ngoài tỉnh"});
    let closed = app.post(&format!("/api/v1/students/{id}/transfer"), &b1, &leave).await;
    assert_eq!(closed.status, 200, "{}", closed.text);
    assert_eq!(closed.body["toUnitId"], Value::Null);
    app.get(&format!("/api/v1/students/{id}"), &b1).await.assert_problem(404, "not_found");
    let (dept_left, _) = totals(&app, &dept, f.department, "students").await;
    assert_eq!(dept_left, dept_before - 1);
    no_drift(&app).await;
    let all = app.get(&format!("/api/v1/transfers?unitId={}", f.department), &dept).await;
    assert_eq!(all.body["items"].as_array().map(Vec::len), Some(4), "{}", all.text);
}

#[tokio::test]
async fn staff_move_to_another_unit_or_leave_with_the_reason() {
    let app = spawn_app().await;
    let f = app.fixtures;
    let a1 = app.login("school-a1").await;
    let district = app.login("district-a").await;
    let id =
        app.create_staff(&a1, Some(f.school_a1), json!({"fullName": "Hà Văn Công"})).await["id"].as_i64().expect("id");
    let (before, _) = totals(&app, &district, f.district_a, "staff").await;
    let body = json!({"toUnitId": f.district_a, "reason": "chuyển công tác"});
    let moved = app.post(&format!("/api/v1/staff/{id}/transfer"), &a1, &body).await;
    assert_eq!(moved.status, 200, "{}", moved.text);
    let there = app.get(&format!("/api/v1/staff/{id}"), &district).await;
    assert_eq!(there.body["unitId"], f.district_a, "{}", there.text);
    app.post(
        &format!("/api/v1/staff/{id}/transfer"),
        &district,
        &json!({"toUnitId": f.school_a2, "toClassId": f.class_a2_7a, "reason": "x"}),
    )
    .await
    .assert_problem(422, "validation_failed");
    let retired = app.post(&format!("/api/v1/staff/{id}/transfer"), &district, &json!({"reason": "nghỉ hưu"})).await;
    assert_eq!(retired.status, 200, "{}", retired.text);
    let (after, _) = totals(&app, &district, f.district_a, "staff").await;
    assert_eq!(after, before - 1);
    no_drift(&app).await;
}

#[tokio::test]
async fn a_school_clerk_finds_any_school_of_the_province_to_send_a_student_to() {
    let app = spawn_app().await;
    let f = &app.fixtures;
    let clerk = app.login("school-a1").await;
    // /units shows the clerk only their school; the destinations are the whole province's
    let ids = |res: &dinhdanh_tests::Answer| -> Vec<i64> {
        res.body["items"].as_array().expect("items").iter().filter_map(|u| u["id"].as_i64()).collect()
    };
    let schools = app.get("/api/v1/transfer-destinations", &clerk).await;
    assert_eq!(schools.status, 200, "{}", schools.text);
    let found = ids(&schools);
    assert!(found.contains(&f.school_a2) && found.contains(&f.school_b1), "{found:?}");
    assert!(!found.contains(&f.school_a1), "not its own school");
    assert!(!found.contains(&f.district_a) && !found.contains(&f.department), "students go to schools");
    assert!(schools.body["items"][0]["parentName"].is_string(), "{}", schools.text);
    // staff may also go to an office
    let any = ids(&app.get("/api/v1/transfer-destinations?kind=any", &clerk).await);
    assert!(any.contains(&f.district_a) && any.contains(&f.school_b1), "{any:?}");
    // a few letters of the name, diacritics optional, or of the code
    let b1 = app.get(&format!("/api/v1/units/{}", f.school_b1), &app.login("department").await).await;
    let name = b1.body["name"].as_str().expect("name").to_owned();
    let last = dinhdanh::domain::text::fold_ascii(name.split(' ').next_back().expect("word"));
    let by_name = ids(&app.get(&format!("/api/v1/transfer-destinations?q={last}"), &clerk).await);
    assert!(by_name.contains(&f.school_b1), "{last}: {by_name:?}");
    let code = b1.body["code"].as_str().expect("code").to_owned();
    assert_eq!(ids(&app.get(&format!("/api/v1/transfer-destinations?q={code}"), &clerk).await), vec![f.school_b1]);
    app.get("/api/v1/transfer-destinations?limit=0", &clerk).await.assert_problem(422, "validation_failed");
}
