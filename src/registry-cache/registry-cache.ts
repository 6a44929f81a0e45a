import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { Counter, Gauge, Registry } from 'prom-client';
import { registryConfig } from '../config/configuration';
import { isDatabaseUnavailable } from '../database/database-unavailable';
import { InvalidationEnvelope, isHealthUpdate, ServicePatch } from './invalidation';
import { InvalidationBus } from './invalidation-bus';
import { JsonView } from './json-view';

/**
 * What a cached value depends on. `registry` entries (the services list and everything
 * derived from it) are dropped by every invalidation; the others only when the message
 * names them (or names nothing, which means everything).
 */
export type CacheDependency =
  | { kind: 'registry' }
  | { kind: 'service'; slug: string }
  | { kind: 'network'; id: string }
  | { kind: 'networks' }
  | { kind: 'module'; id: string };

/** A write's upserts, in the order they are applied. */
export interface PatchBatchEntry {
  index: number | undefined;
  upserts: ServicePatch[];
  /** Health results only: views may lag by a moment (coalesced). */
  health: boolean;
  /** Slugs among the upserts whose change was only a new check (see `Invalidation.checksOnly`). */
  checksOnly?: string[];
}

/** Applies a batch of upserts to the cached data it owns (the services directory registers one). */
export type PatchHandler = (batch: PatchBatchEntry[]) => void;

/**
 * Which changes a delta watcher is told of: `changes` skips services whose only change was a
 * new health check (time, latency, counters), `all` reports every check as well.
 */
export type DeltaHealth = 'changes' | 'all';

/** What changed after an index, for delta watchers: the slugs, or `resync` when this replica cannot tell. */
export type ChangesSince = { slugs: Set<string> } | 'resync';

/**
 * Health results arriving within this window are applied together: views are re-serialised at
 * most once per window, however many batches the pollers store.
 */
export const HEALTH_PATCH_WINDOW_MS = 1_000;

/** Changes remembered for delta watchers (one entry per write); older ones answer "resync". */
export const MAX_CHANGE_LOG = 10_000;

/** Distinct slugs the change log keeps one string of (more than any registry has services). */
const MAX_SLUG_NAMES = 100_000;

/** At most one "serving expired views" warning this often, however many reads hit it. */
const STALE_WARNING_EVERY_MS = 10_000;

/** Most views one replica keeps (each filter combination of `/services` is one). */
export const MAX_ENTRIES = 1_000;

interface Entry {
  value: unknown;
  builtAt: number;
  dependency: CacheDependency;
}

/**
 * The per-replica cache of registry views. Entries are built on a miss (concurrent misses
 * of one key share one build), dropped by invalidations from any replica or the CLI, and
 * rebuilt after `SERVICE_REGISTRY_CACHE_MAX_AGE_MS` so that a lost message cannot leave a
 * replica stale for long. Counts hits and misses for logs and `/metrics`.
 */
