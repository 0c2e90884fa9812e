//! Bounded work for every input: each bound in the README's "Limits" section, just beyond it,
//! answered with a 4xx whose JSON body names the field, and nothing stored.

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::{World, outcome, visit};
use rstest::rstest;
use serde_json::{Value, json};
use shared::{EscalationId, Quote};
use sync_server::limits::{MAX_IMPORT_COLUMNS, MAX_REPORTED_PROBLEMS, MAX_URI_BYTES};

async fn import_csv(world: &World, body: String) -> (StatusCode, Value, usize) {
    let admin = world.login("adam.admin").await;
    let request = Request::post("/api/admin/import?format=csv")
        .header(header::AUTHORIZATION, format!("Bearer {}", admin.access()))
        .header(header::CONTENT_TYPE, "text/csv")
        .body(Body::from(body))
        .unwrap();
    let (status, value) = world.send(request).await;
    let size = value.to_string().len();
    (status, value, size)
}

fn first_field(body: &Value) -> &str {
    body["fields"][0]["field"].as_str().unwrap_or_else(|| panic!("no field named: {body}"))
}

#[tokio::test]
async fn an_import_with_a_million_columns_is_refused_with_a_small_answer() {
    let world = World::new().await;
    let mut file = String::from("central_id,given_name,family_name,date_of_birth");
    for i in 0..1_000_000 {
        file.push_str(&format!(",x{i}"));
    }
    file.push_str("\nCMS-1,Lily,Ashby,2016-04-02\n");
    let (status, body, size) = import_csv(&world, file).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(first_field(&body), "header");
    assert!(size < 1_000, "the answer is {size} bytes");
    assert!(world.state.store().child_by_central_id("CMS-1").await.unwrap().is_none(), "nothing imported");
}

#[tokio::test]
async fn many_unknown_columns_give_one_warning() {
    let world = World::new().await;
    let extra: Vec<String> = (0..MAX_IMPORT_COLUMNS - 4).map(|i| format!("x{i}")).collect();
    let file = format!(
        "central_id,given_name,family_name,date_of_birth,{}\nCMS-1,Lily,Ashby,2016-04-02\n",
        extra.join(",")
    );
    let (status, body, _) = import_csv(&world, file).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["created"], 1, "{body}");
    let warnings = body["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1, "{body}");
    assert!(warnings[0]["message"].as_str().unwrap().starts_with("96 unknown columns"), "{body}");
}

#[tokio::test]
async fn a_row_with_a_million_cells_is_reported_once_and_skipped() {
    let world = World::new().await;
    let file = format!(
        "central_id,given_name,family_name,date_of_birth\nCMS-1,Lily,Ashby,2016-04-02{}\nCMS-2,Max,Ashby,2013-09-30\n",
        ",x".repeat(1_000_000)
    );
    let (status, body, size) = import_csv(&world, file).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!((body["created"].as_u64(), body["rejected"].as_u64()), (Some(1), Some(1)), "{body}");
    assert_eq!(body["problems"][0]["field"], "row");
    assert!(size < 2_000, "the answer is {size} bytes");
}

#[tokio::test]
async fn thousands_of_bad_rows_are_counted_but_listed_only_up_to_the_bound() {
    let world = World::new().await;
    let mut file = String::from("central_id,given_name,family_name,date_of_birth\n");
    for i in 0..3_000 {
        file.push_str(&format!("CMS-{i},Lily,Ashby,not a date {}\n", "z".repeat(500)));
    }
    let (status, body, size) = import_csv(&world, file).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["rejected"], 3_000);
    assert_eq!(body["problems"].as_array().unwrap().len(), MAX_REPORTED_PROBLEMS);
    assert_eq!(body["problems_not_listed"], 2_000);
    // Each problem quotes at most a short piece of the bad value.
    assert!(size < 300 * MAX_REPORTED_PROBLEMS, "the answer is {size} bytes");
}

