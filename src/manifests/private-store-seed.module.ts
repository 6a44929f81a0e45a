import { Module } from '@nestjs/common';
import { ManifestsModule } from './manifests.module';
import { PrivateStoreSeeder } from './private-store-seeder';

/** The app's start-up seeding of its private store from `SERVICE_MANIFEST_PATHS` (never the CLI's). */
@Module({ imports: [ManifestsModule], providers: [PrivateStoreSeeder] })
export class PrivateStoreSeedModule {}
