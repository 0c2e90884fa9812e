// Typing as people do: key by key at 0, 10 and 30 ms between keys, whole words inserted at
// once (predictive text), a paste, and typing while the machine is busy. Every text field of
// the visit form and the manager's text fields; each case checks the exact text on screen,
// then (for the visit, which is saved on the phone as it is typed) again after a reload from
// the phone's store, and (for the manager) what the server recorded.
//
// The full speed matrix runs on one long field of each kind where the child's words or the
// worker's account go (the quote box, a one-line input; the facts box, a textarea); every other
// field is typed key by key with no delay, the fastest a keyboard goes.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';

import {
  apiGet, apiLogin, freePort, launchBrowser, phonePage, screenshot, signIn, startApp, startServer, stopAll,
  tempDir,
} from '../harness.js';

// Synthetic sentences with capitals, apostrophes, commas and an accent, each over 40 keys.
const TEXT = {
  facts: 'The quick brown fox jumps over the lazy dog.',
  quote: "I don't like it when Dad shouts, it's scary at night.",
  views: 'Wants to stay at Nan\'s; misses the dog, and her café.',
  concerns: 'Bruise on left forearm, 3 cm; explanation changed twice.',
  location: 'Family home, 12 Rue des Prés, St Helier',
  notSeen: 'No answer at the door at 16:05; curtains drawn, car there.',
  notAlone: 'Mum would not leave the room; said Ellie was too upset.',
  present: 'mother, stepfather, Nan',
  language: 'Portuguese (Brazilian)',
  notUsed: 'Interpreter cancelled at 9:10; none free before noon.',
  who: 'Older cousin, aged 17, Maria',
  caption: "Ellie's drawing of her bedroom, with the door shut",
  managerReason: 'Agreed: see Ellie alone at school on Thursday, with her teacher.',
};

// Typing ways, as a function of the page, the field's selector and the text.
const WAYS = {
  'key by key, no delay': (page, sel, text) => page.locator(sel).pressSequentially(text, { delay: 0 }),
  'key by key, 10 ms apart': (page, sel, text) => page.locator(sel).pressSequentially(text, { delay: 10 }),
  'key by key, 30 ms apart': (page, sel, text) => page.locator(sel).pressSequentially(text, { delay: 30 }),
  'whole words inserted, as predictive text does': async (page, sel, text) => {
    await page.focus(sel);
    for (const word of text.match(/\S+\s*/g)) await page.keyboard.insertText(word);
  },
  'pasted': async (page, sel, text) => {
    await page.evaluate((t) => navigator.clipboard.writeText(t), text);
    await page.focus(sel);
    await page.keyboard.press('Control+V');
  },
  'key by key, 10 ms apart, with the machine busy': async (page, sel, text) => {
    const hogs = startCpuHogs();
    try {
      await page.locator(sel).pressSequentially(text, { delay: 10 });
    } finally {
      stopCpuHogs(hogs);
    }
  },
};

/** One busy-loop process per core (this machine has two), each ending by itself after 30 s. */
function startCpuHogs() {
  return [0, 1].map(() =>
    spawn(process.execPath, ['-e', 'const end = Date.now() + 30000; while (Date.now() < end) {}'], { stdio: 'ignore' }));
}

function stopCpuHogs(hogs) {
  for (const hog of hogs) hog.kill('SIGKILL');
}

/** Empties a field the way a person does: select all, delete. */
async function clear(page, sel) {
  await page.focus(sel);
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Backspace');
  assert.equal(await page.inputValue(sel), '', `${sel} is empty before typing`);
}

/** How many characters of `expected` are missing from `actual` (longest common subsequence). */
function lost(expected, actual) {
  const row = new Array(actual.length + 1).fill(0);
  for (const c of expected) {
    let diagonal = 0;
    for (let j = 1; j <= actual.length; j++) {
      const above = row[j];
      row[j] = c === actual[j - 1] ? diagonal + 1 : Math.max(row[j], row[j - 1]);
      diagonal = above;
    }
  }
  return expected.length - row[actual.length];
}

function assertKept(actual, expected, what) {
  assert.equal(actual, expected, `${what}: ${lost(expected, actual)} of ${expected.length} characters lost`);
}

/** Waits until the draft on screen is saved on the phone, and has stayed saved for a moment. */
async function savedOnPhone(page) {
  let steady = 0;
  for (let i = 0; i < 200 && steady < 5; i++) {
    const words = await page.locator('#save-state').innerText().catch(() => '');
    steady = /Saved on this phone/.test(words) ? steady + 1 : 0;
    await page.waitForTimeout(100);
  }
  assert.ok(steady >= 5, 'the draft is saved on this phone');
}

/** Reloads the page: the visit form opens again from the draft kept on the phone. */
async function reloadVisit(page) {
  await savedOnPhone(page);
  await page.reload();
  await page.locator('#visit-form').waitFor();
}

