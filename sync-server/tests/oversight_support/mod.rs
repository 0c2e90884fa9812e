//! Synthetic fixtures for the oversight tests (escalations, cover, reports). Every name here is
//! invented.

#![allow(dead_code)]

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};
use shared::*;
use sync_server::escalations::{ChildCase, Directory, EscalationConfig, SweepContext};
use uuid::Uuid;

pub fn fixed<T: From<Uuid>>(n: u128) -> T {
    T::from(Uuid::from_u128(n))
}

pub fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test dates are valid")
}

/// `hour`:00 UTC on `day`.
pub fn at(day: &str, hour: u32) -> DateTime<FixedOffset> {
    FixedOffset::east_opt(0)
        .unwrap()
        .from_local_datetime(&date(day).and_hms_opt(hour, 0, 0).unwrap())
        .unwrap()
}

/// `hour`:00 UTC on `day`, as the server's clock.
pub fn utc(day: &str, hour: u32) -> DateTime<Utc> {
    at(day, hour).with_timezone(&Utc)
}

pub const KEY_WORKER: u128 = 100;
pub const TEAM: u128 = 200;
pub const TEAM_MANAGER: u128 = 110;
pub const SENIOR_MANAGER: u128 = 120;
pub const DUTY_WORKER: u128 = 130;

/// Registered Monday 2 March 2026, visits every 10 working days: first due Monday 16 March
/// (no Jersey holidays in between).
pub fn plan() -> ProtectionPlan {
    ProtectionPlan {
        details: Default::default(),
        registered_on: date("2026-03-02"),
        deregistered_on: None,
        harms: vec![HarmCategory::Neglect],
        visit_frequency_working_days: 10,
        key_worker: fixed(KEY_WORKER),
        team: fixed(TEAM),
        actions: vec![PlanAction { id: fixed(300), description: "School attendance above 90%".into() }],
        latest_review_conference: None,
        seen_before_go_live: None,
    }
}

pub fn child(n: u128) -> Child {
    Child {
        id: fixed(n),
        central_id: format!("JY-{n:06}"),
        given_name: "Robin".into(),
        family_name: "Testchild".into(),
        date_of_birth: Some(date("2016-05-01")),
        details: Default::default(),
        gender: Some(child::Gender::Male),
        sibling_ids: vec![],
        carers: vec![Carer { id: fixed(400), name: "Alex Testcarer".into(), relationship: "father".into() }],
        plan: Some(plan()),
        communication: CommunicationNeeds::default(),
        reallocation: None,
        safety_warnings: vec![],
    }
}

/// A valid statutory visit to child 1 on `day`, child seen alone, with their words.
pub fn visit(id: u128, day: &str) -> Visit {
    Visit {
        id: fixed(id),
        revision: 1,
        amends: None,
        status: VisitStatus::Submitted,
        amendment_reason: None,
        child_id: fixed(1),
        worker_id: fixed(KEY_WORKER),
        capacity: WorkerCapacity::KeyWorker,
        started_at: at(day, 10),
        ended_at: at(day, 11),
        location: "Family home".into(),
        kind: VisitKind::Statutory,
        announced: Announcement::Unannounced,
        due_state_at_start: None,
        seen: Seen::Yes,
        seen_alone: Some(SeenAlone::Yes),
        child_words: vec![Quote { text: format!("words from {day}") }],
        child_views: String::new(),
        observations: Observations::default(),
        interpreters: vec![],
        plan_actions: vec![],
        purpose: Some("To see the child and hear how things are at home".into()),
        harms_addressed: vec![],
        attachments: vec![],
        next_visit_planned: None,
        recorded_at: utc(day, 12),
    }
}

pub fn not_seen(id: u128, day: &str) -> Visit {
    Visit {
        seen: Seen::No { reason: "No answer at the door".into() },
        seen_alone: None,
        child_words: vec![],
        ..visit(id, day)
    }
}

pub fn not_alone(id: u128, day: &str, manager_agreed: bool) -> Visit {
    Visit {
        seen_alone: Some(SeenAlone::No {
            reason: "Child would not leave father's side".into(),
            present: vec!["father".into()],
            manager_agreed,
        }),
        ..visit(id, day)
    }
}

pub fn interpreter_not_used(id: u128, day: &str) -> Visit {
    Visit {
        interpreters: vec![InterpreterRecord {
            person: InterpretedPerson::Carer { carer_id: fixed(400) },
            needed: true,
            language: Some("Polish".into()),
            used: None,
            not_used_reason: Some("Interpreter did not arrive".into()),
        }],
        ..visit(id, day)
    }
}

