//! Chronology, compliance report and Annex A List 7: named cases, each asserting what a manager
//! or an inspector would see.

mod oversight_support;

use std::collections::HashMap;

use oversight_support::*;
use rstest::rstest;
use shared::*;
use sync_server::reports::{
    ANNEX_A_LIST_7_COLUMNS, ChronologyInput, ChronologyKind, ComplianceInput, annex_a_list_7_csv,
    annex_a_list_7_csv_with, chronology, chronology_csv, chronology_html, compliance_report, replay_schedule,
};

const TODAY: &str = "2026-04-20";

/// Child 1 (key worker 100, team 200): seen alone with words on 12 March (in time for the 16th);
/// seen late on 30 March, not alone and without a manager's agreement, no words; a missed
/// statutory visit on 14 April; overdue since the 15th (Easter falls between).
fn child_one_visits() -> Vec<Visit> {
    vec![
        visit(10, "2026-03-12"),
        Visit { child_words: vec![], ..not_alone(11, "2026-03-30", false) },
        not_seen(12, "2026-04-14"),
    ]
}

/// Child 2 (key worker 101, team 201): first seen on 10 April, late; the mother's Polish
/// interpreter did not come.
fn child_two() -> (Child, Vec<Visit>) {
    let mut c = child(2);
    let plan = c.plan.as_mut().unwrap();
    plan.key_worker = fixed(101);
    plan.team = fixed(201);
    let v = Visit { child_id: fixed(2), worker_id: fixed(101), ..interpreter_not_used(20, "2026-04-10") };
    (c, vec![v])
}

fn names() -> (HashMap<TeamId, String>, HashMap<WorkerId, String>) {
    let teams = HashMap::from([(fixed(200), "Team One".to_owned()), (fixed(201), "Team Two".to_owned())]);
    let workers = HashMap::from([
        (fixed(100), "Jo Testworker".to_owned()),
        (fixed(101), "Sam Testworker".to_owned()),
        (fixed(TEAM_MANAGER), "Tara Testmanager".to_owned()),
        (fixed(DUTY_WORKER), "Dana Testduty".to_owned()),
    ]);
    (teams, workers)
}

// ---- The schedule replayed. ----

#[rstest]
#[case::never_seen_one_miss(&[], "2026-03-20", &[("2026-03-16", None)])]
#[case::not_yet_due(&[], "2026-03-16", &[])]
#[case::seen_in_time_then_due_later(&["2026-03-12"], "2026-03-20", &[("2026-03-16", Some("2026-03-12"))])]
#[case::seen_late_then_missed_twice(
    &["2026-03-18"], "2026-04-20",
    &[("2026-03-16", Some("2026-03-18")), ("2026-04-01", None), ("2026-04-17", None)]
)]
fn replaying_the_schedule_finds_each_due_date_and_whether_it_was_met(
    #[case] seen: &[&str],
    #[case] until: &str,
    #[case] expected: &[(&str, Option<&str>)],
) {
    let seen: Vec<_> = seen.iter().map(|d| date(d)).collect();
    let found = replay_schedule(Calendar::jersey(), &plan(), &seen, date(until));
    let found: Vec<_> = found.iter().map(|o| (o.due, o.met_on)).collect();
    let expected: Vec<_> = expected.iter().map(|(d, m)| (date(d), m.map(date))).collect();
    assert_eq!(found, expected);
}

// ---- Chronology. ----

fn child_one_chronology() -> sync_server::reports::Chronology {
    let c = child(1);
    let visits = child_one_visits();
    let raised = Escalation {
        id: fixed(900),
        child_id: fixed(1),
        reason: EscalationReason::NotSeenAlone { visit_id: fixed(11) },
        level: EscalationLevel::TeamManager,
        to: Some(fixed(TEAM_MANAGER)),
        raised_at: utc("2026-03-30", 15),
        re_raised_at: None,
        history: Vec::new(),
        basis: None,
        status: EscalationStatus::Acknowledged {
            action: EscalationAction::SeenAloneDisagreed { reason: "See him at school".into() },
            by: fixed(TEAM_MANAGER),
            at: utc("2026-03-31", 9),
        },
    };
    let cover = CoverAssignment {
        id: fixed(800),
        ..fixtures::cover(fixed(1), fixed(DUTY_WORKER), date("2026-04-08"), date("2026-04-10"))
    };
    let (_, workers) = names();
    chronology(&ChronologyInput {
        child: &c,
        earlier_records: &[],
        visits: &visits,
        escalations: &[raised],
        covers: &[cover],
        seen_alone_decisions: &[],
        worker_names: &workers,
        calendar: Calendar::jersey(),
        today: date(TODAY),
        now: utc(TODAY, 12),
        time_zone: shared::Tz::Europe__London,
    })
}

#[test]
fn the_chronology_lists_every_event_in_date_order() {
    let chronology = child_one_chronology();
    let kinds: Vec<(String, ChronologyKind)> =
        chronology.entries.iter().map(|e| (e.date.to_string(), e.kind)).collect();
    use ChronologyKind::*;
    let expected = vec![
        ("2026-03-02", Registered),
        ("2026-03-12", Visit),
        ("2026-03-26", VisitOverdue),
        ("2026-03-30", Visit),
        ("2026-03-30", EscalationRaised),
        ("2026-03-31", EscalationAcknowledged),
        ("2026-04-08", CoverStarted),
        ("2026-04-10", CoverEnded),
        ("2026-04-14", MissedVisit),
        ("2026-04-15", VisitOverdue),
    ];
    let expected: Vec<(String, ChronologyKind)> =
        expected.into_iter().map(|(d, k)| (d.to_owned(), k)).collect();
    assert_eq!(kinds, expected);
    let dates: Vec<_> = chronology.entries.iter().map(|e| e.date).collect();
    assert!(dates.windows(2).all(|w| w[0] <= w[1]));
}

