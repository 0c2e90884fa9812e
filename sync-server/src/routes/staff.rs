//! The staff a manager may choose from, so that a manager picks a duty worker by name instead
//! of typing their id.

use axum::extract::State;
use serde::Deserialize;
use shared::sync::ErrorBody;
use shared::{Role, Worker};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiQuery};
use crate::scope;

/// The routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_staff))
}

/// The staff list's query.
#[derive(Clone, Copy, Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StaffQuery {
    /// Only staff with this role, for example `duty_worker` when assigning cover.
    #[serde(default)]
    #[param(inline)]
    pub role: Option<Role>,
}

/// Whether `manager` may see `worker` in the staff list. A team manager sees their own team,
/// and every duty worker whatever their team, because cover may be assigned to any duty
/// worker (the rule `escalations::validate_cover` applies). Senior managers and
/// administrators see everyone.
pub fn may_list(manager: &Worker, worker: &Worker) -> bool {
    match manager.role {
        Role::SeniorManager | Role::Admin => true,
        Role::TeamManager => {
            worker.role == Role::DutyWorker || (manager.team.is_some() && worker.team == manager.team)
        }
        Role::SocialWorker | Role::DutyWorker => false,
    }
}

/// The staff the caller may see, sorted by name: a team manager sees their team and every duty
/// worker; senior managers and administrators see everyone. Disabled accounts are left out,
/// since nobody can be given work on them.
#[utoipa::path(get, path = "/api/staff", tag = "staff", security(("bearer" = [])), params(StaffQuery),
    responses(
    (status = 200, body = Vec<Worker>), (status = 400, body = ErrorBody, description = "Unknown role"),
    (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody, description = "Managers and administrators only"),
    (status = 410, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(worker.id = %caller.id()))]
pub async fn list_staff(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<StaffQuery>,
) -> Result<ApiJson<Vec<Worker>>, ApiError> {
    scope::require_role(&caller.worker, &[Role::TeamManager, Role::SeniorManager, Role::Admin])?;
    let mut staff: Vec<Worker> = state
        .store()
        .accounts()
        .await?
        .into_iter()
        .filter(|account| !account.disabled)
        .map(|account| account.worker)
        .filter(|worker| query.role.is_none_or(|role| worker.role == role))
        .filter(|worker| may_list(&caller.worker, worker))
        .collect();
    staff.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    Ok(ApiJson(staff))
}
