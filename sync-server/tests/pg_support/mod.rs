//! A throwaway PostgreSQL cluster for tests: `initdb` into a temporary directory, the server
//! listening only on a Unix socket in that directory (no TCP port to clash with anything), and
//! a fresh database for each test. One cluster per test binary, started on first use.
//!
//! **Stopped and deleted at the end, whatever the end.** The server runs under a small shell
//! that waits on a pipe from this process. When the test binary exits (passing, failing or
//! killed) the pipe closes, and the shell stops the server (fast shutdown) and deletes the
//! directory. Nothing needs a destructor on a `static`.
//!
//! **As root** (CI runs as root, and `initdb` and `postgres` refuse to): the directory is made
//! under `/tmp`, handed to the `postgres` system user (created by the Debian package), and
//! every PostgreSQL program runs as that user through `setpriv`. As a normal user they run
//! directly. Either way the superuser is named `postgres` and the socket trusts local
//! connections, so URLs are the same.
//!
//! The server runs with `fsync=off`: these tests kill server processes, never PostgreSQL or the
//! machine, and durability across an operating-system crash is PostgreSQL's own business.
//! Benchmarks take [`durable_cluster`] instead: PostgreSQL's defaults (`fsync`, full-page
//! writes, `synchronous_commit`), so a commit is on disk when it returns, as in production.

#![allow(dead_code)]

use std::collections::HashMap;
use std::os::unix::fs::MetadataExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// The cluster of this test binary.
#[derive(Debug)]
pub struct Cluster {
    /// The directory holding the data directory, the socket and the log.
    root: PathBuf,
    bin: PathBuf,
    as_postgres: bool,
    next_database: AtomicU32,
    /// Kept open for the life of the process: its closing stops the cluster.
    _keeper: Mutex<(Child, ChildStdin)>,
    /// Test directories given a database, for harnesses that reopen by directory.
    by_dir: Mutex<HashMap<PathBuf, String>>,
}

/// The shared cluster, started on first use.
pub fn cluster() -> &'static Cluster {
    static CLUSTER: OnceLock<Cluster> = OnceLock::new();
    CLUSTER.get_or_init(|| Cluster::start(&["fsync=off", "full_page_writes=off", "shared_buffers=32MB"]))
}

/// A cluster as durable as a production one, for benchmarks: started on first use.
pub fn durable_cluster() -> &'static Cluster {
    static CLUSTER: OnceLock<Cluster> = OnceLock::new();
    CLUSTER.get_or_init(|| Cluster::start(&["shared_buffers=256MB"]))
}

