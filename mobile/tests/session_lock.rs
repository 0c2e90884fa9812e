//! The app locks after five minutes idle and wipes after five wrong PINs (time moved by hand).

mod core_fixtures;

use std::sync::Arc;
use std::time::Duration;

use core_fixtures::*;
use mobile::session::{IDLE_LOCK_AFTER, ManualClock, PinSession};
use mobile::store::{LocalStore, UnlockError};

fn session_with_pin() -> (tempfile::TempDir, Arc<ManualClock>, PinSession) {
    let dir = tempfile::tempdir().unwrap();
    let local = LocalStore::open(dir.path()).unwrap();
    let store = local.set_pin_with("2468", quick_kdf()).unwrap();
    store.save_draft(&complete_draft(&child())).unwrap();
    let clock = Arc::new(ManualClock::default());
    let mut session = PinSession::with_clock(local, clock.clone(), IDLE_LOCK_AFTER);
    session.adopt(store);
    (dir, clock, session)
}

#[test]
fn it_locks_after_five_minutes_without_a_touch() {
    let (_dir, clock, mut session) = session_with_pin();
    clock.advance(Duration::from_secs(4 * 60 + 59));
    assert!(session.store().is_some(), "still open at 4:59");
    clock.advance(Duration::from_secs(1));
    assert!(session.store().is_none(), "locked at 5:00");
    assert!(session.is_locked());
    let store = session.unlock("2468").unwrap();
    assert_eq!(store.drafts().unwrap().len(), 1, "unlocking again shows the saved draft");
}

#[test]
fn every_touch_restarts_the_five_minutes() {
    let (_dir, clock, mut session) = session_with_pin();
    for _ in 0..5 {
        clock.advance(Duration::from_secs(4 * 60));
        session.touch();
    }
    assert!(!session.is_locked(), "20 minutes of steady typing never locks");
    assert_eq!(session.time_until_lock(), Some(IDLE_LOCK_AFTER));
    clock.advance(IDLE_LOCK_AFTER);
    session.touch();
    assert!(session.is_locked(), "a touch after the timeout does not reopen it");
}

#[test]
fn five_wrong_pins_at_the_lock_screen_wipe_the_device() {
    let (_dir, _clock, mut session) = session_with_pin();
    session.lock();
    for _ in 0..4 {
        assert!(matches!(session.unlock("1111"), Err(UnlockError::WrongPin { .. })));
    }
    assert_eq!(session.failed_attempts().unwrap(), 4);
    assert!(matches!(session.unlock("1111"), Err(UnlockError::Wiped)));
    assert!(matches!(session.unlock("2468"), Err(UnlockError::NoPin)));
    assert!(!session.local_store().has_pin().unwrap());
}
