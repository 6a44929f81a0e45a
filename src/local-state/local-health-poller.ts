import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { healthConfig } from '../config/configuration';
import { HealthProber, HealthTarget } from '../health/health-prober';
import { InvalidationBus } from '../registry-cache/invalidation-bus';
import { LocalHealthChecks } from './local-health-checks';
import { LocalRegistry } from './local-registry';

/**
 * Health polling with local state (one replica, nothing to share): every
 * `SERVICE_HEALTH_INTERVAL_MS` each service of the local store is checked with the same
 * prober as the shared poller, at most `SERVICE_HEALTH_CONCURRENCY` at a time, and each
 * result is recorded as it arrives, so a slow or dead target never delays the others. A
 * service still being checked is not started again. A registration or patch is checked at
 * once rather than at the next round.
 */
@Injectable()
export class LocalHealthPoller implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('LocalHealthPoller');
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly queue: HealthTarget[] = [];
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;
  private running = false;

  constructor(
    @Inject(healthConfig.KEY) private readonly config: ConfigType<typeof healthConfig>,
    private readonly prober: HealthProber,
    private readonly checks: LocalHealthChecks,
    private readonly registry: LocalRegistry,
    private readonly bus: InvalidationBus,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.pollingEnabled) {
      this.logger.log('Health polling is off (APPHUB_DISABLE_SERVICE_POLLING=1)');
      return;
    }
    this.logger.log(`Health polling of the local registry every ${this.config.intervalMs} ms (timeout ${this.config.timeoutMs} ms, concurrency ${this.config.concurrency})`);
    this.running = true;
    this.unsubscribe = this.bus.subscribe((invalidation) => {
      if (invalidation.reason.startsWith('health-')) return;
      for (const slug of invalidation.services ?? []) this.enqueue(this.registry.healthTarget(slug));
    });
    this.round();
    this.timer = setInterval(() => this.round(), this.config.intervalMs);
  }

  async onModuleDestroy(): Promise<void> {
    this.running = false;
    this.unsubscribe?.();
    if (this.timer) clearInterval(this.timer);
    this.queue.length = 0;
    await Promise.all(this.inFlight.values());
  }

  private round(): void {
    for (const target of this.registry.healthTargets()) this.enqueue(target);
  }

  private enqueue(target: HealthTarget | null): void {
    if (!this.running || !target) return;
    if (this.inFlight.has(target.slug) || this.queue.some((queued) => queued.slug === target.slug)) return;
    this.queue.push(target);
    this.drain();
  }

  private drain(): void {
    while (this.running && this.inFlight.size < this.config.concurrency && this.queue.length > 0) {
      const target = this.queue.shift()!;
      const check = this.prober
        .probe(target, 'schedule')
        .then((result) => this.checks.record([result]))
        .then(
          () => undefined,
          (error: Error) => this.logger.error(`Health check of "${target.slug}" failed unexpectedly: ${error.stack ?? error.message}`),
        )
        .finally(() => {
          this.inFlight.delete(target.slug);
          this.drain();
        });
      this.inFlight.set(target.slug, check);
    }
  }
}
