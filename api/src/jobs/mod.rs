//! Background work that survives a restart. The verification worker drains verification jobs:
//! it takes over batches whose lease ran out (sent again with the same idempotency key), else
//! claims new ones, keeps at most `registry.concurrency` calls in flight, writes each answer in
//! one transaction with the batch's completion, and pauses jobs while the registry's circuit
//! breaker is open (resuming them after the first successful call).

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;

use crate::config::RegistrySettings;
use crate::registry::client::{CallError, RegistryClient, backoff_delay};
use crate::store::Store;
use crate::store::audit::{AuditCtx, Source};
use crate::store::verification::{self as v, ClaimedBatch, Failure, PAUSED_REGISTRY_UNAVAILABLE};

/// Starts the verification worker when a registry is configured; returns whether it runs.
pub fn spawn_verification_worker(store: Store, settings: &RegistrySettings) -> anyhow::Result<bool> {
    if settings.base_url.trim().is_empty() {
        tracing::info!("no registry configured (registry.base_url): verification jobs wait");
        return Ok(false);
    }
    let client = Arc::new(RegistryClient::new(settings)?);
    tokio::spawn(run(store, client, settings.clone()));
    Ok(true)
}

/// The worker loop: runs until the runtime stops.
pub async fn run(store: Store, client: Arc<RegistryClient>, settings: RegistrySettings) {
    let token = uuid::Uuid::new_v4().to_string();
    let slots = Arc::new(Semaphore::new(settings.concurrency.max(1) as usize));
    let poll = Duration::from_millis(settings.poll_interval_ms.max(10));
    let lease = chrono::Duration::seconds(i64::try_from(settings.lease_secs).unwrap_or(120));
    let ctx = AuditCtx::system(Source::Registry, None);
    tracing::info!(url = %settings.base_url, "verification worker started");
    loop {
        if client.is_open() {
            if let Err(e) = v::pause_jobs(&store.db, PAUSED_REGISTRY_UNAVAILABLE).await {
                tracing::warn!(error = %e, "pausing verification jobs failed");
            }
            tokio::time::sleep(poll).await;
            continue;
        }
        let Ok(permit) = slots.clone().acquire_owned().await else { return };
        let next = match v::reclaim_expired(&store.db, &token, lease).await {
            Ok(Some(batch)) => Ok(Some(batch)),
            Ok(None) => v::claim_batch(&store.db, &ctx, &token, u64::from(settings.batch_size), lease).await,
            Err(e) => Err(e),
        };
        match next {
            Ok(Some(batch)) => {
                let (store, client, settings, ctx) = (store.clone(), client.clone(), settings.clone(), ctx.clone());
                tokio::spawn(async move {
                    send(&store, &client, &settings, &ctx, batch).await;
                    drop(permit);
                });
            }
            Ok(None) => {
                drop(permit);
                tokio::time::sleep(poll).await;
            }
            Err(e) => {
                drop(permit);
                tracing::warn!(error = %e, "claiming verification work failed");
                tokio::time::sleep(poll).await;
            }
        }
    }
}

/// Sends one batch and records what came of it.
async fn send(
    store: &Store,
    client: &RegistryClient,
    settings: &RegistrySettings,
    ctx: &AuditCtx,
    batch: ClaimedBatch,
) {
    let now = chrono::Utc::now();
    let outcome = client.verify(&batch.key, &batch.request).await;
    let result = match outcome {
        Ok(answer) => {
            let written = v::complete_batch(&store.db, ctx, &batch, &answer.results).await;
            if let Err(e) = v::resume_jobs(&store.db, PAUSED_REGISTRY_UNAVAILABLE).await {
                tracing::warn!(error = %e, "resuming verification jobs failed");
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
            let _ = v::pause_jobs(&store.db, PAUSED_REGISTRY_UNAVAILABLE).await;
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
                let _ = v::pause_jobs(&store.db, PAUSED_REGISTRY_UNAVAILABLE).await;
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
