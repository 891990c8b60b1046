//! Bulk address conversion: the rule engine's one-choice conversion of a pre-2025 residence
//! (`address_outdated_unit` whose old commune became exactly one new commune) applied through
//! `/fixes` with its `findingCode`, previewed by `dryRun`, and undone as a whole, an address
//! changed again since being kept whole.

use dinhdanh_tests::spawn_app;
use serde_json::{Value, json};

fn residence(province: &str, district: &str, commune: &str) -> Value {
    json!({"province": province, "district": district, "commune": commune})
}

#[tokio::test]
async fn old_communes_with_one_successor_convert_in_one_action_with_preview_and_undo() {
    let app = spawn_app().await;
    let f = app.fixtures;
    let token = app.login("school-a1").await;
    let student = |name: &str, res: Value| {
        let token = token.clone();
        let app = &app;
        let name = name.to_owned();
        async move {
            let s = app.create_student(&token, f.class_a1_6a, json!({"fullName": name, "residence": res})).await;
            s["id"].as_i64().expect("id")
        }
    };
    let may_chai = student("Nguyễn Văn An", residence("Hải Phòng", "Quận Ngô Quyền", "Phường Máy Chai")).await;
    let dang_giang = student("Trần Thu Hà", residence("Hải Phòng", "Quận Ngô Quyền", "Phường Đằng Giang")).await;
    let split = student("Lê Văn Bình", residence("Hải Phòng", "Quận Ngô Quyền", "Phường Gia Viên")).await;
    let new = student("Phạm Minh Đức", residence("Thành phố Hải Phòng", "", "Phường Ngô Quyền")).await;
    let body = json!({"classId": f.class_a1_6a, "findingCode": "address_outdated_unit", "dryRun": true});

    // The preview counts and shows a sample; nothing is written.
    let preview = app.post("/api/v1/fixes", &token, &body).await;
    assert_eq!(preview.status, 200, "{}", preview.text);
    assert_eq!(preview.body["records"], 2, "the split commune is the clerk's choice: {}", preview.text);
    assert_eq!(preview.body["changes"], 6);
    let sample = &preview.body["samples"][0];
    assert_eq!(sample["before"], "Phường Máy Chai, Quận Ngô Quyền, Hải Phòng");
    assert_eq!(sample["after"], "Phường Ngô Quyền, Thành phố Hải Phòng");
    assert_eq!(sample["fullName"], "Nguyễn Văn An");
    let still = app.get(&format!("/api/v1/students/{may_chai}"), &token).await;
    assert_eq!(still.body["residence"]["commune"], "Phường Máy Chai", "a dry run writes nothing");

    // Only the school that holds the records converts them.
    let district = app.login("district-a").await;
    let body = json!({"classId": f.class_a1_6a, "findingCode": "address_outdated_unit"});
    app.post("/api/v1/fixes", &district, &body).await.assert_problem(403, "forbidden");

    let done = app.post("/api/v1/fixes", &token, &body).await;
    assert_eq!(done.status, 201, "{}", done.text);
    assert_eq!(done.body["records"], 2);
    let batch = done.body["id"].as_str().expect("id").to_owned();
    let converted = app.get(&format!("/api/v1/students/{may_chai}"), &token).await;
    assert_eq!(
        converted.body["residence"],
        json!({"province": "Thành phố Hải Phòng", "district": null, "commune": "Phường Ngô Quyền"})
    );
    let left: Vec<&str> = converted.body["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|x| x["field"] == "residence")
        .filter_map(|x| x["code"].as_str())
        .collect();
    assert!(left.is_empty(), "nothing left on the address: {left:?}");
    let history = app.get(&format!("/api/v1/students/{may_chai}/history"), &token).await;
    let by_batch =
        history.body["items"].as_array().expect("items").iter().filter(|e| e["sourceRef"] == batch.as_str()).count();
    assert_eq!(by_batch, 3, "each field an audited change of the batch: {}", history.text);
    for id in [split, new] {
        assert_eq!(app.get(&format!("/api/v1/students/{id}"), &token).await.body["version"], 1, "untouched");
    }

    // The clerk corrects one converted commune by hand; undo keeps that address whole.
    let by_hand = app
        .patch(
            &format!("/api/v1/students/{dang_giang}"),
            &token,
            &json!({"residence": residence("Thành phố Hải Phòng", "", "Phường Ngô Quyền")}),
        )
        .await;
    assert_eq!(by_hand.status, 200, "{}", by_hand.text);
    let undone = app.post(&format!("/api/v1/fixes/{batch}/undo"), &token, &json!({})).await;
    assert_eq!(undone.status, 200, "{}", undone.text);
    assert_eq!(undone.body["reverted"], 3);
    assert_eq!(undone.body["kept"], 3);
    let back = app.get(&format!("/api/v1/students/{may_chai}"), &token).await;
    assert_eq!(back.body["residence"], residence("Hải Phòng", "Quận Ngô Quyền", "Phường Máy Chai"));
    let kept = app.get(&format!("/api/v1/students/{dang_giang}"), &token).await;
    assert_eq!(kept.body["residence"]["commune"], "Phường Ngô Quyền");
    assert_eq!(kept.body["residence"]["province"], "Thành phố Hải Phòng", "not half put back");
    app.post(&format!("/api/v1/fixes/{batch}/undo"), &token, &json!({})).await.assert_problem(409, "conflict");
    let bad = app.post("/api/v1/fixes", &token, &json!({"findingCode": "address_split_unit"})).await;
    bad.assert_problem(422, "validation_failed");
}
