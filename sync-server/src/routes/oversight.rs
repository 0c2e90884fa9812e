//! Managers' oversight: escalations and their acknowledgement, absences and duty cover,
//! handovers, chronologies, the compliance report, Annex A List 7, and the audit log.

use std::collections::{BTreeSet, HashMap};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use shared::sync::{ErrorBody, Handover};
use shared::{
    Absence, AbsenceId, AbsenceKind, Child, ChildId, CoverAssignment, CoverId, Escalation, EscalationAction,
    EscalationId, Role, TeamId, Visit, VisitId, Worker, WorkerId,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::escalations::{self, DueDuringAbsence};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::reports::{self, Chronology, ChronologyInput, ComplianceInput, ComplianceReport};
use crate::routes::{conditional, wire};
use crate::scope::{self, MANAGERS};
use crate::store::{AuditAction, AuditEntry, Store};

/// The routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_escalations))
        .routes(routes!(acknowledge_escalation))
        .routes(routes!(seen_alone_decisions, record_seen_alone_decision))
        .routes(routes!(end_seen_alone_decision))
        .routes(routes!(list_absences, record_absence))
        .routes(routes!(set_absence_last_day))
        .routes(routes!(assign_cover))
        .routes(routes!(end_cover))
        .routes(routes!(handover))
        .routes(routes!(chronology))
        .routes(routes!(compliance))
        .routes(routes!(compliance_csv))
        .routes(routes!(annex_a_list_7))
        .routes(routes!(audit))
        .routes(routes!(desk))
}

async fn record_change(
    state: &AppState,
    caller: &Caller,
    child: Option<ChildId>,
    what: String,
) -> Result<(), ApiError> {
    state.store().record_view(&change_entry(caller, child, what)).await?;
    Ok(())
}

async fn workers(store: &dyn Store) -> Result<Vec<Worker>, ApiError> {
    Ok(store.accounts().await?.into_iter().map(|a| a.worker).collect())
}

async fn worker_names(store: &dyn Store) -> Result<HashMap<WorkerId, String>, ApiError> {
    Ok(workers(store).await?.into_iter().map(|w| (w.id, w.name)).collect())
}

async fn team_names(store: &dyn Store) -> Result<HashMap<TeamId, String>, ApiError> {
    Ok(store.teams().await?.into_iter().map(|t| (t.id, t.name)).collect())
}

/// A child's visit revisions that count: a revision held for review counts for nothing until
/// a manager accepts it.
async fn visits_of(store: &dyn Store, child: ChildId) -> Result<Vec<Visit>, ApiError> {
    Ok(store.counted_visits_of_child(child).await?.into_iter().map(|s| s.visit).collect())
}

/// When each revision was recorded: received by the server, or for a held revision, accepted.
type RecordedTimes = HashMap<(VisitId, u32), DateTime<Utc>>;

/// Children with their visits, for reports.
type Cases = Vec<(Child, Vec<Visit>)>;

/// The children in scope with the visits that count, and when each revision was recorded, for
/// reports.
async fn cases_in_scope(
    state: &AppState,
    caller: &Caller,
) -> Result<(Cases, RecordedTimes, reports::EarlierRecords), ApiError> {
    let store = state.store();
    let mut cases = Vec::new();
    let mut recorded = RecordedTimes::new();
    let mut earlier = reports::EarlierRecords::new();
    for id in scope::children_in_scope(store, &caller.worker, state.today()).await? {
        if let Some(child) = store.child(id).await?.filter(|c| scope::in_reports_of(&caller.worker, c)) {
            let changes = store.child_history(id).await?;
            if !changes.is_empty() {
                earlier.insert(id, changes.into_iter().map(|c| (c.recorded_at, c.before)).collect());
            }
            let mut visits = Vec::new();
            for stored in store.counted_visits_of_child(id).await? {
                let mut at = stored.received_at;
                if stored.needs_review.is_some()
                    && let Some(resolution) = store.resolution(stored.visit.id, stored.visit.revision).await?
                {
                    at = at.max(resolution.at);
                }
                recorded.insert((stored.visit.id, stored.visit.revision), at);
                visits.push(stored.visit);
            }
            cases.push((child, visits));
        }
    }
    Ok((cases, recorded, earlier))
}

/// The moment a report's range ends: midnight after its last day.
/// The end of a report period that runs up to and including `to`: the start of the next day in
/// the authority's time zone (not UTC midnight, which in summer is an hour late in London).
fn period_ends_at(tz: shared::Tz, to: NaiveDate) -> DateTime<Utc> {
    shared::clock::start_of_day(tz, to.succ_opt().unwrap_or(to))
}

// ---- Escalations. ----

/// Open escalations for the caller: a team manager's team (and, as another team's deputy, the
/// escalations sent to them), the whole service for a senior manager, a worker's own children. Oldest first, each with its whole history, and with the
/// overdue figure as it stands today (not as it stood when raised).
#[utoipa::path(get, path = "/api/escalations", tag = "oversight", security(("bearer" = [])), responses(
    (status = 200, body = Vec<Escalation>), (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody, description = "Administrators see no child records"), (status = 410, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(worker.id = %caller.id()))]
pub async fn list_escalations(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<ApiJson<Vec<Escalation>>, ApiError> {
    scope::require_role(&caller.worker, &scope::VISITING_ROLES)?;
    let store = state.store();
    let mut open = Vec::new();
    let today = state.today();
    for child in scope::children_in_scope(store, &caller.worker, today).await? {
        let held: Vec<Escalation> = store
            .escalations_for_child(child)
            .await?
            .into_iter()
            .filter(|e| e.is_open() && scope::may_read_escalation(&caller.worker, e))
            .collect();
        if held.is_empty() {
            continue;
        }
        let visits = visits_of(store, child).await?;
        open.extend(held.into_iter().map(|e| e.with_current_figures(state.calendar(), &visits, today)));
    }
    open.sort_by_key(|e| (e.raised_at, e.id));
    Ok(ApiJson(open))
}

/// Records a manager's action on an escalation: a visit arranged (with a date), duty cover
/// assigned, an exception agreed (with its reason), or, for "not seen alone", agreement or
/// disagreement. A team manager acts on team-manager escalations; a senior manager on any.
#[utoipa::path(post, path = "/api/escalations/{id}/acknowledge", tag = "oversight", security(("bearer" = [])),
    params(("id" = String, Path, description = "Escalation id")), request_body = EscalationAction, responses(
    (status = 200, body = Escalation), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody, description = "Not a manager"),
    (status = 404, body = ErrorBody, description = "No such escalation, or not in your scope"),
    (status = 410, body = ErrorBody), (status = 422, body = ErrorBody, description = "The action does not fit")))]
