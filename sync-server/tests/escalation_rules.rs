//! The rules that keep the safety net loud (issue 8, item 2), one named case each, with dates
//! chosen around weekends, Easter, Jersey's Liberation Day and the clock change: escalations
//! that keep firing until the child is seen, windows in working days, append-only history,
//! routing to a deputy or the team's senior manager, only a manager closes, honest
//! re-assessment after a plan change, current figures, standing "seen alone" decisions,
//! interpreting, and go-live.
//!
//! The child (from `oversight_support`) is registered on Monday 2 March 2026 with a visit every
//! 10 working days: first due Monday 16 March, overdue (with the default sync grace of 0
//! working days) from midnight on Tuesday 17 March.

mod oversight_support;

use oversight_support::*;
use rstest::rstest;
use shared::*;
use sync_server::escalations::{
    Directory, EscalationChange, EscalationConfig, acknowledge, validate_seen_alone_decision,
};

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

/// A config where only the rule under test moves an overdue escalation up (the senior
/// threshold is far away).
fn patient() -> EscalationConfig {
    EscalationConfig {
        rules: ScheduleRules { senior_after_working_days: 40, ..ScheduleRules::default() },
        ..EscalationConfig::default()
    }
}

/// Sweeps at 13:00 UTC on `day` and applies what changed.
fn sweep_at(
    held: &mut Vec<Escalation>,
    child: &Child,
    visits: &[Visit],
    config: &EscalationConfig,
    day: &str,
) -> Vec<EscalationChange> {
    let changes = sweep_one(child, visits, held, &directory(&[]), config, utc(day, 13));
    apply(held, &changes);
    changes
}

fn overdue_escalation(held: &[Escalation]) -> &Escalation {
    held.iter().find(|e| matches!(e.reason, EscalationReason::Overdue { .. })).expect("an overdue escalation")
}

fn team_manager() -> Worker {
    Worker { name: "Tara Testmanager".into(), ..worker(TEAM_MANAGER, Role::TeamManager) }
}

fn senior_manager() -> Worker {
    Worker { name: "Sian Testsenior".into(), ..worker(SENIOR_MANAGER, Role::SeniorManager) }
}

fn ack(held: &mut [Escalation], id: EscalationId, action: EscalationAction, by: &Worker, day: &str) {
    let e = held.iter_mut().find(|e| e.id == id).unwrap();
    *e = acknowledge(e, action, by, date(day), utc(day, 14)).expect("the action fits");
}

fn last_step(e: &Escalation) -> &EscalationStep {
    &e.history.last().expect("a history").step
}

/// Child 1 seen every Friday from 6 March 2026 for ten weeks, so no visit is overdue while a
/// test is about the plan's other dates.
fn seen_every_week() -> Vec<Visit> {
    (0..10)
        .map(|n| visit(500 + n, &(date("2026-03-06") + chrono::Days::new(7 * n as u64)).to_string()))
        .collect()
}

// ---- The invariant: an arranged visit that does not happen re-opens one level up. ----

#[rstest]
// Arranged for Friday 20 March: a working day's grace is Monday 23; re-opens Tuesday 24.
#[case::arranged_for_a_friday_reopens_after_the_weekend("2026-03-20", "2026-03-23", "2026-03-24")]
// Arranged for Friday 27 March, the weekend the clocks go forward (29 March).
#[case::arranged_before_the_clocks_go_forward("2026-03-27", "2026-03-30", "2026-03-31")]
// Arranged for Thursday 2 April: Good Friday and Easter Monday are not working days, so the
// grace day is Tuesday 7 April.
#[case::arranged_before_easter_waits_over_the_bank_holidays("2026-04-02", "2026-04-07", "2026-04-08")]
fn an_arranged_visit_that_does_not_happen_reopens_one_level_up(
    #[case] arranged: &str,
    #[case] last_quiet_day: &str,
    #[case] reopens_on: &str,
) {
    let config = patient();
    let child = child(1);
    let mut held = Vec::new();
    sweep_at(&mut held, &child, &[], &config, "2026-03-17");
    let id = overdue_escalation(&held).id;
    ack(
        &mut held,
        id,
        EscalationAction::VisitArranged { date: date(arranged) },
        &team_manager(),
        "2026-03-17",
    );

    let quiet = sweep_at(&mut held, &child, &[], &config, last_quiet_day);
    assert!(quiet.iter().all(|c| c.escalation().id != id), "not before the grace has passed: {quiet:?}");
    let reopened = sweep_at(&mut held, &child, &[], &config, reopens_on);
    let e = reopened.iter().find(|c| c.escalation().id == id).expect("re-opened");
    assert!(matches!(e, EscalationChange::RaisedAgain(_)), "{e:?}");
    let e = e.escalation();
    assert!(e.is_open());
    assert_eq!(e.level, EscalationLevel::SeniorManager);
    assert_eq!(e.to, Some(fixed(SENIOR_MANAGER)));
    let text = &e.history.last().unwrap().text;
    assert!(text.contains(&format!("arranged for {}", date(arranged).format("%d/%m/%Y"))), "{text}");
}

#[rstest]
// Seen on Friday 20 March; the sweep after the weekend closes it.
#[case::seen_on_a_friday_closed_after_the_weekend("2026-03-20", "2026-03-23", "4 working days")]
// Seen on Monday 30 March, the day after the clocks go forward.
#[case::seen_the_day_after_the_clocks_go_forward("2026-03-30", "2026-03-30", "10 working days")]
// Seen on Tuesday 7 April: Good Friday and Easter Monday are not counted.
#[case::seen_after_easter("2026-04-07", "2026-04-07", "14 working days")]
fn an_arranged_visit_in_which_the_child_was_seen_closes_the_escalation_naming_who_acted(
    #[case] seen_on: &str,
    #[case] swept_on: &str,
    #[case] late_by: &str,
) {
    // Until 2 December 2026 it stopped but never closed: "acted on, not yet closed" for good,
    // on the manager's desk.
    let config = patient();
    let child = child(1);
    let mut held = Vec::new();
    sweep_at(&mut held, &child, &[], &config, "2026-03-17");
    let id = overdue_escalation(&held).id;
    ack(
        &mut held,
        id,
        EscalationAction::VisitArranged { date: date(seen_on) },
        &team_manager(),
        "2026-03-17",
    );
    let acted = held.iter().find(|e| e.id == id).unwrap().history.clone();
    let seen = [visit(10, seen_on)];
    let later = sweep_at(&mut held, &child, &seen, &config, swept_on);
    assert_eq!(later.len(), 1, "{later:?}");
    let e = held.iter().find(|e| e.id == id).unwrap();
    let EscalationStatus::Closed { explanation, .. } = &e.status else { panic!("closed: {e:?}") };
    assert_eq!(
        explanation,
        &format!(
            "The child was seen on {}, {late_by} after the visit was due by 16/03/2026. Tara Testmanager had \
             acted on it on 17/03/2026.",
            date(seen_on).format("%d/%m/%Y")
        )
    );
    assert!(e.history.starts_with(&acted), "appended to");
    assert!(matches!(last_step(e), EscalationStep::Closed));
    let next_day = (date(swept_on) + chrono::Days::new(1)).to_string();
    assert!(sweep_at(&mut held, &child, &seen, &config, &next_day).is_empty(), "closed once");
}

/// A visit raising the one kind of escalation, with id `id` on `day`.
type OneProblem = fn(u128, &str) -> Visit;

fn not_alone_unagreed(id: u128, day: &str) -> Visit {
    not_alone(id, day, false)
}

#[rstest]
#[case::not_seen_alone_agreed(
    not_alone_unagreed as OneProblem,
    EscalationAction::SeenAloneAgreed { reason: "Asleep; agreed in supervision".into() }
)]
#[case::not_seen_alone_disagreed(
    not_alone_unagreed as OneProblem,
    EscalationAction::SeenAloneDisagreed { reason: "See her at school on Monday".into() }
)]
#[case::child_not_seen(not_seen as OneProblem, EscalationAction::VisitArranged { date: date("2026-03-12") })]
#[case::interpreter_not_used(
    interpreter_not_used as OneProblem,
    EscalationAction::ExceptionAgreed { reason: "Booked for the next visit".into() }
)]
#[case::a_family_member_interpreted(
    family_interpreted as OneProblem,
    EscalationAction::DutyCoverAssigned { duty_worker: fixed(DUTY_WORKER) }
)]
fn a_managers_answer_closes_an_escalation_about_one_visit_and_the_next_visit_raises_its_own(
    #[case] problem: OneProblem,
    #[case] answer: EscalationAction,
    // Monday 2 March, the day the plan starts, and Tuesday 10 March: the child is not overdue
    // (due by Monday 16), so only the visit is at stake.
    #[values("2026-03-02", "2026-03-10")] day: &str,
) {
    let config = patient();
    let child = child(1);
    let mut held = Vec::new();
    let first = [problem(10, day)];
    sweep_at(&mut held, &child, &first, &config, day);
    assert_eq!(held.len(), 1, "{held:?}");
    let id = held[0].id;
    ack(&mut held, id, answer.clone(), &team_manager(), day);
    let e = &held[0];
    let EscalationStatus::Closed { explanation, .. } = &e.status else {
        panic!("closed by the answer: {e:?}")
    };
    assert!(explanation.starts_with("Answered by Tara Testmanager."), "{explanation}");
    let steps: Vec<_> = e.history.iter().map(|h| (h.step.clone(), h.by_name.as_deref())).collect();
    assert_eq!(
        steps,
        [
            (EscalationStep::Raised, None),
            (EscalationStep::Acknowledged { action: answer }, Some("Tara Testmanager")),
            (EscalationStep::Closed, Some("Tara Testmanager")),
        ]
    );
    assert!(sweep_at(&mut held, &child, &first, &config, "2026-03-11").is_empty(), "not raised again");

    // The same problem at the next visit is a new escalation, open for a manager.
    let both = [problem(10, day), problem(11, "2026-03-12")];
    sweep_at(&mut held, &child, &both, &config, "2026-03-12");
    assert_eq!(held.len(), 2, "{held:?}");
    assert!(held[1].is_open() && held[1].id != id, "{:?}", held[1]);
}

