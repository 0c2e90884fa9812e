//! The handover: for a child covered for a colleague, or newly reallocated to this worker as
//! key worker, what they must know before they knock, so that nobody starts again.

use dioxus::prelude::*;
use shared::ChildId;

use super::{
    EscalationList, NeedsCard, PlanCard, SafetyWarnings, SeenAloneBanner, StandingDecisionNote, WordsCard,
    last_answer,
};
use crate::app::model::format_date;
use crate::app::{Services, UiState};
use crate::routes::Route;

/// The handover screen, shown before the visit form for a covered or reallocated child.
#[component]
pub fn Handover(id: ChildId) -> Element {
    let services = use_context::<Services>();
    let ui = use_context::<UiState>();
    // Read again whenever the phone's store changes: a handover opened without signal is
    // fetched from the server after the next sync, and a child the sync brings shows at once.
    let read = use_resource(use_reactive!(|id| {
        let services = services.clone();
        let _reload = ui.data_version.read();
        async move { (id, services.handover(id).await) }
    }));
    // A later read asks the server too, which can take seconds on a poor signal: the worker
    // keeps reading the last answer until it comes.
    let Some((_, answer)) = last_answer(&read, |(read_for, _)| *read_for == id)? else {
        return rsx! {};
    };
    let Some(handover) = answer? else {
        return rsx! {
            h2 { id: "screen-title", "Handover: not on this phone yet" }
            p { class: "muted", role: "status", id: "handover-not-here",
                "Neither the server nor this phone has this child's handover yet. A child newly covered by or allocated to you arrives with the next sync, and shows here as soon as it does." }
            Link { class: "button wide", to: Route::Caseload {}, "Go to My children" }
        };
    };
    rsx! {
        h2 { id: "screen-title", "Handover: {handover.child.display_name()}" }
        if handover.from_server {
            p { class: "muted", "From the server, just now." }
        } else {
            p { class: "banner warn", id: "handover-source",
                "Not fetched from the server just now (no signal, or no handover is held for you). This is what the phone holds." }
        }
        div { class: "card",
            dl { class: "facts",
                if let Some(cover) = handover.cover.clone() {
                    dt { "Cover" } dd { "{format_date(Some(cover.starts_on))} to {format_date(Some(cover.ends_on))}" }
                }
                if let Some(reallocation) = handover.child.reallocation.clone() {
                    dt { "Reallocated" }
                    dd { id: "handover-reallocated",
                        "On {format_date(Some(reallocation.on))}. Key workers during this plan: {reallocation.key_workers_during_plan}." }
                }
                dt { "Next visit due" } dd { "{format_date(handover.next_visit_due)}" }
            }
        }
        SafetyWarnings { warnings: handover.child.safety_warnings.clone() }
        if let Some(said) = handover.seen_alone_instruction.clone() {
            SeenAloneBanner { said, given_name: handover.child.given_name.clone(), id: "seen-alone-instruction" }
        }
        StandingDecisionNote { id, given_name: handover.child.given_name.clone() }
        div { class: "card", id: "handover-visits",
            h3 { "Last visits" }
            if handover.recent_visits.is_empty() {
                p { class: "muted", "None recorded." }
            }
            ul { class: "plain",
                for (i, line) in handover.recent_visits.iter().enumerate() {
                    li { key: "{i}", "{line}" }
                }
            }
        }
        NeedsCard { child: handover.child.clone(),
            not_considered: shared::interpreting_not_considered(&handover.child, &[]) }
        WordsCard { words: handover.recent_words.clone() }
        PlanCard { child: handover.child.clone() }
        EscalationList { escalations: handover.open_escalations.clone() }
        Link { class: "button primary wide", id: "handover-start-visit", to: Route::VisitCapture { id },
            "I have read this: start the visit" }
    }
}
