//! The shipped calendars against the dates their governments published.

use chrono::{Datelike, NaiveDate, Weekday};
use rstest::rstest;
use shared::Calendar;
use shared::calendar::easter_sunday;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test dates are valid")
}

fn dates(list: &str) -> Vec<NaiveDate> {
    list.split_whitespace().map(d).collect()
}

/// England and Wales bank holidays as published by the UK government.
#[rstest]
#[case::y2015(
    2015,
    "2015-01-01 2015-04-03 2015-04-06 2015-05-04 2015-05-25 2015-08-31 2015-12-25 2015-12-28"
)]
#[case::y2016(
    2016,
    "2016-01-01 2016-03-25 2016-03-28 2016-05-02 2016-05-30 2016-08-29 2016-12-26 2016-12-27"
)]
#[case::y2017(
    2017,
    "2017-01-02 2017-04-14 2017-04-17 2017-05-01 2017-05-29 2017-08-28 2017-12-25 2017-12-26"
)]
#[case::y2018(
    2018,
    "2018-01-01 2018-03-30 2018-04-02 2018-05-07 2018-05-28 2018-08-27 2018-12-25 2018-12-26"
)]
#[case::y2019(
    2019,
    "2019-01-01 2019-04-19 2019-04-22 2019-05-06 2019-05-27 2019-08-26 2019-12-25 2019-12-26"
)]
#[case::y2020_ve_day_moved(
    2020,
    "2020-01-01 2020-04-10 2020-04-13 2020-05-08 2020-05-25 2020-08-31 2020-12-25 2020-12-28"
)]
#[case::y2021(
    2021,
    "2021-01-01 2021-04-02 2021-04-05 2021-05-03 2021-05-31 2021-08-30 2021-12-27 2021-12-28"
)]
#[case::y2022_jubilee_and_funeral(
    2022,
    "2022-01-03 2022-04-15 2022-04-18 2022-05-02 2022-06-02 2022-06-03 2022-08-29 2022-09-19 2022-12-26 2022-12-27"
)]
#[case::y2023_coronation(
    2023,
    "2023-01-02 2023-04-07 2023-04-10 2023-05-01 2023-05-08 2023-05-29 2023-08-28 2023-12-25 2023-12-26"
)]
#[case::y2024(
    2024,
    "2024-01-01 2024-03-29 2024-04-01 2024-05-06 2024-05-27 2024-08-26 2024-12-25 2024-12-26"
)]
#[case::y2025(
    2025,
    "2025-01-01 2025-04-18 2025-04-21 2025-05-05 2025-05-26 2025-08-25 2025-12-25 2025-12-26"
)]
#[case::y2026(
    2026,
    "2026-01-01 2026-04-03 2026-04-06 2026-05-04 2026-05-25 2026-08-31 2026-12-25 2026-12-28"
)]
#[case::y2027(
    2027,
    "2027-01-01 2027-03-26 2027-03-29 2027-05-03 2027-05-31 2027-08-30 2027-12-27 2027-12-28"
)]
fn england_and_wales_matches_published_dates(#[case] year: i32, #[case] published: &str) {
    assert_eq!(Calendar::england_and_wales().holidays_in(year), dates(published));
}

/// Jersey's public and bank holidays as published by the Government of Jersey.
#[rstest]
#[case::y2019(
    2019,
    "2019-01-01 2019-04-19 2019-04-22 2019-05-06 2019-05-09 2019-05-27 2019-08-26 2019-12-25 2019-12-26"
)]
#[case::y2020_ve_day_added_liberation_on_saturday(
    2020,
    "2020-01-01 2020-04-10 2020-04-13 2020-05-04 2020-05-08 2020-05-25 2020-08-31 2020-12-25 2020-12-28"
)]
#[case::y2021_corn_riots(
    2021,
    "2021-01-01 2021-04-02 2021-04-05 2021-05-03 2021-05-31 2021-08-30 2021-09-27 2021-12-27 2021-12-28"
)]
#[case::y2022(
    2022,
    "2022-01-03 2022-04-15 2022-04-18 2022-05-02 2022-05-09 2022-06-02 2022-06-03 2022-08-29 2022-09-19 2022-12-26 2022-12-27"
)]
#[case::y2023(
    2023,
    "2023-01-02 2023-04-07 2023-04-10 2023-05-01 2023-05-08 2023-05-09 2023-05-29 2023-08-28 2023-12-25 2023-12-26"
)]
#[case::y2024_royal_visit(
    2024,
    "2024-01-01 2024-03-29 2024-04-01 2024-05-06 2024-05-09 2024-05-27 2024-07-15 2024-08-26 2024-12-25 2024-12-26"
)]
#[case::y2025(
    2025,
    "2025-01-01 2025-04-18 2025-04-21 2025-05-05 2025-05-09 2025-05-26 2025-08-25 2025-12-25 2025-12-26"
)]
#[case::y2026_liberation_day_on_saturday(
    2026,
    "2026-01-01 2026-04-03 2026-04-06 2026-05-04 2026-05-25 2026-08-31 2026-12-25 2026-12-28"
)]
fn jersey_matches_published_dates(#[case] year: i32, #[case] published: &str) {
    assert_eq!(Calendar::jersey().holidays_in(year), dates(published));
}

