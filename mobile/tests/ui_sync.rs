//! Render tests of the sync status: it never says "sent" while anything is unsent.

mod ui_support;

use chrono::Utc;
use mobile::app::SyncView;
use mobile::app::services::Download;
use shared::Role;
use ui_support::*;

#[test]
fn the_top_bar_never_says_sent_while_records_wait() {
    let unknown = SyncView::default();
    assert!(!unknown.badge().1.contains("sent"), "nothing is claimed before the outbox is read");
    let waiting = SyncView { waiting: 2, last_success: Some(Utc::now()), known: true, ..Default::default() };
    let (_, words) = waiting.badge();
    assert!(words.contains("2 waiting to send"), "{words}");
    assert!(!words.contains("sent"), "{words}");
    let problems = SyncView { problems: 1, known: true, ..Default::default() };
    assert_eq!(problems.badge().1, "1 sync problem");
    assert_eq!(SyncView { known: true, ..Default::default() }.badge().1, "All sent");
    let behind = SyncView { known: true, update_needed: true, ..Default::default() };
    assert_eq!(
        behind.badge(),
        ("flag", "Update the app".to_owned()),
        "not 'All sent' while changes are unread"
    );
    let waiting_too = SyncView { waiting: 1, ..behind };
    assert!(waiting_too.badge().1.contains("1 waiting to send"), "what waits to send comes first");
}

#[test]
fn a_visit_submitted_offline_shows_as_waiting_and_the_screen_does_not_say_sent() {
    let child = child("Maja", "Test", false);
    let mut draft = new_draft(&child);
    draft.location = "Family home".into();
    draft.purpose = "To see the child at home".into();
    draft.announced = Some(shared::Announcement::Announced);
    draft.seen = Some(true);
    draft.seen_alone = Some(true);
    draft.end_now(now());
    let app = AppUnderTest::new(&[(child.clone(), vec![])], &[], &[]);
    app.unlock();
    app.runtime.block_on(app.services.submit(draft)).expect("submitted to the outbox");
    let html = app.render("/sync", "Saved on this phone, waiting to send");
    assert!(html.contains("1 visit, 0 photos"), "{html}");
    assert!(html.contains("Maja Test, visit on"));
    assert!(!html.contains("Everything on this phone has been sent"), "{html}");
    assert!(!html.contains(">All sent<"), "{html}");
}

#[test]
fn with_nothing_waiting_the_sync_screen_says_everything_was_sent() {
    let child = child("Maja", "Test", false);
    let app = AppUnderTest::new(&[(child, vec![])], &[], &[]);
    app.unlock();
    let html = app.render_settled("/sync", "0 visits, 0 photos");
    assert!(html.contains("Sync now"));
    assert!(!html.contains("waiting to send ("), "{html}");
}

fn app_with_a_sent_visit_that(outcome: shared::sync::PushOutcome) -> (AppUnderTest, shared::Child) {
    let child = child("Maja", "Test", false);
    let visit = seen_visit(&child, today(), "I like my school");
    let app = AppUnderTest::prepared(&[(child.clone(), vec![])], &[], &[], |store| {
        store.submit(&visit, Utc::now()).expect("submitted");
        let result = shared::sync::PushResult { visit_id: visit.id, revision: visit.revision, outcome };
        store.record_push_result(&result, Utc::now()).expect("recorded");
    });
    app.unlock();
    (app, child)
}

#[test]
fn a_refused_visit_is_shown_with_the_servers_reason_in_plain_words_and_a_way_to_fix_it() {
    let outcome = shared::sync::PushOutcome::Rejected {
        errors: vec![shared::FieldError::new("location", "Say where the visit took place.")],
    };
    let (app, _) = app_with_a_sent_visit_that(outcome);
    // The top bar says so too, once the sync engine has read the outbox.
    let html = app.render_all("/sync", &["1 sync problem", "Needs you", "Open the visit and fix it"]);
    assert!(
        html.contains("Sync problem: the server refused this visit. Say where the visit took place."),
        "{html}"
    );
    assert!(html.contains("Maja Test, visit on"));
    assert!(html.contains("Open the visit and fix it"));
    assert!(!html.contains("Everything on this phone has been sent"), "{html}");
}

/// The server's answer to `mine` when it holds a version of it at another place.
fn location_conflict(mine: &shared::Visit) -> shared::sync::PushOutcome {
    let mut theirs = mine.clone();
    theirs.location = "School".into();
    shared::sync::PushOutcome::Conflict {
        reason: "The location differs.".into(),
        server: Box::new(theirs),
        yours: Box::new(mine.clone()),
    }
}

