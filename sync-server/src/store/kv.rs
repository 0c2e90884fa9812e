//! The record layout every engine shares: one ordered key space, one key prefix per kind of
//! record, over an [`Engine`] (sled on disk, or a map in memory).
//!
//! **Why one key space.** sled applies a batch atomically, including across a crash, but only
//! within one tree. Keeping every kind of record in one tree under its own prefix means a push of
//! 500 visit revisions, with their indexes, review holds and change-feed entries, is one atomic
//! batch: after a crash either all of it is there or none of it is.
//!
//! **Ordering.** A [`KvTransaction`] holds the engine's writer lock from its opening to its
//! commit, so feed sequence numbers commit in order and a concurrent writer sees every earlier
//! one. The next sequence number is read from the last feed key under that lock, so it is right
//! for any number of processes sharing one engine. Flushing happens after the lock is released,
//! so concurrent writers share flushes; a commit returns only after its own flush.
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
//! | `child_history/` | child id + id | [`ChildChange`]: append-only, never rewritten |
//! | `kw/`, `tm/` | key worker or team id + child id | index |
//! | `visit/` | visit id + revision | [`StoredVisit`], never edited in place |
//! | `vcb/` | child id + a new UUIDv7 | the visits one commit stored for the child: visit id + revision, 20 bytes each |
//! | `vc/` | child id + visit id + revision | index, one key per revision: read, no longer written (see below) |
//! | `conf/`, `confk/` | conflict id; visit id + revision + content hash | [`Conflict`]; dedup |
//! | `review/` | visit id + revision | [`ReviewItem`] |
//! | `resolved/` | visit id + revision | [`Resolution`], append-only |
//! | `confres/` | conflict id | [`ConflictResolution`], append-only |
//! | `cover/`, `cd/`, `cc/` | cover id; duty worker + cover id; child + cover id | [`shared::CoverAssignment`]; indexes |
//! | `abs/`, `aw/` | absence id; worker + absence id | [`shared::Absence`]; index |
//! | `esc/`, `ek/` | escalation id; child id + dedup key | [`shared::Escalation`]; index |
//! | `sad/`, `sadend/` | child id + decision id | [`shared::SeenAloneDecision`] as recorded; its early end, appended |
//! | `pm/`, `sup/`, `ad/`, `sev/` | child id + id | meetings, supervision, actions done, significant events: appended |
//! | `sw/`, `swend/` | safety warning id | [`shared::SafetyWarning`] as recorded; its end, appended |
//! | `feed/` | sequence | [`FeedEntry`] |
//! | `pull/` | device id + id | [`PullState`] |
//! | `ack/` | visit id + revision | time written back centrally |
//! | `audit/` | id | [`AuditEntry`] |
//! | `hook/` | id | the [`shared::Escalation`] a webhook notice is owed for (the outbox) |
//! | `hookclaim/` | id | until when one deliverer holds that notice |
//! | `blob/` | sha256 hex | [`BlobRecord`] |
//! | `bh/` | sha256 hex + worker id | when the worker uploaded the photo's bytes |
//! | `bref/` | sha256 hex + visit id + revision | [`BlobReference`] |
//! | `login/` | SHA-256 of the limiter key + time (ms) + id | a failed sign-in's time |
//! | `meta/` | name | bytes |
//!
//! **The child's visits are indexed one key per child per commit** (`vcb/`), not one per visit.
//! An engine pays mostly per key written, not per byte: on sled, a 500-visit push wrote 1,000
//! keys and spent half its apply time on the 500 empty index keys. Stores written before this
//! hold one `vc/` key per revision; [`VisitReads::visits_of_child`] reads both, so they need no
//! migration.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;
use shared::clock::DEFAULT_TIME_ZONE;
use shared::household::SafetyWarningEnd;
use shared::{
    Absence, AbsenceId, Child, ChildId, CoverAssignment, CoverId, DeviceId, Escalation, EscalationId,
    SafetyWarning, SafetyWarningId, Team, TeamId, VisitId, WorkerId,
};
use uuid::Uuid;

use super::*;
use crate::significant_events::SignificantEvent;

/// Ordered writes to apply together: `None` removes the key.
pub(crate) type Batch = Vec<(Vec<u8>, Option<Vec<u8>>)>;

/// An ordered key-value engine: all the record layout needs.
pub(crate) trait Engine: Send + Sync + std::fmt::Debug + 'static {
    /// Held by one writer at a time, from a transaction's opening to its commit.
    type Lock: Send + Sync;
    /// One value.
    fn get(&self, key: &[u8]) -> impl Future<Output = StoreResult<Option<Vec<u8>>>> + Send;
    /// Several values, in the order of `keys`: one round trip where the engine is remote.
    fn get_many(&self, keys: &[Vec<u8>]) -> impl Future<Output = StoreResult<Vec<Option<Vec<u8>>>>> + Send {
        async move {
            let mut values = Vec::with_capacity(keys.len());
            for key in keys {
                values.push(self.get(key).await?);
            }
            Ok(values)
        }
    }
    /// Every record under a prefix, in key order.
    fn scan(&self, prefix: &[u8]) -> impl Future<Output = StoreResult<Vec<RawRecord>>> + Send;
    /// The last record under a prefix.
    fn last(&self, prefix: &[u8]) -> impl Future<Output = StoreResult<Option<RawRecord>>> + Send;
    /// At most `max` records from `from` on, while they are under `prefix`.
    fn range(
        &self,
        from: &[u8],
        prefix: &[u8],
        max: usize,
    ) -> impl Future<Output = StoreResult<Vec<RawRecord>>> + Send;
    /// Waits for the writer lock.
    fn lock(&self) -> impl Future<Output = StoreResult<Self::Lock>> + Send;
    /// Applies a batch atomically, under the lock.
    fn apply(&self, lock: &mut Self::Lock, batch: Batch) -> impl Future<Output = StoreResult<()>> + Send;
    /// Releases the lock (and commits, for an engine whose lock is a transaction).
    fn release(&self, lock: Self::Lock) -> impl Future<Output = StoreResult<()>> + Send;
    /// Makes everything applied so far durable.
    fn flush(&self) -> impl Future<Output = StoreResult<()>> + Send;
    /// Applies a batch atomically without the writer lock (single records nobody else writes
    /// in the same moment: pull states, views, blob records).
    fn write(&self, batch: Batch) -> impl Future<Output = StoreResult<()>> + Send;
    /// Replaces `key`'s value with `new` only if it is `old`.
    fn compare_and_swap(
        &self,
        key: &[u8],
        old: Option<Vec<u8>>,
        new: Vec<u8>,
    ) -> impl Future<Output = StoreResult<bool>> + Send;
    /// A new id, larger than every one handed out before by this engine.
    fn generate_id(&self) -> impl Future<Output = StoreResult<u64>> + Send;
}

/// Writes counted as they are made, and how many of them finished flushes have made durable:
/// a commit whose write a flush already covered returns without flushing again, so commits
/// arriving together share one disk sync (group commit).
#[derive(Debug, Default)]
pub(crate) struct FlushTickets {
    written: AtomicU64,
    durable: AtomicU64,
}

