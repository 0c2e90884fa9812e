//! Backups you can restore: `sync-server backup` takes a consistent backup of the real server
//! binary while a device keeps pushing, `sync-server restore` puts it into a new directory, and
//! a server started there holds every visit acknowledged before the backup began, identical.
//! A damaged backup restores nothing, and a restore never overwrites a store.

use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use shared::{DeviceId, Visit};

mod common;

const PASSWORD: &str = "seen-and-heard-demo";

async fn sign_in(client: &reqwest::Client, base: &str, username: &str, device_id: DeviceId) -> Value {
    let answer = client
        .post(format!("{base}/api/auth/login"))
        .json(&json!({"username": username, "password": PASSWORD, "device_id": device_id}))
        .send()
        .await
        .expect("login");
    assert!(answer.status().is_success(), "{username} signs in");
    answer.json().await.expect("tokens")
}

async fn visits_of(client: &reqwest::Client, base: &str, access: &str, child: &str) -> Vec<Value> {
    let visits: Value = client
        .get(format!("{base}/api/children/{child}/visits"))
        .bearer_auth(access)
        .send()
        .await
        .expect("visits")
        .json()
        .await
        .expect("json");
    visits.as_array().expect("list").clone()
}

fn sync_server() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sync-server"));
    command.env("RUST_LOG", "warn");
    command
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_during_pushes_restores_every_visit_acknowledged_before_it_began() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (live, restored, file) =
        (dir.path().join("live"), dir.path().join("restored"), dir.path().join("b.backup"));
    let client = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().expect("client");
    let child = sync_server::import::child_id_for("DEMO-0001");
    // A service that has been restarted: each start moves the store's id generator on, and the
    // audit entries of a manager's reads are keyed by its ids.
    for _ in 0..2 {
        let (mut server, base) = common::spawn_server_binary(&live);
        let tara = sign_in(&client, &base, "tara.manager", DeviceId::new()).await;
        visits_of(&client, &base, tara["access_token"].as_str().expect("token"), &child.to_string()).await;
        server.kill().expect("stop");
        let _ = server.wait();
    }
    let (mut server, base) = common::spawn_server_binary(&live);
    let device_id = DeviceId::new();
    let sam = sign_in(&client, &base, "sam.social", device_id).await;
    let access = sam["access_token"].as_str().expect("token").to_owned();
    let worker: shared::WorkerId = serde_json::from_value(sam["worker"]["id"].clone()).expect("id");

    // A device pushing all the while, keeping every visit the server acknowledged.
    let acknowledged: Arc<Mutex<Vec<Visit>>> = Arc::default();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let pusher = {
        let (client, base, access) = (client.clone(), base.clone(), access.clone());
        let (acknowledged, stop) = (acknowledged.clone(), stop.clone());
        tokio::spawn(async move {
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let visits: Vec<Visit> = (0..5).map(|_| common::visit(child, worker)).collect();
                let body: Value = client
                    .post(format!("{base}/api/sync/push"))
                    .bearer_auth(&access)
                    .json(&json!({"protocol": 1, "device_id": device_id, "visits": visits}))
                    .send()
                    .await
                    .expect("push")
                    .json()
                    .await
                    .expect("results");
                for (visit, result) in visits.iter().zip(body["results"].as_array().expect("results")) {
                    if result["outcome"] == "accepted" {
                        acknowledged.lock().unwrap().push(visit.clone());
                    }
                }
            }
        })
    };
    while acknowledged.lock().unwrap().len() < 50 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // The backup, while pushes go on.
    let before: Vec<Visit> = acknowledged.lock().unwrap().clone();
    let backup = {
        let (base, file) = (base.clone(), file.clone());
        tokio::task::spawn_blocking(move || {
            sync_server()
                .args(["backup", "--username", "adam.admin", "--server", &base, "--to"])
                .arg(&file)
                .env("SEEN_AND_HEARD_BACKUP_PASSWORD", PASSWORD)
                .output()
                .expect("backup runs")
        })
        .await
        .expect("joined")
    };
    let during = acknowledged.lock().unwrap().len();
    tokio::time::sleep(Duration::from_millis(200)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    pusher.await.expect("pusher");
    assert!(backup.status.success(), "backup: {}", String::from_utf8_lossy(&backup.stderr));
    let said = String::from_utf8_lossy(&backup.stdout);
    assert!(said.contains("backup written to") && said.contains("sha256"), "{said}");
    assert_counts_agree(&said);
    assert!(acknowledged.lock().unwrap().len() > during, "the device kept pushing while the backup ran");
    server.kill().expect("stop");
    let _ = server.wait();

    // A damaged copy restores nothing.
    let mut bytes = std::fs::read(&file).expect("backup file");
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    let damaged = dir.path().join("damaged.backup");
    std::fs::write(&damaged, &bytes).expect("damaged copy");
    let refused = sync_server().args(["restore", "--check", "--from"]).arg(&damaged).output().expect("runs");
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("not a usable backup"), "{refused:?}");
    let nowhere = dir.path().join("nowhere");
    let refused = sync_server()
        .args(["restore", "--from"])
        .arg(&damaged)
        .arg("--data")
        .arg(&nowhere)
        .output()
        .expect("runs");
    assert!(!refused.status.success());
    assert!(!nowhere.exists(), "a damaged backup writes nothing");

    // The real one restores, once, into a new directory only.
    let checked = sync_server().args(["restore", "--check", "--from"]).arg(&file).output().expect("runs");
    assert!(checked.status.success(), "{checked:?}");
    assert_counts_agree(&String::from_utf8_lossy(&checked.stdout));
    let restore =
        || sync_server().args(["restore", "--from"]).arg(&file).arg("--data").arg(&restored).output();
    let done = restore().expect("runs");
    assert!(done.status.success(), "restore: {}", String::from_utf8_lossy(&done.stderr));
    let again = restore().expect("runs");
    assert!(!again.status.success(), "a restore never overwrites a store");
    assert!(String::from_utf8_lossy(&again.stderr).contains("already holds a store"), "{again:?}");
    let refused_live =
        sync_server().args(["restore", "--from"]).arg(&file).arg("--data").arg(&live).output().expect("runs");
    assert!(!refused_live.status.success(), "nor the live store");

    // A server on the restored directory holds every visit acknowledged before the backup.
    let (mut server, base) = common::spawn_server_binary(&restored);
    let tara = sign_in(&client, &base, "tara.manager", DeviceId::new()).await;
    let tara = tara["access_token"].as_str().expect("token");
    let held = visits_of(&client, &base, tara, &child.to_string()).await;
    for visit in &before {
        let found =
            held.iter().find(|v| v["id"] == json!(visit.id) && v["revision"] == json!(visit.revision));
        let found =
            found.unwrap_or_else(|| panic!("visit {} acknowledged before the backup is missing", visit.id));
        assert_eq!(found, &serde_json::to_value(visit).unwrap(), "identical");
    }
    // It carries on: a new push is acknowledged, and the history restored is not written over.
    let sian = sign_in(&client, &base, "sian.senior", DeviceId::new()).await;
    let sian = sian["access_token"].as_str().expect("token");
    let audit = |access: String| {
        let (client, base) = (client.clone(), base.clone());
        async move {
            let body: Value = client
                .get(format!("{base}/api/audit"))
                .bearer_auth(access)
                .send()
                .await
                .expect("audit")
                .json()
                .await
                .expect("json");
            body.as_array().cloned().unwrap_or_default()
        }
    };
    let restored_audit = audit(sian.to_owned()).await;
    // Reads by a manager on the restored service are audited as new entries.
    visits_of(&client, &base, tara, &child.to_string()).await;
    visits_of(&client, &base, tara, &child.to_string()).await;
    let sam = sign_in(&client, &base, "sam.social", device_id).await;
    let access = sam["access_token"].as_str().expect("token");
    let one = common::visit(child, worker);
    let body: Value = client
        .post(format!("{base}/api/sync/push"))
        .bearer_auth(access)
        .json(&json!({"protocol": 1, "device_id": device_id, "visits": [one]}))
        .send()
        .await
        .expect("push")
        .json()
        .await
        .expect("results");
    assert_eq!(body["results"][0]["outcome"], "accepted", "{body}");
    let later_audit = audit(sian.to_owned()).await;
    server.kill().expect("stop");
    let _ = server.wait();
    assert!(!restored_audit.is_empty(), "the audit log came back");
    for entry in &restored_audit {
        assert!(later_audit.contains(entry), "an audit entry was written over: {entry}");
    }
}

/// The operator reads "1 photo" or "3 photos", never "1 photos": each count in what the command
/// printed has the noun that agrees with it.
fn assert_counts_agree(said: &str) {
    for noun in ["record", "photo"] {
        let words: Vec<&str> = said.split([' ', ',', ':']).collect();
        let at =
            words.iter().position(|w| w.starts_with(noun)).unwrap_or_else(|| panic!("no {noun}s in {said}"));
        let n: u64 = words[at - 1].parse().unwrap_or_else(|_| panic!("no count before {noun}s in {said}"));
        let expected = if n == 1 { noun.to_owned() } else { format!("{noun}s") };
        assert_eq!(words[at], expected, "{said}");
    }
}
