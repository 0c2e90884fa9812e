//! What the screens show, worked out from the shared model without any I/O.
//!
//! Due states come from the store's caseload, computed on the device with the shared schedule
//! rules and the Jersey calendar, so that an overdue child shows as overdue even with no signal.

use chrono::NaiveDate;
use shared::schedule::DueState;
use shared::sync::DatedQuote;
use shared::visit::{Seen, current_revisions};
use shared::{ChildId, Visit};

/// One line of the caseload: everything a worker needs to decide who to see first.
#[derive(Clone, Debug, PartialEq)]
pub struct CaseSummary {
    /// The child.
    pub child_id: ChildId,
    /// The name the child is known by, then their family name.
    pub name: String,
    /// Where the child is against their visit schedule; `None` when no plan is in force.
    pub due: Option<DueState>,
    /// The date of the last statutory visit in which the child was seen.
    pub last_seen: Option<NaiveDate>,
    /// Working days since then.
    pub working_days_since_seen: Option<i64>,
    /// The date the child was last seen alone, on any visit that counts.
    pub last_seen_alone: Option<NaiveDate>,
    /// For a child the worker covers for a colleague, the last day of cover.
    pub cover_ends: Option<NaiveDate>,
    /// Whether the child or a carer needs an interpreter.
    pub interpreter_needed: bool,
    /// How many people (the child, parents, carers) have had their need for an interpreter
    /// considered by nobody yet.
    pub interpreting_not_considered: usize,
}

/// The child's words from earlier visits, newest first, each with the date it was said.
pub fn recent_words<'a>(visits: impl IntoIterator<Item = &'a Visit>, limit: usize) -> Vec<DatedQuote> {
    let mut current = current_revisions(visits);
    current.retain(|v| matches!(v.seen, Seen::Yes));
    current.sort_by_key(|v| std::cmp::Reverse(v.started_at));
    current
        .into_iter()
        .flat_map(|v| v.child_words.iter().map(move |q| DatedQuote { date: v.date(), text: q.text.clone() }))
        .take(limit)
        .collect()
}

/// "12/03/2026", or a plain "Never" when there is no date.
pub fn format_date(date: Option<NaiveDate>) -> String {
    date.map(dmy).unwrap_or_else(|| "Never".to_owned())
}

/// A date as British forms write it: `30/11/2026`.
pub fn dmy(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

/// What a date box holds (`2026-12-07`, or `2026-12-07T14:05` with a time), in words that
/// cannot be misread whatever order the box draws it in: "Monday 7 December 2026" or "Monday
/// 7 December 2026 at 14:05". Empty while the box holds no whole date.
pub fn date_in_words(held: &str, with_time: bool) -> String {
    if with_time {
        chrono::NaiveDateTime::parse_from_str(held, "%Y-%m-%dT%H:%M")
            .map(|at| at.format("%A %-d %B %Y at %H:%M").to_string())
            .unwrap_or_default()
    } else {
        NaiveDate::parse_from_str(held, "%Y-%m-%d")
            .map(|d| d.format("%A %-d %B %Y").to_string())
            .unwrap_or_default()
    }
}

/// The order a phone's date boxes draw the day, month and year in: its own language
/// settings' order, which is what a worker types in. A phone set to British English draws the
/// day first; one set to US English, the month; one set to Swedish or Japanese, the year.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DateOrder {
    /// 22/11/2026: the authority's own order, assumed until the phone says otherwise.
    #[default]
    DayMonthYear,
    /// 11/22/2026.
    MonthDayYear,
    /// 2026-11-22.
    YearMonthDay,
}

impl DateOrder {
    /// The order from the parts of a date as the page's language formats it, first to last:
    /// `"day,month,year"`, as `Intl.DateTimeFormat().formatToParts` names them. `None` for
    /// anything else (a year between the day and the month is no order a date box draws).
    pub fn from_parts(parts: &str) -> Option<Self> {
        match parts {
            "day,month,year" => Some(Self::DayMonthYear),
            "month,day,year" => Some(Self::MonthDayYear),
            "year,month,day" => Some(Self::YearMonthDay),
            _ => None,
        }
    }

