//! A visit to a child, as captured in the field, and the rules it must satisfy.

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use crate::child::{Child, HarmCategory};
use crate::ids::{CarerId, ChildId, PlanActionId, VisitId, WorkerId};
use crate::schedule::DueState;
use crate::validation::{ValidationErrors, is_blank};

/// The earliest date a visit may carry. Anything before is a typing slip, not history.
pub const EARLIEST_VISIT_YEAR: i32 = 2000;
/// How far ahead of the server's clock a device's clock may run before a visit counts as "in
/// the future".
pub const CLOCK_SKEW_ALLOWANCE_MINUTES: i64 = 10;

/// One revision of one visit.
///
/// A visit keeps its [`VisitId`] from the first keystroke. Once submitted it is never edited in
/// place: an amendment is a new revision (`revision + 1`) that names the revision it amends, and
/// "entered in error" is a revision whose status is [`VisitStatus::EnteredInError`].
///
/// **Wire format:** pushed by devices, held by the server and exported centrally. Snapshot-
/// tested; change only with a new protocol version.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Visit {
    /// The visit's identity, made on the device when capture starts (UUID v7).
    pub id: VisitId,
    /// The revision number: 1 for the first submission, then one more for each amendment.
    #[schema(minimum = 1)]
    pub revision: u32,
    /// For an amendment, the revision it amends (always `revision - 1`).
    #[serde(default)]
    #[schema(minimum = 1)]
    pub amends: Option<u32>,
    /// Draft, submitted, amended, or entered in error.
    pub status: VisitStatus,
    /// Why this revision was made, for amendments and voids.
    #[serde(default)]
    #[schema(max_length = 4000)]
    pub amendment_reason: Option<String>,
    /// The child visited. Each child has their own visit record, even when siblings are seen
    /// together.
    pub child_id: ChildId,
    /// The worker who made the visit.
    pub worker_id: WorkerId,
    /// The capacity the worker visited in.
    pub capacity: WorkerCapacity,
    /// When the visit started, in the device's local time with its offset.
    pub started_at: DateTime<FixedOffset>,
    /// When the visit ended.
    pub ended_at: DateTime<FixedOffset>,
    /// Where the visit took place, for example "family home" or "school".
    #[schema(min_length = 1, max_length = 200)]
    pub location: String,
    /// Statutory or other.
    pub kind: VisitKind,
    /// Whether the family knew the visit was coming.
    pub announced: Announcement,
    /// The child's due state when the visit started, so the record shows whether it was late.
    #[serde(default)]
    pub due_state_at_start: Option<DueState>,
    /// Whether the child was seen. A statutory visit where they were not is a missed visit.
    pub seen: Seen,
    /// Whether the child was seen alone. Required whenever the child was seen.
    #[serde(default)]
    pub seen_alone: Option<SeenAlone>,
    /// The child's own words, each a verbatim quote. Never merged into the worker's account.
    #[serde(default)]
    #[schema(max_items = 200)]
    pub child_words: Vec<Quote>,
    /// The child's views, wishes and feelings as the worker understood them.
    #[serde(default)]
    #[schema(max_length = 50000)]
    pub child_views: String,
    /// What the worker observed, facts apart from concerns.
    #[serde(default)]
    pub observations: Observations,
    /// Interpreting, per person: the child and each parent or carer present.
    #[serde(default)]
    #[schema(max_items = 20)]
    pub interpreters: Vec<InterpreterRecord>,
    /// The plan actions this visit worked on.
    #[serde(default)]
    #[schema(max_items = 100)]
    pub plan_actions: Vec<PlanActionId>,
    /// What the visit was for, in the worker's words, when it worked on no plan action (or to
    /// say more). A statutory visit must have a purpose: plan actions, this, or both.
    /// Absent on visits recorded before purposes were asked for, and left out when empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 4000)]
    pub purpose: Option<String>,
    /// The categories of harm this visit addressed.
    #[serde(default)]
    #[schema(max_items = 4)]
    pub harms_addressed: Vec<HarmCategory>,
    /// Photos and other files, by content hash. Uploaded separately.
    #[serde(default)]
    #[schema(max_items = 50)]
    pub attachments: Vec<AttachmentRef>,
    /// The date of the next planned visit.
    #[serde(default)]
    pub next_visit_planned: Option<NaiveDate>,
    /// When this revision was made on the device.
    pub recorded_at: DateTime<Utc>,
}

