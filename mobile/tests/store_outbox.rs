//! The outbox: submitted visits wait until the server acknowledges them; a rejected or
//! conflicting one is set aside with its reason and never blocks the rest.

mod core_fixtures;

use core_fixtures::*;
use mobile::draft::VisitDraft;
use mobile::store::{OutboxState, StoreError};
use shared::sync::{PushOutcome, PushResult};
use shared::validation::FieldError;

fn result(visit: &shared::Visit, outcome: PushOutcome) -> PushResult {
    PushResult { visit_id: visit.id, revision: visit.revision, outcome }
}

#[test]
fn submitting_moves_the_draft_to_the_outbox_and_the_childs_history() {
    let (_dir, _local, store) = unlocked_store();
    let child = child();
    let draft = complete_draft(&child);
    store.save_draft(&draft).unwrap();
    let visit = draft.to_visit(afternoon(), Some(&child)).unwrap();
    store.submit(&visit, afternoon()).unwrap();
    assert!(store.draft(draft.id).unwrap().is_none(), "the draft is gone");
    let outbox = store.outbox().unwrap();
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].state, OutboxState::Waiting);
    assert_eq!(store.visits_for(child.id).unwrap(), vec![visit.clone()], "due states see it offline");
    let counts = store.counts().unwrap();
    assert_eq!((counts.waiting, counts.sent, counts.problems), (1, 0, 0));
    assert!(!counts.all_sent());
    assert!(
        matches!(store.submit(&visit, afternoon()), Err(StoreError::InvalidState(_))),
        "no double submit"
    );
}

#[test]
fn each_record_gets_its_own_result_and_a_rejection_blocks_nothing() {
    let (_dir, _local, store) = unlocked_store();
    let child = child();
    let first = visit_with_words(&child, "one");
    let second = visit_with_words(&child, "two");
    let third = visit_with_words(&child, "three");
    for visit in [&first, &second, &third] {
        store.submit(visit, afternoon()).unwrap();
    }
    store
        .record_push_result(&result(&first, PushOutcome::Accepted { needs_review: None }), afternoon())
        .unwrap();
    let refusal = vec![FieldError::new("location", "Say where the visit took place.")];
    store
        .record_push_result(&result(&second, PushOutcome::Rejected { errors: refusal.clone() }), afternoon())
        .unwrap();
    store.record_push_result(&result(&third, PushOutcome::Duplicate), afternoon()).unwrap();

    let counts = store.counts().unwrap();
    assert_eq!((counts.waiting, counts.sent, counts.problems), (0, 2, 1));
    let problems = store.outbox_problems().unwrap();
    assert_eq!(problems.len(), 1);
    assert!(matches!(&problems[0].state, OutboxState::Rejected { errors, .. } if *errors == refusal));
    assert!(store.outbox_waiting().unwrap().is_empty());
}

#[test]
fn a_rejected_visit_is_reopened_as_a_draft_and_fixed_under_the_same_revision() {
    let (_dir, _local, store) = unlocked_store();
    let child = child();
    let visit = visit_with_words(&child, "one");
    store.submit(&visit, afternoon()).unwrap();
    assert!(
        matches!(store.dismiss(visit.id, 1), Err(StoreError::InvalidState(_))),
        "a waiting visit cannot be dismissed: nothing local goes before the server has it"
    );
    store.record_push_result(&result(&visit, PushOutcome::Rejected { errors: vec![] }), afternoon()).unwrap();
    assert!(
        matches!(store.dismiss(visit.id, 1), Err(StoreError::InvalidState(_))),
        "rejected: fix, not drop"
    );
    let draft = store.reopen_rejected(visit.id, 1, afternoon()).unwrap();
    assert_eq!((draft.id, draft.revision, draft.amends), (visit.id, 1, None));
    assert_eq!(store.draft(visit.id).unwrap().as_ref(), Some(&draft));
    assert!(store.outbox().unwrap().is_empty());
    let again = draft.to_visit(afternoon(), Some(&child)).unwrap();
    assert_eq!(again.child_words, visit.child_words);
    store.submit(&again, afternoon()).unwrap();
    assert_eq!(store.counts().unwrap().waiting, 1);
}

#[test]
fn a_conflict_keeps_both_versions_until_resolved_by_an_amendment() {
    let (_dir, _local, store) = unlocked_store();
    let child = child();
    let mine = visit_with_words(&child, "mine");
    let mut theirs = mine.clone();
    theirs.child_words[0].text = "theirs".into();
    store.submit(&mine, afternoon()).unwrap();
    let conflict = PushOutcome::Conflict {
        reason: "The server holds a different version of this visit.".into(),
        server: Box::new(theirs.clone()),
        yours: Box::new(mine.clone()),
    };
    store.record_push_result(&result(&mine, conflict), afternoon()).unwrap();
    let entry = &store.outbox_problems().unwrap()[0];
    let OutboxState::Conflict { server, yours, reason, .. } = &entry.state else { panic!("not a conflict") };
    assert_eq!((**server).clone(), theirs);
    assert_eq!((**yours).clone(), mine);
    assert!(reason.contains("different version"));

    // The worker amends the server's version, then clears the conflict.
    let amendment = VisitDraft::amend(server, "Merged the child's words from both versions", afternoon());
    assert_eq!((amendment.revision, amendment.amends), (2, Some(1)));
    let amended = amendment.to_visit(afternoon(), Some(&child)).unwrap();
    store.submit(&amended, afternoon()).unwrap();
    store.dismiss(mine.id, 1).unwrap();
    let counts = store.counts().unwrap();
    assert_eq!((counts.waiting, counts.problems), (1, 0));
}

