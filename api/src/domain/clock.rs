//! Today's date where the users are: Vietnam is UTC+7 all year.

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

/// Today's date in Vietnam.
pub fn today() -> NaiveDate {
    date_in_vietnam(Utc::now())
}