#[test]
fn each_visit_shows_seen_seen_alone_and_the_childs_own_words() {
    let chronology = child_one_chronology();
    let first = chronology.entries.iter().find(|e| e.date == date("2026-03-12")).unwrap();
    assert_eq!((first.seen, first.seen_alone), (Some(true), Some(true)));
    assert_eq!(first.child_words, vec!["words from 2026-03-12"]);
    assert_eq!(first.worker.as_deref(), Some("Jo Testworker"));
    let not_alone = chronology
        .entries
        .iter()
        .find(|e| e.date == date("2026-03-30") && e.kind == ChronologyKind::Visit)
        .unwrap();
    assert_eq!(not_alone.seen_alone, Some(false));
    assert!(not_alone.summary.contains("No manager's agreement"), "{}", not_alone.summary);
    let late = chronology.entries.iter().find(|e| e.kind == ChronologyKind::VisitOverdue).unwrap();
    assert_eq!(
        late.summary,
        "Statutory visit due by 26/03/2026 was late: the child was next seen on 30/03/2026 (2 working days late)."
    );
    let missed = chronology.entries.iter().rfind(|e| e.kind == ChronologyKind::VisitOverdue).unwrap();
    assert_eq!(
        missed.summary,
        "Statutory visit due by 15/04/2026 not made: the child has not been seen since (3 working days overdue on 20/04/2026)."
    );
    let acted = chronology.entries.iter().find(|e| e.kind == ChronologyKind::EscalationAcknowledged).unwrap();
    assert!(acted.summary.contains("must be seen alone") && acted.summary.contains("Tara Testmanager"));
}

#[test]
fn a_plan_change_between_records_appears_in_the_chronology() {
    let before = child(1);
    let mut after = child(1);
    after.plan.as_mut().unwrap().harms = vec![HarmCategory::Neglect, HarmCategory::Emotional];
    after.plan.as_mut().unwrap().latest_review_conference = Some(date("2026-04-01"));
    let (_, workers) = names();
    let chronology = chronology(&ChronologyInput {
        child: &after,
        earlier_records: &[before],
        visits: &[],
        escalations: &[],
        covers: &[],
        seen_alone_decisions: &[],
        worker_names: &workers,
        calendar: Calendar::jersey(),
        today: date("2026-03-10"),
        now: utc("2026-03-10", 12),
        time_zone: shared::Tz::Europe__London,
    });
    let change =
        chronology.entries.iter().find(|e| e.kind == ChronologyKind::PlanChanged).expect("plan change");
    assert!(change.summary.contains("emotional abuse"), "{}", change.summary);
    assert!(chronology.entries.iter().any(|e| e.kind == ChronologyKind::ReviewConference));
}

#[test]
fn the_csv_chronology_has_a_header_and_one_row_per_event() {
    let chronology = child_one_chronology();
    let csv = chronology_csv(&chronology).unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(header[0], "Date");
    assert_eq!(header[6], "Child's own words");
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), chronology.entries.len());
    assert_eq!(&rows[1][0], "12/03/2026");
    assert_eq!(&rows[1][5], "Yes");
    assert!(rows[1][6].contains("words from 2026-03-12"));
}

#[test]
fn the_html_chronology_escapes_everything_and_prints_well() {
    let mut c = child(1);
    c.given_name = "<script>alert(1)</script>".into();
    let v = Visit {
        child_words: vec![Quote { text: "Mum & \"Dad\" <shout>".into() }],
        ..visit(10, "2026-03-12")
    };
    let (_, workers) = names();
    let html = chronology_html(&chronology(&ChronologyInput {
        child: &c,
        earlier_records: &[],
        visits: &[v],
        escalations: &[],
        covers: &[],
        seen_alone_decisions: &[],
        worker_names: &workers,
        calendar: Calendar::jersey(),
        today: date("2026-03-13"),
        now: utc("2026-03-13", 12),
        time_zone: shared::Tz::Europe__London,
    }));
    assert!(!html.contains("<script>"), "a name must never become markup");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("Mum &amp; &quot;Dad&quot; &lt;shout&gt;"));
    assert!(html.contains("@page") && html.contains("thead { display: table-header-group; }"));
    assert!(html.starts_with("<!DOCTYPE html>"));
}

// ---- Compliance. ----

