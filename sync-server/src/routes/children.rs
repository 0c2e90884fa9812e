//! Children in the caller's scope, and their visits.

use axum::extract::State;
use chrono::Utc;
use shared::sync::ErrorBody;
use shared::{Child, ChildId, Visit};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath};
use crate::scope;
use crate::store::{AuditAction, AuditEntry};

/// The routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_children))
        .routes(routes!(get_child))
        .routes(routes!(child_visits))
}

/// Records that the caller viewed something about a child.
pub async fn audit_view(
    state: &AppState,
    caller: &Caller,
    child: ChildId,
    what: &str,
) -> Result<(), ApiError> {
    let today = state.today();
    let on_cover = caller.role() == shared::Role::DutyWorker
        && state.store().is_covering(caller.id(), child, today).await?;
    state
        .store()
        .record_view(&AuditEntry {
            at: Utc::now(),
            worker_id: caller.id(),
            role: caller.role(),
            device_id: Some(caller.device_id),
            action: AuditAction::Viewed,
            child_id: Some(child),
            what: what.to_owned(),
            on_cover,
        })
        .await?;
    Ok(())
}

/// The children the caller may see today.
#[utoipa::path(get, path = "/api/children", tag = "children", security(("bearer" = [])), responses(
    (status = 200, body = Vec<Child>), (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody, description = "Administrators see no child records"),
    (status = 410, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(worker.id = %caller.id()))]
pub async fn list_children(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<ApiJson<Vec<Child>>, ApiError> {
    scope::require_role(&caller.worker, &scope::VISITING_ROLES)?;
    let store = state.store();
    let ids = scope::children_in_scope(store, &caller.worker, state.today()).await?;
    let mut children = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(child) = store.child(id).await? {
            children.push(child);
        }
    }
    Ok(ApiJson(children))
}

/// One child. 404 when it does not exist or is outside the caller's scope, with the same body.
#[utoipa::path(get, path = "/api/children/{id}", tag = "children", security(("bearer" = [])),
    params(("id" = String, Path, description = "Child id")), responses(
    (status = 200, body = Child), (status = 401, body = ErrorBody),
    (status = 404, body = ErrorBody, description = "No such child, or not in your scope"), (status = 410, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(worker.id = %caller.id()))]
pub async fn get_child(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<ChildId>,
) -> Result<ApiJson<Child>, ApiError> {
    let child = scope::visible_child(state.store(), &caller.worker, id, state.today()).await?;
    audit_view(&state, &caller, id, "child record").await?;
    Ok(ApiJson(child))
}

/// Every revision of every visit to a child, in visit then revision order.
#[utoipa::path(get, path = "/api/children/{id}/visits", tag = "children", security(("bearer" = [])),
    params(("id" = String, Path, description = "Child id")), responses(
    (status = 200, body = Vec<Visit>), (status = 401, body = ErrorBody),
    (status = 404, body = ErrorBody, description = "No such child, or not in your scope"), (status = 410, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(worker.id = %caller.id()))]
pub async fn child_visits(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<ChildId>,
) -> Result<ApiJson<Vec<Visit>>, ApiError> {
    scope::visible_child(state.store(), &caller.worker, id, state.today()).await?;
    let visits = state.store().visits_of_child(id).await?.into_iter().map(|s| s.visit).collect();
    audit_view(&state, &caller, id, "visits").await?;
    Ok(ApiJson(visits))
}
