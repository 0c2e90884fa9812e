//! The worker's own version of a visit in conflict, beside the amendment that starts from the
//! server's version ("Look at both versions and amend"), so nothing the worker recorded (the
//! child's words above all) is left out without their seeing it.

use dioxus::prelude::*;
use shared::{Seen, SeenAlone, Visit};

use crate::app::editor::DraftEditor;
use crate::draft::VisitDraft;

/// Whether the form holds what the worker's version says, in words: never colour alone.
fn mark(in_form: bool) -> &'static str {
    if in_form { "✓ In the form" } else { "⚠ Not in the form" }
}

fn seen_words(seen: &Seen) -> String {
    match seen {
        Seen::Yes => "Yes".to_owned(),
        Seen::No { reason } => format!("No: {reason}"),
    }
}

fn seen_alone_words(seen_alone: &Option<SeenAlone>) -> String {
    match seen_alone {
        None => "Not asked".to_owned(),
        Some(SeenAlone::Yes) => "Yes".to_owned(),
        Some(SeenAlone::No { reason, present, .. }) => {
            format!("No: {reason}. Present: {}", present.join(", "))
        }
    }
}

/// Whether the form says the same about being seen, and being seen alone.
fn seen_as_in_form(draft: &VisitDraft, yours: &Visit) -> (bool, bool) {
    let seen = match &yours.seen {
        Seen::Yes => draft.seen == Some(true),
        Seen::No { .. } => draft.seen == Some(false),
    };
    let alone = match &yours.seen_alone {
        None => draft.seen_alone.is_none() || draft.seen != Some(true),
        Some(SeenAlone::Yes) => draft.seen_alone == Some(true),
        Some(SeenAlone::No { .. }) => draft.seen_alone == Some(false),
    };
    (seen, alone)
}

/// One of the worker's texts, with whether the form holds it.
#[component]
fn OwnText(title: String, text: String, in_form: String) -> Element {
    rsx! {
        h3 { "{title}" }
        if text.trim().is_empty() {
            p { class: "muted", "Nothing written." }
        } else {
            p { class: "own-text", style: "white-space:pre-wrap", "{text}" }
            p { class: "hint", "{mark(in_form.trim().contains(text.trim()))}" }
        }
    }
}

/// The worker's own version, what differs from the form marked in words. Each of its quotes
/// the form does not hold can be added to the form with one tap; the other texts are there to
/// read and carry over.
#[component]
pub fn OwnVersion(yours: Visit) -> Element {
    let editor = use_context::<DraftEditor>();
    let Some(draft) = editor.draft.read().clone() else { return rsx! {} };
    let (seen_same, alone_same) = seen_as_in_form(&draft, &yours);
    rsx! {
        section { class: "card", id: "your-version", "aria-labelledby": "your-version-title",
            h2 { id: "your-version-title", "Your own version" }
            p { class: "hint",
                "The version you sent, kept on this phone until this amendment is submitted. "
                "The form starts from the version on the server: carry over what it needs." }
            p { "Seen: {seen_words(&yours.seen)} " span { class: "hint", "{mark(seen_same)}" } }
            p { "Seen alone: {seen_alone_words(&yours.seen_alone)} " span { class: "hint", "{mark(alone_same)}" } }
            h3 { "What the child said, in their words" }
            if yours.child_words.is_empty() {
                p { class: "muted", "No quotes." }
            }
            // Not `.quotes`: that list is the form's own.
            ul { class: "own-quotes", "aria-label": "Quotes in your own version",
                for (i, quote) in yours.child_words.iter().map(|q| q.text.clone()).enumerate() {
                    li { key: "{i}",
                        blockquote { class: "own-quote", "{quote}" }
                        if draft.child_words.iter().any(|w| w.trim() == quote.trim()) {
                            p { class: "hint", "{mark(true)}" }
                        } else {
                            p { class: "hint", "{mark(false)}" }
                            button { r#type: "button", class: "wide", id: "carry-quote-{i}",
                                onclick: move |_| {
                                    let quote = quote.clone();
                                    editor.edit("child_words", move |d| {
                                        if !d.child_words.iter().any(|w| w.trim() == quote.trim()) {
                                            d.child_words.push(quote);
                                        }
                                    })
                                },
                                "Add this quote to the form" }
                        }
                    }
                }
            }
            OwnText { title: "The child's views, wishes and feelings", text: yours.child_views.clone(), in_form: draft.child_views.clone() }
            OwnText { title: "Facts", text: yours.observations.facts.clone(), in_form: draft.facts.clone() }
            OwnText { title: "Concerns", text: yours.observations.concerns.clone(), in_form: draft.concerns.clone() }
        }
    }
}

#[cfg(test)]
mod tests {
    use dioxus::prelude::*;
    use shared::Visit;

    use super::OwnVersion;
    use crate::components::editor_harness::{build, saved, use_test_editor};
    use crate::draft::VisitDraft;

    #[component]
    fn Form(draft: VisitDraft, yours: Visit) -> Element {
        use_test_editor(draft);
        rsx! { OwnVersion { yours } }
    }

    /// The worker's quote the server's version lacks is added to the amendment with one tap,
    /// saved on the phone like any other change, and then marked as in the form.
    #[test]
    fn a_quote_only_in_the_workers_version_is_carried_into_the_form_with_one_tap() {
        let child = fixtures::child(fixtures::CHILD);
        let start = fixtures::at("2026-12-07", 10);
        let mine = Visit {
            child_words: fixtures::words(&["Dad hit me", "I like my school"]),
            ..fixtures::visit(child.id, fixtures::fixed(fixtures::KEY_WORKER), start)
        };
        let theirs = Visit { child_words: fixtures::words(&["I like my school"]), ..mine.clone() };
        let draft = VisitDraft::amend(&theirs, "Merging", start.to_utc());
        let mut form = build(Form, FormProps { draft, yours: mine });
        let add = form.one("click");
        form.click(add);

        assert_eq!(saved().last().expect("saved").child_words, ["I like my school", "Dad hit me"]);
        let html = form.html();
        assert!(!html.contains("Not in the form"), "{html}");
        assert!(!html.contains("Add this quote to the form"), "{html}");
    }
}
