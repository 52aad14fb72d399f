// listing_form.js: the form that posts or edits a listing, with every member the API takes
// (docs/openapi.json DemandInput / AchievementInput): each field with its label, help text
// and its error beside it (the server's errors[].field lands in #f_<field>_err).  Money is
// typed as people write it (50万, 500000, 500,000; format.js parseMoney) and refused in the
// form when it is not a number (五十万); the closed lists come from /api/meta (vocab.js).
import { t, addWords } from './i18n.js';
import { el, api, showErrors, listOf, toast } from './ui.js';
import { vocab } from './vocab.js';
import { fmtMoney, parseMoney } from './format.js';
import { fieldPicker } from './fieldpicker.js';

addWords({
  lf_title_help: ['一句话说清楚，最多 200 字', 'One line, at most 200 characters'],
  lf_description_help: ['要解决的问题、技术指标、现有条件，最多 10000 字', 'The problem, the targets, what you have; at most 10,000 characters'],
  lf_abstract_help: ['成果是什么、性能指标、应用场景，最多 10000 字', 'What it is, how well it performs, where it applies; at most 10,000 characters'],
  lf_keywords: ['关键词', 'Keywords'],
  lf_keywords_help: ['用逗号分隔，最多 20 个，每个不超过 40 字', 'Separated by commas; up to 20, each at most 40 characters'],
  lf_fields_help: ['最多 8 个；输入代码或中英文名称搜索', 'Up to 8; search by code or by name in Chinese or English'],
  lf_region: ['地区', 'Region'],
  lf_region_help: ['省市，如 江苏省苏州市（按开头筛选）', 'Province and city, e.g. 江苏省苏州市 (lists filter by its beginning)'],
  lf_budget_min: ['最低预算', 'Budget from'], lf_budget_max: ['最高预算', 'Budget up to'],
  lf_money_help: ['单位元，可写 50万、500000 或 500,000；仅本机构和经纪人可见', 'In yuan: 50万, 500000 or 500,000; seen only by your organisation and brokers'],
  lf_price: ['转让价格', 'Asking price'],
  lf_price_help: ['单位元，可写 50万、500000 或 500,000；公开显示', 'In yuan: 50万, 500000 or 500,000; shown publicly'],
  lf_money_bad: ['请用数字填写金额，如 50万、500000 或 500,000（不能写成 五十万）',
    'Write the amount in digits, e.g. 50万, 500000 or 500,000 (not 五十万)'],
  lf_money_big: ['金额不能超过 1 万亿元', 'The amount may not exceed 1,000,000,000,000 yuan'],
  lf_money_is: ['将保存为 {0}', 'Saved as {0}'],
  lf_budget_order: ['最低预算不能高于最高预算', 'The lowest budget may not be above the highest'],
  lf_deadline: ['截止日期', 'Deadline'], lf_deadline_help: ['不早于今天', 'Today or later'],
  lf_coop: ['合作方式', 'Cooperation'], lf_coop_help: ['可多选', 'Choose any'],
  lf_transfer: ['转化方式', 'Transfer modes'],
  lf_trl: ['技术成熟度（TRL）', 'Readiness (TRL)'], lf_trl_help: ['1 原理 … 9 已规模应用', '1 principles … 9 proven in use'],
  lf_trl_none: ['未填写', 'Not given'],
  lf_ip_type: ['知识产权类型', 'IP type'], lf_ip_none: ['未填写', 'Not given'],
  lf_patent_no: ['专利号/登记号', 'Patent or registration number'], lf_patent_help: ['如 ZL202010123456.7，最多 64 字', 'E.g. ZL202010123456.7; at most 64 characters'],
  lf_contact: ['联系方式', 'Contact'], lf_contact_help: ['仅本机构和经纪人可见，最多 300 字', 'Seen only by your organisation and brokers; at most 300 characters'],
  lf_ref: ['内部编号', 'Your reference'], lf_ref_help: ['可选；批量导入按它更新同一条', 'Optional; an import updates the listing with the same reference'],
  lf_saved: ['已保存', 'Saved'], lf_cancel: ['取消', 'Cancel'],
  lf_fix: ['请修改标出的字段', 'Please correct the marked fields'],
  lm_transfer: ['转让', 'Transfer'], lm_license: ['许可', 'Licence'], lm_joint_development: ['合作开发', 'Joint development'],
  lm_equity: ['作价入股', 'Equity'], lm_service: ['技术服务', 'Technical service'],
  ip_invention_patent: ['发明专利', 'Invention patent'], ip_utility_model: ['实用新型', 'Utility model'],
  ip_software_copyright: ['软件著作权', 'Software copyright'], ip_know_how: ['技术秘密', 'Know-how'], ip_other: ['其他', 'Other'],
  trl_1: ['1 基本原理', '1 basic principles'], trl_2: ['2 技术概念', '2 concept formulated'], trl_3: ['3 概念验证', '3 proof of concept'],
  trl_4: ['4 实验室验证', '4 validated in the lab'], trl_5: ['5 相关环境验证', '5 validated in a relevant setting'],
  trl_6: ['6 相关环境演示', '6 demonstrated in a relevant setting'], trl_7: ['7 实际环境演示', '7 demonstrated in operation'],
  trl_8: ['8 系统完成', '8 system complete'], trl_9: ['9 已规模应用', '9 proven in use'],
});

