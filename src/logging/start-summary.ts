export interface StartFacts {
  /** Where the server listens (`app.getUrl()`). */
  url: string;
  useSharedState: boolean;
  dualWrite: boolean;
  /** `REDIS_URL`, or null for inline mode. */
  redisUrl: string | null;
}

/** A URL without its user name and password (`redis://:secret@host:6379` → `redis://host:6379`). */
export function withoutCredentials(url: string): string {
  const parsed = new URL(url);
  parsed.username = '';
  parsed.password = '';
  return parsed.toString().replace(/\/$/, '');
}

/** The one line the app logs once it listens: where, where its state lives, how replicas hear of writes. */
export function describeStart({ url, useSharedState, dualWrite, redisUrl }: StartFacts): string {
  const state = useSharedState ? 'shared (Postgres tables)' : 'local (this replica only)';
  const redis = !useSharedState
    ? 'not used'
    : redisUrl === null
      ? 'inline (invalidations stay in this process: one replica only)'
      : withoutCredentials(redisUrl);
  return `Listening on ${url}; state: ${state}, dual writes ${dualWrite ? 'on' : 'off'}; Redis: ${redis}`;
}
