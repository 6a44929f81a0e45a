import { readdirSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppProcess } from '../support/app-process';
import { freePort } from '../support/ports';

/** `/proc/<pid>/stat` fields after the command name: state, then ppid. */
function stat(pid: number): { state: string; ppid: number } | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const [state, ppid] = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state, ppid: Number(ppid) };
  } catch {
    return null;
  }
}

/** The postmaster of the embedded server on `dataDir` and every process it forked. */
function postgresProcesses(dataDir: string): number[] {
  const postmaster = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const children = readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => stat(pid)?.ppid === postmaster);
  return [postmaster, ...children];
}

/**
 * A registry process ends on SIGTERM whatever Postgres does: here a private embedded Postgres
 * (started by another registry process, its owner) is frozen with SIGSTOP while the process
 * holds pooled connections to it.
 */
describe('Postgres faults at shutdown', () => {
  let folder: string;
  let dataDir: string;
  let owner: AppProcess;
  let env: Record<string, string>;

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'registry-postgres-faults-'));
    await chmod(folder, 0o755); // as root, Postgres runs as the postgres user and must reach its data
    dataDir = join(folder, 'postgres');
    env = { EMBEDDED_POSTGRES_DIR: dataDir, EMBEDDED_POSTGRES_PORT: String(await freePort()), APPHUB_DISABLE_SERVICE_POLLING: '1', LOG_LEVEL: 'info' };
    owner = await AppProcess.start({ env });
  });

  afterAll(async () => {
    await owner?.stop(60_000);
    await rm(folder, { recursive: true, force: true });
  });

  it('exits on SIGTERM while Postgres is frozen under a write, Postgres still frozen when it has exited', async () => {
    const app = await AppProcess.start({ env: { ...env, SERVICE_REGISTRY_ALLOW_ANONYMOUS_WRITES: '1' } });
    // Pooled connections to the server, as after any traffic.
    expect((await app.fetch('/services')).status).toBe(200);
    const frozen = postgresProcesses(dataDir);
    for (const pid of frozen) process.kill(pid, 'SIGSTOP');
    try {
      // A write that waits on the frozen server: sent first, so it is in the database by the time
      // later requests on other connections have been answered.
      const write = app
        .fetch('/services', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ slug: 'frozen-write', displayName: 'Frozen', kind: 'http', baseUrl: 'http://127.0.0.1:9' }),
        })
        .then(
          (response) => response.status,
          () => 'no answer',
        );
      for (let i = 0; i < 3; i++) expect((await app.fetch('/healthz')).status).toBe(200);

      expect(await app.stop(120_000)).toBe('SIGTERM');
      expect(stat(frozen[0])?.state).toBe('T');
      // The write was answered, as an outage (its connection closed with the pool).
      expect(await write).toBe(503);
    } finally {
      for (const pid of frozen.reverse()) process.kill(pid, 'SIGCONT');
    }
    // The owner still serves from the thawed server.
    expect((await owner.fetch('/services')).status).toBe(200);
  });
});
