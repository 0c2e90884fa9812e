//! The visit form's state: a [`VisitDraft`], saved to the local store on every keystroke.
//!
//! A draft holds every field of a [`shared::Visit`], but a question the worker has not
//! answered yet is `None` rather than a guess: "was the child seen?" starts unanswered, not
//! "yes". The reasons behind each "No" are kept in their own fields, so flipping an answer back
//! and forth never loses what the worker typed.
//!
//! Validation is shared's: [`VisitDraft::problems`] turns the draft into a candidate visit and
//! runs [`shared::Visit::validate`] on it, adding only "not answered yet" problems for the
//! questions a draft may leave open. So the form shows, while the worker types, exactly what the
//! server would refuse.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use shared::calendar::{Calendar, CalendarName};
use shared::child::Child;
use shared::schedule::{self, DueState};
use shared::validation::ValidationErrors;
use shared::visit::{
    Announcement, AttachmentRef, InterpretedPerson, InterpreterRecord, Observations, Quote, Seen, SeenAlone,
    Visit, VisitKind, VisitStatus, WorkerCapacity,
};
use shared::{ChildId, HarmCategory, PlanActionId, VisitId, WorkerId};

/// A visit being captured (or amended) on the device.
///
/// Stored encrypted by [`crate::store::UnlockedStore::save_draft`]; its serialized form is the
/// device's own, not a wire format, but `#[serde(default)]` on later fields keeps old drafts
/// readable after an app update.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VisitDraft {
    /// The visit's identity, made when capture starts; it is kept through every revision.
    pub id: VisitId,
    /// 1 for a new visit; the amended revision plus one for an amendment.
    pub revision: u32,
    /// For an amendment, the revision it amends.
    #[serde(default)]
    pub amends: Option<u32>,
    /// Why an amendment is being made (required for amendments).
    #[serde(default)]
    pub amendment_reason: Option<String>,
    /// Whether this amendment voids the visit as entered in error.
    #[serde(default)]
    pub entered_in_error: bool,
    /// The child visited.
    pub child_id: ChildId,
    /// The worker making the visit.
    pub worker_id: WorkerId,
    /// The capacity they visit in.
    pub capacity: WorkerCapacity,
    /// When the visit started (pre-filled with the moment capture started).
    pub started_at: DateTime<FixedOffset>,
    /// When the visit ended: unanswered until the worker says so (see [`VisitDraft::end_now`]).
    #[serde(default)]
    pub ended_at: Option<DateTime<FixedOffset>>,
    /// Where the visit took place.
    #[serde(default)]
    pub location: String,
    /// Statutory (pre-filled) or other.
    pub kind: VisitKind,
    /// Whether the family knew the visit was coming: unanswered at first.
    #[serde(default)]
    pub announced: Option<Announcement>,
    /// The child's due state when capture started.
    #[serde(default)]
    pub due_state_at_start: Option<DueState>,
    /// Was the child seen? `None` until answered.
    #[serde(default)]
    pub seen: Option<bool>,
    /// Why the child was not seen (kept even if the answer flips back to "yes").
    #[serde(default)]
    pub not_seen_reason: String,
    /// Was the child seen alone? `None` until answered. Only asked when the child was seen.
    #[serde(default)]
    pub seen_alone: Option<bool>,
    /// Why the child was not seen alone.
    #[serde(default)]
    pub not_alone_reason: String,
    /// Who was present when the child was not seen alone.
    #[serde(default)]
    pub present: Vec<String>,
    /// Whether a manager agreed that the child need not be seen alone.
    #[serde(default)]
    pub manager_agreed: bool,
    /// The child's words, one verbatim quote each.
    #[serde(default)]
    pub child_words: Vec<String>,
    /// Words typed in the quote box and not yet added as a quote: kept with the draft on every
    /// keystroke, like every other box, so they outlive the app being killed and are in the
    /// box again when the draft reopens. They are never sent: [`VisitDraft::problems`] holds
    /// the visit back until the worker adds them as a quote or clears them.
    #[serde(default)]
    pub typed_quote: String,
    /// The child's views, wishes and feelings as the worker understood them.
    #[serde(default)]
    pub child_views: String,
    /// What was seen or heard, as fact.
    #[serde(default)]
    pub facts: String,
    /// What the worker worries about, and why.
    #[serde(default)]
    pub concerns: String,
    /// Interpreting, per person (pre-filled from the child's recorded needs).
    #[serde(default)]
    pub interpreters: Vec<InterpreterRecord>,
    /// The plan actions this visit worked on.
    #[serde(default)]
    pub plan_actions: Vec<PlanActionId>,
    /// What the visit was for, in the worker's words (a statutory visit needs this or a plan
    /// action).
    #[serde(default)]
    pub purpose: String,
    /// The categories of harm this visit addressed.
    #[serde(default)]
    pub harms_addressed: Vec<HarmCategory>,
    /// Photos, by content hash (see [`crate::photo`]).
    #[serde(default)]
    pub attachments: Vec<AttachmentRef>,
    /// The date of the next planned visit (pre-filled with the schedule's suggestion).
    #[serde(default)]
    pub next_visit_planned: Option<NaiveDate>,
    /// When the draft was last changed on the device.
    pub updated_at: DateTime<Utc>,
    /// The authority's working-day calendar (as the server sent it) for the schedule's
    /// suggestion. `None` on drafts made before the server's settings arrived: no suggestion.
    #[serde(default)]
    pub calendar: Option<CalendarName>,
    /// While amending a visit the server found in conflict ("Look at both versions and
    /// amend"): the worker's own version, as this phone sent it. The amendment starts from the
    /// server's version, and the pull has put that one on the phone in place of this, so it is
    /// kept here, sealed with the draft, and shown beside the form for the worker to carry over
    /// what they need, until the amendment is submitted (which removes the draft). Never sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub own_version: Option<Visit>,
}

