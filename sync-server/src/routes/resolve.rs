//! Resolving what sync could not decide alone: a visit held for a manager's review, and a
//! conflict between two versions of a visit.
//!
//! Both are append-only. The held or losing version is kept as it was; the resolution is a new
//! record (who, when, how, why), any new revision it makes is a new revision, and the audit
//! entry goes with them in one atomic batch, flushed before the answer.

use axum::extract::State;
use chrono::Utc;
use serde::Deserialize;
use shared::sync::ErrorBody;
use shared::{ChildId, FieldError, Visit, VisitId, VisitStatus};
use uuid::Uuid;

use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath};
use crate::routes::oversight::change_entry;
use crate::routes::review::may_review;
use crate::routes::wire;
use crate::scope::{self, MANAGERS};
use crate::store::prelude::*;
use crate::store::{ConflictKeep, ConflictResolution, FeedEntry, Resolution, ResolutionKind, StoredVisit};

/// The longest reason accepted, in characters.
pub const MAX_REASON_CHARS: usize = 2000;

/// How a manager resolves a held visit.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(tag = "how", rename_all = "snake_case", deny_unknown_fields)]
pub enum ResolveHow {
    /// It was about another child: link it to them.
    LinkToChild {
        /// The right child.
        child_id: ChildId,
    },
    /// Accept it for the child it names.
    Accept,
    /// It was entered in error: void it (it is kept).
    EnteredInError,
}

/// A manager's resolution of a held visit.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolveHeldRequest {
    /// The revision held (the visit's latest).
    pub revision: u32,
    /// How.
    pub resolution: ResolveHow,
    /// Why, in the manager's words (required, at most 2,000 characters).
    pub reason: String,
}

fn check_reason(reason: &str) -> Result<(), ApiError> {
    if reason.trim().is_empty() {
        return Err(ApiError::Validation(vec![FieldError::new("reason", "Say why.")]));
    }
    if reason.chars().count() > MAX_REASON_CHARS {
        return Err(ApiError::Validation(vec![FieldError::new(
            "reason",
            format!("Keep the reason under {MAX_REASON_CHARS} characters."),
        )]));
    }
    Ok(())
}

/// A new revision after `latest`, made by a resolution (the visit's worker stays its worker).
fn next_revision(
    latest: &Visit,
    content: &Visit,
    status: VisitStatus,
    why: String,
    now: chrono::DateTime<Utc>,
) -> Visit {
    Visit {
        id: latest.id,
        revision: latest.revision + 1,
        amends: Some(latest.revision),
        status,
        amendment_reason: Some(why),
        child_id: latest.child_id,
        worker_id: latest.worker_id,
        recorded_at: now,
        ..content.clone()
    }
}

/// Stores a revision a resolution made, held for review if `needs_review` says why, with the
/// references to the photos it names (as a push records them: the visit's worker's), so that
/// whoever may see the visit may see its photos.
async fn store_revision(
    store: &dyn Store,
    tx: &mut dyn Transaction,
    visit: Visit,
    needs_review: Option<String>,
    device: shared::DeviceId,
    team: Option<shared::TeamId>,
) -> Result<(), ApiError> {
    crate::photos::reference_writes(store, tx, &visit, visit.worker_id).await?;
    let stored =
        StoredVisit { visit, received_at: Utc::now(), device_id: device, needs_review, on_cover: false };
    tx.put_visit(&stored, team).await?;
    tx.feed(FeedEntry::Visits {
        child_id: stored.visit.child_id,
        revisions: vec![(stored.visit.id, stored.visit.revision)],
        workers: vec![stored.visit.worker_id],
    });
    Ok(())
}

