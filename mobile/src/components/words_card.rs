//! The child's recent words, each as its own quote with the date it was said.

use dioxus::prelude::*;
use shared::sync::DatedQuote;

use crate::app::model::format_date;

/// "What the child said" from recent visits, newest first.
#[component]
pub fn WordsCard(words: Vec<DatedQuote>) -> Element {
    rsx! {
        div { class: "card", id: "recent-words",
            h3 { "What the child said, in their words" }
            if words.is_empty() {
                p { class: "muted", "No words recorded from recent visits." }
            }
            ul { class: "quotes",
                for (i, quote) in words.iter().enumerate() {
                    li { key: "{i}",
                        blockquote { "{quote.text}" }
                        span { class: "muted", "{format_date(Some(quote.date))}" }
                    }
                }
            }
        }
    }
}