#[tracing::instrument(skip_all, fields(worker.id = %caller.id()))]
pub async fn acknowledge_escalation(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<EscalationId>,
    ApiJson(action): ApiJson<EscalationAction>,
) -> Result<ApiJson<Escalation>, ApiError> {
    scope::require_role(&caller.worker, &MANAGERS)?;
    action.check_bounds(state.today())?;
    let store = state.store();
    // One transaction from the read to the write: the store holds the sweep (and every other
    // writer) off, so the action is appended to the escalation's latest history.
    let mut tx = store.transaction().await?;
    let escalation = store.escalation(id).await?.ok_or(ApiError::NotFound)?;
    // A deputy sees the children whose open escalations are sent to them (`scope`).
    scope::visible_child(store, &caller.worker, escalation.child_id, state.today()).await?;
    if let EscalationAction::DutyCoverAssigned { duty_worker } = &action {
        let ok = store.worker(*duty_worker).await?.is_some_and(|w| w.role == Role::DutyWorker);
        if !ok {
            return Err(ApiError::Validation(vec![shared::FieldError::new(
                "duty_worker",
                "No duty worker with this id.",
            )]));
        }
    }
    let acknowledged =
        escalations::acknowledge(&escalation, action, &caller.worker, state.today(), state.now())
            .map_err(ApiError::Validation)?;
    // The change and its audit entry in one atomic batch, flushed before answering.
    tx.put_escalation(&acknowledged).await?;
    tx.audit(&change_entry(&caller, Some(acknowledged.child_id), format!("escalation {id} acknowledged")))
        .await?;
    tx.commit().await?;
    crate::sweeper::notify(&state);
    let visits = visits_of(store, acknowledged.child_id).await?;
    Ok(ApiJson(acknowledged.with_current_figures(state.calendar(), &visits, state.today())))
}

/// The audit entry for a change a caller made, to be written with the change itself.
pub(crate) fn change_entry(caller: &Caller, child: Option<ChildId>, what: String) -> AuditEntry {
    AuditEntry {
        at: Utc::now(),
        worker_id: caller.id(),
        role: caller.role(),
        device_id: Some(caller.device_id),
        action: AuditAction::Changed,
        child_id: child,
        what,
        on_cover: false,
    }
}

// ---- Standing "seen alone" decisions. ----

/// A manager's standing decision to record.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SeenAloneDecisionRequest {
    /// Why the child need not be seen alone, for example "Baby, 4 months old". At most 2,000
    /// characters.
    pub reason: String,
    /// The first day it applies; today when left out.
    #[serde(default)]
    pub starts_on: Option<NaiveDate>,
    /// The last day it applies (at most 366 days after the first).
    pub ends_on: NaiveDate,
}

/// A child's standing "seen alone" decisions, oldest first: for managers and for the workers
/// who may see the child.
#[utoipa::path(get, path = "/api/children/{id}/seen-alone-decisions", tag = "oversight", security(("bearer" = [])),
    params(("id" = String, Path, description = "Child id")), responses(
    (status = 200, body = Vec<shared::SeenAloneDecision>), (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody, description = "Administrators see no child records"),
    (status = 404, body = ErrorBody, description = "No such child, or not in your scope"), (status = 410, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(worker.id = %caller.id()))]
pub async fn seen_alone_decisions(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<ChildId>,
) -> Result<ApiJson<Vec<shared::SeenAloneDecision>>, ApiError> {
    scope::require_role(&caller.worker, &scope::VISITING_ROLES)?;
    let store = state.store();
    scope::visible_child(store, &caller.worker, id, state.today()).await?;
    Ok(ApiJson(store.seen_alone_decisions(id).await?))
}

/// Records a manager's standing decision that the child need not be seen alone, with a reason
/// and an end date (for example a baby). Visits within it raise no "not seen alone"
/// escalation, and open ones it covers close naming the manager. Kept, never changed: a new
/// decision is recorded to change one.
#[utoipa::path(post, path = "/api/children/{id}/seen-alone-decisions", tag = "oversight", security(("bearer" = [])),
    params(("id" = String, Path, description = "Child id")), request_body = SeenAloneDecisionRequest, responses(
    (status = 201, body = shared::SeenAloneDecision), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody, description = "Not a manager"),
    (status = 404, body = ErrorBody, description = "No such child, or not in your scope"),
    (status = 410, body = ErrorBody), (status = 422, body = ErrorBody, description = "Names the field at fault")))]
#[tracing::instrument(skip_all, fields(worker.id = %caller.id()))]
pub async fn record_seen_alone_decision(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<ChildId>,
    ApiJson(request): ApiJson<SeenAloneDecisionRequest>,
) -> Result<Response, ApiError> {
    scope::require_role(&caller.worker, &MANAGERS)?;
    let store = state.store();
    scope::visible_child(store, &caller.worker, id, state.today()).await?;
    let decision = shared::SeenAloneDecision {
        id: shared::SeenAloneDecisionId::new(),
        child_id: id,
        reason: request.reason.trim().to_owned(),
        starts_on: request.starts_on.unwrap_or_else(|| state.today()),
        ends_on: request.ends_on,
        decided_by: caller.id(),
        decided_by_name: caller.worker.name.clone(),
        decided_at: state.now(),
        ended: None,
    };
    escalations::validate_seen_alone_decision(&decision, state.today()).map_err(ApiError::Validation)?;
    let mut tx = store.transaction().await?;
    tx.put_seen_alone_decision(&decision).await?;
    tx.audit(&change_entry(&caller, Some(id), format!("seen alone decision {} recorded", decision.id)))
        .await?;
    tx.commit().await?;
    crate::sweeper::sweep_store(&state, Some(&BTreeSet::from([id])), state.now()).await?;
    Ok((StatusCode::CREATED, ApiJson(decision)).into_response())
}

/// A manager's early end to a standing decision.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndSeenAloneDecisionRequest {
    /// Why it ends early, for example "She is talking now: see her alone". At most 2,000
    /// characters.
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
}

/// Ends a standing "seen alone" decision early: from today, visits must see the child alone
/// again or ask a manager. Appended: the decision is kept as recorded, and still covers the
/// visits before today, so no past figure changes. A decision is ended once, and only while it
/// still covers today or a later day.
#[utoipa::path(post, path = "/api/children/{id}/seen-alone-decisions/{decision_id}/end", tag = "oversight",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Child id"), ("decision_id" = String, Path, description = "Decision id")),
    request_body = EndSeenAloneDecisionRequest, responses(
    (status = 200, body = shared::SeenAloneDecision, description = "The decision, with its end"),
    (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody, description = "Not a manager"),
    (status = 404, body = ErrorBody, description = "No such child or decision, or not in your scope"),
    (status = 409, body = ErrorBody, description = "Already ended, or already over"),
    (status = 410, body = ErrorBody), (status = 422, body = ErrorBody, description = "Names the field at fault")))]
