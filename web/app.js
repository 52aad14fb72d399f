// app.js: the techmatch UI.  No framework and no build step: DOM built with
// el(), all user text set as text (never as HTML), the session in an HttpOnly
// cookie that no script can read, pages chosen by the location hash.
import { t, getLang, setLang } from './i18n.js';

const main = document.getElementById('main');
let me = null;          // the signed-in user, or null
let fields = [];        // the taxonomy, flat: {code, name_zh, name_en, level}
let unread = 0;
let stream = null;

// ---------- helpers ----------

function el(tag, attrs = {}, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const kid of kids.flat()) if (kid !== null && kid !== undefined) e.append(kid);
  return e;
}

class Problem extends Error {
  constructor(p) { super(p.detail || p.title || 'error'); this.problem = p; }
}

async function api(method, path, body, raw) {
  const headers = { 'X-Techmatch': '1' };
  let payload;
  if (raw) { headers['Content-Type'] = raw.type; payload = raw.body; }
  else if (body !== undefined) { headers['Content-Type'] = 'application/json'; payload = JSON.stringify(body); }
  const r = await fetch(path, { method, headers, body: payload, credentials: 'same-origin' });
  const text = await r.text();
  const data = text ? JSON.parse(text) : null;
  if (!r.ok) throw new Problem(data || { status: r.status });
  return data;
}

function fieldName(code) {
  const f = fields.find((x) => x.code === code);
  return f ? `${code} ${getLang() === 'zh' ? f.name_zh : f.name_en}` : code;
}

function show(...nodes) { main.replaceChildren(...nodes); main.focus({ preventScroll: true }); }
function loading() { return el('div', { class: 'loading', role: 'status', text: t('loading') }); }
function banner(kind, text) { return el('div', { class: `banner ${kind}`, role: kind === 'bad' ? 'alert' : 'status', text }); }

// Marks each occurrence of the phrases in text, as text nodes and <mark>s (never HTML).
function highlighted(text, phrases) {
  const out = el('div', { class: 'text' });
  const list = phrases.filter((p) => p && p.length > 1).sort((a, b) => b.length - a.length);
  let rest = text || '';
  while (rest.length) {
    let best = -1, hit = '';
    for (const p of list) {
      const i = rest.toLowerCase().indexOf(p.toLowerCase());
      if (i >= 0 && (best < 0 || i < best)) { best = i; hit = rest.substr(i, p.length); }
    }
    if (best < 0) { out.append(rest); break; }
    out.append(rest.slice(0, best), el('mark', { text: hit }));
    rest = rest.slice(best + hit.length);
  }
  return out;
}

// A form field with its label and the place for its error message.
function input(name, label, attrs = {}) {
  const id = `f_${name}`;
  const control = attrs.multiline ? el('textarea', { id, name, ...attrs, multiline: null })
    : attrs.options ? el('select', { id, name }, attrs.options.map(([v, l]) => el('option', { value: v, text: l })))
      : el('input', { id, name, type: 'text', ...attrs });
  return el('div', { class: 'field' }, el('label', { for: id, text: label }), control,
    el('div', { class: 'error', id: `${id}_err`, 'aria-live': 'polite' }));
}

