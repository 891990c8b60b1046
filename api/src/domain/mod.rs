//! Pure domain types and reference data: no IO beyond data compiled into the binary.

pub mod access;
pub mod admin_units;
pub mod clock;
pub mod date;
pub mod gender;
pub mod grade;
pub mod legacy;
pub mod mask;
pub mod name;
pub mod org;
pub mod personal_id;
pub mod syllable;
pub mod text;
