//! Working-day calendars: weekends plus an authority's public holidays.
//!
//! Visit frequency on a child protection plan is set in working days, so every schedule
//! calculation goes through a [`Calendar`]. Two are shipped, built from the published rules and
//! the one-off holidays proclaimed in each jurisdiction: [`Calendar::jersey`] (with Liberation
//! Day, 9 May) and [`Calendar::england_and_wales`]. An authority with other holidays builds its
//! own with [`Calendar::new`].
//!
//! The shipped rules are checked against the published dates for 2015 to 2035 and generated for
//! [`Calendar::FIRST_YEAR`] to [`Calendar::LAST_YEAR`]. Outside that span only weekends are
//! skipped.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// Which shipped calendar an authority uses.
///
/// **Wire format:** appears in server configuration; the names must not change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CalendarName {
    /// The States of Jersey: the UK's bank holidays (without England's 2020 move of the early
    /// May holiday) plus Liberation Day on 9 May and Jersey's own one-off holidays.
    Jersey,
    /// England and Wales bank holidays.
    EnglandAndWales,
}

impl CalendarName {
    /// The shipped calendar of this name.
    pub fn calendar(self) -> &'static Calendar {
        match self {
            CalendarName::Jersey => Calendar::jersey(),
            CalendarName::EnglandAndWales => Calendar::england_and_wales(),
        }
    }
}

impl std::str::FromStr for CalendarName {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "jersey" => Ok(Self::Jersey),
            "england_and_wales" | "england-and-wales" => Ok(Self::EnglandAndWales),
            other => Err(format!("unknown calendar {other:?}: use jersey or england_and_wales")),
        }
    }
}

/// Weekends plus a set of public holidays, with a precomputed index so that counting working
/// days between two dates costs the same whether they are a day or ten years apart.
#[derive(Clone, Debug)]
pub struct Calendar {
    name: String,
    holidays: BTreeSet<NaiveDate>,
    /// The first day the index covers.
    index_start: NaiveDate,
    /// `working_before[i]` is how many working days fall before `index_start + i` (from
    /// `index_start`). One entry longer than the span, so differences never index out of range.
    working_before: Vec<u32>,
}

impl Calendar {
    /// The first year the shipped calendars' rules are generated for.
    pub const FIRST_YEAR: i32 = 1990;
    /// The last year the shipped calendars' rules are generated for.
    pub const LAST_YEAR: i32 = 2100;

    /// A calendar skipping Saturdays, Sundays and the given holidays. Holidays outside
    /// [`Self::FIRST_YEAR`]..=[`Self::LAST_YEAR`] are still honoured by [`Self::is_working_day`],
    /// only more slowly in counts.
    pub fn new(name: impl Into<String>, holidays: impl IntoIterator<Item = NaiveDate>) -> Self {
        let holidays: BTreeSet<NaiveDate> = holidays.into_iter().collect();
        let index_start = ymd(Self::FIRST_YEAR, 1, 1);
        let index_end = ymd(Self::LAST_YEAR + 1, 1, 1);
        let span = (index_end - index_start).num_days() as usize;
        let mut working_before = Vec::with_capacity(span + 1);
        let mut count = 0u32;
        let mut day = index_start;
        working_before.push(0);
        for _ in 0..span {
            if !is_weekend(day) && !holidays.contains(&day) {
                count += 1;
            }
            working_before.push(count);
            day = day.succ_opt().expect("within chrono's range");
        }
        Self { name: name.into(), holidays, index_start, working_before }
    }