// Shows a problem's errors beside their fields, or as a banner.
function showErrors(form, err) {
  form.querySelectorAll('.error').forEach((e) => { e.textContent = ''; });
  form.querySelectorAll('.banner').forEach((e) => e.remove());
  const p = err.problem || {};
  let placed = false;
  for (const e of p.errors || []) {
    const name = (e.field || '').replace(/\[.*$/, '');
    const slot = form.querySelector(`#f_${CSS.escape(name)}_err`);
    if (slot) { slot.textContent = e.message; placed = true; }
  }
  const message = p.detail || err.message;
  if (!placed && message) form.prepend(banner('bad', message));
}

// The taxonomy as a picker: divisions grouped under their sections, several may be chosen.
function fieldPicker() {
  const sections = fields.filter((f) => f.level === 1);
  const select = el('select', { id: 'f_fields', name: 'fields', multiple: true, size: '6' },
    sections.map((sec) => el('optgroup', { label: fieldName(sec.code) },
      fields.filter((f) => f.level === 2 && f.code.startsWith(sec.code)).map((f) => el('option', { value: f.code, text: fieldName(f.code) })))));
  return el('div', { class: 'field' }, el('label', { for: 'f_fields', text: t('field') }), select,
    el('div', { class: 'error', id: 'f_fields_err', 'aria-live': 'polite' }));
}

function listOf(text) { return text.split(/[,，;；]/).map((s) => s.trim()).filter(Boolean); }

// ---------- navigation ----------

function renderNav() {
  const nav = document.getElementById('nav');
  const here = location.hash || '#/';
  const links = [['#/', t('demands')], ['#/achievements', t('achievements')]];
  if (me && (me.role === 'enterprise' || me.role === 'university')) links.push(['#/mine', t('mine')]);
  if (me && me.role === 'enterprise') links.push(['#/inbox', t('inbox')], ['#/settings', t('settings')]);
  if (me && (me.role === 'broker' || me.role === 'admin')) {
    links.push(['#/review', t('review')], ['#/pipeline', t('pipeline')], ['#/stats', t('stats')]);
  }
  if (me && me.role === 'admin') links.push(['#/policy', t('policy')], ['#/users', t('accounts')]);
  nav.replaceChildren(...links.map(([href, label]) => {
    const a = el('a', { href, text: label, 'aria-current': here === href ? 'page' : null });
    if (href === '#/inbox' && unread > 0) a.append(el('span', { class: 'badge', id: 'unread', text: String(unread) }));
    return a;
  }));
  const who = document.getElementById('who');
  if (me) {
    who.replaceChildren(el('span', { class: 'muted', text: `${me.display_name} · ${t(me.role)}` }), ' ',
      el('button', { type: 'button', class: 'ghost', onclick: logout, text: t('logout') }));
  } else {
    who.replaceChildren(el('a', { href: '#/login', text: t('login') }), ' ', el('a', { href: '#/register', text: t('register') }));
  }
  document.getElementById('lang').textContent = getLang() === 'zh' ? 'EN' : '中文';
  document.querySelectorAll('[data-t]').forEach((e) => { e.textContent = t(e.dataset.t); });
}

async function logout() {
  try { await api('POST', '/api/auth/logout'); } catch (e) { /* already out */ }
  me = null;
  if (stream) { stream.close(); stream = null; }
  location.hash = '#/';
  route();
}

// ---------- pages ----------

function listingCard(kind, l, extra) {
  const body = kind === 'demands' ? l.description : l.abstract;
  return el('article', { class: 'card' },
    el('h3', {}, el('a', { href: `#/${kind}/${l.id}`, text: l.title })),
    el('div', { class: 'meta' }, (l.fields || []).map((f) => el('span', { text: fieldName(f) })),
      l.region ? el('span', { text: l.region }) : null, l.status === 'closed' ? el('span', { text: t('closed') }) : null),
    body ? el('p', { class: 'muted', text: body.length > 160 ? `${body.slice(0, 160)}…` : body }) : null,
    extra || null);
}

async function listingsPage(kind) {
  const q = el('input', { id: 'q', type: 'search', placeholder: t('search_ph'), 'aria-label': t('search') });
  const field = el('select', { id: 'field', 'aria-label': t('field') },
    el('option', { value: '', text: t('any_field') }),
    fields.filter((f) => f.level <= 2).map((f) => el('option', { value: f.code, text: fieldName(f.code) })));
  const region = el('input', { id: 'region', type: 'search', placeholder: t('region'), 'aria-label': t('region') });
  const results = el('div', { id: 'results' }, loading());
  const load = async () => {
    results.replaceChildren(loading());
    const params = new URLSearchParams({ limit: '50' });
    if (q.value.trim()) params.set('q', q.value.trim());
    if (field.value) params.set('field', field.value);
    if (region.value.trim()) params.set('region', region.value.trim());
    try {
      const page = await api('GET', `/api/${kind}?${params}`);
      results.replaceChildren(...(page.items.length ? page.items.map((l) => listingCard(kind, l))
        : [el('div', { class: 'empty', text: t('empty') })]));
    } catch (e) { results.replaceChildren(banner('bad', e.message)); }
  };
  const form = el('form', { class: 'row', role: 'search', onsubmit: (ev) => { ev.preventDefault(); load(); } },
    el('div', { class: 'field' }, q), el('div', { class: 'field' }, field), el('div', { class: 'field' }, region),
    el('button', { type: 'submit', text: t('search') }));
  field.addEventListener('change', load);
  show(el('h1', { text: kind === 'demands' ? t('demands') : t('achievements') }),
    me ? null : el('p', { class: 'muted', text: t('welcome') }), form, results);
  load();
}

function explanationView(m, left, right) {
  const terms = ((m.explanation && m.explanation.terms) || []).map((x) => x.text);
  const pct = (x) => `${Math.round(x * 100)}%`;
  return el('div', {},
    el('div', { class: 'row' },
      el('span', { class: 'score', text: `${t('score')} ${pct(m.score)}` }),
      el('span', { class: 'muted', text: `${t('k')} ${pct(m.k)} · ${t('f')} ${pct(m.f)}` }),
      m.explanation && m.explanation.fields ? el('span', { class: 'muted',
        text: `${fieldName(m.explanation.fields.demand)} ↔ ${fieldName(m.explanation.fields.achievement)}` }) : null),
    el('p', {}, el('strong', { text: `${t('shared_terms')}: ` }),
      ...(m.explanation && m.explanation.terms || []).map((x) => el('mark', { text: `${x.text} ${pct(x.share)}` })).flatMap((x) => [x, ' '])),
    el('div', { class: 'grid2' },
      el('section', { class: 'card', 'aria-label': t('demands') }, el('h3', { text: left.title }),
        highlighted(left.description || '', terms)),
      el('section', { class: 'card', 'aria-label': t('achievements') }, el('h3', { text: right.title }),
        highlighted(right.abstract || '', terms))));
}

async function listingPage(kind, id) {
  show(loading());
  try {
    const l = await api('GET', `/api/${kind}/${id}`);
    const parts = [el('h1', { text: l.title }), listingCard(kind, l)];
    const mineToo = me && l.org && me.org && l.org.id === me.org.id;
    if (mineToo && l.status === 'open') parts.push(editForm(kind, l));
    if (mineToo || (me && (me.role === 'broker' || me.role === 'admin'))) {
      parts.push(el('h2', { text: t('matches') }));
      const box = el('div', {}, loading());
      parts.push(box);
      api('GET', `/api/${kind}/${id}/matches`).then((r) => {
        box.replaceChildren(...(r.items.length ? r.items.map((m) => {
          const other = kind === 'demands' ? m.achievement : m.demand;
          const left = kind === 'demands' ? l : m.demand, right = kind === 'demands' ? m.achievement : l;
          return el('div', { class: 'card' }, el('h3', { text: other.title }), explanationView(m, left, right),
            kind === 'achievements' && me.role === 'university' ? proposeForm(other.id, l.id) : null);
        }) : [el('div', { class: 'empty', text: t('empty') })]));
      }).catch((e) => box.replaceChildren(banner('bad', e.message)));
    }
    show(...parts);
  } catch (e) { show(banner('bad', e.message)); }
}

// The owner's edit of a listing: the main members, sent as a PATCH (only what changed is stored).
function editForm(kind, l) {
  const isDemand = kind === 'demands';
  const bodyName = isDemand ? 'description' : 'abstract';
  const picker = fieldPicker();
  const form = el('form', { novalidate: true, id: 'edit', hidden: true, onsubmit: async (ev) => {
    ev.preventDefault();
    const v = (n) => form.elements[n].value.trim();
    const patch = { title: v('title'), keywords: listOf(v('keywords')),
      fields: [...form.elements.fields.selectedOptions].map((o) => o.value) };
    patch[bodyName] = v(bodyName);
    patch.contact = v('contact') || null;
    try {
      await api('PATCH', `/api/${kind}/${l.id}`, patch);
      listingPage(kind, l.id);
    } catch (e) { showErrors(form, e); }
  } }, input('title', t('title'), { value: l.title }),
  input(bodyName, isDemand ? t('description') : t('abstract'), { multiline: true }),
  el('div', { class: 'row' }, input('keywords', t('keywords'), { value: (l.keywords || []).join(', ') }), picker),
  input('contact', t('contact'), { value: l.contact || '' }),
  el('button', { type: 'submit', text: t('save') }));
  form.elements[bodyName].value = l[bodyName] || '';
  [...form.elements.fields.options].forEach((o) => { o.selected = (l.fields || []).includes(o.value); });
  const toggle = el('button', { type: 'button', class: 'ghost', id: 'edit-toggle', text: t('edit'),
    onclick: () => { form.hidden = !form.hidden; } });
  return el('div', { class: 'card' }, toggle, form);
}

function proposeForm(demandId, achievementId) {
  const form = el('form', { class: 'row', onsubmit: async (ev) => {
    ev.preventDefault();
    try {
      await api('POST', '/api/proposals', { demand_id: demandId, achievement_id: achievementId,
        statement: form.statement.value });
      form.replaceChildren(banner('good', t('saved')));
    } catch (e) { showErrors(form, e); }
  } }, input('statement', t('statement')), el('button', { type: 'submit', text: t('propose') }));
  return form;
}

function authPage(kind) {
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
      location.hash = me.role === 'broker' || me.role === 'admin' ? '#/review' : '#/mine';
    } catch (e) { showErrors(form, e); }
  } },
  kind === 'register' ? [input('org_name', t('org_name'), { autocomplete: 'organization' }),
    input('org_kind', t('org_kind'), { options: [['enterprise', t('enterprise')], ['university', t('university')]] }),
    input('display_name', t('display_name'), { autocomplete: 'name' })] : [],
  input('email', t('email'), { type: 'email', autocomplete: 'email' }),
  input('password', t('password'), { type: 'password', autocomplete: kind === 'register' ? 'new-password' : 'current-password' }),
  el('button', { type: 'submit', text: kind === 'register' ? t('register') : t('login') }));
  show(el('h1', { text: kind === 'register' ? t('register') : t('login') }), el('div', { class: 'card' }, form));
}

