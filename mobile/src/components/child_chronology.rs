//! A child's chronology, reached from the desk: every event in date order, and the chronology
//! as a PDF (prepared as the screen opens, so saving it is one press) or as CSV. The files are
//! fetched with the app's session and offered from the page; no token goes in any address.

use dioxus::prelude::*;
use shared::ChildId;
use shared::text::count;

use super::DownloadLink;
use crate::app::model::dmy;
use crate::app::{Services, UiState};

/// The chronology screen. Needs signal: the chronology is put together on the server.
///
/// Read again, with its PDF, after every sync that changed the phone's records, so that a
/// visit or a manager's decision synced while it is open is in it, and in the PDF it offers:
/// meanwhile the last reading stays on screen. Each answer is kept with the child it is for,
/// so a screen moved to another child never shows the first one's events under the second.
#[component]
pub fn ChildChronology(id: ChildId) -> Element {
    let services = use_context::<Services>();
    let ui = use_context::<UiState>();
    let pdf_services = services.clone();
    let chronology = use_resource(use_reactive!(|id| {
        let services = services.clone();
        let _reload = ui.data_version.read();
        async move { (id, services.chronology(id).await) }
    }));
    let pdf = use_resource(use_reactive!(|id| {
        let services = pdf_services.clone();
        let _reload = ui.data_version.read();
        async move {
            let file = services
                .download(
                    &format!("api/children/{id}/chronology?format=pdf"),
                    &format!("chronology-{id}.pdf"),
                )
                .await;
            (id, file)
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
    let pdf_link = match pdf.read().clone().filter(|(read_for, _)| *read_for == id).map(|(_, file)| file) {
        None => rsx! { p { class: "muted", role: "status", id: "pdf-preparing", "Preparing the PDF…" } },
        Some(Ok(download)) => rsx! {
            a { class: "button primary", id: "download-pdf", href: "{download.data_url()}",
                download: "{file_stem}.pdf", "Download the chronology (PDF)" }
        },
        Some(Err(problem)) => {
            rsx! { p { class: "problem", role: "alert", id: "pdf-problem", "The PDF could not be prepared ({problem})." } }
        }
    };
    let events = count(view.entries.len(), "event", "events");
    rsx! {
        h2 { id: "screen-title", "Chronology: {view.child_name}" }
        p { class: "muted", id: "chronology-child", "Child unique ID {view.central_id}. {view.birth()} {events}." }
        div { class: "desk-downloads",
            {pdf_link}
            DownloadLink { id: "download-chronology-csv", path: "api/children/{id}/chronology?format=csv",
                file_name: "{file_stem}.csv", label: "the chronology (CSV)" }
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
