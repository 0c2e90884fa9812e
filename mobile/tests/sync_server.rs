//! The sync client and engine against the real sync server, on a loopback port picked by the
//! operating system, with the server's demo data.

mod core_fixtures;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use chrono::Utc;
use mobile::draft::VisitDraft;
use mobile::store::{LocalStore, OutboxState, StoreError, UnlockedStore};
use mobile::sync::{SyncClient, SyncEngine, SyncError, SyncState, sign_in};
use shared::sync::{ChangeEvent, LoginRequest, PROTOCOL_VERSION, PushOutcome, PushRequest, RefreshRequest};
use shared::{Child, DeviceId, Role, Visit};
use sync_server::demo::DEMO_PASSWORD;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A real server over a real sled folder; stopped gracefully so the folder can be reopened.
struct Server {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<anyhow::Result<()>>>,
}

impl Server {
    async fn start(data: &Path, addr: SocketAddr) -> Server {
        let store = sync_server::store::open(data).expect("server store");
        let mut config = sync_server::Config::default();
        config.oversight.blob_dir = Some(data.join("blobs"));
        let state = sync_server::AppState::open(store, None, config).await.unwrap();
        sync_server::demo::seed(state.store(), state.calendar(), state.today()).await.unwrap();
        let listener = tokio::net::TcpListener::bind(addr).await.expect("bind");
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(sync_server::serve(listener, state, async {
            let _ = stopped.await;
        }));
        Server { addr, stop: Some(stop), task: Some(task) }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.unwrap().unwrap();
        }
    }
}

async fn demo_server() -> (tempfile::TempDir, Server) {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), "127.0.0.1:0".parse().unwrap()).await;
    (dir, server)
}

fn login(username: &str, device_id: DeviceId) -> LoginRequest {
    LoginRequest { username: username.into(), password: DEMO_PASSWORD.into(), device_id, device_name: None }
}

/// A phone: a local store with a PIN and a saved session, and an engine over it.
async fn phone(server: &Server, username: &str) -> (tempfile::TempDir, UnlockedStore, Arc<SyncEngine>) {
    let dir = tempfile::tempdir().unwrap();
    let session = sign_in(&server.url(), username, DEMO_PASSWORD, DeviceId::new(), Some("test phone".into()))
        .await
        .unwrap();
    let store =
        LocalStore::open(dir.path()).unwrap().set_pin_with("2468", core_fixtures::quick_kdf()).unwrap();
    store.save_session(&session).unwrap();
    let engine = Arc::new(SyncEngine::new(store.clone()));
    engine.signed_in();
    (dir, store, engine)
}

/// A complete visit to `child` through the app's own form state, started 50 minutes ago.
fn visit_to(child: &Child, worker: shared::WorkerId, words: &str) -> Visit {
    core_fixtures::visit_for_today(child, worker, words)
}

#[tokio::test]
async fn the_client_signs_in_refreshes_with_rotation_and_refuses_a_wrong_password() {
    let (_dir, server) = demo_server().await;
    let client = SyncClient::new(&server.url()).unwrap();
    client.health().await.unwrap();

    let mut wrong = login("sam.social", DeviceId::new());
    wrong.password = "not-the-password".into();
    let error = client.login(&wrong).await.unwrap_err();
    assert!(matches!(error, SyncError::Unauthorized(_)), "{error:?}");
    assert!(!error.is_transient(), "a wrong password is not retried");

    let device = DeviceId::new();
    let tokens = client.login(&login("sam.social", device)).await.unwrap();
    assert_eq!(tokens.worker.role, Role::SocialWorker);
    assert!(tokens.access_expires_at > Utc::now());
    let refreshed = client
        .refresh(&RefreshRequest { refresh_token: tokens.refresh_token.clone(), device_id: device })
        .await
        .unwrap();
    assert_ne!(refreshed.refresh_token, tokens.refresh_token, "refresh tokens rotate");
    client.pull(&refreshed.access_token, None, 10).await.expect("the new access token works");
    let reused =
        client.refresh(&RefreshRequest { refresh_token: tokens.refresh_token, device_id: device }).await;
    assert!(reused.is_err_and(|e| !e.is_transient()), "a spent refresh token is refused");
}

