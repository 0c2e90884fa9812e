//! The manager's supervision list: each child's case with when it was last supervised and when
//! it is next due (overdue first), and a form to record supervision: the date, the reflection
//! on risk and progress, and a decision. Needs signal: supervision is kept on the server.

use chrono::NaiveDate;
use dioxus::prelude::*;
use shared::ChildId;
use shared::text::count;

use super::{DateInput, DateOrderHint, TextArea, TextInput, last_answer};
use crate::app::model::format_date;
use crate::app::{Services, UiState};

/// The supervision screen.
#[component]
pub fn Supervision() -> Element {
    let services = use_context::<Services>();
    let ui = use_context::<UiState>();
    let mut reload = use_signal(|| 0u32);
    let list = use_resource(move || {
        let services = services.clone();
        let _reload = ui.data_version.read();
        let _again = reload.read();
        async move { services.supervision_due().await }
    });
    let Some(list) = last_answer(&list, |_| true)? else {
        return rsx! {};
    };
    let list = match list {
        Ok(list) => list,
        Err(e) => {
            return rsx! {
                h2 { id: "screen-title", "Supervision" }
                p { class: "problem", role: "alert", "{e}" }
            };
        }
    };
    let overdue = list.iter().filter(|(d, _)| d.supervision.overdue).count();
    rsx! {
        h2 { id: "screen-title", "Supervision" }
        p { class: "muted", id: "supervision-summary", "{overdue} of " {count(list.len(), "case", "cases")} " overdue for supervision." }
        div { id: "supervision-list",
            for (item, name) in list.into_iter() {
                div { key: "{item.child_id}", class: "card supervision-case",
                    h3 { "{name}" }
                    p { class: if item.supervision.overdue { "overdue" } else { "" }, "{item.supervision.describe()}" }
                    p { class: "muted", "Last supervised: {format_date(item.supervision.latest)}" }
                    SupervisionForm { child_id: item.child_id, onrecorded: move |_| reload += 1 }
                }
            }
        }
    }
}

/// The form to record supervision of one child's case.
#[component]
fn SupervisionForm(child_id: ChildId, onrecorded: EventHandler<()>) -> Element {
    let services = use_context::<Services>();
    let mut held = use_signal(String::new);
    let mut reflection = use_signal(String::new);
    let mut decision = use_signal(String::new);
    let mut outcome = use_signal(|| None::<Result<String, String>>);
    let held_on = NaiveDate::parse_from_str(&held.read(), "%Y-%m-%d").ok();
    let ready = held_on.is_some() && !reflection.read().trim().is_empty();
    let record = move |_| {
        let services = services.clone();
        let Some(held_on) = NaiveDate::parse_from_str(&held.read(), "%Y-%m-%d").ok() else { return };
        let words = reflection.read().trim().to_owned();
        let decided = decision.read().trim().to_owned();
        spawn(async move {
            match services.record_supervision(child_id, held_on, words, decided).await {
                Ok(by) => {
                    outcome.set(Some(Ok(format!(
                        "Supervision of {} recorded by {by}.",
                        held_on.format("%d/%m/%Y")
                    ))));
                    onrecorded.call(());
                }
                Err(e) => outcome.set(Some(Err(e.to_string()))),
            }
        });
    };
    rsx! {
        details { class: "supervision-form",
            summary { "Record supervision" }
            label { r#for: "supervision-date-{child_id}", "Date" DateOrderHint {} }
            DateInput { id: "supervision-date-{child_id}", value: String::new(),
                oninput: move |text| held.set(text) }
            label { r#for: "supervision-reflection-{child_id}", "Reflection on risk and progress" }
            TextArea { id: "supervision-reflection-{child_id}", value: String::new(), maxlength: 50000,
                oninput: move |text| reflection.set(text) }
            label { r#for: "supervision-decision-{child_id}", "Decision" }
            TextInput { id: "supervision-decision-{child_id}", r#type: "text", value: String::new(), maxlength: 4000,
                oninput: move |text| decision.set(text) }
            button { class: "wide", style: "margin-top:8px", disabled: !ready, onclick: record, "Record supervision" }
            match outcome.read().clone() {
                Some(Ok(words)) => rsx! { p { class: "saved", role: "status", "{words}" } },
                Some(Err(words)) => rsx! { p { class: "problem", role: "alert", "{words}" } },
                None => rsx! {},
            }
        }
    }
}
