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
    let void = fixtures::voided(&original, "Recorded against the wrong child");
    assert_eq!(last_seen(std::slice::from_ref(&original)), Some(date("2026-11-20")));
    assert_eq!(last_seen(&[original, void]), None);
}

#[test]
fn an_amendment_that_corrects_the_date_moves_the_schedule() {
    let original = visit_on("2026-11-20");
    let corrected = fixtures::amended(&original, "Wrong date entered", |v| {
        v.started_at = at("2026-11-19", 10);
        v.ended_at = at("2026-11-19", 11);
    });
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

// ---- The plan over time: earlier plans, categories with dates, unborn children. ----

#[test]
fn a_child_stored_before_plan_history_was_kept_loads_without_loss() {
    // A record as stored before issue 11: a date of birth, one plan, no history fields.
    let stored = r#"{"id":"00000000-0000-0000-0000-000000000001","central_id":"JY-1","given_name":"Ellie",
        "family_name":"Testperson","date_of_birth":"2017-03-14","plan":{"registered_on":"2026-09-01",
        "harms":["neglect","emotional"],"visit_frequency_working_days":10,
        "key_worker":"00000000-0000-0000-0000-000000000002","team":"00000000-0000-0000-0000-000000000003",
        "latest_review_conference":"2026-11-02"}}"#;
    let child: Child = serde_json::from_str(stored).expect("an old record loads");
    assert_eq!(child.date_of_birth, Some(date("2017-03-14")));
    assert_eq!(child.details, CaseDetails::default());
    let plan = child.plan.as_ref().unwrap();
    assert_eq!(plan.initial_harms(), &[HarmCategory::Neglect, HarmCategory::Emotional]);
    assert_eq!(plan.latest_review_conference, Some(date("2026-11-02")));
    // Written back, it reads the same, with nothing new added to the wire.
    let again: Child = serde_json::from_str(&serde_json::to_string(&child).unwrap()).unwrap();
    assert_eq!(again, child);
    assert!(!serde_json::to_string(&child).unwrap().contains("previous_plans"));
}

#[test]
fn the_initial_and_latest_categories_are_kept_with_their_dates() {
    let mut plan = plan();
    plan.harms = vec![HarmCategory::Physical];
    plan.details.category_history = vec![
        CategoryChange {
            from: date("2026-09-01"),
            harms: vec![HarmCategory::Neglect, HarmCategory::Emotional],
        },
        CategoryChange { from: date("2026-11-02"), harms: vec![HarmCategory::Physical] },
    ];
    assert_eq!(plan.initial_harms(), &[HarmCategory::Neglect, HarmCategory::Emotional]);
    assert_eq!(plan.latest_harms(), &[HarmCategory::Physical]);
}

#[test]
fn an_unborn_child_needs_no_name_or_date_of_birth() {
    let mut unborn = child();
    unborn.given_name = String::new();
    unborn.family_name = "Testperson".into();
    unborn.date_of_birth = None;
    unborn.details.expected_date_of_birth = Some(date("2027-01-20"));
    assert!(unborn.is_unborn());
    assert_eq!(unborn.age_on(date("2026-11-26")), None);
    assert_eq!(unborn.display_name(), "Unborn baby Testperson");
    assert_eq!(unborn.age_words(date("2026-11-26")), "Unborn, expected 20 Jan 2027");
    // After the birth the same record carries on.
    unborn.date_of_birth = Some(date("2027-01-18"));
    assert_eq!(unborn.age_on(date("2027-02-01")), Some(0));
}

#[test]
fn an_ended_plan_becomes_an_earlier_plan_with_its_categories() {
    let ended = ProtectionPlan { deregistered_on: Some(date("2026-10-30")), ..plan() };
    let earlier = ended.as_previous().expect("ended");
    assert_eq!(earlier.deregistered_on, date("2026-10-30"));
    assert_eq!(earlier.initial_harms, vec![HarmCategory::Neglect, HarmCategory::Emotional]);
    assert!(plan().as_previous().is_none(), "a plan in force is not an earlier plan");
}

