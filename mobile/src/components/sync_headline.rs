//! The sync screen's headline: where sync stands, in plain words, never more than is true.

use dioxus::prelude::*;
use shared::text::count;

use crate::app::SyncView;

/// One line of plain words about where sync stands. `unsent` is what the outbox holds now;
/// `not_submitted`, visits started for children no longer on the worker's list, which nothing
/// but the Sync screen leads to.
#[component]
pub fn SyncHeadline(sync: SyncView, unsent: usize, #[props(default)] not_submitted: usize) -> Element {
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
    } else if not_submitted > 0 {
        // Sent is true of what was submitted; a visit started and not submitted is not sent.
        let visits = count(not_submitted, "visit", "visits");
        (
            "banner warn",
            format!("Everything submitted has been sent. {visits} not submitted yet: finish below."),
        )
    } else {
        ("banner good", "✓ Everything on this phone has been sent.".to_owned())
    };
    rsx! { p { class: "{class}", id: "sync-headline", role: "status", "{words}" } }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(sync: SyncView, unsent: usize, not_submitted: usize) -> String {
        let mut dom =
            VirtualDom::new_with_props(SyncHeadline, SyncHeadlineProps { sync, unsent, not_submitted });
        dom.rebuild_in_place();
        dioxus_ssr::render(&dom)
    }

    fn quiet() -> SyncView {
        SyncView { known: true, ..SyncView::default() }
    }

    /// A visit started for a child no longer on the worker's list is not sent: the headline
    /// never says "Everything on this phone has been sent" while one waits to be finished.
    #[test]
    fn a_visit_not_submitted_is_never_called_sent() {
        let html = render(quiet(), 0, 1);
        assert!(!html.contains("Everything on this phone has been sent"), "{html}");
        assert!(html.contains("1 visit not submitted yet"), "{html}");
        assert!(html.contains("banner warn"), "{html}");
        let all_sent = render(quiet(), 0, 0);
        assert!(all_sent.contains("Everything on this phone has been sent"), "{all_sent}");
    }
}
