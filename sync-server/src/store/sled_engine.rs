//! sled 0.34 as the [`Engine`]: one tree, `HighThroughput` mode. The only place that names sled.
//!
//! **sled's one deadlock, kept out.** sled 0.34 guards every tree with one process-wide
//! reader-writer lock: an atomic batch takes it to write, and a flush holds it to read while it
//! waits for sled's log-flusher thread, which needs it to read too. A batch that queues while a
//! flush waits blocks the flusher (the lock lets a waiting writer in first), so the flush never
//! finishes and neither does the batch: the server stops. The conformance suite found it, with
//! concurrent writers. So no batch is applied while a flush runs, in the whole process (the
//! lock is sled's, so the gate is ours for every sled store at once): [`IO_GATE`], taken by
//! every batch, every flush, and the flush sled makes when a store is closed.
//!
//! **Group commit, within that rule.** A flush costs a disk sync, and no batch can be applied
//! while one runs, so one flush per commit would cap durable commits at the disk's syncs per
//! second. Instead commits share flushes. Every applied batch takes a ticket; a commit whose
//! ticket a finished flush already covers returns at once. Otherwise one commit at a time
//! leads: it queues for the writer lock behind every transaction already waiting, so each of
//! them applies its batch first, then flushes once for all of them. The more commits arrive
//! together, the more each flush covers; a lone commit still flushes at once. Only one flush
//! runs at a time, so sled's I/O threads are never all taken by flushes waiting on each other.

use std::path::{Path, PathBuf};
use std::sync::Arc;
#[cfg(test)]
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::kv::{Batch, Engine, FlushTickets};
use super::{RawRecord, StoreError, StoreResult};

impl From<sled::Error> for StoreError {
    fn from(e: sled::Error) -> Self {
        StoreError::Engine(e.to_string())
    }
}

/// Held while a batch is applied or a flush runs: never both at once (see the module's note).
static IO_GATE: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// sled: on disk, embedded.
#[derive(Debug)]
pub(crate) struct SledEngine {
    db: sled::Db,
    tree: sled::Tree,
    writer: Arc<tokio::sync::Mutex<()>>,
    /// Batches applied, and how many of them are on disk.
    tickets: FlushTickets,
    /// Held by the commit leading the next flush.
    leader: tokio::sync::Mutex<()>,
    /// Flushes made, for the test that commits share them.
    #[cfg(test)]
    flushes: AtomicU64,
    /// Last, so dropped last: a closed store's directory can be opened again at once.
    _released: UntilUnlocked,
}

/// Waits, when a store on disk is closed, until sled has let go of its directory's lock. sled's
/// background threads drop their handles a moment after the last of ours, and until they have,
/// opening the directory again fails ("could not acquire lock"): a server restarted, or a
/// store restored and then served, would fail at random. Dropped after `db` and `tree`.
#[derive(Debug)]
struct UntilUnlocked(Option<PathBuf>);

impl Drop for UntilUnlocked {
    fn drop(&mut self) {
        // sled locks the file `db` in the store's directory.
        let Some(file) = &self.0 else { return };
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let Ok(handle) = std::fs::File::open(file) else { return };
            match handle.try_lock() {
                // Free (and freed again as `handle` closes).
                Ok(()) => return,
                Err(std::fs::TryLockError::WouldBlock) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(1));
                }
                Err(error) => {
                    tracing::warn!(%error, "could not see the store's directory unlocked after it closed");
                    return;
                }
            }
        }
    }
}

impl SledEngine {
    pub(crate) fn open(dir: &Path) -> StoreResult<SledEngine> {
        let db = sled::Config::new().path(dir).mode(sled::Mode::HighThroughput).open()?;
        SledEngine::from_db(db, UntilUnlocked(Some(dir.join("db"))))
    }

    pub(crate) fn temporary() -> StoreResult<SledEngine> {
        SledEngine::from_db(sled::Config::new().temporary(true).open()?, UntilUnlocked(None))
    }

    fn from_db(db: sled::Db, released: UntilUnlocked) -> StoreResult<SledEngine> {
        let tree = db.open_tree("records")?;
        Ok(SledEngine {
            db,
            tree,
            writer: Arc::new(tokio::sync::Mutex::new(())),
            tickets: FlushTickets::default(),
            leader: tokio::sync::Mutex::new(()),
            #[cfg(test)]
            flushes: AtomicU64::new(0),
            _released: released,
        })
    }

    /// Applies a batch under the gate, and takes its ticket.
    async fn apply_batch(&self, batch: Batch) -> StoreResult<()> {
        let _gate = IO_GATE.lock().await;
        self.tree.apply_batch(SledEngine::batch(batch))?;
        self.tickets.wrote();
        Ok(())
    }

    fn batch(batch: Batch) -> sled::Batch {
        let mut out = sled::Batch::default();
        for (k, v) in batch {
            match v {
                Some(v) => out.insert(k, v),
                None => out.remove(k),
            }
        }
        out
    }
}

impl Drop for SledEngine {
    /// sled flushes when its last handle is dropped: that flush, too, waits for the gate, so a
    /// store closed in one task cannot deadlock a batch applied in another.
    fn drop(&mut self) {
        let _gate = loop {
            match IO_GATE.try_lock() {
                Ok(gate) => break gate,
                Err(_) => std::thread::sleep(std::time::Duration::from_millis(1)),
            }
        };
        if let Err(error) = self.db.flush() {
            tracing::error!(%error, "the store could not be flushed as it closed");
        }
    }
}

fn pairs(iter: impl Iterator<Item = sled::Result<(sled::IVec, sled::IVec)>>) -> StoreResult<Vec<RawRecord>> {
    iter.map(|entry| entry.map(|(k, v)| (k.to_vec(), v.to_vec())).map_err(StoreError::from)).collect()
}

