import { createHash } from 'node:crypto';
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { NestExpressApplication } from '@nestjs/platform-express';
import { REGISTRY_INDEX_HEADER, sendJsonView } from '../http/send-json-view';
import { SERVICE_SLUG } from '../identifiers';
import { NetworkDirectory } from '../networks/network-directory.service';
import { RegistryCache } from '../registry-cache/registry-cache';
import { ServiceDirectory, ServiceFilters } from '../services/service-directory.service';
import { WAIT_PATTERN } from '../services/watch-duration';

/** Logs a request once its response is sent, and sets its X-Request-Id (the HTTP logger). */
export type RequestLogger = (request: IncomingMessage, response: ServerResponse) => void;

/** Query characters whose decoding is the identity under every parser (no `%`, no `+`). */
const PLAIN_QUERY_TEXT = /^[A-Za-z0-9._~:@/-]*$/;
const FILTERS = new Set<string>(['moduleId', 'source', 'status', 'kind']);
const SERVICE_ITEM_PREFIX = '/services/';

const LIVENESS_BODY = Buffer.from(JSON.stringify({ status: 'ok' }));
/** The ETag Express gives the same body (its `etag` module, strong), so both paths agree. */
const LIVENESS_ETAG = `"${LIVENESS_BODY.length.toString(16)}-${createHash('sha1').update(LIVENESS_BODY).digest('base64').substring(0, 27)}"`;

/**
 * The path cached reads take: a request listener in front of Express that answers, from the
 * replica cache, the reads that need nothing else: `GET`/`HEAD` of `/services` (its filters,
 * and a watch whose index is already passed), `/services/:slug`, `/service-networks` and
 * `/healthz`, with their 304s. Whatever it cannot answer at once goes to Express and Nest
 * unchanged: a cache miss (which also counts it), a watch that has to wait, any query or path
 * it does not recognise exactly (those are validated there, with the error shape), any request
 * with a body. What it answers carries what the Nest route would send: the same bytes, ETag,
 * X-Registry-Index, Cache-Control, Vary, X-Request-Id and log line.
 *
 * Why: through Express and Nest a cached read costs several times its own work (routing,
 * rxjs, a per-request AsyncResource, the query DTO's validation of an empty query). A filter
 * value answered here was validated by the route when its view was first built: a view is
 * only cached for filters that passed validation, and the raw value must be the cache key's.
 */
export class HotReadPath {
  constructor(
    private readonly services: ServiceDirectory,
    private readonly networks: NetworkDirectory,
    private readonly cache: RegistryCache,
    private readonly logRequest: RequestLogger,
  ) {}

  /** Installs the path in front of the application's request listener (Express). */
  static install(app: NestExpressApplication, logRequest: RequestLogger): void {
    const server = app.getHttpServer() as Server;
    const path = new HotReadPath(app.get(ServiceDirectory), app.get(NetworkDirectory), app.get(RegistryCache), logRequest);
    const listeners = server.listeners('request') as RequestListener[];
    server.removeAllListeners('request');
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      if (path.answer(request, response)) return;
      for (const listener of listeners) listener.call(server, request, response);
    });
  }

  /** Answers `request` and returns true, or returns false having touched nothing. */
  answer(request: IncomingMessage, response: ServerResponse): boolean {
    if (request.method !== 'GET' && request.method !== 'HEAD') return false;
    if (request.headers['transfer-encoding'] !== undefined || (request.headers['content-length'] ?? '0') !== '0') return false;
    const url = request.url ?? '';
    const mark = url.indexOf('?');
    const path = mark === -1 ? url : url.slice(0, mark);
    const query = mark === -1 ? '' : url.slice(mark + 1);
    if (path === '/services') return this.list(request, response, query);
    if (query !== '') return false;
    if (path === '/healthz') return this.live(request, response);
    if (path === '/service-networks') return this.send(request, response, this.networks.cachedList());
    if (path.startsWith(SERVICE_ITEM_PREFIX)) {
      const slug = path.slice(SERVICE_ITEM_PREFIX.length);
      // `changes` is the delta watch's route, not a slug.
      if (slug === 'changes' || !SERVICE_SLUG.pattern.test(slug)) return false;
      return this.send(request, response, this.services.cachedItem(slug));
    }
    return false;
  }

  private list(request: IncomingMessage, response: ServerResponse, query: string): boolean {
    const parsed = parseListQuery(query);
    if (!parsed) return false;
    const view = this.services.cachedList(parsed.filters);
    // A watch that has to wait goes the ordinary way: its wait, not the framework, is its cost.
    if (!view || (parsed.index !== undefined && view.index <= parsed.index)) return false;
    return this.send(request, response, view);
  }

  private send(request: IncomingMessage, response: ServerResponse, view: ReturnType<ServiceDirectory['cachedItem']>): boolean {
    if (!view) return false;
    this.logRequest(request, response);
    void sendJsonView(request, response, view);
    return true;
  }

  private live(request: IncomingMessage, response: ServerResponse): boolean {
    this.logRequest(request, response);
    response.setHeader(REGISTRY_INDEX_HEADER, String(this.cache.index));
    response.setHeader('ETag', LIVENESS_ETAG);
    if (request.headers['if-none-match'] === LIVENESS_ETAG) {
      response.statusCode = 304;
      response.end();
      return true;
    }
    response.setHeader('Content-Type', 'application/json; charset=utf-8');
    response.setHeader('Content-Length', LIVENESS_BODY.length);
    response.end(LIVENESS_BODY);
    return true;
  }
}

/**
 * `GET /services` query parameters when they are plain (unreserved characters only, each key
 * once, only the route's own keys, `index` and `wait` well-formed); null for anything else,
 * which the route validates itself.
 */
export function parseListQuery(query: string): { filters: ServiceFilters; index?: number } | null {
  const filters: Record<string, string> = {};
  let index: number | undefined;
  let wait: string | undefined;
  if (query === '') return { filters };
  const seen = new Set<string>();
  for (const part of query.split('&')) {
    const equals = part.indexOf('=');
    if (equals <= 0) return null;
    const key = part.slice(0, equals);
    const value = part.slice(equals + 1);
    if (seen.has(key) || !PLAIN_QUERY_TEXT.test(value)) return null;
    seen.add(key);
    if (FILTERS.has(key)) filters[key] = value;
    else if (key === 'index' && /^[0-9]{1,15}$/.test(value)) index = Number(value);
    else if (key === 'wait' && WAIT_PATTERN.test(value)) wait = value;
    else return null;
  }
  if (wait !== undefined && index === undefined) return null;
  return { filters, index };
}
