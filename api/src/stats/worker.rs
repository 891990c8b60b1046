//! The daily snapshot task started with the server: it refreshes today's snapshot at start-up
//! and then every `stats.snapshot_interval_minutes`, plus once just before midnight (Vietnam),
//! so each day's row ends up holding that day's last values. Refreshing is an upsert: running
//! it again, or on several servers, still leaves one row per unit, population and day.

use std::time::Duration;

use chrono::{DateTime, Days, NaiveTime, Utc};

use crate::config::Settings;
use crate::domain::clock::{VIETNAM, date_in_vietnam};
use crate::store::Store;
use crate::store::stats::{SnapshotMode, take_snapshot};

/// How long to wait after `now` before the next refresh: the interval, or less when 23:58 in
/// Vietnam comes first (so the day's last values are kept).
pub fn next_wait(now: DateTime<Utc>, interval: Duration) -> Duration {
    let local = now.with_timezone(&VIETNAM);
    let late = NaiveTime::from_hms_opt(23, 58, 0).unwrap_or(NaiveTime::MIN);
    let mut target = local.date_naive().and_time(late);
    if local.naive_local() >= target {
        target = local.date_naive().checked_add_days(Days::new(1)).map_or(target, |d| d.and_time(late));
    }
    let until_late = (target - local.naive_local()).to_std().unwrap_or(Duration::ZERO);
    interval.min(until_late.max(Duration::from_secs(1)))
}

/// Takes today's snapshot now, then keeps it fresh until the process ends. Does nothing when
/// the interval is 0.
pub async fn run(store: Store, settings: Settings) {
    let minutes = settings.stats.snapshot_interval_minutes;
    if minutes == 0 {
        return;
    }
    let interval = Duration::from_secs(u64::from(minutes) * 60);
    loop {
        let now = settings.clock.now();
        let today = date_in_vietnam(now);
        let year = settings.current_school_year(today);
        match take_snapshot(&store.db, today, &year, SnapshotMode::Refresh).await {
            Ok(rows) => tracing::debug!(rows, %today, "statistics snapshot refreshed"),
            Err(err) => tracing::warn!(%err, "statistics snapshot failed; retrying at the next interval"),
        }
        tokio::time::sleep(next_wait(settings.clock.now(), interval)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_for_the_interval_or_the_late_evening_refresh() {
        let hour = Duration::from_secs(3600);
        let cases = [
            // 10:00 in Vietnam: a full hour.
            ("2026-10-10T03:00:00Z", hour, 3600),
            // 23:30 in Vietnam: 28 minutes to 23:58.
            ("2026-10-10T16:30:00Z", hour, 28 * 60),
            // 23:59 in Vietnam: the next 23:58 is a day away, so the interval.
            ("2026-10-10T16:59:00Z", hour, 3600),
            // Exactly 23:58: the next one is tomorrow.
            ("2026-10-10T16:58:00Z", Duration::from_secs(10), 10),
        ];
        for (now, interval, secs) in cases {
            let now: DateTime<Utc> = now.parse().expect("time");
            assert_eq!(next_wait(now, interval), Duration::from_secs(secs), "{now}");
        }
    }
}
