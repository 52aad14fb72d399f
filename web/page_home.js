// page_home.js: #/ for a signed-in user, the home page of each role, answering
// "what needs me now": an enterprise's open demands with their new (pushed, unread)
// matches; a university's achievements with the demands that match them; a
// broker's queue size, oldest waiting suggestion and today's decisions; an admin's
// funnel beside the same queue figures.  Each empty state says what to do next.
// It reads /api/demands?org=me, /api/achievements?org=me, their live /matches,
// /api/notifications, and for staff /api/review/summary (the queue's size, its
// oldest suggestion, the decisions since the user's local midnight) and /api/stats.
import { t, addWords } from './i18n.js';
import { el, api, show, pagePath, skeleton, banner, empty, pct, fieldName } from './ui.js';
import { session, isStaff } from './session.js';
import { vocab } from './vocab.js';
import { fmtCount, fmtRelative, fmtDateTime, fmtMoney } from './format.js';

addWords({
  home_title: ['工作台', 'Home'], home_hello: ['{0}，您好', 'Hello, {0}'],
  home_open_demands: ['进行中的需求', 'Open demands'], home_new_matches: ['新推送的匹配', 'New matches pushed'],
  home_candidates: ['候选成果', 'Candidate achievements'], home_candidates_note: ['系统实时匹配的成果数', 'scored live by the matcher'],
  home_unread_note: ['经纪人审核后推送给您', 'approved by a broker for you'],
  home_your_demands: ['我的需求与新匹配', 'Your demands and their new matches'],
  home_no_demands: ['您还没有进行中的需求。发布一条技术需求，系统会自动为您匹配高校和科研院所的成果。',
    'You have no open demand yet. Post one and techmatch matches it with universities\' achievements.'],
  home_no_new: ['暂无新推送；经纪人审核通过后会出现在这里。', 'No new match yet; approved matches appear here.'],
  home_n_candidates: ['{0} 项候选成果', 'Candidates: {0}'], home_n_new: ['{0} 条新推送', '{0} new'],
  home_new: ['新', 'New'], home_open_inbox: ['打开推送', 'Open the inbox'], home_post_demand: ['发布需求', 'Post a demand'],
  home_browse_achievements: ['浏览科技成果', 'Browse achievements'],
  home_open_achievements: ['已发布的成果', 'Listed achievements'], home_matching_demands: ['匹配的需求', 'Matching demands'],
  home_matching_note: ['可以揭榜的企业需求', 'enterprise demands you may propose for'],
  home_your_achievements: ['我的成果与匹配需求', 'Your achievements and the demands that match them'],
  home_no_achievements: ['您还没有发布成果。发布一项科技成果（或批量导入），系统会为您找到有需要的企业。',
    'You have not listed an achievement yet. List one (or import many) and techmatch finds the enterprises that need it.'],
  home_no_match_yet: ['暂无匹配的需求。补充关键词和领域可以提高匹配度。', 'No demand matches yet. Keywords and fields help it match.'],
  home_list_achievement: ['发布成果', 'List an achievement'], home_browse_demands: ['浏览技术需求', 'Browse demands'],
  home_n_demands: ['{0} 项匹配需求', 'Matching demands: {0}'],
  home_queue: ['待审核', 'Waiting for review'], home_queue_note: ['条匹配建议', 'suggested matches'],
  home_oldest: ['最早的待审建议', 'Oldest waiting suggestion'], home_oldest_none: ['没有等待的建议', 'nothing waits'],
  home_today: ['今日决定', 'Decided today'], home_today_note: ['其中您 {0} 条', '{0} of them yours'],
  home_open_queue: ['开始审核', 'Open the review queue'], home_queue_empty: ['队列已清空：没有等待审核的匹配。去看看对接进度中的项目吧。',
    'The queue is empty: no suggestion waits. Look at the matches in progress.'],
  home_open_pipeline: ['查看对接进度', 'Open the pipeline'], home_waiting_since: ['等待了 {0}', 'waiting since {0}'],
  home_funnel: ['转化漏斗', 'Funnel'], home_of_prev: ['上一步的 {0}', '{0} of the step before'],
  home_deals: ['成交', 'Deals'], home_deal_amount: ['成交金额 {0}', 'worth {0}'], home_first_push: ['首次推送中位用时', 'Median time to first push'],
  home_hours: ['{0} 小时', '{0} h'], home_none: ['—', '—'], home_see_stats: ['查看统计', 'See the statistics'],
  home_policy: ['匹配策略', 'Matching policy'], home_funnel_empty: ['还没有匹配。企业和高校发布后，这里会显示转化情况。',
    'No match yet. Once enterprises and universities post, the funnel fills here.'],
  home_more: ['还有 {0} 项', '{0} more'], home_colon: ['：', ': '],
});

