//! Significant events entered by hand: what another agency (police, school, health, ...) told
//! the service about a child, so the chronology is multi-agency.
//!
//! Append-only: an event is recorded once and never changed or removed. A correction is a new
//! event that says what it corrects.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use shared::limits::{MAX_REASON_CHARS, MAX_SHORT_TEXT_CHARS};
use shared::{ChildId, FieldError, WorkerId};
use uuid::Uuid;

/// A significant event's identifier (UUID v7).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(transparent)]
#[schema(value_type = String, format = Uuid)]
pub struct SignificantEventId(pub Uuid);

impl SignificantEventId {
    /// A new identifier, made now.
    pub fn new() -> Self {
        Self(Uuid::now_v7())
    }

    /// The identifier as raw bytes, for a store key.
    pub fn as_bytes(&self) -> &[u8; 16] {
        self.0.as_bytes()
    }
}

impl Default for SignificantEventId {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Display for SignificantEventId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// The agency an event came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Agency {
    /// The police.
    Police,
    /// A school or nursery.
    School,
    /// Health: a GP, health visitor, hospital, school nurse, mental health service.
    Health,
    /// Housing.
    Housing,
    /// Probation or youth justice.
    Probation,
    /// Children's social care (another team or authority).
    SocialCare,
    /// A voluntary or community organisation.
    Voluntary,
    /// The family or the child themselves.
    Family,
    /// Any other agency (say which in `reported_by`).
    Other,
}

impl Agency {
    /// Plain words for the agency.
    pub fn label(self) -> &'static str {
        match self {
            Agency::Police => "Police",
            Agency::School => "School",
            Agency::Health => "Health",
            Agency::Housing => "Housing",
            Agency::Probation => "Probation or youth justice",
            Agency::SocialCare => "Children's social care",
            Agency::Voluntary => "Voluntary organisation",
            Agency::Family => "Family",
            Agency::Other => "Other agency",
        }
    }
}

/// A significant event as recorded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SignificantEvent {
    /// Identifier.
    pub id: SignificantEventId,
    /// The child.
    pub child_id: ChildId,
    /// The day it happened.
    pub occurred_on: NaiveDate,
    /// The time it happened (`HH:MM`, the authority's time zone), if known.
    #[serde(default)]
    pub occurred_at: Option<String>,
    /// The agency it came from.
    pub agency: Agency,
    /// Who reported it, for example "PC 1234, Jersey Police" or "Head teacher".
    #[serde(default)]
    pub reported_by: String,
    /// What happened, as the agency reported it.
    pub summary: String,
    /// Who entered it.
    pub recorded_by: WorkerId,
    /// Their name at the time.
    pub recorded_by_name: String,
    /// When it was entered.
    pub recorded_at: DateTime<Utc>,
}

/// A significant event to record.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignificantEventRequest {
    /// The day it happened (`YYYY-MM-DD`): not in the future, not before 2000.
    pub occurred_on: NaiveDate,
    /// The time it happened (`HH:MM`), if known.
    #[serde(default)]
    #[schema(max_length = 5)]
    pub occurred_at: Option<String>,
    /// The agency it came from.
    pub agency: Agency,
    /// Who reported it (at most 200 characters).
    #[serde(default)]
    #[schema(max_length = 200)]
    pub reported_by: String,
    /// What happened (1 to 4,000 characters).
    #[schema(max_length = 4000)]
    pub summary: String,
}

impl SignificantEventRequest {
    /// Checks every field against its bound, naming each one at fault.
    pub fn validate(&self, today: NaiveDate) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        let earliest =
            NaiveDate::from_ymd_opt(shared::visit::EARLIEST_VISIT_YEAR, 1, 1).unwrap_or(NaiveDate::MIN);
        if self.occurred_on > today {
            errors.push(FieldError::new("occurred_on", "The event cannot be in the future."));
        } else if self.occurred_on < earliest {
            errors.push(FieldError::new(
                "occurred_on",
                format!("Check the date: events start from {earliest}."),
            ));
        }
        if let Some(time) = &self.occurred_at
            && (time.len() != 5 || NaiveTime::parse_from_str(time, "%H:%M").is_err())
        {
            errors.push(FieldError::new("occurred_at", "Give the time as HH:MM, for example 14:30."));
        }
        if self.reported_by.chars().count() > MAX_SHORT_TEXT_CHARS {
            errors
                .push(FieldError::new("reported_by", format!("At most {MAX_SHORT_TEXT_CHARS} characters.")));
        }
        let summary = self.summary.trim();
        if summary.is_empty() {
            errors.push(FieldError::new("summary", "Say what happened."));
        } else if summary.chars().count() > MAX_REASON_CHARS {
            errors.push(FieldError::new("summary", format!("At most {MAX_REASON_CHARS} characters.")));
        }
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }
}
