//! Sign-in, token refresh and sign-out.

use axum::extract::State;
use axum::http::StatusCode;
use chrono::Utc;
use shared::sync::{ErrorBody, LoginRequest, RefreshRequest, TokenResponse};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::auth::{self, Caller, ClientAddr};
use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::store::{Account, DeviceRecord};

/// How many rotated-away refresh hashes a device remembers, to detect reuse.
const RETIRED_KEPT: usize = 20;

/// The answer to a sign-in with a device id registered to another worker.
pub const DEVICE_OF_ANOTHER_WORKER: &str =
    "This device id is registered to another worker. Sign in as a new device (with a new device id).";

/// The routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(login)).routes(routes!(refresh)).routes(routes!(logout))
}

/// Signs in and registers the device. Failures are rate-limited per account and per address.
#[utoipa::path(post, path = "/api/auth/login", tag = "auth", request_body = LoginRequest, responses(
    (status = 200, body = TokenResponse),
    (status = 400, body = ErrorBody, description = "Malformed body"),
    (status = 401, body = ErrorBody, description = "Wrong username or password"),
    (status = 409, body = ErrorBody, description = "The device id is registered to another worker: nothing changed"),
    (status = 410, body = ErrorBody, description = "This device was revoked: wipe"),
    (status = 429, body = ErrorBody, description = "Too many failed attempts; see Retry-After")))]
#[tracing::instrument(skip_all, fields(device.id = %request.device_id))]
pub async fn login(
    State(state): State<AppState>,
    ClientAddr(address): ClientAddr,
    ApiJson(request): ApiJson<LoginRequest>,
) -> Result<axum::Json<TokenResponse>, ApiError> {
    if request.username.trim().is_empty() || request.username.len() > 200 {
        return Err(ApiError::bad_field("username", "Enter your username."));
    }
    if request.password.is_empty() || request.password.len() > 1024 {
        return Err(ApiError::bad_field("password", "Enter your password."));
    }
    if request.device_name.as_ref().is_some_and(|n| n.len() > 200) {
        return Err(ApiError::bad_field("device_name", "The device name is too long."));
    }
    let keys = auth::limiter_keys(&request.username, address);
    let attempt = state.limiter().take(state.store(), &keys).await?;
    let account = state.store().account_by_username(&request.username).await?.filter(|a| !a.disabled);
    let hash = account.as_ref().and_then(|a| a.password_hash.clone());
    let password = request.password.clone();
    let verified = tokio::task::spawn_blocking(move || auth::verify_password(&password, hash.as_deref()))
        .await
        .map_err(ApiError::internal)?;
    let Some(account) = account.filter(|_| verified) else {
        // The attempt taken stays counted as a failure.
        tracing::info!("sign-in refused");
        return Err(ApiError::Unauthorized("The username or password is wrong."));
    };
    state.limiter().succeeded(state.store(), attempt, &keys[0]).await?;

    let now = Utc::now();
    let (refresh_token, refresh_hash) = auth::new_refresh_token();
    let device = match state.store().device(request.device_id).await? {
        // A device belongs to the worker who registered it. Signing in with another worker's
        // device id must neither take over nor end their session (and must not tell this
        // caller whether that device was revoked): refuse, and leave their record alone. The
        // app makes a new device id for every sign-in, so it never meets this.
        Some(device) if device.worker_id != account.worker.id => {
            tracing::warn!(
                worker.id = %account.worker.id,
                device.owner = %device.worker_id,
                "sign-in with another worker's device id refused"
            );
            return Err(ApiError::Conflict(DEVICE_OF_ANOTHER_WORKER.to_owned()));
        }
        Some(device) if device.revoked_at.is_some() => return Err(ApiError::Wipe),
        Some(mut device) => {
            // A new sign-in on the same device starts a new session: the earlier one's access
            // tokens end with it.
            retire(&mut device);
            device.session += 1;
            device.refresh_hash = Some(refresh_hash);
            device.name = request.device_name.clone().or(device.name);
            device
        }
        None => DeviceRecord {
            id: request.device_id,
            worker_id: account.worker.id,
            name: request.device_name.clone(),
            registered_at: now,
            revoked_at: None,
            refresh_hash: Some(refresh_hash),
            retired_hashes: Vec::new(),
            session: 1,
        },
    };
    state.store().put_device(&device).await?;
    tracing::info!(worker.id = %account.worker.id, "signed in");
    tokens(&state, &account, &device, refresh_token)
}

