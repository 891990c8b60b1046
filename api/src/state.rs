//! What handlers share: the store, the settings (with the clock), the login throttle, and the
//! workers' drain hook.

use crate::auth::throttle::LoginThrottle;
use crate::config::Settings;
use crate::jobs::events::WorkerEvents;
use crate::store::Store;

pub struct AppState {
    pub store: Store,
    pub settings: Settings,
    pub throttle: LoginThrottle,
    /// Signalled by the background workers whenever their work changes state.
    pub worker_events: WorkerEvents,
}

impl AppState {
    pub fn new(store: Store, settings: Settings, worker_events: WorkerEvents) -> AppState {
        let throttle = LoginThrottle::new(settings.login_max_failures);
        AppState { store, settings, throttle, worker_events }
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
