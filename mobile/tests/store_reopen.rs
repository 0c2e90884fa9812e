//! Closing the store and opening it again at once (the app locked and reopened, or wiped) works
//! every time, though sled lets go of its directory's lock a moment after the last handle; and
//! a store another holder has open is refused after a short wait, not hung on.

mod core_fixtures;

use std::time::{Duration, Instant};

use core_fixtures::*;
use mobile::store::LocalStore;

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
