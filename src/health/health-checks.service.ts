import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { StoreMirror } from '../database/store-mirror';
import { InvalidationBus } from '../registry-cache/invalidation-bus';
import { ServicesDatasetQuery } from '../services/services-dataset.query';
import { HealthCheckMetrics } from './health-check-metrics';
import { HealthProber, ProbeResult } from './health-prober';
import { HealthSnapshotRepository, RecordedSnapshot, SnapshotPage } from './health-snapshot.repository';
import { HealthSnapshotView } from './health-snapshot.view';

/**
 * Health checks as a unit of work: store a batch of results, then tell every replica (one
 * invalidation per batch, after the commit), then (with dual writes) store them on the private
 * store too. Also the on-demand check and the history read that the API offers.
 */
@Injectable()
export class HealthChecks {
  constructor(
    private readonly dataSource: DataSource,
    private readonly prober: HealthProber,
    private readonly snapshots: HealthSnapshotRepository,
    private readonly bus: InvalidationBus,
    private readonly mirror: StoreMirror,
    private readonly metrics: HealthCheckMetrics,
    private readonly dataset: ServicesDatasetQuery,
  ) {}

  /**
   * Stores the results (one transaction) and publishes one invalidation: `health-check` for the
   * poller's batches (replicas may coalesce those for a moment), `health-check-now` for an
   * operator's check, which every replica applies at once so the API shows it right away.
   */
  async record(results: ProbeResult[], reason: 'health-check' | 'health-check-now' = 'health-check'): Promise<RecordedSnapshot[]> {
    const recorded = await this.snapshots.record(this.dataSource, results);
    if (recorded.length > 0) {
      const slugs = recorded.map((entry) => entry.slug);
      const checksOnly = recorded.filter((entry) => entry.checkOnly).map((entry) => entry.slug);
      const published = await this.dataset.loadPublished(slugs).catch(() => undefined);
      // Without the read back (the database went away), replicas drop their views instead of patching them.
      await this.bus.publish({ reason, services: slugs, upserts: published?.upserts, checksOnly }, published?.index);
      await this.mirror.repeat(`health snapshots of ${recorded.length} service(s)`, (store) => this.snapshots.record(store, results));
    }
    this.metrics.observe(recorded);
    return recorded;
  }

  /** Checks one service now, stores the snapshot and returns it. */
  async checkNow(slug: string): Promise<HealthSnapshotView> {
    const target = await this.snapshots.findTarget(slug);
    if (!target) throw unknownService(slug);
    const [recorded] = await this.record([await this.prober.probe(target, 'manual')], 'health-check-now');
    if (recorded) return recorded.snapshot;
    if (!(await this.snapshots.serviceExists(slug))) throw unknownService(slug);
    throw changedWhileChecked(slug);
  }

  async history(slug: string, limit: number, beforeVersion: number | null, transitionsOnly: boolean): Promise<SnapshotPage> {
    if (!(await this.snapshots.serviceExists(slug))) throw unknownService(slug);
    return this.snapshots.history(slug, limit, beforeVersion, transitionsOnly);
  }
}

export function unknownService(slug: string): NotFoundException {
  return new NotFoundException(`service '${slug}' is not registered`);
}

export function changedWhileChecked(slug: string): ConflictException {
  return new ConflictException(`service '${slug}' changed its baseUrl or healthEndpoint while it was being checked; check it again`);
}
