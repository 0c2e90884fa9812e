//! What is waiting, what the server refused, and "sync now". Never says "sent" while anything
//! is unsent: the words come from the outbox counts, not from the last sync's success.

use dioxus::prelude::*;
use shared::text::count;

use super::{ProblemItem, SyncHeadline, last_answer};
use crate::app::model::format_date;
use crate::app::{Services, UiState};
use crate::routes::Route;

/// The sync status screen.
#[component]
pub fn SyncStatus() -> Element {
    let services = use_context::<Services>();
    let ui = use_context::<UiState>();
    let overview_services = services.clone();
    // Read again after every sync that reached the server: meanwhile the screen stays as it
    // was, so a reason being typed to keep one version of a visit in conflict is kept.
    let overview = use_resource(move || {
        let services = overview_services.clone();
        let _reload = ui.data_version.read();
        async move { services.sync_overview().await }
    });
    let Some(overview) = last_answer(&overview, |_| true)? else {
        return rsx! {};
    };
    let overview = overview?;
    let sync = ui.sync.read().clone();
    let now_services = services.clone();
    let last_sync = sync
        .last_success
        .map(|t| t.with_timezone(&chrono::Local).format("%d/%m/%Y at %H:%M").to_string())
        .unwrap_or_else(|| "Never".to_owned());
    let waiting = format!(
        "{}, {}",
        count(overview.waiting.len(), "visit", "visits"),
        count(overview.photos_waiting, "photo", "photos")
    );
    let sent = count(overview.sent, "visit", "visits");
    rsx! {
        h2 { id: "screen-title", "Sync" }
        SyncHeadline { sync: sync.clone(), unsent: overview.waiting.len() + overview.photos_waiting + overview.problems.len(),
            not_submitted: overview.off_list.len() }
        div { class: "card",
            dl { class: "facts",
                dt { "Waiting to send" } dd { id: "waiting-count", "{waiting}" }
                dt { "Sent" } dd { id: "sent-count", "{sent} the server holds" }
                dt { "Last successful sync" }
                dd { id: "last-sync", "{last_sync}" }
            }
            button { class: "primary wide", id: "sync-now", style: "margin-top:12px", disabled: sync.syncing,
                onclick: move |_| now_services.sync_now(),
                if sync.syncing { "Syncing…" } else { "⇅ Sync now" } }
        }
        if !overview.off_list.is_empty() {
            div { class: "card", id: "off-list-drafts",
                h3 { "Not submitted yet" }
                p { class: "hint",
                    "These children are no longer on your list: they have moved to another worker, or your cover has ended. "
                    "Your visits are kept on this phone. Finish and submit each one; your manager reviews it before it counts." }
                ul { class: "plain",
                    for draft in overview.off_list.iter() {
                        li { key: "{draft.child_id}",
                            "{draft.child_name}, visit started {format_date(Some(draft.started))} "
                            Link { class: "button", to: Route::VisitCapture { id: draft.child_id },
                                "Finish the visit to {draft.child_name}" }
                        }
                    }
                }
            }
        }
        if let Some(unreadable) = overview.unreadable.as_ref() {
            div { class: "card", id: "update-needed", role: "alert",
                h3 { class: "problem", "Update the app" }
                p {
                    "Since {format_date(Some(unreadable.since.date_naive()))}, this version of the app could not read "
                    {count(unreadable.count, "change", "changes")}
                    " from the server, perhaps a kind of escalation added since it was made. "
                    "It left them out and read the rest. Update the app: it then fetches everything again, so nothing is lost."
                }
            }
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
        if !overview.held.is_empty() {
            div { class: "card", id: "held-list",
                h3 { "Waiting for your manager" }
                p { class: "hint", "The server holds these visits for a manager's review. Until a manager resolves them they do not count: the child is not shown as seen." }
                ul { class: "plain",
                    for (i, (name, date)) in overview.held.iter().enumerate() {
                        li { key: "{i}", span { class: "waiting", "◷ Waiting for your manager" } " · {name}, visit on {format_date(Some(*date))}" }
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
