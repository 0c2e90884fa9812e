//! The crash test: the real server binary is killed with SIGKILL in the middle of pushes, 20
//! times over. After every restart, every visit the server acknowledged is there. On sled, and
//! on PostgreSQL (a throwaway cluster, see `pg_support`).

use std::collections::BTreeSet;
use std::time::Duration;

use serde_json::{Value, json};
use shared::DeviceId;

mod common;
mod pg_support;

const CYCLES: usize = 20;

async fn sign_in(client: &reqwest::Client, base: &str, device_id: DeviceId) -> (String, String) {
    let tokens: Value = client
        .post(format!("{base}/api/auth/login"))
        .json(&json!({"username": "sam.social", "password": "seen-and-heard-demo", "device_id": device_id}))
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("tokens");
    (
        tokens["access_token"].as_str().expect("token").to_owned(),
        tokens["worker"]["id"].as_str().expect("id").to_owned(),
    )
}

async fn present(client: &reqwest::Client, base: &str, access: &str, child: &str) -> BTreeSet<String> {
    let visits: Value = client
        .get(format!("{base}/api/children/{child}/visits"))
        .bearer_auth(access)
        .send()
        .await
        .expect("visits")
        .json()
        .await
        .expect("json");
    visits.as_array().expect("list").iter().map(|v| v["id"].as_str().expect("id").to_owned()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_acknowledged_visit_survives_sigkill() {
    acknowledged_visits_survive_sigkill(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_acknowledged_visit_survives_sigkill_on_postgres() {
    let url = tokio::task::block_in_place(|| pg_support::cluster().fresh_database());
    acknowledged_visits_survive_sigkill(Some(&url)).await;
}

async fn acknowledged_visits_survive_sigkill(database: Option<&str>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let client = reqwest::Client::builder().timeout(Duration::from_secs(20)).build().expect("client");
    let device_id = DeviceId::new();
    let child_id = sync_server::import::child_id_for("DEMO-0001").to_string();
    let mut acknowledged: BTreeSet<String> = BTreeSet::new();

    for cycle in 0..CYCLES {
        let (mut server, base) = common::spawn_server_binary_on(dir.path(), database);
        let (access, worker) = sign_in(&client, &base, device_id).await;
        let held = present(&client, &base, &access, &child_id).await;
        let missing: Vec<&String> = acknowledged.difference(&held).collect();
        assert!(missing.is_empty(), "cycle {cycle}: acknowledged visits lost: {missing:?}");

        // Push batches continuously; kill the server after a while, mid-push.
        let pusher = {
            let client = client.clone();
            let base = base.clone();
            let access = access.clone();
            let worker = worker.clone();
            let child = child_id.clone();
            tokio::spawn(async move {
                let mut acked = Vec::new();
                loop {
                    let visits: Vec<shared::Visit> = (0..25)
                        .map(|_| {
                            common::visit(
                                child.parse().expect("child id"),
                                worker.parse().expect("worker id"),
                            )
                        })
                        .collect();
                    let response = client
                        .post(format!("{base}/api/sync/push"))
                        .bearer_auth(&access)
                        .json(&json!({"protocol": 1, "device_id": device_id, "visits": visits}))
                        .send()
                        .await;
                    let Ok(response) = response else { break };
                    let Ok(body) = response.json::<Value>().await else { break };
                    for result in body["results"].as_array().into_iter().flatten() {
                        if result["outcome"] == "accepted" || result["outcome"] == "duplicate" {
                            acked.push(result["visit_id"].as_str().expect("id").to_owned());
                        }
                    }
                }
                acked
            })
        };
        tokio::time::sleep(Duration::from_millis(150 + (cycle as u64 * 37) % 300)).await;
        server.kill().expect("SIGKILL");
        server.wait().expect("reaped");
        let acked = pusher.await.expect("pusher");
        acknowledged.extend(acked);
    }

    let (mut server, base) = common::spawn_server_binary_on(dir.path(), database);
    let (access, _) = sign_in(&client, &base, device_id).await;
    let held = present(&client, &base, &access, &child_id).await;
    server.kill().expect("kill");
    let _ = server.wait();
    assert!(acknowledged.len() > CYCLES, "pushes were acknowledged between kills ({})", acknowledged.len());
    let missing: Vec<&String> = acknowledged.difference(&held).collect();
    assert!(missing.is_empty(), "acknowledged visits lost: {missing:?}");
}

/// A pull's cursor names a state the server keeps; it is on disk before the answer, so a server
/// killed straight after answering still knows it when the device pulls again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cursor_given_just_before_sigkill_is_known_after_the_restart() {
    let dir = tempfile::tempdir().expect("temp dir");
    let client = reqwest::Client::builder().timeout(Duration::from_secs(20)).build().expect("client");
    let device_id = DeviceId::new();
    for round in 0..3 {
        let (mut server, base) = common::spawn_server_binary(dir.path());
        let (access, _) = sign_in(&client, &base, device_id).await;
        let page: Value = client
            .get(format!("{base}/api/sync/pull?limit=5"))
            .bearer_auth(&access)
            .send()
            .await
            .expect("pull")
            .json()
            .await
            .expect("json");
        let cursor = page["cursor"].as_str().expect("cursor").to_owned();
        server.kill().expect("SIGKILL");
        server.wait().expect("reaped");

        let (mut server, base) = common::spawn_server_binary(dir.path());
        let (access, _) = sign_in(&client, &base, device_id).await;
        let next = client
            .get(format!("{base}/api/sync/pull?limit=5&cursor={cursor}"))
            .bearer_auth(&access)
            .send()
            .await
            .expect("pull");
        let status = next.status();
        let body = next.text().await.unwrap_or_default();
        server.kill().expect("stop");
        let _ = server.wait();
        assert_eq!(status, reqwest::StatusCode::OK, "round {round}: the cursor was lost: {body}");
    }
}
