import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Response } from 'express';
import { REGISTRY_INDEX_HEADER } from '../http/send-json-view';
import { StatusPage, RenderedPage } from './status-page.service';
import { StatusPageQuery } from './status-page.query';

@ApiTags('status')
@Controller('status')
export class StatusController {
  constructor(private readonly page: StatusPage) {}

  @Get()
  @ApiOperation({ summary: 'Status page (HTML): every service, its effective status, since when, latency, module and recent checks' })
  @ApiOkResponse({ description: 'text/html; filters ?module= and ?status=' })
  async status(@Query() query: StatusPageQuery, @Res() response: Response): Promise<void> {
    const page = await this.page.render({ module: query.module || null, status: query.status || null });
    send(response, page, 'text/html; charset=utf-8');
  }

  @Get('live.js')
  @ApiOperation({ summary: "The status page's script (keeps it up to date through the watch API)" })
  script(@Res() response: Response): void {
    send(response, this.page.script, 'text/javascript; charset=utf-8');
  }
}

/** Sends rendered bytes with their ETag; Express answers a matching `If-None-Match` with 304. */
function send(response: Response, page: RenderedPage, type: string): void {
  response.setHeader('ETag', page.etag);
  if (page.index > 0) response.setHeader(REGISTRY_INDEX_HEADER, String(page.index));
  response.setHeader('Cache-Control', 'no-cache');
  response.type(type).send(page.body);
}
