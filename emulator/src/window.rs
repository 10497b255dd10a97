//! The days a report call covers, read from its arguments the way Graph reads them.

use chrono::{NaiveDate, TimeDelta};
use reports_sdk::ReportMeta;

/// The days a call covers and the refresh date the service reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// The last day the service has data for: the day before its "today".
    pub refresh_date: NaiveDate,
    /// The first day covered.
    pub first_day: NaiveDate,
    /// The last day covered: the refresh date for a period, the day itself for a `date`.
    pub last_day: NaiveDate,
}

/// The days the emulator serves for `period='ALL'` (beta's Copilot reports): its longest period.
pub const ALL_DAYS: i64 = 180;

impl Window {
    /// The window of a call with these `(name, value)` arguments: its `date`, else its `period`
    /// (`D7`: the 7 days ending at the refresh date), else the period parameter's documented
    /// default, else 30 days.
    pub fn of(
        meta: &ReportMeta,
        arguments: &[(String, String)],
        refresh_date: NaiveDate,
    ) -> Window {
        let date = arguments
            .iter()
            .find_map(|(_, value)| NaiveDate::parse_from_str(value, "%Y-%m-%d").ok());
        if let Some(date) = date {
            return Window {
                refresh_date,
                first_day: date,
                last_day: date,
            };
        }
        let period = arguments
            .iter()
            .find(|(name, _)| name == "period")
            .map(|(_, value)| value.as_str())
            .or_else(|| {
                meta.parameters
                    .iter()
                    .find(|parameter| parameter.name == "period")
                    .and_then(|parameter| parameter.default)
            });
        let days = period.map_or(30, period_days).max(1);
        Window {
            refresh_date,
            first_day: refresh_date - TimeDelta::days(days - 1),
            last_day: refresh_date,
        }
    }

    /// The number of days covered, at least 1.
    pub fn days(&self) -> i64 {
        (self.last_day - self.first_day).num_days().max(0) + 1
    }
}

/// `D7` -> 7, `ALL` -> [`ALL_DAYS`]; anything else the longest period.
pub fn period_days(period: &str) -> i64 {
    period
        .trim_start_matches(['D', 'd'])
        .parse::<i64>()
        .unwrap_or(ALL_DAYS)
}
