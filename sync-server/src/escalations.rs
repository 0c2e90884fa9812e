//! Escalations, duty cover and handovers: the rules, with no I/O.
//!
//! The server calls [`sweep`] on a timer and after every push, with every child on a plan, their
//! visits, the escalations already held and the manager's standing "seen alone" decisions, and
//! stores the [`EscalationChange`]s it returns. Everything here is a pure function of its inputs
//! and the clock it is given, so each rule is a test case.
//!
//! The rules (the audit's recommendations 4 and 5):
//! - **The invariant.** While a child on a plan is overdue (past the sync grace), there is always
//!   an open or acknowledged escalation about it. An open one not acknowledged within
//!   [`EscalationConfig::acknowledge_within_working_days`] is raised again one level up (at the
//!   top, to the senior manager again). An acknowledged one re-opens one level up when its
//!   window passes with the child still unseen; when the acknowledgement named an arranged date,
//!   when that date plus [`EscalationConfig::arranged_grace_working_days`] has passed.
//! - **Overdue** goes to the team manager; overdue by more than
//!   [`ScheduleRules::senior_after_working_days`] (default 5), or while the key worker is
//!   absent, to a senior manager ([`shared::schedule::escalation_level`]).
//! - **A statutory visit where the child was not seen** goes to the team manager at once.
//! - **Not seen alone** goes to the team manager, to agree or disagree, unless a standing
//!   decision covers the visit's date. A worker's "a manager agreed" asks the manager to confirm.
//! - **Interpreting:** an interpreter needed but not used (at a visit where the child was seen)
//!   and a family member interpreting go to the team manager.
//! - **Only a manager closes.** A worker voiding or amending the visit that raised an
//!   escalation, or a child seen after the due date, asks a manager to confirm
//!   ([`EscalationStep::ConfirmationAsked`]). The sweep closes one by itself only when a visit
//!   made in time for the due date as it stood when raised arrives late, when the plan ends, or
//!   when a change to the plan means the child is no longer overdue (saying so).
//! - **An answered escalation ends.** One about a single visit (not seen, not seen alone,
//!   interpreting) closes with the manager's answer: later visits are checked on their own.
//!   One about something overdue that a manager acted on closes once it is done, late (the
//!   child seen, the meeting held, the case supervised, the action done), naming who acted.
//! - **Routing:** to the team manager; while they are recorded absent, to the team's deputy or
//!   its senior manager ([`shared::TeamRouting`]).
//! - **The plan's timeline:** a core group meeting, a review conference or the manager's
//!   supervision of the case not held by its due date ([`shared::timeline`]) is escalated like
//!   an overdue visit: to the team manager the day after, to a senior manager when overdue by
//!   more than N working days or while the key worker is absent, and kept firing until one is
//!   recorded. Supervision is the team manager's own task, so a team manager who neither
//!   supervises nor acknowledges within the window is raised to a senior manager.
//! - **Agreed actions:** an action agreed at a meeting or in supervision that passes its due
//!   date without being marked done is escalated the same way, one escalation per action; done
//!   late, a manager confirms before it closes.
//! - **Go-live:** a child whose plan began before [`EscalationConfig::go_live`] with no visit
//!   recorded here and no imported last-seen date gets one team-manager prompt
//!   ([`EscalationReason::NoVisitSinceGoLive`]) instead of a senior escalation.
//! - **History:** every step is appended to [`Escalation::history`]; nothing is overwritten.
//! - **No duplicates:** one escalation per child and [`EscalationReason::dedup_key`].

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use crate::store::prelude::*;
use chrono::{DateTime, NaiveDate, Utc};
use shared::schedule::{due_state, escalation_level, last_seen, next_visit_due, overdue_level};
use shared::sync::{DatedQuote, Handover};
use shared::text::working_days as days;
use shared::timeline::{
    ActionDone, AgreedAction, MeetingKind, PlanMeeting, Supervision, TimelineDate, Timescales,
};
use shared::validation::FieldError;
use shared::visit::current_revisions;
use shared::{
    Absence, Calendar, Child, ChildId, CoverAssignment, DueState, Escalation, EscalationAction,
    EscalationEntry, EscalationId, EscalationLevel, EscalationReason, EscalationStatus, EscalationStep, Role,
    ScheduleBasis, ScheduleRules, SeenAlone, SeenAloneDecision, TeamId, TeamRouting, Visit, Worker, WorkerId,
};

/// The authority's escalation settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EscalationConfig {
    /// The schedule settings, including N, the working days overdue after which a senior
    /// manager is told.
    pub rules: ScheduleRules,
    /// Working days after a due date, on the authority's calendar, that a phone out of signal
    /// has to sync a visit made on it before "nothing has synced" is escalated as overdue. With
    /// 0 (the default) the escalation is raised at the authority's midnight after the due date,
    /// the first moment the child is overdue; with 1, at the midnight after the next working day.
    pub sync_grace_working_days: u32,
    /// Working days a manager has to acknowledge an escalation before it goes one level up, and
    /// after an acknowledgement (without an arranged date) before an unseen child re-opens it.
    pub acknowledge_within_working_days: u32,
    /// Working days after an arranged visit's date before, with the child still unseen, the
    /// escalation re-opens one level up.
    pub arranged_grace_working_days: u32,
    /// The day this service went live, if it replaced another system. See
    /// [`EscalationReason::NoVisitSinceGoLive`].
    pub go_live: Option<NaiveDate>,
    /// The plan's timescales: core groups, review conferences and supervision.
    pub timescales: Timescales,
}

impl Default for EscalationConfig {
    fn default() -> Self {
        Self {
            rules: ScheduleRules::default(),
            // The safety net first: a visit that syncs late closes the escalation it raised, and
            // says why, so raising at once costs a manager a read, never a child a day.
            sync_grace_working_days: 0,
            acknowledge_within_working_days: 2,
            arranged_grace_working_days: 1,
            go_live: None,
            timescales: Timescales::default(),
        }
    }
}

/// Who escalations go to, and who is away.
#[derive(Clone, Debug, Default)]
pub struct Directory {
    /// Each team's manager.
    pub team_managers: HashMap<TeamId, WorkerId>,
    /// Each team's senior manager and deputy, as configured on the team record.
    pub routing: HashMap<TeamId, TeamRouting>,
    /// Workers recorded absent today.
    pub absent_today: HashSet<WorkerId>,
    /// Staff names, for the history's plain words.
    pub names: HashMap<WorkerId, String>,
}

impl Directory {
    /// Builds the directory from the teams, the workers and the absences, as on `today`.
    pub fn new<'a>(
        teams: impl IntoIterator<Item = &'a shared::Team>,
        workers: impl IntoIterator<Item = &'a Worker>,
        absences: impl IntoIterator<Item = &'a Absence>,
        today: NaiveDate,
    ) -> Directory {
        let mut team_managers = HashMap::new();
        let mut routing = HashMap::new();
        for team in teams {
            if let Some(manager) = team.manager {
                team_managers.insert(team.id, manager);
            }
            routing.insert(team.id, team.routing.clone());
        }
        let names = workers.into_iter().map(|w| (w.id, w.name.clone())).collect();
        let absent_today = absences.into_iter().filter(|a| a.covers(today)).map(|a| a.worker_id).collect();
        Directory { team_managers, routing, absent_today, names }
    }

    /// Whether `worker` is the team's manager, deputy or senior manager.
    pub fn holds_a_role(&self, team: TeamId, worker: WorkerId) -> bool {
        self.team_managers.get(&team) == Some(&worker)
            || self
                .routing
                .get(&team)
                .is_some_and(|r| r.deputy == Some(worker) || r.senior_manager == Some(worker))
    }

    /// Where an escalation meant for `level` in `team` goes, and at which level: the team
    /// manager; while they are recorded absent, the team's deputy, or else (one level up) the
    /// team's senior manager. `None` when nobody is named: every senior manager sees it.
    pub fn route(&self, level: EscalationLevel, team: TeamId) -> (EscalationLevel, Option<WorkerId>) {
        let present = |id: &WorkerId| !self.absent_today.contains(id);
        let senior = self.routing.get(&team).and_then(|r| r.senior_manager);
        match level {
            EscalationLevel::TeamManager => {
                if let Some(manager) = self.team_managers.get(&team).copied().filter(present) {
                    return (EscalationLevel::TeamManager, Some(manager));
                }
                match self.routing.get(&team).and_then(|r| r.deputy).filter(present) {
                    Some(deputy) => (EscalationLevel::TeamManager, Some(deputy)),
                    None => (EscalationLevel::SeniorManager, senior),
                }
            }
            EscalationLevel::SeniorManager => (EscalationLevel::SeniorManager, senior),
        }
    }

    fn name(&self, id: Option<WorkerId>) -> Option<&str> {
        id.and_then(|id| self.names.get(&id)).map(String::as_str)
    }

    /// "the team manager (Tara Manager)", for history entries.
    fn addressee(&self, level: EscalationLevel, to: Option<WorkerId>) -> String {
        let role = level_words(level);
        match self.name(to) {
            Some(name) => format!("{role} ({name})"),
            None => role.to_owned(),
        }
    }
}

