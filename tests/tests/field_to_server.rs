//! The field app's own store and sync engine against a real sync server on a loopback port.

use chrono::Utc;
use integration_tests::{FieldApp, TestServer};
use mobile::store::OutboxState;
use mobile::sync::client::SyncError;
use mobile::sync::{ConflictChoice, ConflictOutcome, EngineConfig, SyncEngine};
use shared::{Child, Visit};

async fn demo_server() -> (tempfile::TempDir, TestServer) {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path(), "127.0.0.1:0".parse().unwrap()).await.unwrap();
    (dir, server)
}

/// The most urgent child on the phone's caseload, as the caseload screen lists first.
fn first_child(app: &FieldApp) -> Child {
    let caseload = app.store.caseload(Utc::now().date_naive()).unwrap();
    assert!(!caseload.is_empty(), "the demo social worker has children on the phone after sign-in");
    caseload[0].child.clone()
}

#[tokio::test]
async fn a_visit_captured_on_the_phone_reaches_the_server_and_the_manager_sees_it() {
    let (_dir, server) = demo_server().await;
    let app = FieldApp::sign_in(&server, "sam.social").await.unwrap();
    let child = first_child(&app);
    let caseload = app.store.caseload(Utc::now().date_naive()).unwrap();
    assert!(
        caseload[0].due_state.is_some_and(|s| s.is_overdue()),
        "the demo caseload lists an overdue child first: {:?}",
        caseload[0].due_state
    );

    let visit = app.visit_to(&child, "I want my dog to come to Grandma's.").unwrap();
    app.submit(&visit).unwrap();
    assert_eq!(app.store.counts().unwrap().waiting, 1, "saved on this phone, not yet sent");

    let report = app.engine.sync_once().await.unwrap();
    assert_eq!((report.pushed, report.stored), (1, 1));
    assert!(app.store.counts().unwrap().all_sent());

    // The child's team manager sees the visit, with the child's own words, on the server.
    let manager = server.sign_in_as("tara.manager").await.unwrap();
    let held = server.visits_of(&manager.access_token, child.id).await.unwrap();
    let held = held.iter().find(|v| v.id == visit.id).expect("the server holds the visit");
    assert_eq!(held.child_words[0].text, "I want my dog to come to Grandma's.");
    assert_eq!(held, &visit, "the server holds exactly what the phone sent");

    // And on the phone the child is no longer overdue.
    let now_state = app
        .store
        .caseload(Utc::now().date_naive())
        .unwrap()
        .into_iter()
        .find(|e| e.child.id == child.id)
        .unwrap()
        .due_state
        .unwrap();
    assert!(!now_state.is_overdue(), "seen today, so not overdue: {now_state:?}");
}

#[tokio::test]
async fn a_visit_saved_while_the_server_is_down_is_sent_when_it_returns() {
    let (dir, server) = demo_server().await;
    let addr = server.addr();
    let app = FieldApp::sign_in(&server, "sam.social").await.unwrap();
    let child = first_child(&app);
    server.stop().await.unwrap();

    let visit = app.visit_to(&child, "Nobody shouts any more.").unwrap();
    app.submit(&visit).unwrap();
    let offline = app.engine.sync_once().await.unwrap_err();
    assert!(matches!(offline, SyncError::Offline(_)), "{offline:?}");
    assert!(offline.is_transient());
    let counts = app.store.counts().unwrap();
    assert_eq!(counts.waiting, 1);
    assert!(!counts.all_sent(), "never 'sent' while the server has not acknowledged it");

    // The app is killed and started again while still offline: the visit is still waiting.
    let app = app.restart().unwrap();
    assert_eq!(app.store.counts().unwrap().waiting, 1);

    let server = TestServer::start(dir.path(), addr).await.unwrap();
    let report = app.engine.sync_once().await.unwrap();
    assert_eq!(report.stored, 1);
    assert!(app.store.counts().unwrap().all_sent());
    let manager = server.sign_in_as("tara.manager").await.unwrap();
    let held = server.visits_of(&manager.access_token, child.id).await.unwrap();
    assert!(held.iter().any(|v| v.id == visit.id));
}

