//! Fixtures for the end-to-end tests: a real sync server on a loopback port, and a field app
//! made of the app's own store and sync engine.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use chrono::Utc;
use mobile::store::{LocalStore, UnlockedStore};
use mobile::sync::engine::{SyncEngine, sign_in};
use shared::sync::{LoginRequest, TokenResponse};
use shared::{DeviceId, Visit};
use sync_server::{AppState, Config, demo};
use tempfile::TempDir;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use sync_server::demo::DEMO_PASSWORD;

/// A real sync server with the demo data, on a loopback port, over a real sled directory.
#[derive(Debug)]
pub struct TestServer {
    addr: SocketAddr,
    data: PathBuf,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<anyhow::Result<()>>>,
}

impl TestServer {
    /// Starts a server with demo data in `data`, on `addr` (port 0 picks a free port).
    pub async fn start(data: &Path, addr: SocketAddr) -> anyhow::Result<Self> {
        Self::start_with(data, addr, Config::default()).await
    }

    /// [`TestServer::start`] with settings of its own (calendar, time zone, clock).
    pub async fn start_with(data: &Path, addr: SocketAddr, mut config: Config) -> anyhow::Result<Self> {
        let store = sync_server::store::open(data).context("opening the server's store")?;
        // As the binary does: photos live beside the store.
        config.oversight.blob_dir = Some(data.join("blobs"));
        let state = AppState::open(store, None, config).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        demo::seed_at(state.store(), state.calendar(), state.today(), state.now())
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        // The binary's sweeper runs its first sweep at start-up; run one here so tests see the
        // same escalations without a background task holding the store open after a stop.
        sync_server::sweeper::sweep_store(&state, None, state.now())
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let listener = tokio::net::TcpListener::bind(addr).await.context("binding the server's port")?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(sync_server::serve(listener, state, async {
            let _ = stopped.await;
        }));
        Ok(Self { addr, data: data.to_owned(), stop: Some(stop), task: Some(task) })
    }

    /// The server's base URL.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The data directory.
    pub fn data(&self) -> &Path {
        &self.data
    }

    /// Stops the server gracefully and waits until its store is closed, so the same directory
    /// can be opened again.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        self.shutdown().await
    }

    async fn shutdown(&mut self) -> anyhow::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await??;
        }
        Ok(())
    }

    /// Signs in as a demo user and returns tokens, for checking what the server holds.
    pub async fn sign_in_as(&self, username: &str) -> anyhow::Result<TokenResponse> {
        let request = LoginRequest {
            username: username.to_owned(),
            password: DEMO_PASSWORD.to_owned(),
            device_id: DeviceId::new(),
            device_name: Some("integration test".into()),
        };
        let response = reqwest::Client::new()
            .post(format!("{}/api/auth/login", self.url()))
            .json(&request)
            .send()
            .await?
            .error_for_status()?;
        Ok(response.json().await?)
    }

    /// GETs a JSON document as `token`'s holder.
    pub async fn get_json(&self, token: &str, path: &str) -> anyhow::Result<(u16, serde_json::Value)> {
        let response =
            reqwest::Client::new().get(format!("{}{path}", self.url())).bearer_auth(token).send().await?;
        let status = response.status().as_u16();
        Ok((status, response.json().await.unwrap_or(serde_json::Value::Null)))
    }

    /// POSTs JSON as `token`'s holder.
    pub async fn post_json(
        &self,
        token: &str,
        path: &str,
        body: &serde_json::Value,
    ) -> anyhow::Result<(u16, serde_json::Value)> {
        let response = reqwest::Client::new()
            .post(format!("{}{path}", self.url()))
            .bearer_auth(token)
            .json(body)
            .send()
            .await?;
        let status = response.status().as_u16();
        Ok((status, response.json().await.unwrap_or(serde_json::Value::Null)))
    }

    /// Every revision of a child's visits the server holds, as `token`'s holder sees them.
    pub async fn visits_of(&self, token: &str, child: shared::ChildId) -> anyhow::Result<Vec<Visit>> {
        let (status, body) = self.get_json(token, &format!("/api/children/{child}/visits")).await?;
        anyhow::ensure!(status == 200, "GET visits answered {status}: {body}");
        Ok(serde_json::from_value(body)?)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// The PIN every test device uses.
pub const PIN: &str = "2468";

/// A phone running the field app's own store and sync engine, signed in as a demo worker.
pub struct FieldApp {
    /// Where the app keeps its store (removed on drop).
    pub dir: TempDir,
    /// The device's id.
    pub device_id: DeviceId,
    /// The unlocked local store.
    pub store: UnlockedStore,
    /// The sync engine.
    pub engine: Arc<SyncEngine>,
}

impl std::fmt::Debug for FieldApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FieldApp").field("dir", &self.dir.path()).field("device_id", &self.device_id).finish()
    }
}

