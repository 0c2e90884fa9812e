//! The app's root: what the screens read (a few context signals), the root component, and how
//! the app is started (a desktop window, or liveview in a browser when there is no display).
//!
//! The screens never do I/O inline. They read [`UiState`], whose signals a root task keeps in
//! step with [`Services`]' watch channel, and they call [`Services`] from spawned tasks.

pub mod editor;
pub mod launch;
pub mod model;
pub mod services;

use std::time::Duration;

use chrono::{DateTime, Utc};
use dioxus::prelude::*;
use shared::Worker;
use shared::text::count;

pub use launch::{AppConfig, launch};
pub use services::Services;

use crate::routes::Route;

/// The stylesheet, brought in through the asset system so `dx bundle` ships it.
pub const STYLE: Asset = asset!("/assets/app.css");

/// The same stylesheet compiled in, for a binary built by plain cargo: the asset system only
/// knows where `STYLE` lives once `dx` has processed the binary.
pub const STYLESHEET: &str = include_str!("../assets/app.css");

/// Whether `dx` processed this binary, so that [`STYLE`] names a real file.
fn assets_bundled() -> bool {
    !STYLE.to_string().contains("replaced by dx")
}

/// Where the worker is with signing in and unlocking.
#[derive(Clone, Debug, PartialEq)]
pub enum SessionView {
    /// Still opening the store.
    Starting,
    /// No account on this phone yet: sign in.
    SignedOut,
    /// Signed in before, but locked: the PIN opens it.
    Locked {
        /// Wrong PINs left before the phone's data is wiped.
        attempts_left: u32,
    },
    /// Unlocked and usable.
    Open {
        /// Who is signed in.
        worker: Worker,
    },
}

/// Where the components are running. Provided by the liveview host; a desktop window (or a
/// phone) provides nothing and gets [`Hosting::Native`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Hosting {
    /// A native webview (desktop window or phone): picked files reach the component directly.
    #[default]
    Native,
    /// A browser over liveview: dioxus-liveview 0.7.10 does not pass picked files' contents on,
    /// so the page uploads them to the host itself (see [`crate::liveview`]).
    Liveview,
}

/// What sync is doing, in the terms the UI shows.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SyncView {
    /// Visits submitted on this phone that the server has not yet acknowledged.
    pub waiting: usize,
    /// Records the server refused or found in conflict, waiting for the worker.
    pub problems: usize,
    /// When sync last finished with nothing left to send.
    pub last_success: Option<DateTime<Utc>>,
    /// Whether a sync is running now.
    pub syncing: bool,
    /// Set when the server cannot be reached, in plain words.
    pub offline: Option<String>,
    /// One line of plain words for the sync screen, from the sync engine.
    pub headline: String,
    /// Whether the counts above have been read from the phone's outbox yet. Until they have,
    /// nothing is claimed either way.
    pub known: bool,
    /// The server ended the session (for example the refresh token expired): the worker must
    /// sign in again before anything can be sent. Nothing on the phone is lost meanwhile.
    pub signed_out: bool,
    /// The server sent changes this version of the app could not read: it must be updated
    /// (see [`crate::store::Unreadable`]).
    pub update_needed: bool,
}

impl SyncView {
    /// The CSS class and the words for the top bar. Never claims "sent" while anything waits.
    pub fn badge(&self) -> (&'static str, String) {
        if !self.known {
            ("muted", "Checking what is waiting…".to_owned())
        } else if self.problems > 0 {
            ("flag", count(self.problems, "sync problem", "sync problems"))
        } else if self.waiting > 0 {
            let how = if self.syncing {
                "sending…"
            } else if self.offline.is_some() {
                "offline"
            } else {
                "waiting"
            };
            ("waiting", format!("◷ {} waiting to send ({how})", self.waiting))
        } else if self.update_needed {
            ("flag", "Update the app".to_owned())
        } else if self.syncing {
            ("muted", "Checking for changes…".to_owned())
        } else if self.offline.is_some() {
            ("muted", "Offline. Nothing waiting".to_owned())
        } else {
            ("saved", "All sent".to_owned())
        }
    }
}

/// The signals every screen reads, provided once at the root.
#[derive(Clone, Copy, PartialEq)]
pub struct UiState {
    /// Signing in and locking.
    pub session: Signal<SessionView>,
    /// Sync, as the UI shows it.
    pub sync: Signal<SyncView>,
    /// Bumped when the data on the phone changed (after a sync or a submit), so screens reload.
    pub data_version: Signal<u64>,
    /// The order this phone's date boxes draw dates in, as its page reports it.
    pub date_order: Signal<model::DateOrder>,
}

