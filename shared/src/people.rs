//! Staff, their roles and teams, absences, and duty cover.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::ids::{AbsenceId, ChildId, CoverId, TeamId, WorkerId};

/// What a member of staff may see and do. Each role sees only its scope.
///
/// **Wire format:** carried in tokens and pulled by devices; names must not change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Sees their own caseload.
    SocialWorker,
    /// Sees their own caseload plus the children they cover, for the cover period only.
    DutyWorker,
    /// Sees their team's children and workers.
    TeamManager,
    /// Sees the whole service.
    SeniorManager,
    /// Manages accounts and imports; sees no child records.
    Admin,
}

impl Role {
    /// Whether this role receives and handles escalations.
    pub fn is_manager(self) -> bool {
        matches!(self, Role::TeamManager | Role::SeniorManager)
    }

    /// Plain words for the role.
    pub fn label(self) -> &'static str {
        match self {
            Role::SocialWorker => "Social worker",
            Role::DutyWorker => "Duty worker",
            Role::TeamManager => "Team manager",
            Role::SeniorManager => "Senior manager",
            Role::Admin => "Administrator",
        }
    }
}

/// A member of staff.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Worker {
    /// Identifier.
    pub id: WorkerId,
    /// Their name, as shown to colleagues.
    pub name: String,
    /// What they may see and do.
    pub role: Role,
    /// Their team, if they belong to one (senior managers and admins may not).
    #[serde(default)]
    pub team: Option<TeamId>,
}

/// A team of social workers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Team {
    /// Identifier.
    pub id: TeamId,
    /// The team's name, for example "Child Protection Team 1".
    pub name: String,
    /// The team manager, if one is in post.
    #[serde(default)]
    pub manager: Option<WorkerId>,
    /// Routing: who the team manager's escalations go to while the team manager is recorded
    /// absent, and who the team's senior-level escalations go to.
    #[serde(default)]
    pub routing: TeamRouting,
}

/// Who a team's escalations go to besides the team manager. Configured on the team record,
/// never guessed: with no senior manager named, senior-level escalations are addressed to no
/// one in particular and every senior manager sees them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TeamRouting {
    /// The senior manager for the team.
    #[serde(default)]
    pub senior_manager: Option<WorkerId>,
    /// The manager who deputises while the team manager is recorded absent. Without one, the
    /// team manager's escalations go to the senior manager while they are away.
    #[serde(default)]
    pub deputy: Option<WorkerId>,
}

/// Why a worker is away.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AbsenceKind {
    /// Off sick.
    Sickness,
    /// Annual or other planned leave.
    Leave,
}

/// A recorded absence. The audit found that sickness led to missed visits with nobody told.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Absence {
    /// Identifier.
    pub id: AbsenceId,
    /// Who is away.
    pub worker_id: WorkerId,
    /// Sickness or leave.
    pub kind: AbsenceKind,
    /// The first day away.
    pub starts_on: NaiveDate,
    /// The last day they are expected to be away, if known.
    #[serde(default)]
    pub expected_end: Option<NaiveDate>,
    /// Who recorded it (the worker or a manager).
    pub recorded_by: WorkerId,
}

impl Absence {
    /// Checks that the dates are plausible: each within [`crate::limits::MAX_DAYS_FROM_TODAY`]
    /// days of `today`. A sickness recorded for the year 0000 or 9999 is a typing slip, and it
    /// would otherwise keep a worker "absent" for every sweep to come.
    pub fn check_dates(&self, today: NaiveDate) -> Result<(), crate::ValidationErrors> {
        let mut errors = crate::ValidationErrors::default();
        crate::limits::check_date_near_today(&mut errors, "starts_on", self.starts_on, today);
        if let Some(end) = self.expected_end {
            crate::limits::check_date_near_today(&mut errors, "expected_end", end, today);
        }
        errors.into_result()
    }

    /// Whether the worker is away on `date`.
    pub fn covers(&self, date: NaiveDate) -> bool {
        self.starts_on <= date && self.expected_end.is_none_or(|end| date <= end)
    }
}

/// A duty worker's assignment to cover one child for a period.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CoverAssignment {
    /// Identifier.
    pub id: CoverId,
    /// The child covered.
    pub child_id: ChildId,
    /// The duty worker covering.
    pub duty_worker: WorkerId,
    /// The worker being covered for.
    pub covering_for: WorkerId,
    /// The first day of cover.
    pub starts_on: NaiveDate,
    /// The last day of cover. Access ends after this day.
    pub ends_on: NaiveDate,
    /// The manager who assigned it.
    pub assigned_by: WorkerId,
}

impl CoverAssignment {
    /// Checks that the dates are plausible: each within [`crate::limits::MAX_DAYS_FROM_TODAY`]
    /// days of `today`, so that cover cannot be given "until 9999".
    pub fn check_dates(&self, today: NaiveDate) -> Result<(), crate::ValidationErrors> {
        let mut errors = crate::ValidationErrors::default();
        crate::limits::check_date_near_today(&mut errors, "starts_on", self.starts_on, today);
        crate::limits::check_date_near_today(&mut errors, "ends_on", self.ends_on, today);
        errors.into_result()
    }

    /// Whether the cover is in force on `date`.
    pub fn is_active_on(&self, date: NaiveDate) -> bool {
        self.starts_on <= date && date <= self.ends_on
    }
}
