//! One sync cycle, and the background loop that runs it with retries and back-off.
//!
//! A cycle:
//! 1. refreshes the access token if it expires within [`EngineConfig::refresh_margin`];
//! 2. uploads queued photos;
//! 3. pushes the outbox in batches, one at a time and in order (each encoded while the one
//!    before it is on its way), recording each record's own result (accepted and
//!    duplicate mark it sent; rejected and conflict set it aside with the server's reason, and
//!    the rest carry on). Each batch is bounded by count and by its JSON's size
//!    ([`MAX_PUSH_JSON_BYTES`], under the server's 4 MiB); a batch the server still finds too
//!    large (413) is split in two and sent again, and a lone visit too large is set aside as
//!    refused. A push the server refuses or fails does not stop the pull: the cycle pulls, then
//!    fails with the push's error;
//! 4. pulls until the server says there is no more, applying each page durably;
//! 5. fetches the duty handover of each child the worker covers now, to read offline;
//! 6. only then records the time as the last successful sync.
//!
//! One cycle runs at a time per engine, and one refresh: a second caller waits, then uses the
//! tokens the first kept (the server takes a refresh token once, and revokes the sign-in when
//! one is used twice). A 401 refreshes once and retries; a failed refresh signs the worker out (drafts and the
//! outbox stay). A 410 `wipe` wipes the device. The state the UI reads is published on a
//! `tokio::sync::watch` channel ([`SyncEngine::status`]).

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use shared::sync::{LoginRequest, MAX_PUSH_BATCH, PROTOCOL_VERSION, PushRequest, RefreshRequest};
use shared::{DeviceId, VisitId};
use tokio::sync::{Notify, watch};
use tracing::{info, warn};

use super::client::{ConflictChoice, Pulled, PushBody, SyncClient, SyncError};
use super::state::{FailureKind, SyncEvent, SyncState, SyncStatus};
use crate::store::{APP_VERSION, Kept, PullSummary, SessionRecord, UnlockedStore};

/// What became of a conflict the worker resolved on the phone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConflictOutcome {
    /// The server recorded the worker's choice.
    Resolved,
    /// Someone had already resolved it; the phone set it aside.
    AlreadyResolved,
}

/// The most JSON one push carries, before compression: the server refuses a body over 4 MiB once
/// decompressed (`sync-server` README, "Limits"), and this leaves room for the request's own
/// fields and for a server built with a little less.
pub const MAX_PUSH_JSON_BYTES: usize = 3 * 1024 * 1024;

/// Tuning for the engine.
#[derive(Clone, Copy, Debug)]
pub struct EngineConfig {
    /// Most visit revisions per push.
    pub push_batch: usize,
    /// Most bytes of JSON per push (before compression), [`MAX_PUSH_JSON_BYTES`] by default.
    /// A visit larger than this on its own still goes, alone.
    pub push_bytes: usize,
    /// Most changes per pulled page.
    pub pull_limit: u32,
    /// Refresh the access token when it expires within this long.
    pub refresh_margin: Duration,
    /// How often to sync when all is well.
    pub interval: Duration,
    /// How long "sent" receipts stay in the outbox (and in the "sent" count) before they are
    /// forgotten; the visits themselves stay in the children's history.
    pub keep_sent_receipts: Duration,
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            push_batch: MAX_PUSH_BATCH,
            push_bytes: MAX_PUSH_JSON_BYTES,
            pull_limit: 500,
            refresh_margin: Duration::from_secs(60),
            interval: Duration::from_secs(60),
            keep_sent_receipts: Duration::from_secs(7 * 24 * 60 * 60),
        }
    }
}

/// What one cycle did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CycleReport {
    /// Photos uploaded.
    pub photos_uploaded: usize,
    /// Visit revisions pushed.
    pub pushed: usize,
    /// Of those, now held by the server (accepted or duplicate).
    pub stored: usize,
    /// Of those, rejected by the server.
    pub rejected: usize,
    /// Of those, in conflict with the server's version.
    pub conflicts: usize,
    /// Pages pulled.
    pub pages: usize,
    /// What the pulled pages changed.
    pub pulled: PullSummary,
    /// Duty handovers fetched for children the worker covers now.
    pub handovers: usize,
    /// Changes pulled that this version of the app could not read (see
    /// [`crate::store::Unreadable`]).
    pub unreadable: usize,
}

