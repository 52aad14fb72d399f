// page_pipeline.js: #/pipeline, the staff's board of matches by status, from
// approved to deal, and with "show ended" (ended=1 in the hash) the closed,
// declined and rejected ones on a second board.  Each column counts its matches
// (asked on its first page only) and pages by the API's cursor ("more"); the
// filters (field, minimum score, age) live in the URL hash; each card links to
// the match.  On a phone the columns stack, with a row of links to each column.
import { t, addWords } from './i18n.js';
import { el, api, show, pagePath, loading, banner, pct, fieldsUpTo, fieldName, toast } from './ui.js';
import { vocab } from './vocab.js';
import { fmtCount, fmtRelative } from './format.js';
import { hashQuery, setHashQuery, filterSelect, filterInput, filterBox } from './match_actions.js';

addWords({
  pl_more: ['更多', 'More'], pl_count: ['{0} 条', '{0}'],
  pl_empty: ['暂无', 'None'], pl_apply: ['筛选', 'Apply'], pl_reset: ['清除筛选', 'Clear filters'],
  pl_any: ['不限', 'Any'], pl_min: ['最低匹配度（%）', 'Minimum score (%)'], pl_age: ['匹配时间', 'Matched within'],
  pl_days: ['{0} 天内', '{0} days'], pl_filters: ['筛选', 'Filters'], pl_updated: ['更新于 {0}', 'updated {0}'],
  pl_score_bad: ['请输入 0 到 100 之间的数', 'Enter a number from 0 to 100'],
  pl_show_ended: ['显示已结束', 'Show ended'], pl_hide_ended: ['隐藏已结束', 'Hide ended'],
  pl_active: ['进行中', 'In progress'], pl_ended: ['已结束', 'Ended'],
  pl_ended_note: ['已关闭、企业不感兴趣或被驳回的匹配', 'Closed, declined by the enterprise, or rejected by a broker'],
  pl_jump: ['跳转到列', 'Jump to a column'],
});

const PAGE = 20;

// The filters as the hash has them, each '' when absent (ended: '1' shows the ended columns).
function readFilters() {
  const q = hashQuery();
  return { field: q.get('field') || '', min: q.get('min') || '', age: q.get('age') || '', ended: q.get('ended') === '1' ? '1' : '' };
}

// The API's query for one column's status, filters f and cursor (the first page asks for the column's total).
function apiQuery(status, f, cursor) {
  const q = new URLSearchParams({ status, limit: String(PAGE) });
  if (f.field) q.set('field', f.field);
  if (f.min !== '' && Number(f.min) >= 0 && Number(f.min) <= 100) q.set('min_score', String(Number(f.min) / 100));
  if (f.age) q.set('max_age_days', f.age);
  if (cursor) q.set('cursor', cursor);
  else q.set('total', 'true');
  return `/api/matches?${q}`;
}

function filterBar(f) {
  const any = ['', t('pl_any')];
  const form = el('form', { class: 'toolbar', id: 'pipeline-filters', 'aria-label': t('pl_filters'), novalidate: true },
    filterSelect('pf_field', t('field'), [any, ...fieldsUpTo(2).map((x) => [x.code, x.level === 1 ? fieldName(x.code) : `　${fieldName(x.code)}`])], f.field),
    filterInput('pf_min', t('pl_min'), f.min, { inputmode: 'numeric', size: '4' }),
    filterSelect('pf_age', t('pl_age'), [any, ...['7', '30', '90', '365'].map((d) => [d, t('pl_days', d)])], f.age),
    el('div', { class: 'row toolbar-actions' }, el('button', { type: 'submit', text: t('pl_apply') }),
      el('a', { href: f.ended ? '#/pipeline?ended=1' : '#/pipeline', class: 'button ghost', text: t('pl_reset') })));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const min = form.elements.pf_min.value.trim();
    const bad = min !== '' && !(Number(min) >= 0 && Number(min) <= 100);
    form.querySelector('#pf_min_err').textContent = bad ? t('pl_score_bad') : '';
    if (!bad) setHashQuery('pipeline', { field: form.elements.pf_field.value, min, age: form.elements.pf_age.value, ended: f.ended });
  });
  return filterBox(form, [f.field, f.min, f.age].filter(Boolean).length);
}

