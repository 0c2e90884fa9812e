//! What is waiting, what the server refused, and "sync now". Never says "sent" while anything
//! is unsent: the words come from the outbox counts, not from the last sync's success.

use dioxus::prelude::*;
use shared::{ChildId, VisitId};

use crate::app::model::format_date;
use crate::app::services::SyncProblem;
use crate::app::{Services, SyncView, UiState};
use crate::routes::Route;

/// The sync status screen.
#[component]
pub fn SyncStatus() -> Element {
    let services = use_context::<Services>();
    let ui = use_context::<UiState>();
    let overview_services = services.clone();
    let overview = use_resource(move || {
        let services = overview_services.clone();
        let _reload = ui.data_version.read();
        async move { services.sync_overview().await }
    })
    .suspend()?;
    let overview = overview.read().clone()?;
    let sync = ui.sync.read().clone();
    let now_services = services.clone();
    let last_sync = sync
        .last_success
        .map(|t| t.with_timezone(&chrono::Local).format("%-d %b %Y at %H:%M").to_string())
        .unwrap_or_else(|| "Never".to_owned());
    rsx! {
        h2 { id: "screen-title", "Sync" }
        SyncHeadline { sync: sync.clone(), unsent: overview.waiting.len() + overview.photos_waiting + overview.problems.len() }
        div { class: "card",
            dl { class: "facts",
                dt { "Waiting to send" } dd { id: "waiting-count", "{overview.waiting.len()} visit(s), {overview.photos_waiting} photo(s)" }
                dt { "Sent" } dd { id: "sent-count", "{overview.sent} visit(s) the server holds" }
                dt { "Last successful sync" }
                dd { id: "last-sync", "{last_sync}" }
            }
            button { class: "primary wide", id: "sync-now", style: "margin-top:12px", disabled: sync.syncing,
                onclick: move |_| now_services.sync_now(),
                if sync.syncing { "Syncing…" } else { "⇅ Sync now" } }
        }
        if !overview.waiting.is_empty() {
            div { class: "card", id: "waiting-list",
                h3 { "Saved on this phone, waiting to send" }
                ul { class: "plain",
                    for (i, (name, date)) in overview.waiting.iter().enumerate() {
                        li { key: "{i}", span { class: "waiting", "◷ Waiting" } " · {name}, visit on {format_date(Some(*date))}" }
                    }
                }
            }
        }
        if !overview.problems.is_empty() {
            div { class: "card", id: "sync-problems",
                h3 { "Needs you" }
                for problem in overview.problems.iter() {
                    ProblemItem { key: "{problem.visit_id}-{problem.revision}", problem: problem.clone() }
                }
            }
        }
    }
}

/// One line of plain words about where sync stands. `unsent` is what the outbox holds now.
#[component]
pub fn SyncHeadline(sync: SyncView, unsent: usize) -> Element {
    // "Everything sent" needs both the engine's counts and the outbox just read to agree that
    // nothing is waiting; anything else shows what is waiting, in the engine's words if it has
    // them.
    let (class, words) = if unsent > 0 || sync.waiting > 0 || sync.problems > 0 || sync.offline.is_some() {
        let words = if sync.known && !sync.headline.is_empty() && (sync.waiting > 0 || unsent == 0) {
            sync.headline.clone()
        } else {
            format!("{unsent} record(s) saved on this phone, waiting to send.")
        };
        ("banner warn", words)
    } else if !sync.known {
        ("banner warn", "Checking what is waiting…".to_owned())
    } else if sync.syncing {
        ("banner warn", "Checking for updates…".to_owned())
    } else {
        ("banner good", "✓ Everything on this phone has been sent.".to_owned())
    };
    rsx! { p { class: "{class}", id: "sync-headline", role: "status", "{words}" } }
}

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
