import { Module } from '@nestjs/common';
import { MetricsModule } from '../metrics/metrics.module';
import { RegistryCacheModule } from '../registry-cache/registry-cache.module';
import { ServicesDatasetQuery } from '../services/services-dataset.query';
import { HealthCheckMetrics } from './health-check-metrics';
import { HealthChecks } from './health-checks.service';
import { HealthController } from './health.controller';
import { HealthPoller } from './health-poller.service';
import { HealthProber } from './health-prober';
import { HealthRetention } from './health-retention.service';
import { HealthSnapshotRepository } from './health-snapshot.repository';

/**
 * Health of the registered services: the fleet-shared poller, on-demand checks, snapshot
 * history and its retention. App only (it needs `ScheduleModule.forRoot()`); the CLI never
 * polls. A writer of `services` needs nothing from here: its invalidation wakes the poller.
 */
@Module({
  imports: [RegistryCacheModule, MetricsModule],
  controllers: [HealthController],
  providers: [HealthProber, HealthCheckMetrics, HealthSnapshotRepository, HealthChecks, HealthPoller, HealthRetention, ServicesDatasetQuery],
  exports: [HealthSnapshotRepository],
})
export class HealthModule {}
