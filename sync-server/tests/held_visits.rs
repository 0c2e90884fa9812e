//! Visits held for a manager's review, and conflicts, resolved through the API: each case asserts
//! what a worker, a manager or the central system would see.

mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::{Value, json};
use shared::{Child, Visit};

/// Alfie (DEMO-0102) is priya.field's child and a working day overdue; Ellie (DEMO-0001) is
/// sam.social's and three days overdue. Both are team 1's (tara.manager).
async fn held_visit_to_alfie(world: &World, sam: &Session) -> (Child, Visit) {
    let alfie = world.child("DEMO-0102").await;
    let v = visit(alfie.id, sam.worker_id());
    let results = world.push_outcomes(sam, std::slice::from_ref(&v)).await;
    assert_eq!(outcome(&results[0]), "accepted");
    assert!(results[0]["needs_review"].as_str().unwrap().contains("not on your caseload"));
    (alfie, v)
}

async fn overdue_now(world: &World, manager: &Session, central_id: &str) -> bool {
    let (status, report) = world.get("/api/reports/compliance", manager.access()).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let child = report["children"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["central_id"] == central_id)
        .unwrap_or_else(|| panic!("{central_id} in the report"));
    child["overdue_now"].as_bool().unwrap()
}

async fn resolve(world: &World, session: &Session, v: &Visit, body: Value) -> (StatusCode, Value) {
    world.post(&format!("/api/review/{}/resolve", v.id), session.access(), body).await
}

