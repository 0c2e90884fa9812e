//! Issue 8's escalation rules on the wire: a worker's "a manager agreed" asks the manager to
//! confirm; the manager's agreement is appended to the history with their name and audited in
//! the same batch; standing "seen alone" decisions (who may record them, bad input by field,
//! and that they silence nothing but the visits they cover); current figures when read.

mod common;

use axum::http::StatusCode;
use chrono::{Days, Utc};
use common::*;
use serde_json::{Value, json};
use shared::{SeenAlone, Visit};

fn not_alone_agreed(child: shared::ChildId, worker: shared::WorkerId) -> Visit {
    Visit {
        seen_alone: Some(SeenAlone::No {
            reason: "Asleep in her cot".into(),
            present: vec!["mother".into()],
            manager_agreed: true,
        }),
        ..visit(child, worker)
    }
}

async fn open_for(world: &World, token: &str, visit: &Visit) -> Option<Value> {
    let (_, open) = world.get("/api/escalations", token).await;
    open.as_array().unwrap().iter().find(|e| e["reason"]["visit_id"] == json!(visit.id)).cloned()
}

#[tokio::test]
async fn a_workers_manager_agreed_asks_the_manager_who_agrees_by_name_with_an_audit_entry() {
    let world = World::new().await;
    let sam = world.login("sam.social").await;
    let tara = world.login("tara.manager").await;
    let child = world.child("DEMO-0003");
    let visit = not_alone_agreed(child.id, sam.worker_id());
    assert_eq!(outcome(&world.push_outcomes(&sam, std::slice::from_ref(&visit)).await[0]), "accepted");
    sync_server::escalations::sweep_store(&world.state, None, Utc::now()).await.unwrap();

    let raised = open_for(&world, tara.access(), &visit).await.expect("the tick asks the manager");
    let steps: Vec<&str> =
        raised["history"].as_array().unwrap().iter().map(|h| h["step"].as_str().unwrap()).collect();
    assert_eq!(steps, ["raised", "confirmation_asked"]);

    let path = format!("/api/escalations/{}/acknowledge", raised["id"].as_str().unwrap());
    let (status, done) = world
        .post(
            &path,
            tara.access(),
            json!({"action": "seen_alone_agreed", "reason": "Baby; agreed in supervision"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    let last = done["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["step"], "acknowledged");
    assert_eq!(last["by_name"], "Tara Manager");
    assert!(last["text"].as_str().unwrap().contains("Baby; agreed in supervision"));
    assert_eq!(done["history"].as_array().unwrap().len(), 3, "appended, nothing overwritten");

    let (_, audit) = world.get(&format!("/api/audit?child_id={}", child.id), tara.access()).await;
    let what = format!("escalation {} acknowledged", raised["id"].as_str().unwrap());
    assert!(audit.as_array().unwrap().iter().any(|e| e["what"] == what && e["action"] == "changed"));
    // A second answer is refused: it is no longer open.
    let (status, _) =
        world.post(&path, tara.access(), json!({"action": "seen_alone_disagreed", "reason": "x"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_standing_decision_is_recorded_by_a_manager_and_covers_later_visits() {
    let world = World::new().await;
    let sam = world.login("sam.social").await;
    let tara = world.login("tara.manager").await;
    let child = world.child("DEMO-0003");
    let path = format!("/api/children/{}/seen-alone-decisions", child.id);
    let ends = world.today().checked_add_days(Days::new(120)).unwrap();

    // A worker cannot record one.
    let (status, _) = world.post(&path, sam.access(), json!({"reason": "Baby", "ends_on": ends})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Bad input is refused by field.
    let (status, body) = world.post(&path, tara.access(), json!({"reason": "  ", "ends_on": ends})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["fields"][0]["field"], "reason");
    let too_long = world.today().checked_add_days(Days::new(400)).unwrap();
    let (status, body) =
        world.post(&path, tara.access(), json!({"reason": "Baby", "ends_on": too_long})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["fields"][0]["field"], "ends_on");

    let starts = world.today().checked_sub_days(Days::new(7)).unwrap();
    let (status, decision) = world
        .post(
            &path,
            tara.access(),
            json!({"reason": "Baby, four months old", "starts_on": starts, "ends_on": ends}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{decision}");
    assert_eq!(decision["decided_by_name"], "Tara Manager");
    let (status, listed) = world.get(&path, sam.access()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(listed.as_array().unwrap().len(), 1, "the key worker can see the decision");

    // A visit within it, not seen alone, raises nothing.
    let visit = not_alone_agreed(child.id, sam.worker_id());
    assert_eq!(outcome(&world.push_outcomes(&sam, std::slice::from_ref(&visit)).await[0]), "accepted");
    sync_server::escalations::sweep_store(&world.state, None, Utc::now()).await.unwrap();
    assert!(open_for(&world, tara.access(), &visit).await.is_none());
}

#[tokio::test]
async fn overdue_figures_are_current_when_a_manager_reads_them() {
    let world = World::new().await;
    let tara = world.login("tara.manager").await;
    sync_server::escalations::sweep_store(&world.state, None, Utc::now()).await.unwrap();
    let (_, open) = world.get("/api/escalations", tara.access()).await;
    let overdue = open
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["reason"]["reason"] == "overdue")
        .expect("the demo's overdue child")
        .clone();
    let due = overdue["reason"]["due"].as_str().unwrap();
    let due = chrono::NaiveDate::parse_from_str(due, "%Y-%m-%d").unwrap();
    let expected = world.state.calendar().working_days_between(due, world.today()).max(1);
    assert_eq!(overdue["reason"]["working_days_overdue"], json!(expected));
}
