import { DynamicModule, Module } from '@nestjs/common';
import { LocalHealthChecks } from '../local-state/local-health-checks';
import { LocalHealthPoller } from '../local-state/local-health-poller';
import { HealthCheckMetrics } from './health-check-metrics';
import { HealthChecks } from './health-checks.service';
import { HealthController } from './health.controller';
import { HealthPoller } from './health-poller.service';
import { HealthProber } from './health-prober';
import { HealthRetention } from './health-retention.service';
import { HealthSnapshotRepository } from './health-snapshot.repository';
import { ServiceHealth } from './service-health';

export interface HealthModuleOptions {
  /** `APPHUB_SERVICE_REGISTRY_USE_SHARED_STATE`: snapshots in Postgres, or in the local store's memory. */
  sharedState: boolean;
}

/**
 * Health of the registered services: polling, on-demand checks and snapshot history, with
 * the same prober and API either way. Shared state: the fleet-shared poller, the snapshots
 * table and its retention. Local state: a poller of the local store, history kept in memory
 * (bounded per service). App only (it needs `ScheduleModule.forRoot()`); the CLI never polls.
 * A writer of `services` needs nothing from here: its invalidation wakes either poller.
 * With shared state `HealthPoller.checkSoon()` is exported for in-process callers that
 * change services without publishing.
 */
@Module({})
export class HealthModule {
  static forRoot(options: HealthModuleOptions): DynamicModule {
    const providers = options.sharedState
      ? [HealthSnapshotRepository, HealthChecks, HealthPoller, HealthRetention, { provide: ServiceHealth, useExisting: HealthChecks }]
      : [LocalHealthChecks, LocalHealthPoller, { provide: ServiceHealth, useExisting: LocalHealthChecks }];
    return {
      module: HealthModule,
      controllers: [HealthController],
      providers: [HealthProber, HealthCheckMetrics, ...providers],
      exports: options.sharedState ? [HealthPoller] : [],
    };
  }
}
