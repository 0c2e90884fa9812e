//! The HTTP client for the sync server (see `helpers/api.md` and the server's OpenAPI).
//!
//! Stateless apart from the server address, and whether that server reads `dcz` bodies: each
//! call takes the access token it should use, so the [`engine`](super::engine) decides when to
//! refresh. Push bodies go up compressed against the protocol's dictionary (`dcz`, or gzip to
//! a server older than the app: see [`PushBody`]); responses come back gzip-compressed when the
//! server chooses (reqwest's `gzip` feature sends `Accept-Encoding` and decompresses). Tokens are
//! never logged.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use flate2::Compression;
use flate2::write::GzEncoder;
use reqwest::header::{AUTHORIZATION, CONTENT_ENCODING, CONTENT_TYPE, RETRY_AFTER};
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use shared::sync::{
    Cursor, ErrorBody, Handover, LoginRequest, PullResponse, PushRequest, PushResponse, RefreshRequest,
    TokenResponse,
};
use shared::{ChildId, Escalation, EscalationAction, EscalationId, Role, VisitId, Worker};
use tracing::debug;

/// How a push body is compressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyEncoding {
    /// Zstandard against the protocol's dictionary (`shared::dcz`): every push.
    Dcz,
    /// gzip at the fastest level: to a server older than the app, which does not read `dcz`.
    Gzip,
}

impl BodyEncoding {
    /// The `Content-Encoding` value.
    pub fn token(self) -> &'static str {
        match self {
            BodyEncoding::Dcz => shared::dcz::CONTENT_ENCODING,
            BodyEncoding::Gzip => "gzip",
        }
    }
}

/// A push request as it goes on the wire: JSON compressed against the protocol's dictionary
/// (`dcz`). That takes a lone visit from about 750 bytes gzipped to about 430, and a full batch
/// of 500 from about 178 KB gzipped at the fastest level to about 112 KB, for about 0.4 ms more
/// (`SYNC_BENCH=loopback cargo bench -p sync-server --bench sync`). Cheap to clone, so a push
/// retried after a token refresh is not encoded again.
#[derive(Clone, Debug)]
pub struct PushBody {
    compressed: bytes::Bytes,
    encoding: BodyEncoding,
    /// The JSON, kept to send gzipped should the server not read `dcz` (one older than this
    /// app). `None` once gzipped.
    json: Option<bytes::Bytes>,
}

impl PushBody {
    /// Serialises and compresses `request`.
    pub fn encode(request: &PushRequest) -> Result<PushBody, SyncError> {
        let json = serde_json::to_vec(request).map_err(|e| SyncError::Protocol(e.to_string()))?;
        let compressed = shared::dcz::encode(&json).map_err(|e| SyncError::Protocol(e.to_string()))?;
        Ok(PushBody { compressed: compressed.into(), encoding: BodyEncoding::Dcz, json: Some(json.into()) })
    }

    /// How it is compressed.
    pub fn encoding(&self) -> BodyEncoding {
        self.encoding
    }

    /// Its length on the wire, in bytes.
    pub fn wire_len(&self) -> usize {
        self.compressed.len()
    }

    /// The same body gzipped, for a server that does not read `dcz`.
    fn gzipped(&self) -> Result<PushBody, SyncError> {
        match &self.json {
            Some(json) => {
                Ok(PushBody { compressed: gzip(json)?.into(), encoding: BodyEncoding::Gzip, json: None })
            }
            None => Ok(self.clone()),
        }
    }
}

/// `json` gzipped at the fastest level.
fn gzip(json: &[u8]) -> Result<Vec<u8>, SyncError> {
    let mut encoder = GzEncoder::new(Vec::with_capacity(json.len() / 4), Compression::fast());
    encoder.write_all(json).map_err(|e| SyncError::Protocol(e.to_string()))?;
    encoder.finish().map_err(|e| SyncError::Protocol(e.to_string()))
}