/// Plain words for a level.
pub fn level_words(level: EscalationLevel) -> &'static str {
    match level {
        EscalationLevel::TeamManager => "the team manager",
        EscalationLevel::SeniorManager => "a senior manager",
    }
}

fn dmy(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

/// The clock and settings a sweep runs with.
#[derive(Clone, Copy, Debug)]
pub struct SweepContext<'a> {
    /// The working-day calendar.
    pub calendar: &'a Calendar,
    /// The settings.
    pub config: &'a EscalationConfig,
    /// Managers and absences.
    pub directory: &'a Directory,
    /// Now.
    pub now: DateTime<Utc>,
    /// Today's date where the children live.
    pub today: NaiveDate,
}

/// One child, as the sweep needs them.
#[derive(Clone, Copy, Debug)]
pub struct ChildCase<'a> {
    /// The child, with their plan.
    pub child: &'a Child,
    /// Every revision of every visit to the child.
    pub visits: &'a [Visit],
    /// Every escalation held about the child, open or not.
    pub escalations: &'a [Escalation],
    /// The managers' standing decisions that the child need not be seen alone.
    pub seen_alone_decisions: &'a [SeenAloneDecision],
    /// The core group meetings and review conferences recorded on the child's plan.
    pub meetings: &'a [PlanMeeting],
    /// The managers' supervisions of the child's case.
    pub supervisions: &'a [Supervision],
    /// The agreed actions marked done.
    pub actions_done: &'a [ActionDone],
}

/// What a sweep decided about one escalation. Each carries the escalation as it now stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EscalationChange {
    /// A new escalation.
    Raised(Escalation),
    /// Raised again one level up (or to the senior manager again), or re-opened.
    RaisedAgain(Escalation),
    /// Closed by the system, with its explanation in the status and the history.
    Closed(Escalation),
    /// Something was added to its history: a manager asked to confirm, sent to a deputy, or
    /// re-assessed after a change to the plan.
    Updated(Escalation),
}

impl EscalationChange {
    /// The escalation as it now stands.
    pub fn escalation(&self) -> &Escalation {
        match self {
            EscalationChange::Raised(e)
            | EscalationChange::RaisedAgain(e)
            | EscalationChange::Closed(e)
            | EscalationChange::Updated(e) => e,
        }
    }

    /// The escalation as it now stands, owned.
    pub fn into_escalation(self) -> Escalation {
        match self {
            EscalationChange::Raised(e)
            | EscalationChange::RaisedAgain(e)
            | EscalationChange::Closed(e)
            | EscalationChange::Updated(e) => e,
        }
    }
}

/// Applies every rule to every child and returns what changed, children in the order given.
pub fn sweep<'a>(
    cases: impl IntoIterator<Item = ChildCase<'a>>,
    context: &SweepContext<'_>,
) -> Vec<EscalationChange> {
    let mut changes = Vec::new();
    for case in cases {
        sweep_child(case, context, &mut changes);
    }
    changes
}

/// The child's escalations while one sweep decides about them: the held ones borrowed until
/// changed, so a child with nothing to change costs no copies.
struct Book<'a, 'c> {
    items: Vec<Cow<'a, Escalation>>,
    touched: Vec<bool>,
    held: usize,
    context: &'c SweepContext<'c>,
    team: TeamId,
}

impl<'a, 'c> Book<'a, 'c> {
    fn new(held: &'a [Escalation], context: &'c SweepContext<'c>, team: TeamId) -> Self {
        Book {
            items: held.iter().map(Cow::Borrowed).collect(),
            touched: vec![false; held.len()],
            held: held.len(),
            context,
            team,
        }
    }

    fn len(&self) -> usize {
        self.items.len()
    }

    fn get(&self, i: usize) -> &Escalation {
        &self.items[i]
    }

    /// The escalation for this problem: an active one if there is one, else the latest.
    fn find(&self, reason: &EscalationReason) -> Option<usize> {
        let mut found = None;
        for (i, e) in self.items.iter().enumerate() {
            if same_problem(&e.reason, reason) {
                if e.is_active() {
                    return Some(i);
                }
                found = Some(i);
            }
        }
        found
    }

    fn edit(&mut self, i: usize) -> &mut Escalation {
        self.touched[i] = true;
        self.items[i].to_mut()
    }

    fn system_entry(&self, step: EscalationStep, e: &Escalation, text: String) -> EscalationEntry {
        EscalationEntry {
            at: self.context.now,
            on: self.context.today,
            step,
            level: e.level,
            to: e.to,
            by: None,
            by_name: None,
            text,
        }
    }

    /// Appends a history entry made by the sweep.
    fn record(&mut self, i: usize, step: EscalationStep, text: String) {
        let entry = self.system_entry(step, self.get(i), text);
        self.edit(i).record(entry);
    }

    fn raise(
        &mut self,
        child_id: ChildId,
        reason: EscalationReason,
        level: EscalationLevel,
        basis: Option<ScheduleBasis>,
        extra: &str,
    ) -> usize {
        let (level, to) = self.context.directory.route(level, self.team);
        let text = format!(
            "{} Raised to {}.{extra}",
            reason.describe(),
            self.context.directory.addressee(level, to)
        );
        let mut escalation = Escalation {
            id: EscalationId::new(),
            child_id,
            reason,
            level,
            to,
            raised_at: self.context.now,
            re_raised_at: None,
            status: EscalationStatus::Open,
            history: Vec::with_capacity(1),
            basis,
        };
        let entry = self.system_entry(EscalationStep::Raised, &escalation, text);
        escalation.record(entry);
        self.items.push(Cow::Owned(escalation));
        self.touched.push(true);
        self.items.len() - 1
    }

    /// Raises an escalation again at `level` (routed), open, saying why.
    fn raise_again(&mut self, i: usize, level: EscalationLevel, why: &str) {
        let (level, to) = self.context.directory.route(level, self.team);
        let addressee = self.context.directory.addressee(level, to);
        let now = self.context.now;
        let e = self.edit(i);
        e.level = level;
        e.to = to;
        e.re_raised_at = Some(now);
        e.status = EscalationStatus::Open;
        self.record(i, EscalationStep::RaisedAgain, format!("{why} Raised again to {addressee}."));
    }

    /// Keeps escalation `i`, about something still overdue, loud: a closed one is raised again
    /// (saying `again`: what closed it no longer holds), and an active one goes up to the level
    /// `required` when its lateness or the key worker's absence now calls for more. `subject`
    /// begins the sentence ("Overdue", "Core group meeting overdue"). `reason` is the current
    /// figure; `basis`, when given, the schedule it was assessed against.
    #[allow(clippy::too_many_arguments)]
    fn keep_loud(
        &mut self,
        i: usize,
        reason: EscalationReason,
        basis: Option<ScheduleBasis>,
        required: EscalationLevel,
        subject: &str,
        again: impl FnOnce() -> String,
        working_days_overdue: u32,
        key_worker_absent: bool,
    ) {
        let e = self.get(i);
        let why = if !e.is_active() {
            again()
        } else if required > e.level {
            if key_worker_absent {
                format!(
                    "{subject} by {} while the key worker is recorded absent.",
                    days(working_days_overdue)
                )
            } else {
                format!(
                    "{subject} by {}, more than {}.",
                    days(working_days_overdue),
                    days(self.context.config.rules.senior_after_working_days)
                )
            }
        } else {
            return;
        };
        let level = required.max(e.level);
        let edited = self.edit(i);
        edited.reason = reason;
        if basis.is_some() {
            edited.basis = basis;
        }
        self.raise_again(i, level, &why);
    }

