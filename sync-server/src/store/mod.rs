//! Storage behind one trait.
//!
//! Everything the server keeps goes through [`Store`], an async, object-safe trait that
//! [`crate::AppState`] holds as `Arc<dyn Store>`. Nothing outside this module sees a storage
//! engine, a key or an engine's error:
//!
//! - **Reads are grouped** by what they are about: [`AccountReads`], [`CaseReads`],
//!   [`VisitReads`], [`RosterReads`], [`EscalationReads`], [`FeedReads`], [`ExportReads`],
//!   [`AuditReads`] and [`BlobReads`]. `use crate::store::prelude::*` brings them in.
//! - **Every change goes through a [`Transaction`]** ([`Store::transaction`]). Opening one
//!   serialises the writers that must not interleave (a push, an import, the sweep, an
//!   acknowledgement, a manager's decision): while it is open no other transaction runs, so a
//!   writer reads, decides and writes on a store nobody else is changing. Its writes are applied
//!   as one atomic batch by [`Transaction::commit`], and are durable when that returns `Ok`.
//!   Dropping a transaction without committing writes nothing.
//! - A few single-record writes stand alone, each atomic ([`Store::swap_device`],
//!   [`Store::save_pull_state`], [`Store::record_view`], the blob and outbox records). Each says
//!   whether it is durable on return.
//!
//! The implementations share one record layout ([`kv`]: one ordered key space, one prefix per
//! kind of record) over an engine:
//! - [`open`]: sled, on disk, the embedded default;
//! - [`in_memory`]: a `BTreeMap`, for fast handler tests;
//!
//! and every implementation passes the same conformance suite ([`conformance`]), which turns
//! the invariants below into tests.
//!
//! **Invariants** (each is a conformance test):
//! 1. A child's key-worker and team indexes move with the child on reallocation.
//! 2. The change feed is numbered in commit order, without gaps.
//! 3. An unchanged write of a child leaves no history and no feed entry.
//! 4. A conflict with the same content is recorded once; an escalation has one record per child
//!    and problem, found by its dedup key.
//! 5. Acknowledging an export twice marks it once.
//! 6. A device record is replaced only if it still holds what the caller read (compare and swap).
//! 7. Pull states, the webhook outbox and audit entries survive a restart, and ids handed out
//!    after a restore never reuse one the backup holds.

use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use shared::{
    Absence, AbsenceId, Child, ChildId, CoverAssignment, CoverId, DeviceId, Escalation, EscalationId,
    SafetyWarning, SafetyWarningId, Team, TeamId, Tz, VisitId, Worker, WorkerId,
};
use uuid::Uuid;

use crate::significant_events::SignificantEvent;

pub mod conformance;
mod kv;
mod memory_engine;
mod pg_engine;
mod records;
mod sled_engine;

pub use records::*;

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The storage engine failed (I/O, or corruption it detected). The text names no record.
    #[error("storage engine: {0}")]
    Engine(String),
    /// A stored value could not be read back. Means a bug or a format change, never user input.
    #[error("stored value unreadable at {key}: {cause}")]
    Corrupt {
        /// The kind of record (no personal data).
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

/// Opens (or creates) the sled store in `dir`.
pub fn open(dir: &Path) -> StoreResult<Arc<dyn Store>> {
    Ok(Arc::new(kv::KvStore::new(sled_engine::SledEngine::open(dir)?)?))
}

/// A sled store in a temporary directory, deleted when dropped. For tests and benchmarks that
/// want the real engine.
pub fn temporary() -> StoreResult<Arc<dyn Store>> {
    Ok(Arc::new(kv::KvStore::new(sled_engine::SledEngine::temporary()?)?))
}

/// Connects to the PostgreSQL database at `url` (`postgres://user:password@host/db`, or
/// `postgres://user@/db?host=/run/postgresql` over a Unix socket) and brings its schema up to
/// date. Several server processes may share one database: writers are serialised across them.
pub async fn connect(url: &str) -> StoreResult<Arc<dyn Store>> {
    Ok(Arc::new(kv::KvStore::open(pg_engine::PgEngine::connect(url).await?).await?))
}

/// What [`copy_into`] copied, and found identical on both sides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyReport {
    /// Records copied (the store's own bookkeeping aside).
    pub records: u64,
    /// SHA-256 over every record, key and value, in key order: the same on both sides.
    pub sha256: String,
}

