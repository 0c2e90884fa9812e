//! The one door from the screens to the phone's data and the server.
//!
//! [`Services`] wraps the non-UI core (the PIN session and encrypted store, the sync engine,
//! photo processing) in the calls the screens need, and publishes a [`Snapshot`] of what the
//! UI shows (signed in or locked, what is waiting to be sent) on a watch channel. Screens call
//! it only from spawned tasks and read the snapshot through [`crate::app::UiState`]'s signals.
//!
//! One `Services` serves the whole process: the desktop window, or every browser tab of the
//! liveview host, sees the same phone.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::Utc;
use shared::sync::{DatedQuote, Handover as ServerHandover};
use shared::{
    AbsenceKind, AttachmentRef, BusinessClock, Child, ChildId, CoverAssignment, Escalation, EscalationAction,
    EscalationId, Role, VisitId, Worker, WorkerCapacity, WorkerId,
};
use tokio::sync::watch;

use super::model::{CaseSummary, recent_words};
use super::{SessionView, SyncView};
use crate::draft::VisitDraft;
use crate::session::PinSession;
use crate::store::{
    CaseloadEntry, Kept, LocalStore, MAX_PIN_ATTEMPTS, OutboxState, StoreError, UnlockError, UnlockedStore,
};
use crate::sync::{FileAnswer, SyncClient, SyncEngine, SyncHandle, SyncState, SyncStatus};

/// A problem to show a worker, in plain words.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct UiError(pub String);

impl UiError {
    fn new(words: impl Into<String>) -> Self {
        Self(words.into())
    }
}

impl From<StoreError> for UiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Wiped => UiError::new("The data on this phone was wiped. Sign in again."),
            StoreError::NotFound => UiError::new("That record is not on this phone."),
            other => UiError::new(other.to_string()),
        }
    }
}

impl From<UnlockError> for UiError {
    fn from(e: UnlockError) -> Self {
        match e {
            UnlockError::WrongPin { attempts_left } => UiError::new(format!(
                "That PIN is wrong. {} will wipe this phone's records.",
                shared::text::count(attempts_left, "more wrong PIN", "more wrong PINs")
            )),
            UnlockError::Wiped => {
                UiError::new("Too many wrong PINs: this phone's records were wiped. Sign in again.")
            }
            UnlockError::NoPin => UiError::new("Sign in first."),
            UnlockError::Store(e) => e.into(),
        }
    }
}

/// How the app was started.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppSettings {
    /// The sync server's address, offered on the sign-in screen.
    pub server: String,
    /// Where the phone's encrypted store lives.
    pub data_dir: PathBuf,
    /// How long without a touch before the app locks (five minutes; shorter only in tests).
    pub idle_lock: std::time::Duration,
}

/// What the UI shows, published on every change.
#[derive(Clone, Debug, PartialEq)]
pub struct Snapshot {
    /// Signed in, locked, or neither.
    pub session: SessionView,
    /// What is waiting to be sent, and whether sync is running.
    pub sync: SyncView,
    /// Bumped when data on the phone changed, so screens reload.
    pub data_version: u64,
}

/// Everything the child screen shows.
#[derive(Clone, Debug, PartialEq)]
pub struct ChildView {
    /// The child's record.
    pub child: Child,
    /// Due state, last seen, cover.
    pub summary: CaseSummary,
    /// Brothers and sisters held on this phone, each with their own record.
    pub siblings: Vec<(ChildId, String)>,
    /// Recent words, newest first.
    pub recent_words: Vec<DatedQuote>,
    /// Escalations still open.
    pub escalations: Vec<Escalation>,
    /// Whether a visit to this child is being captured (a draft is saved).
    pub has_draft: bool,
    /// The people whose need for an interpreter nobody has considered yet.
    pub interpreting_not_considered: Vec<shared::InterpretedPerson>,
    /// When the child was reallocated to this worker and they have not visited since: they read
    /// the handover before their first visit.
    pub reallocated_to_me: Option<shared::Reallocation>,
    /// A manager said the child must be seen alone, and no visit since has seen them alone.
    pub seen_alone_instruction: Option<shared::SeenAloneInstruction>,
    /// The service's date (the authority's time zone, on its business clock) it was read on:
    /// the child's age is on this date, not the phone's.
    pub today: chrono::NaiveDate,
}

/// The duty handover as the screen shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct HandoverView {
    /// The child, with plan and needs.
    pub child: Child,
    /// The cover, when known.
    pub cover: Option<CoverAssignment>,
    /// Recent words, newest first.
    pub recent_words: Vec<DatedQuote>,
    /// Open escalations.
    pub open_escalations: Vec<Escalation>,
    /// When the next statutory visit is due.
    pub next_visit_due: Option<chrono::NaiveDate>,
    /// The latest visits, newest first, each in words: the date, whether the child was seen,
    /// and seen alone.
    pub recent_visits: Vec<String>,
    /// Whether this came from the server just now (rather than the copy on the phone).
    pub from_server: bool,
    /// A manager said the child must be seen alone, and no visit since has seen them alone:
    /// the later of the server's word and the phone's (from the escalations it holds), unless a
    /// visit the phone or the handover knows of has seen the child alone since.
    pub seen_alone_instruction: Option<shared::SeenAloneInstruction>,
}

/// A submitted visit the server refused or found in conflict.
#[derive(Clone, Debug, PartialEq)]
pub struct SyncProblem {
    /// The visit.
    pub visit_id: VisitId,
    /// The revision.
    pub revision: u32,
    /// The child's name, if the child is on this phone.
    pub child_name: String,
    /// The date of the visit.
    pub date: chrono::NaiveDate,
    /// Plain words: what is wrong.
    pub reason: String,
    /// Whether it is a conflict (the server holds another version) rather than a refusal.
    pub conflict: bool,
}

/// The sync screen's details.
#[derive(Clone, Debug, PartialEq)]
pub struct SyncOverview {
    /// Visits started but not submitted, for children no longer on the worker's list
    /// (reallocated, or cover ended): nothing else leads to them.
    pub off_list: Vec<OffListDraft>,
    /// Visits waiting to be sent, with the child's name and date.
    pub waiting: Vec<(String, chrono::NaiveDate)>,
    /// Visits the server holds.
    pub sent: usize,
    /// Photos waiting to be uploaded.
    pub photos_waiting: usize,
    /// Records the worker must deal with.
    pub problems: Vec<SyncProblem>,
    /// Visits the server holds for a manager's review, with the child's name and date: they
    /// count for nothing (not as "seen") until a manager resolves them.
    pub held: Vec<(String, chrono::NaiveDate)>,
    /// Changes from the server this version of the app could not read: the worker is asked to
    /// update it.
    pub unreadable: Option<crate::store::Unreadable>,
}

/// A draft for a child no longer on the worker's list, still to finish and submit.
#[derive(Clone, Debug, PartialEq)]
pub struct OffListDraft {
    /// The child, to open the draft.
    pub child_id: ChildId,
    /// The child's name, as the phone last held it.
    pub child_name: String,
    /// The day the visit started.
    pub started: chrono::NaiveDate,
}

/// One visit held for a manager's review.
#[derive(Clone, Debug, PartialEq)]
pub struct HeldItem {
    /// What the server holds.
    pub held: crate::sync::client::HeldVisit,
    /// The child's name, if held on this device.
    pub child_name: String,
}

/// How a manager resolves a held visit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResolveHeld {
    /// Link it to the right child.
    LinkTo(ChildId),
    /// Accept it for the child it names.
    Accept,
    /// Mark it entered in error.
    EnteredInError,
}

