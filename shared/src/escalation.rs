//! Escalations to managers: missed and overdue visits, children not seen alone without a
//! manager's agreement, interpreters needed but not used or family members interpreting, and
//! the go-live prompt for children with no visit recorded here, core group meetings, review
//! conferences, case supervision and agreed actions overdue. Each escalation carries its
//! whole history, appended to and never rewritten, and a manager's standing decisions that a
//! child need not be seen alone are kept apart from it ([`SeenAloneDecision`]).

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::calendar::Calendar;
use crate::clock::authority_date;
use crate::ids::{AgreedActionId, ChildId, EscalationId, SeenAloneDecisionId, VisitId, WorkerId};
use crate::schedule::EscalationLevel;
use crate::text::working_days;
use crate::visit::Visit;

/// Why an escalation was raised.
///
/// **Wire format:** pulled by devices and sent to webhooks. Do not change.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum EscalationReason {
    /// The child is overdue a statutory visit.
    Overdue {
        /// The date the visit was due by.
        due: NaiveDate,
        /// Working days overdue when last assessed.
        working_days_overdue: u32,
        /// Whether the key worker is recorded absent.
        key_worker_absent: bool,
    },
    /// A statutory visit took place but the child was not seen.
    ChildNotSeen {
        /// The visit.
        visit_id: VisitId,
    },
    /// The child was not seen alone and no manager had agreed.
    NotSeenAlone {
        /// The visit.
        visit_id: VisitId,
    },
    /// An interpreter was needed but none was used, at a visit where the child was seen.
    InterpreterNotUsed {
        /// The visit.
        visit_id: VisitId,
    },
    /// A family member interpreted at a visit: they may not pass on what the child says.
    FamilyMemberInterpreted {
        /// The visit.
        visit_id: VisitId,
    },
    /// The child's plan started before this service went live, no statutory visit in which the
    /// child was seen is recorded here, and the central import gave no last-seen date. One
    /// prompt to the team manager stands in for "overdue since registration" (see the README).
    NoVisitSinceGoLive {
        /// The day the service went live.
        go_live: NaiveDate,
    },
    /// A date on the plan's timeline has passed without the meeting: a core group meeting or a
    /// review conference. Kept firing, like an overdue visit, until one is recorded.
    PlanMeetingOverdue {
        /// Which meeting.
        meeting: crate::timeline::MeetingKind,
        /// The date it was due by.
        due: NaiveDate,
        /// Working days overdue when last assessed.
        working_days_overdue: u32,
    },
    /// A manager's supervision of the child's case is overdue: none recorded since the date it
    /// was due by. Kept firing, like an overdue visit, until a supervision is recorded.
    SupervisionOverdue {
        /// The date it was due by.
        due: NaiveDate,
        /// Working days overdue when last assessed.
        working_days_overdue: u32,
    },
    /// An action agreed at a core group, review conference or supervision is past its due date
    /// and not marked done: the drift the audit found unchallenged. Kept firing until it is.
    ActionOverdue {
        /// The action.
        action_id: AgreedActionId,
        /// The date it was due by.
        due: NaiveDate,
        /// Working days overdue when last assessed.
        working_days_overdue: u32,
        /// Whether it was agreed in supervision, which a duty worker does not read: the
        /// escalation is kept from them as the supervision is.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        in_supervision: bool,
    },
}

impl EscalationReason {
    /// A key identifying "the same problem", so the same escalation is never raised twice.
    /// Overdue escalations share one key per due date.
    pub fn dedup_key(&self) -> String {
        match self {
            EscalationReason::Overdue { due, .. } => format!("overdue:{due}"),
            EscalationReason::ChildNotSeen { visit_id } => format!("not_seen:{visit_id}"),
            EscalationReason::NotSeenAlone { visit_id } => format!("not_alone:{visit_id}"),
            EscalationReason::InterpreterNotUsed { visit_id } => format!("interpreter:{visit_id}"),
            EscalationReason::FamilyMemberInterpreted { visit_id } => {
                format!("family_interpreter:{visit_id}")
            }
            EscalationReason::NoVisitSinceGoLive { .. } => "go_live".to_owned(),
            EscalationReason::PlanMeetingOverdue { meeting, due, .. } => {
                let kind = match meeting {
                    crate::timeline::MeetingKind::CoreGroup => "core_group",
                    crate::timeline::MeetingKind::ReviewConference => "review",
                };
                format!("{kind}_overdue:{due}")
            }
            EscalationReason::SupervisionOverdue { due, .. } => format!("supervision_overdue:{due}"),
            EscalationReason::ActionOverdue { action_id, .. } => format!("action_overdue:{action_id}"),
        }
    }

