//! The visit form's state: pre-filling, inline validation (shared's rules plus "not answered
//! yet"), and turning a draft into a submission or an amendment.

mod core_fixtures;

use core_fixtures::*;
use mobile::draft::VisitDraft;
use shared::visit::{InterpretedPerson, Seen, SeenAlone, VisitStatus};
use shared::{Announcement, CalendarName, InterpreterUsed, WorkerCapacity};

fn fields(draft: &VisitDraft) -> Vec<String> {
    draft.problems(afternoon(), Some(&child_for(draft))).0.into_iter().map(|e| e.field).collect()
}

/// The fixture child with the draft's child id, so child-level checks apply.
fn child_for(draft: &VisitDraft) -> shared::Child {
    let mut c = child();
    c.id = draft.child_id;
    c
}

#[test]
fn a_new_draft_prefills_interpreters_due_state_and_next_visit() {
    let child = child();
    let due = shared::DueState::DueToday { due: date(2025, 3, 3) };
    let draft = VisitDraft::new_for(
        &child,
        WORKER,
        WorkerCapacity::DutyCover,
        visit_start(),
        Some(due),
        CalendarName::Jersey,
    );
    assert_eq!(draft.interpreters.len(), 1, "only the mother needs an interpreter");
    let mother = &draft.interpreters[0];
    assert_eq!(mother.person, InterpretedPerson::Carer { carer_id: MOTHER });
    assert!(mother.needed);
    assert_eq!(mother.language.as_deref(), Some("Polish"));
    assert_eq!(mother.used, None, "the worker records who interpreted");
    assert_eq!(draft.due_state_at_start, Some(due));
    assert_eq!(draft.capacity, WorkerCapacity::DutyCover);
    // Ten working days after Monday 3 March 2025 is Monday 17 March.
    assert_eq!(draft.next_visit_planned, Some(date(2025, 3, 17)));
    assert_eq!(
        (draft.seen, draft.seen_alone, draft.announced),
        (None, None, None),
        "nothing answered for them"
    );
}

#[test]
fn the_next_visit_suggestion_does_not_move_when_the_child_was_not_seen() {
    let child = child();
    let due = shared::DueState::DueSoon { due: date(2025, 3, 5), working_days_left: 2 };
    let mut draft = VisitDraft::new_for(
        &child,
        WORKER,
        WorkerCapacity::KeyWorker,
        visit_start(),
        Some(due),
        CalendarName::Jersey,
    );
    assert_eq!(draft.suggested_next_visit(&child), Some(date(2025, 3, 17)));
    draft.seen = Some(false);
    assert_eq!(draft.suggested_next_visit(&child), Some(date(2025, 3, 5)), "still due by the same date");
}

#[test]
fn an_empty_draft_lists_what_is_not_answered_yet() {
    let draft = VisitDraft::new_for(
        &child(),
        WORKER,
        WorkerCapacity::KeyWorker,
        visit_start(),
        None,
        CalendarName::Jersey,
    );
    let fields = fields(&draft);
    for expected in
        ["seen", "ended_at", "announced", "location", "purpose", "interpreters[0].not_used_reason"]
    {
        assert!(fields.contains(&expected.to_owned()), "{expected} missing from {fields:?}");
    }
    assert!(!fields.contains(&"seen_alone".to_owned()), "seen alone is asked after seen");
}

#[test]
fn seen_but_not_alone_asks_for_the_reason_and_who_was_present_right_away() {
    let child = child();
    let mut draft = complete_draft(&child);
    draft.child_id = child.id;
    assert!(fields(&draft).is_empty(), "{:?}", fields(&draft));

    draft.seen_alone = None;
    assert_eq!(fields(&draft), ["seen_alone"]);
    draft.seen_alone = Some(false);
    assert_eq!(fields(&draft), ["seen_alone.reason", "seen_alone.present"]);
    draft.not_alone_reason = "Child did not want to leave mother".into();
    draft.present = vec!["mother".into(), "  ".into()];
    assert!(fields(&draft).is_empty());
    let visit = draft.to_visit(afternoon(), Some(&child)).unwrap();
    assert_eq!(
        visit.seen_alone,
        Some(SeenAlone::No {
            reason: "Child did not want to leave mother".into(),
            present: vec!["mother".into()],
            manager_agreed: false
        })
    );
}

