// cards.js: the pieces several pages show: a listing's card, a match's explanation
// (its score and the shared terms marked in both texts), a reason picker, and an
// answer to a match.
import { t } from './i18n.js';
import { el, api, banner, highlighted, fieldName, pct } from './ui.js';

// A listing (kind "demands" or "achievements") as a card linking to its page, with extra below.
export function listingCard(kind, l, extra) {
  const body = kind === 'demands' ? l.description : l.abstract;
  return el('article', { class: 'card' },
    el('h3', {}, el('a', { href: `#/${kind}/${l.id}`, text: l.title })),
    el('div', { class: 'meta' }, (l.fields || []).map((f) => el('span', { text: fieldName(f) })),
      l.region ? el('span', { text: l.region }) : null, l.status === 'closed' ? el('span', { text: t('closed') }) : null),
    body ? el('p', { class: 'muted', text: body.length > 160 ? `${body.slice(0, 160)}…` : body }) : null,
    extra || null);
}

// Match m explained: the score and its parts, the shared terms, and the demand (left)
// beside the achievement (right) with those terms marked.
export function explanationView(m, left, right) {
  const terms = ((m.explanation && m.explanation.terms) || []).map((x) => x.text);
  return el('div', {},
    el('div', { class: 'row' },
      el('span', { class: 'score', text: `${t('score')} ${pct(m.score)}` }),
      el('span', { class: 'muted', text: `${t('k')} ${pct(m.k)} · ${t('f')} ${pct(m.f)}` }),
      m.explanation && m.explanation.fields ? el('span', { class: 'muted',
        text: `${fieldName(m.explanation.fields.demand)} ↔ ${fieldName(m.explanation.fields.achievement)}` }) : null),
    el('p', {}, el('strong', { text: `${t('shared_terms')}: ` }),
      ...(m.explanation && m.explanation.terms || []).map((x) => el('mark', { text: `${x.text} ${pct(x.share)}` })).flatMap((x) => [x, ' '])),
    el('div', { class: 'grid2' },
      el('section', { class: 'card', 'aria-label': t('demands') }, el('h3', { text: left.title }),
        highlighted(left.description || '', terms)),
      el('section', { class: 'card', 'aria-label': t('achievements') }, el('h3', { text: right.title }),
        highlighted(right.abstract || '', terms))));
}

// A select of reasons (codes, labelled in the current language), for a rejection or a decline.
export function reasonSelect(codes) {
  return el('select', { 'aria-label': t('reason') }, codes.map((r) => el('option', { value: r, text: t(`r_${r}`) })));
}

// Moves a match (what: "interested", ...) and puts the outcome in box instead of its buttons.
export async function decide(matchId, what, box) {
  try {
    await api('POST', `/api/matches/${matchId}/${what}`);
    box.replaceChildren(banner('good', t('done')));
  } catch (e) { box.replaceChildren(banner('bad', e.message)); }
}
