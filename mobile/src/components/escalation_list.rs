//! Open escalations about a child, in plain words.

use dioxus::prelude::*;
use shared::Escalation;

/// Escalations still waiting for a manager.
#[component]
pub fn EscalationList(escalations: Vec<Escalation>) -> Element {
    rsx! {
        div { class: "card", id: "escalations",
            h3 { "Open escalations" }
            if escalations.is_empty() {
                p { class: "muted", "None open." }
            }
            ul { class: "plain",
                for escalation in escalations.iter() {
                    li { key: "{escalation.id}", span { class: "flag", "{escalation.reason.describe()}" } }
                }
            }
        }
    }
}
