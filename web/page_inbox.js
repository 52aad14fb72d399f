// page_inbox.js: #/inbox, an enterprise's pushed matches, newest first, each with its
// state now (new, and the match's status) and how long ago it came, and only the
// answers the match still allows.  The live stream adds a new push to the open inbox
// and has the badge re-read; the unread count is always the server's (session.js).
import { t, addWords } from './i18n.js';
import { el, api, show, loading, banner, pct } from './ui.js';
import { session, refreshUnread } from './session.js';
import { explanationView } from './cards.js';
import { fmtRelative, fmtDateTime, fmtMoney } from './format.js';
import { vocab } from './vocab.js';

addWords({
  inbox_new: ['新', 'New'],
  inbox_lead: ['经纪人审核通过后推送给您的匹配成果，最新的在最前。', 'Matches a broker approved for your demands, newest first.'],
  inbox_empty: ['还没有推送。经纪人通过与您的需求匹配的成果后，会在这里实时出现。',
    'Nothing pushed yet. When a broker approves an achievement for one of your demands, it appears here at once.'],
  inbox_for_demand: ['对应需求：', 'For your demand: '],
  inbox_why: ['匹配说明', 'Why it matches'],
  inbox_decline: ['不感兴趣…', 'Not interested…'],
  inbox_open: ['查看匹配', 'Open the match'],
  inbox_more: ['加载更早的推送', 'Show older pushes'],
  inbox_digest: ['{0} 项匹配汇总', 'A digest of {0} matches'],
  inbox_disabled: ['Webhook 端点已停用：{0}', 'A webhook endpoint was disabled: {0}'],
  inbox_hint_interested: ['您已表示有意向，经纪人将为双方引荐。', 'You said you are interested; a broker will introduce you.'],
  inbox_hint_in_talks: ['经纪人已引荐，双方可以直接联系。', 'A broker introduced you; you can contact each other.'],
  inbox_hint_declined: ['您已表示不感兴趣。', 'You said you are not interested.'],
  inbox_hint_deal: ['已成交。', 'A deal was made.'],
  inbox_hint_closed: ['该匹配已关闭。', 'This match is closed.'],
  inbox_failed: ['操作未完成：{0}', 'That did not go through: {0}'],
});

// The inbox page's state: the newest notification id drawn (replayed stream events are at or
// below it), stream events that came while the first page loaded, and the older pages' cursor.
const inbox = { list: null, newest: 0, loading: false, early: [], before: null };

// When the notification came: "3 分钟前", the full date and time on hover.
function when(iso) {
  return el('time', { datetime: iso, title: fmtDateTime(iso), 'data-rel': iso, text: fmtRelative(iso) });
}

// A sentence saying what status means for the enterprise ('' while it awaits an answer).
function hintFor(status) {
  const hint = t(`inbox_hint_${status}`);
  return hint.startsWith('inbox_hint_') ? '' : hint;
}

// The answers allowed in status: interested and not interested while the match awaits an answer;
// afterwards only the link to the match.
function actionsFor(item, status) {
  const open = el('a', { href: `#/matches/${item.matchId}`, text: t('inbox_open') });
  if (!vocab.awaiting_answer.includes(status)) return [open];
  return [el('button', { type: 'button', class: 'inbox-interested', text: t('interested'), onclick: () => answer(item) }),
    el('a', { class: 'button ghost', href: `#/matches/${item.matchId}`, text: t('inbox_decline') })];
}

// Draws item's state and actions for status (after an answer, or when the server says it moved).
function redraw(item, status) {
  item.status = status;
  item.state.replaceChildren(el('span', { class: `pill state-${status}`, text: t(`s_${status}`) }));
  item.hint.textContent = hintFor(status);
  item.hint.hidden = !item.hint.textContent;
  item.actions.replaceChildren(...actionsFor(item, status));
}

// Says "interested"; on a conflict (the match moved meanwhile) the item shows the status the server has.
async function answer(item) {
  item.actions.querySelectorAll('button').forEach((b) => { b.disabled = true; });
  try {
    const m = await api('POST', `/api/matches/${item.matchId}/interested`);
    redraw(item, (m && m.status) || 'interested');
  } catch (e) {
    if (e.problem && e.problem.status === 409) {
      try { redraw(item, (await api('GET', `/api/matches/${item.matchId}`)).status); return; } catch (e2) { /* below */ }
    }
    redraw(item, item.status);
    item.actions.append(banner('bad', t('inbox_failed', e.message)));
  }
}

// Who offers the achievement a and what it is in brief: organisation, region, readiness, price (those it has).
function facts(a) {
  const tags = [a.org && a.org.name, a.region, a.trl ? `TRL ${a.trl}` : '',
    a.price !== null && a.price !== undefined ? fmtMoney(a.price) : ''].filter(Boolean);
  return tags.length ? el('div', { class: 'row inbox-facts' }, tags.map((x) => el('span', { class: 'tag', text: x }))) : null;
}