/// A later revision of `base` with `change` applied.
pub fn amended(base: &Visit, change: impl FnOnce(&mut Visit)) -> Visit {
    let mut next = base.clone();
    next.revision = base.revision + 1;
    next.amends = Some(base.revision);
    next.status = VisitStatus::Amended;
    next.amendment_reason = Some("Corrected after supervision".into());
    change(&mut next);
    next
}

pub fn voided(base: &Visit) -> Visit {
    amended(base, |v| v.status = VisitStatus::EnteredInError)
}

pub fn directory(absent: &[u128]) -> Directory {
    let mut directory = Directory::default();
    directory.team_managers.insert(fixed(TEAM), fixed(TEAM_MANAGER));
    directory
        .routing
        .insert(fixed(TEAM), TeamRouting { senior_manager: Some(fixed(SENIOR_MANAGER)), deputy: None });
    directory.absent_today = absent.iter().map(|&n| fixed(n)).collect();
    directory
}

pub fn worker(n: u128, role: Role) -> Worker {
    Worker { id: fixed(n), name: format!("Test {}", role.label()), role, team: Some(fixed(TEAM)) }
}

/// Runs one sweep over one child at `now`.
pub fn sweep_one(
    child: &Child,
    visits: &[Visit],
    escalations: &[Escalation],
    directory: &Directory,
    config: &EscalationConfig,
    now: DateTime<Utc>,
) -> Vec<sync_server::escalations::EscalationChange> {
    let context =
        SweepContext { calendar: Calendar::jersey(), config, directory, now, today: now.date_naive() };
    sync_server::escalations::sweep(
        [ChildCase { child, visits, escalations, seen_alone_decisions: &[], meetings: &[] }],
        &context,
    )
}

/// Runs one sweep over one child at `now`, with standing "seen alone" decisions.
pub fn sweep_with_decisions(
    child: &Child,
    visits: &[Visit],
    escalations: &[Escalation],
    decisions: &[SeenAloneDecision],
    now: DateTime<Utc>,
) -> Vec<sync_server::escalations::EscalationChange> {
    let config = EscalationConfig::default();
    let directory = directory(&[]);
    let context = SweepContext {
        calendar: Calendar::jersey(),
        config: &config,
        directory: &directory,
        now,
        today: now.date_naive(),
    };
    sync_server::escalations::sweep(
        [ChildCase { child, visits, escalations, seen_alone_decisions: decisions, meetings: &[] }],
        &context,
    )
}

/// A visit at which a family member interpreted for the father.
pub fn family_interpreted(id: u128, day: &str) -> Visit {
    Visit {
        interpreters: vec![InterpreterRecord {
            person: InterpretedPerson::Carer { carer_id: fixed(400) },
            needed: true,
            language: Some("Polish".into()),
            used: Some(InterpreterUsed::FamilyMember { who: "older sister".into() }),
            not_used_reason: None,
        }],
        ..visit(id, day)
    }
}

/// Runs one sweep over one child at `now`, with the core groups and reviews recorded.
pub fn sweep_with_meetings(
    child: &Child,
    visits: &[Visit],
    escalations: &[Escalation],
    meetings: &[shared::timeline::PlanMeeting],
    config: &EscalationConfig,
    now: DateTime<Utc>,
) -> Vec<sync_server::escalations::EscalationChange> {
    let directory = directory(&[]);
    let context = SweepContext {
        calendar: Calendar::jersey(),
        config,
        directory: &directory,
        now,
        today: now.date_naive(),
    };
    sync_server::escalations::sweep(
        [ChildCase { child, visits, escalations, seen_alone_decisions: &[], meetings }],
        &context,
    )
}

/// A meeting on child 1's plan, held on `day`.
pub fn meeting(id: u128, kind: shared::timeline::MeetingKind, day: &str) -> shared::timeline::PlanMeeting {
    shared::timeline::PlanMeeting {
        id: fixed(id),
        child_id: fixed(1),
        kind,
        held_on: date(day),
        attendees: vec!["School".into(), "Health visitor".into()],
        decisions: vec!["Plan continues".into()],
        actions: vec![],
        recorded_by: fixed(KEY_WORKER),
        recorded_by_name: "Jo Testworker".into(),
        recorded_at: utc(day, 16),
    }
}