    /// What the date box beside it asks for, in the order to type it.
    pub fn hint(self, with_time: bool) -> &'static str {
        match (self, with_time) {
            (Self::DayMonthYear, false) => "Day, then month, then year.",
            (Self::DayMonthYear, true) => "Day, then month, then year, then the time.",
            (Self::MonthDayYear, false) => "Month, then day, then year.",
            (Self::MonthDayYear, true) => "Month, then day, then year, then the time.",
            (Self::YearMonthDay, false) => "Year, then month, then day.",
            (Self::YearMonthDay, true) => "Year, then month, then day, then the time.",
        }
    }
}

/// "3 working days ago", "today" or "not yet seen".
pub fn describe_since(days: Option<i64>) -> String {
    match days {
        None => "not seen yet".to_owned(),
        Some(0) => "today".to_owned(),
        Some(n) => format!("{} ago", shared::text::working_days(n)),
    }
}

/// One of the plan's dates as the phone shows it: the latest held, the date due by, overdue.
#[derive(Clone, Debug, PartialEq, serde::Deserialize)]
pub struct PlanDate {
    /// The latest held, if any.
    #[serde(default)]
    pub latest: Option<NaiveDate>,
    /// The date the next is due by.
    pub due: NaiveDate,
    /// Past the due date with none held.
    pub overdue: bool,
    /// Working days past the due date.
    #[serde(default)]
    pub working_days_overdue: u32,
}

/// One of an absent worker's children whose visit falls due while they are away, as
/// `POST /api/absences` gives it.
#[derive(Clone, Debug, PartialEq, serde::Deserialize)]
pub struct DueWhileAway {
    /// The child.
    pub child_id: ChildId,
    /// The date the visit is due by (before the absence, if already overdue).
    pub due: NaiveDate,
    /// The child's due state today.
    pub state: shared::DueState,
    /// Whether a duty worker already covers the child for the whole absence.
    pub covered: bool,
}

/// An absence not yet over, as `GET /api/absences` lists it.
#[derive(Clone, Debug, PartialEq, serde::Deserialize)]
pub struct AbsenceListedView {
    /// The absence.
    pub absence: shared::Absence,
    /// The absent worker's name.
    pub worker_name: String,
}

/// What `POST /api/absences` answers, as far as the phone uses it.
#[derive(Clone, Debug, PartialEq, serde::Deserialize)]
pub struct AbsenceRecordedView {
    /// The absent worker's children with a visit due while they are away, most urgent first.
    pub children_due: Vec<DueWhileAway>,
}

/// A child's plan dates for the manager's desk (`GET /api/plans/due`): the next core group,
/// review conference and supervision, and agreed actions past their date.
#[derive(Clone, Debug, PartialEq, serde::Deserialize)]
pub struct PlanDueView {
    /// The child.
    pub child_id: ChildId,
    /// The authority's id, shown when the phone does not hold the child's name.
    pub central_id: String,
    /// The next core group (counted from the plan's start when no ICPC date is recorded).
    #[serde(default)]
    pub core_group: Option<PlanDate>,
    /// The next review conference, likewise.
    #[serde(default)]
    pub review_conference: Option<PlanDate>,
    /// The next supervision of the case.
    pub supervision: PlanDate,
    /// Agreed actions past their date and not done.
    #[serde(default)]
    pub actions_overdue: u32,
}