/// One item in a manager's inbox.
#[derive(Clone, Debug, PartialEq)]
pub struct InboxItem {
    /// The escalation.
    pub escalation: Escalation,
    /// The child's name, if held on this device.
    pub child_name: String,
}

/// A child whose case a manager should look at for continuity: interpreting nobody has
/// considered, or more than one key worker during the plan.
#[derive(Clone, Debug, PartialEq)]
pub struct CaseToCheck {
    /// The child.
    pub child_id: ChildId,
    /// The child's name.
    pub child_name: String,
    /// How many people's need for an interpreter nobody has considered.
    pub interpreting_not_considered: usize,
    /// Key workers during the current plan.
    pub key_workers_during_plan: u32,
}

/// The app's services, shared by every window or tab. Cheap to clone.
#[derive(Clone)]
pub struct Services {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Services {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Services").field("settings", &self.inner.settings).finish_non_exhaustive()
    }
}

impl PartialEq for Services {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
}

/// The background sync, while someone is signed in.
struct Running {
    engine: Arc<SyncEngine>,
    handle: SyncHandle,
}

struct Inner {
    settings: AppSettings,
    session: Mutex<PinSession>,
    engine: Mutex<Option<Running>>,
    state: watch::Sender<Snapshot>,
    runtime: tokio::runtime::Handle,
}

impl Services {
    /// Opens the phone's store (locked) and works out where the worker stands. Must be called
    /// inside a tokio runtime, which runs the background sync.
    pub fn open(settings: AppSettings) -> Result<Self, UiError> {
        let store = LocalStore::open(&settings.data_dir)?;
        let session = if store.has_pin()? {
            SessionView::Locked { attempts_left: MAX_PIN_ATTEMPTS.saturating_sub(store.failed_attempts()?) }
        } else {
            SessionView::SignedOut
        };
        let (state, _) = watch::channel(Snapshot { session, sync: SyncView::default(), data_version: 0 });
        let idle_lock = settings.idle_lock;
        Ok(Self {
            inner: Arc::new(Inner {
                settings,
                session: Mutex::new(PinSession::with_clock(
                    store,
                    Arc::new(crate::session::SystemClock),
                    idle_lock,
                )),
                engine: Mutex::new(None),
                state,
                runtime: tokio::runtime::Handle::current(),
            }),
        })
    }

    /// How the app was started.
    pub fn config(&self) -> &AppSettings {
        &self.inner.settings
    }

    /// The server this phone is signed in to (or was started with).
    pub fn server_address(&self) -> String {
        self.pin_session()
            .store()
            .and_then(|store| store.session().ok().flatten())
            .map(|record| record.server_url)
            .unwrap_or_else(|| self.inner.settings.server.clone())
    }

    /// What the UI shows now.
    pub fn snapshot(&self) -> Snapshot {
        self.inner.state.borrow().clone()
    }

    /// Changes to what the UI shows.
    pub fn subscribe(&self) -> watch::Receiver<Snapshot> {
        self.inner.state.subscribe()
    }

    fn pin_session(&self) -> MutexGuard<'_, PinSession> {
        self.inner.session.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn publish(&self, change: impl FnOnce(&mut Snapshot)) {
        self.inner.state.send_modify(change);
    }

    fn data_changed(&self) {
        self.refresh_counts();
        self.publish(|s| s.data_version += 1);
    }

    /// The unlocked store, or a plain error when locked (including by the idle timer now).
    fn store(&self) -> Result<UnlockedStore, UiError> {
        let store = self.pin_session().store();
        match store {
            Some(store) => Ok(store),
            None => {
                self.publish_locked();
                Err(UiError::new("The app is locked. Enter your PIN."))
            }
        }
    }

    fn publish_locked(&self) {
        let attempts_left = {
            let session = self.pin_session();
            MAX_PIN_ATTEMPTS.saturating_sub(session.failed_attempts().unwrap_or(0))
        };
        let has_pin = self.pin_session().local_store().has_pin().unwrap_or(false);
        self.publish(|s| {
            s.session = if has_pin { SessionView::Locked { attempts_left } } else { SessionView::SignedOut };
        });
    }

    /// Signs in (registering this phone with the server), sets the PIN and starts syncing.
    pub async fn sign_in(
        &self,
        server: String,
        username: String,
        password: String,
        pin: String,
    ) -> Result<(), UiError> {
        crate::store::check_pin(&pin)?;
        let server = server.trim().trim_end_matches('/').to_owned();
        let device_id = shared::DeviceId::new();
        let record =
            crate::sync::sign_in(&server, &username, &password, device_id, Some("Field app".to_owned()))
                .await
                .map_err(|e| UiError::new(e.plain_words()))?;
        let store = {
            let mut session = self.pin_session();
            if session.local_store().has_pin()? {
                // Signed in before (for example after the session expired): the PIN must open
                // the existing records rather than replace them.
                session.unlock(&pin)?
            } else {
                session.set_pin(&pin)?
            }
        };
        store.save_session(&record)?;
        tracing::info!(worker.id = %record.worker.id, "signed in");
        // Signing in again after the server ended the session: the engine is already running.
        if let Some(engine) = self.engine() {
            engine.signed_in();
            self.sync_now();
        }
        self.opened(store, record.worker.clone());
        Ok(())
    }

    /// Unlocks with the PIN. Five wrong PINs in a row wipe the phone's records.
    pub async fn unlock(&self, pin: String) -> Result<(), UiError> {
        let result = self.pin_session().unlock(&pin);
        match result {
            Ok(store) => {
                let Some(record) = store.session()? else {
                    self.publish(|s| s.session = SessionView::SignedOut);
                    return Err(UiError::new("Sign in again."));
                };
                self.opened(store, record.worker);
                Ok(())
            }
            Err(e) => {
                match &e {
                    UnlockError::WrongPin { attempts_left } => {
                        let attempts_left = *attempts_left;
                        self.publish(|s| s.session = SessionView::Locked { attempts_left });
                    }
                    UnlockError::Wiped | UnlockError::NoPin => {
                        self.stop_engine();
                        self.publish(|s| s.session = SessionView::SignedOut);
                    }
                    UnlockError::Store(_) => {}
                }
                Err(e.into())
            }
        }
    }

    fn opened(&self, store: UnlockedStore, worker: shared::Worker) {
        self.ensure_engine(store);
        self.publish(|s| s.session = SessionView::Open { worker });
        self.data_changed();
    }

    /// Locks now: the UI loses its store handle and shows no names.
    pub fn lock(&self) {
        self.pin_session().lock();
        self.publish_locked();
    }

    /// The worker touched the screen: restarts the idle timer.
    pub fn touch(&self) {
        let locked = {
            let mut session = self.pin_session();
            session.touch();
            session.is_locked()
        };
        if locked && matches!(self.snapshot().session, SessionView::Open { .. }) {
            self.publish_locked();
        }
    }

    /// Locks if the app has been idle for [`AppSettings::idle_lock`] (five minutes).
    pub fn check_idle(&self) {
        let locked = self.pin_session().check_idle();
        if locked && matches!(self.snapshot().session, SessionView::Open { .. }) {
            self.publish_locked();
        }
    }

    fn worker(&self) -> Result<shared::Worker, UiError> {
        match self.snapshot().session {
            SessionView::Open { worker } => Ok(worker),
            _ => Err(UiError::new("The app is locked. Enter your PIN.")),
        }
    }

    // ----- Reading -----

