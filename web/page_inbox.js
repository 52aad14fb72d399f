// page_inbox.js: #/inbox, an enterprise's pushed matches, and the live stream that
// adds a new push to the open inbox without a reload (or counts it as unread).
import { t } from './i18n.js';
import { el, api, show, loading, banner, empty } from './ui.js';
import { session, navChanged } from './session.js';
import { explanationView, decide } from './cards.js';
import { vocab } from './vocab.js';

// A notification: a pushed match with its explanation and the enterprise's answer buttons.
function notificationCard(n) {
  const d = n.event && n.event.data;
  if (!d || !d.demand) return el('div', { class: 'card', text: n.type });
  const actions = el('div', { class: 'row' },
    el('button', { type: 'button', text: t('interested'), onclick: () => decide(d.match_id, 'interested', actions) }),
    el('button', { type: 'button', class: 'ghost', text: t('declined'), onclick: () => { location.hash = `#/matches/${d.match_id}`; } }));
  return el('article', { class: 'card notification', 'data-id': String(n.id) },
    el('h3', {}, el('a', { href: `#/matches/${d.match_id}`, text: d.achievement.title })),
    explanationView(d, d.demand, d.achievement), actions);
}

// Shows the notifications, oldest first, and marks them read.
export async function inboxPage() {
  if (!session.me) { show(banner('bad', t('need_login'))); return; }
  const list = el('div', { id: 'notifications' }, loading());
  show(el('h1', { text: t('inbox') }), el('p', { class: 'muted', id: 'live', text: session.stream ? t('live') : '' }), list);
  try {
    const page = await api('GET', '/api/notifications?limit=100');
    const items = page.items.reverse();
    list.replaceChildren(...(items.length ? items.map(notificationCard) : [empty()]));
    for (const n of page.items) if (!n.read) api('POST', `/api/notifications/${n.id}/read`).catch(() => {});
    session.unread = 0;
    navChanged();
  } catch (e) { list.replaceChildren(banner('bad', e.message)); }
}

// Opens the live stream for a signed-in enterprise (once); does nothing for anyone else.
export function startStream() {
  if (session.stream || !session.me || session.me.role !== 'enterprise') return;
  const stream = new EventSource('/api/stream');
  session.stream = stream;
  const onEvent = (ev) => {
    const n = { id: Number(ev.lastEventId), type: ev.type, event: JSON.parse(ev.data) };
    const list = document.getElementById('notifications');
    if (list && location.hash === '#/inbox') {
      list.querySelector('.empty')?.remove();
      list.prepend(notificationCard(n));
      api('POST', `/api/notifications/${n.id}/read`).catch(() => {});
    } else {
      session.unread += 1;
      navChanged();
    }
  };
  vocab.stream_events.forEach((k) => stream.addEventListener(k, onEvent));
  stream.onopen = () => { const live = document.getElementById('live'); if (live) live.textContent = t('live'); };
}

// Closes the live stream, if open (on logout).
export function stopStream() {
  if (session.stream) { session.stream.close(); session.stream = null; }
}
