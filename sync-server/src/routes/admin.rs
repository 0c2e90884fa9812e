//! Administration: accounts, devices, the central import and the write-back export.

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use shared::sync::ErrorBody;
use shared::{DeviceId, Role, TeamId, Worker, WorkerId};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::auth::{self, Caller, ClientAddr};
use crate::error::ApiError;
use crate::export::{self, AckReport, ExportAck, ExportedVisit};
use crate::extract::{ApiJson, ApiPath, ApiQuery, body_rejection};
use crate::import::{self, ImportReport};
use crate::scope::require_role;
use crate::store::{Account, DeviceRecord};

/// The routes of this module. The import takes a larger body than the rest.
pub fn router(state: &AppState) -> OpenApiRouter<AppState> {
    let import = OpenApiRouter::new()
        .routes(routes!(import_cases))
        .layer(DefaultBodyLimit::max(state.config().max_import_bytes));
    OpenApiRouter::new()
        .merge(import)
        .routes(routes!(export_visits))
        .routes(routes!(export_ack))
        .routes(routes!(revoke_device))
        .routes(routes!(create_account))
        .routes(routes!(set_password))
        .routes(routes!(backup))
        .routes(routes!(list_teams))
        .routes(routes!(set_team_managers))
}

/// Which format a body or answer is in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// JSON.
    #[default]
    Json,
    /// CSV with a header row.
    Csv,
}

/// The most revisions one export answer lists (also the default).
pub const MAX_EXPORT_LIMIT: usize = 10_000;

/// The format query.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct FormatQuery {
    /// `csv` or `json`. For the import, when absent, taken from the Content-Type.
    #[param(inline)]
    pub format: Option<Format>,
    /// For the export: at most this many revisions (default and most 10,000: a larger value
    /// counts as 10,000).
    #[param(minimum = 1)]
    pub limit: Option<usize>,
}

/// Imports the central case management system's export. Malformed records are reported by line
/// and field and skipped; the rest are imported. Idempotent and incremental.
#[utoipa::path(post, path = "/api/admin/import", tag = "admin", security(("bearer" = [])), params(FormatQuery),
    request_body(description = "CSV (text/csv), or JSON (application/json): a list of records or {\"children\": [...]}; see the column table in the README. Records that do not fit are reported by line and field, not refused",
        content((String = "text/csv"), (serde_json::Value = "application/json"))),
    responses(
        (status = 200, body = ImportReport, description = "What was imported, and each problem by line and field"),
        (status = 400, body = ErrorBody, description = "Unreadable body or missing required columns: nothing imported"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody, description = "Administrators only"),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(worker.id = %caller.id()))]
pub async fn import_cases(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<FormatQuery>,
    request: Request,
) -> Result<ApiJson<ImportReport>, ApiError> {
    require_role(&caller.worker, &[Role::Admin])?;
    let content_type =
        request.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let declared = if content_type.starts_with("text/csv") {
        Some(Format::Csv)
    } else if content_type.starts_with("application/json") {
        Some(Format::Json)
    } else {
        None
    };
    if let (Some(asked), Some(declared)) = (query.format, declared)
        && asked != declared
    {
        return Err(ApiError::UnsupportedMediaType(
            "The Content-Type and ?format= disagree: send text/csv with format=csv, application/json with format=json."
                .into(),
        ));
    }
    let format = match query.format {
        Some(format) => format,
        None if content_type.starts_with("text/csv") => Format::Csv,
        None if content_type.starts_with("application/json") => Format::Json,
        None => {
            return Err(ApiError::UnsupportedMediaType(
                "Send text/csv or application/json, or say ?format=csv|json.".into(),
            ));
        }
    };
    let body = Bytes::from_request(request, &state).await.map_err(body_rejection)?;
    let (records, report) = tokio::task::spawn_blocking(move || {
        let mut report = ImportReport::default();
        let records = match format {
            Format::Csv => import::parse_csv(&body, &mut report),
            Format::Json => import::parse_json(&body, &mut report),
        };
        records.map(|r| (r, report))
    })
    .await
    .map_err(ApiError::internal)??;
    let report = import::import(state.store(), records, report, state.today(), state.now()).await?;
    tracing::info!(
        created = report.created,
        updated = report.updated,
        rejected = report.rejected,
        "import done"
    );
    Ok(ApiJson(report))
}

