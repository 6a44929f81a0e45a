import { Module } from '@nestjs/common';
import { NetworkImporter } from '../networks/network-importer';
import { ModuleServiceWriter } from '../services/module-service-writer';
import { BackfillService } from './backfill.service';
import { ManifestImporterService } from './manifest-importer.service';
import { ManifestPreparationModule } from './manifest-preparation.module';
import { ModuleContextsService } from './module-contexts.service';

/**
 * Manifest loading, validation, placeholder resolution and the versioned import. Needs the
 * global DatabaseModule (DataSource, SchemaMigrator) and RegistryCacheModule (InvalidationBus).
 */
@Module({
  imports: [ManifestPreparationModule],
  providers: [
    NetworkImporter,
    ModuleServiceWriter,
    ModuleContextsService,
    ManifestImporterService,
    BackfillService,
  ],
  exports: [ManifestPreparationModule, ManifestImporterService, ModuleContextsService, BackfillService],
})
export class ManifestsModule {}
