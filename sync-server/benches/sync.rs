//! Sync server benchmarks, printing figures (run with `cargo bench -p sync-server --bench sync`):
//!
//! - durable push throughput, batched (500 per push) and one by one, in visits per second;
//! - single-visit push-and-acknowledge over loopback HTTP, p50 and p95;
//! - a pull of a 30-child caseload with two years of history (about 1,600 visits), time and
//!   bytes, plain and gzip;
//! - bytes on the wire per pushed visit, plain and gzip;
//! - the import of a 50,000-child central list (CSV).
//!
//! Every push is durable: the answer comes after sled's `flush_async`, on a store in a
//! temporary directory on the real disk. With `SYNC_BENCH_DATABASE=postgres://…` the same runs
//! on PostgreSQL (after `COMMIT`), on that database; with `SYNC_BENCH_DATABASE=throwaway`, on
//! a cluster this bench starts with PostgreSQL's durable defaults, and removes afterwards.

use std::io::Write;
use std::time::{Duration, Instant};

use chrono::{Days, NaiveDate, Utc};
use serde_json::{Value, json};
use shared::sync::{PROTOCOL_VERSION, PushRequest};
use shared::{
    Child, ChildId, DeviceId, HarmCategory, ProtectionPlan, Role, Team, TeamId, Visit, Worker, WorkerId,
};
use sync_server::auth::Caller;
use sync_server::store::Account;
use sync_server::{AppState, Config};

#[path = "../tests/pg_support/mod.rs"]
mod pg_support;

const PASSWORD: &str = "benchmark password";

/// Invented free text of about `words` words, different for each `seed`, so that compression
/// figures are not flattered by identical records.
fn prose(seed: usize, words: usize) -> String {
    const VOCABULARY: [&str; 64] = [
        "the",
        "child",
        "said",
        "mother",
        "school",
        "home",
        "was",
        "warm",
        "tidy",
        "cold",
        "kitchen",
        "bedroom",
        "toys",
        "bed",
        "food",
        "fridge",
        "teacher",
        "friends",
        "football",
        "tired",
        "evening",
        "worried",
        "happy",
        "quiet",
        "talked",
        "about",
        "brother",
        "sister",
        "grandmother",
        "weekend",
        "park",
        "dog",
        "drawing",
        "breakfast",
        "late",
        "appointment",
        "doctor",
        "health",
        "visitor",
        "support",
        "plan",
        "course",
        "attended",
        "missed",
        "shouting",
        "night",
        "door",
        "neighbour",
        "bus",
        "money",
        "shopping",
        "clean",
        "clothes",
        "laundry",
        "smoke",
        "alarm",
        "window",
        "stairs",
        "garden",
        "bath",
        "homework",
        "reading",
        "and",
        "but",
    ];
    let mut state = (seed as u64).wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    let mut text = String::new();
    for i in 0..words {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        if i > 0 {
            text.push(if i % 11 == 0 { '.' } else { ' ' });
            if i % 11 == 0 {
                text.push(' ');
            }
        }
        text.push_str(VOCABULARY[(state >> 33) as usize % VOCABULARY.len()]);
    }
    text.push('.');
    text
}

fn visit(child: ChildId, worker: WorkerId, date: NaiveDate, n: usize) -> Visit {
    let started = fixtures::at_on(date, 10, 0);
    Visit {
        ended_at: started + chrono::Duration::minutes(50),
        location: "family home".into(),
        child_words: vec![
            shared::Quote { text: prose(n * 7 + 1, 12) },
            shared::Quote { text: prose(n * 7 + 2, 9) },
        ],
        child_views: prose(n * 7 + 3, 30),
        observations: shared::Observations { facts: prose(n * 7 + 4, 35), concerns: prose(n * 7 + 5, 25) },
        harms_addressed: vec![HarmCategory::Neglect],
        recorded_at: Utc::now(),
        ..fixtures::visit(child, worker, started)
    }
}

