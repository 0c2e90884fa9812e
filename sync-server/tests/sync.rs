//! The sync protocol: idempotent push, conflicts kept, one bad record never blocking the rest,
//! reconciliation holds, pull by cursor with covers and removals, gzip both ways, and
//! concurrent devices.

mod common;

use std::io::{Read, Write};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{World, amend, outcome, visit, visit_on};
use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use shared::sync::MAX_PUSH_BATCH;
use shared::{ChildId, Seen, Visit};
use tower::ServiceExt;

#[tokio::test]
async fn an_identical_replay_is_a_duplicate_and_stored_once() {
    let world = World::new().await;
    let sam = world.login("sam.social").await;
    let ellie = world.child("DEMO-0001").await;
    let v = visit(ellie.id, sam.worker_id());
    assert_eq!(outcome(&world.push_outcomes(&sam, std::slice::from_ref(&v)).await[0]), "accepted");
    assert_eq!(outcome(&world.push_outcomes(&sam, std::slice::from_ref(&v)).await[0]), "duplicate");
    assert_eq!(world.state.store().visit_revisions(v.id).await.unwrap().len(), 1);
}

/// A replay is a duplicate even after the child's record has changed: the phone never heard the
/// answer, and sends the same visit again after an import took the plan action it names off
/// the plan. Before, the replay was checked against the record as it is now and refused, so
/// the phone showed as refused a visit the server holds (and the pull never put it right).
#[tokio::test]
async fn a_replay_after_the_childs_record_changed_is_still_a_duplicate() {
    let world = World::new().await;
    let sam = world.login("sam.social").await;
    let mut ellie = world.child("DEMO-0001").await;
    let action = ellie.plan.as_ref().unwrap().actions[0].id;
    let mut v = visit(ellie.id, sam.worker_id());
    v.plan_actions = vec![action];
    assert_eq!(outcome(&world.push_outcomes(&sam, std::slice::from_ref(&v)).await[0]), "accepted");
    ellie.plan.as_mut().unwrap().actions.retain(|a| a.id != action);
    world.state.store().upsert_children(&[ellie]).await.unwrap();
    let results = world.push_outcomes(&sam, std::slice::from_ref(&v)).await;
    assert_eq!(outcome(&results[0]), "duplicate", "{:#}", results[0]);
    assert_eq!(world.state.store().visit_revisions(v.id).await.unwrap().len(), 1);
    // Another worker sending the same content is still refused, not told it is held.
    let priya = world.login("priya.field").await;
    let theirs = world.push_outcomes(&priya, std::slice::from_ref(&v)).await;
    assert_eq!(outcome(&theirs[0]), "rejected", "{:#}", theirs[0]);
}

