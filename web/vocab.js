// vocab.js: the closed vocabularies' codes, the only place in web/ that lists them.
// Pages read them from `vocab` when they draw (never copy a list at load time), so
// the lists can come from the server; their zh/en labels stay in i18n.js
// (s_<status>, r_<reason>, and the role and org kind codes as keys).

import { api } from './ui.js';

// The lists the server owns, filled from GET /api/meta at start-up (codes only, in
// the server's order; src/vocab.h is where each is written once).
const server = {
  match_statuses: [],
  roles: [],
  reasons: [],
  transfer_modes: [],
  ip_types: [],
  org_kinds: [],
};

// The UI's own selections and the codes of other APIs' members (not part of /api/meta).
const ui = {
  // The statuses a match waits in for the enterprise's answer (interested or declined).
  awaiting_answer: ['pushed', 'viewed'],
  // The pipeline board's columns, left to right.
  pipeline: ['approved', 'pushed', 'viewed', 'interested', 'in_talks', 'deal'],
  // The board's ended columns ("show ended"): where a match stops without a deal.
  pipeline_ended: ['closed', 'declined', 'rejected'],
  // The funnel's stages as GET /api/stats names them (note "deals"), top to bottom.
  funnel: ['suggested', 'approved', 'pushed', 'viewed', 'interested', 'in_talks', 'deals'],
  // Push delivery modes of a subscription (GET/PUT /api/subscription "mode").
  delivery_modes: ['realtime', 'digest'],
  // The event types the live stream (GET /api/stream) sends to a signed-in enterprise.
  stream_events: ['match.pushed', 'match.digest', 'webhook.disabled'],
};

// Every list by name: vocab.reasons, vocab.pipeline, ...; staff_roles are the roles
// that belong to no organisation kind (broker, admin).
export const vocab = {
  ...ui,
  get match_statuses() { return server.match_statuses; },
  get roles() { return server.roles; },
  get reasons() { return server.reasons; },
  get transfer_modes() { return server.transfer_modes; },
  get ip_types() { return server.ip_types; },
  get org_kinds() { return server.org_kinds; },
  get staff_roles() { return server.roles.filter((r) => !server.org_kinds.includes(r)); },
};

// Called once by app.js before the first page is drawn: reads the server's lists.
export async function loadVocab() {
  const meta = await api('GET', '/api/meta');
  for (const k of Object.keys(server)) {
    if (Array.isArray(meta[k])) server[k] = meta[k];
  }
}
