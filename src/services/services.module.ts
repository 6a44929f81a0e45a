import { Module } from '@nestjs/common';
import { RegistryCacheModule } from '../registry-cache/registry-cache.module';
import { ServiceDirectory } from './service-directory.service';
import { ServiceRows } from './service-rows';
import { ServiceWriter } from './service-writer';
import { ServicesController } from './services.controller';
import { ServicesDatasetQuery } from './services-dataset.query';

/** The `/services` API: cached reads of the dataset, and the API's writes (`ServiceWriter`). */
@Module({
  imports: [RegistryCacheModule],
  controllers: [ServicesController],
  providers: [ServiceDirectory, ServicesDatasetQuery, ServiceRows, ServiceWriter],
  exports: [ServiceDirectory],
})
export class ServicesModule {}