/// Where a visit is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum VisitStatus {
    /// Being captured on the device. Never sent to the server.
    Draft,
    /// Submitted by the worker. Never edited in place after this.
    Submitted,
    /// A later revision of a submitted visit.
    Amended,
    /// Voided because it was entered in error (kept, never deleted).
    EnteredInError,
}

/// The capacity a worker visited in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WorkerCapacity {
    /// The child's key worker.
    KeyWorker,
    /// A duty worker covering for the key worker.
    DutyCover,
    /// Anyone else.
    Other,
}

/// The kind of visit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum VisitKind {
    /// A statutory visit under the child protection plan.
    Statutory,
    /// Any other visit. It does not reset the statutory schedule.
    Other,
}

/// Whether the family was told of the visit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Announcement {
    /// Arranged with the family.
    Announced,
    /// Not announced.
    Unannounced,
}

/// Whether the child was seen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "answer", rename_all = "snake_case")]
pub enum Seen {
    /// The child was seen.
    Yes,
    /// The child was not seen.
    No {
        /// Why not, for example "no answer at the door" or "child at grandparents".
        #[schema(max_length = 4000)]
        reason: String,
    },
}

/// Whether the child was seen alone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "answer", rename_all = "snake_case")]
pub enum SeenAlone {
    /// Seen alone.
    Yes,
    /// Not seen alone.
    No {
        /// Why not.
        #[schema(max_length = 4000)]
        reason: String,
        /// Who was present, for example "mother" or "foster carer".
        #[schema(max_items = 20)]
        present: Vec<String>,
        /// Whether a manager agreed that the child need not be seen alone.
        manager_agreed: bool,
    },
}

/// One thing the child said, in their own words.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Quote {
    /// The words, verbatim.
    #[schema(max_length = 4000)]
    pub text: String,
}

/// What the worker observed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Observations {
    /// What was seen or heard, as fact.
    #[serde(default)]
    #[schema(max_length = 50000)]
    pub facts: String,
    /// What the worker worries about, and why.
    #[serde(default)]
    #[schema(max_length = 50000)]
    pub concerns: String,
}

/// Who an interpreter record is about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum InterpretedPerson {
    /// The child.
    Child,
    /// A parent or carer named on the child's record.
    Carer {
        /// The carer.
        carer_id: CarerId,
    },
}

/// Who interpreted, when someone did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum InterpreterUsed {
    /// A professional interpreter, in person.
    Professional,
    /// A professional interpreter by telephone or video.
    Remote,
    /// A family member interpreted. Always flagged: they may not say what the child says.
    FamilyMember {
        /// Who, for example "older sister".
        #[schema(max_length = 200)]
        who: String,
    },
}

/// Interpreting for one person at one visit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct InterpreterRecord {
    /// The child or a named carer.
    pub person: InterpretedPerson,
    /// Whether an interpreter was needed for this person.
    pub needed: bool,
    /// The language needed.
    #[serde(default)]
    #[schema(max_length = 200)]
    pub language: Option<String>,
    /// Who interpreted, if anyone did.
    #[serde(default)]
    pub used: Option<InterpreterUsed>,
    /// When one was needed but none was used, why not.
    #[serde(default)]
    #[schema(max_length = 4000)]
    pub not_used_reason: Option<String>,
}

impl InterpreterRecord {
    /// Whether a family member interpreted (always flagged to managers).
    pub fn family_member_interpreted(&self) -> bool {
        matches!(self.used, Some(InterpreterUsed::FamilyMember { .. }))
    }