/// Why [`copy_into`] copied nothing, or what it found wrong afterwards.
#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    /// The target already holds records: a copy goes only into an empty store.
    #[error("the target already holds records: copy only into an empty database")]
    TargetNotEmpty,
    /// The target, read back, differs from the source.
    #[error(
        "the copy does not match its source: {source_records} records (sha256 {source_sha256}) were \
         copied, the target holds {target_records} (sha256 {target_sha256})"
    )]
    Mismatch {
        /// Records read from the source.
        source_records: u64,
        /// Their hash.
        source_sha256: String,
        /// Records read back from the target.
        target_records: u64,
        /// Their hash.
        target_sha256: String,
    },
    /// Either store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Counts and hashes `records` (key order, as [`Store::backup_records`] gives them), leaving
/// out the store's own bookkeeping, which a restore writes anew.
fn fingerprint(records: &[RawRecord]) -> CopyReport {
    use sha2::Digest as _;
    let mut hash = sha2::Sha256::new();
    let mut count = 0u64;
    for (k, v) in records.iter().filter(|(k, _)| !kv::is_bookkeeping(k)) {
        hash.update((k.len() as u64).to_be_bytes());
        hash.update(k);
        hash.update((v.len() as u64).to_be_bytes());
        hash.update(v);
        count += 1;
    }
    CopyReport { records: count, sha256: hex::encode(hash.finalize()) }
}

/// Copies every record of `from` into the empty store `to` (say, a sled store into
/// PostgreSQL), then reads both back and checks that they hold the same records: the same
/// count, the same SHA-256 over every key and value. Refuses a target that holds anything.
pub async fn copy_into(from: &dyn Store, to: &dyn Store) -> Result<CopyReport, CopyError> {
    if !to.is_empty().await? {
        return Err(CopyError::TargetNotEmpty);
    }
    let records = from.backup_records().await?;
    let copied = to.restore_records(records).await?;
    let source = fingerprint(&from.backup_records().await?);
    let target = fingerprint(&to.backup_records().await?);
    if source != target || copied != source.records {
        return Err(CopyError::Mismatch {
            source_records: source.records,
            source_sha256: source.sha256,
            target_records: target.records,
            target_sha256: target.sha256,
        });
    }
    Ok(target)
}

/// A store in memory, gone when dropped. For fast handler tests.
pub fn in_memory() -> Arc<dyn Store> {
    Arc::new(kv::KvStore::new(memory_engine::MemoryEngine::default()).expect("an empty map opens"))
}

/// Accounts, teams and devices.
#[async_trait]
pub trait AccountReads {
    /// The account of a worker.
    async fn account(&self, id: WorkerId) -> StoreResult<Option<Account>>;
    /// The account with this username (case-insensitive).
    async fn account_by_username(&self, username: &str) -> StoreResult<Option<Account>>;
    /// Every account.
    async fn accounts(&self) -> StoreResult<Vec<Account>>;
    /// The worker with this id.
    async fn worker(&self, id: WorkerId) -> StoreResult<Option<Worker>> {
        Ok(self.account(id).await?.map(|a| a.worker))
    }
    /// A team.
    async fn team(&self, id: TeamId) -> StoreResult<Option<Team>>;
    /// Every team.
    async fn teams(&self) -> StoreResult<Vec<Team>>;
    /// A device.
    async fn device(&self, id: DeviceId) -> StoreResult<Option<DeviceRecord>>;
    /// Every device of a worker.
    async fn devices_of(&self, worker: WorkerId) -> StoreResult<Vec<DeviceRecord>>;
    /// When sign-ins limited by `key` (an account or an address) failed, at `since` or later,
    /// oldest first. Kept in the store, so every server process counts them, and a restart
    /// forgets none.
    async fn login_failures(&self, key: &str, since: DateTime<Utc>) -> StoreResult<Vec<DateTime<Utc>>>;
}

