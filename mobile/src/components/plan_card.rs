//! The child protection plan: harms, actions and how often the child must be seen.

use dioxus::prelude::*;
use shared::Child;
use shared::text::working_days;

use crate::app::model::format_date;

/// The plan, or a plain "no plan" line.
#[component]
pub fn PlanCard(child: Child) -> Element {
    let Some(plan) = child.plan.clone() else {
        return rsx! { div { class: "card", h3 { "Plan" } p { "No child protection plan is recorded." } } };
    };
    let harms: Vec<&str> = plan.harms.iter().map(|h| h.label()).collect();
    rsx! {
        div { class: "card", id: "plan",
            h3 { "Child protection plan" }
            dl { class: "facts",
                dt { "Since" } dd { "{format_date(Some(plan.registered_on))}" }
                dt { "Harms" } dd { "{harms.join(\", \")}" }
                dt { "Visit every" } dd { {working_days(plan.visit_frequency_working_days)} }
                if let Some(review) = plan.latest_review_conference {
                    dt { "Last review" } dd { "{format_date(Some(review))}" }
                }
            }
            h3 { style: "margin-top:10px", "What the plan says must happen" }
            ul { class: "plain",
                for action in plan.actions.iter() {
                    li { key: "{action.id}", "{action.description}" }
                }
            }
        }
    }
}
