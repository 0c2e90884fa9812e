//! The statutory-visit schedule: when each child must next be seen, and who must be told when
//! they have not been.
//!
//! The rules, from the audit's recommendation 4:
//! - The next visit is due a plan's frequency in working days after the last statutory visit in
//!   which the child was **seen**. A visit where the child was not seen is a missed visit and
//!   moves nothing. Before any such visit, the count starts from the plan's registration.
//! - A child overdue is escalated to the team manager; overdue by more than
//!   [`ScheduleRules::senior_after_working_days`], or overdue while the key worker is away, to a
//!   senior manager.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::calendar::Calendar;
use crate::child::ProtectionPlan;
use crate::visit::Visit;

/// The authority's settings for the schedule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ScheduleRules {
    /// A visit due within this many working days shows as "due soon".
    pub due_soon_within_working_days: u32,
    /// Overdue by more than this many working days goes to a senior manager.
    pub senior_after_working_days: u32,
}

impl Default for ScheduleRules {
    fn default() -> Self {
        Self { due_soon_within_working_days: 2, senior_after_working_days: 5 }
    }
}

/// Where a child is against their visit schedule.
///
/// **Wire format:** recorded on visits and pulled by devices. Do not change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum DueState {
    /// Not due for a while.
    OnTrack {
        /// The date the next visit is due by.
        due: NaiveDate,
        /// Working days left before it is due.
        working_days_left: u32,
    },
    /// Due within the "due soon" window.
    DueSoon {
        /// The date the next visit is due by.
        due: NaiveDate,
        /// Working days left before it is due.
        working_days_left: u32,
    },
    /// Due today.
    DueToday {
        /// Today.
        due: NaiveDate,
    },
    /// Past the due date and not seen.
    Overdue {
        /// The date the visit was due by.
        due: NaiveDate,
        /// Working days since the due date (at least 1).
        working_days_overdue: u32,
    },
}

impl DueState {
    /// The date the next visit is due by.
    pub fn due(&self) -> NaiveDate {
        match *self {
            DueState::OnTrack { due, .. }
            | DueState::DueSoon { due, .. }
            | DueState::DueToday { due }
            | DueState::Overdue { due, .. } => due,
        }
    }

    /// Working days overdue, or 0 if not overdue.
    pub fn working_days_overdue(&self) -> u32 {
        match *self {
            DueState::Overdue { working_days_overdue, .. } => working_days_overdue,
            _ => 0,
        }
    }

    /// Whether the child is overdue a visit.
    pub fn is_overdue(&self) -> bool {
        matches!(self, DueState::Overdue { .. })
    }

    /// A key that sorts the most urgent first: the most overdue, then due today, then the
    /// soonest due, then on track.
    pub fn urgency_key(&self) -> (u8, i64) {
        match *self {
            DueState::Overdue { working_days_overdue, .. } => (0, -i64::from(working_days_overdue)),
            DueState::DueToday { .. } => (1, 0),
            DueState::DueSoon { working_days_left, .. } => (2, i64::from(working_days_left)),
            DueState::OnTrack { working_days_left, .. } => (3, i64::from(working_days_left)),
        }
    }

    /// Plain words, never relying on colour: "Overdue by 3 working days", "Due today".
    pub fn describe(&self) -> String {
        use crate::text::working_days as days;
        match *self {
            DueState::Overdue { working_days_overdue, .. } => {
                format!("Overdue by {}", days(working_days_overdue))
            }
            DueState::DueToday { .. } => "Due today".to_owned(),
            DueState::DueSoon { working_days_left, .. } => format!("Due in {}", days(working_days_left)),
            DueState::OnTrack { due, .. } => format!("On track, due by {}", due.format("%d/%m/%Y")),
        }
    }
}

/// Who an overdue child must be escalated to.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum EscalationLevel {
    /// The child's team manager.
    TeamManager,
    /// A senior manager.
    SeniorManager,
}

impl EscalationLevel {
    /// One level up, for escalations not acknowledged in time.
    pub fn above(self) -> EscalationLevel {
        EscalationLevel::SeniorManager
    }
}

