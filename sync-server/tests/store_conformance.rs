//! The conformance suite ([`conformance`]) on every store: sled on disk, the in-memory store,
//! and PostgreSQL (a throwaway cluster this binary starts, a database per test).

mod conformance;
mod pg_support;
mod sled_support;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use sync_server::Store;

/// sled, on disk: a restart opens the directory again.
struct Sled;

impl conformance::Harness for Sled {
    fn open(&self, dir: &Path) -> Arc<dyn Store> {
        sled_support::reopen(dir)
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

/// PostgreSQL: a database per test directory; a restart is a new connection pool on it.
struct Postgres;

impl conformance::Harness for Postgres {
    fn open(&self, dir: &Path) -> Arc<dyn Store> {
        let url = pg_support::cluster().database_for(dir);
        tokio::task::block_in_place(|| {
            tokio::runtime::Handle::current()
                .block_on(sync_server::store::connect(&url))
                .expect("PostgreSQL opens")
        })
    }
}

store_conformance!(on_sled, super::Sled);
store_conformance!(in_memory, super::Memory::default());
store_conformance!(on_postgres, super::Postgres);

/// `sync-server migrate`: a sled store copied into an empty PostgreSQL database holds every
/// record byte for byte, the command says it verified the count and hash, and it refuses to
/// copy into a database that already holds records.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrate_copies_a_sled_store_into_postgres_verified_and_refuses_a_non_empty_target() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let sled_dir = dir.path().join("sled");
    let sled = sync_server::store::open(&sled_dir).expect("sled opens");
    conformance::some_of_everything(sled.as_ref()).await;
    let before = sled.backup_records().await.expect("records");
    drop(sled);

    let url = pg_support::cluster().fresh_database();
    let migrate = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_sync-server"))
            .args(["migrate", "--from"])
            .arg(&sled_dir)
            .args(["--to", &url])
            .env_remove("DATABASE_URL")
            .output()
            .expect("sync-server runs")
    };
    let first = migrate();
    let said = String::from_utf8_lossy(&first.stdout);
    assert!(first.status.success(), "migrate failed: {}", String::from_utf8_lossy(&first.stderr));
    assert!(
        said.contains(&format!("copied {} records", before.len())) && said.contains("verified"),
        "says what it copied and that it checked: {said}"
    );

    let postgres = sync_server::store::connect(&url).await.expect("PostgreSQL opens");
    let after = postgres.backup_records().await.expect("records");
    for record in &before {
        assert!(after.contains(record), "every sled record is in PostgreSQL, byte for byte");
    }
    assert_eq!(after.len(), before.len() + 1, "nothing else but the id floor a restore sets");
    assert_eq!(
        postgres.child(conformance_id(1)).await.unwrap().map(|c| c.central_id),
        Some("CONF-000001".into())
    );
    assert_eq!(postgres.audit(None).await.unwrap().len(), 3, "two changes and a view");

    let second = migrate();
    assert!(!second.status.success(), "a second copy into the same database is refused");
    let refused = String::from_utf8_lossy(&second.stderr);
    assert!(refused.contains("already holds records"), "says why: {refused}");
    assert_eq!(postgres.backup_records().await.unwrap(), after, "and writes nothing");
}

fn conformance_id<T: From<uuid::Uuid>>(n: u128) -> T {
    T::from(uuid::Uuid::from_u128(n))
}

/// A writer's transaction lets the writer lock go before the disk sync (so writers do not queue
/// behind each other's syncs), but a commit still returns only once the write-ahead log is on
/// disk past it. On a cluster of its own, with nothing else writing, the log is flushed as far
/// as it has been written each time a commit returns. (PostgreSQL's background writer logs a
/// small record of its own now and then, so a few checks of twenty may find it unflushed; a
/// commit that did not wait finds it unflushed nearly every time.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgres_a_commit_returns_only_once_the_log_is_flushed_past_it() {
    let cluster = tokio::task::block_in_place(pg_support::durable_cluster);
    let url = tokio::task::block_in_place(|| cluster.fresh_database());
    let store = sync_server::store::connect(&url).await.expect("PostgreSQL opens");
    let mut flushed = 0;
    for n in 0..20u128 {
        let mut tx = store.transaction().await.unwrap();
        tx.set_meta(&format!("mark-{n}"), b"written").await.unwrap();
        tx.commit().await.unwrap();
        let check = tokio::task::block_in_place(|| {
            cluster.psql(&url, "select pg_current_wal_flush_lsn() >= pg_current_wal_insert_lsn()")
        });
        flushed += usize::from(check == "t");
    }
    assert!(flushed >= 15, "only {flushed} of 20 commits returned with the log on disk");
}

/// Two server processes on one database: two connection pools. Writers are serialised across
/// them (the advisory lock), not only within one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgres_writers_in_two_processes_are_serialised_and_number_one_feed() {
    let url = tokio::task::block_in_place(|| pg_support::cluster().fresh_database());
    let a = sync_server::store::connect(&url).await.expect("PostgreSQL opens");
    let b = sync_server::store::connect(&url).await.expect("PostgreSQL opens again");
    conformance::writers_on_two_handles_to_one_store_are_serialised(a, b).await;
}
