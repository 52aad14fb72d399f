// openapi_conform.mjs: checks every HTTP exchange the tests had with a server against
// docs/openapi.json, so that the published contract cannot drift from what the server does.
//
//   node tests/openapi_conform.mjs OPENAPI.json EXCHANGES.jsonl
//   node tests/openapi_conform.mjs OPENAPI.json --schema NAME JSON
//       (validates the JSON text against components/schemas/NAME, closed as below;
//        prints "valid" or the errors, exits 0 or 1)
//
// EXCHANGES.jsonl holds one exchange a line, as tests/harness.c records them:
// {test, method, path, request_content_type, request_body, status, content_type, headers,
//  body, length, complete}.
// Each is matched to its operation (the path template with the most literal segments
// wins, then the method). A violation is reported when
//   - an /api/ path matches no operation and the answer is not the dispatcher's
//     404 (unknown path) or 405 (known path, other method), both listed in the
//     document's x-dispatcher-responses;
//   - the status is declared neither by the operation nor in x-dispatcher-responses
//     (the 413 and 414 any route may answer);
//   - the content type is not declared for that status (or a body comes where none is);
//   - a header the response declares as required is missing;
//   - the server accepted (2xx) a JSON request body that the operation's requestBody
//     schema refuses (closed as below);
//   - a JSON body does not validate against the schema (JSON Schema 2020-12, ajv 8),
//     with every object closed: a member the schema does not declare is a violation,
//     unless the document itself says what extra members may be
//     (additionalProperties / unevaluatedProperties / patternProperties).
// A line {"webhook": true, test, headers, body} is a message a webhook receiver got
// (tests/webhook_receiver.mjs records them): it is checked against the document's
// webhooks section, the operation named by the body's `type`: its required header
// parameters (webhook-id, webhook-timestamp, webhook-signature) and its body schema.
// Bodies cut short (a stream read until the client's timeout) have their status and
// content type checked, not their body, except that each complete Server-Sent Event of a
// text/event-stream body must carry an Event (components/schemas/Event) as its data.
// Paths outside /api/ and /healthz that match no operation are the web UI's pages,
// outside the API's contract, and are counted as such.
// Prints each violation with the test that caused it, then one line
// "openapi_conform: N exchanges, N checked, N outside the API, N violations";
// exits 1 when there is a violation, 2 when it cannot run.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const Ajv2020 = require('ajv/dist/2020').default;

const DOC_ID = 'openapi.json';

/* ---------- closing the document's object schemas (in the validator's copy) ---------- */

const isObjectSchema = (s) =>
    s.properties !== undefined || s.required !== undefined || s.type === 'object' ||
    (Array.isArray(s.type) && s.type.includes('object') && s.properties !== undefined) ||
    s.allOf !== undefined;

const saysWhatExtrasMayBe = (s) =>
    s.additionalProperties !== undefined || s.unevaluatedProperties !== undefined ||
    s.patternProperties !== undefined;

// Subschemas of allOf, if, then, else and not are not closed themselves (their members add to
// the schema around them, which is closed); a component that an allOf names is reached through its open twin (components/schemas/X__open),
// so that the members the other branches add are not refused by X's own closure: the schema
// holding the allOf is closed instead, and unevaluatedProperties sees through allOf and $ref.
function closeSchema(s, openRefs, inAllOf) {
    if (s === null || typeof s !== 'object')
        return;
    if (Array.isArray(s)) {
        s.forEach((x) => closeSchema(x, openRefs, false));
        return;
    }
    if (!inAllOf && isObjectSchema(s) && !saysWhatExtrasMayBe(s) && s.$ref === undefined)
        s.unevaluatedProperties = false;
    for (const [k, v] of Object.entries(s)) {
        if (k === 'allOf' && Array.isArray(v)) {
            v.forEach((branch, i) => {
                if (branch && typeof branch.$ref === 'string' && branch.$ref.startsWith('#/components/schemas/')) {
                    const name = branch.$ref.slice('#/components/schemas/'.length);
                    openRefs.add(name);
                    v[i] = { ...branch, $ref: `#/components/schemas/${name}__open` };
                } else {
                    closeSchema(branch, openRefs, true);
                }
            });
        } else if (k === 'if' || k === 'then' || k === 'else' || k === 'not') {
            // Conditions and their consequences add to the schema around them; closing them
            // would make every condition false whenever another member is present.
            closeSchema(v, openRefs, true);
        } else if (k === 'properties' || k === 'patternProperties' || k === '$defs') {
            for (const sub of Object.values(v))
                closeSchema(sub, openRefs, false);
        } else if (k !== 'enum' && k !== 'const' && k !== 'examples' && k !== 'example' && k !== 'default' &&
                   k !== 'required' && k !== 'discriminator') {
            closeSchema(v, openRefs, false);
        }
    }
}

