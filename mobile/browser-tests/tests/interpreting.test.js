// Interpreting, considered for every person: Amelia's family (demo data) has had nobody consider
// whether she or her mother needs an interpreter. Sam sees it flagged on his caseload and on her
// page, records interpreting for each person present at the visit, and once the visit has
// reached the server the flag is gone, for him and for his manager's list.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import {
  apiGet, apiLogin, freePort, launchBrowser, phonePage, screenshot, settledCaseload, signIn, startApp, startServer,
  stopAll, tempDir,
} from '../harness.js';

describe('interpreting, considered for every person', () => {
  let server, app, browser, page, tara, amelia;

  before(async () => {
    server = await startServer(tempDir('interp-server'), await freePort());
    app = await startApp(tempDir('interp-app'), server.url);
    browser = await launchBrowser();
    page = await phonePage(browser, app.url);
    tara = await apiLogin(server.url, 'tara.manager');
    amelia = (await apiGet(server.url, tara, '/api/children')).find((c) => c.central_id === 'DEMO-0005');
  });

  after(async () => {
    await browser?.close();
    await stopAll();
  });

  const managerList = async () =>
    (await apiGet(server.url, tara, '/api/oversight/interpreting-not-considered')).find((c) => c.child_id === amelia.id);

  it('flags "not yet considered" on the caseload, the child\'s page and the manager\'s list', async () => {
    assert.equal((await managerList())?.people.length, 2, 'Amelia and her mother are on Tara\'s list');
    await signIn(page, 'sam.social');
    await settledCaseload(page);
    const card = page.locator('.case', { hasText: 'Amelia' }).first();
    assert.match(await card.innerText(), /Interpreting not yet considered/);
    assert.doesNotMatch(
      await page.locator('.case', { hasText: 'Ellie' }).first().innerText(),
      /not yet considered/,
      'a family whose needs were considered is not flagged',
    );
    await card.click();
    await page.locator('#interpreting-not-considered').waitFor();
    assert.match(await page.locator('#interpreting-not-considered').innerText(), /Amelia.*Mother Quinn \(mother\)/);
    await screenshot(page, 'interpreting-01-child-page');
  });

  it('records interpreting for each person present at the visit, not only the child', async () => {
    await page.click('#start-visit');
    await page.locator('#visit-form').waitFor();
    const section = page.locator('#interpreters');
    assert.match(await section.innerText(), /Interpreting for Mother Quinn \(mother\) has not been considered/);
    await page.click('#add-child-interpreter');
    await page.locator('#interp-needed-0').waitFor();
    await page.click('#add-interpreting-1');
    await page.locator('#interp-needed-1').waitFor();
    // Her mother needs an interpreter in Irish, and one came by phone.
    await page.check('#interp-needed-1');
    await page.fill('#interp-lang-1', 'Irish');
    await page.selectOption('#interp-used-1', 'remote');
    assert.match(await section.locator('legend').nth(1).innerText(), /Mother Quinn \(mother\)/);
    await screenshot(page, 'interpreting-02-visit-form');

    await page.click('#seen-yes');
    await page.click('#seen-alone-yes');
    await page.fill('#location', 'Family home');
    await page.fill('#purpose', 'To meet Amelia and her mother and ask about language at home');
    await page.selectOption('#announced', 'announced');
    await page.click('#ended-now');
    await page.click('#review');
    await page.locator('#review-summary').waitFor();
    assert.equal(await page.locator('#review-problems').count(), 0, 'nothing is missing');
    await page.click('#submit-visit');
    await page.locator('#screen-title', { hasText: 'Sync' }).waitFor();
    await page.locator('#sync-badge', { hasText: 'All sent' }).waitFor({ timeout: 20000 });
  });

  it('clears the flag once the visit has answered it, for the worker and the manager', async () => {
    assert.equal(await managerList(), undefined, 'gone from Tara\'s list');
    const visits = await apiGet(server.url, tara, `/api/children/${amelia.id}/visits`);
    assert.deepEqual(
      visits[0].interpreters.map((r) => [r.person.kind, r.needed, r.language]),
      [['child', false, null], ['carer', true, 'Irish']],
    );
    await page.click('#nav-caseload');
    await settledCaseload(page);
    await page.locator('.case', { hasText: 'Amelia' }).first().click();
    await page.locator('#needs').waitFor();
    assert.equal(await page.locator('#interpreting-not-considered').count(), 0);
    await screenshot(page, 'interpreting-03-answered');
  });
});
