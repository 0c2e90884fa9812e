//! Every CSV the server produces is safe to open in a spreadsheet: a cell that would start a
//! formula (`=`, `+`, `-`, `@`, tab, carriage return) is written with a leading apostrophe, in
//! the write-back export, the chronology and Annex A List 7 alike.
//!
//! The formula-like text comes in the ways it would in real life: typed into a visit on a phone
//! (location, the child's words, views, observations), and arriving in the central import
//! (a central id, a worker's name, a team's name).

mod common;

use axum::http::{Method, StatusCode};
use chrono::Duration;
use common::{World, outcome, visit};
use serde_json::{Value, json};
use shared::{Observations, Quote};
use sync_server::csv_out::FORMULA_TRIGGERS;
use sync_server::import::worker_id_for;

const USERNAME: &str = "@kw.formula";
const PASSWORD: &str = "a long enough password";

/// Reads a CSV answer and checks that no cell of any row, header included, starts a formula.
fn safe_rows(what: &str, body: &Value) -> Vec<Vec<String>> {
    let text = body.as_str().unwrap_or_else(|| panic!("{what} is not CSV: {body}"));
    let rows: Vec<Vec<String>> = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.expect("valid CSV").iter().map(str::to_owned).collect())
        .collect();
    for row in &rows {
        for cell in row {
            assert!(!cell.starts_with(FORMULA_TRIGGERS), "{what}: a cell starts a formula: {cell:?}");
        }
    }
    rows
}

/// A child on a plan whose central id, key worker and team name look like formulas, a visit to
/// them whose free text does too, and the people to ask for each CSV.
async fn world_with_formulas() -> (World, String) {
    let world = World::new().await;
    let admin = world.login("adam.admin").await;
    let registered = (world.today() - Duration::days(30)).format("%Y-%m-%d");
    let file = format!(
        "central_id,given_name,family_name,date_of_birth,registered_on,harms,key_worker_username,key_worker_name,team_code,team_name\n\
         =CMS-F1,Lily,-Ashby,2016-04-02,{registered},neglect,{USERNAME},\"=HYPERLINK(\"\"http://example.invalid\"\",\"\"x\"\")\",FT1,+Team Formula\n"
    );
    let request = axum::http::Request::post("/api/admin/import?format=csv")
        .header("authorization", format!("Bearer {}", admin.access()))
        .header("content-type", "text/csv")
        .body(axum::body::Body::from(file))
        .unwrap();
    let (status, report) = world.send(request).await;
    assert_eq!((status, report["created"].as_u64()), (StatusCode::OK, Some(1)), "{report}");

    // The imported key worker is given a password, signs in and records a visit.
    let worker = worker_id_for(USERNAME);
    let (status, body) = world
        .call(
            Method::PUT,
            &format!("/api/admin/accounts/{worker}/password"),
            Some(admin.access()),
            Some(json!({"new_password": PASSWORD})),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let device = shared::DeviceId::new();
    let (status, tokens) = world.try_login(USERNAME, PASSWORD, device).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    let session = common::Session { device_id: device, tokens: serde_json::from_value(tokens).unwrap() };

    let child = world.child("=CMS-F1").await;
    let mut v = visit(child.id, worker);
    v.location = "=1+1".into();
    v.child_words = vec![Quote { text: "+SUM(1,2)".into() }, Quote { text: "-2".into() }];
    v.child_views = "@SUM(A1:A9)".into();
    v.observations = Observations { facts: "\t=cmd|' /C calc'!A0".into(), concerns: "\r=1".into() };
    let results = world.push_outcomes(&session, &[v]).await;
    assert_eq!(outcome(&results[0]), "accepted", "{results:?}");
    (world, child.id.to_string())
}

#[tokio::test]
async fn the_write_back_export_neutralises_every_formula_typed_on_a_phone() {
    let (world, _) = world_with_formulas().await;
    let admin = world.login("adam.admin").await;
    let (status, body) = world.get("/api/admin/export/visits?format=csv", admin.access()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let rows = safe_rows("export", &body);
    let header = &rows[0];
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let row =
        rows.iter().find(|r| r[column("child_central_id")] == "'=CMS-F1").expect("the visit is exported");
    assert_eq!(row[column("location")], "'=1+1");
    assert_eq!(row[column("worker_username")], "'@kw.formula");
    assert_eq!(row[column("child_words")], "'+SUM(1,2)\n-2");
    assert_eq!(row[column("child_views")], "'@SUM(A1:A9)");
    assert_eq!(row[column("observations")], "'\t=cmd|' /C calc'!A0");
    assert_eq!(row[column("concerns")], "'\r=1");
}

#[tokio::test]
async fn the_chronology_neutralises_a_worker_name_that_looks_like_a_formula() {
    let (world, child) = world_with_formulas().await;
    let manager = world.login("sian.senior").await;
    let (status, body) =
        world.get(&format!("/api/children/{child}/chronology?format=csv"), manager.access()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let rows = safe_rows("chronology", &body);
    let worker_column = rows[0].iter().position(|h| h == "Worker").unwrap();
    assert!(
        rows.iter().any(|r| r[worker_column] == "'=HYPERLINK(\"http://example.invalid\",\"x\")"),
        "{rows:?}"
    );
}

#[tokio::test]
async fn annex_a_neutralises_central_ids_team_and_worker_names() {
    let (world, _) = world_with_formulas().await;
    let senior = world.login("sian.senior").await;
    let (status, body) = world.get("/api/reports/annex-a-list-7.csv", senior.access()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let rows = safe_rows("Annex A", &body);
    let row = rows.iter().find(|r| r[0] == "'=CMS-F1").expect("the child is listed");
    assert!(row.contains(&"'+Team Formula".to_owned()), "{row:?}");
    assert!(row.contains(&"'=HYPERLINK(\"http://example.invalid\",\"x\")".to_owned()), "{row:?}");
}

#[tokio::test]
async fn the_compliance_csv_neutralises_team_and_worker_names() {
    let (world, _) = world_with_formulas().await;
    let senior = world.login("sian.senior").await;
    let (status, body) = world.get("/api/reports/compliance.csv", senior.access()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let rows = safe_rows("compliance", &body);
    assert!(rows.iter().any(|r| r[0] == "Team" && r[1] == "'+Team Formula"), "{rows:?}");
    assert!(
        rows.iter().any(|r| r[0] == "Worker"
            && r[1] == "'=HYPERLINK(\"http://example.invalid\",\"x\")"
            && r[2] == "'+Team Formula"),
        "{rows:?}"
    );
}
