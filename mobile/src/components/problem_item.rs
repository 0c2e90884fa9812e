//! A record the server refused or found in conflict, with its reason and a way to resolve it.

use dioxus::prelude::*;
use shared::{ChildId, VisitId};

use crate::app::Services;
use crate::app::model::format_date;
use crate::app::services::SyncProblem;
use crate::routes::Route;

/// A record the server refused or found in conflict, with what to do about it.
#[component]
pub fn ProblemItem(problem: SyncProblem) -> Element {
    let services = use_context::<Services>();
    let mut failed = use_signal(|| None::<String>);
    let (visit, revision): (VisitId, u32) = (problem.visit_id, problem.revision);
    let conflict = problem.conflict;
    let resolve = move |_| {
        let services = services.clone();
        spawn(async move {
            let reopened: Result<ChildId, _> = if conflict {
                services.amend_conflict(visit, revision).await
            } else {
                services.reopen_rejected(visit, revision).await
            };
            match reopened {
                Ok(child) => {
                    navigator().push(Route::VisitCapture { id: child });
                }
                Err(e) => failed.set(Some(e.to_string())),
            }
        });
    };
    rsx! {
        div { class: "banner bad",
            p { style: "margin:0", strong { "{problem.child_name}, visit on {format_date(Some(problem.date))}" } }
            p { "{problem.reason}" }
            button { class: "wide", onclick: resolve,
                if conflict { "Look at both versions and amend" } else { "Open the visit and fix it" } }
            if let Some(why) = failed.read().clone() { p { class: "problem", "{why}" } }
        }
    }
}
