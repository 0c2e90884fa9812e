//! The child's words, entered as separate quotes and kept apart from the worker's account.

use dioxus::prelude::*;
use shared::ValidationErrors;

use super::FieldProblems;
use crate::app::editor::DraftEditor;

/// Quick entry: type what the child said, add it, and it becomes its own quote.
#[component]
pub fn QuoteEntry(quotes: Vec<String>, problems: ValidationErrors) -> Element {
    let editor = use_context::<DraftEditor>();
    let mut typing = use_signal(String::new);
    let mut add = move || {
        let text = typing.read().trim().to_owned();
        if !text.is_empty() {
            editor.edit("child_words", |d| d.child_words.push(text));
            typing.set(String::new());
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
            input { id: "new-quote", r#type: "text", value: "{typing}",
                oninput: move |e| typing.set(e.value()),
                onkeydown: move |e| if e.key() == Key::Enter { e.prevent_default(); add(); } }
            button { r#type: "button", class: "wide", id: "add-quote", style: "margin-top:8px",
                onclick: move |_| add(), "Add quote" }
        }
    }
}
