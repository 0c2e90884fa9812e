//! The local store: everything the field app keeps on the device, in sled, encrypted at rest.
//!
//! # Opening and unlocking
//! [`LocalStore::open`] opens the directory; nothing can be read until the worker's PIN
//! unlocks it. The first [`LocalStore::set_pin`] makes a random data key and wraps it with a key
//! derived from the PIN (see [`crate::crypto`]); [`LocalStore::unlock`] unwraps it and hands
//! back an [`UnlockedStore`], a cheap `Clone` handle the UI and the sync engine share.
//! Every wrong PIN is counted durably *before* the PIN is checked, so killing the app between
//! guesses gains nothing; the [`MAX_PIN_ATTEMPTS`]th wrong PIN in a row wipes everything.
//!
//! # What is on disk
//! - Every value is sealed with the data key; its tree and key are bound in as associated data.
//! - Keys are identifiers only (UUIDs, revision numbers, SHA-256 hashes), never names or words.
//! - In the clear are only: tree names, the argon2 salt and settings, the wrapped data key, and
//!   the count of wrong PINs.
//!
//! # Durability
//! Writes that the UI reports to the worker ("Saved on this phone") return only after sled has
//! flushed them to disk: [`UnlockedStore::save_draft`], [`UnlockedStore::submit`] and the sync
//! bookkeeping all flush before returning.
//!
//! # Nothing lost, nothing leaked
//! A submitted visit stays in the outbox until the server acknowledges it; a rejected or
//! conflicting one is set aside with the server's reason until the worker deals with it. When
//! the server says a child has left the worker's scope, everything pulled about that child is
//! deleted, but the worker's own unsent drafts and outbox entries are kept until the server has
//! them. So that such work can still be opened and submitted, the child's record alone is kept
//! with it ([`UnlockedStore::kept_child`]), out of the caseload, until nothing for the child is
//! left unsent.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock, RwLockReadGuard};

use chrono::{DateTime, NaiveDate, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use shared::child::Child;
use shared::escalation::Escalation;
use shared::people::{CoverAssignment, Worker};
use shared::schedule::{self, DueState};
use shared::sync::{
    AuthoritySettings, ChangeEvent, Cursor, Handover, PullResponse, PushOutcome, PushResult, ReviewState,
};
use shared::validation::FieldError;
use shared::visit::{Visit, VisitStatus};
use shared::{ChildId, DeviceId, VisitId};
use sled::Transactional;
use tracing::{info, warn};

use crate::crypto::{CryptoError, KdfParams, SALT_LEN, SecretKey, random_salt};
use crate::draft::VisitDraft;

/// Wrong PINs in a row that wipe the device's data.
pub const MAX_PIN_ATTEMPTS: u32 = 5;
/// The shortest PIN accepted.
pub const MIN_PIN_LEN: usize = 4;
/// The longest PIN accepted.
pub const MAX_PIN_LEN: usize = 12;

/// Something went wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// sled could not read or write (disk full, permissions, corruption).
    #[error("the local store could not be read or written: {0}")]
    Sled(#[from] sled::Error),
    /// A file-system error while wiping or creating the store directory.
    #[error("the local store's folder could not be changed: {0}")]
    Io(#[from] std::io::Error),
    /// A stored value did not decrypt or decode: the data is damaged.
    #[error("a stored record is damaged and cannot be read ({0})")]
    Corrupt(String),
    /// The store was wiped since this handle was unlocked. Sign in again.
    #[error("the data on this device was wiped")]
    Wiped,
    /// [`LocalStore::set_pin`] on a store that already has a PIN; use
    /// [`UnlockedStore::change_pin`].
    #[error("a PIN is already set on this device")]
    PinAlreadySet,
    /// The PIN does not meet the rules.
    #[error("{0}")]
    BadPin(&'static str),
    /// The record asked for is not in the store.
    #[error("the record is not on this device")]
    NotFound,
    /// The operation does not apply to the record in its current state.
    #[error("{0}")]
    InvalidState(&'static str),
}

impl From<CryptoError> for StoreError {
    fn from(e: CryptoError) -> Self {
        StoreError::Corrupt(e.to_string())
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Corrupt(format!("decode: {e}"))
    }
}

/// Why unlocking failed.
#[derive(Debug, thiserror::Error)]
pub enum UnlockError {
    /// The PIN was wrong; the data is wiped after `attempts_left` more wrong PINs.
    #[error("wrong PIN: {} left before this device's data is wiped", shared::text::count(*.attempts_left, "attempt", "attempts"))]
    WrongPin {
        /// Wrong PINs still allowed before the wipe.
        attempts_left: u32,
    },
    /// Too many wrong PINs: everything on the device has been wiped. Sign in again.
    #[error("too many wrong PINs: the data on this device has been wiped")]
    Wiped,
    /// No PIN has been set: the worker must sign in first.
    #[error("no PIN is set on this device: sign in first")]
    NoPin,
    /// The store itself failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Checks a PIN against the rules: 4 to 12 digits.
pub fn check_pin(pin: &str) -> Result<(), StoreError> {
    if pin.len() < MIN_PIN_LEN {
        return Err(StoreError::BadPin("The PIN must have at least 4 digits."));
    }
    if pin.len() > MAX_PIN_LEN {
        return Err(StoreError::BadPin("The PIN can have at most 12 digits."));
    }
    if !pin.bytes().all(|b| b.is_ascii_digit()) {
        return Err(StoreError::BadPin("The PIN can only contain digits."));
    }
    Ok(())
}

// Tree names. They are visible on disk, so they say what kind of record, never whose.
const META: &str = "meta";
const SECURE: &str = "secure";
const DRAFTS: &str = "drafts";
const OUTBOX: &str = "outbox";
const CHILDREN: &str = "children";
const VISITS: &str = "visits";
const COVERS: &str = "covers";
const ESCALATIONS: &str = "escalations";
const HANDOVERS: &str = "handovers";
const TIMELINES: &str = "timelines";
const SEEN_ALONE_DECISIONS: &str = "seen_alone_decisions";
const PHOTOS: &str = "photos";
const UPLOADS: &str = "uploads";
const REVIEWS: &str = "reviews";
const KEPT_CHILDREN: &str = "kept_children";

// Plaintext keys in the `meta` tree.
const META_SALT: &[u8] = b"kdf_salt";
const META_KDF: &[u8] = b"kdf_params";
const META_WRAPPED_KEY: &[u8] = b"wrapped_data_key";
const META_FAILED: &[u8] = b"failed_pin_attempts";

// Keys in the sealed `secure` tree.
const SECURE_SESSION: &[u8] = b"session";
const SECURE_CURSOR: &[u8] = b"pull_cursor";
const SECURE_LAST_SYNC: &[u8] = b"last_sync";
const SECURE_UNREADABLE: &[u8] = b"unreadable";

/// This build's version: changes from the server it could not read are pulled again by a
/// later one ([`Unreadable`]).
pub const APP_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Changes from the server that a version of the app could not read (a kind of escalation
/// added to the server after it was built, say): left out of what it applied, and counted
/// here, so the sync screen says to update the app, and the updated app pulls everything again
/// (see `SyncEngine`). Only the count is kept, never the change itself, which may name a child.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unreadable {
    /// How many changes.
    pub count: u64,
    /// The version that could not read them.
    pub app_version: String,
    /// When the first of them came.
    pub since: DateTime<Utc>,
}
const SECURE_SETTINGS: &[u8] = b"authority_settings";

/// The open sled database and its trees. Replaced wholesale by a wipe.
struct Handles {
    db: sled::Db,
    generation: u64,
    meta: sled::Tree,
    secure: sled::Tree,
    drafts: sled::Tree,
    outbox: sled::Tree,
    children: sled::Tree,
    visits: sled::Tree,
    covers: sled::Tree,
    escalations: sled::Tree,
    handovers: sled::Tree,
    /// The plan's timeline as the server last gave it, by child, for the doorstep.
    timelines: sled::Tree,
    /// A manager's standing decisions that a child need not be seen alone, as the server last
    /// gave them, by child, for the doorstep.
    seen_alone_decisions: sled::Tree,
    photos: sled::Tree,
    uploads: sled::Tree,
    /// Visit revisions held for a manager's review, by visit key: they count for nothing here
    /// until a manager resolves them.
    reviews: sled::Tree,
    /// The record of a child who has left the worker's scope while the worker's own work for
    /// them is unsent (a draft, or a visit the server has not taken yet), by child: kept only
    /// so that work can be opened and submitted. Never on the caseload.
    kept_children: sled::Tree,
}

/// The store's page cache. A 30-child caseload with two years of history is about 6 MB on disk.
const PAGE_CACHE_BYTES: u64 = 16 * 1024 * 1024;

/// How long opening the store waits for sled to let go of its directory's lock.
const LOCK_RELEASE_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// Opens the store's sled database, waiting a moment if its directory is still locked. sled's
/// background threads drop their handles a little after the last of ours (sled's own tests
/// block on the lock for this reason), so a store closed and opened again at once (the app
/// wiped, or locked and reopened) could fail at random with "could not acquire lock". Another
/// process holding the store still fails, after [`LOCK_RELEASE_WAIT`].
fn open_when_released(config: &sled::Config) -> Result<sled::Db, sled::Error> {
    let deadline = std::time::Instant::now() + LOCK_RELEASE_WAIT;
    loop {
        match config.open() {
            Err(sled::Error::Io(error))
                if error.to_string().contains("could not acquire lock")
                    && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
            opened => return opened,
        }
    }
}

impl Handles {
    fn open(dir: &Path, generation: u64) -> Result<Self, StoreError> {
        std::fs::create_dir_all(dir)?;
        // A phone holds one worker's caseload: a few megabytes. sled's default page cache
        // (1 GiB) would let the app's memory grow far beyond what it needs.
        let db = open_when_released(
            &sled::Config::new().path(dir).mode(sled::Mode::LowSpace).cache_capacity(PAGE_CACHE_BYTES),
        )?;
        Ok(Self {
            meta: db.open_tree(META)?,
            secure: db.open_tree(SECURE)?,
            drafts: db.open_tree(DRAFTS)?,
            outbox: db.open_tree(OUTBOX)?,
            children: db.open_tree(CHILDREN)?,
            visits: db.open_tree(VISITS)?,
            covers: db.open_tree(COVERS)?,
            escalations: db.open_tree(ESCALATIONS)?,
            handovers: db.open_tree(HANDOVERS)?,
            timelines: db.open_tree(TIMELINES)?,
            seen_alone_decisions: db.open_tree(SEEN_ALONE_DECISIONS)?,
            photos: db.open_tree(PHOTOS)?,
            uploads: db.open_tree(UPLOADS)?,
            reviews: db.open_tree(REVIEWS)?,
            kept_children: db.open_tree(KEPT_CHILDREN)?,
            db,
            generation,
        })
    }

    fn all_trees(&self) -> [&sled::Tree; 15] {
        [
            &self.meta,
            &self.secure,
            &self.drafts,
            &self.outbox,
            &self.children,
            &self.visits,
            &self.covers,
            &self.escalations,
            &self.handovers,
            &self.timelines,
            &self.seen_alone_decisions,
            &self.photos,
            &self.uploads,
            &self.reviews,
            &self.kept_children,
        ]
    }
}

struct Inner {
    dir: PathBuf,
    handles: RwLock<Option<Handles>>,
    /// Bumped whenever the worker adds work to send (a submit, a photo, a reopened or
    /// dismissed record), so the sync engine can update its counts and send at once.
    new_work: tokio::sync::watch::Sender<u64>,
}

/// A copy the server's answer is kept as, for the doorstep, which the app reads again after
/// every sync.
///
/// Each copy is kept with the server's tag for it (its `ETag`), named when reading it again:
/// while that copy is current the server sends nothing and records no view. The tag is written
/// beside its copy, in the same tree and the same atomic batch, so a copy and a tag never
/// pair across two answers, and both outlast a restart: a duty worker's phone started again
/// does not fetch, and record a view of, every handover it keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kept {
    /// A duty or reallocation handover.
    Handover,
    /// The plan's timeline.
    Timeline,
}

impl Kept {
    /// The tree the copies are kept in, and its name (for sealing).
    fn tree(self, handles: &Handles) -> (&sled::Tree, &'static str) {
        match self {
            Kept::Handover => (&handles.handovers, HANDOVERS),
            Kept::Timeline => (&handles.timelines, TIMELINES),
        }
    }
}

/// The key of the tag kept beside a child's copy (whose key is the child's id).
fn tag_key(child: ChildId) -> Vec<u8> {
    [child.as_bytes().as_slice(), b"/etag"].concat()
}

impl Inner {
    fn note_new_work(&self) {
        self.new_work.send_modify(|n| *n = n.wrapping_add(1));
    }
}

impl Inner {
    fn read(&self) -> Result<HandlesGuard<'_>, StoreError> {
        let guard = self.handles.read().unwrap_or_else(|poisoned| poisoned.into_inner());
        if guard.is_none() {
            return Err(StoreError::Wiped);
        }
        Ok(HandlesGuard(guard))
    }
}

struct HandlesGuard<'a>(RwLockReadGuard<'a, Option<Handles>>);

impl std::ops::Deref for HandlesGuard<'_> {
    type Target = Handles;
    fn deref(&self) -> &Handles {
        // `Inner::read` checked that the store is open.
        self.0.as_ref().expect("checked open")
    }
}

/// The store on this device, locked. Cheap to clone.
#[derive(Clone)]
pub struct LocalStore {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for LocalStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalStore").field("dir", &self.inner.dir).finish()
    }
}

