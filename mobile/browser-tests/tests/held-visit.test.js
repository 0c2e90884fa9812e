// A manager resolves a visit held for review, in a real browser against a real sync server with
// demo data. Sam records a visit against Alfie, who is not on his caseload (it was Ellie's
// visit): the server holds it, it counts for nothing, and Tara links it to Ellie with a reason
// from the held-visits screen in her inbox.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import {
  apiGet, apiLogin, apiPush, deviceLogin, freePort, launchBrowser, phonePage, screenshot, signIn, startApp, startServer,
  statutoryVisit, stopAll, tempDir,
} from '../harness.js';

const REASON = 'Sam picked the wrong child: this was Ellie\'s visit.';

describe('a manager resolves a held visit', () => {
  let server, browser, page, tara, alfie, ellie, visitId;

  before(async () => {
    server = await startServer(tempDir('held-server'), await freePort());
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await stopAll();
  });

  it('holds a visit to a child not on the worker\'s caseload, counting it for nothing', async () => {
    tara = await apiLogin(server.url, 'tara.manager');
    const children = await apiGet(server.url, tara, '/api/children');
    alfie = children.find((c) => c.central_id === 'DEMO-0102');
    ellie = children.find((c) => c.central_id === 'DEMO-0001');
    const overdue = async (child) =>
      (await apiGet(server.url, tara, '/api/reports/compliance')).children.find((c) => c.child_id === child.id)
        .overdue_now;
    assert.ok(await overdue(ellie), 'Ellie is overdue before the visit');

    const sam = await deviceLogin(server.url, 'sam.social');
    const yesterday = new Date(Date.now() - 86400000).toISOString().slice(0, 10);
    visitId = randomUUID();
    const visit = statutoryVisit({
      id: visitId, child: alfie.id, worker: sam.worker.id,
      started: `${yesterday}T10:00:00Z`, ended: `${yesterday}T10:45:00Z`,
      child_words: [{ text: 'We went to the beach.' }], recorded_at: new Date().toISOString(),
    });
    const [result] = await apiPush(server.url, sam, [visit]);
    assert.equal(result.outcome, 'accepted');
    assert.match(result.needs_review, /Held for a manager's review/);
    assert.ok(await overdue(ellie), 'a held visit counts for nothing');
  });

  it('shows the held visit in the manager\'s inbox and links it to the right child with a reason', async () => {
    const app = await startApp(tempDir('held-app'), server.url);
    page = await phonePage(browser, app.url);
    await signIn(page, 'tara.manager');
    await page.locator('#nav-inbox').click();
    await page.locator('#screen-title', { hasText: 'Inbox' }).waitFor();
    await page.locator('#held-visits-link').click();
    await page.locator('#screen-title', { hasText: 'Held for your review' }).waitFor();
    const card = page.locator(`#held-${visitId}`);
    await card.waitFor();
    assert.match(await card.innerText(), /not on the caseload|not assigned/i, 'says why it is held');

    // Nothing can be resolved without a reason.
    assert.ok(await card.locator('.accept-held').isDisabled());
    await card.locator('textarea').fill(REASON);
    const ellieOption = card.locator('option', { hasText: 'Ellie' });
    await ellieOption.waitFor({ state: 'attached' });
    // The first sync after signing in may still be bringing the team's children as she
    // chooses: the list keeps its list box while options arrive around her choice, so the
    // choice reaches the app at the first try (it was once lost in a new list box).
    await card.locator('select').selectOption(await ellieOption.getAttribute('value'));
    const link = card.locator('.link-held');
    for (const until = Date.now() + 10_000; await link.isDisabled(); await page.waitForTimeout(50)) {
      assert.ok(Date.now() < until, 'the choice of child was not taken');
    }
    await screenshot(page, '14-held-visit');
    await link.click();
    await page.locator('#no-held').waitFor();
    await screenshot(page, '15-held-visit-resolved');

    // On the server: nothing waits, the held revision stays with Alfie, Ellie's visit counts.
    assert.deepEqual(await apiGet(server.url, tara, '/api/review'), []);
    const alfieVisits = await apiGet(server.url, tara, `/api/children/${alfie.id}/visits`);
    assert.ok(alfieVisits.some((v) => v.id === visitId && v.revision === 1), 'the held revision is kept');
    const ellieVisits = await apiGet(server.url, tara, `/api/children/${ellie.id}/visits`);
    const linked = ellieVisits.find((v) => v.id === visitId);
    assert.equal(linked.revision, 2);
    assert.match(linked.amendment_reason, /this was Ellie's visit/);
    const report = await apiGet(server.url, tara, '/api/reports/compliance');
    assert.equal(report.children.find((c) => c.child_id === ellie.id).overdue_now, false, 'Ellie is seen');
    await page.context().close();
  });
});
