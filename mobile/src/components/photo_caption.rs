//! What a photo shows, in words, saved on the phone as the worker types.

use dioxus::prelude::*;
use futures::StreamExt;
use shared::ChildId;

use super::TextInput;
use crate::app::Services;

/// The caption of one photo on the open visit. Each change is written on the phone in the key's
/// own handler, so a tap that leaves the screen straight after it cannot lose it (from a task,
/// the last keys were lost with the screen); a task then flushes it to disk.
#[component]
pub fn PhotoCaption(child: ChildId, sha256: String, caption: String, number: usize) -> Element {
    let services = use_context::<Services>();
    let keeper = services.clone();
    let mut problem = use_signal(|| None::<String>);
    let flusher = use_coroutine(move |mut changes: UnboundedReceiver<()>| {
        let services = services.clone();
        async move {
            while changes.next().await.is_some() {
                while changes.try_recv().is_ok() {}
                if let Err(e) = services.flush().await {
                    problem.set(Some(e.to_string()));
                }
            }
        }
    });
    let leaving = keeper.clone();
    use_drop(move || leaving.flush_soon());
    let keep = move |typed: String| match keeper.caption_photo(child, &sha256, typed) {
        Ok(()) => {
            problem.set(None);
            flusher.send(());
        }
        Err(e) => problem.set(Some(e.to_string())),
    };
    let field = format!("caption-{number}");
    rsx! {
        label { r#for: "{field}", "What photo {number} shows" }
        TextInput { id: "{field}", r#type: "text", value: caption.clone(),
            oninput: keep }
        if let Some(why) = problem.read().clone() { p { class: "problem", role: "alert", "{why}" } }
    }
}
