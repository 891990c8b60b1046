//! What handlers share: the store, the settings, the login throttle, the password-check slots
//! and the trusted proxies.

use std::sync::Arc;

use crate::auth::client::TrustedProxies;
use crate::auth::throttle::LoginThrottle;
use crate::config::Settings;
use crate::store::Store;

pub struct AppState {
    pub store: Store,
    pub settings: Settings,
    pub throttle: LoginThrottle,
    /// One permit per password check allowed at once (argon2 takes 19 MiB each).
    pub hash_slots: Arc<tokio::sync::Semaphore>,
    pub trusted_proxies: TrustedProxies,
}

impl AppState {
    pub fn new(store: Store, settings: Settings) -> AppState {
        let throttle = LoginThrottle::new(settings.login_max_failures, settings.login_max_failures_per_address);
        let hash_slots = Arc::new(tokio::sync::Semaphore::new(settings.login_max_concurrent_hashes.max(1)));
        // the settings were checked when loaded
        let trusted_proxies = TrustedProxies::parse(&settings.trusted_proxies).unwrap_or_default();
        AppState { store, settings, throttle, hash_slots, trusted_proxies }
    }

    /// The current school year (`2026-2027`).
    pub fn school_year(&self) -> String {
        self.settings.current_school_year(crate::domain::clock::today())
    }
}