#[test]
fn a_conflict_is_shown_as_a_newer_version_on_the_server_with_a_way_to_amend() {
    let child = child("Maja", "Test", false);
    let mine = seen_visit(&child, today(), "I like my school");
    let visit_id = mine.id;
    let outcome = location_conflict(&mine);
    let (app, _) = app_with_a_sent_visit_that(outcome);
    let html = app.render("/sync", "Needs you");
    assert!(
        html.contains(
            "Sync problem: the server has a different version of this visit. The location differs."
        ),
        "{html}"
    );
    assert!(html.contains("Look at both versions and amend"));
    // Or keep one version, with a reason, from here.
    assert!(html.contains("Keep the version on the server"), "{html}");
    assert!(html.contains("Keep my version"), "{html}");
    assert!(html.contains("Why you keep one version (required)"), "{html}");
    // Without a reason nothing is sent, and the worker is told why in plain words.
    let said = app.runtime.block_on(app.services.resolve_conflict(
        visit_id,
        1,
        mobile::sync::ConflictChoice::Server,
        "   ".into(),
    ));
    assert_eq!(said.unwrap_err().to_string(), "Say why you keep this version: the reason is required.");
    assert!(app.render("/sync", "Needs you").contains("Keep my version"), "still waiting for the worker");
    assert!(!html.contains("409") && !html.contains("revision"), "no system words: {html}");
}

#[test]
fn when_the_server_ends_the_session_the_app_asks_to_sign_in_again_and_keeps_the_visit_waiting() {
    // A server that answers every request "401: sign in again".
    let refuse = || async {
        (
            axum::http::StatusCode::UNAUTHORIZED,
            axum::Json(serde_json::json!({"error": "unauthorized", "message": "Sign in again."})),
        )
    };
    let (address, server) = stub_server(axum::Router::new().fallback(refuse));
    let child = child("Maja", "Test", false);
    let visit = seen_visit(&child, today(), "I like my school");
    let app = AppUnderTest::signed_in_to(
        &address,
        shared::Role::SocialWorker,
        &[(child, vec![])],
        &[],
        &[],
        |store| {
            store.submit(&visit, Utc::now()).expect("submitted");
        },
    );
    app.unlock();
    // The banner and the screen's count fill in from separate reads, in either order: wait for both.
    let html = app.render_all("/sync", &["asked Sam Social to sign in again", "1 visit, 0 photos"]);
    assert!(html.contains("Everything is safe on this phone"), "{html}");
    assert!(html.contains("<label for=\"again-password\">Password"));
    assert!(!html.contains("Everything on this phone has been sent"));
    drop(app);
    drop(server);
}

#[test]
fn changes_this_version_could_not_read_ask_for_an_update_and_say_nothing_is_lost() {
    let child = child("Maja", "Test", false);
    let app = AppUnderTest::prepared(&[(child, vec![])], &[], &[], |store| {
        store.note_unreadable(2, mobile::store::APP_VERSION, Utc::now()).expect("noted");
    });
    app.unlock();
    // The top bar and the screen fill in from separate reads, in either order: wait for both.
    let html = app.render_all(
        "/sync",
        &["id=\"sync-badge\">Update the app<", "could not read 2 changes from the server"],
    );
    assert!(html.contains("it then fetches everything again, so nothing is lost"), "{html}");
}

#[test]
fn with_every_change_read_the_sync_screen_asks_for_no_update() {
    let child = child("Maja", "Test", false);
    let app = AppUnderTest::new(&[(child, vec![])], &[], &[]);
    app.unlock();
    let html = app.render_settled("/sync", "0 visits, 0 photos");
    assert!(!html.contains("Update the app"), "{html}");
}

