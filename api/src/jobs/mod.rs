//! Background work that survives a restart. The verification worker drains verification jobs:
//! it takes over batches whose lease ran out (sent again with the same idempotency key), else
//! claims new ones, keeps at most `registry.concurrency` calls in flight, writes each answer in
//! one transaction with the batch's completion, and pauses jobs while the registry's circuit
//! breaker is open (resuming them after the first successful call). Each change it makes is
//! signalled on [`events::WorkerEvents`] (the drain hook); business timestamps come from the
//! application's [`Clock`], leases and retries from the system clock (see `store::verification`).

pub mod events;
pub mod import_plan;
pub mod import_sweep;
pub mod retention;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;

use crate::config::RegistrySettings;
use crate::domain::clock::Clock;
use crate::registry::client::{CallError, RegistryClient, backoff_delay};
use crate::store::Store;
use crate::store::audit::{AuditCtx, Source};
use crate::store::verification::{self as v, ClaimedBatch, Failure, PAUSED_REGISTRY_UNAVAILABLE};
use events::WorkerEvents;

/// What the worker reads besides the store and the registry: the clock and the drain hook.
#[derive(Clone, Debug, Default)]
pub struct WorkerEnv {
    pub clock: Clock,
    pub events: WorkerEvents,
}

impl WorkerEnv {
    /// The audit context of one step of the worker, at the clock's now.
    fn ctx(&self) -> AuditCtx {
        AuditCtx::system(Source::Registry, None, self.clock.now())
    }
}

/// Starts the verification worker when a registry is configured; returns whether it runs.
pub fn spawn_verification_worker(store: Store, settings: &RegistrySettings, env: WorkerEnv) -> anyhow::Result<bool> {
    if settings.base_url.trim().is_empty() {
        tracing::info!("no registry configured (registry.base_url): verification jobs wait");
        return Ok(false);
    }
    let client = Arc::new(RegistryClient::new(settings)?);
    tokio::spawn(run(store, client, settings.clone(), env));
    Ok(true)
}

/// The worker loop: runs until the runtime stops.
pub async fn run(store: Store, client: Arc<RegistryClient>, settings: RegistrySettings, env: WorkerEnv) {
    let token = uuid::Uuid::new_v4().to_string();
    let slots = Arc::new(Semaphore::new(settings.concurrency.max(1) as usize));
    let poll = Duration::from_millis(settings.poll_interval_ms.max(10));
    let lease = chrono::Duration::seconds(i64::try_from(settings.lease_secs).unwrap_or(120));
    let claiming = Arc::new(tokio::sync::Mutex::new(()));
    tracing::info!(url = %settings.base_url, "verification worker started");
    loop {
        if client.is_open() {
            pause(&store, &env).await;
            tokio::time::sleep(poll).await;
            continue;
        }
        let Ok(permit) = slots.clone().acquire_owned().await else { return };
        // Each slot claims and sends on its own, so claims (each a committed transaction) run
        // side by side instead of one after another.
        let (store, client, settings, env, token) =
            (store.clone(), client.clone(), settings.clone(), env.clone(), token.clone());
        let claiming = claiming.clone();
        tokio::spawn(async move {
            // One claim at a time per instance: concurrent claims of overlapping candidates
            // only wait on (or deadlock with) each other. Sends and answers run side by side.
            let guard = claiming.lock().await;
            let ctx = env.ctx();
            let next = match v::reclaim_expired(&store.db, &token, lease).await {
                Ok(Some(batch)) => Ok(Some(batch)),
                Ok(None) => {
                    match v::claim_batch(&store.db, &ctx, &token, u64::from(settings.batch_size), lease).await {
                        Ok(claim) => {
                            if claim.finished_jobs {
                                env.events.signal();
                            }
                            Ok(claim.batch)
                        }
                        Err(e) => Err(e),
                    }
                }
                Err(e) => Err(e),
            };
            drop(guard);
            match next {
                Ok(Some(batch)) => {
                    env.events.signal();
                    send(&store, &client, &settings, &env, batch).await;
                    env.events.signal();
                }
                Ok(None) => tokio::time::sleep(poll).await,
                Err(e) => {
                    tracing::warn!(error = %e, "claiming verification work failed");
                    tokio::time::sleep(poll).await;
                }
            }
            drop(permit);
        });
    }
}

