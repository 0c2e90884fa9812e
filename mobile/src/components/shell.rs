//! The frame around every screen: who is signed in, whether anything is waiting to be sent,
//! and the bottom navigation within thumb reach. Until the worker is signed in and unlocked it
//! shows the sign-in or lock screen instead, so no child's name is ever on screen while locked.

use dioxus::prelude::*;

use super::{FocusScript, LockScreen, SignIn, SignInAgain, SyncBadge};
use crate::app::{SessionView, UiState};
use crate::routes::Route;

/// The layout route: the gate, the top bar, the page, the bottom navigation.
#[component]
pub fn Shell() -> Element {
    let ui = use_context::<UiState>();
    // Which screen is showing, for the focus script (see `FocusScript`).
    let route = use_route::<Route>();
    let session = ui.session.read().clone();
    match session {
        SessionView::Starting => rsx! { main { class: "lock", p { role: "status", "Opening…" } } },
        SessionView::SignedOut => rsx! { SignIn {} },
        SessionView::Locked { attempts_left } => rsx! { LockScreen { attempts_left } },
        SessionView::Open { worker } => {
            let is_manager = worker.role.is_manager();
            rsx! {
                FocusScript {}
                div { class: "app", "data-route": "{route}",
                    onpointerdown: move |_| ui.touch(),
                    onkeydown: move |_| ui.touch(),
                    header { class: "topbar",
                        h1 { "Seen & Heard" }
                        SyncBadge {}
                        button { id: "lock-now", "aria-label": "Lock the app now", onclick: move |_| ui.lock(), "Lock" }
                    }
                    main { class: "content",
                        if ui.sync.read().signed_out {
                            SignInAgain {}
                        }
                        ErrorBoundary {
                            handle_error: |errors: ErrorContext| rsx! {
                                div { class: "banner bad", role: "alert",
                                    "Something went wrong on this screen. Your saved work is safe on this phone."
                                    if let Some(error) = errors.error() { p { "{error}" } }
                                }
                            },
                            if route.is_for_managers() && !is_manager {
                                // Reached by address (a link passed on, or the back button after
                                // signing in as someone else): say so plainly, and offer the way
                                // back, instead of a screen whose every read is refused.
                                h2 { id: "screen-title", "For managers" }
                                p { id: "managers-only",
                                    "This screen is for team and senior managers. The children you visit are under My children." }
                                Link { class: "button wide", to: Route::Caseload {}, "Go to My children" }
                            } else {
                                SuspenseBoundary { fallback: |_| rsx! { p { class: "muted", "Loading…" } },
                                    Outlet::<Route> {}
                                }
                            }
                        }
                    }
                    div { class: "bottomnav",
                        nav { "aria-label": "Main",
                            Link { to: Route::Caseload {}, active_class: "active", id: "nav-caseload",
                                span { class: "icon", "aria-hidden": "true", "☰" } "My children" }
                            Link { to: Route::SyncStatus {}, active_class: "active", id: "nav-sync",
                                span { class: "icon", "aria-hidden": "true", "⇅" } "Sync" }
                            if is_manager {
                                Link { to: Route::ManagerInbox {}, active_class: "active", id: "nav-inbox",
                                    span { class: "icon", "aria-hidden": "true", "✉" } "Inbox" }
                                Link { to: Route::ManagerDesk {}, active_class: "active", id: "nav-desk",
                                    span { class: "icon", "aria-hidden": "true", "▦" } "Desk" }
                            }
                        }
                    }
                }
            }
        }
    }
}
