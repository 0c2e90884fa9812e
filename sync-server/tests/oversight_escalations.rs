//! The escalation rules, one named case each: overdue, senior threshold, absence, not seen,
//! not seen alone, interpreter, duplicates, grace period, late syncs, acknowledgement and
//! re-raising, plus duty cover and handovers.

mod oversight_support;

use chrono::Duration;
use oversight_support::*;
use rstest::rstest;
use shared::*;
use sync_server::escalations::{
    EscalationChange, EscalationConfig, acknowledge, build_handover, children_due_during, validate_cover,
};

fn config() -> EscalationConfig {
    EscalationConfig::default()
}

/// Applies the changes to the held escalations, as the server's store does.
fn apply(held: &mut Vec<Escalation>, changes: &[EscalationChange]) {
    for change in changes {
        let e = change.escalation().clone();
        match held.iter_mut().find(|h| h.id == e.id) {
            Some(h) => *h = e,
            None => held.push(e),
        }
    }
}

// ---- Overdue. ----

#[rstest]
// Due Monday 16 March 2026; overdue, and escalated, from the authority's midnight.
#[case::on_time_the_day_it_is_due("2026-03-16", 15, None)]
#[case::on_time_in_the_last_hour_of_the_day_it_is_due("2026-03-16", 23, None)]
#[case::overdue_from_the_authoritys_midnight_to_the_team_manager("2026-03-17", 0, Some((EscalationLevel::TeamManager, 1)))]
#[case::overdue_by_one_day_to_the_team_manager("2026-03-17", 13, Some((EscalationLevel::TeamManager, 1)))]
#[case::overdue_by_exactly_n_days_still_the_team_manager("2026-03-23", 13, Some((EscalationLevel::TeamManager, 5)))]
#[case::overdue_by_more_than_n_days_to_a_senior_manager("2026-03-24", 13, Some((EscalationLevel::SeniorManager, 6)))]
fn a_child_overdue_is_escalated_by_how_long(
    #[case] day: &str,
    #[case] hour: u32,
    #[case] expected: Option<(EscalationLevel, u32)>,
) {
    let changes = sweep_one(&child(1), &[], &[], &directory(&[]), &config(), utc(day, hour));
    let found = changes.iter().find_map(|c| match c {
        EscalationChange::Raised(e) => match e.reason {
            EscalationReason::Overdue { working_days_overdue, .. } => Some((e.level, working_days_overdue)),
            _ => None,
        },
        _ => None,
    });
    assert_eq!(found, expected, "{changes:?}");
    if let Some((level, _)) = expected {
        let to = changes[0].escalation().to;
        let manager = if level == EscalationLevel::TeamManager { TEAM_MANAGER } else { SENIOR_MANAGER };
        assert_eq!(to, Some(fixed(manager)), "sent to the right manager");
    }
}

#[test]
fn the_senior_threshold_n_is_configurable() {
    let strict = EscalationConfig {
        rules: ScheduleRules { senior_after_working_days: 2, ..ScheduleRules::default() },
        ..config()
    };
    // Thursday 19 March: 3 working days overdue, more than 2.
    let changes = sweep_one(&child(1), &[], &[], &directory(&[]), &strict, utc("2026-03-19", 13));
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].escalation().level, EscalationLevel::SeniorManager);
}

#[test]
fn overdue_while_the_key_worker_is_absent_goes_straight_to_a_senior_manager() {
    let changes = sweep_one(&child(1), &[], &[], &directory(&[KEY_WORKER]), &config(), utc("2026-03-17", 13));
    assert_eq!(changes.len(), 1);
    let e = changes[0].escalation();
    assert_eq!(e.level, EscalationLevel::SeniorManager);
    assert!(matches!(e.reason, EscalationReason::Overdue { key_worker_absent: true, .. }));
}

#[test]
fn a_child_seen_in_time_is_not_escalated() {
    let visits = [visit(10, "2026-03-12")];
    let changes = sweep_one(&child(1), &visits, &[], &directory(&[]), &config(), utc("2026-03-20", 13));
    assert!(changes.is_empty(), "{changes:?}");
}