impl FlushTickets {
    /// Counts a write, once it is applied (or committed).
    pub(crate) fn wrote(&self) {
        self.written.fetch_add(1, Ordering::SeqCst);
    }

    /// The writes counted so far: a flush that starts after this call covers them all.
    pub(crate) fn written(&self) -> u64 {
        self.written.load(Ordering::SeqCst)
    }

    /// Whether finished flushes have covered the first `ticket` writes.
    pub(crate) fn covers(&self, ticket: u64) -> bool {
        self.durable.load(Ordering::SeqCst) >= ticket
    }

    /// A flush that started after [`FlushTickets::written`] answered `ticket` has finished.
    pub(crate) fn flushed(&self, ticket: u64) {
        self.durable.fetch_max(ticket, Ordering::SeqCst);
    }
}

/// Builds a key from a prefix and parts.
pub(crate) fn key(prefix: &str, parts: &[&[u8]]) -> Vec<u8> {
    let mut key = Vec::with_capacity(prefix.len() + parts.iter().map(|p| p.len()).sum::<usize>());
    key.extend_from_slice(prefix.as_bytes());
    for part in parts {
        key.extend_from_slice(part);
    }
    key
}

/// The first key after every key starting with `prefix` (`None`: no bound): the exclusive
/// end of a prefix scan, for engines that scan by range.
pub(crate) fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < u8::MAX {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

fn visit_key(prefix: &str, id: VisitId, revision: u32) -> Vec<u8> {
    key(prefix, &[id.as_bytes(), &revision.to_be_bytes()])
}

fn id16(bytes: &[u8]) -> Option<[u8; 16]> {
    bytes.get(..16).and_then(|b| b.try_into().ok())
}

/// A visit id and revision from the 20 bytes an index holds for them.
fn visit_revision(bytes: &[u8]) -> Option<([u8; 16], u32)> {
    let revision = bytes.get(16..20)?.try_into().ok()?;
    Some((id16(bytes)?, u32::from_be_bytes(revision)))
}

/// The prefix of a sign-in limiter key's failures: its SHA-256, so no username or address is
/// kept in the clear.
fn login_prefix(limiter_key: &str) -> Vec<u8> {
    use sha2::Digest;
    key("login/", &[&sha2::Sha256::digest(limiter_key.as_bytes())])
}

/// A time as big-endian milliseconds since 1970 (so keys sort by time; times before 1970 are
/// taken as 1970).
fn millis(at: DateTime<Utc>) -> [u8; 8] {
    u64::try_from(at.timestamp_millis()).unwrap_or(0).to_be_bytes()
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

/// The meta record holding [`KvStore::id_floor`].
const ID_FLOOR: &str = "id-floor";
/// Whether `key` is the store's own bookkeeping rather than a record: the id floor, which a
/// restore sets anew for the store it restores into.
pub(crate) fn is_bookkeeping(k: &[u8]) -> bool {
    k.strip_prefix(b"meta/".as_slice()) == Some(ID_FLOOR.as_bytes())
}

/// Prefixes whose keys end in an id from [`KvStore::fresh_id`] (after `skip` bytes).
const ID_KEYED: [(&str, usize); 4] = [("audit/", 0), ("child_history/", 16), ("pull/", 16), ("hook/", 0)];

/// The record layout over an engine.
#[derive(Debug)]
pub(crate) struct KvStore<E: Engine> {
    engine: E,
    /// Added to the engine's id generator: above every id a restored backup holds (0
    /// otherwise), as a restored store's generator starts again from 0.
    id_floor: AtomicU64,
    /// Whether every escalation written also goes into the webhook outbox.
    webhook_outbox: AtomicBool,
    /// The authority's zone, in which the history of an escalation stored before histories
    /// were kept is dated as it is read.
    time_zone: Mutex<Tz>,
}

impl<E: Engine> KvStore<E> {
    pub(crate) fn new(engine: E) -> StoreResult<KvStore<E>> {
        // Opening is synchronous for the embedded engines; their futures complete at once.
        futures::executor::block_on(KvStore::open(engine))
    }

    /// Opens the layout over an engine whose reads wait on I/O (PostgreSQL).
    pub(crate) async fn open(engine: E) -> StoreResult<KvStore<E>> {
        let floor = engine.get(&key("meta/", &[ID_FLOOR.as_bytes()])).await?;
        let id_floor = floor.and_then(|b| b.as_slice().try_into().ok()).map(u64::from_be_bytes).unwrap_or(0);
        Ok(KvStore {
            engine,
            id_floor: AtomicU64::new(id_floor),
            webhook_outbox: AtomicBool::new(false),
            time_zone: Mutex::new(DEFAULT_TIME_ZONE),
        })
    }

    /// The zone set by [`Store::date_histories_in`].
    fn time_zone(&self) -> Tz {
        *self.time_zone.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A new id, larger than every id handed out before by this store or by the store a backup
    /// restored here came from: audit entries, child-history entries, pull states and outbox
    /// notices are keyed by it, so that they sort in the order written and never overwrite one
    /// another.
    async fn fresh_id(&self) -> StoreResult<u64> {
        Ok(self.engine.generate_id().await?.saturating_add(self.id_floor.load(Ordering::SeqCst)))
    }

    async fn get<T: DeserializeOwned>(&self, key: &[u8]) -> StoreResult<Option<T>> {
        match self.engine.get(key).await? {
            Some(bytes) => decode(key, &bytes).map(Some),
            None => Ok(None),
        }
    }

    async fn scan<T: DeserializeOwned>(&self, prefix: &[u8]) -> StoreResult<Vec<T>> {
        self.engine.scan(prefix).await?.iter().map(|(k, v)| decode(k, v)).collect()
    }

    /// The 16-byte ids found after `prefix` in index keys.
    async fn scan_ids(&self, prefix: &[u8]) -> StoreResult<Vec<[u8; 16]>> {
        Ok(self.engine.scan(prefix).await?.iter().filter_map(|(k, _)| id16(&k[prefix.len()..])).collect())
    }

    async fn id_at(&self, key: &[u8]) -> StoreResult<Option<[u8; 16]>> {
        Ok(self.engine.get(key).await?.as_deref().and_then(id16))
    }
}

/// A transaction over a [`KvStore`]: the writer lock, and the writes gathered.
pub(crate) struct KvTransaction<'a, E: Engine> {
    store: &'a KvStore<E>,
    lock: E::Lock,
    batch: Batch,
    feed: Vec<FeedEntry>,
    changed_children: Vec<ChildId>,
    /// The revisions stored per child, written at commit as one `vcb/` key each.
    child_visits: BTreeMap<ChildId, Vec<u8>>,
}

impl<E: Engine> std::fmt::Debug for KvTransaction<'_, E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KvTransaction").field("writes", &self.batch.len()).finish()
    }
}

