import { Logger } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { Registry } from 'prom-client';
import { RedisConnections } from '../redis/redis-connections';
import { InvalidationBus } from '../registry-cache/invalidation-bus';
import { HealthChecks } from './health-checks.service';
import { HealthPoller } from './health-poller.service';
import { HealthProber, HealthTarget, ProbeResult } from './health-prober';
import { HealthSnapshotRepository } from './health-snapshot.repository';
import { CountingIndex } from '../../test/support/counting-index';

/**
 * The poller's scheduling (ticks, wake-ups, check slots, batching, shutdown) on Jest's fake
 * clock: every time below is exact, whatever the machine is doing. The database and the
 * targets are replaced by small in-memory models of what the poller relies on: `claimDue`
 * hands out services whose due time has come and moves them one interval on (the SQL and its
 * claiming window are tested against Postgres in test/health/health-claiming.e2e-spec.ts);
 * a target answers after its latency, or at the check timeout if it hangs.
 */

/** Services and their due times, on the fake clock. */
class DueServices {
  private readonly due = new Map<string, number>();
  readonly claims: { at: number; limit: number; slugs: string[] }[] = [];

  add(slug: string, dueAt = Date.now()): void {
    this.due.set(slug, dueAt);
  }

  async claimDue(limit: number, intervalMs: number): Promise<HealthTarget[]> {
    const now = Date.now();
    const slugs = [...this.due.entries()]
      .filter(([, dueAt]) => dueAt <= now)
      .sort((a, b) => a[1] - b[1])
      .slice(0, limit)
      .map(([slug]) => slug);
    for (const slug of slugs) this.due.set(slug, now + intervalMs);
    this.claims.push({ at: now, limit, slugs });
    return slugs.map((slug) => ({ slug, baseUrl: `http://127.0.0.1:1/${slug}`, healthEndpoint: '/healthz' }));
  }
}

/** Targets by slug prefix: `hang-…` never answers (the check ends at the timeout), others after `latencyMs`. */
class Targets {
  readonly started: { slug: string; at: number }[] = [];
  readonly finished: { slug: string; at: number }[] = [];
  running = 0;
  mostRunning = 0;

  constructor(
    private readonly latencyMs: number,
    private readonly timeoutMs: number,
  ) {}

  probe(target: HealthTarget): Promise<ProbeResult> {
    const checkedAt = new Date();
    this.started.push({ slug: target.slug, at: checkedAt.getTime() });
    this.running += 1;
    this.mostRunning = Math.max(this.mostRunning, this.running);
    const hangs = target.slug.startsWith('hang-');
    const latencyMs = hangs ? this.timeoutMs : this.latencyMs;
    return new Promise((resolve) =>
      setTimeout(() => {
        this.running -= 1;
        this.finished.push({ slug: target.slug, at: Date.now() });
        resolve({
          target,
          checkedAt,
          latencyMs,
          statusCode: hangs ? null : 200,
          status: hangs ? 'unreachable' : 'healthy',
          statusMessage: hangs ? `timed out after ${this.timeoutMs} ms` : 'HTTP 200 OK',
          metadata: {},
        });
      }, latencyMs),
    );
  }

  startsOf(slug: string): number[] {
    return this.started.filter((entry) => entry.slug === slug).map((entry) => entry.at);
  }
}

/** What was stored, batch by batch. */
class StoredResults {
  readonly batches: { at: number; slugs: string[] }[] = [];

  async record(results: ProbeResult[]): Promise<[]> {
    this.batches.push({ at: Date.now(), slugs: results.map((result) => result.target.slug) });
    return [];
  }

  storedAt(slug: string): number[] {
    return this.batches.filter((batch) => batch.slugs.includes(slug)).map((batch) => batch.at);
  }
}

interface Setup {
  poller: HealthPoller;
  bus: InvalidationBus;
  due: DueServices;
  targets: Targets;
  stored: StoredResults;
  scheduler: SchedulerRegistry;
}

function setUp(options: { intervalMs: number; concurrency?: number; latencyMs?: number; timeoutMs?: number }): Setup {
  const config = {
    intervalMs: options.intervalMs,
    timeoutMs: options.timeoutMs ?? 300,
    concurrency: options.concurrency ?? 16,
    pollingEnabled: true,
    retentionDays: 7,
    thresholds: { failuresBeforeUnhealthy: 3, successesBeforeHealthy: 1 },
  };
  const bus = new InvalidationBus(new RedisConnections({ url: null }), new CountingIndex());
  const due = new DueServices();
  const targets = new Targets(options.latencyMs ?? 5, config.timeoutMs);
  const stored = new StoredResults();
  const scheduler = new SchedulerRegistry();
  const poller = new HealthPoller(
    config,
    scheduler,
    { probe: (target: HealthTarget) => targets.probe(target) } as unknown as HealthProber,
    due as unknown as HealthSnapshotRepository,
    stored as unknown as HealthChecks,
    bus,
    new Registry(),
  );
  return { poller, bus, due, targets, stored, scheduler };
}

const T0 = new Date('2026-12-01T00:00:00Z').getTime();

