//! The plan's timeline: the initial child protection conference (ICPC), core group meetings,
//! review conferences and managers' supervision, tracked like visits.
//!
//! The rules, with the defaults in [`Timescales`] (each configurable on the server):
//! - the first core group within 10 working days of the ICPC, then at least every 6 weeks;
//! - the first review conference within 3 months of the ICPC, then every 6 months;
//! - supervision of each child's case at least every month.
//!
//! Periods counted in weeks or months are calendar periods. When such a date falls on a weekend
//! or a public holiday, the meeting is due by the last working day before it: a meeting "at
//! least every six weeks" cannot wait for the Tuesday after a bank holiday Monday. A date
//! counted in working days is always a working day.
//!
//! Meetings and supervision are records of their own, appended and never changed; an action
//! agreed at one is marked done by appending an [`ActionDone`].

use chrono::{DateTime, Days, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::calendar::Calendar;
use crate::child::ProtectionPlan;
use crate::ids::{AgreedActionId, ChildId, PlanMeetingId, SupervisionId, WorkerId};
use crate::limits;
use crate::validation::ValidationErrors;

/// The authority's timescales for the plan's timeline and for supervision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Timescales {
    /// The first core group is due within this many working days of the ICPC (default 10).
    pub core_group_first_working_days: u32,
    /// Later core groups are due at least this many weeks after the last (default 6).
    pub core_group_every_weeks: u32,
    /// The first review conference is due within this many months of the ICPC (default 3).
    pub review_first_months: u32,
    /// Later review conferences are due this many months after the last (default 6).
    pub review_every_months: u32,
    /// Each child's case is supervised at least this many months apart (default 1).
    pub supervision_every_months: u32,
}

impl Default for Timescales {
    fn default() -> Self {
        Self {
            core_group_first_working_days: 10,
            core_group_every_weeks: 6,
            review_first_months: 3,
            review_every_months: 6,
            supervision_every_months: 1,
        }
    }
}

/// The last working day on or before `date`.
pub fn working_day_on_or_before(calendar: &Calendar, date: NaiveDate) -> NaiveDate {
    let mut day = date;
    while !calendar.is_working_day(day) {
        match day.pred_opt() {
            Some(before) => day = before,
            None => return date,
        }
    }
    day
}

fn add_months(date: NaiveDate, months: u32) -> NaiveDate {
    // Clamps to the month's last day: 30 November plus three months is 28 (or 29) February.
    date.checked_add_months(Months::new(months)).unwrap_or(date)
}

/// The date the next core group is due by: within the first timescale of the ICPC until one is
/// held, then the repeat timescale after the latest held.
pub fn next_core_group_due(
    calendar: &Calendar,
    timescales: &Timescales,
    icpc: NaiveDate,
    latest_held: Option<NaiveDate>,
) -> NaiveDate {
    match latest_held.filter(|held| *held >= icpc) {
        None => calendar.add_working_days(icpc, timescales.core_group_first_working_days),
        Some(held) => working_day_on_or_before(
            calendar,
            held.checked_add_days(Days::new(7 * u64::from(timescales.core_group_every_weeks)))
                .unwrap_or(held),
        ),
    }
}

/// The date the next review conference is due by: within the first timescale of the ICPC until
/// one is held, then the repeat timescale after the latest held.
pub fn next_review_due(
    calendar: &Calendar,
    timescales: &Timescales,
    icpc: NaiveDate,
    latest_held: Option<NaiveDate>,
) -> NaiveDate {
    let due = match latest_held.filter(|held| *held > icpc) {
        None => add_months(icpc, timescales.review_first_months),
        Some(held) => add_months(held, timescales.review_every_months),
    };
    working_day_on_or_before(calendar, due)
}

/// The date the next supervision of a case is due by: the frequency after the latest, or, if
/// none is recorded, after the plan started.
pub fn next_supervision_due(
    calendar: &Calendar,
    timescales: &Timescales,
    plan_start: NaiveDate,
    latest: Option<NaiveDate>,
) -> NaiveDate {
    let from = latest.filter(|d| *d >= plan_start).unwrap_or(plan_start);
    working_day_on_or_before(calendar, add_months(from, timescales.supervision_every_months))
}

/// Which kind of plan meeting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MeetingKind {
    /// A core group meeting: the professionals and family who carry out the plan.
    CoreGroup,
    /// A review child protection conference.
    ReviewConference,
}

impl MeetingKind {
    /// Plain words.
    pub fn label(self) -> &'static str {
        match self {
            MeetingKind::CoreGroup => "Core group meeting",
            MeetingKind::ReviewConference => "Review conference",
        }
    }
}

