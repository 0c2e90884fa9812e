//! Push and pull.

use axum::extract::State;
use serde::Deserialize;
use shared::sync::{ErrorBody, PullResponse, PushRequest, PushResponse};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPush, ApiQuery};
use crate::scope::{self, VISITING_ROLES};

/// The routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(push)).routes(routes!(pull))
}

/// Sends visit revisions. Each gets its own result; the answer comes only once every accepted
/// revision is durable. A revision's times are kept in the authority's time zone (the instants
/// as sent), so its day is the authority's date whatever offset it was sent with.
///
/// The body may be sent plain, `Content-Encoding: gzip`, or `Content-Encoding: dcz` (RFC 9842:
/// Zstandard against the protocol's dictionary, `shared/src/dcz-dictionary.txt`, named in the
/// body's header by its SHA-256). The app sends every push as `dcz`, and gzipped to a server
/// that answers `dcz` with 415.
#[utoipa::path(post, path = "/api/sync/push", tag = "sync", security(("bearer" = [])), request_body = PushRequest,
    responses(
        (status = 200, body = PushResponse, description = "One result per revision, in the order sent"),
        (status = 400, body = ErrorBody, description = "Malformed body, wrong protocol, wrong device, too many visits, a broken `dcz` body (field `Content-Encoding`)"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody, description = "Administrators do not push visits"),
        (status = 410, body = ErrorBody, description = "This device was revoked: wipe"),
        (status = 413, body = ErrorBody, description = "Larger than 4 MiB once decompressed"),
        (status = 415, body = ErrorBody, description = "Not JSON, an unknown `Content-Encoding`, or a `dcz` body made with another dictionary (field `Content-Encoding`; the answer carries `Accept-Encoding: gzip`)")))]
#[tracing::instrument(skip_all, fields(worker.id = %caller.id(), visits = sent.request.visits.len()))]
pub async fn push(
    State(state): State<AppState>,
    caller: Caller,
    ApiPush(sent): ApiPush,
) -> Result<ApiJson<PushResponse>, ApiError> {
    scope::require_role(&caller.worker, &VISITING_ROLES)?;
    let clock =
        crate::sync::SyncClock { now: state.now(), tz: state.clock().time_zone(), today: state.today() };
    let response = crate::sync::push(state.store(), caller.syncer(), clock, sent).await?;
    Ok(ApiJson(response))
}

/// The pull query.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PullQuery {
    /// The cursor from the last pull; none for the first pull on a device.
    pub cursor: Option<String>,
    /// At most this many events (default 1000, at most 5000; larger values count as 5000).
    #[param(minimum = 1)]
    pub limit: Option<usize>,
}

/// Changes since the cursor, limited to what the caller may see.
#[utoipa::path(get, path = "/api/sync/pull", tag = "sync", security(("bearer" = [])), params(PullQuery),
    responses(
        (status = 200, body = PullResponse),
        (status = 400, body = ErrorBody, description = "Unknown cursor or bad limit"),
        (status = 401, body = ErrorBody), (status = 410, body = ErrorBody, description = "This device was revoked: wipe")))]
#[tracing::instrument(skip_all, fields(worker.id = %caller.id()))]
pub async fn pull(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<PullQuery>,
) -> Result<ApiJson<PullResponse>, ApiError> {
    if query.limit == Some(0) {
        return Err(ApiError::bad_field("limit", "The limit must be at least 1."));
    }
    // Pull reads many records: off the async workers.
    let reader = state.clone();
    // (The pull state the cursor names is durable before the answer: see `save_pull_state`.)
    let response = tokio::task::spawn_blocking(move || {
        let today = reader.today();
        tokio::runtime::Handle::current().block_on(crate::sync::pull(
            reader.store(),
            caller.syncer(),
            today,
            reader.settings(),
            query.cursor.as_deref(),
            query.limit,
        ))
    })
    .await
    .map_err(ApiError::internal)??;
    Ok(ApiJson(response))
}
