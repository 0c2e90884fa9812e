//! Escalations delivered to an outside relay (an e-mail or chat gateway) as signed JSON.
//!
//! **What is sent:** the escalation's id, the child's id (never a name), the reason's code and
//! dates, the level and the status. **Never** the child's words, names, or a manager's free
//! text: the relay is outside the service's walls. See [`EscalationNotice`].
//!
//! **Signing:** `X-Seen-Heard-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret,
//! "<t>.<body>")>`. The receiver recomputes it with the shared secret ([`verify`]) and refuses
//! old timestamps, so a captured delivery cannot be replayed later.
//!
//! **Retries:** a failed delivery (network error, timeout, 408, 429 or 5xx) is retried with
//! exponential back-off, doubling from [`WebhookConfig::initial_backoff`] up to
//! [`WebhookConfig::max_backoff`], at most [`WebhookConfig::max_attempts`] times. Any other 4xx
//! is the relay refusing the message for good, and is not retried.
//!
//! **Durable:** a notice is put in the store's outbox in the same atomic batch as the
//! escalation change it reports, and taken out only once the relay accepted it (or refused it
//! for good). A relay that is away longer than the retries is tried again later; a server that
//! stops first delivers the notice after it starts again. Delivery is at least once: a relay may
//! see a notice twice after a crash, and can tell by `escalation_id` and `status`.

use std::fmt;
use std::time::Duration;

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use shared::{ChildId, Escalation, EscalationId, EscalationLevel, EscalationReason, EscalationStatus};

/// The header carrying the signature.
pub const SIGNATURE_HEADER: &str = "x-seen-heard-signature";

/// Where and how to deliver.
#[derive(Clone)]
pub struct WebhookConfig {
    /// The relay's URL.
    pub url: String,
    /// The shared secret (never logged).
    pub secret: Vec<u8>,
    /// The most attempts per notice, the first included.
    pub max_attempts: u32,
    /// The wait before the first retry.
    pub initial_backoff: Duration,
    /// The longest wait between retries.
    pub max_backoff: Duration,
    /// How long one attempt may take.
    pub timeout: Duration,
}

impl WebhookConfig {
    /// Settings for `url` and `secret` with the default retry policy: 6 attempts over about 30
    /// seconds (0.5, 1, 2, 4, 8 seconds apart), 10 seconds per attempt.
    pub fn new(url: impl Into<String>, secret: impl Into<Vec<u8>>) -> Self {
        Self {
            url: url.into(),
            secret: secret.into(),
            max_attempts: 6,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            timeout: Duration::from_secs(10),
        }
    }

    /// How long a deliverer holds the notices it claimed: long enough to send ten of them with
    /// every retry, so no other server's deliverer takes one while it is still being sent.
    pub fn lease(&self) -> Duration {
        let one = (1..=self.max_attempts).map(|a| self.timeout + self.backoff(a)).sum::<Duration>();
        one.saturating_mul(10).max(Duration::from_secs(60))
    }

    /// The wait before attempt `attempt + 1`, after `attempt` failures (1-based).
    pub fn backoff(&self, attempt: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempt.saturating_sub(1));
        self.initial_backoff.saturating_mul(factor).min(self.max_backoff)
    }
}

impl fmt::Debug for WebhookConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookConfig")
            .field("url", &self.url)
            .field("secret", &"<redacted>")
            .field("max_attempts", &self.max_attempts)
            .field("initial_backoff", &self.initial_backoff)
            .field("max_backoff", &self.max_backoff)
            .finish()
    }
}

/// Where an escalation stands, without any free text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeStatus {
    /// Waiting for a manager.
    Open,
    /// A manager recorded an action.
    Acknowledged,
    /// Closed: by a manager, or by the system saying why.
    Closed,
}

