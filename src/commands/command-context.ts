import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createCliLogger } from '../cli-logger';

/**
 * What a command works with: module folders only (`validate`: no database, no Redis), the
 * database alone (`migrate`, `schema:check`), or also Redis and the manifest import.
 */
export type CommandNeeds = 'manifests' | 'database' | 'registry';

/**
 * Runs a command's work in a Nest context built for it when it runs, then closes that context
 * (connections close, an embedded Postgres this process started stops) whether the work
 * succeeded or not. The environment is validated first: a bad variable fails the command with
 * one line naming it.
 *
 * Everything heavy (TypeORM, pg, ioredis, class-validator, the manifest code) is imported
 * here, not by the command classes, so `--help` and usage errors start in a fraction of the
 * time. Commands import the classes they `get` from the context the same way (`await import`).
 */
export async function withCommandContext<T>(needs: CommandNeeds, work: (context: INestApplicationContext) => Promise<T>): Promise<T> {
  const { validateEnvironment } = await import('../config/environment');
  validateEnvironment(process.env);
  if (needs !== 'manifests') {
    // Ctrl-C stops an embedded Postgres this run started rather than leaving it behind.
    const { stopEmbeddedServersOnSignals } = await import('../database/embedded-postgres');
    stopEmbeddedServersOnSignals();
  }
  const { commandModule } = await import('./command.module');
  const context = await NestFactory.createApplicationContext(commandModule(needs), {
    logger: createCliLogger(),
    abortOnError: false,
  });
  try {
    return await work(context);
  } finally {
    await context.close();
  }
}
