//! Managers' oversight, with no I/O: a child's chronology (JSON, CSV, printable HTML), the team
//! compliance report, and Ofsted's Annex A List 7.
//!
//! The audit found that chronologies were never up to date and that managers could not confirm
//! whether children had been seen. Everything here is computed from the records as they stand,
//! so a report is never older than the last sync.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use shared::child::Gender;
use shared::text::{count, working_days};
use shared::visit::current_revisions;
use shared::{
    Calendar, Child, ChildId, CoverAssignment, Disability, Escalation, EscalationAction, EscalationLevel,
    HarmCategory, InterpretedPerson, PlanAction, ProtectionPlan, ScheduleRules, SeenAlone, TeamId, Visit,
    VisitKind, WorkerCapacity, WorkerId,
};

use crate::csv_out::SafeCsv;
use crate::store::{ChildChange, ChildSource};

// ---------------------------------------------------------------------------------------------
// The schedule, replayed.
// ---------------------------------------------------------------------------------------------

/// What became of one statutory due date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DueOutcome {
    /// The child was seen on a statutory visit on or before the due date.
    OnTime,
    /// The child was seen after the due date, before the schedule rolled on to the next one.
    Late,
    /// The child was not seen by the time the next due date came (or, for a report, by the
    /// end of the records read): the schedule rolled on.
    Missed,
}

/// One statutory visit that fell due, and what became of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DueOccurrence {
    /// The date it was due by.
    pub due: NaiveDate,
    /// The date the child was seen for it (on time or late), if they were.
    pub met_on: Option<NaiveDate>,
}

impl DueOccurrence {
    /// Whether the child was seen on or before the due date.
    pub fn on_time(&self) -> bool {
        self.met_on.is_some_and(|met| met <= self.due)
    }

    /// On time, late or missed.
    pub fn outcome(&self) -> DueOutcome {
        match self.met_on {
            Some(met) if met <= self.due => DueOutcome::OnTime,
            Some(_) => DueOutcome::Late,
            None => DueOutcome::Missed,
        }
    }
}

/// Replays a plan's schedule from registration and finds every due date up to `until`
/// (inclusive), with what became of each.
///
/// **The rule.** The first visit is due the plan's frequency in working days after
/// registration. When the child is seen on a statutory visit the clock restarts from that
/// visit: the next is due the frequency after it. A visit after its due date is *late*; it
/// still restarts the clock. A due date with no visit by the *next* due date (the frequency in
/// working days after the missed one) is *missed*, and the schedule re-bases on that next due
/// date, so a child left unseen across three due dates has missed three. `until` is today (or
/// the day the plan ended): a due date on it that is not yet met is still open and is not
/// listed. `seen_dates` must be sorted.
pub fn replay_schedule(
    calendar: &Calendar,
    plan: &ProtectionPlan,
    seen_dates: &[NaiveDate],
    until: NaiveDate,
) -> Vec<DueOccurrence> {
    replay_schedule_as_of(calendar, plan, seen_dates, until, until)
}

/// [`replay_schedule`], leaving out a due date on or after `today` that is not yet met.
pub fn replay_schedule_as_of(
    calendar: &Calendar,
    plan: &ProtectionPlan,
    seen_dates: &[NaiveDate],
    until: NaiveDate,
    today: NaiveDate,
) -> Vec<DueOccurrence> {
    let frequency = plan.visit_frequency_working_days.max(1);
    let mut occurrences = Vec::new();
    let mut base = plan.registered_on;
    let mut due = calendar.add_working_days(base, frequency);
    while due <= until {
        let next_seen = seen_dates.get(seen_dates.partition_point(|d| *d <= base)).copied();
        match next_seen {
            Some(seen) if seen <= due => {
                occurrences.push(DueOccurrence { due, met_on: Some(seen) });
                base = seen;
                due = calendar.add_working_days(seen, frequency);
            }
            _ => {
                let rolled = calendar.add_working_days(due, frequency);
                match next_seen {
                    Some(seen) if seen <= rolled && seen <= until => {
                        occurrences.push(DueOccurrence { due, met_on: Some(seen) });
                        base = seen;
                        due = calendar.add_working_days(seen, frequency);
                    }
                    _ => {
                        if due >= today {
                            break;
                        }
                        occurrences.push(DueOccurrence { due, met_on: None });
                        base = due;
                        due = rolled;
                    }
                }
            }
        }
    }
    occurrences
}

fn seen_statutory_dates(current: &[&Visit]) -> Vec<NaiveDate> {
    let mut dates: Vec<NaiveDate> =
        current.iter().filter(|v| v.resets_schedule()).map(|v| v.date()).collect();
    dates.sort_unstable();
    dates.dedup();
    dates
}

// ---------------------------------------------------------------------------------------------
// Chronology.
// ---------------------------------------------------------------------------------------------

/// What kind of event a chronology entry records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChronologyKind {
    /// The child was registered: the plan started.
    Registered,
    /// The plan changed (harms, frequency, key worker, team, actions, registration or
    /// de-registration dates).
    PlanChanged,
    /// A review conference was held.
    ReviewConference,
    /// Duty cover started.
    CoverStarted,
    /// A visit.
    Visit,
    /// A statutory visit where the child was not seen.
    MissedVisit,
    /// A statutory visit's due date passed without the child being seen.
    VisitOverdue,
    /// A visit record was entered in error.
    VisitVoided,
    /// An escalation was raised.
    EscalationRaised,
    /// An escalation was raised again, one level up.
    EscalationRaisedAgain,
    /// A manager acted on an escalation.
    EscalationAcknowledged,
    /// An escalation closed (by itself, with its reason, or confirmed by a manager).
    EscalationClosed,
    /// A manager was asked to confirm, an escalation was sent to a deputy, or re-assessed.
    EscalationUpdated,
    /// Duty cover ended.
    CoverEnded,
    /// The child was de-registered: the plan ended.
    Deregistered,
    /// A core group meeting was held.
    CoreGroup,
    /// A manager supervised the case.
    Supervision,
    /// A significant event another agency reported (police, school, health, ...), entered by
    /// hand.
    SignificantEvent,
    /// A safety warning for lone visits was recorded on the child's household.
    SafetyWarning,
    /// A manager ended a safety warning on the child's household.
    SafetyWarningEnded,
    /// A manager's standing decision that the child need not be seen alone for a period.
    SeenAloneDecision,
    /// A manager ended such a decision early.
    SeenAloneDecisionEnded,
}

impl ChronologyKind {
    /// Where an entry of this kind comes from, when the entry does not say more itself.
    pub fn source(self) -> &'static str {
        match self {
            ChronologyKind::Registered
            | ChronologyKind::PlanChanged
            | ChronologyKind::ReviewConference
            | ChronologyKind::Deregistered => "central case record",
            ChronologyKind::CoverStarted | ChronologyKind::CoverEnded => "cover assignment",
            ChronologyKind::Visit | ChronologyKind::MissedVisit | ChronologyKind::VisitVoided => {
                "visit record"
            }
            ChronologyKind::VisitOverdue => "visit schedule, worked out from the visit records",
            ChronologyKind::EscalationRaised
            | ChronologyKind::EscalationRaisedAgain
            | ChronologyKind::EscalationAcknowledged
            | ChronologyKind::EscalationClosed
            | ChronologyKind::EscalationUpdated => "escalation record",
            ChronologyKind::CoreGroup => "core group record",
            ChronologyKind::Supervision => "supervision record",
            ChronologyKind::SignificantEvent => "another agency",
            ChronologyKind::SafetyWarning | ChronologyKind::SafetyWarningEnded => "safety warning record",
            ChronologyKind::SeenAloneDecision | ChronologyKind::SeenAloneDecisionEnded => {
                "standing seen-alone decision"
            }
        }
    }

    /// The group a `kinds` filter can name instead of each kind: `plan`, `visit`, `escalation`,
    /// `cover`, `significant_event`, `safety_warning` or `seen_alone`.
    pub fn group(self) -> &'static str {
        match self {
            ChronologyKind::Registered
            | ChronologyKind::PlanChanged
            | ChronologyKind::ReviewConference
            | ChronologyKind::Deregistered => "plan",
            ChronologyKind::CoverStarted | ChronologyKind::CoverEnded => "cover",
            ChronologyKind::Visit
            | ChronologyKind::MissedVisit
            | ChronologyKind::VisitOverdue
            | ChronologyKind::VisitVoided => "visit",
            ChronologyKind::EscalationRaised
            | ChronologyKind::EscalationRaisedAgain
            | ChronologyKind::EscalationAcknowledged
            | ChronologyKind::EscalationClosed
            | ChronologyKind::EscalationUpdated => "escalation",
            ChronologyKind::CoreGroup | ChronologyKind::Supervision => "plan",
            ChronologyKind::SignificantEvent => "significant_event",
            ChronologyKind::SafetyWarning | ChronologyKind::SafetyWarningEnded => "safety_warning",
            ChronologyKind::SeenAloneDecision | ChronologyKind::SeenAloneDecisionEnded => "seen_alone",
        }
    }

    /// The kind's own name on the wire, for example `escalation_raised`.
    pub fn name(self) -> String {
        serde_json::to_value(self).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
    }

    /// Plain words for the kind.
    pub fn label(self) -> &'static str {
        match self {
            ChronologyKind::Registered => "Child protection plan started",
            ChronologyKind::PlanChanged => "Plan changed",
            ChronologyKind::ReviewConference => "Review conference",
            ChronologyKind::CoverStarted => "Duty cover started",
            ChronologyKind::Visit => "Visit",
            ChronologyKind::MissedVisit => "Missed visit (child not seen)",
            ChronologyKind::VisitOverdue => "Statutory visit not made in time",
            ChronologyKind::VisitVoided => "Visit record entered in error",
            ChronologyKind::EscalationRaised => "Escalation raised",
            ChronologyKind::EscalationRaisedAgain => "Escalation raised again",
            ChronologyKind::EscalationAcknowledged => "Escalation acted on",
            ChronologyKind::EscalationClosed => "Escalation closed",
            ChronologyKind::EscalationUpdated => "Escalation updated",
            ChronologyKind::CoverEnded => "Duty cover ended",
            ChronologyKind::Deregistered => "Child protection plan ended",
            ChronologyKind::CoreGroup => "Core group meeting",
            ChronologyKind::Supervision => "Supervision",
            ChronologyKind::SignificantEvent => "Significant event (other agency)",
            ChronologyKind::SafetyWarning => "Safety warning recorded (lone visits)",
            ChronologyKind::SafetyWarningEnded => "Safety warning ended",
            ChronologyKind::SeenAloneDecision => "Standing decision: need not be seen alone",
            ChronologyKind::SeenAloneDecisionEnded => "Standing decision ended early",
        }
    }
}

