//! The sync protocol: push and pull.
//!
//! **Push** ([`push`]) decides each visit revision on its own, so one bad record never blocks
//! the rest:
//! - a revision that breaks a rule is `Rejected` with every field at fault;
//! - an identical replay is a `Duplicate` (the original result stands);
//! - the same id and revision with different content is a `Conflict`, and so is an amendment
//!   of a revision that is no longer the latest; both versions are kept and listed;
//! - everything else is `Accepted`, held as "needs review" when the child is unknown,
//!   de-registered, or not the worker's to visit.
//!
//! The whole push is one store transaction: atomic, and durable before the answer is sent.
//!
//! **Pull** ([`pull`]) answers, since an opaque cursor, with what the caller may see now: the
//! children who entered their scope (with their visits, covers and escalations), the changes
//! since, and a `RemovedFromScope` for every child who left it (cover ended, case reallocated
//! or closed). The cursor names a pull state kept server-side: the feed position and the set of
//! children the device holds. A lost answer can be pulled again from the same cursor.

use std::collections::HashMap;

use base64::Engine;
use chrono::{NaiveDate, Utc};
use sha2::{Digest, Sha256};
use shared::sync::{
    ChangeEvent, Cursor, MAX_PUSH_BATCH, PROTOCOL_VERSION, PullResponse, PushOutcome, PushRequest,
    PushResponse, PushResult, RemovalReason, ReviewState,
};
use shared::validation::FieldError;
use shared::{Child, ChildId, Role, Visit, VisitId, VisitStatus, Worker, WorkerId};
use uuid::Uuid;

use shared::DeviceId;
use shared::sync::AuthoritySettings;

use crate::scope;
use crate::store::prelude::*;
use crate::store::{
    AuditAction, AuditEntry, Conflict, FeedEntry, NewVisit, PullState, StoreError, StoreResult, StoredVisit,
};

/// Why a push or a pull was refused as a whole. (Each visit's own problems are in its result.)
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The request is wrong in one field; nothing was written.
    #[error("{field}: {message}")]
    BadField {
        /// The field at fault.
        field: &'static str,
        /// Plain words for the worker.
        message: String,
    },
    /// The store failed; nothing was written.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl SyncError {
    fn bad(field: &'static str, message: impl Into<String>) -> SyncError {
        SyncError::BadField { field, message: message.into() }
    }
}

/// Who is syncing: a signed-in worker on their device.
#[derive(Clone, Copy, Debug)]
pub struct Syncer<'a> {
    /// The worker.
    pub worker: &'a Worker,
    /// The device they signed in on.
    pub device_id: DeviceId,
}

/// The business clock's readings for one push or pull.
#[derive(Clone, Copy, Debug)]
pub struct SyncClock {
    /// The business instant now (a training service's clock is moved).
    pub now: chrono::DateTime<Utc>,
    /// The authority's time zone.
    pub tz: shared::Tz,
    /// Today in the authority's time zone.
    pub today: NaiveDate,
}

/// What a worker is told when their visit is held because the child is not theirs to visit or
/// is unknown. The same words either way, so it reveals nothing about a child outside scope.
pub const HELD_NOT_ON_CASELOAD: &str =
    "Held for a manager's review: this child is not on your caseload for the date of the visit.";
/// What a worker is told when the child on their caseload had been de-registered.
pub const HELD_DEREGISTERED: &str =
    "Held for a manager's review: the child's protection plan had ended by the date of the visit.";

/// The default and largest number of events in one pull.
pub const DEFAULT_PULL_LIMIT: usize = 1000;
/// The largest number of events one pull may ask for.
pub const MAX_PULL_LIMIT: usize = 5000;
/// How many feed entries one pull examines at most before answering `more`.
const FEED_SCAN_MAX: usize = 20_000;

