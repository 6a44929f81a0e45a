import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Request, Response } from 'express';
import { matches, REGISTRY_INDEX_HEADER } from '../http/send-json-view';
import { StatusPage, RenderedPage } from './status-page.service';
import { StatusPageQuery } from './status-page.query';

@ApiTags('status')
@Controller('status')
export class StatusController {
  constructor(private readonly page: StatusPage) {}

  @Get()
  @ApiOperation({ summary: 'Status page (HTML): every service, its effective status, since when, latency, module and recent checks' })
  @ApiOkResponse({ description: 'text/html; filters ?module= and ?status=' })
  async status(@Query() query: StatusPageQuery, @Req() request: Request, @Res() response: Response): Promise<void> {
    const page = await this.page.render({ module: query.module || null, status: query.status || null });
    send(request, response, page, 'text/html; charset=utf-8');
  }

  @Get('live.js')
  @ApiOperation({ summary: "The status page's script (keeps it up to date through the watch API)" })
  script(@Req() request: Request, @Res() response: Response): void {
    send(request, response, this.page.script, 'text/javascript; charset=utf-8');
  }
}

/**
 * Sends rendered bytes with their ETag, or 304 when the client holds them (`If-None-Match`),
 * as the JSON views do: a browser's `fetch` sends `Cache-Control: no-cache` beside its
 * `If-None-Match`, which Express's own freshness check would answer with the full page.
 */
function send(request: Request, response: Response, page: RenderedPage, type: string): void {
  response.setHeader('ETag', page.etag);
  if (page.index > 0) response.setHeader(REGISTRY_INDEX_HEADER, String(page.index));
  response.setHeader('Cache-Control', 'no-cache');
  if (matches(request.headers['if-none-match'], page.etag)) {
    response.status(304).end();
    return;
  }
  response.type(type).send(page.body);
}
