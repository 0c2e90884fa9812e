//! Render tests of the visit form's key states: the big yes/no questions, the reasons that open
//! right under a "No", inline problems, separate quotes and the pre-filled interpreter section.

mod ui_support;

use shared::InterpreterUsed;
use ui_support::*;

#[test]
fn seen_and_seen_alone_are_big_yes_no_buttons_at_the_top() {
    let child = child("Maja", "Test", false);
    let html = render_form(&new_draft(&child), &child, &[]);
    let seen = position(&html, "Was Maja seen?");
    assert!(seen < position(&html, "What the child said, in their words"));
    assert!(html.contains("id=\"seen-yes\"") && html.contains("id=\"seen-no\""));
    // Not asked until the child is known to have been seen.
    assert!(!html.contains("Was Maja seen alone?"));
}

#[test]
fn choosing_not_seen_alone_opens_the_reason_who_was_present_and_manager_agreement_there() {
    let child = child("Maja", "Test", false);
    let mut draft = new_draft(&child);
    draft.seen = Some(true);
    draft.seen_alone = Some(true);
    let alone = render_form(&draft, &child, &["seen_alone"]);
    assert!(!alone.contains("Why was the child not seen alone?"));

    draft.seen_alone = Some(false);
    let html = render_form(&draft, &child, &["seen_alone"]);
    let question = position(&html, "Was Maja seen alone?");
    let reason = position(&html, "Why was the child not seen alone?");
    assert!(question < reason && reason < position(&html, "What the child said, in their words"));
    assert!(html.contains("Who was present?"));
    assert!(html.contains("A manager agreed the child need not be seen alone"));
    // The problem shows inline as soon as the answer is given, not at submit.
    assert!(html.contains("Say why the child was not seen alone."), "{html}");
    assert!(html.contains("Say who was present."));
}

#[test]
fn problems_stay_quiet_for_fields_not_yet_touched() {
    let child = child("Maja", "Test", false);
    let draft = draft_seen_not_alone(&child);
    let html = render_form(&draft, &child, &[]);
    assert!(html.contains("Why was the child not seen alone?"));
    assert!(!html.contains("Say why the child was not seen alone."));
}

#[test]
fn choosing_not_seen_asks_why_and_drops_the_seen_alone_question_and_words() {
    let child = child("Maja", "Test", false);
    let mut draft = new_draft(&child);
    draft.seen = Some(false);
    let html = render_form(&draft, &child, &["seen"]);
    assert!(html.contains("Why was the child not seen?"));
    assert!(html.contains("Say why the child was not seen."));
    assert!(html.contains("counts as a missed visit"));
    assert!(!html.contains("Was Maja seen alone?"));
    assert!(!html.contains("What the child said, in their words"));
}

#[test]
fn the_childs_words_are_listed_as_separate_quotes() {
    let child = child("Maja", "Test", false);
    let mut draft = new_draft(&child);
    draft.seen = Some(true);
    draft.child_words = vec!["I like my school".into(), "My brother shouts".into()];
    let html = render_form(&draft, &child, &[]);
    assert_eq!(html.matches("<blockquote class=\"quote\"").count(), 2, "{html}");
    assert!(position(&html, "I like my school") < position(&html, "My brother shouts"));
    assert!(html.contains("Remove quote 2"));
}

#[test]
fn the_interpreter_section_is_prefilled_and_a_family_member_interpreting_is_flagged() {
    let child = child("Maja", "Test", true);
    let mut draft = new_draft(&child);
    let html = render_form(&draft, &child, &[]);
    assert!(html.contains("Ann Test (mother)"), "{html}");
    assert!(html.contains("value=\"Polish\""), "the language is pre-filled");
    assert!(!html.contains("A family member interpreted"));

    draft.interpreters[0].used = Some(InterpreterUsed::FamilyMember { who: "older sister".into() });
    let flagged = render_form(&draft, &child, &[]);
    assert!(flagged.contains("A family member interpreted. Your manager will see this flagged."));
}

#[test]
fn facts_and_concerns_are_two_boxes_with_hints_and_plan_actions_can_be_picked() {
    let child = child("Maja", "Test", false);
    let html = render_form(&new_draft(&child), &child, &[]);
    assert!(html.contains("What you saw or heard. Only what happened."));
    assert!(html.contains("What you worry about, and why."));
    assert!(position(&html, "id=\"facts\"") < position(&html, "id=\"concerns\""));
    assert!(html.contains("Attend school every day") && html.contains("Mother attends parenting group"));
}

