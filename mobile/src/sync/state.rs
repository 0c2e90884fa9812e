//! The sync state machine. The engine feeds it events; the UI only reads the result.
//!
//! Every transition is a pure function ([`SyncState::on`]), tested without a network. The
//! status the UI shows ([`SyncStatus`]) adds the outbox counts, and its
//! [`headline`](SyncStatus::headline) never claims more than is true: it says "All sent" only
//! when nothing is waiting and nothing is set aside.

use std::time::Duration;

use chrono::{DateTime, Utc};
use shared::text::count;

use super::client::SyncError;
use crate::store::OutboxCounts;

/// The first retry delay after a failure.
pub const FIRST_RETRY: Duration = Duration::from_secs(5);
/// The longest delay between retries.
pub const MAX_RETRY: Duration = Duration::from_secs(5 * 60);

/// Where syncing stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SyncState {
    /// Nobody is signed in (or the session ended): nothing can be sent until they sign in.
    SignedOut,
    /// Not syncing now; the last complete sync finished at `last_success`.
    Idle {
        /// When the last complete sync finished, if ever.
        last_success: Option<DateTime<Utc>>,
    },
    /// A sync is running.
    Syncing {
        /// When it started.
        started_at: DateTime<Utc>,
        /// Failures in a row before this attempt (sets the back-off if it fails too).
        failures: u32,
        /// When the last complete sync finished, if ever.
        last_success: Option<DateTime<Utc>>,
    },
    /// The server could not be reached; the engine tries again at `retry_at`.
    Offline {
        /// When the next attempt is due.
        retry_at: DateTime<Utc>,
        /// Failures in a row.
        failures: u32,
        /// When the last complete sync finished, if ever.
        last_success: Option<DateTime<Utc>>,
    },
    /// Syncing failed for a reason that is not the network; retried at `retry_at`.
    Failed {
        /// Plain words for the worker.
        problem: String,
        /// When the next attempt is due.
        retry_at: DateTime<Utc>,
        /// Failures in a row.
        failures: u32,
        /// When the last complete sync finished, if ever.
        last_success: Option<DateTime<Utc>>,
    },
    /// The server ordered a wipe, or too many wrong PINs: the device's data is gone.
    Wiped,
}

/// What happened, as the engine reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SyncEvent {
    /// A worker signed in.
    SignedIn,
    /// A sync attempt started.
    Started {
        /// When.
        at: DateTime<Utc>,
    },
    /// The attempt pushed everything it could and pulled to the end.
    Succeeded {
        /// When it finished.
        at: DateTime<Utc>,
    },
    /// The attempt failed.
    Failed {
        /// What kind of failure.
        kind: FailureKind,
        /// When.
        at: DateTime<Utc>,
    },
    /// The worker signed out.
    SignedOut,
    /// The local data was wiped.
    Wiped,
}

/// How a failure changes the state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FailureKind {
    /// Network or server trouble: retry with back-off, show "offline".
    Transient,
    /// The session is no longer valid: sign in again.
    Unauthorized,
    /// The server ordered a wipe.
    Wipe,
    /// Anything else, in plain words: retry with back-off, show the problem.
    Other(String),
}

impl From<&SyncError> for FailureKind {
    fn from(error: &SyncError) -> Self {
        match error {
            e if e.is_transient() => FailureKind::Transient,
            SyncError::Unauthorized(_) | SyncError::SignedOut => FailureKind::Unauthorized,
            SyncError::Wipe => FailureKind::Wipe,
            other => FailureKind::Other(other.plain_words()),
        }
    }
}

/// The wait before retry number `failures` (1 for the first failure): 5 s, doubling each time,
/// at most 5 minutes.
pub fn backoff(failures: u32) -> Duration {
    let doublings = failures.saturating_sub(1).min(16);
    FIRST_RETRY.saturating_mul(1 << doublings).min(MAX_RETRY)
}

fn later(at: DateTime<Utc>, by: Duration) -> DateTime<Utc> {
    at + chrono::Duration::from_std(by).unwrap_or(chrono::Duration::MAX)
}

impl SyncState {
    /// When the last complete sync finished, if ever (and if known in this state).
    pub fn last_success(&self) -> Option<DateTime<Utc>> {
        match self {
            SyncState::Idle { last_success }
            | SyncState::Syncing { last_success, .. }
            | SyncState::Offline { last_success, .. }
            | SyncState::Failed { last_success, .. } => *last_success,
            SyncState::SignedOut | SyncState::Wiped => None,
        }
    }

