// journey.mjs: every role's whole job in one walk through the real UI, as people click and type
// it (the script never calls the API: every request is the pages' own), against a techmatch
// server that tests/test_web_journey.c started empty, with a broker's and an admin's account.
//
//   node tests/browser/journey.mjs BASE SHOTS BROKER_EMAIL PASSWORD ADMIN_EMAIL LANG WIDTH
//
// LANG is zh or en (the browser's language: the UI follows it), WIDTH desktop or phone.
// 1. An enterprise registers and posts a demand with every member of the form; its page shows
//    each, money and dates formatted.  2. A university registers and lists two achievements
//    that match it (the first with every member).  3. Each sees the other on its home and its
//    listing's page.  4. The broker filters the review queue (region, field, score range), sees
//    both sides, approves.  5. The enterprise's badge counts the push live (1), its inbox shows
//    it (badge 0) and a second push arrives live on the open inbox; it answers "interested" to
//    both, and the items show their state with no second answer.  6. The broker introduces the
//    sides, takes the match, records a deal, adds a note and reads the history; closes the other
//    match with a reason.  7. The statistics count the walk (funnel 2 2 2 2 2 1 1) and the
//    pipeline shows the deal in its column.  axe-core on each screen; a screenshot of each step
//    as journey-LANG-STEP.png (-phone at phone width).  Prints "ok STEP" and, at the end,
//    "ok walk took N s"; exits 1 on the first failure.
import { launch, newPage, axeCheck, check, ok, DESKTOP, PHONE } from './lib.mjs';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';

const [base, shots, brokerEmail, password, adminEmail, lang, width] = process.argv.slice(2);
const zh = lang === 'zh';
const phone = width === 'phone';
const viewport = phone ? PHONE : DESKTOP;
const locale = zh ? 'zh-CN' : 'en-US';
const tag = `${lang}-${width}`;
const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
const T = 20000; // every wait: the machine is slow and shared
const started = Date.now();
mkdirSync(shots, { recursive: true });
const browser = await launch();

// The run's words: w(zh, en).
const w = (a, b) => (zh ? a : b);

// ---------- what the walk writes ----------

const ENT_ORG = w('凉都矿业集团', 'Liangdu Mining Group');
const UNI_ORG = w('中国矿业大学', 'China University of Mining and Technology');
const DEMAND = {
  title: w('综采工作面液压支架电液控制系统国产化', 'Electro-hydraulic control system for longwall hydraulic supports'),
  description: w('替代进口液压支架电液控制系统，要求支架动作响应小于1秒，适配井下防爆环境，支持远程集中控制。',
    'Replace the imported electro-hydraulic control system of our longwall hydraulic supports: support response under 1 s, '
    + 'explosion-proof controller for underground use, remote central control.'),
  keywords: w('液压支架, 电液控制，防爆', 'hydraulic support, electro-hydraulic control, explosion-proof'),
  region: '贵州省六盘水市', contact: w('李工 138xxxx0000', 'Mr Li, +86 138 0000 0000'), ref: 'LD-2031-01',
};
const A1 = {
  title: w('液压支架电液控制系统及其智能控制方法', 'Electro-hydraulic control system for hydraulic supports'),
  abstract: w('综采工作面液压支架电液控制系统，支架动作响应小于0.5秒，防爆控制器，已在井下验证，可国产化替代进口。',
    'Electro-hydraulic control system for longwall hydraulic supports: support response under 0.5 s, explosion-proof '
    + 'controller proven underground, replaces imported systems.'),
  keywords: w('液压支架, 电液控制, 防爆', 'hydraulic support, electro-hydraulic control, explosion-proof'),
  region: '江苏省徐州市', patent: 'ZL202010123456.7', contact: w('王教授 tto@cumt.example.edu', 'Prof. Wang, tto@cumt.example.edu'),
  ref: 'CUMT-7',
};
const A2 = {
  title: w('液压支架电液控制阀组', 'Electro-hydraulic valve block for hydraulic supports'),
  abstract: w('液压支架电液控制系统的国产阀组，防爆设计，井下综采工作面验证。',
    'A domestic valve block for the electro-hydraulic control of hydraulic supports, explosion-proof, tested on a longwall face.'),
  keywords: w('液压支架, 电液控制', 'hydraulic support, electro-hydraulic control'),
  region: '北京市海淀区',
};
// Money as typed, and as the pages must show it.
const BUDGET_MIN = '50万', BUDGET_MAX = '1,500,000', PRICE = w('120万', '1,200,000'), DEAL = w('80万', '800,000');
const BUDGET_SHOWN = w('50万元 – 150万元', '¥500,000 – ¥1,500,000');
const PRICE_SHOWN = w('120万元', '¥1,200,000'), DEAL_SHOWN = w('80万元', '¥800,000');
const DEADLINE = '2031-06-30', DEADLINE_SHOWN = w('2031年6月30日', '30 Jun 2031');
const NOTE = w('双方约定下周三现场考察', 'Site visit agreed for next Wednesday');