    /// What it was about was done, but late (`done` says what and when). Open, a manager
    /// confirms before it closes; already acted on by a manager, it closes, naming them, so an
    /// answered escalation does not sit "acted on" for good.
    fn done_late(&mut self, i: usize, done: String) {
        let e = self.get(i);
        if e.is_open() && !e.awaiting_confirmation() {
            self.record(
                i,
                EscalationStep::ConfirmationAsked,
                format!("{done} A manager confirms that this can close."),
            );
        } else if let EscalationStatus::Acknowledged { .. } = e.status
            && let Some(acted) = e.acknowledged_entry()
        {
            let who = acted.by_name.clone().unwrap_or_else(|| "A manager".to_owned());
            let explanation = format!("{done} {who} had acted on it on {}.", dmy(acted.on));
            self.close(i, explanation);
        }
    }

    fn close(&mut self, i: usize, explanation: String) {
        let now = self.context.now;
        self.edit(i).status = EscalationStatus::Closed { explanation: explanation.clone(), at: now };
        self.record(i, EscalationStep::Closed, explanation);
    }

    fn finish(self, changes: &mut Vec<EscalationChange>) {
        for (i, (item, touched)) in self.items.into_iter().zip(self.touched).enumerate() {
            if !touched {
                continue;
            }
            let Cow::Owned(escalation) = item else { continue };
            if i >= self.held {
                changes.push(EscalationChange::Raised(escalation));
                continue;
            }
            // What this sweep appended says what kind of change it was.
            let appended =
                escalation.history.iter().rev().take_while(|e| e.at == self.context.now && e.by.is_none());
            let mut closed = false;
            let mut raised_again = false;
            for entry in appended {
                closed |= entry.step == EscalationStep::Closed;
                raised_again |= entry.step == EscalationStep::RaisedAgain;
            }
            changes.push(if closed && !escalation.is_active() {
                EscalationChange::Closed(escalation)
            } else if raised_again {
                EscalationChange::RaisedAgain(escalation)
            } else {
                EscalationChange::Updated(escalation)
            });
        }
    }
}

/// Whether two reasons are the same problem: [`EscalationReason::dedup_key`] without building
/// the strings, since the sweep asks this for every child on every run.
fn same_problem(a: &EscalationReason, b: &EscalationReason) -> bool {
    use EscalationReason as R;
    match (a, b) {
        (R::Overdue { due: x, .. }, R::Overdue { due: y, .. }) => x == y,
        (R::ChildNotSeen { visit_id: x }, R::ChildNotSeen { visit_id: y })
        | (R::NotSeenAlone { visit_id: x }, R::NotSeenAlone { visit_id: y })
        | (R::InterpreterNotUsed { visit_id: x }, R::InterpreterNotUsed { visit_id: y })
        | (R::FamilyMemberInterpreted { visit_id: x }, R::FamilyMemberInterpreted { visit_id: y }) => x == y,
        (R::NoVisitSinceGoLive { .. }, R::NoVisitSinceGoLive { .. }) => true,
        (
            R::PlanMeetingOverdue { meeting: a, due: x, .. },
            R::PlanMeetingOverdue { meeting: b, due: y, .. },
        ) => a == b && x == y,
        (R::SupervisionOverdue { due: x, .. }, R::SupervisionOverdue { due: y, .. }) => x == y,
        (R::ActionOverdue { action_id: x, .. }, R::ActionOverdue { action_id: y, .. }) => x == y,
        _ => false,
    }
}

/// Says in plain words what changed in the schedule between two assessments.
fn explain_change(before: Option<&ScheduleBasis>, now: &ScheduleBasis) -> String {
    let Some(before) = before else {
        return "The schedule was assessed again.".to_owned();
    };
    let mut words = Vec::new();
    if before.frequency_working_days != now.frequency_working_days {
        words.push(format!(
            "The plan now sets a visit every {} (it was every {}).",
            days(now.frequency_working_days),
            before.frequency_working_days
        ));
    }
    if before.registered_on != now.registered_on {
        words.push(format!(
            "The plan's start date is now {} (it was {}).",
            dmy(now.registered_on),
            dmy(before.registered_on)
        ));
    }
    match (before.last_seen, now.last_seen) {
        (Some(old), new) if new < Some(old) => words.push(format!(
            "The visit of {} no longer counts: it was amended or marked entered in error.",
            dmy(old)
        )),
        (old, Some(new)) if Some(new) > old => {
            words.push(format!("A last-seen date of {} came from the central system.", dmy(new)))
        }
        _ => {}
    }
    if words.is_empty() {
        words.push("The schedule was assessed again.".to_owned());
    }
    words.join(" ")
}

