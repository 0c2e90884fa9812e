//! The sync protocol between a device and the server.
//!
//! Lessons taken from CouchDB, ODK Central, CommCare and atuin:
//! - **Push is idempotent.** Every visit revision carries its own identity, so re-sending a
//!   batch after a dropped connection returns the original results.
//! - **One bad record never blocks the rest.** Each record gets its own [`PushOutcome`].
//! - **No silent last-writer-wins.** The same revision with different content, or an amendment
//!   of a revision that is no longer the latest, is a [`PushOutcome::Conflict`] carrying both
//!   versions, kept and shown to the worker and their manager.
//! - **Pull is by opaque cursor** and returns only what the caller may see, including explicit
//!   [`ChangeEvent::RemovedFromScope`] events so devices delete what they must no longer hold.
//!
//! **Wire format:** every type here is versioned by [`PROTOCOL_VERSION`] and snapshot-tested.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::calendar::{Calendar, CalendarName};
use crate::child::Child;
use crate::clock::{BusinessClock, Tz};
use crate::escalation::Escalation;
use crate::ids::{ChildId, DeviceId, VisitId};
use crate::people::CoverAssignment;
use crate::schedule::ScheduleRules;
use crate::validation::FieldError;
use crate::visit::Visit;

/// The protocol version this build speaks. The server refuses pushes of other versions with a
/// clear error, so an old app is told to update instead of corrupting data.
pub const PROTOCOL_VERSION: u32 = 1;

/// The most visits one push may carry.
pub const MAX_PUSH_BATCH: usize = 500;

/// A batch of visit revisions from one device.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PushRequest {
    /// The protocol version the device speaks. Must be [`PROTOCOL_VERSION`] (1).
    #[schema(minimum = 1, maximum = 1)]
    pub protocol: u32,
    /// The device sending.
    pub device_id: DeviceId,
    /// The revisions, in the order they were made. At most [`MAX_PUSH_BATCH`].
    #[schema(max_items = 500)]
    pub visits: Vec<Visit>,
}

/// The server's answer to a push: one result per record, in the order sent.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PushResponse {
    /// The protocol version the server speaks.
    pub protocol: u32,
    /// One result per visit revision sent.
    pub results: Vec<PushResult>,
}

/// The result for one visit revision.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PushResult {
    /// The visit.
    pub visit_id: VisitId,
    /// The revision sent.
    pub revision: u32,
    /// What happened to it.
    #[serde(flatten)]
    pub outcome: PushOutcome,
}

/// What the server did with one visit revision.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum PushOutcome {
    /// Stored durably. The device may now mark it "sent".
    Accepted {
        /// Set when the visit is held for a manager's review (unknown or de-registered child, or
        /// a child the worker was not assigned). Held, never dropped.
        #[serde(default)]
        needs_review: Option<String>,
    },
    /// Already held with identical content: the original result stands.
    Duplicate,
    /// The server holds a different version. Both are kept; a person must resolve it.
    Conflict {
        /// Plain words: what differs.
        reason: String,
        /// The version the server holds.
        server: Box<Visit>,
        /// The version this device sent (kept by the server too).
        yours: Box<Visit>,
    },
    /// Not stored, because it breaks a rule. It does not block the rest of the batch.
    Rejected {
        /// Every problem, by field.
        errors: Vec<FieldError>,
    },
}

impl PushOutcome {
    /// Whether the server now holds this revision durably, so the device may mark it sent.
    pub fn is_stored(&self) -> bool {
        matches!(self, PushOutcome::Accepted { .. } | PushOutcome::Duplicate)
    }
}

/// An opaque position in a caller's change feed. Devices store it and send it back unchanged.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(transparent)]
pub struct Cursor(pub String);

/// The answer to a pull.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PullResponse {
    /// The protocol version the server speaks.
    pub protocol: u32,
    /// The changes since the cursor sent, oldest first, limited to what the caller may see.
    pub events: Vec<ChangeEvent>,
    /// Where to pull from next time.
    pub cursor: Cursor,
    /// Whether more changes are waiting (pull again at once).
    pub more: bool,
    /// The authority's calendar, time zone and schedule rules, in every pull, so a device
    /// picks up a change at its next sync (compare [`AuthoritySettings::fingerprint`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<AuthoritySettings>,
}

