//! Chronology dates are shown in the authority's time zone: an escalation raised at 23:30 UTC
//! on a summer evening is dated the next day in Jersey, at 00:30.

mod oversight_support;

use std::collections::HashMap;

use chrono::{TimeZone, Utc};
use oversight_support::*;
use rstest::rstest;
use shared::*;
use sync_server::reports::{ChronologyInput, ChronologyKind, chronology};

#[rstest]
#[case::summer_evening_in_jersey_is_the_next_day(Tz::Europe__Jersey, "2026-07-02", "00:30")]
#[case::summer_evening_in_london_is_the_next_day(Tz::Europe__London, "2026-07-02", "00:30")]
#[case::utc_shows_the_utc_date(Tz::UTC, "2026-07-01", "23:30")]
fn an_escalation_raised_at_2330_utc_in_summer_is_dated_in_the_authoritys_zone(
    #[case] time_zone: Tz,
    #[case] expected_date: &str,
    #[case] expected_time: &str,
) {
    let raised = Escalation {
        id: fixed(900),
        child_id: fixed(1),
        reason: EscalationReason::NotSeenAlone { visit_id: fixed(11) },
        level: EscalationLevel::TeamManager,
        to: Some(fixed(TEAM_MANAGER)),
        raised_at: Utc.with_ymd_and_hms(2026, 7, 1, 23, 30, 0).unwrap(),
        re_raised_at: None,
        status: EscalationStatus::Open,
        history: Vec::new(),
        basis: None,
    };
    let child = child(1);
    let workers = HashMap::new();
    let found = chronology(&ChronologyInput {
        child: &child,
        earlier_records: &[],
        visits: &[],
        escalations: &[raised],
        covers: &[],
        worker_names: &workers,
        calendar: Calendar::jersey(),
        today: date("2026-07-02"),
        now: Utc.with_ymd_and_hms(2026, 7, 2, 8, 0, 0).unwrap(),
        time_zone,
    });
    let entry = found
        .entries
        .iter()
        .find(|e| e.kind == ChronologyKind::EscalationRaised)
        .expect("the escalation is in the chronology");
    assert_eq!(entry.date, date(expected_date));
    assert_eq!(entry.time.as_deref(), Some(expected_time));
}