/// The same conflicting version sent twice in one push is one conflict, as it is across pushes.
/// Before, each copy was recorded: the worker and the manager saw the conflict twice.
#[tokio::test]
async fn a_conflicting_version_sent_twice_in_one_push_is_recorded_once() {
    let world = World::new().await;
    let sam = world.login("sam.social").await;
    let ellie = world.child("DEMO-0001").await;
    let v = visit(ellie.id, sam.worker_id());
    assert_eq!(outcome(&world.push_outcomes(&sam, std::slice::from_ref(&v)).await[0]), "accepted");
    let mut other = v.clone();
    other.child_views = "Quiet today.".into();
    let results = world.push_outcomes(&sam, &[other.clone(), other.clone()]).await;
    assert_eq!((outcome(&results[0]), outcome(&results[1])), ("conflict", "conflict"));
    let (status, conflicts) = world.get("/api/conflicts", sam.access()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(conflicts.as_array().unwrap().len(), 1, "{conflicts:#}");
    assert_eq!(world.state.store().conflicts().await.unwrap().len(), 1);
}

#[tokio::test]
async fn the_same_revision_with_other_content_is_a_conflict_and_both_are_kept() {
    let world = World::new().await;
    let sam = world.login("sam.social").await;
    let tara = world.login("tara.manager").await;
    let ellie = world.child("DEMO-0001").await;
    let v = visit(ellie.id, sam.worker_id());
    world.push_outcomes(&sam, std::slice::from_ref(&v)).await;
    let mut other = v.clone();
    other.child_views = "Quiet today.".into();
    let results = world.push_outcomes(&sam, &[other.clone()]).await;
    assert_eq!(outcome(&results[0]), "conflict");
    assert_eq!(results[0]["server"]["child_views"], "Happy to talk.");
    assert_eq!(results[0]["yours"]["child_views"], "Quiet today.");
    // Replaying the losing version gives the same conflict, recorded once.
    assert_eq!(outcome(&world.push_outcomes(&sam, &[other]).await[0]), "conflict");
    // Surfaced to the worker and their manager, with both versions.
    for session in [&sam, &tara] {
        let (status, conflicts) = world.get("/api/conflicts", session.access()).await;
        assert_eq!(status, StatusCode::OK);
        let conflicts = conflicts.as_array().unwrap();
        assert_eq!(conflicts.len(), 1);
        assert_eq!(conflicts[0]["server"]["child_views"], "Happy to talk.");
        assert_eq!(conflicts[0]["yours"]["child_views"], "Quiet today.");
    }
    // The server's version stands, not the last writer's.
    assert_eq!(
        world.state.store().visit(v.id, 1).await.unwrap().unwrap().visit.child_views,
        "Happy to talk."
    );
}

#[tokio::test]
async fn an_amendment_of_a_stale_revision_is_a_conflict() {
    let world = World::new().await;
    let sam = world.login("sam.social").await;
    let ellie = world.child("DEMO-0001").await;
    let first = visit(ellie.id, sam.worker_id());
    let second = amend(&first, "school");
    let results = world.push_outcomes(&sam, &[first.clone(), second.clone()]).await;
    assert_eq!(
        (outcome(&results[0]), outcome(&results[1])),
        ("accepted", "accepted"),
        "base and amendment in one push"
    );
    let mut stale = amend(&first, "park");
    stale.revision = 3;
    let results = world.push_outcomes(&sam, &[stale]).await;
    assert_eq!(outcome(&results[0]), "rejected", "an amendment must amend the revision before it");
    let stale = amend(&first, "park");
    let results = world.push_outcomes(&sam, &[stale]).await;
    assert_eq!(outcome(&results[0]), "conflict");
    let third = amend(&second, "park");
    assert_eq!(outcome(&world.push_outcomes(&sam, &[third]).await[0]), "accepted");
    let revisions = world.state.store().visit_revisions(first.id).await.unwrap();
    let locations: Vec<&str> = revisions.iter().map(|r| r.visit.location.as_str()).collect();
    assert_eq!(locations, ["family home", "school", "park"], "every revision kept, none edited in place");
}

#[tokio::test]
async fn one_bad_record_never_blocks_the_rest() {
    let world = World::new().await;
    let sam = world.login("sam.social").await;
    let ellie = world.child("DEMO-0001").await;
    let good = visit(ellie.id, sam.worker_id());
    let mut future = visit(ellie.id, sam.worker_id());
    future.started_at += chrono::Duration::days(30);
    future.ended_at += chrono::Duration::days(30);
    let mut ancient =
        visit_on(ellie.id, sam.worker_id(), chrono::NaiveDate::from_ymd_opt(1999, 6, 1).unwrap());
    ancient.recorded_at = chrono::Utc::now();
    let mut no_reason = visit(ellie.id, sam.worker_id());
    no_reason.seen = Seen::No { reason: " ".into() };
    no_reason.seen_alone = None;
    no_reason.child_words.clear();
    let also_good = visit(ellie.id, sam.worker_id());
    let results = world.push_outcomes(&sam, &[good, future, ancient, no_reason, also_good]).await;
    let outcomes: Vec<&str> = results.iter().map(outcome).collect();
    assert_eq!(outcomes, ["accepted", "rejected", "rejected", "rejected", "accepted"]);
    let fields = |i: usize| -> Vec<String> {
        results[i]["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap().to_owned())
            .collect()
    };
    assert!(fields(1).contains(&"started_at".to_owned()));
    assert!(fields(2).contains(&"started_at".to_owned()));
    assert!(fields(3).contains(&"seen.reason".to_owned()));
}

#[tokio::test]
async fn a_visit_naming_a_plan_action_of_another_child_is_rejected() {
    let world = World::new().await;
    let sam = world.login("sam.social").await;
    let ellie = world.child("DEMO-0001").await;
    let jack = world.child("DEMO-0002").await;
    let mut v = visit(ellie.id, sam.worker_id());
    v.plan_actions = vec![jack.plan.unwrap().actions[0].id];
    let results = world.push_outcomes(&sam, &[v]).await;
    assert_eq!(outcome(&results[0]), "rejected");
    assert_eq!(results[0]["errors"][0]["field"], "plan_actions[0]");
}

#[tokio::test]
async fn unknown_and_unassigned_children_are_held_for_review_never_dropped() {
    let world = World::new().await;
    let sam = world.login("sam.social").await;
    let tara = world.login("tara.manager").await;
    let unknown = visit(ChildId::new(), sam.worker_id());
    let not_mine = visit(world.child("DEMO-0101").await.id, sam.worker_id());
    let results = world.push_outcomes(&sam, &[unknown.clone(), not_mine.clone()]).await;
    for result in &results {
        assert_eq!(outcome(result), "accepted");
        assert_eq!(result["needs_review"], sync_server::sync::HELD_NOT_ON_CASELOAD);
    }
    let (status, held) = world.get("/api/review", tara.access()).await;
    assert_eq!(status, StatusCode::OK);
    let held = held.as_array().unwrap();
    let ids: Vec<&str> = held.iter().map(|h| h["visit_id"].as_str().unwrap()).collect();
    assert!(
        ids.contains(&unknown.id.to_string().as_str()) && ids.contains(&not_mine.id.to_string().as_str())
    );
    let reasons: Vec<&str> = held.iter().map(|h| h["reason"].as_str().unwrap()).collect();
    assert!(
        reasons.iter().any(|r| r.starts_with("unknown child"))
            && reasons.iter().any(|r| r.starts_with("not assigned"))
    );
}

#[tokio::test]
async fn push_refuses_wrong_protocol_other_devices_and_oversized_batches() {
    let world = World::new().await;
    let sam = world.login("sam.social").await;
    let ellie = world.child("DEMO-0001").await;
    let v = visit(ellie.id, sam.worker_id());
    let (status, body) = world
        .post(
            "/api/sync/push",
            sam.access(),
            json!({"protocol": 99, "device_id": sam.device_id, "visits": []}),
        )
        .await;
    assert_eq!((status, body["fields"][0]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("protocol")));
    let (status, body) = world
        .post(
            "/api/sync/push",
            sam.access(),
            json!({"protocol": 1, "device_id": shared::DeviceId::new(), "visits": [v]}),
        )
        .await;
    assert_eq!((status, body["fields"][0]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("device_id")));
    let many: Vec<_> = (0..=MAX_PUSH_BATCH).map(|_| visit(ellie.id, sam.worker_id())).collect();
    let (status, body) = world.push(&sam, &many).await;
    assert_eq!((status, body["fields"][0]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("visits")));
    assert!(
        world.state.store().visits_of_child(ellie.id).await.unwrap().iter().all(|s| s.visit.id != many[0].id),
        "nothing stored"
    );
}

#[tokio::test]
async fn malformed_bodies_name_the_field() {
    let world = World::new().await;
    let sam = world.login("sam.social").await;
    let ellie = world.child("DEMO-0001").await;
    let mut v = serde_json::to_value(visit(ellie.id, sam.worker_id())).unwrap();
    v["revision"] = json!("one");
    let (status, body) = world
        .post(
            "/api/sync/push",
            sam.access(),
            json!({"protocol": 1, "device_id": sam.device_id, "visits": [v]}),
        )
        .await;
    assert_eq!(
        (status, body["fields"][0]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("visits[0].revision"))
    );

    let mut v = serde_json::to_value(visit(ellie.id, sam.worker_id())).unwrap();
    v["favourite_colour"] = json!("blue");
    let (status, body) = world
        .post(
            "/api/sync/push",
            sam.access(),
            json!({"protocol": 1, "device_id": sam.device_id, "visits": [v]}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["message"].as_str().unwrap().contains("favourite_colour"), "{body}");

    let request = Request::post("/api/sync/push")
        .header(header::AUTHORIZATION, format!("Bearer {}", sam.access()))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{\"protocol\": 1, \"visits\": [}"))
        .unwrap();
    let (status, body) = world.send(request).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("bad_request")));

    let huge = "x".repeat(5 * 1024 * 1024);
    let (status, body) =
        world.post("/api/sync/push", sam.access(), json!({"protocol": 1, "padding": huge})).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::PAYLOAD_TOO_LARGE, Some("payload_too_large")));
}

