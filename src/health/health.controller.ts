import { Controller, Get, HttpCode, HttpStatus, Param, Post, Query, UseGuards, UseInterceptors } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { WriteAuthGuard } from '../auth/write-auth.guard';
import { ApiValidationPipe } from '../http/api-validation.pipe';
import { RegistryIndexHeaderInterceptor } from '../http/registry-index-header.interceptor';
import { ServiceSlugPipe } from '../services/service-slug.pipe';
import { HealthHistoryQuery } from './health-history.query';
import { HealthSnapshotView } from './health-snapshot.view';
import { HealthChecks } from './health-checks.service';

export interface HealthHistoryResponse {
  data: HealthSnapshotView[];
  meta: { slug: string; limit: number; transitions: boolean; nextBeforeVersion: number | null };
}

@ApiTags('health')
@UseInterceptors(RegistryIndexHeaderInterceptor)
@Controller('services/:slug')
export class HealthController {
  constructor(private readonly checks: HealthChecks) {}

  @Get('health')
  @ApiOperation({ summary: 'Health snapshot history of a service, newest first (?transitions=true: its status changes only)' })
  async history(@Param('slug', ServiceSlugPipe) slug: string, @Query(ApiValidationPipe) query: HealthHistoryQuery): Promise<HealthHistoryResponse> {
    const transitions = query.transitions === 'true';
    const page = await this.checks.history(slug, query.limit, query.beforeVersion ?? null, transitions);
    return { data: page.snapshots, meta: { slug, limit: query.limit, transitions, nextBeforeVersion: page.nextBeforeVersion } };
  }

  @Post('health-check')
  @HttpCode(HttpStatus.OK)
  @UseGuards(WriteAuthGuard)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Check a service now, store the snapshot and return it as { data }' })
  async checkNow(@Param('slug', ServiceSlugPipe) slug: string): Promise<{ data: HealthSnapshotView }> {
    return { data: await this.checks.checkNow(slug) };
  }
}