async function minePage() {
  if (!me) { show(banner('bad', t('need_login'))); return; }
  const kind = me.role === 'enterprise' ? 'demands' : 'achievements';
  const list = el('div', {}, loading());
  const refresh = async () => {
    const page = await api('GET', `/api/${kind}?org=me&status=all&limit=100`);
    list.replaceChildren(...(page.items.length ? page.items.map((l) => listingCard(kind, l, l.status === 'open'
      ? el('button', { type: 'button', class: 'ghost', text: t('close_listing'), onclick: async () => {
        await api('POST', `/api/${kind}/${l.id}/close`); refresh();
      } }) : null)) : [el('div', { class: 'empty', text: t('empty') })]));
  };
  const isDemand = kind === 'demands';
  const form = el('form', { novalidate: true, id: 'create', onsubmit: async (ev) => {
    ev.preventDefault();
    const v = (n) => form.elements[n].value.trim();
    const body = { title: v('title'), keywords: listOf(v('keywords')),
      fields: [...form.elements.fields.selectedOptions].map((o) => o.value) };
    body[isDemand ? 'description' : 'abstract'] = v(isDemand ? 'description' : 'abstract');
    if (v('contact')) body.contact = v('contact');
    if (isDemand && v('budget_max')) body.budget_max = Number(v('budget_max'));
    if (!isDemand && v('trl')) body.trl = Number(v('trl'));
    try {
      const made = await api('POST', `/api/${kind}`, body);
      form.reset();
      showErrors(form, { problem: {} });
      form.prepend(banner('good', t('saved')));
      location.hash = `#/${kind}/${made.id}`;
    } catch (e) { showErrors(form, e); }
  } },
  input('title', t('title')), input(isDemand ? 'description' : 'abstract', isDemand ? t('description') : t('abstract'), { multiline: true }),
  el('div', { class: 'row' }, input('keywords', t('keywords')), fieldPicker()),
  el('div', { class: 'row' }, isDemand ? input('budget_max', t('budget_max'), { inputmode: 'numeric' }) : input('trl', t('trl'), { inputmode: 'numeric' }),
    input('contact', t('contact'))),
  el('button', { type: 'submit', text: isDemand ? t('create_demand') : t('create_achievement') }));
  const report = el('div', { id: 'import-report' });
  const file = el('input', { type: 'file', id: 'import-file', accept: '.csv,.jsonl,text/csv,application/x-ndjson', 'aria-label': t('import') });
  const importForm = el('form', { class: 'row', onsubmit: async (ev) => {
    ev.preventDefault();
    const f = file.files[0];
    if (!f) return;
    const type = f.name.endsWith('.csv') ? 'text/csv' : 'application/x-ndjson';
    try {
      const r = await api('POST', `/api/${kind}/import`, undefined, { type, body: await f.text() });
      report.replaceChildren(banner(r.failed ? 'bad' : 'good', t('import_result', r.created, r.updated, r.failed)),
        el('table', {}, el('tbody', {}, r.rows.filter((x) => x.status !== 'created' && x.status !== 'updated').map((x) =>
          el('tr', {}, el('td', { text: t('line', x.line) }), el('td', { text: (x.errors || []).map((e) => `${e.field}: ${e.message}`).join('; ') }))))));
      refresh();
    } catch (e) { report.replaceChildren(banner('bad', e.message)); }
  } }, el('div', { class: 'field' }, el('label', { for: 'import-file', text: t('import') }), file),
  el('button', { type: 'submit', class: 'ghost', id: 'import-go', text: t('import_go') }));
  show(el('h1', { text: t('mine') }), el('div', { class: 'grid2' },
    el('section', {}, el('div', { class: 'card' }, el('h2', { text: isDemand ? t('create_demand') : t('create_achievement') }), form),
      el('div', { class: 'card' }, importForm, report)),
    el('section', {}, list)));
  refresh().catch((e) => list.replaceChildren(banner('bad', e.message)));
}