/// A push as received: the request, and, when its body was read as sent, each visit's JSON text
/// in the order of `request.visits`, which the stored records are built around (see
/// [`NewVisit`]).
#[derive(Clone, Debug)]
pub struct SentPush {
    /// The push.
    pub request: PushRequest,
    /// Each visit's text as sent, one for each of `request.visits`, or none.
    pub texts: Option<Vec<bytes::Bytes>>,
}

impl From<PushRequest> for SentPush {
    /// A push made in this process: its visits are encoded when stored.
    fn from(request: PushRequest) -> SentPush {
        SentPush { request, texts: None }
    }
}

/// Handles one push from a device (the caller has checked the worker's role). Business time
/// (`clock`) dates what is stored and bounds the not-in-future check.
pub async fn push(
    store: &dyn Store,
    caller: Syncer<'_>,
    clock: SyncClock,
    sent: impl Into<SentPush>,
) -> Result<PushResponse, SyncError> {
    let SentPush { request, texts } = sent.into();
    if request.protocol != PROTOCOL_VERSION {
        return Err(SyncError::bad(
            "protocol",
            format!("This server speaks protocol {PROTOCOL_VERSION}; update the app."),
        ));
    }
    if request.device_id != caller.device_id {
        return Err(SyncError::bad("device_id", "This is not the device you signed in on."));
    }
    if request.visits.len() > MAX_PUSH_BATCH {
        return Err(SyncError::bad("visits", format!("Send at most {MAX_PUSH_BATCH} visits at a time.")));
    }
    let mut results = Vec::with_capacity(request.visits.len());
    let tx = store.transaction().await?;
    // Under the writer lock, so what is read here stays true until the commit: whether each
    // revision sent is already held, in one read for the whole push.
    let sent: Vec<(VisitId, u32)> = request.visits.iter().map(|v| (v.id, v.revision)).collect();
    let already_held = sent.iter().copied().zip(store.visits_at(&sent).await?).collect();
    let mut batch = PushBatch {
        store,
        tx,
        caller,
        now: clock.now,
        tz: clock.tz,
        today: clock.today,
        accepted: Vec::new(),
        accepted_by_id: HashMap::new(),
        already_held,
        children: HashMap::new(),
        stored_per_child: Default::default(),
        conflicts_recorded: HashMap::new(),
    };
    // Texts that do not pair one to one with the visits are not used.
    let mut texts = texts.filter(|t| t.len() == request.visits.len()).map(Vec::into_iter);
    for visit in request.visits {
        let (visit_id, revision) = (visit.id, visit.revision);
        let text = texts.as_mut().and_then(Iterator::next);
        let outcome = batch.decide(visit, text).await?;
        results.push(PushResult { visit_id, revision, outcome });
    }
    batch.finish().await?;
    let PushBatch { tx, accepted, accepted_by_id, already_held, children, .. } = batch;
    // Every revision is encoded into the transaction now. Freeing a large push's records takes
    // a while: another thread does it while the store commits. (Should no thread start, the
    // records are dropped here with the closure that held them.)
    let decided = (accepted, accepted_by_id, already_held, children);
    if decided.0.len() >= crate::halves::SPLIT_FROM {
        let _ = std::thread::Builder::new().name("push-free".into()).spawn(move || drop(decided));
    } else {
        drop(decided);
    }
    tx.commit().await?;
    Ok(PushResponse { protocol: PROTOCOL_VERSION, results })
}