    /// The caseload, most urgent first (due states worked out on the phone).
    pub async fn caseload(&self) -> Result<Vec<CaseSummary>, UiError> {
        let store = self.store()?;
        let today = store.today(Utc::now())?;
        let started = std::time::Instant::now();
        let cases: Vec<CaseSummary> = store.caseload(today)?.iter().map(CaseSummary::from).collect();
        tracing::debug!(
            children = cases.len(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "caseload read"
        );
        Ok(cases)
    }

    /// Everything the child screen shows; `None` while the child is not on this phone (the
    /// sync may yet bring them).
    pub async fn child_view(&self, id: ChildId) -> Result<Option<ChildView>, UiError> {
        let store = self.store()?;
        let today = store.today(Utc::now())?;
        let Some(entry) = store.caseload(today)?.into_iter().find(|e| e.child.id == id) else {
            return Ok(None);
        };
        let visits = store.counted_visits_for(id)?;
        let mut siblings = Vec::new();
        for sibling in &entry.child.sibling_ids {
            if let Some(child) = store.child(*sibling)? {
                siblings.push((child.id, child.display_name()));
            }
        }
        let has_draft = store.drafts()?.iter().any(|d| d.child_id == id);
        let escalations = store.escalations_for(id)?;
        let me = self.worker()?.id;
        let reallocated_to_me =
            entry.child.reallocation.clone().filter(|r| {
                r.to_worker == me && !visits.iter().any(|v| v.worker_id == me && v.date() >= r.on)
            });
        Ok(Some(ChildView {
            reallocated_to_me,
            interpreting_not_considered: entry.interpreting_not_considered.clone(),
            summary: CaseSummary::from(&entry),
            recent_words: recent_words(&visits, 6),
            seen_alone_instruction: seen_alone_instruction(
                &escalations,
                &visits,
                store.handover(id)?.as_ref(),
            ),
            escalations: escalations.into_iter().filter(|e| e.is_open()).collect(),
            child: entry.child,
            siblings,
            has_draft,
            today,
        }))
    }

    /// The duty handover: fresh from the server when there is signal (and kept on the phone),
    /// otherwise the copy on the phone, otherwise what the phone holds about the child; `None`
    /// when none of them has the child yet (the screen says so and waits for the sync).
    pub async fn handover(&self, id: ChildId) -> Result<Option<HandoverView>, UiError> {
        let store = self.store()?;
        // Naming the copy kept: while it is current the server sends nothing (and records no
        // view), and the copy kept is the server's.
        let held = store.kept_tag(Kept::Handover, id);
        let fetched = match self.client().await {
            Ok((client, token)) => match client.handover(&token, id, held.as_deref()).await {
                Ok(Some((handover, tag))) => {
                    store.save_handover(&handover, tag)?;
                    Some(handover)
                }
                Ok(None) => store.handover(id).ok().flatten(),
                Err(_) => None,
            },
            Err(_) => None,
        };
        let from_server = fetched.is_some();
        if let Some(handover) = fetched.or(store.handover(id)?) {
            let instruction = seen_alone_instruction(
                &store.escalations_for(id)?,
                &store.counted_visits_for(id)?,
                Some(&handover),
            );
            return Ok(Some(HandoverView {
                seen_alone_instruction: instruction,
                ..handover_view(handover, from_server)
            }));
        }
        let Some(view) = self.child_view(id).await? else {
            return Ok(None);
        };
        let entry = store.caseload(store.today(Utc::now())?)?.into_iter().find(|e| e.child.id == id);
        let visits = store.counted_visits_for(id)?;
        Ok(Some(HandoverView {
            seen_alone_instruction: view.seen_alone_instruction,
            next_visit_due: view.summary.due.map(|d| d.due()),
            cover: entry.and_then(|e| e.cover),
            recent_visits: visit_lines(&visits),
            child: view.child,
            recent_words: view.recent_words,
            open_escalations: view.escalations,
            from_server: false,
        }))
    }

    // ----- The visit -----

    /// The draft for a visit to this child: the one being captured, or a new one (saved at
    /// once, pre-filled from the child's record and schedule).
    ///
    /// A child who has left the worker's list (reallocated, or cover ended) with a draft still
    /// on the phone opens on the record kept for it ([`UnlockedStore::kept_child`]), so the
    /// child's words are finished and submitted, not stranded; the server holds such a visit
    /// for a manager's review. No new visit is started for them.
    pub async fn open_draft(&self, id: ChildId) -> Result<(VisitDraft, Child), UiError> {
        let store = self.store()?;
        let worker = self.worker()?;
        let (child, on_list) = match store.child(id)? {
            Some(child) => (child, true),
            None => (
                store.kept_child(id)?.ok_or_else(|| UiError::new("This child is not on this phone."))?,
                false,
            ),
        };
        if let Some(mut draft) =
            store.drafts()?.into_iter().filter(|d| d.child_id == id).max_by_key(|d| d.updated_at)
        {
            // A draft kept from before visits were dated in the authority's zone shows in it
            // now; the next change saves it so. Settings that cannot be read never keep a
            // worker from their draft: it opens as it was kept.
            if let Ok(Some(settings)) = store.settings() {
                draft.show_in(&settings.clock(), &child);
            }
            return Ok((draft, child));
        }
        if !on_list {
            return Err(UiError::new(format!(
                "{} is no longer on your list, so a new visit cannot be started here.",
                child.given_name
            )));
        }
        let Some(settings) = store.settings()? else {
            return Err(UiError::new("Sync with the server once before starting a visit."));
        };
        let real_now = Utc::now();
        let clock = settings.clock();
        let today = clock.today_at(real_now);
        let entry = store.caseload(today)?.into_iter().find(|e| e.child.id == id);
        let capacity = match (&entry, worker.role) {
            (Some(CaseloadEntry { cover: Some(_), .. }), _) => WorkerCapacity::DutyCover,
            (_, Role::SocialWorker) => WorkerCapacity::KeyWorker,
            _ => WorkerCapacity::Other,
        };
        let mut draft = VisitDraft::new_for(
            &child,
            worker.id,
            capacity,
            // The service's business time (moved on a training service), in the authority's
            // zone: the visit's day is the one the caseload calls today, whatever zone the
            // phone is set to.
            clock.local(clock.at(real_now)),
            entry.and_then(|e| e.due_state),
            settings.calendar,
        );
        // When the draft was last changed is the phone's own bookkeeping, on the real clock as
        // every later change is, so the newest of a child's drafts is the one last changed.
        draft.updated_at = real_now;
        store.save_draft_async(&draft).await?;
        Ok((draft, child))
    }

    /// The child's record as this phone holds it now, for a visit form already open: the last
    /// sync may have brought a new carer, a reviewed plan or a changed language need.
    pub fn child_now(&self, id: ChildId) -> Result<Option<Child>, UiError> {
        Ok(self.store()?.child(id)?)
    }

    /// A manager's standing word that the child must be seen alone, for the visit form (see
    /// [`ChildView::seen_alone_instruction`]).
    pub fn seen_alone_instruction(
        &self,
        id: ChildId,
    ) -> Result<Option<shared::SeenAloneInstruction>, UiError> {
        let store = self.store()?;
        Ok(seen_alone_instruction(
            &store.escalations_for(id)?,
            &store.counted_visits_for(id)?,
            store.handover(id)?.as_ref(),
        ))
    }

    /// Writes the draft on the phone at once, so the next screen (the review, opened by a tap
    /// straight after the last key) reads this version; [`Services::flush`] makes it durable.
    pub fn keep_draft(&self, draft: &VisitDraft) -> Result<(), UiError> {
        self.store()?.keep_draft(draft)?;
        Ok(())
    }

    /// Makes everything written on the phone durable: returns once it is on disk.
    pub async fn flush(&self) -> Result<(), UiError> {
        self.store()?.flush_async().await?;
        Ok(())
    }

    /// Starts a flush that outlives the screen asking for it (the visit form, as it closes with
    /// a change not yet on disk). A failure is not lost: the next write's flush retries it.
    pub fn flush_soon(&self) {
        let Ok(store) = self.store() else { return };
        self.inner.runtime.spawn(async move {
            if store.flush_async().await.is_err() {
                tracing::warn!("a draft could not be flushed as its screen closed");
            }
        });
    }

    /// The service's business clock as this phone last heard it from the server: moved on a
    /// training service (`--as-of`), the real clock on a live one and before the first sync.
    pub fn business_clock(&self) -> BusinessClock {
        let settings = self.pin_session().store().and_then(|store| store.settings().ok().flatten());
        settings.map_or_else(|| BusinessClock::live(shared::Tz::UTC), |s| s.clock())
    }

    /// Submits the visit: into the outbox, durably, then sync is nudged.
    pub async fn submit(&self, draft: VisitDraft) -> Result<(), UiError> {
        let store = self.store()?;
        // Judged against the record the form showed: the kept one, for a child who has left
        // the worker's list since the visit was started.
        let child = match store.child(draft.child_id)? {
            Some(child) => Some(child),
            None => store.kept_child(draft.child_id)?,
        };
        let now = Utc::now();
        // Checked against the service's business clock (the training clock, on a demo service).
        let visit = draft.to_visit(store.business_now(now)?, child.as_ref()).map_err(|problems| {
            UiError::new(problems.0.first().map(|p| p.message.clone()).unwrap_or_default())
        })?;
        store.submit(&visit, now)?;
        self.data_changed();
        self.sync_now();
        Ok(())
    }

    /// Processes a picked photo on the phone (resized, EXIF and GPS stripped), keeps it sealed
    /// and adds it to the child's open draft.
    pub async fn add_photo(&self, child: ChildId, bytes: Vec<u8>) -> Result<AttachmentRef, UiError> {
        let store = self.store()?;
        let keeper = store.clone();
        let attachment = tokio::task::spawn_blocking(move || crate::photo::add_photo(&keeper, &bytes, ""))
            .await
            .map_err(|_| UiError::new("The photo could not be processed."))?
            .map_err(|e| UiError::new(e.to_string()))?;
        let (mut draft, _) = self.open_draft(child).await?;
        if !draft.attachments.iter().any(|a| a.sha256 == attachment.sha256) {
            draft.attachments.push(attachment.clone());
        }
        store.save_draft_async(&draft).await?;
        self.refresh_counts();
        Ok(attachment)
    }

    /// Sets what a photo on the child's open draft shows, for example "Child's drawing of
    /// home". Written at once, without waiting for the disk, so the screen opened by the next
    /// tap reads it; [`Services::flush`] makes it durable.
    pub fn caption_photo(&self, child: ChildId, sha256: &str, caption: String) -> Result<(), UiError> {
        let store = self.store()?;
        let no_photo = || UiError::new("That photo is no longer on this visit.");
        let mut draft = store
            .drafts()?
            .into_iter()
            .filter(|d| d.child_id == child)
            .max_by_key(|d| d.updated_at)
            .ok_or_else(no_photo)?;
        let photo = draft.attachments.iter_mut().find(|a| a.sha256 == sha256).ok_or_else(no_photo)?;
        photo.caption = caption;
        draft.updated_at = Utc::now();
        store.keep_draft(&draft)?;
        Ok(())
    }

    // ----- Sync -----

    fn engine(&self) -> Option<Arc<SyncEngine>> {
        self.inner.engine.lock().unwrap_or_else(|p| p.into_inner()).as_ref().map(|r| r.engine.clone())
    }

    fn stop_engine(&self) {
        if let Some(running) = self.inner.engine.lock().unwrap_or_else(|p| p.into_inner()).take() {
            running.handle.stop();
        }
    }

    fn ensure_engine(&self, store: UnlockedStore) {
        let mut slot = self.inner.engine.lock().unwrap_or_else(|p| p.into_inner());
        if slot.is_some() {
            return;
        }
        let _enter = self.inner.runtime.enter();
        let engine = Arc::new(SyncEngine::new(store));
        engine.signed_in();
        let mut statuses = engine.status();
        let handle = engine.clone().spawn();
        let services = self.clone();
        self.inner.runtime.spawn(async move {
            loop {
                let status = statuses.borrow_and_update().clone();
                services.follow_engine(&status);
                if statuses.changed().await.is_err() {
                    break;
                }
            }
        });
        *slot = Some(Running { engine, handle });
    }

    fn follow_engine(&self, status: &SyncStatus) {
        if matches!(status.state, SyncState::Wiped) {
            self.stop_engine();
            self.pin_session().lock();
            self.publish(|s| s.session = SessionView::SignedOut);
            return;
        }
        let syncing = matches!(status.state, SyncState::Syncing { .. });
        let offline = match status.state {
            SyncState::Offline { .. } | SyncState::Failed { .. } | SyncState::SignedOut => {
                Some(status.headline())
            }
            _ => None,
        };
        let view = SyncView {
            waiting: status.counts.waiting + status.counts.photos_waiting,
            problems: status.counts.problems,
            last_success: status.last_success,
            syncing,
            offline,
            headline: status.headline(),
            known: true,
            signed_out: matches!(status.state, SyncState::SignedOut),
            update_needed: self.store().ok().and_then(|store| store.unreadable().ok().flatten()).is_some(),
        };
        // Only a cycle that succeeded can have pulled anything: reload screens then, not after
        // every failed attempt while offline.
        let finished = matches!(status.state, SyncState::Idle { .. }) && self.snapshot().sync.syncing;
        self.publish(|s| s.sync = view);
        if finished {
            self.publish(|s| s.data_version += 1);
        }
    }

    /// A client and a current access token, for calls the screens make directly (handover,
    /// manager actions). Runs a sync cycle first when the token is about to expire, which
    /// refreshes it.
    async fn client(&self) -> Result<(SyncClient, String), UiError> {
        let engine = self.engine().ok_or_else(|| UiError::new("Not signed in."))?;
        let mut record = self.store()?.session()?.ok_or_else(|| UiError::new("Sign in again."))?;
        if record.access_expires_at < Utc::now() + chrono::Duration::seconds(60) {
            let _ = engine.sync_once().await;
            record = self.store()?.session()?.ok_or_else(|| UiError::new("Sign in again."))?;
        }
        let client = SyncClient::new(&record.server_url).map_err(|e| UiError::new(e.plain_words()))?;
        Ok((client, record.access_token))
    }

    /// Re-reads the outbox counts (the engine publishes them, and the UI follows).
    fn refresh_counts(&self) {
        if let Some(engine) = self.engine() {
            engine.refresh_counts();
        }
    }

    /// Asks the engine to sync now (it retries with back-off on its own).
    pub fn sync_now(&self) {
        if let Some(running) = self.inner.engine.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
            running.handle.sync_now();
        }
    }

