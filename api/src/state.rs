//! What handlers share: the store, the settings and the login throttle.

use crate::auth::throttle::LoginThrottle;
use crate::config::Settings;
use crate::store::Store;

pub struct AppState {
    pub store: Store,
    pub settings: Settings,
    pub throttle: LoginThrottle,
}

impl AppState {
    pub fn new(store: Store, settings: Settings) -> AppState {
        let throttle = LoginThrottle::new(settings.login_max_failures);
        AppState { store, settings, throttle }
    }

    /// The current school year (`2026-2027`).
    pub fn school_year(&self) -> String {
        self.settings.current_school_year(crate::domain::clock::today())
    }
}
