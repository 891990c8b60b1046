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
    use sea_orm::ConnectionTrait;
    // the schema is changed before the app starts: on PostgreSQL a background worker's query
    // and a migration's DROP would otherwise deadlock
    let db = dinhdanh_tests::TestDb::fresh().await;
    let (conn, fixtures) = dinhdanh_tests::prepare_fixtures(&db).await;
    // the fixtures were written through the process's writer connection: closed, so that no
    // connection keeps the schema from before the migrations
    dinhdanh::db::close_sqlite_writer(&conn).await;
    // back to before this migration, an `admin` account as it was, and up again
    let all = migration::Migrator::migrations();
    let ours = all.iter().position(|m| m.name().contains("001001_roles_and_sessions")).expect("the migration");
    migration::Migrator::down(&conn, Some((all.len() - ours) as u32)).await.expect("down");
    conn.execute_unprepared("UPDATE users SET role = 'admin' WHERE username = 'admin'").await.expect("old role");
    migration::Migrator::up(&conn, None).await.expect("up");
    conn.close().await.expect("close");
    let app = dinhdanh_tests::spawn_app_prepared(db, Some(fixtures), |_| {}).await;
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
    // the unit list from the command line: a preview, then --commit
    let list =
        std::env::temp_dir().join("dinhdanh-tests").join(format!("don-vi-{}.csv", uuid::Uuid::new_v4().simple()));
    std::fs::write(
        &list,
        "Mã trường,Tên trường,Cấp học,Đơn vị quản lý\nPGD-HB,Phòng GDĐT Hồng Bàng,,\n31304001,Trường THCS Lê Lợi,THCS,PGD-HB\n\
         01104001,Trường THCS ngoài tỉnh,THCS,PGD-HB\n",
    )
    .expect("write");
    let path = list.to_str().expect("path").to_owned();
    let (code, out, err) = dinhdanh_tests::run_dinhdanh(&db.url, &["import-units", &path]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("tạo mới 2") && out.contains("bị từ chối 1") && out.contains("Chưa ghi gì"), "{out}");
    let (code, out, err) = dinhdanh_tests::run_dinhdanh(&db.url, &["import-units", &path, "--commit"]);
    std::fs::remove_file(&list).ok();
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("Đã ghi"), "{out}");
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
pub(crate) async fn sign_in(app: &TestApp, username: &str, password: &str) -> dinhdanh_tests::Answer {
    app.send(
        reqwest::Method::POST,
        "/api/v1/auth/login",
        None,
        Some(&json!({"username": username, "password": password})),
    )
    .await
}

/// Signs in with a one-time password and changes it; the token then works everywhere.
pub(crate) async fn first_sign_in(app: &TestApp, username: &str, otp: &str) -> String {
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
pub(crate) fn sheet_rows(bytes: &[u8]) -> Vec<Vec<String>> {
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

// ---------------------------------------------------------------------------------------------
// the unit list

/// A unit list as a Department keeps it: a title block, MoET-style headers, 3 district offices
/// and 20 schools (codes of Hải Phòng, 31…, and of former Hải Dương, 30…), with `extra` lines.
pub(crate) fn unit_list(extra: &[[&str; 6]]) -> Vec<u8> {
    let mut lines: Vec<[String; 6]> = Vec::new();
    for d in 1..=3 {
        lines.push([
            format!("PGD-{d}"),
            format!("Phòng GDĐT số {d}"),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ]);
    }
    for s in 1..=20 {
        let d = (s - 1) % 3 + 1;
        let prefix = if s % 5 == 0 { "30" } else { "31" };
        let level = if s % 2 == 0 { "THCS" } else { "Tiểu học" };
        lines.push([
            format!("{prefix}3040{s:02}"),
            format!("Trường {level} số {s}"),
            level.to_owned(),
            format!("PGD-{d}"),
            format!("Hiệu trưởng {s}"),
            String::new(),
        ]);
    }
    for e in extra {
        lines.push(e.map(str::to_owned));
    }
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "DANH SÁCH CƠ SỞ GIÁO DỤC NĂM HỌC 2026-2027").expect("cell");
    for (c, h) in
        ["STT", "Mã trường", "Tên trường", "Cấp học", "Đơn vị quản lý", "Hiệu trưởng", "Trạng thái"].iter().enumerate()
    {
        sheet.write_string(2, c as u16, *h).expect("cell");
    }
    for (r, line) in lines.iter().enumerate() {
        let row = 3 + r as u32;
        sheet.write_number(row, 0, (r + 1) as f64).expect("cell");
        for (c, v) in line.iter().enumerate() {
            if !v.is_empty() {
                sheet.write_string(row, 1 + c as u16, v).expect("cell");
            }
        }
    }
    book.save_to_buffer().expect("workbook")
}

pub(crate) async fn upload_units(app: &TestApp, token: &str, query: &str, bytes: Vec<u8>) -> dinhdanh_tests::Answer {
    let boundary = "----dinhdanh-unit-list";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"danh-sach-don-vi.xlsx\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(&bytes);
    body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
    let res = app
        .client
        .post(app.url(&format!("/api/v1/units/import{query}")))
        .bearer_auth(token)
        .header("Content-Type", format!("multipart/form-data; boundary={boundary}"))
        .body(body)
        .send()
        .await
        .expect("upload");
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let text = res.text().await.expect("text");
    dinhdanh_tests::Answer { status, headers, body: serde_json::from_str(&text).unwrap_or_default(), text }
}

fn action_of<'a>(import: &'a serde_json::Value, code: &str) -> (&'a str, String) {
    let line = import["lines"].as_array().expect("lines").iter().find(|l| l["code"] == code).expect(code);
    (line["action"].as_str().expect("action"), line["reasons"].to_string())
}

