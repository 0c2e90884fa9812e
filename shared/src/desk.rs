//! The manager's desk (`GET /api/desk`): what a team manager needs to see in under a minute,
//! and the monthly figures behind the desk's charts.
//!
//! The server computes it from the same rules as the compliance report; the app only draws it.
//! Everything a person reads is here already in plain words or plain numbers, so the app
//! decides nothing about due states or percentages of its own.
//!
//! **Wire format:** read by the app's desk screen. Add fields only, with `#[serde(default)]`.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::{ChildId, CoverId, DueState, EscalationId, WorkerId};

/// The most months of figures the desk gives at once, and the number it gives by default.
pub const MAX_DESK_MONTHS: u32 = 24;
/// The number of months the desk gives when none is asked for.
pub const DEFAULT_DESK_MONTHS: u32 = 12;

/// The manager's desk: the team at a glance, and twelve months of figures.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Desk {
    /// The authority's date the "now" figures are for.
    pub as_of: NaiveDate,
    /// Children on a plan who are overdue a statutory visit or due one within the next five
    /// working days, the most urgent first.
    pub children_due: Vec<DeskChild>,
    /// Open escalations (waiting for a manager, or acted on but not closed), oldest first.
    pub open_escalations: Vec<DeskEscalation>,
    /// The same, counted by age band, youngest band first. Every band is listed, even when empty.
    pub escalations_by_age: Vec<AgeBand>,
    /// Visits held for a manager's review and not yet resolved.
    pub held_visits: u32,
    /// Sync conflicts about the caller's children not yet resolved.
    pub conflicts: u32,
    /// Duty cover in force today.
    pub covers: Vec<DeskCover>,
    /// The service's figures (as far as the caller may see it) by month, oldest first; the
    /// last month runs to `as_of`.
    pub months: Vec<MonthFigures>,
    /// The same figures by key worker, by name.
    pub workers: Vec<WorkerMonths>,
    /// Escalations raised and resolved by month, oldest first, with the time to first action.
    pub escalation_months: Vec<EscalationMonth>,
}

/// A child who is overdue or due soon.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DeskChild {
    /// The child.
    pub child_id: ChildId,
    /// The authority's id for the child.
    pub central_id: String,
    /// The child's name.
    pub child_name: String,
    /// The key worker's name.
    pub key_worker: String,
    /// Where the child is against the schedule.
    pub due_state: DueState,
    /// The same in plain words ("Overdue by 3 working days").
    pub due_words: String,
}

/// An open escalation, for the desk's list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DeskEscalation {
    /// The escalation.
    pub id: EscalationId,
    /// The child it is about.
    pub child_id: ChildId,
    /// The child's name.
    pub child_name: String,
    /// Why it was raised, in plain words.
    pub reason: String,
    /// The authority's date it was first raised.
    pub raised_on: NaiveDate,
    /// Calendar days since it was raised.
    pub age_days: u32,
    /// Whether a manager has recorded an action on it.
    pub acted_on: bool,
}

/// How many open escalations are of an age.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AgeBand {
    /// The band in plain words ("Under a week").
    pub label: String,
    /// The youngest age in the band, in days.
    pub from_days: u32,
    /// How many open escalations are in it.
    pub open: u32,
}

/// Duty cover in force.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DeskCover {
    /// The cover assignment.
    pub id: CoverId,
    /// The child covered.
    pub child_id: ChildId,
    /// The child's name.
    pub child_name: String,
    /// The duty worker's name.
    pub duty_worker: String,
    /// The name of the key worker they cover for.
    pub covering_for: String,
    /// The last day of cover.
    pub ends_on: NaiveDate,
}

/// One month's figures, counted as the compliance report counts them for that month, so a past
/// month's figures never change.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MonthFigures {
    /// The first day of the month.
    pub month: NaiveDate,
    /// Statutory visits that fell due in the month.
    pub statutory_due: u32,
    /// Of those, made on or before the due date.
    pub statutory_on_time: u32,
    /// Visits in the month in which the child was seen.
    pub child_seen: u32,
    /// Of those, seen alone.
    pub seen_alone: u32,
    /// Of those, with the child's own words recorded.
    pub child_words: u32,
    /// Visits in the month where someone needed an interpreter.
    pub interpreter_needed: u32,
    /// Of those, every need met by a professional interpreter.
    pub interpreter_met: u32,
}

impl MonthFigures {
    /// A share as a whole percentage, `None` when there was nothing to count.
    pub fn percent(part: u32, whole: u32) -> Option<u32> {
        (whole > 0).then(|| ((f64::from(part) * 100.0 / f64::from(whole)).round()) as u32)
    }

    /// Visits on time, as a percentage of those due.
    pub fn on_time_percent(&self) -> Option<u32> {
        Self::percent(self.statutory_on_time, self.statutory_due)
    }

    /// Seen alone, as a percentage of visits where the child was seen.
    pub fn seen_alone_percent(&self) -> Option<u32> {
        Self::percent(self.seen_alone, self.child_seen)
    }

    /// The child's words recorded, as a percentage of visits where the child was seen.
    pub fn child_words_percent(&self) -> Option<u32> {
        Self::percent(self.child_words, self.child_seen)
    }

    /// Interpreter needs met, as a percentage of visits that needed one.
    pub fn interpreter_met_percent(&self) -> Option<u32> {
        Self::percent(self.interpreter_met, self.interpreter_needed)
    }
}

/// One key worker's figures by month.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct WorkerMonths {
    /// The worker.
    pub worker_id: WorkerId,
    /// Their name.
    pub worker_name: String,
    /// Their children's figures by month, oldest first.
    pub months: Vec<MonthFigures>,
}

/// Escalations in one month.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct EscalationMonth {
    /// The first day of the month.
    pub month: NaiveDate,
    /// Escalations first raised in the month.
    pub raised: u32,
    /// Escalations first closed in the month: by a manager (confirming, or answering one about
    /// a single visit) or by the service saying why. One raised again later still counts here.
    pub resolved: u32,
    /// Of those raised in the month, how many a manager has acted on.
    pub acted_on: u32,
    /// For those acted on: the mean time from raising to the first action, in days to one
    /// decimal place (`null` when none was acted on).
    pub mean_days_to_first_action: Option<f64>,
}
