//! Syncing with the server: the HTTP [`client`], the [`state`] machine the UI reads, and the
//! [`engine`] that runs sync cycles in the background.
//!
//! The UI's part: `let engine = Arc::new(SyncEngine::new(store)); let handle = engine.spawn();`
//! then read `handle.status()` (a `tokio::sync::watch::Receiver<SyncStatus>`) and call
//! `handle.sync_now()` for the "sync now" button.

pub mod client;
pub mod engine;
pub mod state;

pub use client::{ConflictChoice, FileAnswer, PushBody, SyncClient, SyncError};
pub use engine::{
    ConflictOutcome, CycleReport, EngineConfig, MAX_PUSH_JSON_BYTES, SyncEngine, SyncHandle, sign_in,
};
pub use state::{FailureKind, SyncEvent, SyncState, SyncStatus};
