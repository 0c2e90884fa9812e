//! The plan's timeline (issue 11): core group meetings and review conferences with their
//! agreed actions, managers' supervision of each case, and the dates due on them.
//!
//! | endpoint | social worker | duty worker | team manager | senior manager | admin |
//! |---|---|---|---|---|---|
//! | `GET /api/children/{id}/timeline` | own | covered | team | all | 403 |
//! | `POST /api/children/{id}/meetings` | own | 403 | team | all | 403 |
//! | `POST /api/children/{id}/actions/{action_id}/done` | own | 403 | team | all | 403 |
//! | `GET /api/children/{id}/supervision` | own | 403 | team | all | 403 |
//! | `POST /api/children/{id}/supervision` | 403 | 403 | team | all | 403 |
//! | `GET /api/plans/due` | 403 | 403 | team | all | 403 |
//!
//! A child outside the caller's scope answers 404, like one that does not exist. Meetings,
//! supervision and "done" marks are appended, never changed.

use std::collections::BTreeSet;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use shared::sync::ErrorBody;
use shared::timeline::{
    ActionDone, AgreedAction, MeetingKind, PlanMeeting, Supervision, TimelineDate, check_items, plan_dates,
    supervision_date,
};
use shared::{
    AgreedActionId, Child, ChildId, PlanMeetingId, Role, SupervisionId, TeamId, ValidationErrors, WorkerId,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath};
use crate::routes::children::audit_view;
use crate::routes::conditional;
use crate::routes::oversight::change_entry;
use crate::scope::{self, MANAGERS};

/// The routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(timeline))
        .routes(routes!(record_meeting))
        .routes(routes!(mark_action_done))
        .routes(routes!(list_supervision, record_supervision))
        .routes(routes!(plans_due))
}

/// Who records meetings and marks actions done: the key worker and managers. A duty worker
/// covers visits only.
const PLAN_KEEPERS: [Role; 3] = [Role::SocialWorker, Role::TeamManager, Role::SeniorManager];

/// An agreed action as the timeline shows it: where it was agreed, and whether it is done.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TrackedAction {
    /// The action, with its owner and due date.
    pub action: AgreedAction,
    /// Where it was agreed: "Core group meeting", "Review conference" or "Supervision".
    pub agreed_at: String,
    /// The day it was agreed.
    pub agreed_on: NaiveDate,
    /// When it was marked done, if it has been.
    #[serde(default)]
    pub done: Option<ActionDone>,
    /// Past its due date and not done, on the plan in force (escalated like a missed visit).
    pub overdue: bool,
    /// Agreed on the plan in force, and so followed up. An action agreed on an earlier plan, or
    /// on one that has ended, is listed for the record but is never overdue or escalated.
    pub on_current_plan: bool,
}

/// A child's plan timeline as it stands today.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PlanTimeline {
    /// The child.
    pub child_id: ChildId,
    /// The initial child protection conference, when known.
    #[serde(default)]
    pub initial_conference_on: Option<NaiveDate>,
    /// The day the timeline is counted from: the ICPC, or, when no ICPC date is recorded, the
    /// day the plan started (a plan is made at its conference). `None` without a plan.
    #[serde(default)]
    pub counted_from: Option<NaiveDate>,
    /// The next core group: the latest held, the date due by, whether it is overdue. `None`
    /// when the plan is not in force.
    #[serde(default)]
    pub core_group: Option<TimelineDate>,
    /// The next review conference, likewise.
    #[serde(default)]
    pub review_conference: Option<TimelineDate>,
    /// Supervision of the case (for the key worker and managers; `None` for a duty worker, or
    /// when the plan is not in force).
    #[serde(default)]
    pub supervision: Option<TimelineDate>,
    /// The meetings recorded here, oldest first.
    pub meetings: Vec<PlanMeeting>,
    /// Actions not yet done, the soonest due first.
    pub open_actions: Vec<TrackedAction>,
    /// Actions done, most recent first.
    pub done_actions: Vec<TrackedAction>,
}

