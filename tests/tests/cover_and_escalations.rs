//! The duty-cover story and the escalation story, end to end: managers act through the API,
//! workers' phones see the results through the app's own sync engine.

use chrono::{Days, Utc};
use integration_tests::{FieldApp, TestServer};
use mobile::store::OutboxState;
use serde_json::json;
use shared::{ChildId, Escalation, EscalationReason, WorkerCapacity};

async fn demo_server() -> (tempfile::TempDir, TestServer) {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path(), "127.0.0.1:0".parse().unwrap()).await.unwrap();
    (dir, server)
}

#[tokio::test]
async fn sickness_cover_hands_the_child_to_the_duty_worker_and_takes_them_back() {
    let (_dir, server) = demo_server().await;
    let sam = FieldApp::sign_in(&server, "sam.social").await.unwrap();
    let dana = FieldApp::sign_in(&server, "dana.duty").await.unwrap();
    let manager = server.sign_in_as("tara.manager").await.unwrap();
    let today = Utc::now().date_naive();

    // Sam goes off sick; the manager records it and is told whose visits fall due.
    let sam_id = sam.worker().unwrap().id;
    let (status, recorded) = server
        .post_json(
            &manager.access_token,
            "/api/absences",
            &json!({ "worker_id": sam_id, "kind": "sickness", "starts_on": today,
                     "expected_end": today + Days::new(14) }),
        )
        .await
        .unwrap();
    assert_eq!(status, 201, "{recorded}");
    let due = recorded["children_due"].as_array().unwrap();
    assert!(!due.is_empty(), "Sam's overdue and due-soon children need cover: {recorded}");
    let child_id: ChildId = serde_json::from_value(due[0]["child_id"].clone()).unwrap();

    // The manager assigns the most urgent child to Dana.
    let dana_id = dana.worker().unwrap().id;
    let (status, cover) = server
        .post_json(
            &manager.access_token,
            "/api/covers",
            &json!({ "child_id": child_id, "duty_worker": dana_id, "starts_on": today,
                     "ends_on": today + Days::new(14) }),
        )
        .await
        .unwrap();
    assert_eq!(status, 201, "{cover}");

    // Dana's phone receives the child, marked as cover, with the handover to read first.
    dana.engine.sync_once().await.unwrap();
    let entry = dana
        .store
        .caseload(today)
        .unwrap()
        .into_iter()
        .find(|e| e.child.id == child_id)
        .expect("the covered child is on the duty worker's phone");
    assert_eq!(entry.cover.as_ref().map(|c| c.ends_on), Some(today + Days::new(14)));
    let handover =
        dana.store.handover(child_id).unwrap().expect("the handover is on the phone before the visit");
    assert_eq!(handover.child.id, child_id);
    assert!(!handover.recent_visits.is_empty(), "the duty worker sees the last visits, not a blank page");

    // Dana visits on cover; the server accepts it as cover, not as a stranger's visit.
    let mut visit = dana.visit_to(&entry.child, "Is Sam coming back?").unwrap();
    visit.capacity = WorkerCapacity::DutyCover;
    dana.submit(&visit).unwrap();
    let report = dana.engine.sync_once().await.unwrap();
    assert_eq!(report.stored, 1);
    let sent = dana.store.outbox().unwrap().into_iter().find(|e| e.visit.id == visit.id).unwrap();
    assert!(
        matches!(&sent.state, OutboxState::Sent { needs_review: None, .. }),
        "a visit on cover is not held for review: {:?}",
        sent.state
    );

    // Cover ends: Dana's next sync removes the child and everything about them.
    let cover_id = cover["id"].as_str().unwrap();
    let (status, _) = server
        .post_json(&manager.access_token, &format!("/api/covers/{cover_id}/end"), &json!({}))
        .await
        .unwrap();
    assert_eq!(status, 200);
    dana.engine.sync_once().await.unwrap();
    assert!(dana.store.child(child_id).unwrap().is_none(), "the child left the duty worker's phone");
    assert!(dana.store.visits_for(child_id).unwrap().is_empty());

    // And the server refuses Dana any further read of the child, as if it did not exist.
    let (status, _) = server
        .get_json(&dana.store.session().unwrap().unwrap().access_token, &format!("/api/children/{child_id}"))
        .await
        .unwrap();
    assert_eq!(status, 404);
}

#[tokio::test]
async fn an_overdue_child_reaches_the_manager_and_is_acknowledged_with_an_action() {
    let (_dir, server) = demo_server().await;
    let tara = FieldApp::sign_in(&server, "tara.manager").await.unwrap();

    // The manager's phone receives the overdue escalation through pull.
    let escalations = tara.store.escalations().unwrap();
    let overdue: Vec<&Escalation> =
        escalations.iter().filter(|e| matches!(e.reason, EscalationReason::Overdue { .. })).collect();
    assert!(
        !overdue.is_empty(),
        "the demo's overdue child is escalated to the team manager: {escalations:?}"
    );
    let escalation = overdue[0];
    assert!(escalation.is_open());

    // Acknowledged with a visit arranged for tomorrow.
    let session = tara.store.session().unwrap().unwrap();
    let client = mobile::sync::client::SyncClient::new(&server.url()).unwrap();
    let tomorrow = Utc::now().date_naive() + Days::new(1);
    let acknowledged = client
        .acknowledge(
            &session.access_token,
            escalation.id,
            &shared::EscalationAction::VisitArranged { date: tomorrow },
        )
        .await
        .unwrap();
    assert!(!acknowledged.is_open());

    // It is no longer waiting in the manager's inbox after the next sync.
    tara.engine.sync_once().await.unwrap();
    let still_open = tara
        .store
        .escalations()
        .unwrap()
        .into_iter()
        .filter(|e| e.id == escalation.id && e.is_open())
        .count();
    assert_eq!(still_open, 0);
}

