//! The records the store keeps. These are storage records: what the server holds, in the form
//! it holds them. Routes answer with their own wire types (or `shared`'s), converted from these.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use shared::{
    Child, ChildId, CoverId, DeviceId, EscalationId, Role, TeamId, Visit, VisitId, Worker, WorkerId,
};
use uuid::Uuid;

/// A sign-in account: a worker with a username and a password hash.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// The worker this account signs in as.
    pub worker: Worker,
    /// Unique, compared case-insensitively.
    pub username: String,
    /// The argon2id PHC string. `None` for workers known only from the central import, who
    /// cannot sign in until an administrator sets a password.
    pub password_hash: Option<String>,
    /// When the password last changed. Access tokens issued before this are refused.
    pub password_changed_at: DateTime<Utc>,
    /// A disabled account cannot sign in or use tokens.
    pub disabled: bool,
}

impl std::fmt::Debug for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Account")
            .field("worker", &self.worker.id)
            .field("role", &self.worker.role)
            .field("password_hash", &"<redacted>")
            .field("disabled", &self.disabled)
            .finish()
    }
}

/// A registered device and its refresh-token chain.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceRecord {
    /// The device.
    pub id: DeviceId,
    /// The worker it belongs to.
    pub worker_id: WorkerId,
    /// A name given by the device, shown to administrators.
    pub name: Option<String>,
    /// First sign-in.
    pub registered_at: DateTime<Utc>,
    /// Set when revoked: the next request from it answers "wipe".
    pub revoked_at: Option<DateTime<Utc>>,
    /// SHA-256 (hex) of the one refresh token currently valid, if any.
    pub refresh_hash: Option<String>,
    /// Hashes of refresh tokens already rotated away. Presenting one means the chain leaked:
    /// the chain is revoked.
    pub retired_hashes: Vec<String>,
    /// The session version, carried by every access token issued to the device (`sv`). Raised
    /// when the session ends (sign-out, a new sign-in, a password change, a reused refresh
    /// token), so that access tokens end with it. Records written before it existed read as 0.
    #[serde(default)]
    pub session: u64,
}

impl std::fmt::Debug for DeviceRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceRecord")
            .field("id", &self.id)
            .field("worker_id", &self.worker_id)
            .field("revoked_at", &self.revoked_at)
            .field("session", &self.session)
            .field("refresh_hash", &self.refresh_hash.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// A visit revision naming a photo, recorded when the revision is stored. Only a reference made
/// by someone entitled to the photo lets others see it (see `photos::may_see_blob`): a photo's
/// key is not a capability.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlobReference {
    /// The visit.
    pub visit_id: VisitId,
    /// The revision naming the photo.
    pub revision: u32,
    /// The visit's child.
    pub child_id: ChildId,
    /// Who pushed the revision.
    pub pushed_by: WorkerId,
    /// The pusher had not uploaded the photo but could see it when they pushed (for example a
    /// manager amending a worker's visit): the reference counts even though they never held it.
    pub vouched: bool,
}

/// One visit revision as the server holds it. Never edited in place.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoredVisit {
    /// The revision, exactly as pushed.
    pub visit: Visit,
    /// When the server stored it.
    pub received_at: DateTime<Utc>,
    /// The device that pushed it.
    pub device_id: DeviceId,
    /// Set when held for a manager's review, with why.
    #[serde(default)]
    pub needs_review: Option<String>,
    /// Whether the pushing worker was covering the child (duty cover) at the visit date.
    #[serde(default)]
    pub on_cover: bool,
}

impl StoredVisit {
    /// This record's JSON, as `serde_json::to_vec(self)` gives it, but with `sent` (the
    /// revision's JSON text exactly as pushed, which parsed to `self.visit`) in the place of the
    /// visit encoded again. Encoding the visits was a large push's main cost outside the
    /// engine; the app encodes a visit as the server would, so for it the bytes are the same.
    pub(crate) fn json_around(&self, sent: &[u8]) -> serde_json::Result<Vec<u8>> {
        /// Every field of [`StoredVisit`] but the visit, in the same order: the tests check the
        /// bytes against `StoredVisit`'s own.
        #[derive(Serialize)]
        struct Rest<'a> {
            received_at: &'a DateTime<Utc>,
            device_id: &'a DeviceId,
            needs_review: &'a Option<String>,
            on_cover: bool,
        }
        let StoredVisit { visit: _, received_at, device_id, needs_review, on_cover } = self;
        let rest = serde_json::to_vec(&Rest { received_at, device_id, needs_review, on_cover: *on_cover })?;
        const HEAD: &[u8] = b"{\"visit\":";
        let mut out = Vec::with_capacity(HEAD.len() + sent.len() + rest.len());
        out.extend_from_slice(HEAD);
        out.extend_from_slice(sent);
        // `rest` is `{...}`: its fields follow the visit's.
        out.push(b',');
        out.extend_from_slice(&rest[1..]);
        Ok(out)
    }
}

