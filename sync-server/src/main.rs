//! The sync server binary: `sync-server --listen 127.0.0.1:8080 --data ./data [--demo]`, and
//! its maintenance commands: `sync-server backup --to FILE` (an online backup of a running
//! server), `sync-server restore --from FILE --data DIR` and `sync-server migrate --from DIR
//! --to postgres://…` (a sled store copied into PostgreSQL). `--database postgres://…` (or
//! `DATABASE_URL`) runs the server on PostgreSQL instead of sled.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use chrono::NaiveDate;
use clap::Parser;
use shared::CalendarName;
use shared::clock::Tz;
use sync_server::{AppState, Config, demo};
use tracing_subscriber::EnvFilter;

/// Seen & Heard's sync server.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// A maintenance command; without one, the server runs.
    #[command(subcommand)]
    command: Option<Command>,
    /// The address to listen on.
    #[arg(long, env = "SEEN_AND_HEARD_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// The directory of the sled store (created if missing); with --database, only the default
    /// home of the photos.
    #[arg(long, env = "SEEN_AND_HEARD_DATA", default_value = "./data")]
    data: PathBuf,
    /// Keep the records in this PostgreSQL database instead of sled
    /// (`postgres://user:password@host/db`, or `postgres://user@localhost/db?host=/run/postgresql`
    /// over a Unix socket). Several servers may share one database.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    database: Option<String>,
    /// Seed synthetic demo accounts, teams and children (idempotent).
    #[arg(long, env = "SEEN_AND_HEARD_DEMO")]
    demo: bool,
    /// The working-day calendar: jersey or england_and_wales.
    #[arg(long, env = "SEEN_AND_HEARD_CALENDAR", default_value = "jersey")]
    calendar: CalendarName,
    /// The authority's IANA time zone: "today" and every business date is the date there
    /// (Jersey: Europe/Jersey).
    #[arg(long, env = "SEEN_AND_HEARD_TIME_ZONE", default_value = "Europe/London", value_parser = parse_time_zone)]
    time_zone: Tz,
    /// Training only (needs --demo): start the business clock on this date (YYYY-MM-DD); time
    /// then passes as it does in reality. Never earlier than a date the data directory ran on.
    #[arg(long, env = "SEEN_AND_HEARD_AS_OF", value_parser = parse_as_of)]
    as_of: Option<NaiveDate>,
    /// Overdue by more than this many working days escalates to a senior manager.
    #[arg(long, env = "SEEN_AND_HEARD_SENIOR_AFTER_DAYS", default_value_t = 5)]
    senior_after_working_days: u32,
    /// Access token lifetime in seconds (at most 900).
    #[arg(long, env = "SEEN_AND_HEARD_ACCESS_TTL_SECS", default_value_t = 900)]
    access_ttl_secs: u64,
    /// Also send escalations, HMAC-signed, to this URL (an e-mail or chat relay).
    #[arg(long, env = "SEEN_AND_HEARD_WEBHOOK_URL")]
    webhook_url: Option<String>,
    /// The webhook's shared secret (required with --webhook-url; at least 32 bytes).
    #[arg(long, env = "SEEN_AND_HEARD_WEBHOOK_SECRET", hide_env_values = true)]
    webhook_secret: Option<String>,
    /// Where photos are kept (default: `blobs` inside --data).
    #[arg(long, env = "SEEN_AND_HEARD_BLOBS")]
    blobs: Option<PathBuf>,
    /// Working days after a due date before "nothing synced" is escalated as overdue (0: at
    /// the authority's midnight after the due date).
    #[arg(long, env = "SEEN_AND_HEARD_SYNC_GRACE_WORKING_DAYS", default_value_t = 0,
        value_parser = clap::value_parser!(u32).range(0..=5))]
    sync_grace_working_days: u32,
    /// Working days a manager has to acknowledge an escalation before it goes one level up
    /// (and after acknowledging, before a child still unseen re-opens it).
    #[arg(long, env = "SEEN_AND_HEARD_ACKNOWLEDGE_WORKING_DAYS", default_value_t = 2,
        value_parser = clap::value_parser!(u32).range(1..=20))]
    acknowledge_working_days: u32,
    /// Working days after an arranged visit's date before a child still unseen re-opens the
    /// escalation one level up.
    #[arg(long, env = "SEEN_AND_HEARD_ARRANGED_GRACE_WORKING_DAYS", default_value_t = 1,
        value_parser = clap::value_parser!(u32).range(0..=20))]
    arranged_grace_working_days: u32,
    /// The day this service went live (YYYY-MM-DD), when it replaced another system: children
    /// whose plans began earlier, with no visit here and no imported last-seen date, get one
    /// team-manager prompt instead of a senior escalation each.
    #[arg(long, env = "SEEN_AND_HEARD_GO_LIVE")]
    go_live: Option<chrono::NaiveDate>,
    /// The plan's timeline: the first core group is due within this many working days of the
    /// initial child protection conference.
    #[arg(long, env = "SEEN_AND_HEARD_CORE_GROUP_FIRST_WORKING_DAYS", default_value_t = 10,
        value_parser = clap::value_parser!(u32).range(1..=60))]
    core_group_first_working_days: u32,
    /// Later core groups are due at least this many weeks after the last.
    #[arg(long, env = "SEEN_AND_HEARD_CORE_GROUP_EVERY_WEEKS", default_value_t = 6,
        value_parser = clap::value_parser!(u32).range(1..=26))]
    core_group_every_weeks: u32,
    /// The first review conference is due within this many months of the initial conference.
    #[arg(long, env = "SEEN_AND_HEARD_REVIEW_FIRST_MONTHS", default_value_t = 3,
        value_parser = clap::value_parser!(u32).range(1..=12))]
    review_first_months: u32,
    /// Later review conferences are due this many months after the last.
    #[arg(long, env = "SEEN_AND_HEARD_REVIEW_EVERY_MONTHS", default_value_t = 6,
        value_parser = clap::value_parser!(u32).range(1..=12))]
    review_every_months: u32,
    /// Each child's case is supervised at least this many months apart.
    #[arg(long, env = "SEEN_AND_HEARD_SUPERVISION_EVERY_MONTHS", default_value_t = 1,
        value_parser = clap::value_parser!(u32).range(1..=12))]
    supervision_every_months: u32,
}