#[test]
fn the_compliance_report_measures_what_the_audit_measured() {
    let one = child(1);
    let one_visits = child_one_visits();
    let (two, two_visits) = child_two();
    let (teams, workers) = names();
    let report = compliance_report(
        &ComplianceInput {
            from: date("2026-03-01"),
            to: date(TODAY),
            today: date(TODAY),
            calendar: Calendar::jersey(),
            rules: &ScheduleRules::default(),
            team_names: &teams,
            worker_names: &workers,
            recorded: &HashMap::new(),
            earlier_records: &HashMap::new(),
            period_ends_at: utc("2026-04-21", 0),
        },
        vec![(&one, one_visits.as_slice()), (&two, two_visits.as_slice())],
    );

    let service = &report.service;
    assert_eq!(service.children, 2);
    // Child 1: due 16 Mar met in time, due 26 Mar met late, due 15 Apr missed. Child 2: due
    // 16 Mar missed, due 30 Mar (ten working days after the missed one) met late on 10 Apr.
    assert_eq!((service.statutory_visits_due, service.statutory_visits_on_time), (5, 1));
    assert_eq!((service.statutory_visits_late, service.statutory_visits_missed), (2, 2));
    assert_eq!(service.statutory_on_time_percent, Some(20.0));
    assert_eq!((service.visits_child_seen, service.visits_seen_alone), (3, 2));
    assert_eq!(service.seen_alone_percent, Some(66.7));
    assert_eq!(service.visits_with_child_words, 2);
    assert_eq!((service.visits_needing_interpreter, service.visits_interpreter_needs_met), (1, 0));
    assert_eq!(service.interpreter_met_percent, Some(0.0));
    assert_eq!(service.children_overdue_now, 1);

    assert_eq!(report.teams.len(), 2);
    let team_one = report.teams.iter().find(|t| t.team_name == "Team One").unwrap();
    assert_eq!(team_one.figures.statutory_on_time_percent, Some(33.3));
    assert_eq!(team_one.figures.interpreter_met_percent, None, "no need, no percentage");
    let sam = report.workers.iter().find(|w| w.worker_name == "Sam Testworker").unwrap();
    assert_eq!(sam.figures.seen_alone_percent, Some(100.0));

    // Working days since each child was last seen, the longest first.
    let since: Vec<_> =
        report.children.iter().map(|c| (c.central_id.as_str(), c.working_days_since_seen)).collect();
    assert_eq!(since, vec![("JY-000001", Some(13)), ("JY-000002", Some(6))]);
    assert!(report.children[0].overdue_now);
}

#[test]
fn a_range_before_any_visit_counts_nothing_seen() {
    let one = child(1);
    let visits = child_one_visits();
    let (teams, workers) = names();
    let report = compliance_report(
        &ComplianceInput {
            from: date("2026-03-02"),
            to: date("2026-03-06"),
            today: date(TODAY),
            calendar: Calendar::jersey(),
            rules: &ScheduleRules::default(),
            team_names: &teams,
            worker_names: &workers,
            recorded: &HashMap::new(),
            earlier_records: &HashMap::new(),
            period_ends_at: utc("2026-03-07", 0),
        },
        vec![(&one, visits.as_slice())],
    );
    assert_eq!(report.service.visits_child_seen, 0);
    assert_eq!(report.service.seen_alone_percent, None);
    assert_eq!(report.service.statutory_visits_due, 0);
}

// ---- Annex A List 7. ----

#[test]
fn annex_a_list_7_has_ofsteds_columns_in_ofsteds_order() {
    let one = child(1);
    let visits = child_one_visits();
    let (two, two_visits) = child_two();
    let (teams, workers) = names();
    let csv = annex_a_list_7_csv(
        vec![(&one, visits.as_slice()), (&two, two_visits.as_slice())],
        date("2025-04-21"),
        date(TODAY),
        &teams,
        &workers,
    )
    .unwrap();
    insta::assert_snapshot!(csv);
}

#[test]
fn annex_a_columns_match_the_shared_note_when_it_is_beside_the_checkout() {
    let note = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/notes/annex-a-list-7.md");
    let Ok(text) = std::fs::read_to_string(&note) else {
        // CI lays shared/ beside the checkout; a bare clone elsewhere has only the snapshot.
        return;
    };
    let columns: Vec<String> = text
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            (cells.len() > 3 && cells[1].parse::<u32>().is_ok()).then(|| cells[2].to_owned())
        })
        .collect();
    assert_eq!(columns, ANNEX_A_LIST_7_COLUMNS.map(str::to_owned).to_vec());
}

#[test]
fn annex_a_leaves_out_children_not_on_a_plan_in_the_period() {
    let mut ended = child(3);
    ended.plan.as_mut().unwrap().registered_on = date("2023-01-02");
    ended.plan.as_mut().unwrap().deregistered_on = Some(date("2024-01-02"));
    let (teams, workers) = names();
    let csv = annex_a_list_7_csv(vec![(&ended, &[][..])], date("2025-04-21"), date(TODAY), &teams, &workers)
        .unwrap();
    assert_eq!(csv.lines().count(), 1, "header only: {csv}");
}

// ---- Annex A List 7, complete (issue 11): a synthetic cohort with every value of every column. ----

const CATEGORIES: [&[HarmCategory]; 5] = [
    &[HarmCategory::Neglect],
    &[HarmCategory::Physical],
    &[HarmCategory::Sexual],
    &[HarmCategory::Emotional],
    &[HarmCategory::Neglect, HarmCategory::Emotional],
];

