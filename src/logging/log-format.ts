export type LogFormat = 'json' | 'pretty';

/**
 * `LOG_FORMAT` (validated in config/environment.ts), or when unset: `pretty` for a person
 * at a terminal, `json` (one object per line) for anything else: a container's log, a file,
 * a pipe.
 */
export function resolveLogFormat(configured: string | undefined, stream: { isTTY?: boolean }): LogFormat {
  if (configured === 'json' || configured === 'pretty') return configured;
  return stream.isTTY ? 'pretty' : 'json';
}