/// What a device needs to decide due states and "today" exactly as the server does: the
/// authority's working-day calendar (by name: both sides build it from the same rules in
/// [`crate::calendar`]), its time zone, the schedule rules and the business clock's offset.
///
/// Sent at sign-in and refresh ([`TokenResponse::settings`]), in every pull
/// ([`PullResponse::settings`]) and by `GET /api/settings`. The phone keeps the latest in its
/// encrypted store; nothing about the calendar is built into the app.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AuthoritySettings {
    /// The authority's working-day calendar.
    pub calendar: CalendarName,
    /// The authority's IANA time zone; every business date is the date in this zone.
    #[schema(value_type = String, example = "Europe/Jersey")]
    pub time_zone: Tz,
    /// The schedule rules.
    pub rules: ScheduleRules,
    /// Seconds the business clock runs ahead of real time: 0 on a live service; on a training
    /// service (`--as-of`), the distance back to the training date (negative).
    pub clock_offset_seconds: i64,
    /// Changes whenever any of the above changes; a device refreshes what it holds when the
    /// fingerprint it is sent differs from the one it has.
    pub fingerprint: String,
}

impl AuthoritySettings {
    /// The settings for a service on `calendar`, running `clock`, with `rules`.
    pub fn new(calendar: CalendarName, clock: &BusinessClock, rules: ScheduleRules) -> AuthoritySettings {
        let mut settings = AuthoritySettings {
            calendar,
            time_zone: clock.time_zone(),
            rules,
            clock_offset_seconds: clock.offset().num_seconds(),
            fingerprint: String::new(),
        };
        settings.fingerprint = settings.compute_fingerprint();
        settings
    }

    /// The working-day calendar these settings name.
    pub fn working_calendar(&self) -> &'static Calendar {
        self.calendar.calendar()
    }

    /// The business clock these settings describe (on a device: the device's own clock, moved
    /// by the server's training offset, read in the authority's zone).
    pub fn clock(&self) -> BusinessClock {
        BusinessClock::with_offset(self.time_zone, chrono::Duration::seconds(self.clock_offset_seconds))
    }

    /// The business date when the real clock reads `real_now`.
    pub fn today_at(&self, real_now: DateTime<Utc>) -> NaiveDate {
        self.clock().today_at(real_now)
    }

    /// A stable fingerprint of everything but the fingerprint itself: FNV-1a (64-bit) over the
    /// settings' JSON. Not a security measure; it only tells "changed" from "unchanged".
    pub fn compute_fingerprint(&self) -> String {
        let content = serde_json::json!({
            "calendar": self.calendar,
            "time_zone": self.time_zone,
            "rules": self.rules,
            "clock_offset_seconds": self.clock_offset_seconds,
        });
        let bytes = serde_json::to_vec(&content).unwrap_or_default();
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for byte in bytes {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
        format!("{hash:016x}")
    }
}

/// Why a child left a worker's scope.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RemovalReason {
    /// Cover for this child ended: a duty worker's cover, or a deputy's escalations about
    /// them (for another team's manager while away) have all closed.
    CoverEnded,
    /// The case moved to another worker or team.
    Reallocated,
    /// The child's plan ended and the case closed.
    CaseClosed,
}

/// One change in a caller's scope.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ChangeEvent {
    /// A child entered the caller's scope, or their central record changed.
    Child {
        /// The child as the central record now stands.
        child: Box<Child>,
    },
    /// A visit revision the caller may see.
    Visit {
        /// The revision.
        visit: Box<Visit>,
    },
    /// The caller was assigned to cover a child.
    Cover {
        /// The assignment.
        cover: CoverAssignment,
    },
    /// An escalation raised or changed, for a manager (or the worker whose child it is about).
    Escalation {
        /// The escalation.
        escalation: Box<Escalation>,
    },
    /// Where a visit revision held for a manager's review stands. Sent after the revision
    /// whenever it is held and again when a manager resolves it. A revision that is
    /// [`ReviewState::Waiting`] or [`ReviewState::Linked`] counts for nothing here: not for due
    /// states, not as "seen".
    VisitReview {
        /// The visit.
        visit_id: VisitId,
        /// The revision held.
        revision: u32,
        /// The child the revision names.
        child_id: ChildId,
        /// Where it stands.
        state: ReviewState,
    },
    /// A child left the caller's scope: the device must delete everything it holds about them.
    RemovedFromScope {
        /// The child.
        child_id: ChildId,
        /// Why.
        reason: RemovalReason,
    },
}

