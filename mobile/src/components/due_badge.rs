//! A child's due state in words and an icon, never colour alone.

use dioxus::prelude::*;
use shared::DueState;

/// The CSS class and the icon for a due state. The icon differs by state too, so that the
/// state can be told apart without colour and without reading.
pub fn due_look(due: Option<&DueState>) -> (&'static str, &'static str) {
    match due {
        Some(DueState::Overdue { .. }) => ("overdue", "⚠"),
        Some(DueState::DueToday { .. }) => ("today", "◉"),
        Some(DueState::DueSoon { .. }) => ("soon", "◔"),
        Some(DueState::OnTrack { .. }) => ("ok", "✓"),
        None => ("none", "–"),
    }
}

/// "⚠ Overdue by 3 working days", "◉ Due today", and so on.
#[component]
pub fn DueBadge(due: Option<DueState>) -> Element {
    let (class, icon) = due_look(due.as_ref());
    let words = due.map(|d| d.describe()).unwrap_or_else(|| "No plan in force".to_owned());
    rsx! {
        span { class: "due {class}", "data-due": class,
            span { "aria-hidden": "true", "{icon}" }
            span { "{words}" }
        }
    }
}
