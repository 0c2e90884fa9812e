//! Escalations to managers: missed and overdue visits, children not seen alone without a
//! manager's agreement, and interpreters needed but not used.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{ChildId, EscalationId, VisitId, WorkerId};
use crate::schedule::EscalationLevel;

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
    /// An interpreter was needed but none was used.
    InterpreterNotUsed {
        /// The visit.
        visit_id: VisitId,
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
        }
    }

    /// Plain words for a manager, with no child's name or words.
    pub fn describe(&self) -> String {
        match self {
            EscalationReason::Overdue { working_days_overdue, key_worker_absent, .. } => {
                let absent = if *key_worker_absent { " The key worker is absent." } else { "" };
                format!("Statutory visit overdue by {working_days_overdue} working day(s).{absent}")
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
        }
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
    /// Closed by the system, with an explanation (for example, a visit made in time arrived late
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
        }
        errors.into_result()
    }
}

impl Escalation {
    /// Whether a manager still needs to act.
    pub fn is_open(&self) -> bool {
        matches!(self.status, EscalationStatus::Open)
    }
}