#[test]
fn one_answered_before_answers_closed_it_is_closed_by_the_next_sweep_naming_the_manager() {
    let config = patient();
    let child = child(1);
    let visits = [not_alone(10, "2026-03-10", false)];
    let mut held = Vec::new();
    sweep_at(&mut held, &child, &visits, &config, "2026-03-10");
    // As an earlier version stored it: acted on, with no closing entry.
    let mut stored = acknowledge(
        &held[0],
        EscalationAction::SeenAloneAgreed { reason: "Asleep".into() },
        &team_manager(),
        date("2026-03-10"),
        utc("2026-03-10", 14),
    )
    .unwrap();
    stored.history.pop();
    stored.status = EscalationStatus::Acknowledged {
        action: EscalationAction::SeenAloneAgreed { reason: "Asleep".into() },
        by: fixed(TEAM_MANAGER),
        at: utc("2026-03-10", 14),
    };
    held[0] = stored.clone();
    let changes = sweep_at(&mut held, &child, &visits, &config, "2026-03-11");
    let e = changes.iter().map(|c| c.escalation()).find(|e| e.id == stored.id).expect("closed");
    assert!(!e.is_active());
    assert!(e.history.starts_with(&stored.history));
    assert!(
        e.history.last().unwrap().text.starts_with("Answered by Tara Testmanager on 10/03/2026."),
        "{:?}",
        e.history.last()
    );
}

#[test]
fn an_arranged_visit_where_the_child_was_not_seen_still_reopens() {
    let config = patient();
    let child = child(1);
    let mut held = Vec::new();
    sweep_at(&mut held, &child, &[], &config, "2026-03-17");
    let id = overdue_escalation(&held).id;
    ack(
        &mut held,
        id,
        EscalationAction::VisitArranged { date: date("2026-03-20") },
        &team_manager(),
        "2026-03-17",
    );
    let missed = [not_seen(10, "2026-03-20")];
    sweep_at(&mut held, &child, &missed, &config, "2026-03-24");
    let e = held.iter().find(|e| e.id == id).unwrap();
    assert!(e.is_open() && e.level == EscalationLevel::SeniorManager, "{e:?}");
}

#[rstest]
#[case::duty_cover_assigned(EscalationAction::DutyCoverAssigned { duty_worker: fixed(DUTY_WORKER) })]
#[case::an_exception_agreed(EscalationAction::ExceptionAgreed { reason: "Family away for a funeral".into() })]
fn an_acknowledgement_reopens_when_its_window_passes_with_the_child_unseen(#[case] action: EscalationAction) {
    let config = patient();
    let child = child(1);
    let mut held = Vec::new();
    sweep_at(&mut held, &child, &[], &config, "2026-03-17");
    let id = overdue_escalation(&held).id;
    // Acknowledged Tuesday 17: two working days is Thursday 19; re-opens Friday 20.
    ack(&mut held, id, action, &team_manager(), "2026-03-17");
    assert!(sweep_at(&mut held, &child, &[], &config, "2026-03-19").is_empty());
    let reopened = sweep_at(&mut held, &child, &[], &config, "2026-03-20");
    assert_eq!(reopened.len(), 1, "{reopened:?}");
    assert!(reopened[0].escalation().is_open());
    assert_eq!(reopened[0].escalation().level, EscalationLevel::SeniorManager);
}

// ---- Windows in working days. ----

#[rstest]
// A missed visit is escalated at once; two working days to acknowledge it.
#[case::raised_on_a_tuesday("2026-03-10", "2026-03-12", "2026-03-13")]
#[case::raised_on_a_thursday_the_weekend_does_not_count("2026-03-12", "2026-03-16", "2026-03-17")]
#[case::raised_the_thursday_before_the_clocks_go_forward("2026-03-26", "2026-03-30", "2026-03-31")]
#[case::raised_before_easter_good_friday_and_easter_monday_do_not_count(
    "2026-04-02",
    "2026-04-08",
    "2026-04-09"
)]
#[case::raised_before_liberation_day_9_may_does_not_count("2025-05-07", "2025-05-12", "2025-05-13")]
fn an_unacknowledged_escalation_goes_up_after_two_working_days(
    #[case] raised_on: &str,
    #[case] last_quiet_day: &str,
    #[case] goes_up_on: &str,
) {
    let mut child = child(1);
    child.plan.as_mut().unwrap().registered_on = date("2025-04-01");
    let missed = [not_seen(10, raised_on)];
    let key = EscalationReason::ChildNotSeen { visit_id: fixed(10) }.dedup_key();
    let mut held = Vec::new();
    sweep_at(&mut held, &child, &missed, &patient(), raised_on);
    let id = held.iter().find(|e| e.reason.dedup_key() == key).expect("raised at once").id;
    let quiet = sweep_at(&mut held, &child, &missed, &patient(), last_quiet_day);
    assert!(quiet.iter().all(|c| c.escalation().id != id), "{quiet:?}");
    let up = sweep_at(&mut held, &child, &missed, &patient(), goes_up_on);
    let e = up.iter().find(|c| c.escalation().id == id).expect("raised again").escalation();
    assert_eq!(e.level, EscalationLevel::SeniorManager);
    assert_eq!(e.re_raised_at, Some(utc(goes_up_on, 13)));
}

#[test]
fn at_the_top_it_is_raised_to_the_senior_manager_again_each_window() {
    let missed = [not_seen(10, "2026-03-10")];
    let child = child(1);
    let mut held = Vec::new();
    let key = EscalationReason::ChildNotSeen { visit_id: fixed(10) }.dedup_key();
    sweep_at(&mut held, &child, &missed, &patient(), "2026-03-10");
    sweep_at(&mut held, &child, &missed, &patient(), "2026-03-13"); // to the senior manager
    // Nobody answers: Tuesday 17 March (two working days after Friday 13 is Tuesday; the day
    // after, Wednesday 18) it is raised to the senior manager again.
    assert!(
        sweep_at(&mut held, &child, &missed, &patient(), "2026-03-17").iter().all(|c| c
            .escalation()
            .reason
            .dedup_key()
            != key)
    );
    let again = sweep_at(&mut held, &child, &missed, &patient(), "2026-03-18");
    let e =
        again.iter().find(|c| c.escalation().reason.dedup_key() == key).expect("re-notified").escalation();
    assert_eq!(e.level, EscalationLevel::SeniorManager);
    let raised: Vec<_> = e.history.iter().filter(|h| h.step == EscalationStep::RaisedAgain).collect();
    assert_eq!(raised.len(), 2, "{:?}", e.history);
}

// ---- History is append-only. ----

#[test]
fn every_action_is_appended_to_the_history_and_nothing_is_overwritten() {
    let config = patient();
    let child = child(1);
    let mut held = Vec::new();
    sweep_at(&mut held, &child, &[], &config, "2026-03-17");
    let id = overdue_escalation(&held).id;
    let mut before = held[0].history.clone();
    ack(
        &mut held,
        id,
        EscalationAction::VisitArranged { date: date("2026-03-18") },
        &team_manager(),
        "2026-03-17",
    );
    sweep_at(&mut held, &child, &[], &config, "2026-03-20"); // re-opened to the senior manager
    ack(
        &mut held,
        id,
        EscalationAction::ExceptionAgreed { reason: "Police visit first".into() },
        &senior_manager(),
        "2026-03-20",
    );
    let e = held.iter().find(|e| e.id == id).unwrap();
    assert!(e.history.starts_with(&before), "earlier entries unchanged");
    before = e.history.clone();
    let steps: Vec<_> = e.history.iter().map(|h| (h.step.clone(), h.level, h.by_name.clone())).collect();
    assert_eq!(
        steps,
        vec![
            (EscalationStep::Raised, EscalationLevel::TeamManager, None),
            (
                EscalationStep::Acknowledged {
                    action: EscalationAction::VisitArranged { date: date("2026-03-18") }
                },
                EscalationLevel::TeamManager,
                Some("Tara Testmanager".into())
            ),
            (EscalationStep::RaisedAgain, EscalationLevel::SeniorManager, None),
            (
                EscalationStep::Acknowledged {
                    action: EscalationAction::ExceptionAgreed { reason: "Police visit first".into() }
                },
                EscalationLevel::SeniorManager,
                Some("Sian Testsenior".into())
            ),
        ]
    );
    assert!(e.history[3].text.contains("Police visit first"));
    assert_eq!(before.len(), 4);
}

#[test]
fn an_escalation_stored_before_histories_were_kept_reads_back_with_its_history() {
    let old = serde_json::json!({
        "id": "00000000-0000-0000-0000-000000000384",
        "child_id": "00000000-0000-0000-0000-000000000001",
        "reason": {"reason": "overdue", "due": "2026-03-16", "working_days_overdue": 1, "key_worker_absent": false},
        "level": "team_manager",
        "to": "00000000-0000-0000-0000-00000000006e",
        "raised_at": "2026-03-17T13:00:00Z",
        "re_raised_at": null,
        "status": {"status": "acknowledged", "action": {"action": "visit_arranged", "date": "2026-03-18"},
                   "by": "00000000-0000-0000-0000-00000000006e", "at": "2026-03-17T14:00:00Z"}
    });
    let e: Escalation = serde_json::from_value(old).expect("old data still reads");
    let e = e.with_history(shared::clock::DEFAULT_TIME_ZONE);
    let steps: Vec<_> = e.history.iter().map(|h| h.step.clone()).collect();
    assert_eq!(
        steps,
        vec![
            EscalationStep::Raised,
            EscalationStep::Acknowledged {
                action: EscalationAction::VisitArranged { date: date("2026-03-18") }
            }
        ]
    );
    assert_eq!(e.history[1].by, Some(fixed(TEAM_MANAGER)));
}

