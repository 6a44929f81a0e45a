import { Module } from '@nestjs/common';
import { ServiceDirectory } from './service-directory.service';
import { ServicesController } from './services.controller';

/**
 * The `/services` API. Reads come from the `ServicesSource` and writes go to the
 * `ServiceWriter` that the registry's state module provides (shared or local).
 */
@Module({
  controllers: [ServicesController],
  providers: [ServiceDirectory],
  exports: [ServiceDirectory],
})
export class ServicesModule {}
