//! The safety net's invariant, as a state-machine property test: random sequences of visits
//! (seen, not seen, synced late, voided, amended), acknowledgements (with and without an
//! arranged date), plan and frequency changes, absences and days passing. After every step the
//! sweep runs, and its escalations are checked against an independent oracle of "is this child
//! overdue past the sync grace", written here from the calendar alone:
//!
//! - while the child is overdue, an open or acknowledged escalation about it exists, for the
//!   due date the oracle computes;
//! - it is never silent: an open one was raised within the acknowledgement window, and an
//!   acknowledged one is within its window or its arranged date's grace;
//! - history is append-only, and no problem has two live escalations.

mod oversight_support;

use std::collections::HashMap;

use chrono::{Days, NaiveDate};
use oversight_support::*;
use proptest::prelude::*;
use shared::*;
use sync_server::escalations::{EscalationConfig, acknowledge};

#[derive(Clone, Debug)]
enum Step {
    /// Days pass (1 to 3 calendar days).
    DaysPass(u64),
    /// A statutory visit today in which the child was seen (`alone` or not).
    Seen { alone: bool },
    /// A statutory visit today in which the child was not seen.
    NotSeen,
    /// A visit in which the child was seen, made `back` days ago, syncing only now.
    SeenSyncedLate { back: u64 },
    /// The latest visit is marked entered in error.
    VoidLatest,
    /// The latest visit is amended to say the child was not seen.
    AmendLatestToNotSeen,
    /// A manager acknowledges every open escalation, arranging a visit `ahead` days on (or
    /// agreeing an exception when `None`).
    Acknowledge { arranged_ahead: Option<u64> },
    /// The plan's frequency changes.
    Frequency(u32),
    /// The key worker or the team manager goes off sick, or comes back.
    ToggleAbsence { team_manager: bool },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (1u64..=3).prop_map(Step::DaysPass),
        2 => any::<bool>().prop_map(|alone| Step::Seen { alone }),
        1 => Just(Step::NotSeen),
        1 => (1u64..=6).prop_map(|back| Step::SeenSyncedLate { back }),
        1 => Just(Step::VoidLatest),
        1 => Just(Step::AmendLatestToNotSeen),
        2 => proptest::option::of(0u64..=4).prop_map(|arranged_ahead| Step::Acknowledge { arranged_ahead }),
        1 => prop_oneof![Just(5u32), Just(10), Just(20)].prop_map(Step::Frequency),
        1 => any::<bool>().prop_map(|team_manager| Step::ToggleAbsence { team_manager }),
    ]
}

/// The oracle: from the calendar alone, the date the child is due by. With the default sync
/// grace (none), a child is overdue past it on any day after that date.
fn oracle_due(calendar: &Calendar, plan: &ProtectionPlan, visits: &[Visit]) -> NaiveDate {
    let mut latest: HashMap<VisitId, &Visit> = HashMap::new();
    for v in visits {
        let entry = latest.entry(v.id).or_insert(v);
        if v.revision > entry.revision {
            *entry = v;
        }
    }
    let seen = latest
        .values()
        .filter(|v| {
            matches!(v.status, VisitStatus::Submitted | VisitStatus::Amended)
                && v.kind == VisitKind::Statutory
                && matches!(v.seen, Seen::Yes)
        })
        .map(|v| v.started_at.date_naive())
        .filter(|d| *d >= plan.registered_on)
        .max()
        .unwrap_or(plan.registered_on);
    let mut day = seen;
    let mut left = plan.visit_frequency_working_days;
    while left > 0 {
        day = day.checked_add_days(Days::new(1)).unwrap();
        if calendar.is_working_day(day) {
            left -= 1;
        }
    }
    day
}

struct World {
    child: Child,
    visits: Vec<Visit>,
    held: Vec<Escalation>,
    today: NaiveDate,
    next_id: u128,
    key_worker_absent: bool,
    team_manager_absent: bool,
}

impl World {
    fn visit_today(&mut self, make: impl FnOnce(u128, &str) -> Visit) {
        self.next_id += 1;
        let day = self.today.format("%Y-%m-%d").to_string();
        self.visits.push(make(self.next_id, &day));
    }

    fn latest_current(&self) -> Option<Visit> {
        let newest_id = self.visits.iter().max_by_key(|v| (v.started_at, v.id))?.id;
        self.visits.iter().filter(|v| v.id == newest_id).max_by_key(|v| v.revision).cloned()
    }
}