impl VisitDraft {
    /// A new visit to `child`, started at `now` (the device's local time with its offset).
    ///
    /// Pre-fills what the device already knows: the interpreter section from the child's
    /// recorded communication needs (the child and each carer who needs an interpreter), the
    /// child's due state, a statutory kind, and the next visit date the schedule suggests if
    /// the child is seen today (on the authority's `calendar`, as the server sent it).
    pub fn new_for(
        child: &Child,
        worker: WorkerId,
        capacity: WorkerCapacity,
        now: DateTime<FixedOffset>,
        due_state: Option<DueState>,
        calendar: CalendarName,
    ) -> Self {
        let mut draft = Self {
            id: VisitId::new(),
            revision: 1,
            amends: None,
            amendment_reason: None,
            entered_in_error: false,
            child_id: child.id,
            worker_id: worker,
            capacity,
            started_at: now,
            ended_at: None,
            location: String::new(),
            kind: VisitKind::Statutory,
            announced: None,
            due_state_at_start: due_state,
            seen: None,
            not_seen_reason: String::new(),
            seen_alone: None,
            not_alone_reason: String::new(),
            present: Vec::new(),
            manager_agreed: false,
            child_words: Vec::new(),
            typed_quote: String::new(),
            child_views: String::new(),
            facts: String::new(),
            concerns: String::new(),
            interpreters: prefilled_interpreters(child),
            plan_actions: Vec::new(),
            purpose: String::new(),
            harms_addressed: Vec::new(),
            attachments: Vec::new(),
            next_visit_planned: None,
            updated_at: now.with_timezone(&Utc),
            calendar: Some(calendar),
            own_version: None,
        };
        draft.next_visit_planned = draft.prefilled_next_visit(child);
        draft
    }

    /// The next visit date a new draft is filled in with: the plan's frequency after the day it
    /// started, as if the child will be seen.
    fn prefilled_next_visit(&self, child: &Child) -> Option<NaiveDate> {
        let calendar = self.calendar?.calendar();
        schedule_suggestion(calendar, child, self.started_at.date_naive(), true, self.due_state_at_start)
    }

