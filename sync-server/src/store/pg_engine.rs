//! PostgreSQL (15 or later) as the [`Engine`], through `sqlx`: for a service that outgrows one
//! machine, where several server processes share one database. The only place that names sqlx.
//!
//! - One table, `records (k bytea primary key, v bytea not null)`: the same ordered key space
//!   as sled's tree ([`super::kv`] owns the layout). A scan under a prefix is the index range
//!   `k >= prefix and k < prefix_end`.
//! - **The writer lock is a database transaction** that took `pg_advisory_xact_lock` on one
//!   fixed key, so writers are serialised across every process on the database, not only
//!   within one. Inside a process a mutex is taken first, so that writers waiting their turn
//!   wait without holding a pooled connection (they would otherwise starve the lock holder's
//!   own reads). [`Engine::apply`] writes the batch inside that transaction, with one statement
//!   for the upserts and one for the deletes (`unnest` over arrays, not one statement a row);
//!   [`Engine::release`] commits, which also releases the advisory lock. A lock dropped
//!   without release rolls back: nothing is written.
//! - **Group commit.** The writer transaction commits with `synchronous_commit` off, so the
//!   advisory lock is let go without waiting for a disk sync: otherwise each writer would hold
//!   the lock through its own sync, and every writer queued behind it would wait for that too.
//!   [`Engine::flush`] then makes the commit durable before anything is answered: it runs a
//!   one-statement transaction that writes to the log (a transactional logical message,
//!   `pg_logical_emit_message`, which any role may emit and nothing stores), so its
//!   synchronous commit flushes the write-ahead log up to its own commit record, and so past
//!   every commit that returned before it. (A transaction that writes nothing, such as one
//!   only given a transaction id, would not wait for the disk.) PostgreSQL shares one log
//!   flush between the flushes that wait at the same moment. As on sled, a commit is visible
//!   to other readers a moment before it is durable, and acknowledged only once it is. Writes
//!   outside the lock commit synchronously.
//! - Migrations (`sync-server/migrations/*.sql`) are compiled into the binary and run at start.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use futures::future::BoxFuture;
use sqlx::migrate::{Migration, MigrationSource, MigrationType, Migrator};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{Postgres, Row};

use super::kv::{Batch, Engine, FlushTickets, prefix_end};
use super::{RawRecord, StoreError, StoreResult};

/// The advisory lock every writer takes: "SEENHEAR" in ASCII.
const WRITER_LOCK: i64 = 0x5345_454e_4845_4152;
/// Rows per statement when applying a large batch (a restore): keeps each message modest.
const ROWS_PER_STATEMENT: usize = 5_000;

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        // sqlx's messages carry the server's message, never bound values or query text.
        StoreError::Engine(e.to_string())
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        StoreError::Engine(format!("migrating the database: {e}"))
    }
}

/// The schema, in order. Each file is applied once, in a transaction, and recorded (with its
/// checksum) in `_sqlx_migrations`; an edited file that was already applied is refused.
#[derive(Debug)]
struct Embedded;

impl<'s> MigrationSource<'s> for Embedded {
    fn resolve(self) -> BoxFuture<'s, Result<Vec<Migration>, sqlx::error::BoxDynError>> {
        let migration = |version, description: &'static str, sql: &'static str| {
            Migration::new(
                version,
                Cow::Borrowed(description),
                MigrationType::Simple,
                Cow::Borrowed(sql),
                false,
            )
        };
        Box::pin(async move {
            Ok(vec![migration(1, "records", include_str!("../../migrations/0001_records.sql"))])
        })
    }
}

/// Applies every migration not yet applied. Several servers starting at once are safe: sqlx
/// takes an advisory lock of its own while it migrates.
async fn migrate(pool: &PgPool) -> StoreResult<()> {
    Migrator::new(Embedded).await?.run(pool).await?;
    Ok(())
}

/// PostgreSQL, over a pool of connections.
#[derive(Debug)]
pub(crate) struct PgEngine {
    pool: PgPool,
    /// Writers of this process queue here before they take a connection and the advisory lock.
    local: Arc<tokio::sync::Mutex<()>>,
    /// Writer transactions committed, and how many of them are on disk.
    tickets: FlushTickets,
}

