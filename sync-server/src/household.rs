//! Continuity of a case: the fields the service keeps on a child's record itself (the latest
//! change of key worker and the household's safety warnings), carried across imports; and the
//! safety-warning records, appended and ended, never edited or deleted.
//!
//! Safety warnings may describe an adult's behaviour: nothing here logs their details.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};
use shared::household::SafetyWarningEnd;
use shared::{Child, ChildId, Reallocation, SafetyWarning, SafetyWarningId};

use crate::store::{ChildChange, ChildSource, Store, StoreResult, Writes, key};

/// The incoming record (from an import or the demo seed) with the service's own fields carried
/// over from the stored record `old`. When the key worker changed, the reallocation is recorded,
/// dated `today`, with the number of key workers the child has had during the current plan
/// (`history` is read only then).
pub fn keep_service_fields(
    incoming: &Child,
    old: Option<&Child>,
    today: NaiveDate,
    history: impl FnOnce() -> StoreResult<Vec<ChildChange>>,
) -> StoreResult<Child> {
    let mut child = incoming.clone();
    let Some(old) = old else { return Ok(child) };
    child.reallocation = old.reallocation.clone();
    child.safety_warnings = old.safety_warnings.clone();
    let before = old.plan.as_ref().map(|p| p.key_worker);
    let after = child.plan.as_ref().map(|p| p.key_worker);
    if let (Some(from_worker), Some(to_worker)) = (before, after)
        && from_worker != to_worker
    {
        let mut records: Vec<Child> = history()?.into_iter().flat_map(|c| [c.before, c.after]).collect();
        records.push(old.clone());
        child.reallocation = Some(Reallocation {
            from_worker,
            to_worker,
            on: today,
            key_workers_during_plan: key_workers_during_plan(&child, &records),
        });
    }
    Ok(child)
}

/// Whether writing `incoming` over `stored` has anything for [`keep_service_fields`] to do:
/// fields to carry over (or to restore, when the incoming record names any), or a change of key
/// worker to record.
pub fn has_service_fields_to_keep(stored: &Child, incoming: &Child) -> bool {
    let key_worker = |c: &Child| c.plan.as_ref().map(|p| p.key_worker);
    stored.reallocation.is_some()
        || !stored.safety_warnings.is_empty()
        || incoming.reallocation.is_some()
        || !incoming.safety_warnings.is_empty()
        || (key_worker(stored).is_some()
            && key_worker(incoming).is_some()
            && key_worker(stored) != key_worker(incoming))
}

/// How many key workers `child` has had during its current plan: its key worker now, and each
/// key worker named on an earlier version of the record (`earlier`) of the same plan (the same
/// registration date). 0 when the child has no plan.
pub fn key_workers_during_plan(child: &Child, earlier: &[Child]) -> u32 {
    let Some(plan) = &child.plan else { return 0 };
    let mut workers = BTreeSet::from([plan.key_worker]);
    for record in earlier {
        if let Some(p) = &record.plan
            && p.registered_on == plan.registered_on
        {
            workers.insert(p.key_worker);
        }
    }
    workers.len() as u32
}

/// The household a warning recorded on `child` applies to: the child and each linked brother or
/// sister held here.
pub fn household_of(store: &Store, child: &Child) -> StoreResult<Vec<Child>> {
    let mut household = vec![child.clone()];
    for sibling in &child.sibling_ids {
        if let Some(sibling) = store.child(*sibling)? {
            household.push(sibling);
        }
    }
    Ok(household)
}

/// Every safety warning (in force or ended) on a child's household, oldest first.
pub fn warnings_for(store: &Store, child: ChildId) -> StoreResult<Vec<SafetyWarning>> {
    let mut warnings: Vec<SafetyWarning> = store
        .scan::<SafetyWarning>(&key("sw/", &[]))?
        .into_iter()
        .filter(|w| w.child_ids.contains(&child))
        .collect();
    for warning in &mut warnings {
        warning.ended = store.get(&key("swend/", &[warning.id.as_bytes()]))?;
    }
    warnings.sort_by_key(|w| (w.recorded_at, w.id));
    Ok(warnings)
}

/// One safety warning, with its end if it has one.
pub fn warning(store: &Store, id: SafetyWarningId) -> StoreResult<Option<SafetyWarning>> {
    let Some(mut warning) = store.get::<SafetyWarning>(&key("sw/", &[id.as_bytes()]))? else {
        return Ok(None);
    };
    warning.ended = store.get(&key("swend/", &[id.as_bytes()]))?;
    Ok(Some(warning))
}

/// The writes that record a new warning and put it on each household child's record (so it
/// reaches the phones that hold them at their next sync).
pub fn add_warning_writes(
    store: &Store,
    writes: &mut Writes,
    warning: &SafetyWarning,
    household: &[Child],
    at: DateTime<Utc>,
    today: NaiveDate,
) -> StoreResult<()> {
    writes.put(key("sw/", &[warning.id.as_bytes()]), warning)?;
    for child in household {
        let mut updated = child.clone();
        updated.safety_warnings.push(warning.clone());
        store.child_writes(writes, &updated, ChildSource::Service, at, today)?;
    }
    Ok(())
}

/// The writes that end a warning (appended; the warning is kept) and take it off each household
/// child's record.
pub fn end_warning_writes(
    store: &Store,
    writes: &mut Writes,
    warning: &SafetyWarning,
    end: &SafetyWarningEnd,
    at: DateTime<Utc>,
    today: NaiveDate,
) -> StoreResult<()> {
    writes.put(key("swend/", &[warning.id.as_bytes()]), end)?;
    for id in &warning.child_ids {
        if let Some(child) = store.child(*id)? {
            let mut updated = child.clone();
            updated.safety_warnings.retain(|w| w.id != warning.id);
            store.child_writes(writes, &updated, ChildSource::Service, at, today)?;
        }
    }
    Ok(())
}
