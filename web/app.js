// app.js: the techmatch UI's entry: the navigation, the routes and the start-up.
// No framework and no build step: each page is an ES module (page_*.js) over the
// shared helpers in ui.js; the closed vocabularies' codes are in vocab.js and the
// words in i18n.js.  The session is an HttpOnly cookie that no script can read;
// pages are chosen by the location hash.
import { t, getLang, setLang, addWords } from './i18n.js';
import { el, api, loadFields, pagePath } from './ui.js';
import { loadVocab } from './vocab.js';
import { session, connectShell, loadMe, isStaff, isOrgUser } from './session.js';
import { listingsPage, listingPage } from './page_listings.js';
import { authPage, verifyPage } from './page_auth.js';
import { minePage } from './page_mine.js';
import { inboxPage, startStream, stopStream } from './page_inbox.js';
import { reviewPage } from './page_review.js';
import { statsPage } from './page_stats.js';
import { matchPage } from './page_match.js';
import { settingsPage } from './page_settings.js';
import { pipelinePage } from './page_pipeline.js';
import { usersPage } from './page_users.js';
import { policyPage } from './page_policy.js';
import { thesaurusPage } from './page_thesaurus.js';
import { homePage } from './page_home.js';

// ---------- navigation ----------

addWords({
  shell_home: ['首页', 'Home'], shell_menu: ['菜单', 'Menu'], shell_switch_lang: ['切换语言', 'switch language'],
  shell_signed_in: ['当前用户', 'Signed in'],
});

// The links the signed-in user's role may follow: [href, label].  Signed in, #/ is the home page and the
// demand list is #/demands; for a visitor #/ is the demand list.
function navLinks(me) {
  const links = me ? [['#/', t('shell_home')], ['#/demands', t('demands')]] : [['#/demands', t('demands')]];
  links.push(['#/achievements', t('achievements')]);
  if (me && isOrgUser(me)) links.push(['#/mine', t('mine')]);
  if (me && me.role === 'enterprise') links.push(['#/inbox', t('inbox')], ['#/settings', t('settings')]);
  if (me && isStaff(me)) {
    links.push(['#/review', t('review')], ['#/pipeline', t('pipeline')], ['#/stats', t('stats')]);
  }
  // The admin's bar is full at desktop width (policy, accounts): the admin reaches the thesaurus from the policy page.
  if (me && me.role === 'broker') links.push(['#/thesaurus', t('th_nav')]);
  if (me && me.role === 'admin') links.push(['#/policy', t('policy')], ['#/users', t('accounts')]);
  return links;
}

// The link of links that the location hash here belongs to (itself, a page under it, or its query).
function currentLink(links, here, me) {
  const path = here.split('?')[0];
  const target = !me && (path === '#/' || path === '#') ? '#/demands' : path;
  let best = null;
  for (const [href] of links) {
    if (target === href || (href !== '#/' && target.startsWith(`${href}/`))) best = href;
  }
  return best;
}

// What the phone's menu adds, since its header has no room for it: who is signed in, or for a
// visitor the registration link (the header keeps the sign-in link).  Hidden on wider screens.
function phoneMenuExtras(me) {
  if (!me) return [el('a', { href: '#/register', class: 'nav-phone', text: t('register') })];
  return [el('p', { class: 'nav-phone nav-who' }, el('span', { class: 'sr-only', text: `${t('shell_signed_in')}: ` }),
    `${me.display_name} · ${t(me.role)}`)];
}

// Draws the navigation, who is signed in, the language switch and the page's fixed words.
function renderNav() {
  const me = session.me;
  const nav = document.getElementById('nav');
  const links = navLinks(me);
  const current = currentLink(links, location.hash || '#/', me);
  nav.replaceChildren(...links.map(([href, label]) => {
    const a = el('a', { href, text: label, 'aria-current': current === href ? 'page' : null });
    if (href === '#/inbox' && session.unread > 0) {
      a.append(el('span', { class: 'badge', id: 'unread', text: String(session.unread) }));
    }
    return a;
  }), ...phoneMenuExtras(me));
  // On a phone the inbox link hides in the closed menu: its button carries the unread count too.
  const toggle = document.getElementById('menu-toggle');
  toggle.querySelectorAll('.badge, .badge-sr').forEach((b) => b.remove());
  if (me && session.unread > 0) {
    toggle.append(el('span', { class: 'badge', 'aria-hidden': 'true', text: String(session.unread) }),
      el('span', { class: 'badge-sr sr-only', text: ` ${session.unread} ${t('unread')}` }));
  }
  const who = document.getElementById('who');
  if (me) {
    who.replaceChildren(el('span', { class: 'who-name', title: `${me.display_name} · ${t(me.role)}` },
      el('span', { class: 'sr-only', text: `${t('shell_signed_in')}: ` }), `${me.display_name} · `,
      el('span', { class: 'who-role', text: t(me.role) })),
    el('button', { type: 'button', class: 'ghost', onclick: logout, text: t('logout') }));
  } else {
    who.replaceChildren(el('a', { href: '#/login', text: t('login') }), el('a', { href: '#/register', class: 'button', text: t('register') }));
  }
  // The switch shows the language it leads to; its accessible name starts with that visible text.
  const lang = document.getElementById('lang');
  lang.textContent = getLang() === 'zh' ? 'EN' : '中文';
  lang.setAttribute('aria-label', `${lang.textContent} (${t('shell_switch_lang')})`);
  lang.setAttribute('lang', getLang() === 'zh' ? 'en' : 'zh');
  document.querySelectorAll('[data-t]').forEach((e) => { e.textContent = t(e.dataset.t); });
}

