//! Opening a sled store directory again, as a restarted server does.

use std::path::Path;
use std::sync::Arc;

use sync_server::Store;

/// Opens the sled store in `dir` again after its last handle was dropped. sled's own threads
/// (and a server's connection tasks, which drop their handle a moment after a graceful
/// shutdown returns) let go of the directory's lock a moment later, as a process's would at
/// exit: this waits up to 5 s for that.
pub fn reopen(dir: &Path) -> Arc<dyn Store> {
    let mut tries = 0;
    loop {
        match sync_server::store::open(dir) {
            Ok(store) => return store,
            Err(_) if tries < 100 => {
                tries += 1;
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            Err(error) => panic!("sled opens: {error}"),
        }
    }
}
