// The whole visit with the keyboard alone: sign in, open a child, record a statutory visit
// (seen, seen alone, the child's words, its purpose, place, end time, next visit date) and submit it, using
// only Tab, Enter, Space, the down arrow in a list, and typing. The server then holds the visit. The date is
// checked by the value the input holds, not by how Chromium draws it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import {
  DEMO_PASSWORD, PIN, apiGet, apiLogin, freePort, launchBrowser, startApp, startServer, stopAll, tempDir,
} from '../harness.js';

const QUOTE = 'I like my new school.';

/** Presses Tab until the focus is on `selector`, as a keyboard user would; fails if it never is. */
async function tabTo(page, selector, limit = 120) {
  for (let i = 0; i < limit; i++) {
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${selector}`);
}

describe('a visit with the keyboard alone', () => {
  let server, app, browser, page;

  before(async () => {
    server = await startServer(tempDir('keyboard-server'), await freePort());
    app = await startApp(tempDir('keyboard-app'), server.url);
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-GB' });
    page = await context.newPage();
    await page.goto(app.url);
  });

  after(async () => {
    await browser?.close();
    await stopAll();
  });

  it('signs in, records and submits a visit, and the server holds it', async () => {
    await page.locator('#sign-in').waitFor();
    for (const [field, text] of [['#username', 'sam.social'], ['#password', DEMO_PASSWORD], ['#pin', PIN], ['#pin-again', PIN]]) {
      await tabTo(page, field);
      await page.keyboard.type(text);
    }
    await tabTo(page, '#sign-in-button');
    await page.keyboard.press('Enter');
    await page.locator('#sync-badge', { hasText: 'All sent' }).waitFor({ timeout: 20000 });

    await tabTo(page, 'a.case');
    const child = (await page.evaluate(() => document.activeElement.innerText)).split('\n')[0].trim();
    await page.keyboard.press('Enter');
    await page.locator('#start-visit').waitFor();
    await tabTo(page, '#start-visit');
    await page.keyboard.press('Enter');
    await page.locator('#visit-form').waitFor();

    await tabTo(page, '#seen-yes');
    await page.keyboard.press('Space');
    await page.locator('#seen-yes[aria-pressed=true]').waitFor();
    await tabTo(page, '#seen-alone-yes');
    await page.keyboard.press('Space');
    await page.locator('#seen-alone-yes[aria-pressed=true]').waitFor();
    await tabTo(page, '#new-quote');
    await page.keyboard.type(QUOTE);
    await tabTo(page, '#add-quote');
    await page.keyboard.press('Enter');
    await page.locator('#child-words', { hasText: QUOTE }).waitFor();
    // A statutory visit says what it was for.
    await tabTo(page, '#purpose');
    await page.keyboard.type('To see how the new school is going.');
    await tabTo(page, '#location');
    await page.keyboard.type('Family home');
    // A closed list moves to its next choice with the down arrow, as on any keyboard.
    await tabTo(page, '#announced');
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.locator('#announced').inputValue(), 'announced');
    await tabTo(page, '#ended-now');
    await page.keyboard.press('Enter');

    // The next visit, typed; what is checked is the date the input holds and the server
    // records, never how the browser draws it.
    const next = new Date(Date.now() + 20 * 86400000);
    const [day, month, year] = [next.getUTCDate(), next.getUTCMonth() + 1, next.getUTCFullYear()]
      .map((n, i) => String(n).padStart(i === 2 ? 4 : 2, '0'));
    assert.match(await page.locator('label[for=next-visit]').innerText(), /Day, then month, then year/);
    await tabTo(page, '#next-visit');
    // The browser is set to British English, so the box draws dd/mm/yyyy, as the label says,
    // and the keys go in that order (tests/date-order.test.js tries other languages).
    await page.keyboard.type(`${day}${month}${year}`);
    assert.equal(await page.locator('#next-visit').inputValue(), `${year}-${month}-${day}`);
    // The words under the box say which day it is, whatever order the box draws it in.
    const weekdays = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
    const months = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September',
      'October', 'November', 'December'];
    const inWords = `${weekdays[next.getUTCDay()]} ${next.getUTCDate()} ${months[next.getUTCMonth()]} ${year}`;
    await page.locator('#next-visit-words', { hasText: inWords }).waitFor();
    assert.equal(await page.locator('#next-visit').getAttribute('aria-describedby'), 'next-visit-words');

    await tabTo(page, '#review');
    await page.keyboard.press('Enter');
    await page.locator('#submit-visit').waitFor();
    await tabTo(page, '#submit-visit');
    await page.keyboard.press('Enter');
    await page.locator('#sync-badge', { hasText: 'All sent' }).waitFor({ timeout: 20000 });

    const token = await apiLogin(server.url, 'sam.social');
    const children = await apiGet(server.url, token, '/api/children');
    const held = children.find((c) => child.startsWith(c.given_name ?? '') && child.includes(c.family_name ?? ''));
    assert.ok(held, `the child ${child} is on the server`);
    const visits = await apiGet(server.url, token, `/api/children/${held.id}/visits`);
    const ours = visits.find((v) => v.child_words?.some((q) => q.text === QUOTE));
    assert.ok(ours, 'the server holds the visit made with the keyboard');
    assert.equal(ours.next_visit_planned, `${year}-${month}-${day}`);
  });
});
