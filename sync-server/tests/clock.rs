//! One clock for the authority: `--time-zone`, the training clock (`--as-of`, demo only, never
//! backwards over stored data), the settings devices receive, and security clocks staying on
//! real time.

mod common;

use axum::http::StatusCode;
use chrono::{Duration, NaiveDate, TimeZone, Utc};
use common::*;
use fixtures::ymd as date;
use serde_json::json;
use shared::clock::Tz;
use shared::{BusinessClock, CalendarName};
use sync_server::Config;
use sync_server::clock::{self, ClockError};

const LONDON: Tz = Tz::Europe__London;

// ----- Starting the clock -----

#[test]
fn as_of_is_refused_without_demo_so_a_live_service_cannot_be_backdated() {
    let error = clock::choose(LONDON, Some(date(2026, 3, 2)), false, None, Utc::now()).unwrap_err();
    assert!(matches!(error, ClockError::AsOfWithoutDemo));
    let words = error.to_string();
    assert!(words.contains("--demo") && words.contains("--as-of"), "{words}");
}

#[test]
fn without_as_of_the_service_runs_on_the_real_clock_in_its_zone() {
    let clock = clock::choose(Tz::Europe__Jersey, None, false, Some(date(2026, 3, 2)), Utc::now()).unwrap();
    assert!(!clock.is_training());
    assert_eq!(clock.time_zone(), Tz::Europe__Jersey);
}

#[test]
fn as_of_starts_the_business_clock_on_that_date_at_the_real_time_of_day() {
    let real_now = Utc.with_ymd_and_hms(2026, 11, 30, 14, 20, 0).unwrap();
    let clock = clock::choose(LONDON, Some(date(2026, 3, 2)), true, None, real_now).unwrap();
    assert!(clock.is_training());
    assert_eq!(clock.at(real_now), Utc.with_ymd_and_hms(2026, 3, 2, 14, 20, 0).unwrap());
    // A week of training in an afternoon: time passes as it does in reality from there.
    assert_eq!(clock.today_at(real_now + Duration::hours(10)), date(2026, 3, 3));
}

#[test]
fn as_of_in_summer_keeps_the_local_time_of_day_across_the_clock_change() {
    // 14:20 GMT in November is 14:20 local; on 1 July (BST) that is 13:20 UTC.
    let real_now = Utc.with_ymd_and_hms(2026, 11, 30, 14, 20, 0).unwrap();
    let clock = clock::training_clock(LONDON, date(2026, 7, 1), real_now);
    assert_eq!(clock.at(real_now), Utc.with_ymd_and_hms(2026, 7, 1, 13, 20, 0).unwrap());
}

#[test]
fn as_of_on_the_night_the_clocks_go_forward_skips_the_missing_hour() {
    // 01:30 does not exist in London on Sunday 29 March 2026; the clock starts at 02:30 BST.
    let real_now = Utc.with_ymd_and_hms(2026, 11, 30, 1, 30, 0).unwrap();
    let clock = clock::training_clock(LONDON, date(2026, 3, 29), real_now);
    assert_eq!(clock.at(real_now), Utc.with_ymd_and_hms(2026, 3, 29, 1, 30, 0).unwrap());
    assert_eq!(clock.today_at(real_now), date(2026, 3, 29));
}

#[tokio::test]
async fn restarting_with_a_later_as_of_moves_the_service_forward() {
    let store = sync_server::store::temporary().unwrap();
    let first = clock::open(store.as_ref(), LONDON, Some(date(2026, 3, 2)), true).await.unwrap();
    assert_eq!(first.today(), date(2026, 3, 2));
    let later = clock::open(store.as_ref(), LONDON, Some(date(2026, 3, 9)), true).await.unwrap();
    assert_eq!(later.today(), date(2026, 3, 9));
    assert_eq!(clock::mark(store.as_ref()).await.unwrap(), Some(date(2026, 3, 9)));
}

#[tokio::test]
async fn restarting_with_the_same_as_of_is_allowed() {
    let store = sync_server::store::temporary().unwrap();
    clock::open(store.as_ref(), LONDON, Some(date(2026, 3, 2)), true).await.unwrap();
    let again = clock::open(store.as_ref(), LONDON, Some(date(2026, 3, 2)), true).await.unwrap();
    assert_eq!(again.today(), date(2026, 3, 2));
}

#[tokio::test]
async fn restarting_with_an_earlier_as_of_is_refused_and_changes_nothing() {
    let store = sync_server::store::temporary().unwrap();
    clock::open(store.as_ref(), LONDON, Some(date(2026, 3, 9)), true).await.unwrap();
    let error = clock::open(store.as_ref(), LONDON, Some(date(2026, 3, 2)), true).await.unwrap_err();
    assert!(
        matches!(error, ClockError::Backwards { as_of, mark } if as_of == date(2026, 3, 2) && mark == date(2026, 3, 9))
    );
    let words = error.to_string();
    assert!(words.contains("2026-03-09") && words.contains("never moves backwards"), "{words}");
    assert_eq!(clock::mark(store.as_ref()).await.unwrap(), Some(date(2026, 3, 9)));
}

