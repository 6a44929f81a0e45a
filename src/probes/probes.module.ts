import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ProbesController } from './probes.controller';
import { ReadinessChecks } from './readiness-checks';
import { ReadinessState } from './readiness-state';

/** `/healthz` (liveness) and `/readyz` (readiness: database and Redis pings, 503 once shutdown began). */
@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: 'pretty', logger: false })],
  controllers: [ProbesController],
  providers: [ReadinessState, ReadinessChecks],
})
export class ProbesModule {}
