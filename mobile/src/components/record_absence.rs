//! Recording that someone is away, from the manager's desk: who, sickness or leave, the first
//! day and the last expected (if known). The audit found that sickness led to missed visits
//! nobody escalated: once an absence is recorded, the server sends an overdue child of the
//! absent key worker to a senior manager, and the desk lists their children with a visit due
//! while they are away, saying which have no cover yet.

use chrono::NaiveDate;
use dioxus::prelude::*;
use shared::text::count;
use shared::{AbsenceKind, ChildId, WorkerId};

use super::{Choice, DateInput, DateOrderHint, options};
use crate::app::model::{AbsenceListedView, DueWhileAway, dmy};
use crate::app::{Services, UiState};
use crate::routes::Route;

/// What the manager typed, checked: who, the kind, the first day and the last expected.
type AbsenceEntry = (WorkerId, AbsenceKind, NaiveDate, Option<NaiveDate>);

/// The absence as typed, or what to put right, in words (`YYYY-MM-DD`, as a date box gives
/// dates). The server checks the dates again, against its own bounds.
fn absence_entry(who: &str, kind: &str, from: &str, until: &str) -> Result<AbsenceEntry, &'static str> {
    let who = who.parse::<uuid::Uuid>().map(WorkerId).map_err(|_| "Choose who is away.")?;
    let kind = match kind {
        "sickness" => AbsenceKind::Sickness,
        "leave" => AbsenceKind::Leave,
        _ => return Err("Choose sickness or leave."),
    };
    let from = NaiveDate::parse_from_str(from, "%Y-%m-%d").map_err(|_| "Enter the first day away.")?;
    let until = match until {
        "" => None,
        until => Some(NaiveDate::parse_from_str(until, "%Y-%m-%d").map_err(|_| "Check the last day away.")?),
    };
    if until.is_some_and(|until| until < from) {
        return Err("The last day away must be on or after the first.");
    }
    Ok((who, kind, from, until))
}

