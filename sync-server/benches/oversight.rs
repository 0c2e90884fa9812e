//! The escalation sweep over 50,000 children (target under 200 ms), the compliance report
//! for a 5,000-child service over a year of visits (target under 500 ms), and the court-ready
//! chronology PDF of one child with about 200 events.
//!
//! `cargo bench -p sync-server --bench oversight`. The data is synthetic and made here: children
//! on plans visited every 8 to 12 working days, with a share of missed visits, children not seen
//! alone, interpreter needs not met, children overdue, and cases overdue for supervision.

use std::collections::HashMap;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use fixtures::{fixed as id, ymd as date};
use shared::*;
use sync_server::escalations::{ChildCase, Directory, EscalationConfig, SweepContext, sweep};
use sync_server::reports::{ComplianceInput, compliance_report};

fn at(day: NaiveDate) -> DateTime<FixedOffset> {
    fixtures::at_on(day, 10, 0)
}

const TEAMS: u128 = 20;
const WORKERS_PER_TEAM: u128 = 10;

/// A child on a plan since `registered`, whose plan's meetings and supervision the central
/// system recorded in time, except one case in thirteen whose supervision is overdue: a service
/// keeping its timeline, not one where every child is overdue everything at once.
fn child(n: u128, registered: NaiveDate, today: NaiveDate) -> Child {
    let team = n % TEAMS;
    let worker = team * WORKERS_PER_TEAM + (n / TEAMS) % WORKERS_PER_TEAM;
    let mut plan = ProtectionPlan {
        key_worker: id(10_000 + worker),
        team: id(100 + team),
        actions: vec![],
        latest_review_conference: Some(today - Duration::days(30)),
        ..fixtures::plan(registered)
    };
    plan.details.initial_conference_on = Some(registered);
    plan.details.latest_core_group = Some(today - Duration::days(14));
    plan.details.latest_supervision =
        Some(today - Duration::days(if n.is_multiple_of(13) { 45 } else { 14 }));
    Child {
        id: id(1_000_000 + n),
        central_id: format!("JY-{n:07}"),
        given_name: "Synthetic".into(),
        family_name: "Child".into(),
        date_of_birth: Some(date(2014, 1, 1)),
        gender: Some(child::Gender::NotStated),
        carers: vec![],
        plan: Some(plan),
        communication: CommunicationNeeds {
            child: LanguageNeed { interpreter_needed: n.is_multiple_of(9), ..LanguageNeed::default() },
            ..CommunicationNeeds::default()
        },
        ..fixtures::child(0)
    }
}

fn visit(child: &Child, n: u128, k: u128, day: NaiveDate) -> Visit {
    let missed = (n + k).is_multiple_of(17);
    let not_alone = (n + k).is_multiple_of(11);
    let visit = Visit {
        id: id((n << 32) + k),
        ended_at: at(day) + Duration::hours(1),
        announced: Announcement::Unannounced,
        child_words: if (n + k).is_multiple_of(5) { vec![] } else { fixtures::words(&["Synthetic words"]) },
        interpreters: if n.is_multiple_of(9) && !missed {
            vec![InterpreterRecord {
                person: InterpretedPerson::Child,
                needed: true,
                language: Some("Portuguese".into()),
                used: if k.is_multiple_of(4) { None } else { Some(InterpreterUsed::Professional) },
                not_used_reason: if k.is_multiple_of(4) { Some("None available".into()) } else { None },
            }]
        } else {
            vec![]
        },
        recorded_at: at(day).with_timezone(&Utc),
        ..fixtures::visit(child.id, child.plan.as_ref().unwrap().key_worker, at(day))
    };
    if missed {
        fixtures::not_seen(visit, "No answer")
    } else if not_alone {
        fixtures::not_alone(visit, "Too young", &["mother"], false)
    } else {
        visit
    }
}

