//! The registry simulator's population moves to the simulator's own database
//! (`registry_sim.database_url`): dinhdanh's database holds no copy of the registry. The rows
//! are dropped with the table (the demo seeder writes them into the simulator's file); down
//! recreates the empty table as `m20261129_000004_create_registry_truth` made it.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("registry_truth").if_exists().to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("registry_truth")
                    .if_not_exists()
                    .col(string_len("personal_id", 12).primary_key())
                    .col(string_len("full_name", 255))
                    .col(string_len("date_of_birth", 10))
                    .col(string_len("gender", 8))
                    .col(string_len_null("province_code", 2))
                    .col(string_len_null("commune_code", 5))
                    .to_owned(),
            )
            .await
    }
}
