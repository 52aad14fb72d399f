// vocab.js: the closed vocabularies' codes, the only place in web/ that lists them.
// Pages read them from `vocab` when they draw (never copy a list at load time), so
// the lists can come from the server; their zh/en labels stay in i18n.js
// (s_<status>, r_<reason>, and the role and org kind codes as keys).

// The lists the server owns (GET /api/meta will answer them, codes only, in this
// order).  Until then these are copies of the C lists: match statuses
// (src/api_matches.c), roles (src/http.c), reasons (src/lifecycle.c), transfer modes
// and IP types (src/listing.c), org kinds (src/api_auth.c).
const server = {
  match_statuses: ['suggested', 'withdrawn', 'approved', 'rejected', 'pushed', 'viewed', 'interested', 'declined',
    'in_talks', 'deal', 'closed'],
  roles: ['enterprise', 'university', 'broker', 'admin'],
  reasons: ['too_early_stage', 'benefit_unclear', 'commercial_route_unclear', 'description_vague', 'out_of_scope',
    'duplicate', 'other'],
  transfer_modes: ['transfer', 'license', 'joint_development', 'equity', 'service'],
  ip_types: ['invention_patent', 'utility_model', 'software_copyright', 'know_how', 'other'],
  org_kinds: ['enterprise', 'university'],
};

// The UI's own selections and the codes of other APIs' members (not part of /api/meta).
const ui = {
  // The statuses a match waits in for the enterprise's answer (interested or declined).
  awaiting_answer: ['pushed', 'viewed'],
  // The pipeline board's columns, left to right.
  pipeline: ['approved', 'pushed', 'viewed', 'interested', 'in_talks', 'deal'],
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

// Called once by app.js before the first page is drawn.  For now the lists above are
// already here, so it just resolves.
// SWITCH TO /api/meta: once the server answers GET /api/meta, make the body
//   const meta = await api('GET', '/api/meta');        // and: import { api } from './ui.js';
//   for (const k of Object.keys(server)) if (Array.isArray(meta[k])) server[k] = meta[k];
// (and drop the copied lists above, or keep them as the fallback when the call fails).
export async function loadVocab() {
}
