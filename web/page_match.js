// page_match.js: #/matches/ID, one match: who the two sides are (contacts once
// introduced), every move the caller may make now as a button or a form (the
// server's `moves`: approve or reject, interested or decline, introduce, deal,
// close), the outcome so far, and for brokers and admins the assignee, the notes
// and the history (who did what when, before and after).
import { t, addWords, getLang } from './i18n.js';
import { el, api, show, pagePath, loading, banner, pct, toast } from './ui.js';
import { session, isStaff } from './session.js';
import { explanationView } from './cards.js';
import { fmtMoney, fmtDateTime, fmtRelative, parseMoney } from './format.js';
import { vocab } from './vocab.js';
import { reasonField, sideView, statusPill, modeName } from './match_actions.js';

addWords({
  mp_next: ['下一步', 'Next step'], mp_no_moves: ['当前没有可执行的操作。', 'Nothing to do here now.'],
  mp_moved: ['已更新：{0}', 'Done: now {0}'], mp_score: ['匹配度 {0}', 'Score {0}'],
  mp_reject: ['驳回', 'Reject'], mp_decline: ['不感兴趣', 'Not interested'], mp_close: ['关闭对接', 'Close without a deal'],
  mp_close_reason: ['关闭原因', 'Why it closes'], mp_reject_reason: ['驳回原因', 'Why it is rejected'],
  mp_decline_reason: ['不感兴趣的原因', 'Why not'],
  mp_deal: ['记录成交', 'Record the deal'], mp_amount: ['合同金额', 'Contract amount'],
  mp_amount_help: ['如 50万、500000 或 500,000（元）', 'e.g. 50万, 500000 or 500,000 (yuan)'],
  mp_amount_bad: ['请输入金额，如 50万 或 500000', 'Enter an amount such as 50万 or 500000'],
  mp_amount_needed: ['请填写合同金额', 'Enter the contract amount'], mp_amount_whole: ['金额须为整数元', 'Whole yuan only'],
  mp_mode: ['转化方式', 'Transfer mode'], mp_choose_mode: ['请选择…', 'Choose…'], mp_mode_needed: ['请选择转化方式', 'Choose a mode'],
  mp_outcome: ['结果', 'Outcome'], mp_deal_was: ['成交：{0} · {1}', 'Deal: {0} · {1}'],
  mp_reason_was: ['原因：{0}', 'Reason: {0}'], mp_introduced: ['引荐于 {0}', 'Introduced {0}'],
  mp_assignee: ['负责经纪人', 'Broker in charge'], mp_nobody: ['未分配', 'Nobody yet'],
  mp_assign: ['分配', 'Assign'], mp_unassign: ['取消分配', 'Unassign'], mp_assign_to: ['分配给', 'Assign to'],
  mp_holds: ['当前负责人', 'Held by'], mp_admin_of: ['{0}（管理员）', '{0} (admin)'],
  mp_you: ['{0}（我）', '{0} (you)'], mp_broker_n: ['经纪人 #{0}', 'Broker #{0}'],
  mp_assigned_to: ['已分配给 {0}', 'Assigned to {0}'], mp_unassigned: ['已取消分配', 'Unassigned'],
  mp_notes: ['备注', 'Notes'], mp_no_notes: ['还没有备注。', 'No notes yet.'], mp_note: ['新备注', 'New note'],
  mp_add_note: ['添加备注', 'Add note'], mp_note_needed: ['请填写备注内容', 'Write the note first'],
  mp_note_added: ['备注已添加', 'Note added'],
  mp_history: ['操作记录', 'History'], mp_when: ['时间', 'When'], mp_who: ['操作人', 'Who'], mp_what: ['操作', 'What'],
  mp_change: ['变化', 'Change'], mp_system: ['系统', 'System'],
  mp_act_approve: ['通过', 'approved'], mp_act_auto_approve: ['自动通过', 'auto-approved'], mp_act_reject: ['驳回', 'rejected'],
  mp_act_interested: ['表示有意向', 'interested'], mp_act_declined: ['表示不感兴趣', 'declined'],
  mp_act_in_talks: ['引荐洽谈', 'introduced'], mp_act_deal: ['记录成交', 'recorded the deal'], mp_act_close: ['关闭', 'closed'],
  mp_act_assign: ['分配', 'assigned'], mp_act_note: ['添加备注', 'added a note'], mp_act_view: ['查看', 'viewed'],
  mp_act_propose: ['揭榜', 'proposed'], mp_act_suggest: ['推荐', 'suggested'], mp_act_push: ['推送', 'pushed'],
  mp_k_status: ['状态', 'status'], mp_k_reason: ['原因', 'reason'], mp_k_reason_text: ['说明', 'text'],
  mp_k_assigned_to: ['负责人', 'assignee'], mp_k_deal_amount: ['金额', 'amount'], mp_k_transfer_mode: ['方式', 'mode'],
  mp_k_statement: ['揭榜说明', 'statement'], mp_k_note: ['备注', 'note'],
});