#[test]
fn a_visit_where_the_child_was_not_seen_does_not_stop_the_clock() {
    // A missed visit is its own escalation, and the child is still overdue.
    let visits = [not_seen(10, "2026-03-12")];
    let changes = sweep_one(&child(1), &visits, &[], &directory(&[]), &config(), utc("2026-03-17", 13));
    let reasons: Vec<_> = changes.iter().map(|c| c.escalation().reason.dedup_key()).collect();
    assert!(reasons.contains(&"overdue:2026-03-16".to_owned()), "{reasons:?}");
    assert!(reasons.iter().any(|r| r.starts_with("not_seen:")), "{reasons:?}");
}

#[test]
fn escalations_are_never_duplicated() {
    let mut held = Vec::new();
    let visits = [not_seen(10, "2026-03-12")];
    let first = sweep_one(&child(1), &visits, &held, &directory(&[]), &config(), utc("2026-03-17", 13));
    assert_eq!(first.len(), 2);
    apply(&mut held, &first);
    for hour in [14, 15, 20] {
        let again = sweep_one(&child(1), &visits, &held, &directory(&[]), &config(), utc("2026-03-17", hour));
        assert!(again.is_empty(), "raised twice: {again:?}");
    }
}

#[test]
fn an_open_overdue_escalation_goes_up_to_a_senior_manager_as_days_pass() {
    let mut held = Vec::new();
    let first = sweep_one(&child(1), &[], &held, &directory(&[]), &config(), utc("2026-03-17", 13));
    apply(&mut held, &first);
    // Acknowledged, so the time limit for acknowledgement does not interfere.
    let tm = worker(TEAM_MANAGER, Role::TeamManager);
    held[0] = acknowledge(
        &held[0],
        EscalationAction::VisitArranged { date: date("2026-03-18") },
        &tm,
        date("2026-03-17"),
        utc("2026-03-17", 14),
    )
    .unwrap();
    let later = sweep_one(&child(1), &[], &held, &directory(&[]), &config(), utc("2026-03-24", 13));
    assert_eq!(later.len(), 1, "{later:?}");
    let EscalationChange::RaisedAgain(e) = &later[0] else { panic!("{later:?}") };
    assert_eq!(e.id, held[0].id, "the same escalation, not a duplicate");
    assert_eq!(e.level, EscalationLevel::SeniorManager);
    assert_eq!(e.to, Some(fixed(SENIOR_MANAGER)));
    assert!(e.is_open());
}

// ---- Late syncs. ----

#[test]
fn an_overdue_escalation_closes_itself_when_a_visit_made_in_time_arrives_late() {
    let mut held = Vec::new();
    let raised = sweep_one(&child(1), &[], &held, &directory(&[]), &config(), utc("2026-03-18", 9));
    assert_eq!(raised.len(), 1);
    apply(&mut held, &raised);
    // The visit happened on Friday 13 March, before the due date, on a phone with no signal.
    let late = [visit(10, "2026-03-13")];
    let changes = sweep_one(&child(1), &late, &held, &directory(&[]), &config(), utc("2026-03-18", 10));
    assert_eq!(changes.len(), 1, "{changes:?}");
    let EscalationChange::Closed(e) = &changes[0] else { panic!("{changes:?}") };
    let EscalationStatus::Closed { explanation, .. } = &e.status else { unreachable!() };
    assert!(explanation.contains("13/03/2026") && explanation.contains("arrived late"), "{explanation}");
}

#[test]
fn a_visit_that_was_actually_late_leaves_the_escalation_open() {
    let mut held = Vec::new();
    apply(&mut held, &sweep_one(&child(1), &[], &[], &directory(&[]), &config(), utc("2026-03-18", 9)));
    let late = [visit(10, "2026-03-18")];
    let changes = sweep_one(&child(1), &late, &held, &directory(&[]), &config(), utc("2026-03-18", 12));
    // A real late visit needs a manager's confirmation: still open, asking them.
    assert_eq!(changes.len(), 1, "{changes:?}");
    let EscalationChange::Updated(e) = &changes[0] else { panic!("{changes:?}") };
    assert!(e.is_open() && e.awaiting_confirmation(), "{e:?}");
}