    /// The sync screen's details.
    pub async fn sync_overview(&self) -> Result<SyncOverview, UiError> {
        let store = self.store()?;
        let name = |id: ChildId| -> String {
            let child = store.child(id).ok().flatten().or_else(|| store.kept_child(id).ok().flatten());
            child.map(|c| c.display_name()).unwrap_or_else(|| "A child".to_owned())
        };
        let mut off_list = Vec::new();
        for draft in store.drafts()? {
            if store.child(draft.child_id)?.is_none()
                && let Some(child) = store.kept_child(draft.child_id)?
            {
                off_list.push(OffListDraft {
                    child_id: child.id,
                    child_name: child.display_name(),
                    started: draft.started_at.date_naive(),
                });
            }
        }
        off_list.sort_by_key(|d| d.started);
        let mut overview = SyncOverview {
            off_list,
            waiting: Vec::new(),
            sent: 0,
            photos_waiting: store.counts()?.photos_waiting,
            problems: Vec::new(),
            held: Vec::new(),
            unreadable: store.unreadable()?,
        };
        for (visit, state) in store.held_visits()? {
            if matches!(state, shared::sync::ReviewState::Waiting { .. }) {
                overview.held.push((name(visit.child_id), visit.date()));
            }
        }
        for entry in store.outbox()? {
            let visit = &entry.visit;
            match entry.state {
                OutboxState::Waiting => overview.waiting.push((name(visit.child_id), visit.date())),
                OutboxState::Sent { .. } => overview.sent += 1,
                OutboxState::Rejected { errors, .. } => overview.problems.push(SyncProblem {
                    visit_id: visit.id,
                    revision: visit.revision,
                    child_name: name(visit.child_id),
                    date: visit.date(),
                    reason: format!(
                        "Sync problem: the server refused this visit. {}",
                        errors.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join(" ")
                    ),
                    conflict: false,
                }),
                OutboxState::Conflict { reason, .. } => overview.problems.push(SyncProblem {
                    visit_id: visit.id,
                    revision: visit.revision,
                    child_name: name(visit.child_id),
                    date: visit.date(),
                    reason: format!(
                        "Sync problem: the server has a different version of this visit. {reason}"
                    ),
                    conflict: true,
                }),
            }
        }
        Ok(overview)
    }

