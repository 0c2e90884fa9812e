//! The plan's timeline on the child's page: the next core group, the next review conference,
//! and the actions agreed at them, each with its owner. Overdue dates say so in words.

use dioxus::prelude::*;
use shared::ChildId;

use crate::app::model::{PlanDate, format_date};
use crate::app::{Services, UiState};

fn date_line(date: &Option<PlanDate>) -> (String, String, &'static str) {
    match date {
        Some(d) => (
            d.describe(),
            d.latest
                .map(|l| format!("Last held {}", format_date(Some(l))))
                .unwrap_or_else(|| "None held yet".to_owned()),
            if d.overdue { "overdue" } else { "" },
        ),
        None => ("Not tracked: the plan is not in force".to_owned(), String::new(), ""),
    }
}

/// The timeline card. Not suspended: the rest of the page shows while it loads.
#[component]
pub fn TimelineCard(id: ChildId) -> Element {
    let services = use_context::<Services>();
    let ui = use_context::<UiState>();
    let timeline = use_resource(use_reactive!(|id| {
        let services = services.clone();
        let _reload = ui.data_version.read();
        async move { services.plan_timeline(id).await }
    }));
    let Some(Ok(view)) = timeline.read().clone() else {
        return rsx! { div { class: "card", id: "timeline", h3 { "The plan's meetings" } p { class: "muted", "Reading…" } } };
    };
    // Without an ICPC date the dates are counted from the plan's start: say so, so nobody
    // takes them for the conference's.
    let counted_from_start = match (view.initial_conference_on, view.counted_from) {
        (None, Some(start)) => Some(format!(
            "No initial conference date on the record: counted from the plan's start, {}.",
            format_date(Some(start))
        )),
        _ => None,
    };
    let (core, core_held, core_class) = date_line(&view.core_group);
    let (review, review_held, review_class) = date_line(&view.review_conference);
    rsx! {
        div { class: "card", id: "timeline",
            h3 { "The plan's meetings" }
            if let Some(note) = counted_from_start {
                p { class: "muted", id: "timeline-counted-from", "{note}" }
            }
            dl { class: "facts",
                dt { "Next core group" }
                dd {
                    span { id: "next-core-group", class: core_class, "{core}" }
                    if !core_held.is_empty() { br {} span { class: "muted", "{core_held}" } }
                }
                dt { "Next review" }
                dd {
                    span { id: "next-review", class: review_class, "{review}" }
                    if !review_held.is_empty() { br {} span { class: "muted", "{review_held}" } }
                }
            }
            h3 { style: "margin-top:10px", "Open actions" }
            if view.open_actions.is_empty() {
                p { class: "muted",
                    if view.from_server { "No open actions." } else { "Actions agreed at meetings show when the phone has signal." }
                }
            }
            ul { class: "plain", id: "open-actions",
                for item in view.open_actions.iter() {
                    li { key: "{item.action.id}", class: if item.overdue { "overdue" } else { "" },
                        strong { "{item.action.description}" }
                        br {}
                        span { class: "muted",
                            "{item.action.owner}, by {format_date(Some(item.action.due_on))}"
                            if item.overdue { " (overdue)" }
                        }
                    }
                }
            }
        }
    }
}
