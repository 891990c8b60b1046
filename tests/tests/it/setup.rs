//! A province's own instance (issue 10) and revocable sessions (issue 12, item 9): roles,
//! signing out, accounts whose state changes under a live token, one-time passwords.

use dinhdanh_tests::{TestApp, spawn_app, spawn_app_with};
use sea_orm::ConnectionTrait;
use serde_json::json;

async fn sql(app: &TestApp, statement: &str) {
    app.store.db.execute_unprepared(statement).await.expect(statement);
}

/// The actors of the audit rows of an action, in order.
async fn audit_actors(app: &TestApp, action: &str) -> Vec<String> {
    let rows = app
        .store
        .db
        .query_all_raw(sea_orm::Statement::from_string(
            app.store.db.get_database_backend(),
            format!("SELECT actor FROM audit_events WHERE action = '{action}' ORDER BY id"),
        ))
        .await
        .expect("audit");
    rows.iter().map(|r| r.try_get::<String>("", "actor").expect("actor")).collect()
}

#[tokio::test]
async fn signing_out_ends_that_token_only() {
    let app = spawn_app().await;
    let first = app.login("school-a1").await;
    let second = app.login("school-a1").await;
    assert_eq!(app.get("/api/v1/me", &first).await.status, 200);
    let out = app.post("/api/v1/auth/logout", &first, &json!({})).await;
    assert_eq!(out.status, 204, "{}", out.text);
    app.get("/api/v1/me", &first).await.assert_problem(401, "unauthenticated");
    app.get("/api/v1/students", &first).await.assert_problem(401, "unauthenticated");
    app.post("/api/v1/auth/logout", &first, &json!({})).await.assert_problem(401, "unauthenticated");
    assert_eq!(app.get("/api/v1/students", &second).await.status, 200, "the other session goes on");
    assert_eq!(audit_actors(&app, "sign_out").await, ["school-a1"]);
}

#[tokio::test]
async fn a_change_made_directly_in_the_database_is_seen_on_the_next_check() {
    // checks are not cached: what another instance (or the database) changed is seen at once
    let app = spawn_app_with(|s| s.session_check_seconds = 0).await;
    let school = app.login("school-a1").await;
    let district = app.login("district-a").await;
    let department = app.login("department").await;
    assert_eq!(app.get("/api/v1/students", &school).await.status, 200);
    sql(&app, "UPDATE users SET disabled = true WHERE username = 'school-a1'").await;
    app.get("/api/v1/students", &school).await.assert_problem(401, "unauthenticated");
    app.get("/api/v1/me", &school).await.assert_problem(401, "unauthenticated");
    // a role or a unit changed under the token: sign in again
    sql(&app, "UPDATE users SET role = 'district_admin' WHERE username = 'district-a'").await;
    app.get("/api/v1/stats/progress", &district).await.assert_problem(401, "unauthenticated");
    let again = app.login("district-a").await;
    assert_eq!(app.get("/api/v1/stats/progress", &again).await.status, 200);
    sql(&app, &format!("UPDATE users SET unit_id = {} WHERE username = 'department'", app.fixtures.district_b)).await;
    app.get("/api/v1/stats/progress", &department).await.assert_problem(401, "unauthenticated");
}

#[tokio::test]
async fn within_the_cache_a_change_made_elsewhere_waits_but_one_made_here_does_not() {
    let app = spawn_app().await;
    let school = app.login("school-a1").await;
    assert_eq!(app.get("/api/v1/students", &school).await.status, 200);
    // made behind this instance's back: trusted until the cached check is older than 20 s
    sql(&app, "UPDATE users SET disabled = true WHERE username = 'school-a1'").await;
    assert_eq!(app.get("/api/v1/students", &school).await.status, 200, "the cached check still stands");
    // signing out here is seen here at once
    assert_eq!(app.post("/api/v1/auth/logout", &school, &json!({})).await.status, 204);
    app.get("/api/v1/students", &school).await.assert_problem(401, "unauthenticated");
}

