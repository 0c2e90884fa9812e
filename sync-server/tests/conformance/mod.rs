//! The store's conformance suite: every invariant documented in `sync_server::store` as a test
//! that any implementation of `Store` runs, through [`store_conformance!`].
//!
//! An implementation supplies a [`Harness`]: how to open a store over a directory, and how to
//! open it again after a restart. Each test makes its own directory.

#![allow(dead_code)]

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use shared::*;
use sync_server::prelude::*;
use sync_server::store::{
    AuditAction, AuditEntry, ChildSource, Conflict, DeviceRecord, FeedEntry, LoginAttempt, PullState,
    StoredVisit,
};
use uuid::Uuid;

/// How to open an implementation's store.
pub trait Harness: Send + Sync {
    /// Opens (or creates) the store kept in `dir`.
    fn open(&self, dir: &Path) -> Arc<dyn Store>;
    /// Opens it again after `store` was dropped, as a restarted server would.
    fn reopen(&self, store: Arc<dyn Store>, dir: &Path) -> Arc<dyn Store> {
        drop(store);
        self.open(dir)
    }
}

/// Runs the whole suite against `$harness`, as one module of tests named `$name`.
#[macro_export]
macro_rules! store_conformance {
    ($name:ident, $harness:expr) => {
        mod $name {
            use super::conformance;
            macro_rules! case {
                ($test:ident) => {
                    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                    async fn $test() {
                        let dir = tempfile::tempdir().expect("temporary directory");
                        conformance::$test(&$harness, dir.path()).await;
                    }
                };
            }
            case!(a_reallocation_moves_the_childs_key_worker_and_team_indexes);
            case!(the_feed_is_numbered_in_commit_order_without_gaps_under_concurrent_writers);
            case!(an_unchanged_child_leaves_no_history_and_no_feed_entry);
            case!(a_conflict_with_the_same_content_is_recorded_once);
            case!(an_escalation_has_one_record_per_child_and_problem);
            case!(acknowledging_an_export_twice_marks_it_once);
            case!(a_device_is_replaced_only_if_it_still_holds_what_was_read);
            case!(pull_states_the_webhook_outbox_and_audit_entries_survive_a_restart);
            case!(a_transaction_dropped_uncommitted_writes_nothing);
            case!(an_open_transaction_holds_every_other_writer_off);
            case!(a_restored_backup_is_identical_and_its_ids_are_never_reused);
            case!(failed_sign_ins_are_counted_per_key_within_the_window_and_cleared);
            case!(sign_in_attempts_taken_at_once_never_pass_the_limit);
            case!(a_claimed_webhook_notice_is_not_claimed_again_until_released_or_lapsed);
            case!(revisions_read_together_come_back_each_in_its_place);
            case!(a_childs_visits_are_listed_once_each_whatever_commit_stored_them);
            case!(a_standing_decision_ended_early_is_kept_with_its_end_after_a_restart);
        }
    };
}

fn id<T: From<Uuid>>(n: u128) -> T {
    T::from(Uuid::from_u128(n))
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a real date")
}

fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 10, 0, 0).single().expect("a real instant")
}

fn child(n: u128, key_worker: u128, team: u128) -> Child {
    Child {
        id: id(n),
        central_id: format!("CONF-{n:06}"),
        given_name: "Robin".into(),
        family_name: "Testchild".into(),
        date_of_birth: Some(day(2016, 5, 1)),
        details: Default::default(),
        gender: None,
        sibling_ids: vec![],
        carers: vec![],
        plan: Some(ProtectionPlan {
            details: Default::default(),
            registered_on: day(2026, 3, 2),
            deregistered_on: None,
            harms: vec![HarmCategory::Neglect],
            visit_frequency_working_days: 10,
            key_worker: id(key_worker),
            team: id(team),
            actions: vec![],
            latest_review_conference: None,
            seen_before_go_live: None,
        }),
        communication: CommunicationNeeds::default(),
        reallocation: None,
        safety_warnings: vec![],
    }
}

