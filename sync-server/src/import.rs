//! The central case import: the case management system's export, as CSV or JSON.
//!
//! One record per child. The import is **idempotent** (sending the same file twice changes
//! nothing) and **incremental** (children not in the file are left as they are; a child in the
//! file replaces its earlier central record). Identifiers are derived from the central ids, so
//! carers, plan actions, teams and not-yet-imported siblings keep the same ids across imports.
//!
//! A malformed record is reported with its line and field and skipped; the rest are imported
//! in one atomic, durable batch. Nothing already stored is touched by a rejected record.
//!
//! ## Columns (CSV header names; JSON uses the same names)
//!
//! | column | required | format |
//! |---|---|---|
//! | `central_id` | yes | the CMS's "Child Unique ID" |
//! | `given_name`, `family_name` | once born | text; an unborn child may have neither |
//! | `date_of_birth` | once born | `YYYY-MM-DD`; blank for an unborn child |
//! | `expected_date_of_birth` | while unborn | `YYYY-MM-DD`: an unborn child on a pre-birth plan |
//! | `expectant_parent_ref` | no | the `ref` of the carer the pre-birth plan's visits are to |
//! | `ethnicity` | no | a census code such as `WBRI`, `REFU` (refused) or `NOBT` (not yet obtained) |
//! | `disability` | no | `yes`, `no` or `unknown` |
//! | `emergency_protection_dates` | no | `YYYY-MM-DD` dates of emergency protection orders or police protection, separated by `;`, or `none` (JSON: a list) |
//! | `gender` | no | `male`, `female`, `not_stated`, `neither` |
//! | `sibling_central_ids` | no | central ids separated by `;` (JSON: a list) |
//! | `carers` | no | `ref\|name\|relationship` entries separated by `;` (JSON: objects) |
//! | `carer_languages` | no | `ref\|first language\|interpreter language` entries separated by `;`; the interpreter language as for the child (JSON: `first_language`, `interpreter_language` on each carer) |
//! | `child_first_language` | no | text |
//! | `child_interpreter_language` | no | the interpreting decision: a language means an interpreter is needed in it; `none` means considered and not needed; empty means not yet considered (flagged until answered) |
//! | `disability_and_communication` | no | text |
//! | `registered_on` | for a plan | `YYYY-MM-DD`: the child protection plan started (registration) |
//! | `deregistered_on` | no | `YYYY-MM-DD`: the plan ended (de-registration) |
//! | `harms` | for a plan | `neglect`, `emotional`, `physical`, `sexual`, separated by `;`: the plan's latest categories |
//! | `initial_harms` | no | the categories the plan started with, as `harms`, when they have changed since |
//! | `harms_changed_on` | with `initial_harms` | `YYYY-MM-DD`: the day the latest categories applied from |
//! | `pre_birth` | no | `yes` for a pre-birth plan |
//! | `initial_conference_on` | no | `YYYY-MM-DD`: the initial child protection conference; the plan's timeline (core groups, reviews) is tracked from it, or from `registered_on` when it is empty |
//! | `latest_core_group` | no | `YYYY-MM-DD`: the latest core group the central system knew of |
//! | `latest_supervision` | no | `YYYY-MM-DD`: the latest supervision of the case the central system knew of; without it a plan is counted from its start, and supervision overdue is escalated at once |
//! | `previous_plans` | no | earlier plans, `start\|end\|initial harms\|latest harms` with harms joined by `+`, separated by `;` (JSON: objects with `registered_on`, `deregistered_on`, `initial_harms`, `latest_harms`, `pre_birth`) |
//! | `visit_frequency_working_days` | no | 1 to 60, default 10 |
//! | `actions` | no | `ref\|description` entries separated by `;` (JSON: objects) |
//! | `latest_review_conference` | no | `YYYY-MM-DD` |
//! | `last_seen_on` | no | `YYYY-MM-DD`: the central system's last statutory visit in which the child was seen (go-live: the schedule counts from it until a visit here is later) |
//! | `last_seen_alone_on` | no | `YYYY-MM-DD`: the central system's last visit in which the child was seen alone |
//! | `key_worker_username` | for a plan | the key worker's username; an unknown one is created as a worker who cannot sign in until an administrator sets a password |
//! | `key_worker_name` | no | the key worker's name, for a new worker |
//! | `team_code` | for a plan | the team's code in the CMS |
//! | `team_name` | no | the team's name |

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use shared::child::{CarerLanguageNeed, Gender};
use shared::{
    Carer, CarerId, Child, ChildId, CommunicationNeeds, HarmCategory, LanguageNeed, PlanAction, PlanActionId,
    ProtectionPlan, Role, Team, TeamId, Worker, WorkerId,
};
use uuid::Uuid;

use crate::limits::{
    MAX_IMPORT_COLUMNS, MAX_IMPORT_RECORDS, MAX_QUOTED_CHARS, MAX_REPORTED_PROBLEMS, quoted,
};
use crate::store::{Account, ChildSource};

/// The CSV columns, in the order the export writes them.
pub const COLUMNS: [&str; 35] = [
    "central_id",
    "given_name",
    "family_name",
    "date_of_birth",
    "expected_date_of_birth",
    "expectant_parent_ref",
    "ethnicity",
    "disability",
    "emergency_protection_dates",
    "gender",
    "sibling_central_ids",
    "carers",
    "carer_languages",
    "child_first_language",
    "child_interpreter_language",
    "disability_and_communication",
    "registered_on",
    "deregistered_on",
    "harms",
    "initial_harms",
    "harms_changed_on",
    "pre_birth",
    "initial_conference_on",
    "latest_core_group",
    "latest_supervision",
    "previous_plans",
    "visit_frequency_working_days",
    "actions",
    "latest_review_conference",
    "last_seen_on",
    "last_seen_alone_on",
    "key_worker_username",
    "key_worker_name",
    "team_code",
    "team_name",
];

const REQUIRED: [&str; 1] = ["central_id"];

/// One problem with one record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ImportProblem {
    /// The CSV line (the header is line 1), or the JSON record's position from 1.
    pub line: u64,
    /// The record's central id, when it could be read.
    #[serde(default)]
    pub central_id: Option<String>,
    /// The column at fault.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

/// What an import did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ImportReport {
    /// Records read.
    pub records: usize,
    /// Children created.
    pub created: usize,
    /// Children whose central record changed.
    pub updated: usize,
    /// Children sent again unchanged.
    pub unchanged: usize,
    /// Records skipped because of problems.
    pub rejected: usize,
    /// Why each rejected record was skipped, by line and field.
    pub problems: Vec<ImportProblem>,
    /// Things imported but worth a look (for example a sibling not yet in the case list).
    pub warnings: Vec<ImportProblem>,
    /// Problems beyond the first 1,000, counted but not listed.
    #[serde(default)]
    pub problems_not_listed: usize,
    /// Warnings beyond the first 1,000, counted but not listed.
    #[serde(default)]
    pub warnings_not_listed: usize,
}

