//! School years and classes (issue 10, item 4): classes created and changed by their school,
//! read by the offices above it; the year rollover previewed and committed from 1 June, with
//! students kept back, the final grade graduating, counters equal to a recount, every change
//! audited.

use chrono::{TimeZone, Utc};
use dinhdanh_tests::{TestApp, spawn_app};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

async fn count_audit(app: &TestApp, action: &str) -> i64 {
    let row = app
        .store
        .db
        .query_one_raw(sea_orm::Statement::from_string(
            app.store.db.get_database_backend(),
            format!("SELECT COUNT(*) AS n FROM audit_events WHERE action = '{action}'"),
        ))
        .await
        .expect("audit")
        .expect("row");
    row.try_get::<i64>("", "n").expect("n")
}

fn names(list: &Value) -> Vec<String> {
    list["items"].as_array().expect("items").iter().map(|c| c["name"].as_str().expect("name").to_owned()).collect()
}

#[tokio::test]
async fn a_school_creates_and_changes_its_classes_and_its_office_reads_them() {
    let app = spawn_app().await;
    let f = app.fixtures;
    let clerk = app.login("school-a1").await;
    let district = app.login("district-a").await;
    let other = app.login("school-a2").await;
    let body = json!({"name": "6C", "grade": 6, "unitId": f.school_a1, "homeroomTeacher": "Trần Thị Mai"});
    let created = app.post("/api/v1/classes", &clerk, &body).await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.body["schoolYear"], app.settings.school_year_now(), "the current year by default");
    assert_eq!(created.body["homeroomTeacher"], "Trần Thị Mai");
    app.post("/api/v1/classes", &clerk, &body).await.assert_problem(409, "conflict");
    app.post("/api/v1/classes", &district, &body).await.assert_problem(403, "forbidden");
    app.post("/api/v1/classes", &other, &body).await.assert_problem(404, "not_found");
    let bad = json!({"name": "13A", "grade": 13, "unitId": f.school_a1});
    app.post("/api/v1/classes", &clerk, &bad).await.assert_problem(422, "validation_failed");
    let office = json!({"name": "6A", "grade": 6, "unitId": f.district_a});
    app.post("/api/v1/classes", &district, &office).await.assert_problem(422, "validation_failed");
    let next = json!({"name": "6A", "grade": 6, "unitId": f.school_a1, "schoolYear": "2030-2031"});
    assert_eq!(app.post("/api/v1/classes", &clerk, &next).await.status, 201, "another year's 6A");

    let id = created.body["id"].as_i64().expect("id");
    let changed =
        app.patch(&format!("/api/v1/classes/{id}"), &clerk, &json!({"name": "6D", "homeroomTeacher": null})).await;
    assert_eq!(changed.status, 200, "{}", changed.text);
    assert_eq!((changed.body["name"].clone(), changed.body["homeroomTeacher"].clone()), (json!("6D"), Value::Null));
    app.patch(&format!("/api/v1/classes/{id}"), &clerk, &json!({"name": "6A"})).await.assert_problem(409, "conflict");
    app.patch(&format!("/api/v1/classes/{id}"), &district, &json!({"name": "6E"}))
        .await
        .assert_problem(403, "forbidden");
    assert_eq!(count_audit(&app, "create_class").await, 2);
    assert_eq!(count_audit(&app, "update_class").await, 2, "name and homeroom teacher");

    // the office reads the classes of all its schools, of the current year by default
    let all = app.get(&format!("/api/v1/classes?unitId={}", f.district_a), &district).await;
    assert_eq!(all.status, 200, "{}", all.text);
    assert_eq!(names(&all.body), ["6A", "6B", "6D", "7A"]);
    let every = app.get(&format!("/api/v1/classes?unitId={}&schoolYear=all", f.district_a), &district).await;
    assert_eq!(every.body["items"].as_array().map(Vec::len), Some(5));
    app.get(&format!("/api/v1/classes?unitId={}", f.district_b), &district).await.assert_problem(404, "not_found");
}

async fn student(app: &TestApp, token: &str, class: i64, name: &str) -> i64 {
    app.create_student(token, class, json!({"fullName": name})).await["id"].as_i64().expect("id")
}

async fn school_total(app: &TestApp, token: &str, district: i64, school: i64) -> i64 {
    let res = app.get(&format!("/api/v1/stats/progress?unitId={district}"), token).await;
    assert_eq!(res.status, 200, "{}", res.text);
    let child = res.body["children"].as_array().expect("children").iter().find(|c| c["unit"]["id"] == school).cloned();
    child.expect("school")["counters"]["total"].as_i64().expect("total")
}

