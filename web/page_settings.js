// page_settings.js: #/settings, an enterprise's push settings (channels, minimum
// score, real time or daily digest) and its webhook endpoints: add one (its
// signing secret is shown once), ping, delete (after a confirmation), and each
// one's delivery log with its dates formatted.  Each control has a label and help
// text, errors show beside their fields, and success is a toast.
import { t, addWords } from './i18n.js';
import { el, api, show, pagePath, loading, banner, input, showErrors, toast, confirmAction, skeleton } from './ui.js';
import { session } from './session.js';
import { vocab } from './vocab.js';
import { fmtDateTime, fmtDate } from './format.js';

addWords({
  set_sub: ['决定经纪人审核通过的匹配如何送达您：站内推送始终开启，另可选择实时推送和 Webhook。',
    'How the matches a broker approves reach you: the inbox is always on; live updates and webhooks are up to you.'],
  set_push: ['接收设置', 'What reaches you'],
  set_inbox: ['站内推送', 'Inbox'], set_inbox_help: ['始终开启：每条推送都保存在“推送”页面。', 'Always on: every match pushed to you stays in your inbox.'],
  set_stream_help: ['打开本网站时，新的匹配即时出现，无需刷新。', 'New matches appear at once while this site is open, without a reload.'],
  set_webhook_help: ['把每条推送发到您系统的 Webhook 端点（在右侧添加）。', 'Sends each push to your own system\'s webhook endpoints (add them on this page).'],
  set_min_help: ['0 到 1 之间，如 0.6：匹配度低于它的匹配不推送给您；0 表示全部推送。', 'Between 0 and 1, e.g. 0.6: matches scoring below it are not pushed to you; 0 means all of them.'],
  set_min_bad: ['请输入 0 到 1 之间的数，如 0.6', 'Enter a number between 0 and 1, e.g. 0.6'],
  set_realtime_help: ['每条匹配通过审核后立即推送。', 'Each match is pushed as soon as it is approved.'],
  set_digest_help: ['每天汇总一次，推送当天通过的全部匹配。', 'Once a day, one push gathering the matches approved that day.'],
  set_saved: ['推送设置已保存', 'Push settings saved'], set_saving: ['正在保存…', 'Saving…'],
  set_hooks_sub: ['我们向这些地址发送签名的 POST 请求（Standard Webhooks）。', 'We send signed POST requests here (Standard Webhooks).'],
  set_url_help: ['您系统接收推送的地址，如 https://erp.example.com/hooks/techmatch', 'Where your system receives pushes, e.g. https://erp.example.com/hooks/techmatch'],
  set_url_required: ['请填写端点地址', 'Enter the endpoint\'s URL'],
  set_hook_added: ['已添加端点', 'Endpoint added'],
  set_secret_title: ['签名密钥', 'Signing secret'],
  set_secret_note: ['只显示这一次：请现在复制并保存到您的系统中，用它验证每个请求的签名。', 'Shown only this once: copy it into your system now; it verifies each request\'s signature.'],
  set_copy: ['复制', 'Copy'], set_copied: ['已复制到剪贴板', 'Copied to the clipboard'], set_secret_done: ['我已保存', 'I have saved it'],
  set_no_hooks: ['还没有 Webhook 端点。添加一个，让推送直接进入您的系统。', 'No webhook endpoints yet. Add one to have pushes land in your own system.'],
  set_delete_q: ['删除端点 {0}？尚未投递的推送将一并删除，此操作不能撤销。', 'Delete the endpoint {0}? Its pending deliveries go with it; this cannot be undone.'],
  set_delete_yes: ['删除端点', 'Delete endpoint'], set_deleted: ['已删除端点', 'Endpoint deleted'],
  set_pinged: ['测试事件已发送', 'Test event sent'], set_added_on: ['添加于 {0}', 'Added {0}'],
  set_hook_active: ['正常', 'Active'], set_hook_paused: ['已暂停', 'Paused'], set_hook_disabled: ['已停用', 'Disabled'],
  set_log_for: ['投递记录：{0}', 'Delivery log: {0}'], set_log_empty: ['还没有投递。点“测试”发送一个测试事件。', 'Nothing delivered yet. Press Ping to send a test event.'],
  set_when: ['时间', 'When'], set_event: ['事件', 'Event'], set_state: ['状态', 'State'], set_tries: ['尝试', 'Attempts'],
  set_ping_event: ['测试事件', 'Test event'], set_push_event: ['匹配推送', 'Match pushed'],
  set_d_pending: ['投递中', 'Pending'], set_d_succeeded: ['成功', 'Delivered'], set_d_failed: ['失败', 'Failed'],
  set_resent: ['已重新排队投递', 'Queued for delivery again'], set_close_log: ['收起', 'Hide'],
  set_only_ent: ['只有企业账号有推送设置。', 'Only enterprise accounts have push settings.'],
});