    /// Whether the need was met by a professional interpreter.
    pub fn need_met(&self) -> bool {
        !self.needed || matches!(self.used, Some(InterpreterUsed::Professional | InterpreterUsed::Remote))
    }
}

/// A photo or other file attached to a visit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AttachmentRef {
    /// SHA-256 of the processed file, lower-case hex. Also the upload key.
    #[schema(pattern = "^[0-9a-f]{64}$")]
    pub sha256: String,
    /// `image/jpeg`, `image/png` or `image/webp`.
    #[schema(pattern = "^image/(jpeg|png|webp)$")]
    pub media_type: String,
    /// What it shows, for example "Child's drawing of home".
    #[serde(default)]
    #[schema(max_length = 500)]
    pub caption: String,
}

impl Visit {
    /// Whether this revision says the child was seen.
    pub fn child_seen(&self) -> bool {
        matches!(self.seen, Seen::Yes)
    }

    /// Whether this is a statutory visit where the child was not seen: a missed visit. It does
    /// not reset the schedule.
    pub fn is_missed_statutory(&self) -> bool {
        self.kind == VisitKind::Statutory && !self.child_seen() && self.counts()
    }

    /// Whether this revision counts at all (is not a draft and was not entered in error).
    pub fn counts(&self) -> bool {
        matches!(self.status, VisitStatus::Submitted | VisitStatus::Amended)
    }

    /// Whether this revision is a statutory visit in which the child was seen: the only kind
    /// that resets the statutory schedule.
    pub fn resets_schedule(&self) -> bool {
        self.kind == VisitKind::Statutory && self.child_seen() && self.counts()
    }

    /// The local date of the visit, as the worker saw it.
    pub fn date(&self) -> NaiveDate {
        self.started_at.date_naive()
    }

    /// Whether the child was seen alone (`None` when the child was not seen).
    pub fn seen_alone_answer(&self) -> Option<bool> {
        self.seen_alone.as_ref().map(|s| matches!(s, SeenAlone::Yes))
    }

    /// Not seen alone, and no manager agreed: the audit's recommendation 5 says a manager must
    /// decide.
    pub fn not_seen_alone_without_agreement(&self) -> bool {
        matches!(self.seen_alone, Some(SeenAlone::No { manager_agreed: false, .. }))
    }

    /// Whether an interpreter was needed for someone and none was used.
    pub fn interpreter_needed_not_used(&self) -> bool {
        self.interpreters.iter().any(|i| i.needed && i.used.is_none())
    }

