//! Escalations, duty cover and handovers: the rules, with no I/O.
//!
//! The server calls [`sweep`] on a timer and after every push, with every child on a plan, their
//! visits and the escalations already held, and stores the [`EscalationChange`]s it returns.
//! Everything here is a pure function of its inputs and the clock it is given, so each rule is
//! a test case.
//!
//! The rules (the audit's recommendations 4 and 5):
//! - **Overdue** goes to the team manager; overdue by more than
//!   [`ScheduleRules::senior_after_working_days`] (default 5), or while the key worker is
//!   absent, to a senior manager ([`shared::schedule::escalation_level`]).
//! - **A statutory visit where the child was not seen** goes to the team manager at once.
//! - **Not seen alone without a manager's agreement** goes to the team manager, to agree or
//!   disagree.
//! - **An interpreter needed but not used** goes to the team manager.
//! - **No duplicates:** one escalation per child and [`EscalationReason::dedup_key`].
//! - **Late syncs:** an overdue escalation waits [`EscalationConfig::sync_grace`] after the
//!   due date has passed, because a visit may be sitting on a phone with no signal; and one
//!   raised anyway closes itself, with an explanation, when a visit made in time arrives late.
//! - **Not acknowledged in time** ([`EscalationConfig::acknowledge_within`]): raised again, one
//!   level up.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use shared::schedule::{due_state, escalation_level, last_seen, next_visit_due};
use shared::sync::{DatedQuote, Handover};
use shared::validation::FieldError;
use shared::visit::current_revisions;
use shared::{
    Absence, Calendar, Child, ChildId, CoverAssignment, DueState, Escalation, EscalationAction, EscalationId,
    EscalationLevel, EscalationReason, EscalationStatus, Role, ScheduleRules, TeamId, Visit, Worker,
    WorkerId,
};

/// The authority's escalation settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EscalationConfig {
    /// The schedule settings, including N, the working days overdue after which a senior
    /// manager is told.
    pub rules: ScheduleRules,
    /// How long after a due date has passed before "nothing has synced" is called overdue.
    pub sync_grace: Duration,
    /// How long a manager has to acknowledge an escalation before it goes one level up.
    pub acknowledge_within: Duration,
}

impl Default for EscalationConfig {
    fn default() -> Self {
        Self {
            rules: ScheduleRules::default(),
            // A worker out of signal all afternoon syncs that evening or next morning.
            sync_grace: Duration::hours(12),
            acknowledge_within: Duration::hours(48),
        }
    }
}

/// Who escalations go to, and who is away.
#[derive(Clone, Debug, Default)]
pub struct Directory {
    /// Each team's manager.
    pub team_managers: HashMap<TeamId, WorkerId>,
    /// The senior manager escalations go to, when one is in post.
    pub senior_manager: Option<WorkerId>,
    /// Workers recorded absent today.
    pub absent_today: HashSet<WorkerId>,
}

impl Directory {
    /// Builds the directory from the teams, the workers and the absences, as on `today`.
    pub fn new<'a>(
        teams: impl IntoIterator<Item = &'a shared::Team>,
        workers: impl IntoIterator<Item = &'a Worker>,
        absences: impl IntoIterator<Item = &'a Absence>,
        today: NaiveDate,
    ) -> Directory {
        let team_managers = teams.into_iter().filter_map(|t| t.manager.map(|m| (t.id, m))).collect();
        let senior_manager =
            workers.into_iter().filter(|w| w.role == Role::SeniorManager).map(|w| w.id).min();
        let absent_today = absences.into_iter().filter(|a| a.covers(today)).map(|a| a.worker_id).collect();
        Directory { team_managers, senior_manager, absent_today }
    }

    fn manager_for(&self, level: EscalationLevel, team: TeamId) -> Option<WorkerId> {
        match level {
            EscalationLevel::TeamManager => self.team_managers.get(&team).copied(),
            EscalationLevel::SeniorManager => self.senior_manager,
        }
    }
}

