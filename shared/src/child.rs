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
    /// Date of birth; `None` while the child is unborn (see
    /// [`CaseDetails::expected_date_of_birth`]). After the birth the import fills it in and the
    /// same record, with its plan and visits, carries on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<NaiveDate>,
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
    /// The rest of the central case record: an unborn child's expected date of birth, Ofsted's
    /// ethnicity and disability, emergency protection, and earlier plans. Flattened on the wire;
    /// each field is left out when empty, so records stored before it load unchanged.
    #[serde(flatten)]
    pub details: CaseDetails,
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

/// What the central case record says about a child beyond their name and current plan.
///
/// **Wire format:** flattened into [`Child`]. Add fields only, each with `#[serde(default)]`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CaseDetails {
    /// For an unborn child on a pre-birth plan: the expected date of birth. No date of birth or
    /// name is needed until the child is born.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_date_of_birth: Option<NaiveDate>,
    /// For an unborn child: the expectant parent, whom the plan's visits are to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expectant_parent: Option<CarerId>,
    /// Ethnicity as the central record codes it; `None` when the import did not carry it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ethnicity: Option<Ethnicity>,
    /// Whether the child has a disability; `None` when the import did not carry it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disability: Option<Disability>,
    /// The dates the child was made subject to an emergency protection order or taken into
    /// police protection. `None` when the import did not carry them; `Some([])` when it said
    /// there were none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emergency_protection: Option<Vec<NaiveDate>>,
    /// Earlier child protection plans, oldest first. The current plan is [`Child::plan`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub previous_plans: Vec<PreviousPlan>,
}

/// Ethnicity, with the census codes Ofsted's Annex A uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum Ethnicity {
    /// White British.
    Wbri,
    /// White Irish.
    Wiri,
    /// Any other White background.
    Woth,
    /// Traveller of Irish heritage.
    Wirt,
    /// Gypsy/Roma.
    Wrom,
    /// White and Black Caribbean.
    Mwbc,
    /// White and Black African.
    Mwba,
    /// White and Asian.
    Mwas,
    /// Any other mixed background.
    Moth,
    /// Indian.
    Aind,
    /// Pakistani.
    Apkn,
    /// Bangladeshi.
    Aban,
    /// Any other Asian background.
    Aoth,
    /// Caribbean.
    Bcrb,
    /// African.
    Bafr,
    /// Any other Black background.
    Both,
    /// Chinese.
    Chne,
    /// Any other ethnic group.
    Ooth,
    /// Refused.
    Refu,
    /// Information not yet obtained.
    Nobt,
}

impl Ethnicity {
    /// Every code, in Ofsted's order (`a)` to `t)`).
    pub const ALL: [Ethnicity; 20] = [
        Ethnicity::Wbri,
        Ethnicity::Wiri,
        Ethnicity::Woth,
        Ethnicity::Wirt,
        Ethnicity::Wrom,
        Ethnicity::Mwbc,
        Ethnicity::Mwba,
        Ethnicity::Mwas,
        Ethnicity::Moth,
        Ethnicity::Aind,
        Ethnicity::Apkn,
        Ethnicity::Aban,
        Ethnicity::Aoth,
        Ethnicity::Bcrb,
        Ethnicity::Bafr,
        Ethnicity::Both,
        Ethnicity::Chne,
        Ethnicity::Ooth,
        Ethnicity::Refu,
        Ethnicity::Nobt,
    ];

    /// The four-letter code, for example `WBRI`.
    pub fn code(self) -> &'static str {
        match self {
            Ethnicity::Wbri => "WBRI",
            Ethnicity::Wiri => "WIRI",
            Ethnicity::Woth => "WOTH",
            Ethnicity::Wirt => "WIRT",
            Ethnicity::Wrom => "WROM",
            Ethnicity::Mwbc => "MWBC",
            Ethnicity::Mwba => "MWBA",
            Ethnicity::Mwas => "MWAS",
            Ethnicity::Moth => "MOTH",
            Ethnicity::Aind => "AIND",
            Ethnicity::Apkn => "APKN",
            Ethnicity::Aban => "ABAN",
            Ethnicity::Aoth => "AOTH",
            Ethnicity::Bcrb => "BCRB",
            Ethnicity::Bafr => "BAFR",
            Ethnicity::Both => "BOTH",
            Ethnicity::Chne => "CHNE",
            Ethnicity::Ooth => "OOTH",
            Ethnicity::Refu => "REFU",
            Ethnicity::Nobt => "NOBT",
        }
    }

    /// The code from its four letters (any case).
    pub fn from_code(code: &str) -> Option<Ethnicity> {
        Ethnicity::ALL.into_iter().find(|e| e.code().eq_ignore_ascii_case(code.trim()))
    }

    /// Ofsted's Annex A spelling, for example `a) WBRI`.
    pub fn annex_a_code(self) -> String {
        let index = Ethnicity::ALL.iter().position(|e| *e == self).unwrap_or(0);
        let letter = char::from(b'a' + u8::try_from(index).unwrap_or(0));
        format!("{letter}) {}", self.code())
    }
}

