import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppProcess } from '../support/app-process';
import { eventually } from '../support/eventually';
import { freePort } from '../support/ports';

/** The postmaster pid in the data folder's `postmaster.pid`, or null when no server claims it. */
function postmasterPid(dataDir: string): number | null {
  const file = join(dataDir, 'postmaster.pid');
  if (!existsSync(file)) return null;
  const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Issue #10 rows 13 and 15: the zero-config embedded Postgres after its starter was killed with
 * SIGKILL, and as root from a folder the unprivileged `postgres` user cannot enter.
 */
describe('embedded Postgres faults', () => {
  let folder: string;

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'registry-embedded-faults-'));
    await chmod(folder, 0o755); // as root, Postgres runs as the postgres user and must reach its data
  });

  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('stops the server a SIGKILLed start left behind, runs its own, and stops that at exit (row 13)', async () => {
    const dataDir = join(folder, 'postgres');
    const env = { EMBEDDED_POSTGRES_DIR: dataDir, EMBEDDED_POSTGRES_PORT: String(await freePort()), APPHUB_DISABLE_SERVICE_POLLING: '1', LOG_LEVEL: 'info' };
    const first = await AppProcess.start({ env });
    const orphan = postmasterPid(dataDir)!;
    expect(orphan).not.toBeNull();
    process.kill(first.pid!, 'SIGKILL');
    expect(await first.exited()).toBe('SIGKILL');
    // Its server outlives it.
    expect(isAlive(orphan)).toBe(true);

    const second = await AppProcess.start({ env });
    try {
      expect(second.logs).toMatch(new RegExp(`Stopping the embedded Postgres \\(pid ${orphan}\\) left running on .* by pid ${first.pid}, which is gone`));
      expect(isAlive(orphan)).toBe(false);
      const own = postmasterPid(dataDir)!;
      expect(own).not.toBe(orphan);
      expect(second.logs).toContain('Started embedded Postgres');
      expect((await second.fetch('/services')).status).toBe(200);
    } finally {
      expect(await second.stop(60_000)).toBe('SIGTERM');
    }
    // The second start stopped the server it started: nothing runs on the folder.
    await eventually(() => expect(postmasterPid(dataDir)).toBeNull());
  });

  const asRoot = process.getuid?.() === 0;
  (asRoot ? it : it.skip)('stops with one line when run as root with data the postgres user cannot reach (row 15)', async () => {
    const closed = join(folder, 'private');
    await mkdir(closed, { mode: 0o700 });
    await chmod(closed, 0o700);
    const app = AppProcess.spawn({ EMBEDDED_POSTGRES_DIR: join(closed, 'postgres'), EMBEDDED_POSTGRES_PORT: String(await freePort()), APPHUB_DISABLE_SERVICE_POLLING: '1' }, await freePort());
    expect(await app.exited()).toBe(1);
    const lines = app.logs.split('\n').filter((line) => line.trim() !== '');
    expect(lines).toEqual([
      `service-registry failed to start: the embedded Postgres cannot use ${join(closed, 'postgres')} as root: ${closed} cannot be entered by the unprivileged "postgres" user that runs it; set EMBEDDED_POSTGRES_DIR to a folder it can reach, or set DATABASE_URL`,
    ]);
    expect(app.logs).not.toMatch(/^\s+at /m);
  });
});
