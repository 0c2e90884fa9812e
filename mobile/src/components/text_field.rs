//! Every box the app's users type into: one component, so that no keystroke is ever lost.
//!
//! Why it exists: Dioxus 0.7 declares `value` on `input` and `textarea` *volatile*, so it is
//! written to the page on every render of the component that holds the field, and the page
//! script then sets the field's text whenever it differs. Over the liveview websocket (and the
//! desktop webview's IPC) the app renders in answer to keystroke N while keystrokes N+1, N+2…
//! are already in the field, so a "controlled" field (`value: "{state}"`) is set back to older
//! text and those keystrokes vanish: at 30 ms between keys, 15 to 32 characters of 44 were lost,
//! and the damaged text was what the phone saved.
//!
//! So the page owns the text while the worker types. The field is given its text once, when it
//! appears (`initial_value`, the element's default value, which the browser never applies to a
//! field the user has typed in, and which is only written when it changes); every input event
//! carries the whole text, in order, to `oninput`, so the state (and the draft saved on the
//! phone) is exactly what is on screen. To put new text in a field from the app (a cleared
//! PIN after a wrong try), give it a new `key`, which makes a new field.

use dioxus::prelude::*;

/// A one-line text box (any `type` that holds typed text: text, password, url, date…).
///
/// `value` is the text it starts with; later changes to it are ignored (see the module docs).
/// Every other attribute (`id`, `type`, `aria-invalid`, `autocomplete`, `disabled`…) is passed
/// on to the `input` element.
#[component]
pub fn TextInput(
    value: String,
    oninput: EventHandler<String>,
    /// Called for every key pressed in the box (for example Enter to add a quote).
    onkeydown: Option<EventHandler<KeyboardEvent>>,
    #[props(extends = GlobalAttributes, extends = input)] attributes: Vec<Attribute>,
) -> Element {
    // The text the field started with, kept so that a re-render never writes anything new.
    let initial = use_hook(|| value.clone());
    rsx! {
        input {
            initial_value: "{initial}",
            oninput: move |e| oninput.call(e.value()),
            onkeydown: move |e| if let Some(handler) = onkeydown { handler.call(e) },
            ..attributes,
        }
    }
}

/// A text box of several lines. The same rules as [`TextInput`].
#[component]
pub fn TextArea(
    value: String,
    oninput: EventHandler<String>,
    #[props(extends = GlobalAttributes, extends = textarea)] attributes: Vec<Attribute>,
) -> Element {
    let initial = use_hook(|| value.clone());
    rsx! {
        textarea {
            initial_value: "{initial}",
            oninput: move |e| oninput.call(e.value()),
            ..attributes,
        }
    }
}