    fn failures(&self) -> u32 {
        match self {
            SyncState::Syncing { failures, .. }
            | SyncState::Offline { failures, .. }
            | SyncState::Failed { failures, .. } => *failures,
            _ => 0,
        }
    }

    /// When the engine should try next, if it is waiting to retry.
    pub fn retry_at(&self) -> Option<DateTime<Utc>> {
        match self {
            SyncState::Offline { retry_at, .. } | SyncState::Failed { retry_at, .. } => Some(*retry_at),
            _ => None,
        }
    }

    /// The state after `event`. Pure.
    pub fn on(&self, event: &SyncEvent) -> SyncState {
        match (self, event) {
            (_, SyncEvent::Wiped) => SyncState::Wiped,
            (_, SyncEvent::SignedOut) => SyncState::SignedOut,
            (SyncState::SignedOut | SyncState::Wiped, SyncEvent::SignedIn) => {
                SyncState::Idle { last_success: None }
            }
            (state, SyncEvent::SignedIn) => state.clone(),
            // Nothing can sync while signed out or wiped.
            (SyncState::SignedOut | SyncState::Wiped, _) => self.clone(),
            (state, SyncEvent::Started { at }) => SyncState::Syncing {
                started_at: *at,
                failures: state.failures(),
                last_success: state.last_success(),
            },
            (_, SyncEvent::Succeeded { at }) => SyncState::Idle { last_success: Some(*at) },
            (state, SyncEvent::Failed { kind, at }) => {
                let failures = state.failures().saturating_add(1);
                let retry_at = later(*at, backoff(failures));
                let last_success = state.last_success();
                match kind {
                    FailureKind::Transient => SyncState::Offline { retry_at, failures, last_success },
                    FailureKind::Unauthorized => SyncState::SignedOut,
                    FailureKind::Wipe => SyncState::Wiped,
                    FailureKind::Other(problem) => {
                        SyncState::Failed { problem: problem.clone(), retry_at, failures, last_success }
                    }
                }
            }
        }
    }
}

/// What the sync status screen shows: the state plus the outbox counts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncStatus {
    /// Where syncing stands.
    pub state: SyncState,
    /// Waiting, sent and problem records.
    pub counts: OutboxCounts,
    /// When the last complete sync finished (kept across states, from the store).
    pub last_success: Option<DateTime<Utc>>,
}

impl SyncStatus {
    /// Whether everything submitted has reached the server and nothing is in progress. The
    /// only case in which the UI may say "all sent".
    pub fn all_sent(&self) -> bool {
        matches!(self.state, SyncState::Idle { .. }) && self.counts.all_sent()
    }

    /// One line of plain words for the top of the sync screen. Never says everything is sent
    /// while anything is waiting or set aside.
    pub fn headline(&self) -> String {
        let waiting = count(self.counts.waiting, "visit", "visits");
        let photos = count(self.counts.photos_waiting, "photo", "photos");
        let unsent = match (self.counts.waiting, self.counts.photos_waiting) {
            (0, 0) => None,
            (_, 0) => Some(format!("{waiting} waiting to send")),
            (0, _) => Some(format!("{photos} waiting to send")),
            _ => Some(format!("{waiting} and {photos} waiting to send")),
        };
        match (&self.state, unsent) {
            (SyncState::Wiped, _) => "The data on this phone was wiped. Sign in again.".to_owned(),
            (SyncState::SignedOut, Some(unsent)) => format!("Signed out. {unsent}: sign in to send."),
            (SyncState::SignedOut, None) => "Signed out.".to_owned(),
            (SyncState::Syncing { .. }, Some(unsent)) => format!("Sending… {unsent}."),
            (SyncState::Syncing { .. }, None) => "Checking for updates…".to_owned(),
            (SyncState::Offline { retry_at, .. }, unsent) => format!(
                "No connection. {}Trying again at {}.",
                unsent.map(|u| format!("{u}, saved on this phone. ")).unwrap_or_default(),
                retry_at.format("%H:%M")
            ),
            (SyncState::Failed { problem, .. }, unsent) => {
                format!("Sync problem: {problem}{}", unsent.map(|u| format!(" {u}.")).unwrap_or_default())
            }
            (SyncState::Idle { .. }, Some(unsent)) => format!("{unsent}."),
            (SyncState::Idle { .. }, None) if self.counts.problems > 0 => format!(
                "{} the server could not accept: see below.",
                count(self.counts.problems, "visit", "visits")
            ),
            (SyncState::Idle { .. }, None) => "All visits sent.".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 3, 3, 10, minute, 0).unwrap()
    }

