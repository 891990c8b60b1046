//! What handlers share: the store, the settings, the login throttle and the personal-data keys.

use crate::auth::throttle::LoginThrottle;
use crate::config::Settings;
use crate::store::Store;

pub struct AppState {
    pub store: Store,
    pub settings: Settings,
    pub throttle: LoginThrottle,
    /// The keys of the ID numbers at rest (`None` when none are configured).
    pub keys: Option<std::sync::Arc<crate::crypto::KeyRing>>,
}

impl AppState {
    pub fn new(store: Store, settings: Settings) -> AppState {
        let throttle = LoginThrottle::new(settings.login_max_failures);
        AppState { store, settings, throttle, keys: None }
    }

    /// The current school year (`2026-2027`).
    pub fn school_year(&self) -> String {
        self.settings.current_school_year(crate::domain::clock::today())
    }
}
