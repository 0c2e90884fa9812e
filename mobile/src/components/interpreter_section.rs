//! Interpreting at the visit, one record per person present (the child and each parent or
//! carer), pre-filled from recorded needs. A family member interpreting is always flagged: they
//! may not pass on what the child says.

use dioxus::prelude::*;
use shared::{Child, InterpretedPerson, InterpreterRecord, InterpreterUsed, Interpreting, ValidationErrors};

use super::{Choice, FieldProblems, TextInput, Tick, options};
use crate::app::editor::DraftEditor;

/// Who a record is about, in words.
pub fn person_label(child: &Child, person: &InterpretedPerson) -> String {
    match person {
        InterpretedPerson::Child => format!("{} (the child)", child.given_name),
        InterpretedPerson::Carer { carer_id } => child
            .carer(*carer_id)
            .map(|c| format!("{} ({})", c.name, c.relationship))
            .unwrap_or_else(|| "A parent or carer".to_owned()),
    }
}

fn used_value(used: &Option<InterpreterUsed>) -> &'static str {
    match used {
        None => "none",
        Some(InterpreterUsed::Professional) => "professional",
        Some(InterpreterUsed::Remote) => "remote",
        Some(InterpreterUsed::FamilyMember { .. }) => "family",
    }
}

/// The interpreter section of the visit form.
#[component]
pub fn InterpreterSection(
    child: Child,
    records: Vec<InterpreterRecord>,
    problems: ValidationErrors,
) -> Element {
    let editor = use_context::<DraftEditor>();
    // The child and every parent or carer on the record who has no interpreting record at this
    // visit yet, with whether anyone has considered their need before.
    let unlisted: Vec<(InterpretedPerson, String, bool, String)> = child
        .interpreting_by_person()
        .into_iter()
        .enumerate()
        .filter(|(_, (person, _))| !records.iter().any(|r| r.person == *person))
        .map(|(n, (person, decision))| {
            let label = person_label(&child, &person);
            let id =
                if n == 0 { "add-child-interpreter".to_owned() } else { format!("add-interpreting-{n}") };
            (person, label, decision != Interpreting::NotYetConsidered, id)
        })
        .collect();
    rsx! {
        div { class: "card", id: "interpreters",
            h2 { "Interpreter" }
            p { class: "hint", "Record interpreting for each person present: the child and each parent or carer." }
            for (i, record) in records.iter().cloned().enumerate() {
                fieldset { key: "{i}", style: "border:1px solid var(--line);border-radius:10px;margin:8px 0",
                    legend { strong { "{person_label(&child, &record.person)}" } }
                    label { class: "check",
                        Tick { id: "interp-needed-{i}", checked: record.needed,
                            onchange: move |needed| editor.edit(&format!("interpreters[{i}]"), |d| if let Some(r) = d.interpreters.get_mut(i) { r.needed = needed; }) }
                        "Needs an interpreter"
                    }
                    label { r#for: "interp-lang-{i}", "Language" }
                    TextInput { id: "interp-lang-{i}", r#type: "text", value: record.language.clone().unwrap_or_default(),
                        oninput: move |text| editor.edit(&format!("interpreters[{i}]"), |d| if let Some(r) = d.interpreters.get_mut(i) { r.language = Some(text); }) }
                    FieldProblems { problems: problems.clone(), field: "interpreters[{i}].language" }
                    label { r#for: "interp-used-{i}", "Who interpreted?" }
                    Choice { id: "interp-used-{i}",
                        value: used_value(&record.used),
                        options: options(&[
                            ("none", "Nobody"),
                            ("professional", "A professional interpreter, in person"),
                            ("remote", "A professional interpreter, by phone or video"),
                            ("family", "A family member"),
                        ]),
                        onchange: move |choice: String| editor.edit(&format!("interpreters[{i}]"), |d| if let Some(r) = d.interpreters.get_mut(i) {
                            r.used = match choice.as_str() {
                                "professional" => Some(InterpreterUsed::Professional),
                                "remote" => Some(InterpreterUsed::Remote),
                                "family" => Some(InterpreterUsed::FamilyMember { who: String::new() }),
                                _ => None,
                            };
                        }) }
                    if let Some(InterpreterUsed::FamilyMember { who }) = &record.used {
                        p { class: "flag", "A family member interpreted. Your manager will see this flagged." }
                        label { r#for: "interp-who-{i}", "Which family member?" }
                        TextInput { id: "interp-who-{i}", r#type: "text", value: who.clone(),
                            oninput: move |text| editor.edit(&format!("interpreters[{i}]"), |d| if let Some(r) = d.interpreters.get_mut(i) {
                                r.used = Some(InterpreterUsed::FamilyMember { who: text });
                            }) }
                        FieldProblems { problems: problems.clone(), field: "interpreters[{i}].used.who" }
                    }
                    if record.needed && record.used.is_none() {
                        label { r#for: "interp-why-{i}", "Why was no interpreter used?" }
                        TextInput { id: "interp-why-{i}", r#type: "text", value: record.not_used_reason.clone().unwrap_or_default(),
                            oninput: move |text| editor.edit(&format!("interpreters[{i}]"), |d| if let Some(r) = d.interpreters.get_mut(i) { r.not_used_reason = Some(text); }) }
                        FieldProblems { problems: problems.clone(), field: "interpreters[{i}].not_used_reason" }
                    }
                }
            }
            // Everyone present can have interpreting recorded, not only the child: each person on
            // the record not yet listed has a button, and one nobody has considered is flagged.
            for (person, label, considered, button_id) in unlisted.clone() {
                div { key: "{label}", class: "row",
                    if !considered {
                        p { class: "flag", "Interpreting for {label} has not been considered. If they are here, record it." }
                    }
                    button { r#type: "button", class: "add-interpreting", id: "{button_id}",
                        "data-person": "{label}",
                        onclick: move |_| {
                            let person = person.clone();
                            editor.edit("interpreters", move |d| d.interpreters.push(InterpreterRecord {
                                person, needed: false, language: None, used: None, not_used_reason: None,
                            }))
                        },
                        "Record interpreting for {label}" }
                }
            }
        }
    }
}