impl FieldApp {
    /// Signs `username` in on a new device against `server`, sets the PIN, and syncs once.
    pub async fn sign_in(server: &TestServer, username: &str) -> anyhow::Result<Self> {
        let dir = tempfile::tempdir()?;
        let device_id = DeviceId::new();
        let session =
            sign_in(&server.url(), username, DEMO_PASSWORD, device_id, Some("test phone".into())).await?;
        let store = LocalStore::open(dir.path())?.set_pin(PIN)?;
        store.save_session(&session)?;
        let engine = Arc::new(SyncEngine::new(store.clone()));
        engine.signed_in();
        engine.sync_once().await?;
        Ok(Self { dir, device_id, store, engine })
    }

    /// Closes the app's store and opens it again from disk with the PIN, as after the app was
    /// killed and started again.
    pub fn restart(self) -> anyhow::Result<Self> {
        let Self { dir, device_id, store, engine } = self;
        // sled allows one open handle per directory: let go of every clone first.
        drop(engine);
        drop(store);
        let store = LocalStore::open(dir.path())?.unlock(PIN)?;
        let engine = Arc::new(SyncEngine::new(store.clone()));
        engine.signed_in();
        Ok(Self { dir, device_id, store, engine })
    }

    /// The worker signed in on this device.
    pub fn worker(&self) -> anyhow::Result<shared::Worker> {
        Ok(self.store.session()?.context("signed in")?.worker)
    }

    /// A complete statutory visit to `child`, made through the app's own visit draft, in which
    /// the child was seen alone and said `words`.
    pub fn visit_to(&self, child: &shared::Child, words: &str) -> anyhow::Result<Visit> {
        let worker = self.worker()?;
        let settings = self.store.settings()?.context("the server's settings arrived at sign-in")?;
        // Fifty minutes ago, but never before midnight: a visit started yesterday is dated
        // yesterday, before a cover or plan that a test started today. In the authority's zone,
        // as the app keeps a visit's times.
        let clock = settings.clock();
        let midnight = shared::clock::start_of_day(settings.time_zone, clock.today());
        let now = clock.local(clock.now());
        let started = clock.local((now.to_utc() - chrono::Duration::minutes(50)).max(midnight));
        let mut draft = mobile::draft::VisitDraft::new_for(
            child,
            worker.id,
            shared::WorkerCapacity::KeyWorker,
            started,
            None,
            settings.calendar,
        );
        draft.location = "Family home".into();
        draft.purpose = "To see the child at home and talk about school".into();
        draft.announced = Some(shared::Announcement::Unannounced);
        draft.seen = Some(true);
        draft.seen_alone = Some(true);
        draft.child_words = vec![words.to_owned()];
        draft.child_views = "Seemed relaxed and keen to show their room.".into();
        draft.facts = "Fridge stocked. Bedroom tidy.".into();
        for record in &mut draft.interpreters {
            if record.needed {
                record.used = Some(shared::InterpreterUsed::Professional);
            }
        }
        draft.ended_at = Some((started + chrono::Duration::minutes(45)).min(now));
        draft.to_visit(Utc::now(), Some(child)).map_err(|e| anyhow::anyhow!("draft not valid: {:?}", e.0))
    }

    /// Submits a finished visit to the outbox, as the Submit button does.
    pub fn submit(&self, visit: &Visit) -> anyhow::Result<()> {
        self.store.submit(visit, Utc::now())?;
        Ok(())
    }
}
