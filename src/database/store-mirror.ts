import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { Counter, Registry } from 'prom-client';
import { DataSource, DataSourceOptions } from 'typeorm';
import { databaseConfig } from '../config/configuration';
import { buildDataSourceOptions, DATABASE_ENTITIES } from './data-source-options';
import { DatabaseServer } from './database-server';
import { runMigrationsUnderLock } from './migration-runner';

/** After the private store failed to open, writes skip it for this long instead of waiting on it each time. */
const REOPEN_BACKOFF_MS = 10_000;
/** A private store that does not answer must not hold a request up for long. */
const STATEMENT_TIMEOUT_MS = 2_000;

/**
 * `APPHUB_SERVICE_REGISTRY_DUAL_WRITE=1` (shared state): the replica's private store, the
 * database the rollback path (`APPHUB_SERVICE_REGISTRY_USE_SHARED_STATE=0`) runs on. Every
 * write the replica makes to the shared tables is repeated here by the same writer code, once
 * the shared write committed, so a flip to the rollback path on the same folder loses nothing
 * this replica wrote. The private store failing never fails the client's write: it is logged
 * (once until it works again) and counted in `service_registry_dual_write_failures_total`.
 * Without dual writes `repeat()` does nothing.
 */
@Injectable()
export class StoreMirror implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('DualWrite');
  private readonly server: DatabaseServer | null;
  private readonly failures: Counter;
  private dataSource: DataSource | null = null;
  private opening: Promise<DataSource | null> | null = null;
  private retryAfter = 0;
  private failing = false;

  constructor(
    @Inject(databaseConfig.KEY) config: ConfigType<typeof databaseConfig>,
    @Inject(DATABASE_ENTITIES) private readonly entities: NonNullable<DataSourceOptions['entities']>,
    metrics: Registry,
  ) {
    this.server = config.mirror ? new DatabaseServer(config.mirror) : null;
    this.failures = new Counter({
      name: 'service_registry_dual_write_failures_total',
      help: 'Writes that reached the shared tables but not the private store (APPHUB_SERVICE_REGISTRY_DUAL_WRITE=1)',
      registers: [metrics],
    });
  }

  get enabled(): boolean {
    return this.server !== null;
  }

  /** Opens the private store at start, so the first writes do not wait for it to start. */
  async onModuleInit(): Promise<void> {
    if (!this.server) return;
    if (await this.open()) this.logger.log(`Dual writes: every write is repeated on ${this.server.description}`);
  }

  /** The private store's DataSource (opened and migrated), or null when it cannot be opened now. */
  async open(): Promise<DataSource | null> {
    if (this.dataSource?.isInitialized) return this.dataSource;
    if (!this.server || Date.now() < this.retryAfter) return null;
    this.opening ??= this.connect(this.server).finally(() => (this.opening = null));
    return this.opening;
  }

  /**
   * Repeats a committed write on the private store. `what` names it for the log ("patch of
   * 'billing'"). Never throws.
   */
  async repeat(what: string, write: (dataSource: DataSource) => Promise<unknown>): Promise<void> {
    if (!this.server) return;
    const dataSource = await this.open();
    try {
      if (!dataSource) throw new Error('it could not be opened (retrying shortly)');
      await write(dataSource);
      if (this.failing) this.logger.log('The private store takes writes again');
      this.failing = false;
    } catch (error) {
      this.failures.inc();
      if (!this.failing) this.logger.warn(`The private store did not take the ${what}: ${(error as Error).message}`);
      this.failing = true;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.opening;
    if (this.dataSource?.isInitialized) await this.dataSource.destroy();
    await this.server?.stop();
  }

  private async connect(server: DatabaseServer): Promise<DataSource | null> {
    try {
      const options = buildDataSourceOptions(await server.resolveUrl(), this.entities);
      const extra = { ...(options.extra as Record<string, unknown>), max: 2, query_timeout: STATEMENT_TIMEOUT_MS };
      const dataSource = await new DataSource({ ...options, extra } as DataSourceOptions).initialize();
      await runMigrationsUnderLock(dataSource);
      this.dataSource = dataSource;
      return dataSource;
    } catch (error) {
      this.retryAfter = Date.now() + REOPEN_BACKOFF_MS;
      this.failures.inc();
      this.logger.error(`Could not open the private store for dual writes (${server.description}): ${(error as Error).message}`);
      return null;
    }
  }
}
