//! A draft survives the app being killed: saved in a child process that is then killed with
//! SIGKILL (no clean shutdown, no destructors), it is there when the store is reopened.

mod core_fixtures;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use core_fixtures::*;
use mobile::store::LocalStore;

const CHILD_ENV: &str = "SEEN_HEARD_KILL_TEST_DIR";

/// Runs only inside the child process: saves a draft, says so, then waits to be killed.
#[test]
fn kill_target_saves_a_draft_then_waits() {
    let Ok(dir) = std::env::var(CHILD_ENV) else { return };
    let local = LocalStore::open(&dir).unwrap();
    let store = local.set_pin_with("2468", quick_kdf()).unwrap();
    let child = child();
    let mut draft = complete_draft(&child);
    draft.facts = "Typed just before the phone died".into();
    store.save_draft(&draft).unwrap();
    println!("SAVED {}", draft.id);
    loop {
        std::thread::sleep(std::time::Duration::from_secs(1));
    }
}

#[test]
fn a_draft_saved_before_sigkill_is_there_after_restart() {
    let dir = tempfile::tempdir().unwrap();
    let mut process = Command::new(std::env::current_exe().unwrap())
        .args(["kill_target_saves_a_draft_then_waits", "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = process.stdout.take().unwrap();
    let mut process = KillOnDrop(process);
    let saved_id = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        // The test harness prints the test's name on the same line first.
        .find_map(|line| line.split_once("SAVED ").map(|(_, id)| id.trim().to_owned()))
        .expect("the child process saved a draft");
    // SIGKILL: the process gets no chance to flush or drop anything.
    process.0.kill().unwrap();
    process.0.wait().unwrap();

    let store = LocalStore::open(dir.path()).unwrap().unlock("2468").unwrap();
    let drafts = store.drafts().unwrap();
    assert_eq!(drafts.len(), 1);
    assert_eq!(drafts[0].id.to_string(), saved_id);
    assert_eq!(drafts[0].facts, "Typed just before the phone died");
}

/// Makes sure the child process never outlives the test, even if an assertion fails first.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
