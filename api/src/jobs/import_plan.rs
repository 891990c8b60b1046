//! The background plan of a large import: the rows are planned on a blocking thread while the
//! import's progress is recorded every `import.progress_interval_ms` (a quarter second); the
//! preview is then stored, committed when the upload asked for it, and the drain hook is
//! signalled. A failure is recorded on the
//! import (`import_failed`; `commit_failed` when only the requested commit did not happen).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use sea_orm::DatabaseConnection;

use super::WorkerEnv;
use crate::domain::access::Caller;
use crate::import::plan::Layout;
use crate::store::imports::{self, ImportError, Scope};
use crate::store::{StoreError, StoreResult};

/// An import to plan in the background.
pub(crate) struct Planning {
    pub caller: Caller,
    pub request_id: Option<String>,
    pub id: String,
    pub scope: Scope,
    pub layout: Layout,
    /// How often its progress is recorded (`import.progress_interval_ms`).
    pub progress: Duration,
}

/// Starts planning an import in the background.
pub(crate) fn spawn(db: DatabaseConnection, env: WorkerEnv, planning: Planning) {
    tokio::spawn(async move {
        let id = planning.id.clone();
        if let Err(e) = run(&db, &env, planning).await {
            tracing::warn!(import = %id, error = %e, "import job failed");
            if let Err(e) = imports::record_failure(&db, &id, "import_failed", &e.to_string(), true).await {
                tracing::warn!(import = %id, error = %e, "recording the import's failure failed");
            }
        }
        env.events.signal();
    });
}

async fn run(db: &DatabaseConnection, env: &WorkerEnv, planning: Planning) -> Result<(), ImportError> {
    let Planning { caller, request_id, id, scope, mut layout, progress } = planning;
    let (caller, id) = (&caller, id.as_str());
    let done = Arc::new(AtomicUsize::new(0));
    let counter = done.clone();
    let today = env.clock.today();
    let every = progress.max(Duration::from_millis(10));
    let mut task = tokio::task::spawn_blocking(move || {
        imports::plan_rows(&scope, today, &mut layout, &mut |n| counter.store(n, Ordering::Relaxed))
    });
    let planned = loop {
        tokio::select! {
            res = &mut task => break res.map_err(|e| StoreError::Db(sea_orm::DbErr::Custom(format!("import planner: {e}"))))?,
            _ = tokio::time::sleep(every) => {
                // a heartbeat that waited too long for a busy database is skipped, not fatal:
                // the next one reports (and a lease without any lets another instance take over)
                if let Err(e) = imports::record_progress(db, &env.clock, id, done.load(Ordering::Relaxed)).await {
                    tracing::warn!(import = %id, error = %e, "recording the import's progress failed");
                }
            }
        }
    };
    let record = imports::finish_background(db, &env.clock, id, planned).await?;
    if record.commit_requested {
        commit_requested(db, env, caller, request_id, id).await?;
    }
    Ok(())
}

/// Commits as the upload asked; a refusal leaves the preview usable and says why.
pub(super) async fn commit_requested(
    db: &DatabaseConnection,
    env: &WorkerEnv,
    caller: &Caller,
    request_id: Option<String>,
    id: &str,
) -> StoreResult<()> {
    match imports::commit(db, &env.clock, caller, request_id, id, &imports::CommitOptions::default()).await {
        Ok(_) => Ok(()),
        Err(StoreError::Conflict { message, .. } | StoreError::Forbidden(message)) => {
            imports::record_failure(db, id, "commit_failed", &message, false).await
        }
        Err(other) => Err(other),
    }
}
