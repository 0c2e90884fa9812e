//! Load, measured end to end over loopback HTTP: the release server binary in its own process,
//! and this bench as its client (run with `cargo bench -p sync-server --bench load`).
//!
//! 1. **1,000 devices** (one worker each, three children each) sign in, pull, then each pushes
//!    a visit every 2 to 6 seconds and pulls again, for `LOAD_SECONDS` (default 60): requests
//!    per second, and p50/p99 latency of push and pull.
//! 2. **Batched push**: one device pushes 500 visits (about 1.7 KB of JSON each) per request,
//!    compressed as the app compresses it (`dcz`), 40 times, one request at a time and each
//!    encoded while the one before it is on its way, as the app's sync engine does: visits per
//!    second.
//! 3. **Pull**: a new device pulls those 20,000 visits: visits per second.
//! 4. **A lone visit**: 500 pushes of one visit each, one after another: p50 and p99.
//!
//! `LOAD_DEVICES` changes the number of devices. The store is sled in a temporary directory on
//! the real disk; every push is durable before it is answered.
//!
//! `LOAD_ON=postgres` runs it on PostgreSQL instead: a throwaway cluster this bench starts with
//! PostgreSQL's durable defaults (`fsync`, `synchronous_commit`), removed afterwards.
//! `LOAD_SERVERS=2` then starts two server processes on that one database, sharing one photo
//! directory, and spreads the devices over both (no sticky sessions: each device's requests
//! alternate between the servers).
//!
//! To compare two builds of the server, whose figures vary from run to run on a shared machine,
//! take them in turn: `LOAD_SERVER_BIN` names the server binary to start (by default the one
//! cargo built), and `LOAD_ONLY=batched` stops after the batched push (with `LOAD_DEVICES=0`,
//! a run takes about a second). `LOAD_ONLY=sample` prints one of the batched push's visits as
//! JSON and stops: `scripts/bench-vs-couchdb` sends documents of that shape to a
//! CouchDB-protocol server, and runs this bench, in the same run. `LOAD_GZIP=1` sends every
//! push gzipped, as the app did before its pushes went with the protocol's dictionary.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{Days, NaiveDate, Utc};
use serde_json::{Value, json};
use shared::sync::{PROTOCOL_VERSION, PullResponse, PushOutcome, PushRequest, PushResponse};
use shared::{
    Child, ChildId, DeviceId, HarmCategory, ProtectionPlan, Role, Team, TeamId, Visit, Worker, WorkerId,
};
use sync_server::Store;
use sync_server::store::Account;

#[path = "../tests/pg_support/mod.rs"]
mod pg_support;

const PASSWORD: &str = "benchmark password";
/// `LOAD_GZIP=1`: every push gzipped, as the app sent them before they went as `dcz`.
static GZIP: std::sync::LazyLock<bool> = std::sync::LazyLock::new(|| std::env::var_os("LOAD_GZIP").is_some());
const WORDS: [&str; 16] = [
    "school", "mum", "dinner", "football", "brother", "tired", "happy", "room", "teacher", "park", "bedtime",
    "friends", "worried", "dog", "weekend", "homework",
];

