// page_stats.js: #/stats, the statistics: the headline figures (deals, their value,
// time to first push), then bar charts of the funnel, the reasons of rejections
// and declines, the scores of approved against rejected matches, and matches
// against deals by field, and each broker's open matches.  The charts are HTML (a label
// column beside a bar column), so their text is the page's own size at every
// width (never a scaled-down drawing), long labels are cut with an ellipsis and
// the whole label in a title, and on a phone each label sits above its bars.
import { t, addWords } from './i18n.js';
import { el, api, show, pagePath, skeleton, banner, empty, fieldName } from './ui.js';
import { vocab } from './vocab.js';
import { fmtCount, fmtMoney } from './format.js';

addWords({
  stats_deals: ['成交', 'Deals'], stats_amount: ['成交金额', 'Deal value'], stats_first_push: ['首次推送中位用时', 'Median time to first push'],
  stats_hours: ['{0} 小时', '{0} h'], stats_none: ['—', '—'], stats_workload: ['经纪人在办', 'Brokers\' open matches'],
  stats_broker: ['经纪人', 'Broker'], stats_open: ['在办', 'Open'], stats_demands_n: ['基于 {0} 条需求', 'over {0} demands'],
});

const COLOURS = ['a', 'b'];   // the bar classes of the first and the second series (app.css)

// One chart row: a label (cut with an ellipsis, whole in its title) and one bar per series with its value.
function chartRow(label, values, max) {
  return el('div', { class: 'chart-row', role: 'listitem' },
    el('span', { class: 'chart-label', title: label, text: label }),
    el('div', { class: 'chart-bars' }, values.map((v, i) => el('div', { class: 'chart-bar' },
      el('i', { class: COLOURS[i], 'data-w': String(v / max), 'aria-hidden': 'true' }),
      el('span', { text: fmtCount(v) })))));
}

// A chart of rows ([label, [value, value?]]), titled for screen readers, with a legend when there are two series.
function chart(name, rows, legend) {
  const max = Math.max(1, ...rows.flatMap(([, vs]) => vs));
  return el('figure', { class: 'chart', 'aria-label': name },
    legend ? el('div', { class: 'chart-legend', 'aria-hidden': 'true' }, legend.map((n, i) =>
      el('span', {}, el('i', { class: `chart-key ${COLOURS[i]}` }), n))) : null,
    el('div', { class: 'chart-rows', role: 'list' }, rows.map(([label, vs]) => chartRow(label, vs, max))));
}

// Sets each bar's width from its data-w, as a share of the space left beside its number (CSSOM: the
// Content-Security-Policy refuses style attributes written as text).
function sizeBars(root) {
  root.querySelectorAll('.chart-bar i[data-w]').forEach((i) => {
    i.style.width = `calc((100% - 4.5em) * ${Number(i.dataset.w)})`;
  });
}

// The headline figures: deals, their value, and the median time from posting a demand to its first push.
function figures(s) {
  const ttfp = s.time_to_first_push || {};
  const hours = ttfp.median_hours;
  const tileOf = (id, label, value, note) => el('div', { class: 'stat', id },
    el('span', { class: 'stat-label', text: label }), el('strong', { class: 'stat-value', text: value }),
    note ? el('div', { class: 'stat-note', text: note }) : null);
  return el('div', { class: 'stat-grid' },
    tileOf('stats-deals', t('stats_deals'), fmtCount(s.deals.count || 0)),
    tileOf('stats-amount', t('stats_amount'), s.deals.amount ? fmtMoney(s.deals.amount) : t('stats_none')),
    tileOf('stats-first-push', t('stats_first_push'), hours === null || hours === undefined ? t('stats_none')
      : t('stats_hours', fmtCount(Math.round(hours * 10) / 10)), ttfp.demands ? t('stats_demands_n', fmtCount(ttfp.demands)) : null));
}

// Each broker's open matches, as a table (none: nothing is drawn).
function workload(rows) {
  if (!rows || !rows.length) return null;
  return el('section', { class: 'card' }, el('h2', { text: t('stats_workload') }),
    el('div', { class: 'table-wrap' }, el('table', { class: 'data', id: 'stats-workload' },
      el('thead', {}, el('tr', {}, el('th', { scope: 'col', text: t('stats_broker') }), el('th', { scope: 'col', class: 'num', text: t('stats_open') }))),
      el('tbody', {}, rows.map((w) => el('tr', {}, el('td', { text: w.name }), el('td', { class: 'num', text: fmtCount(w.open) })))))));
}

export async function statsPage() {
  show(el('h1', { text: t('stats') }), skeleton(6));
  try {
    const s = await api('GET', '/api/stats');
    if (pagePath() !== '#/stats') return; // the user went elsewhere meanwhile
    // Each reason under the end it gave (rejected by a broker, declined by the enterprise, closed without a deal).
    const reasonRows = ['rejected', 'declined', 'closed'].flatMap((kind) => Object.entries(s.reasons[kind] || {})
      .map(([k, v]) => [`${t(`s_${kind}`)} · ${t(`r_${k}`)}`, [v]]));
    const tenths = s.score_distribution.approved.map((_, i) => `${(i / 10).toFixed(1)}–${((i + 1) / 10).toFixed(1)}`);
    show(el('h1', { text: t('stats') }), figures(s),
      el('div', { class: 'grid2' },
        el('section', { class: 'card' }, el('h2', { text: t('funnel') }),
          chart(t('funnel'), vocab.funnel.map((k) => [t(`s_${k === 'deals' ? 'deal' : k}`), [s.funnel[k]]]))),
        el('section', { class: 'card' }, el('h2', { text: t('reasons') }),
          reasonRows.length ? chart(t('reasons'), reasonRows) : empty()),
        el('section', { class: 'card' }, el('h2', { text: t('score_dist') }),
          chart(t('score_dist'), tenths.map((label, i) => [label, [s.score_distribution.approved[i], s.score_distribution.rejected[i]]]),
            [t('approved_n'), t('rejected_n')])),
        el('section', { class: 'card' }, el('h2', { text: t('deals_by_field') }),
          s.by_field.length ? chart(t('deals_by_field'), s.by_field.map((f) => [fieldName(f.field), [f.suggested, f.deals]]),
            [t('matches_n'), t('deals_n')]) : empty()),
        workload(s.workload)));
    sizeBars(document.getElementById('main'));
  } catch (e) { if (pagePath() === '#/stats') show(el('h1', { text: t('stats') }), banner('bad', e.message)); }
}