/// How long one request may take before it counts as a network failure.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// How long to wait for a connection before counting the server unreachable.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// What went wrong talking to the server.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The server could not be reached (no signal, server down, timeout). Try again later.
    #[error("the server could not be reached: {0}")]
    Offline(String),
    /// The server failed (5xx). Try again later.
    #[error("the server had a problem (HTTP {status})")]
    Server {
        /// The HTTP status.
        status: u16,
    },
    /// Too many requests; the server says when to come back.
    #[error("the server asked us to slow down")]
    RateLimited {
        /// How long the server asked us to wait, if it said.
        retry_after: Option<Duration>,
    },
    /// The token was refused (401): refresh it, or sign in again.
    #[error("not signed in, or the session has expired: {}", .0.message)]
    Unauthorized(ErrorBody),
    /// The signed-in worker may not do this (403).
    #[error("not allowed: {}", .0.message)]
    Forbidden(ErrorBody),
    /// Not found, or not in the worker's scope (404).
    #[error("not found")]
    NotFound,
    /// The server refused the request (another 4xx), naming the fields at fault.
    #[error("the server refused the request (HTTP {status}): {}", .body.message)]
    Rejected {
        /// The HTTP status.
        status: u16,
        /// The server's explanation.
        body: ErrorBody,
    },
    /// The server says this device has been revoked (HTTP 410 `wipe`): wipe all local data.
    #[error("this device has been revoked: its data must be wiped")]
    Wipe,
    /// The answer was not what the protocol says (bad JSON, wrong protocol version).
    #[error("the server's answer could not be understood: {0}")]
    Protocol(String),
    /// The local store failed during a sync.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// Nobody is signed in on this device.
    #[error("nobody is signed in")]
    SignedOut,
    /// The server address is not a usable URL.
    #[error("the server address is not valid: {0}")]
    BadAddress(String),
}

impl SyncError {
    /// Whether trying again later may succeed without anyone doing anything (network trouble,
    /// server errors, rate limits). Other errors need a person: sign in again, fix a record,
    /// update the app.
    pub fn is_transient(&self) -> bool {
        matches!(self, SyncError::Offline(_) | SyncError::Server { .. } | SyncError::RateLimited { .. })
    }

    /// Plain words for the sync status screen (no HTTP codes).
    pub fn plain_words(&self) -> String {
        match self {
            SyncError::Offline(_) => "No connection to the server.".to_owned(),
            SyncError::Server { .. } => "The server has a problem. Trying again later.".to_owned(),
            SyncError::RateLimited { .. } => "The server is busy. Trying again later.".to_owned(),
            SyncError::Unauthorized(_) => "Your session has ended. Sign in again.".to_owned(),
            SyncError::Forbidden(body) | SyncError::Rejected { body, .. } => body.message.clone(),
            SyncError::NotFound => "The server does not know this record.".to_owned(),
            SyncError::Wipe => "This device was withdrawn from use. Its data has been wiped.".to_owned(),
            SyncError::Protocol(_) => {
                "The app and the server do not understand each other. Update the app.".to_owned()
            }
            SyncError::Store(_) => "This phone's storage has a problem.".to_owned(),
            SyncError::SignedOut => "Signed out. Sign in to send your visits.".to_owned(),
            SyncError::BadAddress(_) => "The server address is not valid.".to_owned(),
        }
    }

    fn from_reqwest(e: reqwest::Error) -> Self {
        if e.is_decode() {
            SyncError::Protocol(e.to_string())
        } else if e.is_builder() {
            SyncError::BadAddress(e.to_string())
        } else {
            // Connect, timeout, request and body errors: the network let us down.
            SyncError::Offline(e.without_url().to_string())
        }
    }
}

/// A file asked for with [`SyncClient::get_file`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileAnswer {
    /// The file, with its media type and its tag, to name the copy when asking again.
    File { bytes: Vec<u8>, content_type: String, tag: Option<String> },
    /// Still the copy held: nothing was sent.
    Unchanged,
}

/// The sync server's client. Cheap to clone (the connection pool is shared).
#[derive(Clone, Debug)]
pub struct SyncClient {
    http: reqwest::Client,
    base: reqwest::Url,
    /// Whether the server answered a `dcz` push with 415 (see [`SyncClient::push_body`]).
    dcz_refused: Arc<AtomicBool>,
}