/// One event in a child's chronology.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ChronologyEntry {
    /// The date it happened, in the authority's time zone.
    pub date: NaiveDate,
    /// The time, where one is recorded (`HH:MM`, in the authority's time zone: a visit's
    /// start is converted from the device's offset; a significant event's is as entered).
    #[serde(default)]
    pub time: Option<String>,
    /// What kind of event.
    pub kind: ChronologyKind,
    /// Plain words: what happened.
    pub summary: String,
    /// For visits: whether the child was seen.
    #[serde(default)]
    pub seen: Option<bool>,
    /// For visits where the child was seen: whether they were seen alone.
    #[serde(default)]
    pub seen_alone: Option<bool>,
    /// For visits: the child's own words, verbatim.
    #[serde(default)]
    pub child_words: Vec<String>,
    /// Who, where known.
    #[serde(default)]
    pub worker: Option<String>,
    /// Whether it was done on duty cover.
    #[serde(default)]
    pub on_cover: bool,
    /// For plan changes: what changed, with the values before and after. Absent otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub plan_changes: Vec<PlanChange>,
    /// Where the entry comes from: the visit record and its worker, the central case record,
    /// the escalation record, a cover assignment, or the agency that reported a significant
    /// event.
    #[serde(default)]
    pub source: String,
    /// For visits: what the worker saw or heard, as fact.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub facts: String,
    /// For visits: what the worker worries about, and why.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub concerns: String,
    /// For amended visits: each amendment, oldest first, with the text before and after and
    /// the reason.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub amendments: Vec<VisitAmendment>,
}

impl ChronologyEntry {
    /// An entry with none of a visit's details: when, what kind, plain words, and the source
    /// its kind names. Callers add a worker, or a source of their own.
    fn event(
        date: NaiveDate,
        time: Option<String>,
        kind: ChronologyKind,
        summary: String,
    ) -> ChronologyEntry {
        ChronologyEntry {
            date,
            time,
            kind,
            summary,
            seen: None,
            seen_alone: None,
            child_words: Vec::new(),
            worker: None,
            on_cover: false,
            plan_changes: Vec::new(),
            source: kind.source().to_owned(),
            facts: String::new(),
            concerns: String::new(),
            amendments: Vec::new(),
        }
    }
}

/// One amendment of a visit record: who made it, when, why, and each piece of text before and
/// after.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct VisitAmendment {
    /// The revision the amendment made (2 for the first amendment).
    pub revision: u32,
    /// When it was recorded, in the authority's time zone (`DD/MM/YYYY HH:MM`).
    pub recorded: String,
    /// Who made it.
    pub by: String,
    /// Why, in the worker's words.
    pub reason: String,
    /// What changed, with the original and the new text.
    pub changes: Vec<AmendedText>,
}

/// One piece of a visit record as it was and as amended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AmendedText {
    /// Which part, in plain words (for example "Concerns").
    pub field: String,
    /// The text before the amendment (empty if there was none).
    pub before: String,
    /// The text after it (empty if it was removed).
    pub after: String,
}

/// A part of a child protection plan that a [`PlanChange`] is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlanField {
    /// The categories of harm.
    Harms,
    /// The statutory visit frequency, in working days.
    VisitFrequency,
    /// The key worker.
    KeyWorker,
    /// The team holding the case.
    Team,
    /// The plan's actions.
    Actions,
    /// The registration (plan start) date.
    RegisteredOn,
    /// The de-registration (plan end) date.
    DeregisteredOn,
}

/// One part of a plan that changed, with its values before and after in plain words (dates
/// `DD/MM/YYYY`, lists joined with `; `, empty where there was none).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PlanChange {
    /// Which part.
    pub field: PlanField,
    /// Its value before.
    pub before: String,
    /// Its value after.
    pub after: String,
}

/// A child's chronology, oldest first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Chronology {
    /// The child.
    pub child_id: ChildId,
    /// The authority's id for the child.
    pub central_id: String,
    /// The child's name.
    pub child_name: String,
    /// `None` while the child is unborn.
    pub date_of_birth: Option<NaiveDate>,
    /// An unborn child's expected date of birth.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_date_of_birth: Option<NaiveDate>,
    /// When this was produced.
    pub generated_at: DateTime<Utc>,
    /// Who produced it: the name of the person who asked for it.
    #[serde(default)]
    pub produced_by: String,
    /// The authority's time zone (IANA name, for example `Europe/London`): every date and time
    /// in the chronology is shown there.
    #[serde(default)]
    pub time_zone: String,
    /// The filter applied, when one was: the chronology then shows only part of the record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<ChronologyFilter>,
    /// The events, in date order.
    pub entries: Vec<ChronologyEntry>,
}

/// A filter on a chronology: a date range (both ends included) and kinds of event.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ChronologyFilter {
    /// The first day shown.
    #[serde(default)]
    pub from: Option<NaiveDate>,
    /// The last day shown.
    #[serde(default)]
    pub to: Option<NaiveDate>,
    /// The kinds or groups of kinds shown, as asked for (empty: every kind).
    #[serde(default)]
    pub kinds: Vec<String>,
}

impl ChronologyFilter {
    /// Whether an entry passes the filter.
    pub fn admits(&self, entry: &ChronologyEntry) -> bool {
        self.from.is_none_or(|from| entry.date >= from)
            && self.to.is_none_or(|to| entry.date <= to)
            && (self.kinds.is_empty()
                || self.kinds.iter().any(|k| *k == entry.kind.group() || *k == entry.kind.name()))
    }

    /// Plain words for the filter, for the chronology's notes.
    pub fn words(&self) -> String {
        let mut parts = Vec::new();
        match (self.from, self.to) {
            (Some(from), Some(to)) => parts.push(format!("events from {} to {}", dmy(from), dmy(to))),
            (Some(from), None) => parts.push(format!("events from {}", dmy(from))),
            (None, Some(to)) => parts.push(format!("events up to {}", dmy(to))),
            (None, None) => {}
        }
        if !self.kinds.is_empty() {
            parts.push(format!("of the kinds: {}", self.kinds.join(", ").replace('_', " ")))
        }
        parts.join(", ")
    }
}

/// Keeps only the entries the filter admits, and records the filter in the chronology.
pub fn filter_chronology(chronology: &mut Chronology, filter: ChronologyFilter) {
    chronology.entries.retain(|e| filter.admits(e));
    chronology.filter = Some(filter);
}

/// Adds significant events from other agencies to a chronology, each in date order among the
/// rest, with the agency as its source and who entered it.
pub fn add_significant_events(
    chronology: &mut Chronology,
    events: &[crate::significant_events::SignificantEvent],
) {
    let tz: shared::Tz = chronology.time_zone.parse().unwrap_or(shared::clock::DEFAULT_TIME_ZONE);
    for event in events {
        let reported = if event.reported_by.is_empty() {
            event.agency.label().to_owned()
        } else {
            format!("{} ({})", event.agency.label(), event.reported_by)
        };
        let entered = event.recorded_at.with_timezone(&tz).format("%d/%m/%Y %H:%M");
        let entry = ChronologyEntry {
            source: reported,
            ..ChronologyEntry::event(
                event.occurred_on,
                event.occurred_at.clone(),
                ChronologyKind::SignificantEvent,
                format!("{} (Entered by {} on {entered}.)", event.summary, event.recorded_by_name),
            )
        };
        insert_in_order(chronology, entry);
    }
}

/// Puts `entry` among a chronology's entries in date and time order, after those of the same
/// moment. The entries are in date order; within a day, those with a time are in time order,
/// and those without one (a meeting or supervision, recorded by date) stand where they were
/// put, among them or at the end of the day. So a timed entry goes before the day's first
/// later one, else after its last timed one; an untimed entry goes at the end of its day.
fn insert_in_order(chronology: &mut Chronology, entry: ChronologyEntry) {
    let entries = &chronology.entries;
    let day_starts = entries.partition_point(|e| e.date < entry.date);
    let day_ends = entries.partition_point(|e| e.date <= entry.date);
    let day = &entries[day_starts..day_ends];
    let within = match entry.time.as_deref() {
        None => day.len(),
        Some(time) => day
            .iter()
            .position(|e| e.time.as_deref().is_some_and(|t| t > time))
            .or_else(|| day.iter().rposition(|e| e.time.is_some()).map(|last| last + 1))
            .unwrap_or(day.len()),
    };
    chronology.entries.insert(day_starts + within, entry);
}

/// Adds the safety warnings on the child's household (`crate::household::warnings_for`): when
/// each was recorded, what it says and who recorded it, and when a manager ended one and why.
/// A warning is about the household's risk to a worker visiting alone, which a court and an
/// inspector read with the rest of the child's record.
pub fn add_safety_warnings(
    chronology: &mut Chronology,
    warnings: &[shared::household::SafetyWarning],
    worker_names: &HashMap<WorkerId, String>,
) {
    let tz: shared::Tz = chronology.time_zone.parse().unwrap_or(shared::clock::DEFAULT_TIME_ZONE);
    let name = |id: WorkerId| worker_names.get(&id).cloned().unwrap_or_else(|| format!("worker {id}"));
    let entry = |at: DateTime<Utc>, kind: ChronologyKind, summary: String, by: String| {
        let (date, time) = local(tz, at);
        ChronologyEntry {
            worker: Some(by),
            ..ChronologyEntry::event(date, Some(time.format("%H:%M").to_string()), kind, summary)
        }
    };
    for warning in warnings {
        let recorded = entry(
            warning.recorded_at,
            ChronologyKind::SafetyWarning,
            format!("Safety warning for lone visits ({}): {}", warning.kind.label(), warning.details.trim()),
            name(warning.recorded_by),
        );
        insert_in_order(chronology, recorded);
        if let Some(end) = &warning.ended {
            let ended = entry(
                end.ended_at,
                ChronologyKind::SafetyWarningEnded,
                format!(
                    "Safety warning ended ({}, recorded {}): {}",
                    warning.kind.label(),
                    dmy(local(tz, warning.recorded_at).0),
                    end.reason.trim()
                ),
                name(end.ended_by),
            );
            insert_in_order(chronology, ended);
        }
    }
}

/// Adds a manager's standing decisions that the child need not be seen alone: when each was
/// made, by whom, for which days and why, and when a manager ended one early and why. Visits
/// within one raise no "not seen alone" escalation, so a reader of the chronology must see
/// the decision that explains why nobody was asked (each such visit names it too: see
/// [`ChronologyInput::seen_alone_decisions`]).
pub fn add_seen_alone_decisions(chronology: &mut Chronology, decisions: &[shared::SeenAloneDecision]) {
    let tz: shared::Tz = chronology.time_zone.parse().unwrap_or(shared::clock::DEFAULT_TIME_ZONE);
    let entry = |at: DateTime<Utc>, kind: ChronologyKind, summary: String, by: &str| {
        let (date, time) = local(tz, at);
        ChronologyEntry {
            worker: Some(by.to_owned()),
            ..ChronologyEntry::event(date, Some(time.format("%H:%M").to_string()), kind, summary)
        }
    };
    for decision in decisions {
        let made = entry(
            decision.decided_at,
            ChronologyKind::SeenAloneDecision,
            format!(
                "Standing decision that the child need not be seen alone from {} to {}: {}",
                dmy(decision.starts_on),
                dmy(decision.ends_on),
                decision.reason.trim()
            ),
            &decision.decided_by_name,
        );
        insert_in_order(chronology, made);
        if let Some(end) = &decision.ended {
            let from = end.last_day.succ_opt().unwrap_or(end.last_day);
            let ended = entry(
                end.ended_at,
                ChronologyKind::SeenAloneDecisionEnded,
                format!(
                    "Standing decision ended early (made by {} on {}, to {}): from {} the child must be seen alone again, or a manager asked. {}",
                    decision.decided_by_name,
                    dmy(local(tz, decision.decided_at).0),
                    dmy(decision.ends_on),
                    dmy(from),
                    shared::text::as_sentence(&end.reason)
                ),
                &end.ended_by_name,
            );
            insert_in_order(chronology, ended);
        }
    }
}

