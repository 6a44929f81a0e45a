import { Logger } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { RedisConnections } from '../redis/redis-connections';
import { InvalidationEnvelope } from '../registry-cache/invalidation';
import { InvalidationBus } from '../registry-cache/invalidation-bus';
import { HealthRetention } from './health-retention.service';
import { HealthSnapshotRepository, PrunedBatch } from './health-snapshot.repository';
import { CountingIndex } from '../../test/support/counting-index';

/**
 * The retention job's cadence and batching on Jest's fake clock. The snapshots table is an
 * in-memory backlog of old rows (the DELETE itself, keeping each service's latest snapshot,
 * runs against Postgres in test/health/health-retention.e2e-spec.ts).
 */

/** `old` rows past the retention, spread over the given slugs; each batch deletes the oldest. */
class Backlog {
  readonly batches: { at: number; retentionDays: number; size: number }[] = [];

  constructor(
    public old: number,
    private readonly slugs: string[] = ['a', 'b'],
  ) {}

  async pruneBatch(retentionDays: number, batchSize: number): Promise<PrunedBatch> {
    this.batches.push({ at: Date.now(), retentionDays, size: batchSize });
    const deleted = Math.min(batchSize, this.old);
    this.old -= deleted;
    return { deleted, slugs: deleted > 0 ? this.slugs : [] };
  }

  runsAt(): number[] {
    return [...new Set(this.batches.map((batch) => batch.at))];
  }
}

const HOUR_MS = 60 * 60 * 1_000;
const T0 = new Date('2026-12-01T00:00:00Z').getTime();

function setUp(backlog: Backlog, retentionDays = 7) {
  const bus = new InvalidationBus(new RedisConnections({ url: null }), new CountingIndex());
  const published: InvalidationEnvelope[] = [];
  bus.subscribe((envelope) => published.push(envelope));
  const config = { intervalMs: 30_000, timeoutMs: 5_000, concurrency: 16, pollingEnabled: true, retentionDays, thresholds: { failuresBeforeUnhealthy: 3, successesBeforeHealthy: 1 } };
  const retention = new HealthRetention(config, new SchedulerRegistry(), backlog as unknown as HealthSnapshotRepository, bus);
  return { retention, published };
}

describe('HealthRetention (fake clock)', () => {
  let logged: string[];

  beforeEach(() => {
    jest.useFakeTimers({ now: T0 });
    logged = [];
    jest.spyOn(Logger.prototype, 'log').mockImplementation((message: unknown) => void logged.push(String(message)));
    jest.spyOn(Logger.prototype, 'debug').mockImplementation((message: unknown) => void logged.push(String(message)));
  });

  afterEach(() => {
    jest.restoreAllMocks();
    jest.useRealTimers();
  });

  it('runs at start and then every hour, until shutdown', async () => {
    const backlog = new Backlog(0);
    const { retention } = setUp(backlog);
    retention.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(3 * HOUR_MS - 1);
    expect(backlog.runsAt().map((at) => at - T0)).toEqual([0, HOUR_MS, 2 * HOUR_MS]);
    await jest.advanceTimersByTimeAsync(1);
    expect(backlog.runsAt().map((at) => at - T0)).toEqual([0, HOUR_MS, 2 * HOUR_MS, 3 * HOUR_MS]);
    await retention.onModuleDestroy();
    await jest.advanceTimersByTimeAsync(5 * HOUR_MS);
    expect(backlog.runsAt()).toHaveLength(4);
    expect(logged).toEqual(Array(4).fill('No health snapshot older than 7 day(s) to prune'));
  });

  it('deletes in batches of 5 000 until a short batch, and publishes one invalidation naming the services', async () => {
    const backlog = new Backlog(12_002);
    const { retention, published } = setUp(backlog);
    expect(await retention.prune()).toEqual({ deleted: 12_002, complete: true });
    expect(backlog.batches.map((batch) => [batch.size, batch.retentionDays])).toEqual([
      [5_000, 7],
      [5_000, 7],
      [5_000, 7],
    ]);
    expect(published.map((envelope) => [envelope.reason, envelope.services])).toEqual([['health-retention', ['a', 'b']]]);
  });

  it('stops a run at 500 000 rows and leaves the rest for the next hourly run', async () => {
    const backlog = new Backlog(700_000);
    const { retention } = setUp(backlog, 2);
    retention.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(0);
    expect(backlog.batches).toHaveLength(100);
    expect(logged).toEqual(['Pruned 500000 health snapshot(s) older than 2 day(s); older rows remain for the next run']);
    await jest.advanceTimersByTimeAsync(HOUR_MS);
    expect(backlog.old).toBe(0);
    expect(logged[1]).toBe('Pruned 200000 health snapshot(s) older than 2 day(s)');
    await retention.onModuleDestroy();
  });

  it('shares a run in progress instead of starting a second one', async () => {
    const backlog = new Backlog(5_000);
    const { retention } = setUp(backlog);
    const [first, second] = await Promise.all([retention.prune(), retention.prune()]);
    expect(first).toBe(second);
    expect(backlog.batches).toHaveLength(2);
  });
});
