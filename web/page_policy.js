// page_policy.js: #/policy, the admin's matching policy: the score from which a
// match is suggested, and the score from which it is approved without review.
import { t } from './i18n.js';
import { el, api, show, loading, banner, input, showErrors } from './ui.js';
import { fmtDateTime } from './format.js';

export async function policyPage() {
  show(loading());
  const p = await api('GET', '/api/policy');
  const form = el('form', { novalidate: true, onsubmit: async (ev) => {
    ev.preventDefault();
    const auto = form.elements.auto_approve_score.value.trim();
    try {
      await api('PUT', '/api/policy', { suggest_threshold: Number(form.elements.suggest_threshold.value),
        auto_approve_score: auto === '' ? null : Number(auto) });
      form.prepend(banner('good', t('saved')));
    } catch (e) { showErrors(form, e); }
  } }, input('suggest_threshold', t('suggest_threshold'), { value: String(p.suggest_threshold), inputmode: 'decimal' }),
  input('auto_approve_score', t('auto_approve_score'), { value: p.auto_approve_score === null ? '' : String(p.auto_approve_score), inputmode: 'decimal' }),
  el('p', { class: 'muted', text: p.updated_by_name ? `${p.updated_by_name} · ${fmtDateTime(p.updated_at)}` : fmtDateTime(p.updated_at) }),
  el('button', { type: 'submit', text: t('save') }));
  show(el('h1', { text: t('policy') }), el('div', { class: 'card' }, form));
}