// ---- Routing. ----

#[rstest]
#[case::to_the_named_deputy(Some(130), EscalationLevel::TeamManager, 130)]
#[case::without_a_deputy_to_the_teams_senior_manager(None, EscalationLevel::SeniorManager, SENIOR_MANAGER)]
fn while_the_team_manager_is_absent_escalations_go_to(
    #[case] deputy: Option<u128>,
    #[case] level: EscalationLevel,
    #[case] to: u128,
) {
    let mut directory = directory(&[TEAM_MANAGER]);
    directory.routing.get_mut(&fixed(TEAM)).unwrap().deputy = deputy.map(fixed);
    let changes =
        sweep_one(&child(1), &[], &[], &directory, &EscalationConfig::default(), utc("2026-03-17", 13));
    let e = changes[0].escalation();
    assert_eq!((e.level, e.to), (level, Some(fixed(to))));
}

#[test]
fn an_open_escalation_is_sent_on_when_its_manager_is_recorded_absent() {
    let mut held = Vec::new();
    sweep_at(&mut held, &child(1), &[], &EscalationConfig::default(), "2026-03-17");
    let mut away = directory(&[TEAM_MANAGER]);
    away.names.insert(fixed(TEAM_MANAGER), "Tara Testmanager".into());
    let changes = sweep_one(&child(1), &[], &held, &away, &EscalationConfig::default(), utc("2026-03-18", 9));
    assert_eq!(changes.len(), 1, "{changes:?}");
    let e = changes[0].escalation();
    assert_eq!(e.to, Some(fixed(SENIOR_MANAGER)));
    assert_eq!(*last_step(e), EscalationStep::Rerouted);
    assert!(e.history.last().unwrap().text.starts_with("Tara Testmanager is recorded absent"));
}

#[test]
fn the_senior_manager_is_the_one_configured_for_the_team_not_the_smallest_id() {
    let teams = [Team {
        id: fixed(TEAM),
        name: "Team A".into(),
        manager: Some(fixed(TEAM_MANAGER)),
        routing: TeamRouting { senior_manager: Some(fixed(122)), deputy: None },
    }];
    let workers = [worker(121, Role::SeniorManager), worker(122, Role::SeniorManager)];
    let directory = Directory::new(&teams, &workers, &[], date("2026-03-17"));
    assert_eq!(
        directory.route(EscalationLevel::SeniorManager, fixed(TEAM)),
        (EscalationLevel::SeniorManager, Some(fixed(122)))
    );
}

// ---- Only a manager closes. ----

#[rstest]
#[case::the_worker_voids_the_visit(voided(&not_alone(10, "2026-03-10", false)), "entered in error")]
#[case::the_worker_amends_the_problem_away(
    amended(&not_alone(10, "2026-03-10", false), |v| v.seen_alone = Some(SeenAlone::Yes)),
    "amended the visit (revision 2)"
)]
#[case::the_worker_ticks_manager_agreed(
    amended(&not_alone(10, "2026-03-10", false), |v| {
        v.seen_alone = Some(SeenAlone::No { reason: "Too young".into(), present: vec!["father".into()], manager_agreed: true })
    }),
    "a manager agreed"
)]
fn a_workers_change_asks_a_manager_to_confirm_and_closes_nothing(#[case] change: Visit, #[case] words: &str) {
    let original = not_alone(10, "2026-03-10", false);
    let mut held = Vec::new();
    let child = child(1);
    apply(
        &mut held,
        &sweep_one(
            &child,
            std::slice::from_ref(&original),
            &[],
            &directory(&[]),
            &patient(),
            utc("2026-03-10", 15),
        ),
    );
    let changes =
        sweep_one(&child, &[original, change], &held, &directory(&[]), &patient(), utc("2026-03-10", 16));
    assert_eq!(changes.len(), 1, "{changes:?}");
    let e = changes[0].escalation();
    assert!(e.is_open(), "still open: {e:?}");
    assert!(e.awaiting_confirmation());
    assert!(e.history.last().unwrap().text.contains(words), "{:?}", e.history.last());
    apply(&mut held, &changes);
    // The manager confirms: now it closes, naming them.
    let closed = acknowledge(
        &held[0],
        EscalationAction::CloseConfirmed { explanation: "Checked with the worker".into() },
        &team_manager(),
        date("2026-03-11"),
        utc("2026-03-11", 9),
    )
    .unwrap();
    let EscalationStatus::Closed { explanation, .. } = &closed.status else { panic!("{closed:?}") };
    assert!(explanation.contains("Tara Testmanager"), "{explanation}");
}

#[test]
fn a_visit_ticked_manager_agreed_raises_a_request_to_confirm_not_silence() {
    let changes = sweep_one(
        &child(1),
        &[not_alone(10, "2026-03-10", true)],
        &[],
        &directory(&[]),
        &patient(),
        utc("2026-03-10", 15),
    );
    assert_eq!(changes.len(), 1, "{changes:?}");
    let e = changes[0].escalation();
    assert!(matches!(e.reason, EscalationReason::NotSeenAlone { .. }));
    assert!(e.awaiting_confirmation());
    assert_eq!(e.to, Some(fixed(TEAM_MANAGER)));
}

#[test]
fn closing_is_refused_when_nothing_asked_to_close() {
    let changes = sweep_one(
        &child(1),
        &[not_seen(10, "2026-03-10")],
        &[],
        &directory(&[]),
        &patient(),
        utc("2026-03-10", 15),
    );
    let errors = acknowledge(
        changes[0].escalation(),
        EscalationAction::CloseConfirmed { explanation: "Done".into() },
        &team_manager(),
        date("2026-03-10"),
        utc("2026-03-10", 16),
    )
    .unwrap_err();
    assert_eq!(errors[0].field, "action");
}

#[test]
fn a_child_seen_late_asks_a_manager_to_confirm() {
    let mut held = Vec::new();
    let child = child(1);
    sweep_at(&mut held, &child, &[], &patient(), "2026-03-17");
    let late = [visit(10, "2026-03-18")];
    let changes = sweep_at(&mut held, &child, &late, &patient(), "2026-03-18");
    assert_eq!(changes.len(), 1, "{changes:?}");
    let e = changes[0].escalation();
    assert!(e.is_open() && e.awaiting_confirmation());
    assert!(
        e.history.last().unwrap().text.contains("seen on 18/03/2026, 2 working days after"),
        "{:?}",
        e.history
    );
}

#[rstest]
// Raised knowing of no visit; a visit on Friday 13 March (in time for Monday 16) syncs late.
#[case::a_visit_in_time_for_the_due_date_as_it_stood(10, "2026-03-13", true)]
// The plan's frequency went from 10 to 20 working days after the escalation was raised: a
// visit known before (on 2 March) does not become "in time" because of it.
#[case::a_frequency_change_is_not_a_late_sync(20, "2026-03-02", false)]
fn a_late_synced_visit_closes_it_only_when_in_time_for_the_due_date_as_raised(
    #[case] frequency: u32,
    #[case] visit_day: &str,
    #[case] closes_as_late_sync: bool,
) {
    let mut held = Vec::new();
    let mut child = child(1);
    let known: Vec<Visit> = if closes_as_late_sync { vec![] } else { vec![visit(9, visit_day)] };
    if !closes_as_late_sync {
        // Seen on 2 March, the registration day: due 16 March all the same.
        assert_eq!(sweep_at(&mut held, &child, &known, &patient(), "2026-03-17").len(), 1);
    } else {
        sweep_at(&mut held, &child, &known, &patient(), "2026-03-17");
    }
    child.plan.as_mut().unwrap().visit_frequency_working_days = frequency;
    let visits: Vec<Visit> = if closes_as_late_sync { vec![visit(10, visit_day)] } else { known };
    let changes = sweep_at(&mut held, &child, &visits, &patient(), "2026-03-18");
    let EscalationStatus::Closed { explanation, .. } = &changes[0].escalation().status else {
        panic!("{changes:?}")
    };
    assert_eq!(explanation.contains("arrived late"), closes_as_late_sync, "{explanation}");
}

#[rstest]
#[case::a_longer_frequency_means_the_child_is_not_overdue(
    20,
    "The plan now sets a visit every 20 working days (it was every 10). The child is not overdue: the next visit is due by 30/03/2026."
)]
#[case::a_shorter_frequency_moves_the_due_date_earlier(
    5,
    "The plan now sets a visit every 5 working days (it was every 10). The visit is now due by 09/03/2026: overdue by 7 working days."
)]
fn a_frequency_change_reassesses_the_escalation_and_says_why(#[case] frequency: u32, #[case] expected: &str) {
    let mut held = Vec::new();
    let mut child = child(1);
    sweep_at(&mut held, &child, &[], &patient(), "2026-03-17");
    let id = held[0].id;
    child.plan.as_mut().unwrap().visit_frequency_working_days = frequency;
    sweep_at(&mut held, &child, &[], &patient(), "2026-03-18");
    let e = held.iter().find(|e| e.id == id).unwrap();
    assert_eq!(e.history.last().unwrap().text, expected);
    assert_eq!(held.iter().filter(|e| e.is_active()).count(), usize::from(frequency < 10), "{held:?}");
}

// ---- Current figures. ----

#[rstest]
#[case::read_a_week_later_still_unseen("2026-03-24", &[], 6)]
#[case::read_after_the_child_was_seen_late("2026-03-31", &["2026-03-19"], 3)]
fn overdue_figures_are_computed_when_read(
    #[case] read_on: &str,
    #[case] seen: &[&str],
    #[case] expected: u32,
) {
    let mut held = Vec::new();
    sweep_at(&mut held, &child(1), &[], &patient(), "2026-03-17");
    let visits: Vec<Visit> = seen.iter().enumerate().map(|(i, d)| visit(20 + i as u128, d)).collect();
    let current = held[0].clone().with_current_figures(Calendar::jersey(), &visits, date(read_on));
    let EscalationReason::Overdue { working_days_overdue, .. } = current.reason else { unreachable!() };
    assert_eq!(working_days_overdue, expected);
    assert!(current.reason.describe().contains(&format!("{expected} working day")));
}