struct Fixture {
    state: AppState,
    caller: Caller,
    children: Vec<ChildId>,
    _dir: tempfile::TempDir,
}

async fn fixture(children: usize) -> Fixture {
    let dir = tempfile::tempdir().expect("temp dir");
    // SYNC_BENCH_DATABASE=postgres://… measures on PostgreSQL instead of sled.
    let store = match std::env::var("SYNC_BENCH_DATABASE") {
        Ok(url) if url == "throwaway" => {
            let url = pg_support::durable_cluster().fresh_database();
            sync_server::store::connect(&url).await.expect("PostgreSQL")
        }
        Ok(url) => sync_server::store::connect(&url).await.expect("PostgreSQL"),
        Err(_) => sync_server::store::open(dir.path()).expect("store"),
    };
    let state = AppState::new(store, b"a benchmark secret long enough for hs256", Config::default());
    let team =
        Team { id: TeamId::new(), name: "Bench team".into(), manager: None, routing: Default::default() };
    state.store().put_team(&team).await.expect("team");
    let worker = Worker {
        id: WorkerId::new(),
        name: "Bench Worker".into(),
        role: Role::SocialWorker,
        team: Some(team.id),
    };
    let hash = sync_server::auth::hash_password(PASSWORD).expect("hash");
    let account = Account {
        worker: worker.clone(),
        username: "bench.worker".into(),
        password_hash: Some(hash),
        password_changed_at: Utc::now() - chrono::Duration::minutes(1),
        disabled: false,
    };
    state.store().put_account(&account).await.expect("account");
    let today = Utc::now().date_naive();
    let mut ids = Vec::new();
    let mut records = Vec::new();
    for i in 0..children {
        let id = ChildId::new();
        ids.push(id);
        records.push(Child {
            id,
            central_id: format!("BENCH-{i}"),
            given_name: "Invented".into(),
            family_name: format!("Child {i}"),
            date_of_birth: Some(fixtures::ymd(2015, 1, 1)),
            gender: None,
            carers: Vec::new(),
            plan: Some(ProtectionPlan {
                key_worker: worker.id,
                team: team.id,
                actions: Vec::new(),
                ..fixtures::plan(today.checked_sub_days(Days::new(800)).expect("date"))
            }),
            ..fixtures::child(0)
        });
    }
    state.store().upsert_children(&records).await.expect("children");
    let caller = Caller { worker, device_id: DeviceId::new() };
    Fixture { state, caller, children: ids, _dir: dir }
}

fn clock(state: &AppState) -> sync_server::sync::SyncClock {
    sync_server::sync::SyncClock { now: state.now(), tz: state.clock().time_zone(), today: state.today() }
}

fn push_request(caller: &Caller, visits: Vec<Visit>) -> PushRequest {
    PushRequest { protocol: PROTOCOL_VERSION, device_id: caller.device_id, visits }
}

async fn bench_push_throughput() {
    let f = fixture(30).await;
    let yesterday = Utc::now().date_naive().pred_opt().expect("date");
    let batches = 40;
    let per_batch = 500;
    let requests: Vec<PushRequest> = (0..batches)
        .map(|b| {
            let visits = (0..per_batch)
                .map(|i| {
                    visit(
                        f.children[(b * per_batch + i) % f.children.len()],
                        f.caller.worker.id,
                        yesterday,
                        b * per_batch + i,
                    )
                })
                .collect();
            push_request(&f.caller, visits)
        })
        .collect();
    let started = Instant::now();
    for request in requests {
        let response = sync_server::sync::push(f.state.store(), f.caller.syncer(), clock(&f.state), request)
            .await
            .expect("push");
        assert!(response.results.iter().all(|r| r.outcome.is_stored()));
    }
    let elapsed = started.elapsed();
    let total = batches * per_batch;
    println!(
        "push, batched (500 per push, durable): {total} visits in {:.2} s = {:.0} visits/s",
        elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64()
    );

    let singles = 2000;
    let started = Instant::now();
    for i in 0..singles {
        let request = push_request(
            &f.caller,
            vec![visit(f.children[i % f.children.len()], f.caller.worker.id, yesterday, i)],
        );
        sync_server::sync::push(f.state.store(), f.caller.syncer(), clock(&f.state), request)
            .await
            .expect("push");
    }
    let elapsed = started.elapsed();
    println!(
        "push, one by one (durable, in-process): {singles} visits in {:.2} s = {:.0} visits/s",
        elapsed.as_secs_f64(),
        singles as f64 / elapsed.as_secs_f64()
    );
}

