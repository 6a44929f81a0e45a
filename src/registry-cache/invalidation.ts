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
  /**
   * The new state of the named services as the writer read it back after its commit. A message
   * that carries it patches each replica's cached dataset in place instead of dropping it.
   */
  upserts?: ServicePatch[];
  /**
   * Services among `services` whose change was only a new health check (its time, latency and
   * counters): delta watchers skip them unless they ask for every check (`?health=all`).
   */
  checksOnly?: string[];
}

/**
 * One service as a write left it (opaque to the cache: the services layer's dataset entry,
 * `{ view, moduleIds }`).
 */
export interface ServicePatch {
  view: { slug: string };
  moduleIds: string[];
}

/**
 * The poller's health results change only health blocks and status: replicas may coalesce
 * them for a moment (an operator's `health-check-now` is applied at once).
 */
export function isHealthUpdate(invalidation: Invalidation): boolean {
  return invalidation.reason === 'health-check';
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
  for (const list of ['services', 'networks', 'modules', 'checksOnly']) {
    const entries = candidate[list];
    if (entries !== undefined && !(Array.isArray(entries) && entries.every((entry) => typeof entry === 'string'))) return null;
  }
  if (candidate.upserts !== undefined && !(Array.isArray(candidate.upserts) && candidate.upserts.every(isServicePatch))) return null;
  return candidate as unknown as InvalidationEnvelope;
}

function isServicePatch(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const { view, moduleIds } = value as Record<string, unknown>;
  return (
    typeof view === 'object' &&
    view !== null &&
    typeof (view as Record<string, unknown>).slug === 'string' &&
    Array.isArray(moduleIds) &&
    moduleIds.every((id) => typeof id === 'string')
  );
}