// ---- The plan's timeline: core groups, review conferences, supervision. ----

mod timeline {
    use super::*;
    use shared::timeline::*;

    fn england() -> &'static Calendar {
        Calendar::england_and_wales()
    }

    fn rules() -> Timescales {
        Timescales::default()
    }

    #[rstest]
    // Friday 27 November 2026: ten working days later is Friday 11 December.
    #[case::icpc_on_a_friday("2026-11-27", "2026-12-11")]
    // Monday 21 December 2026: Christmas, the Boxing Day substitute (Monday 28th) and New Year's
    // Day are not working days, so the tenth is Thursday 7 January 2027.
    #[case::over_christmas_and_new_year("2026-12-21", "2027-01-07")]
    // An ICPC held on a Saturday counts from the Monday after.
    #[case::icpc_on_a_saturday("2026-11-28", "2026-12-11")]
    // Spring bank holiday, Monday 25 May 2026: the ten working days run Tuesday to Monday 8 June.
    #[case::icpc_on_a_bank_holiday("2026-05-25", "2026-06-08")]
    fn first_core_group_is_due_within_ten_working_days_of_the_icpc(#[case] icpc: &str, #[case] due: &str) {
        assert_eq!(next_core_group_due(england(), &rules(), date(icpc), None), date(due));
    }

    #[rstest]
    // Monday 20 April 2026 plus six weeks is Monday 1 June.
    #[case::six_weeks_on_a_working_day("2026-04-20", "2026-06-01")]
    // Monday 23 March 2026 plus six weeks is Monday 4 May, the early May bank holiday: due by
    // Friday 1 May.
    #[case::six_weeks_lands_on_a_bank_holiday("2026-03-23", "2026-05-01")]
    // A core group held on Saturday 7 November 2026: six weeks is Saturday 19 December, so due by
    // Friday 18 December.
    #[case::held_on_a_saturday("2026-11-07", "2026-12-18")]
    fn core_groups_then_meet_at_least_every_six_weeks(#[case] held: &str, #[case] due: &str) {
        assert_eq!(next_core_group_due(england(), &rules(), date("2026-01-05"), Some(date(held))), date(due));
    }

    #[test]
    fn a_core_group_before_the_icpc_does_not_count() {
        let icpc = date("2026-11-27");
        assert_eq!(
            next_core_group_due(england(), &rules(), icpc, Some(date("2026-11-20"))),
            date("2026-12-11")
        );
    }

    #[rstest]
    // 2 September 2026 plus three months is Wednesday 2 December.
    #[case::three_months_on_a_working_day("2026-09-02", "2026-12-02")]
    // 30 November 2026 plus three months is 28 February 2027 (February is short), a Sunday:
    // due by Friday 26 February.
    #[case::month_end_into_february("2026-11-30", "2027-02-26")]
    // 31 May 2026 plus three months is Monday 31 August, the summer bank holiday: due by Friday
    // 28 August.
    #[case::lands_on_the_august_bank_holiday("2026-05-31", "2026-08-28")]
    fn first_review_conference_is_due_within_three_months_of_the_icpc(#[case] icpc: &str, #[case] due: &str) {
        assert_eq!(next_review_due(england(), &rules(), date(icpc), None), date(due));
    }

    #[rstest]
    // A review on Friday 26 June 2026: six months is Saturday 26 December, so due by Thursday
    // 24 December (Christmas Day is a holiday, the 26th a Saturday).
    #[case::six_months_lands_at_christmas("2026-06-26", "2026-12-24")]
    // A review on Wednesday 2 December 2026: due by Friday 2 June 2027.
    #[case::six_months_on_a_working_day("2026-12-02", "2027-06-02")]
    fn later_review_conferences_are_due_every_six_months(#[case] held: &str, #[case] due: &str) {
        assert_eq!(next_review_due(england(), &rules(), date("2026-03-02"), Some(date(held))), date(due));
    }

    #[rstest]
    // A plan starting Saturday 31 January 2026: a month later is 28 February, a Saturday, so
    // supervision is due by Friday 27 February.
    #[case::month_end_onto_a_weekend("2026-01-31", None, "2026-02-27")]
    // Supervised Tuesday 3 November 2026: due by Thursday 3 December.
    #[case::monthly_after_the_last("2026-09-01", Some("2026-11-03"), "2026-12-03")]
    fn supervision_is_due_monthly(#[case] start: &str, #[case] latest: Option<&str>, #[case] due: &str) {
        assert_eq!(next_supervision_due(england(), &rules(), date(start), latest.map(date)), date(due));
    }

    #[test]
    fn timescales_are_configurable() {
        let rules = Timescales {
            core_group_first_working_days: 5,
            core_group_every_weeks: 4,
            review_first_months: 2,
            review_every_months: 3,
            supervision_every_months: 2,
        };
        assert_eq!(next_core_group_due(england(), &rules, date("2026-11-27"), None), date("2026-12-04"));
        assert_eq!(
            next_core_group_due(england(), &rules, date("2026-11-27"), Some(date("2026-12-04"))),
            date("2027-01-01").pred_opt().unwrap()
        );
        assert_eq!(next_review_due(england(), &rules, date("2026-09-02"), None), date("2026-11-02"));
        assert_eq!(next_supervision_due(england(), &rules, date("2026-09-01"), None), date("2026-10-30"));
    }

    fn plan_from(icpc: &str) -> ProtectionPlan {
        let mut plan = ProtectionPlan { registered_on: date(icpc), ..plan() };
        plan.details.initial_conference_on = Some(date(icpc));
        plan.latest_review_conference = None;
        plan
    }

    #[test]
    fn a_date_is_overdue_the_day_after_it_was_due_not_on_it() {
        let plan = plan_from("2026-11-27");
        let (core, _) = plan_dates(england(), &rules(), &plan, &[], date("2026-12-11")).unwrap();
        assert!(!core.overdue, "due today is not overdue");
        let (core, _) = plan_dates(england(), &rules(), &plan, &[], date("2026-12-14")).unwrap();
        assert!(core.overdue);
        assert_eq!(core.working_days_overdue, 1, "Friday to Monday is one working day");
    }

    #[test]
    fn the_timeline_runs_from_the_plan_start_day_to_its_end_day() {
        let mut plan = plan_from("2026-11-27");
        assert!(
            plan_dates(england(), &rules(), &plan, &[], date("2026-11-26")).is_none(),
            "before the start"
        );
        let (core, review) = plan_dates(england(), &rules(), &plan, &[], date("2026-11-27")).unwrap();
        assert_eq!((core.due, review.due), (date("2026-12-11"), date("2027-02-26")));
        plan.deregistered_on = Some(date("2026-12-15"));
        assert!(
            plan_dates(england(), &rules(), &plan, &[], date("2026-12-15")).is_some(),
            "in force on its last day"
        );
        assert!(
            plan_dates(england(), &rules(), &plan, &[], date("2026-12-16")).is_none(),
            "not after it ended"
        );
    }

    #[rstest]
    // Thursday 2 April 2026, before Good Friday and Easter Monday: ten working days is Monday 20.
    #[case::before_easter("england", "2026-04-02", "2026-04-20")]
    // Registered on Easter Monday itself: the count starts the next day, to the same Monday 20.
    #[case::on_a_bank_holiday("england", "2026-04-06", "2026-04-20")]
    // Sunday 29 March 2026, the night the clocks go forward: Tuesday 14 April (Easter skipped).
    #[case::on_the_clock_change("england", "2026-03-29", "2026-04-14")]
    // Thursday 8 May 2025 in Jersey: Liberation Day, Friday 9 May, is skipped; Friday 23 May.
    #[case::before_liberation_day("jersey", "2025-05-08", "2025-05-23")]
    fn without_an_icpc_date_awkward_start_days_count_as_if_the_icpc_were_that_day(
        #[case] calendar: &str,
        #[case] start: &str,
        #[case] first_core_group: &str,
    ) {
        let calendar = if calendar == "jersey" { Calendar::jersey() } else { england() };
        let plan = ProtectionPlan { registered_on: date(start), latest_review_conference: None, ..plan() };
        assert_eq!(plan.details.initial_conference_on, None);
        let mut with_icpc = plan.clone();
        with_icpc.details.initial_conference_on = Some(date(start));
        let on = |plan: &ProtectionPlan, day: NaiveDate| plan_dates(calendar, &rules(), plan, &[], day);
        let day_before = date(start).pred_opt().unwrap();
        assert!(on(&plan, day_before).is_none(), "not before the plan starts");

        let (core, review) = on(&plan, date(start)).expect("tracked from the day the plan starts");
        assert_eq!(core.due, date(first_core_group));
        assert!(!core.overdue && !review.overdue);
        assert_eq!(on(&plan, date(start)), on(&with_icpc, date(start)), "as if the ICPC were that day");

        let (core, _) = on(&plan, date(first_core_group)).unwrap();
        assert!(!core.overdue, "due that day is not overdue");
        let next_working_day = calendar.add_working_days(date(first_core_group), 1);
        let (core, _) = on(&plan, next_working_day).unwrap();
        assert_eq!((core.overdue, core.working_days_overdue), (true, 1));

        // A plan that ends on the due date is tracked on its last day, and not after.
        let ended = ProtectionPlan { deregistered_on: Some(date(first_core_group)), ..plan };
        assert!(on(&ended, date(first_core_group)).is_some());
        assert!(on(&ended, date(first_core_group).succ_opt().unwrap()).is_none());
    }

    #[test]
    fn without_an_icpc_date_the_timeline_runs_from_the_day_the_plan_started() {
        // Registered Tuesday 1 September 2026, no ICPC date imported, no core group known: the
        // first core group was due ten working days on, and is overdue, not untracked.
        let plan = plan();
        assert_eq!(plan.details.initial_conference_on, None);
        let (core, review) = plan_dates(england(), &rules(), &plan, &[], date("2026-11-27")).unwrap();
        assert_eq!(core.due, date("2026-09-15"));
        assert!(core.overdue);
        assert_eq!(review.latest, Some(date("2026-11-02")), "the imported review still counts");
        // Six months on is Sunday 2 May 2027: due by the Friday before.
        assert_eq!(review.due, date("2027-04-30"));

        // A recorded ICPC date is what the timeline counts from.
        let mut recorded = plan;
        recorded.details.initial_conference_on = Some(date("2026-09-03"));
        let (core, _) = plan_dates(england(), &rules(), &recorded, &[], date("2026-11-27")).unwrap();
        assert_eq!(core.due, date("2026-09-17"));
    }

    #[test]
    fn a_recorded_core_group_moves_the_next_one_on() {
        let plan = plan_from("2026-11-02");
        let meeting = PlanMeeting {
            id: fixed(90),
            child_id: fixed(1),
            kind: MeetingKind::CoreGroup,
            held_on: date("2026-11-13"),
            attendees: vec!["Health visitor".into()],
            decisions: vec![],
            actions: vec![],
            recorded_by: fixed(2),
            recorded_by_name: "Sam Social".into(),
            recorded_at: now(),
        };
        let (core, review) = plan_dates(england(), &rules(), &plan, &[meeting], date("2026-11-26")).unwrap();
        assert_eq!(core.latest, Some(date("2026-11-13")));
        assert_eq!(core.due, date("2026-12-24"));
        assert_eq!(review.latest, None, "a core group is not a review");
    }
}
