//! Review, then submit. Every remaining problem is listed; submitting is refused until none
//! is left. A submitted visit goes into the outbox and is never edited in place.

use dioxus::prelude::*;
use shared::{ChildId, InterpreterUsed, Seen, SeenAlone};

use super::interpreter_section::person_label;
use crate::app::Services;
use crate::app::model::format_date;
use crate::routes::Route;

/// The review screen.
#[component]
pub fn VisitReview(id: ChildId) -> Element {
    let services = use_context::<Services>();
    let mut outcome = use_signal(|| None::<String>);
    let submit_services = use_context::<Services>();
    let opened = use_resource(use_reactive!(|id| {
        let services = services.clone();
        async move { services.open_draft(id).await }
    }))
    .suspend()?;
    let (draft, child) = opened.read().clone()?;
    // Judged on the service's clock, as submitting judges it.
    let now = submit_services.business_clock().now();
    let problems = draft.problems(now, Some(&child));
    let visit = draft.to_visit(now, Some(&child));
    let submit = move |_| {
        let services = submit_services.clone();
        let draft = draft.clone();
        spawn(async move {
            match services.submit(draft).await {
                Ok(()) => {
                    navigator().push(Route::SyncStatus {});
                }
                Err(e) => outcome.set(Some(e.to_string())),
            }
        });
    };
    rsx! {
        h2 { id: "screen-title", "Check the visit to {child.given_name}" }
        if !problems.0.is_empty() {
            div { class: "banner bad", role: "alert", id: "review-problems",
                p { "This visit cannot be submitted yet:" }
                ul { class: "plain",
                    for (i, problem) in problems.0.iter().enumerate() {
                        li { key: "{i}", class: "problem", "{problem.message}" }
                    }
                }
            }
        }
        if let Ok(visit) = &visit {
            div { class: "card", id: "review-summary",
                dl { class: "facts",
                    dt { "Seen" }
                    dd { match &visit.seen { Seen::Yes => "Yes".to_owned(), Seen::No { reason } => format!("No: {reason}") } }
                    dt { "Seen alone" }
                    dd { match &visit.seen_alone {
                        None => "Not asked".to_owned(),
                        Some(SeenAlone::Yes) => "Yes".to_owned(),
                        Some(SeenAlone::No { reason, present, manager_agreed }) => format!(
                            "No: {reason}. Present: {}. {}", present.join(", "),
                            if *manager_agreed { "A manager agreed." } else { "No manager has agreed yet." }),
                    } }
                    dt { "Where" } dd { "{visit.location}" }
                    dt { "Purpose" }
                    dd { id: "review-purpose",
                        {purpose_words(&child, visit)}
                    }
                    dt { "Next visit" } dd { "{format_date(visit.next_visit_planned)}" }
                    dt { "Photos" } dd { "{visit.attachments.len()}" }
                }
                if !visit.child_words.is_empty() {
                    h3 { "What the child said, in their words" }
                    ul { class: "quotes",
                        for (i, quote) in visit.child_words.iter().enumerate() { li { key: "{i}", blockquote { "{quote.text}" } } }
                    }
                }
                for (i, record) in visit.interpreters.iter().enumerate() {
                    if let Some(InterpreterUsed::FamilyMember { who }) = &record.used {
                        p { key: "{i}", class: "flag", "{person_label(&child, &record.person)}: a family member interpreted ({who})." }
                    }
                }
            }
        }
        if let Some(why) = outcome.read().clone() {
            p { class: "banner bad", role: "alert", "Not submitted: {why}" }
        }
        div { class: "sticky-actions",
            Link { class: "button", to: Route::VisitCapture { id }, id: "back-to-form", "Back to the form" }
            button { class: "primary", id: "submit-visit", disabled: !problems.0.is_empty(), onclick: submit, "Submit visit" }
        }
    }
}

/// The visit's purpose in words: the plan actions it worked on, then the stated purpose.
fn purpose_words(child: &shared::Child, visit: &shared::Visit) -> String {
    let mut parts: Vec<String> = child
        .plan
        .iter()
        .flat_map(|p| p.actions.iter())
        .filter(|a| visit.plan_actions.contains(&a.id))
        .map(|a| a.description.clone())
        .collect();
    if let Some(purpose) = visit.purpose.as_deref().filter(|p| !p.trim().is_empty()) {
        parts.push(purpose.to_owned());
    }
    if parts.is_empty() { "Not given".to_owned() } else { parts.join("; ") }
}
