//! The OpenAPI document matches the router: every documented operation is routed, the routes
//! of the agreed contract are documented, and 4xx answers name the ErrorBody schema.

mod common;

use axum::http::{Method, StatusCode};
use common::World;

const CONTRACT: [(&str, &str); 18] = [
    ("get", "/api/health"),
    ("get", "/api/ready"),
    ("get", "/api/openapi.json"),
    ("post", "/api/auth/login"),
    ("post", "/api/auth/refresh"),
    ("post", "/api/auth/logout"),
    ("post", "/api/sync/push"),
    ("get", "/api/sync/pull"),
    ("get", "/api/children"),
    ("get", "/api/children/{id}"),
    ("get", "/api/children/{id}/visits"),
    ("get", "/api/conflicts"),
    ("get", "/api/review"),
    ("post", "/api/admin/import"),
    ("get", "/api/admin/export/visits"),
    ("post", "/api/admin/export/ack"),
    ("post", "/api/admin/devices/{id}/revoke"),
    ("post", "/api/admin/accounts"),
];

#[tokio::test]
async fn every_documented_operation_is_routed_and_the_contract_is_documented() {
    let world = World::new().await;
    let (status, doc) = world.call(Method::GET, "/api/openapi.json", None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for (method, path) in CONTRACT {
        assert!(paths.get(path).and_then(|p| p.get(method)).is_some(), "{method} {path} is not documented");
    }
    assert!(paths["/api/admin/accounts/{id}/password"].get("put").is_some());

    let mut operations = 0;
    for (path, item) in paths {
        for (method, operation) in item.as_object().unwrap() {
            operations += 1;
            let concrete = path.replace("{id}", &uuid::Uuid::now_v7().to_string());
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let (status, body) = world.call(method.clone(), &concrete, None, None).await;
            assert_ne!(body["error"], "no_such_route", "{method} {path} is documented but not routed");
            assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
            let responses = operation["responses"].as_object().unwrap();
            for (code, response) in responses {
                if code.starts_with('4') {
                    let schema = &response["content"]["application/json"]["schema"]["$ref"];
                    assert_eq!(schema, "#/components/schemas/ErrorBody", "{method} {path} {code}");
                }
            }
        }
    }
    assert!(operations > CONTRACT.len());
}

#[tokio::test]
async fn an_unknown_path_is_told_apart_from_a_hidden_record() {
    let world = World::new().await;
    let (status, body) = world.call(Method::GET, "/api/nothing-here", None, None).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::NOT_FOUND, Some("no_such_route")));
}
