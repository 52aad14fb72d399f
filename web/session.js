// session.js: who is signed in, shared by the shell (app.js) and the pages.  The
// session itself is an HttpOnly cookie no script can read; this holds the user the
// server names for it, the inbox's unread count and the live stream.  The shell
// connects its callbacks here, so that pages never import the shell.
import { api } from './ui.js';
import { vocab } from './vocab.js';

// me: the signed-in user or null; unread: the server's count of the inbox's unread notifications
// (never counted here: replayed stream events would count twice); stream: the open EventSource or null.
export const session = { me: null, unread: 0, stream: null };

const shell = { signedIn() {}, navChanged() {}, unreadRose() {} };

// Called once by app.js: signedIn() after each loadMe(), navChanged() when the navigation must be drawn again,
// unreadRose() when the server's unread count went up (a new push: the page may show it).
export function connectShell(callbacks) { Object.assign(shell, callbacks); }

// Asks the server who is signed in (null when nobody), then tells the shell.
export async function loadMe() {
  try { session.me = await api('GET', '/api/me'); } catch (e) { session.me = null; }
  unreadRead.known = false;
  shell.signedIn();
}

// Draws the navigation again (after the unread count or the user changed).
export function navChanged() { shell.navChanged(); }

// Whether user (not null) is a broker or an admin, or a member of an organisation.
export function isStaff(user) { return vocab.staff_roles.includes(user.role); }
export function isOrgUser(user) { return vocab.org_kinds.includes(user.role); }

// The unread count's reading: one request at a time, and one more when asked meanwhile (a burst of
// stream events, the history a new stream replays, costs two requests, not one per event).
// known: the count was read since the last sign-in (only a later rise is news; the first reading is not).
const unreadRead = { running: false, again: false, known: false };

// Reads the inbox's unread count from the server (enterprises only) and redraws the badge.
export async function refreshUnread() {
  if (unreadRead.running) { unreadRead.again = true; return; }
  unreadRead.running = true;
  const before = session.unread, known = unreadRead.known;
  try {
    do {
      unreadRead.again = false;
      if (!session.me || session.me.role !== 'enterprise') { session.unread = 0; break; }
      try {
        session.unread = (await api('GET', '/api/notifications/unread')).unread;
        unreadRead.known = true;
      } catch (e) { /* the badge keeps its last count until the next event or page */ }
    } while (unreadRead.again);
  } finally { unreadRead.running = false; }
  shell.navChanged();
  if (known && session.unread > before) shell.unreadRose();
}