impl SyncClient {
    /// A client for the server at `base_url`, for example `http://127.0.0.1:8080`.
    pub fn new(base_url: &str) -> Result<Self, SyncError> {
        let trimmed = base_url.trim().trim_end_matches('/');
        let base =
            reqwest::Url::parse(&format!("{trimmed}/")).map_err(|e| SyncError::BadAddress(e.to_string()))?;
        if !matches!(base.scheme(), "http" | "https") {
            return Err(SyncError::BadAddress("use an http:// or https:// address".into()));
        }
        let http = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .connect_timeout(CONNECT_TIMEOUT)
            .user_agent(concat!("seen-and-heard-mobile/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| SyncError::BadAddress(e.to_string()))?;
        Ok(Self { http, base, dcz_refused: Arc::default() })
    }

    /// The server's base address.
    pub fn base_url(&self) -> &str {
        self.base.as_str()
    }

    fn url(&self, path: &str) -> Result<reqwest::Url, SyncError> {
        self.base.join(path.trim_start_matches('/')).map_err(|e| SyncError::BadAddress(e.to_string()))
    }

    fn request(&self, method: Method, path: &str, token: Option<&str>) -> Result<RequestBuilder, SyncError> {
        let mut builder = self.http.request(method, self.url(path)?);
        if let Some(token) = token {
            builder = builder.header(AUTHORIZATION, format!("Bearer {token}"));
        }
        Ok(builder)
    }

    async fn send(&self, builder: RequestBuilder) -> Result<Response, SyncError> {
        let response = builder.send().await.map_err(SyncError::from_reqwest)?;
        let status = response.status();
        // 304 comes only to a request that named a copy held (`get_file`).
        if status.is_success() || status == StatusCode::NOT_MODIFIED {
            return Ok(response);
        }
        debug!(status = status.as_u16(), "server refused a request");
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok())
            .map(Duration::from_secs);
        let body = response.bytes().await.unwrap_or_default();
        let error_body = serde_json::from_slice::<ErrorBody>(&body).unwrap_or_else(|_| ErrorBody {
            error: "unknown".into(),
            message: status.canonical_reason().unwrap_or("error").to_owned(),
            fields: Vec::new(),
        });
        Err(match status {
            StatusCode::GONE if error_body.error == "wipe" => SyncError::Wipe,
            StatusCode::UNAUTHORIZED => SyncError::Unauthorized(error_body),
            StatusCode::FORBIDDEN => SyncError::Forbidden(error_body),
            StatusCode::NOT_FOUND => SyncError::NotFound,
            StatusCode::TOO_MANY_REQUESTS => SyncError::RateLimited { retry_after },
            s if s.is_server_error() => SyncError::Server { status: s.as_u16() },
            s => SyncError::Rejected { status: s.as_u16(), body: error_body },
        })
    }

    async fn json<T: DeserializeOwned>(&self, builder: RequestBuilder) -> Result<T, SyncError> {
        let response = self.send(builder).await?;
        let bytes = response.bytes().await.map_err(SyncError::from_reqwest)?;
        serde_json::from_slice(&bytes).map_err(|e| SyncError::Protocol(e.to_string()))
    }

    /// GETs `path` as JSON (for endpoints without a typed method here).
    pub async fn get_json<T: DeserializeOwned>(&self, path: &str, token: &str) -> Result<T, SyncError> {
        self.json(self.request(Method::GET, path, Some(token))?).await
    }

    /// GETs `path` as a file, with the media type the server gave (for reports and chronologies
    /// the app offers as downloads, so no token ever goes in a link). A caller holding a copy
    /// names its tag (`held`, the `ETag` it came with): while the file is still that copy the
    /// server sends nothing (304).
    pub async fn get_file(
        &self,
        path: &str,
        token: &str,
        held: Option<&str>,
    ) -> Result<FileAnswer, SyncError> {
        let mut request = self.request(Method::GET, path, Some(token))?;
        if let Some(tag) = held {
            request = request.header(reqwest::header::IF_NONE_MATCH, tag);
        }
        let response = self.send(request).await?;
        if response.status() == StatusCode::NOT_MODIFIED {
            return Ok(FileAnswer::Unchanged);
        }
        let tag =
            response.headers().get(reqwest::header::ETAG).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("application/octet-stream")
            .to_owned();
        let bytes = response.bytes().await.map_err(SyncError::from_reqwest)?;
        Ok(FileAnswer::File { bytes: bytes.to_vec(), content_type, tag })
    }

    /// POSTs `body` as JSON to `path` and reads a JSON answer.
    pub async fn post_json<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        token: Option<&str>,
        body: &B,
    ) -> Result<T, SyncError> {
        self.json(self.request(Method::POST, path, token)?.json(body)).await
    }

