// ui.js: the helpers every page shares.  The DOM is built with el() and all user
// text is set as text (never as HTML); api() speaks to the server with the CSRF
// header and throws a Problem on an error reply; forms show errors beside their
// fields; the taxonomy (fields) is loaded once and named in the current language.
import { t, getLang, addWords } from './i18n.js';

addWords({
  ui_notices: ['通知', 'Notifications'], ui_dismiss: ['关闭提示', 'Dismiss'], ui_cancel: ['取消', 'Cancel'],
  ui_ok: ['确定', 'OK'], ui_confirm_title: ['请确认', 'Please confirm'],
});

// ---------- DOM ----------

// A new element: attrs "on<event>" become listeners, "text" the text content, false,
// null and undefined are left out, true becomes an empty attribute; kids may be nested arrays.
export function el(tag, attrs = {}, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const kid of kids.flat(Infinity)) if (kid !== null && kid !== undefined) e.append(kid);
  return e;
}

// Replaces the page's main content with nodes.
export function show(...nodes) {
  const main = document.getElementById('main');
  main.replaceChildren(...nodes);
  main.focus({ preventScroll: true });
}

// The page part of the location hash ("#/matches/12" of "#/matches/12?x=1"; "#/" when empty).  A page that
// draws after waiting for the server first checks it is still the page shown: the user may have moved on.
export function pagePath() {
  const p = (location.hash || '#/').split('?')[0];
  return p === '#' ? '#/' : p;
}

// A placeholder while a page loads: grey lines (a skeleton) that screen readers hear as "loading".
export function loading() { return skeleton(4); }

// A skeleton of lines grey bars, shown where content is loading; announced as "loading" once.
export function skeleton(lines = 3) {
  const box = el('div', { class: 'skeleton', role: 'status', 'aria-busy': 'true' }, el('span', { class: 'sr-only', text: t('loading') }));
  for (let i = 0; i < lines; i++) box.append(el('div', { class: 'sk-line', 'aria-hidden': 'true' }));
  return box;
}

// A message block (kind 'good'/'ok' or 'bad'); an error is an alert, anything else a status.
export function banner(kind, text) { return el('div', { class: `banner ${kind}`, role: kind === 'bad' ? 'alert' : 'status', text }); }

// An empty state: the sentence of key, then what to do next (links or buttons in next), if any.
export function empty(key = 'empty', ...next) {
  const nodes = next.flat().filter(Boolean);
  return el('div', { class: 'empty' }, el('p', { text: t(key) }),
    nodes.length ? el('div', { class: 'row center' }, nodes) : null);
}

// ---------- toasts ----------

const TOAST_MAX = 3;          // toasts on screen at once; an older one leaves for a newer
const TOAST_MS = { ok: 4000, bad: 7000 };

// The toast region: one polite live region for the page, made when this module loads so that screen readers
// know it before the first toast (a failure's toast is an alert of its own).
function toastRegion() {
  let box = document.getElementById('toasts');
  if (!box) {
    box = el('div', { id: 'toasts', class: 'toasts', role: 'region', 'aria-live': 'polite' });
    document.body.append(box);
  }
  box.setAttribute('aria-label', t('ui_notices'));
  return box;
}
if (document.body) toastRegion();

// Removes a toast (with a short fade unless reduced motion is asked for).
function dismissToast(node) {
  if (!node.isConnected || node.classList.contains('leaving')) return;
  node.classList.add('leaving');
  setTimeout(() => node.remove(), 200);
}

// Shows text as a toast (kind 'ok' or 'bad') that leaves by itself; the same text again replaces the
// one shown, and at most TOAST_MAX stay; returns the toast's element.
export function toast(text, kind = 'ok') {
  const k = kind === 'bad' ? 'bad' : 'ok';
  const box = toastRegion();
  for (const old of box.querySelectorAll('.toast')) if (old.dataset.text === text) old.remove();
  const node = el('div', { class: `toast ${k}`, role: k === 'bad' ? 'alert' : null, 'data-text': text },
    el('span', { class: 'toast-icon', 'aria-hidden': 'true', text: k === 'bad' ? '!' : '✓' }),
    el('span', { class: 'toast-text', text }),
    el('button', { type: 'button', 'aria-label': t('ui_dismiss'), text: '×', onclick: () => dismissToast(node) }));
  box.append(node);
  const shown = [...box.querySelectorAll('.toast:not(.leaving)')];
  shown.slice(0, Math.max(0, shown.length - TOAST_MAX)).forEach((n) => n.remove());
  setTimeout(() => dismissToast(node), TOAST_MS[k]);
  return node;
}

// ---------- the confirmation dialog ----------