/// Children's records and what is kept on their cases.
#[async_trait]
pub trait CaseReads {
    /// A child.
    async fn child(&self, id: ChildId) -> StoreResult<Option<Child>>;
    /// The id of the child with this central identifier.
    async fn child_id_by_central_id(&self, central_id: &str) -> StoreResult<Option<ChildId>>;
    /// The child with this central ("Child Unique ID") identifier.
    async fn child_by_central_id(&self, central_id: &str) -> StoreResult<Option<Child>> {
        match self.child_id_by_central_id(central_id).await? {
            Some(id) => self.child(id).await,
            None => Ok(None),
        }
    }
    /// The children whose key worker this is.
    async fn children_of_key_worker(&self, worker: WorkerId) -> StoreResult<Vec<ChildId>>;
    /// The children held by this team.
    async fn children_of_team(&self, team: TeamId) -> StoreResult<Vec<ChildId>>;
    /// Every child id.
    async fn all_child_ids(&self) -> StoreResult<Vec<ChildId>>;
    /// Every child (for sweeps, reports and large imports).
    async fn all_children(&self) -> StoreResult<Vec<Child>>;
    /// Every change to a child's central record, oldest first (empty when it never changed).
    async fn child_history(&self, child: ChildId) -> StoreResult<Vec<ChildChange>>;
    /// A child's standing "seen alone" decisions, oldest first, each with its early end if a
    /// manager has ended it.
    async fn seen_alone_decisions(&self, child: ChildId) -> StoreResult<Vec<shared::SeenAloneDecision>>;
    /// The core group meetings and review conferences on a child's plan, oldest recorded first.
    async fn plan_meetings(&self, child: ChildId) -> StoreResult<Vec<shared::timeline::PlanMeeting>>;
    /// The managers' supervision of a child's case, oldest recorded first.
    async fn supervisions(&self, child: ChildId) -> StoreResult<Vec<shared::timeline::Supervision>>;
    /// The agreed actions of a child marked done.
    async fn actions_done(&self, child: ChildId) -> StoreResult<Vec<shared::timeline::ActionDone>>;
    /// A child's significant events entered by hand, oldest recorded first.
    async fn significant_events(&self, child: ChildId) -> StoreResult<Vec<SignificantEvent>>;
    /// Every safety warning as recorded (without its end), in id order.
    async fn safety_warnings(&self) -> StoreResult<Vec<SafetyWarning>>;
    /// One safety warning as recorded (without its end).
    async fn safety_warning(&self, id: SafetyWarningId) -> StoreResult<Option<SafetyWarning>>;
    /// A safety warning's end, if a manager ended it.
    async fn safety_warning_end(
        &self,
        id: SafetyWarningId,
    ) -> StoreResult<Option<shared::household::SafetyWarningEnd>>;
}

/// Visits, their review, and conflicts.
#[async_trait]
pub trait VisitReads {
    /// One visit revision.
    async fn visit(&self, id: VisitId, revision: u32) -> StoreResult<Option<StoredVisit>>;
    /// Several visit revisions at once, each in its place (`None`: not stored). One round
    /// trip on a remote engine, where asking one by one would make one each.
    async fn visits_at(&self, revisions: &[(VisitId, u32)]) -> StoreResult<Vec<Option<StoredVisit>>>;
    /// Every revision of a visit, oldest first.
    async fn visit_revisions(&self, id: VisitId) -> StoreResult<Vec<StoredVisit>>;
    /// The latest revision of a visit.
    async fn latest_revision(&self, id: VisitId) -> StoreResult<Option<StoredVisit>>;
    /// Every revision of every visit to a child, in visit then revision order.
    async fn visits_of_child(&self, child: ChildId) -> StoreResult<Vec<StoredVisit>>;
    /// Every stored visit revision (for exports and sweeps).
    async fn all_visits(&self) -> StoreResult<Vec<StoredVisit>>;
    /// The conflict already recorded for this exact losing content, if any.
    async fn conflict_by_content(
        &self,
        id: VisitId,
        revision: u32,
        content_hash: &str,
    ) -> StoreResult<Option<Conflict>>;
    /// A conflict.
    async fn conflict(&self, id: Uuid) -> StoreResult<Option<Conflict>>;
    /// Every conflict.
    async fn conflicts(&self) -> StoreResult<Vec<Conflict>>;
    /// How a conflict was resolved, if it was.
    async fn conflict_resolution(&self, id: Uuid) -> StoreResult<Option<ConflictResolution>>;
    /// Every visit held for review.
    async fn review_items(&self) -> StoreResult<Vec<ReviewItem>>;
    /// The review item of a held revision.
    async fn review_item(&self, id: VisitId, revision: u32) -> StoreResult<Option<ReviewItem>>;
    /// A manager's resolution of a held revision, if resolved.
    async fn resolution(&self, id: VisitId, revision: u32) -> StoreResult<Option<Resolution>>;