/// The photos a merge names that its resolver may not: each that is in neither conflicting
/// version, and that the resolver neither uploaded nor may see (as a push checks them).
async fn merged_attachment_errors(
    store: &dyn Store,
    resolver: &shared::Worker,
    merged: &Visit,
    conflict: &crate::store::Conflict,
    today: chrono::NaiveDate,
) -> Result<Vec<FieldError>, ApiError> {
    let mut errors = Vec::new();
    for (index, attachment) in merged.attachments.iter().enumerate() {
        let in_either = (conflict.yours.attachments.iter())
            .chain(&conflict.server.attachments)
            .any(|a| a.sha256 == attachment.sha256);
        if in_either {
            continue;
        }
        let alone = Visit { attachments: vec![attachment.clone()], ..merged.clone() };
        if !crate::photos::attachment_errors(store, resolver, &alone, today).await?.is_empty() {
            errors.push(FieldError::new(
                format!("attachments[{index}].sha256"),
                crate::photos::NOT_YOURS_TO_ATTACH,
            ));
        }
    }
    Ok(errors)
}

/// Resolves a visit held for review: link it to the right child, accept it for the child it
/// names, or mark it entered in error. Each needs a reason. The held revision is kept; the
/// resolution (who, when, how, why) is recorded with its audit entry in one flushed batch.
/// Linking stores the visit again for the right child as a new revision; entered in error
/// stores a voiding revision. A held visit counts for nothing until it is resolved.
#[utoipa::path(post, path = "/api/review/{visit_id}/resolve", tag = "review", security(("bearer" = [])),
    params(("visit_id" = String, Path, description = "Visit id")), request_body = ResolveHeldRequest, responses(
    (status = 200, body = wire::Resolution), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody, description = "Managers only"),
    (status = 404, body = ErrorBody, description = "No such held visit, or not in your scope"),
    (status = 409, body = ErrorBody, description = "Already resolved"), (status = 410, body = ErrorBody),
    (status = 422, body = ErrorBody, description = "No reason, a child not in your scope, or the visit does not fit the child")))]
#[tracing::instrument(skip_all, fields(worker.id = %caller.id()))]
pub async fn resolve_held_visit(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(visit_id): ApiPath<VisitId>,
    ApiJson(request): ApiJson<ResolveHeldRequest>,
) -> Result<ApiJson<wire::Resolution>, ApiError> {
    scope::require_role(&caller.worker, &MANAGERS)?;
    let store = state.store();
    let today = state.today();
    // The business clock: on a training service the resolution is dated on its day.
    let now = state.now();
    let resolution = {
        let mut tx = store.transaction().await?;
        let item = store.review_item(visit_id, request.revision).await?.ok_or(ApiError::NotFound)?;
        if !may_review(store, &caller, &item, today).await? {
            return Err(ApiError::NotFound);
        }
        check_reason(&request.reason)?;
        if store.resolution(visit_id, request.revision).await?.is_some() {
            return Err(ApiError::Conflict("This held visit has already been resolved.".into()));
        }
        let held = store.visit(visit_id, request.revision).await?.ok_or(ApiError::NotFound)?;
        let latest = store.latest_revision(visit_id).await?.ok_or(ApiError::NotFound)?;
        if latest.visit.revision != request.revision {
            return Err(ApiError::Validation(vec![FieldError::new(
                "revision",
                format!("Revision {} is the latest: resolve that one.", latest.visit.revision),
            )]));
        }
        let reason = request.reason.trim().to_owned();
        let how = match request.resolution {
            ResolveHow::Accept => {
                if store.child(held.visit.child_id).await?.is_none() {
                    return Err(ApiError::Validation(vec![FieldError::new(
                        "resolution",
                        "The child this visit names is not in the central case list: link it to the right child, or mark it entered in error.",
                    )]));
                }
                ResolutionKind::Accepted
            }
            ResolveHow::LinkToChild { child_id } => {
                let not_found = || {
                    ApiError::Validation(vec![FieldError::new(
                        "resolution.child_id",
                        "No such child in your scope.",
                    )])
                };
                let child = store.child(child_id).await?.ok_or_else(not_found)?;
                if !scope::can_see_child(store, &caller.worker, &child, today).await? {
                    return Err(not_found());
                }
                if child_id == held.visit.child_id {
                    return Err(ApiError::Validation(vec![FieldError::new(
                        "resolution.child_id",
                        "This is the child the visit already names: accept it instead.",
                    )]));
                }
                let mut linked = next_revision(
                    &held.visit,
                    &held.visit,
                    VisitStatus::Amended,
                    format!("Linked to the right child by a manager: {reason}"),
                    now,
                );
                linked.child_id = child_id;
                if let Err(errors) = linked.validate(now, Some(&child)) {
                    return Err(ApiError::Validation(errors.0));
                }
                let new_revision = linked.revision;
                let team = child.plan.as_ref().map(|p| p.team);
                // The manager decided where it belongs: it counts for that child.
                store_revision(store, tx.as_mut(), linked, None, caller.device_id, team).await?;
                ResolutionKind::LinkedToChild { child_id, new_revision }
            }
            ResolveHow::EnteredInError => {
                let void = next_revision(
                    &held.visit,
                    &held.visit,
                    VisitStatus::EnteredInError,
                    format!("Entered in error (a manager's review): {reason}"),
                    now,
                );
                let new_revision = void.revision;
                store_revision(store, tx.as_mut(), void, None, caller.device_id, item.team).await?;
                ResolutionKind::EnteredInError { new_revision }
            }
        };
        // The held revision again, so devices holding it hear where it now stands.
        tx.feed(FeedEntry::Visits {
            child_id: held.visit.child_id,
            revisions: vec![(visit_id, request.revision)],
            workers: vec![held.visit.worker_id],
        });
        let resolution = Resolution {
            visit_id,
            revision: request.revision,
            child_id: held.visit.child_id,
            resolution: how,
            reason,
            by: caller.id(),
            role: caller.role(),
            at: now,
        };
        tx.put_resolution(&resolution).await?;
        let what = match &resolution.resolution {
            ResolutionKind::LinkedToChild { new_revision, .. } => {
                format!(
                    "held visit {visit_id} revision {} linked to another child as revision {new_revision}",
                    request.revision
                )
            }
            ResolutionKind::Accepted => {
                format!("held visit {visit_id} revision {} accepted", request.revision)
            }
            ResolutionKind::EnteredInError { new_revision } => {
                format!(
                    "held visit {visit_id} revision {} entered in error (revision {new_revision})",
                    request.revision
                )
            }
        };
        tx.audit(&change_entry(&caller, Some(held.visit.child_id), what)).await?;
        if let ResolutionKind::LinkedToChild { child_id, .. } = &resolution.resolution {
            tx.audit(&change_entry(
                &caller,
                Some(*child_id),
                format!("visit {visit_id} linked to this child from a review"),
            ))
            .await?;
        }
        tx.commit().await?;
        resolution
    };
    Ok(ApiJson(resolution.into()))
}

