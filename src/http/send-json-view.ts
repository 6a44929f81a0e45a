import type { IncomingMessage, ServerResponse } from 'node:http';
import { ContentEncoding, EncodedBody, JsonView } from '../registry-cache/json-view';

export const REGISTRY_INDEX_HEADER = 'X-Registry-Index';
const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/**
 * Sends a cached view as it is: its bytes (compressed when the client accepts gzip or br, the
 * compressed bytes made once per view), the ETag of that encoding and the registry index it
 * was read at; `304 Not Modified` when the client already holds these bytes (`If-None-Match`).
 * Works on a bare Node response, so the hot read path can answer without Express.
 * Returns a promise only when the compressed form of the view is still being made.
 */
export function sendJsonView(request: IncomingMessage, response: ServerResponse, view: JsonView, status = 200): void | Promise<void> {
  const encoding = acceptedEncoding(request.headers['accept-encoding']);
  // While a patched view's compressed bytes are made, the ones it replaced are sent.
  const interim = view.interimFor(encoding);
  const etag = interim?.encoded.etag ?? view.etagOf(encoding);
  response.setHeader('ETag', etag);
  response.setHeader(REGISTRY_INDEX_HEADER, String(interim?.index ?? view.index));
  response.setHeader('Cache-Control', 'no-cache');
  response.setHeader('Vary', 'Accept-Encoding');
  if (status === 200 && matches(request.headers['if-none-match'], etag)) {
    response.statusCode = 304;
    response.end();
    return;
  }
  if (interim) return send(response, status, interim.encoded);
  // Pooled bytes stay the view's until the response is done with them (the memory is reused).
  if (view.pooledBytes) {
    view.retain();
    response.once('close', () => view.release());
  }
  const encoded = view.encoded(encoding);
  // Not `instanceof Promise`: zlib's promises may come from another realm (Jest's sandbox).
  if (!('then' in encoded)) return send(response, status, encoded);
  return encoded.then(
    (body) => send(response, status, body),
    () => {
      response.setHeader('ETag', view.etag);
      send(response, status, view.identity);
    },
  );
}

function send(response: ServerResponse, status: number, encoded: EncodedBody): void {
  response.statusCode = status;
  response.setHeader('Content-Type', JSON_CONTENT_TYPE);
  if (encoded.encoding !== 'identity') response.setHeader('Content-Encoding', encoded.encoding);
  response.setHeader('Content-Length', encoded.body.length);
  response.end(encoded.body);
}

/** Whether an `If-None-Match` header names `etag` (or is `*`), whatever the request's `Cache-Control` says. */
export function matches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header === etag) return true;
  if (header.trim() === '*') return true;
  return header.split(',').some((candidate) => candidate.trim().replace(/^W\//, '') === etag);
}

/** Accept-Encoding headers seen recently → the encoding they choose (clients send a handful of distinct values). */
const choices = new Map<string, ContentEncoding>();
const MAX_REMEMBERED_HEADERS = 64;

/**
 * The encoding to answer with: br, else gzip, else identity, among those the client accepts
 * (`q=0` refuses one; `*` accepts any).
 */
export function acceptedEncoding(header: string | undefined): ContentEncoding {
  if (!header) return 'identity';
  const known = choices.get(header);
  if (known) return known;
  const quality = new Map<string, number>();
  for (const part of header.split(',')) {
    const [name, ...parameters] = part.trim().toLowerCase().split(';');
    const q = parameters.map((parameter) => /^\s*q\s*=\s*([0-9.]+)\s*$/.exec(parameter)).find((match) => match !== null);
    quality.set(name.trim(), q ? Number(q[1]) : 1);
  }
  const accepts = (name: string) => (quality.get(name) ?? quality.get('*') ?? 0) > 0;
  const choice: ContentEncoding = accepts('br') ? 'br' : accepts('gzip') || accepts('x-gzip') ? 'gzip' : 'identity';
  if (choices.size >= MAX_REMEMBERED_HEADERS) choices.clear();
  choices.set(header, choice);
  return choice;
}
