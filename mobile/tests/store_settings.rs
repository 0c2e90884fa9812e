//! The authority's settings on the phone: the calendar, time zone and schedule rules come from
//! the server (at sign-in and in every pull), are kept in the encrypted store, and decide every
//! due state and "today". Nothing about the calendar is built into the app.

mod core_fixtures;

use chrono::{TimeZone, Utc};
use core_fixtures::*;
use mobile::store::SessionRecord;
use shared::schedule::DueState;
use shared::sync::{AuthoritySettings, Cursor, PROTOCOL_VERSION, PullResponse, TokenResponse};
use shared::{BusinessClock, CalendarName, DeviceId, Role, ScheduleRules, Tz, Worker};

fn pull_with(settings: Option<AuthoritySettings>) -> PullResponse {
    PullResponse {
        protocol: PROTOCOL_VERSION,
        events: vec![],
        cursor: Cursor("c".into()),
        more: false,
        settings,
    }
}

/// Registered Thursday 1 May 2025, a visit every 5 working days. The early May bank holiday
/// (5 May) is a holiday in both; Liberation Day (Friday 9 May) only in Jersey. So the first
/// visit is due Friday 9 May in England and Wales, Monday 12 May in Jersey.
fn child_due_around_liberation_day() -> shared::Child {
    let mut child = child();
    let plan = child.plan.as_mut().unwrap();
    plan.registered_on = date(2025, 5, 1);
    plan.visit_frequency_working_days = 5;
    child
}

#[test]
fn before_the_server_has_sent_its_settings_no_due_state_is_shown() {
    let (_dir, _local, store) = unlocked_store();
    store.put_child(&child_due_around_liberation_day()).unwrap();
    assert_eq!(store.settings().unwrap(), None);
    let caseload = store.caseload(date(2025, 5, 9)).unwrap();
    assert_eq!(caseload.len(), 1, "the child is listed");
    assert_eq!(caseload[0].due_state, None, "but no due state is guessed");
}

#[rstest::rstest]
#[case::jersey_keeps_liberation_day(CalendarName::Jersey, DueState::DueSoon { due: date(2025, 5, 12), working_days_left: 1 })]
#[case::england_and_wales_works_on_9_may(CalendarName::EnglandAndWales, DueState::DueToday { due: date(2025, 5, 9) })]
fn the_caseload_uses_the_calendar_the_server_sent(
    #[case] calendar: CalendarName,
    #[case] expected: DueState,
) {
    let (_dir, _local, store) = unlocked_store();
    store.apply_pull(&pull_with(Some(settings(calendar))), afternoon()).unwrap();
    store.put_child(&child_due_around_liberation_day()).unwrap();
    let caseload = store.caseload(date(2025, 5, 9)).unwrap();
    assert_eq!(caseload[0].due_state, Some(expected));
}

#[test]
fn sign_in_keeps_the_settings_it_carries() {
    let (_dir, _local, store) = unlocked_store();
    let tokens = TokenResponse {
        access_token: "not-a-real-token".into(),
        access_expires_at: afternoon(),
        refresh_token: "not-a-real-refresh".into(),
        worker: Worker { id: WORKER, name: "Sam Testworker".into(), role: Role::SocialWorker, team: None },
        settings: Some(settings(CalendarName::EnglandAndWales)),
    };
    store.save_session(&SessionRecord::new("http://127.0.0.1:1", DeviceId::new(), tokens)).unwrap();
    assert_eq!(store.settings().unwrap(), Some(settings(CalendarName::EnglandAndWales)));
}

#[test]
fn a_pull_with_changed_settings_replaces_the_ones_held() {
    let (_dir, _local, store) = unlocked_store();
    store.apply_pull(&pull_with(Some(settings(CalendarName::Jersey))), afternoon()).unwrap();
    let changed = settings(CalendarName::EnglandAndWales);
    assert_ne!(changed.fingerprint, settings(CalendarName::Jersey).fingerprint);
    store.apply_pull(&pull_with(Some(changed.clone())), afternoon()).unwrap();
    assert_eq!(store.settings().unwrap(), Some(changed.clone()));
    // A pull from an older server without settings leaves them as they are.
    store.apply_pull(&pull_with(None), afternoon()).unwrap();
    assert_eq!(store.settings().unwrap(), Some(changed));
}

#[test]
fn today_on_the_phone_is_the_date_in_the_authoritys_zone() {
    let (_dir, _local, store) = unlocked_store();
    let summer_evening = Utc.with_ymd_and_hms(2026, 7, 1, 23, 30, 0).unwrap();
    store.apply_pull(&pull_with(Some(settings(CalendarName::Jersey))), afternoon()).unwrap();
    assert_eq!(store.today(summer_evening).unwrap(), date(2026, 7, 2), "already 2 July in Jersey");
    assert_eq!(store.business_now(summer_evening).unwrap(), summer_evening, "a live service's clock");
}

#[test]
fn on_a_training_service_the_phone_follows_the_servers_clock() {
    let (_dir, _local, store) = unlocked_store();
    let real_now = Utc.with_ymd_and_hms(2026, 11, 30, 14, 0, 0).unwrap();
    let training = Utc.with_ymd_and_hms(2026, 3, 2, 14, 0, 0).unwrap();
    let settings = AuthoritySettings::new(
        CalendarName::Jersey,
        &BusinessClock::starting_at(Tz::Europe__Jersey, training, real_now),
        ScheduleRules::default(),
    );
    store.apply_pull(&pull_with(Some(settings)), afternoon()).unwrap();
    assert_eq!(store.today(real_now).unwrap(), date(2026, 3, 2));
    assert_eq!(store.business_now(real_now).unwrap(), training);
}

#[test]
fn a_new_draft_suggests_the_next_visit_on_the_calendar_the_server_sent() {
    // Seen on Thursday 8 May 2025, a visit every 1 working day: Friday 9 May in England and
    // Wales; Monday 12 May in Jersey, where 9 May is Liberation Day.
    let mut child = child_due_around_liberation_day();
    child.plan.as_mut().unwrap().visit_frequency_working_days = 1;
    let start = chrono::FixedOffset::east_opt(3600).unwrap().with_ymd_and_hms(2025, 5, 8, 10, 0, 0).unwrap();
    for (calendar, expected) in
        [(CalendarName::Jersey, date(2025, 5, 12)), (CalendarName::EnglandAndWales, date(2025, 5, 9))]
    {
        let draft = mobile::draft::VisitDraft::new_for(
            &child,
            WORKER,
            shared::WorkerCapacity::KeyWorker,
            start,
            None,
            calendar,
        );
        assert_eq!(draft.next_visit_planned, Some(expected), "{calendar:?}");
        assert_eq!(draft.suggested_next_visit(&child), Some(expected), "{calendar:?}");
    }
}