/// Maintenance commands.
#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Takes a consistent backup of a running server, while it serves, into FILE: every record
    /// as one snapshot, every photo, and a checksum. FILE is written only once the whole backup
    /// has arrived and passed its check. Signs in as an administrator; the password is read from
    /// SEEN_AND_HEARD_BACKUP_PASSWORD, never from the command line.
    Backup {
        /// Where to write the backup (refused if it exists).
        #[arg(long)]
        to: PathBuf,
        /// The running server's address.
        #[arg(long, env = "SEEN_AND_HEARD_BACKUP_SERVER", default_value = "http://127.0.0.1:8080")]
        server: String,
        /// An administrator's username.
        #[arg(long, env = "SEEN_AND_HEARD_BACKUP_USERNAME")]
        username: String,
    },
    /// Restores a backup into a new data directory (refused if it already holds a store), or,
    /// with --check, only reads it through and checks it.
    Restore {
        /// The backup file.
        #[arg(long)]
        from: PathBuf,
        /// The new data directory.
        #[arg(long, required_unless_present = "check")]
        data: Option<PathBuf>,
        /// Where the photos go (default: `blobs` inside --data).
        #[arg(long)]
        blobs: Option<PathBuf>,
        /// Check the backup (every byte against its checksum) and write nothing.
        #[arg(long)]
        check: bool,
    },
    /// Copies a sled store into an empty PostgreSQL database, then verifies the copy by
    /// counting and hashing every record on both sides. Stop the server on the sled store
    /// first. Photos stay where they are (the --blobs directory).
    Migrate {
        /// The sled store's directory.
        #[arg(long)]
        from: PathBuf,
        /// The PostgreSQL database (refused unless it is empty).
        #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
        to: String,
    },
}

