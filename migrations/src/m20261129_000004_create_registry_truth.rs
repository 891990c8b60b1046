//! The registry simulator's population: the undamaged "truth" the demo generator produced.
//! Only the simulator reads it; the real registry is an external system.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("registry_truth")
                    .if_not_exists()
                    .col(string_len("personal_id", 12).primary_key())
                    .col(string_len("full_name", 255))
                    // ISO date, or "YYYY" for people registered with a birth year only
                    .col(string_len("date_of_birth", 10))
                    // Nam | Nữ
                    .col(string_len("gender", 8))
                    // permanent residence, post-2025 codes
                    .col(string_len_null("province_code", 2))
                    .col(string_len_null("commune_code", 5))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("registry_truth").if_exists().to_owned()).await
    }
}