/// One push being decided: the writes so far, and the revisions accepted earlier in the same
/// push (so an amendment may follow its base in one batch).
struct PushBatch<'a> {
    store: &'a dyn Store,
    /// The push's transaction: every other writer waits until it is committed.
    tx: Box<dyn Transaction + 'a>,
    caller: Syncer<'a>,
    now: chrono::DateTime<Utc>,
    /// The authority's time zone, for the date a central-record change was made.
    tz: shared::Tz,
    /// Today in the authority's time zone.
    today: NaiveDate,
    /// The revisions accepted, in the order sent, with the team each is held for and its text
    /// as sent. They are stored together once every revision is decided (see
    /// [`Transaction::put_visits`]).
    accepted: Vec<NewVisit>,
    /// Where in `accepted` each visit's revisions are, in the order sent.
    accepted_by_id: HashMap<VisitId, Vec<usize>>,
    /// Each revision sent, as held before this push (`None`: not held).
    already_held: HashMap<(VisitId, u32), Option<StoredVisit>>,
    /// Children read during this push, with whether the caller covers them on the dates seen:
    /// a batch is usually many visits to few children.
    children: HashMap<ChildId, Option<Child>>,
    /// The revisions stored per child: one feed entry and one audit entry per child per push.
    stored_per_child: std::collections::BTreeMap<ChildId, StoredForChild>,
    /// The conflicts recorded by this push (by revision and content hash), with their reasons:
    /// the same content sent twice in one push is one conflict, as it is across pushes.
    conflicts_recorded: HashMap<(VisitId, u32, String), String>,
}

/// What one push stored for one child.
#[derive(Default)]
struct StoredForChild {
    /// The revisions, in the order stored.
    revisions: Vec<(VisitId, u32)>,
    /// Whether any was made on cover.
    on_cover: bool,
    /// Who recorded them, each once.
    workers: Vec<WorkerId>,
}