fn prose(seed: usize, words: usize) -> String {
    let mut state = seed as u64 ^ 0x9e37_79b9_7f4a_7c15;
    (0..words)
        .map(|_| {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            WORDS[(state >> 33) as usize % WORDS.len()]
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A visit of about 1.7 KB of JSON, different text for each `n`.
fn visit(child: ChildId, worker: WorkerId, date: NaiveDate, n: usize) -> Visit {
    let started = fixtures::at_on(date, 10, 0);
    Visit {
        ended_at: started + chrono::Duration::minutes(50),
        location: "family home".into(),
        child_words: vec![
            shared::Quote { text: prose(n * 7 + 1, 14) },
            shared::Quote { text: prose(n * 7 + 2, 10) },
        ],
        child_views: prose(n * 7 + 3, 35),
        observations: shared::Observations { facts: prose(n * 7 + 4, 40), concerns: prose(n * 7 + 5, 30) },
        harms_addressed: vec![HarmCategory::Neglect],
        recorded_at: Utc::now(),
        ..fixtures::visit(child, worker, started)
    }
}

fn child(n: usize, worker: WorkerId, team: TeamId) -> Child {
    Child {
        id: ChildId::new(),
        central_id: format!("LOAD-{n}"),
        given_name: "Invented".into(),
        family_name: format!("Child {n}"),
        date_of_birth: Some(NaiveDate::from_ymd_opt(2015, 1, 1).expect("date")),
        details: Default::default(),
        gender: None,
        sibling_ids: Vec::new(),
        carers: Vec::new(),
        plan: Some(ProtectionPlan {
            details: Default::default(),
            registered_on: Utc::now().date_naive().checked_sub_days(Days::new(400)).expect("date"),
            deregistered_on: None,
            harms: vec![HarmCategory::Neglect],
            visit_frequency_working_days: 10,
            key_worker: worker,
            team,
            actions: Vec::new(),
            latest_review_conference: None,
            seen_before_go_live: None,
        }),
        communication: Default::default(),
        reallocation: None,
        safety_warnings: vec![],
    }
}

/// One worker and their children, as seeded.
#[derive(Clone)]
struct Seeded {
    username: String,
    worker: WorkerId,
    children: Vec<ChildId>,
}

/// Seeds `workers` social workers with `per_worker` children each, and one bulk worker with
/// 40 children, straight into the store the server will open.
async fn seed(store: &dyn Store, workers: usize, per_worker: usize) -> (Vec<Seeded>, Seeded) {
    let team =
        Team { id: TeamId::new(), name: "Load team".into(), manager: None, routing: Default::default() };
    store.put_team(&team).await.expect("team");
    let hash = sync_server::auth::hash_password(PASSWORD).expect("hash");
    let mut seeded = Vec::new();
    let mut children = Vec::new();
    let mut tx = store.transaction().await.expect("transaction");
    for w in 0..=workers {
        let worker = Worker {
            id: WorkerId::new(),
            name: format!("Load Worker {w}"),
            role: Role::SocialWorker,
            team: Some(team.id),
        };
        let username = format!("load.worker{w}");
        tx.put_account(&Account {
            worker: worker.clone(),
            username: username.clone(),
            password_hash: Some(hash.clone()),
            password_changed_at: Utc::now() - chrono::Duration::minutes(5),
            disabled: false,
        })
        .await
        .expect("account");
        let count = if w == workers { 40 } else { per_worker };
        let mine: Vec<Child> = (0..count).map(|c| child(w * 100 + c, worker.id, team.id)).collect();
        seeded.push(Seeded { username, worker: worker.id, children: mine.iter().map(|c| c.id).collect() });
        children.extend(mine);
    }
    tx.commit().await.expect("commit");
    store.upsert_children(&children).await.expect("children");
    let bulk = seeded.pop().expect("bulk worker");
    (seeded, bulk)
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(bytes).expect("gzip");
    encoder.finish().expect("gzip")
}

struct Client {
    http: reqwest::Client,
    /// The servers, taken in turn: with two, a device's requests alternate between them.
    bases: Vec<String>,
    next: std::sync::atomic::AtomicUsize,
    token: String,
    device: DeviceId,
}

impl Client {
    fn base(&self) -> &str {
        &self.bases[self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % self.bases.len()]
    }

    async fn sign_in(http: &reqwest::Client, bases: &[String], username: &str) -> Client {
        let device = DeviceId::new();
        // Devices start on different servers.
        let first = usize::from(device.as_bytes()[0]);
        let base = &bases[first % bases.len()];
        let response = http
            .post(format!("{base}/api/auth/login"))
            .json(&json!({"username": username, "password": PASSWORD, "device_id": device}))
            .send()
            .await
            .expect("login");
        assert!(response.status().is_success(), "sign-in: {}", response.status());
        let tokens: Value = response.json().await.expect("tokens");
        let token = tokens["access_token"].as_str().expect("token").to_owned();
        Client { http: http.clone(), bases: bases.to_vec(), next: (first + 1).into(), token, device }
    }

    /// A push of `visits` as it goes on the wire, compressed as the app's `PushBody` does:
    /// against the protocol's dictionary (`dcz`), or gzipped with `LOAD_GZIP=1`.
    fn encode(device: DeviceId, visits: Vec<Visit>) -> (Vec<u8>, &'static str) {
        let json = serde_json::to_vec(&PushRequest { protocol: PROTOCOL_VERSION, device_id: device, visits })
            .expect("json");
        if *GZIP {
            (gzip(&json), "gzip")
        } else {
            (shared::dcz::encode(&json).expect("dcz"), shared::dcz::CONTENT_ENCODING)
        }
    }

    /// Pushes, compressed; returns how many visits were stored.
    async fn push(&self, visits: Vec<Visit>) -> usize {
        self.push_body(Client::encode(self.device, visits)).await
    }

    /// Pushes a body made by [`Client::encode`]; returns how many visits were stored.
    async fn push_body(&self, (body, encoding): (Vec<u8>, &'static str)) -> usize {
        let response = self
            .http
            .post(format!("{}/api/sync/push", self.base()))
            .bearer_auth(&self.token)
            .header("content-type", "application/json")
            .header("content-encoding", encoding)
            .body(body)
            .send()
            .await
            .expect("push");
        assert!(response.status().is_success(), "push: {}", response.status());
        // Read as the app's sync client reads it: into the protocol's own types.
        let answer: PushResponse = response.json().await.expect("push answer");
        answer.results.iter().filter(|r| matches!(r.outcome, PushOutcome::Accepted { .. })).count()
    }

    /// Pulls everything since `cursor`; returns the events and the new cursor.
    async fn pull(&self, cursor: Option<&str>) -> (usize, String) {
        let mut cursor = cursor.map(str::to_owned);
        let mut events = 0;
        loop {
            let mut request =
                self.http.get(format!("{}/api/sync/pull", self.base())).bearer_auth(&self.token);
            if let Some(c) = &cursor {
                request = request.query(&[("cursor", c.as_str()), ("limit", "5000")]);
            } else {
                request = request.query(&[("limit", "5000")]);
            }
            let response = request.send().await.expect("pull");
            assert!(response.status().is_success(), "pull: {}", response.status());
            let page: PullResponse = response.json().await.expect("pull answer");
            events += page.events.len();
            cursor = Some(page.cursor.0);
            if !page.more {
                return (events, cursor.unwrap_or_default());
            }
        }
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn report(name: &str, mut times: Vec<Duration>) {
    times.sort();
    println!(
        "{name}: {} requests, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        times.len(),
        ms(percentile(&times, 0.50)),
        ms(percentile(&times, 0.99)),
        ms(times.last().copied().unwrap_or_default())
    );
}

/// The server binary on a free loopback port over `dir` (or `database`, with its photos in
/// `dir`); killed when dropped.
struct Server(std::process::Child, String);

impl Server {
    fn start(dir: &std::path::Path, database: Option<&str>) -> Server {
        let port =
            std::net::TcpListener::bind("127.0.0.1:0").expect("port").local_addr().expect("addr").port();
        let binary =
            std::env::var_os("LOAD_SERVER_BIN").unwrap_or_else(|| env!("CARGO_BIN_EXE_sync-server").into());
        let mut command = std::process::Command::new(binary);
        command.args(["--listen", &format!("127.0.0.1:{port}"), "--data"]).arg(dir).env("RUST_LOG", "warn");
        if let Some(url) = database {
            command.args(["--database", url]);
        }
        let mut child = command.spawn().expect("server starts");
        let base = format!("http://127.0.0.1:{port}");
        for _ in 0..200 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Server(child, base);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("the server did not start");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn main() {
    let devices: usize = std::env::var("LOAD_DEVICES").ok().and_then(|v| v.parse().ok()).unwrap_or(1000);
    let seconds: u64 = std::env::var("LOAD_SECONDS").ok().and_then(|v| v.parse().ok()).unwrap_or(60);
    let on_postgres = std::env::var("LOAD_ON").is_ok_and(|on| on == "postgres");
    let servers: usize = std::env::var("LOAD_SERVERS").ok().and_then(|v| v.parse().ok()).unwrap_or(1);
    assert!(servers == 1 || on_postgres, "several servers share a PostgreSQL database: set LOAD_ON=postgres");
    if std::env::var("LOAD_ONLY").is_ok_and(|only| only == "sample") {
        // One visit as the batched push sends it, for `scripts/bench-vs-couchdb` to send the
        // same documents to a CouchDB-protocol server.
        let yesterday = Utc::now().date_naive().pred_opt().expect("date");
        println!(
            "{}",
            serde_json::to_string(&visit(ChildId::new(), WorkerId::new(), yesterday, 0)).expect("json")
        );
        return;
    }
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async move {
        let dir = tempfile::tempdir().expect("temp dir");
        let database = on_postgres.then(|| pg_support::durable_cluster().fresh_database());
        let (workers, bulk) = {
            let store = match &database {
                Some(url) => sync_server::store::connect(url).await.expect("PostgreSQL"),
                None => sync_server::store::open(dir.path()).expect("store"),
            };
            seed(store.as_ref(), devices, 3).await
        };
        let running: Vec<Server> = (0..servers).map(|_| Server::start(dir.path(), database.as_deref())).collect();
        let bases: Vec<String> = running.iter().map(|s| s.1.clone()).collect();
        println!(
            "on {}, {} server process{}",
            if on_postgres { "PostgreSQL" } else { "sled" },
            servers,
            if servers == 1 { "" } else { "es" }
        );
        let http = reqwest::Client::builder().pool_max_idle_per_host(64).gzip(true).build().expect("client");
        let yesterday = Utc::now().date_naive().pred_opt().expect("date");

        // 1. Many devices.
        let started = Instant::now();
        let mut clients = Vec::new();
        for chunk in workers.chunks(16) {
            let signed_in = futures::future::join_all(chunk.iter().map(|w| Client::sign_in(&http, &bases, &w.username))).await;
            clients.extend(signed_in.into_iter().zip(chunk.iter().cloned()));
        }
        println!("{} devices signed in in {:.1} s", clients.len(), started.elapsed().as_secs_f64());
        let pushes = Arc::new(Mutex::new(Vec::new()));
        let pulls = Arc::new(Mutex::new(Vec::new()));
        let until = Instant::now() + Duration::from_secs(seconds);
        let tasks: Vec<_> = clients
            .into_iter()
            .enumerate()
            .map(|(i, (client, worker))| {
                let (pushes, pulls) = (pushes.clone(), pulls.clone());
                tokio::spawn(async move {
                    let (_, mut cursor) = client.pull(None).await;
                    let mut n = i * 1000;
                    let mut rng = (i as u64).wrapping_mul(2654435761) | 1;
                    // Devices start spread over the first interval, not all at once.
                    tokio::time::sleep(Duration::from_millis(rng % 4000)).await;
                    while Instant::now() < until {
                        rng ^= rng << 13;
                        rng ^= rng >> 7;
                        rng ^= rng << 17;
                        tokio::time::sleep(Duration::from_millis(2000 + rng % 4000)).await;
                        let child = worker.children[n % worker.children.len()];
                        let t = Instant::now();
                        assert_eq!(client.push(vec![visit(child, worker.worker, yesterday, n)]).await, 1);
                        pushes.lock().unwrap().push(t.elapsed());
                        let t = Instant::now();
                        cursor = client.pull(Some(&cursor)).await.1;
                        pulls.lock().unwrap().push(t.elapsed());
                        n += 1;
                    }
                })
            })
            .collect();
        let load_started = Instant::now();
        for task in tasks {
            task.await.expect("device");
        }
        let elapsed = load_started.elapsed().as_secs_f64();
        let pushes = std::mem::take(&mut *pushes.lock().unwrap());
        let pulls = std::mem::take(&mut *pulls.lock().unwrap());
        println!(
            "{devices} devices for {elapsed:.0} s: {:.0} pushes/s and {:.0} pulls/s",
            pushes.len() as f64 / elapsed,
            pulls.len() as f64 / elapsed
        );
        report("  push (one visit, durable)", pushes);
        report("  pull (since the cursor)", pulls);

        // 2. Batched push.
        let pusher = Client::sign_in(&http, &bases, &bulk.username).await;
        let batches: Vec<Vec<Visit>> = (0..40)
            .map(|b| (0..500).map(|v| visit(bulk.children[v % bulk.children.len()], bulk.worker, yesterday, b * 500 + v)).collect())
            .collect();
        let bytes = serde_json::to_vec(&batches[0]).expect("json").len() / 500;
        let started = Instant::now();
        let mut stored = 0;
        // As the app's sync engine does: one push at a time, in order, each encoded while the
        // one before it is on its way.
        let device = pusher.device;
        let mut batches = batches.into_iter();
        let mut next = batches.next().map(|visits| Client::encode(device, visits));
        while let Some(body) = next.take() {
            let following = batches.next().map(|visits| tokio::task::spawn_blocking(move || Client::encode(device, visits)));
            stored += pusher.push_body(body).await;
            next = match following {
                Some(task) => Some(task.await.expect("encoded")),
                None => None,
            };
        }
        let elapsed = started.elapsed().as_secs_f64();
        let coding = if *GZIP { "gzipped" } else { "dcz" };
        println!("batched push over HTTP (500 visits of {bytes} B a request, {coding}, durable): {stored} visits in {elapsed:.2} s = {:.0} visits/s", stored as f64 / elapsed);

        if std::env::var("LOAD_ONLY").is_ok_and(|only| only == "batched") {
            return;
        }

        // 3. Pull them.
        let puller = Client::sign_in(&http, &bases, &bulk.username).await;
        let started = Instant::now();
        let (events, _) = puller.pull(None).await;
        let elapsed = started.elapsed().as_secs_f64();
        println!("pull over HTTP (gzipped): {events} events in {elapsed:.2} s = {:.0} events/s", events as f64 / elapsed);

        // 4. A lone visit, one after another.
        let mut times = Vec::new();
        for n in 0..500 {
            let t = Instant::now();
            pusher.push(vec![visit(bulk.children[n % bulk.children.len()], bulk.worker, yesterday, 90_000 + n)]).await;
            times.push(t.elapsed());
        }
        report("a lone visit pushed and acknowledged (durable)", times);
        drop(running);
    });
}