/// The clock and settings a sweep runs with.
#[derive(Clone, Copy, Debug)]
pub struct SweepContext<'a> {
    /// The working-day calendar.
    pub calendar: &'a Calendar,
    /// The settings.
    pub config: &'a EscalationConfig,
    /// Managers and absences.
    pub directory: &'a Directory,
    /// Now.
    pub now: DateTime<Utc>,
    /// Today's date where the children live.
    pub today: NaiveDate,
}

/// One child, as the sweep needs them.
#[derive(Clone, Copy, Debug)]
pub struct ChildCase<'a> {
    /// The child, with their plan.
    pub child: &'a Child,
    /// Every revision of every visit to the child.
    pub visits: &'a [Visit],
    /// Every escalation held about the child, open or not.
    pub escalations: &'a [Escalation],
}

/// What a sweep decided about one escalation. Each carries the escalation as it now stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EscalationChange {
    /// A new escalation.
    Raised(Escalation),
    /// Raised again one level up: overdue for longer, the key worker away, or not acknowledged
    /// in time.
    RaisedAgain(Escalation),
    /// Closed by the system, with its explanation in the status.
    Closed(Escalation),
}

impl EscalationChange {
    /// The escalation as it now stands.
    pub fn escalation(&self) -> &Escalation {
        match self {
            EscalationChange::Raised(e) | EscalationChange::RaisedAgain(e) | EscalationChange::Closed(e) => e,
        }
    }

    /// The escalation as it now stands, owned.
    pub fn into_escalation(self) -> Escalation {
        match self {
            EscalationChange::Raised(e) | EscalationChange::RaisedAgain(e) | EscalationChange::Closed(e) => e,
        }
    }
}

/// Applies every rule to every child and returns what changed, children in the order given.
pub fn sweep<'a>(
    cases: impl IntoIterator<Item = ChildCase<'a>>,
    context: &SweepContext<'_>,
) -> Vec<EscalationChange> {
    let mut changes = Vec::new();
    for case in cases {
        sweep_child(case, context, &mut changes);
    }
    changes
}