impl PushBatch<'_> {
    /// Stores the revisions accepted, then adds the feed and audit entries for them.
    async fn finish(&mut self) -> StoreResult<()> {
        self.tx.put_visits(&self.accepted).await?;
        let worker = &self.caller.worker;
        for (child_id, StoredForChild { revisions, on_cover, workers }) in
            std::mem::take(&mut self.stored_per_child)
        {
            let what = match revisions.as_slice() {
                [(id, revision)] => format!("visit {id} revision {revision}"),
                many => format!("{} visit revisions", many.len()),
            };
            self.tx
                .audit(&AuditEntry {
                    at: self.now,
                    worker_id: worker.id,
                    role: worker.role,
                    device_id: Some(self.caller.device_id),
                    action: AuditAction::Changed,
                    child_id: Some(child_id),
                    what,
                    on_cover,
                })
                .await?;
            self.tx.feed(FeedEntry::Visits { child_id, revisions, workers });
        }
        Ok(())
    }

    /// The revisions of a visit accepted earlier in this push, in the order sent.
    fn accepted_revisions(&self, id: VisitId) -> impl Iterator<Item = &StoredVisit> {
        let at = self.accepted_by_id.get(&id).map_or(&[][..], Vec::as_slice);
        at.iter().filter_map(|&i| self.accepted.get(i)).map(|new| &new.stored)
    }

    async fn held(&self, id: VisitId, revision: u32) -> StoreResult<Option<StoredVisit>> {
        if let Some(found) = self.accepted_revisions(id).find(|s| s.visit.revision == revision) {
            return Ok(Some(found.clone()));
        }
        match self.already_held.get(&(id, revision)) {
            Some(held) => Ok(held.clone()),
            None => self.store.visit(id, revision).await,
        }
    }

    async fn latest(&self, id: VisitId) -> StoreResult<Option<StoredVisit>> {
        if let Some(latest) = self.accepted_revisions(id).last() {
            return Ok(Some(latest.clone()));
        }
        self.store.latest_revision(id).await
    }

    /// Decides one revision; `sent` is its JSON text as pushed, if known.
    async fn decide(&mut self, visit: Visit, sent: Option<bytes::Bytes>) -> Result<PushOutcome, SyncError> {
        let (visit, sent) = in_authority_zone(self.tz, visit, sent);
        let worker = &self.caller.worker;
        // A revision already held, sent again (the phone never heard the answer), is a duplicate
        // whatever has changed since: checked against the child's record as it is now (an action
        // taken off the plan, a carer gone), it would be refused, and the phone would show as
        // refused a visit the server holds.
        if (visit.worker_id == worker.id || worker.role.is_manager())
            && let Some(existing) = self.held(visit.id, visit.revision).await?
            && existing.visit == visit
        {
            return Ok(PushOutcome::Duplicate);
        }
        let date = visit.date();
        let child = match self.children.get(&visit.child_id) {
            Some(child) => child.clone(),
            None => {
                let child = self.store.child(visit.child_id).await?;
                self.children.insert(visit.child_id, child.clone());
                child
            }
        };
        let assigned = match &child {
            Some(child) => is_assigned(self.store, self.tz, worker, child, date).await?,
            None => false,
        };
        // Check against the child's record only when the worker may see it: otherwise the errors
        // would say something about a child outside their scope.
        let checked_against = child.as_ref().filter(|_| assigned);
        let mut errors = match visit.validate(self.now, checked_against) {
            Ok(()) => Vec::new(),
            Err(errors) => errors.0,
        };
        if visit.status == VisitStatus::Draft {
            errors.push(FieldError::new("status", "Drafts stay on the device. Submit the visit to send it."));
        }
        if visit.worker_id != worker.id && !worker.role.is_manager() {
            errors.push(FieldError::new("worker_id", "You can only send visits you made."));
        }
        // A photo's key is not a capability: naming one you neither uploaded nor may see is refused.
        errors.extend(crate::photos::attachment_errors(self.store, worker, &visit, self.today).await?);
        if !errors.is_empty() {
            return Ok(PushOutcome::Rejected { errors });
        }

        if let Some(existing) = self.held(visit.id, visit.revision).await? {
            if existing.visit == visit {
                return Ok(PushOutcome::Duplicate);
            }
            if existing.visit.worker_id != worker.id
                && !self.may_see_child(existing.visit.child_id, date).await?
            {
                return Ok(rejected("id", "This visit id is already in use. Start a new visit."));
            }
            return self
                .conflict(existing.visit, visit, "A different version of this revision is already held.")
                .await;
        }

        if visit.revision > 1 {
            let Some(latest) = self.latest(visit.id).await? else {
                return Ok(rejected(
                    "amends",
                    "The revision this amends has not reached the server. Send it first.",
                ));
            };
            if latest.visit.worker_id != worker.id && !self.may_see_child(latest.visit.child_id, date).await?
            {
                return Ok(rejected("id", "This visit id is already in use. Start a new visit."));
            }
            if latest.visit.child_id != visit.child_id {
                return Ok(rejected("child_id", "An amendment cannot move a visit to another child."));
            }
            if visit.amends != Some(latest.visit.revision) {
                let reason = format!(
                    "This amends revision {}, but revision {} is the latest. Amend the latest.",
                    visit.amends.unwrap_or(0),
                    latest.visit.revision
                );
                return self.conflict(latest.visit, visit, &reason).await;
            }
        }

        let (needs_review, told) = review_reason(child.as_ref(), assigned, date).unzip();
        let on_cover = worker.role == Role::DutyWorker
            && !child.as_ref().is_some_and(|c| scope::on_own_caseload(worker, c, date))
            && self.store.is_covering(worker.id, visit.child_id, date).await?;
        let stored = StoredVisit {
            visit,
            received_at: self.now,
            device_id: self.caller.device_id,
            needs_review,
            on_cover,
        };
        let team = worker.team.or_else(|| child.as_ref().and_then(|c| c.plan.as_ref()).map(|p| p.team));
        crate::photos::reference_writes(self.store, self.tx.as_mut(), &stored.visit, worker.id).await?;
        let per_child = self.stored_per_child.entry(stored.visit.child_id).or_default();
        per_child.revisions.push((stored.visit.id, stored.visit.revision));
        per_child.on_cover |= on_cover;
        if !per_child.workers.contains(&stored.visit.worker_id) {
            per_child.workers.push(stored.visit.worker_id);
        }
        self.accepted_by_id.entry(stored.visit.id).or_default().push(self.accepted.len());
        self.accepted.push(NewVisit { stored, team, sent });
        Ok(PushOutcome::Accepted { needs_review: told.map(str::to_owned) })
    }

    /// Whether the caller may be shown another worker's revision of a visit (a conflict answers
    /// with it): allocated the child on the visit's date, and able to see the child today. The
    /// visit's date is the caller's to choose, so it alone would let a duty worker whose cover
    /// has ended read later revisions by naming a date inside the cover.
    async fn may_see_child(&self, child: ChildId, date: NaiveDate) -> StoreResult<bool> {
        match self.store.child(child).await? {
            Some(child) => Ok(is_assigned(self.store, self.tz, self.caller.worker, &child, date).await?
                && scope::can_see_child(self.store, self.caller.worker, &child, self.today).await?),
            None => Ok(false),
        }
    }

    /// Records a conflict (once per distinct losing content) and answers with both versions.
    async fn conflict(
        &mut self,
        server: Visit,
        yours: Visit,
        reason: &str,
    ) -> Result<PushOutcome, SyncError> {
        let content = serde_json::to_vec(&yours).map_err(|e| StoreError::Encode(e.to_string()))?;
        let hash = hex::encode(Sha256::digest(&content));
        let recorded_here = self.conflicts_recorded.get(&(yours.id, yours.revision, hash.clone())).cloned();
        let recorded_before = match recorded_here {
            Some(reason) => Some(reason),
            None => self.store.conflict_by_content(yours.id, yours.revision, &hash).await?.map(|c| c.reason),
        };
        let reason = match recorded_before {
            Some(reason) => reason,
            None => {
                let conflict = Conflict {
                    id: Uuid::now_v7(),
                    visit_id: yours.id,
                    revision: yours.revision,
                    child_id: server.child_id,
                    worker_id: self.caller.worker.id,
                    device_id: self.caller.device_id,
                    reason: reason.to_owned(),
                    server: server.clone(),
                    yours: yours.clone(),
                    detected_at: self.now,
                };
                self.tx.put_conflict(&conflict, &hash).await?;
                self.conflicts_recorded.insert((yours.id, yours.revision, hash), reason.to_owned());
                reason.to_owned()
            }
        };
        Ok(PushOutcome::Conflict { reason, server: Box::new(server), yours: Box::new(yours) })
    }
}

