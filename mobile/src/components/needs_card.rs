//! Communication and interpreter needs, shown before the visit starts: for the child and each
//! parent or carer, whether an interpreter is needed, not needed, or not yet considered.

use dioxus::prelude::*;
use shared::{Child, InterpretedPerson, Interpreting, LanguageNeed};

use super::interpreter_section::person_label;

fn describe(need: Option<&LanguageNeed>, decision: &Interpreting, answered_at_visit: bool) -> String {
    let language = need
        .and_then(|n| n.first_language.clone())
        .map(|l| format!("First language {l}. "))
        .unwrap_or_default();
    match decision {
        Interpreting::Needed { language: interpreter } => format!(
            "{language}Needs an interpreter ({}).",
            interpreter.clone().unwrap_or_else(|| "language not recorded".to_owned())
        ),
        Interpreting::NotNeeded => format!("{language}No interpreter needed."),
        Interpreting::NotYetConsidered if answered_at_visit => {
            format!("{language}Interpreting recorded at a visit; not yet on the central record.")
        }
        Interpreting::NotYetConsidered => format!("{language}Interpreting not yet considered."),
    }
}

/// The child's and each carer's language needs, and any disability or communication needs.
/// `not_considered` lists the people whose need nobody has considered yet (on the record or at
/// a visit); they are flagged until answered.
#[component]
pub fn NeedsCard(child: Child, not_considered: Vec<InterpretedPerson>) -> Element {
    let needs = &child.communication;
    let people: Vec<(String, String, bool, bool)> = child
        .interpreting_by_person()
        .into_iter()
        .map(|(person, decision)| {
            let need = match &person {
                InterpretedPerson::Child => Some(&needs.child),
                InterpretedPerson::Carer { carer_id } => {
                    needs.carers.iter().find(|c| c.carer_id == *carer_id).map(|c| &c.need)
                }
            };
            let open = not_considered.contains(&person);
            let label = match person {
                InterpretedPerson::Child => child.given_name.clone(),
                _ => person_label(&child, &person),
            };
            let needed = matches!(decision, Interpreting::Needed { .. });
            (label, describe(need, &decision, !open), open, needed)
        })
        .collect();
    let any_interpreter = people.iter().any(|(.., needed)| *needed);
    let unanswered: Vec<String> = not_considered
        .iter()
        .map(|p| match p {
            InterpretedPerson::Child => child.given_name.clone(),
            _ => person_label(&child, p),
        })
        .collect();
    rsx! {
        div { class: "card", id: "needs",
            h3 { "Communication" }
            if any_interpreter {
                p { class: "flag", "Interpreter needed: book one before you go." }
            }
            if !unanswered.is_empty() {
                p { class: "flag", id: "interpreting-not-considered",
                    "Interpreting not yet considered for: {unanswered.join(\", \")}. "
                    "Ask at your next visit and record it in the visit's interpreter section." }
            }
            dl { class: "facts",
                for (i, (who, words, open, _)) in people.into_iter().enumerate() {
                    dt { key: "{i}", "{who}" }
                    dd { class: if open { "not-considered" } else { "" }, "{words}" }
                }
            }
            if let Some(other) = needs.disability_and_communication.clone() {
                p { strong { "Other needs: " } "{other}" }
            }
        }
    }
}
