//! For a manager: children whose case needs a look for continuity: interpreting that nobody has
//! considered, and children passed between key workers during their plan.

use dioxus::prelude::*;

use crate::app::Services;
use crate::app::UiState;
use crate::routes::Route;

/// The list, worked out from what the phone holds; nothing at all when no child needs a look.
#[component]
pub fn CasesToCheck() -> Element {
    let services = use_context::<Services>();
    let ui = use_context::<UiState>();
    let cases = use_resource(move || {
        let services = services.clone();
        let _reload = ui.data_version.read();
        async move { services.cases_to_check().await }
    });
    let Some(Ok(cases)) = cases.read().clone() else {
        return rsx! {};
    };
    if cases.is_empty() {
        return rsx! {};
    }
    rsx! {
        div { class: "card", id: "cases-to-check",
            h3 { "Continuity to check" }
            ul { class: "plain",
                for case in cases {
                    li { key: "{case.child_id}",
                        Link { to: Route::ChildPage { id: case.child_id }, "{case.child_name}" }
                        if case.key_workers_during_plan > 1 {
                            div { class: "facts key-workers", "{case.key_workers_during_plan} key workers during this plan" }
                        }
                        if case.interpreting_not_considered > 0 {
                            div { class: "facts interpreting", "⚑ Interpreting not yet considered" }
                        }
                    }
                }
            }
        }
    }
}
