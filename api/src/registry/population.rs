//! The registry simulator's own database: the population it answers from (the undamaged truth
//! the demo generator produced). The real registry is another system, so this lives apart from
//! dinhdanh's database, in its own file (`registry_sim.database_url`, by default
//! `var/registry-sim.db`): dinhdanh's database holds no copy of it. The demo seeder fills it;
//! `dinhdanh registry-sim` and the simulator `serve --demo` starts in-process read it.
//!
//! Any URL sea-orm opens works, but SQLite is the intended store even when dinhdanh runs on
//! PostgreSQL: the simulator stands in for an external system, and a file beside the demo is
//! all it needs. The table is created on open; there is no migration history to keep.

use std::collections::HashMap;

use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, Schema, TransactionTrait,
};

use super::compare::RegistryPerson;

/// The default population file, next to dinhdanh's default database.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://var/registry-sim.db?mode=rwc";

/// One person as the national registry knows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TruthRow {
    pub personal_id: String,
    pub full_name: String,
    /// ISO date, or `YYYY` for a birth year only.
    pub date_of_birth: String,
    pub gender: String,
    pub province_code: Option<String>,
    pub commune_code: Option<String>,
}

mod person {
    use sea_orm::entity::prelude::*;

    /// One registered person (the simulator's only table).
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "population")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub personal_id: String,
        pub full_name: String,
        pub date_of_birth: String,
        pub gender: String,
        pub province_code: Option<String>,
        pub commune_code: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// A handle on the simulator's database.
#[derive(Clone, Debug)]
pub struct Population {
    db: DatabaseConnection,
}

impl Population {
    /// Opens (creating when needed) the population database at `url`.
    pub async fn open(url: &str) -> anyhow::Result<Population> {
        let db = crate::db::connect_url(url, 4).await?;
        let backend = db.get_database_backend();
        let mut create = Schema::new(backend).create_table_from_entity(person::Entity);
        create.if_not_exists();
        db.execute(&create).await.map_err(|e| {
            anyhow::anyhow!("cannot prepare the registry simulator's database ({}): {e}", crate::db::redact_url(url))
        })?;
        Ok(Population { db })
    }

    /// Adds people, in statements of a thousand.
    pub async fn insert_many(&self, rows: Vec<TruthRow>) -> Result<(), DbErr> {
        insert(&self.db, rows).await
    }

    /// Replaces the whole population at once (the demo seeder's: the simulator then knows
    /// exactly the people of the seed).
    pub async fn replace_all(&self, rows: Vec<TruthRow>) -> Result<(), DbErr> {
        let txn = self.db.begin().await?;
        person::Entity::delete_many().exec(&txn).await?;
        insert(&txn, rows).await?;
        txn.commit().await
    }

    /// Number of registered people.
    pub async fn count(&self) -> Result<u64, DbErr> {
        person::Entity::find().count(&self.db).await
    }

    /// Every registered person, by ID number (tests compare against it).
    pub async fn all(&self) -> Result<Vec<TruthRow>, DbErr> {
        Ok(person::Entity::find().all(&self.db).await?.into_iter().map(truth_row).collect())
    }

    /// The people among `ids` the registry knows, by ID number.
    pub async fn find(&self, ids: Vec<String>) -> Result<HashMap<String, RegistryPerson>, DbErr> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let found = person::Entity::find().filter(person::Column::PersonalId.is_in(ids)).all(&self.db).await?;
        Ok(found
            .into_iter()
            .map(|p| {
                (
                    p.personal_id.clone(),
                    RegistryPerson {
                        personal_id: p.personal_id,
                        full_name: p.full_name,
                        date_of_birth: p.date_of_birth,
                        gender: p.gender,
                        province_code: p.province_code,
                        commune_code: p.commune_code,
                    },
                )
            })
            .collect())
    }
}

fn truth_row(p: person::Model) -> TruthRow {
    TruthRow {
        personal_id: p.personal_id,
        full_name: p.full_name,
        date_of_birth: p.date_of_birth,
        gender: p.gender,
        province_code: p.province_code,
        commune_code: p.commune_code,
    }
}

async fn insert<C: ConnectionTrait>(conn: &C, rows: Vec<TruthRow>) -> Result<(), DbErr> {
    for chunk in rows.chunks(1_000) {
        let models = chunk.iter().cloned().map(|r| person::ActiveModel {
            personal_id: Set(r.personal_id),
            full_name: Set(r.full_name),
            date_of_birth: Set(r.date_of_birth),
            gender: Set(r.gender),
            province_code: Set(r.province_code),
            commune_code: Set(r.commune_code),
        });
        person::Entity::insert_many(models).exec_without_returning(conn).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, name: &str) -> TruthRow {
        TruthRow {
            personal_id: id.to_owned(),
            full_name: name.to_owned(),
            date_of_birth: "2015-03-15".to_owned(),
            gender: "Nam".to_owned(),
            province_code: Some("31".to_owned()),
            commune_code: None,
        }
    }

    #[tokio::test]
    async fn a_population_file_is_created_filled_replaced_and_read() {
        let dir = std::env::temp_dir().join(format!("dinhdanh-population-{}", uuid::Uuid::new_v4().simple()));
        let url = format!("sqlite://{}?mode=rwc", dir.join("registry-sim.db").display());
        let population = Population::open(&url).await.expect("opens");
        assert_eq!(population.count().await.expect("count"), 0);
        population
            .insert_many(vec![row("031215000001", "Nguyễn Văn Hòa"), row("031215000002", "Lê Thị Hà")])
            .await
            .expect("insert");
        let found = population.find(vec!["031215000001".into(), "031215000009".into()]).await.expect("find");
        assert_eq!(found.len(), 1);
        assert_eq!(found["031215000001"].full_name, "Nguyễn Văn Hòa");
        // Opening again keeps the people; replacing swaps them all at once.
        let again = Population::open(&url).await.expect("reopens");
        assert_eq!(again.count().await.expect("count"), 2);
        again.replace_all(vec![row("031215000003", "Trần Minh Đức")]).await.expect("replace");
        assert_eq!(population.all().await.expect("all"), vec![row("031215000003", "Trần Minh Đức")]);
        let _ = std::fs::remove_dir_all(dir);
    }
}
