// page_mine.js: #/mine, an organisation's own listings (an enterprise's demands, a
// university's achievements): the list with a close button on open ones, the form
// that posts a new one, and the bulk import of a CSV or JSON Lines file.
import { t } from './i18n.js';
import { el, api, show, loading, banner, empty, input, showErrors, listOf, fieldPicker } from './ui.js';
import { session } from './session.js';
import { listingCard } from './cards.js';

export async function minePage() {
  const me = session.me;
  if (!me) { show(banner('bad', t('need_login'))); return; }
  const kind = me.role === 'enterprise' ? 'demands' : 'achievements';
  const list = el('div', {}, loading());
  const refresh = async () => {
    const page = await api('GET', `/api/${kind}?org=me&status=all&limit=100`);
    list.replaceChildren(...(page.items.length ? page.items.map((l) => listingCard(kind, l, l.status === 'open'
      ? el('button', { type: 'button', class: 'ghost', text: t('close_listing'), onclick: async () => {
        await api('POST', `/api/${kind}/${l.id}/close`); refresh();
      } }) : null)) : [empty()]));
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
  const { importForm, report } = importBox(kind, refresh);
  show(el('h1', { text: t('mine') }), el('div', { class: 'grid2' },
    el('section', {}, el('div', { class: 'card' }, el('h2', { text: isDemand ? t('create_demand') : t('create_achievement') }), form),
      el('div', { class: 'card' }, importForm, report)),
    el('section', {}, list)));
  refresh().catch((e) => list.replaceChildren(banner('bad', e.message)));
}

// The import form and its report (the counts, and each refused row with its line); refresh() after an import.
function importBox(kind, refresh) {
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
  return { importForm, report };
}
