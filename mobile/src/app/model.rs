//! What the screens show, worked out from the shared model without any I/O.
//!
//! Due states come from the store's caseload, computed on the device with the shared schedule
//! rules and the Jersey calendar, so that an overdue child shows as overdue even with no signal.

use chrono::NaiveDate;
use shared::schedule::DueState;
use shared::sync::DatedQuote;
use shared::visit::{Seen, current_revisions};
use shared::{ChildId, Visit};

/// One line of the caseload: everything a worker needs to decide who to see first.
#[derive(Clone, Debug, PartialEq)]
pub struct CaseSummary {
    /// The child.
    pub child_id: ChildId,
    /// The name the child is known by, then their family name.
    pub name: String,
    /// Where the child is against their visit schedule; `None` when no plan is in force.
    pub due: Option<DueState>,
    /// The date of the last statutory visit in which the child was seen.
    pub last_seen: Option<NaiveDate>,
    /// Working days since then.
    pub working_days_since_seen: Option<i64>,
    /// The date the child was last seen alone, on any visit that counts.
    pub last_seen_alone: Option<NaiveDate>,
    /// For a child the worker covers for a colleague, the last day of cover.
    pub cover_ends: Option<NaiveDate>,
    /// Whether the child or a carer needs an interpreter.
    pub interpreter_needed: bool,
    /// How many people (the child, parents, carers) have had their need for an interpreter
    /// considered by nobody yet.
    pub interpreting_not_considered: usize,
}

/// The child's words from earlier visits, newest first, each with the date it was said.
pub fn recent_words<'a>(visits: impl IntoIterator<Item = &'a Visit>, limit: usize) -> Vec<DatedQuote> {
    let mut current = current_revisions(visits);
    current.retain(|v| matches!(v.seen, Seen::Yes));
    current.sort_by_key(|v| std::cmp::Reverse(v.started_at));
    current
        .into_iter()
        .flat_map(|v| v.child_words.iter().map(move |q| DatedQuote { date: v.date(), text: q.text.clone() }))
        .take(limit)
        .collect()
}

/// "12/03/2026", or a plain "Never" when there is no date.
pub fn format_date(date: Option<NaiveDate>) -> String {
    date.map(dmy).unwrap_or_else(|| "Never".to_owned())
}

/// A date as British forms write it: `30/11/2026`.
pub fn dmy(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

/// "3 working days ago", "today" or "not yet seen".
pub fn describe_since(days: Option<i64>) -> String {
    match days {
        None => "not seen yet".to_owned(),
        Some(0) => "today".to_owned(),
        Some(1) => "1 working day ago".to_owned(),
        Some(n) => format!("{n} working days ago"),
    }
}
