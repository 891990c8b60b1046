//! Unit paths (`/1/5/16/`) compare byte by byte on PostgreSQL whatever the database's locale.
//! A subtree is read as the range `path >= '/1/5/' AND path < '/1/50'` (`store::units::
//! path_starts_with`), which holds only in byte order: a locale's collation may weigh the
//! slashes differently from the digits. The tests' databases are `C.UTF-8`; a province's may
//! not be. SQLite compares text bytewise already.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Stores `units.path` with this collation on PostgreSQL (the path index is rebuilt with the
/// column); nothing on SQLite.
async fn collate_paths(manager: &SchemaManager<'_>, collation: &str) -> Result<(), DbErr> {
    if manager.get_database_backend() != DatabaseBackend::Postgres {
        return Ok(());
    }
    let sql = format!(r#"ALTER TABLE units ALTER COLUMN path TYPE varchar(255) COLLATE "{collation}""#);
    manager.get_connection().execute_unprepared(&sql).await?;
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        collate_paths(manager, "C").await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        collate_paths(manager, "default").await
    }
}
