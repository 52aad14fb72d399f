// page_thesaurus.js: #/thesaurus, the thesaurus brokers and admins curate: pairs of terms the matcher
// treats as one, a translation (激光熔覆 ≈ laser cladding) or a synonym.  The list, newest first, with a
// text filter and a kind filter (both kept in the address, #/thesaurus?q=...&kind=...) and "more";
// the add form (term A, term B, kind, note) with each error under its field, a duplicate pair's
// included; delete after confirmAction.  Each change re-matches the listings holding either term, and
// the toast says how many.  On a phone the table becomes one card per entry.
import { t, addWords } from './i18n.js';
import { el, api, show, input, showErrors, skeleton, toast, banner, confirmAction, pagePath } from './ui.js';
import { session, isStaff } from './session.js';
import { fmtDate, fmtCount } from './format.js';

addWords({
  th_nav: ['词表', 'Thesaurus'],
  th_title: ['匹配词表', 'Matching thesaurus'],
  th_sub: ['告诉匹配引擎哪些说法是一回事：中英文互译或同义词。添加或删除后，含有这些词的需求和成果会立即重新匹配。',
    'Tell the matcher which terms mean the same: a translation or a synonym. Adding or deleting one re-matches the demands and achievements that hold either term at once.'],
  th_list: ['词条', 'Entries'], th_count: ['共 {0} 条', '{0} entries'], th_count_one: ['共 1 条', '1 entry'],
  th_filter: ['筛选词条', 'Filter entries'], th_filter_ph: ['词语或备注', 'A term or a note'],
  th_kind_any: ['全部类型', 'Any kind'], th_kind: ['类型', 'Kind'],
  th_translation: ['互译', 'Translation'], th_synonym: ['同义词', 'Synonym'],
  th_term_a: ['词语 A', 'Term A'], th_term_b: ['词语 B', 'Term B'], th_terms: ['词语', 'Terms'], th_note: ['备注（可选）', 'Note (optional)'],
  th_added: ['添加人', 'Added by'],
  th_term_a_help: ['如：激光熔覆', 'e.g. 激光熔覆'], th_term_b_help: ['如：laser cladding', 'e.g. laser cladding'],
  th_kind_help: ['互译：同一事物的中英文说法；同义词：同一语言的另一种说法', 'Translation: the same thing in another language; synonym: another name in the same language'],
  th_note_help: ['为其他经纪人说明理由，最多 200 个字符', 'Why the pair holds, for other brokers; at most 200 characters'],
  th_add_title: ['添加词条', 'Add an entry'], th_add: ['添加', 'Add'], th_adding: ['正在添加…', 'Adding…'],
  th_required: ['请填写此项', 'Please fill this in'], th_too_long: ['最多 {0} 个字符', 'At most {0} characters'],
  th_same: ['两个词语不能相同', 'The two terms must differ'],
  th_added_toast: ['已添加：{0} ≈ {1}，重新匹配了 {2} 条需求和成果', 'Added {0} ≈ {1}; {2} listings re-matched'],
  th_delete: ['删除', 'Delete'], th_delete_label: ['删除 {0} ≈ {1}', 'Delete {0} ≈ {1}'],
  th_delete_q: ['删除词条“{0} ≈ {1}”？含有这两个词的需求和成果将重新匹配。', 'Delete "{0} ≈ {1}"? The listings holding either term are re-matched.'],
  th_delete_yes: ['删除词条', 'Delete the entry'],
  th_deleted_toast: ['已删除：{0} ≈ {1}，重新匹配了 {2} 条需求和成果', 'Deleted {0} ≈ {1}; {2} listings re-matched'],
  th_empty_title: ['词表还是空的', 'The thesaurus is empty'],
  th_empty: ['匹配引擎按字面比较文本，所以“激光熔覆”的需求找不到“laser cladding”的成果。在这里添加“激光熔覆 ≈ laser cladding”这样的词条，两边就能匹配上；同义词（如“液压支柱 ≈ 单体支柱”）也一样。',
    'The matcher compares the words of texts, so a demand for 激光熔覆 does not find an achievement on laser cladding. Add an entry such as "激光熔覆 ≈ laser cladding" here and the two meet; synonyms (液压支柱 ≈ 单体支柱) work the same way.'],
  th_none_match: ['没有符合筛选条件的词条。', 'No entry matches the filter.'],
  th_more: ['加载更多', 'Load more'],
  th_staff_only: ['只有技术经纪人和管理员可以维护词表。', 'Only brokers and admins curate the thesaurus.'],
});

const KINDS = ['translation', 'synonym'];
const TERM_MAX = 100;
const NOTE_MAX = 200;

// The filters of the address (#/thesaurus?q=..&kind=..).
function addressFilters() {
  const query = new URLSearchParams((location.hash.split('?')[1]) || '');
  const kind = query.get('kind') || '';
  return { q: query.get('q') || '', kind: KINDS.includes(kind) ? kind : '' };
}

