import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { InvalidationBus } from './invalidation-bus';

/**
 * Readiness check for the replica's Redis subscription: not ready while it is down (a write
 * elsewhere would go unheard) or back but not yet resynced (caches not yet dropped). Answers
 * at once: it reads a state the bus keeps. Inline mode has no subscription.
 */
@Injectable()
export class InvalidationSubscriptionIndicator {
  constructor(
    private readonly bus: InvalidationBus,
    private readonly indicators: HealthIndicatorService,
  ) {}

  isHealthy(key = 'invalidations'): HealthIndicatorResult {
    const indicator = this.indicators.check(key);
    const state = this.bus.subscriptionState;
    if (state === 'inline') return indicator.up({ mode: 'inline' });
    if (state === 'synced') return indicator.up();
    return indicator.down({ message: state === 'down' ? 'not subscribed to Redis' : 'subscribed again, dropping cached views' });
  }
}