    /// Takes a refused visit back as a draft to fix; returns the child to open.
    pub async fn reopen_rejected(&self, visit: VisitId, revision: u32) -> Result<ChildId, UiError> {
        let store = self.store()?;
        let draft = store.reopen_rejected(visit, revision, Utc::now())?;
        self.data_changed();
        Ok(draft.child_id)
    }

    /// Resolves a visit in conflict on the server by keeping one version, with the worker's
    /// reason (needs signal); the other version stays on the server. Answers plain words for
    /// the sync screen.
    pub async fn resolve_conflict(
        &self,
        visit: VisitId,
        revision: u32,
        keep: crate::sync::ConflictChoice,
        reason: String,
    ) -> Result<&'static str, UiError> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(UiError::new("Say why you keep this version: the reason is required."));
        }
        // The server's bound on a resolution's reason (`POST /api/conflicts/{id}/resolve`).
        if reason.chars().count() > 2_000 {
            return Err(UiError::new("Keep the reason to 2,000 characters."));
        }
        let engine = self.engine().ok_or_else(|| UiError::new("Sign in again to resolve this."))?;
        let outcome = engine
            .resolve_conflict(visit, revision, keep, reason)
            .await
            .map_err(|e| UiError::new(e.plain_words()))?;
        self.data_changed();
        self.sync_now();
        Ok(match outcome {
            crate::sync::ConflictOutcome::Resolved => "Resolved. Both versions are kept on the server.",
            crate::sync::ConflictOutcome::AlreadyResolved => {
                "Someone had already resolved this on the server, so it has been set aside here."
            }
        })
    }

    /// Starts an amendment of the server's version of a visit in conflict, keeping both
    /// versions on the server; returns the child to open.
    ///
    /// The pull has already put the server's version of the revision on the phone in place of
    /// the worker's, so the worker's own version goes with the draft
    /// ([`VisitDraft::own_version`]) before the outbox entry that held it is released: it is
    /// shown beside the form until the amendment is submitted.
    pub async fn amend_conflict(&self, visit: VisitId, revision: u32) -> Result<ChildId, UiError> {
        let store = self.store()?;
        let entry = store
            .outbox()?
            .into_iter()
            .find(|e| e.visit.id == visit && e.visit.revision == revision)
            .ok_or_else(|| UiError::new("That visit is no longer in the outbox."))?;
        let OutboxState::Conflict { server, .. } = entry.state else {
            return Err(UiError::new("That visit is not in conflict."));
        };
        let mut draft =
            VisitDraft::amend(&server, "Merging my version with the version on the server.", Utc::now());
        draft.calendar = store.settings()?.map(|s| s.calendar);
        draft.own_version = Some(entry.visit);
        store.save_draft_async(&draft).await?;
        store.dismiss(visit, revision)?;
        self.data_changed();
        Ok(draft.child_id)
    }

    // ----- Manager -----

    /// Open escalations for a manager (fetched from the server; the phone's copy offline).
    pub async fn inbox(&self) -> Result<Vec<InboxItem>, UiError> {
        let store = self.store()?;
        let fresh = match self.client().await {
            Ok((client, token)) => client.escalations(&token).await.ok(),
            Err(_) => None,
        };
        let escalations = match fresh {
            Some(fresh) => fresh,
            None => store.escalations()?,
        };
        Ok(escalations
            .into_iter()
            .filter(|e| e.is_open())
            .map(|escalation| InboxItem {
                child_name: store
                    .child(escalation.child_id)
                    .ok()
                    .flatten()
                    .map(|c| c.display_name())
                    .unwrap_or_else(|| "A child in your team".to_owned()),
                escalation,
            })
            .collect())
    }

    /// The children on this phone whose case a manager should look at for continuity, from
    /// what the phone holds (so it works offline): most key workers first.
    pub async fn cases_to_check(&self) -> Result<Vec<CaseToCheck>, UiError> {
        let store = self.store()?;
        let today = store.today(Utc::now())?;
        let mut cases: Vec<CaseToCheck> = store
            .caseload(today)?
            .into_iter()
            .filter(|e| e.child.plan.is_some())
            .map(|e| CaseToCheck {
                child_id: e.child.id,
                child_name: e.child.display_name(),
                interpreting_not_considered: e.interpreting_not_considered.len(),
                key_workers_during_plan: e
                    .child
                    .reallocation
                    .as_ref()
                    .map_or(1, |r| r.key_workers_during_plan),
            })
            .filter(|c| c.interpreting_not_considered > 0 || c.key_workers_during_plan > 1)
            .collect();
        cases.sort_by(|a, b| {
            b.key_workers_during_plan.cmp(&a.key_workers_during_plan).then(a.child_name.cmp(&b.child_name))
        });
        Ok(cases)
    }

    /// Visits held for the manager's review (needs signal: the list is kept on the server),
    /// with the child's name where this phone holds the child.
    pub async fn held_for_review(&self) -> Result<Vec<HeldItem>, UiError> {
        let store = self.store()?;
        let (client, token) = self.client().await?;
        let held = client.held_visits(&token).await.map_err(|e| UiError::new(e.plain_words()))?;
        Ok(held
            .into_iter()
            .map(|held| HeldItem {
                child_name: store
                    .child(held.visit.child_id)
                    .ok()
                    .flatten()
                    .map(|c| c.display_name())
                    .unwrap_or_else(|| "A child not on this phone".to_owned()),
                held,
            })
            .collect())
    }

    /// The children this phone holds, by name, for linking a held visit to the right child.
    pub async fn children_by_name(&self) -> Result<Vec<(ChildId, String)>, UiError> {
        let mut children: Vec<(ChildId, String)> =
            self.store()?.children()?.into_iter().map(|c| (c.id, c.display_name())).collect();
        children.sort_by(|a, b| a.1.cmp(&b.1));
        Ok(children)
    }

    /// Resolves a held visit (needs signal): the server records who, when, how and why.
    pub async fn resolve_held(
        &self,
        visit: VisitId,
        revision: u32,
        how: ResolveHeld,
        reason: String,
    ) -> Result<(), UiError> {
        let (client, token) = self.client().await?;
        let resolution = match how {
            ResolveHeld::Accept => serde_json::json!({ "how": "accept" }),
            ResolveHeld::EnteredInError => serde_json::json!({ "how": "entered_in_error" }),
            ResolveHeld::LinkTo(child) => serde_json::json!({ "how": "link_to_child", "child_id": child }),
        };
        let body = serde_json::json!({ "revision": revision, "resolution": resolution, "reason": reason });
        client.resolve_held(&token, visit, &body).await.map_err(|e| UiError::new(e.plain_words()))?;
        self.sync_now();
        self.data_changed();
        Ok(())
    }

    /// Records a manager's standing decision that a child need not be seen alone, from today
    /// until `ends_on`, with the reason (needs signal). Returns the manager's name as recorded.
    pub async fn record_seen_alone_decision(
        &self,
        child: ChildId,
        reason: String,
        ends_on: chrono::NaiveDate,
    ) -> Result<shared::SeenAloneDecision, UiError> {
        let (client, token) = self.client().await?;
        let body = serde_json::json!({ "reason": reason, "ends_on": ends_on });
        client
            .post_json(&format!("api/children/{child}/seen-alone-decisions"), Some(&token), &body)
            .await
            .map_err(|e| UiError::new(e.plain_words()))
    }

    /// Ends a manager's standing decision early, from today, with the reason (needs signal),
    /// and keeps the ended decision on the phone at once, so the visit form no longer counts a
    /// "No" to seen alone as covered. Returns the decision with its end.
    pub async fn end_seen_alone_decision(
        &self,
        child: ChildId,
        decision: shared::SeenAloneDecisionId,
        reason: String,
    ) -> Result<shared::SeenAloneDecision, UiError> {
        let (client, token) = self.client().await?;
        let body = serde_json::json!({ "reason": reason });
        let ended: shared::SeenAloneDecision = client
            .post_json(
                &format!("api/children/{child}/seen-alone-decisions/{decision}/end"),
                Some(&token),
                &body,
            )
            .await
            .map_err(|e| UiError::new(e.plain_words()))?;
        let store = self.store()?;
        let mut kept = store.seen_alone_decisions(child)?;
        match kept.iter_mut().find(|d| d.id == ended.id) {
            Some(held) => *held = ended.clone(),
            None => kept.push(ended.clone()),
        }
        store.save_seen_alone_decisions(child, &kept)?;
        Ok(ended)
    }

    /// A manager's standing decisions that the child need not be seen alone: fresh from the
    /// server when there is signal (and kept on the phone, encrypted), otherwise the copy kept.
    pub async fn seen_alone_decisions(&self, id: ChildId) -> Result<Vec<shared::SeenAloneDecision>, UiError> {
        let store = self.store()?;
        if let Ok((client, token)) = self.client().await
            && let Ok(decisions) = client
                .get_json::<Vec<shared::SeenAloneDecision>>(
                    &format!("api/children/{id}/seen-alone-decisions"),
                    &token,
                )
                .await
        {
            store.save_seen_alone_decisions(id, &decisions)?;
            return Ok(decisions);
        }
        Ok(self.kept_seen_alone_decisions(id))
    }

    /// The manager's standing decision that the child need not be seen alone covering today,
    /// if any (see [`Self::seen_alone_decisions`]).
    pub async fn standing_decision_today(
        &self,
        id: ChildId,
    ) -> Result<Option<shared::SeenAloneDecision>, UiError> {
        let decisions = self.seen_alone_decisions(id).await?;
        let today = self.store()?.today(Utc::now())?;
        Ok(shared::SeenAloneDecision::covering(&decisions, today).cloned())
    }

    /// The standing "seen alone" decisions kept on the phone, without asking the server (the
    /// visit form opens at once, signal or not). None when they cannot be read.
    pub fn kept_seen_alone_decisions(&self, id: ChildId) -> Vec<shared::SeenAloneDecision> {
        self.store().and_then(|store| Ok(store.seen_alone_decisions(id)?)).unwrap_or_default()
    }

    /// The plan's timeline for the child's page: fresh from the server when there is signal
    /// (and kept on the phone, encrypted); otherwise the copy kept on the phone; otherwise the
    /// next core group and review worked out here from the child's record, with the default
    /// timescales (the actions agreed at meetings then need signal).
    ///
    /// The child's page reads it after every sync, so it names the copy kept (by the server's
    /// tag): while that is current the server sends nothing, and the copy kept is shown.
    pub async fn plan_timeline(&self, id: ChildId) -> Result<super::model::TimelineView, UiError> {
        let store = self.store()?;
        let today = store.today(Utc::now())?;
        let read = |raw: serde_json::Value| serde_json::from_value::<super::model::TimelineView>(raw).ok();
        if let Ok((client, token)) = self.client().await {
            let held = store.kept_tag(Kept::Timeline, id);
            match client.get_file(&format!("api/children/{id}/timeline"), &token, held.as_deref()).await {
                Ok(FileAnswer::File { bytes, tag, .. }) => {
                    if let Ok(raw) = serde_json::from_slice::<serde_json::Value>(&bytes)
                        && let Some(mut view) = read(raw.clone())
                    {
                        store.save_timeline(id, &raw, tag)?;
                        view.from_server = true;
                        view.today = Some(today);
                        return Ok(view);
                    }
                }
                // The server's timeline is still the copy kept here.
                Ok(FileAnswer::Unchanged) => {
                    if let Some(mut view) = store.timeline(id)?.and_then(read) {
                        view.from_server = true;
                        view.today = Some(today);
                        return Ok(view);
                    }
                    // The copy cannot be read: ask for the timeline whole next time.
                    store.forget_kept_tag(Kept::Timeline, id);
                }
                Err(_) => {}
            }
        }
        let calendar = match store.settings()? {
            Some(settings) => settings.calendar.calendar(),
            None => shared::Calendar::jersey(),
        };
        // Kept from the last time there was signal: the dates it gave still stand, judged
        // against today (a meeting or action may have fallen due since).
        if let Some(mut view) = store.timeline(id)?.and_then(read) {
            view.core_group = view.core_group.map(|d| d.as_of(calendar, today));
            view.review_conference = view.review_conference.map(|d| d.as_of(calendar, today));
            view.today = Some(today);
            return Ok(view);
        }
        let child = store.child(id)?.ok_or_else(|| UiError::new("This child is not on this phone."))?;
        let dates = child.plan.as_ref().and_then(|plan| {
            shared::timeline::plan_dates(calendar, &shared::timeline::Timescales::default(), plan, &[], today)
        });
        let (core_group, review_conference) =
            dates.map(|(c, r)| (Some(c.into()), Some(r.into()))).unwrap_or_default();
        Ok(super::model::TimelineView {
            initial_conference_on: child.plan.as_ref().and_then(|p| p.details.initial_conference_on),
            counted_from: child.plan.as_ref().map(|p| p.timeline_from()),
            core_group,
            review_conference,
            open_actions: Vec::new(),
            from_server: false,
            today: Some(today),
        })
    }

    /// The children whose case supervision this manager keeps, most overdue first (needs
    /// signal), each with the name the phone holds.
    pub async fn supervision_due(&self) -> Result<Vec<(super::model::SupervisionDue, String)>, UiError> {
        let (client, token) = self.client().await?;
        let mut due: Vec<super::model::SupervisionDue> =
            client.get_json("api/plans/due", &token).await.map_err(|e| UiError::new(e.plain_words()))?;
        due.sort_by_key(|d| (!d.supervision.overdue, d.supervision.due));
        self.named(due, |d| (d.child_id, &d.central_id))
    }

    /// Every child in this manager's scope with their plan dates (needs signal), each with the
    /// name the phone holds, for the desk's "supervision and meetings due".
    pub async fn plans_due(&self) -> Result<Vec<(super::model::PlanDueView, String)>, UiError> {
        let (client, token) = self.client().await?;
        let due: Vec<super::model::PlanDueView> =
            client.get_json("api/plans/due", &token).await.map_err(|e| UiError::new(e.plain_words()))?;
        self.named(due, |d| (d.child_id, &d.central_id))
    }

    /// Each of `items` with the name the phone holds for its child (`child` gives the child's id
    /// and central id), or the central id for a child not on this phone.
    fn named<T>(
        &self,
        items: Vec<T>,
        child: impl Fn(&T) -> (ChildId, &String),
    ) -> Result<Vec<(T, String)>, UiError> {
        let store = self.store()?;
        items
            .into_iter()
            .map(|item| {
                let (id, central_id) = child(&item);
                let name = store.child(id)?.map(|c| c.display_name()).unwrap_or_else(|| central_id.clone());
                Ok((item, name))
            })
            .collect()
    }

    /// Records the manager's supervision of a child's case (needs signal): the date, the
    /// reflection on risk and progress, and a decision.
    pub async fn record_supervision(
        &self,
        child: ChildId,
        held_on: chrono::NaiveDate,
        reflection: String,
        decision: String,
    ) -> Result<String, UiError> {
        let (client, token) = self.client().await?;
        let decisions: Vec<String> = Some(decision).filter(|d| !d.trim().is_empty()).into_iter().collect();
        let body =
            serde_json::json!({ "held_on": held_on, "reflection": reflection, "decisions": decisions });
        let recorded: serde_json::Value = client
            .post_json(&format!("api/children/{child}/supervision"), Some(&token), &body)
            .await
            .map_err(|e| UiError::new(e.plain_words()))?;
        Ok(recorded["recorded_by_name"].as_str().unwrap_or_default().to_owned())
    }

    /// Records what the manager did about an escalation (needs signal).
    pub async fn acknowledge(&self, id: EscalationId, action: EscalationAction) -> Result<(), UiError> {
        let (client, token) = self.client().await?;
        let updated =
            client.acknowledge(&token, id, &action).await.map_err(|e| UiError::new(e.plain_words()))?;
        self.store()?.put_escalation(&updated)?;
        self.data_changed();
        Ok(())
    }

    /// Assigns `duty_worker` to cover `child` from today until `ends_on`, with no escalation to
    /// answer: a child of an absent worker whose visit falls due while they are away (needs
    /// signal).
    pub async fn cover_child(
        &self,
        child: ChildId,
        duty_worker: WorkerId,
        ends_on: chrono::NaiveDate,
    ) -> Result<(), UiError> {
        let (client, token) = self.client().await?;
        self.post_cover(&client, &token, child, duty_worker, ends_on).await?;
        self.data_changed();
        Ok(())
    }

    /// `POST /api/covers`: `duty_worker` covers `child` from the authority's today until
    /// `ends_on`.
    async fn post_cover(
        &self,
        client: &SyncClient,
        token: &str,
        child: ChildId,
        duty_worker: WorkerId,
        ends_on: chrono::NaiveDate,
    ) -> Result<CoverAssignment, UiError> {
        let request = serde_json::json!({
            "child_id": child,
            "duty_worker": duty_worker,
            "starts_on": self.store()?.today(Utc::now())?,
            "ends_on": ends_on,
        });
        client.assign_cover(token, &request).await.map_err(|e| UiError::new(e.plain_words()))
    }

    /// The duty workers this manager may assign cover to, sorted by name. Needs signal: the
    /// staff list is kept on the server, not on the phone.
    pub async fn duty_workers(&self) -> Result<Vec<Worker>, UiError> {
        let (client, token) = self.client().await?;
        client.staff(&token, Some(Role::DutyWorker)).await.map_err(|e| UiError::new(e.plain_words()))
    }

    /// The staff whose absence this manager may record, sorted by name: their own team's, or
    /// everyone's for a senior manager (the server's rule; it refuses any other). Needs signal.
    pub async fn absence_staff(&self) -> Result<Vec<Worker>, UiError> {
        let (client, token) = self.client().await?;
        let me = self.store()?.session()?.map(|record| record.worker);
        let staff = client.staff(&token, None).await.map_err(|e| UiError::new(e.plain_words()))?;
        Ok(staff
            .into_iter()
            .filter(|worker| worker.role != Role::Admin)
            .filter(|worker| match &me {
                Some(me) if me.role == Role::TeamManager => me.team.is_some() && worker.team == me.team,
                _ => true,
            })
            .collect())
    }

    /// Records that `worker` is away from `starts_on` (to `expected_end`, if known), and gives
    /// their children with a visit due meanwhile, most urgent first, each with its name as the
    /// phone holds it (needs signal). The server sweeps those children at once, so an overdue
    /// child of an absent key worker goes to a senior manager.
    pub async fn record_absence(
        &self,
        worker: WorkerId,
        kind: AbsenceKind,
        starts_on: chrono::NaiveDate,
        expected_end: Option<chrono::NaiveDate>,
    ) -> Result<Vec<(super::model::DueWhileAway, String)>, UiError> {
        let (client, token) = self.client().await?;
        let request = serde_json::json!({
            "worker_id": worker, "kind": kind, "starts_on": starts_on, "expected_end": expected_end,
        });
        let recorded: super::model::AbsenceRecordedView =
            client.record_absence(&token, &request).await.map_err(|e| UiError::new(e.plain_words()))?;
        self.data_changed();
        let store = self.store()?;
        let mut out = Vec::with_capacity(recorded.children_due.len());
        for due in recorded.children_due {
            let name = store
                .child(due.child_id)?
                .map_or_else(|| "A child not yet on this phone".to_owned(), |c| c.display_name());
            out.push((due, name));
        }
        Ok(out)
    }

    /// The absences not yet over of the staff this manager manages, soonest first, each with
    /// the worker's name (needs signal).
    pub async fn absences(&self) -> Result<Vec<super::model::AbsenceListedView>, UiError> {
        let (client, token) = self.client().await?;
        client.get_json("api/absences", &token).await.map_err(|e| UiError::new(e.plain_words()))
    }

    /// Sets the last day of an absence: yesterday for someone back today, or the day before it
    /// begins to cancel one not yet begun (needs signal).
    pub async fn set_absence_last_day(
        &self,
        absence: shared::AbsenceId,
        last_day: chrono::NaiveDate,
    ) -> Result<(), UiError> {
        let (client, token) = self.client().await?;
        let _: shared::Absence = client
            .post_json(
                &format!("api/absences/{absence}/last-day"),
                Some(&token),
                &serde_json::json!({ "last_day": last_day }),
            )
            .await
            .map_err(|e| UiError::new(e.plain_words()))?;
        self.data_changed();
        Ok(())
    }

    /// The manager's desk, with `months` calendar months of figures, the current one included
    /// (needs signal: it is worked out on the server from the team's records, which no phone
    /// holds in full).
    pub async fn desk(&self, months: u32) -> Result<shared::desk::Desk, UiError> {
        let (client, token) = self.client().await?;
        client
            .get_json(&format!("api/desk?months={months}"), &token)
            .await
            .map_err(|e| UiError::new(e.plain_words()))
    }

    /// A child's chronology from the server (needs signal).
    ///
    /// Comes with the file it was read from. Given the file `held` from the last reading, the
    /// server sends the chronology again only if it has changed since (and records no view).
    pub async fn chronology(
        &self,
        child: ChildId,
        held: Option<&Download>,
    ) -> Result<(ChronologyView, Download), UiError> {
        let file =
            self.download(&format!("api/children/{child}/chronology"), "chronology.json", held).await?;
        let view = serde_json::from_slice(&file.bytes)
            .map_err(|e| UiError::new(crate::sync::SyncError::Protocol(e.to_string()).plain_words()))?;
        Ok((view, file))
    }

    /// A report or chronology file from the server, fetched with this app's session so that it
    /// can be offered as a download without a token in any address. With the copy `held`, the
    /// server sends the file only if it has changed; otherwise that copy comes back.
    pub async fn download(
        &self,
        path: &str,
        file_name: &str,
        held: Option<&Download>,
    ) -> Result<Download, UiError> {
        let (client, token) = self.client().await?;
        let tag = held.and_then(|held| held.tag.as_deref());
        match client.get_file(path, &token, tag).await.map_err(|e| UiError::new(e.plain_words()))? {
            FileAnswer::File { bytes, content_type, tag } => {
                Ok(Download { file_name: file_name.to_owned(), content_type, bytes, tag })
            }
            // Only a copy held, with a tag, is asked about.
            FileAnswer::Unchanged => held.cloned().ok_or_else(|| UiError::new("The server sent no file.")),
        }
    }

    /// Assigns a duty worker to cover the child an escalation is about, from today until
    /// `ends_on`, and records that as the manager's action on the escalation (needs signal).
    pub async fn assign_cover(
        &self,
        escalation: EscalationId,
        child: ChildId,
        duty_worker: WorkerId,
        ends_on: chrono::NaiveDate,
    ) -> Result<(), UiError> {
        let (client, token) = self.client().await?;
        self.post_cover(&client, &token, child, duty_worker, ends_on).await?;
        let action = EscalationAction::DutyCoverAssigned { duty_worker };
        let updated = client
            .acknowledge(&token, escalation, &action)
            .await
            .map_err(|e| UiError::new(e.plain_words()))?;
        self.store()?.put_escalation(&updated)?;
        self.data_changed();
        Ok(())
    }
}