/// The visit revisions not yet written back centrally, as JSON or CSV.
#[utoipa::path(get, path = "/api/admin/export/visits", tag = "admin", security(("bearer" = [])), params(FormatQuery),
    responses(
        (status = 200, description = "JSON, or CSV (one row per revision, formula-like cells neutralised) with ?format=csv",
            content((Vec<ExportedVisit> = "application/json"), (String = "text/csv"))),
        (status = 400, body = ErrorBody, description = "Unknown format, or a limit of 0"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody, description = "Administrators only")))]
#[tracing::instrument(skip_all, fields(worker.id = %caller.id()))]
pub async fn export_visits(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<FormatQuery>,
) -> Result<Response, ApiError> {
    require_role(&caller.worker, &[Role::Admin])?;
    // A larger limit counts as the most, as for pull: the central system pages with `ack`.
    let limit = query.limit.unwrap_or(MAX_EXPORT_LIMIT).min(MAX_EXPORT_LIMIT);
    if limit == 0 {
        return Err(ApiError::bad_field("limit", "The limit must be at least 1."));
    }
    let rows = export::pending(state.store(), limit).await?;
    Ok(match query.format.unwrap_or_default() {
        Format::Json => axum::Json(rows).into_response(),
        Format::Csv => {
            let body = export::to_csv(&rows).map_err(ApiError::internal)?;
            ([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], body).into_response()
        }
    })
}

/// Acknowledges revisions written back centrally; they are not exported again.
#[utoipa::path(post, path = "/api/admin/export/ack", tag = "admin", security(("bearer" = [])), request_body = ExportAck,
    responses(
        (status = 200, body = AckReport), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody, description = "Administrators only")))]
#[tracing::instrument(skip_all, fields(worker.id = %caller.id()))]
pub async fn export_ack(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(ack): ApiJson<ExportAck>,
) -> Result<ApiJson<AckReport>, ApiError> {
    require_role(&caller.worker, &[Role::Admin])?;
    if ack.revisions.len() > crate::export::MAX_ACK_REVISIONS {
        return Err(ApiError::bad_field(
            "revisions",
            format!("Acknowledge at most {} revisions at a time.", crate::export::MAX_ACK_REVISIONS),
        ));
    }
    if let Some(i) = ack.revisions.iter().position(|r| r.revision == 0 || r.revision > i32::MAX as u32) {
        return Err(ApiError::bad_field(
            format!("revisions[{i}].revision"),
            "A revision is a number from 1 to 2147483647.",
        ));
    }
    let store = state.store();
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    for r in ack.revisions {
        if store.visit(r.visit_id, r.revision).await?.is_some() {
            known.push((r.visit_id, r.revision));
        } else {
            unknown.push(r);
        }
    }
    known.sort();
    known.dedup();
    let acknowledged = store.ack_exported(&known, Utc::now()).await?;
    Ok(ApiJson(AckReport { acknowledged, already: known.len() - acknowledged, unknown }))
}

/// A device as administrators see it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DeviceInfo {
    /// The device.
    pub id: DeviceId,
    /// Whose it is.
    pub worker_id: WorkerId,
    /// Its name.
    pub name: Option<String>,
    /// First sign-in.
    pub registered_at: DateTime<Utc>,
    /// When it was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<&DeviceRecord> for DeviceInfo {
    fn from(d: &DeviceRecord) -> Self {
        DeviceInfo {
            id: d.id,
            worker_id: d.worker_id,
            name: d.name.clone(),
            registered_at: d.registered_at,
            revoked_at: d.revoked_at,
        }
    }
}

/// Revokes a device (remote wipe): its next request answers 410 "wipe". Administrators and
/// senior managers may revoke any device; team managers their team's workers' devices.
#[utoipa::path(post, path = "/api/admin/devices/{id}/revoke", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "Device id")),
    responses(
        (status = 200, body = DeviceInfo), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody, description = "Administrators and managers only"),
        (status = 404, body = ErrorBody, description = "No such device, or not one you manage")))]