    /// Whether the server is up (`GET /api/health`).
    pub async fn health(&self) -> Result<(), SyncError> {
        self.send(self.request(Method::GET, "api/health", None)?).await.map(|_| ())
    }

    /// Signs in and registers this device (`POST /api/auth/login`).
    pub async fn login(&self, request: &LoginRequest) -> Result<TokenResponse, SyncError> {
        self.post_json("api/auth/login", None, request).await
    }

    /// Rotates the refresh token and gets a new access token (`POST /api/auth/refresh`).
    pub async fn refresh(&self, request: &RefreshRequest) -> Result<TokenResponse, SyncError> {
        self.post_json("api/auth/refresh", None, request).await
    }

    /// Revokes this device's refresh token (`POST /api/auth/logout`).
    pub async fn logout(&self, token: &str) -> Result<(), SyncError> {
        self.send(self.request(Method::POST, "api/auth/logout", Some(token))?).await.map(|_| ())
    }

    /// Pushes a batch of visit revisions, compressed (`POST /api/sync/push`).
    pub async fn push(&self, token: &str, request: &PushRequest) -> Result<PushResponse, SyncError> {
        self.push_body(token, &PushBody::encode(request)?).await
    }

    /// Pushes a batch already encoded with [`PushBody::encode`] (`POST /api/sync/push`): the
    /// engine encodes the next batch while this one is on its way.
    ///
    /// A server older than this app answers a `dcz` body with 415; the body then goes again
    /// gzipped, and so does every later push through this client.
    pub async fn push_body(&self, token: &str, body: &PushBody) -> Result<PushResponse, SyncError> {
        if body.encoding == BodyEncoding::Dcz && self.dcz_refused.load(Ordering::Relaxed) {
            return self.send_push(token, &body.gzipped()?).await;
        }
        match self.send_push(token, body).await {
            Err(SyncError::Rejected { status: 415, .. }) if body.encoding == BodyEncoding::Dcz => {
                debug!("the server does not read dcz bodies: pushing gzipped");
                self.dcz_refused.store(true, Ordering::Relaxed);
                self.send_push(token, &body.gzipped()?).await
            }
            answer => answer,
        }
    }

    async fn send_push(&self, token: &str, body: &PushBody) -> Result<PushResponse, SyncError> {
        let builder = self
            .request(Method::POST, "api/sync/push", Some(token))?
            .header(CONTENT_TYPE, "application/json")
            .header(CONTENT_ENCODING, body.encoding.token())
            .body(body.compressed.clone());
        let response: PushResponse = self.json(builder).await?;
        if response.protocol != shared::sync::PROTOCOL_VERSION {
            return Err(SyncError::Protocol(format!("server speaks protocol {}", response.protocol)));
        }
        Ok(response)
    }

    /// Pulls one page of changes after `cursor` (`GET /api/sync/pull`).
    ///
    /// Each event is read on its own: one this version of the app cannot read (a kind of
    /// escalation added to the server after it was built, say) is counted in
    /// [`Pulled::unreadable`] and left out, and the rest of the page is applied. Refusing the
    /// whole page instead would stop the phone syncing at all, removals from scope included,
    /// until it was updated. The engine pulls everything again once the app is updated.
    pub async fn pull(&self, token: &str, cursor: Option<&Cursor>, limit: u32) -> Result<Pulled, SyncError> {
        let mut builder = self.request(Method::GET, "api/sync/pull", Some(token))?.query(&[("limit", limit)]);
        if let Some(cursor) = cursor {
            builder = builder.query(&[("cursor", cursor.0.as_str())]);
        }
        let response = self.send(builder).await?;
        let bytes = response.bytes().await.map_err(SyncError::from_reqwest)?;
        read_pull(&bytes)
    }

    /// Pulls every page after `cursor`, handing each to `apply` in order until the server says
    /// there is no more. Returns the number of pages. `apply` should store the page and its
    /// cursor durably (see [`crate::store::UnlockedStore::apply_pull`]).
    pub async fn pull_all<E>(
        &self,
        token: &str,
        mut cursor: Option<Cursor>,
        limit: u32,
        mut apply: impl FnMut(&Pulled) -> Result<(), E>,
    ) -> Result<usize, SyncError>
    where
        SyncError: From<E>,
    {
        let mut pages = 0;
        loop {
            let pulled = self.pull(token, cursor.as_ref(), limit).await?;
            apply(&pulled)?;
            let page = pulled.page;
            pages += 1;
            if !page.more {
                return Ok(pages);
            }
            if cursor.as_ref() == Some(&page.cursor) {
                return Err(SyncError::Protocol("the server said 'more' without moving the cursor".into()));
            }
            cursor = Some(page.cursor);
        }
    }

