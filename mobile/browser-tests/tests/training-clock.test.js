// A training service (`--demo --as-of`) runs on its own date, and time passes on it as in
// reality. A worker learning the app there records a visit as on a live service: the visit
// starts and ends now on the service's clock, not the phone's, so the form finds nothing wrong
// with its times and the server takes it. One service is set two weeks back, one two weeks on.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';

import {
  apiGet, apiLogin, freePort, launchBrowser, phonePage, screenshot, startApp, startServer, stopAll, tempDir,
  visitToEllieFilledIn,
} from '../harness.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const LONDON = 'Europe/London';

/**
 * The date `days` from today in London, the service's zone (the server's default), as
 * `--as-of` takes it. The app dates the visit in the service's zone whatever zone the phone
 * is in (here the machine's, UTC): on a summer evening the UTC date is still the day before.
 */
function dateFromToday(days) {
  return new Date(Date.now() + days * DAY_MS).toLocaleDateString('en-CA', { timeZone: LONDON });
}

describe('a visit recorded on a training service', () => {
  let browser;

  after(async () => {
    await browser?.close();
    await stopAll();
  });

  for (const [name, days] of [['two weeks back', -14], ['two weeks on', 14]]) {
    it(`is timed by the service's clock, ${name}`, async () => {
      const asOf = dateFromToday(days);
      const server = await startServer(tempDir('training-server'), await freePort(), ['--as-of', asOf]);
      const app = await startApp(tempDir('training-app'), server.url, ['--demo-sign-in']);
      browser ??= await launchBrowser();
      const page = await phonePage(browser, app.url);

      await visitToEllieFilledIn(page);
      await page.fill('#purpose', 'Training: a visit recorded on the training service');
      const started = await page.inputValue('#started-at');
      assert.ok(started.startsWith(asOf), `the visit starts on the service's date, ${asOf}: ${started}`);
      // Both times touched: a problem with either would show under it now.
      await page.fill('#started-at', started);
      await page.locator('#ended-at', { hasNotText: 'Not yet' }).waitFor();
      assert.deepEqual(await page.locator('#visit-form .problem').allInnerTexts(), [], 'nothing is wrong with the times');
      await screenshot(page, `training-clock-${days < 0 ? 'back' : 'on'}-01-form`);

      await page.click('#review');
      await page.locator('#review-summary').waitFor();
      assert.equal(await page.locator('#review-problems').count(), 0, 'nothing is wrong with the visit');
      await page.click('#submit-visit');
      await page.locator('#screen-title', { hasText: 'Sync' }).waitFor();
      await page.locator('#sync-badge', { hasText: 'All sent' }).waitFor({ timeout: 20000 });

      // The server holds it, started and ended on the service's date, minutes apart.
      const tara = await apiLogin(server.url, 'tara.manager');
      const ellie = (await apiGet(server.url, tara, '/api/children')).find((c) => c.given_name === 'Ellie');
      const visit = (await apiGet(server.url, tara, `/api/children/${ellie.id}/visits`))
        .find((v) => v.purpose?.startsWith('Training'));
      assert.ok(visit, 'the server has the visit');
      const minutes = (Date.parse(visit.ended_at) - Date.parse(visit.started_at)) / 60000;
      assert.ok(minutes >= 0 && minutes < 5, `it lasted the minutes it took, not ${minutes}`);
      const sinceNow = (Date.parse(visit.ended_at) - Date.now()) / DAY_MS;
      assert.ok(Math.abs(sinceNow - days) < 1.1, `it ended on the service's date: ${visit.ended_at}`);
      await page.close();
    });
  }
});
