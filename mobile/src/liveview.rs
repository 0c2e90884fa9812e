//! The liveview host: the app's real components, served to a browser over a websocket, for a
//! machine without a display and for the browser tests.
//!
//! dioxus-liveview 0.7.10's `with_app` router helper builds paths without a leading `/` (404 on
//! `/` with axum 0.8), so the index, the websocket and the stylesheet routes are registered
//! here by hand.

use std::net::SocketAddr;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State, WebSocketUpgrade};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse};
use axum::routing::{get, put};
use dioxus::prelude::*;
use dioxus_liveview::{LiveViewPool, axum_socket, interpreter_glue};

use crate::app::services::UiError;
use crate::app::{App, Hosting, STYLE, STYLESHEET, Services};

/// The websocket path.
const WS_PATH: &str = "/ws";

/// The largest picture the page may upload (a phone camera's JPEG is well under this).
const MAX_PHOTO_BYTES: usize = 32 * 1024 * 1024;

fn index_page() -> Html<String> {
    Html(format!(
        r#"<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Seen &amp; Heard</title>
<link rel="stylesheet" href="/assets/app.css">
</head>
<body><div id="main"></div>{glue}</body>
</html>"#,
        glue = interpreter_glue(WS_PATH)
    ))
}

/// A picture picked in the browser, for the open visit to `child`. dioxus-liveview 0.7.10's
/// page script sends picked files in a shape dioxus-html 0.7 no longer reads, so the photo
/// screen uploads the file here instead, and the same on-device processing runs on it.
async fn upload_photo(
    State(services): State<Services>,
    Path(child): Path<String>,
    body: Bytes,
) -> impl IntoResponse {
    let Ok(child) = child.parse::<shared::ChildId>() else {
        return (StatusCode::BAD_REQUEST, "That is not a child on this phone.".to_owned());
    };
    match services.add_photo(child, body.to_vec()).await {
        Ok(attachment) => (StatusCode::OK, attachment.sha256),
        Err(e) => (StatusCode::UNPROCESSABLE_ENTITY, e.to_string()),
    }
}

async fn stylesheet() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], STYLESHEET)
}

/// The host's routes: the page at `/` (and at any app address, so a reload keeps the screen),
/// the websocket that runs one copy of the app per tab, the stylesheet, and photo uploads.
pub fn router(services: Services) -> Router {
    let pool = LiveViewPool::new();
    let photos = Router::new()
        .route("/photos/{child}", put(upload_photo))
        .layer(DefaultBodyLimit::max(MAX_PHOTO_BYTES))
        .with_state(services.clone());
    let socket = get(move |ws: WebSocketUpgrade| {
        let pool = pool.clone();
        let services = services.clone();
        async move {
            ws.on_upgrade(move |socket| async move {
                let launched = pool
                    .launch_virtualdom(axum_socket(socket), move || {
                        VirtualDom::new(App).with_root_context(services).with_root_context(Hosting::Liveview)
                    })
                    .await;
                if let Err(e) = launched {
                    tracing::debug!(error = ?e, "liveview session ended");
                }
            })
        }
    });
    let mut router =
        Router::new().route(WS_PATH, socket).route("/assets/app.css", get(stylesheet)).merge(photos);
    // Outside a `dx` bundle the asset system names the stylesheet by its path in the source
    // tree; serve it there too so `document::Stylesheet` finds it.
    let bundled = STYLE.to_string();
    if bundled.starts_with('/') && bundled != "/assets/app.css" {
        router = router.route(&bundled, get(stylesheet));
    }
    router.route("/", get(|| async { index_page() })).fallback(get(|| async { index_page() }))
}

/// Serves the app on `addr` until the process ends, printing the address it listens on.
pub async fn serve(addr: SocketAddr, services: Services) -> Result<(), UiError> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| UiError(format!("cannot listen on {addr}: {e}")))?;
    let bound = listener.local_addr().map_err(|e| UiError(e.to_string()))?;
    println!("Seen & Heard is serving the app at http://{bound}/");
    axum::serve(listener, router(services)).await.map_err(|e| UiError(e.to_string()))
}