#[rstest]
#[case::y2015(2015, "2015-04-05")]
#[case::y2019(2019, "2019-04-21")]
#[case::y2028(2028, "2028-04-16")]
#[case::y2029(2029, "2029-04-01")]
#[case::y2030(2030, "2030-04-21")]
#[case::y2031(2031, "2031-04-13")]
#[case::y2032(2032, "2032-03-28")]
#[case::y2033(2033, "2033-04-17")]
#[case::y2034(2034, "2034-04-09")]
#[case::y2035(2035, "2035-03-25")]
fn easter_sunday_matches_published_dates(#[case] year: i32, #[case] easter: &str) {
    assert_eq!(easter_sunday(year), d(easter));
}

#[test]
fn liberation_day_is_a_jersey_holiday_every_weekday_year_from_2015_to_2035() {
    for year in 2015..=2035 {
        let liberation_day = NaiveDate::from_ymd_opt(year, 5, 9).unwrap();
        let weekday = !matches!(liberation_day.weekday(), Weekday::Sat | Weekday::Sun);
        assert_eq!(Calendar::jersey().is_holiday(liberation_day), weekday, "{year}");
        assert!(!Calendar::jersey().is_working_day(liberation_day), "{year}");
        if weekday {
            assert!(Calendar::england_and_wales().is_working_day(liberation_day), "{year}");
        }
    }
}

#[test]
fn every_year_2015_to_2035_has_its_bank_holidays_on_weekdays() {
    for year in 2015..=2035 {
        for calendar in [Calendar::jersey(), Calendar::england_and_wales()] {
            let holidays = calendar.holidays_in(year);
            assert!(holidays.len() >= 8, "{} {year}: {holidays:?}", calendar.name());
            for day in holidays {
                assert!(!matches!(day.weekday(), Weekday::Sat | Weekday::Sun), "{} {day}", calendar.name());
            }
        }
    }
}

/// Ten working days from a Thursday in May 2025 crosses Liberation Day in Jersey only.
#[rstest]
#[case::jersey_skips_liberation_day(Calendar::jersey(), "2025-05-07", 10, "2025-05-22")]
#[case::england_works_on_9_may(Calendar::england_and_wales(), "2025-05-07", 10, "2025-05-21")]
#[case::easter_weekend(Calendar::england_and_wales(), "2026-04-02", 1, "2026-04-07")]
#[case::christmas(Calendar::jersey(), "2026-12-24", 1, "2026-12-29")]
#[case::from_a_saturday(Calendar::jersey(), "2026-11-28", 1, "2026-11-30")]
#[case::zero_on_a_working_day(Calendar::jersey(), "2026-11-26", 0, "2026-11-26")]
#[case::zero_on_a_sunday_rolls_forward(Calendar::jersey(), "2026-11-29", 0, "2026-11-30")]
fn add_working_days_cases(
    #[case] calendar: &Calendar,
    #[case] from: &str,
    #[case] n: u32,
    #[case] expected: &str,
) {
    assert_eq!(calendar.add_working_days(d(from), n), d(expected));
}

#[rstest]
#[case::friday_to_monday("2026-11-27", "2026-11-30", 1)]
#[case::same_day("2026-11-27", "2026-11-27", 0)]
#[case::backwards_is_negative("2026-11-30", "2026-11-27", -1)]
#[case::over_liberation_day("2025-05-08", "2025-05-12", 1)]
#[case::a_whole_year_2025("2024-12-31", "2025-12-31", 252)]
fn working_days_between_cases(#[case] from: &str, #[case] to: &str, #[case] expected: i64) {
    assert_eq!(Calendar::jersey().working_days_between(d(from), d(to)), expected);
}

#[test]
fn a_custom_calendar_skips_its_own_holidays() {
    let calendar = Calendar::new("Test borough", [d("2026-12-01")]);
    assert!(!calendar.is_working_day(d("2026-12-01")));
    assert_eq!(calendar.add_working_days(d("2026-11-30"), 1), d("2026-12-02"));
}

#[test]
fn counting_outside_the_indexed_years_still_skips_weekends() {
    let calendar = Calendar::jersey();
    // Friday 31 December 2100 to the weekend is no working days; to Monday is one (holidays
    // are not generated past 2100, so no substitute for New Year's Day is known there).
    assert_eq!(calendar.working_days_between(d("2100-12-31"), d("2101-01-02")), 0);
    assert_eq!(calendar.working_days_between(d("2100-12-31"), d("2101-01-03")), 1);
}
