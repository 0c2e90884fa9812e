//! The visit form, in the order a visit happens. Every change is saved on the phone at once,
//! and each field's problems show right under it as soon as the worker has touched it.

use dioxus::prelude::*;
use shared::{Announcement, Child, HarmCategory, ValidationErrors, VisitKind, WorkerCapacity};

use super::{
    Choice, DateInput, DateOrderHint, FieldProblems, InterpreterSection, OwnVersion, QuoteEntry,
    SeenAloneBanner, TextArea, TextInput, Tick, YesNo, options, standing_decision_words,
};
use crate::app::editor::DraftEditor;
use crate::app::model::format_date;

/// The visit form for `child`. Reads the draft and the editor from context (see
/// [`DraftEditor`]).
#[component]
pub fn VisitForm(
    child: Child,
    /// A manager's standing word that the child must be seen alone: said before the first
    /// question, and again where the worker says why not.
    #[props(default)]
    instruction: Option<shared::SeenAloneInstruction>,
    /// A manager's standing decisions that the child need not be seen alone: one covering the
    /// visit's date is named where the worker says why not, as nothing then goes to the manager.
    #[props(default)]
    decisions: Vec<shared::SeenAloneDecision>,
) -> Element {
    let editor = use_context::<DraftEditor>();
    let Some(draft) = editor.draft.read().clone() else {
        return rsx! { p { "Opening the visit…" } };
    };
    let all = draft.problems(editor.now(), Some(&child));
    let shown = ValidationErrors(all.0.iter().filter(|p| editor.shows(&p.field)).cloned().collect());
    let started = draft.started_at.format("%Y-%m-%dT%H:%M").to_string();
    let ended = draft.ended_at.map(|e| e.format("%H:%M").to_string());
    let present = draft.present.join(", ");
    let suggested = draft.suggested_next_visit(&child);
    let next = draft.next_visit_planned.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default();
    let actions = child.plan.as_ref().map(|p| p.actions.clone()).unwrap_or_default();
    let harms = child.plan.as_ref().map(|p| p.harms.clone()).unwrap_or_default();
    let covered = shared::SeenAloneDecision::covering(&decisions, draft.started_at.date_naive())
        .map(|d| standing_decision_words(d, &child.given_name));
    let due_at_start =
        draft.due_state_at_start.map(|d| d.describe()).unwrap_or_else(|| "not on a plan in force".to_owned());

    rsx! {
        form { id: "visit-form", onsubmit: move |e| e.prevent_default(),
            // An amendment says why the record is changing, before anything else.
            if draft.is_amendment() {
                div { class: "card", id: "amendment",
                    p { class: "banner warn", "You are changing a visit already submitted. The first version is kept." }
                    label { r#for: "amendment-reason", "Why is this record being changed?" }
                    TextArea { id: "amendment-reason", aria_invalid: shown.has("amendment_reason"),
                        value: draft.amendment_reason.clone().unwrap_or_default(),
                        oninput: move |text| editor.edit("amendment_reason", |d| d.amendment_reason = Some(text)) }
                    FieldProblems { problems: shown.clone(), field: "amendment_reason" }
                }
            }
            // Amending a visit in conflict: the worker's own version, kept on the phone, beside
            // the form that starts from the server's.
            if let Some(yours) = draft.own_version.clone() {
                OwnVersion { yours }
            }
            if let Some(said) = instruction.clone() {
                SeenAloneBanner { said, given_name: child.given_name.clone(), id: "visit-seen-alone-instruction" }
            }
            // 1. Seen? The answers that matter most come first and are the quickest to give.
            YesNo { id: "seen", question: "Was {child.given_name} seen?", answer: draft.seen,
                onanswer: move |yes| editor.edit("seen", |d| d.seen = Some(yes)) }
            FieldProblems { problems: shown.clone(), field: "seen" }
            if draft.seen == Some(false) {
                div { class: "card",
                    label { r#for: "not-seen-reason", "Why was the child not seen?"
                        span { class: "hint", "For example: no answer at the door; child at grandparents." } }
                    TextArea { id: "not-seen-reason", aria_invalid: shown.has("seen.reason"),
                        value: draft.not_seen_reason.clone(),
                        oninput: move |text| editor.edit("seen.reason", |d| d.not_seen_reason = text) }
                    FieldProblems { problems: shown.clone(), field: "seen.reason" }
                    p { class: "muted", "A statutory visit where the child is not seen counts as a missed visit. Your manager will be told." }
                }
            }

            // 2. Seen alone? Only asked when the child was seen.
            if draft.seen == Some(true) {
                YesNo { id: "seen-alone", question: "Was {child.given_name} seen alone?", answer: draft.seen_alone,
                    onanswer: move |yes| editor.edit("seen_alone", |d| d.seen_alone = Some(yes)) }
                FieldProblems { problems: shown.clone(), field: "seen_alone" }
                if draft.seen_alone == Some(false) {
                    div { class: "card", id: "not-alone",
                        if let Some(said) = instruction.as_ref() {
                            p { class: "banner warn", id: "not-alone-against",
                                "{said.by} decided that {child.given_name} must be seen alone."
                                if covered.is_none() { " Your manager will be told." } }
                        }
                        label { r#for: "not-alone-reason", "Why was the child not seen alone?" }
                        TextArea { id: "not-alone-reason", aria_invalid: shown.has("seen_alone.reason"),
                            value: draft.not_alone_reason.clone(),
                            oninput: move |text| editor.edit("seen_alone.reason", |d| d.not_alone_reason = text) }
                        FieldProblems { problems: shown.clone(), field: "seen_alone.reason" }
                        label { r#for: "present", "Who was present?"
                            span { class: "hint", "Separate people with commas, for example: mother, stepfather." } }
                        TextInput { id: "present", r#type: "text", aria_invalid: shown.has("seen_alone.present"),
                            value: present,
                            oninput: move |text: String| editor.edit("seen_alone.present", |d| {
                                d.present = text.split(',').map(|p| p.trim().to_owned()).filter(|p| !p.is_empty()).collect();
                            }) }
                        FieldProblems { problems: shown.clone(), field: "seen_alone.present" }
                        label { class: "check", r#for: "manager-agreed",
                            Tick { id: "manager-agreed", checked: draft.manager_agreed,
                                onchange: move |agreed| editor.edit("seen_alone", |d| d.manager_agreed = agreed) }
                            "A manager agreed the child need not be seen alone"
                        }
                        if let Some(words) = covered.clone() {
                            p { class: "muted", id: "not-alone-covered",
                                "{words} This visit is covered, so nothing goes to your manager." }
                        } else if !draft.manager_agreed {
                            p { class: "muted", "Your manager will be asked to agree or disagree." }
                        }
                    }
                }
            }

            // 3. The child's words and views.
            if draft.seen != Some(false) {
                QuoteEntry { quotes: draft.child_words.clone(), typed: draft.typed_quote.clone(), problems: shown.clone() }
                div { class: "card",
                    label { r#for: "child-views", "The child's views, wishes and feelings"
                        span { class: "hint", "As you understood them, in your words." } }
                    TextArea { id: "child-views", value: draft.child_views.clone(),
                        oninput: move |text| editor.edit("child_views", |d| d.child_views = text) }
                    FieldProblems { problems: shown.clone(), field: "child_views" }
                }
            }

            // 4. Interpreter, pre-filled from the child's recorded needs.
            InterpreterSection { child: child.clone(), records: draft.interpreters.clone(), problems: shown.clone() }

            // 5. What was observed: facts apart from concerns.
            div { class: "card",
                h2 { "What you observed" }
                label { r#for: "facts", "Facts"
                    span { class: "hint", "What you saw or heard. Only what happened." } }
                // Touched, and checked, under the shared rules' own names for the boxes.
                TextArea { id: "facts", value: draft.facts.clone(),
                    oninput: move |text| editor.edit("observations.facts", |d| d.facts = text) }
                FieldProblems { problems: shown.clone(), field: "observations.facts" }
                label { r#for: "concerns", "Concerns"
                    span { class: "hint", "What you worry about, and why." } }
                TextArea { id: "concerns", value: draft.concerns.clone(),
                    oninput: move |text| editor.edit("observations.concerns", |d| d.concerns = text) }
                FieldProblems { problems: shown.clone(), field: "observations.concerns" }
            }

            // 6. The visit's purpose: plan actions worked on, or a stated purpose; and harms.
            div { class: "card", id: "purpose-section",
                h2 { "What was this visit for?" }
                p { class: "hint", "Tick the plan actions it worked on, or write its purpose, or both." }
                if actions.is_empty() { p { class: "muted", "The plan has no actions recorded." } }
                for action in actions {
                    label { key: "{action.id}", class: "check",
                        Tick { checked: draft.plan_actions.contains(&action.id),
                            onchange: move |ticked| editor.edit("purpose", |d| {
                                d.plan_actions.retain(|a| *a != action.id);
                                if ticked { d.plan_actions.push(action.id); }
                            }) }
                        "{action.description}"
                    }
                }
                FieldProblems { problems: shown.clone(), field: "plan_actions" }
                label { r#for: "purpose", "Purpose of the visit"
                    span { class: "hint", "For example: to talk with Mia about school; to check the home is warm." } }
                TextArea { id: "purpose", aria_invalid: shown.has("purpose"), value: draft.purpose.clone(),
                    oninput: move |text| editor.edit("purpose", |d| d.purpose = text) }
                FieldProblems { problems: shown.clone(), field: "purpose" }
                h3 { "Harms addressed" }
                for harm in harms {
                    label { key: "{harm.label()}", class: "check",
                        Tick { checked: draft.harms_addressed.contains(&harm),
                            onchange: move |ticked| editor.edit("harms_addressed", |d| toggle_harm(&mut d.harms_addressed, harm, ticked)) }
                        "{harm.label()}"
                    }
                }
            }

            // 7. The visit's details: where, what kind, announced, when.
            div { class: "card",
                h2 { "About the visit" }
                p { class: "muted", id: "visit-context",
                    "You are visiting as {capacity_words(draft.capacity)}. "
                    "When the visit started, {child.given_name} was: {due_at_start}."
                }
                label { r#for: "location", "Where did the visit take place?"
                    span { class: "hint", "For example: family home, school." } }
                TextInput { id: "location", r#type: "text", aria_invalid: shown.has("location"), value: draft.location.clone(),
                    oninput: move |text| editor.edit("location", |d| d.location = text) }
                FieldProblems { problems: shown.clone(), field: "location" }
                label { r#for: "kind", "Kind of visit" }
                Choice { id: "kind",
                    value: if draft.kind == VisitKind::Other { "other" } else { "statutory" },
                    options: options(&[("statutory", "Statutory visit"), ("other", "Other visit")]),
                    onchange: move |choice: String| editor.edit("kind", |d| d.kind = if choice == "other" { VisitKind::Other } else { VisitKind::Statutory }) }
                label { r#for: "announced", "Did the family know you were coming?" }
                Choice { id: "announced",
                    value: match draft.announced {
                        None => "",
                        Some(Announcement::Announced) => "announced",
                        Some(Announcement::Unannounced) => "unannounced",
                    },
                    options: options(&[("", "Choose…"), ("announced", "Yes, announced"), ("unannounced", "No, unannounced")]),
                    onchange: move |choice: String| editor.edit("announced", |d| d.announced = match choice.as_str() {
                        "announced" => Some(Announcement::Announced),
                        "unannounced" => Some(Announcement::Unannounced),
                        _ => None,
                    }) }
                FieldProblems { problems: shown.clone(), field: "announced" }
                label { r#for: "started-at", "Visit started"
                    DateOrderHint { with_time: true } }
                DateInput { id: "started-at", with_time: true, value: started,
                    oninput: move |text: String| editor.edit("started_at", |d| d.start_at_typed(&editor.clock, &text)) }
                FieldProblems { problems: shown.clone(), field: "started_at" }
                label { r#for: "ended-now", "Visit ended" }
                div { class: "row",
                    span { class: "muted", id: "ended-at", "{ended.clone().unwrap_or_else(|| \"Not yet\".to_owned())}" }
                    button { r#type: "button", id: "ended-now",
                        onclick: move |_| editor.edit("ended_at", |d| d.end_now(editor.clock.local(editor.now()))),
                        "The visit ended now" }
                }
                FieldProblems { problems: shown.clone(), field: "ended_at" }
            }

            // 8. The next visit, suggested from the schedule.
            div { class: "card",
                label { r#for: "next-visit", "Next visit planned for"
                    span { class: "hint", "Suggested from the schedule: {format_date(suggested)}." }
                    DateOrderHint {} }
                DateInput { id: "next-visit", value: next,
                    oninput: move |text: String| editor.edit("next_visit_planned", |d| {
                        d.next_visit_planned = chrono::NaiveDate::parse_from_str(&text, "%Y-%m-%d").ok();
                    }) }
                FieldProblems { problems: shown.clone(), field: "next_visit_planned" }
            }
        }
    }
}

fn capacity_words(capacity: WorkerCapacity) -> &'static str {
    match capacity {
        WorkerCapacity::KeyWorker => "the child's key worker",
        WorkerCapacity::DutyCover => "duty cover for the key worker",
        WorkerCapacity::Other => "another worker",
    }
}

fn toggle_harm(harms: &mut Vec<HarmCategory>, harm: HarmCategory, on: bool) {
    harms.retain(|h| *h != harm);
    if on {
        harms.push(harm);
    }
}