/// Signs in: registers this device with the server and returns the session to keep.
///
/// The flow for the sign-in screen: `let session = sign_in(..).await?;` then
/// `let store = local.set_pin(pin)?; store.save_session(&session)?;` (or, when a PIN is already
/// set and the store is unlocked, just `save_session`).
pub async fn sign_in(
    server_url: &str,
    username: &str,
    password: &str,
    device_id: DeviceId,
    device_name: Option<String>,
) -> Result<SessionRecord, SyncError> {
    let client = SyncClient::new(server_url)?;
    let request =
        LoginRequest { username: username.to_owned(), password: password.to_owned(), device_id, device_name };
    let tokens = client.login(&request).await?;
    info!(worker.id = %tokens.worker.id, "signed in");
    Ok(SessionRecord::new(client.base_url().trim_end_matches('/'), device_id, tokens))
}

/// Runs sync cycles against the server named in the store's session.
#[derive(Debug)]
pub struct SyncEngine {
    store: UnlockedStore,
    config: EngineConfig,
    status: watch::Sender<SyncStatus>,
    client: std::sync::Mutex<Option<SyncClient>>,
    /// Held for a whole cycle: a second [`SyncEngine::sync_once`] (the app's screens run one
    /// when the token is about to expire, while the background loop may be running its own)
    /// waits for the first, then runs with the tokens it kept.
    cycle: tokio::sync::Mutex<()>,
    /// Held while the refresh token is rotated: the server takes each refresh token once, and
    /// treats a second use as theft (it revokes the device's sign-in).
    refreshing: tokio::sync::Mutex<()>,
}

impl SyncEngine {
    /// An engine over an unlocked store, with default tuning.
    pub fn new(store: UnlockedStore) -> Self {
        Self::with_config(store, EngineConfig::default())
    }

    /// An engine with chosen tuning.
    pub fn with_config(store: UnlockedStore, config: EngineConfig) -> Self {
        let signed_in = store.session().ok().flatten().is_some();
        let last_success = store.last_sync().ok().flatten();
        let state = if signed_in { SyncState::Idle { last_success } } else { SyncState::SignedOut };
        let counts = store.counts().unwrap_or_default();
        let (status, _) = watch::channel(SyncStatus { state, counts, last_success });
        Self {
            store,
            config,
            status,
            client: std::sync::Mutex::new(None),
            cycle: tokio::sync::Mutex::new(()),
            refreshing: tokio::sync::Mutex::new(()),
        }
    }

    /// The status for the UI to read (and be woken by when it changes).
    pub fn status(&self) -> watch::Receiver<SyncStatus> {
        self.status.subscribe()
    }

    /// The status now, with the outbox counts read afresh (so a visit submitted a moment ago
    /// already counts as waiting).
    pub fn current(&self) -> SyncStatus {
        self.refresh_counts();
        self.status.borrow().clone()
    }

    /// Re-reads the outbox counts (call after submitting a visit, so "waiting" goes up at once).
    pub fn refresh_counts(&self) {
        if let Ok(counts) = self.store.counts() {
            // Only wake readers when something changed, so a UI that re-reads the status when
            // woken cannot spin.
            self.status.send_if_modified(|s| {
                let changed = s.counts != counts;
                s.counts = counts;
                changed
            });
        }
    }

    /// Tells the engine a worker signed in (after the session was saved).
    pub fn signed_in(&self) {
        self.publish(SyncEvent::SignedIn);
    }

    fn publish(&self, event: SyncEvent) {
        let counts = self.store.counts().ok();
        self.status.send_modify(|status| {
            status.state = status.state.on(&event);
            if let SyncEvent::Succeeded { at } = event {
                status.last_success = Some(at);
            }
            if matches!(event, SyncEvent::Wiped) {
                status.last_success = None;
                status.counts = Default::default();
            } else if let Some(counts) = counts {
                status.counts = counts;
            }
        });
    }