    /// The duty handover for a covered child (`GET /api/children/{id}/handover`), with its tag.
    /// Given the tag of a copy kept (`held`), `None` while that copy is current: the server
    /// sends nothing, and records no view.
    ///
    /// An open escalation this version of the app cannot read is left out, and the rest of the
    /// handover kept (the engine's pull counts such changes and asks for an update): a duty
    /// worker at the door needs the child's history and plan, not an error.
    pub async fn handover(
        &self,
        token: &str,
        child: ChildId,
        held: Option<&str>,
    ) -> Result<Option<(Handover, Option<String>)>, SyncError> {
        let (bytes, tag) = match self.get_file(&format!("api/children/{child}/handover"), token, held).await?
        {
            FileAnswer::Unchanged => return Ok(None),
            FileAnswer::File { bytes, tag, .. } => (bytes, tag),
        };
        let mut value: serde_json::Value =
            serde_json::from_slice(&bytes).map_err(|e| SyncError::Protocol(e.to_string()))?;
        // Read on their own below; the rest of the handover must read as it is.
        let escalations = match value.get_mut("open_escalations").map(serde_json::Value::take) {
            Some(serde_json::Value::Array(escalations)) => escalations,
            _ => Vec::new(),
        };
        if let Some(fields) = value.as_object_mut() {
            fields.insert("open_escalations".into(), serde_json::Value::Array(Vec::new()));
        }
        let mut handover: Handover =
            serde_json::from_value(value).map_err(|e| SyncError::Protocol(e.to_string()))?;
        handover.open_escalations =
            each_readable(escalations, serde_json::from_value::<Escalation>, "a handover's escalation");
        Ok(Some((handover, tag)))
    }

    /// Open escalations for the signed-in worker (`GET /api/escalations`).
    ///
    /// One this version of the app cannot read is left out, and the rest shown.
    pub async fn escalations(&self, token: &str) -> Result<Vec<Escalation>, SyncError> {
        let response = self.send(self.request(Method::GET, "api/escalations", Some(token))?).await?;
        let bytes = response.bytes().await.map_err(SyncError::from_reqwest)?;
        let raw: Vec<&serde_json::value::RawValue> =
            serde_json::from_slice(&bytes).map_err(|e| SyncError::Protocol(e.to_string()))?;
        Ok(each_readable(raw, |e| serde_json::from_str(e.get()), "an escalation"))
    }

    /// Records a manager's action on an escalation (`POST /api/escalations/{id}/acknowledge`).
    pub async fn acknowledge(
        &self,
        token: &str,
        id: EscalationId,
        action: &EscalationAction,
    ) -> Result<Escalation, SyncError> {
        self.post_json(&format!("api/escalations/{id}/acknowledge"), Some(token), action).await
    }

    /// Conflicts the signed-in worker may resolve (`GET /api/conflicts`), unresolved only.
    pub async fn conflicts(&self, token: &str) -> Result<Vec<ConflictRef>, SyncError> {
        self.get_json("api/conflicts", token).await
    }

    /// Resolves a conflict (`POST /api/conflicts/{id}/resolve`), keeping one version.
    pub async fn resolve_conflict(
        &self,
        token: &str,
        id: uuid::Uuid,
        keep: ConflictChoice,
        reason: &str,
    ) -> Result<serde_json::Value, SyncError> {
        let body = serde_json::json!({ "keep": keep.wire_name(), "reason": reason });
        self.post_json(&format!("api/conflicts/{id}/resolve"), Some(token), &body).await
    }

    /// Visits held for the manager's review (`GET /api/review`).
    pub async fn held_visits(&self, token: &str) -> Result<Vec<HeldVisit>, SyncError> {
        self.get_json("api/review", token).await
    }

    /// Resolves a held visit (`POST /api/review/{id}/resolve`). The body and answer are the
    /// server's types (see its OpenAPI), passed through as JSON.
    pub async fn resolve_held<B: Serialize>(
        &self,
        token: &str,
        visit: VisitId,
        body: &B,
    ) -> Result<serde_json::Value, SyncError> {
        self.post_json(&format!("api/review/{visit}/resolve"), Some(token), body).await
    }