fn visit(n: u128, child: u128, revision: u32) -> Visit {
    let started = chrono::FixedOffset::east_opt(0).unwrap().with_ymd_and_hms(2026, 3, 16, 10, 0, 0).unwrap();
    Visit {
        id: id(n),
        revision,
        amends: (revision > 1).then(|| revision - 1),
        status: VisitStatus::Submitted,
        amendment_reason: (revision > 1).then(|| "A correction".into()),
        child_id: id(child),
        worker_id: id(100),
        capacity: WorkerCapacity::KeyWorker,
        started_at: started,
        ended_at: started + chrono::Duration::hours(1),
        location: "Family home".into(),
        kind: VisitKind::Statutory,
        announced: Announcement::Unannounced,
        due_state_at_start: None,
        seen: Seen::Yes,
        seen_alone: Some(SeenAlone::Yes),
        child_words: vec![Quote { text: "Invented words".into() }],
        child_views: String::new(),
        observations: Observations::default(),
        interpreters: vec![],
        plan_actions: vec![],
        purpose: Some("To see the child".into()),
        harms_addressed: vec![],
        attachments: vec![],
        next_visit_planned: None,
        recorded_at: at(2026, 3, 16),
    }
}

/// Visit `n` to `child` at `revision`, as a push from device 7 stores it.
fn stored(n: u128, child: u128, revision: u32) -> StoredVisit {
    StoredVisit {
        visit: visit(n, child, revision),
        received_at: at(2026, 3, 16),
        device_id: id(7),
        needs_review: None,
        on_cover: false,
    }
}

fn escalation(n: u128, child: u128, visit: u128) -> Escalation {
    Escalation {
        id: id(n),
        child_id: id(child),
        reason: EscalationReason::ChildNotSeen { visit_id: id(visit) },
        level: EscalationLevel::TeamManager,
        to: Some(id(110)),
        raised_at: at(2026, 3, 17),
        re_raised_at: None,
        status: EscalationStatus::Open,
        history: vec![],
        basis: None,
    }
}

fn audit(what: &str) -> AuditEntry {
    AuditEntry {
        at: at(2026, 3, 16),
        worker_id: id(100),
        role: Role::SocialWorker,
        device_id: None,
        action: AuditAction::Changed,
        child_id: Some(id(1)),
        what: what.into(),
        on_cover: false,
    }
}

fn device(n: u128, refresh: &str) -> DeviceRecord {
    DeviceRecord {
        id: id(n),
        worker_id: id(100),
        name: None,
        registered_at: at(2026, 3, 1),
        revoked_at: None,
        refresh_hash: Some(refresh.into()),
        retired_hashes: vec![],
        session: 0,
    }
}

async fn put_child(store: &dyn Store, child: &Child, source: ChildSource) -> Option<bool> {
    let mut tx = store.transaction().await.unwrap();
    let written = tx.put_child(child, source, at(2026, 3, 20), day(2026, 3, 20)).await.unwrap();
    tx.commit().await.unwrap();
    written
}

/// Invariant 1.
pub async fn a_reallocation_moves_the_childs_key_worker_and_team_indexes(h: &dyn Harness, dir: &Path) {
    let store = h.open(dir);
    assert_eq!(put_child(store.as_ref(), &child(1, 100, 200), ChildSource::Import).await, Some(true));
    assert_eq!(store.children_of_key_worker(id(100)).await.unwrap(), vec![id(1)]);
    assert_eq!(store.children_of_team(id(200)).await.unwrap(), vec![id(1)]);

    let moved = child(1, 101, 201);
    assert_eq!(put_child(store.as_ref(), &moved, ChildSource::Import).await, Some(false));
    assert!(store.children_of_key_worker(id(100)).await.unwrap().is_empty(), "left the old key worker");
    assert!(store.children_of_team(id(200)).await.unwrap().is_empty(), "left the old team");
    assert_eq!(store.children_of_key_worker(id(101)).await.unwrap(), vec![id(1)]);
    assert_eq!(store.children_of_team(id(201)).await.unwrap(), vec![id(1)]);
    let history = store.child_history(id(1)).await.unwrap();
    assert_eq!(history.len(), 1, "the earlier record is kept");
    assert_eq!(history[0].before.plan.as_ref().unwrap().key_worker, id(100));
    let stored = store.child(id(1)).await.unwrap().unwrap();
    let reallocation = stored.reallocation.expect("the change of key worker is recorded");
    assert_eq!((reallocation.from_worker, reallocation.to_worker), (id(100), id(101)));
}

