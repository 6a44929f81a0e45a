import { Module } from '@nestjs/common';
import { RegistryCacheModule } from '../registry-cache/registry-cache.module';
import { ModuleResourceDirectory } from './module-resource-directory.service';
import { ModuleResourcesController } from './module-resources.controller';
import { ModuleResourcesQuery } from './module-resources.query';

/** `GET /modules/:moduleId/resources`: the services and networks a module owns. */
@Module({
  imports: [RegistryCacheModule],
  controllers: [ModuleResourcesController],
  providers: [ModuleResourceDirectory, ModuleResourcesQuery],
})
export class ModuleResourcesModule {}