/// Pauses the active jobs while the registry is unavailable.
async fn pause(store: &Store, env: &WorkerEnv) {
    match v::pause_jobs(&store.db, PAUSED_REGISTRY_UNAVAILABLE).await {
        Ok(0) => {}
        Ok(_) => env.events.signal(),
        Err(e) => tracing::warn!(error = %e, "pausing verification jobs failed"),
    }
}

/// Sends one batch and records what came of it.
async fn send(
    store: &Store,
    client: &RegistryClient,
    settings: &RegistrySettings,
    env: &WorkerEnv,
    batch: ClaimedBatch,
) {
    // Retries are scheduled by the system clock, like leases (see `store::verification`).
    let now = chrono::Utc::now();
    let outcome = client.verify(&batch.key, &batch.request).await;
    // The answer is stamped when it arrives.
    let ctx = &env.ctx();
    let result = match outcome {
        Ok(answer) => {
            // A transaction that loses a deadlock or a lock wait is retried at once: the batch
            // stays ours until its lease runs out, and waiting for that would stall the job.
            let mut written = v::complete_batch(&store.db, ctx, &batch, &answer.results).await;
            for attempt in 1..=5u64 {
                let Err(e) = &written else { break };
                tracing::warn!(error = %e, attempt, batch = %batch.key, "recording an answer failed; retrying");
                tokio::time::sleep(Duration::from_millis(20 * attempt)).await;
                written = v::complete_batch(&store.db, ctx, &batch, &answer.results).await;
            }
            match v::resume_jobs(&store.db, PAUSED_REGISTRY_UNAVAILABLE).await {
                Ok(0) => {}
                Ok(_) => env.events.signal(),
                Err(e) => tracing::warn!(error = %e, "resuming verification jobs failed"),
            }
            match written {
                Ok(false) => {
                    tracing::info!(batch = %batch.key, "batch taken over by another worker: answer left to it");
                    Ok(())
                }
                other => other.map(|_| ()),
            }
        }
        Err(CallError::BreakerOpen) => {
            pause(store, env).await;
            let retry_at =
                now + chrono::Duration::milliseconds(i64::try_from(settings.poll_interval_ms).unwrap_or(500));
            let failure = Failure {
                cause: "registry unavailable (circuit open)",
                count_attempt: false,
                give_up: false,
                retry_at,
                max_attempts: settings.max_attempts,
            };
            v::fail_batch(&store.db, ctx, &batch, failure).await
        }
        Err(e) => {
            let give_up = !e.is_retryable();
            let delay = backoff_delay(
                u32::try_from(batch.attempts).unwrap_or(0),
                Duration::from_millis(settings.backoff_base_ms),
                Duration::from_millis(settings.backoff_max_ms),
                rand::random::<f64>(),
            )
            .max(Duration::from_millis(settings.backoff_base_ms));
            let retry_at = now + chrono::Duration::from_std(delay).unwrap_or_else(|_| chrono::Duration::seconds(1));
            if client.is_open() {
                pause(store, env).await;
            }
            let cause = e.to_string();
            let failure =
                Failure { cause: &cause, count_attempt: true, give_up, retry_at, max_attempts: settings.max_attempts };
            v::fail_batch(&store.db, ctx, &batch, failure).await
        }
    };
    if let Err(e) = result {
        // The lease runs out and the batch is sent again: nothing is lost.
        tracing::warn!(error = %e, batch = %batch.key, "recording a verification answer failed");
    }
}