const MONEY_MAX = 1e12; // LIM_MONEY_MAX in src/limits.h

// A mode's label (cooperation or transfer: the same codes).
export function modeName(code) { return t(`lm_${code}`); }
// An IP type's label.
export function ipName(code) { return t(`ip_${code}`); }
// A TRL's label ("7 实际环境演示").
export function trlName(n) { return t(`trl_${n}`); }

// One labelled field: control, help text (aria-describedby) and error slot, named f_<name>.
function box(name, label, control, help) {
  const id = `f_${name}`;
  control.id = id;
  control.name = name;
  control.setAttribute('aria-describedby', `${id}_help ${id}_err`);
  return el('div', { class: 'field' }, el('label', { for: id, text: label }), control,
    el('div', { class: 'help', id: `${id}_help`, text: help || '' }),
    el('div', { class: 'error', id: `${id}_err`, 'aria-live': 'polite' }));
}

// A text input (or textarea when multiline) with its value.
function text(name, label, value, help, multiline) {
  const c = multiline ? el('textarea', { rows: '6' }) : el('input', { type: 'text' });
  c.value = value ?? '';
  return box(name, label, c, help);
}

// A money input that says what it will store as the user types (or why it cannot).
function money(name, label, value, help) {
  const c = el('input', { type: 'text', inputmode: 'decimal', autocomplete: 'off' });
  c.value = value === null || value === undefined ? '' : String(value);
  const f = box(name, label, c, help);
  const helpEl = f.querySelector('.help');
  const say = () => {
    const v = parseMoney(c.value);
    helpEl.textContent = v === null ? help : Number.isNaN(v) ? help : t('lf_money_is', fmtMoney(v));
  };
  c.addEventListener('input', say);
  say();
  return f;
}

// A group of checkboxes over codes (a fieldset, so the group has its name), chosen ticked.
function checks(name, label, codes, chosen, help) {
  const id = `f_${name}`;
  return el('fieldset', { class: 'field checks', id, 'aria-describedby': `${id}_help ${id}_err` },
    el('legend', { text: label }),
    el('div', { class: 'row' }, codes.map((c) => el('label', { class: 'check' },
      el('input', { type: 'checkbox', name, value: c, checked: (chosen || []).includes(c) }), ` ${modeName(c)}`))),
    el('div', { class: 'help', id: `${id}_help`, text: help || '' }),
    el('div', { class: 'error', id: `${id}_err`, 'aria-live': 'polite' }));
}

// A select of [value, label] pairs with value chosen.
function choice(name, label, pairs, value, help) {
  const c = el('select', {}, pairs.map(([v, l]) => el('option', { value: v, text: l })));
  c.value = value === null || value === undefined ? '' : String(value);
  return box(name, label, c, help);
}

// Today as YYYY-MM-DD (UTC, as the server checks a deadline).
function today() { return new Date().toISOString().slice(0, 10); }