impl LocalStore {
    /// Opens (creating if needed) the store in `dir`.
    pub fn open(dir: impl AsRef<Path>) -> Result<Self, StoreError> {
        let dir = dir.as_ref().to_path_buf();
        let handles = Handles::open(&dir, 0)?;
        let (new_work, _) = tokio::sync::watch::channel(0);
        Ok(Self { inner: Arc::new(Inner { dir, handles: RwLock::new(Some(handles)), new_work }) })
    }

    /// The directory the store lives in.
    pub fn dir(&self) -> &Path {
        &self.inner.dir
    }

    /// Whether a PIN has been set (if not, the worker must sign in and choose one).
    pub fn has_pin(&self) -> Result<bool, StoreError> {
        Ok(self.inner.read()?.meta.contains_key(META_WRAPPED_KEY)?)
    }

    /// Wrong PINs entered in a row so far.
    pub fn failed_attempts(&self) -> Result<u32, StoreError> {
        let handles = self.inner.read()?;
        read_u32(&handles.meta, META_FAILED)
    }

    /// Sets the first PIN on a fresh (or wiped) store: makes the random data key, wraps it with
    /// the PIN, and returns the store unlocked. Fails if a PIN is already set.
    pub fn set_pin(&self, pin: &str) -> Result<UnlockedStore, StoreError> {
        self.set_pin_with(pin, KdfParams::default())
    }

    /// [`LocalStore::set_pin`] with explicit argon2 costs (tests use cheap ones).
    pub fn set_pin_with(&self, pin: &str, params: KdfParams) -> Result<UnlockedStore, StoreError> {
        check_pin(pin)?;
        if self.has_pin()? {
            return Err(StoreError::PinAlreadySet);
        }
        let data_key = SecretKey::random();
        let salt = random_salt();
        let wrapped = SecretKey::from_pin(pin, &salt, params)?.wrap(&data_key);
        let handles = self.inner.read()?;
        let params_json = serde_json::to_vec(&params)?;
        let mut batch = sled::Batch::default();
        batch.insert(META_SALT, &salt[..]);
        batch.insert(META_KDF, params_json);
        batch.insert(META_WRAPPED_KEY, wrapped);
        batch.insert(META_FAILED, &0u32.to_be_bytes()[..]);
        handles.meta.apply_batch(batch)?;
        handles.db.flush()?;
        info!("PIN set; local store ready");
        Ok(UnlockedStore {
            inner: self.inner.clone(),
            key: Arc::new(data_key),
            generation: handles.generation,
        })
    }