#[test]
fn not_seen_needs_a_reason_and_forbids_words_and_keeps_typed_reasons_when_toggled() {
    let child = child();
    let mut draft = complete_draft(&child);
    draft.seen = Some(false);
    let problems = fields(&draft);
    assert!(problems.contains(&"seen.reason".to_owned()));
    assert!(problems.contains(&"child_words".to_owned()), "no words from a child not seen");
    draft.not_seen_reason = "No answer at the door".into();
    draft.child_words.clear();
    assert!(fields(&draft).is_empty(), "{:?}", fields(&draft));
    let visit = draft.to_visit(afternoon(), Some(&child)).unwrap();
    assert_eq!(visit.seen, Seen::No { reason: "No answer at the door".into() });
    assert_eq!(visit.seen_alone, None);
    draft.seen = Some(true);
    draft.seen = Some(false);
    assert_eq!(draft.not_seen_reason, "No answer at the door", "flipping the answer loses nothing");
}

#[test]
fn shared_rules_apply_while_typing() {
    let child = child();
    let mut draft = complete_draft(&child);
    draft.child_words.push("   ".into());
    draft.plan_actions.push(shared::PlanActionId::new());
    draft.interpreters[0].used = Some(InterpreterUsed::FamilyMember { who: String::new() });
    draft.ended_at = Some(visit_start() - chrono::Duration::minutes(5));
    let problems = fields(&draft);
    for expected in ["child_words[1]", "plan_actions[1]", "interpreters[0].used.who", "ended_at"] {
        assert!(problems.contains(&expected.to_owned()), "{expected} missing from {problems:?}");
    }
    assert!(draft.to_visit(afternoon(), Some(&child)).is_err());
}

#[test]
fn a_complete_draft_becomes_a_first_submission_with_every_field() {
    let child = child();
    let draft = complete_draft(&child);
    let visit = draft.to_visit(afternoon(), Some(&child)).unwrap();
    assert_eq!(
        (visit.id, visit.revision, visit.amends, visit.status),
        (draft.id, 1, None, VisitStatus::Submitted)
    );
    assert_eq!(visit.child_words[0].text, "I like my new school");
    assert_eq!(visit.observations.facts, draft.facts);
    assert_eq!(visit.announced, Announcement::Unannounced);
    assert_eq!(visit.plan_actions, vec![ACTION_SCHOOL]);
    assert_eq!(visit.recorded_at, afternoon());
    visit.validate(afternoon(), Some(&child)).expect("the server's rules accept it");
}

#[test]
fn an_amendment_is_the_next_revision_naming_the_one_it_amends_and_needs_a_reason() {
    let child = child();
    let visit = complete_draft(&child).to_visit(afternoon(), Some(&child)).unwrap();
    let mut amendment = VisitDraft::amend(&visit, "", afternoon());
    assert_eq!((amendment.id, amendment.revision, amendment.amends), (visit.id, 2, Some(1)));
    assert_eq!(amendment.child_words, vec!["I like my new school".to_owned()]);
    assert!(fields(&amendment).contains(&"amendment_reason".to_owned()));
    amendment.amendment_reason = Some("Added the stepfather's presence".into());
    let amended = amendment.to_visit(afternoon(), Some(&child)).unwrap();
    assert_eq!(amended.status, VisitStatus::Amended);
    assert_eq!(amended.amends, Some(1));
    let mut void = VisitDraft::amend(&amended, "Entered against the wrong child", afternoon());
    void.entered_in_error = true;
    assert_eq!(void.to_visit(afternoon(), Some(&child)).unwrap().status, VisitStatus::EnteredInError);
}

#[test]
fn drafts_round_trip_through_the_stored_form() {
    let draft = complete_draft(&child());
    let json = serde_json::to_string(&draft).unwrap();
    assert_eq!(serde_json::from_str::<VisitDraft>(&json).unwrap(), draft);
}

#[test]
fn a_statutory_draft_needs_plan_actions_or_a_stated_purpose() {
    let child = child();
    let mut draft = complete_draft(&child);
    draft.plan_actions.clear();
    assert_eq!(fields(&draft), ["purpose"]);
    draft.purpose = "To talk with Maja about school".into();
    assert_eq!(fields(&draft), Vec::<String>::new());
    let visit = draft.to_visit(afternoon(), Some(&child_for(&draft))).unwrap();
    assert_eq!(visit.purpose.as_deref(), Some("To talk with Maja about school"));
    draft.kind = shared::VisitKind::Other;
    draft.purpose.clear();
    assert_eq!(fields(&draft), Vec::<String>::new(), "other visits need no purpose");
}

