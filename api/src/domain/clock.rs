//! Time where the users are, and the one clock the application reads. Vietnam is UTC+7 all
//! year. The server, its workers, the statistics and the rules ask the [`Clock`] carried in the
//! settings for "now" and "today" instead of the system clock, so tests pin it to a fixed instant
//! (and move it on purpose) and their results never depend on when the suite runs.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

/// Vietnam's offset from UTC (no daylight saving).
pub const VIETNAM: FixedOffset = match FixedOffset::east_opt(7 * 3600) {
    Some(offset) => offset,
    None => panic!("UTC+7 is a valid offset"),
};

/// The calendar date in Vietnam at `now`.
pub fn date_in_vietnam(now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&VIETNAM).date_naive()
}

/// Today's date in Vietnam by the system clock: for command-line tools that run outside the
/// application. The application reads its [`Clock`].
pub fn today() -> NaiveDate {
    date_in_vietnam(Utc::now())
}

/// The application's clock: the system clock, or an instant pinned by a test that stays where it
/// is until it is set or advanced. Clones share the pinned instant.
#[derive(Clone, Default)]
pub struct Clock {
    /// Microseconds since the Unix epoch, when pinned.
    pinned: Option<Arc<AtomicI64>>,
}

impl Clock {
    /// The system clock.
    pub fn system() -> Clock {
        Clock { pinned: None }
    }

    /// A clock that stays at `at` until it is moved.
    pub fn pinned(at: DateTime<Utc>) -> Clock {
        Clock { pinned: Some(Arc::new(AtomicI64::new(at.timestamp_micros()))) }
    }

    /// Whether the clock is pinned.
    pub fn is_pinned(&self) -> bool {
        self.pinned.is_some()
    }

    /// The current instant.
    pub fn now(&self) -> DateTime<Utc> {
        match &self.pinned {
            Some(at) => DateTime::from_timestamp_micros(at.load(Ordering::SeqCst)).unwrap_or_default(),
            None => Utc::now(),
        }
    }

    /// Today's date in Vietnam.
    pub fn today(&self) -> NaiveDate {
        date_in_vietnam(self.now())
    }

    /// Moves a pinned clock to `at`; the system clock cannot be moved (no effect).
    pub fn set(&self, at: DateTime<Utc>) {
        if let Some(pinned) = &self.pinned {
            pinned.store(at.timestamp_micros(), Ordering::SeqCst);
        }
    }

    /// Moves a pinned clock forward by `by`.
    pub fn advance(&self, by: chrono::Duration) {
        if let Some(pinned) = &self.pinned {
            pinned.fetch_add(by.num_microseconds().unwrap_or(i64::MAX), Ordering::SeqCst);
        }
    }
}

impl fmt::Debug for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.pinned {
            Some(_) => write!(f, "Clock(pinned at {})", self.now()),
            None => f.write_str("Clock(system)"),
        }
    }
}

/// Two clocks are equal when both are the system clock or both share one pinned instant.
impl PartialEq for Clock {
    fn eq(&self, other: &Clock) -> bool {
        match (&self.pinned, &other.pinned) {
            (None, None) => true,
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().expect("instant")
    }

    #[test]
    fn vietnam_midnight_is_five_in_the_afternoon_utc() {
        assert_eq!(date_in_vietnam(at("2026-12-05T16:59:59Z")).to_string(), "2026-12-05");
        assert_eq!(date_in_vietnam(at("2026-12-05T17:00:01Z")).to_string(), "2026-12-06");
    }

    #[test]
    fn a_pinned_clock_stays_put_until_moved_and_clones_share_it() {
        let clock = Clock::pinned(at("2026-12-05T16:59:59Z"));
        let shared = clock.clone();
        assert_eq!(clock.now(), at("2026-12-05T16:59:59Z"));
        assert_eq!(clock.today().to_string(), "2026-12-05");
        shared.advance(chrono::Duration::seconds(2));
        assert_eq!(clock.now(), at("2026-12-05T17:00:01Z"));
        assert_eq!(clock.today().to_string(), "2026-12-06");
        clock.set(at("2027-01-01T00:00:00Z"));
        assert_eq!(shared.now(), at("2027-01-01T00:00:00Z"));
        assert_eq!(clock, shared);
        assert_ne!(clock, Clock::system());
        assert_eq!(Clock::system(), Clock::default());
    }
}