// Opens or closes the phone's navigation menu (the menu button shows and says which).
function setMenu(open) {
  document.querySelector('.top').classList.toggle('open', open);
  document.getElementById('menu-toggle').setAttribute('aria-expanded', String(open));
}

async function logout() {
  try { await api('POST', '/api/auth/logout'); } catch (e) { /* already out */ }
  session.me = null;
  stopStream();
  location.hash = '#/';
  route();
}

// ---------- routes ----------

// The pages that need a signed-in user: opened while signed out (a bookmark, a pushed notification's
// #/matches/ID link), they send the visitor to sign in first and back here afterwards (page_auth.js).
const SIGNED_IN_PAGES = ['mine', 'inbox', 'review', 'stats', 'matches', 'settings', 'pipeline', 'users', 'policy', 'thesaurus'];

// Draws the navigation and the page the location hash names (#/PAGE, #/PAGE/ID or #/PAGE?QUERY).
// #/ is the signed-in user's home page, and the demand list for visitors; #/demands is always the list.
function route() {
  setMenu(false);
  renderNav();
  const [path, query] = (location.hash || '#/').slice(2).split('?');
  const [page, id] = path.split('/');
  if (!page) return session.me ? homePage() : listingsPage('demands');
  if (!session.me && SIGNED_IN_PAGES.includes(page)) {
    location.replace(`#/login?next=${encodeURIComponent(location.hash)}`);
    return undefined;
  }
  if ((page === 'demands' || page === 'achievements') && id) return listingPage(page, id);
  if (page === 'demands') return listingsPage('demands');
  if (page === 'achievements') return listingsPage('achievements');
  if (page === 'login' || page === 'register') return authPage(page);
  if (page === 'verify') return verifyPage(new URLSearchParams(query).get('token') || '');
  if (page === 'mine') return minePage();
  if (page === 'inbox') return inboxPage();
  if (page === 'review') return reviewPage();
  if (page === 'stats') return statsPage();
  if (page === 'matches' && id) return matchPage(id);
  if (page === 'settings') return settingsPage();
  if (page === 'pipeline') return pipelinePage();
  if (page === 'users') return usersPage();
  if (page === 'policy') return policyPage();
  if (page === 'thesaurus') return thesaurusPage();
  return listingsPage('demands');
}

// ---------- start ----------

// A new push while the home page is open draws it again, so its figures agree with the badge.
connectShell({ signedIn: startStream, navChanged: renderNav,
  unreadRose: () => { if (session.me && pagePath() === '#/') homePage(); } });
document.getElementById('lang').addEventListener('click', () => { setLang(getLang() === 'zh' ? 'en' : 'zh'); route(); });
document.getElementById('menu-toggle').addEventListener('click', () => setMenu(!document.querySelector('.top').classList.contains('open')));
// Escape closes the phone's menu and gives the focus back to its button.
document.addEventListener('keydown', (ev) => {
  if (ev.key !== 'Escape' || !document.querySelector('.top').classList.contains('open')) return;
  setMenu(false);
  document.getElementById('menu-toggle').focus();
});
// A tap or click anywhere outside the header closes the phone's menu, as users expect of a menu.
document.addEventListener('click', (ev) => {
  if (document.querySelector('.top').classList.contains('open') && !ev.target.closest('.top')) setMenu(false);
});
window.addEventListener('hashchange', route);
setLang(getLang());
// The vocabularies and the taxonomy load side by side, then who is signed in, then the first page.
Promise.all([loadVocab(), loadFields()]).then(loadMe).then(route);