function notificationCard(n) {
  const d = n.event && n.event.data;
  if (!d || !d.demand) return el('div', { class: 'card', text: n.type });
  const actions = el('div', { class: 'row' },
    el('button', { type: 'button', text: t('interested'), onclick: () => decide(d.match_id, 'interested', actions) }),
    el('button', { type: 'button', class: 'ghost', text: t('declined'), onclick: () => { location.hash = `#/matches/${d.match_id}`; } }));
  return el('article', { class: 'card notification', 'data-id': String(n.id) },
    el('h3', {}, el('a', { href: `#/matches/${d.match_id}`, text: d.achievement.title })),
    explanationView(d, d.demand, d.achievement), actions);
}

async function decide(matchId, what, box) {
  try {
    await api('POST', `/api/matches/${matchId}/${what}`);
    box.replaceChildren(banner('good', t('done')));
  } catch (e) { box.replaceChildren(banner('bad', e.message)); }
}

async function inboxPage() {
  if (!me) { show(banner('bad', t('need_login'))); return; }
  const list = el('div', { id: 'notifications' }, loading());
  show(el('h1', { text: t('inbox') }), el('p', { class: 'muted', id: 'live', text: stream ? t('live') : '' }), list);
  try {
    const page = await api('GET', '/api/notifications?limit=100');
    const items = page.items.reverse();
    list.replaceChildren(...(items.length ? items.map(notificationCard) : [el('div', { class: 'empty', text: t('empty') })]));
    for (const n of page.items) if (!n.read) api('POST', `/api/notifications/${n.id}/read`).catch(() => {});
    unread = 0;
    renderNav();
  } catch (e) { list.replaceChildren(banner('bad', e.message)); }
}

