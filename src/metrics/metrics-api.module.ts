import { Module } from '@nestjs/common';
import { MetricsController } from './metrics.controller';
import { MetricsModule } from './metrics.module';

/** `GET /metrics` (app only; the CLI records into the same kind of registry but serves nothing). */
@Module({ imports: [MetricsModule], controllers: [MetricsController] })
export class MetricsApiModule {}
