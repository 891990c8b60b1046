//! Slows down password guessing, per account and per client address, without locking the real
//! owner out.
//!
//! An attempt is *reserved* before its password is checked and settled afterwards, under one
//! lock: attempts still being checked count as failures-to-be, so sixty guesses sent at once
//! let through no more than the allowed number (the others wait). Past `max_failures` failures
//! of an account within the window, further attempts must wait, the wait doubling per failure
//! (capped) — except an attempt from an address with no recent failure of its own, which is how
//! the owner still gets in while someone else guesses at the account. Past
//! `max_failures_per_address` failures from one address (whatever the accounts), that address
//! waits the same way. Successes reset the account, never the address (an attacker's own valid
//! account must not wash its address clean). Bookkeeping is in memory, per process.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const WINDOW: Duration = Duration::from_secs(15 * 60);
const MAX_WAIT: Duration = Duration::from_secs(15 * 60);
/// Entries kept before the idle ones are dropped.
const MAX_ENTRIES: usize = 100_000;

#[derive(Debug, Clone, Copy)]
struct Entry {
    failures: u32,
    /// Attempts reserved and not yet settled.
    pending: u32,
    last: Instant,
}

impl Entry {
    fn new(now: Instant) -> Entry {
        Entry { failures: 0, pending: 0, last: now }
    }

    /// Forgets failures older than the window.
    fn refresh(&mut self, now: Instant) {
        if self.pending == 0 && now.duration_since(self.last) > WINDOW {
            self.failures = 0;
        }
    }

    fn failing(&self) -> bool {
        self.failures > 0 || self.pending > 0
    }

    /// How long the next attempt must wait, when `max` failures (settled or pending) are
    /// reached: one attempt at a time, each after a wait doubling per failure beyond `max`.
    fn wait(&self, max: u32, now: Instant) -> Option<Duration> {
        if self.failures + self.pending < max {
            return None;
        }
        if self.pending > 0 {
            return Some(Duration::from_secs(1));
        }
        let excess = self.failures.saturating_sub(max).min(10);
        let wait = Duration::from_secs(2u64.saturating_pow(excess + 1)).min(MAX_WAIT);
        let ready_at = self.last + wait;
        (ready_at > now).then(|| ready_at - now)
    }
}

#[derive(Debug, Default)]
struct Book {
    accounts: HashMap<String, Entry>,
    addresses: HashMap<IpAddr, Entry>,
}

impl Book {
    fn prune(&mut self, now: Instant) {
        if self.accounts.len() > MAX_ENTRIES {
            self.accounts.retain(|_, e| e.pending > 0 || now.duration_since(e.last) <= WINDOW);
        }
        if self.addresses.len() > MAX_ENTRIES {
            self.addresses.retain(|_, e| e.pending > 0 || now.duration_since(e.last) <= WINDOW);
        }
    }
}

/// Failed-login bookkeeping, in memory (per server process).
#[derive(Debug)]
pub struct LoginThrottle {
    max_failures: u32,
    max_failures_per_address: u32,
    book: Mutex<Book>,
}

/// A reserved attempt: settle it with [`Attempt::settle`]; dropped unsettled (the password was
/// never checked), it is released without counting.
#[derive(Debug)]
pub struct Attempt<'a> {
    throttle: &'a LoginThrottle,
    account: String,
    address: IpAddr,
    settled: bool,
}

impl LoginThrottle {
    pub fn new(max_failures: u32, max_failures_per_address: u32) -> LoginThrottle {
        LoginThrottle {
            max_failures: max_failures.max(1),
            max_failures_per_address: max_failures_per_address.max(1),
            book: Mutex::new(Book::default()),
        }
    }

    fn book(&self) -> std::sync::MutexGuard<'_, Book> {
        self.book.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Reserves an attempt at `account` from `address`, or says how long to wait.
    pub fn begin(&self, account: &str, address: IpAddr, now: Instant) -> Result<Attempt<'_>, Duration> {
        let mut book = self.book();
        book.prune(now);
        let mut addr = book.addresses.get(&address).copied().unwrap_or_else(|| Entry::new(now));
        addr.refresh(now);
        if let Some(wait) = addr.wait(self.max_failures_per_address, now) {
            return Err(wait);
        }
        let mut acct = book.accounts.get(account).copied().unwrap_or_else(|| Entry::new(now));
        acct.refresh(now);
        // an address that has not failed lately is let through a locked account: the owner
        if addr.failing()
            && let Some(wait) = acct.wait(self.max_failures, now)
        {
            return Err(wait);
        }
        addr.pending += 1;
        acct.pending += 1;
        book.addresses.insert(address, addr);
        book.accounts.insert(account.to_owned(), acct);
        Ok(Attempt { throttle: self, account: account.to_owned(), address, settled: false })
    }

    fn release(&self, attempt: &Attempt<'_>, outcome: Option<bool>, now: Instant) {
        let mut book = self.book();
        if let Some(addr) = book.addresses.get_mut(&attempt.address) {
            addr.pending = addr.pending.saturating_sub(1);
            if outcome == Some(false) {
                addr.failures += 1;
                addr.last = now;
            }
        }
        match outcome {
            Some(true) => {
                book.accounts.remove(&attempt.account);
            }
            _ => {
                if let Some(acct) = book.accounts.get_mut(&attempt.account) {
                    acct.pending = acct.pending.saturating_sub(1);
                    if outcome == Some(false) {
                        acct.failures += 1;
                        acct.last = now;
                    }
                }
            }
        }
    }
}

