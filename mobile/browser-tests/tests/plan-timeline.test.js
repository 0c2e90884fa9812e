// The plan's timeline on the phone (issue 11): the child's page shows the next core group, the
// next review (saying in words when it is overdue), what the dates are counted from when no
// initial conference date is recorded, and the open actions with their owners; a
// manager is told in the inbox when a case's supervision or an agreed action is overdue, lists each case's
// supervision, overdue first, and records supervision.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import {
  apiGet, apiLogin, freePort, launchBrowser, phonePage, screenshot, settledCaseload, signIn, startApp, startServer,
  stopAll, tempDir,
} from '../harness.js';

describe('the plan\'s timeline', () => {
  let server, browser;

  before(async () => {
    server = await startServer(tempDir('timeline-server'), await freePort());
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await stopAll();
  });

  it('shows the next core group, the next review and open actions with owners on the child\'s page', async () => {
    const app = await startApp(tempDir('timeline-app'), server.url);
    const page = await phonePage(browser, app.url);
    await signIn(page, 'sam.social');
    await settledCaseload(page);

    // Amelia: the core group is due within days; the school owns an open action.
    await page.locator('.case', { hasText: 'Amelia' }).click();
    const timeline = page.locator('#timeline');
    await timeline.locator('#open-actions li', { hasText: 'School' }).waitFor({ timeout: 20000 });
    assert.match(await page.locator('#next-core-group').innerText(), /^Due by /);
    assert.match(await timeline.innerText(), /Report attendance to the social worker every Friday/);
    assert.match(await timeline.innerText(), /Health visitor, by /);
    // The school's report is due today, and says so; the referral five days ago is overdue.
    assert.match(await timeline.innerText(), /School, by \d\d\/\d\d\/\d{4} \(due today\)/);
    assert.match(await timeline.innerText(), /Social worker, by \d\d\/\d\d\/\d{4} \(overdue\)/);
    await timeline.scrollIntoViewIfNeeded();
    await screenshot(page, '30-plan-timeline-core-group-due');

    // The unborn child is on the caseload with no name or age yet, and their page says when
    // the baby is expected.
    await page.click('#nav-caseload');
    await page.locator('.case', { hasText: 'Unborn baby Amy' }).click();
    await page.locator('.muted', { hasText: /^Unborn, expected / }).waitFor({ timeout: 20000 });
    await screenshot(page, '33-unborn-child');

    // Ruby's plan came without its initial conference date: her timeline is still tracked,
    // counted from the day the plan started, and the card says so.
    await page.click('#nav-caseload');
    await page.locator('.case', { hasText: 'Ruby' }).click();
    const countedFrom = page.locator('#timeline-counted-from');
    await countedFrom.waitFor({ timeout: 20000 });
    assert.match(
      await countedFrom.innerText(),
      /^No initial conference date on the record: counted from the plan's start, \d\d\/\d\d\/\d{4}\.$/,
    );
    assert.match(await page.locator('#next-core-group').innerText(), /^Due by /);
    await page.locator('#timeline').scrollIntoViewIfNeeded();
    await screenshot(page, '34-plan-timeline-counted-from-plan-start');

    // Maisie: the review conference is overdue, in words.
    await page.click('#nav-caseload');
    await page.locator('.case', { hasText: 'Maisie' }).click();
    await page.locator('#next-review', { hasText: 'Overdue by' }).waitFor({ timeout: 20000 });
    await page.locator('#timeline').scrollIntoViewIfNeeded();
    await screenshot(page, '31-plan-timeline-review-overdue');

    // A social worker who reaches the manager's supervision list by its address is told whose
    // screen it is, and taken back to their children.
    await page.goto(`${app.url}/inbox/supervision`);
    await page.locator('#managers-only').waitFor({ timeout: 20000 });
    assert.equal(await page.locator('#screen-title').innerText(), 'For managers');
    assert.equal(await page.locator('.problem').count(), 0, 'no error for a screen not theirs');
    await screenshot(page, '37-manager-screen-for-a-social-worker');
    await page.getByRole('link', { name: 'Go to My children' }).click();
    await page.locator('.case', { hasText: 'Amelia' }).waitFor({ timeout: 20000 });
    await page.context().close();
  });

  it('lets a manager see supervision due and record it', async () => {
    const app = await startApp(tempDir('supervision-app'), server.url);
    const page = await phonePage(browser, app.url);
    await signIn(page, 'tara.manager');
    await page.locator('#nav-inbox').click();
    // Amelia's case was last supervised five weeks ago: the sweep has told Tara, in her inbox.
    const escalation = page.locator('.card', { hasText: 'Supervision overdue: Amelia' });
    await escalation.waitFor({ timeout: 20000 });
    assert.match(await escalation.innerText(), /Supervision of the case overdue by \d+ working days?: it was due by \d\d\/\d\d\/\d{4}/);
    await escalation.scrollIntoViewIfNeeded();
    await screenshot(page, '35-supervision-overdue-in-the-inbox');
    // And her core group's referral, past its due date and not done, names the action.
    const action = page.locator('.card', { hasText: 'Agreed action overdue: Amelia' });
    await action.waitFor({ timeout: 20000 });
    assert.match(await action.innerText(), /"Refer the mother to the parenting programme", owned by Social worker/);
    assert.equal(await action.getByRole('button', { name: 'Record the arranged visit' }).count(), 0,
      'an action is answered in words, not by a visit');
    await action.scrollIntoViewIfNeeded();
    await screenshot(page, '36-agreed-action-overdue-in-the-inbox');
    await page.locator('#supervision-link').click();
    await page.locator('#screen-title', { hasText: 'Supervision' }).waitFor();
    await page.locator('.supervision-case').first().waitFor({ timeout: 20000 });
    assert.match(await page.locator('#supervision-summary').innerText(), /cases overdue for supervision/);
    const card = page.locator('.supervision-case', { hasText: 'Amelia' });
    assert.match(await card.innerText(), /Overdue by/);
    await card.locator('summary', { hasText: 'Record supervision' }).click();
    const today = new Date().toISOString().slice(0, 10);
    await card.locator('input[type=date]').fill(today);
    await card.locator('textarea').fill('Risk reducing: attendance up; mother engaging with the health visitor.');
    await card.locator('input[type=text]').fill('Continue the plan; review in a month.');
    await card.getByRole('button', { name: 'Record supervision' }).click();
    await page.locator('.supervision-case', { hasText: 'Amelia' })
      .locator('p', { hasText: 'Due by' }).waitFor({ timeout: 20000 });
    await page.locator('.supervision-case', { hasText: 'Amelia' }).scrollIntoViewIfNeeded();
    await screenshot(page, '32-supervision-recorded');

    const tara = await apiLogin(server.url, 'tara.manager');
    const children = await apiGet(server.url, tara, '/api/children');
    const amelia = children.find((c) => c.given_name === 'Amelia');
    const records = await apiGet(server.url, tara, `/api/children/${amelia.id}/supervision`);
    const recorded = records.find((r) => r.held_on === today);
    assert.ok(recorded, 'today\'s supervision is kept beside the earlier one');
    assert.equal(recorded.recorded_by_name, 'Tara Manager');
    assert.match(recorded.reflection, /Risk reducing/);
    // Held late: the escalation stays with Tara until she confirms it can close.
    const escalations = await apiGet(server.url, tara, '/api/escalations');
    const about = escalations.find((e) => e.child_id === amelia.id && e.reason.reason === 'supervision_overdue');
    assert.equal(about?.history.at(-1).step, 'confirmation_asked', JSON.stringify(about));
    await page.locator('#nav-inbox').click();
    const asking = page.locator('.card', { hasText: 'Supervision overdue: Amelia' });
    await asking.getByRole('button', { name: 'Confirm it can close' }).waitFor({ timeout: 20000 });
    await page.context().close();
  });
});