// ---- Visit problems. ----

#[rstest]
#[case::statutory_visit_child_not_seen(not_seen(10, "2026-03-10"), "not_seen:")]
#[case::not_seen_alone_without_agreement(not_alone(10, "2026-03-10", false), "not_alone:")]
#[case::interpreter_needed_not_used(interpreter_not_used(10, "2026-03-10"), "interpreter:")]
fn a_visit_problem_goes_to_the_team_manager_at_once(#[case] problem: Visit, #[case] key: &str) {
    // The same afternoon: no grace period for these.
    let changes = sweep_one(&child(1), &[problem], &[], &directory(&[]), &config(), utc("2026-03-10", 15));
    assert_eq!(changes.len(), 1, "{changes:?}");
    let e = changes[0].escalation();
    assert!(e.reason.dedup_key().starts_with(key));
    assert_eq!(e.level, EscalationLevel::TeamManager);
    assert_eq!(e.to, Some(fixed(TEAM_MANAGER)));
}

#[rstest]
#[case::a_good_visit(visit(10, "2026-03-10"))]
#[case::a_visit_before_the_plan_started(not_seen(10, "2026-02-20"))]
fn no_escalation_without_a_problem(#[case] fine: Visit) {
    let changes = sweep_one(&child(1), &[fine], &[], &directory(&[]), &config(), utc("2026-03-10", 15));
    assert!(changes.is_empty(), "{changes:?}");
}

#[rstest]
#[case::amended_so_the_child_was_seen_alone(
    amended(&not_alone(10, "2026-03-10", false), |v| v.seen_alone = Some(SeenAlone::Yes)),
    "amended"
)]
#[case::entered_in_error(voided(&not_alone(10, "2026-03-10", false)), "entered in error")]
fn a_corrected_visit_asks_the_manager_to_confirm_before_its_escalation_closes(
    #[case] correction: Visit,
    #[case] words: &str,
) {
    let original = not_alone(10, "2026-03-10", false);
    let mut held = Vec::new();
    apply(
        &mut held,
        &sweep_one(
            &child(1),
            std::slice::from_ref(&original),
            &[],
            &directory(&[]),
            &config(),
            utc("2026-03-10", 15),
        ),
    );
    assert_eq!(held.len(), 1);
    let changes = sweep_one(
        &child(1),
        &[original, correction],
        &held,
        &directory(&[]),
        &config(),
        utc("2026-03-10", 16),
    );
    assert_eq!(changes.len(), 1, "{changes:?}");
    let e = changes[0].escalation();
    assert!(e.is_open() && e.awaiting_confirmation(), "only a manager closes: {e:?}");
    let asked = &e.history.last().unwrap().text;
    assert!(asked.contains(words), "{asked}");
}

#[test]
fn open_overdue_escalations_close_when_the_plan_ends() {
    let mut held = Vec::new();
    apply(&mut held, &sweep_one(&child(1), &[], &[], &directory(&[]), &config(), utc("2026-03-18", 9)));
    let mut ended = child(1);
    ended.plan.as_mut().unwrap().deregistered_on = Some(date("2026-03-19"));
    let changes = sweep_one(&ended, &[], &held, &directory(&[]), &config(), utc("2026-03-20", 9));
    assert_eq!(changes.len(), 1);
    assert!(matches!(changes[0], EscalationChange::Closed(_)));
}

// ---- Acknowledgement and re-raising. ----

#[test]
fn not_acknowledged_in_time_it_is_raised_again_one_level_up() {
    let mut held = Vec::new();
    let visits = [not_seen(10, "2026-03-10")];
    apply(&mut held, &sweep_one(&child(1), &visits, &[], &directory(&[]), &config(), utc("2026-03-10", 15)));
    // Raised on Tuesday: two working days, to the end of Thursday, are the team manager's.
    let early = sweep_one(&child(1), &visits, &held, &directory(&[]), &config(), utc("2026-03-12", 23));
    assert!(early.is_empty(), "{early:?}");
    // Friday: up to the senior manager.
    let late = sweep_one(&child(1), &visits, &held, &directory(&[]), &config(), utc("2026-03-13", 8));
    assert_eq!(late.len(), 1);
    let EscalationChange::RaisedAgain(e) = &late[0] else { panic!("{late:?}") };
    assert_eq!(e.level, EscalationLevel::SeniorManager);
    assert_eq!(e.re_raised_at, Some(utc("2026-03-13", 8)));
    apply(&mut held, &late);
    // At the top it keeps firing: two working days on (after Tuesday 17), to the senior
    // manager again.
    let later = sweep_one(&child(1), &visits, &held, &directory(&[]), &config(), utc("2026-03-18", 8));
    let again = later.iter().find(|c| c.escalation().id == e.id).expect("raised to the senior manager again");
    assert_eq!(again.escalation().level, EscalationLevel::SeniorManager);
}

