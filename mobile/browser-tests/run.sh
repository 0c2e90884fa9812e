#!/usr/bin/env bash
# Runs the field app's browser tests: builds the sync server and the app as the Rust tests do,
# installs playwright-core if missing, then drives Debian's Chromium against both. Screenshots land in
# the workspace's target/screenshots/. Exits non-zero if anything fails.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
workspace="$(cd "$here/../.." && pwd)"

if [ ! -x /usr/bin/chromium ]; then
  echo "Debian's chromium is needed: apt-get install -y chromium" >&2
  exit 1
fi
# The tests set Chromium to British English (and to US English and Swedish in
# date-order.test.js); without its languages it falls back to US English everywhere.
if [ ! -e /usr/lib/chromium/locales/en-GB.pak ]; then
  echo "Chromium's languages are needed: apt-get install -y chromium-l10n (scripts/install-deps)" >&2
  exit 1
fi

"$workspace/scripts/build-test-bins"

# Other builds in the same target directory (other crates' tests, other feature sets) can
# replace target/debug/mobile at any moment; test copies taken now, checked to be the app.
bins="$(mktemp -d)"
trap 'rm -rf "$bins"' EXIT
target="${CARGO_TARGET_DIR:-$workspace/target}"
cp "$target/debug/mobile" "$target/debug/sync-server" "$bins/"
if ! "$bins/mobile" --help | grep -q -- --demo-sign-in; then
  echo "target/debug/mobile is not the field app (replaced by another build?): run again" >&2
  exit 1
fi
export MOBILE_BIN="$bins/mobile" SYNC_SERVER_BIN="$bins/sync-server"

cd "$here"
if [ ! -d node_modules/playwright-core ] || [ ! -d node_modules/axe-core ]; then
  npm ci --no-audit --no-fund
fi
# `BROWSER_TESTS_AT="2026-07-15 23:30:00"` (UTC; scripts/awkward-clock --browser) runs the tests
# from that moment under libfaketime: this Node process, and the servers and apps it starts, by
# one offset from the real clock, so they agree with one another. Chromium alone keeps the real
# clock (harness.js), as under libfaketime every step takes too long; the app renders its
# screens itself, so they show the faked day.
faked=()
if [ -n "${BROWSER_TESTS_AT:-}" ]; then
  lib=/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1
  [ -e "$lib" ] || { echo "libfaketime is missing: run scripts/install-deps" >&2; exit 1; }
  offset=$(( $(date -u -d "$BROWSER_TESTS_AT" +%s) - $(date -u +%s) ))
  [ "$offset" -ge 0 ] && offset="+$offset"   # libfaketime reads an unsigned number as a moment
  faked=(env LD_PRELOAD="$lib" FAKETIME="$offset" FAKETIME_DONT_FAKE_MONOTONIC=1 FAKETIME_NO_CACHE=1)
fi
"${faked[@]}" node --test --test-concurrency=1 tests/
