//! The imports' sweeper: on every instance, from start-up on, fails the background imports
//! whose planning task stopped reporting (its server was stopped or killed: the import ends
//! `failed` with a reason instead of `processing` forever), says why a preview whose commit
//! was asked for with the upload is still not committed once the lease has passed (its server
//! stopped between planning and committing), expires the previews left unconfirmed
//! (`import.expire_days`). All are conditional, safe side by side. (What imports and exports
//! keep of personal data is deleted by the daily retention task, [`super::retention`].)

use std::time::Duration;

use super::WorkerEnv;
use crate::config::ImportSettings;
use crate::store::Store;
use crate::store::imports;

/// Starts the sweeper; it runs until the runtime stops.
pub fn spawn(store: Store, settings: ImportSettings, env: WorkerEnv) {
    tokio::spawn(async move {
        // half the lease, so that a dead task is failed within one and a half leases
        let every = Duration::from_secs((settings.lease_secs / 2).clamp(1, 300));
        loop {
            match imports::sweep(&store.db, &env.clock, &settings).await {
                Ok(swept) => {
                    if swept != imports::Swept::default() {
                        tracing::info!(interrupted = swept.interrupted, expired = swept.expired, "imports swept");
                        env.events.signal();
                    }
                }
                Err(e) => tracing::warn!(error = %e, "sweeping imports failed"),
            }
            tokio::time::sleep(every).await;
        }
    });
}
