//! One named case per validation rule. Each breaks exactly one rule of an otherwise valid visit
//! and checks that the problem is reported against the right field.

mod support;

use rstest::rstest;
use shared::*;
use support::*;

fn problems(visit: &Visit) -> Vec<String> {
    match visit.validate(now(), Some(&child())) {
        Ok(()) => vec![],
        Err(errors) => errors.0.into_iter().map(|e| e.field).collect(),
    }
}

#[test]
fn the_fixture_visit_is_valid() {
    assert_eq!(problems(&visit()), Vec::<String>::new());
}

fn not_alone(reason: &str, present: &[&str], manager_agreed: bool) -> Option<SeenAlone> {
    Some(SeenAlone::No {
        reason: reason.into(),
        present: present.iter().map(|p| p.to_string()).collect(),
        manager_agreed,
    })
}

#[rstest]
#[case::revision_zero(Visit { revision: 0, ..visit() }, "revision")]
#[case::first_revision_must_be_submitted(Visit { status: VisitStatus::Amended, ..visit() }, "status")]
#[case::amendment_must_name_previous_revision(Visit { revision: 3, amends: Some(1), status: VisitStatus::Amended, amendment_reason: Some("typo".into()), ..visit() }, "amends")]
#[case::amendment_needs_a_reason(Visit { revision: 2, amends: Some(1), status: VisitStatus::Amended, ..visit() }, "amendment_reason")]
#[case::void_needs_a_reason(Visit { revision: 2, amends: Some(1), status: VisitStatus::EnteredInError, amendment_reason: Some("  ".into()), ..visit() }, "amendment_reason")]
#[case::location_required(Visit { location: " ".into(), ..visit() }, "location")]
#[case::date_before_2000(Visit { started_at: at("1999-12-31", 10), ended_at: at("1999-12-31", 11), ..visit() }, "started_at")]
#[case::start_in_the_future(Visit { started_at: at("2026-11-27", 10), ended_at: at("2026-11-27", 11), ..visit() }, "started_at")]
#[case::end_before_start(Visit { ended_at: at("2026-11-20", 9), ..visit() }, "ended_at")]
#[case::longer_than_a_day(Visit { ended_at: at("2026-11-22", 9), ..visit() }, "ended_at")]
#[case::next_visit_before_this_one(Visit { next_visit_planned: Some(date("2026-11-19")), ..visit() }, "next_visit_planned")]
#[case::not_seen_needs_a_reason(Visit { seen: Seen::No { reason: "".into() }, seen_alone: None, child_words: vec![], ..visit() }, "seen.reason")]
#[case::not_seen_cannot_be_seen_alone(Visit { seen: Seen::No { reason: "Out".into() }, child_words: vec![], ..visit() }, "seen_alone")]
#[case::not_seen_has_no_words(Visit { seen: Seen::No { reason: "Out".into() }, seen_alone: None, ..visit() }, "child_words")]
#[case::seen_needs_seen_alone_answered(Visit { seen_alone: None, ..visit() }, "seen_alone")]
#[case::not_alone_needs_a_reason(Visit { seen_alone: not_alone(" ", &["mother"], false), ..visit() }, "seen_alone.reason")]
#[case::not_alone_needs_who_was_present(Visit { seen_alone: not_alone("Child asked for mother", &[], true), ..visit() }, "seen_alone.present")]
#[case::empty_quote(Visit { child_words: vec![Quote { text: "".into() }], ..visit() }, "child_words[0]")]
#[case::interpreter_language_required(Visit { interpreters: vec![InterpreterRecord { person: InterpretedPerson::Child, needed: true, language: None, used: Some(InterpreterUsed::Professional), not_used_reason: None }], ..visit() }, "interpreters[0].language")]
#[case::interpreter_needed_not_used_needs_a_reason(Visit { interpreters: vec![InterpreterRecord { person: InterpretedPerson::Child, needed: true, language: Some("Portuguese".into()), used: None, not_used_reason: None }], ..visit() }, "interpreters[0].not_used_reason")]
#[case::family_interpreter_must_be_named(Visit { interpreters: vec![InterpreterRecord { person: InterpretedPerson::Child, needed: true, language: Some("Polish".into()), used: Some(InterpreterUsed::FamilyMember { who: "".into() }), not_used_reason: None }], ..visit() }, "interpreters[0].used.who")]
#[case::person_listed_twice(Visit { interpreters: vec![InterpreterRecord { person: InterpretedPerson::Child, needed: false, language: None, used: None, not_used_reason: None }, InterpreterRecord { person: InterpretedPerson::Child, needed: false, language: None, used: None, not_used_reason: None }], ..visit() }, "interpreters[1].person")]
#[case::carer_not_on_record(Visit { interpreters: vec![InterpreterRecord { person: InterpretedPerson::Carer { carer_id: fixed(999) }, needed: false, language: None, used: None, not_used_reason: None }], ..visit() }, "interpreters[0].person")]
#[case::plan_action_not_on_plan(Visit { plan_actions: vec![fixed(999)], ..visit() }, "plan_actions[0]")]
#[case::statutory_visit_needs_a_purpose(Visit { plan_actions: vec![], purpose: None, ..visit() }, "purpose")]
#[case::statutory_visit_purpose_cannot_be_blank(Visit { plan_actions: vec![], purpose: Some("  ".into()), ..visit() }, "purpose")]
#[case::visit_for_another_child(Visit { child_id: fixed(2), ..visit() }, "child_id")]
#[case::attachment_hash_malformed(Visit { attachments: vec![AttachmentRef { sha256: "abc".into(), media_type: "image/jpeg".into(), caption: "".into() }], ..visit() }, "attachments[0].sha256")]
#[case::attachment_type_not_accepted(Visit { attachments: vec![AttachmentRef { sha256: "a".repeat(64), media_type: "image/gif".into(), caption: "".into() }], ..visit() }, "attachments[0].media_type")]
fn each_rule_names_its_field(#[case] visit: Visit, #[case] field: &str) {
    assert_eq!(problems(&visit), vec![field.to_owned()]);
}

