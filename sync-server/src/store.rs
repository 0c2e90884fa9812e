//! The durable store: sled 0.34, one tree, one key prefix per kind of record.
//!
//! **Why one tree.** sled applies a [`sled::Batch`] atomically, including across a crash, but
//! only within one tree. Keeping every kind of record in one tree under its own prefix means a
//! push of 500 visit revisions, with their indexes, review holds and change-feed entries, is one
//! atomic batch: after a crash either all of it is there or none of it is. Nothing is ever
//! partially written.
//!
//! **Durability.** Writes become durable when [`Store::flush`] (sled `flush_async`) returns.
//! Every write method that callers answer "saved" on flushes before returning; the exceptions
//! (audit entries of views) say so.
//!
//! **Ordering.** Writes that append to the change feed hold [`Store::lock_writes`] while they
//! read, decide and apply, so feed sequence numbers commit in order and a concurrent push sees
//! every earlier one. Flushing happens after the lock is released, so concurrent pushers share
//! flushes; a push answers only after its own flush, which covers everything it depended on.
//!
//! Key layout (ids are their 16 raw bytes, numbers big-endian so keys sort):
//!
//! | prefix | key | value |
//! |---|---|---|
//! | `acct/` | worker id | [`Account`] |
//! | `user/` | lower-case username | worker id |
//! | `team/` | team id | [`shared::Team`] |
//! | `dev/` | device id | [`DeviceRecord`] |
//! | `child/` | child id | [`shared::Child`] |
//! | `cid/` | central id | child id, only where not derived from the central id |
//! | `child_history/` | child id + sequence | [`ChildChange`]: append-only, never rewritten |
//! | `kw/`, `tm/` | key worker or team id + child id | index |
//! | `visit/` | visit id + revision | [`StoredVisit`], never edited in place |
//! | `vc/` | child id + visit id + revision | index |
//! | `conf/`, `confk/` | conflict id; visit id + revision + content hash | [`Conflict`]; dedup |
//! | `review/` | visit id + revision | [`ReviewItem`] |
//! | `resolved/` | visit id + revision | [`Resolution`]: a manager's resolution of a held revision, append-only |
//! | `confres/` | conflict id | [`ConflictResolution`]: append-only |
//! | `cover/`, `cd/`, `cc/` | cover id; duty worker + cover id; child + cover id | [`shared::CoverAssignment`]; indexes |
//! | `abs/`, `aw/` | absence id; worker + absence id | [`shared::Absence`]; index |
//! | `esc/`, `ek/` | escalation id; child id + dedup key | [`shared::Escalation`] (its history appended to, never rewritten); index |
//! | `sad/` | child id + decision id | [`shared::SeenAloneDecision`], never changed |
//! | `feed/` | sequence | [`FeedEntry`] |
//! | `pull/` | device id + state id | [`PullState`] |
//! | `ack/` | visit id + revision | time written back centrally |
//! | `audit/` | sequence | [`AuditEntry`] |
//! | `blob/` | sha256 hex | blob metadata (JSON, owned by the photos module) |
//! | `bh/` | sha256 hex + worker id | when the worker uploaded the photo's bytes (proof they hold it) |
//! | `bref/` | sha256 hex + visit id + revision | [`BlobReference`]: a visit revision names the photo |
//! | `meta/` | name | bytes |

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, NaiveDate, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use shared::{
    Absence, AbsenceId, Child, ChildId, CoverAssignment, CoverId, DeviceId, Escalation, EscalationId, Role,
    Team, TeamId, Visit, VisitId, Worker, WorkerId,
};
use uuid::Uuid;

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// sled failed (I/O, corruption it detected).
    #[error("sled: {0}")]
    Sled(#[from] sled::Error),
    /// A stored value could not be read back. Means a bug or a format change, never user input.
    #[error("stored value unreadable at {key}: {cause}")]
    Corrupt {
        /// The key's prefix (no personal data).
        key: String,
        /// The serde error.
        cause: String,
    },
    /// A value could not be serialised.
    #[error("could not encode: {0}")]
    Encode(String),
}

/// Shorthand.
pub type StoreResult<T> = Result<T, StoreError>;

/// A sign-in account: a worker with a username and a password hash.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// The worker this account signs in as.
    pub worker: Worker,
    /// Unique, compared case-insensitively.
    pub username: String,
    /// The argon2id PHC string. `None` for workers known only from the central import, who
    /// cannot sign in until an administrator sets a password.
    pub password_hash: Option<String>,
    /// When the password last changed. Access tokens issued before this are refused.
    pub password_changed_at: DateTime<Utc>,
    /// A disabled account cannot sign in or use tokens.
    pub disabled: bool,
}

impl std::fmt::Debug for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Account")
            .field("worker", &self.worker.id)
            .field("role", &self.worker.role)
            .field("password_hash", &"<redacted>")
            .field("disabled", &self.disabled)
            .finish()
    }
}

/// A registered device and its refresh-token chain.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceRecord {
    /// The device.
    pub id: DeviceId,
    /// The worker it belongs to.
    pub worker_id: WorkerId,
    /// A name given by the device, shown to administrators.
    pub name: Option<String>,
    /// First sign-in.
    pub registered_at: DateTime<Utc>,
    /// Set when revoked: the next request from it answers "wipe".
    pub revoked_at: Option<DateTime<Utc>>,
    /// SHA-256 (hex) of the one refresh token currently valid, if any.
    pub refresh_hash: Option<String>,
    /// Hashes of refresh tokens already rotated away. Presenting one means the chain leaked:
    /// the chain is revoked.
    pub retired_hashes: Vec<String>,
    /// The session version, carried by every access token issued to the device (`sv`). Raised
    /// when the session ends (sign-out, a new sign-in, a password change, a reused refresh
    /// token), so that access tokens end with it. Records written before it existed read as 0.
    #[serde(default)]
    pub session: u64,
}

impl std::fmt::Debug for DeviceRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceRecord")
            .field("id", &self.id)
            .field("worker_id", &self.worker_id)
            .field("revoked_at", &self.revoked_at)
            .field("session", &self.session)
            .field("refresh_hash", &self.refresh_hash.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// A visit revision naming a photo, recorded when the revision is stored. Only a reference made
/// by someone entitled to the photo lets others see it (see `photos::may_see_blob`): a photo's
/// key is not a capability.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlobReference {
    /// The visit.
    pub visit_id: VisitId,
    /// The revision naming the photo.
    pub revision: u32,
    /// The visit's child.
    pub child_id: ChildId,
    /// Who pushed the revision.
    pub pushed_by: WorkerId,
    /// The pusher had not uploaded the photo but could see it when they pushed (for example a
    /// manager amending a worker's visit): the reference counts even though they never held it.
    pub vouched: bool,
}

