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
        seen_alone_decisions: &[],
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

/// A visit not seen alone names the standing decision that covered it exactly when the sweep
/// asked no manager because of it, judged on the same date: the worker's own. Here a phone on
/// UTC records a visit at 23:30 on the decision's last day, which is 00:30 the next day in
/// London (summer time), the day a manager ended the decision: the sweep counts it covered,
/// so the chronology, dated the next day, says so; a visit later that day is neither.
#[test]
fn a_visit_names_the_standing_decision_exactly_when_the_sweep_counted_it_covered() {
    let child = child(1);
    let decision = SeenAloneDecision {
        id: fixed(500),
        child_id: fixed(1),
        reason: "Baby".into(),
        starts_on: date("2026-07-01"),
        ends_on: date("2026-09-30"),
        decided_by: fixed(TEAM_MANAGER),
        decided_by_name: "Tara Testmanager".into(),
        decided_at: Utc.with_ymd_and_hms(2026, 7, 1, 9, 0, 0).unwrap(),
        ended: Some(SeenAloneDecisionEnd {
            last_day: date("2026-07-15"),
            reason: "She is talking now".into(),
            ended_by: fixed(TEAM_MANAGER),
            ended_by_name: "Tara Testmanager".into(),
            ended_at: Utc.with_ymd_and_hms(2026, 7, 16, 8, 0, 0).unwrap(),
        }),
    };
    let mut late = not_alone(10, "2026-07-15", false);
    late.started_at = at("2026-07-15", 23) + chrono::Duration::minutes(30);
    late.ended_at = late.started_at + chrono::Duration::minutes(20);
    late.recorded_at = late.ended_at.with_timezone(&Utc);
    let next_morning = not_alone(11, "2026-07-16", false);
    let visits = [late.clone(), next_morning.clone()];
    let decisions = [decision];

    let raised: Vec<EscalationReason> = sweep_with_decisions(
        &child,
        &visits,
        &[],
        &decisions,
        Utc.with_ymd_and_hms(2026, 7, 16, 15, 0, 0).unwrap(),
    )
    .iter()
    .map(|change| change.escalation().reason.clone())
    .collect();
    assert!(!raised.contains(&EscalationReason::NotSeenAlone { visit_id: late.id }), "{raised:?}");
    assert!(raised.contains(&EscalationReason::NotSeenAlone { visit_id: next_morning.id }), "{raised:?}");

    let workers = HashMap::new();
    let found = chronology(&ChronologyInput {
        child: &child,
        earlier_records: &[],
        visits: &visits,
        escalations: &[],
        covers: &[],
        seen_alone_decisions: &decisions,
        worker_names: &workers,
        calendar: Calendar::jersey(),
        today: date("2026-07-16"),
        now: Utc.with_ymd_and_hms(2026, 7, 16, 15, 0, 0).unwrap(),
        time_zone: Tz::Europe__London,
    });
    let covered: Vec<(String, bool)> = found
        .entries
        .iter()
        .filter(|e| e.kind == ChronologyKind::Visit)
        .map(|e| {
            let names = e.summary.contains("Covered by Tara Testmanager's standing decision of 01/07/2026");
            (format!("{} {}", e.date, e.time.clone().unwrap_or_default()), names)
        })
        .collect();
    assert_eq!(covered, [("2026-07-16 00:30".to_owned(), true), ("2026-07-16 11:00".to_owned(), false)]);
}