// The "show ended" switch: a toggle button whose state is the hash's ended=1.
function endedToggle(f) {
  return el('button', { type: 'button', class: 'ghost', id: 'pl-ended', 'aria-pressed': f.ended ? 'true' : 'false',
    text: t(f.ended ? 'pl_hide_ended' : 'pl_show_ended'), onclick: () => setHashQuery('pipeline', { ...f, ended: f.ended ? '' : '1' }) });
}

// A match as a small card linking to its page.
function miniCard(m) {
  return el('a', { class: 'card mini', href: `#/matches/${m.id}`, 'data-id': String(m.id) },
    el('strong', { text: m.demand.title }), el('span', { class: 'muted', text: m.achievement.title }),
    el('span', { class: 'row' }, el('span', { class: 'score', text: pct(m.score) }),
      el('span', { class: 'muted', text: t('pl_updated', fmtRelative(m.updated_at)) })));
}

// One column: its first page, its total and a "more" button that appends the next page; {node, status, total}.
async function column(status, f) {
  const list = el('div', { class: 'stack' });
  const count = el('span', { class: 'badge count' });
  const more = el('div', { class: 'pager' });
  let shown = 0, next = null, total = 0;
  const load = async (cursor) => {
    const page = await api('GET', apiQuery(status, f, cursor));
    next = page.next_cursor;
    if (!cursor) total = page.total;
    shown += page.items.length;
    list.append(...page.items.map(miniCard));
    count.textContent = t('pl_count', fmtCount(total));
    if (!shown) list.replaceChildren(el('p', { class: 'muted empty-col', text: t('pl_empty') }));
    more.replaceChildren(...(next ? [el('button', { type: 'button', class: 'ghost', text: t('pl_more'),
      'aria-label': `${t('pl_more')}: ${t(`s_${status}`)}`, onclick: async (ev) => {
        ev.currentTarget.disabled = true;
        try { await load(next); } catch (e) { toast(e.message, 'bad'); }
      } })] : []));
  };
  await load(null);
  const node = el('section', { class: 'column', id: `col-${status}`, 'data-status': status, 'aria-label': t(`s_${status}`) },
    el('h2', {}, `${t(`s_${status}`)} `, count), list, more);
  return { node, status, total };
}

// The phone's row of links to each column with its count (the columns stack there, one under another).
function columnIndex(cols) {
  return el('nav', { class: 'board-index', 'aria-label': t('pl_jump') },
    cols.map((c) => el('a', { href: `#col-${c.status}`, class: `chip state-${c.status}`, onclick: (ev) => {
      ev.preventDefault(); // the hash is the page's route: scroll instead of navigating
      document.getElementById(`col-${c.status}`).scrollIntoView({ block: 'start' });
    } }, `${t(`s_${c.status}`)} `, el('span', { class: 'num', text: fmtCount(c.total) }))));
}

export async function pipelinePage() {
  show(loading());
  const f = readFilters();
  try {
    const [active, ended] = await Promise.all([Promise.all(vocab.pipeline.map((c) => column(c, f))),
      f.ended ? Promise.all(vocab.pipeline_ended.map((c) => column(c, f))) : []]);
    if (pagePath() !== '#/pipeline') return; // the user went elsewhere meanwhile
    show(...[el('div', { class: 'page-head' }, el('h1', { text: t('pipeline') }), el('div', { class: 'row' }, endedToggle(f))),
      filterBar(f), columnIndex([...active, ...ended]),
      el('section', { class: 'board-wrap', 'aria-labelledby': 'pl-active-h' },
        el('h2', { class: 'board-title', id: 'pl-active-h', text: t('pl_active') }),
        el('div', { class: 'board', id: 'board' }, active.map((c) => c.node))),
      ended.length ? el('section', { class: 'board-wrap', id: 'ended', 'aria-labelledby': 'pl-ended-h' },
        el('h2', { class: 'board-title', id: 'pl-ended-h', text: t('pl_ended') }),
        el('p', { class: 'muted', text: t('pl_ended_note') }),
        el('div', { class: 'board board-ended' }, ended.map((c) => c.node))) : null].filter(Boolean));
  } catch (e) { show(banner('bad', e.message)); }
}