impl Engine for SledEngine {
    type Lock = tokio::sync::OwnedMutexGuard<()>;

    async fn get(&self, key: &[u8]) -> StoreResult<Option<Vec<u8>>> {
        Ok(self.tree.get(key)?.map(|v| v.to_vec()))
    }

    async fn scan(&self, prefix: &[u8]) -> StoreResult<Vec<RawRecord>> {
        pairs(self.tree.scan_prefix(prefix))
    }

    async fn last(&self, prefix: &[u8]) -> StoreResult<Option<RawRecord>> {
        Ok(pairs(self.tree.scan_prefix(prefix).next_back().into_iter())?.pop())
    }

    async fn range(&self, from: &[u8], prefix: &[u8], max: usize) -> StoreResult<Vec<RawRecord>> {
        pairs(
            self.tree
                .range(from..)
                .take_while(|e| e.as_ref().map_or(true, |(k, _)| k.starts_with(prefix)))
                .take(max),
        )
    }

    async fn lock(&self) -> StoreResult<Self::Lock> {
        Ok(self.writer.clone().lock_owned().await)
    }

    async fn apply(&self, _lock: &mut Self::Lock, batch: Batch) -> StoreResult<()> {
        self.apply_batch(batch).await
    }

    async fn release(&self, lock: Self::Lock) -> StoreResult<()> {
        drop(lock);
        Ok(())
    }

    /// Never called with the writer lock held: the leader of a flush waits for it.
    async fn flush(&self) -> StoreResult<()> {
        let mine = self.tickets.written();
        if self.tickets.covers(mine) {
            return Ok(());
        }
        let _leading = self.leader.lock().await;
        if self.tickets.covers(mine) {
            return Ok(());
        }
        // Behind every transaction already waiting to write: each applies before this flush.
        let _writers = self.writer.lock().await;
        let _gate = IO_GATE.lock().await;
        let covered = self.tickets.written();
        self.db.flush_async().await?;
        self.tickets.flushed(covered);
        #[cfg(test)]
        self.flushes.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }

    async fn write(&self, batch: Batch) -> StoreResult<()> {
        self.apply_batch(batch).await
    }

    async fn compare_and_swap(&self, key: &[u8], old: Option<Vec<u8>>, new: Vec<u8>) -> StoreResult<bool> {
        let swapped = self.tree.compare_and_swap(key, old, Some(new))?.is_ok();
        if swapped {
            // A swap is a write too: the next flush must cover it.
            self.tickets.wrote();
        }
        Ok(swapped)
    }

    async fn generate_id(&self) -> StoreResult<u64> {
        Ok(self.db.generate_id()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Commits waiting together share one flush (a durable push does not wait for a disk sync
    /// of its own behind every other one), and each of them is on disk when its flush returns.
    ///
    /// The commits all apply before any of them asks for its flush, so the count does not hang
    /// on how the scheduler happened to interleave them: under a loaded test run, commits left to
    /// race had arrived one by one and made 29 flushes for 64.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn commits_waiting_together_share_one_flush_and_each_is_durable() {
        let dir = tempfile::tempdir().unwrap();
        let engine = Arc::new(SledEngine::open(dir.path()).unwrap());
        const COMMITS: u32 = 64;
        let applied = Arc::new(tokio::sync::Barrier::new(COMMITS as usize));
        let commits: Vec<_> = (0..COMMITS)
            .map(|n| {
                let engine = engine.clone();
                let applied = applied.clone();
                tokio::spawn(async move {
                    let commit = async {
                        let mut lock = engine.lock().await?;
                        let key = n.to_be_bytes().to_vec();
                        engine.apply(&mut lock, vec![(key, Some(b"visit".to_vec()))]).await?;
                        engine.release(lock).await
                    };
                    let committed = commit.await;
                    // Every task reaches the barrier, even one whose commit failed: the test
                    // then fails on that error rather than hanging.
                    applied.wait().await;
                    committed?;
                    engine.flush().await
                })
            })
            .collect();
        for commit in commits {
            commit.await.unwrap().unwrap();
        }
        let flushes = engine.flushes.load(Ordering::SeqCst);
        assert_eq!(flushes, 1, "{COMMITS} commits waiting together made {flushes} flushes");

        // Durable: a copy of the directory taken now, with the store still open (what a crash
        // would leave), holds every one of them.
        let copy = tempfile::tempdir().unwrap();
        copy_dir(dir.path(), copy.path());
        let reopened = SledEngine::open(copy.path()).unwrap();
        for n in 0..COMMITS {
            assert!(reopened.get(&n.to_be_bytes()).await.unwrap().is_some(), "commit {n} was lost");
        }
        drop(engine);
    }

    /// A store closed can be opened again at once: a server stopped and started, or a store
    /// restored from a backup and then served, never finds its directory still locked.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_closed_store_can_be_opened_again_at_once() {
        let dir = tempfile::tempdir().unwrap();
        for n in 0u32..100 {
            let engine = SledEngine::open(dir.path())
                .unwrap_or_else(|e| panic!("opening the store again after {n} closes: {e}"));
            let value = vec![b'v'; 64 * 1024];
            let mut lock = engine.lock().await.unwrap();
            engine.apply(&mut lock, vec![(n.to_be_bytes().to_vec(), Some(value))]).await.unwrap();
            engine.release(lock).await.unwrap();
            engine.flush().await.unwrap();
            drop(engine);
        }
        let engine = SledEngine::open(dir.path()).unwrap();
        assert!(engine.get(&99u32.to_be_bytes()).await.unwrap().is_some());
    }

    fn copy_dir(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            let target = to.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                copy_dir(&entry.path(), &target);
            } else {
                std::fs::copy(entry.path(), target).unwrap();
            }
        }
    }
}