#[tokio::test]
async fn a_pending_password_change_allows_only_the_change() {
    let app = spawn_app_with(|s| s.session_check_seconds = 0).await;
    sql(&app, "UPDATE users SET must_change_password = true WHERE username = 'school-a1'").await;
    let login = app
        .send(
            reqwest::Method::POST,
            "/api/v1/auth/login",
            None,
            Some(&json!({"username": "school-a1", "password": dinhdanh_tests::PASSWORD})),
        )
        .await;
    assert_eq!(login.status, 200, "{}", login.text);
    assert_eq!(login.body["mustChangePassword"], true);
    let token = login.body["accessToken"].as_str().expect("token").to_owned();
    for path in ["/api/v1/me", "/api/v1/students", "/api/v1/units"] {
        app.get(path, &token).await.assert_problem(403, "password_change_required");
    }
    let weak = app
        .post(
            "/api/v1/auth/password",
            &token,
            &json!({"currentPassword": dinhdanh_tests::PASSWORD, "newPassword": "123456789a"}),
        )
        .await;
    weak.assert_problem(422, "validation_failed");
    assert_eq!(weak.body["errors"][0]["pointer"], "/newPassword");
    let wrong = app
        .post(
            "/api/v1/auth/password",
            &token,
            &json!({"currentPassword": "sai-mat-khau", "newPassword": "Hoa-Phuong-Do-2026"}),
        )
        .await;
    wrong.assert_problem(422, "validation_failed");
    assert_eq!(wrong.body["errors"][0]["pointer"], "/currentPassword");
    let ok = app
        .post(
            "/api/v1/auth/password",
            &token,
            &json!({"currentPassword": dinhdanh_tests::PASSWORD, "newPassword": "Hoa-Phuong-Do-2026"}),
        )
        .await;
    assert_eq!(ok.status, 204, "{}", ok.text);
    assert_eq!(app.get("/api/v1/students", &token).await.status, 200, "the same session goes on");
    let relogin = app
        .send(
            reqwest::Method::POST,
            "/api/v1/auth/login",
            None,
            Some(&json!({"username": "school-a1", "password": "Hoa-Phuong-Do-2026"})),
        )
        .await;
    assert_eq!(relogin.status, 200);
    assert_eq!(relogin.body["mustChangePassword"], false);
}

#[tokio::test]
async fn the_old_admin_role_is_migrated_to_department_admin() {
    use migration::MigratorTrait;
    let app = spawn_app().await;
    let conn = &app.store.db;
    // back to before this migration, an `admin` account as it was, and up again
    let all = migration::Migrator::migrations();
    let ours = all.iter().position(|m| m.name().contains("001001_roles_and_sessions")).expect("the migration");
    migration::Migrator::down(conn, Some((all.len() - ours) as u32)).await.expect("down");
    sql(&app, "UPDATE users SET role = 'admin' WHERE username = 'admin'").await;
    migration::Migrator::up(conn, None).await.expect("up");
    let token = app.login("admin").await;
    let me = app.get("/api/v1/me", &token).await;
    assert_eq!(me.status, 200, "{}", me.text);
    assert_eq!(me.body["user"]["role"], "department_admin");
}

