//! The oversight endpoints end to end, in-process: the cover story (absence, cover, handover,
//! cover ends, child removed), escalations raised by the sweep and acknowledged, chronology in
//! three formats, the compliance report, Annex A, the audit log, and scope on each.

mod common;

use std::collections::BTreeSet;

use axum::http::{Method, StatusCode, header};
use chrono::{Days, Utc};
use common::*;
use serde_json::{Value, json};

fn events_of<'a>(events: &'a [Value], kind: &str) -> Vec<&'a Value> {
    events.iter().filter(|e| e["type"] == kind).collect()
}

#[tokio::test]
async fn the_cover_story_absence_cover_handover_and_removal() {
    let world = World::new().await;
    let tara = world.login("tara.manager").await;
    let dana = world.login("dana.duty").await;
    let today = world.today();
    let sam_id = world.worker_id("sam.social").await;

    // Sam is off sick for a week: the server lists the children whose visits fall due.
    let (status, recorded) = world
        .post(
            "/api/absences",
            tara.access(),
            json!({"worker_id": sam_id, "kind": "sickness", "starts_on": today,
                   "expected_end": today.checked_add_days(Days::new(7)).unwrap()}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{recorded}");
    let due: Vec<&str> = recorded["children_due"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["child_id"].as_str().unwrap())
        .collect();
    let overdue_child = world.child("DEMO-0001").await;
    let due_today = world.child("DEMO-0002").await;
    assert!(due.contains(&overdue_child.id.to_string().as_str()), "the overdue child is listed: {recorded}");
    assert!(due.contains(&due_today.id.to_string().as_str()));
    assert_eq!(recorded["children_due"][0]["state"]["state"], "overdue", "most urgent first");

    // The duty worker holds nothing of Sam's yet.
    let (before, cursor) = world.pull_all(&dana, None).await;
    assert!(events_of(&before, "child").iter().all(|e| e["child"]["id"] != json!(due_today.id)));

    // The manager assigns cover; the duty worker's next pull brings the child and the cover.
    let (status, cover) = world
        .post(
            "/api/covers",
            tara.access(),
            json!({"child_id": due_today.id, "duty_worker": dana.worker_id(), "starts_on": today,
                   "ends_on": today.checked_add_days(Days::new(5)).unwrap()}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{cover}");
    assert_eq!(cover["covering_for"], json!(sam_id));
    let (during, cursor) = world.pull_all(&dana, Some(&cursor)).await;
    assert!(
        events_of(&during, "child").iter().any(|e| e["child"]["id"] == json!(due_today.id)),
        "{during:?}"
    );
    assert!(events_of(&during, "cover").iter().any(|e| e["cover"]["id"] == cover["id"]));

    // The handover: plan, harms and actions, communication needs, visits, words, escalations.
    let (status, handover) =
        world.get(&format!("/api/children/{}/handover", due_today.id), dana.access()).await;
    assert_eq!(status, StatusCode::OK, "{handover}");
    assert_eq!(handover["child"]["id"], json!(due_today.id));
    assert!(!handover["child"]["plan"]["actions"].as_array().unwrap().is_empty());
    assert!(handover["child"]["plan"]["harms"].as_array().is_some_and(|h| !h.is_empty()));
    assert!(handover["child"].get("communication").is_some());
    assert!(handover["recent_visits"].as_array().is_some());
    assert!(handover["recent_words"].as_array().is_some());
    assert!(handover["open_escalations"].as_array().is_some());
    assert_eq!(handover["cover"]["id"], cover["id"]);
    // Not for a child the duty worker does not cover.
    let (status, _) = world.get(&format!("/api/children/{}/handover", overdue_child.id), dana.access()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Cover ends: the next pull removes the child, and access ends.
    let cover_id = cover["id"].as_str().unwrap();
    let (status, ended) = world.post(&format!("/api/covers/{cover_id}/end"), tara.access(), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{ended}");
    let (after, _) = world.pull_all(&dana, Some(&cursor)).await;
    let removed = events_of(&after, "removed_from_scope");
    assert!(
        removed.iter().any(|e| e["child_id"] == json!(due_today.id) && e["reason"] == "cover_ended"),
        "{after:?}"
    );
    let (status, _) = world.get(&format!("/api/children/{}/handover", due_today.id), dana.access()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = world.get(&format!("/api/children/{}", due_today.id), dana.access()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn only_managers_assign_cover_and_a_worker_records_only_their_own_absence() {
    let world = World::new().await;
    let sam = world.login("sam.social").await;
    let dana = world.login("dana.duty").await;
    let tom = world.login("tom.north").await;
    let today = world.today();
    let child = world.child("DEMO-0002").await;
    let (status, _) = world
        .post(
            "/api/covers",
            sam.access(),
            json!({"child_id": child.id, "duty_worker": dana.worker_id(), "starts_on": today, "ends_on": today}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = world
        .post(
            "/api/absences",
            tom.access(),
            json!({"worker_id": sam.worker_id(), "kind": "leave", "starts_on": today}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, own) =
        world.post("/api/absences", sam.access(), json!({"kind": "leave", "starts_on": today})).await;
    assert_eq!(status, StatusCode::CREATED, "{own}");
    let (status, bad) = world
        .post(
            "/api/absences",
            sam.access(),
            json!({"kind": "leave", "starts_on": today, "expected_end": today.pred_opt().unwrap()}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad["fields"][0]["field"], "expected_end");
    // A cover for someone who is not a duty worker is refused, naming the field.
    let tara = world.login("tara.manager").await;
    let (status, bad) = world
        .post(
            "/api/covers",
            tara.access(),
            json!({"child_id": child.id, "duty_worker": tom.worker_id(), "starts_on": today, "ends_on": today}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    assert_eq!(bad["fields"][0]["field"], "duty_worker");
}

#[tokio::test]
async fn the_sweep_raises_escalations_that_managers_see_pull_and_acknowledge() {
    let world = World::new().await;
    let tara = world.login("tara.manager").await;
    let sam = world.login("sam.social").await;
    let mo = world.login("mo.manager").await;
    let (_, tara_cursor) = world.pull_all(&tara, None).await;

    // A statutory visit where the child was not seen, pushed by Sam.
    let child = world.child("DEMO-0003").await;
    let missed = fixtures::not_seen(visit(child.id, sam.worker_id()), "No answer at the door");
    let results = world.push_outcomes(&sam, std::slice::from_ref(&missed)).await;
    assert_eq!(outcome(&results[0]), "accepted");
    let changed = sync_server::sweeper::sweep_store(&world.state, None, Utc::now()).await.unwrap();
    assert!(!changed.is_empty());
    // Sweeping again raises nothing new.
    assert!(sync_server::sweeper::sweep_store(&world.state, None, Utc::now()).await.unwrap().is_empty());

    let (status, open) = world.get("/api/escalations", tara.access()).await;
    assert_eq!(status, StatusCode::OK);
    let open = open.as_array().unwrap().clone();
    let demo_0001 = world.child("DEMO-0001").await.id;
    let overdue = open.iter().find(|e| e["child_id"] == json!(demo_0001)).expect("overdue child");
    assert_eq!(overdue["reason"]["reason"], "overdue");
    let not_seen = open
        .iter()
        .find(|e| e["reason"]["reason"] == "child_not_seen" && e["reason"]["visit_id"] == json!(missed.id))
        .expect("missed visit escalated");
    assert_eq!(not_seen["level"], "team_manager");

    // The manager's devices receive them through pull.
    let (events, _) = world.pull_all(&tara, Some(&tara_cursor)).await;
    assert!(events_of(&events, "escalation").iter().any(|e| e["escalation"]["id"] == not_seen["id"]));

    // Another team's manager sees none of them, and cannot act on them.
    let (_, other) = world.get("/api/escalations", mo.access()).await;
    assert!(other.as_array().unwrap().iter().all(|e| e["id"] != not_seen["id"]));
    let path = format!("/api/escalations/{}/acknowledge", not_seen["id"].as_str().unwrap());
    let tomorrow = world.today().checked_add_days(Days::new(1)).unwrap();
    let (status, _) =
        world.post(&path, mo.access(), json!({"action": "visit_arranged", "date": tomorrow})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // A social worker cannot acknowledge.
    let (status, _) =
        world.post(&path, sam.access(), json!({"action": "visit_arranged", "date": tomorrow})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // An action that does not fit is refused by field.
    let (status, bad) =
        world.post(&path, tara.access(), json!({"action": "exception_agreed", "reason": " "})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad["fields"][0]["field"], "action.reason");
    // The team manager arranges a visit.
    let (status, done) =
        world.post(&path, tara.access(), json!({"action": "visit_arranged", "date": tomorrow})).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    // It was about one visit: the answer is recorded, then closes it.
    let history = done["history"].as_array().unwrap();
    let acted = &history[history.len() - 2];
    assert_eq!(acted["step"], "acknowledged");
    assert_eq!(acted["action"]["date"], json!(tomorrow));
    assert_eq!(history.last().unwrap()["step"], "closed");
    assert_eq!(done["status"]["status"], "closed");
    let (_, open) = world.get("/api/escalations", tara.access()).await;
    assert!(open.as_array().unwrap().iter().all(|e| e["id"] != not_seen["id"]), "no longer open");
}

#[tokio::test]
async fn the_chronology_comes_as_json_csv_and_printable_html_within_scope() {
    let world = World::new().await;
    let tara = world.login("tara.manager").await;
    let tom = world.login("tom.north").await;
    let child = world.child("DEMO-0001").await;
    let path = format!("/api/children/{}/chronology", child.id);

    let (status, json) = world.get(&path, tara.access()).await;
    assert_eq!(status, StatusCode::OK);
    let entries = json["entries"].as_array().unwrap();
    assert_eq!(entries[0]["kind"], "registered");
    let dates: Vec<&str> = entries.iter().map(|e| e["date"].as_str().unwrap()).collect();
    assert!(dates.windows(2).all(|w| w[0] <= w[1]), "date order");

    let (status, csv) = world.get(&format!("{path}?format=csv"), tara.access()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(csv.as_str().unwrap().starts_with("Date,Time,Event,Details"));
    let (status, html) = world.get(&format!("{path}?format=html"), tara.access()).await;
    assert_eq!(status, StatusCode::OK);
    let html = html.as_str().unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("@page"));
    assert!(html.contains(&child.central_id));

    let (status, _) = world.get(&format!("{path}?format=docx"), tara.access()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "an unknown format is refused");
    let (status, _) = world.get(&path, tom.access()).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another team's child is not found");

    // The view was recorded, and a manager can see that it was.
    let (status, audit) = world.get(&format!("/api/audit?child_id={}", child.id), tara.access()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(audit.as_array().unwrap().iter().any(|e| e["what"] == "chronology" && e["action"] == "viewed"));
    let (status, _) = world.get("/api/audit", tom.access()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn compliance_and_annex_a_for_managers_only() {
    let world = World::new().await;
    let tara = world.login("tara.manager").await;
    let sian = world.login("sian.senior").await;
    let sam = world.login("sam.social").await;

    let (status, report) = world.get("/api/reports/compliance", tara.access()).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert!(
        report["service"]["children_overdue_now"].as_u64().unwrap() >= 1,
        "the demo has an overdue child"
    );
    assert_eq!(report["teams"].as_array().unwrap().len(), 1, "a team manager sees their team");
    let (_, whole) = world.get("/api/reports/compliance", sian.access()).await;
    assert!(whole["service"]["children"].as_u64() > report["service"]["children"].as_u64());
    let (status, _) = world.get("/api/reports/compliance", sam.access()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, bad) =
        world.get("/api/reports/compliance?from=2026-05-01&to=2026-04-01", tara.access()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(bad["fields"][0]["field"], "from");

    let (status, csv) = world.get("/api/reports/annex-a-list-7.csv", sian.access()).await;
    assert_eq!(status, StatusCode::OK);
    let csv = csv.as_str().unwrap();
    let header = csv.lines().next().unwrap();
    assert_eq!(header, sync_server::reports::ANNEX_A_LIST_7_COLUMNS.join(","));
    assert!(csv.lines().count() > 10);
    let (status, _) =
        world.call(Method::GET, "/api/reports/annex-a-list-7.csv", Some(sam.access()), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_compliance_report_downloads_as_csv_with_the_same_figures_in_the_managers_scope() {
    let world = World::new().await;
    let tara = world.login("tara.manager").await;
    let sian = world.login("sian.senior").await;
    let sam = world.login("sam.social").await;
    // Six months back from yesterday, among the demo's visits (seeded back from today).
    let (from, to) = (world.today() - chrono::Days::new(183), world.today() - chrono::Days::new(1));
    let range = format!("from={from}&to={to}");

    let (_, report) = world.get(&format!("/api/reports/compliance?{range}"), tara.access()).await;
    let (status, headers, body) =
        world.get_raw(&format!("/api/reports/compliance.csv?{range}"), tara.access()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-type"].to_str().unwrap().starts_with("text/csv"), "{headers:?}");
    assert!(
        headers["content-disposition"].to_str().unwrap().contains("compliance-report.csv"),
        "saved under a plain name: {headers:?}"
    );
    let mut reader = csv::Reader::from_reader(body.as_slice());
    let columns: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(columns, sync_server::reports::COMPLIANCE_CSV_COLUMNS);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let cell =
        |row: &csv::StringRecord, name: &str| row[columns.iter().position(|c| c == name).unwrap()].to_owned();

    // The service row carries the JSON report's figures, and every row says its range.
    let service = &rows[0];
    assert_eq!(cell(service, "Level"), "Service");
    assert_eq!(
        (cell(service, "From"), cell(service, "To")),
        (from.format("%d/%m/%Y").to_string(), to.format("%d/%m/%Y").to_string())
    );
    for (column, field) in [
        ("Children on a plan", "children"),
        ("Statutory visits due", "statutory_visits_due"),
        ("On time", "statutory_visits_on_time"),
        ("Missed", "statutory_visits_missed"),
        ("Seen alone", "visits_seen_alone"),
        ("Children overdue now", "children_overdue_now"),
    ] {
        assert_eq!(cell(service, column), report["service"][field].to_string(), "{column}");
    }
    let on_time = report["service"]["statutory_on_time_percent"].as_f64().unwrap();
    assert_eq!(cell(service, "On time %"), format!("{on_time:.1}"));

    // A team manager: one team row, and a row for each of the team's workers in the report.
    let levels: Vec<String> = rows.iter().map(|r| cell(r, "Level")).collect();
    assert_eq!(levels.iter().filter(|l| *l == "Team").count(), 1, "{levels:?}");
    let workers = report["workers"].as_array().unwrap();
    assert_eq!(levels.iter().filter(|l| *l == "Worker").count(), workers.len());
    let sam_row = rows.iter().find(|r| cell(r, "Name") == workers[0]["worker_name"].as_str().unwrap());
    assert!(sam_row.is_some_and(|r| !cell(r, "Team").is_empty()), "each worker's team is named");

    // A senior manager sees more teams; a social worker is refused; a bad range names its field.
    let (_, _, whole) = world.get_raw("/api/reports/compliance.csv", sian.access()).await;
    let teams = csv::Reader::from_reader(whole.as_slice())
        .records()
        .filter(|r| r.as_ref().is_ok_and(|r| &r[0] == "Team"))
        .count();
    assert!(teams > 1, "the senior manager's report covers the service");
    let (status, _) = world.get("/api/reports/compliance.csv", sam.access()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    for who in ["dana.duty", "adam.admin"] {
        let session = world.login(who).await;
        let (status, _) = world.get("/api/reports/compliance.csv", session.access()).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who}");
    }
    let (status, _) = world.call(Method::GET, "/api/reports/compliance.csv", None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, bad) =
        world.get("/api/reports/compliance.csv?from=2026-05-01&to=2026-04-01", tara.access()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(bad["fields"][0]["field"], "from");
}

/// The desk asks again, after every sync, for each report a manager has fetched, so that the
/// file it offers is never older than the records: one that has not changed comes back as 304
/// with no body, and the Annex A list is not recorded as exported again for it. One that has
/// changed comes whole, with a new tag.
#[tokio::test]
async fn a_report_the_manager_already_holds_is_not_sent_or_recorded_as_exported_again() {
    let world = World::new().await;
    let sian = world.login("sian.senior").await;
    let today = world.today();
    let range = format!("from={}&to={today}", today - chrono::Duration::days(30));
    let exports = || world.audited(sian.access(), None, "changed", "Annex A List 7 exported");
    let paths = [
        "/api/reports/annex-a-list-7.csv".to_owned(),
        format!("/api/reports/compliance.csv?{range}"),
        format!("/api/reports/compliance?{range}"),
    ];
    let mut tags = Vec::new();
    for path in &paths {
        let (status, headers, body) = world.get_raw(path, sian.access()).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(!body.is_empty());
        let tag = headers[header::ETAG].to_str().unwrap().to_owned();

        let (status, again, body) = world.get_raw_if_none_match(path, sian.access(), &tag).await;
        assert_eq!(status, StatusCode::NOT_MODIFIED, "{path}: the same report, asked for again");
        assert!(body.is_empty(), "{path}: nothing is sent");
        assert_eq!(again[header::ETAG], tag.as_str());
        assert_eq!(again[header::CACHE_CONTROL], "no-store");

        // A tag among others, or with its weakness dropped, still names the copy held.
        let listed = format!("W/\"0123\", {}", tag.trim_start_matches("W/"));
        let (status, _, _) = world.get_raw_if_none_match(path, sian.access(), &listed).await;
        assert_eq!(status, StatusCode::NOT_MODIFIED, "{path}: {listed}");
        // Another tag is another copy: the report comes whole.
        let (status, _, whole) = world.get_raw_if_none_match(path, sian.access(), "W/\"0123\"").await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(!whole.is_empty());
        tags.push(tag);
    }
    assert_eq!(exports().await, 2, "Annex A was sent twice, and not recorded for the copy already held");

    // Another worker's visit today changes the compliance figures: the manager's copy is out
    // of date, and the report comes whole, with a new tag.
    let sam = world.login("sam.social").await;
    let child = world.child("DEMO-0002").await;
    let outcomes = world.push_outcomes(&sam, &[visit_today(&world, child.id, sam.worker_id())]).await;
    assert_eq!(outcome(&outcomes[0]), "accepted");
    for (path, tag) in paths.iter().zip(&tags).skip(1) {
        let (status, headers, body) = world.get_raw_if_none_match(path, sian.access(), tag).await;
        assert_eq!(status, StatusCode::OK, "{path}: the figures changed");
        assert!(!body.is_empty());
        assert_ne!(headers[header::ETAG], tag.as_str());
    }
}

/// A chronology open on a manager's screen is read again, as JSON, PDF and CSV, after every
/// sync. One that still says the same, though produced a moment later, is not sent again, and
/// no view is recorded for it; one that changed comes whole, and the view is recorded.
#[tokio::test]
async fn a_chronology_held_that_still_says_the_same_is_not_sent_or_recorded_as_viewed_again() {
    let world = World::new().await;
    let tara = world.login("tara.manager").await;
    let sam = world.login("sam.social").await;
    let child = world.child("DEMO-0002").await;
    let views = || world.audited(tara.access(), Some(child.id), "viewed", "chronology");
    let base = format!("/api/children/{}/chronology", child.id);
    let paths = [base.clone(), format!("{base}?format=pdf"), format!("{base}?format=csv")];
    let mut tags = Vec::new();
    for path in &paths {
        let (status, headers, _) = world.get_raw(path, tara.access()).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        let tag = headers[header::ETAG].to_str().unwrap().to_owned();
        // Produced again a moment later: the same chronology, so the copy held is still it.
        let (status, _, body) = world.get_raw_if_none_match(path, tara.access(), &tag).await;
        assert_eq!(status, StatusCode::NOT_MODIFIED, "{path}");
        assert!(body.is_empty());
        tags.push(tag);
    }
    assert_eq!(tags.iter().collect::<BTreeSet<_>>().len(), 3, "each format has its own tag: {tags:?}");
    assert_eq!(views().await, 3, "a view recorded for each file sent, none for those held");

    let outcomes = world.push_outcomes(&sam, &[visit_today(&world, child.id, sam.worker_id())]).await;
    assert_eq!(outcome(&outcomes[0]), "accepted");
    for (path, tag) in paths.iter().zip(&tags) {
        let (status, headers, body) = world.get_raw_if_none_match(path, tara.access(), tag).await;
        assert_eq!(status, StatusCode::OK, "{path}: a visit since");
        assert!(!body.is_empty());
        assert_ne!(headers[header::ETAG], tag.as_str());
    }
    assert_eq!(views().await, 6);
}

/// The child's page reads the plan's timeline again after every sync: a copy held that is
/// still current is not sent, nor recorded as viewed, again; once a meeting is recorded the
/// timeline comes whole.
#[tokio::test]
async fn a_timeline_held_that_is_still_current_is_not_sent_or_recorded_as_viewed_again() {
    let world = World::new().await;
    let sam = world.login("sam.social").await;
    let tara = world.login("tara.manager").await;
    let child = world.child("DEMO-0002").await;
    let path = format!("/api/children/{}/timeline", child.id);
    let views = || world.audited(tara.access(), Some(child.id), "viewed", "plan timeline");

    let (status, headers, first) = world.get_raw(&path, sam.access()).await;
    assert_eq!(status, StatusCode::OK);
    let tag = headers[header::ETAG].to_str().unwrap().to_owned();
    for _ in 0..3 {
        let (status, _, body) = world.get_raw_if_none_match(&path, sam.access(), &tag).await;
        assert_eq!(status, StatusCode::NOT_MODIFIED);
        assert!(body.is_empty());
    }
    assert_eq!(views().await, 1, "one view, for the one timeline sent");

    let (status, body) = world
        .post(
            &format!("/api/children/{}/meetings", child.id),
            tara.access(),
            json!({"kind": "core_group", "held_on": world.today(), "attendees": ["Social worker", "School"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, headers, changed) = world.get_raw_if_none_match(&path, sam.access(), &tag).await;
    assert_eq!(status, StatusCode::OK, "a core group held since");
    assert_ne!(changed, first);
    assert_ne!(headers[header::ETAG], tag.as_str());
    assert_eq!(views().await, 2);
}

#[tokio::test]
async fn the_openapi_document_describes_the_oversight_and_photo_endpoints() {
    let world = World::new().await;
    let (status, doc) = world.call(Method::GET, "/api/openapi.json", None, None).await;
    assert_eq!(status, StatusCode::OK);
    for path in [
        "/api/escalations",
        "/api/escalations/{id}/acknowledge",
        "/api/absences",
        "/api/covers",
        "/api/children/{id}/handover",
        "/api/children/{id}/chronology",
        "/api/reports/compliance",
        "/api/reports/compliance.csv",
        "/api/reports/annex-a-list-7.csv",
        "/api/audit",
        "/api/blobs/{sha256}",
        "/api/visits/{id}/missing-blobs",
        "/api/children/{id}/significant-events",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} missing from the OpenAPI document");
    }
    let events = &doc["paths"]["/api/children/{id}/significant-events"];
    assert!(events["get"].is_object() && events["post"].is_object(), "{events}");
    let kinds = doc["components"]["schemas"]["ChronologyKind"].to_string();
    assert!(kinds.contains("significant_event"), "{kinds}");
    let types = doc["paths"]["/api/blobs/{sha256}"]["put"]["requestBody"]["content"].as_object().unwrap();
    let mut types: Vec<&String> = types.keys().collect();
    types.sort();
    assert_eq!(types, ["image/jpeg", "image/png", "image/webp"]);
}

#[tokio::test]
async fn a_pushed_missed_visit_is_escalated_by_the_running_sweeper_and_sent_to_the_webhook() {
    use std::sync::{Arc, Mutex};

    // A relay that keeps what it receives, if the signature is good.
    const RELAY_SECRET: &str = "a relay secret that is long enough to use";
    let received: Arc<Mutex<Vec<Value>>> = Arc::default();
    let keep = received.clone();
    let relay = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
            let keep = keep.clone();
            async move {
                let signature =
                    headers.get("x-seen-heard-signature").and_then(|v| v.to_str().ok()).unwrap_or("");
                let now = Utc::now().timestamp();
                if !sync_server::webhook::verify(
                    RELAY_SECRET.as_bytes(),
                    signature,
                    &body,
                    now,
                    std::time::Duration::from_secs(60),
                ) {
                    return StatusCode::UNAUTHORIZED;
                }
                keep.lock().unwrap().push(serde_json::from_slice(&body).unwrap());
                StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, relay).await.unwrap() });

    let mut config = sync_server::Config::default();
    config.oversight.poll_every = std::time::Duration::from_millis(50);
    config.oversight.sweep_every = std::time::Duration::from_secs(3600);
    config.oversight.webhook = Some(sync_server::webhook::WebhookConfig::new(
        format!("http://{address}/hook"),
        RELAY_SECRET.as_bytes().to_vec(),
    ));
    let world = World::with_config(config).await;
    let sweeper = sync_server::sweeper::spawn_sweeper(world.state.clone());
    let sam = world.login("sam.social").await;
    let tara = world.login("tara.manager").await;

    let child = world.child("DEMO-0004").await;
    let missed = fixtures::not_seen(visit(child.id, sam.worker_id()), "Family away");
    assert_eq!(outcome(&world.push_outcomes(&sam, std::slice::from_ref(&missed)).await[0]), "accepted");

    // Wait (bounded) for the sweeper to notice the push and for the relay to hear of it.
    let mut found = None;
    for _ in 0..200 {
        let (_, open) = world.get("/api/escalations", tara.access()).await;
        found =
            open.as_array().unwrap().iter().find(|e| e["reason"]["visit_id"] == json!(missed.id)).cloned();
        let relayed = received.lock().unwrap().iter().any(|n| n["reason"]["visit_id"] == json!(missed.id));
        if found.is_some() && relayed {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    sweeper.abort();
    let found = found.expect("the sweeper raised the escalation after the push");
    assert_eq!(found["reason"]["reason"], "child_not_seen");
    let notices = received.lock().unwrap().clone();
    let notice = notices.iter().find(|n| n["reason"]["visit_id"] == json!(missed.id)).expect("relayed");
    assert_eq!(notice["escalation_id"], found["id"]);
    assert!(!notice.to_string().contains(&child.given_name), "no names reach the relay");
}

// ---- The plan's timeline (issue 11). ----

/// DEMO-0003 with its plan and ICPC `days_ago` days ago and no core group or review held.
async fn child_with_icpc(world: &World, days_ago: u64) -> shared::Child {
    let mut child = world.child("DEMO-0003").await;
    let start = world.today().checked_sub_days(Days::new(days_ago)).unwrap();
    let plan = child.plan.as_mut().unwrap();
    plan.registered_on = start;
    plan.latest_review_conference = None;
    plan.details.initial_conference_on = Some(start);
    plan.details.latest_core_group = None;
    world.state.store().upsert_children(std::slice::from_ref(&child)).await.unwrap();
    child
}

#[tokio::test]
async fn a_plan_without_its_icpc_date_is_tracked_from_its_start_on_the_page_the_desk_and_the_inbox() {
    let world = World::new().await;
    let sam = world.login("sam.social").await;
    let tara = world.login("tara.manager").await;
    let mut child = child_with_icpc(&world, 40).await;
    let start = child.plan.as_ref().unwrap().registered_on;
    child.plan.as_mut().unwrap().details.initial_conference_on = None;
    world.state.store().upsert_children(std::slice::from_ref(&child)).await.unwrap();
    sync_server::sweeper::sweep_store(&world.state, None, world.state.now()).await.unwrap();

    let (status, timeline) = world.get(&format!("/api/children/{}/timeline", child.id), sam.access()).await;
    assert_eq!(status, StatusCode::OK, "{timeline}");
    assert_eq!(timeline["initial_conference_on"], Value::Null, "{timeline}");
    assert_eq!(timeline["counted_from"], json!(start), "{timeline}");
    assert_eq!(timeline["core_group"]["overdue"], true, "a core group never held is overdue: {timeline}");

    let (_, due) = world.get("/api/plans/due", tara.access()).await;
    let row = due.as_array().unwrap().iter().find(|r| r["child_id"] == json!(child.id)).expect("on the desk");
    assert_eq!(row["core_group"]["overdue"], true, "{row}");
    assert_eq!(row["anything_overdue"], true, "{row}");

    let (_, escalations) = world.get("/api/escalations", tara.access()).await;
    assert!(
        escalations.as_array().unwrap().iter().any(|e| e["child_id"] == json!(child.id)
            && e["reason"]["reason"] == "plan_meeting_overdue"
            && e["reason"]["meeting"] == "core_group"),
        "the team manager is told: {escalations}"
    );
}

#[tokio::test]
async fn a_missed_core_group_shows_on_the_childs_page_escalates_and_a_recorded_one_moves_it_on() {
    let world = World::new().await;
    let sam = world.login("sam.social").await;
    let tara = world.login("tara.manager").await;
    let child = child_with_icpc(&world, 40).await;
    sync_server::sweeper::sweep_store(&world.state, None, world.state.now()).await.unwrap();

    let timeline_path = format!("/api/children/{}/timeline", child.id);
    let (status, timeline) = world.get(&timeline_path, sam.access()).await;
    assert_eq!(status, StatusCode::OK, "{timeline}");
    assert_eq!(timeline["core_group"]["overdue"], true, "{timeline}");
    let (_, escalations) = world.get("/api/escalations", tara.access()).await;
    let about_core_group = |list: &Value| {
        list.as_array().unwrap().iter().any(|e| {
            e["child_id"] == json!(child.id)
                && e["reason"]["reason"] == "plan_meeting_overdue"
                && e["reason"]["meeting"] == "core_group"
        })
    };
    assert!(about_core_group(&escalations), "{escalations}");

    // The key worker records today's core group, with an action for the school.
    let today = world.today();
    let due = today.checked_add_days(Days::new(7)).unwrap();
    let (status, meeting) = world
        .post(
            &format!("/api/children/{}/meetings", child.id),
            sam.access(),
            json!({"kind": "core_group", "held_on": today, "attendees": ["School", "Health visitor"],
                   "decisions": ["Plan continues"],
                   "actions": [{"description": "Report attendance weekly", "owner": "School", "due_on": due}]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{meeting}");
    let (_, timeline) = world.get(&timeline_path, sam.access()).await;
    assert_eq!(timeline["core_group"]["overdue"], false, "{timeline}");
    assert_eq!(timeline["core_group"]["latest"], json!(today));
    assert_eq!(timeline["open_actions"][0]["action"]["owner"], "School");
    // Held late: the escalation waits for a manager to confirm it can close.
    let held = world.state.store().escalations_for_child(child.id).await.unwrap();
    let e = held.iter().find(|e| e.reason.dedup_key().starts_with("core_group_overdue")).unwrap();
    assert!(e.awaiting_confirmation(), "{e:?}");

    // The action is tracked until done, and marked done once.
    let action_id = meeting["actions"][0]["id"].as_str().unwrap().to_owned();
    let done_path = format!("/api/children/{}/actions/{action_id}/done", child.id);
    let (status, done) = world.post(&done_path, sam.access(), json!({"note": "Weekly reports set up"})).await;
    assert_eq!(status, StatusCode::CREATED, "{done}");
    let (status, again) = world.post(&done_path, sam.access(), json!({})).await;
    assert_eq!(
        (status, again["fields"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("action_id"))
    );
    let (_, timeline) = world.get(&timeline_path, sam.access()).await;
    assert_eq!(timeline["open_actions"].as_array().unwrap().len(), 0);
    assert_eq!(timeline["done_actions"][0]["done"]["by_name"], done["by_name"]);
}

#[tokio::test]
async fn an_agreed_action_past_its_due_date_escalates_and_marking_it_done_asks_the_manager_to_confirm() {
    let world = World::new().await;
    let sam = world.login("sam.social").await;
    let tara = world.login("tara.manager").await;
    let mo = world.login("mo.manager").await;
    // Amelia's last core group (demo) agreed a referral, due five days ago and not done.
    let child = world.child("DEMO-0005").await;
    sync_server::sweeper::sweep_store(&world.state, None, world.state.now()).await.unwrap();
    let (_, timeline) = world.get(&format!("/api/children/{}/timeline", child.id), sam.access()).await;
    let overdue: Vec<&Value> =
        timeline["open_actions"].as_array().unwrap().iter().filter(|a| a["overdue"] == true).collect();
    assert_eq!(overdue.len(), 1, "{timeline}");
    let action_id = overdue[0]["action"]["id"].clone();

    let about_action = |list: &Value| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|e| e["reason"]["reason"] == "action_overdue" && e["reason"]["action_id"] == action_id)
            .cloned()
    };
    let (_, escalations) = world.get("/api/escalations", tara.access()).await;
    let raised = about_action(&escalations).expect("the team manager is told");
    assert_eq!(
        (raised["child_id"].clone(), raised["level"].as_str()),
        (json!(child.id), Some("team_manager"))
    );
    assert_eq!(raised["reason"]["due"], overdue[0]["action"]["due_on"], "the date on the child's page");
    let words = raised["history"][0]["text"].as_str().unwrap();
    assert!(
        words.contains("\"Refer the mother to the parenting programme\", owned by Social worker."),
        "{words}"
    );
    let (_, others) = world.get("/api/escalations", mo.access()).await;
    assert!(about_action(&others).is_none(), "another team's manager does not see it");

    // An arranged visit does not answer it, by field.
    let ack_path = format!("/api/escalations/{}/acknowledge", raised["id"].as_str().unwrap());
    let (status, refused) = world
        .post(&ack_path, tara.access(), json!({"action": "visit_arranged", "date": world.today()}))
        .await;
    assert_eq!(
        (status, refused["fields"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("action"))
    );

    // The worker marks it done today, late: the manager confirms before it closes.
    let done_path = format!("/api/children/{}/actions/{}/done", child.id, action_id.as_str().unwrap());
    let (status, done) = world.post(&done_path, sam.access(), json!({"note": "Referral made"})).await;
    assert_eq!(status, StatusCode::CREATED, "{done}");
    let (_, escalations) = world.get("/api/escalations", tara.access()).await;
    let asking = about_action(&escalations).expect("still open");
    assert_eq!(
        asking["history"].as_array().unwrap().last().unwrap()["step"],
        "confirmation_asked",
        "{asking}"
    );
    let (status, closed) = world
        .post(
            &ack_path,
            tara.access(),
            json!({"action": "close_confirmed", "explanation": "Referral made late"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{closed}");
    let (_, escalations) = world.get("/api/escalations", tara.access()).await;
    assert!(
        about_action(&escalations).is_none_or(|e| e["status"]["status"] != "open"),
        "answered: {escalations}"
    );
}

#[tokio::test]
async fn a_duty_worker_covering_the_child_is_not_shown_escalations_about_supervision() {
    let world = World::new().await;
    let tara = world.login("tara.manager").await;
    let dana = world.login("dana.duty").await;
    // Amelia (demo): supervision overdue, and an overdue referral agreed at her core group. Add
    // a supervision five weeks ago whose action is overdue too: it stays overdue for supervision.
    let child = world.child("DEMO-0005").await;
    let today = world.today();
    let held_on = today.checked_sub_days(Days::new(34)).unwrap();
    let (status, recorded) = world
        .post(
            &format!("/api/children/{}/supervision", child.id),
            tara.access(),
            json!({"held_on": held_on, "reflection": "Risk unchanged.",
                   "actions": [{"description": "Discuss the mother's mental health with the GP", "owner": "Sam",
                                "due_on": today.checked_sub_days(Days::new(3)).unwrap()}]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{recorded}");
    world.cover(child.id, "dana.duty", -1, 5).await;
    sync_server::sweeper::sweep_store(&world.state, None, world.state.now()).await.unwrap();

    let about = |list: &[Value]| -> Vec<String> {
        list.iter()
            .filter(|e| e["child_id"] == json!(child.id))
            .map(|e| {
                let reason = &e["reason"];
                match reason["in_supervision"].as_bool() {
                    Some(true) => "action agreed in supervision".to_owned(),
                    _ => reason["reason"].as_str().unwrap().to_owned(),
                }
            })
            .collect()
    };
    let (_, managers) = world.get("/api/escalations", tara.access()).await;
    let seen = about(managers.as_array().unwrap());
    for reason in ["supervision_overdue", "action agreed in supervision", "action_overdue"] {
        assert!(seen.iter().any(|r| r == reason), "the manager is told of {reason}: {seen:?}");
    }

    // The duty worker: the referral agreed at the core group, nothing about supervision.
    let (status, duty) = world.get("/api/escalations", dana.access()).await;
    assert_eq!(status, StatusCode::OK, "{duty}");
    let seen = about(duty.as_array().unwrap());
    assert!(seen.iter().any(|r| r == "action_overdue"), "{seen:?}");
    assert!(!seen.iter().any(|r| r.contains("supervision")), "{seen:?}");

    let (status, handover) = world.get(&format!("/api/children/{}/handover", child.id), dana.access()).await;
    assert_eq!(status, StatusCode::OK, "{handover}");
    let seen = about(handover["open_escalations"].as_array().unwrap());
    assert!(
        seen.iter().any(|r| r == "action_overdue") && !seen.iter().any(|r| r.contains("supervision")),
        "{seen:?}"
    );

    let (_, chronology) =
        world.get(&format!("/api/children/{}/chronology?format=json", child.id), dana.access()).await;
    let text = chronology.to_string();
    assert!(text.contains("Refer the mother to the parenting programme"), "the core group's action is there");
    assert!(!text.contains("Supervision of the case overdue"), "{text}");
    assert!(!text.contains("mental health with the GP"), "a supervision's action stays with supervision");

    let (events, _) = world.pull_all(&dana, None).await;
    let pulled: Vec<Value> =
        events_of(&events, "escalation").into_iter().map(|e| e["escalation"].clone()).collect();
    let seen = about(&pulled);
    assert!(
        seen.iter().any(|r| r == "action_overdue") && !seen.iter().any(|r| r.contains("supervision")),
        "{seen:?}"
    );
    // The manager's phone holds them all.
    let (events, _) = world.pull_all(&tara, None).await;
    let pulled: Vec<Value> =
        events_of(&events, "escalation").into_iter().map(|e| e["escalation"].clone()).collect();
    assert!(about(&pulled).iter().any(|r| r == "supervision_overdue"));
}

#[rstest::rstest]
#[case::no_attendees(json!({"kind": "core_group", "held_on": "TODAY", "attendees": []}), "attendees")]
#[case::held_in_the_future(json!({"kind": "review_conference", "held_on": "2099-01-01", "attendees": ["Police"]}), "held_on")]
#[case::action_without_owner(
    json!({"kind": "core_group", "held_on": "TODAY", "attendees": ["School"],
           "actions": [{"description": "Weekly check", "owner": " ", "due_on": "TODAY"}]}),
    "actions[0].owner"
)]
#[tokio::test]
async fn a_meeting_that_does_not_make_sense_is_refused_naming_the_field(
    #[case] body: Value,
    #[case] field: &str,
) {
    let world = World::new().await;
    let sam = world.login("sam.social").await;
    let child = child_with_icpc(&world, 40).await;
    let body: Value =
        serde_json::from_str(&body.to_string().replace("TODAY", &world.today().to_string())).unwrap();
    let (status, answer) =
        world.post(&format!("/api/children/{}/meetings", child.id), sam.access(), body).await;
    assert!(
        status == StatusCode::UNPROCESSABLE_ENTITY || status == StatusCode::BAD_REQUEST,
        "{status} {answer}"
    );
    let fields: Vec<&str> =
        answer["fields"].as_array().unwrap().iter().filter_map(|f| f["field"].as_str()).collect();
    assert!(fields.contains(&field), "{answer}");
}

#[tokio::test]
async fn overdue_supervision_shows_on_the_desk_and_in_the_report_escalates_and_a_recorded_one_asks_to_close()
{
    let world = World::new().await;
    let sam = world.login("sam.social").await;
    let tara = world.login("tara.manager").await;
    // Amelia's case (demo) was last supervised five weeks ago: overdue by a few days.
    let child = world.child("DEMO-0005").await;

    let (status, desk) = world.get("/api/plans/due", tara.access()).await;
    assert_eq!(status, StatusCode::OK, "{desk}");
    let row = desk.as_array().unwrap().iter().find(|r| r["child_id"] == json!(child.id)).unwrap().clone();
    assert_eq!(row["supervision"]["overdue"], true, "{row}");
    let (_, report) = world.get("/api/reports/compliance", tara.access()).await;
    assert!(
        report["supervision_overdue"].as_array().unwrap().iter().any(|r| r["child_id"] == json!(child.id)),
        "{report}"
    );

    // The sweep tells the team manager, in her inbox, not only on the desk.
    sync_server::sweeper::sweep_store(&world.state, None, world.state.now()).await.unwrap();
    let about_supervision = |list: &Value| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|e| e["child_id"] == json!(child.id) && e["reason"]["reason"] == "supervision_overdue")
            .cloned()
    };
    let (_, escalations) = world.get("/api/escalations", tara.access()).await;
    let raised = about_supervision(&escalations).expect("the team manager is told");
    assert_eq!(raised["level"], "team_manager", "{raised}");
    assert_eq!(raised["reason"]["due"], row["supervision"]["due"], "the desk's due date: {raised}");
    let words = raised["history"][0]["text"].as_str().unwrap();
    assert!(words.starts_with("Supervision of the case overdue by"), "{words}");

    let path = format!("/api/children/{}/supervision", child.id);
    let body = json!({"held_on": world.today(), "reflection": "Risk reducing; school attendance improving.",
        "decisions": ["Continue the plan"],
        "actions": [{"description": "Book the review", "owner": "Sam", "due_on": world.today()}]});
    let (status, _) = world.post(&path, sam.access(), body.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a social worker does not record supervision");
    let (status, recorded) = world.post(&path, tara.access(), body).await;
    assert_eq!(status, StatusCode::CREATED, "{recorded}");
    let (status, list) = world.get(&path, sam.access()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        list.as_array().unwrap().iter().any(|s| s["id"] == recorded["id"]),
        "the key worker reads it, beside the earlier one: {list}"
    );
    let (_, desk) = world.get("/api/plans/due", tara.access()).await;
    let row = desk.as_array().unwrap().iter().find(|r| r["child_id"] == json!(child.id)).unwrap().clone();
    assert_eq!(row["supervision"]["overdue"], false, "{row}");
    assert_eq!(row["supervision"]["latest"], json!(world.today()));
    // Held late: the escalation waits for a manager to confirm it can close, saying when.
    let (_, escalations) = world.get("/api/escalations", tara.access()).await;
    let now = about_supervision(&escalations).expect("still open: only a manager closes");
    let last = now["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["step"], "confirmation_asked", "{now}");
    assert!(last["text"].as_str().unwrap().starts_with("The supervision of the case was held on"), "{last}");

    // A supervision with no reflection is refused, naming the field.
    let (status, answer) =
        world.post(&path, tara.access(), json!({"held_on": world.today(), "reflection": "  "})).await;
    assert_eq!(
        (status, answer["fields"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("reflection"))
    );
}

#[tokio::test]
async fn interpreting_not_considered_is_flagged_to_the_manager_until_a_visit_answers_it() {
    let world = World::new().await;
    let tara = world.login("tara.manager").await;
    let sam = world.login("sam.social").await;
    // Amelia's family (demo): nobody has considered interpreting for her or her mother.
    let amelia = world.child("DEMO-0005").await;
    let mother = amelia.carers[0].id;
    let listed =
        |body: &Value| body.as_array().unwrap().iter().find(|c| c["child_id"] == json!(amelia.id)).cloned();
    let (status, body) = world.get("/api/oversight/interpreting-not-considered", tara.access()).await;
    assert_eq!(status, StatusCode::OK);
    let entry = listed(&body).expect("Amelia is flagged");
    assert_eq!(entry["people"].as_array().unwrap().len(), 2, "the child and her mother: {entry}");
    // A visit records interpreting for Amelia only: her mother stays flagged.
    let mut visit = common::visit(amelia.id, sam.worker_id());
    visit.interpreters = vec![shared::InterpreterRecord {
        person: shared::InterpretedPerson::Child,
        needed: false,
        language: None,
        used: None,
        not_used_reason: None,
    }];
    assert_eq!(
        common::outcome(&world.push_outcomes(&sam, std::slice::from_ref(&visit)).await[0]),
        "accepted"
    );
    let (_, body) = world.get("/api/oversight/interpreting-not-considered", tara.access()).await;
    let entry = listed(&body).expect("the mother is still flagged");
    assert_eq!(entry["people"], json!([{"kind": "carer", "carer_id": mother}]));
    // The next visit records it for the mother too: the flag goes.
    let mut next = common::amend(&visit, "Family home");
    next.interpreters.push(shared::InterpreterRecord {
        person: shared::InterpretedPerson::Carer { carer_id: mother },
        needed: true,
        language: Some("Irish".into()),
        used: Some(shared::InterpreterUsed::Professional),
        not_used_reason: None,
    });
    assert_eq!(common::outcome(&world.push_outcomes(&sam, &[next]).await[0]), "accepted");
    let (_, body) = world.get("/api/oversight/interpreting-not-considered", tara.access()).await;
    assert!(listed(&body).is_none(), "{body}");
}

fn case_record(key_worker: &str) -> Value {
    json!([{"central_id": "R-1", "given_name": "Rosa", "family_name": "Tester", "date_of_birth": "2018-02-02",
        "registered_on": "2025-05-01", "harms": ["neglect"], "actions": [{"ref": "1", "description": "Weekly check"}],
        "key_worker_username": key_worker, "team_code": "CPT1"}])
}

#[tokio::test]
async fn a_reallocated_child_is_handed_over_to_the_new_key_worker_and_key_workers_are_counted() {
    let world = World::new().await;
    let admin = world.login("adam.admin").await;
    let sian = world.login("sian.senior").await;
    let (status, report) =
        world.post("/api/admin/import?format=json", admin.access(), case_record("sam.social")).await;
    assert_eq!((status, report["created"].as_u64()), (StatusCode::OK, Some(1)), "{report}");
    let rosa = world.child("R-1").await;
    assert_eq!(rosa.reallocation, None, "a first import is no reallocation");
    let sam = world.login("sam.social").await;
    let (status, _) = world.get(&format!("/api/children/{}/handover", rosa.id), sam.access()).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "a key worker who has always held the case has no handover");
    let mut visit = common::visit(rosa.id, sam.worker_id());
    visit.child_words = vec![shared::Quote { text: "I want to stay at my school.".into() }];
    assert_eq!(outcome(&world.push_outcomes(&sam, &[visit]).await[0]), "accepted");

    let (status, _) = world
        .post(
            &format!("/api/children/{}/safety-warnings", rosa.id),
            sam.access(),
            json!({"kind": "violence", "details": "Uncle has threatened staff."}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);

    // The central system gives Rosa to Priya.
    let (_, report) =
        world.post("/api/admin/import?format=json", admin.access(), case_record("priya.field")).await;
    assert_eq!(report["updated"].as_u64(), Some(1), "{report}");
    let rosa = world.child("R-1").await;
    assert_eq!(rosa.safety_warnings.len(), 1, "an import keeps the household's safety warnings");
    let reallocation = rosa.reallocation.clone().expect("recorded");
    assert_eq!(
        (
            reallocation.from_worker,
            reallocation.to_worker,
            reallocation.on,
            reallocation.key_workers_during_plan
        ),
        (world.worker_id("sam.social").await, world.worker_id("priya.field").await, world.today(), 2)
    );
    // Priya reads the handover: the plan, the last visit (seen, seen alone), Rosa's words.
    let priya = world.login("priya.field").await;
    let (status, handover) = world.get(&format!("/api/children/{}/handover", rosa.id), priya.access()).await;
    assert_eq!(status, StatusCode::OK, "{handover}");
    assert_eq!(handover["cover"], Value::Null);
    assert_eq!(handover["child"]["reallocation"]["from_worker"], json!(world.worker_id("sam.social").await));
    assert_eq!(handover["recent_visits"][0]["seen_alone"]["answer"], "yes");
    assert_eq!(handover["recent_words"][0]["text"], "I want to stay at my school.");
    assert_eq!(handover["child"]["plan"]["actions"][0]["description"], "Weekly check");
    assert_eq!(handover["child"]["safety_warnings"][0]["details"], "Uncle has threatened staff.");
    // Sam no longer holds the case.
    let (status, _) = world.get(&format!("/api/children/{}/handover", rosa.id), sam.access()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Back to Sam: still two key workers during the plan; the same file again changes nothing.
    world.post("/api/admin/import?format=json", admin.access(), case_record("sam.social")).await;
    let (_, report) =
        world.post("/api/admin/import?format=json", admin.access(), case_record("sam.social")).await;
    assert_eq!(
        report["unchanged"].as_u64(),
        Some(1),
        "the service's own fields survive a re-import: {report}"
    );
    let (status, counts) = world.get("/api/oversight/key-workers", sian.access()).await;
    assert_eq!(status, StatusCode::OK);
    let entry = counts.as_array().unwrap().iter().find(|c| c["child_id"] == json!(rosa.id)).unwrap().clone();
    assert_eq!(entry["key_workers_during_plan"], 2, "{entry}");
    assert_eq!(entry["reallocation"]["to_worker"], json!(world.worker_id("sam.social").await));
    assert_eq!(counts[0]["key_workers_during_plan"], 2, "the most reallocated children come first");
}

#[tokio::test]
async fn a_safety_warning_covers_the_household_is_kept_when_ended_and_never_audited_in_words() {
    let world = World::new().await;
    let sam = world.login("sam.social").await;
    let tara = world.login("tara.manager").await;
    let (ellie, jack) = (world.child("DEMO-0001").await, world.child("DEMO-0002").await);
    let details = "Stepfather has threatened staff; visit in pairs.";
    let path = format!("/api/children/{}/safety-warnings", ellie.id);

    let (status, body) = world.post(&path, sam.access(), json!({"kind": "violence", "details": "  "})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["fields"][0]["field"], "details", "{body}");

    let (status, warning) =
        world.post(&path, sam.access(), json!({"kind": "violence", "details": details})).await;
    assert_eq!(status, StatusCode::CREATED, "{warning}");
    assert_eq!(warning["child_ids"], json!([ellie.id, jack.id]), "the whole household");
    for child in ["DEMO-0001", "DEMO-0002"] {
        assert_eq!(
            world.child(child).await.safety_warnings[0].details,
            details,
            "{child}'s record carries it"
        );
    }
    let (_, listed) = world.get(&format!("/api/children/{}/safety-warnings", jack.id), sam.access()).await;
    assert_eq!(listed[0]["details"], details);

    let end = format!("/api/safety-warnings/{}/end", warning["id"].as_str().unwrap());
    let (status, _) = world.post(&end, sam.access(), json!({"reason": "Moved out"})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "only a manager ends a warning");
    let (status, body) = world.post(&end, tara.access(), json!({"reason": ""})).await;
    assert_eq!(
        (status, body["fields"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("reason"))
    );
    let (status, ended) =
        world.post(&end, tara.access(), json!({"reason": "Stepfather has moved out"})).await;
    assert_eq!(status, StatusCode::OK, "{ended}");
    assert_eq!(ended["ended"]["ended_by"], json!(world.worker_id("tara.manager").await));
    assert!(world.child("DEMO-0001").await.safety_warnings.is_empty(), "no longer in force on the record");
    let (_, listed) = world.get(&path, sam.access()).await;
    assert_eq!(
        (listed[0]["details"].as_str(), listed[0]["ended"]["reason"].as_str()),
        (Some(details), Some("Stepfather has moved out")),
        "kept, with its end appended"
    );
    let (status, _) = world.post(&end, tara.access(), json!({"reason": "Again"})).await;
    assert_eq!(status, StatusCode::CONFLICT);

    // Both children's chronologies carry the warning and its end, with who did each and why.
    for child in [&ellie, &jack] {
        let path = format!("/api/children/{}/chronology?kinds=safety_warning", child.id);
        let (status, chronology) = world.get(&path, tara.access()).await;
        assert_eq!(status, StatusCode::OK, "{chronology}");
        let entries: Vec<(&str, &str, &str)> = chronology["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (e["kind"].as_str().unwrap(), e["summary"].as_str().unwrap(), e["worker"].as_str().unwrap())
            })
            .collect();
        assert_eq!(entries.len(), 2, "{chronology}");
        assert_eq!(entries[0].0, "safety_warning");
        assert_eq!(entries[0].1, format!("Safety warning for lone visits (Violence or threats): {details}"));
        assert_eq!(entries[0].2, "Sam Social");
        assert_eq!(entries[1].0, "safety_warning_ended");
        assert!(entries[1].1.ends_with(": Stepfather has moved out"), "{}", entries[1].1);
        assert_eq!(entries[1].2, "Tara Manager");
    }
    let (_, _, csv) =
        world.get_raw(&format!("/api/children/{}/chronology?format=csv", ellie.id), tara.access()).await;
    let csv = String::from_utf8(csv).unwrap();
    assert!(
        csv.contains("Safety warning recorded (lone visits)") && csv.contains("Stepfather has moved out")
    );

    let audit = world.state.store().audit(Some(ellie.id)).await.unwrap();
    assert!(audit.iter().any(|e| e.what.contains("safety warning") && e.what.contains("recorded")));
    assert!(audit.iter().any(|e| e.what.contains("safety warning") && e.what.contains("ended")));
    assert!(audit.iter().all(|e| !e.what.contains("threatened") && !e.what.contains("moved out")));
}

#[tokio::test]
async fn the_desk_shows_a_team_manager_their_team_a_senior_manager_the_service_and_no_one_else() {
    let world = World::new().await;
    let tara = world.login("tara.manager").await;
    let sian = world.login("sian.senior").await;
    let overdue = world.child("DEMO-0001").await;

    let (status, desk) = world.get("/api/desk", tara.access()).await;
    assert_eq!(status, StatusCode::OK, "{desk}");
    let due = desk["children_due"].as_array().unwrap();
    assert_eq!(due[0]["child_id"], json!(overdue.id), "the overdue child comes first: {desk}");
    assert!(due[0]["due_words"].as_str().unwrap().starts_with("Overdue by"));
    assert_eq!(desk["months"].as_array().unwrap().len(), 12, "twelve months by default");
    assert_eq!(desk["escalation_months"].as_array().unwrap().len(), 12);
    assert_eq!(desk["escalations_by_age"].as_array().unwrap().len(), 4, "every age band, even empty");
    assert!(desk["held_visits"].is_u64() && desk["conflicts"].is_u64());
    let tara_children: Vec<&Value> = due.iter().map(|c| &c["child_id"]).collect();

    // The senior manager sees more of the service than one team manager does.
    let (status, whole) = world.get("/api/desk?months=3", sian.access()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(whole["months"].as_array().unwrap().len(), 3);
    assert!(whole["workers"].as_array().unwrap().len() > desk["workers"].as_array().unwrap().len());
    // Another team's manager sees none of Tara's children.
    let mo = world.login("mo.manager").await;
    let (_, theirs) = world.get("/api/desk", mo.access()).await;
    assert!(
        theirs["children_due"].as_array().unwrap().iter().all(|c| !tara_children.contains(&&c["child_id"]))
    );

    for worker in ["sam.social", "dana.duty", "adam.admin"] {
        let session = world.login(worker).await;
        let (status, _) = world.get("/api/desk", session.access()).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{worker} has no desk");
    }
    for bad in ["0", "25", "-1", "many"] {
        let (status, body) = world.get(&format!("/api/desk?months={bad}"), tara.access()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "months={bad}");
        assert!(body["fields"][0].to_string().contains("months"), "the answer names the field: {body}");
    }
}

/// The sweep reads the service without holding writers off: a sweep with nothing to change
/// finishes while another writer holds the store, and one that has something to change waits
/// for that writer, then writes from what stands after it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sweep_holds_writers_off_only_while_it_writes() {
    let world = World::new().await;
    let sam = world.login("sam.social").await;
    let now = Utc::now();
    assert!(!sync_server::sweeper::sweep_store(&world.state, None, now).await.unwrap().is_empty());

    let writer = world.state.store().transaction().await.unwrap();
    let nothing = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        sync_server::sweeper::sweep_store(&world.state, None, now),
    )
    .await
    .expect("a sweep with nothing to change does not wait for the writer");
    assert!(nothing.unwrap().is_empty());

    // A child not seen: this sweep has an escalation to raise, so it waits for the writer.
    drop(writer);
    let child = world.child("DEMO-0003").await;
    let missed = fixtures::not_seen(visit(child.id, sam.worker_id()), "No answer at the door");
    assert_eq!(outcome(&world.push_outcomes(&sam, std::slice::from_ref(&missed)).await[0]), "accepted");
    let writer = world.state.store().transaction().await.unwrap();
    let state = world.state.clone();
    let sweep = tokio::spawn(async move { sync_server::sweeper::sweep_store(&state, None, now).await });
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert!(!sweep.is_finished(), "it writes only once the writer has finished");
    writer.commit().await.unwrap();
    let raised = sweep.await.unwrap().unwrap();
    assert!(raised.iter().any(|e| e.reason.dedup_key().contains(&missed.id.to_string())), "{raised:?}");
}

#[tokio::test]
async fn no_chronology_entry_of_the_demo_ends_a_sentence_twice() {
    // Decisions and reflections are written as sentences; the chronology joins them without
    // giving one its own full stop and then another ("unannounced.. Actions").
    let world = World::new().await;
    let sian = world.login("sian.senior").await;
    let (_, children) = world.get("/api/children", sian.access()).await;
    let mut supervisions = 0;
    for child in children.as_array().unwrap() {
        let (status, chronology) = world
            .get(&format!("/api/children/{}/chronology", child["id"].as_str().unwrap()), sian.access())
            .await;
        assert_eq!(status, StatusCode::OK, "{chronology}");
        for entry in chronology["entries"].as_array().unwrap() {
            let summary = entry["summary"].as_str().unwrap();
            assert!(!summary.contains("..") && !summary.contains(".;"), "{summary}");
            if entry["kind"] == "supervision" && summary.contains("Decisions: ") {
                supervisions += 1;
            }
        }
    }
    assert!(supervisions > 0, "the demo's supervisions, with their decisions, were read");
}

/// A manager sees who is away among the staff they manage, and records someone back. The last
/// day is yesterday at the earliest, so who was away on a day already past never changes; an
/// absence over is not ended again; another team's absence is neither listed nor revealed.
#[tokio::test]
async fn managers_list_their_staffs_absences_and_record_someone_back() {
    let world = World::new().await;
    let tara = world.login("tara.manager").await;
    let mo = world.login("mo.manager").await;
    let sian = world.login("sian.senior").await;
    let sam = world.login("sam.social").await;
    let today = world.today();
    let yesterday = today.pred_opt().unwrap();
    let (status, recorded) = world
        .post(
            "/api/absences",
            tara.access(),
            json!({"worker_id": sam.worker_id(), "kind": "sickness", "starts_on": today}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{recorded}");
    let id = recorded["absence"]["id"].as_str().unwrap().to_owned();
    let listed =
        |list: &Value| -> bool { list.as_array().unwrap().iter().any(|a| a["absence"]["id"] == json!(id)) };

    // Sam's team manager and the senior manager see it; the other team's manager does not.
    for (who, sees) in [(&tara, true), (&sian, true), (&mo, false)] {
        let (status, list) = world.get("/api/absences", who.access()).await;
        assert_eq!(status, StatusCode::OK, "{list}");
        assert_eq!(listed(&list), sees, "{list}");
    }
    let (_, list) = world.get("/api/absences", tara.access()).await;
    let sams = list.as_array().unwrap().iter().find(|a| a["absence"]["id"] == json!(id)).unwrap();
    assert_eq!(sams["worker_name"], "Sam Social");
    assert_eq!(sams["absence"]["expected_end"], Value::Null, "no last day yet");
    for username in ["sam.social", "dana.duty", "adam.admin"] {
        let who = world.login(username).await;
        let (status, _) = world.get("/api/absences", who.access()).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "the list is for managers, not {username}");
        if username == "adam.admin" {
            let path = format!("/api/absences/{id}/last-day");
            let (status, _) = world.post(&path, who.access(), json!({"last_day": today})).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "an administrator does not manage absences");
        }
    }

    let path = format!("/api/absences/{id}/last-day");
    let (status, _) = world.post(&path, mo.access(), json!({"last_day": today})).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another team's absence is not revealed");
    let (status, _) = world
        .post(
            &format!("/api/absences/{}/last-day", shared::AbsenceId::new()),
            tara.access(),
            json!({"last_day": today}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Who was away on a day already past is not rewritten.
    let (status, bad) =
        world.post(&path, tara.access(), json!({"last_day": yesterday.pred_opt().unwrap()})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
    assert_eq!(bad["fields"][0]["field"], "last_day");
    let (status, bad) = world.post(&path, tara.access(), json!({"last_day": "9999-12-31"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    assert_eq!(bad["fields"][0]["field"], "last_day");
    let (_, list) = world.get("/api/absences", tara.access()).await;
    assert!(listed(&list), "a refused change changes nothing");
    // Sam knows when they will be back: a worker sets the last day of their own absence.
    let back_in_three = today.checked_add_days(Days::new(3)).unwrap();
    let (status, known) = world.post(&path, sam.access(), json!({"last_day": back_in_three})).await;
    assert_eq!(status, StatusCode::OK, "{known}");
    assert_eq!(known["expected_end"], json!(back_in_three));

    // Back today: the last day away was yesterday, so the absence is over and no longer listed.
    let (status, ended) = world.post(&path, tara.access(), json!({"last_day": yesterday})).await;
    assert_eq!(status, StatusCode::OK, "{ended}");
    assert_eq!(ended["expected_end"], json!(yesterday));
    for who in [&tara, &sian] {
        let (_, list) = world.get("/api/absences", who.access()).await;
        assert!(!listed(&list), "{list}");
    }
    let (status, _) = world.post(&path, tara.access(), json!({"last_day": today})).await;
    assert_eq!(status, StatusCode::CONFLICT, "an absence over is not ended again");
    // Leave booked for next week is cancelled before it begins: its last day is the day before
    // its first, so it is no longer listed, and not changed again.
    let next_week = today.checked_add_days(Days::new(7)).unwrap();
    let (status, booked) = world
        .post(
            "/api/absences",
            tara.access(),
            json!({"worker_id": sam.worker_id(), "kind": "leave", "starts_on": next_week}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{booked}");
    let leave = booked["absence"]["id"].as_str().unwrap().to_owned();
    let (_, list) = world.get("/api/absences", tara.access()).await;
    assert!(list.as_array().unwrap().iter().any(|a| a["absence"]["id"] == json!(leave)), "{list}");
    let cancel = format!("/api/absences/{leave}/last-day");
    let (status, cancelled) =
        world.post(&cancel, tara.access(), json!({"last_day": next_week.pred_opt().unwrap()})).await;
    assert_eq!(status, StatusCode::OK, "{cancelled}");
    let (_, list) = world.get("/api/absences", tara.access()).await;
    assert!(!list.as_array().unwrap().iter().any(|a| a["absence"]["id"] == json!(leave)), "{list}");
    let (status, _) = world.post(&cancel, tara.access(), json!({"last_day": next_week})).await;
    assert_eq!(status, StatusCode::CONFLICT, "a cancelled absence is not changed again");
    // A sickness recorded with no last day three years ago (before today's bounds) still ends.
    let long_ago = shared::Absence {
        id: shared::AbsenceId::new(),
        worker_id: sam.worker_id(),
        kind: shared::AbsenceKind::Sickness,
        starts_on: today.checked_sub_days(Days::new(3 * 365)).unwrap(),
        expected_end: None,
        recorded_by: tara.worker_id(),
    };
    world.state.store().put_absence(&long_ago).await.unwrap();
    let (status, ended) = world
        .post(
            &format!("/api/absences/{}/last-day", long_ago.id),
            tara.access(),
            json!({"last_day": yesterday}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{ended}");
    // The change is in the audit log, with who made it.
    let (status, audit) = world.get("/api/audit", sian.access()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(audit.to_string().contains(&format!("absence {id} last day set to {yesterday}")), "{audit}");
}

/// The figures of a period already over, with today's ("overdue now") left out: those are
/// today's, and move with whoever holds the case today.
fn period_figures(report: &Value) -> Value {
    fn strip(figures: &Value) -> Value {
        let mut figures = figures.clone();
        figures.as_object_mut().unwrap().remove("children_overdue_now");
        figures
    }
    let rows = |key: &str, id: &str| -> Vec<(Value, Value)> {
        let mut rows: Vec<(Value, Value)> =
            report[key].as_array().unwrap().iter().map(|r| (r[id].clone(), strip(&r["figures"]))).collect();
        rows.sort_by_key(|(id, _)| id.to_string());
        // A row with nothing in the period (only today's figures) is no row of the period's.
        rows.retain(|(_, f)| f["children"] != json!(0));
        rows
    };
    json!({
        "service": strip(&report["service"]),
        "teams": rows("teams", "team_id"),
        "workers": rows("workers", "worker_id"),
    })
}

/// A period already over keeps its figures whatever happens to the case afterwards: they are
/// counted against the plan, key worker and team as they stood when the period ended. Before,
/// they were replayed against the plan as it stands today, so a case reallocated moved the
/// period's visits from one worker's row to another's, and a plan ended with a new one started
/// took the child out of a quarter they were on a plan for. The desk's past months, which are
/// the same report a month at a time, stay as they were too.
#[tokio::test]
async fn a_past_periods_figures_stay_when_the_case_is_reallocated_or_a_new_plan_starts() {
    let world = World::new().await;
    let sian = world.login("sian.senior").await;
    let today = world.today();
    let (from, to) = (today - Days::new(100), today - Days::new(40));
    let path = format!("/api/reports/compliance?from={from}&to={to}");
    let figures = async || {
        let (status, report) = world.get(&path, sian.access()).await;
        assert_eq!(status, StatusCode::OK, "{report}");
        period_figures(&report)
    };
    let past_months = async || {
        let (status, desk) = world.get("/api/desk?months=6", sian.access()).await;
        assert_eq!(status, StatusCode::OK, "{desk}");
        let mut months = desk["months"].as_array().unwrap().clone();
        months.pop();
        let workers: Vec<(Value, Vec<Value>)> = desk["workers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| {
                let mut m = w["months"].as_array().unwrap().clone();
                m.pop();
                (w["worker_id"].clone(), m)
            })
            .filter(|(_, m)| m.iter().any(|month| month["statutory_due"] != json!(0)))
            .collect();
        (months, workers)
    };
    let sam = world.worker_id("sam.social").await;
    let priya = world.worker_id("priya.field").await;
    let mut child = world.child("DEMO-0001").await;
    let plan = child.plan.clone().unwrap();
    assert!(plan.registered_on < from, "on a plan through the period: {plan:?}");
    assert_eq!(plan.key_worker, sam);
    let before = figures().await;
    let sams_row = |f: &Value| f["workers"].as_array().unwrap().iter().find(|r| r[0] == json!(sam)).cloned();
    assert!(
        sams_row(&before).is_some_and(|r| r[1]["statutory_visits_due"].as_u64().unwrap() > 0),
        "{before}"
    );
    let months_before = past_months().await;
    assert!(months_before.0.iter().any(|m| m["statutory_due"] != json!(0)), "{months_before:?}");

    // Today the case goes to Priya.
    child.plan.as_mut().unwrap().key_worker = priya;
    world.state.store().upsert_children(std::slice::from_ref(&child)).await.unwrap();
    assert_eq!(figures().await, before, "reallocated today, the past period is as it was");
    assert_eq!(past_months().await, months_before, "and so are the desk's past months");

    // The plan ended 20 days ago and a new one started 10 days ago.
    let mut ended = child.plan.clone().unwrap();
    ended.deregistered_on = Some(today - Days::new(20));
    child.details.previous_plans.push(ended.as_previous().unwrap());
    child.plan = Some(shared::ProtectionPlan {
        registered_on: today - Days::new(10),
        deregistered_on: None,
        ..child.plan.clone().unwrap()
    });
    world.state.store().upsert_children(std::slice::from_ref(&child)).await.unwrap();
    assert_eq!(figures().await, before, "a new plan since, the past period is as it was");
    assert_eq!(past_months().await, months_before);

    // Today's figures follow the case: the child is Priya's now, on the new plan.
    let (_, now) = world.get(&path, sian.access()).await;
    let row = now["children"].as_array().unwrap().iter().find(|c| c["child_id"] == json!(child.id)).cloned();
    let row = row.expect("on a plan today, so listed");
    assert_eq!(row["key_worker"], json!(priya));
}
