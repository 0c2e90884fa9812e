//! A manager's standing word that the child must be seen alone, said the same way wherever a
//! visitor reads it: the child's page, the handover, and the visit itself; and a manager's
//! standing decision that the child need not be.

use dioxus::prelude::*;
use shared::{ChildId, SeenAloneDecision, SeenAloneInstruction};

use crate::app::Services;
use crate::app::model::format_date;

/// "Tara Manager decided on 27/11/2026 that Maja must be seen alone: …", as a warning.
#[component]
pub fn SeenAloneBanner(said: SeenAloneInstruction, given_name: String, id: String) -> Element {
    rsx! {
        p { class: "banner warn", id: "{id}",
            "{said.by} decided on {format_date(Some(said.on))} that {given_name} must be seen alone: {said.what}" }
    }
}

/// "Tara Manager decided that Ellie need not be seen alone from … to …: …".
pub fn standing_decision_words(decision: &SeenAloneDecision, given_name: &str) -> String {
    format!(
        "{} decided that {given_name} need not be seen alone from {} to {}: {}",
        decision.decided_by_name,
        format_date(Some(decision.starts_on)),
        format_date(Some(decision.ends_on)),
        shared::text::as_sentence(&decision.reason),
    )
}

/// The manager's standing decision that the child need not be seen alone today, if any: from
/// the server when there is signal, else the copy kept on the phone.
#[component]
pub fn StandingDecisionNote(id: ChildId, given_name: String) -> Element {
    let services = use_context::<Services>();
    let decision = use_resource(use_reactive!(|id| {
        let services = services.clone();
        async move { services.standing_decision_today(id).await.ok().flatten() }
    }));
    let Some(Some(decision)) = decision.read().clone() else { return rsx! {} };
    rsx! {
        p { class: "banner good", id: "standing-decision-note", {standing_decision_words(&decision, &given_name)} }
    }
}
