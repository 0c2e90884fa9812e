//! Whether a failed sign-in's timing tells a known username from an unknown one.
//!
//! `cargo bench -p sync-server --bench sign_in_timing`. In-process (the real router, no
//! socket), against a store seeded with the demo accounts, the lockout raised out of the way.
//! Attempts alternate between the three kinds so that load on the machine falls on all alike:
//! - a known username with a wrong password;
//! - an unknown username;
//! - a known worker who cannot sign in (no password set: known only from the central import).
//!
//! Prints the median, 10th and 90th percentile of each, and the difference of the medians.
//! `SIGN_IN_ROUNDS` sets the number of attempts of each kind (default 60).

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use shared::DeviceId;
use sync_server::store::Account;
use sync_server::{AppState, Config};
use tower::ServiceExt;

async fn attempt(app: &axum::Router, username: &str) -> Duration {
    let body = serde_json::json!({
        "username": username,
        "password": "not the password at all",
        "device_id": DeviceId::new(),
    });
    let request = Request::builder()
        .method("POST")
        .uri("/api/auth/login")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .expect("request");
    let started = Instant::now();
    let response = app.clone().oneshot(request).await.expect("router answers");
    let elapsed = started.elapsed();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{username}");
    elapsed
}

fn summary(name: &str, times: &mut [Duration]) -> Duration {
    times.sort();
    let at = |fraction: f64| times[((times.len() - 1) as f64 * fraction).round() as usize];
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{name:<40} median {:>7.2} ms   p10 {:>7.2} ms   p90 {:>7.2} ms   (n = {})",
        ms(at(0.5)),
        ms(at(0.1)),
        ms(at(0.9)),
        times.len()
    );
    at(0.5)
}

fn main() {
    if std::env::args().any(|a| a == "--test" || a == "--list") {
        return;
    }
    let rounds: usize = std::env::var("SIGN_IN_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(60);
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    runtime.block_on(async {
        let config = Config { login_max_failures: usize::MAX, ..Config::default() };
        let state = AppState::new(sync_server::store::temporary().expect("store"), &[7u8; 32], config);
        sync_server::demo::seed(state.store(), state.calendar(), state.today()).await.expect("seed");
        // A worker known only from the central import: an account with no password.
        let mut imported: Account = state.store().account_by_username("priya.field").await.unwrap().unwrap();
        imported.worker.id = shared::WorkerId::new();
        imported.username = "imported.only".into();
        imported.password_hash = None;
        state.store().put_account(&imported).await.expect("account");
        let app = sync_server::router(state);

        // Warm up (the dummy hash is made on first use).
        for _ in 0..3 {
            attempt(&app, "sam.social").await;
            attempt(&app, "nobody.warmup").await;
        }
        let (mut known, mut unknown, mut no_password) = (Vec::new(), Vec::new(), Vec::new());
        for round in 0..rounds {
            known.push(attempt(&app, "sam.social").await);
            unknown.push(attempt(&app, &format!("nobody.{round}")).await);
            no_password.push(attempt(&app, "imported.only").await);
        }
        let known = summary("known username, wrong password", &mut known);
        let unknown = summary("unknown username", &mut unknown);
        let no_password = summary("known worker with no password", &mut no_password);
        let ms = |a: Duration, b: Duration| (a.as_secs_f64() - b.as_secs_f64()) * 1000.0;
        println!("median difference, known - unknown:      {:+.2} ms", ms(known, unknown));
        println!("median difference, no password - unknown: {:+.2} ms", ms(no_password, unknown));
    });
}
