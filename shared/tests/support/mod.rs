//! Synthetic fixtures for the shared crate's tests. Every name here is invented.

#![allow(dead_code)]

use chrono::{DateTime, TimeZone, Utc};
use shared::*;

pub use fixtures::{at, date, fixed};

pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, 12, 0, 0).unwrap()
}

pub fn plan() -> ProtectionPlan {
    ProtectionPlan {
        harms: vec![HarmCategory::Neglect, HarmCategory::Emotional],
        actions: vec![
            PlanAction { id: fixed(300), description: "School attendance above 90%".into() },
            PlanAction { id: fixed(301), description: "Mother attends parenting course".into() },
        ],
        latest_review_conference: Some(date("2026-11-02")),
        ..fixtures::plan(date("2026-09-01"))
    }
}

pub fn child() -> Child {
    Child {
        central_id: "JY-000123".into(),
        given_name: "Ellie".into(),
        family_name: "Testperson".into(),
        date_of_birth: Some(date("2017-03-14")),
        gender: Some(child::Gender::Female),
        sibling_ids: vec![fixed(2)],
        carers: vec![fixtures::carer(400, "Marta Testperson", "mother")],
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
        ..fixtures::child(1)
    }
}

/// A complete, valid statutory visit on `day` in which the child was seen alone.
pub fn visit_on(day: &str) -> Visit {
    Visit {
        id: fixed(500),
        ended_at: at(day, 11),
        announced: Announcement::Unannounced,
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
        next_visit_planned: Some(date("2026-12-07")),
        recorded_at: Utc.with_ymd_and_hms(2026, 11, 20, 11, 5, 0).unwrap(),
        ..fixtures::visit(fixed(1), fixed(100), at(day, 10))
    }
}

pub fn visit() -> Visit {
    visit_on("2026-11-20")
}

/// A statutory visit on `day` where the child was not seen.
pub fn missed_visit_on(day: &str, id: u128) -> Visit {
    Visit {
        id: fixed(id),
        next_visit_planned: None,
        ..fixtures::not_seen(visit_on(day), "No answer at the door")
    }
}