    /// Unlocks the store with the worker's PIN.
    ///
    /// The attempt is counted durably before the PIN is checked. A right PIN resets the count;
    /// the [`MAX_PIN_ATTEMPTS`]th wrong PIN in a row wipes all local data and answers
    /// [`UnlockError::Wiped`].
    pub fn unlock(&self, pin: &str) -> Result<UnlockedStore, UnlockError> {
        let (salt, params, wrapped, failed) = {
            let handles = self.inner.read()?;
            let Some(wrapped) = handles.meta.get(META_WRAPPED_KEY).map_err(StoreError::from)? else {
                return Err(UnlockError::NoPin);
            };
            let salt = handles.meta.get(META_SALT).map_err(StoreError::from)?;
            let salt: [u8; SALT_LEN] = salt
                .as_deref()
                .and_then(|s| s.try_into().ok())
                .ok_or_else(|| StoreError::Corrupt("missing salt".into()))?;
            let params: KdfParams = match handles.meta.get(META_KDF).map_err(StoreError::from)? {
                Some(bytes) => serde_json::from_slice(&bytes).map_err(StoreError::from)?,
                None => KdfParams::default(),
            };
            let failed = read_u32(&handles.meta, META_FAILED)?;
            if failed >= MAX_PIN_ATTEMPTS {
                drop(handles);
                self.wipe()?;
                return Err(UnlockError::Wiped);
            }
            handles.meta.insert(META_FAILED, &(failed + 1).to_be_bytes()[..]).map_err(StoreError::from)?;
            handles.db.flush().map_err(StoreError::from)?;
            (salt, params, wrapped, failed + 1)
        };
        let pin_key = SecretKey::from_pin(pin, &salt, params).map_err(StoreError::from)?;
        match pin_key.unwrap_key(&wrapped) {
            Ok(data_key) => {
                let handles = self.inner.read()?;
                handles.meta.insert(META_FAILED, &0u32.to_be_bytes()[..]).map_err(StoreError::from)?;
                handles.db.flush().map_err(StoreError::from)?;
                Ok(UnlockedStore {
                    inner: self.inner.clone(),
                    key: Arc::new(data_key),
                    generation: handles.generation,
                })
            }
            Err(_) if failed >= MAX_PIN_ATTEMPTS => {
                warn!(failed, "too many wrong PINs: wiping local data");
                self.wipe()?;
                Err(UnlockError::Wiped)
            }
            Err(_) => {
                info!(failed, "wrong PIN");
                Err(UnlockError::WrongPin { attempts_left: MAX_PIN_ATTEMPTS - failed })
            }
        }
    }

    /// Deletes everything on the device: every record, the wrapped key and the PIN. Handles
    /// unlocked before the wipe answer [`StoreError::Wiped`] from then on; the store itself is
    /// left open and empty, ready for a new sign-in.
    ///
    /// The trees are cleared and flushed, then sled's files are deleted and a fresh, empty
    /// database is created in their place.
    pub fn wipe(&self) -> Result<(), StoreError> {
        let mut guard = self.inner.handles.write().unwrap_or_else(|poisoned| poisoned.into_inner());
        let generation = match guard.take() {
            Some(handles) => {
                for tree in handles.all_trees() {
                    tree.clear()?;
                }
                handles.db.flush()?;
                let generation = handles.generation + 1;
                drop(handles);
                generation
            }
            None => 1,
        };
        remove_dir_contents(&self.inner.dir)?;
        *guard = Some(Handles::open(&self.inner.dir, generation)?);
        drop(guard);
        self.inner.note_new_work();
        warn!("local data wiped");
        Ok(())
    }
}

fn remove_dir_contents(dir: &Path) -> Result<(), std::io::Error> {
    match std::fs::read_dir(dir) {
        Ok(entries) => {
            for entry in entries {
                let path = entry?.path();
                if path.is_dir() { std::fs::remove_dir_all(&path)? } else { std::fs::remove_file(&path)? }
            }
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

fn read_u32(tree: &sled::Tree, key: &[u8]) -> Result<u32, StoreError> {
    Ok(tree.get(key)?.and_then(|v| <[u8; 4]>::try_from(v.as_ref()).ok()).map(u32::from_be_bytes).unwrap_or(0))
}

/// The signed-in worker's session, kept sealed like everything else.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionRecord {
    /// The sync server's base address, for example `https://sync.example.org`.
    pub server_url: String,
    /// This device's identity, registered with the server at sign-in.
    pub device_id: DeviceId,
    /// Who is signed in.
    pub worker: Worker,
    /// The short-lived access token.
    pub access_token: String,
    /// When the access token expires.
    pub access_expires_at: DateTime<Utc>,
    /// The rotating refresh token.
    pub refresh_token: String,
    /// The authority's calendar, time zone and schedule rules, as the server sent them at
    /// sign-in or refresh (also kept on their own: see [`UnlockedStore::settings`]).
    #[serde(default)]
    pub settings: Option<AuthoritySettings>,
}

impl SessionRecord {
    /// A session from a sign-in (or refresh) answer.
    pub fn new(
        server_url: impl Into<String>,
        device_id: DeviceId,
        tokens: shared::sync::TokenResponse,
    ) -> Self {
        Self {
            server_url: server_url.into(),
            device_id,
            worker: tokens.worker,
            access_token: tokens.access_token,
            access_expires_at: tokens.access_expires_at,
            refresh_token: tokens.refresh_token,
            settings: tokens.settings,
        }
    }

    /// Takes new tokens from a refresh answer.
    pub fn update_tokens(&mut self, tokens: shared::sync::TokenResponse) {
        self.worker = tokens.worker;
        self.access_token = tokens.access_token;
        self.access_expires_at = tokens.access_expires_at;
        self.refresh_token = tokens.refresh_token;
        if tokens.settings.is_some() {
            self.settings = tokens.settings;
        }
    }
}

impl std::fmt::Debug for SessionRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionRecord")
            .field("server_url", &self.server_url)
            .field("device_id", &self.device_id)
            .field("worker", &self.worker.id)
            .field("access_token", &"<redacted>")
            .field("access_expires_at", &self.access_expires_at)
            .field("refresh_token", &"<redacted>")
            .finish()
    }
}

/// Where a submitted visit revision stands with the server.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum OutboxState {
    /// Saved on this phone, not yet acknowledged by the server.
    Waiting,
    /// The server holds it durably.
    Sent {
        /// When the server acknowledged it.
        at: DateTime<Utc>,
        /// Set when the server holds it for a manager's review.
        #[serde(default)]
        needs_review: Option<String>,
    },
    /// The server refused it; it is set aside until the worker fixes it.
    Rejected {
        /// Every problem the server named.
        errors: Vec<FieldError>,
        /// When.
        at: DateTime<Utc>,
    },
    /// The server holds a different version; both are kept until a person resolves it.
    Conflict {
        /// The version the server holds.
        server: Box<Visit>,
        /// The version this device sent.
        yours: Box<Visit>,
        /// Plain words: what differs.
        reason: String,
        /// When.
        at: DateTime<Utc>,
    },
}

impl OutboxState {
    /// Whether the worker must do something about this entry.
    pub fn is_problem(&self) -> bool {
        matches!(self, OutboxState::Rejected { .. } | OutboxState::Conflict { .. })
    }
}

/// One submitted visit revision in the outbox.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutboxEntry {
    /// The revision as submitted.
    pub visit: Visit,
    /// Where it stands with the server.
    pub state: OutboxState,
    /// When the worker submitted it.
    pub queued_at: DateTime<Utc>,
    /// How many times it has been pushed without an answer for it.
    #[serde(default)]
    pub attempts: u32,
}

/// How many records are where, for the sync status screen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OutboxCounts {
    /// Saved on this phone, not yet acknowledged by the server.
    pub waiting: usize,
    /// Acknowledged by the server.
    pub sent: usize,
    /// Rejected or in conflict: the worker must act.
    pub problems: usize,
    /// Photos saved on this phone and not yet uploaded.
    pub photos_waiting: usize,
}

impl OutboxCounts {
    /// Whether everything submitted has reached the server (nothing waiting, nothing set aside).
    pub fn all_sent(&self) -> bool {
        self.waiting == 0 && self.problems == 0 && self.photos_waiting == 0
    }
}

/// What applying a pull changed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PullSummary {
    /// Children added or updated.
    pub children: usize,
    /// Visit revisions added or updated.
    pub visits: usize,
    /// Cover assignments added or updated.
    pub covers: usize,
    /// Escalations added or updated.
    pub escalations: usize,
    /// Children removed from scope (and their data deleted).
    pub removed: usize,
    /// Waiting outbox entries the server turned out to hold already.
    pub confirmed_sent: usize,
}

/// A photo queued for upload.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingUpload {
    /// SHA-256 of the processed bytes, lower-case hex.
    pub sha256: String,
    /// Its media type.
    pub media_type: String,
}

/// A processed photo held on the device.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredPhoto {
    /// Its media type.
    pub media_type: String,
    /// The processed bytes (resized, metadata stripped).
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for StoredPhoto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredPhoto")
            .field("media_type", &self.media_type)
            .field("len", &self.bytes.len())
            .finish()
    }
}

/// One child on the worker's caseload, with everything the caseload screen shows.
#[derive(Clone, Debug, PartialEq)]
pub struct CaseloadEntry {
    /// The child.
    pub child: Child,
    /// Their due state today, from the shared rules (`None` when no plan is in force).
    pub due_state: Option<DueState>,
    /// When they were last seen on a statutory visit.
    pub last_seen: Option<NaiveDate>,
    /// Working days since then.
    pub working_days_since_seen: Option<i64>,
    /// When they were last seen alone (any visit).
    pub last_seen_alone: Option<NaiveDate>,
    /// The cover assignment, when the worker holds this child as duty cover.
    pub cover: Option<CoverAssignment>,
    /// The people whose need for an interpreter nobody has considered yet (flagged until
    /// answered on the central record or at a visit).
    pub interpreting_not_considered: Vec<shared::InterpretedPerson>,
}

