//! Visits held for a manager's review, each resolved in one of three ways with a reason: link
//! it to the right child, accept it for the child it names, or mark it entered in error. The
//! server keeps the held visit and records who resolved it, when, how and why.

use dioxus::prelude::*;
use shared::ChildId;

use super::{Choice, TextArea};
use crate::app::model::format_date;
use crate::app::services::{HeldItem, ResolveHeld};
use crate::app::{Services, UiState};

/// The held-visits screen (reached from the manager's inbox). Needs signal: the list is kept
/// on the server.
#[component]
pub fn HeldVisits() -> Element {
    let services = use_context::<Services>();
    let children_services = services.clone();
    let ui = use_context::<UiState>();
    let mut reload = use_signal(|| 0u32);
    let held = use_resource(move || {
        let services = services.clone();
        let _reload = ui.data_version.read();
        let _again = reload.read();
        async move { services.held_for_review().await }
    });
    // Read again whenever the store changes: a manager may open this screen while the first
    // sync after signing in is still bringing the team's children, and a child it brings must
    // be offered as soon as it arrives.
    let children = use_resource(move || {
        let services = children_services.clone();
        let _reload = ui.data_version.read();
        async move { services.children_by_name().await.map_err(|e| e.to_string()) }
    });
    // Unread, a list of no children would say there is no other child to link to: say why.
    // `None` until read, and if the read failed: no card then says the phone holds no other
    // child, which it has not been able to tell.
    let (children, unread) = match children.read().clone() {
        Some(Ok(children)) => (Some(children), None),
        Some(Err(problem)) => (None, Some(problem)),
        None => (None, None),
    };
    rsx! {
        h2 { id: "screen-title", "Held for your review" }
        p { class: "hint",
            "These visits could not be matched to a child on the worker's caseload. They count for nothing (the child is not shown as seen) until you resolve them." }
        match held.read().clone() {
            None => rsx! { p { class: "muted", role: "status", "Fetching held visits from the server…" } },
            Some(Err(problem)) => rsx! {
                p { class: "problem", role: "alert", "The held visits could not be loaded ({problem}). They are kept on the server: try again with signal." }
            },
            Some(Ok(items)) if items.is_empty() => rsx! {
                p { class: "muted", id: "no-held", "No visits are waiting for your review." }
            },
            Some(Ok(items)) => rsx! {
                p { class: "muted", "{items.len()} waiting for a decision." }
                if let Some(problem) = unread {
                    p { class: "problem", role: "alert", id: "held-children-unread",
                        "The children on this phone could not be read ({problem}), so none can be offered to link a visit to. Accepting a visit or marking it entered in error still works." }
                }
                for item in items {
                    HeldCard {
                        key: "{item.held.visit_id}-{item.held.revision}",
                        item: item.clone(),
                        choices: children.clone(),
                        on_done: move |_| reload += 1,
                    }
                }
            },
        }
    }
}

/// One held visit with the three ways to resolve it.
#[component]
fn HeldCard(item: HeldItem, choices: Option<Vec<(ChildId, String)>>, on_done: EventHandler<()>) -> Element {
    let services = use_context::<Services>();
    let mut reason = use_signal(String::new);
    let mut link_to = use_signal(String::new);
    let mut outcome = use_signal(|| None::<Result<String, String>>);
    let visit = item.held.visit.clone();
    let (visit_id, revision) = (item.held.visit_id, item.held.revision);
    let named = visit.child_id;
    let read = choices.is_some();
    let others: Vec<(ChildId, String)> =
        choices.unwrap_or_default().into_iter().filter(|(id, _)| *id != named).collect();
    let chosen = link_to.read().parse::<ChildId>().ok().filter(|id| others.iter().any(|(c, _)| c == id));
    let reason_missing = reason.read().trim().is_empty();
    let act = use_callback(move |how: ResolveHeld| {
        let services = services.clone();
        let why = reason.read().trim().to_owned();
        spawn(async move {
            match services.resolve_held(visit_id, revision, how, why).await {
                Ok(()) => {
                    outcome
                        .set(Some(Ok("Resolved. The worker's record now stands as you decided.".to_owned())));
                    on_done.call(());
                }
                Err(e) => outcome.set(Some(Err(e.to_string()))),
            }
        });
    });
    let seen = if visit.child_seen() { "Child seen" } else { "Child not seen" };
    rsx! {
        div { class: "card held", id: "held-{visit_id}",
            h3 { "Visit on {format_date(Some(visit.date()))}: {item.child_name}" }
            p { "{seen}, at {visit.location}." }
            p { class: "muted", "Held because: {item.held.reason}" }
            label { r#for: "held-reason-{visit_id}", "Your reason" }
            TextArea { id: "held-reason-{visit_id}", class: "held-reason", value: String::new(),
                oninput: move |text| reason.set(text) }
            if reason_missing {
                p { class: "muted", "Give a reason to resolve this visit." }
            }
            div { class: "yesno", style: "margin-top:10px",
                button { class: "accept-held", disabled: reason_missing,
                    onclick: move |_| act.call(ResolveHeld::Accept), "Accept for this child" }
                button { class: "void-held", disabled: reason_missing,
                    onclick: move |_| act.call(ResolveHeld::EnteredInError), "Entered in error" }
            }
            label { r#for: "held-child-{visit_id}", "Or link it to the right child" }
            if read && others.is_empty() {
                p { class: "muted", id: "held-no-other-{visit_id}",
                    "No other child is on this phone to link it to." }
            }
            Choice { id: "held-child-{visit_id}", class: "held-child",
                value: chosen.map(|id| id.to_string()).unwrap_or_default(),
                options: std::iter::once((String::new(), "Choose a child".to_owned()))
                    .chain(others.iter().map(|(id, name)| (id.to_string(), name.clone())))
                    .collect::<Vec<_>>(),
                onchange: move |choice| link_to.set(choice) }
            button { class: "wide link-held", style: "margin-top:8px", disabled: reason_missing || chosen.is_none(),
                onclick: move |_| if let Some(child) = chosen { act.call(ResolveHeld::LinkTo(child)) },
                "Link to this child" }
            match outcome.read().clone() {
                Some(Ok(words)) => rsx! { p { class: "saved", role: "status", "{words}" } },
                Some(Err(words)) => rsx! { p { class: "problem", role: "alert", "{words}" } },
                None => rsx! {},
            }
        }
    }
}