function startStream() {
  if (stream || !me || me.role !== 'enterprise') return;
  stream = new EventSource('/api/stream');
  const onEvent = (ev) => {
    const n = { id: Number(ev.lastEventId), type: ev.type, event: JSON.parse(ev.data) };
    const list = document.getElementById('notifications');
    if (list && location.hash === '#/inbox') {
      list.querySelector('.empty')?.remove();
      list.prepend(notificationCard(n));
      api('POST', `/api/notifications/${n.id}/read`).catch(() => {});
    } else {
      unread += 1;
      renderNav();
    }
  };
  ['match.pushed', 'match.digest', 'webhook.disabled'].forEach((k) => stream.addEventListener(k, onEvent));
  stream.onopen = () => { const live = document.getElementById('live'); if (live) live.textContent = t('live'); };
}

const reasons = ['too_early_stage', 'benefit_unclear', 'commercial_route_unclear', 'description_vague', 'out_of_scope', 'duplicate', 'other'];

async function reviewPage() {
  if (!me) { show(banner('bad', t('need_login'))); return; }
  const list = el('div', { id: 'queue' }, loading());
  const bulkReason = el('select', { 'aria-label': t('reason') }, reasons.filter((r) => r !== 'other').map((r) => el('option', { value: r, text: t(`r_${r}`) })));
  const bulk = async (action) => {
    const ids = [...list.querySelectorAll('input.pick:checked')].map((c) => Number(c.value));
    if (!ids.length) return;
    try {
      await api('POST', '/api/matches/bulk', action === 'approve' ? { action, ids } : { action, ids, reason: bulkReason.value });
      reviewPage();
    } catch (e) { list.prepend(banner('bad', e.message)); }
  };
  const toolbar = el('div', { class: 'row card', id: 'bulk' },
    el('button', { type: 'button', id: 'bulk-approve', text: t('approve_selected'), onclick: () => bulk('approve') }),
    bulkReason, el('button', { type: 'button', class: 'bad', id: 'bulk-reject', text: t('reject_selected'), onclick: () => bulk('reject') }));
  show(el('h1', { text: t('review') }), el('p', { class: 'muted', text: t('keys_help') }), toolbar, list);
  let cards = [], at = 0;
  const select = (i) => {
    cards.forEach((c) => c.classList.remove('selected'));
    at = Math.max(0, Math.min(i, cards.length - 1));
    if (cards[at]) { cards[at].classList.add('selected'); cards[at].scrollIntoView({ block: 'nearest' }); }
  };
  const act = async (card, what) => {
    const id = card.dataset.id;
    const reason = card.querySelector('select').value;
    try {
      if (what === 'approve') await api('POST', `/api/matches/${id}/approve`);
      else await api('POST', `/api/matches/${id}/reject`, { reason, text: reason === 'other' ? 'see notes' : undefined });
      card.querySelector('.actions').replaceChildren(banner('good', t('done')));
      cards = cards.filter((c) => c !== card);
      card.remove();
      if (!cards.length) list.replaceChildren(el('div', { class: 'empty', text: t('queue_empty') }));
      select(at);
    } catch (e) { card.querySelector('.actions').append(banner('bad', e.message)); }
  };
  try {
    const page = await api('GET', '/api/review?limit=50');
    cards = page.items.map((m) => {
      const card = el('article', { class: 'card review', 'data-id': String(m.id), tabindex: '0' },
        el('div', { class: 'meta' }, el('label', { class: 'muted' }, el('input', { type: 'checkbox', class: 'pick', value: String(m.id), 'aria-label': t('select') }), ` ${t('select')}`),
          el('span', { text: m.origin === 'proposal' ? t('propose') : '' }),
          m.statement ? el('span', { text: m.statement }) : null),
        explanationView(m, m.demand, m.achievement),
        el('div', { class: 'row actions' },
          el('button', { type: 'button', text: t('approve'), onclick: () => act(card, 'approve') }),
          el('label', { class: 'muted', text: t('reason') }),
          el('select', { 'aria-label': t('reason') }, reasons.map((r) => el('option', { value: r, text: t(`r_${r}`) }))),
          el('button', { type: 'button', class: 'bad', text: t('reject'), onclick: () => act(card, 'reject') })));
      return card;
    });
    list.replaceChildren(...(cards.length ? cards : [el('div', { class: 'empty', text: t('queue_empty') })]));
    select(0);
  } catch (e) { list.replaceChildren(banner('bad', e.message)); }
  document.onkeydown = (ev) => {
    if (location.hash !== '#/review' || ev.target.matches('input, select, textarea')) return;
    if (ev.key === 'j') select(at + 1);
    else if (ev.key === 'k') select(at - 1);
    else if (ev.key === 'a' && cards[at]) act(cards[at], 'approve');
    else if (ev.key === 'r' && cards[at]) act(cards[at], 'reject');
  };
}