/// The store, unlocked. Cheap to clone; every clone shares the same data key (wiped from
/// memory when the last clone is dropped).
#[derive(Clone)]
pub struct UnlockedStore {
    inner: Arc<Inner>,
    key: Arc<SecretKey>,
    generation: u64,
}

impl std::fmt::Debug for UnlockedStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UnlockedStore").field("dir", &self.inner.dir).finish_non_exhaustive()
    }
}

fn context(tree: &str, key: &[u8]) -> Vec<u8> {
    let mut context = Vec::with_capacity(tree.len() + 1 + key.len());
    context.extend_from_slice(tree.as_bytes());
    context.push(b'/');
    context.extend_from_slice(key);
    context
}

fn outbox_key(id: VisitId, revision: u32) -> [u8; 20] {
    let mut key = [0u8; 20];
    key[..16].copy_from_slice(id.as_bytes());
    key[16..].copy_from_slice(&revision.to_be_bytes());
    key
}

fn visit_key(visit: &Visit) -> [u8; 36] {
    let mut key = [0u8; 36];
    key[..16].copy_from_slice(visit.child_id.as_bytes());
    key[16..32].copy_from_slice(visit.id.as_bytes());
    key[32..].copy_from_slice(&visit.revision.to_be_bytes());
    key
}

fn child_scoped_key(child: ChildId, id: &[u8; 16]) -> [u8; 32] {
    let mut key = [0u8; 32];
    key[..16].copy_from_slice(child.as_bytes());
    key[16..].copy_from_slice(id);
    key
}

fn photo_key(sha256: &str) -> Result<[u8; 32], StoreError> {
    let mut key = [0u8; 32];
    hex::decode_to_slice(sha256, &mut key)
        .map_err(|_| StoreError::InvalidState("not a SHA-256 hash (64 hex digits)"))?;
    Ok(key)
}

