//! Projection of the verified share to the target at the current pace: a least-squares line
//! through the daily points of the last `window_days` days gives the daily gain; from the
//! latest point, the days still needed at that gain give the projected completion date, and a
//! deadline before it flags the unit as projected to miss.

use chrono::{Days, NaiveDate};
use serde::Serialize;
use utoipa::ToSchema;

/// Shares at or above `target - EPSILON` count as reaching it (shares are rounded to 4 places).
const EPSILON: f64 = 1e-9;

/// Where a unit stands against the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProjectionStatus {
    /// The target share is reached.
    Complete,
    /// At the current pace the target is reached by the deadline (or there is no deadline).
    OnTrack,
    /// At the current pace the target is reached after the deadline.
    ProjectedToMiss,
    /// No gain over the window: the target is never reached at this pace.
    Stalled,
    /// Fewer than two days of data in the window.
    InsufficientData,
}

/// The pace of the verified share and where it leads.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Projection {
    /// Days of history the pace is measured over.
    pub window_days: u32,
    /// Days with data inside the window.
    pub points_used: u32,
    /// The share the projection aims at (1 = every record verified).
    pub target_share: f64,
    /// Latest verified share.
    pub current_share: f64,
    /// Gain of the verified share per day (slope of the least-squares line); none with fewer
    /// than two points.
    pub daily_gain: Option<f64>,
    /// Day the target is (projected to be) reached; none when stalled or without data.
    pub projected_completion: Option<NaiveDate>,
    pub deadline: Option<NaiveDate>,
    /// True when a deadline is set and the target is not reached and is not projected to be
    /// reached by then (a passed deadline, a stalled pace or a later projected date).
    pub projected_to_miss: bool,
    pub status: ProjectionStatus,
}

/// One day's verified share.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DayShare {
    pub day: NaiveDate,
    pub share: f64,
}

/// Projects the series (any order; one value per day, the later one wins) as seen on `today`.
pub fn project(
    series: &[DayShare],
    today: NaiveDate,
    window_days: u32,
    deadline: Option<NaiveDate>,
    target: f64,
) -> Projection {
    let window_days = window_days.max(2);
    let first_day = today.checked_sub_days(Days::new(u64::from(window_days - 1))).unwrap_or(today);
    let mut points: Vec<DayShare> =
        series.iter().copied().filter(|p| p.day >= first_day && p.day <= today && p.share.is_finite()).collect();
    points.sort_by_key(|p| p.day);
    points.dedup_by(|later, earlier| {
        if later.day == earlier.day {
            earlier.share = later.share;
            true
        } else {
            false
        }
    });
    let latest = points.last().copied();
    let current_share = latest.map_or(0.0, |p| p.share);
    let daily_gain = slope(&points);
    let mut out = Projection {
        window_days,
        points_used: u32::try_from(points.len()).unwrap_or(u32::MAX),
        target_share: target,
        current_share,
        daily_gain,
        projected_completion: None,
        deadline,
        projected_to_miss: false,
        status: ProjectionStatus::InsufficientData,
    };
    let deadline_passed = deadline.is_some_and(|d| d < today);
    if let Some(latest) = latest
        && latest.share >= target - EPSILON
    {
        let reached = points.iter().find(|p| p.share >= target - EPSILON).map_or(latest.day, |p| p.day);
        out.projected_completion = Some(reached);
        out.status = ProjectionStatus::Complete;
        return out;
    }
    match (latest, daily_gain) {
        (Some(latest), Some(gain)) if gain > EPSILON => {
            // The tolerance keeps float noise (3.0000000001 days) from adding a day.
            let days_needed = ((target - latest.share) / gain - 1e-6).ceil().max(0.0);
            // More than ~270 years away is "never" for our purposes.
            let completion =
                if days_needed < 100_000.0 { latest.day.checked_add_days(Days::new(days_needed as u64)) } else { None };
            out.projected_completion = completion;
            out.projected_to_miss = match (deadline, completion) {
                (Some(d), Some(c)) => c > d,
                (Some(_), None) => true,
                (None, _) => false,
            };
            out.status = if out.projected_to_miss {
                ProjectionStatus::ProjectedToMiss
            } else if completion.is_some() {
                ProjectionStatus::OnTrack
            } else {
                ProjectionStatus::Stalled
            };
        }
        (Some(_), Some(_)) => {
            out.status = ProjectionStatus::Stalled;
            out.projected_to_miss = deadline.is_some();
        }
        _ => {
            out.status = ProjectionStatus::InsufficientData;
            out.projected_to_miss = deadline_passed;
        }
    }
    if deadline_passed {
        out.projected_to_miss = true;
        out.status = ProjectionStatus::ProjectedToMiss;
    }
    out
}

