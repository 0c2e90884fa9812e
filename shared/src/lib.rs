//! # Seen & Heard: the shared model
//!
//! The domain model, validation, statutory-visit schedule rules and sync protocol types shared
//! by the field app (`mobile`) and the sync server (`sync-server`).
//!
//! **What belongs here:** serde types, the rules that decide whether a record is valid and when
//! a child must next be seen, and the wire types of the sync protocol.
//!
//! **What does not:** any I/O. No files, no network, no database, no async runtime. Both the
//! server and the app call the same [`visit::Visit::validate`] and the same
//! [`schedule::child_due_state`], so a record the app accepts is one the server accepts, and a
//! child overdue on the manager's screen is overdue on the worker's phone, even offline.

pub mod calendar;
pub mod child;
pub mod clock;
#[cfg(feature = "dcz")]
pub mod dcz;
pub mod desk;
pub mod escalation;
pub mod household;
pub mod ids;
pub mod limits;
pub mod people;
#[cfg(feature = "photo")]
pub mod photo;
pub mod schedule;
pub mod sync;
pub mod text;
pub mod timeline;
pub mod validation;
pub mod visit;

pub use calendar::{Calendar, CalendarName};
pub use child::Interpreting;
pub use child::{
    Carer, CaseDetails, CategoryChange, Child, CommunicationNeeds, Disability, Ethnicity, HarmCategory,
    LanguageNeed, PlanAction, PlanDetails, PreviousPlan, ProtectionPlan, SeenBeforeGoLive,
};
pub use clock::{BusinessClock, Tz, authority_date};
pub use escalation::{
    Escalation, EscalationAction, EscalationEntry, EscalationReason, EscalationStatus, EscalationStep,
    ScheduleBasis, SeenAloneDecision, SeenAloneDecisionEnd, SeenAloneInstruction,
};
pub use household::{Reallocation, SafetyWarning, SafetyWarningKind};
pub use ids::*;
pub use people::{Absence, AbsenceKind, CoverAssignment, Role, Team, TeamRouting, Worker};
pub use schedule::{DueState, EscalationLevel, ScheduleRules};
pub use validation::{FieldError, ValidationErrors};
pub use visit::interpreting_not_considered;
pub use visit::{
    Announcement, AttachmentRef, InterpretedPerson, InterpreterRecord, InterpreterUsed, Observations, Quote,
    Seen, SeenAlone, Visit, VisitKind, VisitStatus, WorkerCapacity,
};
