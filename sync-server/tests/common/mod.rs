//! A world for the server's tests: a temporary store seeded with the demo data (invented
//! people), the router, and helpers to sign in and call it in-process.
#![allow(dead_code)]

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use chrono::{Days, NaiveDate, Utc};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use shared::sync::TokenResponse;
use shared::{Child, ChildId, CoverAssignment, DeviceId, Visit, WorkerId};
use sync_server::demo::{self, DEMO_PASSWORD};
use sync_server::{AppState, Config};
use tower::ServiceExt;

/// A seeded server, in-process.
pub struct World {
    pub state: AppState,
    pub app: Router,
}

/// A signed-in device.
#[derive(Clone, Debug)]
pub struct Session {
    pub device_id: DeviceId,
    pub tokens: TokenResponse,
}

impl Session {
    pub fn access(&self) -> &str {
        &self.tokens.access_token
    }
    pub fn worker_id(&self) -> WorkerId {
        self.tokens.worker.id
    }
}

pub const SECRET: &[u8] = b"a test secret that is long enough for hs256!";

impl World {
    pub async fn new() -> World {
        World::with_config(Config::default()).await
    }

    pub async fn with_config(config: Config) -> World {
        // The in-memory store: handler tests need the rules, not the disk (the conformance
        // suite holds every store to the same invariants; tests of durability use sled).
        let state = AppState::new(sync_server::store::in_memory(), SECRET, config);
        demo::seed(state.store(), state.calendar(), state.today()).await.expect("seed");
        let app = sync_server::router(state.clone());
        World { state, app }
    }

    /// A server over `store`, seeded with the demo data unless it already is: two worlds over
    /// one store are two server processes sharing one database.
    pub async fn over(store: std::sync::Arc<dyn sync_server::Store>) -> World {
        let state = AppState::new(store, SECRET, Config::default());
        demo::seed(state.store(), state.calendar(), state.today()).await.expect("seed");
        let app = sync_server::router(state.clone());
        World { state, app }
    }

    pub fn today(&self) -> NaiveDate {
        self.state.today()
    }

