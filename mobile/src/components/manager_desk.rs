//! The manager's desk: the team at a glance (children overdue or due this week, open
//! escalations by age, held visits and conflicts, cover in force), the downloads an inspector
//! asks for, and the figures of the last 3, 6, 12 (at first) or 24 months as charts with their
//! tables. Laid out for the phone, and in two columns in a desktop window. Every child goes
//! through to their chronology.

use chrono::NaiveDate;
use dioxus::prelude::*;
use shared::desk::{DEFAULT_DESK_MONTHS, Desk, EscalationMonth, MAX_DESK_MONTHS, MonthFigures, WorkerMonths};
use shared::text::count;

use super::{ChartFigure, Choice, DateInput, DateOrderHint, DownloadLink, RecordAbsence};
use crate::app::model::dmy;
use crate::app::{Services, UiState};
use crate::charts::{self, Measure};
use crate::routes::Route;

/// The desk screen, for managers. Needs signal: the desk is worked out on the server.
#[component]
pub fn ManagerDesk() -> Element {
    let services = use_context::<Services>();
    let ui = use_context::<UiState>();
    let months = use_signal(|| DEFAULT_DESK_MONTHS);
    let desk = use_resource(move || {
        let services = services.clone();
        let _reload = ui.data_version.read();
        let months = months();
        async move { services.desk(months).await }
    });
    // A new period is read while the last answer stays on screen, saying so until it comes.
    let fetching = matches!(*desk.state().read(), UseResourceState::Pending).then_some(months());
    let body = match desk.read().clone() {
        None => rsx! { p { class: "muted", role: "status", "Fetching the desk from the server…" } },
        Some(Err(problem)) => rsx! {
            p { class: "problem", role: "alert", "The desk could not be loaded ({problem}). It is worked out on the server: try again with signal." }
            PeriodChoice { months, fetching: None }
        },
        Some(Ok(desk)) => rsx! { DeskBody { desk, months, fetching } },
    };
    rsx! {
        h2 { id: "screen-title", "Team desk" }
        {body}
    }
}

/// What the desk says of escalations a manager acted on that are still being worked on (an
/// overdue child not yet seen, say): nothing when there are none.
fn acted_on_words(n: usize) -> String {
    match n {
        0 => String::new(),
        1 => " 1 more has been acted on and is not yet closed.".to_owned(),
        n => format!(" {n} more have been acted on and are not yet closed."),
    }
}

/// The periods the desk's figures can be shown for, in calendar months, the current one included.
const PERIODS: [u32; 4] = [3, 6, 12, MAX_DESK_MONTHS];