#[test]
fn the_next_visit_is_suggested_from_the_schedule() {
    let child = child("Maja", "Test", false);
    let draft = new_draft(&child);
    let suggested = draft.suggested_next_visit(&child).expect("a plan in force");
    let html = render_form(&draft, &child, &[]);
    assert!(
        html.contains(&format!("Suggested from the schedule: {}.", suggested.format("%d/%m/%Y"))),
        "{html}"
    );
    assert!(html.contains(&format!("value=\"{}\"", suggested.format("%Y-%m-%d"))));
}

/// On a training service whose clock is two weeks ahead of the real one (`--as-of`), a visit
/// started and ended now, on that clock, is not in the future: the form judges it by the
/// service's clock, as the draft's start and the check on submitting do, not by the phone's.
#[test]
fn a_visit_on_a_training_clock_ahead_of_the_phone_is_judged_by_the_services_clock() {
    let child = child("Maja", "Test", false);
    let clock = shared::BusinessClock::with_offset(shared::Tz::Europe__Jersey, chrono::Duration::days(14));
    let started = clock.local(clock.now() - chrono::Duration::minutes(40));
    let mut draft = mobile::draft::VisitDraft::new_for(
        &child,
        WORKER,
        shared::WorkerCapacity::KeyWorker,
        started,
        None,
        shared::CalendarName::Jersey,
    );
    draft.end_now(clock.local(clock.now()));
    let html = render_form_on(clock, &draft, &child, &["started_at", "ended_at"]);
    assert!(!html.contains("in the future"), "{html}");

    // The same visit on a service whose clock is the real one is two weeks ahead of it.
    let live = shared::BusinessClock::live(shared::Tz::Europe__Jersey);
    let html = render_form_on(live, &draft, &child, &["started_at", "ended_at"]);
    assert!(html.contains("The visit cannot start in the future."), "{html}");
}

/// Each date box reads its date back in words under it, tied to the box for a screen reader:
/// the box draws day and month in the phone's order, and the words settle which is which.
#[test]
fn the_visits_dates_are_read_back_in_words_under_their_boxes() {
    let child = child("Maja", "Test", false);
    let draft = new_draft(&child);
    let suggested = draft.suggested_next_visit(&child).expect("a plan in force");
    let html = render_form(&draft, &child, &[]);
    for (id, words) in [
        ("next-visit", mobile::app::model::date_in_words(&suggested.format("%Y-%m-%d").to_string(), false)),
        (
            "started-at",
            mobile::app::model::date_in_words(&draft.started_at.format("%Y-%m-%dT%H:%M").to_string(), true),
        ),
    ] {
        assert!(!words.is_empty());
        assert!(html.contains(&format!("aria-describedby=\"{id}-words\"")), "{html}");
        let shown = position(&html, &format!("id=\"{id}-words\""));
        let paragraph = &html[shown..shown + html[shown..].find("</p>").expect("the words' paragraph ends")];
        assert!(paragraph.ends_with(&format!(">{words}")), "{id}: {words} in {paragraph}");
    }
}

#[test]
fn the_visit_screen_opens_a_saved_draft_and_says_it_is_saved_on_this_phone() {
    let child = child("Maja", "Test", false);
    let mut draft = new_draft(&child);
    draft.facts = "Kitchen clean".into();
    let app = AppUnderTest::new(&[(child.clone(), vec![])], &[], &[draft]);
    app.unlock();
    let html = app.render(&format!("/child/{}/visit", child.id), "Saved on this phone");
    assert!(html.contains("Kitchen clean"), "{html}");
    assert!(html.contains("not sent yet"));
}

