// policy_decisions.js: the policy page's account of brokers' decisions (GET /api/review/decisions-report):
// beside the thresholds, the suggested suggest threshold (the lowest score band boundary above which
// brokers approved at least the target share of what they decided) compared with the current one, and a
// button that applies it through the policy form's own update; below, precision by score band and by the
// demand's field.  With too few decisions it says so instead of suggesting.  A module of its own so that
// page_policy.js stays the form.
import { t, addWords } from './i18n.js';
import { el, api, pagePath, skeleton, banner, pct, fieldName, confirmAction, toast } from './ui.js';
import { fmtCount } from './format.js';

addWords({
  pd_title: ['建议的推荐阈值', 'Suggested threshold'],
  pd_summary: ['共 {0} 条审核决定：通过 {1}，驳回 {2}。', '{0} decisions: {1} approved, {2} rejected.'],
  pd_rule: ['建议值是最低的分段边界：其上的审核决定（至少 {1} 条）通过率不低于 {0}，且从它开始的分数段通过不少于 {2}。在这一通过率下，它保留最多的通过。',
    'The suggestion is the lowest band boundary above which brokers approved at least {0} of what they decided (at least {1} decisions), the band it opens at least {2}: the most approvals kept at that precision.'],
  pd_which: ['阈值', 'Threshold'], pd_decided: ['其上决定', 'Decided above'],
  pd_precision: ['通过率', 'Precision'], pd_recall: ['召回率', 'Recall'],
  pd_recall_help: ['通过率：阈值以上的决定中通过的比例；召回率：全部通过中仍在阈值以上的比例。',
    'Precision: the share of decisions above the threshold that were approved; recall: the share of all approvals still above it.'],
  pd_current: ['当前', 'Current'], pd_suggested: ['建议', 'Suggested'],
  pd_apply: ['采用建议阈值 {0}', 'Use the suggested threshold {0}'],
  pd_apply_confirm: ['将推荐阈值从 {0} 改为 {1}？此后匹配度低于 {1} 的新配对不再进入审核队列。',
    'Change the suggest threshold from {0} to {1}? New pairs scoring below {1} will no longer enter the review queue.'],
  pd_apply_title: ['修改推荐阈值', 'Change the suggest threshold'], pd_apply_yes: ['改为 {0}', 'Change to {0}'],
  pd_applied: ['推荐阈值已改为 {0}', 'The suggest threshold is now {0}'],
  pd_same: ['当前阈值已是建议值。', 'The current threshold is the suggested one.'],
  pd_too_few: ['目前只有 {0} 条审核决定，满 {1} 条才给出建议阈值。', 'Only {0} decisions so far: a threshold is suggested from {1} on.'],
  pd_unreached: ['没有符合条件的分段边界（其上至少 {1} 条决定、通过率达到 {0}），暂不建议调整。',
    'No band boundary has a precision of {0} above it with at least {1} decisions: no change is suggested.'],
  pd_none: ['还没有审核决定。经纪人通过或驳回匹配后，这里按分数段和领域显示通过率，并建议推荐阈值。',
    'No decisions yet. Once brokers approve or reject matches, this shows precision by score band and by field, and suggests a threshold.'],
  pd_bands: ['各分数段的审核决定', 'Decisions by score band'], pd_fields: ['各领域的审核决定（按需求领域）', 'Decisions by field (of the demand)'],
  pd_band: ['分数段', 'Score band'], pd_counts_a: ['通过 /', 'Approved /'], pd_counts_r: ['驳回', 'rejected'], pd_counts_of: ['{0} / {1}', '{0} / {1}'],
  pd_prec_reason: ['通过率 · 主要驳回原因', 'Precision · main rejection reason'], pd_field: ['领域', 'Field'], pd_no_field: ['未填领域', 'No field'],
  pd_period: ['时间范围', 'Period'], pd_all_time: ['全部', 'All time'], pd_days: ['近 {0} 天', 'Last {0} days'],
  pd_dash: ['—', '—'], pd_colours: ['蓝色条：通过率达到目标 {0}；橙色条：低于目标。', 'Blue bars: precision at the target {0} or above; orange: below it.'],
});

const PERIODS = [0, 90, 30];   // days; 0: every decision

// A threshold as typed in the form (0.4, 0.45): at most two decimals, no trailing zeros.
const num = (x) => String(Math.round(x * 100) / 100);

