// page_listings.js: the public lists of demands and achievements, and one listing's page.
// A list searches by words, field and region with a sort, pages by the API's cursor ("more",
// with the total), and keeps its filters in the location hash (#/achievements?q=...&field=B06)
// so a link or a reload shows the same view.  A listing's page shows every member the caller
// may see; its owner edits it there (the full form, listing_form.js) and closes it after a
// confirmation; its owner and staff see its matches (at or above the policy's suggest
// threshold: the server filters), each linking to the other side's page.
import { t, addWords } from './i18n.js';
import { el, api, show, pagePath, loading, banner, empty, input, showErrors, fieldName, confirmAction, toast } from './ui.js';
import { session, isStaff } from './session.js';
import { listingCard, matchCard, budgetText } from './cards.js';
import { fieldPicker } from './fieldpicker.js';
import { listingForm, modeName, ipName, trlName } from './listing_form.js';
import { fmtDate, fmtDateTime, fmtMoney, fmtCount } from './format.js';

addWords({
  ls_sort: ['排序', 'Sort'], ls_sort_relevance: ['相关度', 'Relevance'], ls_sort_newest: ['最新发布', 'Newest'],
  ls_found: ['找到 {0} 条', '{0} found'], ls_total: ['共 {0} 条', '{0} in all'],
  ls_shown: ['已显示 {0} / {1} 条', 'Showing {0} of {1}'], ls_more: ['加载更多', 'Load more'],
  ls_capped: ['{0}+', '{0}+'], ls_terms: ['搜索词：', 'Searched for: '], ls_dropped: ['未使用的词：{0}', 'Words left out: {0}'],
  ls_clear: ['清除筛选', 'Clear filters'], ls_none: ['没有符合条件的结果。试试更少的关键词，或清除筛选。', 'Nothing matches. Try fewer words, or clear the filters.'],
  ls_none_yet: ['还没有发布的内容。', 'Nothing has been posted yet.'],
  ls_region_ph: ['地区', 'Region'],
  ls_status: ['状态', 'Status'], ls_open: ['进行中', 'Open'], ls_org: ['发布机构', 'Organisation'],
  ls_budget: ['预算', 'Budget'], ls_deadline: ['截止日期', 'Deadline'], ls_coop: ['合作方式', 'Cooperation'],
  ls_transfer: ['转化方式', 'Transfer modes'], ls_price: ['转让价格', 'Asking price'], ls_trl: ['技术成熟度', 'Readiness (TRL)'],
  ls_ip: ['知识产权', 'IP type'], ls_patent: ['专利号', 'Patent number'], ls_keywords: ['关键词', 'Keywords'],
  ls_fields: ['行业领域', 'Fields'], ls_region: ['地区', 'Region'], ls_contact: ['联系方式', 'Contact'], ls_ref: ['内部编号', 'Reference'],
  ls_created: ['发布时间', 'Posted'], ls_updated: ['更新时间', 'Updated'], ls_none_given: ['未填写', 'Not given'],
  ls_close_q_d: ['关闭这条需求？关闭后不再匹配，也不能再编辑。', 'Close this demand? It will no longer be matched or edited.'],
  ls_close_q_a: ['关闭这项成果？关闭后不再匹配，也不能再编辑。', 'Close this achievement? It will no longer be matched or edited.'],
  ls_close_yes: ['确认关闭', 'Close it'], ls_closed_ok: ['已关闭', 'Closed'],
  ls_matches_none: ['暂时没有足够匹配的结果。补充关键词和行业领域有助于匹配。', 'Nothing matches it closely enough yet. Keywords and fields help matching.'],
  ls_back: ['返回列表', 'Back to the list'], ls_private: ['仅本机构和经纪人可见', 'Only your organisation and brokers see this'],
  ls_edit_title: ['编辑', 'Edit'], ls_close_d: ['关闭需求', 'Close demand'], ls_close_a: ['关闭成果', 'Close achievement'],
  ls_matches_n: ['匹配结果（{0}）', 'Matches ({0})'],
});

const PAGE = 20; // listings a page asks for

// The list filters in the location hash's query ("#/achievements?q=x&field=B06").
function hashFilters() {
  const q = (location.hash.split('?')[1] || '');
  const p = new URLSearchParams(q);
  return { q: p.get('q') || '', field: p.get('field') || '', region: p.get('region') || '', sort: p.get('sort') || '' };
}

