//! What a worker must know about a household before visiting alone, and who has held the case.
//!
//! A **safety warning** is recorded per household: the child it was recorded on and their
//! brothers and sisters (linked records), for example "large dog, kept loose in the garden" or
//! "father has been violent to staff". Warnings are appended and ended, never edited or deleted.
//! They may describe an adult's behaviour, so they are never written to a log.
//!
//! A **reallocation** is a change of key worker. The new worker reads a handover, as a duty
//! worker does, so that nobody starts again.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::child::Child;
use crate::ids::{ChildId, SafetyWarningId, WorkerId};
use crate::validation::{ValidationErrors, is_blank};

/// What kind of risk a safety warning is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SafetyWarningKind {
    /// An animal, for example a dog.
    Animal,
    /// A person who has been violent or threatening.
    Violence,
    /// Anything else: the home itself, weapons, drugs.
    Other,
}

impl SafetyWarningKind {
    /// Plain words for the kind.
    pub fn label(self) -> &'static str {
        match self {
            SafetyWarningKind::Animal => "Animal",
            SafetyWarningKind::Violence => "Violence or threats",
            SafetyWarningKind::Other => "Other risk",
        }
    }
}

/// A safety warning for lone visits to a household.
///
/// **Wire format:** pulled by devices on the child's record and snapshot-tested.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SafetyWarning {
    /// Identifier.
    pub id: SafetyWarningId,
    /// The children of the household it applies to: the child it was recorded on and their
    /// linked brothers and sisters.
    pub child_ids: Vec<ChildId>,
    /// What kind of risk.
    pub kind: SafetyWarningKind,
    /// What a worker visiting alone must know, for example "large dog, kept loose in the
    /// garden: ask for it to be shut away before going in".
    #[schema(max_length = 4000)]
    pub details: String,
    /// Who recorded it.
    pub recorded_by: WorkerId,
    /// When.
    pub recorded_at: DateTime<Utc>,
    /// When it was ended, if it has been (kept, never deleted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended: Option<SafetyWarningEnd>,
}

impl SafetyWarning {
    /// Whether it is still in force.
    pub fn is_active(&self) -> bool {
        self.ended.is_none()
    }
}

/// A manager's ending of a safety warning: appended, the warning itself is kept.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SafetyWarningEnd {
    /// Who ended it.
    pub ended_by: WorkerId,
    /// When.
    pub ended_at: DateTime<Utc>,
    /// Why, for example "the dog has been rehomed".
    #[schema(max_length = 4000)]
    pub reason: String,
}

/// A request to record a safety warning on a child's household.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSafetyWarning {
    /// What kind of risk.
    pub kind: SafetyWarningKind,
    /// What a worker visiting alone must know.
    #[schema(min_length = 1, max_length = 4000)]
    pub details: String,
}

impl NewSafetyWarning {
    /// Checks the details are given and within bounds.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        if is_blank(&self.details) {
            errors.push("details", "Say what a worker visiting alone must know.");
        }
        crate::limits::check_text(&mut errors, "details", &self.details, crate::limits::MAX_REASON_CHARS);
        errors.into_result()
    }
}

/// A request to end a safety warning.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndSafetyWarning {
    /// Why it no longer applies.
    #[schema(min_length = 1, max_length = 4000)]
    pub reason: String,
}

impl EndSafetyWarning {
    /// Checks the reason is given and within bounds.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        if is_blank(&self.reason) {
            errors.push("reason", "Say why the warning no longer applies.");
        }
        crate::limits::check_text(&mut errors, "reason", &self.reason, crate::limits::MAX_REASON_CHARS);
        errors.into_result()
    }
}

/// The latest change of a child's key worker, as the service recorded it.
///
/// **Wire format:** pulled by devices on the child's record and snapshot-tested.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Reallocation {
    /// The key worker before.
    pub from_worker: WorkerId,
    /// The key worker now.
    pub to_worker: WorkerId,
    /// The day the change was recorded, in the authority's time zone.
    pub on: NaiveDate,
    /// How many key workers the child has had during the current plan, this one included.
    #[schema(minimum = 1)]
    pub key_workers_during_plan: u32,
}

// ---- the fields the service keeps on a child's record itself, carried across imports ----

/// The incoming record (from an import or the demo seed) with the service's own fields carried
/// over from the stored record `old`. When the key worker changed, the reallocation is recorded,
/// dated `today`, with the number of key workers the child has had during the current plan
/// (from `earlier`: the child's earlier records, as kept in its history).
pub fn keep_service_fields(
    incoming: &Child,
    old: Option<&Child>,
    today: NaiveDate,
    earlier: &[Child],
) -> Child {
    let mut child = incoming.clone();
    let Some(old) = old else { return child };
    child.reallocation = old.reallocation.clone();
    child.safety_warnings = old.safety_warnings.clone();
    let before = old.plan.as_ref().map(|p| p.key_worker);
    let after = child.plan.as_ref().map(|p| p.key_worker);
    if let (Some(from_worker), Some(to_worker)) = (before, after)
        && from_worker != to_worker
    {
        let mut records: Vec<Child> = earlier.to_vec();
        records.push(old.clone());
        child.reallocation = Some(Reallocation {
            from_worker,
            to_worker,
            on: today,
            key_workers_during_plan: key_workers_during_plan(&child, &records),
        });
    }
    child
}

/// Whether writing `incoming` over `stored` has anything for [`keep_service_fields`] to do:
/// fields to carry over (or to restore, when the incoming record names any), or a change of key
/// worker to record.
pub fn has_service_fields_to_keep(stored: &Child, incoming: &Child) -> bool {
    let key_worker = |c: &Child| c.plan.as_ref().map(|p| p.key_worker);
    stored.reallocation.is_some()
        || !stored.safety_warnings.is_empty()
        || incoming.reallocation.is_some()
        || !incoming.safety_warnings.is_empty()
        || (key_worker(stored).is_some()
            && key_worker(incoming).is_some()
            && key_worker(stored) != key_worker(incoming))
}

/// How many key workers `child` has had during its current plan: its key worker now, and each
/// key worker named on an earlier version of the record (`earlier`) of the same plan (the same
/// registration date). 0 when the child has no plan.
pub fn key_workers_during_plan(child: &Child, earlier: &[Child]) -> u32 {
    let Some(plan) = &child.plan else { return 0 };
    let mut workers = std::collections::BTreeSet::from([plan.key_worker]);
    for record in earlier {
        if let Some(p) = &record.plan
            && p.registered_on == plan.registered_on
        {
            workers.insert(p.key_worker);
        }
    }
    workers.len() as u32
}