    #[test]
    fn backoff_doubles_from_five_seconds_up_to_five_minutes() {
        let secs: Vec<u64> = (1..=9).map(|n| backoff(n).as_secs()).collect();
        assert_eq!(secs, [5, 10, 20, 40, 80, 160, 300, 300, 300]);
        assert_eq!(backoff(u32::MAX), MAX_RETRY);
    }

    #[test]
    fn a_successful_sync_records_when() {
        let state = SyncState::Idle { last_success: None }
            .on(&SyncEvent::Started { at: at(0) })
            .on(&SyncEvent::Succeeded { at: at(1) });
        assert_eq!(state, SyncState::Idle { last_success: Some(at(1)) });
    }

    #[test]
    fn repeated_network_failures_back_off_and_keep_the_last_success() {
        let mut state = SyncState::Idle { last_success: Some(at(0)) };
        for (n, expected_wait) in [(1, 5), (2, 10), (3, 20)] {
            state = state.on(&SyncEvent::Started { at: at(10) });
            state = state.on(&SyncEvent::Failed { kind: FailureKind::Transient, at: at(10) });
            assert_eq!(
                state,
                SyncState::Offline {
                    retry_at: at(10) + chrono::Duration::seconds(expected_wait),
                    failures: n,
                    last_success: Some(at(0)),
                }
            );
        }
        state = state.on(&SyncEvent::Started { at: at(11) }).on(&SyncEvent::Succeeded { at: at(12) });
        assert_eq!(state, SyncState::Idle { last_success: Some(at(12)) }, "success resets the back-off");
        let state = state.on(&SyncEvent::Started { at: at(13) });
        let state = state.on(&SyncEvent::Failed { kind: FailureKind::Transient, at: at(13) });
        assert_eq!(state.retry_at(), Some(at(13) + chrono::Duration::seconds(5)));
    }

    #[test]
    fn wipe_and_sign_out_win_over_everything_and_stop_syncing() {
        let syncing = SyncState::Syncing { started_at: at(0), failures: 0, last_success: None };
        assert_eq!(syncing.on(&SyncEvent::Failed { kind: FailureKind::Wipe, at: at(1) }), SyncState::Wiped);
        assert_eq!(
            syncing.on(&SyncEvent::Failed { kind: FailureKind::Unauthorized, at: at(1) }),
            SyncState::SignedOut
        );
        assert_eq!(SyncState::Wiped.on(&SyncEvent::Started { at: at(2) }), SyncState::Wiped);
        assert_eq!(SyncState::SignedOut.on(&SyncEvent::Started { at: at(2) }), SyncState::SignedOut);
        assert_eq!(SyncState::Wiped.on(&SyncEvent::SignedIn), SyncState::Idle { last_success: None });
    }

    #[test]
    fn other_failures_are_shown_in_plain_words_and_retried() {
        let state = SyncState::Syncing { started_at: at(0), failures: 0, last_success: None }
            .on(&SyncEvent::Failed { kind: FailureKind::Other("Update the app.".into()), at: at(0) });
        assert!(
            matches!(&state, SyncState::Failed { problem, failures: 1, .. } if problem == "Update the app.")
        );
    }

    fn status(state: SyncState, waiting: usize, problems: usize) -> SyncStatus {
        SyncStatus {
            state,
            counts: OutboxCounts { waiting, sent: 3, problems, photos_waiting: 0 },
            last_success: None,
        }
    }

    #[test]
    fn the_headline_never_says_sent_while_anything_is_unsent() {
        let idle = SyncState::Idle { last_success: Some(at(0)) };
        let offline = SyncState::Offline { retry_at: at(5), failures: 1, last_success: None };
        let cases = [
            (status(idle.clone(), 0, 0), "All visits sent."),
            (status(idle.clone(), 2, 0), "2 visits waiting to send."),
            (status(idle.clone(), 0, 1), "1 visit the server could not accept: see below."),
            (
                status(offline, 1, 0),
                "No connection. 1 visit waiting to send, saved on this phone. Trying again at 10:05.",
            ),
            (status(SyncState::SignedOut, 1, 0), "Signed out. 1 visit waiting to send: sign in to send."),
        ];
        for (status, expected) in cases {
            assert_eq!(status.headline(), expected);
            assert_eq!(status.all_sent(), expected == "All visits sent.", "{expected}");
        }
        let mut photo_waiting = status(idle, 0, 0);
        photo_waiting.counts.photos_waiting = 1;
        assert!(!photo_waiting.all_sent());
        assert_eq!(photo_waiting.headline(), "1 photo waiting to send.");
    }
}
