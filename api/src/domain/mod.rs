//! Pure domain types and reference data: no IO beyond data compiled into the binary.

pub mod access;
pub mod admin_units;
pub mod clock;
pub mod mask;
pub mod org;
pub mod text;