/// The list box choosing how many months of figures the desk shows, and, while another period
/// is being fetched, a line saying so.
#[component]
fn PeriodChoice(months: Signal<u32>, fetching: Option<u32>) -> Element {
    let mut months = months;
    let options: Vec<(String, String)> =
        PERIODS.iter().map(|n| (n.to_string(), format!("{n} months"))).collect();
    rsx! {
        div { class: "desk-period",
            label { r#for: "desk-months", "How many months to show" }
            Choice { id: "desk-months", value: months.peek().to_string(), options,
                onchange: move |choice: String| {
                    if let Ok(n) = choice.parse::<u32>() && PERIODS.contains(&n) {
                        months.set(n);
                    }
                }
            }
            if let Some(n) = fetching {
                p { class: "muted", role: "status", id: "desk-months-fetching", "Fetching {n} months of figures…" }
            }
        }
    }
}

#[component]
fn DeskBody(desk: Desk, months: Signal<u32>, fetching: Option<u32>) -> Element {
    // Said only while a period other than the one shown is on its way, not on every re-read.
    let fetching = fetching.filter(|n| usize::try_from(*n).ok() != Some(desk.months.len()));
    let as_of = dmy(desk.as_of);
    let ages: u32 = desk.escalations_by_age.iter().map(|b| b.open).sum();
    let acted_on = acted_on_words(desk.open_escalations.iter().filter(|e| e.acted_on).count());
    rsx! {
        p { class: "muted", "As of {as_of}." }
        div { class: "desk-glance",
            section { class: "card", "aria-labelledby": "desk-due-title", id: "desk-due",
                h3 { id: "desk-due-title", "Children overdue or due this week ({desk.children_due.len()})" }
                if desk.children_due.is_empty() {
                    p { class: "muted", "No child is overdue or due in the next five working days." }
                } else {
                    ul { class: "desk-list",
                        for child in desk.children_due.iter() {
                            li { key: "{child.child_id}",
                                Link { class: "desk-child", to: Route::ChildChronology { id: child.child_id },
                                    span { class: "name", "{child.child_name}" }
                                    span { class: if child.due_state.is_overdue() { "due overdue" } else { "due soon" },
                                        span { "aria-hidden": "true", if child.due_state.is_overdue() { "⚠" } else { "◷" } }
                                        " {child.due_words}" }
                                    span { class: "facts", "Key worker: {child.key_worker}. Due by {dmy(child.due_state.due())}." }
                                }
                            }
                        }
                    }
                }
            }
            section { class: "card", "aria-labelledby": "desk-escalations-title", id: "desk-escalations",
                h3 { id: "desk-escalations-title", "Open escalations by age ({ages})" }
                dl { class: "desk-bands",
                    for band in desk.escalations_by_age.iter() {
                        div { key: "{band.from_days}", dt { "{band.label}" } dd { "{band.open}" } }
                    }
                }
                p { class: "hint", id: "desk-escalations-hint", "Waiting for a manager, oldest first.{acted_on}" }
                ul { class: "desk-list",
                    for escalation in desk.open_escalations.iter().filter(|e| !e.acted_on) {
                        li { key: "{escalation.id}",
                            Link { class: "desk-child", to: Route::ChildChronology { id: escalation.child_id },
                                span { class: "name", "{escalation.child_name}" }
                                span { class: "facts",
                                    "{escalation.reason} Raised {dmy(escalation.raised_on)} ({days_ago(escalation.age_days)})."
                                }
                            }
                        }
                    }
                }
            }
            section { class: "card", "aria-labelledby": "desk-review-title", id: "desk-review",
                h3 { id: "desk-review-title", "Held visits and conflicts" }
                p { id: "desk-held", {count(desk.held_visits, "visit", "visits")} " held for review." }
                p { id: "desk-conflicts", {count(desk.conflicts, "sync conflict", "sync conflicts")} " waiting." }
                Link { class: "button", to: Route::HeldVisits {}, "Visits held for your review" }
            }
            section { class: "card", "aria-labelledby": "desk-cover-title", id: "desk-cover",
                h3 { id: "desk-cover-title", "Cover in force ({desk.covers.len()})" }
                if desk.covers.is_empty() {
                    p { class: "muted", "No duty cover in force today." }
                }
                ul { class: "desk-list",
                    for cover in desk.covers.iter() {
                        li { key: "{cover.id}",
                            Link { class: "desk-child", to: Route::ChildChronology { id: cover.child_id },
                                span { class: "name", "{cover.child_name}" }
                                span { class: "facts", "{cover.duty_worker} covers for {cover.covering_for} until {dmy(cover.ends_on)}." }
                            }
                        }
                    }
                }
            }
            RecordAbsence { as_of: desk.as_of }
            PlansDue { as_of: desk.as_of }
            section { class: "card", "aria-labelledby": "desk-downloads-title", id: "desk-downloads",
                h3 { id: "desk-downloads-title", "Reports to download" }
                p { class: "hint", "Fetched with your session, then saved from this page." }
                div { class: "desk-downloads",
                    DownloadLink { id: "download-annex-a", path: "api/reports/annex-a-list-7.csv",
                        file_name: "annex-a-list-7.csv", label: "Annex A List 7 (CSV)" }
                }
                p { class: "hint", "Annex A List 7: children on a plan today, and those whose plan ended in the six months before." }
                CompliancePeriod { as_of: desk.as_of }
            }
        }
        h3 { class: "section-title", id: "desk-months-title", "The last {desk.months.len()} months" }
        PeriodChoice { months, fetching }
        div { class: "desk-charts",
            MeasuresChart { id: "chart-team", title: "The team's visits", months: desk.months.clone() }
            EscalationsChart { months: desk.escalation_months.clone() }
        }
        h3 { class: "section-title", "By key worker" }
        div { class: "desk-charts",
            for worker in desk.workers.iter() {
                WorkerChart { key: "{worker.worker_id}", worker: worker.clone() }
            }
        }
    }
}

/// How many days before the desk's date the compliance report starts at first, as the
/// server's own default.
const COMPLIANCE_DAYS: i64 = 90;

/// The compliance report's period from what the manager typed (`YYYY-MM-DD`, as a date box
/// gives it), or what to put right, in words.
fn report_period(from: &str, to: &str) -> Result<(NaiveDate, NaiveDate), &'static str> {
    let from = NaiveDate::parse_from_str(from, "%Y-%m-%d").map_err(|_| "Enter the report's first day.")?;
    let to = NaiveDate::parse_from_str(to, "%Y-%m-%d").map_err(|_| "Enter the report's last day.")?;
    if from > to {
        return Err("The report must start on or before its last day.");
    }
    Ok((from, to))
}

