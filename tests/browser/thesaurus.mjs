// thesaurus.mjs: the thesaurus page (#/thesaurus) as a broker walks it, in Debian's chromium driven by
// playwright-core, against a running techmatch server that holds a demand on 激光熔覆 and an achievement on
// laser cladding (made by tests/test_web_thesaurus.c).
//
//   node tests/browser/thesaurus.mjs BASE_URL SHOTS_DIR BROKER_EMAIL PASSWORD ADMIN_EMAIL
//
// In Chinese at desktop width, then in English at phone width: the empty list explains what the
// thesaurus does with its example; an empty term is named under its field; the broker adds
// 激光熔覆 ≈ laser cladding (the toast counts the two listings re-matched) and sees it listed; the same
// pair the other way round is refused under term B; the filter finds it and says when nothing matches;
// deleting asks first (cancel keeps it) and then removes it.  The admin, whose menu bar is full, reaches
// the page from the policy page.  axe-core runs on each screen;
// screenshots are thesaurus-<screen>-<lang>(-phone).png.  Prints "ok STEP" for each step and exits 1
// on the first failure.
import { join } from 'node:path';
import { launch, newPage, shot, axeCheck, check, ok, DESKTOP, PHONE } from './lib.mjs';

const [base, shots, brokerEmail, password, adminEmail] = process.argv.slice(2);
const browser = await launch();
const H = { 'X-Techmatch': '1' };
const CJK = /[\u4e00-\u9fff]/;
let last = null; // the page being walked, whose URL and text a failure prints

// What a user of each language reads on the page.
const W = {
  zh: { locale: 'zh-CN', title: '匹配词表', nav: '词表', emptyTitle: '词表还是空的', example: '激光熔覆 ≈ laser cladding',
    required: '请填写此项', added: '已添加：激光熔覆 ≈ laser cladding，重新匹配了 2 条需求和成果', translation: '互译',
    dup: '这对词语已在词表中', count1: '共 1 条', noMatch: '没有符合筛选条件的词条', deleteQ: '删除词条“激光熔覆 ≈ laser cladding”',
    deleted: '已删除：激光熔覆 ≈ laser cladding' },
  en: { locale: 'en-US', title: 'Matching thesaurus', nav: 'Thesaurus', emptyTitle: 'The thesaurus is empty',
    example: '激光熔覆 ≈ laser cladding', required: 'Please fill this in', added: 'Added 激光熔覆 ≈ laser cladding; 2 listings re-matched',
    translation: 'Translation', dup: 'already in the thesaurus', count1: '1 entry', noMatch: 'No entry matches the filter',
    deleteQ: 'Delete "激光熔覆 ≈ laser cladding"?', deleted: 'Deleted 激光熔覆 ≈ laser cladding' },
};

// Sends a request with p's session (its context's cookies); returns the parsed JSON or throws.
async function call(p, method, path, data) {
  const r = await p.request.fetch(`${base}${path}`, { method, headers: H, data });
  const text = await r.text();
  if (!r.ok()) throw new Error(`${method} ${path}: ${r.status()} ${text}`);
  return text ? JSON.parse(text) : null;
}

// The text of selector on p, whitespace folded ('' when absent).
async function text(p, selector) {
  if (await p.locator(selector).count() === 0) return '';
  return ((await p.locator(selector).first().textContent()) || '').replace(/\s+/g, ' ').trim();
}

// Nothing on the page is wider than its viewport (no sideways scrolling on a phone).
async function fits(p, label) {
  const [scroll, width] = await p.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  check(scroll <= width, `${label}: the page fits its ${width} px width (${scroll} px)`);
}

// axe-core on p once nothing is in transition (a toast fading, or the add button's colour coming back after it
// was disabled: caught half-way, either fails the contrast rule); endless animations (skeletons) aside.
async function axe(p, label) {
  await p.waitForFunction(() => !document.querySelector('.toast.leaving')
    && document.getAnimations().every((a) => a.playState !== 'running' || a.effect.getTiming().iterations === Infinity));
  await axeCheck(p, label);
}

