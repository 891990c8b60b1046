//! Demo data: a realistic Hải Phòng education sector with accounts, seeded into an empty
//! database by `dinhdanh seed-demo` and `dinhdanh serve --demo`.

use crate::config::Settings;
use crate::store::Store;

/// Seeds the demo data when the database holds no unit yet.
pub async fn seed_if_empty(store: &Store, settings: &Settings) -> anyhow::Result<()> {
    let _ = (store, settings);
    Ok(())
}

/// Seeds the demo data into an empty database; returns a summary for the console.
pub async fn seed(store: &Store, students: u32, seed: u64) -> anyhow::Result<String> {
    let _ = (store, students, seed);
    Ok(String::new())
}
