//! A child's chronology, reached from the desk: every event in date order, and the chronology
//! as a PDF or as CSV, each prepared as the screen opens, so saving it is one press. The files
//! are fetched with the app's session and offered from the page; no token goes in any address.

use dioxus::prelude::*;
use shared::ChildId;
use shared::text::count;

use crate::app::model::dmy;
use crate::app::services::Download;
use crate::app::{Services, UiState};

/// The chronology screen. Needs signal: the chronology is put together on the server.
///
/// Read again, with its PDF and CSV, after every sync, so
/// that a visit or a manager's decision synced while it is open is in it, and in the files it
/// offers: meanwhile the last reading stays on screen. Each answer is kept with the child it is
/// for, so a screen moved to another child never shows the first one's events, or offers their
/// file, under the second.
#[component]
pub fn ChildChronology(id: ChildId) -> Element {
    let services = use_context::<Services>();
    let ui = use_context::<UiState>();
    // The file the last reading came from, named when reading again: an unchanged chronology
    // is then not sent again.
    let mut held = use_signal(|| None::<(ChildId, Download)>);
    let chronology = use_resource(use_reactive!(|id| {
        let services = services.clone();
        let _reload = ui.data_version.read();
        let copy = held_for(&held.peek(), id);
        async move {
            let answer = services.chronology(id, copy.as_ref()).await;
            if let Ok((_, file)) = &answer {
                held.set(Some((id, file.clone())));
            }
            (id, answer.map(|(view, _)| view))
        }
    }));
    let view = chronology.read().clone().filter(|(read_for, _)| *read_for == id).map(|(_, view)| view);
    let Some(view) = view else {
        return rsx! {
            h2 { id: "screen-title", "Chronology" }
            p { class: "muted", role: "status", "Fetching the chronology from the server…" }
        };
    };
    let view = match view {
        Ok(view) => view,
        Err(problem) => {
            return rsx! {
                h2 { id: "screen-title", "Chronology" }
                p { class: "problem", role: "alert", "The chronology could not be loaded ({problem}). Try again with signal." }
            };
        }
    };
    let file_stem = format!("chronology-{}", view.central_id);
    let events = count(view.entries.len(), "event", "events");
    rsx! {
        h2 { id: "screen-title", "Chronology: {view.child_name}" }
        p { class: "muted", id: "chronology-child", "Child unique ID {view.central_id}. {view.birth()} {events}." }
        div { class: "desk-downloads",
            ChronologyFile { id, format: "pdf", file_stem: file_stem.clone() }
            ChronologyFile { id, format: "csv", file_stem }
        }
        div { class: "table-scroll", tabindex: "0", role: "region", "aria-label": "The chronology",
            table { class: "chronology",
                caption { "Events, oldest first" }
                thead { tr {
                    th { scope: "col", "Date" }
                    th { scope: "col", "What happened" }
                    th { scope: "col", "Who" }
                } }
                tbody {
                    for (index, entry) in view.entries.iter().enumerate() {
                        tr { key: "{index}",
                            td { class: "date", "{dmy(entry.date)}" if let Some(time) = &entry.time { " {time}" } }
                            td { "{entry.summary}" }
                            td { {entry.worker.clone().unwrap_or_default()} }
                        }
                    }
                }
            }
        }
    }
}

/// The chronology of child `id` as a file (`format` is `pdf` or `csv`), fetched as the screen
/// opens and again after every sync (naming the copy held, so an unchanged one is not sent
/// again), offered as one link
/// saving it as `{file_stem}.{format}`. Until the first answer it says the file is being
/// prepared; a link already offered stays while a newer file is fetched. A file fetched for one
/// child is never offered for another.
#[component]
fn ChronologyFile(id: ChildId, format: &'static str, file_stem: String) -> Element {
    let services = use_context::<Services>();
    let ui = use_context::<UiState>();
    let mut held = use_signal(|| None::<(ChildId, Download)>);
    let file = use_resource(use_reactive!(|id| {
        let services = services.clone();
        let _reload = ui.data_version.read();
        let copy = held_for(&held.peek(), id);
        async move {
            let path = format!("api/children/{id}/chronology?format={format}");
            let answer = services.download(&path, &format!("chronology-{id}.{format}"), copy.as_ref()).await;
            if let Ok(file) = &answer {
                held.set(Some((id, file.clone())));
            }
            (id, answer)
        }
    }));
    let what = format.to_uppercase();
    match file.read().clone().filter(|(read_for, _)| *read_for == id).map(|(_, file)| file) {
        None => {
            rsx! { p { class: "muted", role: "status", id: "{format}-preparing", "Preparing the {what}…" } }
        }
        Some(Ok(download)) => rsx! {
            a { class: if format == "pdf" { "button primary" } else { "button" }, id: "download-{format}",
                href: "{download.data_url()}", download: "{file_stem}.{format}", "Download the chronology ({what})" }
        },
        Some(Err(problem)) => rsx! {
            p { class: "problem", role: "alert", id: "{format}-problem", "The {what} could not be prepared ({problem})." }
        },
    }
}

/// The file held for child `id`, if the one held is theirs: a file fetched for one child is
/// never named when asking for another's.
fn held_for(held: &Option<(ChildId, Download)>, id: ChildId) -> Option<Download> {
    held.as_ref().filter(|(held_for, _)| *held_for == id).map(|(_, file)| file.clone())
}
