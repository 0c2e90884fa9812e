//! The conformance suite ([`conformance`]) on every store: sled on disk, and the in-memory
//! store.

mod conformance;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use sync_server::Store;

/// sled, on disk: a restart opens the directory again.
struct Sled;

impl conformance::Harness for Sled {
    fn open(&self, dir: &Path) -> Arc<dyn Store> {
        sync_server::store::open(dir).expect("sled opens")
    }
}

/// In memory: a "restart" keeps the map, as nothing outlives the process.
#[derive(Default)]
struct Memory(Mutex<HashMap<PathBuf, Arc<dyn Store>>>);

impl conformance::Harness for Memory {
    fn open(&self, dir: &Path) -> Arc<dyn Store> {
        let mut stores = self.0.lock().unwrap();
        stores.entry(dir.to_owned()).or_insert_with(sync_server::store::in_memory).clone()
    }
}

store_conformance!(on_sled, super::Sled);
store_conformance!(in_memory, super::Memory::default());