#[tokio::test]
async fn a_province_is_initialised_once_and_serve_says_what_to_do_before() {
    let db = dinhdanh_tests::TestDb::fresh().await;
    // an empty database: serve explains the next steps instead of serving an empty app
    let (code, out, _) = dinhdanh_tests::run_dinhdanh(&db.url, &["serve"]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("dinhdanh init --province-code"), "{out}");
    assert!(out.contains("import-units"), "{out}");
    // init with a one-time password
    let (code, out, err) =
        dinhdanh_tests::run_dinhdanh(&db.url, &["init", "--province-code", "31", "--admin-username", "quantri-sgd"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("Sở Giáo dục và Đào tạo Hải Phòng"), "{out}");
    let otp = out
        .lines()
        .find_map(|l| l.trim().strip_prefix("mật khẩu một lần: "))
        .expect("the one-time password is printed")
        .to_owned();
    // a second run changes nothing and says so; another province or administrator is refused
    let (code, again, _) =
        dinhdanh_tests::run_dinhdanh(&db.url, &["init", "--province-code", "31", "--admin-username", "quantri-sgd"]);
    assert_eq!(code, 0, "{again}");
    assert!(again.contains("không thay đổi gì"), "{again}");
    assert!(!again.contains(&otp));
    let (code, _, err) =
        dinhdanh_tests::run_dinhdanh(&db.url, &["init", "--province-code", "01", "--admin-username", "quantri-hn"]);
    assert_ne!(code, 0);
    assert!(err.contains("quantri-sgd"), "{err}");
    let (code, _, err) =
        dinhdanh_tests::run_dinhdanh(&db.url, &["init", "--province-code", "99", "--admin-username", "quantri-sgd"]);
    assert_ne!(code, 0);
    assert!(err.contains("mã tỉnh"), "{err}");
    // the administrator signs in with the one-time password and must change it first
    let app = dinhdanh_tests::spawn_app_on(db, |_| {}).await;
    let login = app
        .send(
            reqwest::Method::POST,
            "/api/v1/auth/login",
            None,
            Some(&json!({"username": "quantri-sgd", "password": otp})),
        )
        .await;
    assert_eq!(login.status, 200, "{}", login.text);
    assert_eq!(login.body["mustChangePassword"], true);
    assert_eq!(login.body["user"]["role"], "department_admin");
    let token = login.body["accessToken"].as_str().expect("token");
    app.get("/api/v1/units", token).await.assert_problem(403, "password_change_required");
    let changed = app
        .post("/api/v1/auth/password", token, &json!({"currentPassword": otp, "newPassword": "Sóng-Bạch-Đằng-1288"}))
        .await;
    assert_eq!(changed.status, 204, "{}", changed.text);
    assert_eq!(app.get("/api/v1/units", token).await.status, 200);
    assert_eq!(audit_actors(&app, "create_user").await, ["system"]);
}

#[tokio::test]
async fn a_password_file_sets_a_password_with_no_change_forced() {
    let db = dinhdanh_tests::TestDb::fresh().await;
    let dir = std::env::temp_dir().join("dinhdanh-tests");
    let file = dir.join(format!("pw-{}.txt", uuid::Uuid::new_v4().simple()));
    std::fs::write(&file, "123456789\n").expect("write");
    let args = ["init", "--province-code", "31", "--admin-username", "quantri-sgd", "--password-file"];
    let (code, _, err) = dinhdanh_tests::run_dinhdanh(&db.url, &[&args[..], &[file.to_str().expect("path")]].concat());
    assert_ne!(code, 0, "a common password is refused");
    assert!(err.contains("--password-file"), "{err}");
    std::fs::write(&file, "Cửa-Cấm-Đồ-Sơn-2026\n").expect("write");
    let (code, out, err) =
        dinhdanh_tests::run_dinhdanh(&db.url, &[&args[..], &[file.to_str().expect("path")]].concat());
    std::fs::remove_file(&file).ok();
    assert_eq!(code, 0, "{out}{err}");
    assert!(!out.contains("mật khẩu một lần:"), "{out}");
    let app = dinhdanh_tests::spawn_app_on(db, |_| {}).await;
    let login = app
        .send(
            reqwest::Method::POST,
            "/api/v1/auth/login",
            None,
            Some(&json!({"username": "quantri-sgd", "password": "Cửa-Cấm-Đồ-Sơn-2026"})),
        )
        .await;
    assert_eq!(login.status, 200, "{}", login.text);
    assert_eq!(login.body["mustChangePassword"], false);
}

// ---------------------------------------------------------------------------------------------
// accounts

/// Signs in with a password, whatever it is; the whole answer.
async fn sign_in(app: &TestApp, username: &str, password: &str) -> dinhdanh_tests::Answer {
    app.send(
        reqwest::Method::POST,
        "/api/v1/auth/login",
        None,
        Some(&json!({"username": username, "password": password})),
    )
    .await
}

/// Signs in with a one-time password and changes it; the token then works everywhere.
async fn first_sign_in(app: &TestApp, username: &str, otp: &str) -> String {
    let login = sign_in(app, username, otp).await;
    assert_eq!(login.status, 200, "{}", login.text);
    assert_eq!(login.body["mustChangePassword"], true);
    let token = login.body["accessToken"].as_str().expect("token").to_owned();
    let changed = app
        .post(
            "/api/v1/auth/password",
            &token,
            &json!({"currentPassword": otp, "newPassword": "Phượng-Đỏ-Lạch-Tray-2026"}),
        )
        .await;
    assert_eq!(changed.status, 204, "{}", changed.text);
    token
}

/// The rows of the first sheet of a workbook, as text.
fn sheet_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    use calamine::Reader;
    let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes.to_vec())).expect("workbook");
    let name = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&name).expect("sheet");
    range.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
}

