//! The child's words, entered as separate quotes and kept apart from the worker's account.

use dioxus::prelude::*;
use shared::ValidationErrors;

use super::{FieldProblems, TextInput};
use crate::app::editor::DraftEditor;

/// Quick entry: type what the child said, add it, and it becomes its own quote.
///
/// The box is a [`TextInput`]: the page owns its text while the worker types. Adding a quote
/// takes the text the app last heard from the box, then asks the page to remove exactly that
/// text from the front of the box, so anything typed after "Add" stays in the box, not lost.
#[component]
pub fn QuoteEntry(quotes: Vec<String>, problems: ValidationErrors) -> Element {
    let editor = use_context::<DraftEditor>();
    let mut typing = use_signal(String::new);
    let mut add = move || {
        let typed = typing.read().clone();
        let text = typed.trim().to_owned();
        if !text.is_empty() {
            editor.edit("child_words", |d| d.child_words.push(text));
            typing.set(String::new());
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
                    }
                }
            }
            FieldProblems { problems: problems.clone(), field: "child_words" }
            label { r#for: "new-quote", "Add what the child said" }
            TextInput { id: "new-quote", r#type: "text", value: String::new(),
                oninput: move |text| typing.set(text),
                onkeydown: move |e: KeyboardEvent| if e.key() == Key::Enter { e.prevent_default(); add(); } }
            button { r#type: "button", class: "wide", id: "add-quote", style: "margin-top:8px",
                onclick: move |_| add(), "Add quote" }
        }
    }
}
