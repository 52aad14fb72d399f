// cards.js: the pieces several pages show: a listing's card, a match's explanation
// (its score and the shared terms marked in both texts), a reason picker, and an
// answer to a match.
import { t, addWords, getLang } from './i18n.js';
import { fmtDate, fmtRelative, fmtMoney } from './format.js';
import { el, highlighted, fieldName, pct } from './ui.js';

addWords({
  card_deadline: ['截止', 'Deadline'], card_from: ['{0} 起', 'from {0}'], card_upto: ['最高 {0}', 'up to {0}'],
  card_origin_feedback: ['相近成果补充', 'from similar matches'], card_origin_translation: ['中英互译', 'translated'],
  card_origin_synonym: ['同义词', 'synonym'], card_origin_broker: ['经纪人通过的成果', "from brokers' approvals"],
  card_confidence: ['需求文字较少，匹配度按 {0} 的可信度计算', 'Little text to judge: the score counts at {0} confidence'],
  card_decisions: ['已参考经纪人的决定：通过 {0}，驳回 {1}', "Shaped by brokers' decisions: {0} approved, {1} rejected"],
});

// The colon after a label as the language writes it (full width in Chinese).
function colon() { return getLang() === 'zh' ? '：' : ': '; }

// A listing (kind "demands" or "achievements") as a card linking to its page, with extra below;
// terms (a search's words) are marked in its title and text, whose excerpt starts near the first.
export function listingCard(kind, l, extra, terms = []) {
  const body = (kind === 'demands' ? l.description : l.abstract) || '';
  const money = kind === 'demands' ? budgetText(l) : (l.price !== null && l.price !== undefined ? fmtMoney(l.price) : '');
  return el('article', { class: 'card listing-card' },
    el('h3', {}, el('a', { href: `#/${kind}/${l.id}` }, ...highlighted(l.title, terms).childNodes)),
    el('div', { class: 'meta row' },
      l.status === 'closed' ? el('span', { class: 'pill state-closed', text: t('closed') }) : null,
      (l.fields || []).map((f) => el('span', { class: 'chip', text: fieldName(f) })),
      l.region ? el('span', { class: 'tag', text: l.region }) : null,
      money ? el('span', { class: 'tag', text: money }) : null,
      l.trl ? el('span', { class: 'tag', text: `TRL ${l.trl}` }) : null,
      l.deadline ? el('span', { class: 'tag', text: `${t('card_deadline')} ${fmtDate(l.deadline)}` }) : null,
      l.created_at ? el('time', { class: 'muted', datetime: l.created_at, title: fmtDate(l.created_at), text: fmtRelative(l.created_at) }) : null),
    body ? el('p', { class: 'muted excerpt' }, ...highlighted(excerpt(body, terms), terms).childNodes) : null,
    extra || null);
}

// A demand's budget as a range ("50万元 – 80万元"), '' when it has none (or it is private).
export function budgetText(l) {
  const lo = l.budget_min ?? null, hi = l.budget_max ?? null;
  if (lo === null && hi === null) return '';
  if (lo !== null && hi !== null) return lo === hi ? fmtMoney(lo) : `${fmtMoney(lo)} – ${fmtMoney(hi)}`;
  return lo !== null ? t('card_from', fmtMoney(lo)) : t('card_upto', fmtMoney(hi));
}

// About 160 characters of text, from a little before the first of terms found in it.
function excerpt(text, terms) {
  const low = text.toLowerCase();
  const at = Math.min(...terms.map((w) => low.indexOf(String(w).toLowerCase())).filter((i) => i >= 0), Infinity);
  const start = Number.isFinite(at) && at > 60 ? at - 40 : 0;
  const cut = text.slice(start, start + 160);
  return `${start > 0 ? '…' : ''}${cut}${start + 160 < text.length ? '…' : ''}`;
}

