// match_actions.js: what the broker's pages (review queue, match page, pipeline)
// share: a reason picker that must be chosen (no default) and asks for a text with
// "other", the two sides of a match in brief (organisation, region, TRL, budget,
// price as the caller may see them), status pills, and filters kept in the URL hash.
import { t, addWords, getLang } from './i18n.js';
import { el, fieldName } from './ui.js';
import { fmtMoney, fmtDate } from './format.js';
import { vocab } from './vocab.js';

addWords({
  mx_choose_reason: ['请选择原因…', 'Choose a reason…'],
  mx_reason_needed: ['请选择原因', 'Choose a reason'],
  mx_other_text: ['请说明原因', 'Say why'],
  mx_other_needed: ['选择“其他”时必须填写说明', 'With "Other", say why'],
  mx_org: ['机构', 'Organisation'], mx_region: ['地区', 'Region'], mx_fields: ['领域', 'Fields'],
  mx_trl: ['成熟度', 'Readiness'], mx_budget: ['预算', 'Budget'], mx_price: ['转让价格', 'Asking price'],
  mx_deadline: ['截止日期', 'Deadline'], mx_contact: ['联系方式', 'Contact'], mx_ip: ['知识产权', 'IP'],
  mx_modes: ['合作方式', 'Modes'], mx_unknown: ['未填写', 'not given'], mx_hidden: ['引荐后可见', 'shown after introduction'],
  mx_filters: ['筛选', 'Filters'], mx_active: ['（已启用 {0} 项）', ' ({0} on)'],
  mx_demand: ['需求方', 'Demand'], mx_achievement: ['成果方', 'Achievement'],
  mx_mode_transfer: ['转让', 'Transfer'], mx_mode_license: ['许可', 'Licence'], mx_mode_joint_development: ['合作开发', 'Joint development'],
  mx_mode_equity: ['作价入股', 'Equity'], mx_mode_service: ['技术服务', 'Technical service'],
  mx_ip_invention_patent: ['发明专利', 'Invention patent'], mx_ip_utility_model: ['实用新型', 'Utility model'],
  mx_ip_software_copyright: ['软件著作权', 'Software copyright'], mx_ip_know_how: ['技术秘密', 'Know-how'], mx_ip_other: ['其他', 'Other'],
});

let seq = 0;

// A list of words as the language writes one (、 in Chinese, a comma in English).
function joinList(items) { return items.join(getLang() === 'zh' ? '、' : ', '); }

// A transfer mode's words in the current language (the code when unknown).
export function modeName(code) { const w = t(`mx_mode_${code}`); return w.startsWith('mx_') ? code : w; }

// A match status as a pill (.pill.state-<code>), labelled in the current language.
export function statusPill(status) { return el('span', { class: `pill state-${status}`, text: t(`s_${status}`) }); }

// A reason picker: a select with no reason chosen, and a text box that appears (and is required) with "other".
// Returns { node, read(), clear() }: read() gives { reason, text? } or null after showing what is missing beside it.
export function reasonField(label, codes = vocab.reasons) {
  const id = `reason_${++seq}`;
  const select = el('select', { id, 'aria-describedby': `${id}_err` },
    el('option', { value: '', text: t('mx_choose_reason') }),
    codes.map((r) => el('option', { value: r, text: t(`r_${r}`) })));
  const text = el('textarea', { id: `${id}_text`, rows: '2', maxlength: '1000', 'aria-label': t('mx_other_text'),
    placeholder: t('mx_other_text'), class: 'reason-text', hidden: true });
  const error = el('div', { class: 'error', id: `${id}_err`, 'aria-live': 'polite' });
  select.addEventListener('change', () => {
    text.hidden = select.value !== 'other';
    text.required = !text.hidden;
    error.textContent = '';
  });
  const node = el('div', { class: 'field reason-field' }, el('label', { for: id, text: label }), select, text, error);
  const read = () => {
    error.textContent = '';
    if (!select.value) { error.textContent = t('mx_reason_needed'); select.focus(); return null; }
    const body = { reason: select.value };
    if (select.value === 'other') {
      const said = text.value.trim();
      if (!said) { error.textContent = t('mx_other_needed'); text.focus(); return null; }
      body.text = said;
    }
    return body;
  };
  const clear = () => { select.value = ''; text.value = ''; text.hidden = true; error.textContent = ''; };
  return { node, read, clear, select };
}

