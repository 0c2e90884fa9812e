//! Closing the store and opening it again at once (the app locked and reopened, or wiped) works
//! every time, though sled lets go of its directory's lock a moment after the last handle; and
//! a store another holder has open is refused after a short wait, not hung on.

mod core_fixtures;

use std::time::{Duration, Instant};

use core_fixtures::*;
use mobile::store::{Kept, LocalStore};

#[test]
fn a_store_closed_and_opened_again_at_once_opens_every_time_with_its_visit() {
    let (dir, local, store) = unlocked_store();
    store.submit(&visit_with_words(&child(), "I like my new school"), afternoon()).unwrap();
    drop((store, local));
    for _ in 0..40 {
        let local = LocalStore::open(dir.path()).expect("opens at once after it was closed");
        let store = local.unlock("2468").unwrap();
        assert_eq!(store.outbox().unwrap().len(), 1, "the saved visit is there");
    }
}

#[test]
fn a_store_still_open_elsewhere_is_refused_after_a_short_wait_not_hung_on() {
    let (dir, _local, _store) = unlocked_store();
    let started = Instant::now();
    let error = LocalStore::open(dir.path()).expect_err("held by the first");
    assert!(format!("{error:?}").contains("could not acquire lock"), "{error:?}");
    assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());
}

/// The server's tag for a kept copy (a plan's timeline, a handover) is kept with it on disk:
/// after the app is started again, the copy is named and, while current, not sent again nor
/// recorded as viewed. A copy saved without a tag leaves no old tag to pair with it, and a
/// wipe leaves none.
#[test]
fn a_kept_copys_tag_outlasts_a_restart_and_goes_with_its_copy() {
    let (dir, local, store) = unlocked_store();
    let child = child();
    let timeline = serde_json::json!({ "core_group": "2025-03-10" });
    store.save_timeline(child.id, &timeline, Some("W/\"one\"".into())).unwrap();
    drop((store, local));

    let local = LocalStore::open(dir.path()).unwrap();
    let store = local.unlock("2468").unwrap();
    assert_eq!(store.timeline(child.id).unwrap(), Some(timeline.clone()));
    assert_eq!(store.kept_tag(Kept::Timeline, child.id).as_deref(), Some("W/\"one\""), "the tag is kept too");
    assert_eq!(store.kept_tag(Kept::Handover, child.id), None, "each kind of copy has its own tag");

    // A server that gave no tag: the old tag must not be named for the new copy.
    store.save_timeline(child.id, &serde_json::json!({ "core_group": "2025-03-17" }), None).unwrap();
    drop((store, local));
    let local = LocalStore::open(dir.path()).unwrap();
    let store = local.unlock("2468").unwrap();
    assert_eq!(store.kept_tag(Kept::Timeline, child.id), None);

    store.save_timeline(child.id, &timeline, Some("W/\"two\"".into())).unwrap();
    store.forget_kept_tag(Kept::Timeline, child.id);
    assert_eq!(store.kept_tag(Kept::Timeline, child.id), None, "forgotten");
    assert_eq!(store.timeline(child.id).unwrap(), Some(timeline.clone()), "the copy itself stays");

    store.save_timeline(child.id, &timeline, Some("W/\"three\"".into())).unwrap();
    local.wipe().unwrap();
    let store = local.set_pin_with("1357", quick_kdf()).unwrap();
    assert_eq!(store.kept_tag(Kept::Timeline, child.id), None, "a wipe leaves no tag");
}

/// A tag is named only while its copy can be read: a handover kept by an earlier version of
/// the app, or damaged, would otherwise be answered "still current" for ever and never
/// replaced, and the duty worker would have no handover at the door.
#[test]
fn a_tag_is_not_named_for_a_copy_that_cannot_be_read() {
    let (dir, local, store) = unlocked_store();
    let child = child();
    store.save_handover(&fixtures::handover(child.clone()), Some("W/\"kept\"".into())).unwrap();
    assert_eq!(store.kept_tag(Kept::Handover, child.id).as_deref(), Some("W/\"kept\""));
    drop((store, local));

    // The copy as damage would leave it (bytes the store never sealed); its tag untouched.
    // sled lets go of its directory's lock a moment after the last handle.
    let deadline = Instant::now() + Duration::from_secs(5);
    let db = loop {
        match sled::open(dir.path()) {
            Ok(db) => break db,
            Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => panic!("the store's directory stayed locked: {e}"),
        }
    };
    let handovers = db.open_tree("handovers").unwrap();
    assert_eq!(handovers.iter().count(), 2, "the copy and its tag");
    handovers.insert(child.id.as_bytes(), b"damaged".as_slice()).unwrap();
    db.flush().unwrap();
    drop((handovers, db));

    let local = LocalStore::open(dir.path()).unwrap();
    let store = local.unlock("2468").unwrap();
    assert_eq!(store.kept_tag(Kept::Handover, child.id), None, "asked for whole, so it is replaced");
}
