//! Synthetic data for the non-UI core's tests: invented children, never real ones.
#![allow(dead_code)]

use chrono::{DateTime, FixedOffset, Utc};
use mobile::crypto::KdfParams;
use mobile::draft::VisitDraft;
use mobile::store::{LocalStore, UnlockedStore};
use shared::child::{CarerLanguageNeed, Child, CommunicationNeeds, LanguageNeed, PlanAction, ProtectionPlan};
use shared::{Carer, CarerId, ChildId, PlanActionId, TeamId, Visit, WorkerCapacity, WorkerId};

/// The authority's settings as a server on `calendar` in Jersey's zone sends them.
pub fn settings(calendar: shared::CalendarName) -> shared::sync::AuthoritySettings {
    shared::sync::AuthoritySettings::new(
        calendar,
        &shared::BusinessClock::live(shared::Tz::Europe__Jersey),
        shared::ScheduleRules::default(),
    )
}

/// Cheap argon2 settings so tests are quick; the real ones are tested by the bench.
pub fn quick_kdf() -> KdfParams {
    KdfParams { memory_kib: 1024, iterations: 1, parallelism: 1 }
}

/// A fresh store in a temporary folder, with PIN 2468 set.
pub fn unlocked_store() -> (tempfile::TempDir, LocalStore, UnlockedStore) {
    let dir = tempfile::tempdir().expect("temp dir");
    let local = LocalStore::open(dir.path()).expect("open store");
    let unlocked = local.set_pin_with("2468", quick_kdf()).expect("set PIN");
    (dir, local, unlocked)
}

pub use fixtures::ymd as date;

/// 10:00 on a Monday in Jersey (UTC in winter).
pub fn visit_start() -> DateTime<FixedOffset> {
    fixtures::at("2025-03-03", 10)
}

/// "Now" for validation: the same afternoon.
pub fn afternoon() -> DateTime<Utc> {
    fixtures::utc("2025-03-03", 15)
}

pub const MOTHER: CarerId = CarerId(uuid::Uuid::from_u128(0x11));
pub const STEPFATHER: CarerId = CarerId(uuid::Uuid::from_u128(0x12));
pub const ACTION_SCHOOL: PlanActionId = PlanActionId(uuid::Uuid::from_u128(0x21));
pub const WORKER: WorkerId = WorkerId(uuid::Uuid::from_u128(0x31));

/// An invented child on a plan since January 2025, whose mother needs a Polish interpreter.
pub fn child() -> Child {
    Child {
        id: ChildId::new(),
        central_id: "C-000123".into(),
        given_name: "Maja".into(),
        family_name: "Testowska".into(),
        date_of_birth: Some(date(2016, 5, 14)),
        gender: None,
        carers: vec![
            Carer { id: MOTHER, name: "Ola Testowska".into(), relationship: "mother".into() },
            Carer { id: STEPFATHER, name: "Tom Example".into(), relationship: "stepfather".into() },
        ],
        plan: Some(ProtectionPlan {
            key_worker: WORKER,
            team: TeamId(uuid::Uuid::from_u128(0x41)),
            actions: vec![PlanAction { id: ACTION_SCHOOL, description: "Attend school every day".into() }],
            ..fixtures::plan(date(2025, 1, 6))
        }),
        communication: CommunicationNeeds {
            child: LanguageNeed { first_language: Some("English".into()), ..Default::default() },
            carers: vec![CarerLanguageNeed {
                carer_id: MOTHER,
                need: LanguageNeed {
                    first_language: Some("Polish".into()),
                    interpreter_needed: true,
                    interpreter_language: Some("Polish".into()),
                    interpreter_considered: true,
                },
            }],
            disability_and_communication: None,
        },
        ..fixtures::child(0)
    }
}

/// A draft with every required answer given: seen, seen alone, words, a Polish interpreter.
pub fn complete_draft(child: &Child) -> VisitDraft {
    let mut draft = VisitDraft::new_for(
        child,
        WORKER,
        WorkerCapacity::KeyWorker,
        visit_start(),
        None,
        shared::CalendarName::Jersey,
    );
    draft.location = "Family home".into();
    draft.announced = Some(shared::Announcement::Unannounced);
    draft.seen = Some(true);
    draft.seen_alone = Some(true);
    draft.child_words = vec!["I like my new school".into()];
    draft.facts = "Kitchen clean, food in the fridge.".into();
    draft.interpreters[0].used = Some(shared::InterpreterUsed::Professional);
    draft.plan_actions = vec![ACTION_SCHOOL];
    draft.end_now(visit_start() + chrono::Duration::minutes(45));
    draft
}

/// A complete draft of a visit to a child a real server sent (`worker` its key worker), as the
/// app's form fills it: started 50 minutes ago, dated in the authority's zone (the server's
/// default) as the app dates a visit, and ended 40 minutes later, with `words` the one quote.
pub fn draft_for_today(child: &Child, worker: WorkerId, words: &str) -> VisitDraft {
    let clock = shared::BusinessClock::default();
    let started = clock.local(clock.now() - chrono::Duration::minutes(50));
    let mut draft = VisitDraft::new_for(
        child,
        worker,
        WorkerCapacity::KeyWorker,
        started,
        None,
        shared::CalendarName::Jersey,
    );
    draft.location = "Family home".into();
    draft.purpose = "To see the child at home and talk about school".into();
    draft.announced = Some(shared::Announcement::Announced);
    draft.seen = Some(true);
    draft.seen_alone = Some(true);
    draft.child_words = vec![words.into()];
    for record in &mut draft.interpreters {
        record.used = Some(shared::InterpreterUsed::Remote);
    }
    draft.end_now(started + chrono::Duration::minutes(40));
    draft
}

/// [`draft_for_today`] submitted.
pub fn visit_for_today(child: &Child, worker: WorkerId, words: &str) -> Visit {
    draft_for_today(child, worker, words).to_visit(Utc::now(), Some(child)).expect("valid visit")
}

/// A valid first submission for `child`, with `words` as the child's one quote.
pub fn visit_with_words(child: &Child, words: &str) -> Visit {
    let mut draft = complete_draft(child);
    draft.child_words = vec![words.to_owned()];
    draft.to_visit(afternoon(), Some(child)).expect("a complete draft is valid")
}

/// An open escalation to the team manager: `child` was not seen on the visit `visit`.
pub fn not_seen_escalation(child: ChildId, visit: shared::VisitId) -> shared::Escalation {
    shared::Escalation {
        id: shared::EscalationId::new(),
        child_id: child,
        reason: shared::EscalationReason::ChildNotSeen { visit_id: visit },
        level: shared::EscalationLevel::TeamManager,
        to: None,
        raised_at: afternoon(),
        re_raised_at: None,
        history: Vec::new(),
        basis: None,
        status: shared::EscalationStatus::Open,
    }
}
