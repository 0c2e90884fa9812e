//! The statutory-visit schedule rules.

mod support;

use chrono::{Days, NaiveDate};
use proptest::prelude::*;
use rstest::rstest;
use shared::schedule::{
    child_due_state, due_state, escalation_level, last_seen, next_visit_due, working_days_since_seen,
};
use shared::*;
use support::*;

fn jersey() -> &'static Calendar {
    Calendar::jersey()
}

#[test]
fn next_visit_counts_working_days_from_the_last_time_the_child_was_seen() {
    // Seen Friday 20 November 2026; ten working days later is Friday 4 December.
    let seen = vec![visit_on("2026-11-20")];
    assert_eq!(last_seen(&seen), Some(date("2026-11-20")));
    assert_eq!(next_visit_due(jersey(), &plan(), last_seen(&seen)), date("2026-12-04"));
}

#[test]
fn a_child_never_seen_is_due_from_registration() {
    // Registered Tuesday 1 September 2026: due Tuesday 15 September.
    assert_eq!(next_visit_due(jersey(), &plan(), None), date("2026-09-15"));
}

#[test]
fn a_missed_visit_does_not_reset_the_schedule() {
    let visits = vec![visit_on("2026-11-10"), missed_visit_on("2026-11-20", 501)];
    assert_eq!(last_seen(&visits), Some(date("2026-11-10")));
}

#[test]
fn a_non_statutory_visit_does_not_reset_the_schedule() {
    let other = Visit { kind: VisitKind::Other, ..visit_on("2026-11-20") };
    assert_eq!(last_seen(&[other]), None);
}

#[test]
fn a_visit_entered_in_error_does_not_count() {
    let original = visit_on("2026-11-20");
    let void = Visit {
        revision: 2,
        amends: Some(1),
        status: VisitStatus::EnteredInError,
        amendment_reason: Some("Recorded against the wrong child".into()),
        ..original.clone()
    };
    assert_eq!(last_seen(std::slice::from_ref(&original)), Some(date("2026-11-20")));
    assert_eq!(last_seen(&[original, void]), None);
}

#[test]
fn an_amendment_that_corrects_the_date_moves_the_schedule() {
    let original = visit_on("2026-11-20");
    let corrected = Visit {
        revision: 2,
        amends: Some(1),
        status: VisitStatus::Amended,
        amendment_reason: Some("Wrong date entered".into()),
        started_at: at("2026-11-19", 10),
        ended_at: at("2026-11-19", 11),
        ..original.clone()
    };
    assert_eq!(last_seen(&[corrected, original]), Some(date("2026-11-19")));
}

#[rstest]
#[case::on_track("2026-12-04", "2026-11-26", DueState::OnTrack { due: date("2026-12-04"), working_days_left: 6 })]
#[case::due_soon_two_days("2026-12-04", "2026-12-02", DueState::DueSoon { due: date("2026-12-04"), working_days_left: 2 })]
#[case::due_soon_across_a_weekend("2026-11-30", "2026-11-27", DueState::DueSoon { due: date("2026-11-30"), working_days_left: 1 })]
#[case::due_today("2026-12-04", "2026-12-04", DueState::DueToday { due: date("2026-12-04") })]
#[case::overdue_by_one_day("2026-12-04", "2026-12-07", DueState::Overdue { due: date("2026-12-04"), working_days_overdue: 1 })]
#[case::overdue_on_the_saturday_after("2026-12-04", "2026-12-05", DueState::Overdue { due: date("2026-12-04"), working_days_overdue: 1 })]
#[case::overdue_by_six_days("2026-12-04", "2026-12-14", DueState::Overdue { due: date("2026-12-04"), working_days_overdue: 6 })]
fn due_state_cases(#[case] due: &str, #[case] today: &str, #[case] expected: DueState) {
    assert_eq!(due_state(jersey(), &ScheduleRules::default(), date(due), date(today)), expected);
}

#[rstest]
#[case::on_track_goes_to_nobody(DueState::OnTrack { due: date("2026-12-04"), working_days_left: 5 }, false, None)]
#[case::due_today_goes_to_nobody(DueState::DueToday { due: date("2026-12-04") }, true, None)]
#[case::overdue_goes_to_team_manager(DueState::Overdue { due: date("2026-12-04"), working_days_overdue: 1 }, false, Some(EscalationLevel::TeamManager))]
#[case::overdue_by_exactly_five_stays_with_team_manager(DueState::Overdue { due: date("2026-12-04"), working_days_overdue: 5 }, false, Some(EscalationLevel::TeamManager))]
#[case::overdue_by_more_than_five_goes_to_senior(DueState::Overdue { due: date("2026-12-04"), working_days_overdue: 6 }, false, Some(EscalationLevel::SeniorManager))]
#[case::overdue_with_key_worker_absent_goes_to_senior(DueState::Overdue { due: date("2026-12-04"), working_days_overdue: 1 }, true, Some(EscalationLevel::SeniorManager))]
fn escalation_level_cases(
    #[case] state: DueState,
    #[case] key_worker_absent: bool,
    #[case] expected: Option<EscalationLevel>,
) {
    assert_eq!(escalation_level(&state, key_worker_absent, &ScheduleRules::default()), expected);
}

