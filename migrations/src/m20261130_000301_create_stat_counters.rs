//! Progress counters kept in step with every change to `people` (statistics): one row per
//! (unit, class, population, school year) with the counts the dashboards show, the same summed
//! per (unit, population, school year) so province-wide reads stay small, and one row per
//! (unit, population, finding code, field, severity) for the failure reasons.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The counted quantities, in the order the application's `Tally` lists them.
pub(crate) const TALLY_COLUMNS: [&str; 20] = [
    "total",
    "with_personal_id",
    "valid_personal_id",
    "no_errors",
    "complete",
    "correct",
    "clean",
    "live",
    "not_sent",
    "queued",
    "verified",
    "mismatched",
    "not_found",
    "awaiting_evidence",
    "send_failed",
    "mm_full_name",
    "mm_date_of_birth",
    "mm_gender",
    "mm_personal_id",
    "mm_residence",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut counters = Table::create();
        counters
            .table("stat_counters")
            .if_not_exists()
            // the school or office the people belong to
            .col(big_integer("unit_id"))
            // 0 when the people have no class (staff)
            .col(big_integer("class_id"))
            // student | staff
            .col(string_len("kind", 8))
            // the school year the rows are current in: the class's year for students, the year
            // of the verification for verified staff, '' otherwise
            .col(string_len("live_year", 9));
        for c in TALLY_COLUMNS {
            counters.col(big_integer(c).default(0));
        }
        counters.primary_key(Index::create().col("unit_id").col("class_id").col("kind").col("live_year"));
        manager.create_table(counters.to_owned()).await?;

        let mut unit_counters = Table::create();
        unit_counters
            .table("stat_unit_counters")
            .if_not_exists()
            .col(big_integer("unit_id"))
            .col(string_len("kind", 8))
            .col(string_len("live_year", 9));
        for c in TALLY_COLUMNS {
            unit_counters.col(big_integer(c).default(0));
        }
        unit_counters.primary_key(Index::create().col("unit_id").col("kind").col("live_year"));
        manager.create_table(unit_counters.to_owned()).await?;

        manager
            .create_table(
                Table::create()
                    .table("stat_reasons")
                    .if_not_exists()
                    .col(big_integer("unit_id"))
                    .col(string_len("kind", 8))
                    .col(string_len("code", 48))
                    .col(string_len("field", 16))
                    // error | warning
                    .col(string_len("severity", 8))
                    // active people of the unit with this finding
                    .col(big_integer("count").default(0))
                    .primary_key(Index::create().col("unit_id").col("kind").col("code").col("field").col("severity"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["stat_reasons", "stat_unit_counters", "stat_counters"] {
            manager.drop_table(Table::drop().table(table).if_exists().to_owned()).await?;
        }
        Ok(())
    }
}
