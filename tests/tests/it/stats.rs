//! Progress statistics: counts at every level against hand-computed expectations, scoping, the
//! four dimensions on crafted records, reasons, timelines across simulated days, the burn-down
//! projection, laggards, the Excel report, campaigns, and counters that always equal a full
//! recount. Runs on SQLite, and on PostgreSQL when `TEST_DATABASE_URL` is set.
//!
//! Counts that depend on what the rules find (`noErrors`, `correct`, `clean`, reasons) are
//! expected from each record's own `quality` and `findings` as the API reports them, so the
//! tests hold whatever the rule engine finds; the fixtures assert the few rule outcomes they
//! rely on (a complete, well-formed record has no finding; a missing name is an error).

use chrono::{Days, NaiveDate, Utc};
use dinhdanh::store::counters;
use dinhdanh::store::stats::{SnapshotMode, take_snapshot};
use dinhdanh_tests::{TestApp, spawn_app_with};
use serde_json::{Value, json};

/// The app with the snapshot task off, so snapshots are only the ones a test takes.
async fn app() -> TestApp {
    spawn_app_with(|s| s.stats.snapshot_interval_minutes = 0).await
}

fn today() -> NaiveDate {
    dinhdanh_tests::today()
}

fn days_ago(n: u64) -> NaiveDate {
    today().checked_sub_days(Days::new(n)).expect("day")
}

fn days_ahead(n: u64) -> NaiveDate {
    today().checked_add_days(Days::new(n)).expect("day")
}

fn school_year(app: &TestApp) -> String {
    app.settings.current_school_year(today())
}

fn year_start(app: &TestApp) -> i32 {
    school_year(app)[..4].parse().expect("year")
}

/// A complete, well-formed student of this grade (born in the usual year for it), with a
/// unique ID number built from `seq`.
fn perfect_student(app: &TestApp, grade: i32, seq: u32) -> Value {
    let birth_year = year_start(app) - 5 - grade;
    json!({
        "fullName": "Nguyễn Văn An",
        "dateOfBirth": format!("15/03/{birth_year}"),
        "gender": "Nam",
        "personalId": format!("0312{:02}{:06}", birth_year % 100, seq),
        "residence": {"province": "Thành phố Hải Phòng", "commune": "Phường Lê Chân"}
    })
}

/// A complete, well-formed staff member (a woman born in 1985).
fn perfect_staff(seq: u32) -> Value {
    json!({
        "fullName": "Trần Thị Mai",
        "dateOfBirth": "20/11/1985",
        "gender": "Nữ",
        "personalId": format!("031185{seq:06}"),
        "position": "teacher",
        "residence": {"province": "Thành phố Hải Phòng", "commune": "Phường Lê Chân"}
    })
}

fn id(v: &Value) -> i64 {
    v["id"].as_i64().expect("id")
}

/// `count / total` rounded as the API rounds shares.
fn share(count: i64, total: i64) -> f64 {
    if total == 0 { 0.0 } else { ((count as f64 / total as f64) * 10_000.0).round() / 10_000.0 }
}

async fn get_ok(app: &TestApp, token: &str, path: &str) -> Value {
    let res = app.get(path, token).await;
    assert_eq!(res.status, 200, "GET {path}: {}", res.text);
    res.body
}

fn child(report: &Value, unit_id: i64) -> &Value {
    report["children"]
        .as_array()
        .expect("children")
        .iter()
        .find(|c| c["unit"]["id"] == unit_id)
        .unwrap_or_else(|| panic!("no child {unit_id} in {report}"))
}

/// What the test knows about one record it made.
#[derive(Debug, Clone)]
struct Rec {
    unit: i64,
    district: i64,
    class: Option<i64>,
    has_pid: bool,
    valid_pid: bool,
    complete: bool,
    status: &'static str,
    mismatch: Vec<&'static str>,
    /// Verified at or after the last identity change, in a class of the current year.
    live: bool,
    /// From the API's answer.
    errors: i64,
    warnings: i64,
    duplicate: bool,
}

/// A new student as the API answered its creation, with its ID number in full (revealed, as the
/// school sees it on request): the expected counts are computed from the entered values.
async fn created_in_full(app: &TestApp, token: &str, class_id: i64, fields: Value) -> Value {
    let mut created = app.create_student(token, class_id, fields).await;
    created["personalId"] = app.reveal(token, &created).await.map_or(Value::Null, Value::String);
    created
}

impl Rec {
    fn from_api(created: &Value, unit: i64, district: i64, class: Option<i64>) -> Rec {
        let pid = created["personalId"].as_str().unwrap_or("");
        let present = |k: &str| created[k].as_str().is_some_and(|s| !s.is_empty());
        let res = &created["residence"];
        let res_present = |k: &str| res[k].as_str().is_some_and(|s| !s.is_empty());
        Rec {
            unit,
            district,
            class,
            has_pid: !pid.is_empty(),
            valid_pid: pid.len() == 12 && pid.bytes().all(|b| b.is_ascii_digit()),
            complete: present("fullName")
                && present("dateOfBirth")
                && present("gender")
                && !pid.is_empty()
                && ((res_present("province") && res_present("commune")) || present("residenceText")),
            status: "not_sent",
            mismatch: Vec::new(),
            live: false,
            errors: created["quality"]["errors"].as_i64().expect("errors"),
            warnings: created["quality"]["warnings"].as_i64().expect("warnings"),
            duplicate: created["findings"].as_array().expect("findings").iter().any(|f| f["code"] == "id_duplicate"),
        }
    }
}

/// The counters the API should show for these records.
fn expected(recs: &[&Rec]) -> Value {
    let n = |f: &dyn Fn(&Rec) -> bool| recs.iter().filter(|r| f(r)).count() as i64;
    let total = recs.len() as i64;
    let status = |s: &str| n(&|r: &Rec| r.status == s);
    let mm = |field: &str| n(&|r: &Rec| r.status == "mismatched" && r.mismatch.contains(&field));
    let verified = status("verified");
    let complete = n(&|r| r.complete);
    let correct = n(&|r| r.errors == 0 && r.status == "verified");
    let clean = n(&|r| r.warnings == 0 && !r.duplicate);
    let live = n(&|r| r.live);
    json!({
        "total": total,
        "withPersonalId": n(&|r| r.has_pid),
        "validPersonalId": n(&|r| r.valid_pid),
        "noErrors": n(&|r| r.errors == 0),
        "sent": status("queued") + verified + status("mismatched") + status("not_found") + status("awaiting_evidence"),
        "verified": verified,
        "mismatched": status("mismatched"),
        "notFound": status("not_found"),
        "awaitingEvidence": status("awaiting_evidence"),
        "notSent": status("not_sent"),
        "queued": status("queued"),
        "sendFailed": status("error"),
        "complete": complete,
        "correct": correct,
        "clean": clean,
        "live": live,
        "mismatchedByField": {
            "fullName": mm("fullName"),
            "dateOfBirth": mm("dateOfBirth"),
            "gender": mm("gender"),
            "personalId": mm("personalId"),
            "residence": mm("residence"),
        },
        "verifiedShare": share(verified, total),
        "shares": {
            "du": share(complete, total),
            "dung": share(correct, total),
            "sach": share(clean, total),
            "song": share(live, total),
        },
    })
}

#[track_caller]
fn assert_counters(got: &Value, want: &Value, what: &str) {
    assert_eq!(got, want, "{what}: got {got:#}\nwant {want:#}");
}