/// What a chronology is built from.
#[derive(Clone, Copy, Debug)]
pub struct ChronologyInput<'a> {
    /// The child as the central record now stands.
    pub child: &'a Child,
    /// Earlier versions of the child's record, oldest first, to show plan changes. May be empty.
    pub earlier_records: &'a [Child],
    /// Every revision of every visit.
    pub visits: &'a [Visit],
    /// Every escalation about the child.
    pub escalations: &'a [Escalation],
    /// Every cover assignment for the child.
    pub covers: &'a [CoverAssignment],
    /// The child's standing "seen alone" decisions: a visit not seen alone within one names
    /// it, judged on the visit's own date as the sweep judges it. May be empty.
    pub seen_alone_decisions: &'a [shared::SeenAloneDecision],
    /// Staff names by id.
    pub worker_names: &'a HashMap<WorkerId, String>,
    /// The working-day calendar.
    pub calendar: &'a Calendar,
    /// Today.
    pub today: NaiveDate,
    /// Now.
    pub now: DateTime<Utc>,
    /// The authority's time zone: instants are shown as the date and time there.
    pub time_zone: shared::Tz,
}

/// The date and time in the authority's zone of a stored (UTC) instant.
fn local(time_zone: shared::Tz, at: DateTime<Utc>) -> (NaiveDate, chrono::NaiveTime) {
    let at = at.with_timezone(&time_zone);
    (at.date_naive(), at.time())
}

/// Builds a child's chronology. Plan changes between `earlier_records` carry no date of their
/// own; [`chronology_with_history`] dates them from the server's history.
pub fn chronology(input: &ChronologyInput<'_>) -> Chronology {
    chronology_with_history(input, &[])
}

/// Builds a child's chronology, with every change the server recorded to the child's central
/// record ([`Store::child_history`](crate::store::Store::child_history), oldest first) shown
/// as a plan change on the date and time it was recorded, with its values before and after.
pub fn chronology_with_history(input: &ChronologyInput<'_>, history: &[ChildChange]) -> Chronology {
    let name = |id: WorkerId| input.worker_names.get(&id).cloned().unwrap_or_else(|| format!("worker {id}"));
    // Registration and plan changes: every version of the record, oldest first.
    let mut records: Vec<(Option<&ChildChange>, &Child)> =
        input.earlier_records.iter().map(|c| (None, c)).collect();
    if let Some(first) = history.first() {
        records.push((None, &first.before));
    }
    records.extend(history.iter().map(|change| (Some(change), &change.after)));
    records.push((None, input.child));
    let mut entries = plan_entries(&records, &name, input.time_zone);
    // Visits carry more than a summary; they are gathered apart and merged before sorting.
    let mut visit_entries: Vec<(NaiveTime, ChronologyEntry)> = Vec::new();
    let mut push = |date: NaiveDate, time: Option<NaiveTime>, kind: ChronologyKind, summary: String| {
        let entry = ChronologyEntry::event(date, time.map(|t| t.format("%H:%M").to_string()), kind, summary);
        entries.push((time.unwrap_or(NaiveTime::MIN), entry));
    };

    let mut review_dates: Vec<NaiveDate> =
        records.iter().filter_map(|(_, r)| r.plan.as_ref()?.latest_review_conference).collect();
    review_dates.sort_unstable();
    review_dates.dedup();
    for date in review_dates {
        push(date, None, ChronologyKind::ReviewConference, "Review conference held.".to_owned());
    }
    if let Some(end) = input.child.plan.as_ref().and_then(|p| p.deregistered_on) {
        push(end, None, ChronologyKind::Deregistered, "De-registered: the plan ended.".to_owned());
    }

    // Visits as they now stand, and voided ones noted.
    let current = current_revisions(input.visits);
    for visit in &current {
        let kind =
            if visit.is_missed_statutory() { ChronologyKind::MissedVisit } else { ChronologyKind::Visit };
        let mut summary = format!(
            "{} visit, {} at {}.",
            if visit.kind == VisitKind::Statutory { "Statutory" } else { "Other" },
            match visit.announced {
                shared::Announcement::Announced => "announced",
                shared::Announcement::Unannounced => "unannounced",
            },
            visit.location
        );
        match &visit.seen {
            shared::Seen::Yes => match &visit.seen_alone {
                Some(SeenAlone::Yes) => summary.push_str(" Child seen, and seen alone."),
                Some(SeenAlone::No { reason, present, manager_agreed }) => {
                    let _ = write!(
                        summary,
                        " Child seen, not alone ({reason}; present: {}).{}",
                        present.join(", "),
                        if *manager_agreed { " A manager agreed." } else { " No manager's agreement." }
                    );
                    // The sweep's own rule and date: the chronology says so exactly when no
                    // manager was asked because of it.
                    if let Some(decision) =
                        shared::SeenAloneDecision::covering(input.seen_alone_decisions, visit.date())
                    {
                        let _ = write!(
                            summary,
                            " Covered by {}'s standing decision of {} that the child need not be seen alone.",
                            decision.decided_by_name,
                            dmy(local(input.time_zone, decision.decided_at).0)
                        );
                    }
                }
                None => summary.push_str(" Child seen."),
            },
            shared::Seen::No { reason } => {
                let _ = write!(summary, " Child not seen: {}", shared::text::as_sentence(reason));
            }
        }
        if !visit.child_views.trim().is_empty() {
            let _ = write!(summary, " Views, wishes and feelings: {}", visit.child_views.trim());
        }
        for record in &visit.interpreters {
            if let Some(shared::InterpreterUsed::FamilyMember { who }) = &record.used {
                let person = match record.person {
                    InterpretedPerson::Child => "the child".to_owned(),
                    InterpretedPerson::Carer { carer_id } => input
                        .child
                        .carer(carer_id)
                        .map_or_else(|| "a carer".to_owned(), |c| c.relationship.clone()),
                };
                let _ = write!(summary, " FLAG: a family member ({}) interpreted for {person}.", who.trim());
            }
            if record.needed && !record.need_met() {
                let who = match record.person {
                    InterpretedPerson::Child => "the child".to_owned(),
                    InterpretedPerson::Carer { carer_id } => input
                        .child
                        .carer(carer_id)
                        .map_or_else(|| "a carer".to_owned(), |c| c.relationship.clone()),
                };
                let _ =
                    write!(summary, " Interpreter needed for {who} but no professional interpreter used.");
            }
        }
        if visit.revision > 1 {
            let _ = write!(
                summary,
                " Amended (revision {}): {}.",
                visit.revision,
                visit.amendment_reason.as_deref().unwrap_or("no reason given")
            );
        }
        let on_cover = visit.capacity == WorkerCapacity::DutyCover;
        // Shown in the authority's time zone, like every other time in the chronology.
        let started = visit.started_at.with_timezone(&input.time_zone);
        visit_entries.push((
            started.time(),
            ChronologyEntry {
                date: started.date_naive(),
                time: Some(started.format("%H:%M").to_string()),
                kind,
                summary,
                seen: Some(visit.child_seen()),
                seen_alone: visit.seen_alone_answer(),
                child_words: visit.child_words.iter().map(|q| q.text.clone()).collect(),
                worker: Some(name(visit.worker_id)),
                on_cover,
                plan_changes: Vec::new(),
                source: format!("visit record by {}", name(visit.worker_id)),
                facts: visit.observations.facts.trim().to_owned(),
                concerns: visit.observations.concerns.trim().to_owned(),
                amendments: amendments_of(visit, input.visits, &name, input.time_zone),
            },
        ));
    }
    let mut latest: HashMap<shared::VisitId, &Visit> = HashMap::new();
    for visit in input.visits {
        let entry = latest.entry(visit.id).or_insert(visit);
        if visit.revision > entry.revision {
            *entry = visit;
        }
    }
    let mut voided: Vec<&&Visit> =
        latest.values().filter(|v| v.status == shared::VisitStatus::EnteredInError).collect();
    voided.sort_by_key(|v| v.started_at);
    for visit in voided {
        let started = visit.started_at.with_timezone(&input.time_zone);
        visit_entries.push((
            started.time(),
            ChronologyEntry {
                worker: Some(name(visit.worker_id)),
                source: format!("visit record by {}", name(visit.worker_id)),
                amendments: amendments_of(visit, input.visits, &name, input.time_zone),
                ..ChronologyEntry::event(
                    started.date_naive(),
                    Some(started.format("%H:%M").to_string()),
                    ChronologyKind::VisitVoided,
                    format!(
                        "A visit recorded for this date was marked as entered in error: {}.",
                        visit.amendment_reason.as_deref().unwrap_or("no reason given")
                    ),
                )
            },
        ));
    }

    // Due dates missed.
    if let Some(plan) = input.child.plan.as_ref() {
        let seen = seen_statutory_dates(&current);
        let until = plan.deregistered_on.map_or(input.today, |end| end.min(input.today));
        for occurrence in replay_schedule_as_of(input.calendar, plan, &seen, until, input.today) {
            if occurrence.on_time() {
                continue;
            }
            let summary = match occurrence.met_on {
                Some(met) => format!(
                    "Statutory visit due by {} was late: the child was next seen on {} ({} late).",
                    dmy(occurrence.due),
                    dmy(met),
                    working_days(input.calendar.working_days_between(occurrence.due, met))
                ),
                None => format!(
                    "Statutory visit due by {} not made: the child has not been seen since ({} overdue on {}).",
                    dmy(occurrence.due),
                    working_days(input.calendar.working_days_between(occurrence.due, input.today)),
                    dmy(input.today)
                ),
            };
            push(occurrence.due, None, ChronologyKind::VisitOverdue, summary);
        }
    }

    // Escalations: every step of each one's history, naming the managers.
    for escalation in input.escalations {
        let escalation = escalation.clone().with_history(input.time_zone);
        for entry in &escalation.history {
            let to = match entry.to {
                Some(id) => format!("{} ({})", level_words(entry.level), name(id)),
                None => level_words(entry.level).to_owned(),
            };
            // Name the manager who was told, where the text does not already.
            let sent_to = |text: &str| match entry.to.map(&name) {
                Some(manager) if !text.contains(&manager) => format!("{text} (Sent to {to}.)"),
                _ => text.to_owned(),
            };
            let (kind, text) = match &entry.step {
                shared::EscalationStep::Raised => (ChronologyKind::EscalationRaised, sent_to(&entry.text)),
                shared::EscalationStep::RaisedAgain => {
                    (ChronologyKind::EscalationRaisedAgain, sent_to(&entry.text))
                }
                shared::EscalationStep::Acknowledged { action } => {
                    // The manager's name: from the staff list, else as recorded with the action.
                    let by = match (entry.by, &entry.by_name) {
                        (Some(id), _) if input.worker_names.contains_key(&id) => name(id),
                        (_, Some(recorded)) => recorded.clone(),
                        (Some(id), None) => name(id),
                        (None, None) => "the service".to_owned(),
                    };
                    let level = level_words(entry.level);
                    (
                        ChronologyKind::EscalationAcknowledged,
                        format!("{} Recorded by {by} ({level}).", action_words(action, &name)),
                    )
                }
                shared::EscalationStep::Closed => (ChronologyKind::EscalationClosed, entry.text.clone()),
                shared::EscalationStep::ConfirmationAsked
                | shared::EscalationStep::Rerouted
                | shared::EscalationStep::Reevaluated => {
                    (ChronologyKind::EscalationUpdated, format!("{} (With {to}.)", entry.text))
                }
            };
            let (date, time) = local(input.time_zone, entry.at);
            push(date, Some(time), kind, text);
        }
    }

    // Cover.
    for cover in input.covers {
        push(
            cover.starts_on,
            None,
            ChronologyKind::CoverStarted,
            format!(
                "{} covers for {} until {} (assigned by {}).",
                name(cover.duty_worker),
                name(cover.covering_for),
                dmy(cover.ends_on),
                name(cover.assigned_by)
            ),
        );
        if cover.ends_on < input.today {
            push(
                cover.ends_on,
                None,
                ChronologyKind::CoverEnded,
                format!("{}'s cover ended.", name(cover.duty_worker)),
            );
        }
    }

    entries.extend(visit_entries);
    entries.sort_by_key(|(time, e)| (e.date, *time, e.kind));
    Chronology {
        child_id: input.child.id,
        central_id: input.child.central_id.clone(),
        child_name: input.child.display_name(),
        date_of_birth: input.child.date_of_birth,
        expected_date_of_birth: input.child.details.expected_date_of_birth,
        generated_at: input.now,
        produced_by: String::new(),
        time_zone: input.time_zone.name().to_owned(),
        filter: None,
        entries: entries
            .into_iter()
            .map(|(_, mut e)| {
                if e.source.is_empty() {
                    e.source = e.kind.source().to_owned();
                }
                e
            })
            .collect(),
    }
}

