//! Database migrations: one source for SQLite and PostgreSQL. Portable column types only
//! (integers, text, bool, date, timestamp); enums are stored as text; no JSONB or arrays.
//! SQLite accepts one change per `ALTER TABLE`: add columns one statement at a time.

pub use sea_orm_migration::prelude::*;

mod m20261129_000001_create_units_and_users;
mod m20261129_000002_create_people;
mod m20261129_000003_create_audit_events;
mod m20261129_000004_create_registry_truth;
mod m20261130_000301_create_stat_counters;
mod m20261130_000302_create_stat_snapshots;
mod m20261130_000303_create_campaigns;
mod m20261130_000401_create_fix_batches;
mod m20261130_000501_create_imports;
mod m20261130_000502_create_verification_jobs;
mod m20261205_001001_roles_and_sessions;
mod m20261205_001002_unit_lists;
mod m20261205_001301_drop_registry_truth;
mod m20261206_001003_classes_and_rollovers;
mod m20261206_001004_transfers;
mod m20261206_001005_import_new_classes;
mod m20261206_001101_template_snapshots;
mod m20261206_001302_create_access_events;
mod m20261206_001310_seal_personal_ids;
mod m20261206_001320_retention;
mod m20261206_001400_index_people_search;
mod m20261206_001610_import_uploads;
mod m20261207_000100_units_path_byte_order;
mod m20261207_000200_index_clear_values;
mod m20261207_000300_index_people_name_pairs;
mod m20261207_000400_sealing_key_ids;

pub use m20261207_000200_index_clear_values::{CLEAR_AUDIT, CLEAR_PEOPLE};
pub use m20261207_000300_index_people_name_pairs::NAME_PAIRS;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261129_000001_create_units_and_users::Migration),
            Box::new(m20261129_000002_create_people::Migration),
            Box::new(m20261129_000003_create_audit_events::Migration),
            Box::new(m20261129_000004_create_registry_truth::Migration),
            Box::new(m20261130_000401_create_fix_batches::Migration),
            Box::new(m20261130_000301_create_stat_counters::Migration),
            Box::new(m20261130_000302_create_stat_snapshots::Migration),
            Box::new(m20261130_000303_create_campaigns::Migration),
            Box::new(m20261130_000501_create_imports::Migration),
            Box::new(m20261130_000502_create_verification_jobs::Migration),
            Box::new(m20261205_001301_drop_registry_truth::Migration),
            Box::new(m20261205_001001_roles_and_sessions::Migration),
            Box::new(m20261205_001002_unit_lists::Migration),
            Box::new(m20261206_001101_template_snapshots::Migration),
            Box::new(m20261206_001003_classes_and_rollovers::Migration),
            Box::new(m20261206_001004_transfers::Migration),
            Box::new(m20261206_001005_import_new_classes::Migration),
            Box::new(m20261206_001302_create_access_events::Migration),
            Box::new(m20261206_001310_seal_personal_ids::Migration),
            Box::new(m20261206_001320_retention::Migration),
            Box::new(m20261206_001400_index_people_search::Migration),
            Box::new(m20261206_001610_import_uploads::Migration),
            Box::new(m20261207_000100_units_path_byte_order::Migration),
            Box::new(m20261207_000200_index_clear_values::Migration),
            Box::new(m20261207_000300_index_people_name_pairs::Migration),
            Box::new(m20261207_000400_sealing_key_ids::Migration),
        ]
    }
}

/// `CREATE INDEX IF NOT EXISTS name ON table (columns)`.
pub(crate) fn index(name: &str, table: &str, columns: &[&str]) -> IndexCreateStatement {
    let mut stmt = Index::create();
    stmt.name(name).table(Alias::new(table)).if_not_exists();
    for c in columns {
        stmt.col(Alias::new(*c));
    }
    stmt.to_owned()
}

/// Same, unique.
pub(crate) fn unique_index(name: &str, table: &str, columns: &[&str]) -> IndexCreateStatement {
    let mut stmt = index(name, table, columns);
    stmt.unique();
    stmt
}
