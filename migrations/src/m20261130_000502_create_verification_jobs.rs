//! Verification against the national population database: jobs, their items, the batches sent
//! to the registry (the unit of claiming, leasing and idempotency), and each record's history of
//! answers. Portable types only; claims are conditional updates, never `SKIP LOCKED`.

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
                    .table("verification_jobs")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    // queued | running | paused | done | cancelled
                    .col(string_len("status", 16))
                    // the scope asked for, as JSON text
                    .col(text("scope"))
                    .col(big_integer("unit_id"))
                    .col(big_integer_null("created_by_id"))
                    .col(string_len("created_by", 64))
                    // why a job is paused (registry_unavailable)
                    .col(string_len_null("pause_reason", 64))
                    .col(integer("total").default(0))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("started_at"))
                    .col(timestamp_with_time_zone_null("finished_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("ix_verification_jobs_status", "verification_jobs", &["status", "id"])).await?;
        manager.create_index(index("ix_verification_jobs_unit", "verification_jobs", &["unit_id", "id"])).await?;

        manager
            .create_table(
                Table::create()
                    .table("verification_batches")
                    .if_not_exists()
                    // also the idempotency key of every call that sends it
                    .col(string_len("key", 36).primary_key())
                    .col(big_integer("job_id"))
                    // open | done | failed
                    .col(string_len("status", 8))
                    // the request body, so a resent batch is the very same call
                    .col(text("body"))
                    // the instance holding the batch, and until when
                    .col(string_len("claim_token", 36))
                    .col(timestamp_with_time_zone("lease_until"))
                    .col(integer("attempts").default(0))
                    .col(text_null("last_error"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("ix_verification_batches_lease", "verification_batches", &["status", "lease_until"]))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("verification_job_items")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    .col(big_integer("job_id"))
                    .col(big_integer("person_id"))
                    // pending | sending | done
                    .col(string_len("status", 8))
                    // when done: verified | mismatched | not_found | invalid | error | changed |
                    // skipped | cancelled
                    .col(string_len_null("outcome", 16))
                    // mismatched fields, comma-separated; or the finding codes of a skipped record
                    .col(string_len_null("detail", 500))
                    .col(string_len_null("batch_key", 36))
                    // the record's status before the job queued it (restored on cancel)
                    .col(string_len("prev_status", 20))
                    // the record's version when it was sent
                    .col(integer_null("sent_version"))
                    .col(text_null("error"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("ix_verification_items_job", "verification_job_items", &["job_id", "status", "id"]))
            .await?;
        manager.create_index(index("ix_verification_items_batch", "verification_job_items", &["batch_key"])).await?;
        manager.create_index(index("ix_verification_items_person", "verification_job_items", &["person_id"])).await?;

        manager
            .create_table(
                Table::create()
                    .table("verification_history")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    .col(big_integer("person_id"))
                    .col(big_integer_null("job_id"))
                    .col(big_integer_null("item_id"))
                    .col(timestamp_with_time_zone("at"))
                    // matched | mismatched | not_found | invalid | error
                    .col(string_len("outcome", 16))
                    // mismatched fields, comma-separated
                    .col(string_len_null("fields", 128))
                    // what was sent and what the registry returned, as JSON text
                    .col(text_null("sent_values"))
                    .col(text_null("registry_values"))
                    // true when the answer became the record's status
                    .col(boolean("applied"))
                    // why it was not applied, or the error's cause
                    .col(text_null("note"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("ix_verification_history_person", "verification_history", &["person_id", "id"]))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["verification_history", "verification_job_items", "verification_batches", "verification_jobs"] {
            manager.drop_table(Table::drop().table(table).if_exists().to_owned()).await?;
        }
        Ok(())
    }
}
