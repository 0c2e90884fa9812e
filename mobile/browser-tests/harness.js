// Starts the real programs the browser tests drive: a sync server with demo data and the field
// app's liveview host, each on a free loopback port, and Debian's Chromium through
// playwright-core. Every process started here is stopped by the caller (see `stopAll`).
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const workspace = resolve(here, '..', '..');
const targetDir = process.env.CARGO_TARGET_DIR ? resolve(process.env.CARGO_TARGET_DIR) : join(workspace, 'target');
export const screenshotDir = join(targetDir, 'screenshots');
// run.sh passes private copies of the binaries; otherwise use the target directory's.
const bin = (name) =>
  ({ mobile: process.env.MOBILE_BIN, 'sync-server': process.env.SYNC_SERVER_BIN })[name] ?? join(targetDir, 'debug', name);

export const DEMO_PASSWORD = 'seen-and-heard-demo';
export const PIN = '1234';

const started = new Set();
const tempDirs = [];

export function tempDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), `seen-heard-${prefix}-`));
  tempDirs.push(dir);
  return dir;
}

export function freePort() {
  return new Promise((ok, fail) => {
    const probe = createServer();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => ok(port));
    });
  });
}

function startProcess(name, args, env = {}) {
  const child = spawn(bin(name), args, {
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.output = '';
  child.stdout.on('data', (d) => { child.output += d; });
  child.stderr.on('data', (d) => { child.output += d; });
  started.add(child);
  child.once('exit', () => started.delete(child));
  return child;
}

async function waitFor(what, check, timeoutMs = 20000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
}

/**
 * Starts the sync server with demo data on 127.0.0.1:`port`, and waits until it answers.
 * `extraArgs` go on its command line (`['--as-of', '2026-03-02']` for a training clock).
 */
export async function startServer(dataDir, port, extraArgs = []) {
  const server = startProcess('sync-server', ['--listen', `127.0.0.1:${port}`, '--data', dataDir, '--demo', ...extraArgs]);
  const url = `http://127.0.0.1:${port}`;
  await waitFor('the sync server', async () => {
    if (server.exitCode !== null) throw new Error(`sync-server exited: ${server.output}`);
    const res = await fetch(`${url}/api/health`);
    return res.ok;
  });
  server.url = url;
  return server;
}

/** Starts the field app's liveview host (no display) and waits for the address it prints. */
export async function startApp(dataDir, serverUrl, extraArgs = []) {
  const app = startProcess(
    'mobile',
    ['--serve', '127.0.0.1:0', '--server', serverUrl, '--data', dataDir, ...extraArgs],
    { DISPLAY: '', WAYLAND_DISPLAY: '' },
  );
  app.url = await waitFor('the app host', () => {
    if (app.exitCode !== null) throw new Error(`the app exited: ${app.output}`);
    const found = app.output.match(/serving the app at (http:\/\/[0-9.:]+)\//);
    return found && found[1];
  }, 30000);
  return app;
}

/** Stops a process and waits for it to be gone. `SIGKILL` simulates the phone killing the app. */
export async function stop(child, signal = 'SIGTERM') {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  await gone;
}

/**
 * Headless Chromium, set to `language` (a POSIX locale name) as a phone is set to its
 * language: British English unless told, as the authority's phones are. Chromium takes its
 * language from the environment, and draws its date boxes in that language's order
 * (dd/mm/yyyy in British English, mm/dd/yyyy in US English).
 */
export async function launchBrowser({ language = 'en_GB' } = {}) {
  // playwright-core gives every launch a fresh temporary profile (its own --user-data-dir).
  // Under `scripts/awkward-clock --browser` this process, the servers and the apps run on a
  // faked clock; Chromium does not, as under libfaketime every step takes too long. The app's
  // screens are rendered by the app, so the pages still show the faked day.
  const { LD_PRELOAD: _preload, FAKETIME: _faketime, ...env } = process.env;
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    env: { ...env, LANGUAGE: language, LANG: `${language}.UTF-8`, LC_ALL: `${language}.UTF-8` },
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
  return browser;
}

/** A phone-sized page (390x844) open at `url`, with the app's first screen rendered. */
export async function phonePage(browser, url) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  await page.goto(url);
  return page;
}

export async function screenshot(page, name) {
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: false });
}

/**
 * Waits for `locator`; if it never comes, fails with what the screen said instead and saves a
 * screenshot (`failed-<name>.png`), so that a failure seen once in CI can be read afterwards.
 */
export async function waitShowing(page, locator, name, options = {}) {
  try {
    await locator.waitFor(options);
  } catch (error) {
    const words = await page.locator('body').innerText({ timeout: 2000 }).catch(() => '(unreadable)');
    await screenshot(page, `failed-${name}`).catch(() => {});
    throw new Error(`${error.message}\nThe page's address: ${page.url()}\nThe screen said instead:\n${words}`);
  }
}

/** Signs in to the server's API directly, as a second device, to check what it holds. */
export async function apiLogin(serverUrl, username) {
  const res = await fetch(`${serverUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: DEMO_PASSWORD, device_id: crypto.randomUUID(), device_name: 'browser test' }),
  });
  if (!res.ok) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  return (await res.json()).access_token;
}

/** The signed-in worker's record, as the server sees it. */
export async function apiWorker(serverUrl, username) {
  const res = await fetch(`${serverUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: DEMO_PASSWORD, device_id: crypto.randomUUID(), device_name: 'browser test' }),
  });
  if (!res.ok) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  return (await res.json()).worker;
}