#[tokio::test]
async fn progress_counts_a_known_dataset_at_every_level() {
    let app = app().await;
    let f = app.fixtures;
    let a1 = app.login("school-a1").await;
    let a2 = app.login("school-a2").await;
    let b1 = app.login("school-b1").await;
    let mut made: Vec<(i64, Rec)> = Vec::new();
    let mut add = |created: Value, unit: i64, district: i64, class: Option<i64>| {
        let rec = Rec::from_api(&created, unit, district, class);
        made.push((id(&created), rec));
        id(&created)
    };
    // School A1, class 6A.
    let s1 = add(
        created_in_full(&app, &a1, f.class_a1_6a, perfect_student(&app, 6, 1)).await,
        f.school_a1,
        f.district_a,
        Some(f.class_a1_6a),
    );
    let s2 = add(
        created_in_full(&app, &a1, f.class_a1_6a, perfect_student(&app, 6, 2)).await,
        f.school_a1,
        f.district_a,
        Some(f.class_a1_6a),
    );
    let s3 = add(
        created_in_full(&app, &a1, f.class_a1_6a, perfect_student(&app, 6, 3)).await,
        f.school_a1,
        f.district_a,
        Some(f.class_a1_6a),
    );
    let mut no_id = perfect_student(&app, 6, 4);
    no_id["personalId"] = Value::Null;
    add(created_in_full(&app, &a1, f.class_a1_6a, no_id).await, f.school_a1, f.district_a, Some(f.class_a1_6a));
    // School A1, class 6B.
    let s5 = add(
        created_in_full(&app, &a1, f.class_a1_6b, perfect_student(&app, 6, 5)).await,
        f.school_a1,
        f.district_a,
        Some(f.class_a1_6b),
    );
    let mut short_id = perfect_student(&app, 6, 6);
    short_id["personalId"] = json!("12345");
    let s6 =
        add(created_in_full(&app, &a1, f.class_a1_6b, short_id).await, f.school_a1, f.district_a, Some(f.class_a1_6b));
    // School A2, class 7A.
    let s7 = add(
        created_in_full(&app, &a2, f.class_a2_7a, perfect_student(&app, 7, 7)).await,
        f.school_a2,
        f.district_a,
        Some(f.class_a2_7a),
    );
    let s8 = add(
        created_in_full(&app, &a2, f.class_a2_7a, perfect_student(&app, 7, 8)).await,
        f.school_a2,
        f.district_a,
        Some(f.class_a2_7a),
    );
    add(
        created_in_full(&app, &a2, f.class_a2_7a, json!({"fullName": "Lê Văn Chín"})).await,
        f.school_a2,
        f.district_a,
        Some(f.class_a2_7a),
    );
    // School B1, class 10A, and a record that is deleted again.
    let s10 = add(
        created_in_full(&app, &b1, f.class_b1_10a, perfect_student(&app, 10, 10)).await,
        f.school_b1,
        f.district_b,
        Some(f.class_b1_10a),
    );
    let s11 = add(
        created_in_full(&app, &b1, f.class_b1_10a, perfect_student(&app, 10, 11)).await,
        f.school_b1,
        f.district_b,
        Some(f.class_b1_10a),
    );
    let gone = created_in_full(&app, &b1, f.class_b1_10a, perfect_student(&app, 10, 12)).await;
    assert_eq!(app.delete(&format!("/api/v1/students/{}", id(&gone)), &b1).await.status, 204);
    for (_, r) in made.iter().filter(|(_, r)| r.complete && r.valid_pid) {
        assert_eq!((r.errors, r.warnings), (0, 0), "fixture assumption: a perfect record has no finding: {r:?}");
    }

    let answers: [(i64, &'static str, Vec<&'static str>); 9] = [
        (s1, "verified", vec![]),
        (s2, "verified", vec![]),
        (s3, "mismatched", vec!["dateOfBirth"]),
        (s5, "not_found", vec![]),
        (s6, "queued", vec![]),
        (s7, "awaiting_evidence", vec![]),
        (s8, "error", vec![]),
        (s10, "verified", vec![]),
        (s11, "mismatched", vec!["fullName", "gender"]),
    ];
    for (person, status, mismatch) in &answers {
        app.set_status(*person, status, mismatch).await;
        let (_, rec) = made.iter_mut().find(|(id, _)| id == person).expect("known record");
        rec.status = status;
        rec.mismatch = mismatch.clone();
        rec.live = *status == "verified";
    }
    let recs: Vec<Rec> = made.into_iter().map(|(_, r)| r).collect();

    let dept = app.login("department").await;
    let all: Vec<&Rec> = recs.iter().collect();
    let top = get_ok(&app, &dept, "/api/v1/stats/progress").await;
    assert_eq!(top["unit"]["id"], f.department);
    assert_eq!(top["unit"]["kind"], "department");
    assert_eq!(top["population"], "students");
    // Hand-computed at the top: 11 active records (the deleted one is not counted).
    let c = &top["counters"];
    let hand = [
        ("total", 11),
        ("withPersonalId", 9),
        ("validPersonalId", 8),
        ("sent", 8),
        ("verified", 3),
        ("mismatched", 2),
        ("notFound", 1),
        ("awaitingEvidence", 1),
        ("notSent", 2),
        ("queued", 1),
        ("sendFailed", 1),
        ("complete", 9),
        ("live", 3),
    ];
    for (key, want) in hand {
        assert_eq!(c[key], want, "department {key}: {c:#}");
    }
    assert_eq!(
        c["mismatchedByField"],
        json!({"fullName": 1, "dateOfBirth": 1, "gender": 1, "personalId": 0, "residence": 0})
    );
    assert_eq!(c["shares"]["du"], share(9, 11));
    assert_eq!(c["shares"]["song"], share(3, 11));
    assert_counters(c, &expected(&all), "department");
    let districts: Vec<i64> =
        top["children"].as_array().expect("children").iter().map(|c| c["unit"]["id"].as_i64().expect("id")).collect();
    assert_eq!(districts.len(), 2);
    for d in [f.district_a, f.district_b] {
        let want: Vec<&Rec> = recs.iter().filter(|r| r.district == d).collect();
        assert_counters(&child(&top, d)["counters"], &expected(&want), "district as a child of the department");
    }
    assert_eq!(child(&top, f.district_a)["counters"]["total"], 9);
    assert_eq!(child(&top, f.district_b)["counters"]["total"], 2);

    let da = get_ok(&app, &dept, &format!("/api/v1/stats/progress?unitId={}", f.district_a)).await;
    assert_counters(
        &da["counters"],
        &expected(&recs.iter().filter(|r| r.district == f.district_a).collect::<Vec<_>>()),
        "district A",
    );
    for school in [f.school_a1, f.school_a2] {
        let want: Vec<&Rec> = recs.iter().filter(|r| r.unit == school).collect();
        assert_counters(&child(&da, school)["counters"], &expected(&want), "school as a child of its district");
        let own = get_ok(&app, &dept, &format!("/api/v1/stats/progress?unitId={school}")).await;
        assert_counters(&own["counters"], &expected(&want), "school");
    }
    assert_eq!(child(&da, f.school_a1)["counters"]["total"], 6);
    assert_eq!(child(&da, f.school_a2)["counters"]["total"], 3);

    // Under a school, the children are its classes.
    let sa1 = get_ok(&app, &a1, "/api/v1/stats/progress").await;
    assert_eq!(sa1["unit"]["id"], f.school_a1);
    for class in [f.class_a1_6a, f.class_a1_6b] {
        let c = child(&sa1, class);
        assert_eq!(c["unit"]["kind"], "class");
        assert_eq!(c["unit"]["schoolYear"], school_year(&app).as_str());
        assert_eq!(c["projection"], Value::Null, "classes have no snapshots");
        let want: Vec<&Rec> = recs.iter().filter(|r| r.class == Some(class)).collect();
        assert_counters(&c["counters"], &expected(&want), "class");
    }
    assert_eq!(child(&sa1, f.class_a1_6a)["counters"]["total"], 4);
    assert_eq!(child(&sa1, f.class_a1_6b)["counters"]["verified"], 0);

    // Staff are counted separately; an office's own staff count in it but in no child.
    let district_a = app.login("district-a").await;
    let office = app.create_staff(&district_a, None, perfect_staff(1)).await;
    app.set_status(id(&office), "verified", &[]).await;
    let mut no_gender = perfect_staff(2);
    no_gender["gender"] = Value::Null;
    app.create_staff(&a1, None, no_gender).await;
    let staff = get_ok(&app, &dept, &format!("/api/v1/stats/progress?unitId={}&population=staff", f.district_a)).await;
    assert_eq!(staff["population"], "staff");
    assert_eq!(staff["counters"]["total"], 2);
    assert_eq!(staff["counters"]["verified"], 1);
    assert_eq!(staff["counters"]["live"], 1);
    assert_eq!(staff["counters"]["complete"], 1);
    assert_eq!(child(&staff, f.school_a1)["counters"]["total"], 1);
    assert_eq!(child(&staff, f.school_a2)["counters"]["total"], 0);
    let students_again = get_ok(&app, &dept, "/api/v1/stats/progress?population=students").await;
    assert_eq!(students_again["counters"]["total"], 11, "staff do not count as students");
    assert!(counters::drift(&app.store.db).await.expect("drift").is_empty());
}

#[tokio::test]
async fn statistics_are_scoped_to_the_callers_subtree() {
    let app = app().await;
    let f = app.fixtures;
    let a1 = app.login("school-a1").await;
    let b1 = app.login("school-b1").await;
    app.create_student(&a1, f.class_a1_6a, perfect_student(&app, 6, 1)).await;
    app.create_student(&b1, f.class_b1_10a, perfect_student(&app, 10, 2)).await;
    let district = app.login("district-a").await;

    let own = get_ok(&app, &district, "/api/v1/stats/progress").await;
    assert_eq!(own["unit"]["id"], f.district_a);
    assert_eq!(own["counters"]["total"], 1, "school B1's record is not in district A");
    let children: Vec<i64> =
        own["children"].as_array().expect("children").iter().map(|c| c["unit"]["id"].as_i64().expect("id")).collect();
    assert_eq!(children, vec![f.school_a1, f.school_a2]);

    for path in [
        format!("/api/v1/stats/progress?unitId={}", f.school_b1),
        format!("/api/v1/stats/progress?unitId={}", f.department),
        format!("/api/v1/stats/timeline?unitId={}", f.school_b1),
        format!("/api/v1/stats/reasons?unitId={}", f.district_b),
        format!("/api/v1/stats/laggards?unitId={}", f.department),
        format!("/api/v1/stats/report.xlsx?unitId={}", f.school_b1),
        "/api/v1/stats/progress?unitId=999999".to_owned(),
    ] {
        app.get(&path, &district).await.assert_problem(404, "not_found");
    }
    let laggards = get_ok(&app, &district, "/api/v1/stats/laggards").await;
    let ranked: Vec<i64> =
        laggards["items"].as_array().expect("items").iter().map(|l| l["unit"]["id"].as_i64().expect("id")).collect();
    assert_eq!(ranked, vec![f.school_a1, f.school_a2], "district A's schools only");

    // A school sees itself and its classes only.
    let school = get_ok(&app, &a1, "/api/v1/stats/progress").await;
    assert_eq!(school["unit"]["id"], f.school_a1);
    app.get(&format!("/api/v1/stats/progress?unitId={}", f.district_a), &a1).await.assert_problem(404, "not_found");

    // A campaign set by another office is not visible, nor usable.
    use dinhdanh::domain::access::{Caller, Role};
    let other_office = Caller {
        user_id: 0,
        username: "pgd-b".into(),
        role: Role::DistrictAdmin,
        unit_id: f.district_b,
        unit_path: format!("/{}/{}/", f.department, f.district_b),
    };
    let hidden = dinhdanh::store::campaigns::create(
        &app.store.db,
        &other_office,
        &dinhdanh::store::audit::AuditCtx::system(dinhdanh::store::audit::Source::Manual, None, app.clock.now()),
        dinhdanh::store::campaigns::NewCampaign {
            name: "Đợt của huyện B".into(),
            population: dinhdanh::stats::Population::Students,
            start: days_ago(5),
            deadline: days_ahead(5),
        },
    )
    .await
    .expect("campaign");
    app.get(&format!("/api/v1/stats/progress?campaignId={}", hidden.campaign.id), &district)
        .await
        .assert_problem(404, "not_found");
    app.get(&format!("/api/v1/campaigns/{}", hidden.campaign.id), &district).await.assert_problem(404, "not_found");
    let list = get_ok(&app, &district, "/api/v1/campaigns").await;
    assert_eq!(list["items"], json!([]));
    let dept = app.login("department").await;
    let seen = get_ok(&app, &dept, "/api/v1/campaigns").await;
    assert_eq!(seen["items"].as_array().expect("items").len(), 1, "the Department sees campaigns set below it");

    // Tokens are required.
    let anonymous = app.send(reqwest::Method::GET, "/api/v1/stats/progress", None, None).await;
    anonymous.assert_problem(401, "unauthenticated");
}