#[test]
fn an_acknowledged_escalation_is_not_raised_again() {
    let mut held = Vec::new();
    let visits = [not_seen(10, "2026-03-10")];
    apply(&mut held, &sweep_one(&child(1), &visits, &[], &directory(&[]), &config(), utc("2026-03-10", 15)));
    held[0] = acknowledge(
        &held[0],
        EscalationAction::VisitArranged { date: date("2026-03-11") },
        &worker(TEAM_MANAGER, Role::TeamManager),
        date("2026-03-10"),
        utc("2026-03-10", 16),
    )
    .unwrap();
    let later = sweep_one(&child(1), &visits, &held, &directory(&[]), &config(), utc("2026-03-13", 15));
    assert!(later.iter().all(|c| c.escalation().id != held[0].id), "{later:?}");
}

fn open_escalation(reason: EscalationReason, level: EscalationLevel) -> Escalation {
    Escalation {
        id: fixed(900),
        child_id: fixed(1),
        reason,
        level,
        to: None,
        raised_at: utc("2026-03-10", 9),
        re_raised_at: None,
        history: Vec::new(),
        basis: None,
        status: EscalationStatus::Open,
    }
}

fn overdue() -> EscalationReason {
    EscalationReason::Overdue { due: date("2026-03-09"), working_days_overdue: 1, key_worker_absent: false }
}

fn not_alone_reason() -> EscalationReason {
    EscalationReason::NotSeenAlone { visit_id: fixed(10) }
}

#[rstest]
#[case::visit_arranged_for_tomorrow(overdue(), EscalationLevel::TeamManager, Role::TeamManager,
    EscalationAction::VisitArranged { date: date("2026-03-11") }, None)]
#[case::visit_arranged_in_the_past(overdue(), EscalationLevel::TeamManager, Role::TeamManager,
    EscalationAction::VisitArranged { date: date("2026-03-09") }, Some("action.date"))]
#[case::duty_cover_assigned(overdue(), EscalationLevel::TeamManager, Role::TeamManager,
    EscalationAction::DutyCoverAssigned { duty_worker: fixed(DUTY_WORKER) }, None)]
#[case::exception_agreed_with_a_reason(overdue(), EscalationLevel::TeamManager, Role::TeamManager,
    EscalationAction::ExceptionAgreed { reason: "Family abroad for a funeral".into() }, None)]
#[case::exception_agreed_without_a_reason(overdue(), EscalationLevel::TeamManager, Role::TeamManager,
    EscalationAction::ExceptionAgreed { reason: "  ".into() }, Some("action.reason"))]
#[case::seen_alone_agreed(not_alone_reason(), EscalationLevel::TeamManager, Role::TeamManager,
    EscalationAction::SeenAloneAgreed { reason: "Child is two".into() }, None)]
#[case::seen_alone_disagreed(not_alone_reason(), EscalationLevel::TeamManager, Role::TeamManager,
    EscalationAction::SeenAloneDisagreed { reason: "See her at school".into() }, None)]
#[case::not_seen_alone_answered_with_a_visit(not_alone_reason(), EscalationLevel::TeamManager, Role::TeamManager,
    EscalationAction::VisitArranged { date: date("2026-03-11") }, Some("action"))]
#[case::overdue_answered_with_agree(overdue(), EscalationLevel::TeamManager, Role::TeamManager,
    EscalationAction::SeenAloneAgreed { reason: "x".into() }, Some("action"))]
