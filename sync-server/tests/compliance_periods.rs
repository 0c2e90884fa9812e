//! Figures that stay true: the compliance report counts every statutory due date that fell in
//! its period, late visits as late, each missed due date as missed, and gives the same figures
//! for a period however late it is run. Dates are chosen around weekends, Jersey's bank
//! holidays (Liberation Day, 9 May), the clocks going forward and the days a plan starts and
//! ends.

mod oversight_support;

use std::collections::HashMap;

use chrono::{DateTime, FixedOffset, TimeZone, Utc};
use oversight_support::*;
use rstest::rstest;
use shared::*;
use sync_server::reports::{
    ComplianceFigures, ComplianceInput, ComplianceReport, DueOutcome, annex_a_list_7_csv, compliance_report,
    replay_schedule,
};

fn plan_from(registered: &str, ends: Option<&str>) -> ProtectionPlan {
    ProtectionPlan { registered_on: date(registered), deregistered_on: ends.map(date), ..plan() }
}

fn child_on(plan: ProtectionPlan) -> Child {
    Child { plan: Some(plan), ..child(1) }
}

/// The report for `from`..=`to`, run on `today`, with the revisions recorded when listed in
/// `recorded` (otherwise when the device made them).
fn report(
    child: &Child,
    visits: &[Visit],
    (from, to): (&str, &str),
    today: &str,
    recorded: &HashMap<(VisitId, u32), DateTime<Utc>>,
) -> ComplianceReport {
    let teams = HashMap::new();
    let workers = HashMap::new();
    compliance_report(
        &ComplianceInput {
            from: date(from),
            to: date(to),
            today: date(today),
            calendar: Calendar::jersey(),
            rules: &ScheduleRules::default(),
            team_names: &teams,
            worker_names: &workers,
            recorded,
            earlier_records: &HashMap::new(),
            period_ends_at: date(to).succ_opt().unwrap().and_hms_opt(0, 0, 0).unwrap().and_utc(),
        },
        vec![(child, visits)],
    )
}

fn statutory(figures: &ComplianceFigures) -> (u32, u32, u32, u32) {
    (
        figures.statutory_visits_due,
        figures.statutory_visits_on_time,
        figures.statutory_visits_late,
        figures.statutory_visits_missed,
    )
}

// ---- The schedule, replayed: every due date and what became of it. ----

#[rstest]
// Registered Friday 6 March 2026: ten working days on is Friday 20 March; a visit on the
// Saturday after is late.
#[case::a_visit_on_the_saturday_after_a_friday_due_date_is_late(
    "2026-03-06", &["2026-03-21"], "2026-03-31", &[("2026-03-20", DueOutcome::Late)]
)]
#[case::a_visit_on_the_friday_due_date_is_on_time(
    "2026-03-06", &["2026-03-20"], "2026-03-31", &[("2026-03-20", DueOutcome::OnTime)]
)]
// Registered Friday 25 April 2025: the early May bank holiday (5 May) and Liberation Day
// (Friday 9 May) are not working days, so the first visit is due Tuesday 13 May.
#[case::liberation_day_and_the_may_bank_holiday_move_the_due_date(
    "2025-04-25", &["2025-05-13"], "2025-05-20", &[("2025-05-13", DueOutcome::OnTime)]
)]
// Registered Monday 16 March 2026: due Monday 30 March, the day after the clocks go forward.
#[case::a_due_date_the_day_after_the_clocks_go_forward(
    "2026-03-16", &["2026-03-31"], "2026-04-02", &[("2026-03-30", DueOutcome::Late)]
)]
// Never seen: due 16 March, then ten working days after each missed due date: 30 March, then
// 15 April (Good Friday and Easter Monday are holidays).
#[case::a_child_left_unseen_across_three_due_dates_has_missed_three(
    "2026-03-02", &[], "2026-04-28",
    &[("2026-03-16", DueOutcome::Missed), ("2026-03-30", DueOutcome::Missed), ("2026-04-15", DueOutcome::Missed)]
)]
// Seen once late after two misses: the late visit meets the due date it followed, and the
// schedule restarts from it.
#[case::a_visit_after_two_missed_due_dates_is_late_for_the_second(
    "2026-03-02", &["2026-04-01"], "2026-04-20",
    &[("2026-03-16", DueOutcome::Missed), ("2026-03-30", DueOutcome::Late), ("2026-04-17", DueOutcome::Missed)]
)]
// A visit on the day the plan starts is before the schedule starts: it meets no due date.
#[case::a_visit_on_the_day_the_plan_starts_meets_no_due_date(
    "2026-03-02", &["2026-03-02"], "2026-03-20", &[("2026-03-16", DueOutcome::Missed)]
)]
fn each_due_date_is_on_time_late_or_missed(
    #[case] registered: &str,
    #[case] seen: &[&str],
    #[case] until: &str,
    #[case] expected: &[(&str, DueOutcome)],
) {
    let seen: Vec<_> = seen.iter().map(|d| date(d)).collect();
    let found = replay_schedule(Calendar::jersey(), &plan_from(registered, None), &seen, date(until));
    let found: Vec<_> = found.iter().map(|o| (o.due, o.outcome())).collect();
    let expected: Vec<_> = expected.iter().map(|(d, o)| (date(d), *o)).collect();
    assert_eq!(found, expected);
}

