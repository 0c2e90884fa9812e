// Measures the field app: time from launch to the caseload on screen, and memory, with a
// 30-child caseload and two years of history (made by `cargo run -p mobile --example
// ui_perf_seed -- DIR`). Both ways the app runs here: liveview in Chromium, and the desktop
// window under Xvfb. Usage: node measure.mjs DATA_DIR [runs]
import { spawn, execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { workspace } from './harness.js';

const dataDir = process.argv[2];
const runs = Number(process.argv[3] ?? 5);
const binary = process.env.MOBILE_BIN ?? join(workspace, 'target', 'debug', 'mobile');
if (!dataDir) throw new Error('usage: node measure.mjs DATA_DIR [runs]');

function rssKiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(status.match(/VmRSS:\s+(\d+)/)[1]);
}

// Proportional set size: shared pages divided among the processes sharing them, so a sum
// over processes does not count a library twice.
function pssKiB(pid) {
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  return Number(rollup.match(/^Pss:\s+(\d+)/m)[1]);
}

// Resident memory by what it holds: anonymous (the heap and stacks: the app's own data) and each
// file mapped (libraries, the binary), largest first.
function residentBy(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const anon = Number(status.match(/RssAnon:\s+(\d+)/)[1]);
  const files = new Map();
  let name = '';
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const mapping = line.match(/^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/);
    if (mapping) { name = mapping[1]; continue; }
    const rss = line.match(/^Rss:\s+(\d+)/);
    if (rss && name.startsWith('/') && !name.startsWith('/memfd') && !name.startsWith('/SYSV')) {
      files.set(name, (files.get(name) ?? 0) + Number(rss[1]));
    }
  }
  return { anon, files: [...files].sort((a, b) => b[1] - a[1]) };
}

function descendants(pid) {
  const all = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  const parent = new Map();
  for (const p of all) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      parent.set(Number(p), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch { /* gone */ }
  }
  const out = [];
  const walk = (p) => { for (const [child, par] of parent) if (par === p) { out.push(child); walk(child); } };
  walk(pid);
  return out;
}

function start(args, env) {
  const t0 = performance.now();
  const child = spawn(binary, ['--data', dataDir, '--demo-sign-in', ...args], {
    env: { ...process.env, RUST_LOG: 'mobile=info', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.output = '';
  child.stdout.on('data', (d) => { child.output += d; });
  child.stderr.on('data', (d) => { child.output += d; });
  child.t0 = t0;
  return child;
}

async function until(check, what, ms = 60000) {
  const end = Date.now() + ms;
  while (Date.now() < end) { const v = await check(); if (v) return v; await new Promise((r) => setTimeout(r, 5)); }
  throw new Error(`timed out: ${what}`);
}

async function stop(child) {
  const gone = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await gone;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function liveview() {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  const times = []; const rss = []; const pss = [];
  for (let i = 0; i < runs; i++) {
    const page = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
    const app = start(['--serve', '127.0.0.1:0'], { DISPLAY: '' });
    const url = await until(() => app.output.match(/serving the app at (http:\/\/[0-9.:]+)\//)?.[1], 'address');
    await page.goto(url);
    await page.locator('.case').nth(29).waitFor({ timeout: 60000 });
    times.push(performance.now() - app.t0);
    await page.waitForTimeout(1000);
    rss.push(rssKiB(app.pid));
    pss.push(pssKiB(app.pid));
    await page.context().close();
    await stop(app);
  }
  await browser.close();
  return { times, rss, pss };
}

async function desktop() {
  const xvfb = spawn('Xvfb', [':99', '-screen', '0', '1024x900x24', '-nolisten', 'tcp'], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 1000));
  const times = []; const rss = []; const rssApp = []; const pss = []; let by;
  try {
    for (let i = 0; i < runs; i++) {
      const app = start([], { DISPLAY: ':99' });
      await until(() => app.output.includes('caseload on screen'), 'caseload', 60000);
      times.push(performance.now() - app.t0);
      await new Promise((r) => setTimeout(r, 3000));
      const pids = [app.pid, ...descendants(app.pid)];
      rssApp.push(rssKiB(app.pid));
      if (i === 0) by = residentBy(app.pid);
      rss.push(pids.reduce((sum, p) => { try { return sum + rssKiB(p); } catch { return sum; } }, 0));
      pss.push(pids.reduce((sum, p) => { try { return sum + pssKiB(p); } catch { return sum; } }, 0));
      if (i === 0) {
        try { execFileSync('import', ['-display', ':99', '-window', 'root', '-crop', '390x844+0+0', join(workspace, 'target', 'screenshots', '00-desktop-caseload.png')]); } catch { /* optional */ }
      }
      await stop(app);
    }
  } finally {
    xvfb.kill('SIGTERM');
  }
  return { times, rss, rssApp, pss, by };
}

const lv = await liveview();
console.log(`liveview: launch to 30 children on screen, median ${median(lv.times).toFixed(0)} ms (runs: ${lv.times.map((t) => t.toFixed(0)).join(', ')})`);
console.log(`liveview: host RSS median ${(median(lv.rss) / 1024).toFixed(1)} MiB (PSS ${(median(lv.pss) / 1024).toFixed(1)} MiB)`);
const dt = await desktop();
console.log(`desktop: launch to caseload rendered, median ${median(dt.times).toFixed(0)} ms (runs: ${dt.times.map((t) => t.toFixed(0)).join(', ')})`);
console.log(`desktop: app process RSS median ${(median(dt.rssApp) / 1024).toFixed(1)} MiB; with its WebKit processes RSS ${(median(dt.rss) / 1024).toFixed(1)} MiB, PSS ${(median(dt.pss) / 1024).toFixed(1)} MiB`);
const mib = (kib) => `${(kib / 1024).toFixed(1)} MiB`;
console.log(`desktop: of the app process's RSS (first run), anonymous (heap, stacks) ${mib(dt.by.anon)}; largest files mapped:`);
for (const [file, kib] of dt.by.files.slice(0, 8)) console.log(`  ${mib(kib)}  ${file}`);
