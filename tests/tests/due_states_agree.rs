//! The phone and the server agree on every child's due state.
//!
//! For generated cases (a plan's start, end and frequency; visits in which the child was seen
//! or not, statutory or not; the instant it is; the authority's time zone) and for each shipped
//! calendar, the server decides "today" and the due state on its own path (its business clock
//! and configured calendar; the due states it gives a manager when a worker goes off sick), and
//! the phone decides them on its own path (the settings it received from that server, through
//! their JSON, its clock; its caseload entry). Every due state must be the same.

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, SubsecRound as _, TimeZone, Utc};
use integration_tests::{FieldApp, TestServer};
use proptest::prelude::*;
use shared::clock::Tz;
use shared::sync::{AuthoritySettings, TokenResponse};
use shared::{
    Absence, AbsenceKind, BusinessClock, CalendarName, Child, ChildId, ProtectionPlan, TeamId, Visit,
    VisitId, VisitKind, Worker, WorkerId,
};
use sync_server::escalations::children_due_during;
use sync_server::{AppState, Config};

const SHIPPED: [CalendarName; 2] = [CalendarName::Jersey, CalendarName::EnglandAndWales];
const ZONES: [Tz; 5] =
    [Tz::Europe__London, Tz::Europe__Jersey, Tz::UTC, Tz::America__New_York, Tz::Pacific__Auckland];
const SECRET: &[u8] = b"a test secret that is long enough for hs256!";

fn key_worker() -> WorkerId {
    WorkerId(uuid::Uuid::from_u128(0x31))
}

/// One generated case.
#[derive(Clone, Debug)]
struct Case {
    /// The business instant (what the server's clock reads).
    at: DateTime<Utc>,
    zone: Tz,
    registered_on: NaiveDate,
    deregistered_on: Option<NaiveDate>,
    frequency: u32,
    /// (date, the device's UTC offset in hours, seen, statutory, voided)
    visits: Vec<(NaiveDate, i32, bool, bool, bool)>,
}

fn day(offset: i64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + Duration::days(offset)
}

fn case() -> impl Strategy<Value = Case> {
    (
        // Any minute of 2025 to 2027: both clock changes every year, Liberation Day, Christmas.
        -365i64..730,
        0i64..(24 * 60),
        0usize..ZONES.len(),
        0i64..400,
        proptest::option::of(0i64..500),
        1u32..=30,
        proptest::collection::vec(
            (-30i64..500, -1i32..=1, any::<bool>(), any::<bool>(), any::<bool>()),
            0..6,
        ),
    )
        .prop_map(|(today, minute, zone, registered_ago, lasted, frequency, visits)| {
            let at =
                Utc.from_utc_datetime(&day(today).and_hms_opt(0, 0, 0).unwrap()) + Duration::minutes(minute);
            let registered_on = day(today - registered_ago);
            Case {
                at,
                zone: ZONES[zone],
                registered_on,
                deregistered_on: lasted.map(|d| registered_on + Duration::days(d)),
                frequency,
                visits: visits
                    .into_iter()
                    .map(|(d, hours, seen, statutory, voided)| {
                        (registered_on + Duration::days(d), hours, seen, statutory, voided)
                    })
                    .collect(),
            }
        })
}

fn child(case: &Case) -> Child {
    Child {
        central_id: "PROP-1".into(),
        gender: None,
        carers: vec![],
        plan: Some(ProtectionPlan {
            deregistered_on: case.deregistered_on,
            visit_frequency_working_days: case.frequency,
            key_worker: key_worker(),
            team: TeamId(uuid::Uuid::from_u128(0x41)),
            actions: vec![],
            ..fixtures::plan(case.registered_on)
        }),
        ..fixtures::child(0x1)
    }
}

fn visits(case: &Case, child: ChildId) -> Vec<Visit> {
    let mut out = Vec::new();
    for (n, &(date, hours, seen, statutory, voided)) in case.visits.iter().enumerate() {
        let offset = FixedOffset::east_opt(hours * 3600).unwrap();
        let started = offset.from_local_datetime(&date.and_hms_opt(10, 0, 0).unwrap()).unwrap();
        let visit = Visit {
            id: VisitId(uuid::Uuid::from_u128(0x1000 + n as u128)),
            location: "family home".into(),
            kind: if statutory { VisitKind::Statutory } else { VisitKind::Other },
            child_words: vec![],
            recorded_at: started.with_timezone(&Utc),
            ..fixtures::visit(child, key_worker(), started)
        };
        let visit = if seen { visit } else { fixtures::not_seen(visit, "Nobody answered the door.") };
        if voided {
            let void = fixtures::voided(&visit, "Recorded against the wrong child.");
            out.push(visit);
            out.push(void);
        } else {
            out.push(visit);
        }
    }
    out
}

/// The settings as the phone receives them: inside a sign-in answer, through JSON.
fn received(settings: &AuthoritySettings) -> AuthoritySettings {
    let tokens = TokenResponse {
        access_token: "not-a-real-token".into(),
        access_expires_at: Utc::now(),
        refresh_token: "not-a-real-refresh-token".into(),
        worker: Worker {
            id: key_worker(),
            name: "Sam Testworker".into(),
            role: shared::Role::SocialWorker,
            team: None,
        },
        settings: Some(settings.clone()),
    };
    let json = serde_json::to_string(&tokens).unwrap();
    serde_json::from_str::<TokenResponse>(&json).unwrap().settings.expect("settings on the wire")
}