/// A carer in a JSON record.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CarerRecord {
    /// The CMS's reference for this carer, unique within the child.
    #[serde(rename = "ref")]
    pub reference: String,
    /// Name.
    pub name: String,
    /// Relationship to the child.
    #[serde(default)]
    pub relationship: String,
    /// First language.
    #[serde(default)]
    pub first_language: Option<String>,
    /// Interpreter language, when one is needed.
    #[serde(default)]
    pub interpreter_language: Option<String>,
}

/// A plan action in a JSON record.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionRecord {
    /// The CMS's reference for this action, unique within the child.
    #[serde(rename = "ref")]
    pub reference: String,
    /// What must be done.
    pub description: String,
}

/// An earlier plan in a JSON record.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreviousPlanRecord {
    /// `YYYY-MM-DD`: the day it started.
    pub registered_on: String,
    /// `YYYY-MM-DD`: the day it ended.
    pub deregistered_on: String,
    /// The categories it started with.
    pub initial_harms: Vec<String>,
    /// The categories it ended with; the initial ones when left out.
    #[serde(default)]
    pub latest_harms: Vec<String>,
    /// Whether it was a pre-birth plan.
    #[serde(default)]
    pub pre_birth: bool,
}

/// One child in a JSON import. The fields are the CSV columns; lists are JSON lists.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseRecord {
    /// Child Unique ID.
    pub central_id: String,
    /// Given name; may be blank for an unborn child.
    #[serde(default)]
    pub given_name: String,
    /// Family name; may be blank for an unborn child.
    #[serde(default)]
    pub family_name: String,
    /// `YYYY-MM-DD`; blank for an unborn child.
    #[serde(default)]
    pub date_of_birth: String,
    /// `YYYY-MM-DD`: an unborn child's expected date of birth.
    #[serde(default)]
    pub expected_date_of_birth: Option<String>,
    /// The `ref` of the carer a pre-birth plan's visits are to.
    #[serde(default)]
    pub expectant_parent_ref: Option<String>,
    /// Census ethnicity code, for example `WBRI`.
    #[serde(default)]
    pub ethnicity: Option<String>,
    /// `yes`, `no` or `unknown`.
    #[serde(default)]
    pub disability: Option<String>,
    /// Dates of emergency protection orders or police protection; an empty list means none.
    #[serde(default)]
    pub emergency_protection_dates: Option<Vec<String>>,
    /// The categories the plan started with, when they have changed since.
    #[serde(default)]
    pub initial_harms: Vec<String>,
    /// `YYYY-MM-DD`: the day the latest categories applied from.
    #[serde(default)]
    pub harms_changed_on: Option<String>,
    /// Whether the plan is a pre-birth plan.
    #[serde(default)]
    pub pre_birth: bool,
    /// `YYYY-MM-DD`: the initial child protection conference.
    #[serde(default)]
    pub initial_conference_on: Option<String>,
    /// `YYYY-MM-DD`: the latest core group the central system knew of.
    #[serde(default)]
    pub latest_core_group: Option<String>,
    /// `YYYY-MM-DD`: the latest supervision of the case the central system knew of.
    #[serde(default)]
    pub latest_supervision: Option<String>,
    /// Earlier plans.
    #[serde(default)]
    pub previous_plans: Vec<PreviousPlanRecord>,
    /// Gender.
    #[serde(default)]
    pub gender: Option<String>,
    /// Siblings' central ids.
    #[serde(default)]
    pub sibling_central_ids: Vec<String>,
    /// Carers.
    #[serde(default)]
    pub carers: Vec<CarerRecord>,
    /// The child's first language.
    #[serde(default)]
    pub child_first_language: Option<String>,
    /// The child's interpreter language, when one is needed.
    #[serde(default)]
    pub child_interpreter_language: Option<String>,
    /// Disability and communication needs.
    #[serde(default)]
    pub disability_and_communication: Option<String>,
    /// Plan start.
    #[serde(default)]
    pub registered_on: Option<String>,
    /// Plan end.
    #[serde(default)]
    pub deregistered_on: Option<String>,
    /// Harm categories.
    #[serde(default)]
    pub harms: Vec<String>,
    /// Statutory visit frequency, in working days.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 60)]
    pub visit_frequency_working_days: Option<u32>,
    /// Plan actions.
    #[serde(default)]
    pub actions: Vec<ActionRecord>,
    /// Latest review conference.
    #[serde(default)]
    pub latest_review_conference: Option<String>,
    /// The central system's last statutory visit in which the child was seen (go-live).
    #[serde(default)]
    pub last_seen_on: Option<String>,
    /// The central system's last visit in which the child was seen alone (go-live).
    #[serde(default)]
    pub last_seen_alone_on: Option<String>,
    /// Key worker's username.
    #[serde(default)]
    pub key_worker_username: Option<String>,
    /// Key worker's name.
    #[serde(default)]
    pub key_worker_name: Option<String>,
    /// Team code.
    #[serde(default)]
    pub team_code: Option<String>,
    /// Team name.
    #[serde(default)]
    pub team_name: Option<String>,
}

/// Why an import was refused as a whole (each record's own problems are in the report).
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file cannot be read as a case list; nothing was written.
    #[error("{message}")]
    BadFile {
        /// Plain words.
        message: String,
        /// The fields (columns) at fault.
        fields: Vec<shared::FieldError>,
    },
    /// The store failed; nothing was written.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

impl ImportError {
    fn field(field: &str, message: impl Into<String>) -> ImportError {
        let message = message.into();
        ImportError::BadFile { fields: vec![shared::FieldError::new(field, message.clone())], message }
    }
}

pub use shared::ids::{child_id_for, derived_id, team_id_for, worker_id_for};

fn too_many_records() -> ImportError {
    ImportError::field(
        "body",
        format!("An import may hold at most {MAX_IMPORT_RECORDS} children. Split the file."),
    )
}

impl ImportReport {
    /// Lists a problem, unless [`MAX_REPORTED_PROBLEMS`] are listed already: then it is only
    /// counted in `problems_not_listed`, so that a broken file gets a short answer.
    pub fn problem(&mut self, problem: ImportProblem) {
        if self.problems.len() < MAX_REPORTED_PROBLEMS {
            self.problems.push(problem);
        } else {
            self.problems_not_listed += 1;
        }
    }

    /// Lists a warning, unless [`MAX_REPORTED_PROBLEMS`] are listed already: then it is only
    /// counted in `warnings_not_listed`.
    pub fn warning(&mut self, warning: ImportProblem) {
        if self.warnings.len() < MAX_REPORTED_PROBLEMS {
            self.warnings.push(warning);
        } else {
            self.warnings_not_listed += 1;
        }
    }
}

