//! sled 0.34 as the [`Engine`]: one tree, `HighThroughput` mode. The only place that names sled.

use std::path::Path;
use std::sync::Arc;

use super::kv::{Batch, Engine};
use super::{RawRecord, StoreError, StoreResult};

impl From<sled::Error> for StoreError {
    fn from(e: sled::Error) -> Self {
        StoreError::Engine(e.to_string())
    }
}

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
        Ok(self.tree.apply_batch(SledEngine::batch(batch))?)
    }

    async fn release(&self, lock: Self::Lock) -> StoreResult<()> {
        drop(lock);
        Ok(())
    }

    async fn flush(&self) -> StoreResult<()> {
        self.db.flush_async().await?;
        Ok(())
    }

    async fn write(&self, batch: Batch) -> StoreResult<()> {
        Ok(self.tree.apply_batch(SledEngine::batch(batch))?)
    }

    async fn compare_and_swap(&self, key: &[u8], old: Option<Vec<u8>>, new: Vec<u8>) -> StoreResult<bool> {
        Ok(self.tree.compare_and_swap(key, old, Some(new))?.is_ok())
    }

    async fn generate_id(&self) -> StoreResult<u64> {
        Ok(self.db.generate_id()?)
    }
}