/// An action agreed at a meeting or in supervision: what, who owns it, and by when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AgreedAction {
    /// Identifier, used to mark it done.
    pub id: AgreedActionId,
    /// What must be done. At most 4,000 characters.
    #[schema(max_length = 4000)]
    pub description: String,
    /// Who owns it: a person or an agency. At most 200 characters.
    #[schema(max_length = 200)]
    pub owner: String,
    /// The date it is due by.
    pub due_on: NaiveDate,
}

/// A core group meeting or review conference held on a child's plan. Kept, never changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PlanMeeting {
    /// Identifier.
    pub id: PlanMeetingId,
    /// The child whose plan it is.
    pub child_id: ChildId,
    /// Core group or review conference.
    pub kind: MeetingKind,
    /// The day it was held.
    pub held_on: NaiveDate,
    /// Who attended: the agencies (and family members) present.
    pub attendees: Vec<String>,
    /// The decisions taken.
    pub decisions: Vec<String>,
    /// The actions agreed, each with an owner and a due date.
    pub actions: Vec<AgreedAction>,
    /// Who recorded it.
    pub recorded_by: WorkerId,
    /// Their name at the time.
    pub recorded_by_name: String,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
}

/// A manager's supervision of a child's case. Kept, never changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Supervision {
    /// Identifier.
    pub id: SupervisionId,
    /// The child whose case was supervised.
    pub child_id: ChildId,
    /// The day it took place.
    pub held_on: NaiveDate,
    /// The manager's reflection on risk and progress.
    pub reflection: String,
    /// The decisions taken.
    pub decisions: Vec<String>,
    /// The actions agreed, each with an owner and a due date.
    pub actions: Vec<AgreedAction>,
    /// The manager who recorded it.
    pub recorded_by: WorkerId,
    /// Their name at the time.
    pub recorded_by_name: String,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
}

/// An agreed action marked done. Appended; the action itself is never changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ActionDone {
    /// The action.
    pub action_id: AgreedActionId,
    /// The child.
    pub child_id: ChildId,
    /// The day it was done.
    pub done_on: NaiveDate,
    /// What was done, if said. At most 4,000 characters.
    #[serde(default)]
    pub note: Option<String>,
    /// Who marked it done.
    pub by: WorkerId,
    /// Their name at the time.
    pub by_name: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// An action with where and when it was agreed.
#[derive(Clone, Copy, Debug)]
pub struct Agreed<'a> {
    /// The action.
    pub action: &'a AgreedAction,
    /// Where: "Core group meeting", "Review conference" or "Supervision".
    pub at: &'static str,
    /// The day of the meeting or supervision.
    pub on: NaiveDate,
    /// Whether it was agreed in supervision (which a duty worker does not read).
    pub in_supervision: bool,
}

impl Agreed<'_> {
    /// Whether the action is followed up on `today`: agreed on `plan` (not before the day it
    /// started) while the plan is in force. An action agreed on an earlier plan, or on a plan
    /// that has ended, is listed but never overdue and never escalated: the sweep and the
    /// child's page both ask this.
    pub fn is_followed(&self, plan: Option<&ProtectionPlan>, today: NaiveDate) -> bool {
        plan.is_some_and(|plan| plan.is_active_on(today) && self.on >= plan.registered_on)
    }

    /// Whether the action is overdue on `today`: followed up, not `done`, and past its due date.
    pub fn is_overdue(&self, plan: Option<&ProtectionPlan>, done: bool, today: NaiveDate) -> bool {
        !done && today > self.action.due_on && self.is_followed(plan, today)
    }
}

/// Every action agreed at `meetings` and in `supervisions`, the meetings' first.
pub fn agreed_actions<'a>(
    meetings: &'a [PlanMeeting],
    supervisions: &'a [Supervision],
) -> impl Iterator<Item = Agreed<'a>> + 'a {
    let at_meetings = meetings.iter().flat_map(|m| {
        m.actions.iter().map(move |action| Agreed {
            action,
            at: m.kind.label(),
            on: m.held_on,
            in_supervision: false,
        })
    });
    let in_supervision = supervisions.iter().flat_map(|s| {
        s.actions.iter().map(move |action| Agreed {
            action,
            at: "Supervision",
            on: s.held_on,
            in_supervision: true,
        })
    });
    at_meetings.chain(in_supervision)
}

/// At most this many attendees, decisions or actions on one meeting or supervision.
pub const MAX_MEETING_ITEMS: usize = 50;