// ---- Seen alone: standing decisions. ----

fn decision(starts: &str, ends: &str) -> SeenAloneDecision {
    SeenAloneDecision {
        id: fixed(500),
        child_id: fixed(1),
        reason: "Baby, four months old".into(),
        starts_on: date(starts),
        ends_on: date(ends),
        decided_by: fixed(TEAM_MANAGER),
        decided_by_name: "Tara Testmanager".into(),
        decided_at: utc("2026-03-02", 9),
        ended: None,
    }
}

#[rstest]
#[case::a_visit_within_the_decision("2026-03-02", "2026-06-30", 0)]
#[case::a_visit_on_its_last_day("2026-03-02", "2026-03-10", 0)]
#[case::a_visit_the_day_after_it_ended("2026-03-02", "2026-03-09", 1)]
fn a_standing_decision_covers_visits_within_it(
    #[case] starts: &str,
    #[case] ends: &str,
    #[case] raised: usize,
) {
    let changes = sweep_with_decisions(
        &child(1),
        &[not_alone(10, "2026-03-10", false)],
        &[],
        &[decision(starts, ends)],
        utc("2026-03-10", 15),
    );
    assert_eq!(changes.len(), raised, "{changes:?}");
}

/// A decision from 2 March to 30 June, ended early by a manager: it covers the days before the
/// day it was ended and none after, whether that day is a bank holiday, a weekend, or the
/// Sunday the clocks go forward.
#[rstest]
#[case::the_day_before_good_friday_it_was_ended_on("2026-04-02", "2026-04-02", 0)]
#[case::good_friday_the_day_it_was_ended("2026-04-02", "2026-04-03", 1)]
#[case::easter_monday_after("2026-04-02", "2026-04-06", 1)]
#[case::the_saturday_before_the_clocks_go_forward("2026-03-28", "2026-03-28", 0)]
#[case::the_sunday_the_clocks_go_forward_it_was_ended_on("2026-03-28", "2026-03-29", 1)]
#[case::ended_before_it_began_covers_its_first_day_no_more("2026-03-01", "2026-03-02", 1)]
fn a_standing_decision_ended_early_covers_only_the_days_before(
    #[case] last_day: &str,
    #[case] visit_on: &str,
    #[case] raised: usize,
) {
    let ended = SeenAloneDecision {
        ended: Some(SeenAloneDecisionEnd {
            last_day: date(last_day),
            reason: "She is talking now".into(),
            ended_by: fixed(TEAM_MANAGER),
            ended_by_name: "Tara Testmanager".into(),
            ended_at: utc(last_day, 23),
        }),
        ..decision("2026-03-02", "2026-06-30")
    };
    let changes =
        sweep_with_decisions(&child(1), &[not_alone(10, visit_on, false)], &[], &[ended], utc(visit_on, 15));
    assert_eq!(changes.len(), raised, "{changes:?}");
}

#[test]
fn a_standing_decision_recorded_later_closes_the_open_escalation_naming_the_manager() {
    let visits = [not_alone(10, "2026-03-10", false)];
    let mut held = Vec::new();
    apply(&mut held, &sweep_with_decisions(&child(1), &visits, &[], &[], utc("2026-03-10", 15)));
    let changes = sweep_with_decisions(
        &child(1),
        &visits,
        &held,
        &[decision("2026-03-02", "2026-06-30")],
        utc("2026-03-11", 9),
    );
    let EscalationStatus::Closed { explanation, .. } = &changes[0].escalation().status else {
        panic!("{changes:?}")
    };
    assert!(explanation.starts_with("Covered by Tara Testmanager's standing decision"), "{explanation}");
}

/// A visit not seen alone: its escalation is closed as covered by a standing decision recorded
/// that afternoon, and the decision is ended the same evening (its last day the day before), so
/// it no longer covers the visit. The manager is asked again, not left with an escalation
/// closed as covered; their answer the next day stands. The same on a weekend, a bank holiday,
/// both Sundays the clocks change, and the first and last days of the plan (registered Monday
/// 2 March 2026).
#[rstest]
#[case::a_tuesday("2026-03-10", "2026-03-11", None)]
#[case::the_day_the_plan_starts("2026-03-02", "2026-03-03", None)]
#[case::a_saturday("2026-03-14", "2026-03-16", None)]
#[case::good_friday("2026-04-03", "2026-04-07", None)]
#[case::the_sunday_the_clocks_go_forward("2026-03-29", "2026-03-30", None)]
#[case::the_sunday_the_clocks_go_back("2026-10-25", "2026-10-26", None)]
#[case::the_plans_last_day("2026-03-10", "2026-03-11", Some("2026-03-10"))]
fn an_escalation_closed_as_covered_is_raised_again_when_the_decision_is_ended_that_day(
    #[case] visit_on: &str,
    #[case] answered_on: &str,
    #[case] plan_ends: Option<&str>,
) {
    let mut robin = child(1);
    robin.plan.as_mut().unwrap().deregistered_on = plan_ends.map(date);
    let visits = [not_alone(10, visit_on, false)];
    let standing = decision("2026-03-02", "2026-12-31");
    let ended = SeenAloneDecision {
        ended: Some(SeenAloneDecisionEnd {
            last_day: date(visit_on).pred_opt().unwrap(),
            reason: "She is talking now".into(),
            ended_by: fixed(TEAM_MANAGER),
            ended_by_name: "Tara Testmanager".into(),
            ended_at: utc(visit_on, 17),
        }),
        ..standing.clone()
    };
    let about_the_visit = |held: &[Escalation]| {
        held.iter().position(|e| e.reason == EscalationReason::NotSeenAlone { visit_id: fixed(10) })
    };
    let mut held = Vec::new();
    apply(&mut held, &sweep_with_decisions(&robin, &visits, &[], &[], utc(visit_on, 15)));
    let i = about_the_visit(&held).expect("raised");
    let covered = sweep_with_decisions(&robin, &visits, &held, &[standing], utc(visit_on, 16));
    apply(&mut held, &covered);
    assert!(!held[i].is_active(), "closed as covered: {held:?}");

    let changes =
        sweep_with_decisions(&robin, &visits, &held, std::slice::from_ref(&ended), utc(visit_on, 18));
    let [EscalationChange::RaisedAgain(again)] = changes.as_slice() else { panic!("{changes:?}") };
    assert!(again.is_open());
    assert_eq!(again.id, held[i].id, "the same escalation, its history kept");
    let texts: Vec<&str> = again.history.iter().map(|h| h.text.as_str()).collect();
    assert!(
        texts.iter().any(|t| t.starts_with("Covered by Tara Testmanager's standing decision")),
        "{texts:?}"
    );
    assert!(
        texts.last().unwrap().starts_with("No manager's standing decision covers this visit any longer."),
        "{texts:?}"
    );
    // Raised once: the next sweep leaves it open and says nothing more.
    apply(&mut held, &changes);
    let next = sweep_with_decisions(&robin, &visits, &held, std::slice::from_ref(&ended), utc(visit_on, 19));
    assert!(next.is_empty(), "{next:?}");

    // The manager answers it: that answer stands, though no decision covers the visit.
    let id = held[i].id;
    let agreed = EscalationAction::SeenAloneAgreed { reason: "Asleep; agreed in supervision".into() };
    ack(&mut held, id, agreed, &team_manager(), answered_on);
    assert!(!held[i].is_active());
    let later = sweep_with_decisions(&robin, &visits, &held, &[ended], utc(answered_on, 15));
    assert!(later.is_empty(), "{later:?}");
}

#[rstest]
#[case::without_a_reason(SeenAloneDecision { reason: " ".into(), ..decision("2026-03-02", "2026-06-30") }, "reason")]
#[case::ending_before_it_starts(decision("2026-03-02", "2026-03-01"), "ends_on")]
#[case::longer_than_a_year(decision("2026-03-02", "2027-03-10"), "ends_on")]
#[case::starting_in_year_one(decision("0001-01-01", "0001-12-31"), "starts_on")]
#[case::ending_in_9999(decision("2026-03-02", "9999-12-31"), "ends_on")]
fn a_standing_decision_is_checked_by_field(#[case] bad: SeenAloneDecision, #[case] field: &str) {
    let errors = validate_seen_alone_decision(&bad, date("2026-03-02")).unwrap_err();
    assert_eq!(errors[0].field, field);
}

// ---- Interpreting. ----

#[test]
fn a_family_member_interpreting_goes_to_the_team_manager() {
    let changes = sweep_one(
        &child(1),
        &[family_interpreted(10, "2026-03-10")],
        &[],
        &directory(&[]),
        &patient(),
        utc("2026-03-10", 15),
    );
    assert_eq!(changes.len(), 1, "{changes:?}");
    let e = changes[0].escalation();
    assert_eq!(e.reason, EscalationReason::FamilyMemberInterpreted { visit_id: fixed(10) });
    assert_eq!(e.to, Some(fixed(TEAM_MANAGER)));
}

#[test]
fn interpreter_not_used_is_raised_only_when_the_child_was_seen() {
    let unseen = fixtures::not_seen(interpreter_not_used(10, "2026-03-10"), "No answer");
    let changes = sweep_one(&child(1), &[unseen], &[], &directory(&[]), &patient(), utc("2026-03-10", 15));
    let keys: Vec<_> = changes.iter().map(|c| c.escalation().reason.dedup_key()).collect();
    assert_eq!(keys, vec![format!("not_seen:{}", VisitId::from(uuid::Uuid::from_u128(10)))]);
}

// ---- Go-live. ----

fn go_live_config() -> EscalationConfig {
    EscalationConfig { go_live: Some(date("2026-06-01")), ..EscalationConfig::default() }
}

