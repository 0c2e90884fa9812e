//! A manager's and a worker's words printed inside our sentences: exactly one full stop at the
//! end, whether or not they typed one (issue 10, item 8: "Family away.." in the chronology).

mod oversight_support;

use std::collections::HashMap;

use oversight_support::*;
use rstest::rstest;
use shared::*;
use sync_server::reports::{ChronologyInput, ChronologyKind, chronology};

fn summary_of(kind: ChronologyKind, visits: &[Visit], escalations: &[Escalation]) -> String {
    let workers = HashMap::from([(fixed(TEAM_MANAGER), "Tara Testmanager".to_owned())]);
    let chronology = chronology(&ChronologyInput {
        child: &child(1),
        earlier_records: &[],
        visits,
        escalations,
        covers: &[],
        seen_alone_decisions: &[],
        worker_names: &workers,
        calendar: Calendar::jersey(),
        today: date("2026-04-20"),
        now: utc("2026-04-20", 12),
        time_zone: Tz::Europe__Jersey,
    });
    chronology.entries.iter().find(|e| e.kind == kind).expect("the entry").summary.clone()
}

fn acknowledged(action: EscalationAction) -> Escalation {
    Escalation {
        id: fixed(900),
        child_id: fixed(1),
        reason: EscalationReason::NotSeenAlone { visit_id: fixed(11) },
        level: EscalationLevel::TeamManager,
        to: Some(fixed(TEAM_MANAGER)),
        raised_at: utc("2026-03-30", 15),
        re_raised_at: None,
        status: EscalationStatus::Acknowledged { action, by: fixed(TEAM_MANAGER), at: utc("2026-03-31", 9) },
        history: Vec::new(),
        basis: None,
    }
}

#[rstest]
#[case::exception_typed_with_a_full_stop(
    EscalationAction::ExceptionAgreed { reason: "Family away on holiday.".into() },
    "Exception agreed: Family away on holiday. Recorded by Tara Testmanager (the team manager)."
)]
#[case::exception_typed_without_one(
    EscalationAction::ExceptionAgreed { reason: "Family away on holiday".into() },
    "Exception agreed: Family away on holiday. Recorded by Tara Testmanager (the team manager)."
)]
#[case::seen_alone_agreed_with_a_full_stop(
    EscalationAction::SeenAloneAgreed { reason: "Too young to be seen alone.".into() },
    "Manager agreed the child need not be seen alone: Too young to be seen alone. Recorded by Tara Testmanager (the team manager)."
)]
#[case::seen_alone_disagreed_with_a_full_stop(
    EscalationAction::SeenAloneDisagreed { reason: "See him at school.".into() },
    "Manager disagreed: the child must be seen alone. See him at school. Recorded by Tara Testmanager (the team manager)."
)]
#[case::seen_alone_disagreed_with_a_question(
    EscalationAction::SeenAloneDisagreed { reason: "Could school help?".into() },
    "Manager disagreed: the child must be seen alone. Could school help? Recorded by Tara Testmanager (the team manager)."
)]
fn a_managers_action_is_printed_with_one_full_stop(#[case] action: EscalationAction, #[case] expected: &str) {
    let summary = summary_of(ChronologyKind::EscalationAcknowledged, &[], &[acknowledged(action)]);
    assert_eq!(summary, expected);
    assert!(!summary.contains(".."), "{summary}");
}

#[rstest]
#[case::typed_with_a_full_stop("Nobody answered the door.")]
#[case::typed_without_one("Nobody answered the door")]
fn the_reason_a_child_was_not_seen_is_printed_with_one_full_stop(#[case] reason: &str) {
    let missed = Visit { seen: Seen::No { reason: reason.into() }, ..not_seen(12, "2026-04-14") };
    let summary = summary_of(ChronologyKind::MissedVisit, &[missed], &[]);
    assert!(summary.contains("Child not seen: Nobody answered the door."), "{summary}");
    assert!(!summary.contains(".."), "{summary}");
}
