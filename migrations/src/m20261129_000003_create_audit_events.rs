//! The append-only audit trail: who changed or viewed what, when, from which source.

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
                    .table("audit_events")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    .col(timestamp_with_time_zone("at"))
                    .col(big_integer_null("actor_id"))
                    .col(string_len("actor", 64))
                    // create | update | delete | view_personal_id | export | ...
                    .col(string_len("action", 32))
                    // person | user | unit | class | ...
                    .col(string_len("entity", 16))
                    .col(big_integer_null("entity_id"))
                    .col(string_len_null("field", 32))
                    .col(text_null("old_value"))
                    .col(text_null("new_value"))
                    // manual | import | registry | auto_fix | seed
                    .col(string_len("source", 16))
                    // the import, fix batch or job the change came from
                    .col(string_len_null("source_ref", 64))
                    .col(string_len_null("request_id", 64))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("ix_audit_entity", "audit_events", &["entity", "entity_id", "id"])).await?;
        manager.create_index(index("ix_audit_source_ref", "audit_events", &["source_ref"])).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("audit_events").if_exists().to_owned()).await
    }
}