#[tokio::test]
async fn a_unit_list_is_previewed_committed_reimported_and_undone() {
    let app = spawn_app().await;
    let admin = app.login("admin").await;
    let bad: &[[&str; 6]] = &[
        ["01304001", "Trường THCS Hà Nội", "THCS", "PGD-1", "", ""],
        ["31304099", "Trường THCS Không Phòng", "THCS", "PGD-9", "", ""],
        ["31304030", "Trường mã lặp", "THCS", "PGD-1", "", ""],
        ["31304030", "Trường mã lặp lần hai", "THCS", "PGD-1", "", ""],
    ];
    let preview = upload_units(&app, &admin, "", unit_list(bad)).await;
    assert_eq!(preview.status, 201, "{}", preview.text);
    assert_eq!(preview.body["status"], "preview");
    assert_eq!(preview.body["created"], 23, "{}", preview.text);
    assert_eq!(preview.body["rejected"], 4, "{}", preview.text);
    assert!(action_of(&preview.body, "01304001").1.contains("không thuộc"));
    assert!(action_of(&preview.body, "31304099").1.contains("PGD-9"));
    assert_eq!(action_of(&preview.body, "30304005").0, "create", "former Hải Dương's code");
    // nothing written by the preview; a clerk or an office cannot import
    let units_before = app.get("/api/v1/units", &admin).await.body["items"].as_array().map(Vec::len).unwrap_or(0);
    for account in ["district-a", "department"] {
        let token = app.login(account).await;
        upload_units(&app, &token, "", unit_list(&[])).await.assert_problem(403, "forbidden");
    }
    let id = preview.body["id"].as_i64().expect("id");
    let committed = app.post(&format!("/api/v1/units/import/{id}/commit"), &admin, &json!({})).await;
    assert_eq!(committed.status, 200, "{}", committed.text);
    let units = app.get("/api/v1/units", &admin).await;
    assert_eq!(units.body["items"].as_array().map(Vec::len).unwrap_or(0), units_before + 23, "{}", units.text);
    app.post(&format!("/api/v1/units/import/{id}/commit"), &admin, &json!({})).await.assert_problem(409, "conflict");

    // next year's list: a school renamed, one moved to another office, one closed
    let renamed = [
        ["31304001", "Trường Tiểu học Lê Lợi", "Tiểu học", "PGD-1", "Hiệu trưởng 1", ""],
        ["31304002", "Trường THCS số 2", "THCS", "PGD-3", "Hiệu trưởng 2", ""],
        ["31304003", "Trường Tiểu học số 3", "Tiểu học", "PGD-3", "Hiệu trưởng 3", "Giải thể"],
    ];
    let next = {
        // only the lines that change: the others stay as they are
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (c, h) in
            ["Mã đơn vị", "Tên đơn vị", "Cấp học", "Mã đơn vị quản lý", "Hiệu trưởng", "Trạng thái"].iter().enumerate()
        {
            sheet.write_string(0, c as u16, *h).expect("cell");
        }
        for (r, line) in renamed.iter().enumerate() {
            for (c, v) in line.iter().enumerate() {
                sheet.write_string(1 + r as u32, c as u16, *v).expect("cell");
            }
        }
        book.save_to_buffer().expect("workbook")
    };
    let again = upload_units(&app, &admin, "?commit=true", next).await;
    assert_eq!(again.status, 201, "{}", again.text);
    assert_eq!(again.body["status"], "committed");
    assert_eq!((again.body["updated"].clone(), again.body["closed"].clone()), (json!(2), json!(1)), "{}", again.text);
    let find = |units: &serde_json::Value, code: &str| {
        units["items"].as_array().expect("units").iter().find(|u| u["code"] == code).cloned().expect(code)
    };
    let after = app.get("/api/v1/units", &admin).await.body;
    assert_eq!(find(&after, "31304001")["name"], "Trường Tiểu học Lê Lợi");
    assert_eq!(find(&after, "31304002")["parentId"], find(&after, "PGD-3")["id"]);
    assert!(find(&after, "31304003")["closedAt"].is_string());
    // undo brings them back
    let undo_id = again.body["id"].as_i64().expect("id");
    let undone = app.post(&format!("/api/v1/units/import/{undo_id}/undo"), &admin, &json!({})).await;
    assert_eq!(undone.status, 200, "{}", undone.text);
    let restored = app.get("/api/v1/units", &admin).await.body;
    assert_eq!(find(&restored, "31304001")["name"], "Trường Tiểu học số 1");
    assert_eq!(find(&restored, "31304002")["parentId"], find(&restored, "PGD-2")["id"]);
    assert!(find(&restored, "31304003")["closedAt"].is_null());
    // the first import is undone too: every unit it made goes
    let first = app.post(&format!("/api/v1/units/import/{id}/undo"), &admin, &json!({})).await;
    assert_eq!(first.status, 200, "{}", first.text);
    assert_eq!(
        app.get("/api/v1/units", &admin).await.body["items"].as_array().map(Vec::len).unwrap_or(0),
        units_before
    );
    assert!(!audit_actors(&app, "create_unit").await.is_empty());
}

