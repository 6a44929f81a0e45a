/** Node socket errors that mean the database server cannot be reached. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE']);

/**
 * Postgres SQLSTATEs of an unavailable server rather than a bad statement: connection
 * exceptions (class 08), too many connections, shutdown / cannot connect now, and a database
 * that does not accept connections.
 */
function isUnavailableState(code: string): boolean {
  return code.startsWith('08') || ['53300', '57P01', '57P02', '57P03', '55000'].includes(code);
}

const UNAVAILABLE_MESSAGES = [/Connection terminated/i, /timeout exceeded when trying to connect/i, /Query read timeout/i];

/**
 * Whether `error` says the database is unreachable or refusing work (an outage), as opposed
 * to a bug in a query. TypeORM wraps driver errors in `driverError`.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current && depth < 3; depth += 1) {
    const candidate = current as { code?: unknown; message?: unknown; driverError?: unknown };
    if (typeof candidate.code === 'string' && (NETWORK_CODES.has(candidate.code) || isUnavailableState(candidate.code))) return true;
    if (typeof candidate.message === 'string' && UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(candidate.message as string))) return true;
    current = candidate.driverError;
  }
  return false;
}