fn may_read_supervision(caller: &Caller) -> bool {
    matches!(caller.role(), Role::SocialWorker | Role::TeamManager | Role::SeniorManager)
}

/// Builds a child's timeline from the store, as on `today`.
pub async fn build_timeline(
    state: &AppState,
    child: &Child,
    with_supervision: bool,
) -> Result<PlanTimeline, ApiError> {
    let store = state.store();
    let today = state.today();
    let timescales = state.config().oversight.escalation.timescales;
    let mut meetings = store.plan_meetings(child.id).await?;
    meetings.sort_by_key(|m| (m.held_on, m.recorded_at));
    let supervisions = if with_supervision { store.supervisions(child.id).await? } else { Vec::new() };
    let done = store.actions_done(child.id).await?;
    let (core_group, review_conference) = match child.plan.as_ref() {
        Some(plan) => plan_dates(state.calendar(), &timescales, plan, &meetings, today).unzip(),
        None => (None, None),
    };
    let supervision = match (with_supervision, child.plan.as_ref()) {
        (true, Some(plan)) => supervision_date(state.calendar(), &timescales, plan, &supervisions, today),
        _ => None,
    };
    let (mut open_actions, mut done_actions): (Vec<TrackedAction>, Vec<TrackedAction>) =
        shared::timeline::agreed_actions(&meetings, &supervisions)
            .map(|agreed| {
                let done = done.iter().find(|d| d.action_id == agreed.action.id).cloned();
                TrackedAction {
                    overdue: agreed.is_overdue(child.plan.as_ref(), done.is_some(), today),
                    on_current_plan: agreed.is_followed(child.plan.as_ref(), today),
                    action: agreed.action.clone(),
                    agreed_at: agreed.at.to_owned(),
                    agreed_on: agreed.on,
                    done,
                }
            })
            .partition(|t| t.done.is_none());
    open_actions.sort_by_key(|t| (t.action.due_on, t.action.id));
    done_actions.sort_by_key(|t| std::cmp::Reverse(t.done.as_ref().map(|d| d.done_on)));
    Ok(PlanTimeline {
        child_id: child.id,
        initial_conference_on: child.plan.as_ref().and_then(|p| p.details.initial_conference_on),
        counted_from: child.plan.as_ref().map(|p| p.timeline_from()),
        core_group,
        review_conference,
        supervision,
        meetings,
        open_actions,
        done_actions,
    })
}

/// A child's plan timeline: the ICPC, the next core group and review conference (with the
/// latest held and whether the date has passed), the meetings recorded, and the actions agreed
/// at them, open ones first. The key worker and managers also see supervision. A copy the
/// caller holds that is still current (`If-None-Match`) is answered 304, and no view recorded.
#[utoipa::path(get, path = "/api/children/{id}/timeline", tag = "plan", security(("bearer" = [])),
    params(("id" = String, Path, description = "Child id"),
        ("If-None-Match" = Option<String>, Header, description = "The ETag of a copy the caller holds: answered 304, with no body and no view recorded, if the timeline is still that")),
    responses(
    (status = 200, body = PlanTimeline, headers(("ETag" = String, description = "The timeline's tag, to send back as If-None-Match"))),
    (status = 304, description = "The timeline is still the copy the caller holds (If-None-Match); nothing is sent", headers(("ETag" = String))),
    (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody, description = "Administrators see no child records"),
    (status = 404, body = ErrorBody, description = "No such child, or not in your scope"), (status = 410, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(worker.id = %caller.id()))]
