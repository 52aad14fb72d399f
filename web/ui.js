// ui.js: the helpers every page shares.  The DOM is built with el() and all user
// text is set as text (never as HTML); api() speaks to the server with the CSRF
// header and throws a Problem on an error reply; forms show errors beside their
// fields; the taxonomy (fields) is loaded once and named in the current language.
import { t, getLang } from './i18n.js';

// ---------- DOM ----------

// A new element: attrs "on<event>" become listeners, "text" the text content, false,
// null and undefined are left out, true becomes an empty attribute.
export function el(tag, attrs = {}, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const kid of kids.flat()) if (kid !== null && kid !== undefined) e.append(kid);
  return e;
}

// Replaces the page's main content with nodes.
export function show(...nodes) {
  const main = document.getElementById('main');
  main.replaceChildren(...nodes);
  main.focus({ preventScroll: true });
}

export function loading() { return el('div', { class: 'loading', role: 'status', text: t('loading') }); }
export function banner(kind, text) { return el('div', { class: `banner ${kind}`, role: kind === 'bad' ? 'alert' : 'status', text }); }
export function empty(key = 'empty') { return el('div', { class: 'empty', text: t(key) }); }

// ---------- the API ----------

// An error reply (application/problem+json): .problem holds its members.
export class Problem extends Error {
  constructor(p) { super(p.detail || p.title || 'error'); this.problem = p; }
}

// Sends a request with the CSRF header; body is sent as JSON, or raw = {type, body} as is.
// Returns the parsed reply (null when empty); throws a Problem when the status is not 2xx.
export async function api(method, path, body, raw) {
  const headers = { 'X-Techmatch': '1' };
  let payload;
  if (raw) { headers['Content-Type'] = raw.type; payload = raw.body; }
  else if (body !== undefined) { headers['Content-Type'] = 'application/json'; payload = JSON.stringify(body); }
  const r = await fetch(path, { method, headers, body: payload, credentials: 'same-origin' });
  const text = await r.text();
  const data = text ? JSON.parse(text) : null;
  if (!r.ok) throw new Problem(data || { status: r.status });
  return data;
}

// ---------- forms ----------

// A form field with its label and the place for its error message.
export function input(name, label, attrs = {}) {
  const id = `f_${name}`;
  const control = attrs.multiline ? el('textarea', { id, name, ...attrs, multiline: null })
    : attrs.options ? el('select', { id, name }, attrs.options.map(([v, l]) => el('option', { value: v, text: l })))
      : el('input', { id, name, type: 'text', ...attrs });
  return el('div', { class: 'field' }, el('label', { for: id, text: label }), control,
    el('div', { class: 'error', id: `${id}_err`, 'aria-live': 'polite' }));
}

// Shows a problem's errors beside their fields, or as a banner.
export function showErrors(form, err) {
  form.querySelectorAll('.error').forEach((e) => { e.textContent = ''; });
  form.querySelectorAll('.banner').forEach((e) => e.remove());
  const p = err.problem || {};
  let placed = false;
  for (const e of p.errors || []) {
    const name = (e.field || '').replace(/\[.*$/, '');
    const slot = form.querySelector(`#f_${CSS.escape(name)}_err`);
    if (slot) { slot.textContent = e.message; placed = true; }
  }
  const message = p.detail || err.message;
  if (!placed && message) form.prepend(banner('bad', message));
}

// The items of a comma- or semicolon-separated list (ASCII or full-width), trimmed.
export function listOf(text) { return text.split(/[,，;；]/).map((s) => s.trim()).filter(Boolean); }

// ---------- formatting ----------

// A share (0..1) as a whole percentage.
export function pct(x) { return `${Math.round(x * 100)}%`; }

// Marks each occurrence of the phrases in text, as text nodes and <mark>s (never HTML).
export function highlighted(text, phrases) {
  const out = el('div', { class: 'text' });
  const list = phrases.filter((p) => p && p.length > 1).sort((a, b) => b.length - a.length);
  let rest = text || '';
  while (rest.length) {
    let best = -1, hit = '';
    for (const p of list) {
      const i = rest.toLowerCase().indexOf(p.toLowerCase());
      if (i >= 0 && (best < 0 || i < best)) { best = i; hit = rest.substr(i, p.length); }
    }
    if (best < 0) { out.append(rest); break; }
    out.append(rest.slice(0, best), el('mark', { text: hit }));
    rest = rest.slice(best + hit.length);
  }
  return out;
}

// ---------- the taxonomy ----------

let fields = [];        // the taxonomy, flat: {code, name_zh, name_en, level}

// Loads the taxonomy once at start-up; without it, codes are shown as they are.
export async function loadFields() {
  const flatten = (nodes) => nodes.flatMap((n) => [n, ...flatten(n.children || [])]);
  try {
    const tree = await api('GET', '/api/fields');
    fields = flatten(tree.fields || []);
  } catch (e) { /* codes stay unnamed */ }
}

// The taxonomy's entries up to a level (1 sections, 2 divisions, ...).
export function fieldsUpTo(level) { return fields.filter((f) => f.level <= level); }

// A field code with its name in the current language ("B06 ..."), or the bare code.
export function fieldName(code) {
  const f = fields.find((x) => x.code === code);
  return f ? `${code} ${getLang() === 'zh' ? f.name_zh : f.name_en}` : code;
}

// The taxonomy as a picker: divisions grouped under their sections, several may be chosen.
export function fieldPicker() {
  const sections = fields.filter((f) => f.level === 1);
  const select = el('select', { id: 'f_fields', name: 'fields', multiple: true, size: '6' },
    sections.map((sec) => el('optgroup', { label: fieldName(sec.code) },
      fields.filter((f) => f.level === 2 && f.code.startsWith(sec.code)).map((f) => el('option', { value: f.code, text: fieldName(f.code) })))));
  return el('div', { class: 'field' }, el('label', { for: 'f_fields', text: t('field') }), select,
    el('div', { class: 'error', id: 'f_fields_err', 'aria-live': 'polite' }));
}

// stand-in until the design system lands: toast(text, kind) and confirmAction(text, { danger, confirmLabel }).
export function toast(text, kind = 'ok') {
  const box = document.getElementById('toasts') || document.body.appendChild(el('div', { id: 'toasts', class: 'toasts', role: 'status' }));
  const item = el('div', { class: `toast ${kind}`, text });
  box.append(item);
  setTimeout(() => item.remove(), 5000);
  return item;
}
export function confirmAction(text, { danger = false, confirmLabel = 'OK' } = {}) {
  return new Promise((resolve) => {
    const back = document.activeElement;
    const done = (yes) => { dlg.remove(); if (back && back.focus) back.focus(); resolve(yes); };
    const yes = el('button', { type: 'button', class: danger ? 'danger' : null, text: confirmLabel, onclick: () => done(true) });
    const dlg = el('div', { class: 'confirm', role: 'alertdialog', 'aria-modal': 'true', 'aria-label': text },
      el('div', { class: 'card' }, el('p', { text }), el('div', { class: 'row' },
        el('button', { type: 'button', class: 'ghost', text: getLang() === 'zh' ? '取消' : 'Cancel', onclick: () => done(false) }), yes)));
    dlg.addEventListener('keydown', (ev) => { if (ev.key === 'Escape') done(false); });
    document.body.append(dlg);
    yes.focus();
  });
}
