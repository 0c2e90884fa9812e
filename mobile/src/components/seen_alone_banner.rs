//! A manager's standing word that the child must be seen alone, said the same way wherever a
//! visitor reads it: the child's page, the handover, and the visit itself.

use dioxus::prelude::*;
use shared::SeenAloneInstruction;

use crate::app::model::format_date;

/// "Tara Manager decided on 27/11/2026 that Maja must be seen alone: …", as a warning.
#[component]
pub fn SeenAloneBanner(said: SeenAloneInstruction, given_name: String, id: String) -> Element {
    rsx! {
        p { class: "banner warn", id: "{id}",
            "{said.by} decided on {format_date(Some(said.on))} that {given_name} must be seen alone: {said.what}" }
    }
}