/// `sync-server migrate`.
async fn migrate(from: &std::path::Path, to: &str) -> anyhow::Result<()> {
    if !from.join("conf").exists() {
        anyhow::bail!("{} holds no sled store", from.display());
    }
    let source = sync_server::store::open(from).with_context(|| {
        format!("opening the sled store in {} (is a server still running on it?)", from.display())
    })?;
    let target = sync_server::store::connect(to).await.context("connecting to the PostgreSQL database")?;
    let report = sync_server::store::copy_into(source.as_ref(), target.as_ref()).await?;
    println!(
        "copied {} records from {} into PostgreSQL; verified: both sides hold {} records, sha256 {}",
        report.records,
        from.display(),
        report.records,
        report.sha256
    );
    Ok(())
}

/// `sync-server backup`: fetches `GET /api/admin/backup` into a file beside `to`, checks it,
/// then moves it into place.
async fn backup(to: &std::path::Path, server: &str, username: &str) -> anyhow::Result<()> {
    use tokio::io::AsyncWriteExt as _;
    if to.exists() {
        anyhow::bail!("{} exists: choose a new file", to.display());
    }
    let password = std::env::var("SEEN_AND_HEARD_BACKUP_PASSWORD")
        .context("set SEEN_AND_HEARD_BACKUP_PASSWORD to the administrator's password")?;
    let base = server.trim_end_matches('/');
    let client = reqwest::Client::new();
    // One device record per administrator for backups, reused by every run.
    let digest = <sha2::Sha256 as sha2::Digest>::digest(format!("backup client {username}").as_bytes());
    let mut id = [0u8; 16];
    id.copy_from_slice(&digest[..16]);
    let device_id = shared::DeviceId(uuid::Builder::from_random_bytes(id).into_uuid());
    let login = shared::sync::LoginRequest {
        username: username.to_owned(),
        password,
        device_id,
        device_name: Some("sync-server backup".into()),
    };
    let answer = client.post(format!("{base}/api/auth/login")).json(&login).send().await?;
    if !answer.status().is_success() {
        anyhow::bail!("signing in failed: {} {}", answer.status(), answer.text().await.unwrap_or_default());
    }
    let tokens: shared::sync::TokenResponse = answer.json().await?;
    let response =
        client.get(format!("{base}/api/admin/backup")).bearer_auth(&tokens.access_token).send().await?;
    if !response.status().is_success() {
        anyhow::bail!(
            "the server refused the backup: {} {}",
            response.status(),
            response.text().await.unwrap_or_default()
        );
    }
    let partial = to.with_extension("partial");
    let mut file = tokio::fs::File::create(&partial).await?;
    let mut response = response;
    while let Some(chunk) = response.chunk().await.context("the backup stopped arriving")? {
        file.write_all(&chunk).await?;
    }
    file.sync_all().await?;
    drop(file);
    let _ = client.post(format!("{base}/api/auth/logout")).bearer_auth(&tokens.access_token).send().await;
    let checked = {
        let partial = partial.clone();
        tokio::task::spawn_blocking(move || sync_server::backup::check_backup(&partial)).await?
    };
    let summary = match checked {
        Ok(summary) => summary,
        Err(error) => {
            let _ = tokio::fs::remove_file(&partial).await;
            anyhow::bail!("the backup did not pass its check, so nothing was kept: {error}");
        }
    };
    tokio::fs::rename(&partial, to).await?;
    println!("backup written to {}: {summary}", to.display());
    Ok(())
}

