// page_review.js: #/review, the broker's queue of suggested matches.  Filters
// (field, region, score range, age, assignee, origin) live in the URL hash; the
// queue pages by the API's cursor ("more"); each entry shows who the two sides are
// and is approved or rejected with a reason the broker chooses, by button or by key
// (j/k move, a approves, r rejects after a confirmation), or several at once.
// The first page asks for the queue's total (total=true); later pages do not.
// On a phone an entry shows its head (titles, score, the two organisations) and
// its actions; "Details" opens the sides and the explanation.
import { t, addWords } from './i18n.js';
import { el, api, show, pagePath, loading, banner, fieldsUpTo, fieldName, toast, confirmAction, pct } from './ui.js';
import { session } from './session.js';
import { explanationView } from './cards.js';
import { fmtCount, fmtRelative } from './format.js';
import { reasonField, sideView, hashQuery, setHashQuery, filterSelect, filterInput, filterBox } from './match_actions.js';

addWords({
  rv_filters: ['筛选', 'Filters'], rv_apply: ['筛选', 'Apply'], rv_reset: ['清除筛选', 'Clear filters'],
  rv_any: ['不限', 'Any'], rv_min: ['最低匹配度（%）', 'Minimum score (%)'], rv_max: ['最高匹配度（%）', 'Maximum score (%)'],
  rv_age: ['推荐时间', 'Suggested within'], rv_days: ['{0} 天内', '{0} days'], rv_assigned: ['负责人', 'Assigned'],
  rv_me: ['我', 'Me'], rv_none: ['未分配', 'Nobody'], rv_origin: ['来源', 'Origin'], rv_matcher: ['系统匹配', 'Matcher'],
  rv_proposal: ['揭榜', 'Proposal'], rv_region_ph: ['如 贵州省', 'e.g. Guizhou'],
  rv_total: ['共 {0} 条', '{0} in all'], rv_shown_more: ['共 {1} 条，已显示 {0} 条', '{1} in all, {0} shown'],
  rv_more: ['加载更多', 'Load more'], rv_bulk_hint: ['先勾选匹配，再批量处理', 'Select matches to act on them together'],
  rv_selected: ['已选 {0} 条', '{0} selected'], rv_confirm_reject: ['驳回这条匹配（原因：{0}）？', 'Reject this match (reason: {0})?'],
  rv_confirm_bulk: ['驳回所选的 {0} 条匹配（原因：{1}）？', 'Reject the {0} selected matches (reason: {1})?'],
  rv_approved: ['已通过并推送', 'Approved and pushed'], rv_rejected: ['已驳回', 'Rejected'],
  rv_bulk_done: ['已处理 {0} 条，{1} 条未能处理', '{0} done, {1} could not be'],
  rv_bulk_approved: ['已通过并推送 {0} 条', '{0} approved and pushed'], rv_bulk_rejected: ['已驳回 {0} 条', '{0} rejected'],
  rv_pick_reason_first: ['驳回前请先选择原因', 'Choose a reason before rejecting'],
  rv_score_bad: ['请输入 0 到 100 之间的数', 'Enter a number from 0 to 100'],
  rv_waiting: ['推荐于 {0}', 'suggested {0}'], rv_assigned_to: ['负责人：{0}', 'assigned: {0}'],
  rv_empty_filtered: ['没有符合筛选条件的匹配。', 'No match fits these filters.'],
  rv_keys: ['快捷键：j/k 上下移动，a 通过，r 驳回（需先选原因，并确认）', 'Keys: j/k next/previous, a approve, r reject (choose a reason first; you confirm)'],
  rv_details: ['详情', 'Details'], rv_less: ['收起', 'Less'], rv_org_hidden: ['机构未公开', 'organisation not shown'],
  rv_score: ['匹配度 {0}', 'Score {0}'],
});

const FILTERS = ['field', 'region', 'min', 'max', 'age', 'assigned', 'origin'];

// The filters as the hash has them, each '' when absent.
function readFilters() {
  const q = hashQuery();
  return Object.fromEntries(FILTERS.map((k) => [k, q.get(k) || '']));
}

