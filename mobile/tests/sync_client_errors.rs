//! How the sync client reads each kind of answer: every HTTP failure maps to the error the
//! engine and the worker need (retry later, sign in again, wipe, fix a field).

use std::time::Duration;

use axum::Router;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use mobile::sync::{SyncClient, SyncError};

fn body(error: &str, message: &str) -> String {
    serde_json::json!({ "error": error, "message": message,
        "fields": [{ "field": "location", "message": "Say where the visit took place." }] })
    .to_string()
}

fn answer(status: StatusCode, text: String) -> impl IntoResponse {
    (status, [(header::CONTENT_TYPE, "application/json")], text)
}

/// A stand-in server answering each path with one kind of failure.
async fn stand_in() -> String {
    let app = Router::new()
        .route(
            "/wipe/api/escalations",
            get(|| async { answer(StatusCode::GONE, body("wipe", "Device revoked")) }),
        )
        .route("/gone/api/escalations", get(|| async { answer(StatusCode::GONE, body("gone", "Moved")) }))
        .route(
            "/401/api/escalations",
            get(|| async { answer(StatusCode::UNAUTHORIZED, body("unauthorized", "Expired")) }),
        )
        .route(
            "/403/api/escalations",
            get(|| async { answer(StatusCode::FORBIDDEN, body("forbidden", "Managers only")) }),
        )
        .route(
            "/404/api/escalations",
            get(|| async { answer(StatusCode::NOT_FOUND, body("not_found", "No")) }),
        )
        .route(
            "/429/api/escalations",
            get(|| async {
                let mut headers = HeaderMap::new();
                headers.insert(header::RETRY_AFTER, "30".parse().unwrap());
                (StatusCode::TOO_MANY_REQUESTS, headers, "slow down")
            }),
        )
        .route(
            "/503/api/escalations",
            get(|| async { (StatusCode::SERVICE_UNAVAILABLE, "<html>down</html>") }),
        )
        .route(
            "/422/api/escalations",
            get(|| async { answer(StatusCode::UNPROCESSABLE_ENTITY, body("validation", "Check the visit")) }),
        )
        .route("/garbled/api/escalations", get(|| async { answer(StatusCode::OK, "{ not json".into()) }))
        .route("/ok/api/escalations", get(|| async { answer(StatusCode::OK, "[]".into()) }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

async fn error_at(base: &str, prefix: &str) -> SyncError {
    let client = SyncClient::new(&format!("{base}/{prefix}")).unwrap();
    client.escalations("token").await.unwrap_err()
}

#[tokio::test]
async fn each_failure_becomes_the_error_that_says_what_to_do() {
    let base = stand_in().await;
    assert!(SyncClient::new(&format!("{base}/ok")).unwrap().escalations("t").await.unwrap().is_empty());

    let wipe = error_at(&base, "wipe").await;
    assert!(matches!(wipe, SyncError::Wipe), "{wipe:?}");
    assert!(!wipe.is_transient());
    let gone = error_at(&base, "gone").await;
    assert!(matches!(gone, SyncError::Rejected { status: 410, .. }), "only error 'wipe' wipes: {gone:?}");
    assert!(matches!(error_at(&base, "401").await, SyncError::Unauthorized(b) if b.message == "Expired"));
    assert!(matches!(error_at(&base, "403").await, SyncError::Forbidden(b) if b.message == "Managers only"));
    assert!(matches!(error_at(&base, "404").await, SyncError::NotFound));
    let limited = error_at(&base, "429").await;
    assert!(
        matches!(limited, SyncError::RateLimited { retry_after: Some(d) } if d == Duration::from_secs(30))
    );
    assert!(limited.is_transient());
    let down = error_at(&base, "503").await;
    assert!(matches!(down, SyncError::Server { status: 503 }) && down.is_transient(), "{down:?}");
    let refused = error_at(&base, "422").await;
    let SyncError::Rejected { status: 422, body } = &refused else { panic!("{refused:?}") };
    assert_eq!(body.fields[0].field, "location");
    assert_eq!(refused.plain_words(), "Check the visit");
    let garbled = error_at(&base, "garbled").await;
    assert!(matches!(garbled, SyncError::Protocol(_)) && !garbled.is_transient(), "{garbled:?}");
}

#[tokio::test]
async fn an_unreachable_server_is_offline_and_worth_retrying() {
    // Bind then drop a listener: nothing answers on that port any more.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let error = SyncClient::new(&format!("http://{addr}")).unwrap().health().await.unwrap_err();
    assert!(matches!(error, SyncError::Offline(_)), "{error:?}");
    assert!(error.is_transient());
    assert_eq!(error.plain_words(), "No connection to the server.");
}