// ---------- helpers ----------

// The text of the first element sel on p, whitespace folded ('' when absent).
async function text(p, sel) {
  return ((await p.locator(sel).first().textContent({ timeout: T }).catch(() => '')) || '').replace(/\s+/g, ' ').trim();
}

// Waits until sel's text includes what (a string, or a RegExp); the failure says what it shows instead.
async function waitText(p, sel, what) {
  const src = what instanceof RegExp ? { re: what.source, flags: what.flags } : { s: what };
  try {
    await p.waitForFunction(([s, m]) => {
      const t = (document.querySelector(s)?.textContent || '').replace(/\s+/g, ' ');
      return m.re ? new RegExp(m.re, m.flags).test(t) : t.includes(m.s);
    }, [sel, src], { timeout: T });
  } catch (e) {
    throw new Error(`${sel} never said "${what}"; it says "${(await text(p, sel)).slice(0, 300)}"`);
  }
}

// Saves p's screen as journey-LANG-STEP.png (journey-LANG-STEP-phone.png at phone width).
async function snap(p, step) {
  await p.evaluate(() => window.scrollTo(0, 0)); // a full-page shot of a scrolled page draws the sticky header mid-page
  await p.screenshot({ path: join(shots, `journey-${lang}-${step}${phone ? '-phone' : ''}.png`), fullPage: true });
}

// Follows the navigation's link to hash as a user does: on a phone, through the menu.
async function nav(p, hash) {
  const link = p.locator(`#nav a[href="${hash}"]`);
  if (!(await link.isVisible())) {
    await p.click('#menu-toggle');
    await link.waitFor({ state: 'visible', timeout: T });
  }
  await link.click();
  await p.waitForFunction((h) => location.hash.split('?')[0] === h, hash, { timeout: T });
}

// The inbox's unread count as the page shows it: the inbox link's badge, on a phone the menu button's; 0 with none.
async function badge(p) {
  return p.evaluate((ph) => {
    const b = document.querySelector(ph ? '#menu-toggle .badge' : '#nav a[href="#/inbox"] .badge');
    return b && b.offsetParent !== null ? Number(b.textContent) : 0;
  }, phone);
}

// Waits until the badge shows want.
async function badgeBecomes(p, want, what) {
  try {
    await p.waitForFunction(([n, ph]) => {
      const b = document.querySelector(ph ? '#menu-toggle .badge' : '#nav a[href="#/inbox"] .badge');
      return (b && b.offsetParent !== null ? Number(b.textContent) : 0) === n;
    }, [want, phone], { timeout: T });
  } catch (e) {
    check(false, `${what}: the badge shows ${await badge(p)}, expected ${want}`);
  }
  ok(`${what}: badge ${want}`);
}

// The page is no wider than its screen (nothing scrolls sideways).
async function fits(p, label) {
  const wide = await p.evaluate(() => document.documentElement.scrollWidth);
  check(wide <= viewport.width + 1, `${label} fits the screen (${wide} px wide)`);
}

// The page's own words (navigation, headings, labels, buttons, table heads) are all in the run's language.
async function oneLanguage(p, label) {
  const words = await p.evaluate(() => [...document.querySelectorAll('#nav a, main h1, main h2, main label, main legend,'
    + ' main button, main th, main summary, main .pill, main .stat-label')].map((e) => e.textContent.trim()).filter(Boolean));
  const stray = words.filter((x) => (zh ? /\b(the|and|of|to|for|your|in)\b/i.test(x) : /[\u4e00-\u9fff]/.test(x)));
  check(stray.length === 0, `${label}: words not in ${lang}: ${stray.slice(0, 5).join(' | ')}`);
}

// axe, the width, the language, and a screenshot: what each screen of the walk gets.
async function screen(p, step, label) {
  await oneLanguage(p, label);
  await axeCheck(p, `${label} (${tag})`);
  await fits(p, label);
  await snap(p, step);
}

// The id at the end of p's location hash (#/demands/12 → 12).
function hashId(p) { return new URL(p.url()).hash.split('/').pop().split('?')[0]; }

// Registers an organisation through #/register (the header's link; on a phone, the menu's), and waits for the
// page the app lands on.
async function register(p, org, kind, email) {
  await p.goto(`${base}/`);
  await p.waitForSelector('#results', { timeout: T });
  const link = p.locator('#who a[href="#/register"]');
  if (await link.isVisible()) await link.click(); else await nav(p, '#/register');
  await p.waitForSelector('#f_org_name', { timeout: T });
  check((await text(p, 'main h1')) === w('注册', 'Register'), `the register page is headed in the run's language: ${await text(p, 'main h1')}`);
  await p.fill('#f_org_name', org);
  await p.selectOption('#f_org_kind', kind);
  await p.fill('#f_display_name', w(`${org} 联系人`, `${org} contact`));
  await p.fill('#f_email', email);
  await p.fill('#f_password', password);
  await screen(p, `0-register-${kind}`, `the register form (${kind})`);
  await p.click('main form button[type=submit]');
  await landed(p);
}