#[rstest]
// Plan from 2 March, nothing recorded here or imported: one prompt to the team manager, not a
// senior escalation for being 60 working days overdue.
#[case::no_history_and_no_imported_date(None, Some(("go_live", EscalationLevel::TeamManager)))]
// Last seen centrally on Friday 29 May: due 10 working days on, Friday 12 June; nothing yet.
#[case::an_imported_last_seen_date_starts_the_schedule(Some("2026-05-29"), None)]
// Last seen centrally on 1 May: due Monday 18 May (Liberation Day is a Saturday in 2026);
// 11 working days overdue on 2 June, so a senior manager is told.
#[case::an_imported_date_long_ago_is_overdue_as_usual(Some("2026-05-01"), Some(("overdue:2026-05-18", EscalationLevel::SeniorManager)))]
fn at_go_live(#[case] imported: Option<&str>, #[case] expected: Option<(&str, EscalationLevel)>) {
    let mut child = child(1);
    child.plan.as_mut().unwrap().seen_before_go_live =
        imported.map(|d| SeenBeforeGoLive { last_seen: Some(date(d)), last_seen_alone: None });
    let changes = sweep_one(&child, &[], &[], &directory(&[]), &go_live_config(), utc("2026-06-02", 13));
    let found: Vec<_> =
        changes.iter().map(|c| (c.escalation().reason.dedup_key(), c.escalation().level)).collect();
    let expected: Vec<_> = expected.into_iter().map(|(k, l)| (k.to_owned(), l)).collect();
    assert_eq!(found, expected);
}

#[test]
fn the_go_live_prompt_closes_once_the_child_is_seen_here() {
    let mut held = Vec::new();
    let config = go_live_config();
    apply(&mut held, &sweep_one(&child(1), &[], &[], &directory(&[]), &config, utc("2026-06-02", 13)));
    let seen = [visit(10, "2026-06-03")];
    let changes = sweep_one(&child(1), &seen, &held, &directory(&[]), &config, utc("2026-06-03", 15));
    let EscalationStatus::Closed { explanation, .. } = &changes[0].escalation().status else {
        panic!("{changes:?}")
    };
    assert!(explanation.contains("03/06/2026"), "{explanation}");
}

#[test]
fn a_plan_that_starts_after_go_live_is_escalated_as_usual() {
    let mut child = child(1);
    child.plan.as_mut().unwrap().registered_on = date("2026-06-01");
    // Due 15 June; overdue by 6 working days on 23 June: a senior manager.
    let changes = sweep_one(&child, &[], &[], &directory(&[]), &go_live_config(), utc("2026-06-23", 13));
    assert_eq!(changes[0].escalation().level, EscalationLevel::SeniorManager);
}

// ---- The plan's timeline (issue 11): core groups and reviews escalate like a missed visit. ----

mod plan_timeline {
    use super::*;
    use shared::timeline::MeetingKind;

    /// Child 1 with the ICPC on the day the plan started, Monday 2 March 2026: the first core
    /// group is due by Monday 16 March, the first review by Tuesday 2 June.
    fn child_with_icpc() -> Child {
        let mut child = child(1);
        child.plan.as_mut().unwrap().details.initial_conference_on = Some(date("2026-03-02"));
        child
    }

    fn sweep_on(
        held: &mut Vec<Escalation>,
        child: &Child,
        visits: &[Visit],
        meetings: &[shared::timeline::PlanMeeting],
        day: &str,
    ) -> Vec<EscalationChange> {
        let changes = sweep_with_meetings(child, visits, held, meetings, &patient(), utc(day, 13));
        apply(held, &changes);
        changes
    }

    fn about(held: &[Escalation], kind: MeetingKind) -> Option<&Escalation> {
        held.iter().find(
            |e| matches!(e.reason, EscalationReason::PlanMeetingOverdue { meeting, .. } if meeting == kind),
        )
    }

    #[test]
    fn a_missed_core_group_escalates_to_the_team_manager_the_day_after_it_was_due() {
        let child = child_with_icpc();
        let seen = [visit(500, "2026-03-13")];
        let mut held = Vec::new();
        sweep_on(&mut held, &child, &seen, &[], "2026-03-16");
        assert!(about(&held, MeetingKind::CoreGroup).is_none(), "due today is not overdue");
        sweep_on(&mut held, &child, &seen, &[], "2026-03-17");
        let e = about(&held, MeetingKind::CoreGroup).expect("raised");
        assert_eq!(e.level, EscalationLevel::TeamManager);
        assert!(!e.history[0].text.contains("No initial conference date"), "{}", e.history[0].text);
        assert!(
            e.reason.describe().contains("Core group meeting overdue by 1 working day"),
            "{}",
            e.reason.describe()
        );
        assert!(about(&held, MeetingKind::ReviewConference).is_none());
    }

    #[test]
    fn a_plan_imported_without_its_icpc_date_still_escalates_a_missed_core_group() {
        // Until 1 December 2026 such a plan had no timeline at all: a core group never held was
        // never escalated. It is now counted from the day the plan started.
        let child = child(1);
        assert_eq!(child.plan.as_ref().unwrap().details.initial_conference_on, None);
        let seen = [visit(500, "2026-03-13")];
        let mut held = Vec::new();
        sweep_on(&mut held, &child, &seen, &[], "2026-03-16");
        assert!(about(&held, MeetingKind::CoreGroup).is_none(), "due today is not overdue");
        sweep_on(&mut held, &child, &seen, &[], "2026-03-17");
        let e = about(&held, MeetingKind::CoreGroup).expect("raised, though no ICPC date was imported");
        assert_eq!(e.level, EscalationLevel::TeamManager);
        assert!(e.reason.describe().contains("it was due by 16/03/2026"), "{}", e.reason.describe());
        assert!(
            e.history[0].text.ends_with(
                "No initial conference date is recorded: counted from the plan's start, 02/03/2026."
            ),
            "the manager is told what the date was counted from: {}",
            e.history[0].text
        );
        // Held late: a manager confirms before it closes, as with an ICPC date.
        let late = [meeting(900, MeetingKind::CoreGroup, "2026-03-18")];
        sweep_on(&mut held, &child, &seen, &late, "2026-03-18");
        assert!(about(&held, MeetingKind::CoreGroup).unwrap().awaiting_confirmation());
    }

    #[test]
    fn a_core_group_held_late_asks_a_manager_to_confirm_before_it_closes() {
        let child = child_with_icpc();
        let seen = [visit(500, "2026-03-13")];
        let mut held = Vec::new();
        sweep_on(&mut held, &child, &seen, &[], "2026-03-17");
        let late = [meeting(900, MeetingKind::CoreGroup, "2026-03-18")];
        sweep_on(&mut held, &child, &seen, &late, "2026-03-18");
        let e = about(&held, MeetingKind::CoreGroup).unwrap();
        assert!(e.is_open(), "only a manager closes");
        assert!(e.awaiting_confirmation());
        assert!(matches!(last_step(e), EscalationStep::ConfirmationAsked));
    }

    #[test]
    fn a_core_group_held_late_after_a_manager_acted_closes_naming_them() {
        let child = child_with_icpc();
        let seen = [visit(500, "2026-03-13")];
        let mut held = Vec::new();
        sweep_on(&mut held, &child, &seen, &[], "2026-03-17");
        let id = about(&held, MeetingKind::CoreGroup).unwrap().id;
        let booked = EscalationAction::ExceptionAgreed { reason: "The chair is booked for Thursday".into() };
        ack(&mut held, id, booked, &team_manager(), "2026-03-17");
        let late = [meeting(900, MeetingKind::CoreGroup, "2026-03-19")];
        sweep_on(&mut held, &child, &seen, &late, "2026-03-19");
        let e = about(&held, MeetingKind::CoreGroup).unwrap();
        let EscalationStatus::Closed { explanation, .. } = &e.status else { panic!("closed: {e:?}") };
        assert_eq!(
            explanation,
            "The core group meeting was held on 19/03/2026, 3 working days after it was due by 16/03/2026. \
             Tara Testmanager had acted on it on 17/03/2026."
        );
        assert!(matches!(last_step(e), EscalationStep::Closed));
    }

    #[test]
    fn a_core_group_held_in_time_but_recorded_late_closes_the_escalation() {
        let child = child_with_icpc();
        let seen = [visit(500, "2026-03-13")];
        let mut held = Vec::new();
        sweep_on(&mut held, &child, &seen, &[], "2026-03-17");
        let in_time = [meeting(900, MeetingKind::CoreGroup, "2026-03-16")];
        sweep_on(&mut held, &child, &seen, &in_time, "2026-03-18");
        let e = about(&held, MeetingKind::CoreGroup).unwrap();
        assert!(!e.is_active());
        assert!(e.history.len() >= 2, "the history is appended to, not rewritten");
    }

    #[test]
    fn an_unacknowledged_core_group_escalation_goes_up_a_level() {
        let child = child_with_icpc();
        let seen = [visit(500, "2026-03-13")];
        let mut held = Vec::new();
        sweep_on(&mut held, &child, &seen, &[], "2026-03-17");
        // Two working days to acknowledge: Wednesday 18 and Thursday 19; up on Friday 20.
        sweep_on(&mut held, &child, &seen, &[], "2026-03-19");
        assert_eq!(about(&held, MeetingKind::CoreGroup).unwrap().level, EscalationLevel::TeamManager);
        sweep_on(&mut held, &child, &seen, &[], "2026-03-20");
        let e = about(&held, MeetingKind::CoreGroup).unwrap();
        assert_eq!(e.level, EscalationLevel::SeniorManager);
        assert!(matches!(last_step(e), EscalationStep::RaisedAgain));
    }

