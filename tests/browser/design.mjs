// design.mjs: the design system, the shell and each role's home page, in Debian's
// chromium driven by playwright-core, against a running techmatch server.
//
//   node tests/browser/design.mjs BASE_URL SHOTS_DIR BROKER_EMAIL PASSWORD ADMIN_EMAIL
//
// Sets the scene through the API (an enterprise and a university register, post a
// demand and two achievements that match it, the broker approves one), then checks
// what each role sees on its home page at desktop and phone width, in Chinese and
// English; the phone's menu and header; toasts; the confirmation dialog by keyboard;
// the statistics' charts at both widths; and axe-core on each screen.  Prints
// "ok STEP" for each step and exits 1 on the first failure.
import { launch, newPage, shot, axeCheck, check, ok, DESKTOP, PHONE } from './lib.mjs';

const [base, shots, brokerEmail, password, adminEmail] = process.argv.slice(2);
const browser = await launch();
const H = { 'X-Techmatch': '1' };

// Sends a request with p's session (the cookie jar of its context); returns the parsed JSON or throws.
async function call(p, method, path, data) {
  const r = await p.request.fetch(`${base}${path}`, { method, headers: H, data });
  const text = await r.text();
  if (!r.ok()) throw new Error(`${method} ${path}: ${r.status()} ${text}`);
  return text ? JSON.parse(text) : null;
}

// A page signed in as email (registering its organisation first when org is given), at viewport in locale.
async function signedIn(email, { org, kind, viewport = DESKTOP, locale = 'zh-CN' } = {}) {
  const p = await newPage(browser, { viewport, locale });
  if (org) {
    await call(p, 'POST', '/api/auth/register', { org_name: org, org_kind: kind, email, password, display_name: `${org} 联系人` });
  }
  await call(p, 'POST', '/api/auth/login', { email, password, cookie: true });
  return p;
}

// Opens the home page (#/) and waits until its figures are drawn.
async function home(p) {
  // The same URL again is no navigation (the hash does not change): load it afresh.
  if (p.url() === `${base}/#/`) await p.reload(); else await p.goto(`${base}/#/`);
  await p.waitForSelector('.stat-grid');
  return p;
}

// The text of selector on p, whitespace folded.
async function text(p, selector) {
  return ((await p.textContent(selector)) || '').replace(/\s+/g, ' ').trim();
}

// The phone's header: nothing wider than the screen, the tools visible, the menu closed; the menu
// opens, shows every link, and a link taken closes it.
async function phoneShell(p, label) {
  const width = await p.evaluate(() => document.documentElement.scrollWidth);
  check(width <= PHONE.width, `${label}: the page fits the phone (${width} px)`);
  for (const sel of ['#lang', '#menu-toggle', '.brand']) {
    const box = await p.locator(sel).boundingBox();
    check(box && box.x >= 0 && box.x + box.width <= PHONE.width, `${label}: ${sel} is on screen`);
  }
  const mid = async (sel) => { const b = await p.locator(sel).boundingBox(); return b.y + b.height / 2; };
  check(Math.abs((await mid('#menu-toggle')) - (await mid('.brand'))) < 12 && Math.abs((await mid('#lang')) - (await mid('.brand'))) < 12,
    `${label}: the brand, the tools and the menu button share one line`);
  check(!(await p.locator('#nav').isVisible()), `${label}: the menu starts closed`);
  check(await p.getAttribute('#menu-toggle', 'aria-expanded') === 'false', `${label}: the menu button says closed`);
  await p.click('#menu-toggle');
  check(await p.getAttribute('#menu-toggle', 'aria-expanded') === 'true', `${label}: the menu button says open`);
  // Signed in, the open menu says who it is (the header has no room); a visitor's offers registering.
  const signedInUser = await p.locator('#who button').count() > 0;
  check(signedInUser ? (await text(p, '#nav .nav-who')).includes(' · ') : await p.locator('#nav a[href="#/register"]').isVisible(),
    `${label}: the menu says who is signed in, or offers registering`);
  const links = p.locator('#nav a');
  const n = await links.count();
  check(n >= 3, `${label}: the menu lists the pages`);
  for (let i = 0; i < n; i++) {
    const box = await links.nth(i).boundingBox();
    check(box && box.x + box.width <= PHONE.width && box.height >= 36, `${label}: menu link ${i} is whole and big enough`);
  }
  await axeCheck(p, `${label} with the menu open`);
  await p.keyboard.press('Escape');
  check(!(await p.locator('#nav').isVisible()), `${label}: Escape closes the menu`);
  await p.click('#menu-toggle');
  await p.mouse.click(PHONE.width / 2, PHONE.height - 40); // the page below the open menu
  check(!(await p.locator('#nav').isVisible()), `${label}: a tap outside closes the menu`);
  check(await p.getAttribute('#menu-toggle', 'aria-expanded') === 'false', `${label}: the button says closed again`);
}

