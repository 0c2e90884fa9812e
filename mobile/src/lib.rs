//! # Seen & Heard: the field app
//!
//! An offline-first app for a social worker on a home visit. The UI (Dioxus 0.7 components
//! under [`components`]) only reads state; I/O lives in its own modules, each tested without a
//! UI: the encrypted local [`store`], the [`sync`] client and its state machine, on-device
//! [`photo`] processing, and the [`platform`] data directory.

pub mod app;
pub mod charts;
pub mod components;
pub mod crypto;
pub mod draft;
pub mod liveview;
pub mod photo;
pub mod platform;
pub mod routes;
pub mod session;
pub mod store;
pub mod sync;
