//! What a photo shows, in words, saved on the phone as the worker types.

use dioxus::prelude::*;
use futures::StreamExt;
use shared::ChildId;

use super::TextInput;
use crate::app::Services;

/// The caption of one photo on the open visit. Changes are saved in order, newest last, by one
/// task, so a slow save can never overwrite a newer caption.
#[component]
pub fn PhotoCaption(child: ChildId, sha256: String, caption: String, number: usize) -> Element {
    let services = use_context::<Services>();
    let mut problem = use_signal(|| None::<String>);
    let saver = use_coroutine(move |mut captions: UnboundedReceiver<String>| {
        let services = services.clone();
        let sha256 = sha256.clone();
        async move {
            while let Some(mut latest) = captions.next().await {
                while let Ok(newer) = captions.try_recv() {
                    latest = newer;
                }
                let saved = services.caption_photo(child, sha256.clone(), latest).await;
                problem.set(saved.err().map(|e| e.to_string()));
            }
        }
    });
    let field = format!("caption-{number}");
    rsx! {
        label { r#for: "{field}", "What photo {number} shows" }
        TextInput { id: "{field}", r#type: "text", value: caption.clone(),
            oninput: move |typed: String| saver.send(typed) }
        if let Some(why) = problem.read().clone() { p { class: "problem", role: "alert", "{why}" } }
    }
}