    #[test]
    fn a_review_overdue_by_more_than_the_senior_threshold_goes_to_a_senior_manager() {
        let mut child = child_with_icpc();
        child.plan.as_mut().unwrap().details.latest_core_group = Some(date("2026-06-01"));
        let seen = [visit(500, "2026-06-05")];
        let config = EscalationConfig::default();
        let changes = sweep_with_meetings(&child, &seen, &[], &[], &config, utc("2026-06-12", 13));
        let held: Vec<Escalation> = changes.into_iter().map(EscalationChange::into_escalation).collect();
        let e = about(&held, MeetingKind::ReviewConference).expect("the review was due by Tuesday 2 June");
        assert_eq!(e.level, EscalationLevel::SeniorManager, "8 working days overdue is more than 5");
        assert!(about(&held, MeetingKind::CoreGroup).is_none());
    }

    #[test]
    fn a_manager_reads_how_long_a_meeting_has_been_overdue_as_of_today() {
        let child = child_with_icpc();
        let seen = [visit(500, "2026-03-13")];
        let mut held = Vec::new();
        sweep_on(&mut held, &child, &seen, &[], "2026-03-17");
        let e = about(&held, MeetingKind::CoreGroup).unwrap().clone();
        // Due Monday 16 March; read on Monday 23 March: five working days.
        let now = e.with_current_figures(Calendar::jersey(), &seen, date("2026-03-23"));
        assert!(
            matches!(now.reason, EscalationReason::PlanMeetingOverdue { working_days_overdue: 5, .. }),
            "{:?}",
            now.reason
        );
    }

    #[test]
    fn the_end_of_the_plan_closes_its_meeting_escalations_and_taken_back_reopens_them() {
        // Until 1 December 2026 a closed meeting escalation for the same due date was never
        // raised again: with the plan's end corrected away, the missed core group went silent.
        let mut child = child_with_icpc();
        let seen = [visit(500, "2026-03-13")];
        let mut held = Vec::new();
        sweep_on(&mut held, &child, &seen, &[], "2026-03-17");
        child.plan.as_mut().unwrap().deregistered_on = Some(date("2026-03-18"));
        sweep_on(&mut held, &child, &seen, &[], "2026-03-19");
        assert!(!about(&held, MeetingKind::CoreGroup).unwrap().is_active(), "closed by the plan's end");
        child.plan.as_mut().unwrap().deregistered_on = None;
        sweep_on(&mut held, &child, &seen, &[], "2026-03-20");
        let e = about(&held, MeetingKind::CoreGroup).unwrap();
        assert!(e.is_open(), "{:?}", e.history);
        assert!(matches!(last_step(e), EscalationStep::RaisedAgain), "{:#?}", e.history);
        assert!(
            e.history.last().unwrap().text.starts_with(
                "Core group meeting overdue again for the due date of 16/03/2026: what closed it no longer holds."
            ),
            "{}",
            e.history.last().unwrap().text
        );
        assert_eq!(held.iter().filter(|e| e.is_active()).count(), 1, "re-opened, not raised twice: {held:?}");
    }
}

/// Supervision of the case, escalated like a missed visit (the audit found one file with no
/// supervision since 2013). Child 1's plan starts on Monday 2 March 2026; with no supervision
/// recorded, the first is due a month later, by Thursday 2 April, the day before Good Friday.
mod supervision {
    use super::*;

    fn sweep_on(
        held: &mut Vec<Escalation>,
        child: &Child,
        supervisions: &[shared::timeline::Supervision],
        config: &EscalationConfig,
        day: &str,
    ) -> Vec<EscalationChange> {
        // Seen every week and the plan's meetings held, so only supervision is at stake.
        let seen = seen_every_week();
        let meetings = meetings_held_on_time(child, date(day));
        let changes = sweep_with_timeline(
            child,
            &seen,
            held,
            &meetings,
            supervisions,
            &[],
            config,
            &directory(&[]),
            utc(day, 13),
        );
        apply(held, &changes);
        changes
    }

    fn about(held: &[Escalation]) -> Option<&Escalation> {
        held.iter().find(|e| matches!(e.reason, EscalationReason::SupervisionOverdue { .. }))
    }

    fn only_supervision(held: &[Escalation]) {
        assert!(
            held.iter().all(|e| matches!(e.reason, EscalationReason::SupervisionOverdue { .. })),
            "nothing else is overdue: {held:?}"
        );
    }

    #[test]
    fn a_case_never_supervised_escalates_to_the_team_manager_the_day_after_it_was_due() {
        let child = child(1);
        let mut held = Vec::new();
        sweep_on(&mut held, &child, &[], &patient(), "2026-04-02");
        assert!(about(&held).is_none(), "due today is not overdue");
        // Good Friday, a bank holiday: the sweep runs and the case is overdue.
        sweep_on(&mut held, &child, &[], &patient(), "2026-04-03");
        only_supervision(&held);
        let e = about(&held).expect("raised the day after it was due");
        assert_eq!((e.level, e.to), (EscalationLevel::TeamManager, Some(fixed(TEAM_MANAGER))));
        assert!(
            matches!(e.reason, EscalationReason::SupervisionOverdue { due, .. } if due == date("2026-04-02")),
            "{:?}",
            e.reason
        );
        assert_eq!(
            e.history[0].text,
            "Supervision of the case overdue by 1 working day: it was due by 02/04/2026. Raised to the team manager."
        );
        // Sweeping again the same day raises nothing twice.
        assert!(sweep_on(&mut held, &child, &[], &patient(), "2026-04-03").is_empty());
    }

    #[rstest]
    // A month after Friday 6 March is Easter Monday; Good Friday before it is a holiday too.
    #[case::a_month_on_is_easter_monday("2026-03-06", "2026-04-02")]
    // A month after Saturday 31 January is clamped to Saturday 28 February: the Friday before.
    #[case::a_month_on_is_the_end_of_february("2026-01-31", "2026-02-27")]
    // A month after Tuesday 9 April 2024 is Liberation Day, Thursday 9 May: Wednesday 8 May.
    #[case::a_month_on_is_liberation_day("2024-04-09", "2024-05-08")]
    // A month after Friday 27 February is Friday 27 March, the weekend the clocks go forward.
    #[case::the_weekend_the_clocks_go_forward("2026-02-27", "2026-03-27")]
    fn the_next_supervision_is_due_by_the_last_working_day_a_month_on(
        #[case] held_on: &str,
        #[case] due: &str,
    ) {
        let mut child = child(1);
        child.plan.as_mut().unwrap().registered_on = date("2024-01-02");
        let last = [supervision(800, held_on)];
        let day_after = Calendar::jersey().add_working_days(date(due), 1).to_string();
        let mut held = Vec::new();
        sweep_on(&mut held, &child, &last, &patient(), due);
        assert!(about(&held).is_none(), "not overdue on {due}, the day it is due");
        sweep_on(&mut held, &child, &last, &patient(), &day_after);
        let e = about(&held).unwrap_or_else(|| panic!("overdue on {day_after}"));
        assert!(
            matches!(e.reason, EscalationReason::SupervisionOverdue { due: d, .. } if d == date(due)),
            "{:?}",
            e.reason
        );
    }

    #[test]
    fn supervision_held_late_asks_a_manager_to_confirm_and_held_in_time_closes() {
        let child = child(1);
        let mut late = Vec::new();
        sweep_on(&mut late, &child, &[], &patient(), "2026-04-07");
        sweep_on(&mut late, &child, &[supervision(800, "2026-04-07")], &patient(), "2026-04-07");
        let e = about(&late).unwrap();
        assert!(e.is_open(), "only a manager closes");
        assert!(matches!(last_step(e), EscalationStep::ConfirmationAsked));
        assert!(
            e.history.last().unwrap().text.starts_with(
                "The supervision of the case was held on 07/04/2026, 1 working day after it was due by 02/04/2026."
            ),
            "{}",
            e.history.last().unwrap().text
        );

        // Held on the day it was due, recorded after the sweep raised it: closes, saying so.
        let mut in_time = Vec::new();
        sweep_on(&mut in_time, &child, &[], &patient(), "2026-04-07");
        sweep_on(&mut in_time, &child, &[supervision(800, "2026-04-02")], &patient(), "2026-04-08");
        let e = about(&in_time).unwrap();
        assert!(!e.is_active());
        assert_eq!(
            e.history.last().unwrap().text,
            "A supervision of the case on 02/04/2026, in time for 02/04/2026, was recorded."
        );
    }

    #[test]
    fn a_team_manager_who_neither_supervises_nor_acknowledges_is_raised_to_a_senior_manager() {
        let child = child(1);
        let mut held = Vec::new();
        // Raised on Tuesday 7 April (after Easter Monday). Two working days: 8 and 9; up on the 10th.
        sweep_on(&mut held, &child, &[], &patient(), "2026-04-07");
        sweep_on(&mut held, &child, &[], &patient(), "2026-04-09");
        assert_eq!(about(&held).unwrap().level, EscalationLevel::TeamManager);
        sweep_on(&mut held, &child, &[], &patient(), "2026-04-10");
        let e = about(&held).unwrap();
        assert_eq!((e.level, e.to), (EscalationLevel::SeniorManager, Some(fixed(SENIOR_MANAGER))));
        assert!(matches!(last_step(e), EscalationStep::RaisedAgain));
    }

    #[test]
    fn an_acknowledgement_without_a_supervision_reopens_one_level_up_saying_so() {
        let child = child(1);
        let mut held = Vec::new();
        sweep_on(&mut held, &child, &[], &patient(), "2026-04-07");
        let id = about(&held).unwrap().id;
        let booked = EscalationAction::ExceptionAgreed { reason: "Supervision booked for Thursday".into() };
        ack(&mut held, id, booked, &team_manager(), "2026-04-07");
        // Two working days' window from Tuesday 7 April: re-opens on Friday 10 April.
        sweep_on(&mut held, &child, &[], &patient(), "2026-04-09");
        assert!(!about(&held).unwrap().is_open(), "acknowledged, within its window");
        sweep_on(&mut held, &child, &[], &patient(), "2026-04-10");
        let e = about(&held).unwrap();
        assert!(e.is_open());
        assert_eq!(e.level, EscalationLevel::SeniorManager);
        let words = &e.history.last().unwrap().text;
        assert!(words.contains("no supervision of the case has been recorded"), "{words}");
        assert!(!words.contains("child"), "not about seeing the child: {words}");
    }