async fn held_list(world: &World, session: &Session) -> Vec<Value> {
    let (status, body) = world.get("/api/review", session.access()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body.as_array().unwrap().clone()
}

#[tokio::test]
async fn a_held_visit_counts_for_nothing_until_a_manager_accepts_it() {
    let world = World::new().await;
    let sam = world.login("sam.social").await;
    let tara = world.login("tara.manager").await;
    assert!(overdue_now(&world, &tara, "DEMO-0102").await);
    let (_, v) = held_visit_to_alfie(&world, &sam).await;

    // Held: Alfie is still overdue, and the visit waits in the manager's list.
    assert!(overdue_now(&world, &tara, "DEMO-0102").await, "a held visit is not a visit");
    let held = held_list(&world, &tara).await;
    assert_eq!(held.len(), 1);
    assert_eq!(held[0]["visit_id"], v.id.to_string());

    let (status, resolution) = resolve(
        &world,
        &tara,
        &v,
        json!({"revision": 1, "resolution": {"how": "accept"}, "reason": "Sam visited while Priya was on leave."}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{resolution}");
    assert_eq!(resolution["resolution"]["how"], "accepted");
    assert_eq!(resolution["by"], tara.worker_id().to_string());
    assert_eq!(resolution["reason"], "Sam visited while Priya was on leave.");

    assert!(!overdue_now(&world, &tara, "DEMO-0102").await, "accepted, the visit counts");
    assert!(held_list(&world, &tara).await.is_empty(), "resolved visits leave the list");
}

#[tokio::test]
async fn linking_a_held_visit_moves_it_to_the_right_child_and_keeps_the_held_revision() {
    let world = World::new().await;
    let sam = world.login("sam.social").await;
    let tara = world.login("tara.manager").await;
    let (alfie, v) = held_visit_to_alfie(&world, &sam).await;
    let ellie = world.child("DEMO-0001").await;
    assert!(overdue_now(&world, &tara, "DEMO-0001").await);

    let (status, resolution) = resolve(
        &world,
        &tara,
        &v,
        json!({"revision": 1, "resolution": {"how": "link_to_child", "child_id": ellie.id},
               "reason": "Sam picked the wrong child: this was Ellie's visit."}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{resolution}");
    assert_eq!(
        resolution["resolution"],
        json!({"how": "linked_to_child", "child_id": ellie.id, "new_revision": 2})
    );

    assert!(!overdue_now(&world, &tara, "DEMO-0001").await, "Ellie is now seen");
    assert!(overdue_now(&world, &tara, "DEMO-0102").await, "Alfie still is not");
    // Nothing is lost: the held revision stays with Alfie, the linked one is Ellie's.
    let (_, alfie_visits) = world.get(&format!("/api/children/{}/visits", alfie.id), tara.access()).await;
    assert!(
        alfie_visits.as_array().unwrap().iter().any(|r| r["id"] == v.id.to_string() && r["revision"] == 1)
    );
    let (_, ellie_visits) = world.get(&format!("/api/children/{}/visits", ellie.id), tara.access()).await;
    let linked =
        ellie_visits.as_array().unwrap().iter().find(|r| r["id"] == v.id.to_string()).unwrap().clone();
    assert_eq!((linked["revision"].as_u64(), linked["amends"].as_u64()), (Some(2), Some(1)));
    assert_eq!(linked["worker_id"], sam.worker_id().to_string(), "still Sam's visit");
    assert!(linked["amendment_reason"].as_str().unwrap().contains("this was Ellie's visit"));
}

#[tokio::test]
async fn a_held_visit_entered_in_error_is_voided_and_kept() {
    let world = World::new().await;
    let sam = world.login("sam.social").await;
    let tara = world.login("tara.manager").await;
    let (_, v) = held_visit_to_alfie(&world, &sam).await;
    let (status, resolution) = resolve(
        &world,
        &tara,
        &v,
        json!({"revision": 1, "resolution": {"how": "entered_in_error"}, "reason": "A test entry on Sam's phone."}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{resolution}");
    let revisions = world.state.store().visit_revisions(v.id).await.unwrap();
    assert_eq!(revisions.len(), 2, "the held revision is kept");
    assert_eq!(revisions[0].visit, v);
    assert_eq!(revisions[1].visit.status, shared::VisitStatus::EnteredInError);
    assert!(overdue_now(&world, &tara, "DEMO-0102").await);
}

#[tokio::test]
async fn a_resolution_without_a_reason_is_refused_naming_the_field_and_changes_nothing() {
    let world = World::new().await;
    let sam = world.login("sam.social").await;
    let tara = world.login("tara.manager").await;
    let (_, v) = held_visit_to_alfie(&world, &sam).await;
    let (status, body) =
        resolve(&world, &tara, &v, json!({"revision": 1, "resolution": {"how": "accept"}, "reason": "  "}))
            .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["fields"][0]["field"], "reason");
    let (status, body) = resolve(
        &world,
        &tara,
        &v,
        json!({"revision": 1, "resolution": {"how": "accept"}, "reason": "x".repeat(2001)}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["fields"][0]["field"], "reason");
    assert_eq!(held_list(&world, &tara).await.len(), 1, "still held");
    assert!(world.state.store().resolution(v.id, 1).await.unwrap().is_none());
}

#[tokio::test]
async fn a_held_visit_is_resolved_once_and_the_resolution_is_audited() {
    let world = World::new().await;
    let sam = world.login("sam.social").await;
    let tara = world.login("tara.manager").await;
    let (alfie, v) = held_visit_to_alfie(&world, &sam).await;
    let accept = json!({"revision": 1, "resolution": {"how": "accept"}, "reason": "Covering informally."});
    assert_eq!(resolve(&world, &tara, &v, accept.clone()).await.0, StatusCode::OK);
    let (status, _) = resolve(&world, &tara, &v, accept).await;
    assert_eq!(status, StatusCode::CONFLICT, "a resolution is never overwritten");
    let (_, audit) = world.get(&format!("/api/audit?child_id={}", alfie.id), tara.access()).await;
    let entry = audit
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["what"].as_str().unwrap().contains(&format!("held visit {} revision 1 accepted", v.id)))
        .expect("the resolution is audited");
    assert_eq!(entry["worker_id"], tara.worker_id().to_string());
}

#[tokio::test]
async fn a_manager_outside_the_team_gets_the_same_404_as_a_visit_that_does_not_exist() {
    let world = World::new().await;
    let sam = world.login("sam.social").await;
    let mo = world.login("mo.manager").await;
    let (_, v) = held_visit_to_alfie(&world, &sam).await;
    let body = json!({"revision": 1, "resolution": {"how": "accept"}, "reason": "Not mine to decide."});
    let (status, outside) = resolve(&world, &mo, &v, body.clone()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let nobody = visit(world.child("DEMO-0001").await.id, sam.worker_id());
    let (status, missing) = resolve(&world, &mo, &nobody, body.clone()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(outside, missing, "the refusal reveals nothing");
    assert!(held_list(&world, &mo).await.is_empty());
    // A worker may not resolve at all.
    assert_eq!(resolve(&world, &sam, &v, body).await.0, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn linking_to_a_child_outside_the_managers_scope_is_refused() {
    let world = World::new().await;
    let sam = world.login("sam.social").await;
    let tara = world.login("tara.manager").await;
    let (_, v) = held_visit_to_alfie(&world, &sam).await;
    let evie = world.child("DEMO-0201").await;
    let (status, body) = resolve(
        &world,
        &tara,
        &v,
        json!({"revision": 1, "resolution": {"how": "link_to_child", "child_id": evie.id}, "reason": "Evie's."}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["fields"][0]["field"], "resolution.child_id");
    assert_eq!(world.state.store().visit_revisions(v.id).await.unwrap().len(), 1);
}

#[tokio::test]
async fn pull_tells_devices_a_visit_is_waiting_for_a_manager_and_again_when_resolved() {
    let world = World::new().await;
    let sam = world.login("sam.social").await;
    let tara = world.login("tara.manager").await;
    let (_, cursor) = world.pull_all(&tara, None).await;
    let (_, v) = held_visit_to_alfie(&world, &sam).await;
    let (events, cursor) = world.pull_all(&tara, Some(&cursor)).await;
    let review = |events: &[Value]| -> Vec<Value> {
        events
            .iter()
            .filter(|e| e["type"] == "visit_review" && e["visit_id"] == v.id.to_string())
            .cloned()
            .collect()
    };
    let waiting = review(&events);
    assert_eq!(waiting.len(), 1, "{events:?}");
    assert_eq!(waiting[0]["state"]["state"], "waiting");
    assert!(waiting[0]["state"]["reason"].as_str().unwrap().contains("Held for a manager's review"));

    let body = json!({"revision": 1, "resolution": {"how": "accept"}, "reason": "Agreed."});
    assert_eq!(resolve(&world, &tara, &v, body).await.0, StatusCode::OK);
    let (events, _) = world.pull_all(&tara, Some(&cursor)).await;
    let accepted = review(&events);
    assert_eq!(accepted.len(), 1, "{events:?}");
    assert_eq!(accepted[0]["state"]["state"], "accepted");
}

#[tokio::test]
async fn the_write_back_export_carries_each_visits_review_state() {
    let world = World::new().await;
    let sam = world.login("sam.social").await;
    let tara = world.login("tara.manager").await;
    let admin = world.login("adam.admin").await;
    let (_, v) = held_visit_to_alfie(&world, &sam).await;
    let state_of = |rows: &Value, revision: u64| {
        rows.as_array()
            .unwrap()
            .iter()
            .find(|r| r["visit_id"] == v.id.to_string() && r["revision"] == revision)
            .map(|r| r["review_state"].clone())
    };
    let (status, rows) = world.get("/api/admin/export/visits", admin.access()).await;
    assert_eq!(status, StatusCode::OK, "{rows}");
    assert_eq!(state_of(&rows, 1).unwrap()["state"], "waiting");
    let (_, csv) = world.get("/api/admin/export/visits?format=csv", admin.access()).await;
    let csv = csv.as_str().unwrap();
    assert!(csv.lines().next().unwrap().ends_with(",review_state"), "{csv}");
    assert!(csv.lines().any(|l| l.starts_with(&v.id.to_string()) && l.ends_with(",waiting")));

    let body = json!({"revision": 1, "resolution": {"how": "entered_in_error"}, "reason": "Test entry."});
    assert_eq!(resolve(&world, &tara, &v, body).await.0, StatusCode::OK);
    let (_, rows) = world.get("/api/admin/export/visits", admin.access()).await;
    assert_eq!(state_of(&rows, 1).unwrap()["state"], "entered_in_error");
    assert_eq!(state_of(&rows, 2), Some(Value::Null), "the void itself was never held");
}

#[tokio::test]
async fn a_visit_by_the_key_worker_on_its_date_is_not_held_when_the_case_is_reallocated_later() {
    let world = World::new().await;
    let sam = world.login("sam.social").await;
    let priya = world.login("priya.field").await;
    let mut ellie = world.child("DEMO-0001").await;
    // Ellie is reallocated from Sam to Priya today; Sam's visit yesterday reaches the server after.
    ellie.plan.as_mut().unwrap().key_worker = priya.worker_id();
    world.state.store().upsert_children(std::slice::from_ref(&ellie)).await.unwrap();
    let v = visit(ellie.id, sam.worker_id());
    let results = world.push_outcomes(&sam, std::slice::from_ref(&v)).await;
    assert_eq!(outcome(&results[0]), "accepted");
    assert_eq!(results[0]["needs_review"], Value::Null, "Sam was Ellie's key worker that day");
    // A worker who never held the case is still held for review.
    let other = visit(world.child("DEMO-0201").await.id, priya.worker_id());
    let results = world.push_outcomes(&priya, &[other]).await;
    assert!(results[0]["needs_review"].is_string());
}

#[tokio::test]
async fn a_visit_by_the_duty_worker_covering_on_its_date_is_not_held() {
    let world = World::new().await;
    let dana = world.login("dana.duty").await;
    let ellie = world.child("DEMO-0001").await;
    // Cover from four days ago to yesterday: over now, but in force on the visit's date.
    world.cover(ellie.id, "dana.duty", -4, -1).await;
    let mut v = visit(ellie.id, dana.worker_id());
    v.capacity = shared::WorkerCapacity::DutyCover;
    let results = world.push_outcomes(&dana, &[v]).await;
    assert_eq!(outcome(&results[0]), "accepted", "{results:?}");
    assert_eq!(results[0]["needs_review"], Value::Null);
}

// ---- Conflicts. ----

/// Sam's visit to Ellie, and a second version of the same revision from another device.
async fn conflict(world: &World, sam: &Session) -> (Visit, Visit, String) {
    let ellie = world.child("DEMO-0001").await;
    let v = visit(ellie.id, sam.worker_id());
    world.push_outcomes(sam, std::slice::from_ref(&v)).await;
    let mut other = v.clone();
    other.child_views = "Quiet today.".into();
    assert_eq!(outcome(&world.push_outcomes(sam, std::slice::from_ref(&other)).await[0]), "conflict");
    let (_, conflicts) = world.get("/api/conflicts", sam.access()).await;
    let id = conflicts[0]["id"].as_str().unwrap().to_owned();
    (v, other, id)
}

async fn resolve_conflict(world: &World, session: &Session, id: &str, body: Value) -> (StatusCode, Value) {
    world.post(&format!("/api/conflicts/{id}/resolve"), session.access(), body).await
}

#[tokio::test]
async fn the_worker_keeps_their_version_as_a_new_revision_and_the_other_is_kept() {
    let world = World::new().await;
    let sam = world.login("sam.social").await;
    let (v, _, id) = conflict(&world, &sam).await;
    let (status, resolution) = resolve_conflict(
        &world,
        &sam,
        &id,
        json!({"keep": "yours", "reason": "My phone has the right words."}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{resolution}");
    assert_eq!(resolution["new_revision"], 2);
    let revisions = world.state.store().visit_revisions(v.id).await.unwrap();
    assert_eq!(revisions.len(), 2);
    assert_eq!(revisions[0].visit.child_views, "Happy to talk.", "the server's version is kept");
    assert_eq!(revisions[1].visit.child_views, "Quiet today.");
    assert_eq!(revisions[1].visit.amends, Some(1));
    let conflict = world.state.store().conflicts().await.unwrap().remove(0);
    assert_eq!(conflict.yours.child_views, "Quiet today.", "both versions stay in the conflict");
    let (_, open) = world.get("/api/conflicts", sam.access()).await;
    assert!(open.as_array().unwrap().is_empty(), "resolved conflicts leave the list");
}

#[tokio::test]
async fn the_manager_keeps_the_servers_version_and_nothing_new_is_stored() {
    let world = World::new().await;
    let sam = world.login("sam.social").await;
    let tara = world.login("tara.manager").await;
    let (v, _, id) = conflict(&world, &sam).await;
    let (status, resolution) = resolve_conflict(
        &world,
        &tara,
        &id,
        json!({"keep": "server", "reason": "The first version is right."}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{resolution}");
    assert_eq!(resolution["new_revision"], Value::Null);
    assert_eq!(resolution["by"], tara.worker_id().to_string());
    assert_eq!(world.state.store().visit_revisions(v.id).await.unwrap().len(), 1);
    let (status, _) =
        resolve_conflict(&world, &sam, &id, json!({"keep": "yours", "reason": "Changed my mind."})).await;
    assert_eq!(status, StatusCode::CONFLICT, "a resolution is never overwritten");
}

#[tokio::test]
async fn a_merge_is_stored_as_a_new_revision() {
    let world = World::new().await;
    let sam = world.login("sam.social").await;
    let (v, other, id) = conflict(&world, &sam).await;
    let mut merged = other.clone();
    merged.child_views = "Happy to talk, then quiet.".into();
    let (status, body) =
        resolve_conflict(&world, &sam, &id, json!({"keep": "merged", "reason": "Both."})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "a merge needs the merged version");
    assert_eq!(body["fields"][0]["field"], "merged");
    let (status, resolution) = resolve_conflict(
        &world,
        &sam,
        &id,
        json!({"keep": "merged", "merged": merged, "reason": "Both were true."}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{resolution}");
    let latest = world.state.store().latest_revision(v.id).await.unwrap().unwrap();
    assert_eq!((latest.visit.revision, latest.visit.child_views.as_str()), (2, "Happy to talk, then quiet."));
}

/// A held visit stays held when its worker resolves a conflict on it. Sam's visit to Alfie (not
/// his child) is held; a second version from another phone makes a conflict; Sam keeps his
/// phone's version. Before, the new revision was stored as not held: Alfie counted as seen,
/// with no manager involved, and the manager could no longer resolve anything (the held
/// revision was no longer the latest, and the new one had no review item). Now the new
/// revision is judged as a push judges it: held, listed for the manager, counting for nothing
/// until accepted.
#[tokio::test]
async fn a_held_visit_stays_held_when_its_worker_resolves_a_conflict_on_it() {
    let world = World::new().await;
    let sam = world.login("sam.social").await;
    let tara = world.login("tara.manager").await;
    assert!(overdue_now(&world, &tara, "DEMO-0102").await);
    let (_, v) = held_visit_to_alfie(&world, &sam).await;
    let mut other = v.clone();
    other.child_views = "Quiet today.".into();
    assert_eq!(outcome(&world.push_outcomes(&sam, std::slice::from_ref(&other)).await[0]), "conflict");
    let (_, conflicts) = world.get("/api/conflicts", sam.access()).await;
    let id = conflicts[0]["id"].as_str().unwrap().to_owned();
    let (status, resolution) =
        resolve_conflict(&world, &sam, &id, json!({"keep": "yours", "reason": "My phone has it right."}))
            .await;
    assert_eq!(status, StatusCode::OK, "{resolution}");
    assert_eq!(resolution["new_revision"], 2);

    assert!(
        overdue_now(&world, &tara, "DEMO-0102").await,
        "no manager has accepted it: Alfie is still overdue"
    );
    let held = held_list(&world, &tara).await;
    assert!(
        held.iter().any(|h| h["visit"]["id"] == json!(v.id) && h["visit"]["revision"] == 2),
        "the new revision waits for the manager: {held:?}"
    );
    let (status, body) = resolve(
        &world,
        &tara,
        &v,
        json!({"revision": 2, "resolution": {"how": "accept"}, "reason": "Sam covered Alfie that day."}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(!overdue_now(&world, &tara, "DEMO-0102").await, "accepted, it counts");
}

/// A photo in the version a conflict resolution keeps is the visit's photo: a manager who may
/// see the visit may see it. Before, the new revision recorded no photo references, so only
/// the worker who uploaded it could open it.
#[tokio::test]
async fn a_photo_in_the_version_a_conflict_resolution_keeps_is_seen_by_the_manager() {
    let dir = tempfile::tempdir().unwrap();
    let world = World::with_config(config_with_photos(dir.path())).await;
    let sam = world.login("sam.social").await;
    let tara = world.login("tara.manager").await;
    let ellie = world.child("DEMO-0001").await;
    let photo = test_photo(3);
    world.upload(&sam, &photo).await;
    let v = visit(ellie.id, sam.worker_id());
    world.push_outcomes(&sam, std::slice::from_ref(&v)).await;
    let mut with_photo = v.clone();
    with_photo.attachments = vec![attachment(&photo)];
    assert_eq!(outcome(&world.push_outcomes(&sam, std::slice::from_ref(&with_photo)).await[0]), "conflict");
    let (status, _, _) = world.get_raw(&format!("/api/blobs/{}", photo.sha256), tara.access()).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "named by no visit the manager may see yet");
    let (_, conflicts) = world.get("/api/conflicts", sam.access()).await;
    let id = conflicts[0]["id"].as_str().unwrap().to_owned();
    let (status, body) =
        resolve_conflict(&world, &sam, &id, json!({"keep": "yours", "reason": "The photo belongs."})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _, bytes) = world.get_raw(&format!("/api/blobs/{}", photo.sha256), tara.access()).await;
    assert_eq!(status, StatusCode::OK, "the manager sees the photo of the visit's current revision");
    assert_eq!(bytes, photo.jpeg);
}

/// A merge may name the photos of either version, and no photo its resolver may not see.
#[tokio::test]
async fn a_merge_naming_a_photo_the_resolver_may_not_see_is_refused_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let world = World::with_config(config_with_photos(dir.path())).await;
    let sam = world.login("sam.social").await;
    let tom = world.login("tom.north").await;
    let theirs = test_photo(4);
    world.upload(&tom, &theirs).await;
    let (v, other, id) = conflict(&world, &sam).await;
    let mut merged = other.clone();
    merged.attachments = vec![attachment(&theirs)];
    let (status, body) =
        resolve_conflict(&world, &sam, &id, json!({"keep": "merged", "merged": merged, "reason": "Both."}))
            .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["fields"][0]["field"], "attachments[0].sha256");
    assert_eq!(world.state.store().visit_revisions(v.id).await.unwrap().len(), 1, "nothing stored");
}

#[tokio::test]
async fn another_worker_cannot_see_or_resolve_a_conflict() {
    let world = World::new().await;
    let sam = world.login("sam.social").await;
    let priya = world.login("priya.field").await;
    let (_, _, id) = conflict(&world, &sam).await;
    let (status, _) =
        resolve_conflict(&world, &priya, &id, json!({"keep": "server", "reason": "Not mine."})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn pull_tells_devices_a_held_visit_was_entered_in_error() {
    let world = World::new().await;
    let sam = world.login("sam.social").await;
    let tara = world.login("tara.manager").await;
    let (_, v) = held_visit_to_alfie(&world, &sam).await;
    let (_, cursor) = world.pull_all(&tara, None).await;
    let body = json!({"revision": 1, "resolution": {"how": "entered_in_error"}, "reason": "Test entry."});
    assert_eq!(resolve(&world, &tara, &v, body).await.0, StatusCode::OK);
    let (events, _) = world.pull_all(&tara, Some(&cursor)).await;
    let states: Vec<&Value> = events
        .iter()
        .filter(|e| e["type"] == "visit_review" && e["visit_id"] == v.id.to_string())
        .map(|e| &e["state"]["state"])
        .collect();
    assert_eq!(states, vec!["entered_in_error"], "{events:?}");
}

/// The worker who made a held visit about a child outside their scope is told where it stands
/// when a manager resolves it, and told nothing else: not the visit's new revision, not the
/// child it was linked to. Before, their phone showed it "waiting for your manager" for ever.
#[rstest::rstest]
#[case::linked_to_the_right_child(json!({"how": "link_to_child", "child_id": "ELLIE"}), "linked")]
#[case::entered_in_error(json!({"how": "entered_in_error"}), "entered_in_error")]
#[case::accepted_for_the_child_it_names(json!({"how": "accept"}), "accepted")]
#[tokio::test]
async fn the_worker_who_made_a_held_visit_outside_their_scope_hears_how_it_was_resolved(
    #[case] mut how: Value,
    #[case] expected: &str,
) {
    let world = World::new().await;
    let sam = world.login("sam.social").await;
    let tara = world.login("tara.manager").await;
    let (alfie, v) = held_visit_to_alfie(&world, &sam).await;
    let (events, cursor) = world.pull_all(&sam, None).await;
    assert!(events.iter().all(|e| e["child"]["id"] != json!(alfie.id)), "Alfie is not Sam's");
    let ellie = world.child("DEMO-0001").await;
    if how["child_id"] == "ELLIE" {
        how["child_id"] = json!(ellie.id);
    }
    let body = json!({"revision": 1, "resolution": how, "reason": "Checked with the worker."});
    let (status, answer) = resolve(&world, &tara, &v, body).await;
    assert_eq!(status, StatusCode::OK, "{answer}");

    let (events, _) = world.pull_all(&sam, Some(&cursor)).await;
    let about_v: Vec<&Value> = events
        .iter()
        .filter(|e| e["visit_id"] == json!(v.id) || e["visit"]["id"] == json!(v.id))
        .filter(|e| e["visit"]["child_id"] != json!(ellie.id))
        .collect();
    assert_eq!(about_v.len(), 1, "one event about the held visit: {events:?}");
    assert_eq!(about_v[0]["type"], "visit_review");
    assert_eq!(about_v[0]["state"]["state"], expected);
    assert_eq!(about_v[0]["child_id"], json!(alfie.id), "the child the worker named, nothing more");
    assert!(events.iter().all(|e| e["child"]["id"] != json!(alfie.id)), "nothing else about Alfie");
}