/// Parses a CSV body into records, reporting rows it cannot read.
pub fn parse_csv(body: &[u8], report: &mut ImportReport) -> Result<Vec<(u64, CaseRecord)>, ImportError> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::All).from_reader(body);
    let headers = reader
        .headers()
        .map_err(|e| ImportError::field("header", format!("The header row cannot be read: {e}")))?
        .clone();
    // The header is read whole before this check, but the body limit bounds it; refusing here
    // keeps a million-column file from costing a million cells a row and a warning a column.
    if headers.len() > MAX_IMPORT_COLUMNS {
        return Err(ImportError::field(
            "header",
            format!(
                "The header row has {} columns; an import may have at most {MAX_IMPORT_COLUMNS}.",
                headers.len()
            ),
        ));
    }
    let index: HashMap<&str, usize> = headers.iter().enumerate().map(|(i, h)| (h, i)).collect();
    let missing: Vec<&str> = REQUIRED.iter().copied().filter(|c| !index.contains_key(c)).collect();
    if !missing.is_empty() {
        return Err(ImportError::BadFile {
            message: "The header row lacks required columns.".into(),
            fields: missing.iter().map(|c| shared::FieldError::new(*c, "This column is required.")).collect(),
        });
    }
    // One warning for all unknown columns, naming the first few: a repeated warning per
    // column says nothing more.
    let unknown: Vec<&str> = headers.iter().filter(|h| !COLUMNS.contains(h)).collect();
    if let Some(first) = unknown.first() {
        let named: Vec<String> = unknown.iter().take(5).map(|h| quoted(h)).collect();
        let more = unknown.len().saturating_sub(named.len());
        report.warning(ImportProblem {
            line: 1,
            central_id: None,
            field: if unknown.len() == 1 {
                (*first).chars().take(MAX_QUOTED_CHARS).collect()
            } else {
                "header".into()
            },
            message: if more > 0 {
                format!("{} unknown columns, ignored: {} and {more} more.", unknown.len(), named.join(", "))
            } else {
                format!(
                    "Unknown column{}, ignored: {}.",
                    if unknown.len() == 1 { "" } else { "s" },
                    named.join(", ")
                )
            },
        });
    }
    let mut records = Vec::new();
    let mut row = csv::StringRecord::new();
    loop {
        let line = reader.position().line() + 1;
        match reader.read_record(&mut row) {
            Ok(false) => break,
            Ok(true) => {
                if records.len() + report.records >= MAX_IMPORT_RECORDS {
                    return Err(too_many_records());
                }
                let line = row.position().map_or(line, |p| p.line());
                if row.len() > headers.len() {
                    report.records += 1;
                    report.rejected += 1;
                    report.problem(ImportProblem {
                        line,
                        central_id: None,
                        field: "row".into(),
                        message: format!(
                            "The row has {} cells but the header has {}.",
                            row.len(),
                            headers.len()
                        ),
                    });
                    continue;
                }
                let cell = |name: &str| -> Option<String> {
                    index.get(name).and_then(|i| row.get(*i)).filter(|v| !v.is_empty()).map(str::to_owned)
                };
                match record_from_cells(&cell) {
                    Ok(record) => records.push((line, record)),
                    Err((field, message)) => {
                        report.records += 1;
                        report.rejected += 1;
                        report.problem(ImportProblem {
                            line,
                            central_id: cell("central_id")
                                .map(|c| c.chars().take(MAX_QUOTED_CHARS).collect()),
                            field,
                            message,
                        });
                    }
                }
            }
            Err(e) => {
                report.records += 1;
                report.rejected += 1;
                let line = e.position().map_or(line, |p| p.line());
                report.problem(ImportProblem {
                    line,
                    central_id: None,
                    field: "row".into(),
                    message: format!("The row cannot be read: {e}"),
                });
                if !matches!(e.kind(), csv::ErrorKind::Utf8 { .. } | csv::ErrorKind::UnequalLengths { .. }) {
                    break;
                }
            }
        }
    }
    Ok(records)
}

fn record_from_cells(cell: &dyn Fn(&str) -> Option<String>) -> Result<CaseRecord, (String, String)> {
    let list = |name: &str| -> Vec<String> {
        cell(name)
            .map(|v| v.split(';').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect())
            .unwrap_or_default()
    };
    let parts = |name: &str, entry: &str, n: usize, shape: &str| -> Result<Vec<String>, (String, String)> {
        let parts: Vec<String> = entry.split('|').map(|s| s.trim().to_owned()).collect();
        if parts.len() != n || parts[0].is_empty() {
            return Err((name.to_owned(), format!("Each entry must be {shape}; found {}.", quoted(entry))));
        }
        Ok(parts)
    };
    let mut carers = Vec::new();
    for entry in list("carers") {
        let p = parts("carers", &entry, 3, "ref|name|relationship")?;
        carers.push(CarerRecord {
            reference: p[0].clone(),
            name: p[1].clone(),
            relationship: p[2].clone(),
            ..CarerRecord::default()
        });
    }
    for entry in list("carer_languages") {
        let p = parts("carer_languages", &entry, 3, "ref|first language|interpreter language")?;
        let Some(carer) = carers.iter_mut().find(|c| c.reference == p[0]) else {
            return Err((
                "carer_languages".into(),
                format!("No carer with ref {} in the carers column.", quoted(&p[0])),
            ));
        };
        carer.first_language = Some(p[1].clone()).filter(|s| !s.is_empty());
        carer.interpreter_language = Some(p[2].clone()).filter(|s| !s.is_empty());
    }
    let mut actions = Vec::new();
    for entry in list("actions") {
        let p: Vec<String> = entry.splitn(2, '|').map(|s| s.trim().to_owned()).collect();
        if p.len() != 2 || p[0].is_empty() || p[1].is_empty() {
            return Err((
                "actions".into(),
                format!("Each entry must be ref|description; found {}.", quoted(&entry)),
            ));
        }
        actions.push(ActionRecord { reference: p[0].clone(), description: p[1].clone() });
    }
    let frequency = match cell("visit_frequency_working_days") {
        Some(v) => Some(v.parse::<u32>().map_err(|_| {
            (
                "visit_frequency_working_days".to_owned(),
                format!("Expected a whole number of working days; found {}.", quoted(&v)),
            )
        })?),
        None => None,
    };
    let mut previous_plans = Vec::new();
    for entry in list("previous_plans") {
        let p = parts("previous_plans", &entry, 4, "start|end|initial harms|latest harms")?;
        let harms = |v: &str| -> Vec<String> {
            v.split('+').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect()
        };
        previous_plans.push(PreviousPlanRecord {
            registered_on: p[0].clone(),
            deregistered_on: p[1].clone(),
            initial_harms: harms(&p[2]),
            latest_harms: harms(&p[3]),
            pre_birth: false,
        });
    }
    let yes = |name: &str| -> Result<bool, (String, String)> {
        match cell(name).map(|v| v.to_lowercase()).as_deref() {
            None | Some("no" | "n" | "false") => Ok(false),
            Some("yes" | "y" | "true") => Ok(true),
            Some(other) => Err((name.to_owned(), format!("Expected yes or no; found {}.", quoted(other)))),
        }
    };
    let emergency_protection_dates = cell("emergency_protection_dates").map(|v| {
        if v.trim().eq_ignore_ascii_case("none") {
            Vec::new()
        } else {
            v.split(';').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect()
        }
    });
    Ok(CaseRecord {
        expected_date_of_birth: cell("expected_date_of_birth"),
        expectant_parent_ref: cell("expectant_parent_ref"),
        ethnicity: cell("ethnicity"),
        disability: cell("disability"),
        emergency_protection_dates,
        initial_harms: list("initial_harms"),
        harms_changed_on: cell("harms_changed_on"),
        pre_birth: yes("pre_birth")?,
        initial_conference_on: cell("initial_conference_on"),
        latest_core_group: cell("latest_core_group"),
        latest_supervision: cell("latest_supervision"),
        previous_plans,
        central_id: cell("central_id").unwrap_or_default(),
        given_name: cell("given_name").unwrap_or_default(),
        family_name: cell("family_name").unwrap_or_default(),
        date_of_birth: cell("date_of_birth").unwrap_or_default(),
        gender: cell("gender"),
        sibling_central_ids: list("sibling_central_ids"),
        carers,
        child_first_language: cell("child_first_language"),
        child_interpreter_language: cell("child_interpreter_language"),
        disability_and_communication: cell("disability_and_communication"),
        registered_on: cell("registered_on"),
        deregistered_on: cell("deregistered_on"),
        harms: list("harms"),
        visit_frequency_working_days: frequency,
        actions,
        latest_review_conference: cell("latest_review_conference"),
        last_seen_on: cell("last_seen_on"),
        last_seen_alone_on: cell("last_seen_alone_on"),
        key_worker_username: cell("key_worker_username"),
        key_worker_name: cell("key_worker_name"),
        team_code: cell("team_code"),
        team_name: cell("team_name"),
    })
}

