//! Logs stay clean (issue 13, item 6): a server in its own process, logging as in production,
//! runs the flows that handle personal data — records created, changed, searched by number,
//! revealed, their history read, a template exported, a spreadsheet imported and committed, its
//! report downloaded, the data-subject report printed, the access log read, a failed sign-in —
//! and its whole log is run through a filter that fails on any stored ID number, full name,
//! password or token.

use serde_json::{Value, json};

use super::hostile;

#[tokio::test]
async fn the_server_log_holds_no_id_number_name_password_or_token() {
    let server = hostile::server(&[]).await;
    let f = server.fixtures;
    let school = server.login("school-a1").await;
    let department = server.login("department").await;
    let client = server.client();
    let send = |method: reqwest::Method, path: &str, token: &str, body: Option<Value>| {
        let mut req = client.request(method, server.url(path)).bearer_auth(token);
        if let Some(body) = body {
            req = req.json(&body);
        }
        async move {
            let res = req.send().await.expect("request");
            let status = res.status().as_u16();
            let text = res.text().await.unwrap_or_default();
            (status, serde_json::from_str::<Value>(&text).unwrap_or(Value::Null))
        }
    };
    use reqwest::Method;

    let people = [
        ("Nguyễn Thị Thanh Trúc", "031214009901"),
        ("Lê Hoàng Phúc Khang", "031214009902"),
        ("Vũ Ngọc Bảo Hân", "031214009903"),
    ];
    let mut ids = Vec::new();
    for (name, pid) in people {
        let body = json!({"classId": f.class_a1_6a, "fullName": name, "dateOfBirth": "15/03/2014", "gender": "Nữ", "personalId": pid});
        let (status, created) = send(Method::POST, "/api/v1/students", &school, Some(body)).await;
        assert_eq!(status, 201, "{created}");
        ids.push(created["id"].as_i64().expect("id"));
    }
    // a refused write (a duplicate sector code), a change, a search by the whole number
    let body = json!({"classId": f.class_a1_6a, "fullName": "Đặng Văn Trùng", "sectorCode": "X1"});
    assert_eq!(send(Method::POST, "/api/v1/students", &school, Some(body.clone())).await.0, 201);
    assert_eq!(send(Method::POST, "/api/v1/students", &school, Some(body)).await.0, 409);
    let change = json!({"fullName": "Nguyễn Thị Thanh Trúc Anh", "personalId": "031214009904"});
    assert_eq!(send(Method::PATCH, &format!("/api/v1/students/{}", ids[0]), &school, Some(change)).await.0, 200);
    assert_eq!(send(Method::GET, "/api/v1/students?q=031214009902", &school, None).await.0, 200);
    assert_eq!(send(Method::GET, "/api/v1/students?q=Hoàng Phúc", &school, None).await.0, 200);
    let reveal = json!({"fields": ["personalId"]});
    let (status, revealed) =
        send(Method::POST, &format!("/api/v1/students/{}/reveal", ids[1]), &school, Some(reveal)).await;
    assert_eq!((status, revealed["personalId"].as_str()), (200, Some("031214009902")));
    assert_eq!(send(Method::GET, &format!("/api/v1/students/{}/history", ids[0]), &school, None).await.0, 200);
    let template = format!("/api/v1/templates/students.xlsx?classId={}", f.class_a1_6a);
    assert_eq!(send(Method::GET, &template, &school, None).await.0, 200);
    let csv = "Họ và tên,Ngày sinh,Giới tính,Số định danh cá nhân,Lớp\n\
               Phan Thị Diệu Linh,05/03/2014,Nữ,031214009905,6A\n\
               Trịnh Minh Quân,06/04/2014,Nam,031214009906,6A\n";
    let preview = server.upload(&school, "", "lop-6a.csv", csv.as_bytes()).await;
    assert_eq!(preview.status, 201, "{}", preview.text);
    let import = preview.body["id"].as_str().expect("import id").to_owned();
    assert_eq!(send(Method::POST, &format!("/api/v1/imports/{import}/commit"), &school, Some(json!({}))).await.0, 200);
    assert_eq!(send(Method::GET, &format!("/api/v1/imports/{import}/report.xlsx"), &school, None).await.0, 200);
    let report = format!("/api/v1/students/{}/personal-data-report.pdf", ids[2]);
    assert_eq!(send(Method::GET, &report, &school, None).await.0, 200);
    assert_eq!(send(Method::GET, "/api/v1/access-log?pageSize=200", &department, None).await.0, 200);
    assert_eq!(send(Method::GET, "/api/v1/access-log.xlsx", &department, None).await.0, 200);
    // a failed sign-in with a password typed in the username field
    let wrong = json!({"username": "MatKhau-Bi-Mat-2026", "password": "Sai-Mat-Khau-99"});
    let res = client.post(server.url("/api/v1/auth/login")).json(&wrong).send().await.expect("login");
    assert_eq!(res.status().as_u16(), 401);

    let lines = server.log_lines();
    assert!(lines.len() > 20, "the server logged its requests: {lines:#?}");
    let mut secrets: Vec<String> = Vec::new();
    for (name, pid) in people {
        secrets.push(name.to_owned());
        secrets.push(pid.to_owned());
    }
    secrets.extend(
        ["031214009904", "031214009905", "031214009906", "Nguyễn Thị Thanh Trúc Anh", "Phan Thị Diệu Linh"]
            .map(str::to_owned),
    );
    secrets.extend(["Trịnh Minh Quân", "Đặng Văn Trùng", "MatKhau-Bi-Mat-2026", "Sai-Mat-Khau-99"].map(str::to_owned));
    secrets.push(dinhdanh_tests::PASSWORD.to_owned());
    for token in [&school, &department] {
        secrets.push(token.clone());
        // any part of a token (its signature, its claims) counts
        secrets.extend(token.split('.').filter(|p| p.len() >= 16).map(str::to_owned));
    }
    let leaks: Vec<(&String, &String)> = lines
        .iter()
        .flat_map(|line| secrets.iter().filter(|s| line.contains(s.as_str())).map(move |s| (s, line)))
        .collect();
    assert!(leaks.is_empty(), "the log holds personal data or secrets: {leaks:#?}");
}