fn rejected(field: &str, message: &str) -> PushOutcome {
    PushOutcome::Rejected { errors: vec![FieldError::new(field, message)] }
}

/// Whether a worker was allocated a child on a date, whatever the plan's state: key worker
/// (now, or on that date by the child's central-record history, so a case reallocated later
/// does not hold the visit), covering on that date, or a manager whose scope holds the child.
/// (A de-registered child is assigned but still held for review.)
pub async fn is_assigned(
    store: &dyn Store,
    tz: shared::Tz,
    worker: &Worker,
    child: &Child,
    date: NaiveDate,
) -> StoreResult<bool> {
    let key_worker = child.plan.as_ref().is_some_and(|p| p.key_worker == worker.id)
        || was_key_worker_on(store, tz, worker.id, child.id, date).await?;
    Ok(match worker.role {
        Role::SocialWorker => key_worker,
        Role::DutyWorker => key_worker || store.is_covering(worker.id, child.id, date).await?,
        Role::TeamManager | Role::SeniorManager => scope::can_see_child(store, worker, child, date).await?,
        Role::Admin => false,
    })
}

/// Whether `worker` was the child's key worker on `date` by an earlier version of the child's
/// central record. Each earlier version was in force from the change before it was recorded
/// until the change after it was recorded (both days included: on the day of a reallocation
/// either worker's visit stands). Days are days in the authority's time zone `tz`.
pub async fn was_key_worker_on(
    store: &dyn Store,
    tz: shared::Tz,
    worker: WorkerId,
    child: ChildId,
    date: NaiveDate,
) -> StoreResult<bool> {
    let history = store.child_history(child).await?;
    let mut from = NaiveDate::MIN;
    for change in &history {
        let until = shared::authority_date(tz, change.recorded_at);
        let was_key_worker = change.before.plan.as_ref().is_some_and(|p| p.key_worker == worker);
        if was_key_worker && from <= date && date <= until {
            return Ok(true);
        }
        from = until;
    }
    Ok(false)
}