/// The writer lock: this process's turn, and a transaction holding the advisory lock.
#[derive(Debug)]
pub(crate) struct PgLock {
    transaction: sqlx::Transaction<'static, Postgres>,
    _turn: tokio::sync::OwnedMutexGuard<()>,
}

impl PgEngine {
    /// Connects to `url` (`postgres://user@host/db`, or `postgres:///db?host=/socket/dir`) and
    /// brings the schema up to date.
    pub(crate) async fn connect(url: &str) -> StoreResult<PgEngine> {
        let options: PgConnectOptions = url.parse()?;
        // No ping before each use of a pooled connection: it would double the round trips of
        // every read. A connection the database dropped (a restart, a failover) fails the one
        // request that finds it, which the device retries, and is then replaced.
        let pool =
            PgPoolOptions::new().max_connections(16).test_before_acquire(false).connect_with(options).await?;
        migrate(&pool).await?;
        Ok(PgEngine { pool, local: Arc::new(tokio::sync::Mutex::new(())), tickets: FlushTickets::default() })
    }

    /// Writes `batch` through `connection`: the last write to a key wins, as in sled's
    /// batches. Atomic only inside a transaction, or when [`Writes::statements`] is 1.
    async fn apply_on(connection: &mut sqlx::PgConnection, writes: Writes) -> StoreResult<()> {
        let Writes { mut put_keys, mut put_values, mut removed } = writes;
        while !put_keys.is_empty() {
            let n = put_keys.len().min(ROWS_PER_STATEMENT);
            let keys: Vec<Vec<u8>> = put_keys.drain(..n).collect();
            let values: Vec<Vec<u8>> = put_values.drain(..n).collect();
            sqlx::query(
                "insert into records (k, v) select * from unnest($1::bytea[], $2::bytea[]) \
                 on conflict (k) do update set v = excluded.v",
            )
            .bind(keys)
            .bind(values)
            .execute(&mut *connection)
            .await?;
        }
        while !removed.is_empty() {
            let n = removed.len().min(ROWS_PER_STATEMENT);
            let keys: Vec<Vec<u8>> = removed.drain(..n).collect();
            sqlx::query("delete from records where k = any($1::bytea[])")
                .bind(keys)
                .execute(&mut *connection)
                .await?;
        }
        Ok(())
    }
}

/// A batch as the statements that write it: the last write to each key, puts and removals.
#[derive(Debug)]
struct Writes {
    put_keys: Vec<Vec<u8>>,
    put_values: Vec<Vec<u8>>,
    removed: Vec<Vec<u8>>,
}

impl Writes {
    fn new(batch: Batch) -> Writes {
        let mut last: HashMap<Vec<u8>, Option<Vec<u8>>> = HashMap::with_capacity(batch.len());
        for (k, v) in batch {
            last.insert(k, v);
        }
        let mut writes = Writes { put_keys: Vec::new(), put_values: Vec::new(), removed: Vec::new() };
        for (k, v) in last {
            match v {
                Some(v) => {
                    writes.put_keys.push(k);
                    writes.put_values.push(v);
                }
                None => writes.removed.push(k),
            }
        }
        writes
    }

    /// How many statements write it.
    fn statements(&self) -> usize {
        self.put_keys.len().div_ceil(ROWS_PER_STATEMENT) + self.removed.len().div_ceil(ROWS_PER_STATEMENT)
    }
}

fn pairs(rows: Vec<sqlx::postgres::PgRow>) -> StoreResult<Vec<RawRecord>> {
    rows.into_iter().map(|row| Ok((row.try_get::<Vec<u8>, _>(0)?, row.try_get::<Vec<u8>, _>(1)?))).collect()
}

impl PgEngine {
    /// Records from `from` on, under `prefix`, in key order (or from the end, `descending`).
    async fn under(
        &self,
        prefix: &[u8],
        from: &[u8],
        max: usize,
        descending: bool,
    ) -> StoreResult<Vec<RawRecord>> {
        let order = if descending { "desc" } else { "asc" };
        let limit = i64::try_from(max).unwrap_or(i64::MAX);
        let rows = match prefix_end(prefix) {
            Some(end) => {
                sqlx::query(&format!(
                    "select k, v from records where k >= $1 and k < $2 order by k {order} limit $3"
                ))
                .bind(from)
                .bind(end)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?
            }
            None => {
                sqlx::query(&format!("select k, v from records where k >= $1 order by k {order} limit $2"))
                    .bind(from)
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await?
            }
        };
        pairs(rows)
    }
}