// Writes the filters into the address without drawing the page again (the list follows them itself).
function keepFilters(f) {
  const s = new URLSearchParams(Object.entries(f).filter(([, v]) => v)).toString();
  const h = s ? `#/thesaurus?${s}` : '#/thesaurus';
  if (h !== location.hash) history.replaceState(null, '', h);
}

// One entry as a table row: the pair with its note under it, the kind as a pill, who added it and when, and
// its delete button.  Each cell names its column (data-label) for the phone's card layout.
function entryRow(e, fresh, onDelete) {
  const cell = (key, ...kids) => el('td', { 'data-label': t(key) }, el('div', { class: 'cell' }, ...kids));
  const del = el('button', { type: 'button', class: 'ghost danger small', text: t('th_delete'),
    'aria-label': t('th_delete_label', e.term_a, e.term_b), onclick: () => onDelete(e, del) });
  return el('tr', { class: fresh ? 'is-new' : null, 'data-id': String(e.id) },
    cell('th_terms', el('strong', { class: 'th-pair' }, el('span', { text: e.term_a }),
      el('span', { class: 'muted', 'aria-hidden': 'true', text: ' ≈ ' }), el('span', { class: 'sr-only', text: ' / ' }),
      el('span', { text: e.term_b })),
    e.note ? el('span', { class: 'users-email muted th-note', text: e.note }) : null),
    cell('th_kind', el('span', { class: `pill ${e.kind === 'translation' ? 'state-pushed' : 'state-suggested'}`, text: t(`th_${e.kind}`) })),
    cell('th_added', e.created_by_name ? el('span', { class: 'users-email', text: e.created_by_name }) : null,
      el('time', { class: 'users-email muted', datetime: e.created_at, text: fmtDate(e.created_at) })),
    el('td', { class: 'num', 'data-label': '' }, del));
}

export async function thesaurusPage() {
  const me = session.me;
  if (!me || !isStaff(me)) { show(banner('bad', t('th_staff_only'))); return; }
  const filters = addressFilters();
  const count = el('span', { class: 'muted', id: 'th-count', role: 'status' });
  const body = el('tbody', {});
  const table = el('table', { class: 'data users-table', id: 'th-table' },
    el('caption', { class: 'sr-only', text: t('th_list') }),
    el('thead', {}, el('tr', {}, ['th_terms', 'th_kind', 'th_added'].map((k) => el('th', { scope: 'col', text: t(k) })),
      el('th', { scope: 'col' }, el('span', { class: 'sr-only', text: t('th_delete') })))), body);
  const listBox = el('div', { id: 'th-list' }, skeleton(4));
  const more = el('button', { type: 'button', class: 'ghost', id: 'th-more', text: t('th_more'), hidden: true });
  let next = null;
  let seq = 0; // the newest list request: an older answer arriving late is dropped

  // Draws the first page for the filters (fresh: the id of an entry just added, highlighted).
  const refresh = async (fresh = 0) => {
    const mine = ++seq;
    keepFilters(filters);
    const qs = new URLSearchParams({ total: 'true', ...Object.fromEntries(Object.entries(filters).filter(([, v]) => v)) });
    try {
      const r = await api('GET', `/api/thesaurus?${qs}`);
      if (mine !== seq || pagePath() !== '#/thesaurus') return;
      count.textContent = r.total === 1 ? t('th_count_one') : t('th_count', fmtCount(r.total));
      next = r.next_cursor;
      more.hidden = !next;
      if (!r.items.length) {
        const filtered = filters.q || filters.kind;
        listBox.replaceChildren(filtered ? el('div', { class: 'empty', id: 'th-empty' }, el('p', { text: t('th_none_match') }))
          : el('div', { class: 'empty', id: 'th-empty' }, el('p', { class: 'empty-title', text: t('th_empty_title') }), el('p', { text: t('th_empty') })));
        return;
      }
      body.replaceChildren(...r.items.map((e) => entryRow(e, e.id === fresh, remove)));
      listBox.replaceChildren(table);
    } catch (e) { if (mine === seq) listBox.replaceChildren(banner('bad', e.message)); }
  };
  more.addEventListener('click', async () => {
    if (!next) return;
    more.disabled = true;
    const qs = new URLSearchParams({ cursor: next, ...Object.fromEntries(Object.entries(filters).filter(([, v]) => v)) });
    try {
      const r = await api('GET', `/api/thesaurus?${qs}`);
      body.append(...r.items.map((e) => entryRow(e, false, remove)));
      next = r.next_cursor;
      more.hidden = !next;
    } catch (e) { toast(e.message, 'bad'); } finally { more.disabled = false; }
  });
  // Deletes an entry after asking; the list is drawn again and the toast counts the re-matched listings.
  async function remove(e, button) {
    const yes = await confirmAction(t('th_delete_q', e.term_a, e.term_b), { danger: true, confirmLabel: t('th_delete_yes') });
    if (!yes) return;
    button.disabled = true;
    try {
      const r = await api('DELETE', `/api/thesaurus/${e.id}`);
      toast(t('th_deleted_toast', e.term_a, e.term_b, fmtCount(r.rematched)), 'ok');
      await refresh();
    } catch (err) { toast(err.message, 'bad'); button.disabled = false; }
  }

  const q = el('input', { id: 'th-q', type: 'search', value: filters.q, placeholder: t('th_filter_ph'), autocomplete: 'off' });
  const kind = el('select', { id: 'th-kind' }, el('option', { value: '', text: t('th_kind_any') }),
    KINDS.map((k) => el('option', { value: k, text: t(`th_${k}`), selected: filters.kind === k })));
  let timer = 0;
  q.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => { filters.q = q.value.trim(); refresh(); }, 250);
  });
  kind.addEventListener('change', () => { filters.kind = kind.value; refresh(); });
  const toolbar = el('div', { class: 'toolbar', role: 'search' },
    el('div', { class: 'field grow' }, el('label', { for: 'th-q', class: 'sr-only', text: t('th_filter') }), q),
    el('div', { class: 'field' }, el('label', { for: 'th-kind', class: 'sr-only', text: t('th_kind') }), kind));

  show(el('div', { class: 'page-head' }, el('div', {}, el('h1', { text: t('th_title') }), el('p', { class: 'sub', text: t('th_sub') }))),
    el('div', { class: 'users-grid' },
      el('section', { class: 'card stack', 'aria-labelledby': 'th-h' },
        el('div', { class: 'section-head' }, el('h2', { id: 'th-h', text: t('th_list') }), count), toolbar, listBox,
        el('div', { class: 'row center' }, more)),
      el('section', { class: 'card', 'aria-labelledby': 'th-add-h' }, el('h2', { id: 'th-add-h', text: t('th_add_title') }),
        addForm(refresh))));
  refresh();
}