    /// Plain words for a manager, with no child's name or words.
    pub fn describe(&self) -> String {
        match self {
            EscalationReason::Overdue { working_days_overdue, key_worker_absent, .. } => {
                let absent = if *key_worker_absent { " The key worker is absent." } else { "" };
                format!("Statutory visit overdue by {}.{absent}", working_days(*working_days_overdue))
            }
            EscalationReason::ChildNotSeen { .. } => {
                "Statutory visit made but the child was not seen.".to_owned()
            }
            EscalationReason::NotSeenAlone { .. } => {
                "Child not seen alone, and no manager has agreed. Agree or disagree.".to_owned()
            }
            EscalationReason::InterpreterNotUsed { .. } => {
                "An interpreter was needed but not used.".to_owned()
            }
            EscalationReason::FamilyMemberInterpreted { .. } => {
                "A family member interpreted at the visit, so what the child said may not have been passed on."
                    .to_owned()
            }
            EscalationReason::NoVisitSinceGoLive { go_live } => format!(
                "No statutory visit in which the child was seen is recorded since this service went live on {}, \
                 and the central system gave no last-seen date. Check when the child was last seen and arrange a visit.",
                go_live.format("%d/%m/%Y")
            ),
            EscalationReason::PlanMeetingOverdue { meeting, due, working_days_overdue } => format!(
                "{} overdue by {}: it was due by {}.",
                meeting.label(),
                working_days(*working_days_overdue),
                due.format("%d/%m/%Y")
            ),
            EscalationReason::SupervisionOverdue { due, working_days_overdue } => format!(
                "Supervision of the case overdue by {}: it was due by {}.",
                working_days(*working_days_overdue),
                due.format("%d/%m/%Y")
            ),
            EscalationReason::ActionOverdue { due, working_days_overdue, .. } => format!(
                "An action agreed on the plan is overdue by {}: it was due by {}.",
                working_days(*working_days_overdue),
                due.format("%d/%m/%Y")
            ),
        }
    }

    /// Whether it is about a manager's supervision of the case (overdue, or an action agreed in
    /// it), which is for managers and the key worker, not a duty worker covering visits.
    pub fn is_about_supervision(&self) -> bool {
        matches!(
            self,
            EscalationReason::SupervisionOverdue { .. }
                | EscalationReason::ActionOverdue { in_supervision: true, .. }
        )
    }

    /// Whether this is about something overdue on the plan (kept firing until the child is seen,
    /// the meeting held, the case supervised or the action done), rather than about one visit.
    pub fn is_about_overdue(&self) -> bool {
        matches!(
            self,
            EscalationReason::Overdue { .. }
                | EscalationReason::NoVisitSinceGoLive { .. }
                | EscalationReason::PlanMeetingOverdue { .. }
                | EscalationReason::SupervisionOverdue { .. }
                | EscalationReason::ActionOverdue { .. }
        )
    }
}

/// What a manager did about an escalation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum EscalationAction {
    /// A visit has been arranged.
    VisitArranged {
        /// For when.
        date: NaiveDate,
    },
    /// A duty worker has been assigned to cover.
    DutyCoverAssigned {
        /// The duty worker.
        duty_worker: WorkerId,
    },
    /// An exception was agreed.
    ExceptionAgreed {
        /// Why.
        #[schema(max_length = 4000)]
        reason: String,
    },
    /// The manager agrees the child need not have been seen alone.
    SeenAloneAgreed {
        /// Why.
        #[schema(max_length = 4000)]
        reason: String,
    },
    /// The manager disagrees: the child must be seen alone.
    SeenAloneDisagreed {
        /// What must happen now.
        #[schema(max_length = 4000)]
        reason: String,
    },
    /// The manager confirms that an escalation a worker's change asked to close may close (the
    /// visit was voided or amended, or the child was seen late). Only a manager closes.
    CloseConfirmed {
        /// Why it can close.
        explanation: String,
    },
}

