// A date box's label says the order to type the date in, and that order is the one the box
// draws: a browser set to British English draws dd/mm/yyyy, one set to US English mm/dd/yyyy,
// one set to Swedish yyyy-mm-dd. A worker typing the parts in the order the label says gets
// the date they meant, in any of them, as the words under the box confirm.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import {
  freePort, launchBrowser, screenshot, signIn, startApp, startServer, stopAll, tempDir, waitShowing,
} from '../harness.js';

const LANGUAGES = [
  { language: 'en_GB', hint: 'Day, then month, then year.' },
  { language: 'en_US', hint: 'Month, then day, then year.' },
  { language: 'sv_SE', hint: 'Year, then month, then day.' },
];

// Sunday 22 November 2026, as the parts a worker types.
const PARTS = { Day: '22', Month: '11', Year: '2026' };

describe('the order to type a date in', () => {
  let server;
  const browsers = [];

  before(async () => {
    server = await startServer(tempDir('date-order-server'), await freePort());
  });

  after(async () => {
    for (const browser of browsers) await browser.close();
    await stopAll();
  });

  for (const { language, hint } of LANGUAGES) {
    it(`is the order the box draws, on a browser set to ${language}`, async () => {
      // A phone of its own, signed in afresh.
      const app = await startApp(tempDir(`date-order-app-${language}`), server.url);
      const browser = await launchBrowser({ language });
      browsers.push(browser);
      const page = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
      await page.goto(app.url);
      await signIn(page, 'tara.manager');
      await page.click('#nav-desk');
      const label = page.locator('label[for=report-from]');
      await waitShowing(page, label.locator('.date-order', { hasText: hint }), `date-order-${language}`);
      assert.equal(await label.locator('.date-order').innerText(), hint);
      // Each box on the screen says the same.
      for (const other of await page.locator('label .date-order').allInnerTexts()) assert.equal(other, hint);

      // Type 22 November 2026 part by part, in the order the label gives. The box moves on
      // by itself after a day or a month; a year may have more digits, so after one the
      // worker moves on with the right arrow.
      const box = page.locator('#report-from');
      await box.focus();
      const order = hint.replace(/\.$/, '').split(/, then /i).map((part) => part[0].toUpperCase() + part.slice(1));
      for (const [index, part] of order.entries()) {
        await page.keyboard.type(PARTS[part]);
        if (part === 'Year' && index < order.length - 1) await page.keyboard.press('ArrowRight');
      }
      assert.equal(await box.inputValue(), '2026-11-22', `typed in the order ${order.join(', ')}`);
      await page.locator('#report-from-words', { hasText: 'Sunday 22 November 2026' }).waitFor();
      await screenshot(page, `date-order-${language}`);
    });
  }
});
