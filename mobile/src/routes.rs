//! The app's routes. Every screen but sign-in and the lock screen sits inside [`Shell`], which
//! shows those two instead of the page until the worker is signed in and unlocked.
//!
//! The `Route` enum lives in the library rather than `main.rs` so that the render tests and
//! the liveview host use exactly the routes the app does.

use dioxus::prelude::*;
use shared::ChildId;

use crate::components::{
    Caseload, ChildChronology, ChildPage, Handover, HeldVisits, ManagerDesk, ManagerInbox, Photos, Shell,
    Supervision, SyncStatus, VisitCapture, VisitReview,
};

/// Every screen, by address.
#[derive(Clone, Debug, PartialEq, Routable)]
#[rustfmt::skip]
pub enum Route {
    #[layout(Shell)]
        /// My children, most urgent first.
        #[route("/")]
        Caseload {},
        /// One child: plan, when last seen, words, needs, siblings, escalations.
        #[route("/child/:id")]
        ChildPage { id: ChildId },
        /// The handover for a covered child, shown before the visit form.
        #[route("/child/:id/handover")]
        Handover { id: ChildId },
        /// Capturing a visit.
        #[route("/child/:id/visit")]
        VisitCapture { id: ChildId },
        /// Photos for the visit being captured.
        #[route("/child/:id/visit/photos")]
        Photos { id: ChildId },
        /// Review, then submit.
        #[route("/child/:id/visit/review")]
        VisitReview { id: ChildId },
        /// What is waiting, what was refused, and "sync now".
        #[route("/sync")]
        SyncStatus {},
        /// A manager's escalations, agreements and cover.
        #[route("/inbox")]
        ManagerInbox {},
        /// Visits held for the manager's review.
        #[route("/inbox/held")]
        HeldVisits {},
        /// The manager's desk: the team at a glance, downloads, and charts.
        #[route("/desk")]
        ManagerDesk {},
        /// A child's chronology, with the PDF to download (from the desk).
        #[route("/desk/child/:id")]
        ChildChronology { id: ChildId },
        /// The manager's supervision of each case: due, overdue, and recorded here.
        #[route("/inbox/supervision")]
        Supervision {},
}

impl Route {
    /// Whether the screen is a manager's: the inbox, the desk and what opens from them. The
    /// navigation offers them to managers only; the server refuses their data to anyone else.
    pub fn is_for_managers(&self) -> bool {
        match self {
            Route::ManagerInbox {}
            | Route::HeldVisits {}
            | Route::ManagerDesk {}
            | Route::ChildChronology { .. }
            | Route::Supervision {} => true,
            Route::Caseload {}
            | Route::ChildPage { .. }
            | Route::Handover { .. }
            | Route::VisitCapture { .. }
            | Route::Photos { .. }
            | Route::VisitReview { .. }
            | Route::SyncStatus {} => false,
        }
    }
}