#[test]
fn every_problem_is_reported_at_once() {
    let visit = Visit {
        location: "".into(),
        seen_alone: not_alone("", &[], false),
        child_words: vec![Quote { text: " ".into() }],
        ..visit()
    };
    assert_eq!(problems(&visit), ["location", "seen_alone.reason", "seen_alone.present", "child_words[0]"]);
}

#[test]
fn problems_are_in_words_a_social_worker_understands() {
    let visit = Visit { seen_alone: not_alone("", &["mother"], false), ..visit() };
    let errors = visit.validate(now(), None).unwrap_err();
    let message = &errors.for_field("seen_alone.reason").next().unwrap().message;
    assert_eq!(message, "Say why the child was not seen alone.");
}

#[test]
fn a_small_device_clock_skew_is_allowed_but_not_more() {
    let slightly_ahead = now() + chrono::Duration::minutes(5);
    let visit = Visit {
        started_at: slightly_ahead.fixed_offset() - chrono::Duration::minutes(30),
        ended_at: slightly_ahead.fixed_offset(),
        next_visit_planned: None,
        ..visit()
    };
    assert!(visit.validate(now(), Some(&child())).is_ok());
    let too_far = Visit { ended_at: (now() + chrono::Duration::minutes(20)).fixed_offset(), ..visit.clone() };
    assert_eq!(problems(&too_far), ["ended_at"]);
}

#[test]
fn a_family_member_interpreting_is_flagged() {
    let record = InterpreterRecord {
        person: InterpretedPerson::Child,
        needed: true,
        language: Some("Polish".into()),
        used: Some(InterpreterUsed::FamilyMember { who: "older sister".into() }),
        not_used_reason: None,
    };
    assert!(record.family_member_interpreted());
    assert!(!record.need_met(), "a family member does not meet an interpreter need");
}

#[test]
fn a_missed_statutory_visit_is_reported_as_missed() {
    let missed = missed_visit_on("2026-11-20", 501);
    assert!(missed.validate(now(), Some(&child())).is_ok());
    assert!(missed.is_missed_statutory());
    assert!(!missed.resets_schedule());
    assert!(!visit().is_missed_statutory());
}

