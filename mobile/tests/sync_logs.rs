//! Logs never carry a child's name, a child's words or a token: everything the app and the
//! server log during sign-in, a full sync, a submitted visit and its push is captured at the
//! most detailed level and searched.

mod core_fixtures;

use std::io::Write;
use std::sync::{Arc, Mutex};

use chrono::Utc;
use mobile::store::LocalStore;
use mobile::sync::{SyncEngine, sign_in};
use shared::DeviceId;
use sync_server::demo::DEMO_PASSWORD;

/// Every log line written, from every thread.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

const WORDS: &str = "the purple elephant sang";

#[tokio::test]
async fn nothing_logged_during_a_full_sync_names_a_child_or_quotes_them() {
    let captured = Captured::default();
    let writer = captured.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .init();

    let server_dir = tempfile::tempdir().unwrap();
    let store = sync_server::store::open(server_dir.path()).unwrap();
    let state = sync_server::AppState::open(store, None, sync_server::Config::default()).await.unwrap();
    sync_server::demo::seed(state.store(), state.calendar(), state.today()).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(sync_server::serve(listener, state, async {
        let _ = stopped.await;
    }));

    let phone_dir = tempfile::tempdir().unwrap();
    let session = sign_in(&url, "sam.social", DEMO_PASSWORD, DeviceId::new(), None).await.unwrap();
    let tokens = [session.access_token.clone(), session.refresh_token.clone()];
    let store =
        LocalStore::open(phone_dir.path()).unwrap().set_pin_with("2468", core_fixtures::quick_kdf()).unwrap();
    store.save_session(&session).unwrap();
    let engine = SyncEngine::new(store.clone());
    engine.signed_in();
    engine.sync_once().await.unwrap();

    let caseload = store.caseload(shared::BusinessClock::default().today()).unwrap();
    let child = caseload[0].child.clone();
    let draft = core_fixtures::draft_for_today(&child, session.worker.id, WORDS);
    store.save_draft(&draft).unwrap();
    let visit = draft.to_visit(Utc::now(), Some(&child)).unwrap();
    store.submit(&visit, Utc::now()).unwrap();
    let report = engine.sync_once().await.unwrap();
    assert_eq!(report.stored, 1);

    let _ = stop.send(());
    server.await.unwrap().unwrap();

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("sync complete"), "the capture works: {} bytes", logs.len());
    assert!(logs.contains(&visit.id.to_string()), "ids are logged, so records can be traced");
    let mut secrets: Vec<String> = caseload
        .iter()
        .flat_map(|e| [e.child.given_name.clone(), e.child.family_name.clone()])
        .chain(child.carers.iter().map(|c| c.name.clone()))
        .collect();
    secrets.push(WORDS.into());
    secrets.extend(tokens);
    secrets.push(DEMO_PASSWORD.into());
    // An unborn child has no name yet: an empty string is not a secret.
    for secret in secrets.into_iter().filter(|s| !s.trim().is_empty()) {
        assert!(!logs.contains(&secret), "{secret:?} appears in the logs");
    }
}
