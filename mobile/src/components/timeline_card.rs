//! The plan's timeline on the child's page: the next core group, the next review conference,
//! and the actions agreed at them, each with its owner. Overdue dates say so in words.

use dioxus::prelude::*;
use shared::ChildId;

use chrono::NaiveDate;

use crate::app::model::{ActionStanding, OpenAction, PlanDate, format_date};
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
                    OpenActionItem { key: "{item.action.id}", item: item.clone(), today: view.today }
                }
            }
        }
    }
}

/// One open action: what, who owns it and by when, overdue or due today in words (judged on
/// `today`, the authority's date on the phone), and one agreed on an earlier plan marked as
/// such (listed for the record, never overdue).
#[component]
fn OpenActionItem(item: OpenAction, today: Option<NaiveDate>) -> Element {
    let (class, words) = match item.standing(today) {
        ActionStanding::Overdue => ("overdue", " (overdue)"),
        ActionStanding::DueToday => ("due-today", " (due today)"),
        ActionStanding::NotYetDue => ("", ""),
    };
    rsx! {
        li { class,
            strong { "{item.action.description}" }
            br {}
            span { class: "muted",
                "{item.action.owner}, by {format_date(Some(item.action.due_on))}{words}"
                if !item.on_current_plan { " (agreed on an earlier plan)" }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The action due Monday 16 November 2026, shown on `today`.
    fn shown(overdue: bool, on_current_plan: bool, today: Option<&str>) -> String {
        let item = OpenAction {
            action: shared::timeline::AgreedAction {
                id: fixtures::fixed(701),
                description: "School to report attendance weekly".into(),
                owner: "School".into(),
                due_on: fixtures::date("2026-11-16"),
            },
            agreed_at: "Core group meeting".into(),
            overdue,
            on_current_plan,
        };
        let today = today.map(fixtures::date);
        let mut dom = VirtualDom::new_with_props(OpenActionItem, OpenActionItemProps { item, today });
        dom.rebuild_in_place();
        dioxus_ssr::render(&dom)
    }

    #[test]
    fn an_overdue_action_says_so_and_one_from_an_earlier_plan_says_that_instead() {
        let overdue = shown(true, true, Some("2026-11-17"));
        assert!(overdue.contains("School, by 16/11/2026 (overdue)"), "{overdue}");
        assert!(overdue.contains("class=\"overdue\""), "{overdue}");
        let earlier = shown(false, false, Some("2026-11-17"));
        assert!(earlier.contains("School, by 16/11/2026 (agreed on an earlier plan)"), "{earlier}");
        assert!(!earlier.contains("overdue"), "{earlier}");
    }

    #[test]
    fn an_action_due_today_says_so_and_one_due_later_says_nothing() {
        let today = shown(false, true, Some("2026-11-16"));
        assert!(today.contains("School, by 16/11/2026 (due today)"), "{today}");
        assert!(today.contains("class=\"due-today\""), "{today}");
        let later = shown(false, true, Some("2026-11-13"));
        assert!(later.contains("School, by 16/11/2026<"), "{later}");
        assert!(!later.contains("due today") && !later.contains("overdue"), "{later}");
        let earlier_plan = shown(false, false, Some("2026-11-16"));
        assert!(!earlier_plan.contains("due today"), "never due: {earlier_plan}");
    }

    #[test]
    fn a_copy_kept_offline_from_before_the_due_date_says_overdue_once_it_has_passed() {
        // Read from the server on Friday 13 November, not overdue; the phone is out of signal
        // on Tuesday 17th.
        let kept = shown(false, true, Some("2026-11-17"));
        assert!(kept.contains("School, by 16/11/2026 (overdue)"), "{kept}");
    }
}
