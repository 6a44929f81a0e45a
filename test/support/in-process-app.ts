import { INestApplication, LogLevel } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { DataSource, Logger as TypeOrmLogger } from 'typeorm';
import { AppModule } from '../../src/app.module';
import { HotReadPath } from '../../src/hot-reads/hot-read-path';
import { configureHttp } from '../../src/http/configure-http';

/**
 * The whole registry app in the test process (real Postgres, real HTTP server on an
 * ephemeral port via supertest), for tests that need to look inside: query counts.
 * `env` is applied to this test file's `process.env` before the modules are built.
 */
export async function startInProcessApp(env: Record<string, string>, logLevels: LogLevel[] = ['error']): Promise<InProcessApp> {
  Object.assign(process.env, { APPHUB_DISABLE_SERVICE_POLLING: '1', ...env });
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ bodyParser: false, logger: logLevels });
  configureHttp(app);
  HotReadPath.install(app, () => undefined);
  await app.init();
  return new InProcessApp(app);
}

export class InProcessApp {
  private queries = 0;

  constructor(readonly app: INestApplication) {
    const dataSource = app.get(DataSource);
    const original = dataSource.logger;
    const counting: TypeOrmLogger = {
      logQuery: (...args) => {
        this.queries += 1;
        return original.logQuery(...args);
      },
      logQueryError: (...args) => original.logQueryError(...args),
      logQuerySlow: (...args) => original.logQuerySlow(...args),
      logSchemaBuild: (...args) => original.logSchemaBuild(...args),
      logMigration: (...args) => original.logMigration(...args),
      log: (...args) => original.log(...args),
    };
    // The one seam TypeORM offers on every statement it sends: count them.
    (dataSource as { logger: TypeOrmLogger }).logger = counting;
  }

  get server() {
    return this.app.getHttpServer();
  }

  /** Statements sent to Postgres by `work`. */
  async countQueries(work: () => Promise<unknown>): Promise<number> {
    const before = this.queries;
    await work();
    return this.queries - before;
  }

  close(): Promise<void> {
    return this.app.close();
  }
}
