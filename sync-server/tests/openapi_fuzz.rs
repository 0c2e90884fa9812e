//! The OpenAPI document checked by outside tools, against the real server binary:
//!
//! - `openapi-spec-validator` (the reference validator for OpenAPI 3) validates the document;
//! - schemathesis generates requests for every documented operation, valid and invalid, sends
//!   them with a manager's, a social worker's and an administrator's bearer token, and fails on
//!   any 5xx, any answer whose status, media type, headers or body the document does not
//!   describe, any request the document calls invalid that the server accepts, and any
//!   operation that answers without a token.
//!
//! Both tools are Python programs that `scripts/install-deps` installs into a virtual
//! environment (`~/.cache/seen-and-heard/venv`, or `$SEEN_AND_HEARD_VENV`), so these tests are
//! `#[ignore]`d in a plain `cargo test` and run by `scripts/test`:
//! `cargo test -p sync-server --test openapi_fuzz -- --ignored`.
//! The fuzzing is bounded (15 examples per operation and phase; a fixed seed, which
//! `SCHEMATHESIS_SEED` overrides) so that the whole file runs in about a minute and a half.

mod common;

use std::path::PathBuf;
use std::process::{Child, Command};

use serde_json::{Value, json};

/// Where the tools are installed.
fn tool(name: &str) -> PathBuf {
    let venv = std::env::var_os("SEEN_AND_HEARD_VENV").map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(std::env::var_os("HOME").expect("HOME is set")).join(".cache/seen-and-heard/venv")
    });
    let path = venv.join("bin").join(name);
    assert!(path.exists(), "{} is missing: run scripts/install-deps", path.display());
    path
}

/// The real server binary on a free loopback port, with the demo data; killed when dropped.
struct Server {
    process: Child,
    base: String,
    _data: tempfile::TempDir,
}

impl Server {
    fn start() -> Server {
        let data = tempfile::tempdir().expect("temp dir");
        let (process, base) = common::spawn_server_binary(data.path());
        Server { process, base, _data: data }
    }

    async fn document(&self) -> Value {
        reqwest::get(format!("{}/api/openapi.json", self.base))
            .await
            .expect("document")
            .json()
            .await
            .expect("JSON")
    }

    async fn token(&self, username: &str) -> String {
        let tokens: Value = reqwest::Client::new()
            .post(format!("{}/api/auth/login", self.base))
            .json(&json!({
                "username": username,
                "password": sync_server::demo::DEMO_PASSWORD,
                "device_id": shared::DeviceId::new(),
            }))
            .send()
            .await
            .expect("login")
            .json()
            .await
            .expect("tokens");
        tokens["access_token"].as_str().unwrap_or_else(|| panic!("{username} signs in: {tokens}")).to_owned()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

fn write_document(dir: &tempfile::TempDir, document: &Value) -> PathBuf {
    let path = dir.path().join("openapi.json");
    std::fs::write(&path, serde_json::to_vec_pretty(document).expect("JSON")).expect("write");
    path
}

#[tokio::test]
#[ignore = "needs the tools from scripts/install-deps; run by scripts/test"]
async fn the_document_passes_the_openapi_spec_validator() {
    let server = Server::start();
    let dir = tempfile::tempdir().expect("temp dir");
    let path = write_document(&dir, &server.document().await);
    let output = Command::new(tool("openapi-spec-validator")).arg(&path).output().expect("validator runs");
    assert!(
        output.status.success(),
        "the validator refused the document:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the tools from scripts/install-deps; run by scripts/test"]
async fn schemathesis_finds_no_server_error_and_no_answer_the_document_does_not_describe() {
    let server = Server::start();
    let dir = tempfile::tempdir().expect("temp dir");
    let path = write_document(&dir, &server.document().await);
    // Every token first: fuzzing the sign-in endpoint trips the per-address lockout, after
    // which nobody could sign in from this address for 15 minutes.
    let mut tokens = Vec::new();
    for username in ["tara.manager", "sam.social", "adam.admin"] {
        tokens.push((username, server.token(username).await));
    }
    let seed = std::env::var("SCHEMATHESIS_SEED").unwrap_or_else(|_| "20261130".to_owned());
    for (username, token) in tokens {
        let output = Command::new(tool("schemathesis"))
            .arg("run")
            .arg(&path)
            .args(["--url", &server.base])
            .args(["--header", &format!("Authorization: Bearer {token}")])
            // Every check but one: "positive data acceptance" would need the document to know
            // which random ids exist and which device signed in, which no schema can say.
            .args(["--checks", "all", "--exclude-checks", "positive_data_acceptance"])
            // Signing out would end this token's session halfway through the run.
            .args(["--exclude-path", "/api/auth/logout"])
            .args(["--phases", "examples,coverage,fuzzing"])
            // One worker: CPython 3.11 can fail with "AST constructor recursion depth mismatch"
            // when schemathesis compiles patterns on two threads at once.
            .args(["--max-examples", "15", "--seed", &seed, "--workers", "1"])
            .args(["--request-timeout", "20", "--no-shrink", "--suppress-health-check", "all"])
            .env("NO_COLOR", "1")
            .current_dir(dir.path())
            .output()
            .expect("schemathesis runs");
        let stdout = String::from_utf8_lossy(&output.stdout);
        println!("== schemathesis as {username}\n{stdout}");
        assert!(
            output.status.success(),
            "schemathesis found problems as {username}:\n{stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}