    fn client_for(&self, server_url: &str) -> Result<SyncClient, SyncError> {
        let mut cached = self.client.lock().unwrap_or_else(|p| p.into_inner());
        match cached.as_ref() {
            Some(client) if client.base_url().trim_end_matches('/') == server_url.trim_end_matches('/') => {
                Ok(client.clone())
            }
            _ => {
                let client = SyncClient::new(server_url)?;
                *cached = Some(client.clone());
                Ok(client)
            }
        }
    }

    /// Runs one cycle now and publishes the resulting state. On the server's wipe answer,
    /// wipes the device before returning [`SyncError::Wipe`].
    ///
    /// One cycle runs at a time: a call made while another is running waits for it, then runs
    /// its own cycle with the session as the first left it.
    pub async fn sync_once(&self) -> Result<CycleReport, SyncError> {
        let _one_at_a_time = self.cycle.lock().await;
        self.publish(SyncEvent::Started { at: Utc::now() });
        let result = self.cycle().await;
        match &result {
            Ok(report) => {
                info!(
                    pushed = report.pushed,
                    stored = report.stored,
                    rejected = report.rejected,
                    conflicts = report.conflicts,
                    pages = report.pages,
                    "sync complete"
                );
                self.publish(SyncEvent::Succeeded { at: Utc::now() });
            }
            Err(SyncError::Wipe) => {
                warn!("the server revoked this device: wiping local data");
                if let Err(e) = self.store.local().wipe() {
                    warn!(error = %e, "wipe failed");
                }
                self.publish(SyncEvent::Wiped);
            }
            Err(error) => {
                info!(error = %error, transient = error.is_transient(), "sync failed");
                if matches!(FailureKind::from(error), FailureKind::Unauthorized) {
                    // The session cannot be renewed: forget the tokens, keep the work.
                    let _ = self.store.clear_session();
                }
                self.publish(SyncEvent::Failed { kind: FailureKind::from(error), at: Utc::now() });
            }
        }
        result
    }

