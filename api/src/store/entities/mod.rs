//! sea-orm entities, one per table. Relations are expressed in queries, not here.

pub mod audit_events;
pub mod campaigns;
pub mod classes;
pub mod fix_batches;
pub mod import_rows;
pub mod imports;
pub mod people;
pub mod person_findings;
pub mod registry_truth;
pub mod units;
pub mod users;
