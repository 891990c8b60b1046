//! The people import names classes that do not exist yet (issue 10, item 4): the preview lists
//! them as "lớp mới" and the commit creates them; the import keeps them until then.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table("imports").add_column(text_null("new_classes")).to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table("imports").drop_column("new_classes").to_owned()).await
    }
}
