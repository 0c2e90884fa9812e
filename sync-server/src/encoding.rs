//! Request bodies compressed with `dcz` (RFC 9842): Zstandard against the protocol's own
//! dictionary (`shared::dcz`). The app sends every push this way: the benchmark's lone visit
//! is then 559 bytes on the wire, where gzip made 824, and a 500-visit push about 112 KB, where
//! gzip at the app's level made 178 KB. gzip bodies are inflated by
//! tower-http's layer, as before; this one sits outside it, so a `dcz` body reaches it already
//! plain (that layer would refuse a coding it does not know).

use axum::extract::{Request, State};
use axum::http::header::{ACCEPT_ENCODING, CONTENT_ENCODING, CONTENT_LENGTH};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use shared::dcz::{self, DczError};
use shared::sync::ErrorBody;
use shared::validation::FieldError;

use crate::ApiError;

/// Replaces a `dcz` body by the JSON it holds, which may be at most `max` bytes (the JSON body
/// limit), before the handler sees it. Any other body passes untouched.
pub async fn dcz_bodies(State(max): State<usize>, request: Request, next: Next) -> Response {
    let is_dcz =
        request.headers().get(CONTENT_ENCODING).and_then(|v| v.to_str().ok()).is_some_and(dcz::names_dcz);
    if !is_dcz {
        return next.run(request).await;
    }
    let (mut parts, body) = request.into_parts();
    let compressed = match axum::body::to_bytes(body, max).await {
        Ok(bytes) => bytes,
        Err(error) => return read_error(&error).into_response(),
    };
    let plain = match dcz::decode(&compressed, max) {
        Ok(plain) => plain,
        Err(error) => return decode_error(error),
    };
    parts.headers.remove(CONTENT_ENCODING);
    parts.headers.insert(CONTENT_LENGTH, plain.len().into());
    next.run(Request::from_parts(parts, axum::body::Body::from(plain))).await
}

/// A body that could not be read whole: too large, or cut off.
fn read_error(error: &axum::Error) -> ApiError {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(cause) = source {
        if cause.is::<http_body_util::LengthLimitError>() {
            return ApiError::PayloadTooLarge;
        }
        source = cause.source();
    }
    ApiError::bad_field("body", "The body could not be read.")
}

/// A body that could not be decoded. A dictionary this server lacks is 415 with
/// `Accept-Encoding: gzip` (RFC 9110, section 15.5.16), which tells the app to send it gzipped.
fn decode_error(error: DczError) -> Response {
    match error {
        DczError::UnknownDictionary => {
            let message =
                "The body was compressed with a dictionary this server does not have: send it gzipped.";
            let body = ErrorBody {
                error: "unsupported_media_type".into(),
                message: message.into(),
                fields: vec![FieldError::new("Content-Encoding", message)],
            };
            let mut response = (StatusCode::UNSUPPORTED_MEDIA_TYPE, axum::Json(body)).into_response();
            response.headers_mut().insert(ACCEPT_ENCODING, HeaderValue::from_static("gzip"));
            response
        }
        DczError::TooLarge(_) => ApiError::PayloadTooLarge.into_response(),
        DczError::NoHeader | DczError::Corrupt(_) => ApiError::bad_field(
            "Content-Encoding",
            format!("The body is not dcz as RFC 9842 sets it out ({error})."),
        )
        .into_response(),
    }
}
