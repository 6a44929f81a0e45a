/** Why connecting to Postgres failed, in an operator's words, and whether trying again may help. */
export interface ConnectionFailure {
  reason: string;
  /** The server may be starting or restarting: worth another attempt within the start deadline. */
  transient: boolean;
}

/**
 * Classifies an error from connecting with `pg` (TypeORM passes the driver's error through);
 * null when it is not about reaching or entering the database (say, a bad entity definition).
 */
export function describeConnectionFailure(error: unknown): ConnectionFailure | null {
  const { code, message = String(error) } = (error ?? {}) as { code?: string; message?: string };
  const detail = ` (${message})`;
  switch (code) {
    case 'ECONNREFUSED':
      return { reason: `connection refused${detail}`, transient: true };
    case 'ENOTFOUND':
      return { reason: `unknown host${detail}`, transient: false };
    case 'EAI_AGAIN':
      return { reason: `unknown host, the name lookup failed${detail}`, transient: true };
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return { reason: `host unreachable${detail}`, transient: true };
    case '28P01':
    case '28000':
      return { reason: `authentication failed${detail}`, transient: false };
    case '3D000':
      return { reason: `database missing${detail}`, transient: false };
    case '57P03':
      return { reason: `the server is starting or shutting down${detail}`, transient: true };
    case '53300':
      return { reason: `too many connections${detail}`, transient: true };
  }
  if (/timeout/i.test(message)) return { reason: `no answer (is it a Postgres server?)${detail}`, transient: false };
  if (/terminated unexpectedly|unexpected message|ECONNRESET/i.test(message)) {
    return { reason: `the server closed the connection (is it a Postgres server?)${detail}`, transient: false };
  }
  if (/\bSSL\b|certificate/i.test(message)) return { reason: `TLS failed${detail}`, transient: false };
  if (code?.startsWith('08') || code?.startsWith('28')) return { reason: message, transient: false };
  return null;
}
