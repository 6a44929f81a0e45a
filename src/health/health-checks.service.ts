import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { Counter, Histogram, Registry } from 'prom-client';
import { InvalidationBus } from '../registry-cache/invalidation-bus';
import { HealthProber, ProbeResult } from './health-prober';
import { HealthSnapshotRepository, RecordedSnapshot, SnapshotPage } from './health-snapshot.repository';
import { HealthSnapshotView } from './health-snapshot.view';

/**
 * Health checks as a unit of work: store a batch of results, then tell every replica (one
 * invalidation per batch, after the commit). Also the on-demand check and the history read
 * that the API offers.
 */
@Injectable()
export class HealthChecks {
  private readonly checksTotal: Counter<'status' | 'trigger'>;
  private readonly checkSeconds: Histogram;

  constructor(
    private readonly prober: HealthProber,
    private readonly snapshots: HealthSnapshotRepository,
    private readonly bus: InvalidationBus,
    metrics: Registry,
  ) {
    this.checksTotal = new Counter({
      name: 'service_registry_health_checks_total',
      help: 'Health checks stored as snapshots, by outcome and by what triggered them (schedule, manual)',
      labelNames: ['status', 'trigger'],
      registers: [metrics],
    });
    this.checkSeconds = new Histogram({
      name: 'service_registry_health_check_duration_seconds',
      help: 'Time from sending a health check until its answer (or until it gave up)',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [metrics],
    });
  }

  /** Stores the results (one transaction) and publishes one `health-check` invalidation. */
  async record(results: ProbeResult[]): Promise<RecordedSnapshot[]> {
    const recorded = await this.snapshots.record(results);
    if (recorded.length > 0) {
      await this.bus.publish({ reason: 'health-check', services: recorded.map((entry) => entry.slug) });
    }
    for (const { snapshot } of recorded) {
      this.checksTotal.inc({ status: snapshot.status, trigger: String(snapshot.metadata.trigger) });
      if (snapshot.latencyMs !== null) this.checkSeconds.observe(snapshot.latencyMs / 1_000);
    }
    return recorded;
  }

  /** Checks one service now, stores the snapshot and returns it. */
  async checkNow(slug: string): Promise<HealthSnapshotView> {
    const target = await this.snapshots.findTarget(slug);
    if (!target) throw unknownService(slug);
    const [recorded] = await this.record([await this.prober.probe(target, 'manual')]);
    if (recorded) return recorded.snapshot;
    if (!(await this.snapshots.serviceExists(slug))) throw unknownService(slug);
    throw new ConflictException(`service '${slug}' changed its baseUrl or healthEndpoint while it was being checked; check it again`);
  }

  async history(slug: string, limit: number, beforeVersion: number | null): Promise<SnapshotPage> {
    if (!(await this.snapshots.serviceExists(slug))) throw unknownService(slug);
    return this.snapshots.history(slug, limit, beforeVersion);
  }
}

function unknownService(slug: string): NotFoundException {
  return new NotFoundException(`service '${slug}' is not registered`);
}