    #[test]
    fn overdue_by_more_than_the_senior_threshold_goes_to_a_senior_manager() {
        let child = child(1);
        // Due Thursday 2 April; Monday 13 April is 5 working days on (Good Friday and Easter
        // Monday are holidays), Tuesday 14 April is 6: more than 5.
        let config = EscalationConfig::default();
        let mut held = Vec::new();
        sweep_on(&mut held, &child, &[], &config, "2026-04-14");
        let e = about(&held).unwrap();
        assert_eq!(e.level, EscalationLevel::SeniorManager);
        assert!(
            matches!(e.reason, EscalationReason::SupervisionOverdue { working_days_overdue: 6, .. }),
            "{:?}",
            e.reason
        );
    }

    #[test]
    fn a_visit_or_duty_cover_does_not_answer_it_and_an_agreement_does() {
        let child = child(1);
        let mut held = Vec::new();
        sweep_on(&mut held, &child, &[], &patient(), "2026-04-07");
        let e = about(&held).unwrap().clone();
        for wrong in [
            EscalationAction::VisitArranged { date: date("2026-04-08") },
            EscalationAction::DutyCoverAssigned { duty_worker: fixed(DUTY_WORKER) },
        ] {
            let errors = acknowledge(&e, wrong, &team_manager(), date("2026-04-07"), utc("2026-04-07", 14))
                .expect_err("refused");
            assert_eq!(errors[0].field, "action", "{errors:?}");
        }
        let agreed = EscalationAction::ExceptionAgreed { reason: "Supervision booked for Thursday".into() };
        let done =
            acknowledge(&e, agreed, &team_manager(), date("2026-04-07"), utc("2026-04-07", 14)).unwrap();
        assert!(!done.is_open());
    }

    #[test]
    fn at_go_live_the_central_systems_latest_supervision_counts_and_without_it_the_case_escalates() {
        // A plan from 2024, taken on when the service went live on Monday 30 March 2026.
        let mut child = child(1);
        child.plan.as_mut().unwrap().registered_on = date("2024-06-03");
        let mut imported = child.clone();
        imported.plan.as_mut().unwrap().details.latest_supervision = Some(date("2026-03-16"));

        // Supervised on 16 March, as the central system says: due by Thursday 16 April.
        let mut held = Vec::new();
        sweep_on(&mut held, &imported, &[], &patient(), "2026-04-16");
        assert!(about(&held).is_none(), "the imported supervision counts");
        sweep_on(&mut held, &imported, &[], &patient(), "2026-04-17");
        let e = about(&held).expect("overdue the day after");
        assert!(
            matches!(e.reason, EscalationReason::SupervisionOverdue { due, .. } if due == date("2026-04-16"))
        );
        // One recorded here later than the imported date counts instead.
        sweep_on(&mut held, &imported, &[supervision(800, "2026-04-17")], &patient(), "2026-04-17");
        assert!(about(&held).unwrap().awaiting_confirmation());

        // Without the date, nothing shows it was ever supervised: told at once.
        let mut held = Vec::new();
        sweep_on(&mut held, &child, &[], &patient(), "2026-03-30");
        assert!(about(&held).is_some(), "a case with no supervision on record is not left silent");
    }

    #[test]
    fn the_end_of_the_plan_closes_it() {
        let mut child = child(1);
        let mut held = Vec::new();
        sweep_on(&mut held, &child, &[], &patient(), "2026-04-07");
        child.plan.as_mut().unwrap().deregistered_on = Some(date("2026-04-08"));
        sweep_on(&mut held, &child, &[], &patient(), "2026-04-09");
        let e = about(&held).unwrap();
        assert!(!e.is_active());
        assert_eq!(e.history.last().unwrap().text, "The child protection plan ended on 08/04/2026.");
        // The end was recorded in error and taken back: still not supervised, so told again.
        child.plan.as_mut().unwrap().deregistered_on = None;
        sweep_on(&mut held, &child, &[], &patient(), "2026-04-10");
        let e = about(&held).unwrap();
        assert!(e.is_open());
        assert!(matches!(last_step(e), EscalationStep::RaisedAgain));
    }

    #[test]
    fn a_manager_reads_how_long_it_has_been_overdue_as_of_today() {
        let child = child(1);
        let mut held = Vec::new();
        sweep_on(&mut held, &child, &[], &patient(), "2026-04-03");
        let e = about(&held).unwrap().clone();
        // Due Thursday 2 April; read on Thursday 9 April: 3 working days (Easter in between).
        let now = e.with_current_figures(Calendar::jersey(), &[], date("2026-04-09"));
        assert!(
            matches!(now.reason, EscalationReason::SupervisionOverdue { working_days_overdue: 3, .. }),
            "{:?}",
            now.reason
        );
    }
}

/// Actions agreed at a meeting or in supervision, escalated when they pass their due date not
/// done: the drift the audit found nobody challenged. Child 1's plan starts on Monday 2 March
/// 2026; its core group on Friday 13 March agrees an action for the school.
mod agreed_actions {
    use super::*;
    use shared::timeline::{ActionDone, AgreedAction, MeetingKind, PlanMeeting};

    fn core_group_agreeing(due: &str, held_on: &str) -> PlanMeeting {
        PlanMeeting {
            actions: vec![AgreedAction {
                id: fixed(700),
                description: "Report attendance to the social worker every Friday".into(),
                owner: "School".into(),
                due_on: date(due),
            }],
            ..meeting(650, MeetingKind::CoreGroup, held_on)
        }
    }

    fn done(day: &str) -> ActionDone {
        ActionDone {
            action_id: fixed(700),
            child_id: fixed(1),
            done_on: date(day),
            note: None,
            by: fixed(KEY_WORKER),
            by_name: "Jo Testworker".into(),
            at: utc(day, 17),
        }
    }

    fn sweep_on(
        held: &mut Vec<Escalation>,
        child: &Child,
        agreed: &PlanMeeting,
        marked: &[ActionDone],
        config: &EscalationConfig,
        day: &str,
    ) -> Vec<EscalationChange> {
        // Seen every week, and the plan's meetings and supervision held in time, so only the
        // action is at stake.
        let seen = seen_every_week();
        let mut meetings = meetings_held_on_time(child, date(day));
        meetings.push(agreed.clone());
        let supervisions = supervisions_held_on_time(child, date(day));
        let changes = sweep_with_timeline(
            child,
            &seen,
            held,
            &meetings,
            &supervisions,
            marked,
            config,
            &directory(&[]),
            utc(day, 13),
        );
        apply(held, &changes);
        changes
    }

    fn about(held: &[Escalation]) -> Option<&Escalation> {
        held.iter().find(|e| matches!(e.reason, EscalationReason::ActionOverdue { .. }))
    }

    #[test]
    fn an_action_not_done_by_its_due_date_goes_to_the_team_manager_the_day_after_naming_it() {
        let child = child(1);
        // Due Friday 27 March, the weekend the clocks go forward.
        let agreed = core_group_agreeing("2026-03-27", "2026-03-13");
        let mut held = Vec::new();
        sweep_on(&mut held, &child, &agreed, &[], &patient(), "2026-03-27");
        assert!(about(&held).is_none(), "due today is not overdue");
        sweep_on(&mut held, &child, &agreed, &[], &patient(), "2026-03-30");
        assert_eq!(held.len(), 1, "nothing else is overdue: {held:?}");
        let e = about(&held).expect("raised");
        assert_eq!((e.level, e.to), (EscalationLevel::TeamManager, Some(fixed(TEAM_MANAGER))));
        assert_eq!(
            e.reason,
            EscalationReason::ActionOverdue {
                action_id: fixed(700),
                due: date("2026-03-27"),
                working_days_overdue: 1,
                in_supervision: false
            }
        );
        // What a webhook relays (the reason's words) carries dates only; the history, for the
        // manager, says which action and who owns it.
        assert_eq!(
            e.reason.describe(),
            "An action agreed on the plan is overdue by 1 working day: it was due by 27/03/2026."
        );
        assert!(
            e.history[0].text.ends_with(
                "Agreed at the core group meeting of 13/03/2026: \"Report attendance to the social worker every \
                 Friday\", owned by School."
            ),
            "{}",
            e.history[0].text
        );
        assert!(
            sweep_on(&mut held, &child, &agreed, &[], &patient(), "2026-03-30").is_empty(),
            "raised once"
        );
    }

    #[test]
    fn due_before_easter_it_is_one_working_day_overdue_on_the_tuesday_after() {
        let child = child(1);
        let agreed = core_group_agreeing("2026-04-02", "2026-03-13");
        let mut held = Vec::new();
        sweep_on(&mut held, &child, &agreed, &[], &EscalationConfig::default(), "2026-04-07");
        let e = about(&held).unwrap();
        assert!(
            matches!(e.reason, EscalationReason::ActionOverdue { working_days_overdue: 1, .. }),
            "{:?}",
            e.reason
        );
        assert_eq!(
            e.level,
            EscalationLevel::TeamManager,
            "Good Friday and Easter Monday are not working days"
        );
    }

    #[test]
    fn done_in_time_but_marked_late_closes_and_done_late_asks_a_manager_to_confirm() {
        let child = child(1);
        let agreed = core_group_agreeing("2026-03-27", "2026-03-13");
        let mut in_time = Vec::new();
        sweep_on(&mut in_time, &child, &agreed, &[], &patient(), "2026-03-30");
        sweep_on(&mut in_time, &child, &agreed, &[done("2026-03-27")], &patient(), "2026-03-31");
        let e = about(&in_time).unwrap();
        assert!(!e.is_active());
        assert_eq!(
            e.history.last().unwrap().text,
            "The action was marked done on 27/03/2026, in time for 27/03/2026."
        );

        let mut late = Vec::new();
        sweep_on(&mut late, &child, &agreed, &[], &patient(), "2026-03-30");
        sweep_on(&mut late, &child, &agreed, &[done("2026-03-31")], &patient(), "2026-03-31");
        let e = about(&late).unwrap();
        assert!(e.is_open(), "only a manager closes");
        assert!(matches!(last_step(e), EscalationStep::ConfirmationAsked));
        assert!(e.history.last().unwrap().text.contains("2 working days after it was due by 27/03/2026"));
    }