impl EscalationAction {
    /// Plain words for the action, naming people through `name`.
    pub fn describe(&self, name: &dyn Fn(WorkerId) -> String) -> String {
        fn dmy(date: NaiveDate) -> String {
            date.format("%d/%m/%Y").to_string()
        }
        match self {
            EscalationAction::VisitArranged { date } => format!("Visit arranged for {}.", dmy(*date)),
            EscalationAction::DutyCoverAssigned { duty_worker } => {
                format!("Duty cover assigned to {}.", name(*duty_worker))
            }
            EscalationAction::ExceptionAgreed { reason } => format!("Exception agreed: {}.", reason.trim()),
            EscalationAction::SeenAloneAgreed { reason } => {
                format!("Manager agreed the child need not be seen alone: {}.", reason.trim())
            }
            EscalationAction::SeenAloneDisagreed { reason } => {
                format!("Manager disagreed: the child must be seen alone. {}.", reason.trim())
            }
            EscalationAction::CloseConfirmed { explanation } => {
                format!("Manager confirmed it can close: {}.", explanation.trim())
            }
        }
    }
}

/// What happened to an escalation, in one history entry.
///
/// **Wire format:** pulled by devices inside [`Escalation::history`]. Add variants only.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum EscalationStep {
    /// First raised.
    Raised,
    /// Raised again (one level up, or to the senior manager again at the top), or re-opened.
    RaisedAgain,
    /// Sent to someone else because the manager it was for is recorded absent.
    Rerouted,
    /// The plan, its frequency or the visits on record changed, and the escalation was assessed
    /// again.
    Reevaluated,
    /// A worker's change (a visit voided or amended, "a manager agreed" ticked) or a late
    /// visit asks a manager to confirm before it closes.
    ConfirmationAsked,
    /// A manager recorded what they did.
    Acknowledged {
        /// What they did.
        action: EscalationAction,
    },
    /// Closed, with the reason in the entry's text.
    Closed,
}

/// One entry in an escalation's history: who, when, at which level, what they said and did.
/// Entries are appended, never changed or removed.
///
/// **Wire format:** pulled by devices. Add fields only, with `#[serde(default)]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct EscalationEntry {
    /// When, as a timestamp.
    pub at: DateTime<Utc>,
    /// The authority's date when it happened (working-day windows count from it).
    pub on: NaiveDate,
    /// What happened.
    #[serde(flatten)]
    pub step: EscalationStep,
    /// The level the escalation stood at afterwards.
    pub level: EscalationLevel,
    /// The manager it was for afterwards, when one is known.
    #[serde(default)]
    pub to: Option<WorkerId>,
    /// Who did it; `None` for the service's own sweep.
    #[serde(default)]
    pub by: Option<WorkerId>,
    /// Their name at the time, so the phone can show it without the staff list.
    #[serde(default)]
    pub by_name: Option<String>,
    /// Plain words: what was decided and why, or what the manager said.
    pub text: String,
}

/// The schedule as it stood when an overdue escalation was raised or last re-assessed, so a
/// later change can be explained honestly and a late-synced visit judged against the due date
/// as it then stood.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ScheduleBasis {
    /// The last statutory visit in which the child was seen, as then known.
    #[serde(default)]
    pub last_seen: Option<NaiveDate>,
    /// The plan's visit frequency, in working days.
    pub frequency_working_days: u32,
    /// The plan's registration date.
    pub registered_on: NaiveDate,
}

/// Where an escalation stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum EscalationStatus {
    /// Waiting for a manager.
    Open,
    /// A manager recorded an action.
    Acknowledged {
        /// What they did.
        action: EscalationAction,
        /// Who.
        by: WorkerId,
        /// When.
        at: DateTime<Utc>,
    },
    /// Closed, with an explanation: by a manager (confirming it can close, or answering one about
    /// a single visit), or by the system (for example, a visit made in time arrived late
    /// from an offline device).
    Closed {
        /// Why it closed.
        explanation: String,
        /// When.
        at: DateTime<Utc>,
    },
}