#[tokio::test]
async fn an_as_of_before_the_date_a_live_service_ran_on_is_refused() {
    // A live store has run on today's date: a training clock cannot take it back to March.
    let store = sync_server::store::temporary().unwrap();
    let live = clock::open(store.as_ref(), LONDON, None, false).await.unwrap();
    let error =
        clock::open(store.as_ref(), LONDON, Some(live.today() - Duration::days(30)), true).await.unwrap_err();
    assert!(matches!(error, ClockError::Backwards { .. }));
}

// ----- The business clock in the API -----

fn training(as_of: NaiveDate) -> Config {
    Config { clock: clock::training_clock(LONDON, as_of, Utc::now()), ..Config::default() }
}

#[tokio::test]
async fn the_training_clock_moves_the_check_that_a_visit_is_not_in_the_future() {
    let world = World::with_config(training(date(2026, 3, 2))).await;
    assert_eq!(world.today(), date(2026, 3, 2));
    let sam = world.login("sam.social").await;
    let child = world.child("DEMO-0001").await;
    // The day before the training date is in the past on the training clock.
    let before = visit_on(child.id, sam.worker_id(), date(2026, 3, 1));
    // Yesterday in reality is months ahead of the training clock: in the future there.
    let real_yesterday = visit_on(child.id, sam.worker_id(), Utc::now().date_naive() - Duration::days(1));
    let results = world.push_outcomes(&sam, &[before, real_yesterday]).await;
    assert_eq!(outcome(&results[0]), "accepted", "{}", results[0]);
    assert_eq!(outcome(&results[1]), "rejected", "{}", results[1]);
    assert!(results[1]["errors"].to_string().contains("future"), "{}", results[1]);
}