/// Least-squares slope of share over days; none with fewer than two distinct days.
fn slope(points: &[DayShare]) -> Option<f64> {
    let first = points.first()?.day;
    if points.len() < 2 {
        return None;
    }
    let xs: Vec<f64> = points.iter().map(|p| (p.day - first).num_days() as f64).collect();
    let n = xs.len() as f64;
    let mean_x = xs.iter().sum::<f64>() / n;
    let mean_y = points.iter().map(|p| p.share).sum::<f64>() / n;
    let mut sxy = 0.0;
    let mut sxx = 0.0;
    for (x, p) in xs.iter().zip(points) {
        sxy += (x - mean_x) * (p.share - mean_y);
        sxx += (x - mean_x) * (x - mean_x);
    }
    (sxx > 0.0).then(|| sxy / sxx)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    /// `(days before today, share)` pairs.
    fn series(today: NaiveDate, pairs: &[(u64, f64)]) -> Vec<DayShare> {
        pairs
            .iter()
            .map(|&(ago, share)| DayShare { day: today.checked_sub_days(Days::new(ago)).expect("day"), share })
            .collect()
    }

    #[test]
    fn projections_on_synthetic_series() {
        let today = d("2026-10-10");
        struct Case {
            name: &'static str,
            pairs: Vec<(u64, f64)>,
            deadline: Option<&'static str>,
            completion: Option<&'static str>,
            miss: bool,
            status: ProjectionStatus,
        }
        let cases = vec![
            Case {
                name: "ten points a day, 60% today: four more days",
                pairs: vec![(3, 0.3), (2, 0.4), (1, 0.5), (0, 0.6)],
                deadline: Some("2026-10-25"),
                completion: Some("2026-10-14"),
                miss: false,
                status: ProjectionStatus::OnTrack,
            },
            Case {
                name: "same pace, deadline before the projected day",
                pairs: vec![(3, 0.3), (2, 0.4), (1, 0.5), (0, 0.6)],
                deadline: Some("2026-10-12"),
                completion: Some("2026-10-14"),
                miss: true,
                status: ProjectionStatus::ProjectedToMiss,
            },
            Case {
                name: "deadline on the projected day is on track",
                pairs: vec![(3, 0.3), (2, 0.4), (1, 0.5), (0, 0.6)],
                deadline: Some("2026-10-14"),
                completion: Some("2026-10-14"),
                miss: false,
                status: ProjectionStatus::OnTrack,
            },
            Case {
                name: "gaps in the series: the slope uses real day distances",
                pairs: vec![(6, 0.1), (4, 0.2), (0, 0.4)],
                deadline: None,
                completion: Some("2026-10-22"),
                miss: false,
                status: ProjectionStatus::OnTrack,
            },
            Case {
                name: "flat: stalled and missing any deadline",
                pairs: vec![(2, 0.5), (1, 0.5), (0, 0.5)],
                deadline: Some("2026-12-31"),
                completion: None,
                miss: true,
                status: ProjectionStatus::Stalled,
            },
            Case {
                name: "flat without a deadline misses nothing",
                pairs: vec![(2, 0.5), (1, 0.5), (0, 0.5)],
                deadline: None,
                completion: None,
                miss: false,
                status: ProjectionStatus::Stalled,
            },
            Case {
                name: "falling share is stalled",
                pairs: vec![(2, 0.7), (1, 0.6), (0, 0.5)],
                deadline: Some("2026-12-31"),
                completion: None,
                miss: true,
                status: ProjectionStatus::Stalled,
            },
            Case {
                name: "complete: the first day at the target",
                pairs: vec![(2, 0.9), (1, 1.0), (0, 1.0)],
                deadline: Some("2026-10-01"),
                completion: Some("2026-10-09"),
                miss: false,
                status: ProjectionStatus::Complete,
            },
            Case {
                name: "one point is not a pace",
                pairs: vec![(0, 0.4)],
                deadline: Some("2026-12-31"),
                completion: None,
                miss: false,
                status: ProjectionStatus::InsufficientData,
            },
            Case {
                name: "no data after a passed deadline is a miss",
                pairs: vec![],
                deadline: Some("2026-10-01"),
                completion: None,
                miss: true,
                status: ProjectionStatus::ProjectedToMiss,
            },
            Case {
                name: "a passed deadline is a miss even at a good pace",
                pairs: vec![(1, 0.5), (0, 0.9)],
                deadline: Some("2026-10-09"),
                completion: Some("2026-10-11"),
                miss: true,
                status: ProjectionStatus::ProjectedToMiss,
            },
            Case {
                name: "points outside the window are ignored",
                pairs: vec![(40, 0.0), (30, 0.0), (1, 0.5), (0, 0.6)],
                deadline: None,
                completion: Some("2026-10-14"),
                miss: false,
                status: ProjectionStatus::OnTrack,
            },
        ];
        for c in cases {
            let p = project(&series(today, &c.pairs), today, 14, c.deadline.map(d), 1.0);
            assert_eq!(p.projected_completion, c.completion.map(d), "{}: {p:?}", c.name);
            assert_eq!(p.projected_to_miss, c.miss, "{}: {p:?}", c.name);
            assert_eq!(p.status, c.status, "{}: {p:?}", c.name);
        }
    }

    #[test]
    fn slope_is_the_least_squares_gain_per_day() {
        let today = d("2026-10-10");
        let p = project(&series(today, &[(2, 0.2), (1, 0.25), (0, 0.3)]), today, 7, None, 1.0);
        let gain = p.daily_gain.expect("gain");
        assert!((gain - 0.05).abs() < 1e-12, "{gain}");
        assert_eq!(p.points_used, 3);
        assert_eq!(p.current_share, 0.3);
        // 0.7 left at 0.05 a day: 14 days.
        assert_eq!(p.projected_completion, Some(d("2026-10-24")));
    }

    #[test]
    fn a_later_value_for_the_same_day_wins() {
        let today = d("2026-10-10");
        let mut s = series(today, &[(1, 0.2), (0, 0.3)]);
        s.push(DayShare { day: today, share: 0.4 });
        let p = project(&s, today, 7, None, 1.0);
        assert_eq!(p.points_used, 2);
        assert_eq!(p.current_share, 0.4);
    }
}
