//! The continuity of a case: whose interpreting needs nobody has considered, safety warnings
//! for lone visits to a household, and how many key workers each child has had.
//!
//! Safety warnings may describe an adult's behaviour: their details are never logged, and the
//! audit entry names only the warning's id.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde::Serialize;
use shared::household::{EndSafetyWarning, NewSafetyWarning, SafetyWarningEnd};
use shared::sync::ErrorBody;
use shared::{ChildId, InterpretedPerson, Reallocation, SafetyWarning, SafetyWarningId, WorkerId};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath};
use crate::household;
use crate::routes::oversight::change_entry;
use crate::scope::{self, MANAGERS, VISITING_ROLES};

/// The routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(interpreting_not_considered))
        .routes(routes!(safety_warnings, add_safety_warning))
        .routes(routes!(end_safety_warning))
        .routes(routes!(key_workers))
}

/// A child with people whose need for an interpreter nobody has considered yet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct InterpretingToConsider {
    /// The child.
    pub child_id: ChildId,
    /// The child's name, for the manager's list.
    pub child_name: String,
    /// The child's key worker, who should ask.
    #[serde(default)]
    pub key_worker: Option<WorkerId>,
    /// The people not yet considered: the child and/or named parents and carers.
    pub people: Vec<InterpretedPerson>,
}

/// The children in the manager's scope for whom someone's need for an interpreter has not been
/// considered: neither the central record nor any visit answers it. Flagged until answered.
#[utoipa::path(get, path = "/api/oversight/interpreting-not-considered", tag = "casework",
    security(("bearer" = [])), responses(
    (status = 200, body = Vec<InterpretingToConsider>), (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody, description = "Not a manager"), (status = 410, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(worker.id = %caller.id()))]
pub async fn interpreting_not_considered(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<ApiJson<Vec<InterpretingToConsider>>, ApiError> {
    scope::require_role(&caller.worker, &MANAGERS)?;
    let store = state.store();
    let today = state.today();
    let mut list = Vec::new();
    for id in scope::children_in_scope(store, &caller.worker, today).await? {
        let Some(child) = store.child(id).await? else { continue };
        let visits: Vec<shared::Visit> =
            store.counted_visits_of_child(id).await?.into_iter().map(|s| s.visit).collect();
        let people = shared::interpreting_not_considered(&child, &visits);
        if !people.is_empty() {
            list.push(InterpretingToConsider {
                child_id: id,
                child_name: child.display_name(),
                key_worker: child.plan.as_ref().map(|p| p.key_worker),
                people,
            });
        }
    }
    Ok(ApiJson(list))
}

/// A household's safety warnings, in force and ended, oldest first: for everyone who may see
/// the child.
#[utoipa::path(get, path = "/api/children/{id}/safety-warnings", tag = "casework", security(("bearer" = [])),
    params(("id" = String, Path, description = "Child id")), responses(
    (status = 200, body = Vec<SafetyWarning>), (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody, description = "Administrators see no child records"),
    (status = 404, body = ErrorBody, description = "No such child, or not in your scope"), (status = 410, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(worker.id = %caller.id()))]
pub async fn safety_warnings(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<ChildId>,
) -> Result<ApiJson<Vec<SafetyWarning>>, ApiError> {
    scope::require_role(&caller.worker, &VISITING_ROLES)?;
    let store = state.store();
    scope::visible_child(store, &caller.worker, id, state.today()).await?;
    crate::routes::children::audit_view(&state, &caller, id, "safety warnings").await?;
    Ok(ApiJson(household::warnings_for(store, id).await?))
}

/// Records a safety warning for lone visits to the child's household (the child and their
/// linked brothers and sisters). Anyone who may visit the child may record one: a worker who
/// meets a risk at the door must be able to warn the next. Kept, never edited; a manager ends it.
#[utoipa::path(post, path = "/api/children/{id}/safety-warnings", tag = "casework", security(("bearer" = [])),
    params(("id" = String, Path, description = "Child id")), request_body = NewSafetyWarning, responses(
    (status = 201, body = SafetyWarning), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody, description = "Administrators see no child records"),
    (status = 404, body = ErrorBody, description = "No such child, or not in your scope"),
    (status = 410, body = ErrorBody), (status = 422, body = ErrorBody, description = "Names the field at fault")))]