const MAX_PAGES = 10;       // pages of 100 notifications read for an enterprise's new matches
const SHOWN = 8;            // listings shown on a home page, each with its matches read live

// ---------- pieces ----------

// A figure tile: a label, a big value and a note under it; attn marks one that needs the user.
function tile(id, label, value, note, attn) {
  return el('div', { class: attn ? 'stat attn' : 'stat', id },
    el('span', { class: 'stat-label', text: label }), el('strong', { class: 'stat-value', text: value }),
    note ? el('div', { class: 'stat-note', text: note }) : null);
}

// A link styled as a button (primary, or ghost when ghost is set).
function linkButton(href, text, ghost) { return el('a', { class: ghost ? 'button ghost' : 'button', href, text }); }

// The page's head: the title, a greeting naming the user and the organisation, and the main actions.
function head(me, ...actions) {
  return el('div', { class: 'page-head' },
    el('div', {}, el('h1', { text: t('home_title') }),
      el('p', { class: 'home-greet', text: `${t('home_hello', me.display_name)} · ${me.org.name}` })),
    el('div', { class: 'row center' }, actions));
}

// A card section with a heading and its body.
function section(id, title, ...body) {
  return el('section', { class: 'card', id, 'aria-labelledby': `${id}_h` }, el('h2', { id: `${id}_h`, text: title }), body);
}

// Draws a home page: first skeletons, then the page build() returns (or the failure as a banner).
async function draw(build) {
  show(el('h1', { text: t('home_title') }), skeleton(3), skeleton(5));
  let nodes;
  try { nodes = await build(); } catch (e) { nodes = [el('h1', { text: t('home_title') }), banner('bad', e.message)]; }
  if (pagePath() === '#/') show(...nodes); // else the user went elsewhere meanwhile
}

// ---------- the enterprise ----------

// Every pushed match in the inbox ({match_id, demand, achievement, score, read, at}), newest first.
async function pushedMatches() {
  const out = [];
  let after = 0;
  for (let i = 0; i < MAX_PAGES; i++) {
    const page = await api('GET', `/api/notifications?after=${after}&limit=100`);
    for (const n of page.items) {
      const d = (n.event && n.event.data) || {};
      const list = Array.isArray(d.matches) ? d.matches : d.match_id ? [d] : [];
      for (const m of list) out.push({ ...m, read: n.read, at: n.created_at });
    }
    if (page.next_after === null || page.next_after === undefined) break;
    after = page.next_after;
  }
  return out.reverse();
}

// One open demand with its new matches (unread pushes, linked) and its count of live candidates.
function demandRow(d, fresh, candidates) {
  return el('article', { class: 'home-item', 'data-id': String(d.id) },
    el('h3', {}, el('a', { href: `#/demands/${d.id}`, text: d.title })),
    el('div', { class: 'meta' },
      fresh.length ? el('span', { class: 'badge accent', text: t('home_n_new', fmtCount(fresh.length)) }) : null,
      el('span', { text: t('home_n_candidates', fmtCount(candidates)) }),
      (d.fields || []).slice(0, 2).map((f) => el('span', { text: fieldName(f) }))),
    fresh.length ? el('ul', { class: 'home-list' }, fresh.slice(0, 3).map((m) => el('li', {},
      el('a', { href: `#/matches/${m.match_id}`, text: m.achievement.title }),
      el('span', { class: 'muted', title: fmtDateTime(m.at), text: `${pct(m.score)} · ${fmtRelative(m.at)}` })))) : null);
}

