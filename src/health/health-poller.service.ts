import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { SchedulerRegistry } from '@nestjs/schedule';
import { Gauge, Registry } from 'prom-client';
import { healthConfig } from '../config/configuration';
import { InvalidationBus } from '../registry-cache/invalidation-bus';
import { HealthChecks } from './health-checks.service';
import { HealthProber, HealthTarget, ProbeResult } from './health-prober';
import { HealthSnapshotRepository } from './health-snapshot.repository';

/** The poller's timer in the SchedulerRegistry. */
export const HEALTH_POLLER_TIMER = 'health-poller';

/** How long a wake-up waits, so results finishing together are stored as one batch. */
const WAKE_DELAY_MS = 20;
/** Most results stored in one transaction. */
const MAX_BATCH = 500;

/**
 * How often a replica looks for due services: a tenth of the interval, between 50 ms and
 * 1 s. A service then waits at most one tick past its due time (≤ 10% of the interval),
 * and a tick that finds nothing due costs one index probe of `next_health_check_at`.
 */
export function tickPeriodMs(intervalMs: number): number {
  return Math.min(1_000, Math.max(50, Math.round(intervalMs / 10)));
}

/**
 * Checks every registered service once per `SERVICE_HEALTH_INTERVAL_MS` across the fleet.
 *
 * Each tick (a self-rescheduling timer in the SchedulerRegistry, so ticks never overlap)
 * stores the results that came in since the last one as one batch, then claims as many due
 * services as this replica has free check slots (`SERVICE_HEALTH_CONCURRENCY`) and starts
 * their checks without waiting for them. A slow or dead target therefore holds one slot for
 * at most the timeout and never delays the others; a replica only claims work it can start
 * at once, so a busy replica leaves due services to the others. A finished check wakes the
 * loop early, so results are stored within milliseconds and freed slots are refilled.
 *
 * Any registry write other than health's own (an import, a new or patched service, on this
 * replica, another one or the CLI) also wakes the loop: the writer has set the changed
 * services' `next_health_check_at` to now(), so they are checked within milliseconds.
 */