/// The desk's "Someone away" card. Needs signal: the staff list and the absence are the
/// server's.
#[component]
pub fn RecordAbsence(as_of: NaiveDate) -> Element {
    let services = use_context::<Services>();
    let staff_services = services.clone();
    let staff = use_resource(move || {
        let services = staff_services.clone();
        async move { services.absence_staff().await }
    });
    let mut who = use_signal(String::new);
    let mut kind = use_signal(|| "sickness".to_owned());
    let mut from = use_signal(|| as_of.to_string());
    let mut until = use_signal(String::new);
    let mut busy = use_signal(|| false);
    // The absence last recorded: the same again is not offered, so a second press never
    // records it twice.
    let mut recorded = use_signal(|| None::<AbsenceEntry>);
    let mut outcome = use_signal(|| None::<Result<(String, Vec<(DueWhileAway, String)>), String>>);
    let entry = absence_entry(&who.read(), &kind.read(), &from.read(), &until.read());
    let staff = staff.read().clone();
    let names: Vec<(String, String)> = match &staff {
        Some(Ok(staff)) => staff.iter().map(|w| (w.id.to_string(), w.name.clone())).collect(),
        _ => Vec::new(),
    };
    let choices: Vec<(String, String)> =
        std::iter::once((String::new(), "Choose who".to_owned())).chain(names.iter().cloned()).collect();
    let staff_note = match &staff {
        None => "Fetching the staff list…".to_owned(),
        Some(Err(problem)) => {
            format!("The staff list could not be loaded ({problem}). It is kept on the server.")
        }
        Some(Ok(list)) if list.is_empty() => "Nobody is on the staff list you may record for.".to_owned(),
        Some(Ok(_)) => String::new(),
    };
    let record = move |_| {
        let Ok((worker, kind, starts_on, expected_end)) = entry else { return };
        let services = services.clone();
        let name = names
            .iter()
            .find(|(id, _)| *id == worker.to_string())
            .map_or_else(|| "They".to_owned(), |(_, name)| name.clone());
        busy.set(true);
        spawn(async move {
            let result = services.record_absence(worker, kind, starts_on, expected_end).await;
            if result.is_ok() {
                recorded.set(Some((worker, kind, starts_on, expected_end)));
            }
            let said = format!("{name} is {}.", away_words(kind, starts_on, expected_end));
            outcome.set(Some(result.map(|children| (said, children)).map_err(|e| e.to_string())));
            busy.set(false);
        });
    };
    rsx! {
        section { class: "card", "aria-labelledby": "desk-absence-title", id: "desk-absence",
            h3 { id: "desk-absence-title", "Someone away" }
            AwayNow { as_of }
            h4 { "Record an absence" }
            p { class: "hint", "Record sickness or leave: an overdue child of theirs then goes to a senior manager, and you see which of their children need cover." }
            label { r#for: "absence-who", "Who is away" }
            Choice { id: "absence-who", disabled: choices.len() < 2, aria_describedby: "absence-staff-note",
                value: who.peek().clone(),
                options: choices,
                onchange: move |choice| who.set(choice) }
            p { class: "muted", id: "absence-staff-note", role: "status", "{staff_note}" }
            label { r#for: "absence-kind", "Why" }
            Choice { id: "absence-kind", value: kind.peek().clone(),
                options: options(&[("sickness", "Sickness"), ("leave", "Leave")]),
                onchange: move |choice| kind.set(choice) }
            label { r#for: "absence-from", "First day away" DateOrderHint {} }
            DateInput { id: "absence-from", value: from.peek().clone(), oninput: move |text| from.set(text) }
            label { r#for: "absence-until", "Last day away, if known" DateOrderHint {} }
            DateInput { id: "absence-until", value: until.peek().clone(), oninput: move |text| until.set(text) }
            if let Err(problem) = entry {
                p { class: "muted", id: "absence-missing", "{problem}" }
            }
            button { class: "wide", id: "record-absence", style: "margin-top:8px", disabled: entry.is_err() || busy() || recorded() == entry.ok(),
                onclick: record, if busy() { "Recording…" } else { "Record the absence" } }
            match outcome.read().clone() {
                None => rsx! {},
                Some(Err(problem)) => rsx! {
                    p { class: "problem", role: "alert", id: "absence-problem", "The absence was not recorded. {problem}" }
                },
                Some(Ok((said, children))) => rsx! {
                    p { class: "saved", role: "status", id: "absence-recorded", "Recorded: {said}" }
                    AwayChildren { away: children, until: recorded().and_then(|(_, _, _, until)| until) }
                },
            }
        }
    }
}

/// Why and when someone is away, in words: "off sick from 03/12/2026", "on leave from
/// 24/12/2026 to 04/01/2027".
fn away_words(kind: AbsenceKind, starts_on: NaiveDate, expected_end: Option<NaiveDate>) -> String {
    let why = match kind {
        AbsenceKind::Sickness => "off sick",
        AbsenceKind::Leave => "on leave",
    };
    match expected_end {
        Some(end) => format!("{why} from {} to {}", dmy(starts_on), dmy(end)),
        None => format!("{why} from {}", dmy(starts_on)),
    }
}

/// An absence as listed: "Sam Social: off sick from 03/12/2026, last day not known."
fn absence_words(view: &AbsenceListedView) -> String {
    let a = &view.absence;
    let unknown = if a.expected_end.is_none() { ", last day not known" } else { "" };
    format!("{}: {}{unknown}.", view.worker_name, away_words(a.kind, a.starts_on, a.expected_end))
}

/// Who is away now or will be, with a button to record each back (or to cancel an absence not
/// yet begun). Read again after every change the phone makes or syncs.
#[component]
fn AwayNow(as_of: NaiveDate) -> Element {
    let services = use_context::<Services>();
    let ui = use_context::<UiState>();
    let read_services = services.clone();
    let away = use_resource(move || {
        let services = read_services.clone();
        let _reload = ui.data_version.read();
        async move { services.absences().await }
    });
    let mut problem = use_signal(|| None::<String>);
    // One change at a time: a second press while the first is on its way changes nothing twice.
    let mut changing = use_signal(|| false);
    let yesterday = as_of.pred_opt().unwrap_or(as_of);
    let listed = away.read().clone();
    rsx! {
        match listed {
            None => rsx! { p { class: "muted", role: "status", "Fetching who is away…" } },
            Some(Err(e)) => rsx! { p { class: "problem", role: "alert", "Who is away could not be loaded ({e})." } },
            Some(Ok(list)) if list.is_empty() => rsx! { p { class: "muted", id: "away-none", "Nobody is recorded away now or to come." } },
            Some(Ok(list)) => rsx! {
                ul { class: "desk-list", id: "away-now",
                    for view in list {
                        li { key: "{view.absence.id}",
                            p { class: "facts", "{absence_words(&view)}" }
                            {
                                let id = view.absence.id;
                                let begun = view.absence.starts_on <= as_of;
                                // Back today: away until yesterday. Not yet begun: until the day before.
                                let last_day = if begun { yesterday } else { view.absence.starts_on.pred_opt().unwrap_or(yesterday) };
                                let services = services.clone();
                                rsx! {
                                    button { r#type: "button", class: "away-back", "data-absence": "{id}", disabled: changing(),
                                        onclick: move |_| {
                                            let services = services.clone();
                                            changing.set(true);
                                            spawn(async move {
                                                problem.set(services.set_absence_last_day(id, last_day).await.err().map(|e| e.to_string()));
                                                changing.set(false);
                                            });
                                        },
                                        if begun { "Back at work today" } else { "Cancel this absence" }
                                    }
                                }
                            }
                        }
                    }
                }
            },
        }
        if let Some(problem) = problem() {
            p { class: "problem", role: "alert", id: "away-problem", "Not changed. {problem}" }
        }
    }
}

/// The absent worker's children with a visit due while they are away, most urgent first,
/// each saying whether a duty worker covers them.
#[component]
fn AwayChildren(away: Vec<(DueWhileAway, String)>, until: Option<NaiveDate>) -> Element {
    let services = use_context::<Services>();
    let duty = use_resource(move || {
        let services = services.clone();
        async move { services.duty_workers().await }
    });
    let duty: Vec<(String, String)> = match &*duty.read() {
        Some(Ok(workers)) => workers.iter().map(|w| (w.id.to_string(), w.name.clone())).collect(),
        _ => Vec::new(),
    };
    let uncovered = away.iter().filter(|(due, _)| !due.covered).count();
    rsx! {
        h4 { id: "absence-children-title",
            {count(away.len(), "child has", "children have")} " a visit due while they are away"
            if uncovered > 0 { ": " {count(uncovered, "needs", "need")} " cover" }
            "."
        }
        ul { class: "desk-list", id: "absence-children",
            for (due, name) in away {
                li { key: "{due.child_id}",
                    Link { class: "desk-child", to: Route::ChildChronology { id: due.child_id },
                        span { class: "name", "{name}" }
                        span { class: if due.state.is_overdue() { "due overdue" } else { "due soon" },
                            span { "aria-hidden": "true", if due.state.is_overdue() { "⚠" } else { "◷" } }
                            " {due.state.describe()}" }
                        span { class: "facts",
                            "Due by {dmy(due.due)}. "
                            if due.covered { "A duty worker covers them." } else { "No cover yet." }
                        }
                    }
                    if !due.covered {
                        CoverChild { child_id: due.child_id, name: name.clone(), duty: duty.clone(), until }
                    }
                }
            }
        }
    }
}

/// Assigning a duty worker to cover one of the absent worker's children, from today: the
/// duty worker, and the last day of cover (the absence's last day, when known).
#[component]
fn CoverChild(
    child_id: ChildId,
    name: String,
    duty: Vec<(String, String)>,
    until: Option<NaiveDate>,
) -> Element {
    let services = use_context::<Services>();
    let mut chosen = use_signal(String::new);
    let mut ends = use_signal(|| until.map(|d| d.to_string()).unwrap_or_default());
    let mut busy = use_signal(|| false);
    let mut outcome = use_signal(|| None::<Result<String, String>>);
    let worker = chosen.read().parse::<uuid::Uuid>().ok().map(WorkerId);
    let ends_on = NaiveDate::parse_from_str(&ends.read(), "%Y-%m-%d").ok();
    let names = duty.clone();
    let assign = move |_| {
        let (Some(worker), Some(ends_on)) = (worker, ends_on) else { return };
        let services = services.clone();
        let duty_name = names
            .iter()
            .find(|(id, _)| *id == worker.to_string())
            .map(|(_, n)| n.clone())
            .unwrap_or_default();
        let name = name.clone();
        busy.set(true);
        spawn(async move {
            let result = services.cover_child(child_id, worker, ends_on).await;
            outcome.set(Some(
                result
                    .map(|()| format!("{duty_name} covers {name} until {}.", dmy(ends_on)))
                    .map_err(|e| e.to_string()),
            ));
            busy.set(false);
        });
    };
    if let Some(Ok(said)) = outcome() {
        return rsx! { p { class: "saved", role: "status", id: "cover-done-{child_id}", "{said}" } };
    }
    let options: Vec<(String, String)> =
        std::iter::once((String::new(), "Choose a duty worker".to_owned())).chain(duty).collect();
    rsx! {
        div { class: "away-cover",
            label { r#for: "away-duty-{child_id}", "Duty worker to cover" }
            Choice { id: "away-duty-{child_id}", disabled: options.len() < 2, value: chosen.peek().clone(), options,
                onchange: move |choice| chosen.set(choice) }
            label { r#for: "away-until-{child_id}", "Cover until" DateOrderHint {} }
            DateInput { id: "away-until-{child_id}", value: ends.peek().clone(), oninput: move |text| ends.set(text) }
            button { class: "wide", id: "away-cover-{child_id}", style: "margin-top:8px",
                disabled: worker.is_none() || ends_on.is_none() || busy(), onclick: assign,
                if busy() { "Assigning…" } else { "Assign duty cover" } }
            if let Some(Err(problem)) = outcome() {
                p { class: "problem", role: "alert", "Cover was not assigned. {problem}" }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_absence_is_said_with_its_last_day_or_that_none_is_known() {
        let day = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(
            away_words(AbsenceKind::Leave, day("2026-12-24"), Some(day("2027-01-04"))),
            "on leave from 24/12/2026 to 04/01/2027"
        );
        let listed = |expected_end| AbsenceListedView {
            absence: shared::Absence {
                id: shared::AbsenceId::new(),
                worker_id: WorkerId::new(),
                kind: AbsenceKind::Sickness,
                starts_on: day("2026-12-03"),
                expected_end,
                recorded_by: WorkerId::new(),
            },
            worker_name: "Sam Social".into(),
        };
        assert_eq!(absence_words(&listed(None)), "Sam Social: off sick from 03/12/2026, last day not known.");
        assert_eq!(
            absence_words(&listed(Some(day("2026-12-07")))),
            "Sam Social: off sick from 03/12/2026 to 07/12/2026."
        );
    }

    #[test]
    fn an_absence_says_what_to_put_right_and_needs_no_last_day() {
        let who = "0190a1b2-0000-7000-8000-000000000001";
        let day = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(
            absence_entry(who, "sickness", "2026-12-03", ""),
            Ok((WorkerId(who.parse().unwrap()), AbsenceKind::Sickness, day("2026-12-03"), None))
        );
        assert_eq!(
            absence_entry(who, "leave", "2026-12-24", "2027-01-04"),
            Ok((
                WorkerId(who.parse().unwrap()),
                AbsenceKind::Leave,
                day("2026-12-24"),
                Some(day("2027-01-04"))
            ))
        );
        // A single day away is a period.
        assert!(absence_entry(who, "sickness", "2026-12-03", "2026-12-03").is_ok());
        assert_eq!(absence_entry("", "sickness", "2026-12-03", ""), Err("Choose who is away."));
        assert_eq!(absence_entry(who, "", "2026-12-03", ""), Err("Choose sickness or leave."));
        assert_eq!(absence_entry(who, "sickness", "", ""), Err("Enter the first day away."));
        assert_eq!(
            absence_entry(who, "sickness", "2026-12-03", "2026-13-01"),
            Err("Check the last day away.")
        );
        assert_eq!(
            absence_entry(who, "sickness", "2026-12-03", "2026-12-02"),
            Err("The last day away must be on or after the first.")
        );
    }
}
