//! The staff list a manager picks a duty worker from: who may ask, and whom each role sees.
//!
//! The demo has team 1 (sam.social, priya.field, dana.duty, tara.manager), team 2 (tom.north,
//! mo.manager), and sian.senior and adam.admin in no team. Dana is the only duty worker; she
//! belongs to team 1 but may cover any team's child, so team 2's manager sees her too.

mod common;

use axum::http::StatusCode;
use common::World;
use rstest::rstest;
use serde_json::Value;

/// The names listed, in the order listed.
fn names(body: &Value) -> Vec<String> {
    body.as_array()
        .unwrap_or_else(|| panic!("a list: {body}"))
        .iter()
        .map(|worker| worker["name"].as_str().expect("name").to_owned())
        .collect()
}

#[rstest]
#[case::team_1_manager_sees_their_team("tara.manager", "", &["Dana Duty", "Priya Field", "Sam Social", "Tara Manager"])]
#[case::team_2_manager_sees_their_team_and_the_duty_worker("mo.manager", "", &["Dana Duty", "Mo Manager", "Tom North"])]
#[case::team_2_manager_may_assign_cover_to_another_teams_duty_worker("mo.manager", "?role=duty_worker", &["Dana Duty"])]
#[case::team_1_manager_duty_workers("tara.manager", "?role=duty_worker", &["Dana Duty"])]
#[case::senior_manager_sees_everyone("sian.senior", "", &[
    "Adam Admin", "Dana Duty", "Mo Manager", "Priya Field", "Sam Social", "Sian Senior", "Tara Manager", "Tom North",
])]
#[case::senior_manager_social_workers("sian.senior", "?role=social_worker", &["Priya Field", "Sam Social", "Tom North"])]
#[case::admin_sees_everyone("adam.admin", "?role=team_manager", &["Mo Manager", "Tara Manager"])]
#[tokio::test]
async fn managers_see_the_staff_they_may_assign(
    #[case] who: &str,
    #[case] query: &str,
    #[case] expected: &[&str],
) {
    let world = World::new().await;
    let session = world.login(who).await;
    let (status, body) = world.get(&format!("/api/staff{query}"), session.access()).await;
    assert_eq!(status, StatusCode::OK, "{who}{query}: {body}");
    assert_eq!(names(&body), expected, "{who}{query}");
    // Each entry carries what the picker needs to assign cover.
    let dana = world.worker_id("dana.duty").await.to_string();
    if let Some(entry) = body.as_array().and_then(|list| list.iter().find(|w| w["name"] == "Dana Duty")) {
        assert_eq!(entry["id"], dana.as_str());
        assert_eq!(entry["role"], "duty_worker");
        assert!(entry["team"].is_string(), "{entry}");
    }
}

#[rstest]
#[case::social_worker("sam.social")]
#[case::duty_worker("dana.duty")]
#[tokio::test]
async fn field_workers_may_not_list_staff(#[case] who: &str) {
    let world = World::new().await;
    let session = world.login(who).await;
    let (status, body) = world.get("/api/staff?role=duty_worker", session.access()).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")), "{body}");
    assert!(!body.to_string().contains("Dana"), "{body}");
}

#[tokio::test]
async fn an_unknown_role_is_a_400_naming_the_query() {
    let world = World::new().await;
    let session = world.login("tara.manager").await;
    let (status, body) = world.get("/api/staff?role=wizard", session.access()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.to_string().contains("role"), "{body}");
}

#[tokio::test]
async fn no_token_is_401_and_the_route_is_documented() {
    let world = World::new().await;
    let (status, body) = world.call(axum::http::Method::GET, "/api/staff", None, None).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::UNAUTHORIZED, Some("unauthorized")));
    let (_, doc) = world.call(axum::http::Method::GET, "/api/openapi.json", None, None).await;
    let operation = &doc["paths"]["/api/staff"]["get"];
    assert!(operation.is_object(), "GET /api/staff is not in the OpenAPI document");
    assert_eq!(operation["parameters"][0]["name"], "role");
}