pub async fn timeline(
    State(state): State<AppState>,
    caller: Caller,
    request: HeaderMap,
    ApiPath(id): ApiPath<ChildId>,
) -> Result<Response, ApiError> {
    scope::require_role(&caller.worker, &scope::VISITING_ROLES)?;
    let child = scope::visible_child(state.store(), &caller.worker, id, state.today()).await?;
    let timeline = build_timeline(&state, &child, may_read_supervision(&caller)).await?;
    let json = serde_json::to_vec(&timeline).map_err(ApiError::internal)?;
    // The child's page reads it again after every sync: a copy held that is still current is
    // not sent, nor its view recorded, again.
    let (response, sent) = conditional::file(&request, json, "application/json", None);
    if sent {
        audit_view(&state, &caller, id, "plan timeline").await?;
    }
    Ok(response)
}

/// An action to agree: what, who owns it, by when.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionRequest {
    /// What must be done. At most 4,000 characters.
    #[schema(max_length = 4000)]
    pub description: String,
    /// Who owns it: a person or an agency. At most 200 characters.
    #[schema(max_length = 200)]
    pub owner: String,
    /// The date it is due by (within two years of today).
    pub due_on: NaiveDate,
}

fn agreed(actions: Vec<ActionRequest>) -> Vec<AgreedAction> {
    actions
        .into_iter()
        .map(|a| AgreedAction {
            id: AgreedActionId::new(),
            description: a.description.trim().to_owned(),
            owner: a.owner.trim().to_owned(),
            due_on: a.due_on,
        })
        .collect()
}

/// A core group meeting or review conference to record.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeetingRequest {
    /// Core group or review conference.
    pub kind: MeetingKind,
    /// The day it was held: not after today, not before the plan started.
    pub held_on: NaiveDate,
    /// Who attended: agencies and family members (1 to 50, each at most 200 characters).
    #[schema(max_items = 50)]
    pub attendees: Vec<String>,
    /// The decisions taken (at most 50, each at most 4,000 characters).
    #[serde(default)]
    #[schema(max_items = 50)]
    pub decisions: Vec<String>,
    /// The actions agreed (at most 50).
    #[serde(default)]
    #[schema(max_items = 50)]
    pub actions: Vec<ActionRequest>,
}

/// Checks that `held_on` falls within the child's plan and not after today.
fn check_held_on(errors: &mut ValidationErrors, child: &Child, held_on: NaiveDate, today: NaiveDate) {
    if held_on > today {
        errors.push("held_on", "This date is after today.");
    }
    match child.plan.as_ref() {
        Some(plan) if held_on < plan.registered_on => {
            errors.push("held_on", "This is before the child protection plan started.")
        }
        Some(plan) if plan.deregistered_on.is_some_and(|end| held_on > end) => {
            errors.push("held_on", "This is after the child protection plan ended.")
        }
        Some(_) => {}
        None => errors.push("held_on", "The child has no child protection plan."),
    }
}

/// Records a core group meeting or review conference on the child's plan: who attended, the
/// decisions, and the actions agreed, each with an owner and due date. It moves the timeline
/// on at once: an escalation about the meeting closes (held in time) or asks a manager to
/// confirm (held late). Kept, never changed.
#[utoipa::path(post, path = "/api/children/{id}/meetings", tag = "plan", security(("bearer" = [])),
    params(("id" = String, Path, description = "Child id")), request_body = MeetingRequest, responses(
    (status = 201, body = PlanMeeting), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody, description = "Duty workers and administrators do not record meetings"),
    (status = 404, body = ErrorBody, description = "No such child, or not in your scope"),
    (status = 410, body = ErrorBody), (status = 422, body = ErrorBody, description = "Names the field at fault")))]
