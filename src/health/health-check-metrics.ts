import { Injectable } from '@nestjs/common';
import { Counter, Histogram, Registry } from 'prom-client';
import { RecordedSnapshot } from './health-snapshot.repository';

/** Prometheus metrics of stored health checks (shared snapshots table or local store alike). */
@Injectable()
export class HealthCheckMetrics {
  private readonly checksTotal: Counter<'status' | 'trigger'>;
  private readonly checkSeconds: Histogram;

  constructor(metrics: Registry) {
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

  /** Counts the snapshots that were stored. */
  observe(recorded: RecordedSnapshot[]): void {
    for (const { snapshot } of recorded) {
      this.checksTotal.inc({ status: snapshot.status, trigger: String(snapshot.metadata.trigger) });
      if (snapshot.latencyMs !== null) this.checkSeconds.observe(snapshot.latencyMs / 1_000);
    }
  }
}