    #[test]
    fn done_late_over_easter_after_a_manager_acted_closes_naming_them() {
        let child = child(1);
        // Due Thursday 2 April; Good Friday and Easter Monday are bank holidays.
        let agreed = core_group_agreeing("2026-04-02", "2026-03-13");
        let mut held = Vec::new();
        sweep_on(&mut held, &child, &agreed, &[], &patient(), "2026-04-07");
        let id = about(&held).unwrap().id;
        let chased = EscalationAction::ExceptionAgreed { reason: "Chased the school".into() };
        ack(&mut held, id, chased, &team_manager(), "2026-04-07");
        sweep_on(&mut held, &child, &agreed, &[done("2026-04-08")], &patient(), "2026-04-08");
        let e = about(&held).unwrap();
        assert!(!e.is_active(), "{e:?}");
        assert_eq!(
            e.history.last().unwrap().text,
            "The action was marked done on 08/04/2026, 2 working days after it was due by 02/04/2026. Tara \
             Testmanager had acted on it on 07/04/2026."
        );
    }

    #[test]
    fn acknowledged_and_still_not_done_it_reopens_one_level_up_saying_so() {
        let child = child(1);
        let agreed = core_group_agreeing("2026-03-27", "2026-03-13");
        let mut held = Vec::new();
        sweep_on(&mut held, &child, &agreed, &[], &patient(), "2026-03-30");
        let id = about(&held).unwrap().id;
        let chased =
            EscalationAction::ExceptionAgreed { reason: "Chased the school; report promised".into() };
        ack(&mut held, id, chased, &team_manager(), "2026-03-30");
        sweep_on(&mut held, &child, &agreed, &[], &patient(), "2026-04-01");
        assert!(!about(&held).unwrap().is_open(), "within its window");
        sweep_on(&mut held, &child, &agreed, &[], &patient(), "2026-04-02");
        let e = about(&held).unwrap();
        assert!(e.is_open());
        assert_eq!(e.level, EscalationLevel::SeniorManager);
        assert!(
            e.history.last().unwrap().text.contains("the action has not been marked done"),
            "{:?}",
            e.history
        );
    }

    #[test]
    fn overdue_by_more_than_the_senior_threshold_goes_to_a_senior_manager() {
        let child = child(1);
        let agreed = core_group_agreeing("2026-03-27", "2026-03-13");
        let config = EscalationConfig::default();
        let mut held = Vec::new();
        // Friday 27 March to Monday 6 April (Easter Monday): Monday to Thursday, 4 working days.
        sweep_on(&mut held, &child, &agreed, &[], &config, "2026-04-06");
        assert_eq!(about(&held).unwrap().level, EscalationLevel::TeamManager);
        // Thursday 9 April: 7 working days, more than 5.
        sweep_on(&mut held, &child, &agreed, &[], &config, "2026-04-09");
        let e = about(&held).unwrap();
        assert_eq!(e.level, EscalationLevel::SeniorManager);
        assert!(matches!(last_step(e), EscalationStep::RaisedAgain));
    }

    #[test]
    fn an_action_agreed_on_an_earlier_plan_is_not_followed_and_the_plans_end_closes_one() {
        let mut child = child(1);
        let earlier = core_group_agreeing("2026-02-20", "2026-02-06");
        let mut held = Vec::new();
        sweep_on(&mut held, &child, &earlier, &[], &patient(), "2026-03-30");
        assert!(about(&held).is_none(), "agreed before this plan started on 2 March");

        let agreed = core_group_agreeing("2026-03-27", "2026-03-13");
        sweep_on(&mut held, &child, &agreed, &[], &patient(), "2026-03-30");
        child.plan.as_mut().unwrap().deregistered_on = Some(date("2026-03-31"));
        sweep_on(&mut held, &child, &agreed, &[], &patient(), "2026-04-01");
        assert_eq!(
            about(&held).unwrap().history.last().unwrap().text,
            "The child protection plan ended on 31/03/2026."
        );
        // The end taken back, the action still not done: told again, not left closed.
        child.plan.as_mut().unwrap().deregistered_on = None;
        sweep_on(&mut held, &child, &agreed, &[], &patient(), "2026-04-02");
        let e = about(&held).unwrap();
        assert!(e.is_open());
        assert_eq!(
            e.history.last().unwrap().text,
            "An agreed action overdue again: what closed it no longer holds. Raised again to the team manager."
        );
    }

    #[test]
    fn a_new_plan_closes_one_agreed_on_the_plan_before_and_follows_one_agreed_on_its_first_day() {
        // The first plan (from Monday 2 March) gives way to a new one from Monday 30 March, the
        // working day after Friday 27 March.
        let mut child = child(1);
        let agreed = core_group_agreeing("2026-03-20", "2026-03-06");
        let mut held = Vec::new();
        sweep_on(&mut held, &child, &agreed, &[], &patient(), "2026-03-27");
        assert!(about(&held).unwrap().is_open(), "overdue on the plan in force");
        let plan = child.plan.as_mut().unwrap();
        plan.registered_on = date("2026-03-30");
        plan.details.initial_conference_on = Some(date("2026-03-30"));
        sweep_on(&mut held, &child, &agreed, &[], &patient(), "2026-03-30");
        let e = about(&held).unwrap();
        assert!(!e.is_active());
        assert_eq!(
            e.history.last().unwrap().text,
            "The action was agreed on 06/03/2026, on an earlier plan; the plan in force since 30/03/2026 is followed instead."
        );
        sweep_on(&mut held, &child, &agreed, &[], &patient(), "2026-04-01");
        assert!(!about(&held).unwrap().is_active(), "not raised again: nobody follows it now");

        // Agreed at the new plan's first core group, on its first day: followed.
        let mut held = Vec::new();
        let first_day = core_group_agreeing("2026-03-31", "2026-03-30");
        sweep_on(&mut held, &child, &first_day, &[], &patient(), "2026-03-31");
        assert!(about(&held).is_none(), "due today");
        sweep_on(&mut held, &child, &first_day, &[], &patient(), "2026-04-01");
        assert!(about(&held).unwrap().is_open(), "overdue the day after");
    }

    #[test]
    fn it_is_answered_in_words_not_by_a_visit() {
        let child = child(1);
        let agreed = core_group_agreeing("2026-03-27", "2026-03-13");
        let mut held = Vec::new();
        sweep_on(&mut held, &child, &agreed, &[], &patient(), "2026-03-30");
        let e = about(&held).unwrap();
        let visit = EscalationAction::VisitArranged { date: date("2026-03-31") };
        let errors =
            acknowledge(e, visit, &team_manager(), date("2026-03-30"), utc("2026-03-30", 14)).unwrap_err();
        assert_eq!(errors[0].field, "action", "{errors:?}");
    }
}

// ---- A visit that reached the server late, or was moved. ----

/// A worker who moves a late visit's date into time does not close the escalation: the sweep
/// asks a manager to confirm, as for any change a worker makes. Before, it closed saying the
/// visit "arrived late from a device that had been offline", which was untrue: the server had
/// held it, dated after the due date, for a day.
#[test]
fn a_late_visit_amended_into_time_asks_a_manager_and_does_not_close() {
    let mut held = Vec::new();
    let child = child(1);
    sweep_at(&mut held, &child, &[], &patient(), "2026-03-17");
    assert_eq!(held.len(), 1);
    let late = visit(10, "2026-03-18");
    sweep_at(&mut held, &child, std::slice::from_ref(&late), &patient(), "2026-03-18");
    assert!(held[0].is_open() && held[0].awaiting_confirmation(), "{:?}", held[0].history);
    let backdated = amended(&late, |v| {
        v.started_at = at("2026-03-16", 10);
        v.ended_at = at("2026-03-16", 11);
        v.recorded_at = utc("2026-03-19", 9);
    });
    sweep_at(&mut held, &child, &[late, backdated], &patient(), "2026-03-19");
    let e = &held[0];
    assert!(e.is_active(), "closed by the sweep with no manager: {:?}", e.history.last().map(|h| &h.text));
    assert!(e.awaiting_confirmation(), "a manager confirms: {:?}", e.history);
    assert!(!e.history.iter().any(|h| h.text.contains("arrived late")), "{:?}", e.history);
}

/// A visit made in time that reached the server late, but left the child overdue all the same
/// (it moved the due date, and that has passed too), keeps the escalation, its level and its
/// history. Before, the senior manager's escalation was closed saying "the child was not
/// overdue", and a new one started again at the team manager.
#[test]
fn a_late_synced_visit_that_leaves_the_child_overdue_keeps_the_escalation_and_its_level() {
    let mut held = Vec::new();
    let child = child(1);
    sweep_at(&mut held, &child, &[], &patient(), "2026-03-17");
    sweep_at(&mut held, &child, &[], &patient(), "2026-03-20");
    let id = held[0].id;
    assert_eq!(held[0].level, EscalationLevel::SeniorManager);
    let mut early = visit(10, "2026-03-03");
    early.recorded_at = utc("2026-03-23", 9);
    sweep_at(&mut held, &child, &[early], &patient(), "2026-03-23");
    let active: Vec<&Escalation> = held.iter().filter(|e| e.is_active()).collect();
    assert_eq!(active.len(), 1, "{held:#?}");
    assert_eq!(active[0].id, id, "the same escalation goes on");
    assert_eq!(active[0].level, EscalationLevel::SeniorManager, "{:?}", active[0].history);
    assert!(!active[0].history.iter().any(|h| h.text.contains("not overdue")), "{:?}", active[0].history);
}