impl PlanDueView {
    /// What is overdue or due by `soon`, in plain words, most pressing first; empty when
    /// nothing is.
    pub fn pressing(&self, soon: NaiveDate) -> Vec<String> {
        let mut out = Vec::new();
        let dates = [
            ("Core group", self.core_group.as_ref()),
            ("Review conference", self.review_conference.as_ref()),
            ("Supervision", Some(&self.supervision)),
        ];
        for overdue_first in [true, false] {
            for (what, date) in dates {
                if let Some(date) = date
                    && date.overdue == overdue_first
                    && (date.overdue || date.due <= soon)
                {
                    out.push(format!("{what}: {}", date.describe().to_lowercase()));
                }
            }
        }
        if self.actions_overdue > 0 {
            out.push(match self.actions_overdue {
                1 => "1 agreed action past its date".to_owned(),
                n => format!("{n} agreed actions past their date"),
            });
        }
        out
    }
}

impl PlanDate {
    /// The date as it stands on `today`, by the authority's `calendar`: a copy kept on the phone
    /// from an earlier day is judged again, so a meeting that fell due while the phone was out
    /// of signal says it is overdue, and by how many working days, as the server would.
    pub fn as_of(&self, calendar: &shared::Calendar, today: NaiveDate) -> PlanDate {
        shared::timeline::TimelineDate::on(calendar, self.latest, self.due, today).into()
    }

    /// Plain words, never relying on colour: "Due by 4 Dec 2026" or "Overdue: was due by …".
    pub fn describe(&self) -> String {
        if self.overdue {
            format!(
                "Overdue by {}: was due by {}",
                shared::text::working_days(self.working_days_overdue),
                format_date(Some(self.due))
            )
        } else {
            format!("Due by {}", format_date(Some(self.due)))
        }
    }
}

impl From<shared::timeline::TimelineDate> for PlanDate {
    fn from(d: shared::timeline::TimelineDate) -> Self {
        PlanDate {
            latest: d.latest,
            due: d.due,
            overdue: d.overdue,
            working_days_overdue: d.working_days_overdue,
        }
    }
}

/// An agreed action, as the phone shows it.
#[derive(Clone, Debug, PartialEq, serde::Deserialize)]
pub struct OpenAction {
    /// What must be done, who owns it, by when.
    pub action: shared::timeline::AgreedAction,
    /// Where it was agreed.
    #[serde(default)]
    pub agreed_at: String,
    /// Past its due date, on the plan in force.
    #[serde(default)]
    pub overdue: bool,
    /// Agreed on the plan in force. One from an earlier plan is shown as such, never overdue.
    #[serde(default = "yes")]
    pub on_current_plan: bool,
}

impl OpenAction {
    /// Where the action stands on `today` (the authority's date on the phone): overdue, due
    /// today, or neither. The server's "overdue" is as of when it answered; a copy kept on the
    /// phone from an earlier day is judged again against today, so an action that fell due
    /// while the phone was out of signal still says so. One agreed on an earlier plan is never
    /// due.
    pub fn standing(&self, today: Option<NaiveDate>) -> ActionStanding {
        let due = self.action.due_on;
        match today {
            _ if self.overdue => ActionStanding::Overdue,
            Some(today) if self.on_current_plan && today > due => ActionStanding::Overdue,
            Some(today) if self.on_current_plan && today == due => ActionStanding::DueToday,
            _ => ActionStanding::NotYetDue,
        }
    }
}

/// Where an open action stands on a day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActionStanding {
    /// Past its due date.
    Overdue,
    /// Due today.
    DueToday,
    /// Due later, or not followed (agreed on an earlier plan).
    NotYetDue,
}

fn yes() -> bool {
    true
}

/// The plan's timeline on the child's page: from the server when there is signal, otherwise
/// worked out on the phone from the child's record (without the actions, which the server
/// holds).
#[derive(Clone, Debug, PartialEq, serde::Deserialize)]
pub struct TimelineView {
    /// The initial child protection conference, when the record has its date.
    #[serde(default)]
    pub initial_conference_on: Option<NaiveDate>,
    /// The day the timeline is counted from: the ICPC, or the plan's start without one.
    #[serde(default)]
    pub counted_from: Option<NaiveDate>,
    /// The next core group.
    #[serde(default)]
    pub core_group: Option<PlanDate>,
    /// The next review conference.
    #[serde(default)]
    pub review_conference: Option<PlanDate>,
    /// Actions not yet done, the soonest due first.
    #[serde(default)]
    pub open_actions: Vec<OpenAction>,
    /// Whether this came from the server just now.
    #[serde(skip)]
    pub from_server: bool,
    /// The authority's date on the phone when it was read, to judge the actions against.
    #[serde(skip)]
    pub today: Option<NaiveDate>,
}

