//! The OpenAPI 3 document, built by utoipa from the same registrations as the routes.

use std::any::Any;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::error::ApiError;

/// The document's frame: title, security scheme and shared schemas. Paths are added by each
/// routes module through `utoipa_axum`.
#[derive(Debug, OpenApi)]
#[openapi(
    info(
        title = "Seen & Heard sync server",
        description = "Field devices push visits and pull their caseload; the authority imports central cases and exports visits back. Every 4xx carries an ErrorBody naming the fields at fault. A revoked device gets 410 with error \"wipe\"."
    ),
    components(schemas(shared::sync::ErrorBody, shared::validation::FieldError)),
    modifiers(&BearerAuth),
    tags(
        (name = "health", description = "Liveness, readiness and this document"),
        (name = "auth", description = "Sign-in, token refresh, sign-out"),
        (name = "sync", description = "Push visits, pull changes"),
        (name = "children", description = "Children in the caller's scope"),
        (name = "review", description = "Conflicts and visits held for review"),
        (name = "admin", description = "Accounts, devices, central import and write-back")
    )
)]
pub struct ApiDoc;

#[derive(Debug)]
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build(),
            ),
        );
    }
}

/// The answer when a handler panics: a generic 500, never the panic message.
pub fn panic_response(_panic: Box<dyn Any + Send + 'static>) -> Response {
    tracing::error!("handler panicked");
    let mut response = ApiError::Internal(String::new()).body();
    response.message = "Something went wrong on the server. Try again.".into();
    (StatusCode::INTERNAL_SERVER_ERROR, axum::Json(response)).into_response()
}
