//! A province's PostgreSQL may sort text by a locale (`en_US.UTF-8` is what a server installed
//! with an English system locale gives every new database), not by bytes as the tests'
//! `C.UTF-8` does. Subtrees are read as path ranges (`path >= '/1/5/' AND path < '/1/50'`,
//! `store::units::path_starts_with`), which hold in byte order only: under `en_US.UTF-8` the
//! slashes weigh nothing and `/1/5/16/` sorts after `/1/50`, so a district lost most of its
//! schools. Unit paths are stored with the "C" collation (migration
//! `m20261207_000100_units_path_byte_order`). SQLite compares bytes: nothing to check there.

use dinhdanh::store::entities::{people, units};
use dinhdanh::store::units::path_starts_with;
use dinhdanh_tests::{TestDb, pinned_instant, test_settings};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};

#[tokio::test]
async fn every_subtree_is_whole_on_a_database_sorting_by_a_locale() {
    let admin_url = match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => url,
        _ => return, // SQLite: byte order
    };
    let db = TestDb::postgres_with_collation(&admin_url, "en_US.UTF-8").await;
    let mut settings = test_settings(&db.url);
    settings.demo = true;
    settings.demo_students = 300;
    let app = dinhdanh::startup::Application::build(settings).await.expect("build");
    let conn = app.state.store.db.clone();

    // beside the demo's tree (`/1/`, its districts `/1/2/` … `/1/15/`, a school `/1/2/16/`):
    // schools with long ids under a district with a short one, and districts whose paths begin
    // like another's (`/1/5/` and `/1/50/`)
    let extra: &[(i64, i64, &str, &str)] = &[
        (50, 1, "district", "/1/50/"),
        (500, 5, "school", "/1/5/500/"),
        (5001, 5, "school", "/1/5/5001/"),
        (501, 50, "school", "/1/50/501/"),
        (51, 1, "district", "/1/51/"),
        (5100, 51, "school", "/1/51/5100/"),
    ];
    for (id, parent, kind, path) in extra {
        units::ActiveModel {
            id: Set(*id),
            parent_id: Set(Some(*parent)),
            kind: Set((*kind).to_owned()),
            code: Set(format!("LOCALE-{id}")),
            name: Set(format!("Đơn vị {id}")),
            path: Set((*path).to_owned()),
            created_at: Set(pinned_instant()),
            ..Default::default()
        }
        .insert(&conn)
        .await
        .expect("insert a unit");
    }
    let all = units::Entity::find().all(&conn).await.expect("units");
    let mut checked_nested = 0;
    for unit in &all {
        let expected = all.iter().filter(|u| u.path.starts_with(&unit.path)).count() as u64;
        let by_range = units::Entity::find()
            .filter(path_starts_with(units::Column::Path, &unit.path))
            .count(&conn)
            .await
            .expect("count");
        assert_eq!(by_range, expected, "the subtree of {} ({})", unit.name, unit.path);
        if expected > 1 {
            checked_nested += 1;
        }
    }
    assert!(checked_nested >= 5, "units below the department and four districts: {checked_nested}");

    // and the scope every list and count of the department reads (`units_under`) holds every
    // student of the province
    let students = people::Entity::find()
        .filter(people::Column::Kind.eq("student"))
        .filter(people::Column::DeletedAt.is_null())
        .count(&conn)
        .await
        .expect("count");
    let root = all.iter().min_by_key(|u| u.path.len()).expect("the department");
    let below = people::Entity::find()
        .filter(people::Column::Kind.eq("student"))
        .filter(people::Column::DeletedAt.is_null())
        .filter(people::Column::UnitId.in_subquery(dinhdanh::store::people::units_under(format!("{}%", root.path))))
        .count(&conn)
        .await
        .expect("count");
    assert_eq!(below, students);
    assert_eq!(students, 300);
}