/// Twenty-one children on plans registered 2 March 2026 (one unborn), cycling through every
/// gender, ethnicity code, disability answer, category, seen-alone answer, emergency protection
/// answer and count of previous plans; child 4 also had a plan that ended on 1 December 2025,
/// within the six months before the list, so it has a row of its own.
fn annex_cohort() -> Vec<(Child, Vec<Visit>)> {
    let genders = [
        Some(child::Gender::Male),
        Some(child::Gender::Female),
        Some(child::Gender::NotStated),
        Some(child::Gender::Neither),
        None,
    ];
    let disabilities = [Some(Disability::Yes), Some(Disability::No), Some(Disability::Unknown), None];
    (0..21usize)
        .map(|i| {
            let n = 1 + i as u128;
            let mut c = child(n);
            c.gender = genders[i % 5];
            c.details.ethnicity = Ethnicity::ALL.get(i).copied();
            c.details.disability = disabilities[i % 4];
            c.details.emergency_protection = match i % 3 {
                0 => Some(vec![date("2026-02-01")]),
                1 => Some(vec![date("2025-01-01")]),
                _ => None,
            };
            let plan = c.plan.as_mut().unwrap();
            let initial = CATEGORIES[i % 5].to_vec();
            let latest = if i % 2 == 0 { CATEGORIES[(i + 1) % 5].to_vec() } else { initial.clone() };
            if latest != initial {
                plan.details.category_history = vec![
                    CategoryChange { from: date("2026-03-02"), harms: initial },
                    CategoryChange { from: date("2026-03-20"), harms: latest.clone() },
                ];
            }
            plan.harms = latest;
            if i % 2 == 0 {
                plan.latest_review_conference = Some(date("2026-04-01"));
            }
            if i % 7 == 6 {
                plan.deregistered_on = Some(date("2026-04-15"));
            }
            let earlier = |from: &str, to: &str, harms: &[HarmCategory]| PreviousPlan {
                registered_on: date(from),
                deregistered_on: date(to),
                initial_harms: harms.to_vec(),
                latest_harms: harms.to_vec(),
                pre_birth: false,
            };
            if i == 3 {
                c.details.previous_plans =
                    vec![earlier("2025-06-01", "2025-12-01", &[HarmCategory::Physical])];
            }
            if i == 4 {
                c.details.previous_plans = vec![
                    earlier("2019-01-07", "2019-09-30", &[HarmCategory::Neglect]),
                    earlier("2022-02-01", "2022-11-30", &[HarmCategory::Emotional]),
                ];
            }
            if i == 20 {
                c.given_name = String::new();
                c.date_of_birth = None;
                c.details.expected_date_of_birth = Some(date("2026-06-01"));
                plan.details.pre_birth = true;
            }
            let seen = Visit { id: fixed(5000 + n), child_id: fixed(n), ..visit(1, "2026-04-10") };
            let visits = match i {
                2 => vec![Visit { seen_alone: None, ..seen }],
                _ if i % 3 == 0 => vec![seen],
                _ if i % 3 == 1 => {
                    vec![Visit {
                        id: fixed(5000 + n),
                        child_id: fixed(n),
                        ..not_alone(1, "2026-04-10", true)
                    }]
                }
                _ => vec![],
            };
            (c, visits)
        })
        .collect()
}

fn annex_cohort_csv() -> String {
    let cohort = annex_cohort();
    let (teams, workers) = names();
    // Child 2's review conference was recorded here, not in the central record.
    let reviews = HashMap::from([(fixed::<ChildId>(2), vec![date("2026-04-08")])]);
    annex_a_list_7_csv_with(
        cohort.iter().map(|(c, v)| (c, v.as_slice())),
        date("2025-10-20"),
        date(TODAY),
        &teams,
        &workers,
        &reviews,
    )
    .unwrap()
}

#[test]
fn annex_a_list_7_over_a_cohort_with_every_value_of_every_column() {
    insta::assert_snapshot!(annex_cohort_csv());
}

#[rstest]
#[case::c01_child_unique_id(0, &[])]
#[case::c02_gender(1, &["a) Male", "b) Female", "c) Not stated/recorded", "d) Neither", ""])]
#[case::c03_ethnicity(2, &[
    "a) WBRI", "b) WIRI", "c) WOTH", "d) WIRT", "e) WROM", "f) MWBC", "g) MWBA", "h) MWAS", "i) MOTH", "j) AIND",
    "k) APKN", "l) ABAN", "m) AOTH", "n) BCRB", "o) BAFR", "p) BOTH", "q) CHNE", "r) OOTH", "s) REFU", "t) NOBT", ""])]
#[case::c04_date_of_birth_blank_while_unborn(3, &["01/05/2016", ""])]
#[case::c05_age_blank_while_unborn(4, &["9", ""])]
#[case::c06_disability(5, &["a) Yes", "b) No", "c) Unknown", ""])]
#[case::c07_plan_start_date_of_each_plan(6, &["02/03/2026", "01/06/2025"])]
#[case::c08_initial_category_including_multiple(7, &[
    "a) Neglect", "b) Physical abuse", "c) Sexual abuse", "d) Emotional abuse", "e) Multiple/not recommended"])]
#[case::c09_latest_category_including_multiple(8, &[
    "a) Neglect", "b) Physical abuse", "c) Sexual abuse", "d) Emotional abuse", "e) Multiple/not recommended"])]
