//! # Seen & Heard: the sync server
//!
//! An axum 0.8 service with an embedded sled 0.34 store. Social workers' devices push visits
//! and pull their caseload through it; it reconciles field visits with the authority's central
//! case list and writes them back.
//!
//! - [`router`] builds the whole HTTP API for an [`AppState`]; tests drive it with
//!   `tower::ServiceExt::oneshot`, no socket needed.
//! - [`serve`] runs it on a listener until a shutdown signal, then drains and flushes.
//! - [`routes`] holds one module per area, each contributing an `OpenApiRouter`, so the
//!   OpenAPI document is built from the same registrations as the routes.
//! - [`store`] is storage behind one trait (sled by default, or in memory), [`auth`] the tokens and the [`auth::Caller`] extractor,
//!   [`scope`] the one place that decides who may see which child.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use shared::sync::AuthoritySettings;
use shared::{BusinessClock, Calendar, CalendarName, ScheduleRules};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{NotForContentType, Predicate, SizeAbove};
use tower_http::decompression::RequestDecompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::TraceLayer;

pub mod auth;
pub mod backup;
pub mod chronology_pdf;
pub mod clock;
pub mod csv_out;
pub mod demo;
pub mod desk;
pub mod encoding;
pub mod error;
pub mod escalations;
pub mod export;
pub mod extract;
pub mod halves;
pub mod household;
pub mod import;
pub mod limits;
pub mod openapi;
pub mod photos;
pub mod reports;
pub mod routes;
pub mod scope;
pub mod significant_events;
pub mod store;
pub mod sweeper;
pub mod sync;
pub mod webhook;

pub use error::ApiError;
pub use store::Store;
pub use store::prelude;

/// Settings that are not secrets.
#[derive(Clone, Debug)]
pub struct Config {
    /// The authority's working-day calendar.
    pub calendar: CalendarName,
    /// The schedule settings (due-soon window, senior escalation threshold).
    pub rules: ScheduleRules,
    /// The business clock: the authority's time zone, and the training offset (`--as-of`).
    /// Start one with [`clock::open`], which refuses to move a store's clock backwards.
    pub clock: BusinessClock,
    /// How long access tokens live (at most 15 minutes).
    pub access_ttl: Duration,
    /// The largest JSON body accepted, after decompression.
    pub max_json_bytes: usize,
    /// The largest import body accepted, after decompression.
    pub max_import_bytes: usize,
    /// Failed sign-ins allowed per account and per address within [`Config::login_window`].
    pub login_max_failures: usize,
    /// The window failed sign-ins are counted over.
    pub login_window: Duration,
    /// Escalations, their webhook, and photo storage (issue 4).
    pub oversight: escalations::OversightConfig,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            calendar: CalendarName::Jersey,
            rules: ScheduleRules::default(),
            clock: BusinessClock::default(),
            access_ttl: auth::MAX_ACCESS_TTL,
            max_json_bytes: 4 * 1024 * 1024,
            max_import_bytes: 128 * 1024 * 1024,
            login_max_failures: 5,
            login_window: Duration::from_secs(15 * 60),
            oversight: escalations::OversightConfig::default(),
        }
    }
}

/// Everything handlers share: the store, the keys and the settings. Cheap to clone.
#[derive(Clone, Debug)]
pub struct AppState {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    store: Arc<dyn Store>,
    keys: auth::Keys,
    config: Config,
    limiter: auth::LoginLimiter,
    settings: AuthoritySettings,
}

impl AppState {
    /// State over an open store, signing tokens with `secret` (at least 32 bytes).
    pub fn new(store: Arc<dyn Store>, secret: &[u8], config: Config) -> AppState {
        let keys = auth::Keys::new(secret, config.access_ttl);
        let limiter = auth::LoginLimiter::new(config.login_max_failures, config.login_window);
        let settings = AuthoritySettings::new(config.calendar, &config.clock, config.rules);
        store.keep_webhook_outbox(config.oversight.webhook.is_some());
        store.date_histories_in(config.clock.time_zone());
        AppState { inner: Arc::new(Inner { store, keys, config, limiter, settings }) }
    }