    async fn cycle(&self) -> Result<CycleReport, SyncError> {
        let mut session = self.store.session()?.ok_or(SyncError::SignedOut)?;
        let client = self.client_for(&session.server_url)?;
        let margin = chrono::Duration::from_std(self.config.refresh_margin).unwrap_or_default();
        if session.access_expires_at - margin <= Utc::now() {
            self.refresh(&client, &mut session).await?;
        }
        let mut report = CycleReport::default();

        for upload in self.store.pending_uploads()? {
            let Some(photo) = self.store.photo(&upload.sha256)? else {
                self.store.mark_uploaded(&upload.sha256)?;
                continue;
            };
            let (sha, media_type) = (upload.sha256.clone(), upload.media_type.clone());
            self.authed(&client, &mut session, |token| {
                let (client, sha, media_type, bytes) =
                    (client.clone(), sha.clone(), media_type.clone(), photo.bytes.clone());
                async move { client.upload_blob(&token, &sha, &media_type, bytes).await }
            })
            .await?;
            self.store.mark_uploaded(&upload.sha256)?;
            report.photos_uploaded += 1;
        }

        // The batches go one at a time, in order, each bounded by count and by the size of its
        // JSON (the server refuses a body over 4 MiB once decompressed). Each is serialised and
        // compressed while the one before it is on its way, so a long backlog spends its time on
        // the network and the server rather than waiting for this device to encode the next.
        let mut batches = Batches::new(
            self.store.outbox_waiting()?.into_iter().map(|e| e.visit).collect(),
            self.config.push_batch,
            self.config.push_bytes,
        );
        let device_id = session.device_id;
        let encode = move |visits: Vec<shared::Visit>| {
            let request = PushRequest { protocol: PROTOCOL_VERSION, device_id, visits };
            PushBody::encode(&request).map(|body| (request.visits, body))
        };
        // A push that failed in a way the pull does not share (the server refused or failed
        // this push): the pull still runs, so removals from scope and updates still arrive,
        // and the cycle then fails with this error.
        let mut push_failed: Option<SyncError> = None;
        let mut next = batches.next().map(encode).transpose()?;
        while let Some((visits, body)) = next.take() {
            let ids: Vec<(VisitId, u32)> = visits.iter().map(|v| (v.id, v.revision)).collect();
            self.store.note_push_attempt(&ids)?;
            let following = batches.next().map(|visits| tokio::task::spawn_blocking(move || encode(visits)));
            let response = self
                .authed(&client, &mut session, |token| {
                    let (client, body) = (client.clone(), body.clone());
                    async move { client.push_body(&token, &body).await }
                })
                .await;
            let results = match response {
                Ok(response) => response.results,
                Err(SyncError::Rejected { status: 413, .. }) if visits.len() > 1 => {
                    // Larger than the server takes after all: send it again in two halves,
                    // before the batch already encoded (which goes again later, re-encoded).
                    warn!(visits = visits.len(), "the server found a push too large: splitting it");
                    if let Some(task) = following {
                        let (after, _) = task.await.map_err(|e| SyncError::Protocol(e.to_string()))??;
                        batches.put_back(after);
                    }
                    let mut first = visits;
                    let second = first.split_off(first.len() / 2);
                    batches.put_back(second);
                    next = Some(encode(first)?);
                    continue;
                }
                Err(SyncError::Rejected { status: 413, .. }) => {
                    // One visit over the server's limit: every field is within its bound, but
                    // enough long text that the JSON is over 4 MiB (characters that JSON
                    // escapes count several bytes). Set it aside as refused, with the words,
                    // so the rest are not held behind it for ever.
                    warn!(visit.id = %ids[0].0, "the server found one visit too large to take");
                    let message =
                        "This visit is too large to send: shorten what was written (the quotes, the \
                                   views, the facts or the concerns), then submit it again."
                            .to_owned();
                    vec![shared::sync::PushResult {
                        visit_id: ids[0].0,
                        revision: ids[0].1,
                        outcome: shared::sync::PushOutcome::Rejected {
                            errors: vec![shared::validation::FieldError::new("visit", message)],
                        },
                    }]
                }
                Err(error) if pull_after_failed_push(&error) => {
                    warn!(error = %error, "a push failed: pulling anyway");
                    if let Some(task) = following {
                        task.abort();
                    }
                    push_failed = Some(error);
                    break;
                }
                Err(error) => return Err(error),
            };
            let now = Utc::now();
            for result in &results {
                self.store.record_push_result(result, now)?;
                match &result.outcome {
                    o if o.is_stored() => report.stored += 1,
                    shared::sync::PushOutcome::Rejected { .. } => {
                        warn!(visit.id = %result.visit_id, visit.revision = result.revision, "server rejected a visit");
                        report.rejected += 1
                    }
                    _ => {
                        warn!(visit.id = %result.visit_id, visit.revision = result.revision, "visit in conflict");
                        report.conflicts += 1
                    }
                }
            }
            self.store.flush()?;
            report.pushed += ids.len();
            self.refresh_counts();
            next = match following {
                Some(task) => Some(task.await.map_err(|e| SyncError::Protocol(e.to_string()))??),
                None => None,
            };
        }

        // An earlier version of the app could not read some changes, and left them out: now
        // updated, pull everything again, so nothing it left out stays missing.
        let updated_past = self.store.unreadable()?.filter(|u| u.app_version != APP_VERSION);
        let mut cursor = match &updated_past {
            Some(earlier) => {
                info!(
                    unreadable = earlier.count,
                    "the app was updated since changes it could not read: pulling everything again"
                );
                None
            }
            None => self.store.pull_cursor()?,
        };
        // Set when the server no longer knows this device's place (a server restored from a
        // backup), or after an update (above): everything is pulled again, and the children it
        // no longer sends are removed, in case a removal was among what could not be read.
        let mut again: Option<std::collections::HashSet<shared::ChildId>> =
            updated_past.as_ref().map(|_| std::collections::HashSet::new());
        loop {
            let pulled = self
                .authed(&client, &mut session, |token| {
                    let (client, cursor, limit) = (client.clone(), cursor.clone(), self.config.pull_limit);
                    async move { client.pull(&token, cursor.as_ref(), limit).await }
                })
                .await;
            let Pulled { page, unreadable } = match pulled {
                Err(SyncError::Rejected { body, .. })
                    if cursor.is_some()
                        && again.is_none()
                        && body.fields.iter().any(|f| f.field == "cursor") =>
                {
                    warn!("the server no longer knows this device's place: pulling everything again");
                    cursor = None;
                    again = Some(std::collections::HashSet::new());
                    continue;
                }
                other => other?,
            };
            if let Some(sent) = again.as_mut() {
                sent.extend(page.events.iter().filter_map(|e| match e {
                    shared::sync::ChangeEvent::Child { child } => Some(child.id),
                    _ => None,
                }));
            }
            self.store.note_unreadable(unreadable, APP_VERSION, Utc::now())?;
            report.unreadable += unreadable;
            let summary = self.store.apply_pull(&page, Utc::now())?;
            add(&mut report.pulled, summary);
            report.pages += 1;
            if !page.more {
                if let Some(earlier) = &updated_past {
                    self.store.clear_unreadable_of(&earlier.app_version)?;
                }
                if let Some(sent) = again {
                    self.forget_children_not_in(&sent, &page.cursor)?;
                }
                break;
            }
            if cursor.as_ref() == Some(&page.cursor) {
                return Err(SyncError::Protocol("the server said 'more' without moving the cursor".into()));
            }
            cursor = Some(page.cursor);
        }

        // A duty worker reads the handover at the door, perhaps without signal: keep a fresh copy
        // of each one for the children they cover now.
        let today = self.store.today(Utc::now())?;
        let me = session.worker.id;
        for cover in self.store.covers()? {
            if cover.duty_worker != me || !cover.is_active_on(today) {
                continue;
            }
            let child = cover.child_id;
            // Naming the copy kept: while it is current the server sends nothing, and records
            // no view of a handover nobody opened.
            let held = self.store.kept_tag(Kept::Handover, child);
            let fetched = self
                .authed(&client, &mut session, |token| {
                    let (client, held) = (client.clone(), held.clone());
                    async move { client.handover(&token, child, held.as_deref()).await }
                })
                .await;
            match fetched {
                Ok(Some((handover, tag))) => {
                    self.store.save_handover(&handover, tag)?;
                    report.handovers += 1;
                }
                // The copy kept is still the server's.
                Ok(None) => {}
                // Cover ended or changed on the server since the pull: the next pull says so.
                Err(SyncError::NotFound | SyncError::Forbidden(_)) => {}
                Err(e) => return Err(e),
            }
        }

        if let Some(error) = push_failed {
            return Err(error);
        }
        let keep_receipts = chrono::Duration::from_std(self.config.keep_sent_receipts).unwrap_or_default();
        self.store.prune_sent(Utc::now() - keep_receipts)?;
        self.store.set_last_sync(Utc::now())?;
        Ok(report)
    }