#[tokio::test]
async fn push_answers_every_record_and_one_bad_record_blocks_nothing() {
    let (_dir, server) = demo_server().await;
    let client = SyncClient::new(&server.url()).unwrap();
    let device = DeviceId::new();
    let tokens = client.login(&login("sam.social", device)).await.unwrap();

    // Pull every page: the caseload arrives, and the cursor loop ends.
    let mut children = Vec::new();
    let pages = client
        .pull_all(&tokens.access_token, None, 5, |pulled| {
            assert_eq!(pulled.unreadable, 0, "this version reads everything its own server sends");
            for event in &pulled.page.events {
                if let ChangeEvent::Child { child } = event {
                    children.push((**child).clone());
                }
            }
            Ok::<(), SyncError>(())
        })
        .await
        .unwrap();
    assert!(pages > 1, "a limit of 5 needs several pages for a dozen children and their visits");
    assert!(children.len() >= 10, "sam.social's caseload came down: {}", children.len());

    let good = visit_to(&children[0], tokens.worker.id, "I want to stay at my school");
    let mut bad = visit_to(&children[1], tokens.worker.id, "x");
    bad.location = "  ".into();
    let later = visit_to(&children[2], tokens.worker.id, "My dog is called Biscuit");
    let request = PushRequest {
        protocol: PROTOCOL_VERSION,
        device_id: device,
        visits: vec![good.clone(), bad.clone(), later],
    };
    let response = client.push(&tokens.access_token, &request).await.unwrap();
    let outcomes: Vec<_> = response.results.iter().map(|r| (r.visit_id, r.outcome.is_stored())).collect();
    assert_eq!(outcomes, vec![(good.id, true), (bad.id, false), (request.visits[2].id, true)]);
    let PushOutcome::Rejected { errors } = &response.results[1].outcome else { panic!("bad visit accepted") };
    assert!(errors.iter().any(|e| e.field == "location"), "{errors:?}");

    // Pushing again (a lost answer) is answered "duplicate": nothing is stored twice.
    let again = client.push(&tokens.access_token, &request).await.unwrap();
    assert_eq!(again.results[0].outcome, PushOutcome::Duplicate);
    let held: Vec<Visit> = client
        .get_json(&format!("api/children/{}/visits", children[0].id), &tokens.access_token)
        .await
        .unwrap();
    assert_eq!(held.iter().filter(|v| v.id == good.id).count(), 1);
    assert_eq!(
        held.iter().find(|v| v.id == good.id).unwrap().child_words[0].text,
        "I want to stay at my school"
    );
}