function barChart(rows) {
  const max = Math.max(1, ...rows.map(([, v]) => v));
  const h = 26 * rows.length + 8;
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', `0 0 600 ${h}`);
  svg.setAttribute('class', 'chart');
  svg.setAttribute('role', 'img');
  rows.forEach(([label, v], i) => {
    const y = 4 + i * 26;
    const text = document.createElementNS(svg.namespaceURI, 'text');
    text.setAttribute('x', '0'); text.setAttribute('y', String(y + 15)); text.textContent = label;
    const rect = document.createElementNS(svg.namespaceURI, 'rect');
    rect.setAttribute('x', '170'); rect.setAttribute('y', String(y)); rect.setAttribute('height', '20');
    rect.setAttribute('width', String(Math.max(2, (380 * v) / max))); rect.setAttribute('fill', '#1d4ed8');
    const num = document.createElementNS(svg.namespaceURI, 'text');
    num.setAttribute('x', String(176 + (380 * v) / max)); num.setAttribute('y', String(y + 15)); num.textContent = String(v);
    svg.append(text, rect, num);
  });
  return svg;
}

// Two bars a row (a and b), with a legend: for comparing approved with rejected, matches with deals.
function pairChart(labels, a, b, names) {
  const max = Math.max(1, ...a, ...b);
  const h = 30 * labels.length + 30;
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', `0 0 600 ${h}`);
  svg.setAttribute('class', 'chart');
  svg.setAttribute('role', 'img');
  const add = (tag, attrs, text) => {
    const e = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
    if (text !== undefined) e.textContent = text;
    svg.append(e);
  };
  [[names[0], '#1d4ed8'], [names[1], '#f59e0b']].forEach(([n, c], i) => {
    add('rect', { x: 170 + i * 120, y: 4, width: 12, height: 12, fill: c });
    add('text', { x: 186 + i * 120, y: 14 }, n);
  });
  labels.forEach((label, i) => {
    const y = 26 + i * 30;
    add('text', { x: 0, y: y + 15 }, label);
    add('rect', { x: 170, y, height: 11, width: Math.max(1, (380 * a[i]) / max), fill: '#1d4ed8' });
    add('rect', { x: 170, y: y + 12, height: 11, width: Math.max(1, (380 * b[i]) / max), fill: '#f59e0b' });
    add('text', { x: 176 + (380 * Math.max(a[i], b[i])) / max, y: y + 15 }, `${a[i]} / ${b[i]}`);
  });
  return svg;
}

async function statsPage() {
  show(loading());
  try {
    const s = await api('GET', '/api/stats');
    const stages = ['suggested', 'approved', 'pushed', 'viewed', 'interested', 'in_talks', 'deals'];
    const reasonRows = Object.entries(s.reasons.rejected || {}).concat(Object.entries(s.reasons.declined || {}))
      .map(([k, v]) => [t(`r_${k}`), v]);
    show(el('h1', { text: t('stats') }),
      el('div', { class: 'grid2' },
        el('section', { class: 'card' }, el('h2', { text: t('funnel') }), barChart(stages.map((k) => [t(`s_${k === 'deals' ? 'deal' : k}`), s.funnel[k]]))),
        el('section', { class: 'card' }, el('h2', { text: t('reasons') }),
          reasonRows.length ? barChart(reasonRows) : el('div', { class: 'empty', text: t('empty') })),
        el('section', { class: 'card' }, el('h2', { text: t('score_dist') }),
          pairChart(s.score_distribution.approved.map((_, i) => `${(i / 10).toFixed(1)}–${((i + 1) / 10).toFixed(1)}`),
            s.score_distribution.approved, s.score_distribution.rejected, [t('approved_n'), t('rejected_n')])),
        el('section', { class: 'card' }, el('h2', { text: t('deals_by_field') }),
          s.by_field.length ? pairChart(s.by_field.map((f) => fieldName(f.field).slice(0, 24)), s.by_field.map((f) => f.suggested),
            s.by_field.map((f) => f.deals), [t('matches_n'), t('deals_n')]) : el('div', { class: 'empty', text: t('empty') }))));
  } catch (e) { show(banner('bad', e.message)); }
}

