// A manager records a "not seen alone" agreement in the inbox. The worker ticked "I discussed
// this with my manager" on a visit: that closes nothing by itself, it asks the manager to
// confirm. The manager sees the request in the escalation's history, agrees with a reason, and
// the agreement is kept with their name: in the escalation's history and the child's
// chronology.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import {
  apiGet, apiLogin, apiPost, apiPush, deviceLogin, freePort, launchBrowser, phonePage, screenshot, signIn, startApp,
  startServer, statutoryVisit, stopAll, tempDir, visitTimesToday, waitShowing,
} from '../harness.js';

const AGREEMENT = 'Agreed in supervision: Ellie is unwell; see her alone at school on Friday.';

/** Pushes, as Sam, a visit to `child` today in which the child was not seen alone. */
async function pushNotAlone(serverUrl, sam, child, managerAgreed) {
  const { started, ended } = await visitTimesToday(serverUrl, sam.token);
  const visit = statutoryVisit({
    child: child.id, worker: sam.worker.id, started, ended,
    seen_alone: { answer: 'no', reason: 'Ellie was unwell and wanted her mum', present: ['mother'], manager_agreed: managerAgreed },
    child_words: [{ text: 'My tummy hurts' }], child_views: 'Tired; wanted to stay on the sofa.',
    observations: { facts: 'Ellie in pyjamas on the sofa.', concerns: '' },
  });
  await apiPush(serverUrl, sam, [visit]);
  return visit;
}

/** The manager's "not seen alone" escalation about `visit`, once the running sweeper has raised
 * it (within seconds); undefined if it never does. */
async function escalationAbout(serverUrl, managerToken, visit) {
  for (let i = 0; i < 100; i++) {
    const raised = (await apiGet(serverUrl, managerToken, '/api/escalations'))
      .find((e) => e.reason.reason === 'not_seen_alone' && e.reason.visit_id === visit.id);
    if (raised) return raised;
    await new Promise((r) => setTimeout(r, 200));
  }
  return undefined;
}