#[case::c10_last_statutory_visit_within_the_plan(9, &["10/04/2026", ""])]
#[case::c11_seen_alone(10, &["a) Yes", "b) No", "c) Unknown", ""])]
#[case::c12_latest_review_conference_within_the_plan(11, &["01/04/2026", "08/04/2026", ""])]
#[case::c13_plan_end_date(12, &["15/04/2026", "01/12/2025", ""])]
#[case::c14_emergency_protection_in_the_last_six_months(13, &["a) Yes", "b) No", ""])]
#[case::c15_number_of_previous_plans(14, &["0", "1", "2"])]
#[case::c16_allocated_team(15, &["Team One", ""])]
#[case::c17_allocated_worker(16, &["Jo Testworker", ""])]
fn each_annex_a_column_takes_every_value_from_recorded_data(#[case] column: usize, #[case] values: &[&str]) {
    let csv = annex_cohort_csv();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 22, "21 current plans and one ended in the six months before: {csv}");
    let found: std::collections::BTreeSet<String> = rows.iter().map(|r| r[column].to_owned()).collect();
    if column == 0 {
        assert_eq!(found.len(), 21, "one id per child; the earlier plan's row shares its child's id");
        return;
    }
    let expected: std::collections::BTreeSet<String> = values.iter().map(|v| (*v).to_owned()).collect();
    assert_eq!(found, expected, "column {}", ANNEX_A_LIST_7_COLUMNS[column]);
}

#[test]
fn annex_a_counts_previous_plans_before_each_plan_and_lists_the_unborn_child() {
    let csv = annex_cohort_csv();
    let child_4: Vec<&str> = csv.lines().filter(|l| l.starts_with("JY-000004,")).collect();
    assert_eq!(child_4.len(), 2, "{csv}");
    assert!(child_4[0].contains(",01/06/2025,") && child_4[0].contains(",01/12/2025,"), "{}", child_4[0]);
    assert!(child_4[0].ends_with(",0,,"), "the earlier plan had none before it: {}", child_4[0]);
    assert!(child_4[1].contains(",1,Team One,"), "the current plan had one before it: {}", child_4[1]);
    let unborn = csv.lines().find(|l| l.starts_with("JY-000021,")).expect("the unborn child is listed");
    assert!(unborn.contains(",,,"), "no date of birth or age yet: {unborn}");
}

// ---- The plan's timeline in the chronology (issue 11). ----

#[test]
fn core_groups_reviews_and_supervision_appear_in_the_chronology_on_their_day() {
    use shared::timeline::{AgreedAction, MeetingKind, Supervision};
    let mut chronology = child_one_chronology();
    let mut meeting = meeting(900, MeetingKind::CoreGroup, "2026-03-18");
    meeting.actions = vec![AgreedAction {
        id: fixed(901),
        description: "Report attendance weekly".into(),
        owner: "School".into(),
        due_on: date("2026-03-27"),
    }];
    let review = meeting_review();
    let supervision = Supervision {
        id: fixed(950),
        child_id: fixed(1),
        held_on: date("2026-04-02"),
        reflection: "Risk reducing.".into(),
        decisions: vec!["Continue".into()],
        actions: vec![],
        recorded_by: fixed(TEAM_MANAGER),
        recorded_by_name: "Tara Testmanager".into(),
        recorded_at: utc("2026-04-02", 15),
    };
    sync_server::reports::add_timeline_entries(&mut chronology, &[meeting, review], &[supervision]);
    let dated: Vec<(NaiveDateString, ChronologyKind)> = chronology
        .entries
        .iter()
        .filter(|e| {
            matches!(
                e.kind,
                ChronologyKind::CoreGroup | ChronologyKind::Supervision | ChronologyKind::ReviewConference
            )
        })
        .map(|e| (e.date.to_string(), e.kind))
        .collect();
    assert_eq!(
        dated,
        vec![
            ("2026-03-18".to_owned(), ChronologyKind::CoreGroup),
            ("2026-03-25".to_owned(), ChronologyKind::ReviewConference),
            ("2026-04-02".to_owned(), ChronologyKind::Supervision),
        ]
    );
    let core = chronology.entries.iter().find(|e| e.kind == ChronologyKind::CoreGroup).unwrap();
    assert!(
        core.summary.contains("Report attendance weekly (owner: School, by 27/03/2026)"),
        "{}",
        core.summary
    );
    assert_eq!(core.worker.as_deref(), Some("Jo Testworker"));
    let dates: Vec<_> = chronology.entries.iter().map(|e| e.date).collect();
    assert!(dates.windows(2).all(|w| w[0] <= w[1]), "still in date order");
}

type NaiveDateString = String;

fn meeting_review() -> shared::timeline::PlanMeeting {
    meeting(910, shared::timeline::MeetingKind::ReviewConference, "2026-03-25")
}

// ---- The manager's desk. ----

fn desk_input<'a>(
    names: &'a (HashMap<TeamId, String>, HashMap<WorkerId, String>),
    recorded: &'a HashMap<(VisitId, u32), chrono::DateTime<chrono::Utc>>,
) -> sync_server::desk::DeskInput<'a> {
    sync_server::desk::DeskInput {
        today: date(TODAY),
        time_zone: shared::Tz::Europe__London,
        calendar: Calendar::jersey(),
        rules: &RULES,
        team_names: &names.0,
        worker_names: &names.1,
        recorded,
        earlier_records: &NO_CHANGES,
        months: 3,
    }
}

static NO_CHANGES: std::sync::LazyLock<sync_server::reports::EarlierRecords> =
    std::sync::LazyLock::new(HashMap::new);
static RULES: std::sync::LazyLock<ScheduleRules> = std::sync::LazyLock::new(ScheduleRules::default);

