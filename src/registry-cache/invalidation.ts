export const INVALIDATION_CHANNEL = 'service-registry:invalidate';

/**
 * What a write changed, so each replica can drop the cached views that depend on it. A
 * message that names nothing (no lists) invalidates everything.
 */
export interface Invalidation {
  /** Why, for logs: `backfill`, `service-patch`, `health-check`, … */
  reason: string;
  /** Service slugs whose entry, manifest or health changed. */
  services?: string[];
  /** Network ids whose record changed. */
  networks?: string[];
  /** Module ids whose resources changed. */
  modules?: string[];
}

/** An invalidation as it travels on the channel. */
export interface InvalidationEnvelope extends Invalidation {
  /** The process that published it (a process has already applied its own messages). */
  origin: string;
  publishedAt: string;
  /** The registry index this write advanced to (absent if the database could not be reached). */
  index?: number;
}

export function parseEnvelope(raw: string): InvalidationEnvelope | null {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const candidate = value as Record<string, unknown>;
  if (typeof candidate.origin !== 'string' || typeof candidate.reason !== 'string') return null;
  if (candidate.index !== undefined && !Number.isSafeInteger(candidate.index)) return null;
  for (const list of ['services', 'networks', 'modules']) {
    const entries = candidate[list];
    if (entries !== undefined && !(Array.isArray(entries) && entries.every((entry) => typeof entry === 'string'))) return null;
  }
  return candidate as unknown as InvalidationEnvelope;
}