/// The sync screen is read again after every sync that reaches the server (every minute with
/// signal). While it is, the screen stays as it was: a screen blanked to "Loading…" and drawn
/// again would lose whatever the worker was typing in it, such as the reason for keeping one
/// version of a visit in conflict.
#[test]
fn after_a_sync_the_sync_screen_is_read_again_without_going_blank() {
    let child = child("Maja", "Test", false);
    let mine = seen_visit(&child, today(), "I like my school");
    let conflict = shared::sync::PushResult {
        visit_id: mine.id,
        revision: mine.revision,
        outcome: location_conflict(&mine),
    };
    let waiting = seen_visit(&child, today(), "I like my teacher");
    // The server accepts the visit waiting to send, and brings nothing new, each a second late.
    let accepted = shared::sync::PushResponse {
        protocol: 1,
        results: vec![shared::sync::PushResult {
            visit_id: waiting.id,
            revision: waiting.revision,
            outcome: shared::sync::PushOutcome::Accepted { needs_review: None },
        }],
    };
    let push = move || {
        let accepted = accepted.clone();
        async move {
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            axum::Json(accepted)
        }
    };
    let (pull, _) = pull_after_a_second(vec![]);
    let (address, server) = stub_server(pull.route("/api/sync/push", axum::routing::post(push)));
    let app = AppUnderTest::signed_in_to(
        &address,
        shared::Role::SocialWorker,
        &[(child, vec![])],
        &[],
        &[],
        |store| {
            store.submit(&mine, Utc::now()).expect("submitted");
            store.record_push_result(&conflict, Utc::now()).expect("recorded");
            store.submit(&waiting, Utc::now()).expect("submitted");
        },
    );
    app.unlock();
    for html in &app.renders_from("/sync", "1 visit, 0 photos", "0 visits, 0 photos") {
        assert!(html.contains("Keep my version"), "the conflict stays on screen while read again: {html}");
        assert!(!html.contains("Loading…"), "{html}");
    }
    drop(app);
    drop(server);
}

/// A report the desk holds is asked for again, after a sync, naming the copy held: while the
/// server says it is unchanged (304) that copy is kept, with nothing downloaded; once it has
/// changed, the new file replaces it.
#[test]
fn a_report_held_is_asked_for_by_its_tag_and_kept_while_unchanged() {
    use std::sync::atomic::Ordering;

    let file = TaggedFile::serve("/api/reports/x.csv", "text/csv", |version| {
        format!("Child,Seen\nTEST-1,version {version}\n").into_bytes()
    });
    let app = AppUnderTest::signed_in_to(&file.address, Role::TeamManager, &[], &[], &[], |_| {});
    app.unlock();
    let download = |held: Option<&Download>| {
        app.runtime.block_on(app.services.download("api/reports/x.csv", "x.csv", held)).expect("fetched")
    };

    let first = download(None);
    assert_eq!(first.bytes, b"Child,Seen\nTEST-1,version 1\n");
    assert_eq!(first.tag.as_deref(), Some("W/\"v1\""));
    let again = download(Some(&first));
    assert_eq!(again, first, "unchanged: the copy held is kept");

    file.version.store(2, Ordering::SeqCst);
    let changed = download(Some(&again));
    assert_eq!(changed.bytes, b"Child,Seen\nTEST-1,version 2\n", "changed: the new file replaces it");
    assert_eq!(changed.tag.as_deref(), Some("W/\"v2\""));
    assert_eq!(changed.file_name, "x.csv");

    assert_eq!(file.named(), [None, Some("W/\"v1\"".to_owned()), Some("W/\"v1\"".to_owned())]);
}

/// Maja is reallocated (or the worker's cover ends) while a visit to her is still a draft on
/// the phone, her words in it. The draft is not stranded: the sync screen lists it, it opens,
/// reviews and submits on the record kept for it, and it then waits to send like any visit.
/// No new visit is started for her.
#[test]
fn a_draft_for_a_child_who_left_the_list_is_listed_on_the_sync_screen_and_can_be_submitted() {
    let maja = child("Maja", "Test", false);
    let mut draft = new_draft(&maja);
    draft.location = "School".into();
    draft.purpose = "To see Maja before the handover".into();
    draft.announced = Some(shared::Announcement::Announced);
    draft.seen = Some(true);
    draft.seen_alone = Some(true);
    draft.child_words = vec!["I want to keep my social worker".into()];
    draft.end_now(now());
    let app = AppUnderTest::prepared(&[(maja.clone(), vec![])], &[], &[draft.clone()], |store| {
        let removed = shared::sync::ChangeEvent::RemovedFromScope {
            child_id: maja.id,
            reason: shared::sync::RemovalReason::Reallocated,
        };
        let page = shared::sync::PullResponse {
            protocol: shared::sync::PROTOCOL_VERSION,
            events: vec![removed],
            cursor: shared::sync::Cursor("removed".into()),
            more: false,
            settings: None,
        };
        store.apply_pull(&page, Utc::now()).expect("applied");
    });
    app.unlock();

    let sync = app.render("/sync", "Not submitted yet");
    assert!(sync.contains("Maja Test, visit started"), "{sync}");
    assert!(sync.contains("Finish the visit to Maja Test"), "{sync}");
    assert!(sync.contains(&format!("href=\"/child/{}/visit\"", maja.id)), "the link opens the draft: {sync}");

    let form = app.render(&format!("/child/{}/visit", maja.id), "Visit to Maja Test");
    assert!(form.contains("I want to keep my social worker"), "the child's words: {form}");
    let review = app.render(&format!("/child/{}/visit/review", maja.id), "Check the visit to Maja");
    assert!(!review.contains("cannot be submitted yet"), "{review}");

    app.runtime.block_on(app.services.submit(draft)).expect("submitted");
    let waiting = app.render("/sync", "Saved on this phone, waiting to send");
    assert!(waiting.contains("Maja Test, visit on"), "named while it waits: {waiting}");
    assert!(!waiting.contains("Not submitted yet"), "{waiting}");
    let again = app.runtime.block_on(app.services.open_draft(maja.id)).expect_err("no new visit");
    assert_eq!(again.0, "Maja is no longer on your list, so a new visit cannot be started here.");
}

