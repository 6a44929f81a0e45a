import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { databaseConfig } from '../config/configuration';
import { EmbeddedPostgres } from './embedded-postgres';

/**
 * Where the registry's Postgres is: `DATABASE_URL`, or the embedded server (started here if
 * no other process runs it). Stops the embedded server on shutdown only if this process
 * started it.
 */
@Injectable()
export class DatabaseServer implements OnApplicationShutdown {
  private readonly logger = new Logger(DatabaseServer.name);
  private readonly embedded: EmbeddedPostgres | null;

  constructor(@Inject(databaseConfig.KEY) private readonly config: ConfigType<typeof databaseConfig>) {
    this.embedded = config.url ? null : new EmbeddedPostgres(config.embedded);
  }

  async resolveUrl(): Promise<string> {
    if (this.config.url) return this.config.url;
    const url = await this.embedded!.ensureRunning();
    this.logger.log(`No DATABASE_URL set: using embedded Postgres on 127.0.0.1:${this.config.embedded.port}`);
    return url;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.embedded?.stop();
  }
}