// A notification as a card: new or not, when, and for a pushed match what it is, its state and answers.
function notificationCard(n, isNew) {
  const d = n.event && n.event.data;
  const fresh = isNew ? el('span', { class: 'badge inbox-new', text: t('inbox_new') }) : null;
  const time = when(n.created_at || (n.event && n.event.timestamp));
  const card = el('article', { class: `card notification${isNew ? ' is-new' : ''}`, 'data-id': String(n.id) });
  const top = (title) => el('div', { class: 'inbox-top' }, el('h3', {}, title), time);
  if (d && d.matches) {
    card.append(top(t('inbox_digest', d.matches.length)), el('div', { class: 'row inbox-meta' }, fresh),
      el('ul', {}, d.matches.map((m) => el('li', {}, el('a', { href: `#/matches/${m.match_id}`, text: m.achievement.title }),
        el('span', { class: 'muted', text: ` · ${m.demand.title}` })))));
    return card;
  }
  if (!d || !d.demand) {
    card.append(top(d && d.url ? t('inbox_disabled', d.url) : n.type), el('div', { class: 'row inbox-meta' }, fresh));
    return card;
  }
  const item = { matchId: d.match_id, status: n.match_status || vocab.awaiting_answer[0] };
  item.state = el('span', { class: 'inbox-state' });
  item.hint = el('p', { class: 'muted inbox-hint' });
  item.actions = el('div', { class: 'row actions' });
  redraw(item, item.status);
  card.append(top(el('a', { href: `#/matches/${d.match_id}`, text: d.achievement.title })),
    el('div', { class: 'row inbox-meta' }, fresh, item.state, el('span', { class: 'score', text: `${t('score')} ${pct(d.score)}` })),
    facts(d.achievement),
    el('p', { class: 'inbox-demand' }, el('span', { class: 'muted', text: t('inbox_for_demand') }),
      el('a', { href: `#/demands/${d.demand.id}`, text: d.demand.title })),
    el('details', {}, el('summary', { text: t('inbox_why') }), explanationView(d, d.demand, d.achievement)),
    item.hint, item.actions);
  return card;
}

// Draws a page of notifications (newest first) at the end of the list, and marks the unread ones read.
async function addPage(page) {
  inbox.list.querySelector('.empty')?.remove();
  for (const n of page.items) inbox.list.append(notificationCard(n, !n.read));
  inbox.before = page.next_before;
  const unread = page.items.filter((n) => !n.read);
  await Promise.all(unread.map((n) => api('POST', `/api/notifications/${n.id}/read`).catch(() => {})));
  if (unread.length) refreshUnread();
}

// Shows the newest notifications, with a button for older ones.
export async function inboxPage() {
  if (!session.me) { show(banner('bad', t('need_login'))); return; }
  const list = el('div', { id: 'notifications', class: 'stack', 'aria-live': 'polite' }, loading());
  const more = el('div', { class: 'pager' });
  Object.assign(inbox, { list, newest: 0, loading: true, early: [], before: null });
  show(el('div', { class: 'page-head' }, el('h1', { text: t('inbox') })),
    el('p', { class: 'muted', id: 'live', text: t('inbox_lead') }), list, more);
  try {
    const page = await api('GET', '/api/notifications?before=0&limit=20');
    if (inbox.list !== list) return;
    list.replaceChildren();
    inbox.newest = page.items.length ? page.items[0].id : 0;
    await addPage(page);
    if (!page.items.length) list.replaceChildren(el('div', { class: 'empty', text: t('inbox_empty') }));
    drawMore(more);
  } catch (e) {
    list.replaceChildren(banner('bad', e.message));
    inbox.list = null; // nothing drawn to tell new events from replayed ones: the badge alone follows them
  }
  inbox.loading = false;
  const early = inbox.early;
  inbox.early = [];
  early.forEach(arrived);
}

// The "older" button while older pages exist.
function drawMore(box) {
  if (inbox.before === null || inbox.before === undefined) { box.replaceChildren(); return; }
  box.replaceChildren(el('button', { type: 'button', class: 'ghost', text: t('inbox_more'), onclick: async () => {
    try {
      await addPage(await api('GET', `/api/notifications?before=${inbox.before}&limit=20`));
      drawMore(box);
    } catch (e) { box.replaceChildren(banner('bad', e.message)); }
  } }));
}

// A stream event on the open inbox: a push newer than any drawn goes on top, read, and the count is
// re-read after; replayed ones are drawn already.  False when the inbox is not open.
function arrived(n) {
  if (!inbox.list || !document.body.contains(inbox.list)) return false;
  if (inbox.loading) { inbox.early.push(n); return true; }
  if (n.id <= inbox.newest) return false;
  inbox.newest = n.id;
  inbox.list.querySelector('.empty')?.remove();
  inbox.list.prepend(notificationCard(n, true));
  api('POST', `/api/notifications/${n.id}/read`).catch(() => {}).then(refreshUnread);
  return true;
}

// Opens the live stream for a signed-in enterprise (once) and reads the unread count; nothing for anyone else.
export function startStream() {
  if (session.stream || !session.me || session.me.role !== 'enterprise') return;
  refreshUnread();
  const stream = new EventSource('/api/stream');
  session.stream = stream;
  const onEvent = (ev) => {
    const n = { id: Number(ev.lastEventId), type: ev.type, event: JSON.parse(ev.data), created_at: null };
    if (!arrived(n)) refreshUnread();
  };
  vocab.stream_events.forEach((k) => stream.addEventListener(k, onEvent));
}

// Closes the live stream, if open (on logout), and forgets the count.
export function stopStream() {
  if (session.stream) { session.stream.close(); session.stream = null; }
  session.unread = 0;
}

// Relative times age while the page is open: each minute they are written again.
setInterval(() => {
  document.querySelectorAll('time[data-rel]').forEach((e) => { e.textContent = fmtRelative(e.dataset.rel); });
}, 60000);