try {
  // ---------- a visitor: #/ is the demand list, also at #/demands ----------
  const visitor = await newPage(browser);
  await visitor.goto(`${base}/#/`);
  await visitor.waitForSelector('#results');
  check((await text(visitor, 'main h1')) === '技术需求', 'a visitor\'s #/ is the demand list');
  check(await visitor.getAttribute('#nav a[href="#/demands"]', 'aria-current') === 'page', 'the demand link is current');
  const langName = await visitor.getAttribute('#lang', 'aria-label');
  check(langName.startsWith(await visitor.textContent('#lang')), `the language switch's name holds its text: ${langName}`);
  const qTop = (await visitor.locator('#q').boundingBox()).y;
  const goTop = (await visitor.locator('form[role=search] button').boundingBox()).y;
  const regionTop = (await visitor.locator('#region').boundingBox()).y;
  check(Math.abs(goTop - regionTop) <= 1 && Math.abs(qTop - regionTop) <= 1, `the search button is level with the inputs (${qTop}, ${regionTop}, ${goTop})`);
  await axeCheck(visitor, 'visitor demand list');
  check(!(await visitor.locator('#nav a[href="#/register"]').isVisible()), 'on a desktop the register link is in the header only');
  for (const locale of ['zh-CN', 'en-US']) {
    const vp = await newPage(browser, { viewport: PHONE, locale });
    await vp.goto(`${base}/#/demands`);
    await vp.waitForSelector('#results');
    await phoneShell(vp, `visitor phone (${locale})`);
    await vp.context().close();
  }
  ok('a visitor sees the demand list at #/ and #/demands');

  // ---------- the scene ----------
  const ent = await signedIn('ent-design@example.com', { org: '六盘水液压装备公司', kind: 'enterprise' });
  await home(ent);
  const entEmpty = await text(ent, '#home-demands .empty');
  check(entEmpty.includes('还没有进行中的需求'), `the enterprise's empty home says why: ${entEmpty}`);
  check(await ent.locator('#home-demands .empty a[href="#/mine"]').count() === 1, 'and links to posting a demand');
  await axeCheck(ent, 'enterprise home, empty');
  await shot(browser, ent, shots, 'design-home-enterprise-empty');
  ok('enterprise empty home says what to do next');

  const uni = await signedIn('uni-design@example.edu.cn', { org: '贵州理工学院', kind: 'university' });
  await home(uni);
  check((await text(uni, '#home-achievements .empty')).includes('发布一项科技成果'), 'the university\'s empty home says what to do');
  check(await uni.locator('#home-achievements .empty a[href="#/mine"]').count() === 1, 'and links to listing one');
  ok('university empty home says what to do next');

  const demand = await call(ent, 'POST', '/api/demands', { title: '综采工作面液压支架电液控制系统国产化',
    description: '替代进口液压支架电液控制系统，要求支架动作响应小于1秒，适应井下综采工作面。',
    keywords: ['液压支架', '电液控制', '综采'], fields: ['B06'], region: '贵州省六盘水市' });
  const a1 = await call(uni, 'POST', '/api/achievements', { title: '液压支架电液控制系统及其智能控制方法',
    abstract: '综采工作面液压支架电液控制，支架动作响应小于0.5秒，国产化替代进口系统。',
    keywords: ['液压支架', '电液控制', '综采'], fields: ['B06'], trl: 7 });
  await call(uni, 'POST', '/api/achievements', { title: '综采工作面液压支架电液控制阀组',
    abstract: '液压支架电液控制系统的国产阀组，综采工作面井下验证，响应快。',
    keywords: ['液压支架', '电液控制'], fields: ['B06'], trl: 6 });
  const brk = await signedIn(brokerEmail);
  let queue = (await call(brk, 'GET', '/api/matches?limit=100')).items;
  check(queue.length >= 2, `both achievements are suggested for the demand (${queue.length})`);
  const first = queue.find((m) => m.achievement.id === a1.id) || queue[0];
  await call(brk, 'POST', `/api/matches/${first.id}/approve`);
  queue = (await call(brk, 'GET', '/api/matches?limit=100')).items;
  ok('the scene: a demand, two matching achievements, one approved');

  // ---------- the enterprise ----------
  await home(ent);
  await ent.waitForSelector(`#home-demands article[data-id="${demand.id}"]`);
  check((await text(ent, '#home-open .stat-value')) === '1', 'one open demand');
  check((await text(ent, '#home-unread .stat-value')) === '1', 'one new match pushed');
  const row = await text(ent, `#home-demands article[data-id="${demand.id}"]`);
  check(row.includes('综采工作面液压支架电液控制系统国产化') && row.includes('1 条新推送'), `the demand with its new match: ${row}`);
  check(await ent.locator(`#home-demands a[href="#/matches/${first.id}"]`).count() === 1, 'the new match is a link to its page');
  await axeCheck(ent, 'enterprise home');
  await shot(browser, ent, shots, 'design-home-enterprise');
  ok('enterprise home shows its demand and its new match');

  // ---------- the university ----------
  await home(uni);
  await uni.waitForSelector(`#home-achievements article[data-id="${a1.id}"]`);
  check((await text(uni, '#home-open .stat-value')) === '2', 'two listed achievements');
  check((await text(uni, '#home-matching .stat-value')) === '1', 'one matching demand');
  check(await uni.locator(`#home-achievements article[data-id="${a1.id}"] a[href="#/demands/${demand.id}"]`).count() === 1,
    'the matching demand is linked under the achievement');
  await axeCheck(uni, 'university home');
  await shot(browser, uni, shots, 'design-home-university');
  ok('university home lists its achievements with the demands that match them');

  // ---------- the broker ----------
  const asked = [];
  const listen = (req) => { if (req.url().includes('/api/')) asked.push(new URL(req.url()).pathname + new URL(req.url()).search); };
  brk.on('request', listen);
  await home(brk);
  await brk.waitForSelector('#home-today');
  brk.off('request', listen);
  const summary = asked.filter((u) => u.startsWith('/api/review/summary?since='));
  check(summary.length === 1 && /since=\d{4}-\d\d-\d\dT00%3A00%3A00(%2B|-)\d\d%3A\d\d$/.test(summary[0]),
    `the home page asks one summary, since the local midnight with its offset: ${summary.join(' ')}`);
  check(!asked.some((u) => u.startsWith('/api/export/') || u.startsWith('/api/matches')),
    `and neither reads the decisions export nor pages the queue: ${asked.join(' ')}`);
  check((await text(brk, '#home-queue .stat-value')) === String(queue.length), `the queue's size is ${queue.length}`);
  check((await text(brk, '#home-today .stat-value')) === '1', 'one decision today');
  check((await text(brk, '#home-today .stat-note')).includes('1'), 'and it was this broker\'s');
  // The oldest suggestion: created first, the lower id among those created in the same second.
  const oldest = queue.reduce((a, m) => (m.created_at < a.created_at || (m.created_at === a.created_at && m.id < a.id) ? m : a), queue[0]);
  check(await brk.locator(`#home-oldest-match a[href="#/matches/${oldest.id}"]`).count() === 1, 'the oldest suggestion is linked');
  check(await brk.locator('main a.button[href="#/review"]').count() >= 1, 'the review queue is one click away');
  await axeCheck(brk, 'broker home');
  await shot(browser, brk, shots, 'design-home-broker');
  ok('broker home counts the queue and today\'s decisions');

  // A home page still loading when the user moves on must not draw over the page they opened: the
  // summary's answer is held until the statistics page is drawn, then let through.
  let release;
  const held = new Promise((r) => { release = r; });
  await brk.route('**/api/review/summary*', async (route) => { await held; await route.continue(); });
  await brk.goto(`${base}/#/pipeline`);
  await brk.waitForSelector('.board');
  await brk.evaluate(() => { location.hash = '#/'; });
  await brk.waitForSelector('main .skeleton');
  await brk.evaluate(() => { location.hash = '#/stats'; });
  await brk.waitForSelector('#stats-workload');
  const answered = brk.waitForResponse((r) => r.url().includes('/api/review/summary'));
  release();
  await answered;
  await brk.waitForLoadState('networkidle');
  await brk.evaluate(() => new Promise((r) => { setTimeout(r, 0); })); // the page's own continuations run first
  check((await text(brk, 'main h1')) === '统计' && await brk.locator('#home-queue').count() === 0,
    `the statistics page stays after the home page's late answer: ${await text(brk, 'main h1')}`);
  await brk.unroute('**/api/review/summary*');
  ok('a home page answered late does not draw over the page opened since');

  // ---------- the admin ----------
  const adm = await signedIn(adminEmail);
  await home(adm);
  await adm.waitForSelector('#home-funnel');
  const stats = await call(adm, 'GET', '/api/stats');
  const suggested = await text(adm, '#home-funnel [data-stage="suggested"] .num');
  const pushed = await text(adm, '#home-funnel [data-stage="pushed"] .num');
  check(suggested === String(stats.funnel.suggested) && pushed === String(stats.funnel.pushed),
    `the funnel shows the server's counts (${suggested}, ${pushed})`);
  await axeCheck(adm, 'admin home');
  await shot(browser, adm, shots, 'design-home-admin');
  ok('admin home shows the funnel');

  // ---------- English, desktop and phone ----------
  for (const [role, email, expect] of [['enterprise', 'ent-design@example.com', '1 new'],
    ['university', 'uni-design@example.edu.cn', 'Matching demands: 1'], ['broker', brokerEmail, 'Waiting for review'],
    ['admin', adminEmail, 'Funnel']]) {
    for (const viewport of [DESKTOP, PHONE]) {
      const p = await signedIn(email, { viewport, locale: 'en-US' });
      await home(p);
      const main = await text(p, 'main');
      check((await text(p, 'main h1')) === 'Home' && main.includes(expect), `${role}'s English home says "${expect}": ${main.slice(0, 200)}`);
      const phone = viewport === PHONE;
      if (phone) await phoneShell(p, `${role} phone (en)`);
      else {
        await axeCheck(p, `${role} home (en)`);
        const tops = await p.locator('#nav a').evaluateAll((as) => as.filter((a) => a.offsetParent).map((a) => a.getBoundingClientRect().top));
        check(new Set(tops).size === 1, `${role}: the navigation's links share one line at desktop width (${tops.join(', ')})`);
      }
      if (!phone) await shot(browser, p, shots, `design-home-${role}-en`);
      await p.context().close();
    }
  }
  ok('each role\'s home in English at desktop and phone width');

  // ---------- the phone in Chinese: the menu leads to the demand list ----------
  const phone = await signedIn('ent-design@example.com', { viewport: PHONE });
  await home(phone);
  check((await text(phone, '#home-unread .stat-value')) === '1', 'the phone shows the same figures');
  await phone.waitForSelector('#menu-toggle .badge');
  check((await text(phone, '#menu-toggle .badge')) === '1', 'the menu button shows the unread count');
  await phoneShell(phone, 'enterprise phone (zh)');
  await phone.click('#menu-toggle');
  await phone.screenshot({ path: `${shots}/design-phone-menu.png` });
  await phone.click('#nav a[href="#/demands"]');
  await phone.waitForSelector('#results');
  check((await text(phone, 'main h1')) === '技术需求', 'the menu leads to the demand list');
  check(!(await phone.locator('#nav').isVisible()), 'and closes behind it');
  await axeCheck(phone, 'demand list on a phone');
  ok('the phone\'s menu opens, leads on and closes');

  // ---------- toasts and the confirmation dialog ----------
  await home(ent);
  await ent.evaluate(async () => {
    const ui = await import('/ui.js');
    for (const w of ['一', '二', '三', '四', '五']) ui.toast(`已保存 ${w}`, 'ok');
    ui.toast('已保存 五', 'ok');
    ui.toast('保存失败', 'bad');
  });
  check(await ent.locator('#toasts .toast:not(.leaving)').count() === 3, 'toasts stack three at most');
  await ent.screenshot({ path: `${shots}/design-toasts.png` });
  check(await ent.locator('#toasts .toast', { hasText: '已保存 五' }).count() === 1, 'the same text is shown once');
  check(await ent.locator('#toasts .toast.bad[role=alert]').count() === 1, 'a failure is an alert');
  await ent.locator('#toasts .toast.ok').first().waitFor({ state: 'detached', timeout: 8000 });
  await ent.locator('#toasts .toast.bad').waitFor({ state: 'detached', timeout: 12000 });
  ok('toasts stack, do not repeat, and leave');

  await ent.evaluate(async () => {
    const ui = await import('/ui.js');
    window.confirmed = 'waiting';
    ui.confirmAction('关闭这条需求？关闭后不再匹配。', { danger: true, confirmLabel: '关闭需求' }).then((v) => { window.confirmed = v; });
  });
  await ent.waitForSelector('.dialog[role=alertdialog]');
  check((await text(ent, '.dialog')).includes('关闭这条需求'), 'the dialog says what is asked');
  const inDialog = () => ent.evaluate(() => document.querySelector('.dialog').contains(document.activeElement));
  check(await inDialog(), 'the focus is in the dialog');
  check((await ent.evaluate(() => document.activeElement.textContent)) === '取消', 'a dangerous action focuses Cancel first');
  await ent.keyboard.press('Tab');
  check(await inDialog(), 'Tab stays in the dialog');
  await ent.keyboard.press('Tab');
  await ent.keyboard.press('Shift+Tab');
  check(await inDialog(), 'Shift+Tab stays in the dialog');
  await axeCheck(ent, 'confirmation dialog');
  await ent.screenshot({ path: `${shots}/design-confirm.png` });
  await ent.keyboard.press('Escape');
  await ent.waitForSelector('.dialog', { state: 'detached' });
  check(await ent.evaluate(() => window.confirmed) === false, 'Escape answers false');
  ok('confirmAction: Escape cancels');
  await ent.evaluate(async () => {
    const ui = await import('/ui.js');
    window.confirmed = 'waiting';
    ui.confirmAction('保存吗？', { confirmLabel: '保存' }).then((v) => { window.confirmed = v; });
  });
  await ent.waitForSelector('.dialog');
  check((await ent.evaluate(() => document.activeElement.textContent)) === '保存', 'a safe action focuses its button');
  await ent.keyboard.press('Enter');
  await ent.waitForFunction(() => window.confirmed !== 'waiting');
  check(await ent.evaluate(() => window.confirmed) === true, 'Enter on the confirm button answers true');
  ok('confirmAction: Enter confirms');

  // ---------- every shared component at once: contrast, names and layout ----------
  await ent.evaluate(async () => {
    const { el, input, skeleton, empty, banner } = await import('/ui.js');
    const states = ['suggested', 'approved', 'pushed', 'viewed', 'interested', 'in_talks', 'deal', 'declined', 'rejected',
      'closed', 'withdrawn'];
    const field = input('budget', '预算上限（元）', { help: '可写 50万、500000 或 500,000' });
    field.querySelector('.error').textContent = '请输入金额，如 50万';
    document.getElementById('main').replaceChildren(
      el('div', { class: 'page-head' }, el('h1', { text: '组件' }), el('div', { class: 'row' },
        el('button', { type: 'button', text: '主要' }), el('button', { type: 'button', class: 'ghost', text: '次要' }),
        el('button', { type: 'button', class: 'danger', text: '关闭需求' }),
        el('button', { type: 'button', class: 'ghost danger', text: '删除' }),
        el('button', { type: 'button', disabled: true, text: '不可用' }))),
      el('form', { class: 'toolbar', role: 'search' }, input('q', '关键词'), input('region', '地区'),
        el('button', { type: 'submit', text: '搜索' })),
      el('div', { class: 'grid2' },
        el('section', { class: 'card stack' }, el('h2', { text: '表单' }), field,
          el('div', { class: 'chips' }, ['B06 煤炭开采和洗选业', 'C35 专用设备制造业'].map((c) =>
            el('span', { class: 'chip' }, c, el('button', { type: 'button', 'aria-label': `移除 ${c}`, text: '×' })))),
          el('p', {}, '未读 ', el('span', { class: 'badge', text: '3' }), ' ', el('span', { class: 'badge neutral', text: '12' })),
          el('div', { class: 'row' }, states.map((s) => el('span', { class: `pill state-${s}`, text: s }))),
          banner('good', '已保存'), banner('bad', '保存失败：网络错误')),
        el('section', { class: 'card' }, el('h2', { text: '详情' }),
          el('dl', { class: 'kv' }, [['预算', '50万元'], ['截止日期', '2026年12月31日'], ['技术成熟度', 'TRL 7'], ['地区', '贵州省六盘水市']]
            .flatMap(([k, v]) => [el('dt', { text: k }), el('dd', { text: v })])),
          el('div', { class: 'table-wrap' }, el('table', { class: 'data' },
            el('thead', {}, el('tr', {}, el('th', { text: '成果' }), el('th', { class: 'num', text: '匹配度' }))),
            el('tbody', {}, el('tr', {}, el('td', { text: '液压支架电液控制系统' }), el('td', { class: 'num', text: '71%' })),
              el('tr', {}, el('td', { text: '电液控制阀组' }), el('td', { class: 'num', text: '45%' }))))),
          el('div', { class: 'pager' }, el('span', { text: '共 74 项，显示 50 项' }), el('button', { type: 'button', class: 'ghost', text: '更多' })))),
      skeleton(3), empty('empty', el('a', { class: 'button', href: '#/mine', text: '发布需求' })));
  });
  await ent.evaluate(() => { document.getElementById('f_q_err').textContent = '请输入关键词，或选择一个领域'; });
  const errBox = await ent.locator('#f_budget_err').boundingBox();
  const budgetBox = await ent.locator('#f_budget').boundingBox();
  check(errBox.y >= budgetBox.y + budgetBox.height, 'a field\'s error sits under its control');
  const qBox = await ent.locator('.toolbar #f_q').boundingBox();
  const goBox = await ent.locator('.toolbar button').boundingBox();
  check(Math.abs((qBox.y + qBox.height) - (goBox.y + goBox.height)) <= 2, 'the toolbar\'s button is level with its inputs, even beside an error');
  await axeCheck(ent, 'every shared component');
  await ent.screenshot({ path: `${shots}/design-components.png`, fullPage: true });
  await ent.setViewportSize(PHONE);
  await axeCheck(ent, 'every shared component on a phone');
  await ent.screenshot({ path: `${shots}/design-components-phone.png`, fullPage: true });
  await ent.setViewportSize(DESKTOP);
  ok('the shared components pass the accessibility check at both widths');

  // ---------- the statistics: readable at both widths ----------
  for (const [viewport, locale] of [[DESKTOP, 'zh-CN'], [PHONE, 'en-US']]) {
    const p = await signedIn(brokerEmail, { viewport, locale });
    await p.goto(`${base}/#/stats`);
    await p.waitForSelector('.chart .chart-row');
    const st = await call(p, 'GET', '/api/stats');
    check((await text(p, '#stats-deals .stat-value')) === String(st.deals.count), 'the deals figure is the server\'s');
    const funnelRow = await text(p, '.chart-row');
    check(funnelRow.includes(locale === 'zh-CN' ? '待审核' : 'Suggested') && funnelRow.includes(String(st.funnel.suggested)),
      `the funnel's first row names its stage and count: ${funnelRow}`);
    const sizes = await p.evaluate(() => [...document.querySelectorAll('.chart-label, .chart-bar span')]
      .map((e) => parseFloat(getComputedStyle(e).fontSize)));
    check(sizes.length > 10 && Math.min(...sizes) >= 12, `chart text is 12 px or more (${Math.min(...sizes)})`);
    const overlaps = await p.evaluate(() => [...document.querySelectorAll('.chart-row')].filter((r) => {
      const l = r.querySelector('.chart-label').getBoundingClientRect();
      return [...r.querySelectorAll('.chart-bar i')].some((b) => {
        const x = b.getBoundingClientRect();
        return x.left < l.right - 1 && x.top < l.bottom - 1 && l.top < x.bottom - 1;
      });
    }).length);
    check(overlaps === 0, `no label overlaps a bar (${overlaps})`);
    const width = await p.evaluate(() => document.documentElement.scrollWidth);
    check(width <= viewport.width, `the statistics fit the screen (${width})`);
    await axeCheck(p, `statistics at ${viewport.width} px`);
    if (viewport === DESKTOP) await shot(browser, p, shots, 'design-stats');
    else await p.screenshot({ path: `${shots}/design-stats-en-phone.png`, fullPage: true });
    await p.context().close();
  }
  ok('statistics readable at desktop (zh) and phone (en) width');

  ok('design walk done');
  await browser.close();
} catch (e) {
  console.log(`FAILED: ${e.message}`);
  // What each open page showed, to see why.
  let n = 0;
  for (const ctx of browser.contexts()) {
    for (const p of ctx.pages()) {
      n += 1;
      console.log(`page ${n} ${p.url()}: ${((await p.textContent('main').catch(() => '')) || '').slice(0, 300)}`);
      await p.screenshot({ path: `${shots}/design-failure-${n}.png`, fullPage: true }).catch(() => {});
    }
  }
  await browser.close();
  process.exit(1);
}