// The API's query for filters f (scores given in per cent in the URL), with cursor when given (the first page
// alone asks for the total: counting reads the whole queue).
function apiQuery(f, cursor) {
  const q = new URLSearchParams({ limit: '20' });
  if (!cursor) q.set('total', 'true');
  if (f.field) q.set('field', f.field);
  if (f.region) q.set('region', f.region);
  if (f.min !== '' && !Number.isNaN(Number(f.min))) q.set('min_score', String(Number(f.min) / 100));
  if (f.max !== '' && !Number.isNaN(Number(f.max))) q.set('max_score', String(Number(f.max) / 100));
  if (f.age) q.set('max_age_days', f.age);
  if (f.assigned) q.set('assigned', f.assigned);
  if (f.origin) q.set('origin', f.origin);
  if (cursor) q.set('cursor', cursor);
  return `/api/review?${q}`;
}

// The filter bar: its controls show f; Apply puts them in the hash (the page is drawn again from there).
function filterBar(f) {
  const any = ['', t('rv_any')];
  const fields = [any, ...fieldsUpTo(2).map((x) => [x.code, x.level === 1 ? fieldName(x.code) : `　${fieldName(x.code)}`])];
  const form = el('form', { class: 'toolbar', id: 'review-filters', 'aria-label': t('rv_filters'), novalidate: true },
    filterSelect('rf_field', t('field'), fields, f.field),
    filterInput('rf_region', t('region'), f.region, { placeholder: t('rv_region_ph') }),
    filterInput('rf_min', t('rv_min'), f.min, { inputmode: 'numeric', size: '4' }),
    filterInput('rf_max', t('rv_max'), f.max, { inputmode: 'numeric', size: '4' }),
    filterSelect('rf_age', t('rv_age'), [any, ...['1', '7', '30', '90'].map((d) => [d, t('rv_days', d)])], f.age),
    filterSelect('rf_assigned', t('rv_assigned'), [any, ['me', t('rv_me')], ['none', t('rv_none')]], f.assigned),
    filterSelect('rf_origin', t('rv_origin'), [any, ['matcher', t('rv_matcher')], ['proposal', t('rv_proposal')]], f.origin),
    el('div', { class: 'row toolbar-actions' }, el('button', { type: 'submit', id: 'rf_apply', text: t('rv_apply') }),
      el('a', { href: '#/review', class: 'button ghost', text: t('rv_reset') })));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const v = (n) => form.elements[`rf_${n}`].value.trim();
    let bad = false;
    for (const n of ['min', 'max']) {
      const x = v(n), slot = form.querySelector(`#rf_${n}_err`);
      const wrong = x !== '' && !(Number(x) >= 0 && Number(x) <= 100);
      slot.textContent = wrong ? t('rv_score_bad') : '';
      bad = bad || wrong;
    }
    if (!bad) setHashQuery('review', Object.fromEntries(FILTERS.map((n) => [n, v(n)])));
  });
  return filterBox(form, FILTERS.filter((k) => f[k] !== '').length);
}

// An organisation's name as the caller may see it, or a word saying it is not shown.
function orgOf(l) { return l.org && l.org.name ? l.org.name : t('rv_org_hidden'); }

// A queue entry's head, all a phone shows before "Details": the two titles, the score, the two organisations.
function summaryLine(m) {
  return el('div', { class: 'review-head' },
    el('h2', { class: 'review-titles' }, el('span', { text: m.demand.title || `#${m.demand.id}` }),
      el('span', { class: 'muted', 'aria-hidden': 'true', text: ' ↔ ' }), el('span', { text: m.achievement.title || `#${m.achievement.id}` })),
    el('div', { class: 'review-line' },
      el('span', { class: 'score', text: t('rv_score', pct(m.score)) }),
      el('span', { class: 'review-orgs muted', text: `${orgOf(m.demand)} ↔ ${orgOf(m.achievement)}` })));
}

