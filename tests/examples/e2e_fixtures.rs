//! Seeds a small unit tree with classes and accounts into a database that has none, for the
//! web app's browser tests (`frontend/e2e/`) while `dinhdanh serve --demo` still starts empty.
//!
//! `cargo run -p dinhdanh-tests --example e2e_fixtures -- DATABASE_URL` prints the accounts as
//! one JSON line: `{"password": …, "accounts": {"department": …, "district": …, "school": …}}`.
//! Students are not seeded here: the browser tests create them through the API, so the same
//! tests also run on the demo data once it exists.

use dinhdanh::config::Settings;
use dinhdanh::domain::access::Role;
use dinhdanh::domain::org::{SchoolLevel, UnitKind};
use dinhdanh::store::{classes, units, users};

const PASSWORD: &str = "e2e-mat-khau";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let url = std::env::args().nth(1).ok_or_else(|| anyhow::anyhow!("usage: e2e_fixtures DATABASE_URL"))?;
    let settings = Settings { database_url: url, ..Settings::default() };
    let db = dinhdanh::db::connect(&settings).await?;
    dinhdanh::db::migrate(&db).await?;
    let year = settings.current_school_year(dinhdanh::domain::clock::today());
    let unit =
        |parent: Option<i64>, kind: UnitKind, code: &str, name: &str, level: Option<SchoolLevel>| units::NewUnit {
            parent_id: parent,
            kind,
            code: code.to_owned(),
            name: name.to_owned(),
            level,
            province_code: Some("31".to_owned()),
            district_code: None,
            commune_code: None,
            address: None,
            phone: None,
            email: None,
        };
    let dept = units::create(&db, unit(None, UnitKind::Department, "SGD-E2E", "Sở GDĐT Hải Phòng (thử)", None)).await?;
    let district =
        units::create(&db, unit(Some(dept.id), UnitKind::District, "PGD-LC", "Phòng GDĐT Lê Chân (thử)", None)).await?;
    let other_district =
        units::create(&db, unit(Some(dept.id), UnitKind::District, "PGD-NQ", "Phòng GDĐT Ngô Quyền (thử)", None))
            .await?;
    let school = units::create(
        &db,
        unit(Some(district.id), UnitKind::School, "THCS-TP", "Trường THCS Trần Phú (thử)", Some(SchoolLevel::Thcs)),
    )
    .await?;
    let other_school = units::create(
        &db,
        unit(
            Some(other_district.id),
            UnitKind::School,
            "THCS-CVA",
            "Trường THCS Chu Văn An (thử)",
            Some(SchoolLevel::Thcs),
        ),
    )
    .await?;
    for (school_id, grade, name) in
        [(school.id, 6, "6A"), (school.id, 6, "6B"), (school.id, 7, "7A"), (other_school.id, 6, "6A1")]
    {
        classes::create(&db, classes::NewClass { school_id, school_year: year.clone(), grade, name: name.to_owned() })
            .await?;
    }
    let hash = dinhdanh::auth::password::hash(PASSWORD)?;
    for (username, role, unit_id, display) in [
        ("e2e-department", Role::Department, dept.id, "Chuyên viên Sở (thử)"),
        ("e2e-district", Role::District, district.id, "Chuyên viên Phòng Lê Chân (thử)"),
        ("e2e-school", Role::School, school.id, "Văn thư THCS Trần Phú (thử)"),
    ] {
        let new = users::NewUser {
            username: username.to_owned(),
            password_hash: hash.clone(),
            role,
            unit_id,
            display_name: display.to_owned(),
        };
        users::create(&db, new).await?;
    }
    println!(
        "{}",
        serde_json::json!({
            "password": PASSWORD,
            "accounts": {"department": "e2e-department", "district": "e2e-district", "school": "e2e-school"},
        })
    );
    Ok(())
}
