// format.js: dates, times and money as the reader's language writes them, and money
// as people type it (500000, 500,000, 50万, 50.5万元, ¥500,000).  The one place the UI
// formats a number or a date for display; Intl does the work.
import { getLang } from './i18n.js';

function locale() { return getLang() === 'zh' ? 'zh-CN' : 'en-GB'; }

// An ISO 8601 time (or epoch ms) as a date, e.g. 2026年11月29日 / 29 Nov 2026; '' for nothing.
export function fmtDate(when) {
  if (when === null || when === undefined || when === '') return '';
  const d = new Date(when);
  return Number.isNaN(d.getTime()) ? String(when) : d.toLocaleDateString(locale(), { year: 'numeric', month: 'short', day: 'numeric' });
}

// The same with the time of day.
export function fmtDateTime(when) {
  if (when === null || when === undefined || when === '') return '';
  const d = new Date(when);
  return Number.isNaN(d.getTime()) ? String(when)
    : d.toLocaleString(locale(), { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

// How long ago (or ahead) when is from now (ms, default Date.now()): 3 分钟前 / 3 minutes ago.
export function fmtRelative(when, now = Date.now()) {
  const d = new Date(when).getTime();
  if (Number.isNaN(d)) return '';
  const s = Math.round((d - now) / 1000);
  const rtf = new Intl.RelativeTimeFormat(locale(), { numeric: 'auto' });
  const steps = [[60, 'second'], [60, 'minute'], [24, 'hour'], [30, 'day'], [12, 'month'], [Infinity, 'year']];
  let v = s;
  for (const [size, unit] of steps) {
    if (Math.abs(v) < size) return rtf.format(Math.round(v), unit);
    v /= size;
  }
  return rtf.format(Math.round(v), 'year');
}

// Yuan as the reader writes it: ¥500,000 in English, 50万元 (or 500元 below 1万) in Chinese; '' for nothing.
export function fmtMoney(yuan) {
  if (yuan === null || yuan === undefined || yuan === '') return '';
  const n = Number(yuan);
  if (!Number.isFinite(n)) return String(yuan);
  if (getLang() === 'zh') {
    if (Math.abs(n) >= 1e8) return `${trim(n / 1e8)}亿元`;
    if (Math.abs(n) >= 1e4) return `${trim(n / 1e4)}万元`;
    return `${n.toLocaleString('zh-CN')}元`;
  }
  return `¥${n.toLocaleString('en-GB', { maximumFractionDigits: 2 })}`;
}

function trim(x) { return Number(x.toFixed(2)).toLocaleString('zh-CN', { maximumFractionDigits: 2 }); }

// Typed money to yuan: '500000', '500,000', '50万', '50.5万元', '1.2亿', '¥500,000' → a number;
// '' → null; anything else (五十万, 12abc) → NaN, for the form to refuse with a message.
export function parseMoney(text) {
  const s = String(text ?? '').trim().replace(/[\s,，]/g, '').replace(/^[¥￥]/, '').replace(/元$/, '');
  if (s === '') return null;
  const m = /^(\d+(?:\.\d+)?)(万|亿)?$/.exec(s);
  if (!m) return NaN;
  const n = Number(m[1]) * (m[2] === '亿' ? 1e8 : m[2] === '万' ? 1e4 : 1);
  return Math.round(n * 100) / 100;
}

// A plain count in the reader's language (1,234).
export function fmtCount(n) { return Number(n).toLocaleString(locale()); }
