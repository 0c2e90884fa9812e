//! A manager's word that the child must be seen alone: which one stands, and which visit ends
//! it. One rule for the server's handover and the phone's child page, handover and visit form.

mod support;

use chrono::{DateTime, FixedOffset, Utc};
use shared::*;
use support::{date, fixed};

fn instant(text: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(text).expect("test instants are valid")
}

/// A "not seen alone" escalation a manager answered at `at` (UTC), disagreeing or agreeing.
fn answered(id: u128, at: &str, disagreed: Option<&str>) -> Escalation {
    let at: DateTime<Utc> = instant(at).into();
    let action = match disagreed {
        Some(what) => EscalationAction::SeenAloneDisagreed { reason: what.into() },
        None => EscalationAction::SeenAloneAgreed { reason: "She was unwell".into() },
    };
    let entry = |step| EscalationEntry {
        at,
        on: date("2026-03-27"),
        step,
        level: EscalationLevel::TeamManager,
        to: Some(fixed(101)),
        by: Some(fixed(101)),
        by_name: Some("Tara Manager".into()),
        text: String::new(),
    };
    Escalation {
        id: fixed(900 + id),
        child_id: fixed(1),
        reason: EscalationReason::NotSeenAlone { visit_id: fixed(10 + id) },
        level: EscalationLevel::TeamManager,
        to: Some(fixed(101)),
        raised_at: at,
        re_raised_at: None,
        history: vec![entry(EscalationStep::Acknowledged { action }), entry(EscalationStep::Closed)],
        basis: None,
        status: EscalationStatus::Closed { explanation: "Answered by Tara Manager.".into(), at },
    }
}

/// A visit to the child that started at `started` and saw them alone.
fn alone(started: &str) -> Visit {
    fixtures::visit(fixed(1), fixed(100), instant(started))
}

#[test]
fn the_latest_disagreement_stands_in_the_managers_words() {
    let escalations = [
        answered(1, "2026-03-02T12:00:00Z", Some("see her at school")),
        answered(2, "2026-03-20T12:00:00Z", Some("see her at school on Monday")),
        answered(3, "2026-03-25T12:00:00Z", None),
    ];
    let said = SeenAloneInstruction::latest(&escalations, &[]).expect("a disagreement stands");
    assert_eq!(said.what, "see her at school on Monday.");
    assert_eq!(said.by, "Tara Manager");
    assert_eq!(said.at, instant("2026-03-20T12:00:00Z"));
    // An agreement alone gives no word.
    assert_eq!(SeenAloneInstruction::latest(&escalations[2..], &[]), None);
}

#[test]
fn only_a_visit_started_after_it_that_saw_the_child_alone_and_counts_ends_it() {
    let escalations = [answered(1, "2026-03-20T12:00:00Z", Some("See her at school"))];
    let stands = |visits: &[Visit]| SeenAloneInstruction::latest(&escalations, visits).is_some();
    // Seen alone that morning, before the manager answered: the word came after that visit, so
    // it still stands (a reminder kept is safer than one lost).
    assert!(stands(&[alone("2026-03-20T09:00:00Z")]));
    // Seen after it, but not alone.
    assert!(stands(&[fixtures::not_alone(
        alone("2026-03-23T09:00:00Z"),
        "Mother stayed",
        &["mother"],
        false
    )]));
    // Not seen at all.
    assert!(stands(&[fixtures::not_seen(alone("2026-03-23T09:00:00Z"), "No answer at the door")]));
    // Seen alone after it, but the record was entered in error.
    let wrong = fixtures::amended(&alone("2026-03-23T09:00:00Z"), "Wrong child", |v| {
        v.status = VisitStatus::EnteredInError;
    });
    assert!(stands(&[wrong]));
    // Seen alone after it, but the record was then amended: she was not alone after all. The
    // current revision decides, whether the first one is given too (the phone) or not.
    let first = alone("2026-03-23T09:00:00Z");
    let corrected = fixtures::amended(&first, "Her mother was in the room", |v| {
        v.seen_alone = Some(SeenAlone::No {
            reason: "Mother stayed".into(),
            present: vec!["mother".into()],
            manager_agreed: false,
        });
    });
    assert!(stands(&[first.clone(), corrected.clone()]));
    assert!(stands(&[corrected]));
    // Seen alone after it: the word has been acted on.
    assert!(!stands(&[first]));
}