#[test]
fn no_due_state_once_the_plan_has_ended() {
    let ended = ProtectionPlan { deregistered_on: Some(date("2026-11-01")), ..plan() };
    let visits: Vec<Visit> = vec![];
    assert_eq!(
        child_due_state(jersey(), &ScheduleRules::default(), &ended, &visits, date("2026-11-26")),
        None
    );
}

#[test]
fn urgency_orders_most_overdue_first_then_today_then_soonest() {
    let mut states = [
        DueState::OnTrack { due: date("2026-12-10"), working_days_left: 9 },
        DueState::DueSoon { due: date("2026-11-30"), working_days_left: 2 },
        DueState::Overdue { due: date("2026-11-20"), working_days_overdue: 1 },
        DueState::DueToday { due: date("2026-11-26") },
        DueState::Overdue { due: date("2026-11-10"), working_days_overdue: 12 },
        DueState::DueSoon { due: date("2026-11-27"), working_days_left: 1 },
    ];
    states.sort_by_key(DueState::urgency_key);
    let words: Vec<String> = states.iter().map(DueState::describe).collect();
    assert_eq!(
        words,
        [
            "Overdue by 12 working days",
            "Overdue by 1 working day",
            "Due today",
            "Due in 1 working day",
            "Due in 2 working days",
            "On track, due by 10/12/2026",
        ]
    );
}

#[test]
fn working_days_since_seen_counts_from_the_visit() {
    assert_eq!(working_days_since_seen(jersey(), Some(date("2026-11-20")), date("2026-11-26")), Some(4));
    assert_eq!(working_days_since_seen(jersey(), None, date("2026-11-26")), None);
}

fn any_date() -> impl Strategy<Value = NaiveDate> {
    // 2015 to 2035: the years the calendars are checked for.
    (0u64..7670).prop_map(|offset| date("2015-01-01") + Days::new(offset))
}

fn seen_visit(day: NaiveDate, id: u128) -> Visit {
    Visit { id: fixed(id), ..visit_on(&day.to_string()) }
}

fn missed_visit(day: NaiveDate, id: u128) -> Visit {
    missed_visit_on(&day.to_string(), id)
}

proptest! {
    #[test]
    fn a_due_date_never_falls_on_a_non_working_day(from in any_date(), frequency in 1u32..40) {
        for calendar in [Calendar::jersey(), Calendar::england_and_wales()] {
            let plan = ProtectionPlan { registered_on: date("2015-01-01"), visit_frequency_working_days: frequency, ..plan() };
            let due = next_visit_due(calendar, &plan, Some(from));
            prop_assert!(calendar.is_working_day(due), "{due} in {}", calendar.name());
            prop_assert!(due > from);
            prop_assert_eq!(calendar.working_days_between(from, due), i64::from(frequency));
        }
    }

    #[test]
    fn a_not_seen_visit_never_moves_the_due_date(
        seen_days in proptest::collection::vec(any_date(), 0..5),
        missed_day in any_date(),
    ) {
        let mut visits: Vec<Visit> =
            seen_days.iter().enumerate().map(|(i, d)| seen_visit(*d, 1000 + i as u128)).collect();
        let plan = ProtectionPlan { registered_on: date("2015-01-01"), ..plan() };
        let before = next_visit_due(jersey(), &plan, last_seen(&visits));
        visits.push(missed_visit(missed_day, 9999));
        prop_assert_eq!(next_visit_due(jersey(), &plan, last_seen(&visits)), before);
    }

    #[test]
    fn adding_a_later_seen_visit_never_makes_a_child_more_overdue(
        first in any_date(),
        gap in 0u64..400,
        today_after in 0u64..400,
    ) {
        let plan = ProtectionPlan { registered_on: date("2015-01-01"), ..plan() };
        let later = first + Days::new(gap);
        let today = later + Days::new(today_after);
        let rules = ScheduleRules::default();
        let one = vec![seen_visit(first, 1)];
        let two = vec![seen_visit(first, 1), seen_visit(later, 2)];
        let before = child_due_state(jersey(), &rules, &plan, &one, today).unwrap();
        let after = child_due_state(jersey(), &rules, &plan, &two, today).unwrap();
        prop_assert!(after.working_days_overdue() <= before.working_days_overdue());
        prop_assert!(after.due() >= before.due());
    }

    #[test]
    fn working_days_between_agrees_with_adding_working_days(from in any_date(), n in 0u32..300) {
        let calendar = Calendar::england_and_wales();
        let to = calendar.add_working_days(from, n);
        if n > 0 {
            prop_assert_eq!(calendar.working_days_between(from, to), i64::from(n));
        }
        prop_assert_eq!(calendar.working_days_between(to, from), -calendar.working_days_between(from, to));
    }
}
