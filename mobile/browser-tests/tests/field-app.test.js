// The field app in a real browser, against a real sync server with demo data: the journey of
// a statutory visit from sign-in to the server holding it, with the server stopped part way
// and the app killed and restarted in the middle of capturing another visit.
//
// The steps share one server, one app data directory and one browser, so they run in order;
// each step asserts what a worker would see.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import {
  PIN, apiGet, apiLogin, apiPost, apiWorker, freePort, launchBrowser, phonePage, screenshot, startApp, startServer, stop,
  settledCaseload, signIn, stopAll, tempDir,
} from '../harness.js';

const QUOTE = 'I like it when Nan picks me up from school';
const NOT_ALONE_REASON = 'Ellie asked for her mum to stay in the room';
// A small picture (24x16 PNG), made for this test.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAABgAAAAQEAIAAADT1vSBAAAAdUlEQVRIx2M0Nk5LO3OGYdAAFt7l7Fc+Rw60M5AcxLec/fKnQeWgFWxXPkUMtDOQHMS7nP3yYIuyK4MrygabgwZflK1gH1yJmm852+DK9oOxYBxUiZrxOueOQI1vA+0MBGDhXcF+5fNoosYNGP//H0yNDwYGAHSFLrZ4YlIHAAAAAElFTkSuQmCC',
  'base64',
);
const FACTS_TYPED_BEFORE_KILL = 'Kitchen clean, fridge stocked, Jack dressed for school.';

