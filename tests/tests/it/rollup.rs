//! The nation's roll-up (issue 16, step 3): two provinces' own instances, each exporting its
//! statistics (`GET /api/v1/stats/export`: counts only), and `dinhdanh rollup` merging them
//! into the national table. The export carries no record of either province (no name, no ID
//! number), a province listed twice is refused, and the command writes the workbook read back
//! here. On SQLite, and on PostgreSQL when `TEST_DATABASE_URL` is set.

use calamine::{Reader, Xlsx};
use dinhdanh::rollup::Source;
use dinhdanh_tests::{PASSWORD, TestApp, spawn_app};
use sea_orm::ConnectionTrait;
use serde_json::json;

/// A province's instance with `students` students in class 6A of school A1 (named by the
/// province, with ID numbers).
async fn province(code: &str, department: &str, students: u32) -> TestApp {
    let app = spawn_app().await;
    let sql = format!("UPDATE units SET province_code = '{code}', name = '{department}' WHERE parent_id IS NULL");
    app.store.db.execute_unprepared(&sql).await.expect("the province");
    let token = app.login("school-a1").await;
    let year = chrono::Datelike::year(&dinhdanh_tests::today()) - 11;
    for i in 0..students {
        let body = json!({
            "fullName": format!("Hoàng Thị Tỉnh{code} {}", ["An", "Bình", "Chi", "Dung"][i as usize % 4]),
            "dateOfBirth": format!("{:02}/04/{year}", i + 1),
            "gender": "Nữ",
            "personalId": format!("0{code}3{:02}{:06}", year % 100, 500 + i),
        });
        app.create_student(&token, app.fixtures.class_a1_6a, body).await;
    }
    app
}

fn source(app: &TestApp) -> Source {
    Source { url: app.address.clone(), username: "department".into(), password: PASSWORD.into() }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_provinces_roll_up_into_the_nation_without_a_record_leaving_either() {
    let hai_phong = province("31", "Sở Giáo dục và Đào tạo Hải Phòng", 3).await;
    let ha_noi = province("01", "Sở Giáo dục và Đào tạo Hà Nội", 5).await;

    // each export: the Department's counts and its district offices', no record
    for (app, code, total) in [(&hai_phong, "31", 3), (&ha_noi, "01", 5)] {
        let token = app.login("department").await;
        let res = app.get("/api/v1/stats/export", &token).await;
        assert_eq!(res.status, 200, "{}", res.text);
        assert_eq!(res.body["format"], "dinhdanh-stats/1");
        assert_eq!(res.body["provinceCode"], code);
        assert_eq!(res.body["students"]["counters"]["total"], total, "{}", res.text);
        assert_eq!(res.body["students"]["children"].as_array().map(Vec::len), Some(2), "the two district offices");
        assert!(!res.text.contains(&format!("Tỉnh{code}")), "a student's name in the export");
        assert!(!res.text.contains(&format!("0{code}3")), "an ID number in the export");
        // a school's account reads its own statistics, not the province's export
        let school = app.login("school-a1").await;
        app.get("/api/v1/stats/export", &school).await.assert_problem(403, "forbidden");
    }

    let client = reqwest::Client::new();
    let national = dinhdanh::rollup::run(&client, &[source(&hai_phong), source(&ha_noi)]).await.expect("roll-up");
    let codes: Vec<&str> = national.provinces.iter().map(|p| p.code.as_str()).collect();
    assert_eq!(codes, ["01", "31"]);
    assert_eq!(national.students.total, 8);
    assert_eq!(national.students.with_personal_id, 8);

    // the same province twice would count twice: refused, naming both sources
    let err = dinhdanh::rollup::run(&client, &[source(&hai_phong), source(&hai_phong)]).await.expect_err("twice");
    assert!(err.to_string().contains("tỉnh mã 31 có hai nguồn"), "{err}");
    // a wrong password names the instance and the account
    let wrong = Source { password: "sai-mat-khau".into(), ..source(&ha_noi) };
    let err = dinhdanh::rollup::run(&client, &[wrong]).await.expect_err("refused");
    assert!(err.to_string().contains("đăng nhập department bị từ chối"), "{err}");

    // the command: a list of sources with password files, the workbook written
    let dir = std::env::temp_dir().join(format!("dinhdanh-rollup-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).expect("folder");
    std::fs::write(dir.join("mat-khau"), format!("{PASSWORD}\n")).expect("password file");
    let list = format!(
        "# tỉnh, tài khoản của Bộ, tệp mật khẩu\n{},department,mat-khau\n\n{},department,mat-khau\n",
        hai_phong.address, ha_noi.address
    );
    std::fs::write(dir.join("nguon.csv"), list).expect("sources");
    let out = dir.join("toan-quoc.xlsx");
    let args: Vec<String> =
        vec!["rollup".into(), dir.join("nguon.csv").display().to_string(), "--out".into(), out.display().to_string()];
    let url = hai_phong.db.url.clone();
    let (code, stdout, stderr) = tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        dinhdanh_tests::run_dinhdanh(&url, &args)
    })
    .await
    .expect("the command");
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(stdout.contains("Toàn quốc (2 tỉnh): 8 học sinh"), "{stdout}");
    let mut book: Xlsx<_> = calamine::open_workbook(&out).expect("the workbook");
    let sheet = book.worksheet_range("Toàn quốc").expect("sheet");
    let rows: Vec<Vec<String>> = sheet.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    let row = |first: &str, second: &str| {
        rows.iter().find(|r| r[0] == first && r[1] == second).unwrap_or_else(|| panic!("{first} {second}: {rows:?}"))
    };
    assert_eq!(row("01", "Sở Giáo dục và Đào tạo Hà Nội")[4], "5");
    assert_eq!(row("31", "Sở Giáo dục và Đào tạo Hải Phòng")[4], "3");
    assert_eq!(row("", "Toàn quốc")[4], "8");
    std::fs::remove_dir_all(&dir).ok();
}