#[tokio::test]
async fn re_sending_after_a_lost_answer_is_a_duplicate_not_a_second_visit() {
    let (_dir, server) = demo_server().await;
    let phone = FieldApp::sign_in(&server, "sam.social").await.unwrap();
    let child = first_child(&phone);
    let visit = phone.visit_to(&child, "Can I stay up late?").unwrap();
    phone.submit(&visit).unwrap();
    phone.engine.sync_once().await.unwrap();

    // A second phone of the same worker holds the same revision (as if the first answer had
    // been lost and the record re-sent): the server recognises it by its id.
    let tablet = FieldApp::sign_in(&server, "sam.social").await.unwrap();
    tablet.submit(&visit).unwrap();
    let report = tablet.engine.sync_once().await.unwrap();
    assert_eq!((report.pushed, report.stored, report.conflicts), (1, 1, 0));

    let manager = server.sign_in_as("tara.manager").await.unwrap();
    let held = server.visits_of(&manager.access_token, child.id).await.unwrap();
    assert_eq!(held.iter().filter(|v| v.id == visit.id).count(), 1, "one visit, not two");
}

#[tokio::test]
async fn conflicting_amendments_from_two_phones_are_both_kept_and_shown() {
    let (_dir, server) = demo_server().await;
    let phone = FieldApp::sign_in(&server, "sam.social").await.unwrap();
    let child = first_child(&phone);
    let original = phone.visit_to(&child, "I like the new flat.").unwrap();
    phone.submit(&original).unwrap();
    phone.engine.sync_once().await.unwrap();
    let tablet = FieldApp::sign_in(&server, "sam.social").await.unwrap();

    let amend = |location: &str, reason: &str| {
        fixtures::amended(&original, reason, |v| {
            v.location = location.into();
            v.recorded_at = Utc::now();
        })
    };
    phone.submit(&amend("Grandmother's home", "Wrong place recorded")).unwrap();
    tablet.submit(&amend("School", "Visit was at school")).unwrap();

    let first = phone.engine.sync_once().await.unwrap();
    assert_eq!(first.stored, 1);
    let second = tablet.engine.sync_once().await.unwrap();
    assert_eq!(second.conflicts, 1, "the second amendment of revision 1 is a conflict, not an overwrite");

    // The tablet shows the conflict with both versions.
    let problems = tablet.store.outbox_problems().unwrap();
    assert_eq!(problems.len(), 1);
    match &problems[0].state {
        OutboxState::Conflict { server: held, yours, .. } => {
            assert_eq!(held.location, "Grandmother's home");
            assert_eq!(yours.location, "School");
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert!(!tablet.store.counts().unwrap().all_sent());

    // The server kept the first amendment, and its manager can see the conflict.
    let manager = server.sign_in_as("tara.manager").await.unwrap();
    let held = server.visits_of(&manager.access_token, child.id).await.unwrap();
    let latest = held.iter().filter(|v| v.id == original.id).max_by_key(|v| v.revision).unwrap();
    assert_eq!((latest.revision, latest.location.as_str()), (2, "Grandmother's home"));
    let (status, conflicts) = server.get_json(&manager.access_token, "/api/conflicts").await.unwrap();
    assert_eq!(status, 200);
    assert!(conflicts.to_string().contains("School"), "the losing version is kept: {conflicts}");
}

#[tokio::test]
async fn a_backlog_larger_than_one_push_goes_in_order_and_every_visit_arrives() {
    let (_dir, server) = demo_server().await;
    let signed_in = FieldApp::sign_in(&server, "sam.social").await.unwrap();
    // Two revisions a push, so five make three pushes, each encoded while the one before it
    // is on its way.
    let config = EngineConfig { push_batch: 2, ..EngineConfig::default() };
    let app = FieldApp {
        engine: std::sync::Arc::new(SyncEngine::with_config(signed_in.store.clone(), config)),
        ..signed_in
    };
    let child = first_child(&app);
    // The outbox sends in order of visit id, then revision: the earlier visit and the first
    // revision of the next go in the first push, its amendment and the third visit in the
    // second, the last alone in the third. Sent out of order, or together, the amendment would
    // reach the server before the revision it amends, and be refused.
    let earlier = app.visit_to(&child, "Dad made pancakes.").unwrap();
    let first = app.visit_to(&child, "I like my new school.").unwrap();
    let corrected = fixtures::amended(&first, "Wrong school named", |v| {
        v.child_words[0].text = "I like my new school, Elm Road.".into();
    });
    let third = app.visit_to(&child, "I was scared at night.").unwrap();
    let last = app.visit_to(&child, "Can the dog come too?").unwrap();
    for visit in [&earlier, &first, &corrected, &third, &last] {
        app.submit(visit).unwrap();
    }

    let report = app.engine.sync_once().await.unwrap();
    assert_eq!((report.pushed, report.stored, report.rejected, report.conflicts), (5, 5, 0, 0));
    assert!(app.store.counts().unwrap().all_sent());
    assert!(app.store.outbox_problems().unwrap().is_empty());

    let manager = server.sign_in_as("tara.manager").await.unwrap();
    let held = server.visits_of(&manager.access_token, child.id).await.unwrap();
    for visit in [&earlier, &first, &corrected, &third, &last] {
        assert!(
            held.contains(visit),
            "the server holds revision {} of {} as the phone sent it",
            visit.revision,
            visit.id
        );
    }
    let revisions: Vec<u32> = held.iter().filter(|v| v.id == first.id).map(|v| v.revision).collect();
    assert_eq!(revisions.len(), 2, "the first visit and its amendment are both kept: {revisions:?}");
}

/// A long backlog held on the phone without signal goes in one push, far past the size from
/// which the app compresses a push body at Zstandard's faster level, and every visit arrives.
#[tokio::test]
async fn a_long_backlog_goes_in_one_large_push_and_every_visit_arrives() {
    let (_dir, server) = demo_server().await;
    let app = FieldApp::sign_in(&server, "sam.social").await.unwrap();
    let child = first_child(&app);
    let visits: Vec<Visit> = (0..120)
        .map(|i| {
            app.visit_to(&child, &format!("Visit {i}: I showed the worker my drawings of the dog.")).unwrap()
        })
        .collect();
    for visit in &visits {
        app.submit(visit).unwrap();
    }
    let json = serde_json::to_vec(&shared::sync::PushRequest {
        protocol: shared::sync::PROTOCOL_VERSION,
        device_id: shared::DeviceId::new(),
        visits: visits.clone(),
    })
    .unwrap();
    assert!(json.len() >= 64 * 1024, "{} bytes: past the 64 KiB of a small push body", json.len());

    let report = app.engine.sync_once().await.unwrap();
    assert_eq!((report.pushed, report.stored, report.rejected), (120, 120, 0));
    assert!(app.store.counts().unwrap().all_sent());
    let manager = server.sign_in_as("tara.manager").await.unwrap();
    let held = server.visits_of(&manager.access_token, child.id).await.unwrap();
    for visit in &visits {
        assert!(held.contains(visit), "the server holds {} as the phone sent it", visit.id);
    }
}

#[tokio::test]
async fn a_visit_the_server_rejects_is_set_aside_and_the_rest_still_go() {
    let (_dir, server) = demo_server().await;
    let app = FieldApp::sign_in(&server, "sam.social").await.unwrap();
    let child = first_child(&app);
    let good = app.visit_to(&child, "My brother helps me read.").unwrap();
    // A record the server must refuse: it claims to amend a revision the server never saw.
    let bad = fixtures::amended(&good, "Fix", |v| v.id = shared::VisitId::new());
    app.submit(&bad).unwrap();
    app.submit(&good).unwrap();

    let report = app.engine.sync_once().await.unwrap();
    assert_eq!(report.pushed, 2);
    assert_eq!(report.stored, 1, "the good visit is stored despite the bad one");
    let problems = app.store.outbox_problems().unwrap();
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].visit.id, bad.id);
    assert!(!matches!(problems[0].state, OutboxState::Waiting | OutboxState::Sent { .. }));
}