    /// Records an absence (`POST /api/absences`). The body and answer are the server's types
    /// (see its OpenAPI), passed through as JSON.
    pub async fn record_absence<B: Serialize, T: DeserializeOwned>(
        &self,
        token: &str,
        body: &B,
    ) -> Result<T, SyncError> {
        self.post_json("api/absences", Some(token), body).await
    }

    /// Assigns duty cover (`POST /api/covers`), for managers.
    pub async fn assign_cover<B: Serialize, T: DeserializeOwned>(
        &self,
        token: &str,
        body: &B,
    ) -> Result<T, SyncError> {
        self.post_json("api/covers", Some(token), body).await
    }

    /// The staff a manager may assign work to (`GET /api/staff`), only those with `role` when
    /// given: a team manager gets their team and every duty worker.
    pub async fn staff(&self, token: &str, role: Option<Role>) -> Result<Vec<Worker>, SyncError> {
        let path = match role {
            Some(role) => format!("api/staff?role={}", role_in_query(role)),
            None => "api/staff".to_owned(),
        };
        self.get_json(&path, token).await
    }

    /// Uploads a processed photo (`PUT /api/blobs/{sha256}`). Uploading the same bytes twice is
    /// harmless: the key is their hash.
    pub async fn upload_blob(
        &self,
        token: &str,
        sha256: &str,
        media_type: &str,
        bytes: Vec<u8>,
    ) -> Result<serde_json::Value, SyncError> {
        let builder = self
            .request(Method::PUT, &format!("api/blobs/{sha256}"), Some(token))?
            .header(CONTENT_TYPE, media_type)
            .body(bytes);
        self.json(builder).await
    }

    /// The photos a visit refers to that the server does not hold yet
    /// (`GET /api/visits/{id}/missing-blobs`).
    pub async fn missing_blobs(&self, token: &str, visit: VisitId) -> Result<Vec<String>, SyncError> {
        self.get_json(&format!("api/visits/{visit}/missing-blobs"), token).await
    }
}

/// A visit held for a manager's review, as `GET /api/review` answers.
#[derive(Clone, Debug, PartialEq, serde::Deserialize)]
pub struct HeldVisit {
    /// The visit.
    pub visit_id: VisitId,
    /// The revision held.
    pub revision: u32,
    /// Why it is held.
    pub reason: String,
    /// When.
    pub held_at: chrono::DateTime<chrono::Utc>,
    /// The revision itself.
    pub visit: shared::Visit,
}

/// A conflict as `GET /api/conflicts` lists it: what the device needs to find its own.
#[derive(Clone, Debug, serde::Deserialize)]
pub struct ConflictRef {
    /// The conflict.
    pub id: uuid::Uuid,
    /// The visit.
    pub visit_id: VisitId,
    /// The revision the device sent.
    pub revision: u32,
    /// The device that sent it.
    pub device_id: shared::DeviceId,
}

/// Which version of a visit in conflict the worker keeps. The other is kept on the server too.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConflictChoice {
    /// The version the server holds: nothing new is stored.
    Server,
    /// This device's version: stored as a new revision, amending the server's.
    Mine,
}

impl ConflictChoice {
    fn wire_name(self) -> &'static str {
        match self {
            ConflictChoice::Server => "server",
            ConflictChoice::Mine => "yours",
        }
    }
}

