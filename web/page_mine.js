// page_mine.js: #/mine, an organisation's own listings (an enterprise's demands, a
// university's achievements): the list (paged by the API's cursor, with its total, and a
// status filter kept in the hash: #/mine?status=open) with a close button on open ones
// (after a confirmation), the form that posts a new one with every member
// (listing_form.js), and the bulk import of a CSV or JSON Lines file.
import { t, addWords } from './i18n.js';
import { el, api, show, loading, banner, confirmAction, toast } from './ui.js';
import { session } from './session.js';
import { listingCard } from './cards.js';
import { listingForm } from './listing_form.js';
import { fmtCount } from './format.js';

addWords({
  mine_all: ['全部', 'All'], mine_open: ['进行中', 'Open'], mine_closed: ['已关闭', 'Closed'],
  mine_total: ['共 {0} 条', '{0} in all'], mine_shown: ['已显示 {0} / {1} 条', 'Showing {0} of {1}'],
  mine_more: ['加载更多', 'Load more'], mine_status: ['状态', 'Status'],
  mine_empty_d: ['还没有发布需求。用本页的表单发布第一条需求，系统会自动为它匹配科技成果。', 'No demands yet. Post your first one with the form: it is matched with achievements automatically.'],
  mine_empty_a: ['还没有发布成果。用本页的表单发布第一项成果，系统会自动为它匹配企业需求。', 'No achievements yet. List your first one with the form: it is matched with demands automatically.'],
  mine_close_q_d: ['关闭需求“{0}”？关闭后不再匹配，也不能再编辑。', 'Close the demand "{0}"? It will no longer be matched or edited.'],
  mine_close_q_a: ['关闭成果“{0}”？关闭后不再匹配，也不能再编辑。', 'Close the achievement "{0}"? It will no longer be matched or edited.'],
  mine_close_yes: ['确认关闭', 'Close it'], mine_closed_ok: ['已关闭', 'Closed'], mine_list: ['我发布的', 'Posted by us'],
});

const PAGE = 20; // listings a page asks for

export async function minePage() {
  const me = session.me;
  if (!me) { show(banner('bad', t('need_login'))); return; }
  const kind = me.role === 'enterprise' ? 'demands' : 'achievements';
  const isDemand = kind === 'demands';
  const status = el('select', { id: 'mine-status', 'aria-label': t('mine_status') },
    [['all', t('mine_all')], ['open', t('mine_open')], ['closed', t('mine_closed')]].map(([v, l]) => el('option', { value: v, text: l })));
  status.value = new URLSearchParams(location.hash.split('?')[1] || '').get('status') || 'all';
  const list = el('div', { id: 'mine-list', class: 'stack' }, loading());
  const summary = el('div', { class: 'muted', id: 'mine-summary', role: 'status' });
  const more = el('button', { type: 'button', class: 'ghost', id: 'mine-more', text: t('mine_more'), hidden: true });
  let cursor = null, shown = 0, counted = 0, capped = false;
  // Loads the first page (first true, with its total) or the next one.
  const refresh = async (first = true) => {
    const params = new URLSearchParams({ org: 'me', status: status.value, limit: String(PAGE) });
    if (!first && cursor) params.set('cursor', cursor);
    if (first) params.set('total', 'true');
    if (first) { list.replaceChildren(loading()); shown = 0; }
    try {
      const page = await api('GET', `/api/${kind}?${params}`);
      if (first) list.replaceChildren();
      list.append(...page.items.map((l) => listingCard(kind, l, l.status === 'open' ? closeButton(kind, l, refresh) : null)));
      shown += page.items.length;
      if (!shown) list.replaceChildren(el('div', { class: 'empty', text: isDemand ? t('mine_empty_d') : t('mine_empty_a') }));
      if (first) { counted = page.total; capped = page.total_capped; }
      const total = capped ? `${fmtCount(counted)}+` : fmtCount(counted);
      summary.textContent = page.next_cursor || shown < counted ? t('mine_shown', fmtCount(shown), total) : t('mine_total', total);
      cursor = page.next_cursor;
      more.hidden = !cursor;
    } catch (e) { list.replaceChildren(banner('bad', e.message)); }
  };
  more.addEventListener('click', () => refresh(false));
  status.addEventListener('change', () => {
    history.pushState(null, '', status.value === 'all' ? '#/mine' : `#/mine?status=${status.value}`);
    refresh();
  });
  const form = listingForm(kind, null, { onSaved: (made) => { location.hash = `#/${kind}/${made.id}`; } });
  const { importForm, report } = importBox(kind, refresh);
  show(el('div', { class: 'page-head' }, el('h1', { text: t('mine') })), el('div', { class: 'grid2 mine' },
    el('section', { class: 'stack' }, el('div', { class: 'card' }, el('h2', { text: isDemand ? t('create_demand') : t('create_achievement') }), form),
      el('div', { class: 'card import-box' }, importForm, report)),
    el('section', { class: 'stack', 'aria-labelledby': 'mine-h' },
      el('div', { class: 'toolbar' }, el('h2', { id: 'mine-h', text: t('mine_list') }), status), summary, list,
      el('div', { class: 'pager' }, more))));
  refresh();
}

