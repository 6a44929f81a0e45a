import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { SERVICE_STATUSES } from '../services/service.entity';
import { HealthSnapshotRepository, RecordedSnapshot } from './health-snapshot.repository';

type ServiceStatusRow = Awaited<ReturnType<HealthSnapshotRepository['currentStatuses']>>[number];

/**
 * A gauge whose series exist only while a scrape reads them: `collect` sets them, and they are
 * dropped once read. At 10,000 services the status gauge is 40,000 series, ~9 MB of heap that
 * nothing needs between scrapes.
 */
class ScrapeTimeGauge<T extends string> extends Gauge<T> {
  override async get(): ReturnType<Gauge<T>['get']> {
    try {
      return await super.get();
    } finally {
      this.reset();
    }
  }
}

/**
 * Prometheus metrics of health checks (shared snapshots table or local store alike): the
 * checks this replica stored, their latency per service, and every service's effective status
 * (read from the registry at each scrape, so every replica reports the whole fleet's services).
 */
@Injectable()
export class HealthCheckMetrics {
  private readonly checksTotal: Counter<'status' | 'trigger'>;
  private readonly checkSeconds: Histogram;
  private readonly serviceCheckSeconds: Histogram<'slug' | 'module'>;

  constructor(metrics: Registry, snapshots: HealthSnapshotRepository) {
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
    this.serviceCheckSeconds = new Histogram({
      name: 'service_registry_service_check_latency_seconds',
      help: 'Latency of the health checks this replica stored, per service (module "" for an external service); sum over replicas',
      labelNames: ['slug', 'module'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [metrics],
    });
    // While the database is away the last statuses read are reported (a scrape never fails on it).
    let lastStatuses: ServiceStatusRow[] = [];
    new ScrapeTimeGauge({
      name: 'service_registry_service_status',
      help: 'Effective health status of each registered service: 1 for the status it has, 0 for the others (module "" for an external service)',
      labelNames: ['slug', 'module', 'status'],
      registers: [metrics],
      async collect() {
        lastStatuses = (await snapshots.currentStatuses().catch(() => null)) ?? lastStatuses;
        for (const service of lastStatuses) {
          for (const status of SERVICE_STATUSES) this.set({ slug: service.slug, module: service.moduleId ?? '', status }, status === service.status ? 1 : 0);
        }
      },
    });
  }

  /** Counts the snapshots that were stored (by what each check observed) and their latency. */
  observe(recorded: RecordedSnapshot[]): void {
    for (const { slug, moduleId, snapshot } of recorded) {
      this.checksTotal.inc({ status: snapshot.observedStatus, trigger: String(snapshot.metadata.trigger) });
      if (snapshot.latencyMs === null) continue;
      this.checkSeconds.observe(snapshot.latencyMs / 1_000);
      this.serviceCheckSeconds.observe({ slug, module: moduleId ?? '' }, snapshot.latencyMs / 1_000);
    }
  }
}
