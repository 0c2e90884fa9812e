//! Who may see which child: the one place the roles' scopes are decided.
//!
//! | role | sees |
//! |---|---|
//! | social worker | children whose key worker they are, while the plan is in force |
//! | duty worker | the same, plus children they cover, on the days of the cover only |
//! | team manager | every child held by their team, including closed cases; and, as a deputy, each child of another team with an escalation sent to them and not closed |
//! | senior manager | every child |
//! | admin | no child |
//!
//! A duty worker does not read a manager's supervision of the case, nor the escalations about it
//! ([`may_read_escalation`]).
//!
//! A team manager named deputy for another team is sent that team's escalations while its
//! manager is away, and keeps them until they close. They see each of those children (the
//! record, the history and the plan, to act without starting again), for as long as an
//! escalation about them is theirs and not closed (one they have acted on included); not the
//! rest of that team, and not in their own team's reports ([`in_reports_of`]).
//!
//! **Invariant:** anything outside the caller's scope answers [`ApiError::NotFound`], with the
//! same body as a child that does not exist, so a refusal reveals nothing.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use shared::{Child, ChildId, Escalation, Role, Worker};

use crate::error::ApiError;
use crate::store::{Store, StoreResult};

/// Whether a child is on this worker's own caseload on `date`: they are the key worker and the
/// plan is in force (up to and including the day of de-registration).
pub fn on_own_caseload(worker: &Worker, child: &Child, date: NaiveDate) -> bool {
    child.plan.as_ref().is_some_and(|plan| {
        plan.key_worker == worker.id && plan.deregistered_on.is_none_or(|end| date <= end)
    })
}

/// Whether `worker` may see `child` on `date`.
pub async fn can_see_child(
    store: &dyn Store,
    worker: &Worker,
    child: &Child,
    date: NaiveDate,
) -> StoreResult<bool> {
    Ok(match worker.role {
        Role::SocialWorker => on_own_caseload(worker, child, date),
        Role::DutyWorker => {
            on_own_caseload(worker, child, date) || store.is_covering(worker.id, child.id, date).await?
        }
        Role::TeamManager => in_own_team(worker, child) || deputising_for(store, worker, child.id).await?,
        Role::SeniorManager => true,
        Role::Admin => false,
    })
}

/// Whether the child is held by `worker`'s own team.
pub fn in_own_team(worker: &Worker, child: &Child) -> bool {
    worker.team.is_some() && child.plan.as_ref().is_some_and(|plan| Some(plan.team) == worker.team)
}

/// Whether a child the caller may see counts in their reports, desk and figures: a team
/// manager's are their own team's, not the children they see as another team's deputy.
pub fn in_reports_of(worker: &Worker, child: &Child) -> bool {
    worker.role != Role::TeamManager || in_own_team(worker, child)
}

/// Whether an escalation about the child, open or acted on and not yet closed, is sent to
/// `worker` (a deputy for its team).
async fn deputising_for(store: &dyn Store, worker: &Worker, child: ChildId) -> StoreResult<bool> {
    Ok(store.escalations_for_child(child).await?.iter().any(|e| e.is_active() && e.to == Some(worker.id)))
}

/// The child, if it exists and `worker` may see it on `date`; otherwise [`ApiError::NotFound`].
pub async fn visible_child(
    store: &dyn Store,
    worker: &Worker,
    child_id: ChildId,
    date: NaiveDate,
) -> Result<Child, ApiError> {
    match store.child(child_id).await? {
        Some(child) if can_see_child(store, worker, &child, date).await? => Ok(child),
        _ => Err(ApiError::NotFound),
    }
}

/// Every child `worker` may see on `date`.
pub async fn children_in_scope(
    store: &dyn Store,
    worker: &Worker,
    date: NaiveDate,
) -> StoreResult<BTreeSet<ChildId>> {
    let candidates: Vec<ChildId> = match worker.role {
        Role::SocialWorker => store.children_of_key_worker(worker.id).await?,
        Role::DutyWorker => {
            let mut ids = store.children_of_key_worker(worker.id).await?;
            ids.extend(
                store
                    .covers_for_duty_worker(worker.id)
                    .await?
                    .iter()
                    .filter(|c| c.is_active_on(date))
                    .map(|c| c.child_id),
            );
            ids
        }
        Role::TeamManager => {
            let mut ids = match worker.team {
                Some(team) => store.children_of_team(team).await?,
                None => Vec::new(),
            };
            // As a deputy: the children of other teams whose escalations are theirs, until closed.
            ids.extend(
                store
                    .escalations()
                    .await?
                    .iter()
                    .filter(|e| e.is_active() && e.to == Some(worker.id))
                    .map(|e| e.child_id),
            );
            ids
        }
        Role::SeniorManager => return Ok(store.all_child_ids().await?.into_iter().collect()),
        Role::Admin => Vec::new(),
    };
    let mut scope = BTreeSet::new();
    for id in candidates {
        if let Some(child) = store.child(id).await?
            && can_see_child(store, worker, &child, date).await?
        {
            scope.insert(id);
        }
    }
    Ok(scope)
}

/// Refuses (403) a role that may never use an endpoint. Child-specific endpoints answer 404
/// instead, through [`visible_child`].
pub fn require_role(worker: &Worker, allowed: &[Role]) -> Result<(), ApiError> {
    if allowed.contains(&worker.role) { Ok(()) } else { Err(ApiError::Forbidden) }
}

/// The roles that push visits.
pub const VISITING_ROLES: [Role; 4] =
    [Role::SocialWorker, Role::DutyWorker, Role::TeamManager, Role::SeniorManager];
/// The managers.
pub const MANAGERS: [Role; 2] = [Role::TeamManager, Role::SeniorManager];

/// Whether `worker` may read `escalation` about a child in their scope: every one, except that a
/// duty worker covering visits does not read what is about a manager's supervision of the case
/// (supervision overdue, or an action agreed in it), as they do not read the supervision.
pub fn may_read_escalation(worker: &Worker, escalation: &Escalation) -> bool {
    !(worker.role == Role::DutyWorker && escalation.reason.is_about_supervision())
}
