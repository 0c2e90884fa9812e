//! Render tests of the caseload, child and lock screens, through the real app over a real
//! encrypted store of invented children.

mod ui_support;

use ui_support::*;

fn caseload_app() -> (AppUnderTest, shared::Child, shared::Child) {
    let on_track = child("Olly", "Ontrack", false);
    let soon = child("Sasha", "Soon", false);
    let today_child = child("Toby", "Today", true);
    let overdue = child("Ellie", "Overdue", false);
    let covered = child("Cara", "Cover", false);
    let cover_ends = today() + chrono::Duration::days(9);
    let app = AppUnderTest::new(
        &[
            (on_track.clone(), vec![seen_visit(&on_track, last_seen_for("ok"), "I like football")]),
            (soon.clone(), vec![seen_visit(&soon, last_seen_for("soon"), "My bike is red")]),
            (
                today_child.clone(),
                vec![seen_visit(&today_child, last_seen_for("today"), "Mum cooks pierogi")],
            ),
            (
                overdue.clone(),
                vec![seen_visit(&overdue, last_seen_for("overdue"), "Nan took me to the beach")],
            ),
            (covered.clone(), vec![seen_visit(&covered, last_seen_for("ok"), "I have a cat")]),
        ],
        &[cover(&covered, cover_ends)],
        &[],
    );
    app.unlock();
    (app, overdue, covered)
}

#[test]
fn the_caseload_lists_the_overdue_child_first_then_due_today_due_soon_and_on_track() {
    let (app, _, _) = caseload_app();
    let html = app.render("/", "Olly Ontrack");
    let ellie = position(&html, "Ellie Overdue");
    let toby = position(&html, "Toby Today");
    let sasha = position(&html, "Sasha Soon");
    let olly = position(&html, "Olly Ontrack");
    assert!(ellie < toby && toby < sasha && sasha < olly, "order was wrong:\n{html}");
    // Words and an icon, never colour alone.
    assert!(position(&html, "Overdue by") < toby);
    assert!(html.contains("⚠") && html.contains("Due today") && html.contains("Due in"));
    assert!(html.contains("1 overdue."));
}

#[test]
fn the_caseload_counts_its_children_in_words_that_agree() {
    let (app, _, _) = caseload_app();
    let html = app.render("/", "Olly Ontrack");
    assert!(html.contains("5 children. "), "{html}");

    let only = child("Olly", "Only", false);
    let app = AppUnderTest::new(
        &[(only.clone(), vec![seen_visit(&only, last_seen_for("ok"), "I like trains")])],
        &[],
        &[],
    );
    app.unlock();
    let html = app.render("/", "Olly Only");
    assert!(html.contains("1 child. ") && html.contains("None overdue."), "{html}");
    assert!(!html.contains("1 children"), "{html}");
}

#[test]
fn a_plan_for_daily_visits_reads_every_1_working_day() {
    let mut daily = child("Dara", "Daily", false);
    daily.plan.as_mut().expect("on a plan").visit_frequency_working_days = 1;
    let app = AppUnderTest::new(
        &[(daily.clone(), vec![seen_visit(&daily, last_seen_for("ok"), "I like trains")])],
        &[],
        &[],
    );
    app.unlock();
    let page = app.render(&format!("/child/{}", daily.id), "Child protection plan");
    assert!(page.contains(">1 working day<"), "{page}");
    assert!(!page.contains("1 working days"), "{page}");
}

#[test]
fn each_child_shows_when_last_seen_in_working_days_and_when_last_seen_alone() {
    let (app, _, _) = caseload_app();
    let html = app.render("/", "Olly Ontrack");
    let seen = last_seen_for("overdue").format("%d/%m/%Y").to_string();
    assert!(html.contains(&format!("Last seen: {seen} (")), "{html}");
    assert!(html.contains("working days ago)"));
    assert!(html.contains(&format!("Last seen alone: {seen}")));
}

#[test]
fn a_cover_case_is_marked_with_the_end_of_cover() {
    let (app, _, _) = caseload_app();
    let html = app.render("/", "Cara Cover");
    let ends = (today() + chrono::Duration::days(9)).format("%d/%m/%Y").to_string();
    assert!(html.contains(&format!("Cover until {ends}")), "{html}");
}