// ---- The report for a period. ----

#[test]
fn the_report_counts_every_due_date_in_the_period_on_its_due_date() {
    let c = child_on(plan_from("2026-03-02", None));
    // March 2026: due 16 March (missed), then 30 March (met late on 1 April, after March).
    let r =
        report(&c, &[visit(1, "2026-04-01")], ("2026-03-01", "2026-03-31"), "2026-04-20", &HashMap::new());
    assert_eq!(statutory(&r.service), (2, 0, 0, 2));
    assert_eq!(r.service.statutory_on_time_percent, Some(0.0));
}

#[test]
fn a_child_left_unseen_across_three_due_dates_has_missed_three_in_the_report() {
    let c = child_on(plan_from("2026-03-02", None));
    let r = report(&c, &[], ("2026-03-01", "2026-04-28"), "2026-04-28", &HashMap::new());
    assert_eq!(statutory(&r.service), (3, 0, 0, 3));
}

#[test]
fn a_visit_after_its_due_date_is_late_in_the_period_it_was_made() {
    let c = child_on(plan_from("2026-03-02", None));
    // Due 16 March; seen 18 March, synced the same day.
    let r =
        report(&c, &[visit(1, "2026-03-18")], ("2026-03-01", "2026-03-31"), "2026-04-20", &HashMap::new());
    assert_eq!(statutory(&r.service), (1, 0, 1, 0), "16 March late; the next is due 1 April, after March");
    assert!(r.recorded_after_period.is_empty());
}

#[test]
fn a_visit_synced_after_the_period_is_counted_as_such_and_listed_and_the_figures_stay_the_same() {
    let c = child_on(plan_from("2026-03-02", None));
    let v = visit(1, "2026-03-18");
    let period = ("2026-03-01", "2026-03-31");
    // Run on 1 April: the visit of 18 March has not reached the server.
    let early = report(&c, &[], period, "2026-04-01", &HashMap::new());
    // Run on 20 April: it synced on 10 April.
    let recorded = HashMap::from([((v.id, 1), utc("2026-04-10", 9))]);
    let later = report(&c, std::slice::from_ref(&v), period, "2026-04-20", &recorded);

    assert_eq!(statutory(&later.service), statutory(&early.service), "same period, same figures");
    assert_eq!(statutory(&later.service), (2, 0, 0, 2));
    assert_eq!(later.service.visits_child_seen, early.service.visits_child_seen);
    assert_eq!(later.service.visits_recorded_after_period, 1);
    let listed = &later.recorded_after_period[0];
    assert_eq!((listed.visit_id, listed.visit_date), (v.id, date("2026-03-18")));
    assert_eq!(listed.recorded_at, utc("2026-04-10", 9));
    assert_eq!(listed.late_for, Some(date("2026-03-16")), "it was late, whenever it synced");
}