// ---------- the moves ----------

// A move's button and what it needs (a reason or the deal's terms), as one block of the actions box.
function moveBlock(m, what, run) {
  const go = (body) => run(what, body);
  if (what === 'approve') return el('button', { type: 'button', id: 'mv-approve', text: t('approve'), onclick: () => go() });
  if (what === 'interested') return el('button', { type: 'button', id: 'mv-interested', text: t('interested'), onclick: () => go() });
  if (what === 'in_talks') return el('button', { type: 'button', id: 'mv-in_talks', text: t('in_talks'), onclick: () => go() });
  if (what === 'deal') return dealForm(go);
  const labels = { reject: ['mp_reject_reason', 'mp_reject', 'danger'], declined: ['mp_decline_reason', 'mp_decline', 'ghost'],
    close: ['mp_close_reason', 'mp_close', 'danger'] }[what];
  if (!labels) return null;
  const reason = reasonField(t(labels[0]));
  return el('div', { class: `move move-${what}` }, reason.node,
    el('button', { type: 'button', id: `mv-${what}`, class: labels[2], text: t(labels[1]), onclick: () => { const b = reason.read(); if (b) go(b); } }));
}

// The deal's form: the amount as people type it (50万, 500,000) and the transfer mode from the closed list.
function dealForm(go) {
  const amount = el('input', { id: 'deal_amount', name: 'amount', inputmode: 'decimal', autocomplete: 'off', 'aria-describedby': 'deal_amount_help deal_amount_err' });
  const mode = el('select', { id: 'deal_mode', name: 'transfer_mode', 'aria-describedby': 'deal_mode_err' },
    el('option', { value: '', text: t('mp_choose_mode') }), vocab.transfer_modes.map((c) => el('option', { value: c, text: modeName(c) })));
  const amountErr = el('div', { class: 'error', id: 'deal_amount_err', 'aria-live': 'polite' });
  const modeErr = el('div', { class: 'error', id: 'deal_mode_err', 'aria-live': 'polite' });
  const form = el('form', { class: 'move move-deal row', id: 'deal-form', novalidate: true },
    el('div', { class: 'field' }, el('label', { for: 'deal_amount', text: t('mp_amount') }), amount,
      el('div', { class: 'help', id: 'deal_amount_help', text: t('mp_amount_help') }), amountErr),
    el('div', { class: 'field' }, el('label', { for: 'deal_mode', text: t('mp_mode') }), mode, modeErr),
    el('button', { type: 'submit', id: 'mv-deal', text: t('mp_deal') }));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const yuan = parseMoney(amount.value);
    amountErr.textContent = yuan === null ? t('mp_amount_needed') : Number.isNaN(yuan) ? t('mp_amount_bad')
      : !Number.isInteger(yuan) ? t('mp_amount_whole') : '';
    modeErr.textContent = mode.value ? '' : t('mp_mode_needed');
    if (amountErr.textContent || modeErr.textContent) return;
    go({ amount: yuan, transfer_mode: mode.value });
  });
  return form;
}

// What has been decided so far: the reason (and its text), the deal, the introduction.
function outcome(m) {
  const lines = [];
  const colon = getLang() === 'zh' ? '：' : ': ';
  if (m.reason) lines.push(t('mp_reason_was', `${t(`r_${m.reason}`)}${m.reason_text ? `${colon}${m.reason_text}` : ''}`));
  if (m.deal_amount !== undefined && m.deal_amount !== null) lines.push(t('mp_deal_was', fmtMoney(m.deal_amount), modeName(m.transfer_mode)));
  if (m.introduced_at) lines.push(t('mp_introduced', fmtDateTime(m.introduced_at)));
  return lines.length ? el('section', { class: 'card', id: 'outcome', 'aria-labelledby': 'outcome-h' },
    el('h2', { id: 'outcome-h', text: t('mp_outcome') }), lines.map((x) => el('p', { text: x }))) : null;
}

