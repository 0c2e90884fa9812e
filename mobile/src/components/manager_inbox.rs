//! A manager's inbox: escalations to act on, "not seen alone" to agree or disagree with, cases
//! to check for continuity (interpreting not considered, several key workers), and duty cover
//! to assign (to a duty worker picked by name from the server's staff list). Each
//! answer is recorded on the server with the manager's name.

use dioxus::prelude::*;

use super::{CasesToCheck, InboxCard, last_answer};
use crate::app::{Services, UiState};

/// The manager's inbox screen.
#[component]
pub fn ManagerInbox() -> Element {
    let services = use_context::<Services>();
    let services_for_staff = services.clone();
    let ui = use_context::<UiState>();
    // Fetched once for every card, and not suspended: the inbox still shows offline, with
    // cover assignment waiting until the list arrives. Fetched again when the phone's data
    // changes (after a sync), so a list that failed offline comes back with the signal.
    let duty_workers_list = use_resource(move || {
        let services = services_for_staff.clone();
        let _reload = ui.data_version.read();
        async move { services.duty_workers().await }
    });
    let items = use_resource(move || {
        let services = services.clone();
        let _reload = ui.data_version.read();
        async move { services.inbox().await }
    });
    // A reload after a sync keeps the cards on screen until the new list arrives, with
    // whatever the manager was typing (a reason, a standing decision).
    let Some(items) = last_answer(&items, |_| true)? else {
        return rsx! {};
    };
    let items = items?;
    let duty_workers = duty_workers_list.read().clone();
    rsx! {
        h2 { id: "screen-title", "Inbox" }
        p { class: "muted", "{items.len()} waiting for a decision." }
        Link { class: "button wide", id: "held-visits-link", to: crate::routes::Route::HeldVisits {},
            "Visits held for your review" }
        Link { class: "button wide", id: "supervision-link", to: crate::routes::Route::Supervision {},
            "Supervision of each case" }
        CasesToCheck {}
        for item in items {
            InboxCard { key: "{item.escalation.id}", item: item.clone(), duty_workers: duty_workers.clone() }
        }
    }
}
