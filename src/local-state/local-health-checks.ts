import { Injectable } from '@nestjs/common';
import { HealthCheckMetrics } from '../health/health-check-metrics';
import { changedWhileChecked, unknownService } from '../health/health-checks.service';
import { HealthProber, ProbeResult } from '../health/health-prober';
import { RecordedSnapshot, SnapshotPage } from '../health/health-snapshot.repository';
import { HealthSnapshotView } from '../health/health-snapshot.view';
import { ServiceHealth } from '../health/service-health';
import { InvalidationBus } from '../registry-cache/invalidation-bus';
import { LocalRegistry } from './local-registry';

/**
 * Health with local state: results go to the local store's in-memory history (the same
 * versions, status rules and views as the snapshots table), then one invalidation of this
 * process's cache.
 */
@Injectable()
export class LocalHealthChecks extends ServiceHealth {
  constructor(
    private readonly prober: HealthProber,
    private readonly registry: LocalRegistry,
    private readonly bus: InvalidationBus,
    private readonly metrics: HealthCheckMetrics,
  ) {
    super();
  }

  async record(results: ProbeResult[]): Promise<RecordedSnapshot[]> {
    const recorded = this.registry.recordHealth(results);
    if (recorded.length > 0) await this.bus.publish({ reason: 'health-check', services: recorded.map((entry) => entry.slug) });
    this.metrics.observe(recorded);
    return recorded;
  }

  async checkNow(slug: string): Promise<HealthSnapshotView> {
    const target = this.registry.healthTarget(slug);
    if (!target) throw unknownService(slug);
    const [recorded] = await this.record([await this.prober.probe(target, 'manual')]);
    if (recorded) return recorded.snapshot;
    if (!this.registry.healthTarget(slug)) throw unknownService(slug);
    throw changedWhileChecked(slug);
  }

  async history(slug: string, limit: number, beforeVersion: number | null): Promise<SnapshotPage> {
    const page = this.registry.healthHistory(slug, limit, beforeVersion);
    if (!page) throw unknownService(slug);
    return page;
  }
}
