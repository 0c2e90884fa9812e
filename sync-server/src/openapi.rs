//! The OpenAPI 3 document, built by utoipa from the same registrations as the routes.

use std::any::Any;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Content, Ref, RefOr};
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
        (name = "admin", description = "Accounts, devices, central import and write-back"),
        (name = "plan", description = "The plan's timeline: core groups, review conferences, agreed actions and supervision"),
        (name = "casework", description = "Continuity: interpreting considered, safety warnings, key workers")
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

/// Adds to every operation the answers that layers and extractors give on every route, so that
/// no route can forget to document them, and a generated client knows every status it may see:
///
/// - every operation: 414 when the URI is longer than [`crate::limits::MAX_URI_BYTES`];
/// - with a bearer token: 401 (no valid token) and 410 (the device was revoked: wipe);
/// - with a body: 400 (malformed, naming the field), 413 (too large) and 415 (wrong media type);
/// - with query parameters: 400 naming the parameter;
/// - with path parameters: 404 (a malformed id is answered like an unknown one).
///
/// A route's own description of one of these statuses is kept.
pub fn complete(doc: &mut utoipa::openapi::OpenApi) {
    for item in doc.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.head,
            &mut item.patch,
            &mut item.options,
            &mut item.trace,
        ];
        for operation in operations.into_iter().flatten() {
            complete_operation(operation);
        }
    }
}

fn complete_operation(operation: &mut Operation) {
    let parameters = operation.parameters.as_deref().unwrap_or_default();
    let has_query = parameters.iter().any(|p| p.parameter_in == ParameterIn::Query);
    let has_path = parameters.iter().any(|p| p.parameter_in == ParameterIn::Path);
    let secured = operation.security.as_ref().is_some_and(|s| !s.is_empty());
    let has_body = operation.request_body.is_some();
    let mut add = |status: &str, description: &str| {
        operation.responses.responses.entry(status.to_owned()).or_insert_with(|| {
            RefOr::T(
                utoipa::openapi::ResponseBuilder::new()
                    .description(description)
                    .content("application/json", Content::new(Some(Ref::from_schema_name("ErrorBody"))))
                    .build(),
            )
        });
    };
    add("414", "The URI is too long");
    if secured {
        add("401", "No valid access token");
        add("410", "This device was revoked: wipe its local data");
    }
    if has_body {
        add("400", "The body is malformed; `fields` names the field at fault");
        add("413", "The body is too large");
        add("415", "The body's Content-Type is not one this endpoint takes");
    }
    if has_query {
        add("400", "A query parameter is malformed; `fields` names it");
    }
    if has_path {
        add("404", "No such record, or none the caller may see");
    }
}

/// The answer when a handler panics: a generic 500, never the panic message.
pub fn panic_response(_panic: Box<dyn Any + Send + 'static>) -> Response {
    tracing::error!("handler panicked");
    let mut response = ApiError::Internal(String::new()).body();
    response.message = "Something went wrong on the server. Try again.".into();
    (StatusCode::INTERNAL_SERVER_ERROR, axum::Json(response)).into_response()
}