/// Parses a JSON body (a list of records, or `{"children": [...]}`), reporting each record that
/// does not fit with its position and field.
pub fn parse_json(body: &[u8], report: &mut ImportReport) -> Result<Vec<(u64, CaseRecord)>, ImportError> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Body {
        List(Vec<serde_json::Value>),
        Wrapped { children: Vec<serde_json::Value> },
    }
    let body: Body = crate::extract::parse_json_naming_field(body)
        .map_err(|(field, message)| ImportError::field(&field, message))?;
    let values = match body {
        Body::List(values) | Body::Wrapped { children: values } => values,
    };
    if values.len() > MAX_IMPORT_RECORDS {
        return Err(too_many_records());
    }
    let mut records = Vec::with_capacity(values.len());
    for (i, value) in values.into_iter().enumerate() {
        let line = i as u64 + 1;
        let central_id = value
            .get("central_id")
            .and_then(|v| v.as_str())
            .map(|c| c.chars().take(MAX_QUOTED_CHARS).collect());
        match serde_path_to_error::deserialize::<_, CaseRecord>(value) {
            Ok(record) => records.push((line, record)),
            Err(e) => {
                report.records += 1;
                report.rejected += 1;
                let path = e.path().to_string();
                report.problem(ImportProblem {
                    line,
                    central_id,
                    field: if path == "." { "record".into() } else { path },
                    message: e.inner().to_string().chars().take(4 * MAX_QUOTED_CHARS).collect(),
                });
            }
        }
    }
    Ok(records)
}

/// A record checked and turned into the child it describes.
struct Checked {
    child: Child,
    key_worker: Option<(String, Option<String>)>,
    team: Option<(String, Option<String>)>,
}

/// The earliest date a central record may carry (the oldest child's birth).
pub const EARLIEST_IMPORT_DATE: (i32, u32, u32) = (1990, 1, 1);

/// A `YYYY-MM-DD` date, between [`EARLIEST_IMPORT_DATE`] and two years after `today`: a plan
/// registered in 0202 or ending in 9999 is a typing slip in the CMS, not a plan.
fn date(field: &str, value: &str, today: NaiveDate) -> Result<NaiveDate, ImportProblemBuilder> {
    let parsed = NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| {
        ImportProblemBuilder::new(field, format!("Expected a date as YYYY-MM-DD; found {}.", quoted(value)))
    })?;
    let (y, m, d) = EARLIEST_IMPORT_DATE;
    let earliest = NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN);
    let latest = today + chrono::Duration::days(shared::limits::MAX_DAYS_FROM_TODAY);
    if parsed < earliest || parsed > latest {
        return Err(ImportProblemBuilder::new(
            field,
            format!("Check the date {value}: it must be between {earliest} and {latest}."),
        ));
    }
    Ok(parsed)
}

struct ImportProblemBuilder {
    field: String,
    message: String,
}

impl ImportProblemBuilder {
    fn new(field: &str, message: impl Into<String>) -> Self {
        ImportProblemBuilder { field: field.to_owned(), message: message.into() }
    }
}

/// The most carers, plan actions, siblings and harm categories one record may list.
pub const MAX_CARERS: usize = 50;
/// See [`MAX_CARERS`].
pub const MAX_ACTIONS: usize = 100;
/// See [`MAX_CARERS`].
pub const MAX_SIBLINGS: usize = 50;
/// See [`MAX_CARERS`].
pub const MAX_HARMS: usize = 10;
/// See [`MAX_CARERS`]: earlier plans and emergency protection dates on one record.
pub const MAX_PREVIOUS_PLANS: usize = 50;