export async function reviewPage() {
  if (!session.me) { show(banner('bad', t('need_login'))); return; }
  const f = readFilters();
  const filtered = FILTERS.some((k) => f[k] !== '');
  const list = el('div', { id: 'queue', class: 'stack' }, loading());
  const count = el('p', { class: 'pager', id: 'queue-count', role: 'status' });
  const moreBox = el('div', { class: 'pager' });
  let cards = [], at = 0, next = null, shown = 0, total = 0;

  // ----- the bulk bar -----
  const bulkReason = reasonField(t('reason'));
  const bulkHint = el('span', { class: 'muted help', id: 'bulk-hint', text: t('rv_bulk_hint') });
  const approveAll = el('button', { type: 'button', id: 'bulk-approve', text: t('approve_selected'), disabled: true,
    'aria-describedby': 'bulk-hint', onclick: () => bulk('approve') });
  const rejectAll = el('button', { type: 'button', class: 'danger', id: 'bulk-reject', text: t('reject_selected'), disabled: true,
    'aria-describedby': 'bulk-hint', onclick: () => bulk('reject') });
  const picked = () => [...list.querySelectorAll('input.pick:checked')].map((c) => Number(c.value));
  const updateBulk = () => {
    const n = picked().length;
    approveAll.disabled = n === 0;
    rejectAll.disabled = n === 0;
    bulkHint.textContent = n === 0 ? t('rv_bulk_hint') : t('rv_selected', fmtCount(n));
  };
  const bulk = async (action) => {
    const ids = picked();
    if (!ids.length) return;
    let body = { action, ids };
    if (action === 'reject') {
      const why = bulkReason.read();
      if (!why) return;
      if (!(await confirmAction(t('rv_confirm_bulk', fmtCount(ids.length), t(`r_${why.reason}`)), { danger: true, confirmLabel: t('reject_selected') }))) return;
      body = { ...body, ...why };
    }
    try {
      const r = await api('POST', '/api/matches/bulk', body);
      const done = r.results.filter((x) => x.result === 'done').length;
      const all = done === r.results.length;
      toast(all ? t(action === 'approve' ? 'rv_bulk_approved' : 'rv_bulk_rejected', fmtCount(done))
        : t('rv_bulk_done', fmtCount(done), fmtCount(r.results.length - done)), all ? 'ok' : 'bad');
      reviewPage();
    } catch (e) { toast(e.message, 'bad'); }
  };
  const bulkBar = el('div', { class: 'toolbar card', id: 'bulk', role: 'group', 'aria-label': t('approve_selected') },
    approveAll, bulkReason.node, rejectAll, bulkHint);

  show(el('div', { class: 'page-head' }, el('h1', { text: t('review') })),
    el('p', { class: 'muted keys-help', text: t('rv_keys') }), filterBar(f), count, bulkBar, list, moreBox);

  // ----- one entry -----
  const select = (i, scroll = true) => {
    cards.forEach((c) => c.classList.remove('selected'));
    at = Math.max(0, Math.min(i, cards.length - 1));
    if (cards[at]) {
      cards[at].classList.add('selected');
      if (scroll) cards[at].scrollIntoView({ block: 'nearest' });
    }
  };
  const removeCard = (card) => {
    cards = cards.filter((c) => c !== card);
    card.remove();
    shown -= 1;
    total -= 1;
    showCount();
    if (!cards.length) { list.replaceChildren(emptyState()); bulkBar.hidden = true; } // nothing left to select
    select(at, false);
    updateBulk();
  };
  const act = async (card, what, confirmFirst) => {
    const id = card.dataset.id;
    const slot = card.querySelector('.outcome');
    slot.replaceChildren();
    try {
      if (what === 'approve') {
        await api('POST', `/api/matches/${id}/approve`);
        toast(t('rv_approved'), 'ok');
      } else {
        const why = card.reason.read();
        if (!why) return;
        if (confirmFirst && !(await confirmAction(t('rv_confirm_reject', t(`r_${why.reason}`)), { danger: true, confirmLabel: t('reject') }))) return;
        await api('POST', `/api/matches/${id}/reject`, why);
        toast(t('rv_rejected'), 'ok');
      }
      removeCard(card);
    } catch (e) { slot.replaceChildren(banner('bad', e.message)); }
  };
  const entry = (m) => {
    const reason = reasonField(t('reason'));
    const bodyId = `review-body-${m.id}`;
    const toggle = el('button', { type: 'button', class: 'ghost review-toggle', 'aria-expanded': 'false', 'aria-controls': bodyId,
      text: t('rv_details'), onclick: () => {
        const open = card.classList.toggle('open');
        toggle.setAttribute('aria-expanded', String(open));
        toggle.textContent = t(open ? 'rv_less' : 'rv_details');
      } });
    const card = el('article', { class: 'card review', 'data-id': String(m.id), tabindex: '0', 'aria-label': `${m.demand.title} ↔ ${m.achievement.title}` },
      summaryLine(m),
      el('div', { class: 'meta row' },
        el('label', { class: 'pick-label' }, el('input', { type: 'checkbox', class: 'pick', value: String(m.id), onchange: updateBulk }), ` ${t('select')}`),
        m.origin === 'proposal' ? el('span', { class: 'badge', text: t('rv_proposal') }) : null,
        el('span', { class: 'muted', text: t('rv_waiting', fmtRelative(m.created_at)) }),
        m.assigned_to ? el('span', { class: 'muted', text: t('rv_assigned_to', m.assigned_to === session.me.id ? t('rv_me') : `#${m.assigned_to}`) }) : null,
        el('a', { href: `#/matches/${m.id}`, text: t('open_match') }), toggle),
      el('div', { class: 'review-body', id: bodyId },
        m.statement ? el('p', { class: 'statement', text: `${t('statement')}: ${m.statement}` }) : null,
        el('div', { class: 'grid2 sides' }, sideView('demands', m.demand), sideView('achievements', m.achievement)),
        explanationView(m, m.demand, m.achievement)),
      el('div', { class: 'row actions' },
        el('button', { type: 'button', class: 'approve', text: t('approve'), onclick: () => act(card, 'approve') }),
        reason.node,
        el('button', { type: 'button', class: 'danger reject', text: t('reject'), onclick: () => act(card, 'reject') })),
      el('div', { class: 'outcome' }));
    card.reason = reason;
    // The keys act on the entry the user is in (clicked or tabbed into), as on the one j/k chose.
    card.addEventListener('focusin', () => { if (cards[at] !== card) select(cards.indexOf(card), false); });
    return card;
  };
  const emptyState = () => el('div', { class: 'empty' }, el('p', { text: filtered ? t('rv_empty_filtered') : t('queue_empty') }),
    filtered ? el('a', { href: '#/review', text: t('rv_reset') }) : el('a', { href: '#/pipeline', text: t('pipeline') }));
  const showCount = () => {
    count.textContent = next ? t('rv_shown_more', fmtCount(shown), fmtCount(total)) : t('rv_total', fmtCount(total));
  };
  // Fetches a page (the first when cursor is null) and returns its entries.
  const load = async (cursor) => {
    const page = await api('GET', apiQuery(f, cursor));
    next = page.next_cursor;
    if (!cursor) total = page.total; // later pages do not count (total=true is asked on the first only)
    const fresh = page.items.map(entry);
    cards.push(...fresh);
    shown += fresh.length;
    showCount();
    return fresh;
  };
  const moreButton = () => el('button', { type: 'button', class: 'ghost', id: 'queue-more', text: t('rv_more'), onclick: async (ev) => {
    ev.currentTarget.disabled = true;
    try { list.append(...(await load(next))); } catch (e) { toast(e.message, 'bad'); }
    moreBox.replaceChildren(...(next ? [moreButton()] : []));
  } });
  try {
    const first = await load(null);
    list.replaceChildren(...(first.length ? first : [emptyState()]));
    bulkBar.hidden = !first.length; // an empty queue has nothing to select
    moreBox.replaceChildren(...(next ? [moreButton()] : []));
    select(0, false);
  } catch (e) { list.replaceChildren(banner('bad', e.message)); }

  document.onkeydown = async (ev) => {
    if (pagePath() !== '#/review' || ev.target.matches('input, select, textarea, button') || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (document.querySelector('.confirm')) return;
    if (ev.key === 'j') select(at + 1);
    else if (ev.key === 'k') select(at - 1);
    else if (ev.key === 'a' && cards[at]) act(cards[at], 'approve');
    else if (ev.key === 'r' && cards[at]) {
      if (!cards[at].reason.select.value) {
        toast(t('rv_pick_reason_first'), 'bad');
        cards[at].reason.select.focus();
        return;
      }
      act(cards[at], 'reject', true);
    }
  };
}
