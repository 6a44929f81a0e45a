import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import { DataSource, DataSourceOptions } from 'typeorm';
import { StartFailure } from '../config/start-failure';
import { describeConnectionFailure } from './connection-failure';

/** Pause between attempts while the server refuses (it may be starting). */
const RETRY_DELAY_MS = 250;

/** How long shutdown waits for the pool to close before it drops the sockets. */
export const CLOSE_TIMEOUT_MS = 2_000;

/**
 * Connects a DataSource, trying again while the failure may pass (refused, starting up) for up
 * to `connectWithinMs` (0: one attempt). A failure is a `StartFailure` whose one line names the
 * database (`DATABASE_URL (postgres://admin:***@…)`) and the reason: refused, unknown host,
 * authentication failed, database missing, or no answer.
 */
export async function connectDataSource(options: DataSourceOptions, described: string, connectWithinMs: number): Promise<DataSource> {
  const deadline = Date.now() + connectWithinMs;
  for (;;) {
    try {
      return await new DataSource(options).initialize();
    } catch (error) {
      const failure = describeConnectionFailure(error);
      if (!failure) throw error;
      if (!failure.transient || Date.now() + RETRY_DELAY_MS >= deadline) {
        throw new StartFailure(`cannot connect to ${described}: ${failure.reason}`);
      }
      await sleep(RETRY_DELAY_MS);
    }
  }
}

/** The parts of pg's pool and client that closing by force needs. */
interface PgPool {
  _clients?: { connection?: { stream?: { destroy(): void } } }[];
}

/**
 * Destroys `dataSource` within about `CLOSE_TIMEOUT_MS` whatever the server does: a frozen
 * Postgres never answers the pool's goodbye, so after the bound its sockets are dropped.
 */
export async function destroyWithin(dataSource: DataSource, logger: Logger): Promise<void> {
  if (!dataSource.isInitialized) return;
  const pool = (dataSource.driver as unknown as { master?: PgPool }).master;
  let timer: NodeJS.Timeout | undefined;
  const closed = await Promise.race([
    dataSource.destroy().then(
      () => true,
      () => true,
    ),
    new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), CLOSE_TIMEOUT_MS))),
  ]);
  clearTimeout(timer);
  if (closed) return;
  logger.warn(`The database did not close its connections within ${CLOSE_TIMEOUT_MS} ms: dropping them`);
  for (const client of pool?._clients ?? []) client.connection?.stream?.destroy();
}
