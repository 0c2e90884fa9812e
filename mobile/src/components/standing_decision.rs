//! A manager's standing decision, in advance, that a child need not be seen alone (for example
//! a baby): a reason and an end date. Later visits within it ask nobody to decide again.

use chrono::NaiveDate;
use dioxus::prelude::*;
use shared::ChildId;

use super::{DateInput, DateOrderHint, TextInput};
use crate::app::Services;

/// The form for a standing "seen alone" decision about one child.
#[component]
pub fn StandingDecision(child_id: ChildId) -> Element {
    let services = use_context::<Services>();
    let mut reason = use_signal(String::new);
    let mut until = use_signal(String::new);
    let mut outcome = use_signal(|| None::<Result<String, String>>);
    let ends_on = NaiveDate::parse_from_str(&until.read(), "%Y-%m-%d").ok();
    let ready = ends_on.is_some() && !reason.read().trim().is_empty();
    let record = move |_| {
        let services = services.clone();
        let Some(ends_on) = NaiveDate::parse_from_str(&until.read(), "%Y-%m-%d").ok() else { return };
        let words = reason.read().trim().to_owned();
        spawn(async move {
            match services.record_seen_alone_decision(child_id, words, ends_on).await {
                Ok(decision) => outcome.set(Some(Ok(format!(
                    "Recorded by {}: no need to see the child alone until {}.",
                    decision.decided_by_name,
                    decision.ends_on.format("%d/%m/%Y")
                )))),
                Err(e) => outcome.set(Some(Err(e.to_string()))),
            }
        });
    };
    rsx! {
        details { class: "standing-decision",
            summary { "Decide in advance for this child" }
            label { r#for: "standing-reason-{child_id}", "Why the child need not be seen alone" }
            // One line, so the card's own reason box stays the only text area on it.
            TextInput { id: "standing-reason-{child_id}", r#type: "text", value: String::new(), maxlength: 2000,
                oninput: move |text| reason.set(text) }
            label { r#for: "standing-until-{child_id}", "Until" DateOrderHint {} }
            DateInput { id: "standing-until-{child_id}", value: String::new(),
                oninput: move |text| until.set(text) }
            button { class: "wide", style: "margin-top:8px", disabled: !ready, onclick: record,
                "Record the standing decision" }
            match outcome.read().clone() {
                Some(Ok(words)) => rsx! { p { class: "saved", role: "status", "{words}" } },
                Some(Err(words)) => rsx! { p { class: "problem", role: "alert", "{words}" } },
                None => rsx! {},
            }
        }
    }
}
