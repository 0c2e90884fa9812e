//! The PIN lock: the app locks after five minutes idle, and five wrong PINs wipe the device.
//!
//! [`IdleLock`] is the pure timing rule, with the clock passed in so it is tested without
//! waiting. [`PinSession`] puts it together with the store: it holds the [`UnlockedStore`]
//! only while unlocked, counts wrong PINs through the store (durably), and wipes.
//!
//! While locked, the UI must show no child's name, words or photo (it gets no store handle).
//! The background sync engine keeps its own handle so that waiting visits still go out while
//! the phone is in a pocket; the data key therefore stays in memory until the app exits.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::store::{LocalStore, StoreError, UnlockError, UnlockedStore};

/// How long without a touch before the app locks.
pub const IDLE_LOCK_AFTER: Duration = Duration::from_secs(5 * 60);

/// A source of monotonic time, so tests can move time on by hand.
pub trait Clock: Send + Sync {
    /// Now.
    fn now(&self) -> Instant;
}

/// The real clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        Instant::now()
    }
}

/// A clock that only moves when told (for tests and demos).
#[derive(Debug)]
pub struct ManualClock {
    start: Instant,
    offset: std::sync::Mutex<Duration>,
}

impl Default for ManualClock {
    fn default() -> Self {
        Self { start: Instant::now(), offset: std::sync::Mutex::new(Duration::ZERO) }
    }
}

impl ManualClock {
    /// Moves the clock on.
    pub fn advance(&self, by: Duration) {
        let mut offset = self.offset.lock().unwrap_or_else(|p| p.into_inner());
        *offset += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Instant {
        self.start + *self.offset.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The idle rule on its own: pure, given the time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IdleLock {
    last_activity: Instant,
    timeout: Duration,
}

impl IdleLock {
    /// Starts counting idle time from `now`.
    pub fn new(now: Instant, timeout: Duration) -> Self {
        Self { last_activity: now, timeout }
    }

    /// The worker did something at `now` (a touch, a keystroke).
    pub fn touch(&mut self, now: Instant) {
        self.last_activity = self.last_activity.max(now);
    }

    /// Whether the app must be locked at `now`.
    pub fn is_expired(&self, now: Instant) -> bool {
        now.saturating_duration_since(self.last_activity) >= self.timeout
    }

    /// How long until it locks, from `now` (zero once expired).
    pub fn remaining(&self, now: Instant) -> Duration {
        self.timeout.saturating_sub(now.saturating_duration_since(self.last_activity))
    }
}

/// The app's lock state: locked (no store handle) or unlocked with an idle timer.
pub struct PinSession {
    store: LocalStore,
    clock: Arc<dyn Clock>,
    timeout: Duration,
    unlocked: Option<(UnlockedStore, IdleLock)>,
}

impl std::fmt::Debug for PinSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PinSession").field("locked", &self.unlocked.is_none()).finish_non_exhaustive()
    }
}

impl PinSession {
    /// A locked session over `store`, with the real clock and the 5-minute idle lock.
    pub fn new(store: LocalStore) -> Self {
        Self::with_clock(store, Arc::new(SystemClock), IDLE_LOCK_AFTER)
    }

    /// A locked session with a chosen clock and idle timeout.
    pub fn with_clock(store: LocalStore, clock: Arc<dyn Clock>, timeout: Duration) -> Self {
        Self { store, clock, timeout, unlocked: None }
    }

    /// The locked store underneath (for [`LocalStore::has_pin`] and sign-in).
    pub fn local_store(&self) -> &LocalStore {
        &self.store
    }

    /// Unlocks with a PIN. Wrong PINs are counted by the store; the fifth in a row wipes.
    pub fn unlock(&mut self, pin: &str) -> Result<UnlockedStore, UnlockError> {
        let store = self.store.unlock(pin)?;
        self.unlocked = Some((store.clone(), IdleLock::new(self.clock.now(), self.timeout)));
        Ok(store)
    }

    /// Sets the first PIN after sign-in and unlocks.
    pub fn set_pin(&mut self, pin: &str) -> Result<UnlockedStore, StoreError> {
        let store = self.store.set_pin(pin)?;
        self.unlocked = Some((store.clone(), IdleLock::new(self.clock.now(), self.timeout)));
        Ok(store)
    }

    /// Adopts a store unlocked elsewhere (for example by [`LocalStore::set_pin_with`]).
    pub fn adopt(&mut self, store: UnlockedStore) {
        self.unlocked = Some((store, IdleLock::new(self.clock.now(), self.timeout)));
    }

    /// The worker did something: restarts the idle timer (if unlocked and not yet expired).
    pub fn touch(&mut self) {
        let now = self.clock.now();
        self.check_idle();
        if let Some((_, idle)) = &mut self.unlocked {
            idle.touch(now);
        }
    }

    /// Locks now if the app has been idle too long. Returns whether it is locked.
    pub fn check_idle(&mut self) -> bool {
        let now = self.clock.now();
        if self.unlocked.as_ref().is_some_and(|(_, idle)| idle.is_expired(now)) {
            tracing::info!("locked after idle timeout");
            self.unlocked = None;
        }
        self.unlocked.is_none()
    }

    /// Whether the app is locked (checking the idle timer first).
    pub fn is_locked(&mut self) -> bool {
        self.check_idle()
    }

    /// Locks now (the worker pressed "lock", or the app went to the background).
    pub fn lock(&mut self) {
        self.unlocked = None;
    }

    /// The unlocked store, or `None` when locked (including by the idle timer just now).
    pub fn store(&mut self) -> Option<UnlockedStore> {
        self.check_idle();
        self.unlocked.as_ref().map(|(store, _)| store.clone())
    }

    /// How long until the idle lock, or `None` when locked.
    pub fn time_until_lock(&self) -> Option<Duration> {
        self.unlocked.as_ref().map(|(_, idle)| idle.remaining(self.clock.now()))
    }

    /// Wrong PINs entered in a row so far.
    pub fn failed_attempts(&self) -> Result<u32, StoreError> {
        self.store.failed_attempts()
    }

    /// Wipes everything on the device and locks.
    pub fn wipe(&mut self) -> Result<(), StoreError> {
        self.unlocked = None;
        self.store.wipe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: Duration = Duration::from_secs(60);

    #[test]
    fn idle_lock_expires_exactly_at_the_timeout_and_touches_restart_it() {
        let t0 = Instant::now();
        let mut idle = IdleLock::new(t0, 5 * MINUTE);
        assert!(!idle.is_expired(t0 + 4 * MINUTE));
        idle.touch(t0 + 4 * MINUTE);
        assert!(!idle.is_expired(t0 + 8 * MINUTE), "a touch at 4 minutes keeps it open until 9");
        assert_eq!(idle.remaining(t0 + 8 * MINUTE), MINUTE);
        assert!(idle.is_expired(t0 + 9 * MINUTE));
        assert_eq!(idle.remaining(t0 + 20 * MINUTE), Duration::ZERO);
    }

    #[test]
    fn a_touch_from_the_past_does_not_shorten_the_timer() {
        let t0 = Instant::now();
        let mut idle = IdleLock::new(t0 + 3 * MINUTE, 5 * MINUTE);
        idle.touch(t0);
        assert!(!idle.is_expired(t0 + 7 * MINUTE));
    }
}