/// Sixteen writers at once, writer `n` on the store `on(n)` gives: each commits an escalation
/// for child `n` and a feed entry about that child, so each transaction makes two feed entries.
async fn sixteen_concurrent_writers(on: impl Fn(u128) -> Arc<dyn Store>) {
    let writers: Vec<_> = (0..16u128)
        .map(|n| {
            let store = on(n);
            tokio::spawn(async move {
                let mut tx = store.transaction().await.unwrap();
                tx.put_escalation(&escalation(1000 + n, n, 5000 + n)).await.unwrap();
                tx.feed(FeedEntry::Child { child_id: id(n) });
                tx.commit().await.unwrap();
            })
        })
        .collect();
    for writer in writers {
        writer.await.unwrap();
    }
}

/// Invariant 2.
pub async fn the_feed_is_numbered_in_commit_order_without_gaps_under_concurrent_writers(
    h: &dyn Harness,
    dir: &Path,
) {
    let store = h.open(dir);
    sixteen_concurrent_writers(|_| store.clone()).await;
    let feed = store.feed_since(0, 1000).await.unwrap();
    let seqs: Vec<u64> = feed.iter().map(|(seq, _)| *seq).collect();
    assert_eq!(seqs, (1..=32).collect::<Vec<u64>>(), "numbered 1, 2, 3, ... with no gap or repeat");
    assert_eq!(store.feed_head().await.unwrap(), 32);
    // Each transaction's entries are next to each other: nobody else's came between.
    for pair in feed.chunks(2) {
        let (FeedEntry::Escalation { child_id: a, .. }, FeedEntry::Child { child_id: b }) =
            (&pair[0].1, &pair[1].1)
        else {
            panic!("a transaction's entries were split: {pair:?}");
        };
        assert_eq!(a, b);
    }
    assert_eq!(store.feed_since(30, 1000).await.unwrap().len(), 2, "from a cursor, only what came after");
    assert_eq!(store.feed_since(0, 5).await.unwrap().len(), 5, "at most the number asked for");
}

/// Invariant 3.
pub async fn an_unchanged_child_leaves_no_history_and_no_feed_entry(h: &dyn Harness, dir: &Path) {
    let store = h.open(dir);
    let record = child(1, 100, 200);
    put_child(store.as_ref(), &record, ChildSource::Import).await;
    let head = store.feed_head().await.unwrap();
    assert_eq!(put_child(store.as_ref(), &record, ChildSource::Import).await, None, "unchanged");
    assert_eq!(store.feed_head().await.unwrap(), head, "no feed entry");
    assert!(store.child_history(id(1)).await.unwrap().is_empty(), "no history");
}

/// Invariant 4, conflicts.
pub async fn a_conflict_with_the_same_content_is_recorded_once(h: &dyn Harness, dir: &Path) {
    let store = h.open(dir);
    let conflict = Conflict {
        id: id(9),
        visit_id: id(10),
        revision: 1,
        child_id: id(1),
        worker_id: id(100),
        device_id: id(7),
        reason: "A different version of this revision is already held.".into(),
        server: visit(10, 1, 1),
        yours: Visit { location: "School".into(), ..visit(10, 1, 1) },
        detected_at: at(2026, 3, 16),
    };
    assert!(store.conflict_by_content(id(10), 1, "hash-a").await.unwrap().is_none());
    let mut tx = store.transaction().await.unwrap();
    tx.put_conflict(&conflict, "hash-a").await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(store.conflict_by_content(id(10), 1, "hash-a").await.unwrap(), Some(conflict.clone()));
    assert!(store.conflict_by_content(id(10), 1, "hash-b").await.unwrap().is_none(), "other content is new");
    assert_eq!(store.conflicts().await.unwrap(), vec![conflict]);
}

/// Invariant 4, escalations.
pub async fn an_escalation_has_one_record_per_child_and_problem(h: &dyn Harness, dir: &Path) {
    let store = h.open(dir);
    let first = escalation(1, 1, 10);
    store.put_escalations(std::slice::from_ref(&first)).await.unwrap();
    let key = first.reason.dedup_key();
    assert_eq!(store.escalation_by_dedup(id(1), &key).await.unwrap().map(|e| e.id), Some(first.id));
    let raised_again = Escalation { level: EscalationLevel::SeniorManager, ..first.clone() };
    store.put_escalations(&[raised_again]).await.unwrap();
    let for_child = store.escalations_for_child(id(1)).await.unwrap();
    assert_eq!(for_child.len(), 1, "one record, updated");
    assert_eq!(for_child[0].level, EscalationLevel::SeniorManager);
    assert!(store.escalation_by_dedup(id(2), &key).await.unwrap().is_none(), "another child's is apart");
}