#[tracing::instrument(skip_all, fields(worker.id = %caller.id()))]
pub async fn end_seen_alone_decision(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((id, decision_id)): ApiPath<(ChildId, shared::SeenAloneDecisionId)>,
    ApiJson(request): ApiJson<EndSeenAloneDecisionRequest>,
) -> Result<ApiJson<shared::SeenAloneDecision>, ApiError> {
    scope::require_role(&caller.worker, &MANAGERS)?;
    let store = state.store();
    let today = state.today();
    scope::visible_child(store, &caller.worker, id, today).await?;
    let reason = request.reason.trim().to_owned();
    let mut errors = Vec::new();
    escalations::check_manager_reason(&mut errors, &reason, "Say why the decision ends early.");
    // Read under the writer lock: two managers ending it at once append one end, not two.
    let mut tx = store.transaction().await?;
    let mut decision = store
        .seen_alone_decisions(id)
        .await?
        .into_iter()
        .find(|d| d.id == decision_id)
        .ok_or(ApiError::NotFound)?;
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    if let Some(end) = &decision.ended {
        return Err(ApiError::Conflict(format!(
            "{} already ended this decision on {}.",
            end.ended_by_name,
            end.last_day.succ_opt().unwrap_or(end.last_day).format("%d/%m/%Y")
        )));
    }
    if !decision.in_force_from(today) {
        return Err(ApiError::Conflict("This decision is already over.".into()));
    }
    let end = shared::SeenAloneDecisionEnd {
        last_day: today.pred_opt().unwrap_or(today),
        reason,
        ended_by: caller.id(),
        ended_by_name: caller.worker.name.clone(),
        ended_at: state.now(),
    };
    tx.put_seen_alone_decision_end(&decision, &end).await?;
    tx.audit(&change_entry(&caller, Some(id), format!("seen alone decision {decision_id} ended"))).await?;
    tx.commit().await?;
    decision.ended = Some(end);
    crate::sweeper::sweep_store(&state, Some(&BTreeSet::from([id])), state.now()).await?;
    Ok(ApiJson(decision))
}

// ---- Absences and cover. ----

/// An absence to record.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AbsenceRequest {
    /// Who is away. Leave out to record your own absence.
    #[serde(default)]
    pub worker_id: Option<WorkerId>,
    /// Sickness or leave.
    pub kind: AbsenceKind,
    /// The first day away.
    pub starts_on: NaiveDate,
    /// The last day they are expected to be away, if known.
    #[serde(default)]
    pub expected_end: Option<NaiveDate>,
}

/// A recorded absence and the absent worker's children whose visits fall due during it.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AbsenceRecorded {
    /// The absence.
    pub absence: Absence,
    /// The children to arrange cover for, most urgent first.
    pub children_due: Vec<DueDuringAbsence>,
}

/// Records an absence (a worker their own; a team manager their team's; a senior manager
/// anyone's) and lists the children whose visits fall due during it. The children are swept at
/// once, so an overdue child of an absent key worker goes to a senior manager.
#[utoipa::path(post, path = "/api/absences", tag = "oversight", security(("bearer" = [])),
    request_body = AbsenceRequest, responses(
    (status = 201, body = AbsenceRecorded), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody, description = "Not yours to record"), (status = 410, body = ErrorBody),
    (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(worker.id = %caller.id()))]
pub async fn record_absence(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<AbsenceRequest>,
) -> Result<Response, ApiError> {
    scope::require_role(&caller.worker, &scope::VISITING_ROLES)?;
    let store = state.store();
    let worker_id = request.worker_id.unwrap_or(caller.id());
    let absent =
        store.worker(worker_id).await?.ok_or_else(|| ApiError::bad_field("worker_id", "No such worker."))?;
    if !may_record_absence(&caller.worker, &absent) {
        return Err(ApiError::Forbidden);
    }
    let absence = Absence {
        id: AbsenceId::new(),
        worker_id,
        kind: request.kind,
        starts_on: request.starts_on,
        expected_end: request.expected_end,
        recorded_by: caller.id(),
    };
    absence.check_dates(state.today())?;
    escalations::validate_absence(&absence).map_err(ApiError::Validation)?;
    store.put_absence(&absence).await?;
    record_change(&state, &caller, None, format!("absence {} recorded", absence.id)).await?;

    let mut cases = Vec::new();
    for id in store.children_of_key_worker(worker_id).await? {
        if let Some(child) = store.child(id).await? {
            let visits = visits_of(store, id).await?;
            cases.push((child, visits));
        }
    }
    let covers = store.covers().await?;
    let children_due = escalations::children_due_during(
        &absence,
        cases.iter().map(|(c, v)| (c, v.as_slice())),
        &covers,
        state.calendar(),
        &state.config().rules,
        state.today(),
    );
    let touched: BTreeSet<ChildId> = cases.iter().map(|(c, _)| c.id).collect();
    crate::sweeper::sweep_store(&state, Some(&touched), state.now()).await?;
    Ok((StatusCode::CREATED, ApiJson(AbsenceRecorded { absence, children_due })).into_response())
}

/// Whether `caller` may record, see or end `absent`'s absences: a worker their own; a team
/// manager their team's; a senior manager anyone's.
fn may_record_absence(caller: &Worker, absent: &Worker) -> bool {
    absent.id == caller.id
        || caller.role == Role::SeniorManager
        || (caller.role == Role::TeamManager && caller.team.is_some() && absent.team == caller.team)
}

/// An absence as the desk lists it.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AbsenceListed {
    /// The absence.
    pub absence: Absence,
    /// The absent worker's name.
    pub worker_name: String,
}

/// The absences not yet over (in force today, or to come) of the staff the caller manages: a
/// team manager their team's, a senior manager everyone's. Soonest first.
#[utoipa::path(get, path = "/api/absences", tag = "oversight", security(("bearer" = [])), responses(
    (status = 200, body = Vec<AbsenceListed>), (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody, description = "Managers only"), (status = 410, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(worker.id = %caller.id()))]