// A checkbox with its label and help line (ids f_NAME, f_NAME_help).
function checkField(name, label, help, checked, disabled = false) {
  const id = `f_${name}`;
  return el('div', { class: 'check-field' },
    el('input', { type: 'checkbox', id, name, checked, disabled, 'aria-describedby': `${id}_help` }),
    el('div', {}, el('label', { for: id, text: label }), el('div', { class: 'help', id: `${id}_help`, text: help })));
}

// A radio button with its label and help line, in the group name.
function radioField(name, value, label, help, checked) {
  const id = `f_${name}_${value}`;
  return el('div', { class: 'check-field' },
    el('input', { type: 'radio', id, name, value, checked, 'aria-describedby': `${id}_help` }),
    el('div', {}, el('label', { for: id, text: label }), el('div', { class: 'help', id: `${id}_help`, text: help })));
}

export async function settingsPage() {
  if (!session.me) { show(banner('bad', t('need_login'))); return; }
  if (session.me.role !== 'enterprise') { show(banner('bad', t('set_only_ent'))); return; }
  show(loading());
  let sub;
  try { sub = await api('GET', '/api/subscription'); } catch (e) { if (pagePath() === '#/settings') show(banner('bad', e.message)); return; }
  if (pagePath() !== '#/settings') return; // the user went elsewhere meanwhile
  const hooks = el('div', { id: 'webhooks', class: 'stack' }, skeleton(2));
  const log = el('section', { id: 'delivery-log', class: 'card', hidden: true, 'aria-labelledby': 'log-h' });
  const secretBox = el('div', { id: 'webhook-secret' });
  const ctx = { hooks, log, secretBox };
  ctx.refresh = () => refreshHooks(ctx);
  show(el('div', { class: 'page-head' }, el('div', {}, el('h1', { text: t('settings') }), el('p', { class: 'sub', text: t('set_sub') }))),
    el('div', { class: 'grid2 settings' },
      el('section', { class: 'card', 'aria-labelledby': 'push-h' }, el('h2', { id: 'push-h', text: t('set_push') }), subscriptionForm(sub)),
      el('div', { class: 'stack' },
        el('section', { class: 'card', 'aria-labelledby': 'hooks-h' }, el('h2', { id: 'hooks-h', text: t('webhooks') }),
          el('p', { class: 'muted', text: t('set_hooks_sub') }), addHookForm(ctx), secretBox, hooks),
        log)));
  ctx.refresh();
}

