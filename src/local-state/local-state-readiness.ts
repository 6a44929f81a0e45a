import { Injectable } from '@nestjs/common';
import { HealthIndicatorFunction, HealthIndicatorService } from '@nestjs/terminus';
import { ReadinessChecks } from '../probes/readiness-checks';
import { LocalRegistry } from './local-registry';

/**
 * Readiness with local state: the registry answers from this process, so it is ready once
 * the store is seeded (the app does not start otherwise). Postgres and Redis are not
 * checked: the rollback path exists for when shared state is broken.
 */
@Injectable()
export class LocalStateReadiness extends ReadinessChecks {
  constructor(
    private readonly registry: LocalRegistry,
    private readonly healthIndicators: HealthIndicatorService,
  ) {
    super();
  }

  indicators(): HealthIndicatorFunction[] {
    return [
      async () =>
        this.healthIndicators.check('localState').up({ modules: this.registry.moduleIds.length, services: this.registry.serviceCount, index: this.registry.index }),
    ];
  }
}