// The hash of kind's list with filters f (empty ones left out).
function listHash(kind, f) {
  const p = new URLSearchParams();
  for (const k of ['q', 'field', 'region', 'sort']) if (f[k]) p.set(k, f[k]);
  const base = kind === 'demands' ? '#/demands' : '#/achievements'; // #/ is a signed-in user's home page
  const qs = p.toString();
  return qs ? `${base}?${qs}` : base;
}

// #/ and #/achievements (kind "demands" or "achievements"), filters from the hash.
export async function listingsPage(kind) {
  const f = hashFilters();
  const q = el('input', { id: 'q', type: 'search', placeholder: t('search_ph'), 'aria-label': t('search'), value: f.q });
  const region = el('input', { id: 'region', type: 'search', placeholder: t('ls_region_ph'), 'aria-label': t('region'), value: f.region });
  const sort = el('select', { id: 'sort', 'aria-label': t('ls_sort') },
    el('option', { value: '', text: t('ls_sort_relevance') }), el('option', { value: 'newest', text: t('ls_sort_newest') }));
  sort.value = f.sort === 'newest' ? 'newest' : '';
  const picker = fieldPicker({ name: 'field', label: t('field'), chosen: f.field ? [f.field] : [], max: 1,
    onchange: () => apply() });
  picker.classList.add('filter-field');
  const summary = el('div', { class: 'pager-summary', id: 'summary', role: 'status' });
  const results = el('div', { id: 'results', class: 'stack' }, loading());
  const more = el('button', { type: 'button', class: 'ghost', id: 'more', text: t('ls_more'), hidden: true });
  const pager = el('div', { class: 'pager', id: 'pager' }, el('span', { class: 'muted', id: 'shown' }), more);
  // Puts the form's filters in the hash (a new history entry, no redraw) and loads the first page.
  const apply = () => {
    const now = { q: q.value.trim(), field: picker.codes[0] || '', region: region.value.trim(), sort: sort.value };
    const h = listHash(kind, now);
    if (h !== location.hash) history.pushState(null, '', h);
    load(now);
  };
  const form = el('form', { class: 'toolbar', role: 'search', onsubmit: (ev) => { ev.preventDefault(); apply(); } },
    el('div', { class: 'field grow' }, el('label', { for: 'q', class: 'visually-hidden', text: t('search') }), q),
    picker,
    el('div', { class: 'field' }, el('label', { for: 'region', class: 'visually-hidden', text: t('region') }), region),
    el('div', { class: 'field', id: 'sort-box', hidden: !f.q }, el('label', { for: 'sort', class: 'visually-hidden', text: t('ls_sort') }), sort),
    el('button', { type: 'submit', text: t('search') }));
  sort.addEventListener('change', apply);
  picker.querySelector('label').classList.add('visually-hidden');

  let cursor = null, shown = 0, total = 0, capped = false, terms = [];
  // Loads the first page for filters now, or (now null) the next page after cursor.
  const load = async (now) => {
    const cur = now || hashFilters();
    const params = new URLSearchParams({ limit: String(PAGE) });
    for (const k of ['q', 'field', 'region']) if (cur[k]) params.set(k, cur[k]);
    if (cur.q && cur.sort) params.set('sort', cur.sort);
    if (!now && cursor) params.set('cursor', cursor);
    if (now) params.set('total', 'true'); // counted once, on the first page
    form.querySelector('#sort-box').hidden = !cur.q;
    if (now) { results.replaceChildren(loading()); shown = 0; }
    more.disabled = true;
    try {
      const page = await api('GET', `/api/${kind}?${params}`);
      if (now) {
        total = page.total; capped = page.total_capped;
        terms = page.search ? page.search.terms_used : [];
        results.replaceChildren();
        summary.replaceChildren(...summaryOf(cur, page).filter(Boolean));
      }
      results.append(...page.items.map((l) => listingCard(kind, l, null, terms)));
      shown += page.items.length;
      if (!shown) results.replaceChildren(emptyState(kind, cur));
      cursor = page.next_cursor;
      more.hidden = !cursor;
      pager.querySelector('#shown').textContent = shown ? t('ls_shown', fmtCount(shown), totalText(total, capped)) : '';
    } catch (e) { results.replaceChildren(banner('bad', e.message)); } finally { more.disabled = false; }
  };
  more.addEventListener('click', () => load(null));

  // The line above the results: a search's count and words, or the list's total.
  const summaryOf = (cur, page) => {
    if (!cur.q) return [el('span', { text: t('ls_total', totalText(page.total, page.total_capped)) })];
    const s = page.search || { terms_used: [], terms_dropped: [] };
    return [el('strong', { text: t('ls_found', totalText(page.total, page.total_capped)) }),
      s.terms_used.length ? el('span', { class: 'muted' }, ` · ${t('ls_terms')}`, ...s.terms_used.map((w) => el('mark', { text: w })).flatMap((m) => [m, ' '])) : null,
      s.terms_dropped.length ? el('span', { class: 'muted', text: ` · ${t('ls_dropped', s.terms_dropped.join(' '))}` }) : null];
  };
  // An empty list: what to do next.
  const emptyState = (k, cur) => {
    const filtered = cur.q || cur.field || cur.region;
    return el('div', { class: 'empty' }, el('p', { text: filtered ? t('ls_none') : t('ls_none_yet') }),
      filtered ? el('a', { href: listHash(k, {}), class: 'button ghost', text: t('ls_clear') }) : null);
  };

  show(...[el('div', { class: 'page-head' }, el('h1', { text: kind === 'demands' ? t('demands') : t('achievements') })),
    session.me ? null : el('p', { class: 'muted', text: t('welcome') }), form, summary, results, pager].filter(Boolean));
  load(f);
}