@Injectable()
export class HealthPoller implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(HealthPoller.name);
  private readonly tickMs: number;
  /** Checks running now. */
  private readonly inFlight = new Set<Promise<void>>();
  /** Finished checks not stored yet, in the order they finished. */
  private readonly finished: ProbeResult[] = [];
  private running = false;
  private ticking: Promise<void> | null = null;
  /** A wake-up arrived during a tick: run the next one soon rather than after a full period. */
  private wokenDuringTick = false;
  private nextTickAt = Number.POSITIVE_INFINITY;
  private unsubscribe: (() => void) | null = null;
  /** The kind of the last failure reported, so an outage logs one line rather than one per tick. */
  private failure: string | null = null;

  constructor(
    @Inject(healthConfig.KEY) private readonly config: ConfigType<typeof healthConfig>,
    private readonly scheduler: SchedulerRegistry,
    private readonly prober: HealthProber,
    private readonly snapshots: HealthSnapshotRepository,
    private readonly checks: HealthChecks,
    private readonly bus: InvalidationBus,
    metrics: Registry,
  ) {
    this.tickMs = tickPeriodMs(config.intervalMs);
    const inFlight = this.inFlight;
    new Gauge({
      name: 'service_registry_health_checks_in_flight',
      help: `Health checks this replica is running now (at most SERVICE_HEALTH_CONCURRENCY)`,
      registers: [metrics],
      collect() {
        this.set(inFlight.size);
      },
    });
  }

  onApplicationBootstrap(): void {
    if (!this.config.pollingEnabled) {
      this.logger.log('Health polling is off (APPHUB_DISABLE_SERVICE_POLLING=1)');
      return;
    }
    if (this.config.timeoutMs >= this.config.intervalMs) {
      this.logger.warn(
        `SERVICE_HEALTH_TIMEOUT_MS (${this.config.timeoutMs}) is not below SERVICE_HEALTH_INTERVAL_MS (${this.config.intervalMs}): a hanging target can be checked again before its previous check ends`,
      );
    }
    this.logger.log(
      `Health polling every ${this.config.intervalMs} ms (timeout ${this.config.timeoutMs} ms, concurrency ${this.config.concurrency}, looking for due services every ${this.tickMs} ms)`,
    );
    this.running = true;
    this.unsubscribe = this.bus.subscribe((invalidation) => {
      if (!invalidation.reason.startsWith('health-')) this.checkSoon();
    });
    this.schedule(0);
  }

  /**
   * Looks for due services now rather than at the next tick. Call it after setting a
   * service's `next_health_check_at` to now() (a new service, a new `baseUrl`).
   */
  checkSoon(): void {
    this.schedule(WAKE_DELAY_MS);
  }

  /** Stops scheduling, lets running checks end (each bounded by the timeout) and stores them. */
  async onModuleDestroy(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.unsubscribe?.();
    this.cancelTimer();
    await this.ticking;
    await Promise.all(this.inFlight.values());
    await this.storeFinished();
  }

  private schedule(delayMs: number): void {
    if (!this.running) return;
    if (this.ticking) {
      this.wokenDuringTick ||= delayMs < this.tickMs;
      return;
    }
    const at = Date.now() + delayMs;
    if (this.scheduler.doesExist('timeout', HEALTH_POLLER_TIMER)) {
      if (this.nextTickAt <= at) return;
      this.cancelTimer();
    }
    this.nextTickAt = at;
    this.scheduler.addTimeout(HEALTH_POLLER_TIMER, setTimeout(() => void this.tick(), delayMs));
  }

  private cancelTimer(): void {
    if (this.scheduler.doesExist('timeout', HEALTH_POLLER_TIMER)) this.scheduler.deleteTimeout(HEALTH_POLLER_TIMER);
  }

  private async tick(): Promise<void> {
    this.cancelTimer();
    this.ticking = this.runTick().catch((error: Error) => this.failed('tick', error.stack ?? error.message));
    await this.ticking;
    this.ticking = null;
    const delay = this.wokenDuringTick ? WAKE_DELAY_MS : this.tickMs;
    this.wokenDuringTick = false;
    this.schedule(delay);
  }

  private async runTick(): Promise<void> {
    await this.storeFinished();
    const freeSlots = this.config.concurrency - this.inFlight.size;
    if (freeSlots <= 0 || !this.running) return;
    try {
      const due = await this.snapshots.claimDue(freeSlots, this.config.intervalMs);
      for (const target of due) this.start(target);
      this.recovered();
    } catch (error) {
      this.failed('claim', `could not claim due services: ${(error as Error).message}`);
    }
  }

  private start(target: HealthTarget): void {
    const check: Promise<void> = this.prober
      .probe(target, 'schedule')
      .then((result) => void this.finished.push(result))
      .catch((error: Error) => this.logger.error(`Health check of "${target.slug}" failed unexpectedly: ${error.stack ?? error.message}`))
      .finally(() => {
        this.inFlight.delete(check);
        this.schedule(WAKE_DELAY_MS);
      });
    this.inFlight.add(check);
  }

  /**
   * Stores the finished checks in batches. A batch that cannot be stored is dropped with a
   * warning: its services are due again one interval after they were claimed.
   */
  private async storeFinished(): Promise<void> {
    const results = this.finished.splice(0);
    for (const batch of batchesOfDistinctSlugs(results, MAX_BATCH)) {
      try {
        await this.checks.record(batch);
        this.recovered();
      } catch (error) {
        this.failed('store', `could not store health check results (${batch.length} dropped; checked again next interval): ${(error as Error).message}`);
      }
    }
  }

  /** Warns once per kind of failure (claim, store, …) until polling works again. */
  private failed(kind: string, message: string): void {
    if (this.failure !== kind) this.logger.warn(`Health polling: ${message}`);
    this.failure = kind;
  }

  private recovered(): void {
    if (this.failure === null) return;
    this.failure = null;
    this.logger.log('Health polling recovered');
  }
}

/**
 * Splits results into batches of at most `size` in which each slug appears once (a batch
 * gives each of its services one new version). Two results for one slug happen only when a
 * service was claimed again while a check of it was still running: after its `baseUrl`
 * changed, or with a timeout longer than the interval. The earlier result is stored first.
 */
export function batchesOfDistinctSlugs(results: ProbeResult[], size: number): ProbeResult[][] {
  const batches: { results: ProbeResult[]; slugs: Set<string> }[] = [];
  for (const result of results) {
    let batch = batches.find((candidate) => candidate.results.length < size && !candidate.slugs.has(result.target.slug));
    if (!batch) batches.push((batch = { results: [], slugs: new Set() }));
    batch.results.push(result);
    batch.slugs.add(result.target.slug);
  }
  return batches.map((batch) => batch.results);
}
