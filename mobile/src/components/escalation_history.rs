//! An escalation's history, oldest first: who did what, when, at which level and what they
//! said. Shown on each card in the manager's inbox; nothing in it is ever rewritten.

use dioxus::prelude::*;
use shared::{Escalation, EscalationLevel, EscalationStep};

use crate::app::Services;

/// The history of one escalation, as a list a screen reader reads in order.
#[component]
pub fn EscalationHistory(escalation: Escalation) -> Element {
    // The authority's zone, read from the phone's store once: an escalation kept from before
    // histories were has its history dated there, as the server dates every entry.
    let services = use_context::<Services>();
    let time_zone = use_hook(move || services.business_clock().time_zone());
    let entries: Vec<(String, String)> = escalation
        .with_history(time_zone)
        .history
        .into_iter()
        .map(|entry| {
            let by = entry.by_name.unwrap_or_else(|| "Seen & Heard".to_owned());
            let heading = format!(
                "{} · {} · {} · {by}",
                step_words(&entry.step),
                entry.on.format("%d/%m/%Y"),
                level_words(entry.level)
            );
            (heading, entry.text)
        })
        .collect();
    let count = entries.len();
    rsx! {
        // Open: what was already said and done is what the manager needs before answering.
        details { class: "escalation-history", open: true,
            summary { "History ({count})" }
            ol {
                for (n, (heading, text)) in entries.into_iter().enumerate() {
                    li { key: "{n}", class: "history-entry",
                        strong { "{heading}" }
                        p { class: "history-text", "{text}" }
                    }
                }
            }
        }
    }
}

fn step_words(step: &EscalationStep) -> &'static str {
    match step {
        EscalationStep::Raised => "Raised",
        EscalationStep::RaisedAgain => "Raised again",
        EscalationStep::Rerouted => "Sent on",
        EscalationStep::Reevaluated => "Re-assessed",
        EscalationStep::ConfirmationAsked => "Needs your confirmation",
        EscalationStep::Acknowledged { .. } => "Acted on",
        EscalationStep::Closed => "Closed",
    }
}

fn level_words(level: EscalationLevel) -> &'static str {
    match level {
        EscalationLevel::TeamManager => "team manager",
        EscalationLevel::SeniorManager => "senior manager",
    }
}
