/** What a `wait` query parameter may be: digits, then ms, s (the default) or m. */
export const WAIT_PATTERN = /^\d{1,9}(ms|s|m)?$/;

/** Longest a watch may block (SPEC §6). */
export const MAX_WATCH_MS = 5 * 60_000;
const DEFAULT_WATCH_MS = 5 * 60_000;

/**
 * Milliseconds a watch request waits: `wait` (`30s`, `500ms`, `2m`; bare numbers are
 * seconds) capped at five minutes, plus up to 1/16 of random jitter so that many watchers
 * started together do not all return, and come back, at the same moment.
 */
export function watchDuration(wait: string | undefined, random: () => number = Math.random): number {
  const requested = wait === undefined ? DEFAULT_WATCH_MS : parse(wait);
  const capped = Math.min(requested, MAX_WATCH_MS);
  return Math.round(capped + random() * (capped / 16));
}

function parse(wait: string): number {
  const match = /^(\d+)(ms|s|m)?$/.exec(wait);
  if (!match) throw new Error(`not a duration: ${wait}`);
  const amount = Number(match[1]);
  switch (match[2]) {
    case 'ms':
      return amount;
    case 'm':
      return amount * 60_000;
    default:
      return amount * 1_000;
  }
}
