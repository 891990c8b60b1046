//! School years and classes (issue 10, item 4): a class names its homeroom teacher, and a year
//! rollover keeps its plan (per school, per class, next year's class) until it is committed.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter().table("classes").add_column(string_len_null("homeroom_teacher", 200)).to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("rollovers")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    // the school, or the office whose schools roll over together
                    .col(big_integer("unit_id"))
                    .col(string_len("from_year", 9))
                    .col(string_len("to_year", 9))
                    // preview | committed
                    .col(string_len("status", 16))
                    // the planned schools and classes (JSON)
                    .col(text("plan"))
                    .col(big_integer("created_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("committed_at"))
                    .foreign_key(ForeignKey::create().from("rollovers", "unit_id").to("units", "id"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("rollovers").if_exists().to_owned()).await?;
        manager.alter_table(Table::alter().table("classes").drop_column("homeroom_teacher").to_owned()).await
    }
}
