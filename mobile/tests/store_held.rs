//! A visit the server holds for a manager's review counts for nothing on the phone (the child
//! is not shown as seen) until the server says a manager accepted it; the phone lists it as
//! "waiting for your manager".

mod core_fixtures;

use core_fixtures::*;
use shared::schedule::DueState;
use shared::sync::{
    ChangeEvent, Cursor, PROTOCOL_VERSION, PullResponse, PushOutcome, PushResult, ReviewState,
};

fn page(events: Vec<ChangeEvent>) -> PullResponse {
    PullResponse {
        protocol: PROTOCOL_VERSION,
        events,
        cursor: Cursor("c".into()),
        more: false,
        settings: Some(settings(shared::CalendarName::Jersey)),
    }
}

fn review(visit: &shared::Visit, state: ReviewState) -> ChangeEvent {
    ChangeEvent::VisitReview { visit_id: visit.id, revision: visit.revision, child_id: visit.child_id, state }
}

#[test]
fn a_visit_the_server_held_does_not_make_the_child_seen_until_a_manager_accepts_it() {
    let (_dir, _local, store) = unlocked_store();
    // The authority's calendar arrives with the first pull, as after a real sign-in.
    store.apply_pull(&page(vec![]), afternoon()).unwrap();
    let today = date(2025, 3, 3);
    let child = child();
    store.put_child(&child).unwrap();
    let visit = visit_with_words(&child, "hi");
    store.submit(&visit, afternoon()).unwrap();
    assert!(matches!(store.caseload(today).unwrap()[0].due_state, Some(DueState::OnTrack { .. })));

    // The server holds it for review.
    let held = "Held for a manager's review: this child is not on your caseload for the date of the visit.";
    store
        .record_push_result(
            &PushResult {
                visit_id: visit.id,
                revision: 1,
                outcome: PushOutcome::Accepted { needs_review: Some(held.into()) },
            },
            afternoon(),
        )
        .unwrap();
    let entry = &store.caseload(today).unwrap()[0];
    assert!(matches!(entry.due_state, Some(DueState::Overdue { .. })), "a held visit is not a visit");
    assert_eq!(entry.last_seen, None);
    let waiting = store.held_visits().unwrap();
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].1, ReviewState::Waiting { reason: held.into() });

    // A manager accepts it: the next pull says so, and the child is seen.
    store.apply_pull(&page(vec![review(&visit, ReviewState::Accepted)]), afternoon()).unwrap();
    let entry = &store.caseload(today).unwrap()[0];
    assert!(matches!(entry.due_state, Some(DueState::OnTrack { .. })));
    assert_eq!(entry.last_seen, Some(today));
    assert!(store.held_visits().unwrap().is_empty());
}

#[test]
fn a_pulled_visit_linked_to_another_child_counts_for_nothing_here() {
    let (_dir, _local, store) = unlocked_store();
    // The authority's calendar arrives with the first pull, as after a real sign-in.
    store.apply_pull(&page(vec![]), afternoon()).unwrap();
    let today = date(2025, 3, 3);
    let child = child();
    let visit = visit_with_words(&child, "hi");
    store
        .apply_pull(
            &page(vec![
                ChangeEvent::Child { child: Box::new(child.clone()) },
                ChangeEvent::Visit { visit: Box::new(visit.clone()) },
                review(&visit, ReviewState::Linked),
            ]),
            afternoon(),
        )
        .unwrap();
    assert_eq!(store.caseload(today).unwrap()[0].last_seen, None);
    assert_eq!(store.visits_for(child.id).unwrap(), vec![visit], "kept, not deleted");
}
