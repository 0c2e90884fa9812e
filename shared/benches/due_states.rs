//! Due states for 50,000 children, about the size of England's whole child-protection
//! population, each with a few months of visits. Target: under 50 ms on one core.
//!
//! Run: `cargo bench -p shared --bench due_states`.

use chrono::{Days, FixedOffset, NaiveDate, TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use shared::schedule::child_due_state;
use shared::*;
use uuid::Uuid;

const CHILDREN: u128 = 50_000;
const VISITS_PER_CHILD: u64 = 6;

fn plan(i: u128) -> ProtectionPlan {
    ProtectionPlan {
        details: Default::default(),
        registered_on: NaiveDate::from_ymd_opt(2026, 1, 5).unwrap() + Days::new((i % 200) as u64),
        deregistered_on: None,
        harms: vec![HarmCategory::Neglect],
        visit_frequency_working_days: if i.is_multiple_of(3) { 20 } else { 10 },
        key_worker: WorkerId(Uuid::from_u128(i % 2_000)),
        team: TeamId(Uuid::from_u128(i % 200)),
        actions: vec![],
        latest_review_conference: None,
        seen_before_go_live: None,
    }
}

fn visit(child: u128, n: u64) -> Visit {
    let day = NaiveDate::from_ymd_opt(2026, 8, 3).unwrap() + Days::new(n * 14 + (child % 11) as u64);
    let start =
        FixedOffset::east_opt(0).unwrap().from_local_datetime(&day.and_hms_opt(10, 0, 0).unwrap()).unwrap();
    Visit {
        id: VisitId(Uuid::from_u128(child << 16 | n as u128)),
        revision: 1,
        amends: None,
        status: VisitStatus::Submitted,
        amendment_reason: None,
        child_id: ChildId(Uuid::from_u128(child)),
        worker_id: WorkerId(Uuid::from_u128(child % 2_000)),
        capacity: WorkerCapacity::KeyWorker,
        started_at: start,
        ended_at: start + chrono::Duration::hours(1),
        location: "Family home".into(),
        kind: VisitKind::Statutory,
        announced: Announcement::Announced,
        due_state_at_start: None,
        // Every fourth visit the child was not seen: a missed visit.
        seen: if (child + n as u128).is_multiple_of(4) {
            Seen::No { reason: "Out".into() }
        } else {
            Seen::Yes
        },
        seen_alone: None,
        child_words: vec![],
        child_views: String::new(),
        observations: Observations::default(),
        interpreters: vec![],
        plan_actions: vec![],
        purpose: Some("To see the child and hear how things are at home".into()),
        harms_addressed: vec![],
        attachments: vec![],
        next_visit_planned: None,
        recorded_at: Utc::now(),
    }
}

fn due_states(c: &mut Criterion) {
    let caseload: Vec<(ProtectionPlan, Vec<Visit>)> =
        (0..CHILDREN).map(|i| (plan(i), (0..VISITS_PER_CHILD).map(|n| visit(i, n)).collect())).collect();
    let calendar = Calendar::jersey();
    let rules = ScheduleRules::default();
    let today = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();

    let mut group = c.benchmark_group("schedule");
    group.sample_size(20);
    group.bench_function("due_states_50000_children", |b| {
        b.iter(|| {
            let mut overdue = 0usize;
            for (plan, visits) in &caseload {
                if child_due_state(calendar, &rules, plan, visits, today).is_some_and(|s| s.is_overdue()) {
                    overdue += 1;
                }
            }
            std::hint::black_box(overdue)
        })
    });
    group.finish();
}

criterion_group!(benches, due_states);
criterion_main!(benches);