/// Each amendment that led to `visit` (its own revision and those before it), oldest first:
/// who made it, when, why, and every piece of text before and after.
fn amendments_of(
    visit: &Visit,
    all: &[Visit],
    name: &dyn Fn(WorkerId) -> String,
    time_zone: shared::Tz,
) -> Vec<VisitAmendment> {
    let mut revisions: Vec<&Visit> =
        all.iter().filter(|v| v.id == visit.id && v.revision <= visit.revision).collect();
    revisions.sort_by_key(|v| v.revision);
    revisions.dedup_by_key(|v| v.revision);
    revisions
        .windows(2)
        .map(|pair| {
            let (before, after) = (pair[0], pair[1]);
            let at = after.recorded_at.with_timezone(&time_zone);
            VisitAmendment {
                revision: after.revision,
                recorded: at.format("%d/%m/%Y %H:%M").to_string(),
                by: name(after.worker_id),
                reason: after.amendment_reason.as_deref().unwrap_or("no reason given").trim().to_owned(),
                changes: visit_text_changes(before, after),
            }
        })
        .collect()
}

/// The parts of a visit record that differ between two revisions, in plain words.
fn visit_text_changes(before: &Visit, after: &Visit) -> Vec<AmendedText> {
    fn seen_words(v: &Visit) -> String {
        match &v.seen {
            shared::Seen::Yes => "Yes".to_owned(),
            shared::Seen::No { reason } => format!("No: {}", reason.trim()),
        }
    }
    fn alone_words(v: &Visit) -> String {
        match &v.seen_alone {
            Some(SeenAlone::Yes) => "Yes".to_owned(),
            Some(SeenAlone::No { reason, present, manager_agreed }) => {
                let agreed = if *manager_agreed { "a manager agreed" } else { "no manager's agreement" };
                format!("No: {} (present: {}; {agreed})", reason.trim(), present.join(", "))
            }
            None => String::new(),
        }
    }
    fn kind_words(v: &Visit) -> String {
        match v.kind {
            VisitKind::Statutory => "Statutory".to_owned(),
            VisitKind::Other => "Other (not statutory)".to_owned(),
        }
    }
    fn announced_words(v: &Visit) -> String {
        match v.announced {
            shared::Announcement::Announced => "Announced".to_owned(),
            shared::Announcement::Unannounced => "Unannounced".to_owned(),
        }
    }
    /// Each person's interpreting, as recorded (ids stand for the parent or carer).
    fn interpreting_words(v: &Visit) -> String {
        v.interpreters
            .iter()
            .map(|record| {
                let person = match record.person {
                    InterpretedPerson::Child => "the child".to_owned(),
                    InterpretedPerson::Carer { carer_id } => format!("carer {carer_id}"),
                };
                let used = match &record.used {
                    None => "none used".to_owned(),
                    Some(shared::InterpreterUsed::Professional) => "a professional, in person".to_owned(),
                    Some(shared::InterpreterUsed::Remote) => "a professional, remotely".to_owned(),
                    Some(shared::InterpreterUsed::FamilyMember { who }) => {
                        format!("a family member ({})", who.trim())
                    }
                };
                let need = if record.needed { "needed" } else { "not needed" };
                let language = record.language.as_deref().map(str::trim).filter(|l| !l.is_empty());
                let why = record.not_used_reason.as_deref().map(str::trim).filter(|w| !w.is_empty());
                let mut words = format!("{person}: {need}");
                if let Some(language) = language {
                    words.push_str(&format!(", {language}"));
                }
                words.push_str(&format!(", {used}"));
                if let Some(why) = why {
                    words.push_str(&format!(" ({why})"));
                }
                words
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
    fn words(v: &Visit) -> String {
        v.child_words
            .iter()
            .map(|q| format!("\u{201c}{}\u{201d}", q.text.trim()))
            .collect::<Vec<_>>()
            .join(" ")
    }
    type Part = (&'static str, fn(&Visit) -> String);
    let parts: [Part; 12] = [
        ("Kind of visit", kind_words),
        ("Announced", announced_words),
        ("Purpose", |v| v.purpose.as_deref().unwrap_or("").trim().to_owned()),
        ("Where", |v| v.location.trim().to_owned()),
        ("Date and time", |v| v.started_at.format("%d/%m/%Y %H:%M").to_string()),
        ("Child seen", seen_words),
        ("Seen alone", alone_words),
        ("Child's own words", words),
        ("Child's views, wishes and feelings", |v| v.child_views.trim().to_owned()),
        ("Facts observed", |v| v.observations.facts.trim().to_owned()),
        ("Concerns", |v| v.observations.concerns.trim().to_owned()),
        ("Interpreting", interpreting_words),
    ];
    let mut changes: Vec<AmendedText> = parts
        .iter()
        .filter_map(|(field, text)| {
            let (was, now) = (text(before), text(after));
            (was != now).then(|| AmendedText { field: (*field).to_owned(), before: was, after: now })
        })
        .collect();
    if after.status == shared::VisitStatus::EnteredInError {
        changes.push(AmendedText {
            field: "Status".to_owned(),
            before: "Recorded".to_owned(),
            after: "Entered in error".to_owned(),
        });
    }
    changes
}

/// Plain words for agreed actions: what, who owns it, by when.
/// Items as one sentence: each trimmed of its own full stop, joined by "; ", ending with one.
fn items_sentence(items: &[String]) -> String {
    let joined = items.iter().map(|i| i.trim().trim_end_matches('.')).collect::<Vec<_>>().join("; ");
    format!("{joined}.")
}

/// `text` as a sentence: trimmed, with a full stop unless it already ends a sentence.
fn sentence(text: &str) -> String {
    let text = text.trim();
    if text.ends_with(['.', '!', '?']) { text.to_owned() } else { format!("{text}.") }
}

fn actions_words(actions: &[shared::timeline::AgreedAction]) -> String {
    actions
        .iter()
        .map(|a| format!("{} (owner: {}, by {})", a.description, a.owner, dmy(a.due_on)))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Adds the core group meetings, review conferences and supervision recorded here to a
/// chronology, each on the day it was held, after that day's other entries. A review
/// conference already shown for the same day (from the central record) is not shown twice.
/// Leave `supervisions` empty for a reader who may not see supervision.
pub fn add_timeline_entries(
    chronology: &mut Chronology,
    meetings: &[shared::timeline::PlanMeeting],
    supervisions: &[shared::timeline::Supervision],
) {
    let entry = |date: NaiveDate, kind: ChronologyKind, summary: String, worker: &str| ChronologyEntry {
        worker: Some(worker.to_owned()),
        ..ChronologyEntry::event(date, None, kind, summary)
    };
    let mut added = Vec::new();
    for meeting in meetings {
        let kind = match meeting.kind {
            shared::timeline::MeetingKind::CoreGroup => ChronologyKind::CoreGroup,
            shared::timeline::MeetingKind::ReviewConference => ChronologyKind::ReviewConference,
        };
        if chronology.entries.iter().any(|e| e.kind == kind && e.date == meeting.held_on) {
            continue;
        }
        let mut summary =
            format!("{} held. Attended: {}.", meeting.kind.label(), meeting.attendees.join(", "));
        if !meeting.decisions.is_empty() {
            summary.push_str(&format!(" Decisions: {}", items_sentence(&meeting.decisions)));
        }
        if !meeting.actions.is_empty() {
            summary.push_str(&format!(" Actions: {}.", actions_words(&meeting.actions)));
        }
        added.push(entry(meeting.held_on, kind, summary, &meeting.recorded_by_name));
    }
    for supervision in supervisions {
        let mut summary =
            format!("Supervision of the case. Reflection: {}", sentence(&supervision.reflection));
        if !supervision.decisions.is_empty() {
            summary.push_str(&format!(" Decisions: {}", items_sentence(&supervision.decisions)));
        }
        if !supervision.actions.is_empty() {
            summary.push_str(&format!(" Actions: {}.", actions_words(&supervision.actions)));
        }
        added.push(entry(
            supervision.held_on,
            ChronologyKind::Supervision,
            summary,
            &supervision.recorded_by_name,
        ));
    }
    chronology.entries.extend(added);
    chronology.entries.sort_by_key(|e| e.date);
}

/// Registration and the changes between consecutive versions of the child's record. A change
/// recorded by the server is dated when it was recorded; one between undated versions is
/// shown on the date of the next review conference if there was one, else registration.
fn plan_entries(
    records: &[(Option<&ChildChange>, &Child)],
    name: &dyn Fn(WorkerId) -> String,
    time_zone: shared::Tz,
) -> Vec<(NaiveTime, ChronologyEntry)> {
    let mut entries = Vec::new();
    let mut previous: Option<&ProtectionPlan> = None;
    for (change, record) in records {
        let Some(plan) = record.plan.as_ref() else { continue };
        // A plan that began after the one before it ended (kept now as an earlier plan) is a
        // new registration, not a change to the old plan's dates.
        let new_plan = previous.is_some_and(|before| {
            before.registered_on != plan.registered_on
                && (before.deregistered_on.is_some_and(|end| plan.registered_on > end)
                    || record.details.previous_plans.iter().any(|p| p.registered_on == before.registered_on))
        });
        let (date, time, kind, summary, plan_changes) = match previous {
            None => (
                plan.registered_on,
                None,
                ChronologyKind::Registered,
                format!(
                    "Registered under {}. Visits every {}. Key worker: {}.",
                    harms_words(&plan.harms),
                    working_days(plan.visit_frequency_working_days),
                    name(plan.key_worker)
                ),
                Vec::new(),
            ),
            Some(_) if new_plan => (
                plan.registered_on,
                None,
                ChronologyKind::Registered,
                format!(
                    "Registered again, a new plan, under {}. Visits every {}. Key worker: {}.",
                    harms_words(&plan.harms),
                    working_days(plan.visit_frequency_working_days),
                    name(plan.key_worker)
                ),
                Vec::new(),
            ),
            Some(before) => {
                let (words, changes) = plan_diff(before, plan, name);
                if changes.is_empty() {
                    previous = Some(plan);
                    continue;
                }
                let (date, time, how) = match change {
                    Some(change) => (
                        local(time_zone, change.recorded_at).0,
                        Some(local(time_zone, change.recorded_at).1),
                        match change.source {
                            ChildSource::Import => " (central record, as imported)",
                            ChildSource::Demo => " (demonstration data)",
                            ChildSource::Direct | ChildSource::Service => "",
                        },
                    ),
                    None => (plan.latest_review_conference.unwrap_or(plan.registered_on), None, ""),
                };
                (
                    date,
                    time,
                    ChronologyKind::PlanChanged,
                    format!("Plan changed{how}: {}.", words.join("; ")),
                    changes,
                )
            }
        };
        entries.push((
            time.unwrap_or(NaiveTime::MIN),
            ChronologyEntry {
                plan_changes,
                source: match change.map(|c| c.source) {
                    Some(ChildSource::Import) => "central case record (import)".to_owned(),
                    Some(ChildSource::Demo) => "demonstration data".to_owned(),
                    Some(ChildSource::Service) => "this service (a safety warning)".to_owned(),
                    Some(ChildSource::Direct) | None => "central case record".to_owned(),
                },
                ..ChronologyEntry::event(date, time.map(|t| t.format("%H:%M").to_string()), kind, summary)
            },
        ));
        previous = Some(plan);
    }
    entries
}

/// What differs between two versions of a plan: plain words for the summary, and each change
/// with its values before and after.
fn plan_diff(
    before: &ProtectionPlan,
    after: &ProtectionPlan,
    name: &dyn Fn(WorkerId) -> String,
) -> (Vec<String>, Vec<PlanChange>) {
    let mut words = Vec::new();
    let mut changes = Vec::new();
    let mut change = |field: PlanField, from: String, to: String| {
        changes.push(PlanChange { field, before: from, after: to });
    };
    let date_or_blank = |d: Option<NaiveDate>| d.map(dmy).unwrap_or_default();
    if before.registered_on != after.registered_on {
        words.push(format!(
            "registered from {} (was {})",
            dmy(after.registered_on),
            dmy(before.registered_on)
        ));
        change(PlanField::RegisteredOn, dmy(before.registered_on), dmy(after.registered_on));
    }
    if before.harms != after.harms {
        let added: Vec<HarmCategory> =
            after.harms.iter().filter(|h| !before.harms.contains(h)).copied().collect();
        let removed: Vec<HarmCategory> =
            before.harms.iter().filter(|h| !after.harms.contains(h)).copied().collect();
        let mut parts = Vec::new();
        if !added.is_empty() {
            parts.push(format!("category added: {}", harms_words(&added)));
        }
        if !removed.is_empty() {
            parts.push(format!("category removed: {}", harms_words(&removed)));
        }
        parts.push(format!("categories now {}", harms_words(&after.harms)));
        words.push(parts.join(", "));
        change(PlanField::Harms, harms_words(&before.harms), harms_words(&after.harms));
    }
    if before.visit_frequency_working_days != after.visit_frequency_working_days {
        words.push(format!(
            "visits every {} (was {})",
            working_days(after.visit_frequency_working_days),
            before.visit_frequency_working_days
        ));
        change(
            PlanField::VisitFrequency,
            before.visit_frequency_working_days.to_string(),
            after.visit_frequency_working_days.to_string(),
        );
    }
    if before.key_worker != after.key_worker {
        let (from, to) = (name(before.key_worker), name(after.key_worker));
        words.push(format!("key worker now {to} (was {from})"));
        change(PlanField::KeyWorker, from, to);
    }
    if before.team != after.team {
        words.push("case moved to another team".to_owned());
        change(PlanField::Team, before.team.to_string(), after.team.to_string());
    }
    if before.actions != after.actions {
        let list = |actions: &[PlanAction]| {
            actions.iter().map(|a| a.description.as_str()).collect::<Vec<_>>().join("; ")
        };
        let mut parts = Vec::new();
        for action in after.actions.iter().filter(|a| !before.actions.contains(a)) {
            parts.push(format!("action added: \u{201c}{}\u{201d}", action.description));
        }
        for action in before.actions.iter().filter(|a| !after.actions.contains(a)) {
            parts.push(format!("action removed: \u{201c}{}\u{201d}", action.description));
        }
        if parts.is_empty() {
            parts.push("actions reordered".to_owned());
        }
        words.push(parts.join(", "));
        change(PlanField::Actions, list(&before.actions), list(&after.actions));
    }
    if before.deregistered_on != after.deregistered_on {
        words.push(match after.deregistered_on {
            Some(end) => format!("de-registered with effect from {}", dmy(end)),
            None => "de-registration withdrawn: the plan continues".to_owned(),
        });
        change(
            PlanField::DeregisteredOn,
            date_or_blank(before.deregistered_on),
            date_or_blank(after.deregistered_on),
        );
    }
    (words, changes)
}

/// A date as `DD/MM/YYYY`.
pub(crate) fn dmy(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

fn harms_words(harms: &[HarmCategory]) -> String {
    if harms.is_empty() {
        return "no recorded category".to_owned();
    }
    harms.iter().map(|h| h.label().to_lowercase()).collect::<Vec<_>>().join(" and ")
}

fn level_words(level: EscalationLevel) -> &'static str {
    match level {
        EscalationLevel::TeamManager => "the team manager",
        EscalationLevel::SeniorManager => "a senior manager",
    }
}

fn action_words(action: &EscalationAction, name: &dyn Fn(WorkerId) -> String) -> String {
    use shared::text::as_sentence;
    match action {
        EscalationAction::VisitArranged { date } => format!("Visit arranged for {}.", dmy(*date)),
        EscalationAction::DutyCoverAssigned { duty_worker } => {
            format!("Duty cover assigned to {}.", name(*duty_worker))
        }
        EscalationAction::ExceptionAgreed { reason } => format!("Exception agreed: {}", as_sentence(reason)),
        EscalationAction::SeenAloneAgreed { reason } => {
            format!("Manager agreed the child need not be seen alone: {}", as_sentence(reason))
        }
        EscalationAction::SeenAloneDisagreed { reason } => {
            format!("Manager disagreed: the child must be seen alone. {}", as_sentence(reason))
        }
        EscalationAction::CloseConfirmed { explanation } => {
            format!("Manager confirmed it can close: {explanation}.")
        }
    }
}

pub(crate) fn yes_no(answer: Option<bool>) -> &'static str {
    match answer {
        Some(true) => "Yes",
        Some(false) => "No",
        None => "",
    }
}

/// How the chronology labels its times, for example "UK time (Europe/London)".
pub fn time_zone_words(time_zone: &str) -> String {
    match time_zone {
        "Europe/London" => "UK time (Europe/London)".to_owned(),
        "" => "UTC".to_owned(),
        other => format!("local time ({other})"),
    }
}

/// The child's date of birth as shown on every page.
pub fn date_of_birth_words(chronology: &Chronology) -> String {
    match (chronology.date_of_birth, chronology.expected_date_of_birth) {
        (Some(born), _) => dmy(born),
        (None, Some(due)) => format!("Unborn, expected {}", dmy(due)),
        (None, None) => "Unborn".to_owned(),
    }
}

/// Who produced the chronology and when, in the authority's time zone, labelled.
pub fn produced_words(chronology: &Chronology) -> String {
    let tz: shared::Tz = chronology.time_zone.parse().unwrap_or(shared::clock::DEFAULT_TIME_ZONE);
    let at = chronology.generated_at.with_timezone(&tz);
    let by = if chronology.produced_by.is_empty() { "Seen & Heard" } else { &chronology.produced_by };
    format!(
        "Produced by {by} on {} at {} {}",
        at.format("%d/%m/%Y"),
        at.format("%H:%M"),
        time_zone_words(tz.name())
    )
}

/// The notes that open the chronology: times, who produced it, how many events.
pub fn chronology_notes(chronology: &Chronology) -> Vec<String> {
    let mut notes = vec![
        format!("{}.", produced_words(chronology)),
        format!(
            "Dates are day/month/year; times are {}. {}, oldest first, each with its source. The child's own words are verbatim.",
            time_zone_words(&chronology.time_zone),
            count(chronology.entries.len(), "event", "events")
        ),
    ];
    if let Some(filter) = &chronology.filter {
        notes.push(format!("FILTERED: this shows only {}. It is not the whole chronology.", filter.words()));
    }
    notes
}

/// An entry's details beyond its summary, as (label, text) pairs: the worker's observations
/// (facts and concerns), the child's own words, and each amendment with the original and new
/// text and the reason.
pub fn entry_details(entry: &ChronologyEntry) -> Vec<(String, String)> {
    let mut details = Vec::new();
    if !entry.facts.is_empty() {
        details.push(("Facts observed".to_owned(), entry.facts.clone()));
    }
    if !entry.concerns.is_empty() {
        details.push(("Concerns".to_owned(), entry.concerns.clone()));
    }
    if !entry.child_words.is_empty() {
        let words: Vec<String> =
            entry.child_words.iter().map(|w| format!("\u{201c}{}\u{201d}", w.trim())).collect();
        details.push(("Child's own words (verbatim)".to_owned(), words.join("\n")));
    }
    for amendment in &entry.amendments {
        let mut text = format!("Reason: {}", amendment.reason);
        for change in &amendment.changes {
            let shown =
                |t: &str| if t.is_empty() { "(none)".to_owned() } else { format!("\u{201c}{t}\u{201d}") };
            let _ = write!(
                text,
                "\n{}: originally {}; now {}",
                change.field,
                shown(&change.before),
                shown(&change.after)
            );
        }
        details.push((
            format!("Amended {} by {} (revision {})", amendment.recorded, amendment.by, amendment.revision),
            text,
        ));
    }
    details
}

/// Details as one block of text, for a CSV cell.
fn details_text(entry: &ChronologyEntry, wanted: fn(&str) -> bool) -> String {
    entry_details(entry)
        .into_iter()
        .filter(|(label, _)| wanted(label))
        .map(|(label, text)| format!("{label}: {text}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The chronology as CSV, one row per event, with a header row.
pub fn chronology_csv(chronology: &Chronology) -> Result<String, csv::Error> {
    let mut writer = SafeCsv::new();
    writer.row([
        "Date",
        "Time",
        "Event",
        "Details",
        "Child seen",
        "Seen alone",
        "Child's own words",
        "Worker",
        "On duty cover",
        "Source",
        "Facts observed",
        "Concerns",
        "Amendments",
    ])?;
    for entry in &chronology.entries {
        let words =
            entry.child_words.iter().map(|w| format!("\u{201c}{w}\u{201d}")).collect::<Vec<_>>().join(" ");
        writer.row([
            dmy(entry.date).as_str(),
            entry.time.as_deref().unwrap_or(""),
            entry.kind.label(),
            &entry.summary,
            yes_no(entry.seen),
            yes_no(entry.seen_alone),
            &words,
            entry.worker.as_deref().unwrap_or(""),
            if entry.on_cover { "Yes" } else { "" },
            &entry.source,
            &entry.facts,
            &entry.concerns,
            &details_text(entry, |label| label.starts_with("Amended")),
        ])?;
    }
    writer.into_string()
}

/// Escapes text for HTML element content and attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

const PRINT_CSS: &str = "\
@page { size: A4; margin: 16mm 14mm 18mm 14mm; }
body { font-family: Georgia, 'Times New Roman', serif; font-size: 11pt; color: #000; background: #fff; margin: 0 auto; max-width: 190mm; }
h1 { font-size: 16pt; margin: 0 0 4pt 0; }
.meta { margin: 0 0 10pt 0; font-size: 10pt; }
.meta dt { font-weight: bold; display: inline; }
.meta dd { display: inline; margin: 0 12pt 0 4pt; }
table { width: 100%; border-collapse: collapse; }
thead { display: table-header-group; }
tr { page-break-inside: avoid; break-inside: avoid; }
th, td { border: 1px solid #444; padding: 3pt 4pt; vertical-align: top; text-align: left; }
th { background: #e8e8e8; font-size: 10pt; }
td.date { white-space: nowrap; }
blockquote { margin: 2pt 0 2pt 8pt; font-style: italic; }
.kind { font-weight: bold; }
.source { font-size: 9pt; }
.detail { margin: 3pt 0 0 0; }
.note { margin: 0 0 4pt 0; font-size: 10pt; }
.marking { text-align: center; font-weight: bold; margin: 0 0 6pt 0; }
footer { margin-top: 10pt; font-size: 9pt; }
@media print { a { color: #000; text-decoration: none; } }
";

/// The chronology as a printable HTML page, fit for a court bundle when printed to PDF, with
/// the same content as the PDF: the marking, who produced it and when, the time zone, each
/// event's source, observations, the child's words and amendments. Every piece of text is
/// escaped.
pub fn chronology_html(chronology: &Chronology) -> String {
    let mut html = String::with_capacity(4096 + chronology.entries.len() * 600);
    let title = format!("Chronology: {}", chronology.child_name);
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>\n{}</style>\n</head>\n<body>\n<p class=\"marking\">OFFICIAL-SENSITIVE</p>\n<main>\n<h1>{}</h1>\n<dl class=\"meta\"><dt>Child unique ID</dt><dd>{}</dd><dt>Date of birth</dt><dd>{}</dd><dt>Entries</dt><dd>{}</dd></dl>\n",
        escape_html(&title),
        PRINT_CSS,
        escape_html(&title),
        escape_html(&chronology.central_id),
        escape_html(&date_of_birth_words(chronology)),
        chronology.entries.len()
    );
    for note in chronology_notes(chronology) {
        let _ = writeln!(html, "<p class=\"note\">{}</p>", escape_html(&note));
    }
    html.push_str(
        "<table>\n<thead><tr><th scope=\"col\">Date</th><th scope=\"col\">Event and source</th><th scope=\"col\">Details</th><th scope=\"col\">Seen</th><th scope=\"col\">Seen alone</th><th scope=\"col\">Worker</th></tr></thead>\n<tbody>\n",
    );
    for entry in &chronology.entries {
        let _ = write!(
            html,
            "<tr><td class=\"date\">{}{}</td><td><span class=\"kind\">{}</span>{}<br><span class=\"source\">Source: {}</span></td><td>{}",
            dmy(entry.date),
            entry.time.as_deref().map(|t| format!("<br>{}", escape_html(t))).unwrap_or_default(),
            escape_html(entry.kind.label()),
            if entry.on_cover { "<br>(on duty cover)" } else { "" },
            escape_html(&entry.source),
            escape_html(&entry.summary)
        );
        for (label, text) in entry_details(entry) {
            let _ = write!(html, "<p class=\"detail\"><strong>{}</strong><br>", escape_html(&label));
            let lines: Vec<String> = text.split('\n').map(escape_html).collect();
            let _ = write!(html, "{}</p>", lines.join("<br>"));
        }
        let _ = writeln!(
            html,
            "</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            yes_no(entry.seen),
            yes_no(entry.seen_alone),
            escape_html(entry.worker.as_deref().unwrap_or(""))
        );
    }
    html.push_str("</tbody>\n</table>\n</main>\n<footer>Produced by Seen &amp; Heard from the records held when it was produced. The child's words are verbatim.<p class=\"marking\">OFFICIAL-SENSITIVE</p></footer>\n</body>\n</html>\n");
    html
}

// ---------------------------------------------------------------------------------------------
// Compliance.
// ---------------------------------------------------------------------------------------------

/// The audit's measures for one group of children over a date range.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ComplianceFigures {
    /// Children on a plan at some point in the range (as the records stood when it ended).
    pub children: u32,
    /// Statutory due dates that fell in the range, each counted once, on its due date (see
    /// [`replay_schedule`]), from the records as they stood when the range ended.
    pub statutory_visits_due: u32,
    /// Of those, made on or before the due date.
    pub statutory_visits_on_time: u32,
    /// Of those, made after the due date but within the range.
    #[serde(default)]
    pub statutory_visits_late: u32,
    /// Of those, not made by the next due date or by the end of the range.
    #[serde(default)]
    pub statutory_visits_missed: u32,
    /// Statutory visits for this range recorded after it ended: made in the range but synced
    /// (or accepted by a manager) later, or made after the range for a due date in it. Not in
    /// the figures above, so they never change; listed in [`ComplianceReport::recorded_after_period`].
    #[serde(default)]
    pub visits_recorded_after_period: u32,
    /// The percentage on time, to one decimal place (`null` when none fell due).
    pub statutory_on_time_percent: Option<f64>,
    /// Visits in the range in which the child was seen.
    pub visits_child_seen: u32,
    /// Of those, the child was seen alone.
    pub visits_seen_alone: u32,
    /// The percentage seen alone.
    pub seen_alone_percent: Option<f64>,
    /// Of the visits in which the child was seen, those with the child's own words recorded.
    pub visits_with_child_words: u32,
    /// The percentage with the child's own words.
    pub child_words_percent: Option<f64>,
    /// Visits in the range where someone needed an interpreter.
    pub visits_needing_interpreter: u32,
    /// Of those, visits where every need was met by a professional interpreter.
    pub visits_interpreter_needs_met: u32,
    /// The percentage of interpreter needs met.
    pub interpreter_met_percent: Option<f64>,
    /// Children overdue a statutory visit today (in a team's or worker's row: the children they
    /// hold today, whatever the period).
    pub children_overdue_now: u32,
}

impl ComplianceFigures {
    fn add(&mut self, other: &ComplianceFigures) {
        self.children += other.children;
        self.statutory_visits_due += other.statutory_visits_due;
        self.statutory_visits_on_time += other.statutory_visits_on_time;
        self.statutory_visits_late += other.statutory_visits_late;
        self.statutory_visits_missed += other.statutory_visits_missed;
        self.visits_recorded_after_period += other.visits_recorded_after_period;
        self.visits_child_seen += other.visits_child_seen;
        self.visits_seen_alone += other.visits_seen_alone;
        self.visits_with_child_words += other.visits_with_child_words;
        self.visits_needing_interpreter += other.visits_needing_interpreter;
        self.visits_interpreter_needs_met += other.visits_interpreter_needs_met;
        self.children_overdue_now += other.children_overdue_now;
    }

    fn finish(mut self) -> Self {
        let percent = |part: u32, whole: u32| {
            (whole > 0).then(|| (f64::from(part) * 1000.0 / f64::from(whole)).round() / 10.0)
        };
        self.statutory_on_time_percent = percent(self.statutory_visits_on_time, self.statutory_visits_due);
        self.seen_alone_percent = percent(self.visits_seen_alone, self.visits_child_seen);
        self.child_words_percent = percent(self.visits_with_child_words, self.visits_child_seen);
        self.interpreter_met_percent =
            percent(self.visits_interpreter_needs_met, self.visits_needing_interpreter);
        self
    }
}

/// One worker's figures (children counted against their key worker).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct WorkerCompliance {
    /// The worker.
    pub worker_id: WorkerId,
    /// Their name.
    pub worker_name: String,
    /// Their team.
    pub team_id: TeamId,
    /// Their figures.
    pub figures: ComplianceFigures,
}

/// One team's figures.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TeamCompliance {
    /// The team.
    pub team_id: TeamId,
    /// Its name.
    pub team_name: String,
    /// Its figures.
    pub figures: ComplianceFigures,
}

/// When one child was last seen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ChildLastSeen {
    /// The child.
    pub child_id: ChildId,
    /// The authority's id for the child.
    pub central_id: String,
    /// The key worker.
    pub key_worker: WorkerId,
    /// The team.
    pub team_id: TeamId,
    /// The date of the last statutory visit in which the child was seen.
    pub last_seen: Option<NaiveDate>,
    /// Working days since then, today (`null` if never seen).
    pub working_days_since_seen: Option<i64>,
    /// Whether the child is overdue a statutory visit today.
    pub overdue_now: bool,
}

/// The team compliance report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ComplianceReport {
    /// The first day of the range.
    pub from: NaiveDate,
    /// The last day of the range.
    pub to: NaiveDate,
    /// The day the "now" figures are for.
    pub as_of: NaiveDate,
    /// The whole service (or the part of it the caller may see).
    pub service: ComplianceFigures,
    /// Per team.
    pub teams: Vec<TeamCompliance>,
    /// Per worker.
    pub workers: Vec<WorkerCompliance>,
    /// Each child on a plan today, the longest unseen first.
    pub children: Vec<ChildLastSeen>,
    /// Statutory visits for this range recorded after it ended (counted in
    /// `visits_recorded_after_period`, not in the other figures), by child then date.
    #[serde(default)]
    pub recorded_after_period: Vec<RecordedAfterPeriod>,
    /// Children on a plan today whose case supervision is overdue, the most overdue first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub supervision_overdue: Vec<SupervisionOverdue>,
}

/// A child whose case supervision is overdue today.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SupervisionOverdue {
    /// The child.
    pub child_id: ChildId,
    /// The authority's id for the child.
    pub central_id: String,
    /// The team.
    pub team_id: TeamId,
    /// The latest supervision, if any.
    #[serde(default)]
    pub latest: Option<NaiveDate>,
    /// The date it was due by.
    pub due: NaiveDate,
    /// Working days overdue.
    pub working_days_overdue: u32,
}

/// A statutory visit for a range that was recorded after the range ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RecordedAfterPeriod {
    /// The child.
    pub child_id: ChildId,
    /// The authority's id for the child.
    pub central_id: String,
    /// The visit.
    pub visit_id: shared::VisitId,
    /// The date of the visit.
    pub visit_date: NaiveDate,
    /// When it was recorded: received by the server, or accepted by a manager if it was held.
    pub recorded_at: DateTime<Utc>,
    /// The due date in the range that it was late for, if it was late.
    #[serde(default)]
    pub late_for: Option<NaiveDate>,
}

/// What a compliance report is built from.
#[derive(Clone, Copy, Debug)]
pub struct ComplianceInput<'a> {
    /// The first day of the range.
    pub from: NaiveDate,
    /// The last day of the range.
    pub to: NaiveDate,
    /// Today.
    pub today: NaiveDate,
    /// The calendar.
    pub calendar: &'a Calendar,
    /// The schedule settings.
    pub rules: &'a ScheduleRules,
    /// Team names by id.
    pub team_names: &'a HashMap<TeamId, String>,
    /// Staff names by id.
    pub worker_names: &'a HashMap<WorkerId, String>,
    /// When each visit revision was recorded by the server (received, or for a revision held
    /// for review, accepted by a manager). A revision not listed counts as recorded when the
    /// device made it (`Visit::recorded_at`).
    pub recorded: &'a HashMap<(shared::VisitId, u32), DateTime<Utc>>,
    /// The moment the range ended (midnight after `to`, in the authority's time). The figures
    /// read only revisions recorded before it, so running the report later gives the same
    /// figures; what was recorded after is counted apart and listed.
    pub period_ends_at: DateTime<Utc>,
    /// Each child's central record as it stood before each later change to it (see
    /// [`EarlierRecords`]). The range's figures are counted against the plan as it stood when
    /// the range ended, and credited to its key worker and team then: a plan that ends, a new
    /// one, or a case reallocated afterwards changes nothing of a range already over.
    pub earlier_records: &'a EarlierRecords,
}

/// Each child's central record before each change stored to it, oldest first: the moment the
/// change was stored, and the record as it stood until then (from the store's append-only
/// child history). A child never changed has no entry.
pub type EarlierRecords = HashMap<ChildId, Vec<(DateTime<Utc>, Child)>>;

impl ComplianceInput<'_> {
    fn recorded_at(&self, visit: &Visit) -> DateTime<Utc> {
        self.recorded.get(&(visit.id, visit.revision)).copied().unwrap_or(visit.recorded_at)
    }

    /// The child's record as it stood when the range ended: as it was before the first change
    /// stored since, or as it is if none has been.
    fn record_at_end<'c>(&'c self, child: &'c Child) -> &'c Child {
        self.earlier_records
            .get(&child.id)
            .and_then(|earlier| earlier.iter().find(|(changed_at, _)| *changed_at >= self.period_ends_at))
            .map_or(child, |(_, before)| before)
    }
}

/// One child's figures over the range, counted against `plan` and `child` as they stood when
/// the range ended.
fn child_figures(
    input: &ComplianceInput<'_>,
    child: &Child,
    plan: &ProtectionPlan,
    visits: &[Visit],
    after_period: &mut Vec<RecordedAfterPeriod>,
) -> ComplianceFigures {
    let mut figures = ComplianceFigures { children: 1, ..ComplianceFigures::default() };
    // The records as they stood when the range ended: revisions recorded before then, visits
    // made on or before its last day.
    let recorded_by_end: Vec<&Visit> =
        visits.iter().filter(|v| input.recorded_at(v) < input.period_ends_at).collect();
    let current_at_end = current_revisions(recorded_by_end);
    let seen_at_end: Vec<NaiveDate> =
        seen_statutory_dates(&current_at_end).into_iter().filter(|d| *d <= input.to).collect();
    // A plan is in force on the day it ends.
    let until = plan.deregistered_on.map_or(input.to, |end| end.min(input.to));
    let mut first_unmet = None;
    for occurrence in replay_schedule_as_of(input.calendar, plan, &seen_at_end, until, input.today) {
        if occurrence.due < input.from {
            continue;
        }
        figures.statutory_visits_due += 1;
        match occurrence.outcome() {
            DueOutcome::OnTime => figures.statutory_visits_on_time += 1,
            DueOutcome::Late => figures.statutory_visits_late += 1,
            DueOutcome::Missed => {
                figures.statutory_visits_missed += 1;
                first_unmet = first_unmet.or(Some(occurrence.due));
            }
        }
    }
    // What was recorded for this range after it ended: statutory visits (as they stand now)
    // made in the range but recorded later, and the first visit after the range when a due
    // date in it was left unmet.
    let current_now = current_revisions(visits);
    let mut seen_now: Vec<&Visit> = current_now.iter().copied().filter(|v| v.resets_schedule()).collect();
    seen_now.sort_by_key(|v| (v.date(), v.id));
    let late_for = |date: NaiveDate| first_unmet.filter(|due| *due < date);
    for visit in &seen_now {
        let recorded_at = input.recorded_at(visit);
        let in_range = input.from <= visit.date() && visit.date() <= input.to;
        if in_range && recorded_at >= input.period_ends_at {
            after_period.push(RecordedAfterPeriod {
                child_id: child.id,
                central_id: child.central_id.clone(),
                visit_id: visit.id,
                visit_date: visit.date(),
                recorded_at,
                late_for: late_for(visit.date()),
            });
            figures.visits_recorded_after_period += 1;
        }
    }
    if let Some(due) = first_unmet
        && let Some(visit) = seen_now.iter().find(|v| v.date() > input.to)
    {
        after_period.push(RecordedAfterPeriod {
            child_id: child.id,
            central_id: child.central_id.clone(),
            visit_id: visit.id,
            visit_date: visit.date(),
            recorded_at: input.recorded_at(visit),
            late_for: Some(due),
        });
        figures.visits_recorded_after_period += 1;
    }

    let child_needs_interpreter = child.communication.child.interpreter_needed;
    for visit in current_at_end.iter().filter(|v| input.from <= v.date() && v.date() <= input.to) {
        if visit.child_seen() {
            figures.visits_child_seen += 1;
            figures.visits_seen_alone += u32::from(visit.seen_alone_answer() == Some(true));
            figures.visits_with_child_words +=
                u32::from(visit.child_words.iter().any(|q| !q.text.trim().is_empty()));
        }
        let recorded_need = visit.interpreters.iter().any(|i| i.needed);
        // A child recorded as needing an interpreter, seen with no interpreter record for them:
        // the need was not considered, which the audit counted as not met.
        let child_record_missing = child_needs_interpreter
            && visit.child_seen()
            && !visit.interpreters.iter().any(|i| i.person == InterpretedPerson::Child);
        if recorded_need || child_record_missing {
            figures.visits_needing_interpreter += 1;
            let met = !child_record_missing && visit.interpreters.iter().all(|i| i.need_met());
            figures.visits_interpreter_needs_met += u32::from(met);
        }
    }
    figures
}

/// The child as they stand today, on the plan in force today (`None` if no plan is): when they
/// were last seen, and whether they are overdue now.
fn child_now(input: &ComplianceInput<'_>, child: &Child, visits: &[Visit]) -> Option<ChildLastSeen> {
    let plan = child.plan.as_ref().filter(|plan| plan.is_active_on(input.today))?;
    let seen_dates = seen_statutory_dates(&current_revisions(visits));
    let last_seen = seen_dates.last().copied();
    let due = shared::schedule::next_visit_due(input.calendar, plan, last_seen);
    let overdue_now = shared::schedule::due_state(input.calendar, input.rules, due, input.today).is_overdue();
    Some(ChildLastSeen {
        child_id: child.id,
        central_id: child.central_id.clone(),
        key_worker: plan.key_worker,
        team_id: plan.team,
        last_seen,
        working_days_since_seen: last_seen.map(|d| input.calendar.working_days_between(d, input.today)),
        overdue_now,
    })
}

/// The compliance report over `cases` (the children the caller may see, with every revision of
/// their visits). Children not on a plan at some point in the range are left out.
pub fn compliance_report<'a>(
    input: &ComplianceInput<'_>,
    cases: impl IntoIterator<Item = (&'a Child, &'a [Visit])>,
) -> ComplianceReport {
    let mut service = ComplianceFigures::default();
    let mut teams: BTreeMap<TeamId, ComplianceFigures> = BTreeMap::new();
    let mut workers: BTreeMap<WorkerId, (TeamId, ComplianceFigures)> = BTreeMap::new();
    let mut children = Vec::new();
    let mut after_period = Vec::new();
    for (child, visits) in cases {
        // The range, as the records stood when it ended: its plan, key worker and team.
        let at_end = input.record_at_end(child);
        if let Some(plan) = at_end.plan.as_ref()
            && plan.registered_on <= input.to
            && plan.deregistered_on.is_none_or(|end| end >= input.from)
        {
            let figures = child_figures(input, at_end, plan, visits, &mut after_period);
            service.add(&figures);
            teams.entry(plan.team).or_default().add(&figures);
            workers
                .entry(plan.key_worker)
                .or_insert_with(|| (plan.team, ComplianceFigures::default()))
                .1
                .add(&figures);
        }
        // Today, as the records stand now: overdue now counts with whoever holds the case today.
        if let Some(now) = child_now(input, child, visits) {
            if now.overdue_now {
                let overdue = ComplianceFigures { children_overdue_now: 1, ..ComplianceFigures::default() };
                service.add(&overdue);
                teams.entry(now.team_id).or_default().add(&overdue);
                workers
                    .entry(now.key_worker)
                    .or_insert_with(|| (now.team_id, ComplianceFigures::default()))
                    .1
                    .add(&overdue);
            }
            children.push(now);
        }
    }
    children.sort_by(|a, b| {
        // Never seen first, then the longest since seen.
        let key = |c: &ChildLastSeen| (c.last_seen.is_some(), std::cmp::Reverse(c.working_days_since_seen));
        key(a).cmp(&key(b)).then(a.central_id.cmp(&b.central_id))
    });
    let team_name = |id: TeamId| input.team_names.get(&id).cloned().unwrap_or_else(|| format!("team {id}"));
    let worker_name =
        |id: WorkerId| input.worker_names.get(&id).cloned().unwrap_or_else(|| format!("worker {id}"));
    ComplianceReport {
        from: input.from,
        to: input.to,
        as_of: input.today,
        service: service.finish(),
        teams: teams
            .into_iter()
            .map(|(team_id, f)| TeamCompliance {
                team_id,
                team_name: team_name(team_id),
                figures: f.finish(),
            })
            .collect(),
        workers: workers
            .into_iter()
            .map(|(worker_id, (team_id, f))| WorkerCompliance {
                worker_id,
                worker_name: worker_name(worker_id),
                team_id,
                figures: f.finish(),
            })
            .collect(),
        children,
        recorded_after_period: after_period,
        supervision_overdue: Vec::new(),
    }
}

// ---------------------------------------------------------------------------------------------
// Ofsted Annex A, List 7.
// ---------------------------------------------------------------------------------------------

/// Ofsted's columns for Annex A List 7, in Ofsted's order and spelling.
pub const ANNEX_A_LIST_7_COLUMNS: [&str; 17] = [
    "Child Unique ID",
    "Gender",
    "Ethnicity",
    "Date of Birth",
    "Age of Child (Years)",
    "Does the Child have a Disability",
    "Child Protection Plan Start Date",
    "Initial Category of Abuse",
    "Latest Category of Abuse",
    "Date of the Last Statutory Visit",
    "Was the Child Seen Alone?",
    "Date of latest review conference",
    "Child Protection Plan End Date",
    "Subject to Emergency Protection Order or Protected Under Police Powers in Last Six Months (Y/N)",
    "Number of Previous Child Protection Plans",
    "Allocated Team",
    "Allocated Worker",
];

fn gender_code(gender: Option<Gender>) -> &'static str {
    match gender {
        Some(Gender::Male) => "a) Male",
        Some(Gender::Female) => "b) Female",
        Some(Gender::NotStated) => "c) Not stated/recorded",
        Some(Gender::Neither) => "d) Neither",
        None => "",
    }
}

