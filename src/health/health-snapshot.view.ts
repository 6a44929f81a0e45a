import { SnapshotStatus } from '../services/service.entity';
import { ServiceHealthView } from '../services/service-view';

/** A health snapshot as the API shows it: the service view's `health`, with its version and metadata. */
export interface HealthSnapshotView extends ServiceHealthView {
  version: number;
  metadata: Record<string, unknown>;
}

/** A `service_health_snapshots` row as `pg` returns it (the columns the view needs). */
export interface HealthSnapshotRow {
  version: number;
  status: SnapshotStatus;
  status_message: string | null;
  checked_at: Date;
  latency_ms: number | null;
  status_code: number | null;
  base_url: string;
  health_endpoint: string;
  metadata: Record<string, unknown>;
}

/** The snapshot columns every reader selects, in the order `toSnapshotView` reads them. */
export const SNAPSHOT_COLUMNS = 'version, status, status_message, checked_at, latency_ms, status_code, base_url, health_endpoint, metadata';

export function toSnapshotView(row: HealthSnapshotRow): HealthSnapshotView {
  return {
    version: row.version,
    status: row.status,
    statusMessage: row.status_message,
    checkedAt: row.checked_at.toISOString(),
    latencyMs: row.latency_ms,
    statusCode: row.status_code,
    baseUrl: row.base_url,
    healthEndpoint: row.health_endpoint,
    metadata: row.metadata,
  };
}
