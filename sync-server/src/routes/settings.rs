//! The authority's settings a device needs: calendar, time zone, schedule rules and the
//! business clock's offset. Also carried in every sign-in, refresh and pull answer; this is for
//! a device (or a tool) that wants them on their own.

use axum::extract::State;
use shared::sync::{AuthoritySettings, ErrorBody};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::ApiJson;

/// The routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_settings))
}

/// The authority's calendar, time zone and schedule rules, with a fingerprint that changes
/// whenever they do. Any signed-in account may read them; they name no child.
#[utoipa::path(get, path = "/api/settings", tag = "sync", security(("bearer" = [])),
    responses(
    (status = 200, body = AuthoritySettings),
    (status = 401, body = ErrorBody),
    (status = 410, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(worker.id = %caller.id()))]
pub async fn get_settings(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<ApiJson<AuthoritySettings>, ApiError> {
    Ok(ApiJson(state.settings().clone()))
}