#[tokio::test]
async fn the_training_clock_leaves_token_expiry_on_real_time() {
    let world = World::with_config(training(date(2026, 3, 2))).await;
    let sam = world.login("sam.social").await;
    let expires = sam.tokens.access_expires_at;
    let real_now = Utc::now();
    assert!(expires > real_now && expires <= real_now + Duration::minutes(16), "expires {expires}");
    // And the token works: a March 2026 clock has not expired a token issued in reality.
    let (status, _) = world.get("/api/children", sam.access()).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn the_training_clock_moves_due_dates_and_escalations() {
    // The demo caseload is laid out around the service's today; on a training clock that is
    // the training date, so the sweep on that clock raises escalations for children overdue
    // then, with due dates shortly before it, and never after it.
    let as_of = date(2026, 3, 2);
    let world = World::with_config(training(as_of)).await;
    sync_server::sweeper::sweep_store(&world.state, None, world.state.now()).await.unwrap();
    let tara = world.login("tara.manager").await;
    let (status, body) = world.get("/api/escalations", tara.access()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let dues: Vec<NaiveDate> = body
        .as_array()
        .expect("escalations")
        .iter()
        .filter(|e| e["reason"]["reason"] == "overdue")
        .map(|e| e["reason"]["due"].as_str().expect("due").parse().expect("a date"))
        .collect();
    assert!(!dues.is_empty(), "the demo has overdue children: {body}");
    for due in dues {
        assert!(due < as_of && (as_of - due).num_days() < 60, "due {due} is not shortly before {as_of}");
    }
}

#[tokio::test]
async fn at_2330_utc_on_a_summer_evening_the_service_is_already_on_tomorrow() {
    let at = Utc.with_ymd_and_hms(2026, 7, 1, 23, 30, 0).unwrap();
    let config = Config { clock: BusinessClock::starting_at(LONDON, at, Utc::now()), ..Config::default() };
    let world = World::with_config(config).await;
    assert_eq!(world.today(), date(2026, 7, 2));
}

#[tokio::test]
async fn at_2330_utc_on_a_summer_evening_a_visit_arranged_for_the_utc_date_is_in_the_past() {
    let at = Utc.with_ymd_and_hms(2026, 7, 1, 23, 30, 0).unwrap();
    let config = Config { clock: BusinessClock::starting_at(LONDON, at, Utc::now()), ..Config::default() };
    let world = World::with_config(config).await;
    sync_server::sweeper::sweep_store(&world.state, None, world.state.now()).await.unwrap();
    let tara = world.login("tara.manager").await;
    let (status, body) = world.get("/api/escalations", tara.access()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let escalation = body
        .as_array()
        .and_then(|list| list.iter().find(|e| e["reason"]["reason"] == "overdue"))
        .expect("an overdue child in the demo")
        .clone();
    let id = escalation["id"].as_str().expect("id");
    let path = format!("/api/escalations/{id}/acknowledge");
    let (status, body) =
        world.post(&path, tara.access(), json!({"action": "visit_arranged", "date": "2026-07-01"})).await;
    assert!(status.is_client_error(), "1 July is yesterday in London: {status} {body}");
    assert!(body.to_string().contains("action.date"), "{body}");
    let (status, body) =
        world.post(&path, tara.access(), json!({"action": "visit_arranged", "date": "2026-07-02"})).await;
    assert_eq!(status, StatusCode::OK, "2 July is today in London: {body}");
}

// ----- What devices receive -----

#[tokio::test]
async fn sign_in_carries_the_calendar_time_zone_and_rules() {
    let config = Config {
        calendar: CalendarName::EnglandAndWales,
        clock: BusinessClock::live(Tz::Europe__Jersey),
        ..Config::default()
    };
    let world = World::with_config(config).await;
    let sam = world.login("sam.social").await;
    let settings = sam.tokens.settings.clone().expect("settings at sign-in");
    assert_eq!(settings.calendar, CalendarName::EnglandAndWales);
    assert_eq!(settings.time_zone, Tz::Europe__Jersey);
    assert_eq!(settings.rules, world.state.config().rules);
    assert_eq!(settings.clock_offset_seconds, 0);
    assert_eq!(&settings, world.state.settings());
}

#[tokio::test]
async fn every_pull_carries_the_settings_and_their_fingerprint() {
    let world = World::with_config(training(date(2026, 3, 2))).await;
    let sam = world.login("sam.social").await;
    let (status, body) = world.get("/api/sync/pull", sam.access()).await;
    assert_eq!(status, StatusCode::OK);
    let fingerprint = world.state.settings().fingerprint.clone();
    assert_eq!(body["settings"]["fingerprint"], json!(fingerprint));
    assert_eq!(body["settings"]["time_zone"], json!("Europe/London"));
    assert!(
        body["settings"]["clock_offset_seconds"].as_i64().expect("offset") < 0,
        "a training clock behind"
    );
}

#[tokio::test]
async fn the_settings_endpoint_answers_signed_in_callers_only() {
    let world = World::new().await;
    let (status, _) = world.call(axum::http::Method::GET, "/api/settings", None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let admin = world.login("adam.admin").await;
    let (status, body) = world.get("/api/settings", admin.access()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["calendar"], json!("jersey"));
    assert_eq!(body["time_zone"], json!("Europe/London"));
}

#[tokio::test]
async fn the_settings_are_in_the_openapi_document() {
    let world = World::new().await;
    let (status, body) = world.call(axum::http::Method::GET, "/api/openapi.json", None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body["paths"]["/api/settings"]["get"].is_object(), "GET /api/settings documented");
    assert!(body["components"]["schemas"]["AuthoritySettings"].is_object(), "schema documented");
}

// ----- The day a plan ends -----

async fn deregister(world: &World, central_id: &str, on: NaiveDate) -> shared::Child {
    let mut child = world.child(central_id).await;
    child.plan.as_mut().expect("a demo child on a plan").deregistered_on = Some(on);
    world.state.store().upsert_children(std::slice::from_ref(&child)).await.expect("stored");
    child
}

#[tokio::test]
async fn on_the_day_of_de_registration_the_key_worker_still_has_the_child() {
    let world = World::new().await;
    let child = deregister(&world, "DEMO-0001", world.today()).await;
    let sam = world.login("sam.social").await;
    let (status, body) = world.get("/api/children", sam.access()).await;
    assert_eq!(status, StatusCode::OK);
    let listed = |body: &serde_json::Value| {
        body.as_array().expect("children").iter().any(|c| c["id"] == json!(child.id))
    };
    assert!(listed(&body), "still on the caseload today: {body}");
}

#[tokio::test]
async fn the_day_after_de_registration_the_child_has_left_the_caseload() {
    let world = World::new().await;
    let child = deregister(&world, "DEMO-0001", world.today() - Duration::days(1)).await;
    let sam = world.login("sam.social").await;
    let (status, body) = world.get("/api/children", sam.access()).await;
    assert_eq!(status, StatusCode::OK);
    let listed = body.as_array().expect("children").iter().any(|c| c["id"] == json!(child.id));
    assert!(!listed, "gone the day after: {body}");
}

#[tokio::test]
async fn a_visit_on_the_day_of_de_registration_is_accepted_and_not_held() {
    let world = World::new().await;
    let yesterday = world.today() - Duration::days(1);
    let child = deregister(&world, "DEMO-0001", yesterday).await;
    let sam = world.login("sam.social").await;
    let results = world.push_outcomes(&sam, &[visit_on(child.id, sam.worker_id(), yesterday)]).await;
    assert_eq!(outcome(&results[0]), "accepted", "{}", results[0]);
    assert!(results[0]["needs_review"].is_null(), "the plan was in force that day: {}", results[0]);
    let before = visit_on(child.id, sam.worker_id(), yesterday - Duration::days(1));
    let after = deregister(&world, "DEMO-0001", yesterday - Duration::days(2)).await;
    assert_eq!(after.id, child.id);
    let results = world.push_outcomes(&sam, &[before]).await;
    assert_eq!(outcome(&results[0]), "accepted", "{}", results[0]);
    assert!(results[0]["needs_review"].is_string(), "after the plan ended it is held: {}", results[0]);
}

// ----- Records made on a training service are dated on its clock -----

#[tokio::test]
async fn on_a_training_service_an_imported_plan_change_is_dated_on_the_training_clock() {
    const HEADER: &str = "central_id,given_name,family_name,date_of_birth,gender,sibling_central_ids,carers,carer_languages,child_first_language,child_interpreter_language,disability_and_communication,registered_on,deregistered_on,harms,visit_frequency_working_days,actions,latest_review_conference,key_worker_username,key_worker_name,team_code,team_name";
    let row = |frequency: u32| {
        format!(
            "{HEADER}\nCMS-71,Ola,Brindle,2018-02-03,female,,,,,,,2025-09-01,,neglect,{frequency},,,sam.social,,CPT1,Child Protection Team 1\n"
        )
    };
    let world = World::with_config(training(date(2026, 3, 2))).await;
    let adam = world.login("adam.admin").await;
    for frequency in [10, 5] {
        let request = axum::http::Request::post("/api/admin/import?format=csv")
            .header(axum::http::header::AUTHORIZATION, format!("Bearer {}", adam.access()))
            .header(axum::http::header::CONTENT_TYPE, "text/csv")
            .body(axum::body::Body::from(row(frequency)))
            .unwrap();
        let (status, report) = world.send(request).await;
        assert_eq!(status, StatusCode::OK, "{report}");
        assert_eq!(report["rejected"], json!(0), "{report}");
    }
    let id = world.child("CMS-71").await.id;
    let history = world.state.store().child_history(id).await.unwrap();
    assert_eq!(history.len(), 1, "one plan change");
    let on = history[0].recorded_at.with_timezone(&LONDON).date_naive();
    assert_eq!(on, date(2026, 3, 2), "dated on the training day, not in reality");
}

// ----- A visit's day -----

/// A visit's day is the authority's date, whatever offset the phone sent its times with. At
/// 00:15 on a summer night in the authority's zone, a phone set to UTC (an older app, or
/// another client) sends 23:15 the day before, +00:00. Before, the server kept that offset, so
/// every rule read the visit as the day before: a visit made a day late counted as on time,
/// and the next due date came a day early. The server now keeps its times in the authority's
/// zone, the instants unchanged, so the same push again is still the same visit.
#[tokio::test]
async fn a_visit_sent_with_another_offset_is_dated_in_the_authoritys_zone() {
    let world = World::new().await;
    let sam = world.login("sam.social").await;
    let child = world.child("DEMO-0001").await;
    let tz = world.state.settings().time_zone;
    // The latest summer night before today: 23:15 UTC is already the next day there.
    let night = (2..400)
        .map(|back| world.today() - chrono::Days::new(back))
        .map(|day| day.and_hms_opt(23, 15, 0).unwrap().and_utc())
        .find(|at| at.with_timezone(&tz).date_naive() != at.date_naive())
        .expect("a summer night within the last year");
    let utc_phone = chrono::FixedOffset::east_opt(0).unwrap();
    let mut visit = visit(child.id, sam.worker_id());
    visit.started_at = night.with_timezone(&utc_phone);
    visit.ended_at = (night + Duration::minutes(40)).with_timezone(&utc_phone);
    assert_eq!(visit.date(), night.date_naive(), "as the phone sent it");

    let results = world.push_outcomes(&sam, std::slice::from_ref(&visit)).await;
    assert_eq!(outcome(&results[0]), "accepted", "{results:?}");
    let stored = world.state.store().visit(visit.id, visit.revision).await.unwrap().expect("stored").visit;
    let authority_day = night.with_timezone(&tz).date_naive();
    assert_eq!(stored.date(), authority_day, "dated on the authority's day, not the phone's");
    assert_eq!(stored.started_at, visit.started_at, "the same instant");
    assert_eq!(stored.ended_at, visit.ended_at);
    assert_eq!(stored.started_at.offset().local_minus_utc(), 3600, "kept in the authority's summer time");

    // The phone sends it again (it never heard the answer): the same visit, not a conflict.
    let again = world.push_outcomes(&sam, std::slice::from_ref(&visit)).await;
    assert_eq!(outcome(&again[0]), "duplicate", "{again:?}");
}
