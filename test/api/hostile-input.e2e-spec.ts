import { STATUS_CODES } from 'node:http';
import { gzipSync, deflateSync, brotliCompressSync } from 'node:zlib';
import { AppProcess } from '../support/app-process';
import { runCli } from '../support/cli';
import { HttpReply, rawExchange, send } from '../support/raw-http';
import { TestDatabase } from '../support/test-database';

/**
 * A hostile client against a real registry process (issue 10, rows 5–9 and 16): control
 * characters and lone surrogates in every text field and in JSON keys and values, nulls for
 * NOT NULL fields, out-of-range and non-decimal query integers, compressed bodies, deep JSON,
 * non-JSON content types, prototype keys, malformed slugs, malformed HTTP on raw sockets, and
 * seeded random bytes. Every answer must be a 4xx in the error shape (or a success where the
 * input is merely odd), the process must keep serving, no stack trace may reach a client or
 * the log, and no request may change a single row.
 */

const TOKEN = 'hostile-input-token';
const VALID = { slug: 'billing', displayName: 'Billing', kind: 'http', baseUrl: 'http://127.0.0.1:1' };
const STACK_TRACE = /\bat (?:[\w.<>$]+ )?\(?(?:\/|node:)[^\s)]*:\d+:\d+\)?/;
const SHAPE_KEYS = ['details', 'error', 'message', 'statusCode'];

type Auth = 'token' | 'none' | 'wrong';

interface Case {
  name: string;
  method: string;
  path: string;
  auth?: Auth;
  headers?: Record<string, string>;
  /** JSON-encoded unless a Buffer or a string. */
  body?: unknown;
  /** Acceptable statuses; by default 400 with a token, 401 without, 403 with a wrong one. */
  expect?: number[];
  /** What the message must name (checked on 400s). */
  mentions?: RegExp;
}

/** Deterministic pseudo-random numbers (mulberry32), so every run sends the same bytes. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomBytes(random: () => number, length: number): Buffer {
  return Buffer.from(Array.from({ length }, () => Math.floor(random() * 256)));
}

function authHeaders(auth: Auth | undefined): Record<string, string> {
  if (auth === 'token') return { Authorization: `Bearer ${TOKEN}` };
  if (auth === 'wrong') return { Authorization: 'Bearer not-the-token' };
  return {};
}

function defaultStatuses(auth: Auth | undefined): number[] {
  return auth === 'none' ? [401] : auth === 'wrong' ? [403] : [400];
}

/** `{ "a": { "a": … } }` or `[[…]]`, `levels` containers deep. */
function nested(levels: number, kind: 'object' | 'array'): string {
  return kind === 'object' ? `${'{"a":'.repeat(levels - 1)}{}${'}'.repeat(levels - 1)}` : `${'['.repeat(levels)}${']'.repeat(levels)}`;
}

/** Problems with one answer: empty when it is acceptable. */
function judge(label: string, reply: HttpReply | null, expected?: number[], mentions?: RegExp): string[] {
  if (reply === null) return [`${label}: no answer at all`];
  const problems: string[] = [];
  if (reply.status >= 500) problems.push(`${label}: ${reply.status} ${reply.body.slice(0, 300)}`);
  if (expected && !expected.includes(reply.status)) problems.push(`${label}: expected ${expected.join('/')}, got ${reply.status} ${reply.body.slice(0, 300)}`);
  if (STACK_TRACE.test(reply.body)) problems.push(`${label}: stack trace in the answer`);
  if (reply.status >= 400) {
    let body: Record<string, unknown> | null = null;
    try {
      body = JSON.parse(reply.body);
    } catch {
      problems.push(`${label}: ${reply.status} answer is not JSON: ${JSON.stringify(reply.body.slice(0, 200))}`);
    }
    if (body) {
      if (JSON.stringify(Object.keys(body).sort()) !== JSON.stringify(SHAPE_KEYS)) problems.push(`${label}: keys ${Object.keys(body)}`);
      if (body.statusCode !== reply.status) problems.push(`${label}: statusCode ${body.statusCode} on a ${reply.status}`);
      if (body.error !== STATUS_CODES[reply.status]) problems.push(`${label}: error ${JSON.stringify(body.error)} on a ${reply.status}`);
      if (typeof body.message !== 'string' || body.message === '') problems.push(`${label}: no message`);
      if (mentions && reply.status === 400 && !mentions.test(String(body.message))) {
        problems.push(`${label}: message ${JSON.stringify(body.message)} does not match ${mentions}`);
      }
    }
    if (!/^application\/json/.test(reply.headers['content-type'] ?? '')) problems.push(`${label}: content-type ${reply.headers['content-type']}`);
  }
  return problems;
}