#[tokio::test]
async fn a_visit_saved_while_the_server_is_down_waits_then_syncs_when_it_is_back() {
    let (data, server) = demo_server().await;
    let addr = server.addr;
    let (_phone_dir, store, engine) = phone(&server, "sam.social").await;
    engine.sync_once().await.unwrap();
    let today = shared::BusinessClock::default().today();
    let caseload = store.caseload(today).unwrap();
    assert!(caseload.len() >= 10);
    assert!(caseload[0].due_state.is_some_and(|s| s.is_overdue()), "the overdue child is listed first");
    assert!(engine.current().all_sent());

    server.stop().await;
    let worker = store.session().unwrap().unwrap().worker.id;
    let visit = visit_to(&caseload[0].child, worker, "Can I see my nan at the weekend?");
    store.submit(&visit, Utc::now()).unwrap();
    let error = engine.sync_once().await.unwrap_err();
    assert!(error.is_transient(), "{error:?}");
    let status = engine.current();
    assert!(matches!(status.state, SyncState::Offline { failures: 1, .. }), "{:?}", status.state);
    assert_eq!(status.counts.waiting, 1);
    assert!(!status.all_sent(), "never 'sent' while the visit waits");
    assert!(status.headline().contains("1 visit waiting to send"), "{}", status.headline());

    let server = Server::start(data.path(), addr).await;
    let report = engine.sync_once().await.unwrap();
    assert_eq!((report.pushed, report.stored), (1, 1));
    let status = engine.current();
    assert!(status.all_sent(), "{:?}", status);
    assert_eq!(status.headline(), "All visits sent.");
    assert!(matches!(store.outbox().unwrap()[0].state, OutboxState::Sent { .. }));
    // The server holds it, word for word.
    let token = store.session().unwrap().unwrap().access_token;
    let held: Vec<Visit> = SyncClient::new(&server.url())
        .unwrap()
        .get_json(&format!("api/children/{}/visits", visit.child_id), &token)
        .await
        .unwrap();
    assert!(
        held.iter().any(|v| v.id == visit.id && v.child_words[0].text == "Can I see my nan at the weekend?")
    );
    server.stop().await;
}

#[tokio::test]
async fn an_expired_access_token_is_refreshed_and_the_new_tokens_kept() {
    let (_dir, server) = demo_server().await;
    let (_phone_dir, store, engine) = phone(&server, "sam.social").await;
    let mut session = store.session().unwrap().unwrap();
    let old_refresh = session.refresh_token.clone();
    session.access_expires_at = Utc::now() - chrono::Duration::minutes(1);
    store.save_session(&session).unwrap();
    engine.sync_once().await.unwrap();
    let renewed = store.session().unwrap().unwrap();
    assert_ne!(renewed.refresh_token, old_refresh, "the rotated refresh token is saved");
    assert!(renewed.access_expires_at > Utc::now());
}

#[tokio::test]
async fn a_push_refused_for_its_token_is_sent_again_after_a_refresh() {
    let (_dir, server) = demo_server().await;
    let (_phone_dir, store, engine) = phone(&server, "sam.social").await;
    engine.sync_once().await.unwrap();
    let caseload = store.caseload(shared::BusinessClock::default().today()).unwrap();
    let worker = store.session().unwrap().unwrap().worker.id;
    let visit = visit_to(&caseload[0].child, worker, "I want to stay at my school.");
    store.submit(&visit, Utc::now()).unwrap();
    // The phone believes its access token is good for a while yet; the server refuses it, so
    // the push is answered 401, the engine refreshes, and sends the same push again.
    let mut session = store.session().unwrap().unwrap();
    let old_refresh = session.refresh_token.clone();
    session.access_token = "not-a-token".into();
    store.save_session(&session).unwrap();

    let report = engine.sync_once().await.unwrap();
    assert_eq!((report.pushed, report.stored), (1, 1));
    assert!(engine.current().all_sent());
    let renewed = store.session().unwrap().unwrap();
    assert_ne!(renewed.refresh_token, old_refresh, "the rotated refresh token is saved");
    let held: Vec<Visit> = SyncClient::new(&server.url())
        .unwrap()
        .get_json(&format!("api/children/{}/visits", visit.child_id), &renewed.access_token)
        .await
        .unwrap();
    assert!(held.contains(&visit), "the server holds the visit as the phone sent it");
    server.stop().await;
}

#[tokio::test]
async fn a_revoked_device_wipes_itself_on_the_servers_answer() {
    let (_dir, server) = demo_server().await;
    let (_phone_dir, store, engine) = phone(&server, "sam.social").await;
    engine.sync_once().await.unwrap();
    assert!(!store.children().unwrap().is_empty());
    let device = store.session().unwrap().unwrap().device_id;

    let client = SyncClient::new(&server.url()).unwrap();
    let manager = client.login(&login("tara.manager", DeviceId::new())).await.unwrap();
    let _: serde_json::Value = client
        .post_json(&format!("api/admin/devices/{device}/revoke"), Some(&manager.access_token), &())
        .await
        .unwrap();

    let error = engine.sync_once().await.unwrap_err();
    assert!(matches!(error, SyncError::Wipe), "{error:?}");
    assert_eq!(engine.current().state, SyncState::Wiped);
    assert!(matches!(store.children(), Err(StoreError::Wiped)));
    assert!(!store.local().has_pin().unwrap(), "nothing left to unlock");
}

