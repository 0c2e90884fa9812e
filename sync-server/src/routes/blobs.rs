//! Photo uploads and downloads, and which photos a visit still lacks. See [`crate::photos`].

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use shared::VisitId;
use shared::photo::is_sha256_hex;
use shared::sync::ErrorBody;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath};
use crate::photos::{self, BlobInfo, BlobStore, ContentRange, PutOutcome, UploadError};
use crate::scope;

/// The header saying how many bytes of an unfinished upload the server holds.
pub const UPLOAD_OFFSET: &str = "upload-offset";

/// The routes of this module.
pub fn router(state: &AppState) -> OpenApiRouter<AppState> {
    // A photo may be far larger than a JSON body; the limit here overrides the default.
    let max_photo = state.config().oversight.photo_limits.max_bytes + 1024;
    OpenApiRouter::new()
        .routes(routes!(put_blob, get_blob))
        .routes(routes!(get_thumbnail))
        .routes(routes!(missing_blobs))
        .layer(DefaultBodyLimit::max(max_photo))
}

fn blob_store(state: &AppState) -> Result<BlobStore, ApiError> {
    let oversight = &state.config().oversight;
    let Some(dir) = oversight.blob_dir.as_ref() else {
        return Err(ApiError::internal("photo storage is not configured (blob_dir)"));
    };
    BlobStore::open(dir, oversight.photo_limits).map_err(ApiError::internal)
}

fn upload_error(error: UploadError) -> Response {
    let (status, code, message, offset) = match &error {
        UploadError::BadKey => (
            StatusCode::BAD_REQUEST,
            "bad_request",
            "The key must be a SHA-256 in lower-case hex.".to_owned(),
            None,
        ),
        UploadError::BadRange(why) => {
            (StatusCode::BAD_REQUEST, "bad_request", format!("Content-Range is not usable: {why}."), None)
        }
        UploadError::OutOfOrder { received } => (
            StatusCode::CONFLICT,
            "upload_offset",
            format!("Send the upload from byte {received}: that much is already held."),
            Some(*received),
        ),
        UploadError::HashMismatch => (
            StatusCode::BAD_REQUEST,
            "hash_mismatch",
            "The bytes received do not match their SHA-256. Send the file again.".to_owned(),
            None,
        ),
        UploadError::Photo(photo) if photo.is_bad_input() => {
            let status = match photo {
                shared::photo::PhotoError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
                shared::photo::PhotoError::UnsupportedFormat => StatusCode::UNSUPPORTED_MEDIA_TYPE,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            (status, photo.code(), photo.to_string(), None)
        }
        UploadError::Photo(_) | UploadError::Io(_) => return ApiError::internal(&error).into_response(),
    };
    let field = if matches!(error, UploadError::BadRange(_)) { "content-range" } else { "body" };
    let body = ErrorBody {
        error: code.to_owned(),
        message: message.clone(),
        fields: vec![shared::FieldError::new(field, message)],
    };
    let mut response = (status, axum::Json(body)).into_response();
    if let Some(offset) = offset {
        response.headers_mut().insert(UPLOAD_OFFSET, HeaderValue::from(offset));
    }
    response
}

/// Uploads a photo, whole or in pieces (`Content-Range: bytes start-end/total`), keyed by the
/// SHA-256 of its bytes. JPEG, PNG and WebP are accepted, whatever the file is called; each is
/// turned upright, shrunk to at most 2048 px, stripped of EXIF and GPS, re-encoded as JPEG and
/// given a thumbnail. Re-sending a stored photo changes nothing.
#[utoipa::path(put, path = "/api/blobs/{sha256}", tag = "photos", security(("bearer" = [])),
    params(("sha256" = String, Path, description = "SHA-256 of the bytes, lower-case hex"),
        ("Content-Range" = Option<String>, Header, description = "For a piece of a resumable upload: bytes start-end/total")),
    request_body(description = "The picture's bytes: JPEG, PNG or WebP", content(("image/jpeg"), ("image/png"), ("image/webp"))),
    responses(
        (status = 201, body = BlobInfo, description = "Stored (also when someone else had sent the same bytes: nothing about them is answered)"),
        (status = 200, body = BlobInfo, description = "The caller's own upload, sent again: answered as the first time"),
        (status = 202, description = "Piece held; the Upload-Offset header says how many bytes"),
        (status = 400, body = ErrorBody, description = "Bad key, bad Content-Range, or bytes not matching the key"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "Piece out of order; Upload-Offset says where to resume"),
        (status = 410, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody, description = "Not JPEG, PNG or WebP"),
        (status = 422, body = ErrorBody, description = "Truncated, damaged, or too large in pixels or memory (a decompression bomb)")))]