pub async fn list_absences(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<ApiJson<Vec<AbsenceListed>>, ApiError> {
    scope::require_role(&caller.worker, &MANAGERS)?;
    let store = state.store();
    let today = state.today();
    let staff: HashMap<WorkerId, Worker> = workers(store).await?.into_iter().map(|w| (w.id, w)).collect();
    let mut listed: Vec<AbsenceListed> = store
        .absences()
        .await?
        .into_iter()
        // Not over: its last day is today or to come, and it was not cancelled (a last day
        // before its first).
        .filter(|a| a.expected_end.is_none_or(|end| end >= today && end >= a.starts_on))
        .filter_map(|absence| {
            let worker = staff.get(&absence.worker_id)?;
            may_record_absence(&caller.worker, worker)
                .then(|| AbsenceListed { worker_name: worker.name.clone(), absence })
        })
        .collect();
    listed.sort_by(|a, b| {
        (a.absence.starts_on, &a.worker_name, a.absence.id).cmp(&(
            b.absence.starts_on,
            &b.worker_name,
            b.absence.id,
        ))
    });
    Ok(ApiJson(listed))
}

/// The last day of an absence, set when someone is back (or will be).
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AbsenceLastDay {
    /// The last day away: yesterday for "back today", or a day to come. The day before the
    /// first day away cancels an absence not yet begun. Never earlier: who was away on a past
    /// day is not rewritten.
    pub last_day: NaiveDate,
}

/// Sets the last day of an absence: someone back at work, or a return date now known. Who was
/// away on a day already past never changes, so the last day is yesterday at the earliest (the
/// day before the first, for an absence not yet begun). The change is in the audit log, and the
/// worker's children are swept at once.
#[utoipa::path(post, path = "/api/absences/{id}/last-day", tag = "oversight", security(("bearer" = [])),
    params(("id" = String, Path, description = "Absence id")),
    request_body = AbsenceLastDay, responses(
    (status = 200, body = Absence, description = "The absence with its last day"),
    (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody, description = "Not yours to change"),
    (status = 404, body = ErrorBody, description = "No such absence"),
    (status = 409, body = ErrorBody, description = "Already over"),
    (status = 410, body = ErrorBody), (status = 422, body = ErrorBody, description = "Names the field at fault")))]
#[tracing::instrument(skip_all, fields(worker.id = %caller.id()))]
pub async fn set_absence_last_day(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<AbsenceId>,
    ApiJson(request): ApiJson<AbsenceLastDay>,
) -> Result<ApiJson<Absence>, ApiError> {
    scope::require_role(&caller.worker, &scope::VISITING_ROLES)?;
    let store = state.store();
    let today = state.today();
    let mut absence = store.absence(id).await?.ok_or(ApiError::NotFound)?;
    let absent = store.worker(absence.worker_id).await?.ok_or(ApiError::NotFound)?;
    if !may_record_absence(&caller.worker, &absent) {
        // Another team's absence is not revealed.
        return Err(ApiError::NotFound);
    }
    let yesterday = today.pred_opt().unwrap_or(today);
    if absence.expected_end.is_some_and(|end| end < today || end < absence.starts_on) {
        return Err(ApiError::Conflict("This absence is already over, or was cancelled.".into()));
    }
    let earliest = yesterday.max(absence.starts_on.pred_opt().unwrap_or(absence.starts_on));
    if request.last_day < earliest {
        return Err(ApiError::bad_field(
            "last_day",
            format!(
                "The last day away can be {} at the earliest: who was away on a day already past is not changed.",
                earliest.format("%d/%m/%Y")
            ),
        ));
    }
    // Only the last day changes, so only it is checked against today: an absence begun more
    // than two years ago can still be ended.
    let mut errors = shared::ValidationErrors::default();
    shared::limits::check_date_near_today(&mut errors, "last_day", request.last_day, today);
    errors.into_result()?;
    absence.expected_end = Some(request.last_day);
    store.put_absence(&absence).await?;
    record_change(
        &state,
        &caller,
        None,
        format!("absence {} last day set to {}", absence.id, request.last_day),
    )
    .await?;
    let touched: BTreeSet<ChildId> =
        store.children_of_key_worker(absence.worker_id).await?.into_iter().collect();
    crate::sweeper::sweep_store(&state, Some(&touched), state.now()).await?;
    Ok(ApiJson(absence))
}

/// A cover assignment to make.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CoverRequest {
    /// The child to cover.
    pub child_id: ChildId,
    /// The duty worker who covers.
    pub duty_worker: WorkerId,
    /// The first day of cover.
    pub starts_on: NaiveDate,
    /// The last day of cover. Access ends after this day.
    pub ends_on: NaiveDate,
}

/// Assigns a duty worker to cover a child for a period (for the child's key worker). The duty
/// worker's devices receive the child, their visits, cover and escalations on their next pull,
/// and the handover from `/api/children/{id}/handover`.
#[utoipa::path(post, path = "/api/covers", tag = "oversight", security(("bearer" = [])),
    request_body = CoverRequest, responses(
    (status = 201, body = CoverAssignment), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody, description = "Not a manager"),
    (status = 404, body = ErrorBody, description = "No such child, or not in your scope"),
    (status = 410, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(worker.id = %caller.id()))]
pub async fn assign_cover(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<CoverRequest>,
) -> Result<Response, ApiError> {
    scope::require_role(&caller.worker, &MANAGERS)?;
    let store = state.store();
    let child = scope::visible_child(store, &caller.worker, request.child_id, state.today()).await?;
    let key_worker = child.plan.as_ref().map(|p| p.key_worker).ok_or_else(|| {
        ApiError::Validation(vec![shared::FieldError::new(
            "child_id",
            "The child is not on a protection plan.",
        )])
    })?;
    let cover = CoverAssignment {
        id: CoverId::new(),
        child_id: request.child_id,
        duty_worker: request.duty_worker,
        covering_for: key_worker,
        starts_on: request.starts_on,
        ends_on: request.ends_on,
        assigned_by: caller.id(),
    };
    cover.check_dates(state.today())?;
    let duty = store.worker(request.duty_worker).await?;
    escalations::validate_cover(&cover, &child, duty.as_ref()).map_err(ApiError::Validation)?;
    store.put_cover(&cover).await?;
    record_change(&state, &caller, Some(cover.child_id), format!("cover {} assigned", cover.id)).await?;
    Ok((StatusCode::CREATED, ApiJson(cover)).into_response())
}

/// Ends a cover assignment today: the duty worker's access ends, and their devices' next pull
/// removes the child.
#[utoipa::path(post, path = "/api/covers/{id}/end", tag = "oversight", security(("bearer" = [])),
    params(("id" = String, Path, description = "Cover id")), responses(
    (status = 200, body = CoverAssignment), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
    (status = 404, body = ErrorBody), (status = 410, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(worker.id = %caller.id()))]
pub async fn end_cover(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<CoverId>,
) -> Result<ApiJson<CoverAssignment>, ApiError> {
    scope::require_role(&caller.worker, &MANAGERS)?;
    let store = state.store();
    let mut cover = store.cover(id).await?.ok_or(ApiError::NotFound)?;
    scope::visible_child(store, &caller.worker, cover.child_id, state.today()).await?;
    // The last day of cover becomes yesterday, so it is over today.
    let yesterday = state.today() - Duration::days(1);
    if cover.ends_on > yesterday {
        cover.ends_on = yesterday.max(cover.starts_on - Duration::days(1));
        store.put_cover(&cover).await?;
        record_change(&state, &caller, Some(cover.child_id), format!("cover {id} ended")).await?;
    }
    Ok(ApiJson(cover))
}

