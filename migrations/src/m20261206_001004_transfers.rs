//! Transfers (issue 10, item 5): a record moves to another unit with its id, status and history;
//! the sending unit keeps a read-only trace of each move (who, from where, to where, why), and a
//! record leaving the province is closed with the reason.

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
                    .table("transfers")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    .col(big_integer("person_id"))
                    // student | staff
                    .col(string_len("kind", 16))
                    // the name as it was, for the sending unit's trace
                    .col(string_len_null("full_name", 255))
                    .col(big_integer("from_unit_id"))
                    .col(big_integer_null("from_class_id"))
                    // none: the record left the province and is closed
                    .col(big_integer_null("to_unit_id"))
                    .col(big_integer_null("to_class_id"))
                    .col(string_len("reason", 255))
                    .col(string_len("actor", 64))
                    .col(timestamp_with_time_zone("at"))
                    .foreign_key(ForeignKey::create().from("transfers", "person_id").to("people", "id"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("ix_transfers_from_unit", "transfers", &["from_unit_id"])).await?;
        manager.create_index(index("ix_transfers_person", "transfers", &["person_id"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("transfers").if_exists().to_owned()).await
    }
}
