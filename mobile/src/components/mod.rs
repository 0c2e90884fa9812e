//! The screens and their parts, one component per file. They read state through context
//! signals ([`crate::app::UiState`]) and call [`crate::app::Services`] only from spawned tasks.

mod case_card;
mod case_list;
mod caseload;
mod cases_to_check;
mod chart_figure;
mod child_chronology;
mod child_page;
mod download_link;
mod due_badge;
#[cfg(test)]
mod editor_harness;
mod escalation_history;
mod escalation_list;
mod field_problems;
mod focus_script;
mod handover;
mod held_visits;
mod inbox_card;
pub mod interpreter_section;
mod lock_screen;
mod manager_desk;
mod manager_inbox;
mod needs_card;
mod own_version;
mod photo_caption;
mod photos;
mod plan_card;
mod problem_item;
mod quote_entry;
mod record_absence;
mod safety_warnings;
mod save_indicator;
mod seen_alone_banner;
mod shell;
mod sign_in;
mod sign_in_again;
mod standing_decision;
mod supervision;
mod sync_badge;
mod sync_headline;
mod sync_status;
mod text_field;
mod timeline_card;
mod visit_capture;
pub mod visit_editor;
mod visit_form;
mod visit_review;
mod words_card;
mod yes_no;

pub use case_card::CaseCard;
pub use case_list::CaseList;
pub use caseload::Caseload;
pub use cases_to_check::CasesToCheck;
pub use chart_figure::ChartFigure;
pub use child_chronology::ChildChronology;
pub use child_page::ChildPage;
pub use download_link::DownloadLink;
pub use due_badge::DueBadge;
pub use escalation_history::EscalationHistory;
pub use escalation_list::EscalationList;
pub use field_problems::FieldProblems;
pub use focus_script::FocusScript;
pub use handover::Handover;
pub use held_visits::HeldVisits;
pub use inbox_card::InboxCard;
pub use interpreter_section::InterpreterSection;
pub use lock_screen::LockScreen;
pub use manager_desk::ManagerDesk;
pub use manager_inbox::ManagerInbox;
pub use needs_card::NeedsCard;
pub use own_version::OwnVersion;
pub use photo_caption::PhotoCaption;
pub use photos::Photos;
pub use plan_card::PlanCard;
pub use problem_item::ProblemItem;
pub use quote_entry::QuoteEntry;
pub use record_absence::RecordAbsence;
pub use safety_warnings::SafetyWarnings;
pub use save_indicator::SaveIndicator;
pub use seen_alone_banner::{SeenAloneBanner, StandingDecisionNote, standing_decision_words};
pub use shell::Shell;
pub use sign_in::SignIn;
pub use sign_in_again::SignInAgain;
pub use standing_decision::StandingDecision;
pub use supervision::Supervision;
pub use sync_badge::SyncBadge;
pub use sync_headline::SyncHeadline;
pub use sync_status::SyncStatus;
pub use text_field::{Choice, DateInput, DateOrderHint, TextArea, TextInput, Tick, options};
pub use timeline_card::TimelineCard;
pub use visit_capture::VisitCapture;
pub use visit_editor::{SaveState, VisitEditor};
pub use visit_form::VisitForm;
pub use visit_review::VisitReview;
pub use words_card::WordsCard;
pub use yes_no::YesNo;

/// What `read` last answered, if it answered for what the screen now shows (`current`), for a
/// screen read again after every sync that asks the server, which can take seconds. Only its
/// first read suspends it: a later one keeps the last answer on screen until the new one
/// comes, since suspending again would unmount the screen, and with it whatever the worker was
/// typing and any section they had opened. `None` for the one render between a screen moving
/// to another child and its read starting again: there is nothing of that child to show yet.
pub(crate) fn last_answer<T: Clone + 'static>(
    read: &dioxus::prelude::Resource<T>,
    current: impl Fn(&T) -> bool,
) -> Result<Option<T>, dioxus::prelude::RenderError> {
    use dioxus::prelude::ReadableExt;
    match read.value().read().clone().filter(|answer| current(answer)) {
        Some(answer) => Ok(Some(answer)),
        None => read.suspend().map(|_| None),
    }
}