    /// Sends a request; answers the status, headers and the body as JSON (or a string).
    pub async fn send(&self, request: Request<Body>) -> (StatusCode, Value) {
        let response = self.app.clone().oneshot(request).await.expect("router answers");
        let status = response.status();
        let bytes = response.into_body().collect().await.expect("body").to_bytes();
        let value = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        (status, value)
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut builder = Request::builder().method(method).uri(path);
        if let Some(token) = token {
            builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let request = match body {
            Some(body) => {
                builder.header(header::CONTENT_TYPE, "application/json").body(Body::from(body.to_string()))
            }
            None => builder.body(Body::empty()),
        };
        self.send(request.expect("request")).await
    }

    pub async fn get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, Some(token), None).await
    }

    /// A GET answered as it came: the status, the headers and the body's bytes (a PDF, a CSV).
    pub async fn get_raw(&self, path: &str, token: &str) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
        self.get_raw_with(path, token, None).await
    }

    /// [`World::get_raw`] for a caller that holds a copy tagged `tag` (`If-None-Match`).
    pub async fn get_raw_if_none_match(
        &self,
        path: &str,
        token: &str,
        tag: &str,
    ) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
        self.get_raw_with(path, token, Some(tag)).await
    }

    async fn get_raw_with(
        &self,
        path: &str,
        token: &str,
        held: Option<&str>,
    ) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
        let mut request = Request::get(path).header(header::AUTHORIZATION, format!("Bearer {token}"));
        if let Some(tag) = held {
            request = request.header(header::IF_NONE_MATCH, tag);
        }
        let response = self
            .app
            .clone()
            .oneshot(request.body(Body::empty()).expect("request"))
            .await
            .expect("router answers");
        let (status, headers) = (response.status(), response.headers().clone());
        let bytes = response.into_body().collect().await.expect("body").to_bytes().to_vec();
        (status, headers, bytes)
    }

    /// How many audit entries (about `child`, or all) say `action` of `what`, as a manager
    /// signed in with `token` reads the log.
    pub async fn audited(&self, token: &str, child: Option<ChildId>, action: &str, what: &str) -> usize {
        let path = match child {
            Some(child) => format!("/api/audit?child_id={child}"),
            None => "/api/audit".to_owned(),
        };
        let (status, audit) = self.get(&path, token).await;
        assert_eq!(status, StatusCode::OK, "{audit}");
        audit
            .as_array()
            .expect("entries")
            .iter()
            .filter(|e| e["action"] == action && e["what"] == what)
            .count()
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }

    pub async fn try_login(
        &self,
        username: &str,
        password: &str,
        device_id: DeviceId,
    ) -> (StatusCode, Value) {
        self.call(
            Method::POST,
            "/api/auth/login",
            None,
            Some(json!({"username": username, "password": password, "device_id": device_id})),
        )
        .await
    }

    pub async fn login(&self, username: &str) -> Session {
        let device_id = DeviceId::new();
        let (status, body) = self.try_login(username, DEMO_PASSWORD, device_id).await;
        assert_eq!(status, StatusCode::OK, "login {username}: {body}");
        Session { device_id, tokens: serde_json::from_value(body).expect("token response") }
    }

    pub async fn push(&self, session: &Session, visits: &[Visit]) -> (StatusCode, Value) {
        self.post(
            "/api/sync/push",
            session.access(),
            json!({"protocol": 1, "device_id": session.device_id, "visits": visits}),
        )
        .await
    }

    /// The outcomes of a push, one per visit.
    pub async fn push_outcomes(&self, session: &Session, visits: &[Visit]) -> Vec<Value> {
        let (status, body) = self.push(session, visits).await;
        assert_eq!(status, StatusCode::OK, "push: {body}");
        body["results"].as_array().expect("results").clone()
    }

    /// Pulls until `more` is false, answering every event and the last cursor.
    pub async fn pull_all(&self, session: &Session, cursor: Option<&str>) -> (Vec<Value>, String) {
        let mut cursor = cursor.map(str::to_owned);
        let mut events = Vec::new();
        loop {
            let path = match &cursor {
                Some(c) => format!("/api/sync/pull?cursor={c}"),
                None => "/api/sync/pull".to_owned(),
            };
            let (status, body) = self.get(&path, session.access()).await;
            assert_eq!(status, StatusCode::OK, "pull: {body}");
            events.extend(body["events"].as_array().expect("events").iter().cloned());
            cursor = Some(body["cursor"].as_str().expect("cursor").to_owned());
            if !body["more"].as_bool().expect("more") {
                return (events, cursor.unwrap_or_default());
            }
        }
    }

    /// A child of the demo caseload by central id.
    pub async fn child(&self, central_id: &str) -> Child {
        self.state.store().child_by_central_id(central_id).await.expect("store").expect("demo child")
    }

    pub async fn worker_id(&self, username: &str) -> WorkerId {
        self.state
            .store()
            .account_by_username(username)
            .await
            .expect("store")
            .expect("demo account")
            .worker
            .id
    }

    /// Assigns `duty` to cover `child` from `from` to `to` days relative to today.
    pub async fn cover(&self, child: ChildId, duty: &str, from: i64, to: i64) -> CoverAssignment {
        let today = self.today();
        let day = |offset: i64| {
            if offset >= 0 {
                today.checked_add_days(Days::new(offset as u64)).expect("date")
            } else {
                today.checked_sub_days(Days::new((-offset) as u64)).expect("date")
            }
        };
        let cover = CoverAssignment {
            covering_for: self.worker_id("sam.social").await,
            assigned_by: self.worker_id("tara.manager").await,
            ..fixtures::cover(child, self.worker_id(duty).await, day(from), day(to))
        };
        self.state.store().put_cover(&cover).await.expect("cover");
        cover
    }
}

/// A valid first submission of a statutory visit, yesterday at 10:00 UTC: the authority's
/// yesterday (the tests' service runs on the default clock), which on a summer evening is not
/// the UTC date's.
pub fn visit(child: ChildId, worker: WorkerId) -> Visit {
    let yesterday = Config::default().clock.today().pred_opt().expect("date");
    visit_on(child, worker, yesterday)
}

pub fn visit_on(child: ChildId, worker: WorkerId, date: NaiveDate) -> Visit {
    Visit {
        location: "family home".into(),
        child_words: fixtures::words(&["I drew a picture of the dog."]),
        child_views: "Happy to talk.".into(),
        recorded_at: Utc::now(),
        ..fixtures::visit(child, worker, fixtures::at_on(date, 10, 0))
    }
}