/// A problem raised to a manager.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Escalation {
    /// Identifier.
    pub id: EscalationId,
    /// The child concerned.
    pub child_id: ChildId,
    /// Why it was raised.
    pub reason: EscalationReason,
    /// Who it is for now.
    pub level: EscalationLevel,
    /// The manager it was sent to, when one is known.
    #[serde(default)]
    pub to: Option<WorkerId>,
    /// When it was first raised.
    pub raised_at: DateTime<Utc>,
    /// When it was last raised again, one level up, for want of an answer.
    #[serde(default)]
    pub re_raised_at: Option<DateTime<Utc>>,
    /// Where it stands.
    pub status: EscalationStatus,
    /// Everything that happened to it, oldest first. Appended to, never rewritten. Escalations
    /// stored before the history existed get entries rebuilt from their fields on reading
    /// ([`Escalation::with_history`]).
    #[serde(default)]
    pub history: Vec<EscalationEntry>,
    /// For overdue escalations: the schedule as it stood when raised or last re-assessed.
    #[serde(default)]
    pub basis: Option<ScheduleBasis>,
}

impl EscalationAction {
    /// Checks the action's size and dates against [`crate::limits`]: a reason of at most
    /// [`crate::limits::MAX_REASON_CHARS`] characters, an arranged visit within two years.
    /// Whether the action fits the escalation is decided where the escalation is known.
    pub fn check_bounds(&self, today: NaiveDate) -> Result<(), crate::ValidationErrors> {
        let mut errors = crate::ValidationErrors::default();
        match self {
            EscalationAction::VisitArranged { date } => {
                crate::limits::check_date_near_today(&mut errors, "date", *date, today)
            }
            EscalationAction::DutyCoverAssigned { .. } => {}
            EscalationAction::ExceptionAgreed { reason }
            | EscalationAction::SeenAloneAgreed { reason }
            | EscalationAction::SeenAloneDisagreed { reason } => {
                crate::limits::check_text(&mut errors, "reason", reason, crate::limits::MAX_REASON_CHARS)
            }
            EscalationAction::CloseConfirmed { explanation } => crate::limits::check_text(
                &mut errors,
                "explanation",
                explanation,
                crate::limits::MAX_REASON_CHARS,
            ),
        }
        errors.into_result()
    }
}

impl Escalation {
    /// Whether a manager still needs to act.
    pub fn is_open(&self) -> bool {
        matches!(self.status, EscalationStatus::Open)
    }

    /// Whether it is open or acknowledged: not closed.
    pub fn is_active(&self) -> bool {
        !matches!(self.status, EscalationStatus::Closed { .. })
    }

    /// The escalation with a history: for one stored before histories were kept, entries rebuilt
    /// from `raised_at`, `re_raised_at` and `status`, so nothing it recorded is lost. Each entry
    /// is dated in `time_zone`, the authority's, as every entry written since is: a step taken at
    /// 00:30 on a Jersey summer night is that day's, not the day before.
    pub fn with_history(mut self, time_zone: Tz) -> Escalation {
        if !self.history.is_empty() {
            return self;
        }
        let entry =
            |at: DateTime<Utc>, step: EscalationStep, by: Option<WorkerId>, text: String| EscalationEntry {
                at,
                on: authority_date(time_zone, at),
                step,
                level: self.level,
                to: self.to,
                by,
                by_name: None,
                text,
            };
        let mut history = vec![entry(self.raised_at, EscalationStep::Raised, None, self.reason.describe())];
        if let Some(again) = self.re_raised_at {
            history.push(entry(
                again,
                EscalationStep::RaisedAgain,
                None,
                "Raised again, one level up.".to_owned(),
            ));
        }
        match &self.status {
            EscalationStatus::Open => {}
            EscalationStatus::Acknowledged { action, by, at } => history.push(entry(
                *at,
                EscalationStep::Acknowledged { action: action.clone() },
                Some(*by),
                action.describe(&|id| format!("worker {id}")),
            )),
            EscalationStatus::Closed { explanation, at } => {
                history.push(entry(*at, EscalationStep::Closed, None, explanation.clone()))
            }
        }
        self.history = history;
        self
    }

    /// The authority's date it was last raised or raised again (when its acknowledgement
    /// window started).
    pub fn last_raised_on(&self) -> NaiveDate {
        self.history
            .iter()
            .rev()
            .find(|e| matches!(e.step, EscalationStep::Raised | EscalationStep::RaisedAgain))
            .map_or_else(|| self.re_raised_at.unwrap_or(self.raised_at).date_naive(), |e| e.on)
    }

    /// The history entry of the latest acknowledgement since it was last raised: who acted,
    /// when, and what they did.
    pub fn acknowledged_entry(&self) -> Option<&EscalationEntry> {
        for entry in self.history.iter().rev() {
            match &entry.step {
                EscalationStep::Acknowledged { .. } => return Some(entry),
                EscalationStep::Raised | EscalationStep::RaisedAgain => return None,
                _ => {}
            }
        }
        None
    }

