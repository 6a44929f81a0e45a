import { SnapshotPage } from './health-snapshot.repository';
import { HealthSnapshotView } from './health-snapshot.view';

/**
 * The health API's operations (`POST /services/:slug/health-check`, `GET /services/:slug/health`)
 * over the registry's state: the shared snapshots table (`HealthChecks`) or the local store's
 * in-memory history (`LocalHealthChecks`).
 */
export abstract class ServiceHealth {
  /** Checks one service now, records the snapshot and returns it. */
  abstract checkNow(slug: string): Promise<HealthSnapshotView>;

  /** One page of a service's snapshots, newest first. */
  abstract history(slug: string, limit: number, beforeVersion: number | null): Promise<SnapshotPage>;
}