// A share as a bar beside its percentage (— when nothing was decided), and under it, when given, a line
// such as the band's main rejection reason.  The bar's width is set through the CSSOM: the
// Content-Security-Policy refuses style attributes written as text.
function precisionCell(x, target, note) {
  if (x === null || x === undefined) return el('td', { class: 'muted', text: t('pd_dash') });
  const bar = el('i', { class: x + 1e-9 >= target ? 'a' : 'b', 'aria-hidden': 'true' });
  bar.style.width = `${(x * 6).toFixed(2)}em`;
  return el('td', { class: 'pd-precision' }, el('div', { class: 'chart-bar' }, bar, el('span', { text: pct(x) })),
    note ? el('div', { class: 'help pd-reason', text: note }) : null);
}

// The reason given most often among a band's rejections, in words, or null.
function mainReason(reasons) {
  const top = Object.entries(reasons || {}).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0];
  return top ? `${t(`r_${top[0]}`)} (${fmtCount(top[1])})` : null;
}

// A table's wrapper: it scrolls sideways when the screen is too narrow, so a keyboard can focus it.
const wrap = (label, table) => el('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': label }, table);

const th = (key, num2) => el('th', { scope: 'col', class: num2 ? 'num' : null, text: t(key) });
const td = (n) => el('td', { class: 'num', text: fmtCount(n) });
// The heading of that cell, which may break between its two words only (CJK text breaks anywhere).
const countsHead = () => el('th', { scope: 'col', class: 'num' }, el('span', { class: 'pd-nw', text: t('pd_counts_a') }), ' ',
  el('span', { class: 'pd-nw', text: t('pd_counts_r') }));
// Approved and rejected in one cell ("17 / 3"), so that a phone has room for the precision beside them.
const counts = (x) => el('td', { class: 'num pd-counts', text: t('pd_counts_of', fmtCount(x.approved), fmtCount(x.rejected)) });

// A band's label, with a mark on the band holding the current threshold and the one the suggestion opens.
function bandLabel(b, rep) {
  const cur = rep.current.threshold, sug = rep.suggested ? rep.suggested.threshold : null;
  const holdsCurrent = cur >= b.from - 1e-9 && (cur < b.to - 1e-9 || b.to >= 1);
  return el('th', { scope: 'row' }, `${b.from.toFixed(1)}–${b.to.toFixed(1)}`,
    holdsCurrent ? el('span', { class: 'badge neutral', text: t('pd_current') }) : null,
    sug !== null && Math.abs(sug - b.from) < 1e-9 ? el('span', { class: 'badge accent', text: t('pd_suggested') }) : null);
}

function bandsTable(rep) {
  return wrap(t('pd_bands'), el('table', { class: 'data pd-report', id: 'pd-bands' },
    el('caption', { class: 'sr-only', text: t('pd_bands') }),
    el('thead', {}, el('tr', {}, th('pd_band'), countsHead(), th('pd_prec_reason'))),
    el('tbody', {}, [...rep.bands].reverse().map((b) => el('tr', { 'data-from': num(b.from) }, bandLabel(b, rep),
      counts(b), precisionCell(b.precision, rep.target_precision, mainReason(b.reasons)))))));
}

function fieldsTable(rep) {
  return wrap(t('pd_fields'), el('table', { class: 'data pd-report', id: 'pd-fields' },
    el('caption', { class: 'sr-only', text: t('pd_fields') }),
    el('thead', {}, el('tr', {}, th('pd_field'), countsHead(), th('pd_precision'))),
    el('tbody', {}, rep.by_field.map((f) => el('tr', { 'data-field': f.field || '' },
      el('th', { scope: 'row', text: f.field ? fieldName(f.field) : t('pd_no_field') }),
      counts(f), precisionCell(f.precision, rep.target_precision))))));
}

// The current threshold's figures beside the suggestion's: a column each (room on a phone), a row a figure.
function compareTable(rep) {
  const cuts = [['current', rep.current], ['suggested', rep.suggested]].filter(([, c]) => c);
  const share = (x) => (x === null ? t('pd_dash') : pct(x));
  const figures = [['threshold', 'pd_which', (c) => num(c.threshold)], ['decided', 'pd_decided', (c) => fmtCount(c.decided)],
    ['precision', 'pd_precision', (c) => share(c.precision)], ['recall', 'pd_recall', (c) => share(c.recall)]];
  return wrap(t('pd_title'), el('table', { class: 'data pd-report', id: 'pd-compare', 'aria-describedby': 'pd-recall-help' },
    el('thead', {}, el('tr', {}, el('td', {}), cuts.map(([k]) => el('th', { scope: 'col', class: 'num', text: t(`pd_${k}`) })))),
    el('tbody', {}, figures.map(([k, key, f]) => el('tr', {}, el('th', { scope: 'row', text: t(key) }),
      cuts.map(([which, c]) => el('td', { class: 'num', 'data-cut': which, 'data-k': k, text: f(c) })))))));
}