#[tracing::instrument(skip_all, fields(worker.id = %caller.id()))]
pub async fn revoke_device(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<DeviceId>,
) -> Result<ApiJson<DeviceInfo>, ApiError> {
    require_role(&caller.worker, &[Role::Admin, Role::SeniorManager, Role::TeamManager])?;
    let store = state.store();
    let mut device = store.device(id).await?.ok_or(ApiError::NotFound)?;
    if caller.role() == Role::TeamManager {
        let owner = store.worker(device.worker_id).await?;
        if caller.worker.team.is_none() || owner.and_then(|w| w.team) != caller.worker.team {
            return Err(ApiError::NotFound);
        }
    }
    if device.revoked_at.is_none() {
        device.revoked_at = Some(Utc::now());
        crate::routes::auth::retire(&mut device);
        store.put_device(&device).await?;
        tracing::info!(device.id = %device.id, "device revoked");
    }
    Ok(ApiJson(DeviceInfo::from(&device)))
}

/// A new account.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAccount {
    /// Unique username: no spaces.
    #[schema(min_length = 1, max_length = 100, pattern = "^\\S+$")]
    pub username: String,
    /// The worker's name.
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    /// Their role.
    pub role: Role,
    /// Their team, if any.
    #[serde(default)]
    pub team: Option<TeamId>,
    /// An initial password (at least 12 characters).
    #[schema(min_length = 12, max_length = 1024)]
    pub password: String,
}

impl std::fmt::Debug for NewAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewAccount").field("role", &self.role).field("password", &"<redacted>").finish()
    }
}

/// Creates an account. Administrators only.
#[utoipa::path(post, path = "/api/admin/accounts", tag = "admin", security(("bearer" = [])), request_body = NewAccount,
    responses(
        (status = 201, body = Worker), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody, description = "Administrators only"),
        (status = 409, body = ErrorBody, description = "The username is taken")))]
#[tracing::instrument(skip_all, fields(worker.id = %caller.id()))]
pub async fn create_account(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(new): ApiJson<NewAccount>,
) -> Result<(StatusCode, ApiJson<Worker>), ApiError> {
    require_role(&caller.worker, &[Role::Admin])?;
    let username = new.username.trim().to_owned();
    if username.is_empty()
        || username.len() > 100
        || username.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(ApiError::bad_field("username", "A username is 1 to 100 characters with no spaces."));
    }
    if new.name.trim().is_empty() || new.name.len() > 200 {
        return Err(ApiError::bad_field("name", "Enter the worker's name."));
    }
    auth::check_new_password("password", &new.password)?;
    if let Some(team) = new.team
        && state.store().team(team).await?.is_none()
    {
        return Err(ApiError::bad_field("team", "No such team."));
    }
    if state.store().account_by_username(&username).await?.is_some() {
        return Err(ApiError::Conflict("That username is taken.".into()));
    }
    let password = new.password;
    let hash = tokio::task::spawn_blocking(move || auth::hash_password(&password))
        .await
        .map_err(ApiError::internal)??;
    let worker =
        Worker { id: WorkerId::new(), name: new.name.trim().to_owned(), role: new.role, team: new.team };
    let account = Account {
        worker: worker.clone(),
        username,
        password_hash: Some(hash),
        password_changed_at: Utc::now(),
        disabled: false,
    };
    state.store().put_account(&account).await?;
    Ok((StatusCode::CREATED, ApiJson(worker)))
}

/// A password change.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    /// The new password (at least 12 characters).
    #[schema(min_length = 12, max_length = 1024)]
    pub new_password: String,
    /// The current password: required when changing your own, not when an administrator resets
    /// someone else's.
    #[serde(default)]
    pub current_password: Option<String>,
}

impl std::fmt::Debug for PasswordChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordChange(<redacted>)")
    }
}

/// Sets a password: an administrator for anyone else, or anyone for themselves with the current
/// password (wrong ones count toward the sign-in lockout). Every session of the worker's devices
/// ends: refresh tokens and access tokens stop working at once.
#[utoipa::path(put, path = "/api/admin/accounts/{id}/password", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "Worker id")), request_body = PasswordChange,
    responses(
        (status = 204, description = "Changed; the worker's devices must sign in again"),
        (status = 400, body = ErrorBody, description = "Bad new password, or the current password missing or wrong (counts toward the sign-in lockout)"),
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "No such account, or not yours"),
        (status = 429, body = ErrorBody, description = "Too many wrong passwords; see Retry-After")))]
