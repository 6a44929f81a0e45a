import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { logLevelsFor } from './config/configuration';
import { EnvironmentError, validateEnvironment } from './config/environment';
import { configureHttp } from './http/configure-http';

async function bootstrap(): Promise<void> {
  const environment = validateEnvironment(process.env);
  const app = await NestFactory.create<NestExpressApplication>(AppModule, {
    logger: logLevelsFor(environment.LOG_LEVEL),
    abortOnError: false,
    bodyParser: false,
  });
  configureHttp(app);
  app.enableShutdownHooks();
  await app.listen(environment.PORT);
}

bootstrap().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  const reason = error instanceof EnvironmentError ? message : `service-registry failed to start: ${message}`;
  process.stderr.write(`${reason}\n`);
  process.exit(1);
});
