//! The field app's binary: parses the command line and launches. The routes live in
//! `mobile::routes` (shared with the render tests and the liveview host).

use clap::Parser;

// The one message a person starting the app must see, logging set up or not, goes to stderr.
#[allow(clippy::print_stderr)]
fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt().with_env_filter(tracing_subscriber::EnvFilter::from_default_env()).init();
    match mobile::app::launch(mobile::app::AppConfig::parse()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("Seen & Heard could not start: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
