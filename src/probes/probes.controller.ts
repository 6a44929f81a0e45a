import { Controller, Get, HttpStatus, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheckResult, HealthCheckService } from '@nestjs/terminus';
import { Response } from 'express';
import { ReadinessChecks } from './readiness-checks';
import { ReadinessState } from './readiness-state';

/**
 * Kubernetes probes: liveness has no dependency checks; readiness checks what the registry's
 * state needs (shared state: Postgres and Redis pings; local state: the in-process store).
 * Both answer in terminus' own report format (not the API's error shape), 503 when not ready.
 */
@ApiTags('probes')
@Controller()
export class ProbesController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly checks: ReadinessChecks,
    private readonly readiness: ReadinessState,
  ) {}

  @Get('healthz')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('readyz')
  async ready(@Res({ passthrough: true }) response: Response): Promise<HealthCheckResult | { status: 'shutting_down' }> {
    response.setHeader('Cache-Control', 'no-store');
    if (this.readiness.isDraining) {
      response.status(HttpStatus.SERVICE_UNAVAILABLE);
      return { status: 'shutting_down' };
    }
    try {
      return await this.health.check(this.checks.indicators());
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      response.status(HttpStatus.SERVICE_UNAVAILABLE);
      return error.getResponse() as HealthCheckResult;
    }
  }
}
