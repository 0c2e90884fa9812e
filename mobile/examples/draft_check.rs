//! For the desktop typing check (`scripts/desktop-typing`): does a visit draft on the phone at
//! DIR (unlocked with PIN) hold exactly EXPECTED in its child's views? Exits 0 if so. It prints only
//! lengths, never the text: a draft holds a child's words.
//!
//! ```sh
//! cargo run -p mobile --example draft_check -- DIR PIN EXPECTED
//! ```

use std::process::ExitCode;

use mobile::store::LocalStore;

#[allow(clippy::print_stdout, clippy::print_stderr)]
fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [dir, pin, expected] = args.as_slice() else {
        eprintln!("usage: draft_check DIR PIN EXPECTED");
        return ExitCode::from(2);
    };
    let drafts = LocalStore::open(dir)
        .map_err(|e| e.to_string())
        .and_then(|local| local.unlock(pin).map_err(|e| e.to_string()))
        .and_then(|store| store.drafts().map_err(|e| e.to_string()));
    match drafts {
        Ok(drafts) if drafts.iter().any(|d| d.child_views == *expected) => {
            println!("a draft holds the {} characters typed, exactly", expected.chars().count());
            ExitCode::SUCCESS
        }
        Ok(drafts) => {
            let lengths: Vec<usize> = drafts.iter().map(|d| d.child_views.chars().count()).collect();
            println!(
                "no draft holds the {} characters typed; the drafts' views have {lengths:?} characters",
                expected.chars().count()
            );
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("could not read the phone's drafts: {e}");
            ExitCode::from(2)
        }
    }
}
