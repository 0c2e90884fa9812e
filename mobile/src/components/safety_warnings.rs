//! Safety warnings for lone visits to the child's household, shown before the worker knocks:
//! on the child's page and on the handover.

use dioxus::prelude::*;
use shared::SafetyWarning;

use crate::app::model::format_date;

/// The household's warnings in force, or nothing at all when there are none.
#[component]
pub fn SafetyWarnings(warnings: Vec<SafetyWarning>) -> Element {
    if warnings.is_empty() {
        return rsx! {};
    }
    rsx! {
        div { class: "card", id: "safety-warnings", role: "alert",
            h3 { "⚠ Safety warning for lone visits" }
            ul { class: "plain",
                for warning in warnings {
                    li { key: "{warning.id}", class: "flag",
                        strong { "{warning.kind.label()}: " }
                        "{warning.details}"
                        span { class: "hint", " Recorded {format_date(Some(warning.recorded_at.date_naive()))}." }
                    }
                }
            }
        }
    }
}