describe('HealthPoller scheduling (fake clock)', () => {
  let setup: Setup | null = null;

  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['error', 'warn', 'log']));

  beforeEach(() => {
    jest.useFakeTimers({ now: T0 });
  });

  afterEach(async () => {
    if (setup) {
      const stopping = setup.poller.onModuleDestroy();
      await jest.runOnlyPendingTimersAsync();
      await stopping;
    }
    setup = null;
    jest.useRealTimers();
  });

  it('looks for due services once per tick (a tenth of the interval), starting at once', async () => {
    setup = setUp({ intervalMs: 1_000 });
    setup.poller.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(1_000);
    const claimTimes = setup.due.claims.map((claim) => claim.at - T0);
    expect(claimTimes).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1_000]);
  });

  it('checks a service that becomes due with no other signal at the next tick', async () => {
    setup = setUp({ intervalMs: 30_000 }); // ticks every second
    setup.poller.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(2_500);
    setup.due.add('quiet');
    await jest.advanceTimersByTimeAsync(1_000);
    expect(setup.targets.startsOf('quiet').map((at) => at - T0)).toEqual([3_000]);
    // Its result wakes the loop: stored right after the check ends, not a tick later.
    expect(setup.stored.storedAt('quiet').map((at) => at - T0)).toEqual([3_000 + 5 + 20]);
  });

  it('wakes within milliseconds when another writer announces a change, at any moment of the tick', async () => {
    setup = setUp({ intervalMs: 30_000 });
    setup.poller.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(1_000);
    for (const [index, offset] of [0, 330, 670].entries()) {
      await jest.advanceTimersByTimeAsync(offset);
      const slug = `announced-${index}`;
      const announcedAt = Date.now();
      setup.due.add(slug);
      await setup.bus.publish({ reason: 'service-create', services: [slug] });
      await jest.advanceTimersByTimeAsync(1_000);
      expect(setup.targets.startsOf(slug).map((at) => at - announcedAt)).toEqual([20]);
    }
  });

  it("is not woken by health's own invalidations", async () => {
    setup = setUp({ intervalMs: 30_000 });
    setup.poller.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(1_500);
    setup.due.add('later');
    await setup.bus.publish({ reason: 'health-check', services: ['other'] });
    await jest.advanceTimersByTimeAsync(1_000);
    expect(setup.targets.startsOf('later').map((at) => at - T0)).toEqual([2_000]);
  });

  it('checkSoon() wakes the loop as an invalidation does', async () => {
    setup = setUp({ intervalMs: 30_000 });
    setup.poller.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(1_200);
    setup.due.add('patched');
    setup.poller.checkSoon();
    await jest.advanceTimersByTimeAsync(1_000);
    expect(setup.targets.startsOf('patched').map((at) => at - T0)).toEqual([1_220]);
  });

  it('checks each service once per interval, within one tick of its due time', async () => {
    setup = setUp({ intervalMs: 1_000 });
    for (const slug of ['a', 'b', 'c']) setup.due.add(slug);
    setup.poller.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(10_000);
    for (const slug of ['a', 'b', 'c']) {
      const starts = setup.targets.startsOf(slug);
      expect(starts).toHaveLength(10);
      for (const gap of starts.slice(1).map((at, index) => at - starts[index])) {
        expect(gap).toBeGreaterThanOrEqual(1_000);
        expect(gap).toBeLessThanOrEqual(1_000 + 100);
      }
    }
  });

  it('claims no more services than it has free slots, so a busy replica leaves the rest', async () => {
    setup = setUp({ intervalMs: 30_000, concurrency: 2, latencyMs: 50 });
    for (const slug of ['a', 'b', 'c', 'd', 'e']) setup.due.add(slug);
    setup.poller.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(1_000);
    expect(setup.targets.mostRunning).toBe(2);
    for (const claim of setup.due.claims) expect(claim.slugs.length).toBeLessThanOrEqual(claim.limit);
    expect(setup.due.claims[0]).toMatchObject({ limit: 2, slugs: ['a', 'b'] });
    // Freed slots are refilled at once (a finished check wakes the loop), not a tick later.
    expect(setup.targets.started.map((entry) => [entry.slug, entry.at - T0])).toEqual([
      ['a', 0],
      ['b', 0],
      ['c', 70],
      ['d', 70],
      ['e', 140],
    ]);
  });

  it('keeps checking the others while a target hangs: it holds one slot until the timeout', async () => {
    setup = setUp({ intervalMs: 1_000, concurrency: 2, latencyMs: 10, timeoutMs: 300 });
    for (const slug of ['hang-charlie', 'alpha', 'bravo', 'delta']) setup.due.add(slug);
    setup.poller.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(250);
    // While the hanging check runs (0–300 ms), the other slot checks every other target.
    expect(setup.targets.finished.map((entry) => entry.slug)).toEqual(['alpha', 'bravo', 'delta']);
    expect(setup.targets.running).toBe(1);
    await jest.advanceTimersByTimeAsync(750);
    expect(setup.stored.storedAt('hang-charlie')).toEqual([T0 + 300 + 20]);
    expect(setup.targets.mostRunning).toBe(2);
  });

  it('stores results that finish together as one batch', async () => {
    setup = setUp({ intervalMs: 30_000 });
    for (const slug of ['a', 'b', 'c']) setup.due.add(slug);
    setup.poller.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(500);
    expect(setup.stored.batches).toEqual([{ at: T0 + 5 + 20, slugs: ['a', 'b', 'c'] }]);
  });

  it('stops ticking at shutdown, after letting running checks end and storing them', async () => {
    const current = setUp({ intervalMs: 30_000, timeoutMs: 300 });
    current.due.add('hang-hotel');
    current.poller.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(100);
    expect(current.targets.running).toBe(1);
    let stopped = false;
    const stopping = current.poller.onModuleDestroy().then(() => (stopped = true));
    await jest.advanceTimersByTimeAsync(199);
    expect(stopped).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    await stopping;
    expect(current.stored.batches.map((batch) => batch.slugs)).toEqual([['hang-hotel']]);
    const claims = current.due.claims.length;
    current.due.add('after-shutdown');
    await jest.advanceTimersByTimeAsync(5_000);
    expect(current.due.claims).toHaveLength(claims);
    expect(current.scheduler.getTimeouts()).toEqual([]);
  });
});
