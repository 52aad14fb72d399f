// accounts.mjs: the account pages as their users walk them, in Debian's chromium
// driven by playwright-core, against a running techmatch server started with
// --allow-private-webhooks, and tests/webhook_receiver.mjs listening on RECV_PORT.
//
//   node tests/browser/accounts.mjs BASE_URL SHOTS_DIR ADMIN_EMAIL PASSWORD RECV_PORT
//
// In Chinese at desktop width, then in English at phone width: a dead #/verify
// link says why; an enterprise
// registers (errors beside the fields first) and lands on its home page; a
// university registers and imports a CSV file with one bad line (the count and the
// line's error); a match pushed to the enterprise is opened by its deep link while
// signed out, and signing in lands back on it (a plain sign-in lands on the home
// page); the enterprise changes its push settings and adds a webhook endpoint, whose
// secret, shown once, verifies a ping at the receiver, then deletes it after a
// confirmation; the admin adds a broker account after a bad email.  axe-core runs on
// each page; screenshots are saved as accounts-<page>-<lang>(-phone).png.  Prints
// "ok STEP" for each step and exits 1 on the first failure.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launch, newPage, shot, axeCheck, check, ok, DESKTOP, PHONE } from './lib.mjs';

const [base, shots, adminEmail, password, recvPort] = process.argv.slice(2);
const recv = `http://127.0.0.1:${recvPort}`;
const browser = await launch();
const H = { 'X-Techmatch': '1' };
const CJK = /[\u4e00-\u9fff]/;
const ISO = /\d{4}-\d\d-\d\dT\d\d/;
let last = null; // the page being walked, whose URL and text a failure prints