    /// The latest acknowledgement since it was last raised: the date and the action.
    pub fn acknowledgement(&self) -> Option<(NaiveDate, &EscalationAction)> {
        if let Some(entry) = self.acknowledged_entry()
            && let EscalationStep::Acknowledged { action } = &entry.step
        {
            return Some((entry.on, action));
        }
        if self.history.iter().any(|e| matches!(e.step, EscalationStep::Raised | EscalationStep::RaisedAgain))
        {
            return None;
        }
        match &self.status {
            EscalationStatus::Acknowledged { action, at, .. } => Some((at.date_naive(), action)),
            _ => None,
        }
    }

    /// Whether a worker's change or a late visit has asked a manager to confirm that it can
    /// close, and no manager has answered since.
    pub fn awaiting_confirmation(&self) -> bool {
        for entry in self.history.iter().rev() {
            match entry.step {
                EscalationStep::ConfirmationAsked => return true,
                EscalationStep::Acknowledged { .. } | EscalationStep::Closed => return false,
                _ => {}
            }
        }
        false
    }

    /// When it was first closed: by the sweep, by a manager's answer, or by a manager
    /// confirming that it can close. An entry once appended is never changed, so this stays put
    /// even if the escalation is raised again later, and a past month's count of closed
    /// escalations does not move.
    pub fn first_closed_at(&self) -> Option<DateTime<Utc>> {
        let closing = self.history.iter().find(|entry| {
            matches!(
                entry.step,
                EscalationStep::Closed
                    | EscalationStep::Acknowledged { action: EscalationAction::CloseConfirmed { .. } }
            )
        });
        match (closing, &self.status) {
            (Some(entry), _) => Some(entry.at),
            (None, EscalationStatus::Closed { at, .. }) => Some(*at),
            (None, _) => None,
        }
    }

    /// Appends a history entry (never rewrites one).
    pub fn record(&mut self, entry: EscalationEntry) {
        self.history.push(entry);
    }

    /// The escalation with its overdue figure as it stands on `today`, not as it stood when it
    /// was raised: working days from the due date to the first statutory visit in which the
    /// child was seen after it, or to today if there has been none.
    pub fn with_current_figures(
        mut self,
        calendar: &Calendar,
        visits: &[Visit],
        today: NaiveDate,
    ) -> Escalation {
        if let EscalationReason::Overdue { due, working_days_overdue, .. } = &mut self.reason {
            let current = crate::visit::current_revisions(visits);
            let until = current
                .iter()
                .filter(|v| v.resets_schedule() && v.date() > *due)
                .map(|v| v.date())
                .min()
                .map_or(today, |seen| seen.min(today));
            if until > *due {
                let days = calendar.working_days_between(*due, until).max(1);
                *working_days_overdue = u32::try_from(days).unwrap_or(u32::MAX);
            }
        }
        // A meeting, supervision or action still overdue: counted to today (one held or done
        // closes or asks to confirm).
        let active = self.is_active();
        if let EscalationReason::PlanMeetingOverdue { due, working_days_overdue, .. }
        | EscalationReason::SupervisionOverdue { due, working_days_overdue }
        | EscalationReason::ActionOverdue { due, working_days_overdue, .. } = &mut self.reason
            && active
            && today > *due
        {
            let days = calendar.working_days_between(*due, today).max(1);
            *working_days_overdue = u32::try_from(days).unwrap_or(u32::MAX);
        }
        self
    }
}

/// A manager's standing decision that a child need not be seen alone, for a period (for
/// example a baby): visits within it raise no "not seen alone" escalation.
///
/// **Wire format:** returned by the API. Add fields only, with `#[serde(default)]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SeenAloneDecision {
    /// Identifier.
    pub id: SeenAloneDecisionId,
    /// The child.
    pub child_id: ChildId,
    /// Why the child need not be seen alone.
    pub reason: String,
    /// The first day it applies.
    pub starts_on: NaiveDate,
    /// The last day it applies.
    pub ends_on: NaiveDate,
    /// The manager who decided.
    pub decided_by: WorkerId,
    /// Their name at the time.
    pub decided_by_name: String,
    /// When it was recorded.
    pub decided_at: DateTime<Utc>,
    /// A manager's ending of it before `ends_on`, if one has: appended, the decision is kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended: Option<SeenAloneDecisionEnd>,
}