#[tokio::test]
async fn the_background_loop_retries_and_sync_now_sends_at_once() {
    let (data, server) = demo_server().await;
    let addr = server.addr;
    let (_phone_dir, store, engine) = phone(&server, "sam.social").await;
    engine.sync_once().await.unwrap();
    server.stop().await;
    let child = store.caseload(shared::BusinessClock::default().today()).unwrap()[0].child.clone();
    let worker = store.session().unwrap().unwrap().worker.id;
    store.submit(&visit_to(&child, worker, "hello"), Utc::now()).unwrap();

    let handle = engine.clone().spawn();
    let mut status = handle.status();
    let offline = status.wait_for(|s| matches!(s.state, SyncState::Offline { .. })).await.unwrap().clone();
    assert_eq!(offline.counts.waiting, 1);

    let server = Server::start(data.path(), addr).await;
    handle.sync_now();
    let sent = tokio::time::timeout(std::time::Duration::from_secs(60), status.wait_for(|s| s.all_sent()))
        .await
        .expect("synced after 'sync now'")
        .unwrap()
        .clone();
    assert_eq!(sent.counts.sent, 1);
    handle.stop();
    server.stop().await;
}

#[tokio::test]
async fn photos_are_uploaded_before_the_visit_that_shows_them() {
    let (_dir, server) = demo_server().await;
    let (_phone_dir, store, engine) = phone(&server, "sam.social").await;
    engine.sync_once().await.unwrap();
    let child = store.caseload(shared::BusinessClock::default().today()).unwrap()[0].child.clone();
    let worker = store.session().unwrap().unwrap().worker.id;
    let mut png = Vec::new();
    image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([x as u8 * 4, y as u8 * 5, 120]))
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let attachment = mobile::photo::add_photo(&store, &png, "Child's drawing").unwrap();
    let mut visit = visit_to(&child, worker, "I drew my house");
    visit.attachments.push(attachment.clone());
    store.submit(&visit, Utc::now()).unwrap();
    assert!(!engine.current().all_sent());

    let report = engine.sync_once().await.unwrap();
    assert_eq!((report.photos_uploaded, report.stored), (1, 1));
    assert_eq!(store.counts().unwrap().photos_waiting, 0);
    let token = store.session().unwrap().unwrap().access_token;
    let missing = SyncClient::new(&server.url()).unwrap().missing_blobs(&token, visit.id).await.unwrap();
    assert!(missing.is_empty(), "the server holds the photo: {missing:?}");
    assert!(engine.current().all_sent());
}