fn events_of<'a>(events: &'a [Value], kind: &str) -> Vec<&'a Value> {
    events.iter().filter(|e| e["type"] == kind).collect()
}

#[tokio::test]
async fn pull_sends_the_caseload_then_only_changes() {
    let world = World::new().await;
    let sam = world.login("sam.social").await;
    let (events, cursor) = world.pull_all(&sam, None).await;
    assert_eq!(events_of(&events, "child").len(), 12);
    assert!(events_of(&events, "visit").len() > 100, "the caseload's history");

    let (nothing, cursor) = world.pull_all(&sam, Some(&cursor)).await;
    assert!(nothing.is_empty(), "nothing changed: {nothing:?}");

    let tara = world.login("tara.manager").await;
    let ellie = world.child("DEMO-0001").await;
    let manager_visit = visit(ellie.id, tara.worker_id());
    world.push_outcomes(&tara, std::slice::from_ref(&manager_visit)).await;
    let (changes, again) = world.pull_all(&sam, Some(&cursor)).await;
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0]["visit"]["id"], manager_visit.id.to_string());

    // The same cursor again (an answer lost on the way) gives the same changes.
    let (replayed, _) = world.pull_all(&sam, Some(&cursor)).await;
    assert_eq!(replayed, changes);
    let (after, _) = world.pull_all(&sam, Some(&again)).await;
    assert!(after.is_empty());
}

#[tokio::test]
async fn pull_pages_with_a_limit() {
    let world = World::new().await;
    let sam = world.login("sam.social").await;
    let (first_page_status, first) = world.get("/api/sync/pull?limit=20", sam.access()).await;
    assert_eq!(first_page_status, StatusCode::OK);
    assert_eq!(first["more"], true);
    let (all, _) = world.pull_all(&sam, None).await;
    let (paged, _) = {
        let mut cursor = first["cursor"].as_str().unwrap().to_owned();
        let mut events: Vec<Value> = first["events"].as_array().unwrap().clone();
        loop {
            let (_, page) =
                world.get(&format!("/api/sync/pull?limit=20&cursor={cursor}"), sam.access()).await;
            events.extend(page["events"].as_array().unwrap().iter().cloned());
            cursor = page["cursor"].as_str().unwrap().to_owned();
            if page["more"] == false {
                break (events, cursor);
            }
        }
    };
    let ids = |events: &[Value]| {
        let mut ids: Vec<String> = events.iter().map(|e| e.to_string()).collect();
        ids.sort();
        ids
    };
    let (paged, all) = (ids(&paged), ids(&all));
    assert_eq!(paged.len(), all.len(), "paging delivers everything, once");
    assert!(paged == all, "paging delivers the same events");
    let (status, body) = world.get("/api/sync/pull?cursor=not-a-cursor", sam.access()).await;
    assert_eq!((status, body["fields"][0]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("cursor")));
}