/// The manager's desk asks again, after every sync, for the Annex A list it holds: with the
/// app's own client, an unchanged list is not sent again (304) and not recorded as exported
/// again; once a worker's visit changes it, the new list comes whole, and is recorded.
#[tokio::test]
async fn a_report_held_on_the_desk_is_sent_and_recorded_again_only_when_it_changed() {
    use mobile::sync::FileAnswer;

    let (_dir, server) = demo_server().await;
    let tara = server.sign_in_as("tara.manager").await.unwrap();
    let client = mobile::sync::client::SyncClient::new(&server.url()).unwrap();
    let path = "api/reports/annex-a-list-7.csv";
    let exports = || async {
        let (status, audit) = server.get_json(&tara.access_token, "/api/audit").await.unwrap();
        assert_eq!(status, 200, "{audit}");
        audit.as_array().unwrap().iter().filter(|e| e["what"] == "Annex A List 7 exported").count()
    };

    let FileAnswer::File { bytes: first, tag: Some(tag), .. } =
        client.get_file(path, &tara.access_token, None).await.unwrap()
    else {
        panic!("the list comes whole, tagged, the first time");
    };
    assert_eq!(exports().await, 1);
    for _ in 0..3 {
        let answer = client.get_file(path, &tara.access_token, Some(&tag)).await.unwrap();
        assert_eq!(answer, FileAnswer::Unchanged, "the list held is still the list");
    }
    assert_eq!(exports().await, 1, "a list the manager already held was not exported again");

    // Sam sees one of their children today, and their phone syncs: the list changes.
    let sam = FieldApp::sign_in(&server, "sam.social").await.unwrap();
    let today = Utc::now().date_naive();
    let child = sam.store.caseload(today).unwrap().into_iter().next().expect("Sam has children").child;
    sam.submit(&sam.visit_to(&child, "I like the new dog.").unwrap()).unwrap();
    assert_eq!(sam.engine.sync_once().await.unwrap().stored, 1);

    let FileAnswer::File { bytes: changed, tag: Some(new_tag), .. } =
        client.get_file(path, &tara.access_token, Some(&tag)).await.unwrap()
    else {
        panic!("the changed list comes whole");
    };
    assert_ne!(changed, first);
    assert_ne!(new_tag, tag);
    let row = String::from_utf8(changed).unwrap();
    assert!(row.lines().any(|line| line.starts_with(&format!("{},", child.central_id))));
    assert_eq!(exports().await, 2, "the changed list was sent, and recorded");
}

/// A duty worker's phone keeps the handover of each child they cover, and asks for it again
/// after every sync, even with the app closed. It names the copy kept: while that is current
/// nothing is sent, and the audit log does not say the duty worker viewed a handover a minute,
/// nor each time the phone starts again. Once the key worker's visit changes it, the new
/// handover comes, is kept, and its view recorded.
#[tokio::test]
async fn a_covered_childs_handover_is_kept_fresh_without_a_view_recorded_every_sync() {
    let (_dir, server) = demo_server().await;
    let sam = FieldApp::sign_in(&server, "sam.social").await.unwrap();
    let dana = FieldApp::sign_in(&server, "dana.duty").await.unwrap();
    let manager = server.sign_in_as("tara.manager").await.unwrap();
    let today = Utc::now().date_naive();
    let child = sam.store.caseload(today).unwrap().into_iter().next().expect("Sam has children").child;
    let (status, cover) = server
        .post_json(
            &manager.access_token,
            "/api/covers",
            &json!({ "child_id": child.id, "duty_worker": dana.worker().unwrap().id, "starts_on": today,
                     "ends_on": today + Days::new(7) }),
        )
        .await
        .unwrap();
    assert_eq!(status, 201, "{cover}");
    let dana_id = dana.worker().unwrap().id;
    let handover_views = || async {
        let (status, audit) = server
            .get_json(&manager.access_token, &format!("/api/audit?child_id={}", child.id))
            .await
            .unwrap();
        assert_eq!(status, 200, "{audit}");
        audit
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["what"] == "handover" && e["worker_id"] == json!(dana_id))
            .count()
    };

    let first = dana.engine.sync_once().await.unwrap();
    assert_eq!(first.handovers, 1, "the handover is kept for the door");
    for _ in 0..3 {
        let again = dana.engine.sync_once().await.unwrap();
        assert_eq!(again.handovers, 0, "the copy kept is still the server's: nothing sent");
    }
    assert!(dana.store.handover(child.id).unwrap().is_some(), "still kept");
    assert_eq!(handover_views().await, 1, "one view recorded, for the one handover sent");

    // The phone is switched off and on: the tag was kept with the copy, so a handover nobody
    // opened is not fetched again, nor recorded as viewed, for every restart of the app.
    let dana = dana.restart().unwrap();
    assert_eq!(dana.engine.sync_once().await.unwrap().handovers, 0, "the kept copy is still current");
    assert_eq!(handover_views().await, 1, "no view recorded for the restart");

    // Sam visits before going off: the handover changes, and comes again.
    sam.submit(&sam.visit_to(&child, "My tooth fell out.").unwrap()).unwrap();
    assert_eq!(sam.engine.sync_once().await.unwrap().stored, 1);
    assert_eq!(dana.engine.sync_once().await.unwrap().handovers, 1);
    let kept = dana.store.handover(child.id).unwrap().expect("kept");
    assert!(
        kept.recent_words.iter().any(|w| w.text == "My tooth fell out."),
        "the new handover has Sam's visit: {:?}",
        kept.recent_words
    );
    assert_eq!(handover_views().await, 2);
}
