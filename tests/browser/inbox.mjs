// inbox.mjs: an enterprise's inbox and its unread badge in the real UI, against a
// running techmatch server that tests/test_web_inbox.c prepared: the enterprise has
// three pushed matches, two of them read, and two more matches wait to be approved.
//
//   node tests/browser/inbox.mjs BASE_URL SHOTS_DIR EMAIL PASSWORD BROKER_TOKEN MATCH_A MATCH_B
//
// The broker's approvals of MATCH_A and MATCH_B (the pushes that must arrive live)
// are sent with BROKER_TOKEN from here, as another person's work would be.  Prints
// "ok STEP" for each step and exits 0 when every check held.
import { launch, newPage, shot, axeCheck, check, ok, PHONE } from './lib.mjs';

const [base, shots, email, password, brokerToken, matchA, matchB] = process.argv.slice(2);
const browser = await launch();

// Signs in through the login form and waits for the signed-in navigation.
async function login(p) {
  await p.goto(`${base}/#/login`);
  await p.fill('#f_email', email);
  await p.fill('#f_password', password);
  await p.click('form button[type=submit]');
  await p.waitForURL(/#\/$/); // signing in lands on the home page
  await p.waitForSelector('#nav a[href="#/inbox"]');
  await p.waitForSelector('.stat-grid');
}

// The badge's number as shown (0 when there is no badge), once the count has settled on want.
async function badgeBecomes(p, want, what) {
  try {
    await p.waitForFunction((n) => {
      const b = document.querySelector('#nav a[href="#/inbox"] .badge');
      return (b ? Number(b.textContent) : 0) === n;
    }, want, { timeout: 10000 });
  } catch (e) {
    const shown = await p.evaluate(() => document.querySelector('#nav a[href="#/inbox"] .badge')?.textContent || '0');
    check(false, `${what}: the badge shows ${shown}, expected ${want}`);
  }
  ok(`${what}: badge ${want}`);
}

// Approves a match as the broker (the push the enterprise's page must hear live).
async function approve(id) {
  const r = await fetch(`${base}/api/matches/${id}/approve`, { method: 'POST', headers: { Authorization: `Bearer ${brokerToken}` } });
  check(r.status === 200, `the broker's approval of ${id} answered ${r.status}`);
}

// The server's unread count, as the page's own session reads it.
async function serverUnread(p) {
  return p.evaluate(async () => (await (await fetch('/api/notifications/unread')).json()).unread);
}

try {
  const ent = await newPage(browser);
  await login(ent);
  // 2 read + 1 new: the badge is the server's 1, not the 3 events the stream replays.
  await badgeBecomes(ent, 1, 'two read and one new');
  await ent.waitForTimeout(1500); // the replayed history has arrived by now; it must not have counted
  await badgeBecomes(ent, 1, 'after the stream replayed the history');
  await ent.reload();
  await ent.waitForSelector('#nav a[href="#/inbox"]');
  await badgeBecomes(ent, 1, 'after a reload');

  // The inbox: newest first, each with its state and how long ago; opening it reads the new one.
  await ent.click('#nav a[href="#/inbox"]');
  await ent.waitForSelector('#notifications article.notification');
  const cards = ent.locator('#notifications article.notification');
  check(await cards.count() === 3, `three notifications, not ${await cards.count()}`);
  check(await cards.locator('.inbox-new').count() === 1, 'one is marked new');
  check((await cards.first().locator('.inbox-new').count()) === 1, 'the new one is on top');
  for (let i = 0; i < 3; i++) {
    const text = await cards.nth(i).textContent();
    check(text.includes('已推送'), `item ${i} shows its state: ${text.slice(0, 80)}`);
    const rel = await cards.nth(i).locator('time').textContent();
    check(/前|现在/.test(rel), `item ${i} shows a relative time: ${rel}`);
    check(!/\d{4}-\d\d-\d\dT/.test(text), `item ${i} shows no raw ISO time`);
    check(await cards.nth(i).locator('button.inbox-interested').count() === 1, `item ${i} offers "interested"`);
  }
  const all = await ent.textContent('main');
  check(!/null|undefined|NaN/.test(all), `no placeholder text in the inbox: ${all.slice(0, 200)}`);
  await badgeBecomes(ent, 0, 'after reading the inbox');
  check(await serverUnread(ent) === 0, 'the server says 0 unread too');
  await axeCheck(ent, 'inbox (zh)');
  await shot(browser, ent, shots, 'inbox');
  ok('the inbox shows state and relative time in Chinese');

  // A push while the inbox is open goes on top, marked new, and is read at once (the badge stays 0).
  await approve(matchA);
  await ent.waitForFunction(() => document.querySelectorAll('#notifications article.notification').length === 4,
    null, { timeout: 15000 });
  check(await cards.first().locator('.inbox-new').count() === 1, 'the live push is on top, marked new');
  check((await cards.first().locator('time').textContent()).length > 0, 'the live push shows when it came');
  await badgeBecomes(ent, 0, 'a live push on the open inbox');
  ok('a push arrives live on the open inbox');

  // "Interested": the button goes, the state shows, and stays so after a reload.
  const first = cards.first();
  const firstId = await first.getAttribute('data-id');
  await first.locator('button.inbox-interested').click();
  await ent.waitForFunction((id) => {
    const c = document.querySelector(`article.notification[data-id="${id}"]`);
    return c && !c.querySelector('button.inbox-interested') && c.textContent.includes('有意向');
  }, firstId);
  check((await first.textContent()).includes('经纪人将为双方引荐'), 'the item says what comes next');
  await ent.reload();
  await ent.waitForSelector(`article.notification[data-id="${firstId}"] .pill`);
  const again = ent.locator(`article.notification[data-id="${firstId}"]`);
  check(await again.locator('button.inbox-interested').count() === 0, 'no second "interested" after a reload');
  check((await again.locator('.pill').textContent()).includes('有意向'), 'the state is interested after a reload');
  ok('after "interested" the button is gone and the state shows');

  // A match answered elsewhere (another tab): pressing the stale button refreshes the item, no English 409 text.
  const stale = cards.nth(1);
  const staleMatch = (await stale.locator('h3 a').getAttribute('href')).split('/').pop();
  const r = await ent.evaluate(async (id) => (await fetch(`/api/matches/${id}/interested`,
    { method: 'POST', headers: { 'X-Techmatch': '1' } })).status, staleMatch);
  check(r === 200, `the other tab's answer: ${r}`);
  await stale.locator('button.inbox-interested').click();
  await ent.waitForFunction((id) => {
    const c = document.querySelectorAll('#notifications article.notification')[1];
    return c && !c.querySelector('button.inbox-interested') && c.querySelector('.pill').textContent.includes('有意向');
  }, staleMatch);
  const mainText = await ent.textContent('main');
  check(!/the match is|may:|409|Conflict/.test(mainText), `no English conflict text: ${mainText.slice(0, 200)}`);
  ok('a conflict refreshes the item instead of showing the server\'s text');

  // English: the same inbox, in English words and times.
  await ent.click('#lang');
  await ent.waitForFunction(() => document.querySelector('main h1')?.textContent === 'Inbox');
  const en = ent.locator('#notifications article.notification');
  check((await en.first().locator('.pill').textContent()) === 'Interested', 'the state in English');
  check(/ago|now/.test(await en.first().locator('time').textContent()), 'the relative time in English');
  check((await en.nth(2).locator('button.inbox-interested').textContent()) === 'Interested', 'the answer in English');
  check((await en.nth(2).locator('.pill').textContent()) === 'Pushed', 'a pushed item in English');
  await axeCheck(ent, 'inbox (en)');
  await shot(browser, ent, shots, 'inbox-en');
  ok('items show state and relative time in English');

  // Elsewhere in the UI, a new push moves the badge live, without a reload.
  await ent.click('#lang');
  await ent.click('#nav a[href="#/mine"]');
  await ent.waitForSelector('main h1');
  await badgeBecomes(ent, 0, 'before the next push');
  await approve(matchB);
  await badgeBecomes(ent, 1, 'a push while another page is open');
  check(await serverUnread(ent) === 1, 'the server says 1 unread too');

  // At phone width: the inbox fits the screen, the state and the answer are there.
  const phone = await newPage(browser, { viewport: PHONE });
  await phone.context().addCookies(await ent.context().cookies());
  await phone.goto(`${base}/#/inbox`);
  await phone.waitForSelector('#notifications article.notification .pill');
  const width = await phone.evaluate(() => document.documentElement.scrollWidth);
  check(width <= PHONE.width, `the inbox fits a phone (${width} px wide)`);
  const pb = phone.locator('#notifications article.notification button.inbox-interested').first();
  const box = await pb.boundingBox();
  check(box && box.x >= 0 && box.x + box.width <= PHONE.width, 'the answer button is on the phone screen');
  await axeCheck(phone, 'inbox (phone)');
  await phone.context().close();
  ok('the inbox at phone width');
} catch (e) {
  console.log(`FAIL ${e.message}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