/// Where a visit revision held for a manager's review stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ReviewState {
    /// Waiting for a manager: it counts for nothing until resolved.
    Waiting {
        /// Why it is held, in plain words.
        reason: String,
    },
    /// A manager accepted it for the child it names: it counts as recorded.
    Accepted,
    /// A manager found it was about another child and linked it there (as a new revision for
    /// that child): it counts for nothing for the child it names.
    Linked,
    /// A manager marked it entered in error: it is kept, voided by a new revision.
    EnteredInError,
}

impl ReviewState {
    /// Whether a revision in this state counts for the child it names.
    pub fn counts(&self) -> bool {
        matches!(self, ReviewState::Accepted)
    }
}

/// A JSON error body: what every 4xx from the server carries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// A stable machine-readable code, for example `validation`, `unauthorized` or `wipe`.
    pub error: String,
    /// Plain words for a person.
    pub message: String,
    /// The fields at fault, when the problem is with particular fields.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
}

/// Credentials for signing in and registering a device.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// The worker's username.
    #[schema(min_length = 1, max_length = 200)]
    pub username: String,
    /// Their password. Never logged.
    #[schema(min_length = 1, max_length = 1024)]
    pub password: String,
    /// The device signing in (made by the device on first run).
    pub device_id: DeviceId,
    /// A name for the device, shown to administrators, for example "Pixel 8".
    #[serde(default)]
    #[schema(max_length = 200)]
    pub device_name: Option<String>,
}

impl std::fmt::Debug for LoginRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginRequest")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .field("device_id", &self.device_id)
            .finish()
    }
}

/// Tokens issued on sign-in and on refresh.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TokenResponse {
    /// A short-lived access token (a JWT), sent as `Authorization: Bearer …`.
    pub access_token: String,
    /// When the access token expires.
    pub access_expires_at: DateTime<Utc>,
    /// A rotating refresh token, bound to this device. Each use returns a new one.
    pub refresh_token: String,
    /// Who signed in.
    pub worker: crate::people::Worker,
    /// The authority's calendar, time zone and schedule rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<AuthoritySettings>,
}

impl std::fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenResponse")
            .field("access_token", &"<redacted>")
            .field("access_expires_at", &self.access_expires_at)
            .field("refresh_token", &"<redacted>")
            .field("worker", &self.worker)
            .field("settings", &self.settings)
            .finish()
    }
}

/// A request for new tokens.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    /// The refresh token last issued to this device.
    pub refresh_token: String,
    /// The device.
    pub device_id: DeviceId,
}

impl std::fmt::Debug for RefreshRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RefreshRequest")
            .field("refresh_token", &"<redacted>")
            .field("device_id", &self.device_id)
            .finish()
    }
}

/// What a duty worker, or a key worker new to the child, needs before they knock, so nobody
/// starts again.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Handover {
    /// The child, with plan, harms, actions, communication needs, the household's safety
    /// warnings and the latest reallocation.
    pub child: Child,
    /// The cover this handover is for; `None` for a key worker's handover after a reallocation.
    #[serde(default)]
    pub cover: Option<CoverAssignment>,
    /// The most recent visits (current revisions), newest first.
    pub recent_visits: Vec<Visit>,
    /// The child's recent words, newest first, with the date they were said.
    pub recent_words: Vec<DatedQuote>,
    /// Escalations still open for this child.
    pub open_escalations: Vec<Escalation>,
    /// The date the next statutory visit is due by.
    pub next_visit_due: Option<NaiveDate>,
    /// A manager's word that the child must be seen alone, while no visit since has: the
    /// escalation it answered is closed, so it is not among `open_escalations`.
    #[serde(default)]
    pub seen_alone_instruction: Option<crate::SeenAloneInstruction>,
}

/// Something the child said, with when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DatedQuote {
    /// The date of the visit.
    pub date: NaiveDate,
    /// The words, verbatim.
    pub text: String,
}
