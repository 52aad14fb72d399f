// page_listings.js: the public lists of demands and achievements (search by words,
// field and region), and one listing's page: its owner's edit form, and for its
// owner and for staff its matches (a university proposes itself for a demand there).
import { t } from './i18n.js';
import { el, api, show, loading, banner, empty, input, showErrors, listOf, fieldsUpTo, fieldName, fieldPicker } from './ui.js';
import { session, isStaff } from './session.js';
import { listingCard, explanationView } from './cards.js';

// #/ and #/achievements: kind is "demands" or "achievements".
export async function listingsPage(kind) {
  const q = el('input', { id: 'q', type: 'search', placeholder: t('search_ph'), 'aria-label': t('search') });
  const field = el('select', { id: 'field', 'aria-label': t('field') },
    el('option', { value: '', text: t('any_field') }),
    fieldsUpTo(2).map((f) => el('option', { value: f.code, text: fieldName(f.code) })));
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
      results.replaceChildren(...(page.items.length ? page.items.map((l) => listingCard(kind, l)) : [empty()]));
    } catch (e) { results.replaceChildren(banner('bad', e.message)); }
  };
  const form = el('form', { class: 'row', role: 'search', onsubmit: (ev) => { ev.preventDefault(); load(); } },
    el('div', { class: 'field' }, q), el('div', { class: 'field' }, field), el('div', { class: 'field' }, region),
    el('button', { type: 'submit', text: t('search') }));
  field.addEventListener('change', load);
  show(el('h1', { text: kind === 'demands' ? t('demands') : t('achievements') }),
    session.me ? null : el('p', { class: 'muted', text: t('welcome') }), form, results);
  load();
}

// #/demands/ID and #/achievements/ID.
export async function listingPage(kind, id) {
  const me = session.me;
  show(loading());
  try {
    const l = await api('GET', `/api/${kind}/${id}`);
    const parts = [el('h1', { text: l.title }), listingCard(kind, l)];
    const mineToo = me && l.org && me.org && l.org.id === me.org.id;
    if (mineToo && l.status === 'open') parts.push(editForm(kind, l));
    if (mineToo || (me && isStaff(me))) {
      parts.push(el('h2', { text: t('matches') }));
      const box = el('div', {}, loading());
      parts.push(box);
      api('GET', `/api/${kind}/${id}/matches`).then((r) => {
        box.replaceChildren(...(r.items.length ? r.items.map((m) => {
          const other = kind === 'demands' ? m.achievement : m.demand;
          const left = kind === 'demands' ? l : m.demand, right = kind === 'demands' ? m.achievement : l;
          return el('div', { class: 'card' }, el('h3', { text: other.title }), explanationView(m, left, right),
            kind === 'achievements' && me.role === 'university' ? proposeForm(other.id, l.id) : null);
        }) : [empty()]));
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

// A university's proposal of its achievement for a demand, with a statement.
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