// Waits for the signed-in landing page (the home page #/ or the listings #/mine); then goes on to #/mine
// through the page's own link when the landing is the home page.
async function landed(p) {
  await p.waitForSelector('#create #f_title, .stat-grid, #queue, article.review, main .empty', { timeout: T });
  await p.waitForSelector('#who .who-name', { state: 'attached', timeout: T });
}

// Goes from wherever the user is to the form on #/mine: the home page's button, else the navigation.
async function toForm(p) {
  if (await p.locator('#create #f_title').count() === 0) {
    const post = p.locator('main .page-head a.button[href="#/mine"]');
    if (await post.count()) await post.first().click(); else await nav(p, '#/mine');
  }
  await p.waitForSelector('#create #f_title', { timeout: T });
}

// Picks a field in the form's picker by typing words of its name, and checks its chip shows.
async function pickField(p, words, code) {
  await p.fill('#create #f_fields', words);
  const opt = p.locator(`[role=listbox] [role=option][data-code="${code}"]`);
  await opt.waitFor({ timeout: T });
  await opt.click();
  await p.waitForFunction((c) => [...document.querySelectorAll('#create .fp-chips .chip')].some((x) => x.textContent.includes(c)),
    code, { timeout: T });
}

// The text of #id on a listing's page.
const dd = (p, id) => text(p, `#${id}`);

// Signs in through the header's login link.
async function login(p, email) {
  await p.goto(`${base}/`);
  await p.waitForSelector('#results', { timeout: T });
  await p.click('#who a[href="#/login"]');
  await p.waitForSelector('#f_email', { timeout: T });
  await p.fill('#f_email', email);
  await p.fill('#f_password', password);
  await p.click('main form button[type=submit]');
  await landed(p);
}

// Unfolds the review queue's filters (folded on a phone).
async function openFilters(p) {
  await p.waitForSelector('details.filters', { timeout: T });
  if (!(await p.locator('#rf_region').isVisible())) await p.click('details.filters summary');
  await p.locator('#rf_region').waitFor({ state: 'visible', timeout: T });
}

// Opens the match whose card on the pipeline says title, from the column status; returns its id.
async function openFromPipeline(p, status, title) {
  const card = p.locator(`.column[data-status="${status}"] a.card`, { hasText: title }).first();
  await card.waitFor({ timeout: T });
  const id = await card.getAttribute('data-id');
  await card.click();
  await p.waitForSelector('#moves', { timeout: T });
  return id;
}

