import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { AppProcess } from '../support/app-process';
import { eventually } from '../support/eventually';
import { runCli } from '../support/cli';
import { freePort } from '../support/ports';

async function embeddedAnswers(port: number): Promise<boolean> {
  const client = new Client({ host: '127.0.0.1', port, user: 'postgres', password: 'postgres', database: 'postgres', connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

describe('zero-config start (no DATABASE_URL, no REDIS_URL)', () => {
  let folder: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'registry-zero-config-'));
    await chmod(folder, 0o755); // run as root, Postgres runs as the postgres user and must reach its data
    env = { EMBEDDED_POSTGRES_DIR: join(folder, 'postgres'), EMBEDDED_POSTGRES_PORT: String(await freePort()), APPHUB_DISABLE_SERVICE_POLLING: '1', LOG_LEVEL: 'info' };
  });

  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('starts one embedded Postgres for two processes started together, and only its starter stops it', async () => {
    const [first, second] = await AppProcess.startMany(2, { env });
    let starter = first;
    let other = second;
    try {
      for (const app of [first, second]) {
        const ready = await eventually(async () => {
          const response = await app.fetch('/readyz');
          expect(response.status).toBe(200);
          return response;
        });
        expect(await ready.json()).toMatchObject({ info: { postgres: { status: 'up' }, redis: { mode: 'inline' } } });
        expect((await app.fetch('/healthz')).status).toBe(200);
      }
      // Exactly one of them logged starting the server.
      const starters = [first, second].filter((app) => /Started embedded Postgres/.test(app.logs));
      expect(starters).toHaveLength(1);
      [starter, other] = starters[0] === first ? [first, second] : [second, first];

      // The CLI finds the running server and leaves it running.
      const migrate = await runCli(['migrate'], env);
      expect(migrate.code).toBe(0);
      expect(migrate.stdout).toMatch(/Schema is up to date/);

      // The process that did not start the server leaves it running when it stops.
      expect(await other.stop()).toBe('SIGTERM');
      await eventually(async () => expect((await starter.fetch('/readyz')).status).toBe(200));
    } finally {
      await other.stop();
      await starter.stop();
    }
    // The starter stopped it.
    expect(await embeddedAnswers(Number(env.EMBEDDED_POSTGRES_PORT))).toBe(false);
  });
});