    /// A draft of the next revision of a submitted `visit`: an amendment naming the revision it
    /// amends, with every field as the visit now stands and `reason` as the amendment reason.
    pub fn amend(visit: &Visit, reason: impl Into<String>, now: DateTime<Utc>) -> Self {
        let (seen, not_seen_reason) = match &visit.seen {
            Seen::Yes => (Some(true), String::new()),
            Seen::No { reason } => (Some(false), reason.clone()),
        };
        let (seen_alone, not_alone_reason, present, manager_agreed) = match &visit.seen_alone {
            None => (None, String::new(), Vec::new(), false),
            Some(SeenAlone::Yes) => (Some(true), String::new(), Vec::new(), false),
            Some(SeenAlone::No { reason, present, manager_agreed }) => {
                (Some(false), reason.clone(), present.clone(), *manager_agreed)
            }
        };
        Self {
            id: visit.id,
            revision: visit.revision + 1,
            amends: Some(visit.revision),
            amendment_reason: Some(reason.into()),
            entered_in_error: false,
            child_id: visit.child_id,
            worker_id: visit.worker_id,
            capacity: visit.capacity,
            started_at: visit.started_at,
            ended_at: Some(visit.ended_at),
            location: visit.location.clone(),
            kind: visit.kind,
            announced: Some(visit.announced),
            due_state_at_start: visit.due_state_at_start,
            seen,
            not_seen_reason,
            seen_alone,
            not_alone_reason,
            present,
            manager_agreed,
            child_words: visit.child_words.iter().map(|q| q.text.clone()).collect(),
            typed_quote: String::new(),
            child_views: visit.child_views.clone(),
            facts: visit.observations.facts.clone(),
            concerns: visit.observations.concerns.clone(),
            interpreters: visit.interpreters.clone(),
            plan_actions: visit.plan_actions.clone(),
            purpose: visit.purpose.clone().unwrap_or_default(),
            harms_addressed: visit.harms_addressed.clone(),
            attachments: visit.attachments.clone(),
            next_visit_planned: visit.next_visit_planned,
            updated_at: now,
            calendar: None,
            own_version: None,
        }
    }

    /// Whether this draft amends a submitted visit (rather than being a first submission).
    pub fn is_amendment(&self) -> bool {
        self.amends.is_some()
    }

    /// Sets the end of the visit to `now`, for the "visit ended now" button.
    pub fn end_now(&mut self, now: DateTime<FixedOffset>) {
        self.ended_at = Some(now);
    }

    /// The draft's times shown in the authority's zone (`clock`), the instants unchanged. A
    /// draft started before the app kept a visit's times that way, on a phone set to another
    /// zone, carries the phone's offset: at 00:30 on a Jersey summer night, on a phone set to
    /// UTC, its day was the day before the caseload's today. The next visit it was filled in
    /// with moves with the day, unless the worker chose another. An amendment keeps the times
    /// of the revision it amends as they are: shown otherwise, they would read as a change the
    /// worker made.
    pub fn show_in(&mut self, clock: &shared::BusinessClock, child: &Child) {
        if self.is_amendment() {
            return;
        }
        let prefilled = self.prefilled_next_visit(child);
        self.started_at = clock.local(self.started_at.to_utc());
        self.ended_at = self.ended_at.map(|at| clock.local(at.to_utc()));
        if self.next_visit_planned.is_some() && self.next_visit_planned == prefilled {
            self.next_visit_planned = self.prefilled_next_visit(child);
        }
    }

    /// Sets the start to a time typed as the form shows it (`2026-07-16T00:30`), read on the
    /// wall clock in the authority's zone (`clock`). A time the clocks skip keeps the offset the
    /// visit started with, so what was typed is not dropped; text that is not yet a whole time
    /// changes nothing.
    pub fn start_at_typed(&mut self, clock: &shared::BusinessClock, typed: &str) {
        let Ok(wall) = NaiveDateTime::parse_from_str(typed, "%Y-%m-%dT%H:%M") else { return };
        if let Some(at) =
            clock.local_from(wall).or_else(|| self.started_at.offset().from_local_datetime(&wall).single())
        {
            self.started_at = at;
        }
    }

    /// The next visit date the schedule suggests, given the answers so far: the plan's
    /// frequency in working days after this visit if it is a statutory visit where the child
    /// was seen (or is not yet known not to have been); otherwise the date the child is already
    /// due by, since a missed visit moves nothing. `None` when the child has no plan in force,
    /// or the draft has no calendar from the server.
    pub fn suggested_next_visit(&self, child: &Child) -> Option<NaiveDate> {
        let resets = self.kind == VisitKind::Statutory && self.seen != Some(false);
        let calendar = self.calendar?.calendar();
        schedule_suggestion(calendar, child, self.started_at.date_naive(), resets, self.due_state_at_start)
    }

