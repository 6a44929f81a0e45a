import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';
import { cleanEnv, DIST } from '../support/app-process';
import { runCli } from '../support/cli';
import { eventually } from '../support/eventually';
import { TestDatabase } from '../support/test-database';

const MODULE = ['--path', 'modules/observatory/dist', '--module', 'observatory'];
const ROOT = join(__dirname, '..', '..');

/**
 * Issue #10 row 14: an import that holds its module's lock (here a transaction of this test,
 * as a frozen import would) makes the next import say whom it waits for, and give up after
 * `--lock-timeout` with exit 1.
 */
describe('waiting for a module lock', () => {
  let database: TestDatabase;
  let holder: Client;
  let holderPid: number;

  beforeAll(async () => {
    database = await TestDatabase.migrated();
  });

  beforeEach(async () => {
    holder = new Client({ connectionString: database.url, application_name: 'frozen-import' });
    await holder.connect();
    holderPid = (await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
    await holder.query('BEGIN');
    await holder.query(`SELECT pg_advisory_xact_lock(hashtext('service-registry:module:observatory'))`);
  });

  afterEach(async () => {
    await holder.query('ROLLBACK').catch(() => undefined);
    await holder.end();
  });

  afterAll(async () => {
    await database?.drop();
  });

  const env = () => ({ DATABASE_URL: database.url, REDIS_URL: 'inline' });

  it('prints one line naming the holder and gives up after --lock-timeout with exit 1, writing nothing', async () => {
    const before = await database.snapshot();
    const result = await runCli(['backfill', ...MODULE, '--lock-timeout', '1s'], env());
    expect(result.code).toBe(1);
    const waiting = result.stderr.split('\n').filter((line) => line.includes('waiting for module observatory,'));
    expect(waiting).toHaveLength(1);
    expect(waiting[0]).toMatch(new RegExp(`waiting for module observatory, held by pid ${holderPid} \\(frozen-import\\) since \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z \\(giving up after 1 s\\)`));
    expect(result.stderr).toMatch(new RegExp(`error: gave up waiting for module observatory after 1 s \\(--lock-timeout\\): held by pid ${holderPid}`));
    expect(await database.snapshot()).toEqual(before);
  });

  it('goes on once the holder ends, within the default timeout', async () => {
    const child = spawn(process.execPath, [join(DIST, 'cli.js'), 'backfill', ...MODULE], { cwd: ROOT, env: cleanEnv(env()), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await eventually(() => expect(stderr).toContain(`waiting for module observatory, held by pid ${holderPid}`), { timeoutMs: 60_000 });
    expect(stderr).toContain('(giving up after 60 s)');
    await holder.query('COMMIT');
    expect(await exited).toBe(0);
    expect(stdout).toMatch(/Module observatory@1: 2 services/);
  });

  it('refuses a --lock-timeout that is not a duration', async () => {
    const result = await runCli(['backfill', ...MODULE, '--lock-timeout', 'soon'], env());
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("error: option '--lock-timeout <duration>' argument 'soon' is invalid. expected a duration: seconds (60 or 60s), milliseconds (500ms) or minutes (2m)");
  });
});
