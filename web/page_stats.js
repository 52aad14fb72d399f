// page_stats.js: #/stats, the statistics drawn as bar charts: the funnel, the
// reasons of rejections and declines, the scores of approved against rejected
// matches, and matches against deals by field.  The charts are HTML (a label
// column beside a bar column), so their text is the page's own size at every
// width (never a scaled-down drawing), long labels are cut with an ellipsis and
// the whole label in a title, and on a phone each label sits above its bars.
import { t } from './i18n.js';
import { el, api, show, skeleton, banner, empty, fieldName } from './ui.js';
import { vocab } from './vocab.js';
import { fmtCount } from './format.js';

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

export async function statsPage() {
  show(el('h1', { text: t('stats') }), skeleton(6));
  try {
    const s = await api('GET', '/api/stats');
    const reasonRows = Object.entries(s.reasons.rejected || {}).concat(Object.entries(s.reasons.declined || {}))
      .map(([k, v]) => [t(`r_${k}`), [v]]);
    const tenths = s.score_distribution.approved.map((_, i) => `${(i / 10).toFixed(1)}–${((i + 1) / 10).toFixed(1)}`);
    show(el('h1', { text: t('stats') }),
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
            [t('matches_n'), t('deals_n')]) : empty())));
    sizeBars(document.getElementById('main'));
  } catch (e) { show(el('h1', { text: t('stats') }), banner('bad', e.message)); }
}