    /// Where a stored revision stands in review: `None` when it was never held.
    async fn review_state(&self, stored: &StoredVisit) -> StoreResult<Option<shared::sync::ReviewState>> {
        let Some(reason) = &stored.needs_review else { return Ok(None) };
        Ok(Some(match self.resolution(stored.visit.id, stored.visit.revision).await? {
            Some(resolution) => resolution.state(),
            None => shared::sync::ReviewState::Waiting { reason: reason.clone() },
        }))
    }

    /// Whether a stored revision counts: it was never held, or a manager accepted it. A held
    /// revision counts for nothing (due states, escalations, reports) until then.
    async fn counts(&self, stored: &StoredVisit) -> StoreResult<bool> {
        Ok(stored.needs_review.is_none()
            || self
                .resolution(stored.visit.id, stored.visit.revision)
                .await?
                .is_some_and(|r| r.resolution == ResolutionKind::Accepted))
    }

    /// [`VisitReads::visits_of_child`] without the held revisions that do not count (see
    /// [`VisitReads::counts`]). What every schedule, escalation and report calculation reads.
    async fn counted_visits_of_child(&self, child: ChildId) -> StoreResult<Vec<StoredVisit>> {
        let mut out = Vec::new();
        for stored in self.visits_of_child(child).await? {
            if self.counts(&stored).await? {
                out.push(stored);
            }
        }
        Ok(out)
    }
}

/// Duty cover and absences.
#[async_trait]
pub trait RosterReads {
    /// A cover assignment.
    async fn cover(&self, id: CoverId) -> StoreResult<Option<CoverAssignment>>;
    /// Every cover assignment of a duty worker (past, present and future).
    async fn covers_for_duty_worker(&self, worker: WorkerId) -> StoreResult<Vec<CoverAssignment>>;
    /// Every cover assignment for a child.
    async fn covers_for_child(&self, child: ChildId) -> StoreResult<Vec<CoverAssignment>>;
    /// Every cover assignment.
    async fn covers(&self) -> StoreResult<Vec<CoverAssignment>>;
    /// Whether `worker` covers `child` on `date`.
    async fn is_covering(&self, worker: WorkerId, child: ChildId, date: NaiveDate) -> StoreResult<bool> {
        Ok(self
            .covers_for_duty_worker(worker)
            .await?
            .iter()
            .any(|c| c.child_id == child && c.is_active_on(date)))
    }
    /// An absence.
    async fn absence(&self, id: AbsenceId) -> StoreResult<Option<Absence>>;
    /// Every absence of a worker.
    async fn absences_of(&self, worker: WorkerId) -> StoreResult<Vec<Absence>>;
    /// Every absence.
    async fn absences(&self) -> StoreResult<Vec<Absence>>;
    /// Whether a worker is recorded absent on `date`.
    async fn is_absent(&self, worker: WorkerId, date: NaiveDate) -> StoreResult<bool> {
        Ok(self.absences_of(worker).await?.iter().any(|a| a.covers(date)))
    }
}

