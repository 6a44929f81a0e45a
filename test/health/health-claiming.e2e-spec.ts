import { DataSource } from 'typeorm';
import { healthConfig } from '../../src/config/configuration';
import { buildDataSourceOptions } from '../../src/database/data-source-options';
import { HealthSnapshotRepository } from '../../src/health/health-snapshot.repository';
import { eventually } from '../support/eventually';
import { TestDatabase } from '../support/test-database';
import { REGISTRY_ENTITIES } from '../../src/registry-entities';

/**
 * Claiming due services on the database clock (`HealthSnapshotRepository.claimDue`), as two
 * replicas do, against a real Postgres. Due times are set far from the claim (minutes, with a
 * one-hour interval), so a slow machine cannot move a service across the claiming window.
 */
const HOUR_MS = 60 * 60 * 1_000;

describe('claiming due health checks (two replicas, one Postgres)', () => {
  let database: TestDatabase;
  let replicas: DataSource[] = [];
  let a: HealthSnapshotRepository;
  let b: HealthSnapshotRepository;

  async function register(slug: string, dueIn: string): Promise<void> {
    await database.query(
      `INSERT INTO services (id, slug, display_name, kind, base_url, source, next_health_check_at)
       VALUES ($1, $2, $2, 'http', 'http://127.0.0.1:9', 'external', now() + $3::interval)`,
      [`external:${slug}`, slug, dueIn],
    );
  }

  async function nextCheckOf(slug: string): Promise<Date> {
    const [row] = await database.query<{ next_health_check_at: Date }>(`SELECT next_health_check_at FROM services WHERE slug = $1`, [slug]);
    return row.next_health_check_at;
  }

  async function databaseNow(): Promise<number> {
    const [row] = await database.query<{ now: Date }>(`SELECT clock_timestamp() AS now`);
    return row.now.getTime();
  }

  beforeAll(async () => {
    database = await TestDatabase.migrated();
    replicas = await Promise.all([0, 1].map(() => new DataSource(buildDataSourceOptions(database.url, REGISTRY_ENTITIES)).initialize()));
    [a, b] = replicas.map((dataSource) => new HealthSnapshotRepository(dataSource, healthConfig()));
  });

  afterAll(async () => {
    await Promise.all(replicas.map((dataSource) => dataSource.destroy()));
    await database?.drop();
  });

  beforeEach(async () => {
    await database.query(`DELETE FROM services`);
  });

  it('claims only due services, and moves a punctual one exactly one interval on (no drift)', async () => {
    await register('punctual', '-1 minute');
    await register('not-yet', '+1 minute');
    const due = await nextCheckOf('punctual');
    const notYet = await nextCheckOf('not-yet');

    const claimed = await a.claimDue(10, HOUR_MS);
    expect(claimed).toEqual([{ slug: 'punctual', baseUrl: 'http://127.0.0.1:9', healthEndpoint: '/healthz' }]);
    expect((await nextCheckOf('punctual')).getTime()).toBe(due.getTime() + HOUR_MS);
    expect(await nextCheckOf('not-yet')).toEqual(notYet);
  });

  it('restarts a service claimed later than a fifth of an interval from the claim, so checks are never closer than 4/5 of an interval', async () => {
    await register('backlogged', '-30 minutes');
    const before = await databaseNow();
    expect((await a.claimDue(10, HOUR_MS)).map((target) => target.slug)).toEqual(['backlogged']);
    const after = await databaseNow();
    const next = (await nextCheckOf('backlogged')).getTime();
    expect(next).toBeGreaterThanOrEqual(before + HOUR_MS);
    expect(next).toBeLessThanOrEqual(after + HOUR_MS);
  });

  it('claims the longest-due services first, at most `limit` of them', async () => {
    await register('due-3', '-1 minute');
    await register('due-1', '-3 minutes');
    await register('due-2', '-2 minutes');
    expect((await a.claimDue(2, HOUR_MS)).map((target) => target.slug).sort()).toEqual(['due-1', 'due-2']);
    expect((await a.claimDue(2, HOUR_MS)).map((target) => target.slug)).toEqual(['due-3']);
    expect(await a.claimDue(2, HOUR_MS)).toEqual([]);
  });

  it('gives each due service to exactly one of two replicas claiming at the same time', async () => {
    const slugs = Array.from({ length: 60 }, (_, index) => `svc-${String(index).padStart(2, '0')}`);
    for (const slug of slugs) await register(slug, '-1 minute');

    const claimedBy = { a: [] as string[], b: [] as string[] };
    const drain = async (replica: HealthSnapshotRepository, into: string[]) => {
      for (;;) {
        const claimed = await replica.claimDue(4, HOUR_MS);
        if (claimed.length === 0) return;
        into.push(...claimed.map((target) => target.slug));
      }
    };
    await Promise.all([drain(a, claimedBy.a), drain(b, claimedBy.b), drain(a, claimedBy.a), drain(b, claimedBy.b)]);

    const all = [...claimedBy.a, ...claimedBy.b];
    expect(all).toHaveLength(slugs.length);
    expect([...all].sort()).toEqual(slugs);
  });

  it('leaves a service claimed by a replica that died (never stored) due again one interval later', async () => {
    await register('orphan', '-1 second');
    const intervalMs = 300;
    const due = await nextCheckOf('orphan');
    expect((await a.claimDue(10, intervalMs)).map((target) => target.slug)).toEqual(['orphan']);
    // Replica A dies here: no result is stored. The row says when it is due again…
    expect((await nextCheckOf('orphan')).getTime()).toBeGreaterThanOrEqual(due.getTime() + intervalMs);
    // …and the other replica claims it once that time has come.
    const reclaimed = await eventually(async () => {
      const claimed = await b.claimDue(10, intervalMs);
      expect(claimed).toHaveLength(1);
      return claimed;
    });
    expect(reclaimed.map((target) => target.slug)).toEqual(['orphan']);
  });
});
