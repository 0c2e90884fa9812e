//! A big yes/no question: the answers that matter most are the quickest to give.

use dioxus::prelude::*;

/// Two large buttons. `answer` is `None` until the worker chooses.
#[component]
pub fn YesNo(id: String, question: String, answer: Option<bool>, onanswer: EventHandler<bool>) -> Element {
    rsx! {
        fieldset { class: "card", id: "{id}", style: "border:none",
            legend { class: "question", "{question}" }
            div { class: "yesno", role: "group",
                button { r#type: "button", id: "{id}-yes", "aria-pressed": answer == Some(true),
                    onclick: move |_| onanswer.call(true), "Yes" }
                button { r#type: "button", id: "{id}-no", "aria-pressed": answer == Some(false),
                    onclick: move |_| onanswer.call(false), "No" }
            }
        }
    }
}
