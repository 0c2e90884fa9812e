//! The escalation webhook against a real receiver on 127.0.0.1, port 0: signed, retried with
//! back-off, and carrying no child's words or names.

mod oversight_support;
mod sled_support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use oversight_support::*;
use shared::*;
use sync_server::webhook::{
    EscalationNotice, SIGNATURE_HEADER, Webhook, WebhookConfig, WebhookError, sign, verify,
};

const SECRET: &[u8] = b"relay-shared-secret-for-tests-only";

/// What the receiver saw.
#[derive(Default)]
struct Seen {
    attempts: u32,
    valid_bodies: Vec<serde_json::Value>,
    bad_signatures: u32,
}

/// The relay's shared state: what it saw, and how to answer each attempt.
type RelayState = (Arc<Mutex<Seen>>, Arc<Vec<StatusCode>>);

/// A relay that checks signatures and answers `answers[n]` to the n-th attempt (then 200).
async fn relay(answers: Vec<StatusCode>) -> (String, Arc<Mutex<Seen>>) {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let state = (seen.clone(), Arc::new(answers));
    let app = axum::Router::new()
        .route(
            "/hook",
            post(|State((seen, answers)): State<RelayState>, headers: HeaderMap, body: Bytes| async move {
                let mut seen = seen.lock().unwrap();
                let attempt = seen.attempts as usize;
                seen.attempts += 1;
                let signature = headers.get(SIGNATURE_HEADER).and_then(|v| v.to_str().ok()).unwrap_or("");
                let now = chrono::Utc::now().timestamp();
                if !verify(SECRET, signature, &body, now, Duration::from_secs(300)) {
                    seen.bad_signatures += 1;
                    return StatusCode::UNAUTHORIZED;
                }
                seen.valid_bodies.push(serde_json::from_slice(&body).unwrap());
                answers.get(attempt).copied().unwrap_or(StatusCode::OK)
            }),
        )
        .with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{address}/hook"), seen)
}

fn quick(url: &str, secret: &[u8]) -> WebhookConfig {
    WebhookConfig {
        max_attempts: 4,
        initial_backoff: Duration::from_millis(20),
        max_backoff: Duration::from_millis(100),
        ..WebhookConfig::new(url, secret)
    }
}

fn escalation() -> Escalation {
    Escalation {
        id: fixed(900),
        child_id: fixed(1),
        reason: EscalationReason::ChildNotSeen { visit_id: fixed(10) },
        level: EscalationLevel::TeamManager,
        to: Some(fixed(TEAM_MANAGER)),
        raised_at: utc("2026-03-10", 15),
        re_raised_at: None,
        history: Vec::new(),
        basis: None,
        status: EscalationStatus::Acknowledged {
            action: EscalationAction::ExceptionAgreed { reason: "Robin told me he is scared at home".into() },
            by: fixed(TEAM_MANAGER),
            at: utc("2026-03-10", 16),
        },
    }
}

#[tokio::test]
async fn a_failing_relay_is_retried_until_it_accepts_the_signed_notice() {
    let (url, seen) = relay(vec![StatusCode::SERVICE_UNAVAILABLE, StatusCode::BAD_GATEWAY]).await;
    let hook = Webhook::new(quick(&url, SECRET)).unwrap();
    let attempts = hook.deliver(&EscalationNotice::from_escalation(&escalation())).await.unwrap();
    assert_eq!(attempts, 3, "two failures, then delivered");
    let seen = seen.lock().unwrap();
    assert_eq!(seen.attempts, 3);
    assert_eq!(seen.bad_signatures, 0);
    let body = &seen.valid_bodies[2];
    assert_eq!(body["event"], "escalation");
    assert_eq!(body["child_id"], "00000000-0000-0000-0000-000000000001");
    assert_eq!(body["level"], "team_manager");
    assert_eq!(body["status"], "acknowledged");
    assert_eq!(body["reason"]["reason"], "child_not_seen");
}

#[tokio::test]
async fn the_notice_carries_no_names_and_no_words() {
    let (url, seen) = relay(vec![]).await;
    Webhook::new(quick(&url, SECRET))
        .unwrap()
        .deliver(&EscalationNotice::from_escalation(&escalation()))
        .await
        .unwrap();
    let seen = seen.lock().unwrap();
    let text = seen.valid_bodies[0].to_string();
    for private in ["Robin", "Testchild", "scared", "told me"] {
        assert!(!text.contains(private), "{private:?} leaked: {text}");
    }
    let keys: Vec<&str> = seen.valid_bodies[0].as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        vec![
            "child_id",
            "escalation_id",
            "event",
            "level",
            "raised_at",
            "re_raised_at",
            "reason",
            "status",
            "summary"
        ]
    );
}

#[tokio::test]
async fn a_relay_that_refuses_for_good_is_not_retried() {
    let (url, seen) = relay(vec![StatusCode::BAD_REQUEST]).await;
    let error = Webhook::new(quick(&url, SECRET))
        .unwrap()
        .deliver(&EscalationNotice::from_escalation(&escalation()))
        .await
        .unwrap_err();
    assert!(matches!(error, WebhookError::Refused { status: 400 }), "{error:?}");
    assert!(!error.is_transient());
    assert_eq!(seen.lock().unwrap().attempts, 1);
}