/// The JSON body sent to the relay. It holds ids, codes and dates only.
///
/// **Wire format:** relays parse this; change only additively.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EscalationNotice {
    /// Always `escalation`.
    pub event: String,
    /// The escalation.
    pub escalation_id: EscalationId,
    /// The child, by id only.
    pub child_id: ChildId,
    /// Why, as a code with its dates and visit id.
    pub reason: EscalationReason,
    /// Plain words for the reason, with no child's name or words.
    pub summary: String,
    /// Who it is for.
    pub level: EscalationLevel,
    /// Where it stands.
    pub status: NoticeStatus,
    /// When it was first raised.
    pub raised_at: DateTime<Utc>,
    /// When it was last raised again, if it was.
    pub re_raised_at: Option<DateTime<Utc>>,
    /// This notice's number in the server's outbox: the same on every attempt to send it, and
    /// never given to another notice, so a relay that sees one twice (a server may send a
    /// notice again after a crash) can drop the repeat. Absent on a notice not sent from the
    /// outbox.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notice_id: Option<u64>,
}

impl EscalationNotice {
    /// The notice for an escalation as it now stands.
    pub fn from_escalation(escalation: &Escalation) -> Self {
        Self {
            event: "escalation".to_owned(),
            escalation_id: escalation.id,
            child_id: escalation.child_id,
            reason: escalation.reason.clone(),
            summary: escalation.reason.describe(),
            level: escalation.level,
            status: match escalation.status {
                EscalationStatus::Open => NoticeStatus::Open,
                EscalationStatus::Acknowledged { .. } => NoticeStatus::Acknowledged,
                EscalationStatus::Closed { .. } => NoticeStatus::Closed,
            },
            raised_at: escalation.raised_at,
            re_raised_at: escalation.re_raised_at,
            notice_id: None,
        }
    }
}

/// Why a delivery failed.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    /// The relay refused the notice for good (a 4xx other than 408 or 429).
    #[error("the relay refused the notice with HTTP {status}")]
    Refused {
        /// The status.
        status: u16,
    },
    /// Every attempt failed.
    #[error("gave up after {attempts} attempts; last: {last}")]
    GaveUp {
        /// How many attempts were made.
        attempts: u32,
        /// The last failure.
        last: String,
    },
    /// The notice could not be serialized (a fault of ours).
    #[error("could not serialize the notice: {0}")]
    Serialize(#[from] serde_json::Error),
}

impl WebhookError {
    /// Whether trying again later might succeed.
    pub fn is_transient(&self) -> bool {
        matches!(self, WebhookError::GaveUp { .. })
    }
}

type HmacSha256 = Hmac<Sha256>;

/// The signature header's value for `body` sent at `timestamp` (unix seconds).
pub fn sign(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    format!("t={timestamp},v1={}", hex::encode(mac(secret, timestamp, body).finalize().into_bytes()))
}

fn mac(secret: &[u8], timestamp: i64, body: &[u8]) -> HmacSha256 {
    let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// Checks a signature header for `body`, for receivers: the HMAC must match (compared in
/// constant time) and the timestamp be within `tolerance` of `now` (unix seconds).
pub fn verify(secret: &[u8], header: &str, body: &[u8], now: i64, tolerance: Duration) -> bool {
    let mut timestamp = None;
    let mut signature = None;
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", value)) => timestamp = value.parse::<i64>().ok(),
            Some(("v1", value)) => signature = hex::decode(value).ok(),
            _ => {}
        }
    }
    let (Some(timestamp), Some(signature)) = (timestamp, signature) else { return false };
    let tolerance = i64::try_from(tolerance.as_secs()).unwrap_or(i64::MAX);
    if (now - timestamp).abs() > tolerance {
        return false;
    }
    mac(secret, timestamp, body).verify_slice(&signature).is_ok()
}

/// Delivers notices to one relay.
#[derive(Clone, Debug)]
pub struct Webhook {
    client: reqwest::Client,
    config: WebhookConfig,
}

