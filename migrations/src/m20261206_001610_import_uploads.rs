//! Background imports survive their instance (issue 16, step 3): the uploaded file of an import
//! that is still being planned is kept (sealed, `import_uploads`) until its plan is stored, so
//! that another instance's sweeper can plan it again when the first one dies; `takeovers`
//! bounds how often (a file that kills every planner is failed, not passed round for ever).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("import_uploads")
                    .if_not_exists()
                    .col(string_len("import_id", 36).primary_key())
                    // the file's bytes as base64, sealed with the data key when keys are installed
                    .col(text("data"))
                    .col(integer("takeovers").default(0))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_import_uploads_import")
                            .from("import_uploads", "import_id")
                            .to("imports", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("import_uploads").if_exists().to_owned()).await
    }
}