/// Applies every rule to one child, appending what changed.
pub fn sweep_child(case: ChildCase<'_>, context: &SweepContext<'_>, changes: &mut Vec<EscalationChange>) {
    let Some(plan) = case.child.plan.as_ref() else { return };
    let child_id = case.child.id;
    let today = context.today;
    let calendar = context.calendar;
    let directory = context.directory;
    let mut book = Book::new(case.escalations, context, plan.team);

    if !plan.is_active_on(today) {
        // The plan ended: nobody is overdue a statutory visit any more.
        for i in 0..book.len() {
            let e = book.get(i);
            if e.is_active() && e.reason.is_about_overdue() {
                let explanation = match plan.deregistered_on {
                    Some(ended) if ended <= today => {
                        format!("The child protection plan ended on {}.", dmy(ended))
                    }
                    _ => "The child protection plan is not in force.".to_owned(),
                };
                book.close(i, explanation);
            }
        }
        book.finish(changes);
        return;
    }
    let current = current_revisions(case.visits);

    // ---- Overdue. ----
    let seen_here = last_seen(case.visits);
    let imported = plan.seen_before_go_live.as_ref().and_then(|s| s.last_seen);
    let due = next_visit_due(calendar, plan, seen_here);
    let state = due_state(calendar, &context.config.rules, due, today);
    // Dates, not instants: "today" is the authority's date, so the grace ends at its midnight.
    let past_grace = today > calendar.add_working_days(due, context.config.sync_grace_working_days);
    let overdue_now = state.is_overdue() && past_grace;
    let go_live_prompt = context
        .config
        .go_live
        .filter(|go_live| plan.registered_on < *go_live && seen_here.is_none() && imported.is_none());
    let basis_now = ScheduleBasis {
        last_seen: seen_here.max(imported),
        frequency_working_days: plan.visit_frequency_working_days,
        registered_on: plan.registered_on,
    };
    let absent = directory.absent_today.contains(&plan.key_worker);
    let seen_dates: Vec<NaiveDate> =
        current.iter().filter(|v| v.resets_schedule()).map(|v| v.date()).collect();
    // The seen visits whose date a worker amended: an earlier revision of the same visit was
    // dated otherwise. Moved into time for a due date, such a visit is a worker's change, for a
    // manager to confirm, not a visit made in time that reached the server late.
    let redated: Vec<(NaiveDate, NaiveDate)> = current
        .iter()
        .filter(|v| v.resets_schedule())
        .filter_map(|v| {
            let first = case.visits.iter().filter(|r| r.id == v.id).min_by_key(|r| r.revision)?;
            (first.date() != v.date()).then(|| (first.date(), v.date()))
        })
        .collect();

    // Overdue escalations about another due date than today's: re-assess each.
    for i in 0..book.len() {
        let e = book.get(i);
        if !e.is_active() {
            continue;
        }
        match e.reason {
            EscalationReason::Overdue { due: raised_due, .. } if raised_due != due => {
                // A visit in time for the due date as it stood when raised, which reached us
                // late. Without a recorded basis (escalations stored before it was kept), any
                // seen visit that would have moved the due date past it.
                let candidates = || {
                    seen_dates.iter().copied().filter(|d| *d <= raised_due).filter(|d| match &e.basis {
                        Some(basis) => basis.last_seen.is_none_or(|known| *d > known),
                        None => next_visit_due(calendar, plan, Some(*d)) > raised_due,
                    })
                };
                let amended_into_time =
                    |d: &NaiveDate| redated.iter().any(|(was, now)| now == d && *was > raised_due);
                let in_time = candidates().filter(|d| !amended_into_time(d)).max();
                if let Some((was, now)) = candidates()
                    .find_map(|d| redated.iter().copied().find(|(was, now)| *now == d && *was > raised_due))
                    && in_time.is_none()
                {
                    // A worker moved a late visit's date into time: theirs to say, a manager's
                    // to confirm.
                    if !e.awaiting_confirmation() {
                        book.record(
                            i,
                            EscalationStep::ConfirmationAsked,
                            format!(
                                "The worker amended the date of the visit on {} to {}, in time for the due \
                                 date of {}. A manager confirms that this can close.",
                                dmy(was),
                                dmy(now),
                                dmy(raised_due)
                            ),
                        );
                    }
                    continue;
                }
                // Made in time, it reached the server late: the child was not overdue then. If
                // they are overdue now all the same (the visit moved the due date, and that has
                // passed too), the escalation goes on for the new date below, keeping its level
                // and history.
                if let Some(visited) = in_time.filter(|_| !overdue_now) {
                    book.close(
                        i,
                        format!(
                            "A statutory visit on {}, in time for the due date of {}, arrived late from a device \
                             that had been offline. The child was not overdue.",
                            dmy(visited),
                            dmy(raised_due)
                        ),
                    );
                    continue;
                }
                let late = seen_dates.iter().copied().filter(|d| *d > raised_due).min();
                if let Some(seen) = late {
                    // Seen, but late: a manager confirms before it closes, unless one already
                    // acted on it.
                    let late_by = calendar.working_days_between(raised_due, seen).max(1);
                    book.done_late(
                        i,
                        format!(
                            "The child was seen on {}, {} after the visit was due by {}.",
                            dmy(seen),
                            days(late_by),
                            dmy(raised_due)
                        ),
                    );
                    continue;
                }
                // Not seen since: the schedule itself changed (the plan, its frequency, or the
                // visits it counts from).
                let why = explain_change(e.basis.as_ref(), &basis_now);
                let now_key =
                    EscalationReason::Overdue { due, working_days_overdue: 0, key_worker_absent: false };
                if overdue_now
                    && go_live_prompt.is_none()
                    && book.find(&now_key).is_none_or(|j| !book.get(j).is_active())
                {
                    let working_days_overdue = state.working_days_overdue();
                    let edited = book.edit(i);
                    edited.reason =
                        EscalationReason::Overdue { due, working_days_overdue, key_worker_absent: absent };
                    edited.basis = Some(basis_now.clone());
                    book.record(
                        i,
                        EscalationStep::Reevaluated,
                        format!(
                            "{why} The visit is now due by {}: overdue by {}.",
                            dmy(due),
                            days(working_days_overdue)
                        ),
                    );
                } else if overdue_now {
                    book.close(
                        i,
                        format!(
                            "{why} The visit is now due by {}, and another escalation follows that date.",
                            dmy(due)
                        ),
                    );
                } else {
                    book.close(
                        i,
                        format!("{why} The child is not overdue: the next visit is due by {}.", dmy(due)),
                    );
                }
            }
            EscalationReason::NoVisitSinceGoLive { .. } if go_live_prompt.is_none() => {
                let explanation = match (seen_here, imported) {
                    (Some(seen), _) => {
                        format!("A statutory visit on {} in which the child was seen is recorded.", dmy(seen))
                    }
                    (None, Some(date)) => {
                        format!("The central system's last-seen date, {}, was imported.", dmy(date))
                    }
                    (None, None) => "The plan started after the service went live.".to_owned(),
                };
                book.close(i, explanation);
            }
            _ => {}
        }
    }

    if overdue_now {
        if let Some(go_live) = go_live_prompt {
            let reason = EscalationReason::NoVisitSinceGoLive { go_live };
            match book.find(&reason) {
                None => {
                    book.raise(child_id, reason, EscalationLevel::TeamManager, None, "");
                }
                Some(i) if !book.get(i).is_active() => {
                    let level = book.get(i).level;
                    book.raise_again(
                        i,
                        level,
                        "Still no statutory visit in which the child was seen is recorded.",
                    );
                }
                Some(_) => {}
            }
        } else {
            let working_days_overdue = state.working_days_overdue();
            let required = escalation_level(&state, absent, &context.config.rules)
                .unwrap_or(EscalationLevel::TeamManager);
            let reason = EscalationReason::Overdue { due, working_days_overdue, key_worker_absent: absent };
            match book.find(&reason) {
                None => {
                    book.raise(child_id, reason, required, Some(basis_now.clone()), "");
                }
                // Closed, yet overdue again for the same date: the visit that closed it no
                // longer counts.
                Some(i) => book.keep_loud(
                    i,
                    reason,
                    Some(basis_now.clone()),
                    required,
                    "Overdue",
                    || {
                        format!(
                            "Overdue again for the due date of {}: the visit that closed it no longer counts.",
                            dmy(due)
                        )
                    },
                    working_days_overdue,
                    absent,
                ),
            }
        }
    }

    // ---- The plan's timeline: core groups, review conferences and supervision, escalated
    // like a visit. ----
    let timescales = &context.config.timescales;
    let plan_dates = shared::timeline::plan_dates(calendar, timescales, plan, case.meetings, today);
    let supervision =
        shared::timeline::supervision_date(calendar, timescales, plan, case.supervisions, today);
    let timeline: Vec<(Dated, TimelineDate)> = plan_dates
        .map(|(core, review)| {
            [
                (Dated::Meeting(MeetingKind::CoreGroup), core),
                (Dated::Meeting(MeetingKind::ReviewConference), review),
            ]
        })
        .into_iter()
        .flatten()
        .chain(supervision.map(|date| (Dated::Supervision, date)))
        .collect();
    // Without an ICPC date the dates were counted from the plan's start: the escalation says so.
    let counted_from_start = plan.details.initial_conference_on.is_none().then_some(plan.registered_on);
    sweep_timeline(&mut book, child_id, &timeline, counted_from_start, absent, context);
    let actions_overdue = sweep_actions(&mut book, &case, plan, absent, context);

    // ---- Visits: not seen, not seen alone, interpreting. ----
    let mut still_holds: Vec<EscalationReason> = Vec::new();
    let mut visits_in_plan: Vec<&&Visit> =
        current.iter().filter(|v| v.date() >= plan.registered_on).collect();
    visits_in_plan.sort_by_key(|v| (v.started_at, v.id));
    for visit in visits_in_plan {
        let mut reasons: Vec<(EscalationReason, bool)> = Vec::new();
        if visit.is_missed_statutory() {
            reasons.push((EscalationReason::ChildNotSeen { visit_id: visit.id }, false));
        }
        if let Some(SeenAlone::No { manager_agreed, .. }) = &visit.seen_alone
            && SeenAloneDecision::covering(case.seen_alone_decisions, visit.date()).is_none()
        {
            reasons.push((EscalationReason::NotSeenAlone { visit_id: visit.id }, *manager_agreed));
        }
        if visit.child_seen() && visit.interpreter_needed_not_used() {
            reasons.push((EscalationReason::InterpreterNotUsed { visit_id: visit.id }, false));
        }
        if visit.interpreters.iter().any(|i| i.family_member_interpreted()) {
            reasons.push((EscalationReason::FamilyMemberInterpreted { visit_id: visit.id }, false));
        }
        for (reason, worker_says_agreed) in reasons {
            still_holds.push(reason.clone());
            let i = match book.find(&reason) {
                None => book.raise(child_id, reason, EscalationLevel::TeamManager, None, ""),
                // Closed because a standing decision covered the visit, which none does now (it
                // was ended on the visit's own day, or the visit's date was amended): the
                // manager is asked again, so it is not left closed as covered.
                Some(i) if closed_as_covered(book.get(i)) => {
                    let level = book.get(i).level;
                    book.raise_again(
                        i,
                        level,
                        "No manager's standing decision covers this visit any longer.",
                    );
                    i
                }
                Some(i) => i,
            };
            // "A manager agreed", ticked by the worker: the manager confirms or disagrees.
            let e = book.get(i);
            if worker_says_agreed && e.is_open() && !e.awaiting_confirmation() {
                book.record(
                    i,
                    EscalationStep::ConfirmationAsked,
                    "The worker recorded that a manager agreed the child need not be seen alone. The manager \
                     confirms by agreeing, or disagrees."
                        .to_owned(),
                );
            }
        }
    }
    // An open visit escalation whose visit no longer records the problem: a manager confirms,
    // unless a manager's standing decision now covers it.
    for i in 0..book.len() {
        let e = book.get(i);
        let visit_id = match e.reason {
            EscalationReason::ChildNotSeen { visit_id }
            | EscalationReason::NotSeenAlone { visit_id }
            | EscalationReason::InterpreterNotUsed { visit_id }
            | EscalationReason::FamilyMemberInterpreted { visit_id } => visit_id,
            EscalationReason::Overdue { .. }
            | EscalationReason::NoVisitSinceGoLive { .. }
            | EscalationReason::PlanMeetingOverdue { .. }
            | EscalationReason::SupervisionOverdue { .. }
            | EscalationReason::ActionOverdue { .. } => continue,
        };
        // Answered by a manager before an answer closed it (stored by an earlier version).
        if let EscalationStatus::Acknowledged { .. } = e.status {
            let acted = e.acknowledged_entry();
            let who = acted.and_then(|h| h.by_name.clone()).unwrap_or_else(|| "a manager".to_owned());
            let on = acted.map_or(String::new(), |h| format!(" on {}", dmy(h.on)));
            book.close(i, answered_one_visit(&format!("{who}{on}")));
            continue;
        }
        if !e.is_open() || still_holds.iter().any(|r| same_problem(r, &e.reason)) {
            continue;
        }
        let Some(latest) = case.visits.iter().filter(|v| v.id == visit_id).max_by_key(|v| v.revision) else {
            continue;
        };
        if matches!(e.reason, EscalationReason::NotSeenAlone { .. })
            && latest.counts()
            && let Some(decision) = SeenAloneDecision::covering(case.seen_alone_decisions, latest.date())
        {
            book.close(
                i,
                format!(
                    "Covered by {}'s standing decision of {} that the child need not be seen alone until {}: {}.",
                    decision.decided_by_name,
                    dmy(decision.starts_on),
                    dmy(decision.last_day()),
                    decision.reason.trim()
                ),
            );
            continue;
        }
        if e.awaiting_confirmation() {
            continue;
        }
        let what = if latest.counts() {
            format!(
                "The worker amended the visit (revision {}) and it no longer records the problem.",
                latest.revision
            )
        } else {
            "The worker marked the visit as entered in error.".to_owned()
        };
        book.record(
            i,
            EscalationStep::ConfirmationAsked,
            format!("{what} A manager confirms that this can close."),
        );
    }

    // ---- Routing: the manager it was for is away. ----
    for i in 0..book.len() {
        let e = book.get(i);
        if !e.is_open() || !e.to.is_some_and(|to| directory.absent_today.contains(&to)) {
            continue;
        }
        let (level, to) = directory.route(e.level, plan.team);
        if (level, to) != (e.level, e.to) {
            let away = directory.name(e.to).unwrap_or("The manager it was for").to_owned();
            let text = format!("{away} is recorded absent: sent to {}.", directory.addressee(level, to));
            let edited = book.edit(i);
            edited.level = level;
            edited.to = to;
            book.record(i, EscalationStep::Rerouted, text);
        }
    }

    // ---- Routing: the team's managers changed. ----
    // An open escalation addressed to someone who no longer holds a role for the team (a
    // manager who left, a senior manager replaced), or to nobody when someone is now named, goes
    // to whoever the team's routing names now.
    for i in 0..book.len() {
        let e = book.get(i);
        if !e.is_open() || e.to.is_some_and(|to| directory.holds_a_role(plan.team, to)) {
            continue;
        }
        let (level, to) = directory.route(e.level, plan.team);
        if to.is_some() && (level, to) != (e.level, e.to) {
            let text = format!("The team's managers changed: sent to {}.", directory.addressee(level, to));
            let edited = book.edit(i);
            edited.level = level;
            edited.to = to;
            book.record(i, EscalationStep::Rerouted, text);
        }
    }

    // ---- Windows: not acknowledged in time, or acknowledged and the child still unseen. ----
    let window = context.config.acknowledge_within_working_days.max(1);
    for i in 0..book.len() {
        let e = book.get(i);
        if i >= book.held || e.last_raised_on() >= today {
            continue;
        }
        match &e.status {
            EscalationStatus::Open => {
                let deadline = calendar.add_working_days(e.last_raised_on(), window);
                if today > deadline {
                    let level = e.level.above();
                    book.raise_again(i, level, &format!("Not acknowledged within {}.", days(window)));
                }
            }
            EscalationStatus::Acknowledged { .. } => {
                let still_unseen = match e.reason {
                    EscalationReason::Overdue { due: raised_due, .. } => {
                        raised_due == due && overdue_now && go_live_prompt.is_none()
                    }
                    EscalationReason::NoVisitSinceGoLive { .. } => go_live_prompt.is_some() && overdue_now,
                    EscalationReason::PlanMeetingOverdue { .. }
                    | EscalationReason::SupervisionOverdue { .. } => {
                        Dated::of(&e.reason).is_some_and(|(what, raised_due)| {
                            timeline
                                .iter()
                                .any(|(kind, date)| *kind == what && date.due == raised_due && date.overdue)
                        })
                    }
                    EscalationReason::ActionOverdue { action_id, .. } => actions_overdue.contains(&action_id),
                    _ => false,
                };
                let Some((acknowledged_on, action)) = e.acknowledgement() else { continue };
                if !still_unseen {
                    continue;
                }
                let (deadline, why) = match action {
                    EscalationAction::VisitArranged { date } => (
                        calendar.add_working_days(*date, context.config.arranged_grace_working_days),
                        format!(
                            "The visit arranged for {} has not happened: no statutory visit in which the child was seen.",
                            dmy(*date)
                        ),
                    ),
                    _ => {
                        let still = match (Dated::of(&e.reason), &e.reason) {
                            (Some((what, _)), _) => format!("no {} has been recorded", what.noun()),
                            (None, EscalationReason::ActionOverdue { .. }) => {
                                "the action has not been marked done".to_owned()
                            }
                            (None, _) => "the child has still not been seen".to_owned(),
                        };
                        (
                            calendar.add_working_days(acknowledged_on, window),
                            format!(
                                "{} since the acknowledgement of {} and {still}.",
                                days(window),
                                dmy(acknowledged_on)
                            ),
                        )
                    }
                };
                if today > deadline {
                    let level = e.level.above();
                    book.raise_again(i, level, &why);
                }
            }
            EscalationStatus::Closed { .. } => {}
        }
    }

    book.finish(changes);
}