fn run(steps: Vec<Step>) -> Result<(), TestCaseError> {
    let calendar = Calendar::jersey();
    let config = EscalationConfig::default();
    let window = config.acknowledge_within_working_days;
    let mut world = World {
        child: child(1),
        visits: Vec::new(),
        held: Vec::new(),
        // Registered Monday 2 March; start a few days before the first due date.
        today: date("2026-03-12"),
        next_id: 10,
        key_worker_absent: false,
        team_manager_absent: false,
    };
    let manager = Worker { name: "Sian Testsenior".into(), ..worker(SENIOR_MANAGER, Role::SeniorManager) };
    for step in steps {
        match step.clone() {
            Step::DaysPass(n) => world.today = world.today.checked_add_days(Days::new(n)).unwrap(),
            Step::Seen { alone } => {
                world.visit_today(|id, day| if alone { visit(id, day) } else { not_alone(id, day, false) })
            }
            Step::NotSeen => world.visit_today(not_seen),
            Step::SeenSyncedLate { back } => {
                let day = world
                    .today
                    .checked_sub_days(Days::new(back))
                    .unwrap()
                    .max(world.child.plan.as_ref().unwrap().registered_on);
                world.next_id += 1;
                world.visits.push(visit(world.next_id, &day.format("%Y-%m-%d").to_string()));
            }
            Step::VoidLatest => {
                if let Some(v) = world.latest_current().filter(Visit::counts) {
                    world.visits.push(voided(&v));
                }
            }
            Step::AmendLatestToNotSeen => {
                if let Some(v) = world.latest_current().filter(Visit::counts) {
                    world.visits.push(amended(&v, |v| {
                        v.seen = Seen::No { reason: "Child at school".into() };
                        v.seen_alone = None;
                    }));
                }
            }
            Step::Acknowledge { arranged_ahead } => {
                let now = utc(&world.today.format("%Y-%m-%d").to_string(), 14);
                for e in world.held.iter_mut().filter(|e| e.is_open()) {
                    let action = match (&e.reason, arranged_ahead) {
                        (EscalationReason::NotSeenAlone { .. }, _) => {
                            EscalationAction::SeenAloneAgreed { reason: "Agreed in supervision".into() }
                        }
                        (_, Some(ahead)) if e.reason.is_about_overdue() => EscalationAction::VisitArranged {
                            date: world.today.checked_add_days(Days::new(ahead)).unwrap(),
                        },
                        _ => EscalationAction::ExceptionAgreed { reason: "Agreed in supervision".into() },
                    };
                    *e = acknowledge(e, action, &manager, world.today, now)
                        .map_err(|errors| TestCaseError::fail(format!("{errors:?}")))?;
                }
            }
            Step::Frequency(n) => world.child.plan.as_mut().unwrap().visit_frequency_working_days = n,
            Step::ToggleAbsence { team_manager } => {
                if team_manager {
                    world.team_manager_absent = !world.team_manager_absent;
                } else {
                    world.key_worker_absent = !world.key_worker_absent;
                }
            }
        }

        // The sweep, at 13:00 on the day.
        let mut absent = Vec::new();
        if world.key_worker_absent {
            absent.push(KEY_WORKER);
        }
        if world.team_manager_absent {
            absent.push(TEAM_MANAGER);
        }
        let before: HashMap<EscalationId, Vec<EscalationEntry>> =
            world.held.iter().map(|e| (e.id, e.history.clone())).collect();
        let now = utc(&world.today.format("%Y-%m-%d").to_string(), 13);
        let changes = sweep_one(&world.child, &world.visits, &world.held, &directory(&absent), &config, now);
        for change in changes {
            let e = change.into_escalation();
            match world.held.iter_mut().find(|h| h.id == e.id) {
                Some(h) => *h = e,
                None => world.held.push(e),
            }
        }

        // History is append-only.
        for e in &world.held {
            if let Some(old) = before.get(&e.id) {
                prop_assert!(e.history.starts_with(old), "history rewritten after {step:?}: {e:?}");
            }
        }
        // No problem has two live escalations.
        let mut live: Vec<String> =
            world.held.iter().filter(|e| e.is_active()).map(|e| e.reason.dedup_key()).collect();
        live.sort();
        let before_dedup = live.len();
        live.dedup();
        prop_assert_eq!(before_dedup, live.len(), "two live escalations for one problem");

        // The invariant, against the oracle.
        let plan = world.child.plan.as_ref().unwrap();
        let due = oracle_due(calendar, plan, &world.visits);

        // Nothing answered sits "acted on" for good: an escalation about one visit closes with
        // the manager's answer, and one about a due date the child has since been seen for (or
        // the schedule has moved past) closes or follows the new date.
        for e in world.held.iter().filter(|e| matches!(e.status, EscalationStatus::Acknowledged { .. })) {
            prop_assert!(
                e.reason.is_about_overdue(),
                "a visit escalation still acted on after {step:?}: {e:#?}"
            );
            if let EscalationReason::Overdue { due: about, .. } = e.reason {
                prop_assert_eq!(
                    about,
                    due,
                    "acted on, about a due date now past, after {:?}: {:#?}",
                    step,
                    e
                );
            }
        }
        if world.today > due {
            let escalation = world.held.iter().find(|e| {
                e.is_active() && matches!(e.reason, EscalationReason::Overdue { due: d, .. } if d == due)
            });
            prop_assert!(
                escalation.is_some(),
                "overdue since {due} on {} after {step:?} with no live escalation: {:#?}",
                world.today,
                world.held
            );
            let e = escalation.unwrap();
            // Never silent: within its window.
            match &e.status {
                EscalationStatus::Open => {
                    let deadline = calendar.add_working_days(e.last_raised_on(), window);
                    prop_assert!(world.today <= deadline, "open past its window: {e:#?}");
                }
                EscalationStatus::Acknowledged { action, .. } => {
                    let (acknowledged_on, _) = e.acknowledgement().unwrap();
                    let deadline = match action {
                        EscalationAction::VisitArranged { date } => {
                            calendar.add_working_days(*date, config.arranged_grace_working_days)
                        }
                        _ => calendar.add_working_days(acknowledged_on, window),
                    };
                    prop_assert!(world.today <= deadline, "acknowledged past its window: {e:#?}");
                }
                EscalationStatus::Closed { .. } => unreachable!(),
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn while_a_child_is_overdue_someone_is_always_told(steps in proptest::collection::vec(step(), 1..40)) {
        run(steps)?;
    }
}