// Returns the validator's copy of doc: every schema closed, open twins added, OpenAPI's
// discriminator left to oneOf (ajv checks the oneOf itself).
export function validatorCopy(doc) {
    const copy = structuredClone(doc);
    const openRefs = new Set();
    const schemas = copy.components?.schemas ?? {};
    const originals = structuredClone(schemas);
    for (const s of Object.values(schemas))
        closeSchema(s, openRefs, false);
    const walkResponses = (node) => {
        if (node === null || typeof node !== 'object')
            return;
        for (const [k, v] of Object.entries(node)) {
            if (k === 'schema')
                closeSchema(v, openRefs, false);
            else if (k !== 'components' && k !== 'examples' && k !== 'example')
                walkResponses(v);
        }
    };
    walkResponses({ paths: copy.paths, responses: copy.components?.responses,
                    extra: copy['x-dispatcher-responses'], webhooks: copy.webhooks });
    // Open twins: the original with its own members closed below the top level only.
    const pending = [...openRefs];
    const done = new Set();
    while (pending.length) {
        const name = pending.pop();
        if (done.has(name) || originals[name] === undefined)
            continue;
        done.add(name);
        const twin = structuredClone(originals[name]);
        const nested = new Set();
        closeSchema(twin, nested, true);
        for (const n of nested)
            pending.push(n);
        schemas[`${name}__open`] = twin;
    }
    return copy;
}

/* ---------- matching an exchange to its operation ---------- */

