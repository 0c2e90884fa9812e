// Runs axe-core (pinned in package.json) in a page and answers its violations, at every impact.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const axeSource = require.resolve('axe-core/axe.min.js');

/** The violations on the page as it stands, each as "rule (impact): target, …". */
export async function axeViolations(page) {
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) {
    await page.addScriptTag({ path: axeSource });
  }
  const violations = await page.evaluate(async () => {
    // Every disclosure open, so the tables behind the charts are checked too.
    for (const details of document.querySelectorAll('details')) details.open = true;
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      rule: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
    }));
  });
  return violations.map((v) => `${v.rule} (${v.impact}): ${v.help} at ${v.targets.join(', ')}`);
}
