//! "Saved on this phone": says exactly how safe the draft is, and no more.

use dioxus::prelude::*;

use super::visit_editor::SaveState;

/// The save state of the draft on screen.
#[component]
pub fn SaveIndicator(state: SaveState) -> Element {
    rsx! {
        p { id: "save-state", role: "status", "aria-live": "polite",
            match state {
                SaveState::Unchanged => rsx! { span { class: "saved", "Saved on this phone" } },
                SaveState::Saving => rsx! { span { class: "waiting", "Saving on this phone…" } },
                SaveState::Saved => rsx! { span { class: "saved", "Saved on this phone" } },
                SaveState::Failed(why) => rsx! { span { class: "flag", "Not saved: {why}" } },
            }
            span { class: "muted", " · not sent yet" }
        }
    }
}
