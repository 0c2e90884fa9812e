//! Snapshots of every wire type's JSON. A change here changes what devices and the server send
//! each other: review it, and bump `PROTOCOL_VERSION` when it is not backwards compatible.

mod support;

use chrono::{TimeZone, Utc};
use shared::sync::*;
use shared::*;
use support::*;

/// Jersey's settings, on a training clock 30 days behind real time.
fn settings() -> AuthoritySettings {
    AuthoritySettings::new(
        CalendarName::Jersey,
        &BusinessClock::with_offset(Tz::Europe__Jersey, chrono::Duration::days(-30)),
        ScheduleRules::default(),
    )
}

fn escalation() -> Escalation {
    Escalation {
        id: fixed(600),
        child_id: fixed(1),
        reason: EscalationReason::Overdue {
            due: date("2026-11-20"),
            working_days_overdue: 4,
            key_worker_absent: true,
        },
        level: EscalationLevel::SeniorManager,
        to: Some(fixed(101)),
        raised_at: Utc.with_ymd_and_hms(2026, 11, 26, 7, 0, 0).unwrap(),
        re_raised_at: None,
        history: vec![EscalationEntry {
            at: Utc.with_ymd_and_hms(2026, 11, 26, 9, 30, 0).unwrap(),
            on: date("2026-11-26"),
            step: EscalationStep::Acknowledged {
                action: EscalationAction::VisitArranged { date: date("2026-11-27") },
            },
            level: EscalationLevel::SeniorManager,
            to: Some(fixed(101)),
            by: Some(fixed(101)),
            by_name: Some("Sian Senior".into()),
            text: "Visit arranged for 27/11/2026.".into(),
        }],
        basis: Some(ScheduleBasis {
            last_seen: Some(date("2026-11-06")),
            frequency_working_days: 10,
            registered_on: date("2026-09-01"),
        }),
        status: EscalationStatus::Acknowledged {
            action: EscalationAction::VisitArranged { date: date("2026-11-27") },
            by: fixed(101),
            at: Utc.with_ymd_and_hms(2026, 11, 26, 9, 30, 0).unwrap(),
        },
    }
}

fn cover() -> CoverAssignment {
    CoverAssignment {
        id: fixed(700),
        child_id: fixed(1),
        duty_worker: fixed(102),
        covering_for: fixed(100),
        starts_on: date("2026-11-23"),
        ends_on: date("2026-12-04"),
        assigned_by: fixed(101),
    }
}

#[test]
fn child() {
    insta::assert_json_snapshot!(support::child());
}

#[test]
fn visit() {
    insta::assert_json_snapshot!(Visit {
        due_state_at_start: Some(DueState::DueSoon { due: date("2026-11-23"), working_days_left: 1 }),
        attachments: vec![fixtures::attachment(&"0".repeat(64), "Drawing of home")],
        ..support::visit()
    });
}

#[test]
fn visit_not_seen_alone() {
    insta::assert_json_snapshot!(Visit {
        seen_alone: Some(SeenAlone::No {
            reason: "Child did not want to leave her mother".into(),
            present: vec!["mother".into()],
            manager_agreed: false,
        }),
        interpreters: vec![InterpreterRecord {
            person: InterpretedPerson::Child,
            needed: true,
            language: Some("Portuguese".into()),
            used: Some(InterpreterUsed::FamilyMember { who: "older brother".into() }),
            not_used_reason: None,
        }],
        ..support::visit()
    });
}

#[test]
fn missed_visit() {
    insta::assert_json_snapshot!(missed_visit_on("2026-11-20", 501));
}

#[test]
fn push_request_and_every_outcome() {
    let request =
        PushRequest { protocol: PROTOCOL_VERSION, device_id: fixed(800), visits: vec![support::visit()] };
    let response = PushResponse {
        protocol: PROTOCOL_VERSION,
        results: vec![
            PushResult {
                visit_id: fixed(500),
                revision: 1,
                outcome: PushOutcome::Accepted { needs_review: None },
            },
            PushResult {
                visit_id: fixed(501),
                revision: 1,
                outcome: PushOutcome::Accepted { needs_review: Some("Child is not on your caseload".into()) },
            },
            PushResult { visit_id: fixed(502), revision: 1, outcome: PushOutcome::Duplicate },
            PushResult {
                visit_id: fixed(500),
                revision: 2,
                outcome: PushOutcome::Conflict {
                    reason: "The server has a newer version of this visit".into(),
                    server: Box::new(support::visit()),
                    yours: Box::new(Visit { location: "School".into(), ..support::visit() }),
                },
            },
            PushResult {
                visit_id: fixed(503),
                revision: 1,
                outcome: PushOutcome::Rejected {
                    errors: vec![FieldError::new(
                        "seen_alone.reason",
                        "Say why the child was not seen alone.",
                    )],
                },
            },
        ],
    };
    insta::assert_json_snapshot!("push_request", request);
    insta::assert_json_snapshot!("push_response", response);
}