/// "Look at both versions and amend": the worker's second phone sent another version first, so
/// the server holds that one and the pull has put it on this phone too. The amendment starts
/// from the server's version; the worker's own version (the child's words it alone holds,
/// their views, the facts, the concerns and whether the child was seen alone) stays on the
/// phone, beside the form, what differs marked, until the amendment is submitted.
#[test]
fn amending_a_conflict_keeps_the_workers_own_version_in_view_beside_the_form() {
    let child = child("Maja", "Test", false);
    let mut mine = seen_visit(&child, today(), "Dad hit me with his belt");
    mine.child_views = "She wants to stay with her nan".into();
    mine.observations.facts = "Bruise on her left arm".into();
    mine.observations.concerns = "Physical harm at home".into();
    let mut theirs = mine.clone();
    theirs.child_words = fixtures::words(&["I like my school"]);
    theirs.child_views = String::new();
    theirs.observations.facts = "Kitchen clean".into();
    theirs.observations.concerns = String::new();
    theirs.seen_alone = Some(shared::SeenAlone::No {
        reason: "Her mother would not leave the room".into(),
        present: vec!["Mother".into()],
        manager_agreed: false,
    });
    let conflict = shared::sync::PushResult {
        visit_id: mine.id,
        revision: mine.revision,
        outcome: shared::sync::PushOutcome::Conflict {
            reason: "The server holds a different version of this visit.".into(),
            server: Box::new(theirs.clone()),
            yours: Box::new(mine.clone()),
        },
    };
    let app = AppUnderTest::prepared(&[(child.clone(), vec![])], &[], &[], |store| {
        store.submit(&mine, Utc::now()).expect("submitted");
        store.record_push_result(&conflict, Utc::now()).expect("recorded");
        // The pull brings the server's version of the same revision.
        store.put_visit(&theirs).expect("pulled");
    });
    app.unlock();
    let opened = app.runtime.block_on(app.services.amend_conflict(mine.id, mine.revision)).expect("amending");
    assert_eq!(opened, child.id);

    let html = app.render(&format!("/child/{}/visit", child.id), "Your own version");
    let form = position(&html, "id=\"visit-form\"");
    let yours = position(&html, "id=\"your-version\"");
    let yours_html = &html[yours..];
    let yours_html = &yours_html[..yours_html.find("</section>").expect("the section ends")];
    assert!(html[form..].contains("I like my school"), "the form starts from the server's version: {html}");
    for kept in [
        "Dad hit me with his belt",
        "She wants to stay with her nan",
        "Bruise on her left arm",
        "Physical harm at home",
    ] {
        assert!(yours_html.contains(kept), "{kept:?} is in view: {yours_html}");
    }
    assert!(yours_html.contains("Seen alone: Yes"), "{yours_html}");
    assert!(yours_html.contains("Not in the form"), "what differs is marked: {yours_html}");
    assert!(yours_html.contains("Add this quote to the form"), "a quote can be carried over: {yours_html}");
    assert!(!html.contains("Keep my version"), "not offered as a conflict meanwhile");

    // Still on the phone when the app is opened again, until the amendment is submitted.
    let again = app.render(&format!("/child/{}/visit", child.id), "Your own version");
    assert!(again.contains("Dad hit me with his belt"), "{again}");
}
