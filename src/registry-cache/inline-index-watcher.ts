import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { RedisConnections } from '../redis/redis-connections';
import { RegistryCache } from './registry-cache';
import { RegistryIndex } from './registry-index';

/** How often an inline-mode replica looks for writes made by other processes. */
export const INLINE_INDEX_POLL_MS = 1_000;

/**
 * In inline mode (no Redis) nothing tells this replica about writes from other processes,
 * typically the CLI's backfill next to a zero-config `npm start`. Every second it reads the
 * shared registry index (one tiny query) and drops the cache when another process moved it,
 * so such a write shows within two seconds instead of after the cache's maximum age.
 *
 * An index this replica has not heard of is only suspect at first: one of its own writes
 * takes its index in the statement that reads the write back, so the index can move a few
 * milliseconds before that write's message is delivered here. It is another process's if it is
 * still unheard of at the next poll, whatever this replica's own writes took since (each index
 * is checked, not the highest: see `RegistryCache.hasHeardUpTo`). An index taken by a write
 * that failed before publishing costs one needless drop.
 */
@Injectable()
export class InlineIndexWatcher implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(InlineIndexWatcher.name);
  private timer: NodeJS.Timeout | null = null;
  private polling = false;
  /** The index the last poll found, when some write up to it was not heard of here (0: none). */
  private suspect = 0;

  constructor(
    private readonly redis: RedisConnections,
    private readonly index: RegistryIndex,
    private readonly cache: RegistryCache,
  ) {}

  onModuleInit(): void {
    if (!this.redis.inline) return;
    this.timer = setInterval(() => void this.poll(), INLINE_INDEX_POLL_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const current = await this.index.current();
      if (this.suspect > 0 && !this.cache.hasHeardUpTo(this.suspect)) {
        this.cache.invalidate({ reason: 'write by another process', origin: 'registry-index', publishedAt: new Date().toISOString(), index: current });
      }
      this.suspect = this.cache.hasHeardUpTo(current) ? 0 : current;
    } catch (error) {
      this.logger.debug(`Could not read the registry index: ${(error as Error).message}`);
    } finally {
      this.polling = false;
    }
  }
}