async function policyPage() {
  show(loading());
  const p = await api('GET', '/api/policy');
  const form = el('form', { novalidate: true, onsubmit: async (ev) => {
    ev.preventDefault();
    const auto = form.elements.auto_approve_score.value.trim();
    try {
      await api('PUT', '/api/policy', { suggest_threshold: Number(form.elements.suggest_threshold.value),
        auto_approve_score: auto === '' ? null : Number(auto) });
      form.prepend(banner('good', t('saved')));
    } catch (e) { showErrors(form, e); }
  } }, input('suggest_threshold', t('suggest_threshold'), { value: String(p.suggest_threshold), inputmode: 'decimal' }),
  input('auto_approve_score', t('auto_approve_score'), { value: p.auto_approve_score === null ? '' : String(p.auto_approve_score), inputmode: 'decimal' }),
  el('p', { class: 'muted', text: p.updated_by_name ? `${p.updated_by_name} · ${p.updated_at}` : p.updated_at }),
  el('button', { type: 'submit', text: t('save') }));
  show(el('h1', { text: t('policy') }), el('div', { class: 'card' }, form));
}

async function matchPage(id) {
  show(loading());
  try {
    const m = await api('GET', `/api/matches/${id}`);
    const box = el('div', { class: 'row actions' });
    const reason = el('select', { 'aria-label': t('reason') }, reasons.map((r) => el('option', { value: r, text: t(`r_${r}`) })));
    if (me.role === 'enterprise' && ['pushed', 'viewed'].includes(m.status)) {
      box.append(el('button', { type: 'button', text: t('interested'), onclick: () => decide(m.id, 'interested', box) }),
        reason, el('button', { type: 'button', class: 'ghost', text: t('declined'), onclick: async () => {
          try {
            await api('POST', `/api/matches/${m.id}/declined`, { reason: reason.value, text: reason.value === 'other' ? '-' : undefined });
            box.replaceChildren(banner('good', t('done')));
          } catch (e) { box.append(banner('bad', e.message)); }
        } }));
    }
    if ((me.role === 'broker' || me.role === 'admin') && m.status === 'interested') {
      box.append(el('button', { type: 'button', text: t('in_talks'), onclick: async () => {
        try { await api('POST', `/api/matches/${m.id}/in_talks`); matchPage(id); } catch (e) { box.append(banner('bad', e.message)); }
      } }));
    }
    const contact = (l) => (l.contact ? el('p', { class: 'muted', text: `${t('contact')}: ${l.contact}` }) : null);
    show(el('h1', { text: `${m.demand.title}` }),
      el('p', { class: 'muted', text: `${t('status')}: ${t(`s_${m.status}`)}` }),
      explanationView(m, m.demand, m.achievement), el('div', { class: 'grid2' }, el('div', {}, contact(m.demand)),
        el('div', {}, contact(m.achievement))), box);
  } catch (e) { show(banner('bad', e.message)); }
}