#[test]
fn the_desk_counts_each_month_as_the_compliance_report_does_and_a_late_sync_leaves_a_past_month_alone() {
    let names = names();
    let cases = vec![(child(1), child_one_visits())];
    let on_time = HashMap::new();
    let (months, workers) = sync_server::desk::monthly_figures(&desk_input(&names, &on_time), &cases);
    let month_names: Vec<String> = months.iter().map(|m| m.month.format("%m/%Y").to_string()).collect();
    assert_eq!(month_names, ["02/2026", "03/2026", "04/2026"]);
    // March: due 16th, met on the 12th (on time); due 26th, met late on the 30th.
    assert_eq!((months[1].statutory_due, months[1].statutory_on_time), (2, 1));
    assert_eq!((months[1].child_seen, months[1].seen_alone, months[1].child_words), (2, 1, 1));
    assert_eq!(workers.len(), 1);
    assert_eq!(workers[0].worker_name, "Jo Testworker");
    assert_eq!(workers[0].months[1], months[1], "one worker's figures are the whole team's here");

    // The 12 March visit reaches the server in April: March's figures stay as they were
    // reported at the end of March, without it.
    let late: HashMap<_, _> = HashMap::from([((fixed(10), 1), utc("2026-04-02", 9))]);
    let (after, _) = sync_server::desk::monthly_figures(&desk_input(&names, &late), &cases);
    assert_eq!(after[1].child_seen, 1, "the visit synced in April is not in March's bar");
    assert_eq!(after[2], months[2], "April is unchanged");
}

#[test]
fn the_desk_lists_overdue_children_first_and_counts_open_escalations_by_age() {
    let names = names();
    let recorded = HashMap::new();
    let input = desk_input(&names, &recorded);
    let cases = vec![(child(1), child_one_visits())];
    let due = sync_server::desk::children_due(&input, &cases);
    assert_eq!(due.len(), 1);
    assert!(due[0].due_words.starts_with("Overdue by"), "{}", due[0].due_words);
    assert_eq!(due[0].key_worker, "Jo Testworker");

    let escalation = |id: u128, raised: &str| Escalation {
        id: fixed(id),
        child_id: fixed(1),
        reason: EscalationReason::NotSeenAlone { visit_id: fixed(11) },
        level: EscalationLevel::TeamManager,
        to: Some(fixed(TEAM_MANAGER)),
        raised_at: utc(raised, 10),
        re_raised_at: None,
        history: Vec::new(),
        basis: None,
        status: EscalationStatus::Open,
    };
    let mut acted = escalation(3, "2026-04-01");
    acted.status = EscalationStatus::Acknowledged {
        action: EscalationAction::SeenAloneAgreed { reason: "Baby".into() },
        by: fixed(TEAM_MANAGER),
        at: utc("2026-04-03", 10),
    };
    let held = [escalation(1, "2026-04-18"), escalation(2, "2026-03-10"), acted];
    let child_names = HashMap::from([(fixed(1), "Robin Testchild".to_owned())]);
    let (open, bands) = sync_server::desk::open_escalations(&input, &held, &child_names);
    assert_eq!(open.iter().map(|e| e.age_days).collect::<Vec<_>>(), [41, 19, 2], "oldest first");
    let counts: Vec<(&str, u32)> = bands.iter().map(|b| (b.label.as_str(), b.open)).collect();
    assert_eq!(
        counts,
        [("Under a week", 1), ("1 to 2 weeks", 0), ("2 to 4 weeks", 1), ("4 weeks or more", 1)]
    );

    let months = sync_server::desk::escalation_months(&input, &held);
    assert_eq!(months[2].raised, 2, "two raised in April");
    assert_eq!(months[2].acted_on, 1);
    assert_eq!(months[2].mean_days_to_first_action, Some(2.0), "acted on two days after raising");
}

#[test]
fn the_desk_counts_an_escalation_resolved_in_the_month_it_first_closed_whoever_closed_it() {
    let names = names();
    let recorded = HashMap::new();
    let input = desk_input(&names, &recorded);
    let manager = Worker { name: "Tara Testmanager".into(), ..worker(TEAM_MANAGER, Role::TeamManager) };
    let entry = |day: &str, step: EscalationStep| EscalationEntry {
        at: utc(day, 11),
        on: date(day),
        step,
        level: EscalationLevel::TeamManager,
        to: Some(fixed(TEAM_MANAGER)),
        by: None,
        by_name: None,
        text: "The sweep's words.".into(),
    };
    let raised = |id: u128, reason: EscalationReason, day: &str| Escalation {
        id: fixed(id),
        child_id: fixed(1),
        reason,
        level: EscalationLevel::TeamManager,
        to: Some(fixed(TEAM_MANAGER)),
        raised_at: utc(day, 11),
        re_raised_at: None,
        history: vec![entry(day, EscalationStep::Raised)],
        basis: None,
        status: EscalationStatus::Open,
    };
    let overdue = |due: &str| EscalationReason::Overdue {
        due: date(due),
        working_days_overdue: 1,
        key_worker_absent: false,
    };
    // Not seen alone, answered in March: the answer closes it.
    let answered = sync_server::escalations::acknowledge(
        &raised(1, EscalationReason::NotSeenAlone { visit_id: fixed(11) }, "2026-03-10"),
        EscalationAction::SeenAloneAgreed { reason: "Baby".into() },
        &manager,
        date("2026-03-12"),
        utc("2026-03-12", 9),
    )
    .unwrap();
    // Overdue, seen late, and confirmed closed by the manager in April.
    let mut asked = raised(2, overdue("2026-03-16"), "2026-03-17");
    asked.record(entry("2026-03-31", EscalationStep::ConfirmationAsked));
    let confirmed = sync_server::escalations::acknowledge(
        &asked,
        EscalationAction::CloseConfirmed { explanation: "Seen; checked with the worker".into() },
        &manager,
        date("2026-04-02"),
        utc("2026-04-02", 9),
    )
    .unwrap();
    // Closed by the sweep in March, and raised again in April: March still counts it.
    let mut reopened = raised(3, overdue("2026-03-02"), "2026-03-03");
    reopened.record(entry("2026-03-20", EscalationStep::Closed));
    reopened.record(entry("2026-04-06", EscalationStep::RaisedAgain));

    let months = sync_server::desk::escalation_months(&input, &[answered, confirmed, reopened]);
    let resolved: Vec<u32> = months.iter().map(|m| m.resolved).collect();
    assert_eq!(resolved, [0, 2, 1], "February, March, April");
}

