//! One child: everything a worker needs before they knock.

use dioxus::prelude::*;
use shared::ChildId;

use super::{
    DueBadge, EscalationList, NeedsCard, PlanCard, SafetyWarnings, SeenAloneBanner, StandingDecisionNote,
    TimelineCard, WordsCard, last_answer,
};
use crate::app::model::{describe_since, format_date};
use crate::app::{Services, UiState};
use crate::routes::Route;

/// The child screen.
#[component]
pub fn ChildPage(id: ChildId) -> Element {
    let services = use_context::<Services>();
    let ui = use_context::<UiState>();
    let read = use_resource(use_reactive!(|id| {
        let services = services.clone();
        let _reload = ui.data_version.read();
        async move { (id, services.child_view(id).await) }
    }));
    // Read again after every sync that reached the server: meanwhile the page stays as it was,
    // its sections open and where the worker had scrolled to, rather than blanking.
    let Some((_, view)) = last_answer(&read, |(read_for, _)| *read_for == id)? else {
        return rsx! {};
    };
    // Opened by address or from a link before the sync has brought the child (a child newly
    // allocated, say): say so, and show them as soon as the sync does, since this is read
    // again whenever the phone's store changes.
    let Some(view) = view? else {
        return rsx! {
            h2 { id: "screen-title", "Not on this phone yet" }
            p { class: "muted", role: "status", id: "child-not-here",
                "This child is not on this phone yet. A child newly allocated to you or your team arrives with the next sync, and shows here as soon as it does." }
            Link { class: "button wide", to: Route::Caseload {}, "Go to My children" }
        };
    };
    let child = &view.child;
    // A covered child, or one newly reallocated to this worker, starts with the handover.
    let start = if view.summary.cover_ends.is_some() || view.reallocated_to_me.is_some() {
        Route::Handover { id }
    } else {
        Route::VisitCapture { id }
    };
    let key_workers = view.child.reallocation.as_ref().map_or(1, |r| r.key_workers_during_plan);
    let start_words =
        if view.has_draft { "Continue the visit (saved on this phone)" } else { "Start a visit" };
    rsx! {
        h2 { id: "screen-title", "{child.display_name()}" }
        p { class: "muted", "{child.age_words(view.today)}. Record {child.central_id}." }
        if let Some(ends) = view.summary.cover_ends {
            p { class: "banner warn", "You are covering this child until {format_date(Some(ends))}. Read the handover first." }
        }
        if let Some(reallocation) = view.reallocated_to_me.clone() {
            p { class: "banner warn", id: "reallocated-banner",
                "This child was reallocated to you on {format_date(Some(reallocation.on))}. Read the handover first, so you do not start again." }
        }
        SafetyWarnings { warnings: child.safety_warnings.clone() }
        div { class: "card",
            DueBadge { due: view.summary.due }
            dl { class: "facts", style: "margin-top:10px",
                dt { "Last seen" }
                dd { "{format_date(view.summary.last_seen)} ({describe_since(view.summary.working_days_since_seen)})" }
                dt { "Last seen alone" }
                dd { "{format_date(view.summary.last_seen_alone)}" }
                if child.plan.is_some() {
                    dt { "Key workers during this plan" }
                    dd { id: "key-workers-count", "{key_workers}" }
                }
            }
        }
        if let Some(said) = view.seen_alone_instruction.clone() {
            SeenAloneBanner { said, given_name: child.given_name.clone(), id: "seen-alone-instruction" }
        }
        StandingDecisionNote { id, given_name: child.given_name.clone() }
        Link { class: "button primary wide", id: "start-visit", to: start, "{start_words}" }
        NeedsCard { child: child.clone(), not_considered: view.interpreting_not_considered.clone() }
        WordsCard { words: view.recent_words.clone() }
        PlanCard { child: child.clone() }
        TimelineCard { id }
        if !view.siblings.is_empty() {
            div { class: "card",
                h3 { "Brothers and sisters" }
                p { class: "hint", "Each has their own record and their own visits." }
                ul { class: "plain",
                    for (sibling, name) in view.siblings.clone() {
                        li { key: "{sibling}", Link { to: Route::ChildPage { id: sibling }, "{name}" } }
                    }
                }
            }
        }
        EscalationList { escalations: view.escalations.clone() }
    }
}
