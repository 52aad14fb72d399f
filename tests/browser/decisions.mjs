// decisions.mjs: the decisions report on the admin's policy page, in the real UI (run by
// tests/test_web_decisions.c over the demo data, `techmatch demo`):
//
//   node tests/browser/decisions.mjs BASE SHOTS BROKER_EMAIL ADMIN_EMAIL PASSWORD
//
// With no decision the page says so; after five a broker made over the API it counts them and says
// they are too few to suggest; after the broker has decided every suggestion of the demo (approving
// most above 0.5 and some below, rejecting the rest with reasons), the tables by score band and by
// field show the numbers this script computes from the decisions it made and the matches' scores, the
// suggested threshold is the one the rule gives (the lowest tenth boundary whose decisions above it,
// at least 10, were approved at 70% or more, and whose own band at least half the time), and applying it (confirmed in the dialog) changes the
// policy the server holds.  Chinese and English, desktop and phone; axe-core on each screen.
import { launch, newPage, shot, axeCheck, check, ok, PHONE } from './lib.mjs';

const [base, shots, brokerEmail, adminEmail, password] = process.argv.slice(2);
const browser = await launch();

// One API call with a bearer token; resolves to the parsed body, throwing on an error status.
async function call(token, method, path, body) {
  const res = await fetch(base + path, { method, headers: { Authorization: `Bearer ${token}`,
    ...(body ? { 'Content-Type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

async function tokenOf(email) {
  const res = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password }) });
  check(res.ok, `${email} signs in over the API`);
  return (await res.json()).token;
}

// Every suggestion in the review queue, best first.
async function queue(token) {
  const items = [];
  let cursor = null;
  do {
    const page = await call(token, 'GET', `/api/review?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return items;
}

const REASONS = ['out_of_scope', 'description_vague', 'benefit_unclear', 'too_early_stage'];

// The broker's judgement of the i-th suggestion (best first): most above 0.5 approved, some below too.
const approves = (m, i) => (m.score >= 0.5 ? i % 6 !== 5 : i % 4 === 0);

async function decide(token, m, i, made) {
  const yes = approves(m, i);
  if (yes) await call(token, 'POST', `/api/matches/${m.id}/approve`);
  else await call(token, 'POST', `/api/matches/${m.id}/reject`, { reason: REASONS[i % REASONS.length] });
  made.push({ id: m.id, approved: yes, demandFields: m.demand.fields || [] });
}

// Decides the best suggestion of the queue, read afresh each time (a decision re-ranks the demand's other
// candidates, which may withdraw some), from the from-th decision until to or an empty queue.
async function decideNext(token, from, to, made) {
  for (let i = from; i < to; i++) {
    const [best] = await queue(token);
    if (!best) return;
    await decide(token, best, i, made);
  }
}

// The report the decisions made should give: by band, by section, the cut at a threshold, the suggestion.
async function expected(token, made, current) {
  const score = new Map();
  for (const d of made) score.set(d.id, (await call(token, 'GET', `/api/matches/${d.id}`)).score);
  const band = (s) => Math.min(9, Math.floor(s * 10 + 1e-9));
  const bands = new Map(), sections = new Map();
  for (const d of made) {
    const b = band(score.get(d.id));
    const row = bands.get(b) || { a: 0, r: 0 };
    row[d.approved ? 'a' : 'r']++;
    bands.set(b, row);
    for (const sec of new Set(d.demandFields.map((f) => f[0]))) {
      const srow = sections.get(sec) || { a: 0, r: 0 };
      srow[d.approved ? 'a' : 'r']++;
      sections.set(sec, srow);
    }
  }
  const approvals = made.filter((d) => d.approved).length;
  const cut = (x) => {
    const above = made.filter((d) => score.get(d.id) + 1e-9 >= x);
    const a = above.filter((d) => d.approved).length;
    return { threshold: x, decided: above.length, approved: a, precision: a / above.length, recall: a / approvals };
  };
  // The band a suggestion opens may not be mostly rejected (an empty one is no evidence against it).
  const bandOk = (k) => !bands.has(k) || bands.get(k).a >= 0.5 * (bands.get(k).a + bands.get(k).r);
  let suggested = null;
  for (let k = Math.min(...bands.keys()); k < 10 && !suggested; k++) {
    const c = cut(k / 10);
    if (c.decided >= 10 && c.precision + 1e-9 >= 0.7 && bandOk(k)) suggested = c;
  }
  return { bands, sections, approvals, current: cut(current), suggested };
}

const text = async (p, sel) => ((await p.textContent(sel)) || '').trim();
const pctOf = (x) => `${Math.round(x * 100)}%`;

// The numbers of the band table and of the field table equal what the decisions give.
async function checkTables(p, exp) {
  for (const [b, row] of exp.bands) {
    const from = String(b / 10);
    const cells = await p.locator(`#pd-bands tr[data-from="${from}"] td`).allTextContents();
    check(cells.length === 2, `band ${from} has its row`);
    check(cells[0] === `${row.a} / ${row.r}`, `band ${from}: ${row.a} approved, ${row.r} rejected (${cells})`);
    const prec = await text(p, `#pd-bands tr[data-from="${from}"] .chart-bar span`);
    check(prec === pctOf(row.a / (row.a + row.r)), `band ${from}: precision ${prec}`);
  }
  check(await p.locator('#pd-bands tbody tr').count() === 10 - Math.min(...exp.bands.keys()), 'a row per band up to 0.9–1.0');
  for (const [sec, row] of exp.sections) {
    const cells = await p.locator(`#pd-fields tr[data-field="${sec}"] td`).allTextContents();
    check(cells[0] === `${row.a} / ${row.r}`, `section ${sec}: ${row.a} approved, ${row.r} rejected (${cells})`);
  }
  check(await p.locator('#pd-fields tbody tr').count() === exp.sections.size, 'a row per section decided in');
}

// The comparison's column (current or suggested) shows the cut's numbers.
async function checkCut(p, which, c) {
  const at = (k) => text(p, `#pd-compare td[data-cut="${which}"][data-k="${k}"]`);
  const got = [await at('threshold'), await at('decided'), await at('precision'), await at('recall')];
  const want = [String(c.threshold), String(c.decided), pctOf(c.precision), pctOf(c.recall)];
  check(got.join() === want.join(), `${which}: ${want} (the page says ${got})`);
}

async function openPolicy(p, lang) {
  await p.goto(`${base}/#/policy`);
  await p.evaluate((l) => localStorage.setItem('lang', l), lang);
  await p.reload();
  await p.waitForSelector('#pd-body:not(:has(.skeleton))');
}

// No part of the page is wider than the screen (nothing to scroll sideways).
async function fitsPhone(label) {
  const ph = await newPage(browser, { viewport: PHONE });
  await ph.context().addCookies(await adm.context().cookies());
  await ph.goto(`${base}/#/policy`);
  await ph.waitForSelector('#pd-body:not(:has(.skeleton))');
  const wide = await ph.evaluate(() => document.documentElement.scrollWidth);
  check(wide <= PHONE.width + 1, `${label} fits a phone (${wide}px wide)`);
  await axeCheck(ph, `${label} (phone)`);
  await ph.context().close();
}

let adm;
try {
  const broker = await tokenOf(brokerEmail);
  const admin = await tokenOf(adminEmail);
  adm = await newPage(browser, { reducedMotion: 'reduce' });
  await adm.goto(`${base}/#/login`);
  await adm.fill('#f_email', adminEmail);
  await adm.fill('#f_password', password);
  await adm.click('form button[type=submit]');
  await adm.waitForURL(/#\/$/);

  // ----- no decision yet: said so, no table -----
  await openPolicy(adm, 'zh');
  check(await adm.locator('#pd-empty').count() === 1 && await adm.locator('#pd-bands').count() === 0, 'the empty state');
  check((await text(adm, '#pd-empty')).includes('还没有审核决定'), 'the empty state in Chinese');
  await axeCheck(adm, 'policy, no decisions (zh)');
  await shot(browser, adm, shots, 'decisions-none');
  ok('zh: with no decision the page says so');

  // ----- five decisions: counted, too few to suggest -----
  const all = await queue(broker);
  check(all.length >= 25, `the demo has suggestions to decide (${all.length})`);
  const made = [];
  await decideNext(broker, 0, 5, made);
  await openPolicy(adm, 'zh');
  check((await text(adm, '#pd-verdict')).includes('目前只有 5 条审核决定，满 20 条才给出建议阈值'), 'too few, said in Chinese');
  check(await adm.locator('#pd-apply').count() === 0, 'no button with too few decisions');
  check(await adm.locator('#pd-bands tbody tr').count() > 0, 'the five decisions are in the band table');
  await axeCheck(adm, 'policy, too few decisions (zh)');
  await shot(browser, adm, shots, 'decisions-too-few');
  ok('zh: five decisions are too few to suggest a threshold');

  // ----- every suggestion decided: the numbers, then the suggestion applied -----
  await decideNext(broker, 5, 200, made);
  const exp = await expected(broker, made, 0.3);
  check(exp.suggested && exp.suggested.threshold > 0.3, `the decisions suggest raising the threshold (${JSON.stringify(exp.suggested)})`);
  await openPolicy(adm, 'en');
  await checkTables(adm, exp);
  check((await text(adm, '#pd-summary')).startsWith(`${made.length} decisions: ${exp.approvals} approved`), 'the summary counts');
  await checkCut(adm, 'current', exp.current);
  await checkCut(adm, 'suggested', exp.suggested);
  check(await adm.locator('#pd-bands .badge.accent').count() === 1, 'the suggested band is marked');
  await axeCheck(adm, 'policy with the report (en)');
  await shot(browser, adm, shots, 'decisions-report-en');
  await fitsPhone('the report (en)');
  ok(`en: the tables and the suggestion (${exp.suggested.threshold}) match the decisions`);

  // Cancel first: nothing changes.  Then confirm.
  await adm.click('#pd-apply');
  await adm.waitForSelector('.dialog');
  await adm.click('.dialog .actions button.ghost');
  check((await call(admin, 'GET', '/api/policy')).suggest_threshold === 0.3, 'cancel keeps the policy');
  await adm.click('#pd-apply');
  await adm.waitForSelector('.dialog');
  await axeCheck(adm, 'the confirmation (en)');
  await adm.click('.dialog .actions button:not(.ghost)');
  await adm.waitForFunction((x) => document.querySelector('#f_suggest_threshold').value === x, String(exp.suggested.threshold));
  await adm.waitForSelector('#pd-verdict.muted');
  const after = await call(admin, 'GET', '/api/policy');
  check(after.suggest_threshold === exp.suggested.threshold, `the server holds the new threshold (${after.suggest_threshold})`);
  await checkCut(adm, 'current', exp.suggested);
  check((await text(adm, '#pd-verdict')) === 'The current threshold is the suggested one.', 'the suggestion is now the current one');
  await adm.waitForFunction(() => !document.querySelector('#toasts .toast'), null, { timeout: 20000 });
  await shot(browser, adm, shots, 'decisions-applied-en');
  ok('en: applying the suggestion changes the policy');

  // ----- the same page in Chinese -----
  await openPolicy(adm, 'zh');
  await checkTables(adm, exp);
  check((await text(adm, '#pd-verdict')) === '当前阈值已是建议值。', 'the verdict in Chinese');
  // The last 30 days hold every decision (they were made just now): the same count, through since=.
  const summary = await text(adm, '#pd-summary');
  const answered = adm.waitForResponse((res) => res.url().includes('/api/review/decisions-report?since='));
  await adm.selectOption('#pd-period', '30');
  check((await answered).ok(), 'the server takes the period as since=');
  await adm.waitForFunction(() => !document.querySelector('#pd-body .skeleton') && document.querySelector('#pd-summary'));
  check((await text(adm, '#pd-summary')) === summary, `the last 30 days count the same (${await text(adm, '#pd-summary')})`);
  check(await adm.inputValue('#pd-period') === '30', 'the period stays chosen');
  await axeCheck(adm, 'policy with the report (zh)');
  await shot(browser, adm, shots, 'decisions-report-zh');
  await fitsPhone('the report (zh)');
  ok('zh: the report in Chinese');
  ok('decisions walk done');
} catch (e) {
  console.log(`FAIL ${e.stack || e}`);
  if (adm) await adm.screenshot({ path: `${shots}/decisions-failure.png`, fullPage: true }).catch(() => {});
  process.exitCode = 1;
} finally {
  await browser.close();
}