/// Invariant 5.
pub async fn acknowledging_an_export_twice_marks_it_once(h: &dyn Harness, dir: &Path) {
    let store = h.open(dir);
    let revisions = [(id(10), 1), (id(10), 2), (id(11), 1)];
    assert!(!store.is_exported(id(10), 1).await.unwrap());
    assert_eq!(store.ack_exported(&revisions, at(2026, 3, 17)).await.unwrap(), 3);
    assert_eq!(store.ack_exported(&revisions, at(2026, 3, 18)).await.unwrap(), 0, "already marked");
    assert_eq!(store.ack_exported(&[(id(10), 1), (id(10), 1)], at(2026, 3, 18)).await.unwrap(), 0);
    assert!(store.is_exported(id(11), 1).await.unwrap());
    assert!(!store.is_exported(id(11), 2).await.unwrap());
}

/// Invariant 6.
pub async fn a_device_is_replaced_only_if_it_still_holds_what_was_read(h: &dyn Harness, dir: &Path) {
    let store = h.open(dir);
    let read = device(7, "first");
    store.put_device(&read).await.unwrap();
    let second = device(7, "second");
    assert!(store.swap_device(&read, &second).await.unwrap(), "it held what was read");
    assert!(!store.swap_device(&read, &device(7, "third")).await.unwrap(), "it no longer does");
    assert_eq!(store.device(id(7)).await.unwrap(), Some(second));
}

/// Invariant 7.
pub async fn pull_states_the_webhook_outbox_and_audit_entries_survive_a_restart(h: &dyn Harness, dir: &Path) {
    let store = h.open(dir);
    store.keep_webhook_outbox(true);
    let state = PullState {
        feed_seq: 3,
        delivered: [id(1), id(2)].into_iter().collect(),
        sent_whole_at: [(id(2), 5)].into_iter().collect(),
    };
    let cursor = store.save_pull_state(id(7), &state, 0).await.unwrap();
    store.put_escalations(&[escalation(1, 1, 10), escalation(2, 2, 11)]).await.unwrap();
    let mut tx = store.transaction().await.unwrap();
    tx.audit(&audit("a change")).await.unwrap();
    tx.commit().await.unwrap();
    store.record_view(&audit("a view")).await.unwrap();
    store.flush().await.unwrap();

    let store = h.reopen(store, dir);
    assert_eq!(store.pull_state(id(7), cursor).await.unwrap(), Some(state), "the cursor is still known");
    let pending = store.pending_webhooks(10).await.unwrap();
    let owed: Vec<EscalationId> = pending.iter().map(|(_, e)| e.id).collect();
    assert_eq!(owed, vec![id(1), id(2)], "both notices still owed, oldest first");
    let whats: Vec<String> = store.audit(None).await.unwrap().into_iter().map(|e| e.what).collect();
    assert_eq!(whats, vec!["a change".to_owned(), "a view".to_owned()]);
    store.webhook_done(pending[0].0).await.unwrap();
    assert_eq!(store.pending_webhooks(10).await.unwrap().len(), 1, "a delivered notice leaves the outbox");
    // A newer pull state drops the ones before the cursor presented, and keeps that one.
    let newer = store.save_pull_state(id(7), &PullState::default(), cursor).await.unwrap();
    assert!(newer > cursor);
    assert!(store.pull_state(id(7), cursor).await.unwrap().is_some());
}

