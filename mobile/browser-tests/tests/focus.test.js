// The field being typed in is always in view: tabbing through the whole visit form, every
// focused control is fully visible, clear of the sticky top bar, the action bar and the bottom
// navigation, on a phone (390x844) and in a desktop window (1280x800). After moving to a new
// screen, focus is on its heading; the focus ring stands out from what surrounds it (3:1).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import {
  freePort, launchBrowser, screenshot, settledCaseload, startApp, startServer, stopAll, tempDir,
} from '../harness.js';

/** WCAG relative luminance contrast of two CSS `rgb(...)`/`rgba(...)` colours. */
function contrast(a, b) {
  const lum = (css) => {
    const [r, g, b2] = css.match(/[\d.]+/g).slice(0, 3).map(Number).map((v) => {
      const c = v / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b2;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/** Where the focused control is, and which part of the window the sticky bars leave free, once
 * the page has drawn the next two frames (what a person sees after pressing Tab). */
async function focusedPlacement() {
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  const el = document.activeElement;
  const r = el.getBoundingClientRect();
  const bars = { top: 0, bottom: window.innerHeight };
  const inBar = el.closest('.topbar, .sticky-actions, .bottomnav');
  for (const bar of document.querySelectorAll('.topbar')) bars.top = Math.max(bars.top, bar.getBoundingClientRect().bottom);
  for (const bar of document.querySelectorAll('.sticky-actions, .bottomnav')) {
    bars.bottom = Math.min(bars.bottom, bar.getBoundingClientRect().top);
  }
  const label = el.id || el.getAttribute('aria-label') || el.textContent.trim().slice(0, 30) || el.tagName;
  return { label, top: r.top, bottom: r.bottom, left: r.left, right: r.right, inBar: !!inBar,
    free: bars, width: window.innerWidth, inForm: !!el.closest('#visit-form, .sticky-actions') };
}

for (const [name, viewport] of [['phone 390x844', { width: 390, height: 844 }], ['desktop 1280x800', { width: 1280, height: 800 }]]) {
  describe(`the focused field is in view (${name})`, () => {
    let server, app, browser, page, ellie, visitUrl;

    before(async () => {
      server = await startServer(tempDir('focus-server'), await freePort());
      app = await startApp(tempDir('focus-app'), server.url, ['--demo-sign-in']);
      browser = await launchBrowser();
      const context = await browser.newContext({ viewport, deviceScaleFactor: 1 });
      page = await context.newPage();
      await page.goto(app.url);
      ellie = page.locator('.case', { hasText: 'Ellie' }).first();
      await ellie.waitFor({ timeout: 20000 });
      // Wait for the first sync to finish and the caseload to stop changing, so that the cards
      // the focus moves over are the ones that stay. (A tap on a card before then once went
      // nowhere in CI: it came before the new tab had told the app its address, since mended
      // and tested in desk.test.js.)
      await settledCaseload(page);
    });

    after(async () => {
      await browser?.close();
      await stopAll();
    });

    it('moves focus to the heading of each new screen', async () => {
      visitUrl = `${app.url}/child/${(await ellie.getAttribute('href')).split('/').pop()}/visit`;
      await ellie.click();
      await page.locator('#screen-title', { hasText: 'Ellie' }).waitFor();
      await page.waitForFunction(() => document.activeElement?.id === 'screen-title', null, { timeout: 5000 });
      await page.click('#start-visit');
      await page.locator('#screen-title', { hasText: 'Visit to' }).waitFor();
      await page.waitForFunction(() => document.activeElement?.id === 'screen-title', null, { timeout: 5000 });
    });

    it('keeps every control of the visit form in view as the worker tabs through it', async () => {
      if (!page.url().endsWith('/visit')) await page.goto(visitUrl);
      // Open every part of the form that can open: seen, not alone, an interpreter.
      await page.click('#seen-yes');
      await page.click('#seen-alone-no');
      await page.locator('#not-alone-reason').waitFor();
      if (await page.locator('#add-child-interpreter').count()) await page.click('#add-child-interpreter');
      // From the first control of the form (the top of the page), Tab by Tab to its end.
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.locator('#seen-yes').focus();
      const hidden = [];
      const seen = new Set();
      for (let i = 0; i < 80; i++) {
        if (i > 0) await page.keyboard.press('Tab');
        const at = await page.evaluate(focusedPlacement);
        if (!at.inForm) break; // past the form and its action bar: the bottom navigation
        seen.add(at.label);
        const clear = at.inBar || (at.top >= at.free.top - 0.5 && at.bottom <= at.free.bottom + 0.5);
        if (!clear || at.left < 0 || at.right > at.width) {
          hidden.push(`${at.label} (${Math.round(at.top)}..${Math.round(at.bottom)}, free ${Math.round(at.free.top)}..${Math.round(at.free.bottom)})`);
          await screenshot(page, `focus-hidden-${name.split(' ')[0]}-${i}`);
        }
      }
      for (const id of ['seen-yes', 'not-alone-reason', 'present', 'new-quote', 'add-quote', 'child-views', 'facts',
        'concerns', 'location', 'ended-now', 'next-visit', 'review']) {
        assert.ok(seen.has(id), `tabbing reaches #${id} (reached: ${[...seen].join(', ')})`);
      }
      assert.deepEqual(hidden, [], 'every focused control is fully in view');
      await page.focus('#concerns');
      await screenshot(page, `focus-concerns-${name.split(' ')[0]}`);
    });

    it('draws a focus ring with at least 3:1 contrast against what surrounds it', async () => {
      await page.locator('#facts').focus();
      await page.keyboard.press('Shift+Tab');
      await page.keyboard.press('Tab'); // focus by keyboard, so :focus-visible applies
      const ring = await page.evaluate(() => {
        const el = document.activeElement;
        const style = getComputedStyle(el);
        let around = el.parentElement;
        while (around && getComputedStyle(around).backgroundColor.replace(/\s/g, '') === 'rgba(0,0,0,0)') around = around.parentElement;
        return { id: el.id, width: style.outlineWidth, color: style.outlineColor, style: style.outlineStyle,
          around: around ? getComputedStyle(around).backgroundColor : 'rgb(255,255,255)' };
      });
      assert.equal(ring.id, 'facts');
      assert.notEqual(ring.style, 'none', 'a focus ring is drawn');
      assert.ok(parseFloat(ring.width) >= 2, `the ring is at least 2 px (${ring.width})`);
      const ratio = contrast(ring.color, ring.around);
      assert.ok(ratio >= 3, `focus ring ${ring.color} on ${ring.around}: ${ratio.toFixed(2)}:1`);
    });
  });
}
