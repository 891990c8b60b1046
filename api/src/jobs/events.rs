//! The drain hook: an event the background workers signal each time they change the state of
//! their work (a batch claimed, an answer or a failure recorded, jobs paused, resumed or
//! finished). Whoever waits for a job to get somewhere (tests, a future progress stream)
//! subscribes, checks, and waits for the next signal instead of polling on a timer.

use std::sync::Arc;

use tokio::sync::watch;

/// A counter of worker events; clones share it.
#[derive(Clone)]
pub struct WorkerEvents {
    tx: Arc<watch::Sender<u64>>,
}

impl Default for WorkerEvents {
    fn default() -> WorkerEvents {
        WorkerEvents { tx: Arc::new(watch::Sender::new(0)) }
    }
}

impl std::fmt::Debug for WorkerEvents {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "WorkerEvents({})", *self.tx.borrow())
    }
}

impl WorkerEvents {
    /// Tells every subscriber that something changed.
    pub fn signal(&self) {
        self.tx.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// A receiver that sees every signal sent after it was made (mark it seen with
    /// `borrow_and_update` before checking, then await `changed`).
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.tx.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_subscriber_wakes_on_the_next_signal_and_not_before() {
        let events = WorkerEvents::default();
        let mut rx = events.subscribe();
        rx.borrow_and_update();
        assert!(!rx.has_changed().expect("open"));
        events.clone().signal();
        assert!(rx.has_changed().expect("open"));
        rx.changed().await.expect("signalled");
        assert_eq!(*rx.borrow_and_update(), 1);
    }
}
