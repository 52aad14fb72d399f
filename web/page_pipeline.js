// page_pipeline.js: #/pipeline, the staff's board of matches by status, from
// approved to deal.  Each column pages by the API's cursor ("more"); the filters
// (field, minimum score, age) live in the URL hash; each card links to the match.
import { t, addWords } from './i18n.js';
import { el, api, show, loading, banner, pct, fieldsUpTo, fieldName, toast } from './ui.js';
import { vocab } from './vocab.js';
import { fmtCount, fmtRelative } from './format.js';
import { hashQuery, setHashQuery, filterSelect, filterInput, filterBox } from './match_actions.js';

addWords({
  pl_more: ['更多', 'More'], pl_count: ['{0} 条', '{0}'],
  pl_empty: ['暂无', 'None'], pl_apply: ['筛选', 'Apply'], pl_reset: ['清除筛选', 'Clear filters'],
  pl_any: ['不限', 'Any'], pl_min: ['最低匹配度（%）', 'Minimum score (%)'], pl_age: ['匹配时间', 'Matched within'],
  pl_days: ['{0} 天内', '{0} days'], pl_filters: ['筛选', 'Filters'], pl_updated: ['更新于 {0}', 'updated {0}'],
  pl_score_bad: ['请输入 0 到 100 之间的数', 'Enter a number from 0 to 100'],
});

const PAGE = 20;

// The filters as the hash has them, each '' when absent.
function readFilters() {
  const q = hashQuery();
  return { field: q.get('field') || '', min: q.get('min') || '', age: q.get('age') || '' };
}

// The API's query for one column's status, filters f and cursor.
function apiQuery(status, f, cursor) {
  const q = new URLSearchParams({ status, limit: String(PAGE) });
  if (f.field) q.set('field', f.field);
  if (f.min !== '' && Number(f.min) >= 0 && Number(f.min) <= 100) q.set('min_score', String(Number(f.min) / 100));
  if (f.age) q.set('max_age_days', f.age);
  if (cursor) q.set('cursor', cursor);
  return `/api/matches?${q}`;
}

function filterBar(f) {
  const any = ['', t('pl_any')];
  const form = el('form', { class: 'toolbar', id: 'pipeline-filters', 'aria-label': t('pl_filters'), novalidate: true },
    filterSelect('pf_field', t('field'), [any, ...fieldsUpTo(2).map((x) => [x.code, x.level === 1 ? fieldName(x.code) : `　${fieldName(x.code)}`])], f.field),
    filterInput('pf_min', t('pl_min'), f.min, { inputmode: 'numeric', size: '4' }),
    filterSelect('pf_age', t('pl_age'), [any, ...['7', '30', '90', '365'].map((d) => [d, t('pl_days', d)])], f.age),
    el('div', { class: 'row toolbar-actions' }, el('button', { type: 'submit', text: t('pl_apply') }),
      el('a', { href: '#/pipeline', class: 'button ghost', text: t('pl_reset') })));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const min = form.elements.pf_min.value.trim();
    const bad = min !== '' && !(Number(min) >= 0 && Number(min) <= 100);
    form.querySelector('#pf_min_err').textContent = bad ? t('pl_score_bad') : '';
    if (!bad) setHashQuery('pipeline', { field: form.elements.pf_field.value, min, age: form.elements.pf_age.value });
  });
  return filterBox(form, [f.field, f.min, f.age].filter(Boolean).length);
}

// A match as a small card linking to its page.
function miniCard(m) {
  return el('a', { class: 'card mini', href: `#/matches/${m.id}`, 'data-id': String(m.id) },
    el('strong', { text: m.demand.title }), el('span', { class: 'muted', text: m.achievement.title }),
    el('span', { class: 'row' }, el('span', { class: 'score', text: pct(m.score) }),
      el('span', { class: 'muted', text: t('pl_updated', fmtRelative(m.updated_at)) })));
}

// One column: its first page, its total and a "more" button that appends the next page.
async function column(status, f) {
  const list = el('div', { class: 'stack' });
  const count = el('span', { class: 'badge count' });
  const more = el('div', { class: 'pager' });
  let shown = 0, next = null;
  const load = async (cursor) => {
    const page = await api('GET', apiQuery(status, f, cursor));
    next = page.next_cursor;
    shown += page.items.length;
    list.append(...page.items.map(miniCard));
    count.textContent = t('pl_count', fmtCount(page.total));
    if (!shown) list.replaceChildren(el('p', { class: 'muted empty-col', text: t('pl_empty') }));
    more.replaceChildren(...(next ? [el('button', { type: 'button', class: 'ghost', text: t('pl_more'),
      'aria-label': `${t('pl_more')}: ${t(`s_${status}`)}`, onclick: async (ev) => {
        ev.currentTarget.disabled = true;
        try { await load(next); } catch (e) { toast(e.message, 'bad'); }
      } })] : []));
  };
  await load(null);
  return el('section', { class: 'column', 'data-status': status, 'aria-label': t(`s_${status}`) },
    el('h2', {}, `${t(`s_${status}`)} `, count), list, more);
}

export async function pipelinePage() {
  show(loading());
  const f = readFilters();
  try {
    const columns = await Promise.all(vocab.pipeline.map((c) => column(c, f)));
    if (!location.hash.startsWith('#/pipeline')) return; // the user went elsewhere meanwhile
    show(el('div', { class: 'page-head' }, el('h1', { text: t('pipeline') })), filterBar(f),
      el('div', { class: 'board' }, columns));
  } catch (e) { show(banner('bad', e.message)); }
}