#[test]
fn a_visit_made_after_the_period_for_a_due_date_in_it_is_listed_as_late() {
    let c = child_on(plan_from("2026-03-02", None));
    let v = visit(1, "2026-04-02");
    let r = report(&c, std::slice::from_ref(&v), ("2026-03-01", "2026-03-31"), "2026-04-20", &HashMap::new());
    assert_eq!(statutory(&r.service), (2, 0, 0, 2));
    assert_eq!(r.recorded_after_period.len(), 1);
    assert_eq!(r.recorded_after_period[0].late_for, Some(date("2026-03-16")));
}

#[test]
fn an_amendment_recorded_after_the_period_does_not_change_its_figures() {
    let c = child_on(plan_from("2026-03-02", None));
    let v = visit(1, "2026-03-12");
    let void = Visit { recorded_at: utc("2026-04-05", 9), ..voided(&v) };
    let before =
        report(&c, std::slice::from_ref(&v), ("2026-03-01", "2026-03-31"), "2026-04-01", &HashMap::new());
    let after = report(&c, &[v, void], ("2026-03-01", "2026-03-31"), "2026-04-20", &HashMap::new());
    assert_eq!(statutory(&after.service), statutory(&before.service));
    assert_eq!(after.service.statutory_visits_on_time, 1);
}

#[rstest]
// The plan ends on 16 March, the day the first visit falls due: it is in force that day.
#[case::a_due_date_on_the_day_the_plan_ends_counts(Some("2026-03-16"), 1)]
#[case::a_plan_that_ended_before_its_first_due_date_has_none(Some("2026-03-13"), 0)]
#[case::a_plan_still_in_force_counts_both(None, 2)]
fn due_dates_after_the_plan_ends_are_not_counted(#[case] ends: Option<&str>, #[case] due: u32) {
    let c = child_on(plan_from("2026-03-02", ends));
    let r = report(&c, &[], ("2026-03-01", "2026-03-31"), "2026-04-20", &HashMap::new());
    assert_eq!(r.service.statutory_visits_due, due);
}

#[test]
fn a_visit_just_after_midnight_when_the_clocks_have_gone_forward_counts_on_its_local_date() {
    // Due Monday 30 March 2026. Seen at 00:30 British Summer Time that day, which is 23:30 UTC
    // on the Sunday: the worker's date is the one that counts.
    let c = child_on(plan_from("2026-03-16", None));
    let bst = FixedOffset::east_opt(3600).unwrap();
    let started = bst.with_ymd_and_hms(2026, 3, 30, 0, 30, 0).unwrap();
    let v = Visit {
        started_at: started,
        ended_at: started + chrono::Duration::minutes(40),
        ..visit(1, "2026-03-30")
    };
    let r = report(&c, &[v], ("2026-03-01", "2026-03-31"), "2026-04-20", &HashMap::new());
    assert_eq!(statutory(&r.service), (1, 1, 0, 0));
}

// ---- Annex A. ----

#[test]
fn annex_a_takes_the_last_statutory_visit_from_within_the_plan() {
    // A visit under an earlier plan (January) is not this plan's last statutory visit.
    let c = child_on(plan_from("2026-03-02", None));
    let earlier = visit(1, "2026-01-20");
    let csv = annex_a_list_7_csv(
        vec![(&c, std::slice::from_ref(&earlier))],
        date("2025-04-21"),
        date("2026-04-20"),
        &HashMap::new(),
        &HashMap::new(),
    )
    .unwrap();
    let row: Vec<&str> = csv.lines().nth(1).unwrap().split(',').collect();
    assert_eq!(row[9], "", "no statutory visit within this plan: {csv}");
    let within = visit(2, "2026-03-12");
    let csv = annex_a_list_7_csv(
        vec![(&c, &[earlier, within][..])],
        date("2025-04-21"),
        date("2026-04-20"),
        &HashMap::new(),
        &HashMap::new(),
    )
    .unwrap();
    let row: Vec<&str> = csv.lines().nth(1).unwrap().split(',').collect();
    assert_eq!(row[9], "12/03/2026");
}