/// A visit that starts today, in the authority's time zone, and has already ended: ten minutes
/// ago, or just after midnight when it is not yet ten past (within the allowance for a phone's
/// clock running ahead). A visit at a fixed hour today would be in the future before that hour.
pub fn visit_today(world: &World, child: ChildId, worker: WorkerId) -> Visit {
    let tz = world.state.settings().time_zone;
    let midnight = shared::clock::start_of_day(tz, world.today());
    let started =
        (world.state.now() - chrono::Duration::minutes(10)).max(midnight + chrono::Duration::minutes(1));
    let mut visit = visit(child, worker);
    visit.started_at = world.state.clock().local(started);
    visit.ended_at = visit.started_at + chrono::Duration::minutes(5);
    visit.recorded_at = visit.ended_at.with_timezone(&Utc);
    assert_eq!(visit.date(), world.today());
    visit
}

/// An amendment of `base`.
pub fn amend(base: &Visit, location: &str) -> Visit {
    fixtures::amended(base, "Wrong place recorded", |v| v.location = location.into())
}

pub fn outcome(result: &Value) -> &str {
    result["outcome"].as_str().expect("outcome")
}

/// A photo as the app sends it: a small invented picture (different for each `seed`),
/// processed on the "device" with the same function the app uses.
pub fn test_photo(seed: u8) -> shared::photo::ProcessedPhoto {
    fixtures::photo(seed)
}

/// An attachment naming a photo.
pub fn attachment(photo: &shared::photo::ProcessedPhoto) -> shared::AttachmentRef {
    fixtures::attachment(&photo.sha256, "Child's drawing")
}

/// A config whose photos go to `dir`.
pub fn config_with_photos(dir: &std::path::Path) -> Config {
    let mut config = Config::default();
    config.oversight.blob_dir = Some(dir.to_owned());
    config
}

impl World {
    /// Uploads `bytes` under `sha256` in one piece.
    pub async fn put_blob(&self, token: &str, sha256: &str, bytes: Vec<u8>) -> (StatusCode, Value) {
        let request = Request::builder()
            .method(Method::PUT)
            .uri(format!("/api/blobs/{sha256}"))
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "image/jpeg")
            .body(Body::from(bytes))
            .expect("request");
        self.send(request).await
    }

    /// Uploads a photo as the app does.
    pub async fn upload(&self, session: &Session, photo: &shared::photo::ProcessedPhoto) -> Value {
        let (status, body) = self.put_blob(session.access(), &photo.sha256, photo.jpeg.clone()).await;
        assert!(status.is_success(), "upload: {status} {body}");
        body
    }
}

/// Starts the real server binary with the demo data in `data`, on a free loopback port, and
/// waits until it listens (it logs its address). Returns the process and its base URL.
pub fn spawn_server_binary(data: &std::path::Path) -> (std::process::Child, String) {
    spawn_server_binary_on(data, None)
}

/// [`spawn_server_binary`], keeping its records in the PostgreSQL database at `database` if
/// given (`data` then holds only the photos).
pub fn spawn_server_binary_on(
    data: &std::path::Path,
    database: Option<&str>,
) -> (std::process::Child, String) {
    spawn_server_binary_with(data, database, &[])
}

/// [`spawn_server_binary_on`] with more of the server's settings, as environment variables.
pub fn spawn_server_binary_with(
    data: &std::path::Path,
    database: Option<&str>,
    settings: &[(&str, &str)],
) -> (std::process::Child, String) {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let mut command = Command::new(env!("CARGO_BIN_EXE_sync-server"));
    command.env_remove("DATABASE_URL");
    command.envs(settings.iter().copied());
    if let Some(url) = database {
        command.args(["--database", url]);
    }
    let mut child = command
        .args(["--listen", "127.0.0.1:0", "--demo", "--data"])
        .arg(data)
        .env("RUST_LOG", "info")
        .env("SEEN_AND_HEARD_JWT_SECRET", "a test secret that is long enough for the server")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("server starts");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut sent = false;
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if !sent && let Some(at) = line.find("address=") {
                let address: String = line[at + 8..].chars().take_while(|c| !c.is_whitespace()).collect();
                let _ = tx.send(address);
                sent = true;
            }
        }
    });
    let address =
        rx.recv_timeout(std::time::Duration::from_secs(60)).expect("server listens within a minute");
    (child, format!("http://{address}"))
}