    /// Runs `call` with the access token; on a 401, refreshes once and tries again.
    /// Resolves, on the server, a conflict this device's version of a visit is in, keeping
    /// `keep` with the worker's `reason`, then sets it aside here. When the server no longer
    /// lists it (a manager, or the worker on another device, resolved it first), it is set aside
    /// here too and [`ConflictOutcome::AlreadyResolved`] says so.
    pub async fn resolve_conflict(
        &self,
        visit: VisitId,
        revision: u32,
        keep: ConflictChoice,
        reason: &str,
    ) -> Result<ConflictOutcome, SyncError> {
        let mut session = self.store.session()?.ok_or(SyncError::SignedOut)?;
        let client = self.client_for(&session.server_url)?;
        let listed = self
            .authed(&client, &mut session, |token| {
                let client = client.clone();
                async move { client.conflicts(&token).await }
            })
            .await?;
        let device = session.device_id;
        let found = listed
            .into_iter()
            .find(|c| c.visit_id == visit && c.revision == revision && c.device_id == device);
        let outcome = match found {
            Some(conflict) => {
                let reason = reason.to_owned();
                self.authed(&client, &mut session, |token| {
                    let (client, reason) = (client.clone(), reason.clone());
                    async move { client.resolve_conflict(&token, conflict.id, keep, &reason).await }
                })
                .await?;
                ConflictOutcome::Resolved
            }
            None => ConflictOutcome::AlreadyResolved,
        };
        self.store.dismiss(visit, revision)?;
        self.refresh_counts();
        Ok(outcome)
    }