#[tracing::instrument(skip_all, fields(worker.id = %caller.id()))]
pub async fn record_meeting(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<ChildId>,
    ApiJson(request): ApiJson<MeetingRequest>,
) -> Result<Response, ApiError> {
    scope::require_role(&caller.worker, &PLAN_KEEPERS)?;
    let store = state.store();
    let today = state.today();
    let child = scope::visible_child(store, &caller.worker, id, today).await?;
    let meeting = PlanMeeting {
        id: PlanMeetingId::new(),
        child_id: id,
        kind: request.kind,
        held_on: request.held_on,
        attendees: request.attendees.iter().map(|a| a.trim().to_owned()).collect(),
        decisions: request.decisions.iter().map(|d| d.trim().to_owned()).collect(),
        actions: agreed(request.actions),
        recorded_by: caller.id(),
        recorded_by_name: caller.worker.name.clone(),
        recorded_at: state.now(),
    };
    let mut errors = ValidationErrors::default();
    check_held_on(&mut errors, &child, meeting.held_on, today);
    check_items(&mut errors, Some(&meeting.attendees), &meeting.decisions, &meeting.actions, today);
    errors.into_result()?;
    let mut tx = store.transaction().await?;
    tx.put_plan_meeting(&meeting).await?;
    tx.audit(&change_entry(&caller, Some(id), format!("{} {} recorded", meeting.kind.label(), meeting.id)))
        .await?;
    tx.commit().await?;
    crate::sweeper::sweep_store(&state, Some(&BTreeSet::from([id])), state.now()).await?;
    Ok((StatusCode::CREATED, ApiJson(meeting)).into_response())
}

/// Marking an agreed action done.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionDoneRequest {
    /// The day it was done; today when left out. Not after today.
    #[serde(default)]
    pub done_on: Option<NaiveDate>,
    /// What was done (at most 4,000 characters).
    #[serde(default)]
    #[schema(max_length = 4000)]
    pub note: Option<String>,
}

/// Marks an action agreed at a core group, review conference or supervision done. Appended: the
/// action stays as agreed, and an action is marked done once.
#[utoipa::path(post, path = "/api/children/{id}/actions/{action_id}/done", tag = "plan", security(("bearer" = [])),
    params(("id" = String, Path, description = "Child id"), ("action_id" = String, Path, description = "Agreed action id")),
    request_body = ActionDoneRequest, responses(
    (status = 201, body = ActionDone), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody, description = "Duty workers and administrators do not mark actions done"),
    (status = 404, body = ErrorBody, description = "No such child or action, or not in your scope"),
    (status = 410, body = ErrorBody), (status = 422, body = ErrorBody, description = "Names the field at fault")))]
#[tracing::instrument(skip_all, fields(worker.id = %caller.id()))]
pub async fn mark_action_done(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((id, action_id)): ApiPath<(ChildId, AgreedActionId)>,
    ApiJson(request): ApiJson<ActionDoneRequest>,
) -> Result<Response, ApiError> {
    scope::require_role(&caller.worker, &PLAN_KEEPERS)?;
    let store = state.store();
    let today = state.today();
    scope::visible_child(store, &caller.worker, id, today).await?;
    let known = store.plan_meetings(id).await?.iter().any(|m| m.actions.iter().any(|a| a.id == action_id))
        || store.supervisions(id).await?.iter().any(|s| s.actions.iter().any(|a| a.id == action_id));
    if !known {
        return Err(ApiError::NotFound);
    }
    let done = ActionDone {
        action_id,
        child_id: id,
        done_on: request.done_on.unwrap_or(today),
        note: request.note.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty()),
        by: caller.id(),
        by_name: caller.worker.name.clone(),
        at: state.now(),
    };
    let mut errors = ValidationErrors::default();
    if done.done_on > today {
        errors.push("done_on", "This date is after today.");
    }
    shared::limits::check_date_near_today(&mut errors, "done_on", done.done_on, today);
    if let Some(note) = &done.note {
        shared::limits::check_text(&mut errors, "note", note, shared::limits::MAX_REASON_CHARS);
    }
    // Read under the transaction: two marks sent at once cannot both pass this check.
    let mut tx = store.transaction().await?;
    if let Some(earlier) = store.actions_done(id).await?.into_iter().find(|d| d.action_id == action_id) {
        errors.push(
            "action_id",
            format!("Already marked done on {} by {}.", earlier.done_on.format("%d/%m/%Y"), earlier.by_name),
        );
    }
    errors.into_result()?;
    tx.put_action_done(&done).await?;
    tx.audit(&change_entry(&caller, Some(id), format!("action {action_id} marked done"))).await?;
    tx.commit().await?;
    // Done: closes (or asks a manager to confirm) an escalation about the action overdue.
    crate::sweeper::sweep_store(&state, Some(&BTreeSet::from([id])), state.now()).await?;
    Ok((StatusCode::CREATED, ApiJson(done)).into_response())
}

