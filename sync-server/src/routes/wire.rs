//! The answers made from storage records. The store's records ([`crate::store`]) are what the
//! server keeps; these are what it says, and only these are in the OpenAPI document. Each has
//! the record's name and fields today, so the wire did not change when they were separated; a
//! change to a record no longer changes an answer by accident (the tests below hold each
//! answer's JSON to a snapshot).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use shared::{ChildId, DeviceId, Role, TeamId, Visit, VisitId, WorkerId};
use uuid::Uuid;

use crate::store;

/// Two versions of one visit revision that disagree. Both are kept; a person resolves it.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Conflict {
    /// Identifier.
    #[schema(value_type = String, format = Uuid)]
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

impl From<store::Conflict> for Conflict {
    fn from(c: store::Conflict) -> Self {
        Conflict {
            id: c.id,
            visit_id: c.visit_id,
            revision: c.revision,
            child_id: c.child_id,
            worker_id: c.worker_id,
            device_id: c.device_id,
            reason: c.reason,
            server: c.server,
            yours: c.yours,
            detected_at: c.detected_at,
        }
    }
}

/// Why and when a visit was held for a manager's review.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
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
    pub team: Option<TeamId>,
    /// Why it is held: unknown child, de-registered child, or not assigned.
    pub reason: String,
    /// When it was held.
    pub held_at: DateTime<Utc>,
}

impl From<store::ReviewItem> for ReviewItem {
    fn from(i: store::ReviewItem) -> Self {
        ReviewItem {
            visit_id: i.visit_id,
            revision: i.revision,
            child_id: i.child_id,
            worker_id: i.worker_id,
            team: i.team,
            reason: i.reason,
            held_at: i.held_at,
        }
    }
}

/// How a manager resolved a visit revision held for review.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(tag = "how", rename_all = "snake_case")]
pub enum ResolutionKind {
    /// It was about another child: stored again for that child as a new revision.
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

/// A manager's resolution of a held visit revision. Written once; never changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
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

impl From<store::Resolution> for Resolution {
    fn from(r: store::Resolution) -> Self {
        Resolution {
            visit_id: r.visit_id,
            revision: r.revision,
            child_id: r.child_id,
            resolution: match r.resolution {
                store::ResolutionKind::LinkedToChild { child_id, new_revision } => {
                    ResolutionKind::LinkedToChild { child_id, new_revision }
                }
                store::ResolutionKind::Accepted => ResolutionKind::Accepted,
                store::ResolutionKind::EnteredInError { new_revision } => {
                    ResolutionKind::EnteredInError { new_revision }
                }
            },
            reason: r.reason,
            by: r.by,
            role: r.role,
            at: r.at,
        }
    }
}

/// Which version a conflict's resolution kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConflictKeep {
    /// The server's version stands; nothing new is stored.
    Server,
    /// The device's version, stored as a new revision.
    Yours,
    /// A merge of the two, stored as a new revision.
    Merged,
}

impl From<ConflictKeep> for store::ConflictKeep {
    fn from(k: ConflictKeep) -> Self {
        match k {
            ConflictKeep::Server => store::ConflictKeep::Server,
            ConflictKeep::Yours => store::ConflictKeep::Yours,
            ConflictKeep::Merged => store::ConflictKeep::Merged,
        }
    }
}

impl From<store::ConflictKeep> for ConflictKeep {
    fn from(k: store::ConflictKeep) -> Self {
        match k {
            store::ConflictKeep::Server => ConflictKeep::Server,
            store::ConflictKeep::Yours => ConflictKeep::Yours,
            store::ConflictKeep::Merged => ConflictKeep::Merged,
        }
    }
}

/// How a conflict was resolved. Both versions stay in the conflict; this is appended once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ConflictResolution {
    /// The conflict.
    #[schema(value_type = String, format = Uuid)]
    pub conflict_id: Uuid,
    /// The visit.
    pub visit_id: VisitId,
    /// What was kept.
    pub keep: ConflictKeep,
    /// The revision stored for `yours` or `merged`.
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

impl From<store::ConflictResolution> for ConflictResolution {
    fn from(r: store::ConflictResolution) -> Self {
        ConflictResolution {
            conflict_id: r.conflict_id,
            visit_id: r.visit_id,
            keep: r.keep.into(),
            new_revision: r.new_revision,
            reason: r.reason,
            by: r.by,
            role: r.role,
            at: r.at,
        }
    }
}

/// Whether an audit entry records a view or a change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    /// Read a record.
    Viewed,
    /// Created or changed a record.
    Changed,
}

/// Who viewed or changed which child's record. Holds no names or words.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct AuditEntry {
    /// When.
    pub at: DateTime<Utc>,
    /// Who.
    pub worker_id: WorkerId,
    /// In which role.
    pub role: Role,
    /// From which device, if signed in from one.
    pub device_id: Option<DeviceId>,
    /// Viewed or changed.
    pub action: AuditAction,
    /// The child, when it is about one.
    pub child_id: Option<ChildId>,
    /// What, for example `child record`, `visits`, `visit 0190… revision 2`. No personal data.
    pub what: String,
    /// Whether the worker was acting on duty cover.
    pub on_cover: bool,
}