/// `children` children registered `history_days` before `today`, visited every 8 to 12 working
/// days (one child in seven falls behind at the end).
fn service(children: u128, history_days: i64, today: NaiveDate) -> Vec<(Child, Vec<Visit>)> {
    let calendar = Calendar::jersey();
    let registered = calendar.add_working_days(today - Duration::days(history_days), 0);
    (0..children)
        .map(|n| {
            let c = child(n, registered, today);
            let mut visits = Vec::new();
            let mut day = registered;
            let mut k = 0;
            loop {
                day = calendar.add_working_days(day, 8 + (n as u32 + k as u32) % 5);
                let behind = n.is_multiple_of(7) && day > today - Duration::days(30);
                if day >= today || behind {
                    break;
                }
                visits.push(visit(&c, n, k, day));
                k += 1;
            }
            (c, visits)
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let today = date(2026, 11, 25);
    let now = Utc.with_ymd_and_hms(2026, 11, 25, 14, 0, 0).unwrap();
    let calendar = Calendar::jersey();
    let config = EscalationConfig::default();
    let mut directory = Directory::default();
    for team in 0..TEAMS {
        directory.team_managers.insert(id(100 + team), id(20_000 + team));
        directory
            .routing
            .insert(id(100 + team), shared::TeamRouting { senior_manager: Some(id(30_000)), deputy: None });
    }
    directory.absent_today.insert(id(10_003));
    let context = SweepContext { calendar, config: &config, directory: &directory, now, today };

    // ---- Escalation sweep, 50,000 children, about 3 months of visits each. ----
    let children = service(50_000, 90, today);
    let visit_count: usize = children.iter().map(|(_, v)| v.len()).sum();
    let first = sweep(
        children.iter().map(|(c, v)| ChildCase {
            child: c,
            visits: v,
            escalations: &[],
            seen_alone_decisions: &[],
            meetings: &[],
            supervisions: &[],
            actions_done: &[],
        }),
        &context,
    );
    let mut held: HashMap<ChildId, Vec<Escalation>> = HashMap::new();
    for change in &first {
        let e = change.escalation().clone();
        held.entry(e.child_id).or_default().push(e);
    }
    println!(
        "sweep input: {} children, {} visits; first sweep raised {} escalations",
        children.len(),
        visit_count,
        first.len()
    );
    let mut group = c.benchmark_group("oversight");
    group.sample_size(10).measurement_time(StdDuration::from_secs(15));
    group.bench_function("sweep_50000_children_first", |b| {
        b.iter(|| {
            sweep(
                children.iter().map(|(c, v)| ChildCase {
                    child: c,
                    visits: v,
                    escalations: &[],
                    seen_alone_decisions: &[],
                    meetings: &[],
                    supervisions: &[],
                    actions_done: &[],
                }),
                &context,
            )
        })
    });
    group.bench_function("sweep_50000_children_steady", |b| {
        b.iter(|| {
            let changes = sweep(
                children.iter().map(|(c, v)| ChildCase {
                    child: c,
                    visits: v,
                    escalations: held.get(&c.id).map(Vec::as_slice).unwrap_or(&[]),
                    seen_alone_decisions: &[],
                    meetings: &[],
                    supervisions: &[],
                    actions_done: &[],
                }),
                &context,
            );
            assert!(changes.is_empty(), "a second sweep at the same moment changes nothing");
            changes
        })
    });
    drop(children);

    // ---- Compliance report, 5,000 children, a year of visits. ----
    let year = service(5_000, 365, today);
    let year_visits: usize = year.iter().map(|(_, v)| v.len()).sum();
    println!("compliance input: {} children, {} visits over a year", year.len(), year_visits);
    let team_names: HashMap<TeamId, String> =
        (0..TEAMS).map(|t| (id(100 + t), format!("Team {t}"))).collect();
    let worker_names: HashMap<WorkerId, String> =
        (0..TEAMS * WORKERS_PER_TEAM).map(|w| (id(10_000 + w), format!("Worker {w}"))).collect();
    // Every revision recorded when the device made it: the map is empty, as in a service
    // whose visits all synced the same day.
    let recorded = HashMap::new();
    // No child's record changed.
    let earlier_records = HashMap::new();
    let input = ComplianceInput {
        from: today - Duration::days(365),
        to: today,
        today,
        calendar,
        rules: &config.rules,
        team_names: &team_names,
        worker_names: &worker_names,
        recorded: &recorded,
        earlier_records: &earlier_records,
        period_ends_at: (today + Duration::days(1)).and_hms_opt(0, 0, 0).expect("midnight").and_utc(),
    };
    let report = compliance_report(&input, year.iter().map(|(c, v)| (c, v.as_slice())));
    println!(
        "compliance: on time {:?}%, seen alone {:?}%, words {:?}%, interpreter {:?}%, overdue now {}",
        report.service.statutory_on_time_percent,
        report.service.seen_alone_percent,
        report.service.child_words_percent,
        report.service.interpreter_met_percent,
        report.service.children_overdue_now
    );
    group.bench_function("compliance_5000_children_one_year", |b| {
        b.iter(|| compliance_report(&input, year.iter().map(|(c, v)| (c, v.as_slice()))))
    });

    // ---- The court-ready chronology PDF for one child with about 200 events. ----
    let (child, _) = &year[0];
    let visits: Vec<Visit> = (0..200u128)
        .map(|k| {
            let mut v = visit(child, 999, k, today - Duration::days(400 - 2 * k as i64));
            v.observations.facts = format!(
                "Visit {k}: the home was warm and tidy; food in the fridge; the child showed me their room \
                 and school books. Mother was present at the start and left when asked. No new marks seen."
            );
            v.observations.concerns =
                if k % 3 == 0 { "Missed a dental appointment.".into() } else { String::new() };
            v
        })
        .collect();
    let chronology = sync_server::reports::chronology(&sync_server::reports::ChronologyInput {
        child,
        earlier_records: &[],
        visits: &visits,
        escalations: &[],
        covers: &[],
        seen_alone_decisions: &[],
        worker_names: &worker_names,
        calendar,
        today,
        now: Utc::now(),
        time_zone: shared::clock::DEFAULT_TIME_ZONE,
    });
    let pdf = sync_server::chronology_pdf::chronology_pdf(&chronology).expect("the PDF");
    println!("chronology PDF: {} events, {} KB", chronology.entries.len(), pdf.len() / 1024);
    group.bench_function("chronology_pdf_200_events", |b| {
        b.iter(|| sync_server::chronology_pdf::chronology_pdf(&chronology).expect("the PDF"))
    });

    // The desk's twelve months: the compliance report once per month, for the whole service
    // (what a senior manager's desk reads).
    let desk = sync_server::desk::DeskInput {
        today,
        time_zone: shared::Tz::Europe__London,
        calendar,
        rules: &config.rules,
        team_names: &team_names,
        worker_names: &worker_names,
        recorded: &recorded,
        earlier_records: &earlier_records,
        months: 12,
    };
    group.bench_function("desk_months_5000_children_12_months", |b| {
        b.iter(|| sync_server::desk::monthly_figures(&desk, &year))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
