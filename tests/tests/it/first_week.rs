//! A province's first week (issue 10, "How it is checked"), end to end on an empty database, as
//! the IT officer and the schools would: init → the unit list of 3 district offices and 20
//! schools (MoET-style headers) → bulk accounts → a clerk's first sign-in with a one-time
//! password → classes and students → sent to the registry simulator → the district's
//! statistics → the year rollover → a transfer between two schools → statistics that add up.

use chrono::{TimeZone, Utc};
use dinhdanh::config::RegistrySimSettings;
use dinhdanh::registry::population::{Population, TruthRow};
use dinhdanh::store::entities::people;
use dinhdanh_tests::{TestApp, TestDb, spawn_app_on, test_settings};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use crate::setup::{first_sign_in, sheet_rows, sign_in, unit_list, upload_units};

/// The district's total and each school's, by the statistics API.
async fn stats(app: &TestApp, token: &str, unit: i64) -> (i64, i64, Vec<(i64, i64)>) {
    let res = app.get(&format!("/api/v1/stats/progress?unitId={unit}"), token).await;
    assert_eq!(res.status, 200, "{}", res.text);
    let children = res.body["children"]
        .as_array()
        .expect("children")
        .iter()
        .map(|c| (c["unit"]["id"].as_i64().expect("id"), c["counters"]["total"].as_i64().expect("total")))
        .collect();
    let c = &res.body["counters"];
    (c["total"].as_i64().expect("total"), c["verified"].as_i64().expect("verified"), children)
}

fn of(children: &[(i64, i64)], unit: i64) -> i64 {
    children.iter().find(|(u, _)| *u == unit).map(|(_, n)| *n).unwrap_or(0)
}

fn unit_id(units: &Value, code: &str) -> i64 {
    units["items"].as_array().expect("units").iter().find(|u| u["code"] == code).expect(code)["id"]
        .as_i64()
        .expect("id")
}

/// A class list as a school keeps it: students with the class named in a column.
fn class_list(start: i32, seq: &mut u32) -> String {
    let mut csv = "STT,Họ và tên,Ngày sinh,Giới tính,Số định danh cá nhân,Tỉnh/Thành phố,Xã/Phường,Lớp\n".to_owned();
    let students = [
        ("Nguyễn Văn An", "6A", 11),
        ("Trần Thị Bình", "6A", 11),
        ("Lê Văn Cường", "6A", 11),
        ("Phạm Thị Dung", "9A", 14),
        ("Hoàng Văn Em", "9A", 14),
    ];
    for (i, (name, class, age)) in students.iter().enumerate() {
        *seq += 1;
        let year = start - age;
        let gender = if name.contains("Thị") { "Nữ" } else { "Nam" };
        csv.push_str(&format!(
            "{},{name},15/03/{year},{gender},0312{:02}{:06},Thành phố Hải Phòng,Phường Lê Chân,{class}\n",
            i + 1,
            year % 100,
            *seq
        ));
    }
    csv
}

async fn import_csv(app: &TestApp, token: &str, school: i64, csv: String) -> Value {
    let res = app
        .client
        .post(app.url(&format!("/api/v1/imports?schoolId={school}&filename=danh-sach-lop.csv&commit=true")))
        .bearer_auth(token)
        .header("Content-Type", "text/csv")
        .body(csv)
        .send()
        .await
        .expect("import");
    let status = res.status().as_u16();
    let text = res.text().await.expect("text");
    assert_eq!(status, 201, "{text}");
    serde_json::from_str(&text).expect("json")
}

