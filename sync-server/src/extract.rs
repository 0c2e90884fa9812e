//! Extractors that answer bad input in the house format.
//!
//! axum's own `Json` and `Query` reject malformed input with plain-text bodies. These wrappers
//! answer with a [`shared::sync::ErrorBody`] naming the field instead: `visits[3].started_at`,
//! not "Failed to deserialize".

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::header;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use shared::sync::PushRequest;

use crate::sync::SentPush;

use crate::error::ApiError;

/// A JSON body, deserialized with the path of any failing field reported.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        parse_json(&json_body(req, state).await?).map(ApiJson)
    }
}

/// A push's body: [`ApiJson`], but a large push's visits are parsed on two threads, and each
/// visit's text as sent is kept for storing ([`parse_push`]).
#[derive(Debug, Clone)]
pub struct ApiPush(pub SentPush);

impl<S: Send + Sync> FromRequest<S> for ApiPush {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        parse_push(&json_body(req, state).await?).map(ApiPush)
    }
}

/// Parses a push as [`parse_json`] does (the same result, and the same error for bad JSON),
/// but each visit from its own text, so that a large push's visits are parsed on two threads
/// ([`crate::halves`]): parsing is much of its time. Each text is kept (a view of `bytes`, not
/// a copy), so the stored record is built around it rather than encoding the visit again. Any
/// failure is parsed again the plain way, so the error names the field as it would otherwise.
pub fn parse_push(bytes: &Bytes) -> Result<SentPush, ApiError> {
    /// A push with each visit's JSON text unparsed.
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Unparsed<'a> {
        protocol: u32,
        device_id: shared::DeviceId,
        #[serde(borrow)]
        visits: Vec<&'a serde_json::value::RawValue>,
    }
    if let Ok(Unparsed { protocol, device_id, visits }) = serde_json::from_slice::<Unparsed>(bytes)
        && let Ok(parsed) = crate::halves::in_halves(&visits, |part| {
            part.iter().map(|raw| serde_json::from_str(raw.get())).collect::<Result<Vec<_>, _>>()
        })
    {
        let texts = visits.iter().map(|raw| bytes.slice_ref(raw.get().as_bytes())).collect();
        return Ok(SentPush {
            request: PushRequest { protocol, device_id, visits: parsed },
            texts: Some(texts),
        });
    }
    parse_json::<PushRequest>(bytes).map(SentPush::from)
}

/// A request's body, checked to be JSON, and within the size limit.
async fn json_body<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, ApiError> {
    let is_json = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            let v = v.trim();
            v == "application/json" || (v.starts_with("application/") && v.ends_with("+json"))
        });
    if !is_json {
        return Err(ApiError::UnsupportedMediaType("Send the body as application/json.".into()));
    }
    Bytes::from_request(req, state).await.map_err(body_rejection)
}

/// Parses JSON, naming the failing field's path in the error.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    parse_json_naming_field(bytes).map_err(|(field, message)| ApiError::bad_field(field, message))
}

/// [`parse_json`] without HTTP: the error is the field at fault and plain words.
///
/// Good JSON is parsed once, plainly. Only JSON that fails is parsed again, tracking the path
/// to name the field, so a good 500-visit push does not pay for tracking every value's path.
pub fn parse_json_naming_field<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, (String, String)> {
    if let Ok(value) = serde_json::from_slice(bytes) {
        return Ok(value);
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." || path.is_empty() { "body".to_owned() } else { path };
        (field, json_message(e.inner()))
    })?;
    deserializer.end().map_err(|e| ("body".to_owned(), json_message(&e)))?;
    Ok(value)
}

fn json_message(error: &serde_json::Error) -> String {
    use serde_json::error::Category;
    match error.classify() {
        Category::Syntax => format!("The body is not valid JSON ({error})."),
        Category::Eof => "The body ended too soon: it is not complete JSON.".to_owned(),
        Category::Data => format!("Wrong value: {error}."),
        Category::Io => "The body could not be read.".to_owned(),
    }
}

/// Maps a failure to read the body (usually: too large) to the house format.
pub fn body_rejection(rejection: axum::extract::rejection::BytesRejection) -> ApiError {
    if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::PayloadTooLarge
    } else {
        ApiError::bad_field("body", "The body could not be read.")
    }
}

impl<T: Serialize> IntoResponse for ApiJson<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// A query string, with the failing parameter named in the error.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::try_from_uri(&parts.uri).map(|Query(value)| ApiQuery(value)).map_err(|rejection| {
            let text = rejection.body_text();
            ApiError::bad_field(query_field(&text).unwrap_or("query"), text.as_str())
        })
    }
}

/// The parameter a query string's rejection names ("Failed to deserialize query string: limit:
/// invalid digit found in string" names `limit`), if it names one.
fn query_field(rejection: &str) -> Option<&str> {
    let detail = rejection.strip_prefix("Failed to deserialize query string: ")?;
    let (path, _) = detail.split_once(": ")?;
    let plausible = !path.is_empty()
        && path.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '[' | ']'));
    plausible.then_some(path)
}

/// A path parameter, with a malformed one (for example a child id that is not a UUID) answered
/// like any other unknown id: 404, revealing nothing.
#[derive(Debug, Clone, Copy)]
pub struct ApiPath<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(value)| ApiPath(value))
            .map_err(|_| ApiError::NotFound)
    }
}
