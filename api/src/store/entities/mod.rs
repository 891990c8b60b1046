//! sea-orm entities, one per table. Relations are expressed in queries, not here.

pub mod access_event_people;
pub mod access_events;
pub mod audit_events;
pub mod campaigns;
pub mod classes;
pub mod daily_tasks;
pub mod fix_batches;
pub mod import_rows;
pub mod import_uploads;
pub mod imports;
pub mod people;
pub mod person_findings;
pub mod revoked_tokens;
pub mod rollovers;
pub mod template_exports;
pub mod template_snapshots;
pub mod transfers;
pub mod unit_imports;
pub mod units;
pub mod users;
pub mod verification_batches;
pub mod verification_history;
pub mod verification_job_items;
pub mod verification_jobs;
