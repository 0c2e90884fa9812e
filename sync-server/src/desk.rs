//! The manager's desk, with no I/O: the team at a glance and the monthly figures behind its
//! charts, from plain inputs.
//!
//! The monthly figures are the compliance report's, run once per calendar month with the
//! month's end as the end of the period ([`reports::compliance_report`]). A visit recorded after
//! its month ended is left out of that month, and the month is counted against each child's
//! plan, key worker and team as they stood when it ended, so a past month's bar never moves.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use shared::desk::{
    AgeBand, DeskChild, DeskCover, DeskEscalation, EscalationMonth, MonthFigures, WorkerMonths,
};
use shared::{
    Calendar, Child, CoverAssignment, DueState, Escalation, EscalationStep, ScheduleRules, TeamId, Tz, Visit,
    VisitId, WorkerId,
};

use crate::reports::{self, ComplianceFigures, ComplianceInput};

/// A child is "due this week" when the visit is due within this many working days.
pub const DUE_WITHIN_WORKING_DAYS: u32 = 5;

/// The age bands open escalations are counted in: the youngest age in each, in days.
const AGE_BANDS: [(&str, u32); 4] =
    [("Under a week", 0), ("1 to 2 weeks", 7), ("2 to 4 weeks", 14), ("4 weeks or more", 28)];

/// What the desk is built from: the children in the caller's scope and what surrounds them.
#[derive(Clone, Copy, Debug)]
pub struct DeskInput<'a> {
    /// Today, in the authority's time zone.
    pub today: NaiveDate,
    /// The authority's time zone: instants are dated there.
    pub time_zone: Tz,
    /// The working-day calendar.
    pub calendar: &'a Calendar,
    /// The schedule settings.
    pub rules: &'a ScheduleRules,
    /// Team names by id.
    pub team_names: &'a HashMap<TeamId, String>,
    /// Staff names by id.
    pub worker_names: &'a HashMap<WorkerId, String>,
    /// When each visit revision was recorded (see [`ComplianceInput::recorded`]).
    pub recorded: &'a HashMap<(VisitId, u32), DateTime<Utc>>,
    /// Each child's record before each change (see [`ComplianceInput::earlier_records`]).
    pub earlier_records: &'a reports::EarlierRecords,
    /// How many months of figures, the current one included.
    pub months: u32,
}

fn first_of_month(date: NaiveDate) -> NaiveDate {
    date.with_day(1).unwrap_or(date)
}

fn local_date(time_zone: Tz, at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&time_zone).date_naive()
}

/// The first days of the `months` calendar months up to and including `today`'s, oldest first.
pub fn month_starts(today: NaiveDate, months: u32) -> Vec<NaiveDate> {
    let this_month = first_of_month(today);
    (0..months).rev().filter_map(|back| this_month.checked_sub_months(Months::new(back))).collect()
}

fn month_figures(month: NaiveDate, figures: &ComplianceFigures) -> MonthFigures {
    MonthFigures {
        month,
        statutory_due: figures.statutory_visits_due,
        statutory_on_time: figures.statutory_visits_on_time,
        child_seen: figures.visits_child_seen,
        seen_alone: figures.visits_seen_alone,
        child_words: figures.visits_with_child_words,
        interpreter_needed: figures.visits_needing_interpreter,
        interpreter_met: figures.visits_interpreter_needs_met,
    }
}

/// The service's figures by month and the same by key worker, each month counted as the
/// compliance report counts it with the month as its range.
pub fn monthly_figures(
    input: &DeskInput<'_>,
    cases: &[(Child, Vec<Visit>)],
) -> (Vec<MonthFigures>, Vec<WorkerMonths>) {
    let starts = month_starts(input.today, input.months);
    let mut service = Vec::with_capacity(starts.len());
    let mut by_worker: BTreeMap<WorkerId, Vec<MonthFigures>> = BTreeMap::new();
    for (index, &start) in starts.iter().enumerate() {
        let end = (start + Months::new(1)).pred_opt().unwrap_or(start).min(input.today);
        let report = reports::compliance_report(
            &ComplianceInput {
                from: start,
                to: end,
                today: input.today,
                calendar: input.calendar,
                rules: input.rules,
                team_names: input.team_names,
                worker_names: input.worker_names,
                recorded: input.recorded,
                period_ends_at: shared::clock::start_of_day(input.time_zone, end.succ_opt().unwrap_or(end)),
                earlier_records: input.earlier_records,
            },
            cases.iter().map(|(c, v)| (c, v.as_slice())),
        );
        service.push(month_figures(start, &report.service));
        for worker in &report.workers {
            let months = by_worker.entry(worker.worker_id).or_insert_with(|| {
                starts.iter().map(|&month| MonthFigures { month, ..MonthFigures::default() }).collect()
            });
            months[index] = month_figures(start, &worker.figures);
        }
    }
    let name = |id: WorkerId| input.worker_names.get(&id).cloned().unwrap_or_else(|| format!("worker {id}"));
    let mut workers: Vec<WorkerMonths> = by_worker
        .into_iter()
        .map(|(worker_id, months)| WorkerMonths { worker_id, worker_name: name(worker_id), months })
        .collect();
    workers.sort_by(|a, b| a.worker_name.cmp(&b.worker_name).then(a.worker_id.cmp(&b.worker_id)));
    (service, workers)
}

