//! Due states for 50,000 children, about the size of England's whole child-protection
//! population, each with a few months of visits. Target: under 50 ms on one core.
//!
//! Run: `cargo bench -p shared --bench due_states`.

use chrono::{Days, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use fixtures::{at_on, fixed, ymd};
use shared::schedule::child_due_state;
use shared::*;

const CHILDREN: u128 = 50_000;
const VISITS_PER_CHILD: u64 = 6;

fn plan(i: u128) -> ProtectionPlan {
    ProtectionPlan {
        visit_frequency_working_days: if i.is_multiple_of(3) { 20 } else { 10 },
        key_worker: fixed(i % 2_000),
        team: fixed(i % 200),
        actions: vec![],
        ..fixtures::plan(ymd(2026, 1, 5) + Days::new((i % 200) as u64))
    }
}

fn visit(child: u128, n: u64) -> Visit {
    let day = ymd(2026, 8, 3) + Days::new(n * 14 + (child % 11) as u64);
    let start = at_on(day, 10, 0);
    let visit = Visit {
        id: fixed(child << 16 | n as u128),
        ended_at: start + chrono::Duration::hours(1),
        seen_alone: None,
        child_words: vec![],
        recorded_at: Utc::now(),
        ..fixtures::visit(fixed(child), fixed(child % 2_000), start)
    };
    // Every fourth visit the child was not seen: a missed visit.
    if (child + n as u128).is_multiple_of(4) { fixtures::not_seen(visit, "Out") } else { visit }
}

fn due_states(c: &mut Criterion) {
    let caseload: Vec<(ProtectionPlan, Vec<Visit>)> =
        (0..CHILDREN).map(|i| (plan(i), (0..VISITS_PER_CHILD).map(|n| visit(i, n)).collect())).collect();
    let calendar = Calendar::jersey();
    let rules = ScheduleRules::default();
    let today = ymd(2026, 11, 26);

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
