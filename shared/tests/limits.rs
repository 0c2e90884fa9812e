//! The size and date bounds of `shared::limits`, applied by `Visit::validate` on the phone and
//! on the server alike: one named case per bound, each just over it, and the same record just
//! at it is accepted.

mod support;

use rstest::rstest;
use shared::limits::*;
use shared::*;
use support::*;

fn problems(visit: &Visit) -> Vec<String> {
    match visit.validate(now(), Some(&child())) {
        Ok(()) => vec![],
        Err(errors) => errors.0.into_iter().map(|e| e.field).collect(),
    }
}

fn text(n: usize) -> String {
    "a".repeat(n)
}

fn quotes(n: usize) -> Vec<Quote> {
    (0..n).map(|i| Quote { text: format!("Quote {i}") }).collect()
}

fn not_alone(reason: String, present: Vec<String>) -> Option<SeenAlone> {
    Some(SeenAlone::No { reason, present, manager_agreed: true })
}

fn interpreter(language: String, not_used_reason: Option<String>) -> InterpreterRecord {
    InterpreterRecord {
        person: InterpretedPerson::Child,
        needed: true,
        language: Some(language),
        used: not_used_reason.is_none().then_some(InterpreterUsed::Professional),
        not_used_reason,
    }
}

fn photo(caption: String) -> AttachmentRef {
    AttachmentRef { sha256: "a".repeat(64), media_type: "image/jpeg".into(), caption }
}

#[rstest]
#[case::location_of_three_megabytes(Visit { location: text(3 * 1024 * 1024), ..visit() }, "location")]
#[case::location_one_over(Visit { location: text(MAX_SHORT_TEXT_CHARS + 1), ..visit() }, "location")]
#[case::amendment_reason(Visit { revision: 2, amends: Some(1), status: VisitStatus::Amended, amendment_reason: Some(text(MAX_REASON_CHARS + 1)), ..visit() }, "amendment_reason")]
#[case::not_seen_reason(Visit { seen: Seen::No { reason: text(MAX_REASON_CHARS + 1) }, seen_alone: None, child_words: vec![], ..visit() }, "seen.reason")]
#[case::not_alone_reason(Visit { seen_alone: not_alone(text(MAX_REASON_CHARS + 1), vec!["mother".into()]), ..visit() }, "seen_alone.reason")]
#[case::who_was_present(Visit { seen_alone: not_alone("Asked for mother".into(), vec![text(MAX_SHORT_TEXT_CHARS + 1)]), ..visit() }, "seen_alone.present[0]")]
#[case::too_many_present(Visit { seen_alone: not_alone("Asked for mother".into(), vec!["mother".into(); MAX_PRESENT + 1]), ..visit() }, "seen_alone.present")]
#[case::ten_thousand_quotes(Visit { child_words: quotes(10_000), ..visit() }, "child_words")]
#[case::one_quote_too_long(Visit { child_words: vec![Quote { text: text(MAX_QUOTE_CHARS + 1) }], ..visit() }, "child_words[0]")]
#[case::child_views(Visit { child_views: text(MAX_LONG_TEXT_CHARS + 1), ..visit() }, "child_views")]
#[case::observed_facts(Visit { observations: Observations { facts: text(MAX_LONG_TEXT_CHARS + 1), concerns: String::new() }, ..visit() }, "observations.facts")]
#[case::concerns(Visit { observations: Observations { facts: String::new(), concerns: text(MAX_LONG_TEXT_CHARS + 1) }, ..visit() }, "observations.concerns")]
#[case::interpreter_language(Visit { interpreters: vec![interpreter(text(MAX_SHORT_TEXT_CHARS + 1), None)], ..visit() }, "interpreters[0].language")]
#[case::interpreter_not_used_reason(Visit { interpreters: vec![interpreter("Polish".into(), Some(text(MAX_REASON_CHARS + 1)))], ..visit() }, "interpreters[0].not_used_reason")]
#[case::too_many_interpreters(Visit { interpreters: vec![interpreter("Polish".into(), None); MAX_INTERPRETERS + 1], ..visit() }, "interpreters")]
#[case::purpose(Visit { purpose: Some(text(MAX_REASON_CHARS + 1)), ..visit() }, "purpose")]
#[case::too_many_plan_actions(Visit { plan_actions: vec![fixed(999); MAX_PLAN_ACTIONS + 1], ..visit() }, "plan_actions")]
#[case::too_many_harms(Visit { harms_addressed: vec![HarmCategory::Neglect; MAX_HARMS + 1], ..visit() }, "harms_addressed")]
#[case::too_many_attachments(Visit { attachments: vec![photo(String::new()); MAX_ATTACHMENTS + 1], ..visit() }, "attachments")]
#[case::caption(Visit { attachments: vec![photo(text(MAX_CAPTION_CHARS + 1))], ..visit() }, "attachments[0].caption")]
#[case::next_visit_in_9999(Visit { next_visit_planned: Some(date("9999-12-31")), ..visit() }, "next_visit_planned")]
#[case::next_visit_a_year_and_a_day_later(Visit { next_visit_planned: Some(visit().date() + chrono::Duration::days(MAX_NEXT_VISIT_DAYS_AHEAD + 1)), ..visit() }, "next_visit_planned")]
fn a_field_beyond_its_bound_is_named(#[case] visit: Visit, #[case] field: &str) {
    assert_eq!(problems(&visit), vec![field.to_owned()]);
}