#[tokio::test]
async fn single_units_are_created_changed_moved_and_closed_by_the_departments_administrator() {
    let app = spawn_app().await;
    let f = app.fixtures;
    let admin = app.login("admin").await;
    let school = json!({"parentId": f.district_a, "kind": "school", "code": "31304555", "name": "Trường THCS Mới", "level": "thcs"});
    let department = app.login("department").await;
    app.post("/api/v1/units", &department, &school).await.assert_problem(403, "forbidden");
    let no_level = json!({"parentId": f.district_a, "kind": "school", "code": "31304556", "name": "Trường Không Cấp"});
    app.post("/api/v1/units", &admin, &no_level).await.assert_problem(422, "validation_failed");
    let created = app.post("/api/v1/units", &admin, &school).await;
    assert_eq!(created.status, 201, "{}", created.text);
    app.post("/api/v1/units", &admin, &school).await.assert_problem(409, "conflict");
    let id = created.body["id"].as_i64().expect("id");
    let moved = app
        .patch(&format!("/api/v1/units/{id}"), &admin, &json!({"parentId": f.district_b, "phone": "0225 3000 000"}))
        .await;
    assert_eq!(moved.status, 200, "{}", moved.text);
    assert_eq!(moved.body["parentId"], f.district_b);
    let b = app.login("district-a").await;
    app.patch(&format!("/api/v1/units/{}", f.school_a1), &b, &json!({"phone": "1"}))
        .await
        .assert_problem(403, "forbidden");
    // a unit holding records stays open; an empty one closes
    let a1 = app.login("school-a1").await;
    app.create_student(&a1, f.class_a1_6a, json!({"fullName": "Ngô Thị Lan"})).await;
    app.patch(&format!("/api/v1/units/{}", f.school_a1), &admin, &json!({"closed": true}))
        .await
        .assert_problem(409, "conflict");
    let closed = app.patch(&format!("/api/v1/units/{id}"), &admin, &json!({"closed": true})).await;
    assert_eq!(closed.status, 200, "{}", closed.text);
    assert!(closed.body["closedAt"].is_string());
    assert_eq!(audit_actors(&app, "update_unit").await.len(), 3, "parent, phone, closed");
}