/// Checks every list and free-text field of a record against its bound (`shared::limits`).
fn check_sizes(record: &CaseRecord) -> Result<(), Vec<ImportProblemBuilder>> {
    use shared::limits::{MAX_REASON_CHARS, MAX_SHORT_TEXT_CHARS, check_count, check_text};
    let mut errors = shared::ValidationErrors::default();
    // Each earlier plan's lists too: a record is bounded all through, not only at the top.
    let earlier_lists_ok =
        record.previous_plans.iter().take(MAX_PREVIOUS_PLANS).enumerate().all(|(i, plan)| {
            let initial = format!("previous_plans[{i}].initial_harms");
            let latest = format!("previous_plans[{i}].latest_harms");
            let initial_ok = check_count(&mut errors, &initial, plan.initial_harms.len(), MAX_HARMS);
            check_count(&mut errors, &latest, plan.latest_harms.len(), MAX_HARMS) && initial_ok
        });
    let top_lists_ok = [
        check_count(&mut errors, "carers", record.carers.len(), MAX_CARERS),
        check_count(&mut errors, "actions", record.actions.len(), MAX_ACTIONS),
        check_count(&mut errors, "sibling_central_ids", record.sibling_central_ids.len(), MAX_SIBLINGS),
        check_count(&mut errors, "harms", record.harms.len(), MAX_HARMS),
        check_count(&mut errors, "initial_harms", record.initial_harms.len(), MAX_HARMS),
        check_count(&mut errors, "previous_plans", record.previous_plans.len(), MAX_PREVIOUS_PLANS),
        check_count(
            &mut errors,
            "emergency_protection_dates",
            record.emergency_protection_dates.as_ref().map_or(0, Vec::len),
            MAX_PREVIOUS_PLANS,
        ),
    ]
    .iter()
    .all(|ok| *ok);
    let lists_ok = earlier_lists_ok && top_lists_ok;
    if lists_ok {
        let short = [
            ("child_first_language", record.child_first_language.as_deref()),
            ("child_interpreter_language", record.child_interpreter_language.as_deref()),
            ("registered_on", record.registered_on.as_deref()),
            ("expected_date_of_birth", record.expected_date_of_birth.as_deref()),
            ("expectant_parent_ref", record.expectant_parent_ref.as_deref()),
            ("ethnicity", record.ethnicity.as_deref()),
            ("disability", record.disability.as_deref()),
            ("harms_changed_on", record.harms_changed_on.as_deref()),
            ("initial_conference_on", record.initial_conference_on.as_deref()),
            ("latest_core_group", record.latest_core_group.as_deref()),
            ("latest_supervision", record.latest_supervision.as_deref()),
            ("deregistered_on", record.deregistered_on.as_deref()),
            ("latest_review_conference", record.latest_review_conference.as_deref()),
            ("key_worker_username", record.key_worker_username.as_deref()),
            ("key_worker_name", record.key_worker_name.as_deref()),
            ("team_code", record.team_code.as_deref()),
            ("team_name", record.team_name.as_deref()),
            ("gender", record.gender.as_deref()),
        ];
        for (field, value) in short {
            check_text(&mut errors, field, value.unwrap_or(""), MAX_SHORT_TEXT_CHARS);
        }
        let disability = record.disability_and_communication.as_deref().unwrap_or("");
        check_text(&mut errors, "disability_and_communication", disability, MAX_REASON_CHARS);
        for (i, carer) in record.carers.iter().enumerate() {
            for (name, value) in [
                ("ref", carer.reference.as_str()),
                ("name", carer.name.as_str()),
                ("relationship", carer.relationship.as_str()),
                ("first_language", carer.first_language.as_deref().unwrap_or("")),
                ("interpreter_language", carer.interpreter_language.as_deref().unwrap_or("")),
            ] {
                check_text(&mut errors, &format!("carers[{i}].{name}"), value, MAX_SHORT_TEXT_CHARS);
            }
        }
        for (i, action) in record.actions.iter().enumerate() {
            check_text(&mut errors, &format!("actions[{i}].ref"), &action.reference, MAX_SHORT_TEXT_CHARS);
            check_text(
                &mut errors,
                &format!("actions[{i}].description"),
                &action.description,
                MAX_REASON_CHARS,
            );
        }
        for (i, sibling) in record.sibling_central_ids.iter().enumerate() {
            check_text(&mut errors, &format!("sibling_central_ids[{i}]"), sibling, MAX_SHORT_TEXT_CHARS);
        }
        for (i, harm) in record.harms.iter().enumerate() {
            check_text(&mut errors, &format!("harms[{i}]"), harm, MAX_SHORT_TEXT_CHARS);
        }
        for (i, harm) in record.initial_harms.iter().enumerate() {
            check_text(&mut errors, &format!("initial_harms[{i}]"), harm, MAX_SHORT_TEXT_CHARS);
        }
        for (i, plan) in record.previous_plans.iter().enumerate() {
            let dates = [("registered_on", &plan.registered_on), ("deregistered_on", &plan.deregistered_on)];
            for (name, value) in dates {
                check_text(&mut errors, &format!("previous_plans[{i}].{name}"), value, MAX_SHORT_TEXT_CHARS);
            }
            let harms = [("initial_harms", &plan.initial_harms), ("latest_harms", &plan.latest_harms)];
            for (name, list) in harms {
                for (j, harm) in list.iter().enumerate() {
                    let field = format!("previous_plans[{i}].{name}[{j}]");
                    check_text(&mut errors, &field, harm, MAX_SHORT_TEXT_CHARS);
                }
            }
        }
    }
    errors.into_result().map_err(|errors| {
        errors.0.into_iter().map(|e| ImportProblemBuilder { field: e.field, message: e.message }).collect()
    })
}

