//! The service's glue around the escalation rules ([`crate::escalations::sweep_service`]): sweeps run
//! for the service's settings, the background sweeper, and the webhook deliverer's wake-up.

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use shared::{ChildId, Escalation};

use crate::AppState;
use crate::escalations::{self, EscalationConfig};
use crate::store::FeedEntry;

/// Sweeps the service's store with its settings: every child, or only `only`. Wakes the
/// webhook deliverer when anything changed, and returns what did.
pub async fn sweep_store(
    state: &AppState,
    only: Option<&BTreeSet<ChildId>>,
    now: DateTime<Utc>,
) -> Result<Vec<Escalation>, crate::store::StoreError> {
    let config = EscalationConfig { rules: state.config().rules, ..state.config().oversight.escalation };
    let tz = state.clock().time_zone();
    let changed = escalations::sweep_service(state.store(), state.calendar(), &config, tz, only, now).await?;
    if !changed.is_empty() {
        tracing::info!(changed = changed.len(), "escalation sweep stored changes");
        notify(state);
    }
    Ok(changed)
}

/// Wakes the webhook deliverer, if a relay is configured, starting it on first use (needs a
/// tokio runtime). The notices themselves were put in the store's durable outbox with the
/// escalations (see [`crate::store::Store::keep_webhook_outbox`]), so a server stopped before
/// it delivered sends them after it starts again.
pub fn notify(state: &AppState) {
    let oversight = &state.config().oversight;
    let Some(webhook) = oversight.webhook.as_ref() else { return };
    let wake = oversight.webhook_wake.get_or_init(|| {
        let wake = Arc::new(tokio::sync::Notify::new());
        match crate::webhook::Webhook::new(webhook.clone()) {
            Ok(hook) => {
                hook.spawn_outbox(state.clone(), wake.clone());
            }
            Err(error) => {
                tracing::error!(%error, "webhook client could not be built; escalations stay in the outbox")
            }
        }
        wake
    });
    wake.notify_one();
}

/// Starts the background sweeper: the whole service every
/// [`crate::escalations::OversightConfig::sweep_every`], and, every `poll_every`, the children
/// whose visits, record or cover changed since it last looked (so a pushed visit is acted on
/// within seconds).
pub fn spawn_sweeper(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let oversight = state.config().oversight.clone();
        let mut seen_seq = state.store().feed_head().await.unwrap_or(0);
        let mut full = tokio::time::interval(oversight.sweep_every);
        let mut poll = tokio::time::interval(oversight.poll_every);
        loop {
            tokio::select! {
                _ = full.tick() => {
                    seen_seq = state.store().feed_head().await.unwrap_or(seen_seq);
                    if let Err(error) = sweep_store(&state, None, state.now()).await {
                        tracing::error!(%error, "escalation sweep failed");
                    }
                }
                _ = poll.tick() => {
                    let head = match state.store().feed_head().await {
                        Ok(head) => head,
                        Err(error) => {
                            tracing::error!(%error, "reading the change feed failed");
                            continue;
                        }
                    };
                    if head == seen_seq {
                        continue;
                    }
                    let entries = match state.store().feed_since(seen_seq, 50_000).await {
                        Ok(entries) => entries,
                        Err(error) => {
                            tracing::error!(%error, "reading the change feed failed");
                            continue;
                        }
                    };
                    seen_seq = entries.last().map_or(head, |(seq, _)| *seq);
                    let touched: BTreeSet<ChildId> = entries
                        .iter()
                        .filter(|(_, e)| !matches!(e, FeedEntry::Escalation { .. }))
                        .flat_map(|(_, e)| e.child_ids().iter().copied())
                        .collect();
                    if !touched.is_empty()
                        && let Err(error) = sweep_store(&state, Some(&touched), state.now()).await
                    {
                        tracing::error!(%error, "escalation sweep after changes failed");
                    }
                }
            }
        }
    })
}