/// Applies every rule to one child, appending what changed.
pub fn sweep_child(case: ChildCase<'_>, context: &SweepContext<'_>, changes: &mut Vec<EscalationChange>) {
    let Some(plan) = case.child.plan.as_ref() else { return };
    let child_id = case.child.id;
    let now = context.now;
    let today = context.today;
    let current = current_revisions(case.visits);
    // Each escalation changes at most once per sweep: the latest decision wins.
    let mut decided: Vec<EscalationChange> = Vec::new();
    let existing = |key: &str| case.escalations.iter().find(|e| e.reason.dedup_key() == key);

    if !plan.is_active_on(today) {
        // The plan ended: nobody is overdue a statutory visit any more.
        for escalation in case.escalations.iter().filter(|e| e.is_open()) {
            if matches!(escalation.reason, EscalationReason::Overdue { .. }) {
                let ended =
                    plan.deregistered_on.map(|d| d.format("%d/%m/%Y").to_string()).unwrap_or_default();
                decided.push(close(escalation, format!("The child protection plan ended on {ended}."), now));
            }
        }
        changes.extend(decided);
        return;
    }

    // ---- Overdue. ----
    let seen_on = last_seen(case.visits);
    let due = next_visit_due(context.calendar, plan, seen_on);
    let state = due_state(context.calendar, &context.config.rules, due, today);

    // Overdue escalations for an earlier due date: the child has been seen since.
    for escalation in case.escalations.iter().filter(|e| e.is_open()) {
        let EscalationReason::Overdue { due: raised_due, .. } = escalation.reason else { continue };
        if raised_due == due {
            continue;
        }
        let in_time = current
            .iter()
            // Made on or before the date it was due by, and late only in reaching us: had it
            // synced, the due date would have moved past the one this escalation is about.
            .filter(|v| {
                v.resets_schedule()
                    && v.date() <= raised_due
                    && next_visit_due(context.calendar, plan, Some(v.date())) > raised_due
            })
            .map(|v| v.date())
            .max();
        if let Some(visited) = in_time {
            decided.push(close(
                escalation,
                format!(
                    "A statutory visit on {}, in time for the due date of {}, arrived late from a device \
                     that had been offline. The child was not overdue.",
                    visited.format("%d/%m/%Y"),
                    raised_due.format("%d/%m/%Y")
                ),
                now,
            ));
        }
        // Seen, but late: the escalation stays open until a manager records what was done.
    }

    let overdue_since = due.succ_opt().and_then(|d| d.and_hms_opt(0, 0, 0)).map(|d| d.and_utc());
    let past_grace = overdue_since.is_some_and(|since| now >= since + context.config.sync_grace);
    if let DueState::Overdue { working_days_overdue, .. } = state
        && past_grace
    {
        let absent = context.directory.absent_today.contains(&plan.key_worker);
        let required =
            escalation_level(&state, absent, &context.config.rules).unwrap_or(EscalationLevel::TeamManager);
        let reason = EscalationReason::Overdue { due, working_days_overdue, key_worker_absent: absent };
        let to = context.directory.manager_for(required, plan.team);
        match existing(&reason.dedup_key()) {
            None => {
                decided.push(EscalationChange::Raised(new_escalation(child_id, reason, required, to, now)))
            }
            Some(escalation) => {
                let reopen = match &escalation.status {
                    EscalationStatus::Open | EscalationStatus::Acknowledged { .. } => {
                        required > escalation.level
                    }
                    // Closed, yet overdue again for the same date: the visit that closed it was
                    // voided.
                    EscalationStatus::Closed { .. } => true,
                };
                if reopen {
                    let mut raised = escalation.clone();
                    raised.reason = reason;
                    raised.level = required.max(escalation.level);
                    raised.to = context.directory.manager_for(raised.level, plan.team);
                    raised.re_raised_at = Some(now);
                    raised.status = EscalationStatus::Open;
                    decided.push(EscalationChange::RaisedAgain(raised));
                }
            }
        }
    }

    // ---- Visits: not seen, not seen alone, interpreter not used. ----
    let mut still_holds: HashSet<String> = HashSet::new();
    let mut visit_reasons: Vec<EscalationReason> = Vec::new();
    let mut visits_in_plan: Vec<&&Visit> =
        current.iter().filter(|v| v.date() >= plan.registered_on).collect();
    visits_in_plan.sort_by_key(|v| (v.started_at, v.id));
    for visit in visits_in_plan {
        if visit.is_missed_statutory() {
            visit_reasons.push(EscalationReason::ChildNotSeen { visit_id: visit.id });
        }
        if visit.not_seen_alone_without_agreement() {
            visit_reasons.push(EscalationReason::NotSeenAlone { visit_id: visit.id });
        }
        if visit.interpreter_needed_not_used() {
            visit_reasons.push(EscalationReason::InterpreterNotUsed { visit_id: visit.id });
        }
    }
    for reason in visit_reasons {
        let key = reason.dedup_key();
        still_holds.insert(key.clone());
        if existing(&key).is_none() {
            let to = context.directory.manager_for(EscalationLevel::TeamManager, plan.team);
            decided.push(EscalationChange::Raised(new_escalation(
                child_id,
                reason,
                EscalationLevel::TeamManager,
                to,
                now,
            )));
        }
    }
    // A visit escalation whose visit was amended or voided so that the problem is gone.
    for escalation in case.escalations.iter().filter(|e| e.is_open()) {
        let visit_id = match escalation.reason {
            EscalationReason::Overdue { .. } => continue,
            EscalationReason::ChildNotSeen { visit_id }
            | EscalationReason::NotSeenAlone { visit_id }
            | EscalationReason::InterpreterNotUsed { visit_id } => visit_id,
        };
        if still_holds.contains(&escalation.reason.dedup_key()) {
            continue;
        }
        let latest = case.visits.iter().filter(|v| v.id == visit_id).max_by_key(|v| v.revision);
        let explanation = match latest {
            Some(v) if !v.counts() => "The visit was marked as entered in error.".to_owned(),
            Some(v) => {
                format!("The visit record was amended (revision {}) and the problem is resolved.", v.revision)
            }
            None => continue,
        };
        decided.push(close(escalation, explanation, now));
    }

    // ---- Not acknowledged in time: one level up. ----
    for escalation in case.escalations.iter().filter(|e| e.is_open()) {
        if decided.iter().any(|d| d.escalation().id == escalation.id) {
            continue;
        }
        let last_raised = escalation.re_raised_at.unwrap_or(escalation.raised_at);
        let up = escalation.level.above();
        if up > escalation.level && now >= last_raised + context.config.acknowledge_within {
            let mut raised = escalation.clone();
            raised.level = up;
            raised.to = context.directory.manager_for(up, plan.team);
            raised.re_raised_at = Some(now);
            decided.push(EscalationChange::RaisedAgain(raised));
        }
    }

    changes.extend(decided);
}