/// How a conflict is resolved.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolveConflictRequest {
    /// Keep the server's version, the device's version, or a merge of the two.
    pub keep: wire::ConflictKeep,
    /// For `merged`: the merged visit. Its identity (id, revision, child, worker) is set by the
    /// server; the rest is stored as the new revision.
    #[serde(default)]
    pub merged: Option<Box<Visit>>,
    /// Why, in the resolver's words (required, at most 2,000 characters).
    pub reason: String,
}

/// Resolves a conflict: keep the server's version, keep the device's, or store a merge. Keeping
/// the device's version or a merge stores it as a new revision of the visit (an amendment of
/// the latest); both conflicting versions stay in the conflict record. For the worker whose
/// device or visit it is, and for managers with the child in scope; others get 404.
#[utoipa::path(post, path = "/api/conflicts/{id}/resolve", tag = "review", security(("bearer" = [])),
    params(("id" = String, Path, description = "Conflict id")), request_body = ResolveConflictRequest, responses(
    (status = 200, body = wire::ConflictResolution), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody, description = "Administrators"),
    (status = 404, body = ErrorBody, description = "No such conflict, or not yours to resolve"),
    (status = 409, body = ErrorBody, description = "Already resolved"), (status = 410, body = ErrorBody),
    (status = 422, body = ErrorBody, description = "No reason, no merged version, or the version breaks a rule")))]