/// One visit revision as the server holds it. Never edited in place.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StoredVisit {
    /// The revision, exactly as pushed.
    pub visit: Visit,
    /// When the server stored it.
    pub received_at: DateTime<Utc>,
    /// The device that pushed it.
    pub device_id: DeviceId,
    /// Set when held for a manager's review, with why.
    #[serde(default)]
    pub needs_review: Option<String>,
    /// Whether the pushing worker was covering the child (duty cover) at the visit date.
    #[serde(default)]
    pub on_cover: bool,
}

/// Two versions of one visit revision that disagree. Both are kept; a person resolves it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Conflict {
    /// Identifier.
    #[schema(value_type = String, format = Uuid)]
    pub id: Uuid,
    /// The visit.
    pub visit_id: VisitId,
    /// The revision the device sent.
    pub revision: u32,
    /// The child the server's version is for.
    pub child_id: ChildId,
    /// The worker whose device sent the losing version.
    pub worker_id: WorkerId,
    /// The device that sent it.
    pub device_id: DeviceId,
    /// Plain words: what differs.
    pub reason: String,
    /// The version the server holds.
    pub server: Visit,
    /// The version the device sent.
    pub yours: Visit,
    /// When it was detected.
    pub detected_at: DateTime<Utc>,
}

/// A visit held for a manager's review.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReviewItem {
    /// The visit.
    pub visit_id: VisitId,
    /// The revision held.
    pub revision: u32,
    /// The child the visit names (which may be unknown centrally).
    pub child_id: ChildId,
    /// The worker who made the visit.
    pub worker_id: WorkerId,
    /// The worker's team when held, so their team manager sees it.
    #[serde(default)]
    pub team: Option<TeamId>,
    /// Why it is held: unknown child, de-registered child, or not assigned.
    pub reason: String,
    /// When it was held.
    pub held_at: DateTime<Utc>,
}

/// How a manager resolved a visit revision held for review.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "how", rename_all = "snake_case")]
pub enum ResolutionKind {
    /// It was about another child: stored again for that child as a new revision (the held
    /// revision is kept, and counts for nothing).
    LinkedToChild {
        /// The right child.
        child_id: ChildId,
        /// The new revision, for the right child.
        new_revision: u32,
    },
    /// Accepted for the child it names: it counts from now on.
    Accepted,
    /// Entered in error: kept, and voided by a new revision.
    EnteredInError {
        /// The voiding revision.
        new_revision: u32,
    },
}

/// A manager's resolution of a held visit revision. Written once, with its audit entry, in
/// one atomic flushed batch; never changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Resolution {
    /// The visit.
    pub visit_id: VisitId,
    /// The revision that was held.
    pub revision: u32,
    /// The child the held revision names.
    pub child_id: ChildId,
    /// How it was resolved.
    pub resolution: ResolutionKind,
    /// The manager's reason, in their words.
    pub reason: String,
    /// The manager.
    pub by: WorkerId,
    /// In which role.
    pub role: Role,
    /// When.
    pub at: DateTime<Utc>,
}

impl Resolution {
    /// The review state this resolution leaves the held revision in.
    pub fn state(&self) -> shared::sync::ReviewState {
        match self.resolution {
            ResolutionKind::LinkedToChild { .. } => shared::sync::ReviewState::Linked,
            ResolutionKind::Accepted => shared::sync::ReviewState::Accepted,
            ResolutionKind::EnteredInError { .. } => shared::sync::ReviewState::EnteredInError,
        }
    }
}

/// Which version a conflict's resolution kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConflictKeep {
    /// The server's version stands; nothing new is stored.
    Server,
    /// The device's version, stored as a new revision.
    Yours,
    /// A merge of the two, stored as a new revision.
    Merged,
}

/// How a conflict was resolved. Both versions stay in the [`Conflict`]; this is appended once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ConflictResolution {
    /// The conflict.
    #[schema(value_type = String, format = Uuid)]
    pub conflict_id: Uuid,
    /// The visit.
    pub visit_id: VisitId,
    /// What was kept.
    pub keep: ConflictKeep,
    /// The revision stored for `yours` or `merged`.
    #[serde(default)]
    pub new_revision: Option<u32>,
    /// Why, in the resolver's words.
    pub reason: String,
    /// Who resolved it: the worker, or their manager.
    pub by: WorkerId,
    /// In which role.
    pub role: Role,
    /// When.
    pub at: DateTime<Utc>,
}

/// One entry in the change feed. Pull turns these into [`shared::sync::ChangeEvent`]s for
/// callers allowed to see them, reading the records as they stand.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FeedEntry {
    /// A child's central record was created or changed.
    Child {
        /// The child.
        child_id: ChildId,
    },
    /// Several children's central records were created or changed (an import writes one entry
    /// per [`CHILDREN_PER_FEED_ENTRY`] children, not one per child).
    Children {
        /// The children.
        child_ids: Vec<ChildId>,
    },
    /// Visit revisions were stored for one child (one entry per child per push, so a push of
    /// many visits costs few feed keys).
    Visits {
        /// The child.
        child_id: ChildId,
        /// The revisions stored, in the order stored.
        revisions: Vec<(VisitId, u32)>,
    },
    /// A cover assignment was made or changed.
    Cover {
        /// The cover.
        cover_id: CoverId,
        /// Its child.
        child_id: ChildId,
        /// The duty worker.
        duty_worker: WorkerId,
    },
    /// An escalation was raised or changed.
    Escalation {
        /// The escalation.
        escalation_id: EscalationId,
        /// Its child.
        child_id: ChildId,
    },
}

/// How many children one [`FeedEntry::Children`] names at most.
pub const CHILDREN_PER_FEED_ENTRY: usize = 500;

impl FeedEntry {
    /// The children this entry is about.
    pub fn child_ids(&self) -> &[ChildId] {
        match self {
            FeedEntry::Children { child_ids } => child_ids,
            FeedEntry::Child { child_id }
            | FeedEntry::Visits { child_id, .. }
            | FeedEntry::Cover { child_id, .. }
            | FeedEntry::Escalation { child_id, .. } => std::slice::from_ref(child_id),
        }
    }
}

/// What a device had been sent as of one cursor: where in the feed it was, and which children
/// it holds. Kept server-side so that a lost response can be pulled again from the same cursor.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullState {
    /// The last feed sequence number delivered (or skipped as not visible).
    pub feed_seq: u64,
    /// The children the device was told about and not told to remove.
    pub delivered: BTreeSet<ChildId>,
}

/// Whether an audit entry records a view or a change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    /// Read a record.
    Viewed,
    /// Created or changed a record.
    Changed,
}

