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

// The import form and its report; refresh() after an import.  The server answers 202 with
// the import's job (its URL is /api/imports/{id}, as in Location): the report follows the
// job, drawing its progress, until it is done (the counts, and each refused row with its
// line) or failed.
function importBox(kind, refresh) {
  const report = el('div', { id: 'import-report', 'aria-live': 'polite' });
  const file = el('input', { type: 'file', id: 'import-file', accept: '.csv,.jsonl,text/csv,application/x-ndjson', 'aria-label': t('import') });
  const go = el('button', { type: 'submit', class: 'ghost', id: 'import-go', text: t('import_go') });
  const importForm = el('form', { class: 'row', onsubmit: async (ev) => {
    ev.preventDefault();
    const f = file.files[0];
    if (!f || go.disabled) return;
    const type = f.name.endsWith('.csv') ? 'text/csv' : 'application/x-ndjson';
    go.disabled = true;
    try {
      let job = await api('POST', `/api/${kind}/import`, undefined, { type, body: await f.text() });
      while (job.state === 'queued' || job.state === 'running') {
        report.replaceChildren(jobProgress(job));
        await new Promise((done) => { setTimeout(done, 500); });
        if (!report.isConnected) return; // the page was left; the job goes on without us
        job = await api('GET', `/api/imports/${job.id}`);
      }
      if (job.state === 'failed') {
        report.replaceChildren(banner('bad', t('import_failed', job.error)));
      } else {
        const r = job.report;
        report.replaceChildren(banner(r.failed ? 'bad' : 'good', t('import_result', r.created, r.updated, r.failed)),
          el('table', {}, el('tbody', {}, r.rows.filter((x) => x.status !== 'created' && x.status !== 'updated').map((x) =>
            el('tr', {}, el('td', { text: t('line', x.line) }), el('td', { text: (x.errors || []).map((e) => `${e.field}: ${e.message}`).join('; ') }))))));
      }
      refresh();
    } catch (e) { report.replaceChildren(banner('bad', e.message)); } finally { go.disabled = false; }
  } }, el('div', { class: 'field' }, el('label', { for: 'import-file', text: t('import') }), file), go);
  return { importForm, report };
}

// A running job's line: what it is doing, and a bar of the rows done.
function jobProgress(job) {
  const p = job.progress;
  const what = p.phase === 'storing' ? t('import_storing', p.done, p.total)
    : p.phase === 'matching' ? t('import_matching', p.done, p.total) : t('import_queued', job.rows);
  return el('div', { class: 'import-progress', role: 'status' }, el('div', { class: 'muted', text: what }),
    el('progress', { max: String(Math.max(1, p.total)), value: String(p.phase === 'queued' ? 0 : p.done) }));
}
