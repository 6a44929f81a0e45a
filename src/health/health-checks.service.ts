import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InvalidationBus } from '../registry-cache/invalidation-bus';
import { HealthCheckMetrics } from './health-check-metrics';
import { HealthProber, ProbeResult } from './health-prober';
import { HealthSnapshotRepository, RecordedSnapshot, SnapshotPage } from './health-snapshot.repository';
import { HealthSnapshotView } from './health-snapshot.view';
import { ServiceHealth } from './service-health';

/**
 * Health checks as a unit of work: store a batch of results, then tell every replica (one
 * invalidation per batch, after the commit). Also the on-demand check and the history read
 * that the API offers.
 */
@Injectable()
export class HealthChecks extends ServiceHealth {
  constructor(
    private readonly prober: HealthProber,
    private readonly snapshots: HealthSnapshotRepository,
    private readonly bus: InvalidationBus,
    private readonly metrics: HealthCheckMetrics,
  ) {
    super();
  }

  /** Stores the results (one transaction) and publishes one `health-check` invalidation. */
  async record(results: ProbeResult[]): Promise<RecordedSnapshot[]> {
    const recorded = await this.snapshots.record(results);
    if (recorded.length > 0) {
      await this.bus.publish({ reason: 'health-check', services: recorded.map((entry) => entry.slug) });
    }
    this.metrics.observe(recorded);
    return recorded;
  }

  /** Checks one service now, stores the snapshot and returns it. */
  async checkNow(slug: string): Promise<HealthSnapshotView> {
    const target = await this.snapshots.findTarget(slug);
    if (!target) throw unknownService(slug);
    const [recorded] = await this.record([await this.prober.probe(target, 'manual')]);
    if (recorded) return recorded.snapshot;
    if (!(await this.snapshots.serviceExists(slug))) throw unknownService(slug);
    throw changedWhileChecked(slug);
  }

  async history(slug: string, limit: number, beforeVersion: number | null): Promise<SnapshotPage> {
    if (!(await this.snapshots.serviceExists(slug))) throw unknownService(slug);
    return this.snapshots.history(slug, limit, beforeVersion);
  }
}

export function unknownService(slug: string): NotFoundException {
  return new NotFoundException(`service '${slug}' is not registered`);
}

export function changedWhileChecked(slug: string): ConflictException {
  return new ConflictException(`service '${slug}' changed its baseUrl or healthEndpoint while it was being checked; check it again`);
}
