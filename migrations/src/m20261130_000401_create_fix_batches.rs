//! Bulk applications of the rule engine's safe repairs, each undoable as a whole. The changes
//! themselves are audit rows whose `source_ref` is the batch id.

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
                    .table("fix_batches")
                    .if_not_exists()
                    .col(string_len("id", 36).primary_key())
                    .col(big_integer("actor_id"))
                    .col(string_len("actor", 64))
                    // the unit whose records the caller asked to repair
                    .col(big_integer("unit_id"))
                    .col(big_integer_null("class_id"))
                    // student | staff
                    .col(string_len("kind", 8))
                    .col(string_len_null("finding_code", 48))
                    .col(integer("records"))
                    .col(integer("changes"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("undone_at"))
                    .col(integer("reverted").default(0))
                    .col(integer("kept").default(0))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("ix_fix_batches_unit", "fix_batches", &["unit_id", "created_at"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("fix_batches").if_exists().to_owned()).await
    }
}
