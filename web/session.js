// session.js: who is signed in, shared by the shell (app.js) and the pages.  The
// session itself is an HttpOnly cookie no script can read; this holds the user the
// server names for it, the inbox's unread count and the live stream.  The shell
// connects its callbacks here, so that pages never import the shell.
import { api } from './ui.js';
import { vocab } from './vocab.js';

// me: the signed-in user or null; unread: pushes not yet seen; stream: the open EventSource or null.
export const session = { me: null, unread: 0, stream: null };

const shell = { signedIn() {}, navChanged() {} };

// Called once by app.js: signedIn() after each loadMe(), navChanged() when the navigation must be drawn again.
export function connectShell(callbacks) { Object.assign(shell, callbacks); }

// Asks the server who is signed in (null when nobody), then tells the shell.
export async function loadMe() {
  try { session.me = await api('GET', '/api/me'); } catch (e) { session.me = null; }
  shell.signedIn();
}

// Draws the navigation again (after the unread count or the user changed).
export function navChanged() { shell.navChanged(); }

// Whether user (not null) is a broker or an admin, or a member of an organisation.
export function isStaff(user) { return vocab.staff_roles.includes(user.role); }
export function isOrgUser(user) { return vocab.org_kinds.includes(user.role); }