#[tokio::test]
async fn a_provinces_first_week() {
    let db = TestDb::fresh().await;
    // the registry simulator with its own population beside the test database
    let population = Population::open(&test_settings(&db.url).registry_sim.database_url).await.expect("population");
    let sim = dinhdanh::registry::sim::spawn(
        population.clone(),
        RegistrySimSettings { bind: "127.0.0.1:0".to_owned(), ..RegistrySimSettings::default() },
    )
    .expect("simulator");

    // day 1: init, as the IT officer types it
    let (code, out, err) =
        dinhdanh_tests::run_dinhdanh(&db.url, &["init", "--province-code", "31", "--admin-username", "quantri-sgd"]);
    assert_eq!(code, 0, "{out}{err}");
    let otp = out.lines().find_map(|l| l.trim().strip_prefix("mật khẩu một lần: ")).expect("otp").to_owned();
    let sim_url = sim.url.clone();
    let app = spawn_app_on(db, |s| {
        s.registry.base_url = sim_url;
        s.registry.poll_interval_ms = 25;
        s.registry.backoff_base_ms = 20;
        s.registry.backoff_max_ms = 200;
        s.registry.rate_limit_per_sec = 0.0;
    })
    .await;
    let admin = first_sign_in(&app, "quantri-sgd", &otp).await;

    // the unit list: 3 district offices and 20 schools
    let units = upload_units(&app, &admin, "?commit=true", unit_list(&[])).await;
    assert_eq!(units.status, 201, "{}", units.text);
    assert_eq!((units.body["created"].clone(), units.body["rejected"].clone()), (json!(23), json!(0)));
    let tree = app.get("/api/v1/units", &admin).await.body;
    let department = tree["items"].as_array().expect("units").iter().find(|u| u["kind"] == "department").expect("root")
        ["id"]
        .as_i64()
        .expect("id");
    // schools 2 and 8 are lower secondary schools of office 2
    let (office, school, other_school) =
        (unit_id(&tree, "PGD-2"), unit_id(&tree, "31304002"), unit_id(&tree, "31304008"));

    // bulk accounts: one per school, in a workbook of one-time passwords
    let bulk = app
        .client
        .post(app.url("/api/v1/users/bulk"))
        .bearer_auth(&admin)
        .json(&json!({"unitId": department, "role": "school"}))
        .send()
        .await
        .expect("bulk");
    assert_eq!(bulk.status().as_u16(), 200);
    let rows = sheet_rows(&bulk.bytes().await.expect("bytes"));
    let accounts: Vec<&Vec<String>> = rows.iter().skip(3).collect();
    assert_eq!(accounts.len(), 20, "{rows:?}");
    let otp_of = |code: &str| {
        let line = accounts.iter().find(|l| l[0] == code).expect(code);
        (line[2].clone(), line[3].clone())
    };
    // the clerk signs in with the one-time password and must change it first
    let (username, clerk_otp) = otp_of("31304002");
    let first = sign_in(&app, &username, &clerk_otp).await;
    assert_eq!(first.body["mustChangePassword"], true);
    let pending = first.body["accessToken"].as_str().expect("token");
    app.get("/api/v1/classes", pending).await.assert_problem(403, "password_change_required");
    let clerk = first_sign_in(&app, &username, &clerk_otp).await;
    let (other_username, other_otp) = otp_of("31304008");
    let other_clerk = first_sign_in(&app, &other_username, &other_otp).await;
    // the district office's account, by the administrator
    let made = app
        .post(
            "/api/v1/users",
            &admin,
            &json!({"username": "pgd2", "role": "district", "unitId": office, "displayName": "Phòng GDĐT số 2"}),
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.text);
    let district = first_sign_in(&app, "pgd2", made.body["oneTimePassword"].as_str().expect("otp")).await;

    // the class list and the students
    let year = app.settings.school_year_now();
    let start: i32 = year[..4].parse().expect("year");
    // the first school makes its classes by hand; the second lets its class list name them
    for (token, unit) in [(&clerk, school)] {
        for (name, grade) in [("6A", 6), ("9A", 9)] {
            let c = app.post("/api/v1/classes", token, &json!({"name": name, "grade": grade, "unitId": unit})).await;
            assert_eq!(c.status, 201, "{}", c.text);
        }
    }
    let mut seq = 0;
    for (token, unit) in [(&clerk, school), (&other_clerk, other_school)] {
        let import = import_csv(&app, token, unit, class_list(start, &mut seq)).await;
        assert_eq!(import["status"], "committed", "{import}");
        let new: Vec<&str> = import["newClasses"]
            .as_array()
            .expect("newClasses")
            .iter()
            .map(|c| c["name"].as_str().expect("name"))
            .collect();
        assert_eq!(new, if unit == school { vec![] } else { vec!["6A", "9A"] }, "lớp mới");
    }
    // the registry knows every one of them as entered
    let students =
        people::Entity::find().filter(people::Column::Kind.eq("student")).all(&app.store.db).await.expect("rows");
    assert_eq!(students.len(), 10);
    let truth: Vec<TruthRow> = students
        .iter()
        .map(|p| TruthRow {
            personal_id: dinhdanh::store::people::norm_personal_id_of(p).expect("opens").expect("id"),
            full_name: p.norm_full_name.clone().expect("name"),
            date_of_birth: p.norm_dob.expect("dob").format("%Y-%m-%d").to_string(),
            gender: p.norm_gender.clone().expect("gender"),
            province_code: p.res_new_province_code.clone(),
            commune_code: p.res_new_commune_code.clone(),
        })
        .collect();
    population.insert_many(truth).await.expect("truth");

    // the school sends its classes
    let classes = app.get("/api/v1/classes", &clerk).await.body;
    for class in classes["items"].as_array().expect("classes") {
        let job = app.post("/api/v1/verification-jobs", &clerk, &json!({"classId": class["id"]})).await;
        assert_eq!(job.status, 202, "{}", job.text);
        let id = job.body["id"].as_i64().expect("id");
        app.wait_for_worker("the job to finish", || async {
            let res = app.get(&format!("/api/v1/verification-jobs/{id}"), &clerk).await;
            (res.body["status"] == "done").then_some(())
        })
        .await;
    }

    // the district sees its statistics
    let (total, verified, schools) = stats(&app, &district, office).await;
    assert_eq!((total, verified), (10, 5), "the first school's 5 verified");
    assert_eq!((of(&schools, school), of(&schools, other_school)), (5, 5));
    assert_eq!(schools.iter().map(|(_, n)| n).sum::<i64>(), total, "the schools add up to the office");

    // the year rollover, from 1 June
    app.clock.set(Utc.with_ymd_and_hms(start + 1, 6, 2, 3, 0, 0).single().expect("instant"));
    let preview = app.post("/api/v1/rollovers", &district, &json!({"unitId": office, "fromYear": year})).await;
    assert_eq!(preview.status, 201, "{}", preview.text);
    assert_eq!(preview.body["schools"].as_array().map(Vec::len), Some(7), "office 2's schools");
    let kept = students.iter().find(|p| p.full_name.as_deref() == Some("Lê Văn Cường")).expect("kept").id;
    let id = preview.body["id"].as_i64().expect("id");
    let done = app.post(&format!("/api/v1/rollovers/{id}/commit"), &district, &json!({"keepBack": [kept]})).await;
    assert_eq!(done.status, 200, "{}", done.text);
    assert_eq!(
        (done.body["studentsMoved"].clone(), done.body["keptBack"].clone(), done.body["graduated"].clone()),
        (json!(5), json!(1), json!(4))
    );
    let (after_total, after_verified, _) = stats(&app, &district, office).await;
    assert_eq!((after_total, after_verified), (total, verified), "the rollover keeps every record and status");

    // a transfer between two schools of the office: the same record, still verified
    let moving = students
        .iter()
        .find(|p| p.full_name.as_deref() == Some("Nguyễn Văn An") && p.unit_id == school)
        .expect("student")
        .id;
    let moved = app
        .post(
            &format!("/api/v1/students/{moving}/transfer"),
            &district,
            &json!({"toUnitId": other_school, "reason": "chuyển trường"}),
        )
        .await;
    assert_eq!(moved.status, 200, "{}", moved.text);
    let there = app.get(&format!("/api/v1/students/{moving}"), &other_clerk).await;
    assert_eq!((there.body["status"].clone(), there.body["unitId"].clone()), (json!("verified"), json!(other_school)));
    let (final_total, final_verified, final_schools) = stats(&app, &district, office).await;
    assert_eq!((final_total, final_verified), (total, verified));
    assert_eq!((of(&final_schools, school), of(&final_schools, other_school)), (4, 6));
    assert_eq!(final_schools.iter().map(|(_, n)| n).sum::<i64>(), final_total);
    let (province, _, _) = stats(&app, &admin, department).await;
    assert_eq!(province, 10);
    let drift = dinhdanh::store::counters::drift(&app.store.db).await.expect("drift");
    assert!(drift.is_empty(), "{drift:?}");
}
