//! The visit form around one open draft, with the task that saves it durably after every
//! change (always the newest version), so a draft survives the app being killed mid-visit.

use dioxus::prelude::*;
use futures::StreamExt;
use shared::Child;

use super::{SaveIndicator, VisitForm};
use crate::app::Services;
use crate::app::editor::DraftEditor;
use crate::draft::VisitDraft;
use crate::routes::Route;

/// Whether the draft on screen is safely on the phone.
#[derive(Clone, Debug, PartialEq)]
pub enum SaveState {
    /// Nothing changed since the screen opened.
    Unchanged,
    /// A change is being written.
    Saving,
    /// Durable on the phone.
    Saved,
    /// Could not be written; the message says why.
    Failed(String),
}

/// The form around one open draft, with the task that saves it after every change.
#[component]
pub fn VisitEditor(
    draft: VisitDraft,
    child: Child,
    /// A manager's standing word that the child must be seen alone.
    #[props(default)]
    instruction: Option<shared::SeenAloneInstruction>,
    /// A manager's standing decisions that the child need not be seen alone.
    #[props(default)]
    decisions: Vec<shared::SeenAloneDecision>,
) -> Element {
    let id = child.id;
    let mut save_state = use_signal(|| SaveState::Unchanged);
    let services = use_context::<Services>();
    let saver = use_coroutine(move |mut drafts: UnboundedReceiver<VisitDraft>| {
        let services = services.clone();
        async move {
            let mut next = drafts.next().await;
            while let Some(mut latest) = next {
                // Only the newest version matters: skip any already superseded.
                while let Ok(newer) = drafts.try_recv() {
                    latest = newer;
                }
                save_state.set(SaveState::Saving);
                let saved = services.save_draft(latest).await;
                // A newer version typed meanwhile: keep saying "Saving" until that one is kept,
                // so "Saved on this phone" always means the text on screen.
                if let Ok(newer) = drafts.try_recv() {
                    next = Some(newer);
                    continue;
                }
                match saved {
                    Ok(()) => save_state.set(SaveState::Saved),
                    Err(e) => save_state.set(SaveState::Failed(e.to_string())),
                }
                next = drafts.next().await;
            }
        }
    });
    let draft_signal = use_signal(|| Some(draft));
    let touched = use_signal(Vec::new);
    use_context_provider(|| DraftEditor {
        draft: draft_signal,
        touched,
        on_change: Callback::new(move |d: VisitDraft| saver.send(d)),
    });
    let photos = draft_signal.read().as_ref().map(|d| d.attachments.len()).unwrap_or(0);
    rsx! {
        h2 { id: "screen-title", "Visit to {child.display_name()}" }
        SaveIndicator { state: save_state.read().clone() }
        VisitForm { child: child.clone(), instruction, decisions }
        div { class: "sticky-actions",
            Link { class: "button", to: Route::Photos { id }, id: "photos-link", "Photos ({photos})" }
            Link { class: "button primary", to: Route::VisitReview { id }, id: "review", "Review and submit" }
        }
    }
}