// The enterprise's home: figures, then each open demand with its new matches.
async function enterpriseHome(me) {
  const [demands, unread, pushed] = await Promise.all([api('GET', '/api/demands?org=me&status=open&limit=100'),
    api('GET', '/api/notifications/unread'), pushedMatches()]);
  const shown = demands.items.slice(0, SHOWN);
  const live = await Promise.all(shown.map((d) => api('GET', `/api/demands/${d.id}/matches?limit=50`)
    .then((r) => r.items.length).catch(() => 0)));
  const fresh = pushed.filter((m) => !m.read);
  const rows = shown.map((d, i) => demandRow(d, fresh.filter((m) => m.demand && m.demand.id === d.id), live[i]));
  const more = demands.items.length - shown.length;
  return [head(me, linkButton('#/mine', t('home_post_demand')), linkButton('#/inbox', t('home_open_inbox'), true)),
    el('div', { class: 'stat-grid' },
      tile('home-open', t('home_open_demands'), fmtCount(demands.items.length) + (demands.next_cursor ? '+' : '')),
      tile('home-unread', t('home_new_matches'), fmtCount(unread.unread), t('home_unread_note'), unread.unread > 0),
      tile('home-candidates', t('home_candidates'), fmtCount(live.reduce((a, b) => a + b, 0)), t('home_candidates_note'))),
    section('home-demands', t('home_your_demands'), demands.items.length ? [el('div', { class: 'stack' }, rows),
      more > 0 ? el('p', {}, el('a', { href: '#/mine', text: t('home_more', fmtCount(more)) })) : null,
      fresh.length ? null : el('p', { class: 'muted', text: t('home_no_new') })]
      : empty('home_no_demands', linkButton('#/mine', t('home_post_demand')), linkButton('#/achievements', t('home_browse_achievements'), true)))];
}

// ---------- the university ----------

// One achievement with the demands that match it (the best three, linked, with their scores).
function achievementRow(a, matches) {
  return el('article', { class: 'home-item', 'data-id': String(a.id) },
    el('h3', {}, el('a', { href: `#/achievements/${a.id}`, text: a.title })),
    el('div', { class: 'meta' }, el('span', { text: t('home_n_demands', fmtCount(matches.length)) }),
      (a.fields || []).slice(0, 2).map((f) => el('span', { text: fieldName(f) }))),
    matches.length ? el('ul', { class: 'home-list' }, matches.slice(0, 3).map((m) => el('li', {},
      el('a', { href: `#/demands/${m.demand.id}`, text: m.demand.title }),
      el('span', { class: 'score', text: pct(m.score) }))))
      : el('p', { class: 'muted', text: t('home_no_match_yet') }));
}

// The university's home: figures, then each open achievement with the demands that match it.
async function universityHome(me) {
  const mine = await api('GET', '/api/achievements?org=me&status=open&limit=100');
  const shown = mine.items.slice(0, SHOWN);
  const live = await Promise.all(shown.map((a) => api('GET', `/api/achievements/${a.id}/matches?limit=50`)
    .then((r) => r.items.filter((m) => m.demand)).catch(() => [])));
  const demandIds = new Set(live.flat().map((m) => m.demand.id));
  const more = mine.items.length - shown.length;
  return [head(me, linkButton('#/mine', t('home_list_achievement')), linkButton('#/demands', t('home_browse_demands'), true)),
    el('div', { class: 'stat-grid' },
      tile('home-open', t('home_open_achievements'), fmtCount(mine.items.length) + (mine.next_cursor ? '+' : '')),
      tile('home-matching', t('home_matching_demands'), fmtCount(demandIds.size), t('home_matching_note'), demandIds.size > 0)),
    section('home-achievements', t('home_your_achievements'), mine.items.length
      ? [el('div', { class: 'stack' }, shown.map((a, i) => achievementRow(a, live[i]))),
        more > 0 ? el('p', {}, el('a', { href: '#/mine', text: t('home_more', fmtCount(more)) })) : null]
      : empty('home_no_achievements', linkButton('#/mine', t('home_list_achievement')), linkButton('#/demands', t('home_browse_demands'), true)))];
}

// ---------- brokers and admins ----------

