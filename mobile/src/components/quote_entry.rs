//! The child's words, entered as separate quotes and kept apart from the worker's account.

use dioxus::prelude::*;
use shared::ValidationErrors;

use super::{FieldProblems, TextInput};
use crate::app::editor::DraftEditor;

/// Quick entry: type what the child said, add it, and it becomes its own quote.
///
/// The box is a [`TextInput`]: the page owns its text while the worker types. Every keystroke
/// goes into the draft (`typed_quote`) through the [`DraftEditor`], as in every other box, so
/// the words being typed are saved on the phone and are in the box again when the draft
/// reopens; `typed` is what the box starts with. Adding a quote takes the text the app last
/// heard from the box, then asks the page to remove exactly that text from the front of the
/// box, so anything typed after "Add" stays in the box, not lost.
#[component]
pub fn QuoteEntry(
    quotes: Vec<String>,
    /// Words typed in the box but not yet added, as the draft holds them.
    #[props(default)]
    typed: String,
    problems: ValidationErrors,
) -> Element {
    let editor = use_context::<DraftEditor>();
    let add = move || {
        let typed = editor.draft.peek().as_ref().map(|d| d.typed_quote.clone()).unwrap_or_default();
        let text = typed.trim().to_owned();
        if !text.is_empty() {
            editor.edit("child_words", |d| {
                d.child_words.push(text);
                d.typed_quote.clear();
            });
            // What the box held when the quote was added, as a JavaScript string literal.
            let added = serde_json::to_string(&typed).unwrap_or_default();
            spawn(async move {
                let _ = document::eval(&format!(
                    "(() => {{
                       const box = document.getElementById('new-quote');
                       const added = {added};
                       if (box && box.value.startsWith(added)) {{
                         box.value = box.value.slice(added.length);
                         box.dispatchEvent(new Event('input', {{ bubbles: true }}));
                       }}
                     }})();"
                ))
                .await;
            });
        }
    };
    rsx! {
        div { class: "card", id: "child-words",
            h2 { "What the child said, in their words" }
            p { class: "hint", "One quote at a time, exactly as said. Each is kept as its own quote." }
            ul { class: "quotes", "aria-label": "Quotes",
                for (i, quote) in quotes.iter().enumerate() {
                    li { key: "{i}",
                        blockquote { class: "quote", "{quote}" }
                        button { r#type: "button", "aria-label": "Remove quote {i + 1}",
                            onclick: move |_| editor.edit("child_words", |d| { if i < d.child_words.len() { d.child_words.remove(i); } }),
                            "Remove" }
                        // A quote's own problem (over its length bound) shows under it.
                        FieldProblems { problems: problems.clone(), field: "child_words[{i}]" }
                    }
                }
            }
            FieldProblems { problems: problems.clone(), field: "child_words" }
            label { r#for: "new-quote", "Add what the child said" }
            // Saved as typed, but not yet "touched": the words typed are not a problem to show
            // under the quotes until the worker adds, removes or reviews.
            TextInput { id: "new-quote", r#type: "text", value: typed,
                oninput: move |text| editor.edit("new_quote", |d| d.typed_quote = text),
                onkeydown: move |e: KeyboardEvent| if e.key() == Key::Enter { e.prevent_default(); add(); } }
            button { r#type: "button", class: "wide", id: "add-quote", style: "margin-top:8px",
                onclick: move |_| add(), "Add quote" }
        }
    }
}

#[cfg(test)]
mod tests {
    use dioxus::prelude::*;
    use shared::ValidationErrors;

    use super::QuoteEntry;
    use crate::components::editor_harness::{Built, build, draft, saved, use_test_editor};
    use crate::draft::VisitDraft;

    #[component]
    fn Form(draft: VisitDraft) -> Element {
        let draft = use_test_editor(draft);
        let Some(shown) = draft.read().clone() else { return rsx! {} };
        rsx! {
            QuoteEntry { quotes: shown.child_words, typed: shown.typed_quote, problems: ValidationErrors::default() }
        }
    }

    fn open(draft: VisitDraft) -> Built {
        build(Form, FormProps { draft })
    }

    /// The child's words being typed are saved on the phone with every keystroke, as every
    /// other box is: killed mid-quote, the app has them; they are not yet a quote.
    #[test]
    fn every_keystroke_in_the_quote_box_is_saved_with_the_draft() {
        let mut form = open(draft());
        let the_box = form.one("input");
        form.type_text(the_box, "My tummy hurts");

        let saved = saved();
        assert_eq!(saved.len(), "My tummy hurts".len(), "one save per keystroke");
        assert_eq!(saved[2].typed_quote, "My ");
        let last = saved.last().expect("saved");
        assert_eq!(last.typed_quote, "My tummy hurts");
        assert!(last.child_words.is_empty(), "typed, not added");
    }

    /// A draft reopened (after the app was killed, or back from the review) has the words in
    /// the box again.
    #[test]
    fn words_typed_before_are_in_the_box_when_the_draft_reopens() {
        let mut kept = draft();
        kept.typed_quote = "I do not want to go".into();
        let html = open(kept).html();
        let at = html.find("id=\"new-quote\"").expect("the quote box");
        let the_box = &html[html[..at].rfind('<').expect("its tag")..];
        let the_box = &the_box[..the_box.find('>').expect("its tag")];
        assert!(
            the_box.contains("initial_value=\"I do not want to go\""),
            "the box starts with the words kept: {the_box}"
        );
    }

    /// Adding takes the words from the draft, makes them a quote and empties the box's field.
    #[test]
    fn adding_makes_the_typed_words_a_quote_and_clears_them_from_the_draft() {
        let mut form = open(draft());
        let the_box = form.one("input");
        form.type_text(the_box, " Mum shouts ");
        let add = form.one("click");
        form.click(add);

        let last = saved().pop().expect("saved");
        assert_eq!(last.child_words, ["Mum shouts"]);
        assert_eq!(last.typed_quote, "");
        assert!(form.html().contains("Mum shouts"), "shown as a quote");
    }
}