describe('a manager records a "not seen alone" agreement', () => {
  let server, browser, ellie;

  before(async () => {
    server = await startServer(tempDir('agreement-server'), await freePort());
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await stopAll();
  });

  it('turns a worker\'s "a manager agreed" into a request for the manager to confirm', async () => {
    const sam = await deviceLogin(server.url, 'sam.social');
    const children = await apiGet(server.url, sam.token, '/api/children');
    ellie = children.find((c) => c.given_name === 'Ellie');
    assert.ok(ellie, 'Ellie is on Sam\'s caseload');
    const visit = await pushNotAlone(server.url, sam, ellie, true);
    // The running sweeper acts on the push within seconds.
    const tara = await apiLogin(server.url, 'tara.manager');
    const raised = await escalationAbout(server.url, tara, visit);
    assert.ok(raised, 'the visit raised a request to the team manager');
    assert.equal(raised.status.status, 'open', 'the worker\'s tick closed nothing');
    assert.deepEqual(raised.history.map((h) => h.step), ['raised', 'confirmation_asked']);
  });

  it('lets the manager agree in the inbox, and keeps the agreement with their name', async () => {
    const app = await startApp(tempDir('agreement-app'), server.url);
    const page = await phonePage(browser, app.url);
    await signIn(page, 'tara.manager');
    await page.locator('#nav-inbox').click();
    await page.locator('#screen-title', { hasText: 'Inbox' }).waitFor();
    const card = page.locator('.card', { hasText: 'Not seen alone: Ellie' });
    await card.waitFor();
    const history = card.locator('.escalation-history');
    await history.locator('.history-entry', { hasText: 'Needs your confirmation' }).waitFor();
    assert.match(await history.innerText(), /The worker recorded that a manager agreed/);
    await screenshot(page, '20-not-seen-alone-confirmation');

    await card.locator('textarea').fill(AGREEMENT);
    await card.getByRole('button', { name: 'Agree', exact: true }).click();
    await card.waitFor({ state: 'detached' });

    const tara = await apiLogin(server.url, 'tara.manager');
    const chronology = await apiGet(server.url, tara, `/api/children/${ellie.id}/chronology?format=json`);
    const entries = chronology.entries ?? chronology;
    const agreed = entries.find((e) => e.summary.includes(AGREEMENT.slice(0, 40)));
    assert.ok(agreed, 'the agreement is in the chronology');
    assert.match(agreed.summary, /Recorded by Tara Manager/);
    await page.context().close();
  });

  it('lets the manager decide in advance that the child need not be seen alone', async () => {
    const sam = await deviceLogin(server.url, 'sam.social');
    const visit = await pushNotAlone(server.url, sam, ellie, false);
    // The running sweeper raises it within seconds; the inbox is read when opened.
    const manager = await apiLogin(server.url, 'tara.manager');
    await escalationAbout(server.url, manager, visit);
    const app = await startApp(tempDir('standing-app'), server.url);
    const page = await phonePage(browser, app.url);
    await signIn(page, 'tara.manager');
    await page.locator('#nav-inbox').click();
    const card = page.locator('.card', { hasText: 'Not seen alone: Ellie' });
    await card.waitFor({ timeout: 20000 });
    await card.locator('summary', { hasText: 'Decide in advance' }).click();
    await card.locator('.standing-decision input[type=text]').fill('Ellie is recovering from surgery; her mother stays with her.');
    const inSixWeeks = new Date(Date.now() + 42 * 86400000).toISOString().slice(0, 10);
    await card.locator('.standing-decision input[type=date]').fill(inSixWeeks);
    await card.getByRole('button', { name: 'Record the standing decision' }).click();
    // Recorded: the card says so, unless the next sync has already taken the escalation the
    // decision covers out of the inbox.
    await Promise.race([
      card.locator('.standing-decision [role=status]', { hasText: 'Recorded by Tara Manager' }).waitFor(),
      card.waitFor({ state: 'detached' }),
    ]);
    await screenshot(page, '21-standing-decision');

    const tara = await apiLogin(server.url, 'tara.manager');
    const decisions = await apiGet(server.url, tara, `/api/children/${ellie.id}/seen-alone-decisions`);
    assert.equal(decisions.length, 1);
    assert.equal(decisions[0].ends_on, inSixWeeks);
    // The visit it covers no longer waits for a decision.
    const open = await apiGet(server.url, tara, '/api/escalations');
    assert.ok(!open.some((e) => e.reason.visit_id === visit.id), 'covered by the standing decision');
    await page.context().close();

    // Sam, at Ellie's next visit: her page says so, and a "No" to seen alone is covered.
    const samApp = await startApp(tempDir('standing-sam-app'), server.url);
    const samPage = await phonePage(browser, samApp.url);
    await signIn(samPage, 'sam.social');
    await samPage.locator('a.case', { hasText: 'Ellie' }).first().click();
    const note = samPage.locator('#standing-decision-note');
    await note.waitFor({ timeout: 20000 });
    assert.match(await note.innerText(),
      /Tara Manager decided that Ellie need not be seen alone from .* to .*: Ellie is recovering from surgery/);
    assert.equal(await samPage.locator('.standing-decision-end').count(), 0, 'only a manager may end it');
    await samPage.click('#start-visit');
    await samPage.locator('#visit-form').waitFor();
    await samPage.click('#seen-yes');
    await samPage.click('#seen-alone-no');
    assert.match(await samPage.locator('#not-alone-covered').innerText(), /nothing goes to your manager/);
    assert.equal(await samPage.getByText('Your manager will be asked').count(), 0);
    await samPage.locator('#not-alone-covered').scrollIntoViewIfNeeded();
    await screenshot(samPage, '23-standing-decision-covers-the-visit');
    await samPage.context().close();
  });

  it('lets the manager end the standing decision early, so a "No" to seen alone asks a manager again', async () => {
    const app = await startApp(tempDir('standing-end-app'), server.url);
    const page = await phonePage(browser, app.url);
    await signIn(page, 'tara.manager');
    await page.goto(`${app.url}/child/${ellie.id}`);
    const note = page.locator('#standing-decision-note');
    await waitShowing(page, note, 'standing-note-for-the-manager', { timeout: 20000 });
    await page.locator('summary', { hasText: 'End this decision early' }).click();
    const end = page.locator('#end-standing-decision');
    assert.ok(await end.isDisabled(), 'not without a reason');
    await page.locator('.standing-decision-end input[type=text]').fill('Ellie has recovered: see her alone again.');
    await end.click();
    const ended = page.locator('#standing-decision-ended');
    await ended.waitFor({ timeout: 20000 });
    assert.match(await ended.innerText(),
      /Tara Manager ended the standing decision: from today, see Ellie alone, or ask a manager\./);
    await note.waitFor({ state: 'detached' });
    await screenshot(page, '24-standing-decision-ended');
    await page.context().close();

    // Kept, with its end appended.
    const tara = await apiLogin(server.url, 'tara.manager');
    const decisions = await apiGet(server.url, tara, `/api/children/${ellie.id}/seen-alone-decisions`);
    assert.equal(decisions.length, 1);
    assert.equal(decisions[0].ended.ended_by_name, 'Tara Manager');
    assert.equal(decisions[0].ended.reason, 'Ellie has recovered: see her alone again.');
    assert.ok(decisions[0].ended.last_day < decisions[0].ends_on);

    // Sam, at Ellie's next visit: no note, and a "No" to seen alone asks the manager.
    const samApp = await startApp(tempDir('standing-end-sam-app'), server.url);
    const samPage = await phonePage(browser, samApp.url);
    await signIn(samPage, 'sam.social');
    await samPage.locator('a.case', { hasText: 'Ellie' }).first().click();
    await samPage.locator('#start-visit').waitFor();
    await samPage.click('#start-visit');
    await samPage.locator('#visit-form').waitFor();
    await samPage.click('#seen-yes');
    await samPage.click('#seen-alone-no');
    await samPage.getByText('Your manager will be asked').first().waitFor({ timeout: 20000 });
    assert.equal(await samPage.locator('#not-alone-covered').count(), 0);
    assert.equal(await samPage.locator('#standing-decision-note').count(), 0);
    await samPage.context().close();
  });

  it('tells the worker, before the next visit and in it, that a manager said the child must be seen alone', async () => {
    const sam = await deviceLogin(server.url, 'sam.social');
    const isla = (await apiGet(server.url, sam.token, '/api/children')).find((c) => c.given_name === 'Isla');
    assert.ok(isla, 'Isla is on Sam\'s caseload');
    const visit = await pushNotAlone(server.url, sam, isla, false);
    const tara = await apiLogin(server.url, 'tara.manager');
    const raised = await escalationAbout(server.url, tara, visit);
    assert.ok(raised, 'the visit raised a "not seen alone" escalation');
    const said = 'See Isla on her own at school on Monday, with her teacher';
    await apiPost(server.url, tara, `/api/escalations/${raised.id}/acknowledge`,
      { action: 'seen_alone_disagreed', reason: said });

    const app = await startApp(tempDir('must-be-alone-app'), server.url);
    const page = await phonePage(browser, app.url);
    await signIn(page, 'sam.social');
    await page.locator('a.case', { hasText: 'Isla' }).first().click();
    const onPage = page.locator('#seen-alone-instruction');
    await onPage.waitFor({ timeout: 20000 });
    assert.match(await onPage.innerText(), new RegExp(`Tara Manager decided on .* that Isla must be seen alone: ${said}\\.`));
    await page.click('#start-visit');
    await page.locator('#visit-form').waitFor();
    assert.match(await page.locator('#visit-seen-alone-instruction').innerText(), new RegExp(said));
    await page.click('#seen-yes');
    await page.click('#seen-alone-no');
    assert.match(await page.locator('#not-alone-against').innerText(), /Tara Manager decided that Isla must be seen alone/);
    await page.locator('#not-alone-against').scrollIntoViewIfNeeded();
    await screenshot(page, '22-must-be-seen-alone-visit');
    await page.context().close();
  });
});
