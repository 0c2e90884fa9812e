//! The authority's clock: "today" is the date in the authority's time zone, across the clock
//! changes; the training clock; and the days a plan is in force.

mod support;

use chrono::{DateTime, Duration, TimeZone, Utc};
use rstest::rstest;
use shared::clock::{BusinessClock, DEFAULT_TIME_ZONE, Tz, authority_date, parse_time_zone, start_of_day};
use shared::schedule::child_due_state;
use shared::*;
use support::*;

fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
}

#[rstest]
#[case::summer_evening_2330_utc_is_already_tomorrow_in_london(
    Tz::Europe__London,
    utc(2026, 7, 1, 23, 30),
    "2026-07-02"
)]
#[case::summer_evening_2259_utc_is_still_today_in_london(
    Tz::Europe__London,
    utc(2026, 7, 1, 22, 59),
    "2026-07-01"
)]
#[case::winter_evening_2330_utc_is_still_today_in_london(
    Tz::Europe__London,
    utc(2026, 1, 15, 23, 30),
    "2026-01-15"
)]
#[case::the_eve_of_liberation_day_at_2330_utc_is_liberation_day_in_jersey(
    Tz::Europe__Jersey,
    utc(2026, 5, 8, 23, 30),
    "2026-05-09"
)]
#[case::saturday_before_clocks_go_forward_2330_utc_is_saturday(
    Tz::Europe__London,
    utc(2026, 3, 28, 23, 30),
    "2026-03-28"
)]
#[case::clocks_go_forward_sunday_0030_utc_is_sunday(
    Tz::Europe__London,
    utc(2026, 3, 29, 0, 30),
    "2026-03-29"
)]
#[case::clocks_go_forward_sunday_2330_utc_is_already_monday(
    Tz::Europe__London,
    utc(2026, 3, 29, 23, 30),
    "2026-03-30"
)]
#[case::clocks_go_back_saturday_2330_utc_is_already_sunday(
    Tz::Europe__Jersey,
    utc(2026, 10, 24, 23, 30),
    "2026-10-25"
)]
#[case::clocks_go_back_sunday_2330_utc_is_still_sunday(
    Tz::Europe__Jersey,
    utc(2026, 10, 25, 23, 30),
    "2026-10-25"
)]
#[case::utc_is_the_utc_date(Tz::UTC, utc(2026, 7, 1, 23, 30), "2026-07-01")]
fn today_is_the_date_in_the_authoritys_zone(
    #[case] tz: Tz,
    #[case] instant: DateTime<Utc>,
    #[case] expected: &str,
) {
    assert_eq!(authority_date(tz, instant), date(expected));
}

#[test]
fn the_default_zone_is_london() {
    assert_eq!(DEFAULT_TIME_ZONE, Tz::Europe__London);
    assert_eq!(BusinessClock::default().time_zone(), Tz::Europe__London);
}

#[rstest]
#[case::jersey("Europe/Jersey", Tz::Europe__Jersey)]
#[case::london("Europe/London", Tz::Europe__London)]
#[case::surrounding_spaces(" Europe/London ", Tz::Europe__London)]
fn a_time_zone_is_named_as_iana_names_it(#[case] name: &str, #[case] expected: Tz) {
    assert_eq!(parse_time_zone(name), Ok(expected));
}

#[rstest]
#[case::made_up("Europe/Atlantis")]
#[case::an_abbreviation_not_a_zone("BST")]
#[case::empty("")]
fn an_unknown_time_zone_is_refused_in_plain_words(#[case] name: &str) {
    let error = parse_time_zone(name).unwrap_err();
    assert!(error.contains("unknown time zone") && error.contains("Europe/London"), "{error}");
}

#[test]
fn a_sunday_evening_after_the_clocks_go_forward_a_visit_due_monday_is_due_today() {
    // Registered Monday 16 March 2026 on a 10-working-day plan: due Monday 30 March. At 23:30
    // UTC on Sunday 29 March it is 00:30 on Monday in London: due today, not "due in 1 day".
    let plan = ProtectionPlan { registered_on: date("2026-03-16"), ..plan() };
    let visits: Vec<Visit> = Vec::new();
    let today = authority_date(Tz::Europe__London, utc(2026, 3, 29, 23, 30));
    let state =
        child_due_state(Calendar::england_and_wales(), &ScheduleRules::default(), &plan, &visits, today);
    assert_eq!(state, Some(DueState::DueToday { due: date("2026-03-30") }));
}

