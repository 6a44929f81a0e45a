import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppProcess } from '../support/app-process';
import { eventually } from '../support/eventually';
import { TestDatabase } from '../support/test-database';

describe('signals', () => {
  let database: TestDatabase;
  let snapshots: string;

  beforeAll(async () => {
    database = await TestDatabase.migrated();
    snapshots = mkdtempSync(join(tmpdir(), 'registry-heap-'));
  });

  afterAll(async () => {
    await database?.drop();
    rmSync(snapshots, { recursive: true, force: true });
  });

  it('keeps serving on SIGUSR2 (it writes a heap snapshot to the temporary folder) and stops on SIGTERM', async () => {
    const app = await AppProcess.start({
      env: { DATABASE_URL: database.url, REDIS_URL: 'inline', APPHUB_DISABLE_SERVICE_POLLING: '1', LOG_LEVEL: 'info', TMPDIR: snapshots },
    });
    try {
      process.kill(app.pid!, 'SIGUSR2');
      const written = await eventually(() => {
        const match = /SIGUSR2: heap snapshot written to (\S+\.heapsnapshot)/.exec(app.logs);
        expect(match).not.toBeNull();
        return match![1];
      });
      expect(written.startsWith(snapshots)).toBe(true);
      expect(existsSync(written)).toBe(true);
      expect(readdirSync(snapshots)).toHaveLength(1);

      expect(app.exitCode).toBeNull();
      expect((await app.fetch('/healthz')).status).toBe(200);
      expect((await app.fetch('/services')).status).toBe(200);
    } finally {
      expect(await app.stop()).toBe('SIGTERM');
    }
  });

  it('shuts down in order on SIGINT, as on SIGTERM (readiness first, then the server)', async () => {
    const app = await AppProcess.start({
      env: { DATABASE_URL: database.url, REDIS_URL: 'inline', APPHUB_DISABLE_SERVICE_POLLING: '1', LOG_LEVEL: 'info', SHUTDOWN_DRAIN_MS: '300' },
    });
    const exited = app.exited();
    process.kill(app.pid!, 'SIGINT');
    expect(await exited).toBe('SIGINT');
    expect(app.logs).toContain('Shutting down: not ready, draining for 300 ms');
  });
});
