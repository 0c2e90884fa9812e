//! The child: one record per child, with siblings linked, never merged.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::ids::{CarerId, ChildId, PlanActionId, TeamId, WorkerId};

/// One child known to the service.
///
/// The audit found records kept per family, so that nobody could tell when a given child had
/// been seen. Here every child has their own record; brothers and sisters are linked by id.
///
/// **Wire format:** pulled by devices and snapshot-tested; change only with a protocol version.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Child {
    /// Our identifier for the child.
    pub id: ChildId,
    /// The authority's own identifier in its case management system ("Child Unique ID").
    pub central_id: String,
    /// The name the child is known by.
    pub given_name: String,
    /// The child's family name.
    pub family_name: String,
    /// Date of birth.
    pub date_of_birth: NaiveDate,
    /// Gender, as recorded centrally, if recorded.
    #[serde(default)]
    pub gender: Option<Gender>,
    /// Other children of the same family, each with their own record. Linked, never merged.
    #[serde(default)]
    pub sibling_ids: Vec<ChildId>,
    /// The parents and carers named on the child's record.
    #[serde(default)]
    pub carers: Vec<Carer>,
    /// The child protection plan, if the child has ever been on one.
    #[serde(default)]
    pub plan: Option<ProtectionPlan>,
    /// How to communicate with the child and their family.
    #[serde(default)]
    pub communication: CommunicationNeeds,
    /// The latest change of key worker. Kept by this service, not the central system: the
    /// server sets it when an import changes the key worker, and carries it across imports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reallocation: Option<crate::household::Reallocation>,
    /// The safety warnings in force for lone visits to the child's household. Kept by this
    /// service (each warning is its own append-only record on the server) and carried across
    /// imports.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub safety_warnings: Vec<crate::household::SafetyWarning>,
}

impl Child {
    /// The name to show to staff who may see this record.
    pub fn display_name(&self) -> String {
        format!("{} {}", self.given_name, self.family_name)
    }

    /// The child's age in whole years on `today`.
    pub fn age_on(&self, today: NaiveDate) -> u32 {
        today.years_since(self.date_of_birth).unwrap_or(0)
    }

    /// Whether the child is on an active protection plan on `date`.
    pub fn on_plan(&self, date: NaiveDate) -> bool {
        self.plan.as_ref().is_some_and(|p| p.is_active_on(date))
    }

    /// The interpreting decision for the child and for each parent or carer named on the record,
    /// in that order. A carer with no language record has not been considered.
    pub fn interpreting_by_person(&self) -> Vec<(crate::visit::InterpretedPerson, Interpreting)> {
        use crate::visit::InterpretedPerson;
        let mut people = vec![(InterpretedPerson::Child, self.communication.child.interpreting())];
        for carer in &self.carers {
            let decision = self
                .communication
                .carers
                .iter()
                .find(|need| need.carer_id == carer.id)
                .map(|need| need.need.interpreting())
                .unwrap_or(Interpreting::NotYetConsidered);
            people.push((InterpretedPerson::Carer { carer_id: carer.id }, decision));
        }
        people
    }

    /// The carer with this id, if named on the record.
    pub fn carer(&self, id: CarerId) -> Option<&Carer> {
        self.carers.iter().find(|c| c.id == id)
    }
}

/// Gender as Ofsted's Annex A records it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    /// Male.
    Male,
    /// Female.
    Female,
    /// Not stated or not recorded.
    NotStated,
    /// Neither.
    Neither,
}

/// A parent or carer named on a child's record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Carer {
    /// Identifier, stable across imports.
    pub id: CarerId,
    /// The carer's name.
    pub name: String,
    /// Their relationship to the child, for example "mother" or "stepfather".
    pub relationship: String,
}

/// A category of harm on a child protection plan.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum HarmCategory {
    /// Neglect.
    Neglect,
    /// Emotional abuse.
    Emotional,
    /// Physical abuse.
    Physical,
    /// Sexual abuse.
    Sexual,
}

impl HarmCategory {
    /// Every category, in a fixed order.
    pub const ALL: [HarmCategory; 4] =
        [HarmCategory::Neglect, HarmCategory::Emotional, HarmCategory::Physical, HarmCategory::Sexual];

    /// Plain words for the category.
    pub fn label(self) -> &'static str {
        match self {
            HarmCategory::Neglect => "Neglect",
            HarmCategory::Emotional => "Emotional abuse",
            HarmCategory::Physical => "Physical abuse",
            HarmCategory::Sexual => "Sexual abuse",
        }
    }
}