// The subscription's form: channels, minimum score and delivery mode; saved with a toast.
function subscriptionForm(sub) {
  const save = el('button', { type: 'submit', id: 'save-settings', text: t('save') });
  const form = el('form', { novalidate: true, id: 'subscription', onsubmit: async (ev) => {
    ev.preventDefault();
    const raw = form.elements.min_score.value.trim();
    const min = raw === '' ? 0 : Number(raw.replace('，', '.'));
    if (!Number.isFinite(min) || min < 0 || min > 1) {
      showErrors(form, { problem: { errors: [{ field: 'min_score', message: t('set_min_bad') }] } });
      form.elements.min_score.focus();
      return;
    }
    const channels = ['inbox'];
    if (form.elements.stream.checked) channels.push('stream');
    if (form.elements.webhook.checked) channels.push('webhook');
    save.disabled = true;
    save.textContent = t('set_saving');
    try {
      const saved = await api('PUT', '/api/subscription', { channels, min_score: min, mode: form.elements.mode.value });
      showErrors(form, { problem: {} });
      form.elements.min_score.value = String(saved.min_score);
      toast(t('set_saved'), 'ok');
    } catch (e) { showErrors(form, e); toast(e.message, 'bad'); } finally {
      save.disabled = false;
      save.textContent = t('save');
    }
  } },
  el('fieldset', {}, el('legend', { text: t('channels') }),
    checkField('inbox', t('set_inbox'), t('set_inbox_help'), true, true),
    checkField('stream', t('ch_stream'), t('set_stream_help'), sub.channels.includes('stream')),
    checkField('webhook', t('ch_webhook'), t('set_webhook_help'), sub.channels.includes('webhook'))),
  input('min_score', t('min_score'), { value: String(sub.min_score), inputmode: 'decimal', help: t('set_min_help'), class: 'narrow' }),
  el('fieldset', {}, el('legend', { text: t('mode') }),
    vocab.delivery_modes.map((m) => radioField('mode', m, t(m), t(`set_${m}_help`), sub.mode === m))),
  save);
  return form;
}

// The form that adds an endpoint; shows the new endpoint's secret once, in secretBox.
function addHookForm(ctx) {
  const go = el('button', { type: 'submit', id: 'add-webhook', text: t('add_webhook') });
  const add = el('form', { class: 'row', novalidate: true, id: 'webhook-add', onsubmit: async (ev) => {
    ev.preventDefault();
    const url = add.elements.url.value.trim();
    if (!url) { showErrors(add, { problem: { errors: [{ field: 'url', message: t('set_url_required') }] } }); add.elements.url.focus(); return; }
    go.disabled = true;
    try {
      const w = await api('POST', '/api/webhooks', { url });
      add.reset();
      showErrors(add, { problem: {} });
      ctx.secretBox.replaceChildren(secretNotice(w, ctx.secretBox));
      toast(t('set_hook_added'), 'ok');
      ctx.refresh();
    } catch (e) { showErrors(add, e); add.elements.url.focus(); } finally { go.disabled = false; }
  } }, input('url', t('url'), { type: 'url', inputmode: 'url', placeholder: 'https://', help: t('set_url_help'), autocomplete: 'off' }), go);
  return add;
}

// The once-only secret of a new endpoint: the code, a copy button, and a button that hides it for good.
function secretNotice(w, box) {
  const code = el('code', { id: 'secret-value', text: w.secret });
  return el('div', { class: 'secret-once', role: 'status' },
    el('strong', { text: t('set_secret_title') }), el('p', { class: 'secret-note', text: t('set_secret_note') }),
    el('div', { class: 'secret-row' }, code,
      el('button', { type: 'button', class: 'ghost small', text: t('set_copy'), onclick: async () => {
        try { await navigator.clipboard.writeText(w.secret); toast(t('set_copied'), 'ok'); } catch (e) {
          window.getSelection().selectAllChildren(code); // no clipboard (an http page): selected, ready to copy by hand
        }
      } })),
    el('button', { type: 'button', class: 'small', id: 'secret-done', text: t('set_secret_done'), onclick: () => box.replaceChildren() }));
}

// Draws the organisation's endpoints.
async function refreshHooks(ctx) {
  try {
    const r = await api('GET', '/api/webhooks');
    ctx.hooks.replaceChildren(...(r.items.length ? r.items.map((w) => hookCard(w, ctx))
      : [el('div', { class: 'empty', text: t('set_no_hooks') })]));
  } catch (e) { ctx.hooks.replaceChildren(banner('bad', e.message)); }
}