#[tokio::test]
async fn a_duty_worker_gets_covered_children_and_loses_them_when_cover_ends() {
    let world = World::new().await;
    let dana = world.login("dana.duty").await;
    let (events, cursor) = world.pull_all(&dana, None).await;
    assert!(events.is_empty(), "no caseload, no cover yet");

    let zofia = world.child("DEMO-0003").await;
    let mut cover = world.cover(zofia.id, "dana.duty", 0, 3).await;
    let (events, cursor) = world.pull_all(&dana, Some(&cursor)).await;
    assert_eq!(events_of(&events, "child").len(), 1);
    assert_eq!(events_of(&events, "child")[0]["child"]["id"], zofia.id.to_string());
    assert_eq!(events_of(&events, "cover").len(), 1);
    assert!(!events_of(&events, "visit").is_empty(), "the child's history comes with her");

    // Cover ends early: the next pull removes her.
    cover.ends_on = world.today().pred_opt().unwrap();
    cover.starts_on = cover.ends_on.pred_opt().unwrap();
    world.state.store().put_cover(&cover).await.unwrap();
    let (events, _) = world.pull_all(&dana, Some(&cursor)).await;
    let removed = events_of(&events, "removed_from_scope");
    assert_eq!(removed.len(), 1, "{events:?}");
    assert_eq!(removed[0]["child_id"], zofia.id.to_string());
    assert_eq!(removed[0]["reason"], "cover_ended");
}

#[tokio::test]
async fn a_reallocated_child_is_removed_from_the_old_workers_devices() {
    let world = World::new().await;
    let sam = world.login("sam.social").await;
    let (_, cursor) = world.pull_all(&sam, None).await;
    let mut leo = world.child("DEMO-0010").await;
    leo.plan.as_mut().unwrap().key_worker = world.worker_id("priya.field").await;
    world.state.store().upsert_children(&[leo.clone()]).await.unwrap();
    let (events, _) = world.pull_all(&sam, Some(&cursor)).await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["type"], "removed_from_scope");
    assert_eq!(events[0]["reason"], "reallocated");
}

#[tokio::test]
async fn bodies_travel_gzipped_both_ways_but_for_small_answers() {
    let world = World::new().await;
    let sam = world.login("sam.social").await;
    let ellie = world.child("DEMO-0001").await;
    let body =
        json!({"protocol": 1, "device_id": sam.device_id, "visits": [visit(ellie.id, sam.worker_id())]})
            .to_string();
    let request = Request::post("/api/sync/push")
        .header(header::AUTHORIZATION, format!("Bearer {}", sam.access()))
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CONTENT_ENCODING, "gzip")
        .header(header::ACCEPT_ENCODING, "gzip")
        .body(Body::from(gzip(&body, Compression::default())))
        .unwrap();
    let response = world.app.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    // A lone visit's acknowledgement is no smaller gzipped: it comes plain.
    assert_eq!(response.headers().get(header::CONTENT_ENCODING), None);
    let plain = response.into_body().collect().await.unwrap().to_bytes();
    assert!(plain.len() < 1024, "{} bytes", plain.len());
    let answer: Value = serde_json::from_slice(&plain).unwrap();
    assert_eq!(answer["results"][0]["outcome"], "accepted");

    let request = Request::get("/api/sync/pull")
        .header(header::AUTHORIZATION, format!("Bearer {}", sam.access()))
        .header(header::ACCEPT_ENCODING, "gzip")
        .body(Body::empty())
        .unwrap();
    let response = world.app.clone().oneshot(request).await.unwrap();
    assert_eq!(response.headers().get(header::CONTENT_ENCODING).unwrap(), "gzip");
    let compressed = response.into_body().collect().await.unwrap().to_bytes();
    let mut plain = String::new();
    GzDecoder::new(&compressed[..]).read_to_string(&mut plain).unwrap();
    assert!(compressed.len() * 3 < plain.len(), "{} bytes gzipped from {}", compressed.len(), plain.len());
    let pulled: Value = serde_json::from_str(&plain).unwrap();
    assert!(!pulled["events"].as_array().unwrap().is_empty());
}