#[test]
fn pull_response_with_every_event() {
    let response = PullResponse {
        protocol: PROTOCOL_VERSION,
        events: vec![
            ChangeEvent::Child { child: Box::new(support::child()) },
            ChangeEvent::Visit { visit: Box::new(support::visit()) },
            ChangeEvent::Cover { cover: cover() },
            ChangeEvent::Escalation { escalation: Box::new(escalation()) },
            ChangeEvent::RemovedFromScope { child_id: fixed(1), reason: RemovalReason::CoverEnded },
        ],
        cursor: Cursor("opaque-42".into()),
        more: false,
        settings: Some(settings()),
    };
    insta::assert_json_snapshot!(response);
}

#[test]
fn error_body() {
    insta::assert_json_snapshot!(ErrorBody {
        error: "validation".into(),
        message: "The visit has 1 problem.".into(),
        fields: vec![FieldError::new("location", "Say where the visit took place.")],
    });
}

#[test]
fn auth_messages_never_show_secrets_in_debug() {
    let login = LoginRequest {
        username: "sam.social".into(),
        password: "hunter2-synthetic".into(),
        device_id: fixed(800),
        device_name: Some("Test phone".into()),
    };
    insta::assert_json_snapshot!("login_request", login);
    assert!(!format!("{login:?}").contains("hunter2"));
    let tokens = TokenResponse {
        access_token: "eyJ.synthetic.token".into(),
        access_expires_at: Utc.with_ymd_and_hms(2026, 11, 26, 12, 15, 0).unwrap(),
        refresh_token: "refresh-synthetic".into(),
        worker: Worker {
            id: fixed(100),
            name: "Sam Social".into(),
            role: Role::SocialWorker,
            team: Some(fixed(200)),
        },
        settings: Some(settings()),
    };
    insta::assert_json_snapshot!("token_response", tokens);
    let debug = format!("{tokens:?}");
    assert!(!debug.contains("eyJ") && !debug.contains("refresh-synthetic"));
}

#[test]
fn authority_settings() {
    insta::assert_json_snapshot!(settings());
}

#[test]
fn settings_fingerprint_changes_with_every_setting_and_only_then() {
    let base = settings();
    assert_eq!(base.fingerprint, settings().fingerprint, "the same settings, the same fingerprint");
    assert_eq!(base.fingerprint, base.compute_fingerprint());
    let live = ScheduleRules::default();
    let changed = [
        AuthoritySettings::new(CalendarName::EnglandAndWales, &base.clock(), live),
        AuthoritySettings::new(
            CalendarName::Jersey,
            &BusinessClock::with_offset(Tz::Europe__London, base.clock().offset()),
            live,
        ),
        AuthoritySettings::new(
            CalendarName::Jersey,
            &base.clock(),
            ScheduleRules { senior_after_working_days: 6, ..live },
        ),
        AuthoritySettings::new(CalendarName::Jersey, &BusinessClock::live(Tz::Europe__Jersey), live),
    ];
    for other in changed {
        assert_ne!(other.fingerprint, base.fingerprint, "{other:?}");
    }
}

#[test]
fn settings_with_an_unknown_time_zone_are_refused() {
    let mut json = serde_json::to_value(settings()).unwrap();
    json["time_zone"] = "Europe/Atlantis".into();
    assert!(serde_json::from_value::<AuthoritySettings>(json).is_err());
}

#[test]
fn handover() {
    insta::assert_json_snapshot!(Handover {
        child: support::child(),
        cover: Some(cover()),
        recent_visits: vec![support::visit()],
        recent_words: vec![DatedQuote { date: date("2026-11-20"), text: "I like my new school.".into() }],
        open_escalations: vec![escalation()],
        next_visit_due: Some(date("2026-12-04")),
        seen_alone_instruction: Some(SeenAloneInstruction {
            by: "Tara Manager".into(),
            on: date("2026-11-27"),
            at: "2026-11-27T10:15:00Z".parse().unwrap(),
            what: "See her at school on Monday.".into(),
        }),
    });
}

#[test]
fn absence() {
    insta::assert_json_snapshot!(Absence {
        id: fixed(900),
        worker_id: fixed(100),
        kind: AbsenceKind::Sickness,
        starts_on: date("2026-11-23"),
        expected_end: Some(date("2026-12-04")),
        recorded_by: fixed(101),
    });
}