fn abuse_code(harm: HarmCategory) -> &'static str {
    match harm {
        HarmCategory::Neglect => "a) Neglect",
        HarmCategory::Physical => "b) Physical abuse",
        HarmCategory::Sexual => "c) Sexual abuse",
        HarmCategory::Emotional => "d) Emotional abuse",
    }
}

const MULTIPLE_CATEGORIES: &str = "e) Multiple/not recommended";

fn category_code(harms: &[HarmCategory]) -> &'static str {
    match harms {
        [] => "",
        [only] => abuse_code(*only),
        _ => MULTIPLE_CATEGORIES,
    }
}

fn disability_code(disability: Option<Disability>) -> &'static str {
    match disability {
        Some(Disability::Yes) => "a) Yes",
        Some(Disability::No) => "b) No",
        Some(Disability::Unknown) => "c) Unknown",
        None => "",
    }
}

/// Column 14: an emergency protection order or police protection in the six months up to and
/// including `to`; blank when the central record did not say.
fn emergency_protection_code(child: &Child, to: NaiveDate) -> &'static str {
    let Some(dates) = child.details.emergency_protection.as_ref() else { return "" };
    let since = to.checked_sub_months(chrono::Months::new(6)).unwrap_or(to);
    if dates.iter().any(|d| since < *d && *d <= to) { "a) Yes" } else { "b) No" }
}

