//! The registry simulator's population (`registry_truth`), written by the demo generator.

use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};

use super::StoreResult;
use super::entities::registry_truth;

/// One person as the national registry knows them.
#[derive(Debug, Clone)]
pub struct TruthRow {
    pub personal_id: String,
    pub full_name: String,
    /// ISO date, or `YYYY` for a birth year only.
    pub date_of_birth: String,
    pub gender: String,
    pub province_code: Option<String>,
    pub commune_code: Option<String>,
}

/// Inserts truth rows in statements of a thousand.
pub async fn insert_many<C: ConnectionTrait>(conn: &C, rows: Vec<TruthRow>) -> StoreResult<()> {
    for chunk in rows.chunks(1_000) {
        let models = chunk.iter().cloned().map(|r| registry_truth::ActiveModel {
            personal_id: Set(r.personal_id),
            full_name: Set(r.full_name),
            date_of_birth: Set(r.date_of_birth),
            gender: Set(r.gender),
            province_code: Set(r.province_code),
            commune_code: Set(r.commune_code),
        });
        registry_truth::Entity::insert_many(models).exec_without_returning(conn).await?;
    }
    Ok(())
}
