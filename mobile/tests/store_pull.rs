//! Applying pulled changes: upserts, the cursor, the caseload order, and a child leaving the
//! worker's scope taking everything pulled about them with it (but not unsent work).

mod core_fixtures;

use core_fixtures::*;
use mobile::store::{Kept, OutboxState};
use shared::CalendarName;
use shared::WorkerId;
use shared::people::CoverAssignment;
use shared::schedule::DueState;
use shared::sync::{ChangeEvent, Cursor, PROTOCOL_VERSION, PullResponse, RemovalReason};

fn page(events: Vec<ChangeEvent>, cursor: &str) -> PullResponse {
    PullResponse {
        protocol: PROTOCOL_VERSION,
        events,
        cursor: Cursor(cursor.into()),
        more: false,
        settings: Some(settings(CalendarName::Jersey)),
    }
}

#[test]
fn a_pulled_page_is_applied_with_its_cursor() {
    let (_dir, _local, store) = unlocked_store();
    let child = child();
    let visit = visit_with_words(&child, "hello");
    let summary = store
        .apply_pull(
            &page(
                vec![
                    ChangeEvent::Child { child: Box::new(child.clone()) },
                    ChangeEvent::Visit { visit: Box::new(visit.clone()) },
                ],
                "c-1",
            ),
            afternoon(),
        )
        .unwrap();
    assert_eq!((summary.children, summary.visits), (1, 1));
    assert_eq!(store.child(child.id).unwrap(), Some(child.clone()));
    assert_eq!(store.visits_for(child.id).unwrap(), vec![visit]);
    assert_eq!(store.pull_cursor().unwrap(), Some(Cursor("c-1".into())));
    // Applying the same page again changes nothing (a page interrupted half-way is re-pulled).
    store
        .apply_pull(&page(vec![ChangeEvent::Child { child: Box::new(child.clone()) }], "c-1"), afternoon())
        .unwrap();
    assert_eq!(store.children().unwrap().len(), 1);
}

#[test]
fn a_visit_pulled_back_confirms_a_push_whose_answer_was_lost() {
    let (_dir, _local, store) = unlocked_store();
    let child = child();
    let visit = visit_with_words(&child, "hello");
    store.submit(&visit, afternoon()).unwrap();
    let summary = store
        .apply_pull(&page(vec![ChangeEvent::Visit { visit: Box::new(visit.clone()) }], "c"), afternoon())
        .unwrap();
    assert_eq!(summary.confirmed_sent, 1);
    assert!(matches!(store.outbox().unwrap()[0].state, OutboxState::Sent { .. }));
}

#[test]
fn a_child_removed_from_scope_is_deleted_but_unsent_work_is_kept() {
    let (_dir, _local, store) = unlocked_store();
    let child = child();
    let other = core_fixtures::child();
    let pulled_visit = visit_with_words(&child, "pulled");
    let cover = CoverAssignment {
        covering_for: WorkerId::new(),
        assigned_by: WorkerId::new(),
        ..fixtures::cover(child.id, WORKER, date(2025, 3, 1), date(2025, 3, 14))
    };
    let escalation = not_seen_escalation(child.id, pulled_visit.id);
    store
        .apply_pull(
            &page(
                vec![
                    ChangeEvent::Child { child: Box::new(child.clone()) },
                    ChangeEvent::Child { child: Box::new(other.clone()) },
                    ChangeEvent::Visit { visit: Box::new(pulled_visit) },
                    ChangeEvent::Cover { cover },
                    ChangeEvent::Escalation { escalation: Box::new(escalation) },
                ],
                "c-1",
            ),
            afternoon(),
        )
        .unwrap();
    let unsent = visit_with_words(&child, "not sent yet");
    store.submit(&unsent, afternoon()).unwrap();
    let draft = complete_draft(&child);
    store.save_draft(&draft).unwrap();
    let decision = shared::SeenAloneDecision {
        id: shared::SeenAloneDecisionId::new(),
        child_id: child.id,
        reason: "Four months old".into(),
        starts_on: date(2025, 3, 1),
        ends_on: date(2025, 4, 1),
        decided_by: WorkerId::new(),
        decided_by_name: "Tara Manager".into(),
        decided_at: afternoon(),
        ended: None,
    };
    store.save_seen_alone_decisions(child.id, std::slice::from_ref(&decision)).unwrap();
    store.save_seen_alone_decisions(other.id, std::slice::from_ref(&decision)).unwrap();
    for id in [child.id, other.id] {
        store.save_timeline(id, &serde_json::json!({ "plan": "kept" }), Some("W/\"t1\"".into())).unwrap();
    }

    let summary = store
        .apply_pull(
            &page(
                vec![ChangeEvent::RemovedFromScope { child_id: child.id, reason: RemovalReason::CoverEnded }],
                "c-2",
            ),
            afternoon(),
        )
        .unwrap();
    assert_eq!(summary.removed, 1);
    assert_eq!(store.child(child.id).unwrap(), None);
    assert!(store.visits_for(child.id).unwrap().is_empty());
    assert!(store.covers().unwrap().is_empty());
    assert!(store.escalations_for(child.id).unwrap().is_empty());
    assert!(store.seen_alone_decisions(child.id).unwrap().is_empty(), "a manager's reasons leave too");
    assert_eq!(store.seen_alone_decisions(other.id).unwrap().len(), 1);
    assert_eq!(store.timeline(child.id).unwrap(), None, "the plan's timeline leaves too");
    assert_eq!(store.kept_tag(Kept::Timeline, child.id), None, "and the tag kept with it");
    assert_eq!(store.kept_tag(Kept::Timeline, other.id).as_deref(), Some("W/\"t1\""));
    assert_eq!(store.child(other.id).unwrap(), Some(other), "other children untouched");
    assert_eq!(store.outbox_waiting().unwrap()[0].visit, unsent, "unsent work stays until the server has it");
    assert!(store.draft(draft.id).unwrap().is_some());
}