/// A child protection plan.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ProtectionPlan {
    /// The date the child was registered (the plan started).
    pub registered_on: NaiveDate,
    /// The date the child was de-registered (the plan ended), if it has.
    #[serde(default)]
    pub deregistered_on: Option<NaiveDate>,
    /// The categories of harm the plan addresses. The first is the initial category.
    pub harms: Vec<HarmCategory>,
    /// The agreed statutory visit frequency, in working days (commonly 10; 1 to 60).
    #[schema(minimum = 1, maximum = 60)]
    pub visit_frequency_working_days: u32,
    /// The child's key worker.
    pub key_worker: WorkerId,
    /// The team that holds the case.
    pub team: TeamId,
    /// What the plan says must happen; a visit can say which it worked on.
    #[serde(default)]
    pub actions: Vec<PlanAction>,
    /// The date of the latest review conference, if held.
    #[serde(default)]
    pub latest_review_conference: Option<NaiveDate>,
    /// What the central system knew before this service went live: the schedule counts from its
    /// last-seen date until a visit recorded here is later.
    #[serde(default)]
    pub seen_before_go_live: Option<SeenBeforeGoLive>,
}

/// The last visits the central system recorded before this service held the child's visits,
/// from the go-live import.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SeenBeforeGoLive {
    /// The last statutory visit in which the child was seen.
    #[serde(default)]
    pub last_seen: Option<NaiveDate>,
    /// The last visit in which the child was seen alone.
    #[serde(default)]
    pub last_seen_alone: Option<NaiveDate>,
}

impl ProtectionPlan {
    /// The default statutory visit frequency used when an import gives none.
    pub const DEFAULT_FREQUENCY_WORKING_DAYS: u32 = 10;

    /// Whether the plan is in force on `date`: from the day of registration to the day of
    /// de-registration, both included (a child de-registered today is still on the plan today).
    pub fn is_active_on(&self, date: NaiveDate) -> bool {
        self.registered_on <= date && self.deregistered_on.is_none_or(|end| date <= end)
    }
}

/// One action on a child protection plan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PlanAction {
    /// Identifier, which visits use to say they worked on it.
    pub id: PlanActionId,
    /// What must be done, as written in the plan.
    pub description: String,
}

/// How to communicate with the child and their parents or carers.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CommunicationNeeds {
    /// The child's own language needs.
    pub child: LanguageNeed,
    /// Each named parent or carer's language needs.
    #[serde(default)]
    pub carers: Vec<CarerLanguageNeed>,
    /// Disability and communication needs (for example, uses Makaton; hearing impaired).
    #[serde(default)]
    pub disability_and_communication: Option<String>,
}

/// One person's language and whether they need an interpreter.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LanguageNeed {
    /// Their first language, if known.
    #[serde(default)]
    pub first_language: Option<String>,
    /// Whether an interpreter is needed to speak with them.
    #[serde(default)]
    pub interpreter_needed: bool,
    /// The language an interpreter must speak, when one is needed.
    #[serde(default)]
    pub interpreter_language: Option<String>,
    /// Whether someone has considered if this person needs an interpreter. `false` with no
    /// interpreter needed means nobody has asked yet, which is flagged to the worker and the
    /// manager until it is answered (the audit found parents' needs never considered). An
    /// interpreter needed implies it was considered. Left out of the JSON when `false`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub interpreter_considered: bool,
}

/// What the record says about one person's need for an interpreter.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "answer", rename_all = "snake_case")]
pub enum Interpreting {
    /// Nobody has considered it yet.
    NotYetConsidered,
    /// Considered: no interpreter is needed.
    NotNeeded,
    /// Considered: an interpreter is needed.
    Needed {
        /// The language the interpreter must speak, if recorded.
        #[serde(default)]
        language: Option<String>,
    },
}

impl LanguageNeed {
    /// Considered and needed, in `language`.
    pub fn interpreter_needed_in(first_language: Option<String>, language: impl Into<String>) -> Self {
        Self {
            first_language,
            interpreter_needed: true,
            interpreter_language: Some(language.into()),
            interpreter_considered: true,
        }
    }

    /// Considered and not needed.
    pub fn no_interpreter_needed(first_language: Option<String>) -> Self {
        Self {
            first_language,
            interpreter_needed: false,
            interpreter_language: None,
            interpreter_considered: true,
        }
    }

    /// The decision this record holds: needed (with the language), not needed, or not yet
    /// considered.
    pub fn interpreting(&self) -> Interpreting {
        if self.interpreter_needed {
            Interpreting::Needed {
                language: self.interpreter_language.clone().or_else(|| self.first_language.clone()),
            }
        } else if self.interpreter_considered {
            Interpreting::NotNeeded
        } else {
            Interpreting::NotYetConsidered
        }
    }
}

/// A named parent or carer's language needs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CarerLanguageNeed {
    /// The carer, as named on the child's record.
    pub carer_id: CarerId,
    /// Their language needs.
    pub need: LanguageNeed,
}