#[tokio::test]
async fn the_four_dimensions_on_crafted_records() {
    let app = app().await;
    let f = app.fixtures;
    let a1 = app.login("school-a1").await;
    let a2 = app.login("school-a2").await;
    let b1 = app.login("school-b1").await;
    let dept = app.login("department").await;

    // Đủ, class 6A: complete; complete with a one-cell address; no gender; province only.
    app.create_student(&a1, f.class_a1_6a, perfect_student(&app, 6, 1)).await;
    let mut one_cell = perfect_student(&app, 6, 2);
    one_cell["residence"] = Value::Null;
    one_cell["residenceText"] = json!("Số 5 Lạch Tray, phường Lê Chân, thành phố Hải Phòng");
    app.create_student(&a1, f.class_a1_6a, one_cell).await;
    let mut no_gender = perfect_student(&app, 6, 3);
    no_gender["gender"] = Value::Null;
    app.create_student(&a1, f.class_a1_6a, no_gender).await;
    let mut province_only = perfect_student(&app, 6, 4);
    province_only["residence"] = json!({"province": "Thành phố Hải Phòng"});
    app.create_student(&a1, f.class_a1_6a, province_only).await;

    // Đúng, class 6B: verified and error-free; mismatched; verified with an error (no name).
    let good = app.create_student(&a1, f.class_a1_6b, perfect_student(&app, 6, 5)).await;
    assert_eq!(good["quality"]["errors"], 0, "fixture assumption");
    app.set_status(id(&good), "verified", &[]).await;
    let mm = app.create_student(&a1, f.class_a1_6b, perfect_student(&app, 6, 6)).await;
    app.set_status(id(&mm), "mismatched", &["dateOfBirth"]).await;
    let mut nameless = perfect_student(&app, 6, 7);
    nameless["fullName"] = Value::Null;
    let nameless = app.create_student(&a1, f.class_a1_6b, nameless).await;
    assert!(nameless["quality"]["errors"].as_i64().expect("errors") > 0, "a missing name is an error");
    app.set_status(id(&nameless), "verified", &[]).await;

    // Sạch, class 7A: two records with one ID number, and one clean record.
    let mut twin = perfect_student(&app, 7, 8);
    app.create_student(&a2, f.class_a2_7a, twin.clone()).await;
    twin["fullName"] = json!("Nguyễn Văn Bình");
    let second = app.create_student(&a2, f.class_a2_7a, twin).await;
    assert!(
        second["findings"].as_array().expect("findings").iter().any(|f| f["code"] == "id_duplicate"),
        "the second holder gets id_duplicate: {second:#}"
    );
    let clean = app.create_student(&a2, f.class_a2_7a, perfect_student(&app, 7, 9)).await;
    assert_eq!(clean["quality"]["warnings"], 0, "fixture assumption");

    // Sống, school B1: verified now in this year's class; verified before its last change;
    // verified but still in last year's class.
    let live = app.create_student(&b1, f.class_b1_10a, perfect_student(&app, 10, 10)).await;
    app.set_status(id(&live), "verified", &[]).await;
    let stale = app.create_student(&b1, f.class_b1_10a, perfect_student(&app, 10, 11)).await;
    let changed_at: chrono::DateTime<Utc> = stale["updatedAt"].as_str().expect("updatedAt").parse().expect("time");
    app.set_status_at(id(&stale), "verified", &[], Some(changed_at - chrono::Duration::hours(1))).await;
    let last_year = format!("{}-{}", year_start(&app) - 1, year_start(&app));
    let old_class = dinhdanh::store::classes::create(
        &app.store.db,
        dinhdanh::store::classes::NewClass {
            school_id: f.school_b1,
            school_year: last_year.clone(),
            grade: 10,
            name: "10A".into(),
        },
    )
    .await
    .expect("class");
    let held_back = app.create_student(&b1, old_class.id, perfect_student(&app, 10, 12)).await;
    app.set_status(id(&held_back), "verified", &[]).await;

    // Sống for staff, district B's office: verified this school year, and in the last one.
    let admin = app.login("district-b").await;
    let now_staff = app.create_staff(&admin, Some(f.district_b), perfect_staff(1)).await;
    app.set_status(id(&now_staff), "verified", &[]).await;
    let old_staff = app.create_staff(&admin, Some(f.district_b), perfect_staff(2)).await;
    // An old record (last changed in June), verified in July: fresh, but in last school year.
    let at = |month: u32| {
        NaiveDate::from_ymd_opt(year_start(&app), month, 15)
            .expect("date")
            .and_hms_opt(3, 0, 0)
            .expect("time")
            .and_utc()
    };
    {
        use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};
        let row = dinhdanh::store::entities::people::Entity::find_by_id(id(&old_staff))
            .one(&app.store.db)
            .await
            .expect("query")
            .expect("row");
        let mut active: dinhdanh::store::entities::people::ActiveModel = row.into();
        // Not verified yet, so no counter depends on this column: the counters stay true.
        active.identity_changed_at = Set(at(6));
        active.update(&app.store.db).await.expect("backdate");
    }
    app.set_status_at(id(&old_staff), "verified", &[], Some(at(7))).await;

    let a1_report = get_ok(&app, &dept, &format!("/api/v1/stats/progress?unitId={}", f.school_a1)).await;
    let c6a = &child(&a1_report, f.class_a1_6a)["counters"];
    assert_eq!((c6a["total"].as_i64(), c6a["complete"].as_i64()), (Some(4), Some(2)));
    assert_eq!(c6a["shares"]["du"], 0.5);
    let c6b = &child(&a1_report, f.class_a1_6b)["counters"];
    assert_eq!((c6b["verified"].as_i64(), c6b["correct"].as_i64()), (Some(2), Some(1)));
    assert_eq!(c6b["shares"]["dung"], 0.3333);
    let a2_report = get_ok(&app, &dept, &format!("/api/v1/stats/progress?unitId={}", f.school_a2)).await;
    assert_eq!(a2_report["counters"]["clean"], 1);
    assert_eq!(a2_report["counters"]["shares"]["sach"], 0.3333);
    let b1_report = get_ok(&app, &dept, &format!("/api/v1/stats/progress?unitId={}", f.school_b1)).await;
    assert_eq!(b1_report["counters"]["verified"], 3);
    assert_eq!(b1_report["counters"]["live"], 1);
    assert_eq!(b1_report["counters"]["shares"]["song"], 0.3333);
    assert_eq!(child(&b1_report, f.class_b1_10a)["counters"]["shares"]["song"], 0.5);
    let old = child(&b1_report, old_class.id);
    assert_eq!(old["unit"]["schoolYear"], last_year.as_str(), "last year's class is listed while it holds records");
    assert_eq!(old["counters"]["live"], 0);
    let staff = get_ok(&app, &dept, &format!("/api/v1/stats/progress?unitId={}&population=staff", f.district_b)).await;
    assert_eq!(staff["counters"]["verified"], 2);
    assert_eq!(staff["counters"]["shares"]["song"], 0.5);

    // The definitions are in the API document.
    let doc = app.send(reqwest::Method::GET, "/api/openapi.json", None, None).await;
    let shares = &doc.body["components"]["schemas"]["Shares"]["properties"];
    for key in ["du", "dung", "sach", "song"] {
        assert!(shares[key]["description"].as_str().is_some_and(|d| d.len() > 40), "{key} is defined: {shares}");
    }
    assert!(counters::drift(&app.store.db).await.expect("drift").is_empty());
}