#[tokio::test]
async fn the_year_rolls_over_from_the_first_of_june_with_students_kept_back_and_graduates() {
    let app = spawn_app().await;
    let f = app.fixtures;
    let clerk = app.login("school-a1").await;
    let district = app.login("district-a").await;
    let year = app.settings.school_year_now();
    let (start, _) = dinhdanh::config::parse_school_year(&year).expect("year");
    let next_year = format!("{}-{}", start + 1, start + 2);
    let nine = app.post("/api/v1/classes", &clerk, &json!({"name": "9A", "grade": 9, "unitId": f.school_a1})).await;
    let nine = nine.body["id"].as_i64().expect("9A");
    let kept = student(&app, &clerk, f.class_a1_6a, "Lê Văn Ở").await;
    let up = [
        student(&app, &clerk, f.class_a1_6a, "Ngô Thị Lên").await,
        student(&app, &clerk, f.class_a1_6a, "Vũ Văn Lên").await,
    ];
    let leaving = student(&app, &clerk, nine, "Đỗ Thị Ra Trường").await;
    let a2 = app.login("school-a2").await;
    student(&app, &a2, f.class_a2_7a, "Phan Văn Bảy").await;
    let before = (
        school_total(&app, &district, f.district_a, f.school_a1).await,
        school_total(&app, &district, f.district_a, f.school_a2).await,
    );

    // not before 1 June of the ending year
    let ask = json!({"unitId": f.school_a1, "fromYear": year});
    let early = app.post("/api/v1/rollovers", &clerk, &ask).await;
    early.assert_problem(422, "validation_failed");
    assert!(early.text.contains("rollover_not_open"), "{}", early.text);
    app.clock.set(Utc.with_ymd_and_hms(start + 1, 6, 2, 3, 0, 0).single().expect("instant"));
    app.post("/api/v1/rollovers", &app.login("school-b1").await, &ask).await.assert_problem(404, "not_found");

    // a district previews all its schools in bulk; the school commits its own
    let bulk = app.post("/api/v1/rollovers", &district, &json!({"unitId": f.district_a, "fromYear": year})).await;
    assert_eq!(bulk.status, 201, "{}", bulk.text);
    let schools: Vec<i64> =
        bulk.body["schools"].as_array().expect("schools").iter().map(|s| s["schoolId"].as_i64().expect("id")).collect();
    assert_eq!(schools, [f.school_a1, f.school_a2]);
    let preview = app.post("/api/v1/rollovers", &clerk, &ask).await;
    assert_eq!(preview.status, 201, "{}", preview.text);
    assert_eq!(preview.body["toYear"], next_year);
    let classes = preview.body["schools"][0]["classes"].as_array().expect("classes").clone();
    let step = |name: &str| {
        let c = classes.iter().find(|c| c["name"] == name).expect(name);
        (c["step"].as_str().expect("step").to_owned(), c["nextName"].clone(), c["students"].as_array().map(Vec::len))
    };
    assert_eq!(step("6A"), ("promote".to_owned(), json!("7A"), Some(3)));
    assert_eq!(step("6B"), ("promote".to_owned(), json!("7B"), Some(0)));
    assert_eq!(step("9A"), ("graduate".to_owned(), Value::Null, Some(1)));
    let id = preview.body["id"].as_i64().expect("id");
    app.post(&format!("/api/v1/rollovers/{id}/commit"), &clerk, &json!({"keepBack": [999_999]}))
        .await
        .assert_problem(422, "validation_failed");
    let done = app.post(&format!("/api/v1/rollovers/{id}/commit"), &clerk, &json!({"keepBack": [kept]})).await;
    assert_eq!(done.status, 200, "{}", done.text);
    assert_eq!(
        [&done.body["studentsMoved"], &done.body["keptBack"], &done.body["graduated"], &done.body["classesCreated"]],
        [&json!(2), &json!(1), &json!(1), &json!(3)],
        "7A, 7B and 6A of next year"
    );
    app.post(&format!("/api/v1/rollovers/{id}/commit"), &clerk, &json!({})).await.assert_problem(409, "conflict");
    app.post("/api/v1/rollovers", &clerk, &ask).await.assert_problem(409, "conflict");
    // the district's bulk preview covered a school already rolled over
    let bulk_id = bulk.body["id"].as_i64().expect("id");
    app.post(&format!("/api/v1/rollovers/{bulk_id}/commit"), &district, &json!({}))
        .await
        .assert_problem(409, "conflict");

    // next year's classes hold the students; last year's stay readable
    let next = app.get(&format!("/api/v1/classes?schoolYear={next_year}"), &clerk).await;
    let counts: Vec<(String, u64)> = next.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|c| (c["name"].as_str().expect("name").to_owned(), c["studentCount"].as_u64().expect("count")))
        .collect();
    assert_eq!(counts, [("6A".to_owned(), 1), ("7A".to_owned(), 2), ("7B".to_owned(), 0)]);
    let last = app.get(&format!("/api/v1/classes?schoolYear={year}"), &clerk).await;
    assert_eq!(names(&last.body), ["6A", "6B", "9A"]);
    for (person, class_year) in [(kept, &next_year), (up[0], &next_year), (leaving, &year)] {
        let s = app.get(&format!("/api/v1/students/{person}"), &clerk).await;
        let class = app.get(&format!("/api/v1/classes/{}", s.body["classId"]), &clerk).await;
        assert_eq!(&class.body["schoolYear"], class_year, "{}", s.text);
    }
    // the counters equal a recount and the totals are unchanged
    assert!(dinhdanh::store::counters::drift(&app.store.db).await.expect("drift").is_empty());
    let after = (
        school_total(&app, &district, f.district_a, f.school_a1).await,
        school_total(&app, &district, f.district_a, f.school_a2).await,
    );
    assert_eq!(before, after);
    assert_eq!(count_audit(&app, "promote").await, 2);
    assert_eq!(count_audit(&app, "keep_back").await, 1);
    assert_eq!(count_audit(&app, "commit_rollover").await, 1);

    // the district rolls its other school over in bulk
    let rest = app.post("/api/v1/rollovers", &district, &json!({"unitId": f.school_a2, "fromYear": year})).await;
    assert_eq!(rest.status, 201, "{}", rest.text);
    let rest_id = rest.body["id"].as_i64().expect("id");
    let rest_done = app.post(&format!("/api/v1/rollovers/{rest_id}/commit"), &district, &json!({})).await;
    assert_eq!(rest_done.status, 200, "{}", rest_done.text);
    assert_eq!(rest_done.body["studentsMoved"], 1);
}

