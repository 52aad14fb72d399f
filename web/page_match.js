// page_match.js: #/matches/ID, one match: its explanation, the contacts once the
// two sides are introduced, and the moves the viewer may make (the enterprise says
// interested or declines with a reason; staff introduce an interested pair).
import { t } from './i18n.js';
import { el, api, show, loading, banner } from './ui.js';
import { session, isStaff } from './session.js';
import { explanationView, decide, reasonSelect } from './cards.js';
import { vocab } from './vocab.js';

export async function matchPage(id) {
  const me = session.me;
  show(loading());
  try {
    const m = await api('GET', `/api/matches/${id}`);
    const box = el('div', { class: 'row actions' });
    const reason = reasonSelect(vocab.reasons);
    if (me.role === 'enterprise' && vocab.awaiting_answer.includes(m.status)) {
      box.append(el('button', { type: 'button', text: t('interested'), onclick: () => decide(m.id, 'interested', box) }),
        reason, el('button', { type: 'button', class: 'ghost', text: t('declined'), onclick: async () => {
          try {
            await api('POST', `/api/matches/${m.id}/declined`, { reason: reason.value, text: reason.value === 'other' ? '-' : undefined });
            box.replaceChildren(banner('good', t('done')));
          } catch (e) { box.append(banner('bad', e.message)); }
        } }));
    }
    if (isStaff(me) && m.status === 'interested') {
      box.append(el('button', { type: 'button', text: t('in_talks'), onclick: async () => {
        try { await api('POST', `/api/matches/${m.id}/in_talks`); matchPage(id); } catch (e) { box.append(banner('bad', e.message)); }
      } }));
    }
    const contact = (l) => (l.contact ? el('p', { class: 'muted', text: `${t('contact')}: ${l.contact}` }) : null);
    show(el('h1', { text: `${m.demand.title}` }),
      el('p', { class: 'muted', text: `${t('status')}: ${t(`s_${m.status}`)}` }),
      explanationView(m, m.demand, m.achievement), el('div', { class: 'grid2' }, el('div', {}, contact(m.demand)),
        el('div', {}, contact(m.achievement))), box);
  } catch (e) { show(banner('bad', e.message)); }
}