/// Checks the attendees, decisions and actions of a meeting or supervision, naming each field
/// at fault: none blank, each within its bound, due dates within two years of today.
pub fn check_items(
    errors: &mut ValidationErrors,
    attendees: Option<&[String]>,
    decisions: &[String],
    actions: &[AgreedAction],
    today: NaiveDate,
) {
    if let Some(attendees) = attendees
        && limits::check_count(errors, "attendees", attendees.len(), MAX_MEETING_ITEMS)
    {
        if attendees.is_empty() {
            errors.push("attendees", "Say who attended.");
        }
        for (i, who) in attendees.iter().enumerate() {
            let field = format!("attendees[{i}]");
            if who.trim().is_empty() {
                errors.push(field.as_str(), "This is blank.");
            }
            limits::check_text(errors, &field, who, limits::MAX_SHORT_TEXT_CHARS);
        }
    }
    if limits::check_count(errors, "decisions", decisions.len(), MAX_MEETING_ITEMS) {
        for (i, decision) in decisions.iter().enumerate() {
            let field = format!("decisions[{i}]");
            if decision.trim().is_empty() {
                errors.push(field.as_str(), "This is blank.");
            }
            limits::check_text(errors, &field, decision, limits::MAX_REASON_CHARS);
        }
    }
    if limits::check_count(errors, "actions", actions.len(), MAX_MEETING_ITEMS) {
        for (i, action) in actions.iter().enumerate() {
            let field = format!("actions[{i}]");
            if action.description.trim().is_empty() {
                errors.push(format!("{field}.description"), "Say what must be done.");
            }
            limits::check_text(
                errors,
                &format!("{field}.description"),
                &action.description,
                limits::MAX_REASON_CHARS,
            );
            if action.owner.trim().is_empty() {
                errors.push(format!("{field}.owner"), "Say who owns this action.");
            }
            limits::check_text(
                errors,
                &format!("{field}.owner"),
                &action.owner,
                limits::MAX_SHORT_TEXT_CHARS,
            );
            limits::check_date_near_today(errors, &format!("{field}.due_on"), action.due_on, today);
        }
    }
}

/// Where one of the plan's dates stands on a given day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TimelineDate {
    /// The latest held, if any.
    #[serde(default)]
    pub latest: Option<NaiveDate>,
    /// The date the next is due by.
    pub due: NaiveDate,
    /// Whether the due date has passed with none held.
    pub overdue: bool,
    /// Working days past the due date (0 when not overdue).
    pub working_days_overdue: u32,
}

impl TimelineDate {
    /// The date as it stands on `today`: overdue once `today` is past `due`, by the working days
    /// since (at least 1). The phone uses it to judge a copy kept from an earlier day.
    pub fn on(calendar: &Calendar, latest: Option<NaiveDate>, due: NaiveDate, today: NaiveDate) -> Self {
        let overdue = today > due;
        let working_days_overdue = if overdue {
            u32::try_from(calendar.working_days_between(due, today).max(1)).unwrap_or(u32::MAX)
        } else {
            0
        };
        TimelineDate { latest, due, overdue, working_days_overdue }
    }
}

/// The plan's core group and review conference dates on `today`, from the ICPC (or the plan's
/// start when no ICPC date is recorded: [`ProtectionPlan::timeline_from`]), the dates the
/// central system gave and the meetings recorded here. `None` when the plan is not in force.
pub fn plan_dates(
    calendar: &Calendar,
    timescales: &Timescales,
    plan: &ProtectionPlan,
    meetings: &[PlanMeeting],
    today: NaiveDate,
) -> Option<(TimelineDate, TimelineDate)> {
    if !plan.is_active_on(today) {
        return None;
    }
    let icpc = plan.timeline_from();
    let within_plan = |d: &NaiveDate| *d >= icpc && *d >= plan.registered_on && *d <= today;
    let held = |kind: MeetingKind| {
        meetings.iter().filter(move |m| m.kind == kind).map(|m| m.held_on).filter(within_plan).max()
    };
    let core = held(MeetingKind::CoreGroup).max(plan.details.latest_core_group.filter(within_plan));
    let review = held(MeetingKind::ReviewConference).max(plan.latest_review_conference.filter(within_plan));
    let core_due = next_core_group_due(calendar, timescales, icpc, core);
    let review_due = next_review_due(calendar, timescales, icpc, review);
    Some((
        TimelineDate::on(calendar, core, core_due, today),
        TimelineDate::on(calendar, review, review_due, today),
    ))
}

/// Supervision of a case on `today`: the latest recorded here or known to the central system
/// ([`crate::PlanDetails::latest_supervision`]) and when the next is due. `None` when the plan
/// is not in force.
pub fn supervision_date(
    calendar: &Calendar,
    timescales: &Timescales,
    plan: &ProtectionPlan,
    supervisions: &[Supervision],
    today: NaiveDate,
) -> Option<TimelineDate> {
    if !plan.is_active_on(today) {
        return None;
    }
    let imported = plan.details.latest_supervision.filter(|d| *d <= today);
    let latest = supervisions.iter().map(|s| s.held_on).filter(|d| *d <= today).max().max(imported);
    let due = next_supervision_due(calendar, timescales, plan.registered_on, latest);
    Some(TimelineDate::on(calendar, latest, due, today))
}