async fn serve(state: AppState) -> (String, tokio::sync::oneshot::Sender<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(sync_server::serve(listener, state, async {
        let _ = stopped.await;
    }));
    (base, stop)
}

async fn login(client: &reqwest::Client, base: &str, device: DeviceId) -> String {
    let tokens: Value = client
        .post(format!("{base}/api/auth/login"))
        .json(&json!({"username": "bench.worker", "password": PASSWORD, "device_id": device}))
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("tokens");
    tokens["access_token"].as_str().expect("token").to_owned()
}

/// The median of 30 runs of `run`, in milliseconds.
fn median_ms(mut run: impl FnMut()) -> f64 {
    let mut times: Vec<Duration> = (0..30)
        .map(|_| {
            let started = Instant::now();
            run();
            started.elapsed()
        })
        .collect();
    times.sort();
    percentile(&times, 0.5).as_secs_f64() * 1000.0
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn gzip(bytes: &[u8], level: flate2::Compression) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), level);
    encoder.write_all(bytes).expect("gzip");
    encoder.finish().expect("gzip")
}

async fn bench_single_push_over_loopback() {
    let f = fixture(30).await;
    let (base, stop) = serve(f.state.clone()).await;
    let client = reqwest::Client::builder().no_gzip().build().expect("client");
    let device = DeviceId::new();
    let access = login(&client, &base, device).await;
    let yesterday = Utc::now().date_naive().pred_opt().expect("date");
    let mut times = Vec::new();
    let mut plain_bytes = 0usize;
    let mut gzip_bytes = 0usize;
    let mut dcz_bytes = 0usize;
    for i in 0..1100 {
        let v = visit(f.children[i % f.children.len()], f.caller.worker.id, yesterday, i);
        let body =
            serde_json::to_vec(&json!({"protocol": 1, "device_id": device, "visits": [v]})).expect("json");
        if i >= 100 {
            plain_bytes += body.len();
            gzip_bytes += gzip(&body, flate2::Compression::default()).len();
            dcz_bytes += shared::dcz::encode(&body).expect("dcz").len();
        }
        let started = Instant::now();
        let response = client
            .post(format!("{base}/api/sync/push"))
            .bearer_auth(&access)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .expect("push");
        let answer: Value = response.json().await.expect("answer");
        let elapsed = started.elapsed();
        assert_eq!(answer["results"][0]["outcome"], "accepted");
        if i >= 100 {
            times.push(elapsed);
        }
    }
    times.sort();
    println!(
        "single-visit push-and-acknowledge over loopback HTTP (durable): p50 {:.2} ms, p95 {:.2} ms ({} pushes)",
        percentile(&times, 0.5).as_secs_f64() * 1000.0,
        percentile(&times, 0.95).as_secs_f64() * 1000.0,
        times.len()
    );
    println!(
        "bytes per single-visit push body: {} plain, {} gzip, {} dcz (as the app sends it)",
        plain_bytes / times.len(),
        gzip_bytes / times.len(),
        dcz_bytes / times.len()
    );

    // A batch of 100 visits: bytes per visit on the wire.
    let visits: Vec<Visit> =
        (0..100).map(|i| visit(f.children[i % f.children.len()], f.caller.worker.id, yesterday, i)).collect();
    let body =
        serde_json::to_vec(&json!({"protocol": 1, "device_id": device, "visits": visits})).expect("json");
    println!(
        "bytes per visit in a 100-visit push body: {} plain, {} gzip, {} dcz (as the app sends it)",
        body.len() / 100,
        gzip(&body, flate2::Compression::default()).len() / 100,
        shared::dcz::encode(&body).expect("dcz").len() / 100
    );

    // A 500-visit push, as the app compresses it (and as it did, gzip at the fastest level),
    // and as the server decompresses it: the median of 30 of each.
    let visits: Vec<Visit> =
        (0..500).map(|i| visit(f.children[i % f.children.len()], f.caller.worker.id, yesterday, i)).collect();
    let body =
        serde_json::to_vec(&json!({"protocol": 1, "device_id": device, "visits": visits})).expect("json");
    let (gzipped, dcz) = (gzip(&body, flate2::Compression::fast()), shared::dcz::encode(&body).expect("dcz"));
    let gzip_encode = median_ms(|| drop(gzip(&body, flate2::Compression::fast())));
    let dcz_encode = median_ms(|| drop(shared::dcz::encode(&body).expect("dcz")));
    let gzip_decode = median_ms(|| {
        let mut plain = Vec::with_capacity(body.len());
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gzipped[..]), &mut plain)
            .expect("gunzip");
    });
    let dcz_decode = median_ms(|| drop(shared::dcz::decode(&dcz, 4 << 20).expect("dcz")));
    println!(
        "a 500-visit push body ({} KB of JSON): gzip (fastest level) {} KB, compressed in {gzip_encode:.2} ms, \
         inflated in {gzip_decode:.2} ms; dcz {} KB, compressed in {dcz_encode:.2} ms, inflated in {dcz_decode:.2} ms",
        body.len() / 1000,
        gzipped.len() / 1000,
        dcz.len() / 1000
    );
    let _ = stop.send(());
}