/// A role as the server's query string spells it (its snake_case wire name).
fn role_in_query(role: Role) -> &'static str {
    match role {
        Role::SocialWorker => "social_worker",
        Role::DutyWorker => "duty_worker",
        Role::TeamManager => "team_manager",
        Role::SeniorManager => "senior_manager",
        Role::Admin => "admin",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_checked_and_joined_without_double_slashes() {
        let client = SyncClient::new("http://127.0.0.1:8080/").unwrap();
        assert_eq!(client.url("/api/health").unwrap().as_str(), "http://127.0.0.1:8080/api/health");
        let prefixed = SyncClient::new("https://example.org/seen").unwrap();
        assert_eq!(prefixed.url("api/sync/pull").unwrap().as_str(), "https://example.org/seen/api/sync/pull");
        assert!(matches!(SyncClient::new("ftp://x"), Err(SyncError::BadAddress(_))));
        assert!(matches!(SyncClient::new("not a url"), Err(SyncError::BadAddress(_))));
    }

    fn visits(n: usize) -> PushRequest {
        let started = chrono::DateTime::parse_from_rfc3339("2026-12-03T14:10:00+00:00").unwrap();
        let (child, worker) = (shared::ChildId::new(), shared::WorkerId::new());
        let visits = (0..n)
            .map(|i| shared::Visit {
                child_views: format!(
                    "Visit {i}: she showed me her room and talked about her friends at school."
                ),
                ..fixtures::visit(child, worker, started)
            })
            .collect();
        PushRequest { protocol: shared::sync::PROTOCOL_VERSION, device_id: shared::DeviceId::new(), visits }
    }

    /// Every push goes against the protocol's dictionary. A lone visit costs under a third of
    /// the 1.9 KB a CouchDB-protocol stack sends, and a full batch fewer bytes than gzip made.
    #[test]
    fn every_push_goes_with_the_dictionary_in_fewer_bytes_than_gzip() {
        let lone = PushBody::encode(&visits(1)).unwrap();
        assert_eq!(lone.encoding(), BodyEncoding::Dcz);
        assert!(lone.wire_len() < 633, "{} bytes", lone.wire_len());
        assert!(lone.wire_len() < lone.gzipped().unwrap().wire_len());
        let batch = PushBody::encode(&visits(500)).unwrap();
        assert_eq!(batch.encoding(), BodyEncoding::Dcz);
        let gzipped = batch.gzipped().unwrap();
        assert!(batch.wire_len() < gzipped.wire_len(), "{} against {}", batch.wire_len(), gzipped.wire_len());
        let json = shared::dcz::decode(&batch.compressed, 4 << 20).unwrap();
        assert_eq!(serde_json::from_slice::<PushRequest>(&json).unwrap().visits.len(), 500);
    }

    /// A server older than the app answers a `dcz` push with 415, as tower-http does for a
    /// coding it does not know. The push is sent again gzipped and succeeds, and the next
    /// pushes, a full batch among them, go gzipped straight away.
    #[tokio::test]
    async fn a_push_to_a_server_that_does_not_read_dcz_goes_again_gzipped() {
        use axum::http::{HeaderMap, StatusCode as Status};
        let seen = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
        let older_server = {
            let seen = seen.clone();
            axum::Router::new().route(
                "/api/sync/push",
                axum::routing::post(move |headers: HeaderMap, body: axum::body::Bytes| {
                    let seen = seen.clone();
                    async move {
                        let coding = headers[CONTENT_ENCODING].to_str().unwrap().to_owned();
                        seen.lock().unwrap().push(coding.clone());
                        if coding != "gzip" {
                            return (
                                Status::UNSUPPORTED_MEDIA_TYPE,
                                [("accept-encoding", "gzip")],
                                String::new(),
                            );
                        }
                        let mut json = Vec::new();
                        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&body[..]), &mut json)
                            .unwrap();
                        let request: PushRequest = serde_json::from_slice(&json).unwrap();
                        let results: Vec<_> = request
                            .visits
                            .iter()
                            .map(|v| shared::sync::PushResult {
                                visit_id: v.id,
                                revision: v.revision,
                                outcome: shared::sync::PushOutcome::Duplicate,
                            })
                            .collect();
                        let answer = PushResponse { protocol: shared::sync::PROTOCOL_VERSION, results };
                        (
                            Status::OK,
                            [("content-type", "application/json")],
                            serde_json::to_string(&answer).unwrap(),
                        )
                    }
                }),
            )
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, older_server).await });
        let client = SyncClient::new(&format!("http://{address}")).unwrap();

        let first = visits(1);
        let answer = client.push("token", &first).await.unwrap();
        assert_eq!(answer.results.len(), 1);
        assert_eq!(answer.results[0].visit_id, first.visits[0].id);
        assert_eq!(*seen.lock().unwrap(), ["dcz", "gzip"]);

        client.push("token", &visits(1)).await.unwrap();
        assert_eq!(*seen.lock().unwrap(), ["dcz", "gzip", "gzip"]);
        // A full batch, too.
        assert_eq!(client.push("token", &visits(500)).await.unwrap().results.len(), 500);
        assert_eq!(*seen.lock().unwrap(), ["dcz", "gzip", "gzip", "gzip"]);
    }

    #[test]
    fn only_network_and_server_trouble_is_worth_retrying() {
        assert!(SyncError::Offline("refused".into()).is_transient());
        assert!(SyncError::Server { status: 503 }.is_transient());
        assert!(SyncError::RateLimited { retry_after: None }.is_transient());
        assert!(!SyncError::Wipe.is_transient());
        let body = ErrorBody { error: "unauthorized".into(), message: "expired".into(), fields: vec![] };
        assert!(!SyncError::Unauthorized(body).is_transient());
    }
}