#[tracing::instrument(skip_all, fields(worker.id = %caller.id()))]
pub async fn set_password(
    State(state): State<AppState>,
    caller: Caller,
    ClientAddr(address): ClientAddr,
    ApiPath(id): ApiPath<WorkerId>,
    ApiJson(change): ApiJson<PasswordChange>,
) -> Result<StatusCode, ApiError> {
    let own = caller.id() == id;
    if !own && caller.role() != Role::Admin {
        return Err(ApiError::NotFound);
    }
    let store = state.store();
    let mut account = store.account(id).await?.ok_or(ApiError::NotFound)?;
    auth::check_new_password("new_password", &change.new_password)?;
    if own {
        // Changing one's own password needs the current one, administrators included: a stolen
        // access token must not be enough to take the account over. Each wrong guess counts
        // toward the same lockout as a failed sign-in.
        let current = change
            .current_password
            .clone()
            .ok_or_else(|| ApiError::bad_field("current_password", "Enter your current password."))?;
        let keys = auth::limiter_keys(&account.username, address);
        let attempt = state.limiter().take(state.store(), &keys).await?;
        let hash = account.password_hash.clone();
        let ok = tokio::task::spawn_blocking(move || auth::verify_password(&current, hash.as_deref()))
            .await
            .map_err(ApiError::internal)?;
        if !ok {
            // The attempt taken stays counted as a failure.
            tracing::info!("password change refused: wrong current password");
            return Err(ApiError::bad_field("current_password", "The current password is wrong."));
        }
        state.limiter().succeeded(state.store(), attempt, &keys[0]).await?;
    }
    let password = change.new_password;
    let hash = tokio::task::spawn_blocking(move || auth::hash_password(&password))
        .await
        .map_err(ApiError::internal)??;
    account.password_hash = Some(hash);
    account.password_changed_at = Utc::now();
    // The new password and the end of every refresh token go in one atomic batch: a crash
    // cannot leave the new password with the old sessions still alive.
    let mut tx = store.transaction().await?;
    tx.put_account(&account).await?;
    for mut device in store.devices_of(id).await? {
        // Every session of the worker ends: refresh tokens and access tokens alike.
        crate::routes::auth::retire(&mut device);
        device.session += 1;
        tx.put_device(&device).await?;
    }
    tx.commit().await?;
    tracing::info!(target.worker = %id, "password changed; every session of the worker ended");
    Ok(StatusCode::NO_CONTENT)
}

// ---- Teams: who their escalations go to. ----

/// Every team, with its manager and routing. Administrators only.
#[utoipa::path(get, path = "/api/admin/teams", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = Vec<shared::Team>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody, description = "Administrators only")))]
#[tracing::instrument(skip_all, fields(worker.id = %caller.id()))]
pub async fn list_teams(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<ApiJson<Vec<shared::Team>>, ApiError> {
    require_role(&caller.worker, &[Role::Admin])?;
    let mut teams = state.store().teams().await?;
    teams.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(ApiJson(teams))
}

/// Who a team's escalations go to: its manager; while the manager is recorded absent, the
/// deputy; at senior level (and when nobody else is present), the senior manager. Each is
/// optional; a field left out or `null` names nobody.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TeamManagers {
    /// The team manager: a worker with the `team_manager` role.
    #[serde(default)]
    pub manager: Option<WorkerId>,
    /// The senior manager for the team: a worker with the `senior_manager` role.
    #[serde(default)]
    pub senior_manager: Option<WorkerId>,
    /// Who deputises while the team manager is away: a team or senior manager, not the team
    /// manager themselves.
    #[serde(default)]
    pub deputy: Option<WorkerId>,
}

/// Sets a team's manager, senior manager and deputy, so that escalations are routed as the
/// authority decides rather than guessed. The team and its audit entry are written in one
/// flushed batch; the sweep then sends open escalations addressed to someone who no longer
/// holds a role for the team to whoever now does, and says so in each history. Administrators
/// only.
#[utoipa::path(put, path = "/api/admin/teams/{id}/managers", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "Team id")), request_body = TeamManagers,
    responses(
        (status = 200, body = shared::Team), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody, description = "Administrators only"),
        (status = 404, body = ErrorBody, description = "No such team"),
        (status = 422, body = ErrorBody, description = "A named worker does not exist or has the wrong role")))]