/** Control characters and lone surrogates: Postgres refuses NUL and lone surrogates outright. */
const BAD_CHARACTERS = ['\u0000', '\u0001', '\u0008', '\u000b', '\u001b', '\u001f', '\u007f', '\u0085', '\u009f', '\ud800', '\udc00'];

function controlCharacterCases(): Case[] {
  const cases: Case[] = [];
  for (const c of BAD_CHARACTERS) {
    const shown = JSON.stringify(c);
    const post = (field: string, body: Record<string, unknown>, mentions: RegExp) =>
      cases.push({ name: `POST ${field} with ${shown}`, method: 'POST', path: '/services', auth: 'token', body: { ...VALID, ...body }, mentions });
    const patch = (field: string, body: Record<string, unknown>, mentions: RegExp) =>
      cases.push({ name: `PATCH ${field} with ${shown}`, method: 'PATCH', path: '/services/billing', auth: 'token', body, mentions });
    post('slug', { slug: `bill${c}ing` }, /^slug: /);
    post('displayName', { displayName: `Bil${c}ling` }, /^displayName: /);
    post('kind', { kind: `ht${c}tp` }, /^kind: /);
    post('baseUrl', { baseUrl: `http://127.0.0.1:1/${c}x` }, /^baseUrl: /);
    post('healthEndpoint', { healthEndpoint: `/health${c}z` }, /^healthEndpoint: /);
    post('a capabilities value', { capabilities: { note: `a${c}b` } }, /^capabilities\.note: /);
    post('a capabilities key', { capabilities: { [`k${c}`]: 1 } }, /^capabilities\["k\\/);
    post('a deep metadata value', { metadata: { a: [{ b: `x${c}` }] } }, /^metadata\.a\[0\]\.b: /);
    post('a metadata key', { metadata: { nested: { [`${c}key`]: 'v' } } }, /^metadata\.nested\["\\/);
    patch('baseUrl', { baseUrl: `http://127.0.0.1:2/${c}` }, /^baseUrl: /);
    patch('status', { status: `healthy${c}` }, /^status: /);
    patch('statusMessage', { statusMessage: `down${c}now` }, /^statusMessage: /);
    patch('lastHealthyAt', { lastHealthyAt: `2026-01-01T00:00:00Z${c}` }, /^lastHealthyAt: /);
    patch('a capabilities value', { capabilities: [`${c}`] }, /^capabilities\[0\]: /);
    patch('a metadata key', { metadata: { [`a${c}`]: 1 } }, /^metadata\["a\\/);
    // Without a valid token the same bodies are refused by the write guard.
    cases.push({ name: `POST displayName with ${shown}, no token`, method: 'POST', path: '/services', auth: 'none', body: { ...VALID, displayName: c } });
    cases.push({ name: `PATCH statusMessage with ${shown}, wrong token`, method: 'PATCH', path: '/services/billing', auth: 'wrong', body: { statusMessage: c } });
  }
  // Line breaks and tabs are free text's, not names', URLs' or paths'.
  for (const [field, value] of [
    ['slug', 'a\nb'],
    ['displayName', 'Bil\nling'],
    ['kind', 'ht\ttp'],
    ['baseUrl', 'http://127.0.0.1:1/\r\n'],
    ['healthEndpoint', '/a\tb'],
  ]) {
    cases.push({ name: `POST ${field} with a line break or tab`, method: 'POST', path: '/services', auth: 'token', body: { ...VALID, [field]: value }, mentions: new RegExp(`^${field}: `) });
  }
  return cases;
}

function nullCases(): Case[] {
  const cases: Case[] = [];
  for (const field of ['baseUrl', 'status', 'metadata']) {
    cases.push({ name: `PATCH ${field}: null`, method: 'PATCH', path: '/services/billing', auth: 'token', body: { [field]: null }, mentions: new RegExp(`^${field}: ${field} cannot be null`) });
    cases.push({ name: `PATCH ${field}: null beside a valid field`, method: 'PATCH', path: '/services/billing', auth: 'token', body: { statusMessage: 'x', [field]: null }, mentions: new RegExp(`${field} cannot be null`) });
    cases.push({ name: `PATCH ${field}: null, no token`, method: 'PATCH', path: '/services/billing', auth: 'none', body: { [field]: null } });
  }
  for (const field of ['slug', 'displayName', 'kind', 'baseUrl']) {
    cases.push({ name: `POST ${field}: null`, method: 'POST', path: '/services', auth: 'token', body: { ...VALID, [field]: null }, mentions: new RegExp(`^${field}: `) });
  }
  return cases;
}

/** Row 7: integers that are not plain base-10 or do not fit their column. */
const BAD_INTEGERS = [
  '2147483648', '9223372036854775808', '9'.repeat(400), '-1', '', '0x10', '0o7', '0b1', '1e3', '1.0', ' 1', '1 ', '+1', '٣', '１', 'NaN', 'Infinity', '1,2', 'null',
];

function queryCases(): Case[] {
  const cases: Case[] = [];
  for (const value of BAD_INTEGERS) {
    const encoded = encodeURIComponent(value);
    cases.push({ name: `beforeVersion=${JSON.stringify(value)}`, method: 'GET', path: `/services/billing/health?beforeVersion=${encoded}`, expect: [400], mentions: /^beforeVersion: beforeVersion must be a base-10 integer from 1 to 2147483647$/ });
    cases.push({ name: `limit=${JSON.stringify(value)}`, method: 'GET', path: `/services/billing/health?limit=${encoded}`, expect: [400], mentions: /^limit: limit must be a base-10 integer from 1 to 500$/ });
    if (value !== '2147483648') cases.push({ name: `index=${JSON.stringify(value)}`, method: 'GET', path: `/services?index=${encoded}&wait=0`, expect: [400], mentions: /^index: index must be a base-10 integer from 0 to 9007199254740991$/ });
  }
  cases.push({ name: 'beforeVersion=0', method: 'GET', path: '/services/billing/health?beforeVersion=0', expect: [400], mentions: /beforeVersion/ });
  cases.push({ name: 'index past MAX_SAFE_INTEGER', method: 'GET', path: '/services?index=9007199254740992', expect: [400], mentions: /index/ });
  cases.push({ name: 'a repeated limit', method: 'GET', path: '/services/billing/health?limit=1&limit=2', expect: [400], mentions: /limit/ });
  for (const key of ['constructor', '__proto__', 'prototype']) {
    cases.push({ name: `?${key}= on /services`, method: 'GET', path: `/services?${key}=1`, expect: [400], mentions: new RegExp(`property ${key} should not exist`) });
    cases.push({ name: `?${key}= on the health history`, method: 'GET', path: `/services/billing/health?${key}=1`, expect: [400], mentions: new RegExp(`property ${key} should not exist`) });
  }
  for (const kind of ['%00', 'a%0Ab', '%1B%5B31m', '%C2%85']) {
    cases.push({ name: `kind filter ${kind}`, method: 'GET', path: `/services?kind=${kind}`, expect: [400], mentions: /^kind: / });
  }
  return cases;
}

/** Row 8: nothing is inflated; every coding but identity is a 415, token or not. */
function encodingCases(): Case[] {
  const json = Buffer.from(JSON.stringify({ ...VALID, displayName: 'Compressed' }));
  const bodies: [string, Buffer][] = [
    ['a corrupt body', Buffer.from('this is not compressed at all')],
    ['a valid gzip body', gzipSync(json)],
    ['a valid deflate body', deflateSync(json)],
    ['a valid br body', brotliCompressSync(json)],
    ['a gzip bomb', gzipSync(Buffer.alloc(5 * 1024 * 1024, 0x20))],
  ];
  const cases: Case[] = [];
  const encodings = ['gzip', 'deflate', 'br', 'compress', 'x-gzip', 'GZIP', 'gzip, identity', 'identity, gzip', 'zstd', '*'];
  encodings.forEach((encoding, index) => {
    for (const [what, body] of [bodies[index % bodies.length], bodies[(index + 1) % bodies.length]]) {
      for (const auth of ['none', 'token'] as const) {
        for (const [method, path] of [['POST', '/services'], ['PATCH', '/services/billing']]) {
          cases.push({
            name: `${method} ${path}, Content-Encoding ${encoding}, ${what}, ${auth === 'token' ? 'a token' : 'no token'}`,
            method,
            path,
            auth,
            headers: { 'Content-Type': 'application/json', 'Content-Encoding': encoding },
            body,
            expect: [415],
          });
        }
      }
    }
  });
  return cases;
}

/** Row 9: nesting beyond 64 levels is refused before anything recursive runs. */
function depthCases(): Case[] {
  const cases: Case[] = [];
  for (const levels of [65, 100, 2_000, 30_000]) {
    for (const kind of ['object', 'array'] as const) {
      const deep = nested(levels, kind);
      const placements: [string, string, string, string][] = [
        ['the body', 'POST', '/services', deep],
        ['capabilities', 'POST', '/services', `{"slug":"billing","displayName":"B","kind":"http","baseUrl":"http://127.0.0.1:1","capabilities":${deep}}`],
        ['metadata', 'PATCH', '/services/billing', `{"metadata":{"x":${deep}}}`],
      ];
      for (const [where, method, path, body] of placements) {
        for (const auth of ['token', 'none'] as const) {
          cases.push({
            name: `${levels} levels of ${kind}s in ${where}, ${auth}`,
            method,
            path,
            auth,
            headers: { 'Content-Type': 'application/json' },
            body,
            // A DTO is an object: an array body is refused as such before its depth matters.
            mentions: where === 'the body' && kind === 'array' ? /^\(body\): must be a JSON object/ : /nests deeper than 64 levels/,
          });
        }
      }
    }
  }
  return cases;
}

/** Row 16: content types, prototype keys, slugs. */
function smallerCases(): Case[] {
  const cases: Case[] = [];
  const registration = JSON.stringify(VALID);
  const types = [
    'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'text/json',
    'application/jsonx', 'application/json-patch+json', 'application/merge-patch+json', '', '*/*', 'application', 'json',
  ];
  for (const type of types) {
    for (const auth of ['none', 'token'] as const) {
      for (const [method, path] of [['POST', '/services'], ['PATCH', '/services/billing']]) {
        cases.push({ name: `${method} with Content-Type ${JSON.stringify(type)}, ${auth}`, method, path, auth, headers: { 'Content-Type': type }, body: registration, expect: [415] });
      }
    }
  }
  for (const auth of ['none', 'token'] as const) {
    cases.push({ name: `POST with a body and no Content-Type, ${auth}`, method: 'POST', path: '/services', auth, headers: {}, body: registration, expect: [415] });
    for (const charset of ['latin1', 'iso-8859-1', 'koi8-r']) {
      cases.push({ name: `POST in charset ${charset}, ${auth}`, method: 'POST', path: '/services', auth, headers: { 'Content-Type': `application/json; charset=${charset}` }, body: registration, expect: [415] });
    }
  }
  for (const key of ['constructor', '__proto__', 'prototype']) {
    const extra = `"${key}":{"polluted":true},`;
    cases.push({ name: `POST with an extra ${key}`, method: 'POST', path: '/services', auth: 'token', headers: { 'Content-Type': 'application/json' }, body: `{${extra}${registration.slice(1)}`, mentions: new RegExp(`^${key}: property ${key} should not exist`) });
    cases.push({ name: `PATCH with an extra ${key}`, method: 'PATCH', path: '/services/billing', auth: 'token', headers: { 'Content-Type': 'application/json' }, body: `{${extra}"statusMessage":"x"}`, mentions: new RegExp(`^${key}: property ${key} should not exist`) });
    cases.push({ name: `POST with an extra ${key}, no token`, method: 'POST', path: '/services', auth: 'none', headers: { 'Content-Type': 'application/json' }, body: `{${extra}${registration.slice(1)}` });
  }
  cases.push({ name: 'a nested __proto__ in metadata', method: 'PATCH', path: '/services/billing', auth: 'token', headers: { 'Content-Type': 'application/json' }, body: '{"metadata":{"a":{"__proto__":{"x":1}}}}', mentions: /^metadata\.a\.__proto__: / });
  cases.push({ name: 'a number JSON cannot hold', method: 'PATCH', path: '/services/billing', auth: 'token', headers: { 'Content-Type': 'application/json' }, body: '{"capabilities":{"n":1e400}}', mentions: /^capabilities\.n: is a number out of range/ });

  const slugs = ['-', '--', '-a-', 'a-', '-a', 'a--b', 'Billing', 'a_b', 'a.b', '%20', 'a%00b', '%E2%80%AE', 'x'.repeat(101), '..', '%2e%2e', '%ZZ', 'a%2Fb'];
  for (const slug of slugs) {
    const name = JSON.stringify(slug.length > 20 ? `${slug.slice(0, 20)}…` : slug);
    cases.push({ name: `GET /services/${name}`, method: 'GET', path: `/services/${slug}`, expect: [400, 404] });
    cases.push({ name: `GET /services/${name}/manifests`, method: 'GET', path: `/services/${slug}/manifests`, expect: [400, 404] });
    cases.push({ name: `GET /services/${name}/health`, method: 'GET', path: `/services/${slug}/health`, expect: [400, 404] });
    cases.push({ name: `PATCH /services/${name}`, method: 'PATCH', path: `/services/${slug}`, auth: 'token', body: { statusMessage: 'x' }, expect: [400, 404] });
    cases.push({ name: `POST /services/${name}/health-check`, method: 'POST', path: `/services/${slug}/health-check`, auth: 'token', expect: [400, 404] });
    cases.push({ name: `GET /service-networks/${name}`, method: 'GET', path: `/service-networks/${slug}`, expect: [400, 404] });
  }
  for (const slug of ['-', '--', '-a-', 'a-', '-a', 'a--b', 'Billing', ' billing', 'billing\u200b', 'x'.repeat(101), '']) {
    cases.push({ name: `POST slug ${JSON.stringify(slug.slice(0, 20))}`, method: 'POST', path: '/services', auth: 'token', body: { ...VALID, slug }, mentions: /^slug: slug must be/ });
  }
  for (const [method, path] of [
    ['GET', '/docs/%ZZ'], ['GET', '/%ZZ'], ['GET', '/services/billing%ZZ/health'], ['GET', '/services?%ZZ=1'], ['GET', '/services?kind=%ZZ&kind=%00'],
    ['OPTIONS', '/services'], ['TRACE', '/services'], ['DELETE', '/services/billing'], ['PUT', '/services/billing'], ['GET', '/docs/%2e%2e/%2e%2e/etc/passwd'],
  ]) {
    cases.push({ name: `${method} ${path}`, method, path, auth: 'token', body: method === 'GET' || method === 'TRACE' ? undefined : { statusMessage: 'x' }, expect: [400, 404, 405] });
  }
  for (const moduleId of ['-x', '%2Fabs', '.hidden', 'a%20b', 'a%00', 'x'.repeat(201)]) {
    cases.push({ name: `GET /modules/${moduleId.slice(0, 20)}/resources`, method: 'GET', path: `/modules/${moduleId}/resources`, expect: [400, 404] });
  }
  return cases;
}

/** Random bytes where JSON is expected, and valid JSON with random bytes flipped (never with a token: a flip may still be valid). */
function randomBodyCases(random: () => number): Case[] {
  const cases: Case[] = [];
  const template = Buffer.from(JSON.stringify({ ...VALID, metadata: { team: 'payments', tags: ['a', 'b'] } }));
  for (let index = 0; index < 120; index += 1) {
    const auth: Auth = index % 3 === 0 ? 'none' : index % 3 === 1 ? 'wrong' : 'token';
    const [method, path] = index % 2 === 0 ? ['POST', '/services'] : ['PATCH', '/services/billing'];
    const body = randomBytes(random, 1 + Math.floor(random() * 512));
    // Random bytes are never valid JSON of an object: the parser refuses them before the guard.
    cases.push({ name: `random body #${index} (${auth})`, method, path, auth, headers: { 'Content-Type': 'application/json' }, body, expect: [400, 413] });
  }
  for (let index = 0; index < 80; index += 1) {
    const auth: Auth = index % 2 === 0 ? 'none' : 'wrong';
    const body = Buffer.from(template);
    for (let flips = 1 + Math.floor(random() * 4); flips > 0; flips -= 1) body[Math.floor(random() * body.length)] = Math.floor(random() * 256);
    cases.push({ name: `flipped JSON #${index} (${auth})`, method: 'POST', path: '/services', auth, headers: { 'Content-Type': 'application/json' }, body, expect: [400, 401, 403] });
  }
  for (let index = 0; index < 40; index += 1) {
    const junk = encodeURIComponent(randomBytes(random, 1 + Math.floor(random() * 40)).toString('latin1'));
    const param = ['kind', 'moduleId', 'status', 'source', 'wait', 'limit'][index % 6];
    const path = param === 'limit' ? `/services/billing/health?limit=${junk}` : `/services?${param}=${junk}`;
    cases.push({ name: `random ${param} #${index}`, method: 'GET', path, expect: [200, 400] });
  }
  return cases;
}

/** Requests no HTTP client would send: Node's parser refuses them before Express sees them. */
function rawCases(random: () => number): { name: string; bytes: Buffer | string; expect: number[] }[] {
  const host = 'Host: 127.0.0.1\r\n';
  const cases: { name: string; bytes: Buffer | string; expect: number[] }[] = [
    { name: 'a garbage request line', bytes: 'GARBAGE\r\n\r\n', expect: [400] },
    { name: 'an unknown HTTP version', bytes: `GET /healthz HTTP/9.9\r\n${host}\r\n`, expect: [400] },
    { name: 'a lower-case method', bytes: `get /healthz HTTP/1.1\r\n${host}\r\n`, expect: [400] },
    { name: 'a NUL in the request target', bytes: `GET /ser\0vices HTTP/1.1\r\n${host}\r\n`, expect: [400] },
    { name: 'a space in the request target', bytes: `GET /ser vices HTTP/1.1\r\n${host}\r\n`, expect: [400] },
    { name: 'one 20 kB header', bytes: `GET /healthz HTTP/1.1\r\n${host}X-Big: ${'a'.repeat(20_000)}\r\n\r\n`, expect: [431] },
    { name: '400 small headers over 16 kB in all', bytes: `GET /healthz HTTP/1.1\r\n${host}${Array.from({ length: 400 }, (_, i) => `X-H${i}: ${'v'.repeat(40)}\r\n`).join('')}\r\n`, expect: [431] },
    { name: 'a 20 kB request target', bytes: `GET /services/${'a'.repeat(20_000)} HTTP/1.1\r\n${host}\r\n`, expect: [431] },
    { name: 'a space in a header name', bytes: `GET /healthz HTTP/1.1\r\n${host}Bad Header: x\r\n\r\n`, expect: [400] },
    { name: 'a NUL in a header value', bytes: `GET /healthz HTTP/1.1\r\n${host}X-A: a\0b\r\n\r\n`, expect: [400] },
    { name: 'Content-Length and Transfer-Encoding', bytes: `POST /services HTTP/1.1\r\n${host}Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n`, expect: [400] },
    { name: 'two different Content-Lengths', bytes: `POST /services HTTP/1.1\r\n${host}Content-Length: 5\r\nContent-Length: 6\r\n\r\n`, expect: [400] },
    { name: 'a non-numeric Content-Length', bytes: `POST /services HTTP/1.1\r\n${host}Content-Length: abc\r\n\r\n`, expect: [400] },
    { name: 'a bad chunk size', bytes: `POST /services HTTP/1.1\r\n${host}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n`, expect: [400] },
    { name: 'a body shorter than its Content-Length', bytes: `POST /services HTTP/1.1\r\n${host}Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a"`, expect: [400] },
    { name: 'an unknown Transfer-Encoding', bytes: `POST /services HTTP/1.1\r\n${host}Transfer-Encoding: gzip\r\n\r\n`, expect: [400, 415] },
    { name: 'Expect: something else', bytes: `POST /services HTTP/1.1\r\n${host}Expect: the-unexpected\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}`, expect: [417] },
    { name: 'CONNECT', bytes: `CONNECT 127.0.0.1:5432 HTTP/1.1\r\n${host}\r\n`, expect: [405] },
    { name: 'a bad percent-encoding in a slug', bytes: `GET /services/a%ZZ HTTP/1.1\r\n${host}Connection: close\r\n\r\n`, expect: [400] },
    { name: 'a pipelined garbage request', bytes: `GET /healthz HTTP/1.1\r\n${host}\r\nGARBAGE\r\n\r\n`, expect: [200, 400] },
  ];
  for (let index = 0; index < 60; index += 1) {
    cases.push({ name: `random request bytes #${index}`, bytes: Buffer.concat([randomBytes(random, 1 + Math.floor(random() * 200)), Buffer.from('\r\n\r\n')]), expect: [400] });
  }
  for (let index = 0; index < 40; index += 1) {
    const line = randomBytes(random, 1 + Math.floor(random() * 120));
    cases.push({
      name: `random header bytes #${index}`,
      bytes: Buffer.concat([Buffer.from(`GET /services/billing HTTP/1.1\r\n${host}`), line, Buffer.from('\r\nConnection: close\r\n\r\n')]),
      expect: [200, 400, 431],
    });
  }
  return cases;
}

describe('hostile input (a real registry process)', () => {
  let database: TestDatabase;
  let registry: AppProcess;

  beforeAll(async () => {
    database = await TestDatabase.migrated();
    const env = { DATABASE_URL: database.url, REDIS_URL: 'inline' };
    const backfill = await runCli(['backfill', '--path', 'modules/observatory/dist', '--module', 'observatory'], env);
    expect(backfill).toMatchObject({ code: 0 });
    registry = await AppProcess.start({
      env: { ...env, SERVICE_REGISTRY_TOKEN: TOKEN, APPHUB_DISABLE_SERVICE_POLLING: '1', LOG_LEVEL: 'info' },
    });
    const auth = { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' };
    expect((await send(registry.port, 'POST', '/services', { headers: auth, body: JSON.stringify(VALID) })).status).toBe(201);
    // One snapshot (127.0.0.1:1 refuses), so every table holds rows the hostile requests could touch.
    expect((await send(registry.port, 'POST', '/services/billing/health-check', { headers: { Authorization: auth.Authorization } })).status).toBe(200);
  }, 120_000);

  afterAll(async () => {
    await registry?.stop();
    await database?.drop();
  });

  it('answers every malformed request with a 4xx in the error shape, keeps serving, and changes no row', async () => {
    const before = await database.snapshot();
    expect(before.service_manifests.length).toBeGreaterThan(0);
    expect(before.service_health_snapshots.length).toBeGreaterThan(0);
    const random = seeded(0x5eed10);
    const failures: string[] = [];
    let sent = 0;

    const httpCases = [
      ...controlCharacterCases(),
      ...nullCases(),
      ...queryCases(),
      ...encodingCases(),
      ...depthCases(),
      ...smallerCases(),
      ...randomBodyCases(random),
    ];
    for (const testCase of httpCases) {
      const headers = { ...(testCase.body !== undefined && !Buffer.isBuffer(testCase.body) && typeof testCase.body !== 'string' ? { 'Content-Type': 'application/json' } : {}), ...testCase.headers, ...authHeaders(testCase.auth) };
      const body = testCase.body === undefined ? undefined : Buffer.isBuffer(testCase.body) || typeof testCase.body === 'string' ? testCase.body : JSON.stringify(testCase.body);
      const reply = await send(registry.port, testCase.method, testCase.path, { headers, body });
      sent += 1;
      failures.push(...judge(testCase.name, reply, testCase.expect ?? defaultStatuses(testCase.auth), testCase.mentions));
    }
    for (const testCase of rawCases(random)) {
      const reply = await rawExchange(registry.port, testCase.bytes);
      sent += 1;
      failures.push(...judge(`raw: ${testCase.name}`, reply, testCase.expect));
    }

    console.info(`hostile-input: ${sent} malformed requests, ${failures.length} problems`);
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThanOrEqual(500);

    // Still up and serving what it served before.
    expect(registry.exitCode).toBeNull();
    expect((await send(registry.port, 'GET', '/healthz')).status).toBe(200);
    const list = await send(registry.port, 'GET', '/services');
    expect(list.status).toBe(200);
    expect(JSON.parse(list.body).data.map((service: { slug: string }) => service.slug)).toContain('billing');
    // No request changed anything, with a token or without.
    expect(await database.snapshot()).toEqual(before);
    // Client errors are not logged with a stack (nor is anything else).
    expect(registry.logs).not.toMatch(STACK_TRACE);
  }, 600_000);

  it('accepts what is merely unusual: nulls where the column allows them, free text with line breaks, JSON keys named after Object.prototype members, 64 levels', async () => {
    const auth = { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' };
    const patch = await send(registry.port, 'PATCH', '/services/billing', {
      headers: auth,
      body: JSON.stringify({ statusMessage: 'line one\n\tline two\r\n', capabilities: null, lastHealthyAt: null }),
    });
    expect(patch.status).toBe(200);
    const [patched] = await database.query<{ status_message: string; capabilities: unknown; last_healthy_at: Date | null }>(
      `SELECT status_message, capabilities, last_healthy_at FROM services WHERE slug = 'billing'`,
    );
    expect(patched).toEqual({ status_message: 'line one\n\tline two\r\n', capabilities: null, last_healthy_at: null });

    // The body is level 1, capabilities level 2: 63 more levels inside it make 64.
    const metadata = '{"constructor":{"prototype":{"toString":"t"}},"hasOwnProperty":1,"valueOf":[true],"note":"tab\\there"}';
    const body = `{"slug":"deep","displayName":"Deep","kind":"http","baseUrl":"http://127.0.0.1:1","capabilities":${nested(63, 'array')},"metadata":${metadata}}`;
    const created = await send(registry.port, 'POST', '/services', { headers: auth, body });
    expect(created.status).toBe(201);
    const [row] = await database.query<{ metadata: string; depth: number }>(
      `SELECT metadata::text AS metadata, (SELECT count(*) FROM regexp_matches(capabilities::text, '\\[', 'g'))::int AS depth FROM services WHERE slug = 'deep'`,
    );
    expect(row.metadata).toBe('{"note": "tab\\there", "valueOf": [true], "constructor": {"prototype": {"toString": "t"}}, "hasOwnProperty": 1}');
    expect(row.depth).toBe(63);

    const page = await send(registry.port, 'GET', '/services/billing/health?beforeVersion=2147483647&limit=500');
    expect(page.status).toBe(200);
    expect(JSON.parse(page.body).data).toHaveLength(1);
  });
});