/// A revision to store: the record, the team it is held for, and (from a push received over
/// HTTP) the revision's JSON text as sent, which the stored record is built around.
#[derive(Clone, Debug)]
pub struct NewVisit {
    /// The record.
    pub stored: StoredVisit,
    /// The team it is held for, if it goes to review.
    pub team: Option<TeamId>,
    /// The revision's JSON text exactly as pushed, which parsed to `stored.visit`.
    pub sent: Option<bytes::Bytes>,
}

/// Two versions of one visit revision that disagree. Both are kept; a person resolves it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Conflict {
    /// Identifier.
    pub id: Uuid,
    /// The visit.
    pub visit_id: VisitId,
    /// The revision the device sent.
    pub revision: u32,
    /// The child the server's version is for.
    pub child_id: ChildId,
    /// The worker whose device sent the losing version.
    pub worker_id: WorkerId,
    /// The device that sent it.
    pub device_id: DeviceId,
    /// Plain words: what differs.
    pub reason: String,
    /// The version the server holds.
    pub server: Visit,
    /// The version the device sent.
    pub yours: Visit,
    /// When it was detected.
    pub detected_at: DateTime<Utc>,
}

/// A visit held for a manager's review.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewItem {
    /// The visit.
    pub visit_id: VisitId,
    /// The revision held.
    pub revision: u32,
    /// The child the visit names (which may be unknown centrally).
    pub child_id: ChildId,
    /// The worker who made the visit.
    pub worker_id: WorkerId,
    /// The worker's team when held, so their team manager sees it.
    #[serde(default)]
    pub team: Option<TeamId>,
    /// Why it is held: unknown child, de-registered child, or not assigned.
    pub reason: String,
    /// When it was held.
    pub held_at: DateTime<Utc>,
}

/// How a manager resolved a visit revision held for review.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "how", rename_all = "snake_case")]
pub enum ResolutionKind {
    /// It was about another child: stored again for that child as a new revision (the held
    /// revision is kept, and counts for nothing).
    LinkedToChild {
        /// The right child.
        child_id: ChildId,
        /// The new revision, for the right child.
        new_revision: u32,
    },
    /// Accepted for the child it names: it counts from now on.
    Accepted,
    /// Entered in error: kept, and voided by a new revision.
    EnteredInError {
        /// The voiding revision.
        new_revision: u32,
    },
}

/// A manager's resolution of a held visit revision. Written once, with its audit entry, in
/// one atomic flushed batch; never changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resolution {
    /// The visit.
    pub visit_id: VisitId,
    /// The revision that was held.
    pub revision: u32,
    /// The child the held revision names.
    pub child_id: ChildId,
    /// How it was resolved.
    pub resolution: ResolutionKind,
    /// The manager's reason, in their words.
    pub reason: String,
    /// The manager.
    pub by: WorkerId,
    /// In which role.
    pub role: Role,
    /// When.
    pub at: DateTime<Utc>,
}

impl Resolution {
    /// The review state this resolution leaves the held revision in.
    pub fn state(&self) -> shared::sync::ReviewState {
        match self.resolution {
            ResolutionKind::LinkedToChild { .. } => shared::sync::ReviewState::Linked,
            ResolutionKind::Accepted => shared::sync::ReviewState::Accepted,
            ResolutionKind::EnteredInError { .. } => shared::sync::ReviewState::EnteredInError,
        }
    }
}

/// Which version a conflict's resolution kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConflictKeep {
    /// The server's version stands; nothing new is stored.
    Server,
    /// The device's version, stored as a new revision.
    Yours,
    /// A merge of the two, stored as a new revision.
    Merged,
}

/// How a conflict was resolved. Both versions stay in the [`Conflict`]; this is appended once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConflictResolution {
    /// The conflict.
    pub conflict_id: Uuid,
    /// The visit.
    pub visit_id: VisitId,
    /// What was kept.
    pub keep: ConflictKeep,
    /// The revision stored for `yours` or `merged`.
    #[serde(default)]
    pub new_revision: Option<u32>,
    /// Why, in the resolver's words.
    pub reason: String,
    /// Who resolved it: the worker, or their manager.
    pub by: WorkerId,
    /// In which role.
    pub role: Role,
    /// When.
    pub at: DateTime<Utc>,
}