/// Children on a plan today who are overdue, or due within [`DUE_WITHIN_WORKING_DAYS`], the
/// most urgent first.
pub fn children_due(input: &DeskInput<'_>, cases: &[(Child, Vec<Visit>)]) -> Vec<DeskChild> {
    let mut due: Vec<DeskChild> = cases
        .iter()
        .filter_map(|(child, visits)| {
            let plan = child.plan.as_ref()?;
            let state = shared::schedule::child_due_state(
                input.calendar,
                input.rules,
                plan,
                visits.iter(),
                input.today,
            )?;
            let soon = match state {
                DueState::OnTrack { working_days_left, .. } | DueState::DueSoon { working_days_left, .. } => {
                    working_days_left <= DUE_WITHIN_WORKING_DAYS
                }
                DueState::DueToday { .. } | DueState::Overdue { .. } => true,
            };
            soon.then(|| DeskChild {
                child_id: child.id,
                central_id: child.central_id.clone(),
                child_name: child.display_name(),
                key_worker: input
                    .worker_names
                    .get(&plan.key_worker)
                    .cloned()
                    .unwrap_or_else(|| "Unknown worker".to_owned()),
                due_words: state.describe(),
                due_state: state,
            })
        })
        .collect();
    due.sort_by(|a, b| {
        a.due_state.urgency_key().cmp(&b.due_state.urgency_key()).then(a.central_id.cmp(&b.central_id))
    });
    due
}

/// Escalations not yet closed, oldest first, and their count by age band.
pub fn open_escalations(
    input: &DeskInput<'_>,
    escalations: &[Escalation],
    child_names: &HashMap<shared::ChildId, String>,
) -> (Vec<DeskEscalation>, Vec<AgeBand>) {
    let mut open: Vec<DeskEscalation> = escalations
        .iter()
        .filter(|e| e.is_active())
        .map(|e| {
            let raised_on = local_date(input.time_zone, e.raised_at);
            DeskEscalation {
                id: e.id,
                child_id: e.child_id,
                child_name: child_names.get(&e.child_id).cloned().unwrap_or_else(|| "A child".to_owned()),
                reason: e.reason.describe(),
                raised_on,
                age_days: u32::try_from((input.today - raised_on).num_days().max(0)).unwrap_or(u32::MAX),
                acted_on: !e.is_open(),
            }
        })
        .collect();
    open.sort_by_key(|e| (e.raised_on, e.id));
    let bands = AGE_BANDS
        .iter()
        .enumerate()
        .map(|(index, &(label, from_days))| {
            let until = AGE_BANDS.get(index + 1).map_or(u32::MAX, |next| next.1);
            AgeBand {
                label: label.to_owned(),
                from_days,
                open: u32::try_from(open.iter().filter(|e| (from_days..until).contains(&e.age_days)).count())
                    .unwrap_or(u32::MAX),
            }
        })
        .collect();
    (open, bands)
}

/// Escalations raised and closed in each month, with the mean time from raising to a
/// manager's first recorded action for those raised in the month.
pub fn escalation_months(input: &DeskInput<'_>, escalations: &[Escalation]) -> Vec<EscalationMonth> {
    let starts = month_starts(input.today, input.months);
    let mut months: Vec<(EscalationMonth, Vec<f64>)> = starts
        .iter()
        .map(|&month| (EscalationMonth { month, ..EscalationMonth::default() }, Vec::new()))
        .collect();
    let slot = |date: NaiveDate| starts.iter().position(|&m| m == first_of_month(date));
    for escalation in escalations {
        let escalation = escalation.clone().with_history(input.time_zone);
        if let Some(index) = slot(local_date(input.time_zone, escalation.raised_at)) {
            let (month, waits) = &mut months[index];
            month.raised += 1;
            let first_action = escalation
                .history
                .iter()
                .find(|entry| matches!(entry.step, EscalationStep::Acknowledged { .. }));
            if let Some(action) = first_action {
                month.acted_on += 1;
                waits.push((action.at - escalation.raised_at).num_minutes().max(0) as f64 / (24.0 * 60.0));
            }
        }
        if let Some(closed) = escalation.first_closed_at()
            && let Some(index) = slot(local_date(input.time_zone, closed))
        {
            months[index].0.resolved += 1;
        }
    }
    months
        .into_iter()
        .map(|(mut month, waits)| {
            if !waits.is_empty() {
                let mean = waits.iter().sum::<f64>() / waits.len() as f64;
                month.mean_days_to_first_action = Some((mean * 10.0).round() / 10.0);
            }
            month
        })
        .collect()
}

/// Duty cover in force today, ending soonest first.
pub fn covers_in_force(
    input: &DeskInput<'_>,
    covers: &[CoverAssignment],
    child_names: &HashMap<shared::ChildId, String>,
) -> Vec<DeskCover> {
    let name =
        |id: WorkerId| input.worker_names.get(&id).cloned().unwrap_or_else(|| "Unknown worker".to_owned());
    let mut in_force: Vec<DeskCover> = covers
        .iter()
        .filter(|c| c.is_active_on(input.today))
        .map(|c| DeskCover {
            id: c.id,
            child_id: c.child_id,
            child_name: child_names.get(&c.child_id).cloned().unwrap_or_else(|| "A child".to_owned()),
            duty_worker: name(c.duty_worker),
            covering_for: name(c.covering_for),
            ends_on: c.ends_on,
        })
        .collect();
    in_force.sort_by(|a, b| a.ends_on.cmp(&b.ends_on).then(a.child_name.cmp(&b.child_name)));
    in_force
}