/// The handover for a covered or reallocated child: plan, harms and actions, communication
/// needs, safety warnings for lone visits, the last visits (seen, seen alone), the child's
/// recent words, open escalations. For the duty worker covering now, for the key worker the
/// child was last reallocated to, and for managers. A copy the caller keeps that is still
/// current (`If-None-Match`) is answered 304, and no view recorded.
#[utoipa::path(get, path = "/api/children/{id}/handover", tag = "oversight", security(("bearer" = [])),
    params(("id" = String, Path, description = "Child id"),
        ("If-None-Match" = Option<String>, Header, description = "The ETag of a copy the caller keeps: answered 304, with no body and no view recorded, if the handover is still that")),
    responses(
    (status = 200, body = Handover, headers(("ETag" = String, description = "The handover's tag, to send back as If-None-Match"))),
    (status = 304, description = "The handover is still the copy the caller keeps (If-None-Match); nothing is sent", headers(("ETag" = String))),
    (status = 401, body = ErrorBody),
    (status = 404, body = ErrorBody, description = "No such child, not in your scope, or neither covered nor reallocated"),
    (status = 410, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(worker.id = %caller.id()))]
pub async fn handover(
    State(state): State<AppState>,
    caller: Caller,
    request: HeaderMap,
    ApiPath(id): ApiPath<ChildId>,
) -> Result<Response, ApiError> {
    let store = state.store();
    let today = state.today();
    let child = scope::visible_child(store, &caller.worker, id, today).await?;
    let covers = store.covers_for_child(id).await?;
    let is_key_worker = child.plan.as_ref().is_some_and(|p| p.key_worker == caller.id());
    let reallocated_to_caller = child.reallocation.as_ref().is_some_and(|r| r.to_worker == caller.id());
    let cover = match caller.role() {
        Role::DutyWorker => {
            covers.into_iter().find(|c| c.duty_worker == caller.id() && c.is_active_on(today))
        }
        Role::TeamManager | Role::SeniorManager => {
            covers.into_iter().filter(|c| c.ends_on >= today).min_by_key(|c| c.starts_on)
        }
        _ => None,
    };
    // A cover, or a child reallocated to the caller as key worker: the new key worker reads
    // what a duty worker would, so they do not start again. Managers may read either.
    let for_reallocation = is_key_worker && reallocated_to_caller;
    if cover.is_none() && !for_reallocation && !(caller.role().is_manager() && child.reallocation.is_some()) {
        return Err(ApiError::NotFound);
    }
    let visits = visits_of(store, id).await?;
    let mut held = store.escalations_for_child(id).await?;
    held.retain(|e| scope::may_read_escalation(&caller.worker, e));
    let handover = escalations::build_handover(&child, cover.as_ref(), &visits, &held, state.calendar());
    let json = serde_json::to_vec(&handover).map_err(ApiError::internal)?;
    // A duty worker's phone keeps the handover of each child covered, and asks again after
    // every sync: a copy kept that is still current is not sent, nor its view recorded, again.
    let (response, sent) = conditional::file(&request, json, "application/json", None);
    if sent {
        crate::routes::children::audit_view(&state, &caller, id, "handover").await?;
    }
    Ok(response)
}

// ---- Reports. ----

/// Which format a chronology comes in.
#[derive(Clone, Copy, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ChronologyFormat {
    /// JSON ([`Chronology`]).
    #[default]
    Json,
    /// CSV, one row per event.
    Csv,
    /// A printable HTML page.
    Html,
    /// A court-ready PDF (A4, fonts embedded, text selectable), as an attachment.
    Pdf,
}

/// The chronology's query.
#[derive(Clone, Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChronologyQuery {
    /// `json` (default), `csv`, `html` or `pdf`.
    #[serde(default)]
    #[param(inline)]
    pub format: ChronologyFormat,
    /// Only events on or after this day (`YYYY-MM-DD`).
    #[serde(default)]
    #[param(value_type = Option<String>, format = Date)]
    pub from: Option<String>,
    /// Only events on or before this day (`YYYY-MM-DD`).
    #[serde(default)]
    #[param(value_type = Option<String>, format = Date)]
    pub to: Option<String>,
    /// Only these kinds of event, comma-separated: the groups `plan`, `visit`, `escalation`,
    /// `cover`, `significant_event`, `safety_warning`, `seen_alone`, or any single kind (for example
    /// `escalation_acknowledged`).
    /// At most 40 kinds and 1,000 characters. (Not a schema bound: a longer value is a 400 or,
    /// past the URI limit, a 414, and the fuzzer would count a 414 as not rejecting it.)
    #[serde(default)]
    pub kinds: Option<String>,
}

/// The most kinds a chronology filter may name.
const MAX_FILTER_KINDS: usize = 40;

impl ChronologyQuery {
    /// The filter asked for, if any; a bad value is refused naming its parameter.
    fn filter(&self, today: NaiveDate) -> Result<Option<reports::ChronologyFilter>, ApiError> {
        let earliest =
            NaiveDate::from_ymd_opt(shared::visit::EARLIEST_VISIT_YEAR, 1, 1).unwrap_or(NaiveDate::MIN);
        let latest = today + Duration::days(shared::limits::MAX_DAYS_FROM_TODAY);
        let date = |field: &str, value: &Option<String>| -> Result<Option<NaiveDate>, ApiError> {
            let Some(value) = value else { return Ok(None) };
            let date = NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").map_err(|_| {
                ApiError::bad_field(field, "Give the date as YYYY-MM-DD, for example 2026-03-31.")
            })?;
            if !(earliest..=latest).contains(&date) {
                return Err(ApiError::bad_field(
                    field,
                    format!("Check the date: from {earliest} to {latest}."),
                ));
            }
            Ok(Some(date))
        };
        let (from, to) = (date("from", &self.from)?, date("to", &self.to)?);
        if let (Some(from), Some(to)) = (from, to)
            && from > to
        {
            return Err(ApiError::bad_field("from", "The range must start on or before its end."));
        }
        let mut kinds = Vec::new();
        if let Some(list) = &self.kinds {
            if list.len() > 1000 {
                return Err(ApiError::bad_field("kinds", "At most 1,000 characters."));
            }
            for (n, word) in list.split(',').map(str::trim).enumerate() {
                if n >= MAX_FILTER_KINDS {
                    return Err(ApiError::bad_field("kinds", format!("At most {MAX_FILTER_KINDS} kinds.")));
                }
                let known = [
                    "plan",
                    "visit",
                    "escalation",
                    "cover",
                    "significant_event",
                    "safety_warning",
                    "seen_alone",
                ]
                .contains(&word)
                    || serde_json::from_value::<reports::ChronologyKind>(serde_json::Value::from(word))
                        .is_ok();
                if !known {
                    let shown: String = word.chars().take(40).collect();
                    return Err(ApiError::bad_field(
                        "kinds",
                        format!(
                            "No kind of event called \"{shown}\": use plan, visit, escalation, cover, significant_event, safety_warning, seen_alone or a single kind such as escalation_acknowledged."
                        ),
                    ));
                }
                if !kinds.iter().any(|k| k == word) {
                    kinds.push(word.to_owned());
                }
            }
        }
        if from.is_none() && to.is_none() && kinds.is_empty() {
            return Ok(None);
        }
        Ok(Some(reports::ChronologyFilter { from, to, kinds }))
    }
}

