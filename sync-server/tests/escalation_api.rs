//! Issue 8's escalation rules on the wire: a worker's "a manager agreed" asks the manager to
//! confirm; the manager's agreement is appended to the history with their name and audited in
//! the same batch; standing "seen alone" decisions (who may record them, bad input by field,
//! and that they silence nothing but the visits they cover); current figures when read.

mod common;

use std::collections::BTreeSet;

use axum::http::StatusCode;
use chrono::{Days, Utc};
use common::*;
use serde_json::{Value, json};
use shared::Visit;

fn not_alone_agreed(child: shared::ChildId, worker: shared::WorkerId) -> Visit {
    fixtures::not_alone(visit(child, worker), "Asleep in her cot", &["mother"], true)
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
    let child = world.child("DEMO-0003").await;
    let visit = not_alone_agreed(child.id, sam.worker_id());
    assert_eq!(outcome(&world.push_outcomes(&sam, std::slice::from_ref(&visit)).await[0]), "accepted");
    sync_server::sweeper::sweep_store(&world.state, None, Utc::now()).await.unwrap();

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
    let history = done["history"].as_array().unwrap();
    let steps: Vec<&str> = history.iter().map(|h| h["step"].as_str().unwrap()).collect();
    assert_eq!(
        steps,
        ["raised", "confirmation_asked", "acknowledged", "closed"],
        "appended, nothing overwritten"
    );
    let agreed = &history[2];
    assert_eq!(agreed["by_name"], "Tara Manager");
    assert!(agreed["text"].as_str().unwrap().contains("Baby; agreed in supervision"));
    // The agreement settles it: closed by her answer, and off the desk's "acted on" list.
    assert_eq!(done["status"]["status"], "closed");
    assert_eq!(history[3]["by_name"], "Tara Manager");
    let (_, desk) = world.get("/api/desk", tara.access()).await;
    let listed = desk["open_escalations"].as_array().unwrap();
    assert!(!listed.iter().any(|e| e["id"] == raised["id"]), "{listed:?}");

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
    let child = world.child("DEMO-0003").await;
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
    sync_server::sweeper::sweep_store(&world.state, None, Utc::now()).await.unwrap();
    assert!(open_for(&world, tara.access(), &visit).await.is_none());
}

/// A visit not seen alone that starts today (in the authority's time zone) and has ended.
fn not_alone_today(world: &World, child: shared::ChildId, worker: shared::WorkerId) -> Visit {
    fixtures::not_alone(
        visit_today(world, child, worker),
        "Her mother would not leave the room",
        &["mother"],
        false,
    )
}

