//! dinhdanh: identity data of students and staff, cleaned and verified against the national
//! population database. `main.rs` holds the subcommands; everything else lives here.

pub mod auth;
pub mod body;
pub mod check;
pub mod config;
pub mod cores;
pub mod crypto;
pub mod db;
pub mod demo;
pub mod domain;
pub mod error;
pub mod excel;
pub mod http;
pub mod import;
pub mod jobs;
pub mod pdf;
pub mod provision;
pub mod registry;
pub mod rollup;
pub mod routes;
pub mod rules;
pub mod slips;
pub mod spa;
pub mod startup;
pub mod state;
pub mod stats;
pub mod store;