/// What on the plan's timeline a sweep follows: a meeting, or the manager's supervision of the
/// case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Dated {
    Meeting(MeetingKind),
    Supervision,
}

impl Dated {
    /// What and when an escalation is about, when it is about the plan's timeline.
    fn of(reason: &EscalationReason) -> Option<(Dated, NaiveDate)> {
        match *reason {
            EscalationReason::PlanMeetingOverdue { meeting, due, .. } => Some((Dated::Meeting(meeting), due)),
            EscalationReason::SupervisionOverdue { due, .. } => Some((Dated::Supervision, due)),
            _ => None,
        }
    }

    fn reason(self, due: NaiveDate, working_days_overdue: u32) -> EscalationReason {
        match self {
            Dated::Meeting(meeting) => {
                EscalationReason::PlanMeetingOverdue { meeting, due, working_days_overdue }
            }
            Dated::Supervision => EscalationReason::SupervisionOverdue { due, working_days_overdue },
        }
    }

    /// "Core group meeting", "Supervision of the case".
    fn label(self) -> &'static str {
        match self {
            Dated::Meeting(meeting) => meeting.label(),
            Dated::Supervision => "Supervision of the case",
        }
    }

    /// The label within a sentence: "core group meeting", "supervision of the case".
    fn noun(self) -> String {
        self.label().to_lowercase()
    }
}