    /// Every problem with the draft as it stands, for showing inline while the worker types:
    /// shared's rules ([`shared::Visit::validate`]) plus one "not answered yet" problem for each
    /// required question still open. Empty when the draft can be submitted.
    pub fn problems(&self, now: DateTime<Utc>, child: Option<&Child>) -> ValidationErrors {
        let mut errors = ValidationErrors::default();
        if self.seen.is_none() {
            errors.push("seen", "Say whether the child was seen.");
        }
        if self.ended_at.is_none() {
            errors.push("ended_at", "Say when the visit ended.");
        }
        if self.announced.is_none() {
            errors.push("announced", "Say whether the visit was announced.");
        }
        // The child's words are never dropped unseen: words typed but not added stop the visit
        // until the worker adds them as a quote (they may be half a sentence) or clears them.
        if !self.typed_quote.trim().is_empty() {
            errors.push("child_words", "Add the words typed in the quote box, or clear them.");
        }
        if let Err(shared_errors) = self.candidate(now).validate(now, child) {
            errors.0.extend(shared_errors.0);
        }
        errors
    }

    /// The visit revision to submit, or every problem standing in the way.
    ///
    /// `child` adds the checks that need the child's record (plan actions and carers must be
    /// the child's own); pass it whenever the device holds the child.
    pub fn to_visit(&self, now: DateTime<Utc>, child: Option<&Child>) -> Result<Visit, ValidationErrors> {
        let problems = self.problems(now, child);
        if problems.0.is_empty() { Ok(self.candidate(now)) } else { Err(problems) }
    }

    /// The draft as a visit revision, with neutral stand-ins for unanswered questions (which
    /// [`VisitDraft::problems`] reports itself), so that shared's rules judge everything else.
    fn candidate(&self, now: DateTime<Utc>) -> Visit {
        let status = match (self.amends, self.entered_in_error) {
            (None, _) => VisitStatus::Submitted,
            (Some(_), false) => VisitStatus::Amended,
            (Some(_), true) => VisitStatus::EnteredInError,
        };
        let seen = match self.seen {
            Some(false) => Seen::No { reason: self.not_seen_reason.clone() },
            // Unanswered stands in as "seen", which asks the seen-alone question next.
            Some(true) | None => Seen::Yes,
        };
        let seen_alone = match (self.seen, self.seen_alone) {
            (Some(false), _) => None,
            // While "seen?" is open, do not also nag about "seen alone?".
            (None, None) => Some(SeenAlone::Yes),
            (_, None) => None,
            (_, Some(true)) => Some(SeenAlone::Yes),
            (_, Some(false)) => Some(SeenAlone::No {
                reason: self.not_alone_reason.clone(),
                present: self.present.iter().filter(|p| !p.trim().is_empty()).cloned().collect(),
                manager_agreed: self.manager_agreed,
            }),
        };
        Visit {
            id: self.id,
            revision: self.revision,
            amends: self.amends,
            status,
            amendment_reason: self.amendment_reason.clone(),
            child_id: self.child_id,
            worker_id: self.worker_id,
            capacity: self.capacity,
            started_at: self.started_at,
            ended_at: self.ended_at.unwrap_or(self.started_at),
            location: self.location.clone(),
            kind: self.kind,
            announced: self.announced.unwrap_or(Announcement::Announced),
            due_state_at_start: self.due_state_at_start,
            seen,
            seen_alone,
            child_words: self.child_words.iter().map(|text| Quote { text: text.clone() }).collect(),
            child_views: self.child_views.clone(),
            observations: Observations { facts: self.facts.clone(), concerns: self.concerns.clone() },
            interpreters: self.interpreters.clone(),
            plan_actions: self.plan_actions.clone(),
            purpose: (!self.purpose.trim().is_empty()).then(|| self.purpose.clone()),
            harms_addressed: self.harms_addressed.clone(),
            attachments: self.attachments.clone(),
            next_visit_planned: self.next_visit_planned,
            recorded_at: now,
        }
    }
}

