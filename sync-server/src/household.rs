//! Continuity of a case: the fields the service keeps on a child's record itself (the latest
//! change of key worker and the household's safety warnings), carried across imports; and the
//! safety-warning records, appended and ended, never edited or deleted.
//!
//! Safety warnings may describe an adult's behaviour: nothing here logs their details.

use chrono::{DateTime, NaiveDate, Utc};
use shared::household::SafetyWarningEnd;
use shared::{Child, ChildId, SafetyWarning, SafetyWarningId};

use crate::store::prelude::*;
use crate::store::{ChildSource, StoreResult};

pub use shared::household::{has_service_fields_to_keep, keep_service_fields, key_workers_during_plan};

/// The household a warning recorded on `child` applies to: the child and each linked brother or
/// sister held here.
pub async fn household_of(store: &dyn Store, child: &Child) -> StoreResult<Vec<Child>> {
    let mut household = vec![child.clone()];
    for sibling in &child.sibling_ids {
        if let Some(sibling) = store.child(*sibling).await? {
            household.push(sibling);
        }
    }
    Ok(household)
}

/// Every safety warning (in force or ended) on a child's household, oldest first.
pub async fn warnings_for(store: &dyn Store, child: ChildId) -> StoreResult<Vec<SafetyWarning>> {
    let mut warnings: Vec<SafetyWarning> =
        store.safety_warnings().await?.into_iter().filter(|w| w.child_ids.contains(&child)).collect();
    for warning in &mut warnings {
        warning.ended = store.safety_warning_end(warning.id).await?;
    }
    warnings.sort_by_key(|w| (w.recorded_at, w.id));
    Ok(warnings)
}

/// One safety warning, with its end if it has one.
pub async fn warning(store: &dyn Store, id: SafetyWarningId) -> StoreResult<Option<SafetyWarning>> {
    let Some(mut warning) = store.safety_warning(id).await? else {
        return Ok(None);
    };
    warning.ended = store.safety_warning_end(id).await?;
    Ok(Some(warning))
}

/// The writes that record a new warning and put it on each household child's record (so it
/// reaches the phones that hold them at their next sync).
pub async fn add_warning_writes(
    tx: &mut dyn Transaction,
    warning: &SafetyWarning,
    household: &[Child],
    at: DateTime<Utc>,
    today: NaiveDate,
) -> StoreResult<()> {
    tx.put_safety_warning(warning).await?;
    for child in household {
        let mut updated = child.clone();
        updated.safety_warnings.push(warning.clone());
        tx.put_child(&updated, ChildSource::Service, at, today).await?;
    }
    Ok(())
}

/// The writes that end a warning (appended; the warning is kept) and take it off each household
/// child's record.
pub async fn end_warning_writes(
    store: &dyn Store,
    tx: &mut dyn Transaction,
    warning: &SafetyWarning,
    end: &SafetyWarningEnd,
    at: DateTime<Utc>,
    today: NaiveDate,
) -> StoreResult<()> {
    tx.put_safety_warning_end(warning.id, end).await?;
    for id in &warning.child_ids {
        if let Some(child) = store.child(*id).await? {
            let mut updated = child.clone();
            updated.safety_warnings.retain(|w| w.id != warning.id);
            tx.put_child(&updated, ChildSource::Service, at, today).await?;
        }
    }
    Ok(())
}
