//! What handlers share: the store, the settings (with the clock), the login throttle, the
//! password-check slots, the trusted proxies, the workers' drain hook and the personal-data keys.

use std::sync::Arc;

use crate::auth::client::TrustedProxies;
use crate::auth::throttle::LoginThrottle;
use crate::config::Settings;
use crate::jobs::events::WorkerEvents;
use crate::store::Store;

pub struct AppState {
    pub store: Store,
    pub settings: Settings,
    pub throttle: LoginThrottle,
    /// Recent checks of the accounts behind tokens.
    pub sessions: crate::auth::session::Sessions,
    /// One permit per password check allowed at once (argon2 takes 19 MiB each).
    pub hash_slots: Arc<tokio::sync::Semaphore>,
    pub trusted_proxies: TrustedProxies,
    /// Signalled by the background workers whenever their work changes state.
    pub worker_events: WorkerEvents,
    /// The keys of the ID numbers at rest (`None` when none are configured).
    pub keys: Option<Arc<crate::crypto::KeyRing>>,
}

impl AppState {
    pub fn new(store: Store, settings: Settings, worker_events: WorkerEvents) -> AppState {
        let throttle = LoginThrottle::new(settings.login_max_failures, settings.login_max_failures_per_address);
        let hash_slots = Arc::new(tokio::sync::Semaphore::new(settings.login_max_concurrent_hashes.max(1)));
        // the settings were checked when loaded
        let trusted_proxies = TrustedProxies::parse(&settings.trusted_proxies).unwrap_or_default();
        let sessions =
            crate::auth::session::Sessions::new(std::time::Duration::from_secs(settings.session_check_seconds.min(30)));
        AppState { store, settings, throttle, sessions, hash_slots, trusted_proxies, worker_events, keys: None }
    }

    /// The clock and drain hook handed to background work started by a request.
    pub fn worker_env(&self) -> crate::jobs::WorkerEnv {
        crate::jobs::WorkerEnv { clock: self.settings.clock.clone(), events: self.worker_events.clone() }
    }

    /// The current school year (`2026-2027`).
    pub fn school_year(&self) -> String {
        self.settings.school_year_now()
    }
}
