//! The caseload as a list, most urgent first (the order comes from the model).

use dioxus::prelude::*;
use shared::text::count;

use super::CaseCard;
use crate::app::model::CaseSummary;

/// Counts at the top, then one card per child in the order given.
#[component]
pub fn CaseList(cases: Vec<CaseSummary>) -> Element {
    let children = count(cases.len(), "child", "children");
    let overdue = cases.iter().filter(|c| c.due.is_some_and(|d| d.is_overdue())).count();
    rsx! {
        if cases.is_empty() {
            p { class: "card", "No children on your caseload on this phone yet. Sync to fetch them." }
        } else {
            p { class: "muted", id: "caseload-summary",
                "{children}. "
                if overdue > 0 { strong { "{overdue} overdue." } } else { "None overdue." }
            }
            ol { class: "plain", style: "list-style:none;padding:0", "aria-label": "My children, most urgent first",
                for case in cases {
                    li { key: "{case.child_id}", CaseCard { case: case.clone() } }
                }
            }
        }
    }
}
