import { Module } from '@nestjs/common';
import { ServiceDirectory } from './service-directory.service';
import { ServiceWriter } from './service-writer.service';
import { ServicesController } from './services.controller';
import { ServicesDatasetQuery } from './services-dataset.query';

@Module({
  controllers: [ServicesController],
  providers: [ServiceDirectory, ServiceWriter, ServicesDatasetQuery],
  exports: [ServiceDirectory],
})
export class ServicesModule {}