/// The downloaded template, filled in as a Department would (every sheet kept, the lines typed
/// under its own header row), imports as it is.
#[tokio::test]
async fn the_unit_list_template_filled_in_imports() {
    use calamine::Reader;
    let app = spawn_app().await;
    let admin = app.login("admin").await;
    let clerk = app.login("school-a1").await;
    let refused = app.client.get(app.url("/api/v1/units/import/template.xlsx")).bearer_auth(&clerk).send().await;
    assert_eq!(refused.expect("request").status().as_u16(), 403);
    let res = app
        .client
        .get(app.url("/api/v1/units/import/template.xlsx"))
        .bearer_auth(&admin)
        .send()
        .await
        .expect("request");
    assert_eq!(res.status().as_u16(), 200);
    assert!(res.headers()["content-disposition"].to_str().expect("header").contains(".xlsx"));
    let template = res.bytes().await.expect("bytes").to_vec();
    let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(template)).expect("workbook");
    let names = book.sheet_names();
    assert!(names.iter().any(|n| n == "Hướng dẫn"), "{names:?}");
    // fill it in: the same sheets, the lines under the template's own headers
    let headers: Vec<String> = sheet_rows_of(&mut book, &names[0])[0].clone();
    let col = |title: &str| headers.iter().position(|h| h == title).expect(title) as u16;
    let lines: Vec<Vec<(&str, String)>> = (1..=2)
        .map(|d| vec![("Mã trường", format!("PGD-T{d}")), ("Tên trường", format!("Phòng GDĐT mẫu {d}"))])
        .chain((1..=4).map(|s| {
            vec![
                ("Mã trường", format!("3130410{s}")),
                ("Tên trường", format!("Trường Tiểu học mẫu {s}")),
                ("Loại đơn vị", "Trường".to_owned()),
                ("Cấp học", "Tiểu học".to_owned()),
                ("Đơn vị quản lý", format!("PGD-T{}", s % 2 + 1)),
                ("Điện thoại", "0225 3841 000".to_owned()),
            ]
        }))
        .collect();
    let mut filled = rust_xlsxwriter::Workbook::new();
    for name in &names {
        let rows = sheet_rows_of(&mut book, name);
        let sheet = filled.add_worksheet();
        sheet.set_name(name).expect("name");
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate().filter(|(_, v)| !v.is_empty()) {
                sheet.write_string(r as u32, c as u16, v).expect("cell");
            }
        }
        if name == &names[0] {
            for (r, line) in lines.iter().enumerate() {
                sheet.write_number(1 + r as u32, col("STT"), (r + 1) as f64).expect("cell");
                for (title, v) in line {
                    sheet.write_string(1 + r as u32, col(title), v).expect("cell");
                }
            }
        }
    }
    let bytes = filled.save_to_buffer().expect("workbook");
    let imported = upload_units(&app, &admin, "?commit=true", bytes).await;
    assert_eq!(imported.status, 201, "{}", imported.text);
    assert_eq!((imported.body["created"].clone(), imported.body["rejected"].clone()), (json!(6), json!(0)));
    let units = app.get("/api/v1/units", &admin).await.body;
    let school = units["items"].as_array().expect("units").iter().find(|u| u["code"] == "31304102").expect("school");
    assert_eq!(school["phone"], "0225 3841 000");
}

fn sheet_rows_of<R: std::io::Read + std::io::Seek>(book: &mut calamine::Sheets<R>, name: &str) -> Vec<Vec<String>> {
    use calamine::Reader;
    let range = book.worksheet_range(name).expect("sheet");
    range.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
}

/// A closed school gets no new account in bulk and takes no people import.
#[tokio::test]
async fn a_closed_school_gets_no_bulk_account_and_no_import() {
    let app = spawn_app().await;
    let f = app.fixtures;
    let admin = app.login("admin").await;
    let clerk = app.login("school-a2").await;
    let closed = app.patch(&format!("/api/v1/units/{}", f.school_a2), &admin, &json!({"closed": true})).await;
    assert_eq!(closed.status, 200, "{}", closed.text);
    let res = app
        .client
        .post(app.url("/api/v1/users/bulk"))
        .bearer_auth(&admin)
        .json(&json!({"unitId": f.district_a, "role": "school"}))
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), 200);
    let rows = sheet_rows(&res.bytes().await.expect("bytes"));
    let usernames: Vec<&str> = rows.iter().skip(3).map(|l| l[2].as_str()).collect();
    assert_eq!(usernames, ["a1"], "{rows:?}");
    let refused = app.post("/api/v1/users/bulk", &admin, &json!({"unitId": f.school_a2, "role": "school"})).await;
    refused.assert_problem(422, "validation_failed");
    assert!(refused.text.contains("unit_closed"), "{}", refused.text);
    let import = app
        .client
        .post(app.url("/api/v1/imports?filename=lop.csv"))
        .bearer_auth(&clerk)
        .header("Content-Type", "text/csv")
        .body("Họ và tên,Ngày sinh,Giới tính,Lớp\nNguyễn Văn Mới,05/03/2014,Nam,7A\n")
        .send()
        .await
        .expect("request");
    assert_eq!(import.status().as_u16(), 422);
    assert!(import.text().await.expect("text").contains("unit_closed"));
}
