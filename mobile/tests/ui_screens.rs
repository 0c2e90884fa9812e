//! Render tests of the sign-in, photos, handover and manager's inbox screens.

mod ui_support;

use chrono::Utc;
use shared::{Escalation, EscalationId, EscalationLevel, EscalationReason, EscalationStatus, Role, VisitId};
use ui_support::*;

#[test]
fn sign_in_asks_for_the_server_username_password_and_a_pin_each_with_a_label() {
    let app = signed_out();
    let html = app.render("/", "Sign in once to register this phone");
    for (id, label) in [
        ("server", "Server address"),
        ("username", "Username"),
        ("password", "Password"),
        ("pin", "Choose a PIN for this phone"),
        ("pin-again", "The same PIN again"),
    ] {
        assert!(html.contains(&format!("<label for=\"{id}\">{label}")), "no label for {id}:\n{html}");
        assert!(html.contains(&format!("id=\"{id}\"")));
    }
    assert!(html.contains("value=\"http://127.0.0.1:9\""), "the server address is offered");
    assert!(html.contains("Five wrong PINs wipe this phone"));
    assert!(!html.contains("My children"), "nothing behind the sign-in shows");
}

#[test]
fn a_covered_childs_visit_starts_at_the_handover_which_works_offline() {
    let covered = child("Cara", "Cover", true);
    let visits = vec![seen_visit(&covered, last_seen_for("ok"), "I have a cat called Biscuit")];
    let app = AppUnderTest::new(&[(covered.clone(), visits)], &[cover(&covered, today())], &[]);
    app.unlock();
    let page = app.render(&format!("/child/{}", covered.id), "Start a visit");
    assert!(page.contains(&format!("href=\"/child/{}/handover\"", covered.id)), "{page}");
    assert!(page.contains("Read the handover first"));

    let handover =
        app.render(&format!("/child/{}/handover", covered.id), "I have read this: start the visit");
    assert!(handover.contains("Not fetched from the server just now"), "offline, and says so: {handover}");
    assert!(handover.contains("I have a cat called Biscuit"), "the child's words");
    assert!(handover.contains("Interpreter needed: book one before you go"), "the mother's interpreter need");
    assert!(handover.contains("Attend school every day"), "the plan");
}

#[test]
fn the_photos_screen_offers_a_labelled_picker_for_camera_or_file() {
    let child = child("Maja", "Test", false);
    let app = AppUnderTest::new(&[(child.clone(), vec![])], &[], &[]);
    app.unlock();
    let html = app.render(&format!("/child/{}/visit/photos", child.id), "Photos on this visit (0)");
    assert!(html.contains("<label for=\"photo-file\">Add a photo"), "{html}");
    assert!(html.contains("accept=\"image/jpeg,image/png,image/webp\""));
    assert!(html.contains("Location data is removed on this phone"));
}

#[test]
fn a_manager_is_asked_to_agree_or_disagree_with_a_child_not_seen_alone() {
    let child = child("Maja", "Test", false);
    let escalation = Escalation {
        id: EscalationId::new(),
        child_id: child.id,
        reason: EscalationReason::NotSeenAlone { visit_id: VisitId::new() },
        level: EscalationLevel::TeamManager,
        to: Some(WORKER),
        raised_at: Utc::now(),
        re_raised_at: None,
        status: EscalationStatus::Open,
    };
    let app = AppUnderTest::signed_in_as(Role::TeamManager, &[(child, vec![])], &[], &[], |store| {
        store.put_escalation(&escalation).expect("escalation kept");
    });
    app.unlock();
    let html = app.render("/inbox", "Not seen alone: Maja Test");
    assert!(html.contains("1 waiting for a decision."), "{html}");
    assert!(html.contains(">Agree<") && html.contains(">Disagree<"));
    // Both are refused until the manager gives a reason.
    assert!(html.matches("disabled").count() >= 2, "{html}");
    assert!(html.contains("id=\"nav-inbox\""), "managers get the inbox tab: {html}");
}

#[test]
fn a_social_worker_has_no_inbox_tab() {
    let child = child("Maja", "Test", false);
    let app = AppUnderTest::new(&[(child, vec![])], &[], &[]);
    app.unlock();
    let html = app.render("/", "Maja Test");
    assert!(!html.contains("id=\"nav-inbox\""));
}