#[rstest]
#[case::plan_actions_alone(Visit { plan_actions: vec![fixed(300)], purpose: None, ..visit() })]
#[case::stated_purpose_alone(Visit { plan_actions: vec![], purpose: Some("To talk with Ellie about school".into()), ..visit() })]
#[case::other_visits_need_no_purpose(Visit { kind: VisitKind::Other, plan_actions: vec![], purpose: None, ..visit() })]
#[case::a_void_needs_no_purpose(Visit { revision: 2, amends: Some(1), status: VisitStatus::EnteredInError, amendment_reason: Some("Wrong child".into()), plan_actions: vec![], purpose: None, ..visit() })]
fn a_statutory_visit_has_its_purpose_in_plan_actions_or_words(#[case] visit: Visit) {
    assert_eq!(problems(&visit), Vec::<String>::new());
}

#[test]
fn a_missing_purpose_says_how_to_give_one() {
    let visit = Visit { plan_actions: vec![], purpose: None, ..visit() };
    let errors = visit.validate(now(), None).unwrap_err();
    let message = &errors.for_field("purpose").next().unwrap().message;
    assert!(message.contains("plan actions") && message.contains("purpose"), "{message}");
}

#[test]
fn a_visit_stored_before_purposes_were_asked_for_still_loads() {
    let mut json = serde_json::to_value(visit()).unwrap();
    json.as_object_mut().unwrap().remove("purpose");
    let old: Visit = serde_json::from_value(json).unwrap();
    assert_eq!(old.purpose, None);
}

#[test]
fn interpreting_not_yet_considered_is_flagged_until_the_record_or_a_visit_answers_it() {
    let mut child = child();
    // The fixture's record: the child's need was never considered; the mother needs Polish.
    assert_eq!(interpreting_not_considered(&child, &[]), [InterpretedPerson::Child]);
    // A visit recording interpreting for the child answers it.
    let answered = Visit {
        interpreters: vec![InterpreterRecord {
            person: InterpretedPerson::Child,
            needed: false,
            language: None,
            used: None,
            not_used_reason: None,
        }],
        ..visit()
    };
    assert_eq!(interpreting_not_considered(&child, std::slice::from_ref(&answered)), []);
    // A voided visit answers nothing.
    let voided = fixtures::voided(&answered, "Wrong child");
    assert_eq!(interpreting_not_considered(&child, &[answered, voided]), [InterpretedPerson::Child]);
    // So does the central record, once it says "considered, not needed".
    child.communication.child = LanguageNeed::no_interpreter_needed(Some("English".into()));
    assert_eq!(child.communication.child.interpreting(), Interpreting::NotNeeded);
    assert_eq!(interpreting_not_considered(&child, &[]), []);
}

#[test]
fn a_carer_with_no_language_record_has_not_been_considered() {
    let mut child = child();
    child.carers.push(Carer {
        id: fixed(401),
        name: "Piotr Testperson".into(),
        relationship: "father".into(),
    });
    let decisions: Vec<Interpreting> = child.interpreting_by_person().into_iter().map(|(_, d)| d).collect();
    assert_eq!(
        decisions,
        [
            Interpreting::NotYetConsidered,
            Interpreting::Needed { language: Some("Polish".into()) },
            Interpreting::NotYetConsidered
        ]
    );
}

#[test]
fn a_language_record_stored_before_interpreting_was_asked_about_still_loads() {
    let old: LanguageNeed =
        serde_json::from_str(r#"{"first_language":"English","interpreter_needed":false}"#).unwrap();
    assert_eq!(old.interpreting(), Interpreting::NotYetConsidered);
    let needed: LanguageNeed =
        serde_json::from_str(r#"{"interpreter_needed":true,"interpreter_language":"Polish"}"#).unwrap();
    assert_eq!(needed.interpreting(), Interpreting::Needed { language: Some("Polish".into()) });
}

#[test]
fn a_child_stored_before_reallocations_and_safety_warnings_still_loads() {
    let mut json = serde_json::to_value(child()).unwrap();
    let record = json.as_object_mut().unwrap();
    record.remove("reallocation");
    record.remove("safety_warnings");
    let old: Child = serde_json::from_value(json).unwrap();
    assert_eq!((old.reallocation.clone(), old.safety_warnings.len()), (None, 0));
    assert_eq!(serde_json::to_value(&old).unwrap().get("safety_warnings"), None, "left out when empty");
}