#[tokio::test]
async fn retries_are_bounded() {
    let (url, seen) = relay(vec![StatusCode::SERVICE_UNAVAILABLE; 10]).await;
    let error = Webhook::new(quick(&url, SECRET))
        .unwrap()
        .deliver(&EscalationNotice::from_escalation(&escalation()))
        .await
        .unwrap_err();
    assert!(matches!(error, WebhookError::GaveUp { attempts: 4, .. }), "{error:?}");
    assert_eq!(seen.lock().unwrap().attempts, 4);
}

#[tokio::test]
async fn a_notice_signed_with_the_wrong_secret_is_refused_by_the_relay() {
    let (url, seen) = relay(vec![]).await;
    let error = Webhook::new(quick(&url, b"not-the-shared-secret"))
        .unwrap()
        .deliver(&EscalationNotice::from_escalation(&escalation()))
        .await
        .unwrap_err();
    assert!(matches!(error, WebhookError::Refused { status: 401 }));
    assert_eq!(seen.lock().unwrap().bad_signatures, 1);
}

#[test]
fn signatures_fail_on_a_changed_body_or_an_old_timestamp() {
    let body = br#"{"event":"escalation"}"#;
    let header = sign(SECRET, 1_700_000_000, body);
    assert!(verify(SECRET, &header, body, 1_700_000_010, Duration::from_secs(300)));
    assert!(!verify(SECRET, &header, br#"{"event":"escalation!"}"#, 1_700_000_010, Duration::from_secs(300)));
    assert!(!verify(SECRET, &header, body, 1_700_001_000, Duration::from_secs(300)), "replayed later");
    assert!(!verify(SECRET, "t=1700000000", body, 1_700_000_010, Duration::from_secs(300)));
}

#[test]
fn back_off_doubles_up_to_its_ceiling() {
    let config = WebhookConfig::new("http://127.0.0.1:9/", SECRET.to_vec());
    let waits: Vec<_> = (1..=8).map(|n| config.backoff(n).as_millis()).collect();
    assert_eq!(waits, vec![500, 1000, 2000, 4000, 8000, 16000, 30000, 30000]);
}

/// The outbox is durable: a notice written with its escalation while the relay is away is still
/// there after the server stops, and a server started on the same directory delivers it, once.
#[tokio::test]
async fn a_notice_the_relay_did_not_get_before_a_restart_is_delivered_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = sync_server::Config::default();
    config.oversight.webhook = Some(quick("http://127.0.0.1:9/hook", SECRET));
    {
        // The relay is down: the escalation is stored with its notice in the outbox.
        let store = sync_server::store::open(dir.path()).unwrap();
        let state = sync_server::AppState::new(
            store,
            b"a test secret that is long enough for hs256!",
            config.clone(),
        );
        state.store().put_escalations(&[escalation()]).await.unwrap();
        assert_eq!(state.store().pending_webhooks(10).await.unwrap().len(), 1, "kept until delivered");
    }
    // The server starts again; the relay is back.
    let (url, seen) = relay(vec![]).await;
    config.oversight.webhook = Some(quick(&url, SECRET));
    let store = sled_support::reopen(dir.path());
    let state = sync_server::AppState::new(store, b"a test secret that is long enough for hs256!", config);
    assert_eq!(state.store().pending_webhooks(10).await.unwrap().len(), 1, "the outbox survived the restart");
    sync_server::sweeper::notify(&state);
    for _ in 0..200 {
        if state.store().pending_webhooks(10).await.unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(state.store().pending_webhooks(10).await.unwrap().is_empty(), "delivered and taken out");
    let seen = seen.lock().unwrap();
    assert_eq!(seen.valid_bodies.len(), 1, "delivered once");
    assert_eq!(seen.valid_bodies[0]["escalation_id"], serde_json::json!(escalation().id));
}

/// Two servers sharing one store each run a deliverer: every notice reaches the relay once,
/// not once per server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_on_one_store_deliver_each_notice_once() {
    let (url, seen) = relay(vec![]).await;
    // Each server has its own configuration, and so its own deliverer.
    let config = || {
        let mut config = sync_server::Config::default();
        config.oversight.webhook = Some(quick(&url, SECRET));
        config
    };
    let store = sync_server::store::temporary().unwrap();
    let secret = b"a test secret that is long enough for hs256!";
    let first = sync_server::AppState::new(store.clone(), secret, config());
    let second = sync_server::AppState::new(store.clone(), secret, config());
    let escalations: Vec<Escalation> = (0..40u128)
        .map(|n| Escalation { id: fixed(2000 + n), child_id: fixed(3000 + n), ..escalation() })
        .collect();
    store.put_escalations(&escalations).await.unwrap();
    sync_server::sweeper::notify(&first);
    sync_server::sweeper::notify(&second);
    for _ in 0..500 {
        if store.pending_webhooks(100).await.unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(store.pending_webhooks(100).await.unwrap().is_empty(), "all delivered");
    tokio::time::sleep(Duration::from_millis(200)).await;
    let seen = seen.lock().unwrap();
    let mut ids: Vec<String> =
        seen.valid_bodies.iter().map(|b| b["escalation_id"].as_str().unwrap().to_owned()).collect();
    ids.sort();
    let received = ids.len();
    ids.dedup();
    assert_eq!((received, ids.len()), (40, 40), "each of the 40 notices once");
    let mut numbers: Vec<u64> = seen.valid_bodies.iter().map(|b| b["notice_id"].as_u64().unwrap()).collect();
    numbers.dedup();
    assert_eq!(numbers.len(), 40, "each with its own number, for a relay to drop a repeat by");
}