#[test]
fn a_live_clock_is_the_real_clock() {
    let clock = BusinessClock::live(Tz::Europe__Jersey);
    let real = utc(2026, 7, 1, 23, 30);
    assert!(!clock.is_training());
    assert_eq!(clock.at(real), real);
    assert_eq!(clock.today_at(real), date("2026-07-02"));
}

#[test]
fn a_training_clock_runs_from_its_start_at_the_real_pace() {
    let real_start = utc(2026, 11, 30, 10, 0);
    let business_start = utc(2026, 3, 2, 10, 0);
    let clock = BusinessClock::starting_at(Tz::Europe__London, business_start, real_start);
    assert!(clock.is_training());
    assert_eq!(clock.at(real_start), business_start);
    assert_eq!(clock.at(real_start + Duration::hours(3)), business_start + Duration::hours(3));
    // Fourteen real hours later it is the next day on the training clock too.
    assert_eq!(clock.today_at(real_start + Duration::hours(14)), date("2026-03-03"));
}

/// CI found this: a training clock started at midnight from a real clock part-way through a
/// second. The device, which receives the offset in whole seconds, read 23:59:59 the day before.
#[test]
fn a_device_reads_the_same_date_as_its_training_server_in_the_second_before_midnight() {
    let real_now = utc(2026, 11, 30, 13, 1) + Duration::nanoseconds(567_000_000);
    let midnight = utc(2026, 12, 1, 0, 0);
    let server = BusinessClock::starting_at(Tz::Europe__London, midnight, real_now);
    let device =
        shared::sync::AuthoritySettings::new(CalendarName::Jersey, &server, ScheduleRules::default());
    assert_eq!(device.today_at(real_now), server.today_at(real_now));
    assert_eq!(device.clock().at(real_now), server.at(real_now));
}

// ----- The days a plan is in force -----

fn plan_from_to(start: &str, end: Option<&str>) -> ProtectionPlan {
    ProtectionPlan { registered_on: date(start), deregistered_on: end.map(date), ..plan() }
}

#[rstest]
#[case::the_day_before_registration("2026-08-31", false)]
#[case::the_day_the_plan_starts("2026-09-01", true)]
#[case::the_day_the_plan_ends_by_de_registration("2026-11-02", true)]
#[case::the_day_after_de_registration("2026-11-03", false)]
fn a_plan_is_in_force_from_the_day_it_starts_to_the_day_it_ends(#[case] day: &str, #[case] in_force: bool) {
    let plan = plan_from_to("2026-09-01", Some("2026-11-02"));
    assert_eq!(plan.is_active_on(date(day)), in_force);
    let child = Child { plan: Some(plan), ..child() };
    assert_eq!(child.on_plan(date(day)), in_force);
}

#[test]
fn a_plan_registered_and_de_registered_the_same_day_is_in_force_that_day() {
    let plan = plan_from_to("2026-09-01", Some("2026-09-01"));
    assert!(plan.is_active_on(date("2026-09-01")));
    assert!(!plan.is_active_on(date("2026-09-02")));
}

#[test]
fn on_the_day_of_de_registration_an_overdue_child_is_still_overdue() {
    // Registered 1 September 2026, never seen: due 15 September; de-registered Monday 2
    // November. On 2 November the child is still on the plan and still overdue.
    let plan = plan_from_to("2026-09-01", Some("2026-11-02"));
    let visits: Vec<Visit> = Vec::new();
    let rules = ScheduleRules::default();
    let on_the_day = child_due_state(Calendar::jersey(), &rules, &plan, &visits, date("2026-11-02"));
    assert!(on_the_day.is_some_and(|s| s.is_overdue()), "{on_the_day:?}");
    assert_eq!(child_due_state(Calendar::jersey(), &rules, &plan, &visits, date("2026-11-03")), None);
}