#[tokio::test]
async fn a_revoked_phone_is_wiped_at_its_next_sync() {
    let (_dir, server) = demo_server().await;
    let app = FieldApp::sign_in(&server, "sam.social").await.unwrap();
    assert!(!app.store.children().unwrap().is_empty());

    let admin = server.sign_in_as("adam.admin").await.unwrap();
    let (status, body) = server
        .post_json(
            &admin.access_token,
            &format!("/api/admin/devices/{}/revoke", app.device_id),
            &serde_json::json!({}),
        )
        .await
        .unwrap();
    assert!((200..300).contains(&status), "revoke answered {status}: {body}");

    let error = app.engine.sync_once().await.unwrap_err();
    assert!(matches!(error, SyncError::Wipe), "{error:?}");
    let local = mobile::store::LocalStore::open(app.dir.path());
    // Either the directory was removed or it holds nothing that can be unlocked.
    if let Ok(local) = local {
        assert!(!local.has_pin().unwrap(), "no PIN and no data remain after a wipe");
    }
}

#[tokio::test]
async fn a_duty_worker_does_not_receive_children_they_do_not_cover() {
    let (_dir, server) = demo_server().await;
    let sam = FieldApp::sign_in(&server, "sam.social").await.unwrap();
    let dana = FieldApp::sign_in(&server, "dana.duty").await.unwrap();
    let sams: Vec<_> = sam.store.children().unwrap().into_iter().map(|c| c.id).collect();
    let danas: Vec<_> = dana.store.children().unwrap().into_iter().map(|c| c.id).collect();
    assert!(!sams.is_empty());
    assert!(sams.iter().all(|id| !danas.contains(id)), "no cover assigned, so none of Sam's children");
}

