//! ID numbers encrypted at rest (issue 13): `people.personal_id` and `norm_personal_id` hold
//! sealed text (`dd1:<key id>:<base64url>`, 67 characters for 12 digits), too long for their
//! `VARCHAR(64)` / `VARCHAR(32)`: PostgreSQL widens them to `TEXT` (SQLite does not enforce a
//! declared length). Two columns replace what SQL used to read from the clear number:
//! `personal_id_index`, the blind index of the normalised number (exact search, duplicate
//! detection, the registry's answers), and `personal_id_valid` (12 digits, what the statistics
//! count). Existing rows get their clear normalised number as a provisional index and their
//! validity here; `dinhdanh encrypt-existing` (or the start-up step) then seals them.

use sea_orm_migration::{prelude::*, schema::*};

use crate::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

const VALID_SQL: &str = "LENGTH(norm_personal_id) = 12 AND TRIM(norm_personal_id, '0123456789') = ''";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
            for column in ["personal_id", "norm_personal_id"] {
                manager
                    .alter_table(
                        Table::alter().table("people").modify_column(ColumnDef::new(column).text().null()).to_owned(),
                    )
                    .await?;
            }
        }
        manager
            .alter_table(Table::alter().table("people").add_column(text_null("personal_id_index")).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter().table("people").add_column(boolean("personal_id_valid").default(false)).to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        db.execute_unprepared(&format!(
            "UPDATE people SET personal_id_index = norm_personal_id, personal_id_valid = \
             CASE WHEN {VALID_SQL} THEN TRUE ELSE FALSE END WHERE norm_personal_id IS NOT NULL"
        ))
        .await?;
        manager
            .drop_index(Index::drop().name("ix_people_norm_personal_id").table("people").if_exists().to_owned())
            .await?;
        manager.create_index(index("ix_people_personal_id_index", "people", &["personal_id_index"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name("ix_people_personal_id_index").table("people").if_exists().to_owned())
            .await?;
        manager.create_index(index("ix_people_norm_personal_id", "people", &["norm_personal_id"])).await?;
        for column in ["personal_id_valid", "personal_id_index"] {
            manager.alter_table(Table::alter().table("people").drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}
