// page_auth.js: #/login, #/register and #/verify.  Registering makes an organisation
// (an enterprise or a university) and its first user, then signs in as with the login;
// on a server with mail it only says to look for the mail, whose #/verify link
// finishes the registration and signs in.
import { t } from './i18n.js';
import { el, api, show, input, showErrors, loading, banner } from './ui.js';
import { session, loadMe, isStaff } from './session.js';
import { vocab } from './vocab.js';

// kind is "login" or "register"; once signed in, staff go to the review queue, others to their listings.
export function authPage(kind) {
  const form = el('form', { novalidate: true, onsubmit: async (ev) => {
    ev.preventDefault();
    const v = (n) => form.elements[n].value;
    try {
      if (kind === 'register') {
        const r = await api('POST', '/api/auth/register', { org_name: v('org_name'), org_kind: v('org_kind'),
          email: v('email'), password: v('password'), display_name: v('display_name') });
        if (r && r.status === 'mail_sent') { form.replaceWith(banner('good', t('check_mail'))); return; }
      }
      await api('POST', '/api/auth/login', { email: v('email'), password: v('password'), cookie: true });
      await loadMe();
      location.hash = isStaff(session.me) ? '#/review' : '#/mine';
    } catch (e) { showErrors(form, e); }
  } },
  kind === 'register' ? [input('org_name', t('org_name'), { autocomplete: 'organization' }),
    input('org_kind', t('org_kind'), { options: vocab.org_kinds.map((k) => [k, t(k)]) }),
    input('display_name', t('display_name'), { autocomplete: 'name' })] : [],
  input('email', t('email'), { type: 'email', autocomplete: 'email' }),
  input('password', t('password'), { type: 'password', autocomplete: kind === 'register' ? 'new-password' : 'current-password' }),
  el('button', { type: 'submit', text: kind === 'register' ? t('register') : t('login') }));
  show(el('h1', { text: kind === 'register' ? t('register') : t('login') }), el('div', { class: 'card auth-card' }, form));
}

// #/verify?token=...: the mailed link.  Posts the token, which signs the new user in; the
// link leaves the browser's history (location.replace), since it would not work twice.
export async function verifyPage(token) {
  show(el('h1', { text: t('verify') }), loading());
  try {
    await api('POST', '/api/auth/verify', { token, cookie: true });
    await loadMe();
    location.replace('#/mine');
  } catch (e) {
    const why = e.problem && e.problem.status === 410 ? t('link_gone') : e.message;
    show(el('h1', { text: t('verify') }), el('div', { class: 'card' }, banner('bad', why),
      el('a', { href: '#/register', text: t('register') })));
  }
}