/// Two phones of Sam's amend revision 1 of one visit differently: the phone's amendment is
/// stored ("Grandmother's home"), the tablet's is a conflict ("School") shown on the tablet.
async fn conflict_on_the_tablet(server: &TestServer) -> (FieldApp, Visit, Child) {
    let phone = FieldApp::sign_in(server, "sam.social").await.unwrap();
    let child = first_child(&phone);
    let original = phone.visit_to(&child, "I like the new flat.").unwrap();
    phone.submit(&original).unwrap();
    phone.engine.sync_once().await.unwrap();
    let tablet = FieldApp::sign_in(server, "sam.social").await.unwrap();
    let amend = |location: &str, reason: &str| {
        fixtures::amended(&original, reason, |v| {
            v.location = location.into();
            v.recorded_at = Utc::now();
        })
    };
    phone.submit(&amend("Grandmother's home", "Wrong place recorded")).unwrap();
    tablet.submit(&amend("School", "Visit was at school")).unwrap();
    phone.engine.sync_once().await.unwrap();
    assert_eq!(tablet.engine.sync_once().await.unwrap().conflicts, 1);
    (tablet, original, child)
}

async fn latest_location(server: &TestServer, token: &str, child: &Child, visit: &Visit) -> (u32, String) {
    let held = server.visits_of(token, child.id).await.unwrap();
    let latest = held.iter().filter(|v| v.id == visit.id).max_by_key(|v| v.revision).unwrap();
    (latest.revision, latest.location.clone())
}

#[rstest::rstest]
#[case::keeping_the_version_on_the_server(ConflictChoice::Server, (2, "Grandmother's home"))]
#[case::keeping_the_version_on_this_phone(ConflictChoice::Mine, (3, "School"))]
#[tokio::test]
async fn the_worker_resolves_a_conflict_from_the_phone_and_both_versions_stay_on_the_server(
    #[case] keep: ConflictChoice,
    #[case] expected: (u32, &str),
) {
    let (_dir, server) = demo_server().await;
    let (tablet, original, child) = conflict_on_the_tablet(&server).await;
    let outcome = tablet
        .engine
        .resolve_conflict(original.id, 2, keep, "Checked my notebook: this is right.")
        .await
        .unwrap();
    assert_eq!(outcome, ConflictOutcome::Resolved);
    assert!(tablet.store.outbox_problems().unwrap().is_empty(), "no longer shown as a problem");

    let manager = server.sign_in_as("tara.manager").await.unwrap();
    let (revision, location) = latest_location(&server, &manager.access_token, &child, &original).await;
    assert_eq!((revision, location.as_str()), expected);
    let (status, conflicts) = server.get_json(&manager.access_token, "/api/conflicts").await.unwrap();
    assert_eq!(status, 200);
    assert_eq!(conflicts, serde_json::json!([]), "resolved: the manager has nothing left to resolve");
    // Both versions stay in the visit's history on the server.
    let history = server.visits_of(&manager.access_token, child.id).await.unwrap();
    let locations: Vec<&str> =
        history.iter().filter(|v| v.id == original.id).map(|v| v.location.as_str()).collect();
    assert!(locations.contains(&"Grandmother's home"), "{locations:?}");

    // The tablet's next sync brings the outcome down.
    tablet.engine.sync_once().await.unwrap();
    let on_tablet = tablet.store.visits_for(child.id).unwrap();
    let latest = on_tablet.iter().filter(|v| v.id == original.id).max_by_key(|v| v.revision).unwrap();
    assert_eq!((latest.revision, latest.location.as_str()), expected);
}

