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

use std::path::Path;
use std::sync::Arc;

use super::kv::{Batch, Engine};
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
}

impl SledEngine {
    pub(crate) fn open(dir: &Path) -> StoreResult<SledEngine> {
        SledEngine::from_db(sled::Config::new().path(dir).mode(sled::Mode::HighThroughput).open()?)
    }

    pub(crate) fn temporary() -> StoreResult<SledEngine> {
        SledEngine::from_db(sled::Config::new().temporary(true).open()?)
    }

    fn from_db(db: sled::Db) -> StoreResult<SledEngine> {
        let tree = db.open_tree("records")?;
        Ok(SledEngine { db, tree, writer: Arc::new(tokio::sync::Mutex::new(())) })
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
        let _gate = IO_GATE.lock().await;
        Ok(self.tree.apply_batch(SledEngine::batch(batch))?)
    }

    async fn release(&self, lock: Self::Lock) -> StoreResult<()> {
        drop(lock);
        Ok(())
    }

    async fn flush(&self) -> StoreResult<()> {
        let _gate = IO_GATE.lock().await;
        self.db.flush_async().await?;
        Ok(())
    }

    async fn write(&self, batch: Batch) -> StoreResult<()> {
        let _gate = IO_GATE.lock().await;
        Ok(self.tree.apply_batch(SledEngine::batch(batch))?)
    }

    async fn compare_and_swap(&self, key: &[u8], old: Option<Vec<u8>>, new: Vec<u8>) -> StoreResult<bool> {
        Ok(self.tree.compare_and_swap(key, old, Some(new))?.is_ok())
    }

    async fn generate_id(&self) -> StoreResult<u64> {
        Ok(self.db.generate_id()?)
    }
}
