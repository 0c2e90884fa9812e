//! Signing in again when the server has ended the session (for example after a long time
//! offline). The phone stays unlocked and nothing on it is lost: drafts and waiting visits go
//! out once the worker has signed in.

use dioxus::prelude::*;

use super::TextInput;
use crate::app::{Services, SessionView, UiState};

/// A banner with the password and PIN, shown above the page while the session is ended.
#[component]
pub fn SignInAgain() -> Element {
    let services = use_context::<Services>();
    let ui = use_context::<UiState>();
    let mut login = use_signal(String::new);
    let mut password = use_signal(String::new);
    let mut pin = use_signal(String::new);
    let mut problem = use_signal(|| None::<String>);
    let mut busy = use_signal(|| false);
    let mut cleared = use_signal(|| 0u32);
    let username = match &*ui.session.read() {
        SessionView::Open { worker } => worker.name.clone(),
        _ => String::new(),
    };
    let submit = move |event: FormEvent| {
        event.prevent_default();
        let services = services.clone();
        busy.set(true);
        spawn(async move {
            let server = services.server_address();
            let result = services
                .sign_in(server, login.read().trim().to_owned(), password.read().clone(), pin.read().clone())
                .await;
            busy.set(false);
            match result {
                Ok(()) => {
                    // New (empty) boxes: the page owns a box's text while it exists.
                    password.set(String::new());
                    pin.set(String::new());
                    cleared += 1;
                    problem.set(None);
                }
                Err(e) => problem.set(Some(e.to_string())),
            }
        });
    };
    rsx! {
        form { class: "banner warn", id: "sign-in-again", onsubmit: submit,
            p { style: "margin-top:0", "The server asked {username} to sign in again. Everything is safe on this phone; nothing can be sent until you do." }
            label { r#for: "again-username", "Username" }
            TextInput { id: "again-username", r#type: "text", value: String::new(), autocomplete: "username",
                oninput: move |text| login.set(text) }
            label { r#for: "again-password", "Password" }
            TextInput { key: "password-{cleared}", id: "again-password", r#type: "password", value: String::new(),
                autocomplete: "current-password", oninput: move |text| password.set(text) }
            label { r#for: "again-pin", "Your PIN" }
            TextInput { key: "pin-{cleared}", id: "again-pin", class: "pin", r#type: "password", inputmode: "numeric",
                value: String::new(), oninput: move |text| pin.set(text) }
            if let Some(why) = problem.read().clone() { p { class: "problem", role: "alert", "{why}" } }
            button { r#type: "submit", class: "primary wide", style: "margin-top:12px",
                disabled: *busy.read() || login.read().trim().is_empty() || password.read().is_empty() || pin.read().is_empty(),
                "Sign in again" }
        }
    }
}
