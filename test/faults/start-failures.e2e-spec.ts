import { createServer, Server, Socket } from 'node:net';
import { AppProcess } from '../support/app-process';
import { runCli } from '../support/cli';
import { withDatabase } from '../support/database-url';
import { testEnv } from '../support/environment';
import { freePort } from '../support/ports';
import { TestDatabase } from '../support/test-database';

/** A stack frame as Node prints it. */
const STACK_FRAME = /^\s+at .+/m;

/**
 * Issue #10 rows 10–11: a start that cannot use its database stops with one line that names
 * the variable and the reason, hides the password and prints no stack trace.
 */
describe('start failures', () => {
  let database: TestDatabase;
  /** Accepts connections and never answers: not a Postgres server. */
  let silent: Server;
  let silentPort: number;
  const silentSockets = new Set<Socket>();

  beforeAll(async () => {
    database = await TestDatabase.migrated();
    silentPort = await freePort();
    silent = createServer((socket) => {
      socket.on('error', () => undefined);
      silentSockets.add(socket);
    });
    await new Promise<void>((resolve) => silent.listen(silentPort, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    for (const socket of silentSockets) socket.destroy();
    await new Promise((resolve) => silent?.close(resolve));
    await database?.drop();
  });

  /** Starts the registry with `env`, waits for it to end by itself, returns its exit and output. */
  async function failedStart(env: Record<string, string>): Promise<{ code: number | NodeJS.Signals; output: string; lines: string[] }> {
    const app = AppProcess.spawn({ REDIS_URL: 'inline', APPHUB_DISABLE_SERVICE_POLLING: '1', ...env }, await freePort());
    const code = await app.exited();
    return { code, output: app.logs, lines: app.logs.split('\n').filter((line) => line.trim() !== '') };
  }

  function withUser(url: string, user: string, password: string): string {
    const parsed = new URL(url);
    parsed.username = user;
    parsed.password = password;
    return parsed.toString();
  }

  it.each([
    ['a closed port', () => `postgres://admin:S3cret@127.0.0.1:${closedPort}/registry`, /connection refused/],
    ['an unknown host', () => 'postgres://admin:S3cret@registry-db.invalid:5432/registry', /unknown host/],
    ['a missing database', () => withDatabase(testEnv('postgresAdminUrl'), `${database.name}_missing`), /database missing/],
    ['a user that does not exist', () => withUser(database.url, 'nobody_here', 'S3cret'), /authentication failed/],
    ['a port that is not Postgres', () => `postgres://admin:S3cret@127.0.0.1:${silentPort}/registry`, /no answer \(is it a Postgres server\?\)/],
  ])('stops at once on %s with one line naming DATABASE_URL and why (row 11)', async (_case, url, reason) => {
    const { code, output, lines } = await failedStart({ DATABASE_URL: url() });
    expect(code).toBe(1);
    const named = lines.filter((line) => line.includes('DATABASE_URL'));
    expect(named).toHaveLength(1);
    expect(named[0]).toMatch(/^service-registry failed to start: cannot connect to DATABASE_URL \(postgres:\/\//);
    if (url().includes('S3cret')) expect(named[0]).toContain(':***@');
    expect(named[0]).toMatch(reason);
    expect(output).not.toMatch(STACK_FRAME);
    expect(output).not.toContain('S3cret');
  });

  it.each([
    ['DATABASE_URL', 'postgres://admin:S3cret@db host/x', 'postgres://admin:***@db host/x'],
    ['REDIS_URL', 'redis://:S3cret@redis host:6379', 'redis://:***@redis host:6379'],
  ])('refuses a bad %s without printing its password (row 10)', async (name, value, shown) => {
    const { code, output, lines } = await failedStart({ DATABASE_URL: database.url, [name]: value });
    expect(code).toBe(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`${name}=${JSON.stringify(shown)}`);
    expect(output).not.toContain('S3cret');
  });

  it('fails a CLI command the same way, in one line', async () => {
    const result = await runCli(['migrate'], { DATABASE_URL: `postgres://admin:S3cret@127.0.0.1:${closedPort}/registry`, REDIS_URL: 'inline' });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^error: cannot connect to DATABASE_URL \(postgres:\/\/admin:\*\*\*@127\.0\.0\.1:\d+\/registry\): connection refused/)]);
    expect(result.stdout + result.stderr).not.toContain('S3cret');
  });
});

/** A port nothing listens on (the kernel handed it out and it was closed again). */
let closedPort = 0;
beforeAll(async () => {
  closedPort = await freePort();
});
