import { AppProcess } from '../support/app-process';
import { runCli } from '../support/cli';
import { eventually } from '../support/eventually';
import { TestDatabase } from '../support/test-database';

describe('inline mode (no Redis) with a CLI writing beside the app', () => {
  let database: TestDatabase;
  let app: AppProcess;

  beforeAll(async () => {
    database = await TestDatabase.migrated();
    app = await AppProcess.start({
      // A maximum age far beyond the test: only the inline index watcher can explain a refresh.
      env: { DATABASE_URL: database.url, REDIS_URL: 'inline', APPHUB_DISABLE_SERVICE_POLLING: '1', SERVICE_REGISTRY_CACHE_MAX_AGE_MS: '600000' },
    });
  });

  afterAll(async () => {
    await app?.stop();
    await database?.drop();
  });

  it('shows a backfill made by another process, with no message and long before the cache expires', async () => {
    const before = await (await app.fetch('/services')).json();
    expect(before).toMatchObject({ meta: { total: 0 } });

    const backfill = await runCli(['backfill', '--path', 'modules/observatory/dist', '--module', 'observatory'], {
      DATABASE_URL: database.url,
      REDIS_URL: 'inline',
    });
    expect(backfill.code).toBe(0);

    // How often the watcher looks is checked on a fake clock in
    // src/registry-cache/inline-index-watcher.spec.ts.
    await eventually(async () => {
      const { meta } = (await (await app.fetch('/services')).json()) as { meta: { total: number } };
      expect(meta.total).toBe(2);
    }, { intervalMs: 100 });
  });
});
