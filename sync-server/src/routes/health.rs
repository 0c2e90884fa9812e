//! Liveness, readiness and the OpenAPI document.

use std::sync::Arc;

use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Serialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;

/// A probe's answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Status {
    /// `ok`, or `unavailable` when the store does not answer.
    pub status: &'static str,
}

/// The routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(health)).routes(routes!(ready)).routes(routes!(openapi_json))
}

/// Liveness: the process answers.
#[utoipa::path(get, path = "/api/health", tag = "health", responses((status = 200, body = Status)))]
pub async fn health() -> axum::Json<Status> {
    axum::Json(Status { status: "ok" })
}

/// Readiness: the store is open and answers reads.
#[utoipa::path(get, path = "/api/ready", tag = "health", responses(
    (status = 200, body = Status), (status = 503, body = Status)))]
pub async fn ready(State(state): State<AppState>) -> impl IntoResponse {
    if state.store().is_ready().await {
        (StatusCode::OK, axum::Json(Status { status: "ok" }))
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, axum::Json(Status { status: "unavailable" }))
    }
}

/// This document.
#[utoipa::path(get, path = "/api/openapi.json", tag = "health", responses((status = 200, description = "The OpenAPI 3 document")))]
pub async fn openapi_json(Extension(doc): Extension<Arc<utoipa::openapi::OpenApi>>) -> impl IntoResponse {
    axum::Json(doc.as_ref().clone())
}