/// A key worker whose child a duty worker covers (while they are away, say) is not told that they
/// are the one covering. Their phone holds the duty worker's cover (the server sends it with the
/// child's changes); before, any cover of the child marked it, so the key worker read "Cover
/// until", "You are covering this child" and was sent to the handover first.
#[test]
fn someone_elses_cover_of_the_child_does_not_mark_it_as_covered_by_this_worker() {
    let cara = child("Cara", "Keyworker", false);
    let someone_else = shared::people::CoverAssignment {
        duty_worker: shared::WorkerId::new(),
        ..cover(&cara, today() + chrono::Duration::days(9))
    };
    let app = AppUnderTest::new(
        &[(cara.clone(), vec![seen_visit(&cara, last_seen_for("ok"), "I have a cat")])],
        &[someone_else],
        &[],
    );
    app.unlock();
    let html = app.render("/", "Cara Keyworker");
    assert!(!html.contains("Cover until"), "{html}");
    let page = app.render(&format!("/child/{}", cara.id), "Child protection plan");
    assert!(!page.contains("You are covering this child"), "{page}");
}

#[test]
fn the_child_screen_shows_plan_last_seen_words_and_interpreter_needs() {
    let (app, _, _) = caseload_app();
    let html = app.render("/", "Toby Today");
    let toby_id = html
        .split("href=\"/child/")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap_or_default().to_owned())
        .find(|id| app.render(&format!("/child/{id}"), "Communication").contains("Toby Today"))
        .expect("Toby's link");
    let page = app.render(&format!("/child/{toby_id}"), "Child protection plan");
    assert!(page.contains("Neglect, Emotional abuse"), "harms: {page}");
    assert!(page.contains("Attend school every day"), "actions");
    assert!(page.contains("10 working days"), "frequency");
    assert!(page.contains("Mum cooks pierogi"), "recent words");
    assert!(page.contains("Needs an interpreter (Polish)"), "the mother's interpreter need");
    assert!(page.contains("Last seen alone"));
}

#[test]
fn the_lock_screen_shows_no_child_names() {
    let (app, _, _) = caseload_app();
    app.services.lock();
    let html = app.render("/", "Your PIN");
    for name in ["Ellie", "Toby", "Sasha", "Olly", "Cara"] {
        assert!(!html.contains(name), "{name} shown while locked:\n{html}");
    }
}

#[test]
fn a_wrong_pin_says_how_many_tries_are_left() {
    let (app, _, _) = caseload_app();
    app.services.lock();
    let refused = app.runtime.block_on(app.services.unlock("9999".into()));
    assert!(refused.expect_err("wrong PIN").to_string().contains("4 more wrong PINs"));
    let html = app.render("/", "tries left");
    assert!(html.contains("4 tries left before this phone"), "{html}");

    // The last chance is said as one, never "1 tries".
    for _ in 0..2 {
        let _ = app.runtime.block_on(app.services.unlock("9999".into()));
    }
    let refused = app.runtime.block_on(app.services.unlock("9999".into()));
    assert!(refused.expect_err("wrong PIN").to_string().contains("1 more wrong PIN will wipe"));
    let html = app.render("/", "try left");
    assert!(html.contains("1 try left before this phone"), "{html}");
}

