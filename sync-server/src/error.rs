//! The server's one error type, and how each variant answers over HTTP.
//!
//! Every 4xx carries a [`shared::sync::ErrorBody`] naming the problem and, where it is about
//! particular fields, the fields. 5xx bodies are generic: their cause is logged (once, here),
//! never sent, so that no stack detail or personal data leaves the server.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use shared::sync::ErrorBody;
use shared::validation::FieldError;

/// Everything a handler can answer besides success.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The request body or query is malformed: bad JSON, a wrong type, an unknown field, a
    /// value out of range. 400, naming the fields.
    #[error("bad request: {message}")]
    BadRequest {
        /// Plain words.
        message: String,
        /// The fields at fault.
        fields: Vec<FieldError>,
    },
    /// A record breaks a rule (for example a visit in the future). 422, naming every field.
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    /// No valid access token, or the credentials are wrong. 401.
    #[error("unauthorized: {0}")]
    Unauthorized(&'static str),
    /// Signed in, but this role may not do this at all (for example an admin pushing visits).
    /// 403. Never used for a child outside the caller's scope: that is [`ApiError::NotFound`].
    #[error("forbidden")]
    Forbidden,
    /// Nothing here, or nothing the caller may see. 404, with the same body in both cases so
    /// that it reveals nothing, not even whether a child exists.
    #[error("not found")]
    NotFound,
    /// The device was revoked: the app must wipe its local data. 410.
    #[error("device revoked")]
    Wipe,
    /// Too many failed sign-ins. 429, with `Retry-After` in seconds.
    #[error("too many attempts")]
    TooManyAttempts {
        /// Seconds until another attempt will be considered.
        retry_after_secs: u64,
    },
    /// The request conflicts with what the server holds (for example a duplicate username). 409.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The body is larger than the server accepts. 413.
    #[error("payload too large")]
    PayloadTooLarge,
    /// The body's media type is not one this endpoint takes. 415.
    #[error("unsupported media type")]
    UnsupportedMediaType(String),
    /// The store failed. 500, generic body; the cause is logged.
    #[error("store error: {0}")]
    Store(#[from] crate::store::StoreError),
    /// Something else failed inside the server. 500, generic body; the cause is logged.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    /// A 400 about one field.
    pub fn bad_field(field: impl Into<String>, message: impl Into<String>) -> Self {
        let message = message.into();
        ApiError::BadRequest { message: message.clone(), fields: vec![FieldError::new(field, message)] }
    }

    /// A 500 carrying a cause to log (never sent).
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        ApiError::Internal(cause.to_string())
    }

    /// The HTTP status this error answers with.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden => StatusCode::FORBIDDEN,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::Wipe => StatusCode::GONE,
            ApiError::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Store(_) | ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The body sent to the caller.
    pub fn body(&self) -> ErrorBody {
        let (error, message, fields) = match self {
            ApiError::BadRequest { message, fields } => ("bad_request", message.clone(), fields.clone()),
            ApiError::Validation(fields) => {
                ("validation", "Some fields need attention.".to_owned(), fields.clone())
            }
            ApiError::Unauthorized(why) => ("unauthorized", (*why).to_owned(), Vec::new()),
            ApiError::Forbidden => ("forbidden", "Your role cannot do this.".to_owned(), Vec::new()),
            ApiError::NotFound => ("not_found", "Not found.".to_owned(), Vec::new()),
            ApiError::Wipe => {
                ("wipe", "This device has been revoked. Its local data must be wiped.".to_owned(), Vec::new())
            }
            ApiError::TooManyAttempts { .. } => {
                ("too_many_attempts", "Too many failed sign-ins. Wait and try again.".to_owned(), Vec::new())
            }
            ApiError::Conflict(message) => ("conflict", message.clone(), Vec::new()),
            ApiError::PayloadTooLarge => {
                ("payload_too_large", "The request body is too large.".to_owned(), Vec::new())
            }
            ApiError::UnsupportedMediaType(message) => {
                ("unsupported_media_type", message.clone(), Vec::new())
            }
            ApiError::Store(_) | ApiError::Internal(_) => {
                ("internal", "Something went wrong on the server. Try again.".to_owned(), Vec::new())
            }
        };
        ErrorBody { error: error.to_owned(), message, fields }
    }
}

impl From<shared::ValidationErrors> for ApiError {
    fn from(errors: shared::ValidationErrors) -> Self {
        ApiError::Validation(errors.0)
    }
}

impl From<crate::import::ImportError> for ApiError {
    fn from(error: crate::import::ImportError) -> Self {
        match error {
            crate::import::ImportError::BadFile { message, fields } => {
                ApiError::BadRequest { message, fields }
            }
            crate::import::ImportError::Store(e) => ApiError::Store(e),
        }
    }
}

impl From<crate::demo::DemoError> for ApiError {
    fn from(error: crate::demo::DemoError) -> Self {
        match error {
            crate::demo::DemoError::Store(e) => ApiError::Store(e),
            crate::demo::DemoError::Internal(e) => ApiError::Internal(e),
        }
    }
}

impl From<crate::sync::SyncError> for ApiError {
    fn from(error: crate::sync::SyncError) -> Self {
        match error {
            crate::sync::SyncError::BadField { field, message } => ApiError::bad_field(field, message),
            crate::sync::SyncError::Store(e) => ApiError::Store(e),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            // The one place a 5xx cause is logged. Causes are store or serialisation errors; they
            // carry no request bodies, so no child's name or words reach the log.
            tracing::error!(cause = %self, "request failed");
        }
        let mut response = (status, axum::Json(self.body())).into_response();
        if let ApiError::TooManyAttempts { retry_after_secs } = self
            && let Ok(value) = HeaderValue::from_str(&retry_after_secs.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}

/// The answer for a request to a path the server does not have. Distinct from [`ApiError::NotFound`]
/// only in its `error` code, so route tests can tell a missing route from a hidden record.
pub async fn no_such_route() -> Response {
    let body =
        ErrorBody { error: "no_such_route".into(), message: "No such endpoint.".into(), fields: Vec::new() };
    (StatusCode::NOT_FOUND, axum::Json(body)).into_response()
}

/// Gives every 4xx that did not come from a handler (405 from the router, 415 for an unknown
/// `Content-Encoding`, 413 from a body limit, and the like) the same JSON [`ErrorBody`] as the
/// rest, keeping its status and headers (`Allow`, `Accept-Encoding`), so that a client has one
/// format to read whatever refused its request.
pub async fn json_error_bodies(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !status.is_client_error() || is_json {
        return response;
    }
    let reason = status.canonical_reason().unwrap_or("Client error");
    let body = ErrorBody {
        error: reason.to_lowercase().replace([' ', '-'], "_"),
        message: format!("{reason}."),
        fields: Vec::new(),
    };
    let (mut parts, _) = response.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.remove(header::CONTENT_ENCODING);
    let json = axum::Json(body).into_response();
    let (json_parts, json_body) = json.into_parts();
    parts.headers.extend(json_parts.headers);
    Response::from_parts(parts, json_body)
}