#[rstest]
#[case::absence_from_year_0000("/api/absences", json!({"kind": "sickness", "starts_on": "0000-01-01"}), "sam.social", "starts_on")]
#[case::absence_until_9999("/api/absences", json!({"kind": "leave", "starts_on": "2026-01-05", "expected_end": "9999-12-31"}), "sam.social", "expected_end")]
#[case::escalation_reason_of_a_megabyte("/api/escalations/{escalation}/acknowledge", json!({"action": "exception_agreed", "reason": "x".repeat(1_000_000)}), "tara.manager", "reason")]
#[case::visit_arranged_for_9999("/api/escalations/{escalation}/acknowledge", json!({"action": "visit_arranged", "date": "9999-12-31"}), "tara.manager", "date")]
#[tokio::test]
async fn implausible_dates_and_huge_text_are_refused_naming_the_field(
    #[case] path: &str,
    #[case] mut body: Value,
    #[case] who: &str,
    #[case] field: &str,
) {
    let world = World::new().await;
    let session = world.login(who).await;
    if path == "/api/absences" && field == "expected_end" {
        body["starts_on"] = json!(world.today().to_string());
    }
    let path = path.replace("{escalation}", &EscalationId::new().to_string());
    let (status, answer) = world.post(&path, session.access(), body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(first_field(&answer), field);
    assert!(world.state.store().absences_of(session.worker_id()).await.unwrap().is_empty(), "nothing stored");
}

#[tokio::test]
async fn cover_until_9999_is_refused_naming_the_field() {
    let world = World::new().await;
    let manager = world.login("tara.manager").await;
    let child = world.child("DEMO-0001").await;
    let body = json!({
        "child_id": child.id,
        "duty_worker": world.worker_id("dana.duty").await,
        "starts_on": world.today().to_string(),
        "ends_on": "9999-12-31",
    });
    let (status, answer) = world.post("/api/covers", manager.access(), body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(first_field(&answer), "ends_on");
    assert!(world.state.store().covers_for_child(child.id).await.unwrap().is_empty(), "nothing stored");
}

/// A standing "seen alone" decision is dated as every other date a manager sends: within two
/// years of today. A decision from the year 1 or until 9999 is refused naming the field, and
/// nothing is kept (it would have silenced "not seen alone" for ever).
#[rstest]
#[case::from_the_year_one("0001-01-01", "0001-12-31", "starts_on")]
#[case::until_9999(None, "9999-12-31", "ends_on")]
#[tokio::test]
async fn a_seen_alone_decision_dated_far_from_today_is_refused_naming_the_field_and_not_stored(
    #[case] starts: impl Into<Option<&'static str>>,
    #[case] ends: &str,
    #[case] field: &str,
) {
    let world = World::new().await;
    let tara = world.login("tara.manager").await;
    let child = world.child("DEMO-0001").await;
    let path = format!("/api/children/{}/seen-alone-decisions", child.id);
    let mut body = json!({"reason": "Baby, four months old", "ends_on": ends});
    if let Some(starts) = starts.into() {
        body["starts_on"] = json!(starts);
    }
    let (status, answer) = world.post(&path, tara.access(), body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(first_field(&answer), field);
    assert!(world.state.store().seen_alone_decisions(child.id).await.unwrap().is_empty(), "nothing stored");
}

#[rstest]
#[case::location_of_three_megabytes("location")]
#[case::ten_thousand_quotes("child_words")]
#[case::next_visit_in_9999("next_visit_planned")]
#[tokio::test]
async fn a_visit_beyond_a_bound_is_rejected_naming_the_field_and_not_stored(#[case] field: &str) {
    let world = World::new().await;
    let sam = world.login("sam.social").await;
    let child = world.child("DEMO-0001").await;
    let mut v = visit(child.id, sam.worker_id());
    match field {
        "location" => v.location = "x".repeat(3 * 1024 * 1024),
        "child_words" => v.child_words = vec![Quote { text: "Hello".into() }; 10_000],
        _ => v.next_visit_planned = Some(chrono::NaiveDate::from_ymd_opt(9999, 12, 31).unwrap()),
    }
    let results = world.push_outcomes(&sam, &[v.clone()]).await;
    assert_eq!(outcome(&results[0]), "rejected", "{results:?}");
    assert_eq!(results[0]["errors"][0]["field"], field);
    assert!(world.state.store().visit(v.id, 1).await.unwrap().is_none(), "nothing stored");
}

#[rstest]
#[case::compliance_from_year_1("/api/reports/compliance?from=0001-01-01&to=0001-12-31", "from")]
#[case::compliance_csv_from_year_1("/api/reports/compliance.csv?from=0001-01-01&to=0001-12-31", "from")]
#[case::annex_a_to_9999("/api/reports/annex-a-list-7.csv?to=9999-12-31", "to")]
#[case::export_limit_zero("/api/admin/export/visits?limit=0", "limit")]
#[case::pull_limit_zero("/api/sync/pull?limit=0", "limit")]
#[tokio::test]
async fn a_query_parameter_beyond_its_bound_is_refused_naming_it(#[case] path: &str, #[case] field: &str) {
    let world = World::new().await;
    let who = if path.contains("/admin/") { "adam.admin" } else { "sian.senior" };
    let session = world.login(who).await;
    let (status, body) = world.get(path, session.access()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(first_field(&body), field);
}

#[rstest]
#[case::long_query(format!("/api/children?padding={}", "x".repeat(MAX_URI_BYTES)))]
#[case::long_path(format!("/api/children/{}", "x".repeat(MAX_URI_BYTES)))]
#[tokio::test]
async fn a_very_long_uri_gets_414_with_the_json_error_body(#[case] path: String) {
    let world = World::new().await;
    let sam = world.login("sam.social").await;
    let (status, body) = world.get(&path, sam.access()).await;
    assert_eq!(status, StatusCode::URI_TOO_LONG);
    assert_eq!(body["error"], "uri_too_long", "{body}");
    assert_eq!(first_field(&body), "uri");
}

#[tokio::test]
async fn json_nested_beyond_the_parsers_depth_is_refused_without_a_crash() {
    let world = World::new().await;
    let sam = world.login("sam.social").await;
    let depth = 100_000;
    let body = format!(
        "{{\"protocol\":1,\"device_id\":\"{}\",\"visits\":{}{}}}",
        sam.device_id,
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let request = Request::builder()
        .method(Method::POST)
        .uri("/api/sync/push")
        .header(header::AUTHORIZATION, format!("Bearer {}", sam.access()))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body))
        .unwrap();
    let (status, answer) = world.send(request).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert!(answer["fields"][0]["field"].is_string(), "{answer}");
}

#[rstest]
#[case::method_not_allowed(
    Method::DELETE,
    "/api/health",
    None,
    StatusCode::METHOD_NOT_ALLOWED,
    "method_not_allowed"
)]
#[case::unknown_content_encoding(
    Method::POST,
    "/api/auth/login",
    Some("br"),
    StatusCode::UNSUPPORTED_MEDIA_TYPE,
    "unsupported_media_type"
)]
#[tokio::test]
async fn a_4xx_from_a_layer_carries_the_json_error_body_too(
    #[case] method: Method,
    #[case] path: &str,
    #[case] encoding: Option<&str>,
    #[case] status: StatusCode,
    #[case] error: &str,
) {
    let world = World::new().await;
    let mut request =
        Request::builder().method(method).uri(path).header(header::CONTENT_TYPE, "application/json");
    if let Some(encoding) = encoding {
        request = request.header(header::CONTENT_ENCODING, encoding);
    }
    let (answered, body) = world.send(request.body(Body::from("{}")).unwrap()).await;
    assert_eq!(answered, status, "{body}");
    assert_eq!(body["error"], error, "{body}");
}

