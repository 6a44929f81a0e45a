import { ServiceStatus } from '../services/service.entity';
import { ServiceHealthView } from '../services/service-view';
import { ServiceHealthSnapshotEntity } from './service-health-snapshot.entity';

/**
 * A health snapshot as the API shows it: the service view's `health`, with its version, its
 * metadata and, on a check that changed the effective status, the status before it.
 */
export interface HealthSnapshotView extends ServiceHealthView {
  version: number;
  previousStatus: ServiceStatus | null;
  metadata: Record<string, unknown>;
}

/** The columns of a snapshot that its view shows (an entity read, or a statement's rows aliased to these names). */
export type SnapshotFields = Pick<
  ServiceHealthSnapshotEntity,
  | 'version'
  | 'status'
  | 'observedStatus'
  | 'consecutiveFailures'
  | 'consecutiveSuccesses'
  | 'since'
  | 'flapping'
  | 'previousStatus'
  | 'statusMessage'
  | 'checkedAt'
  | 'latencyMs'
  | 'statusCode'
  | 'baseUrl'
  | 'healthEndpoint'
  | 'metadata'
>;

/** `RETURNING` / `SELECT` list giving a statement's snapshot rows the `SnapshotFields` names. */
export const SNAPSHOT_FIELDS_SQL =
  'version, status, observed_status AS "observedStatus", consecutive_failures AS "consecutiveFailures", ' +
  'consecutive_successes AS "consecutiveSuccesses", since, flapping, previous_status AS "previousStatus", ' +
  'status_message AS "statusMessage", checked_at AS "checkedAt", latency_ms AS "latencyMs", ' +
  'status_code AS "statusCode", base_url AS "baseUrl", health_endpoint AS "healthEndpoint", metadata';

export function toSnapshotView(snapshot: SnapshotFields): HealthSnapshotView {
  return {
    version: snapshot.version,
    status: snapshot.status,
    // Null on checks stored before thresholds existed, when the observation was the status.
    observedStatus: snapshot.observedStatus ?? snapshot.status,
    consecutiveFailures: snapshot.consecutiveFailures,
    consecutiveSuccesses: snapshot.consecutiveSuccesses,
    since: snapshot.since?.toISOString() ?? null,
    flapping: snapshot.flapping,
    previousStatus: snapshot.previousStatus,
    statusMessage: snapshot.statusMessage,
    checkedAt: snapshot.checkedAt.toISOString(),
    latencyMs: snapshot.latencyMs,
    statusCode: snapshot.statusCode,
    baseUrl: snapshot.baseUrl,
    healthEndpoint: snapshot.healthEndpoint,
    metadata: snapshot.metadata as Record<string, unknown>,
  };
}