async fn bench_caseload_pull() {
    let f = fixture(30).await;
    let today = Utc::now().date_naive();
    // Two years of history: one visit every ~14 days per child, about 1,600 in all.
    let mut visits = Vec::new();
    for (c, child) in f.children.iter().enumerate() {
        for k in 0..53 {
            let date = today.checked_sub_days(Days::new(1 + k * 14 + c as u64 % 7)).expect("date");
            visits.push(visit(*child, f.caller.worker.id, date, c * 100 + k as usize));
        }
    }
    let total = visits.len();
    for chunk in visits.chunks(500) {
        sync_server::sync::push(
            f.state.store(),
            f.caller.syncer(),
            clock(&f.state),
            push_request(&f.caller, chunk.to_vec()),
        )
        .await
        .expect("push");
    }
    let (base, stop) = serve(f.state.clone()).await;
    for gzip in [false, true] {
        let client = if gzip {
            reqwest::Client::builder().build().expect("client")
        } else {
            reqwest::Client::builder().no_gzip().build().expect("client")
        };
        let device = DeviceId::new();
        let access = login(&client, &base, device).await;
        let mut times = Vec::new();
        let mut wire = 0;
        let mut events = 0;
        for _ in 0..30 {
            let started = Instant::now();
            let mut request = client.get(format!("{base}/api/sync/pull?limit=5000")).bearer_auth(&access);
            if !gzip {
                request = request.header("accept-encoding", "identity");
            }
            let response = request.send().await.expect("pull");
            wire = response.content_length().map(|l| l as usize).unwrap_or(0);
            let body = response.bytes().await.expect("body");
            let elapsed = started.elapsed();
            if wire == 0 {
                wire = body.len();
            }
            let parsed: Value = serde_json::from_slice(&body).expect("json");
            events = parsed["events"].as_array().map_or(0, |e| e.len());
            assert_eq!(parsed["more"], false);
            times.push(elapsed);
        }
        times.sort();
        // With gzip, reqwest decompresses; measure the compressed size separately.
        if gzip {
            let raw = reqwest::Client::builder().no_gzip().build().expect("client");
            let response = raw
                .get(format!("{base}/api/sync/pull?limit=5000"))
                .bearer_auth(&access)
                .header("accept-encoding", "gzip")
                .send()
                .await
                .expect("pull");
            wire = response.bytes().await.expect("body").len();
        }
        println!(
            "pull of a 30-child caseload ({total} visits, {events} events, {}): p50 {:.1} ms, p95 {:.1} ms, {} bytes on the wire",
            if gzip { "gzip" } else { "plain" },
            percentile(&times, 0.5).as_secs_f64() * 1000.0,
            percentile(&times, 0.95).as_secs_f64() * 1000.0,
            wire
        );
    }
    let _ = stop.send(());
}

