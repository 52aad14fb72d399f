// broker.mjs: the broker's and the admin's work in the real UI (run by
// tests/test_web_broker.c over a world it seeded):
//
//   node tests/browser/broker.mjs BASE SHOTS BROKER_EMAIL PASSWORD ADMIN_EMAIL TALKS_ID CLOSE_ID BROKER2_NAME
//
// The broker filters the review queue (the filter in the URL, the count changes),
// sees who the sides are, approves one, rejects another with "other" and a text
// (refused without), then on the match page introduces, adds a note, takes the
// match (the select defaults to "me"), gives it to a second broker, unassigns it,
// takes it back, records a deal of 50万 and reads the history; closes another match
// with a reason; finds the deal in the pipeline, and with "show ended" the closed
// and the rejected ones.  On a phone the queue's entries are compact until opened.  The admin's policy form refuses an
// auto-approve score below the suggest threshold.  In Chinese, then English; at
// desktop and phone width; axe-core on each screen.
import { launch, newPage, shot, axeCheck, check, ok, PHONE } from './lib.mjs';

const [base, shots, brokerEmail, password, adminEmail, talksId, closeId, broker2Name] = process.argv.slice(2);
const browser = await launch();

// Signs in through the login form; returns once the user's home page is shown.
async function login(p, email) {
  await p.goto(`${base}/#/login`);
  await p.fill('#f_email', email);
  await p.fill('#f_password', password);
  await p.click('form button[type=submit]');
  await p.waitForURL(/#\/$/); // signing in lands on the home page
  await p.waitForSelector('.stat-grid');
  await p.goto(`${base}/#/review`);
}

const text = async (p, sel) => (await p.textContent(sel)) || '';

// The review card whose text includes what.
const cardWith = (p, what) => p.locator('article.review', { hasText: what }).first();

// Waits until the selector's text includes what.
async function waitText(p, sel, what) {
  try {
    await p.waitForFunction(([s, w]) => (document.querySelector(s)?.textContent || '').includes(w), [sel, what], { timeout: 30000 });
  } catch (e) {
    throw new Error(`${sel} never said "${what}"; it says "${await p.textContent(sel).catch(() => '(nothing)')}"`);
  }
}

// Waits until the toasts of earlier steps have left (a fading toast is half transparent: axe reads it as low contrast).
async function toastsGone(p) {
  await p.waitForFunction(() => !document.querySelector('#toasts .toast'), null, { timeout: 20000 });
}

// No part of the page is wider than the screen (nothing to scroll sideways).
async function fitsWidth(p, label) {
  const wide = await p.evaluate(() => document.documentElement.scrollWidth);
  check(wide <= PHONE.width + 1, `${label} fits a phone (${wide}px wide)`);
}

// The review queue's total as the server counts it now, with the page's region and field filters: a decision
// re-ranks its demand's other candidates (brokers' feedback), which may suggest or withdraw some, so the page
// must show what the server holds.
async function queueTotal(p) {
  return p.evaluate(() => {
    const h = new URLSearchParams(location.hash.split('?')[1] || '');
    const q = new URLSearchParams({ total: 'true', limit: '1' });
    for (const k of ['region', 'field']) if (h.get(k)) q.set(k, h.get(k));
    return fetch(`/api/review?${q}`).then((r) => r.json()).then((b) => b.total);
  });
}

try {
  const brk = await newPage(browser);
  await login(brk, brokerEmail);

  // ----- the review queue: count, sides, filters in the URL -----
  await brk.waitForSelector('article.review');
  const all = await queueTotal(brk);
  check(all > 20, `the seeded queue is longer than a page (${all})`);
  await waitText(brk, '#queue-count', `共 ${all} 条，已显示 20 条`);
  check(await brk.locator('article.review').count() === 20, 'the first page holds 20');
  await brk.click('#queue-more');
  // ('共 N 条' is also in '共 N 条，已显示 20 条': wait for the entries themselves.)
  await brk.waitForFunction((n) => document.querySelectorAll('article.review').length === n, all);
  check((await text(brk, '#queue-count')) === `共 ${all} 条`, `the count says all are shown: ${await text(brk, '#queue-count')}`);
  check(await brk.locator('article.review').count() === all && await brk.locator('#queue-more').count() === 0,
    'the next page is appended, and no more is offered');
  ok('the review queue pages with its total');
  const lp = cardWith(brk, '退役锂电池正极材料湿法回收技术');
  const lpText = await lp.textContent();
  check(lpText.includes('江苏省南京市') && lpText.includes('TRL 6') && lpText.includes('30万元'),
    `the achievement side shows region, TRL and price: ${lpText.slice(0, 300)}`);
  const mine = cardWith(brk, '凉都矿业集团');
  const mineText = await mine.textContent();
  check(mineText.includes('贵州省六盘水市') && mineText.includes('50万元 – 300万元') && mineText.includes('TRL 7'),
    'the demand side shows organisation, region and budget; the achievement its TRL');
  check(await brk.locator('#bulk-approve').isDisabled() && await brk.locator('#bulk-reject').isDisabled(),
    'bulk buttons are disabled with nothing selected');
  check((await text(brk, '#bulk-hint')).includes('先勾选'), 'the bulk bar says why its buttons are off');
  await brk.locator('article.review input.pick').first().check();
  check(!(await brk.locator('#bulk-approve').isDisabled()), 'a selection enables the bulk buttons');
  await brk.locator('article.review input.pick').first().uncheck();
  check(await brk.locator('#bulk-approve').isDisabled(), 'no selection disables them again');
  check((await brk.locator('article.review select').first().inputValue()) === '', 'no reason is chosen for the broker');
  await axeCheck(brk, 'review queue (zh)');
  await brk.evaluate(() => window.scrollTo(0, 0));
  await brk.screenshot({ path: `${shots}/broker-review-top.png` });
  await shot(browser, brk, shots, 'broker-review');

  await brk.fill('#rf_region', '贵州');
  await brk.click('#rf_apply');
  await brk.waitForURL(/region=/);
  check(decodeURIComponent(brk.url()).includes('region=贵州'), `the filter is in the URL: ${brk.url()}`);
  await waitText(brk, '#queue-count', `共 ${await queueTotal(brk)} 条，已显示 20 条`);
  check(await brk.locator('article.review', { hasText: '退役锂电池' }).count() === 0, 'the other region is filtered out');
  await brk.reload();
  await waitText(brk, '#queue-count', `共 ${await queueTotal(brk)} 条`);
  check((await brk.inputValue('#rf_region')) === '贵州', 'a reload keeps the filter');
  ok('the review queue filters by region');

  // ----- reject with "other": refused without a text -----
  const victim = brk.locator('article.review').nth(1);
  const victimId = await victim.getAttribute('data-id');
  await victim.locator('select').selectOption('other');
  await victim.locator('button.reject').click();
  await brk.waitForFunction((id) => (document.querySelector(`article.review[data-id="${id}"] .reason-field .error`)?.textContent || '')
    .includes('必须填写说明'), victimId);
  check(await brk.locator(`article.review[data-id="${victimId}"]`).count() === 1, 'without a text nothing is rejected');
  await victim.locator('textarea.reason-text').fill('企业已自行立项研发');
  await victim.locator('button.reject').click();
  await brk.waitForSelector(`article.review[data-id="${victimId}"]`, { state: 'detached' });
  await waitText(brk, '#queue-count', `共 ${await queueTotal(brk)} 条`);
  ok('a rejection with reason other needs its text');

  // ----- the r key: no reason, no reject; with one, a confirmation first -----
  const first = brk.locator('article.review').first();
  const firstId = await first.getAttribute('data-id');
  await first.focus();
  await brk.keyboard.press('r');
  await brk.waitForSelector('.toast');
  check(await brk.locator('[role=alertdialog]').count() === 0, 'r with no reason chosen asks for the reason, not a confirmation');
  await first.locator('select').selectOption('duplicate');
  await first.focus();
  await brk.keyboard.press('r');
  await brk.waitForSelector('[role=alertdialog]');
  check((await text(brk, '[role=alertdialog]')).includes('重复'), 'the confirmation names the reason');
  await brk.click('[role=alertdialog] button.ghost');
  check(await brk.locator(`article.review[data-id="${firstId}"]`).count() === 1, 'cancelling keeps the match');
  ok('the r key confirms before rejecting');
  const isSelected = (loc) => loc.evaluate((c) => c.classList.contains('selected'));
  await first.focus();
  await brk.keyboard.press('j');
  check(await isSelected(brk.locator('article.review').nth(1)) && !(await isSelected(first)), 'j selects the next entry');
  await brk.keyboard.press('k');
  check(await isSelected(first), 'k the one before');
  ok('j and k move through the queue');

  // ----- approve one -----
  await first.locator('button.approve').click();
  await brk.waitForSelector(`article.review[data-id="${firstId}"]`, { state: 'detached' });
  await waitText(brk, '#queue-count', `共 ${await queueTotal(brk)} 条`);
  ok('the broker approves from the queue');

  // ----- bulk: two selected, a reason, a confirmation -----
  await brk.locator('article.review input.pick').nth(0).check();
  await brk.locator('article.review input.pick').nth(1).check();
  await waitText(brk, '#bulk-hint', '已选 2 条');
  await brk.click('#bulk-reject');
  await waitText(brk, '#bulk .reason-field .error', '请选择原因');
  await brk.locator('#bulk select').selectOption('duplicate');
  await brk.click('#bulk-reject');
  await waitText(brk, '[role=alertdialog]', '2 条');
  await brk.click('[role=alertdialog] button.danger');
  await waitText(brk, '#queue-count', `共 ${await queueTotal(brk)} 条`);
  ok('bulk rejection of the selected matches');

  // ----- the match page: introduce, note, assign, deal, history -----
  await brk.goto(`${base}/#/matches/${victimId}`);
  await waitText(brk, '#outcome', '企业已自行立项研发');
  await brk.goto(`${base}/#/matches/${talksId}`);
  await brk.waitForSelector('#mv-in_talks');
  check((await text(brk, 'main .pill')).includes('有意向'), 'the match is interested');
  check(!(await text(brk, 'main')).includes('null'), 'nothing on the page reads "null"');
  check(await brk.locator('#mv-close').count() === 1 && await brk.locator('#mv-deal').count() === 0,
    'an interested match offers introduce and close, not a deal');
  await brk.click('#mv-in_talks');
  await waitText(brk, 'main .pill', '洽谈中');
  check((await text(brk, 'main')).includes('138'), 'the contacts are shown');
  await brk.fill('#note_text', '双方约定下周三现场考察');
  await brk.click('#note-form button[type=submit]');
  await waitText(brk, '#notes', '双方约定下周三现场考察');
  const notes = await text(brk, '#notes');
  check(/前|刚刚|现在/.test(notes), `the note shows how long ago: ${notes}`);
  // ----- assignment: "me" by default, then a second broker, then nobody, then me again -----
  check((await text(brk, '#assignee')) === '未分配', 'nobody holds the match yet');
  check((await brk.locator('#assign-to option:checked').textContent()).includes('（我）'), 'the select defaults to me');
  check(await brk.locator(`#assign-to option`, { hasText: broker2Name }).count() === 1, `the second broker ${broker2Name} is a choice`);
  await brk.click('#assign');
  await waitText(brk, '#assignee', '（我）');
  check(await brk.locator('#assign').isDisabled(), 'assigning to the holder again is off');
  await brk.selectOption('#assign-to', { label: broker2Name });
  await brk.click('#assign');
  await waitText(brk, '#assignee', broker2Name);
  check(!(await text(brk, '#assignee')).includes('（我）'), 'the second broker holds it now');
  await waitText(brk, '#history', `→ ${broker2Name}`);
  await brk.click('#unassign');
  await waitText(brk, '#assignee', '未分配');
  await waitText(brk, '#history', `${broker2Name} → 未分配`);
  await brk.click('#assign');
  await waitText(brk, '#assignee', '（我）');
  ok('the match is assigned to a second broker, and unassigned');
  await brk.fill('#deal_amount', '五十万');
  await brk.click('#mv-deal');
  await waitText(brk, '#deal_amount_err', '50万');
  check((await text(brk, '#deal_mode_err')).length > 0, 'the mode must be chosen');
  await brk.fill('#deal_amount', '50万');
  await brk.selectOption('#deal_mode', 'license');
  await brk.click('#mv-deal');
  await waitText(brk, 'main .pill', '已成交');
  check((await text(brk, '#outcome')).includes('50万元') && (await text(brk, '#outcome')).includes('许可'),
    'the outcome shows the amount and mode');
  const history = await text(brk, '#history');
  for (const w of ['引荐洽谈', '记录成交', '添加备注', '分配', '有意向 → 洽谈中', '50万元']) check(history.includes(w), `the history shows ${w}`);
  check(await brk.locator('#mv-deal').count() === 0 && (await text(brk, '#moves')).includes('没有可执行'), 'a deal is the end');
  ok('a deal of 50万 is recorded');
  await toastsGone(brk);
  await axeCheck(brk, 'match page (zh)');
  await shot(browser, brk, shots, 'broker-match');

  await brk.goto(`${base}/#/matches/${closeId}`);
  await brk.waitForSelector('#mv-close');
  await brk.click('#mv-close');
  await waitText(brk, '.move-close .error', '请选择原因');
  await brk.locator('.move-close select').selectOption('benefit_unclear');
  await brk.click('#mv-close');
  await waitText(brk, 'main .pill', '已关闭');
  check((await text(brk, '#outcome')).includes('效益不明'), 'the close reason is shown');
  ok('the broker closes a match with a reason');

  // ----- the pipeline -----
  await brk.goto(`${base}/#/pipeline`);
  await brk.waitForSelector('.board .column');
  check(await brk.locator(`.column[data-status="deal"] a.card[data-id="${talksId}"]`).count() === 1, 'the deal is in the deal column');
  check(await brk.locator(`.column[data-status="interested"] a.card[data-id="${talksId}"]`).count() === 0, 'and in no other');
  check((await text(brk, '.column[data-status="deal"] .count')).includes('1'), 'the column counts it');
  check(await brk.locator('.column[data-status="closed"]').count() === 0, 'the ended columns wait for "show ended"');
  await toastsGone(brk);
  await axeCheck(brk, 'pipeline (zh)');
  await shot(browser, brk, shots, 'broker-pipeline');
  await brk.click('#pl-ended');
  await brk.waitForURL(/ended=1/);
  await brk.waitForSelector('.column[data-status="closed"]');
  check(await brk.locator(`.column[data-status="closed"] a.card[data-id="${closeId}"]`).count() === 1, 'the closed match is in the closed column');
  check(await brk.locator(`.column[data-status="rejected"] a.card[data-id="${victimId}"]`).count() === 1, 'the rejected one in the rejected column');
  check((await text(brk, '.column[data-status="rejected"] .count')).includes('3'), `the rejected column counts 3: ${await text(brk, '.column[data-status="rejected"] .count')}`);
  check((await brk.getAttribute('#pl-ended', 'aria-pressed')) === 'true' && (await text(brk, '#pl-ended')) === '隐藏已结束', 'the switch shows its state');
  await brk.reload();
  await brk.waitForSelector('.column[data-status="declined"]');
  ok('the pipeline shows the ended matches');
  await axeCheck(brk, 'pipeline with ended (zh)');
  await shot(browser, brk, shots, 'broker-pipeline-ended');
  await brk.fill('#pf_min', '99');
  await brk.click('#pipeline-filters button[type=submit]');
  await brk.waitForURL(/min=99/);
  check(brk.url().includes('ended=1'), 'the filter keeps "show ended"');
  await brk.waitForFunction(() => document.querySelectorAll('.board a.card').length === 0);
  ok('the pipeline shows the match in its column and filters by the URL');

  // ----- English, desktop and phone -----
  await brk.click('#lang');
  await brk.goto(`${base}/#/review`);
  await waitText(brk, 'main h1', 'Review queue');
  await waitText(brk, '#queue-count', `${await queueTotal(brk)} in all`);
  await axeCheck(brk, 'review queue (en)');
  await shot(browser, brk, shots, 'broker-review-en');
  await brk.goto(`${base}/#/matches/${talksId}`);
  await waitText(brk, '#outcome', '¥500,000');
  check((await text(brk, '#history')).includes('recorded the deal'), 'the history in English');
  await axeCheck(brk, 'match page (en)');
  await shot(browser, brk, shots, 'broker-match-en');
  await brk.goto(`${base}/#/pipeline`);
  await waitText(brk, 'main h1', 'Pipeline');
  await shot(browser, brk, shots, 'broker-pipeline-en');

  const phone = await newPage(browser, { viewport: PHONE, locale: 'en-US' });
  await phone.context().addCookies(await brk.context().cookies());
  for (const [hash, sel] of [['#/review?region=贵州', 'article.review'], [`#/matches/${talksId}`, '#history'], ['#/pipeline?ended=1', '.board-ended']]) {
    await phone.goto(`${base}/${hash}`);
    await phone.waitForSelector(sel);
    await fitsWidth(phone, hash);
    await axeCheck(phone, `${hash} on a phone`);
  }
  check((await text(phone, 'main h1')).includes('Pipeline'), 'the phone page is in English');
  check(await phone.locator('.board-index a').count() === 9, 'the phone lists the nine columns to jump to');
  await phone.click('.board-index a[href="#col-closed"]');
  await phone.waitForFunction(() => { const r = document.getElementById('col-closed').getBoundingClientRect(); return r.top >= 0 && r.top < 200; });
  check(phone.url().endsWith('#/pipeline?ended=1'), 'a jump link scrolls, and leaves the page where it is');
  await phone.screenshot({ path: `${shots}/broker-pipeline-phone-closed.png` });
  ok('the broker pages work in English on a phone');

  // ----- the review queue on a phone: compact entries, details on demand, actions at hand -----
  await phone.goto(`${base}/#/review`);
  await phone.waitForSelector('article.review');
  const card = phone.locator('article.review').first();
  check(!(await card.locator('.review-body').isVisible()), 'an entry\'s details are folded on a phone');
  check(await card.locator('button.approve').isVisible() && await card.locator('button.reject').isVisible()
    && await card.locator('select').isVisible(), 'its actions are at hand');
  const head = await text(phone, 'article.review .review-head');
  const orgs = await text(phone, 'article.review .review-orgs');
  check(head.includes('↔') && /Score \d+%/.test(head) && /\S ↔ \S/.test(orgs) && !orgs.includes('not shown'),
    `its head shows both titles, the score, the two organisations: ${head}`);
  check(await card.locator('.review-orgs').isVisible() && await card.locator('.review-toggle').isVisible(), 'and a Details button');
  const heights = await phone.$$eval('article.review', (cs) => cs.map((c) => c.getBoundingClientRect().height));
  check(Math.max(...heights) < 340, `each folded entry is short (${Math.round(Math.max(...heights))}px at most)`);
  await phone.screenshot({ path: `${shots}/broker-review-phone-compact.png` });
  await card.locator('.review-toggle').click();
  check(await card.locator('.review-body').isVisible() && (await card.locator('.review-toggle').getAttribute('aria-expanded')) === 'true',
    'Details opens the sides and the explanation');
  check((await card.locator('.review-body').textContent()).includes('Organisation'), 'the sides show who they are');
  await axeCheck(phone, 'review queue on a phone, one entry open');
  await phone.screenshot({ path: `${shots}/broker-review-phone-open.png` });
  await card.locator('.review-toggle').click();
  check(!(await card.locator('.review-body').isVisible()), 'and Less folds it again');
  ok('the review queue is compact on a phone');

  // ----- the admin's policy -----
  const adm = await newPage(browser);
  await login(adm, adminEmail);
  await adm.goto(`${base}/#/policy`);
  await adm.waitForSelector('#f_suggest_threshold');
  await adm.fill('#f_suggest_threshold', '0.5');
  await adm.fill('#f_auto_approve_score', '0.4');
  await adm.click('#policy-form button[type=submit]');
  await waitText(adm, '#f_auto_approve_score_err', '不能低于推荐阈值');
  check(await adm.locator('#policy-status .banner').count() === 1, 'one status line');
  await adm.fill('#f_auto_approve_score', 'abc');
  await adm.click('#policy-form button[type=submit]');
  await waitText(adm, '#f_auto_approve_score_err', '0 到 1');
  await adm.fill('#f_auto_approve_score', '0.8');
  await adm.click('#policy-form button[type=submit]');
  await adm.waitForSelector('#policy-status .banner.good');
  check(await adm.locator('#policy-status .banner').count() === 1 && await adm.locator('main .banner.bad').count() === 0,
    'the saved banner replaces the error');
  check((await text(adm, '#f_auto_approve_score_err')) === '', 'the error beside the field is gone');
  check((await text(adm, '#policy-changed')).includes('前') || (await text(adm, '#policy-changed')).includes('刚刚')
    || (await text(adm, '#policy-changed')).includes('现在'), 'who changed it, and when');
  ok('the policy form refuses auto-approve below suggest');
  await axeCheck(adm, 'policy (zh)');
  await shot(browser, adm, shots, 'broker-policy');
  await adm.click('#lang');
  await adm.goto(`${base}/#/policy`);
  await waitText(adm, 'main h1', 'Policy');
  await adm.fill('#f_auto_approve_score', '0.1');
  await adm.click('#policy-form button[type=submit]');
  await waitText(adm, '#f_auto_approve_score_err', 'cannot be below');
  await axeCheck(adm, 'policy (en)');
  await shot(browser, adm, shots, 'broker-policy-en');
  ok('the policy page in English');
  await browser.close();
} catch (e) {
  console.log(`FAILED: ${e.message}`);
  await browser.close();
  process.exit(1);
}
