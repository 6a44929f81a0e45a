import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { bodyParserErrors } from './body-parser-errors';

/** Largest JSON body the API accepts; a manifest-sized service entry fits many times over. */
export const MAX_BODY_BYTES = 256 * 1024;

/**
 * HTTP settings that live on the application rather than in a module (main.ts and the e2e
 * tests share them). Create the app with `{ bodyParser: false }` so these parsers are the
 * only ones.
 */
export function configureHttp(app: NestExpressApplication): void {
  app.useBodyParser('json', { limit: MAX_BODY_BYTES });
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