    /// After pulling everything again: removes every child this phone holds that the server did
    /// not send (no longer in the worker's scope), as a "removed from scope" event would.
    fn forget_children_not_in(
        &self,
        sent: &std::collections::HashSet<shared::ChildId>,
        cursor: &shared::sync::Cursor,
    ) -> Result<(), SyncError> {
        let events: Vec<shared::sync::ChangeEvent> = self
            .store
            .children()?
            .into_iter()
            .filter(|c| !sent.contains(&c.id))
            .map(|c| shared::sync::ChangeEvent::RemovedFromScope {
                child_id: c.id,
                reason: shared::sync::RemovalReason::Reallocated,
            })
            .collect();
        if !events.is_empty() {
            let page = shared::sync::PullResponse {
                protocol: PROTOCOL_VERSION,
                events,
                cursor: cursor.clone(),
                more: false,
                settings: None,
            };
            self.store.apply_pull(&page, Utc::now())?;
        }
        Ok(())
    }

    async fn authed<T, F, Fut>(
        &self,
        client: &SyncClient,
        session: &mut SessionRecord,
        call: F,
    ) -> Result<T, SyncError>
    where
        F: Fn(String) -> Fut,
        Fut: Future<Output = Result<T, SyncError>>,
    {
        match call(session.access_token.clone()).await {
            Err(SyncError::Unauthorized(_)) => {
                self.refresh(client, session).await?;
                call(session.access_token.clone()).await
            }
            other => other,
        }
    }

    /// Rotates the refresh token, one caller at a time. A caller that waited while another
    /// rotated it takes the tokens that one kept instead of spending the old token again (the
    /// server would take that for a stolen token and revoke the sign-in).
    async fn refresh(&self, client: &SyncClient, session: &mut SessionRecord) -> Result<(), SyncError> {
        let _one_at_a_time = self.refreshing.lock().await;
        let kept = self.store.session()?.ok_or(SyncError::SignedOut)?;
        if kept.refresh_token != session.refresh_token {
            *session = kept;
            return Ok(());
        }
        let request =
            RefreshRequest { refresh_token: session.refresh_token.clone(), device_id: session.device_id };
        let tokens = client.refresh(&request).await?;
        session.update_tokens(tokens);
        // The old refresh token is now spent: keep the new one before anything else.
        self.store.save_session(session)?;
        Ok(())
    }

    /// Starts the background loop: syncs now, then every [`EngineConfig::interval`] while all
    /// is well, or at the back-off time after a failure; [`SyncHandle::sync_now`] wakes it
    /// early. It stops on a wipe, and waits for a nudge while signed out.
    pub fn spawn(self: Arc<Self>) -> SyncHandle {
        let nudge = Arc::new(Notify::new());
        let status = self.status();
        let task = tokio::spawn(run(self, nudge.clone()));
        SyncHandle { nudge, status, task }
    }
}

async fn run(engine: Arc<SyncEngine>, nudge: Arc<Notify>) {
    let mut new_work = engine.store.new_work();
    loop {
        let _ = engine.sync_once().await;
        let state = engine.status.borrow().state.clone();
        let wait = match &state {
            SyncState::Wiped => return,
            SyncState::SignedOut => None,
            SyncState::Offline { retry_at, .. } | SyncState::Failed { retry_at, .. } => {
                Some(until(*retry_at))
            }
            SyncState::Idle { .. } | SyncState::Syncing { .. } => Some(engine.config.interval),
        };
        // New work (a submit) updates the counts at once and is sent at once, unless the last
        // attempt failed: then it waits for the back-off like everything else.
        let send_new_work = matches!(state, SyncState::Idle { .. });
        let sleep = async {
            match wait {
                Some(wait) => tokio::time::sleep(wait).await,
                None => std::future::pending().await,
            }
        };
        tokio::pin!(sleep);
        loop {
            tokio::select! {
                _ = nudge.notified() => break,
                _ = &mut sleep => break,
                changed = new_work.changed() => {
                    if changed.is_err() {
                        return;
                    }
                    engine.refresh_counts();
                    if send_new_work {
                        break;
                    }
                }
            }
        }
    }
}