#[tokio::test]
async fn administrators_create_change_and_reset_the_accounts_they_manage() {
    let app = spawn_app().await;
    let f = app.fixtures;
    let admin = app.login("admin").await;
    // a district administrator, made by the Department's
    let created = app
        .post(
            "/api/v1/users",
            &admin,
            &json!({"username": "qt-pgd-a", "role": "district_admin", "unitId": f.district_a, "displayName": "Quản trị PGD A"}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.body["user"]["role"], "district_admin");
    assert_eq!(created.body["user"]["mustChangePassword"], true);
    let otp = created.body["oneTimePassword"].as_str().expect("otp").to_owned();
    assert!(otp.len() >= 10);
    let stored: Vec<String> = app
        .store
        .db
        .query_all_raw(sea_orm::Statement::from_string(
            app.store.db.get_database_backend(),
            "SELECT password_hash FROM users WHERE username = 'qt-pgd-a'",
        ))
        .await
        .expect("query")
        .iter()
        .map(|r| r.try_get::<String>("", "password_hash").expect("hash"))
        .collect();
    assert!(stored[0].starts_with("$argon2id$") && !stored[0].contains(&otp), "never stored in clear");
    let district_admin = first_sign_in(&app, "qt-pgd-a", &otp).await;

    // the district admin: its office's and its schools' accounts, never above its tier
    let principal = app
        .post(
            "/api/v1/users",
            &district_admin,
            &json!({"username": "ht-a2", "role": "school_admin", "unitId": f.school_a2, "displayName": "Hiệu trưởng A2"}),
        )
        .await;
    assert_eq!(principal.status, 201, "{}", principal.text);
    let body = |username: &str, role: &str, unit: i64| json!({"username": username, "role": role, "unitId": unit, "displayName": "X"});
    app.post("/api/v1/users", &district_admin, &body("x-b1", "school", f.school_b1))
        .await
        .assert_problem(404, "not_found");
    app.post("/api/v1/users", &district_admin, &body("x-dept", "department", f.district_a))
        .await
        .assert_problem(403, "forbidden");
    let mismatch = app.post("/api/v1/users", &district_admin, &body("x-a", "school", f.district_a)).await;
    mismatch.assert_problem(422, "validation_failed");
    assert_eq!(mismatch.body["errors"][0]["pointer"], "/role");
    app.post("/api/v1/users", &district_admin, &body("ht-a2", "school", f.school_a2))
        .await
        .assert_problem(409, "conflict");
    app.post("/api/v1/users", &district_admin, &body("Sai Tên", "school", f.school_a2))
        .await
        .assert_problem(422, "validation_failed");
    let listed = app.get("/api/v1/users", &district_admin).await;
    assert_eq!(listed.status, 200, "{}", listed.text);
    let names: Vec<&str> =
        listed.body["items"].as_array().expect("items").iter().map(|u| u["username"].as_str().expect("u")).collect();
    assert_eq!(names, ["district-a", "ht-a2", "qt-pgd-a", "school-a1", "school-a2"]);
    assert_eq!(listed.body["total"], 5);

    // a clerk or an office without the admin role manages nothing
    for account in ["school-a1", "district-a", "department"] {
        let token = app.login(account).await;
        app.get("/api/v1/users", &token).await.assert_problem(403, "forbidden");
    }

    // disabling an account stops its token at once; the admin cannot lock itself out
    let clerk = app.login("school-a2").await;
    let clerk_id = app.get("/api/v1/me", &clerk).await.body["user"]["id"].as_i64().expect("id");
    let disabled = app.patch(&format!("/api/v1/users/{clerk_id}"), &district_admin, &json!({"disabled": true})).await;
    assert_eq!(disabled.status, 200, "{}", disabled.text);
    assert_eq!(disabled.body["disabled"], true);
    app.get("/api/v1/students", &clerk).await.assert_problem(401, "unauthenticated");
    sign_in(&app, "school-a2", dinhdanh_tests::PASSWORD).await.assert_problem(401, "invalid_credentials");
    let me = app.get("/api/v1/me", &district_admin).await.body["user"]["id"].as_i64().expect("id");
    app.patch(&format!("/api/v1/users/{me}"), &district_admin, &json!({"disabled": true}))
        .await
        .assert_problem(403, "forbidden");
    // a role the unit does not take, and a role above the caller's
    let principal_id = principal.body["user"]["id"].as_i64().expect("id");
    app.patch(&format!("/api/v1/users/{principal_id}"), &district_admin, &json!({"role": "district"}))
        .await
        .assert_problem(422, "validation_failed");
    let renamed = app
        .patch(
            &format!("/api/v1/users/{principal_id}"),
            &district_admin,
            &json!({"role": "school", "displayName": "Văn thư A2"}),
        )
        .await;
    assert_eq!(renamed.status, 200, "{}", renamed.text);
    assert_eq!(renamed.body["role"], "school");

    // a reset gives a new one-time password; the old one no longer works
    let reset = app.post(&format!("/api/v1/users/{principal_id}/reset-password"), &admin, &json!({})).await;
    assert_eq!(reset.status, 200, "{}", reset.text);
    let new_otp = reset.body["oneTimePassword"].as_str().expect("otp").to_owned();
    sign_in(&app, "ht-a2", &otp).await.assert_problem(401, "invalid_credentials");
    first_sign_in(&app, "ht-a2", &new_otp).await;
    // out of reach: another office's account is not found
    let department_id = {
        let t = app.login("department").await;
        app.get("/api/v1/me", &t).await.body["user"]["id"].as_i64().expect("id")
    };
    app.post(&format!("/api/v1/users/{department_id}/reset-password"), &district_admin, &json!({}))
        .await
        .assert_problem(404, "not_found");

    // every account action is audited: who did it
    assert_eq!(audit_actors(&app, "create_user").await, ["admin", "qt-pgd-a"]);
    assert_eq!(audit_actors(&app, "update_user").await, ["qt-pgd-a", "qt-pgd-a", "qt-pgd-a"]);
    assert_eq!(audit_actors(&app, "reset_password").await, ["admin"]);
    assert_eq!(audit_actors(&app, "change_password").await, ["qt-pgd-a", "ht-a2"]);
}

#[tokio::test]
async fn a_school_admin_manages_its_school_only() {
    let app = spawn_app().await;
    let f = app.fixtures;
    let admin = app.login("admin").await;
    let created = app
        .post(
            "/api/v1/users",
            &admin,
            &json!({"username": "ht-a1", "role": "school_admin", "unitId": f.school_a1, "displayName": "HT"}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let principal = first_sign_in(&app, "ht-a1", created.body["oneTimePassword"].as_str().expect("otp")).await;
    let listed = app.get("/api/v1/users", &principal).await;
    let names: Vec<&str> =
        listed.body["items"].as_array().expect("items").iter().map(|u| u["username"].as_str().expect("u")).collect();
    assert_eq!(names, ["ht-a1", "school-a1"]);
    let clerk = app
        .post(
            "/api/v1/users",
            &principal,
            &json!({"username": "vt2-a1", "role": "school", "unitId": f.school_a1, "displayName": "VT"}),
        )
        .await;
    assert_eq!(clerk.status, 201, "{}", clerk.text);
    app.post(
        "/api/v1/users",
        &principal,
        &json!({"username": "vt-a2", "role": "school", "unitId": f.school_a2, "displayName": "VT"}),
    )
    .await
    .assert_problem(404, "not_found");
    app.post(
        "/api/v1/users",
        &principal,
        &json!({"username": "pgd", "role": "district", "unitId": f.school_a1, "displayName": "P"}),
    )
    .await
    .assert_problem(403, "forbidden");
    app.get(&format!("/api/v1/users?unitId={}", f.district_a), &principal).await.assert_problem(404, "not_found");
    // the principal edits its school's records, like the clerk
    let s = app.create_student(&principal, f.class_a1_6a, json!({"fullName": "Lê Thị Hoa", "gender": "Nữ"})).await;
    assert!(s["id"].is_i64());
}

#[tokio::test]
async fn bulk_accounts_come_once_as_a_workbook_of_one_time_passwords() {
    let app = spawn_app().await;
    let f = app.fixtures;
    let admin = app.login("admin").await;
    let res = app
        .client
        .post(app.url("/api/v1/users/bulk"))
        .bearer_auth(&admin)
        .json(&json!({"unitId": f.district_a, "role": "school"}))
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), 200);
    let bytes = res.bytes().await.expect("bytes").to_vec();
    let rows = sheet_rows(&bytes);
    let lines: Vec<&Vec<String>> = rows.iter().skip(3).collect();
    assert_eq!(lines.len(), 2, "{rows:?}");
    assert_eq!(lines[0][2], "a1");
    assert_eq!(lines[1][2], "a2");
    for line in &lines {
        first_sign_in(&app, &line[2], &line[3]).await;
    }
    // a second run creates nothing and shows no password
    let again = app
        .client
        .post(app.url("/api/v1/users/bulk"))
        .bearer_auth(&admin)
        .json(&json!({"unitId": f.district_a, "role": "school"}))
        .send()
        .await
        .expect("request")
        .bytes()
        .await
        .expect("bytes")
        .to_vec();
    let again = sheet_rows(&again);
    assert!(again.iter().skip(3).all(|l| l[3] == "(đã có tài khoản)"), "{again:?}");
    assert_eq!(audit_actors(&app, "create_user").await.len(), 2);
    // only school roles, only by an administrator
    app.post("/api/v1/users/bulk", &admin, &json!({"unitId": f.district_a, "role": "district"}))
        .await
        .assert_problem(422, "validation_failed");
    let district = app.login("district-a").await;
    app.post("/api/v1/users/bulk", &district, &json!({"unitId": f.district_a, "role": "school"}))
        .await
        .assert_problem(403, "forbidden");
}
