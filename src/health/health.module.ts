import { Module } from '@nestjs/common';
import { HealthChecks } from './health-checks.service';
import { HealthController } from './health.controller';
import { HealthPoller } from './health-poller.service';
import { HealthProber } from './health-prober';
import { HealthRetention } from './health-retention.service';
import { HealthSnapshotRepository } from './health-snapshot.repository';

/**
 * Health of the registered services: the fleet-shared poller, on-demand checks, snapshot
 * history and retention. App only (it needs `ScheduleModule.forRoot()`); the CLI never
 * polls. A writer of `services` needs nothing from here: it sets `next_health_check_at`
 * and its invalidation wakes the poller. `HealthPoller.checkSoon()` is exported for
 * in-process callers that change services without publishing.
 */
@Module({
  controllers: [HealthController],
  providers: [HealthProber, HealthSnapshotRepository, HealthChecks, HealthPoller, HealthRetention],
  exports: [HealthPoller],
})
export class HealthModule {}
