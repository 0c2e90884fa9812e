//! A manager's inbox: escalations to act on, "not seen alone" to agree or disagree with, and
//! duty cover to assign. Each answer is recorded on the server with the manager's name.

use dioxus::prelude::*;

use super::InboxCard;
use crate::app::{Services, UiState};

/// The manager's inbox screen.
#[component]
pub fn ManagerInbox() -> Element {
    let services = use_context::<Services>();
    let ui = use_context::<UiState>();
    let items = use_resource(move || {
        let services = services.clone();
        let _reload = ui.data_version.read();
        async move { services.inbox().await }
    })
    .suspend()?;
    let items = items.read().clone()?;
    rsx! {
        h2 { id: "screen-title", "Inbox" }
        p { class: "muted", "{items.len()} waiting for a decision." }
        for item in items {
            InboxCard { key: "{item.escalation.id}", item: item.clone() }
        }
    }
}
