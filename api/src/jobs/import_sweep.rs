//! The imports' sweeper: on every instance, from start-up on, takes over what a stopped or
//! killed instance left (a background import whose planner stopped reporting is planned again
//! from its kept file; a commit asked for with the upload and never written is committed), fails
//! the background imports that cannot be taken over (no kept file, or taken over too often: the
//! import ends `failed` with a reason instead of `processing` forever), says why a preview whose
//! commit was asked for with the upload is still not committed once the lease has passed,
//! expires the previews left unconfirmed (`import.expire_days`). All are conditional, safe side
//! by side. (What imports and exports keep of personal data is deleted by the daily retention
//! task, [`super::retention`].)

use std::time::Duration;

use super::WorkerEnv;
use crate::config::ImportSettings;
use crate::store::Store;
use crate::store::entities::imports as import_records;
use crate::store::imports;
use sea_orm::EntityTrait;

/// Starts the sweeper; it runs until the runtime stops.
pub fn spawn(store: Store, settings: ImportSettings, env: WorkerEnv) {
    tokio::spawn(async move {
        // half the lease, so that a dead task is failed within one and a half leases
        let every = Duration::from_secs((settings.lease_secs / 2).clamp(1, 300));
        loop {
            take_over(&store, &settings, &env).await;
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

/// Takes over what dead instances left: plans again the background imports whose planner
/// stopped reporting (from their kept file), and commits the previews whose commit was asked
/// for with the upload and never written. Each claim is won by one instance only.
async fn take_over(store: &Store, settings: &ImportSettings, env: &WorkerEnv) {
    match imports::claim_stale_plans(&store.db, &env.clock, settings).await {
        Ok(ids) => {
            for id in ids {
                tracing::info!(import = %id, "planning taken over from a stopped instance");
                match imports::reopen(&store.db, settings, &id).await {
                    Ok(r) => {
                        let planning = super::import_plan::Planning {
                            caller: r.caller,
                            request_id: None,
                            id,
                            scope: r.scope,
                            layout: r.layout,
                            progress: Duration::from_millis(settings.progress_interval_ms),
                        };
                        super::import_plan::spawn(store.db.clone(), env.clone(), planning)
                    }
                    Err(e) => {
                        tracing::warn!(import = %id, error = %e, "taking an import over failed");
                        if let Err(e) =
                            imports::record_failure(&store.db, &id, "import_failed", &e.to_string(), true).await
                        {
                            tracing::warn!(import = %id, error = %e, "recording the import's failure failed");
                        }
                        env.events.signal();
                    }
                }
            }
        }
        Err(e) => tracing::warn!(error = %e, "claiming stopped imports failed"),
    }
    match imports::claim_stale_commits(&store.db, &env.clock, settings).await {
        Ok(ids) => {
            for id in ids {
                tracing::info!(import = %id, "requested commit taken over from a stopped instance");
                let db = store.db.clone();
                let env = env.clone();
                tokio::spawn(async move {
                    let outcome = match import_records::Entity::find_by_id(id.clone()).one(&db).await {
                        Ok(Some(record)) => match imports::uploader(&db, &record).await {
                            Ok(caller) => super::import_plan::commit_requested(&db, &env, &caller, None, &id).await,
                            Err(e) => Err(e),
                        },
                        Ok(None) => Ok(()),
                        Err(e) => Err(e.into()),
                    };
                    if let Err(e) = outcome {
                        tracing::warn!(import = %id, error = %e, "a taken-over commit failed");
                    }
                    env.events.signal();
                });
            }
        }
        Err(e) => tracing::warn!(error = %e, "claiming stopped commits failed"),
    }
}