#[tracing::instrument(skip_all, fields(worker.id = %caller.id()))]
pub async fn add_safety_warning(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<ChildId>,
    ApiJson(request): ApiJson<NewSafetyWarning>,
) -> Result<Response, ApiError> {
    scope::require_role(&caller.worker, &VISITING_ROLES)?;
    let store = state.store();
    let today = state.today();
    let child = scope::visible_child(store, &caller.worker, id, today).await?;
    request.validate()?;
    let now = Utc::now();
    let warning = {
        let mut tx = store.transaction().await?;
        let household = household::household_of(store, &child).await?;
        let warning = SafetyWarning {
            id: SafetyWarningId::new(),
            child_ids: household.iter().map(|c| c.id).collect(),
            kind: request.kind,
            details: request.details.trim().to_owned(),
            recorded_by: caller.id(),
            recorded_at: now,
            ended: None,
        };
        household::add_warning_writes(tx.as_mut(), &warning, &household, now, today).await?;
        tx.audit(&change_entry(&caller, Some(id), format!("safety warning {} recorded", warning.id))).await?;
        tx.commit().await?;
        warning
    };
    Ok((StatusCode::CREATED, ApiJson(warning)).into_response())
}

/// Ends a safety warning, with a reason: a manager's decision. The warning is kept with its end
/// appended, and leaves the household's records.
#[utoipa::path(post, path = "/api/safety-warnings/{id}/end", tag = "casework", security(("bearer" = [])),
    params(("id" = String, Path, description = "Safety warning id")), request_body = EndSafetyWarning, responses(
    (status = 200, body = SafetyWarning), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody, description = "Not a manager"),
    (status = 404, body = ErrorBody, description = "No such warning, or its household is not in your scope"),
    (status = 409, body = ErrorBody, description = "Already ended"),
    (status = 410, body = ErrorBody), (status = 422, body = ErrorBody, description = "Names the field at fault")))]
#[tracing::instrument(skip_all, fields(worker.id = %caller.id()))]
pub async fn end_safety_warning(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<SafetyWarningId>,
    ApiJson(request): ApiJson<EndSafetyWarning>,
) -> Result<ApiJson<SafetyWarning>, ApiError> {
    scope::require_role(&caller.worker, &MANAGERS)?;
    let store = state.store();
    let today = state.today();
    let now = Utc::now();
    let ended = {
        let mut tx = store.transaction().await?;
        let mut warning = household::warning(store, id).await?.ok_or(ApiError::NotFound)?;
        let mut first_visible = None;
        for child in &warning.child_ids {
            if scope::visible_child(store, &caller.worker, *child, today).await.is_ok() {
                first_visible = Some(*child);
                break;
            }
        }
        let first_visible = first_visible.ok_or(ApiError::NotFound)?;
        request.validate()?;
        if warning.ended.is_some() {
            return Err(ApiError::Conflict("This warning has already been ended.".into()));
        }
        let end = SafetyWarningEnd {
            ended_by: caller.id(),
            ended_at: now,
            reason: request.reason.trim().to_owned(),
        };
        household::end_warning_writes(store, tx.as_mut(), &warning, &end, now, today).await?;
        tx.audit(&change_entry(&caller, Some(first_visible), format!("safety warning {id} ended"))).await?;
        tx.commit().await?;
        warning.ended = Some(end);
        warning
    };
    Ok(ApiJson(ended))
}

/// How many key workers a child has had during the current plan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct KeyWorkerCount {
    /// The child.
    pub child_id: ChildId,
    /// The child's name, for the manager's list.
    pub child_name: String,
    /// The key worker now.
    pub key_worker: WorkerId,
    /// How many key workers during the current plan, the present one included.
    pub key_workers_during_plan: u32,
    /// The latest change of key worker, if there has been one.
    #[serde(default)]
    pub reallocation: Option<Reallocation>,
}

/// For each child on a plan in the manager's scope, how many key workers they have had during
/// the plan, most first: the audit found children passed from worker to worker.
#[utoipa::path(get, path = "/api/oversight/key-workers", tag = "casework",
    security(("bearer" = [])), responses(
    (status = 200, body = Vec<KeyWorkerCount>), (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody, description = "Not a manager"), (status = 410, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(worker.id = %caller.id()))]
pub async fn key_workers(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<ApiJson<Vec<KeyWorkerCount>>, ApiError> {
    scope::require_role(&caller.worker, &MANAGERS)?;
    let store = state.store();
    let mut list = Vec::new();
    for id in scope::children_in_scope(store, &caller.worker, state.today()).await? {
        let Some(child) = store.child(id).await? else { continue };
        let Some(plan) = &child.plan else { continue };
        let earlier: Vec<shared::Child> =
            store.child_history(id).await?.into_iter().flat_map(|c| [c.before, c.after]).collect();
        list.push(KeyWorkerCount {
            child_id: id,
            child_name: child.display_name(),
            key_worker: plan.key_worker,
            key_workers_during_plan: household::key_workers_during_plan(&child, &earlier),
            reallocation: child.reallocation.clone(),
        });
    }
    list.sort_by(|a, b| {
        b.key_workers_during_plan.cmp(&a.key_workers_during_plan).then(a.child_id.cmp(&b.child_id))
    });
    Ok(ApiJson(list))
}