impl<E: Engine> KvTransaction<'_, E> {
    fn put<T: Serialize>(&mut self, key: Vec<u8>, value: &T) -> StoreResult<()> {
        self.batch.push((key, Some(encode(value)?)));
        Ok(())
    }

    /// Stores a visit revision already encoded, with its child index and its review hold.
    fn put_encoded_visit(
        &mut self,
        stored: &StoredVisit,
        encoded: Vec<u8>,
        team: Option<TeamId>,
    ) -> StoreResult<()> {
        let v = &stored.visit;
        self.batch.push((visit_key("visit/", v.id, v.revision), Some(encoded)));
        let index = self.child_visits.entry(v.child_id).or_default();
        index.extend_from_slice(v.id.as_bytes());
        index.extend_from_slice(&v.revision.to_be_bytes());
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
            self.put(visit_key("review/", v.id, v.revision), &item)?;
        }
        Ok(())
    }

    fn put_raw(&mut self, key: Vec<u8>, value: &[u8]) {
        self.batch.push((key, Some(value.to_vec())));
    }

    fn remove(&mut self, key: Vec<u8>) {
        self.batch.push((key, None));
    }
}

#[async_trait]
impl<E: Engine> Transaction for KvTransaction<'_, E> {
    async fn put_account(&mut self, account: &Account) -> StoreResult<()> {
        if let Some(old) = self.store.account(account.worker.id).await?
            && old.username.to_lowercase() != account.username.to_lowercase()
        {
            self.remove(key("user/", &[old.username.to_lowercase().as_bytes()]));
        }
        self.put(key("acct/", &[account.worker.id.as_bytes()]), account)?;
        self.put_raw(
            key("user/", &[account.username.trim().to_lowercase().as_bytes()]),
            account.worker.id.as_bytes(),
        );
        Ok(())
    }

    async fn put_team(&mut self, team: &Team) -> StoreResult<()> {
        self.put(key("team/", &[team.id.as_bytes()]), team)
    }

    async fn put_device(&mut self, device: &DeviceRecord) -> StoreResult<()> {
        self.put(key("dev/", &[device.id.as_bytes()]), device)
    }

    async fn put_child(
        &mut self,
        child: &Child,
        source: ChildSource,
        at: DateTime<Utc>,
        today: NaiveDate,
    ) -> StoreResult<Option<bool>> {
        let child_key = key("child/", &[child.id.as_bytes()]);
        let old_bytes = self.store.engine.get(&child_key).await?;
        let mut new_bytes = encode(child)?;
        // Compare the stored bytes first: an unchanged record (most of an incremental import)
        // costs no decoding.
        if old_bytes.as_deref() == Some(new_bytes.as_slice()) {
            return Ok(None);
        }
        let old: Option<Child> = old_bytes.as_deref().map(|b| decode(&child_key, b)).transpose()?;
        // The service's own fields are carried over from the stored record (and a change of key
        // worker recorded).
        let kept;
        let child = match &old {
            Some(stored)
                if source != ChildSource::Service
                    && shared::household::has_service_fields_to_keep(stored, child) =>
            {
                let earlier: Vec<Child> = (self.store.child_history(child.id).await?.into_iter())
                    .flat_map(|c| [c.before, c.after])
                    .collect();
                kept = shared::household::keep_service_fields(child, Some(stored), today, &earlier);
                new_bytes = encode(&kept)?;
                &kept
            }
            _ => child,
        };
        if old.as_ref() == Some(child) {
            return Ok(None);
        }
        let old_keys = old.as_ref().and_then(|o| o.plan.as_ref()).map(|p| (p.key_worker, p.team));
        let new_keys = child.plan.as_ref().map(|p| (p.key_worker, p.team));
        if old_keys != new_keys {
            if let Some((key_worker, team)) = old_keys {
                self.remove(key("kw/", &[key_worker.as_bytes(), child.id.as_bytes()]));
                self.remove(key("tm/", &[team.as_bytes(), child.id.as_bytes()]));
            }
            if let Some((key_worker, team)) = new_keys {
                self.put_raw(key("kw/", &[key_worker.as_bytes(), child.id.as_bytes()]), &[]);
                self.put_raw(key("tm/", &[team.as_bytes(), child.id.as_bytes()]), &[]);
            }
        }
        if old.as_ref().map(|o| o.central_id.as_str()) != Some(child.central_id.as_str()) {
            if let Some(old) = &old {
                self.remove(key("cid/", &[old.central_id.as_bytes()]));
            }
            if child.id != shared::ids::child_id_for(&child.central_id) {
                self.put_raw(key("cid/", &[child.central_id.as_bytes()]), child.id.as_bytes());
            }
        }
        self.batch.push((child_key, Some(new_bytes)));
        self.changed_children.push(child.id);
        let created = old.is_none();
        if let Some(before) = old {
            // Fresh ids are unique and increase, so history keys sort in the order written.
            let seq = self.store.fresh_id().await?;
            let change = ChildChange { recorded_at: at, source, before, after: child.clone() };
            self.put(key("child_history/", &[child.id.as_bytes(), &seq.to_be_bytes()]), &change)?;
        }
        Ok(Some(created))
    }

    async fn put_visit(&mut self, stored: &StoredVisit, team: Option<TeamId>) -> StoreResult<()> {
        let encoded = encode(stored)?;
        self.put_encoded_visit(stored, encoded, team)
    }

    async fn put_visits(&mut self, visits: &[NewVisit]) -> StoreResult<()> {
        // A revision pushed over HTTP is stored around its text as sent, not encoded again
        // (about 3% of a large push's time over HTTP). Any other is encoded. On two threads.
        let encoded = crate::halves::in_halves(visits, |part| {
            part.iter()
                .map(|new| match &new.sent {
                    Some(sent) => new.stored.json_around(sent).map_err(|e| StoreError::Encode(e.to_string())),
                    None => encode(&new.stored),
                })
                .collect::<StoreResult<Vec<_>>>()
        })?;
        for (NewVisit { stored, team, .. }, encoded) in visits.iter().zip(encoded) {
            self.put_encoded_visit(stored, encoded, *team)?;
        }
        Ok(())
    }

    async fn put_conflict(&mut self, conflict: &Conflict, content_hash: &str) -> StoreResult<()> {
        self.put(key("conf/", &[conflict.id.as_bytes()]), conflict)?;
        self.put_raw(
            key(
                "confk/",
                &[conflict.visit_id.as_bytes(), &conflict.revision.to_be_bytes(), content_hash.as_bytes()],
            ),
            conflict.id.as_bytes(),
        );
        Ok(())
    }

    async fn put_resolution(&mut self, resolution: &Resolution) -> StoreResult<()> {
        self.put(visit_key("resolved/", resolution.visit_id, resolution.revision), resolution)
    }

    async fn put_conflict_resolution(&mut self, resolution: &ConflictResolution) -> StoreResult<()> {
        self.put(key("confres/", &[resolution.conflict_id.as_bytes()]), resolution)
    }

    async fn put_cover(&mut self, cover: &CoverAssignment) -> StoreResult<()> {
        if let Some(old) = self.store.cover(cover.id).await?
            && old.duty_worker != cover.duty_worker
        {
            self.remove(key("cd/", &[old.duty_worker.as_bytes(), old.id.as_bytes()]));
        }
        self.put(key("cover/", &[cover.id.as_bytes()]), cover)?;
        self.put_raw(key("cd/", &[cover.duty_worker.as_bytes(), cover.id.as_bytes()]), &[]);
        self.put_raw(key("cc/", &[cover.child_id.as_bytes(), cover.id.as_bytes()]), &[]);
        self.feed.push(FeedEntry::Cover {
            cover_id: cover.id,
            child_id: cover.child_id,
            duty_worker: cover.duty_worker,
        });
        Ok(())
    }

    async fn put_absence(&mut self, absence: &Absence) -> StoreResult<()> {
        self.put(key("abs/", &[absence.id.as_bytes()]), absence)?;
        self.put_raw(key("aw/", &[absence.worker_id.as_bytes(), absence.id.as_bytes()]), &[]);
        Ok(())
    }

    async fn put_escalation(&mut self, escalation: &Escalation) -> StoreResult<()> {
        self.put(key("esc/", &[escalation.id.as_bytes()]), escalation)?;
        self.put_raw(
            key("ek/", &[escalation.child_id.as_bytes(), escalation.reason.dedup_key().as_bytes()]),
            escalation.id.as_bytes(),
        );
        self.feed.push(FeedEntry::Escalation { escalation_id: escalation.id, child_id: escalation.child_id });
        if self.store.webhook_outbox.load(Ordering::Relaxed) {
            let id = self.store.fresh_id().await?;
            self.put(key("hook/", &[&id.to_be_bytes()]), escalation)?;
        }
        Ok(())
    }

    async fn put_seen_alone_decision(&mut self, decision: &shared::SeenAloneDecision) -> StoreResult<()> {
        self.put(key("sad/", &[decision.child_id.as_bytes(), decision.id.as_bytes()]), decision)?;
        self.feed.push(FeedEntry::Child { child_id: decision.child_id });
        Ok(())
    }

    async fn put_seen_alone_decision_end(
        &mut self,
        decision: &shared::SeenAloneDecision,
        end: &shared::SeenAloneDecisionEnd,
    ) -> StoreResult<()> {
        self.put(key("sadend/", &[decision.child_id.as_bytes(), decision.id.as_bytes()]), end)?;
        self.feed.push(FeedEntry::Child { child_id: decision.child_id });
        Ok(())
    }

    async fn put_plan_meeting(&mut self, meeting: &shared::timeline::PlanMeeting) -> StoreResult<()> {
        self.put(key("pm/", &[meeting.child_id.as_bytes(), meeting.id.as_bytes()]), meeting)?;
        self.feed.push(FeedEntry::Child { child_id: meeting.child_id });
        Ok(())
    }

    async fn put_supervision(&mut self, supervision: &shared::timeline::Supervision) -> StoreResult<()> {
        self.put(key("sup/", &[supervision.child_id.as_bytes(), supervision.id.as_bytes()]), supervision)
    }

    async fn put_action_done(&mut self, done: &shared::timeline::ActionDone) -> StoreResult<()> {
        self.put(key("ad/", &[done.child_id.as_bytes(), done.action_id.as_bytes()]), done)
    }

    async fn put_significant_event(&mut self, event: &SignificantEvent) -> StoreResult<()> {
        self.put(key("sev/", &[event.child_id.as_bytes(), event.id.as_bytes()]), event)
    }

    async fn put_safety_warning(&mut self, warning: &SafetyWarning) -> StoreResult<()> {
        self.put(key("sw/", &[warning.id.as_bytes()]), warning)
    }

    async fn put_safety_warning_end(
        &mut self,
        id: SafetyWarningId,
        end: &SafetyWarningEnd,
    ) -> StoreResult<()> {
        self.put(key("swend/", &[id.as_bytes()]), end)
    }

    async fn put_blob_reference(&mut self, sha256: &str, reference: &BlobReference) -> StoreResult<()> {
        self.put(
            key(
                "bref/",
                &[sha256.as_bytes(), reference.visit_id.as_bytes(), &reference.revision.to_be_bytes()],
            ),
            reference,
        )
    }

    async fn mark_exported(&mut self, id: VisitId, revision: u32, at: DateTime<Utc>) -> StoreResult<bool> {
        let k = visit_key("ack/", id, revision);
        if self.store.engine.get(&k).await?.is_some() || self.batch.iter().any(|(b, _)| *b == k) {
            return Ok(false);
        }
        self.put(k, &at)?;
        Ok(true)
    }

    async fn audit(&mut self, entry: &AuditEntry) -> StoreResult<()> {
        let seq = self.store.fresh_id().await?;
        self.put(key("audit/", &[&seq.to_be_bytes()]), entry)
    }

    async fn set_meta(&mut self, name: &str, value: &[u8]) -> StoreResult<()> {
        self.put_raw(key("meta/", &[name.as_bytes()]), value);
        Ok(())
    }

    fn feed(&mut self, entry: FeedEntry) {
        self.feed.push(entry);
    }

    fn is_empty(&self) -> bool {
        self.batch.is_empty()
            && self.feed.is_empty()
            && self.changed_children.is_empty()
            && self.child_visits.is_empty()
    }

    async fn commit(self: Box<Self>) -> StoreResult<()> {
        let empty = self.is_empty();
        let KvTransaction { store, mut lock, mut batch, mut feed, changed_children, child_visits } = *self;
        if empty {
            return store.engine.release(lock).await;
        }
        for (child, revisions) in child_visits {
            batch.push((key("vcb/", &[child.as_bytes(), Uuid::now_v7().as_bytes()]), Some(revisions)));
        }
        for chunk in changed_children.chunks(CHILDREN_PER_FEED_ENTRY) {
            feed.push(FeedEntry::Children { child_ids: chunk.to_vec() });
        }
        if !feed.is_empty() {
            // Numbered under the lock, from the last entry committed: in commit order, no gaps.
            let mut seq = match store.engine.last(b"feed/").await? {
                Some((k, _)) => seq_from_key(&k[5..]) + 1,
                None => 1,
            };
            for entry in &feed {
                batch.push((key("feed/", &[&seq.to_be_bytes()]), Some(encode(entry)?)));
                seq += 1;
            }
        }
        store.engine.apply(&mut lock, batch).await?;
        store.engine.release(lock).await?;
        store.engine.flush().await
    }
}

