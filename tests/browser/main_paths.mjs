// main_paths.mjs: each role's main path through the real UI, in Debian's
// chromium driven by playwright-core, against a running techmatch server.
//
//   node tests/browser/main_paths.mjs BASE_URL SHOTS_DIR BROKER_EMAIL PASSWORD ADMIN_EMAIL
//
// Prints "ok STEP" for each step, saves a screenshot of each main screen at
// desktop and phone width in SHOTS_DIR (paths-NAME.png and paths-NAME-phone.png), and exits 0 when every check held
// (1 on the first failure, with the reason).
import { chromium } from 'playwright-core';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [base, shots, brokerEmail, password, adminEmail] = process.argv.slice(2);
mkdirSync(shots, { recursive: true });
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'];
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: FLAGS });
const DESKTOP = { width: 1280, height: 860 }, PHONE = { width: 390, height: 844 };

function check(cond, what) {
  if (!cond) throw new Error(`check failed: ${what}`);
}

async function page(viewport = DESKTOP, locale = 'zh-CN') {
  const ctx = await browser.newContext({ viewport, locale });
  const p = await ctx.newPage();
  p.on('dialog', (d) => { throw new Error(`a dialog opened: ${d.message()}`); });
  p.on('pageerror', (e) => { console.log(`page error: ${e.message}`); process.exitCode = 1; });
  return p;
}

async function shot(p, name) {
  await p.waitForLoadState('networkidle').catch(() => {});
  await p.screenshot({ path: join(shots, `paths-${name}.png`), fullPage: true });
  const phone = await page(PHONE);
  // The same screen at phone width, with the same session (cookies).
  await phone.context().addCookies(await p.context().cookies());
  await phone.goto(p.url());
  await phone.waitForLoadState('networkidle').catch(() => {});
  await phone.screenshot({ path: join(shots, `paths-${name}-phone.png`), fullPage: true });
  await phone.context().close();
}

