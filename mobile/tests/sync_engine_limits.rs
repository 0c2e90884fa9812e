//! The sync engine at the server's limits, against the real sync server on a loopback port: a
//! backlog larger than the server's 4 MiB body limit, and two cycles at once when the access
//! token is about to expire.

mod core_fixtures;

use std::net::SocketAddr;
use std::sync::Arc;

use chrono::Utc;
use mobile::store::{LocalStore, UnlockedStore};
use mobile::sync::{EngineConfig, SyncEngine, sign_in};
use shared::{Child, DeviceId, Visit};
use sync_server::demo::DEMO_PASSWORD;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

struct Server {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<anyhow::Result<()>>>,
    _data: tempfile::TempDir,
}

impl Server {
    async fn start() -> Server {
        let data = tempfile::tempdir().unwrap();
        let store = sync_server::store::open(data.path()).expect("server store");
        let state = sync_server::AppState::open(store, None, sync_server::Config::default()).await.unwrap();
        sync_server::demo::seed(state.store(), state.calendar(), state.today()).await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(sync_server::serve(listener, state, async {
            let _ = stopped.await;
        }));
        Server { addr, stop: Some(stop), task: Some(task), _data: data }
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

async fn phone(server: &Server, config: EngineConfig) -> (tempfile::TempDir, UnlockedStore, Arc<SyncEngine>) {
    let dir = tempfile::tempdir().unwrap();
    let session =
        sign_in(&server.url(), "sam.social", DEMO_PASSWORD, DeviceId::new(), Some("test phone".into()))
            .await
            .unwrap();
    let store =
        LocalStore::open(dir.path()).unwrap().set_pin_with("2468", core_fixtures::quick_kdf()).unwrap();
    store.save_session(&session).unwrap();
    let engine = Arc::new(SyncEngine::with_config(store.clone(), config));
    engine.signed_in();
    (dir, store, engine)
}

/// A valid visit with facts and concerns of about 38,000 characters each (the bound is 50,000).
fn long_visit(child: &Child, worker: shared::WorkerId, n: usize) -> Visit {
    let mut draft =
        core_fixtures::draft_for_today(child, worker, &format!("Visit {n}: I like my new school"));
    let sentence = |what: &str, i: usize| format!("{what} {n}.{i}: the kitchen was clean and warm. ");
    draft.facts = (0..1000).map(|i| sentence("Fact", i)).collect::<String>().chars().take(38_000).collect();
    draft.concerns =
        (0..1000).map(|i| sentence("Concern", i)).collect::<String>().chars().take(38_000).collect();
    draft.to_visit(Utc::now(), Some(child)).expect("valid visit")
}

/// Sixty long visits waiting: about 4.5 MB of JSON, over the server's 4 MiB.
async fn backlog(store: &UnlockedStore, engine: &SyncEngine) -> usize {
    engine.sync_once().await.expect("first sync brings the caseload");
    let caseload = store.caseload(shared::BusinessClock::default().today()).unwrap();
    let worker = store.session().unwrap().unwrap().worker.id;
    let visits: Vec<Visit> =
        (0..60).map(|n| long_visit(&caseload[n % caseload.len()].child, worker, n)).collect();
    let json: usize = visits.iter().map(|v| serde_json::to_vec(v).unwrap().len()).sum();
    assert!(json > 4 * 1024 * 1024, "the backlog is over the server's limit ({json} bytes)");
    for visit in &visits {
        store.submit(visit, Utc::now()).unwrap();
    }
    engine.refresh_counts();
    assert_eq!(engine.current().counts.waiting, 60);
    visits.len()
}

#[tokio::test]
async fn a_backlog_over_the_servers_body_limit_goes_in_smaller_pushes_and_the_pull_runs() {
    let server = Server::start().await;
    let (_dir, store, engine) = phone(&server, EngineConfig::default()).await;
    let sent = backlog(&store, &engine).await;

    let report = engine.sync_once().await.expect("the backlog goes");
    assert_eq!(report.pushed, sent);
    assert_eq!(report.stored, sent);
    assert!(report.pages >= 1, "the pull ran");
    let counts = engine.current().counts;
    assert_eq!(counts.waiting, 0);
    assert_eq!(counts.sent, sent);
    server.stop().await;
}

#[tokio::test]
async fn a_push_the_server_finds_too_large_is_split_and_sent_again() {
    let server = Server::start().await;
    // Batches by count only, as before: the first push is the whole backlog, and the server
    // answers 413.
    let config = EngineConfig { push_bytes: usize::MAX, ..EngineConfig::default() };
    let (_dir, store, engine) = phone(&server, config).await;
    let sent = backlog(&store, &engine).await;

    let report = engine.sync_once().await.expect("the backlog goes, split");
    assert_eq!((report.pushed, report.stored), (sent, sent));
    assert!(report.pages >= 1, "the pull ran");
    assert_eq!(engine.current().counts.waiting, 0);
    server.stop().await;
}

#[tokio::test]
async fn two_cycles_at_once_near_expiry_refresh_once_and_keep_the_worker_signed_in() {
    let server = Server::start().await;
    let (_dir, store, engine) = phone(&server, EngineConfig::default()).await;
    let mut session = store.session().unwrap().unwrap();
    session.access_expires_at = Utc::now() + chrono::Duration::seconds(30);
    store.save_session(&session).unwrap();

    let (first, second) = tokio::join!(engine.sync_once(), engine.sync_once());
    first.expect("the first cycle succeeds");
    second.expect("the second cycle succeeds");
    let after = store.session().unwrap().expect("still signed in");
    assert_ne!(after.refresh_token, session.refresh_token, "the token was refreshed");
    // The tokens kept are the live ones: a third cycle works with them.
    engine.sync_once().await.expect("the kept tokens work");
    assert!(store.session().unwrap().is_some());
    server.stop().await;
}

#[tokio::test]
async fn one_visit_too_large_for_the_server_is_set_aside_and_the_rest_still_go() {
    let server = Server::start().await;
    let (_dir, store, engine) = phone(&server, EngineConfig::default()).await;
    engine.sync_once().await.expect("first sync brings the caseload");
    let caseload = store.caseload(shared::BusinessClock::default().today()).unwrap();
    let worker = store.session().unwrap().unwrap().worker.id;
    // Every field within its bound, but 200 quotes of 4,000 characters JSON writes as six
    // bytes each (`\u0001`): 4.8 MB, over the server's 4 MiB on its own.
    let mut huge = long_visit(&caseload[0].child, worker, 0);
    huge.child_words = (0..200).map(|_| shared::Quote { text: "\u{1}".repeat(4_000) }).collect();
    huge.validate(Utc::now(), Some(&caseload[0].child)).expect("every field within its bound");
    assert!(serde_json::to_vec(&huge).unwrap().len() > 4 * 1024 * 1024);
    let fine = long_visit(&caseload[0].child, worker, 1);
    store.submit(&huge, Utc::now()).unwrap();
    store.submit(&fine, Utc::now()).unwrap();

    let report = engine.sync_once().await.expect("the cycle goes on past the visit too large");
    assert_eq!((report.stored, report.rejected), (1, 1));
    assert!(report.pages >= 1, "the pull ran");
    let problems = store.outbox_problems().unwrap();
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].visit.id, huge.id);
    server.stop().await;
}