impl std::fmt::Debug for UiState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UiState").finish_non_exhaustive()
    }
}

impl UiState {
    /// Fresh state for one window or browser tab, starting from what the services show now
    /// (so the first render does not reload everything a moment later).
    pub fn new(snapshot: services::Snapshot) -> Self {
        Self {
            session: Signal::new(snapshot.session),
            sync: Signal::new(snapshot.sync),
            data_version: Signal::new(snapshot.data_version),
            date_order: Signal::new(model::DateOrder::default()),
        }
    }

    /// Records a touch or key press, which keeps the app unlocked.
    pub fn touch(self) {
        if let Some(services) = try_consume_context::<Services>() {
            services.touch();
        }
    }

    /// Locks the app now: the store's key is dropped and the lock screen hides every name.
    pub fn lock(self) {
        if let Some(services) = try_consume_context::<Services>() {
            services.lock();
        }
    }
}

/// Answers the order of the day, month and year in a date as the page's own language writes
/// it, which is the order its date boxes draw them in: `"day,month,year"` in British English.
const DATE_ORDER_SCRIPT: &str = r#"return new Intl.DateTimeFormat(undefined, { year: 'numeric', month: '2-digit', day: '2-digit' })
  .formatToParts(new Date(2006, 10, 22))
  .filter((part) => ['day', 'month', 'year'].includes(part.type))
  .map((part) => part.type)
  .join(',');"#;

/// The root component: provides [`UiState`], follows the services' state, locks when idle.
#[component]
pub fn App() -> Element {
    let services = use_context::<Services>();
    let ui = use_context_provider(|| UiState::new(services.snapshot()));
    // Over liveview, the screens wait for the page to say where it is, and the router is told
    // again once the history has taken a new address (see `liveview::use_settled_history`).
    let hosting = try_use_context::<Hosting>().unwrap_or_default();
    let drawn = crate::liveview::use_settled_history(hosting == Hosting::Liveview);

    // Ask the page which order its date boxes draw dates in, so each box's hint says the order
    // to type them in. Where the page cannot say (a render with no page), the day comes first.
    use_hook(move || {
        let mut order = ui.date_order;
        spawn(async move {
            if let Ok(parts) = document::eval(DATE_ORDER_SCRIPT).await
                && let Some(found) = parts.as_str().and_then(model::DateOrder::from_parts)
            {
                // For `scripts/desktop-smoke`, which checks the desktop window's answer.
                tracing::info!(target: "date_order", "{}", found.hint(false));
                if found != *order.peek() {
                    order.set(found);
                }
            }
        });
    });

    // Follow the services' state: the UI only ever reads it.
    let follow = services.clone();
    use_future(move || {
        let services = follow.clone();
        async move {
            let mut changes = services.subscribe();
            let mut ui = ui;
            loop {
                let snapshot = changes.borrow_and_update().clone();
                if *ui.session.peek() != snapshot.session {
                    ui.session.set(snapshot.session);
                }
                if *ui.sync.peek() != snapshot.sync {
                    ui.sync.set(snapshot.sync);
                }
                if *ui.data_version.peek() != snapshot.data_version {
                    ui.data_version.set(snapshot.data_version);
                }
                if changes.changed().await.is_err() {
                    break;
                }
            }
        }
    });

    // Lock after five minutes without a touch (the PIN session keeps the timer).
    let idle = services.clone();
    use_future(move || {
        let services = idle.clone();
        async move {
            let every =
                (services.config().idle_lock / 4).clamp(Duration::from_millis(250), Duration::from_secs(5));
            loop {
                tokio::time::sleep(every).await;
                services.check_idle();
            }
        }
    });

    rsx! {
        if assets_bundled() {
            document::Stylesheet { href: STYLE }
        } else {
            document::Style { {STYLESHEET} }
        }
        document::Meta { name: "viewport", content: "width=device-width, initial-scale=1" }
        document::Title { "Seen & Heard" }
        Screens { drawn }
    }
}

/// The app's screens, once they may be drawn (over liveview, once the page has said where it
/// is); until then an empty page, busy. A component of its own, so that only it is drawn
/// again when they may be: the stylesheet above is drawn once.
#[component]
fn Screens(drawn: Signal<bool>) -> Element {
    if drawn() {
        rsx! { Router::<Route> {} }
    } else {
        rsx! { div { id: "opening", aria_busy: "true" } }
    }
}
