//! Over real TCP on port 0 with reqwest: sign in, push, pull (gzip), then a graceful shutdown
//! that flushes, and the data is there when the store is opened again.

mod common;
mod sled_support;

use serde_json::{Value, json};
use shared::DeviceId;
use sync_server::demo::{self, DEMO_PASSWORD};
use sync_server::{AppState, Config};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_syncs_over_tcp_and_a_graceful_shutdown_keeps_everything() {
    let dir = tempfile::tempdir().unwrap();
    let store = sync_server::store::open(dir.path()).unwrap();
    let state = AppState::new(store, common::SECRET, Config::default());
    demo::seed(state.store(), state.calendar(), state.today()).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(sync_server::serve(listener, state.clone(), async {
        let _ = stopped.await;
    }));

    let client = reqwest::Client::new();
    let device_id = DeviceId::new();
    let tokens: Value = client
        .post(format!("{base}/api/auth/login"))
        .json(&json!({"username": "sam.social", "password": DEMO_PASSWORD, "device_id": device_id}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let access = tokens["access_token"].as_str().unwrap().to_owned();
    let ellie = state.store().child_by_central_id("DEMO-0001").await.unwrap().unwrap();
    let v = common::visit(ellie.id, tokens["worker"]["id"].as_str().unwrap().parse().unwrap());
    let pushed: Value = client
        .post(format!("{base}/api/sync/push"))
        .bearer_auth(&access)
        .json(&json!({"protocol": 1, "device_id": device_id, "visits": [v]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(pushed["results"][0]["outcome"], "accepted");

    let response = client.get(format!("{base}/api/sync/pull")).bearer_auth(&access).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let pulled: Value = response.json().await.unwrap();
    assert!(pulled["events"].as_array().unwrap().iter().any(|e| e["visit"]["id"] == v.id.to_string()));

    // Signing in succeeds again and again from one address: a right password is no failure.
    for _ in 0..6 {
        let status = client
            .post(format!("{base}/api/auth/login"))
            .json(
                &json!({"username": "tara.manager", "password": DEMO_PASSWORD, "device_id": DeviceId::new()}),
            )
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, 200);
    }
    // Rate limiting by address works over TCP: five failures from this address, then 429
    // even for another account.
    for _ in 0..5 {
        let status = client
            .post(format!("{base}/api/auth/login"))
            .json(&json!({"username": "nobody", "password": "wrong wrong", "device_id": DeviceId::new()}))
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, 401);
    }
    let status = client
        .post(format!("{base}/api/auth/login"))
        .json(&json!({"username": "tara.manager", "password": DEMO_PASSWORD, "device_id": DeviceId::new()}))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 429);

    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
    drop(state);
    // Waited for off the runtime: the server's connection tasks let go of the store on it.
    let path = dir.path().to_owned();
    let reopened = tokio::task::spawn_blocking(move || sled_support::reopen(&path)).await.unwrap();
    assert_eq!(reopened.visit(v.id, 1).await.unwrap().unwrap().visit, v);
}
