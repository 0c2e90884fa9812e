//! The visit form around one open draft. Every change is written on the phone as it is made,
//! and a task then flushes it to disk, so a draft survives the app being killed mid-visit.

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
    let keeper = services.clone();
    // Each change is written into the phone's store in the handler itself, before the next tap
    // is handled: a tap on "Review and submit" straight after the last key opens the review on
    // the text as typed. (Written from a task instead, the newest version could still be
    // waiting when the tap left this screen, and was lost with the screen.) This task then
    // makes the writes durable, one flush covering every change made meanwhile.
    let flusher = use_coroutine(move |mut changes: UnboundedReceiver<()>| {
        let services = services.clone();
        async move {
            while changes.next().await.is_some() {
                loop {
                    while changes.try_recv().is_ok() {}
                    let flushed = services.flush().await;
                    // A change made meanwhile: keep saying "Saving" until it too is on disk,
                    // so "Saved on this phone" always means the text on screen.
                    if changes.try_recv().is_ok() {
                        continue;
                    }
                    match flushed {
                        // Not over a write that failed meanwhile: that change is not kept.
                        Ok(()) if *save_state.peek() == SaveState::Saving => save_state.set(SaveState::Saved),
                        Ok(()) => {}
                        Err(e) => save_state.set(SaveState::Failed(e.to_string())),
                    }
                    break;
                }
            }
        }
    });
    // Leaving the form (to the review, say) ends that task: a change it had not yet flushed is
    // flushed by a task of the app's own.
    let leaving = keeper.clone();
    use_drop(move || leaving.flush_soon());
    let draft_signal = use_signal(|| Some(draft));
    let touched = use_signal(Vec::new);
    use_context_provider(|| DraftEditor {
        // Read once, as the form opens: it is not read again on every keystroke's render.
        clock: keeper.business_clock(),
        draft: draft_signal,
        touched,
        on_change: Callback::new(move |d: VisitDraft| match keeper.keep_draft(&d) {
            Ok(()) => {
                save_state.set(SaveState::Saving);
                flusher.send(());
            }
            Err(e) => save_state.set(SaveState::Failed(e.to_string())),
        }),
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