fn check(record: &CaseRecord, today: NaiveDate, id: ChildId) -> Result<Checked, Vec<ImportProblemBuilder>> {
    let mut problems = Vec::new();
    let text = |field: &str, value: &str, problems: &mut Vec<ImportProblemBuilder>| {
        if value.trim().is_empty() {
            problems.push(ImportProblemBuilder::new(field, "Required."));
        } else if value.len() > 200 || value.chars().any(char::is_control) {
            problems.push(ImportProblemBuilder::new(field, "Too long, or holds control characters."));
        }
    };
    // A record this large is refused on its sizes alone: its other problems would only
    // lengthen the report.
    check_sizes(record)?;
    text("central_id", &record.central_id, &mut problems);
    // An unborn child needs no name or date of birth, only an expected date of birth.
    let unborn = record.date_of_birth.trim().is_empty();
    let expected_date_of_birth = match record.expected_date_of_birth.as_deref() {
        Some(d) => date("expected_date_of_birth", d, today).map_err(|p| problems.push(p)).ok(),
        None => None,
    };
    if unborn {
        if record.expected_date_of_birth.is_none() {
            problems.push(ImportProblemBuilder::new(
                "date_of_birth",
                "Required, unless the child is unborn and expected_date_of_birth is given.",
            ));
        }
        for (field, value) in [("given_name", &record.given_name), ("family_name", &record.family_name)] {
            if !value.trim().is_empty() {
                text(field, value, &mut problems);
            }
        }
    } else {
        text("given_name", &record.given_name, &mut problems);
        text("family_name", &record.family_name, &mut problems);
    }
    let date_of_birth = match (!unborn)
        .then(|| date("date_of_birth", &record.date_of_birth, today))
        .transpose()
    {
        Ok(None) => None,
        Ok(Some(d)) if d > today => {
            problems.push(ImportProblemBuilder::new("date_of_birth", "The date of birth is in the future."));
            None
        }
        Ok(Some(d)) if d.year_ce().1 < 1990 => {
            problems.push(ImportProblemBuilder::new("date_of_birth", "The date of birth is before 1990."));
            None
        }
        Ok(Some(d)) => Some(d),
        Err(p) => {
            problems.push(p);
            None
        }
    };
    let gender = match record.gender.as_deref().map(str::to_lowercase).as_deref() {
        None | Some("") => None,
        Some("male" | "m") => Some(Gender::Male),
        Some("female" | "f") => Some(Gender::Female),
        Some("not_stated" | "not stated" | "u") => Some(Gender::NotStated),
        Some("neither") => Some(Gender::Neither),
        Some(other) => {
            problems.push(ImportProblemBuilder::new(
                "gender",
                format!("Unknown gender {}: use male, female, not_stated or neither.", quoted(other)),
            ));
            None
        }
    };
    let mut carers = Vec::new();
    let mut carer_needs = Vec::new();
    let mut refs = HashSet::new();
    for (i, carer) in record.carers.iter().enumerate() {
        if carer.reference.trim().is_empty() || carer.name.trim().is_empty() {
            problems.push(ImportProblemBuilder::new(
                &format!("carers[{i}]"),
                "Each carer needs a ref and a name.",
            ));
            continue;
        }
        if !refs.insert(carer.reference.clone()) {
            problems.push(ImportProblemBuilder::new(
                &format!("carers[{i}]"),
                format!("Carer ref {} appears twice.", quoted(&carer.reference)),
            ));
            continue;
        }
        let carer_id = CarerId(derived_id("carer", &format!("{}/{}", record.central_id, carer.reference)));
        carers.push(Carer {
            id: carer_id,
            name: carer.name.clone(),
            relationship: carer.relationship.clone(),
        });
        if carer.first_language.is_some() || carer.interpreter_language.is_some() {
            carer_needs.push(CarerLanguageNeed {
                carer_id,
                need: language(carer.first_language.clone(), carer.interpreter_language.clone()),
            });
        }
    }
    let ethnicity = match record.ethnicity.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
        None => None,
        Some(code) => {
            let found = shared::Ethnicity::from_code(code);
            if found.is_none() {
                problems.push(ImportProblemBuilder::new(
                    "ethnicity",
                    format!(
                        "Unknown ethnicity code {}: use a census code such as WBRI, REFU or NOBT.",
                        quoted(code)
                    ),
                ));
            }
            found
        }
    };
    let disability = match record.disability.as_deref().map(|d| d.trim().to_lowercase()).as_deref() {
        None | Some("") => None,
        Some("yes" | "y") => Some(shared::Disability::Yes),
        Some("no" | "n") => Some(shared::Disability::No),
        Some("unknown") => Some(shared::Disability::Unknown),
        Some(other) => {
            problems.push(ImportProblemBuilder::new(
                "disability",
                format!("Unknown answer {}: use yes, no or unknown.", quoted(other)),
            ));
            None
        }
    };
    let emergency_protection = record.emergency_protection_dates.as_ref().map(|dates| {
        let mut out: Vec<NaiveDate> = dates
            .iter()
            .enumerate()
            .filter_map(|(i, d)| {
                date(&format!("emergency_protection_dates[{i}]"), d, today).map_err(|p| problems.push(p)).ok()
            })
            .collect();
        out.sort();
        out
    });
    let expectant_parent =
        match record.expectant_parent_ref.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
            None => None,
            Some(reference) => {
                if !record.carers.iter().any(|c| c.reference == reference) {
                    problems.push(ImportProblemBuilder::new(
                        "expectant_parent_ref",
                        format!("No carer with ref {} on this record.", quoted(reference)),
                    ));
                }
                Some(CarerId(derived_id("carer", &format!("{}/{}", record.central_id, reference))))
            }
        };
    let mut previous_plans = Vec::new();
    for (i, earlier) in record.previous_plans.iter().enumerate() {
        let field = format!("previous_plans[{i}]");
        let start = date(&field, &earlier.registered_on, today).map_err(|p| problems.push(p)).ok();
        let end = date(&field, &earlier.deregistered_on, today).map_err(|p| problems.push(p)).ok();
        let initial = harm_list(&field, &earlier.initial_harms, &mut problems);
        let latest = harm_list(&field, &earlier.latest_harms, &mut problems);
        if let (Some(start), Some(end)) = (start, end) {
            if end < start {
                problems.push(ImportProblemBuilder::new(&field, "The plan ends before it starts."));
            }
            previous_plans.push(shared::PreviousPlan {
                registered_on: start,
                deregistered_on: end,
                latest_harms: if latest.is_empty() { initial.clone() } else { latest },
                initial_harms: initial,
                pre_birth: earlier.pre_birth,
            });
        }
    }
    previous_plans.sort_by_key(|p| p.registered_on);
    let details = shared::CaseDetails {
        expected_date_of_birth,
        expectant_parent,
        ethnicity,
        disability,
        emergency_protection,
        previous_plans,
    };
    let communication = CommunicationNeeds {
        child: language(record.child_first_language.clone(), record.child_interpreter_language.clone()),
        carers: carer_needs,
        disability_and_communication: record
            .disability_and_communication
            .clone()
            .filter(|s| !s.trim().is_empty()),
    };

    let mut plan = None;
    let mut key_worker = None;
    let mut team = None;
    if let Some(registered) = record.registered_on.as_deref() {
        let registered_on = date("registered_on", registered, today).map_err(|p| problems.push(p)).ok();
        let deregistered_on = match record.deregistered_on.as_deref() {
            Some(d) => date("deregistered_on", d, today).map_err(|p| problems.push(p)).ok(),
            None => None,
        };
        if let (Some(start), Some(end)) = (registered_on, deregistered_on)
            && end < start
        {
            problems.push(ImportProblemBuilder::new(
                "deregistered_on",
                "De-registration is before registration.",
            ));
        }
        let latest_review_conference = match record.latest_review_conference.as_deref() {
            Some(d) => date("latest_review_conference", d, today).map_err(|p| problems.push(p)).ok(),
            None => None,
        };
        let mut seen_before = shared::SeenBeforeGoLive::default();
        for (field, value, slot) in [
            ("last_seen_on", record.last_seen_on.as_deref(), &mut seen_before.last_seen),
            ("last_seen_alone_on", record.last_seen_alone_on.as_deref(), &mut seen_before.last_seen_alone),
        ] {
            if let Some(d) = value {
                *slot = match date(field, d, today) {
                    Ok(seen) if seen > today => {
                        problems.push(ImportProblemBuilder::new(
                            field,
                            format!("Check the date {d}: a child cannot have been seen after today."),
                        ));
                        None
                    }
                    Ok(seen) => Some(seen),
                    Err(problem) => {
                        problems.push(problem);
                        None
                    }
                };
            }
        }
        let seen_before_go_live = (seen_before != shared::SeenBeforeGoLive::default()).then_some(seen_before);
        let harms = harm_list("harms", &record.harms, &mut problems);
        if record.harms.is_empty() {
            problems.push(ImportProblemBuilder::new("harms", "A plan needs at least one category of harm."));
        }
        let initial_harms = harm_list("initial_harms", &record.initial_harms, &mut problems);
        let harms_changed_on = match record.harms_changed_on.as_deref() {
            Some(d) => date("harms_changed_on", d, today).map_err(|p| problems.push(p)).ok(),
            None => None,
        };
        let category_history = match (registered_on, initial_harms.is_empty()) {
            (Some(start), false) if initial_harms != harms => {
                let Some(changed) = harms_changed_on else {
                    problems.push(ImportProblemBuilder::new(
                        "harms_changed_on",
                        "Say when the categories changed from the initial ones.",
                    ));
                    return Err(problems);
                };
                if changed < start {
                    problems.push(ImportProblemBuilder::new(
                        "harms_changed_on",
                        "The categories cannot change before the plan started.",
                    ));
                }
                vec![
                    shared::CategoryChange { from: start, harms: initial_harms },
                    shared::CategoryChange { from: changed, harms: harms.clone() },
                ]
            }
            _ => Vec::new(),
        };
        let mut plan_date = |field: &str, value: Option<&str>| match value {
            Some(d) => match date(field, d, today) {
                Ok(d) if d > today => {
                    problems.push(ImportProblemBuilder::new(field, "This date is after today."));
                    None
                }
                Ok(d) => Some(d),
                Err(p) => {
                    problems.push(p);
                    None
                }
            },
            None => None,
        };
        let initial_conference_on =
            plan_date("initial_conference_on", record.initial_conference_on.as_deref());
        let latest_core_group = plan_date("latest_core_group", record.latest_core_group.as_deref());
        let latest_supervision = plan_date("latest_supervision", record.latest_supervision.as_deref());
        let plan_details = shared::PlanDetails {
            category_history,
            pre_birth: record.pre_birth,
            initial_conference_on,
            latest_core_group,
            latest_supervision,
        };
        let frequency =
            record.visit_frequency_working_days.unwrap_or(ProtectionPlan::DEFAULT_FREQUENCY_WORKING_DAYS);
        if !(1..=60).contains(&frequency) {
            problems.push(ImportProblemBuilder::new(
                "visit_frequency_working_days",
                "Must be between 1 and 60 working days.",
            ));
        }
        let mut action_refs = HashSet::new();
        let mut actions = Vec::new();
        for (i, action) in record.actions.iter().enumerate() {
            if action.reference.trim().is_empty() || action.description.trim().is_empty() {
                problems.push(ImportProblemBuilder::new(
                    &format!("actions[{i}]"),
                    "Each action needs a ref and a description.",
                ));
            } else if !action_refs.insert(action.reference.clone()) {
                problems.push(ImportProblemBuilder::new(
                    &format!("actions[{i}]"),
                    format!("Action ref {} appears twice.", quoted(&action.reference)),
                ));
            } else {
                actions.push(PlanAction {
                    id: PlanActionId(derived_id(
                        "action",
                        &format!("{}/{}", record.central_id, action.reference),
                    )),
                    description: action.description.clone(),
                });
            }
        }
        let username = record.key_worker_username.clone().filter(|s| !s.trim().is_empty());
        if username.is_none() {
            problems.push(ImportProblemBuilder::new("key_worker_username", "A plan needs a key worker."));
        }
        let team_code = record.team_code.clone().filter(|s| !s.trim().is_empty());
        if team_code.is_none() {
            problems.push(ImportProblemBuilder::new("team_code", "A plan needs a team."));
        }
        if let (Some(registered_on), Some(username), Some(code)) = (registered_on, username, team_code) {
            plan = Some(ProtectionPlan {
                details: plan_details,
                registered_on,
                deregistered_on,
                harms,
                visit_frequency_working_days: frequency,
                key_worker: WorkerId(Uuid::nil()),
                team: team_id_for(&code),
                actions,
                latest_review_conference,
                seen_before_go_live,
            });
            key_worker = Some((username, record.key_worker_name.clone()));
            team = Some((code, record.team_name.clone()));
        }
    } else if record.deregistered_on.is_some() || !record.harms.is_empty() || !record.actions.is_empty() {
        problems.push(ImportProblemBuilder::new(
            "registered_on",
            "A plan's details were given without its registration date.",
        ));
    }

    if !problems.is_empty() {
        return Err(problems);
    }
    if date_of_birth.is_none() && expected_date_of_birth.is_none() {
        return Err(problems);
    }
    Ok(Checked {
        child: Child {
            id,
            central_id: record.central_id.trim().to_owned(),
            given_name: record.given_name.trim().to_owned(),
            family_name: record.family_name.trim().to_owned(),
            date_of_birth,
            details,
            gender,
            sibling_ids: Vec::new(),
            carers,
            plan,
            communication,
            reallocation: None,
            safety_warnings: vec![],
        },
        key_worker,
        team,
    })
}

