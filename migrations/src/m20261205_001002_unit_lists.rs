//! The unit tree from a Department's own list (issue 10): a unit may be closed (it keeps its
//! history and statistics and holds no active record) and names its head; imports of unit lists
//! keep their plan until committed, and what undoing them restores.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter().table("units").add_column(timestamp_with_time_zone_null("closed_at")).to_owned(),
            )
            .await?;
        manager
            .alter_table(Table::alter().table("units").add_column(string_len_null("principal", 200)).to_owned())
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("unit_imports")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    .col(big_integer("created_by"))
                    .col(string_len("filename", 255))
                    // preview | committed | undone
                    .col(string_len("status", 16))
                    // the planned lines (JSON)
                    .col(text("plan"))
                    // what undo restores (JSON), once committed
                    .col(text_null("undo"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("committed_at"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("unit_imports").if_exists().to_owned()).await?;
        manager.alter_table(Table::alter().table("units").drop_column("principal").to_owned()).await?;
        manager.alter_table(Table::alter().table("units").drop_column("closed_at").to_owned()).await
    }
}