// What a user of each language reads on these pages.
const W = {
  zh: { locale: 'zh-CN', register: '注册', login: '登录', required: '请填写此项', emailBad: '请输入有效的邮箱地址',
    pwShort: '密码至少 10 个字符', nextNote: '登录后将回到您要打开的页面', settings: '推送设置', stream: '实时推送',
    minHelp: '匹配度低于它的匹配不推送给您', minBad: '请输入 0 到 1 之间的数', saved: '推送设置已保存', urlRequired: '请填写端点地址',
    secretNote: '只显示这一次', added: '已添加端点', ping: '测试', pingEvent: '测试事件', delivered: '成功', deleteQ: '删除端点',
    deleted: '已删除端点', noHooks: '还没有 Webhook 端点', choose: '选择文件', noFile: '未选择文件', needFile: '请先选择',
    importDone: '导入完成：新建 2 条，更新 0 条', badLines: '1 行有错误', line3: '第 3 行', titleWord: '标题', requiredMsg: '必填',
    usersTitle: '账号管理', usersCount: '共 1 个账号', admin: '管理员', broker: '技术经纪人', userAdded: '已添加账号',
    remove: '删除', queued: '排队等待导入（共 3 行）', running: /^正在(保存|匹配)：/, linkGone: '无法完成注册：' },
  en: { locale: 'en-US', register: 'Register', login: 'Log in', required: 'Please fill this in', emailBad: 'Enter a valid email address',
    pwShort: 'at least 10 characters', nextNote: 'you will then be taken to the page you opened', settings: 'Push settings',
    stream: 'Live stream', minHelp: 'matches scoring below it are not pushed', minBad: 'Enter a number between 0 and 1',
    saved: 'Push settings saved', urlRequired: 'Enter the endpoint\'s URL', secretNote: 'Shown only this once', added: 'Endpoint added',
    ping: 'Ping', pingEvent: 'Test event', delivered: 'Delivered', deleteQ: 'Delete the endpoint', deleted: 'Endpoint deleted',
    noHooks: 'No webhook endpoints yet', choose: 'Choose a file', noFile: 'No file chosen', needFile: 'Choose a .csv',
    importDone: 'Import done: 2 created, 0 updated', badLines: 'Lines with errors, not imported: 1', line3: 'line 3', titleWord: 'Title',
    requiredMsg: 'is required', usersTitle: 'Staff accounts', usersCount: 'Accounts: 1', admin: 'Admin', broker: 'Broker',
    userAdded: 'Account added', remove: 'Delete', queued: 'Waiting to import (3 rows)', running: /^(Storing rows|Matching): /, linkGone: 'The registration cannot be finished: ' },
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

// Opens hash on a fresh page of p in lang (the language is kept in localStorage).
async function open(p, hash, lang) {
  await p.goto(`${base}/${hash}`);
  await p.evaluate((l) => localStorage.setItem('lang', l), lang);
  await p.reload();
}

// Nothing on the page is wider than its viewport (no sideways scrolling on a phone).
async function fits(p, label) {
  const [scroll, width] = await p.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  check(scroll <= width, `${label}: the page fits its ${width} px width (${scroll} px)`);
}

// The screenshots of p's screen at both widths, named accounts-NAME-LANG(-phone): lib's shot() from a
// desktop page; from a phone page, this screen as the phone's shot and the same URL at desktop width.
async function shots2(p, name, lang, phone) {
  const file = `accounts-${name}-${lang}`;
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

// axe-core on p once no toast is fading in or out (a toast caught half-transparent fails the contrast rule).
async function axe(p, label) {
  await p.waitForFunction(() => !document.querySelector('.toast.leaving')
    && document.getAnimations().every((a) => !(a.effect && a.effect.target && a.effect.target.closest && a.effect.target.closest('.toasts'))));
  await axeCheck(p, label);
}

// The text of the newest toast once one of kind shows what.
async function toastWith(p, kind, what) {
  await p.waitForFunction(([k, w]) => [...document.querySelectorAll(`.toast.${k} .toast-text`)].some((e) => e.textContent.includes(w)),
    [kind, what]);
}

// Registers an organisation through the form (after its errors beside the fields); lands on #/.
async function register(p, T, lang, { org, kind, email, label, phone }) {
  await open(p, '#/register', lang);
  await p.waitForSelector('#f_org_name');
  check(await text(p, 'main h1') === T.register, `${label}: the register page's title`);
  await p.click('main form button[type=submit]');
  await p.waitForSelector('#f_org_name_err:not(:empty)');
  check(await text(p, '#f_org_name_err') === T.required && await text(p, '#f_email_err') === T.required,
    `${label}: empty fields are named beside them`);
  await p.fill('#f_org_name', org);
  await p.selectOption('#f_org_kind', kind);
  await p.fill('#f_display_name', `${org} 联系人`);
  await p.fill('#f_email', 'not-an-email');
  await p.fill('#f_password', 'short');
  await p.click('main form button[type=submit]');
  await p.waitForFunction(() => document.querySelector('#f_org_name_err').textContent === '');
  check((await text(p, '#f_email_err')).includes(T.emailBad), `${label}: a bad email is explained beside it`);
  check((await text(p, '#f_password_err')).includes(T.pwShort), `${label}: a short password is explained beside it`);
  check(await p.getAttribute('#f_email', 'aria-invalid') === 'true', `${label}: the bad field is marked invalid`);
  if (kind === 'enterprise') {
    await fits(p, `${label} register`);
    await axe(p, `register ${lang}`);
    await shots2(p, 'register', lang, phone);
  }
  await p.fill('#f_email', email);
  await p.fill('#f_password', password);
  await p.click('main form button[type=submit]');
  await p.waitForURL(/#\/$/);
  await p.waitForSelector('.stat-grid, #home-demands, #home-achievements');
}

// The whole walk in lang at viewport.
async function walk(lang, viewport) {
  const T = W[lang];
  const phone = viewport === PHONE;
  const label = `${lang}${phone ? ' phone' : ''}`;

  // ---------- a mailed link that no longer works ----------
  const ver = await newPage(browser, { viewport, locale: T.locale });
  await open(ver, '#/verify?token=tm_not_a_token_0123456789', lang);
  await ver.waitForSelector('main .banner.bad');
  const dead = await text(ver, 'main .banner.bad');
  check(dead.startsWith(T.linkGone) && dead.length > T.linkGone.length + 4 && (lang === 'zh' || !CJK.test(dead)),
    `${label}: a malformed link says why, in the UI's language: ${dead}`);
  check(await ver.locator('main a[href="#/register"]').count() === 1, `${label}: and offers to register again`);
  await fits(ver, `${label} verify`);
  await axe(ver, `verify ${lang}`);
  await shots2(ver, 'verify', lang, phone);
  await ver.context().close();
  ok(`${lang}: a dead verification link says why and what next`);

  // ---------- an enterprise registers ----------
  const ent = await newPage(browser, { viewport, locale: T.locale });
  const entEmail = `ent-${lang}@example.com`;
  await register(ent, T, lang, { org: `六盘水煤矿机械厂 ${lang}`, kind: 'enterprise', email: entEmail, label, phone });
  check(ent.url().endsWith('#/'), `${label}: registering lands on the home page (${ent.url()})`);
  ok(`${lang}: register shows errors beside the fields and lands on the home page`);

  // The demand form's date input looks like the other inputs.
  await ent.goto(`${base}/#/mine`);
  await ent.waitForSelector('#create input[type=date]');
  const look = await ent.evaluate(() => {
    const css = (e) => { const s = getComputedStyle(e); return [s.height, s.borderTopWidth, s.borderTopColor, s.borderRadius, s.fontSize]; };
    return [css(document.querySelector('#create input[type=date]')), css(document.querySelector('#create #f_title'))];
  });
  check(JSON.stringify(look[0]) === JSON.stringify(look[1]), `${label}: the date input looks like a text input: ${JSON.stringify(look)}`);

  // ---------- a university registers and imports a file with one bad line ----------
  const uni = await newPage(browser, { viewport, locale: T.locale });
  await register(uni, T, lang, { org: `贵州理工学院 ${lang}`, kind: 'university', email: `uni-${lang}@example.edu.cn`, label, phone });
  await uni.goto(`${base}/#/mine`);
  await uni.waitForSelector('#import-file', { state: 'attached' });
  check((await text(uni, 'label.file-button')).endsWith(T.choose), `${label}: the file picker is a button named "${T.choose}"`);
  check(await text(uni, '#import-file-name') === T.noFile, `${label}: no file chosen yet, and it says so`);
  check(await uni.locator('label.file-button').isVisible(), `${label}: the file button is visible`);
  await uni.click('#import-go');
  await uni.waitForSelector('#import-file-err:not(:empty)');
  check((await text(uni, '#import-file-err')).includes(T.needFile), `${label}: importing without a file says what to do`);
  const csv = 'title,abstract,fields,trl\n'
    + `煤矿井下安全监测传感器网络 ${lang},井下瓦斯、一氧化碳与顶板压力传感器网络，实时监测矿井安全，预警煤矿事故。,B06,6\n`
    + ',missing title,B06,12\n'
    + `矿用本安型无线通信基站 ${lang},井下无线通信与人员定位基站，本质安全型。,B06,7\n`;
  const file = join(shots, `import-${lang}.csv`);
  writeFileSync(file, csv);
  await uni.setInputFiles('#import-file', file);
  check((await text(uni, '#import-file-name')).includes(`import-${lang}.csv`), `${label}: the chosen file's name is shown`);
  await uni.click('#import-go');
  // The server answers 202 with a queued job; the box shows its progress until the report is in.
  await uni.waitForSelector('#import-report .import-progress progress', { state: 'attached' });
  const progress = await text(uni, '#import-report .import-progress');
  check(progress.includes(T.queued) || T.running.test(progress), `${label}: the job's progress is shown: ${progress}`);
  await uni.waitForSelector('#import-report .import-summary');
  const summary = await text(uni, '#import-report .import-summary');
  check(summary.includes(T.importDone) && summary.includes(T.badLines), `${label}: the import's counts: ${summary}`);
  const bad = await text(uni, '#import-report table.import-errors tbody');
  check(bad.includes(T.line3) && bad.includes(T.titleWord) && bad.includes(T.requiredMsg), `${label}: the bad line and its error: ${bad}`);
  check(lang === 'zh' ? CJK.test(bad.replace(/missing title/, '')) : !CJK.test(bad), `${label}: the line's error is in the UI's language`);
  check(await uni.locator('#import-report table.import-errors tbody tr').count() === 1, `${label}: only the bad line is listed`);
  await uni.waitForFunction(() => document.querySelectorAll('#mine-list article, #mine-list .card').length >= 2);
  await fits(uni, `${label} import`);
  await axe(uni, `import ${lang}`);
  await shots2(uni, 'import', lang, phone);
  ok(`${lang}: the import names the bad line and counts the imported`);

  // ---------- a match pushed to the enterprise, opened by its link while signed out ----------
  const demand = await call(ent, 'POST', '/api/demands', { title: `煤矿井下安全监测传感器网络建设 ${lang}`,
    description: '需要井下瓦斯、一氧化碳、顶板压力传感器网络，实时监测矿井安全，预警煤矿事故。', keywords: ['安全监测', '传感器网络'],
    fields: ['B06'] });
  const adm = await newPage(browser, { viewport, locale: T.locale });
  await call(adm, 'POST', '/api/auth/login', { email: adminEmail, password, cookie: true });
  const queue = (await call(adm, 'GET', '/api/matches?limit=100')).items;
  const match = queue.find((m) => m.demand && m.demand.id === demand.id);
  check(match, `${label}: the imported achievement is suggested for the demand`);
  await call(adm, 'POST', `/api/matches/${match.id}/approve`);
  const out = await newPage(browser, { viewport, locale: T.locale });
  await open(out, `#/matches/${match.id}`, lang);
  await out.waitForURL(/#\/login\?next=/);
  await out.waitForSelector('#f_email');
  check((await text(out, 'main .banner')).includes(T.nextNote), `${label}: the login says it will come back to the link`);
  await out.fill('#f_email', entEmail);
  await out.fill('#f_password', 'wrong-password-1');
  await out.click('main form button[type=submit]');
  await out.waitForSelector('main form .banner.bad');
  const wrong = await text(out, 'main form .banner.bad');
  check(lang === 'zh' ? CJK.test(wrong) : !CJK.test(wrong) && wrong.length > 5, `${label}: a wrong password is said in the UI's language: ${wrong}`);
  await fits(out, `${label} login`);
  await axe(out, `login ${lang}`);
  await shots2(out, 'login', lang, phone);
  await out.fill('#f_password', password);
  await out.click('main form button[type=submit]');
  await out.waitForURL(new RegExp(`#/matches/${match.id}$`));
  await out.waitForFunction((title) => document.querySelector('main').textContent.includes(title), demand.title);
  ok(`${lang}: a deep link opened signed out lands back after sign-in`);
  const plain = await newPage(browser, { viewport, locale: T.locale });
  await open(plain, '#/login', lang);
  await plain.waitForSelector('#f_email');
  check(await plain.locator('main .banner').count() === 0, `${label}: a plain login has no note about coming back`);
  await plain.fill('#f_email', entEmail);
  await plain.fill('#f_password', password);
  await plain.click('main form button[type=submit]');
  await plain.waitForURL(/#\/$/);
  await plain.waitForSelector('#home-demands');
  ok(`${lang}: sign-in lands on the home page`);
  await plain.context().close();
  await out.context().close();

  // ---------- the enterprise's push settings ----------
  await ent.goto(`${base}/#/settings`);
  await ent.waitForSelector('#f_min_score');
  check((await text(ent, 'main h1')) === T.settings, `${label}: the settings page's title`);
  check((await text(ent, 'label[for=f_stream]')) === T.stream, `${label}: the live channel's checkbox has its label`);
  check((await text(ent, '#f_min_score_help')).includes(T.minHelp), `${label}: the minimum score has help text`);
  await ent.fill('#f_min_score', 'abc');
  await ent.click('#save-settings');
  await ent.waitForSelector('#f_min_score_err:not(:empty)');
  check((await text(ent, '#f_min_score_err')).includes(T.minBad), `${label}: a bad score is explained beside it`);
  await ent.fill('#f_min_score', '0.5');
  await ent.uncheck('#f_stream');
  await ent.check('#f_mode_digest');
  await ent.click('#save-settings');
  await toastWith(ent, 'ok', T.saved);
  check(await text(ent, '#f_min_score_err') === '', `${label}: the error is gone once saved`);
  check(await ent.locator('main .banner').count() === 0, `${label}: no banner piles up`);
  await ent.reload();
  await ent.waitForSelector('#f_min_score');
  check(await ent.inputValue('#f_min_score') === '0.5' && !(await ent.isChecked('#f_stream')) && await ent.isChecked('#f_mode_digest'),
    `${label}: the settings are kept`);
  await ent.check('#f_stream');
  await ent.check('#f_mode_realtime');
  await ent.click('#save-settings');
  await toastWith(ent, 'ok', T.saved);
  ok(`${lang}: the enterprise changes its push settings`);

  // A webhook endpoint: errors beside the field, the secret once, a verified ping, a confirmed delete.
  await ent.click('#add-webhook');
  await ent.waitForSelector('#f_url_err:not(:empty)');
  check(await text(ent, '#f_url_err') === T.urlRequired, `${label}: an empty URL is explained beside it`);
  await ent.fill('#f_url', 'ftp://example.com/hook');
  await ent.click('#add-webhook');
  await ent.waitForFunction((was) => { const e = document.querySelector('#f_url_err'); return e.textContent && e.textContent !== was; },
    T.urlRequired);
  const refused = await text(ent, '#f_url_err');
  check(lang === 'zh' ? CJK.test(refused) : !CJK.test(refused), `${label}: the server's refusal beside the field, in the UI's language: ${refused}`);
  await ent.fill('#f_url', `${recv}/ok`);
  await ent.click('#add-webhook');
  await ent.waitForSelector('#secret-value');
  const secret = await text(ent, '#secret-value');
  check(/^whsec_/.test(secret), `${label}: the signing secret is shown (${secret.slice(0, 8)}…)`);
  check((await text(ent, '.secret-once')).includes(T.secretNote), `${label}: it says the secret is shown once`);
  await toastWith(ent, 'ok', T.added);
  check(await text(ent, '#f_url_err') === '', `${label}: the refusal is gone once added`);
  const set = await fetch(`${recv}/_secret`, { method: 'POST', body: secret });
  check(set.ok, 'the receiver takes the secret');
  await fits(ent, `${label} settings`);
  await axe(ent, `settings ${lang}`);
  await shots2(ent, 'settings', lang, phone);
  await ent.click('#secret-done');
  check(await ent.locator('#secret-value').count() === 0, `${label}: the secret is hidden for good`);
  await ent.reload();
  await ent.waitForSelector('#webhooks .hook');
  check(!(await ent.textContent('body')).includes(secret), `${label}: the secret is never shown again`);
  await ent.click(`#webhooks .hook button[aria-label^="${T.ping}"]`);
  await toastWith(ent, 'ok', T.ping === 'Ping' ? 'Test event sent' : '测试事件已发送');
  await ent.waitForSelector('#delivery-log table');
  for (let i = 0; i < 20 && !(await text(ent, '#delivery-log tbody')).includes(T.delivered); i++) {
    await ent.waitForTimeout(500);
    await ent.click(`#webhooks .hook button[aria-label^="${lang === 'zh' ? '投递记录' : 'Delivery log'}"]`);
  }
  const logText = await text(ent, '#delivery-log tbody');
  check(logText.includes(T.pingEvent) && logText.includes(T.delivered) && logText.includes('HTTP 204'),
    `${label}: the ping was delivered and verified with the secret: ${logText}`);
  check(!ISO.test(logText), `${label}: the delivery log's dates are formatted: ${logText}`);
  await fits(ent, `${label} delivery log`);
  await axe(ent, `settings with the delivery log ${lang}`);
  if (!phone) await ent.screenshot({ path: join(shots, `accounts-settings-log-${lang}.png`), fullPage: true });
  else await ent.screenshot({ path: join(shots, `accounts-settings-log-${lang}-phone.png`), fullPage: true });
  ok(`${lang}: the webhook secret shown once verifies a ping`);
  await ent.click(`#webhooks .hook button[aria-label^="${T.remove}"]`);
  await ent.waitForSelector('.dialog');
  check((await text(ent, '.dialog')).includes(T.deleteQ), `${label}: deleting asks first`);
  await ent.click('.dialog button.ghost');
  await ent.waitForSelector('.dialog', { state: 'detached' });
  check(await ent.locator('#webhooks .hook').count() === 1, `${label}: cancelled, the endpoint stays`);
  await ent.click(`#webhooks .hook button[aria-label^="${T.remove}"]`);
  await ent.click('.dialog button.danger');
  await toastWith(ent, 'ok', T.deleted);
  await ent.waitForSelector('#webhooks .empty');
  check((await text(ent, '#webhooks .empty')).includes(T.noHooks), `${label}: no endpoints left, and it says what to do`);
  check(await ent.locator('#delivery-log').isHidden(), `${label}: the deleted endpoint's log is closed`);
  ok(`${lang}: the enterprise deletes the endpoint after a confirm`);

  // ---------- the admin's accounts page ----------
  const admPage = await newPage(browser, { viewport, locale: T.locale });
  await open(admPage, '#/login', lang);
  await admPage.fill('#f_email', adminEmail);
  await admPage.fill('#f_password', password);
  await admPage.click('main form button[type=submit]');
  await admPage.waitForURL(/#\/$/);
  // The home page draws once its figures are read; leaving before that, it would draw over the next page.
  await admPage.waitForSelector('.stat-grid');
  await admPage.goto(`${base}/#/users`);
  last = admPage;
  await admPage.waitForSelector('#users tbody tr');
  check(await text(admPage, 'main h1') === T.usersTitle, `${label}: the accounts page's title`);
  const before = await admPage.locator('#users tbody tr').count();
  check(lang !== 'zh' || (await text(admPage, '#users-count')) === T.usersCount, `${label}: the accounts are counted`);
  check(await text(admPage, '#users .pill.role-admin') === T.admin, `${label}: the role is a pill in the UI's language`);
  await admPage.fill('#f_display_name', lang === 'zh' ? '王经纪' : 'Wang Broker');
  await admPage.fill('#f_email', 'wang-at-example.org');
  await admPage.fill('#f_password', password);
  await admPage.click('#users-add button[type=submit]');
  await admPage.waitForSelector('#f_email_err:not(:empty)');
  const why = await text(admPage, '#f_email_err');
  check(lang === 'zh' ? CJK.test(why) : !CJK.test(why) && why.length > 5, `${label}: the bad email is explained beside it: ${why}`);
  check(await admPage.locator('.toast.ok').count() === 0, `${label}: no success toast for a refusal`);
  await admPage.fill('#f_email', `wang-${lang}@example.org`);
  await admPage.fill('#f_password', password);
  await admPage.click('#users-add button[type=submit]');
  await toastWith(admPage, 'ok', T.userAdded);
  await admPage.waitForSelector(`#users tr.is-new[data-email="wang-${lang}@example.org"]`);
  check(await admPage.locator('#users tbody tr').count() === before + 1, `${label}: the new account is listed`);
  check(await text(admPage, '#users tr.is-new .pill') === T.broker, `${label}: as a broker`);
  const since = await text(admPage, '#users tr.is-new time');
  check(/20\d\d/.test(since) && !ISO.test(since) && (lang === 'zh' ? since.includes('年') : /[A-Z][a-z]{2}/.test(since)),
    `${label}: the account's created date is formatted for the language: ${since}`);
  check(await text(admPage, '#f_email_err') === '' && await admPage.inputValue('#f_email') === '', `${label}: the form is cleared`);
  check(await admPage.locator('main .banner').count() === 0, `${label}: no banner piles up`);
  if (phone) {
    const display = await admPage.evaluate(() => getComputedStyle(document.querySelector('#users tbody tr')).display);
    check(display === 'block', `${label}: on a phone each account is a card (${display})`);
  }
  await fits(admPage, `${label} users`);
  await axe(admPage, `users ${lang}`);
  await shots2(admPage, 'users', lang, phone);
  ok(`${lang}: the admin adds a broker after a bad email`);
  for (const p of [ent, uni, adm, admPage]) await p.context().close();
}

try {
  await walk('zh', DESKTOP);
  await walk('en', PHONE);
  ok('accounts walk done');
  await browser.close();
} catch (e) {
  console.log(`FAILED: ${e.message}`);
  if (last) console.log(`on ${last.url()}: ${(await last.textContent('main').catch(() => '')).slice(0, 600)}`);
  await browser.close();
  process.exit(1);
}