// A listing's close button: asks first, then closes and reloads the list.
function closeButton(kind, l, refresh) {
  return el('button', { type: 'button', class: 'ghost danger', text: t('close_listing'),
    'aria-label': `${t('close_listing')}: ${l.title}`, onclick: async () => {
      const yes = await confirmAction(t(kind === 'demands' ? 'mine_close_q_d' : 'mine_close_q_a', l.title),
        { danger: true, confirmLabel: t('mine_close_yes') });
      if (!yes) return;
      try {
        await api('POST', `/api/${kind}/${l.id}/close`);
        toast(t('mine_closed_ok'), 'ok');
        refresh();
      } catch (e) { toast(e.message, 'bad'); }
    } });
}

// ---------- the import box ----------

addWords({
  imp_title: ['批量导入', 'Bulk import'],
  imp_help_d: ['上传 CSV 或 JSON Lines 文件，每行一条需求。CSV 第一行为列名，如 title, description, fields, budget_max；带 ref 的行会更新上次用同一 ref 导入的那条。',
    'Upload a CSV or JSON Lines file, one demand a line. A CSV starts with the column names, e.g. title, description, fields, budget_max; a row with a ref updates the one imported before with that ref.'],
  imp_help_a: ['上传 CSV 或 JSON Lines 文件，每行一项成果。CSV 第一行为列名，如 title, abstract, fields, trl；带 ref 的行会更新上次用同一 ref 导入的那项。',
    'Upload a CSV or JSON Lines file, one achievement a line. A CSV starts with the column names, e.g. title, abstract, fields, trl; a row with a ref updates the one imported before with that ref.'],
  imp_choose: ['选择文件', 'Choose a file'], imp_none: ['未选择文件', 'No file chosen'],
  imp_colon: ['：', ': '], imp_size: ['{0}（{1} KB）', '{0} ({1} KB)'],
  imp_need_file: ['请先选择一个 .csv 或 .jsonl 文件', 'Choose a .csv or .jsonl file first'],
  imp_done: ['导入完成：新建 {0} 条，更新 {1} 条', 'Import done: {0} created, {1} updated'],
  imp_bad_lines: ['{0} 行有错误，未导入：', 'Lines with errors, not imported: {0}'],
  imp_done_bad: ['导入完成：新建 {0} 条，更新 {1} 条；{2} 行有错误，见下方', 'Import done: {0} created, {1} updated; {2} lines with errors, listed below'],
  imp_all_ok: ['所有行均已导入。', 'Every line was imported.'],
  imp_line: ['行号', 'Line'], imp_error: ['错误', 'Error'], imp_running: ['正在导入…', 'Importing…'],
});