/// Supervision to record.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SupervisionRequest {
    /// The day it took place: not after today, within the plan.
    pub held_on: NaiveDate,
    /// The reflection on risk and progress (at most 50,000 characters).
    #[schema(max_length = 50000)]
    pub reflection: String,
    /// The decisions taken (at most 50, each at most 4,000 characters).
    #[serde(default)]
    #[schema(max_items = 50)]
    pub decisions: Vec<String>,
    /// The actions agreed (at most 50).
    #[serde(default)]
    #[schema(max_items = 50)]
    pub actions: Vec<ActionRequest>,
}

/// The supervision recorded on a child's case, most recent first: for managers and the key
/// worker.
#[utoipa::path(get, path = "/api/children/{id}/supervision", tag = "plan", security(("bearer" = [])),
    params(("id" = String, Path, description = "Child id")), responses(
    (status = 200, body = Vec<Supervision>), (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody, description = "Duty workers and administrators do not read supervision"),
    (status = 404, body = ErrorBody, description = "No such child, or not in your scope"), (status = 410, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(worker.id = %caller.id()))]
pub async fn list_supervision(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<ChildId>,
) -> Result<ApiJson<Vec<Supervision>>, ApiError> {
    scope::require_role(&caller.worker, &PLAN_KEEPERS)?;
    scope::visible_child(state.store(), &caller.worker, id, state.today()).await?;
    let mut records = state.store().supervisions(id).await?;
    records.sort_by_key(|s| std::cmp::Reverse((s.held_on, s.recorded_at)));
    audit_view(&state, &caller, id, "supervision").await?;
    Ok(ApiJson(records))
}

/// Records a manager's supervision of a child's case: the date, the reflection on risk and
/// progress, decisions, and actions with owners and due dates. Kept, never changed.
#[utoipa::path(post, path = "/api/children/{id}/supervision", tag = "plan", security(("bearer" = [])),
    params(("id" = String, Path, description = "Child id")), request_body = SupervisionRequest, responses(
    (status = 201, body = Supervision), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody, description = "Managers only"),
    (status = 404, body = ErrorBody, description = "No such child, or not in your scope"),
    (status = 410, body = ErrorBody), (status = 422, body = ErrorBody, description = "Names the field at fault")))]
#[tracing::instrument(skip_all, fields(worker.id = %caller.id()))]
pub async fn record_supervision(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<ChildId>,
    ApiJson(request): ApiJson<SupervisionRequest>,
) -> Result<Response, ApiError> {
    scope::require_role(&caller.worker, &MANAGERS)?;
    let store = state.store();
    let today = state.today();
    let child = scope::visible_child(store, &caller.worker, id, today).await?;
    let supervision = Supervision {
        id: SupervisionId::new(),
        child_id: id,
        held_on: request.held_on,
        reflection: request.reflection.trim().to_owned(),
        decisions: request.decisions.iter().map(|d| d.trim().to_owned()).collect(),
        actions: agreed(request.actions),
        recorded_by: caller.id(),
        recorded_by_name: caller.worker.name.clone(),
        recorded_at: state.now(),
    };
    let mut errors = ValidationErrors::default();
    check_held_on(&mut errors, &child, supervision.held_on, today);
    if supervision.reflection.is_empty() {
        errors.push("reflection", "Write the reflection on risk and progress.");
    }
    shared::limits::check_text(
        &mut errors,
        "reflection",
        &supervision.reflection,
        shared::limits::MAX_LONG_TEXT_CHARS,
    );
    check_items(&mut errors, None, &supervision.decisions, &supervision.actions, today);
    errors.into_result()?;
    let mut tx = store.transaction().await?;
    tx.put_supervision(&supervision).await?;
    tx.audit(&change_entry(&caller, Some(id), format!("supervision {} recorded", supervision.id))).await?;
    tx.commit().await?;
    // A supervision closes (or asks a manager to confirm) an escalation about supervision overdue.
    crate::sweeper::sweep_store(&state, Some(&BTreeSet::from([id])), state.now()).await?;
    Ok((StatusCode::CREATED, ApiJson(supervision)).into_response())
}

