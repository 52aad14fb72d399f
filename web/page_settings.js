// page_settings.js: #/settings, an enterprise's push settings (channels, minimum
// score, real time or daily digest) and its webhook endpoints: add one (its
// signing secret is shown once), ping, delete, and each one's delivery log.
import { t } from './i18n.js';
import { el, api, show, loading, banner, empty, input, showErrors } from './ui.js';
import { session } from './session.js';
import { vocab } from './vocab.js';

export async function settingsPage() {
  if (!session.me) { show(banner('bad', t('need_login'))); return; }
  show(loading());
  const sub = await api('GET', '/api/subscription');
  const box = (name, label, on) => el('label', { class: 'muted' }, el('input', { type: 'checkbox', name, checked: on, style: null }), ` ${label}`);
  const form = el('form', { novalidate: true, onsubmit: async (ev) => {
    ev.preventDefault();
    const channels = ['inbox'];
    if (form.elements.stream.checked) channels.push('stream');
    if (form.elements.webhook.checked) channels.push('webhook');
    try {
      await api('PUT', '/api/subscription', { channels, min_score: Number(form.elements.min_score.value || 0),
        mode: form.elements.mode.value });
      form.prepend(banner('good', t('saved')));
    } catch (e) { showErrors(form, e); }
  } },
  el('fieldset', {}, el('legend', { text: t('channels') }), box('stream', t('ch_stream'), sub.channels.includes('stream')),
    box('webhook', t('ch_webhook'), sub.channels.includes('webhook'))),
  input('min_score', t('min_score'), { value: String(sub.min_score), inputmode: 'decimal' }),
  input('mode', t('mode'), { options: vocab.delivery_modes.map((m) => [m, t(m)]) }),
  el('button', { type: 'submit', text: t('save') }));
  form.elements.mode.value = sub.mode;
  const hooks = el('div', { id: 'webhooks' });
  const log = el('div', { id: 'delivery-log' });
  const refresh = async () => {
    const r = await api('GET', '/api/webhooks');
    hooks.replaceChildren(...(r.items.length ? r.items.map((w) => el('div', { class: 'card' },
      el('div', { class: 'row' }, el('strong', { text: w.url }), el('span', { class: 'muted', text: w.status }),
        w.disabled_reason ? el('span', { class: 'error', text: w.disabled_reason }) : null),
      el('div', { class: 'row' },
        el('button', { type: 'button', class: 'ghost', text: t('ping'), onclick: async () => { await api('POST', `/api/webhooks/${w.id}/ping`); showLog(w); } }),
        el('button', { type: 'button', class: 'ghost', text: t('deliveries'), onclick: () => showLog(w) }),
        el('button', { type: 'button', class: 'bad', text: t('remove'), onclick: async () => { await api('DELETE', `/api/webhooks/${w.id}`); refresh(); } }))))
      : [empty()]));
  };
  const showLog = async (w) => {
    const r = await api('GET', `/api/webhooks/${w.id}/deliveries?limit=20`);
    log.replaceChildren(el('h2', { text: `${t('deliveries')}: ${w.url}` }), el('table', {}, el('tbody', {},
      r.items.map((d) => el('tr', {}, el('td', { text: d.msg_id }), el('td', { text: d.state }),
        el('td', { text: d.tries.map((x) => (x.status_code ? String(x.status_code) : x.error || '-')).join(' · ') }),
        el('td', {}, d.state === 'failed' ? el('button', { type: 'button', class: 'ghost', text: t('resend'),
          onclick: async () => { await api('POST', `/api/webhooks/${w.id}/deliveries/${d.id}/resend`); showLog(w); } }) : null))))));
  };
  const add = el('form', { class: 'row', novalidate: true, onsubmit: async (ev) => {
    ev.preventDefault();
    try {
      const w = await api('POST', '/api/webhooks', { url: add.elements.url.value.trim() });
      add.replaceChildren(banner('good', t('secret_once')), el('code', { text: w.secret }));
      refresh();
    } catch (e) { showErrors(add, e); }
  } }, input('url', t('url'), { type: 'url', placeholder: 'https://' }), el('button', { type: 'submit', id: 'add-webhook', text: t('add_webhook') }));
  show(el('h1', { text: t('settings') }), el('div', { class: 'grid2' },
    el('section', { class: 'card' }, form),
    el('section', {}, el('div', { class: 'card' }, el('h2', { text: t('webhooks') }), add), hooks, log)));
  refresh().catch((e) => hooks.replaceChildren(banner('bad', e.message)));
}
