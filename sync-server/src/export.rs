//! Write-back: the visits export for the central case management system.
//!
//! The export lists every visit revision (first submissions, amendments and voids, each on its
//! own row) that the central system has not acknowledged. The central system takes them in and
//! acknowledges them by visit id and revision; acknowledged revisions are never listed again,
//! so each is written back exactly once. Revisions of visits to children unknown centrally wait
//! in the review queue and are not exported: the central system has nowhere to put them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use shared::{InterpretedPerson, Seen, SeenAlone, Visit, VisitId};

use crate::csv_out::SafeCsv;
use crate::store::{Store, StoreResult, StoredVisit};

/// One visit revision for the central system.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ExportedVisit {
    /// The visit.
    pub visit_id: VisitId,
    /// The revision.
    pub revision: u32,
    /// The central system's id for the child.
    pub child_central_id: String,
    /// The worker's username.
    pub worker_username: Option<String>,
    /// Whether the worker was on duty cover.
    pub on_cover: bool,
    /// When the server received it.
    pub received_at: DateTime<Utc>,
    /// Why it is held for review, if it is (it is exported all the same: the child is known).
    pub needs_review: Option<String>,
    /// Where a held revision stands: waiting for a manager, accepted, linked to another child
    /// (it counts for nothing for this one) or entered in error. Absent when never held.
    #[serde(default)]
    pub review_state: Option<shared::sync::ReviewState>,
    /// The revision itself.
    pub visit: Visit,
}

/// A revision acknowledged as written back.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevisionRef {
    /// The visit.
    pub visit_id: VisitId,
    /// The revision.
    #[schema(minimum = 1, maximum = 2147483647)]
    pub revision: u32,
}

/// The most revisions one acknowledgement may name: the most one export page lists.
pub const MAX_ACK_REVISIONS: usize = 10_000;

/// The central system's acknowledgement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExportAck {
    /// The revisions written back (at most [`MAX_ACK_REVISIONS`]).
    #[schema(max_items = 10000)]
    pub revisions: Vec<RevisionRef>,
}

/// What an acknowledgement did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AckReport {
    /// Newly marked written back.
    pub acknowledged: usize,
    /// Already marked before (a repeated acknowledgement changes nothing).
    pub already: usize,
    /// Revisions the server does not hold (not marked).
    pub unknown: Vec<RevisionRef>,
}

/// The revisions waiting to be written back, oldest visit first, at most `limit`.
pub async fn pending(store: &dyn Store, limit: usize) -> StoreResult<Vec<ExportedVisit>> {
    let mut out = Vec::new();
    for stored in store.all_visits().await? {
        if out.len() >= limit {
            break;
        }
        let review_state = store.review_state(&stored).await?;
        let StoredVisit { visit, received_at, needs_review, on_cover, .. } = stored;
        if store.is_exported(visit.id, visit.revision).await? {
            continue;
        }
        let Some(child) = store.child(visit.child_id).await? else { continue };
        let worker_username = store.account(visit.worker_id).await?.map(|a| a.username);
        out.push(ExportedVisit {
            visit_id: visit.id,
            revision: visit.revision,
            child_central_id: child.central_id,
            worker_username,
            on_cover,
            received_at,
            needs_review,
            review_state,
            visit,
        });
    }
    Ok(out)
}

/// The CSV columns of the export.
pub const CSV_COLUMNS: [&str; 29] = [
    "visit_id",
    "revision",
    "amends",
    "status",
    "amendment_reason",
    "child_central_id",
    "child_id",
    "worker_id",
    "worker_username",
    "capacity",
    "on_cover",
    "started_at",
    "ended_at",
    "location",
    "kind",
    "announced",
    "child_seen",
    "not_seen_reason",
    "seen_alone",
    "not_seen_alone_reason",
    "child_words",
    "child_views",
    "observations",
    "concerns",
    "interpreters",
    "plan_actions",
    "purpose",
    "received_at",
    "review_state",
];

/// The export's word for a review state: empty when never held.
pub fn review_state_name(state: Option<&shared::sync::ReviewState>) -> &'static str {
    use shared::sync::ReviewState;
    match state {
        None => "",
        Some(ReviewState::Waiting { .. }) => "waiting",
        Some(ReviewState::Accepted) => "accepted",
        Some(ReviewState::Linked) => "linked",
        Some(ReviewState::EnteredInError) => "entered_in_error",
    }
}

fn json_name<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

/// The export as CSV, one row per revision. The child's words are kept verbatim, one quote per
/// line within the cell; a cell that a spreadsheet would run as a formula is neutralised
/// ([`crate::csv_out`]).
pub fn to_csv(rows: &[ExportedVisit]) -> Result<Vec<u8>, csv::Error> {
    let mut writer = SafeCsv::new();
    writer.row(CSV_COLUMNS)?;
    for row in rows {
        let v = &row.visit;
        let (seen, not_seen_reason) = match &v.seen {
            Seen::Yes => ("yes", String::new()),
            Seen::No { reason } => ("no", reason.clone()),
        };
        let (alone, not_alone_reason) = match &v.seen_alone {
            None => ("", String::new()),
            Some(SeenAlone::Yes) => ("yes", String::new()),
            Some(SeenAlone::No { reason, present, manager_agreed }) => (
                "no",
                format!(
                    "{reason} (present: {}; manager agreed: {})",
                    present.join(", "),
                    if *manager_agreed { "yes" } else { "no" }
                ),
            ),
        };
        let interpreters: Vec<String> = v
            .interpreters
            .iter()
            .map(|i| {
                let who = match &i.person {
                    InterpretedPerson::Child => "child".to_owned(),
                    InterpretedPerson::Carer { carer_id } => format!("carer {carer_id}"),
                };
                let used = match &i.used {
                    Some(used) => serde_json::to_value(used)
                        .ok()
                        .and_then(|u| u.get("kind").and_then(|k| k.as_str()).map(str::to_owned))
                        .unwrap_or_default(),
                    None => "none".to_owned(),
                };
                format!(
                    "{who}: needed={} language={} used={used}",
                    i.needed,
                    i.language.clone().unwrap_or_default()
                )
            })
            .collect();
        let words: Vec<&str> = v.child_words.iter().map(|q| q.text.as_str()).collect();
        writer.row([
            v.id.to_string(),
            v.revision.to_string(),
            v.amends.map(|a| a.to_string()).unwrap_or_default(),
            json_name(&v.status),
            v.amendment_reason.clone().unwrap_or_default(),
            row.child_central_id.clone(),
            v.child_id.to_string(),
            v.worker_id.to_string(),
            row.worker_username.clone().unwrap_or_default(),
            json_name(&v.capacity),
            row.on_cover.to_string(),
            v.started_at.to_rfc3339(),
            v.ended_at.to_rfc3339(),
            v.location.clone(),
            json_name(&v.kind),
            json_name(&v.announced),
            seen.to_owned(),
            not_seen_reason,
            alone.to_owned(),
            not_alone_reason,
            words.join("\n"),
            v.child_views.clone(),
            v.observations.facts.clone(),
            v.observations.concerns.clone(),
            interpreters.join("; "),
            v.plan_actions.iter().map(|a| a.to_string()).collect::<Vec<_>>().join(";"),
            v.purpose.clone().unwrap_or_default(),
            row.received_at.to_rfc3339(),
            review_state_name(row.review_state.as_ref()).to_owned(),
        ])?;
    }
    writer.into_bytes()
}
