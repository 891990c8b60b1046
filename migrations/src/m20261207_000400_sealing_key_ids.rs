//! The key ids the database's sealed values use, as a table kept by the processes that seal
//! (issue 16, step 3): each start asked for them by reading every sealed column of every
//! record (7.7 s of an 8.4 s start at 1,000,000 students). A process adds its own keys' ids
//! before it seals anything, so the table holds every id in use and perhaps one no value
//! uses any more; the scan fills it once (the row of kind `scan` says it did) and decides
//! whenever the table would refuse a start. `api/src/store/sealing.rs` reads and writes it.

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
                    .table("sealing_key_ids")
                    .if_not_exists()
                    // `data` (the key of sealed values), `index` (the blind index's), or `scan`
                    // (with an empty id: the table was filled from the values themselves)
                    .col(string_len("kind", 8))
                    .col(string_len("key_id", 16))
                    .primary_key(Index::create().col("kind").col("key_id"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("sealing_key_ids").if_exists().to_owned()).await
    }
}
