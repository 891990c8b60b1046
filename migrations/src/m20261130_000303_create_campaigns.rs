//! Campaigns: a population to verify between a start date and a deadline, set by the
//! Department (or any unit) for everything below it.

use sea_orm_migration::{prelude::*, schema::*};

use crate::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("campaigns")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    // the unit that set it; it applies to that unit's subtree
                    .col(big_integer("unit_id"))
                    .col(string_len("name", 200))
                    // students | staff
                    .col(string_len("population", 8))
                    .col(date("start_date"))
                    .col(date("deadline"))
                    .col(big_integer_null("created_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(ForeignKey::create().from("campaigns", "unit_id").to("units", "id"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("ix_campaigns_unit", "campaigns", &["unit_id"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("campaigns").if_exists().to_owned()).await
    }
}