#[case::team_manager_on_a_senior_escalation(overdue(), EscalationLevel::SeniorManager, Role::TeamManager,
    EscalationAction::VisitArranged { date: date("2026-03-11") }, Some("level"))]
#[case::senior_manager_on_a_team_escalation(overdue(), EscalationLevel::TeamManager, Role::SeniorManager,
    EscalationAction::VisitArranged { date: date("2026-03-11") }, None)]
#[case::a_social_worker_cannot(overdue(), EscalationLevel::TeamManager, Role::SocialWorker,
    EscalationAction::VisitArranged { date: date("2026-03-11") }, Some("action"))]
fn acknowledging_records_an_action_that_fits(
    #[case] reason: EscalationReason,
    #[case] level: EscalationLevel,
    #[case] role: Role,
    #[case] action: EscalationAction,
    #[case] refused_field: Option<&str>,
) {
    let about_one_visit = !reason.is_about_overdue();
    let escalation = open_escalation(reason, level);
    let by = worker(TEAM_MANAGER, role);
    let result = acknowledge(&escalation, action.clone(), &by, date("2026-03-10"), utc("2026-03-10", 12));
    match (result, refused_field) {
        // About one visit, the answer settles it.
        (Ok(done), None) if about_one_visit => {
            let EscalationStatus::Closed { at, .. } = done.status else { panic!("closed: {done:?}") };
            assert_eq!(at, utc("2026-03-10", 12));
            assert_eq!(
                done.history.iter().rev().nth(1).map(|h| &h.step),
                Some(&EscalationStep::Acknowledged { action })
            );
        }
        (Ok(done), None) => {
            assert_eq!(
                done.status,
                EscalationStatus::Acknowledged { action, by: by.id, at: utc("2026-03-10", 12) }
            );
        }
        (Err(errors), Some(field)) => assert!(errors.iter().any(|e| e.field == field), "{errors:?}"),
        (other, _) => panic!("unexpected {other:?}"),
    }
}

#[test]
fn a_closed_escalation_cannot_be_acknowledged() {
    let mut escalation = open_escalation(overdue(), EscalationLevel::TeamManager);
    escalation.status = EscalationStatus::Closed { explanation: "x".into(), at: utc("2026-03-10", 10) };
    let errors = acknowledge(
        &escalation,
        EscalationAction::ExceptionAgreed { reason: "y".into() },
        &worker(TEAM_MANAGER, Role::TeamManager),
        date("2026-03-10"),
        utc("2026-03-10", 12),
    )
    .unwrap_err();
    assert_eq!(errors[0].field, "status");
}

/// A child registered on Monday 2 March 2026 whose first visit falls due on `due`.
fn child_due_on(due: &str) -> Child {
    let mut child = child(1);
    let plan = child.plan.as_mut().unwrap();
    let frequency = Calendar::jersey().working_days_between(plan.registered_on, date(due));
    plan.visit_frequency_working_days = u32::try_from(frequency).unwrap();
    assert_eq!(
        shared::schedule::next_visit_due(Calendar::jersey(), plan, None),
        date(due),
        "the fixture is due when the case says"
    );
    child
}

/// Sweeps `child` at `now` in `zone`, as a server there does: "today" is the date in `zone`.
fn sweep_in(
    zone: shared::clock::Tz,
    child: &Child,
    config: &EscalationConfig,
    now: chrono::DateTime<chrono::Utc>,
) -> Vec<EscalationChange> {
    let directory = directory(&[]);
    let context = sync_server::escalations::SweepContext {
        calendar: Calendar::jersey(),
        config,
        directory: &directory,
        now,
        today: shared::authority_date(zone, now),
    };
    sync_server::escalations::sweep(
        [sync_server::escalations::ChildCase {
            child,
            visits: &[],
            escalations: &[],
            seen_alone_decisions: &[],
            meetings: &[],
            supervisions: &[],
            actions_done: &[],
        }],
        &context,
    )
}

fn raised_overdue(changes: &[EscalationChange]) -> bool {
    changes.iter().any(
        |c| matches!(c, EscalationChange::Raised(e) if matches!(e.reason, EscalationReason::Overdue { .. })),
    )
}