/// A file fetched from the server with the app's own session, to offer as a download.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Download {
    /// The file name to save it as.
    pub file_name: String,
    /// Its media type, as the server gave it.
    pub content_type: String,
    /// Its contents.
    pub bytes: Vec<u8>,
    /// The server's tag for these bytes (`ETag`), to ask whether they are still current.
    pub tag: Option<String>,
}

impl Download {
    /// A `data:` address holding the file, for a link with `download=`: the browser saves the
    /// bytes already fetched, and no token goes in any address.
    pub fn data_url(&self) -> String {
        use base64::Engine as _;
        let media = self.content_type.split(';').next().unwrap_or("application/octet-stream").trim();
        format!("data:{media};base64,{}", base64::engine::general_purpose::STANDARD.encode(&self.bytes))
    }
}

/// One event in a child's chronology, as the desk shows it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize)]
pub struct ChronologyRow {
    /// The date it happened.
    pub date: chrono::NaiveDate,
    /// The time, where one is recorded.
    #[serde(default)]
    pub time: Option<String>,
    /// Plain words: what happened.
    pub summary: String,
    /// Who, where known.
    #[serde(default)]
    pub worker: Option<String>,
}

/// A child's chronology as the server gives it (`GET /api/children/{id}/chronology`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize)]
pub struct ChronologyView {
    /// The authority's id for the child.
    pub central_id: String,
    /// The child's name.
    pub child_name: String,
    /// Their date of birth (`None` while the child is unborn).
    #[serde(default)]
    pub date_of_birth: Option<chrono::NaiveDate>,
    /// An unborn child's expected date of birth.
    #[serde(default)]
    pub expected_date_of_birth: Option<chrono::NaiveDate>,
    /// The events, oldest first.
    pub entries: Vec<ChronologyRow>,
}