#[async_trait]
impl<E: Engine> AccountReads for KvStore<E> {
    async fn account(&self, id: WorkerId) -> StoreResult<Option<Account>> {
        self.get(&key("acct/", &[id.as_bytes()])).await
    }

    async fn account_by_username(&self, username: &str) -> StoreResult<Option<Account>> {
        match self.id_at(&key("user/", &[username.trim().to_lowercase().as_bytes()])).await? {
            Some(id) => self.account(WorkerId::from_bytes(id)).await,
            None => Ok(None),
        }
    }

    async fn accounts(&self) -> StoreResult<Vec<Account>> {
        self.scan(b"acct/").await
    }

    async fn team(&self, id: TeamId) -> StoreResult<Option<Team>> {
        self.get(&key("team/", &[id.as_bytes()])).await
    }

    async fn teams(&self) -> StoreResult<Vec<Team>> {
        self.scan(b"team/").await
    }

    async fn device(&self, id: DeviceId) -> StoreResult<Option<DeviceRecord>> {
        self.get(&key("dev/", &[id.as_bytes()])).await
    }

    async fn devices_of(&self, worker: WorkerId) -> StoreResult<Vec<DeviceRecord>> {
        Ok(self.scan::<DeviceRecord>(b"dev/").await?.into_iter().filter(|d| d.worker_id == worker).collect())
    }