#[tracing::instrument(skip_all, fields(worker.id = %caller.id()))]
pub async fn put_blob(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(sha256): ApiPath<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    scope::require_role(&caller.worker, &scope::VISITING_ROLES)?;
    if !is_sha256_hex(&sha256) {
        return Ok(upload_error(UploadError::BadKey));
    }
    // A stored key is not answered from its record: the upload goes through the same steps as
    // a new one, and only bytes that hash to the key (proof the caller holds the photo) get an
    // answer, which says nothing about who else sent it or when.
    let stored = state.store().blob(&sha256).await?;
    let range = match headers.get(header::CONTENT_RANGE).map(|v| v.to_str().unwrap_or("")) {
        Some(value) => match ContentRange::parse(value) {
            Ok(range) => Some(range),
            Err(error) => return Ok(upload_error(error)),
        },
        None => None,
    };
    let blobs = blob_store(&state)?;
    let key = sha256.clone();
    let (uploader, already_held) = (caller.id(), stored.is_some());
    // Decoding and resizing take a tenth of a second or more: off the async workers.
    let outcome = tokio::task::spawn_blocking(move || blobs.put(&key, uploader, already_held, range, &body))
        .await
        .map_err(ApiError::internal)?;
    match outcome {
        Ok(PutOutcome::AlreadyHeld) => {
            let Some(mut info) = stored else { return Err(ApiError::internal("stored photo vanished")) };
            let store = state.store();
            let since = if info.uploaded_by == caller.id() {
                Some(info.stored_at)
            } else {
                store.blob_holder_since(&sha256, caller.id()).await?
            };
            let (status, since) = match since {
                // The caller's own upload again (a lost answer): as first answered.
                Some(since) => (StatusCode::OK, since),
                // Someone else stored these bytes first; the caller has proved they hold them
                // too. Answered as a first upload, with nothing about the other uploader.
                None => {
                    let now = Utc::now();
                    store.add_blob_holder(&sha256, caller.id(), now).await?;
                    (StatusCode::CREATED, now)
                }
            };
            info.uploaded_by = caller.id();
            info.stored_at = since;
            Ok((status, ApiJson(info)).into_response())
        }
        Err(error) => Ok(upload_error(error)),
        Ok(PutOutcome::Partial { received, total }) => {
            let mut response = (
                StatusCode::ACCEPTED,
                axum::Json(serde_json::json!({ "received": received, "total": total })),
            )
                .into_response();
            response.headers_mut().insert(UPLOAD_OFFSET, HeaderValue::from(received));
            Ok(response)
        }
        Ok(PutOutcome::Complete(photo)) => {
            let info = BlobInfo {
                sha256: sha256.clone(),
                stored_sha256: photo.sha256.clone(),
                media_type: shared::photo::ProcessedPhoto::MEDIA_TYPE.to_owned(),
                uploaded_media_type: photo.source_format.media_type().to_owned(),
                width: photo.width,
                height: photo.height,
                bytes: photo.jpeg.len() as u64,
                thumbnail_width: photo.thumbnail_width,
                thumbnail_height: photo.thumbnail_height,
                uploaded_by: caller.id(),
                stored_at: Utc::now(),
            };
            // The files are durable already; this flushes the record of them.
            state.store().put_blob(&crate::store::BlobRecord::from(&info)).await?;
            state.store().add_blob_holder(&sha256, caller.id(), info.stored_at).await?;
            Ok((StatusCode::CREATED, ApiJson(info)).into_response())
        }
    }
}

