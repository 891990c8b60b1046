//! The name search at province size (issue 16, step 3): on PostgreSQL a trigram index on
//! `people.search_key`, so that `search_key LIKE '%nguyen thi hoa%'` (the list's `q`, matched
//! anywhere in the folded name) reads the index instead of every record. SQLite keeps its scan:
//! it holds a demo or a small unit, and has no trigram index. Skipped when the server lacks
//! the `pg_trgm` extension (it ships with PostgreSQL's contrib package).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend, Statement};

#[derive(DeriveMigrationName)]
pub struct Migration;

async fn trigrams_available(manager: &SchemaManager<'_>) -> Result<bool, DbErr> {
    let row = manager
        .get_connection()
        .query_one_raw(Statement::from_string(
            DatabaseBackend::Postgres,
            "SELECT 1 AS present FROM pg_available_extensions WHERE name = 'pg_trgm'",
        ))
        .await?;
    Ok(row.is_some())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DatabaseBackend::Postgres || !trigrams_available(manager).await? {
            return Ok(());
        }
        let db = manager.get_connection();
        db.execute_unprepared("CREATE EXTENSION IF NOT EXISTS pg_trgm").await?;
        db.execute_unprepared(
            "CREATE INDEX IF NOT EXISTS ix_people_search_trgm ON people USING gin (search_key gin_trgm_ops)",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DatabaseBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        db.execute_unprepared("DROP INDEX IF EXISTS ix_people_search_trgm").await?;
        // the index was its only user here; another schema object using it keeps it
        db.execute_unprepared(
            "DO $$ BEGIN DROP EXTENSION IF EXISTS pg_trgm; EXCEPTION WHEN dependent_objects_still_exist THEN NULL; END $$",
        )
        .await?;
        Ok(())
    }
}