#[test]
fn offline_a_plan_without_its_icpc_date_is_tracked_from_its_start_as_the_server_tracks_it() {
    // Registered two years ago, no ICPC date imported, no core group known: offline, the phone
    // works the dates out itself, and must give the server's.
    let child = child("Nia", "Noicpc", false);
    let plan = child.plan.clone().unwrap();
    assert_eq!(plan.details.initial_conference_on, None);
    let app = AppUnderTest::new(&[(child.clone(), vec![])], &[], &[]);
    app.unlock();

    let view = app.runtime.block_on(app.services.plan_timeline(child.id)).expect("timeline");
    assert!(!view.from_server, "worked out on the phone");
    assert_eq!(view.counted_from, Some(plan.registered_on));
    let (core, review) = shared::timeline::plan_dates(
        shared::Calendar::jersey(),
        &shared::timeline::Timescales::default(),
        &plan,
        &[],
        today(),
    )
    .expect("the server tracks it");
    let phone_core = view.core_group.as_ref().expect("the phone tracks it too");
    assert_eq!((phone_core.due, phone_core.overdue), (core.due, core.overdue));
    assert!(phone_core.overdue, "no core group in two years");
    assert_eq!(view.review_conference.as_ref().map(|r| r.due), Some(review.due));

    let page = app.render(&format!("/child/{}", child.id), "No initial conference date on the record");
    let start = plan.registered_on.format("%d/%m/%Y").to_string();
    // The server-side renderer escapes the apostrophe.
    assert!(page.contains(&format!("counted from the plan&#39;s start, {start}.")), "{page}");
    assert!(!page.contains("Not tracked"), "{page}");
}

#[test]
fn offline_a_timeline_kept_from_an_earlier_day_is_judged_on_today() {
    // The server's answer a week ago: the core group due a week ago today, and the school's
    // report due today, neither overdue then. The phone is out of signal today.
    let child = child("Kai", "Keptcopy", false);
    let today = today();
    let week_ago = today - chrono::Duration::days(7);
    let action = |n: u128, owner: &str, due_on: chrono::NaiveDate| {
        serde_json::json!({
            "action": {
                "id": uuid::Uuid::from_u128(n), "description": format!("{owner}'s part"), "owner": owner,
                "due_on": due_on,
            },
            "agreed_at": "Core group meeting", "agreed_on": week_ago - chrono::Duration::days(30),
            "overdue": false, "on_current_plan": true,
        })
    };
    let kept = serde_json::json!({
        "child_id": child.id,
        "counted_from": week_ago - chrono::Duration::days(60),
        "core_group": {"due": week_ago, "overdue": false, "working_days_overdue": 0},
        "review_conference": {"due": today + chrono::Duration::days(60), "overdue": false, "working_days_overdue": 0},
        "meetings": [],
        "open_actions": [action(1, "School", today), action(2, "Health visitor", week_ago)],
        "done_actions": [],
    });
    let id = child.id;
    let app = AppUnderTest::prepared(&[(child, vec![])], &[], &[], |store| {
        store.save_timeline(id, &kept, None).expect("keep the timeline");
    });
    app.unlock();

    let view = app.runtime.block_on(app.services.plan_timeline(id)).expect("timeline");
    assert!(!view.from_server);
    let late_by = shared::Calendar::jersey().working_days_between(week_ago, today).max(1);
    let core = view.core_group.as_ref().expect("kept");
    assert!(core.overdue, "{core:?}");
    assert_eq!(core.working_days_overdue, u32::try_from(late_by).unwrap());

    let page = app.render(&format!("/child/{id}"), "(due today)");
    let due = week_ago.format("%d/%m/%Y");
    let core_words = format!("Overdue by {}: was due by {due}", shared::text::working_days(late_by));
    assert!(page.contains(&core_words), "{page}");
    assert!(page.contains(&format!("School, by {} (due today)", today.format("%d/%m/%Y"))), "{page}");
    assert!(page.contains(&format!("Health visitor, by {due} (overdue)")), "{page}");
}

/// The caseload is read again after every sync that reaches the server (every minute with
/// signal). Meanwhile the list stays on screen: blanked and drawn again, it would start the
/// worker again at the top of a long list.
#[test]
fn after_a_sync_the_caseload_is_read_again_without_going_blank() {
    let maja = child("Maja", "Test", false);
    let ellie = child("Ellie", "Test", false);
    let (address, server) = stub_server(pull_bringing_after_a_second(&ellie));
    let app =
        AppUnderTest::signed_in_to(&address, shared::Role::SocialWorker, &[(maja, vec![])], &[], &[], |_| {});
    app.unlock();
    for html in &app.renders_from("/", "Maja Test", "Ellie Test") {
        assert!(html.contains("Maja Test"), "the list stays on screen while read again: {html}");
    }
    drop(app);
    drop(server);
}

