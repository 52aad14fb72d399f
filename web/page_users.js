// page_users.js: #/users, the admin's accounts page: the broker and admin accounts
// (name, email, role as a pill, organisation, and the created date when the API gives
// one) and the form that adds one, with each field's error beside it and a toast on
// success.  On a phone the table becomes one card per account (each value under its
// column's name), so nothing overflows.
import { t, addWords } from './i18n.js';
import { el, api, show, input, showErrors, skeleton, toast, banner } from './ui.js';
import { session } from './session.js';
import { vocab } from './vocab.js';
import { fmtDate, fmtCount } from './format.js';

addWords({
  users_title: ['账号管理', 'Staff accounts'],
  users_sub: ['技术经纪人审核匹配、推进对接；管理员还能调整匹配策略、管理账号。', 'Brokers review matches and move deals on; admins also set the matching policy and manage accounts.'],
  users_list: ['经纪人与管理员', 'Brokers and admins'], users_count: ['共 {0} 个账号', 'Accounts: {0}'],
  users_account: ['账号', 'Account'], users_display: ['姓名', 'Name'], users_created: ['创建时间', 'Created'],
  users_empty: ['还没有经纪人账号。用右侧表单添加第一位技术经纪人，他们将审核系统推荐的匹配。', 'No broker accounts yet. Add the first broker with the form: brokers review the matches the system suggests.'],
  users_add_title: ['添加账号', 'Add an account'],
  users_add_sub: ['新账号用这里设定的邮箱和密码登录；请通过安全渠道把密码告诉对方。', 'The new account signs in with this email and password; pass the password on by a safe channel.'],
  users_pw_help: ['至少 10 个字符', 'At least 10 characters'],
  users_role_help: ['经纪人：审核与对接；管理员：另可管理策略和账号', 'Broker: reviews and deals; admin: also policy and accounts'],
  users_org: ['所属机构（可选）', 'Organisation (optional)'],
  users_org_help: ['留空则为“{0}”', 'Empty: {0}'],
  users_added: ['已添加账号：{0}（{1}）', 'Account added: {0} ({1})'],
  users_required: ['请填写此项', 'Please fill this in'], users_adding: ['正在添加…', 'Adding…'],
  users_you: ['（您）', ' (you)'], users_admin_only: ['只有管理员可以管理账号。', 'Only admins manage accounts.'],
});

// The table's columns, by word key; the created date only when the API gives it.
function columns(withCreated) { return ['users_account', 'role', 'org', ...(withCreated ? ['users_created'] : [])]; }

// One account as a table row: name and email together, the role as a pill, the organisation and,
// when known, the created date.  Each cell names its column (data-label) for the phone's card layout.
function userRow(u, fresh, withCreated) {
  const me = session.me && session.me.email === u.email;
  const cell = (key, ...kids) => el('td', { 'data-label': t(key) }, el('div', { class: 'cell' }, ...kids));
  return el('tr', { class: fresh ? 'is-new' : null, 'data-email': u.email },
    cell('users_account', el('strong', { class: 'users-name', text: u.display_name }),
      me ? el('span', { class: 'muted', text: t('users_you') }) : null,
      el('span', { class: 'users-email muted', text: u.email })),
    cell('role', el('span', { class: `pill role-${u.role}`, text: t(u.role) })),
    cell('org', u.org_name || '—'),
    withCreated ? cell('users_created', u.created_at ? el('time', { datetime: u.created_at, text: fmtDate(u.created_at) }) : '—') : null);
}

export async function usersPage() {
  const me = session.me;
  if (!me || me.role !== 'admin') { show(banner('bad', t('users_admin_only'))); return; }
  const body = el('tbody', {});
  const count = el('span', { class: 'muted', id: 'users-count', role: 'status' });
  const head = el('thead', {});
  const table = el('table', { class: 'data users-table', id: 'users' }, el('caption', { class: 'sr-only', text: t('users_list') }), head, body);
  const listBox = el('div', { id: 'users-list' }, skeleton(5));
  // Draws the accounts (fresh: the email of one just added, highlighted).
  const refresh = async (fresh = '') => {
    try {
      const r = await api('GET', '/api/users');
      count.textContent = t('users_count', fmtCount(r.items.length));
      if (!r.items.length) { listBox.replaceChildren(el('div', { class: 'empty', text: t('users_empty') })); return; }
      const withCreated = r.items.some((u) => u.created_at);
      head.replaceChildren(el('tr', {}, columns(withCreated).map((k) => el('th', { scope: 'col', text: t(k) }))));
      body.replaceChildren(...r.items.map((u) => userRow(u, u.email === fresh, withCreated)));
      listBox.replaceChildren(table);
    } catch (e) { listBox.replaceChildren(banner('bad', e.message)); }
  };
  const form = addForm(me, refresh);
  show(el('div', { class: 'page-head' }, el('div', {}, el('h1', { text: t('users_title') }), el('p', { class: 'sub', text: t('users_sub') }))),
    el('div', { class: 'users-grid' },
      el('section', { class: 'card', 'aria-labelledby': 'users-h' },
        el('div', { class: 'section-head' }, el('h2', { id: 'users-h', text: t('users_list') }), count), listBox),
      el('section', { class: 'card', 'aria-labelledby': 'users-add-h' }, el('h2', { id: 'users-add-h', text: t('users_add_title') }),
        el('p', { class: 'muted users-add-sub', text: t('users_add_sub') }), form)));
  refresh();
}

// The form that adds a broker or admin account; refresh(email) redraws the list after an add.
function addForm(me, refresh) {
  const submit = el('button', { type: 'submit', text: t('add_account') });
  const form = el('form', { novalidate: true, id: 'users-add', onsubmit: async (ev) => {
    ev.preventDefault();
    if (submit.disabled) return;
    const v = (n) => form.elements[n].value.trim();
    const missing = ['display_name', 'email', 'password'].filter((n) => !v(n))
      .map((field) => ({ field, message: t('users_required') }));
    if (missing.length) { showErrors(form, { problem: { errors: missing } }); form.querySelector('[aria-invalid]')?.focus(); return; }
    const body = { email: v('email'), password: form.elements.password.value, display_name: v('display_name'), role: v('role') };
    if (v('org_name')) body.org_name = v('org_name');
    submit.disabled = true;
    submit.textContent = t('users_adding');
    try {
      const u = await api('POST', '/api/users', body);
      form.reset();
      showErrors(form, { problem: {} });
      toast(t('users_added', u.display_name, u.email), 'ok');
      refresh(u.email);
    } catch (e) {
      // A taken email is a 409 without errors[]: its message belongs beside the email field.
      const p = e.problem || {};
      const err = p.status === 409 && !p.errors ? { problem: { errors: [{ field: 'email', message: p.detail || e.message }] } } : e;
      showErrors(form, err);
      form.querySelector('[aria-invalid]')?.focus();
    } finally {
      submit.disabled = false;
      submit.textContent = t('add_account');
    }
  } },
  input('display_name', t('users_display'), { autocomplete: 'off', maxlength: '120' }),
  input('email', t('email'), { type: 'email', autocomplete: 'off', inputmode: 'email', placeholder: 'name@example.org' }),
  input('password', t('password'), { type: 'password', autocomplete: 'new-password', help: t('users_pw_help') }),
  input('role', t('role'), { options: vocab.staff_roles.map((r) => [r, t(r)]), help: t('users_role_help') }),
  input('org_name', t('users_org'), { autocomplete: 'off', help: t('users_org_help', (me.org && me.org.name) || ''), maxlength: '200' }),
  submit);
  return form;
}