// One labelled value of a dl.kv, or nothing when value is empty.
function pair(label, value) {
  if (value === null || value === undefined || value === '') return [];
  return [el('dt', { text: label }), el('dd', {}, value)];
}

// A budget range in yuan as text ("50万元 – 300万元"), or ''.
function range(lo, hi) {
  if (lo == null && hi == null) return '';
  if (lo != null && hi != null) return `${fmtMoney(lo)} – ${fmtMoney(hi)}`;
  return lo != null ? `≥ ${fmtMoney(lo)}` : `≤ ${fmtMoney(hi)}`;
}

// One side of a match (kind 'demands' or 'achievements', listing l as the caller may see it) in brief.
export function sideView(kind, l, { contact = false } = {}) {
  const isDemand = kind === 'demands';
  const org = l.org && l.org.name ? l.org.name : null;
  const rows = [
    ...pair(t('mx_org'), org || (l.org === undefined ? t('mx_hidden') : '')),
    ...pair(t('mx_region'), l.region || ''),
    ...pair(t('mx_fields'), joinList((l.fields || []).map(fieldName))),
  ];
  if (isDemand) {
    rows.push(...pair(t('mx_budget'), range(l.budget_min, l.budget_max)), ...pair(t('mx_deadline'), fmtDate(l.deadline)),
      ...pair(t('mx_modes'), joinList((l.cooperation_modes || []).map(modeName))));
  } else {
    rows.push(...pair(t('mx_trl'), l.trl ? `TRL ${l.trl}` : ''), ...pair(t('mx_price'), l.price != null ? fmtMoney(l.price) : ''),
      ...pair(t('mx_ip'), l.ip_type ? t(`mx_ip_${l.ip_type}`) : ''), ...pair(t('mx_modes'), joinList((l.transfer_modes || []).map(modeName))));
  }
  if (contact && l.contact) rows.push(...pair(t('mx_contact'), l.contact));
  return el('section', { class: `card side side-${kind}`, 'aria-label': t(isDemand ? 'mx_demand' : 'mx_achievement') },
    el('div', { class: 'side-kind muted', text: t(isDemand ? 'mx_demand' : 'mx_achievement') }),
    el('h3', {}, el('a', { href: `#/${kind}/${l.id}`, text: l.title || `#${l.id}` })),
    el('dl', { class: 'kv' }, rows));
}

// The query of the location hash (#/page?a=1&b=2) as URLSearchParams.
export function hashQuery() { return new URLSearchParams((location.hash.split('?')[1]) || ''); }

// Sets #/page?filters (empty values left out); the hashchange draws the page again.
export function setHashQuery(page, filters) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) if (v !== '' && v !== null && v !== undefined) q.set(k, v);
  const s = q.toString();
  location.hash = s ? `#/${page}?${s}` : `#/${page}`;
}

// A labelled select for a filter: options [[value, label]], value chosen.
export function filterSelect(id, label, options, value) {
  return el('div', { class: 'field' }, el('label', { for: id, text: label }),
    el('select', { id, name: id }, options.map(([v, l]) => el('option', { value: v, text: l, selected: v === value }))));
}

// A labelled text input for a filter.
export function filterInput(id, label, value, attrs = {}) {
  return el('div', { class: 'field' }, el('label', { for: id, text: label }), el('input', { id, name: id, value, ...attrs }),
    el('div', { class: 'error', id: `${id}_err`, 'aria-live': 'polite' }));
}

// The filter form in a disclosure: open on wide screens, folded on phones, its summary counting the filters on.
export function filterBox(form, active) {
  return el('details', { class: 'filters card', open: window.matchMedia('(min-width: 641px)').matches || null },
    el('summary', { text: `${t('mx_filters')}${active ? t('mx_active', active) : ''}` }), form);
}