/// The sync grace counts working days on the authority's calendar and ends at its midnight:
/// with one day's grace, a phone out of signal on the due day has the next working day to sync.
#[rstest]
// Due Monday 16 March: the grace is Tuesday 17; escalated from Wednesday 18.
#[case::a_monday_due_date_is_escalated_after_the_tuesday("2026-03-16", "2026-03-17", 23, false)]
#[case::a_monday_due_date_is_escalated_at_wednesdays_midnight("2026-03-16", "2026-03-18", 0, true)]
// Due Friday 13 March: the weekend is not a working day, so Monday 16 is the grace.
#[case::a_friday_due_date_is_not_escalated_at_the_weekend("2026-03-13", "2026-03-15", 12, false)]
#[case::a_friday_due_date_is_not_escalated_on_the_monday_of_grace("2026-03-13", "2026-03-16", 23, false)]
#[case::a_friday_due_date_is_escalated_on_tuesday("2026-03-13", "2026-03-17", 0, true)]
// Due Thursday 2 April (Maundy Thursday): Good Friday and Easter Monday are bank holidays, so
// Tuesday 7 April is the grace and Wednesday 8 the first day escalated.
#[case::easter_bank_holidays_are_not_grace_days("2026-04-02", "2026-04-07", 23, false)]
#[case::after_easter_the_escalation_is_raised("2026-04-02", "2026-04-08", 0, true)]
fn the_sync_grace_is_counted_in_working_days(
    #[case] due: &str,
    #[case] day: &str,
    #[case] hour: u32,
    #[case] raised: bool,
) {
    let patient = EscalationConfig { sync_grace_working_days: 1, ..config() };
    let child = child_due_on(due);
    let changes = sweep_in(shared::clock::Tz::UTC, &child, &patient, utc(day, hour));
    assert_eq!(raised_overdue(&changes), raised, "due {due}, swept {day} {hour}:00: {changes:?}");
}

/// "Today" is the authority's date: on the first evening of British Summer Time, 23:30 UTC is
/// already the next day in London, and the child due that day is overdue; in winter it is not.
#[rstest]
#[case::summer_time_2330_utc_is_past_londons_midnight("2026-03-30", 23, 30, true)]
#[case::summer_time_2259_utc_is_still_the_due_day_in_london("2026-03-30", 22, 59, false)]
#[case::winter_2330_utc_is_still_the_due_day_in_london("2026-10-26", 23, 30, false)]
#[case::winter_0000_utc_is_londons_midnight("2026-10-27", 0, 0, true)]
fn the_sync_grace_ends_at_the_authoritys_midnight(
    #[case] day: &str,
    #[case] hour: u32,
    #[case] minute: i64,
    #[case] raised: bool,
) {
    let due = if day.starts_with("2026-03") { "2026-03-30" } else { "2026-10-26" };
    let child = child_due_on(due);
    let now = utc(day, hour) + Duration::minutes(minute);
    let changes = sweep_in(shared::clock::Tz::Europe__London, &child, &config(), now);
    assert_eq!(raised_overdue(&changes), raised, "due {due}, swept at {now}: {changes:?}");
}

// ---- Duty cover and handover. ----

fn absence(starts: &str, ends: Option<&str>) -> Absence {
    Absence {
        id: fixed(700),
        worker_id: fixed(KEY_WORKER),
        kind: AbsenceKind::Sickness,
        starts_on: date(starts),
        expected_end: ends.map(date),
        recorded_by: fixed(TEAM_MANAGER),
    }
}

#[test]
fn an_absence_lists_the_children_whose_visits_fall_due_during_it() {
    let due_in_absence = child(1); // due 16 March
    let mut seen_recently = child(2); // seen 13 March: due 27 March
    seen_recently.id = fixed(2);
    let mut someone_elses = child(3);
    someone_elses.plan.as_mut().unwrap().key_worker = fixed(999);
    let visits_2 = [Visit { child_id: fixed(2), ..visit(20, "2026-03-13") }];
    let cases: Vec<(&Child, &[Visit])> =
        vec![(&due_in_absence, &[]), (&seen_recently, &visits_2), (&someone_elses, &[])];
    let due = children_due_during(
        &absence("2026-03-12", Some("2026-03-20")),
        cases,
        &[],
        Calendar::jersey(),
        &ScheduleRules::default(),
        date("2026-03-12"),
    );
    assert_eq!(due.len(), 1, "{due:?}");
    assert_eq!(due[0].child_id, fixed(1));
    assert_eq!(due[0].due, date("2026-03-16"));
    assert!(!due[0].covered);
}