impl Engine for PgEngine {
    type Lock = PgLock;

    async fn get(&self, key: &[u8]) -> StoreResult<Option<Vec<u8>>> {
        Ok(sqlx::query_scalar("select v from records where k = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?)
    }

    async fn get_many(&self, keys: &[Vec<u8>]) -> StoreResult<Vec<Option<Vec<u8>>>> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let rows = sqlx::query("select k, v from records where k = any($1)")
            .bind(keys)
            .fetch_all(&self.pool)
            .await?;
        let found: HashMap<Vec<u8>, Vec<u8>> = pairs(rows)?.into_iter().collect();
        Ok(keys.iter().map(|k| found.get(k).cloned()).collect())
    }

    async fn scan(&self, prefix: &[u8]) -> StoreResult<Vec<RawRecord>> {
        self.under(prefix, prefix, usize::MAX, false).await
    }

    async fn last(&self, prefix: &[u8]) -> StoreResult<Option<RawRecord>> {
        Ok(self.under(prefix, prefix, 1, true).await?.pop())
    }

    async fn range(&self, from: &[u8], prefix: &[u8], max: usize) -> StoreResult<Vec<RawRecord>> {
        self.under(prefix, from.max(prefix), max, false).await
    }

    async fn lock(&self) -> StoreResult<PgLock> {
        let turn = self.local.clone().lock_owned().await;
        // One round trip: begin, commit without waiting for the disk (`flush` waits instead,
        // after the lock is gone), and take the lock.
        let transaction = self
            .pool
            .begin_with(format!(
                "begin; select set_config('synchronous_commit', 'off', true), pg_advisory_xact_lock({WRITER_LOCK})"
            ))
            .await?;
        Ok(PgLock { transaction, _turn: turn })
    }

    async fn apply(&self, lock: &mut PgLock, batch: Batch) -> StoreResult<()> {
        PgEngine::apply_on(&mut lock.transaction, Writes::new(batch)).await
    }

    async fn release(&self, lock: PgLock) -> StoreResult<()> {
        lock.transaction.commit().await?;
        self.tickets.wrote();
        Ok(())
    }

    async fn flush(&self) -> StoreResult<()> {
        // Every commit counted here returned before the statement below began, so its commit
        // record is earlier in the log than the one this statement's transaction writes.
        let covered = self.tickets.written();
        if self.tickets.covers(covered) {
            return Ok(());
        }
        sqlx::query("select pg_logical_emit_message(true, 'seen-and-heard', 'durable')")
            .execute(&self.pool)
            .await?;
        self.tickets.flushed(covered);
        Ok(())
    }

    async fn write(&self, batch: Batch) -> StoreResult<()> {
        let writes = Writes::new(batch);
        if writes.statements() <= 1 {
            // One statement is atomic by itself: no BEGIN and COMMIT round trips.
            return PgEngine::apply_on(&mut *self.pool.acquire().await?, writes).await;
        }
        let mut transaction = self.pool.begin().await?;
        PgEngine::apply_on(&mut transaction, writes).await?;
        transaction.commit().await?;
        Ok(())
    }

    async fn compare_and_swap(&self, key: &[u8], old: Option<Vec<u8>>, new: Vec<u8>) -> StoreResult<bool> {
        let done = match old {
            None => {
                sqlx::query("insert into records (k, v) values ($1, $2) on conflict (k) do nothing")
                    .bind(key)
                    .bind(new)
                    .execute(&self.pool)
                    .await?
            }
            Some(old) => {
                sqlx::query("update records set v = $3 where k = $1 and v = $2")
                    .bind(key)
                    .bind(old)
                    .bind(new)
                    .execute(&self.pool)
                    .await?
            }
        };
        Ok(done.rows_affected() == 1)
    }

    async fn generate_id(&self) -> StoreResult<u64> {
        let id: i64 = sqlx::query_scalar("select nextval('record_ids')").fetch_one(&self.pool).await?;
        u64::try_from(id).map_err(|_| StoreError::Engine("the id sequence went negative".into()))
    }
}
