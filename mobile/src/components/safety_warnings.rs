//! Safety warnings for lone visits to the child's household, shown before the worker knocks:
//! on the child's page and on the handover.

use dioxus::prelude::*;
use shared::SafetyWarning;

use crate::app::Services;
use crate::app::model::format_date;

/// The household's warnings in force, or nothing at all when there are none.
#[component]
pub fn SafetyWarnings(warnings: Vec<SafetyWarning>) -> Element {
    // The day each was recorded is the authority's date, as every business date is: a warning
    // recorded at 00:30 on a summer night was recorded that day, not the day before in UTC.
    // The zone is read from the phone's store once, as the list first shows.
    let services = use_context::<Services>();
    let time_zone = use_hook(move || services.business_clock().time_zone());
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
                        span { class: "hint", " Recorded {format_date(Some(shared::clock::authority_date(time_zone, warning.recorded_at)))}." }
                    }
                }
            }
        }
    }
}