async fn bench_import() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = sync_server::store::open(dir.path()).expect("store");
    let mut csv = String::from(
        "central_id,given_name,family_name,date_of_birth,gender,sibling_central_ids,carers,carer_languages,\
         child_first_language,child_interpreter_language,disability_and_communication,registered_on,\
         deregistered_on,harms,visit_frequency_working_days,actions,latest_review_conference,\
         key_worker_username,key_worker_name,team_code,team_name\n",
    );
    for i in 0..50_000 {
        let sibling = if i % 2 == 0 { i + 1 } else { i - 1 };
        csv.push_str(&format!(
            "C{i:06},Invented,Child {i},2014-0{m}-1{d},female,C{sibling:06},M|Parent {i}|mother,M|Polish|Polish,English,,,\
             2024-0{m}-0{d},,neglect;emotional,10,A1|Parent to attend the course;A2|School to report attendance,,\
             worker{w},Worker {w},T{t},Team {t}\n",
            m = 1 + i % 9,
            d = 1 + i % 9,
            w = i % 1500,
            t = i % 60
        ));
    }
    let today = Utc::now().date_naive();
    let started = Instant::now();
    let mut report = sync_server::import::ImportReport::default();
    let records = sync_server::import::parse_csv(csv.as_bytes(), &mut report).expect("parse");
    let report = sync_server::import::import(store.as_ref(), records, report, today, chrono::Utc::now())
        .await
        .expect("import");
    let elapsed = started.elapsed();
    assert_eq!(report.created, 50_000, "{:?}", report.problems.first());
    println!(
        "import of a 50,000-child central list ({:.1} MB CSV, durable): {:.2} s",
        csv.len() as f64 / 1e6,
        elapsed.as_secs_f64()
    );
    let started = Instant::now();
    let mut report = sync_server::import::ImportReport::default();
    let records = sync_server::import::parse_csv(csv.as_bytes(), &mut report).expect("parse");
    let report = sync_server::import::import(store.as_ref(), records, report, today, chrono::Utc::now())
        .await
        .expect("import");
    assert_eq!(report.unchanged, 50_000);
    println!("re-import of the same list (all unchanged): {:.2} s", started.elapsed().as_secs_f64());
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` runs this too, so keep it quick
    // to skip there.
    if std::env::args().any(|a| a == "--test" || a == "--list") {
        return;
    }
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    // SYNC_BENCH=push,loopback,pull,import picks some; all by default.
    let only = std::env::var("SYNC_BENCH").unwrap_or_default();
    let wanted = |name: &str| only.is_empty() || only.split(',').any(|o| o.trim() == name);
    runtime.block_on(async {
        if wanted("push") {
            bench_push_throughput().await;
        }
        if wanted("loopback") {
            bench_single_push_over_loopback().await;
        }
        if wanted("pull") {
            bench_caseload_pull().await;
        }
        if wanted("import") {
            bench_import().await;
        }
    });
}
