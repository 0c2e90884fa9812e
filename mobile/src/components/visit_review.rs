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
                        li { key: "{i}", class: "problem", "data-field": "{problem.field}",
                            {review_words(&problem.field, &problem.message)} }
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

/// The box a problem belongs to, in the form's own words, where its message does not say.
fn field_words(field: &str) -> Option<String> {
    let named = match field {
        "observations.facts" => "Facts",
        "observations.concerns" => "Concerns",
        "child_views" => "The child's views, wishes and feelings",
        "child_words" => "What the child said",
        "location" => "Where the visit took place",
        "purpose" => "Purpose of the visit",
        "amendment_reason" => "Why the record is being changed",
        "seen.reason" => "Why the child was not seen",
        "seen_alone.reason" => "Why the child was not seen alone",
        "seen_alone.present" => "Who was present",
        "plan_actions" => "Plan actions",
        "harms_addressed" => "Harms addressed",
        "interpreters" => "Interpreter",
        "attachments" => "Photos",
        _ => {
            let (list, rest) = field.split_once('[')?;
            let (n, rest) = rest.split_once(']')?;
            let n: usize = n.parse().ok()?;
            let n = n + 1;
            return match (list, rest) {
                ("child_words", "") => Some(format!("Quote {n} of what the child said")),
                ("plan_actions", "") => Some(format!("Plan action {n}")),
                ("seen_alone.present", "") => Some(format!("Who was present, person {n}")),
                ("interpreters", _) => Some(format!("Interpreter, record {n}")),
                _ => None,
            };
        }
    };
    Some(named.to_owned())
}

/// A problem as the review lists it: a message that does not name its box ("This is too
/// long…", "Too many entries…") is led by the box's name, so the worker knows where to look.
fn review_words(field: &str, message: &str) -> String {
    let generic = message.starts_with("This ") || message.starts_with("Too many ");
    match field_words(field) {
        Some(named) if generic => format!("{named}: {message}"),
        _ => message.to_owned(),
    }
}