impl UnlockedStore {
    fn handles(&self) -> Result<HandlesGuard<'_>, StoreError> {
        let handles = self.inner.read()?;
        if handles.generation != self.generation {
            return Err(StoreError::Wiped);
        }
        Ok(handles)
    }

    fn seal<T: Serialize>(&self, tree: &str, key: &[u8], value: &T) -> Result<Vec<u8>, StoreError> {
        let plain = zeroize::Zeroizing::new(serde_json::to_vec(value)?);
        Ok(self.key.seal(&plain, &context(tree, key)))
    }

    fn unseal<T: DeserializeOwned>(&self, tree: &str, key: &[u8], sealed: &[u8]) -> Result<T, StoreError> {
        let plain = self.key.open(sealed, &context(tree, key))?;
        Ok(serde_json::from_slice(&plain)?)
    }

    fn put<T: Serialize>(
        &self,
        tree: &sled::Tree,
        name: &str,
        key: &[u8],
        value: &T,
    ) -> Result<(), StoreError> {
        tree.insert(key, self.seal(name, key, value)?)?;
        Ok(())
    }

    fn get<T: DeserializeOwned>(
        &self,
        tree: &sled::Tree,
        name: &str,
        key: &[u8],
    ) -> Result<Option<T>, StoreError> {
        tree.get(key)?.map(|sealed| self.unseal(name, key, &sealed)).transpose()
    }

    fn all<T: DeserializeOwned>(&self, tree: &sled::Tree, name: &str) -> Result<Vec<T>, StoreError> {
        tree.iter()
            .map(|item| {
                let (key, sealed) = item?;
                self.unseal(name, &key, &sealed)
            })
            .collect()
    }

    fn scan<T: DeserializeOwned>(
        &self,
        tree: &sled::Tree,
        name: &str,
        prefix: &[u8],
    ) -> Result<Vec<T>, StoreError> {
        tree.scan_prefix(prefix)
            .map(|item| {
                let (key, sealed) = item?;
                self.unseal(name, &key, &sealed)
            })
            .collect()
    }

    /// The locked store underneath, for wiping (the server's wipe answer, or signing out for
    /// good).
    pub fn local(&self) -> LocalStore {
        LocalStore { inner: self.inner.clone() }
    }

    /// Wakes when the worker adds work to send: a submitted visit, a photo, a reopened or
    /// dismissed record, or a wipe. The sync engine listens, so the waiting count goes up at
    /// once and the work goes out without waiting for the next periodic sync.
    pub fn new_work(&self) -> tokio::sync::watch::Receiver<u64> {
        self.inner.new_work.subscribe()
    }

    /// Flushes everything written so far to disk; returns once it is durable.
    pub fn flush(&self) -> Result<(), StoreError> {
        self.handles()?.db.flush()?;
        Ok(())
    }

    /// Changes the PIN: the same data key is re-wrapped with the new PIN, so nothing else is
    /// rewritten and the old PIN stops working at once.
    pub fn change_pin(&self, new_pin: &str) -> Result<(), StoreError> {
        check_pin(new_pin)?;
        let params = KdfParams::default();
        let salt = random_salt();
        let wrapped = SecretKey::from_pin(new_pin, &salt, params)?.wrap(&self.key);
        let handles = self.handles()?;
        let mut batch = sled::Batch::default();
        batch.insert(META_SALT, &salt[..]);
        batch.insert(META_KDF, serde_json::to_vec(&params)?);
        batch.insert(META_WRAPPED_KEY, wrapped);
        batch.insert(META_FAILED, &0u32.to_be_bytes()[..]);
        handles.meta.apply_batch(batch)?;
        handles.db.flush()?;
        info!("PIN changed");
        Ok(())
    }

    // ----- Session -----

    /// The signed-in session, if any.
    pub fn session(&self) -> Result<Option<SessionRecord>, StoreError> {
        let handles = self.handles()?;
        self.get(&handles.secure, SECURE, SECURE_SESSION)
    }

    /// Saves the session (after sign-in or a token refresh), durably, with the authority's
    /// settings it carries.
    pub fn save_session(&self, session: &SessionRecord) -> Result<(), StoreError> {
        let handles = self.handles()?;
        self.put(&handles.secure, SECURE, SECURE_SESSION, session)?;
        if let Some(settings) = &session.settings {
            self.keep_settings(&handles, settings)?;
        }
        handles.db.flush()?;
        Ok(())
    }

    // ----- The authority's settings -----

    /// The authority's calendar, time zone and schedule rules, as last sent by the server
    /// (`None` before the first sign-in, when there is no caseload either).
    pub fn settings(&self) -> Result<Option<AuthoritySettings>, StoreError> {
        let handles = self.handles()?;
        self.get(&handles.secure, SECURE, SECURE_SETTINGS)
    }

    /// Keeps `settings` (sealed) when they differ from those held. Not flushed here.
    fn keep_settings(&self, handles: &Handles, settings: &AuthoritySettings) -> Result<(), StoreError> {
        let held: Option<AuthoritySettings> = self.get(&handles.secure, SECURE, SECURE_SETTINGS)?;
        if held.as_ref().is_none_or(|held| held.fingerprint != settings.fingerprint) {
            self.put(&handles.secure, SECURE, SECURE_SETTINGS, settings)?;
            info!(fingerprint = %settings.fingerprint, "authority settings updated");
        }
        Ok(())
    }

    /// The business instant when the phone's clock reads `real_now`: the server's training
    /// offset applied (zero on a live service).
    pub fn business_now(&self, real_now: DateTime<Utc>) -> Result<DateTime<Utc>, StoreError> {
        Ok(self.settings()?.map_or(real_now, |s| s.clock().at(real_now)))
    }

    /// Today for the service when the phone's clock reads `real_now`: the date in the
    /// authority's time zone. Before the first sign-in (no settings, no caseload) the UTC date.
    pub fn today(&self, real_now: DateTime<Utc>) -> Result<NaiveDate, StoreError> {
        Ok(self.settings()?.map_or_else(|| real_now.date_naive(), |s| s.today_at(real_now)))
    }

    /// Forgets the session's tokens (signing out), keeping drafts, the outbox and the caseload.
    pub fn clear_session(&self) -> Result<(), StoreError> {
        let handles = self.handles()?;
        handles.secure.remove(SECURE_SESSION)?;
        handles.db.flush()?;
        Ok(())
    }

    // ----- Drafts -----

    /// Saves a draft durably: returns once it is on disk, so it survives the app being killed.
    /// Call on every change.
    pub fn save_draft(&self, draft: &VisitDraft) -> Result<(), StoreError> {
        let handles = self.handles()?;
        self.put(&handles.drafts, DRAFTS, draft.id.as_bytes(), draft)?;
        handles.db.flush()?;
        Ok(())
    }

    /// [`UnlockedStore::save_draft`] for async callers: the flush does not block the executor.
    pub async fn save_draft_async(&self, draft: &VisitDraft) -> Result<(), StoreError> {
        self.keep_draft(draft)?;
        self.flush_async().await
    }

    /// Writes a draft at once, without waiting for the disk: every read from now on (the
    /// review screen opening on the next tap, say) gets this version.
    /// [`UnlockedStore::flush_async`] then makes it durable.
    pub fn keep_draft(&self, draft: &VisitDraft) -> Result<(), StoreError> {
        let handles = self.handles()?;
        self.put(&handles.drafts, DRAFTS, draft.id.as_bytes(), draft)
    }

    /// [`UnlockedStore::flush`] for async callers: the flush does not block the executor.
    pub async fn flush_async(&self) -> Result<(), StoreError> {
        let db = self.handles()?.db.clone();
        db.flush_async().await?;
        Ok(())
    }

    /// One draft, by visit id.
    pub fn draft(&self, id: VisitId) -> Result<Option<VisitDraft>, StoreError> {
        let handles = self.handles()?;
        self.get(&handles.drafts, DRAFTS, id.as_bytes())
    }

    /// Every draft on the device, oldest visit first.
    pub fn drafts(&self) -> Result<Vec<VisitDraft>, StoreError> {
        let handles = self.handles()?;
        self.all(&handles.drafts, DRAFTS)
    }

    /// Deletes a draft (the worker discarded it).
    pub fn delete_draft(&self, id: VisitId) -> Result<(), StoreError> {
        let handles = self.handles()?;
        handles.drafts.remove(id.as_bytes())?;
        handles.db.flush()?;
        Ok(())
    }

    // ----- Outbox -----

    /// Submits a visit revision: in one atomic step, puts it in the outbox (waiting), adds it
    /// to the child's local history (so due states update offline) and removes its draft.
    /// Durable before returning.
    pub fn submit(&self, visit: &Visit, now: DateTime<Utc>) -> Result<(), StoreError> {
        if visit.status == VisitStatus::Draft {
            return Err(StoreError::InvalidState("a draft cannot be submitted as it is"));
        }
        let handles = self.handles()?;
        let out_key = outbox_key(visit.id, visit.revision);
        if let Some(existing) = self.get::<OutboxEntry>(&handles.outbox, OUTBOX, &out_key)?
            && !matches!(existing.state, OutboxState::Rejected { .. })
        {
            return Err(StoreError::InvalidState("this revision was already submitted"));
        }
        let entry =
            OutboxEntry { visit: visit.clone(), state: OutboxState::Waiting, queued_at: now, attempts: 0 };
        let sealed_entry = self.seal(OUTBOX, &out_key, &entry)?;
        let v_key = visit_key(visit);
        let sealed_visit = self.seal(VISITS, &v_key, visit)?;
        let draft_key = *visit.id.as_bytes();
        (&handles.outbox, &handles.visits, &handles.drafts)
            .transaction(|(outbox, visits, drafts)| {
                outbox.insert(&out_key[..], sealed_entry.clone())?;
                visits.insert(&v_key[..], sealed_visit.clone())?;
                drafts.remove(&draft_key[..])?;
                Ok::<(), sled::transaction::ConflictableTransactionError<()>>(())
            })
            .map_err(|e| match e {
                sled::transaction::TransactionError::Storage(e) => StoreError::Sled(e),
                sled::transaction::TransactionError::Abort(()) => StoreError::InvalidState("submit aborted"),
            })?;
        handles.db.flush()?;
        drop(handles);
        self.inner.note_new_work();
        info!(visit.id = %visit.id, visit.revision = visit.revision, "visit submitted to the outbox");
        Ok(())
    }

    /// Every outbox entry, in the order the visits were made.
    pub fn outbox(&self) -> Result<Vec<OutboxEntry>, StoreError> {
        let handles = self.handles()?;
        self.all(&handles.outbox, OUTBOX)
    }

    /// The entries still waiting to be sent, in order.
    pub fn outbox_waiting(&self) -> Result<Vec<OutboxEntry>, StoreError> {
        Ok(self.outbox()?.into_iter().filter(|e| e.state == OutboxState::Waiting).collect())
    }

    /// The entries the worker must deal with (rejected or in conflict).
    pub fn outbox_problems(&self) -> Result<Vec<OutboxEntry>, StoreError> {
        Ok(self.outbox()?.into_iter().filter(|e| e.state.is_problem()).collect())
    }

    /// Counts for the sync status screen.
    pub fn counts(&self) -> Result<OutboxCounts, StoreError> {
        let mut counts = OutboxCounts::default();
        for entry in self.outbox()? {
            match entry.state {
                OutboxState::Waiting => counts.waiting += 1,
                OutboxState::Sent { .. } => counts.sent += 1,
                OutboxState::Rejected { .. } | OutboxState::Conflict { .. } => counts.problems += 1,
            }
        }
        counts.photos_waiting = self.handles()?.uploads.len();
        Ok(counts)
    }

    /// Records the server's answer for one pushed revision: accepted and duplicate mark it sent;
    /// rejected and conflict set it aside with the reason. Not flushed: call
    /// [`UnlockedStore::flush`] after a batch (the engine does).
    pub fn record_push_result(&self, result: &PushResult, now: DateTime<Utc>) -> Result<(), StoreError> {
        let handles = self.handles()?;
        let key = outbox_key(result.visit_id, result.revision);
        let Some(mut entry) = self.get::<OutboxEntry>(&handles.outbox, OUTBOX, &key)? else {
            warn!(visit.id = %result.visit_id, "push result for a revision not in the outbox");
            return Ok(());
        };
        if let PushOutcome::Accepted { needs_review: Some(reason) } = &result.outcome {
            let state = ReviewState::Waiting { reason: reason.clone() };
            self.put(&handles.reviews, REVIEWS, &visit_key(&entry.visit), &state)?;
        }
        entry.state = match &result.outcome {
            PushOutcome::Accepted { needs_review } => {
                OutboxState::Sent { at: now, needs_review: needs_review.clone() }
            }
            PushOutcome::Duplicate => OutboxState::Sent { at: now, needs_review: None },
            PushOutcome::Rejected { errors } => OutboxState::Rejected { errors: errors.clone(), at: now },
            PushOutcome::Conflict { reason, server, yours } => OutboxState::Conflict {
                server: server.clone(),
                yours: yours.clone(),
                reason: reason.clone(),
                at: now,
            },
        };
        // The child's history on the phone holds what the server holds: a revision it refused
        // is not there (the worker's version stays in the outbox, to reopen and fix), and in a
        // conflict its version of the revision stands (the worker's stays in the outbox, beside
        // it). Left as submitted, a refused visit counted as the child seen, and a conflicting
        // one hid the server's for good (the pull had passed it). One atomic write with the
        // outbox entry.
        let v_key = visit_key(&entry.visit);
        let history: Option<Option<sled::IVec>> = match &result.outcome {
            PushOutcome::Rejected { .. } => Some(None),
            PushOutcome::Conflict { server, .. } => {
                Some(Some(self.seal(VISITS, &v_key, server.as_ref())?.into()))
            }
            _ => None,
        };
        let sealed_entry: sled::IVec = self.seal(OUTBOX, &key, &entry)?.into();
        (&handles.outbox, &handles.visits)
            .transaction(|(outbox, visits)| {
                outbox.insert(&key[..], sealed_entry.clone())?;
                match &history {
                    Some(Some(server)) => {
                        visits.insert(&v_key[..], server.clone())?;
                    }
                    Some(None) => {
                        visits.remove(&v_key[..])?;
                    }
                    None => {}
                }
                Ok::<(), sled::transaction::ConflictableTransactionError<()>>(())
            })
            .map_err(|e| match e {
                sled::transaction::TransactionError::Storage(e) => StoreError::Sled(e),
                sled::transaction::TransactionError::Abort(()) => {
                    StoreError::InvalidState("push result aborted")
                }
            })?;
        Ok(())
    }

    /// Counts one more push attempt that got no answer for these entries.
    pub fn note_push_attempt(&self, ids: &[(VisitId, u32)]) -> Result<(), StoreError> {
        let handles = self.handles()?;
        for &(id, revision) in ids {
            let key = outbox_key(id, revision);
            if let Some(mut entry) = self.get::<OutboxEntry>(&handles.outbox, OUTBOX, &key)? {
                entry.attempts += 1;
                self.put(&handles.outbox, OUTBOX, &key, &entry)?;
            }
        }
        Ok(())
    }

    /// Forgets outbox entries the server acknowledged before `before`, so the outbox stays
    /// small over years of visits. The visits themselves stay in the child's local history
    /// (and on the server); only the "sent" receipt goes. Waiting and set-aside entries are
    /// never touched. Returns how many were forgotten.
    pub fn prune_sent(&self, before: DateTime<Utc>) -> Result<usize, StoreError> {
        let handles = self.handles()?;
        let mut pruned = 0;
        for item in handles.outbox.iter() {
            let (key, sealed) = item?;
            let entry: OutboxEntry = self.unseal(OUTBOX, &key, &sealed)?;
            if matches!(entry.state, OutboxState::Sent { at, .. } if at < before) {
                handles.outbox.remove(key)?;
                pruned += 1;
            }
        }
        if pruned > 0 {
            handles.db.flush()?;
        }
        Ok(pruned)
    }

    /// Takes a rejected revision back as a draft for the worker to fix, and removes it from
    /// the outbox (the server never stored it, so the fixed version keeps its revision number).
    pub fn reopen_rejected(
        &self,
        id: VisitId,
        revision: u32,
        now: DateTime<Utc>,
    ) -> Result<VisitDraft, StoreError> {
        let handles = self.handles()?;
        let key = outbox_key(id, revision);
        let entry: OutboxEntry = self.get(&handles.outbox, OUTBOX, &key)?.ok_or(StoreError::NotFound)?;
        if !matches!(entry.state, OutboxState::Rejected { .. }) {
            return Err(StoreError::InvalidState("only a rejected visit can be reopened"));
        }
        let mut draft =
            VisitDraft::amend(&entry.visit, entry.visit.amendment_reason.clone().unwrap_or_default(), now);
        draft.revision = entry.visit.revision;
        draft.amends = entry.visit.amends;
        draft.amendment_reason = entry.visit.amendment_reason.clone();
        draft.entered_in_error = entry.visit.status == VisitStatus::EnteredInError;
        draft.calendar =
            self.get::<AuthoritySettings>(&handles.secure, SECURE, SECURE_SETTINGS)?.map(|s| s.calendar);
        let sealed_draft = self.seal(DRAFTS, id.as_bytes(), &draft)?;
        let v_key = visit_key(&entry.visit);
        let draft_key = *id.as_bytes();
        (&handles.outbox, &handles.drafts, &handles.visits)
            .transaction(|(outbox, drafts, visits)| {
                drafts.insert(&draft_key[..], sealed_draft.clone())?;
                outbox.remove(&key[..])?;
                visits.remove(&v_key[..])?;
                Ok::<(), sled::transaction::ConflictableTransactionError<()>>(())
            })
            .map_err(|e| match e {
                sled::transaction::TransactionError::Storage(e) => StoreError::Sled(e),
                sled::transaction::TransactionError::Abort(()) => StoreError::InvalidState("reopen aborted"),
            })?;
        handles.db.flush()?;
        drop(handles);
        self.inner.note_new_work();
        Ok(draft)
    }

    /// Clears a conflict from the outbox once the worker has dealt with it (typically by
    /// submitting an amendment of the server's version: see [`VisitDraft::amend`]). The server
    /// keeps both versions, so nothing is lost. Also clears sent entries the worker no longer
    /// wants listed. Waiting and rejected entries cannot be dismissed.
    pub fn dismiss(&self, id: VisitId, revision: u32) -> Result<(), StoreError> {
        let handles = self.handles()?;
        let key = outbox_key(id, revision);
        let entry: OutboxEntry = self.get(&handles.outbox, OUTBOX, &key)?.ok_or(StoreError::NotFound)?;
        match entry.state {
            OutboxState::Conflict { .. } | OutboxState::Sent { .. } => {
                handles.outbox.remove(key)?;
                handles.db.flush()?;
                drop(handles);
                self.inner.note_new_work();
                Ok(())
            }
            OutboxState::Waiting => {
                Err(StoreError::InvalidState("this visit has not reached the server yet"))
            }
            OutboxState::Rejected { .. } => {
                Err(StoreError::InvalidState("the server refused this visit: reopen it and fix it"))
            }
        }
    }

    // ----- Caseload and pulled data -----

    /// Every child on the device.
    pub fn children(&self) -> Result<Vec<Child>, StoreError> {
        let handles = self.handles()?;
        self.all(&handles.children, CHILDREN)
    }

    /// One child.
    pub fn child(&self, id: ChildId) -> Result<Option<Child>, StoreError> {
        let handles = self.handles()?;
        self.get(&handles.children, CHILDREN, id.as_bytes())
    }

    /// Adds or replaces a child.
    pub fn put_child(&self, child: &Child) -> Result<(), StoreError> {
        let handles = self.handles()?;
        self.put(&handles.children, CHILDREN, child.id.as_bytes(), child)
    }

    /// Every visit revision held for a child (pulled and submitted here), oldest visit first.
    pub fn visits_for(&self, child: ChildId) -> Result<Vec<Visit>, StoreError> {
        let handles = self.handles()?;
        self.scan(&handles.visits, VISITS, child.as_bytes())
    }

    /// The child's visit revisions that count: those held for a manager's review (waiting, or
    /// linked to another child) count for nothing until a manager accepts them.
    pub fn counted_visits_for(&self, child: ChildId) -> Result<Vec<Visit>, StoreError> {
        let handles = self.handles()?;
        let visits: Vec<Visit> = self.scan(&handles.visits, VISITS, child.as_bytes())?;
        if handles.reviews.scan_prefix(child.as_bytes()).next().is_none() {
            return Ok(visits);
        }
        let mut counted = Vec::with_capacity(visits.len());
        for visit in visits {
            let held: Option<ReviewState> = self.get(&handles.reviews, REVIEWS, &visit_key(&visit))?;
            if held.is_none_or(|state| state.counts()) {
                counted.push(visit);
            }
        }
        Ok(counted)
    }

    /// Every visit revision held for a manager's review on this phone, with where it stands.
    pub fn held_visits(&self) -> Result<Vec<(Visit, ReviewState)>, StoreError> {
        let handles = self.handles()?;
        let mut out = Vec::new();
        for item in handles.reviews.iter() {
            let (key, sealed) = item?;
            let state: ReviewState = self.unseal(REVIEWS, &key, &sealed)?;
            if let Some(visit) = self.get::<Visit>(&handles.visits, VISITS, &key)? {
                out.push((visit, state));
            }
        }
        Ok(out)
    }

    /// Adds or replaces a visit revision in the child's history.
    pub fn put_visit(&self, visit: &Visit) -> Result<(), StoreError> {
        let handles = self.handles()?;
        self.put(&handles.visits, VISITS, &visit_key(visit), visit)
    }

    /// Every cover assignment held.
    pub fn covers(&self) -> Result<Vec<CoverAssignment>, StoreError> {
        let handles = self.handles()?;
        self.all(&handles.covers, COVERS)
    }

    /// Every escalation held.
    pub fn escalations(&self) -> Result<Vec<Escalation>, StoreError> {
        let handles = self.handles()?;
        self.all(&handles.escalations, ESCALATIONS)
    }

    /// The escalations held for one child.
    pub fn escalations_for(&self, child: ChildId) -> Result<Vec<Escalation>, StoreError> {
        let handles = self.handles()?;
        self.scan(&handles.escalations, ESCALATIONS, child.as_bytes())
    }

    /// Adds or replaces an escalation (for example, after a manager acknowledged it).
    pub fn put_escalation(&self, escalation: &Escalation) -> Result<(), StoreError> {
        let handles = self.handles()?;
        let key = child_scoped_key(escalation.child_id, escalation.id.as_bytes());
        self.put(&handles.escalations, ESCALATIONS, &key, escalation)?;
        handles.db.flush()?;
        Ok(())
    }

    /// The duty handover held for a child, if fetched.
    pub fn handover(&self, child: ChildId) -> Result<Option<Handover>, StoreError> {
        let handles = self.handles()?;
        self.get(&handles.handovers, HANDOVERS, child.as_bytes())
    }

    /// Keeps a duty handover on the device, so it can be read offline at the door, with the
    /// server's tag for it (`tag`, its `ETag`), if it gave one.
    pub fn save_handover(&self, handover: &Handover, tag: Option<String>) -> Result<(), StoreError> {
        self.keep_tagged(Kept::Handover, handover.child.id, handover, tag)
    }

    /// Keeps `copy` of `kind` for `child` with `tag`, its tag, in one atomic batch: without a
    /// tag, any tag kept for the copy before is removed with it.
    fn keep_tagged<T: Serialize>(
        &self,
        kind: Kept,
        child: ChildId,
        copy: &T,
        tag: Option<String>,
    ) -> Result<(), StoreError> {
        let handles = self.handles()?;
        let (tree, name) = kind.tree(&handles);
        let key = tag_key(child);
        let mut batch = sled::Batch::default();
        batch.insert(child.as_bytes().as_slice(), self.seal(name, child.as_bytes(), copy)?);
        match tag {
            Some(tag) => batch.insert(key.as_slice(), self.seal(name, &key, &tag)?),
            None => batch.remove(key.as_slice()),
        }
        tree.apply_batch(batch)?;
        handles.db.flush()?;
        Ok(())
    }

    /// The server's tag for the copy of `kind` kept for `child`, to name when reading it again:
    /// only while that copy can be read. A tag named for a copy that cannot be read (one an
    /// earlier version of the app kept, or damaged) would be answered `304` for ever, and the
    /// copy never replaced.
    pub fn kept_tag(&self, kind: Kept, child: ChildId) -> Option<String> {
        let readable = match kind {
            Kept::Handover => self.handover(child).ok().flatten().is_some(),
            Kept::Timeline => self.timeline(child).ok().flatten().is_some(),
        };
        let handles = self.handles().ok()?;
        let (tree, name) = kind.tree(&handles);
        readable.then(|| self.get(tree, name, &tag_key(child)).ok().flatten()).flatten()
    }

    /// Forgets the tag of the copy of `kind` kept for `child` (one that cannot be read), so
    /// the next read asks for it whole. Best effort: a tag not forgotten is asked with again,
    /// answered `304` again, and forgotten then.
    pub fn forget_kept_tag(&self, kind: Kept, child: ChildId) {
        if let Ok(handles) = self.handles() {
            let (tree, _) = kind.tree(&handles);
            if tree.remove(tag_key(child)).is_ok() {
                let _ = handles.db.flush();
            }
        }
    }

    /// The plan's timeline the server last gave for a child (its JSON), if fetched.
    pub fn timeline(&self, child: ChildId) -> Result<Option<serde_json::Value>, StoreError> {
        let handles = self.handles()?;
        self.get(&handles.timelines, TIMELINES, child.as_bytes())
    }

    /// Keeps the plan's timeline on the device (encrypted like everything else), so the next
    /// core group, the next review and the open actions can be read without signal.
    /// With the server's tag for it (`tag`, its `ETag`), if it gave one.
    pub fn save_timeline(
        &self,
        child: ChildId,
        timeline: &serde_json::Value,
        tag: Option<String>,
    ) -> Result<(), StoreError> {
        self.keep_tagged(Kept::Timeline, child, timeline, tag)
    }

    /// A manager's standing decisions that the child need not be seen alone, as last fetched
    /// (none when never fetched).
    pub fn seen_alone_decisions(&self, child: ChildId) -> Result<Vec<shared::SeenAloneDecision>, StoreError> {
        let handles = self.handles()?;
        Ok(self
            .get(&handles.seen_alone_decisions, SEEN_ALONE_DECISIONS, child.as_bytes())?
            .unwrap_or_default())
    }

    /// Keeps a child's standing "seen alone" decisions on the device (encrypted like everything
    /// else), so the visit form can say which visits they cover without signal.
    pub fn save_seen_alone_decisions(
        &self,
        child: ChildId,
        decisions: &[shared::SeenAloneDecision],
    ) -> Result<(), StoreError> {
        let handles = self.handles()?;
        self.put(&handles.seen_alone_decisions, SEEN_ALONE_DECISIONS, child.as_bytes(), &decisions)?;
        handles.db.flush()?;
        Ok(())
    }

    /// Where the last pull ended.
    pub fn pull_cursor(&self) -> Result<Option<Cursor>, StoreError> {
        let handles = self.handles()?;
        self.get(&handles.secure, SECURE, SECURE_CURSOR)
    }

    /// When the last complete sync finished.
    pub fn last_sync(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        let handles = self.handles()?;
        self.get(&handles.secure, SECURE, SECURE_LAST_SYNC)
    }

    /// Records a complete sync, durably.
    pub fn set_last_sync(&self, at: DateTime<Utc>) -> Result<(), StoreError> {
        let handles = self.handles()?;
        self.put(&handles.secure, SECURE, SECURE_LAST_SYNC, &at)?;
        handles.db.flush()?;
        Ok(())
    }

    /// The changes from the server a version of this app could not read, if any.
    pub fn unreadable(&self) -> Result<Option<Unreadable>, StoreError> {
        let handles = self.handles()?;
        self.get(&handles.secure, SECURE, SECURE_UNREADABLE)
    }

    /// Counts `count` more changes `app_version` could not read. Called before the page's
    /// cursor is stored ([`Self::apply_pull`] flushes both), so a page cut short is counted
    /// again rather than forgotten.
    pub fn note_unreadable(
        &self,
        count: usize,
        app_version: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        if count == 0 {
            return Ok(());
        }
        let handles = self.handles()?;
        let count = u64::try_from(count).unwrap_or(u64::MAX);
        let record = match self.get::<Unreadable>(&handles.secure, SECURE, SECURE_UNREADABLE)? {
            Some(held) if held.app_version == app_version => {
                Unreadable { count: held.count.saturating_add(count), ..held }
            }
            _ => Unreadable { count, app_version: app_version.to_owned(), since: now },
        };
        self.put(&handles.secure, SECURE, SECURE_UNREADABLE, &record)
    }

    /// Forgets what `app_version` could not read, once a later version has pulled everything
    /// again. What the later version could not read itself is kept.
    pub fn clear_unreadable_of(&self, app_version: &str) -> Result<(), StoreError> {
        let handles = self.handles()?;
        if self
            .get::<Unreadable>(&handles.secure, SECURE, SECURE_UNREADABLE)?
            .is_some_and(|held| held.app_version == app_version)
        {
            handles.secure.remove(SECURE_UNREADABLE)?;
            handles.db.flush()?;
        }
        Ok(())
    }

    /// Applies one page of pulled changes, then stores its cursor, then flushes.
    ///
    /// Applying is idempotent (upserts and deletes), and the cursor is written last, so a page
    /// interrupted half-way is simply applied again by the next pull.
    pub fn apply_pull(&self, page: &PullResponse, now: DateTime<Utc>) -> Result<PullSummary, StoreError> {
        let handles = self.handles()?;
        let mut summary = PullSummary::default();
        for event in &page.events {
            match event {
                ChangeEvent::Child { child } => {
                    self.put(&handles.children, CHILDREN, child.id.as_bytes(), child)?;
                    summary.children += 1;
                }
                ChangeEvent::Visit { visit } => {
                    self.put(&handles.visits, VISITS, &visit_key(visit), visit)?;
                    summary.visits += 1;
                    // A pushed revision whose answer was lost shows up here: the server holds it.
                    let key = outbox_key(visit.id, visit.revision);
                    if let Some(mut entry) = self.get::<OutboxEntry>(&handles.outbox, OUTBOX, &key)?
                        && entry.state == OutboxState::Waiting
                        && entry.visit == **visit
                    {
                        entry.state = OutboxState::Sent { at: now, needs_review: None };
                        self.put(&handles.outbox, OUTBOX, &key, &entry)?;
                        summary.confirmed_sent += 1;
                    }
                }
                ChangeEvent::Cover { cover } => {
                    let key = child_scoped_key(cover.child_id, cover.id.as_bytes());
                    self.put(&handles.covers, COVERS, &key, cover)?;
                    summary.covers += 1;
                }
                ChangeEvent::Escalation { escalation } => {
                    let key = child_scoped_key(escalation.child_id, escalation.id.as_bytes());
                    self.put(&handles.escalations, ESCALATIONS, &key, escalation)?;
                    summary.escalations += 1;
                }
                ChangeEvent::VisitReview { visit_id, revision, child_id, state } => {
                    let mut key = [0u8; 36];
                    key[..16].copy_from_slice(child_id.as_bytes());
                    key[16..32].copy_from_slice(visit_id.as_bytes());
                    key[32..].copy_from_slice(&revision.to_be_bytes());
                    if state.counts() {
                        handles.reviews.remove(key)?;
                        // Accepted: the "held" note on the receipt no longer applies.
                        let receipt = outbox_key(*visit_id, *revision);
                        if let Some(mut entry) = self.get::<OutboxEntry>(&handles.outbox, OUTBOX, &receipt)?
                            && let OutboxState::Sent { needs_review, .. } = &mut entry.state
                            && needs_review.is_some()
                        {
                            *needs_review = None;
                            self.put(&handles.outbox, OUTBOX, &receipt, &entry)?;
                        }
                    } else {
                        self.put(&handles.reviews, REVIEWS, &key, state)?;
                    }
                }
                ChangeEvent::RemovedFromScope { child_id, reason } => {
                    self.keep_child_for_unsent_work(&handles, *child_id)?;
                    remove_child_data(&handles, *child_id)?;
                    info!(child.id = %child_id, ?reason, "child left this worker's scope: local copy deleted");
                    summary.removed += 1;
                }
            }
        }
        if let Some(settings) = &page.settings {
            self.keep_settings(&handles, settings)?;
        }
        self.release_kept_children(&handles)?;
        self.put(&handles.secure, SECURE, SECURE_CURSOR, &page.cursor)?;
        handles.db.flush()?;
        Ok(summary)
    }

    /// The record of a child no longer in the worker's scope, kept while the worker's own work
    /// for them is unsent on this phone (a draft, or a visit the server has not taken yet), so
    /// that it can be opened and submitted. `None` for a child still in scope: see
    /// [`UnlockedStore::child`].
    pub fn kept_child(&self, id: ChildId) -> Result<Option<Child>, StoreError> {
        let handles = self.handles()?;
        self.get(&handles.kept_children, KEPT_CHILDREN, id.as_bytes())
    }

    /// Whether the worker's own work for `child` is on this phone and not yet with the server:
    /// a draft, or a visit waiting, refused or in conflict.
    fn has_unsent_work(&self, handles: &Handles, child: ChildId) -> Result<bool, StoreError> {
        let drafts: Vec<VisitDraft> = self.all(&handles.drafts, DRAFTS)?;
        if drafts.iter().any(|d| d.child_id == child) {
            return Ok(true);
        }
        let outbox: Vec<OutboxEntry> = self.all(&handles.outbox, OUTBOX)?;
        Ok(outbox.iter().any(|e| e.visit.child_id == child && !matches!(e.state, OutboxState::Sent { .. })))
    }

    /// A child leaving the worker's scope: keeps their record apart, out of the caseload, if
    /// the worker's own work for them is still unsent, so that work is not stranded.
    fn keep_child_for_unsent_work(&self, handles: &Handles, child: ChildId) -> Result<(), StoreError> {
        if let Some(record) = self.get::<Child>(&handles.children, CHILDREN, child.as_bytes())?
            && self.has_unsent_work(handles, child)?
        {
            self.put(&handles.kept_children, KEPT_CHILDREN, child.as_bytes(), &record)?;
        }
        Ok(())
    }

    /// Lets go of each kept record no longer needed: the child is back in scope (the pulled
    /// record is the one to use), or nothing of the worker's for them is left unsent.
    fn release_kept_children(&self, handles: &Handles) -> Result<(), StoreError> {
        let kept: Vec<Child> = self.all(&handles.kept_children, KEPT_CHILDREN)?;
        for child in kept {
            if handles.children.contains_key(child.id.as_bytes())?
                || !self.has_unsent_work(handles, child.id)?
            {
                handles.kept_children.remove(child.id.as_bytes())?;
            }
        }
        Ok(())
    }

    /// The worker's caseload as of `today`, most urgent first: overdue (most overdue first),
    /// due today, due soon, on track, then children with no plan in force. Due states come
    /// from the shared rules, the visits held on the device and the authority's calendar and
    /// rules as the server last sent them, so they are right offline too. Without settings
    /// from the server (none has been received yet) no due state is shown.
    pub fn caseload(&self, today: NaiveDate) -> Result<Vec<CaseloadEntry>, StoreError> {
        let settings = self.settings()?;
        // This worker's own covers: the phone also holds others' covers of the children it
        // holds (a duty worker covering the key worker's child while they are away), and those
        // make nobody here the one covering.
        let me = self.session()?.map(|session| session.worker.id);
        let covers: HashMap<ChildId, CoverAssignment> = self
            .covers()?
            .into_iter()
            .filter(|c| c.ends_on >= today && Some(c.duty_worker) == me)
            .map(|c| (c.child_id, c))
            .collect();
        let mut entries = Vec::new();
        for child in self.children()? {
            let visits = self.counted_visits_for(child.id)?;
            let entry = match &settings {
                Some(settings) => caseload_entry(settings, child, &visits, today),
                None => CaseloadEntry {
                    interpreting_not_considered: shared::interpreting_not_considered(&child, &visits),
                    last_seen: schedule::last_seen(&visits),
                    last_seen_alone: last_seen_alone(&visits),
                    working_days_since_seen: None,
                    due_state: None,
                    child,
                    cover: None,
                },
            };
            entries.push(CaseloadEntry { cover: covers.get(&entry.child.id).cloned(), ..entry });
        }
        entries.sort_by_key(|e| (e.due_state.map(|s| s.urgency_key()).unwrap_or((4, 0)), e.child.id));
        Ok(entries)
    }

    // ----- Photos -----

    /// Keeps a processed photo, sealed, keyed by its SHA-256, and queues it for upload.
    /// Durable before returning.
    pub fn put_photo(&self, sha256: &str, media_type: &str, bytes: &[u8]) -> Result<(), StoreError> {
        let key = photo_key(sha256)?;
        let handles = self.handles()?;
        let photo = StoredPhoto { media_type: media_type.to_owned(), bytes: bytes.to_vec() };
        self.put(&handles.photos, PHOTOS, &key, &photo)?;
        let pending = PendingUpload { sha256: sha256.to_owned(), media_type: media_type.to_owned() };
        self.put(&handles.uploads, UPLOADS, &key, &pending)?;
        handles.db.flush()?;
        drop(handles);
        self.inner.note_new_work();
        Ok(())
    }

    /// A photo held on the device.
    pub fn photo(&self, sha256: &str) -> Result<Option<StoredPhoto>, StoreError> {
        let key = photo_key(sha256)?;
        let handles = self.handles()?;
        self.get(&handles.photos, PHOTOS, &key)
    }

    /// Photos waiting to be uploaded.
    pub fn pending_uploads(&self) -> Result<Vec<PendingUpload>, StoreError> {
        let handles = self.handles()?;
        self.all(&handles.uploads, UPLOADS)
    }

    /// Marks a photo uploaded (the server acknowledged it); the photo itself stays on the device.
    pub fn mark_uploaded(&self, sha256: &str) -> Result<(), StoreError> {
        let key = photo_key(sha256)?;
        let handles = self.handles()?;
        handles.uploads.remove(key)?;
        handles.db.flush()?;
        Ok(())
    }
}