// A field code of an import row's error in the UI's words (the form's label), or the code itself.
function fieldLabel(code) {
  const name = (code || '').replace(/\[.*$/, '');
  const word = t(name);
  return word === name ? name : word.replace(/[（(].*$/, '').trim();
}

// The import form and its report; refresh() after an import.  The file input is a label styled as a
// button with the chosen file's name beside it.  The server answers 202 with the import's job (its URL
// is /api/imports/{id}, as in Location): the report follows the job, drawing its progress, until it is
// done (the counts, and each refused line with its errors, in the UI's language) or failed.
function importBox(kind, refresh) {
  const report = el('div', { id: 'import-report', 'aria-live': 'polite' });
  const name = el('span', { class: 'file-name muted', id: 'import-file-name', text: t('imp_none') });
  const file = el('input', { type: 'file', id: 'import-file', class: 'file-input', accept: '.csv,.jsonl,.ndjson,text/csv,application/x-ndjson',
    'aria-describedby': 'import-file-name import-help import-file-err' });
  const err = el('div', { class: 'error', id: 'import-file-err', 'aria-live': 'polite' });
  const go = el('button', { type: 'submit', id: 'import-go', text: t('import_go') });
  file.addEventListener('change', () => {
    const f = file.files[0];
    name.textContent = f ? t('imp_size', f.name, Math.max(1, Math.round(f.size / 1024))) : t('imp_none');
    name.classList.toggle('muted', !f);
    err.textContent = '';
  });
  const importForm = el('form', { class: 'import-form', onsubmit: async (ev) => {
    ev.preventDefault();
    const f = file.files[0];
    if (go.disabled) return;
    if (!f) { err.textContent = t('imp_need_file'); return; }
    const type = /\.csv$/i.test(f.name) ? 'text/csv' : 'application/x-ndjson';
    go.disabled = true;
    go.textContent = t('imp_running');
    try {
      let job = await api('POST', `/api/${kind}/import`, undefined, { type, body: await f.text() });
      while (job.state === 'queued' || job.state === 'running') {
        report.replaceChildren(jobProgress(job));
        await new Promise((done) => { setTimeout(done, 500); });
        if (!report.isConnected) return; // the page was left; the job goes on without us
        job = await api('GET', `/api/imports/${job.id}`);
      }
      report.replaceChildren(job.state === 'failed' ? banner('bad', t('import_failed', job.error)) : importReport(job.report));
      if (job.state !== 'failed') importToast(job.report);
      refresh();
    } catch (e) { report.replaceChildren(banner('bad', e.message)); } finally {
      go.disabled = false;
      go.textContent = t('import_go');
    }
  } },
  el('h2', { text: t('imp_title') }),
  el('p', { class: 'help', id: 'import-help', text: kind === 'demands' ? t('imp_help_d') : t('imp_help_a') }),
  el('div', { class: 'file-row' }, file,
    el('label', { for: 'import-file', class: 'button ghost file-button' }, el('span', { 'aria-hidden': 'true', text: '⇪' }), ` ${t('imp_choose')}`),
    name, go),
  err);
  return { importForm, report };
}

// The toast that says an import is done: its counts, and how many lines it refused.
function importToast(r) {
  const [c, u, f] = [r.created, r.updated, r.failed].map(fmtCount);
  toast(r.failed ? t('imp_done_bad', c, u, f) : t('imp_done', c, u), r.failed ? 'bad' : 'ok');
}

// A finished import's report: the counts, then each refused line with its errors.
function importReport(r) {
  const bad = r.rows.filter((x) => x.status === 'invalid');
  const summary = el('div', { class: `import-summary ${bad.length ? 'has-bad' : 'all-ok'}` },
    el('strong', { text: t('imp_done', fmtCount(r.created), fmtCount(r.updated)) }),
    el('span', { text: bad.length ? t('imp_bad_lines', fmtCount(bad.length)) : t('imp_all_ok') }));
  if (!bad.length) return summary;
  return el('div', { class: 'stack' }, summary,
    el('table', { class: 'data import-errors' },
      el('thead', {}, el('tr', {}, el('th', { scope: 'col', text: t('imp_line') }), el('th', { scope: 'col', text: t('imp_error') }))),
      el('tbody', {}, bad.map((x) => el('tr', {},
        el('td', { class: 'num', text: t('line', x.line) }),
        el('td', {}, el('ul', { class: 'import-why' }, (x.errors || []).map((e) => el('li', {},
          e.field ? el('strong', { text: `${fieldLabel(e.field)}${t('imp_colon')}` }) : null, e.message)))))))));
}

// A running job's line: what it is doing, and a bar of the rows done.
function jobProgress(job) {
  const p = job.progress;
  const what = p.phase === 'storing' ? t('import_storing', p.done, p.total)
    : p.phase === 'matching' ? t('import_matching', p.done, p.total) : t('import_queued', job.rows);
  return el('div', { class: 'import-progress', role: 'status' }, el('div', { class: 'muted', text: what }),
    el('progress', { max: String(Math.max(1, p.total)), value: String(p.phase === 'queued' ? 0 : p.done), 'aria-label': what }));
}
