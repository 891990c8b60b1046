//! The authorization matrix (issue 12), generated from `openapi/openapi.json`: every operation
//! is tried by a school, a district office and the Department on an object they edit, one
//! they only see (an office on a school's record), one outside their subtree, and one in a
//! sibling unit whose path shares a prefix with theirs (school `4` and school `40` under the
//! same district, `1/2/4/` and `1/2/40/`). An operation of the document without a row here
//! fails the test: a new route needs its row. Runs on SQLite, and on PostgreSQL when
//! `TEST_DATABASE_URL` is set.

use std::collections::BTreeSet;

use dinhdanh::domain::access::Role;
use dinhdanh::domain::org::{SchoolLevel, UnitKind};
use dinhdanh::store::{classes, units, users};
use dinhdanh_tests::{Answer, TestApp, spawn_app};
use serde_json::{Value, json};

/// Who may call an operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Access {
    /// No account needed (sign-in, health): not part of the matrix.
    Public,
    /// Every account, about its own scope only (the object is the caller's own).
    Any,
    /// Whoever sees the object: its units and the units above it.
    Read,
    /// Only the units that edit the object: a school its records, an office its own staff.
    Write,
    /// The Department (and admins) only.
    Department,
    /// The account administrators only (`school_admin`, `district_admin`, `department_admin`):
    /// refused (403) to the three roles of the matrix.
    AccountAdmins,
    /// A bulk write over listed records that answers 200 with each record it left alone and
    /// why: outside the subtree `not_found`, only seen `forbidden`, nothing changed.
    BulkWrite,
    /// About the caller's own session: tried with a token of its own (sign-out ends it).
    Session,
}

/// The objects of one unit the requests are built from (`None`: the unit has no such object).
#[derive(Clone, Debug, Default)]
struct Objects {
    unit: i64,
    class: Option<i64>,
    student: Option<i64>,
    staff: Option<i64>,
    import: Option<String>,
    fix: Option<String>,
    job: Option<i64>,
    campaign: Option<i64>,
    rollover: Option<i64>,
}

/// A request: path and body.
enum Body {
    None,
    Json(Value),
    Csv(&'static str),
}

type Build = fn(&Objects) -> Option<(String, Body)>;

/// An account of the matrix: name, token, the objects it edits, those it only sees, and those
/// outside its subtree.
type Account<'a> = (&'static str, &'a String, &'a Objects, Vec<&'a Objects>, Vec<&'a Objects>);

const CSV: &str = "Họ và tên,Ngày sinh,Giới tính\nNguyễn Văn Mới,05/03/2014,Nam\n";

fn id<T: std::fmt::Display>(v: &Option<T>) -> Option<String> {
    v.as_ref().map(ToString::to_string)
}