    async fn login_failures(&self, key: &str, since: DateTime<Utc>) -> StoreResult<Vec<DateTime<Utc>>> {
        let prefix = login_prefix(key);
        let from = [prefix.as_slice(), &millis(since)].concat();
        let mut out = Vec::new();
        for (k, v) in self.engine.range(&from, &prefix, usize::MAX).await? {
            out.push(decode(&k, &v)?);
        }
        Ok(out)
    }
}

#[async_trait]
impl<E: Engine> CaseReads for KvStore<E> {
    async fn child(&self, id: ChildId) -> StoreResult<Option<Child>> {
        self.get(&key("child/", &[id.as_bytes()])).await
    }

    /// Children made by the import have ids derived from their central ids
    /// ([`shared::ids::child_id_for`]); only children whose id is not derived have an entry in
    /// the `cid/` index. That saves one key per child on a large import.
    async fn child_id_by_central_id(&self, central_id: &str) -> StoreResult<Option<ChildId>> {
        if let Some(id) = self.id_at(&key("cid/", &[central_id.as_bytes()])).await? {
            return Ok(Some(ChildId::from_bytes(id)));
        }
        let derived = shared::ids::child_id_for(central_id);
        Ok(self.engine.get(&key("child/", &[derived.as_bytes()])).await?.is_some().then_some(derived))
    }

    async fn children_of_key_worker(&self, worker: WorkerId) -> StoreResult<Vec<ChildId>> {
        Ok(self
            .scan_ids(&key("kw/", &[worker.as_bytes()]))
            .await?
            .into_iter()
            .map(ChildId::from_bytes)
            .collect())
    }

    async fn children_of_team(&self, team: TeamId) -> StoreResult<Vec<ChildId>> {
        Ok(self
            .scan_ids(&key("tm/", &[team.as_bytes()]))
            .await?
            .into_iter()
            .map(ChildId::from_bytes)
            .collect())
    }

    async fn all_child_ids(&self) -> StoreResult<Vec<ChildId>> {
        Ok(self.scan_ids(b"child/").await?.into_iter().map(ChildId::from_bytes).collect())
    }

    async fn all_children(&self) -> StoreResult<Vec<Child>> {
        self.scan(b"child/").await
    }

    async fn child_history(&self, child: ChildId) -> StoreResult<Vec<ChildChange>> {
        self.scan(&key("child_history/", &[child.as_bytes()])).await
    }

    async fn seen_alone_decisions(&self, child: ChildId) -> StoreResult<Vec<shared::SeenAloneDecision>> {
        let mut decisions: Vec<shared::SeenAloneDecision> =
            self.scan(&key("sad/", &[child.as_bytes()])).await?;
        let ends = key("sadend/", &[child.as_bytes()]);
        for (k, v) in self.engine.scan(&ends).await? {
            let end: shared::SeenAloneDecisionEnd = decode(&k, &v)?;
            let id = id16(&k[ends.len()..]);
            if let Some(decision) = decisions.iter_mut().find(|d| Some(d.id.as_bytes()) == id.as_ref()) {
                decision.ended = Some(end);
            }
        }
        Ok(decisions)
    }

    async fn plan_meetings(&self, child: ChildId) -> StoreResult<Vec<shared::timeline::PlanMeeting>> {
        self.scan(&key("pm/", &[child.as_bytes()])).await
    }

    async fn supervisions(&self, child: ChildId) -> StoreResult<Vec<shared::timeline::Supervision>> {
        self.scan(&key("sup/", &[child.as_bytes()])).await
    }

    async fn actions_done(&self, child: ChildId) -> StoreResult<Vec<shared::timeline::ActionDone>> {
        self.scan(&key("ad/", &[child.as_bytes()])).await
    }

    async fn significant_events(&self, child: ChildId) -> StoreResult<Vec<SignificantEvent>> {
        self.scan(&key("sev/", &[child.as_bytes()])).await
    }

    async fn safety_warnings(&self) -> StoreResult<Vec<SafetyWarning>> {
        self.scan(b"sw/").await
    }

    async fn safety_warning(&self, id: SafetyWarningId) -> StoreResult<Option<SafetyWarning>> {
        self.get(&key("sw/", &[id.as_bytes()])).await
    }

    async fn safety_warning_end(&self, id: SafetyWarningId) -> StoreResult<Option<SafetyWarningEnd>> {
        self.get(&key("swend/", &[id.as_bytes()])).await
    }
}

#[async_trait]
impl<E: Engine> VisitReads for KvStore<E> {
    async fn visit(&self, id: VisitId, revision: u32) -> StoreResult<Option<StoredVisit>> {
        self.get(&visit_key("visit/", id, revision)).await
    }

    async fn visit_revisions(&self, id: VisitId) -> StoreResult<Vec<StoredVisit>> {
        self.scan(&key("visit/", &[id.as_bytes()])).await
    }

    async fn latest_revision(&self, id: VisitId) -> StoreResult<Option<StoredVisit>> {
        match self.engine.last(&key("visit/", &[id.as_bytes()])).await? {
            Some((k, v)) => decode(&k, &v).map(Some),
            None => Ok(None),
        }
    }

    async fn visits_at(&self, revisions: &[(VisitId, u32)]) -> StoreResult<Vec<Option<StoredVisit>>> {
        let keys: Vec<Vec<u8>> = revisions.iter().map(|(id, rev)| visit_key("visit/", *id, *rev)).collect();
        let values = self.engine.get_many(&keys).await?;
        keys.iter().zip(values).map(|(k, v)| v.map(|v| decode(k, &v)).transpose()).collect()
    }

    async fn visits_of_child(&self, child: ChildId) -> StoreResult<Vec<StoredVisit>> {
        // Each revision once, in visit id then revision order, whichever index named it.
        let mut revisions = BTreeSet::new();
        let by_commit = key("vcb/", &[child.as_bytes()]);
        for (_, entries) in self.engine.scan(&by_commit).await? {
            revisions.extend(entries.chunks_exact(20).filter_map(visit_revision));
        }
        let by_revision = key("vc/", &[child.as_bytes()]);
        for (k, _) in self.engine.scan(&by_revision).await? {
            revisions.extend(k.get(by_revision.len()..).and_then(visit_revision));
        }
        let revisions: Vec<(VisitId, u32)> =
            revisions.into_iter().map(|(id, rev)| (VisitId::from_bytes(id), rev)).collect();
        Ok(self.visits_at(&revisions).await?.into_iter().flatten().collect())
    }