/// Ofsted's Annex A List 7: every child on a child protection plan at some point between `from`
/// and `to`, as CSV. See [`annex_a_list_7_csv_with`]; this one knows no review conferences
/// beyond those on the plan.
pub fn annex_a_list_7_csv<'a>(
    cases: impl IntoIterator<Item = (&'a Child, &'a [Visit])>,
    from: NaiveDate,
    to: NaiveDate,
    team_names: &HashMap<TeamId, String>,
    worker_names: &HashMap<WorkerId, String>,
) -> Result<String, csv::Error> {
    annex_a_list_7_csv_with(cases, from, to, team_names, worker_names, &HashMap::new())
}

/// Ofsted's Annex A List 7 as CSV: a row for every plan in force at some point between `from`
/// and `to` (the route's default `from` is six months before `to`: current plans and plans
/// ended in the six months before the list is made), including an earlier plan of a child now
/// on another. Unborn children are listed, with date of birth and age blank. Dates are
/// `DD/MM/YYYY`; ages are on `to`. What the central record did not carry (ethnicity,
/// disability, emergency protection) is left blank rather than guessed. `reviews` holds the
/// review conferences recorded here, by child; the latest within the plan is column 12.
pub fn annex_a_list_7_csv_with<'a>(
    cases: impl IntoIterator<Item = (&'a Child, &'a [Visit])>,
    from: NaiveDate,
    to: NaiveDate,
    team_names: &HashMap<TeamId, String>,
    worker_names: &HashMap<WorkerId, String>,
    reviews: &HashMap<ChildId, Vec<NaiveDate>>,
) -> Result<String, csv::Error> {
    let mut rows: Vec<[String; 17]> = Vec::new();
    let date = |d: Option<NaiveDate>| d.map(dmy).unwrap_or_default();
    for (child, visits) in cases {
        let current = current_revisions(visits);
        // Every plan the child has had: the earlier ones, then the current one.
        let mut plans: Vec<AnnexPlan<'_>> = child
            .details
            .previous_plans
            .iter()
            .map(|p| AnnexPlan {
                registered_on: p.registered_on,
                deregistered_on: Some(p.deregistered_on),
                initial: &p.initial_harms,
                latest: &p.latest_harms,
                imported_review: None,
                seen_before_go_live: None,
                allocated: None,
            })
            .collect();
        if let Some(plan) = child.plan.as_ref() {
            plans.push(AnnexPlan {
                registered_on: plan.registered_on,
                deregistered_on: plan.deregistered_on,
                initial: plan.initial_harms(),
                // As on the list's last day: a list made for a past period says what was so then.
                latest: harms_on(plan, to),
                imported_review: plan.latest_review_conference,
                seen_before_go_live: plan.seen_before_go_live.as_ref(),
                allocated: Some((plan.team, plan.key_worker)),
            });
        }
        for plan in &plans {
            if plan.registered_on > to || plan.deregistered_on.is_some_and(|end| end < from) {
                continue;
            }
            // Column 10: the latest statutory visit, up to the list's end, in which the child
            // was seen. Column 11: that visit's seen-alone answer. Only visits within this
            // plan: from its start to its end (a plan is in force on the day it ends) or the
            // list's end. A visit under an earlier plan is not this plan's.
            let plan_last_day = plan.deregistered_on.map_or(to, |end| end.min(to));
            let within = |d: NaiveDate| plan.registered_on <= d && d <= plan_last_day;
            let last_statutory = current
                .iter()
                .filter(|v| v.resets_schedule() && within(v.date()))
                .max_by_key(|v| (v.started_at, v.revision));
            // The central record's last visit before go-live, where no later one is recorded
            // here: its date, and whether the child was seen alone then (the record's last
            // seen alone on the same day: yes; earlier: no; not given: unknown).
            let imported = plan
                .seen_before_go_live
                .and_then(|seen| seen.last_seen.filter(|d| within(*d)).map(|d| (d, seen.last_seen_alone)))
                .filter(|(d, _)| last_statutory.is_none_or(|v| v.date() < *d));
            let last_seen = imported.map(|(d, _)| d).or(last_statutory.map(|v| v.date()));
            let last_seen_alone = match imported {
                Some((d, Some(alone))) => Some(Some(alone >= d)),
                Some((_, None)) => Some(None),
                None => last_statutory.map(|v| v.seen_alone_answer()),
            };
            let latest_review = reviews
                .get(&child.id)
                .into_iter()
                .flatten()
                .copied()
                .chain(plan.imported_review)
                .filter(|d| within(*d))
                .max();
            let previous = plans.iter().filter(|p| p.registered_on < plan.registered_on).count();
            let (team, worker) = match plan.allocated {
                Some((team, worker)) => (
                    team_names.get(&team).cloned().unwrap_or_default(),
                    worker_names.get(&worker).cloned().unwrap_or_default(),
                ),
                None => (String::new(), String::new()),
            };
            rows.push([
                child.central_id.clone(),
                gender_code(child.gender).to_owned(),
                child.details.ethnicity.map(shared::Ethnicity::annex_a_code).unwrap_or_default(),
                date(child.date_of_birth),
                child.age_on(to).map(|a| a.to_string()).unwrap_or_default(),
                disability_code(child.details.disability).to_owned(),
                dmy(plan.registered_on),
                category_code(plan.initial).to_owned(),
                category_code(plan.latest).to_owned(),
                date(last_seen),
                match last_seen_alone {
                    Some(Some(true)) => "a) Yes",
                    Some(Some(false)) => "b) No",
                    Some(None) => "c) Unknown",
                    None => "",
                }
                .to_owned(),
                date(latest_review),
                date(plan.deregistered_on.filter(|end| *end <= to)),
                emergency_protection_code(child, to).to_owned(),
                previous.to_string(),
                team,
                worker,
            ]);
        }
    }
    rows.sort_by(|a, b| (&a[0], &a[6]).cmp(&(&b[0], &b[6])));
    let mut writer = SafeCsv::new();
    writer.row(ANNEX_A_LIST_7_COLUMNS)?;
    for row in &rows {
        writer.row(row)?;
    }
    writer.into_string()
}