/// A small push compressed against the protocol's dictionary (`dcz`, RFC 9842), as the app
/// sends a lone visit: stored as a gzipped one would be.
#[tokio::test]
async fn a_small_push_compressed_with_the_protocols_dictionary_is_stored() {
    let world = World::new().await;
    let sam = world.login("sam.social").await;
    let ellie = world.child("DEMO-0001").await;
    let v = visit(ellie.id, sam.worker_id());
    let body = json!({"protocol": 1, "device_id": sam.device_id, "visits": [v]}).to_string();
    let compressed = shared::dcz::encode(body.as_bytes()).unwrap();
    let gzipped = gzip(&body, Compression::default());
    assert!(
        compressed.len() * 4 < gzipped.len() * 3,
        "{} bytes, against {} gzipped",
        compressed.len(),
        gzipped.len()
    );
    let (status, answer) = world.send(dcz_push(&sam, compressed)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer["results"][0]["outcome"], "accepted");
    assert_eq!(world.state.store().visit(v.id, 1).await.unwrap().unwrap().visit, v);
}

/// A full batch compressed against the protocol's dictionary, as the app now sends every push:
/// every visit stored, in fewer bytes than gzip made of it.
#[tokio::test]
async fn a_full_batch_compressed_with_the_protocols_dictionary_is_stored_whole() {
    let world = World::new().await;
    let sam = world.login("sam.social").await;
    let ellie = world.child("DEMO-0001").await;
    let visits: Vec<Visit> = (0..MAX_PUSH_BATCH)
        .map(|i| Visit {
            child_views: format!("Visit {i}: she showed me her room and talked about her friends."),
            ..visit(ellie.id, sam.worker_id())
        })
        .collect();
    let body = json!({"protocol": 1, "device_id": sam.device_id, "visits": visits}).to_string();
    assert!(body.len() >= shared::dcz::SMALL_BODY, "past the size compressed at the faster level");
    let compressed = shared::dcz::encode(body.as_bytes()).unwrap();
    // As the app gzipped a batch: at the fastest level.
    let gzipped = gzip(&body, Compression::fast());
    assert!(
        compressed.len() < gzipped.len(),
        "{} bytes, against {} gzipped",
        compressed.len(),
        gzipped.len()
    );
    let (status, answer) = world.send(dcz_push(&sam, compressed)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let results = answer["results"].as_array().unwrap();
    assert_eq!(results.len(), visits.len());
    assert!(results.iter().all(|r| r["outcome"] == "accepted"), "{answer}");
    for v in [&visits[0], &visits[visits.len() - 1]] {
        assert_eq!(&world.state.store().visit(v.id, 1).await.unwrap().unwrap().visit, v);
    }
}

/// A `dcz` body the server cannot read is refused with the field named, and nothing is stored:
/// one made with another dictionary gets 415 and `Accept-Encoding: gzip` (the app then sends it
/// gzipped), a broken one 400, and one that would inflate past the JSON limit 413.
#[tokio::test]
async fn a_dcz_push_the_server_cannot_read_is_refused_and_nothing_is_stored() {
    let world = World::new().await;
    let sam = world.login("sam.social").await;
    let ellie = world.child("DEMO-0001").await;
    let v = visit(ellie.id, sam.worker_id());
    let body = json!({"protocol": 1, "device_id": sam.device_id, "visits": [v]}).to_string();
    let good = shared::dcz::encode(body.as_bytes()).unwrap();

    let mut other_dictionary = good.clone();
    other_dictionary[8] ^= 0xff;
    let response = world.app.clone().oneshot(dcz_push(&sam, other_dictionary)).await.unwrap();
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(response.headers().get(header::ACCEPT_ENCODING).unwrap(), "gzip");
    let error: Value =
        serde_json::from_slice(&response.into_body().collect().await.unwrap().to_bytes()).unwrap();
    assert_eq!(error["fields"][0]["field"], "Content-Encoding", "{error}");

    let cut_short = good[..good.len() - 10].to_vec();
    let (status, error) = world.send(dcz_push(&sam, cut_short)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error["fields"][0]["field"], "Content-Encoding", "{error}");

    // 5 MiB of spaces after the JSON: under a kilobyte compressed, past the 4 MiB JSON limit.
    let mut huge = body.clone().into_bytes();
    huge.resize(5 << 20, b' ');
    let bomb = shared::dcz::encode(&huge).unwrap();
    assert!(bomb.len() < 2048, "{} bytes", bomb.len());
    assert_eq!(world.send(dcz_push(&sam, bomb)).await.0, StatusCode::PAYLOAD_TOO_LARGE);

    assert!(world.state.store().visit_revisions(v.id).await.unwrap().is_empty(), "nothing stored");
}

fn gzip(body: &str, level: Compression) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), level);
    encoder.write_all(body.as_bytes()).unwrap();
    encoder.finish().unwrap()
}

