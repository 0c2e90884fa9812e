//! The HTTP routes, one module per area. Each module's `router()` returns a
//! `utoipa_axum::router::OpenApiRouter`, so every route is registered together with its OpenAPI
//! description and the document cannot drift from the router.
//!
//! To add an area, write `routes/NAME.rs` with `pub fn router() -> OpenApiRouter<AppState>`
//! built with `utoipa_axum::routes!`, and add one `.merge(NAME::router())` line below.

use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use crate::AppState;
use crate::openapi::ApiDoc;

pub mod admin;
pub mod auth;
pub mod blobs;
pub mod casework;
pub mod children;
pub mod conditional;
pub mod health;
pub mod oversight;
pub mod plan;
pub mod resolve;
pub mod review;
pub mod settings;
pub mod significant_events;
pub mod staff;
pub mod sync;
pub mod wire;

/// Every route, with its OpenAPI description.
pub fn router(state: &AppState) -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(health::router())
        .merge(auth::router())
        .merge(sync::router())
        .merge(children::router())
        .merge(review::router())
        .merge(admin::router(state))
        .merge(blobs::router(state))
        .merge(oversight::router())
        .merge(plan::router())
        .merge(staff::router())
        .merge(settings::router())
        .merge(casework::router())
        .merge(significant_events::router())
}
