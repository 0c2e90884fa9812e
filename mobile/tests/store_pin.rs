//! The PIN: wrong PINs are counted durably, the fifth in a row wipes everything, and changing
//! the PIN keeps the data but retires the old PIN.

mod core_fixtures;

use core_fixtures::*;
use mobile::store::{LocalStore, MAX_PIN_ATTEMPTS, StoreError, UnlockError, check_pin};

#[test]
fn a_new_store_has_no_pin_and_cannot_be_unlocked() {
    let dir = tempfile::tempdir().unwrap();
    let local = LocalStore::open(dir.path()).unwrap();
    assert!(!local.has_pin().unwrap());
    assert!(matches!(local.unlock("2468"), Err(UnlockError::NoPin)));
}

#[test]
fn pins_must_be_four_to_twelve_digits() {
    for (pin, ok) in
        [("123", false), ("1234", true), ("123456789012", true), ("1234567890123", false), ("12a4", false)]
    {
        assert_eq!(check_pin(pin).is_ok(), ok, "{pin}");
    }
    let dir = tempfile::tempdir().unwrap();
    let local = LocalStore::open(dir.path()).unwrap();
    assert!(matches!(local.set_pin_with("12", quick_kdf()), Err(StoreError::BadPin(_))));
    local.set_pin_with("2468", quick_kdf()).unwrap();
    assert!(matches!(local.set_pin_with("1357", quick_kdf()), Err(StoreError::PinAlreadySet)));
}

#[test]
fn wrong_pins_count_down_and_a_right_pin_resets_the_count() {
    let (_dir, local, store) = unlocked_store();
    drop(store);
    for left in [4, 3] {
        match local.unlock("0000") {
            Err(UnlockError::WrongPin { attempts_left }) => assert_eq!(attempts_left, left),
            other => panic!("expected a wrong PIN, got {other:?}"),
        }
    }
    assert_eq!(local.failed_attempts().unwrap(), 2);
    local.unlock("2468").unwrap();
    assert_eq!(local.failed_attempts().unwrap(), 0);
}

#[test]
fn the_count_survives_a_restart_so_restarting_gains_no_guesses() {
    let (dir, local, store) = unlocked_store();
    drop(store);
    for _ in 0..4 {
        assert!(local.unlock("0000").is_err());
    }
    drop(local);
    let local = LocalStore::open(dir.path()).unwrap();
    assert_eq!(local.failed_attempts().unwrap(), 4);
    assert!(matches!(local.unlock("0000"), Err(UnlockError::Wiped)));
}

#[test]
fn the_fifth_wrong_pin_wipes_everything() {
    let (dir, local, store) = unlocked_store();
    let child = child();
    store.put_child(&child).unwrap();
    store.save_draft(&complete_draft(&child)).unwrap();
    store.submit(&visit_with_words(&child, "hello"), afternoon()).unwrap();
    for attempt in 1..=MAX_PIN_ATTEMPTS {
        let result = local.unlock("9999");
        if attempt < MAX_PIN_ATTEMPTS {
            assert!(matches!(result, Err(UnlockError::WrongPin { .. })), "attempt {attempt}");
        } else {
            assert!(matches!(result, Err(UnlockError::Wiped)), "attempt {attempt}");
        }
    }
    assert!(!local.has_pin().unwrap(), "the PIN went with the data");
    assert!(matches!(local.unlock("2468"), Err(UnlockError::NoPin)), "the right PIN opens nothing now");
    assert!(matches!(store.drafts(), Err(StoreError::Wiped)), "handles unlocked earlier are dead");
    // A fresh start on the same device works and holds nothing of the old data.
    let fresh = local.set_pin_with("1357", quick_kdf()).unwrap();
    assert!(fresh.drafts().unwrap().is_empty());
    assert!(fresh.children().unwrap().is_empty());
    assert!(fresh.outbox().unwrap().is_empty());
    // Every handle (including the dead one) must go before the folder can be opened again.
    drop((fresh, local, store));
    let reopened = LocalStore::open(dir.path()).unwrap().unlock("1357").unwrap();
    assert!(reopened.outbox().unwrap().is_empty());
}

#[test]
fn changing_the_pin_keeps_the_data_and_retires_the_old_pin() {
    let (dir, local, store) = unlocked_store();
    let child = child();
    store.save_draft(&complete_draft(&child)).unwrap();
    store.change_pin("97531").unwrap();
    drop((store, local));
    let local = LocalStore::open(dir.path()).unwrap();
    assert!(matches!(local.unlock("2468"), Err(UnlockError::WrongPin { attempts_left: 4 })));
    let store = local.unlock("97531").unwrap();
    assert_eq!(store.drafts().unwrap().len(), 1);
}