/// The date the last statutory visit in which the child was seen took place, from the visits'
/// current revisions. Missed visits, other visits, drafts and voided visits are ignored.
///
/// A child's visits are few (tens over years), so this scans rather than building a map: the
/// schedule is computed for every child in the service on every sweep, and allocation-free
/// scanning keeps that under a few milliseconds per ten thousand children.
pub fn last_seen<'a, I>(visits: I) -> Option<NaiveDate>
where
    I: IntoIterator<Item = &'a Visit>,
    I::IntoIter: Clone,
{
    let visits = visits.into_iter();
    visits
        .clone()
        .filter(|v| v.resets_schedule())
        .filter(|v| !visits.clone().any(|other| other.id == v.id && other.revision > v.revision))
        .map(Visit::date)
        .max()
}

/// The date the next statutory visit is due by: the plan's frequency in working days after the
/// child was last seen (or after registration, if not seen since). Always a working day.
///
/// A last-seen date imported from the central system at go-live
/// ([`ProtectionPlan::seen_before_go_live`]) counts like a visit recorded here.
pub fn next_visit_due(calendar: &Calendar, plan: &ProtectionPlan, last_seen: Option<NaiveDate>) -> NaiveDate {
    let imported = plan.seen_before_go_live.as_ref().and_then(|s| s.last_seen);
    let from = match last_seen.max(imported) {
        Some(seen) if seen >= plan.registered_on => seen,
        _ => plan.registered_on,
    };
    calendar.add_working_days(from, plan.visit_frequency_working_days)
}

/// The due state on `today` of a visit due by `due`.
pub fn due_state(calendar: &Calendar, rules: &ScheduleRules, due: NaiveDate, today: NaiveDate) -> DueState {
    if today == due {
        return DueState::DueToday { due };
    }
    if today > due {
        let elapsed = calendar.working_days_between(due, today).max(1);
        return DueState::Overdue { due, working_days_overdue: u32::try_from(elapsed).unwrap_or(u32::MAX) };
    }
    let left = u32::try_from(calendar.working_days_between(today, due)).unwrap_or(u32::MAX);
    if left <= rules.due_soon_within_working_days {
        DueState::DueSoon { due, working_days_left: left }
    } else {
        DueState::OnTrack { due, working_days_left: left }
    }
}

/// The due state of a child on a plan, from their visits. `None` when the plan is not in force
/// on `today` (not yet started, or ended).
pub fn child_due_state<'a, I>(
    calendar: &Calendar,
    rules: &ScheduleRules,
    plan: &ProtectionPlan,
    visits: I,
    today: NaiveDate,
) -> Option<DueState>
where
    I: IntoIterator<Item = &'a Visit>,
    I::IntoIter: Clone,
{
    if !plan.is_active_on(today) {
        return None;
    }
    let due = next_visit_due(calendar, plan, last_seen(visits));
    Some(due_state(calendar, rules, due, today))
}

/// Who must be told about a child in `state`, if anyone. Overdue goes to the team manager;
/// overdue by more than the senior threshold, or overdue while the key worker is recorded
/// absent, goes to a senior manager.
pub fn escalation_level(
    state: &DueState,
    key_worker_absent: bool,
    rules: &ScheduleRules,
) -> Option<EscalationLevel> {
    match state {
        DueState::Overdue { working_days_overdue, .. } => {
            Some(overdue_level(*working_days_overdue, key_worker_absent, rules))
        }
        _ => None,
    }
}

/// Who is told of something `working_days_overdue` working days overdue (a visit, a plan
/// meeting, supervision, an agreed action): a senior manager when more than
/// [`ScheduleRules::senior_after_working_days`], or while the key worker is absent; else the
/// team manager.
pub fn overdue_level(
    working_days_overdue: u32,
    key_worker_absent: bool,
    rules: &ScheduleRules,
) -> EscalationLevel {
    if working_days_overdue > rules.senior_after_working_days || key_worker_absent {
        EscalationLevel::SeniorManager
    } else {
        EscalationLevel::TeamManager
    }
}

/// Working days since the child was last seen, as of `today` (`None` if never seen).
pub fn working_days_since_seen(
    calendar: &Calendar,
    last_seen: Option<NaiveDate>,
    today: NaiveDate,
) -> Option<i64> {
    last_seen.map(|seen| calendar.working_days_between(seen, today))
}