/// What a device is told about a held revision: where it stands, with the worker-facing words
/// (the same whatever the internal reason, so it reveals nothing about a child out of scope).
async fn review_event(store: &dyn Store, stored: &StoredVisit) -> StoreResult<Option<ChangeEvent>> {
    let Some(state) = store.review_state(stored).await? else { return Ok(None) };
    let state = match state {
        ReviewState::Waiting { reason } => ReviewState::Waiting { reason: told_for(&reason).to_owned() },
        other => other,
    };
    Ok(Some(ChangeEvent::VisitReview {
        visit_id: stored.visit.id,
        revision: stored.visit.revision,
        child_id: stored.visit.child_id,
        state,
    }))
}

/// The words a worker is told for an internal hold reason.
pub fn told_for(reason: &str) -> &'static str {
    if reason.starts_with("de-registered") { HELD_DEREGISTERED } else { HELD_NOT_ON_CASELOAD }
}

/// Encodes a pull-state id as an opaque cursor.
fn encode_cursor(state_id: u64) -> Cursor {
    Cursor(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("s1:{state_id}")))
}

fn decode_cursor(cursor: &str) -> Option<u64> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(cursor).ok()?;
    std::str::from_utf8(&bytes).ok()?.strip_prefix("s1:")?.parse().ok()
}

/// Why a revision is held for a manager's review, if it is, and what its worker is told: the
/// child is unknown, the worker was not allocated them on the visit's `date` (`assigned`), or
/// their plan was not in force that day. Every revision is judged so, however it was made: a
/// push, or a conflict resolved into a new revision.
pub fn review_reason(
    child: Option<&Child>,
    assigned: bool,
    date: NaiveDate,
) -> Option<(String, &'static str)> {
    match child {
        None => Some(("unknown child: not in the central case list".to_owned(), HELD_NOT_ON_CASELOAD)),
        Some(_) if !assigned => {
            Some(("not assigned: the worker was not allocated this child".to_owned(), HELD_NOT_ON_CASELOAD))
        }
        Some(child) if !child.plan.as_ref().is_some_and(|p| p.is_active_on(date)) => {
            Some(("de-registered: the child's plan was not in force".to_owned(), HELD_DEREGISTERED))
        }
        Some(_) => None,
    }
}

/// The visit with its times in the authority's zone (`tz`), the instants unchanged, and its
/// text as sent if that already had them so (`None` otherwise: the stored record is encoded
/// afresh). A visit's day is the authority's date: a visit sent with another offset (by an
/// older app on a phone set to another zone, or another client) would otherwise be dated, for
/// every rule that reads its day, by the sender's clock: 00:15 on a Jersey summer night, sent
/// as 23:15 UTC, would count as the day before.
fn in_authority_zone(
    tz: shared::Tz,
    mut visit: Visit,
    sent: Option<bytes::Bytes>,
) -> (Visit, Option<bytes::Bytes>) {
    let started = visit.started_at.with_timezone(&tz).fixed_offset();
    let ended = visit.ended_at.with_timezone(&tz).fixed_offset();
    if started.offset() == visit.started_at.offset() && ended.offset() == visit.ended_at.offset() {
        return (visit, sent);
    }
    visit.started_at = started;
    visit.ended_at = ended;
    (visit, None)
}

