// listings.mjs: the listings in the real UI (tests/test_web_listings.c starts the server,
// registers the two organisations and posts 60 achievements first).
//
//   node tests/browser/listings.mjs BASE_URL SHOTS_DIR ENTERPRISE_EMAIL UNIVERSITY_EMAIL PASSWORD
//
// An enterprise posts a demand with every member through the form (zh), with errors beside
// the fields (五十万, a title too long), sees each member on its page, edits it and closes it
// after a confirmation; a university lists an achievement with every member (en); the
// achievements list pages past 50 with its total, keeps its filters in the URL across a
// reload, counts and highlights a search; the field picker searches by name in both
// languages and its chips remove; phone width; axe on the list, detail and form pages.
import { launch, newPage, shot, axeCheck, check, ok, PHONE } from './lib.mjs';

const [base, shots, entEmail, uniEmail, password] = process.argv.slice(2);
const browser = await launch();

// Signs p in (lang 'zh' or 'en'), landing on #/mine.
async function login(p, email, lang) {
  await p.goto(`${base}/#/login`);
  await p.evaluate((l) => localStorage.setItem('lang', l), lang);
  await p.reload();
  await p.fill('#f_email', email);
  await p.fill('#f_password', password);
  await p.click('form button[type=submit]');
  await p.waitForURL(/#\/$/); // signing in lands on the home page
  await p.waitForSelector('.stat-grid');
  await p.goto(`${base}/#/mine`);
  await p.waitForSelector('#create #f_title');
}

// Picks the field whose option shows after typing text into the picker input sel.
async function pickField(p, sel, text, code) {
  await p.fill(sel, text);
  const opt = p.locator(`[role=listbox] [role=option][data-code="${code}"]`);
  await opt.waitFor();
  await opt.click();
}

// The text of #id on the detail page.
async function dd(p, id) { return (await p.textContent(`#${id}`)).trim(); }

try {
  // ---------- the enterprise, in Chinese ----------
  const ent = await newPage(browser, { locale: 'zh-CN' });
  await login(ent, entEmail, 'zh');
  // The field picker: a combobox over the taxonomy, searchable by name in Chinese.
  const combo = ent.locator('#create #f_fields');
  check(await combo.getAttribute('role') === 'combobox', 'the field picker is a combobox');
  check(await combo.getAttribute('aria-expanded') === 'false', 'closed until used');
  await ent.fill('#create #f_fields', '煤炭');
  check(await combo.getAttribute('aria-expanded') === 'true', 'typing opens the list');
  const coal = await ent.locator('[role=listbox] [role=option]').allTextContents();
  check(coal.some((x) => x.includes('B06') && x.includes('煤炭开采')), `煤炭 finds B06 (${coal.join('|')})`);
  await axeCheck(ent, 'the field picker, open');
  await ent.keyboard.press('ArrowDown');
  await ent.keyboard.press('ArrowUp');
  await ent.keyboard.press('Enter');
  await ent.fill('#create #f_fields', '电气机械');
  await ent.keyboard.press('Enter');
  let chips = await ent.locator('#create .fp-chips .chip').allTextContents();
  check(chips.length === 2 && chips[0].includes('B06') && chips[1].includes('C38'), `two chips: ${chips.join('|')}`);
  await ent.click('#create .fp-chips .chip:nth-child(2) button');
  chips = await ent.locator('#create .fp-chips .chip').allTextContents();
  check(chips.length === 1 && chips[0].includes('B06'), 'a chip removes with its button');
  ok('the field picker searches in Chinese, picks by keyboard, and chips remove');

  await ent.fill('#f_title', '综采工作面液压支架电液控制系统国产化');
  await ent.fill('#f_description', '替代进口电液控制系统，要求支架动作响应小于1秒，适配井下防爆环境。');
  await ent.fill('#f_keywords', '液压支架, 电液控制，防爆');
  await ent.fill('#f_region', '贵州省六盘水市');
  await ent.fill('#f_budget_min', '五十万');
  await ent.fill('#f_budget_max', '800,000');
  await ent.fill('#f_deadline', '2030-06-30');
  await ent.check('#f_cooperation_modes input[value=transfer]');
  await ent.check('#f_cooperation_modes input[value=license]');
  await ent.fill('#f_contact', '李工 138xxxx0000');
  await ent.fill('#f_ref', 'LD-2026-01');
  check((await ent.textContent('#f_budget_max_help')).includes('80万元'), 'the budget says what it will store');
  await ent.evaluate(() => window.scrollTo(0, 0));
  await shot(browser, ent, shots, 'listings-form-zh');
  await axeCheck(ent, 'the demand form (zh)');
  await ent.click('#create button[type=submit]');
  await ent.waitForSelector('#f_budget_min_err:not(:empty)');
  const moneyErr = await ent.textContent('#f_budget_min_err');
  check(moneyErr.includes('五十万') && moneyErr.includes('50万'), `五十万 is refused with a message: ${moneyErr}`);
  check(/#\/mine$/.test(ent.url()), 'nothing was posted');
  check(await ent.getAttribute('#f_budget_min', 'aria-invalid') === 'true', 'the field is marked invalid');
  ok('five-0 refused beside the budget');
  await ent.locator('#f_budget_min').scrollIntoViewIfNeeded();
  await ent.screenshot({ path: `${shots}/listings-form-error-zh.png` });
  await ent.fill('#f_budget_min', '50万');
  await ent.fill('#f_title', '液'.repeat(201));
  await ent.click('#create button[type=submit]');
  await ent.waitForSelector('#f_title_err:not(:empty)');
  check((await ent.textContent('#f_budget_min_err')) === '', 'the fixed budget has no error left');
  ok(`a title too long is refused beside it: ${await ent.textContent('#f_title_err')}`);
  await ent.fill('#f_title', '综采工作面液压支架电液控制系统国产化');
  await ent.click('#create button[type=submit]');
  await ent.waitForURL(/#\/demands\/\d+$/);
  await ent.waitForSelector('#detail');

  // Every member on the detail page, formatted.
  check((await dd(ent, 'd-budget')).includes('50万元') && (await dd(ent, 'd-budget')).includes('80万元'), 'budget shown');
  check((await dd(ent, 'd-deadline')).includes('2030年6月30日'), `deadline shown: ${await dd(ent, 'd-deadline')}`);
  check((await dd(ent, 'd-modes')).includes('转让') && (await dd(ent, 'd-modes')).includes('许可'), 'modes shown');
  check((await dd(ent, 'd-keywords')).includes('防爆'), 'keywords shown');
  check((await dd(ent, 'd-fields')).includes('B06 煤炭开采和洗选业'), 'fields named');
  check((await dd(ent, 'd-region')) === '贵州省六盘水市', 'region shown');
  check((await dd(ent, 'd-contact')).includes('李工'), 'contact shown to the owner');
  check((await dd(ent, 'd-ref')) === 'LD-2026-01', 'reference shown to the owner');
  check((await dd(ent, 'd-org')).includes('凉都矿业集团'), 'organisation shown to the owner');
  const created = await dd(ent, 'd-created');
  check(/\d{4}年/.test(created) && !created.includes('T'), `the date is formatted: ${created}`);
  check((await ent.textContent('#listing-status')).includes('进行中'), 'status shown');
  ok('the demand page shows every member');

  // Its matches: the other side only, titles linking, none below the suggest threshold.
  await ent.waitForSelector('#matches .match-card, #matches .empty');
  const links = await ent.locator('#matches .match-card h3 a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  check(links.length > 0 && links.every((h) => /^#\/achievements\/\d+$/.test(h)), `match titles link: ${links.slice(0, 3)}`);
  const matchText = await ent.textContent('#matches');
  check(!matchText.includes('要求支架动作响应小于1秒'), 'the demand is not repeated in each match');
  const scores = await ent.locator('#matches .score').allTextContents();
  check(scores.every((s) => Number(s.replace(/\D/g, '')) >= 10), `no match under the threshold: ${scores}`);
  check(await ent.locator('#matches mark').count() > 0, 'shared terms are marked');
  ok('matches link to the achievements and do not repeat the demand');
  await shot(browser, ent, shots, 'listings-detail-zh');
  await axeCheck(ent, 'the demand page (zh)');

  // Edit: the full form, filled with the stored members.
  await ent.click('#edit-toggle');
  await ent.waitForSelector('#edit #f_title');
  check(await ent.inputValue('#edit #f_budget_min') === '500000', 'the edit form holds the budget');
  check(await ent.inputValue('#edit #f_deadline') === '2030-06-30', 'the edit form holds the deadline');
  check(await ent.isChecked('#edit #f_cooperation_modes input[value=license]'), 'the edit form holds the modes');
  check((await ent.locator('#edit .fp-chips .chip').allTextContents()).join().includes('B06'), 'the edit form holds the fields');
  await ent.fill('#edit #f_budget_max', '100万');
  await ent.fill('#edit #f_region', '贵州省');
  await ent.uncheck('#edit #f_cooperation_modes input[value=transfer]');
  await ent.fill('#edit #f_budget_min', '12abc');
  await ent.click('#edit button[type=submit]');
  await ent.waitForSelector('#edit #f_budget_min_err:not(:empty)');
  await ent.fill('#edit #f_budget_min', '500,000');
  await ent.click('#edit button[type=submit]');
  await ent.waitForFunction(() => document.querySelector('#d-budget') && document.querySelector('#d-budget').textContent.includes('100万元'));
  check((await dd(ent, 'd-region')) === '贵州省', 'the region was edited');
  check(!(await dd(ent, 'd-modes')).includes('转让'), 'a mode was removed');
  ok('the owner edits the demand');

  // Close, after a confirmation (cancel first: nothing happens).
  await ent.click('#close-listing');
  const dlg = ent.getByRole('alertdialog');
  await dlg.waitFor();
  await dlg.getByRole('button', { name: '取消' }).click();
  check((await ent.textContent('#listing-status')).includes('进行中'), 'cancelled: still open');
  await ent.click('#close-listing');
  await ent.getByRole('alertdialog').getByRole('button', { name: '确认关闭' }).click();
  await ent.waitForFunction(() => document.querySelector('#listing-status')?.textContent.includes('已关闭'));
  check(await ent.locator('#close-listing').count() === 0, 'a closed listing has no close button');
  ok('closing asks first, then closes');
  await ent.goto(`${base}/#/mine?status=closed`);
  await ent.waitForSelector('#mine-list .listing-card');
  check(await ent.inputValue('#mine-status') === 'closed', 'the status filter is read from the URL');
  check((await ent.textContent('#mine-list')).includes('已关闭') && (await ent.textContent('#mine-summary')).includes('共 1 条'),
    'mine lists the closed demand');

  // ---------- the university, in English ----------
  const uni = await newPage(browser, { locale: 'en-US' });
  await login(uni, uniEmail, 'en');
  await uni.waitForSelector('#mine-summary:not(:empty)');
  check((await uni.textContent('#mine-summary')).includes('Showing 20 of 60'), `mine shows its total: ${await uni.textContent('#mine-summary')}`);
  check(await uni.isVisible('#mine-more'), 'mine offers more');
  await uni.click('#mine-more');
  await uni.waitForFunction(() => document.querySelector('#mine-summary')?.textContent.includes('Showing 40 of 60'));
  check(await uni.locator('#mine-list .listing-card').count() === 40, 'mine pages by cursor');
  await pickField(uni, '#create #f_fields', 'washing of coal', 'B06');
  await pickField(uni, '#create #f_fields', 'computer programming', 'I65');
  await uni.fill('#f_title', 'Electro-hydraulic control for longwall shields');
  await uni.fill('#f_abstract', 'Shield response under 0.5 s, explosion-proof controller, replaces imports.');
  await uni.fill('#f_keywords', 'hydraulic support, electro-hydraulic control');
  await uni.fill('#f_region', '江苏省徐州市');
  await uni.fill('#f_price', '1,200,000');
  await uni.selectOption('#f_trl', '7');
  await uni.selectOption('#f_ip_type', 'invention_patent');
  await uni.fill('#f_patent_no', 'ZL202010123456.7');
  await uni.check('#f_transfer_modes input[value=license]');
  await uni.check('#f_transfer_modes input[value=joint_development]');
  await uni.fill('#f_contact', 'Prof. Wang, tto@example.edu');
  await uni.fill('#f_ref', 'CUMT-7');
  check((await uni.textContent('#f_price_help')).includes('¥1,200,000'), 'the price says what it will store');
  await uni.evaluate(() => window.scrollTo(0, 0));
  await shot(browser, uni, shots, 'listings-form-en');
  await axeCheck(uni, 'the achievement form (en)');
  await uni.click('#create button[type=submit]');
  await uni.waitForURL(/#\/achievements\/\d+$/);
  await uni.waitForSelector('#detail');
  check((await dd(uni, 'd-price')) === '¥1,200,000', `price: ${await dd(uni, 'd-price')}`);
  check((await dd(uni, 'd-trl')).startsWith('7'), 'TRL shown');
  check((await dd(uni, 'd-ip')) === 'Invention patent', 'IP type shown');
  check((await dd(uni, 'd-patent')) === 'ZL202010123456.7', 'patent number shown');
  check((await dd(uni, 'd-modes')).includes('Licence') && (await dd(uni, 'd-modes')).includes('Joint development'), 'modes shown');
  check((await dd(uni, 'd-fields')).includes('I65'), 'both fields shown');
  check((await dd(uni, 'd-created')).match(/\d{4}/) && !(await dd(uni, 'd-created')).includes('T'), 'date formatted');
  await uni.waitForSelector('#matches .match-card, #matches .empty');
  await shot(browser, uni, shots, 'listings-detail-en');
  await axeCheck(uni, 'the achievement page (en)');
  ok('the university lists an achievement with every member');

  // ---------- the achievements list: total, more, filters in the URL, search ----------
  await uni.goto(`${base}/#/achievements`);
  await uni.waitForSelector('#results .listing-card');
  check((await uni.textContent('#summary')).includes('61 in all'), `the list says its total: ${await uni.textContent('#summary')}`);
  check((await uni.textContent('#shown')).includes('Showing 20 of 61'), 'the pager says how many are shown');
  await shot(browser, uni, shots, 'listings-list-en');
  await axeCheck(uni, 'the achievements list (en)');
  for (let n = 20; n < 61; n += 20) {
    check(await uni.locator('#results .listing-card').count() === n, `${n} shown`);
    await uni.click('#more');
    await uni.waitForFunction((k) => document.querySelectorAll('#results .listing-card').length > k, n);
  }
  check(await uni.locator('#results .listing-card').count() === 61, 'all 61 after paging');
  check(await uni.isHidden('#more'), 'no more after the last page');
  check((await uni.textContent('#shown')).includes('Showing 61 of 61'), 'the pager counts');
  ok('the list pages past 50 with its total');

  await uni.fill('#q', '液压支架');
  await pickField(uni, '#f_field', 'electrical machinery', 'C38');
  await uni.waitForFunction(() => location.hash.includes('field=C38'));
  await uni.click('form[role=search] button[type=submit]');
  await uni.waitForFunction(() => location.hash.includes('q='));
  await uni.waitForSelector('#summary strong');
  const found = await uni.textContent('#summary');
  check(found.includes('20 found') && !found.includes('null'), `the search counts: ${found}`);
  const marks = await uni.locator('#results .listing-card mark').allTextContents();
  check(marks.length >= 20 && marks.every((m) => m.includes('液压')), `the words are marked: ${marks.slice(0, 3)}`);
  await uni.selectOption('#sort', 'newest');
  await uni.waitForFunction(() => location.hash.includes('sort=newest'));
  await uni.waitForSelector('#results .listing-card');
  const hash = new URL(uni.url()).hash;
  check(hash.includes('field=C38') && hash.includes('sort=newest'), `filters in the URL: ${hash}`);
  const firstBefore = await uni.textContent('#results .listing-card h3');
  await uni.reload();
  await uni.waitForSelector('#summary strong');
  check(await uni.inputValue('#q') === '液压支架', 'the words survive a reload');
  check((await uni.locator('.filter-field .chip').allTextContents()).join().includes('C38'), 'the field survives a reload');
  check(await uni.inputValue('#sort') === 'newest', 'the sort survives a reload');
  check((await uni.textContent('#summary')).includes('20 found'), 'the same count after a reload');
  check(await uni.textContent('#results .listing-card h3') === firstBefore, 'the same first result after a reload');
  ok('filters survive a reload');
  await shot(browser, uni, shots, 'listings-search-en');

  // ---------- anonymous, Chinese, phone width: list and picker ----------
  const ph = await newPage(browser, { viewport: PHONE, locale: 'zh-CN' });
  await ph.goto(`${base}/#/achievements?q=${encodeURIComponent('电液控制')}`);
  await ph.evaluate(() => localStorage.setItem('lang', 'zh'));
  await ph.reload();
  await ph.waitForSelector('#summary strong');
  check((await ph.textContent('#summary')).includes('找到 60 条'), `zh count: ${await ph.textContent('#summary')}`);
  await pickField(ph, '#f_field', '采矿', 'B');
  await ph.waitForFunction(() => location.hash.includes('field=B'));
  await ph.waitForFunction(() => document.querySelector('#summary')?.textContent.includes('找到 40 条'));
  const wide = await ph.evaluate(() => document.documentElement.scrollWidth);
  check(wide <= PHONE.width + 1, `nothing wider than the phone (${wide}px)`);
  await axeCheck(ph, 'the achievements list at phone width (zh)');
  ok('phone width: list, search and picker');
  const zh = await newPage(browser, { locale: 'zh-CN' });
  await zh.goto(ph.url());
  await zh.evaluate(() => localStorage.setItem('lang', 'zh'));
  await zh.reload();
  await zh.waitForSelector('#summary strong');
  check((await zh.textContent('#summary')).includes('找到 40 条'), 'the link reproduces the view');
  await shot(browser, zh, shots, 'listings-list-zh');

  await browser.close();
} catch (e) {
  console.log(`FAILED: ${e.stack || e.message}`);
  await browser.close();
  process.exit(1);
}
