//! Slows down repeated failed logins for one username: after `max_failures` failures within
//! the window, each further attempt must wait, the wait doubling per failure (capped).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const WINDOW: Duration = Duration::from_secs(15 * 60);
const MAX_WAIT: Duration = Duration::from_secs(15 * 60);

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    last: Instant,
}

/// Failed-login bookkeeping, in memory (per server process).
#[derive(Debug)]
pub struct LoginThrottle {
    max_failures: u32,
    failures: Mutex<HashMap<String, Failures>>,
}

impl LoginThrottle {
    pub fn new(max_failures: u32) -> LoginThrottle {
        LoginThrottle { max_failures: max_failures.max(1), failures: Mutex::new(HashMap::new()) }
    }

    /// How long this username must still wait before trying again, if at all.
    pub fn wait_for(&self, username: &str, now: Instant) -> Option<Duration> {
        let map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let f = map.get(username)?;
        if now.duration_since(f.last) > WINDOW || f.count < self.max_failures {
            return None;
        }
        let excess = (f.count - self.max_failures).min(10);
        let wait = Duration::from_secs(2u64.saturating_pow(excess + 1)).min(MAX_WAIT);
        let ready_at = f.last + wait;
        (ready_at > now).then(|| ready_at - now)
    }

    pub fn record_failure(&self, username: &str, now: Instant) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() > 100_000 {
            map.retain(|_, f| now.duration_since(f.last) <= WINDOW);
        }
        let entry = map.entry(username.to_owned()).or_insert(Failures { count: 0, last: now });
        if now.duration_since(entry.last) > WINDOW {
            entry.count = 0;
        }
        entry.count += 1;
        entry.last = now;
    }

    pub fn record_success(&self, username: &str) {
        self.failures.lock().unwrap_or_else(|e| e.into_inner()).remove(username);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_grow_after_the_allowed_failures_and_reset_on_success() {
        let t = LoginThrottle::new(3);
        let start = Instant::now();
        for _ in 0..3 {
            assert_eq!(t.wait_for("a", start), None);
            t.record_failure("a", start);
        }
        assert_eq!(t.wait_for("a", start), Some(Duration::from_secs(2)));
        assert_eq!(t.wait_for("b", start), None, "other usernames are unaffected");
        t.record_failure("a", start);
        assert_eq!(t.wait_for("a", start), Some(Duration::from_secs(4)));
        assert_eq!(t.wait_for("a", start + Duration::from_secs(5)), None);
        t.record_success("a");
        assert_eq!(t.wait_for("a", start), None);
    }
}