/// One plan as Annex A lists it: the current plan or an earlier one.
struct AnnexPlan<'a> {
    registered_on: NaiveDate,
    deregistered_on: Option<NaiveDate>,
    initial: &'a [HarmCategory],
    latest: &'a [HarmCategory],
    imported_review: Option<NaiveDate>,
    /// When the central record says the child was last seen, and seen alone, before the
    /// service went live (the current plan only).
    seen_before_go_live: Option<&'a shared::SeenBeforeGoLive>,
    allocated: Option<(TeamId, WorkerId)>,
}

/// The categories a plan had on `day`: from its dated changes, the latest applied by then (the
/// plan's categories now, if that is the latest change, or if none is dated).
fn harms_on(plan: &ProtectionPlan, day: NaiveDate) -> &[HarmCategory] {
    let history = &plan.details.category_history;
    match history.iter().rposition(|change| change.from <= day) {
        Some(last) if last + 1 < history.len() => &history[last].harms,
        Some(_) => plan.latest_harms(),
        None if history.is_empty() => plan.latest_harms(),
        None => plan.initial_harms(),
    }
}

/// The compliance report's figures as CSV, for a spreadsheet: the column names.
pub const COMPLIANCE_CSV_COLUMNS: [&str; 21] = [
    "Level",
    "Name",
    "Team",
    "From",
    "To",
    "Children on a plan",
    "Statutory visits due",
    "On time",
    "Late",
    "Missed",
    "Recorded after the period",
    "On time %",
    "Visits with the child seen",
    "Seen alone",
    "Seen alone %",
    "Child's own words recorded",
    "Child's own words %",
    "Visits needing an interpreter",
    "Interpreter needs met",
    "Interpreter needs met %",
    "Children overdue now",
];