    async fn all_visits(&self) -> StoreResult<Vec<StoredVisit>> {
        self.scan(b"visit/").await
    }

    async fn conflict_by_content(
        &self,
        id: VisitId,
        revision: u32,
        content_hash: &str,
    ) -> StoreResult<Option<Conflict>> {
        let index = key("confk/", &[id.as_bytes(), &revision.to_be_bytes(), content_hash.as_bytes()]);
        match self.id_at(&index).await? {
            Some(conflict) => self.get(&key("conf/", &[&conflict])).await,
            None => Ok(None),
        }
    }

    async fn conflict(&self, id: Uuid) -> StoreResult<Option<Conflict>> {
        self.get(&key("conf/", &[id.as_bytes()])).await
    }

    async fn conflicts(&self) -> StoreResult<Vec<Conflict>> {
        self.scan(b"conf/").await
    }

    async fn conflict_resolution(&self, id: Uuid) -> StoreResult<Option<ConflictResolution>> {
        self.get(&key("confres/", &[id.as_bytes()])).await
    }

    async fn review_items(&self) -> StoreResult<Vec<ReviewItem>> {
        self.scan(b"review/").await
    }

    async fn review_item(&self, id: VisitId, revision: u32) -> StoreResult<Option<ReviewItem>> {
        self.get(&visit_key("review/", id, revision)).await
    }

    async fn resolution(&self, id: VisitId, revision: u32) -> StoreResult<Option<Resolution>> {
        self.get(&visit_key("resolved/", id, revision)).await
    }
}

#[async_trait]
impl<E: Engine> RosterReads for KvStore<E> {
    async fn cover(&self, id: CoverId) -> StoreResult<Option<CoverAssignment>> {
        self.get(&key("cover/", &[id.as_bytes()])).await
    }

    async fn covers_for_duty_worker(&self, worker: WorkerId) -> StoreResult<Vec<CoverAssignment>> {
        let mut out = Vec::new();
        for id in self.scan_ids(&key("cd/", &[worker.as_bytes()])).await? {
            if let Some(cover) = self.cover(CoverId::from_bytes(id)).await? {
                out.push(cover);
            }
        }
        Ok(out)
    }

    async fn covers_for_child(&self, child: ChildId) -> StoreResult<Vec<CoverAssignment>> {
        let mut out = Vec::new();
        for id in self.scan_ids(&key("cc/", &[child.as_bytes()])).await? {
            if let Some(cover) = self.cover(CoverId::from_bytes(id)).await? {
                out.push(cover);
            }
        }
        Ok(out)
    }

    async fn covers(&self) -> StoreResult<Vec<CoverAssignment>> {
        self.scan(b"cover/").await
    }

    async fn absence(&self, id: AbsenceId) -> StoreResult<Option<Absence>> {
        self.get(&key("abs/", &[id.as_bytes()])).await
    }

    async fn absences_of(&self, worker: WorkerId) -> StoreResult<Vec<Absence>> {
        let mut out = Vec::new();
        for id in self.scan_ids(&key("aw/", &[worker.as_bytes()])).await? {
            if let Some(absence) = self.absence(AbsenceId::from_bytes(id)).await? {
                out.push(absence);
            }
        }
        Ok(out)
    }

    async fn absences(&self) -> StoreResult<Vec<Absence>> {
        self.scan(b"abs/").await
    }
}

#[async_trait]
impl<E: Engine> EscalationReads for KvStore<E> {
    async fn escalation(&self, id: EscalationId) -> StoreResult<Option<Escalation>> {
        let zone = self.time_zone();
        Ok(self.get::<Escalation>(&key("esc/", &[id.as_bytes()])).await?.map(|e| e.with_history(zone)))
    }

    async fn escalations(&self) -> StoreResult<Vec<Escalation>> {
        let zone = self.time_zone();
        Ok(self.scan::<Escalation>(b"esc/").await?.into_iter().map(|e| e.with_history(zone)).collect())
    }

    /// An escalation re-assessed for a new due date is indexed under both keys: each is
    /// answered once.
    async fn escalations_for_child(&self, child: ChildId) -> StoreResult<Vec<Escalation>> {
        let prefix = key("ek/", &[child.as_bytes()]);
        let mut out: Vec<Escalation> = Vec::new();
        for (_, v) in self.engine.scan(&prefix).await? {
            if let Some(id) = id16(&v)
                && !out.iter().any(|e| e.id.as_bytes() == &id)
                && let Some(escalation) = self.escalation(EscalationId::from_bytes(id)).await?
            {
                out.push(escalation);
            }
        }
        Ok(out)
    }

    async fn escalation_by_dedup(&self, child: ChildId, dedup_key: &str) -> StoreResult<Option<Escalation>> {
        match self.id_at(&key("ek/", &[child.as_bytes(), dedup_key.as_bytes()])).await? {
            Some(id) => self.escalation(EscalationId::from_bytes(id)).await,
            None => Ok(None),
        }
    }

    async fn pending_webhooks(&self, max: usize) -> StoreResult<Vec<(OutboxId, Escalation)>> {
        let records = self.engine.range(b"hook/", b"hook/", max).await?;
        records.iter().map(|(k, v)| Ok((OutboxId(seq_from_key(&k[5..])), decode(k, v)?))).collect()
    }
}

#[async_trait]
impl<E: Engine> FeedReads for KvStore<E> {
    async fn feed_since(&self, after: u64, max: usize) -> StoreResult<Vec<(u64, FeedEntry)>> {
        let start = key("feed/", &[&(after.saturating_add(1)).to_be_bytes()]);
        let records = self.engine.range(&start, b"feed/", max).await?;
        records.iter().map(|(k, v)| Ok((seq_from_key(&k[5..]), decode(k, v)?))).collect()
    }

    async fn feed_head(&self) -> StoreResult<u64> {
        Ok(self.engine.last(b"feed/").await?.map_or(0, |(k, _)| seq_from_key(&k[5..])))
    }

    async fn pull_state(&self, device: DeviceId, state_id: u64) -> StoreResult<Option<PullState>> {
        self.get(&key("pull/", &[device.as_bytes(), &state_id.to_be_bytes()])).await
    }
}

#[async_trait]
impl<E: Engine> ExportReads for KvStore<E> {
    async fn is_exported(&self, id: VisitId, revision: u32) -> StoreResult<bool> {
        Ok(self.engine.get(&visit_key("ack/", id, revision)).await?.is_some())
    }
}

#[async_trait]
impl<E: Engine> AuditReads for KvStore<E> {
    async fn audit(&self, child: Option<ChildId>) -> StoreResult<Vec<AuditEntry>> {
        let all: Vec<AuditEntry> = self.scan(b"audit/").await?;
        Ok(match child {
            Some(child) => all.into_iter().filter(|e| e.child_id == Some(child)).collect(),
            None => all,
        })
    }
}