/// Keeps the plans `existing` held that the imported `child` no longer carries: its ended plan
/// (when the import brings a plan with another start date) and its earlier plans.
fn carry_earlier_plans(existing: &Child, child: &mut Child) {
    let current_start = child.plan.as_ref().map(|p| p.registered_on);
    let earlier = existing
        .details
        .previous_plans
        .iter()
        .cloned()
        .chain(existing.plan.as_ref().and_then(|p| p.as_previous()));
    for plan in earlier {
        let known = Some(plan.registered_on) == current_start
            || child.details.previous_plans.iter().any(|p| p.registered_on == plan.registered_on);
        if !known {
            child.details.previous_plans.push(plan);
        }
    }
    child.details.previous_plans.sort_by_key(|p| p.registered_on);
}

/// Categories of harm from their names, naming each unknown one by its place in `field`.
fn harm_list(field: &str, names: &[String], problems: &mut Vec<ImportProblemBuilder>) -> Vec<HarmCategory> {
    let mut harms = Vec::new();
    for (i, harm) in names.iter().enumerate() {
        match harm.trim().to_lowercase().as_str() {
            "neglect" => harms.push(HarmCategory::Neglect),
            "emotional" | "emotional abuse" => harms.push(HarmCategory::Emotional),
            "physical" | "physical abuse" => harms.push(HarmCategory::Physical),
            "sexual" | "sexual abuse" => harms.push(HarmCategory::Sexual),
            other => problems.push(ImportProblemBuilder::new(
                &format!("{field}[{i}]"),
                format!("Unknown category {}: use neglect, emotional, physical or sexual.", quoted(other)),
            )),
        }
    }
    harms
}