/// A child's chronology in date order, each event with its source: registration and plan
/// changes, every visit with seen, seen alone, the child's words, the worker's facts and
/// concerns and any amendments (original and new text, and why), missed visits, escalations
/// and each action with the manager's name, cover, and significant events from other agencies.
/// Times are in the authority's time zone, labelled. Filter by `from`, `to` and `kinds`; a
/// filtered chronology says so. As JSON, CSV, printable HTML, or a court-ready PDF (A4, marked
/// OFFICIAL-SENSITIVE, page N of M, who produced it and when, on every page). A copy the caller
/// holds that still says the same (`If-None-Match`) is answered 304, and no view is recorded.
#[utoipa::path(get, path = "/api/children/{id}/chronology", tag = "oversight", security(("bearer" = [])),
    params(("id" = String, Path, description = "Child id"), ChronologyQuery,
        ("If-None-Match" = Option<String>, Header, description = "The ETag of a copy the caller holds: answered 304, with no body and no view recorded, if the chronology still says the same (when it was produced aside)")),
    responses(
    (status = 200, description = "JSON; or CSV (formula-like cells neutralised), or HTML for printing",
        content((Chronology = "application/json"), (String = "text/csv"), (String = "text/html"),
            (Vec<u8> = "application/pdf")),
        headers(("ETag" = String, description = "The chronology's tag, to send back as If-None-Match"))),
    (status = 304, description = "The chronology still says what the copy held says (If-None-Match); nothing is sent", headers(("ETag" = String))),
    (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
    (status = 404, body = ErrorBody, description = "No such child, or not in your scope"), (status = 410, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(worker.id = %caller.id()))]
pub async fn chronology(
    State(state): State<AppState>,
    caller: Caller,
    request: HeaderMap,
    ApiPath(id): ApiPath<ChildId>,
    ApiQuery(query): ApiQuery<ChronologyQuery>,
) -> Result<Response, ApiError> {
    let store = state.store();
    let child = scope::visible_child(store, &caller.worker, id, state.today()).await?;
    let filter = query.filter(state.today())?;
    let visits = visits_of(store, id).await?;
    let mut held = store.escalations_for_child(id).await?;
    held.retain(|e| scope::may_read_escalation(&caller.worker, e));
    let covers = store.covers_for_child(id).await?;
    let decisions = store.seen_alone_decisions(id).await?;
    let names = worker_names(store).await?;
    let history = store.child_history(id).await?;
    let mut chronology = reports::chronology_with_history(
        &ChronologyInput {
            child: &child,
            earlier_records: &[],
            visits: &visits,
            escalations: &held,
            covers: &covers,
            seen_alone_decisions: &decisions,
            worker_names: &names,
            calendar: state.calendar(),
            today: state.today(),
            now: state.now(),
            time_zone: state.clock().time_zone(),
        },
        &history,
    );
    // Supervision is for managers and the key worker, not a duty worker covering visits.
    let supervisions =
        if caller.role() == Role::DutyWorker { Vec::new() } else { store.supervisions(id).await? };
    reports::add_timeline_entries(&mut chronology, &store.plan_meetings(id).await?, &supervisions);
    chronology.produced_by = caller.worker.name.clone();
    reports::add_significant_events(&mut chronology, &store.significant_events(id).await?);
    reports::add_safety_warnings(&mut chronology, &crate::household::warnings_for(store, id).await?, &names);
    reports::add_seen_alone_decisions(&mut chronology, &decisions);
    if let Some(filter) = filter {
        reports::filter_chronology(&mut chronology, filter);
    }
    // Tagged by what it says, not when it was produced: a copy held is still the chronology a
    // minute later if nothing has happened since. Then nothing is sent, and no view recorded.
    let tag = {
        let unstamped = Chronology { generated_at: DateTime::<Utc>::UNIX_EPOCH, ..chronology.clone() };
        let mut contents = serde_json::to_vec(&unstamped).map_err(ApiError::internal)?;
        contents.extend_from_slice(format!("{:?}", query.format).as_bytes());
        conditional::entity_tag(&contents)
    };
    if let Some(unchanged) = conditional::unchanged(&request, &tag) {
        return Ok(unchanged);
    }
    crate::routes::children::audit_view(&state, &caller, id, "chronology").await?;
    let response = match query.format {
        ChronologyFormat::Json => ApiJson(chronology).into_response(),
        ChronologyFormat::Csv => {
            let csv = reports::chronology_csv(&chronology).map_err(ApiError::internal)?;
            conditional::whole(
                csv,
                "text/csv; charset=utf-8",
                Some(&format!("chronology-{}.csv", child.central_id)),
            )
        }
        ChronologyFormat::Html => {
            conditional::whole(reports::chronology_html(&chronology), "text/html; charset=utf-8", None)
        }
        ChronologyFormat::Pdf => {
            // Drawing a long chronology is CPU work: off the async workers.
            let pdf = tokio::task::spawn_blocking(move || crate::chronology_pdf::chronology_pdf(&chronology))
                .await
                .map_err(ApiError::internal)?
                .map_err(ApiError::internal)?;
            conditional::whole(pdf, "application/pdf", Some(&format!("chronology-{}.pdf", child.central_id)))
        }
    };
    Ok(conditional::tagged(response, &tag))
}

/// A date range; both ends included.
#[derive(Clone, Copy, Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RangeQuery {
    /// The first day (`YYYY-MM-DD`). Default: 90 days before `to` for the compliance report, six
    /// months before for Annex A (current plans and plans ended in the six months before).
    #[serde(default)]
    pub from: Option<NaiveDate>,
    /// The last day (`YYYY-MM-DD`). Default: today.
    #[serde(default)]
    pub to: Option<NaiveDate>,
}