// "74", or "1,000+" when the count stopped at its bound.
function totalText(n, capped) { return capped ? t('ls_capped', fmtCount(n)) : fmtCount(n); }

// #/demands/ID and #/achievements/ID.
export async function listingPage(kind, id) {
  const me = session.me;
  show(loading());
  const here = pagePath();
  let l;
  try { l = await api('GET', `/api/${kind}/${id}`); } catch (e) { if (pagePath() === here) show(banner('bad', e.message)); return; }
  if (pagePath() !== here) return; // the user went elsewhere meanwhile
  const mine = Boolean(me && l.org && me.org && l.org.id === me.org.id);
  const body = kind === 'demands' ? l.description : l.abstract;
  const head = el('div', { class: 'page-head' },
    el('div', {}, el('p', { class: 'muted' }, el('a', { href: `#/${kind}`, text: `← ${t('ls_back')}` })),
      el('h1', { text: l.title }),
      el('span', { class: `pill state-${l.status === 'open' ? 'open' : 'closed'}`, id: 'listing-status',
        text: l.status === 'open' ? t('ls_open') : t('closed') })),
    mine && l.status === 'open' ? el('div', { class: 'row' },
      el('button', { type: 'button', class: 'ghost', id: 'edit-toggle', text: t('edit'), 'aria-expanded': 'false',
        onclick: (ev) => toggleEdit(ev.currentTarget) }),
      el('button', { type: 'button', class: 'danger', id: 'close-listing', text: kind === 'demands' ? t('ls_close_d') : t('ls_close_a'),
        onclick: () => closeListing(kind, l) })) : null);
  const editBox = el('div', { id: 'edit-box', hidden: true });
  // Shows or hides the owner's edit form.
  const toggleEdit = (btn) => {
    const opening = editBox.hidden;
    editBox.replaceChildren(opening ? el('section', { class: 'card' }, el('h2', { text: t('ls_edit_title') }),
      listingForm(kind, l, { onSaved: () => listingPage(kind, l.id), onCancel: () => toggleEdit(btn) })) : '');
    editBox.hidden = !opening;
    btn.setAttribute('aria-expanded', String(opening));
    if (opening) editBox.querySelector('#f_title').focus();
  };
  const parts = [head, editBox,
    el('div', { class: 'grid2 detail' },
      el('section', { class: 'card', 'aria-label': kind === 'demands' ? t('description') : t('abstract') },
        el('h2', { text: kind === 'demands' ? t('description') : t('abstract') }),
        el('p', { class: 'text', text: body || t('ls_none_given') })),
      el('section', { class: 'card', 'aria-label': t('ls_status') }, detailList(kind, l)))];
  if (l.status === 'open' && (mine || (me && isStaff(me)))) parts.push(matchesBox(kind, l, me)); // a closed one is matched no more
  show(...parts);
}