// A live match on a listing's page: the other side (kind is the page's listing's kind) with its
// title linking to its page, the score and the shared terms marked in its text; the page's own
// listing is not repeated.
export function matchCard(kind, m, extra) {
  const otherKind = kind === 'demands' ? 'achievements' : 'demands';
  const o = kind === 'demands' ? m.achievement : m.demand;
  const terms = ((m.explanation && m.explanation.terms) || []).map((x) => x.text);
  const body = (otherKind === 'demands' ? o.description : o.abstract) || '';
  return el('article', { class: 'card match-card' },
    el('div', { class: 'row match-head' },
      el('h3', {}, el('a', { href: `#/${otherKind}/${o.id}`, text: o.title })),
      el('span', { class: 'score', text: `${t('score')} ${pct(m.score)}` })),
    el('div', { class: 'meta row' },
      (o.fields || []).map((f) => el('span', { class: 'chip', text: fieldName(f) })),
      o.org && o.org.name ? el('span', { class: 'tag', text: o.org.name }) : null,
      o.region ? el('span', { class: 'tag', text: o.region }) : null,
      o.trl ? el('span', { class: 'tag', text: `TRL ${o.trl}` }) : null,
      o.price !== null && o.price !== undefined ? el('span', { class: 'tag', text: fmtMoney(o.price) }) : null,
      el('span', { class: 'muted', text: `${t('k')} ${pct(m.k)} · ${t('f')} ${pct(m.f)}` })),
    terms.length ? el('p', { class: 'terms' }, el('strong', { text: `${t('shared_terms')}${colon()}` }),
      ...m.explanation.terms.map((x) => el('mark', { text: x.text })).flatMap((x) => [x, ' '])) : null,
    body ? el('p', { class: 'muted excerpt' }, ...highlighted(excerpt(body, terms), terms).childNodes) : null,
    extra || null);
}

// A shared term with its share; a term the query did not type says where it comes from ("a ≈ b" says it
// already for a translation or a synonym, so only its tooltip does).
function termMark(x) {
  const origin = x.origin && x.origin !== 'query' ? t(`card_origin_${x.origin}`) : '';
  const said = origin && !x.text.includes(' ≈ ');
  return el('mark', { class: origin ? `origin-${x.origin}` : null, title: origin || null,
    text: said ? `${x.text} ${pct(x.share)} · ${origin}` : `${x.text} ${pct(x.share)}` });
}

// What shaped the score besides the shared terms: too little text, brokers' decisions (null when neither).
function explanationNotes(e) {
  const notes = [];
  if (e && typeof e.confidence === 'number' && e.confidence < 1) notes.push(t('card_confidence', pct(e.confidence)));
  if (e && e.decisions) notes.push(t('card_decisions', e.decisions.approved, e.decisions.rejected));
  return notes.length ? el('p', { class: 'muted explanation-notes', text: notes.join(' · ') }) : null;
}

// Match m explained: the score and its parts, the shared terms, and the demand (left)
// beside the achievement (right) with those terms marked.
export function explanationView(m, left, right) {
  // "激光熔覆 ≈ laser cladding" is marked as either side in the text that holds it.
  const terms = ((m.explanation && m.explanation.terms) || []).flatMap((x) => x.text.split(' ≈ '));
  return el('div', {},
    el('div', { class: 'row' },
      el('span', { class: 'score', text: `${t('score')} ${pct(m.score)}` }),
      el('span', { class: 'muted', text: `${t('k')} ${pct(m.k)} · ${t('f')} ${pct(m.f)}` }),
      m.explanation && m.explanation.fields ? el('span', { class: 'muted',
        text: `${fieldName(m.explanation.fields.demand)} ↔ ${fieldName(m.explanation.fields.achievement)}` }) : null),
    el('p', {}, el('strong', { text: `${t('shared_terms')}${colon()}` }),
      ...(m.explanation && m.explanation.terms || []).map(termMark).flatMap((x) => [x, ' '])),
    explanationNotes(m.explanation),
    el('div', { class: 'grid2' },
      el('section', { class: 'card', 'aria-label': t('demands') }, el('h3', { text: left.title }),
        highlighted(left.description || '', terms)),
      el('section', { class: 'card', 'aria-label': t('achievements') }, el('h3', { text: right.title }),
        highlighted(right.abstract || '', terms))));
}