/// Escalations and the webhook outbox.
#[async_trait]
pub trait EscalationReads {
    /// An escalation (one stored before histories were kept comes back with its history
    /// rebuilt from its fields).
    async fn escalation(&self, id: EscalationId) -> StoreResult<Option<Escalation>>;
    /// Every escalation.
    async fn escalations(&self) -> StoreResult<Vec<Escalation>>;
    /// Every escalation about a child, each once.
    async fn escalations_for_child(&self, child: ChildId) -> StoreResult<Vec<Escalation>>;
    /// The escalation already raised for this child and problem
    /// ([`shared::EscalationReason::dedup_key`]).
    async fn escalation_by_dedup(&self, child: ChildId, dedup_key: &str) -> StoreResult<Option<Escalation>>;
    /// Escalations waiting in the webhook outbox, oldest first, at most `max`, each as it was
    /// when written.
    async fn pending_webhooks(&self, max: usize) -> StoreResult<Vec<(OutboxId, Escalation)>>;
}

/// The change feed and devices' pull states.
#[async_trait]
pub trait FeedReads {
    /// Feed entries after `after`, at most `max`, oldest first.
    async fn feed_since(&self, after: u64, max: usize) -> StoreResult<Vec<(u64, FeedEntry)>>;
    /// The sequence number of the latest feed entry (0 when empty).
    async fn feed_head(&self) -> StoreResult<u64>;
    /// A device's pull state saved under a cursor.
    async fn pull_state(&self, device: DeviceId, state_id: u64) -> StoreResult<Option<PullState>>;
}

/// The write-back export.
#[async_trait]
pub trait ExportReads {
    /// Whether a visit revision has been acknowledged as written back centrally.
    async fn is_exported(&self, id: VisitId, revision: u32) -> StoreResult<bool>;
}

/// The audit log.
#[async_trait]
pub trait AuditReads {
    /// The audit log, oldest first, optionally for one child.
    async fn audit(&self, child: Option<ChildId>) -> StoreResult<Vec<AuditEntry>>;
}

/// Photos' records (their bytes live in the blob directory).
#[async_trait]
pub trait BlobReads {
    /// A photo's record.
    async fn blob(&self, sha256: &str) -> StoreResult<Option<BlobRecord>>;
    /// When `worker` uploaded the bytes of a photo, if they did.
    async fn blob_holder_since(&self, sha256: &str, worker: WorkerId) -> StoreResult<Option<DateTime<Utc>>>;
    /// Every visit revision naming a photo.
    async fn blob_references(&self, sha256: &str) -> StoreResult<Vec<BlobReference>>;
}

