//! Bounds on every free-text field, every list and every date a worker or manager can send.
//!
//! They live here, not in the server, so that the phone refuses exactly what the server would
//! refuse, with the same field name and the same words. Each bound is far beyond anything a real
//! visit reaches (a long visit record is a few thousand words); they exist so that a broken or
//! hostile client cannot make the server store, index and export megabytes per record.
//!
//! Text is counted in characters (Unicode scalar values), not bytes, so that a worker writing
//! in Polish or Portuguese gets the same room as one writing in English.

use chrono::{Duration, NaiveDate};

use crate::validation::ValidationErrors;

/// A short label: where a visit took place, who was present, a language, a family member who
/// interpreted.
pub const MAX_SHORT_TEXT_CHARS: usize = 200;
/// A reason: why the child was not seen or not seen alone, why a record was amended, why no
/// interpreter was used, a manager's reason for an exception.
pub const MAX_REASON_CHARS: usize = 4_000;
/// One quote of the child's own words.
pub const MAX_QUOTE_CHARS: usize = 4_000;
/// A long account: the child's views, observed facts, concerns (about 8,000 words each).
pub const MAX_LONG_TEXT_CHARS: usize = 50_000;
/// A photo's caption.
pub const MAX_CAPTION_CHARS: usize = 500;

/// Quotes of the child's words in one visit.
pub const MAX_QUOTES: usize = 200;
/// People present when the child was not seen alone.
pub const MAX_PRESENT: usize = 20;
/// Interpreter records in one visit (the child and each carer).
pub const MAX_INTERPRETERS: usize = 20;
/// Plan actions a visit worked on.
pub const MAX_PLAN_ACTIONS: usize = 100;
/// Categories of harm a visit addressed (there are four).
pub const MAX_HARMS: usize = 4;
/// Photos and files attached to one visit.
pub const MAX_ATTACHMENTS: usize = 50;

/// The next planned visit is at most this many days after the visit itself.
pub const MAX_NEXT_VISIT_DAYS_AHEAD: i64 = 366;
/// Absences, cover periods and arranged visits are dated within this many days of today, either
/// way (two years): anything further is a typing slip such as 0202 or 9999.
pub const MAX_DAYS_FROM_TODAY: i64 = 731;

/// Records a problem if `text` has more than `max` characters.
pub fn check_text(errors: &mut ValidationErrors, field: &str, text: &str, max: usize) {
    // Bytes bound characters from above, so most text needs no counting.
    if text.len() > max {
        let chars = text.chars().count();
        if chars > max {
            errors.push(field, format!("This is too long: at most {max} characters (it has {chars})."));
        }
    }
}

/// Records a problem if a list has more than `max` entries. Answers whether it was within the
/// bound, so that the caller can skip checking each entry of a list that is far too long.
pub fn check_count(errors: &mut ValidationErrors, field: &str, count: usize, max: usize) -> bool {
    if count > max {
        errors.push(field, format!("Too many entries: at most {max} (there are {count})."));
        false
    } else {
        true
    }
}

/// Records a problem if `date` is more than [`MAX_DAYS_FROM_TODAY`] days from `today`.
pub fn check_date_near_today(errors: &mut ValidationErrors, field: &str, date: NaiveDate, today: NaiveDate) {
    let earliest = today - Duration::days(MAX_DAYS_FROM_TODAY);
    let latest = today + Duration::days(MAX_DAYS_FROM_TODAY);
    if date < earliest || date > latest {
        errors.push(
            field,
            format!(
                "Check the date: it must be between {earliest} and {latest} (within two years of today)."
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[rstest]
    #[case::at_the_bound("x".repeat(200), true)]
    #[case::one_over("x".repeat(201), false)]
    #[case::accented_letters_count_once("é".repeat(200), true)]
    fn short_text_is_counted_in_characters(#[case] text: String, #[case] ok: bool) {
        let mut errors = ValidationErrors::default();
        check_text(&mut errors, "location", &text, MAX_SHORT_TEXT_CHARS);
        assert_eq!(errors.0.is_empty(), ok, "{errors:?}");
        if !ok {
            assert!(errors.has("location"));
        }
    }

    #[rstest]
    #[case::today(day(2026, 5, 9), true)]
    #[case::two_years_ahead(day(2028, 5, 9), true)]
    #[case::year_9999(day(9999, 12, 31), false)]
    #[case::year_0000(day(0, 1, 1), false)]
    #[case::three_years_back(day(2023, 5, 9), false)]
    fn dates_must_be_within_two_years_of_today(#[case] date: NaiveDate, #[case] ok: bool) {
        let mut errors = ValidationErrors::default();
        check_date_near_today(&mut errors, "starts_on", date, day(2026, 5, 9));
        assert_eq!(errors.0.is_empty(), ok);
    }
}
