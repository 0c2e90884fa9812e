//! A file from the server, offered as a download without a token in any address: the first
//! press fetches it with the app's own session, and the bytes are then offered as a `data:`
//! link with `download=`.

use dioxus::prelude::*;

use crate::app::Services;
use crate::app::services::Download;

/// A button that fetches `path` from the server, then a link that saves it as `file_name`.
/// When the fetch fails, the button stays beside the problem, to try again. Where the path
/// can change, make the link anew for each path (in a list of one, keyed by it): a file
/// fetched for one path is then never offered for another.
#[component]
pub fn DownloadLink(id: String, path: String, file_name: String, label: String) -> Element {
    let services = use_context::<Services>();
    let mut fetched = use_signal(|| None::<Result<Download, String>>);
    let mut busy = use_signal(|| false);
    let fetch = move |_| {
        let services = services.clone();
        let (path, file_name) = (path.clone(), file_name.clone());
        busy.set(true);
        fetched.set(None);
        spawn(async move {
            let result = services.download(&path, &file_name).await.map_err(|e| e.to_string());
            fetched.set(Some(result));
            busy.set(false);
        });
    };
    match fetched.read().clone() {
        Some(Ok(download)) => rsx! {
            a { class: "button", id: "{id}-save", href: "{download.data_url()}", download: "{download.file_name}",
                "Save {label} ({download.file_name})" }
        },
        Some(Err(problem)) => rsx! {
            p { class: "problem", role: "alert", id: "{id}-problem",
                "Could not fetch {label}. {problem}" }
            button { id: "{id}", r#type: "button", onclick: fetch, "Download {label}" }
        },
        None => rsx! {
            button { id: "{id}", r#type: "button", disabled: busy(), onclick: fetch,
                if busy() { "Fetching {label}…" } else { "Download {label}" } }
        },
    }
}