/// One row per operation of the OpenAPI document, in the order they are tried (deletes last).
fn rows() -> Vec<(&'static str, Access, Build)> {
    use Access::*;
    use Body::{Csv, Json, None as Empty};
    vec![
        ("POST /api/v1/auth/login", Public, |_| None),
        ("GET /health", Public, |_| None),
        ("GET /api/v1/me", Any, |_| Some(("/api/v1/me".into(), Empty))),
        ("GET /api/v1/units", Any, |_| Some(("/api/v1/units".into(), Empty))),
        ("GET /api/v1/campaigns", Any, |_| Some(("/api/v1/campaigns".into(), Empty))),
        ("GET /api/v1/transfer-destinations", Any, |_| Some(("/api/v1/transfer-destinations?q=thcs".into(), Empty))),
        ("GET /api/v1/admin-units", Any, |_| {
            Some(("/api/v1/admin-units?scheme=post2025&level=commune&provinceCode=31&q=gia%20vien".into(), Empty))
        }),
        ("GET /api/v1/imports", Any, |_| Some(("/api/v1/imports".into(), Empty))),
        ("GET /api/v1/verification-jobs", Any, |_| Some(("/api/v1/verification-jobs".into(), Empty))),
        ("POST /api/v1/validate", Any, |_| {
            Some(("/api/v1/validate".into(), Json(json!({"records": [{"fullName": "Nguyễn Văn An"}]}))))
        }),
        ("POST /api/v1/auth/password", Any, |_| {
            // a new password the rules refuse: nothing changes, the answer is 422
            let body = json!({"currentPassword": dinhdanh_tests::PASSWORD, "newPassword": "x"});
            Some(("/api/v1/auth/password".into(), Json(body)))
        }),
        ("POST /api/v1/auth/logout", Session, |_| Some(("/api/v1/auth/logout".into(), Empty))),
        ("GET /api/v1/users", AccountAdmins, |_| Some(("/api/v1/users".into(), Empty))),
        ("POST /api/v1/units/import", AccountAdmins, |_| Some(("/api/v1/units/import".into(), Csv(CSV)))),
        ("POST /api/v1/units/import/{id}/commit", AccountAdmins, |_| {
            Some(("/api/v1/units/import/khong-co/commit".into(), Empty))
        }),
        ("POST /api/v1/units/import/{id}/undo", AccountAdmins, |_| {
            Some(("/api/v1/units/import/khong-co/undo".into(), Empty))
        }),
        ("POST /api/v1/users", AccountAdmins, |o| {
            let body = json!({"username": "moi-tao", "role": "school", "unitId": o.unit, "displayName": "Mới"});
            Some(("/api/v1/users".into(), Json(body)))
        }),
        ("POST /api/v1/users/bulk", AccountAdmins, |_| Some(("/api/v1/users/bulk".into(), Json(json!({"rows": []}))))),
        ("PATCH /api/v1/users/{id}", AccountAdmins, |_| {
            Some(("/api/v1/users/1".into(), Json(json!({"disabled": true}))))
        }),
        ("POST /api/v1/users/{id}/reset-password", AccountAdmins, |_| {
            Some(("/api/v1/users/1/reset-password".into(), Empty))
        }),
        // the unit tree: the department administrator's
        ("POST /api/v1/units/import", AccountAdmins, |_| {
            Some(("/api/v1/units/import?filename=don-vi.csv".into(), Csv("Mã trường,Tên trường\nX1,Trường X\n")))
        }),
        ("POST /api/v1/units/import/{id}/commit", AccountAdmins, |_| {
            Some(("/api/v1/units/import/1/commit".into(), Empty))
        }),
        ("POST /api/v1/units/import/{id}/undo", AccountAdmins, |_| Some(("/api/v1/units/import/1/undo".into(), Empty))),
        ("GET /api/v1/units/import/template.xlsx", AccountAdmins, |_| {
            Some(("/api/v1/units/import/template.xlsx".into(), Empty))
        }),
        ("POST /api/v1/units", AccountAdmins, |o| {
            let body =
                json!({"parentId": o.unit, "kind": "school", "code": "31304999", "name": "Trường X", "level": "thcs"});
            Some(("/api/v1/units".into(), Json(body)))
        }),
        ("PATCH /api/v1/units/{id}", AccountAdmins, |o| {
            Some((format!("/api/v1/units/{}", o.unit), Json(json!({"name": "Đổi tên"}))))
        }),
        ("POST /api/v1/campaigns", Department, |_| {
            let body =
                json!({"name": "Đợt thử", "population": "students", "start": "2026-12-01", "deadline": "2027-01-31"});
            Some(("/api/v1/campaigns".into(), Json(body)))
        }),
        ("POST /api/v1/stats/snapshots", Department, |_| Some(("/api/v1/stats/snapshots".into(), Empty))),
        ("GET /api/v1/stats/export", Department, |_| Some(("/api/v1/stats/export".into(), Empty))),
        ("GET /api/v1/campaigns/{id}", Read, |o| Some((format!("/api/v1/campaigns/{}", id(&o.campaign)?), Empty))),
        ("GET /api/v1/units/{id}", Read, |o| Some((format!("/api/v1/units/{}", o.unit), Empty))),
        ("GET /api/v1/classes", Read, |o| {
            o.class?;
            Some((format!("/api/v1/classes?schoolId={}", o.unit), Empty))
        }),
        ("GET /api/v1/classes/{id}", Read, |o| Some((format!("/api/v1/classes/{}", id(&o.class)?), Empty))),
        ("POST /api/v1/rollovers", Read, |o| {
            Some(("/api/v1/rollovers".into(), Json(json!({"unitId": o.unit, "fromYear": last_year()}))))
        }),
        ("POST /api/v1/rollovers/{id}/commit", Read, |o| {
            Some((format!("/api/v1/rollovers/{}/commit", id(&o.rollover)?), Json(json!({"keepBack": []}))))
        }),
        ("GET /api/v1/transfers", Read, |o| Some((format!("/api/v1/transfers?unitId={}", o.unit), Empty))),
        // whoever sees the record may try; a unit that does not exist is refused after the scope
        ("POST /api/v1/students/{id}/transfer", Read, |o| {
            let body = json!({"toUnitId": 999_999, "reason": "chuyển trường"});
            Some((format!("/api/v1/students/{}/transfer", id(&o.student)?), Json(body)))
        }),
        ("POST /api/v1/staff/{id}/transfer", Read, |o| {
            let body = json!({"toUnitId": 999_999, "reason": "chuyển công tác"});
            Some((format!("/api/v1/staff/{}/transfer", id(&o.staff)?), Json(body)))
        }),
        ("GET /api/v1/classes/{id}/evidence-requests", Read, |o| {
            Some((format!("/api/v1/classes/{}/evidence-requests", id(&o.class)?), Empty))
        }),
        ("GET /api/v1/students", Read, |o| Some((format!("/api/v1/students?classId={}", id(&o.class)?), Empty))),
        ("GET /api/v1/staff", Read, |o| Some((format!("/api/v1/staff?unitId={}", o.unit), Empty))),
        ("GET /api/v1/students/{id}", Read, |o| Some((format!("/api/v1/students/{}", id(&o.student)?), Empty))),
        ("GET /api/v1/students/{id}/history", Read, |o| {
            Some((format!("/api/v1/students/{}/history", id(&o.student)?), Empty))
        }),
        ("GET /api/v1/students/{id}/verifications", Read, |o| {
            Some((format!("/api/v1/students/{}/verifications", id(&o.student)?), Empty))
        }),
        ("GET /api/v1/staff/{id}", Read, |o| Some((format!("/api/v1/staff/{}", id(&o.staff)?), Empty))),
        ("GET /api/v1/staff/{id}/history", Read, |o| Some((format!("/api/v1/staff/{}/history", id(&o.staff)?), Empty))),
        ("POST /api/v1/students/{id}/reveal", Write, |o| {
            Some((format!("/api/v1/students/{}/reveal", id(&o.student)?), Json(json!({"fields": ["personalId"]}))))
        }),
        ("POST /api/v1/staff/{id}/reveal", Write, |o| {
            Some((format!("/api/v1/staff/{}/reveal", id(&o.staff)?), Json(json!({"fields": ["personalId"]}))))
        }),
        ("GET /api/v1/students/{id}/personal-data-report.pdf", Write, |o| {
            Some((format!("/api/v1/students/{}/personal-data-report.pdf", id(&o.student)?), Empty))
        }),
        ("GET /api/v1/staff/{id}/personal-data-report.pdf", Write, |o| {
            Some((format!("/api/v1/staff/{}/personal-data-report.pdf", id(&o.staff)?), Empty))
        }),
        ("GET /api/v1/access-log", Department, |_| Some(("/api/v1/access-log".into(), Empty))),
        ("GET /api/v1/access-log.xlsx", Department, |_| Some(("/api/v1/access-log.xlsx".into(), Empty))),
        ("GET /api/v1/staff/{id}/verifications", Read, |o| {
            Some((format!("/api/v1/staff/{}/verifications", id(&o.staff)?), Empty))
        }),
        ("GET /api/v1/stats/progress", Read, |o| Some((format!("/api/v1/stats/progress?unitId={}", o.unit), Empty))),
        ("GET /api/v1/stats/timeline", Read, |o| Some((format!("/api/v1/stats/timeline?unitId={}", o.unit), Empty))),
        ("GET /api/v1/stats/reasons", Read, |o| Some((format!("/api/v1/stats/reasons?unitId={}", o.unit), Empty))),
        ("GET /api/v1/stats/laggards", Read, |o| Some((format!("/api/v1/stats/laggards?unitId={}", o.unit), Empty))),
        ("GET /api/v1/stats/report.xlsx", Read, |o| {
            Some((format!("/api/v1/stats/report.xlsx?unitId={}", o.unit), Empty))
        }),
        ("GET /api/v1/students.xlsx", Read, |o| Some((format!("/api/v1/students.xlsx?unitId={}", o.unit), Empty))),
        ("GET /api/v1/staff.xlsx", Read, |o| Some((format!("/api/v1/staff.xlsx?unitId={}", o.unit), Empty))),
        ("GET /api/v1/templates/students.xlsx", Read, |o| {
            Some((format!("/api/v1/templates/students.xlsx?classId={}", id(&o.class)?), Empty))
        }),
        ("GET /api/v1/templates/staff.xlsx", Read, |o| {
            Some((format!("/api/v1/templates/staff.xlsx?unitId={}", o.unit), Empty))
        }),
        ("GET /api/v1/imports/{id}", Read, |o| Some((format!("/api/v1/imports/{}", id(&o.import)?), Empty))),
        ("GET /api/v1/imports/{id}/report.xlsx", Read, |o| {
            Some((format!("/api/v1/imports/{}/report.xlsx", id(&o.import)?), Empty))
        }),
        ("GET /api/v1/fixes/{id}", Read, |o| Some((format!("/api/v1/fixes/{}", id(&o.fix)?), Empty))),
        ("GET /api/v1/verification-jobs/{id}", Read, |o| {
            Some((format!("/api/v1/verification-jobs/{}", id(&o.job)?), Empty))
        }),
        ("GET /api/v1/verification-jobs/{id}/items", Read, |o| {
            Some((format!("/api/v1/verification-jobs/{}/items?outcome=skipped", id(&o.job)?), Empty))
        }),
        ("POST /api/v1/classes", Write, |o| {
            o.class?;
            Some(("/api/v1/classes".into(), Json(json!({"name": "9Z", "grade": 9, "unitId": o.unit}))))
        }),
        ("PATCH /api/v1/classes/{id}", Write, |o| {
            Some((format!("/api/v1/classes/{}", id(&o.class)?), Json(json!({"homeroomTeacher": "Cô Lan"}))))
        }),
        ("POST /api/v1/students", Write, |o| {
            Some(("/api/v1/students".into(), Json(json!({"classId": o.class?, "fullName": "Phạm Văn Mới"}))))
        }),
        ("POST /api/v1/staff", Write, |o| {
            Some(("/api/v1/staff".into(), Json(json!({"unitId": o.unit, "fullName": "Hà Thị Mới"}))))
        }),
        ("PATCH /api/v1/students/{id}", Write, |o| {
            Some((format!("/api/v1/students/{}", id(&o.student)?), Json(json!({"gender": "Nam"}))))
        }),
        ("PATCH /api/v1/staff/{id}", Write, |o| {
            Some((format!("/api/v1/staff/{}", id(&o.staff)?), Json(json!({"gender": "Nữ"}))))
        }),
        ("POST /api/v1/students/{id}/accept-registry-values", Write, |o| {
            Some((format!("/api/v1/students/{}/accept-registry-values", id(&o.student)?), Empty))
        }),
        ("POST /api/v1/staff/{id}/accept-registry-values", Write, |o| {
            Some((format!("/api/v1/staff/{}/accept-registry-values", id(&o.staff)?), Empty))
        }),
        ("POST /api/v1/students/{id}/awaiting-evidence", Write, |o| {
            Some((format!("/api/v1/students/{}/awaiting-evidence", id(&o.student)?), Json(json!({}))))
        }),
        ("POST /api/v1/staff/{id}/awaiting-evidence", Write, |o| {
            Some((format!("/api/v1/staff/{}/awaiting-evidence", id(&o.staff)?), Json(json!({}))))
        }),
        ("POST /api/v1/verification/awaiting-evidence", BulkWrite, |o| {
            let body = match o.student {
                Some(id) => json!({"kind": "student", "personIds": [id], "dryRun": true}),
                None => json!({"kind": "staff", "personIds": [o.staff?], "dryRun": true}),
            };
            Some(("/api/v1/verification/awaiting-evidence".into(), Json(body)))
        }),
        ("DELETE /api/v1/verification/awaiting-evidence", BulkWrite, |o| {
            let body = match o.student {
                Some(id) => json!({"kind": "student", "personIds": [id], "dryRun": true}),
                None => json!({"kind": "staff", "personIds": [o.staff?], "dryRun": true}),
            };
            Some(("/api/v1/verification/awaiting-evidence".into(), Json(body)))
        }),
        ("DELETE /api/v1/students/{id}/awaiting-evidence", Write, |o| {
            Some((format!("/api/v1/students/{}/awaiting-evidence", id(&o.student)?), Empty))
        }),
        ("DELETE /api/v1/staff/{id}/awaiting-evidence", Write, |o| {
            Some((format!("/api/v1/staff/{}/awaiting-evidence", id(&o.staff)?), Empty))
        }),
        ("POST /api/v1/verification/accept-registry-values", Write, |o| {
            let body = match o.class {
                Some(class) => json!({"kind": "student", "classId": class}),
                None => json!({"kind": "staff", "unitId": o.unit}),
            };
            Some(("/api/v1/verification/accept-registry-values".into(), Json(body)))
        }),
        ("POST /api/v1/fixes", Write, |o| {
            let body = match o.class {
                Some(class) => json!({"classId": class}),
                None => json!({"population": "staff", "unitId": o.unit}),
            };
            Some(("/api/v1/fixes".into(), Json(body)))
        }),
        ("POST /api/v1/fixes/{id}/undo", Write, |o| Some((format!("/api/v1/fixes/{}/undo", id(&o.fix)?), Empty))),
        ("POST /api/v1/verification-jobs", Write, |o| {
            let body = match o.class {
                Some(class) => json!({"classId": class}),
                None => json!({"unitId": o.unit, "kind": "staff"}),
            };
            Some(("/api/v1/verification-jobs".into(), Json(body)))
        }),
        ("POST /api/v1/verification-jobs/{id}/cancel", Write, |o| {
            Some((format!("/api/v1/verification-jobs/{}/cancel", id(&o.job)?), Empty))
        }),
        ("POST /api/v1/imports", Write, |o| {
            Some((format!("/api/v1/imports?classId={}&filename=lop.csv", id(&o.class)?), Csv(CSV)))
        }),
        ("POST /api/v1/imports/{id}/commit", Write, |o| {
            Some((format!("/api/v1/imports/{}/commit", id(&o.import)?), Empty))
        }),
        ("POST /api/v1/imports/{id}/undo", Write, |o| {
            Some((format!("/api/v1/imports/{}/undo", id(&o.import)?), Empty))
        }),
        ("DELETE /api/v1/imports/{id}", Write, |o| Some((format!("/api/v1/imports/{}", id(&o.import)?), Empty))),
        ("DELETE /api/v1/students/{id}", Write, |o| Some((format!("/api/v1/students/{}", id(&o.student)?), Empty))),
        ("DELETE /api/v1/staff/{id}", Write, |o| Some((format!("/api/v1/staff/{}", id(&o.staff)?), Empty))),
    ]
}

