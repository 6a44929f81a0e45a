import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/cli';
import { TestDatabase } from '../support/test-database';

/** The admin token each of the ten processes passes (undefined: the descriptor's default). */
const TOKENS = [undefined, 'alpha', undefined, 'beta', 'alpha', undefined, 'gamma', 'beta', undefined, 'alpha'];
const DEFAULT_TOKEN = 'observatory-dev-token';

describe('concurrent backfills of one module', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await TestDatabase.migrated();
  });

  afterAll(async () => {
    await db.drop();
  });

  it('ten at once all succeed, leave one active row per slug and contiguous versions', async () => {
    const env = { DATABASE_URL: db.url, REDIS_URL: 'inline' };
    const results = await Promise.all(
      TOKENS.map(async (token) => {
        const vars = token ? ['--var', `OBSERVATORY_ADMIN_TOKEN=${token}`] : [];
        const result = await runCli(['backfill', '--path', 'modules/observatory/dist', '--module', 'observatory', ...vars], env, 120_000);
        return { token: token ?? DEFAULT_TOKEN, ...result };
      }),
    );
    for (const result of results) {
      expect(result.code).toBe(0);
      // Nothing on stderr but, for an import that queued behind another, the line saying whom it waits for
      // (with ten importers a holder can be gone by the time it is looked up: test/faults/import-lock names it).
      const lines = result.stderr.split('\n').filter((line) => line.trim() !== '');
      expect(lines.filter((line) => !/waiting for module observatory, held by (pid \d+|another transaction)/.test(line))).toEqual([]);
      expect(lines.length).toBeLessThanOrEqual(1);
    }

    expect(
      await db.query(`select service_slug, count(*)::int as active from service_manifests where superseded_at is null group by 1 order by 1`),
    ).toEqual([
      { service_slug: 'observatory-admin', active: 1 },
      { service_slug: 'observatory-dashboard', active: 1 },
    ]);
    expect(await db.query(`select count(*)::int as active from service_networks where superseded_at is null`)).toEqual([{ active: 1 }]);

    const versions = (
      await db.query<{ module_version: number }>(
        `select distinct module_version from (select module_version from service_manifests union all select module_version from service_networks) v order by 1`,
      )
    ).map((row) => row.module_version);
    const latest = versions.at(-1)!;
    expect(versions).toEqual(Array.from({ length: latest }, (_, index) => index + 1));
    expect((await db.query<{ module_version: number }>(`select module_version from module_versions order by 1`)).map((row) => row.module_version)).toEqual(versions);
    // The dashboard never changes: one row, version 1. Every admin version differs from the one before.
    expect(await db.query(`select module_version from service_manifests where service_slug = 'observatory-dashboard'`)).toEqual([{ module_version: 1 }]);
    const adminTokens = await db.query<{ module_version: number; token: string }>(
      `select module_version, definition->'env'->1->>'value' as token from service_manifests where service_slug = 'observatory-admin' order by module_version`,
    );
    expect(adminTokens.map((row) => row.module_version)).toEqual(versions);
    adminTokens.slice(1).forEach((row, index) => expect(row.token).not.toBe(adminTokens[index].token));

    // Each process reported a version that exists; those that reported the latest left the final state.
    const reported = results.map((result) => {
      const match = /^Module observatory@(\d+): /m.exec(result.stdout);
      expect(match).not.toBeNull();
      return { version: Number(match![1]), token: result.token };
    });
    for (const { version } of reported) expect(versions).toContain(version);
    expect(Math.max(...reported.map((report) => report.version))).toBe(latest);
    const finalToken = adminTokens.at(-1)!.token;
    for (const report of reported.filter((item) => item.version === latest)) expect(report.token).toBe(finalToken);
  });

  it('two modules claiming one new slug at once: one wins, the other gets a conflict and writes nothing', async () => {
    const root = await mkdtemp(join(tmpdir(), 'slug-race-'));
    try {
      const modules = ['left', 'right'];
      for (const module of modules) {
        await mkdir(join(root, module, 'service-manifests'), { recursive: true });
        await writeFile(
          join(root, module, 'service-manifests', 'service-manifest.json'),
          JSON.stringify([{ slug: 'shared-svc', displayName: module, kind: 'api', baseUrl: `http://127.0.0.1:1/${module}` }]),
        );
      }
      const env = { DATABASE_URL: db.url, REDIS_URL: 'inline' };
      const results = await Promise.all(modules.map((module) => runCli(['backfill', '--path', join(root, module), '--module', module], env)));
      expect(results.map((result) => result.code).sort()).toEqual([0, 1]);
      const loser = results.find((result) => result.code === 1)!;
      expect(loser.stderr).toMatch(/^error: (service slug 'shared-svc' is owned by module '(left|right)'|module '(left|right)' could not be imported: .*just imported by another module.*)$/m);
      const winner = modules[results.findIndex((result) => result.code === 0)];
      expect(await db.query(`select module_id from service_manifests where service_slug = 'shared-svc'`)).toEqual([{ module_id: winner }]);
      expect(await db.query(`select module_id, display_name from services where slug = 'shared-svc'`)).toEqual([{ module_id: winner, display_name: winner }]);
      expect(await db.query(`select module_id from module_versions where module_id in ('left', 'right')`)).toEqual([{ module_id: winner }]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