fn schedule_suggestion(
    calendar: &Calendar,
    child: &Child,
    visit_date: NaiveDate,
    resets_schedule: bool,
    due_state: Option<DueState>,
) -> Option<NaiveDate> {
    let plan = child.plan.as_ref().filter(|p| p.is_active_on(visit_date))?;
    if resets_schedule {
        Some(schedule::next_visit_due(calendar, plan, Some(visit_date)))
    } else {
        // A missed visit moves nothing: the child is still due by the same date, or as soon as
        // possible if that has passed.
        let due = due_state.map(|s| s.due()).unwrap_or(visit_date);
        let earliest = calendar.add_working_days(visit_date, 1);
        Some(due.max(earliest))
    }
}

/// One interpreter record for the child and one for each carer whose recorded needs say an
/// interpreter is needed, ready for the worker to confirm or change.
fn prefilled_interpreters(child: &Child) -> Vec<InterpreterRecord> {
    let needs = &child.communication;
    let mut records = Vec::new();
    let mut push = |person: InterpretedPerson, need: &shared::LanguageNeed| {
        if need.interpreter_needed {
            records.push(InterpreterRecord {
                person,
                needed: true,
                language: need.interpreter_language.clone().or_else(|| need.first_language.clone()),
                used: None,
                not_used_reason: None,
            });
        }
    };
    push(InterpretedPerson::Child, &needs.child);
    for carer in &needs.carers {
        push(InterpretedPerson::Carer { carer_id: carer.carer_id }, &carer.need);
    }
    records
}

#[cfg(test)]
mod tests {
    use shared::{Announcement, CalendarName, WorkerCapacity};

    use super::VisitDraft;

    /// A draft ready to submit but for what the test changes.
    fn ready() -> (VisitDraft, shared::Child) {
        let child = fixtures::child(fixtures::CHILD);
        let start = fixtures::at("2026-12-07", 10);
        let mut draft = VisitDraft::new_for(
            &child,
            fixtures::fixed(fixtures::KEY_WORKER),
            WorkerCapacity::KeyWorker,
            start,
            None,
            CalendarName::Jersey,
        );
        draft.seen = Some(true);
        draft.seen_alone = Some(true);
        draft.ended_at = Some(start + chrono::Duration::minutes(40));
        draft.announced = Some(Announcement::Announced);
        draft.location = "Family home".into();
        draft.purpose = "To talk with her about school".into();
        (draft, child)
    }

    fn now() -> chrono::DateTime<chrono::Utc> {
        fixtures::utc("2026-12-07", 12)
    }

    /// Words typed in the quote box but never added are not dropped on submitting: the visit
    /// waits until the worker adds them (they may be half a sentence) or clears them.
    #[test]
    fn words_typed_but_not_added_hold_the_visit_back_until_added_or_cleared() {
        let (mut draft, child) = ready();
        assert_eq!(draft.problems(now(), Some(&child)).0, [], "ready to submit");

        draft.typed_quote = "I want to stay with nan".into();
        let problems = draft.problems(now(), Some(&child));
        assert_eq!(
            problems.for_field("child_words").map(|p| p.message.as_str()).collect::<Vec<_>>(),
            ["Add the words typed in the quote box, or clear them."]
        );
        assert!(draft.to_visit(now(), Some(&child)).is_err(), "not submitted without them");

        // Added as a quote: submitted, with the words as the worker typed them.
        let mut added = draft.clone();
        added.child_words.push(std::mem::take(&mut added.typed_quote));
        let visit = added.to_visit(now(), Some(&child)).expect("submits");
        assert_eq!(visit.child_words[0].text, "I want to stay with nan");

        // Cleared (only spaces left in the box): submitted without them.
        draft.typed_quote = "  ".into();
        assert!(draft.to_visit(now(), Some(&child)).is_ok());
    }

    /// A draft kept by an earlier version of the app, with no quote box field, still opens.
    #[test]
    fn a_draft_saved_before_the_quote_box_was_kept_still_loads() {
        let (draft, _) = ready();
        let mut kept = serde_json::to_value(&draft).expect("json");
        kept.as_object_mut().expect("an object").remove("typed_quote").expect("the field");
        let loaded: VisitDraft = serde_json::from_value(kept).expect("loads");
        assert_eq!(loaded, draft);
    }
}