// ---------- assignment, notes, history (brokers and admins) ----------

// A staff member's name: the signed-in user ("(you)"), an admin ("(admin)"), a broker, or their id when unknown.
function brokerName(id, staff) {
  if (id === session.me.id) return t('mp_you', session.me.display_name);
  const s = staff.find((u) => u.id === id);
  if (!s) return t('mp_broker_n', id);
  return s.role === 'admin' ? t('mp_admin_of', s.display_name) : s.display_name;
}

// The staff a match may go to (GET /api/staff), the signed-in user first (the select's default).
function assignable(staff) {
  const me = session.me;
  const others = staff.filter((u) => u.id !== me.id);
  return [{ id: me.id, display_name: me.display_name, role: me.role }, ...others];
}

// Who holds the match now, a select of every broker and admin (defaulting to "me") and Assign; Unassign when held.
function assignmentCard(m, staff, post) {
  const now = el('p', { class: 'assignee' }, el('span', { class: 'muted', text: `${t('mp_holds')}${getLang() === 'zh' ? '：' : ': '}` }),
    el('strong', { id: 'assignee', text: m.assigned_to ? brokerName(m.assigned_to, staff) : t('mp_nobody') }));
  const pick = el('select', { id: 'assign-to', name: 'broker_id' },
    assignable(staff).map((u) => el('option', { value: String(u.id), text: brokerName(u.id, staff), selected: u.id === session.me.id })));
  const assign = el('button', { type: 'button', id: 'assign', text: t('mp_assign'),
    onclick: () => post('assign', { broker_id: Number(pick.value) }, t('mp_assigned_to', pick.selectedOptions[0].textContent)) });
  // Assigning to whoever holds it already would change nothing: the button says so by being off.
  const sync = () => { assign.disabled = Number(pick.value) === m.assigned_to; };
  pick.addEventListener('change', sync);
  sync();
  const controls = el('div', { class: 'row assign-row' },
    el('div', { class: 'field' }, el('label', { for: 'assign-to', text: t('mp_assign_to') }), pick), assign,
    m.assigned_to ? el('button', { type: 'button', class: 'ghost', id: 'unassign', text: t('mp_unassign'),
      onclick: () => post('assign', { broker_id: null }, t('mp_unassigned')) }) : null);
  return el('section', { class: 'card stack', id: 'assignment', 'aria-labelledby': 'assign-h' },
    el('h2', { id: 'assign-h', text: t('mp_assignee') }), now, controls);
}

function notesCard(m, post) {
  const notes = m.notes || [];
  const text = el('textarea', { id: 'note_text', rows: '3', maxlength: '4000', 'aria-describedby': 'note_text_err' });
  const err = el('div', { class: 'error', id: 'note_text_err', 'aria-live': 'polite' });
  const form = el('form', { id: 'note-form', novalidate: true },
    el('div', { class: 'field' }, el('label', { for: 'note_text', text: t('mp_note') }), text, err),
    el('button', { type: 'submit', class: 'ghost', text: t('mp_add_note') }));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const said = text.value.trim();
    err.textContent = said ? '' : t('mp_note_needed');
    if (said) post('notes', { text: said });
  });
  return el('section', { class: 'card stack', 'aria-labelledby': 'notes-h' }, el('h2', { id: 'notes-h', text: t('mp_notes') }),
    notes.length ? el('ul', { class: 'notes', id: 'notes' }, notes.map((n) => el('li', {},
      el('p', { class: 'text', text: n.text }),
      el('div', { class: 'meta' }, el('span', { text: n.author || '' }),
        el('time', { datetime: n.created_at, title: fmtDateTime(n.created_at), text: fmtRelative(n.created_at) })))))
      : el('p', { class: 'muted', id: 'notes', text: t('mp_no_notes') }), form);
}

// A member's value in a history entry, for people.
function historyValue(key, v, staff) {
  if (key === 'assigned_to') return v ? brokerName(v, staff) : t('mp_nobody');
  if (v === null || v === undefined) return '—';
  if (key === 'status') return t(`s_${v}`);
  if (key === 'reason') return t(`r_${v}`);
  if (key === 'deal_amount') return fmtMoney(v);
  if (key === 'transfer_mode') return modeName(v);
  return String(v);
}

