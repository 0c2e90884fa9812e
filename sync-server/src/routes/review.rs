//! Conflicts and visits held for review.

use axum::extract::State;
use serde::Serialize;
use shared::sync::ErrorBody;
use shared::{Role, Visit};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::routes::wire;
use crate::scope;
use crate::store::ReviewItem;

/// The routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(conflicts))
        .routes(routes!(review))
        .routes(routes!(crate::routes::resolve::resolve_held_visit))
        .routes(routes!(crate::routes::resolve::resolve_conflict))
}

/// Unresolved conflicts the caller may see: about children in their scope, or sent from their
/// devices.
#[utoipa::path(get, path = "/api/conflicts", tag = "review", security(("bearer" = [])), responses(
    (status = 200, body = Vec<wire::Conflict>), (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody, description = "Administrators see no child records"), (status = 410, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(worker.id = %caller.id()))]
pub async fn conflicts(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<ApiJson<Vec<wire::Conflict>>, ApiError> {
    scope::require_role(&caller.worker, &scope::VISITING_ROLES)?;
    let store = state.store();
    let today = state.today();
    let mut visible = Vec::new();
    for conflict in store.conflicts().await? {
        let in_scope = match store.child(conflict.child_id).await? {
            Some(child) => scope::can_see_child(store, &caller.worker, &child, today).await?,
            None => false,
        };
        let resolved = store.conflict_resolution(conflict.id).await?.is_some();
        if !resolved
            && (in_scope || conflict.worker_id == caller.id() || conflict.server.worker_id == caller.id())
        {
            visible.push(conflict.into());
        }
    }
    Ok(ApiJson(visible))
}

/// A visit held for review, with the revision held.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct HeldVisit {
    /// Why and when it was held.
    #[serde(flatten)]
    pub item: wire::ReviewItem,
    /// The revision held.
    pub visit: Visit,
}

/// Visits held as "needs review" (unknown child, de-registered, or not assigned) and not yet
/// resolved, for managers: a team manager sees their team's, a senior manager all.
#[utoipa::path(get, path = "/api/review", tag = "review", security(("bearer" = [])), responses(
    (status = 200, body = Vec<HeldVisit>), (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody, description = "Managers only"), (status = 410, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(worker.id = %caller.id()))]
pub async fn review(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<ApiJson<Vec<HeldVisit>>, ApiError> {
    scope::require_role(&caller.worker, &scope::MANAGERS)?;
    let store = state.store();
    let today = state.today();
    let mut held = Vec::new();
    for item in store.review_items().await? {
        let visible = may_review(store, &caller, &item, today).await?;
        let resolved = store.resolution(item.visit_id, item.revision).await?.is_some();
        if visible
            && !resolved
            && let Some(stored) = store.visit(item.visit_id, item.revision).await?
        {
            held.push(HeldVisit { item: item.into(), visit: stored.visit });
        }
    }
    Ok(ApiJson(held))
}

/// Whether a manager may see and resolve a held revision: a senior manager any; a team manager
/// those about a child their team holds, or made by a worker of their team.
pub async fn may_review(
    store: &dyn crate::store::Store,
    caller: &Caller,
    item: &ReviewItem,
    today: chrono::NaiveDate,
) -> Result<bool, ApiError> {
    Ok(match caller.role() {
        Role::SeniorManager => true,
        Role::TeamManager => {
            let child_in_team = match store.child(item.child_id).await? {
                Some(child) => scope::can_see_child(store, &caller.worker, &child, today).await?,
                None => false,
            };
            child_in_team || (item.team.is_some() && item.team == caller.worker.team)
        }
        _ => false,
    })
}
