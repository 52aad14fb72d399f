// page_policy.js: #/policy, the admin's matching policy: the score from which a
// match is suggested, and the score from which it is approved without review
// (never below the suggest threshold: the form says so, and so does the server).
// One status line: each save's outcome replaces the last.  Beside the form, what brokers' decisions say
// about the threshold, with a suggested one to apply (policy_decisions.js).
import { t, addWords } from './i18n.js';
import { el, api, show, pagePath, loading, banner, input, showErrors } from './ui.js';
import { fmtDateTime, fmtRelative } from './format.js';
import { decisionsSection } from './policy_decisions.js';

addWords({
  po_suggest_help: ['0 到 1 之间；匹配度达到此值的配对进入审核队列（默认 0.3）。',
    'From 0 to 1; pairs scoring at least this enter the review queue (default 0.3).'],
  po_auto_help: ['0 到 1 之间，且不低于推荐阈值；留空表示每条匹配都由经纪人审核。',
    'From 0 to 1, not below the suggest threshold; empty means a broker reviews every match.'],
  po_number: ['请输入 0 到 1 之间的数，如 0.45', 'Enter a number from 0 to 1, e.g. 0.45'],
  po_below: ['自动通过分数不能低于推荐阈值（{0}）', 'The auto-approve score cannot be below the suggest threshold ({0})'],
  po_changed: ['最近修改：{0}，{1}（{2}）', 'Last changed by {0}, {1} ({2})'], po_changed_at: ['最近修改：{1}（{2}）', 'Last changed {1} ({2})'],
  po_saved: ['已保存：推荐阈值 {0}，自动通过 {1}', 'Saved: suggest from {0}, auto-approve {1}'],
  po_never: ['不自动通过', 'never'], po_fix: ['请修改标出的项目', 'Please correct the fields marked'],
  po_thesaurus: ['中英文互译和同义词在匹配词表中维护', 'Translations and synonyms are kept in the matching thesaurus'],
});

// The form's number: a number from 0 to 1, null when empty (and allowed), or NaN.
function score(text, allowEmpty) {
  const s = text.trim();
  if (s === '') return allowEmpty ? null : NaN;
  const x = Number(s);
  return Number.isFinite(x) && x >= 0 && x <= 1 ? x : NaN;
}

// Who changed the policy last, and when.
function changedLine(p) {
  const args = [p.updated_by_name, fmtDateTime(p.updated_at), fmtRelative(p.updated_at)];
  return p.updated_by_name ? t('po_changed', ...args) : t('po_changed_at', ...args);
}

export async function policyPage() {
  show(loading());
  let p;
  try { p = await api('GET', '/api/policy'); } catch (e) { show(banner('bad', e.message)); return; }
  if (pagePath() !== '#/policy') return; // the user went elsewhere meanwhile
  const status = el('div', { id: 'policy-status', 'aria-live': 'polite' });
  const changed = el('p', { class: 'muted', id: 'policy-changed', text: changedLine(p) });
  const say = (kind, text) => status.replaceChildren(banner(kind, text));
  const form = el('form', { novalidate: true, id: 'policy-form', class: 'stack' },
    input('suggest_threshold', t('suggest_threshold'), { value: String(p.suggest_threshold), inputmode: 'decimal', 'aria-describedby': 'f_suggest_threshold_help' }),
    input('auto_approve_score', t('auto_approve_score'), { value: p.auto_approve_score === null ? '' : String(p.auto_approve_score), inputmode: 'decimal', 'aria-describedby': 'f_auto_approve_score_help' }),
    el('div', { class: 'row' }, el('button', { type: 'submit', text: t('save') })));
  // Help text under each control, before its error slot.
  for (const [name, key] of [['suggest_threshold', 'po_suggest_help'], ['auto_approve_score', 'po_auto_help']]) {
    form.querySelector(`#f_${name}_err`).before(el('div', { class: 'help', id: `f_${name}_help`, text: t(key) }));
  }
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    status.replaceChildren();
    showErrors(form, { problem: {} });
    const suggest = score(form.elements.suggest_threshold.value, false);
    const auto = score(form.elements.auto_approve_score.value, true);
    const errs = [];
    if (Number.isNaN(suggest)) errs.push({ field: 'suggest_threshold', message: t('po_number') });
    if (Number.isNaN(auto)) errs.push({ field: 'auto_approve_score', message: t('po_number') });
    else if (auto !== null && !Number.isNaN(suggest) && auto < suggest) errs.push({ field: 'auto_approve_score', message: t('po_below', suggest) });
    if (errs.length) {
      showErrors(form, { problem: { errors: errs } });
      say('bad', t('po_fix'));
      return;
    }
    try {
      p = await api('PUT', '/api/policy', { suggest_threshold: suggest, auto_approve_score: auto });
      say('good', t('po_saved', p.suggest_threshold, p.auto_approve_score === null ? t('po_never') : p.auto_approve_score));
      changed.textContent = changedLine(p);
      report.reload(); // the current threshold the report compares with has changed
    } catch (e) {
      showErrors(form, e);
      form.querySelectorAll('.banner').forEach((b) => b.remove());
      say('bad', (e.problem && e.problem.errors && e.problem.errors.length) ? t('po_fix') : e.message);
    }
  });
  // The suggestion's button stores the suggest threshold alone, as a save of the form would, and shows it there.
  const setThreshold = async (x) => {
    p = await api('PUT', '/api/policy', { suggest_threshold: x });
    form.elements.suggest_threshold.value = String(p.suggest_threshold);
    showErrors(form, { problem: {} });
    say('good', t('po_saved', p.suggest_threshold, p.auto_approve_score === null ? t('po_never') : p.auto_approve_score));
    changed.textContent = changedLine(p);
    return p;
  };
  const report = decisionsSection({ policy: () => p, setThreshold });
  show(el('div', { class: 'page-head' }, el('h1', { text: t('policy') })),
    el('div', { class: 'grid2' }, el('section', { class: 'card stack' }, status, form, changed,
      el('p', {}, el('a', { href: '#/thesaurus', id: 'policy-thesaurus', text: `${t('po_thesaurus')} →` }))),
    report.aside), report.tables);
}
