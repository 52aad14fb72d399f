// page_auth.js: #/login and #/register.  Registering makes an organisation (an
// enterprise or a university) and its first user, then signs in as with the login.
import { t } from './i18n.js';
import { el, api, show, input, showErrors } from './ui.js';
import { session, loadMe, isStaff } from './session.js';
import { vocab } from './vocab.js';

// kind is "login" or "register"; once signed in, staff go to the review queue, others to their listings.
export function authPage(kind) {
  const form = el('form', { novalidate: true, onsubmit: async (ev) => {
    ev.preventDefault();
    const v = (n) => form.elements[n].value;
    try {
      if (kind === 'register') {
        await api('POST', '/api/auth/register', { org_name: v('org_name'), org_kind: v('org_kind'), email: v('email'),
          password: v('password'), display_name: v('display_name') });
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
  show(el('h1', { text: kind === 'register' ? t('register') : t('login') }), el('div', { class: 'card' }, form));
}