// What one history entry changed: "key: before → after" for each member it touched.
function historyChange(h, staff) {
  const before = h.before || {}, after = h.after || {};
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  return keys.filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]) || k === 'note')
    .map((k) => {
      const label = t(`mp_k_${k}`);
      const colon = getLang() === 'zh' ? '：' : ': ';
      if (!(k in before) && k !== 'assigned_to') return `${label}${colon}${historyValue(k, after[k], staff)}`; // nobody held it before
      return `${label}${colon}${historyValue(k, before[k], staff)} → ${historyValue(k, after[k], staff)}`;
    }).join(getLang() === 'zh' ? '；' : '; ');
}

function historyCard(items, staff) {
  const action = (a) => { const k = a.replace(/^match\./, ''); const w = t(`mp_act_${k}`); return w.startsWith('mp_act_') ? a : w; };
  return el('section', { class: 'card', 'aria-labelledby': 'history-h' }, el('h2', { id: 'history-h', text: t('mp_history') }),
    el('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': t('mp_history') }, el('table', { class: 'data', id: 'history' },
      el('thead', {}, el('tr', {}, [t('mp_when'), t('mp_who'), t('mp_what'), t('mp_change')].map((h) => el('th', { scope: 'col', text: h })))),
      el('tbody', {}, items.map((h) => el('tr', {},
        el('td', {}, el('time', { datetime: h.at, title: fmtDateTime(h.at), text: fmtDateTime(h.at) })),
        el('td', { text: h.user_id ? h.who : t('mp_system') }),
        el('td', { text: action(h.action) }),
        el('td', { text: historyChange(h, staff) })))))));
}

// ---------- the page ----------

export async function matchPage(id, flash) {
  const me = session.me;
  if (!me) { show(banner('bad', t('need_login'))); return; }
  show(loading());
  const staff = isStaff(me);
  try {
    const [m, history, team] = await Promise.all([api('GET', `/api/matches/${id}`),
      staff ? api('GET', `/api/matches/${id}/history`) : null,
      staff ? api('GET', '/api/staff').catch(() => ({ items: [] })) : { items: [] }]);
    if (pagePath() !== `#/matches/${id}`) return; // the user went elsewhere meanwhile
    const actions = el('div', { class: 'actions stack', id: 'moves' });
    // Each move or edit is sent, then the page is drawn again from the server's answer.
    const post = async (what, body, said) => {
      try {
        await api('POST', `/api/matches/${m.id}/${what}`, body);
        if (what === 'notes') toast(t('mp_note_added'), 'ok');
        if (said) toast(said, 'ok');
        matchPage(id, what === 'notes' || what === 'assign' ? null : 'moved'); // the next step's box reports moves only
      } catch (e) { actions.prepend(banner('bad', e.message)); }
    };
    if (flash) actions.append(banner('good', flash === 'moved' ? t('mp_moved', t(`s_${m.status}`)) : flash));
    const moves = (m.moves || []).map((w) => moveBlock(m, w, post)).filter(Boolean);
    actions.append(...(moves.length ? moves : [el('p', { class: 'muted', text: t('mp_no_moves') })]));
    show(...[el('div', { class: 'page-head' }, el('h1', { text: m.demand.title }),
      el('div', { class: 'row' }, statusPill(m.status), el('span', { class: 'score', text: t('mp_score', pct(m.score)) }))),
    el('p', { class: 'muted', text: `↔ ${m.achievement.title}` }),
    el('section', { class: 'card', 'aria-labelledby': 'next-h' }, el('h2', { id: 'next-h', text: t('mp_next') }), actions),
    outcome(m),
    el('div', { class: 'grid2 sides' }, sideView('demands', m.demand, { contact: true }),
      sideView('achievements', m.achievement, { contact: true })),
    staff ? el('div', { class: 'grid2 staff-cards' }, assignmentCard(m, team.items, post), notesCard(m, post)) : null,
    staff ? historyCard(history.items, team.items) : null,
    el('section', { class: 'card' }, explanationView(m, m.demand, m.achievement))].filter(Boolean));
  } catch (e) { show(banner('bad', e.message)); }
}