/// A person's language needs from the central record. The interpreter language says the
/// decision: empty means nobody has considered it yet; `none` (or `not needed`) means considered
/// and not needed; anything else is the language an interpreter must speak.
fn language(first: Option<String>, interpreter: Option<String>) -> LanguageNeed {
    let first = first.filter(|s| !s.trim().is_empty());
    match interpreter.as_deref().map(|s| s.trim().to_lowercase()).as_deref() {
        None | Some("") => LanguageNeed { first_language: first, ..LanguageNeed::default() },
        Some("none" | "not needed" | "not_needed") => LanguageNeed::no_interpreter_needed(first),
        Some(_) => LanguageNeed::interpreter_needed_in(first, interpreter.unwrap_or_default().trim()),
    }
}

use crate::store::prelude::*;
use chrono::Datelike;

/// Imports parsed records: checks each, then writes every good one in one atomic, durable
/// batch with the teams and placeholder workers they need. `today` and `now` are the business
/// clock's (a training service's plan changes are dated on its clock).
pub async fn import(
    store: &dyn Store,
    records: Vec<(u64, CaseRecord)>,
    mut report: ImportReport,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<ImportReport, ImportError> {
    report.records += records.len();
    // The import is one transaction: no other writer runs until it is committed, so what is
    // read here is what the writes go over.
    let mut tx = store.transaction().await?;
    // A large import reads every stored child once, in key order, rather than one by one.
    let bulk = records.len() >= 1000;
    let stored: HashMap<ChildId, Child> = if bulk {
        store.all_children().await?.into_iter().map(|c| (c.id, c)).collect()
    } else {
        HashMap::new()
    };
    let by_central_id: HashMap<&str, ChildId> =
        stored.values().map(|c| (c.central_id.as_str(), c.id)).collect();
    let lookup = async |central_id: &str| -> Result<Option<ChildId>, ImportError> {
        Ok(if bulk {
            by_central_id.get(central_id).copied()
        } else {
            store.child_id_by_central_id(central_id).await?
        })
    };
    let mut seen_lines: HashMap<String, u64> = HashMap::new();
    let mut checked: Vec<(u64, CaseRecord, Checked)> = Vec::with_capacity(records.len());
    for (line, record) in records {
        let central_id = record.central_id.trim().to_owned();
        if let Some(first) = seen_lines.get(&central_id) {
            report.rejected += 1;
            report.problem(ImportProblem {
                line,
                central_id: Some(central_id),
                field: "central_id".into(),
                message: format!("This child appears again; the record on line {first} was used."),
            });
            continue;
        }
        let id = lookup(&central_id).await?.unwrap_or_else(|| child_id_for(&central_id));
        match check(&record, today, id) {
            Ok(ok) => {
                seen_lines.insert(central_id, line);
                checked.push((line, record, ok));
            }
            Err(problems) => {
                report.rejected += 1;
                for p in problems {
                    report.problem(ImportProblem {
                        line,
                        central_id: Some(central_id.clone()),
                        field: p.field,
                        message: p.message,
                    });
                }
            }
        }
    }
    let in_file: HashMap<String, ChildId> =
        checked.iter().map(|(_, r, c)| (r.central_id.trim().to_owned(), c.child.id)).collect();

    let mut teams: HashSet<TeamId> = HashSet::new();
    let mut workers: HashMap<String, WorkerId> = HashMap::new();
    for (line, record, mut ok) in checked {
        for sibling in &record.sibling_central_ids {
            if sibling == record.central_id.trim() {
                continue;
            }
            let id = match in_file.get(sibling) {
                Some(id) => *id,
                None => match lookup(sibling).await? {
                    Some(existing) => existing,
                    None => {
                        report.warning(ImportProblem {
                            line,
                            central_id: Some(record.central_id.clone()),
                            field: "sibling_central_ids".into(),
                            message: format!(
                                "Sibling {} is not in the case list yet; linked for when they arrive.",
                                quoted(sibling)
                            ),
                        });
                        child_id_for(sibling)
                    }
                },
            };
            if !ok.child.sibling_ids.contains(&id) {
                ok.child.sibling_ids.push(id);
            }
        }
        if let (Some(plan), Some((username, name)), Some((code, team_name))) =
            (ok.child.plan.as_mut(), ok.key_worker, ok.team)
        {
            let team_id = plan.team;
            if teams.insert(team_id) {
                let existing = store.team(team_id).await?;
                let name = team_name
                    .or_else(|| existing.as_ref().map(|t| t.name.clone()))
                    .unwrap_or_else(|| code.clone());
                // The import names the team; its manager and routing are kept as configured.
                let team = Team {
                    id: team_id,
                    name,
                    manager: existing.as_ref().and_then(|t| t.manager),
                    routing: existing.as_ref().map(|t| t.routing.clone()).unwrap_or_default(),
                };
                if existing.as_ref() != Some(&team) {
                    tx.put_team(&team).await?;
                }
            }
            let key = username.to_lowercase();
            let worker_id = match workers.get(&key) {
                Some(id) => *id,
                None => {
                    let id = match store.account_by_username(&username).await? {
                        Some(account) => account.worker.id,
                        None => {
                            let worker = Worker {
                                id: worker_id_for(&username),
                                name: name.unwrap_or_else(|| username.clone()),
                                role: Role::SocialWorker,
                                team: Some(team_id),
                            };
                            report.warning(ImportProblem {
                                line,
                                central_id: Some(record.central_id.clone()),
                                field: "key_worker_username".into(),
                                message: format!("New worker {} added; they cannot sign in until an administrator sets a password.", quoted(&username)),
                            });
                            let account = Account {
                                worker,
                                username: username.clone(),
                                password_hash: None,
                                password_changed_at: now,
                                disabled: false,
                            };
                            tx.put_account(&account).await?;
                            account.worker.id
                        }
                    };
                    workers.insert(key, id);
                    id
                }
            };
            plan.key_worker = worker_id;
        }
        // Earlier plans stored here are kept when the central record no longer lists them: a
        // child's ended plan moves into their previous plans when a new one is imported.
        let existing: Option<Child> =
            if bulk { stored.get(&ok.child.id).cloned() } else { store.child(ok.child.id).await? };
        if let Some(existing) = existing {
            carry_earlier_plans(&existing, &mut ok.child);
        }
        let written = tx.put_child(&ok.child, ChildSource::Import, now, today).await?;
        match written {
            None => report.unchanged += 1,
            Some(true) => report.created += 1,
            Some(false) => report.updated += 1,
        }
    }
    tx.commit().await?;
    Ok(report)
}