/// Handles one pull. `settings` are the authority's, sent with every answer.
pub async fn pull(
    store: &dyn Store,
    caller: Syncer<'_>,
    today: NaiveDate,
    settings: &AuthoritySettings,
    cursor: Option<&str>,
    limit: Option<usize>,
) -> Result<PullResponse, SyncError> {
    let limit = limit.unwrap_or(DEFAULT_PULL_LIMIT).clamp(1, MAX_PULL_LIMIT);
    let head = store.feed_head().await?;
    let (previous_id, previous) = match cursor.filter(|c| !c.is_empty()) {
        None => (0, PullState { feed_seq: head, ..PullState::default() }),
        Some(cursor) => {
            let unknown = || SyncError::bad("cursor", "Unknown cursor. Pull again without one.");
            let id = decode_cursor(cursor).ok_or_else(unknown)?;
            let found = store.pull_state(caller.device_id, id).await?.ok_or_else(unknown)?;
            (id, found)
        }
    };
    let worker = caller.worker;
    let in_scope = scope::children_in_scope(store, worker, today).await?;
    let mut events = Vec::new();
    let mut delivered = previous.delivered.clone();
    let mut more = false;

    // Children sent whole, on this page or an earlier one, and the feed number as they were.
    let mut sent_whole_at = previous.sent_whole_at.clone();
    for child_id in previous.delivered.difference(&in_scope) {
        let reason = removal_reason(store, worker, *child_id, today).await?;
        events.push(ChangeEvent::RemovedFromScope { child_id: *child_id, reason });
        delivered.remove(child_id);
        sent_whole_at.remove(child_id);
    }

    for child_id in in_scope.difference(&previous.delivered) {
        if events.len() >= limit {
            more = true;
            break;
        }
        snapshot(store, worker, *child_id, &mut events).await?;
        delivered.insert(*child_id);
        sent_whole_at.insert(*child_id, head);
    }

    let mut feed_seq = previous.feed_seq;
    if !more {
        let entries = store.feed_since(feed_seq, FEED_SCAN_MAX).await?;
        if entries.len() == FEED_SCAN_MAX {
            more = true;
        }
        for (seq, entry) in entries {
            if events.len() >= limit {
                more = true;
                break;
            }
            feed_seq = seq;
            // A child sent whole was sent as they stood then: skip older entries about them.
            let sent_whole = |child: &ChildId| sent_whole_at.get(child).is_some_and(|at| seq <= *at);
            let visible = |child: &ChildId| delivered.contains(child) && !sent_whole(child);
            match &entry {
                FeedEntry::Children { child_ids } => {
                    for child_id in child_ids.iter().filter(|c| visible(c)) {
                        if let Some(child) = store.child(*child_id).await? {
                            events.push(ChangeEvent::Child { child: Box::new(child) });
                        }
                    }
                }
                FeedEntry::Cover { duty_worker, child_id, .. } => {
                    if (*duty_worker == worker.id && !sent_whole(child_id)) || visible(child_id) {
                        feed_events(store, &entry, &mut events).await?;
                    }
                }
                other => {
                    if other.child_ids().iter().any(visible) {
                        feed_events(store, other, &mut events).await?;
                    } else if let FeedEntry::Visits { revisions, workers, .. } = other
                        && (workers.is_empty() || workers.contains(&worker.id))
                    {
                        // The worker's own visits held about a child outside their scope: they
                        // hear where each stands (and nothing else), so that their phone does
                        // not show a resolved visit as waiting for a manager for ever. Other
                        // workers' visits are passed over unread.
                        for (visit_id, revision) in revisions {
                            if let Some(stored) = store.visit(*visit_id, *revision).await?
                                && stored.visit.worker_id == worker.id
                            {
                                events.extend(review_event(store, &stored).await?);
                            }
                        }
                    }
                }
            }
        }
    }

    // A duty worker's phone does not hold what is about a manager's supervision of the case.
    events.retain(|event| match event {
        ChangeEvent::Escalation { escalation } => scope::may_read_escalation(worker, escalation),
        _ => true,
    });
    // Entries the feed has passed no longer need skipping.
    sent_whole_at.retain(|_, at| *at > feed_seq);
    let state_id = store
        .save_pull_state(caller.device_id, &PullState { feed_seq, delivered, sent_whole_at }, previous_id)
        .await?;
    Ok(PullResponse {
        protocol: PROTOCOL_VERSION,
        events,
        cursor: encode_cursor(state_id),
        more,
        settings: Some(settings.clone()),
    })
}

