//! A `BTreeMap` as the [`Engine`]: the in-memory store, for fast handler tests. Durable for as
//! long as the process lives, which is what a test needs.

use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use super::kv::{Batch, Engine, prefix_end};
use super::{RawRecord, StoreError, StoreResult};

/// A map in memory.
#[derive(Debug, Default)]
pub(crate) struct MemoryEngine {
    map: RwLock<BTreeMap<Vec<u8>, Vec<u8>>>,
    writer: Arc<tokio::sync::Mutex<()>>,
    ids: AtomicU64,
}

fn poisoned<T>(_: T) -> StoreError {
    StoreError::Engine("the in-memory map was poisoned by a panic".into())
}

impl MemoryEngine {
    fn under(&self, prefix: &[u8], from: &[u8], max: usize, reverse: bool) -> StoreResult<Vec<RawRecord>> {
        let map = self.map.read().map_err(poisoned)?;
        let upper = match prefix_end(prefix) {
            Some(end) => Bound::Excluded(end),
            None => Bound::Unbounded,
        };
        let range = map.range::<Vec<u8>, _>((Bound::Included(from.to_vec()), upper));
        let pick = |(k, v): (&Vec<u8>, &Vec<u8>)| (k.clone(), v.clone());
        Ok(if reverse {
            range.rev().take(max).map(pick).collect()
        } else {
            range.take(max).map(pick).collect()
        })
    }

    fn write_now(&self, batch: Batch) -> StoreResult<()> {
        let mut map = self.map.write().map_err(poisoned)?;
        for (k, v) in batch {
            match v {
                Some(v) => map.insert(k, v),
                None => map.remove(&k),
            };
        }
        Ok(())
    }
}

impl Engine for MemoryEngine {
    type Lock = tokio::sync::OwnedMutexGuard<()>;

    async fn get(&self, key: &[u8]) -> StoreResult<Option<Vec<u8>>> {
        Ok(self.map.read().map_err(poisoned)?.get(key).cloned())
    }

    async fn scan(&self, prefix: &[u8]) -> StoreResult<Vec<RawRecord>> {
        self.under(prefix, prefix, usize::MAX, false)
    }

    async fn last(&self, prefix: &[u8]) -> StoreResult<Option<RawRecord>> {
        Ok(self.under(prefix, prefix, 1, true)?.pop())
    }

    async fn range(&self, from: &[u8], prefix: &[u8], max: usize) -> StoreResult<Vec<RawRecord>> {
        self.under(prefix, from.max(prefix), max, false)
    }

    async fn lock(&self) -> StoreResult<Self::Lock> {
        Ok(self.writer.clone().lock_owned().await)
    }

    async fn apply(&self, _lock: &mut Self::Lock, batch: Batch) -> StoreResult<()> {
        self.write_now(batch)
    }

    async fn release(&self, lock: Self::Lock) -> StoreResult<()> {
        drop(lock);
        Ok(())
    }

    async fn flush(&self) -> StoreResult<()> {
        Ok(())
    }

    async fn write(&self, batch: Batch) -> StoreResult<()> {
        self.write_now(batch)
    }

    async fn compare_and_swap(&self, key: &[u8], old: Option<Vec<u8>>, new: Vec<u8>) -> StoreResult<bool> {
        let mut map = self.map.write().map_err(poisoned)?;
        if map.get(key) != old.as_ref() {
            return Ok(false);
        }
        map.insert(key.to_vec(), new);
        Ok(true)
    }

    async fn generate_id(&self) -> StoreResult<u64> {
        Ok(self.ids.fetch_add(1, Ordering::SeqCst))
    }
}
