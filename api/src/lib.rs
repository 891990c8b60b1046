//! dinhdanh: identity data of students and staff, cleaned and verified against the national
//! population database. `main.rs` holds the subcommands; everything else lives here.

pub mod domain;
pub mod rules;