/// One child's caseload entry on `today`, under the authority's `settings`: the phone's code
/// path for due states (the server's is `sync_server::escalations` and `reports`, over the same
/// shared rules). Public so the end-to-end property test can compare the two.
pub fn caseload_entry(
    settings: &AuthoritySettings,
    child: Child,
    visits: &[Visit],
    today: NaiveDate,
) -> CaseloadEntry {
    let calendar = settings.working_calendar();
    let due_state = child
        .plan
        .as_ref()
        .and_then(|plan| schedule::child_due_state(calendar, &settings.rules, plan, visits, today));
    let last_seen = schedule::last_seen(visits);
    CaseloadEntry {
        interpreting_not_considered: shared::interpreting_not_considered(&child, visits),
        working_days_since_seen: schedule::working_days_since_seen(calendar, last_seen, today),
        last_seen_alone: last_seen_alone(visits),
        cover: None,
        child,
        due_state,
        last_seen,
    }
}

fn last_seen_alone(visits: &[Visit]) -> Option<NaiveDate> {
    shared::visit::current_revisions(visits)
        .into_iter()
        .filter(|v| v.seen_alone_answer() == Some(true))
        .map(Visit::date)
        .max()
}

/// Deletes everything pulled about one child: the record, its visits, covers, escalations,
/// handover, timeline and standing "seen alone" decisions. The worker's own drafts and outbox
/// entries stay until the server has them (with the child's record, kept apart for them first:
/// `UnlockedStore::keep_child_for_unsent_work`).
fn remove_child_data(handles: &Handles, child: ChildId) -> Result<(), StoreError> {
    handles.children.remove(child.as_bytes())?;
    for tree in [&handles.handovers, &handles.timelines] {
        tree.remove(child.as_bytes())?;
        tree.remove(tag_key(child))?;
    }
    handles.seen_alone_decisions.remove(child.as_bytes())?;
    for tree in [&handles.visits, &handles.covers, &handles.escalations, &handles.reviews] {
        let keys: Vec<sled::IVec> = tree.scan_prefix(child.as_bytes()).keys().collect::<Result<_, _>>()?;
        for key in keys {
            tree.remove(key)?;
        }
    }
    Ok(())
}