/// `sync-server restore`.
async fn restore(
    from: &std::path::Path,
    data: Option<&std::path::Path>,
    blobs: Option<&std::path::Path>,
    check: bool,
) -> anyhow::Result<()> {
    let summary = match data {
        Some(data) if !check => {
            let blobs = blobs.map_or_else(|| data.join("blobs"), std::path::Path::to_owned);
            sync_server::backup::restore(from, data, &blobs).await?
        }
        _ => {
            let from = from.to_owned();
            tokio::task::spawn_blocking(move || sync_server::backup::check_backup(&from)).await??
        }
    };
    let done = if check { "checked" } else { "restored" };
    println!("{done}: {summary}");
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")))
        .init();
    let args = Args::parse();
    match &args.command {
        Some(Command::Backup { to, server, username }) => return backup(to, server, username).await,
        Some(Command::Restore { from, data, blobs, check }) => {
            return restore(from, data.as_deref(), blobs.as_deref(), *check).await;
        }
        Some(Command::Migrate { from, to }) => return migrate(from, to).await,
        None => {}
    }
    // The signing secret may come from the environment (shared by several instances); otherwise
    // it is made on first start and kept in the store.
    let secret = std::env::var("SEEN_AND_HEARD_JWT_SECRET").ok().map(String::into_bytes);
    if secret.as_ref().is_some_and(|s| s.len() < 32) {
        anyhow::bail!("SEEN_AND_HEARD_JWT_SECRET must be at least 32 bytes");
    }
    if args.as_of.is_some() && !args.demo {
        anyhow::bail!("{}", sync_server::clock::ClockError::AsOfWithoutDemo);
    }
    let mut config = Config { calendar: args.calendar, ..Config::default() };
    config.rules.senior_after_working_days = args.senior_after_working_days;
    config.access_ttl = std::time::Duration::from_secs(args.access_ttl_secs.clamp(30, 900));
    config.oversight.escalation.sync_grace_working_days = args.sync_grace_working_days;
    config.oversight.escalation.acknowledge_within_working_days = args.acknowledge_working_days;
    config.oversight.escalation.arranged_grace_working_days = args.arranged_grace_working_days;
    config.oversight.escalation.go_live = args.go_live;
    config.oversight.escalation.timescales = shared::timeline::Timescales {
        core_group_first_working_days: args.core_group_first_working_days,
        core_group_every_weeks: args.core_group_every_weeks,
        review_first_months: args.review_first_months,
        review_every_months: args.review_every_months,
        supervision_every_months: args.supervision_every_months,
    };
    config.oversight.blob_dir = Some(args.blobs.clone().unwrap_or_else(|| args.data.join("blobs")));
    config.oversight.webhook = match (args.webhook_url.clone(), args.webhook_secret.clone()) {
        (Some(url), Some(secret)) if secret.len() >= 32 => {
            Some(sync_server::webhook::WebhookConfig::new(url, secret.into_bytes()))
        }
        (Some(_), _) => anyhow::bail!("--webhook-url needs --webhook-secret of at least 32 bytes"),
        (None, _) => None,
    };

    let store = match &args.database {
        Some(url) => {
            let store =
                sync_server::store::connect(url).await.context("connecting to the PostgreSQL database")?;
            tracing::info!("records kept in PostgreSQL");
            store
        }
        None => sync_server::store::open(&args.data)
            .with_context(|| format!("opening the store in {}", args.data.display()))?,
    };
    config.clock = sync_server::clock::open(store.as_ref(), args.time_zone, args.as_of, args.demo).await?;
    let state = AppState::open(store, secret, config).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    tracing::info!(
        time_zone = %state.clock().time_zone(),
        today = %state.today(),
        training = state.clock().is_training(),
        "business clock"
    );
    if args.demo {
        let seeded = demo::seed_at(state.store(), state.calendar(), state.today(), state.now())
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        tracing::info!(seeded, "demo data ready (password: {})", demo::DEMO_PASSWORD);
    }
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("binding {}", args.listen))?;
    tracing::info!(address = %listener.local_addr()?, "listening");
    sync_server::sweeper::spawn_sweeper(state.clone());
    // Notices left in the webhook outbox when the server last stopped are sent now.
    sync_server::sweeper::notify(&state);
    sync_server::clock::spawn_mark_keeper(state.clone());
    sync_server::serve(listener, state, shutdown_signal()).await
}

fn parse_time_zone(name: &str) -> Result<Tz, String> {
    shared::clock::parse_time_zone(name)
}

fn parse_as_of(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| format!("{text:?} is not a date: use YYYY-MM-DD"))
}

/// Completes on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
    tracing::info!("shutting down: draining requests");
}