    /// Jersey's calendar (shared and built once).
    pub fn jersey() -> &'static Calendar {
        static JERSEY: OnceLock<Calendar> = OnceLock::new();
        JERSEY.get_or_init(|| {
            let holidays = (Self::FIRST_YEAR..=Self::LAST_YEAR).flat_map(jersey_holidays);
            Calendar::new("Jersey", holidays)
        })
    }

    /// England and Wales' calendar (shared and built once).
    pub fn england_and_wales() -> &'static Calendar {
        static ENGLAND_AND_WALES: OnceLock<Calendar> = OnceLock::new();
        ENGLAND_AND_WALES.get_or_init(|| {
            let holidays = (Self::FIRST_YEAR..=Self::LAST_YEAR).flat_map(england_and_wales_holidays);
            Calendar::new("England and Wales", holidays)
        })
    }

    /// The calendar's name, for showing to people.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether `date` is a public holiday (weekends are not holidays, they are just not
    /// working days).
    pub fn is_holiday(&self, date: NaiveDate) -> bool {
        self.holidays.contains(&date)
    }

    /// The public holidays in one year, in date order.
    pub fn holidays_in(&self, year: i32) -> Vec<NaiveDate> {
        let Some(start) = NaiveDate::from_ymd_opt(year, 1, 1) else { return Vec::new() };
        let Some(end) = NaiveDate::from_ymd_opt(year, 12, 31) else { return Vec::new() };
        self.holidays.range(start..=end).copied().collect()
    }

    /// Whether staff are expected at work on `date`.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        !is_weekend(date) && !self.holidays.contains(&date)
    }

    /// The `n`th working day after `date`. With `n == 0`, `date` itself if it is a working day,
    /// otherwise the next working day, so the answer is always a working day.
    pub fn add_working_days(&self, date: NaiveDate, n: u32) -> NaiveDate {
        let mut day = date;
        if n == 0 {
            while !self.is_working_day(day) {
                day = next_day(day);
            }
            return day;
        }
        let mut remaining = n;
        while remaining > 0 {
            day = next_day(day);
            if self.is_working_day(day) {
                remaining -= 1;
            }
        }
        day
    }

    /// How many working days fall after `from` up to and including `to`. Negative when `to` is
    /// before `from`. A Friday to the following Monday is one working day.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        if to < from {
            return -self.working_days_between(to, from);
        }
        match (self.index_of(next_day(from)), self.index_of(next_day(to))) {
            (Some(a), Some(b)) => i64::from(self.working_before[b]) - i64::from(self.working_before[a]),
            _ => {
                // Outside the index: count the slow way. Only reachable for dates before 1990
                // or after 2100, which validation keeps out of real records.
                let mut count = 0i64;
                let mut day = from;
                while day < to {
                    day = next_day(day);
                    if self.is_working_day(day) {
                        count += 1;
                    }
                }
                count
            }
        }
    }

    fn index_of(&self, date: NaiveDate) -> Option<usize> {
        let offset = (date - self.index_start).num_days();
        usize::try_from(offset).ok().filter(|&i| i < self.working_before.len())
    }
}

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

fn next_day(date: NaiveDate) -> NaiveDate {
    date.checked_add_days(Days::new(1)).unwrap_or(date)
}

fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("a valid calendar date")
}

/// Easter Sunday in the Gregorian calendar (the anonymous Gregorian algorithm).
pub fn easter_sunday(year: i32) -> NaiveDate {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    ymd(year, month as u32, day as u32)
}

fn first_monday(year: i32, month: u32) -> NaiveDate {
    NaiveDate::from_weekday_of_month_opt(year, month, Weekday::Mon, 1).expect("every month has a Monday")
}

fn last_monday(year: i32, month: u32) -> NaiveDate {
    NaiveDate::from_weekday_of_month_opt(year, month, Weekday::Mon, 5).unwrap_or_else(|| {
        NaiveDate::from_weekday_of_month_opt(year, month, Weekday::Mon, 4).expect("four Mondays")
    })
}

/// New Year's Day, moved to the next weekday when it falls at a weekend.
fn new_year_observed(year: i32) -> NaiveDate {
    let day = ymd(year, 1, 1);
    match day.weekday() {
        Weekday::Sat => ymd(year, 1, 3),
        Weekday::Sun => ymd(year, 1, 2),
        _ => day,
    }
}

