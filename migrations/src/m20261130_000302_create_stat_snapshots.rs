//! Daily snapshots of the counters per unit (schools and above) and population, for timelines
//! and burn-downs. One row per (unit, population, day); the day's row holds the last values
//! taken that day.

use sea_orm_migration::{prelude::*, schema::*};

use crate::index;
use crate::m20261130_000301_create_stat_counters::TALLY_COLUMNS;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut snapshots = Table::create();
        snapshots
            .table("stat_snapshots")
            .if_not_exists()
            .col(big_integer("unit_id"))
            // student | staff
            .col(string_len("kind", 8))
            // the calendar day in Vietnam
            .col(date("day"));
        for c in TALLY_COLUMNS {
            snapshots.col(big_integer(c).default(0));
        }
        snapshots
            .col(timestamp_with_time_zone("taken_at"))
            .primary_key(Index::create().col("unit_id").col("kind").col("day"))
            .foreign_key(ForeignKey::create().from("stat_snapshots", "unit_id").to("units", "id"));
        manager.create_table(snapshots.to_owned()).await?;
        manager.create_index(index("ix_stat_snapshots_day", "stat_snapshots", &["day"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("stat_snapshots").if_exists().to_owned()).await
    }
}