/// Where PostgreSQL's programs are: Debian's versioned directory, or else on the PATH.
fn bin_dir() -> PathBuf {
    let debian = Path::new("/usr/lib/postgresql");
    let mut versions: Vec<PathBuf> = std::fs::read_dir(debian)
        .map(|entries| entries.filter_map(|e| e.ok()).map(|e| e.path().join("bin")).collect())
        .unwrap_or_default();
    versions.retain(|bin| bin.join("initdb").is_file());
    versions.sort();
    if let Some(newest) = versions.pop() {
        return newest;
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .find(|dir| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file())
        .expect("PostgreSQL's server programs (initdb, postgres): run scripts/install-deps")
}

fn running_as_root() -> bool {
    std::fs::metadata("/proc/self").map(|m| m.uid() == 0).unwrap_or(false)
}

impl Cluster {
    /// Starts a cluster with these settings (`name=value`) beyond the defaults.
    fn start(settings: &[&str]) -> Cluster {
        let bin = bin_dir();
        let as_postgres = running_as_root();
        // As root, under /tmp: the postgres user must be able to reach the directory, which
        // a TMPDIR inside root's home would not allow. The socket path must also stay short.
        let base = if as_postgres { PathBuf::from("/tmp") } else { std::env::temp_dir() };
        let root = tempfile::Builder::new()
            .prefix("pg-test-")
            .tempdir_in(&base)
            .expect("a temporary directory")
            .keep();
        if as_postgres {
            let status = Command::new("chown").arg("postgres:postgres").arg(&root).status().expect("chown");
            assert!(
                status.success(),
                "could not hand {} to the postgres system user (run scripts/install-deps, which \
                 installs postgresql and so creates the user)",
                root.display()
            );
        }
        let data = root.join("data");
        let cluster = |program: &str| -> Command {
            if as_postgres {
                // setpriv executes the program in its own place (runuser would stay in between
                // and not pass on the keeper's SIGINT).
                let mut command = Command::new("setpriv");
                command
                    .args(["--reuid=postgres", "--regid=postgres", "--clear-groups", "--"])
                    .arg(bin.join(program));
                command
            } else {
                Command::new(bin.join(program))
            }
        };
        let output = cluster("initdb")
            .arg("-D")
            .arg(&data)
            .args(["--username=postgres", "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync"])
            .output()
            .expect("initdb runs");
        assert!(output.status.success(), "initdb failed: {}", String::from_utf8_lossy(&output.stderr));

        // The keeper: starts the server, waits for this process's end (its stdin closing),
        // then stops the server and deletes everything. It runs as the caller, so that root
        // can delete what the postgres user wrote.
        let server = cluster("postgres");
        let mut start: Vec<String> = std::iter::once(server.get_program())
            .chain(server.get_args())
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        start.extend(
            ["-D", &data.to_string_lossy(), "-k", &root.to_string_lossy(), "-c", "listen_addresses="]
                .map(String::from),
        );
        for setting in ["max_connections=300"].iter().chain(settings) {
            start.extend(["-c".to_owned(), (*setting).to_owned()]);
        }
        let quoted: Vec<String> = start.iter().map(|a| format!("'{}'", a.replace('\'', "'\\''"))).collect();
        let script = format!(
            "{} >'{log}' 2>&1 & pid=$!\nread _ignored\nkill -INT $pid\nwait $pid\nrm -rf '{root}'\n",
            quoted.join(" "),
            log = root.join("server.log").display(),
            root = root.display(),
        );
        let mut keeper = Command::new("sh")
            .arg("-c")
            .arg(script)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("sh runs");
        let stdin = keeper.stdin.take().expect("the keeper's stdin");

        let ready = Instant::now();
        loop {
            let probe =
                cluster("pg_isready").arg("-q").arg("-h").arg(&root).args(["-U", "postgres"]).status();
            if probe.is_ok_and(|s| s.success()) {
                break;
            }
            if ready.elapsed() > Duration::from_secs(60) {
                let log = std::fs::read_to_string(root.join("server.log")).unwrap_or_default();
                panic!("PostgreSQL did not start within a minute:\n{log}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Cluster {
            root,
            bin,
            as_postgres,
            next_database: AtomicU32::new(1),
            _keeper: Mutex::new((keeper, stdin)),
            by_dir: Mutex::new(HashMap::new()),
        }
    }

    /// The URL of a database of this cluster, over its Unix socket.
    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@localhost/{database}?host={}", self.root.display())
    }

    /// Runs `sql` with `psql` on the database at `url`: its output, unaligned, without headers.
    pub fn psql(&self, url: &str, sql: &str) -> String {
        let output = Command::new(self.bin.join("psql"))
            .args(["-X", "-At", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql])
            .output()
            .expect("psql runs");
        assert!(output.status.success(), "psql failed: {}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8_lossy(&output.stdout).trim().to_owned()
    }

    /// A new, empty database: its URL.
    pub fn fresh_database(&self) -> String {
        let name = format!("test_{}", self.next_database.fetch_add(1, Ordering::SeqCst));
        let output = Command::new(self.bin.join("createdb"))
            .arg("-h")
            .arg(&self.root)
            .args(["-U", "postgres", &name])
            .output()
            .expect("createdb runs");
        assert!(output.status.success(), "createdb failed: {}", String::from_utf8_lossy(&output.stderr));
        self.url(&name)
    }

    /// The database kept for `dir`: the same one every time for the same directory.
    pub fn database_for(&self, dir: &Path) -> String {
        let mut by_dir = self.by_dir.lock().expect("not poisoned");
        by_dir.entry(dir.to_owned()).or_insert_with(|| self.fresh_database()).clone()
    }
}