/// Christmas Day and Boxing Day with their substitute days.
fn christmas_observed(year: i32) -> [NaiveDate; 2] {
    match ymd(year, 12, 25).weekday() {
        // Christmas on Saturday: Monday 27 and Tuesday 28.
        Weekday::Sat => [ymd(year, 12, 27), ymd(year, 12, 28)],
        // Christmas on Sunday: Boxing Day Monday 26, Christmas substitute Tuesday 27.
        Weekday::Sun => [ymd(year, 12, 26), ymd(year, 12, 27)],
        // Boxing Day on Saturday: substitute Monday 28.
        Weekday::Fri => [ymd(year, 12, 25), ymd(year, 12, 28)],
        _ => [ymd(year, 12, 25), ymd(year, 12, 26)],
    }
}

/// The bank holidays England, Wales and Jersey share (without one-off days and the 2020 and
/// 2022 moves, which differ).
fn common_uk_holidays(year: i32) -> Vec<NaiveDate> {
    let easter = easter_sunday(year);
    let mut days = vec![
        new_year_observed(year),
        easter - Days::new(2),
        easter + Days::new(1),
        first_monday(year, 5),
        last_monday(year, 8),
    ];
    days.extend(christmas_observed(year));
    days
}

fn spring_bank_holiday(year: i32) -> NaiveDate {
    match year {
        2002 | 2012 => ymd(year, 6, 4),
        2022 => ymd(2022, 6, 2),
        _ => last_monday(year, 5),
    }
}

/// England and Wales bank holidays in `year`, with the one-off days of 1990 onwards.
pub fn england_and_wales_holidays(year: i32) -> Vec<NaiveDate> {
    let mut days = common_uk_holidays(year);
    if year == 1995 || year == 2020 {
        // The early May bank holiday moved to 8 May for the VE Day anniversaries.
        days.retain(|d| *d != first_monday(year, 5));
        days.push(ymd(year, 5, 8));
    }
    days.push(spring_bank_holiday(year));
    days.extend(match year {
        1999 => vec![ymd(1999, 12, 31)],
        2002 => vec![ymd(2002, 6, 3)],
        2011 => vec![ymd(2011, 4, 29)],
        2012 => vec![ymd(2012, 6, 5)],
        2022 => vec![ymd(2022, 6, 3), ymd(2022, 9, 19)],
        2023 => vec![ymd(2023, 5, 8)],
        _ => vec![],
    });
    days.sort();
    days.dedup();
    days
}

/// Jersey's public and bank holidays in `year`: the UK's, plus Liberation Day (9 May, with no
/// substitute when it falls at a weekend), plus Jersey's one-off days.
pub fn jersey_holidays(year: i32) -> Vec<NaiveDate> {
    let mut days = common_uk_holidays(year);
    if year == 1995 {
        days.retain(|d| *d != first_monday(year, 5));
        days.push(ymd(year, 5, 8));
    }
    days.push(spring_bank_holiday(year));
    let liberation_day = ymd(year, 5, 9);
    if !is_weekend(liberation_day) {
        days.push(liberation_day);
    }
    days.extend(match year {
        1999 => vec![ymd(1999, 12, 31)],
        2001 => vec![ymd(2001, 7, 13)],
        2002 => vec![ymd(2002, 6, 3)],
        2011 => vec![ymd(2011, 4, 29)],
        2012 => vec![ymd(2012, 6, 5)],
        // Jersey kept the first Monday in May and added 8 May for VE Day's 75th anniversary.
        2020 => vec![ymd(2020, 5, 8)],
        // The 250th anniversary of the Corn Riots.
        2021 => vec![ymd(2021, 9, 27)],
        2022 => vec![ymd(2022, 6, 3), ymd(2022, 9, 19)],
        2023 => vec![ymd(2023, 5, 8)],
        // The King and Queen's visit.
        2024 => vec![ymd(2024, 7, 15)],
        _ => vec![],
    });
    days.sort();
    days.dedup();
    days
}