fn check(case: &Case) -> Result<(), TestCaseError> {
    // The real clock when the check runs, in whole seconds (as the training offset is kept);
    // the business clock reads exactly `case.at` then.
    let real_now = Utc::now().trunc_subsecs(0);
    for calendar in SHIPPED {
        let config = Config {
            calendar,
            clock: BusinessClock::starting_at(case.zone, case.at, real_now),
            ..Config::default()
        };
        let state = AppState::new(sync_server::store::temporary().expect("temporary store"), SECRET, config);
        let child = child(case);
        let visits = visits(case, child.id);

        // The server's path.
        let server_today = state.clock().today_at(real_now);
        let absence = Absence {
            id: shared::AbsenceId::new(),
            worker_id: key_worker(),
            kind: AbsenceKind::Sickness,
            starts_on: server_today,
            expected_end: Some(NaiveDate::from_ymd_opt(2099, 12, 31).unwrap()),
            recorded_by: key_worker(),
        };
        let due = children_due_during(
            &absence,
            [(&child, visits.as_slice())],
            &[],
            state.calendar(),
            &state.config().rules,
            server_today,
        );
        let server_state = due.first().map(|d| d.state);

        // The phone's path.
        let settings = received(state.settings());
        let phone_today = settings.today_at(real_now);
        let phone_state =
            mobile::store::caseload_entry(&settings, child.clone(), &visits, phone_today).due_state;

        prop_assert_eq!(phone_today, server_today, "today, {:?}", calendar);
        prop_assert_eq!(
            phone_today,
            shared::authority_date(case.zone, case.at),
            "today is the date in the zone"
        );
        prop_assert_eq!(phone_state, server_state, "due state, {:?}, {:?}", calendar, case);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn the_phone_and_the_server_agree_on_every_due_state_for_each_shipped_calendar(case in case()) {
        check(&case)?;
    }
}

/// The awkward days named: the phone and the server agree on each, whatever the generator finds.
#[test]
fn the_phone_and_the_server_agree_on_the_awkward_days() {
    let evenings = [
        // 23:30 UTC: already the next day in summer in Europe.
        (2026, 3, 28, 23),  // the Saturday before the clocks go forward
        (2026, 3, 29, 23),  // the Sunday they go forward
        (2026, 5, 8, 23),   // the eve of Liberation Day
        (2026, 10, 24, 23), // the Saturday before they go back
        (2026, 10, 25, 23), // the Sunday they go back
        (2026, 12, 24, 23), // Christmas Eve
    ];
    for (y, m, d, h) in evenings {
        let at = Utc.with_ymd_and_hms(y, m, d, h, 30, 0).unwrap();
        for zone in ZONES {
            for frequency in [1, 5, 10, 20] {
                let today = at.date_naive();
                let case = Case {
                    at,
                    zone,
                    registered_on: today - Duration::days(40),
                    // Ending on the day itself: the plan is still in force.
                    deregistered_on: Some(shared::authority_date(zone, at)),
                    frequency,
                    visits: vec![
                        (today - Duration::days(9), 0, true, true, false),
                        (today - Duration::days(2), 1, false, true, false),
                    ],
                };
                check(&case).unwrap();
            }
        }
    }
}

/// End to end, over real HTTP: a phone signed in to a server on England and Wales' calendar in
/// New Zealand's zone (where the date is a day ahead of UTC for half of each UTC day) receives
/// those settings at sign-in and shows the due states the server gives a manager.
#[tokio::test]
async fn a_phone_shows_the_due_states_its_server_decides_on_the_servers_calendar_and_zone() {
    let dir = tempfile::tempdir().unwrap();
    let zone = Tz::Pacific__Auckland;
    let config = Config {
        calendar: CalendarName::EnglandAndWales,
        clock: BusinessClock::live(zone),
        ..Config::default()
    };
    let server = TestServer::start_with(dir.path(), "127.0.0.1:0".parse().unwrap(), config).await.unwrap();
    let sam = FieldApp::sign_in(&server, "sam.social").await.unwrap();
    let settings = sam.store.settings().unwrap().expect("the settings arrived at sign-in");
    assert_eq!((settings.calendar, settings.time_zone), (CalendarName::EnglandAndWales, zone));

    let real_now = Utc::now();
    let today = sam.store.today(real_now).unwrap();
    assert_eq!(today, shared::authority_date(zone, real_now), "the phone's today is the date in Auckland");
    let manager = server.sign_in_as("tara.manager").await.unwrap();
    let absence = serde_json::json!({
        "worker_id": sam.worker().unwrap().id, "kind": "sickness",
        "starts_on": today, "expected_end": today + Duration::days(60),
    });
    let (status, recorded) =
        server.post_json(&manager.access_token, "/api/absences", &absence).await.unwrap();
    assert_eq!(status, 201, "{recorded}");
    let due = recorded["children_due"].as_array().expect("children due");
    assert!(due.len() >= 5, "most of Sam's caseload falls due in 60 days: {recorded}");
    let caseload = sam.store.caseload(today).unwrap();
    for item in due {
        let child: ChildId = serde_json::from_value(item["child_id"].clone()).unwrap();
        let server_state: shared::DueState = serde_json::from_value(item["state"].clone()).unwrap();
        let entry = caseload.iter().find(|e| e.child.id == child).expect("the child is on the phone");
        assert_eq!(entry.due_state, Some(server_state), "{}", entry.child.central_id);
    }
}