#[tokio::test]
async fn reasons_count_findings_and_mismatch_fields_per_unit() {
    let app = app().await;
    let f = app.fixtures;
    let a1 = app.login("school-a1").await;
    let a2 = app.login("school-a2").await;
    let mut made = Vec::new();
    for seq in 0..3 {
        let mut no_id = perfect_student(&app, 6, seq);
        no_id["personalId"] = Value::Null;
        made.push(app.create_student(&a1, f.class_a1_6a, no_id).await);
    }
    let mut nameless = perfect_student(&app, 7, 10);
    nameless["fullName"] = Value::Null;
    made.push(app.create_student(&a2, f.class_a2_7a, nameless).await);
    let m1 = app.create_student(&a2, f.class_a2_7a, perfect_student(&app, 7, 11)).await;
    let m2 = app.create_student(&a2, f.class_a2_7a, perfect_student(&app, 7, 12)).await;
    app.set_status(id(&m1), "mismatched", &["dateOfBirth"]).await;
    app.set_status(id(&m2), "mismatched", &["dateOfBirth", "residence"]).await;
    made.push(m1);
    made.push(m2);

    // Expected per school from each record's own findings (errors and warnings, once per code
    // and field).
    let tally = |records: &[&Value]| {
        let mut m = std::collections::BTreeMap::<(String, String, String), i64>::new();
        for r in records {
            let mut seen = std::collections::BTreeSet::new();
            for f in r["findings"].as_array().expect("findings") {
                let key = (
                    f["code"].as_str().expect("code").to_owned(),
                    f["field"].as_str().expect("field").to_owned(),
                    f["severity"].as_str().expect("severity").to_owned(),
                );
                if key.2 != "fixed" && seen.insert((key.0.clone(), key.1.clone())) {
                    *m.entry(key).or_default() += 1;
                }
            }
        }
        m
    };
    let as_map = |list: &Value| {
        list.as_array()
            .expect("findings")
            .iter()
            .map(|f| {
                (
                    (
                        f["code"].as_str().expect("code").to_owned(),
                        f["field"].as_str().expect("field").to_owned(),
                        f["severity"].as_str().expect("severity").to_owned(),
                    ),
                    f["count"].as_i64().expect("count"),
                )
            })
            .collect::<std::collections::BTreeMap<_, _>>()
    };
    let district = app.login("district-a").await;
    let reasons = get_ok(&app, &district, "/api/v1/stats/reasons").await;
    assert_eq!(reasons["total"], 6);
    let all: Vec<&Value> = made.iter().collect();
    assert_eq!(as_map(&reasons["findingCodes"]), tally(&all));
    let id_missing = reasons["findingCodes"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["code"] == "id_missing")
        .expect("id_missing counted");
    assert_eq!(id_missing["count"], 3);
    assert_eq!(id_missing["label"], "Chưa có số định danh cá nhân");
    assert_eq!(
        reasons["mismatchFields"],
        json!([
            {"field": "dateOfBirth", "label": "Ngày sinh", "count": 2},
            {"field": "residence", "label": "Nơi thường trú", "count": 1},
        ])
    );
    let a1_part = child(&reasons, f.school_a1);
    assert_eq!(as_map(&a1_part["findingCodes"]), tally(&made[..3].iter().collect::<Vec<_>>()));
    assert_eq!(a1_part["mismatchFields"], json!([]));
    let a2_part = child(&reasons, f.school_a2);
    assert_eq!(as_map(&a2_part["findingCodes"]), tally(&made[3..].iter().collect::<Vec<_>>()));
    assert_eq!(a2_part["mismatchFields"][0]["count"], 2);
    // Findings sorted by count, most frequent first.
    let counts: Vec<i64> =
        reasons["findingCodes"].as_array().expect("findings").iter().map(|f| f["count"].as_i64().expect("n")).collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "{counts:?}");

    // Fixing the records clears their reasons.
    for r in &made[..3] {
        let fix = app
            .patch(&format!("/api/v1/students/{}", id(r)), &a1, &json!({"personalId": format!("03121500{:04}", id(r))}))
            .await;
        assert_eq!(fix.status, 200, "{}", fix.text);
    }
    let after = get_ok(&app, &district, "/api/v1/stats/reasons").await;
    assert!(
        !after["findingCodes"].as_array().expect("findings").iter().any(|f| f["code"] == "id_missing"),
        "{after:#}"
    );
    assert!(counters::drift(&app.store.db).await.expect("drift").is_empty());
}

#[tokio::test]
async fn timeline_follows_simulated_days() {
    let app = app().await;
    let f = app.fixtures;
    let year = school_year(&app);
    let a1 = app.login("school-a1").await;
    let a2 = app.login("school-a2").await;
    let s1 = app.create_student(&a1, f.class_a1_6a, perfect_student(&app, 6, 1)).await;
    let s2 = app.create_student(&a1, f.class_a1_6a, perfect_student(&app, 6, 2)).await;
    let s3 = app.create_student(&a2, f.class_a2_7a, perfect_student(&app, 7, 3)).await;
    take_snapshot(&app.store.db, days_ago(3), &year, SnapshotMode::IfMissing).await.expect("day -3");
    app.set_status(id(&s1), "verified", &[]).await;
    take_snapshot(&app.store.db, days_ago(2), &year, SnapshotMode::IfMissing).await.expect("day -2");
    app.set_status(id(&s3), "verified", &[]).await;
    app.create_student(&a2, f.class_a2_7a, perfect_student(&app, 7, 4)).await;
    let rows = take_snapshot(&app.store.db, days_ago(1), &year, SnapshotMode::IfMissing).await.expect("day -1");
    assert_eq!(rows, 12, "six units, two populations");
    // Taking a missing-only snapshot again changes nothing.
    app.set_status(id(&s2), "verified", &[]).await;
    take_snapshot(&app.store.db, days_ago(1), &year, SnapshotMode::IfMissing).await.expect("again");

    let district = app.login("district-a").await;
    let t = get_ok(&app, &district, &format!("/api/v1/stats/timeline?from={}&to={}", days_ago(3), today())).await;
    assert_eq!(t["unit"]["id"], f.district_a);
    let points = t["points"].as_array().expect("points");
    let days: Vec<&str> = points.iter().filter_map(|p| p["date"].as_str()).collect();
    let want_days: Vec<String> = (0..4).rev().map(|n| days_ago(n).to_string()).collect();
    assert_eq!(days, want_days);
    let verified: Vec<i64> = points.iter().map(|p| p["verified"].as_i64().expect("n")).collect();
    assert_eq!(verified, vec![0, 1, 2, 3]);
    let total: Vec<i64> = points.iter().map(|p| p["total"].as_i64().expect("n")).collect();
    assert_eq!(total, vec![3, 3, 4, 4]);
    let remaining: Vec<i64> = points.iter().map(|p| p["remaining"].as_i64().expect("n")).collect();
    assert_eq!(remaining, vec![3, 2, 2, 1]);
    let live: Vec<bool> = points.iter().map(|p| p["livePoint"].as_bool().expect("b")).collect();
    assert_eq!(live, vec![false, false, false, true]);
    assert_eq!(points[2]["verifiedShare"], 0.5);
    assert_eq!(points[2]["shares"]["song"], 0.5);

    let a2_line = child(&t, f.school_a2)["points"].as_array().expect("points").clone();
    let a2_verified: Vec<i64> = a2_line.iter().map(|p| p["verified"].as_i64().expect("n")).collect();
    assert_eq!(a2_verified, vec![0, 0, 1, 1]);

    // A past range has no live point; the department's line sums both districts.
    let dept = app.login("department").await;
    let past = get_ok(&app, &dept, &format!("/api/v1/stats/timeline?from={}&to={}", days_ago(3), days_ago(1))).await;
    let totals: Vec<i64> =
        past["points"].as_array().expect("points").iter().map(|p| p["total"].as_i64().expect("n")).collect();
    assert_eq!(totals, vec![3, 3, 4]);
    assert_eq!(past["children"].as_array().expect("children").len(), 2);
    // Staff have their own, empty line.
    let staff = get_ok(&app, &dept, &format!("/api/v1/stats/timeline?population=staff&from={}", days_ago(3))).await;
    assert!(staff["points"].as_array().expect("points").iter().all(|p| p["total"] == 0));

    app.get(&format!("/api/v1/stats/timeline?from={}&to={}", today(), days_ago(1)), &dept)
        .await
        .assert_problem(422, "validation_failed");
    app.get(&format!("/api/v1/stats/timeline?from={}&to={}", days_ago(400), today()), &dept)
        .await
        .assert_problem(422, "validation_failed");
    app.get("/api/v1/stats/timeline?from=hôm-qua", &dept).await.assert_problem(400, "invalid_query");
}