/// Who viewed or changed which child's record. Holds no names or words.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AuditEntry {
    /// When.
    pub at: DateTime<Utc>,
    /// Who.
    pub worker_id: WorkerId,
    /// In which role.
    pub role: Role,
    /// From which device, if signed in from one.
    #[serde(default)]
    pub device_id: Option<DeviceId>,
    /// Viewed or changed.
    pub action: AuditAction,
    /// The child, when it is about one.
    #[serde(default)]
    pub child_id: Option<ChildId>,
    /// What, for example `child record`, `visits`, `visit 0190… revision 2`. No personal data.
    pub what: String,
    /// Whether the worker was acting on duty cover.
    #[serde(default)]
    pub on_cover: bool,
}

/// Counts from an upsert of children.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UpsertCounts {
    /// New children.
    pub created: usize,
    /// Children whose record changed.
    pub updated: usize,
    /// Children sent again unchanged.
    pub unchanged: usize,
}

/// What wrote a child's central record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChildSource {
    /// The central case-list import (`POST /api/admin/import`).
    Import,
    /// The demonstration seed.
    Demo,
    /// A direct write through [`Store::upsert_children`] (tests, benchmarks, tools).
    Direct,
}

/// One change to a child's central record, as kept in the `child_history/` prefix: appended
/// in the same atomic batch as the change itself and never rewritten. A child's first record
/// makes no entry (the record itself is the first version), so an initial import writes no
/// more than before.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChildChange {
    /// When the server stored the change (UTC). The central record carries no date for it.
    pub recorded_at: DateTime<Utc>,
    /// What wrote it.
    pub source: ChildSource,
    /// The record as it stood before.
    pub before: Child,
    /// The record as it stood after.
    pub after: Child,
}

/// Proof that the caller holds the write lock.
#[derive(Debug)]
pub struct WriteGuard<'a>(#[allow(dead_code)] tokio::sync::MutexGuard<'a, ()>);

/// Writes gathered to be applied as one atomic batch.
#[derive(Debug, Default)]
pub struct Writes {
    batch: sled::Batch,
    feed: Vec<FeedEntry>,
    changed_children: Vec<ChildId>,
    len: usize,
}

impl Writes {
    /// Puts a serialised value.
    pub fn put<T: Serialize>(&mut self, key: Vec<u8>, value: &T) -> StoreResult<()> {
        let bytes = serde_json::to_vec(value).map_err(|e| StoreError::Encode(e.to_string()))?;
        self.batch.insert(key, bytes);
        self.len += 1;
        Ok(())
    }

    /// Puts raw bytes.
    pub fn put_raw(&mut self, key: Vec<u8>, value: &[u8]) {
        self.batch.insert(key, value);
        self.len += 1;
    }

    /// Removes a key.
    pub fn remove(&mut self, key: Vec<u8>) {
        self.batch.remove(key);
        self.len += 1;
    }

    /// Appends a change-feed entry, numbered when applied.
    pub fn feed(&mut self, entry: FeedEntry) {
        self.feed.push(entry);
    }

    /// Whether nothing was gathered.
    pub fn is_empty(&self) -> bool {
        self.len == 0 && self.feed.is_empty() && self.changed_children.is_empty()
    }
}

/// Builds a key from a prefix and parts.
pub fn key(prefix: &str, parts: &[&[u8]]) -> Vec<u8> {
    let mut key = Vec::with_capacity(prefix.len() + parts.iter().map(|p| p.len()).sum::<usize>());
    key.extend_from_slice(prefix.as_bytes());
    for part in parts {
        key.extend_from_slice(part);
    }
    key
}

fn visit_key(prefix: &str, id: VisitId, revision: u32) -> Vec<u8> {
    key(prefix, &[id.as_bytes(), &revision.to_be_bytes()])
}

fn id16(bytes: &[u8]) -> Option<[u8; 16]> {
    bytes.get(..16).and_then(|b| b.try_into().ok())
}

/// The sled store.
#[derive(Debug)]
pub struct Store {
    db: sled::Db,
    tree: sled::Tree,
    write_lock: tokio::sync::Mutex<()>,
    next_seq: AtomicU64,
}

impl Store {
    /// Opens (or creates) the store in `dir`.
    pub fn open(dir: &Path) -> StoreResult<Store> {
        let db = sled::Config::new().path(dir).mode(sled::Mode::HighThroughput).open()?;
        Store::from_db(db)
    }

    /// A store in a temporary directory, deleted when dropped. For tests and benchmarks.
    pub fn temporary() -> StoreResult<Store> {
        let db = sled::Config::new().temporary(true).open()?;
        Store::from_db(db)
    }

    fn from_db(db: sled::Db) -> StoreResult<Store> {
        let tree = db.open_tree("records")?;
        let next_seq = match tree.scan_prefix(b"feed/").next_back() {
            Some(entry) => {
                let (k, _) = entry?;
                seq_from_key(&k[5..]) + 1
            }
            None => 1,
        };
        Ok(Store { db, tree, write_lock: tokio::sync::Mutex::new(()), next_seq: AtomicU64::new(next_seq) })
    }

    /// Makes everything written so far durable.
    pub async fn flush(&self) -> StoreResult<()> {
        self.db.flush_async().await?;
        Ok(())
    }

    /// Whether the store answers reads (for the readiness probe).
    pub fn is_ready(&self) -> bool {
        self.tree.get(b"meta/ready-probe").is_ok()
    }