/// The school year before the current one (its rollover is open by the pinned clock).
fn last_year() -> String {
    use chrono::Datelike;
    let today = dinhdanh_tests::today();
    let start = if today.month() >= 8 { today.year() } else { today.year() - 1 };
    format!("{}-{}", start - 1, start)
}

/// A previewed rollover of last year for a unit, made by an account that may.
async fn rollover(app: &TestApp, token: &str, unit: i64) -> Option<i64> {
    let body = json!({"unitId": unit, "fromYear": last_year()});
    let res = send(app, token, "POST", "/api/v1/rollovers", Body::Json(body)).await;
    assert_eq!(res.status, 201, "{}", res.text);
    res.body["id"].as_i64()
}

/// `METHOD /path` of every operation in the committed OpenAPI document.
fn documented_operations() -> BTreeSet<String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/openapi.json");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).expect("openapi.json")).expect("json");
    let mut out = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in ["get", "put", "post", "delete", "patch", "head", "options"] {
            if item.get(method).is_some() {
                out.insert(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    out
}

#[test]
fn every_documented_operation_has_a_row_in_the_matrix() {
    let documented = documented_operations();
    let rows: BTreeSet<String> = rows().into_iter().map(|r| r.0.to_owned()).collect();
    let missing: Vec<&String> = documented.difference(&rows).collect();
    let stale: Vec<&String> = rows.difference(&documented).collect();
    assert!(missing.is_empty(), "operations without a row in the authorization matrix: {missing:?}");
    assert!(stale.is_empty(), "rows for operations the document no longer has: {stale:?}");
}

async fn send(app: &TestApp, token: &str, method: &str, path: &str, body: Body) -> Answer {
    let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
    let mut req = app.client.request(method, app.url(path)).bearer_auth(token);
    match body {
        Body::None => {}
        Body::Json(v) => req = req.json(&v),
        Body::Csv(text) => req = req.header("Content-Type", "text/csv").body(text.as_bytes().to_vec()),
    }
    let res = req.send().await.expect("request");
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let text = res.text().await.unwrap_or_default();
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Answer { status, headers, body, text }
}

/// Creates a unit with the next id; asserts it got `want` when given.
async fn unit(app: &TestApp, parent: Option<i64>, kind: UnitKind, code: &str) -> i64 {
    let level = (kind == UnitKind::School).then_some(SchoolLevel::Thcs);
    let new = units::NewUnit {
        parent_id: parent,
        kind,
        code: code.to_owned(),
        name: format!("Đơn vị {code}"),
        level,
        province_code: Some("31".to_owned()),
        district_code: None,
        commune_code: None,
        address: None,
        phone: None,
        email: None,
    };
    units::create(&app.store.db, new).await.expect("unit").id
}

/// Objects of a school created through the API by an account that edits it.
async fn school_objects(app: &TestApp, token: &str, school: i64, class: i64) -> Objects {
    // one ID number per school: a number shared by two schools' records is a duplicate, held back
    let identity = json!({"fullName": "nguyễn văn an", "dateOfBirth": "05/03/2014", "gender": "Nam",
        "personalId": format!("031214{school:06}"),
        "residence": {"province": "Thành phố Hải Phòng", "commune": "Phường Hồng Bàng"}});
    let student = app.create_student(token, class, identity).await;
    let staff = app.create_staff(token, Some(school), json!({"fullName": "Lê Thị Hoa"})).await;
    let import =
        send(app, token, "POST", &format!("/api/v1/imports?classId={class}&filename=lop.csv"), Body::Csv(CSV)).await;
    assert_eq!(import.status, 201, "{}", import.text);
    let fix = send(app, token, "POST", "/api/v1/fixes", Body::Json(json!({"classId": class}))).await;
    assert_eq!(fix.status, 201, "{}", fix.text);
    let job = send(app, token, "POST", "/api/v1/verification-jobs", Body::Json(json!({"classId": class}))).await;
    assert_eq!(job.status, 202, "{}", job.text);
    Objects {
        unit: school,
        class: Some(class),
        student: student["id"].as_i64(),
        staff: staff["id"].as_i64(),
        import: import.body["id"].as_str().map(str::to_owned),
        fix: fix.body["id"].as_str().map(str::to_owned),
        job: job.body["id"].as_i64(),
        campaign: None,
        rollover: rollover(app, token, school).await,
    }
}

/// Objects of an office: its own staff, a staff fix and a staff job.
async fn office_objects(app: &TestApp, token: &str, office: i64) -> Objects {
    let staff = app
        .create_staff(
            token,
            Some(office),
            json!({"fullName": "Phạm Văn Bình", "dateOfBirth": "12/04/1985", "gender": "Nam",
                "personalId": format!("031085{office:06}"),
                "residence": {"province": "Thành phố Hải Phòng", "commune": "Phường Hồng Bàng"}}),
        )
        .await;
    let fix =
        send(app, token, "POST", "/api/v1/fixes", Body::Json(json!({"population": "staff", "unitId": office}))).await;
    assert_eq!(fix.status, 201, "{}", fix.text);
    let job =
        send(app, token, "POST", "/api/v1/verification-jobs", Body::Json(json!({"unitId": office, "kind": "staff"})))
            .await;
    assert_eq!(job.status, 202, "{}", job.text);
    Objects {
        unit: office,
        staff: staff["id"].as_i64(),
        fix: fix.body["id"].as_str().map(str::to_owned),
        job: job.body["id"].as_i64(),
        rollover: rollover(app, token, office).await,
        ..Objects::default()
    }
}

fn allowed(res: &Answer) -> bool {
    res.status < 500 && !matches!(res.status, 401 | 403 | 404)
}

/// A bulk answer that changed nothing and left every record alone with this code.
fn left_alone(res: &Answer, code: &str) -> bool {
    let codes: Vec<&str> =
        res.body["notChanged"].as_array().into_iter().flatten().filter_map(|r| r["code"].as_str()).collect();
    res.status == 200 && res.body["changed"] == 0 && !codes.is_empty() && codes.iter().all(|c| *c == code)
}

fn refused(res: &Answer) -> bool {
    matches!(res.status, 403 | 404 | 422) && res.content_type() == "application/problem+json"
}

#[tokio::test]
async fn every_operation_for_every_role_inside_outside_and_beside_its_subtree() {
    let app = spawn_app().await;
    let f = app.fixtures;
    let db = &app.store.db;
    // siblings whose paths share a prefix with the callers': units 10 (another root), 20 (a
    // district beside district 2) and 40 (a school beside school 4); the ids between are fillers
    let targets = [(f.department * 10, 0), (f.district_a * 10, 1), (f.school_a1 * 10, 2)];
    let mut sibling = [0i64; 3];
    let max_target = targets.iter().map(|t| t.0).max().expect("targets");
    let mut next = {
        use dinhdanh::store::entities::units as unit_rows;
        use sea_orm::{EntityTrait, QueryOrder};
        unit_rows::Entity::find().order_by_desc(unit_rows::Column::Id).one(db).await.expect("query").expect("units").id
            + 1
    };
    assert!(targets.iter().all(|t| t.0 >= next), "the fixture tree's ids are small: {f:?}");
    while next <= max_target {
        let made = match targets.iter().find(|t| t.0 == next) {
            Some((_, 0)) => unit(&app, None, UnitKind::Department, "SGD-KHAC").await,
            Some((_, 1)) => unit(&app, Some(f.department), UnitKind::District, "PGD-BEN").await,
            Some(_) => unit(&app, Some(f.district_a), UnitKind::School, "A40").await,
            None => unit(&app, Some(f.district_b), UnitKind::School, &format!("F{next}")).await,
        };
        assert_eq!(made, next, "unit ids are consecutive in a fresh database");
        if let Some((_, i)) = targets.iter().find(|t| t.0 == next) {
            sibling[*i] = made;
        }
        next += 1;
    }
    let [other_root, beside_district, beside_school] = sibling;

    // an account at each sibling, to make its objects through the API
    let hash = dinhdanh::auth::password::hash(dinhdanh_tests::PASSWORD).expect("hash");
    for (username, role, unit_id) in [
        ("school-40", Role::School, beside_school),
        ("district-20", Role::District, beside_district),
        ("department-10", Role::Department, other_root),
    ] {
        let user = users::NewUser {
            username: username.to_owned(),
            password_hash: hash.clone(),
            role,
            unit_id,
            display_name: username.to_owned(),
        };
        users::create(db, user).await.expect("account");
    }
    let school_a1 = app.login("school-a1").await;
    let school_b1 = app.login("school-b1").await;
    let district = app.login("district-a").await;
    let department = app.login("department").await;
    let school_40 = app.login("school-40").await;
    let district_20 = app.login("district-20").await;
    let department_10 = app.login("department-10").await;

    // each root's campaign: the Department's is visible to everything below it
    let campaign = |token: String| {
        let app = &app;
        async move {
            let body =
                json!({"name": "Đợt thử", "population": "students", "start": "2026-12-01", "deadline": "2027-01-31"});
            let res = send(app, &token, "POST", "/api/v1/campaigns", Body::Json(body)).await;
            assert_eq!(res.status, 201, "{}", res.text);
            res.body["id"].as_i64()
        }
    };
    let dept_campaign = campaign(department.clone()).await;
    let other_campaign = campaign(department_10.clone()).await;

    let a1 = Objects { campaign: dept_campaign, ..school_objects(&app, &school_a1, f.school_a1, f.class_a1_6a).await };
    let b1 =
        Objects { campaign: other_campaign, ..school_objects(&app, &school_b1, f.school_b1, f.class_b1_10a).await };
    let year = app.settings.school_year_now();
    let new_class = classes::NewClass { school_id: beside_school, school_year: year, grade: 6, name: "6A".into() };
    let class_40 = classes::create(db, new_class).await.expect("class").id;
    let s40 = Objects { campaign: other_campaign, ..school_objects(&app, &school_40, beside_school, class_40).await };
    let own_district = Objects { campaign: dept_campaign, ..office_objects(&app, &district, f.district_a).await };
    let d20 = Objects { campaign: other_campaign, ..office_objects(&app, &district_20, beside_district).await };
    let own_department = Objects { campaign: dept_campaign, ..office_objects(&app, &department, f.department).await };
    let other = Objects { campaign: other_campaign, ..office_objects(&app, &department_10, other_root).await };

    // (account, token, objects it edits, objects it only sees, objects outside its subtree)
    let roles: [Account<'_>; 3] = [
        ("school-a1", &school_a1, &a1, vec![], vec![&b1, &s40]),
        ("district-a", &district, &own_district, vec![&a1], vec![&b1, &d20]),
        ("department", &department, &own_department, vec![&a1], vec![&other]),
    ];
    let mut failures = Vec::new();
    let mut tried = 0;
    for (op, access, build) in rows() {
        let (method, _) = op.split_once(' ').expect("op");
        let mut check = |res: Answer, who: &str, what: &str, ok: bool| {
            tried += 1;
            if !ok || res.status >= 500 {
                failures.push(format!("{op} as {who} on {what}: {} {}", res.status, res.text));
            }
        };
        // objects a caller only sees or cannot see first, then each caller's own (a delete
        // by the school must not hide the school's record from the offices' attempts)
        for (account, token, own, seen, outside) in &roles {
            match access {
                Access::Public => {}
                Access::Any => {
                    let (path, body) = build(own).expect("request");
                    let res = send(&app, token, method, &path, body).await;
                    let ok = allowed(&res);
                    check(res, account, "its own scope", ok);
                }
                Access::AccountAdmins => {
                    let (path, body) = build(own).expect("request");
                    let res = send(&app, token, method, &path, body).await;
                    let ok = refused(&res);
                    check(res, account, "an account administrators' operation", ok);
                }
                Access::Session => {
                    let fresh = app.login(account).await;
                    let (path, body) = build(own).expect("request");
                    let res = send(&app, &fresh, method, &path, body).await;
                    let ok = allowed(&res);
                    check(res, account, "its own session", ok);
                }
                Access::Department => {
                    let (path, body) = build(own).expect("request");
                    let res = send(&app, token, method, &path, body).await;
                    let ok = if *account == "department" { allowed(&res) } else { res.status == 403 };
                    check(res, account, "a Department-only operation", ok);
                }
                Access::Read | Access::Write | Access::BulkWrite => {
                    for o in outside {
                        if let Some((path, body)) = build(o) {
                            let res = send(&app, token, method, &path, body).await;
                            let ok = refused(&res) || (access == Access::BulkWrite && left_alone(&res, "not_found"));
                            check(res, account, &format!("unit {} outside its subtree", o.unit), ok);
                        }
                    }
                    for o in seen {
                        if let Some((path, body)) = build(o) {
                            let res = send(&app, token, method, &path, body).await;
                            let ok = match access {
                                Access::Read => allowed(&res),
                                Access::BulkWrite => res.status == 403 || left_alone(&res, "forbidden"),
                                _ => res.status == 403,
                            };
                            check(res, account, &format!("unit {} it only sees", o.unit), ok);
                        }
                    }
                }
            }
        }
        if matches!(access, Access::Read | Access::Write | Access::BulkWrite) {
            for (account, token, own, _, _) in &roles {
                if let Some((path, body)) = build(own) {
                    let res = send(&app, token, method, &path, body).await;
                    let ok = allowed(&res);
                    check(res, account, &format!("unit {} it edits", own.unit), ok);
                }
            }
        }
    }
    assert!(tried > 250, "only {tried} requests");
    assert!(failures.is_empty(), "{} of {tried} cells wrong:\n{}", failures.len(), failures.join("\n"));
}