#[tokio::test]
async fn burn_down_projects_completion_against_the_campaign_deadline() {
    let app = app().await;
    let f = app.fixtures;
    let year = school_year(&app);
    let a2 = app.login("school-a2").await;
    let mut ids = Vec::new();
    for seq in 0..10 {
        ids.push(id(&app.create_student(&a2, f.class_a2_7a, perfect_student(&app, 7, seq)).await));
    }
    // 0, 2, 4 and 6 verified on the last four days, 8 today: 20 points a day.
    take_snapshot(&app.store.db, days_ago(4), &year, SnapshotMode::IfMissing).await.expect("day -4");
    for (batch, day) in [(0usize, 3u64), (1, 2), (2, 1)] {
        for person in &ids[batch * 2..batch * 2 + 2] {
            app.set_status(*person, "verified", &[]).await;
        }
        take_snapshot(&app.store.db, days_ago(day), &year, SnapshotMode::IfMissing).await.expect("snapshot");
    }
    for person in &ids[6..8] {
        app.set_status(*person, "verified", &[]).await;
    }
    let dept = app.login("department").await;
    let t = get_ok(&app, &dept, &format!("/api/v1/stats/timeline?unitId={}&from={}", f.school_a2, days_ago(4))).await;
    let shares: Vec<f64> =
        t["points"].as_array().expect("points").iter().map(|p| p["verifiedShare"].as_f64().expect("share")).collect();
    assert_eq!(shares, vec![0.0, 0.2, 0.4, 0.6, 0.8]);
    assert_eq!(t["campaign"], Value::Null);
    let p = &t["projection"];
    assert_eq!(p["projectedCompletion"], days_ahead(1).to_string(), "{p:#}");
    assert_eq!(t["projectedFinish"], p["projectedCompletion"], "repeated at the top for charts");
    assert_eq!(p["projectedToMiss"], false);
    assert!((p["dailyGain"].as_f64().expect("gain") - 0.2).abs() < 1e-9);

    // Campaigns: the default is the latest active one; another can be picked.
    let on_time = app
        .post(
            "/api/v1/campaigns",
            &dept,
            &json!({"name": "Xác thực học sinh", "population": "students", "start": days_ago(10), "deadline": days_ahead(5)}),
        )
        .await;
    assert_eq!(on_time.status, 201, "{}", on_time.text);
    let today_deadline = app
        .post(
            "/api/v1/campaigns",
            &dept,
            &json!({"name": "Đợt gấp", "population": "students", "start": days_ago(20), "deadline": today()}),
        )
        .await;
    assert_eq!(today_deadline.status, 201, "{}", today_deadline.text);
    app.post(
        "/api/v1/campaigns",
        &dept,
        &json!({"name": "Cán bộ", "population": "staff", "start": days_ago(1), "deadline": days_ahead(1)}),
    )
    .await;
    let progress = get_ok(&app, &dept, &format!("/api/v1/stats/progress?unitId={}", f.district_a)).await;
    assert_eq!(progress["campaign"]["id"], on_time.body["id"], "latest active campaign for students");
    let a2_child = child(&progress, f.school_a2);
    assert_eq!(a2_child["projection"]["deadline"], days_ahead(5).to_string());
    assert_eq!(a2_child["projection"]["projectedToMiss"], false);
    assert_eq!(a2_child["projection"]["status"], "on_track");
    // School A1 has nothing and no pace: it misses any deadline.
    let a1_child = child(&progress, f.school_a1);
    assert_eq!(a1_child["projection"]["projectedToMiss"], true);
    assert_eq!(a1_child["projection"]["status"], "stalled");

    let urgent = get_ok(
        &app,
        &dept,
        &format!("/api/v1/stats/progress?unitId={}&campaignId={}", f.district_a, today_deadline.body["id"]),
    )
    .await;
    let a2_urgent = &child(&urgent, f.school_a2)["projection"];
    assert_eq!(a2_urgent["projectedCompletion"], days_ahead(1).to_string());
    assert_eq!(a2_urgent["projectedToMiss"], true, "done tomorrow misses today's deadline: {a2_urgent:#}");
    assert_eq!(a2_urgent["status"], "projected_to_miss");

    let urgent_line = get_ok(
        &app,
        &dept,
        &format!("/api/v1/stats/timeline?unitId={}&campaignId={}", f.school_a2, today_deadline.body["id"]),
    )
    .await;
    assert_eq!(urgent_line["deadline"], today().to_string());
    assert_eq!(urgent_line["projectedFinish"], days_ahead(1).to_string());
    assert_eq!(urgent_line["projection"]["projectedToMiss"], true);

    // Finishing the work completes the unit.
    for person in &ids[8..] {
        app.set_status(*person, "verified", &[]).await;
    }
    let done = get_ok(
        &app,
        &dept,
        &format!("/api/v1/stats/progress?unitId={}&campaignId={}", f.school_a2, today_deadline.body["id"]),
    )
    .await;
    assert_eq!(done["projection"]["status"], "complete");
    assert_eq!(done["projection"]["projectedToMiss"], false);
    assert_eq!(done["projection"]["projectedCompletion"], today().to_string());
}

#[tokio::test]
async fn laggards_are_ordered_with_their_reasons_and_contact() {
    use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};
    let app = app().await;
    let f = app.fixtures;
    // School B1 has its own contact in the unit list; A1 has none, so its office is the contact.
    for (unit, phone, email) in [
        (f.district_a, "0225 3840 001", "pgd-a@haiphong.edu.vn"),
        (f.district_b, "0225 3840 002", "pgd-b@haiphong.edu.vn"),
        (f.school_b1, "0225 3850 123", "thpt-b1@haiphong.edu.vn"),
    ] {
        let u = dinhdanh::store::entities::units::Entity::find_by_id(unit)
            .one(&app.store.db)
            .await
            .expect("query")
            .expect("unit");
        let mut active: dinhdanh::store::entities::units::ActiveModel = u.into();
        active.phone = Set(Some(phone.to_owned()));
        active.email = Set(Some(email.to_owned()));
        if unit == f.school_b1 {
            active.principal = Set(Some("Nguyễn Thị Lan".to_owned()));
        }
        active.update(&app.store.db).await.expect("update unit");
    }
    let a1 = app.login("school-a1").await;
    let a2 = app.login("school-a2").await;
    let b1 = app.login("school-b1").await;
    // A1: 4 records, 1 verified, 2 without an ID number.
    for seq in 0..4 {
        let mut body = perfect_student(&app, 6, seq);
        if seq >= 2 {
            body["personalId"] = Value::Null;
        }
        let s = app.create_student(&a1, f.class_a1_6a, body).await;
        if seq == 0 {
            app.set_status(id(&s), "verified", &[]).await;
        }
    }
    // A2: 4 records, 3 verified, 1 mismatched on the date of birth.
    for seq in 10..14 {
        let s = app.create_student(&a2, f.class_a2_7a, perfect_student(&app, 7, seq)).await;
        if seq < 13 {
            app.set_status(id(&s), "verified", &[]).await;
        } else {
            app.set_status(id(&s), "mismatched", &["dateOfBirth"]).await;
        }
    }
    // B1: 2 records, none verified, one not found.
    for seq in 20..22 {
        let s = app.create_student(&b1, f.class_b1_10a, perfect_student(&app, 10, seq)).await;
        if seq == 20 {
            app.set_status(id(&s), "not_found", &[]).await;
        }
    }
    let dept = app.login("department").await;
    let l = get_ok(&app, &dept, "/api/v1/stats/laggards").await;
    let items = l["items"].as_array().expect("items");
    let order: Vec<i64> = items.iter().map(|i| i["unit"]["id"].as_i64().expect("id")).collect();
    assert_eq!(order, vec![f.school_b1, f.school_a1, f.school_a2]);
    let ranks: Vec<i64> = items.iter().map(|i| i["rank"].as_i64().expect("rank")).collect();
    assert_eq!(ranks, vec![1, 2, 3]);
    assert_eq!(items[0]["contact"]["unitId"], f.school_b1, "the school's own contact");
    assert_eq!(items[0]["contact"]["phone"], "0225 3850 123");
    assert_eq!(items[0]["contact"]["principal"], "Nguyễn Thị Lan");
    assert_eq!(items[1]["contact"]["unitId"], f.district_a, "a school without a contact: its office");
    assert_eq!(items[1]["contact"]["email"], "pgd-a@haiphong.edu.vn");
    assert_eq!(items[0]["counters"]["verifiedShare"], 0.0);
    assert_eq!(items[1]["counters"]["verifiedShare"], 0.25);
    assert_eq!(items[1]["verifiedShare"], 0.25, "repeated at the top for lists");
    assert!(items.iter().all(|i| i["projectedToMiss"] == i["projection"]["projectedToMiss"]));
    let top_codes = |i: usize| -> Vec<(String, i64)> {
        items[i]["topReasons"]
            .as_array()
            .expect("reasons")
            .iter()
            .map(|r| {
                (
                    format!(
                        "{}:{}",
                        r["kind"].as_str().expect("kind"),
                        r["field"].as_str().unwrap_or(r["code"].as_str().expect("code"))
                    ),
                    r["count"].as_i64().expect("count"),
                )
            })
            .collect()
    };
    assert!(top_codes(0).contains(&("status:not_found".to_owned(), 1)), "{:?}", top_codes(0));
    assert_eq!(top_codes(1)[0], ("finding:personalId".to_owned(), 2), "id_missing leads in A1");
    assert_eq!(items[1]["topReasons"][0]["code"], "id_missing");
    assert_eq!(top_codes(2), vec![("mismatch:dateOfBirth".to_owned(), 1)]);
    assert!(items.iter().all(|i| i["topReasons"].as_array().expect("reasons").len() <= 3));

    // Limits, levels and scope.
    let one = get_ok(&app, &dept, "/api/v1/stats/laggards?limit=1").await;
    assert_eq!(one["items"].as_array().expect("items").len(), 1);
    let by_district = get_ok(&app, &dept, "/api/v1/stats/laggards?level=district").await;
    let order: Vec<i64> =
        by_district["items"].as_array().expect("items").iter().map(|i| i["unit"]["id"].as_i64().expect("id")).collect();
    assert_eq!(order, vec![f.district_b, f.district_a]);
    assert_eq!(by_district["items"][0]["contact"]["name"], "Phòng GDĐT huyện B", "the office's own contact");
    let district = app.login("district-a").await;
    let mine = get_ok(&app, &district, "/api/v1/stats/laggards").await;
    let order: Vec<i64> =
        mine["items"].as_array().expect("items").iter().map(|i| i["unit"]["id"].as_i64().expect("id")).collect();
    assert_eq!(order, vec![f.school_a1, f.school_a2]);
    for bad in ["limit=0", "limit=101", "level=department"] {
        app.get(&format!("/api/v1/stats/laggards?{bad}"), &dept).await.assert_problem(422, "validation_failed");
    }
    // No student's personal data in the answer (the contact is the school's published one).
    let mut without_contacts = l.clone();
    for item in without_contacts["items"].as_array_mut().expect("items") {
        item.as_object_mut().expect("item").remove("contact");
    }
    assert!(!without_contacts.to_string().contains("Nguyễn"), "laggards name units, not people");
}

