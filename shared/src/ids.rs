//! Typed identifiers.
//!
//! Every identifier is a UUID wrapped in its own type, so that a `ChildId` can never be passed
//! where a `VisitId` is expected. New identifiers are UUID v7: they sort by creation time, which
//! keeps sled's keys in the order records were made.
//!
//! **Wire format:** each serializes as the bare UUID string. This must never change.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(
            Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
            utoipa::ToSchema,
        )]
        #[serde(transparent)]
        #[schema(value_type = String, format = Uuid)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A new identifier, made now (UUID v7).
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }

            /// The identifier as raw bytes, for use as a store key.
            pub fn as_bytes(&self) -> &[u8; 16] {
                self.0.as_bytes()
            }

            /// Rebuilds an identifier from the 16 bytes of a store key.
            pub fn from_bytes(bytes: [u8; 16]) -> Self {
                Self(Uuid::from_bytes(bytes))
            }
        }

        impl From<Uuid> for $name {
            fn from(uuid: Uuid) -> Self {
                Self(uuid)
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

id_type!(
    /// One child. There is exactly one record per child; siblings are linked, never merged.
    ChildId
);
id_type!(
    /// One visit, made on the device when capture starts. It keeps this identity through every
    /// revision, from the first keystroke to the central record.
    VisitId
);
id_type!(
    /// A member of staff: a social worker, duty worker, manager or administrator.
    WorkerId
);
id_type!(
    /// A team of social workers under one team manager.
    TeamId
);
id_type!(
    /// A parent or carer named on a child's record.
    CarerId
);
id_type!(
    /// One action on a child protection plan, which a visit can say it worked on.
    PlanActionId
);
id_type!(
    /// A registered device (a phone or tablet) that syncs with the server.
    DeviceId
);
id_type!(
    /// An escalation raised to a manager.
    EscalationId
);
id_type!(
    /// A manager's standing decision that a child need not be seen alone.
    SeenAloneDecisionId
);
id_type!(
    /// A recorded absence of a worker (sickness or leave).
    AbsenceId
);
id_type!(
    /// A duty worker's assignment to cover one child for a period.
    CoverId
);
id_type!(
    /// A core group meeting or review conference recorded on a child's plan.
    PlanMeetingId
);
id_type!(
    /// An action agreed at a core group, review conference or supervision, with an owner.
    AgreedActionId
);
id_type!(
    /// A manager's supervision of a child's case.
    SupervisionId
);
id_type!(
    /// A safety warning for lone visits to a household.
    SafetyWarningId
);

// ---- ids derived from central data (the import's, and the store's `cid/` rule) ----

/// A deterministic identifier from a kind and a key: the same central data always gives the
/// same id, which is what makes the import idempotent.
pub fn derived_id(kind: &str, key: &str) -> Uuid {
    let digest = <sha2::Sha256 as sha2::Digest>::digest(format!("seen-and-heard/{kind}/{key}").as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_custom_bytes(bytes).into_uuid()
}

/// The id a central child id maps to.
pub fn child_id_for(central_id: &str) -> ChildId {
    ChildId(derived_id("child", central_id))
}

/// The id of a team code.
pub fn team_id_for(code: &str) -> TeamId {
    TeamId(derived_id("team", code))
}

/// The id of a worker known only by username from the import.
pub fn worker_id_for(username: &str) -> WorkerId {
    WorkerId(derived_id("worker", &username.to_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_ids_are_version_7_and_sort_by_creation() {
        let first = VisitId::new();
        let second = VisitId::new();
        assert_eq!(first.0.get_version_num(), 7);
        assert!(first < second, "v7 ids must sort in creation order");
    }

    #[test]
    fn ids_round_trip_through_text_and_bytes() {
        let id = ChildId::new();
        assert_eq!(id.to_string().parse::<ChildId>().unwrap(), id);
        assert_eq!(ChildId::from_bytes(*id.as_bytes()), id);
    }
}