#[rstest]
#[case::location_at_the_bound(Visit { location: text(MAX_SHORT_TEXT_CHARS), ..visit() })]
#[case::quotes_at_the_bound(Visit { child_words: quotes(MAX_QUOTES), ..visit() })]
#[case::long_account_at_the_bound(Visit { observations: Observations { facts: text(MAX_LONG_TEXT_CHARS), concerns: text(MAX_LONG_TEXT_CHARS) }, ..visit() })]
#[case::next_visit_a_year_later(Visit { next_visit_planned: Some(visit().date() + chrono::Duration::days(MAX_NEXT_VISIT_DAYS_AHEAD)), ..visit() })]
#[case::polish_words_count_as_characters(Visit { child_words: vec![Quote { text: "ż".repeat(MAX_QUOTE_CHARS) }], ..visit() })]
fn a_field_at_its_bound_is_accepted(#[case] visit: Visit) {
    assert_eq!(problems(&visit), Vec::<String>::new());
}

#[test]
fn ten_thousand_empty_quotes_give_one_problem_not_ten_thousand() {
    let visit = Visit { child_words: vec![Quote { text: String::new() }; 10_000], ..visit() };
    assert_eq!(problems(&visit), vec!["child_words".to_owned()]);
}

fn absence(starts_on: &str, expected_end: Option<&str>) -> Absence {
    Absence {
        id: fixed(1),
        worker_id: fixed(2),
        kind: AbsenceKind::Sickness,
        starts_on: date(starts_on),
        expected_end: expected_end.map(date),
        recorded_by: fixed(2),
    }
}

fn fields(result: Result<(), ValidationErrors>) -> Vec<String> {
    result.err().map(|e| e.0.into_iter().map(|e| e.field).collect()).unwrap_or_default()
}

#[rstest]
#[case::year_0000(absence("0000-01-01", None), vec!["starts_on"])]
#[case::ends_in_9999(absence("2026-11-20", Some("9999-12-31")), vec!["expected_end"])]
#[case::sick_from_today(absence("2026-11-20", Some("2026-11-27")), vec![])]
#[case::leave_booked_a_year_ahead(absence("2027-11-01", Some("2027-11-14")), vec![])]
fn absence_dates_must_be_within_two_years_of_today(#[case] absence: Absence, #[case] expected: Vec<&str>) {
    assert_eq!(fields(absence.check_dates(date("2026-11-20"))), expected);
}

fn cover(starts_on: &str, ends_on: &str) -> CoverAssignment {
    CoverAssignment {
        id: fixed(1),
        child_id: fixed(2),
        duty_worker: fixed(3),
        covering_for: fixed(4),
        starts_on: date(starts_on),
        ends_on: date(ends_on),
        assigned_by: fixed(5),
    }
}

#[rstest]
#[case::until_9999(cover("2026-11-20", "9999-12-31"), vec!["ends_on"])]
#[case::from_year_0000(cover("0000-01-01", "2026-11-20"), vec!["starts_on"])]
#[case::over_liberation_day(cover("2027-05-07", "2027-05-10"), vec![])]
fn cover_dates_must_be_within_two_years_of_today(
    #[case] cover: CoverAssignment,
    #[case] expected: Vec<&str>,
) {
    assert_eq!(fields(cover.check_dates(date("2026-11-20"))), expected);
}

#[rstest]
#[case::visit_arranged_in_9999(EscalationAction::VisitArranged { date: date("9999-12-31") }, vec!["date"])]
#[case::reason_too_long(EscalationAction::ExceptionAgreed { reason: text(MAX_REASON_CHARS + 1) }, vec!["reason"])]
#[case::visit_arranged_next_week(EscalationAction::VisitArranged { date: date("2026-11-27") }, vec![])]
fn a_managers_action_is_bounded(#[case] action: EscalationAction, #[case] expected: Vec<&str>) {
    assert_eq!(fields(action.check_bounds(date("2026-11-20"))), expected);
}