@Injectable()
export class RegistryCache implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(RegistryCache.name);
  private readonly entries = new Map<string, Entry>();
  private readonly builds = new Map<string, { generation: number; promise: Promise<unknown> }>();
  private readonly indexWaiters = new Set<() => void>();
  private readonly patchHandlers = new Set<PatchHandler>();
  private pendingPatches: PatchBatchEntry[] = [];
  private patchTimer: NodeJS.Timeout | null = null;
  /**
   * Writes this replica applied, by index (ascending): `slugs` the services that changed (null
   * when a write named everything), `checks` those whose change was only a new health check.
   */
  private readonly changeLog: { index: number; slugs: string[] | null; checks: string[] }[] = [];
  /** The log answers for changes after this index; null until this replica knows where it starts. */
  private changeLogStart: number | null = null;
  /**
   * One string per slug for the change log: each write's message brings its own copies, and the
   * log (10,000 writes, ~30 a second under polling) would keep hundreds of thousands of them.
   */
  private readonly slugNames = new Map<string, string>();
  /** Bumped by every invalidation: a build that started before it must not be stored. */
  private generation = 0;
  /** Highest registry index this replica has heard of (from invalidations or reads). */
  private knownIndex = 0;
  /**
   * Every registry index up to this one is accounted for here: read with the data, or the index
   * of a message received (applied, or pending in the coalescing window); null before the first
   * read. Indexes heard above a gap wait in `heardAbove` until the gap is filled.
   */
  private heardUpTo: number | null = null;
  private readonly heardAbove = new Set<number>();
  private readonly hitsTotal: Counter;
  private readonly missesTotal: Counter;
  private readonly invalidationsTotal: Counter<'origin'>;
  private windowHits = 0;
  private windowMisses = 0;
  private totalHits = 0;
  private totalMisses = 0;
  private unsubscribe: (() => void) | null = null;
  private closing = false;
  private lastStaleWarningAt = 0;
  private statsTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly bus: InvalidationBus,
    @Inject(registryConfig.KEY) private readonly config: ConfigType<typeof registryConfig>,
    metrics: Registry,
  ) {
    this.hitsTotal = new Counter({ name: 'service_registry_cache_hits_total', help: 'Registry reads answered from the replica cache', registers: [metrics] });
    this.missesTotal = new Counter({ name: 'service_registry_cache_misses_total', help: 'Registry reads that had to query Postgres', registers: [metrics] });
    this.invalidationsTotal = new Counter({
      name: 'service_registry_cache_invalidations_total',
      help: 'Invalidations applied to the replica cache, by origin (local write or another process)',
      labelNames: ['origin'],
      registers: [metrics],
    });
    const cache = this;
    new Gauge({
      name: 'service_registry_cache_hit_ratio',
      help: 'Hits / (hits + misses) since start',
      registers: [metrics],
      collect() {
        const lookups = cache.totalHits + cache.totalMisses;
        this.set(lookups === 0 ? 0 : cache.totalHits / lookups);
      },
    });
  }

  onModuleInit(): void {
    this.unsubscribe = this.bus.subscribe((envelope) => this.invalidate(envelope));
    this.statsTimer = setInterval(() => this.logStats(), this.config.cacheStatsIntervalMs);
    this.statsTimer.unref();
  }

  /** True once shutdown began: watchers answer now instead of waiting on. */
  get isClosing(): boolean {
    return this.closing;
  }

  onModuleDestroy(): void {
    this.closing = true;
    this.unsubscribe?.();
    if (this.statsTimer) clearInterval(this.statsTimer);
    if (this.patchTimer) clearTimeout(this.patchTimer);
    this.logStats();
    for (const wake of this.indexWaiters) wake();
  }

  /** The registry index this replica knows to be current (never goes down). */
  get index(): number {
    return this.knownIndex;
  }

  /**
   * Whether every write up to `index` reached this replica: by its message (health results still
   * in their coalescing window included) or in data read at or after it. A write it did not hear
   * of stays missing even when later ones arrive.
   */
  hasHeardUpTo(index: number): boolean {
    return this.heardUpTo !== null && this.heardUpTo >= index;
  }

  /**
   * The cached value of `key` if it is fresh, counted as a hit; `undefined` (not counted) if not:
   * the caller then takes the ordinary path, `get`, which counts the miss.
   */
  hit<T>(key: string): T | undefined {
    const entry = this.entries.get(key);
    if (!entry || Date.now() - entry.builtAt >= this.config.cacheMaxAgeMs) return undefined;
    this.count(true);
    return entry.value as T;
  }

  /** The cached value of `key` if it is fresh, without counting a lookup (for patching). */
  peek<T>(key: string): T | undefined {
    const entry = this.entries.get(key);
    return entry && Date.now() - entry.builtAt < this.config.cacheMaxAgeMs ? (entry.value as T) : undefined;
  }

  /** `SERVICE_REGISTRY_CACHE_MAX_AGE_MS`: how long a value is served after it was built. */
  get maxAgeMs(): number {
    return this.config.cacheMaxAgeMs;
  }

  /**
   * Builds `key` anew in the background while its current value is still served, and stores
   * the result as a fresh entry unless a write raced the build. Resolves with the new value, or
   * undefined when it was not stored (a raced build, or an error: the old value stays until it
   * expires, and the next read rebuilds it the ordinary way).
   */
  async refresh<T>(key: string, dependency: CacheDependency, build: () => Promise<T>): Promise<T | undefined> {
    const generation = this.generation;
    try {
      const value = await build();
      if (generation !== this.generation) return undefined;
      this.store(key, { value, builtAt: Date.now(), dependency });
      return value;
    } catch (error) {
      this.logger.debug(`Could not refresh ${key}: ${(error as Error).message}`);
      return undefined;
    }
  }

  /** Stores a value derived from a freshly built one (it ages from now). */
  put(key: string, dependency: CacheDependency, value: unknown): void {
    this.store(key, { value, builtAt: Date.now(), dependency });
  }

  /** Replaces a cached value by one derived from a patched source; it keeps its age (so still expires on time). */
  replace(key: string, value: unknown): boolean {
    const entry = this.entries.get(key);
    if (!entry) return false;
    retain(value);
    release(entry.value);
    entry.value = value;
    return true;
  }

  delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    release(entry.value);
  }

  /** Registers the owner of data that upserts can patch; without one, messages with upserts drop views as any other. */
  onPatch(handler: PatchHandler): () => void {
    this.patchHandlers.add(handler);
    return () => this.patchHandlers.delete(handler);
  }

  /** The cached value of `key`, or the result of `build` (stored unless a write raced it). */
  async get<T>(key: string, dependency: CacheDependency, build: () => Promise<T>): Promise<T> {
    const entry = this.entries.get(key);
    if (entry && Date.now() - entry.builtAt < this.config.cacheMaxAgeMs) {
      this.count(true);
      return entry.value as T;
    }
    this.count(false);
    const pending = this.builds.get(key);
    if (pending && pending.generation === this.generation) return pending.promise as Promise<T>;

    const generation = this.generation;
    const promise = build().then(
      (value) => {
        if (this.builds.get(key)?.promise === promise) this.builds.delete(key);
        if (generation === this.generation) this.store(key, { value, builtAt: Date.now(), dependency });
        return value;
      },
      (error: unknown) => {
        if (this.builds.get(key)?.promise === promise) this.builds.delete(key);
        // Stale beats nothing while the database is away: an expired (never an invalidated)
        // view is served until a rebuild succeeds.
        const expired = this.entries.get(key);
        if (expired && isDatabaseUnavailable(error)) {
          if (Date.now() - this.lastStaleWarningAt > STALE_WARNING_EVERY_MS) {
            this.lastStaleWarningAt = Date.now();
            this.logger.warn(`Serving expired views (e.g. ${key}): the database is unavailable`);
          }
          return expired.value as T;
        }
        throw error;
      },
    );
    this.builds.set(key, { generation, promise });
    return promise;
  }

  /**
   * Keeps at most `MAX_ENTRIES` views: filter values are client input, so without a bound a
   * stream of distinct `?kind=` values could grow the cache until the next invalidation.
   * The oldest entry goes first (a Map iterates in insertion order).
   */
  private store(key: string, entry: Entry): void {
    retain(entry.value);
    this.delete(key);
    this.entries.set(key, entry);
    while (this.entries.size > MAX_ENTRIES) this.delete(this.entries.keys().next().value!);
  }

  /** Records an index observed in data read from Postgres. */
  observeIndex(index: number): void {
    this.accountUpTo(index);
    if (this.changeLogStart === null) this.changeLogStart = index;
    if (index > this.knownIndex) {
      this.knownIndex = index;
      this.wakeIndexWaiters();
    }
  }

  /**
   * Resolves once something invalidates the cache or this replica learns of an index above
   * `index`, or after `timeoutMs`: the caller then re-reads and decides whether to wait more.
   */
  waitForChange(index: number, timeoutMs: number): Promise<void> {
    if (this.knownIndex > index) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.indexWaiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.indexWaiters.add(done);
    });
  }

  /**
   * Applies a write's message. One that carries upserts (health results, registrations,
   * patches) patches the cached dataset in place through the patch handlers, health results
   * coalesced for up to HEALTH_PATCH_WINDOW_MS; only per-slug views it names are dropped. Any
   * other message drops every view it may affect (everything, when it names nothing).
   */
  invalidate(envelope: InvalidationEnvelope): void {
    if (envelope.index !== undefined) this.hear(envelope.index);
    this.invalidationsTotal.inc({ origin: envelope.origin === this.bus.origin ? 'local' : 'remote' });
    if (envelope.upserts && envelope.upserts.length > 0 && this.patchHandlers.size > 0) {
      for (const [key, entry] of this.entries) {
        if (entry.dependency.kind === 'service' && this.affected(entry.dependency, envelope)) this.delete(key);
      }
      const health = isHealthUpdate(envelope);
      this.pendingPatches.push({ index: envelope.index, upserts: envelope.upserts, health, checksOnly: envelope.checksOnly });
      if (!health) this.flushPatches();
      else if (!this.patchTimer) this.patchTimer = setTimeout(() => this.flushPatches(), HEALTH_PATCH_WINDOW_MS);
      return;
    }
    this.flushPatches();
    this.generation += 1;
    const named = [envelope.services, envelope.networks, envelope.modules].some((list) => list !== undefined && list.length > 0);
    // Everything is read again: whatever was written up to this message's index is accounted for.
    if (!named && envelope.index !== undefined) this.accountUpTo(envelope.index);
    for (const [key, entry] of this.entries) {
      if (!named || this.affected(entry.dependency, envelope)) this.delete(key);
    }
    // Networks do not change services; modules may change which services a module filter finds.
    const slugs = !named || (envelope.modules?.length ?? 0) > 0 ? null : (envelope.services ?? []);
    this.logChange(envelope.index, slugs, envelope.checksOnly);
    if (envelope.index !== undefined && envelope.index > this.knownIndex) this.knownIndex = envelope.index;
    this.wakeIndexWaiters();
  }

  /** Applies the pending upserts (in index order), then wakes watchers: data and index move together. */
  private flushPatches(): void {
    if (this.patchTimer) {
      clearTimeout(this.patchTimer);
      this.patchTimer = null;
    }
    if (this.pendingPatches.length === 0) return;
    const batch = this.pendingPatches.sort((a, b) => (a.index ?? Infinity) - (b.index ?? Infinity));
    this.pendingPatches = [];
    for (const handler of this.patchHandlers) {
      try {
        handler(batch);
      } catch (error) {
        this.logger.error(`Could not patch the cache (dropping it instead): ${(error as Error).message}`);
        this.generation += 1;
        for (const key of [...this.entries.keys()]) this.delete(key);
      }
    }
    for (const entry of batch) {
      this.logChange(
        entry.index,
        entry.upserts.map((upsert) => upsert.view.slug),
        entry.checksOnly,
      );
      if (entry.index !== undefined && entry.index > this.knownIndex) this.knownIndex = entry.index;
    }
    this.wakeIndexWaiters();
  }

  private logChange(index: number | undefined, slugs: string[] | null, checksOnly: string[] = []): void {
    if (index === undefined) {
      // A write whose index is unknown cannot be placed: deltas restart from the next known index.
      this.changeLog.length = 0;
      this.changeLogStart = null;
      return;
    }
    if (slugs !== null) slugs = slugs.map((slug) => this.slugName(slug));
    let at = this.changeLog.length;
    while (at > 0 && this.changeLog[at - 1].index > index) at -= 1;
    let entry: { index: number; slugs: string[] | null; checks: string[] } = { index, slugs, checks: [] };
    if (slugs !== null && checksOnly.length > 0) {
      const checks = new Set(checksOnly);
      entry = { index, slugs: slugs.filter((slug) => !checks.has(slug)), checks: slugs.filter((slug) => checks.has(slug)) };
    }
    this.changeLog.splice(at, 0, entry);
    if (this.changeLog.length > MAX_CHANGE_LOG) {
      const dropped = this.changeLog.splice(0, this.changeLog.length - MAX_CHANGE_LOG);
      this.changeLogStart = Math.max(this.changeLogStart ?? 0, dropped[dropped.length - 1].index);
    }
  }

  private hear(index: number): void {
    if (this.heardUpTo !== null && index <= this.heardUpTo) return;
    // Bounded: before the first read, or behind a gap no read fills, the oldest are forgotten.
    if (this.heardAbove.size >= MAX_CHANGE_LOG) this.heardAbove.clear();
    this.heardAbove.add(index);
    this.closeGaps();
  }

  /** Everything up to `index` is accounted for (data read at it, or a message that drops every view). */
  private accountUpTo(index: number): void {
    if (this.heardUpTo !== null && index <= this.heardUpTo) return;
    this.heardUpTo = index;
    for (const heard of this.heardAbove) if (heard <= index) this.heardAbove.delete(heard);
    this.closeGaps();
  }

  private closeGaps(): void {
    while (this.heardUpTo !== null && this.heardAbove.delete(this.heardUpTo + 1)) this.heardUpTo += 1;
  }

  private slugName(slug: string): string {
    const known = this.slugNames.get(slug);
    if (known !== undefined) return known;
    // Bounded: slugs of services removed long ago go with the rest, and are looked up afresh.
    if (this.slugNames.size >= MAX_SLUG_NAMES) this.slugNames.clear();
    this.slugNames.set(slug, slug);
    return slug;
  }

  /**
   * The services that changed after `since` up to `upTo` (both registry indexes), or `resync`
   * when this replica cannot say: `since` is older than what it remembers, or a write in
   * between named everything. With `health: 'changes'`, a service whose only changes were new
   * health checks is left out.
   */
  changesSince(since: number, upTo: number, health: DeltaHealth): ChangesSince {
    if (this.changeLogStart === null || since < this.changeLogStart) return 'resync';
    const slugs = new Set<string>();
    for (let at = this.changeLog.length - 1; at >= 0; at -= 1) {
      const change = this.changeLog[at];
      if (change.index <= since) break;
      if (change.index > upTo) continue;
      if (change.slugs === null) return 'resync';
      for (const slug of change.slugs) slugs.add(slug);
      if (health === 'all') for (const slug of change.checks) slugs.add(slug);
    }
    return { slugs };
  }

  private affected(dependency: CacheDependency, envelope: InvalidationEnvelope): boolean {
    switch (dependency.kind) {
      case 'registry':
        return true;
      case 'service':
        return envelope.services?.includes(dependency.slug) ?? false;
      case 'network':
        return envelope.networks?.includes(dependency.id) ?? false;
      case 'networks':
        return (envelope.networks?.length ?? 0) > 0;
      case 'module':
        return envelope.modules?.includes(dependency.id) ?? false;
    }
  }

  private wakeIndexWaiters(): void {
    for (const wake of [...this.indexWaiters]) wake();
  }

  private count(hit: boolean): void {
    if (hit) {
      this.windowHits += 1;
      this.totalHits += 1;
      this.hitsTotal.inc();
    } else {
      this.windowMisses += 1;
      this.totalMisses += 1;
      this.missesTotal.inc();
    }
  }

  private logStats(): void {
    const lookups = this.windowHits + this.windowMisses;
    if (lookups === 0) return;
    const total = this.totalHits + this.totalMisses;
    this.logger.log(
      `[service-registry] cache hits=${this.windowHits} misses=${this.windowMisses} ratio=${(this.windowHits / lookups).toFixed(3)} ` +
        `(since start: hits=${this.totalHits} misses=${this.totalMisses} ratio=${(this.totalHits / total).toFixed(3)}, entries=${this.entries.size})`,
    );
    this.windowHits = 0;
    this.windowMisses = 0;
  }
}

/** A cached view's bytes are in use while it is an entry (see `JsonView.retain`); other values need no count. */
function retain(value: unknown): void {
  if (value instanceof JsonView) value.retain();
}

function release(value: unknown): void {
  if (value instanceof JsonView) value.release();
}
