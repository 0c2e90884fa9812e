//! The store keeps nothing readable on disk: a known phrase from a captured visit, the child's
//! name and the session's tokens are nowhere in the store's files.

mod core_fixtures;

use std::path::Path;

use core_fixtures::*;
use mobile::store::{LocalStore, SessionRecord};
use shared::sync::TokenResponse;
use shared::{DeviceId, Role, Worker};

const PHRASE: &str = "the purple elephant sang";

/// Every file under `dir` that contains `needle`.
fn files_containing(dir: &Path, needle: &[u8]) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(path) = stack.pop() {
        if path.is_dir() {
            for entry in std::fs::read_dir(&path).unwrap() {
                stack.push(entry.unwrap().path());
            }
        } else {
            let bytes = std::fs::read(&path).unwrap();
            if bytes.windows(needle.len()).any(|w| w == needle) {
                found.push(path.display().to_string());
            }
        }
    }
    found
}

fn total_bytes(dir: &Path) -> u64 {
    walk(dir).iter().map(|p| std::fs::metadata(p).unwrap().len()).sum()
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() { files.extend(walk(&path)) } else { files.push(path) }
    }
    files
}

#[test]
fn the_search_finds_a_phrase_that_is_there() {
    // Proves the search below can fail: a plain file with the phrase is found.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("plain.txt"), format!("notes: {PHRASE}.")).unwrap();
    assert_eq!(files_containing(dir.path(), PHRASE.as_bytes()).len(), 1);
}

#[test]
fn a_captured_visit_leaves_no_readable_trace_in_the_store_files() {
    let (dir, local, store) = unlocked_store();
    let child = child();
    store.put_child(&child).unwrap();

    // A draft being typed, and a submitted visit, both with the phrase.
    let mut draft = complete_draft(&child);
    draft.child_words = vec![PHRASE.to_owned()];
    draft.concerns = format!("Maja said {PHRASE} twice.");
    store.save_draft(&draft).unwrap();
    let visit = visit_with_words(&child, PHRASE);
    store.submit(&visit, afternoon()).unwrap();
    let tokens = TokenResponse {
        access_token: "access-token-SECRET-abc123".into(),
        access_expires_at: afternoon(),
        refresh_token: "refresh-token-SECRET-def456".into(),
        worker: Worker { id: WORKER, name: "Sam Social".into(), role: Role::SocialWorker, team: None },
        settings: Some(settings(shared::CalendarName::Jersey)),
    };
    store.save_session(&SessionRecord::new("http://127.0.0.1:1", DeviceId::new(), tokens)).unwrap();
    store.flush().unwrap();
    assert!(total_bytes(dir.path()) > 0, "the store wrote files");

    for secret in [
        PHRASE,
        "Maja",
        "Testowska",
        "Ola Testowska",
        "SECRET",
        "Attend school",
        "Family home",
        "Europe/Jersey",
    ] {
        let found = files_containing(dir.path(), secret.as_bytes());
        assert!(found.is_empty(), "{secret:?} readable in {found:?}");
    }

    // ... and yet it is all there for the worker with the PIN, after a restart.
    drop((store, local));
    let reopened = LocalStore::open(dir.path()).unwrap().unlock("2468").unwrap();
    assert_eq!(reopened.draft(draft.id).unwrap().unwrap().child_words, vec![PHRASE.to_owned()]);
    let outbox = reopened.outbox().unwrap();
    assert_eq!(outbox[0].visit.child_words[0].text, PHRASE);
    assert_eq!(reopened.session().unwrap().unwrap().refresh_token, "refresh-token-SECRET-def456");
    for secret in [PHRASE, "Maja", "SECRET"] {
        assert!(files_containing(dir.path(), secret.as_bytes()).is_empty());
    }
}

#[test]
fn the_wrong_pin_reads_nothing() {
    let (dir, local, store) = unlocked_store();
    let child = child();
    store.submit(&visit_with_words(&child, PHRASE), afternoon()).unwrap();
    drop((store, local));
    let local = LocalStore::open(dir.path()).unwrap();
    assert!(local.unlock("1111").is_err());
    assert_eq!(local.unlock("2468").unwrap().outbox().unwrap().len(), 1);
}
