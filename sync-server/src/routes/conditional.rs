//! Conditional answers (RFC 9110's `ETag` and `If-None-Match`). The app reads reports, a
//! child's chronology, the plan timeline and a covered child's handover again after every
//! sync, so that what it shows or offers is never older than the records. A copy it holds that is still current is answered
//! `304` with nothing sent, and, since nothing left the service, is not recorded in the audit
//! log again: an open screen does not append a view a minute.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// A file (a report, or a view the app reads again after every sync), or `304 Not Modified`
/// with no body when the caller already holds these very bytes: its `If-None-Match` names their
/// tag. Either way the answer carries the tag (`ETag`). `true` when the file was sent: only
/// then is it recorded as exported or viewed.
pub(crate) fn file(
    request: &HeaderMap,
    body: Vec<u8>,
    content_type: &'static str,
    filename: Option<&str>,
) -> (Response, bool) {
    let tag = entity_tag(&body);
    if let Some(unchanged) = unchanged(request, &tag) {
        return (unchanged, false);
    }
    (tagged(whole(body, content_type, filename), &tag), true)
}

/// A file sent whole: `200`, its type, `no-store`, and, given a file name, as an attachment.
pub(crate) fn whole(
    body: impl Into<axum::body::Body>,
    content_type: &'static str,
    filename: Option<&str>,
) -> Response {
    let mut response = (StatusCode::OK, body.into()).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Some(name) = filename {
        let safe: String = name.chars().filter(|c| c.is_ascii_alphanumeric() || "-_.".contains(*c)).collect();
        if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{safe}\"")) {
            headers.insert(header::CONTENT_DISPOSITION, value);
        }
    }
    response
}

/// `304 Not Modified`, with no body, when the caller's `If-None-Match` names `tag`.
pub(crate) fn unchanged(request: &HeaderMap, tag: &str) -> Option<Response> {
    held_already(request, tag).then(|| {
        let mut response = StatusCode::NOT_MODIFIED.into_response();
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        tagged(response, tag)
    })
}

pub(crate) fn tagged(mut response: Response, tag: &str) -> Response {
    if let Ok(tag) = HeaderValue::from_str(tag) {
        response.headers_mut().insert(header::ETAG, tag);
    }
    response
}

/// A weak tag (the same report, whether or not gzipped on the way) from the bytes' SHA-256,
/// so the same bytes have the same tag on any server process, and on any day.
pub(crate) fn entity_tag(body: &[u8]) -> String {
    use sha2::Digest;
    format!("W/\"{}\"", hex::encode(&sha2::Sha256::digest(body)[..16]))
}

/// Whether `If-None-Match` names `tag` (or is `*`), compared weakly as RFC 9110 asks of it.
/// A header that is not text, or names other tags, does not match: the file is sent.
fn held_already(request: &HeaderMap, tag: &str) -> bool {
    let opaque = |t: &str| t.trim().trim_start_matches("W/").to_owned();
    let tag = opaque(tag);
    request
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|named| named.trim() == "*" || opaque(named) == tag)
}