/// A sync while the form is open brings the child's record as it stands now: a carer who has
/// moved in, and the plan as a conference reviewed it. The same form, the worker's words kept,
/// then asks about interpreting for that carer and offers the new plan action.
#[test]
fn the_open_visit_form_takes_in_a_new_carer_and_a_reviewed_plan_from_the_next_sync() {
    let child = child("Maja", "Test", false);
    let mut draft = new_draft(&child);
    draft.facts = "Kitchen clean".into();
    let mut now = child.clone();
    now.carers.push(shared::Carer {
        id: shared::CarerId::new(),
        name: "Piotr Nowak".into(),
        relationship: "stepfather".into(),
    });
    let plan = now.plan.as_mut().expect("a plan");
    plan.actions.push(shared::PlanAction {
        id: shared::PlanActionId::new(),
        description: "Stepfather meets the social worker weekly".into(),
    });
    let (address, server) = stub_server(pull_bringing_after_a_second(&now));
    let app = AppUnderTest::signed_in_to(
        &address,
        shared::Role::SocialWorker,
        &[(child.clone(), vec![])],
        &[],
        &[draft],
        |_| {},
    );
    app.unlock();
    let asked = "Record interpreting for Piotr Nowak (stepfather)";
    let seen = app.render_through(&format!("/child/{}/visit", child.id), &["Saved on this phone", asked]);
    assert!(!seen[0].contains("Piotr"), "not before the sync: {}", seen[0]);
    let after = &seen[1];
    assert!(
        after.contains("Interpreting for Piotr Nowak (stepfather) has not been considered."),
        "flagged, as nobody has considered it: {after}"
    );
    assert!(after.contains("Stepfather meets the social worker weekly"), "the reviewed plan: {after}");
    assert!(after.contains("Attend school every day"), "the plan's other actions stay: {after}");
    assert!(after.contains("Kitchen clean"), "the worker's words stay: {after}");
    drop(app);
    drop(server);
}

#[test]
fn an_amendment_asks_why_the_record_is_changing_before_anything_else() {
    let child = child("Maja", "Test", false);
    let submitted = seen_visit(&child, today(), "I like my school");
    let draft = mobile::draft::VisitDraft::amend(&submitted, "", chrono::Utc::now());
    let html = render_form(&draft, &child, &["amendment_reason"]);
    assert!(position(&html, "Why is this record being changed?") < position(&html, "Was Maja seen?"));
    assert!(html.contains("Say why the visit record is being changed."), "{html}");
    assert!(html.contains("The first version is kept."));
}

/// On a training service two weeks ahead of the phone, a visit started now starts on the
/// service's date; an amendment made after it is still the newer of the child's two drafts,
/// and it is the one the visit form opens: when a draft was last changed is the phone's own
/// bookkeeping, on the real clock.
#[test]
fn on_a_training_clock_the_draft_changed_last_is_the_one_the_form_opens() {
    let child = child("Maja", "Test", false);
    let visit = seen_visit(&child, today() - chrono::Days::new(3), "I like my room");
    let clock = shared::BusinessClock::with_offset(shared::Tz::Europe__Jersey, chrono::Duration::days(14));
    let training =
        shared::sync::AuthoritySettings::new(shared::CalendarName::Jersey, &clock, Default::default());
    let app = AppUnderTest::prepared(&[(child.clone(), vec![visit.clone()])], &[], &[], |store| {
        let mut session = store.session().expect("read the session").expect("a session");
        session.settings = Some(training.clone());
        store.save_session(&session).expect("training settings");
    });
    app.unlock();

    let (started, _) = app.runtime.block_on(app.services.open_draft(child.id)).expect("a new draft");
    let jersey = started.started_at.with_timezone(&shared::Tz::Europe__Jersey).date_naive();
    assert_eq!(jersey, clock.today(), "started on the service's date");
    assert!(!started.is_amendment());
    let amendment = mobile::draft::VisitDraft::amend(&visit, "The date was wrong.", chrono::Utc::now());
    app.services.keep_draft(&amendment).expect("keep the amendment");

    let (opened, _) = app.runtime.block_on(app.services.open_draft(child.id)).expect("the newest draft");
    assert!(opened.is_amendment(), "the amendment, made last, is opened");
}

/// 23:35 UTC on 15 July: 00:35 on the 16th in Jersey. 23:35, so the second the training
/// clock's offset rounds away stays within the half hour.
const SUMMER_EVENING_UTC: &str = "2026-07-15T23:35:00+00:00";

/// A service whose clock stands at [`SUMMER_EVENING_UTC`], in Jersey, and the settings it
/// sends a phone.
fn a_jersey_summer_night() -> (shared::BusinessClock, shared::sync::AuthoritySettings) {
    let summer_evening = SUMMER_EVENING_UTC.parse::<chrono::DateTime<chrono::Utc>>().unwrap();
    let clock =
        shared::BusinessClock::starting_at(shared::Tz::Europe__Jersey, summer_evening, chrono::Utc::now());
    let settings =
        shared::sync::AuthoritySettings::new(shared::CalendarName::Jersey, &clock, Default::default());
    (clock, settings)
}

