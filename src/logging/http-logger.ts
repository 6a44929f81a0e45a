import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { HttpLogger, Options, pinoHttp } from 'pino-http';

export const REQUEST_ID_HEADER = 'X-Request-Id';

/** A caller's request id is kept if it is 1–128 visible ASCII characters; otherwise a new one. */
const ACCEPTED_REQUEST_ID = /^[\x21-\x7e]{1,128}$/;

/** Probes and scrapes run every few seconds: their successes are logged at debug. */
const ROUTINE_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

type Request = IncomingMessage & { originalUrl?: string };

export function requestIdOf(req: IncomingMessage, res: ServerResponse): string {
  const incoming = req.headers['x-request-id'];
  const id = typeof incoming === 'string' && ACCEPTED_REQUEST_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader(REQUEST_ID_HEADER, id);
  return id;
}

function pathOf(req: Request): string {
  const url = req.originalUrl ?? req.url ?? '';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

function levelOf(req: Request, statusCode: number, error?: unknown): 'error' | 'warn' | 'info' | 'debug' {
  if (error) return 'error';
  // 503 is a state the replica reports (not ready, draining, database away), not a fault in it.
  if (statusCode === 503) return 'warn';
  if (statusCode >= 500) return 'error';
  if (statusCode >= 400) return 'warn';
  return ROUTINE_PATHS.has(pathOf(req)) ? 'debug' : 'info';
}

/**
 * The same request line as `createHttpLogger`'s, for the hot read path (hot-reads/): no child
 * loggers per request (pino-http makes two), the line built only if its level is enabled.
 */
export function createRequestLineLogger(logger: Logger): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const requestId = requestIdOf(req, res);
    const startedAt = Date.now();
    let logged = false;
    const done = () => {
      if (logged) return;
      logged = true;
      const level = levelOf(req, res.statusCode);
      if (!logger.isLevelEnabled(level)) return;
      const latencyMs = Date.now() - startedAt;
      logger[level](
        { requestId, req: { method: req.method, url: req.url }, res: { statusCode: res.statusCode }, latencyMs, context: 'HTTP' },
        `${req.method} ${req.url} ${res.statusCode} ${latencyMs} ms`,
      );
    };
    res.once('finish', done);
    res.once('close', done);
  };
}

/**
 * One line per HTTP request once its response is sent: `requestId` (the caller's
 * `X-Request-Id`, or a new UUID; echoed in the response header), `req` (method and URL, never
 * headers: they carry the bearer token), `res` (status code), `latencyMs`, context `HTTP` and
 * a message such as `GET /services 200 3 ms`. 5xx at error (503, a state the replica reports, at
 * warn; no stack unless an error was thrown), 4xx at warn, the rest at info
 * (probes and /metrics at debug). Lines logged while a request is handled carry its requestId.
 *
 * Register it before the body parsers (main.ts), so a request refused by them is logged too.
 */
export function createHttpLogger(logger: Logger): HttpLogger {
  const options: Options = {
    logger,
    genReqId: requestIdOf,
    quietReqLogger: true,
    customAttributeKeys: { reqId: 'requestId', responseTime: 'latencyMs' },
    wrapSerializers: false,
    serializers: {
      req: (req: Request) => ({ method: req.method, url: req.originalUrl ?? req.url }),
      res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
    },
    customLogLevel: (req, res, error) => levelOf(req, res.statusCode, error),
    customSuccessMessage: (req: Request, res, latencyMs) => `${req.method} ${req.originalUrl ?? req.url} ${res.statusCode} ${latencyMs} ms`,
    customErrorMessage: (req: Request, res, error) =>
      `${req.method} ${req.originalUrl ?? req.url} ${res.statusCode}${isStatusOnly(res, error) ? '' : ` ${error.message}`}`,
    customSuccessObject: (_req, _res, fields) => ({ ...fields, context: 'HTTP' }),
    // pino-http makes an Error (with this module's stack) for every 5xx: only a real one is logged.
    customErrorObject: (_req, res, error, fields) => {
      if (!isStatusOnly(res, error)) return { ...fields, context: 'HTTP' };
      const { err: _statusOnly, ...rest } = fields as Record<string, unknown>;
      return { ...rest, context: 'HTTP' };
    },
  };
  return pinoHttp(options);
}

/** The error pino-http makes up for a 5xx response that no error caused. */
function isStatusOnly(res: ServerResponse, error: Error): boolean {
  return error.message === `failed with status code ${res.statusCode}`;
}
