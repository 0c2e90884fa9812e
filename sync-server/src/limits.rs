//! Bounds on the work any one request can cause, that are not about one record's fields (those
//! are in `shared::limits`, so the app applies them too). The README's "Limits" section lists
//! every bound, these and the others, in one table.

use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use shared::sync::ErrorBody;
use shared::validation::FieldError;

/// The longest request URI (path and query) answered: longer ones get 414 with the JSON error
/// body. The longest real one (a chronology, a pull with its cursor) is under 200 bytes. hyper
/// itself refuses request lines of 64 KiB or more before any of our code runs.
pub const MAX_URI_BYTES: usize = 8 * 1024;

/// The most columns a central import's CSV header may have. The CMS export has 21; unknown
/// columns are ignored with one warning, so room for some extra is harmless.
pub const MAX_IMPORT_COLUMNS: usize = 100;
/// The most records (children) one central import may hold: Jersey has about 100 children on a
/// plan and a large English authority about 1,000; the benchmark imports 50,000.
pub const MAX_IMPORT_RECORDS: usize = 250_000;
/// The most problems and warnings an import report lists one by one. Beyond this the report
/// says how many more there were, so a broken file gets a small answer, not megabytes.
pub const MAX_REPORTED_PROBLEMS: usize = 1_000;
/// How much of a bad value an import problem quotes back.
pub const MAX_QUOTED_CHARS: usize = 80;

/// Answers 414, with the house JSON body, for a URI longer than [`MAX_URI_BYTES`], before any
/// extractor parses it.
pub async fn reject_long_uri(request: Request, next: Next) -> Response {
    let uri = request.uri();
    let length = uri.path().len() + uri.query().map_or(0, |q| q.len() + 1);
    if length > MAX_URI_BYTES {
        let message = format!("The address is too long: at most {MAX_URI_BYTES} bytes.");
        let body = ErrorBody {
            error: "uri_too_long".into(),
            message: message.clone(),
            fields: vec![FieldError::new("uri", message)],
        };
        return (StatusCode::URI_TOO_LONG, axum::Json(body)).into_response();
    }
    next.run(request).await
}

/// `value` quoted for a message, cut to [`MAX_QUOTED_CHARS`] characters.
pub fn quoted(value: &str) -> String {
    if value.chars().count() <= MAX_QUOTED_CHARS {
        format!("{value:?}")
    } else {
        let cut: String = value.chars().take(MAX_QUOTED_CHARS).collect();
        format!("{cut:?}… ({} characters)", value.chars().count())
    }
}
