// sse_client.mjs: a Server-Sent Events client that is not ours (npm's
// eventsource, the WHATWG EventSource for Node), for the stream tests.
//
//   node sse_client.mjs URL TOKEN COUNT TIMEOUT_MS
//
// Prints "open" each time the stream opens and "event ID TYPE" for each event;
// reconnects by itself (with Last-Event-ID) when the connection drops.  Exits 0
// after COUNT distinct events in ascending id order, 1 on a duplicate or an
// event out of order, 2 on timeout.
import { EventSource } from 'eventsource';

const [url, token, countArg, timeoutArg] = process.argv.slice(2);
const want = Number(countArg);
const seen = [];
const es = new EventSource(url, {
  fetch: (input, init) =>
    fetch(input, { ...init, headers: { ...init.headers, Authorization: `Bearer ${token}` } }),
});
const timer = setTimeout(() => {
  console.log(`timeout after ${seen.length} events`);
  process.exit(2);
}, Number(timeoutArg));

es.onopen = () => console.log('open');
es.onerror = () => console.log('dropped');
function onEvent(ev) {
  const id = Number(ev.lastEventId);
  if (seen.includes(id) || (seen.length && id < seen[seen.length - 1])) {
    console.log(`error: event ${id} after ${seen.join(',')}`);
    process.exit(1);
  }
  JSON.parse(ev.data); // the payload is JSON
  seen.push(id);
  console.log(`event ${id} ${ev.type}`);
  if (seen.length === want) {
    clearTimeout(timer);
    es.close();
    console.log('done');
    process.exit(0);
  }
}
es.addEventListener('match.pushed', onEvent);
es.addEventListener('match.digest', onEvent);