#[tokio::test]
async fn the_excel_report_opens_and_its_numbers_equal_the_api() {
    use calamine::{Data, Reader, Xlsx};
    let app = app().await;
    let f = app.fixtures;
    let a1 = app.login("school-a1").await;
    let b1 = app.login("school-b1").await;
    for seq in 0..3 {
        let mut body = perfect_student(&app, 6, seq);
        if seq == 2 {
            body["personalId"] = Value::Null;
        }
        let s = app.create_student(&a1, f.class_a1_6a, body).await;
        if seq == 0 {
            app.set_status(id(&s), "verified", &[]).await;
        }
    }
    let s = app.create_student(&b1, f.class_b1_10a, perfect_student(&app, 10, 5)).await;
    app.set_status(id(&s), "mismatched", &["gender"]).await;
    let dept = app.login("department").await;
    let res = app.client.get(app.url("/api/v1/stats/report.xlsx")).bearer_auth(&dept).send().await.expect("request");
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(res.headers()["content-type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    let disposition = res.headers()["content-disposition"].to_str().expect("header").to_owned();
    assert!(disposition.starts_with("attachment; filename=\"bao-cao-tien-do-SGD-T-students-"), "{disposition}");
    let bytes = res.bytes().await.expect("body");
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).expect("opens as xlsx");
    assert_eq!(book.sheet_names(), vec!["Tổng hợp", "Lý do", "Đơn vị chậm"]);

    let progress = get_ok(&app, &dept, "/api/v1/stats/progress").await;
    let summary = book.worksheet_range("Tổng hợp").expect("summary");
    let text = |r: u32, c: u32| match summary.get_value((r, c)) {
        Some(Data::String(s)) => s.clone(),
        other => format!("{other:?}"),
    };
    let number = |r: u32, c: u32| match summary.get_value((r, c)) {
        Some(Data::Float(x)) => *x,
        Some(Data::Int(x)) => *x as f64,
        other => panic!("no number at ({r}, {c}): {other:?}"),
    };
    let header = dinhdanh::stats::report::SUMMARY_HEADER_ROW;
    assert_eq!(text(header, 0), "Đơn vị");
    assert_eq!(text(header, 13), "Đủ");
    assert_eq!(text(header, 16), "Sống");
    let rows: Vec<(Value, u32)> = {
        let mut rows: Vec<(Value, u32)> = progress["children"]
            .as_array()
            .expect("children")
            .iter()
            .enumerate()
            .map(|(i, c)| (c.clone(), header + 1 + i as u32))
            .collect();
        let last = header + 1 + rows.len() as u32;
        rows.push((json!({"unit": progress["unit"], "counters": progress["counters"]}), last));
        rows
    };
    assert!(text(rows[rows.len() - 1].1, 0).starts_with("Tổng cộng"));
    for (item, row) in rows {
        let c = &item["counters"];
        assert!(text(row, 0).contains(item["unit"]["name"].as_str().expect("name")));
        let numbers = [
            "total",
            "withPersonalId",
            "validPersonalId",
            "noErrors",
            "sent",
            "verified",
            "mismatched",
            "notFound",
            "awaitingEvidence",
            "notSent",
        ];
        for (col, key) in (2u32..).zip(numbers) {
            assert_eq!(number(row, col), c[key].as_f64().expect("n"), "row {row} {key}");
        }
        assert_eq!(number(row, 12), c["verifiedShare"].as_f64().expect("share"));
        for (col, key) in (13u32..).zip(["du", "dung", "sach", "song"]) {
            assert_eq!(number(row, col), c["shares"][key].as_f64().expect("share"), "row {row} {key}");
        }
    }
    assert_eq!(number(header + 3, 2), 4.0, "the total row counts every record");

    let reasons = get_ok(&app, &dept, "/api/v1/stats/reasons").await;
    let sheet = book.worksheet_range("Lý do").expect("reasons");
    assert_eq!(sheet.get_value((2, 0)), Some(&Data::String("Mã lỗi".into())));
    for (i, f) in reasons["findingCodes"].as_array().expect("findings").iter().enumerate() {
        let row = 3 + i as u32;
        assert_eq!(sheet.get_value((row, 0)), Some(&Data::String(f["code"].as_str().expect("code").into())));
        assert_eq!(sheet.get_value((row, 4)), Some(&Data::Float(f["count"].as_f64().expect("count"))));
    }
    let lag = book.worksheet_range("Đơn vị chậm").expect("laggards");
    assert_eq!(lag.get_value((3, 1)), Some(&Data::String("Trường THPT B1".into())), "B1 has nothing verified");
}

/// A small deterministic generator (xorshift64*), so a failure replays.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Progress and reasons of every unit for both populations, as the API shows them.
async fn every_level(app: &TestApp, token: &str) -> Vec<Value> {
    let f = app.fixtures;
    let mut out = Vec::new();
    for unit in [f.department, f.district_a, f.district_b, f.school_a1, f.school_a2, f.school_b1] {
        for population in ["students", "staff"] {
            let q = format!("unitId={unit}&population={population}");
            out.push(get_ok(app, token, &format!("/api/v1/stats/progress?{q}")).await);
            out.push(get_ok(app, token, &format!("/api/v1/stats/reasons?{q}")).await);
        }
    }
    out
}

#[tokio::test]
async fn counters_equal_a_full_recount_after_a_random_sequence_of_changes() {
    let app = app().await;
    let f = app.fixtures;
    // each record is changed by the account of the unit that holds it (the only one that may)
    let mut editors = std::collections::HashMap::new();
    for (unit, account) in [
        (f.department, "department"),
        (f.district_a, "district-a"),
        (f.district_b, "district-b"),
        (f.school_a1, "school-a1"),
        (f.school_a2, "school-a2"),
        (f.school_b1, "school-b1"),
    ] {
        editors.insert(unit, app.login(account).await);
    }
    let editor = |unit: i64| editors[&unit].clone();
    let classes = [(f.class_a1_6a, 6), (f.class_a1_6b, 6), (f.class_a2_7a, 7), (f.class_b1_10a, 10)];
    let class_school = [f.school_a1, f.school_a1, f.school_a2, f.school_b1];
    let staff_units = [f.department, f.district_a, f.district_b, f.school_a1, f.school_b1];
    // Verified twice as often: most counts hinge on it.
    let statuses =
        ["not_sent", "queued", "verified", "verified", "mismatched", "not_found", "awaiting_evidence", "error"];
    let fields = ["fullName", "dateOfBirth", "gender", "personalId", "residence"];
    // A small pool of ID numbers, so duplicates come and go.
    let pool: Vec<String> =
        (0..6).map(|i| format!("031215{:06}", 900 + i)).chain(["12345".to_owned(), "012345678".to_owned()]).collect();
    let mut rng = Rng(0x5EED_2026_1130);
    let mut students: Vec<(i64, usize)> = Vec::new();
    let mut staff: Vec<(i64, i64)> = Vec::new();
    let mut kinds_done = std::collections::BTreeSet::new();
    #[derive(Debug, Default)]
    struct Seen {
        live: bool,
        mismatch: bool,
        send_failed: bool,
        old_year: bool,
        duplicate: bool,
    }
    let mut seen = Seen::default();
    for step in 0..200u32 {
        let op = rng.below(11);
        let what = match op {
            0..=2 => {
                let (class, grade) = *rng.pick(&classes);
                let mut body = perfect_student(&app, grade, step);
                for key in ["fullName", "dateOfBirth", "gender"] {
                    if rng.chance(15) {
                        body[key] = Value::Null;
                    }
                }
                if rng.chance(40) {
                    body["personalId"] = json!(rng.pick(&pool));
                } else if rng.chance(15) {
                    body["personalId"] = Value::Null;
                }
                if rng.chance(15) {
                    body["residence"] = Value::Null;
                }
                let school = class_school[classes.iter().position(|c| c.0 == class).expect("class")];
                let created = app.create_student(&editor(school), class, body).await;
                students.push((id(&created), classes.iter().position(|c| c.0 == class).expect("class")));
                "create student"
            }
            3 if !students.is_empty() => {
                let (person, class) = *rng.pick(&students);
                let admin = editor(class_school[class]);
                let mut patch = match rng.below(4) {
                    0 => json!({"personalId": rng.pick(&pool)}),
                    1 => json!({"gender": if rng.chance(50) { Value::Null } else { json!("Nữ") }}),
                    2 => json!({"fullName": "Phạm Thu Hằng", "residence": {"commune": null}}),
                    _ => json!({"residenceText": "Số 1 Lạch Tray, Hải Phòng"}),
                };
                // the counters follow any write, worsening or of a verified record (issue 11's guards aside)
                patch["allowWorse"] = json!(true);
                patch["confirmVerifiedChanges"] = json!(true);
                let res = app.patch(&format!("/api/v1/students/{person}"), &admin, &patch).await;
                assert_eq!(res.status, 200, "{}", res.text);
                "edit student"
            }
            4 if !students.is_empty() => {
                let i = rng.below(students.len());
                let (person, class) = students[i];
                let other = if class == 0 { f.class_a1_6b } else { f.class_a1_6a };
                if class <= 1 {
                    let admin = editor(f.school_a1);
                    let res =
                        app.patch(&format!("/api/v1/students/{person}"), &admin, &json!({"classId": other})).await;
                    assert_eq!(res.status, 200, "{}", res.text);
                    students[i].1 = 1 - class;
                    "move student"
                } else {
                    "no move possible"
                }
            }
            5 if !students.is_empty() => {
                let i = rng.below(students.len());
                let (person, class) = students.swap_remove(i);
                let admin = editor(class_school[class]);
                assert_eq!(app.delete(&format!("/api/v1/students/{person}"), &admin).await.status, 204);
                "delete student"
            }
            6..=8 if !students.is_empty() || !staff.is_empty() => {
                let person = if students.is_empty() || (!staff.is_empty() && rng.chance(40)) {
                    rng.pick(&staff).0
                } else {
                    rng.pick(&students).0
                };
                let status = *rng.pick(&statuses);
                let mut mismatch: Vec<&str> = fields.iter().copied().filter(|_| rng.chance(40)).collect();
                if status == "mismatched" && mismatch.is_empty() {
                    mismatch.push("dateOfBirth");
                }
                // Answers arrive now, late (for an earlier version of the record), or dated in
                // the last school year (staff buckets by the year of verification).
                // The school year starts at 1 August 00:00 in Vietnam, 31 July 17:00 UTC.
                let boundary = NaiveDate::from_ymd_opt(year_start(&app), 7, 31)
                    .and_then(|d| d.and_hms_opt(17, 0, 0))
                    .map(|t| t.and_utc())
                    .expect("boundary");
                let at = match rng.below(6) {
                    0 => Some(app.clock.now() - chrono::Duration::days(3)),
                    1 => Some(boundary),
                    2 => Some(boundary - chrono::Duration::seconds(1)),
                    3 => {
                        // An answer about the version before the last change.
                        use sea_orm::EntityTrait;
                        let row = dinhdanh::store::entities::people::Entity::find_by_id(person)
                            .one(&app.store.db)
                            .await
                            .expect("query")
                            .expect("row");
                        Some(row.identity_changed_at - chrono::Duration::milliseconds(1))
                    }
                    _ => None,
                };
                app.set_status_at(person, status, &mismatch, at).await;
                "status"
            }
            9 => {
                let unit = *rng.pick(&staff_units);
                let mut body = perfect_staff(step);
                if rng.chance(30) {
                    body["personalId"] = json!(rng.pick(&pool));
                }
                staff.push((id(&app.create_staff(&editor(unit), Some(unit), body).await), unit));
                "create staff"
            }
            _ if !staff.is_empty() => {
                let i = rng.below(staff.len());
                let admin = editor(staff[i].1);
                if rng.chance(40) {
                    let (person, _) = staff.swap_remove(i);
                    assert_eq!(app.delete(&format!("/api/v1/staff/{person}"), &admin).await.status, 204);
                    "delete staff"
                } else {
                    let res = app
                        .patch(
                            &format!("/api/v1/staff/{}", staff[i].0),
                            &admin,
                            &json!({"dateOfBirth": "01/01/1990", "confirmVerifiedChanges": true}),
                        )
                        .await;
                    assert_eq!(res.status, 200, "{}", res.text);
                    "edit staff"
                }
            }
            _ => "nothing applicable",
        };
        kinds_done.insert(what);
        let drift = counters::drift(&app.store.db).await.expect("drift");
        assert!(drift.is_empty(), "step {step} ({what}): counters differ from a recount:\n{}", drift.join("\n"));
        let stored = counters::stored(&app.store.db).await.expect("stored");
        for (k, t) in &stored.counters {
            seen.live |= t.live > 0;
            seen.mismatch |= t.mm_date_of_birth > 0;
            seen.send_failed |= t.send_failed > 0;
            seen.old_year |= k.kind == "staff" && !k.live_year.is_empty() && k.live_year != school_year(&app);
        }
        seen.duplicate |= stored.reasons.keys().any(|k| k.code == "id_duplicate");
    }
    assert!(
        seen.live && seen.mismatch && seen.send_failed && seen.old_year && seen.duplicate,
        "the sequence reached every kind of count: {seen:?}"
    );
    for op in [
        "create student",
        "edit student",
        "move student",
        "delete student",
        "status",
        "create staff",
        "delete staff",
        "edit staff",
    ] {
        assert!(kinds_done.contains(op), "the sequence exercised {op}: {kinds_done:?}");
    }
    // Every level through the API: the same after replacing the counters with a recount.
    let dept = app.login("department").await;
    let before = every_level(&app, &dept).await;
    counters::rebuild_atomically(&app.store.db).await.expect("rebuild");
    let after = every_level(&app, &dept).await;
    assert_eq!(before, after);
}

#[tokio::test]
async fn late_answers_and_school_year_boundaries_count_alike_in_both_paths() {
    use sea_orm::EntityTrait;
    let app = app().await;
    let f = app.fixtures;
    let a1 = app.login("school-a1").await;
    let admin = app.login("district-a").await;
    // An answer about the version before an edit: verified, but not live.
    let s = app.create_student(&a1, f.class_a1_6a, perfect_student(&app, 6, 1)).await;
    app.clock.advance(chrono::Duration::minutes(5));
    let edited = app.patch(&format!("/api/v1/students/{}", id(&s)), &a1, &json!({"fullName": "Nguyễn Văn Bình"})).await;
    assert_eq!(edited.status, 200, "{}", edited.text);
    let row = dinhdanh::store::entities::people::Entity::find_by_id(id(&s))
        .one(&app.store.db)
        .await
        .expect("query")
        .expect("row");
    assert!(row.identity_changed_at > row.created_at);
    let between = row.created_at + (row.identity_changed_at - row.created_at) / 2;
    app.set_status_at(id(&s), "verified", &[], Some(between)).await;
    // Staff answered on either side of the school year's first instant (1 August, Vietnam).
    let boundary = NaiveDate::from_ymd_opt(year_start(&app), 7, 31)
        .and_then(|d| d.and_hms_opt(17, 0, 0))
        .map(|t| t.and_utc())
        .expect("boundary");
    for (seq, at) in [(1, boundary), (2, boundary - chrono::Duration::seconds(1))] {
        let staff = app.create_staff(&admin, Some(f.district_a), perfect_staff(seq)).await;
        app.set_status_at(id(&staff), "verified", &[], Some(at)).await;
    }
    let drift = counters::drift(&app.store.db).await.expect("drift");
    assert!(drift.is_empty(), "{}", drift.join("\n"));
    let stored = counters::stored(&app.store.db).await.expect("stored");
    let years: std::collections::BTreeSet<&str> =
        stored.counters.keys().filter(|k| k.kind == "staff").map(|k| k.live_year.as_str()).collect();
    let last = format!("{}-{}", year_start(&app) - 1, year_start(&app));
    assert_eq!(years, [last.as_str(), school_year(&app).as_str()].into_iter().collect());
    let dept = app.login("department").await;
    let p = get_ok(&app, &dept, &format!("/api/v1/stats/progress?unitId={}", f.school_a1)).await;
    assert_eq!((p["counters"]["verified"].as_i64(), p["counters"]["live"].as_i64()), (Some(1), Some(0)));
}

/// The counters as the per-record definitions give them, summed over every active record.
async fn per_record_recount(
    conn: &sea_orm::DatabaseConnection,
) -> (
    std::collections::BTreeMap<counters::CounterKey, dinhdanh::stats::Tally>,
    std::collections::BTreeMap<counters::ReasonKey, i64>,
) {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let people = dinhdanh::store::entities::people::Entity::find()
        .filter(dinhdanh::store::entities::people::Column::DeletedAt.is_null())
        .all(conn)
        .await
        .expect("people");
    let years: std::collections::HashMap<i64, String> = dinhdanh::store::entities::classes::Entity::find()
        .all(conn)
        .await
        .expect("classes")
        .into_iter()
        .map(|c| (c.id, c.school_year))
        .collect();
    let mut counted = std::collections::BTreeMap::new();
    let mut reasons = std::collections::BTreeMap::new();
    for p in &people {
        let (key, tally) =
            counters::person_tally(p, p.class_id.and_then(|c| years.get(&c)).map(String::as_str)).expect("outcome");
        counted.entry(key).or_insert_with(dinhdanh::stats::Tally::default).add(&tally);
        for key in counters::person_reasons(p).expect("outcome") {
            *reasons.entry(key).or_insert(0) += 1;
        }
    }
    (counted, reasons)
}

#[tokio::test]
async fn the_sql_recount_and_the_per_record_definitions_agree_on_damaged_demo_data() {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let db = dinhdanh_tests::TestDb::fresh().await;
    let conn = sea_orm::Database::connect(&db.url).await.expect("connect");
    dinhdanh::db::migrate(&conn).await.expect("migrate");
    let store = dinhdanh::store::Store::new(conn.clone());
    let population = dinhdanh::registry::population::Population::open(
        &dinhdanh_tests::test_settings(&db.url).registry_sim.database_url,
    )
    .await
    .expect("population");
    let report = dinhdanh::demo::seed(&store, &population, 300, 7, &dinhdanh_tests::test_settings(&db.url).clock)
        .await
        .expect("seed");
    assert!(report.damaged > 0, "the demo damages records");
    // Give some records registry answers of every kind, the way a worker writes them.
    let ctx = dinhdanh::store::audit::AuditCtx::system(
        dinhdanh::store::audit::Source::Registry,
        None,
        dinhdanh_tests::pinned_instant(),
    );
    let people = dinhdanh::store::entities::people::Entity::find()
        .filter(dinhdanh::store::entities::people::Column::DeletedAt.is_null())
        .all(&conn)
        .await
        .expect("people");
    let statuses = [
        dinhdanh::domain::org::VerificationStatus::Verified,
        dinhdanh::domain::org::VerificationStatus::Mismatched,
        dinhdanh::domain::org::VerificationStatus::NotFound,
        dinhdanh::domain::org::VerificationStatus::Error,
    ];
    for (i, p) in people.iter().enumerate().filter(|(i, _)| i % 3 == 0) {
        let status = statuses[(i / 3) % statuses.len()];
        counters::write_status(&conn, &ctx, p.id, status, &["dateOfBirth", "residence"], ctx.at).await.expect("status");
    }
    assert!(counters::drift(&conn).await.expect("drift").is_empty());

    // The per-record definitions (used on every write), summed here, equal the SQL recount.
    let (counted, reasons) = per_record_recount(&conn).await;
    let recount = counters::recount(&conn).await.expect("recount");
    assert_eq!(recount.counters, counted);
    assert_eq!(recount.reasons, reasons);
    let totals = counted.values().fold(dinhdanh::stats::Tally::default(), |mut acc, t| {
        acc.add(t);
        acc
    });
    assert!(totals.complete > 0 && totals.complete < totals.total, "damage makes some records incomplete: {totals:?}");
    assert!(totals.clean < totals.total && totals.valid_personal_id < totals.with_personal_id, "{totals:?}");
    assert!(totals.mm_residence > 0 && totals.send_failed > 0, "{totals:?}");
}

#[tokio::test]
async fn bulk_inserts_are_counted_after_a_rebuild() {
    use sea_orm::{ActiveValue::Set, EntityTrait};
    let app = app().await;
    let f = app.fixtures;
    let now = app.clock.now();
    let row = |i: i64, status: &str| dinhdanh::store::entities::people::ActiveModel {
        kind: Set("student".into()),
        unit_id: Set(f.school_a2),
        class_id: Set(Some(f.class_a2_7a)),
        full_name: Set(Some(format!("Học sinh {i}"))),
        personal_id: Set(Some(format!("031215{i:06}"))),
        norm_personal_id: Set(Some(format!("031215{i:06}"))),
        // what the store derives from the normalised number (the statistics read it)
        personal_id_valid: Set(true),
        outcome: Set(serde_json::to_string(&dinhdanh::rules::Outcome::default()).expect("json")),
        error_count: Set(0),
        warning_count: Set(0),
        fixed_count: Set(0),
        status: Set(status.into()),
        verified_at: Set((status == "verified").then_some(now)),
        version: Set(1),
        identity_changed_at: Set(now - chrono::Duration::days(1)),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    let mut rows: Vec<_> = (0..50).map(|i| row(i, if i % 5 == 0 { "verified" } else { "not_sent" })).collect();
    // Values only a bulk path could write: 12 characters that are not all digits, odd mismatch
    // lists, a blank name.
    rows[1].norm_personal_id = Set(Some("03121500000A".into()));
    rows[1].personal_id_valid = Set(false);
    rows[2].status = Set("mismatched".into());
    rows[2].mismatch_fields = Set(Some("gender,FULLNAME, residence,dateOfBirth".into()));
    rows[3].full_name = Set(Some(String::new()));
    dinhdanh::store::entities::people::Entity::insert_many(rows)
        .exec_without_returning(&app.store.db)
        .await
        .expect("insert");
    assert!(!counters::drift(&app.store.db).await.expect("drift").is_empty(), "a bulk insert bypasses the counters");
    counters::rebuild_atomically(&app.store.db).await.expect("rebuild");
    assert!(counters::drift(&app.store.db).await.expect("drift").is_empty());
    let (counted, _) = per_record_recount(&app.store.db).await;
    assert_eq!(counters::stored(&app.store.db).await.expect("stored").counters, counted);
    let dept = app.login("department").await;
    let p = get_ok(&app, &dept, &format!("/api/v1/stats/progress?unitId={}", f.school_a2)).await;
    assert_eq!(p["counters"]["total"], 50);
    assert_eq!(p["counters"]["verified"], 10);
    assert_eq!(p["counters"]["validPersonalId"], 49);
    assert_eq!(p["counters"]["mismatchedByField"]["gender"], 1);
    assert_eq!(p["counters"]["mismatchedByField"]["fullName"], 0, "field names are exact");
    assert_eq!(p["counters"]["mismatchedByField"]["residence"], 0, "no spaces around names");
    assert_eq!(p["counters"]["mismatchedByField"]["dateOfBirth"], 1);
    assert_eq!(p["counters"]["live"], 10);
    assert_eq!(p["counters"]["complete"], 0, "no date of birth, gender or residence");
    // Start-up rebuilds empty counters when records exist.
    use sea_orm::ConnectionTrait;
    app.store.db.execute_unprepared("DELETE FROM stat_counters").await.expect("clear");
    assert!(counters::ensure_built(&app.store.db).await.expect("ensure"));
    assert!(!counters::ensure_built(&app.store.db).await.expect("ensure again"), "only when empty");
    let again = get_ok(&app, &dept, &format!("/api/v1/stats/progress?unitId={}", f.school_a2)).await;
    assert_eq!(again["counters"], p["counters"]);
}

#[tokio::test]
async fn campaigns_are_set_by_the_department_and_seen_below() {
    let app = app().await;
    let f = app.fixtures;
    let dept = app.login("department").await;
    let school = app.login("school-a1").await;
    let body = json!({"name": "  Xác thực   học sinh 2026 ", "population": "students", "start": days_ago(3), "deadline": days_ahead(30)});
    app.post("/api/v1/campaigns", &school, &body).await.assert_problem(403, "forbidden");
    let created = app.post("/api/v1/campaigns", &dept, &body).await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.body["name"], "Xác thực học sinh 2026");
    assert_eq!(created.body["active"], true);
    assert_eq!(created.body["unitId"], f.department);
    let location = created.headers["location"].to_str().expect("location").to_owned();
    assert_eq!(location, format!("/api/v1/campaigns/{}", created.body["id"]));
    let fetched = get_ok(&app, &school, &location).await;
    assert_eq!(fetched["id"], created.body["id"]);
    let listed = get_ok(&app, &school, "/api/v1/campaigns").await;
    assert_eq!(listed["items"].as_array().expect("items").len(), 1, "a school sees the Department's campaign");
    let progress = get_ok(&app, &school, "/api/v1/stats/progress").await;
    assert_eq!(progress["campaign"]["id"], created.body["id"]);
    let staff = get_ok(&app, &school, "/api/v1/stats/progress?population=staff").await;
    assert_eq!(staff["campaign"], Value::Null, "a students' campaign does not apply to staff");

    let bad = app
        .post(
            "/api/v1/campaigns",
            &dept,
            &json!({"name": " ", "population": "students", "start": today(), "deadline": days_ago(1)}),
        )
        .await;
    bad.assert_problem(422, "validation_failed");
    let pointers: Vec<&str> =
        bad.body["errors"].as_array().expect("errors").iter().filter_map(|e| e["pointer"].as_str()).collect();
    assert_eq!(pointers, vec!["/name", "/deadline"]);
    app.post(
        "/api/v1/campaigns",
        &dept,
        &json!({"name": "x", "population": "parents", "start": today(), "deadline": today()}),
    )
    .await
    .assert_problem(422, "validation_failed");
    // A past campaign is listed but not picked by default.
    let past = app
        .post(
            "/api/v1/campaigns",
            &dept,
            &json!({"name": "Năm trước", "population": "students", "start": days_ago(400), "deadline": days_ago(300)}),
        )
        .await;
    assert_eq!(past.body["active"], false);
    let progress = get_ok(&app, &dept, "/api/v1/stats/progress").await;
    assert_eq!(progress["campaign"]["id"], created.body["id"]);

    // On-demand snapshot: Department and admin only.
    app.send(reqwest::Method::POST, "/api/v1/stats/snapshots", Some(&school), None)
        .await
        .assert_problem(403, "forbidden");
    let snap = app.send(reqwest::Method::POST, "/api/v1/stats/snapshots", Some(&dept), None).await;
    assert_eq!(snap.status, 200, "{}", snap.text);
    assert_eq!(snap.body["rows"], 12);
    assert_eq!(snap.body["day"], today().to_string());
}