// One endpoint: its URL, status and date, and its buttons (ping, delivery log, delete).
function hookCard(w, ctx) {
  const remove = async () => {
    const yes = await confirmAction(t('set_delete_q', w.url), { danger: true, confirmLabel: t('set_delete_yes') });
    if (!yes) return;
    try {
      await api('DELETE', `/api/webhooks/${w.id}`);
      toast(t('set_deleted'), 'ok');
      if (ctx.log.dataset.hook === String(w.id)) ctx.log.hidden = true;
      ctx.refresh();
    } catch (e) { toast(e.message, 'bad'); }
  };
  const ping = async () => {
    try {
      await api('POST', `/api/webhooks/${w.id}/ping`);
      toast(t('set_pinged'), 'ok');
      await showLog(w, ctx, 6);
    } catch (e) { toast(e.message, 'bad'); }
  };
  return el('article', { class: 'hook', 'data-id': String(w.id) },
    el('div', { class: 'hook-top' }, el('code', { class: 'hook-url', text: w.url }),
      el('span', { class: `pill hook-${w.status}`, text: t(`set_hook_${w.status}`) })),
    el('div', { class: 'meta' }, el('span', { text: t('set_added_on', fmtDate(w.created_at)) }),
      w.disabled_reason ? el('span', { class: 'error', text: w.disabled_reason }) : null),
    el('div', { class: 'row' },
      el('button', { type: 'button', class: 'ghost small', text: t('ping'), 'aria-label': `${t('ping')}: ${w.url}`, onclick: ping }),
      el('button', { type: 'button', class: 'ghost small', text: t('deliveries'), 'aria-label': `${t('deliveries')}: ${w.url}`,
        onclick: () => showLog(w, ctx) }),
      el('button', { type: 'button', class: 'ghost danger small', text: t('remove'), 'aria-label': `${t('remove')}: ${w.url}`,
        onclick: remove })));
}

// Shows an endpoint's delivery log; after a ping, reads it again (up to waits times) while a delivery is pending.
async function showLog(w, ctx, waits = 0) {
  const { log } = ctx;
  log.hidden = false;
  log.dataset.hook = String(w.id);
  const head = el('div', { class: 'section-head' }, el('h2', { id: 'log-h', text: t('set_log_for', w.url) }),
    el('button', { type: 'button', class: 'ghost small', text: t('set_close_log'), onclick: () => { log.hidden = true; } }));
  if (!log.querySelector('table')) log.replaceChildren(head, skeleton(3));
  try {
    let r = await api('GET', `/api/webhooks/${w.id}/deliveries?limit=20`);
    for (let i = 0; i < waits && r.items.some((d) => d.state === 'pending'); i++) {
      await new Promise((done) => { setTimeout(done, 500); });
      r = await api('GET', `/api/webhooks/${w.id}/deliveries?limit=20`);
    }
    log.replaceChildren(head, r.items.length ? deliveryTable(w, r.items, ctx)
      : el('div', { class: 'empty', text: t('set_log_empty') }));
  } catch (e) { log.replaceChildren(head, banner('bad', e.message)); }
}

// The deliveries as a table: when, what, state, each attempt's answer, and resend for a failed one.
function deliveryTable(w, items, ctx) {
  const cols = ['set_when', 'set_event', 'set_state', 'set_tries', 'resend'];
  const cell = (key, ...kids) => el('td', { 'data-label': t(key) }, ...kids);
  const pill = { pending: 'state-approved', succeeded: 'state-deal', failed: 'state-rejected' };
  return el('table', { class: 'data stack-table deliveries' },
    el('thead', {}, el('tr', {}, cols.map((k) => el('th', { scope: 'col', text: k === 'resend' ? '' : t(k) },
      k === 'resend' ? el('span', { class: 'sr-only', text: t('resend') }) : null)))),
    el('tbody', {}, items.map((d) => el('tr', {},
      cell('set_when', el('time', { datetime: d.created_at, text: fmtDateTime(d.created_at) })),
      cell('set_event', d.notification_id === null ? t('set_ping_event') : t('set_push_event')),
      cell('set_state', el('span', { class: `pill ${pill[d.state] || ''}`, text: t(`set_d_${d.state}`) })),
      cell('set_tries', d.tries.length ? d.tries.map((x) => (x.status_code ? `HTTP ${x.status_code}` : x.error || '—')).join(' · ') : '—'),
      cell('resend', d.state === 'failed' ? el('button', { type: 'button', class: 'ghost small', text: t('resend'), onclick: async () => {
        try {
          await api('POST', `/api/webhooks/${w.id}/deliveries/${d.id}/resend`);
          toast(t('set_resent'), 'ok');
          showLog(w, ctx, 6);
        } catch (e) { toast(e.message, 'bad'); }
      } }) : null)))));
}
