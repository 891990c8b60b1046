//! The name search at province size, second step (issue 16, step 3): the trigram index reads
//! the posting lists of every trigram of `q`, and at 5,000,000 records those of "nguyen" and
//! "thi" hold half the names (481 ms for `q=nguyen thi hoa`). On PostgreSQL this adds an index
//! of each name's pairs of adjacent words (`dinhdanh_name_pairs('nguyen thi hoa')` is the
//! `tsvector` of `'nguyen thi'` and `'thi hoa'`): a search of three or more words asks for its
//! last pair, which is far rarer than any of its words (the query's first word may be the end
//! of a longer word, its last one the start of one, so `'thi hoa':*` and not `'nguyen thi'`),
//! and the substring match is then checked on the rows it finds. SQLite keeps its scan.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The indexed expression, which the search repeats word for word so that the planner reads
/// the index.
pub const NAME_PAIRS: &str = "dinhdanh_name_pairs(search_key)";

/// The pairs of adjacent words of a search key (words are separated by one space), as the
/// lexemes of a `tsvector`; no lexeme for a key of one word.
const NAME_PAIRS_FUNCTION: &str = "CREATE OR REPLACE FUNCTION dinhdanh_name_pairs(key text) RETURNS tsvector \
     LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ \
     SELECT pg_catalog.array_to_tsvector(ARRAY(SELECT w[i] || ' ' || w[i + 1] \
     FROM (SELECT pg_catalog.string_to_array(key, ' ') AS w) AS words, \
     pg_catalog.generate_series(1, pg_catalog.cardinality(words.w) - 1) AS i)) $$";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DatabaseBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        db.execute_unprepared(NAME_PAIRS_FUNCTION).await?;
        db.execute_unprepared(&format!(
            "CREATE INDEX IF NOT EXISTS ix_people_name_pairs ON people USING gin ({NAME_PAIRS})"
        ))
        .await?;
        // the planner's statistics of the indexed expression (an index created on a full table
        // had none until the next ANALYZE, and the search's plan was three times slower)
        db.execute_unprepared("ANALYZE people").await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DatabaseBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        db.execute_unprepared("DROP INDEX IF EXISTS ix_people_name_pairs").await?;
        db.execute_unprepared("DROP FUNCTION IF EXISTS dinhdanh_name_pairs(text)").await?;
        Ok(())
    }
}
