//! Synthetic fixtures for the oversight tests (escalations, cover, reports). Every name here is
//! invented.

#![allow(dead_code)]

use chrono::{DateTime, Utc};
use shared::*;
use sync_server::escalations::{ChildCase, Directory, EscalationConfig, SweepContext};

// Each test binary uses some of these.
#[allow(unused_imports)]
pub use fixtures::{
    DUTY_WORKER, KEY_WORKER, SENIOR_MANAGER, TEAM, TEAM_MANAGER, at, child, date, fixed, utc, worker,
};

/// Registered Monday 2 March 2026, visits every 10 working days: first due Monday 16 March
/// (no Jersey holidays in between).
pub fn plan() -> ProtectionPlan {
    fixtures::plan(date("2026-03-02"))
}

/// A valid statutory visit to child 1 on `day`, child seen alone, with their words.
pub fn visit(id: u128, day: &str) -> Visit {
    Visit {
        id: fixed(id),
        ended_at: at(day, 11),
        announced: Announcement::Unannounced,
        child_words: vec![Quote { text: format!("words from {day}") }],
        recorded_at: utc(day, 12),
        ..fixtures::visit(fixed(1), fixed(KEY_WORKER), at(day, 10))
    }
}

pub fn not_seen(id: u128, day: &str) -> Visit {
    fixtures::not_seen(visit(id, day), "No answer at the door")
}

pub fn not_alone(id: u128, day: &str, manager_agreed: bool) -> Visit {
    fixtures::not_alone(visit(id, day), "Child would not leave father's side", &["father"], manager_agreed)
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
    fixtures::amended(base, "Corrected after supervision", change)
}

pub fn voided(base: &Visit) -> Visit {
    fixtures::voided(base, "Corrected after supervision")
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

/// The plan's core groups and review conferences, each held well in time up to `today`: a core
/// group on the day the plan started and every 4 weeks after, a review 4 weeks in and every 12
/// weeks after. A plan's timeline is always tracked (from its start when no ICPC date is
/// recorded), so the sweeps of tests about visits hold these, and see only what visits raise.
pub fn meetings_held_on_time(child: &Child, today: chrono::NaiveDate) -> Vec<shared::timeline::PlanMeeting> {
    use shared::timeline::MeetingKind;
    let Some(plan) = child.plan.as_ref() else { return Vec::new() };
    let start = plan.timeline_from();
    let every = |first: u64, step: u64| {
        (0..).map(move |n| start + chrono::Days::new(first + n * step)).take_while(move |d| *d <= today)
    };
    let core = every(0, 28).map(|d| (MeetingKind::CoreGroup, d));
    let review = every(28, 84).map(|d| (MeetingKind::ReviewConference, d));
    core.chain(review)
        .enumerate()
        .map(|(n, (kind, day))| shared::timeline::PlanMeeting {
            child_id: child.id,
            ..meeting(900 + n as u128, kind, &day.to_string())
        })
        .collect()
}

/// The case supervised every three weeks from the day the plan started up to `today`, well in
/// time for the monthly default, so sweeps about other things see only those.
pub fn supervisions_held_on_time(
    child: &Child,
    today: chrono::NaiveDate,
) -> Vec<shared::timeline::Supervision> {
    let Some(plan) = child.plan.as_ref() else { return Vec::new() };
    (0..)
        .map(|n| plan.registered_on + chrono::Days::new(21 * n))
        .take_while(|d| *d <= today)
        .enumerate()
        .map(|(n, day)| shared::timeline::Supervision {
            child_id: child.id,
            ..supervision(800 + n as u128, &day.to_string())
        })
        .collect()
}

/// A supervision of child 1's case by the team manager, held on `day`.
pub fn supervision(id: u128, day: &str) -> shared::timeline::Supervision {
    shared::timeline::Supervision {
        id: fixed(id),
        child_id: fixed(1),
        held_on: date(day),
        reflection: "Risk reviewed; plan on track.".into(),
        decisions: vec![],
        actions: vec![],
        recorded_by: fixed(TEAM_MANAGER),
        recorded_by_name: "Tara Testmanager".into(),
        recorded_at: utc(day, 16),
    }
}

/// Runs one sweep over one child at `now`, the plan's meetings and supervision all held in
/// time ([`meetings_held_on_time`], [`supervisions_held_on_time`]).
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
    let meetings = meetings_held_on_time(child, context.today);
    let supervisions = supervisions_held_on_time(child, context.today);
    sync_server::escalations::sweep(
        [ChildCase {
            child,
            visits,
            escalations,
            seen_alone_decisions: &[],
            meetings: &meetings,
            supervisions: &supervisions,
            actions_done: &[],
        }],
        &context,
    )
}

/// Runs one sweep over one child at `now`, with standing "seen alone" decisions (and the plan's
/// meetings and supervision all held in time).
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
    let meetings = meetings_held_on_time(child, context.today);
    let supervisions = supervisions_held_on_time(child, context.today);
    sync_server::escalations::sweep(
        [ChildCase {
            child,
            visits,
            escalations,
            seen_alone_decisions: decisions,
            meetings: &meetings,
            supervisions: &supervisions,
            actions_done: &[],
        }],
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

/// Runs one sweep over one child at `now`, with the core groups and reviews recorded (and the
/// case supervised in time).
pub fn sweep_with_meetings(
    child: &Child,
    visits: &[Visit],
    escalations: &[Escalation],
    meetings: &[shared::timeline::PlanMeeting],
    config: &EscalationConfig,
    now: DateTime<Utc>,
) -> Vec<sync_server::escalations::EscalationChange> {
    let supervisions = supervisions_held_on_time(child, now.date_naive());
    sweep_with_timeline(
        child,
        visits,
        escalations,
        meetings,
        &supervisions,
        &[],
        config,
        &directory(&[]),
        now,
    )
}

/// Runs one sweep over one child at `now`, with the meetings, supervisions and actions marked
/// done recorded.
#[allow(clippy::too_many_arguments)]
pub fn sweep_with_timeline(
    child: &Child,
    visits: &[Visit],
    escalations: &[Escalation],
    meetings: &[shared::timeline::PlanMeeting],
    supervisions: &[shared::timeline::Supervision],
    actions_done: &[shared::timeline::ActionDone],
    config: &EscalationConfig,
    directory: &Directory,
    now: DateTime<Utc>,
) -> Vec<sync_server::escalations::EscalationChange> {
    let context =
        SweepContext { calendar: Calendar::jersey(), config, directory, now, today: now.date_naive() };
    sync_server::escalations::sweep(
        [ChildCase {
            child,
            visits,
            escalations,
            seen_alone_decisions: &[],
            meetings,
            supervisions,
            actions_done,
        }],
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