/// Whether a child has a disability, as Annex A asks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Disability {
    /// Yes.
    Yes,
    /// No.
    No,
    /// Unknown.
    Unknown,
}

/// An earlier child protection plan, kept so that Annex A can count previous plans and a
/// worker can see the child's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PreviousPlan {
    /// The day it started.
    pub registered_on: NaiveDate,
    /// The day it ended.
    pub deregistered_on: NaiveDate,
    /// The categories it started with.
    pub initial_harms: Vec<HarmCategory>,
    /// The categories it ended with.
    pub latest_harms: Vec<HarmCategory>,
    /// Whether it was a pre-birth plan.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub pre_birth: bool,
}

impl Child {
    /// The name to show to staff who may see this record. An unborn child with no name yet is
    /// "Unborn baby" with the family name, if any.
    pub fn display_name(&self) -> String {
        let given = self.given_name.trim();
        let family = self.family_name.trim();
        match (given.is_empty(), family.is_empty()) {
            (false, false) => format!("{given} {family}"),
            (false, true) => given.to_owned(),
            (true, false) => format!("Unborn baby {family}"),
            (true, true) => "Unborn baby".to_owned(),
        }
    }

    /// Whether the child is not yet born: no date of birth is recorded.
    pub fn is_unborn(&self) -> bool {
        self.date_of_birth.is_none()
    }

    /// The child's age in whole years on `today`; `None` while unborn.
    pub fn age_on(&self, today: NaiveDate) -> Option<u32> {
        self.date_of_birth.map(|born| today.years_since(born).unwrap_or(0))
    }

    /// Plain words for the child's age, or their expected date of birth while unborn.
    pub fn age_words(&self, today: NaiveDate) -> String {
        match (self.age_on(today), self.details.expected_date_of_birth) {
            (Some(age), _) => format!("Age {age}"),
            (None, Some(due)) => format!("Unborn, expected {}", due.format("%-d %b %Y")),
            (None, None) => "Unborn".to_owned(),
        }
    }

    /// How many child protection plans the child had before the current one.
    pub fn previous_plan_count(&self) -> usize {
        self.details.previous_plans.len()
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
    /// The categories of harm the plan addresses now (the latest categories).
    pub harms: Vec<HarmCategory>,
    /// The plan's categories over time, whether it is a pre-birth plan, and its initial
    /// conference. Flattened on the wire; empty fields are left out.
    #[serde(flatten)]
    pub details: PlanDetails,
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

/// The parts of a plan kept beside its dates and people: its categories over time, whether it
/// is a pre-birth plan, and the conference and core group dates the central system gave.
///
/// **Wire format:** flattened into [`ProtectionPlan`]. Add fields only, with `#[serde(default)]`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PlanDetails {
    /// The plan's categories over time, oldest first, each with the day it applied from. Empty
    /// for plans whose categories never changed (or were stored before changes were kept): the
    /// initial categories are then [`ProtectionPlan::harms`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub category_history: Vec<CategoryChange>,
    /// A pre-birth plan, made before the child was born.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub pre_birth: bool,
    /// The initial child protection conference (ICPC) that made the plan. The plan's timeline
    /// (core groups, review conferences) is tracked from it; `None` when the import did not
    /// carry it, and then the timeline is tracked from the plan's start
    /// ([`ProtectionPlan::timeline_from`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_conference_on: Option<NaiveDate>,
    /// The latest core group meeting the central system knew of before this service recorded
    /// them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_core_group: Option<NaiveDate>,
    /// The latest supervision of the case the central system knew of before this service
    /// recorded them. Without it, a plan that started before go-live is counted from its start
    /// and its supervision escalated at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_supervision: Option<NaiveDate>,
}

/// A plan's categories from a given day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CategoryChange {
    /// The day these categories applied from.
    pub from: NaiveDate,
    /// The categories.
    pub harms: Vec<HarmCategory>,
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

    /// The day the plan's timeline is counted from: its initial conference (ICPC), or, when no
    /// ICPC date is recorded, the day the plan started. A plan is made at its initial (or
    /// transfer-in) conference, so the two are the same day unless the records differ, and a
    /// plan whose conference date was not imported still has its core groups and reviews
    /// tracked and escalated rather than silently not at all.
    pub fn timeline_from(&self) -> NaiveDate {
        self.details.initial_conference_on.unwrap_or(self.registered_on)
    }

    /// The categories the plan started with (more than one is "multiple").
    pub fn initial_harms(&self) -> &[HarmCategory] {
        self.details.category_history.first().map_or(self.harms.as_slice(), |c| c.harms.as_slice())
    }

    /// The categories the plan has now.
    pub fn latest_harms(&self) -> &[HarmCategory] {
        &self.harms
    }

    /// The plan as an earlier plan, once it has ended (`None` while it has not).
    pub fn as_previous(&self) -> Option<PreviousPlan> {
        Some(PreviousPlan {
            registered_on: self.registered_on,
            deregistered_on: self.deregistered_on?,
            initial_harms: self.initial_harms().to_vec(),
            latest_harms: self.harms.clone(),
            pre_birth: self.details.pre_birth,
        })
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