/// Everything a device needs about a child entering its scope.
async fn snapshot(
    store: &dyn Store,
    worker: &Worker,
    child_id: ChildId,
    events: &mut Vec<ChangeEvent>,
) -> StoreResult<()> {
    let Some(child) = store.child(child_id).await? else { return Ok(()) };
    events.push(ChangeEvent::Child { child: Box::new(child) });
    for cover in store.covers_for_child(child_id).await? {
        if cover.duty_worker == worker.id || worker.role.is_manager() {
            events.push(ChangeEvent::Cover { cover });
        }
    }
    for stored in store.visits_of_child(child_id).await? {
        let review = review_event(store, &stored).await?;
        events.push(ChangeEvent::Visit { visit: Box::new(stored.visit) });
        events.extend(review);
    }
    for escalation in store.escalations_for_child(child_id).await? {
        events.push(ChangeEvent::Escalation { escalation: Box::new(escalation) });
    }
    Ok(())
}

async fn feed_events(store: &dyn Store, entry: &FeedEntry, events: &mut Vec<ChangeEvent>) -> StoreResult<()> {
    match entry {
        FeedEntry::Children { child_ids } => {
            for child_id in child_ids {
                if let Some(child) = store.child(*child_id).await? {
                    events.push(ChangeEvent::Child { child: Box::new(child) });
                }
            }
        }
        FeedEntry::Child { child_id } => {
            if let Some(child) = store.child(*child_id).await? {
                events.push(ChangeEvent::Child { child: Box::new(child) });
            }
        }
        FeedEntry::Visits { revisions, .. } => {
            for (visit_id, revision) in revisions {
                if let Some(stored) = store.visit(*visit_id, *revision).await? {
                    let review = review_event(store, &stored).await?;
                    events.push(ChangeEvent::Visit { visit: Box::new(stored.visit) });
                    events.extend(review);
                }
            }
        }
        FeedEntry::Cover { cover_id, .. } => {
            if let Some(cover) = store.cover(*cover_id).await? {
                events.push(ChangeEvent::Cover { cover });
            }
        }
        FeedEntry::Escalation { escalation_id, .. } => {
            if let Some(escalation) = store.escalation(*escalation_id).await? {
                events.push(ChangeEvent::Escalation { escalation: Box::new(escalation) });
            }
        }
    }
    Ok(())
}

/// Whether any version of the child's central record had them held by `team`.
async fn was_ever_in_team(
    store: &dyn Store,
    child_id: ChildId,
    team: Option<shared::TeamId>,
) -> StoreResult<bool> {
    let Some(team) = team else { return Ok(false) };
    let in_team = |c: &Child| c.plan.as_ref().is_some_and(|p| p.team == team);
    Ok(store
        .child_history(child_id)
        .await?
        .iter()
        .any(|change| in_team(&change.before) || in_team(&change.after)))
}

async fn removal_reason(
    store: &dyn Store,
    worker: &Worker,
    child_id: ChildId,
    today: NaiveDate,
) -> StoreResult<RemovalReason> {
    let Some(child) = store.child(child_id).await? else { return Ok(RemovalReason::CaseClosed) };
    if child.plan.as_ref().is_some_and(|p| p.deregistered_on.is_some_and(|end| end < today)) {
        return Ok(RemovalReason::CaseClosed);
    }
    let cover_ended = store
        .covers_for_child(child_id)
        .await?
        .iter()
        .any(|c| c.duty_worker == worker.id && !c.is_active_on(today))
        // A deputy for another team with no escalation about the child left (closed, or sent
        // on): a child never held by their own team, whose escalations were sent to them.
        || (worker.role == Role::TeamManager
            && !scope::in_own_team(worker, &child)
            && !was_ever_in_team(store, child_id, worker.team).await?
            && (store.escalations_for_child(child_id).await?.iter())
                .any(|e| e.history.iter().any(|step| step.to == Some(worker.id))));
    Ok(if cover_ended { RemovalReason::CoverEnded } else { RemovalReason::Reallocated })
}