#[test]
fn on_the_day_a_plan_starts_the_first_visit_is_counted_from_that_day() {
    let plan = plan_from_to("2026-09-01", None);
    let visits: Vec<Visit> = Vec::new();
    let state =
        child_due_state(Calendar::jersey(), &ScheduleRules::default(), &plan, &visits, date("2026-09-01"));
    assert_eq!(state, Some(DueState::OnTrack { due: date("2026-09-15"), working_days_left: 10 }));
}

#[rstest]
#[case::a_summer_day_in_london_starts_at_2300_utc_the_evening_before(
    Tz::Europe__London,
    "2026-07-02",
    utc(2026, 7, 1, 23, 0)
)]
#[case::a_winter_day_in_london_starts_at_utc_midnight(
    Tz::Europe__London,
    "2026-12-01",
    utc(2026, 12, 1, 0, 0)
)]
#[case::the_day_after_clocks_go_forward_in_jersey_starts_at_2300_utc(
    Tz::Europe__Jersey,
    "2026-03-30",
    utc(2026, 3, 29, 23, 0)
)]
#[case::the_day_clocks_go_forward_in_jersey_starts_at_utc_midnight(
    Tz::Europe__Jersey,
    "2026-03-29",
    utc(2026, 3, 29, 0, 0)
)]
#[case::a_day_whose_midnight_was_skipped_starts_at_0100_local(
    Tz::America__Sao_Paulo,
    "2018-11-04",
    utc(2018, 11, 4, 3, 0)
)]
fn a_report_period_ends_at_the_start_of_the_next_day_in_the_authoritys_zone(
    #[case] tz: Tz,
    #[case] day: &str,
    #[case] expected: DateTime<Utc>,
) {
    let day: chrono::NaiveDate = day.parse().unwrap();
    assert_eq!(start_of_day(tz, day), expected);
    assert_eq!(authority_date(tz, start_of_day(tz, day)), day, "the instant is on that day locally");
    assert_eq!(
        authority_date(tz, start_of_day(tz, day) - Duration::seconds(1)),
        day.pred_opt().unwrap(),
        "one second earlier is the day before"
    );
}

#[rstest]
#[case::a_summer_evening_is_already_tomorrow_at_plus_one(
    utc(2026, 7, 15, 23, 30),
    "2026-07-16T00:30:00+01:00"
)]
#[case::a_winter_evening_is_today_at_plus_nought(utc(2026, 1, 15, 23, 30), "2026-01-15T23:30:00+00:00")]
#[case::the_first_0130_of_the_night_the_clocks_go_back(utc(2026, 10, 25, 0, 30), "2026-10-25T01:30:00+01:00")]
#[case::the_second_0130_of_the_night_the_clocks_go_back(
    utc(2026, 10, 25, 1, 30),
    "2026-10-25T01:30:00+00:00"
)]
#[case::just_after_the_clocks_go_forward(utc(2026, 3, 29, 1, 0), "2026-03-29T02:00:00+01:00")]
fn a_visits_times_are_kept_in_the_authoritys_zone_with_its_offset_then(
    #[case] instant: DateTime<Utc>,
    #[case] expected: &str,
) {
    let local = BusinessClock::live(Tz::Europe__London).local(instant);
    assert_eq!(local.to_rfc3339(), expected);
    assert_eq!(local, instant, "the same instant");
    assert_eq!(local.date_naive(), authority_date(Tz::Europe__London, instant), "the visit's day is today's");
}

#[rstest]
#[case::an_ordinary_summer_afternoon("2026-07-16T14:05", Some("2026-07-16T14:05:00+01:00"))]
#[case::a_time_passed_twice_is_the_first("2026-10-25T01:30", Some("2026-10-25T01:30:00+01:00"))]
#[case::a_time_the_clocks_skip_is_none("2026-03-29T01:30", None)]
fn a_typed_time_is_read_in_the_authoritys_zone(#[case] wall: &str, #[case] expected: Option<&str>) {
    let wall = chrono::NaiveDateTime::parse_from_str(wall, "%Y-%m-%dT%H:%M").unwrap();
    let read = BusinessClock::live(Tz::Europe__London).local_from(wall);
    assert_eq!(read.map(|at| at.to_rfc3339()).as_deref(), expected);
}
