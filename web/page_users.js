// page_users.js: #/users, the admin's list of accounts and the form that adds a
// broker or admin account.
import { t } from './i18n.js';
import { el, api, show, loading, banner, input, showErrors } from './ui.js';
import { vocab } from './vocab.js';

export async function usersPage() {
  show(loading());
  const list = el('tbody', {});
  const refresh = async () => {
    const r = await api('GET', '/api/users');
    list.replaceChildren(...r.items.map((u) => el('tr', {}, el('td', { text: u.display_name }), el('td', { text: u.email }),
      el('td', { text: t(u.role) }), el('td', { text: u.org_name }))));
  };
  const form = el('form', { novalidate: true, onsubmit: async (ev) => {
    ev.preventDefault();
    const v = (n) => form.elements[n].value.trim();
    try {
      await api('POST', '/api/users', { email: v('email'), password: form.elements.password.value, display_name: v('display_name'),
        role: v('role') });
      form.reset();
      showErrors(form, { problem: {} });
      form.prepend(banner('good', t('saved')));
      refresh();
    } catch (e) { showErrors(form, e); }
  } }, input('display_name', t('display_name')), input('email', t('email'), { type: 'email' }),
  input('password', t('password'), { type: 'password', autocomplete: 'new-password' }),
  input('role', t('role'), { options: vocab.staff_roles.map((r) => [r, t(r)]) }),
  el('button', { type: 'submit', text: t('add_account') }));
  show(el('h1', { text: t('accounts') }), el('div', { class: 'grid2' },
    el('section', { class: 'card' }, el('table', { class: 'data' }, el('thead', {}, el('tr', {}, [t('display_name'), t('email'), t('role'), t('org')]
      .map((h) => el('th', { scope: 'col', text: h })))), list)),
    el('section', { class: 'card' }, el('h2', { text: t('add_account') }), form)));
  refresh().catch((e) => list.replaceChildren(el('tr', {}, el('td', { text: e.message }))));
}