// The form that adds an entry; refresh(id) draws the list again with the new entry highlighted.
function addForm(refresh) {
  const submit = el('button', { type: 'submit', text: t('th_add') });
  const form = el('form', { novalidate: true, id: 'th-add', onsubmit: async (ev) => {
    ev.preventDefault();
    if (submit.disabled) return;
    const v = (n) => form.elements[n].value.trim();
    const errs = [];
    for (const [n, max] of [['term_a', TERM_MAX], ['term_b', TERM_MAX], ['note', NOTE_MAX]]) {
      if (n !== 'note' && !v(n)) errs.push({ field: n, message: t('th_required') });
      else if ([...v(n)].length > max) errs.push({ field: n, message: t('th_too_long', max) });
    }
    if (!errs.length && v('term_a').toLowerCase() === v('term_b').toLowerCase()) errs.push({ field: 'term_b', message: t('th_same') });
    if (errs.length) { showErrors(form, { problem: { errors: errs } }); form.querySelector('[aria-invalid]')?.focus(); return; }
    const body = { term_a: v('term_a'), term_b: v('term_b'), kind: v('kind') };
    if (v('note')) body.note = v('note');
    submit.disabled = true;
    submit.textContent = t('th_adding');
    try {
      const e = await api('POST', '/api/thesaurus', body);
      form.reset();
      showErrors(form, { problem: {} });
      toast(t('th_added_toast', e.term_a, e.term_b, fmtCount(e.rematched)), 'ok');
      await refresh(e.id);
    } catch (e) {
      // A stored pair is a 409 whose detail names term_b ("term_b: ..."): its message goes under that field.
      const p = e.problem || {};
      const dup = p.status === 409 && /^[^:：]+[:：]\s*/.test(p.detail || '');
      showErrors(form, dup ? { problem: { errors: [{ field: 'term_b', message: p.detail.replace(/^[^:：]+[:：]\s*/, '') }] } } : e);
      form.querySelector('[aria-invalid]')?.focus();
    } finally {
      submit.disabled = false;
      submit.textContent = t('th_add');
    }
  } },
  input('term_a', t('th_term_a'), { autocomplete: 'off', maxlength: String(TERM_MAX), help: t('th_term_a_help') }),
  input('term_b', t('th_term_b'), { autocomplete: 'off', maxlength: String(TERM_MAX), help: t('th_term_b_help') }),
  input('kind', t('th_kind'), { options: KINDS.map((k) => [k, t(`th_${k}`)]), help: t('th_kind_help') }),
  input('note', t('th_note'), { autocomplete: 'off', maxlength: String(NOTE_MAX), help: t('th_note_help') }),
  submit);
  return form;
}