/// The compliance report's period, the last 90 days at first, and its downloads for that
/// period: a quarter's figures for an inspector, say. A file fetched for one period is never
/// offered for another: each period's links are new ones.
#[component]
fn CompliancePeriod(as_of: NaiveDate) -> Element {
    let mut from = use_signal(|| (as_of - chrono::Duration::days(COMPLIANCE_DAYS)).to_string());
    let mut to = use_signal(|| as_of.to_string());
    let period = report_period(&from.read(), &to.read());
    rsx! {
        div { class: "desk-period-dates", role: "group", "aria-labelledby": "report-period-title",
            p { id: "report-period-title", class: "desk-period-title", "The compliance report's period" }
            div {
                label { r#for: "report-from", "From" DateOrderHint {} }
                DateInput { id: "report-from", value: from.peek().clone(), oninput: move |text| from.set(text) }
            }
            div {
                label { r#for: "report-to", "To" DateOrderHint {} }
                DateInput { id: "report-to", value: to.peek().clone(), oninput: move |text| to.set(text) }
            }
        }
        match period {
            Err(problem) => rsx! { p { class: "problem", role: "alert", id: "report-period-problem", "{problem}" } },
            // Keyed by the period, in a list of one, so that a new period makes new links,
            // not the old ones with their file.
            Ok((from, to)) => rsx! {
                for (from, to) in [(from, to)] {
                    div { key: "{from}-{to}", class: "desk-downloads",
                        DownloadLink { id: "download-compliance-csv",
                            path: "api/reports/compliance.csv?from={from}&to={to}",
                            file_name: "compliance-report-{from}-to-{to}.csv", label: "the compliance report (CSV)" }
                        DownloadLink { id: "download-compliance",
                            path: "api/reports/compliance?from={from}&to={to}",
                            file_name: "compliance-report-{from}-to-{to}.json", label: "the compliance report (JSON)" }
                    }
                }
            },
        }
    }
}

/// One child on the desk's "supervision and meetings due": name, next supervision date, id,
/// whether anything is overdue, and what is pressing in words.
type PlanRow = (String, NaiveDate, shared::ChildId, bool, Vec<String>);

/// Supervision and meetings due: each child whose core group, review conference or supervision
/// is overdue or due within a week, or who has agreed actions past their date, most pressing
/// first. Read from `GET /api/plans/due`.
#[component]
fn PlansDue(as_of: NaiveDate) -> Element {
    let services = use_context::<Services>();
    let ui = use_context::<UiState>();
    let plans = use_resource(move || {
        let services = services.clone();
        let _reload = ui.data_version.read();
        async move { services.plans_due().await }
    });
    let soon = as_of + chrono::Duration::days(7);
    let rows: Option<Result<Vec<PlanRow>, String>> = plans.read().clone().map(|answer| {
        answer.map_err(|e| e.to_string()).map(|plans| {
            let mut rows: Vec<_> = plans
                .into_iter()
                .filter_map(|(plan, name)| {
                    let pressing = plan.pressing(soon);
                    let overdue = plan.core_group.as_ref().is_some_and(|d| d.overdue)
                        || plan.review_conference.as_ref().is_some_and(|d| d.overdue)
                        || plan.supervision.overdue
                        || plan.actions_overdue > 0;
                    (!pressing.is_empty()).then_some((
                        name,
                        plan.supervision.due,
                        plan.child_id,
                        overdue,
                        pressing,
                    ))
                })
                .collect();
            rows.sort_by_key(|(name, due, _, overdue, _)| (!*overdue, *due, name.clone()));
            rows
        })
    });
    rsx! {
        section { class: "card", "aria-labelledby": "desk-plans-title", id: "desk-plans",
            h3 { id: "desk-plans-title", "Supervision and meetings due" }
            match rows {
                None => rsx! { p { class: "muted", role: "status", "Fetching the plans' dates…" } },
                Some(Err(problem)) => rsx! { p { class: "problem", role: "alert", "The plans' dates could not be loaded ({problem})." } },
                Some(Ok(rows)) if rows.is_empty() => rsx! {
                    p { class: "muted", "No core group, review conference or supervision is overdue or due this week." }
                },
                Some(Ok(rows)) => rsx! {
                    ul { class: "desk-list",
                        for (name, _, child_id, overdue, pressing) in rows {
                            li { key: "{child_id}",
                                Link { class: "desk-child", to: Route::ChildChronology { id: child_id },
                                    span { class: "name", "{name}" }
                                    for words in pressing {
                                        span { class: if overdue { "due overdue" } else { "due soon" }, "{words}" }
                                    }
                                }
                            }
                        }
                    }
                    Link { class: "button", to: Route::Supervision {}, "Record supervision" }
                },
            }
        }
    }
}

#[component]
fn WorkerChart(worker: WorkerMonths) -> Element {
    let title = format!("{}'s children", worker.worker_name);
    rsx! { MeasuresChart { id: "chart-worker-{worker.worker_id}", title, months: worker.months } }
}

/// How long ago an escalation was raised, in calendar days: "today", "yesterday", "4 days ago".
fn days_ago(days: u32) -> String {
    match days {
        0 => "today".to_owned(),
        1 => "yesterday".to_owned(),
        n => format!("{n} days ago"),
    }
}

fn cell(measure: Measure, month: &MonthFigures) -> String {
    let (part, whole) = measure.count(month);
    match measure.percent(month) {
        Some(percent) => format!("{percent}% ({part} of {whole})"),
        None => "none to count".to_owned(),
    }
}

#[component]
fn MeasuresChart(id: String, title: String, months: Vec<MonthFigures>) -> Element {
    let (svg, alternative) = charts::measures_chart(&title, &months);
    rsx! {
        ChartFigure { id, name: "Chart: {title}", svg, alternative,
            table {
                caption { "{title}, by month" }
                thead { tr {
                    th { scope: "col", "Month" }
                    for measure in Measure::ALL { th { scope: "col", "{measure.label()}" } }
                } }
                tbody {
                    for month in months.iter() {
                        tr { key: "{month.month}",
                            th { scope: "row", "{charts::month_label(month.month)}" }
                            for measure in Measure::ALL { td { "{cell(measure, month)}" } }
                        }
                    }
                }
            }
        }
    }
}

#[component]
fn EscalationsChart(months: Vec<EscalationMonth>) -> Element {
    let (svg, alternative) = charts::escalations_chart(&months);
    rsx! {
        ChartFigure { id: "chart-escalations", name: "Chart: escalations raised and resolved", svg, alternative,
            table {
                caption { "Escalations by month" }
                thead { tr {
                    th { scope: "col", "Month" }
                    th { scope: "col", "Raised" }
                    th { scope: "col", "Resolved" }
                    th { scope: "col", "Acted on" }
                    th { scope: "col", "Mean time to first action" }
                } }
                tbody {
                    for month in months.iter() {
                        tr { key: "{month.month}",
                            th { scope: "row", "{charts::month_label(month.month)}" }
                            td { "{month.raised}" }
                            td { "{month.resolved}" }
                            td { "{month.acted_on}" }
                            td { {month.mean_days_to_first_action.map(|d| count(d, "day", "days")).unwrap_or_else(|| "none acted on".to_owned())} }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::{acted_on_words, report_period};

    #[test]
    fn the_report_period_says_what_to_put_right_and_takes_a_single_day() {
        let day = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(report_period("2026-07-01", "2026-09-30"), Ok((day("2026-07-01"), day("2026-09-30"))));
        assert_eq!(report_period("2026-09-30", "2026-09-30"), Ok((day("2026-09-30"), day("2026-09-30"))));
        assert_eq!(report_period("", "2026-09-30"), Err("Enter the report's first day."));
        assert_eq!(report_period("2026-07-01", ""), Err("Enter the report's last day."));
        assert_eq!(report_period("2026-02-30", "2026-09-30"), Err("Enter the report's first day."));
        assert_eq!(
            report_period("2026-10-01", "2026-09-30"),
            Err("The report must start on or before its last day.")
        );
    }

    #[test]
    fn escalations_still_being_worked_on_are_counted_in_words_and_none_says_nothing() {
        assert_eq!(acted_on_words(0), "");
        assert_eq!(acted_on_words(1), " 1 more has been acted on and is not yet closed.");
        assert_eq!(acted_on_words(3), " 3 more have been acted on and are not yet closed.");
    }
}