fn new_escalation(
    child_id: ChildId,
    reason: EscalationReason,
    level: EscalationLevel,
    to: Option<WorkerId>,
    now: DateTime<Utc>,
) -> Escalation {
    Escalation {
        id: EscalationId::new(),
        child_id,
        reason,
        level,
        to,
        raised_at: now,
        re_raised_at: None,
        status: EscalationStatus::Open,
    }
}

fn close(escalation: &Escalation, explanation: String, now: DateTime<Utc>) -> EscalationChange {
    let mut closed = escalation.clone();
    closed.status = EscalationStatus::Closed { explanation, at: now };
    EscalationChange::Closed(closed)
}

/// Records a manager's action on an escalation, or says what is wrong with it, by field.
///
/// - Only an open escalation can be acknowledged.
/// - Only managers acknowledge; a team manager only what is at team-manager level (a senior
///   manager can act on anything).
/// - "Not seen alone" is answered by agreeing or disagreeing; everything else by a visit
///   arranged (today or later), duty cover assigned, or an exception agreed with its reason.
pub fn acknowledge(
    escalation: &Escalation,
    action: EscalationAction,
    by: &Worker,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Escalation, Vec<FieldError>> {
    let mut errors = Vec::new();
    if !escalation.is_open() {
        errors.push(FieldError::new("status", "This escalation is no longer open."));
    }
    match by.role {
        Role::SeniorManager => {}
        Role::TeamManager if escalation.level == EscalationLevel::TeamManager => {}
        Role::TeamManager => errors.push(FieldError::new(
            "level",
            "This escalation has gone to a senior manager; a senior manager must act on it.",
        )),
        _ => errors.push(FieldError::new("action", "Only a manager can acknowledge an escalation.")),
    }
    let about_seen_alone = matches!(escalation.reason, EscalationReason::NotSeenAlone { .. });
    match &action {
        EscalationAction::SeenAloneAgreed { reason } | EscalationAction::SeenAloneDisagreed { reason } => {
            if !about_seen_alone {
                errors.push(FieldError::new(
                    "action",
                    "Agree or disagree only answers 'not seen alone'. Record a visit arranged, duty cover or an exception.",
                ));
            }
            if reason.trim().is_empty() {
                errors.push(FieldError::new("action.reason", "Say why."));
            }
        }
        _ if about_seen_alone => errors.push(FieldError::new(
            "action",
            "Agree or disagree that the child need not have been seen alone.",
        )),
        EscalationAction::VisitArranged { date } => {
            if *date < today {
                errors.push(FieldError::new("action.date", "The arranged visit must be today or later."));
            }
        }
        EscalationAction::DutyCoverAssigned { .. } => {}
        EscalationAction::ExceptionAgreed { reason } => {
            if reason.trim().is_empty() {
                errors.push(FieldError::new("action.reason", "Say why an exception is agreed."));
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut acknowledged = escalation.clone();
    acknowledged.status = EscalationStatus::Acknowledged { action, by: by.id, at: now };
    Ok(acknowledged)
}

/// A child whose statutory visit falls due while their key worker is away.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct DueDuringAbsence {
    /// The child.
    pub child_id: ChildId,
    /// The date the visit is due by (may be before the absence, if already overdue).
    pub due: NaiveDate,
    /// The child's due state today.
    pub state: DueState,
    /// Whether a duty worker already covers the child for the whole absence.
    pub covered: bool,
}

/// How far ahead to look when an absence has no expected end: two working weeks.
pub const OPEN_ENDED_ABSENCE_WORKING_DAYS: u32 = 10;

/// The last day of an absence, or two working weeks on when no end is expected.
pub fn absence_last_day(calendar: &Calendar, absence: &Absence) -> NaiveDate {
    absence
        .expected_end
        .unwrap_or_else(|| calendar.add_working_days(absence.starts_on, OPEN_ENDED_ABSENCE_WORKING_DAYS))
}

/// The absent worker's children whose visits fall due during the absence (or are already
/// overdue), most urgent first.
pub fn children_due_during<'a>(
    absence: &Absence,
    cases: impl IntoIterator<Item = (&'a Child, &'a [Visit])>,
    covers: &[CoverAssignment],
    calendar: &Calendar,
    rules: &ScheduleRules,
    today: NaiveDate,
) -> Vec<DueDuringAbsence> {
    let last_day = absence_last_day(calendar, absence);
    let mut due = Vec::new();
    for (child, visits) in cases {
        let Some(plan) = child.plan.as_ref() else { continue };
        if plan.key_worker != absence.worker_id || !plan.is_active_on(absence.starts_on.max(today)) {
            continue;
        }
        let due_by = next_visit_due(calendar, plan, last_seen(visits));
        if due_by > last_day {
            continue;
        }
        let covered = covers.iter().any(|c| {
            c.child_id == child.id && c.starts_on <= absence.starts_on.max(today) && c.ends_on >= last_day
        });
        due.push(DueDuringAbsence {
            child_id: child.id,
            due: due_by,
            state: due_state(calendar, rules, due_by, today),
            covered,
        });
    }
    due.sort_by_key(|d| (d.state.urgency_key(), d.child_id));
    due
}

/// Checks an absence before it is recorded.
pub fn validate_absence(absence: &Absence) -> Result<(), Vec<FieldError>> {
    let mut errors = Vec::new();
    if let Some(end) = absence.expected_end
        && end < absence.starts_on
    {
        errors.push(FieldError::new(
            "expected_end",
            "The expected end must be on or after the first day away.",
        ));
    }
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}

/// Checks a cover assignment against the child and the duty worker before it is recorded.
pub fn validate_cover(
    cover: &CoverAssignment,
    child: &Child,
    duty_worker: Option<&Worker>,
) -> Result<(), Vec<FieldError>> {
    let mut errors = Vec::new();
    if cover.ends_on < cover.starts_on {
        errors.push(FieldError::new("ends_on", "Cover must end on or after the day it starts."));
    }
    match duty_worker {
        None => errors.push(FieldError::new("duty_worker", "No such worker.")),
        Some(worker) if worker.role != Role::DutyWorker => {
            errors.push(FieldError::new("duty_worker", "Cover can only be assigned to a duty worker."))
        }
        Some(worker) if worker.id == cover.covering_for => {
            errors.push(FieldError::new("duty_worker", "A worker cannot cover for themselves."))
        }
        Some(_) => {}
    }
    match child.plan.as_ref() {
        None => errors.push(FieldError::new("child_id", "The child is not on a protection plan.")),
        Some(plan) if plan.key_worker != cover.covering_for => {
            errors.push(FieldError::new("covering_for", "This worker is not the child's key worker."))
        }
        Some(_) => {}
    }
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}

/// How many visits and quotes a handover carries.
pub const HANDOVER_RECENT_VISITS: usize = 5;
/// How many of the child's recent words a handover carries.
pub const HANDOVER_RECENT_WORDS: usize = 10;

/// What a duty worker needs before they knock: the plan with its harms and actions and the
/// communication needs (on the child), the last visits, the child's recent words, the open
/// escalations, and when the next visit is due.
pub fn build_handover(
    child: &Child,
    cover: &CoverAssignment,
    visits: &[Visit],
    escalations: &[Escalation],
    calendar: &Calendar,
) -> Handover {
    let mut current: Vec<&Visit> = current_revisions(visits);
    current.sort_by(|a, b| b.started_at.cmp(&a.started_at).then(b.id.cmp(&a.id)));
    let recent_words: Vec<DatedQuote> = current
        .iter()
        .flat_map(|v| v.child_words.iter().map(|q| DatedQuote { date: v.date(), text: q.text.clone() }))
        .take(HANDOVER_RECENT_WORDS)
        .collect();
    let recent_visits = current.iter().take(HANDOVER_RECENT_VISITS).map(|v| (*v).clone()).collect();
    let mut open_escalations: Vec<Escalation> = escalations.iter().filter(|e| e.is_open()).cloned().collect();
    open_escalations.sort_by_key(|e| e.raised_at);
    Handover {
        child: child.clone(),
        cover: cover.clone(),
        recent_visits,
        recent_words,
        open_escalations,
        next_visit_due: child.plan.as_ref().map(|plan| next_visit_due(calendar, plan, last_seen(visits))),
    }
}

// ---------------------------------------------------------------------------------------------
// Running the sweep against the store.
// ---------------------------------------------------------------------------------------------

/// Settings for escalations, their delivery, and photo storage.
#[derive(Clone, Debug)]
pub struct OversightConfig {
    /// Grace period and acknowledgement time. The senior threshold N comes from
    /// [`crate::Config::rules`], so there is one source of truth for it.
    pub escalation: EscalationConfig,
    /// How often the whole service is swept (the time-based rules: overdue, not acknowledged).
    pub sweep_every: std::time::Duration,
    /// How often the change feed is checked for new visits, children and cover to sweep at once.
    pub poll_every: std::time::Duration,
    /// Where escalations are also sent, if anywhere.
    pub webhook: Option<crate::webhook::WebhookConfig>,
    /// Where photos are kept. `None`: uploads are refused (503).
    pub blob_dir: Option<std::path::PathBuf>,
    /// Limits on uploaded photos.
    pub photo_limits: shared::photo::PhotoLimits,
    /// One sweep at a time, so two cannot raise the same escalation twice.
    pub sweep_lock: std::sync::Arc<tokio::sync::Mutex<()>>,
    /// The queue to the webhook deliverer, once started.
    pub webhook_queue: std::sync::Arc<
        std::sync::OnceLock<tokio::sync::mpsc::UnboundedSender<crate::webhook::EscalationNotice>>,
    >,
}

impl Default for OversightConfig {
    fn default() -> Self {
        Self {
            escalation: EscalationConfig::default(),
            sweep_every: std::time::Duration::from_secs(300),
            poll_every: std::time::Duration::from_secs(2),
            webhook: None,
            blob_dir: None,
            photo_limits: shared::photo::PhotoLimits::default(),
            sweep_lock: Default::default(),
            webhook_queue: Default::default(),
        }
    }
}

impl OversightConfig {
    /// Queues escalations for the webhook, if one is configured (starting its deliverer on
    /// first use; needs a tokio runtime).
    pub fn notify(&self, escalations: &[Escalation]) {
        let Some(webhook) = self.webhook.as_ref() else { return };
        let queue = self.webhook_queue.get_or_init(|| match crate::webhook::Webhook::new(webhook.clone()) {
            Ok(hook) => hook.spawn(),
            Err(error) => {
                tracing::error!(%error, "webhook client could not be built; escalations will not be sent");
                tokio::sync::mpsc::unbounded_channel().0
            }
        });
        for escalation in escalations {
            let _ = queue.send(crate::webhook::EscalationNotice::from_escalation(escalation));
        }
    }
}

/// Sweeps the store: every child, or only `only`. Stores what changed durably (so pull delivers
/// it through the change feed), queues it for the webhook, and returns it.
pub async fn sweep_store(
    state: &crate::AppState,
    only: Option<&std::collections::BTreeSet<ChildId>>,
    now: DateTime<Utc>,
) -> Result<Vec<Escalation>, crate::ApiError> {
    let oversight = &state.config().oversight;
    let _one_at_a_time = oversight.sweep_lock.lock().await;
    let store = state.store();
    let today = now.date_naive();
    let teams = store.teams()?;
    let workers: Vec<Worker> = store.accounts()?.into_iter().map(|a| a.worker).collect();
    let absences = store.absences()?;
    let directory = Directory::new(&teams, &workers, &absences, today);
    let config = EscalationConfig { rules: state.config().rules, ..oversight.escalation };
    let context =
        SweepContext { calendar: state.calendar(), config: &config, directory: &directory, now, today };
    let ids: Vec<ChildId> = match only {
        Some(ids) => ids.iter().copied().collect(),
        None => store.all_child_ids()?,
    };
    let mut changes = Vec::new();
    for id in ids {
        let Some(child) = store.child(id)? else { continue };
        if child.plan.is_none() {
            continue;
        }
        let visits: Vec<Visit> = store.counted_visits_of_child(id)?.into_iter().map(|s| s.visit).collect();
        let held = store.escalations_for_child(id)?;
        sweep_child(ChildCase { child: &child, visits: &visits, escalations: &held }, &context, &mut changes);
    }
    let changed: Vec<Escalation> = changes.into_iter().map(EscalationChange::into_escalation).collect();
    if !changed.is_empty() {
        store.put_escalations(&changed).await?;
        tracing::info!(changed = changed.len(), "escalation sweep stored changes");
        oversight.notify(&changed);
    }
    Ok(changed)
}

/// Starts the background sweeper: the whole service every [`OversightConfig::sweep_every`],
/// and, every [`OversightConfig::poll_every`], the children whose visits, record or cover
/// changed since it last looked (so a pushed visit is acted on within seconds).
pub fn spawn_sweeper(state: crate::AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let oversight = state.config().oversight.clone();
        let mut seen_seq = state.store().feed_head();
        let mut full = tokio::time::interval(oversight.sweep_every);
        let mut poll = tokio::time::interval(oversight.poll_every);
        loop {
            tokio::select! {
                _ = full.tick() => {
                    seen_seq = state.store().feed_head();
                    if let Err(error) = sweep_store(&state, None, Utc::now()).await {
                        tracing::error!(%error, "escalation sweep failed");
                    }
                }
                _ = poll.tick() => {
                    let head = state.store().feed_head();
                    if head == seen_seq {
                        continue;
                    }
                    let entries = match state.store().feed_since(seen_seq, 50_000) {
                        Ok(entries) => entries,
                        Err(error) => {
                            tracing::error!(%error, "reading the change feed failed");
                            continue;
                        }
                    };
                    seen_seq = entries.last().map_or(head, |(seq, _)| *seq);
                    let touched: std::collections::BTreeSet<ChildId> = entries
                        .iter()
                        .filter(|(_, e)| !matches!(e, crate::store::FeedEntry::Escalation { .. }))
                        .flat_map(|(_, e)| e.child_ids().iter().copied())
                        .collect();
                    if !touched.is_empty()
                        && let Err(error) = sweep_store(&state, Some(&touched), Utc::now()).await
                    {
                        tracing::error!(%error, "escalation sweep after changes failed");
                    }
                }
            }
        }
    })
}
