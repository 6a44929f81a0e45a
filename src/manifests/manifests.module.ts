import { Module } from '@nestjs/common';
import { InvalidationModule } from '../registry-cache/invalidation.module';
import { ServiceRows } from '../services/service-rows';
import { BackfillService } from './backfill.service';
import { ManifestImporterService } from './manifest-importer.service';
import { ManifestPreparationModule } from './manifest-preparation.module';
import { ModuleContextsService } from './module-contexts.service';
import { ModuleServiceWriter } from './module-service-writer';
import { NetworkImporter } from './network-importer';

/**
 * Manifest loading, validation, placeholder resolution and the versioned import (the backfill),
 * for the CLI and the app. Uses the global DatabaseModule (DataSource, SchemaMigrator).
 */
@Module({
  imports: [InvalidationModule, ManifestPreparationModule],
  providers: [
    NetworkImporter,
    ServiceRows,
    ModuleServiceWriter,
    ModuleContextsService,
    ManifestImporterService,
    BackfillService,
  ],
  exports: [ManifestPreparationModule, ManifestImporterService, ModuleContextsService, BackfillService],
})
export class ManifestsModule {}