/// Whether the pull may still run after a push failed with `error`: yes when the server
/// answered and refused or failed only this push; no when the network or the session is the
/// trouble (the pull would fail the same way), or the server asked the phone to slow down or to
/// wipe itself.
fn pull_after_failed_push(error: &SyncError) -> bool {
    matches!(
        error,
        SyncError::Rejected { .. } | SyncError::Server { .. } | SyncError::Forbidden(_) | SyncError::NotFound
    )
}

/// The outbox cut into pushes, in order: each at most `count` visits and `bytes` of JSON (but
/// never empty: a visit larger than `bytes` goes alone). A push the server still finds too large
/// is put back in halves ([`Batches::put_back`]) and goes again before the rest.
struct Batches {
    waiting: std::collections::VecDeque<shared::Visit>,
    put_back: Vec<Vec<shared::Visit>>,
    count: usize,
    bytes: usize,
}

impl Batches {
    fn new(waiting: Vec<shared::Visit>, count: usize, bytes: usize) -> Self {
        Self { waiting: waiting.into(), put_back: Vec::new(), count: count.max(1), bytes }
    }

    /// Puts `visits` back to go next, before anything put back earlier.
    fn put_back(&mut self, visits: Vec<shared::Visit>) {
        if !visits.is_empty() {
            self.put_back.push(visits);
        }
    }

    fn next(&mut self) -> Option<Vec<shared::Visit>> {
        if let Some(batch) = self.put_back.pop() {
            return Some(batch);
        }
        // The request's own fields and the commas between visits.
        let mut size: usize = 128;
        let mut batch = Vec::new();
        while batch.len() < self.count {
            let Some(visit) = self.waiting.front() else { break };
            let length = json_len(visit) + 1;
            if !batch.is_empty() && size.saturating_add(length) > self.bytes {
                break;
            }
            size = size.saturating_add(length);
            batch.extend(self.waiting.pop_front());
        }
        (!batch.is_empty()).then_some(batch)
    }
}

/// The length of `visit`'s JSON, counted without keeping it.
fn json_len(visit: &shared::Visit) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    // A visit always serialises; were it not to, the push's own encoding says why.
    let _ = serde_json::to_writer(&mut count, visit);
    count.0
}

fn until(at: DateTime<Utc>) -> Duration {
    (at - Utc::now()).to_std().unwrap_or(Duration::ZERO)
}

fn add(total: &mut PullSummary, page: PullSummary) {
    total.children += page.children;
    total.visits += page.visits;
    total.covers += page.covers;
    total.escalations += page.escalations;
    total.removed += page.removed;
    total.confirmed_sent += page.confirmed_sent;
}

/// The running background loop.
#[derive(Debug)]
pub struct SyncHandle {
    nudge: Arc<Notify>,
    status: watch::Receiver<SyncStatus>,
    task: tokio::task::JoinHandle<()>,
}

impl SyncHandle {
    /// "Sync now": wakes the loop at once (or right after the cycle in progress).
    pub fn sync_now(&self) {
        self.nudge.notify_one();
    }

    /// The status for the UI.
    pub fn status(&self) -> watch::Receiver<SyncStatus> {
        self.status.clone()
    }

    /// Whether the loop has stopped (after a wipe).
    pub fn is_finished(&self) -> bool {
        self.task.is_finished()
    }

    /// Stops the loop. Safe at any point: every store write is atomic, and a batch pushed but
    /// not yet recorded is pushed again and answered "duplicate".
    pub fn stop(self) {
        self.task.abort();
    }
}