/// Saves `settings` into the phone's session, as a sync does; returns the session.
fn with_settings(
    store: &mobile::store::UnlockedStore,
    settings: &shared::sync::AuthoritySettings,
) -> mobile::store::SessionRecord {
    let mut session = store.session().expect("read the session").expect("a session");
    session.settings = Some(settings.clone());
    store.save_session(&session).expect("settings");
    session
}

/// At 23:35 UTC on a summer evening it is already tomorrow in Jersey, and the caseload says so.
/// A visit started then is dated tomorrow too, at Jersey's offset, whatever zone the phone is
/// set to (this test's phone is in UTC, as the machines it runs on are): a visit dated the day
/// before the caseload's today would not be the visit the caseload counts, nor one a standing
/// decision from today covers.
#[test]
fn a_visit_started_just_after_midnight_in_jersey_is_dated_that_day_on_a_phone_set_to_utc() {
    let child = child("Maja", "Test", false);
    let (clock, settings) = a_jersey_summer_night();
    let app = AppUnderTest::prepared(&[(child.clone(), vec![])], &[], &[], |store| {
        with_settings(store, &settings);
    });
    app.unlock();

    let (started, _) = app.runtime.block_on(app.services.open_draft(child.id)).expect("a new draft");
    assert_eq!(clock.today(), chrono::NaiveDate::from_ymd_opt(2026, 7, 16).unwrap(), "the caseload's today");
    assert_eq!(started.started_at.date_naive(), clock.today(), "the visit's day: {}", started.started_at);
    assert_eq!(started.started_at.offset().local_minus_utc(), 3600, "Jersey's summer offset");
    assert!(started.started_at.to_rfc3339().starts_with("2026-07-16T00:3"), "{}", started.started_at);
}

/// A draft kept on the phone from before the app dated visits that way, stamped with the
/// phone's UTC offset, opens again on the caseload's day, at Jersey's offset, the instant kept.
#[test]
fn a_draft_kept_at_a_utc_phones_offset_opens_on_the_caseloads_day() {
    let child = child("Maja", "Test", false);
    let (clock, settings) = a_jersey_summer_night();
    let kept_at = SUMMER_EVENING_UTC.parse::<chrono::DateTime<chrono::FixedOffset>>().unwrap();
    let app = AppUnderTest::prepared(&[(child.clone(), vec![])], &[], &[], |store| {
        let session = with_settings(store, &settings);
        let mut draft = mobile::draft::VisitDraft::new_for(
            &child,
            session.worker.id,
            shared::WorkerCapacity::KeyWorker,
            kept_at,
            None,
            shared::CalendarName::Jersey,
        );
        draft.child_words = vec!["I like my new school.".into()];
        store.save_draft(&draft).expect("the kept draft");
    });
    app.unlock();

    let (opened, _) = app.runtime.block_on(app.services.open_draft(child.id)).expect("the kept draft");
    assert_eq!(opened.child_words, vec!["I like my new school.".to_owned()], "the kept draft, not a new one");
    assert_eq!(opened.started_at, kept_at, "the same instant");
    assert_eq!(opened.started_at.to_rfc3339(), "2026-07-16T00:35:00+01:00");
    assert_eq!(opened.started_at.date_naive(), clock.today(), "the caseload's today");
}

/// Words typed in the quote box but not added are never dropped on submitting: the review
/// says what to do and "Submit" waits, and a submit is refused all the same.
#[test]
fn the_review_holds_back_a_visit_with_words_typed_but_not_added() {
    let child = child("Maja", "Test", false);
    let mut draft = new_draft(&child);
    draft.location = "Family home".into();
    draft.purpose = "To see the child at home".into();
    draft.announced = Some(shared::Announcement::Announced);
    draft.seen = Some(true);
    draft.seen_alone = Some(true);
    draft.end_now(now());
    draft.typed_quote = "Mum said I can".into();
    let app = AppUnderTest::new(&[(child.clone(), vec![])], &[], &[draft.clone()]);
    app.unlock();

    let review = app.render(&format!("/child/{}/visit/review", child.id), "cannot be submitted yet");
    assert!(review.contains("Add the words typed in the quote box, or clear them."), "{review}");
    let submit = &review[position(&review, "id=\"submit-visit\"")..];
    assert!(submit[..submit.find('>').unwrap()].contains("disabled"), "{review}");
    let refused = app.runtime.block_on(app.services.submit(draft.clone())).expect_err("refused");
    assert_eq!(refused.0, "Add the words typed in the quote box, or clear them.");

    // Back on the form, the words are in the box, to add or clear.
    let form = app.render(&format!("/child/{}/visit", child.id), "Visit to Maja Test");
    assert!(form.contains("initial_value=\"Mum said I can\""), "{form}");
}