/// One entry in the change feed. Pull turns these into [`shared::sync::ChangeEvent`]s for
/// callers allowed to see them, reading the records as they stand.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FeedEntry {
    /// A child's central record was created or changed.
    Child {
        /// The child.
        child_id: ChildId,
    },
    /// Several children's central records were created or changed (an import writes one entry
    /// per [`CHILDREN_PER_FEED_ENTRY`] children, not one per child).
    Children {
        /// The children.
        child_ids: Vec<ChildId>,
    },
    /// Visit revisions were stored for one child (one entry per child per push, so a push of
    /// many visits costs few feed keys).
    Visits {
        /// The child.
        child_id: ChildId,
        /// The revisions stored, in the order stored.
        revisions: Vec<(VisitId, u32)>,
        /// Who recorded them, each once, so that a pull can tell whether a worker recorded one
        /// without reading the visits. Empty in entries written before it was kept: a pull
        /// then reads the visits.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        workers: Vec<WorkerId>,
    },
    /// A cover assignment was made or changed.
    Cover {
        /// The cover.
        cover_id: CoverId,
        /// Its child.
        child_id: ChildId,
        /// The duty worker.
        duty_worker: WorkerId,
    },
    /// An escalation was raised or changed.
    Escalation {
        /// The escalation.
        escalation_id: EscalationId,
        /// Its child.
        child_id: ChildId,
    },
}

/// How many children one [`FeedEntry::Children`] names at most.
pub const CHILDREN_PER_FEED_ENTRY: usize = 500;

impl FeedEntry {
    /// The children this entry is about.
    pub fn child_ids(&self) -> &[ChildId] {
        match self {
            FeedEntry::Children { child_ids } => child_ids,
            FeedEntry::Child { child_id }
            | FeedEntry::Visits { child_id, .. }
            | FeedEntry::Cover { child_id, .. }
            | FeedEntry::Escalation { child_id, .. } => std::slice::from_ref(child_id),
        }
    }
}

/// What a device had been sent as of one cursor: where in the feed it was, and which children
/// it holds. Kept server-side so that a lost response can be pulled again from the same cursor.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullState {
    /// The last feed sequence number delivered (or skipped as not visible).
    pub feed_seq: u64,
    /// The children the device was told about and not told to remove.
    pub delivered: BTreeSet<ChildId>,
    /// Children sent whole (as they stood then) while the feed was at the number given, and not
    /// yet passed by `feed_seq`: feed entries about them up to it are already in what was sent.
    /// Kept across pages, so a pull whose limit is met while children enter its scope sends
    /// nothing twice.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub sent_whole_at: std::collections::BTreeMap<ChildId, u64>,
}

/// Whether an audit entry records a view or a change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    /// Read a record.
    Viewed,
    /// Created or changed a record.
    Changed,
}

/// Who viewed or changed which child's record. Holds no names or words.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// When.
    pub at: DateTime<Utc>,
    /// Who.
    pub worker_id: WorkerId,
    /// In which role.
    pub role: Role,
    /// From which device, if signed in from one.
    #[serde(default)]
    pub device_id: Option<DeviceId>,
    /// Viewed or changed.
    pub action: AuditAction,
    /// The child, when it is about one.
    #[serde(default)]
    pub child_id: Option<ChildId>,
    /// What, for example `child record`, `visits`, `visit 0190… revision 2`. No personal data.
    pub what: String,
    /// Whether the worker was acting on duty cover.
    #[serde(default)]
    pub on_cover: bool,
}

/// Counts from an upsert of children.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UpsertCounts {
    /// New children.
    pub created: usize,
    /// Children whose record changed.
    pub updated: usize,
    /// Children sent again unchanged.
    pub unchanged: usize,
}

/// What wrote a child's central record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChildSource {
    /// The central case-list import (`POST /api/admin/import`).
    Import,
    /// The demonstration seed.
    Demo,
    /// A direct write through [`Store::upsert_children`] (tests, benchmarks, tools).
    Direct,
    /// The service's own fields (safety warnings), written through the API. Taken as given: the
    /// other sources carry these fields over from the stored record.
    Service,
}

/// A sign-in attempt taken against the limiter's keys ([`super::Store::take_login_attempt`]).
#[derive(Debug)]
pub enum LoginAttempt {
    /// Counted as a failure against each key until given back: the records written.
    Taken(Vec<Vec<u8>>),
    /// Refused: a key has reached its limit. Of the keys at their limit, the latest of their
    /// oldest failures counted: the wait ends a window after it.
    Refused {
        /// That failure.
        oldest_counted: DateTime<Utc>,
    },
}

