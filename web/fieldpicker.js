// fieldpicker.js: the field taxonomy as a searchable combobox (WAI-ARIA combobox with a
// listbox popup): type a code or a name in Chinese or English, pick with the mouse or the
// keyboard (arrows, Enter, Escape), and the chosen fields show as chips that remove with
// their × button (or Backspace in an empty box).  One control for every page that picks
// fields: a listing's form (up to 8) and a list's filter (one).
import { t, getLang, addWords } from './i18n.js';
import { el, fieldsUpTo, fieldName } from './ui.js';

addWords({
  fp_placeholder: ['代码或名称，如 B06、采矿', 'Code or name, e.g. B06, mining'],
  fp_none: ['没有匹配的领域', 'No field matches'],
  fp_remove: ['移除 {0}', 'Remove {0}'],
  fp_full: ['最多选择 {0} 个领域', 'At most {0} fields'],
  fp_chosen: ['已选领域', 'Chosen fields'],
  fp_count: ['{0} 个结果', '{0} results'],
  fp_other: ['换一个领域', 'Another field'],
});

let serial = 0;

// The taxonomy entries whose code or name (either language) contains every word of text.
function fieldMatches(text) {
  const words = text.toLowerCase().split(/\s+/).filter(Boolean);
  return fieldsUpTo(9).filter((f) => {
    const hay = `${f.code} ${f.name_zh || ''} ${f.name_en || ''}`.toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}

// A picker: { name, label, chosen (codes), max (1 for a filter), help, onchange(codes) }.  The
// returned .field element has .codes (the chosen codes, in order) and .setCodes(list); its
// error slot is #f_<name>_err, so a form's showErrors() finds it.
export function fieldPicker({ name = 'fields', label = t('field'), chosen = [], max = 8, help = '', onchange } = {}) {
  const id = `f_${name}`;
  const listId = `${id}_list_${++serial}`;
  let codes = [...chosen];
  let active = -1;
  let shown = [];
  const chips = el('ul', { class: 'fp-chips', 'aria-label': t('fp_chosen') });
  const box = el('input', { id, type: 'text', role: 'combobox', autocomplete: 'off', 'aria-autocomplete': 'list',
    'aria-expanded': 'false', 'aria-controls': listId, placeholder: max === 1 ? t('any_field') : t('fp_placeholder'),
    'aria-describedby': help ? `${id}_help` : null });
  const list = el('ul', { id: listId, role: 'listbox', class: 'fp-list', hidden: true, 'aria-label': label });
  const status = el('div', { class: 'visually-hidden', 'aria-live': 'polite' });
  const err = el('div', { class: 'error', id: `${id}_err`, 'aria-live': 'polite' });
  const wrap = el('div', { class: 'field fieldpicker' }, el('label', { for: id, text: label }), chips,
    el('div', { class: 'fp-box' }, box, list), status,
    help ? el('div', { class: 'help', id: `${id}_help`, text: help }) : null, err);

  // Redraws the chips from codes.
  const drawChips = () => {
    chips.replaceChildren(...codes.map((c) => el('li', { class: 'chip', title: fieldName(c) }, el('span', { text: fieldName(c) }),
      el('button', { type: 'button', class: 'chip-x', 'aria-label': t('fp_remove', fieldName(c)), text: '×',
        onclick: () => { remove(c); box.focus(); } }))));
    chips.hidden = codes.length === 0;
    if (max === 1) box.placeholder = codes.length ? t('fp_other') : t('any_field');
  };
  // Tells the page the choice changed.
  const changed = () => { drawChips(); if (onchange) onchange([...codes]); };
  // Drops code c from the choice.
  const remove = (c) => { codes = codes.filter((x) => x !== c); err.textContent = ''; changed(); };
  // Adds code c (a filter's single choice replaces the last one).
  const pick = (c) => {
    if (codes.includes(c)) remove(c);
    else if (max === 1) { codes = [c]; changed(); }
    else if (codes.length >= max) { err.textContent = t('fp_full', max); return; }
    else { codes.push(c); err.textContent = ''; changed(); }
    box.value = '';
    close();
  };
  // Marks option i as the active one (aria-activedescendant) and scrolls it into view.
  const setActive = (i) => {
    active = i;
    [...list.children].forEach((li, k) => li.setAttribute('aria-selected', k === i ? 'true' : 'false'));
    const li = list.children[i];
    if (li && li.id) { box.setAttribute('aria-activedescendant', li.id); li.scrollIntoView({ block: 'nearest' }); }
    else box.removeAttribute('aria-activedescendant');
  };
  // Opens the popup with the entries matching what is typed.
  const open = () => {
    shown = fieldMatches(box.value.trim()); // the whole taxonomy is about 120 entries: all of them fit
    list.replaceChildren(...(shown.length ? shown.map((f, i) => el('li', { id: `${listId}_${i}`, role: 'option',
      class: `fp-opt level${f.level}`, 'aria-selected': 'false', 'data-code': f.code,
      onmousedown: (ev) => { ev.preventDefault(); pick(f.code); } },
    el('span', { class: 'fp-code', text: f.code }), el('span', { text: getLang() === 'zh' ? f.name_zh : f.name_en }),
    codes.includes(f.code) ? el('span', { class: 'fp-tick', text: '✓' }) : null)) : [el('li', { class: 'fp-none', role: 'option', 'aria-disabled': 'true', text: t('fp_none') })]));
    list.hidden = false;
    box.setAttribute('aria-expanded', 'true');
    status.textContent = t('fp_count', shown.length);
    setActive(shown.length && box.value.trim() ? 0 : -1);
  };
  // Closes the popup.
  const close = () => { list.hidden = true; box.setAttribute('aria-expanded', 'false'); box.removeAttribute('aria-activedescendant'); active = -1; };

  box.addEventListener('input', open);
  box.addEventListener('focus', open);
  box.addEventListener('blur', close);
  box.addEventListener('keydown', (ev) => {
    if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
      ev.preventDefault();
      if (list.hidden) open();
      const n = shown.length;
      if (n) setActive(ev.key === 'ArrowDown' ? (active + 1) % n : (active - 1 + n) % n);
    } else if (ev.key === 'Enter') {
      if (!list.hidden && active >= 0 && shown[active]) { ev.preventDefault(); pick(shown[active].code); }
    } else if (ev.key === 'Escape') {
      if (!list.hidden) { ev.preventDefault(); close(); }
    } else if (ev.key === 'Backspace' && box.value === '' && codes.length) {
      remove(codes[codes.length - 1]);
    }
  });
  drawChips();
  Object.defineProperty(wrap, 'codes', { get: () => [...codes] });
  wrap.setCodes = (list2) => { codes = [...list2]; drawChips(); };
  return wrap;
}