async function settingsPage() {
  if (!me) { show(banner('bad', t('need_login'))); return; }
  show(loading());
  const sub = await api('GET', '/api/subscription');
  const box = (name, label, on) => el('label', { class: 'muted' }, el('input', { type: 'checkbox', name, checked: on, style: null }), ` ${label}`);
  const form = el('form', { novalidate: true, onsubmit: async (ev) => {
    ev.preventDefault();
    const channels = ['inbox'];
    if (form.elements.stream.checked) channels.push('stream');
    if (form.elements.webhook.checked) channels.push('webhook');
    try {
      await api('PUT', '/api/subscription', { channels, min_score: Number(form.elements.min_score.value || 0),
        mode: form.elements.mode.value });
      form.prepend(banner('good', t('saved')));
    } catch (e) { showErrors(form, e); }
  } },
  el('fieldset', {}, el('legend', { text: t('channels') }), box('stream', t('ch_stream'), sub.channels.includes('stream')),
    box('webhook', t('ch_webhook'), sub.channels.includes('webhook'))),
  input('min_score', t('min_score'), { value: String(sub.min_score), inputmode: 'decimal' }),
  input('mode', t('mode'), { options: [['realtime', t('realtime')], ['digest', t('digest')]] }),
  el('button', { type: 'submit', text: t('save') }));
  form.elements.mode.value = sub.mode;
  const hooks = el('div', { id: 'webhooks' });
  const log = el('div', { id: 'delivery-log' });
  const refresh = async () => {
    const r = await api('GET', '/api/webhooks');
    hooks.replaceChildren(...(r.items.length ? r.items.map((w) => el('div', { class: 'card' },
      el('div', { class: 'row' }, el('strong', { text: w.url }), el('span', { class: 'muted', text: w.status }),
        w.disabled_reason ? el('span', { class: 'error', text: w.disabled_reason }) : null),
      el('div', { class: 'row' },
        el('button', { type: 'button', class: 'ghost', text: t('ping'), onclick: async () => { await api('POST', `/api/webhooks/${w.id}/ping`); showLog(w); } }),
        el('button', { type: 'button', class: 'ghost', text: t('deliveries'), onclick: () => showLog(w) }),
        el('button', { type: 'button', class: 'bad', text: t('remove'), onclick: async () => { await api('DELETE', `/api/webhooks/${w.id}`); refresh(); } }))))
      : [el('div', { class: 'empty', text: t('empty') })]));
  };
  const showLog = async (w) => {
    const r = await api('GET', `/api/webhooks/${w.id}/deliveries?limit=20`);
    log.replaceChildren(el('h2', { text: `${t('deliveries')}: ${w.url}` }), el('table', {}, el('tbody', {},
      r.items.map((d) => el('tr', {}, el('td', { text: d.msg_id }), el('td', { text: d.state }),
        el('td', { text: d.tries.map((x) => (x.status_code ? String(x.status_code) : x.error || '-')).join(' · ') }),
        el('td', {}, d.state === 'failed' ? el('button', { type: 'button', class: 'ghost', text: t('resend'),
          onclick: async () => { await api('POST', `/api/webhooks/${w.id}/deliveries/${d.id}/resend`); showLog(w); } }) : null))))));
  };
  const add = el('form', { class: 'row', novalidate: true, onsubmit: async (ev) => {
    ev.preventDefault();
    try {
      const w = await api('POST', '/api/webhooks', { url: add.elements.url.value.trim() });
      add.replaceChildren(banner('good', t('secret_once')), el('code', { text: w.secret }));
      refresh();
    } catch (e) { showErrors(add, e); }
  } }, input('url', t('url'), { type: 'url', placeholder: 'https://' }), el('button', { type: 'submit', id: 'add-webhook', text: t('add_webhook') }));
  show(el('h1', { text: t('settings') }), el('div', { class: 'grid2' },
    el('section', { class: 'card' }, form),
    el('section', {}, el('div', { class: 'card' }, el('h2', { text: t('webhooks') }), add), hooks, log)));
  refresh().catch((e) => hooks.replaceChildren(banner('bad', e.message)));
}

async function pipelinePage() {
  show(loading());
  const columns = ['approved', 'pushed', 'viewed', 'interested', 'in_talks', 'deal'];
  try {
    const pages = await Promise.all(columns.map((c) => api('GET', `/api/matches?status=${c}&limit=50`)));
    show(el('h1', { text: t('pipeline') }), el('div', { class: 'board' }, columns.map((c, i) => el('section', { class: 'column' },
      el('h2', {}, `${t(`s_${c}`)} `, el('span', { class: 'muted', text: String(pages[i].items.length) })),
      pages[i].items.map((m) => el('a', { class: 'card mini', href: `#/matches/${m.id}` },
        el('strong', { text: m.demand.title }), el('span', { class: 'muted', text: m.achievement.title }),
        el('span', { class: 'score', text: `${Math.round(m.score * 100)}%` })))))));
  } catch (e) { show(banner('bad', e.message)); }
}

async function usersPage() {
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
  input('role', t('role'), { options: [['broker', t('broker')], ['admin', t('admin')]] }),
  el('button', { type: 'submit', text: t('add_account') }));
  show(el('h1', { text: t('accounts') }), el('div', { class: 'grid2' },
    el('section', { class: 'card' }, el('table', {}, el('thead', {}, el('tr', {}, [t('display_name'), t('email'), t('role'), t('org')]
      .map((h) => el('th', { text: h })))), list)),
    el('section', { class: 'card' }, el('h2', { text: t('add_account') }), form)));
  refresh().catch((e) => list.replaceChildren(el('tr', {}, el('td', { text: e.message }))));
}

// ---------- start ----------

async function loadMe() {
  try { me = await api('GET', '/api/me'); } catch (e) { me = null; }
  startStream();
}

function route() {
  renderNav();
  const parts = (location.hash || '#/').slice(2).split('/');
  const [page, id] = parts;
  if (!page) return listingsPage('demands');
  if ((page === 'demands' || page === 'achievements') && id) return listingPage(page, id);
  if (page === 'achievements') return listingsPage('achievements');
  if (page === 'login' || page === 'register') return authPage(page);
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

document.getElementById('lang').addEventListener('click', () => { setLang(getLang() === 'zh' ? 'en' : 'zh'); route(); });
window.addEventListener('hashchange', route);
setLang(getLang());
const flatten = (nodes) => nodes.flatMap((n) => [n, ...flatten(n.children || [])]);
api('GET', '/api/fields').then((tree) => { fields = flatten(tree.fields || []); }).catch(() => {})
  .then(loadMe).then(route);
