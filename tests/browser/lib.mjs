// lib.mjs: what every browser test shares: Debian's chromium through
// playwright-core, pages in a language at desktop or phone width, screenshots
// of a screen at both widths, checks that fail the script, and the
// accessibility check (npm's axe-core injected into the page: no violation of
// impact "serious" or "critical" may remain).
import { chromium } from 'playwright-core';
import { mkdirSync, readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update'];
export const DESKTOP = { width: 1280, height: 860 };
export const PHONE = { width: 390, height: 844 };
const AXE = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', 'node_modules', 'axe-core', 'axe.min.js'),
  'utf8');

// Starts the browser; close it with browser.close() at the end.
export async function launch() {
  return chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: FLAGS });
}

// Throws (failing the script) unless cond holds.
export function check(cond, what) {
  if (!cond) throw new Error(`check failed: ${what}`);
}

// Prints one passed step, as the C wrappers look for "ok STEP".
export function ok(step) {
  console.log(`ok ${step}`);
}

// A new page in its own context: locale 'zh-CN' or 'en-US', viewport DESKTOP or PHONE; reducedMotion
// 'reduce' asks for no animation (toasts then neither slide in nor fade out while axe reads them).  A
// dialog (alert, confirm) fails the script unless accept is set; a page error is printed and fails the run.
export async function newPage(browser, { viewport = DESKTOP, locale = 'zh-CN', accept = false, reducedMotion = 'no-preference' } = {}) {
  const ctx = await browser.newContext({ viewport, locale, reducedMotion });
  const p = await ctx.newPage();
  p.on('dialog', (d) => {
    if (accept) d.accept(); else throw new Error(`a dialog opened: ${d.message()}`);
  });
  p.on('pageerror', (e) => { console.log(`page error: ${e.message}`); process.exitCode = 1; });
  return p;
}

// Saves p as SHOTS/name.png, and the same URL with the same session at phone width as name-phone.png.
export async function shot(browser, p, shots, name) {
  mkdirSync(shots, { recursive: true });
  await p.waitForLoadState('networkidle').catch(() => {});
  await p.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  const lang = await p.evaluate(() => localStorage.getItem('lang') || document.documentElement.lang);
  const phone = await newPage(browser, { viewport: PHONE });
  await phone.context().addCookies(await p.context().cookies());
  await phone.goto(p.url());
  if (lang) {
    await phone.evaluate((l) => localStorage.setItem('lang', l), lang);
    await phone.reload();
  }
  await phone.waitForLoadState('networkidle').catch(() => {});
  await phone.screenshot({ path: join(shots, `${name}-phone.png`), fullPage: true });
  await phone.context().close();
}

// Runs axe-core on p's current screen; throws naming each serious or critical violation.
export async function axeCheck(p, label) {
  // A string is evaluated through the DevTools protocol, which the page's Content-Security-Policy does not govern.
  if (!(await p.evaluate(() => Boolean(window.axe)))) await p.evaluate(AXE);
  const result = await p.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (bad.length > 0) {
    const lines = bad.map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('; ')})`);
    throw new Error(`accessibility on ${label}:\n  ${lines.join('\n  ')}`);
  }
  ok(`accessibility: ${label}`);
}