/// A child on the manager's supervision list.
#[derive(Clone, Debug, PartialEq, serde::Deserialize)]
pub struct SupervisionDue {
    /// The child.
    pub child_id: ChildId,
    /// The authority's id, shown when the phone does not hold the child's name.
    pub central_id: String,
    /// Supervision of the case: latest and next due.
    pub supervision: PlanDate,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(actions_overdue: u32) -> PlanDueView {
        let due = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        PlanDueView {
            child_id: ChildId::new(),
            central_id: "JY-000001".to_owned(),
            core_group: None,
            review_conference: None,
            supervision: PlanDate { latest: None, due, overdue: true, working_days_overdue: 1 },
            actions_overdue,
        }
    }

    /// A date box's date is read back in words that no order of day and month can confuse.
    #[test]
    fn a_date_box_hint_follows_the_order_the_phone_draws_dates_in() {
        assert_eq!(DateOrder::from_parts("day,month,year"), Some(DateOrder::DayMonthYear));
        assert_eq!(DateOrder::from_parts("month,day,year"), Some(DateOrder::MonthDayYear));
        assert_eq!(DateOrder::from_parts("year,month,day"), Some(DateOrder::YearMonthDay));
        for unknown in ["", "day,year,month", "day,month", "weekday,day,month,year"] {
            assert_eq!(DateOrder::from_parts(unknown), None, "{unknown}");
        }
        assert_eq!(DateOrder::default().hint(false), "Day, then month, then year.");
        assert_eq!(DateOrder::MonthDayYear.hint(false), "Month, then day, then year.");
        assert_eq!(DateOrder::YearMonthDay.hint(true), "Year, then month, then day, then the time.");
    }

    #[test]
    fn a_date_box_reads_its_date_back_in_words() {
        assert_eq!(date_in_words("2026-12-07", false), "Monday 7 December 2026");
        assert_eq!(date_in_words("2026-07-12", false), "Sunday 12 July 2026");
        assert_eq!(date_in_words("2027-03-28T01:30", true), "Sunday 28 March 2027 at 01:30");
        // Half typed, or cleared: no words, never a guess.
        assert_eq!(date_in_words("", false), "");
        assert_eq!(date_in_words("2026-02-30", false), "");
        assert_eq!(date_in_words("2026-12-07", true), "");
    }

    /// When the child was last seen, as the caseload and the child's page say it.
    #[test]
    fn last_seen_is_said_in_working_days_for_one_and_for_many() {
        assert_eq!(describe_since(None), "not seen yet");
        assert_eq!(describe_since(Some(0)), "today");
        assert_eq!(describe_since(Some(1)), "1 working day ago");
        assert_eq!(describe_since(Some(13)), "13 working days ago");
    }

    /// The desk's line for a case reads as a sentence for one and for many.
    #[test]
    fn a_cases_pressing_dates_are_counted_in_plain_words() {
        let soon = NaiveDate::from_ymd_opt(2026, 12, 9).unwrap();
        let one = plan(1).pressing(soon);
        assert_eq!(one[0], "Supervision: overdue by 1 working day: was due by 01/12/2026");
        assert_eq!(one[1], "1 agreed action past its date");
        assert_eq!(plan(3).pressing(soon)[1], "3 agreed actions past their date");
        assert_eq!(plan(0).pressing(soon).len(), 1, "no line for actions when none is overdue");
    }
}