#[tracing::instrument(skip_all, fields(worker.id = %caller.id()))]
pub async fn set_team_managers(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<TeamId>,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> Result<ApiJson<shared::Team>, ApiError> {
    require_role(&caller.worker, &[Role::Admin])?;
    // Every field is optional, so serde would also take a JSON array as the struct's fields in
    // order: only an object is a team's managers.
    if !body.is_object() {
        return Err(ApiError::bad_field("body", "Send a JSON object: {manager, senior_manager, deputy}."));
    }
    let request: TeamManagers = serde_path_to_error::deserialize(body).map_err(|e| {
        let field = e.path().to_string();
        ApiError::bad_field(if field == "." { "body" } else { &field }, e.inner().to_string())
    })?;
    let store = state.store();
    let mut team = store.team(id).await?.ok_or(ApiError::NotFound)?;
    let mut errors = Vec::new();
    let checks: [(&str, Option<WorkerId>, &[Role], &str); 3] = [
        ("manager", request.manager, &[Role::TeamManager], "Name a team manager's worker id."),
        (
            "senior_manager",
            request.senior_manager,
            &[Role::SeniorManager],
            "Name a senior manager's worker id.",
        ),
        (
            "deputy",
            request.deputy,
            &[Role::TeamManager, Role::SeniorManager],
            "Name a team or senior manager's worker id.",
        ),
    ];
    for (field, who, roles, words) in checks {
        let Some(who) = who else { continue };
        let ok = store.account(who).await?.is_some_and(|a| !a.disabled && roles.contains(&a.worker.role));
        if !ok {
            errors.push(shared::FieldError::new(field, words));
        }
    }
    if request.deputy.is_some() && request.deputy == request.manager {
        errors.push(shared::FieldError::new(
            "deputy",
            "The deputy covers for the team manager: name someone else.",
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    team.manager = request.manager;
    team.routing = shared::TeamRouting { senior_manager: request.senior_manager, deputy: request.deputy };
    {
        // One transaction: the store holds the sweep off until the team is written.
        let mut tx = store.transaction().await?;
        tx.put_team(&team).await?;
        tx.audit(&crate::routes::oversight::change_entry(&caller, None, format!("team {id} managers set")))
            .await?;
        tx.commit().await?;
    }
    crate::sweeper::sweep_store(&state, None, state.now()).await?;
    Ok(ApiJson(team))
}

// ---- Backups. ----

/// Writes into a channel, for a response body that streams as the backup is written.
struct ChannelWriter(tokio::sync::mpsc::Sender<std::io::Result<Bytes>>);

impl std::io::Write for ChannelWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.blocking_send(Ok(Bytes::copy_from_slice(bytes))).map_err(|_| {
            std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the backup's reader went away")
        })?;
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// An online backup of the whole service: every record as one consistent snapshot (taken under
/// the store's write lock, which pushes wait on for a moment), then every photo, then a
/// SHA-256 trailer (see `sync_server::backup`). Streamed as it is written; a backup cut short
/// fails its check. `sync-server backup --to FILE` calls this and checks what it receives.
/// Administrators only; audited.
#[utoipa::path(get, path = "/api/admin/backup", tag = "admin", security(("bearer" = [])),
    responses(
        (status = 200, content_type = "application/octet-stream", description = "The backup file"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody, description = "Administrators only")))]
#[tracing::instrument(skip_all, fields(worker.id = %caller.id()))]
pub async fn backup(State(state): State<AppState>, caller: Caller) -> Result<Response, ApiError> {
    require_role(&caller.worker, &[Role::Admin])?;
    let store = state.store();
    let records = store.backup_records().await?;
    store
        .record_view(&crate::routes::oversight::change_entry(
            &caller,
            None,
            format!("backup taken: {} records", records.len()),
        ))
        .await?;
    let photo_dir = state.config().oversight.blob_dir.clone();
    let (sender, mut receiver) = tokio::sync::mpsc::channel::<std::io::Result<Bytes>>(16);
    tokio::task::spawn_blocking(move || {
        let failed = sender.clone();
        if let Err(error) = crate::backup::write_backup(&records, photo_dir.as_deref(), ChannelWriter(sender))
        {
            tracing::warn!(%error, "backup failed part-way: the client's copy will fail its check");
            let _ = failed.blocking_send(Err(std::io::Error::other("backup failed")));
        }
    });
    let stream = futures::stream::poll_fn(move |cx| receiver.poll_recv(cx));
    let mut response = axum::body::Body::from_stream(stream).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, header::HeaderValue::from_static("application/octet-stream"));
    headers.insert(
        header::CONTENT_DISPOSITION,
        header::HeaderValue::from_static("attachment; filename=\"seen-and-heard.backup\""),
    );
    Ok(response)
}
