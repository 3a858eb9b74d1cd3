/**
 * axe-core on a page of the plugin: its serious and critical violations, one line per element, as
 * `rule (impact): help — target`, so that a failing expectation says what to fix and where.
 */
import { Page } from 'playwright-core';

const AXE = require.resolve('axe-core/axe.min.js');

/**
 * The serious and critical violations on the page as it is now (none: `[]`). The whole document is
 * judged, Strapi's menu, settings navigation and header included: they pass, so nothing is excluded,
 * and a narrower scope would miss what the plugin renders outside its page (dialogs and notifications
 * are portals at the end of the body).
 */
export async function seriousViolations(page: Page): Promise<string[]> {
  // Off the controls, and their colour transitions (the design system's, 120 ms) and a dialog's
  // fade-in run out: the button the test just clicked would stay hovered (the design system's hover
  // colour for a primary button, white on primary500, 3.5:1, is not a state the page rests in), and
  // text half faded in fails contrast. Endless animations (spinners) are not waited for.
  await page.mouse.move(0, 0);
  await page.waitForFunction(() => (globalThis as any).document.getAnimations().every((a: any) => a.playState !== 'running' || a.effect?.getComputedTiming().iterations === Infinity));
  // Once per document: the admin is a single-page app, so axe stays loaded across its routes.
  if (!(await page.evaluate(() => 'axe' in globalThis))) await page.addScriptTag({ path: AXE });
  // The test's tsconfig has no DOM types, hence `any` in the browser callback.
  const violations: any[] = await page.evaluate(async () => (await (globalThis as any).axe.run((globalThis as any).document, { resultTypes: ['violations'] })).violations);
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').flatMap((v) => v.nodes.map((n: any) => `${v.id} (${v.impact}): ${v.help} — ${n.target.join(' ')}`));
}
