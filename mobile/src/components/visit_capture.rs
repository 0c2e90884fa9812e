//! Capturing a visit: opens the child's draft (or starts one, pre-filled) and hands it to the
//! editor, which saves every change on the phone.

use dioxus::prelude::*;
use shared::ChildId;

use super::VisitEditor;
use crate::app::{Services, UiState};

/// The visit capture screen: opens (or starts) the draft, then hands it to the editor.
#[component]
pub fn VisitCapture(id: ChildId) -> Element {
    let services = use_context::<Services>();
    let asker = services.clone();
    // The copy kept on the phone opens the form at once, signal or not. With signal, the
    // server's replaces it as soon as it answers: a manager may have ended a standing decision
    // since the phone last asked (a refused visit reopened from the sync screen, say, or a
    // draft continued days later), and the form must not then say nothing goes to a manager.
    // It asks again after every sync, as a visit can last longer than a decision: without
    // signal then, the answer is the copy kept, which holds the server's last word.
    let ui = use_context::<UiState>();
    let asked = use_resource(use_reactive!(|id| {
        let services = asker.clone();
        let _reload = ui.data_version.read();
        async move { (id, services.seen_alone_decisions(id).await.ok()) }
    }));
    // So is what the phone holds: a manager's word that the child must be seen alone (one
    // given about an earlier visit while this one is under way reaches the worker while they
    // are still there), and the child's record (a carer who has moved in, whose interpreting
    // must be considered, or the plan as a conference reviewed it). Either unread, or the
    // child no longer on the phone, leaves what the form opened with.
    let reader = services.clone();
    let held = use_resource(use_reactive!(|id| {
        let services = reader.clone();
        let _reload = ui.data_version.read();
        async move { (id, services.seen_alone_instruction(id).ok(), services.child_now(id).ok().flatten()) }
    }));
    let opened = use_resource(use_reactive!(|id| {
        let services = services.clone();
        async move {
            let (draft, child) = services.open_draft(id).await?;
            // Not knowing it must not keep the visit from starting.
            let instruction = services.seen_alone_instruction(id).ok().flatten();
            let decisions = services.kept_seen_alone_decisions(id);
            Ok::<_, crate::app::services::UiError>((draft, child, instruction, decisions))
        }
    }))
    .suspend()?;
    let (draft, child, instruction, kept) = opened.read().clone()?;
    let (instruction, child) = match held.read().clone() {
        Some((read_for, told, record)) if read_for == id => {
            (told.unwrap_or(instruction), record.unwrap_or(child))
        }
        _ => (instruction, child),
    };
    let decisions = match asked.read().clone() {
        Some((asked_for, Some(fresh))) if asked_for == id => fresh,
        _ => kept,
    };
    rsx! { VisitEditor { key: "{draft.id}", draft, child, instruction, decisions } }
}