/// A class the people import names that the school does not have yet is listed in the preview
/// as "lớp mới" and created at commit with its students.
#[tokio::test]
async fn a_class_named_in_the_import_is_created_at_commit() {
    let app = spawn_app().await;
    let f = app.fixtures;
    let clerk = app.login("school-a1").await;
    let csv = "Họ và tên,Ngày sinh,Giới tính,Lớp\nĐinh Văn Tám,05/03/2012,Nam,8C\nMai Thị Tám,06/04/2012,Nữ,8C\n\
               Lò Văn Sáu,07/05/2014,Nam,6A\nVi Thị Lạ,08/06/2014,Nữ,Hoa Sen\n";
    let res = app
        .client
        .post(app.url(&format!("/api/v1/imports?schoolId={}&filename=lop.csv", f.school_a1)))
        .bearer_auth(&clerk)
        .header("Content-Type", "text/csv")
        .body(csv)
        .send()
        .await
        .expect("upload");
    assert_eq!(res.status().as_u16(), 201);
    let preview: Value = res.json().await.expect("json");
    let new = preview["newClasses"].as_array().expect("newClasses");
    assert_eq!(new.len(), 1, "{preview}");
    assert_eq!(
        (new[0]["name"].clone(), new[0]["grade"].clone(), new[0]["label"].clone()),
        (json!("8C"), json!(8), json!("lớp mới"))
    );
    let id = preview["id"].as_str().expect("id").to_owned();
    let rows = app.get(&format!("/api/v1/imports/{id}"), &clerk).await.body;
    let actions: Vec<&str> =
        rows["rows"].as_array().expect("rows").iter().map(|r| r["action"].as_str().expect("action")).collect();
    assert_eq!(
        actions,
        ["create", "create", "create", "rejected"],
        "a class whose grade the name does not tell stays unknown"
    );
    assert!(
        app.get(&format!("/api/v1/classes?schoolId={}", f.school_a1), &clerk).await.text.find("8C").is_none(),
        "nothing created by the preview"
    );
    let done = app.post(&format!("/api/v1/imports/{id}/commit"), &clerk, &json!({})).await;
    assert_eq!(done.status, 200, "{}", done.text);
    let list = app.get(&format!("/api/v1/classes?schoolId={}", f.school_a1), &clerk).await.body;
    let c8 = list["items"].as_array().expect("items").iter().find(|c| c["name"] == "8C").cloned().expect("8C");
    assert_eq!(
        (c8["grade"].clone(), c8["studentCount"].clone(), c8["schoolYear"].clone()),
        (json!(8), json!(2), json!(app.settings.school_year_now()))
    );
    assert_eq!(count_audit(&app, "create_class").await, 1);
    assert!(dinhdanh::store::counters::drift(&app.store.db).await.expect("drift").is_empty());
}