async function register(p, org, kind, email) {
  await p.goto(`${base}/#/register`);
  await p.fill('#f_org_name', org);
  await p.selectOption('#f_org_kind', kind);
  await p.fill('#f_display_name', `${org} 联系人`);
  await p.fill('#f_email', email);
  await p.fill('#f_password', password);
  await p.click('form button[type=submit]');
  await p.waitForURL(/#\/$/); // registering lands on the home page
  await p.waitForSelector('.stat-grid');
  await p.goto(`${base}/#/mine`);
  await p.waitForSelector('#create #f_title');
}

try {
  // The enterprise: bad input is shown beside the field, then a demand is posted.
  const ent = await page();
  await ent.goto(`${base}/`);
  await shot(ent, 'home');
  await register(ent, '凉都矿业集团', 'enterprise', 'ent-ui@example.com');
  const cookieText = await ent.evaluate(() => document.cookie);
  check(!cookieText.includes('tm_session'), 'the session cookie is out of reach of scripts');
  await ent.fill('#f_title', '');
  await ent.click('#create button[type=submit]');
  await ent.waitForSelector('#f_title_err:not(:empty)');
  console.log('ok validation message beside the field');
  await ent.fill('#f_title', '综采工作面液压支架电液控制系统国产化');
  await ent.fill('#f_description', '替代进口电液控制系统，要求支架动作响应小于1秒。<img src=x onerror=alert(1)>');
  await ent.fill('#f_keywords', '液压支架, 电液控制');
  await ent.fill('#f_fields', 'B06'); // the field picker: a combobox over the taxonomy
  await ent.click('[role=listbox] [role=option][data-code="B06"]');
  await ent.fill('#f_contact', '李工 138xxxx0000');
  await ent.click('#create button[type=submit]');
  await ent.waitForURL(/#\/demands\/\d+$/);
  await ent.waitForSelector('#detail');
  check(await ent.locator('main img').count() === 0, 'listing text is never HTML');
  check((await ent.textContent('main')).includes('<img src=x'), 'listing text is shown as text');
  await ent.click('#edit-toggle');
  await ent.fill('#edit #f_title', '综采工作面液压支架电液控制系统国产化（二期）');
  await ent.click('#edit button[type=submit]');
  await ent.waitForFunction(() => document.querySelector('main h1')?.textContent.includes('二期'));
  await shot(ent, 'enterprise-demand');
  console.log('ok enterprise posts and edits a demand');
  await ent.goto(`${base}/#/inbox`);
  await ent.waitForSelector('#notifications');

  // The university: an achievement that matches, and a bulk import with a bad row.
  const uni = await page();
  await register(uni, '中国矿业大学', 'university', 'uni-ui@example.edu.cn');
  await uni.fill('#f_title', '液压支架电液控制系统及其智能控制方法');
  await uni.fill('#f_abstract', '综采工作面液压支架电液控制，支架动作响应小于0.5秒，国产化替代。');
  await uni.fill('#f_keywords', '液压支架, 电液控制');
  await uni.fill('#f_fields', '煤炭');
  await uni.click('[role=listbox] [role=option][data-code="B06"]');
  await uni.selectOption('#f_trl', '7');
  await uni.click('#create button[type=submit]');
  await uni.waitForURL(/#\/achievements\/\d+$/);
  await uni.waitForSelector('mark');
  await shot(uni, 'university-achievement-matches');
  console.log('ok university posts a matching achievement and sees the demand');
  await uni.goto(`${base}/#/mine`);
  const csv = 'title,abstract,fields,trl\n煤矿安全监测,井下传感器网络,B06,6\n,missing title,B06,12\n';
  const file = join(shots, 'import.csv');
  writeFileSync(file, csv);
  await uni.setInputFiles('#import-file', file);
  await uni.click('#import-go');
  await uni.waitForSelector('#import-report table');
  const report = await uni.textContent('#import-report');
  check(report.includes('第 3 行') && report.includes('标题'), `the bad row is named with its line: ${report}`);
  await shot(uni, 'university-import');
  console.log('ok bulk import reports the bad row with its line');

  // The broker: the queue, highlighted terms on both sides, approve by keyboard.
  const brk = await page();
  await brk.goto(`${base}/#/login`);
  await brk.fill('#f_email', brokerEmail);
  await brk.fill('#f_password', password);
  await brk.click('form button[type=submit]');
  await brk.waitForURL(/#\/$/); // signing in lands on the home page
  await brk.waitForSelector('.stat-grid');
  await brk.goto(`${base}/#/review`);
  await brk.waitForSelector('article.review');
  const marks = await brk.locator('article.review').first().locator('.grid2 mark').count();
  check(marks >= 2, 'shared terms are highlighted in both texts');
  await shot(brk, 'broker-review');
  await brk.locator('article.review').first().focus();
  await brk.keyboard.press('a');
  console.log('ok broker approves from the queue with a key');

  // The enterprise's open inbox shows the pushed match without a reload.
  await ent.waitForSelector('#notifications article.notification', { timeout: 15000 });
  await shot(ent, 'enterprise-inbox-live');
  console.log('ok the pushed match arrived live');

  // Language switch.
  await ent.click('#lang');
  await ent.waitForFunction(() => document.querySelector('#nav').textContent.includes('Demands'));
  await shot(ent, 'enterprise-inbox-english');
  console.log('ok language switch');

  // The enterprise opens the match, says it is interested; the broker introduces the two sides.
  await ent.click('#notifications article.notification h3 a');
  await ent.waitForURL(/#\/matches\/\d+$/);
  await ent.waitForSelector('main .actions button');
  await shot(ent, 'enterprise-match');
  await ent.click('main .actions button');
  await ent.waitForSelector('main .actions .banner.good');
  console.log('ok the enterprise marks the match interested');
  await brk.goto(`${base}/#/pipeline`);
  await brk.waitForSelector('.board .column a.card');
  await shot(brk, 'broker-pipeline');
  await brk.click('.board .column a.card');
  await brk.waitForSelector('main .actions button');
  await brk.click('main .actions button');
  await brk.waitForFunction(() => document.querySelector('main').textContent.includes('洽谈中'));
  check((await brk.textContent('main')).includes('138'), 'after the introduction the contacts are shown');
  console.log('ok the broker introduces the two sides');

  // Push settings: a refused webhook URL is explained beside the field.
  await ent.goto(`${base}/#/settings`);
  await ent.waitForSelector('#f_url');
  await ent.fill('#f_url', 'http://127.0.0.1:1/hook');
  await ent.click('#add-webhook');
  await ent.waitForSelector('#f_url_err:not(:empty)');
  await shot(ent, 'enterprise-settings');
  console.log('ok push settings and a refused webhook URL');

  await brk.goto(`${base}/#/stats`);
  await brk.waitForSelector('.chart');
  check(await brk.locator('.chart').count() >= 3, 'funnel, score distribution and by-field charts');
  await shot(brk, 'broker-stats');
  console.log('ok statistics drawn as charts');

  // The admin: a broker account, and the matching policy.
  const adm = await page();
  await adm.goto(`${base}/#/login`);
  await adm.fill('#f_email', adminEmail);
  await adm.fill('#f_password', password);
  await adm.click('form button[type=submit]');
  await adm.waitForURL(/#\/$/);
  await adm.waitForSelector('.stat-grid');
  await adm.goto(`${base}/#/users`);
  await adm.waitForSelector('#f_display_name');
  await adm.fill('#f_display_name', '王经纪');
  await adm.fill('#f_email', 'wang@example.org');
  await adm.fill('#f_password', 'short');
  await adm.click('main form button[type=submit]');
  await adm.waitForSelector('#f_password_err:not(:empty)');
  await adm.fill('#f_password', password);
  await adm.click('main form button[type=submit]');
  await adm.waitForFunction(() => document.querySelector('#users')?.textContent.includes('wang@example.org'));
  await shot(adm, 'admin-accounts');
  await adm.goto(`${base}/#/policy`);
  await adm.waitForSelector('#f_suggest_threshold');
  await shot(adm, 'admin-policy');
  console.log('ok the admin adds a broker account');
  await browser.close();
} catch (e) {
  console.log(`FAILED: ${e.message}`);
  await browser.close();
  process.exit(1);
}