/// The store: every read, and the ways to write.
#[async_trait]
pub trait Store:
    AccountReads
    + CaseReads
    + VisitReads
    + RosterReads
    + EscalationReads
    + FeedReads
    + ExportReads
    + AuditReads
    + BlobReads
    + Send
    + Sync
    + std::fmt::Debug
{
    /// Opens a write transaction: waits until no other is open, and holds every other writer
    /// off until it is committed or dropped.
    async fn transaction(&self) -> StoreResult<Box<dyn Transaction + '_>>;

    /// Makes everything written so far durable (on shutdown; commits are durable already).
    async fn flush(&self) -> StoreResult<()>;

    /// Whether the store answers reads (for the readiness probe).
    async fn is_ready(&self) -> bool;

    /// Whether the store holds no records at all.
    async fn is_empty(&self) -> StoreResult<bool>;

    /// A raw setting kept by the service (the signing secret, the clock's high-water mark).
    async fn meta(&self, name: &str) -> StoreResult<Option<Vec<u8>>>;

    /// From now on, every escalation written also goes into the durable webhook outbox, in the
    /// same atomic batch, until the deliverer has handed it to the relay.
    fn keep_webhook_outbox(&self, on: bool);

    /// The authority's zone, in which an escalation stored before histories were kept has its
    /// history dated as it is read (Europe/London until this is called).
    fn date_histories_in(&self, time_zone: Tz);

    /// Takes a delivered (or refused for good) notice out of the outbox. Not flushed: a notice
    /// delivered just before a crash may be sent again, never lost.
    async fn webhook_done(&self, id: OutboxId) -> StoreResult<()>;

    /// Claims at most `max` notices from the webhook outbox for one deliverer, oldest first:
    /// each is held for it until `until`, and no other claim takes it before then, so the
    /// deliverers of several servers sharing the store never send one notice twice. A
    /// deliverer that stops mid-way lets its claims lapse; [`Store::release_webhook`] gives one
    /// back at once.
    async fn claim_webhooks(
        &self,
        max: usize,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StoreResult<Vec<(OutboxId, Escalation)>>;

    /// Gives back a claimed notice that could not be delivered yet, for the next attempt.
    async fn release_webhook(&self, id: OutboxId) -> StoreResult<()>;

    /// Replaces a device record only if it still holds `expected` (compare-and-swap), so two
    /// concurrent refreshes with the same token cannot both succeed. Durable on `Ok(true)`.
    async fn swap_device(&self, expected: &DeviceRecord, new: &DeviceRecord) -> StoreResult<bool>;

    /// Saves a new pull state for a device, durably, dropping the states older than
    /// `keep_from` (the one the device just presented is kept, in case this answer is lost).
    /// Returns the new id.
    async fn save_pull_state(&self, device: DeviceId, state: &PullState, keep_from: u64) -> StoreResult<u64>;

    /// Appends the audit entry of a view. Not waited for: views are recorded within half a
    /// second; changes are audited in their own transaction.
    async fn record_view(&self, entry: &AuditEntry) -> StoreResult<()>;

    /// Records a failed sign-in against each of `keys` at `at`, forgetting their failures from
    /// before `forget_before` in the same write.
    async fn record_login_failure(
        &self,
        keys: &[String],
        at: DateTime<Utc>,
        forget_before: DateTime<Utc>,
    ) -> StoreResult<()>;

    /// Forgets every failed sign-in counted against `key` (after a successful one).
    async fn clear_login_failures(&self, key: &str) -> StoreResult<()>;

    /// Takes one sign-in attempt against each of `keys` at `at`, in one step under the writer
    /// lock (so across every server process sharing the store): refused when any key already
    /// has `max` failures since `since`; otherwise counted as a failure against each key (and
    /// their failures from before `since` forgotten) until a successful sign-in gives it back
    /// ([`Store::give_back_login_attempt`]). A burst of guesses sent at once is counted as it
    /// arrives, so no more than `max` are ever checked.
    async fn take_login_attempt(
        &self,
        keys: &[String],
        at: DateTime<Utc>,
        since: DateTime<Utc>,
        max: usize,
    ) -> StoreResult<LoginAttempt>;

    /// Gives back an attempt taken by [`Store::take_login_attempt`]: it was no failure.
    async fn give_back_login_attempt(&self, attempt: LoginAttempt) -> StoreResult<()>;

    /// Stores a photo's record, durably.
    async fn put_blob(&self, blob: &BlobRecord) -> StoreResult<()>;

    /// Records, durably, that `worker` uploaded the bytes of a photo at `at`. The first record
    /// stands.
    async fn add_blob_holder(&self, sha256: &str, worker: WorkerId, at: DateTime<Utc>) -> StoreResult<()>;

    /// Every record, as one consistent snapshot for a backup (taken with writers held off).
    async fn backup_records(&self) -> StoreResult<Vec<RawRecord>>;

    /// Fills an empty store with a backup's records in one atomic, durable write, so that ids
    /// handed out later are above every id the backup holds. Returns how many were written.
    async fn restore_records(&self, records: Vec<RawRecord>) -> StoreResult<u64>;

    // ---- conveniences: one change in its own transaction ----

    /// Stores an account durably.
    async fn put_account(&self, account: &Account) -> StoreResult<()> {
        let mut tx = self.transaction().await?;
        tx.put_account(account).await?;
        tx.commit().await
    }

    /// Stores a team durably.
    async fn put_team(&self, team: &Team) -> StoreResult<()> {
        let mut tx = self.transaction().await?;
        tx.put_team(team).await?;
        tx.commit().await
    }

    /// Stores a device durably.
    async fn put_device(&self, device: &DeviceRecord) -> StoreResult<()> {
        let mut tx = self.transaction().await?;
        tx.put_device(device).await?;
        tx.commit().await
    }

    /// Stores (creates or changes) a cover assignment durably.
    async fn put_cover(&self, cover: &CoverAssignment) -> StoreResult<()> {
        let mut tx = self.transaction().await?;
        tx.put_cover(cover).await?;
        tx.commit().await
    }

    /// Stores (creates or changes) an absence durably.
    async fn put_absence(&self, absence: &Absence) -> StoreResult<()> {
        let mut tx = self.transaction().await?;
        tx.put_absence(absence).await?;
        tx.commit().await
    }

    /// Stores (creates or updates) escalations atomically and durably.
    async fn put_escalations(&self, escalations: &[Escalation]) -> StoreResult<()> {
        let mut tx = self.transaction().await?;
        for escalation in escalations {
            tx.put_escalation(escalation).await?;
        }
        tx.commit().await
    }

    /// Sets a raw setting, durably.
    async fn set_meta(&self, name: &str, value: &[u8]) -> StoreResult<()> {
        let mut tx = self.transaction().await?;
        tx.set_meta(name, value).await?;
        tx.commit().await
    }

    /// Creates or replaces children atomically and durably (tests, benchmarks, tools).
    async fn upsert_children(&self, children: &[Child]) -> StoreResult<UpsertCounts> {
        let mut counts = UpsertCounts::default();
        let mut tx = self.transaction().await?;
        let now = Utc::now();
        for child in children {
            match tx.put_child(child, ChildSource::Direct, now, now.date_naive()).await? {
                None => counts.unchanged += 1,
                Some(true) => counts.created += 1,
                Some(false) => counts.updated += 1,
            }
        }
        tx.commit().await?;
        Ok(counts)
    }

    /// Marks revisions written back, atomically and durably. Returns how many were newly
    /// marked (acknowledging twice marks once).
    async fn ack_exported(&self, revisions: &[(VisitId, u32)], at: DateTime<Utc>) -> StoreResult<usize> {
        let mut tx = self.transaction().await?;
        let mut marked = 0;
        for (id, revision) in revisions {
            if tx.mark_exported(*id, *revision, at).await? {
                marked += 1;
            }
        }
        tx.commit().await?;
        Ok(marked)
    }
}

/// A write transaction ([`Store::transaction`]). Its writes are applied together, atomically
/// and durably, by [`Transaction::commit`]; dropped uncommitted, it writes nothing. Reads made
/// through the store while it is open see the store as it was before the transaction.
#[async_trait]
pub trait Transaction: Send + Sync {
    /// Stores an account and its username index.
    async fn put_account(&mut self, account: &Account) -> StoreResult<()>;
    /// Stores a team.
    async fn put_team(&mut self, team: &Team) -> StoreResult<()>;
    /// Stores a device.
    async fn put_device(&mut self, device: &DeviceRecord) -> StoreResult<()>;
    /// Creates or replaces a child with its indexes and a feed entry, and, when an existing
    /// record changes, a [`ChildChange`] in the child's history. Returns whether anything
    /// changed (`None`: unchanged, `Some(true)`: created).
    ///
    /// The fields the service keeps itself (the latest reallocation and the household's safety
    /// warnings) are carried over from the stored record unless `source` is
    /// [`ChildSource::Service`]; a change of key worker records a reallocation dated `today`.
    async fn put_child(
        &mut self,
        child: &Child,
        source: ChildSource,
        at: DateTime<Utc>,
        today: NaiveDate,
    ) -> StoreResult<Option<bool>>;
    /// Stores a new visit revision with its child index and its review hold if any. The caller
    /// has checked that the revision is new, and adds the feed entry.
    async fn put_visit(&mut self, stored: &StoredVisit, team: Option<TeamId>) -> StoreResult<()>;
    /// [`Transaction::put_visit`] for each of `visits`, in order: a push's revisions, stored
    /// together so an engine may prepare them together. A revision's text as sent, when given,
    /// may be stored in place of the visit encoded again: the record reads back the same.
    async fn put_visits(&mut self, visits: &[NewVisit]) -> StoreResult<()> {
        for NewVisit { stored, team, sent: _ } in visits {
            self.put_visit(stored, *team).await?;
        }
        Ok(())
    }
    /// Records a conflict (both versions), found again by its content hash.
    async fn put_conflict(&mut self, conflict: &Conflict, content_hash: &str) -> StoreResult<()>;
    /// Records a manager's resolution of a held revision.
    async fn put_resolution(&mut self, resolution: &Resolution) -> StoreResult<()>;
    /// Records a conflict's resolution.
    async fn put_conflict_resolution(&mut self, resolution: &ConflictResolution) -> StoreResult<()>;
    /// Stores a cover assignment and tells the duty worker's devices through the feed.
    async fn put_cover(&mut self, cover: &CoverAssignment) -> StoreResult<()>;
    /// Stores an absence.
    async fn put_absence(&mut self, absence: &Absence) -> StoreResult<()>;
    /// Stores (creates or updates) an escalation with its dedup index and a feed entry; and
    /// into the webhook outbox when one is kept.
    async fn put_escalation(&mut self, escalation: &Escalation) -> StoreResult<()>;
    /// Stores a standing "seen alone" decision, with a feed entry for the child.
    async fn put_seen_alone_decision(&mut self, decision: &shared::SeenAloneDecision) -> StoreResult<()>;
    /// Appends a manager's early end to a standing "seen alone" decision, with a feed entry for
    /// the child. The decision itself is kept as recorded.
    async fn put_seen_alone_decision_end(
        &mut self,
        decision: &shared::SeenAloneDecision,
        end: &shared::SeenAloneDecisionEnd,
    ) -> StoreResult<()>;
    /// Stores a new meeting, with a feed entry for the child.
    async fn put_plan_meeting(&mut self, meeting: &shared::timeline::PlanMeeting) -> StoreResult<()>;
    /// Stores a new supervision record.
    async fn put_supervision(&mut self, supervision: &shared::timeline::Supervision) -> StoreResult<()>;
    /// Marks an agreed action done.
    async fn put_action_done(&mut self, done: &shared::timeline::ActionDone) -> StoreResult<()>;
    /// Stores a new significant event.
    async fn put_significant_event(&mut self, event: &SignificantEvent) -> StoreResult<()>;
    /// Stores a new safety warning as recorded.
    async fn put_safety_warning(&mut self, warning: &SafetyWarning) -> StoreResult<()>;
    /// Appends a safety warning's end.
    async fn put_safety_warning_end(
        &mut self,
        id: SafetyWarningId,
        end: &shared::household::SafetyWarningEnd,
    ) -> StoreResult<()>;
    /// Records that a visit revision names a photo.
    async fn put_blob_reference(&mut self, sha256: &str, reference: &BlobReference) -> StoreResult<()>;
    /// Marks a revision written back; `false` when it already was.
    async fn mark_exported(&mut self, id: VisitId, revision: u32, at: DateTime<Utc>) -> StoreResult<bool>;
    /// Appends an audit entry.
    async fn audit(&mut self, entry: &AuditEntry) -> StoreResult<()>;
    /// Sets a raw setting.
    async fn set_meta(&mut self, name: &str, value: &[u8]) -> StoreResult<()>;
    /// Appends a change-feed entry, numbered when committed.
    fn feed(&mut self, entry: FeedEntry);
    /// Whether nothing was written yet.
    fn is_empty(&self) -> bool;
    /// Applies every write atomically, numbering the feed entries in commit order, and makes
    /// them durable. Lets the next writer in.
    async fn commit(self: Box<Self>) -> StoreResult<()>;
}

/// The traits a caller needs in scope to use a `dyn Store`.
pub mod prelude {
    pub use super::{
        AccountReads, AuditReads, BlobReads, CaseReads, EscalationReads, ExportReads, FeedReads, RosterReads,
        Store, Transaction, VisitReads,
    };
}