/// The plan's timeline in one sweep: an escalation for each meeting or supervision overdue, at
/// the level an overdue visit would have; one about an earlier due date closes when it was held
/// in time, asks a manager to confirm when it was held late, and closes saying why when the
/// timeline itself changed. `counted_from_start` is the plan's start when no ICPC date is
/// recorded, said when a meeting's escalation is raised so nobody takes its due date for the
/// ICPC's.
fn sweep_timeline(
    book: &mut Book<'_, '_>,
    child_id: ChildId,
    timeline: &[(Dated, TimelineDate)],
    counted_from_start: Option<NaiveDate>,
    key_worker_absent: bool,
    context: &SweepContext<'_>,
) {
    let calendar = context.calendar;
    for &(kind, date) in timeline {
        let label = kind.label();
        for i in 0..book.len() {
            let e = book.get(i);
            let Some((what, raised_due)) = Dated::of(&e.reason) else { continue };
            if what != kind || raised_due == date.due || !e.is_active() {
                continue;
            }
            match date.latest {
                Some(held) if held <= raised_due => book.close(
                    i,
                    format!(
                        "A {} on {}, in time for {}, was recorded.",
                        kind.noun(),
                        dmy(held),
                        dmy(raised_due)
                    ),
                ),
                Some(held) if held > raised_due => {
                    let late_by = calendar.working_days_between(raised_due, held).max(1);
                    book.done_late(
                        i,
                        format!(
                            "The {} was held on {}, {} after it was due by {}.",
                            kind.noun(),
                            dmy(held),
                            days(late_by),
                            dmy(raised_due)
                        ),
                    );
                }
                _ => book.close(
                    i,
                    format!("The plan's dates changed: the {} is now due by {}.", kind.noun(), dmy(date.due)),
                ),
            }
        }
        if !date.overdue {
            continue;
        }
        let required = overdue_level(date.working_days_overdue, key_worker_absent, &context.config.rules);
        let reason = kind.reason(date.due, date.working_days_overdue);
        match book.find(&reason) {
            None => {
                // Written only when raised: most sweeps raise nothing.
                let counted = match (kind, counted_from_start) {
                    (Dated::Meeting(_), Some(start)) => format!(
                        " No initial conference date is recorded: counted from the plan's start, {}.",
                        dmy(start)
                    ),
                    _ => String::new(),
                };
                book.raise(child_id, reason, required, None, &counted);
            }
            // Closed, yet overdue again for the same date: what closed it (the plan's end, or a
            // date that moved) no longer holds.
            Some(i) => book.keep_loud(
                i,
                reason,
                None,
                required,
                &format!("{label} overdue"),
                || {
                    format!(
                        "{label} overdue again for the due date of {}: what closed it no longer holds.",
                        dmy(date.due)
                    )
                },
                date.working_days_overdue,
                key_worker_absent,
            ),
        }
    }
}

/// The actions agreed on the plan in one sweep: an escalation for each past its due date and
/// not marked done, at the level an overdue visit would have; one marked done closes when done
/// by its due date, and asks a manager to confirm when done late. Actions agreed before the plan
/// started (on an earlier plan) are not followed. Returns the actions still overdue.
fn sweep_actions(
    book: &mut Book<'_, '_>,
    case: &ChildCase<'_>,
    plan: &shared::ProtectionPlan,
    key_worker_absent: bool,
    context: &SweepContext<'_>,
) -> HashSet<shared::AgreedActionId> {
    let calendar = context.calendar;
    let today = context.today;
    let (agreed, earlier): (Vec<_>, Vec<_>) =
        shared::timeline::agreed_actions(case.meetings, case.supervisions)
            .partition(|agreed| agreed.is_followed(Some(plan), today));
    // An action agreed on an earlier plan is no longer followed once a new plan starts, as the
    // child's page says: an escalation about it closes, saying why.
    for earlier in earlier {
        let probe = EscalationReason::ActionOverdue {
            action_id: earlier.action.id,
            due: earlier.action.due_on,
            working_days_overdue: 0,
            in_supervision: earlier.in_supervision,
        };
        if let Some(i) = book.find(&probe).filter(|i| book.get(*i).is_active()) {
            book.close(
                i,
                format!(
                    "The action was agreed on {}, on an earlier plan; the plan in force since {} is followed \
                     instead.",
                    dmy(earlier.on),
                    dmy(plan.registered_on)
                ),
            );
        }
    }
    let mut overdue = HashSet::new();
    for shared::timeline::Agreed { action, at, on, in_supervision } in agreed {
        let AgreedAction { id, due_on, .. } = *action;
        let done = case.actions_done.iter().filter(|d| d.action_id == id).map(|d| d.done_on).min();
        let probe = EscalationReason::ActionOverdue {
            action_id: id,
            due: due_on,
            working_days_overdue: 0,
            in_supervision,
        };
        let found = book.find(&probe);
        let held = found.filter(|i| book.get(*i).is_active());
        match (done, held) {
            (Some(done_on), Some(i)) if done_on <= due_on => book.close(
                i,
                format!("The action was marked done on {}, in time for {}.", dmy(done_on), dmy(due_on)),
            ),
            (Some(done_on), Some(i)) => {
                let late_by = calendar.working_days_between(due_on, done_on).max(1);
                book.done_late(
                    i,
                    format!(
                        "The action was marked done on {}, {} after it was due by {}.",
                        dmy(done_on),
                        days(late_by),
                        dmy(due_on)
                    ),
                );
            }
            (Some(_), None) => {}
            (None, _) if today <= due_on => {}
            (None, _) => {
                overdue.insert(id);
                let working_days_overdue =
                    u32::try_from(calendar.working_days_between(due_on, today).max(1)).unwrap_or(u32::MAX);
                let required = overdue_level(working_days_overdue, key_worker_absent, &context.config.rules);
                let reason = EscalationReason::ActionOverdue {
                    action_id: id,
                    due: due_on,
                    working_days_overdue,
                    in_supervision,
                };
                match found {
                    None => {
                        // Written only when raised: the history says which action, for the
                        // manager; the reason itself carries ids and dates only.
                        let what = format!(
                            " Agreed at the {} of {}: \"{}\", owned by {}.",
                            at.to_lowercase(),
                            dmy(on),
                            action.description.trim(),
                            action.owner.trim()
                        );
                        book.raise(case.child.id, reason, required, None, &what);
                    }
                    // Closed while not done (the plan ended, and the end was taken back).
                    Some(i) => book.keep_loud(
                        i,
                        reason,
                        None,
                        required,
                        "An agreed action overdue",
                        || "An agreed action overdue again: what closed it no longer holds.".to_owned(),
                        working_days_overdue,
                        key_worker_absent,
                    ),
                }
            }
        }
    }
    overdue
}

