//! My children, most urgent first. Due states are worked out on the phone, so overdue shows
//! even with no signal.

use dioxus::prelude::*;

use super::{CaseList, last_answer};
use crate::app::{Services, UiState};

/// The caseload screen.
#[component]
pub fn Caseload() -> Element {
    let services = use_context::<Services>();
    let ui = use_context::<UiState>();
    // Read again after every sync that reached the server: meanwhile the list stays as it was,
    // where the worker had scrolled to, rather than blanking and starting again at the top.
    let cases = use_resource(move || {
        let services = services.clone();
        let _reload = ui.data_version.read();
        async move { services.caseload().await }
    });
    let Some(cases) = last_answer(&cases, |_| true)? else {
        return rsx! {};
    };
    let cases = cases?;
    // For the launch-time measurement (README, "Performance"): a count only, never a name.
    tracing::info!(children = cases.len(), "caseload on screen");
    rsx! {
        h2 { id: "screen-title", "My children" }
        CaseList { cases }
    }
}