    /// State over an open store, with the signing secret read from the store (made and saved on
    /// first start), unless `secret` is given.
    pub async fn open(
        store: Arc<dyn Store>,
        secret: Option<Vec<u8>>,
        config: Config,
    ) -> Result<AppState, ApiError> {
        let secret = match secret {
            Some(secret) => secret,
            None => match store.meta("jwt-secret").await? {
                Some(secret) if secret.len() >= 32 => secret,
                _ => {
                    let secret = auth::new_secret();
                    store.set_meta("jwt-secret", &secret).await?;
                    secret
                }
            },
        };
        photos::backfill_references(store.as_ref()).await?;
        Ok(AppState::new(store, &secret, config))
    }

    /// The store.
    pub fn store(&self) -> &dyn Store {
        self.inner.store.as_ref()
    }

    /// The store, shared (for tasks that outlive a request).
    pub fn shared_store(&self) -> Arc<dyn Store> {
        self.inner.store.clone()
    }

    /// The token keys.
    pub fn keys(&self) -> &auth::Keys {
        &self.inner.keys
    }

    /// The settings.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The sign-in limiter.
    pub fn limiter(&self) -> &auth::LoginLimiter {
        &self.inner.limiter
    }

    /// The working-day calendar.
    pub fn calendar(&self) -> &'static Calendar {
        self.inner.config.calendar.calendar()
    }

    /// The business clock (the authority's zone; moved on a training service). Security
    /// clocks (token expiry, lockouts) do not use it.
    pub fn clock(&self) -> &BusinessClock {
        &self.inner.config.clock
    }

    /// The business instant now, for every business decision and record. A UTC instant.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.inner.config.clock.now()
    }

    /// Today's date in the authority's time zone, for scope and schedule decisions.
    pub fn today(&self) -> chrono::NaiveDate {
        self.inner.config.clock.today()
    }

    /// The calendar, time zone and schedule rules devices need, as sent to them.
    pub fn settings(&self) -> &AuthoritySettings {
        &self.inner.settings
    }
}

/// The whole HTTP API.
pub fn router(state: AppState) -> Router {
    let (api, mut openapi) = routes::router(&state).split_for_parts();
    openapi::complete(&mut openapi);
    let openapi = Arc::new(openapi);
    let max_json = state.config().max_json_bytes;
    let max_raw = state.config().max_import_bytes;
    api.layer(axum::Extension(openapi))
        .fallback(error::no_such_route)
        .with_state(state)
        .layer(axum::middleware::from_fn(limits::reject_long_uri))
        .layer(DefaultBodyLimit::max(max_json))
        .layer(RequestDecompressionLayer::new())
        .layer(axum::middleware::from_fn_with_state(max_json, encoding::dcz_bodies))
        .layer(RequestBodyLimitLayer::new(max_raw))
        // The fastest level: a caseload pull compresses about 6 to 1 at level 1, and level 6
        // took longer than the pull itself. Answers under 1 KiB go plain: a lone visit's
        // acknowledgement (about 120 bytes) is no smaller gzipped, and a compressor for it
        // costs more than sending it.
        .layer(
            CompressionLayer::new()
                .quality(tower_http::CompressionLevel::Fastest)
                .compress_when(SizeAbove::new(1024).and(NotForContentType::IMAGES).and(NotForContentType::SSE)),
        )
        .layer(CatchPanicLayer::custom(openapi::panic_response))
        .layer(TraceLayer::new_for_http().make_span_with(|request: &axum::http::Request<_>| {
            // The path only: ids are random UUIDs; no query strings, headers or bodies.
            tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), worker.id = tracing::field::Empty)
        }))
        .layer(axum::middleware::from_fn(error::json_error_bodies))
}

/// Serves the API on `listener` until `shutdown` completes, then stops accepting, lets requests
/// in flight finish, and flushes the store.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let app = router(state.clone());
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await?;
    state.store().flush().await?;
    tracing::info!("stopped; store flushed");
    Ok(())
}