/// A child leaving the worker's scope with a visit still being written: their record is kept
/// apart (never on the caseload) so the draft can be opened and submitted, and let go once the
/// server has the visit.
#[test]
fn a_child_removed_with_a_draft_keeps_their_record_apart_until_the_visit_is_sent() {
    let (_dir, _local, store) = unlocked_store();
    let child = child();
    let no_work = core_fixtures::child();
    let pulled = [child.clone(), no_work.clone()].map(|c| ChangeEvent::Child { child: Box::new(c) });
    store.apply_pull(&page(pulled.to_vec(), "c-1"), afternoon()).unwrap();
    let draft = complete_draft(&child);
    store.save_draft(&draft).unwrap();
    let removed = |c: &shared::Child, cursor| {
        page(
            vec![ChangeEvent::RemovedFromScope { child_id: c.id, reason: RemovalReason::Reallocated }],
            cursor,
        )
    };

    store.apply_pull(&removed(&child, "c-2"), afternoon()).unwrap();
    store.apply_pull(&removed(&no_work, "c-3"), afternoon()).unwrap();
    assert_eq!(store.child(child.id).unwrap(), None, "off the worker's list");
    assert!(store.caseload(date(2025, 3, 3)).unwrap().is_empty(), "and off the caseload");
    assert_eq!(store.kept_child(child.id).unwrap(), Some(child.clone()), "kept for the draft");
    assert_eq!(store.kept_child(no_work.id).unwrap(), None, "nothing kept with no work for them");
    // A full re-pull forgets the child again (see `SyncEngine`): the record stays kept.
    store.apply_pull(&removed(&child, "c-4"), afternoon()).unwrap();
    assert_eq!(store.kept_child(child.id).unwrap(), Some(child.clone()));

    // Submitted: still kept while it waits (a refused visit is reopened on it).
    let visit = draft.to_visit(afternoon(), Some(&child)).expect("a complete draft");
    store.submit(&visit, afternoon()).unwrap();
    store.apply_pull(&page(vec![], "c-5"), afternoon()).unwrap();
    assert_eq!(store.kept_child(child.id).unwrap(), Some(child.clone()), "kept while the visit waits");

    // The server has it: let go with the next pull.
    let held = shared::sync::PushOutcome::Accepted { needs_review: Some("Not the worker's child".into()) };
    let result = shared::sync::PushResult { visit_id: visit.id, revision: visit.revision, outcome: held };
    store.record_push_result(&result, afternoon()).unwrap();
    store.apply_pull(&page(vec![], "c-6"), afternoon()).unwrap();
    assert_eq!(store.kept_child(child.id).unwrap(), None, "let go once sent");
}

/// A child who comes back into scope is read from the pulled record again, not the kept one.
#[test]
fn a_child_back_in_scope_is_no_longer_kept_apart() {
    let (_dir, _local, store) = unlocked_store();
    let child = child();
    store
        .apply_pull(&page(vec![ChangeEvent::Child { child: Box::new(child.clone()) }], "c-1"), afternoon())
        .unwrap();
    store.save_draft(&complete_draft(&child)).unwrap();
    let removal = ChangeEvent::RemovedFromScope { child_id: child.id, reason: RemovalReason::CoverEnded };
    store.apply_pull(&page(vec![removal], "c-2"), afternoon()).unwrap();
    assert!(store.kept_child(child.id).unwrap().is_some());

    let mut back = child.clone();
    back.given_name = "Maisie".into();
    store
        .apply_pull(&page(vec![ChangeEvent::Child { child: Box::new(back.clone()) }], "c-3"), afternoon())
        .unwrap();
    assert_eq!(store.child(child.id).unwrap(), Some(back));
    assert_eq!(store.kept_child(child.id).unwrap(), None);
}

#[test]
fn the_caseload_lists_the_most_urgent_first_with_due_states_computed_on_the_device() {
    let (_dir, _local, store) = unlocked_store();
    let today = date(2025, 3, 3);
    // Registered long ago and never seen: overdue. Seen today: on track. Registered so that
    // the first visit falls due today.
    let mut overdue = child();
    overdue.plan.as_mut().unwrap().registered_on = date(2025, 1, 6);
    let mut seen_today = child();
    seen_today.plan.as_mut().unwrap().registered_on = date(2025, 1, 6);
    let mut due_today = child();
    due_today.plan.as_mut().unwrap().registered_on = date(2025, 2, 17);
    let mut no_plan = child();
    no_plan.plan = None;
    store.apply_pull(&page(vec![], "settings"), afternoon()).unwrap();
    for c in [&seen_today, &no_plan, &due_today, &overdue] {
        store.put_child(c).unwrap();
    }
    store.submit(&visit_with_words(&seen_today, "hi"), afternoon()).unwrap();

    let caseload = store.caseload(today).unwrap();
    let order: Vec<_> = caseload.iter().map(|e| e.child.id).collect();
    assert_eq!(order, vec![overdue.id, due_today.id, seen_today.id, no_plan.id]);
    assert!(matches!(caseload[0].due_state, Some(DueState::Overdue { .. })));
    assert_eq!(caseload[1].due_state, Some(DueState::DueToday { due: today }));
    assert!(matches!(caseload[2].due_state, Some(DueState::OnTrack { working_days_left: 10, .. })));
    assert_eq!(caseload[2].last_seen, Some(today));
    assert_eq!(caseload[2].last_seen_alone, Some(today));
    assert_eq!(caseload[2].working_days_since_seen, Some(0));
    assert_eq!(caseload[0].last_seen, None);
    assert_eq!(caseload[3].due_state, None);
}