/// A start time typed into the form is read on the wall clock in the authority's zone, with
/// that zone's offset then, whatever offset the draft started with: a phone set to UTC and one
/// set to London date the same typed time alike.
#[rstest::rstest]
#[case::a_summer_night_just_after_midnight("2026-07-16T00:30", "2026-07-16T00:30:00+01:00")]
#[case::a_winter_afternoon("2026-01-15T14:05", "2026-01-15T14:05:00+00:00")]
#[case::the_first_of_the_two_0130s_the_night_the_clocks_go_back(
    "2026-10-25T01:30",
    "2026-10-25T01:30:00+01:00"
)]
#[case::a_time_the_clocks_skip_keeps_the_offset_the_visit_started_with(
    "2026-03-29T01:30",
    "2026-03-29T01:30:00+00:00"
)]
#[case::text_not_yet_a_whole_time_changes_nothing("2026-07-16T0", "2026-03-29T00:50:00+00:00")]
fn a_typed_start_is_read_in_the_authoritys_zone(#[case] typed: &str, #[case] expected: &str) {
    let clock = shared::BusinessClock::live(shared::Tz::Europe__London);
    let started = chrono::DateTime::parse_from_rfc3339("2026-03-29T00:50:00+00:00").unwrap();
    let mut draft =
        VisitDraft::new_for(&child(), WORKER, WorkerCapacity::KeyWorker, started, None, CalendarName::Jersey);
    draft.start_at_typed(&clock, typed);
    assert_eq!(draft.started_at.to_rfc3339(), expected);
}

/// A draft started before the app kept a visit's times in the authority's zone, on a phone set
/// to UTC, shows in that zone when it is opened again: the same instants, on the caseload's
/// day, and the next visit it was filled in with counted from that day.
#[test]
fn a_draft_kept_at_the_phones_offset_shows_in_the_authoritys_zone() {
    let clock = shared::BusinessClock::live(shared::Tz::Europe__Jersey);
    // 23:35 UTC on Wednesday 15 July: 00:35 on Thursday 16 July in Jersey.
    let started = chrono::DateTime::parse_from_rfc3339("2026-07-15T23:35:00+00:00").unwrap();
    let child = child();
    let mut draft =
        VisitDraft::new_for(&child, WORKER, WorkerCapacity::KeyWorker, started, None, CalendarName::Jersey);
    draft.end_now(chrono::DateTime::parse_from_rfc3339("2026-07-16T00:20:00+00:00").unwrap());
    let filled_in = draft.next_visit_planned.expect("a next visit filled in");

    draft.show_in(&clock, &child);

    assert_eq!(draft.started_at.to_rfc3339(), "2026-07-16T00:35:00+01:00");
    assert_eq!(draft.ended_at.map(|at| at.to_rfc3339()), Some("2026-07-16T01:20:00+01:00".to_owned()));
    assert_eq!(draft.started_at, started, "the same instant");
    let moved = draft.next_visit_planned.expect("still a next visit");
    assert!(moved > filled_in, "counted from Thursday, not Wednesday: {filled_in} then {moved}");
    assert_eq!(draft.next_visit_planned, draft.suggested_next_visit(&child), "as the form suggests");
}

/// What the worker chose stays: a next visit they picked, and an amendment's times, which are
/// the revision's it amends (shown otherwise, they would read as a change the worker made).
#[test]
fn a_kept_draft_keeps_a_chosen_next_visit_and_an_amendments_times() {
    let clock = shared::BusinessClock::live(shared::Tz::Europe__Jersey);
    let started = chrono::DateTime::parse_from_rfc3339("2026-07-15T23:35:00+00:00").unwrap();
    let child = child();
    let mut draft =
        VisitDraft::new_for(&child, WORKER, WorkerCapacity::KeyWorker, started, None, CalendarName::Jersey);
    let chosen = chrono::NaiveDate::from_ymd_opt(2026, 7, 20).unwrap();
    draft.next_visit_planned = Some(chosen);
    draft.show_in(&clock, &child);
    assert_eq!(draft.next_visit_planned, Some(chosen));
    assert_eq!(draft.started_at.to_rfc3339(), "2026-07-16T00:35:00+01:00");

    let mut visit = complete_draft(&child).to_visit(afternoon(), Some(&child)).unwrap();
    visit.started_at = started;
    let mut amendment = VisitDraft::amend(&visit, "The carer's name was wrong.", afternoon());
    amendment.show_in(&clock, &child);
    assert_eq!(amendment.started_at.to_rfc3339(), "2026-07-15T23:35:00+00:00", "as the revision has it");
}
