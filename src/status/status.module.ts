import { Module } from '@nestjs/common';
import { HealthModule } from '../health/health.module';
import { ServicesModule } from '../services/services.module';
import { StatusController } from './status.controller';
import { StatusPage } from './status-page.service';

/** `GET /status`: the server-rendered status page and its script. */
@Module({
  imports: [ServicesModule, HealthModule],
  controllers: [StatusController],
  providers: [StatusPage],
})
export class StatusModule {}