describe('typing into the visit form as people do', () => {
  let server, app, browser, page, ellieId;

  before(async () => {
    server = await startServer(tempDir('typing-server'), await freePort());
    app = await startApp(tempDir('typing-app'), server.url, ['--demo-sign-in']);
    browser = await launchBrowser();
    await browser.newContext(); // warms Chromium up before the timed typing starts
    page = await phonePage(browser, app.url);
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.url });
    await page.locator('.case', { hasText: 'Ellie' }).first().waitFor({ timeout: 20000 });
    const href = await page.locator('.case', { hasText: 'Ellie' }).first().getAttribute('href');
    ellieId = href.split('/').pop();
    await page.goto(`${app.url}/child/${ellieId}/visit`);
    await page.locator('#visit-form').waitFor();
  });

  after(async () => {
    await browser?.close();
    await stopAll();
  });

  it('keeps every keystroke of the reason the child was not seen', async () => {
    await page.click('#seen-no');
    await WAYS['key by key, no delay'](page, '#not-seen-reason', TEXT.notSeen);
    assertKept(await page.inputValue('#not-seen-reason'), TEXT.notSeen, 'on screen');
    await reloadVisit(page);
    assertKept(await page.inputValue('#not-seen-reason'), TEXT.notSeen, 'after a reload from the phone');
  });

  it('keeps every keystroke of why not alone and who was present', async () => {
    await page.click('#seen-yes');
    await page.click('#seen-alone-no');
    await WAYS['key by key, no delay'](page, '#not-alone-reason', TEXT.notAlone);
    await WAYS['key by key, no delay'](page, '#present', TEXT.present);
    assertKept(await page.inputValue('#not-alone-reason'), TEXT.notAlone, 'reason on screen');
    assertKept(await page.inputValue('#present'), TEXT.present, 'present on screen');
    await reloadVisit(page);
    assertKept(await page.inputValue('#not-alone-reason'), TEXT.notAlone, 'reason after a reload');
    assertKept(await page.inputValue('#present'), TEXT.present, 'present after a reload');
  });

  for (const [way, type] of Object.entries(WAYS)) {
    it(`keeps the child's words exactly, ${way}`, async () => {
      await clear(page, '#new-quote');
      await type(page, '#new-quote', TEXT.quote);
      assertKept(await page.inputValue('#new-quote'), TEXT.quote, 'in the box');
      await page.press('#new-quote', 'Enter');
      const quotes = page.locator('.quotes .quote');
      await page.locator('.quotes .quote', { hasText: TEXT.quote.slice(-12) }).last().waitFor();
      assertKept(await quotes.last().innerText(), TEXT.quote, 'the quote on screen');
      // The page empties the box of the added words a moment after "Add".
      await page.waitForFunction(() => document.getElementById('new-quote').value === '', null, { timeout: 5000 })
        .catch(() => {});
      assert.equal(await page.inputValue('#new-quote'), '', 'the box is empty for the next quote');
      await reloadVisit(page);
      assertKept(await page.locator('.quotes .quote').last().innerText(), TEXT.quote, 'the quote after a reload');
      // Remove it again, so that each case adds one quote to an empty list.
      await page.click('.quotes li button');
      await page.locator('.quotes .quote').waitFor({ state: 'detached' });
    });

    it(`keeps every keystroke of the facts, ${way}`, async () => {
      await clear(page, '#facts');
      await type(page, '#facts', TEXT.facts);
      assertKept(await page.inputValue('#facts'), TEXT.facts, 'on screen');
      await reloadVisit(page);
      assertKept(await page.inputValue('#facts'), TEXT.facts, 'after a reload from the phone');
    });
  }

  it('keeps words typed after pressing Enter, in the box for the next quote', async () => {
    await clear(page, '#new-quote');
    await page.locator('#new-quote').pressSequentially('Nan is kind.', { delay: 0 });
    await page.keyboard.press('Enter');
    await page.locator('#new-quote').pressSequentially('She reads', { delay: 0 });
    await page.locator('.quotes .quote', { hasText: 'Nan is kind.' }).waitFor();
    await page.waitForFunction(() => document.getElementById('new-quote').value === 'She reads', null, { timeout: 5000 })
      .catch(() => {});
    assert.equal(await page.inputValue('#new-quote'), 'She reads', 'the words typed after Enter stay in the box');
    await reloadVisit(page);
    assert.deepEqual(await page.locator('.quotes .quote').allInnerTexts(), ['Nan is kind.']);
    await page.click('.quotes li button');
  });

  it('keeps every keystroke of views, concerns and the location', async () => {
    await WAYS['key by key, no delay'](page, '#child-views', TEXT.views);
    await WAYS['key by key, no delay'](page, '#concerns', TEXT.concerns);
    await WAYS['key by key, no delay'](page, '#location', TEXT.location);
    for (const [sel, text] of [['#child-views', TEXT.views], ['#concerns', TEXT.concerns], ['#location', TEXT.location]]) {
      assertKept(await page.inputValue(sel), text, `${sel} on screen`);
    }
    await reloadVisit(page);
    for (const [sel, text] of [['#child-views', TEXT.views], ['#concerns', TEXT.concerns], ['#location', TEXT.location]]) {
      assertKept(await page.inputValue(sel), text, `${sel} after a reload`);
    }
  });

  it('keeps every keystroke of the interpreter fields', async () => {
    await page.click('#add-child-interpreter');
    await page.locator('#interp-lang-0').waitFor();
    await WAYS['key by key, no delay'](page, '#interp-lang-0', TEXT.language);
    await WAYS['key by key, no delay'](page, '#interp-why-0', TEXT.notUsed);
    assertKept(await page.inputValue('#interp-lang-0'), TEXT.language, 'language on screen');
    assertKept(await page.inputValue('#interp-why-0'), TEXT.notUsed, 'why not used on screen');
    await page.selectOption('#interp-used-0', 'family');
    await page.locator('#interp-who-0').waitFor();
    await WAYS['key by key, no delay'](page, '#interp-who-0', TEXT.who);
    assertKept(await page.inputValue('#interp-who-0'), TEXT.who, 'family member on screen');
    await reloadVisit(page);
    assertKept(await page.inputValue('#interp-lang-0'), TEXT.language, 'language after a reload');
    assertKept(await page.inputValue('#interp-who-0'), TEXT.who, 'family member after a reload');
  });

  it('keeps a date typed key by key', async () => {
    // Chromium's date box takes digits for each part in the page's locale order (en-US here).
    await page.focus('#next-visit');
    await page.keyboard.type('12252031', { delay: 0 });
    assert.equal(await page.inputValue('#next-visit'), '2031-12-25', 'on screen');
    await reloadVisit(page);
    assert.equal(await page.inputValue('#next-visit'), '2031-12-25', 'after a reload from the phone');
    await screenshot(page, 'typing-visit-form');
  });

  it('keeps every keystroke of a photo caption', async () => {
    const png = Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAABgAAAAQEAIAAADT1vSBAAAAdUlEQVRIx2M0Nk5LO3OGYdAAFt7l7Fc+Rw60M5AcxLec/fKnQeWgFWxXPkUMtDOQHMS7nP3yYIuyK4MrygabgwZflK1gH1yJmm852+DK9oOxYBxUiZrxOueOQI1vA+0MBGDhXcF+5fNoosYNGP//H0yNDwYGAHSFLrZ4YlIHAAAAAElFTkSuQmCC',
      'base64',
    );
    await page.click('#photos-link');
    await page.setInputFiles('#photo-file', { name: 'drawing.png', mimeType: 'image/png', buffer: png });
    await page.locator('#caption-1').waitFor();
    await WAYS['key by key, no delay'](page, '#caption-1', TEXT.caption);
    assertKept(await page.inputValue('#caption-1'), TEXT.caption, 'on screen');
    // The caption is saved by its own task: reload until it is there, or give up after 5 s.
    let kept = '';
    for (let attempt = 0; attempt < 10 && kept !== TEXT.caption; attempt++) {
      await page.waitForTimeout(500);
      await page.reload();
      await page.locator('#caption-1').waitFor();
      kept = await page.inputValue('#caption-1');
    }
    assertKept(kept, TEXT.caption, 'after a reload from the phone');
  });
});