impl From<store::AuditEntry> for AuditEntry {
    fn from(e: store::AuditEntry) -> Self {
        AuditEntry {
            at: e.at,
            worker_id: e.worker_id,
            role: e.role,
            device_id: e.device_id,
            action: match e.action {
                store::AuditAction::Viewed => AuditAction::Viewed,
                store::AuditAction::Changed => AuditAction::Changed,
            },
            child_id: e.child_id,
            what: e.what,
            on_cover: e.on_cover,
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn id<T: From<Uuid>>(n: u128) -> T {
        T::from(Uuid::from_u128(n))
    }

    fn at() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 5, 9, 9, 30, 0).single().unwrap()
    }

    fn visit() -> Visit {
        serde_json::from_value(serde_json::json!({
            "id": id::<Uuid>(10), "revision": 1, "status": "submitted",
            "child_id": id::<Uuid>(1), "worker_id": id::<Uuid>(100), "capacity": "key_worker",
            "started_at": "2026-05-08T10:00:00+01:00", "ended_at": "2026-05-08T11:00:00+01:00",
            "location": "Family home", "kind": "statutory", "announced": "unannounced",
            "seen": {"answer": "yes"}, "seen_alone": {"answer": "yes"},
            "recorded_at": "2026-05-08T12:00:00Z", "purpose": "To see the child"
        }))
        .expect("a visit")
    }

    /// The answer, and the stored record it came from, say the same: separating them changed
    /// nothing on the wire.
    fn same_json<A: Serialize, R: Serialize>(answer: &A, record: &R) -> serde_json::Value {
        let answer = serde_json::to_value(answer).unwrap();
        assert_eq!(answer, serde_json::to_value(record).unwrap(), "the answer differs from the record");
        answer
    }

    #[test]
    fn a_conflict_is_answered_with_both_versions() {
        let record = store::Conflict {
            id: id(9),
            visit_id: id(10),
            revision: 1,
            child_id: id(1),
            worker_id: id(100),
            device_id: id(7),
            reason: "A different version of this revision is already held.".into(),
            server: visit(),
            yours: Visit { location: "School".into(), ..visit() },
            detected_at: at(),
        };
        insta::assert_json_snapshot!(same_json(&Conflict::from(record.clone()), &record));
    }

    #[test]
    fn a_held_visit_says_why_and_when() {
        let record = store::ReviewItem {
            visit_id: id(10),
            revision: 1,
            child_id: id(1),
            worker_id: id(100),
            team: Some(id(200)),
            reason: "not assigned: the worker was not allocated this child".into(),
            held_at: at(),
        };
        insta::assert_json_snapshot!(same_json(&ReviewItem::from(record.clone()), &record));
    }

    #[test]
    fn each_way_a_held_visit_is_resolved_is_named_by_how() {
        let kinds = [
            store::ResolutionKind::LinkedToChild { child_id: id(2), new_revision: 2 },
            store::ResolutionKind::Accepted,
            store::ResolutionKind::EnteredInError { new_revision: 2 },
        ];
        let answers: Vec<serde_json::Value> = kinds
            .into_iter()
            .map(|resolution| {
                let record = store::Resolution {
                    visit_id: id(10),
                    revision: 1,
                    child_id: id(1),
                    resolution,
                    reason: "Checked with the worker".into(),
                    by: id(110),
                    role: Role::TeamManager,
                    at: at(),
                };
                same_json(&Resolution::from(record.clone()), &record)
            })
            .collect();
        insta::assert_json_snapshot!(answers);
    }

    #[test]
    fn a_conflicts_resolution_names_what_was_kept() {
        let record = store::ConflictResolution {
            conflict_id: id(9),
            visit_id: id(10),
            keep: store::ConflictKeep::Yours,
            new_revision: Some(2),
            reason: "My version has the right location".into(),
            by: id(100),
            role: Role::SocialWorker,
            at: at(),
        };
        insta::assert_json_snapshot!(same_json(&ConflictResolution::from(record.clone()), &record));
        for keep in [ConflictKeep::Server, ConflictKeep::Yours, ConflictKeep::Merged] {
            let json = serde_json::to_value(keep).unwrap();
            assert_eq!(
                serde_json::from_value::<ConflictKeep>(json).unwrap(),
                keep,
                "a request names it the same"
            );
            assert_eq!(ConflictKeep::from(store::ConflictKeep::from(keep)), keep);
        }
    }

    #[test]
    fn an_audit_entry_holds_no_names_or_words() {
        let record = store::AuditEntry {
            at: at(),
            worker_id: id(100),
            role: Role::DutyWorker,
            device_id: Some(id(7)),
            action: store::AuditAction::Viewed,
            child_id: Some(id(1)),
            what: "visits".into(),
            on_cover: true,
        };
        insta::assert_json_snapshot!(same_json(&AuditEntry::from(record.clone()), &record));
    }
}
