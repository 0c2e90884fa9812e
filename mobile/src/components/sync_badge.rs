//! A small line in the top bar that never claims more than is true: "3 waiting to send" until
//! the server has acknowledged everything.

use dioxus::prelude::*;

use crate::app::UiState;
use crate::routes::Route;

/// The sync summary in the top bar; tapping it opens the sync screen.
#[component]
pub fn SyncBadge() -> Element {
    let ui = use_context::<UiState>();
    let sync = ui.sync.read().clone();
    let (class, words) = sync.badge();
    rsx! {
        Link { to: Route::SyncStatus {}, class: "{class}", id: "sync-badge", "{words}" }
    }
}
