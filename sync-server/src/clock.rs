//! The service's business clock: the authority's time zone, and the training clock.
//!
//! Every business decision (today, due dates, cover and report periods, escalation windows, the
//! check that a visit is not in the future) reads [`crate::AppState::clock`]. Security clocks
//! (token expiry, sign-in lockouts, refresh tokens) read the real clock, always.
//!
//! **The training clock.** `--as-of YYYY-MM-DD`, allowed only with `--demo`, starts the business
//! clock on that date at the real time of day in the authority's zone; from then on it runs at
//! the real clock's pace. A trainer can start a week ago and show a week of escalations, or
//! restart with a later date to move the service on.
//!
//! **Never backwards.** The store keeps the latest business date the service has run on (its
//! *mark*). A start with an `--as-of` earlier than the mark is refused: the stored visits,
//! escalations and audit entries already describe those later days, and moving back over them
//! would make due dates, windows and figures contradict what was recorded. A later (or the same)
//! `--as-of` is accepted and moves the mark forward. A live service always runs on the real
//! clock; if its directory was used for training further ahead, that is logged as a warning.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use shared::clock::{BusinessClock, Tz};

use crate::AppState;
use crate::store::{Store, StoreError};

/// The meta key of the latest business date this store has run on (ISO 8601 text).
pub const MARK_KEY: &str = "business-date-mark";

/// Why the business clock could not be started.
#[derive(Debug, thiserror::Error)]
pub enum ClockError {
    /// `--as-of` on a service without `--demo`.
    #[error(
        "--as-of is for training services only: add --demo to run one, or leave --as-of out so \
         the service runs on today's date (a live service can never be backdated)"
    )]
    AsOfWithoutDemo,
    /// `--as-of` earlier than a date this data directory already ran on.
    #[error(
        "--as-of {as_of} is earlier than {mark}, a date this data directory has already run on; \
         the business clock never moves backwards over stored data: give --as-of {mark} or \
         later, or use a fresh --data directory"
    )]
    Backwards {
        /// The date asked for.
        as_of: NaiveDate,
        /// The latest date already run on.
        mark: NaiveDate,
    },
    /// The store could not be read or written.
    #[error("the business-date mark could not be read or kept: {0}")]
    Store(#[from] StoreError),
}

/// A training clock that reads `as_of` at the real time of day in `tz` when the real clock
/// reads `real_now`. On the night the clocks go forward, a time of day that does not exist on
/// `as_of` is taken an hour later.
pub fn training_clock(tz: Tz, as_of: NaiveDate, real_now: DateTime<Utc>) -> BusinessClock {
    let time_of_day = real_now.with_timezone(&tz).time();
    let local = as_of.and_time(time_of_day);
    let business_now = tz
        .from_local_datetime(&local)
        .earliest()
        .or_else(|| tz.from_local_datetime(&(local + Duration::hours(1))).earliest())
        .map_or_else(|| local.and_utc(), |at| at.with_timezone(&Utc));
    BusinessClock::starting_at(tz, business_now, real_now)
}

/// Chooses the business clock for a start: the real clock in `tz`, or a training clock on
/// `as_of`. `mark` is the latest business date the data directory has run on.
pub fn choose(
    tz: Tz,
    as_of: Option<NaiveDate>,
    demo: bool,
    mark: Option<NaiveDate>,
    real_now: DateTime<Utc>,
) -> Result<BusinessClock, ClockError> {
    let Some(as_of) = as_of else { return Ok(BusinessClock::live(tz)) };
    if !demo {
        return Err(ClockError::AsOfWithoutDemo);
    }
    if let Some(mark) = mark
        && as_of < mark
    {
        return Err(ClockError::Backwards { as_of, mark });
    }
    Ok(training_clock(tz, as_of, real_now))
}

/// The latest business date `store` has run on, if it has run under this version.
pub async fn mark(store: &dyn Store) -> Result<Option<NaiveDate>, ClockError> {
    Ok(store
        .meta(MARK_KEY)
        .await?
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| text.parse::<NaiveDate>().ok()))
}

/// Moves the store's mark forward to `today` (never back), durably.
pub async fn advance_mark(store: &dyn Store, today: NaiveDate) -> Result<(), ClockError> {
    if mark(store).await?.is_none_or(|mark| mark < today) {
        store.set_meta(MARK_KEY, today.to_string().as_bytes()).await?;
    }
    Ok(())
}

/// Starts the business clock for a service over `store` (see [`choose`]), and records its
/// first date as the store's mark.
pub async fn open(
    store: &dyn Store,
    tz: Tz,
    as_of: Option<NaiveDate>,
    demo: bool,
) -> Result<BusinessClock, ClockError> {
    let real_now = Utc::now();
    let mark = mark(store).await?;
    let clock = choose(tz, as_of, demo, mark, real_now)?;
    let today = clock.today_at(real_now);
    if let Some(mark) = mark
        && !clock.is_training()
        && today < mark
    {
        tracing::warn!(
            %mark,
            %today,
            "this data directory was run on a training clock past today's date; the live service runs on the real date"
        );
    }
    advance_mark(store, today).await?;
    Ok(clock)
}

/// Keeps the store's mark up to date while the service runs (every hour), so a restart with an
/// earlier `--as-of` is refused even after a long session.
pub fn spawn_mark_keeper(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            every.tick().await;
            if let Err(error) = advance_mark(state.store(), state.today()).await {
                tracing::error!(%error, "keeping the business-date mark failed");
            }
        }
    })
}
