//! The crash test: the real server binary is killed with SIGKILL in the middle of pushes, 20
//! times over. After every restart, every visit the server acknowledged is there. On sled, and
//! on PostgreSQL (a throwaway cluster, see `pg_support`).

use std::collections::BTreeSet;
use std::time::Duration;

use serde_json::{Value, json};
use shared::{DeviceId, Visit};

mod common;
mod pg_support;

const CYCLES: usize = 20;

async fn sign_in(client: &reqwest::Client, base: &str, device_id: DeviceId) -> (String, String) {
    let (_, tokens) = sign_in_with(client, base, "sam.social", "seen-and-heard-demo", device_id).await;
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

/// Signs `username` in on `base` from a new device; answers the status and the body.
async fn sign_in_as(
    client: &reqwest::Client,
    base: &str,
    username: &str,
    password: &str,
) -> (reqwest::StatusCode, Value) {
    sign_in_with(client, base, username, password, DeviceId::new()).await
}

/// Signs `username` in on `base` from `device`; answers the status and the body.
async fn sign_in_with(
    client: &reqwest::Client,
    base: &str,
    username: &str,
    password: &str,
    device: DeviceId,
) -> (reqwest::StatusCode, Value) {
    let response = client
        .post(format!("{base}/api/auth/login"))
        .json(&json!({"username": username, "password": password, "device_id": device}))
        .send()
        .await
        .expect("login");
    (response.status(), response.json().await.unwrap_or(Value::Null))
}

async fn push(
    client: &reqwest::Client,
    base: &str,
    access: &str,
    device: DeviceId,
    visit: &shared::Visit,
) -> Value {
    client
        .post(format!("{base}/api/sync/push"))
        .bearer_auth(access)
        .json(&json!({"protocol": shared::sync::PROTOCOL_VERSION, "device_id": device, "visits": [visit]}))
        .send()
        .await
        .expect("push")
        .json()
        .await
        .expect("push answer")
}

/// Pulls everything from `cursor` on; answers the events and the next cursor.
async fn pull(
    client: &reqwest::Client,
    base: &str,
    access: &str,
    cursor: Option<&str>,
) -> (Vec<Value>, String) {
    let mut cursor = cursor.map(str::to_owned);
    let mut events = Vec::new();
    loop {
        let mut request = client.get(format!("{base}/api/sync/pull")).bearer_auth(access);
        if let Some(c) = &cursor {
            request = request.query(&[("cursor", c)]);
        }
        let page: Value = request.send().await.expect("pull").json().await.expect("pull answer");
        events.extend(page["events"].as_array().expect("events").iter().cloned());
        cursor = page["cursor"].as_str().map(str::to_owned);
        if page["more"] != json!(true) {
            return (events, cursor.expect("a cursor"));
        }
    }
}

fn has_visit(events: &[Value], id: shared::VisitId) -> bool {
    events.iter().any(|e| e["type"] == "visit" && e["visit"]["id"] == json!(id))
}

/// A webhook relay on a loopback port that keeps every notice it is sent.
async fn relay() -> (String, std::sync::Arc<std::sync::Mutex<Vec<Value>>>) {
    let received = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let keep = received.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |body: axum::body::Bytes| {
            let keep = keep.clone();
            async move {
                keep.lock().unwrap().push(serde_json::from_slice::<Value>(&body).unwrap_or(Value::Null));
                axum::http::StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{address}/hook"), received)
}

/// Two server processes on one PostgreSQL database, with no sticky sessions: a device pushes
/// to one and pulls from the other, its cursor good on either; sign-in failures count across
/// both; a photo uploaded to one is served by the other (the blob directory is shared); a
/// missed visit is escalated once, although both run the sweep; and each escalation's webhook
/// notice reaches the relay once, although both run a deliverer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_on_one_postgres_database_serve_one_service() {
    let url = tokio::task::block_in_place(|| pg_support::cluster().fresh_database());
    let shared_dir = tempfile::tempdir().expect("temp dir");
    let client = reqwest::Client::builder().timeout(Duration::from_secs(20)).build().expect("client");
    let (hook, received) = relay().await;
    let settings = [
        ("SEEN_AND_HEARD_WEBHOOK_URL", hook.as_str()),
        ("SEEN_AND_HEARD_WEBHOOK_SECRET", "a webhook secret of at least thirty-two bytes"),
    ];
    // The first seeds the demo data; the second starts on a seeded database.
    // Killed when dropped, so a failing assertion does not leave two servers running.
    let (first, a) = common::spawn_server_binary_with(shared_dir.path(), Some(&url), &settings);
    let _first = KillOnDrop(first);
    let (second, b) = common::spawn_server_binary_with(shared_dir.path(), Some(&url), &settings);
    let _second = KillOnDrop(second);

    let device = DeviceId::new();
    let (_, tokens) = sign_in_with(&client, &a, "sam.social", "seen-and-heard-demo", device).await;
    let access = tokens["access_token"].as_str().expect("token").to_owned();
    let sam: shared::WorkerId = serde_json::from_value(tokens["worker"]["id"].clone()).expect("id");
    let child = sync_server::import::child_id_for("DEMO-0001");

    // Push to the first, pull from the second; push to the second, pull from the first with
    // the cursor the second gave.
    let (_, cursor) = pull(&client, &b, &access, None).await;
    let one = common::visit(child, sam);
    assert_eq!(push(&client, &a, &access, device, &one).await["results"][0]["outcome"], "accepted");
    let (events, cursor) = pull(&client, &b, &access, Some(&cursor)).await;
    assert!(has_visit(&events, one.id), "the second server has the visit pushed to the first");
    let two = common::visit(child, sam);
    assert_eq!(push(&client, &b, &access, device, &two).await["results"][0]["outcome"], "accepted");
    let (events, _) = pull(&client, &a, &access, Some(&cursor)).await;
    assert!(has_visit(&events, two.id), "a cursor from one server is good on the other");
    assert!(!has_visit(&events, one.id), "and it carries on from where it was");

    // A photo uploaded to the first is served by the second.
    let photo = common::test_photo(3);
    let put = client
        .put(format!("{a}/api/blobs/{}", photo.sha256))
        .bearer_auth(&access)
        .header("content-type", "image/jpeg")
        .body(photo.jpeg.clone())
        .send()
        .await
        .expect("upload");
    assert!(put.status().is_success(), "upload: {}", put.status());
    let got =
        client.get(format!("{b}/api/blobs/{}", photo.sha256)).bearer_auth(&access).send().await.expect("get");
    assert_eq!(got.status(), reqwest::StatusCode::OK);
    assert_eq!(got.bytes().await.expect("bytes").as_ref(), photo.jpeg.as_slice());

    // (The manager signs in first: the lockout below counts per address too.)
    let (_, manager) = sign_in_as(&client, &b, "tara.manager", "seen-and-heard-demo").await;
    let manager = manager["access_token"].as_str().expect("token").to_owned();
    // Five wrong passwords spread over both servers lock the account on both.
    for base in [&a, &b, &a, &b, &a] {
        assert_eq!(
            sign_in_as(&client, base, "dana.duty", "wrong password").await.0,
            reqwest::StatusCode::UNAUTHORIZED
        );
    }
    for base in [&a, &b] {
        let (status, _) = sign_in_as(&client, base, "dana.duty", "seen-and-heard-demo").await;
        assert_eq!(status, reqwest::StatusCode::TOO_MANY_REQUESTS);
    }

    // A statutory visit where the child was not seen, pushed to the first: both servers'
    // sweepers look at the child within seconds, and one escalation is raised, once.
    let missed = fixtures::not_seen(common::visit(child, sam), "No answer at the door");
    assert_eq!(push(&client, &a, &access, device, &missed).await["results"][0]["outcome"], "accepted");
    let mut about_it = Vec::new();
    for _ in 0..150 {
        about_it = escalations_about(&client, &b, &manager, &missed).await;
        if !about_it.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Both sweepers have had their turn.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let about_it_now = escalations_about(&client, &a, &manager, &missed).await;
    assert_eq!(about_it.len(), 1, "escalated");
    assert_eq!(about_it_now.len(), 1, "once, not once per server");
    assert_eq!(
        about_it_now[0]["history"].as_array().map(Vec::len),
        Some(1),
        "raised once: {}",
        about_it_now[0]
    );

    // Every notice in the outbox (the demo's overdue children, and the missed visit) reached the
    // relay once: no notice number twice.
    let notices = received.lock().unwrap().clone();
    let missed_notice = about_it_now[0]["id"].clone();
    assert!(notices.iter().any(|n| n["escalation_id"] == missed_notice), "the missed visit's notice arrived");
    let mut numbers: Vec<u64> =
        notices.iter().map(|n| n["notice_id"].as_u64().expect("a notice number")).collect();
    numbers.sort();
    let sent = numbers.len();
    numbers.dedup();
    assert_eq!(sent, numbers.len(), "no notice twice, though both servers deliver");
}

/// The open escalations `base` lists about `visit`, as `token` sees them.
async fn escalations_about(client: &reqwest::Client, base: &str, token: &str, visit: &Visit) -> Vec<Value> {
    let open: Value = client
        .get(format!("{base}/api/escalations"))
        .bearer_auth(token)
        .send()
        .await
        .expect("escalations")
        .json()
        .await
        .expect("json");
    open.as_array()
        .expect("list")
        .iter()
        .filter(|e| e["reason"]["visit_id"] == json!(visit.id))
        .cloned()
        .collect()
}

/// A server process, killed and reaped when dropped (when its test ends, passing or failing).
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