/// Records a manager's action on an escalation, or says what is wrong with it, by field.
///
/// - Only an open escalation can be acknowledged.
/// - Only managers acknowledge; a team manager what is at team-manager level or addressed to
///   them (a deputy), a senior manager anything.
/// - "Not seen alone" is answered by agreeing or disagreeing; a meeting, supervision or agreed
///   action overdue by an exception agreed, with its reason (what was agreed); everything else by a visit
///   arranged (today or later), duty cover assigned, or an exception agreed with its reason.
/// - "Can close" ([`EscalationAction::CloseConfirmed`]) only answers a request to confirm.
/// - An escalation about one visit (not seen, not seen alone, interpreting) closes with the
///   manager's answer: a later visit is checked on its own, and an overdue child is escalated
///   by the schedule. Anything about something overdue stays acknowledged until it is done.
///
/// The action is appended to the history with the manager's name (and, when it closes, a
/// closing entry after it); the earlier history stays.
pub fn acknowledge(
    escalation: &Escalation,
    action: EscalationAction,
    by: &Worker,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Escalation, Vec<FieldError>> {
    let mut errors = Vec::new();
    if !escalation.is_open() {
        errors.push(FieldError::new("status", "This escalation is no longer open."));
    }
    match by.role {
        Role::SeniorManager => {}
        Role::TeamManager
            if escalation.level == EscalationLevel::TeamManager || escalation.to == Some(by.id) => {}
        Role::TeamManager => errors.push(FieldError::new(
            "level",
            "This escalation has gone to a senior manager; a senior manager must act on it.",
        )),
        _ => errors.push(FieldError::new("action", "Only a manager can acknowledge an escalation.")),
    }
    let about_seen_alone = matches!(escalation.reason, EscalationReason::NotSeenAlone { .. });
    let about_timeline = Dated::of(&escalation.reason).is_some()
        || matches!(escalation.reason, EscalationReason::ActionOverdue { .. });
    match &action {
        EscalationAction::CloseConfirmed { explanation } => {
            if !escalation.awaiting_confirmation() {
                errors.push(FieldError::new(
                    "action",
                    "Nothing has asked to close this escalation. Record what was done instead.",
                ));
            }
            if explanation.trim().is_empty() {
                errors.push(FieldError::new("action.explanation", "Say why it can close."));
            }
        }
        EscalationAction::SeenAloneAgreed { reason } | EscalationAction::SeenAloneDisagreed { reason } => {
            if !about_seen_alone {
                errors.push(FieldError::new(
                    "action",
                    "Agree or disagree only answers 'not seen alone'. Record a visit arranged, duty cover or an exception.",
                ));
            }
            if reason.trim().is_empty() {
                errors.push(FieldError::new("action.reason", "Say why."));
            }
        }
        _ if about_seen_alone => errors.push(FieldError::new(
            "action",
            "Agree or disagree that the child need not have been seen alone.",
        )),
        EscalationAction::VisitArranged { .. } | EscalationAction::DutyCoverAssigned { .. } if about_timeline => {
            errors.push(FieldError::new(
                "action",
                "A meeting, supervision or action overdue is not answered by a visit or duty cover. Say what was agreed.",
            ))
        }
        EscalationAction::VisitArranged { date } => {
            if *date < today {
                errors.push(FieldError::new("action.date", "The arranged visit must be today or later."));
            }
        }
        EscalationAction::DutyCoverAssigned { .. } => {}
        EscalationAction::ExceptionAgreed { reason } => {
            if reason.trim().is_empty() {
                errors.push(FieldError::new("action.reason", "Say why an exception is agreed."));
            }
        }
    }
    for text in [&action].iter().filter_map(|a| match a {
        EscalationAction::ExceptionAgreed { reason }
        | EscalationAction::SeenAloneAgreed { reason }
        | EscalationAction::SeenAloneDisagreed { reason } => Some(reason),
        EscalationAction::CloseConfirmed { explanation } => Some(explanation),
        _ => None,
    }) {
        if text.chars().count() > MAX_MANAGER_TEXT {
            errors.push(FieldError::new(
                if matches!(action, EscalationAction::CloseConfirmed { .. }) {
                    "action.explanation"
                } else {
                    "action.reason"
                },
                format!("At most {MAX_MANAGER_TEXT} characters."),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut acknowledged = escalation.clone();
    let text = action.describe(&|id| if id == by.id { by.name.clone() } else { format!("worker {id}") });
    acknowledged.status = match &action {
        EscalationAction::CloseConfirmed { explanation } => EscalationStatus::Closed {
            explanation: format!("Closed by {}: {}", by.name, explanation.trim()),
            at: now,
        },
        _ => EscalationStatus::Acknowledged { action: action.clone(), by: by.id, at: now },
    };
    let settles =
        !escalation.reason.is_about_overdue() && !matches!(action, EscalationAction::CloseConfirmed { .. });
    let entry = |step: EscalationStep, text: String| EscalationEntry {
        at: now,
        on: today,
        step,
        level: escalation.level,
        to: escalation.to,
        by: Some(by.id),
        by_name: Some(by.name.clone()),
        text,
    };
    acknowledged.record(entry(EscalationStep::Acknowledged { action }, text));
    // An escalation about one visit is settled by the manager's answer: each later visit is
    // checked on its own, and the visit schedule by its own overdue escalation.
    if settles {
        let explanation = answered_one_visit(&by.name);
        acknowledged.status = EscalationStatus::Closed { explanation: explanation.clone(), at: now };
        acknowledged.record(entry(EscalationStep::Closed, explanation));
    }
    Ok(acknowledged)
}

/// Whether the sweep closed escalation `e`, about a visit not seen alone, because a standing
/// decision covered the visit: closed by the sweep, with no manager's answer since it was
/// last raised (a manager's answer or confirmation stands).
fn closed_as_covered(e: &Escalation) -> bool {
    matches!(e.reason, EscalationReason::NotSeenAlone { .. })
        && !e.is_active()
        && e.acknowledged_entry().is_none()
        && e.history.last().is_some_and(|last| last.step == EscalationStep::Closed && last.by.is_none())
}

/// Why a manager's answer closes an escalation about one visit; `by` names who answered.
fn answered_one_visit(by: &str) -> String {
    format!(
        "Answered by {by}. It was about this one visit: a later visit raises its own escalation, and an overdue \
         visit is escalated on its own."
    )
}

/// The longest reason or explanation a manager may give, in characters.
pub const MAX_MANAGER_TEXT: usize = 2000;

/// Checks a standing "seen alone" decision before it is recorded on `today`: a reason, dates
/// within two years of today (as every date a manager sends), an end on or after the start, and
/// at most [`MAX_DECISION_DAYS`] long (it is reviewed, not forgotten).
pub fn validate_seen_alone_decision(
    decision: &SeenAloneDecision,
    today: NaiveDate,
) -> Result<(), Vec<FieldError>> {
    let mut errors = Vec::new();
    check_manager_reason(&mut errors, &decision.reason, "Say why the child need not be seen alone.");
    let mut dates = shared::validation::ValidationErrors::default();
    shared::limits::check_date_near_today(&mut dates, "starts_on", decision.starts_on, today);
    shared::limits::check_date_near_today(&mut dates, "ends_on", decision.ends_on, today);
    if !dates.0.is_empty() {
        errors.extend(dates.0);
    } else if decision.ends_on < decision.starts_on {
        errors.push(FieldError::new("ends_on", "The decision must end on or after the day it starts."));
    } else if (decision.ends_on - decision.starts_on).num_days() > MAX_DECISION_DAYS {
        errors.push(FieldError::new(
            "ends_on",
            format!(
                "A standing decision lasts at most {MAX_DECISION_DAYS} days; record a new one to continue it."
            ),
        ));
    }
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}

/// Checks a manager's `reason` field: given (else `missing`), and at most
/// [`MAX_MANAGER_TEXT`] characters.
pub fn check_manager_reason(errors: &mut Vec<FieldError>, reason: &str, missing: &str) {
    let reason = reason.trim();
    if reason.is_empty() {
        errors.push(FieldError::new("reason", missing));
    } else if reason.chars().count() > MAX_MANAGER_TEXT {
        errors.push(FieldError::new("reason", format!("At most {MAX_MANAGER_TEXT} characters.")));
    }
}

/// The longest a standing "seen alone" decision may last: a year, so it is looked at again.
pub const MAX_DECISION_DAYS: i64 = 366;

/// A child whose statutory visit falls due while their key worker is away.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct DueDuringAbsence {
    /// The child.
    pub child_id: ChildId,
    /// The date the visit is due by (may be before the absence, if already overdue).
    pub due: NaiveDate,
    /// The child's due state today.
    pub state: DueState,
    /// Whether a duty worker already covers the child for the whole absence.
    pub covered: bool,
}

/// How far ahead to look when an absence has no expected end: two working weeks.
pub const OPEN_ENDED_ABSENCE_WORKING_DAYS: u32 = 10;

/// The last day of an absence, or two working weeks on when no end is expected.
pub fn absence_last_day(calendar: &Calendar, absence: &Absence) -> NaiveDate {
    absence
        .expected_end
        .unwrap_or_else(|| calendar.add_working_days(absence.starts_on, OPEN_ENDED_ABSENCE_WORKING_DAYS))
}

/// The absent worker's children whose visits fall due during the absence (or are already
/// overdue), most urgent first.
pub fn children_due_during<'a>(
    absence: &Absence,
    cases: impl IntoIterator<Item = (&'a Child, &'a [Visit])>,
    covers: &[CoverAssignment],
    calendar: &Calendar,
    rules: &ScheduleRules,
    today: NaiveDate,
) -> Vec<DueDuringAbsence> {
    let last_day = absence_last_day(calendar, absence);
    let mut due = Vec::new();
    for (child, visits) in cases {
        let Some(plan) = child.plan.as_ref() else { continue };
        if plan.key_worker != absence.worker_id || !plan.is_active_on(absence.starts_on.max(today)) {
            continue;
        }
        let due_by = next_visit_due(calendar, plan, last_seen(visits));
        if due_by > last_day {
            continue;
        }
        let covered = covers.iter().any(|c| {
            c.child_id == child.id && c.starts_on <= absence.starts_on.max(today) && c.ends_on >= last_day
        });
        due.push(DueDuringAbsence {
            child_id: child.id,
            due: due_by,
            state: due_state(calendar, rules, due_by, today),
            covered,
        });
    }
    due.sort_by_key(|d| (d.state.urgency_key(), d.child_id));
    due
}

/// Checks an absence before it is recorded.
pub fn validate_absence(absence: &Absence) -> Result<(), Vec<FieldError>> {
    let mut errors = Vec::new();
    if let Some(end) = absence.expected_end
        && end < absence.starts_on
    {
        errors.push(FieldError::new(
            "expected_end",
            "The expected end must be on or after the first day away.",
        ));
    }
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}

/// Checks a cover assignment against the child and the duty worker before it is recorded.
pub fn validate_cover(
    cover: &CoverAssignment,
    child: &Child,
    duty_worker: Option<&Worker>,
) -> Result<(), Vec<FieldError>> {
    let mut errors = Vec::new();
    if cover.ends_on < cover.starts_on {
        errors.push(FieldError::new("ends_on", "Cover must end on or after the day it starts."));
    }
    match duty_worker {
        None => errors.push(FieldError::new("duty_worker", "No such worker.")),
        Some(worker) if worker.role != Role::DutyWorker => {
            errors.push(FieldError::new("duty_worker", "Cover can only be assigned to a duty worker."))
        }
        Some(worker) if worker.id == cover.covering_for => {
            errors.push(FieldError::new("duty_worker", "A worker cannot cover for themselves."))
        }
        Some(_) => {}
    }
    match child.plan.as_ref() {
        None => errors.push(FieldError::new("child_id", "The child is not on a protection plan.")),
        Some(plan) if plan.key_worker != cover.covering_for => {
            errors.push(FieldError::new("covering_for", "This worker is not the child's key worker."))
        }
        Some(_) => {}
    }
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}

/// How many visits and quotes a handover carries.
pub const HANDOVER_RECENT_VISITS: usize = 5;
/// How many of the child's recent words a handover carries.
pub const HANDOVER_RECENT_WORDS: usize = 10;

/// What a duty worker needs before they knock: the plan with its harms and actions and the
/// communication needs (on the child), the last visits, the child's recent words, the open
/// escalations, and when the next visit is due.
pub fn build_handover(
    child: &Child,
    cover: Option<&CoverAssignment>,
    visits: &[Visit],
    escalations: &[Escalation],
    calendar: &Calendar,
) -> Handover {
    let mut current: Vec<&Visit> = current_revisions(visits);
    current.sort_by(|a, b| b.started_at.cmp(&a.started_at).then(b.id.cmp(&a.id)));
    let recent_words: Vec<DatedQuote> = current
        .iter()
        .flat_map(|v| v.child_words.iter().map(|q| DatedQuote { date: v.date(), text: q.text.clone() }))
        .take(HANDOVER_RECENT_WORDS)
        .collect();
    let recent_visits = current.iter().take(HANDOVER_RECENT_VISITS).map(|v| (*v).clone()).collect();
    let mut open_escalations: Vec<Escalation> = escalations.iter().filter(|e| e.is_open()).cloned().collect();
    open_escalations.sort_by_key(|e| e.raised_at);
    Handover {
        child: child.clone(),
        cover: cover.cloned(),
        recent_visits,
        recent_words,
        open_escalations,
        next_visit_due: child.plan.as_ref().map(|plan| next_visit_due(calendar, plan, last_seen(visits))),
        seen_alone_instruction: shared::SeenAloneInstruction::latest(escalations, current.iter().copied()),
    }
}

// ---------------------------------------------------------------------------------------------
// Running the sweep against the store.
// ---------------------------------------------------------------------------------------------

/// Settings for escalations, their delivery, and photo storage.
#[derive(Clone, Debug)]
pub struct OversightConfig {
    /// Grace periods, acknowledgement windows and the go-live date. The senior threshold N comes from
    /// [`crate::Config::rules`], so there is one source of truth for it.
    pub escalation: EscalationConfig,
    /// How often the whole service is swept (the time-based rules: overdue, not acknowledged).
    pub sweep_every: std::time::Duration,
    /// How often the change feed is checked for new visits, children and cover to sweep at once.
    pub poll_every: std::time::Duration,
    /// Where escalations are also sent, if anywhere.
    pub webhook: Option<crate::webhook::WebhookConfig>,
    /// Where photos are kept. `None`: uploads are refused (503).
    pub blob_dir: Option<std::path::PathBuf>,
    /// Limits on uploaded photos.
    pub photo_limits: shared::photo::PhotoLimits,
    /// Wakes the webhook deliverer, once started (it reads the durable outbox in the store).
    pub webhook_wake: std::sync::Arc<std::sync::OnceLock<std::sync::Arc<tokio::sync::Notify>>>,
}

impl Default for OversightConfig {
    fn default() -> Self {
        Self {
            escalation: EscalationConfig::default(),
            sweep_every: std::time::Duration::from_secs(300),
            poll_every: std::time::Duration::from_secs(2),
            webhook: None,
            blob_dir: None,
            photo_limits: shared::photo::PhotoLimits::default(),
            webhook_wake: Default::default(),
        }
    }
}

/// Sweeps the store: every child, or only `only`. Stores what changed, atomically and durably
/// (pull delivers it through the change feed, and the webhook outbox holds its notices), and
/// returns it.
///
/// **Two passes, so that a sweep never holds the service's writers off for long.** The first
/// reads every child without the writer lock and finds which have something to change; on
/// PostgreSQL each read is a round trip, and a full sweep of a large service under the lock
/// would hold every push off for as long as it took. The second opens one store transaction
/// and sweeps those children again, from what stands now, and writes: no push, import or
/// manager's decision lands between what it reads for a child and what it writes. A change
/// that lands after the first pass is in the change feed, so the next sweep of changed
/// children acts on it, as it would on one landing just after a sweep.
pub async fn sweep_service(
    store: &dyn Store,
    calendar: &shared::Calendar,
    config: &EscalationConfig,
    tz: shared::Tz,
    only: Option<&std::collections::BTreeSet<ChildId>>,
    now: DateTime<Utc>,
) -> Result<Vec<Escalation>, crate::store::StoreError> {
    let today = shared::authority_date(tz, now);
    let ids: Vec<ChildId> = match only {
        Some(ids) => ids.iter().copied().collect(),
        None => store.all_child_ids().await?,
    };
    let to_change = sweep_children(store, calendar, config, today, now, &ids).await?;
    if to_change.is_empty() {
        return Ok(Vec::new());
    }
    // Each child's changes come together, so this leaves each child once.
    let mut ids: Vec<ChildId> = to_change.iter().map(|change| change.escalation().child_id).collect();
    ids.dedup();

    let mut tx = store.transaction().await?;
    let changes = sweep_children(store, calendar, config, today, now, &ids).await?;
    let changed: Vec<Escalation> = changes.into_iter().map(EscalationChange::into_escalation).collect();
    for escalation in &changed {
        tx.put_escalation(escalation).await?;
    }
    tx.commit().await?;
    Ok(changed)
}

/// Applies every rule to each of `ids`, as the store stands, and returns what would change.
async fn sweep_children(
    store: &dyn Store,
    calendar: &shared::Calendar,
    config: &EscalationConfig,
    today: NaiveDate,
    now: DateTime<Utc>,
    ids: &[ChildId],
) -> Result<Vec<EscalationChange>, crate::store::StoreError> {
    let teams = store.teams().await?;
    let workers: Vec<Worker> = store.accounts().await?.into_iter().map(|a| a.worker).collect();
    let absences = store.absences().await?;
    let directory = Directory::new(&teams, &workers, &absences, today);
    let context = SweepContext { calendar, config, directory: &directory, now, today };
    let mut changes = Vec::new();
    for &id in ids {
        let Some(child) = store.child(id).await? else { continue };
        if child.plan.is_none() {
            continue;
        }
        let visits: Vec<Visit> =
            store.counted_visits_of_child(id).await?.into_iter().map(|s| s.visit).collect();
        let held = store.escalations_for_child(id).await?;
        let decisions = store.seen_alone_decisions(id).await?;
        let meetings = store.plan_meetings(id).await?;
        let supervisions = store.supervisions(id).await?;
        let actions_done = store.actions_done(id).await?;
        sweep_child(
            ChildCase {
                child: &child,
                visits: &visits,
                escalations: &held,
                seen_alone_decisions: &decisions,
                meetings: &meetings,
                supervisions: &supervisions,
                actions_done: &actions_done,
            },
            &context,
            &mut changes,
        );
    }
    Ok(changes)
}
