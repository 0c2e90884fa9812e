//! The sync screen's headline: where sync stands, in plain words, never more than is true.

use dioxus::prelude::*;
use shared::text::count;

use crate::app::SyncView;

/// One line of plain words about where sync stands. `unsent` is what the outbox holds now.
#[component]
pub fn SyncHeadline(sync: SyncView, unsent: usize) -> Element {
    // "Everything sent" needs both the engine's counts and the outbox just read to agree that
    // nothing is waiting; anything else shows what is waiting, in the engine's words if it has
    // them.
    let (class, words) = if unsent > 0 || sync.waiting > 0 || sync.problems > 0 || sync.offline.is_some() {
        let words = if sync.known && !sync.headline.is_empty() && (sync.waiting > 0 || unsent == 0) {
            sync.headline.clone()
        } else {
            format!("{} saved on this phone, waiting to send.", count(unsent, "record", "records"))
        };
        ("banner warn", words)
    } else if !sync.known {
        ("banner warn", "Checking what is waiting…".to_owned())
    } else if sync.syncing {
        ("banner warn", "Checking for updates…".to_owned())
    } else {
        ("banner good", "✓ Everything on this phone has been sent.".to_owned())
    };
    rsx! { p { class: "{class}", id: "sync-headline", role: "status", "{words}" } }
}