describe('a statutory visit, offline and back', () => {
  let serverDir, appDir, serverPort, server, app, browser, page, ellieId;

  before(async () => {
    serverDir = tempDir('server');
    appDir = tempDir('app');
    serverPort = await freePort();
    server = await startServer(serverDir, serverPort);
    app = await startApp(appDir, server.url);
    browser = await launchBrowser();
    page = await phonePage(browser, app.url);
  });

  after(async () => {
    await browser?.close();
    await stopAll();
  });

  it('signs in, registering the phone and setting a PIN', async () => {
    await page.locator('#sign-in').waitFor();
    assert.equal(await page.inputValue('#server'), server.url, 'the server address is offered');
    await page.fill('#username', 'sam.social');
    await page.fill('#password', 'seen-and-heard-demo');
    await page.fill('#pin', PIN);
    await page.fill('#pin-again', PIN);
    await screenshot(page, '01-sign-in');
    await page.click('#sign-in-button');
    await page.locator('#screen-title', { hasText: 'My children' }).waitFor();
  });

  it('lists the overdue child first, in words as well as colour', async () => {
    await settledCaseload(page);
    const badges = await page.locator('.case [data-due]').evaluateAll((els) =>
      els.map((e) => ({ due: e.getAttribute('data-due'), words: e.textContent })));
    assert.ok(badges.length >= 4, `the demo caseload is shown (${badges.length} children)`);
    assert.equal(badges[0].due, 'overdue');
    assert.match(badges[0].words, /Overdue by \d+ working days?/);
    const rank = { overdue: 0, today: 1, soon: 2, ok: 3, none: 4 };
    const ranks = badges.map((b) => rank[b.due]);
    assert.deepEqual(ranks, [...ranks].sort((a, b) => a - b), 'overdue, due today, due soon, then on track');
    assert.match(await page.locator('.case').first().innerText(), /Last seen alone:/);
    await screenshot(page, '02-caseload');
    const href = await page.locator('.case').first().getAttribute('href');
    ellieId = href.split('/').pop();
  });

  it('shows the child before the visit: plan, words, needs', async () => {
    await page.locator('.case').first().click();
    await page.locator('#plan').waitFor();
    assert.match(await page.locator('#plan').innerText(), /Visit every\s+\d+ working days/);
    assert.match(await page.locator('#needs').innerText(), /First language/);
    // On a phone each answer has the room to be read: never narrower than its label, and the
    // last-seen date with its working days on at most two lines, not a word a line.
    const pairs = await page.locator('dl.facts dt').evaluateAll((labels) =>
      labels.map((dt) => {
        const dd = dt.nextElementSibling;
        const lineHeight = parseFloat(getComputedStyle(dd).lineHeight);
        return { label: dt.innerText, dt: dt.getBoundingClientRect().width, dd: dd.getBoundingClientRect().width,
          lines: Math.round(dd.getBoundingClientRect().height / lineHeight) };
      }));
    assert.ok(pairs.length >= 3, JSON.stringify(pairs));
    for (const pair of pairs) assert.ok(pair.dd >= pair.dt, JSON.stringify(pair));
    const lastSeen = pairs.find((p) => p.label === 'Last seen');
    assert.ok(lastSeen && lastSeen.lines <= 2, JSON.stringify(lastSeen));
    await screenshot(page, '03-child');
  });

  it('refuses a "not seen alone" visit until a reason is given, and says so as the worker goes', async () => {
    await page.click('#start-visit');
    await page.locator('#visit-form').waitFor();
    await page.click('#seen-yes');
    await page.click('#seen-alone-no');
    // The reason is asked for right there, with the problem shown before any submit.
    await page.locator('#not-alone-reason').waitFor();
    assert.match(
      await page.locator('.problem[data-field="seen_alone.reason"]').innerText(),
      /Say why the child was not seen alone/,
    );
    await screenshot(page, '04-visit-not-seen-alone');
    await page.click('#review');
    await page.locator('#review-problems').waitFor();
    assert.match(await page.locator('#review-problems').innerText(), /Say why the child was not seen alone/);
    assert.match(
      await page.locator('#review-problems').innerText(),
      /Say what this statutory visit was for/,
      'a statutory visit without a purpose is refused, naming the purpose',
    );
    assert.ok(await page.locator('#submit-visit').isDisabled(), 'submit is refused while a reason is missing');
    await screenshot(page, '05-review-refused');

    await page.click('#back-to-form');
    await page.locator('#not-alone-reason').waitFor();
    await page.fill('#not-alone-reason', NOT_ALONE_REASON);
    await page.fill('#present', 'mother');
    await page.fill('#new-quote', QUOTE);
    await page.click('#add-quote');
    await page.locator('.quote', { hasText: QUOTE }).waitFor();
    await page.fill('#location', 'Family home');
    // The purpose section says what is missing inline as soon as it is touched (a plan action
    // ticked, then unticked), and the message goes once a purpose is given.
    const action = page.locator('#purpose-section input[type="checkbox"]').first();
    await action.check();
    await action.uncheck();
    await page.locator('#purpose-section .problem[data-field="purpose"]').waitFor();
    assert.match(await page.locator('#purpose-section').innerText(), /What was this visit for\?/);
    await page.fill('#purpose', 'To talk with Ellie about school and home');
    await page.locator('.problem[data-field="purpose"]').waitFor({ state: 'detached' });
    await screenshot(page, '05b-visit-purpose');
    await page.selectOption('#announced', 'announced');
    await page.click('#ended-now');
    await page.locator('.problem[data-field="seen_alone.reason"]').waitFor({ state: 'detached' });
  });

  it('saves the visit on the phone while the server is stopped, and never calls it sent', async () => {
    await stop(server);
    await page.click('#review');
    await page.locator('#review-summary').waitFor();
    assert.equal(await page.locator('#review-problems').count(), 0, 'no problems left');
    assert.equal(await page.locator('#review-purpose').innerText(), 'To talk with Ellie about school and home');
    await page.click('#submit-visit');
    await page.locator('#screen-title', { hasText: 'Sync' }).waitFor();
    await page.locator('#waiting-count', { hasText: /^1 visit/ }).waitFor();
    const headline = await page.locator('#sync-headline').innerText();
    assert.doesNotMatch(headline, /sent\.|All sent|Everything/i, `headline was: ${headline}`);
    assert.match(await page.locator('#sync-badge').innerText(), /1 waiting to send/);
    await screenshot(page, '06-sync-waiting');
  });

  it('keeps a draft through the app being killed and restarted', async () => {
    await page.click('#nav-caseload');
    const jack = page.locator('.case', { hasText: 'Jack' }).first();
    await jack.click();
    await page.click('#start-visit');
    await page.locator('#facts').waitFor();
    await page.fill('#facts', FACTS_TYPED_BEFORE_KILL);
    await page.locator('#save-state', { hasText: 'Saved on this phone' }).waitFor();
    await page.waitForTimeout(500);
    const draftUrl = page.url();

    await stop(app, 'SIGKILL');
    app = await startApp(appDir, server.url);
    await page.goto(app.url);
    // The phone comes back locked: no child's name on screen.
    await page.locator('#unlock-pin').waitFor();
    assert.doesNotMatch(await page.locator('body').innerText(), /Jack|Ellie/);
    await screenshot(page, '07-lock');
    await page.fill('#unlock-pin', PIN);
    await page.click('#unlock-button');
    await page.locator('#screen-title', { hasText: 'My children' }).waitFor();
    await page.goto(draftUrl.replace(/^http:\/\/[^/]+/, app.url));
    await page.locator('#facts').waitFor();
    assert.equal(await page.inputValue('#facts'), FACTS_TYPED_BEFORE_KILL);
    await screenshot(page, '08-visit-draft-restored');
  });

  it('sends the waiting visit once the server is back, and the server holds it', async () => {
    server = await startServer(serverDir, serverPort);
    await page.click('#nav-sync');
    await page.locator('#sync-now').waitFor();
    await page.click('#sync-now');
    await page.locator('#waiting-count', { hasText: /^0 visit/ }).waitFor({ timeout: 20000 });
    await page.locator('#sync-headline', { hasText: 'Everything on this phone has been sent' }).waitFor();
    await screenshot(page, '10-sync-sent');

    const token = await apiLogin(server.url, 'sam.social');
    const visits = await apiGet(server.url, token, `/api/children/${ellieId}/visits`);
    const ours = visits.find((v) => v.child_words?.some((q) => q.text === QUOTE));
    assert.ok(ours, 'the server holds the visit with the child\'s words');
    assert.equal(ours.seen_alone.answer, 'no');
    assert.equal(ours.seen_alone.reason, NOT_ALONE_REASON);
    assert.deepEqual(ours.seen_alone.present, ['mother']);
    assert.equal(ours.location, 'Family home');
  });

  it('processes a picked photo on the phone, then uploads it', async () => {
    await page.click('#nav-caseload');
    await page.locator('.case', { hasText: 'Jack' }).first().click();
    await page.click('#start-visit');
    await page.click('#photos-link');
    await page.locator('#photo-file').waitFor();
    await page.setInputFiles('#photo-file', { name: 'drawing.png', mimeType: 'image/png', buffer: PNG });
    await page.locator('[role=status]', { hasText: 'Photo saved on this phone, without location data.' }).waitFor();
    await page.locator('h3', { hasText: 'Photos on this visit (1)' }).waitFor();
    await page.fill('#caption-1', "Jack's drawing of home");
    await screenshot(page, '09-photos');
    // The caption is kept with the photo on the visit (saved a moment after typing).
    let kept = '';
    for (let attempt = 0; attempt < 10 && kept !== "Jack's drawing of home"; attempt++) {
      await page.waitForTimeout(300);
      await page.reload();
      await page.locator('#caption-1').waitFor();
      kept = await page.inputValue('#caption-1');
    }
    assert.equal(kept, "Jack's drawing of home");
    // The engine uploads it (the server is up): only then does it stop counting as waiting.
    await page.click('#nav-sync');
    await page.click('#sync-now');
    await page.locator('#waiting-count', { hasText: '0 visits, 0 photos' }).waitFor({ timeout: 20000 });
    await page.locator('#sync-headline', { hasText: 'Everything on this phone has been sent' }).waitFor();
  });

  it('locks itself when left alone, hiding every name', async () => {
    // The lock is five minutes; this app is started with three seconds so the test can wait.
    const idleApp = await startApp(tempDir('idle'), server.url, ['--demo-sign-in', '--idle-lock-secs', '3']);
    const idlePage = await phonePage(browser, idleApp.url);
    await idlePage.locator('.case').first().waitFor();
    await idlePage.locator('#unlock-pin').waitFor({ timeout: 15000 });
    assert.doesNotMatch(await idlePage.locator('body').innerText(), /Ellie|Jack|Marsh/);
    await idlePage.fill('#unlock-pin', PIN);
    await idlePage.click('#unlock-button');
    await idlePage.locator('.case').first().waitFor();
    await idlePage.context().close();
    await stop(idleApp);
  });

  it('shows a duty worker the handover from the server before the visit form', async () => {
    const tara = await apiLogin(server.url, 'tara.manager');
    const dana = await apiWorker(server.url, 'dana.duty');
    const today = new Date();
    const inAWeek = new Date(today.getTime() + 7 * 86400000);
    const day = (d) => d.toISOString().slice(0, 10);
    await apiPost(server.url, tara, '/api/covers', {
      child_id: ellieId, duty_worker: dana.id, starts_on: day(today), ends_on: day(inAWeek),
    });

    const dutyApp = await startApp(tempDir('duty'), server.url);
    const dutyPage = await phonePage(browser, dutyApp.url);
    await signIn(dutyPage, 'dana.duty');
    await settledCaseload(dutyPage);
    const covered = dutyPage.locator('.case', { hasText: 'Ellie' });
    assert.match(await covered.innerText(), /Cover until/);
    await covered.click();
    await dutyPage.click('#start-visit');
    await dutyPage.locator('#handover-start-visit').waitFor();
    assert.match(await dutyPage.locator('main').innerText(), /From the server, just now/);
    assert.match(await dutyPage.locator('#recent-words').innerText(), new RegExp(QUOTE));
    await screenshot(dutyPage, '11-handover');
    await dutyPage.click('#handover-start-visit');
    await dutyPage.locator('#visit-form').waitFor();
    assert.match(await dutyPage.locator('#visit-context').innerText(), /duty cover/);
    await dutyPage.context().close();
  });

  it('shows a manager the visit not seen alone, and records the decision', async () => {
    const managerApp = await startApp(tempDir('manager'), server.url);
    const managerPage = await phonePage(browser, managerApp.url);
    await signIn(managerPage, 'tara.manager');
    await managerPage.locator('#nav-inbox').click();
    await managerPage.locator('#screen-title', { hasText: 'Inbox' }).waitFor();
    // The visit above was "not seen alone" with no manager's agreement: Tara is asked to decide.
    const card = managerPage.locator('.card', { hasText: 'Not seen alone: Ellie' });
    await card.waitFor();
    await screenshot(managerPage, '12-manager-inbox');
    const token = await apiLogin(server.url, 'tara.manager');
    const isOpenNotAlone = (e) =>
      e.child_id === ellieId && e.reason.reason === 'not_seen_alone' && e.status.status === 'open';
    assert.ok((await apiGet(server.url, token, '/api/escalations')).some(isOpenNotAlone), 'raised by the server');
    await card.locator('textarea').fill('Agreed: Ellie was upset; see her alone at school next week.');
    await card.getByRole('button', { name: 'Agree', exact: true }).click();
    // Once recorded, it leaves the inbox, and the server no longer holds it open.
    await card.waitFor({ state: 'detached' });
    const after = await apiGet(server.url, token, '/api/escalations');
    assert.ok(!after.some(isOpenNotAlone), 'the not-seen-alone escalation is no longer open');
    await managerPage.context().close();
  });

  it('lets a manager pick a duty worker by name to cover an overdue child', async () => {
    const managerApp = await startApp(tempDir('cover'), server.url);
    const managerPage = await phonePage(browser, managerApp.url);
    await signIn(managerPage, 'tara.manager');
    await managerPage.locator('#nav-inbox').click();
    // Ellie was seen late: her overdue escalation waits for the manager's decision.
    const card = managerPage.locator('.card', { hasText: 'Visit overdue: Ellie' });
    await card.waitFor();
    // The names come from the server's staff list: nobody types a staff id.
    await card.locator('option', { hasText: 'Dana Duty' }).waitFor({ state: 'attached' });
    assert.equal(await card.getByText('staff id').count(), 0, 'no staff id box any more');
    await card.getByLabel('Duty worker', { exact: true }).selectOption({ label: 'Dana Duty' });
    const inFiveDays = new Date(Date.now() + 5 * 86400000).toISOString().slice(0, 10);
    await card.getByLabel('Cover until').fill(inFiveDays);
    // Read back in words under the box, whatever order the box draws day and month in.
    const [y, m, d] = inFiveDays.split('-').map(Number);
    const until = new Date(Date.UTC(y, m - 1, d));
    const inWords = `${until.toLocaleDateString('en-GB', { weekday: 'long', timeZone: 'UTC' })} ${d} `
      + `${until.toLocaleDateString('en-GB', { month: 'long', timeZone: 'UTC' })} ${y}`;
    assert.equal(await card.locator('.date-words').filter({ hasText: /\d{4}$/ }).innerText(), inWords);
    await screenshot(managerPage, '13-assign-cover');
    const tara = await apiLogin(server.url, 'tara.manager');
    const chronology = `/api/children/${ellieId}/chronology`;
    const coversByDana = async () =>
      JSON.stringify(await apiGet(server.url, tara, chronology)).split('Dana Duty covers for').length - 1;
    const before = await coversByDana();
    await card.getByRole('button', { name: 'Assign duty cover' }).click();
    // Recorded: the escalation leaves the inbox, and the server holds one more cover by Dana.
    await card.waitFor({ state: 'detached' });
    const isOpenOverdue = (e) => e.child_id === ellieId && e.reason.reason === 'overdue' && e.status.status === 'open';
    assert.ok(!(await apiGet(server.url, tara, '/api/escalations')).some(isOpenOverdue), 'no longer open');
    assert.equal(await coversByDana(), before + 1, 'the server records Dana covering Ellie');
    await managerPage.context().close();
  });
});
