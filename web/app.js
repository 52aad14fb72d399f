// app.js: the techmatch UI's entry: the navigation, the routes and the start-up.
// No framework and no build step: each page is an ES module (page_*.js) over the
// shared helpers in ui.js; the closed vocabularies' codes are in vocab.js and the
// words in i18n.js.  The session is an HttpOnly cookie that no script can read;
// pages are chosen by the location hash.
import { t, getLang, setLang } from './i18n.js';
import { el, api, loadFields } from './ui.js';
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

// ---------- navigation ----------

// The links the signed-in user's role may follow, who is signed in, and the page's fixed words.
function renderNav() {
  const me = session.me;
  const nav = document.getElementById('nav');
  const here = location.hash || '#/';
  const links = [['#/', t('demands')], ['#/achievements', t('achievements')]];
  if (me && isOrgUser(me)) links.push(['#/mine', t('mine')]);
  if (me && me.role === 'enterprise') links.push(['#/inbox', t('inbox')], ['#/settings', t('settings')]);
  if (me && isStaff(me)) {
    links.push(['#/review', t('review')], ['#/pipeline', t('pipeline')], ['#/stats', t('stats')]);
  }
  if (me && me.role === 'admin') links.push(['#/policy', t('policy')], ['#/users', t('accounts')]);
  nav.replaceChildren(...links.map(([href, label]) => {
    const a = el('a', { href, text: label, 'aria-current': here === href ? 'page' : null });
    if (href === '#/inbox' && session.unread > 0) a.append(el('span', { class: 'badge', id: 'unread', text: String(session.unread) }));
    return a;
  }));
  const who = document.getElementById('who');
  if (me) {
    who.replaceChildren(el('span', { class: 'muted', text: `${me.display_name} · ${t(me.role)}` }), ' ',
      el('button', { type: 'button', class: 'ghost', onclick: logout, text: t('logout') }));
  } else {
    who.replaceChildren(el('a', { href: '#/login', text: t('login') }), ' ', el('a', { href: '#/register', text: t('register') }));
  }
  // The switch's name starts with the words it shows (axe: label-content-name-mismatch).
  const lang = document.getElementById('lang');
  lang.textContent = getLang() === 'zh' ? 'EN' : '中文';
  lang.setAttribute('aria-label', getLang() === 'zh' ? 'EN: English' : '中文：切换为中文');
  document.querySelectorAll('[data-t]').forEach((e) => { e.textContent = t(e.dataset.t); });
}

async function logout() {
  try { await api('POST', '/api/auth/logout'); } catch (e) { /* already out */ }
  session.me = null;
  stopStream();
  location.hash = '#/';
  route();
}

// ---------- routes ----------

// Draws the navigation and the page the location hash names (#/PAGE, #/PAGE/ID or #/PAGE?QUERY).
function route() {
  renderNav();
  const [path, query] = (location.hash || '#/').slice(2).split('?');
  const [page, id] = path.split('/');
  if (!page) return listingsPage('demands');
  if ((page === 'demands' || page === 'achievements') && id) return listingPage(page, id);
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
  return listingsPage('demands');
}

// ---------- start ----------

connectShell({ signedIn: startStream, navChanged: renderNav });
document.getElementById('lang').addEventListener('click', () => { setLang(getLang() === 'zh' ? 'en' : 'zh'); route(); });
window.addEventListener('hashchange', route);
setLang(getLang());
// The vocabularies and the taxonomy load side by side, then who is signed in, then the first page.
Promise.all([loadVocab(), loadFields()]).then(loadMe).then(route);
