//! The OpenAPI document is complete and says what the server does, so that a client generated
//! from it works: every reference resolves, query parameters are query parameters, every status
//! and media type a route answers with is described, and the rules the server enforces are in
//! the schemas. (The outside validator and the fuzzer are in `openapi_fuzz.rs`.)

mod common;

use axum::http::{Method, StatusCode};
use common::World;
use rstest::rstest;
use serde_json::Value;

async fn document() -> Value {
    let world = World::new().await;
    let (status, doc) = world.call(Method::GET, "/api/openapi.json", None, None).await;
    assert_eq!(status, StatusCode::OK);
    doc
}

fn operations(doc: &Value) -> Vec<(String, String, &Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            out.push((method.clone(), path.clone(), operation));
        }
    }
    out
}

fn collect_refs<'a>(value: &'a Value, refs: &mut Vec<&'a str>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref") {
                refs.push(r);
            }
            map.values().for_each(|v| collect_refs(v, refs));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, refs)),
        _ => {}
    }
}

#[tokio::test]
async fn every_schema_reference_resolves() {
    let doc = document().await;
    let mut refs = Vec::new();
    collect_refs(&doc, &mut refs);
    assert!(!refs.is_empty());
    for r in refs {
        let name = r.strip_prefix("#/components/schemas/").unwrap_or_else(|| panic!("odd reference {r}"));
        assert!(doc["components"]["schemas"].get(name).is_some(), "{r} does not exist");
    }
}

#[tokio::test]
async fn query_parameters_are_optional_query_parameters_and_path_parameters_are_in_the_path() {
    let doc = document().await;
    let mut seen_query = Vec::new();
    for (method, path, operation) in operations(&doc) {
        for parameter in operation["parameters"].as_array().into_iter().flatten() {
            let name = parameter["name"].as_str().unwrap();
            match parameter["in"].as_str().unwrap() {
                "path" => {
                    assert!(
                        path.contains(&format!("{{{name}}}")),
                        "{method} {path}: {name} is not in the path"
                    );
                    assert_eq!(parameter["required"], true);
                }
                "query" => {
                    assert_ne!(parameter["required"], true, "{method} {path}: {name} is optional");
                    seen_query.push(name.to_owned());
                }
                _ => {}
            }
        }
    }
    for name in ["format", "limit", "cursor", "from", "to", "role", "child_id"] {
        assert!(seen_query.iter().any(|q| q == name), "{name} is not documented as a query parameter");
    }
}

#[tokio::test]
async fn every_operation_with_a_body_documents_415_413_and_400_with_the_error_body() {
    let doc = document().await;
    let mut with_body = 0;
    for (method, path, operation) in operations(&doc) {
        let responses = &operation["responses"];
        assert!(responses.get("414").is_some(), "{method} {path} lacks 414");
        if operation.get("requestBody").is_none() {
            continue;
        }
        with_body += 1;
        for status in ["400", "413", "415"] {
            let schema = &responses[status]["content"]["application/json"]["schema"]["$ref"];
            assert_eq!(schema, "#/components/schemas/ErrorBody", "{method} {path} {status}");
        }
    }
    assert!(with_body >= 8, "{with_body}");
}

#[rstest]
#[case::export_as_csv("get", "/api/admin/export/visits", "text/csv")]
#[case::export_as_json("get", "/api/admin/export/visits", "application/json")]
#[case::chronology_as_csv("get", "/api/children/{id}/chronology", "text/csv")]
#[case::chronology_as_html("get", "/api/children/{id}/chronology", "text/html")]
#[case::chronology_as_pdf("get", "/api/children/{id}/chronology", "application/pdf")]
#[case::annex_a("get", "/api/reports/annex-a-list-7.csv", "text/csv")]
#[case::compliance_csv("get", "/api/reports/compliance.csv", "text/csv")]
#[case::photo("get", "/api/blobs/{sha256}", "image/jpeg")]
#[case::thumbnail("get", "/api/blobs/{sha256}/thumbnail", "image/jpeg")]
#[tokio::test]
async fn every_media_type_answered_is_documented(
    #[case] method: &str,
    #[case] path: &str,
    #[case] media: &str,
) {
    let doc = document().await;
    let content = &doc["paths"][path][method]["responses"]["200"]["content"];
    assert!(content.get(media).and_then(|c| c.get("schema")).is_some(), "{method} {path} {media}: {content}");
}

/// A schema's property, following a `$ref` to a component, and the last of an `allOf`/`oneOf`.
/// A schema with flattened parts (`#[serde(flatten)]`) is an `allOf`: its own properties are
/// in one of the parts.
fn property<'a>(doc: &'a Value, schema: &str, name: &str) -> &'a Value {
    let component = &doc["components"]["schemas"][schema];
    let direct = &component["properties"][name];
    let property = if direct.is_null() {
        component["allOf"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|part| &part["properties"][name])
            .find(|p| !p.is_null())
            .unwrap_or(direct)
    } else {
        direct
    };
    assert!(!property.is_null(), "{schema}.{name} is not documented");
    property
}

#[rstest]
#[case::new_password_length("NewAccount", "password", "minLength", 12)]
#[case::changed_password_length("PasswordChange", "new_password", "minLength", 12)]
#[case::protocol_is_1_from("PushRequest", "protocol", "minimum", 1)]
#[case::protocol_is_1_to("PushRequest", "protocol", "maximum", 1)]
#[case::at_most_500_visits_a_push("PushRequest", "visits", "maxItems", 500)]
#[case::revisions_start_at_1("Visit", "revision", "minimum", 1)]
#[case::location_length("Visit", "location", "maxLength", 200)]
#[case::quotes_a_visit("Visit", "child_words", "maxItems", 200)]
#[case::long_text("Visit", "child_views", "maxLength", 50_000)]
#[case::quote_length("Quote", "text", "maxLength", 4_000)]
#[case::frequency_from("ProtectionPlan", "visit_frequency_working_days", "minimum", 1)]
#[case::frequency_to("ProtectionPlan", "visit_frequency_working_days", "maximum", 60)]
#[case::meeting_attendees("MeetingRequest", "attendees", "maxItems", 50)]
#[case::action_owner("ActionRequest", "owner", "maxLength", 200)]
#[case::action_description("ActionRequest", "description", "maxLength", 4_000)]
#[case::supervision_reflection("SupervisionRequest", "reflection", "maxLength", 50_000)]
#[tokio::test]
async fn enforced_rules_are_in_the_schemas(
    #[case] schema: &str,
    #[case] name: &str,
    #[case] rule: &str,
    #[case] value: u64,
) {
    let doc = document().await;
    assert_eq!(property(&doc, schema, name)[rule].as_u64(), Some(value), "{schema}.{name}.{rule}");
}

#[rstest]
#[case::export("/api/admin/export/visits")]
#[case::pull("/api/sync/pull")]
#[tokio::test]
async fn a_limit_parameter_states_that_it_starts_at_1(#[case] path: &str) {
    let doc = document().await;
    let parameters = doc["paths"][path]["get"]["parameters"].as_array().unwrap();
    let limit = parameters.iter().find(|p| p["name"] == "limit").unwrap();
    assert_eq!(limit["schema"]["minimum"].as_u64(), Some(1), "{limit}");
}
