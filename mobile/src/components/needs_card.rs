//! Communication and interpreter needs, shown before the visit starts.

use dioxus::prelude::*;
use shared::{Child, LanguageNeed};

fn describe(need: &LanguageNeed) -> String {
    let language = need.first_language.clone().unwrap_or_else(|| "not recorded".to_owned());
    if need.interpreter_needed {
        let interpreter = need.interpreter_language.clone().unwrap_or_else(|| language.clone());
        format!("First language {language}. Needs an interpreter ({interpreter}).")
    } else {
        format!("First language {language}. No interpreter needed.")
    }
}

/// The child's and each carer's language needs, and any disability or communication needs.
#[component]
pub fn NeedsCard(child: Child) -> Element {
    let needs = &child.communication;
    let carers: Vec<(shared::CarerId, String, String)> = needs
        .carers
        .iter()
        .map(|c| {
            let who = child
                .carer(c.carer_id)
                .map(|carer| format!("{} ({})", carer.name, carer.relationship))
                .unwrap_or_else(|| "A parent or carer".to_owned());
            (c.carer_id, who, describe(&c.need))
        })
        .collect();
    let any_interpreter =
        needs.child.interpreter_needed || needs.carers.iter().any(|c| c.need.interpreter_needed);
    rsx! {
        div { class: "card", id: "needs",
            h3 { "Communication" }
            if any_interpreter {
                p { class: "flag", "Interpreter needed: book one before you go." }
            }
            dl { class: "facts",
                dt { "{child.given_name}" } dd { "{describe(&needs.child)}" }
                for (carer_id, who, need) in carers {
                    dt { key: "{carer_id}", "{who}" }
                    dd { "{need}" }
                }
            }
            if let Some(other) = needs.disability_and_communication.clone() {
                p { strong { "Other needs: " } "{other}" }
            }
        }
    }
}
