//! Signing in: server address, username and password register this phone; then a PIN is
//! chosen, which unlocks the phone's encrypted records from then on.

use dioxus::prelude::*;

use super::TextInput;
use crate::app::Services;

/// The sign-in screen (shown by the shell while nobody is signed in).
#[component]
pub fn SignIn() -> Element {
    let services = use_context::<Services>();
    let mut server = use_signal(|| services.config().server.clone());
    let mut username = use_signal(String::new);
    let mut password = use_signal(String::new);
    let mut pin = use_signal(String::new);
    let mut pin_again = use_signal(String::new);
    let mut problem = use_signal(|| None::<String>);
    let mut busy = use_signal(|| false);

    let pin_problem = {
        let pin = pin.read();
        if pin.is_empty() {
            None
        } else if pin.len() < 4 || !pin.chars().all(|c| c.is_ascii_digit()) {
            Some("Use at least 4 digits.")
        } else if !pin_again.read().is_empty() && *pin != *pin_again.read() {
            Some("The two PINs are different.")
        } else {
            None
        }
    };
    let ready = !username.read().trim().is_empty()
        && !password.read().is_empty()
        && pin.read().len() >= 4
        && pin_problem.is_none()
        && *pin.read() == *pin_again.read();

    let submit = move |event: FormEvent| {
        event.prevent_default();
        if !ready || *busy.read() {
            return;
        }
        let services = services.clone();
        busy.set(true);
        problem.set(None);
        spawn(async move {
            let result = services
                .sign_in(
                    server.read().clone(),
                    username.read().trim().to_owned(),
                    password.read().clone(),
                    pin.read().clone(),
                )
                .await;
            busy.set(false);
            if let Err(e) = result {
                problem.set(Some(e.to_string()));
            }
        });
    };

    rsx! {
        div { class: "app",
            header { class: "topbar", h1 { "Seen & Heard: sign in" } }
            main { class: "content",
                form { class: "card", id: "sign-in", onsubmit: submit,
                    p { "Sign in once to register this phone. Then choose a PIN to unlock it." }
                    label { r#for: "server", "Server address" }
                    TextInput { id: "server", r#type: "url", value: server.peek().clone(), autocomplete: "url",
                        oninput: move |text| server.set(text) }
                    label { r#for: "username", "Username" }
                    TextInput { id: "username", r#type: "text", value: String::new(), autocomplete: "username",
                        oninput: move |text| username.set(text) }
                    label { r#for: "password", "Password" }
                    TextInput { id: "password", r#type: "password", value: String::new(), autocomplete: "current-password",
                        oninput: move |text| password.set(text) }
                    label { r#for: "pin", "Choose a PIN for this phone"
                        span { class: "hint", "At least 4 digits. Five wrong PINs wipe this phone's records." } }
                    TextInput { id: "pin", class: "pin", r#type: "password", inputmode: "numeric", value: String::new(),
                        autocomplete: "new-password", oninput: move |text| pin.set(text) }
                    label { r#for: "pin-again", "The same PIN again" }
                    TextInput { id: "pin-again", class: "pin", r#type: "password", inputmode: "numeric", value: String::new(),
                        autocomplete: "new-password", oninput: move |text| pin_again.set(text) }
                    if let Some(why) = pin_problem { p { class: "problem", role: "alert", "{why}" } }
                    if let Some(why) = problem.read().clone() { p { class: "problem", role: "alert", id: "sign-in-problem", "{why}" } }
                    button { r#type: "submit", class: "primary wide", id: "sign-in-button", style: "margin-top:16px",
                        disabled: !ready || *busy.read(),
                        if *busy.read() { "Signing in…" } else { "Sign in" } }
                }
            }
        }
    }
}