    /// Checks every rule at once, so the worker sees all problems together.
    ///
    /// `now` is the checker's clock: a visit may not end in the future (beyond a small allowance
    /// for device clocks). `child` adds the checks that need the child's record: plan actions and
    /// carers must be the child's own.
    pub fn validate(&self, now: DateTime<Utc>, child: Option<&Child>) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        // A list far beyond its bound is reported alone: checking each of 10,000 quotes would
        // only bury the one problem that matters under 10,000 others.
        if !self.check_sizes(&mut errors) {
            return errors.into_result();
        }
        self.check_identity(&mut errors);
        self.check_times(now, &mut errors);
        self.check_seen(&mut errors);
        self.check_purpose(&mut errors);
        self.check_words(&mut errors);
        self.check_interpreters(&mut errors);
        self.check_attachments(&mut errors);
        if let Some(child) = child {
            self.check_against_child(child, &mut errors);
        }
        errors.into_result()
    }

    /// Checks the size of every free-text field and list against [`crate::limits`]. Answers
    /// whether every list is within its bound.
    fn check_sizes(&self, errors: &mut ValidationErrors) -> bool {
        use crate::limits::*;
        let lists_ok = [
            check_count(errors, "child_words", self.child_words.len(), MAX_QUOTES),
            check_count(errors, "interpreters", self.interpreters.len(), MAX_INTERPRETERS),
            check_count(errors, "plan_actions", self.plan_actions.len(), MAX_PLAN_ACTIONS),
            check_count(errors, "harms_addressed", self.harms_addressed.len(), MAX_HARMS),
            check_count(errors, "attachments", self.attachments.len(), MAX_ATTACHMENTS),
            match &self.seen_alone {
                Some(SeenAlone::No { present, .. }) => {
                    check_count(errors, "seen_alone.present", present.len(), MAX_PRESENT)
                }
                _ => true,
            },
        ]
        .iter()
        .all(|ok| *ok);
        if !lists_ok {
            return false;
        }
        check_text(errors, "location", &self.location, MAX_SHORT_TEXT_CHARS);
        if let Some(reason) = &self.amendment_reason {
            check_text(errors, "amendment_reason", reason, MAX_REASON_CHARS);
        }
        if let Some(purpose) = &self.purpose {
            check_text(errors, "purpose", purpose, MAX_REASON_CHARS);
        }
        if let Seen::No { reason } = &self.seen {
            check_text(errors, "seen.reason", reason, MAX_REASON_CHARS);
        }
        if let Some(SeenAlone::No { reason, present, .. }) = &self.seen_alone {
            check_text(errors, "seen_alone.reason", reason, MAX_REASON_CHARS);
            for (i, who) in present.iter().enumerate() {
                check_text(errors, &format!("seen_alone.present[{i}]"), who, MAX_SHORT_TEXT_CHARS);
            }
        }
        for (i, quote) in self.child_words.iter().enumerate() {
            check_text(errors, &format!("child_words[{i}]"), &quote.text, MAX_QUOTE_CHARS);
        }
        check_text(errors, "child_views", &self.child_views, MAX_LONG_TEXT_CHARS);
        check_text(errors, "observations.facts", &self.observations.facts, MAX_LONG_TEXT_CHARS);
        check_text(errors, "observations.concerns", &self.observations.concerns, MAX_LONG_TEXT_CHARS);
        for (i, record) in self.interpreters.iter().enumerate() {
            if let Some(language) = &record.language {
                check_text(errors, &format!("interpreters[{i}].language"), language, MAX_SHORT_TEXT_CHARS);
            }
            if let Some(reason) = &record.not_used_reason {
                check_text(errors, &format!("interpreters[{i}].not_used_reason"), reason, MAX_REASON_CHARS);
            }
            if let Some(InterpreterUsed::FamilyMember { who }) = &record.used {
                check_text(errors, &format!("interpreters[{i}].used.who"), who, MAX_SHORT_TEXT_CHARS);
            }
        }
        for (i, attachment) in self.attachments.iter().enumerate() {
            check_text(errors, &format!("attachments[{i}].caption"), &attachment.caption, MAX_CAPTION_CHARS);
            // The hash and the media type are checked exactly below; this only keeps a huge one
            // out of the error message's way.
            check_text(
                errors,
                &format!("attachments[{i}].media_type"),
                &attachment.media_type,
                MAX_SHORT_TEXT_CHARS,
            );
        }
        true
    }

    fn check_identity(&self, errors: &mut ValidationErrors) {
        if self.revision == 0 {
            errors.push("revision", "The revision number starts at 1.");
            return;
        }
        match (self.revision, self.amends, self.status) {
            (_, _, VisitStatus::Draft) => {}
            (1, None, VisitStatus::Submitted) => {}
            (1, _, _) => errors.push("status", "A first submission must be 'submitted' and amend nothing."),
            (revision, Some(amends), VisitStatus::Amended | VisitStatus::EnteredInError)
                if amends + 1 == revision =>
            {
                if self.amendment_reason.as_deref().is_none_or(is_blank) {
                    errors.push("amendment_reason", "Say why the visit record is being changed.");
                }
            }
            (_, _, _) => {
                errors.push("amends", "An amendment must name the revision it amends (the one before it).")
            }
        }
        if is_blank(&self.location) {
            errors.push("location", "Say where the visit took place.");
        }
    }

    fn check_times(&self, now: DateTime<Utc>, errors: &mut ValidationErrors) {
        let earliest = Utc.with_ymd_and_hms(EARLIEST_VISIT_YEAR, 1, 1, 0, 0, 0).single().expect("valid date");
        let latest = now + chrono::Duration::minutes(CLOCK_SKEW_ALLOWANCE_MINUTES);
        let start_plausible = self.started_at >= earliest;
        if !start_plausible {
            errors.push(
                "started_at",
                format!("The visit date is before {EARLIEST_VISIT_YEAR}. Check the date."),
            );
        } else if self.started_at > latest {
            // The end is then in the future too; one message about the date is enough.
            errors.push("started_at", "The visit cannot start in the future.");
            return;
        }
        if self.ended_at < self.started_at {
            errors.push("ended_at", "The visit cannot end before it started.");
        } else if self.ended_at > latest {
            errors.push("ended_at", "The visit cannot end in the future.");
        } else if self.ended_at - self.started_at > chrono::Duration::hours(24) {
            errors.push("ended_at", "A visit cannot last more than 24 hours. Check the end time.");
        }
        if let Some(next) = self.next_visit_planned {
            let latest_next = self
                .date()
                .checked_add_signed(chrono::Duration::days(crate::limits::MAX_NEXT_VISIT_DAYS_AHEAD))
                .unwrap_or(NaiveDate::MAX);
            if next <= self.date() {
                errors.push("next_visit_planned", "The next visit must be after this one.");
            } else if next > latest_next && start_plausible {
                // (When the visit's own date is a slip, the one message about it is enough.)
                errors.push(
                    "next_visit_planned",
                    "The next visit can be planned at most a year after this one. Check the date.",
                );
            }
        }
    }

    fn check_seen(&self, errors: &mut ValidationErrors) {
        match (&self.seen, &self.seen_alone) {
            (Seen::No { reason }, alone) => {
                if is_blank(reason) {
                    errors.push("seen.reason", "Say why the child was not seen.");
                }
                if alone.is_some() {
                    errors.push("seen_alone", "The child was not seen, so they cannot have been seen alone.");
                }
            }
            (Seen::Yes, None) => errors.push("seen_alone", "Say whether the child was seen alone."),
            (Seen::Yes, Some(SeenAlone::Yes)) => {}
            (Seen::Yes, Some(SeenAlone::No { reason, present, .. })) => {
                if is_blank(reason) {
                    errors.push("seen_alone.reason", "Say why the child was not seen alone.");
                }
                if present.iter().all(|p| is_blank(p)) {
                    errors.push("seen_alone.present", "Say who was present.");
                }
            }
        }
    }

    /// A statutory visit is made for a reason on the plan: it names the plan actions it worked
    /// on, or states its purpose. (A void needs none: it only says the record was an error.)
    fn check_purpose(&self, errors: &mut ValidationErrors) {
        if self.kind == VisitKind::Statutory
            && self.status != VisitStatus::EnteredInError
            && self.plan_actions.is_empty()
            && self.purpose.as_deref().is_none_or(is_blank)
        {
            errors.push(
                "purpose",
                "Say what this statutory visit was for: tick the plan actions it worked on, or write its purpose.",
            );
        }
    }

    /// Whether the visit records a purpose: plan actions it worked on, or a stated purpose.
    pub fn has_purpose(&self) -> bool {
        !self.plan_actions.is_empty() || self.purpose.as_deref().is_some_and(|p| !is_blank(p))
    }

    fn check_words(&self, errors: &mut ValidationErrors) {
        for (i, quote) in self.child_words.iter().enumerate() {
            if is_blank(&quote.text) {
                errors.push(
                    format!("child_words[{i}]"),
                    "This quote is empty. Remove it or write what the child said.",
                );
            }
        }
        if !self.child_seen() && !self.child_words.is_empty() {
            errors.push("child_words", "The child was not seen, so there can be no words from this visit.");
        }
    }

    fn check_interpreters(&self, errors: &mut ValidationErrors) {
        let mut people = Vec::new();
        for (i, record) in self.interpreters.iter().enumerate() {
            if people.contains(&&record.person) {
                errors.push(format!("interpreters[{i}].person"), "This person is listed twice.");
            }
            people.push(&record.person);
            if record.needed && record.language.as_deref().is_none_or(is_blank) {
                errors.push(
                    format!("interpreters[{i}].language"),
                    "Say which language an interpreter was needed for.",
                );
            }
            if record.needed
                && record.used.is_none()
                && record.not_used_reason.as_deref().is_none_or(is_blank)
            {
                errors.push(
                    format!("interpreters[{i}].not_used_reason"),
                    "An interpreter was needed but none was used. Say why.",
                );
            }
            if let Some(InterpreterUsed::FamilyMember { who }) = &record.used
                && is_blank(who)
            {
                errors.push(format!("interpreters[{i}].used.who"), "Say which family member interpreted.");
            }
        }
    }

    fn check_attachments(&self, errors: &mut ValidationErrors) {
        for (i, attachment) in self.attachments.iter().enumerate() {
            let hex = attachment.sha256.as_bytes();
            if hex.len() != 64 || !hex.iter().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b)) {
                errors.push(
                    format!("attachments[{i}].sha256"),
                    "Not a SHA-256 hash (64 lower-case hex digits).",
                );
            }
            if !ACCEPTED_MEDIA_TYPES.contains(&attachment.media_type.as_str()) {
                errors.push(
                    format!("attachments[{i}].media_type"),
                    "Only JPEG, PNG and WebP pictures can be attached.",
                );
            }
        }
    }

    fn check_against_child(&self, child: &Child, errors: &mut ValidationErrors) {
        if child.id != self.child_id {
            errors.push("child_id", "This visit is for a different child.");
        }
        let plan_actions: Vec<PlanActionId> =
            child.plan.iter().flat_map(|p| p.actions.iter().map(|a| a.id)).collect();
        for (i, action) in self.plan_actions.iter().enumerate() {
            if !plan_actions.contains(action) {
                errors.push(format!("plan_actions[{i}]"), "This action is not on the child's plan.");
            }
        }
        for (i, record) in self.interpreters.iter().enumerate() {
            if let InterpretedPerson::Carer { carer_id } = record.person
                && child.carer(carer_id).is_none()
            {
                errors.push(
                    format!("interpreters[{i}].person"),
                    "This parent or carer is not on the child's record.",
                );
            }
        }
    }
}