#[tokio::test]
async fn a_conflict_a_manager_resolved_first_is_set_aside_on_the_phone_with_plain_words() {
    let (_dir, server) = demo_server().await;
    let (tablet, original, _child) = conflict_on_the_tablet(&server).await;
    let manager = server.sign_in_as("tara.manager").await.unwrap();
    let (_, conflicts) = server.get_json(&manager.access_token, "/api/conflicts").await.unwrap();
    let id = conflicts[0]["id"].as_str().unwrap().to_owned();
    let (status, answer) = server
        .post_json(
            &manager.access_token,
            &format!("/api/conflicts/{id}/resolve"),
            &serde_json::json!({"keep": "server", "reason": "Spoke to Sam."}),
        )
        .await
        .unwrap();
    assert_eq!(status, 200, "{answer}");
    let outcome =
        tablet.engine.resolve_conflict(original.id, 2, ConflictChoice::Mine, "Mine is right.").await.unwrap();
    assert_eq!(outcome, ConflictOutcome::AlreadyResolved);
    assert!(tablet.store.outbox_problems().unwrap().is_empty());
}

/// A server restored from a backup does not know the place a phone reached after the backup.
/// The phone pulls everything again instead of failing every sync, and lets go of a child the
/// server no longer sends it.
#[tokio::test]
async fn after_the_server_is_restored_from_a_backup_the_phone_pulls_everything_again() {
    let dir = tempfile::tempdir().unwrap();
    let (live, restored, file) = (dir.path().join("live"), dir.path().join("restored"), dir.path().join("b"));
    let server = TestServer::start(&live, "127.0.0.1:0".parse().unwrap()).await.unwrap();
    let addr = server.addr();
    let phone = FieldApp::sign_in(&server, "sam.social").await.unwrap();
    server.stop().await.unwrap();

    // The nightly backup, taken here from the stopped store.
    {
        let store = sync_server::store::open(&live).unwrap();
        let records = store.backup_records().await.unwrap();
        let out = std::fs::File::create(&file).unwrap();
        sync_server::backup::write_backup(&records, None, out).unwrap();
    }
    // The next day the phone syncs again: the server keeps a new place for it.
    let server = TestServer::start(&live, addr).await.unwrap();
    phone.engine.sync_once().await.unwrap();
    let mut stranger = first_child(&phone);
    stranger.id = shared::ChildId::new();
    stranger.central_id = "NOT-SENT-AGAIN".into();
    phone.store.put_child(&stranger).unwrap();
    let held_before = phone.store.children().unwrap().len();
    server.stop().await.unwrap();

    // The disk is lost; the service is restored from the backup, at the same address.
    sync_server::backup::restore(&file, &restored, &restored.join("blobs")).await.unwrap();
    let server = TestServer::start(&restored, addr).await.unwrap();
    let report = phone.engine.sync_once().await.expect("the phone syncs with the restored server");
    assert!(report.pages >= 1);
    let held: Vec<shared::ChildId> = phone.store.children().unwrap().into_iter().map(|c| c.id).collect();
    assert!(!held.contains(&stranger.id), "a child the server no longer sends is let go");
    assert_eq!(held.len(), held_before - 1, "every other child is still on the phone");
    phone.engine.sync_once().await.expect("and the next sync carries on from the new place");
    server.stop().await.unwrap();
}