fn dcz_push(session: &common::Session, body: Vec<u8>) -> Request<Body> {
    Request::post("/api/sync/push")
        .header(header::AUTHORIZATION, format!("Bearer {}", session.access()))
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CONTENT_ENCODING, "dcz")
        .body(Body::from(body))
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_devices_pushing_the_same_visit_store_it_once() {
    let world = std::sync::Arc::new(World::new().await);
    let phone = world.login("sam.social").await;
    let tablet = world.login("sam.social").await;
    let v = visit(world.child("DEMO-0001").await.id, phone.worker_id());
    let (a, b) = push_together(&world, (&phone, v.clone()), (&tablet, v.clone())).await;
    let mut outcomes = vec![outcome(&a[0]).to_owned(), outcome(&b[0]).to_owned()];
    outcomes.sort();
    assert_eq!(outcomes, ["accepted", "duplicate"]);
    assert_eq!(world.state.store().visit_revisions(v.id).await.unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_devices_pushing_conflicting_amendments_get_one_accepted_and_one_conflict() {
    let world = std::sync::Arc::new(World::new().await);
    let phone = world.login("sam.social").await;
    let tablet = world.login("sam.social").await;
    let base = visit(world.child("DEMO-0001").await.id, phone.worker_id());
    world.push_outcomes(&phone, std::slice::from_ref(&base)).await;
    for round in 0..10 {
        let base = if round == 0 {
            base.clone()
        } else {
            world.state.store().latest_revision(base.id).await.unwrap().unwrap().visit
        };
        let from_phone = amend(&base, &format!("school {round}"));
        let from_tablet = amend(&base, &format!("park {round}"));
        let (a, b) =
            push_together(&world, (&phone, from_phone.clone()), (&tablet, from_tablet.clone())).await;
        let mut outcomes = vec![outcome(&a[0]).to_owned(), outcome(&b[0]).to_owned()];
        outcomes.sort();
        assert_eq!(outcomes, ["accepted", "conflict"], "round {round}");
        let held = world.state.store().visit(base.id, base.revision + 1).await.unwrap().unwrap().visit;
        let loser = if held == from_phone { &from_tablet } else { &from_phone };
        assert!(held == from_phone || held == from_tablet);
        let conflicts = world.state.store().conflicts().await.unwrap();
        assert!(conflicts.iter().any(|c| &c.yours == loser && c.server == held), "both versions kept");
    }
}

/// Pushes from two devices at once, on separate tasks.
async fn push_together(
    world: &std::sync::Arc<World>,
    (first, first_visit): (&common::Session, shared::Visit),
    (second, second_visit): (&common::Session, shared::Visit),
) -> (Vec<Value>, Vec<Value>) {
    let spawn = |session: common::Session, v: shared::Visit| {
        let world = world.clone();
        tokio::spawn(async move { world.push_outcomes(&session, &[v]).await })
    };
    let a = spawn(first.clone(), first_visit);
    let b = spawn(second.clone(), second_visit);
    (a.await.unwrap(), b.await.unwrap())
}

#[tokio::test]
async fn a_statutory_visit_without_a_purpose_is_refused_naming_the_field() {
    let world = World::new().await;
    let sam = world.login("sam.social").await;
    let ellie = world.child("DEMO-0001").await;
    let aimless = shared::Visit { plan_actions: vec![], purpose: None, ..visit(ellie.id, sam.worker_id()) };
    let results = world.push_outcomes(&sam, std::slice::from_ref(&aimless)).await;
    assert_eq!(outcome(&results[0]), "rejected", "{}", results[0]);
    let fields: Vec<&str> =
        results[0]["errors"].as_array().unwrap().iter().filter_map(|e| e["field"].as_str()).collect();
    assert_eq!(fields, ["purpose"]);
    assert!(world.state.store().visit_revisions(aimless.id).await.unwrap().is_empty(), "not stored");
    // The same visit with a stated purpose is accepted.
    let purposeful = shared::Visit { purpose: Some("To talk with Ellie about school".into()), ..aimless };
    assert_eq!(outcome(&world.push_outcomes(&sam, &[purposeful]).await[0]), "accepted");
}

/// A full push is parsed, encoded and freed partly on other threads (see `parse_push` and
/// `Transaction::put_visits`): its outcomes and what is stored must be what a push of one
/// visit at a time gives, wherever in the push a record falls.
#[tokio::test]
async fn a_full_push_is_decided_and_stored_as_one_visit_at_a_time_would_be() {
    let world = World::new().await;
    let sam = world.login("sam.social").await;
    let tara = world.login("tara.manager").await;
    let ellie = world.child("DEMO-0001").await;
    let mut visits: Vec<_> = (0..MAX_PUSH_BATCH)
        .map(|n| {
            let mut v = visit(ellie.id, sam.worker_id());
            v.child_views = format!("Visit number {n}: she talked about school.");
            v
        })
        .collect();
    // An amendment late in the push of a revision early in it: the two halves of the push.
    visits[400] = amend(&visits[10], "At her grandmother's");
    // The same revision twice: the second is a duplicate.
    visits[350] = visits[20].clone();
    // One bad record, and one held for review.
    visits[300].seen = Seen::No { reason: " ".into() };
    visits[300].seen_alone = None;
    visits[300].child_words.clear();
    visits[499] = visit(ChildId::new(), sam.worker_id());

    let results = world.push_outcomes(&sam, &visits).await;
    assert_eq!(results.len(), MAX_PUSH_BATCH);
    for (n, result) in results.iter().enumerate() {
        assert_eq!(result["visit_id"], visits[n].id.to_string(), "results in the order sent");
        let expected = match n {
            300 => "rejected",
            350 => "duplicate",
            _ => "accepted",
        };
        assert_eq!(outcome(result), expected, "visit {n}");
    }
    assert_eq!(results[300]["errors"][0]["field"], "seen.reason");
    assert_eq!(results[499]["needs_review"], sync_server::sync::HELD_NOT_ON_CASELOAD);

    // Each accepted revision is stored exactly as sent, the amendment beside its base.
    let store = world.state.store();
    for (n, sent) in visits.iter().enumerate().filter(|(n, _)| ![300, 350].contains(n)) {
        let stored = store.visit(sent.id, sent.revision).await.unwrap();
        assert_eq!(stored.map(|s| s.visit).as_ref(), Some(sent), "visit {n}");
    }
    assert!(store.visit(visits[300].id, 1).await.unwrap().is_none(), "the bad record is not stored");
    let revisions = store.visit_revisions(visits[10].id).await.unwrap();
    let locations: Vec<&str> = revisions.iter().map(|s| s.visit.location.as_str()).collect();
    assert_eq!(locations, [visits[10].location.as_str(), "At her grandmother's"]);
    let ellies = store.visits_of_child(ellie.id).await.unwrap();
    assert_eq!(ellies.iter().filter(|s| s.visit.child_views.starts_with("Visit number")).count(), 497);

    // The held one reaches the manager's review list.
    let (status, held) = world.get("/api/review", tara.access()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(held.as_array().unwrap().iter().any(|h| h["visit_id"] == visits[499].id.to_string()));
}

/// A pushed revision is stored around its JSON text as sent (not encoded again). Whatever the
/// text's spacing, field order or escapes, what is stored, and what another device pulls, is
/// the visit the text says: in a push of one and in a full push, parsed on two threads.
#[tokio::test]
async fn a_visit_sent_in_any_valid_json_layout_is_stored_and_pulled_as_that_visit() {
    let world = World::new().await;
    let sam = world.login("sam.social").await;
    let tara = world.login("tara.manager").await;
    let ellie = world.child("DEMO-0001").await;
    let (_, cursor) = world.pull_all(&tara, None).await;
    let said = |n: usize| format!("Visit {n}: «I don't want to go», she said — twice. 🙂\n\"Really.\"");
    let visits: Vec<Visit> = (0..MAX_PUSH_BATCH)
        .map(|n| Visit { child_views: said(n), ..visit(ellie.id, sam.worker_id()) })
        .collect();
    for batch in [&visits[..1], &visits[1..]] {
        let texts: Vec<String> = batch.iter().map(fixtures::odd_json).collect();
        let body = format!(
            "{{\"visits\" : [ {} ] ,\n \"device_id\": \"{}\", \"protocol\":1 }}",
            texts.join(",\n"),
            sam.device_id
        );
        let request = Request::post("/api/sync/push")
            .header(header::AUTHORIZATION, format!("Bearer {}", sam.access()))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body))
            .unwrap();
        let (status, answer) = world.send(request).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        let results = answer["results"].as_array().unwrap();
        assert_eq!(results.len(), batch.len());
        assert!(results.iter().all(|r| outcome(r) == "accepted"), "{answer}");
    }
    let store = world.state.store();
    for (n, sent) in visits.iter().enumerate() {
        let stored = store.visit(sent.id, sent.revision).await.unwrap().map(|s| s.visit);
        assert_eq!(stored.as_ref(), Some(sent), "visit {n} as stored");
    }
    let (events, _) = world.pull_all(&tara, Some(&cursor)).await;
    let pulled: Vec<Visit> = events_of(&events, "visit")
        .into_iter()
        .map(|e| serde_json::from_value(e["visit"].clone()).unwrap())
        .collect();
    assert_eq!(pulled.len(), MAX_PUSH_BATCH, "every revision reaches the manager");
    for sent in &visits {
        assert!(pulled.contains(sent), "{} as pulled", sent.id);
    }
    // The same push again is a duplicate of each: the stored record is the visit sent.
    let outcomes = world.push_outcomes(&sam, &visits[..3]).await;
    assert!(outcomes.iter().all(|r| outcome(r) == "duplicate"), "{outcomes:?}");
}

#[tokio::test]
async fn a_full_push_with_a_bad_field_names_it_as_a_small_push_does() {
    let world = World::new().await;
    let sam = world.login("sam.social").await;
    let ellie = world.child("DEMO-0001").await;
    let held_before = world.state.store().visits_of_child(ellie.id).await.unwrap().len();
    let visits = || -> Vec<Value> {
        (0..MAX_PUSH_BATCH).map(|_| serde_json::to_value(visit(ellie.id, sam.worker_id())).unwrap()).collect()
    };
    let push = |visits: Vec<Value>, extra: Option<(&str, Value)>| {
        let mut body = json!({"protocol": 1, "device_id": sam.device_id, "visits": visits});
        if let Some((field, value)) = extra {
            body[field] = value;
        }
        body
    };

    // A wrong value in the second half of the push.
    let mut wrong = visits();
    wrong[420]["revision"] = json!("one");
    let (status, body) = world.post("/api/sync/push", sam.access(), push(wrong, None)).await;
    assert_eq!(
        (status, body["fields"][0]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("visits[420].revision"))
    );

    // A field the protocol does not have, in the first half.
    let mut unknown = visits();
    unknown[30]["favourite_colour"] = json!("blue");
    let (status, body) = world.post("/api/sync/push", sam.access(), push(unknown, None)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["message"].as_str().unwrap().contains("favourite_colour"), "{body}");

    // A field the push does not have, beside many good visits.
    let (status, body) =
        world.post("/api/sync/push", sam.access(), push(visits(), Some(("sent_by", json!("me"))))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["message"].as_str().unwrap().contains("sent_by"), "{body}");

    // None of it was stored.
    assert_eq!(world.state.store().visits_of_child(ellie.id).await.unwrap().len(), held_before);
}

/// A child moved from Tara's team to another is removed from her phone as reallocated, even if
/// escalations about them were sent to her: "cover ended" is for a duty worker's cover and a
/// deputy's escalations, not for a team's own manager.
#[tokio::test]
async fn a_child_moved_to_another_team_leaves_its_old_managers_phone_as_reallocated() {
    let world = World::new().await;
    let tara = world.login("tara.manager").await;
    sync_server::sweeper::sweep_store(&world.state, None, world.state.now()).await.unwrap();
    let (_, cursor) = world.pull_all(&tara, None).await;
    let team2 = world.child("DEMO-0201").await.plan.unwrap().team;
    let store = world.state.store();
    let mut moved = None;
    for id in store.children_of_team(sync_server::demo::demo_team_id(1)).await.unwrap() {
        let sent_to_tara =
            store.escalations_for_child(id).await.unwrap().iter().any(|e| e.to == Some(tara.worker_id()));
        if sent_to_tara {
            moved = store.child(id).await.unwrap();
            break;
        }
    }
    let mut child = moved.expect("a team 1 child with an escalation sent to Tara");
    let plan = child.plan.as_mut().unwrap();
    plan.team = team2;
    plan.key_worker = world.worker_id("tom.north").await;
    store.upsert_children(std::slice::from_ref(&child)).await.unwrap();
    let (events, _) = world.pull_all(&tara, Some(&cursor)).await;
    let removed: Vec<&Value> = events.iter().filter(|e| e["type"] == "removed_from_scope").collect();
    assert_eq!(removed.len(), 1, "{events:?}");
    assert_eq!(removed[0]["child_id"], json!(child.id));
    assert_eq!(removed[0]["reason"], "reallocated", "{:#}", removed[0]);
}

/// Paging never sends a child twice while children enter scope: one import gives Sam two of
/// Priya's children, and Sam's phones pull, one all at once and the others a page at a time.
/// Before, a child sent whole on a page whose limit was met was sent again on the next page,
/// with the import's entry about it.
#[tokio::test]
async fn paging_while_children_enter_scope_sends_each_child_once() {
    let world = World::new().await;
    let mut phones = Vec::new();
    for _ in 0..4 {
        let sam = world.login("sam.social").await;
        let (_, cursor) = world.pull_all(&sam, None).await;
        phones.push((sam, cursor));
    }
    let sam = world.worker_id("sam.social").await;
    let mut poppy = world.child("DEMO-0101").await;
    let mut alfie = world.child("DEMO-0102").await;
    poppy.plan.as_mut().unwrap().key_worker = sam;
    alfie.plan.as_mut().unwrap().key_worker = sam;
    world.state.store().upsert_children(&[poppy.clone(), alfie.clone()]).await.unwrap();
    let count = |events: &[Value], id: ChildId| {
        events.iter().filter(|e| e["type"] == "child" && e["child"]["id"] == json!(id)).count()
    };
    let (phone, cursor) = &phones[0];
    let (whole, _) = world.pull_all(phone, Some(cursor)).await;
    assert_eq!((count(&whole, poppy.id), count(&whole, alfie.id)), (1, 1), "unpaged");
    for ((phone, cursor), limit) in phones[1..].iter().zip([1, 2, 3]) {
        let mut paged = Vec::new();
        let mut at = cursor.clone();
        loop {
            let (status, page) =
                world.get(&format!("/api/sync/pull?limit={limit}&cursor={at}"), phone.access()).await;
            assert_eq!(status, StatusCode::OK, "{page}");
            paged.extend(page["events"].as_array().unwrap().iter().cloned());
            at = page["cursor"].as_str().unwrap().to_owned();
            if page["more"] != true {
                break;
            }
        }
        assert_eq!((count(&paged, poppy.id), count(&paged, alfie.id)), (1, 1), "pages of {limit}");
        assert_eq!(paged.len(), whole.len(), "pages of {limit}: the same events as unpaged");
    }
}