/// The picture types the service accepts.
pub const ACCEPTED_MEDIA_TYPES: [&str; 3] = ["image/jpeg", "image/png", "image/webp"];

/// The latest revision of each visit, skipping visits whose latest revision was entered in
/// error, in no particular order. Use this before any schedule or report calculation, so that an
/// amended or voided visit is counted once, as it now stands.
pub fn current_revisions<'a>(visits: impl IntoIterator<Item = &'a Visit>) -> Vec<&'a Visit> {
    let mut latest: std::collections::HashMap<VisitId, &Visit> = std::collections::HashMap::new();
    for visit in visits {
        latest
            .entry(visit.id)
            .and_modify(|current| {
                if visit.revision > current.revision {
                    *current = visit;
                }
            })
            .or_insert(visit);
    }
    latest.into_values().filter(|v| v.counts()).collect()
}

/// The people (the child, then each parent or carer on the record) whose need for an
/// interpreter has not been considered: the child's record says nothing, and no counted visit
/// has recorded interpreting for them. Flagged to the worker and the manager until answered.
pub fn interpreting_not_considered(child: &Child, visits: &[Visit]) -> Vec<InterpretedPerson> {
    let current = current_revisions(visits.iter().filter(|v| v.child_id == child.id));
    child
        .interpreting_by_person()
        .into_iter()
        .filter(|(_, decision)| *decision == crate::child::Interpreting::NotYetConsidered)
        .map(|(person, _)| person)
        .filter(|person| !current.iter().any(|v| v.interpreters.iter().any(|r| r.person == *person)))
        .collect()
}