/// One change to a child's central record, as kept in the `child_history/` prefix: appended
/// in the same atomic batch as the change itself and never rewritten. A child's first record
/// makes no entry (the record itself is the first version), so an initial import writes no
/// more than before.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChildChange {
    /// When the server stored the change (UTC). The central record carries no date for it.
    pub recorded_at: DateTime<Utc>,
    /// What wrote it.
    pub source: ChildSource,
    /// The record as it stood before.
    pub before: Child,
    /// The record as it stood after.
    pub after: Child,
}

/// What the server holds about one stored photo (the photos module answers with its own wire
/// type, `photos::BlobInfo`, made from this).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlobRecord {
    /// The upload key: SHA-256 of the bytes sent, lower-case hex.
    pub sha256: String,
    /// SHA-256 of the bytes stored.
    pub stored_sha256: String,
    /// The stored media type.
    pub media_type: String,
    /// The format the upload was in.
    pub uploaded_media_type: String,
    /// Width in pixels, upright.
    pub width: u32,
    /// Height in pixels, upright.
    pub height: u32,
    /// Size of the stored file in bytes.
    pub bytes: u64,
    /// Thumbnail width in pixels.
    pub thumbnail_width: u32,
    /// Thumbnail height in pixels.
    pub thumbnail_height: u32,
    /// Who uploaded it first.
    pub uploaded_by: WorkerId,
    /// When it was first stored.
    pub stored_at: DateTime<Utc>,
}

/// The id of a notice in the webhook outbox, in the order the notices were written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OutboxId(pub u64);

/// One record of a backup: opaque to everything but the store that wrote it.
pub type RawRecord = (Vec<u8>, Vec<u8>);

#[cfg(test)]
mod tests {
    use super::*;

    /// A pushed revision is stored around its text as sent. For a text encoded as the server
    /// encodes (the app's), the bytes are exactly the record's own encoding, whatever the other
    /// fields hold; for any other text that parses to the visit, the record reads back the same.
    #[test]
    fn a_record_built_around_the_text_sent_reads_back_as_the_record() {
        let visit = shared::Visit {
            child_views: "She said \"no\" — and then «yes» 🙂\nTwice.".into(),
            ..fixtures::visit(ChildId::new(), WorkerId::new(), fixtures::at("2026-03-16", 10))
        };
        let device_id = DeviceId::new();
        let received_at: DateTime<Utc> = "2026-03-16T10:30:00.123456Z".parse().unwrap();
        let records = [
            StoredVisit { visit: visit.clone(), received_at, device_id, needs_review: None, on_cover: false },
            StoredVisit {
                visit: visit.clone(),
                received_at,
                device_id,
                needs_review: Some("not assigned: \"quoted\"".into()),
                on_cover: true,
            },
        ];
        let canonical = serde_json::to_vec(&visit).unwrap();
        let odd = fixtures::odd_json(&visit);
        assert!(odd.is_ascii() && odd.contains("\\u00ab") && odd.contains(" :  "), "{odd}");
        assert_eq!(
            serde_json::from_str::<shared::Visit>(&odd).unwrap(),
            visit,
            "the odd text is the same visit"
        );
        for record in &records {
            assert_eq!(record.json_around(&canonical).unwrap(), serde_json::to_vec(record).unwrap());
            let read: StoredVisit =
                serde_json::from_slice(&record.json_around(odd.as_bytes()).unwrap()).unwrap();
            assert_eq!(&read, record);
        }
    }

    /// Feed entries written before visits' workers were kept still read, with no workers, so
    /// that a pull falls back to reading their visits rather than passing over a worker's own.
    #[test]
    fn a_visits_feed_entry_from_before_its_workers_were_kept_still_reads() {
        let child = ChildId::new();
        let visit = VisitId::new();
        let old = serde_json::json!({"kind": "visits", "child_id": child, "revisions": [[visit, 2]]});
        let entry: FeedEntry = serde_json::from_value(old).unwrap();
        assert_eq!(
            entry,
            FeedEntry::Visits { child_id: child, revisions: vec![(visit, 2)], workers: vec![] }
        );

        let worker = WorkerId::new();
        let new = FeedEntry::Visits { child_id: child, revisions: vec![(visit, 3)], workers: vec![worker] };
        let json = serde_json::to_value(&new).unwrap();
        assert_eq!(json["workers"], serde_json::json!([worker]));
        assert_eq!(serde_json::from_value::<FeedEntry>(json).unwrap(), new);
    }
}
