import { Logger } from '@nestjs/common';
import { DatabaseLocation } from '../config/configuration';
import { redactUrls } from '../config/redacted-url';
import { EmbeddedPostgres } from './embedded-postgres';

/**
 * The Postgres at a `DatabaseLocation`: a URL as it is, or an embedded server, started here if
 * no other process runs it on its folder. `stop()` stops the embedded server only if this
 * process started it.
 */
export class DatabaseServer {
  private readonly logger = new Logger(DatabaseServer.name);
  private readonly embedded: EmbeddedPostgres | null;

  constructor(private readonly location: DatabaseLocation) {
    this.embedded = location.kind === 'embedded' ? new EmbeddedPostgres({ dataDir: location.dataDir, port: location.port }) : null;
  }

  /** How logs name this database. */
  get description(): string {
    return this.location.kind === 'url' ? 'DATABASE_URL' : `the embedded Postgres (${this.location.purpose}) in ${this.location.dataDir}`;
  }

  /** How a connection failure names this database: the variable and its URL, password hidden. */
  describeConnection(url: string): string {
    return this.location.kind === 'url' ? `DATABASE_URL (${redactUrls(url)})` : this.description;
  }

  async resolveUrl(): Promise<string> {
    if (this.location.kind === 'url') return this.location.url;
    const url = await this.embedded!.ensureRunning();
    this.logger.log(`Using ${this.description} on ${new URL(url).host}`);
    return url;
  }

  async stop(): Promise<void> {
    await this.embedded?.stop();
  }
}
