// Reallocation without starting again: Noah (demo data) was Priya's and is now Sam's. Sam's
// phone sends him to a handover before his first visit: the plan, the last visits (seen, seen
// alone), Noah's words, interpreting, open escalations and the household's safety warning for
// lone visits. Screenshots at 390x844.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import {
  apiGet, apiLogin, freePort, launchBrowser, phonePage, screenshot, settledCaseload, signIn, startApp, startServer,
  stopAll, tempDir,
} from '../harness.js';

describe('a reallocated child is handed over to the new key worker', () => {
  let server, app, browser, page;

  before(async () => {
    server = await startServer(tempDir('realloc-server'), await freePort());
    app = await startApp(tempDir('realloc-app'), server.url);
    browser = await launchBrowser();
    page = await phonePage(browser, app.url);
  });

  after(async () => {
    await browser?.close();
    await stopAll();
  });

  it('shows the new key worker the safety warning and sends them to the handover first', async () => {
    await signIn(page, 'sam.social');
    await settledCaseload(page);
    await page.locator('.case', { hasText: 'Noah' }).first().click();
    await page.locator('#reallocated-banner').waitFor();
    assert.match(await page.locator('#reallocated-banner').innerText(), /reallocated to you on .*Read the handover first/);
    assert.match(await page.locator('#safety-warnings').innerText(), /Large dog, kept loose in the garden/);
    assert.equal(await page.locator('#key-workers-count').innerText(), '2');
    await screenshot(page, 'reallocation-01-child-page');
  });

  it('hands over the plan, the last visits with seen and seen alone, and the safety warning', async () => {
    await page.click('#start-visit');
    await page.locator('#screen-title', { hasText: 'Handover: Noah' }).waitFor();
    await page.locator('#handover-reallocated').waitFor();
    assert.match(await page.locator('#handover-reallocated').innerText(), /Key workers during this plan: 2/);
    assert.match(await page.locator('#safety-warnings').innerText(), /Large dog/);
    const visits = await page.locator('#handover-visits li').allInnerTexts();
    assert.ok(visits.length >= 1, 'the last visits are listed');
    assert.match(visits[0], /: seen, (seen alone|not seen alone)|: not seen/);
    assert.match(await page.locator('#plan').innerText(), /What the plan says must happen/);
    assert.match(await page.locator('#needs').innerText(), /Communication/);
    assert.equal(await page.locator('#handover-source').count(), 0, 'fetched from the server just now');
    await screenshot(page, 'reallocation-02-handover');
    await page.locator('#safety-warnings').scrollIntoViewIfNeeded();
    await screenshot(page, 'reallocation-03-handover-warning');
    await page.click('#handover-start-visit');
    await page.locator('#visit-form').waitFor();
  });

  it('lets managers see how many key workers each child has had, in the API and their inbox', async () => {
    const tara = await apiLogin(server.url, 'tara.manager');
    const counts = await apiGet(server.url, tara, '/api/oversight/key-workers');
    assert.equal(counts[0].child_name, 'Noah Le Brun');
    assert.equal(counts[0].key_workers_during_plan, 2);

    const managerApp = await startApp(tempDir('realloc-manager-app'), server.url);
    const managerPage = await phonePage(browser, managerApp.url);
    await signIn(managerPage, 'tara.manager');
    await settledCaseload(managerPage);
    await managerPage.locator('#nav-inbox').click();
    await managerPage.locator('#screen-title', { hasText: 'Inbox' }).waitFor();
    const list = managerPage.locator('#cases-to-check');
    await list.waitFor();
    assert.match(await list.locator('li').first().innerText(), /Noah Le Brun\s*2 key workers during this plan/);
    assert.match(await list.innerText(), /Amelia Quinn\s*⚑ Interpreting not yet considered/);
    await list.scrollIntoViewIfNeeded();
    await screenshot(managerPage, 'reallocation-04-manager-inbox');
    await managerPage.context().close();
  });
});
