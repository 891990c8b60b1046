//! Time spent per phase of a long store operation (an import's commit), summed when a phase
//! runs once per chunk, and logged once at the end: where a slow commit spends its time shows
//! in the server's log without a profiler.

use std::time::{Duration, Instant};

/// Durations per named phase, in the order the phases first ran.
pub(crate) struct Phases {
    started: Instant,
    last: Instant,
    spent: Vec<(&'static str, Duration)>,
}

impl Phases {
    pub(crate) fn start() -> Phases {
        let now = Instant::now();
        Phases { started: now, last: now, spent: Vec::new() }
    }

    /// Ends the phase `name` (adding to it when it ran before) and starts the next.
    pub(crate) fn mark(&mut self, name: &'static str) {
        let now = Instant::now();
        let d = now - self.last;
        self.last = now;
        match self.spent.iter_mut().find(|(n, _)| *n == name) {
            Some((_, total)) => *total += d,
            None => self.spent.push((name, d)),
        }
    }

    /// `phase=ms …, total=ms`.
    pub(crate) fn summary(&self) -> String {
        let mut out = String::new();
        for (name, d) in &self.spent {
            out.push_str(&format!("{name}={} ", d.as_millis()));
        }
        out.push_str(&format!("total={}", self.started.elapsed().as_millis()));
        out
    }
}