/// A manager ends a standing decision early (the child is talking now): from today, a visit
/// not seen alone goes to the manager again, while the visits before it stay covered. Only a
/// manager ends one, with a reason, once; the decision is kept with its end appended, and
/// the ending is audited.
#[tokio::test]
async fn a_standing_decision_ended_early_no_longer_covers_todays_visit_but_still_covers_earlier_ones() {
    let world = World::new().await;
    let sam = world.login("sam.social").await;
    let tara = world.login("tara.manager").await;
    let child = world.child("DEMO-0003").await;
    let path = format!("/api/children/{}/seen-alone-decisions", child.id);
    let today = world.today();
    let starts = today.checked_sub_days(Days::new(7)).unwrap();
    let ends = today.checked_add_days(Days::new(120)).unwrap();
    let (status, decision) = world
        .post(&path, tara.access(), json!({"reason": "Baby", "starts_on": starts, "ends_on": ends}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{decision}");
    let end_path = format!("{path}/{}/end", decision["id"].as_str().unwrap());

    // Yesterday's visit, not seen alone, is covered.
    let yesterday = visit_on(child.id, sam.worker_id(), today.pred_opt().unwrap());
    let yesterday = fixtures::not_alone(yesterday, "Asleep in her cot", &["mother"], false);
    assert_eq!(outcome(&world.push_outcomes(&sam, std::slice::from_ref(&yesterday)).await[0]), "accepted");
    sync_server::sweeper::sweep_store(&world.state, None, Utc::now()).await.unwrap();
    assert!(open_for(&world, tara.access(), &yesterday).await.is_none());
    // So is a visit earlier today, while the decision stands.
    let this_morning = not_alone_today(&world, child.id, sam.worker_id());
    assert_eq!(outcome(&world.push_outcomes(&sam, std::slice::from_ref(&this_morning)).await[0]), "accepted");
    sync_server::sweeper::sweep_store(&world.state, None, Utc::now()).await.unwrap();
    assert!(open_for(&world, tara.access(), &this_morning).await.is_none());

    // Only a manager ends it, with a reason; an unknown decision is not found.
    let reason = json!({"reason": "She is talking now: see her alone"});
    let (status, _) = world.post(&end_path, sam.access(), reason.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = world.post(&end_path, tara.access(), json!({"reason": " "})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["fields"][0]["field"], "reason");
    let (status, body) = world.post(&end_path, tara.access(), json!({"reason": "x".repeat(2001)})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["fields"][0]["field"], "reason");
    let nobody = format!("{path}/{}/end", shared::SeenAloneDecisionId::new());
    let (status, _) = world.post(&nobody, tara.access(), reason.clone()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, listed) = world.get(&path, sam.access()).await;
    assert!(listed[0].get("ended").is_none(), "refused requests change nothing: {listed}");

    let (status, ended) = world.post(&end_path, tara.access(), reason.clone()).await;
    assert_eq!(status, StatusCode::OK, "{ended}");
    assert_eq!(ended["ends_on"], json!(ends), "kept as recorded");
    assert_eq!(ended["ended"]["last_day"], json!(today.pred_opt().unwrap()));
    assert_eq!(ended["ended"]["ended_by_name"], "Tara Manager");
    assert_eq!(ended["ended"]["reason"], "She is talking now: see her alone");
    let (_, listed) = world.get(&path, sam.access()).await;
    assert_eq!(listed[0], ended, "the key worker reads it ended");
    // Once.
    let (status, body) = world.post(&end_path, tara.access(), reason).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body["message"].as_str().unwrap().contains("Tara Manager already ended"), "{body}");

    // Ended from today, it no longer covers this morning's visit: the manager is asked.
    sync_server::sweeper::sweep_store(&world.state, None, Utc::now()).await.unwrap();
    let asked = open_for(&world, tara.access(), &this_morning).await.expect("asked about this morning");
    assert_eq!(asked["reason"]["reason"], "not_seen_alone");

    // Today's visit, not seen alone, goes to the manager; yesterday's stays covered.
    let visit = not_alone_today(&world, child.id, sam.worker_id());
    assert_eq!(outcome(&world.push_outcomes(&sam, std::slice::from_ref(&visit)).await[0]), "accepted");
    sync_server::sweeper::sweep_store(&world.state, None, Utc::now()).await.unwrap();
    let raised = open_for(&world, tara.access(), &visit).await.expect("today's visit asks the manager");
    assert_eq!(raised["reason"]["reason"], "not_seen_alone");
    assert!(open_for(&world, tara.access(), &yesterday).await.is_none(), "a past visit stays covered");

    let (_, audit) = world.get(&format!("/api/audit?child_id={}", child.id), tara.access()).await;
    let what = format!("seen alone decision {} ended", decision["id"].as_str().unwrap());
    assert!(audit.as_array().unwrap().iter().any(|e| e["what"] == what), "{audit}");

    // The chronology a court reads has both, by the manager's name.
    let chronology = format!("/api/children/{}/chronology?format=json&kinds=seen_alone", child.id);
    let (status, chronology) = world.get(&chronology, sam.access()).await;
    assert_eq!(status, StatusCode::OK, "{chronology}");
    let entries: Vec<(&str, &str)> = chronology["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["kind"].as_str().unwrap(), e["worker"].as_str().unwrap()))
        .collect();
    assert_eq!(
        entries,
        [("seen_alone_decision", "Tara Manager"), ("seen_alone_decision_ended", "Tara Manager")]
    );
    assert!(
        chronology["entries"][1]["summary"].as_str().unwrap().ends_with("She is talking now: see her alone.")
    );
    // And yesterday's visit names the decision that covered it; today's names none.
    let visits = format!("/api/children/{}/chronology?format=json&kinds=visit", child.id);
    let (_, visits) = world.get(&visits, sam.access()).await;
    let covered = |date: chrono::NaiveDate| {
        let entry = visits["entries"].as_array().unwrap().iter().find(|e| e["date"] == json!(date)).cloned();
        entry.expect("the visit is in the chronology")["summary"]
            .as_str()
            .unwrap()
            .contains("Covered by Tara Manager's standing decision of")
    };
    assert!(covered(today.pred_opt().unwrap()), "{visits}");
    assert!(!covered(today), "{visits}");
}

/// A decision already over, or one that has not begun, cannot be ended and covers nothing
/// once ended.
#[tokio::test]
async fn a_standing_decision_already_over_cannot_be_ended_and_one_not_yet_begun_covers_nothing() {
    let world = World::new().await;
    let tara = world.login("tara.manager").await;
    let child = world.child("DEMO-0003").await;
    let path = format!("/api/children/{}/seen-alone-decisions", child.id);
    let today = world.today();
    let record = |starts: chrono::NaiveDate, ends: chrono::NaiveDate| {
        world.post(&path, tara.access(), json!({"reason": "Baby", "starts_on": starts, "ends_on": ends}))
    };
    let (status, over) =
        record(today.checked_sub_days(Days::new(30)).unwrap(), today.pred_opt().unwrap()).await;
    assert_eq!(status, StatusCode::CREATED, "{over}");
    let (status, body) = world
        .post(
            &format!("{path}/{}/end", over["id"].as_str().unwrap()),
            tara.access(),
            json!({"reason": "Talking"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["message"], "This decision is already over.");

    let (status, later) =
        record(today.checked_add_days(Days::new(7)).unwrap(), today.checked_add_days(Days::new(30)).unwrap())
            .await;
    assert_eq!(status, StatusCode::CREATED, "{later}");
    let (status, ended) = world
        .post(
            &format!("{path}/{}/end", later["id"].as_str().unwrap()),
            tara.access(),
            json!({"reason": "Talking"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{ended}");
    let ended: shared::SeenAloneDecision = serde_json::from_value(ended).unwrap();
    for ahead in [7, 20, 30] {
        assert!(!ended.covers(today.checked_add_days(Days::new(ahead)).unwrap()), "{ahead} days ahead");
    }
}

#[tokio::test]
async fn overdue_figures_are_current_when_a_manager_reads_them() {
    let world = World::new().await;
    let tara = world.login("tara.manager").await;
    sync_server::sweeper::sweep_store(&world.state, None, Utc::now()).await.unwrap();
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

// ---- Routing: a team's managers are set by an administrator, never guessed. ----

const NON_ADMINS: [&str; 4] = ["sam.social", "dana.duty", "tara.manager", "sian.senior"];

async fn create_senior(world: &World, admin: &str, username: &str) -> shared::WorkerId {
    let (status, body) = world
        .post(
            "/api/admin/accounts",
            admin,
            json!({"username": username, "name": "Seren Senior", "role": "senior_manager",
                   "password": "a long enough senior password"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    serde_json::from_value(body["id"].clone()).unwrap()
}

async fn put_managers(world: &World, token: &str, team: shared::TeamId, body: Value) -> (StatusCode, Value) {
    let request = axum::http::Request::put(format!("/api/admin/teams/{team}/managers"))
        .header(axum::http::header::AUTHORIZATION, format!("Bearer {token}"))
        .header(axum::http::header::CONTENT_TYPE, "application/json")
        .body(axum::body::Body::from(body.to_string()))
        .unwrap();
    world.send(request).await
}

#[tokio::test]
async fn only_an_administrator_reads_or_sets_a_teams_managers() {
    let world = World::new().await;
    let team = sync_server::demo::demo_team_id(1);
    let body = json!({"manager": world.worker_id("tara.manager").await});
    for username in NON_ADMINS {
        let session = world.login(username).await;
        let (status, _) = world.get("/api/admin/teams", session.access()).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{username} reads the teams");
        let (status, _) = put_managers(&world, session.access(), team, body.clone()).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{username} sets a team's managers");
    }
    let adam = world.login("adam.admin").await;
    let (status, teams) = world.get("/api/admin/teams", adam.access()).await;
    assert_eq!(status, StatusCode::OK, "{teams}");
    let first = teams.as_array().unwrap().iter().find(|t| t["id"] == json!(team)).expect("team 1").clone();
    assert_eq!(first["manager"], json!(world.worker_id("tara.manager").await));
    assert_eq!(first["routing"]["senior_manager"], json!(world.worker_id("sian.senior").await));
}

#[tokio::test]
async fn a_teams_managers_must_hold_the_right_roles_and_a_refusal_changes_nothing() {
    let world = World::new().await;
    let adam = world.login("adam.admin").await;
    let team = sync_server::demo::demo_team_id(1);
    let before = world.state.store().team(team).await.unwrap();
    let tara = world.worker_id("tara.manager").await;
    let cases = [
        (json!({"manager": world.worker_id("sam.social").await}), "manager"),
        (json!({"manager": tara, "senior_manager": tara}), "senior_manager"),
        (json!({"manager": tara, "deputy": world.worker_id("dana.duty").await}), "deputy"),
        (json!({"manager": tara, "deputy": tara}), "deputy"),
        (json!({"manager": shared::WorkerId::new()}), "manager"),
    ];
    for (body, field) in cases {
        let (status, answer) = put_managers(&world, adam.access(), team, body.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {answer}");
        assert!(answer.to_string().contains(field), "{body} names {field}: {answer}");
    }
    let (status, answer) = put_managers(&world, adam.access(), team, json!({"boss": tara})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert!(answer.to_string().contains("boss"), "{answer}");
    // Schemathesis found this: an array is not a team's managers (serde would read it as the
    // fields in order, and clear them all).
    let (status, answer) = put_managers(&world, adam.access(), team, json!([null, null])).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert!(answer.to_string().contains("body"), "{answer}");
    let (status, _) = put_managers(&world, adam.access(), shared::TeamId::new(), json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(world.state.store().team(team).await.unwrap(), before, "nothing changed");
}

#[tokio::test]
async fn a_new_team_manager_receives_the_teams_open_escalations_with_the_reason_in_their_history() {
    let world = World::new().await;
    let adam = world.login("adam.admin").await;
    let team = sync_server::demo::demo_team_id(1);
    let tara = world.worker_id("tara.manager").await;
    sync_server::sweeper::sweep_store(&world.state, None, world.state.now()).await.unwrap();
    async fn open_for(world: &World, who: shared::WorkerId) -> Vec<shared::Escalation> {
        let store = world.state.store();
        store.escalations().await.unwrap().into_iter().filter(|e| e.is_open() && e.to == Some(who)).collect()
    }
    let open = open_for(&world, tara).await;
    assert!(!open.is_empty(), "the demo has open escalations for Tara");

    // Tara leaves; Nia takes the team, with Mo as deputy and Seren as senior manager.
    let (status, nia) = world
        .post(
            "/api/admin/accounts",
            adam.access(),
            json!({"username": "nia.manager", "name": "Nia Newmanager", "role": "team_manager",
                   "team": team, "password": "a long enough manager password"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{nia}");
    let nia: shared::WorkerId = serde_json::from_value(nia["id"].clone()).unwrap();
    let seren = create_senior(&world, adam.access(), "seren.senior").await;
    let body =
        json!({"manager": nia, "senior_manager": seren, "deputy": world.worker_id("mo.manager").await});
    let (status, saved) = put_managers(&world, adam.access(), team, body).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["manager"], json!(nia));
    assert_eq!(saved["routing"]["senior_manager"], json!(seren));

    assert!(open_for(&world, tara).await.is_empty(), "nothing is left with the manager who left");
    for before in open {
        let after = world.state.store().escalation(before.id).await.unwrap().unwrap();
        assert_eq!(after.to, Some(nia), "{after:?}");
        assert!(after.history.starts_with(&before.history), "history appended, never rewritten");
        let last = after.history.last().unwrap();
        assert_eq!(last.step, shared::EscalationStep::Rerouted);
        assert!(last.text.contains("Nia Newmanager"), "{}", last.text);
    }
    let audit = world.state.store().audit(None).await.unwrap();
    assert!(audit.iter().any(|a| a.what == format!("team {team} managers set")), "audited");
    // Team 2 still goes to Sian: one team's change moves nothing of another's.
    let team2 = world.state.store().team(sync_server::demo::demo_team_id(2)).await.unwrap().unwrap();
    assert_eq!(team2.routing.senior_manager, Some(world.worker_id("sian.senior").await));
}

/// A relay on 127.0.0.1, port 0, that keeps every notice whose signature checks out.
async fn relay(secret: &'static [u8]) -> (String, std::sync::Arc<std::sync::Mutex<Vec<Value>>>) {
    use axum::http::HeaderMap;
    use sync_server::webhook::{SIGNATURE_HEADER, verify};
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let kept = seen.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: axum::body::Bytes| async move {
            let signature = headers.get(SIGNATURE_HEADER).and_then(|v| v.to_str().ok()).unwrap_or("");
            let now = Utc::now().timestamp();
            if !verify(secret, signature, &body, now, std::time::Duration::from_secs(300)) {
                return StatusCode::UNAUTHORIZED;
            }
            kept.lock().unwrap().push(serde_json::from_slice(&body).unwrap());
            StatusCode::OK
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{address}/hook"), seen)
}

/// An authority that mirrors escalations through the webhook learns that a manager's answer
/// closed one, as it learns of the sweep's changes: otherwise its copy would stay open.
#[tokio::test]
async fn a_managers_answer_that_closes_an_escalation_reaches_the_webhook() {
    const RELAY_SECRET: &[u8] = b"relay-shared-secret-for-tests-only";
    let (url, seen) = relay(RELAY_SECRET).await;
    let mut config = sync_server::Config::default();
    config.oversight.webhook = Some(sync_server::webhook::WebhookConfig::new(url, RELAY_SECRET));
    let world = World::with_config(config).await;
    let sam = world.login("sam.social").await;
    let tara = world.login("tara.manager").await;
    let child = world.child("DEMO-0003").await;
    let visit = not_alone_agreed(child.id, sam.worker_id());
    assert_eq!(outcome(&world.push_outcomes(&sam, std::slice::from_ref(&visit)).await[0]), "accepted");
    sync_server::sweeper::sweep_store(&world.state, None, Utc::now()).await.unwrap();
    let raised = open_for(&world, tara.access(), &visit).await.expect("the tick asks the manager");
    let id = raised["id"].clone();

    let path = format!("/api/escalations/{}/acknowledge", id.as_str().unwrap());
    let (status, done) =
        world.post(&path, tara.access(), json!({"action": "seen_alone_agreed", "reason": "Baby"})).await;
    assert_eq!(status, StatusCode::OK, "{done}");

    let statuses = || -> Vec<String> {
        let seen = seen.lock().unwrap();
        seen.iter()
            .filter(|n| n["escalation_id"] == id)
            .map(|n| n["status"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    for _ in 0..250 {
        if statuses().iter().any(|s| s == "closed") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let statuses = statuses();
    assert_eq!(statuses.first().map(String::as_str), Some("open"), "raised: {statuses:?}");
    assert_eq!(statuses.last().map(String::as_str), Some("closed"), "the manager's close: {statuses:?}");
    let notice = seen.lock().unwrap().iter().rfind(|n| n["escalation_id"] == id).cloned().unwrap();
    assert!(!notice.to_string().contains("Baby"), "the manager's words stay inside: {notice}");
}

/// A manager who disagrees that a child could go unseen alone says what must happen. The
/// escalation closes with the answer, so the handover's open escalations no longer carry it:
/// the handover says it itself, to the duty worker covering, until a visit sees the child alone.
#[tokio::test]
async fn the_handover_carries_a_managers_word_that_the_child_must_be_seen_alone_until_a_visit_does() {
    let world = World::new().await;
    let sam = world.login("sam.social").await;
    let tara = world.login("tara.manager").await;
    let dana = world.login("dana.duty").await;
    let child = world.child("DEMO-0003").await;
    let visit =
        fixtures::not_alone(visit(child.id, sam.worker_id()), "Her mother stayed", &["mother"], false);
    assert_eq!(outcome(&world.push_outcomes(&sam, std::slice::from_ref(&visit)).await[0]), "accepted");
    sync_server::sweeper::sweep_store(&world.state, None, Utc::now()).await.unwrap();
    let raised = open_for(&world, tara.access(), &visit).await.expect("raised to the manager");
    let path = format!("/api/escalations/{}/acknowledge", raised["id"].as_str().unwrap());
    let said = "See her at school on Monday, with her teacher";
    let (status, done) =
        world.post(&path, tara.access(), json!({"action": "seen_alone_disagreed", "reason": said})).await;
    assert_eq!(status, StatusCode::OK, "{done}");

    let today = world.today();
    let (status, cover) = world
        .post(
            "/api/covers",
            tara.access(),
            json!({"child_id": child.id, "duty_worker": dana.worker_id(), "starts_on": today,
                   "ends_on": today.checked_add_days(Days::new(5)).unwrap()}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{cover}");
    let handover_path = format!("/api/children/{}/handover", child.id);
    let (status, handover) = world.get(&handover_path, dana.access()).await;
    assert_eq!(status, StatusCode::OK, "{handover}");
    let open = handover["open_escalations"].as_array().unwrap();
    assert!(!open.iter().any(|e| e["id"] == raised["id"]), "answered, so closed: {open:?}");
    let instruction = &handover["seen_alone_instruction"];
    assert_eq!(instruction["by"], "Tara Manager", "{handover}");
    assert_eq!(instruction["on"], json!(today));
    assert_eq!(instruction["what"], format!("{said}."));

    // The duty worker sees her alone: the instruction has been followed. Now, on a phone in
    // the authority's zone, so the visit's date is the day the instruction was given.
    let started = world.state.clock().local(world.state.now());
    let alone = Visit {
        id: shared::VisitId::new(),
        started_at: started,
        ended_at: started + chrono::Duration::seconds(1),
        ..visit_on(child.id, dana.worker_id(), today)
    };
    assert_eq!(outcome(&world.push_outcomes(&dana, std::slice::from_ref(&alone)).await[0]), "accepted");
    let (_, handover) = world.get(&handover_path, dana.access()).await;
    assert!(handover["seen_alone_instruction"].is_null(), "{}", handover["seen_alone_instruction"]);
}

/// A deputy named for another team's manager (Mo, team 2's manager, deputising for Tara) is
/// sent that team's escalations while Tara is away, and keeps them until they close. He sees
/// each of those children, to act without starting again: his inbox lists the escalations, his
/// phone's pull brings the children, and he can open their records and act. He sees nothing
/// else of Tara's team, and his own team's reports stay his team's. Once none is his, the
/// children leave his phone, as a duty worker's do when cover ends. Before, the inbox walked only
/// his own team's children, so what was sent to him never showed: an escalation with a name on
/// it that nobody saw.
#[tokio::test]
async fn a_deputy_from_another_team_sees_what_is_sent_to_them_and_those_children_only() {
    let world = World::new().await;
    let adam = world.login("adam.admin").await;
    let sian = world.login("sian.senior").await;
    let mo = world.login("mo.manager").await;
    let team = sync_server::demo::demo_team_id(1);
    let tara = world.worker_id("tara.manager").await;
    let (_, cursor) = world.pull_all(&mo, None).await;
    let routing = json!({"manager": tara, "senior_manager": world.worker_id("sian.senior").await,
                         "deputy": mo.worker_id()});
    let (status, saved) = put_managers(&world, adam.access(), team, routing).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    let (status, body) = world
        .post(
            "/api/absences",
            sian.access(),
            json!({"worker_id": tara, "kind": "sickness", "starts_on": world.today()}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    sync_server::sweeper::sweep_store(&world.state, None, world.state.now()).await.unwrap();
    let store = world.state.store();
    let sent_to_mo: Vec<shared::Escalation> = store
        .escalations()
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.is_open() && e.to == Some(mo.worker_id()))
        .collect();
    assert!(!sent_to_mo.is_empty(), "Tara's open escalations go to Mo, her deputy");
    let acted_for: BTreeSet<shared::ChildId> = sent_to_mo.iter().map(|e| e.child_id).collect();
    let team_one = store.children_of_team(team).await.unwrap();
    let not_his =
        *team_one.iter().find(|c| !acted_for.contains(c)).expect("a team 1 child with nothing for Mo");

    // His inbox lists every one.
    let (status, inbox) = world.get("/api/escalations", mo.access()).await;
    assert_eq!(status, StatusCode::OK, "{inbox}");
    let listed = inbox.as_array().unwrap();
    for sent in &sent_to_mo {
        let shown = listed.iter().find(|e| e["id"] == json!(sent.id));
        let shown =
            shown.unwrap_or_else(|| panic!("escalation {} was sent to Mo, yet is not in his inbox", sent.id));
        assert_eq!(shown["to"], json!(mo.worker_id()));
    }

    // His phone's next pull brings those children, named, and no other child of Tara's team.
    let (events, cursor) = world.pull_all(&mo, Some(&cursor)).await;
    let children: BTreeSet<String> = events
        .iter()
        .filter(|e| e["type"] == "child")
        .map(|e| e["child"]["id"].as_str().unwrap().to_owned())
        .collect();
    for child in &acted_for {
        assert!(children.contains(&child.to_string()), "child {child} came to Mo's phone: {children:?}");
    }
    assert!(!children.contains(&not_his.to_string()), "nothing else of Tara's team");
    let child = acted_for.iter().next().unwrap();
    let (status, record) = world.get(&format!("/api/children/{child}"), mo.access()).await;
    assert_eq!(status, StatusCode::OK, "{record}");
    let (status, _) = world.get(&format!("/api/children/{not_his}"), mo.access()).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "the rest of Tara's team stays hers");

    // His own team's report is his team's: no row for Tara's team.
    let (status, report) = world.get("/api/reports/compliance", mo.access()).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert!(!report["teams"].as_array().unwrap().iter().any(|t| t["team_id"] == json!(team)), "{report}");

    // He acts on one from there.
    let first = &sent_to_mo[0];
    let path = format!("/api/escalations/{}/acknowledge", first.id);
    let arranged = world.today() + Days::new(1);
    let (status, done) =
        world.post(&path, mo.access(), json!({"action": "visit_arranged", "date": arranged})).await;
    assert_eq!(status, StatusCode::OK, "{done}");

    // Team 2's social worker sees none of it.
    let tom = world.login("tom.north").await;
    let (_, theirs) = world.get("/api/escalations", tom.access()).await;
    for sent in &sent_to_mo {
        assert!(!theirs.as_array().unwrap().iter().any(|e| e["id"] == json!(sent.id)), "not Tom's");
    }

    // Having acted on it, he still sees that child (the escalation is his until it closes).
    let (status, _) = world.get(&format!("/api/children/{}", first.child_id), mo.access()).await;
    assert_eq!(status, StatusCode::OK, "the child of an escalation he acted on");

    // Mo is no longer the deputy: the escalations not acted on go on (to the senior manager,
    // Tara being away), and the children with nothing left of his leave his phone.
    let routing = json!({"manager": tara, "senior_manager": world.worker_id("sian.senior").await});
    let (status, saved) = put_managers(&world, adam.access(), team, routing).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    sync_server::sweeper::sweep_store(&world.state, None, world.state.now()).await.unwrap();
    let mut still_his = BTreeSet::new();
    for sent in &sent_to_mo {
        let now = store.escalation(sent.id).await.unwrap().unwrap();
        if now.id == first.id {
            assert_eq!(now.to, Some(mo.worker_id()), "acted on: his until done");
            still_his.insert(now.child_id);
        } else {
            assert_ne!(now.to, Some(mo.worker_id()), "{now:?}");
        }
    }
    let gone: Vec<_> = acted_for.difference(&still_his).collect();
    assert!(!gone.is_empty(), "some child has nothing left of Mo's");
    let (events, _) = world.pull_all(&mo, Some(&cursor)).await;
    for child in &gone {
        assert!(
            events.iter().any(|e| e["type"] == "removed_from_scope"
                && e["child_id"] == json!(child)
                && e["reason"] == "cover_ended"),
            "child {child} left Mo's phone: {events:?}"
        );
        let (status, _) = world.get(&format!("/api/children/{child}"), mo.access()).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    for child in &still_his {
        assert!(!events.iter().any(|e| e["type"] == "removed_from_scope" && e["child_id"] == json!(child)));
    }
}
