//! A child's chronology shows the changes the central import made to their plan (issue 4:
//! "registration and plan changes"), from the history the store keeps of the central record,
//! with the values before and after; importing an unchanged record adds nothing.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::World;
use serde_json::{Value, json};
use shared::{ChildId, DeviceId};

const HEADER: &str = "central_id,given_name,family_name,date_of_birth,gender,sibling_central_ids,carers,carer_languages,child_first_language,child_interpreter_language,disability_and_communication,registered_on,deregistered_on,harms,visit_frequency_working_days,actions,latest_review_conference,key_worker_username,key_worker_name,team_code,team_name";

/// The child as first registered: neglect, every 10 working days, Sam as key worker.
const FIRST: &str = "CMS-70,Nia,Fernlow,2017-05-09,female,,,,,,,2025-01-06,,neglect,10,A1|Nursery to report attendance,,sam.social,,CPT9,Child Protection Team 9";
/// The plan after review: emotional abuse added, every 5 working days, Priya as key worker.
const CHANGED: &str = "CMS-70,Nia,Fernlow,2017-05-09,female,,,,,,,2025-01-06,,neglect;emotional,5,A1|Nursery to report attendance,,priya.field,,CPT9,Child Protection Team 9";
/// The plan ended, with an action added on the way out.
const ENDED: &str = "CMS-70,Nia,Fernlow,2017-05-09,female,,,,,,,2025-01-06,2025-06-30,neglect;emotional,5,A1|Nursery to report attendance;A2|Step-down review with family,,priya.field,,CPT9,Child Protection Team 9";

fn csv_file(row: &str) -> String {
    format!("{HEADER}\n{row}\n")
}

async fn import(world: &World, token: &str, row: &str) -> Value {
    let request = Request::post("/api/admin/import?format=csv")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "text/csv")
        .body(Body::from(csv_file(row)))
        .unwrap();
    let (status, report) = world.send(request).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["rejected"].as_u64(), Some(0), "{report}");
    report
}

/// Signs in the manager of the imported team (the import creates the team without one).
async fn team_manager(world: &World, admin: &str) -> String {
    let password = "a long enough manager password";
    let (status, body) = world
        .post(
            "/api/admin/accounts",
            admin,
            json!({
                "username": "nell.manager",
                "name": "Nell Manager",
                "role": "team_manager",
                "team": sync_server::import::team_id_for("CPT9"),
                "password": password,
            }),
        )
        .await;
    assert!(status.is_success(), "{status} {body}");
    let (status, tokens) = world.try_login("nell.manager", password, DeviceId::new()).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    tokens["access_token"].as_str().unwrap().to_owned()
}

fn plan_changes(chronology: &Value) -> Vec<&Value> {
    chronology["entries"].as_array().unwrap().iter().filter(|e| e["kind"] == "plan_changed").collect()
}

fn change<'a>(entry: &'a Value, field: &str) -> (&'a str, &'a str) {
    let found = entry["plan_changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["field"] == field)
        .unwrap_or_else(|| panic!("no {field} change in {entry}"));
    (found["before"].as_str().unwrap(), found["after"].as_str().unwrap())
}

#[tokio::test]
async fn plan_changes_from_reimports_appear_in_the_chronology_with_before_and_after() {
    let world = World::new().await;
    let admin = world.login("adam.admin").await;
    import(&world, admin.access(), FIRST).await;
    let manager = team_manager(&world, admin.access()).await;
    let id: ChildId = world.child("CMS-70").id;
    let path = format!("/api/children/{id}/chronology?format=json");

    let (status, first) = world.get(&path, &manager).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(first["entries"][0]["kind"], "registered");
    assert!(plan_changes(&first).is_empty(), "a first import is registration, not a change: {first}");

    let report = import(&world, admin.access(), CHANGED).await;
    assert_eq!(report["updated"].as_u64(), Some(1), "{report}");
    let (status, chronology) = world.get(&path, &manager).await;
    assert_eq!(status, StatusCode::OK);
    let changes = plan_changes(&chronology);
    assert_eq!(changes.len(), 1, "{chronology}");
    let entry = changes[0];
    assert_eq!(change(entry, "visit_frequency"), ("10", "5"));
    assert_eq!(change(entry, "harms"), ("neglect", "neglect and emotional abuse"));
    assert_eq!(change(entry, "key_worker"), ("Sam Social", "Priya Field"));
    assert!(entry["plan_changes"].as_array().unwrap().iter().all(|c| c["field"] != "actions"), "{entry}");
    let summary = entry["summary"].as_str().unwrap();
    assert!(summary.contains("visits every 5 working days (was 10)"), "{summary}");
    assert!(summary.contains("category added: emotional abuse"), "{summary}");
    assert!(summary.contains("key worker now Priya Field (was Sam Social)"), "{summary}");
    // Dated when the server recorded it, after registration, in the authority's time zone.
    let recorded = world.state.store().child_history(id).unwrap()[0]
        .recorded_at
        .with_timezone(&world.state.clock().time_zone());
    assert_eq!(entry["date"], recorded.date_naive().to_string());
    assert_eq!(entry["time"], recorded.format("%H:%M").to_string());
    let dates: Vec<&str> =
        chronology["entries"].as_array().unwrap().iter().map(|e| e["date"].as_str().unwrap()).collect();
    assert!(dates.windows(2).all(|w| w[0] <= w[1]), "date order: {dates:?}");

    // The same file again: unchanged, and no history entry.
    let report = import(&world, admin.access(), CHANGED).await;
    assert_eq!(report["unchanged"].as_u64(), Some(1), "{report}");
    assert_eq!(world.state.store().child_history(id).unwrap().len(), 1);
    let (_, again) = world.get(&path, &manager).await;
    assert_eq!(plan_changes(&again).len(), 1, "{again}");

    // De-registration with an action added is a second change, after the first.
    import(&world, admin.access(), ENDED).await;
    let (_, chronology) = world.get(&path, &manager).await;
    let changes = plan_changes(&chronology);
    assert_eq!(changes.len(), 2, "{chronology}");
    let ended = changes[1];
    assert_eq!(change(ended, "deregistered_on"), ("", "30/06/2025"));
    assert_eq!(
        change(ended, "actions"),
        ("Nursery to report attendance", "Nursery to report attendance; Step-down review with family")
    );
    let summary = ended["summary"].as_str().unwrap();
    assert!(summary.contains("action added: \u{201c}Step-down review with family\u{201d}"), "{summary}");
    assert!(summary.contains("de-registered with effect from 30/06/2025"), "{summary}");
    // The first change is still there as it was: history is never rewritten.
    assert_eq!(changes[0], entry);
    let history = world.state.store().child_history(id).unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0].after, history[1].before);
    assert_eq!(history[0].source, sync_server::store::ChildSource::Import);
}