describe("typing into the manager's inbox as people do", () => {
  let server, app, browser, page;

  before(async () => {
    server = await startServer(tempDir('typing-manager-server'), await freePort());
    app = await startApp(tempDir('typing-manager-app'), server.url);
    browser = await launchBrowser();
    page = await phonePage(browser, app.url);
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.url });
    await signIn(page, 'tara.manager');
    await page.locator('#nav-inbox').click();
    await page.locator('#screen-title', { hasText: 'Inbox' }).waitFor();
  });

  after(async () => {
    await browser?.close();
    await stopAll();
  });

  for (const [way, type] of Object.entries(WAYS)) {
    it(`keeps every keystroke of the manager's reason, ${way}`, async () => {
      const box = page.locator('.card', { hasText: 'Visit overdue: Ellie' }).locator('textarea');
      const sel = `#${await box.getAttribute('id')}`;
      await clear(page, sel);
      await type(page, sel, TEXT.managerReason);
      assertKept(await page.inputValue(sel), TEXT.managerReason, 'on screen');
    });
  }

  it('keeps a date typed key by key, and the server records the reason as typed', async () => {
    const card = page.locator('.card', { hasText: 'Visit overdue: Ellie' });
    const date = `#${await card.locator('input[type=date]').first().getAttribute('id')}`;
    await page.focus(date);
    await page.keyboard.type('12242031', { delay: 0 });
    assert.equal(await page.inputValue(date), '2031-12-24');
    await screenshot(page, 'typing-manager-inbox');
    const token = await apiLogin(server.url, 'tara.manager');
    const overdue = (await apiGet(server.url, token, '/api/escalations')).find((e) => e.reason.reason === 'overdue');
    await card.getByRole('button', { name: 'Agree an exception' }).click();
    await card.waitFor({ state: 'detached' });
    const chronology = JSON.stringify(await apiGet(server.url, token, `/api/children/${overdue.child_id}/chronology`));
    assert.ok(chronology.includes(`Exception agreed: ${TEXT.managerReason}`), 'the server holds the reason exactly as typed');
  });
});