/// One child on the manager's desk: where their plan's dates and supervision stand.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PlanDue {
    /// The child.
    pub child_id: ChildId,
    /// The authority's id for the child.
    pub central_id: String,
    /// The key worker.
    pub key_worker: WorkerId,
    /// The team.
    pub team_id: TeamId,
    /// The next core group (counted from the plan's start when no ICPC date is recorded).
    #[serde(default)]
    pub core_group: Option<TimelineDate>,
    /// The next review conference, likewise.
    #[serde(default)]
    pub review_conference: Option<TimelineDate>,
    /// The next supervision of the case.
    pub supervision: TimelineDate,
    /// Agreed actions past their due date and not done.
    pub actions_overdue: u32,
    /// Whether anything above is overdue.
    pub anything_overdue: bool,
}

/// Every child on a plan in the caller's scope with their plan dates and supervision, for the
/// manager's desk (and the compliance report's supervision figures).
pub async fn plans_due_in_scope(state: &AppState, caller: &Caller) -> Result<Vec<PlanDue>, ApiError> {
    let store = state.store();
    let today = state.today();
    let mut out = Vec::new();
    for id in scope::children_in_scope(store, &caller.worker, today).await? {
        let Some(child) = store.child(id).await?.filter(|c| scope::in_reports_of(&caller.worker, c)) else {
            continue;
        };
        let Some(plan) = child.plan.as_ref().filter(|p| p.is_active_on(today)) else { continue };
        let timeline = build_timeline(state, &child, true).await?;
        let Some(supervision) = timeline.supervision else { continue };
        let actions_overdue =
            u32::try_from(timeline.open_actions.iter().filter(|a| a.overdue).count()).unwrap_or(u32::MAX);
        let anything_overdue = supervision.overdue
            || timeline.core_group.is_some_and(|d| d.overdue)
            || timeline.review_conference.is_some_and(|d| d.overdue)
            || actions_overdue > 0;
        out.push(PlanDue {
            child_id: id,
            central_id: child.central_id.clone(),
            key_worker: plan.key_worker,
            team_id: plan.team,
            core_group: timeline.core_group,
            review_conference: timeline.review_conference,
            supervision,
            actions_overdue,
            anything_overdue,
        });
    }
    out.sort_by(|a, b| {
        let key = |p: &PlanDue| (!p.anything_overdue, std::cmp::Reverse(p.supervision.working_days_overdue));
        key(a).cmp(&key(b)).then(a.central_id.cmp(&b.central_id))
    });
    Ok(out)
}

/// The manager's desk: every child on a plan in the manager's scope (a team manager's team, a
/// senior manager's service) with the next core group, review conference and supervision, and
/// agreed actions overdue. Children with anything overdue first.
#[utoipa::path(get, path = "/api/plans/due", tag = "plan", security(("bearer" = [])), responses(
    (status = 200, body = Vec<PlanDue>), (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody, description = "Managers only"), (status = 410, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(worker.id = %caller.id()))]
pub async fn plans_due(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<ApiJson<Vec<PlanDue>>, ApiError> {
    scope::require_role(&caller.worker, &MANAGERS)?;
    Ok(ApiJson(plans_due_in_scope(&state, &caller).await?))
}
