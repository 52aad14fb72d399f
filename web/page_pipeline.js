// page_pipeline.js: #/pipeline, the staff's board of matches by status, from
// approved to deal, each card linking to the match.
import { t } from './i18n.js';
import { el, api, show, loading, banner, pct } from './ui.js';
import { vocab } from './vocab.js';

export async function pipelinePage() {
  show(loading());
  const columns = vocab.pipeline;
  try {
    const pages = await Promise.all(columns.map((c) => api('GET', `/api/matches?status=${c}&limit=50`)));
    show(el('h1', { text: t('pipeline') }), el('div', { class: 'board' }, columns.map((c, i) => el('section', { class: 'column' },
      el('h2', {}, `${t(`s_${c}`)} `, el('span', { class: 'muted', text: String(pages[i].items.length) })),
      pages[i].items.map((m) => el('a', { class: 'card mini', href: `#/matches/${m.id}` },
        el('strong', { text: m.demand.title }), el('span', { class: 'muted', text: m.achievement.title }),
        el('span', { class: 'score', text: pct(m.score) })))))));
  } catch (e) { show(banner('bad', e.message)); }
}
