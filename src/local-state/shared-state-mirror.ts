import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { DataSource } from 'typeorm';
import { databaseConfig } from '../config/configuration';
import { buildDataSourceOptions } from '../database/data-source-options';
import { PatchServiceDto } from '../services/dto/patch-service.dto';
import { RegisterServiceDto } from '../services/dto/register-service.dto';
import { ServiceRows } from '../services/service-rows';
import { FollowerStore } from './dual-service-writer';

/** After a failed connection, writes skip the shared tables for this long instead of waiting on a dead server each time. */
const RECONNECT_BACKOFF_MS = 10_000;
const CONNECT_TIMEOUT_MS = 2_000;

/**
 * The shared-tables half of dual writes while the registry runs on local state: the same
 * SQL as the shared path, on a connection opened at the first write (a dead Postgres never
 * stops the local-state app from starting or serving). Needs a `DATABASE_URL` (the embedded
 * Postgres is not started for it) and an already migrated schema.
 */
@Injectable()
export class SharedStateMirror implements FollowerStore, OnApplicationShutdown {
  readonly name = 'shared tables';
  private readonly logger = new Logger('DualWrite');
  private dataSource: DataSource | null = null;
  private connecting: Promise<DataSource> | null = null;
  private retryAfter = 0;

  constructor(
    @Inject(databaseConfig.KEY) private readonly config: ConfigType<typeof databaseConfig>,
    private readonly rows: ServiceRows,
  ) {}

  async register(input: RegisterServiceDto): Promise<void> {
    await this.rows.register(await this.connection(), input);
  }

  async patch(slug: string, patch: PatchServiceDto): Promise<void> {
    await this.rows.patch(await this.connection(), slug, patch);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.connecting?.catch(() => undefined);
    if (this.dataSource?.isInitialized) await this.dataSource.destroy();
  }

  private async connection(): Promise<DataSource> {
    if (this.dataSource?.isInitialized) return this.dataSource;
    if (!this.config.url) throw new Error('no DATABASE_URL is set (local state does not start the embedded Postgres)');
    if (Date.now() < this.retryAfter) throw new Error('Postgres was unreachable moments ago; not retrying yet');
    this.connecting ??= this.connect(this.config.url).finally(() => (this.connecting = null));
    return this.connecting;
  }

  private async connect(url: string): Promise<DataSource> {
    const options = buildDataSourceOptions(url);
    const dataSource = new DataSource({
      ...options,
      extra: { ...(options.extra as Record<string, unknown>), max: 2, connectionTimeoutMillis: CONNECT_TIMEOUT_MS },
    } as typeof options);
    try {
      await dataSource.initialize();
    } catch (error) {
      this.retryAfter = Date.now() + RECONNECT_BACKOFF_MS;
      throw new Error(`cannot reach Postgres: ${(error as Error).message}`);
    }
    this.logger.log('Connected to Postgres: API writes are mirrored to the shared tables');
    this.dataSource = dataSource;
    return dataSource;
  }
}