/// Atomicity: nothing of an uncommitted transaction is written.
pub async fn a_transaction_dropped_uncommitted_writes_nothing(h: &dyn Harness, dir: &Path) {
    let store = h.open(dir);
    {
        let mut tx = store.transaction().await.unwrap();
        tx.put_child(&child(1, 100, 200), ChildSource::Import, at(2026, 3, 20), day(2026, 3, 20))
            .await
            .unwrap();
        tx.put_visit(&stored(10, 1, 1), None).await.unwrap();
        tx.audit(&audit("never")).await.unwrap();
        assert!(!tx.is_empty());
    }
    assert!(store.child(id(1)).await.unwrap().is_none());
    assert!(store.visit(id(10), 1).await.unwrap().is_none());
    assert!(store.audit(None).await.unwrap().is_empty());
    assert_eq!(store.feed_head().await.unwrap(), 0);
    // And the writer lock was let go.
    tokio::time::timeout(Duration::from_secs(5), store.transaction())
        .await
        .expect("not left locked")
        .unwrap();
}

/// Serialisation: writers that must not interleave wait for each other.
pub async fn an_open_transaction_holds_every_other_writer_off(h: &dyn Harness, dir: &Path) {
    let store = h.open(dir);
    let mut first = store.transaction().await.unwrap();
    let other = store.clone();
    let second = tokio::spawn(async move {
        let mut tx = other.transaction().await.unwrap();
        // Reads made once in see the first writer's commit.
        let seen = other.child(id(1)).await.unwrap().is_some();
        tx.put_absence(&Absence {
            id: id(50),
            worker_id: id(100),
            kind: AbsenceKind::Sickness,
            starts_on: day(2026, 3, 16),
            expected_end: Some(day(2026, 3, 20)),
            recorded_by: id(110),
        })
        .await
        .unwrap();
        tx.commit().await.unwrap();
        seen
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!second.is_finished(), "the second writer waits while the first is open");
    first
        .put_child(&child(1, 100, 200), ChildSource::Import, at(2026, 3, 20), day(2026, 3, 20))
        .await
        .unwrap();
    first.commit().await.unwrap();
    assert!(second.await.unwrap(), "the second writer read after the first committed");
    assert_eq!(store.absences_of(id(100)).await.unwrap().len(), 1);
}

/// Backup and restore: every record comes back as it was, and ids made afterwards sort after
/// the restored ones instead of overwriting them.
pub async fn a_restored_backup_is_identical_and_its_ids_are_never_reused(h: &dyn Harness, dir: &Path) {
    let original = h.open(&dir.join("original"));
    put_child(original.as_ref(), &child(1, 100, 200), ChildSource::Import).await;
    put_child(original.as_ref(), &child(1, 101, 201), ChildSource::Import).await;
    for n in 0..5 {
        let mut tx = original.transaction().await.unwrap();
        tx.audit(&audit(&format!("entry {n}"))).await.unwrap();
        tx.commit().await.unwrap();
    }
    let records = original.backup_records().await.unwrap();

    let restored = h.open(&dir.join("restored"));
    assert!(restored.is_empty().await.unwrap());
    assert_eq!(restored.restore_records(records.clone()).await.unwrap(), records.len() as u64);
    assert_eq!(restored.child(id(1)).await.unwrap(), original.child(id(1)).await.unwrap());
    assert_eq!(restored.child_history(id(1)).await.unwrap(), original.child_history(id(1)).await.unwrap());
    let mut tx = restored.transaction().await.unwrap();
    tx.audit(&audit("after the restore")).await.unwrap();
    tx.commit().await.unwrap();
    let whats: Vec<String> = restored.audit(None).await.unwrap().into_iter().map(|e| e.what).collect();
    assert_eq!(whats.len(), 6, "nothing restored was written over: {whats:?}");
    assert_eq!(whats.last().map(String::as_str), Some("after the restore"), "a new entry sorts last");
}

/// Sign-in attempts taken all at once are counted as they arrive: no more than the limit is
/// taken, the rest are refused naming the oldest failure counted, and an attempt given back
/// (a right password) is no failure.
pub async fn sign_in_attempts_taken_at_once_never_pass_the_limit(h: &dyn Harness, dir: &Path) {
    let store = h.open(dir);
    let keys = ["account:sam.social".to_owned(), "address:192.0.2.7".to_owned()];
    let now = at(2026, 3, 16);
    let window = chrono::Duration::minutes(15);
    let attempts = (0..12).map(|_| store.take_login_attempt(&keys, now, now - window, 5));
    let mut taken = Vec::new();
    for attempt in futures::future::join_all(attempts).await {
        match attempt.unwrap() {
            LoginAttempt::Taken(records) => taken.push(LoginAttempt::Taken(records)),
            LoginAttempt::Refused { oldest_counted } => assert_eq!(oldest_counted, now),
        }
    }
    assert_eq!(taken.len(), 5, "no more than the limit taken");
    assert_eq!(store.login_failures(&keys[0], now - window).await.unwrap().len(), 5);
    assert_eq!(store.login_failures(&keys[1], now - window).await.unwrap().len(), 5);
    store.give_back_login_attempt(taken.pop().unwrap()).await.unwrap();
    assert_eq!(
        store.login_failures(&keys[1], now - window).await.unwrap().len(),
        4,
        "given back from both keys"
    );
    let again = store.take_login_attempt(&keys, now, now - window, 5).await.unwrap();
    assert!(matches!(again, LoginAttempt::Taken(_)), "one more may be checked");
    // A window later, the old failures are forgotten as the next attempt is taken.
    let later = now + window + chrono::Duration::seconds(1);
    assert!(matches!(
        store.take_login_attempt(&keys, later, later - window, 5).await.unwrap(),
        LoginAttempt::Taken(_)
    ));
    assert_eq!(store.login_failures(&keys[0], now - window).await.unwrap(), vec![later]);
}

/// The sign-in limiter's record: per key, by time, pruned and cleared.
pub async fn failed_sign_ins_are_counted_per_key_within_the_window_and_cleared(h: &dyn Harness, dir: &Path) {
    let store = h.open(dir);
    let account = "account:sam.social".to_owned();
    let address = "address:192.0.2.7".to_owned();
    let both = [account.clone(), address.clone()];
    for minute in [0, 1, 2] {
        let at = at(2026, 3, 16) + chrono::Duration::minutes(minute);
        store.record_login_failure(&both, at, at - chrono::Duration::minutes(15)).await.unwrap();
    }
    let since = at(2026, 3, 16) + chrono::Duration::seconds(30);
    assert_eq!(store.login_failures(&account, since).await.unwrap().len(), 2, "only those since");
    assert_eq!(store.login_failures(&account, at(2026, 3, 1)).await.unwrap().len(), 3);
    assert!(store.login_failures("account:dana.duty", at(2026, 3, 1)).await.unwrap().is_empty());
    // A failure an hour later forgets those older than its window.
    let later = at(2026, 3, 16) + chrono::Duration::hours(1);
    store.record_login_failure(&both, later, later - chrono::Duration::minutes(15)).await.unwrap();
    assert_eq!(store.login_failures(&account, at(2026, 3, 1)).await.unwrap(), vec![later]);
    store.clear_login_failures(&account).await.unwrap();
    assert!(store.login_failures(&account, at(2026, 3, 1)).await.unwrap().is_empty(), "cleared");
    assert_eq!(
        store.login_failures(&address, at(2026, 3, 1)).await.unwrap().len(),
        1,
        "the address still counts"
    );
}

/// The webhook outbox's claims: one deliverer at a time per notice.
pub async fn a_claimed_webhook_notice_is_not_claimed_again_until_released_or_lapsed(
    h: &dyn Harness,
    dir: &Path,
) {
    let store = h.open(dir);
    store.keep_webhook_outbox(true);
    store.put_escalations(&[escalation(1, 1, 10), escalation(2, 2, 11), escalation(3, 3, 12)]).await.unwrap();
    let now = at(2026, 3, 17);
    let lease = now + chrono::Duration::minutes(10);
    let first = store.claim_webhooks(2, now, lease).await.unwrap();
    assert_eq!(
        first.iter().map(|(_, e)| e.id).collect::<Vec<EscalationId>>(),
        vec![id(1), id(2)],
        "oldest first"
    );
    let second = store.claim_webhooks(10, now, lease).await.unwrap();
    assert_eq!(
        second.iter().map(|(_, e)| e.id).collect::<Vec<EscalationId>>(),
        vec![id(3)],
        "only the unclaimed"
    );
    assert!(store.claim_webhooks(10, now, lease).await.unwrap().is_empty());
    store.release_webhook(first[1].0).await.unwrap();
    store.webhook_done(first[0].0).await.unwrap();
    let again = store.claim_webhooks(10, now, lease).await.unwrap();
    assert_eq!(
        again.iter().map(|(_, e)| e.id).collect::<Vec<EscalationId>>(),
        vec![id(2)],
        "released, not done"
    );
    let lapsed = store.claim_webhooks(10, lease + chrono::Duration::seconds(1), lease).await.unwrap();
    assert_eq!(lapsed.len(), 2, "claims lapse: a deliverer that stopped holds nothing for ever");
    assert_eq!(store.pending_webhooks(10).await.unwrap().len(), 2, "a delivered notice is gone");
}

/// Reads. Many revisions read at once (a push reads every revision it was sent in one go)
/// answer exactly what reading them one by one would: each in its place, repeats included,
/// and `None` for one not held.
pub async fn revisions_read_together_come_back_each_in_its_place(h: &dyn Harness, dir: &Path) {
    let store = h.open(dir);
    let mut tx = store.transaction().await.unwrap();
    for (n, child, revision) in [(10, 1, 1), (10, 1, 2), (11, 2, 1)] {
        tx.put_visit(&stored(n, child, revision), None).await.unwrap();
    }
    tx.commit().await.unwrap();
    let asked = [(id(11), 1), (id(10), 3), (id(10), 1), (id(12), 1), (id(10), 2), (id(11), 1)];
    let together = store.visits_at(&asked).await.unwrap();
    let mut one_by_one = Vec::new();
    for (visit, revision) in asked {
        one_by_one.push(store.visit(visit, revision).await.unwrap());
    }
    assert_eq!(together, one_by_one);
    let found: Vec<Option<(VisitId, u32)>> =
        together.iter().map(|s| s.as_ref().map(|s| (s.visit.id, s.visit.revision))).collect();
    assert_eq!(
        found,
        vec![Some((id(11), 1)), None, Some((id(10), 1)), None, Some((id(10), 2)), Some((id(11), 1))]
    );
    assert!(store.visits_at(&[]).await.unwrap().is_empty());
    assert_eq!(store.visits_of_child(id(1)).await.unwrap().len(), 2, "read together too");
}

/// Reads. A child's visits, stored over several commits (the index has one key per child per
/// commit), come back each revision once, in visit id then revision order, and only that
/// child's: a revision stored twice is not listed twice.
pub async fn a_childs_visits_are_listed_once_each_whatever_commit_stored_them(h: &dyn Harness, dir: &Path) {
    let store = h.open(dir);
    let commits: [&[(u128, u128, u32)]; 3] =
        [&[(12, 1, 1), (20, 2, 1)], &[(10, 1, 1), (12, 1, 2), (12, 1, 2)], &[(10, 1, 1), (11, 1, 1)]];
    for writes in commits {
        let mut tx = store.transaction().await.unwrap();
        for &(n, child, revision) in writes {
            tx.put_visit(&stored(n, child, revision), None).await.unwrap();
        }
        tx.commit().await.unwrap();
    }
    let listed = |visits: Vec<StoredVisit>| -> Vec<(VisitId, u32)> {
        visits.iter().map(|s| (s.visit.id, s.visit.revision)).collect()
    };
    assert_eq!(
        listed(store.visits_of_child(id(1)).await.unwrap()),
        vec![(id(10), 1), (id(11), 1), (id(12), 1), (id(12), 2)]
    );
    assert_eq!(listed(store.visits_of_child(id(2)).await.unwrap()), vec![(id(20), 1)]);
    assert!(store.visits_of_child(id(3)).await.unwrap().is_empty());
    drop(store);
    let reopened = h.open(dir);
    assert_eq!(reopened.visits_of_child(id(1)).await.unwrap().len(), 4, "after reopening too");
}

/// Writes some of every kind of record: children (one reallocated, so with history), visits
/// with their indexes and feed entries, escalations in the outbox, audit entries, a pull
/// state. For tests that copy a store and compare.
pub async fn some_of_everything(store: &dyn Store) {
    store.keep_webhook_outbox(true);
    put_child(store, &child(1, 100, 200), ChildSource::Import).await;
    put_child(store, &child(1, 101, 201), ChildSource::Import).await;
    put_child(store, &child(2, 100, 200), ChildSource::Import).await;
    for (n, child) in [(10, 1), (11, 2)] {
        let mut tx = store.transaction().await.unwrap();
        tx.put_visit(&stored(n, child, 1), None).await.unwrap();
        tx.audit(&audit(&format!("visit {n}"))).await.unwrap();
        tx.commit().await.unwrap();
    }
    store.put_escalations(&[escalation(20, 1, 10), escalation(21, 2, 11)]).await.unwrap();
    store
        .save_pull_state(
            id(7),
            &PullState { feed_seq: 2, delivered: [id(1)].into_iter().collect(), ..PullState::default() },
            0,
        )
        .await
        .unwrap();
    store.record_view(&audit("a view")).await.unwrap();
    store.flush().await.unwrap();
}

/// For engines that several processes share: `a` and `b` are two handles on one store (two
/// connection pools on one database, as two server processes hold). A transaction open on one
/// holds the other's writers off, and writers on both number the feed without gaps.
pub async fn writers_on_two_handles_to_one_store_are_serialised(a: Arc<dyn Store>, b: Arc<dyn Store>) {
    let open = a.transaction().await.unwrap();
    let waiting = tokio::spawn({
        let b = b.clone();
        async move {
            let mut tx = b.transaction().await.unwrap();
            tx.feed(FeedEntry::Child { child_id: id(999) });
            tx.commit().await.unwrap();
        }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!waiting.is_finished(), "the other handle's writer waits while a transaction is open");
    drop(open);
    tokio::time::timeout(Duration::from_secs(10), waiting)
        .await
        .expect("it goes ahead once the first lets go")
        .unwrap();

    sixteen_concurrent_writers(|n| if n % 2 == 0 { a.clone() } else { b.clone() }).await;
    let feed = b.feed_since(1, 1000).await.unwrap();
    let seqs: Vec<u64> = feed.iter().map(|(seq, _)| *seq).collect();
    assert_eq!(seqs, (2..=33).collect::<Vec<u64>>(), "numbered on from 2 with no gap or repeat");
    for pair in feed.chunks(2) {
        let (FeedEntry::Escalation { child_id: x, .. }, FeedEntry::Child { child_id: y }) =
            (&pair[0].1, &pair[1].1)
        else {
            panic!("a transaction's entries were split by the other handle's: {pair:?}");
        };
        assert_eq!(x, y);
    }
    assert_eq!(a.feed_head().await.unwrap(), 33, "both handles see the same head");
}

/// A standing "seen alone" decision ended early is read back as recorded, with its end
/// appended, after a restart; another decision of the child's, and another child's, keep none.
pub async fn a_standing_decision_ended_early_is_kept_with_its_end_after_a_restart(
    h: &dyn Harness,
    dir: &Path,
) {
    let store = h.open(dir);
    let decision = |n: u128, child: u128| shared::SeenAloneDecision {
        id: id(n),
        child_id: id(child),
        reason: format!("Decision {n}"),
        starts_on: day(2026, 3, 2),
        ends_on: day(2026, 7, 3),
        decided_by: id(101),
        decided_by_name: "Tara Manager".into(),
        decided_at: at(2026, 3, 2),
        ended: None,
    };
    let (ended, kept, other) = (decision(501, 1), decision(502, 1), decision(503, 2));
    let end = shared::SeenAloneDecisionEnd {
        last_day: day(2026, 5, 10),
        reason: "She is talking now".into(),
        ended_by: id(102),
        ended_by_name: "Mo Manager".into(),
        ended_at: at(2026, 5, 11),
    };
    let mut tx = store.transaction().await.unwrap();
    for d in [&ended, &kept, &other] {
        tx.put_seen_alone_decision(d).await.unwrap();
    }
    tx.commit().await.unwrap();
    let mut tx = store.transaction().await.unwrap();
    tx.put_seen_alone_decision_end(&ended, &end).await.unwrap();
    tx.commit().await.unwrap();

    let store = h.reopen(store, dir);
    let read = store.seen_alone_decisions(id(1)).await.unwrap();
    let by_id = |n: u128| read.iter().find(|d| d.id == id(n)).cloned().expect("kept");
    assert_eq!(read.len(), 2);
    assert_eq!(
        by_id(501),
        shared::SeenAloneDecision { ended: Some(end), ..ended },
        "as recorded, with its end"
    );
    assert_eq!(by_id(502), kept, "the other decision is not ended");
    assert_eq!(store.seen_alone_decisions(id(2)).await.unwrap(), vec![other]);
}