/// The night the clocks go back, when 01:00 to 02:00 comes twice: an answer at 01:30 BST, the
/// first time round. What decides is the instant, not the clock on the wall.
#[test]
fn on_the_night_the_clocks_go_back_the_instant_decides_not_the_clock_on_the_wall() {
    let escalations = [answered(1, "2026-10-25T01:30:00+01:00", Some("See her alone"))];
    let stands = |visits: &[Visit]| SeenAloneInstruction::latest(&escalations, visits).is_some();
    // 01:20 BST, ten minutes before the answer.
    assert!(stands(&[alone("2026-10-25T01:20:00+01:00")]));
    // 01:15 GMT, the second time round: the wall clock reads earlier, but it is 45 minutes after.
    assert!(!stands(&[alone("2026-10-25T01:15:00+00:00")]));
}

/// A manager's standing decision that the child need not be seen alone: the one rule for
/// which covers a visit's date, that the sweep and the phone's visit form both ask.
#[test]
fn a_standing_decision_covers_its_first_and_last_days_and_the_latest_decided_is_named() {
    let decision = |n: u128, starts: &str, ends: &str, decided: &str| SeenAloneDecision {
        id: fixed(500 + n),
        child_id: fixed(1),
        reason: format!("Decision {n}"),
        starts_on: date(starts),
        ends_on: date(ends),
        decided_by: fixed(101),
        decided_by_name: "Tara Manager".into(),
        decided_at: instant(decided).into(),
        ended: None,
    };
    // Monday 2 March to Friday 13 March, then a later one from Monday 9 March over Easter.
    let decisions = [
        decision(1, "2026-03-02", "2026-03-13", "2026-03-02T09:00:00Z"),
        decision(2, "2026-03-09", "2026-04-06", "2026-03-06T09:00:00Z"),
    ];
    let named = |day: &str| SeenAloneDecision::covering(&decisions, date(day)).map(|d| d.reason.as_str());
    assert_eq!(named("2026-03-01"), None, "the day before the first starts");
    assert_eq!(named("2026-03-02"), Some("Decision 1"), "its first day");
    assert_eq!(named("2026-03-09"), Some("Decision 2"), "both cover it: the latest decided");
    assert_eq!(named("2026-04-06"), Some("Decision 2"), "its last day, Easter Monday");
    assert_eq!(named("2026-04-07"), None, "the day after it ends");
}

/// A manager ends a standing decision early (the child is talking now): it covers the days
/// before it was ended, so no past visit changes, and nothing from the day it was ended. One
/// ended before its first day covers nothing.
#[test]
fn a_standing_decision_ended_early_covers_only_the_days_before_it_was_ended() {
    let ended = |last_day: &str| shared::SeenAloneDecisionEnd {
        last_day: date(last_day),
        reason: "She is talking now".into(),
        ended_by: fixed(102),
        ended_by_name: "Mo Manager".into(),
        ended_at: instant("2026-05-11T08:00:00Z").into(),
    };
    // From Monday 2 March to Friday 3 July; ended on Monday 11 May, the Monday after Liberation Day.
    let mut decision = SeenAloneDecision {
        id: fixed(501),
        child_id: fixed(1),
        reason: "Baby".into(),
        starts_on: date("2026-03-02"),
        ends_on: date("2026-07-03"),
        decided_by: fixed(101),
        decided_by_name: "Tara Manager".into(),
        decided_at: instant("2026-03-02T09:00:00Z").into(),
        ended: Some(ended("2026-05-10")),
    };
    assert_eq!(decision.last_day(), date("2026-05-10"));
    assert!(decision.covers(date("2026-05-09")), "Liberation Day, before it was ended");
    assert!(decision.covers(date("2026-05-10")), "the day before it was ended");
    assert!(!decision.covers(date("2026-05-11")), "the day it was ended");
    assert!(!decision.covers(date("2026-07-03")), "the end it was first given");
    assert!(!decision.in_force_from(date("2026-05-11")), "ended: it cannot be ended again");
    let decisions = [decision.clone()];
    assert!(SeenAloneDecision::covering(&decisions, date("2026-05-12")).is_none());

    // An ending after the end it was given changes nothing.
    decision.ended = Some(ended("2026-08-01"));
    assert_eq!(decision.last_day(), date("2026-07-03"));
    // Ended before it began: it covers no day.
    decision.ended = Some(ended("2026-03-01"));
    assert!(!decision.covers(date("2026-03-02")));
    assert!(!decision.covers(date("2026-03-01")));
}