// Every member of l the caller may see, as a definition list (absent private members are left out).
function detailList(kind, l) {
  const rows = [];
  const add = (label, value, id) => { if (value !== undefined) rows.push([label, value, id]); };
  const none = t('ls_none_given');
  const chips = (list, name) => (list && list.length ? el('span', { class: 'row' }, list.map((x) => el('span', { class: 'chip', text: name(x) }))) : none);
  if (l.org) add(t('ls_org'), l.org.name || `#${l.org.id}`, 'd-org');
  add(t('ls_fields'), chips(l.fields, fieldName), 'd-fields');
  add(t('ls_keywords'), chips(l.keywords, (x) => x), 'd-keywords');
  add(t('ls_region'), l.region || none, 'd-region');
  if (kind === 'demands') {
    if ('budget_min' in l || 'budget_max' in l) add(t('ls_budget'), budgetText(l) || none, 'd-budget');
    add(t('ls_deadline'), l.deadline ? fmtDate(l.deadline) : none, 'd-deadline');
    add(t('ls_coop'), chips(l.cooperation_modes, modeName), 'd-modes');
  } else {
    add(t('ls_price'), l.price !== null && l.price !== undefined ? fmtMoney(l.price) : none, 'd-price');
    add(t('ls_trl'), l.trl ? trlName(l.trl) : none, 'd-trl');
    add(t('ls_ip'), l.ip_type ? ipName(l.ip_type) : none, 'd-ip');
    add(t('ls_patent'), l.patent_no || none, 'd-patent');
    add(t('ls_transfer'), chips(l.transfer_modes, modeName), 'd-modes');
  }
  if ('contact' in l) add(t('ls_contact'), l.contact || none, 'd-contact');
  if ('ref' in l && l.ref) add(t('ls_ref'), l.ref, 'd-ref');
  add(t('ls_created'), el('time', { datetime: l.created_at || '', text: fmtDateTime(l.created_at) }), 'd-created');
  add(t('ls_updated'), el('time', { datetime: l.updated_at || '', text: fmtDateTime(l.updated_at) }), 'd-updated');
  return el('dl', { class: 'kv', id: 'detail' }, rows.flatMap(([k, v, id]) => [el('dt', { text: k }),
    el('dd', { id }, v)]));
}

// Closes l after the owner confirms, then shows it again (closed).
async function closeListing(kind, l) {
  const yes = await confirmAction(kind === 'demands' ? t('ls_close_q_d') : t('ls_close_q_a'),
    { danger: true, confirmLabel: t('ls_close_yes') });
  if (!yes) return;
  try {
    await api('POST', `/api/${kind}/${l.id}/close`);
    toast(t('ls_closed_ok'), 'ok');
    listingPage(kind, l.id);
  } catch (e) { toast(e.message, 'bad'); }
}

// The listing's matches (the server lists those at or above the suggest threshold), each linking
// to the other side; a university may propose its achievement for a demand from there.
function matchesBox(kind, l, me) {
  const box = el('div', { id: 'matches', class: 'stack' }, loading());
  const h = el('h2', { id: 'matches-h', text: t('matches') });
  api('GET', `/api/${kind}/${l.id}/matches`).then((r) => {
    if (r.items.length) h.textContent = t('ls_matches_n', r.items.length);
    box.replaceChildren(...(r.items.length ? r.items.map((m) => matchCard(kind, m,
      kind === 'achievements' && me.role === 'university' && l.status === 'open' ? proposeForm(m.demand.id, l.id) : null))
      : [el('div', { class: 'empty', text: t('ls_matches_none') })]));
  }).catch((e) => box.replaceChildren(banner('bad', e.message)));
  return el('section', { 'aria-labelledby': 'matches-h' }, h, box);
}

// A university's proposal of its achievement for a demand, with a statement.
function proposeForm(demandId, achievementId) {
  const name = `statement_${demandId}`; // one form per match card: ids stay unique
  const form = el('form', { class: 'row propose', onsubmit: async (ev) => {
    ev.preventDefault();
    try {
      await api('POST', '/api/proposals', { demand_id: demandId, achievement_id: achievementId,
        statement: form.elements[name].value });
      form.replaceChildren(banner('good', t('saved')));
    } catch (e) { showErrors(form, e); }
  } }, input(name, t('statement')), el('button', { type: 'submit', text: t('propose') }));
  return form;
}