/// Interpreting recorded for the mother, then a sync brings the child's record without her:
/// the record's box says plainly that she is no longer on the record, shows the problem that
/// holds the visit back, and offers to remove the record, so the visit can still be sent.
#[test]
fn an_interpreting_record_for_a_carer_no_longer_on_the_record_says_so_and_can_be_removed() {
    let with_mother = child("Maja", "Test", true);
    let mut draft = new_draft(&with_mother);
    assert_eq!(draft.interpreters.len(), 1, "the mother, pre-filled");
    draft.interpreters.insert(
        0,
        shared::InterpreterRecord {
            person: shared::InterpretedPerson::Child,
            needed: false,
            language: None,
            used: None,
            not_used_reason: None,
        },
    );
    let mut without = with_mother.clone();
    without.carers.clear();
    without.communication.carers.clear();

    let html = render_form(&draft, &without, &["interpreters"]);
    assert!(
        html.contains("This parent or carer is no longer on Maja&#39;s record."),
        "said plainly in the record's box: {html}"
    );
    assert!(
        html.contains("This parent or carer is not on the child&#39;s record."),
        "the problem, inline: {html}"
    );
    assert!(html.contains("id=\"remove-interpreting-1\""), "a way to remove it: {html}");
    assert!(html.contains("Remove this interpreting record"), "{html}");
    assert!(!html.contains("id=\"remove-interpreting-0\""), "the child's own record stays: {html}");

    // With the mother still on the record, nothing is said and nothing offered.
    let kept = render_form(&draft, &with_mother, &["interpreters"]);
    assert!(!kept.contains("no longer on Maja&#39;s record"), "{kept}");
    assert!(!kept.contains("Remove this interpreting record"), "{kept}");
}

/// Text over its bound (50,000 characters in Facts, Concerns or the child's views; 4,000 in a
/// quote) is refused by the shared rules: the message shows right under the box it belongs to,
/// and the review names the box in words, not only "This is too long".
#[test]
fn text_over_its_length_bound_is_said_under_its_own_box_and_named_in_the_review() {
    let child = child("Maja", "Test", false);
    let mut draft = new_draft(&child);
    draft.seen = Some(true);
    draft.child_words = vec!["d".repeat(4_001)];
    draft.child_views = "c".repeat(50_001);
    draft.facts = "a".repeat(50_001);
    draft.concerns = "b".repeat(50_001);
    let html = render_form(
        &draft,
        &child,
        &["child_words", "child_views", "observations.facts", "observations.concerns"],
    );
    let under = |field: &str, after: &str, before: &str| {
        let problem = position(&html, &format!("data-field=\"{field}\""));
        assert!(
            position(&html, after) < problem && problem < position(&html, before),
            "{field} under its box"
        );
        assert!(html[problem..].starts_with(&format!("data-field=\"{field}\">This is too long")), "{field}");
    };
    under("child_words[0]", "<blockquote class=\"quote\">", "for=\"new-quote\"");
    under("child_views", "id=\"child-views\"", "id=\"interpreters\"");
    under("observations.facts", "id=\"facts\"", "for=\"concerns\"");
    under("observations.concerns", "id=\"concerns\"", "id=\"purpose-section\"");

    let app = AppUnderTest::new(&[(child.clone(), vec![])], &[], &[draft]);
    app.unlock();
    let review = app.render(&format!("/child/{}/visit/review", child.id), "cannot be submitted yet");
    for named in [
        "Facts: This is too long: at most 50000 characters (it has 50001).",
        "Concerns: This is too long",
        "The child&#39;s views, wishes and feelings: This is too long",
        "Quote 1 of what the child said: This is too long: at most 4000 characters (it has 4001).",
    ] {
        assert!(review.contains(named), "{named:?} in the review");
    }
}
