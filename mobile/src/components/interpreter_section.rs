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
            .unwrap_or_else(|| "A parent or carer no longer on the record".to_owned()),
    }
}

/// Whether a record is about a parent or carer the child's record no longer names (a sync
/// brought the record without them): such a record cannot be sent, only removed.
fn no_longer_on_record(child: &Child, person: &InterpretedPerson) -> bool {
    matches!(person, InterpretedPerson::Carer { carer_id } if child.carer(*carer_id).is_none())
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
                    // A sync brought the child's record without this person: say so, show the
                    // problem that holds the visit back, and let the worker remove the record.
                    if no_longer_on_record(&child, &record.person) {
                        p { class: "flag", id: "interpreting-gone-{i}",
                            "This parent or carer is no longer on {child.given_name}'s record. "
                            "This interpreting record cannot be sent: remove it to submit the visit." }
                        FieldProblems { problems: problems.clone(), field: "interpreters[{i}].person" }
                        button { r#type: "button", class: "wide", id: "remove-interpreting-{i}",
                            "aria-describedby": "interpreting-gone-{i}",
                            onclick: move |_| editor.edit("interpreters", |d| if i < d.interpreters.len() { d.interpreters.remove(i); }),
                            "Remove this interpreting record" }
                    }
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

#[cfg(test)]
mod tests {
    use dioxus::prelude::*;
    use shared::{Child, InterpretedPerson, InterpreterRecord};

    use super::InterpreterSection;
    use crate::components::editor_harness::{build, draft, saved, use_test_editor};
    use crate::draft::VisitDraft;

    #[component]
    fn Form(draft: VisitDraft, child: Child) -> Element {
        let draft = use_test_editor(draft);
        let Some(shown) = draft.read().clone() else { return rsx! {} };
        let problems = shown.problems(fixtures::at("2026-12-07", 11).to_utc(), Some(&child));
        rsx! {
            InterpreterSection { child: child.clone(), records: shown.interpreters, problems }
        }
    }

    fn record(person: InterpretedPerson) -> InterpreterRecord {
        InterpreterRecord { person, needed: false, language: None, used: None, not_used_reason: None }
    }

    /// Interpreting was recorded for the father; a sync then brought the child's record
    /// without him. The worker removes that record with one tap, and the visit can be sent.
    #[test]
    fn a_record_for_a_carer_no_longer_on_the_childs_record_is_removed_with_its_button() {
        let with_father = fixtures::child(fixtures::CHILD);
        let mut draft = draft();
        draft.interpreters = vec![
            record(InterpretedPerson::Child),
            record(InterpretedPerson::Carer { carer_id: fixtures::fixed(fixtures::CARER) }),
        ];
        let without = Child { carers: vec![], ..with_father };
        let now = fixtures::at("2026-12-07", 11).to_utc();
        assert!(draft.problems(now, Some(&without)).has("interpreters[1].person"), "held back");

        let mut form = build(Form, FormProps { draft, child: without.clone() });
        let remove = form.one("click");
        form.click(remove);

        let saved = saved();
        let last = saved.last().expect("the change was saved on the phone");
        assert_eq!(
            last.interpreters,
            vec![record(InterpretedPerson::Child)],
            "only the child's record stays"
        );
        assert!(
            !last.problems(now, Some(&without)).has("interpreters[1].person"),
            "nothing holds it back now"
        );
        let html = form.html();
        assert!(!html.contains("no longer on"), "the box is gone: {html}");
    }
}