#[tokio::test]
async fn plan_changes_are_in_the_csv_and_printable_html_chronologies() {
    let world = World::new().await;
    let admin = world.login("adam.admin").await;
    import(&world, admin.access(), FIRST).await;
    let manager = team_manager(&world, admin.access()).await;
    import(&world, admin.access(), CHANGED).await;
    let id = world.child("CMS-70").id;
    let path = format!("/api/children/{id}/chronology");

    let (status, csv) = world.get(&format!("{path}?format=csv"), &manager).await;
    assert_eq!(status, StatusCode::OK);
    let csv = csv.as_str().unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let row = reader
        .records()
        .map(Result::unwrap)
        .find(|r| &r[2] == "Plan changed")
        .unwrap_or_else(|| panic!("no plan change row in {csv}"));
    assert!(row[3].contains("visits every 5 working days (was 10)"), "{:?}", &row[3]);
    assert!(row[3].contains("key worker now Priya Field (was Sam Social)"), "{:?}", &row[3]);

    let (status, html) = world.get(&format!("{path}?format=html"), &manager).await;
    assert_eq!(status, StatusCode::OK);
    let html = html.as_str().unwrap();
    assert!(html.contains("Plan changed"), "{html}");
    assert!(html.contains("visits every 5 working days (was 10)"), "{html}");
}

#[tokio::test]
async fn the_openapi_document_describes_plan_changes() {
    let world = World::new().await;
    let (status, doc) = world.call(axum::http::Method::GET, "/api/openapi.json", None, None).await;
    assert_eq!(status, StatusCode::OK);
    let schemas = &doc["components"]["schemas"];
    assert!(
        schemas["ChronologyEntry"]["properties"]["plan_changes"].is_object(),
        "{}",
        schemas["ChronologyEntry"]
    );
    let fields = schemas["PlanField"].to_string();
    for field in ["harms", "visit_frequency", "key_worker", "actions", "deregistered_on"] {
        assert!(fields.contains(field), "{field} missing from {fields}");
    }
}

#[tokio::test]
async fn a_large_import_records_history_only_for_the_children_it_changed() {
    // 1,000 records or more take the import's bulk path, which compares stored bytes.
    let world = World::new().await;
    let admin = world.login("adam.admin").await;
    let others: Vec<String> = (0..1000)
        .map(|n| {
            format!(
                "CMS-B{n:04},Kit,Brackley,2018-02-0{},,,,,,,,2025-02-03,,neglect,10,,,sam.social,,CPT9,",
                n % 9 + 1
            )
        })
        .collect();
    let file = |row: &str| {
        let mut rows = others.clone();
        rows.push(row.to_owned());
        rows.join("\n")
    };
    let first = import(&world, admin.access(), &file(FIRST)).await;
    assert_eq!(first["created"].as_u64(), Some(1001), "{first}");
    let changed = import(&world, admin.access(), &file(CHANGED)).await;
    assert_eq!(
        (changed["updated"].as_u64(), changed["unchanged"].as_u64()),
        (Some(1), Some(1000)),
        "{changed}"
    );
    let store = world.state.store();
    let history = store.child_history(world.child("CMS-70").id).unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].before.plan.as_ref().unwrap().visit_frequency_working_days, 10);
    assert_eq!(history[0].after.plan.as_ref().unwrap().visit_frequency_working_days, 5);
    assert!(store.child_history(world.child("CMS-B0007").id).unwrap().is_empty());
}