// Asks the user to confirm text in a modal dialog of the page (never window.confirm): focus stays in the
// dialog, Escape or the backdrop cancels, Enter on a button chooses it.  danger styles the confirm button
// as destructive; confirmLabel names it (default "OK").  Resolves true when confirmed, false otherwise;
// focus goes back where it was.
export function confirmAction(text, { danger = false, confirmLabel = '', title = '' } = {}) {
  return new Promise((resolve) => {
    const before = document.activeElement;
    const titleId = 'dlg_title', textId = 'dlg_text';
    const cancel = el('button', { type: 'button', class: 'ghost', text: t('ui_cancel') });
    const yes = el('button', { type: 'button', class: danger ? 'danger' : null, text: confirmLabel || t('ui_ok') });
    const dialog = el('div', { class: 'dialog', role: 'alertdialog', 'aria-modal': 'true', 'aria-labelledby': titleId,
      'aria-describedby': textId },
    el('h2', { id: titleId, text: title || t('ui_confirm_title') }), el('p', { id: textId, text }),
    el('div', { class: 'actions' }, cancel, yes));
    const backdrop = el('div', { class: 'dialog-backdrop' }, dialog);
    // Everything behind the dialog is inert while it is open: no click, no focus, not read out.
    const behind = [...document.body.children].filter((e) => e !== backdrop && !e.inert);
    const finish = (answer) => {
      behind.forEach((e) => { e.inert = false; });
      backdrop.remove();
      document.body.classList.remove('has-dialog');
      document.removeEventListener('keydown', onKey, true);
      if (before && before.focus && before.isConnected) before.focus();
      resolve(answer);
    };
    // Escape cancels; Tab cycles between the dialog's two buttons and never leaves it; other keys stay in it.
    function onKey(ev) {
      if (ev.key === 'Escape') { ev.preventDefault(); ev.stopPropagation(); finish(false); return; }
      if (ev.key === 'Tab') {
        ev.preventDefault();
        (document.activeElement === yes ? cancel : yes).focus();
        return;
      }
      // No page shortcut (the review queue's a and r) may act behind the dialog; Enter and Space still press its buttons.
      ev.stopPropagation();
      if (!dialog.contains(ev.target)) ev.preventDefault();
    }
    cancel.addEventListener('click', () => finish(false));
    yes.addEventListener('click', () => finish(true));
    backdrop.addEventListener('mousedown', (ev) => { if (ev.target === backdrop) finish(false); });
    document.addEventListener('keydown', onKey, true);
    document.body.classList.add('has-dialog');
    document.body.append(backdrop);
    behind.forEach((e) => { e.inert = true; });
    (danger ? cancel : yes).focus();
  });
}

// ---------- the API ----------

// An error reply (application/problem+json): .problem holds its members.
export class Problem extends Error {
  constructor(p) { super(p.detail || p.title || 'error'); this.problem = p; }
}

// Sends a request with the CSRF header; body is sent as JSON, or raw = {type, body} as is.
// Returns the parsed reply (null when empty); throws a Problem when the status is not 2xx.
export async function api(method, path, body, raw) {
  const headers = { 'X-Techmatch': '1', 'Accept-Language': getLang() === 'zh' ? 'zh-CN' : 'en' }; // server's texts too
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

// A form field with its label, its help line (attrs.help, optional) and the place for its error message.
export function input(name, label, attrs = {}) {
  const id = `f_${name}`;
  const control = attrs.multiline ? el('textarea', { id, name, ...attrs, multiline: null })
    : attrs.options ? el('select', { id, name }, attrs.options.map(([v, l]) => el('option', { value: v, text: l })))
      : el('input', { id, name, type: 'text', ...attrs });
  control.setAttribute('aria-describedby', attrs.help ? `${id}_help ${id}_err` : `${id}_err`);
  if (attrs.help) control.removeAttribute('help');
  return el('div', { class: 'field' }, el('label', { for: id, text: label }), control,
    attrs.help ? el('div', { class: 'help', id: `${id}_help`, text: attrs.help }) : null,
    el('div', { class: 'error', id: `${id}_err`, 'aria-live': 'polite' }));
}

// Shows a problem's errors beside their fields, or as a banner.
export function showErrors(form, err) {
  form.querySelectorAll('.error').forEach((e) => { e.textContent = ''; });
  form.querySelectorAll('[aria-invalid]').forEach((e) => e.removeAttribute('aria-invalid'));
  form.querySelectorAll('.banner').forEach((e) => e.remove());
  const p = err.problem || {};
  let placed = false;
  for (const e of p.errors || []) {
    const name = (e.field || '').replace(/\[.*$/, '');
    const slot = form.querySelector(`#f_${CSS.escape(name)}_err`);
    if (slot) {
      slot.textContent = e.message;
      placed = true;
      const control = form.querySelector(`#f_${CSS.escape(name)}`);
      if (control) control.setAttribute('aria-invalid', 'true');
    }
  }
  const message = p.detail || err.message;
  if (!placed && message) form.prepend(banner('bad', message));
}

// The items of a comma- or semicolon-separated list (ASCII or full-width), trimmed.
export function listOf(text) { return text.split(/[,，;；]/).map((s) => s.trim()).filter(Boolean); }

// ---------- formatting ----------

// A share (0..1) as a whole percentage.
export function pct(x) { return `${Math.round(x * 100)}%`; }

const WORD = /[A-Za-z0-9]/;

// Where phrase first occurs in text (low: text in lower case) as whole words: a Latin word is marked from its
// start to its end, so "control" marks all of "controller" (the stemmer's match) and never half of a word.
// Returns [start, end] or null.
function wordHit(text, low, phrase) {
  const q = phrase.toLowerCase();
  for (let i = low.indexOf(q); i >= 0; i = low.indexOf(q, i + 1)) {
    if (WORD.test(q[0]) && i > 0 && WORD.test(text[i - 1])) continue;
    let end = i + q.length;
    if (WORD.test(q[q.length - 1])) while (end < text.length && WORD.test(text[end])) end += 1;
    return [i, end];
  }
  return null;
}

// Marks each occurrence of the phrases in text, as text nodes and <mark>s (never HTML).
export function highlighted(text, phrases) {
  const out = el('div', { class: 'text' });
  const list = phrases.filter((p) => p && p.length > 1).sort((a, b) => b.length - a.length);
  let rest = text || '';
  while (rest.length) {
    const low = rest.toLowerCase();
    let best = null;
    for (const p of list) {
      const hit = wordHit(rest, low, p);
      if (hit && (!best || hit[0] < best[0])) best = hit;
    }
    if (!best) { out.append(rest); break; }
    out.append(rest.slice(0, best[0]), el('mark', { text: rest.slice(best[0], best[1]) }));
    rest = rest.slice(best[1]);
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