// What stands instead of a suggestion, or the suggestion and its button.
function verdict(rep, apply) {
  const total = rep.decisions.approved + rep.decisions.rejected;
  if (rep.verdict.code === 'too_few_decisions') {
    return el('p', { class: 'empty', id: 'pd-verdict', text: t('pd_too_few', fmtCount(total), fmtCount(rep.min_decisions)) });
  }
  if (rep.verdict.code === 'target_not_reached') {
    return el('p', { class: 'empty', id: 'pd-verdict', text: t('pd_unreached', pct(rep.target_precision), fmtCount(rep.min_above)) });
  }
  const x = rep.suggested.threshold;
  if (Math.abs(x - rep.current.threshold) < 1e-9) return el('p', { class: 'muted', id: 'pd-verdict', text: t('pd_same') });
  return el('div', { class: 'row', id: 'pd-verdict' },
    el('button', { type: 'button', id: 'pd-apply', text: t('pd_apply', num(x)), onclick: () => apply(x) }));
}

// The suggestion card's content for a report.
function suggestion(rep, apply) {
  const total = rep.decisions.approved + rep.decisions.rejected;
  if (total === 0) return [el('div', { class: 'empty', id: 'pd-empty' }, el('p', { text: t('pd_none') }))];
  return [
    el('p', { id: 'pd-summary', text: t('pd_summary', fmtCount(total), fmtCount(rep.decisions.approved), fmtCount(rep.decisions.rejected)) }),
    compareTable(rep),
    el('p', { class: 'help', id: 'pd-recall-help', text: t('pd_recall_help') }),
    verdict(rep, apply),
    el('p', { class: 'help', text: t('pd_rule', pct(rep.target_precision), fmtCount(rep.min_above), pct(rep.min_band_precision)) }),
  ];
}

// The period select: every decision, or those of the last 90 or 30 days.
function periodSelect(onChange) {
  const sel = el('select', { id: 'pd-period', 'aria-label': t('pd_period') },
    PERIODS.map((d) => el('option', { value: String(d), text: d ? t('pd_days', d) : t('pd_all_time') })));
  sel.addEventListener('change', () => onChange(Number(sel.value)));
  return el('label', { class: 'row pd-period' }, el('span', { class: 'muted', text: t('pd_period') }), sel);
}

// The section: { aside, tables } to place on the page (aside beside the form, tables below it), and
// reload().  policy() gives the policy as the page holds it now; setThreshold(x) stores the suggest
// threshold through the page's own update and resolves to the new policy (it throws what the server refused).
export function decisionsSection({ policy, setThreshold }) {
  let days = 0;
  const body = el('div', { class: 'stack', id: 'pd-body' }, skeleton(3));
  const aside = el('section', { class: 'card stack', id: 'pd-aside', 'aria-labelledby': 'pd-title' },
    el('div', { class: 'row pd-head' }, el('h2', { id: 'pd-title', text: t('pd_title') }),
      periodSelect((d) => { days = d; reload(); })), body);
  const tables = el('div', { class: 'grid2', id: 'pd-tables' });
  const apply = async (x) => {
    const before = policy().suggest_threshold;
    const yes = await confirmAction(t('pd_apply_confirm', num(before), num(x)),
      { title: t('pd_apply_title'), confirmLabel: t('pd_apply_yes', num(x)) });
    if (!yes) return;
    try {
      const p = await setThreshold(x);
      toast(t('pd_applied', num(p.suggest_threshold)));
      await reload();
    } catch (e) { toast(e.message, 'bad'); }
  };
  async function reload() {
    const since = days ? `?since=${encodeURIComponent(new Date(Date.now() - days * 86400e3).toISOString())}` : '';
    let rep;
    try { rep = await api('GET', `/api/review/decisions-report${since}`); } catch (e) {
      if (pagePath() === '#/policy') body.replaceChildren(banner('bad', e.message));
      return;
    }
    if (pagePath() !== '#/policy') return; // the user went elsewhere meanwhile
    body.replaceChildren(...suggestion(rep, apply));
    tables.replaceChildren(...(rep.bands.length ? [
      el('section', { class: 'card', 'aria-labelledby': 'pd-bands-h' }, el('h2', { id: 'pd-bands-h', text: t('pd_bands') }), bandsTable(rep),
        el('p', { class: 'help', text: t('pd_colours', pct(rep.target_precision)) })),
      el('section', { class: 'card', 'aria-labelledby': 'pd-fields-h' }, el('h2', { id: 'pd-fields-h', text: t('pd_fields') }), fieldsTable(rep)),
    ] : []));
  }
  reload();
  return { aside, tables, reload };
}
