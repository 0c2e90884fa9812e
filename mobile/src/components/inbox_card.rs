//! One escalation in a manager's inbox, with the actions that fit it.

use chrono::NaiveDate;
use dioxus::prelude::*;
use shared::{EscalationAction, EscalationReason, Worker, WorkerId};

use super::{Choice, DateInput, DateOrderHint, EscalationHistory, StandingDecision, TextArea};
use crate::app::Services;
use crate::app::services::{InboxItem, UiError};

/// One escalation with the actions that fit it. `duty_workers` is the server's list of duty
/// workers this manager may assign cover to: `None` while it loads, an error when it could not
/// be fetched (cover assignment then stays disabled and says why).
#[component]
pub fn InboxCard(item: InboxItem, duty_workers: Option<Result<Vec<Worker>, UiError>>) -> Element {
    let services = use_context::<Services>();
    let mut reason = use_signal(String::new);
    let mut date = use_signal(String::new);
    let mut duty_worker = use_signal(String::new);
    let mut cover_until = use_signal(String::new);
    let mut outcome = use_signal(|| None::<Result<String, String>>);
    let id = item.escalation.id;
    let child = item.escalation.child_id;
    let cover_services = services.clone();
    let assign = move |_| {
        let services = cover_services.clone();
        let (Ok(worker), Ok(until)) = (
            duty_worker.read().parse::<WorkerId>(),
            NaiveDate::parse_from_str(&cover_until.read(), "%Y-%m-%d"),
        ) else {
            return;
        };
        spawn(async move {
            match services.assign_cover(id, child, worker, until).await {
                Ok(()) => outcome.set(Some(Ok("Duty cover assigned.".to_owned()))),
                Err(e) => outcome.set(Some(Err(e.to_string()))),
            }
        });
    };
    let choices: &[Worker] = match &duty_workers {
        Some(Ok(list)) => list,
        _ => &[],
    };
    // Only a duty worker from the list can be chosen, so a stale choice cannot be sent.
    let chosen = duty_worker.read().parse::<WorkerId>().ok().filter(|id| choices.iter().any(|w| w.id == *id));
    let can_choose = !choices.is_empty();
    let cover_ready = chosen.is_some() && NaiveDate::parse_from_str(&cover_until.read(), "%Y-%m-%d").is_ok();
    let (placeholder, duty_note) = match &duty_workers {
        None => ("Loading duty workers…", "Fetching the duty workers from the server…".to_owned()),
        Some(Err(problem)) => (
            "No list of duty workers",
            format!(
                "The list of duty workers could not be loaded ({problem}). \
                 You can assign duty cover once the phone reaches the server."
            ),
        ),
        Some(Ok(list)) if list.is_empty() => {
            ("No duty workers", "There are no duty workers you can assign cover to.".to_owned())
        }
        Some(Ok(_)) => ("Choose a duty worker", "Duty workers from any team can cover.".to_owned()),
    };
    let act_services = services.clone();
    let act = use_callback(move |action: EscalationAction| {
        let services = act_services.clone();
        spawn(async move {
            match services.acknowledge(id, action).await {
                Ok(()) => outcome.set(Some(Ok("Recorded.".to_owned()))),
                Err(e) => outcome.set(Some(Err(e.to_string()))),
            }
        });
    });
    let reason_missing = reason.read().trim().is_empty();
    let (heading, icon) = match item.escalation.reason {
        EscalationReason::Overdue { .. } => ("Visit overdue", "⚠"),
        EscalationReason::NoVisitSinceGoLive { .. } => ("No visit recorded since go-live", "⚠"),
        EscalationReason::ChildNotSeen { .. } => ("Child not seen", "⚠"),
        EscalationReason::NotSeenAlone { .. } => ("Not seen alone", "◐"),
        EscalationReason::InterpreterNotUsed { .. } => ("Interpreter not used", "⚑"),
        EscalationReason::FamilyMemberInterpreted { .. } => ("Family member interpreted", "⚑"),
        EscalationReason::PlanMeetingOverdue {
            meeting: shared::timeline::MeetingKind::CoreGroup, ..
        } => ("Core group overdue", "⚠"),
        EscalationReason::PlanMeetingOverdue { .. } => ("Review conference overdue", "⚠"),
        EscalationReason::SupervisionOverdue { .. } => ("Supervision overdue", "⚠"),
        EscalationReason::ActionOverdue { .. } => ("Agreed action overdue", "⚠"),
    };
    let awaiting_confirmation = item.escalation.awaiting_confirmation();
    rsx! {
        div { class: "card",
            h3 { span { "aria-hidden": "true", "{icon} " } "{heading}: {item.child_name}" }
            p { "{item.escalation.reason.describe()}" }
            EscalationHistory { escalation: item.escalation.clone() }
            label { r#for: "reason-{id}", "Your reason or instruction" }
            TextArea { id: "reason-{id}", value: String::new(), oninput: move |text| reason.set(text) }
            if awaiting_confirmation {
                button { class: "wide", style: "margin-top:8px", disabled: reason_missing,
                    onclick: move |_| act.call(EscalationAction::CloseConfirmed { explanation: reason.read().clone() }),
                    "Confirm it can close" }
            }
            match item.escalation.reason {
                EscalationReason::NotSeenAlone { .. } => rsx! {
                    div { class: "yesno", style: "margin-top:10px",
                        button { disabled: reason_missing,
                            onclick: move |_| act.call(EscalationAction::SeenAloneAgreed { reason: reason.read().clone() }), "Agree" }
                        button { disabled: reason_missing,
                            onclick: move |_| act.call(EscalationAction::SeenAloneDisagreed { reason: reason.read().clone() }), "Disagree" }
                    }
                    StandingDecision { child_id: child }
                },
                EscalationReason::Overdue { .. }
                | EscalationReason::NoVisitSinceGoLive { .. }
                | EscalationReason::ChildNotSeen { .. } => rsx! {
                    label { r#for: "date-{id}", "Visit arranged for" DateOrderHint {} }
                    DateInput { id: "date-{id}", value: String::new(), oninput: move |text| date.set(text) }
                    button { class: "wide", style: "margin-top:8px",
                        disabled: NaiveDate::parse_from_str(&date.read(), "%Y-%m-%d").is_err(),
                        onclick: move |_| if let Ok(when) = NaiveDate::parse_from_str(&date.read(), "%Y-%m-%d") {
                            act.call(EscalationAction::VisitArranged { date: when })
                        },
                        "Record the arranged visit" }
                    h4 { "Or assign duty cover" }
                    label { r#for: "duty-{id}", "Duty worker" }
                    Choice { id: "duty-{id}", class: "duty-worker", disabled: !can_choose,
                        aria_describedby: "duty-note-{id}",
                        value: chosen.map(|worker| worker.to_string()).unwrap_or_default(),
                        options: std::iter::once((String::new(), placeholder.to_owned()))
                            .chain(choices.iter().map(|worker| (worker.id.to_string(), worker.name.clone())))
                            .collect::<Vec<_>>(),
                        onchange: move |choice| duty_worker.set(choice) }
                    p { id: "duty-note-{id}", class: "muted", role: "status", "{duty_note}" }
                    label { r#for: "until-{id}", "Cover until" DateOrderHint {} }
                    DateInput { id: "until-{id}", value: String::new(), disabled: !can_choose,
                        oninput: move |text| cover_until.set(text) }
                    button { class: "wide", style: "margin-top:8px", disabled: !cover_ready, onclick: assign,
                        "Assign duty cover" }
                    button { class: "wide", style: "margin-top:8px", disabled: reason_missing,
                        onclick: move |_| act.call(EscalationAction::ExceptionAgreed { reason: reason.read().clone() }),
                        "Agree an exception" }
                },
                EscalationReason::InterpreterNotUsed { .. }
                | EscalationReason::FamilyMemberInterpreted { .. }
                | EscalationReason::PlanMeetingOverdue { .. }
                | EscalationReason::SupervisionOverdue { .. }
                | EscalationReason::ActionOverdue { .. } => rsx! {
                    button { class: "wide", style: "margin-top:8px", disabled: reason_missing,
                        onclick: move |_| act.call(EscalationAction::ExceptionAgreed { reason: reason.read().clone() }),
                        "Acknowledge" }
                },
            }
            match outcome.read().clone() {
                Some(Ok(words)) => rsx! { p { class: "saved", role: "status", "{words}" } },
                Some(Err(words)) => rsx! { p { class: "problem", role: "alert", "{words}" } },
                None => rsx! {},
            }
        }
    }
}
