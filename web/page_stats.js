// page_stats.js: #/stats, the statistics drawn as SVG charts: the funnel, the
// reasons of rejections and declines, the scores of approved against rejected
// matches, and matches against deals by field.
import { t } from './i18n.js';
import { el, api, show, loading, banner, empty, fieldName } from './ui.js';
import { vocab } from './vocab.js';

const SVG = 'http://www.w3.org/2000/svg';

// One bar a row: rows are [label, value].
function barChart(rows) {
  const max = Math.max(1, ...rows.map(([, v]) => v));
  const h = 26 * rows.length + 8;
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 600 ${h}`);
  svg.setAttribute('class', 'chart');
  svg.setAttribute('role', 'img');
  rows.forEach(([label, v], i) => {
    const y = 4 + i * 26;
    const text = document.createElementNS(svg.namespaceURI, 'text');
    text.setAttribute('x', '0'); text.setAttribute('y', String(y + 15)); text.textContent = label;
    const rect = document.createElementNS(svg.namespaceURI, 'rect');
    rect.setAttribute('x', '170'); rect.setAttribute('y', String(y)); rect.setAttribute('height', '20');
    rect.setAttribute('width', String(Math.max(2, (380 * v) / max))); rect.setAttribute('fill', '#1d4ed8');
    const num = document.createElementNS(svg.namespaceURI, 'text');
    num.setAttribute('x', String(176 + (380 * v) / max)); num.setAttribute('y', String(y + 15)); num.textContent = String(v);
    svg.append(text, rect, num);
  });
  return svg;
}

// Two bars a row (a and b), with a legend: for comparing approved with rejected, matches with deals.
function pairChart(labels, a, b, names) {
  const max = Math.max(1, ...a, ...b);
  const h = 30 * labels.length + 30;
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 600 ${h}`);
  svg.setAttribute('class', 'chart');
  svg.setAttribute('role', 'img');
  const add = (tag, attrs, text) => {
    const e = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
    if (text !== undefined) e.textContent = text;
    svg.append(e);
  };
  [[names[0], '#1d4ed8'], [names[1], '#f59e0b']].forEach(([n, c], i) => {
    add('rect', { x: 170 + i * 120, y: 4, width: 12, height: 12, fill: c });
    add('text', { x: 186 + i * 120, y: 14 }, n);
  });
  labels.forEach((label, i) => {
    const y = 26 + i * 30;
    add('text', { x: 0, y: y + 15 }, label);
    add('rect', { x: 170, y, height: 11, width: Math.max(1, (380 * a[i]) / max), fill: '#1d4ed8' });
    add('rect', { x: 170, y: y + 12, height: 11, width: Math.max(1, (380 * b[i]) / max), fill: '#f59e0b' });
    add('text', { x: 176 + (380 * Math.max(a[i], b[i])) / max, y: y + 15 }, `${a[i]} / ${b[i]}`);
  });
  return svg;
}

export async function statsPage() {
  show(loading());
  try {
    const s = await api('GET', '/api/stats');
    const reasonRows = Object.entries(s.reasons.rejected || {}).concat(Object.entries(s.reasons.declined || {}))
      .map(([k, v]) => [t(`r_${k}`), v]);
    show(el('h1', { text: t('stats') }),
      el('div', { class: 'grid2' },
        el('section', { class: 'card' }, el('h2', { text: t('funnel') }), barChart(vocab.funnel.map((k) => [t(`s_${k === 'deals' ? 'deal' : k}`), s.funnel[k]]))),
        el('section', { class: 'card' }, el('h2', { text: t('reasons') }),
          reasonRows.length ? barChart(reasonRows) : empty()),
        el('section', { class: 'card' }, el('h2', { text: t('score_dist') }),
          pairChart(s.score_distribution.approved.map((_, i) => `${(i / 10).toFixed(1)}–${((i + 1) / 10).toFixed(1)}`),
            s.score_distribution.approved, s.score_distribution.rejected, [t('approved_n'), t('rejected_n')])),
        el('section', { class: 'card' }, el('h2', { text: t('deals_by_field') }),
          s.by_field.length ? pairChart(s.by_field.map((f) => fieldName(f.field).slice(0, 24)), s.by_field.map((f) => f.suggested),
            s.by_field.map((f) => f.deals), [t('matches_n'), t('deals_n')]) : empty())));
  } catch (e) { show(banner('bad', e.message)); }
}