/// A manager's ending of a standing "seen alone" decision before the end it was given (for
/// example the child is now talking, or a concern has arisen): appended, never changed. From
/// the day it was ended, visits must see the child alone again or ask a manager.
///
/// **Wire format:** returned by the API within [`SeenAloneDecision`]. Add fields only, with
/// `#[serde(default)]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SeenAloneDecisionEnd {
    /// The last day the decision covers: the day before it was ended, in the authority's time
    /// zone (before the first day, when it was ended before it began).
    pub last_day: NaiveDate,
    /// Why it was ended.
    pub reason: String,
    /// The manager who ended it.
    pub ended_by: WorkerId,
    /// Their name at the time.
    pub ended_by_name: String,
    /// When it was ended.
    pub ended_at: DateTime<Utc>,
}

impl SeenAloneDecision {
    /// The last day it covers: `ends_on`, or the day before a manager ended it, if earlier.
    pub fn last_day(&self) -> NaiveDate {
        self.ended.as_ref().map_or(self.ends_on, |end| end.last_day.min(self.ends_on))
    }

    /// Whether the decision covers a visit on `date`: from its first day to its last (see
    /// [`Self::last_day`]).
    pub fn covers(&self, date: NaiveDate) -> bool {
        self.starts_on <= date && date <= self.last_day()
    }

    /// Whether it still covers `today` or a later day, so a manager may end it.
    pub fn in_force_from(&self, today: NaiveDate) -> bool {
        today <= self.last_day()
    }

    /// The decision in `decisions` that covers a visit on `date` (the visit's own date), the
    /// latest decided when several do: the one the sweep names when it raises nothing, and the
    /// one the phone names to the worker.
    pub fn covering(decisions: &[SeenAloneDecision], date: NaiveDate) -> Option<&SeenAloneDecision> {
        decisions.iter().filter(|d| d.covers(date)).max_by_key(|d| d.decided_at)
    }
}

/// A manager's standing word that the child must be seen alone: they disagreed that a visit
/// could go without it, and no visit started since has seen the child alone. Whoever visits
/// next is told before they knock: the child's page, and the handover a duty worker or a new
/// key worker reads.
///
/// **Wire format:** returned in the handover. Add fields only, with `#[serde(default)]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SeenAloneInstruction {
    /// The manager, by name at the time.
    pub by: String,
    /// The authority's date they said it.
    pub on: NaiveDate,
    /// When they said it: a visit started after this that sees the child alone ends it.
    pub at: DateTime<Utc>,
    /// What they said must happen, as a sentence.
    pub what: String,
}

impl SeenAloneInstruction {
    /// The latest manager's disagreement about a visit where the child was not seen alone in
    /// `escalations`, while it still stands against `visits` (see [`Self::stands`]).
    pub fn latest<'a>(
        escalations: &[Escalation],
        visits: impl IntoIterator<Item = &'a Visit>,
    ) -> Option<Self> {
        escalations
            .iter()
            .filter(|e| matches!(e.reason, EscalationReason::NotSeenAlone { .. }))
            .flat_map(|e| e.history.iter())
            .filter_map(|entry| match &entry.step {
                EscalationStep::Acknowledged { action: EscalationAction::SeenAloneDisagreed { reason } } => {
                    Some(Self {
                        by: entry.by_name.clone().unwrap_or_else(|| "A manager".to_owned()),
                        on: entry.on,
                        at: entry.at,
                        what: crate::text::as_sentence(reason),
                    })
                }
                _ => None,
            })
            .max_by_key(|said| said.at)
            .filter(|said| said.stands(visits))
    }

    /// Whether it still stands: no visit in `visits`, as its current revision (an amendment
    /// that corrects "seen alone" to "not alone" counts, not the first version), that counts,
    /// started after it was said and saw the child alone. Any revisions may be given: the
    /// server's current ones and the phone's every one are judged alike.
    pub fn stands<'a>(&self, visits: impl IntoIterator<Item = &'a Visit>) -> bool {
        !crate::visit::current_revisions(visits)
            .into_iter()
            .any(|v| v.started_at > self.at && matches!(v.seen_alone, Some(crate::visit::SeenAlone::Yes)))
    }
}
