import { Injectable } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';
import { CompactHistogram, labelValue, MetricsRegistry } from '../metrics/metrics-registry';
import { SERVICE_STATUSES } from '../services/service.entity';
import { HealthSnapshotRepository, RecordedSnapshot } from './health-snapshot.repository';

type ServiceStatusRow = Awaited<ReturnType<HealthSnapshotRepository['currentStatuses']>>[number];

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The `slug` and `module` labels of a service's series (module "" for an external service). */
function serviceLabels(slug: string, moduleId: string | null): string {
  return `slug=${labelValue(slug)},module=${labelValue(moduleId ?? '')}`;
}

/**
 * Prometheus metrics of health checks (shared snapshots table or local store alike): the
 * checks this replica stored, their latency per service, and every service's effective status
 * (read from the registry at each scrape, so every replica reports the whole fleet's services).
 * The per-service series write their own text (`MetricsRegistry`): at 10,000 services they are
 * 170,000 lines a scrape.
 */
@Injectable()
export class HealthCheckMetrics {
  private readonly checksTotal: Counter<'status' | 'trigger'>;
  private readonly checkSeconds: Histogram;
  private readonly serviceCheckSeconds: CompactHistogram;

  constructor(metrics: MetricsRegistry, snapshots: HealthSnapshotRepository) {
    this.checksTotal = new Counter({
      name: 'service_registry_health_checks_total',
      help: 'Health checks stored as snapshots, by outcome and by what triggered them (schedule, manual)',
      labelNames: ['status', 'trigger'],
      registers: [metrics],
    });
    this.checkSeconds = new Histogram({
      name: 'service_registry_health_check_duration_seconds',
      help: 'Time from sending a health check until its answer (or until it gave up)',
      buckets: LATENCY_BUCKETS,
      registers: [metrics],
    });
    this.serviceCheckSeconds = new CompactHistogram(
      'service_registry_service_check_latency_seconds',
      'Latency of the health checks this replica stored, per service (module "" for an external service); sum over replicas',
      LATENCY_BUCKETS,
    );
    metrics.registerTextMetric(this.serviceCheckSeconds);
    // While the database is away the last statuses read are reported (a scrape never fails on it).
    let lastStatuses: ServiceStatusRow[] = [];
    const name = 'service_registry_service_status';
    metrics.registerTextMetric({
      name,
      async write(out) {
        lastStatuses = (await snapshots.currentStatuses().catch(() => null)) ?? lastStatuses;
        out.line(`# HELP ${name} Effective health status of each registered service: 1 for the status it has, 0 for the others (module "" for an external service)`);
        out.line(`# TYPE ${name} gauge`);
        for (const service of lastStatuses) {
          const labels = serviceLabels(service.slug, service.moduleId);
          for (const status of SERVICE_STATUSES) out.line(`${name}{${labels},status="${status}"} ${status === service.status ? 1 : 0}`);
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
      this.serviceCheckSeconds.observe(serviceLabels(slug, moduleId), snapshot.latencyMs / 1_000);
    }
  }
}