/// An earlier plan's categories are bounded like the current plan's: a record naming 5,000 is
/// skipped, naming the list, and nothing of it is stored. Before, only the top-level lists were
/// counted, and the child was stored with 5,000 categories on an earlier plan.
#[rstest]
#[case::initial("initial_harms")]
#[case::latest("latest_harms")]
#[tokio::test]
async fn an_earlier_plan_with_thousands_of_categories_is_skipped_naming_the_list(#[case] list: &str) {
    let world = World::new().await;
    let admin = world.login("adam.admin").await;
    let mut earlier = json!({"registered_on": "2020-01-06", "deregistered_on": "2021-01-04",
                             "initial_harms": ["neglect"], "latest_harms": ["neglect"]});
    earlier[list] = json!(vec!["neglect"; 5_000]);
    let record = json!([{"central_id": "CMS-BOUND-1", "given_name": "Ann", "family_name": "Bound",
                         "date_of_birth": "2015-01-01", "previous_plans": [earlier]}]);
    let request = Request::post("/api/admin/import?format=json")
        .header(header::AUTHORIZATION, format!("Bearer {}", admin.access()))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(record.to_string()))
        .unwrap();
    let (status, report) = world.send(request).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["rejected"], 1, "{report}");
    assert_eq!(report["problems"][0]["field"], format!("previous_plans[0].{list}"), "{report}");
    assert!(
        world.state.store().child_by_central_id("CMS-BOUND-1").await.unwrap().is_none(),
        "nothing stored"
    );
}

/// A malformed query parameter is named: a pull's `limit` that is not a number is refused
/// naming `limit`, not the whole query.
#[tokio::test]
async fn a_malformed_query_parameter_is_named() {
    let world = World::new().await;
    let sam = world.login("sam.social").await;
    for query in ["limit=abc", "limit=-1", "limit=99999999999999999999999"] {
        let (status, body) = world.get(&format!("/api/sync/pull?{query}"), sam.access()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
        assert_eq!(first_field(&body), "limit", "{query}: {body}");
    }
}
