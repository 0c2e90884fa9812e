// Screens anyone can use: axe-core on every screen at phone (390x844) and desktop (1280x800)
// sizes, failing on any violation at any impact; every screen a <main> landmark and British
// English with every date entry labelled day, month, year and read back in words; and at 200% zoom (a 1280x800 window shows 640x400 CSS pixels) nothing scrolls
// sideways and the bars' controls do not overlap. One page load per screen per size.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { axeViolations } from '../axe.js';
import {
  apiGet, apiLogin, freePort, launchBrowser, screenshot, signIn, startApp, startServer, stopAll, tempDir,
} from '../harness.js';

const SIZES = [
  { name: 'phone', viewport: { width: 390, height: 844 } },
  { name: 'desktop', viewport: { width: 1280, height: 800 } },
  { name: 'zoom200', viewport: { width: 640, height: 400 }, deviceScaleFactor: 2 },
];

/** Every screen once signed in: its address and what shows once it has loaded. */
function screens(child) {
  return [
    ['caseload', '/', '.case'],
    ['child', `/child/${child}`, '#screen-title'],
    ['handover', `/child/${child}/handover`, '#screen-title'],
    ['visit', `/child/${child}/visit`, '#screen-title'],
    ['photos', `/child/${child}/visit/photos`, '#screen-title'],
    ['review', `/child/${child}/visit/review`, '#screen-title'],
    ['sync', '/sync', '#screen-title'],
    ['inbox', '/inbox', '#screen-title'],
    ['held', '/inbox/held', '#no-held, .card'],
    ['supervision', '/inbox/supervision', '.supervision-case'],
    ['desk', '/desk', '#chart-team'],
    ['chronology', `/desk/child/${child}`, 'table.chronology'],
  ];
}

/** What is wrong with the page as a page: landmark, language, sideways scroll, overlaps. */
async function pageProblems(page) {
  return page.evaluate(() => {
    const problems = [];
    if (document.querySelectorAll('main').length !== 1) problems.push('not exactly one <main>');
    if (document.documentElement.lang !== 'en-GB') problems.push(`lang is "${document.documentElement.lang}"`);
    for (const input of document.querySelectorAll('input[type=date], input[type=datetime-local]')) {
      const label = input.labels?.[0]?.innerText ?? '';
      if (!/Day, then month, then year/.test(label)) problems.push(`date entry #${input.id} does not say its order`);
      const words = document.getElementById(input.getAttribute('aria-describedby') ?? '');
      if (!words?.classList.contains('date-words')) problems.push(`date entry #${input.id} is not read back in words`);
    }
    const wide = document.documentElement.scrollWidth - document.documentElement.clientWidth;
    if (wide > 0) problems.push(`scrolls sideways by ${wide}px`);
    for (const bar of document.querySelectorAll('.topbar, .bottomnav nav')) {
      const boxes = [...bar.children].map((c) => c.getBoundingClientRect());
      for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++) {
          const [a, b] = [boxes[i], boxes[j]];
          if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1) {
            problems.push(`controls overlap in ${bar.className}`);
          }
        }
      }
    }
    return problems;
  });
}

describe('every screen, at every size, has no accessibility violation', () => {
  let server, app, freshApp, browser, child;
  const found = [];

  before(async () => {
    server = await startServer(tempDir('a11y-server'), await freePort());
    [app, freshApp] = await Promise.all([
      startApp(tempDir('a11y-app'), server.url),
      startApp(tempDir('a11y-fresh'), server.url),
    ]);
    browser = await launchBrowser();
    const token = await apiLogin(server.url, 'tara.manager');
    child = (await apiGet(server.url, token, '/api/children')).find((c) => c.central_id === 'DEMO-0001').id;
  });

  after(async () => {
    await browser?.close();
    await stopAll();
  });

  async function check(page, label) {
    const problems = [...(await axeViolations(page)), ...(await pageProblems(page))];
    for (const problem of problems) found.push(`${label}: ${problem}`);
  }

  it('the sign-in screen', async () => {
    for (const size of SIZES) {
      const page = await (await browser.newContext(size)).newPage();
      await page.goto(freshApp.url);
      await page.locator('#sign-in').waitFor();
      await check(page, `sign-in at ${size.name}`);
      await page.context().close();
    }
  });

  it('would fail on a violation: a button with no name is caught', async () => {
    const page = await (await browser.newContext(SIZES[0])).newPage();
    await page.goto(freshApp.url);
    await page.locator('#sign-in').waitFor();
    await page.evaluate(() => document.querySelector('main').append(document.createElement('button')));
    const violations = await axeViolations(page);
    assert.ok(violations.some((v) => v.startsWith('button-name (critical)')), violations.join('\n'));
    await page.context().close();
  });

  it('every screen of a signed-in manager, and the lock screen', async () => {
    const first = await (await browser.newContext(SIZES[0])).newPage();
    await first.goto(app.url);
    await signIn(first, 'tara.manager');
    await first.locator('#sync-badge', { hasText: 'All sent' }).waitFor({ timeout: 20000 });
    await first.context().close();
    for (const size of SIZES) {
      const context = await browser.newContext(size);
      const page = await context.newPage();
      for (const [name, path, ready] of screens(child)) {
        await page.goto(`${app.url}${path}`);
        await page.locator(ready).first().waitFor({ timeout: 20000 });
        await page.waitForTimeout(150);
        await check(page, `${name} at ${size.name}`);
        if (size.name === 'phone' && ['desk', 'chronology'].includes(name)) await screenshot(page, `${name}-${size.name}-axe`);
      }
      await context.close();
    }
    // Locked last: the lock screen is shared by every tab of this app.
    const page = await (await browser.newContext(SIZES[0])).newPage();
    await page.goto(app.url);
    await page.locator('#lock-now').click();
    await page.locator('#unlock').waitFor();
    for (const size of SIZES) {
      await page.setViewportSize(size.viewport);
      await check(page, `lock at ${size.name}`);
    }
  });

  it('found nothing', () => {
    assert.deepEqual(found, [], `\n${found.join('\n')}`);
  });
});