#[test]
fn an_open_ended_absence_looks_two_working_weeks_ahead_and_notes_cover() {
    let c = child(1);
    let cover = CoverAssignment {
        id: fixed(800),
        ..fixtures::cover(fixed(1), fixed(DUTY_WORKER), date("2026-03-12"), date("2026-03-31"))
    };
    let due = children_due_during(
        &absence("2026-03-12", None),
        vec![(&c, &[][..])],
        &[cover],
        Calendar::jersey(),
        &ScheduleRules::default(),
        date("2026-03-12"),
    );
    assert_eq!(due.len(), 1);
    assert!(due[0].covered);
}

fn cover() -> CoverAssignment {
    CoverAssignment {
        id: fixed(800),
        ..fixtures::cover(fixed(1), fixed(DUTY_WORKER), date("2026-03-12"), date("2026-03-20"))
    }
}

#[rstest]
#[case::a_duty_worker_for_the_key_worker(cover(), Role::DutyWorker, None)]
#[case::ends_before_it_starts(CoverAssignment { ends_on: date("2026-03-11"), ..cover() }, Role::DutyWorker, Some("ends_on"))]
#[case::not_a_duty_worker(cover(), Role::SocialWorker, Some("duty_worker"))]
#[case::not_the_key_worker(CoverAssignment { covering_for: fixed(999), ..cover() }, Role::DutyWorker, Some("covering_for"))]
fn cover_is_checked_before_it_is_recorded(
    #[case] cover: CoverAssignment,
    #[case] role: Role,
    #[case] refused_field: Option<&str>,
) {
    let duty = worker(DUTY_WORKER, role);
    match (validate_cover(&cover, &child(1), Some(&duty)), refused_field) {
        (Ok(()), None) => {}
        (Err(errors), Some(field)) => assert!(errors.iter().any(|e| e.field == field), "{errors:?}"),
        (other, _) => panic!("unexpected {other:?}"),
    }
}

#[test]
fn the_handover_holds_what_the_duty_worker_needs_newest_first() {
    let mut c = child(1);
    c.communication.child.interpreter_needed = true;
    c.communication.child.interpreter_language = Some("Portuguese".into());
    let first = visit(10, "2026-03-05");
    let second = visit(11, "2026-03-12");
    let voided_visit = voided(&visit(12, "2026-03-13"));
    let visits = vec![first, second, visit(12, "2026-03-13"), voided_visit];
    let open = open_escalation(overdue(), EscalationLevel::TeamManager);
    let mut closed = open_escalation(not_alone_reason(), EscalationLevel::TeamManager);
    closed.id = fixed(901);
    closed.status = EscalationStatus::Closed { explanation: "x".into(), at: utc("2026-03-11", 9) };
    let handover = build_handover(&c, Some(&cover()), &visits, &[open.clone(), closed], Calendar::jersey());

    assert_eq!(handover.child.communication.child.interpreter_language.as_deref(), Some("Portuguese"));
    assert_eq!(handover.child.plan.as_ref().unwrap().actions.len(), 1);
    let dates: Vec<_> = handover.recent_visits.iter().map(|v| v.date()).collect();
    assert_eq!(dates, vec![date("2026-03-12"), date("2026-03-05")], "voided visit left out, newest first");
    let words: Vec<_> = handover.recent_words.iter().map(|q| q.text.as_str()).collect();
    assert_eq!(words, vec!["words from 2026-03-12", "words from 2026-03-05"]);
    assert_eq!(handover.open_escalations, vec![open]);
    // Last seen 12 March: next due 10 working days on, Thursday 26 March.
    assert_eq!(handover.next_visit_due, Some(date("2026-03-26")));
    assert_eq!(handover.cover, Some(cover()));
}