#[tracing::instrument(skip_all, fields(worker.id = %caller.id()))]
pub async fn resolve_conflict(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(request): ApiJson<ResolveConflictRequest>,
) -> Result<ApiJson<wire::ConflictResolution>, ApiError> {
    scope::require_role(&caller.worker, &scope::VISITING_ROLES)?;
    let store = state.store();
    let today = state.today();
    // The business clock: on a training service the resolution is dated on its day.
    let now = state.now();
    let resolution = {
        let mut tx = store.transaction().await?;
        let conflict = store.conflict(id).await?.ok_or(ApiError::NotFound)?;
        let child = store.child(conflict.child_id).await?;
        let own = conflict.worker_id == caller.id() || conflict.server.worker_id == caller.id();
        let managed = caller.worker.role.is_manager()
            && match &child {
                Some(child) => scope::can_see_child(store, &caller.worker, child, today).await?,
                None => false,
            };
        if !own && !managed {
            return Err(ApiError::NotFound);
        }
        check_reason(&request.reason)?;
        if store.conflict_resolution(id).await?.is_some() {
            return Err(ApiError::Conflict("This conflict has already been resolved.".into()));
        }
        let latest = store.latest_revision(conflict.visit_id).await?.ok_or(ApiError::NotFound)?;
        let reason = request.reason.trim().to_owned();
        let keep = ConflictKeep::from(request.keep);
        let content = match (keep, request.merged) {
            (ConflictKeep::Server, None) => None,
            (ConflictKeep::Yours, None) => Some(conflict.yours.clone()),
            (ConflictKeep::Merged, Some(merged)) => Some(*merged),
            (ConflictKeep::Merged, None) => {
                return Err(ApiError::Validation(vec![FieldError::new(
                    "merged",
                    "Send the merged version.",
                )]));
            }
            (_, Some(_)) => {
                return Err(ApiError::Validation(vec![FieldError::new(
                    "merged",
                    "Send a merged version only when keeping a merge.",
                )]));
            }
        };
        let mut new_revision = None;
        if let Some(content) = content {
            let status = if content.status == VisitStatus::EnteredInError {
                VisitStatus::EnteredInError
            } else {
                VisitStatus::Amended
            };
            let words = match keep {
                ConflictKeep::Yours => "keeping the device's version",
                _ => "merging both versions",
            };
            let revision = next_revision(
                &latest.visit,
                &content,
                status,
                format!("Conflict resolved, {words}: {reason}"),
                now,
            );
            if let Err(errors) = revision.validate(now, child.as_ref()) {
                return Err(ApiError::Validation(errors.0));
            }
            if keep == ConflictKeep::Merged {
                let errors =
                    merged_attachment_errors(store, &caller.worker, &revision, &conflict, today).await?;
                if !errors.is_empty() {
                    return Err(ApiError::Validation(errors));
                }
            }
            // Judged as a push judges every revision: a visit to a child its worker was not
            // allocated that day (or unknown, or whose plan was not in force) is held for a
            // manager's review, and counts for nothing until accepted. A conflict on a held
            // visit, resolved by its worker, does not make it count.
            let date = revision.date();
            let assigned = match (&child, store.worker(revision.worker_id).await?) {
                (Some(child), Some(worker)) => {
                    crate::sync::is_assigned(store, state.clock().time_zone(), &worker, child, date).await?
                }
                _ => false,
            };
            let needs_review = crate::sync::review_reason(child.as_ref(), assigned, date).map(|(why, _)| why);
            new_revision = Some(revision.revision);
            let team = child.as_ref().and_then(|c| c.plan.as_ref()).map(|p| p.team);
            store_revision(store, tx.as_mut(), revision, needs_review, caller.device_id, team).await?;
        }
        let resolution = ConflictResolution {
            conflict_id: id,
            visit_id: conflict.visit_id,
            keep,
            new_revision,
            reason,
            by: caller.id(),
            role: caller.role(),
            at: now,
        };
        tx.put_conflict_resolution(&resolution).await?;
        let what = match new_revision {
            Some(revision) => {
                format!("conflict {id} on visit {} resolved as revision {revision}", conflict.visit_id)
            }
            None => {
                format!("conflict {id} on visit {} resolved keeping the server's version", conflict.visit_id)
            }
        };
        tx.audit(&change_entry(&caller, Some(conflict.child_id), what)).await?;
        tx.commit().await?;
        resolution
    };
    Ok(ApiJson(resolution.into()))
}
