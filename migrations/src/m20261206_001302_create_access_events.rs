//! The access log (issue 13): who read personal data, when, under which request, and which
//! records — reveals of full ID numbers, history views, exports, import reports, data-subject
//! reports, retention purges. Separate from the change audit and append-only: on both databases
//! a trigger refuses UPDATE and DELETE of its rows.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

use crate::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLES: [&str; 2] = ["access_events", "access_event_people"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("access_events")
                    .if_not_exists()
                    .col(big_pk_auto("id"))
                    .col(timestamp_with_time_zone("at"))
                    // the account (none for the system's own work, e.g. a retention purge)
                    .col(big_integer_null("user_id"))
                    .col(string_len("username", 64))
                    .col(string_len_null("request_id", 64))
                    // reveal | history_view | export | import_report | personal_data_report | retention_purge
                    .col(string_len("action", 32))
                    // the unit whose records were read (scopes who may read the entry)
                    .col(big_integer_null("unit_id"))
                    // the field shown in full (personalId), if any
                    .col(string_len_null("field", 32))
                    // what was read: a file's scope, a purge's counts (never an ID number)
                    .col(text_null("detail"))
                    .col(integer("person_count").default(0))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("ix_access_events_at", "access_events", &["at"])).await?;
        manager.create_index(index("ix_access_events_user", "access_events", &["user_id", "id"])).await?;
        manager.create_index(index("ix_access_events_unit", "access_events", &["unit_id", "id"])).await?;
        manager
            .create_table(
                Table::create()
                    .table("access_event_people")
                    .if_not_exists()
                    .col(big_integer("event_id"))
                    .col(big_integer("person_id"))
                    .primary_key(Index::create().col("event_id").col("person_id"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("ix_access_event_people_person", "access_event_people", &["person_id", "event_id"]))
            .await?;
        let conn = manager.get_connection();
        match manager.get_database_backend() {
            DbBackend::Postgres => {
                conn.execute_unprepared(
                    "CREATE OR REPLACE FUNCTION access_log_append_only() RETURNS trigger AS $$ \
                     BEGIN RAISE EXCEPTION 'the access log is append-only (%)', TG_OP; END; \
                     $$ LANGUAGE plpgsql",
                )
                .await?;
                for t in TABLES {
                    conn.execute_unprepared(&format!(
                        "CREATE TRIGGER {t}_append_only BEFORE UPDATE OR DELETE ON {t} \
                         FOR EACH ROW EXECUTE FUNCTION access_log_append_only()"
                    ))
                    .await?;
                    conn.execute_unprepared(&format!(
                        "CREATE TRIGGER {t}_no_truncate BEFORE TRUNCATE ON {t} \
                         FOR EACH STATEMENT EXECUTE FUNCTION access_log_append_only()"
                    ))
                    .await?;
                }
            }
            _ => {
                for t in TABLES {
                    for op in ["UPDATE", "DELETE"] {
                        conn.execute_unprepared(&format!(
                            "CREATE TRIGGER IF NOT EXISTS {t}_no_{op} BEFORE {op} ON {t} \
                             BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END"
                        ))
                        .await?;
                    }
                }
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in TABLES {
            manager.drop_table(Table::drop().table(t).if_exists().to_owned()).await?;
        }
        if manager.get_database_backend() == DbBackend::Postgres {
            manager.get_connection().execute_unprepared("DROP FUNCTION IF EXISTS access_log_append_only()").await?;
        }
        Ok(())
    }
}
