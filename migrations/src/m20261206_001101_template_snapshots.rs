//! Three-way import (issue 11): every exported template has an id, and the server keeps what it
//! exported, per record, for as long as the template may come back (`import.snapshot_days`), so
//! that an import can tell a value the file changed from one the record changed since.

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
                    .table("template_exports")
                    .if_not_exists()
                    // the export id written into the template's hidden sheet
                    .col(string_len("id", 36).primary_key())
                    // the unit whose records the template carries
                    .col(big_integer("unit_id"))
                    // student | staff
                    .col(string_len("kind", 8))
                    .col(big_integer("actor_id"))
                    .col(integer("records").default(0))
                    .col(timestamp_with_time_zone("created_at"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("ix_template_exports_created", "template_exports", &["created_at"])).await?;
        manager
            .create_table(
                Table::create()
                    .table("template_snapshots")
                    .if_not_exists()
                    .col(string_len("export_id", 36))
                    .col(big_integer("person_id"))
                    // the record's version when exported
                    .col(integer("version"))
                    // JSON: the values the template carried (one column, to be sealed as a whole)
                    .col(text("data"))
                    .primary_key(Index::create().col("export_id").col("person_id"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("template_snapshots").if_exists().to_owned()).await?;
        manager.drop_table(Table::drop().table("template_exports").if_exists().to_owned()).await
    }
}