#[test]
fn visit_review_events_held_then_resolved() {
    let events = vec![
        ChangeEvent::VisitReview {
            visit_id: fixed(500),
            revision: 1,
            child_id: fixed(1),
            state: ReviewState::Waiting {
                reason: "Held for a manager's review: this child is not on your caseload for the date of the visit."
                    .into(),
            },
        },
        ChangeEvent::VisitReview { visit_id: fixed(500), revision: 1, child_id: fixed(1), state: ReviewState::Accepted },
        ChangeEvent::VisitReview { visit_id: fixed(501), revision: 1, child_id: fixed(1), state: ReviewState::Linked },
        ChangeEvent::VisitReview {
            visit_id: fixed(502),
            revision: 2,
            child_id: fixed(1),
            state: ReviewState::EnteredInError,
        },
    ];
    insta::assert_json_snapshot!(events);
}

#[test]
fn child_reallocated_with_a_household_safety_warning() {
    let mut child = support::child();
    child.communication.child = LanguageNeed::no_interpreter_needed(Some("English".into()));
    child.reallocation = Some(Reallocation {
        from_worker: fixed(103),
        to_worker: fixed(100),
        on: date("2026-11-23"),
        key_workers_during_plan: 2,
    });
    child.safety_warnings = vec![SafetyWarning {
        id: fixed(800),
        child_ids: vec![fixed(1), fixed(2)],
        kind: SafetyWarningKind::Animal,
        details: "Large dog, kept loose in the garden.".into(),
        recorded_by: fixed(103),
        recorded_at: Utc.with_ymd_and_hms(2026, 10, 1, 9, 0, 0).unwrap(),
        ended: None,
    }];
    insta::assert_json_snapshot!(child);
}

#[test]
fn an_ended_safety_warning() {
    insta::assert_json_snapshot!(SafetyWarning {
        id: fixed(800),
        child_ids: vec![fixed(1)],
        kind: SafetyWarningKind::Violence,
        details: "Father has threatened staff: visit in pairs.".into(),
        recorded_by: fixed(103),
        recorded_at: Utc.with_ymd_and_hms(2026, 10, 1, 9, 0, 0).unwrap(),
        ended: Some(shared::household::SafetyWarningEnd {
            ended_by: fixed(101),
            ended_at: Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap(),
            reason: "Father has moved away; confirmed by the police.".into(),
        }),
    });
}

#[test]
fn a_visit_with_a_stated_purpose() {
    insta::assert_json_snapshot!(Visit {
        plan_actions: vec![],
        purpose: Some("To talk with Ellie about school and home.".into()),
        ..support::visit()
    });
}

#[test]
fn manager_desk() {
    use shared::desk::*;
    let day = |d: u32| chrono::NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
    let month = MonthFigures {
        month: day(1),
        statutory_due: 4,
        statutory_on_time: 3,
        child_seen: 4,
        seen_alone: 3,
        child_words: 2,
        interpreter_needed: 1,
        interpreter_met: 1,
    };
    insta::assert_json_snapshot!(Desk {
        as_of: day(30),
        children_due: vec![DeskChild {
            child_id: support::fixed(1),
            central_id: "JY-000001".into(),
            child_name: "Robin Testchild".into(),
            key_worker: "Jo Testworker".into(),
            due_state: DueState::Overdue { due: day(25), working_days_overdue: 3 },
            due_words: "Overdue by 3 working days".into(),
        }],
        open_escalations: vec![DeskEscalation {
            id: support::fixed(900),
            child_id: support::fixed(1),
            child_name: "Robin Testchild".into(),
            reason: "Statutory visit overdue by 3 working days.".into(),
            raised_on: day(26),
            age_days: 4,
            acted_on: false,
        }],
        escalations_by_age: vec![AgeBand { label: "Under a week".into(), from_days: 0, open: 1 }],
        held_visits: 1,
        conflicts: 0,
        covers: vec![DeskCover {
            id: support::fixed(800),
            child_id: support::fixed(1),
            child_name: "Robin Testchild".into(),
            duty_worker: "Dana Testduty".into(),
            covering_for: "Jo Testworker".into(),
            ends_on: day(30),
        }],
        months: vec![month.clone()],
        workers: vec![WorkerMonths {
            worker_id: support::fixed(100),
            worker_name: "Jo Testworker".into(),
            months: vec![month],
        }],
        escalation_months: vec![EscalationMonth {
            month: day(1),
            raised: 2,
            resolved: 1,
            acted_on: 1,
            mean_days_to_first_action: Some(1.5),
        }],
    });
}