// ---- A chronology a court can rely on. ----

fn bare_input<'a>(
    c: &'a Child,
    visits: &'a [Visit],
    workers: &'a HashMap<WorkerId, String>,
) -> ChronologyInput<'a> {
    ChronologyInput {
        child: c,
        earlier_records: &[],
        visits,
        escalations: &[],
        covers: &[],
        seen_alone_decisions: &[],
        worker_names: workers,
        calendar: Calendar::jersey(),
        today: date(TODAY),
        now: utc(TODAY, 12),
        time_zone: shared::Tz::Europe__London,
    }
}

/// On a day with a supervision (recorded by date, with no time), a police call at 09:00 is
/// listed before the 11:00 visit. Before, entries added after the plan's meetings and
/// supervision were placed by a binary search over a day no longer in time order, and the
/// 09:00 call came after the 11:00 visit.
#[test]
fn a_0900_event_comes_before_an_1100_visit_on_a_day_with_a_supervision() {
    let c = child(1);
    let days =
        ["2026-03-04", "2026-03-11", "2026-03-18", "2026-03-25", "2026-04-01", "2026-04-08", "2026-04-15"];
    let visits: Vec<Visit> = days.iter().enumerate().map(|(i, d)| visit(20 + i as u128, d)).collect();
    let (_, workers) = names();
    for day in days {
        let mut chronology = chronology(&bare_input(&c, &visits, &workers));
        sync_server::reports::add_timeline_entries(&mut chronology, &[], &[supervision(950, day)]);
        let event = sync_server::significant_events::SignificantEvent {
            id: sync_server::significant_events::SignificantEventId::new(),
            child_id: fixed(1),
            occurred_on: date(day),
            occurred_at: Some("09:00".into()),
            agency: sync_server::significant_events::Agency::Police,
            reported_by: "PC 1234".into(),
            summary: "Police called to the home".into(),
            recorded_by: fixed(KEY_WORKER),
            recorded_by_name: "Jo Testworker".into(),
            recorded_at: utc(day, 13),
        };
        sync_server::reports::add_significant_events(&mut chronology, &[event]);
        let on_the_day: Vec<(ChronologyKind, Option<String>)> = chronology
            .entries
            .iter()
            .filter(|e| e.date == date(day))
            .map(|e| (e.kind, e.time.clone()))
            .collect();
        assert_eq!(
            on_the_day.iter().map(|(kind, _)| *kind).collect::<Vec<_>>(),
            [ChronologyKind::SignificantEvent, ChronologyKind::Visit, ChronologyKind::Supervision],
            "{day}: {on_the_day:?}"
        );
        let dates: Vec<chrono::NaiveDate> = chronology.entries.iter().map(|e| e.date).collect();
        assert!(dates.is_sorted(), "in date order");
    }
}

/// An amendment shows every answer it changed, as it was and as amended: a "manager agreed"
/// ticked afterwards, a statutory visit made "other" (off the statutory schedule), an
/// announced visit made unannounced, and the purpose. Before, none of these was listed, so
/// the chronology read as if the visit had been recorded so from the start.
#[rstest]
#[case::a_manager_agreed_afterwards(
    not_alone(11, "2026-03-30", false),
    |v: &mut Visit| if let Some(SeenAlone::No { manager_agreed, .. }) = &mut v.seen_alone { *manager_agreed = true },
    "manager"
)]
#[case::statutory_made_other(visit(12, "2026-03-12"), |v: &mut Visit| v.kind = VisitKind::Other, "tatutory")]
#[case::announced_made_unannounced(
    Visit { announced: Announcement::Announced, ..visit(13, "2026-03-12") },
    |v: &mut Visit| v.announced = Announcement::Unannounced,
    "nnounced"
)]
#[case::purpose(visit(14, "2026-03-12"), |v: &mut Visit| v.purpose = Some("Talk about school".into()), "Talk about school")]
fn an_amendment_lists_each_answer_it_changed(
    #[case] original: Visit,
    #[case] change: fn(&mut Visit),
    #[case] shown: &str,
) {
    let c = child(1);
    let changed = amended(&original, change);
    let visits = vec![original, changed];
    let (_, workers) = names();
    let chronology = chronology(&bare_input(&c, &visits, &workers));
    let entry = chronology.entries.iter().find(|e| e.kind == ChronologyKind::Visit).unwrap();
    assert_eq!(entry.amendments.len(), 1);
    let changes = &entry.amendments[0].changes;
    assert!(!changes.is_empty(), "the amendment lists the answer as it was: {:?}", entry.amendments[0]);
    let words = format!("{changes:?}");
    assert!(words.contains(shown), "{words}");
}