// The user's local midnight as an RFC 3339 time with the offset of that moment (2026-11-29T00:00:00+08:00).
function localMidnight(now = new Date()) {
  const d = new Date(now.getFullYear(), now.getMonth(), now.getDate());
  const off = -d.getTimezoneOffset(), a = Math.abs(off);
  const two = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}T00:00:00${off < 0 ? '-' : '+'}${two(Math.floor(a / 60))}:${two(a % 60)}`;
}

// The queue in figures, in one answer: {waiting, oldest, decisions: {total, mine}} since the user's local midnight.
function queueFigures() {
  return api('GET', `/api/review/summary?since=${encodeURIComponent(localMidnight())}`);
}

// The oldest waiting suggestion, linked, with how long it has waited.
function oldestCard(q) {
  if (!q.oldest) {
    return empty('home_queue_empty', linkButton('#/pipeline', t('home_open_pipeline')));
  }
  const m = q.oldest;
  return el('article', { class: 'home-item', id: 'home-oldest-match' },
    el('h3', {}, el('a', { href: `#/matches/${m.id}`, text: `${m.demand.title || ''} ↔ ${m.achievement.title || ''}` })),
    el('div', { class: 'meta' }, el('span', { class: 'score', text: pct(m.score) }),
      el('span', { title: fmtDateTime(m.created_at), text: t('home_waiting_since', fmtRelative(m.created_at)) })),
    el('div', { class: 'actions' }, linkButton('#/review', t('home_open_queue'))));
}

// The funnel as rows of bars, each stage with its count and its share of the stage before.
function funnelView(f) {
  const stages = vocab.funnel;
  const max = Math.max(1, ...stages.map((k) => f[k] || 0));
  if (!f[stages[0]]) return empty('home_funnel_empty');
  return el('div', { id: 'home-funnel' }, stages.map((k, i) => {
    const v = f[k] || 0, prev = i > 0 ? f[stages[i - 1]] || 0 : 0;
    return el('div', { class: 'funnel-row', 'data-stage': k },
      el('span', { text: t(`s_${k === 'deals' ? 'deal' : k}`) }),
      el('div', { class: 'bar', title: i > 0 && prev ? t('home_of_prev', pct(v / prev)) : '' },
        el('i', { 'data-w': String(v / max) })),
      el('span', { class: 'num', text: fmtCount(v) }));
  }));
}

// Sets each funnel bar's width from its data-w (a style set as a property: the CSP forbids inline style text).
function sizeBars(root) {
  root.querySelectorAll('[data-w]').forEach((i) => { i.style.width = `${Math.max(0.5, Number(i.dataset.w) * 100)}%`; });
}

// The broker's home (and the top of the admin's): the queue, its oldest suggestion, today's decisions.
async function staffHome(me) {
  const admin = me.role === 'admin';
  const [q, stats] = await Promise.all([queueFigures(), admin ? api('GET', '/api/stats') : null]);
  const today = q.decisions;
  const parts = [head(me, linkButton('#/review', t('home_open_queue')),
    linkButton(admin ? '#/stats' : '#/pipeline', admin ? t('home_see_stats') : t('home_open_pipeline'), true)),
  el('div', { class: 'stat-grid' },
    tile('home-queue', t('home_queue'), fmtCount(q.waiting), t('home_queue_note'), q.waiting > 0),
    tile('home-oldest', t('home_oldest'), q.oldest ? fmtRelative(q.oldest.created_at) : t('home_none'),
      q.oldest ? fmtDateTime(q.oldest.created_at) : t('home_oldest_none')),
    tile('home-today', t('home_today'), fmtCount(today.total), t('home_today_note', fmtCount(today.mine))),
    admin ? tile('home-deals', t('home_deals'), fmtCount(stats.deals.count || 0),
      stats.deals.amount ? t('home_deal_amount', fmtMoney(stats.deals.amount)) : null) : null)];
  if (admin) {
    const hours = stats.time_to_first_push && stats.time_to_first_push.median_hours;
    parts.push(el('div', { class: 'grid2' },
      section('home-funnel-card', t('home_funnel'), funnelView(stats.funnel),
        el('p', { class: 'muted', text: `${t('home_first_push')}${t('home_colon')}${hours === null || hours === undefined ? t('home_none')
          : t('home_hours', fmtCount(Math.round(hours * 10) / 10))}` }),
        el('div', { class: 'actions' }, linkButton('#/stats', t('home_see_stats'), true), linkButton('#/policy', t('home_policy'), true))),
      section('home-oldest-card', t('home_oldest'), oldestCard(q))));
  } else {
    parts.push(section('home-oldest-card', t('home_oldest'), oldestCard(q)));
  }
  return parts;
}

// #/ when signed in: the home page of the user's role.
export async function homePage() {
  const me = session.me;
  if (!me) return;
  if (isStaff(me)) await draw(() => staffHome(me));
  else if (me.role === 'enterprise') await draw(() => enterpriseHome(me));
  else await draw(() => universityHome(me));
  sizeBars(document.getElementById('main'));
}
