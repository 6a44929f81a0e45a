import { Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { MetricsRegistry } from './metrics-registry';

const HEADERS = { 'Cache-Control': 'no-store', 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' };

@ApiTags('metrics')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly registry: MetricsRegistry) {}

  /** Sent as the registry writes it (at 10,000 services ~12 MB, never held whole). */
  @Get()
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Prometheus text exposition format' })
  async metrics(@Res() response: Response): Promise<void> {
    try {
      await this.registry.writeExposition((chunk) => {
        if (!response.headersSent) response.set(HEADERS);
        response.write(chunk);
      });
    } catch (error) {
      // Before the first piece it is an error response as any other; after it, the scrape is cut short.
      if (!response.headersSent) throw error;
      response.destroy(error as Error);
      return;
    }
    response.end();
  }
}