#[tokio::test]
async fn rejected_and_conflicting_visits_are_set_aside_and_the_rest_still_go() {
    let (_dir, server) = demo_server().await;
    let (_phone_dir, store, engine) = phone(&server, "sam.social").await;
    engine.sync_once().await.unwrap();
    let caseload = store.caseload(shared::BusinessClock::default().today()).unwrap();
    let worker = store.session().unwrap().unwrap().worker.id;

    // Another of Sam's devices already sent a different version of the same visit.
    let mine = visit_to(&caseload[0].child, worker, "I want to live with my dad");
    let mut other_version = mine.clone();
    other_version.child_words[0].text = "I want to live with my mum".into();
    let client = SyncClient::new(&server.url()).unwrap();
    let other_device = DeviceId::new();
    let tokens = client.login(&login("sam.social", other_device)).await.unwrap();
    let request =
        PushRequest { protocol: PROTOCOL_VERSION, device_id: other_device, visits: vec![other_version] };
    assert!(client.push(&tokens.access_token, &request).await.unwrap().results[0].outcome.is_stored());

    // This phone holds: the conflicting visit, one the server will refuse, and a good one.
    let mut refused = visit_to(&caseload[1].child, worker, "hello");
    refused.location = " ".into();
    let good = visit_to(&caseload[2].child, worker, "My sister made me laugh");
    for visit in [&mine, &refused, &good] {
        store.submit(visit, Utc::now()).unwrap();
    }
    let report = engine.sync_once().await.unwrap();
    assert_eq!((report.pushed, report.stored, report.rejected, report.conflicts), (3, 1, 1, 1));
    let status = engine.current();
    assert_eq!((status.counts.waiting, status.counts.sent, status.counts.problems), (0, 1, 2));
    assert!(!status.all_sent(), "two visits need the worker: never 'all sent'");
    assert_eq!(status.headline(), "2 visits the server could not accept: see below.");
    let problems = store.outbox_problems().unwrap();
    let conflict = problems.iter().find(|e| e.visit.id == mine.id).unwrap();
    let OutboxState::Conflict { server: theirs, .. } = &conflict.state else {
        panic!("{:?}", conflict.state)
    };
    assert_eq!(theirs.child_words[0].text, "I want to live with my mum");
    let rejected = problems.iter().find(|e| e.visit.id == refused.id).unwrap();
    assert!(
        matches!(&rejected.state, OutboxState::Rejected { errors, .. } if errors.iter().any(|e| e.field == "location"))
    );

    // The worker fixes the refused one and amends the server's version of the other.
    let mut fixed = store.reopen_rejected(refused.id, 1, Utc::now()).unwrap();
    fixed.location = "School".into();
    store.submit(&fixed.to_visit(Utc::now(), Some(&caseload[1].child)).unwrap(), Utc::now()).unwrap();
    let amendment =
        VisitDraft::amend(theirs, "The child said both; recorded what they said to me", Utc::now());
    let mut amendment = amendment;
    amendment.child_words.push("I want to live with my dad".into());
    store.submit(&amendment.to_visit(Utc::now(), Some(&caseload[0].child)).unwrap(), Utc::now()).unwrap();
    store.dismiss(mine.id, 1).unwrap();
    let report = engine.sync_once().await.unwrap();
    assert_eq!((report.pushed, report.stored), (2, 2));
    assert!(engine.current().all_sent());
}

#[tokio::test]
async fn reading_the_status_wakes_nobody_unless_the_counts_changed() {
    let (_dir, server) = demo_server().await;
    let (_phone_dir, store, engine) = phone(&server, "sam.social").await;
    engine.sync_once().await.unwrap();
    let mut status = engine.status();
    status.mark_unchanged();
    let _ = engine.current();
    assert!(!status.has_changed().unwrap(), "a UI that re-reads when woken must not spin");
    let child = store.caseload(shared::BusinessClock::default().today()).unwrap()[0].child.clone();
    let worker = store.session().unwrap().unwrap().worker.id;
    store.submit(&visit_to(&child, worker, "hi"), Utc::now()).unwrap();
    assert_eq!(engine.current().counts.waiting, 1);
    assert!(status.has_changed().unwrap(), "a new waiting visit wakes the UI");
}

