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