const pointer = (...parts) =>
    '#' + parts.map((p) => '/' + encodeURIComponent(String(p).replace(/~/g, '~0').replace(/\//g, '~1'))).join('');

function compileTemplates(doc) {
    return Object.keys(doc.paths ?? {}).map((tpl) => {
        const segs = tpl.split('/');
        return { tpl, segs, literal: segs.filter((x) => !x.startsWith('{')).length };
    }).sort((a, b) => b.literal - a.literal);
}

function matchPath(templates, path) {
    const segs = path.split('/');
    for (const t of templates) {
        if (t.segs.length !== segs.length)
            continue;
        if (t.segs.every((x, i) => (x.startsWith('{') ? segs[i] !== '' : x === segs[i])))
            return t.tpl;
    }
    return null;
}

const mediaType = (ct) => (ct ?? '').split(';')[0].trim().toLowerCase();
const isJsonType = (mt) => mt === 'application/json' || mt.endsWith('+json');

function resolveResponse(doc, resp) {
    let r = resp;
    const seen = new Set();
    while (r && typeof r.$ref === 'string' && !seen.has(r.$ref)) {
        seen.add(r.$ref);
        const parts = r.$ref.replace(/^#\//, '').split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
        r = parts.reduce((n, p) => (n ? n[p] : undefined), doc);
    }
    return r;
}

/* ---------- the checker ---------- */

export class Conformance {
    constructor(doc) {
        this.doc = doc;
        this.ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
        const dateTime = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
        this.ajv.addFormat('date-time', dateTime);
        this.ajv.addFormat('date', /^\d{4}-\d{2}-\d{2}$/);
        this.ajv.addFormat('email', /^[^\s@]+@[^\s@]+$/);
        this.ajv.addFormat('uri', /^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s]*$/);
        this.ajv.addFormat('uri-reference', /^[^\s]*$/);
        this.ajv.addFormat('int64', { type: 'number', validate: (n) => Number.isInteger(n) });
        this.ajv.addSchema(validatorCopy(doc), DOC_ID);
        this.templates = compileTemplates(doc);
        this.validators = new Map();
        this.dispatcher = doc['x-dispatcher-responses'] ?? {};
    }

    validator(ref) {
        let v = this.validators.get(ref);
        if (v === undefined) {
            v = this.ajv.compile({ $ref: DOC_ID + ref });
            this.validators.set(ref, v);
        }
        return v;
    }

    // Returns the errors of value against components/schemas/name (closed), or [] when it is valid.
    schemaErrors(name, value) {
        const validate = this.validator(pointer('components', 'schemas', name));
        if (validate(value))
            return [];
        return validate.errors.map((e) => {
            const extra = e.params?.unevaluatedProperty ?? e.params?.additionalProperty;
            return `${e.instancePath || '/'} ${e.message}${extra ? ` (${extra})` : ''}`;
        });
    }

    // The violations of one webhook message against the document's webhooks section.
    checkWebhook(ex) {
        let body;
        try {
            body = JSON.parse(ex.body);
        } catch (e) {
            return [`webhook message: the body is not JSON: ${e.message}`];
        }
        const op = this.doc.webhooks?.[body?.type]?.post;
        if (op === undefined)
            return [`webhook message: type ${JSON.stringify(body?.type)} is not in the document's webhooks`];
        const label = `webhook ${body.type}`;
        const out = [];
        for (const p of op.parameters ?? []) {
            const param = resolveResponse(this.doc, p);
            if (param.in === 'header' && param.required && (ex.headers ?? {})[param.name.toLowerCase()] === undefined)
                out.push(`${label}: lacks the required header ${param.name}`);
        }
        const validate = this.validator(pointer('webhooks', body.type, 'post', 'requestBody', 'content',
                                                'application/json', 'schema'));
        if (!validate(body))
            for (const e of validate.errors.slice(0, 8)) {
                const extra = e.params?.unevaluatedProperty ?? e.params?.additionalProperty;
                out.push(`${label}: body${e.instancePath} ${e.message}${extra ? ` (${extra})` : ''}`);
            }
        return out;
    }

    // A request body the server accepted (2xx) must be one the operation's requestBody allows:
    // otherwise the server takes what the document says it refuses (an unknown member, say).
    checkAcceptedRequest(ex, tpl, method, label) {
        const content = this.doc.paths[tpl][method].requestBody?.content;
        const mt = mediaType(ex.request_content_type);
        if (ex.status < 200 || ex.status > 299 || content?.[mt]?.schema === undefined || !isJsonType(mt) ||
            typeof ex.request_body !== 'string')
            return [];
        let body;
        try {
            body = JSON.parse(ex.request_body);
        } catch {
            return [`${label}: ${ex.status} accepted a body that is not JSON`];
        }
        const validate = this.validator(pointer('paths', tpl, method, 'requestBody', 'content', mt, 'schema'));
        if (validate(body))
            return [];
        return validate.errors.slice(0, 8).map((e) => {
            const extra = e.params?.unevaluatedProperty ?? e.params?.additionalProperty;
            return `${label}: ${ex.status} accepted a request body the document refuses: ` +
                   `${e.instancePath || '/'} ${e.message}${extra ? ` (${extra})` : ''}`;
        });
    }

    // The violations of a Server-Sent Events body: each complete event's data is an Event.
    checkEventStream(label, text) {
        const out = [];
        const blocks = text.split(/\r?\n\r?\n/);
        blocks.pop(); // the last block may be cut short
        for (const block of blocks) {
            const data = block.split(/\r?\n/).filter((l) => l.startsWith('data:'))
                .map((l) => l.slice(5).replace(/^ /, '')).join('\n');
            if (data === '')
                continue; // a comment (keep-alive) or an event without data
            let event;
            try {
                event = JSON.parse(data);
            } catch (e) {
                out.push(`${label}: an event's data is not JSON: ${e.message}`);
                continue;
            }
            for (const e of this.schemaErrors('Event', event).slice(0, 8))
                out.push(`${label}: event ${e}`);
        }
        return out;
    }

    // Returns the list of violations (strings) of one exchange; sets ex.kind.
    check(ex) {
        if (ex.webhook) {
            ex.kind = 'checked';
            return this.checkWebhook(ex);
        }
        const path = ex.path.split('?')[0];
        const method = ex.method.toLowerCase();
        const tpl = matchPath(this.templates, path);
        const status = String(ex.status);
        let responses, where, label;
        if (tpl === null) {
            if (!path.startsWith('/api/') && path !== '/api') {
                ex.kind = 'outside';
                return [];
            }
            // No operation: only the dispatcher's 404 for an unknown path is allowed.
            responses = status === '404' && this.dispatcher['404'] ? { 404: this.dispatcher['404'] } : {};
            where = ['x-dispatcher-responses'];
            label = 'no operation';
        } else {
            const op = this.doc.paths[tpl][method];
            if (op === undefined) {
                responses = status === '405' && this.dispatcher['405'] ? { 405: this.dispatcher['405'] } : {};
                where = ['x-dispatcher-responses'];
                label = `${tpl} has no ${ex.method}`;
            } else {
                responses = op.responses ?? {};
                where = ['paths', tpl, method, 'responses'];
                label = op.operationId ?? `${ex.method} ${tpl}`;
                if (responses[status] === undefined && responses.default === undefined &&
                    this.dispatcher[status] !== undefined && status !== '404' && status !== '405') {
                    responses = { [status]: this.dispatcher[status] };
                    where = ['x-dispatcher-responses'];
                }
            }
        }
        ex.kind = 'checked';
        const out = where[0] === 'paths' ? this.checkAcceptedRequest(ex, tpl, method, label) : [];
        const key = responses[status] !== undefined ? status : (responses.default !== undefined ? 'default' : null);
        if (key === null) {
            out.push(`${label}: status ${status} is not declared`);
            return out;
        }
        const resp = resolveResponse(this.doc, responses[key]);
        for (const [name, h] of Object.entries(resp.headers ?? {})) {
            const header = resolveResponse(this.doc, h);
            if (header?.required && (ex.headers ?? {})[name.toLowerCase()] === undefined)
                out.push(`${label}: ${status} lacks the required header ${name}`);
        }
        const content = resp.content ?? {};
        const mt = mediaType(ex.content_type);
        const hasBody = (ex.length ?? 0) > 0;
        if (Object.keys(content).length === 0) {
            if (hasBody)
                out.push(`${label}: ${status} declares no body but one came (${ex.content_type})`);
            return out;
        }
        if (!hasBody && ex.complete) {
            out.push(`${label}: ${status} declares a body (${Object.keys(content).join(', ')}) but none came`);
            return out;
        }
        if (content[mt] === undefined) {
            out.push(`${label}: ${status} with content type ${ex.content_type} (declared: ${Object.keys(content).join(', ')})`);
            return out;
        }
        if (mt === 'text/event-stream' && this.doc.components?.schemas?.Event !== undefined)
            return out.concat(this.checkEventStream(label, ex.body ?? ''));
        if (!isJsonType(mt) || !ex.complete || content[mt].schema === undefined)
            return out;
        let body;
        try {
            body = JSON.parse(ex.body);
        } catch (e) {
            out.push(`${label}: ${status} ${mt} body is not JSON: ${e.message}`);
            return out;
        }
        let base;
        const r = responses[key].$ref;
        if (typeof r === 'string')
            base = r.replace(/^#\//, '').split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
        else if (where[0] === 'x-dispatcher-responses')
            base = ['x-dispatcher-responses', key];
        else
            base = [...where, key];
        const ref = pointer(...base, 'content', mt, 'schema');
        const validate = this.validator(ref);
        if (!validate(body)) {
            for (const e of validate.errors.slice(0, 8)) {
                const extra = e.params?.unevaluatedProperty ?? e.params?.additionalProperty;
                out.push(`${label}: ${status} body${e.instancePath} ${e.message}${extra ? ` (${extra})` : ''}`);
            }
        }
        return out;
    }
}

function main(argv) {
    if (argv.length === 4 && argv[1] === '--schema') {
        try {
            const errors = new Conformance(JSON.parse(readFileSync(argv[0], 'utf8'))).schemaErrors(argv[2],
                                                                                                 JSON.parse(argv[3]));
            console.log(errors.length ? errors.join('\n') : 'valid');
            return errors.length ? 1 : 0;
        } catch (e) {
            console.error(`openapi_conform: ${e.message}`);
            return 2;
        }
    }
    if (argv.length !== 2) {
        console.error('usage: node tests/openapi_conform.mjs OPENAPI.json (EXCHANGES.jsonl | --schema NAME JSON)');
        return 2;
    }
    let checker, lines;
    try {
        checker = new Conformance(JSON.parse(readFileSync(argv[0], 'utf8')));
        lines = readFileSync(argv[1], 'utf8').split('\n').filter((l) => l.trim() !== '');
    } catch (e) {
        console.error(`openapi_conform: ${e.message}`);
        return 2;
    }
    let checked = 0, outside = 0, violations = 0;
    for (const line of lines) {
        const ex = JSON.parse(line);
        const found = checker.check(ex);
        if (ex.kind === 'checked')
            checked++;
        else
            outside++;
        for (const v of found) {
            violations++;
            const what = ex.webhook ? 'webhook message' : `${ex.method} ${ex.path.slice(0, 200)}`;
            console.log(`${ex.test || '(no test)'}: ${what} -> ${v}`);
        }
    }
    console.log(`openapi_conform: ${lines.length} exchanges, ${checked} checked, ${outside} outside the API, ` +
                `${violations} violations`);
    return violations ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
