//! Synthetic fixtures for the shared crate's tests. Every name here is invented.

#![allow(dead_code)]

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};
use shared::*;
use uuid::Uuid;

/// A fixed id, so snapshots stay stable.
pub fn fixed<T: From<Uuid>>(n: u128) -> T {
    T::from(Uuid::from_u128(n))
}

pub fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test dates are valid")
}

/// 10:00 local (UTC+0) on `day`.
pub fn at(day: &str, hour: u32) -> DateTime<FixedOffset> {
    let d = date(day);
    FixedOffset::east_opt(0).unwrap().from_local_datetime(&d.and_hms_opt(hour, 0, 0).unwrap()).unwrap()
}

pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, 12, 0, 0).unwrap()
}

pub fn plan() -> ProtectionPlan {
    ProtectionPlan {
        details: Default::default(),
        registered_on: date("2026-09-01"),
        deregistered_on: None,
        harms: vec![HarmCategory::Neglect, HarmCategory::Emotional],
        visit_frequency_working_days: 10,
        key_worker: fixed::<WorkerId>(100),
        team: fixed::<TeamId>(200),
        actions: vec![
            PlanAction { id: fixed(300), description: "School attendance above 90%".into() },
            PlanAction { id: fixed(301), description: "Mother attends parenting course".into() },
        ],
        latest_review_conference: Some(date("2026-11-02")),
        seen_before_go_live: None,
    }
}

pub fn child() -> Child {
    Child {
        id: fixed(1),
        central_id: "JY-000123".into(),
        given_name: "Ellie".into(),
        family_name: "Testperson".into(),
        date_of_birth: Some(date("2017-03-14")),
        details: Default::default(),
        gender: Some(child::Gender::Female),
        sibling_ids: vec![fixed(2)],
        carers: vec![Carer {
            id: fixed(400),
            name: "Marta Testperson".into(),
            relationship: "mother".into(),
        }],
        plan: Some(plan()),
        communication: CommunicationNeeds {
            child: LanguageNeed {
                first_language: Some("English".into()),
                interpreter_needed: false,
                interpreter_language: None,
                interpreter_considered: false,
            },
            carers: vec![child::CarerLanguageNeed {
                carer_id: fixed(400),
                need: LanguageNeed {
                    first_language: Some("Polish".into()),
                    interpreter_needed: true,
                    interpreter_language: Some("Polish".into()),
                    interpreter_considered: false,
                },
            }],
            disability_and_communication: None,
        },
        reallocation: None,
        safety_warnings: vec![],
    }
}

/// A complete, valid statutory visit on `day` in which the child was seen alone.
pub fn visit_on(day: &str) -> Visit {
    Visit {
        id: fixed(500),
        revision: 1,
        amends: None,
        status: VisitStatus::Submitted,
        amendment_reason: None,
        child_id: fixed(1),
        worker_id: fixed(100),
        capacity: WorkerCapacity::KeyWorker,
        started_at: at(day, 10),
        ended_at: at(day, 11),
        location: "Family home".into(),
        kind: VisitKind::Statutory,
        announced: Announcement::Unannounced,
        due_state_at_start: None,
        seen: Seen::Yes,
        seen_alone: Some(SeenAlone::Yes),
        child_words: vec![Quote { text: "I like my new school.".into() }],
        child_views: "Ellie seemed settled and happy to talk.".into(),
        observations: Observations {
            facts: "Kitchen stocked; bedroom clean.".into(),
            concerns: "Mother tired; says she is not sleeping.".into(),
        },
        interpreters: vec![InterpreterRecord {
            person: InterpretedPerson::Carer { carer_id: fixed(400) },
            needed: true,
            language: Some("Polish".into()),
            used: Some(InterpreterUsed::Professional),
            not_used_reason: None,
        }],
        plan_actions: vec![fixed(300)],
        purpose: None,
        harms_addressed: vec![HarmCategory::Neglect],
        attachments: vec![],
        next_visit_planned: Some(date("2026-12-07")),
        recorded_at: Utc.with_ymd_and_hms(2026, 11, 20, 11, 5, 0).unwrap(),
    }
}

pub fn visit() -> Visit {
    visit_on("2026-11-20")
}

/// A statutory visit on `day` where the child was not seen.
pub fn missed_visit_on(day: &str, id: u128) -> Visit {
    Visit {
        id: fixed(id),
        seen: Seen::No { reason: "No answer at the door".into() },
        seen_alone: None,
        child_words: vec![],
        next_visit_planned: None,
        ..visit_on(day)
    }
}