/// Exchanges a refresh token for new tokens. Each refresh token works once; presenting one
/// already used revokes the device's chain (the device must sign in again).
#[utoipa::path(post, path = "/api/auth/refresh", tag = "auth", request_body = RefreshRequest, responses(
    (status = 200, body = TokenResponse),
    (status = 400, body = ErrorBody),
    (status = 401, body = ErrorBody, description = "Unknown, used or revoked refresh token"),
    (status = 410, body = ErrorBody, description = "This device was revoked: wipe")))]
#[tracing::instrument(skip_all, fields(device.id = %request.device_id))]
pub async fn refresh(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<RefreshRequest>,
) -> Result<axum::Json<TokenResponse>, ApiError> {
    let store = state.store();
    let refused = ApiError::Unauthorized("This sign-in has ended. Sign in again.");
    let Some(device) = store.device(request.device_id).await? else { return Err(refused) };
    if device.revoked_at.is_some() {
        return Err(ApiError::Wipe);
    }
    let presented = auth::hash_refresh_token(&request.refresh_token);
    if device.refresh_hash.as_deref() != Some(presented.as_str()) {
        if device.retired_hashes.contains(&presented) {
            // A token already rotated away came back: someone holds a copy. End the chain.
            let mut revoked = device.clone();
            retire(&mut revoked);
            revoked.session += 1;
            store.swap_device(&device, &revoked).await?;
            tracing::warn!(worker.id = %device.worker_id, "refresh token reused; chain revoked");
        }
        return Err(refused);
    }
    let account = store
        .account(device.worker_id)
        .await?
        .filter(|a| !a.disabled && a.password_hash.is_some())
        .ok_or(refused)?;
    let (refresh_token, refresh_hash) = auth::new_refresh_token();
    let mut rotated = device.clone();
    retire(&mut rotated);
    rotated.refresh_hash = Some(refresh_hash);
    if !store.swap_device(&device, &rotated).await? {
        return Err(ApiError::Unauthorized("This sign-in has ended. Sign in again."));
    }
    tokens(&state, &account, &rotated, refresh_token)
}

/// Signs out this device: its refresh token and every access token issued to it stop working
/// at once (the device's session version moves on).
#[utoipa::path(post, path = "/api/auth/logout", tag = "auth", security(("bearer" = [])), responses(
    (status = 204, description = "Signed out"),
    (status = 401, body = ErrorBody),
    (status = 410, body = ErrorBody, description = "This device was revoked: wipe")))]
#[tracing::instrument(skip_all, fields(worker.id = %caller.id()))]
pub async fn logout(State(state): State<AppState>, caller: Caller) -> Result<StatusCode, ApiError> {
    let store = state.store();
    // Compare-and-swap, retried: a refresh racing the sign-out must not bring the session back.
    for _ in 0..8 {
        let Some(device) = store.device(caller.device_id).await? else { break };
        let mut ended = device.clone();
        retire(&mut ended);
        ended.session += 1;
        if store.swap_device(&device, &ended).await? {
            tracing::info!("signed out");
            return Ok(StatusCode::NO_CONTENT);
        }
    }
    Err(ApiError::internal("the device record kept changing during sign-out"))
}

/// Moves the current refresh hash to the retired list.
pub(crate) fn retire(device: &mut DeviceRecord) {
    if let Some(hash) = device.refresh_hash.take() {
        device.retired_hashes.push(hash);
        let excess = device.retired_hashes.len().saturating_sub(RETIRED_KEPT);
        device.retired_hashes.drain(..excess);
    }
}

fn tokens(
    state: &AppState,
    account: &Account,
    device: &DeviceRecord,
    refresh_token: String,
) -> Result<axum::Json<TokenResponse>, ApiError> {
    let (access_token, access_expires_at) =
        state.keys().issue_access(&account.worker, device.id, device.session, Utc::now())?;
    Ok(axum::Json(TokenResponse {
        access_token,
        access_expires_at,
        refresh_token,
        worker: account.worker.clone(),
        settings: Some(state.settings().clone()),
    }))
}
