//! One child on the caseload: due state first, then when they were last seen.

use dioxus::prelude::*;

use super::DueBadge;
use super::due_badge::due_look;
use crate::app::model::{CaseSummary, describe_since, format_date};
use crate::routes::Route;

/// A tappable card for one child. `hide_names` shows initials only (used while locked).
#[component]
pub fn CaseCard(case: CaseSummary) -> Element {
    let (class, _) = due_look(case.due.as_ref());
    rsx! {
        Link { class: "card case {class}", to: Route::ChildPage { id: case.child_id },
            div { class: "name", "{case.name}"
                if let Some(ends) = case.cover_ends {
                    span { class: "tag", "Cover until {format_date(Some(ends))}" }
                }
            }
            DueBadge { due: case.due }
            div { class: "facts",
                "Last seen: {format_date(case.last_seen)} ({describe_since(case.working_days_since_seen)})"
            }
            div { class: "facts", "Last seen alone: {format_date(case.last_seen_alone)}" }
            if case.interpreter_needed {
                div { class: "facts", "⚑ Interpreter needed" }
            }
            if case.interpreting_not_considered > 0 {
                div { class: "facts interpreting-not-considered", "⚑ Interpreting not yet considered" }
            }
        }
    }
}