#[test]
fn drafts_are_listed_and_deleted() {
    let (_dir, _local, store) = unlocked_store();
    let child = child();
    let a = complete_draft(&child);
    let b = complete_draft(&child);
    store.save_draft(&a).unwrap();
    store.save_draft(&b).unwrap();
    let mut changed = a.clone();
    changed.facts = "Updated".into();
    store.save_draft(&changed).unwrap();
    let drafts = store.drafts().unwrap();
    assert_eq!(drafts, vec![changed, b.clone()], "one draft per visit, oldest first, latest text");
    store.delete_draft(b.id).unwrap();
    assert_eq!(store.drafts().unwrap().len(), 1);
}

#[test]
fn old_sent_receipts_are_forgotten_but_never_unsent_work() {
    let (_dir, _local, store) = unlocked_store();
    let child = child();
    let sent = visit_with_words(&child, "sent long ago");
    let waiting = visit_with_words(&child, "still waiting");
    let rejected = visit_with_words(&child, "refused");
    for visit in [&sent, &waiting, &rejected] {
        store.submit(visit, afternoon()).unwrap();
    }
    store
        .record_push_result(&result(&sent, PushOutcome::Accepted { needs_review: None }), afternoon())
        .unwrap();
    store
        .record_push_result(&result(&rejected, PushOutcome::Rejected { errors: vec![] }), afternoon())
        .unwrap();
    let a_week_later = afternoon() + chrono::Duration::days(8);
    assert_eq!(store.prune_sent(afternoon()).unwrap(), 0, "receipts newer than the cut-off stay");
    assert_eq!(store.prune_sent(a_week_later).unwrap(), 1);
    let left: Vec<_> = store.outbox().unwrap().into_iter().map(|e| e.visit.id).collect();
    assert_eq!(left, vec![waiting.id, rejected.id]);
    // The history keeps every visit the server holds or will hold; the refused one waits in
    // the outbox to be fixed, and counts for nothing meanwhile.
    let history: Vec<_> = store.visits_for(child.id).unwrap().into_iter().map(|v| v.id).collect();
    assert_eq!(history.len(), 2, "the pruned receipt's visit stays in the history");
    assert!(history.contains(&sent.id) && history.contains(&waiting.id));
}

/// A visit the server refused does not count as the child seen on the phone: the child shows
/// as overdue, as on the manager's screen, until the visit is fixed and sent. Before, the
/// refused revision stayed in the child's history, and the phone showed the child as seen.
#[test]
fn a_visit_the_server_refused_does_not_count_as_the_child_seen() {
    let (_dir, _local, store) = unlocked_store();
    let child = child();
    let page = shared::sync::PullResponse {
        protocol: shared::sync::PROTOCOL_VERSION,
        events: vec![shared::sync::ChangeEvent::Child { child: Box::new(child.clone()) }],
        cursor: shared::sync::Cursor("1".into()),
        more: false,
        settings: Some(settings(shared::CalendarName::Jersey)),
    };
    store.apply_pull(&page, afternoon()).unwrap();
    let today = date(2025, 3, 3);
    let before = store.caseload(today).unwrap();
    assert_eq!(before[0].last_seen, None, "never seen before");
    let visit = visit_with_words(&child, "I like my new school");
    store.submit(&visit, afternoon()).unwrap();
    assert!(store.caseload(today).unwrap()[0].last_seen.is_some(), "saved offline, it counts");
    let refusal = vec![FieldError::new("location", "Say where the visit took place.")];
    store
        .record_push_result(&result(&visit, PushOutcome::Rejected { errors: refusal }), afternoon())
        .unwrap();
    let after = store.caseload(today).unwrap();
    assert_eq!(after[0].last_seen, None, "refused: not seen on it");
    assert_eq!(after[0].due_state, before[0].due_state, "as the manager sees it");
    // The worker's version is kept, to reopen and fix.
    let draft = store.reopen_rejected(visit.id, 1, afternoon()).unwrap();
    assert_eq!(draft.child_words, ["I like my new school"]);
}

/// In a conflict the phone's history holds the server's version of the revision, the worker's
/// beside it in the outbox. Before, the worker's version stayed in the history in place of the
/// server's for good: the pull had already passed the server's.
#[test]
fn in_a_conflict_the_history_holds_the_servers_version_and_the_outbox_the_workers() {
    let (_dir, _local, store) = unlocked_store();
    let child = child();
    let mine = visit_with_words(&child, "I want to live with my dad");
    let mut theirs = mine.clone();
    theirs.child_words[0].text = "I want to live with my mum".into();
    store.submit(&mine, afternoon()).unwrap();
    let conflict = PushOutcome::Conflict {
        reason: "A different version of this revision is already held.".into(),
        server: Box::new(theirs.clone()),
        yours: Box::new(mine.clone()),
    };
    store.record_push_result(&result(&mine, conflict), afternoon()).unwrap();
    assert_eq!(store.visits_for(child.id).unwrap(), vec![theirs], "the server's version");
    let entry = &store.outbox_problems().unwrap()[0];
    let OutboxState::Conflict { yours, .. } = &entry.state else { panic!("not a conflict") };
    assert_eq!(**yours, mine, "the worker's version, kept beside it");
}
