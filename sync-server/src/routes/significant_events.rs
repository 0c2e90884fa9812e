//! Significant events entered by hand, with the agency they came from, for the multi-agency
//! chronology. Workers record them for the children in their scope, and managers for theirs;
//! each is audited and kept as entered.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use shared::ChildId;
use shared::sync::ErrorBody;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath};
use crate::routes::oversight::change_entry;
use crate::scope;
use crate::significant_events::{SignificantEvent, SignificantEventId, SignificantEventRequest};

/// The routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_significant_events, record_significant_event))
}

/// A child's significant events from other agencies, oldest entered first: for the workers
/// who may see the child and their managers.
#[utoipa::path(get, path = "/api/children/{id}/significant-events", tag = "oversight", security(("bearer" = [])),
    params(("id" = String, Path, description = "Child id")), responses(
    (status = 200, body = Vec<SignificantEvent>), (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody, description = "Administrators see no child records"),
    (status = 404, body = ErrorBody, description = "No such child, or not in your scope"), (status = 410, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(worker.id = %caller.id()))]
pub async fn list_significant_events(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<ChildId>,
) -> Result<ApiJson<Vec<SignificantEvent>>, ApiError> {
    scope::require_role(&caller.worker, &scope::VISITING_ROLES)?;
    let store = state.store();
    scope::visible_child(store, &caller.worker, id, state.today()).await?;
    crate::routes::children::audit_view(&state, &caller, id, "significant events").await?;
    Ok(ApiJson(store.significant_events(id).await?))
}

/// Records a significant event another agency reported (police, school, health, ...), for the
/// child's chronology. Social workers and duty workers for children in their scope, and
/// managers. Kept as entered, never changed: a correction is a new event.
#[utoipa::path(post, path = "/api/children/{id}/significant-events", tag = "oversight", security(("bearer" = [])),
    params(("id" = String, Path, description = "Child id")), request_body = SignificantEventRequest, responses(
    (status = 201, body = SignificantEvent), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody, description = "Administrators record no child events"),
    (status = 404, body = ErrorBody, description = "No such child, or not in your scope"),
    (status = 410, body = ErrorBody), (status = 422, body = ErrorBody, description = "Names the field at fault")))]
#[tracing::instrument(skip_all, fields(worker.id = %caller.id()))]
pub async fn record_significant_event(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<ChildId>,
    ApiJson(request): ApiJson<SignificantEventRequest>,
) -> Result<Response, ApiError> {
    scope::require_role(&caller.worker, &scope::VISITING_ROLES)?;
    let store = state.store();
    scope::visible_child(store, &caller.worker, id, state.today()).await?;
    request.validate(state.today()).map_err(ApiError::Validation)?;
    let event = SignificantEvent {
        id: SignificantEventId::new(),
        child_id: id,
        occurred_on: request.occurred_on,
        occurred_at: request.occurred_at,
        agency: request.agency,
        reported_by: request.reported_by.trim().to_owned(),
        summary: request.summary.trim().to_owned(),
        recorded_by: caller.id(),
        recorded_by_name: caller.worker.name.clone(),
        recorded_at: Utc::now(),
    };
    // The event and its audit entry in one atomic batch; the entry names the event, not its words.
    let mut tx = store.transaction().await?;
    tx.put_significant_event(&event).await?;
    tx.audit(&change_entry(&caller, Some(id), format!("significant event {} recorded", event.id))).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, ApiJson(event)).into_response())
}