impl RangeQuery {
    fn resolve(self, today: NaiveDate, default_days: i64) -> Result<(NaiveDate, NaiveDate), ApiError> {
        // Reports start no earlier than the first visit the service can hold, and end no later
        // than two years ahead: a range over the year 0000 or 9999 is a typing slip, and would
        // replay every schedule over millennia. Checked first, so the arithmetic below cannot
        // overflow.
        let earliest =
            NaiveDate::from_ymd_opt(shared::visit::EARLIEST_VISIT_YEAR, 1, 1).unwrap_or(NaiveDate::MIN);
        let latest = today + Duration::days(shared::limits::MAX_DAYS_FROM_TODAY);
        for (field, date) in [("from", self.from), ("to", self.to)] {
            if let Some(date) = date
                && !(earliest..=latest).contains(&date)
            {
                return Err(ApiError::bad_field(
                    field,
                    format!("Check the date: reports cover {earliest} to {latest}."),
                ));
            }
        }
        let to = self.to.unwrap_or(today);
        let from = self.from.unwrap_or(to - Duration::days(default_days));
        if from > to {
            return Err(ApiError::bad_field("from", "The range must start on or before its end."));
        }
        if (to - from).num_days() > 3660 {
            return Err(ApiError::bad_field("from", "The range can be at most ten years."));
        }
        Ok((from, to))
    }
}

/// The team compliance report for a date range: per worker, per team and for the service
/// (what the caller may see): statutory visits on time, seen alone, the child's own words,
/// interpreter needs met, children overdue now, and working days since each child was last seen.
#[utoipa::path(get, path = "/api/reports/compliance", tag = "oversight", security(("bearer" = [])),
    params(RangeQuery, ("If-None-Match" = Option<String>, Header, description = "The ETag of a copy the caller holds: answered 304, with no body, if the report is still that")), responses(
    (status = 200, body = ComplianceReport, headers(("ETag" = String, description = "The report's tag, to send back as If-None-Match"))),
    (status = 304, description = "The report is still the copy the caller holds (If-None-Match); nothing is sent", headers(("ETag" = String))),
    (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody, description = "Managers only"), (status = 410, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(worker.id = %caller.id()))]
pub async fn compliance(
    State(state): State<AppState>,
    caller: Caller,
    request: HeaderMap,
    ApiQuery(range): ApiQuery<RangeQuery>,
) -> Result<Response, ApiError> {
    scope::require_role(&caller.worker, &MANAGERS)?;
    let report = compliance_in_scope(&state, &caller, range).await?;
    let json = serde_json::to_vec(&report).map_err(ApiError::internal)?;
    Ok(conditional::file(&request, json, "application/json", None).0)
}

/// The compliance report's figures as CSV, for a spreadsheet: a row for everything the caller
/// may see, one per team and one per worker (the same figures as the JSON report, which also
/// lists the children).
#[utoipa::path(get, path = "/api/reports/compliance.csv", tag = "oversight", security(("bearer" = [])),
    params(RangeQuery, ("If-None-Match" = Option<String>, Header, description = "The ETag of a copy the caller holds: answered 304, with no body, if the report is still that")), responses(
    (status = 200, body = String, content_type = "text/csv", description = "The figures (formula-like cells neutralised)",
        headers(("ETag" = String, description = "The report's tag, to send back as If-None-Match"))),
    (status = 304, description = "The report is still the copy the caller holds (If-None-Match); nothing is sent", headers(("ETag" = String))),
    (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody, description = "Managers only"), (status = 410, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(worker.id = %caller.id()))]
pub async fn compliance_csv(
    State(state): State<AppState>,
    caller: Caller,
    request: HeaderMap,
    ApiQuery(range): ApiQuery<RangeQuery>,
) -> Result<Response, ApiError> {
    scope::require_role(&caller.worker, &MANAGERS)?;
    let report = compliance_in_scope(&state, &caller, range).await?;
    let csv = reports::compliance_csv(&report).map_err(ApiError::internal)?;
    Ok(conditional::file(
        &request,
        csv.into_bytes(),
        "text/csv; charset=utf-8",
        Some("compliance-report.csv"),
    )
    .0)
}

/// The compliance report over the caller's scope for the range asked (by default the last 90
/// days), with the supervision overdue today.
async fn compliance_in_scope(
    state: &AppState,
    caller: &Caller,
    range: RangeQuery,
) -> Result<ComplianceReport, ApiError> {
    let (from, to) = range.resolve(state.today(), 90)?;
    let (cases, recorded, earlier) = cases_in_scope(state, caller).await?;
    let store = state.store();
    let (teams, names) = (team_names(store).await?, worker_names(store).await?);
    let report = reports::compliance_report(
        &ComplianceInput {
            from,
            to,
            today: state.today(),
            calendar: state.calendar(),
            rules: &state.config().rules,
            team_names: &teams,
            worker_names: &names,
            recorded: &recorded,
            period_ends_at: period_ends_at(state.clock().time_zone(), to),
            earlier_records: &earlier,
        },
        cases.iter().map(|(c, v)| (c, v.as_slice())),
    );
    let mut report = report;
    report.supervision_overdue = crate::routes::plan::plans_due_in_scope(state, caller)
        .await?
        .into_iter()
        .filter(|p| p.supervision.overdue)
        .map(|p| reports::SupervisionOverdue {
            child_id: p.child_id,
            central_id: p.central_id,
            team_id: p.team_id,
            latest: p.supervision.latest,
            due: p.supervision.due,
            working_days_overdue: p.supervision.working_days_overdue,
        })
        .collect();
    report.supervision_overdue.sort_by_key(|s| std::cmp::Reverse(s.working_days_overdue));
    Ok(report)
}

/// Ofsted's Annex A List 7 (children subject to a child protection plan) as CSV, with Ofsted's
/// columns in Ofsted's order and spelling, dates as DD/MM/YYYY, and blanks where the system
/// holds nothing. Senior managers: the service; team managers: their team. A list the caller
/// already holds (`If-None-Match`) is answered 304, and not recorded as exported again.
#[utoipa::path(get, path = "/api/reports/annex-a-list-7.csv", tag = "oversight", security(("bearer" = [])),
    params(RangeQuery, ("If-None-Match" = Option<String>, Header, description = "The ETag of a copy the caller holds: answered 304, with no body, if the report is still that")), responses(
    (status = 200, body = String, content_type = "text/csv", description = "The list (formula-like cells neutralised)",
        headers(("ETag" = String, description = "The list's tag, to send back as If-None-Match"))),
    (status = 304, description = "The report is still the copy the caller holds (If-None-Match); nothing is sent", headers(("ETag" = String))),
    (status = 400, body = ErrorBody),
    (status = 401, body = ErrorBody), (status = 403, body = ErrorBody, description = "Managers only"),
    (status = 410, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(worker.id = %caller.id()))]