try {
  // ================= 1. the enterprise registers and posts a demand with every member =================
  const ent = await newPage(browser, { viewport, locale, reducedMotion: 'reduce' });
  await register(ent, ENT_ORG, 'enterprise', `ent-${tag}-${run}@example.com`);
  check((await text(ent, '#who')).includes(w('企业', 'Enterprise')), `the header names the role: ${await text(ent, '#who')}`);
  await toForm(ent);
  await ent.fill('#f_title', DEMAND.title);
  await ent.fill('#f_description', DEMAND.description);
  await ent.fill('#f_keywords', DEMAND.keywords);
  await pickField(ent, w('煤炭', 'coal'), 'B06');
  await pickField(ent, w('专用设备', 'special purpose'), 'C35');
  await ent.fill('#f_region', DEMAND.region);
  await ent.fill('#f_budget_min', BUDGET_MIN);
  await ent.fill('#f_budget_max', BUDGET_MAX);
  await waitText(ent, '#f_budget_min_help', w('50万元', '¥500,000'));
  await waitText(ent, '#f_budget_max_help', w('150万元', '¥1,500,000'));
  await ent.fill('#f_deadline', DEADLINE);
  await ent.check('#f_cooperation_modes input[value=transfer]');
  await ent.check('#f_cooperation_modes input[value=license]');
  await ent.fill('#f_contact', DEMAND.contact);
  await ent.fill('#f_ref', DEMAND.ref);
  await screen(ent, '1-demand-form', 'the demand form, filled');
  await ent.click('#create button[type=submit]');
  await ent.waitForURL(/#\/demands\/\d+$/, { timeout: T });
  await ent.waitForSelector('#detail', { timeout: T });
  const demandId = hashId(ent);
  check((await text(ent, 'main h1')) === DEMAND.title, 'the demand page is headed by its title');
  check((await text(ent, '#listing-status')) === w('进行中', 'Open'), 'the demand is open');
  check((await dd(ent, 'd-budget')) === BUDGET_SHOWN, `budget: ${await dd(ent, 'd-budget')}`);
  check((await dd(ent, 'd-deadline')) === DEADLINE_SHOWN, `deadline: ${await dd(ent, 'd-deadline')}`);
  const modes = await dd(ent, 'd-modes');
  check(modes.includes(w('转让', 'Transfer')) && modes.includes(w('许可', 'Licence')), `modes: ${modes}`);
  const kw = await dd(ent, 'd-keywords');
  check(kw.includes(w('液压支架', 'hydraulic support')) && kw.includes(w('防爆', 'explosion-proof')), `keywords: ${kw}`);
  const fieldsShown = await dd(ent, 'd-fields');
  check(fieldsShown.includes(w('B06 煤炭开采和洗选业', 'B06 Mining and Washing of Coal')) && fieldsShown.includes('C35'),
    `fields named in the run's language: ${fieldsShown}`);
  check((await dd(ent, 'd-region')) === DEMAND.region, 'region');
  check((await dd(ent, 'd-contact')) === DEMAND.contact, 'contact, shown to its owner');
  check((await dd(ent, 'd-ref')) === DEMAND.ref, 'reference, shown to its owner');
  check((await dd(ent, 'd-org')) === ENT_ORG, 'organisation');
  const posted = await dd(ent, 'd-created');
  check((zh ? /^\d{4}年\d{1,2}月\d{1,2}日/ : /^\d{1,2} [A-Z][a-z]{2} \d{4}/).test(posted) && !posted.includes('T'),
    `the posting time is formatted for the language: ${posted}`);
  check((await text(ent, '#d-description, main .detail .text')).includes(DEMAND.description.slice(0, 12)), 'the description');
  await ent.waitForSelector('#matches .empty, #matches .match-card', { timeout: T });
  check(await ent.locator('#matches .match-card').count() === 0, 'no match before any achievement');
  check((await text(ent, '#matches .empty')).includes(w('补充关键词', 'Keywords and fields help')), 'the empty matches say what helps');
  await screen(ent, '1-demand', 'the new demand\'s page');
  ok('the enterprise registers and posts a demand with every member');

  // ================= 2. the university registers and lists two achievements =================
  const uni = await newPage(browser, { viewport, locale, reducedMotion: 'reduce' });
  await register(uni, UNI_ORG, 'university', `uni-${tag}-${run}@example.edu.cn`);
  await toForm(uni);
  check((await text(uni, '#create')).includes(w('转让价格', 'Asking price')), 'the university\'s form is for an achievement');
  await uni.fill('#f_title', A1.title);
  await uni.fill('#f_abstract', A1.abstract);
  await uni.fill('#f_keywords', A1.keywords);
  await pickField(uni, w('煤炭', 'coal'), 'B06');
  await uni.fill('#f_price', PRICE);
  await waitText(uni, '#f_price_help', PRICE_SHOWN);
  await uni.selectOption('#f_trl', '7');
  await uni.selectOption('#f_ip_type', 'invention_patent');
  await uni.fill('#f_patent_no', A1.patent);
  await uni.fill('#f_region', A1.region);
  await uni.check('#f_transfer_modes input[value=license]');
  await uni.check('#f_transfer_modes input[value=transfer]');
  await uni.fill('#f_contact', A1.contact);
  await uni.fill('#f_ref', A1.ref);
  await screen(uni, '2-achievement-form', 'the achievement form, filled');
  await uni.click('#create button[type=submit]');
  await uni.waitForURL(/#\/achievements\/\d+$/, { timeout: T });
  await uni.waitForSelector('#detail', { timeout: T });
  const a1Id = hashId(uni);
  check((await dd(uni, 'd-price')) === PRICE_SHOWN, `price: ${await dd(uni, 'd-price')}`);
  check((await dd(uni, 'd-trl')) === w('7 实际环境演示', '7 demonstrated in operation'), `TRL: ${await dd(uni, 'd-trl')}`);
  check((await dd(uni, 'd-ip')) === w('发明专利', 'Invention patent'), 'IP type');
  check((await dd(uni, 'd-patent')) === A1.patent, 'patent number');
  const tmodes = await dd(uni, 'd-modes');
  check(tmodes.includes(w('许可', 'Licence')) && tmodes.includes(w('转让', 'Transfer')), `transfer modes: ${tmodes}`);
  check((await dd(uni, 'd-region')) === A1.region, 'region');
  check((await dd(uni, 'd-fields')).includes('B06'), 'field');
  check((await dd(uni, 'd-keywords')).includes(w('电液控制', 'electro-hydraulic control')), 'keywords');
  check((await dd(uni, 'd-org')) === UNI_ORG, 'organisation');
  // Its page lists the demand it matches, linked, with the score.
  await uni.waitForSelector('#matches .match-card, #matches .empty', { timeout: T });
  const toDemand = uni.locator(`#matches .match-card h3 a[href="#/demands/${demandId}"]`);
  check(await toDemand.count() === 1, `the achievement's page lists the matching demand: ${await text(uni, '#matches')}`);
  const demandCard = await text(uni, '#matches .match-card');
  check(demandCard.includes(DEMAND.region) && !demandCard.includes(ENT_ORG),
    `the match shows the demand's region, not the enterprise's name before an introduction: ${demandCard}`);
  await screen(uni, '2-achievement', 'the new achievement\'s page');
  ok('the university lists an achievement with every member and sees the demand it matches');

  await nav(uni, '#/mine');
  await uni.waitForSelector('#create #f_title', { timeout: T });
  await uni.fill('#f_title', A2.title);
  await uni.fill('#f_abstract', A2.abstract);
  await uni.fill('#f_keywords', A2.keywords);
  await pickField(uni, w('煤炭', 'coal'), 'B06');
  await uni.fill('#f_region', A2.region);
  await uni.selectOption('#f_trl', '6');
  await uni.click('#create button[type=submit]');
  await uni.waitForURL(/#\/achievements\/\d+$/, { timeout: T });
  await uni.waitForSelector('#detail', { timeout: T });
  const a2Id = hashId(uni);
  check(a2Id !== a1Id, 'a second achievement');
  ok('the university lists a second achievement');

  // ================= 3. each side sees the other =================
  await nav(ent, '#/');
  await ent.waitForSelector(`#home-demands article[data-id="${demandId}"]`, { timeout: T });
  check((await text(ent, '#home-open .stat-value')) === '1', 'one open demand');
  check((await text(ent, '#home-candidates .stat-value')) === '2', `two candidates: ${await text(ent, '#home-candidates')}`);
  check((await text(ent, '#home-unread .stat-value')) === '0', 'nothing pushed yet');
  check((await text(ent, `#home-demands article[data-id="${demandId}"]`)).includes(w('2 项候选成果', 'Candidates: 2')),
    'the demand counts its candidates');
  await screen(ent, '3-enterprise-home', 'the enterprise\'s home');
  await ent.click(`#home-demands article[data-id="${demandId}"] h3 a`);
  await ent.waitForSelector('#matches .match-card', { timeout: T });
  check(await ent.locator('#matches .match-card').count() === 2, 'the demand page lists both achievements');
  for (const id of [a1Id, a2Id]) {
    check(await ent.locator(`#matches .match-card h3 a[href="#/achievements/${id}"]`).count() === 1, `achievement ${id} is linked`);
  }
  check((await text(ent, '#matches-h')) === w('匹配结果（2）', 'Matches (2)'), `the heading counts: ${await text(ent, '#matches-h')}`);
  const a1Card = await text(ent, `#matches .match-card:has(a[href="#/achievements/${a1Id}"])`);
  check(a1Card.includes(UNI_ORG) && a1Card.includes(A1.region) && a1Card.includes('TRL 7') && a1Card.includes(PRICE_SHOWN),
    `the candidate shows who, where, how ready and its price: ${a1Card}`);
  check(await ent.locator('#matches mark').count() > 0, 'shared terms are marked');
  check((await text(ent, '#matches .terms strong')) === w('共同术语：', 'Shared terms:'), 'the label\'s colon is the language\'s');
  await screen(ent, '3-demand-matches', 'the demand with its candidates');
  ok('the enterprise sees its candidates on its home and its demand');

  await nav(uni, '#/');
  await uni.waitForSelector(`#home-achievements article[data-id="${a1Id}"]`, { timeout: T });
  check((await text(uni, '#home-open .stat-value')) === '2', 'two listed achievements');
  check((await text(uni, '#home-matching .stat-value')) === '1', 'one matching demand');
  check(await uni.locator(`#home-achievements article[data-id="${a1Id}"] a[href="#/demands/${demandId}"]`).count() === 1,
    'the matching demand is linked under the achievement');
  await screen(uni, '3-university-home', 'the university\'s home');
  ok('the university sees the matching demand on its home');

  // ================= 4. the broker reviews with filters and approves =================
  const brk = await newPage(browser, { viewport, locale, reducedMotion: 'reduce' });
  await login(brk, brokerEmail);
  await nav(brk, '#/review');
  await brk.waitForSelector('article.review', { timeout: T });
  await waitText(brk, '#queue-count', w('共 2 条', '2 in all'));
  await openFilters(brk);
  await brk.fill('#rf_region', '江苏');
  await brk.selectOption('#rf_field', 'B06');
  await brk.fill('#rf_min', '10');
  await brk.fill('#rf_max', '100');
  await brk.click('#rf_apply');
  await brk.waitForFunction(() => location.hash.includes('region='), null, { timeout: T });
  const hash = decodeURIComponent(new URL(brk.url()).hash);
  check(hash.includes('region=江苏') && hash.includes('field=B06') && hash.includes('min=10') && hash.includes('max=100'),
    `the filters are in the URL: ${hash}`);
  await waitText(brk, '#queue-count', w('共 1 条', '1 in all'));
  check(await brk.locator('article.review').count() === 1, 'one suggestion fits the filters');
  const card = brk.locator('article.review').first();
  const m1 = await card.getAttribute('data-id');
  const sides = (await card.locator('.sides').textContent()).replace(/\s+/g, ' ');
  for (const want of [ENT_ORG, DEMAND.region, BUDGET_SHOWN, UNI_ORG, A1.region, 'TRL 7', PRICE_SHOWN, DEADLINE_SHOWN]) {
    check(sides.includes(want), `the suggestion shows ${want}: ${sides}`);
  }
  check(await card.locator(`a[href="#/achievements/${a1Id}"]`).count() === 1, 'the achievement side links to its page');
  check((await text(brk, 'details.filters summary')).includes(w('已启用 4 项', '4 on')), 'the filter box counts the filters on');
  await screen(brk, '4-review-filtered', 'the review queue, filtered');
  // Too high a score range: nothing fits, and the page says how to clear the filters.
  await openFilters(brk);
  await brk.fill('#rf_min', '99');
  await brk.click('#rf_apply');
  await waitText(brk, '#queue-count', w('共 0 条', '0 in all'));
  await waitText(brk, '#queue .empty', w('没有符合筛选条件的匹配', 'No match fits these filters'));
  await brk.goBack();
  await waitText(brk, '#queue-count', w('共 1 条', '1 in all'));
  await openFilters(brk);
  check((await brk.inputValue('#rf_min')) === '10', 'back restores the filters');
  ok('the broker filters the review queue by region, field and score range');

  // The enterprise waits on its home; the push must reach it without a reload.
  await nav(ent, '#/');
  await ent.waitForSelector('#home-unread', { timeout: T });
  await badgeBecomes(ent, 0, 'before the approval');
  await brk.locator(`article.review[data-id="${m1}"] button.approve`).click();
  await waitText(brk, '#toasts', w('已通过并推送', 'Approved and pushed')); // first: a toast leaves after 4 s
  await brk.waitForSelector(`article.review[data-id="${m1}"]`, { state: 'detached', timeout: T });
  await waitText(brk, '#queue-count', w('共 0 条', '0 in all'));
  ok('the broker approves the suggestion');

  // ================= 5. the enterprise: live badge, inbox, live item, interested =================
  await badgeBecomes(ent, 1, 'the approval reached the enterprise live');
  await waitText(ent, '#home-unread .stat-value', '1');
  await waitText(ent, `#home-demands article[data-id="${demandId}"]`, w('1 条新推送', '1 new'));
  check(await ent.locator(`#home-demands a[href^="#/matches/"]`).count() === 1, 'the home page links the new match');
  ok('the home page shows the new push without a reload');
  await snap(ent, '5-badge');
  await nav(ent, '#/inbox');
  await ent.waitForSelector('#notifications article.notification', { timeout: T });
  const items = ent.locator('#notifications article.notification');
  check(await items.count() === 1, 'one pushed match in the inbox');
  const first = await text(ent, '#notifications article.notification');
  check(first.includes(A1.title) && first.includes(DEMAND.title), `the item names the achievement and the demand: ${first}`);
  check((await text(ent, '#notifications article.notification .pill')) === w('已推送', 'Pushed'), 'its state: pushed');
  const facts = await text(ent, '#notifications article.notification .inbox-facts');
  check([UNI_ORG, A1.region, 'TRL 7', PRICE_SHOWN].every((x) => facts.includes(x)), `the item says who offers what: ${facts}`);
  check(await items.first().locator('.inbox-new').count() === 1, 'it is marked new');
  const rel = await text(ent, '#notifications article.notification time');
  check(zh ? /前|现在|刚刚/.test(rel) : /ago|now/.test(rel), `how long ago: ${rel}`);
  await badgeBecomes(ent, 0, 'the inbox was read');

  // The broker approves the other suggestion (selected, then the bulk button) while the inbox is open.
  await brk.click('#queue .empty a[href="#/review"]');
  await waitText(brk, '#queue-count', w('共 1 条', '1 in all'));
  const m2 = await brk.locator('article.review').first().getAttribute('data-id');
  check(m2 !== m1, 'the other suggestion waits');
  check(await brk.locator('#bulk-approve').isDisabled(), 'the bulk button waits for a selection');
  await brk.locator(`article.review[data-id="${m2}"] input.pick`).check();
  await waitText(brk, '#bulk-hint', w('已选 1 条', '1 selected'));
  await brk.click('#bulk-approve');
  await waitText(brk, '#toasts', w('已通过并推送 1 条', '1 approved and pushed'));
  await waitText(brk, '#queue-count', w('共 0 条', '0 in all'));
  await waitText(brk, '#queue .empty', w('队列', 'queue'));
  await screen(brk, '4-review-empty', 'the review queue, done');

  await ent.waitForFunction(() => document.querySelectorAll('#notifications article.notification').length === 2, null, { timeout: T });
  check((await text(ent, '#notifications article.notification')).includes(A2.title), 'the new push is on top');
  check(await items.first().locator('.inbox-new').count() === 1, 'marked new');
  await badgeBecomes(ent, 0, 'a push on the open inbox is read at once');
  ok('the second push arrived live on the open inbox');

  for (const m of [m1, m2]) {
    const item = ent.locator('#notifications article.notification', { has: ent.locator(`h3 a[href="#/matches/${m}"]`) });
    await item.locator('button.inbox-interested').click();
    await ent.waitForFunction((id) => {
      const c = [...document.querySelectorAll('#notifications article.notification')]
        .find((x) => x.querySelector(`h3 a[href="#/matches/${id}"]`));
      return c && !c.querySelector('button.inbox-interested') && c.querySelector('.pill')?.textContent;
    }, m, { timeout: T });
    check((await item.locator('.pill').textContent()) === w('有意向', 'Interested'), 'the item shows its new state');
    check((await item.textContent()).includes(w('经纪人将为双方引荐', 'a broker will introduce you')), 'and what comes next');
    check(await item.locator('a.button', { hasText: w('不感兴趣', 'Not interested') }).count() === 0, 'no answer is offered any more');
  }
  const inboxText = await text(ent, 'main');
  check(!/null|undefined|NaN|\d{4}-\d\d-\d\dT/.test(inboxText), `nothing raw in the inbox: ${inboxText.slice(0, 200)}`);
  await screen(ent, '5-inbox', 'the inbox, answered');
  ok('the enterprise answers "interested" and the items show their state');

  // ================= 6. the broker introduces, records the deal, notes, closes =================
  await nav(brk, '#/pipeline');
  await brk.waitForSelector('.board .column', { timeout: T });
  await waitText(brk, '.column[data-status="interested"] .count', '2');
  const opened = await openFromPipeline(brk, 'interested', A1.title);
  check(opened === m1, 'the pipeline card leads to the match');
  await waitText(brk, 'main .pill', w('有意向', 'Interested'));
  check(await brk.locator('#mv-deal').count() === 0, 'no deal before the introduction');
  await brk.click('#mv-in_talks');
  await waitText(brk, 'main .pill', w('洽谈中', 'In talks'));
  const talks = await text(brk, 'main .sides');
  check(talks.includes(DEMAND.contact) && talks.includes(A1.contact), `the contacts are shown once introduced: ${talks}`);
  await snap(brk, '6-match-talks');
  await brk.click('#assign');
  await waitText(brk, '#assignee', w('（我）', '(you)'));
  await brk.fill('#deal_amount', DEAL);
  await brk.selectOption('#deal_mode', 'license');
  await brk.click('#mv-deal');
  await waitText(brk, 'main .pill', w('已成交', 'Deal'));
  await waitText(brk, '#outcome', DEAL_SHOWN);
  check((await text(brk, '#outcome')).includes(w('许可', 'Licence')), 'the outcome names the mode');
  await brk.fill('#note_text', NOTE);
  await brk.click('#note-form button[type=submit]');
  await waitText(brk, '#notes', NOTE);
  const noteWhen = await text(brk, '#notes time');
  check(zh ? /前|现在|刚刚/.test(noteWhen) : /ago|now/.test(noteWhen), `the note says how long ago: ${noteWhen}`);
  const history = await text(brk, '#history');
  for (const want of w(['通过', '表示有意向', '引荐洽谈', '状态：有意向 → 洽谈中', '分配', '记录成交', DEAL_SHOWN, '添加备注'],
    ['approved', 'interested', 'introduced', 'status: Interested → In talks', 'assigned', 'recorded the deal', DEAL_SHOWN, 'added a note'])) {
    check(history.includes(want), `the history shows "${want}": ${history.slice(0, 400)}`);
  }
  check(!/null|undefined|NaN/.test(await text(brk, 'main')), 'nothing on the match page reads null');
  check((await text(brk, '#moves')).includes(w('没有可执行', 'Nothing to do')), 'a deal is the end of the road');
  await screen(brk, '6-match-deal', 'the match, a deal');
  ok('the broker introduces, records the deal of the typed amount, and adds a note');

  await nav(brk, '#/pipeline');
  const other = await openFromPipeline(brk, 'interested', A2.title);
  check(other === m2, 'the other match');
  await brk.click('#mv-close');
  await waitText(brk, '.move-close .error', w('请选择原因', 'Choose a reason'));
  await brk.locator('.move-close select').selectOption('benefit_unclear');
  await brk.click('#mv-close');
  await waitText(brk, 'main .pill', w('已关闭', 'Closed'));
  await waitText(brk, '#outcome', w('效益不明', 'Benefit unclear'));
  await waitText(brk, '#history', w('已关闭', 'Closed'));
  await screen(brk, '6-match-closed', 'the match, closed');
  ok('the broker closes the other match with a reason');

  // ================= 7. the statistics and the pipeline =================
  await nav(brk, '#/stats');
  await brk.waitForSelector('.chart .chart-row', { timeout: T });
  check((await text(brk, '#stats-deals .stat-value')) === '1', 'one deal');
  check((await text(brk, '#stats-amount .stat-value')) === DEAL_SHOWN, `worth ${DEAL_SHOWN}: ${await text(brk, '#stats-amount')}`);
  const funnel = await brk.locator('.chart').first().locator('.chart-row').evaluateAll((rows) => rows.map((r) =>
    [r.querySelector('.chart-label').textContent, r.querySelector('.chart-bar span').textContent]));
  const want = w([['待审核', '2'], ['已通过', '2'], ['已推送', '2'], ['已查看', '2'], ['有意向', '2'], ['洽谈中', '1'], ['已成交', '1']],
    [['Suggested', '2'], ['Approved', '2'], ['Pushed', '2'], ['Viewed', '2'], ['Interested', '2'], ['In talks', '1'], ['Deal', '1']]);
  check(JSON.stringify(funnel) === JSON.stringify(want), `the funnel counts the walk: ${JSON.stringify(funnel)}`);
  const reasons = await brk.locator('.chart').nth(1).locator('.chart-row').evaluateAll((rows) => rows.map((r) =>
    [r.querySelector('.chart-label').textContent, r.querySelector('.chart-bar span').textContent]));
  check(JSON.stringify(reasons) === JSON.stringify([[w('已关闭 · 效益不明', 'Closed · Benefit unclear'), '1']]),
    `the close and its reason are counted: ${JSON.stringify(reasons)}`);
  await screen(brk, '7-stats', 'the statistics');
  ok('the statistics count the deal and the funnel of the walk');

  await nav(brk, '#/pipeline');
  await brk.waitForSelector(`.column[data-status="deal"] a.card[data-id="${m1}"]`, { timeout: T });
  check((await text(brk, '.column[data-status="deal"] .count')).startsWith('1'), 'the deal column counts one');
  check(await brk.locator(`.board a.card[data-id="${m1}"]`).count() === 1, 'the deal is in no other column');
  check(await brk.locator(`.board a.card[data-id="${m2}"]`).count() === 0, 'the closed match left the board');
  check((await text(brk, '.column[data-status="interested"] .count')).startsWith('0'), 'nothing is left interested');
  await screen(brk, '7-pipeline', 'the pipeline');
  ok('the pipeline shows the deal in its column');

  // The enterprise's inbox follows: the item of the deal says so.
  await ent.reload();
  await ent.waitForSelector('#notifications article.notification .pill', { timeout: T });
  const dealItem = ent.locator('#notifications article.notification', { has: ent.locator(`h3 a[href="#/matches/${m1}"]`) });
  check((await dealItem.locator('.pill').textContent()) === w('已成交', 'Deal'), 'the enterprise sees the deal in its inbox');
  await badgeBecomes(ent, 0, 'after the walk');
  await dealItem.locator('a', { hasText: w('查看匹配', 'Open the match') }).click();
  await ent.waitForSelector('#moves', { timeout: T });
  await waitText(ent, 'main .pill', w('已成交', 'Deal'));
  const seen = await text(ent, 'main');
  check(seen.includes(A1.contact) && seen.includes(UNI_ORG), `the enterprise sees the university and its contact: ${seen.slice(0, 300)}`);
  check((await text(ent, '#moves')).includes(w('没有可执行', 'Nothing to do')), 'and has nothing left to do');
  check(await ent.locator('#history, #note-form').count() === 0, 'the broker\'s notes and history are not shown to it');
  await screen(ent, '7-enterprise-match', 'the enterprise\'s match page');
  ok('the enterprise opens the match and sees the deal and the other side');

  // The admin's home page counts the same funnel.
  const adm = await newPage(browser, { viewport, locale, reducedMotion: 'reduce' });
  await login(adm, adminEmail);
  if (await adm.locator('#home-funnel').count() === 0) await nav(adm, '#/');
  await adm.waitForSelector('#home-funnel', { timeout: T });
  const stages = await adm.locator('#home-funnel .funnel-row').evaluateAll((rows) => rows.map((r) => r.querySelector('.num').textContent));
  check(JSON.stringify(stages) === JSON.stringify(['2', '2', '2', '2', '2', '1', '1']), `the admin's funnel: ${stages}`);
  check((await text(adm, '#home-deals .stat-value')) === '1' && (await text(adm, '#home-deals')).includes(DEAL_SHOWN),
    `the admin's home counts the deal and its value: ${await text(adm, '#home-deals')}`);
  await screen(adm, '7-admin-home', 'the admin\'s home');
  ok('the admin\'s home shows the funnel of the walk');
  ok(`walk took ${Math.round((Date.now() - started) / 1000)} s (${tag})`);
  await browser.close();
} catch (e) {
  console.log(`FAILED (${tag}): ${e.stack || e.message}`);
  let n = 0;
  for (const ctx of browser.contexts()) {
    for (const p of ctx.pages()) {
      n += 1;
      console.log(`page ${n} ${p.url()}: ${((await p.textContent('main').catch(() => '')) || '').replace(/\s+/g, ' ').slice(0, 400)}`);
      await p.screenshot({ path: join(shots, `journey-failure-${tag}-${n}.png`), fullPage: true }).catch(() => {});
    }
  }
  await browser.close();
  process.exit(1);
}
