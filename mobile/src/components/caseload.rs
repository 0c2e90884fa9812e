//! My children, most urgent first. Due states are worked out on the phone, so overdue shows
//! even with no signal.

use dioxus::prelude::*;

use super::CaseList;
use crate::app::{Services, UiState};

/// The caseload screen.
#[component]
pub fn Caseload() -> Element {
    let services = use_context::<Services>();
    let ui = use_context::<UiState>();
    let cases = use_resource(move || {
        let services = services.clone();
        let _reload = ui.data_version.read();
        async move { services.caseload().await }
    })
    .suspend()?;
    let cases = cases.read().clone()?;
    // For the launch-time measurement (README, "Performance"): a count only, never a name.
    tracing::info!(children = cases.len(), "caseload on screen");
    rsx! {
        h2 { id: "screen-title", "My children" }
        CaseList { cases }
    }
}