impl ChronologyView {
    /// The child's birth in words: "Date of birth 09/05/2017.", or, for an unborn child,
    /// "Unborn: expected 22/12/2026."
    pub fn birth(&self) -> String {
        match (self.date_of_birth, self.expected_date_of_birth) {
            (Some(born), _) => format!("Date of birth {}.", crate::app::model::dmy(born)),
            (None, Some(expected)) => format!("Unborn: expected {}.", crate::app::model::dmy(expected)),
            (None, None) => "Unborn.".to_owned(),
        }
    }
}

impl From<&CaseloadEntry> for CaseSummary {
    fn from(entry: &CaseloadEntry) -> Self {
        let needs = &entry.child.communication;
        CaseSummary {
            child_id: entry.child.id,
            name: entry.child.display_name(),
            due: entry.due_state,
            last_seen: entry.last_seen,
            working_days_since_seen: entry.working_days_since_seen,
            last_seen_alone: entry.last_seen_alone,
            cover_ends: entry.cover.as_ref().map(|c| c.ends_on),
            interpreter_needed: needs.child.interpreter_needed
                || needs.carers.iter().any(|c| c.need.interpreter_needed),
            interpreting_not_considered: entry.interpreting_not_considered.len(),
        }
    }
}

/// The latest visits (current revisions), newest first, in words: "12 Mar 2026: seen, seen
/// alone".
fn visit_lines(visits: &[shared::Visit]) -> Vec<String> {
    let mut current = shared::visit::current_revisions(visits);
    current.sort_by_key(|v| std::cmp::Reverse(v.started_at));
    current
        .into_iter()
        .take(5)
        .map(|v| {
            let seen = match (v.child_seen(), v.seen_alone_answer()) {
                (false, _) => "not seen",
                (true, Some(true)) => "seen, seen alone",
                (true, _) => "seen, not seen alone",
            };
            let kind = if v.kind == shared::VisitKind::Statutory { "" } else { " (other visit)" };
            format!("{}: {seen}{kind}", super::model::format_date(Some(v.date())))
        })
        .collect()
}

/// A manager's standing word that the child must be seen alone, from what the phone holds (the
/// child's escalations and counted visits) and the child's handover, fresh or kept: the later
/// of the phone's and the handover's, unless a visit either knows of has seen the child alone
/// since.
fn seen_alone_instruction(
    escalations: &[Escalation],
    visits: &[shared::Visit],
    handover: Option<&ServerHandover>,
) -> Option<shared::SeenAloneInstruction> {
    let known = || visits.iter().chain(handover.into_iter().flat_map(|h| &h.recent_visits));
    let said = [
        handover.and_then(|h| h.seen_alone_instruction.clone()),
        shared::SeenAloneInstruction::latest(escalations, known()),
    ];
    said.into_iter().flatten().max_by_key(|said| said.at).filter(|said| said.stands(known()))
}

fn handover_view(handover: ServerHandover, from_server: bool) -> HandoverView {
    HandoverView {
        seen_alone_instruction: handover.seen_alone_instruction,
        child: handover.child,
        cover: handover.cover,
        recent_words: handover.recent_words,
        open_escalations: handover.open_escalations,
        next_visit_due: handover.next_visit_due,
        recent_visits: visit_lines(&handover.recent_visits),
        from_server,
    }
}
