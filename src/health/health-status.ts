import { STATUS_CODES } from 'node:http';
import { SnapshotStatus } from '../services/service.entity';

/** How many bytes of an unhealthy response's body go into its status message. */
export const BODY_EXCERPT_BYTES = 240;

/** What one health check concluded, before it is stored. */
export interface HealthVerdict {
  status: SnapshotStatus;
  statusMessage: string;
  /** The failure's error code (`ECONNREFUSED`, `ENOTFOUND`, `TIMEOUT`, …) when there was no answer. */
  errorCode?: string;
}

/**
 * A target that answered: 2xx is healthy; any other status is degraded, with the code, its
 * reason phrase and the start of the body (`HTTP 500 Internal Server Error: <body>`).
 */
export function classifyResponse(statusCode: number, reason: string, body: Buffer): HealthVerdict {
  if (statusCode >= 200 && statusCode < 300) return { status: 'healthy', statusMessage: `HTTP ${statusCode} ${phrase(statusCode, reason)}` };
  const excerpt = bodyExcerpt(body);
  const head = `HTTP ${statusCode} ${phrase(statusCode, reason)}`;
  return { status: 'degraded', statusMessage: excerpt ? `${head}: ${excerpt}` : head };
}

/** What is known about a check that got no answer. */
export interface ProbeFailure {
  /** The check's own deadline passed (the request was aborted). */
  timedOut: boolean;
  timeoutMs: number;
  /** The host of the URL that was checked, for DNS messages. */
  host: string;
  /** The error the HTTP client raised. */
  error: unknown;
}

/** A target that did not answer is unreachable; the message says why in operator terms. */
export function classifyFailure(failure: ProbeFailure): HealthVerdict {
  if (failure.timedOut) {
    return { status: 'unreachable', statusMessage: `timed out after ${failure.timeoutMs} ms`, errorCode: 'TIMEOUT' };
  }
  const code = errorCode(failure.error);
  return { status: 'unreachable', statusMessage: describeNetworkError(code, failure), ...(code ? { errorCode: code } : {}) };
}

function describeNetworkError(code: string | undefined, failure: ProbeFailure): string {
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
    case 'EAI_NONAME':
      return `DNS lookup failed for ${failure.host}`;
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
      return 'connection closed before a complete response';
    case 'EHOSTUNREACH':
      return `host ${failure.host} is unreachable`;
    case 'ENETUNREACH':
      return `network unreachable for ${failure.host}`;
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'timed out connecting';
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return `timed out after ${failure.timeoutMs} ms`;
    case 'ERR_INVALID_URL':
    case 'UND_ERR_INVALID_ARG':
      return `invalid health URL: ${errorMessage(failure.error)}`;
  }
  if (code && (/^(ERR_SSL_|ERR_TLS_)/.test(code) || /CERT|SELF_SIGNED/.test(code))) {
    return `TLS handshake failed: ${firstLine(errorMessage(failure.error))}`;
  }
  return `request failed: ${firstLine(errorMessage(failure.error))}`;
}

/** The first error code found on the error or along its `cause` chain. */
function errorCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    const candidate = current as { code?: unknown; cause?: unknown };
    if (typeof candidate.code === 'string') return candidate.code;
    current = candidate.cause;
  }
  return undefined;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function firstLine(text: string): string {
  return text.split('\n')[0].trim() || 'unknown error';
}

function phrase(statusCode: number, reason: string): string {
  return reason.trim() || STATUS_CODES[statusCode] || 'Unknown Status';
}

/**
 * The first `BODY_EXCERPT_BYTES` bytes as one line of text: a multi-byte character cut in
 * half at the end is dropped, whitespace runs (newlines included) become one space.
 */
export function bodyExcerpt(body: Buffer): string {
  const text = body.subarray(0, BODY_EXCERPT_BYTES).toString('utf8').replace(/\uFFFD+$/, '');
  return text.replace(/\s+/g, ' ').trim();
}
