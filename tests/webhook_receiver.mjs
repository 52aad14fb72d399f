// webhook_receiver.mjs: a webhook endpoint for the tests that checks every
// delivery with npm's standardwebhooks (an implementation of the Standard
// Webhooks specification that is not ours): signature, and timestamp within
// five minutes.
//
//   node webhook_receiver.mjs        prints "port N", then one line per request:
//     "recv MSG_ID TYPE" (verified), "reject MSG_ID REASON" (401), "fail MSG_ID" (500)
//
// POST /_secret with a whsec_ secret as the body sets the key to verify with.
// Paths: /ok answers 204 when the delivery verifies; /slow the same after
// half a second; /fail answers 500; /gone answers 410; /hang never answers;
// /close drops the connection without an answer; /redirect answers 302 to this
// receiver's /ok (a sender must not follow it: a redirect may lead anywhere).  Paths under /e/ are
// endpoints with keys of their own (POST /_secret/e/NAME sets /e/NAME's): they
// answer as /ok does, and their lines end with the path, as in
// "recv MSG_ID TYPE /e/NAME" (a path whose key was never set is rejected).
// When $TM_EXCHANGE_LOG names a file, every message techmatch's sender sent (User-Agent
// techmatch-webhooks/..., so not the forgeries tests send themselves) is also appended to it as {"webhook": true, test, headers, body}, for
// tests/openapi_conform.mjs to check against the document's webhooks section.
import { appendFileSync } from 'node:fs';
import http from 'node:http';
import { Webhook } from 'standardwebhooks';

let secret = null;
const secrets = new Map(); // path under /e/ -> its whsec_ secret
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    const id = req.headers['webhook-id'] || '-';
    if (req.url === '/_secret') {
      secret = body;
      res.writeHead(204).end();
      return;
    }
    if (req.url.startsWith('/_secret/e/')) {
      secrets.set(req.url.slice('/_secret'.length), body);
      res.writeHead(204).end();
      return;
    }
    if (process.env.TM_EXCHANGE_LOG && String(req.headers['user-agent']).startsWith('techmatch-webhooks/'))
      appendFileSync(process.env.TM_EXCHANGE_LOG, JSON.stringify({
        webhook: true, test: process.env.TM_CURRENT_TEST || '', method: req.method, path: req.url,
        headers: req.headers, body,
      }) + '\n');
    const own = req.url.startsWith('/e/');
    const where = own ? ` ${req.url}` : '';
    if (req.url === '/hang') return; // never answers
    if (req.url === '/close') {
      console.log(`close ${id}`);
      req.socket.destroy();
      return;
    }
    if (req.url === '/redirect') {
      console.log(`redirect ${id}`);
      res.writeHead(302, { Location: `http://127.0.0.1:${server.address().port}/ok` }).end();
      return;
    }
    if (req.url === '/gone') {
      console.log(`gone ${id}`);
      res.writeHead(410).end();
      return;
    }
    if (req.url === '/fail') {
      console.log(`fail ${id}`);
      res.writeHead(500).end();
      return;
    }
    let event;
    try {
      event = new Webhook(own ? secrets.get(req.url) : secret).verify(body, req.headers);
    } catch (e) {
      console.log(`reject ${id} ${String(e.message).replace(/\s+/g, '_')}${where}`);
      res.writeHead(401).end();
      return;
    }
    console.log(`recv ${id} ${event.type}${where}`);
    if (req.url === '/slow') setTimeout(() => res.writeHead(204).end(), 500);
    else res.writeHead(204).end();
  });
});
server.listen(0, '127.0.0.1', () => console.log(`port ${server.address().port}`));
