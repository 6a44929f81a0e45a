import { setTimeout as sleep } from 'node:timers/promises';
import { AppProcess } from '../support/app-process';
import { runCli } from '../support/cli';
import { TestDatabase } from '../support/test-database';

describe('inline mode (no Redis) with a CLI writing beside the app', () => {
  let database: TestDatabase;
  let app: AppProcess;

  beforeAll(async () => {
    database = await TestDatabase.migrated();
    app = await AppProcess.start({ env: { DATABASE_URL: database.url, REDIS_URL: 'inline', APPHUB_DISABLE_SERVICE_POLLING: '1' } });
  });

  afterAll(async () => {
    await app?.stop();
    await database?.drop();
  });

  it("shows a backfill made by another process within seconds, well before the cache's maximum age", async () => {
    const before = await (await app.fetch('/services')).json();
    expect(before).toMatchObject({ meta: { total: 0 } });

    const backfill = await runCli(['backfill', '--path', 'modules/observatory/dist', '--module', 'observatory'], {
      DATABASE_URL: database.url,
      REDIS_URL: 'inline',
    });
    expect(backfill.code).toBe(0);

    const started = Date.now();
    let total = 0;
    while (total === 0 && Date.now() - started < 10_000) {
      total = ((await (await app.fetch('/services')).json()) as { meta: { total: number } }).meta.total;
      if (total === 0) await sleep(100);
    }
    console.info(`inline replica saw the CLI backfill ${Date.now() - started} ms after it ended`);
    expect(total).toBe(2);
  });
});
