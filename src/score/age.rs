//! Ages in completed calendar years: how many anniversaries of a date (成立, 投产) have passed on
//! the evaluation's reference day, 31 December of the evaluation year. A firm registered on
//! 2021-12-31 has 2 full years on 2023-12-31; one registered on 2022-01-01 has 1. A date of
//! 29 February has its anniversary on 28 February in a year without one: where a period has no
//! corresponding day in its last month, it ends on that month's last day (民法典 第二百零一条).

use chrono::{Datelike, NaiveDate};
use polars::prelude::*;

/// 1970-01-01, day 0 of the date columns (days since the epoch, as ingest stores them).
fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid epoch")
}

/// 31 December of `year` (the last representable day for a year out of range).
pub fn year_end(year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(NaiveDate::MAX)
}

/// Days from 1970-01-01 to `d`, as a date column holds them.
pub fn days_of(d: NaiveDate) -> i32 {
    (d - epoch()).num_days() as i32
}

/// The date `days` after 1970-01-01, if representable.
pub fn date_of(days: i32) -> Option<NaiveDate> {
    epoch().checked_add_signed(chrono::TimeDelta::try_days(i64::from(days))?)
}

/// The anniversary of `from` in `year`: the same month and day, or 28 February for 29 February in
/// a year without one.
fn anniversary(from: NaiveDate, year: i32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, from.month(), from.day())
        .or_else(|| NaiveDate::from_ymd_opt(year, from.month(), from.day() - 1))
}

/// Completed years from `from` to `to`: the number of anniversaries of `from` on or before `to`
/// (negative when `from` is after `to`, one less per year not yet reached).
pub fn completed_years(from: NaiveDate, to: NaiveDate) -> i32 {
    let years = to.year() - from.year();
    match anniversary(from, to.year()) {
        Some(a) if a > to => years - 1,
        _ => years,
    }
}

/// [`completed_years`] from each date of `days` (days since 1970-01-01) to `to`, as a float
/// column (whole numbers; null where the date is blank).
pub fn years_since(days: &Int32Chunked, to: NaiveDate) -> Float64Chunked {
    days.iter()
        .map(|d| d.and_then(date_of).map(|from| f64::from(completed_years(from, to))))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn the_anniversary_day_completes_the_year_in_non_leap_and_leap_spans() {
        // 2021-12-31 → 2023-12-31: 730 days, 730 / 365.25 = 1.9986 (the old rule's "under 2").
        assert_eq!(completed_years(d(2021, 12, 31), d(2023, 12, 31)), 2);
        assert_eq!(completed_years(d(2022, 1, 1), d(2023, 12, 31)), 1);
        // 2022-12-31 → 2024-12-31 spans 29 Feb 2024: 731 days, also exactly 2 years.
        assert_eq!(completed_years(d(2022, 12, 31), d(2024, 12, 31)), 2);
        assert_eq!(completed_years(d(2023, 1, 1), d(2024, 12, 31)), 1);
        // Three years to 2026-12-31 (one leap day, 2024): 2023-12-31 in, 2024-01-01 out.
        assert_eq!(completed_years(d(2023, 12, 31), d(2026, 12, 31)), 3);
        assert_eq!(completed_years(d(2024, 1, 1), d(2026, 12, 31)), 2);
        // Mid-year reference days: the day before the anniversary is one year short.
        assert_eq!(completed_years(d(2020, 7, 1), d(2023, 6, 30)), 2);
        assert_eq!(completed_years(d(2020, 7, 1), d(2023, 7, 1)), 3);
    }

    #[test]
    fn a_29_february_date_has_its_anniversary_on_28_february_in_common_years() {
        assert_eq!(completed_years(d(2020, 2, 29), d(2021, 2, 27)), 0);
        assert_eq!(completed_years(d(2020, 2, 29), d(2021, 2, 28)), 1);
        assert_eq!(completed_years(d(2020, 2, 29), d(2024, 2, 28)), 3);
        assert_eq!(completed_years(d(2020, 2, 29), d(2024, 2, 29)), 4);
        assert_eq!(completed_years(d(2020, 2, 29), d(2022, 12, 31)), 2);
    }

    #[test]
    fn a_date_after_the_reference_day_has_negative_years_and_blank_stays_blank() {
        assert_eq!(completed_years(d(2025, 3, 1), d(2024, 12, 31)), -1);
        assert_eq!(completed_years(d(2024, 12, 31), d(2024, 12, 31)), 0);
        let days = Int32Chunked::from_iter([Some(days_of(d(2021, 12, 31))), None]);
        let y = years_since(&days, year_end(2023));
        assert_eq!(y.get(0), Some(2.0));
        assert_eq!(y.get(1), None);
    }
}
