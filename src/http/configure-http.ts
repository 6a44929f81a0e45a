import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { bodyParserErrors } from './body-parser-errors';
import { answerClientErrors } from './client-errors';
import { JSON_MEDIA_TYPE, jsonBodiesOnly } from './json-bodies-only';

/** Largest JSON body the API accepts; a manifest-sized service entry fits many times over. */
export const MAX_BODY_BYTES = 256 * 1024;

/**
 * HTTP settings that live on the application rather than in a module (main.ts and the e2e
 * tests share them). Create the app with `{ bodyParser: false }` so these parsers are the
 * only ones.
 *
 * Order matters: a body that is not uncompressed JSON is refused (415) before anything reads
 * it; the JSON parser (never inflating) reads at most MAX_BODY_BYTES; its refusals are answered
 * in the error shape. Then routing: the write guard, then the validation pipe (nesting depth,
 * control characters, unknown keys, per-field rules) before any DTO code runs. Malformed HTTP
 * that never becomes a request is answered by the server itself (`answerClientErrors`).
 */
export function configureHttp(app: NestExpressApplication): void {
  answerClientErrors(app.getHttpServer());
  app.use(jsonBodiesOnly);
  app.useBodyParser('json', { limit: MAX_BODY_BYTES, type: JSON_MEDIA_TYPE, inflate: false });
  app.use(bodyParserErrors);
  app.disable('x-powered-by');
  app.set('etag', 'strong');
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Service registry')
      .setDescription('The shared, versioned registry of platform services. Writes need `Authorization: Bearer <SERVICE_REGISTRY_TOKEN>`.')
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'openapi.json', customSiteTitle: 'Service registry API' });
}