#[async_trait]
impl<E: Engine> BlobReads for KvStore<E> {
    async fn blob(&self, sha256: &str) -> StoreResult<Option<BlobRecord>> {
        self.get(&key("blob/", &[sha256.as_bytes()])).await
    }

    async fn blob_holder_since(&self, sha256: &str, worker: WorkerId) -> StoreResult<Option<DateTime<Utc>>> {
        self.get(&key("bh/", &[sha256.as_bytes(), worker.as_bytes()])).await
    }

    async fn blob_references(&self, sha256: &str) -> StoreResult<Vec<BlobReference>> {
        self.scan(&key("bref/", &[sha256.as_bytes()])).await
    }
}

#[async_trait]
impl<E: Engine> Store for KvStore<E> {
    async fn transaction(&self) -> StoreResult<Box<dyn Transaction + '_>> {
        let lock = self.engine.lock().await?;
        Ok(Box::new(KvTransaction {
            store: self,
            lock,
            batch: Vec::new(),
            feed: Vec::new(),
            changed_children: Vec::new(),
            child_visits: BTreeMap::new(),
        }))
    }

    async fn flush(&self) -> StoreResult<()> {
        self.engine.flush().await
    }

    async fn is_ready(&self) -> bool {
        self.engine.get(b"meta/ready-probe").await.is_ok()
    }

    async fn is_empty(&self) -> StoreResult<bool> {
        Ok(self.engine.range(b"", b"", 1).await?.is_empty())
    }

    async fn meta(&self, name: &str) -> StoreResult<Option<Vec<u8>>> {
        self.engine.get(&key("meta/", &[name.as_bytes()])).await
    }

    fn keep_webhook_outbox(&self, on: bool) {
        self.webhook_outbox.store(on, Ordering::Relaxed);
    }

    fn date_histories_in(&self, time_zone: Tz) {
        *self.time_zone.lock().unwrap_or_else(PoisonError::into_inner) = time_zone;
    }

    async fn webhook_done(&self, id: OutboxId) -> StoreResult<()> {
        // Under the writer lock, like a claim: otherwise a claim could find the notice still
        // in the outbox, then its claim already gone, and send it again.
        let id = id.0.to_be_bytes();
        let mut lock = self.engine.lock().await?;
        let done = self
            .engine
            .apply(&mut lock, vec![(key("hook/", &[&id]), None), (key("hookclaim/", &[&id]), None)])
            .await;
        self.engine.release(lock).await?;
        done
    }

    async fn claim_webhooks(
        &self,
        max: usize,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StoreResult<Vec<(OutboxId, Escalation)>> {
        // Under the writer lock: two deliverers claiming at once see each other's claims.
        let mut lock = self.engine.lock().await?;
        let claimed = async {
            let mut out = Vec::new();
            let mut batch: Batch = Vec::new();
            for (k, v) in self.engine.scan(b"hook/").await? {
                if out.len() >= max {
                    break;
                }
                let id = &k[5..];
                let claim_key = key("hookclaim/", &[id]);
                if let Some(held) = self.engine.get(&claim_key).await?
                    && decode::<DateTime<Utc>>(&claim_key, &held)? > now
                {
                    continue;
                }
                batch.push((claim_key, Some(encode(&until)?)));
                out.push((OutboxId(seq_from_key(id)), decode(&k, &v)?));
            }
            self.engine.apply(&mut lock, batch).await?;
            Ok::<_, StoreError>(out)
        }
        .await;
        self.engine.release(lock).await?;
        claimed
    }

    async fn release_webhook(&self, id: OutboxId) -> StoreResult<()> {
        self.engine.write(vec![(key("hookclaim/", &[&id.0.to_be_bytes()]), None)]).await
    }

    async fn swap_device(&self, expected: &DeviceRecord, new: &DeviceRecord) -> StoreResult<bool> {
        let k = key("dev/", &[new.id.as_bytes()]);
        let swapped = self.engine.compare_and_swap(&k, Some(encode(expected)?), encode(new)?).await?;
        if swapped {
            self.engine.flush().await?;
        }
        Ok(swapped)
    }

    async fn save_pull_state(&self, device: DeviceId, state: &PullState, keep_from: u64) -> StoreResult<u64> {
        let id = self.fresh_id().await? + 1;
        let prefix = key("pull/", &[device.as_bytes()]);
        let mut batch: Batch = Vec::new();
        for (k, _) in self.engine.scan(&prefix).await? {
            if seq_from_key(&k[prefix.len()..]) < keep_from {
                batch.push((k, None));
            }
        }
        batch.push((key("pull/", &[device.as_bytes(), &id.to_be_bytes()]), Some(encode(state)?)));
        self.engine.write(batch).await?;
        self.engine.flush().await?;
        Ok(id)
    }

    async fn record_view(&self, entry: &AuditEntry) -> StoreResult<()> {
        let seq = self.fresh_id().await?;
        self.engine.write(vec![(key("audit/", &[&seq.to_be_bytes()]), Some(encode(entry)?))]).await
    }

    async fn record_login_failure(
        &self,
        keys: &[String],
        at: DateTime<Utc>,
        forget_before: DateTime<Utc>,
    ) -> StoreResult<()> {
        let mut batch: Batch = Vec::new();
        for limiter_key in keys {
            let prefix = login_prefix(limiter_key);
            let cutoff = [prefix.as_slice(), &millis(forget_before)].concat();
            for (k, _) in self.engine.scan(&prefix).await? {
                if k < cutoff {
                    batch.push((k, None));
                }
            }
            let id = self.fresh_id().await?;
            batch.push((key("login/", &[&prefix[6..], &millis(at), &id.to_be_bytes()]), Some(encode(&at)?)));
        }
        self.engine.write(batch).await
    }

    async fn take_login_attempt(
        &self,
        keys: &[String],
        at: DateTime<Utc>,
        since: DateTime<Utc>,
        max: usize,
    ) -> StoreResult<LoginAttempt> {
        let mut lock = self.engine.lock().await?;
        let taken = async {
            let mut batch: Batch = Vec::new();
            let mut written = Vec::new();
            let mut refused: Option<DateTime<Utc>> = None;
            for limiter_key in keys {
                let prefix = login_prefix(limiter_key);
                let cutoff = [prefix.as_slice(), &millis(since)].concat();
                let mut counted = Vec::new();
                for (k, v) in self.engine.scan(&prefix).await? {
                    if k < cutoff {
                        batch.push((k, None));
                    } else {
                        counted.push(decode::<DateTime<Utc>>(&k, &v)?);
                    }
                }
                if counted.len() >= max
                    && let Some(oldest) = counted.iter().min().copied()
                {
                    refused = Some(refused.map_or(oldest, |r| r.max(oldest)));
                }
                let id = self.fresh_id().await?;
                let record = key("login/", &[&prefix[6..], &millis(at), &id.to_be_bytes()]);
                batch.push((record.clone(), Some(encode(&at)?)));
                written.push(record);
            }
            if let Some(oldest_counted) = refused {
                return Ok(LoginAttempt::Refused { oldest_counted });
            }
            self.engine.apply(&mut lock, batch).await?;
            Ok(LoginAttempt::Taken(written))
        }
        .await;
        self.engine.release(lock).await?;
        taken
    }

    async fn give_back_login_attempt(&self, attempt: LoginAttempt) -> StoreResult<()> {
        match attempt {
            LoginAttempt::Taken(records) => {
                self.engine.write(records.into_iter().map(|k| (k, None)).collect()).await
            }
            LoginAttempt::Refused { .. } => Ok(()),
        }
    }

    async fn clear_login_failures(&self, limiter_key: &str) -> StoreResult<()> {
        let batch: Batch =
            self.engine.scan(&login_prefix(limiter_key)).await?.into_iter().map(|(k, _)| (k, None)).collect();
        self.engine.write(batch).await
    }

    async fn put_blob(&self, blob: &BlobRecord) -> StoreResult<()> {
        self.engine.write(vec![(key("blob/", &[blob.sha256.as_bytes()]), Some(encode(blob)?))]).await?;
        self.engine.flush().await
    }

    async fn add_blob_holder(&self, sha256: &str, worker: WorkerId, at: DateTime<Utc>) -> StoreResult<()> {
        let k = key("bh/", &[sha256.as_bytes(), worker.as_bytes()]);
        // The first record stands: only an absent one is written.
        self.engine.compare_and_swap(&k, None, encode(&at)?).await?;
        self.engine.flush().await
    }

    async fn backup_records(&self) -> StoreResult<Vec<RawRecord>> {
        let lock = self.engine.lock().await?;
        let records = self.engine.scan(b"").await;
        self.engine.release(lock).await?;
        records
    }

    async fn restore_records(&self, records: Vec<RawRecord>) -> StoreResult<u64> {
        let mut lock = self.engine.lock().await?;
        let floor_key = key("meta/", &[ID_FLOOR.as_bytes()]);
        let mut batch: Batch = Vec::with_capacity(records.len() + 1);
        let mut highest = 0u64;
        for (k, v) in records {
            if k == floor_key {
                continue;
            }
            for (prefix, skip) in ID_KEYED {
                if let Some(rest) = k.strip_prefix(prefix.as_bytes())
                    && let Some(bytes) = rest.get(skip..skip + 8)
                {
                    highest = highest.max(seq_from_key(bytes));
                }
            }
            batch.push((k, Some(v)));
        }
        let count = batch.len() as u64;
        let floor = highest.saturating_add(1);
        batch.push((floor_key, Some(floor.to_be_bytes().to_vec())));
        self.engine.apply(&mut lock, batch).await?;
        self.id_floor.fetch_max(floor, Ordering::SeqCst);
        self.engine.release(lock).await?;
        self.engine.flush().await?;
        Ok(count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::memory_engine::MemoryEngine;
    use std::sync::Arc;

    fn stored(visit: shared::Visit) -> StoredVisit {
        StoredVisit {
            visit,
            received_at: Utc::now(),
            device_id: DeviceId::new(),
            needs_review: None,
            on_cover: false,
        }
    }

    /// A store written before the child index had one key per commit holds one `vc/` key per
    /// revision. Its visits are still listed, with no migration, alongside visits stored since,
    /// and a revision both indexes name is listed once.
    #[tokio::test]
    async fn visits_indexed_one_key_per_revision_before_are_still_listed() {
        let store = KvStore::new(MemoryEngine::default()).unwrap();
        let child = ChildId::new();
        let worker = WorkerId::new();
        let old = stored(fixtures::visit(child, worker, fixtures::at("2026-03-16", 10)));
        let both = stored(fixtures::visit(child, worker, fixtures::at("2026-03-17", 10)));
        let mut written = Vec::new();
        for s in [&old, &both] {
            let v = &s.visit;
            written.push((visit_key("visit/", v.id, v.revision), Some(encode(s).unwrap())));
            written.push((
                key("vc/", &[child.as_bytes(), v.id.as_bytes(), &v.revision.to_be_bytes()]),
                Some(vec![]),
            ));
        }
        store.engine.write(written).await.unwrap();

        let new = stored(fixtures::visit(child, worker, fixtures::at("2026-03-18", 10)));
        let mut tx = store.transaction().await.unwrap();
        tx.put_visit(&new, None).await.unwrap();
        tx.put_visit(&both, None).await.unwrap();
        tx.commit().await.unwrap();

        let listed: Vec<VisitId> =
            store.visits_of_child(child).await.unwrap().iter().map(|s| s.visit.id).collect();
        let mut expected = vec![old.visit.id, both.visit.id, new.visit.id];
        expected.sort_by_key(|id| *id.as_bytes());
        assert_eq!(listed, expected, "each once, in visit id order");
    }

    /// An escalation stored before histories were kept has its history rebuilt as it is read,
    /// dated in the authority's zone like every entry written since: raised at 00:30 on a summer
    /// night there, it was raised that day, not the evening before as UTC has it. The zone is
    /// the one the service is started with (Paris here, not the store's London default, so that
    /// a service that never told the store would fail this).
    #[tokio::test]
    async fn an_escalation_stored_before_histories_were_kept_is_dated_in_the_authoritys_zone() {
        let store = Arc::new(KvStore::new(MemoryEngine::default()).unwrap());
        let id = EscalationId::new();
        let old = serde_json::json!({
            "id": id,
            "child_id": ChildId::new(),
            "reason": {"reason": "overdue", "due": "2026-07-14", "working_days_overdue": 1, "key_worker_absent": false},
            "level": "team_manager",
            "to": WorkerId::new(),
            "raised_at": "2026-07-15T22:30:00Z",
            "re_raised_at": null,
            "status": {"status": "closed", "explanation": "Seen on 16 July.", "at": "2026-12-01T22:30:00Z"}
        });
        let bytes = serde_json::to_vec(&old).unwrap();
        store.engine.write(vec![(key("esc/", &[id.as_bytes()]), Some(bytes))]).await.unwrap();
        let config =
            crate::Config { clock: shared::BusinessClock::live(Tz::Europe__Paris), ..Default::default() };
        let state = crate::AppState::new(store, &[7; 32], config);

        let read = state.store().escalation(id).await.unwrap().expect("the escalation");
        let listed = state.store().escalations().await.unwrap();
        for escalation in [&read, &listed[0]] {
            let dated: Vec<(shared::EscalationStep, NaiveDate)> =
                escalation.history.iter().map(|entry| (entry.step.clone(), entry.on)).collect();
            assert_eq!(
                dated,
                vec![
                    (shared::EscalationStep::Raised, NaiveDate::from_ymd_opt(2026, 7, 16).unwrap()),
                    // 23:30 in a Paris winter: the same day as UTC's.
                    (shared::EscalationStep::Closed, NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()),
                ]
            );
        }
    }
}