    /// Takes the write lock for a read-decide-write sequence that appends to the feed.
    pub async fn lock_writes(&self) -> WriteGuard<'_> {
        WriteGuard(self.write_lock.lock().await)
    }

    /// Applies gathered writes atomically, numbering their feed entries. Not yet durable: call
    /// [`Store::flush`] (after dropping the guard) before answering.
    pub fn apply(&self, _guard: &WriteGuard<'_>, mut writes: Writes) -> StoreResult<()> {
        if writes.is_empty() {
            return Ok(());
        }
        let changed_children = std::mem::take(&mut writes.changed_children);
        for chunk in changed_children.chunks(CHILDREN_PER_FEED_ENTRY) {
            writes.feed.push(FeedEntry::Children { child_ids: chunk.to_vec() });
        }
        for entry in std::mem::take(&mut writes.feed) {
            let seq = self.next_seq.fetch_add(1, Ordering::SeqCst);
            writes.put(key("feed/", &[&seq.to_be_bytes()]), &entry)?;
        }
        self.tree.apply_batch(writes.batch)?;
        Ok(())
    }

    /// Applies gathered writes under the lock and flushes: the one-call form.
    pub async fn commit(&self, writes: Writes) -> StoreResult<()> {
        {
            let guard = self.lock_writes().await;
            self.apply(&guard, writes)?;
        }
        self.flush().await
    }

    fn get<T: DeserializeOwned>(&self, key: &[u8]) -> StoreResult<Option<T>> {
        match self.tree.get(key)? {
            Some(bytes) => decode(key, &bytes).map(Some),
            None => Ok(None),
        }
    }

    fn scan<T: DeserializeOwned>(&self, prefix: &[u8]) -> StoreResult<Vec<T>> {
        let mut out = Vec::new();
        for entry in self.tree.scan_prefix(prefix) {
            let (k, v) = entry?;
            out.push(decode(&k, &v)?);
        }
        Ok(out)
    }

    /// The 16-byte ids found after `prefix` in index keys.
    fn scan_ids(&self, prefix: &[u8]) -> StoreResult<Vec<[u8; 16]>> {
        let mut out = Vec::new();
        for entry in self.tree.scan_prefix(prefix) {
            let (k, _) = entry?;
            if let Some(id) = id16(&k[prefix.len()..]) {
                out.push(id);
            }
        }
        Ok(out)
    }

    // ---- meta ----

    /// A raw meta value.
    pub fn meta(&self, name: &str) -> StoreResult<Option<Vec<u8>>> {
        Ok(self.tree.get(key("meta/", &[name.as_bytes()]))?.map(|v| v.to_vec()))
    }

    /// Sets a raw meta value, durably.
    pub async fn set_meta(&self, name: &str, value: &[u8]) -> StoreResult<()> {
        self.tree.insert(key("meta/", &[name.as_bytes()]), value)?;
        self.flush().await
    }

    // ---- accounts and teams ----

    /// The account of a worker.
    pub fn account(&self, id: WorkerId) -> StoreResult<Option<Account>> {
        self.get(&key("acct/", &[id.as_bytes()]))
    }

    /// The account with this username (case-insensitive).
    pub fn account_by_username(&self, username: &str) -> StoreResult<Option<Account>> {
        let index = key("user/", &[username.trim().to_lowercase().as_bytes()]);
        match self.tree.get(index)?.as_deref().and_then(id16) {
            Some(id) => self.account(WorkerId::from_bytes(id)),
            None => Ok(None),
        }
    }

    /// Every account.
    pub fn accounts(&self) -> StoreResult<Vec<Account>> {
        self.scan(b"acct/")
    }

    /// The worker with this id.
    pub fn worker(&self, id: WorkerId) -> StoreResult<Option<Worker>> {
        Ok(self.account(id)?.map(|a| a.worker))
    }

    /// Adds the writes that store an account and its username index.
    pub fn account_writes(&self, writes: &mut Writes, account: &Account) -> StoreResult<()> {
        if let Some(old) = self.account(account.worker.id)?
            && old.username.to_lowercase() != account.username.to_lowercase()
        {
            writes.remove(key("user/", &[old.username.to_lowercase().as_bytes()]));
        }
        writes.put(key("acct/", &[account.worker.id.as_bytes()]), account)?;
        writes.put_raw(
            key("user/", &[account.username.trim().to_lowercase().as_bytes()]),
            account.worker.id.as_bytes(),
        );
        Ok(())
    }

    /// Stores an account durably.
    pub async fn put_account(&self, account: &Account) -> StoreResult<()> {
        let mut writes = Writes::default();
        self.account_writes(&mut writes, account)?;
        self.commit(writes).await
    }

    /// A team.
    pub fn team(&self, id: TeamId) -> StoreResult<Option<Team>> {
        self.get(&key("team/", &[id.as_bytes()]))
    }

    /// Every team.
    pub fn teams(&self) -> StoreResult<Vec<Team>> {
        self.scan(b"team/")
    }

    /// Stores a team durably.
    pub async fn put_team(&self, team: &Team) -> StoreResult<()> {
        let mut writes = Writes::default();
        writes.put(key("team/", &[team.id.as_bytes()]), team)?;
        self.commit(writes).await
    }

    /// Adds the write that stores a team.
    pub fn team_writes(&self, writes: &mut Writes, team: &Team) -> StoreResult<()> {
        writes.put(key("team/", &[team.id.as_bytes()]), team)
    }

    // ---- devices ----

    /// A device.
    pub fn device(&self, id: DeviceId) -> StoreResult<Option<DeviceRecord>> {
        self.get(&key("dev/", &[id.as_bytes()]))
    }

    /// Every device of a worker.
    pub fn devices_of(&self, worker: WorkerId) -> StoreResult<Vec<DeviceRecord>> {
        Ok(self.scan::<DeviceRecord>(b"dev/")?.into_iter().filter(|d| d.worker_id == worker).collect())
    }

    /// Adds the write that stores a device.
    pub fn device_writes(&self, writes: &mut Writes, device: &DeviceRecord) -> StoreResult<()> {
        writes.put(key("dev/", &[device.id.as_bytes()]), device)
    }

    /// Stores a device durably.
    pub async fn put_device(&self, device: &DeviceRecord) -> StoreResult<()> {
        self.tree.insert(key("dev/", &[device.id.as_bytes()]), encode(device)?)?;
        self.flush().await
    }

    /// Replaces a device record only if it still holds `expected` (compare-and-swap), so two
    /// concurrent refreshes with the same token cannot both succeed. Durable on `Ok(true)`.
    pub async fn swap_device(&self, expected: &DeviceRecord, new: &DeviceRecord) -> StoreResult<bool> {
        let k = key("dev/", &[new.id.as_bytes()]);
        let swapped = self.tree.compare_and_swap(k, Some(encode(expected)?), Some(encode(new)?))?.is_ok();
        if swapped {
            self.flush().await?;
        }
        Ok(swapped)
    }

    // ---- children ----

    /// A child.
    pub fn child(&self, id: ChildId) -> StoreResult<Option<Child>> {
        self.get(&key("child/", &[id.as_bytes()]))
    }

    /// The id of the child with this central identifier, without reading the record.
    ///
    /// Children made by the import have ids derived from their central ids
    /// ([`crate::import::child_id_for`]); only children whose id is not derived (made some other
    /// way, or whose central id later changed) have an entry in the `cid/` index. That saves one
    /// key per child on a large import.
    pub fn child_id_by_central_id(&self, central_id: &str) -> StoreResult<Option<ChildId>> {
        if let Some(id) = self.tree.get(key("cid/", &[central_id.as_bytes()]))?.as_deref().and_then(id16) {
            return Ok(Some(ChildId::from_bytes(id)));
        }
        let derived = crate::import::child_id_for(central_id);
        Ok(self.tree.contains_key(key("child/", &[derived.as_bytes()]))?.then_some(derived))
    }

    /// The `cid/` index: central ids of children whose id is not derived from it.
    pub fn central_id_exceptions(&self) -> StoreResult<std::collections::HashMap<String, ChildId>> {
        let mut out = std::collections::HashMap::new();
        for entry in self.tree.scan_prefix(b"cid/") {
            let (k, v) = entry?;
            if let Some(id) = id16(&v) {
                out.insert(String::from_utf8_lossy(&k[4..]).into_owned(), ChildId::from_bytes(id));
            }
        }
        Ok(out)
    }

    /// Every child record as stored (undecoded), for bulk comparisons.
    pub fn children_raw(&self) -> StoreResult<std::collections::HashMap<ChildId, sled::IVec>> {
        let mut out = std::collections::HashMap::new();
        for entry in self.tree.scan_prefix(b"child/") {
            let (k, v) = entry?;
            if let Some(id) = id16(&k[6..]) {
                out.insert(ChildId::from_bytes(id), v);
            }
        }
        Ok(out)
    }

    /// The child with this central ("Child Unique ID") identifier.
    pub fn child_by_central_id(&self, central_id: &str) -> StoreResult<Option<Child>> {
        match self.child_id_by_central_id(central_id)? {
            Some(id) => self.child(id),
            None => Ok(None),
        }
    }

    /// The children whose key worker this is.
    pub fn children_of_key_worker(&self, worker: WorkerId) -> StoreResult<Vec<ChildId>> {
        Ok(self.scan_ids(&key("kw/", &[worker.as_bytes()]))?.into_iter().map(ChildId::from_bytes).collect())
    }

    /// The children held by this team.
    pub fn children_of_team(&self, team: TeamId) -> StoreResult<Vec<ChildId>> {
        Ok(self.scan_ids(&key("tm/", &[team.as_bytes()]))?.into_iter().map(ChildId::from_bytes).collect())
    }

    /// Every child id.
    pub fn all_child_ids(&self) -> StoreResult<Vec<ChildId>> {
        Ok(self.scan_ids(b"child/")?.into_iter().map(ChildId::from_bytes).collect())
    }

    /// Every child (for sweeps and reports over the whole service).
    pub fn all_children(&self) -> StoreResult<Vec<Child>> {
        self.scan(b"child/")
    }

    /// Adds the writes that create or replace a child with its indexes and a feed entry, and,
    /// when an existing record changes, a [`ChildChange`] in the child's history.
    /// Returns whether anything changed (`None`: unchanged, `Some(true)`: created).
    pub fn child_writes(
        &self,
        writes: &mut Writes,
        child: &Child,
        source: ChildSource,
        at: DateTime<Utc>,
    ) -> StoreResult<Option<bool>> {
        let old = self.tree.get(key("child/", &[child.id.as_bytes()]))?;
        self.child_writes_over(writes, child, old.as_deref(), source, at)
    }

    /// [`Store::child_writes`] given the record as stored now (from [`Store::children_raw`]).
    pub fn child_writes_over(
        &self,
        writes: &mut Writes,
        child: &Child,
        old_bytes: Option<&[u8]>,
        source: ChildSource,
        at: DateTime<Utc>,
    ) -> StoreResult<Option<bool>> {
        let child_key = key("child/", &[child.id.as_bytes()]);
        let new_bytes = encode(child)?;
        // Compare the stored bytes first: an unchanged record (most of an incremental import)
        // costs no decoding.
        if old_bytes == Some(new_bytes.as_slice()) {
            return Ok(None);
        }
        let old: Option<Child> = old_bytes.map(|b| decode(&child_key, b)).transpose()?;
        if old.as_ref() == Some(child) {
            return Ok(None);
        }
        let old_keys = old.as_ref().and_then(|o| o.plan.as_ref()).map(|p| (p.key_worker, p.team));
        let new_keys = child.plan.as_ref().map(|p| (p.key_worker, p.team));
        if old_keys != new_keys {
            if let Some((key_worker, team)) = old_keys {
                writes.remove(key("kw/", &[key_worker.as_bytes(), child.id.as_bytes()]));
                writes.remove(key("tm/", &[team.as_bytes(), child.id.as_bytes()]));
            }
            if let Some((key_worker, team)) = new_keys {
                writes.put_raw(key("kw/", &[key_worker.as_bytes(), child.id.as_bytes()]), &[]);
                writes.put_raw(key("tm/", &[team.as_bytes(), child.id.as_bytes()]), &[]);
            }
        }
        if old.as_ref().map(|o| o.central_id.as_str()) != Some(child.central_id.as_str()) {
            if let Some(old) = &old {
                writes.remove(key("cid/", &[old.central_id.as_bytes()]));
            }
            if child.id != crate::import::child_id_for(&child.central_id) {
                writes.put_raw(key("cid/", &[child.central_id.as_bytes()]), child.id.as_bytes());
            }
        }
        writes.put_raw(child_key, &new_bytes);
        writes.changed_children.push(child.id);
        let created = old.is_none();
        if let Some(before) = old {
            // sled ids are unique and increase, so history keys sort in the order written and
            // two writes never share one.
            let seq = self.db.generate_id()?;
            let change = ChildChange { recorded_at: at, source, before, after: child.clone() };
            writes.put(key("child_history/", &[child.id.as_bytes(), &seq.to_be_bytes()]), &change)?;
        }
        Ok(Some(created))
    }

    /// Every change to a child's central record, oldest first (empty when it never changed).
    pub fn child_history(&self, child: ChildId) -> StoreResult<Vec<ChildChange>> {
        self.scan(&key("child_history/", &[child.as_bytes()]))
    }

    /// Creates or replaces children atomically and durably.
    pub async fn upsert_children(&self, children: &[Child]) -> StoreResult<UpsertCounts> {
        let mut counts = UpsertCounts::default();
        {
            let guard = self.lock_writes().await;
            let mut writes = Writes::default();
            let now = Utc::now();
            for child in children {
                match self.child_writes(&mut writes, child, ChildSource::Direct, now)? {
                    None => counts.unchanged += 1,
                    Some(true) => counts.created += 1,
                    Some(false) => counts.updated += 1,
                }
            }
            self.apply(&guard, writes)?;
        }
        self.flush().await?;
        Ok(counts)
    }

    // ---- visits ----

    /// One visit revision.
    pub fn visit(&self, id: VisitId, revision: u32) -> StoreResult<Option<StoredVisit>> {
        self.get(&visit_key("visit/", id, revision))
    }

    /// Every revision of a visit, oldest first.
    pub fn visit_revisions(&self, id: VisitId) -> StoreResult<Vec<StoredVisit>> {
        self.scan(&key("visit/", &[id.as_bytes()]))
    }

    /// The latest revision of a visit.
    pub fn latest_revision(&self, id: VisitId) -> StoreResult<Option<StoredVisit>> {
        match self.tree.scan_prefix(key("visit/", &[id.as_bytes()])).next_back() {
            Some(entry) => {
                let (k, v) = entry?;
                decode(&k, &v).map(Some)
            }
            None => Ok(None),
        }
    }

    /// Every revision of every visit to a child, in visit then revision order.
    pub fn visits_of_child(&self, child: ChildId) -> StoreResult<Vec<StoredVisit>> {
        let prefix = key("vc/", &[child.as_bytes()]);
        let mut out = Vec::new();
        for entry in self.tree.scan_prefix(&prefix) {
            let (k, _) = entry?;
            let rest = &k[prefix.len()..];
            let (Some(visit), Some(rev)) = (id16(rest), rest.get(16..20)) else { continue };
            let rev = u32::from_be_bytes(rev.try_into().unwrap_or([0; 4]));
            if let Some(stored) = self.visit(VisitId::from_bytes(visit), rev)? {
                out.push(stored);
            }
        }
        Ok(out)
    }

    /// Every stored visit revision (for exports and sweeps).
    pub fn all_visits(&self) -> StoreResult<Vec<StoredVisit>> {
        self.scan(b"visit/")
    }

    /// Adds the writes that store a new visit revision, its child index and its review hold if
    /// any. The caller has checked that the revision is new, and adds the feed entry
    /// ([`FeedEntry::Visits`], one per child per batch).
    pub fn visit_writes(
        &self,
        writes: &mut Writes,
        stored: &StoredVisit,
        team: Option<TeamId>,
    ) -> StoreResult<()> {
        let v = &stored.visit;
        writes.put(visit_key("visit/", v.id, v.revision), stored)?;
        writes.put_raw(key("vc/", &[v.child_id.as_bytes(), v.id.as_bytes(), &v.revision.to_be_bytes()]), &[]);
        if let Some(reason) = &stored.needs_review {
            let item = ReviewItem {
                visit_id: v.id,
                revision: v.revision,
                child_id: v.child_id,
                worker_id: v.worker_id,
                team,
                reason: reason.clone(),
                held_at: stored.received_at,
            };
            writes.put(visit_key("review/", v.id, v.revision), &item)?;
        }
        Ok(())
    }

    // ---- conflicts and review ----

    /// The conflict already recorded for this exact losing content, if any.
    pub fn conflict_by_content(
        &self,
        id: VisitId,
        revision: u32,
        content_hash: &str,
    ) -> StoreResult<Option<Conflict>> {
        let index = key("confk/", &[id.as_bytes(), &revision.to_be_bytes(), content_hash.as_bytes()]);
        match self.tree.get(index)?.as_deref().and_then(id16) {
            Some(conflict) => self.get(&key("conf/", &[&conflict])),
            None => Ok(None),
        }
    }

    /// Adds the writes that record a conflict (both versions).
    pub fn conflict_writes(
        &self,
        writes: &mut Writes,
        conflict: &Conflict,
        content_hash: &str,
    ) -> StoreResult<()> {
        writes.put(key("conf/", &[conflict.id.as_bytes()]), conflict)?;
        writes.put_raw(
            key(
                "confk/",
                &[conflict.visit_id.as_bytes(), &conflict.revision.to_be_bytes(), content_hash.as_bytes()],
            ),
            conflict.id.as_bytes(),
        );
        Ok(())
    }

    /// Every conflict, oldest first.
    pub fn conflicts(&self) -> StoreResult<Vec<Conflict>> {
        self.scan(b"conf/")
    }

    /// Every visit held for review, oldest first within each visit.
    pub fn review_items(&self) -> StoreResult<Vec<ReviewItem>> {
        self.scan(b"review/")
    }

    /// The review item of a held revision.
    pub fn review_item(&self, id: VisitId, revision: u32) -> StoreResult<Option<ReviewItem>> {
        self.get(&visit_key("review/", id, revision))
    }

    /// A manager's resolution of a held revision, if resolved.
    pub fn resolution(&self, id: VisitId, revision: u32) -> StoreResult<Option<Resolution>> {
        self.get(&visit_key("resolved/", id, revision))
    }

    /// Adds the write that records a resolution.
    pub fn resolution_writes(&self, writes: &mut Writes, resolution: &Resolution) -> StoreResult<()> {
        writes.put(visit_key("resolved/", resolution.visit_id, resolution.revision), resolution)
    }

    /// Where a stored revision stands in review: `None` when it was never held.
    pub fn review_state(&self, stored: &StoredVisit) -> StoreResult<Option<shared::sync::ReviewState>> {
        let Some(reason) = &stored.needs_review else { return Ok(None) };
        Ok(Some(match self.resolution(stored.visit.id, stored.visit.revision)? {
            Some(resolution) => resolution.state(),
            None => shared::sync::ReviewState::Waiting { reason: reason.clone() },
        }))
    }

    /// Whether a stored revision counts: it was never held, or a manager accepted it. A held
    /// revision counts for nothing (due states, escalations, reports) until then.
    pub fn counts(&self, stored: &StoredVisit) -> StoreResult<bool> {
        Ok(stored.needs_review.is_none()
            || self
                .resolution(stored.visit.id, stored.visit.revision)?
                .is_some_and(|r| r.resolution == ResolutionKind::Accepted))
    }

    /// [`Store::visits_of_child`] without the held revisions that do not count (see
    /// [`Store::counts`]). What every schedule, escalation and report calculation reads.
    pub fn counted_visits_of_child(&self, child: ChildId) -> StoreResult<Vec<StoredVisit>> {
        let mut out = Vec::new();
        for stored in self.visits_of_child(child)? {
            if self.counts(&stored)? {
                out.push(stored);
            }
        }
        Ok(out)
    }

    /// A conflict.
    pub fn conflict(&self, id: Uuid) -> StoreResult<Option<Conflict>> {
        self.get(&key("conf/", &[id.as_bytes()]))
    }

    /// How a conflict was resolved, if it was.
    pub fn conflict_resolution(&self, id: Uuid) -> StoreResult<Option<ConflictResolution>> {
        self.get(&key("confres/", &[id.as_bytes()]))
    }

    /// Adds the write that records a conflict's resolution.
    pub fn conflict_resolution_writes(
        &self,
        writes: &mut Writes,
        resolution: &ConflictResolution,
    ) -> StoreResult<()> {
        writes.put(key("confres/", &[resolution.conflict_id.as_bytes()]), resolution)
    }

    // ---- covers and absences ----

    /// A cover assignment.
    pub fn cover(&self, id: CoverId) -> StoreResult<Option<CoverAssignment>> {
        self.get(&key("cover/", &[id.as_bytes()]))
    }

    /// Every cover assignment of a duty worker (past, present and future).
    pub fn covers_for_duty_worker(&self, worker: WorkerId) -> StoreResult<Vec<CoverAssignment>> {
        let ids = self.scan_ids(&key("cd/", &[worker.as_bytes()]))?;
        Ok(ids.into_iter().filter_map(|id| self.cover(CoverId::from_bytes(id)).ok().flatten()).collect())
    }

    /// Every cover assignment for a child.
    pub fn covers_for_child(&self, child: ChildId) -> StoreResult<Vec<CoverAssignment>> {
        let ids = self.scan_ids(&key("cc/", &[child.as_bytes()]))?;
        Ok(ids.into_iter().filter_map(|id| self.cover(CoverId::from_bytes(id)).ok().flatten()).collect())
    }

    /// Every cover assignment.
    pub fn covers(&self) -> StoreResult<Vec<CoverAssignment>> {
        self.scan(b"cover/")
    }

    /// Whether `worker` covers `child` on `date`.
    pub fn is_covering(&self, worker: WorkerId, child: ChildId, date: NaiveDate) -> StoreResult<bool> {
        Ok(self.covers_for_duty_worker(worker)?.iter().any(|c| c.child_id == child && c.is_active_on(date)))
    }

    /// Stores (creates or changes, for example ends early) a cover assignment durably, and tells
    /// the duty worker's devices through the feed.
    pub async fn put_cover(&self, cover: &CoverAssignment) -> StoreResult<()> {
        let mut writes = Writes::default();
        if let Some(old) = self.cover(cover.id)?
            && old.duty_worker != cover.duty_worker
        {
            writes.remove(key("cd/", &[old.duty_worker.as_bytes(), old.id.as_bytes()]));
        }
        writes.put(key("cover/", &[cover.id.as_bytes()]), cover)?;
        writes.put_raw(key("cd/", &[cover.duty_worker.as_bytes(), cover.id.as_bytes()]), &[]);
        writes.put_raw(key("cc/", &[cover.child_id.as_bytes(), cover.id.as_bytes()]), &[]);
        writes.feed(FeedEntry::Cover {
            cover_id: cover.id,
            child_id: cover.child_id,
            duty_worker: cover.duty_worker,
        });
        self.commit(writes).await
    }

    /// An absence.
    pub fn absence(&self, id: AbsenceId) -> StoreResult<Option<Absence>> {
        self.get(&key("abs/", &[id.as_bytes()]))
    }

    /// Every absence of a worker.
    pub fn absences_of(&self, worker: WorkerId) -> StoreResult<Vec<Absence>> {
        let ids = self.scan_ids(&key("aw/", &[worker.as_bytes()]))?;
        Ok(ids.into_iter().filter_map(|id| self.absence(AbsenceId::from_bytes(id)).ok().flatten()).collect())
    }

    /// Every absence.
    pub fn absences(&self) -> StoreResult<Vec<Absence>> {
        self.scan(b"abs/")
    }

    /// Whether a worker is recorded absent on `date`.
    pub fn is_absent(&self, worker: WorkerId, date: NaiveDate) -> StoreResult<bool> {
        Ok(self.absences_of(worker)?.iter().any(|a| a.covers(date)))
    }

    /// Stores (creates or changes) an absence durably.
    pub async fn put_absence(&self, absence: &Absence) -> StoreResult<()> {
        let mut writes = Writes::default();
        writes.put(key("abs/", &[absence.id.as_bytes()]), absence)?;
        writes.put_raw(key("aw/", &[absence.worker_id.as_bytes(), absence.id.as_bytes()]), &[]);
        self.commit(writes).await
    }

    // ---- escalations ----

    /// An escalation. One stored before histories were kept comes back with its history
    /// rebuilt from its fields ([`Escalation::with_history`]), so nothing it recorded is lost.
    pub fn escalation(&self, id: EscalationId) -> StoreResult<Option<Escalation>> {
        Ok(self.get::<Escalation>(&key("esc/", &[id.as_bytes()]))?.map(Escalation::with_history))
    }

    /// Every escalation.
    pub fn escalations(&self) -> StoreResult<Vec<Escalation>> {
        Ok(self.scan::<Escalation>(b"esc/")?.into_iter().map(Escalation::with_history).collect())
    }

    /// Every escalation about a child, each once (an escalation re-assessed for a new due date
    /// is indexed under both keys).
    pub fn escalations_for_child(&self, child: ChildId) -> StoreResult<Vec<Escalation>> {
        let prefix = key("ek/", &[child.as_bytes()]);
        let mut out: Vec<Escalation> = Vec::new();
        for entry in self.tree.scan_prefix(&prefix) {
            let (_, v) = entry?;
            if let Some(id) = id16(&v)
                && !out.iter().any(|e| e.id.as_bytes() == &id)
                && let Some(escalation) = self.escalation(EscalationId::from_bytes(id))?
            {
                out.push(escalation);
            }
        }
        Ok(out)
    }

    /// A child's standing "seen alone" decisions, oldest first.
    pub fn seen_alone_decisions(&self, child: ChildId) -> StoreResult<Vec<shared::SeenAloneDecision>> {
        self.scan(&key("sad/", &[child.as_bytes()]))
    }

    /// Adds the writes that store a new standing "seen alone" decision, with a feed entry for
    /// the child so the sweeper looks at it again within seconds.
    pub fn seen_alone_decision_writes(
        &self,
        writes: &mut Writes,
        decision: &shared::SeenAloneDecision,
    ) -> StoreResult<()> {
        writes.put(key("sad/", &[decision.child_id.as_bytes(), decision.id.as_bytes()]), decision)?;
        writes.feed(FeedEntry::Child { child_id: decision.child_id });
        Ok(())
    }

    /// A child's significant events entered by hand (police, school, health, ...), oldest
    /// recorded first. Append-only: none is ever changed or removed.
    pub fn significant_events(
        &self,
        child: ChildId,
    ) -> StoreResult<Vec<crate::significant_events::SignificantEvent>> {
        self.scan(&key("sev/", &[child.as_bytes()]))
    }

    /// Adds the write that stores a new significant event under its child (never an update:
    /// each has a new id).
    pub fn significant_event_writes(
        &self,
        writes: &mut Writes,
        event: &crate::significant_events::SignificantEvent,
    ) -> StoreResult<()> {
        writes.put(key("sev/", &[event.child_id.as_bytes(), event.id.as_bytes()]), event)
    }

    /// The escalation already raised for this child and problem ([`shared::EscalationReason::dedup_key`]).
    pub fn escalation_by_dedup(&self, child: ChildId, dedup_key: &str) -> StoreResult<Option<Escalation>> {
        match self.tree.get(key("ek/", &[child.as_bytes(), dedup_key.as_bytes()]))?.as_deref().and_then(id16)
        {
            Some(id) => self.escalation(EscalationId::from_bytes(id)),
            None => Ok(None),
        }
    }

    /// Adds the writes that store (create or update) an escalation, its dedup index and a feed
    /// entry, so pull delivers it.
    pub fn escalation_writes(&self, writes: &mut Writes, escalation: &Escalation) -> StoreResult<()> {
        writes.put(key("esc/", &[escalation.id.as_bytes()]), escalation)?;
        writes.put_raw(
            key("ek/", &[escalation.child_id.as_bytes(), escalation.reason.dedup_key().as_bytes()]),
            escalation.id.as_bytes(),
        );
        writes.feed(FeedEntry::Escalation { escalation_id: escalation.id, child_id: escalation.child_id });
        Ok(())
    }

    /// Stores (creates or updates) escalations atomically and durably.
    pub async fn put_escalations(&self, escalations: &[Escalation]) -> StoreResult<()> {
        let mut writes = Writes::default();
        for escalation in escalations {
            self.escalation_writes(&mut writes, escalation)?;
        }
        self.commit(writes).await
    }

    // ---- the change feed and pull states ----

    /// Feed entries after `after`, at most `max`, oldest first.
    pub fn feed_since(&self, after: u64, max: usize) -> StoreResult<Vec<(u64, FeedEntry)>> {
        let start = key("feed/", &[&(after.saturating_add(1)).to_be_bytes()]);
        let mut out = Vec::new();
        for entry in self.tree.range(start..) {
            let (k, v) = entry?;
            if !k.starts_with(b"feed/") || out.len() >= max {
                break;
            }
            out.push((seq_from_key(&k[5..]), decode(&k, &v)?));
        }
        Ok(out)
    }

    /// The sequence number of the latest feed entry (0 when empty).
    pub fn feed_head(&self) -> u64 {
        self.next_seq.load(Ordering::SeqCst).saturating_sub(1)
    }

    /// A device's pull state saved under a cursor.
    pub fn pull_state(&self, device: DeviceId, state_id: u64) -> StoreResult<Option<PullState>> {
        self.get(&key("pull/", &[device.as_bytes(), &state_id.to_be_bytes()]))
    }

    /// Saves a new pull state for a device, dropping the states older than `keep_from` (the one
    /// the device just presented is kept, in case this answer is lost). Returns the new id.
    pub fn save_pull_state(&self, device: DeviceId, state: &PullState, keep_from: u64) -> StoreResult<u64> {
        let id = self.db.generate_id()? + 1;
        let prefix = key("pull/", &[device.as_bytes()]);
        let mut batch = sled::Batch::default();
        for entry in self.tree.scan_prefix(&prefix) {
            let (k, _) = entry?;
            if seq_from_key(&k[prefix.len()..]) < keep_from {
                batch.remove(k);
            }
        }
        batch.insert(key("pull/", &[device.as_bytes(), &id.to_be_bytes()]), encode(state)?);
        self.tree.apply_batch(batch)?;
        Ok(id)
    }

    // ---- write-back export ----

    /// Whether a visit revision has been acknowledged as written back centrally.
    pub fn is_exported(&self, id: VisitId, revision: u32) -> StoreResult<bool> {
        Ok(self.tree.contains_key(visit_key("ack/", id, revision))?)
    }

    /// Marks revisions written back, durably. Returns how many were newly marked.
    pub async fn ack_exported(&self, revisions: &[(VisitId, u32)], at: DateTime<Utc>) -> StoreResult<usize> {
        let mut writes = Writes::default();
        let mut marked = 0;
        for (id, revision) in revisions {
            if !self.is_exported(*id, *revision)? {
                writes.put(visit_key("ack/", *id, *revision), &at)?;
                marked += 1;
            }
        }
        self.commit(writes).await?;
        Ok(marked)
    }

    // ---- audit ----

    /// Appends an audit entry. Views are recorded without waiting for a flush (sled flushes
    /// within half a second); call [`Store::flush`] when the entry must be durable before
    /// answering.
    pub fn record_audit(&self, entry: &AuditEntry) -> StoreResult<()> {
        let seq = self.db.generate_id()?;
        self.tree.insert(key("audit/", &[&seq.to_be_bytes()]), encode(entry)?)?;
        Ok(())
    }

    /// Adds an audit entry to a batch (for changes written with it).
    pub fn audit_writes(&self, writes: &mut Writes, entry: &AuditEntry) -> StoreResult<()> {
        let seq = self.db.generate_id()?;
        writes.put(key("audit/", &[&seq.to_be_bytes()]), entry)
    }

    /// The audit log, oldest first, optionally for one child.
    pub fn audit(&self, child: Option<ChildId>) -> StoreResult<Vec<AuditEntry>> {
        let all: Vec<AuditEntry> = self.scan(b"audit/")?;
        Ok(match child {
            Some(child) => all.into_iter().filter(|e| e.child_id == Some(child)).collect(),
            None => all,
        })
    }

    // ---- blobs ----

    /// Stores a blob's metadata durably. The type is the photos module's.
    pub async fn put_blob_meta<T: Serialize>(&self, sha256: &str, meta: &T) -> StoreResult<()> {
        self.tree.insert(key("blob/", &[sha256.as_bytes()]), encode(meta)?)?;
        self.flush().await
    }

    /// A blob's metadata.
    pub fn blob_meta<T: DeserializeOwned>(&self, sha256: &str) -> StoreResult<Option<T>> {
        self.get(&key("blob/", &[sha256.as_bytes()]))
    }

    /// Whether a blob is held.
    pub fn has_blob(&self, sha256: &str) -> StoreResult<bool> {
        Ok(self.tree.contains_key(key("blob/", &[sha256.as_bytes()]))?)
    }

    /// Records, durably, that `worker` uploaded the bytes of a photo at `at` (the first
    /// uploader, or a later one who sent the same bytes). The first record stands.
    pub async fn add_blob_holder(
        &self,
        sha256: &str,
        worker: WorkerId,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        let k = key("bh/", &[sha256.as_bytes(), worker.as_bytes()]);
        if !self.tree.contains_key(&k)? {
            self.tree.insert(k, encode(&at)?)?;
        }
        self.flush().await
    }

    /// When `worker` uploaded the bytes of a photo, if they did.
    pub fn blob_holder_since(&self, sha256: &str, worker: WorkerId) -> StoreResult<Option<DateTime<Utc>>> {
        self.get(&key("bh/", &[sha256.as_bytes(), worker.as_bytes()]))
    }

    /// Adds the write recording that a visit revision names a photo (in the push's batch).
    pub fn blob_reference_writes(
        &self,
        writes: &mut Writes,
        sha256: &str,
        reference: &BlobReference,
    ) -> StoreResult<()> {
        writes.put(
            key(
                "bref/",
                &[sha256.as_bytes(), reference.visit_id.as_bytes(), &reference.revision.to_be_bytes()],
            ),
            reference,
        )
    }

    /// Every visit revision naming a photo.
    pub fn blob_references(&self, sha256: &str) -> StoreResult<Vec<BlobReference>> {
        self.scan(&key("bref/", &[sha256.as_bytes()]))
    }
}

fn seq_from_key(bytes: &[u8]) -> u64 {
    bytes.get(..8).and_then(|b| b.try_into().ok()).map(u64::from_be_bytes).unwrap_or(0)
}

fn encode<T: Serialize>(value: &T) -> StoreResult<Vec<u8>> {
    serde_json::to_vec(value).map_err(|e| StoreError::Encode(e.to_string()))
}

fn decode<T: DeserializeOwned>(key: &[u8], bytes: &[u8]) -> StoreResult<T> {
    serde_json::from_slice(bytes).map_err(|e| StoreError::Corrupt {
        key: String::from_utf8_lossy(&key[..key.iter().position(|b| *b == b'/').map_or(0, |p| p + 1)])
            .into_owned(),
        cause: e.to_string(),
    })
}
