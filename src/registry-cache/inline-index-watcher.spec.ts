import { Logger } from '@nestjs/common';
import { Registry } from 'prom-client';
import { RedisConnections } from '../redis/redis-connections';
import { INLINE_INDEX_POLL_MS, InlineIndexWatcher } from './inline-index-watcher';
import { InvalidationBus } from './invalidation-bus';
import { RegistryCache } from './registry-cache';
import { CountingIndex } from '../../test/support/counting-index';

/** The inline-mode watcher on Jest's fake clock; the index is a counter another process (the CLI) may advance unseen. */
function setUp(redis: RedisConnections) {
  const index = new CountingIndex();
  const bus = new InvalidationBus(redis, index);
  const config = { cacheMaxAgeMs: 60 * 60 * 1_000, cacheStatsIntervalMs: 60 * 60 * 1_000 } as ConstructorParameters<typeof RegistryCache>[1];
  const cache = new RegistryCache(bus, config, new Registry());
  cache.onModuleInit();
  const watcher = new InlineIndexWatcher(redis, index, cache);
  return { index, cache, watcher };
}

/**
 * An inline-mode replica that read the registry at index 0, with its watcher polling and the
 * services directory's patch handler (writes' upserts patch views in place), and `read`, a
 * cached view that counts its builds.
 */
function watching() {
  const setup = setUp(new RedisConnections({ url: null }));
  setup.watcher.onModuleInit();
  setup.cache.onPatch(() => undefined);
  setup.cache.observeIndex(0);
  let builds = 0;
  const read = () => setup.cache.get('list', { kind: 'registry' }, async () => `view-${++builds}`);
  return { ...setup, read };
}

/** The message of a write on this replica that patches the cached views (they stay). */
const ownPatch = (index: number) => ({
  reason: 'service-patch',
  origin: 'this replica',
  publishedAt: new Date().toISOString(),
  index,
  services: ['svc'],
  upserts: [{ view: { slug: 'svc' }, moduleIds: [] }],
});

describe('InlineIndexWatcher (fake clock)', () => {
  beforeEach(() => {
    jest.useFakeTimers();
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  });

  afterEach(() => {
    jest.restoreAllMocks();
    jest.useRealTimers();
  });

  it("drops the cache at the second poll that finds an index another process moved, and not before", async () => {
    const { index, cache, watcher, read } = watching();
    expect(await read()).toBe('view-1');

    await jest.advanceTimersByTimeAsync(INLINE_INDEX_POLL_MS); // a poll that finds nothing new
    expect(await read()).toBe('view-1');
    await index.advance(); // the CLI commits a backfill
    await jest.advanceTimersByTimeAsync(INLINE_INDEX_POLL_MS); // suspect: it may be one of this replica's own writes
    expect(await read()).toBe('view-1');
    await jest.advanceTimersByTimeAsync(INLINE_INDEX_POLL_MS - 1);
    expect(await read()).toBe('view-1');
    await jest.advanceTimersByTimeAsync(1);
    expect(await read()).toBe('view-2');
    expect(cache.index).toBe(1);

    watcher.onModuleDestroy();
    await index.advance();
    await jest.advanceTimersByTimeAsync(10 * INLINE_INDEX_POLL_MS);
    expect(await read()).toBe('view-2');
    cache.onModuleDestroy();
  });

  it("keeps the cache when the index it found was this replica's own write, delivered before the next poll", async () => {
    const { index, cache, watcher, read } = watching();
    expect(await read()).toBe('view-1');

    const taken = await index.advance(); // a local write took its index; its message is not delivered yet
    await jest.advanceTimersByTimeAsync(INLINE_INDEX_POLL_MS);
    expect(await read()).toBe('view-1');
    cache.invalidate(ownPatch(taken));
    await jest.advanceTimersByTimeAsync(3 * INLINE_INDEX_POLL_MS);
    expect(await read()).toBe('view-1');
    watcher.onModuleDestroy();
    cache.onModuleDestroy();
  });

  it("drops the cache for another process's write even when this replica's own write took a later index before the next poll", async () => {
    const { index, cache, watcher, read } = watching();
    expect(await read()).toBe('view-1');

    await index.advance(); // the CLI commits a backfill (index 1)
    await jest.advanceTimersByTimeAsync(INLINE_INDEX_POLL_MS); // suspect
    cache.invalidate(ownPatch(await index.advance())); // then a write on this replica (index 2), delivered at once
    expect(await read()).toBe('view-1');
    await jest.advanceTimersByTimeAsync(INLINE_INDEX_POLL_MS);
    expect(await read()).toBe('view-2');
    // Accounted for since: no more drops.
    await jest.advanceTimersByTimeAsync(3 * INLINE_INDEX_POLL_MS);
    expect(await read()).toBe('view-2');
    watcher.onModuleDestroy();
    cache.onModuleDestroy();
  });

  it('does not poll when Redis carries the invalidations', async () => {
    const { index, cache, watcher } = setUp({ inline: false, command: null, subscriber: null } as unknown as RedisConnections);
    watcher.onModuleInit();
    await jest.advanceTimersByTimeAsync(10 * INLINE_INDEX_POLL_MS);
    expect(index.reads).toBe(0);
    expect(jest.getTimerCount()).toBe(1); // the cache's stats timer only
    watcher.onModuleDestroy();
    cache.onModuleDestroy();
  });
});
