//! Retention (issue 13, item 4): an import remembers when its planned rows were deleted at the
//! end of their retention time (it stays listed with its counts), and the daily tasks claim
//! their day in `daily_tasks` (one row per task: the instance whose conditional update moves
//! `last_run_on` to today runs it; the others see no row changed and skip).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter().table("imports").add_column(timestamp_with_time_zone_null("rows_purged_at")).to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("daily_tasks")
                    .if_not_exists()
                    .col(string_len("name", 32).primary_key())
                    // the date (YYYY-MM-DD, in Vietnam) of the last run claimed
                    .col(string_len_null("last_run_on", 10))
                    // which instance claimed it, and when
                    .col(string_len_null("claimed_by", 64))
                    .col(timestamp_with_time_zone_null("claimed_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .exec_stmt(
                Query::insert()
                    .into_table("daily_tasks")
                    .columns(["name"])
                    .values_panic(["retention".into()])
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("daily_tasks").if_exists().to_owned()).await?;
        manager.alter_table(Table::alter().table("imports").drop_column("rows_purged_at").to_owned()).await
    }
}
