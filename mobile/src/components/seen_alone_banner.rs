//! A manager's standing word that the child must be seen alone, said the same way wherever a
//! visitor reads it: the child's page, the handover, and the visit itself; and a manager's
//! standing decision that the child need not be.

use dioxus::prelude::*;
use shared::{ChildId, SeenAloneDecision, SeenAloneInstruction};

use super::TextInput;
use crate::app::model::format_date;
use crate::app::{Services, SessionView, UiState};

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
        format_date(Some(decision.last_day())),
        shared::text::as_sentence(&decision.reason),
    )
}

/// The manager's standing decision that the child need not be seen alone today, if any: from
/// the server when there is signal, else the copy kept on the phone. A manager may end it
/// early, with a reason: from today the child must be seen alone again, or a manager asked.
#[component]
pub fn StandingDecisionNote(id: ChildId, given_name: String) -> Element {
    let services = use_context::<Services>();
    let ui = use_context::<UiState>();
    let is_manager = matches!(&*ui.session.read(), SessionView::Open { worker } if worker.role.is_manager());
    let reader = services.clone();
    // Read again after every sync: another manager may have ended the decision, or agreed a
    // new one, and a worker must not go on reading that a child need not be seen alone once
    // that is no longer so. The last answer stays on screen meanwhile.
    let mut decision = use_resource(use_reactive!(|id| {
        let services = reader.clone();
        let _reload = ui.data_version.read();
        async move { services.standing_decision_today(id).await.ok().flatten() }
    }));
    let mut reason = use_signal(String::new);
    let mut sending = use_signal(|| false);
    let mut outcome = use_signal(|| None::<Result<String, String>>);
    // Outside the form, so it stays when the decision, ended, leaves the page.
    let said = match outcome.read().clone() {
        Some(Ok(words)) => {
            rsx! { p { class: "banner warn", role: "status", id: "standing-decision-ended", "{words}" } }
        }
        Some(Err(words)) => rsx! { p { class: "problem", role: "alert", "{words}" } },
        None => rsx! {},
    };
    let Some(Some(standing)) = decision.read().clone() else { return said };
    let decision_id = standing.id;
    let name = given_name.clone();
    let end = move |_| {
        let services = services.clone();
        let words = reason.read().trim().to_owned();
        let name = name.clone();
        sending.set(true);
        spawn(async move {
            match services.end_seen_alone_decision(id, decision_id, words).await {
                Ok(ended) => {
                    let by = ended.ended.map(|end| end.ended_by_name).unwrap_or_default();
                    outcome.set(Some(Ok(format!(
                        "{by} ended the standing decision: from today, see {name} alone, or ask a manager."
                    ))));
                }
                Err(e) => outcome.set(Some(Err(e.to_string()))),
            }
            sending.set(false);
            // Read again either way: another manager may have ended it first.
            decision.restart();
        });
    };
    rsx! {
        p { class: "banner good", id: "standing-decision-note", {standing_decision_words(&standing, &given_name)} }
        if is_manager {
            details { class: "standing-decision-end",
                summary { "End this decision early" }
                label { r#for: "standing-end-reason-{id}", "Why it ends" }
                TextInput { id: "standing-end-reason-{id}", r#type: "text", value: String::new(), maxlength: 2000,
                    oninput: move |text| reason.set(text) }
                button { class: "wide", id: "end-standing-decision", style: "margin-top:8px",
                    disabled: reason.read().trim().is_empty() || sending(), onclick: end,
                    "End it from today" }
            }
        }
        {said}
    }
}