fn annex_rows_for(c: &Child, visits: &[Visit], from: &str, to: &str) -> Vec<csv::StringRecord> {
    let (teams, workers) = names();
    let csv =
        annex_a_list_7_csv_with(vec![(c, visits)], date(from), date(to), &teams, &workers, &HashMap::new())
            .unwrap();
    csv::Reader::from_reader(csv.as_bytes()).records().map(Result::unwrap).collect()
}

/// A child last seen before the service went live, by the central record, has that date in
/// column 10 (and column 11 from the record's last seen alone) until a later visit is recorded
/// here. Before, column 10 was blank: it read as never visited.
#[rstest]
#[case::seen_alone_that_day(Some("2026-04-10"), "a) Yes")]
#[case::seen_alone_earlier(Some("2026-03-27"), "b) No")]
#[case::not_said(None, "c) Unknown")]
fn annex_a_gives_the_last_visit_before_go_live_until_one_is_recorded(
    #[case] alone: Option<&str>,
    #[case] code: &str,
) {
    let mut c = child(1);
    c.plan.as_mut().unwrap().seen_before_go_live =
        Some(SeenBeforeGoLive { last_seen: Some(date("2026-04-10")), last_seen_alone: alone.map(date) });
    let rows = annex_rows_for(&c, &[], "2025-10-20", "2026-04-20");
    assert_eq!(rows.len(), 1);
    assert_eq!((&rows[0][9], &rows[0][10]), ("10/04/2026", code), "{:?}", rows[0]);
    // A visit recorded here since is the last one.
    let visits = vec![visit(30, "2026-04-15")];
    let rows = annex_rows_for(&c, &visits, "2025-10-20", "2026-04-20");
    assert_eq!((&rows[0][9], &rows[0][10]), ("15/04/2026", "a) Yes"), "{:?}", rows[0]);
}

/// A list made for a past period gives the category in force on its last day. Before, it gave
/// today's, though every other column stops at the list's end.
#[test]
fn annex_a_latest_category_is_the_one_in_force_on_the_lists_last_day() {
    let mut c = child(1);
    let plan = c.plan.as_mut().unwrap();
    plan.details.category_history = vec![
        CategoryChange { from: date("2026-03-02"), harms: vec![HarmCategory::Neglect] },
        CategoryChange { from: date("2026-04-15"), harms: vec![HarmCategory::Physical] },
    ];
    plan.harms = vec![HarmCategory::Physical];
    let before = annex_rows_for(&c, &[], "2025-10-10", "2026-04-10");
    assert_eq!(&before[0][8], "a) Neglect", "{:?}", before[0]);
    let after = annex_rows_for(&c, &[], "2025-10-20", "2026-04-20");
    assert_eq!(&after[0][8], "b) Physical abuse", "{:?}", after[0]);
}

/// A new plan after an ended one is shown as a new registration. Before, the chronology read
/// "registered from 02/03/2026 (was 06/01/2025); de-registration withdrawn: the plan continues":
/// wrong on its face to a court.
#[test]
fn a_new_plan_after_an_ended_one_is_a_new_registration() {
    use sync_server::store::{ChildChange, ChildSource};
    let mut on_plan = child(1);
    on_plan.plan.as_mut().unwrap().registered_on = date("2025-01-06");
    let mut ended = on_plan.clone();
    ended.plan.as_mut().unwrap().deregistered_on = Some(date("2025-09-01"));
    let mut new_plan = child(1);
    new_plan.details.previous_plans = vec![ended.plan.as_ref().unwrap().as_previous().unwrap()];
    let history = vec![
        ChildChange {
            recorded_at: utc("2025-09-01", 9),
            source: ChildSource::Import,
            before: on_plan,
            after: ended.clone(),
        },
        ChildChange {
            recorded_at: utc("2026-03-02", 9),
            source: ChildSource::Import,
            before: ended,
            after: new_plan.clone(),
        },
    ];
    let (_, workers) = names();
    let chronology =
        sync_server::reports::chronology_with_history(&bare_input(&new_plan, &[], &workers), &history);
    let plan_entries: Vec<(ChronologyKind, String, String)> = chronology
        .entries
        .iter()
        .filter(|e| matches!(e.kind, ChronologyKind::Registered | ChronologyKind::PlanChanged))
        .map(|e| (e.kind, e.date.to_string(), e.summary.clone()))
        .collect();
    assert!(!plan_entries.iter().any(|(_, _, s)| s.contains("withdrawn")), "{plan_entries:#?}");
    let registered: Vec<&String> =
        plan_entries.iter().filter(|(k, _, _)| *k == ChronologyKind::Registered).map(|(_, d, _)| d).collect();
    assert_eq!(registered, ["2025-01-06", "2026-03-02"], "each plan's start: {plan_entries:#?}");
    assert!(
        plan_entries.iter().any(|(_, d, s)| d == "2025-09-01" && s.contains("01/09/2025")),
        "the end: {plan_entries:#?}"
    );
}