pub async fn annex_a_list_7(
    State(state): State<AppState>,
    caller: Caller,
    request: HeaderMap,
    ApiQuery(range): ApiQuery<RangeQuery>,
) -> Result<Response, ApiError> {
    scope::require_role(&caller.worker, &MANAGERS)?;
    // By default: current plans and plans ended in the six months before the list is made.
    let (from, to) = range.resolve(state.today(), 183)?;
    let from = match range.from {
        Some(from) => from,
        None => to.checked_sub_months(chrono::Months::new(6)).unwrap_or(from),
    };
    let (cases, _, _) = cases_in_scope(&state, &caller).await?;
    let store = state.store();
    let mut reviews: HashMap<ChildId, Vec<NaiveDate>> = HashMap::new();
    for (child, _) in &cases {
        let held: Vec<NaiveDate> = store
            .plan_meetings(child.id)
            .await?
            .into_iter()
            .filter(|m| m.kind == shared::timeline::MeetingKind::ReviewConference)
            .map(|m| m.held_on)
            .collect();
        if !held.is_empty() {
            reviews.insert(child.id, held);
        }
    }
    let csv = reports::annex_a_list_7_csv_with(
        cases.iter().map(|(c, v)| (c, v.as_slice())),
        from,
        to,
        &team_names(store).await?,
        &worker_names(store).await?,
        &reviews,
    )
    .map_err(ApiError::internal)?;
    let (response, sent) =
        conditional::file(&request, csv.into_bytes(), "text/csv; charset=utf-8", Some("annex-a-list-7.csv"));
    // The list leaves the service only when sent: one the caller already holds is not exported
    // again.
    if sent {
        record_change(&state, &caller, None, "Annex A List 7 exported".to_owned()).await?;
    }
    Ok(response)
}

/// The audit query.
#[derive(Clone, Copy, Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only entries about this child.
    #[serde(default)]
    pub child_id: Option<ChildId>,
}

/// Who viewed or changed which child's record, oldest first. Team managers see entries about
/// their team's children; senior managers see everything.
#[utoipa::path(get, path = "/api/audit", tag = "oversight", security(("bearer" = [])),
    params(AuditQuery), responses(
    (status = 200, body = Vec<wire::AuditEntry>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody, description = "Managers only"),
    (status = 404, body = ErrorBody, description = "No such child, or not in your scope"), (status = 410, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(worker.id = %caller.id()))]
pub async fn audit(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> Result<ApiJson<Vec<wire::AuditEntry>>, ApiError> {
    scope::require_role(&caller.worker, &MANAGERS)?;
    let store = state.store();
    if let Some(child) = query.child_id {
        scope::visible_child(store, &caller.worker, child, state.today()).await?;
        return Ok(ApiJson(store.audit(Some(child)).await?.into_iter().map(Into::into).collect()));
    }
    let entries = store.audit(None).await?;
    if caller.role() == Role::SeniorManager {
        return Ok(ApiJson(entries.into_iter().map(Into::into).collect()));
    }
    let in_scope = scope::children_in_scope(store, &caller.worker, state.today()).await?;
    let team = caller.worker.team;
    let team_workers: BTreeSet<WorkerId> = workers(store)
        .await?
        .into_iter()
        .filter(|w| team.is_some() && w.team == team)
        .map(|w| w.id)
        .collect();
    Ok(ApiJson(
        entries
            .into_iter()
            .filter(|e| match e.child_id {
                Some(child) => in_scope.contains(&child),
                None => team_workers.contains(&e.worker_id),
            })
            .map(Into::into)
            .collect(),
    ))
}

// ---- The manager's desk. ----

/// The desk's query.
#[derive(Clone, Copy, Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeskQuery {
    /// How many calendar months of figures, the current one included: 1 to 24, default 12.
    #[serde(default)]
    #[param(minimum = 1, maximum = 24)]
    pub months: Option<u32>,
}

/// The manager's desk: children overdue and due within five working days, open escalations by
/// age, held visits and conflicts, cover in force, and, by month and by key worker, visits on
/// time, seen alone, the child's words recorded and interpreter needs met, with escalations
/// raised and resolved and the time to first action. A team manager sees their team; a senior
/// manager the service. Past months are counted as the compliance report counts them, so they
/// do not change when a late record arrives.
#[utoipa::path(get, path = "/api/desk", tag = "oversight", security(("bearer" = [])),
    params(DeskQuery), responses(
    (status = 200, body = shared::desk::Desk), (status = 400, body = ErrorBody, description = "Names the field at fault"),
    (status = 401, body = ErrorBody), (status = 403, body = ErrorBody, description = "Managers only"),
    (status = 410, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(worker.id = %caller.id()))]
pub async fn desk(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<DeskQuery>,
) -> Result<ApiJson<shared::desk::Desk>, ApiError> {
    use shared::desk::{DEFAULT_DESK_MONTHS, MAX_DESK_MONTHS};
    scope::require_role(&caller.worker, &MANAGERS)?;
    let months = query.months.unwrap_or(DEFAULT_DESK_MONTHS);
    if !(1..=MAX_DESK_MONTHS).contains(&months) {
        return Err(ApiError::bad_field("months", format!("Ask for 1 to {MAX_DESK_MONTHS} months.")));
    }
    let today = state.today();
    let (cases, recorded, earlier) = cases_in_scope(&state, &caller).await?;
    let store = state.store();
    let (teams, names) = (team_names(store).await?, worker_names(store).await?);
    let input = crate::desk::DeskInput {
        today,
        time_zone: state.clock().time_zone(),
        calendar: state.calendar(),
        rules: &state.config().rules,
        team_names: &teams,
        worker_names: &names,
        recorded: &recorded,
        earlier_records: &earlier,
        months,
    };
    let child_names: HashMap<ChildId, String> = cases.iter().map(|(c, _)| (c.id, c.display_name())).collect();
    let mut escalations = Vec::new();
    let mut covers = Vec::new();
    for (child, _) in &cases {
        escalations.extend(store.escalations_for_child(child.id).await?);
        covers.extend(store.covers_for_child(child.id).await?);
    }
    let mut held_visits = 0u32;
    for item in store.review_items().await? {
        if store.resolution(item.visit_id, item.revision).await?.is_none()
            && crate::routes::review::may_review(store, &caller, &item, today).await?
        {
            held_visits += 1;
        }
    }
    let mut conflicts = 0u32;
    for conflict in store.conflicts().await? {
        if child_names.contains_key(&conflict.child_id)
            && store.conflict_resolution(conflict.id).await?.is_none()
        {
            conflicts += 1;
        }
    }
    let (open_escalations, escalations_by_age) =
        crate::desk::open_escalations(&input, &escalations, &child_names);
    let (month_figures, worker_figures) = crate::desk::monthly_figures(&input, &cases);
    Ok(ApiJson(shared::desk::Desk {
        as_of: today,
        children_due: crate::desk::children_due(&input, &cases),
        open_escalations,
        escalations_by_age,
        held_visits,
        conflicts,
        covers: crate::desk::covers_in_force(&input, &covers, &child_names),
        months: month_figures,
        workers: worker_figures,
        escalation_months: crate::desk::escalation_months(&input, &escalations),
    }))
}
