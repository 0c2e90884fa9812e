//! A record the server refused or found in conflict, with its reason and a way to resolve it.

use dioxus::prelude::*;
use shared::{ChildId, VisitId};

use crate::app::Services;
use crate::app::model::format_date;
use crate::app::services::SyncProblem;
use crate::components::TextInput;
use crate::routes::Route;
use crate::sync::ConflictChoice;

/// A record the server refused or found in conflict, with what to do about it. A conflict can
/// be resolved here by keeping one version (with a reason; the other stays on the server), or
/// by amending the server's version with both in view.
#[component]
pub fn ProblemItem(problem: SyncProblem) -> Element {
    let services = use_context::<Services>();
    let mut failed = use_signal(|| None::<String>);
    let mut reason = use_signal(String::new);
    let mut busy = use_signal(|| false);
    let (visit, revision): (VisitId, u32) = (problem.visit_id, problem.revision);
    let conflict = problem.conflict;
    let reopen_services = services.clone();
    let reopen = move |_| {
        let services = reopen_services.clone();
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
    let keep = move |choice: ConflictChoice| {
        let services = services.clone();
        busy.set(true);
        spawn(async move {
            let said = services.resolve_conflict(visit, revision, choice, reason.read().clone()).await;
            busy.set(false);
            if let Err(e) = said {
                failed.set(Some(e.to_string()));
            }
        });
    };
    let mut keep_server = keep.clone();
    let mut keep_mine = keep;
    let reason_id = format!("conflict-reason-{visit}-{revision}");
    let error_id = format!("conflict-error-{visit}-{revision}");
    let invalid = if failed.read().is_some() { "true" } else { "false" };
    rsx! {
        div { class: "banner bad",
            p { style: "margin:0", strong { "{problem.child_name}, visit on {format_date(Some(problem.date))}" } }
            p { "{problem.reason}" }
            if conflict {
                label { r#for: "{reason_id}", "Why you keep one version (required)" }
                TextInput {
                    id: "{reason_id}",
                    value: String::new(),
                    maxlength: "2000",
                    aria_invalid: invalid,
                    aria_describedby: "{error_id}",
                    oninput: move |text: String| reason.set(text),
                }
                div { class: "actions",
                    button { class: "wide", disabled: busy(), onclick: move |_| keep_server(ConflictChoice::Server),
                        "Keep the version on the server" }
                    button { class: "wide", disabled: busy(), onclick: move |_| keep_mine(ConflictChoice::Mine),
                        "Keep my version" }
                }
            }
            button { class: "wide", onclick: reopen,
                if conflict { "Look at both versions and amend" } else { "Open the visit and fix it" } }
            p { class: "problem", id: "{error_id}", role: "alert",
                if let Some(why) = failed.read().clone() { "{why}" } }
        }
    }
}
