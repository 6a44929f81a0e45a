import 'reflect-metadata';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { redisConfig, registryConfig } from './config/configuration';
import { EnvironmentError, validateEnvironment } from './config/environment';
import { redactUrls } from './config/redacted-url';
import { HotReadPath } from './hot-reads/hot-read-path';
import { configureHttp } from './http/configure-http';
import { createHttpLogger, createRequestLineLogger } from './logging/http-logger';
import { createNestLogger } from './logging/nest-logger';
import { rootLogger } from './logging/root-logger';
import { describeStart } from './logging/start-summary';

/**
 * The signals that stop the app (Kubernetes and `docker stop` send SIGTERM, Ctrl-C SIGINT).
 * No other: Nest's default list also holds SIGUSR2, SIGHUP, SIGQUIT… and would shut down on them.
 */
const STOP_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * How long shutdown may take after the drain. Every connection closes within a bound of its
 * own (Redis, Postgres, the HTTP server once responses say `Connection: close`); this is the
 * last resort should something else hang.
 */
const SHUTDOWN_TIMEOUT_MS = 15_000;

async function bootstrap(): Promise<void> {
  const environment = validateEnvironment(process.env);
  // Before anything logs, so every line (even while the modules are built) has the configured format.
  const logger = createNestLogger();
  Logger.overrideLogger(logger);
  const app = await NestFactory.create<NestExpressApplication>(AppModule, {
    logger,
    abortOnError: false,
    bodyParser: false,
  });
  // First middleware: every response carries X-Request-Id and is logged, even one the body parser refuses.
  app.use(createHttpLogger(rootLogger()));
  configureHttp(app);
  // Cached reads are answered in front of Express (same bytes, headers and log line).
  HotReadPath.install(app, createRequestLineLogger(rootLogger()));
  app.enableShutdownHooks([...STOP_SIGNALS]);
  exitIfShutdownHangs(environment.SHUTDOWN_DRAIN_MS + SHUTDOWN_TIMEOUT_MS);
  writeHeapSnapshotsOn('SIGUSR2');
  await app.listen(environment.PORT);
  const { useSharedState, dualWrite } = registryConfig();
  new Logger('Bootstrap').log(describeStart({ url: await app.getUrl(), useSharedState, dualWrite, redisUrl: redisConfig().url }));
}

/**
 * Ends the process `timeoutMs` after the first stop signal if the shutdown hooks have not.
 * One-shot listeners: Nest re-raises the signal once its hooks have run, and with no listener
 * left Node's default action ends the process.
 */
function exitIfShutdownHangs(timeoutMs: number): void {
  const arm = (signal: NodeJS.Signals) => {
    for (const other of STOP_SIGNALS) process.removeListener(other, arm);
    setTimeout(() => {
      process.stderr.write(`service-registry: shutdown on ${signal} did not finish within ${timeoutMs} ms; exiting\n`);
      process.exit(1);
    }, timeoutMs).unref();
  };
  for (const signal of STOP_SIGNALS) process.once(signal, arm);
}

/**
 * Operators send SIGUSR2 for a heap snapshot; without a listener Node would end the process.
 * The snapshot goes to the temporary folder (the writable /tmp of the image). Left to Node when
 * it was started with `--heapsnapshot-signal`.
 */
function writeHeapSnapshotsOn(signal: NodeJS.Signals): void {
  const nodeOptions = `${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`;
  if (nodeOptions.includes('--heapsnapshot-signal')) return;
  const logger = new Logger('Diagnostics');
  process.on(signal, () => {
    try {
      const file = writeHeapSnapshot(join(tmpdir(), `core-api-${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}.heapsnapshot`));
      logger.log(`${signal}: heap snapshot written to ${file}`);
    } catch (error) {
      logger.error(`${signal}: could not write a heap snapshot: ${(error as Error).message}`);
    }
  });
}

/** One line, no stack, no password: what stopped the start. */
bootstrap().catch((error: unknown) => {
  const message = redactUrls((error instanceof Error ? error.message : String(error)).split('\n')[0]);
  const reason = error instanceof EnvironmentError ? message : `service-registry failed to start: ${message}`;
  process.stderr.write(`${reason}\n`);
  process.exit(1);
});