// The form for kind ("demands" | "achievements"): l is the listing to edit, or null to post one.
// onSaved(listing) runs after the server stored it.  The form's id is "create" or "edit".
export function listingForm(kind, l, { onSaved, onCancel } = {}) {
  const isDemand = kind === 'demands';
  const editing = Boolean(l);
  const v = l || {};
  const bodyName = isDemand ? 'description' : 'abstract';
  const picker = fieldPicker({ label: t('field'), chosen: v.fields || [], help: t('lf_fields_help') });
  const members = isDemand ? [
    el('div', { class: 'grid2' },
      money('budget_min', t('lf_budget_min'), v.budget_min, t('lf_money_help')),
      money('budget_max', t('lf_budget_max'), v.budget_max, t('lf_money_help'))),
    el('div', { class: 'grid2' },
      box('deadline', t('lf_deadline'), Object.assign(el('input', { type: 'date', min: today() }), { value: v.deadline || '' }), t('lf_deadline_help')),
      text('region', t('lf_region'), v.region, t('lf_region_help'))),
    checks('cooperation_modes', t('lf_coop'), vocab.transfer_modes, v.cooperation_modes, t('lf_coop_help')),
  ] : [
    el('div', { class: 'grid2' },
      money('price', t('lf_price'), v.price, t('lf_price_help')),
      choice('trl', t('lf_trl'), [['', t('lf_trl_none')], ...[1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => [String(n), trlName(n)])], v.trl, t('lf_trl_help'))),
    el('div', { class: 'grid2' },
      choice('ip_type', t('lf_ip_type'), [['', t('lf_ip_none')], ...vocab.ip_types.map((c) => [c, ipName(c)])], v.ip_type),
      text('patent_no', t('lf_patent_no'), v.patent_no, t('lf_patent_help'))),
    text('region', t('lf_region'), v.region, t('lf_region_help')),
    checks('transfer_modes', t('lf_transfer'), vocab.transfer_modes, v.transfer_modes, t('lf_coop_help')),
  ];
  const submit = el('button', { type: 'submit', text: editing ? t('save') : isDemand ? t('create_demand') : t('create_achievement') });
  const form = el('form', { novalidate: true, id: editing ? 'edit' : 'create', class: 'listing-form stack' },
    text('title', t('title'), v.title, t('lf_title_help')),
    text(bodyName, isDemand ? t('description') : t('abstract'), v[bodyName], isDemand ? t('lf_description_help') : t('lf_abstract_help'), true),
    text('keywords', t('lf_keywords'), (v.keywords || []).join(', '), t('lf_keywords_help')),
    picker, ...members,
    el('div', { class: 'grid2' },
      text('contact', t('lf_contact'), v.contact, t('lf_contact_help')),
      text('ref', t('lf_ref'), v.ref, t('lf_ref_help'))),
    el('div', { class: 'row' }, submit,
      onCancel ? el('button', { type: 'button', class: 'ghost', text: t('lf_cancel'), onclick: onCancel }) : null));

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const { body, errors } = collect(form, isDemand, bodyName, picker.codes);
    if (errors.length) {
      showErrors(form, { problem: { errors } });
      markInvalid(form);
      form.querySelector(`#f_${errors[0].field}`)?.focus();
      return;
    }
    if (!editing) for (const k of Object.keys(body)) if (body[k] === null) delete body[k];
    submit.disabled = true;
    try {
      const saved = await api(editing ? 'PATCH' : 'POST', editing ? `/api/${kind}/${l.id}` : `/api/${kind}`, body);
      showErrors(form, { problem: {} });
      markInvalid(form);
      toast(t('lf_saved'), 'ok');
      if (onSaved) onSaved(saved);
    } catch (e) {
      showErrors(form, e);
      markInvalid(form);
      const first = form.querySelector('.error:not(:empty)');
      if (first) document.getElementById(first.id.replace(/_err$/, ''))?.focus();
    } finally { submit.disabled = false; }
  });
  return form;
}

// Marks each control whose error slot has a message aria-invalid (and clears the others).
function markInvalid(form) {
  form.querySelectorAll('.error').forEach((slot) => {
    const control = document.getElementById(slot.id.replace(/_err$/, ''));
    if (control && control.tagName !== 'FIELDSET') control.setAttribute('aria-invalid', slot.textContent ? 'true' : 'false');
  });
}

// The form's values as the API's members (empty text and no choice are null, which clears a
// member on edit), and the errors the form itself finds ({field, message}, as the server's).
function collect(form, isDemand, bodyName, fields) {
  const val = (n) => form.elements[n].value.trim();
  const orNull = (s) => (s === '' ? null : s);
  const errors = [];
  const amount = (n) => {
    const x = parseMoney(val(n));
    if (Number.isNaN(x)) { errors.push({ field: n, message: t('lf_money_bad') }); return null; }
    if (x !== null && x > MONEY_MAX) { errors.push({ field: n, message: t('lf_money_big') }); return null; }
    return x === null ? null : Math.round(x);
  };
  const ticked = (n) => [...form.querySelectorAll(`input[name="${n}"]:checked`)].map((c) => c.value);
  const body = { title: val('title'), keywords: listOf(val('keywords')), fields, region: orNull(val('region')),
    contact: orNull(val('contact')), ref: orNull(val('ref')) };
  body[bodyName] = orNull(val(bodyName));
  if (isDemand) {
    body.budget_min = amount('budget_min');
    body.budget_max = amount('budget_max');
    if (body.budget_min !== null && body.budget_max !== null && body.budget_min > body.budget_max) {
      errors.push({ field: 'budget_min', message: t('lf_budget_order') });
    }
    body.deadline = orNull(val('deadline'));
    body.cooperation_modes = ticked('cooperation_modes');
  } else {
    body.price = amount('price');
    body.trl = val('trl') ? Number(val('trl')) : null;
    body.ip_type = orNull(val('ip_type'));
    body.patent_no = orNull(val('patent_no'));
    body.transfer_modes = ticked('transfer_modes');
  }
  return { body, errors };
}