/// A child's page is read again after every sync that reaches the server. Meanwhile it stays
/// on screen, with whatever the worker had opened, and then shows what the sync brought.
#[test]
fn after_a_sync_the_childs_page_is_read_again_without_going_blank() {
    let maja = child("Maja", "Test", false);
    let visit = seen_visit(&maja, today(), "We went to the beach");
    let (pull, _) = pull_after_a_second(vec![shared::sync::ChangeEvent::Visit { visit: Box::new(visit) }]);
    let (address, server) = stub_server(pull);
    let app = AppUnderTest::signed_in_to(
        &address,
        shared::Role::SocialWorker,
        &[(maja.clone(), vec![])],
        &[],
        &[],
        |_| {},
    );
    app.unlock();
    let page = format!("/child/{}", maja.id);
    for html in &app.renders_from(&page, "Child protection plan", "We went to the beach") {
        assert!(html.contains("Child protection plan"), "the page stays on screen while read again: {html}");
    }
    drop(app);
    drop(server);
}

/// The child's page reads the plan's timeline again after every sync. With signal, it names
/// the copy kept on the phone: while the server says that is current (304), nothing comes and
/// the copy kept is shown as the server's; a new timeline replaces it.
#[test]
fn the_timeline_is_asked_for_by_the_tag_of_the_copy_kept_and_shown_from_it_while_unchanged() {
    use std::sync::atomic::Ordering;

    use shared::Role;

    let child = child("Tam", "Tagged", false);
    let id = child.id;
    let today = today();
    // Each version moves the review conference on by 30 days.
    let file = TaggedFile::serve(
        &format!("/api/children/{id}/timeline"),
        "application/json",
        move |version| {
            let review = today + chrono::Duration::days(30 * i64::from(version));
            serde_json::to_vec(&serde_json::json!({
            "child_id": id, "counted_from": today - chrono::Duration::days(60),
            "core_group": {"due": today + chrono::Duration::days(10), "overdue": false, "working_days_overdue": 0},
            "review_conference": {"due": review, "overdue": false, "working_days_overdue": 0},
            "meetings": [], "open_actions": [], "done_actions": [],
        }))
        .unwrap()
        },
    );
    let app =
        AppUnderTest::signed_in_to(&file.address, Role::SocialWorker, &[(child, vec![])], &[], &[], |_| {});
    app.unlock();
    let read = || app.runtime.block_on(app.services.plan_timeline(id)).expect("timeline");
    let review = |view: &mobile::app::model::TimelineView| view.review_conference.as_ref().map(|r| r.due);

    let first = read();
    assert!(first.from_server);
    assert_eq!(review(&first), Some(today + chrono::Duration::days(30)));
    let again = read();
    assert_eq!(again, first, "unchanged: the copy kept is shown, as the server's");

    file.version.store(2, Ordering::SeqCst);
    let moved = read();
    assert!(moved.from_server);
    assert_eq!(review(&moved), Some(today + chrono::Duration::days(60)), "a new timeline replaces it");

    assert_eq!(file.named(), [None, Some("W/\"v1\"".to_owned()), Some("W/\"v1\"".to_owned())]);
}

/// A safety warning recorded at 23:30 UTC on a summer evening was recorded at 00:30 in Jersey,
/// the next day: the child's page gives the authority's date, as every business date is, not
/// the UTC one.
#[test]
fn a_safety_warning_recorded_just_after_midnight_in_jersey_gives_that_day() {
    use chrono::TimeZone;
    let mut child = child("Wren", "Warning", false);
    child.safety_warnings.push(shared::household::SafetyWarning {
        id: shared::SafetyWarningId::new(),
        child_ids: vec![child.id],
        kind: shared::household::SafetyWarningKind::Animal,
        details: "Large dog, kept loose in the garden.".into(),
        recorded_by: WORKER,
        recorded_at: chrono::Utc.with_ymd_and_hms(2026, 7, 15, 23, 30, 0).unwrap(),
        ended: None,
    });
    let app = AppUnderTest::new(&[(child.clone(), vec![])], &[], &[]);
    app.unlock();
    let page = app.render(&format!("/child/{}", child.id), "Safety warning for lone visits");
    assert!(page.contains("Recorded 16/07/2026."), "{page}");
}