/// Reads each of `items` on its own with `read`, leaving out those this version of the app
/// cannot read (a kind added on a newer server), so that one of them never costs the worker the
/// rest. How many were left out is logged as `what`; never their content, which may name a
/// child. (A pull page does the same, event by event, in [`read_pull`], and counts them.)
fn each_readable<I, T>(
    items: impl IntoIterator<Item = I>,
    read: impl Fn(I) -> serde_json::Result<T>,
    what: &str,
) -> Vec<T> {
    let mut left_out = 0;
    let read: Vec<T> =
        items.into_iter().filter_map(|item| read(item).inspect_err(|_| left_out += 1).ok()).collect();
    if left_out > 0 {
        tracing::warn!(
            left_out,
            "{what} this version of the app cannot read: left out until the app is updated"
        );
    }
    read
}

/// A page of changes as this version of the app read it.
#[derive(Clone, Debug, PartialEq)]
pub struct Pulled {
    /// The events it could read, in order, with the page's cursor and settings.
    pub page: PullResponse,
    /// How many events it could not read (left out of `page`).
    pub unreadable: usize,
}

/// A pull page with its events not yet read, so that each is read on its own.
#[derive(serde::Deserialize)]
struct WirePull<'a> {
    protocol: u32,
    #[serde(borrow)]
    events: Vec<&'a serde_json::value::RawValue>,
    cursor: Cursor,
    more: bool,
    #[serde(default)]
    settings: Option<shared::sync::AuthoritySettings>,
}

/// Only an event's kind: what may be logged about one that could not be read (never its
/// content, which may name a child).
#[derive(serde::Deserialize)]
struct EventKind<'a> {
    #[serde(rename = "type", borrow)]
    kind: std::borrow::Cow<'a, str>,
}

/// A removal from scope whose reason this version cannot read: the child it names is still
/// removed, as what must leave the phone never waits for an update.
#[derive(serde::Deserialize)]
struct RemovalOf<'a> {
    #[serde(rename = "type", borrow)]
    kind: std::borrow::Cow<'a, str>,
    child_id: ChildId,
}

/// Reads a pull page, event by event (see [`SyncClient::pull`]). A page whose frame (protocol,
/// cursor, settings) cannot be read is a protocol error: nothing of it is applied.
pub fn read_pull(body: &[u8]) -> Result<Pulled, SyncError> {
    let wire: WirePull<'_> = serde_json::from_slice(body).map_err(|e| SyncError::Protocol(e.to_string()))?;
    if wire.protocol != shared::sync::PROTOCOL_VERSION {
        return Err(SyncError::Protocol(format!("server speaks protocol {}", wire.protocol)));
    }
    let mut events = Vec::with_capacity(wire.events.len());
    let mut unreadable = 0;
    for raw in wire.events {
        match serde_json::from_str::<shared::sync::ChangeEvent>(raw.get()) {
            Ok(event) => events.push(event),
            Err(_)
                if let Ok(removal) = serde_json::from_str::<RemovalOf<'_>>(raw.get())
                    && removal.kind == "removed_from_scope" =>
            {
                // The reason is only logged on the phone.
                let reason = shared::sync::RemovalReason::Reallocated;
                events
                    .push(shared::sync::ChangeEvent::RemovedFromScope { child_id: removal.child_id, reason });
            }
            Err(_) => {
                unreadable += 1;
                let kind = serde_json::from_str::<EventKind<'_>>(raw.get()).map(|k| k.kind.into_owned());
                tracing::warn!(
                    event.kind = kind.as_deref().unwrap_or("unknown"),
                    "a change this version of the app cannot read: left out until the app is updated"
                );
            }
        }
    }
    let page = PullResponse {
        protocol: wire.protocol,
        events,
        cursor: wire.cursor,
        more: wire.more,
        settings: wire.settings,
    };
    Ok(Pulled { page, unreadable })
}
