//! Starting the app: a desktop window when there is a display, otherwise the same components
//! served to a browser over liveview on a local address.

use std::net::SocketAddr;
use std::path::PathBuf;

use dioxus::prelude::*;

use super::services::{AppSettings, Services, UiError};
use super::{App, SessionView};

/// The demo social worker the README's main-job command signs in as.
pub const DEMO_USERNAME: &str = "sam.social";
/// The demo accounts' password (synthetic data only).
pub const DEMO_PASSWORD: &str = "seen-and-heard-demo";
/// The PIN `--demo-sign-in` sets.
pub const DEMO_PIN: &str = "1234";
/// Where liveview is served when there is no display and no `--serve` address.
pub const DEFAULT_LIVEVIEW_ADDR: &str = "127.0.0.1:8090";

/// The command line.
#[derive(Clone, Debug, clap::Parser)]
#[command(name = "mobile", about = "Seen & Heard: the field app for statutory visits.")]
pub struct AppConfig {
    /// The sync server's address.
    #[arg(long, env = "SEEN_HEARD_SERVER", default_value = "http://127.0.0.1:8080")]
    pub server: String,
    /// Where to keep the phone's encrypted store (default: the platform's data directory).
    #[arg(long, env = crate::platform::DATA_DIR_ENV)]
    pub data: Option<PathBuf>,
    /// Serve the app to a browser on this address instead of opening a window (port 0 picks a
    /// free port). Without a display this is the default, on 127.0.0.1:8090.
    #[arg(long)]
    pub serve: Option<SocketAddr>,
    /// Sign in as the demo social worker (sam.social) with PIN 1234, or unlock with it.
    #[arg(long)]
    pub demo_sign_in: bool,
    /// Lock after this many seconds without a touch. Five minutes; change it only to test.
    #[arg(long, default_value_t = 300, hide = true)]
    pub idle_lock_secs: u64,
}

impl AppConfig {
    /// Where to serve liveview, or `None` to open a desktop window.
    pub fn liveview_address(&self) -> Option<SocketAddr> {
        if let Some(addr) = self.serve {
            return Some(addr);
        }
        // A phone always shows its own window.
        if cfg!(any(feature = "mobile", target_os = "android", target_os = "ios")) {
            return None;
        }
        let has_display = ["DISPLAY", "WAYLAND_DISPLAY"]
            .iter()
            .any(|var| std::env::var_os(var).is_some_and(|v| !v.is_empty()));
        if has_display { None } else { DEFAULT_LIVEVIEW_ADDR.parse().ok() }
    }
}

/// Opens the store, signs in for the demo if asked, then runs the UI until it is closed.
pub fn launch(config: AppConfig) -> Result<(), UiError> {
    // The served app is an unlocked phone: never offer it beyond this machine.
    if let Some(addr) = config.liveview_address()
        && !addr.ip().is_loopback()
    {
        return Err(UiError(format!(
            "{addr} is reachable from other machines: serve on 127.0.0.1 (or ::1) only"
        )));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| UiError(format!("could not start: {e}")))?;
    let _inside = runtime.enter();
    let settings = AppSettings {
        server: config.server.clone(),
        data_dir: config.data.clone().unwrap_or_else(crate::platform::data_dir),
        idle_lock: std::time::Duration::from_secs(config.idle_lock_secs.max(1)),
    };
    let services = Services::open(settings)?;
    if config.demo_sign_in {
        runtime.block_on(demo_sign_in(&services))?;
    }
    match config.liveview_address() {
        Some(addr) => runtime.block_on(crate::liveview::serve(addr, services)),
        None => native_window(services),
    }
}

/// The desktop window: the phone's size, so the phone layout is what is seen.
#[cfg(feature = "desktop")]
fn native_window(services: Services) -> Result<(), UiError> {
    let window = dioxus::desktop::WindowBuilder::new()
        .with_title("Seen & Heard")
        .with_inner_size(dioxus::desktop::LogicalSize::new(390.0, 844.0));
    dioxus::LaunchBuilder::desktop()
        .with_cfg(dioxus::desktop::Config::new().with_window(window).with_menu(None))
        .with_context(services)
        .launch(App);
    Ok(())
}

/// A phone's own webview (Android or iOS, built by `dx` with the `mobile` feature).
#[cfg(all(feature = "mobile", not(feature = "desktop")))]
fn native_window(services: Services) -> Result<(), UiError> {
    dioxus::LaunchBuilder::mobile().with_context(services).launch(App);
    Ok(())
}

/// Built with neither window feature: only liveview is possible.
#[cfg(not(any(feature = "desktop", feature = "mobile")))]
fn native_window(_services: Services) -> Result<(), UiError> {
    Err(UiError("this build has no window: start it with --serve 127.0.0.1:8090".to_owned()))
}

/// Signs in as the demo social worker, or unlocks with the demo PIN if already signed in.
pub async fn demo_sign_in(services: &Services) -> Result<(), UiError> {
    match services.snapshot().session {
        SessionView::SignedOut => {
            services
                .sign_in(
                    services.config().server.clone(),
                    DEMO_USERNAME.to_owned(),
                    DEMO_PASSWORD.to_owned(),
                    DEMO_PIN.to_owned(),
                )
                .await
        }
        SessionView::Locked { .. } => services.unlock(DEMO_PIN.to_owned()).await,
        SessionView::Starting | SessionView::Open { .. } => Ok(()),
    }
}
