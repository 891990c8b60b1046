//! The integration suite as one test binary (one link, one process; `cargo test -p
//! dinhdanh-tests` runs it): each module below is one area, every test starts the real app with
//! `dinhdanh_tests::spawn_app()` on a fresh database (SQLite, or PostgreSQL when
//! `TEST_DATABASE_URL` is set).
//!
//! Adding a test file: create `tests/tests/it/<area>.rs` (starting with a `//!` paragraph) and add
//! `mod <area>;` below. A file directly under `tests/tests/` would build as a binary of its own:
//! put it here instead.

mod address_conversion;
mod api_document;
mod authz_matrix;
mod clean_logs;
mod collation;
mod demo;
mod durable_imports;
mod excel;
mod first_week;
mod foundation;
mod hostile;
mod hostile_api;
mod instances;
mod list_exports;
mod never_worse;
mod openapi_drift;
mod privacy;
mod proxy;
mod retention;
mod rollup;
mod rotation;
mod rules;
mod school_years;
mod sealing;
mod set_writes;
mod setup;
mod staff_position;
mod stats;
mod three_way;
mod three_way_property;
mod transfers;
mod verification;
