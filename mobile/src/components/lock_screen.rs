//! The lock screen: no child's name, no words, no photo. The PIN unlocks the phone's records.

use dioxus::prelude::*;
use shared::text::count;

use super::TextInput;
use crate::app::Services;

/// Shown while locked (and after the app has been idle for five minutes).
#[component]
pub fn LockScreen(attempts_left: u32) -> Element {
    let services = use_context::<Services>();
    let mut pin = use_signal(String::new);
    let mut problem = use_signal(|| None::<String>);
    let mut busy = use_signal(|| false);
    let mut tries = use_signal(|| 0u32);
    let submit = move |event: FormEvent| {
        event.prevent_default();
        let services = services.clone();
        let entered = pin.read().clone();
        busy.set(true);
        spawn(async move {
            let result = services.unlock(entered).await;
            busy.set(false);
            pin.set(String::new());
            tries += 1;
            if let Err(e) = result {
                problem.set(Some(e.to_string()));
            }
        });
    };
    rsx! {
        // The lock screen is a screen of its own, with its own landmark.
        main { class: "lock",
            h1 { "Seen & Heard is locked" }
            form { class: "card", id: "unlock", onsubmit: submit,
                label { r#for: "unlock-pin", "Your PIN" }
                // A new, empty box after each try (the page owns a box's text while it exists).
                TextInput { key: "{tries}", id: "unlock-pin", class: "pin", r#type: "password", inputmode: "numeric",
                    value: String::new(), autocomplete: "current-password", oninput: move |text| pin.set(text) }
                if let Some(why) = problem.read().clone() { p { class: "problem", role: "alert", id: "unlock-problem", "{why}" } }
                p { class: "hint",
                    if attempts_left < 5 { {count(attempts_left, "try", "tries")} " left before this phone's records are wiped." }
                    else { "Five wrong PINs wipe this phone's records." }
                }
                button { r#type: "submit", class: "primary wide", id: "unlock-button", disabled: *busy.read() || pin.read().is_empty(), "Unlock" }
            }
        }
    }
}
