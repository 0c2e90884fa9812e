//! Who may see which child: the one place the roles' scopes are decided.
//!
//! | role | sees |
//! |---|---|
//! | social worker | children whose key worker they are, while the plan is in force |
//! | duty worker | the same, plus children they cover, on the days of the cover only |
//! | team manager | every child held by their team, including closed cases |
//! | senior manager | every child |
//! | admin | no child |
//!
//! A duty worker does not read a manager's supervision of the case, nor the escalations about it
//! ([`may_read_escalation`]).
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
        Role::TeamManager => {
            worker.team.is_some() && child.plan.as_ref().is_some_and(|plan| Some(plan.team) == worker.team)
        }
        Role::SeniorManager => true,
        Role::Admin => false,
    })
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
        Role::TeamManager => match worker.team {
            Some(team) => store.children_of_team(team).await?,
            None => Vec::new(),
        },
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
