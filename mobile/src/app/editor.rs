//! The visit form's editing handle, shared by the form's sections through context.
//!
//! Every change goes through [`DraftEditor::edit`]: it updates the draft on screen, marks the
//! field as touched (so its problems show inline from then on) and hands the new draft to
//! `on_change`, which the visit screen wires to a task that saves it durably on the phone.

use chrono::{DateTime, Utc};
use dioxus::prelude::*;
use shared::BusinessClock;

use crate::draft::VisitDraft;

/// A handle for changing the draft being captured. Cheap to copy into event handlers.
#[derive(Clone, Copy, PartialEq)]
pub struct DraftEditor {
    /// The draft as it stands on screen.
    pub draft: Signal<Option<VisitDraft>>,
    /// The fields the worker has touched, by path prefix (for example `seen_alone`).
    pub touched: Signal<Vec<String>>,
    /// Called with the new draft after every change; the visit screen saves it.
    pub on_change: Callback<VisitDraft>,
    /// The service's clock (moved on a training service): what "now" is for the form, as it is
    /// for the draft's start and for the check made on submitting, and the authority's zone,
    /// in which a visit's times are kept and typed.
    pub clock: BusinessClock,
}

impl std::fmt::Debug for DraftEditor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The draft holds a child's words: never print it.
        f.debug_struct("DraftEditor").finish_non_exhaustive()
    }
}

impl DraftEditor {
    /// Now on the service's clock: what the form's problems are judged against.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Applies `change` to the draft, marks `field` touched and passes the draft on for saving.
    pub fn edit(mut self, field: &str, change: impl FnOnce(&mut VisitDraft)) {
        let changed = {
            let mut draft = self.draft.write();
            let Some(draft) = draft.as_mut() else { return };
            change(draft);
            draft.updated_at = Utc::now();
            draft.clone()
        };
        self.touch(field);
        self.on_change.call(changed);
    }

    /// Marks a field touched, so its problems show from now on.
    pub fn touch(mut self, field: &str) {
        if !self.touched.read().iter().any(|t| t == field) {
            self.touched.write().push(field.to_owned());
        }
    }

    /// Whether problems for `field` should show: the worker has touched it, or a field it
    /// belongs to (`seen_alone` covers `seen_alone.reason`), or has asked to review.
    pub fn shows(&self, field: &str) -> bool {
        self.touched.read().iter().any(|t| {
            t == "*"
                || field == t
                || field.starts_with(&format!("{t}."))
                || field.starts_with(&format!("{t}["))
        })
    }
}