/** Signs in from a device of our own (a second phone): the token, device id and worker, to push as it. */
export async function deviceLogin(serverUrl, username) {
  const deviceId = crypto.randomUUID();
  const res = await fetch(`${serverUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: DEMO_PASSWORD, device_id: deviceId, device_name: 'browser test' }),
  });
  if (!res.ok) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  const body = await res.json();
  return { token: body.access_token, deviceId, worker: body.worker };
}

/** Pushes visit revisions as a device from `deviceLogin`, and answers the push's results. */
export async function apiPush(serverUrl, device, visits) {
  const res = await fetch(`${serverUrl}/api/sync/push`, {
    method: 'POST',
    headers: { authorization: `Bearer ${device.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ protocol: 1, device_id: device.deviceId, visits }),
  });
  if (!res.ok) throw new Error(`push failed: ${res.status} ${await res.text()}`);
  return (await res.json()).results;
}

/**
 * A visit as the app pushes it: a submitted statutory visit by `worker` to `child` (ids) from
 * `started` to `ended` (Dates or ISO strings), the child seen and seen alone, recorded as it
 * ended. Any of `fields` replaces the field of that name.
 */
export function statutoryVisit({ child, worker, started, ended, ...fields }) {
  // Times given as text keep their offset, as a phone's do; others are sent in UTC.
  const at = (t) => (typeof t === 'string' ? t : new Date(t).toISOString());
  const [from, to] = [at(started), at(ended)];
  return {
    id: crypto.randomUUID(), revision: 1, amends: null, status: 'submitted', amendment_reason: null,
    child_id: child, worker_id: worker, capacity: 'key_worker', started_at: from, ended_at: to,
    location: 'Family home', kind: 'statutory', purpose: 'To see the child at home', announced: 'announced',
    due_state_at_start: null, seen: { answer: 'yes' }, seen_alone: { answer: 'yes' },
    child_words: [], child_views: '', observations: { facts: '', concerns: '' },
    interpreters: [], plan_actions: [], harms_addressed: [], attachments: [], next_visit_planned: null,
    recorded_at: new Date(to).toISOString(),
    ...fields,
  };
}

export async function apiPost(serverUrl, token, path, body) {
  const res = await fetch(`${serverUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** Signs in on the app's sign-in screen and waits for the caseload. */
export async function signIn(page, username) {
  await page.locator('#sign-in').waitFor();
  await page.fill('#username', username);
  await page.fill('#password', DEMO_PASSWORD);
  await page.fill('#pin', PIN);
  await page.fill('#pin-again', PIN);
  await page.click('#sign-in-button');
  await page.locator('#screen-title', { hasText: 'My children' }).waitFor();
}

export async function apiGet(serverUrl, token, path) {
  const res = await fetch(`${serverUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

export async function stopAll() {
  await Promise.all([...started].map((c) => stop(c, 'SIGKILL')));
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Waits until the first sync has finished and the caseload has stopped changing. */
export async function settledCaseload(page) {
  await page.locator('#sync-badge', { hasText: 'All sent' }).waitFor({ timeout: 20000 });
  let last = -1;
  for (let i = 0; i < 50; i++) {
    const count = await page.locator('.case').count();
    if (count > 0 && count === last) return count;
    last = count;
    await page.waitForTimeout(300);
  }
  throw new Error('the caseload never settled');
}

/**
 * Opens a visit to Ellie (demo) once the first sync has settled, so that her card is the one
 * that stays, and fills it in but for its purpose: seen, seen alone, where, announced, ended
 * now.
 */
export async function visitToEllieFilledIn(page) {
  await settledCaseload(page);
  await page.locator('.case', { hasText: 'Ellie' }).first().click();
  await page.click('#start-visit');
  await page.locator('#visit-form').waitFor();
  await page.click('#seen-yes');
  await page.click('#seen-alone-yes');
  await page.fill('#location', 'Family home');
  await page.selectOption('#announced', 'announced');
  await page.click('#ended-now');
}

/**
 * A visit's start and end within today in the authority's time zone, ending before now: from
 * two hours ago, or from just after midnight there when two hours ago was yesterday (a test run
 * just after midnight would otherwise push yesterday's visit, which today's rules, such as a
 * standing decision from today, rightly do not cover). The times carry the zone's offset.
 */
export async function visitTimesToday(serverUrl, token) {
  const settings = await apiGet(serverUrl, token, '/api/settings');
  const now = new Date();
  const day = (t) => new Date(t).toLocaleDateString('en-CA', { timeZone: settings.time_zone });
  // Two hours ago, or the first minute of today there that is: counted in minutes, not from
  // the wall clock, which on the night the clocks go forward has skipped an hour.
  let from = now.getTime() - 2 * 3600 * 1000;
  while (day(from) !== day(now)) from += 60 * 1000;
  if (now.getTime() - from < 5000) {
    await new Promise((r) => setTimeout(r, 5000));
    return visitTimesToday(serverUrl, token);
  }
  const started = new Date(from);
  const ended = new Date(Math.min(started.getTime() + 45 * 60 * 1000, now.getTime() - 1000));
  // As the app sends them, in the authority's zone with its offset then: a visit at 00:30 in
  // London in summer, 23:30 UTC, is today's, not yesterday's.
  return { started: inZone(started, settings.time_zone), ended: inZone(ended, settings.time_zone) };
}

/** `when` as an RFC 3339 time with the offset of `timeZone` at that moment. */
export function inZone(when, timeZone) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', second: '2-digit', timeZoneName: 'longOffset',
    }).formatToParts(when).map((p) => [p.type, p.value]),
  );
  const offset = parts.timeZoneName === 'GMT' ? '+00:00' : parts.timeZoneName.slice(3);
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${offset}`;
}
