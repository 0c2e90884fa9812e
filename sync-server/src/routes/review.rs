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
use crate::scope;
use crate::store::{Conflict, ReviewItem};

/// The routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(conflicts)).routes(routes!(review))
}

/// Conflicts the caller may see: about children in their scope, or sent from their devices.
#[utoipa::path(get, path = "/api/conflicts", tag = "review", security(("bearer" = [])), responses(
    (status = 200, body = Vec<Conflict>), (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody, description = "Administrators see no child records"), (status = 410, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(worker.id = %caller.id()))]
pub async fn conflicts(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<ApiJson<Vec<Conflict>>, ApiError> {
    scope::require_role(&caller.worker, &scope::VISITING_ROLES)?;
    let store = state.store();
    let today = state.today();
    let mut visible = Vec::new();
    for conflict in store.conflicts()? {
        let in_scope = match store.child(conflict.child_id)? {
            Some(child) => scope::can_see_child(store, &caller.worker, &child, today)?,
            None => false,
        };
        if in_scope || conflict.worker_id == caller.id() || conflict.server.worker_id == caller.id() {
            visible.push(conflict);
        }
    }
    Ok(ApiJson(visible))
}

/// A visit held for review, with the revision held.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct HeldVisit {
    /// Why and when it was held.
    #[serde(flatten)]
    pub item: ReviewItem,
    /// The revision held.
    pub visit: Visit,
}

/// Visits held as "needs review" (unknown child, de-registered, or not assigned), for managers:
/// a team manager sees their team's, a senior manager all.
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
    for item in store.review_items()? {
        let visible = match caller.role() {
            Role::SeniorManager => true,
            _ => {
                let child_in_team = match store.child(item.child_id)? {
                    Some(child) => scope::can_see_child(store, &caller.worker, &child, today)?,
                    None => false,
                };
                child_in_team || (item.team.is_some() && item.team == caller.worker.team)
            }
        };
        if visible && let Some(stored) = store.visit(item.visit_id, item.revision)? {
            held.push(HeldVisit { item, visit: stored.visit });
        }
    }
    Ok(ApiJson(held))
}