impl Webhook {
    /// A deliverer for `config`.
    pub fn new(config: WebhookConfig) -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder().timeout(config.timeout).build()?;
        Ok(Self { client, config })
    }

    /// The settings.
    pub fn config(&self) -> &WebhookConfig {
        &self.config
    }

    /// Delivers one notice, retrying as the module documentation says. Returns the number of
    /// attempts it took.
    pub async fn deliver(&self, notice: &EscalationNotice) -> Result<u32, WebhookError> {
        let body = serde_json::to_vec(notice)?;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let timestamp = Utc::now().timestamp();
            let result = self
                .client
                .post(&self.config.url)
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .header(SIGNATURE_HEADER, sign(&self.config.secret, timestamp, &body))
                .body(body.clone())
                .send()
                .await;
            let failure = match result {
                Ok(response) if response.status().is_success() => return Ok(attempt),
                Ok(response) => {
                    let status = response.status();
                    let retryable = status.is_server_error()
                        || status == reqwest::StatusCode::REQUEST_TIMEOUT
                        || status == reqwest::StatusCode::TOO_MANY_REQUESTS;
                    if !retryable {
                        return Err(WebhookError::Refused { status: status.as_u16() });
                    }
                    format!("HTTP {}", status.as_u16())
                }
                // reqwest's errors name the URL, not the body: safe to keep.
                Err(error) => error.to_string(),
            };
            if attempt >= self.config.max_attempts {
                return Err(WebhookError::GaveUp { attempts: attempt, last: failure });
            }
            tracing::warn!(escalation.id = %notice.escalation_id, attempt, %failure, "webhook delivery failed; retrying");
            tokio::time::sleep(self.config.backoff(attempt)).await;
        }
    }

    /// Starts the task that empties the store's durable outbox, oldest notice first: each one
    /// delivered, or refused for good by the relay (logged), is taken out; one that still fails
    /// after every retry stays, and is tried again after [`WebhookConfig::max_backoff`]. It
    /// wakes when `wake` is notified, and at least every minute.
    pub fn spawn_outbox(self, state: crate::AppState, wake: std::sync::Arc<tokio::sync::Notify>) {
        tokio::spawn(async move {
            loop {
                // Claimed, not just read: another server's deliverer sharing the store does not
                // send these too. A claim lapses after the lease if this server stops mid-way.
                let now = chrono::Utc::now();
                let lease =
                    chrono::Duration::from_std(self.config.lease()).unwrap_or(chrono::Duration::minutes(10));
                let pending = match state.store().claim_webhooks(10, now, now + lease).await {
                    Ok(pending) => pending,
                    Err(error) => {
                        tracing::error!(%error, "webhook outbox unreadable");
                        Vec::new()
                    }
                };
                if pending.is_empty() {
                    let _ = tokio::time::timeout(Duration::from_secs(60), wake.notified()).await;
                    continue;
                }
                let mut pending = pending.into_iter();
                while let Some((key, escalation)) = pending.next() {
                    let notice = EscalationNotice {
                        notice_id: Some(key.0),
                        ..EscalationNotice::from_escalation(&escalation)
                    };
                    let outcome = self.deliver(&notice).await;
                    match &outcome {
                        Ok(attempts) => {
                            tracing::debug!(escalation.id = %notice.escalation_id, attempts, "webhook delivered")
                        }
                        Err(error) => {
                            tracing::error!(escalation.id = %notice.escalation_id, %error, "webhook not delivered")
                        }
                    }
                    if outcome.as_ref().is_err_and(WebhookError::is_transient) {
                        // Given back, with the rest of this claim, for the next attempt.
                        for (id, _) in std::iter::once((key, escalation)).chain(pending.by_ref()) {
                            if let Err(error) = state.store().release_webhook(id).await {
                                tracing::error!(%error, "webhook outbox claim could not be released");
                            }
                        }
                        tokio::time::sleep(self.config.max_backoff).await;
                        break;
                    }
                    if let Err(error) = state.store().webhook_done(key).await {
                        tracing::error!(%error, "webhook outbox entry could not be removed");
                    }
                }
            }
        });
    }
}