/// The compliance report's figures as CSV: one row for the service (what the caller may see),
/// one per team and one per worker, with the range in DD/MM/YYYY on every row so a row pasted
/// elsewhere still says what it counts. Percentages to one decimal place, blank where nothing
/// fell due. The children, the visits recorded after the period and supervision overdue stay in
/// the JSON report.
pub fn compliance_csv(report: &ComplianceReport) -> Result<String, csv::Error> {
    let team_name = |id: TeamId| {
        report.teams.iter().find(|t| t.team_id == id).map(|t| t.team_name.clone()).unwrap_or_default()
    };
    let (from, to) = (dmy(report.from), dmy(report.to));
    let percent = |p: Option<f64>| p.map(|p| format!("{p:.1}")).unwrap_or_default();
    let row = |level: &str, name: &str, team: &str, f: &ComplianceFigures| -> Vec<String> {
        let mut cells = vec![level.to_owned(), name.to_owned(), team.to_owned(), from.clone(), to.clone()];
        cells.extend([
            f.children.to_string(),
            f.statutory_visits_due.to_string(),
            f.statutory_visits_on_time.to_string(),
            f.statutory_visits_late.to_string(),
            f.statutory_visits_missed.to_string(),
            f.visits_recorded_after_period.to_string(),
            percent(f.statutory_on_time_percent),
            f.visits_child_seen.to_string(),
            f.visits_seen_alone.to_string(),
            percent(f.seen_alone_percent),
            f.visits_with_child_words.to_string(),
            percent(f.child_words_percent),
            f.visits_needing_interpreter.to_string(),
            f.visits_interpreter_needs_met.to_string(),
            percent(f.interpreter_met_percent),
            f.children_overdue_now.to_string(),
        ]);
        cells
    };
    let mut writer = SafeCsv::new();
    writer.row(COMPLIANCE_CSV_COLUMNS)?;
    writer.row(row("Service", "All in this report", "", &report.service))?;
    for team in &report.teams {
        writer.row(row("Team", &team.team_name, &team.team_name, &team.figures))?;
    }
    for worker in &report.workers {
        writer.row(row("Worker", &worker.worker_name, &team_name(worker.team_id), &worker.figures))?;
    }
    writer.into_string()
}
