//! A file from the server, offered as a download without a token in any address: the first
//! press fetches it with the app's own session, and the bytes are then offered as a `data:`
//! link with `download=`.

use chrono::{DateTime, Local};
use dioxus::prelude::*;

use crate::app::services::Download;
use crate::app::{Services, UiState};

/// A file fetched, and when.
#[derive(Clone)]
struct Fetched {
    download: Download,
    at: DateTime<Local>,
}

/// A button that fetches `path` from the server, then a link that saves it as `file_name`,
/// saying when it was fetched. Once fetched, the file is fetched again after every sync, and
/// the link already offered stays, with its time, until the newer file has come: a report
/// saved minutes later is never one from before the records the phone now shows. Asking again
/// names the copy held, so an unchanged report is not sent again (the server answers 304),
/// only its time moves on; nor is an unchanged Annex A list recorded as exported. When a fetch
/// fails, the button stays beside the problem, to try again. Where the path can change, make
/// the link anew for each path (in a list of one, keyed by it): a file fetched for one path is
/// then never offered for another.
#[component]
pub fn DownloadLink(id: String, path: String, file_name: String, label: String) -> Element {
    let services = use_context::<Services>();
    let ui = use_context::<UiState>();
    let mut file = use_signal(|| None::<Fetched>);
    let mut problem = use_signal(|| None::<String>);
    let mut busy = use_signal(|| false);
    // The sync the last fetch followed (`data_version` as it began).
    let mut after_sync = use_signal(|| None::<u64>);
    let fetch = use_callback(move |()| {
        let services = services.clone();
        let (path, file_name) = (path.clone(), file_name.clone());
        busy.set(true);
        after_sync.set(Some(*ui.data_version.peek()));
        let held = file.peek().as_ref().map(|f| f.download.clone());
        spawn(async move {
            match services.download(&path, &file_name, held.as_ref()).await {
                Ok(download) => {
                    file.set(Some(Fetched { download, at: Local::now() }));
                    problem.set(None);
                }
                Err(e) => problem.set(Some(e.to_string())),
            }
            busy.set(false);
        });
    });
    // A file already fetched is fetched again after each sync (once per sync, failed or not).
    use_effect(move || {
        let synced = *ui.data_version.read();
        if !busy() && file.peek().is_some() && *after_sync.peek() != Some(synced) {
            fetch(());
        }
    });
    let held = file
        .read()
        .as_ref()
        .map(|f| (f.download.data_url(), f.download.file_name.clone(), fetched_at(f.at, Local::now())));
    let problem = problem();
    rsx! {
        div { class: "download",
            if let Some(problem) = &problem {
                p { class: "problem", role: "alert", id: "{id}-problem", "Could not fetch {label}. {problem}" }
            }
            if let Some((href, saved_as, at)) = held.as_ref() {
                a { class: "button", id: "{id}-save", href: "{href}", download: "{saved_as}",
                    "Save {label} ({saved_as})" }
                span { class: "hint", id: "{id}-fetched", "Fetched {at}." }
            }
            if held.is_none() || problem.is_some() {
                button { id: "{id}", r#type: "button", disabled: busy(), onclick: move |_| fetch(()),
                    if busy() { "Fetching {label}…" } else { "Download {label}" } }
            }
        }
    }
}

/// "at 09:12", or with its date when that was not today (`now`).
fn fetched_at(at: DateTime<Local>, now: DateTime<Local>) -> String {
    if at.date_naive() == now.date_naive() {
        at.format("at %H:%M").to_string()
    } else {
        at.format("on %d/%m/%Y at %H:%M").to_string()
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn a_file_fetched_on_an_earlier_day_says_which() {
        let at = Local.with_ymd_and_hms(2026, 12, 3, 16, 5, 0).single().expect("a time");
        let later_that_day = Local.with_ymd_and_hms(2026, 12, 3, 23, 59, 0).single().expect("a time");
        let next_morning = Local.with_ymd_and_hms(2026, 12, 4, 9, 0, 0).single().expect("a time");
        assert_eq!(fetched_at(at, later_that_day), "at 16:05");
        assert_eq!(fetched_at(at, next_morning), "on 03/12/2026 at 16:05");
    }
}
