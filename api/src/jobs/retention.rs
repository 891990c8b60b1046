//! The daily retention task, on every instance started by `serve`: at start-up and then every
//! `CHECK_EVERY`, it tries to claim today (by the application's clock) and, when this instance
//! got it, purges what is past its retention time ([`crate::store::retention`]). Instances side
//! by side purge once a day between them; a day missed (nothing running) is caught up by the
//! next run, as every purge deletes all that is due.

use std::time::Duration;

use super::WorkerEnv;
use crate::config::RetentionSettings;
use crate::store::Store;
use crate::store::retention;

/// How often an instance looks whether today's purge has run.
const CHECK_EVERY: Duration = Duration::from_secs(15 * 60);

/// Starts the task; it runs until the runtime stops.
pub fn spawn(store: Store, settings: RetentionSettings, env: WorkerEnv) {
    let by = format!("instance-{}", uuid::Uuid::new_v4().simple());
    tokio::spawn(async move {
        loop {
            match retention::run_daily(&store.db, &env.clock, &settings, &by).await {
                Ok(Some(purged)) => {
                    tracing::info!(%purged, "retention: data past its time deleted");
                    env.events.signal();
                }
                Ok(None) => {}
                Err(e) => tracing::warn!(error = %e, "retention purge failed"),
            }
            tokio::time::sleep(CHECK_EVERY).await;
        }
    });
}