#[tokio::test]
async fn a_manager_fetches_the_duty_workers_by_name_and_a_social_worker_is_refused() {
    let (_dir, server) = demo_server().await;
    let client = SyncClient::new(&server.url()).unwrap();
    // Mo manages team 2; Dana is team 1's duty worker, and may still cover Mo's children.
    let mo = client.login(&login("mo.manager", DeviceId::new())).await.unwrap();
    let duty = client.staff(&mo.access_token, Some(Role::DutyWorker)).await.unwrap();
    let names: Vec<&str> = duty.iter().map(|w| w.name.as_str()).collect();
    assert_eq!(names, ["Dana Duty"]);
    assert_eq!(duty[0].role, Role::DutyWorker);
    let everyone = client.staff(&mo.access_token, None).await.unwrap();
    assert!(everyone.iter().any(|w| w.name == "Tom North"), "Mo's own team: {everyone:?}");
    assert!(!everyone.iter().any(|w| w.name == "Sam Social"), "not team 1's social workers: {everyone:?}");

    let sam = client.login(&login("sam.social", DeviceId::new())).await.unwrap();
    let refused = client.staff(&sam.access_token, Some(Role::DutyWorker)).await.unwrap_err();
    assert!(matches!(refused, SyncError::Forbidden(_)), "{refused:?}");
    server.stop().await;
}

#[tokio::test]
async fn an_updated_app_pulls_everything_again_that_an_earlier_version_could_not_read() {
    let (_data, server) = demo_server().await;
    let (_phone_dir, store, engine) = phone(&server, "sam.social").await;
    let first = engine.sync_once().await.unwrap();
    assert!(first.pulled.children >= 10, "{first:?}");
    assert_eq!(first.unreadable, 0, "this version reads everything its own server sends");
    let quiet = engine.sync_once().await.unwrap();
    assert_eq!(quiet.pulled.children, 0, "nothing new since: {quiet:?}");

    // The version before this one left out three changes it could not read, and among them,
    // say, the removal of a child who has since left this worker's caseload. Updated, the app
    // pulls everything again, removes the child the server no longer sends, then forgets the
    // note: the "update the app" card goes.
    let departed = core_fixtures::child();
    let page = shared::sync::PullResponse {
        protocol: PROTOCOL_VERSION,
        events: vec![ChangeEvent::Child { child: Box::new(departed.clone()) }],
        cursor: store.pull_cursor().unwrap().unwrap(),
        more: false,
        settings: None,
    };
    store.apply_pull(&page, Utc::now()).unwrap();
    store.note_unreadable(3, "0.0.1-earlier", Utc::now()).unwrap();
    let updated = engine.sync_once().await.unwrap();
    assert_eq!(updated.pulled.children, first.pulled.children, "the whole caseload again: {updated:?}");
    assert_eq!(store.unreadable().unwrap(), None);
    assert!(store.child(departed.id).unwrap().is_none(), "the child who left is gone from the phone");
    assert_eq!(
        store.caseload(shared::BusinessClock::default().today()).unwrap().len(),
        first.pulled.children
    );

    // What this very version could not read waits for an update: no pull from the start, and the
    // note (and the card) stays.
    store.note_unreadable(1, mobile::store::APP_VERSION, Utc::now()).unwrap();
    let same = engine.sync_once().await.unwrap();
    assert_eq!(same.pulled.children, 0, "{same:?}");
    assert_eq!(store.unreadable().unwrap().map(|u| u.count), Some(1));
    server.stop().await;
}

#[tokio::test]
async fn an_unborn_childs_chronology_reads_on_the_phone_with_the_expected_date() {
    let (_data, server) = demo_server().await;
    let client = SyncClient::new(&server.url()).unwrap();
    let tokens = client.login(&login("tara.manager", DeviceId::new())).await.unwrap();
    let children: Vec<Child> = client.get_json("api/children", &tokens.access_token).await.unwrap();
    let unborn = children.iter().find(|c| c.is_unborn()).expect("the demo has an unborn child");
    let view: mobile::app::services::ChronologyView = client
        .get_json(&format!("api/children/{}/chronology", unborn.id), &tokens.access_token)
        .await
        .expect("an unborn child's chronology is read, not refused for its missing date of birth");
    let expected = unborn.details.expected_date_of_birth.expect("expected date");
    assert_eq!(view.birth(), format!("Unborn: expected {}.", expected.format("%d/%m/%Y")));
    server.stop().await;
}
