// page_review.js: #/review, the broker's queue of suggested matches: approve or
// reject each (with a reason), by button or by key (j/k move, a approves, r
// rejects), or several at once with the bulk toolbar.
import { t } from './i18n.js';
import { el, api, show, loading, banner, empty } from './ui.js';
import { session } from './session.js';
import { explanationView, reasonSelect } from './cards.js';
import { vocab } from './vocab.js';

export async function reviewPage() {
  if (!session.me) { show(banner('bad', t('need_login'))); return; }
  const list = el('div', { id: 'queue' }, loading());
  // "other" needs a text of its own, so the bulk rejection does not offer it.
  const bulkReason = reasonSelect(vocab.reasons.filter((r) => r !== 'other'));
  const bulk = async (action) => {
    const ids = [...list.querySelectorAll('input.pick:checked')].map((c) => Number(c.value));
    if (!ids.length) return;
    try {
      await api('POST', '/api/matches/bulk', action === 'approve' ? { action, ids } : { action, ids, reason: bulkReason.value });
      reviewPage();
    } catch (e) { list.prepend(banner('bad', e.message)); }
  };
  const toolbar = el('div', { class: 'row card', id: 'bulk' },
    el('button', { type: 'button', id: 'bulk-approve', text: t('approve_selected'), onclick: () => bulk('approve') }),
    bulkReason, el('button', { type: 'button', class: 'bad', id: 'bulk-reject', text: t('reject_selected'), onclick: () => bulk('reject') }));
  show(el('h1', { text: t('review') }), el('p', { class: 'muted', text: t('keys_help') }), toolbar, list);
  let cards = [], at = 0;
  const select = (i) => {
    cards.forEach((c) => c.classList.remove('selected'));
    at = Math.max(0, Math.min(i, cards.length - 1));
    if (cards[at]) { cards[at].classList.add('selected'); cards[at].scrollIntoView({ block: 'nearest' }); }
  };
  const act = async (card, what) => {
    const id = card.dataset.id;
    const reason = card.querySelector('select').value;
    try {
      if (what === 'approve') await api('POST', `/api/matches/${id}/approve`);
      else await api('POST', `/api/matches/${id}/reject`, { reason, text: reason === 'other' ? 'see notes' : undefined });
      card.querySelector('.actions').replaceChildren(banner('good', t('done')));
      cards = cards.filter((c) => c !== card);
      card.remove();
      if (!cards.length) list.replaceChildren(empty('queue_empty'));
      select(at);
    } catch (e) { card.querySelector('.actions').append(banner('bad', e.message)); }
  };
  try {
    const page = await api('GET', '/api/review?limit=50');
    cards = page.items.map((m) => {
      const card = el('article', { class: 'card review', 'data-id': String(m.id), tabindex: '0' },
        el('div', { class: 'meta' }, el('label', { class: 'muted' }, el('input', { type: 'checkbox', class: 'pick', value: String(m.id), 'aria-label': t('select') }), ` ${t('select')}`),
          el('span', { text: m.origin === 'proposal' ? t('propose') : '' }),
          m.statement ? el('span', { text: m.statement }) : null),
        explanationView(m, m.demand, m.achievement),
        el('div', { class: 'row actions' },
          el('button', { type: 'button', text: t('approve'), onclick: () => act(card, 'approve') }),
          el('label', { class: 'muted', text: t('reason') }),
          reasonSelect(vocab.reasons),
          el('button', { type: 'button', class: 'bad', text: t('reject'), onclick: () => act(card, 'reject') })));
      return card;
    });
    list.replaceChildren(...(cards.length ? cards : [empty('queue_empty')]));
    select(0);
  } catch (e) { list.replaceChildren(banner('bad', e.message)); }
  document.onkeydown = (ev) => {
    if (location.hash !== '#/review' || ev.target.matches('input, select, textarea')) return;
    if (ev.key === 'j') select(at + 1);
    else if (ev.key === 'k') select(at - 1);
    else if (ev.key === 'a' && cards[at]) act(cards[at], 'approve');
    else if (ev.key === 'r' && cards[at]) act(cards[at], 'reject');
  };
}