async fn send_file(
    state: &AppState,
    caller: &Caller,
    sha256: &str,
    thumbnail: bool,
    head: bool,
) -> Result<Response, ApiError> {
    let store = state.store();
    let info = match store.blob(sha256).await? {
        Some(info) if photos::may_see_blob(store, &caller.worker, sha256, &info, state.today()).await? => {
            info
        }
        _ => {
            // An unfinished upload of the caller's own says how far it got, so it can resume.
            // Nobody else's is visible.
            let mut response = ApiError::NotFound.into_response();
            if let Ok(blobs) = blob_store(state) {
                let held = blobs.partial_len(sha256, caller.id());
                if held > 0 {
                    response.headers_mut().insert(UPLOAD_OFFSET, HeaderValue::from(held));
                }
            }
            return Ok(response);
        }
    };
    let blobs = blob_store(state)?;
    let path = if thumbnail { blobs.thumbnail_path(sha256) } else { blobs.photo_path(sha256) };
    let bytes = if head { Vec::new() } else { tokio::fs::read(&path).await.map_err(ApiError::internal)? };
    let length = if head {
        tokio::fs::metadata(&path).await.map_err(ApiError::internal)?.len()
    } else {
        bytes.len() as u64
    };
    let mut response = (StatusCode::OK, bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/jpeg"));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=31536000, immutable"));
    if let Ok(etag) = HeaderValue::from_str(&format!("\"{}\"", info.stored_sha256)) {
        headers.insert(header::ETAG, etag);
    }
    Ok(response)
}

/// A stored photo (HEAD: whether it is held, with no body). 404 for a photo that is not held or
/// not the caller's to see; for the caller's own unfinished upload, `Upload-Offset` says how
/// much is held.
#[utoipa::path(get, path = "/api/blobs/{sha256}", tag = "photos", security(("bearer" = [])),
    params(("sha256" = String, Path, description = "The upload key")),
    responses((status = 200, body = [u8], content_type = "image/jpeg", description = "The photo"),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 410, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(worker.id = %caller.id()))]
pub async fn get_blob(
    State(state): State<AppState>,
    caller: Caller,
    method: axum::http::Method,
    ApiPath(sha256): ApiPath<String>,
) -> Result<Response, ApiError> {
    send_file(&state, &caller, &sha256, false, method == axum::http::Method::HEAD).await
}

/// A stored photo's thumbnail (at most 320 px).
#[utoipa::path(get, path = "/api/blobs/{sha256}/thumbnail", tag = "photos", security(("bearer" = [])),
    params(("sha256" = String, Path, description = "The upload key")),
    responses((status = 200, body = [u8], content_type = "image/jpeg", description = "The thumbnail"),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 410, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(worker.id = %caller.id()))]
pub async fn get_thumbnail(
    State(state): State<AppState>,
    caller: Caller,
    method: axum::http::Method,
    ApiPath(sha256): ApiPath<String>,
) -> Result<Response, ApiError> {
    send_file(&state, &caller, &sha256, true, method == axum::http::Method::HEAD).await
}

/// The photos a visit's latest revision names that the server does not hold (or that the caller
/// may not see: the answer reveals nothing about them).
#[utoipa::path(get, path = "/api/visits/{id}/missing-blobs", tag = "photos", security(("bearer" = [])),
    params(("id" = String, Path, description = "Visit id")),
    responses((status = 200, body = Vec<String>, description = "SHA-256 keys still to upload"),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 410, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(worker.id = %caller.id()))]
pub async fn missing_blobs(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<VisitId>,
) -> Result<ApiJson<Vec<String>>, ApiError> {
    let store = state.store();
    let stored = store.latest_revision(id).await?.ok_or(ApiError::NotFound)?;
    let own = stored.visit.worker_id == caller.id();
    if !own {
        scope::visible_child(store, &caller.worker, stored.visit.child_id, state.today()).await?;
    }
    // "Missing" is anything the caller cannot get: not held, or held but not theirs to see, so
    // the answer says nothing about photos they may not see.
    let mut missing = Vec::new();
    for attachment in &stored.visit.attachments {
        let sha256 = &attachment.sha256;
        let available = match store.blob(sha256).await? {
            Some(info) => photos::may_see_blob(store, &caller.worker, sha256, &info, state.today()).await?,
            None => false,
        };
        if !available && !missing.contains(sha256) {
            missing.push(sha256.clone());
        }
    }
    Ok(ApiJson(missing))
}
