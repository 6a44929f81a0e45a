import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { SchedulerRegistry } from '@nestjs/schedule';
import { healthConfig } from '../config/configuration';
import { InvalidationBus } from '../registry-cache/invalidation-bus';
import { HealthSnapshotRepository } from './health-snapshot.repository';

/** The retention job's timer in the SchedulerRegistry. */
export const HEALTH_RETENTION_TIMER = 'health-retention';
/** Retention runs at start and then hourly. */
const RUN_EVERY_MS = 60 * 60 * 1_000;
/** Rows per DELETE: short statements, short row locks. */
const BATCH_SIZE = 5_000;
/** Batches per run: a run removes at most 500 000 rows; a bigger backlog continues next run. */
const MAX_BATCHES_PER_RUN = 100;

export interface RetentionRun {
  deleted: number;
  /** False when the run stopped at its bound (or at shutdown) with old rows left. */
  complete: boolean;
}

/**
 * Prunes health snapshots older than `SERVICE_HEALTH_RETENTION_DAYS`, always keeping each
 * service's latest one. Runs at start and hourly on every replica; replicas pruning at the
 * same time take disjoint rows (`SKIP LOCKED`), so running everywhere costs nothing extra.
 */
@Injectable()
export class HealthRetention implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(HealthRetention.name);
  private current: Promise<RetentionRun> | null = null;
  private stopping = false;

  constructor(
    @Inject(healthConfig.KEY) private readonly config: ConfigType<typeof healthConfig>,
    private readonly scheduler: SchedulerRegistry,
    private readonly snapshots: HealthSnapshotRepository,
    private readonly bus: InvalidationBus,
  ) {}

  onApplicationBootstrap(): void {
    this.scheduler.addInterval(HEALTH_RETENTION_TIMER, setInterval(() => void this.runLogged(), RUN_EVERY_MS));
    void this.runLogged();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    if (this.scheduler.doesExist('interval', HEALTH_RETENTION_TIMER)) this.scheduler.deleteInterval(HEALTH_RETENTION_TIMER);
    await this.current?.catch(() => undefined);
  }

  /** One retention run (or the run already in progress): batches until no old row is left, bounded. */
  prune(): Promise<RetentionRun> {
    this.current ??= this.pruneBatches().finally(() => (this.current = null));
    return this.current;
  }

  private async pruneBatches(): Promise<RetentionRun> {
    const slugs = new Set<string>();
    let deleted = 0;
    let complete = false;
    try {
      for (let batch = 0; batch < MAX_BATCHES_PER_RUN && !this.stopping; batch++) {
        const pruned = await this.snapshots.pruneBatch(this.config.retentionDays, BATCH_SIZE);
        deleted += pruned.deleted;
        pruned.slugs.forEach((slug) => slugs.add(slug));
        if (pruned.deleted < BATCH_SIZE) {
          complete = true;
          break;
        }
      }
    } finally {
      // History pages of these services changed; what was deleted before a failure is gone too.
      if (slugs.size > 0) await this.bus.publish({ reason: 'health-retention', services: [...slugs] });
    }
    return { deleted, complete };
  }

  private async runLogged(): Promise<void> {
    try {
      const run = await this.prune();
      if (run.deleted > 0 || !run.complete) {
        const rest = run.complete ? '' : '; older rows remain for the next run';
        this.logger.log(`Pruned ${run.deleted} health snapshot(s) older than ${this.config.retentionDays} day(s)${rest}`);
      } else {
        this.logger.debug(`No health snapshot older than ${this.config.retentionDays} day(s) to prune`);
      }
    } catch (error) {
      this.logger.warn(`Health snapshot retention failed, retrying next run: ${(error as Error).message}`);
    }
  }
}
