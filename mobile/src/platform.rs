//! Where the app keeps its data on each platform, behind one function so nothing else cares.
//!
//! Dioxus 0.7 has no path-provider API (its issue #3975), so each platform is handled here:
//! - **Any platform:** the `SEEN_HEARD_DATA` environment variable, when set, wins (tests, the
//!   liveview harness, and running several app instances side by side).
//! - **Linux and other Unix desktops:** `$XDG_DATA_HOME/seen-and-heard`, or
//!   `~/.local/share/seen-and-heard` (what the `dirs` crate calls the data dir).
//! - **macOS:** `~/Library/Application Support/seen-and-heard`.
//! - **iOS:** `$HOME` is the app's sandbox, so the same `Library/Application Support` path lies
//!   inside it and is backed up with the app, never shared with other apps.
//! - **Windows:** `%APPDATA%\seen-and-heard`.
//! - **Android:** the app's private files directory, `/data/user/0/<app id>/files`. The
//!   authoritative answer is `Context.getFilesDir()` over JNI (through `ndk-context`); that call
//!   is not made here because nothing Android can be built or tested on this machine, and the
//!   path above is what it returns for the device's primary user. **Not verified on a phone.**

use std::path::PathBuf;

/// The environment variable that overrides the data directory.
pub const DATA_DIR_ENV: &str = "SEEN_HEARD_DATA";

/// The folder name used under the platform's data directory.
pub const APP_DIR_NAME: &str = "seen-and-heard";

/// The Android application id (must match `Dioxus.toml`'s bundle identifier).
pub const ANDROID_APP_ID: &str = "org.seenandheard.field";

/// The directory the app keeps its local store in. Not created here: the store creates it.
pub fn data_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os(DATA_DIR_ENV).filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    platform_data_dir()
}

#[cfg(target_os = "android")]
fn platform_data_dir() -> PathBuf {
    PathBuf::from(format!("/data/user/0/{ANDROID_APP_ID}/files"))
}

#[cfg(any(target_os = "macos", target_os = "ios"))]
fn platform_data_dir() -> PathBuf {
    home().join("Library").join("Application Support").join(APP_DIR_NAME)
}

#[cfg(target_os = "windows")]
fn platform_data_dir() -> PathBuf {
    std::env::var_os("APPDATA").map(PathBuf::from).unwrap_or_else(home).join(APP_DIR_NAME)
}

#[cfg(not(any(target_os = "android", target_os = "macos", target_os = "ios", target_os = "windows")))]
fn platform_data_dir() -> PathBuf {
    std::env::var_os("XDG_DATA_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| home().join(".local").join("share"))
        .join(APP_DIR_NAME)
}

#[cfg(not(target_os = "android"))]
fn home() -> PathBuf {
    std::env::var_os("HOME")
        .or_else(|| std::env::var_os("USERPROFILE"))
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        // With no home at all, fall back to the working directory rather than the root.
        .unwrap_or_else(|| PathBuf::from("."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_data_dir_is_the_apps_own_folder() {
        // The override may be set by whoever runs the tests; either way the answer is usable.
        let dir = data_dir();
        match std::env::var_os(DATA_DIR_ENV).filter(|d| !d.is_empty()) {
            Some(over) => assert_eq!(dir, PathBuf::from(over)),
            None => assert!(dir.ends_with(APP_DIR_NAME), "{dir:?}"),
        }
    }
}