impl Attempt<'_> {
    /// Records the outcome: a success resets the account, a failure counts for the account and
    /// the address.
    pub fn settle(mut self, ok: bool, now: Instant) {
        self.settled = true;
        self.throttle.release(&self, Some(ok), now);
    }
}

impl Drop for Attempt<'_> {
    fn drop(&mut self) {
        if !self.settled {
            self.throttle.release(self, None, Instant::now());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    fn fail(t: &LoginThrottle, account: &str, address: &str, now: Instant) {
        t.begin(account, ip(address), now).expect("allowed").settle(false, now);
    }

    #[test]
    fn waits_grow_after_the_allowed_failures_and_reset_on_success() {
        let t = LoginThrottle::new(3, 100);
        let start = Instant::now();
        for _ in 0..3 {
            fail(&t, "a", "10.0.0.1", start);
        }
        assert_eq!(t.begin("a", ip("10.0.0.1"), start).err(), Some(Duration::from_secs(2)));
        assert!(t.begin("b", ip("10.0.0.1"), start).is_ok(), "other accounts are unaffected");
        let later = start + Duration::from_secs(3);
        fail(&t, "a", "10.0.0.1", later);
        assert_eq!(t.begin("a", ip("10.0.0.1"), later).err(), Some(Duration::from_secs(4)));
        let after = later + Duration::from_secs(5);
        t.begin("a", ip("10.0.0.1"), after).expect("after the wait").settle(true, after);
        assert!(t.begin("a", ip("10.0.0.1"), after).is_ok(), "a success resets the account");
    }

    #[test]
    fn attempts_in_flight_count_so_parallel_guesses_cannot_overtake_the_limit() {
        let t = LoginThrottle::new(3, 100);
        let now = Instant::now();
        let held: Vec<_> = (0..3).map(|_| t.begin("a", ip("10.0.0.1"), now).expect("within the limit")).collect();
        for _ in 0..57 {
            assert!(t.begin("a", ip("10.0.0.1"), now).is_err(), "a fourth attempt while three are checked");
        }
        drop(held);
        assert!(t.begin("a", ip("10.0.0.1"), now).is_ok(), "unsettled attempts are released uncounted");
    }

    #[test]
    fn the_owner_gets_in_from_an_address_that_is_not_failing() {
        let t = LoginThrottle::new(3, 100);
        let now = Instant::now();
        for _ in 0..3 {
            fail(&t, "a", "203.0.113.7", now);
        }
        assert!(t.begin("a", ip("203.0.113.7"), now).is_err(), "the guessing address waits");
        // a second guessing address gets one try, then it is failing too
        fail(&t, "a", "203.0.113.8", now);
        assert!(t.begin("a", ip("203.0.113.8"), now).is_err());
        t.begin("a", ip("198.51.100.9"), now).expect("the owner's address").settle(true, now);
    }

    #[test]
    fn one_address_trying_many_accounts_is_slowed_down() {
        let t = LoginThrottle::new(3, 5);
        let now = Instant::now();
        for i in 0..5 {
            fail(&t, &format!("user-{i}"), "203.0.113.7", now);
        }
        assert!(t.begin("user-99", ip("203.0.113.7"), now).is_err());
        // a success from that address does not wash it clean
        assert!(t.begin("user-99", ip("203.0.113.8"), now).is_ok());
    }

    #[test]
    fn failures_are_forgotten_after_the_window() {
        let t = LoginThrottle::new(1, 1);
        let now = Instant::now();
        fail(&t, "a", "10.0.0.1", now);
        assert!(t.begin("a", ip("10.0.0.1"), now).is_err());
        assert!(t.begin("a", ip("10.0.0.1"), now + WINDOW + Duration::from_secs(1)).is_ok());
    }
}
