import { setTimeout as sleep } from 'node:timers/promises';
import { AppProcess } from '../support/app-process';
import { testEnv } from '../support/environment';
import { StubTargets } from '../support/stub-targets';
import { TestDatabase } from '../support/test-database';

const INTERVAL_MS = 1_000;
const TIMEOUT_MS = 300;
const TARGETS = 50;
/** Two checks of a service are never closer than 4/5 of an interval (by design), less timer jitter. */
const MIN_GAP_MS = (INTERVAL_MS * 4) / 5 - 50;
/** How late a due check may start: one tick (interval / 10) plus scheduling noise on a busy machine. */
const LATENESS_MS = 100 + 300;

const slugs = Array.from({ length: TARGETS }, (_, index) => `svc-${String(index).padStart(2, '0')}`);
/** Each target answers after 50 ms, so a replica always has checks in flight while it works. */
const pathOf = (slug: string) => `/slow/${slug}/healthz`;

/** Resolves once at least `count` checks are running at the targets. */
async function checksRunning(targets: StubTargets, count: number): Promise<void> {
  for (const deadline = Date.now() + 5 * INTERVAL_MS; Date.now() < deadline; await sleep(2)) {
    if (targets.open >= count) return;
  }
  throw new Error(`never saw ${count} checks running at once`);
}

function gaps(times: number[]): number[] {
  return times.slice(1).map((time, index) => time - times[index]);
}

describe('health polling shared by two replicas', () => {
  let database: TestDatabase;
  let targets: StubTargets;
  let replicas: AppProcess[] = [];

  beforeAll(async () => {
    database = await TestDatabase.migrated();
    targets = await StubTargets.start();
    for (const slug of slugs) {
      await database.query(
        `INSERT INTO services (id, slug, display_name, kind, base_url, source) VALUES ($1, $2, $2, 'http', $3, 'external')`,
        [`external:${slug}`, slug, `${targets.url}/slow/${slug}`],
      );
    }
    const env = {
      DATABASE_URL: database.url,
      REDIS_URL: testEnv('redisUrl'),
      SERVICE_HEALTH_INTERVAL_MS: String(INTERVAL_MS),
      SERVICE_HEALTH_TIMEOUT_MS: String(TIMEOUT_MS),
      SERVICE_HEALTH_CONCURRENCY: '8',
    };
    replicas = await Promise.all([AppProcess.start({ env }), AppProcess.start({ env })]);
  });

  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.stop()));
    await targets?.stop();
    await database?.drop();
  });

  it('checks each target once per interval across both replicas, and versions never repeat', async () => {
    const from = Date.now();
    await sleep(5 * INTERVAL_MS);
    const to = Date.now();

    const counts = slugs.map((slug) => targets.hitsOf(pathOf(slug)).filter((at) => at >= from && at < to).length);
    const allGaps = slugs.flatMap((slug) => gaps(targets.hitsOf(pathOf(slug)).filter((at) => at >= from && at < to)));
    console.info(
      `${TARGETS} targets over ${to - from} ms: ${counts.reduce((a, b) => a + b, 0)} checks, per target ${Math.min(...counts)}–${Math.max(...counts)}; ` +
        `gaps between checks of one target ${Math.min(...allGaps)}–${Math.max(...allGaps)} ms`,
    );
    for (const count of counts) {
      expect(count).toBeGreaterThanOrEqual(4);
      expect(count).toBeLessThanOrEqual(6);
    }
    // Never checked twice in one interval (by either replica), never skipped an interval.
    expect(Math.min(...allGaps)).toBeGreaterThan(MIN_GAP_MS);
    expect(Math.max(...allGaps)).toBeLessThan(INTERVAL_MS + LATENESS_MS);

    // Both replicas did part of the work.
    const checkers = await database.query<{ checker: string; checks: number }>(
      `SELECT metadata->>'checker' AS checker, count(*)::int AS checks FROM service_health_snapshots GROUP BY 1 ORDER BY 1`,
    );
    console.info(`checks per replica: ${checkers.map((row) => row.checks).join(' / ')}`);
    expect(checkers).toHaveLength(2);

    // Versions per slug are exactly 1..n: none repeated, none lost.
    const versions = await database.query<{ service_slug: string; snapshots: number; distinct_versions: number; max_version: number; health_version: number }>(
      `SELECT h.service_slug, count(*)::int AS snapshots, count(DISTINCT h.version)::int AS distinct_versions, max(h.version) AS max_version, s.health_version
       FROM service_health_snapshots h JOIN services s ON s.slug = h.service_slug
       GROUP BY h.service_slug, s.health_version`,
    );
    expect(versions).toHaveLength(TARGETS);
    for (const row of versions) {
      expect(row.distinct_versions).toBe(row.snapshots);
      expect(row.max_version).toBe(row.snapshots);
      expect(row.health_version).toBe(row.snapshots);
    }
  });

  it('hands a dead replica\'s share to the other one within an interval', async () => {
    const [survivor, victim] = replicas;
    // Killed in the middle of a wave, with checks claimed and running.
    await checksRunning(targets, 6);
    process.kill(victim.pid!, 'SIGKILL');
    const killedAt = Date.now();
    await victim.exited();
    await sleep(4 * INTERVAL_MS);

    expect(await survivor.stop()).toBe('SIGTERM');
    expect(survivor.logs).not.toMatch(/could not (claim|store)|"level":"error"/);

    // Checks the victim made but never stored are lost; every other check is stored.
    const stored = await database.query<{ service_slug: string; checked_at: Date }>(
      `SELECT service_slug, checked_at FROM service_health_snapshots ORDER BY service_slug, version`,
    );
    const lost = targets.hits.length - stored.length;
    console.info(`${targets.hits.length} checks made, ${stored.length} stored (${lost} lost with the killed replica)`);
    expect(lost).toBeGreaterThanOrEqual(0);
    expect(lost).toBeLessThanOrEqual(2 * 8);

    // A service whose check died with the victim is due again one interval after its due
    // time: its snapshots are at most about two intervals apart across the kill, then one.
    const checkedAt = (slug: string) => stored.filter((row) => row.service_slug === slug).map((row) => row.checked_at.getTime());
    const acrossKill = slugs.map((slug) => Math.max(...gaps(checkedAt(slug).filter((at) => at >= killedAt - 2 * INTERVAL_MS))));
    const settled = slugs.flatMap((slug) => gaps(checkedAt(slug).filter((at) => at >= killedAt + 2 * INTERVAL_MS)));
    console.info(
      `after one replica was killed: longest gap between snapshots of a service ${Math.max(...acrossKill)} ms, then gaps ${Math.min(...settled)}–${Math.max(...settled)} ms`,
    );
    expect(Math.max(...acrossKill)).toBeLessThan(2 * INTERVAL_MS + LATENESS_MS);
    expect(Math.min(...settled)).toBeGreaterThan(MIN_GAP_MS);
    expect(Math.max(...settled)).toBeLessThan(INTERVAL_MS + LATENESS_MS);
    for (const slug of slugs) {
      expect(checkedAt(slug).filter((at) => at >= killedAt + INTERVAL_MS).length).toBeGreaterThanOrEqual(2);
    }
  });
});