// The screenshots of p's screen at both widths: lib's shot() from a desktop page; from a phone page, this
// screen as the phone's shot and the same URL at desktop width.
async function shots2(p, name, lang, phone) {
  const file = `thesaurus-${name}-${lang}`;
  if (!phone) { await shot(browser, p, shots, file); return; }
  await p.waitForLoadState('networkidle').catch(() => {});
  await p.screenshot({ path: join(shots, `${file}-phone.png`), fullPage: true });
  const desk = await newPage(browser, { viewport: DESKTOP });
  await desk.context().addCookies(await p.context().cookies());
  await desk.goto(p.url());
  await desk.evaluate((l) => localStorage.setItem('lang', l), lang);
  await desk.reload();
  await desk.waitForLoadState('networkidle').catch(() => {});
  await desk.screenshot({ path: join(shots, `${file}.png`), fullPage: true });
  await desk.context().close();
}

// Waits for a toast of kind holding what.
async function toastWith(p, kind, what) {
  await p.waitForFunction(([k, w]) => [...document.querySelectorAll(`.toast.${k} .toast-text`)].some((e) => e.textContent.includes(w)),
    [kind, what]);
}

async function walk(lang, viewport) {
  const T = W[lang];
  const phone = viewport === PHONE;
  const label = `${lang} ${phone ? 'phone' : 'desktop'}`;
  const p = await newPage(browser, { viewport, locale: T.locale, reducedMotion: 'reduce' });
  last = p;
  await call(p, 'POST', '/api/auth/login', { email: brokerEmail, password, cookie: true });
  await p.goto(`${base}/#/`);
  await p.evaluate((l) => localStorage.setItem('lang', l), lang);
  await p.reload();
  await p.waitForSelector('.stat-grid');

  // ---------- reached from the staff menu; empty, it says what it is for ----------
  if (phone) await p.click('#menu-toggle');
  await p.click(`#nav a[href="#/thesaurus"]`);
  await p.waitForSelector('#th-empty');
  check(await text(p, 'main h1') === T.title, `${label}: the page's title`);
  check((await text(p, '#nav a[aria-current=page]')) === T.nav, `${label}: the menu marks the page`);
  check(await text(p, '#th-empty .empty-title') === T.emptyTitle, `${label}: the empty list says so`);
  check((await text(p, '#th-empty')).includes(T.example), `${label}: the empty list explains with the example`);
  await fits(p, `${label} empty`);
  await axe(p, `thesaurus empty ${lang}`);
  await shots2(p, 'empty', lang, phone);
  ok(`${lang}: the empty thesaurus explains itself`);

  // ---------- a bad entry: the error is under its field ----------
  await p.fill('#f_term_a', '激光熔覆');
  await p.click('#th-add button[type=submit]');
  await p.waitForSelector('#f_term_b_err:not(:empty)');
  check(await text(p, '#f_term_b_err') === T.required, `${label}: the empty term B is named under it`);
  check(await text(p, '#f_term_a_err') === '', `${label}: term A has no error`);
  check(await p.getAttribute('#f_term_b', 'aria-invalid') === 'true', `${label}: term B is marked invalid`);
  check(await p.locator('.toast.ok').count() === 0, `${label}: no success toast for a refusal`);
  ok(`${lang}: a bad entry shows the error under its field`);

  // ---------- the broker adds an entry and sees it ----------
  await p.fill('#f_term_b', ' laser cladding ');
  await p.selectOption('#f_kind', 'translation');
  await p.fill('#f_note', lang === 'zh' ? '表面工程' : 'surface engineering');
  await p.click('#th-add button[type=submit]');
  await toastWith(p, 'ok', T.added);
  await p.waitForSelector('#th-table tr.is-new');
  check((await text(p, '#th-table tr.is-new .th-pair')).includes('激光熔覆') &&
    (await text(p, '#th-table tr.is-new .th-pair')).includes('laser cladding'), `${label}: the new entry is listed`);
  check(await text(p, '#th-table tr.is-new .pill') === T.translation, `${label}: its kind in the UI's language`);
  check(await text(p, '#th-count') === T.count1, `${label}: the entries are counted`);
  check(await p.inputValue('#f_term_a') === '' && await text(p, '#f_term_b_err') === '', `${label}: the form is cleared`);
  if (phone) {
    const display = await p.evaluate(() => getComputedStyle(document.querySelector('#th-table tbody tr')).display);
    check(display === 'block', `${label}: on a phone each entry is a card (${display})`);
  }
  await fits(p, `${label} added`);
  await axe(p, `thesaurus added ${lang}`);
  await shots2(p, 'added', lang, phone);
  ok(`${lang}: the broker adds an entry and sees it`);

  // ---------- the same pair the other way round is refused under term B, in the UI's language ----------
  await p.fill('#f_term_a', 'Laser Cladding');
  await p.fill('#f_term_b', '激光熔覆');
  await p.click('#th-add button[type=submit]');
  await p.waitForSelector('#f_term_b_err:not(:empty)');
  const why = await text(p, '#f_term_b_err');
  check(why.includes(T.dup) && (lang === 'zh') === CJK.test(why.replace('激光熔覆', '')), `${label}: the duplicate is named under term B: ${why}`);
  check(await p.locator('#th-table tbody tr').count() === 1, `${label}: nothing more is listed`);
  await fits(p, `${label} duplicate`);
  await axe(p, `thesaurus duplicate ${lang}`);
  await shots2(p, 'duplicate', lang, phone);
  ok(`${lang}: the duplicate pair is refused under its field`);

  // ---------- the filter ----------
  await p.fill('#th-q', 'LASER');
  await p.waitForURL(/#\/thesaurus\?q=LASER/);
  await p.waitForFunction(() => document.querySelectorAll('#th-table tbody tr').length === 1);
  await p.fill('#th-q', 'zzz');
  await p.waitForSelector('#th-empty');
  check((await text(p, '#th-empty')).includes(T.noMatch), `${label}: a filter without results says so`);
  await p.selectOption('#th-kind', 'synonym');
  await p.fill('#th-q', '');
  await p.waitForURL(/#\/thesaurus\?kind=synonym$/);
  await p.waitForSelector('#th-empty');
  await p.selectOption('#th-kind', '');
  await p.waitForSelector('#th-table tbody tr');
  ok(`${lang}: the filter narrows the list and keeps to the address`);

  // ---------- delete: asks first; cancel keeps the entry ----------
  await p.click('#th-table tbody tr button.danger');
  await p.waitForSelector('.dialog');
  check((await text(p, '.dialog')).includes(T.deleteQ), `${label}: deleting asks first`);
  await axe(p, `thesaurus delete dialog ${lang}`);
  await shots2(p, 'confirm', lang, phone);
  await p.click('.dialog button.ghost');
  await p.waitForSelector('.dialog', { state: 'detached' });
  check(await p.locator('#th-table tbody tr').count() === 1, `${label}: cancelling keeps the entry`);
  await p.click('#th-table tbody tr button.danger');
  await p.waitForSelector('.dialog');
  await p.click('.dialog button.danger');
  await toastWith(p, 'ok', T.deleted);
  await p.waitForSelector('#th-empty .empty-title');
  const left = await call(p, 'GET', '/api/thesaurus?total=true');
  check(left.total === 0, `${label}: the entry is gone from the server`);
  ok(`${lang}: the broker deletes the entry after confirming`);
  await p.context().close();
}

// The admin follows the policy page's link to the thesaurus, and may add there too.
async function admin() {
  const p = await newPage(browser, { viewport: DESKTOP, locale: 'zh-CN', reducedMotion: 'reduce' });
  last = p;
  await call(p, 'POST', '/api/auth/login', { email: adminEmail, password, cookie: true });
  await p.goto(`${base}/#/`);
  await p.evaluate(() => localStorage.setItem('lang', 'zh'));
  await p.reload();
  await p.waitForSelector('.stat-grid');
  await p.goto(`${base}/#/policy`);
  await p.click('#policy-thesaurus');
  await p.waitForSelector('#th-empty');
  check(await text(p, 'main h1') === W.zh.title, 'admin: the policy page leads to the thesaurus');
  await p.fill('#f_term_a', '液压支柱');
  await p.fill('#f_term_b', '单体支柱');
  await p.selectOption('#f_kind', 'synonym');
  await p.click('#th-add button[type=submit]');
  await p.waitForSelector('#th-table tr.is-new');
  check(await text(p, '#th-table tr.is-new .pill') === '同义词', 'admin: the synonym is listed as one');
  ok('zh: the admin reaches the thesaurus from the policy page and adds a synonym');
  await p.context().close();
}

try {
  await walk('zh', DESKTOP);
  await walk('en', PHONE);
  await admin();
  ok('thesaurus walk done');
  await browser.close();
} catch (e) {
  console.log(`FAILED: ${e.message}`);
  if (last) console.log(`on ${last.url()}: ${(await last.textContent('main').catch(() => '')).slice(0, 600)}`);
  await browser.close();
  process.exit(1);
}
