//! Spreadsheet imports: the preview (the plan of every row, as JSON text in `import_rows`), its progress while a
//! background job reads a large file, and its commit and undo. The changes themselves are audit
//! rows with source `import` whose `source_ref` is the import id.

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
                    .table("imports")
                    .if_not_exists()
                    .col(string_len("id", 36).primary_key())
                    .col(big_integer("actor_id"))
                    .col(string_len("actor", 64))
                    // the unit whose records the rows write (a school, or an office for staff)
                    .col(big_integer("unit_id"))
                    .col(big_integer_null("class_id"))
                    // student | staff
                    .col(string_len("kind", 8))
                    .col(string_len("filename", 255))
                    // xlsx | xls | csv
                    .col(string_len("format", 8))
                    .col(string_len_null("encoding", 16))
                    // processing | ready | committed | undone | failed
                    .col(string_len("status", 16))
                    .col(boolean("commit_requested").default(false))
                    .col(integer("rows_read").default(0))
                    .col(integer("rows_total").default(0))
                    // JSON: totals, sheet layouts
                    .col(text("totals"))
                    .col(text("sheets"))
                    // JSON problem when status = failed
                    .col(text_null("error"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .col(timestamp_with_time_zone_null("committed_at"))
                    .col(timestamp_with_time_zone_null("undone_at"))
                    .col(integer("reverted").default(0))
                    .col(integer("kept").default(0))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("ix_imports_unit", "imports", &["unit_id", "created_at"])).await?;
        // the planned rows, one per data row of the file, paged by the preview
        manager
            .create_table(
                Table::create()
                    .table("import_rows")
                    .if_not_exists()
                    .col(string_len("import_id", 36))
                    .col(integer("seq"))
                    // unchanged | update | create | rejected
                    .col(string_len("action", 16))
                    // JSON: the planned row (cells, values, changes, findings, errors)
                    .col(text("data"))
                    .primary_key(Index::create().col("import_id").col("seq"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("ix_import_rows_action", "import_rows", &["import_id", "action", "seq"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("import_rows").if_exists().to_owned()).await?;
        manager.drop_table(Table::drop().table("imports").if_exists().to_owned()).await
    }
}
