import { Registry } from 'prom-client';
import { RedisConnections } from '../redis/redis-connections';
import { InvalidationBus } from './invalidation-bus';
import { HEALTH_PATCH_WINDOW_MS, MAX_ENTRIES, PatchBatchEntry, RegistryCache } from './registry-cache';
import { CountingIndex } from '../../test/support/counting-index';

function inlineCache(maxAgeMs = 60_000): { cache: RegistryCache; bus: InvalidationBus } {
  const bus = new InvalidationBus(new RedisConnections({ url: null }), new CountingIndex());
  const config = { cacheMaxAgeMs: maxAgeMs, cacheStatsIntervalMs: 60_000 } as ConstructorParameters<typeof RegistryCache>[1];
  const cache = new RegistryCache(bus, config, new Registry());
  cache.onModuleInit();
  return { cache, bus };
}

describe('RegistryCache', () => {
  let built: number;
  const build = (value: string) => async () => {
    built += 1;
    return value;
  };

  beforeEach(() => {
    built = 0;
  });

  it('builds a key once and serves it from memory after that', async () => {
    const { cache } = inlineCache();
    expect(await cache.get('k', { kind: 'registry' }, build('a'))).toBe('a');
    expect(await cache.get('k', { kind: 'registry' }, build('b'))).toBe('a');
    expect(built).toBe(1);
    cache.onModuleDestroy();
  });

  it('shares one build between concurrent misses', async () => {
    const { cache } = inlineCache();
    const results = await Promise.all([1, 2, 3].map(() => cache.get('k', { kind: 'registry' }, build('a'))));
    expect(results).toEqual(['a', 'a', 'a']);
    expect(built).toBe(1);
    cache.onModuleDestroy();
  });

  it('rebuilds once an entry is older than the maximum age', async () => {
    const { cache } = inlineCache(0);
    await cache.get('k', { kind: 'registry' }, build('a'));
    expect(await cache.get('k', { kind: 'registry' }, build('b'))).toBe('b');
    cache.onModuleDestroy();
  });

  it('serves a view for SERVICE_REGISTRY_CACHE_MAX_AGE_MS after it was built, then rebuilds it (fake clock)', async () => {
    jest.useFakeTimers();
    try {
      const { cache } = inlineCache(30_000);
      expect(await cache.get('k', { kind: 'registry' }, build('a'))).toBe('a');
      jest.advanceTimersByTime(29_999);
      expect(await cache.get('k', { kind: 'registry' }, build('b'))).toBe('a');
      jest.advanceTimersByTime(1);
      expect(await cache.get('k', { kind: 'registry' }, build('c'))).toBe('c');
      jest.advanceTimersByTime(29_999);
      expect(await cache.get('k', { kind: 'registry' }, build('d'))).toBe('c');
      expect(built).toBe(2);
      cache.onModuleDestroy();
    } finally {
      jest.useRealTimers();
    }
  });

  it('serves an expired view while the database is unavailable, but not after other errors', async () => {
    const { cache } = inlineCache(0);
    await cache.get('k', { kind: 'registry' }, build('old'));
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    expect(await cache.get('k', { kind: 'registry' }, () => Promise.reject(refused))).toBe('old');
    await expect(cache.get('k', { kind: 'registry' }, () => Promise.reject(new Error('syntax error')))).rejects.toThrow('syntax error');
    cache.onModuleDestroy();
  });

  it('drops registry views on any write, and per-slug views only when the write names the slug', async () => {
    const { cache, bus } = inlineCache();
    await cache.get('list', { kind: 'registry' }, build('list-1'));
    await cache.get('manifests:a', { kind: 'service', slug: 'a' }, build('a-1'));
    await cache.get('manifests:b', { kind: 'service', slug: 'b' }, build('b-1'));
    await bus.publish({ reason: 'test', services: ['a'] });
    expect(await cache.get('list', { kind: 'registry' }, build('list-2'))).toBe('list-2');
    expect(await cache.get('manifests:a', { kind: 'service', slug: 'a' }, build('a-2'))).toBe('a-2');
    expect(await cache.get('manifests:b', { kind: 'service', slug: 'b' }, build('b-2'))).toBe('b-1');
    await bus.publish({ reason: 'everything' });
    expect(await cache.get('manifests:b', { kind: 'service', slug: 'b' }, build('b-3'))).toBe('b-3');
    expect(cache.index).toBe(2);
    cache.onModuleDestroy();
  });

  it('does not keep a view whose build raced a write', async () => {
    const { cache, bus } = inlineCache();
    let release!: () => void;
    const slow = cache.get('k', { kind: 'registry' }, () => new Promise<string>((resolve) => (release = () => resolve('stale'))));
    await bus.publish({ reason: 'write during the build' });
    release();
    expect(await slow).toBe('stale');
    expect(await cache.get('k', { kind: 'registry' }, build('fresh'))).toBe('fresh');
    cache.onModuleDestroy();
  });

  it(`keeps at most ${MAX_ENTRIES} views, dropping the oldest`, async () => {
    const { cache } = inlineCache();
    for (let n = 0; n <= MAX_ENTRIES; n += 1) await cache.get(`k${n}`, { kind: 'registry' }, build(`v${n}`));
    expect(await cache.get('k0', { kind: 'registry' }, build('rebuilt'))).toBe('rebuilt');
    expect(await cache.get(`k${MAX_ENTRIES}`, { kind: 'registry' }, build('rebuilt'))).toBe(`v${MAX_ENTRIES}`);
    cache.onModuleDestroy();
  });

  it('wakes a watcher when the index passes its value', async () => {
    const { cache, bus } = inlineCache();
    const woken = cache.waitForChange(0, 10_000).then(() => cache.index);
    await bus.publish({ reason: 'write' });
    expect(await woken).toBe(1);
    cache.onModuleDestroy();
  });
  describe('upserts', () => {
    const upsert = (slug: string) => ({ view: { slug }, moduleIds: [] });

    it('patches through the handler instead of dropping registry views; per-slug views it names still go', async () => {
      const { cache, bus } = inlineCache();
      const batches: PatchBatchEntry[][] = [];
      cache.onPatch((batch) => batches.push(batch));
      await cache.get('list', { kind: 'registry' }, build('list-1'));
      await cache.get('manifests:a', { kind: 'service', slug: 'a' }, build('a-1'));
      await bus.publish({ reason: 'service-patch', services: ['a'], upserts: [upsert('a')] });
      expect(batches).toEqual([[{ index: 1, upserts: [upsert('a')], health: false }]]);
      expect(await cache.get('list', { kind: 'registry' }, build('list-2'))).toBe('list-1');
      expect(await cache.get('manifests:a', { kind: 'service', slug: 'a' }, build('a-2'))).toBe('a-2');
      expect(cache.index).toBe(1);
      cache.onModuleDestroy();
    });

    it('applies health results that arrive within one window together, and moves the index with them (fake clock)', async () => {
      jest.useFakeTimers();
      try {
        const { cache, bus } = inlineCache();
        const batches: PatchBatchEntry[][] = [];
        cache.onPatch((batch) => batches.push(batch));
        cache.observeIndex(0); // the replica read the registry at index 0
        await bus.publish({ reason: 'health-check', services: ['a'], upserts: [upsert('a')] });
        await bus.publish({ reason: 'health-check', services: ['b'], upserts: [upsert('b')] });
        expect(batches).toHaveLength(0);
        expect(cache.index).toBe(0);
        expect(cache.hasHeardUpTo(2)).toBe(true); // pending in the window, but heard of
        expect(cache.hasHeardUpTo(3)).toBe(false);
        await jest.advanceTimersByTimeAsync(HEALTH_PATCH_WINDOW_MS);
        expect(batches).toHaveLength(1);
        expect(batches[0].map((entry) => entry.index)).toEqual([1, 2]);
        expect(cache.index).toBe(2);
        cache.onModuleDestroy();
      } finally {
        jest.useRealTimers();
      }
    });

    it('remembers which services changed after an index, and asks for a resync past a write that named everything', async () => {
      const { cache, bus } = inlineCache();
      cache.onPatch(() => undefined);
      cache.observeIndex(0);
      await bus.publish({ reason: 'service-patch', services: ['a'], upserts: [upsert('a')] });
      await bus.publish({ reason: 'service-register', services: ['b'], upserts: [upsert('b')] });
      expect(cache.changesSince(0, 2, 'changes')).toEqual({ slugs: new Set(['a', 'b']) });
      expect(cache.changesSince(1, 2, 'changes')).toEqual({ slugs: new Set(['b']) });
      await bus.publish({ reason: 'backfill' });
      expect(cache.changesSince(1, 3, 'changes')).toBe('resync');
      expect(cache.changesSince(3, 3, 'changes')).toEqual({ slugs: new Set() });
      cache.onModuleDestroy();
    });

    it('leaves out services whose only change was a new health check unless every check is asked for', async () => {
      const { cache, bus } = inlineCache();
      cache.onPatch(() => undefined);
      cache.observeIndex(0);
      await bus.publish({ reason: 'health-check-now', services: ['a', 'b'], upserts: [upsert('a'), upsert('b')], checksOnly: ['a'] });
      expect(cache.changesSince(0, 1, 'changes')).toEqual({ slugs: new Set(['b']) });
      expect(cache.changesSince(0, 1, 'all')).toEqual({ slugs: new Set(['a', 'b']) });
      await bus.publish({ reason: 'service-patch', services: ['a'], upserts: [upsert('a')] });
      expect(cache.changesSince(0, 2, 'changes')).toEqual({ slugs: new Set(['a', 'b']) });
      expect(cache.changesSince(1, 2, 'changes')).toEqual({ slugs: new Set(['a']) });
      cache.onModuleDestroy();
    });
  });
});
